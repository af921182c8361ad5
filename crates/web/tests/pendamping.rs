//! Assisted filing over HTTP (issue 11, part 8): the demo's pendamping files an SKTM for Onah
//! Rohanah (born 1948, no account) with her thumbprint consent; the refusals on the way (no
//! consent, a resident of another village, another village's form); the staff page and the
//! pendamping's list show the assistance. Runs on SQLite, and on PostgreSQL when
//! `TEST_DATABASE_URL` names one.

mod support;

use support::{Page, csrf_of, letter_field_names, sktm_files, spawn_app};

const SUKAMULYA: &str = "32.07.06.2001";
const ONAH: &str = "3207065704480004";
const ASSIST_INPUTS: [&str; 4] = ["nik", "saksi", "phone", "email"];

fn fields_of(form: &Page) -> Vec<(String, String)> {
    letter_field_names(&form.body)
        .into_iter()
        .filter(|n| !ASSIST_INPUTS.contains(&n.as_str()))
        .map(|n| {
            let value =
                if n.contains("penghasilan") || n.contains("jumlah") { "2".to_string() } else { format!("Isian {n}") };
            (n, value)
        })
        .collect()
}

#[tokio::test]
async fn a_pendamping_files_an_sktm_for_an_elderly_resident_with_her_consent() {
    let t = spawn_app().await;
    let pendamping = t.logged_in("pendamping.sukamulya").await;

    // The staff home leads the pendamping to their page, which offers the letter types.
    let home = pendamping.get("/staf").await;
    assert!(home.body.contains(&format!("/staf/desa/{SUKAMULYA}/pendamping")), "{}", home.body);
    let list = pendamping.get(&format!("/staf/desa/{SUKAMULYA}/pendamping")).await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("value=\"sktm\""), "{}", list.body);
    assert!(list.body.contains("Belum ada pengajuan dengan pendampingan"));

    let path = format!("/staf/desa/{SUKAMULYA}/pendamping/surat?jenis=sktm");
    let form = pendamping.get(&path).await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.len() < 30 * 1024, "form {} bytes", form.body.len());
    let letter_fields = fields_of(&form);
    assert!(!letter_fields.is_empty());
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut all: Vec<(String, String)> = letter_fields.clone();
        all.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        all
    };
    let send = |fields: Vec<(String, String)>| {
        let pendamping = &pendamping;
        let path = path.clone();
        async move {
            let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            pendamping.post_files(&path, &borrowed, &sktm_files(), Some(csrf_of(pendamping))).await
        }
    };

    // Without consent: refused with the reason, what was typed kept, nothing filed.
    let refused = send(with(&[("nik", ONAH), ("phone", "081322223333")])).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("menyetujui pengajuan ini melalui pendamping"), "{}", refused.body);
    assert!(refused.body.contains("Pilih cara warga memberikan persetujuan"));
    assert!(refused.body.contains(&format!("value=\"{ONAH}\"")), "the NIK typed is kept");
    // Spoken consent needs a witness.
    let refused =
        send(with(&[("nik", ONAH), ("phone", "081322223333"), ("cara_persetujuan", "lisan"), ("persetujuan", "ya")]))
            .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("Persetujuan lisan harus disaksikan"), "{}", refused.body);
    // A resident of another village's register (Cikoneng's NIK prefix, not in Sukamulya's).
    let refused = send(with(&[
        ("nik", "3207021205900001"),
        ("phone", "081322223333"),
        ("cara_persetujuan", "cap_jempol"),
        ("persetujuan", "ya"),
    ]))
    .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("tidak terdaftar sebagai penduduk desa ini"), "{}", refused.body);
    // Another village's forms are not the pendamping's.
    let elsewhere = pendamping.get("/staf/desa/32.07.02.2001/pendamping/surat?jenis=sktm").await;
    assert_eq!(elsewhere.status, 404);
    let still_empty = pendamping.get(&format!("/staf/desa/{SUKAMULYA}/pendamping")).await;
    assert!(still_empty.body.contains("Belum ada pengajuan dengan pendampingan"), "nothing half-written");

    // With her thumbprint consent it is filed; the pendamping sees the code to tell her.
    let filed = send(with(&[
        ("nik", ONAH),
        ("phone", "081322223333"),
        ("cara_persetujuan", "cap_jempol"),
        ("persetujuan", "ya"),
    ]))
    .await;
    assert_eq!(filed.status, 303, "{}", filed.body);
    let done = pendamping.get(filed.location()).await;
    assert!(done.body.contains("Pengajuan tercatat"), "{}", done.body);
    assert!(done.body.contains("Onah Rohanah") && done.body.contains("Cap jempol"), "{}", done.body);
    let request_id = filed.location().rsplit("baru=").next().expect("id").to_string();

    // The operator's page for the request shows who assisted and with which consent.
    let operator = t.logged_in("operator.sukamulya").await;
    let staff_page = operator.get(&format!("/staf/surat/{request_id}")).await;
    assert_eq!(staff_page.status, 200);
    assert!(staff_page.body.contains("Diajukan dengan pendampingan"), "{}", staff_page.body);
    assert!(staff_page.body.contains("pendamping.sukamulya") && staff_page.body.contains("Cap jempol pada formulir"));
    assert!(staff_page.body.contains("Onah Rohanah"));
    // The pendamping is not letter staff: the request page itself is not theirs.
    assert_eq!(pendamping.get(&format!("/staf/surat/{request_id}")).await.status, 404);
    // The operator's village page links to the assisted filings.
    let list = operator.get(&format!("/staf/desa/{SUKAMULYA}/pendamping")).await;
    assert!(list.body.contains(&format!("/staf/surat/{request_id}")), "{}", list.body);
    assert!(!list.body.contains("value=\"sktm\""), "an operator does not file as a pendamping");
}
