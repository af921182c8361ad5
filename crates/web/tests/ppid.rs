//! The PPID story over HTTP, as issue 11's "done means" tells it: the DIP with one item per
//! class, a request extended once and granted with its written notice, another refused and
//! objected to, the atasan's answer, the annual report; and the refusals on the way. Runs on
//! SQLite, and on PostgreSQL when `TEST_DATABASE_URL` names one.

mod support;

use support::{PDF, Page, ask_information, between, csrf_of, spawn_app};

const SUKAMULYA: &str = "32.07.06.2001";

async fn act(b: &support::Browser, code: &str, fields: &[(&str, &str)]) -> Page {
    b.post(&format!("/staf/ppid/{code}/aksi"), fields).await
}

fn assert_pdf(page: &Page) {
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.header("content-type"), "application/pdf");
    assert!(page.body.starts_with("%PDF-"), "a PDF");
}

#[tokio::test]
async fn a_village_ppid_runs_requests_and_objections_on_the_legal_clocks() {
    let t = spawn_app().await;
    let visitor = t.browser();

    // The demo DIP has one item per class; the exempt one says why it is withheld.
    let dip = visitor.get(&format!("/desa/{SUKAMULYA}/ppid")).await;
    assert_eq!(dip.status, 200);
    for class in
        ["Informasi berkala", "Informasi serta-merta", "Informasi tersedia setiap saat", "Informasi yang dikecualikan"]
    {
        assert!(dip.body.contains(class), "{class} missing");
    }
    assert!(dip.body.len() < 30 * 1024, "DIP page {} bytes", dip.body.len());

    // The PPID attaches a document to the exempt item: staff can open it, a visitor who
    // guesses its address cannot.
    let ppid = t.logged_in("ppid.sukamulya").await;
    let mut exempt = None;
    for id in dip.body.split("href=\"/ppid/dip/").skip(1).filter_map(|s| s.split('"').next()) {
        let page = visitor.get(&format!("/ppid/dip/{id}")).await;
        if page.body.contains("Informasi yang dikecualikan") && page.body.contains("Pasal 17 huruf h") {
            exempt = Some(id.to_string());
        }
    }
    let exempt = exempt.expect("the exempt item cites Pasal 17 huruf h");
    let upload = ppid
        .post_files(
            &format!("/staf/ppid/dip/{exempt}/berkas"),
            &[],
            &[("berkas", "penerima.pdf", PDF.to_vec())],
            Some(csrf_of(&ppid)),
        )
        .await;
    assert_eq!(upload.status, 303, "{}", upload.body);
    let staff_view = ppid.get(&format!("/staf/ppid/dip/{exempt}")).await;
    let file = between(&staff_view.body, "href=\"/ppid/berkas/", "\"").expect("the PPID sees the file").to_string();
    assert_eq!(ppid.get(&format!("/ppid/berkas/{file}")).await.status, 200);
    assert_eq!(visitor.get(&format!("/ppid/berkas/{file}")).await.status, 404, "a guessed exempt file stays hidden");
    assert!(!visitor.get(&format!("/ppid/dip/{exempt}")).await.body.contains(&file));

    // Request 1: extended once (with a reason), then granted; the notice is a PDF.
    let first = ask_information(&visitor, SUKAMULYA, "Salinan APBDes Sukamulya 2026 beserta rinciannya").await;
    let tracked = visitor.get(&format!("/ppid/lacak/{first}")).await;
    assert_eq!(tracked.status, 200);
    assert!(tracked.body.contains("Diterima"), "{}", tracked.body);
    let no_reason = act(&ppid, &first, &[("action", "perpanjang"), ("reason", " ")]).await;
    assert_eq!(no_reason.status, 422, "an extension needs a reason");
    let extended =
        act(&ppid, &first, &[("action", "perpanjang"), ("reason", "Dokumen sedang dihimpun dari bendahara desa")])
            .await;
    assert_eq!(extended.status, 200, "{}", extended.body);
    let again = act(&ppid, &first, &[("action", "perpanjang"), ("reason", "Masih dihimpun")]).await;
    assert!(again.status == 409 || again.status == 422, "a second extension is refused: {}", again.status);
    assert!(again.body.contains("satu kali"), "{}", again.body);
    assert_pdf(&visitor.get(&format!("/ppid/lacak/{first}/pemberitahuan.pdf")).await);
    let granted = act(
        &ppid,
        &first,
        &[
            ("action", "putuskan"),
            ("decision", "dikabulkan"),
            ("info_class", "berkala"),
            ("answer", "Salinan APBDes terlampir."),
            ("fee", "0"),
            ("publish", "1"),
        ],
    )
    .await;
    assert_eq!(granted.status, 200, "{}", granted.body);
    // Published answers show on the PPID page at once (its public copy is kept a few seconds).
    let home = visitor.get(&format!("/desa/{SUKAMULYA}/ppid")).await;
    assert!(home.body.contains("Jawaban yang sudah diberikan") && home.body.contains("Salinan APBDes terlampir."));
    assert!(visitor.get(&format!("/ppid/lacak/{first}")).await.body.contains("Dikabulkan"));
    assert_pdf(&ppid.get(&format!("/staf/ppid/{first}/pemberitahuan.pdf")).await);

    // Request 2: refused citing an exemption, objected to, answered by the atasan (kades).
    let second = ask_information(&visitor, SUKAMULYA, "Daftar NIK penerima BLT Dana Desa").await;
    let no_exemption =
        act(&ppid, &second, &[("action", "putuskan"), ("decision", "ditolak"), ("answer", "Ditolak.")]).await;
    assert_eq!(no_exemption.status, 422, "a refusal must cite an exemption");
    let refused = act(
        &ppid,
        &second,
        &[
            ("action", "putuskan"),
            ("decision", "ditolak"),
            ("info_class", "dikecualikan"),
            ("exemption", "ps17h"),
            ("reason", "NIK penerima bantuan adalah data pribadi yang dikecualikan."),
        ],
    )
    .await;
    assert_eq!(refused.status, 200, "{}", refused.body);
    let keberatan_path = format!("/ppid/lacak/{second}/keberatan");
    let no_ground = visitor.post(&keberatan_path, &[("reason", "Saya keberatan")]).await;
    assert_eq!(no_ground.status, 422, "a keberatan needs a ground");
    let filed = visitor
        .post(&keberatan_path, &[("grounds", "a"), ("reason", "Jumlah penerima per dusun pun tidak diberikan")])
        .await;
    assert!(filed.status == 303 || filed.status == 200, "{}", filed.body);
    let tracked = visitor.get(&format!("/ppid/lacak/{second}")).await;
    assert!(tracked.body.contains("/KEB/"), "the keberatan has its register number");
    assert_eq!(visitor.post(&keberatan_path, &[("grounds", "c")]).await.status, 409, "one keberatan per request");

    // Only the atasan answers it; the PPID itself may not.
    let by_ppid =
        act(&ppid, &second, &[("action", "jawab_keberatan"), ("outcome", "ditolak"), ("answer", "Dikuatkan.")]).await;
    assert!(matches!(by_ppid.status, 403 | 404), "the PPID may not answer: {}", by_ppid.status);
    assert!(!ppid.get(&format!("/staf/ppid/{second}")).await.body.contains("Dikuatkan."), "nothing recorded");
    let kades = t.logged_in("kades.sukamulya").await;
    let answered = act(
        &kades,
        &second,
        &[
            ("action", "jawab_keberatan"),
            ("outcome", "ditolak"),
            ("answer", "Keputusan PPID dikuatkan; jumlah per dusun ada di DIP."),
        ],
    )
    .await;
    assert_eq!(answered.status, 200, "{}", answered.body);
    let tracked = visitor.get(&format!("/ppid/lacak/{second}")).await;
    assert!(tracked.body.contains("Komisi Informasi"), "the requester is told of the next step");

    // The register and the annual report count both requests.
    let register = ppid.get(&format!("/staf/desa/{SUKAMULYA}/ppid")).await;
    assert_eq!(register.status, 200);
    assert!(
        register.body.contains("001/PPID/2001/XI/2026") && register.body.contains("002/PPID/2001/XI/2026"),
        "{}",
        register.body
    );
    let report = ppid.get(&format!("/staf/wilayah/{SUKAMULYA}/ppid/laporan?tahun=2026")).await;
    assert_eq!(report.status, 200, "{}", report.body);
    assert_pdf(&ppid.get(&format!("/staf/wilayah/{SUKAMULYA}/ppid/laporan?tahun=2026&format=pdf")).await);
    let xlsx = ppid.get(&format!("/staf/wilayah/{SUKAMULYA}/ppid/laporan?tahun=2026&format=xlsx")).await;
    assert_eq!(xlsx.status, 200);
    assert!(xlsx.body.starts_with("PK"), "an XLSX is a zip");

    // The socialization kit is public and printable; the letters crate's tests decode its QR codes.
    assert_pdf(&visitor.get(&format!("/desa/{SUKAMULYA}/poster.pdf")).await);
    assert_pdf(&visitor.get(&format!("/desa/{SUKAMULYA}/brosur.pdf")).await);
    assert_eq!(visitor.get("/desa/32.07.06/poster.pdf").await.status, 404, "a kecamatan has no kit");

    // Another village's operator sees none of it.
    let op2 = t.logged_in("operator.cikoneng").await;
    assert_eq!(op2.get(&format!("/staf/ppid/{first}")).await.status, 404);
    assert_eq!(op2.get(&format!("/staf/desa/{SUKAMULYA}/ppid")).await.status, 404);
}

