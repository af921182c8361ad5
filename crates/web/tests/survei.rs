//! The satisfaction survey over HTTP (issue 12, part 1): the decision on an information request
//! carries a single-use survey link; the answers count once, a second use, a forged or expired
//! link and a service not completed are refused; a walk-in visitor answers from the counter's
//! form; the village's and the regency's IKM pages show the index, the grade and Krejcie–Morgan's
//! guidance, with an XLSX for everyone and the PDF for staff. Runs on SQLite, and on PostgreSQL
//! when `TEST_DATABASE_URL` names one.

mod support;

use balai_app::survey::SurveySource;
use support::{Page, ask_information, between, decide, spawn_app, survey_path_for};

const SUKAMULYA: &str = "32.07.06.2001";

fn answers(values: [&str; 9]) -> Vec<(String, &str)> {
    (1..=9).map(|i| format!("u{i}")).zip(values).collect()
}

async fn post_answers(b: &support::Browser, path: &str, extra: &[(&str, &str)], values: [&str; 9]) -> Page {
    let named = answers(values);
    let mut fields: Vec<(&str, &str)> = named.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    fields.extend_from_slice(extra);
    b.post(path, &fields).await
}

async fn responses(t: &support::TestApp) -> usize {
    let year = (
        chrono::DateTime::parse_from_rfc3339("2000-01-01T00:00:00Z").expect("t").to_utc(),
        chrono::DateTime::parse_from_rfc3339("2100-01-01T00:00:00Z").expect("t").to_utc(),
    );
    let tallies = t.app.store().survey_tallies("32.07", year.0, year.1).await.expect("tallies");
    tallies.iter().map(|t| t.responses as usize).sum()
}

