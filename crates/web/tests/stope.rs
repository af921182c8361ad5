//! STOPE e-readiness and the capability programme over HTTP (issue 12, parts 3 and 4): the
//! admin scores a village from a form pre-filled with the platform's proposals; a score without
//! evidence, an evaluator's or a camat's attempt, a stranger's name on an attendance list are
//! refused and change nothing; attendance moves the proposal. Runs on SQLite, and on PostgreSQL
//! when `TEST_DATABASE_URL` names one.

mod support;

use balai_domain::stope;
use support::{Browser, Page, between, spawn_app};

const SUKAMULYA: &str = "32.07.06.2001";

/// Every factor of the form as submitted: the proposal where there is one, else 3 with a note.
fn filled_form(form: &Page) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    for f in stope::indicators(false).flat_map(|i| i.factors.iter()) {
        let score_name = format!("skor-{}", f.code.replace('.', "-"));
        let evidence_name = format!("bukti-{}", f.code.replace('.', "-"));
        let checked = format!("name=\"{score_name}\" value=\"");
        let proposed = form
            .body
            .match_indices(&checked)
            .map(|(at, _)| &form.body[at + checked.len()..])
            .find(|rest| rest[1..].starts_with("\" checked"))
            .map(|rest| rest[..1].to_string());
        let evidence =
            between(&form.body, &format!("name=\"{evidence_name}\" rows=\"2\" maxlength=\"2000\">"), "</textarea>")
                .unwrap_or("")
                .to_string();
        let evidence = if evidence.is_empty() { "Diperiksa di kantor desa.".to_string() } else { evidence };
        fields.push((score_name, proposed.unwrap_or_else(|| "3".into())));
        fields.push((evidence_name, evidence));
    }
    fields
}

async fn post_fields(b: &Browser, path: &str, fields: &[(String, String)]) -> Page {
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    b.post(path, &pairs).await
}

fn history_rows(page: &Page) -> usize {
    between(&page.body, "<h2>Riwayat penilaian</h2>", "</table>").map_or(0, |t| t.matches("<tr><td>").count())
}