#[tokio::test]
async fn an_information_request_sent_through_the_reports_form_goes_to_the_village_ppid() {
    let t = spawn_app().await;
    let visitor = t.browser();
    let form = visitor.get("/lapor").await;
    assert_eq!(form.status, 200);
    let fields = [
        ("kind", "permintaan_informasi"),
        ("category", "kependudukan"),
        ("region", SUKAMULYA),
        ("title", "APBDes 2026"),
        ("description", "Rincian belanja & pendapatan"),
        ("name", "Budi Santoso"),
        ("email", "budi@example.org"),
    ];
    let sent = visitor.post_files("/lapor", &fields, &[], Some(csrf_of(&visitor))).await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let location = sent.location().to_string();
    assert!(location.starts_with(&format!("/desa/{SUKAMULYA}/ppid/minta?dari=lapor&")), "{location}");
    // No report was made: the PPID form carries on with what was typed.
    let ppid_form = visitor.get(&location).await;
    assert_eq!(ppid_form.status, 200);
    assert!(ppid_form.body.contains("Isian Anda dari formulir laporan sudah kami bawa"), "{}", ppid_form.body);
    assert!(ppid_form.body.contains("APBDes 2026\nRincian belanja &#38; pendapatan"), "{}", ppid_form.body);
    assert!(ppid_form.body.contains("value=\"Budi Santoso\"") && ppid_form.body.contains("value=\"budi@example.org\""));
    let admin = t.logged_in("admin.ciamis").await;
    assert!(admin.get("/staf/lapor").await.body.contains("Menunggu verifikasi (0)"), "no report was filed");
}
