//! The evaluation dashboard over HTTP (issue 12, part 2): the regency's admin sees the figures
//! per kecamatan, office and month and drills down; an information request, its decision and
//! its survey answer move the figures at once; the camat sees their own kecamatan only; every
//! table downloads as CSV and all of them as XLSX; the public summary needs no account; bad
//! filters get a clear error. Runs on SQLite, and on PostgreSQL when `TEST_DATABASE_URL` names
//! one.

mod support;

use support::{Page, ask_information, between, decide, spawn_app, survey_path_for};

const SUKAMULYA: &str = "32.07.06.2001";

/// The figure under a summary heading (`<dt>Diterima</dt><dd>12</dd>`).
fn figure(page: &Page, name: &str) -> String {
    between(&page.body, &format!("<dt>{name}</dt><dd"), "</dd>")
        .and_then(|s| s.split('>').nth(1))
        .unwrap_or_else(|| panic!("no figure {name} in {}", page.body))
        .to_string()
}

#[tokio::test]
async fn the_dashboard_follows_the_services_and_keeps_to_its_scope() {
    let t = spawn_app().await;
    let admin = t.logged_in("admin.ciamis").await;
    let home = admin.get("/staf").await;
    assert!(home.body.contains("href=\"/staf/evaluasi/32.07\">Dasbor evaluasi Kabupaten Ciamis"), "{}", home.body);
    let before = admin.get("/staf/evaluasi/32.07?tahun=2026").await;
    assert_eq!(before.status, 200, "{}", before.body);
    assert!(before.body.contains("Dasbor evaluasi Kabupaten Ciamis"), "{}", before.body);
    assert!(before.body.contains("Per kecamatan") && before.body.contains("Kecamatan Cihaurbeuti"));
    assert!(before.body.contains("Per unit penanganan") && before.body.contains("Pemerintah desa/kelurahan"));
    assert!(before.body.contains("Angka dihitung") && before.body.contains("<svg"));
    // Drill-down keeps the filters.
    assert!(before.body.contains("href=\"/staf/evaluasi/32.07.06?tahun=2026\""), "{}", before.body);
    let received = |p: &Page| figure(p, "Diterima").parse::<u64>().expect("a count");
    let open = |p: &Page| figure(p, "Terbuka / terlambat");

    // A resident asks the village for information: one more received, one more open.
    let visitor = t.browser();
    let code = ask_information(&visitor, SUKAMULYA, "Salinan APBDes 2026").await;
    let asked = admin.get("/staf/evaluasi/32.07?tahun=2026").await;
    assert_eq!(received(&asked), received(&before) + 1);
    assert_ne!(open(&asked), open(&before));

    // The PPID decides in time, the resident rates it: the village's IKM and grade appear.
    let village = admin.get(&format!("/staf/evaluasi/{SUKAMULYA}?tahun=2026")).await;
    assert_eq!(village.status, 200, "{}", village.body);
    assert_eq!(figure(&village, "IKM"), "—");
    let ppid = t.logged_in("ppid.sukamulya").await;
    decide(&ppid, &code).await;
    let path = survey_path_for(&t, &code).await;
    let fields: Vec<(String, &str)> = (1..=9).map(|i| (format!("u{i}"), "4")).collect();
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(visitor.post(&path, &fields).await.status, 303);
    let rated = admin.get(&format!("/staf/evaluasi/{SUKAMULYA}?tahun=2026")).await;
    assert_eq!(figure(&rated, "IKM"), "100,00", "{}", rated.body);
    assert!(rated.body.contains("Mutu A (Sangat baik) · 1 responden"), "{}", rated.body);
    assert_eq!(figure(&rated, "Ditanggapi tepat waktu"), "100,0 %");
    assert!(!rated.body.contains("Per kecamatan"), "a village has no level below");

    // The month and office filters, and a month's row links to its month.
    let november = admin.get("/staf/evaluasi/32.07?tahun=2026&bulan=11&opd=desa").await;
    assert_eq!(november.status, 200, "{}", november.body);
    assert!(november.body.contains("Pemerintah desa/kelurahan · November 2026"), "{}", november.body);
    assert!(received(&november) >= 1);
    let pupr = admin.get("/staf/evaluasi/32.07?tahun=2026&opd=opd:dinas-pupr").await;
    assert_eq!(pupr.status, 200, "{}", pupr.body);
    assert!(pupr.body.contains("Dinas Pekerjaan Umum dan Penataan Ruang · 2026"), "{}", pupr.body);
    assert!(received(&pupr) < received(&asked), "the office's share only");

    // Tables as CSV (one each) and XLSX (all).
    let csv = admin.get("/staf/evaluasi/32.07?tahun=2026&format=csv&tabel=wilayah").await;
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert!(csv.body.starts_with('\u{feff}'), "BOM for spreadsheets");
    assert!(
        csv.body.contains("Kecamatan,Diterima,Laporan") && csv.body.contains("Kecamatan Cihaurbeuti,"),
        "{}",
        csv.body
    );
    let months = admin.get("/staf/evaluasi/32.07?tahun=2026&format=csv&tabel=bulan").await;
    assert!(months.body.contains("November,"), "{}", months.body);
    let xlsx = admin
        .client
        .get(format!("{}/staf/evaluasi/32.07?tahun=2026&format=xlsx", admin.base))
        .send()
        .await
        .expect("xlsx");
    assert_eq!(xlsx.status(), 200);
    assert!(xlsx.bytes().await.expect("bytes").starts_with(b"PK"), "a workbook");

    // Bad filters: a clear error.
    for (query, message) in [
        ("bulan=13", "Bulan harus 1 sampai 12."),
        ("tahun=dua", "Tahun ditulis dengan angka"),
        ("tahun=2099", "Tahun harus antara 2000 dan 2026."),
        ("opd=opd:tidak-ada", "OPD/unit itu tidak dikenal."),
        ("format=pdf", "Format yang dikenal: csv atau xlsx."),
        ("format=csv&tabel=apa", "Tabel yang ada: wilayah, opd, bulan."),
    ] {
        let page = admin.get(&format!("/staf/evaluasi/32.07?{query}")).await;
        assert_eq!(page.status, 422, "{query}: {}", page.body);
        assert!(page.body.contains(message), "{query}: {}", page.body);
    }

    // The camat sees their kecamatan and its villages, not another kecamatan or the regency.
    let camat = t.logged_in("camat.cihaurbeuti").await;
    let own = camat.get("/staf/evaluasi/32.07.06").await;
    assert_eq!(own.status, 200, "{}", own.body);
    assert!(own.body.contains("Per desa/kelurahan") && own.body.contains("Desa Sukamulya"));
    for other in
        ["/staf/evaluasi/32.07.02", "/staf/evaluasi/32.07", "/staf/evaluasi/32.07.02.2001?format=csv&tabel=bulan"]
    {
        let refused = camat.get(other).await;
        assert_eq!(refused.status, 403, "{other}");
        assert!(refused.body.contains("Anda tidak berwenang"), "{other}");
    }
    // The evaluator reads everything; an operator has no dashboard; a visitor is sent to sign in.
    assert_eq!(t.logged_in("evaluator.ciamis").await.get("/staf/evaluasi/32.07").await.status, 200);
    assert_eq!(t.logged_in("operator.sukamulya").await.get(&format!("/staf/evaluasi/{SUKAMULYA}")).await.status, 403);
    let anonymous = t.browser().get("/staf/evaluasi/32.07").await;
    assert_eq!(anonymous.status, 303);
    assert!(anonymous.location().starts_with("/masuk"));

    // The public summary: the same counts, no office table, no account needed.
    let public = t.browser().get("/wilayah/32.07/ringkasan?tahun=2026").await;
    assert_eq!(public.status, 200, "{}", public.body);
    assert!(public.body.contains("Ringkasan kinerja layanan Kabupaten Ciamis"));
    assert_eq!(received(&public), received(&asked));
    assert!(!public.body.contains("Per unit penanganan"));
    assert!(public.body.contains("href=\"/wilayah/32.07.06/ringkasan?tahun=2026\""));
    let small = public.body.len();
    assert!(small < 50_000, "page of {small} bytes");
}