#[tokio::test]
async fn a_completed_service_is_rated_once_from_its_link_and_the_index_shows_it() {
    let t = spawn_app().await;
    let visitor = t.browser();
    let ppid = t.logged_in("ppid.sukamulya").await;
    let first = ask_information(&visitor, SUKAMULYA, "Salinan APBDes 2026").await;
    let undecided = ask_information(&visitor, SUKAMULYA, "Daftar penerima BLT 2026").await;
    decide(&ppid, &first).await;
    let path = survey_path_for(&t, &first).await;
    assert!(path.starts_with(&format!("/survei/informasi/{first}/")), "{path}");

    let form = visitor.get(&path).await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains("Permohonan informasi publik (PPID)") && form.body.contains("Desa Sukamulya"));
    assert_eq!(form.body.matches("<fieldset").count(), 9, "nine unsur");
    assert!(form.body.contains("kesesuaian persyaratan pelayanan") && form.body.contains("Lewati"));

    // Answers outside 1–4 and an empty form: a clear error, what was chosen kept, nothing stored.
    let bad = post_answers(&visitor, &path, &[], ["4", "5", "3", "4", "4", "4", "3", "4", "4"]).await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains("Sistem, mekanisme dan prosedur harus 1 sampai 4"), "{}", bad.body);
    assert!(bad.body.contains("name=\"u1\" value=\"4\" checked"), "the answers given are kept");
    let empty = post_answers(&visitor, &path, &[], [""; 9]).await;
    assert!(empty.status == 422 && empty.body.contains("Jawab paling sedikit satu pertanyaan"), "{}", empty.body);
    assert_eq!(responses(&t).await, 0);

    let done = post_answers(&visitor, &path, &[], ["4", "4", "3", "4", "4", "4", "3", "4", "4"]).await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.location(), "/survei/terima-kasih");
    assert_eq!(responses(&t).await, 1);
    // Used twice: refused, nothing counted again.
    let twice = post_answers(&visitor, &path, &[], ["1"; 9]).await;
    assert_eq!(twice.status, 409);
    assert!(twice.body.contains("sudah diisi"), "{}", twice.body);
    assert_eq!(visitor.get(&path).await.status, 409);
    assert_eq!(responses(&t).await, 1);

    // Forged: another service's reference, or a changed signature.
    let forged = path.replace(&first, &undecided);
    let page = visitor.get(&forged).await;
    assert_eq!(page.status, 404);
    assert!(page.body.contains("Tautan survei tidak dikenal"), "{}", page.body);
    let mut tampered = path.clone();
    let last = tampered.pop().expect("a character");
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    assert_eq!(visitor.get(&tampered).await.status, 404);
    assert_eq!(post_answers(&visitor, &tampered, &[], ["4"; 9]).await.status, 404);
    // Properly signed, but the service is not completed yet.
    let early = t.app.survey_url(SurveySource::Informasi, &undecided).expect("a signed link");
    let early = &early[early.find("/survei/").expect("path")..];
    let page = visitor.get(early).await;
    assert_eq!(page.status, 409);
    assert!(page.body.contains("setelah layanan selesai"), "{}", page.body);

    // A walk-in visitor at the counter: the service is asked for; the form answers once.
    let counter = format!("/survei/loket/{SUKAMULYA}");
    let walk_in = visitor.get(&counter).await;
    assert_eq!(walk_in.status, 200);
    assert!(walk_in.body.contains("Surat Keterangan Tidak Mampu"), "the village's letters to choose from");
    let visit = between(&walk_in.body, "name=\"kunjungan\" value=\"", "\"").expect("visit key").to_string();
    let values = ["3", "", "3", "4", "3", "3", "3", "3", "3"];
    let no_service = post_answers(&visitor, &counter, &[("kunjungan", &visit)], values).await;
    assert_eq!(no_service.status, 422);
    assert!(no_service.body.contains("Pilih layanan"), "{}", no_service.body);
    let fields = [("kunjungan", visit.as_str()), ("layanan", "surat:sktm")];
    let answered = post_answers(&visitor, &counter, &fields, values).await;
    assert_eq!(answered.status, 303, "{}", answered.body);
    assert_eq!(post_answers(&visitor, &counter, &fields, values).await.status, 409, "one response per form");
    let forged_visit = [("kunjungan", "1.abc.def"), ("layanan", "surat:sktm")];
    assert_eq!(post_answers(&visitor, &counter, &forged_visit, values).await.status, 409);
    assert_eq!(responses(&t).await, 2);

    // NRR 3.5, 4, 3, 4, 3.5, 3.5, 3, 3.5, 3.5 (U2 over its one answer): X = 31.5/9, IKM 87.50, B.
    let village = visitor.get(&format!("/wilayah/{SUKAMULYA}/ikm")).await;
    assert_eq!(village.status, 200, "{}", village.body);
    assert!(village.body.contains("<strong>87,50</strong> · Mutu B (Baik)"), "{}", village.body);
    assert!(village.body.contains("2 responden"));
    assert!(village.body.contains("Permohonan informasi publik (PPID)") && village.body.contains("<svg"));
    let regency = visitor.get("/wilayah/32.07/ikm").await;
    assert!(regency.body.contains("Sukamulya") && regency.body.contains("87,50"), "{}", regency.body);
    // The compatibility weights move the index down (0.11 × 31.5 × 25 = 86.625, shown 86.63).
    assert!(visitor.get(&format!("/wilayah/{SUKAMULYA}/ikm?bobot=0.11")).await.body.contains("86,63"));
    let next_year = visitor.get(&format!("/wilayah/{SUKAMULYA}/ikm?periode=2027")).await;
    assert!(next_year.body.contains("Belum ada responden"), "{}", next_year.body);
    assert_eq!(visitor.get(&format!("/wilayah/{SUKAMULYA}/ikm?periode=2026-S3")).await.status, 422);

    let xlsx = visitor.get(&format!("/wilayah/{SUKAMULYA}/ikm?format=xlsx")).await;
    assert_eq!(xlsx.status, 200);
    assert!(xlsx.header("content-type").contains("spreadsheetml"));
    assert_eq!(visitor.get(&format!("/wilayah/{SUKAMULYA}/ikm?format=pdf")).await.status, 401, "PDF for staff");
    let pdf = ppid.get(&format!("/wilayah/{SUKAMULYA}/ikm?format=pdf")).await;
    assert_eq!(pdf.status, 200);
    assert!(pdf.body.starts_with("%PDF-"));

    // Past its 30 days a link is refused.
    decide(&ppid, &undecided).await;
    let late = survey_path_for(&t, &undecided).await;
    t.clock.advance(chrono::Duration::days(31));
    let expired = visitor.get(&late).await;
    assert_eq!(expired.status, 409);
    assert!(expired.body.contains("kedaluwarsa"), "{}", expired.body);
    let audit = t.app.store().audit_recent("survei:", 10).await.expect("audit");
    assert_eq!(audit.len(), 2, "each response is in the audit trail");
    assert!(audit.iter().all(|a| a.action == "survey.answer"));
}