#[tokio::test]
async fn the_admin_scores_with_evidence_and_others_cannot() {
    let t = spawn_app().await;
    let admin = t.logged_in("admin.ciamis").await;
    let home = admin.get("/staf").await;
    assert!(home.body.contains("href=\"/staf/stope/32.07\">Kesiapan e-government (STOPE) Kabupaten Ciamis"));
    assert!(home.body.contains("href=\"/staf/pelatihan/32.07\">Program peningkatan kapabilitas Kabupaten Ciamis"));

    let path = format!("/staf/stope/{SUKAMULYA}/nilai");
    let form = admin.get(&path).await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.len() < 50_000, "the form is {} bytes", form.body.len());
    assert!(form.body.contains("Usulan dari data: skor 3.</strong> 1 akun operator desa aktif"), "{}", form.body);
    assert!(form.body.contains("4 dari 8 aparatur mengikuti pelatihan"), "{}", form.body);

    // Nothing scored: every factor is named, nothing stored.
    let empty = admin.post(&path, &[]).await;
    assert_eq!(empty.status, 422);
    assert!(empty.body.contains("href=\"#skor-S1-1\"") && empty.body.contains("href=\"#bukti-E2-2\""));
    let mut fields = filled_form(&form);
    let at = fields.iter().position(|(k, _)| k == "bukti-T2-1").expect("field");
    fields[at].1 = " ".into();
    let no_evidence = post_fields(&admin, &path, &fields).await;
    assert_eq!(no_evidence.status, 422);
    assert!(no_evidence.body.contains("Tuliskan bukti untuk faktor T2.1: skor tanpa bukti tidak diterima."));
    assert!(no_evidence.body.contains(">Diperiksa di kantor desa.</textarea>"), "what was typed is kept");
    let village = admin.get(&format!("/staf/stope/{SUKAMULYA}")).await;
    assert!(village.body.contains("belum pernah dinilai"), "nothing stored: {}", village.body);

    fields[at].1 = "Wifi kantor desa 20 Mbps, sering putus saat hujan.".into();
    let saved = post_fields(&admin, &path, &fields).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(saved.location(), format!("/staf/stope/{SUKAMULYA}?tersimpan=1"));
    let village = admin.get(saved.location()).await;
    assert!(village.body.contains("Penilaian tersimpan") && village.body.contains("Skor keseluruhan"));
    assert!(village.body.contains("Wifi kantor desa 20 Mbps") && village.body.contains("<svg"));
    assert_eq!(history_rows(&village), 1);

    // Readers read; they do not score.
    for username in ["evaluator.ciamis", "camat.cihaurbeuti", "kades.sukamulya"] {
        let reader = t.logged_in(username).await;
        let page = reader.get(&format!("/staf/stope/{SUKAMULYA}")).await;
        assert_eq!(page.status, 200, "{username}");
        assert!(!page.body.contains("Nilai kesiapan sekarang"), "{username}");
        assert_eq!(reader.get(&path).await.status, 403, "{username}");
        let attempt = post_fields(&reader, &path, &fields).await;
        assert_eq!(attempt.status, 403, "{username}");
        assert!(attempt.body.contains("tidak berwenang"), "{username}: {}", attempt.body);
    }
    assert_eq!(history_rows(&admin.get(&format!("/staf/stope/{SUKAMULYA}")).await), 1, "still one");
    let kades = t.logged_in("kades.sukamulya").await;
    assert_eq!(kades.get("/staf/stope/32.07").await.status, 403);
    let elsewhere = t.logged_in("operator.cikoneng").await;
    assert_eq!(elsewhere.get(&format!("/staf/stope/{SUKAMULYA}")).await.status, 403);
    let visitor = t.browser().get(&format!("/staf/stope/{SUKAMULYA}")).await;
    assert_eq!(visitor.status, 303);
    assert!(visitor.location().starts_with("/masuk?next="));

    let ranking = admin.get("/staf/stope/32.07").await;
    assert_eq!(ranking.status, 200);
    assert!(ranking.body.contains("1 dari") && ranking.body.contains("Indikator terlemah"), "{}", ranking.body);
    assert!(ranking.body.contains(&format!("href=\"/staf/stope/{SUKAMULYA}\">Desa Sukamulya")));
}

#[tokio::test]
async fn training_sessions_attendance_and_outputs() {
    let t = spawn_app().await;
    let admin = t.logged_in("admin.ciamis").await;
    let overview = admin.get("/staf/pelatihan/32.07").await;
    assert_eq!(overview.status, 200, "{}", overview.body);
    assert!(overview.body.contains("Workshop layanan surat daring"), "the demo's session");
    assert!(overview.body.contains("0 dari"), "no village meets the goal yet: {}", overview.body);

    let bad = admin
        .post("/staf/pelatihan/32.07", &[("module", "sulap"), ("title", ""), ("held_on", "kemarin"), ("place", "")])
        .await;
    assert_eq!(bad.status, 422);
    for message in ["Pilih modul pelatihan.", "Tuliskan judul kegiatan.", "Tulis tanggal seperti", "Tuliskan tempat"] {
        assert!(bad.body.contains(message), "{message}: {}", bad.body);
    }
    let evaluator = t.logged_in("evaluator.ciamis").await;
    let fields = [
        ("module", "ppid"),
        ("title", "Pendampingan penyusunan DIP"),
        ("held_on", "2026-11-02"),
        ("place", "Kantor Desa Sukamulya"),
    ];
    assert_eq!(evaluator.post("/staf/pelatihan/32.07", &fields).await.status, 403);
    let created = admin.post("/staf/pelatihan/32.07", &fields).await;
    assert_eq!(created.status, 303, "{}", created.body);
    let session = created.location().to_string();
    assert!(session.starts_with("/staf/pelatihan/sesi/"), "{session}");

    // The village lists its people itself; a duplicate is refused.
    let kades = t.logged_in("kades.sukamulya").await;
    let village = format!("/staf/pelatihan/desa/{SUKAMULYA}");
    let add = [("aksi", "tambah"), ("name", "Iis Rohaeti"), ("position", "Kepala Urusan")];
    assert_eq!(kades.post(&village, &add).await.status, 303);
    let again = kades.post(&village, &add).await;
    assert_eq!(again.status, 422);
    assert!(again.body.contains("Iis Rohaeti sudah ada di daftar."));
    assert_eq!(
        kades.post(&village, &[("aksi", "tambah"), ("name", "Tanpa Jabatan"), ("position", "Raja")]).await.status,
        422
    );
    let page = kades.get(&village).await;
    assert!(page.body.contains("<dt>Aparatur aktif</dt><dd>9</dd>"), "{}", page.body);

    // Attendance: the village's own names only.
    let picked = admin.get(&format!("{session}?desa={SUKAMULYA}")).await;
    assert_eq!(picked.status, 200, "{}", picked.body);
    let ids: Vec<String> = picked
        .body
        .match_indices("name=\"hadir\" value=\"")
        .map(|(at, m)| picked.body[at + m.len()..].split('"').next().unwrap_or("").to_string())
        .collect();
    assert_eq!(ids.len(), 9);
    let stranger = admin.post(&session, &[("desa", SUKAMULYA), ("hadir", "999999")]).await;
    assert_eq!(stranger.status, 422);
    assert!(stranger.body.contains("tidak ada di daftar aparatur desa ini"));
    let mut present: Vec<(&str, &str)> = vec![("desa", SUKAMULYA)];
    present.extend(ids.iter().map(|id| ("hadir", id.as_str())));
    let saved = admin.post(&session, &present).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert!(admin.get(saved.location()).await.body.contains("9 aparatur"));
    assert!(admin.get("/staf/pelatihan/32.07").await.body.contains("1 dari"), "Sukamulya meets the goal");
    let form = admin.get(&format!("/staf/stope/{SUKAMULYA}/nilai")).await;
    assert!(form.body.contains("Usulan dari data: skor 4.</strong> 9 dari 9 aparatur"), "{}", form.body);

    // Outputs: a date in the future is refused; a good one is ticked.
    let future =
        kades.post(&village, &[("aksi", "keluaran"), ("output", "sop"), ("done_on", "2099-01-01"), ("note", "")]).await;
    assert_eq!(future.status, 422);
    let sop = [("aksi", "keluaran"), ("output", "sop"), ("done_on", "2026-11-16"), ("note", "Perdes 2/2026")];
    assert_eq!(kades.post(&village, &sop).await.status, 303);
    let page = kades.get(&village).await;
    assert!(page.body.contains("<dd>2 / 4</dd>") && page.body.contains("Perdes 2/2026"), "{}", page.body);
    let elsewhere = t.logged_in("operator.cikoneng").await;
    assert_eq!(elsewhere.post(&village, &sop).await.status, 403);
}

/// The text of a PDF (poppler's pdftotext).
fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("forum.pdf");
    std::fs::write(&path, pdf).expect("write");
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", path.to_str().expect("utf8"), "-"])
        .output()
        .expect("pdftotext must be installed (apt-get install poppler-utils)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test]
async fn the_pupr_forum_pack_pdf_lists_its_overdue_reports() {
    use balai_app::reports::{Channel, NewReportInput, ReportCommand};
    use balai_app::{Actor, StaffUser};
    use balai_domain::ikm::Periode;

    let t = spawn_app().await;
    let user = t.app.store().user_by_username("admin.ciamis").await.expect("lookup").expect("exists");
    let coordinator = Actor::Staff(StaffUser::from(user));
    let input = NewReportInput {
        kind: "pengaduan".into(),
        category: "pekerjaan-umum-dan-penataan-ruang".into(),
        region: SUKAMULYA.into(),
        title: "Jembatan gantung Dusun Cibodas putus".into(),
        description: "Jembatan gantung penghubung Dusun Cibodas putus sejak hujan deras minggu lalu.".into(),
        address: "Dusun Cibodas".into(),
        anonymous: true,
        idempotency_key: "forum-http-1".into(),
        ..Default::default()
    };
    let visitor = Actor::Anonymous { ip: "203.0.113.9".into() };
    let sent = t.app.submit_report(&visitor, input, vec![], Channel::Web).await.expect("submit");
    let dispose = ReportCommand { action: "disposisi".into(), handler: "opd:dinas-pupr".into(), ..Default::default() };
    t.app.act_on_report(&coordinator, &sent.public_id, dispose).await.expect("dispose");
    t.clock.advance(chrono::Duration::days(21));

    let admin = t.logged_in("admin.ciamis").await;
    let dashboard = admin.get("/staf/evaluasi/32.07").await;
    assert!(dashboard.body.contains("href=\"/staf/forum/dinas-pupr\">bahan forum"), "{}", dashboard.body);
    let page = admin.get("/staf/forum/dinas-pupr?periode=2026-T4").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Melewati tenggat saat ini (1)"), "{}", page.body);
    assert!(page.body.contains(&sent.code.display()) && page.body.contains("Jembatan gantung"));
    assert!(page.body.contains("Triwulan IV 2026 dibandingkan Triwulan III 2026"));
    let pdf = admin.get("/staf/forum/dinas-pupr?periode=2026-T4&format=pdf").await;
    assert_eq!((pdf.status, pdf.header("content-type")), (200, "application/pdf"));
    let xlsx = admin.get("/staf/forum/dinas-pupr?periode=2026-T4&format=xlsx").await;
    assert_eq!(xlsx.status, 200);
    assert_eq!(admin.get("/staf/forum/dinas-pupr?periode=2026-T9").await.status, 422);
    assert_eq!(admin.get("/staf/forum/dinas-pupr?format=doc").await.status, 422);
    assert_eq!(t.logged_in("pupr.ciamis").await.get("/staf/forum/dinas-pupr").await.status, 403);

    let (name, _, bytes) = t
        .app
        .forum_file(&coordinator, "dinas-pupr", Periode::Triwulan(2026, 4), balai_app::ppid::ReportFormat::Pdf)
        .await
        .expect("pdf");
    assert_eq!(name, "forum-dinas-pupr-2026-T4.pdf");
    let text = pdf_text(&bytes);
    assert!(text.contains("BAHAN FORUM KOORDINASI"), "{text}");
    assert!(text.contains(&sent.code.display()) && text.contains("Jembatan gantung"), "{text}");
    assert!(text.contains("Dinas Pekerjaan Umum dan Penataan Ruang"), "{text}");
}

/// With the regency's real 265 villages, the regency's pages list kecamatan, not villages, and
/// stay under the page budget; each kecamatan's page ranks its own villages.
#[tokio::test]
async fn a_regency_of_hundreds_of_villages_is_shown_per_kecamatan() {
    use balai_app::readiness::AssessmentInput;
    use balai_app::{Actor, StaffUser};

    let t = spawn_app().await;
    let csv = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/wilayah-3207-ciamis.csv"))
        .expect("the Kemendagri file of Ciamis");
    t.app.import_regions(&Actor::System, &[("wilayah-3207-ciamis.csv".into(), csv)]).await.expect("import");
    let villages: Vec<_> = t
        .app
        .store()
        .regions_within(&balai_domain::wilayah::KodeWilayah::parse("32.07").expect("code"), 4)
        .await
        .expect("regions")
        .into_iter()
        .filter(|r| r.level.is_village())
        .collect();
    assert!(villages.len() > 250, "{} villages", villages.len());

    // Every 10th village assessed, all factors at 1 + (n mod 4): 27 assessments, scores 1 to 4.
    let user = t.app.store().user_by_username("admin.ciamis").await.expect("lookup").expect("exists");
    let actor = Actor::Staff(StaffUser::from(user));
    for (n, village) in villages.iter().step_by(10).enumerate() {
        let mut input = AssessmentInput::default();
        for f in stope::indicators(false).flat_map(|i| i.factors.iter()) {
            input.scores.insert(f.code.to_string(), (1 + n % 4).to_string());
            input.evidence.insert(f.code.to_string(), "Diperiksa di kantor desa.".into());
        }
        t.app.assess_readiness(&actor, village.code.as_str(), &input).await.expect("assessed");
    }

    let admin = t.logged_in("admin.ciamis").await;
    let ranking = admin.get("/staf/stope/32.07").await;
    assert_eq!(ranking.status, 200, "{}", ranking.body);
    assert!(ranking.body.len() < 50_000, "the regency ranking is {} bytes", ranking.body.len());
    assert!(ranking.body.contains("27 dari "), "{}", ranking.body);
    let per_kecamatan = between(&ranking.body, "<h2>Per kecamatan</h2>", "</table>").expect("kecamatan table");
    assert_eq!(per_kecamatan.matches("<tr><td><a href=\"/staf/stope/32.07.").count(), 27, "one row per kecamatan");
    let best = between(&ranking.body, "<h2>Skor tertinggi</h2>", "</table>").expect("best");
    let worst = between(&ranking.body, "<h2>Skor terendah</h2>", "</table>").expect("worst");
    assert_eq!(best.matches("<tr><td>").count(), 10);
    assert_eq!(worst.matches("<tr><td>").count(), 10);
    assert!(best.contains("<td>4,00</td>") && !best.contains("<td>1,00</td>"), "{best}");
    assert!(worst.contains("<td>27</td>") && worst.contains("<td>1,00</td>") && !worst.contains("<td>4,00</td>"));
    assert!(!ranking.body.contains("belum dinilai</td></tr><tr><td></td>"), "unassessed villages are not listed");
    let weakest = between(&ranking.body, "<h2>Indikator terlemah</h2>", "</table>").expect("weakest");
    assert!(weakest.contains("desa lainnya"), "long village lists are cut: {weakest}");

    // A kecamatan still ranks every village of its own.
    let kecamatan = &villages[0].parent.clone().expect("parent");
    let inside = villages.iter().filter(|v| v.parent.as_ref() == Some(kecamatan)).count();
    let page = admin.get(&format!("/staf/stope/{kecamatan}")).await;
    assert_eq!(page.status, 200);
    let table = between(&page.body, "<h2>Peringkat</h2>", "</table>").expect("ranking");
    assert_eq!(table.matches("<tr><td").count(), inside);

    let training = admin.get("/staf/pelatihan/32.07").await;
    assert_eq!(training.status, 200);
    assert!(training.body.len() < 50_000, "the regency's programme page is {} bytes", training.body.len());
    let coverage = between(&training.body, "<h2>Cakupan per kecamatan</h2>", "</table>").expect("coverage");
    assert_eq!(coverage.matches("<tr><td><a href=\"/staf/pelatihan/32.07.").count(), 27);
    assert!(!training.body.contains("/staf/pelatihan/desa/"), "no village rows at the regency");
    let session = between(&training.body, "href=\"/staf/pelatihan/sesi/", "\"").expect("a session");
    let session = admin.get(&format!("/staf/pelatihan/sesi/{session}")).await;
    assert_eq!(session.status, 200);
    assert!(session.body.len() < 50_000, "a regency session's page is {} bytes", session.body.len());
    let own = admin.get(&format!("/staf/pelatihan/{kecamatan}")).await;
    let own_rows = between(&own.body, "<h2>Cakupan per desa</h2>", "</table>").expect("villages");
    assert_eq!(own_rows.matches("href=\"/staf/pelatihan/desa/").count(), inside);
}
