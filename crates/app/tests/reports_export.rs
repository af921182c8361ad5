//! Exporting reports as CSV and XLSX: the filters (period in local days, office, village,
//! state), who may export what, and what a row never shows (the tracking code, the reporter's
//! contact, an anonymous reporter's name); on whichever database `TEST_DATABASE_URL` names.

use std::io::Cursor;
use std::sync::Arc;

use balai_app::demo::seed_demo;
use balai_app::reports::{Channel, ExportFormat, NewReportInput, ReportCommand, ReportExportFilter};
use balai_app::{Actor, App, AppConfig, AppError, FixedClock, StaffUser};
use balai_domain::wilayah::KodeWilayah;
use balai_store::testing::{TestDatabase, fresh_store};
use calamine::{Data, Reader, Xlsx};
use chrono::{Duration, NaiveDate, TimeZone, Utc};

const SUKAMULYA: &str = "32.07.06.2001";
const CIKONENG: &str = "32.07.02.2001";

const HEADERS: [&str; 21] = [
    "Kode publik",
    "Jenis",
    "Kategori",
    "Kode desa",
    "Desa/kelurahan",
    "Judul",
    "Uraian",
    "Status",
    "Ditangani oleh",
    "Diterima",
    "Batas verifikasi",
    "Diverifikasi",
    "Didisposisikan",
    "Batas penyelesaian",
    "Selesai",
    "Status SLA",
    "Nilai",
    "Dibuka kembali",
    "Anonim",
    "Rahasia",
    "Pelapor",
];

/// Four reports, as the tests below expect them.
struct Fixture {
    app: App,
    /// (public id, tracking code) of: a road in Sukamulya (done by Dinas PUPR), an anonymous
    /// one in Sukamulya (with Dinas Kesehatan), one in Cikoneng waiting for verification, and
    /// one in Cikoneng with Dinas PUPR.
    road: (String, String),
    anonymous: (String, String),
    waiting: (String, String),
    cikoneng_pupr: (String, String),
    _db: TestDatabase,
}

async fn staff(app: &App, username: &str) -> Actor {
    let user = app.store().user_by_username(username).await.expect("lookup").expect("exists");
    Actor::Staff(StaffUser::from(user))
}

async fn submit(
    app: &App,
    region: &str,
    title: &str,
    description: &str,
    who: (&str, &str, &str),
    anonymous: bool,
) -> (String, String) {
    let input = NewReportInput {
        kind: "pengaduan".into(),
        category: "jalan".into(),
        region: region.into(),
        title: title.into(),
        description: description.into(),
        name: who.0.into(),
        email: who.1.into(),
        phone: who.2.into(),
        anonymous,
        ..Default::default()
    };
    let done = app
        .submit_report(&Actor::Anonymous { ip: "127.0.0.1".into() }, input, Vec::new(), Channel::Web)
        .await
        .expect("submit");
    (done.public_id, done.code.as_str().to_string())
}

async fn act(app: &App, actor: &Actor, public_id: &str, action: &str, handler: &str) {
    let cmd = ReportCommand {
        action: action.into(),
        handler: handler.into(),
        text: "Sudah ditangani petugas.".into(),
        ..Default::default()
    };
    app.act_on_report(actor, public_id, cmd).await.expect(action);
}

async fn fixture() -> Fixture {
    let (store, db) = fresh_store().await;
    // 09:00 WIB, Monday 2 November 2026.
    let clock = Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2026, 11, 2, 2, 0, 0).single().expect("time")));
    let config = AppConfig { home_region: Some(KodeWilayah::parse("32.07").expect("code")), ..Default::default() };
    let app = App::new(store, clock.clone(), config);
    seed_demo(&app).await.expect("seed");
    app.save_report_category(&Actor::System, "jalan", "Jalan dan jembatan", "normatif", true).await.expect("category");
    let admin = staff(&app, "admin.ciamis").await;
    let pupr = staff(&app, "pupr.ciamis").await;

    let road = submit(
        &app,
        SUKAMULYA,
        "=SUM(A1) jalan berlubang",
        "@admin lubang besar di tikungan dekat masjid",
        ("Budi Santoso", "budi@example.org", "0812 3456 7890"),
        false,
    )
    .await;
    act(&app, &admin, &road.0, "disposisi", "opd:dinas-pupr").await;
    act(&app, &pupr, &road.0, "selesaikan", "").await;

    // 06:30 WIB on Thursday 5 November is still 4 November in UTC.
    clock.advance(Duration::days(2) + Duration::hours(21) + Duration::minutes(30));
    let anonymous = submit(
        &app,
        SUKAMULYA,
        "Puskesmas tutup pada jam layanan",
        "Puskesmas pembantu tutup padahal jadwalnya buka.",
        ("Rahasia Sekali", "rahasia@example.org", "0812 9876 5432"),
        true,
    )
    .await;
    act(&app, &admin, &anonymous.0, "disposisi", "opd:dinkes").await;

    clock.advance(Duration::days(5));
    let waiting = submit(
        &app,
        CIKONENG,
        "Lampu jalan mati",
        "Lampu jalan di depan balai desa mati sejak seminggu.",
        ("Siti Aminah", "siti@example.org", ""),
        false,
    )
    .await;
    clock.advance(Duration::minutes(10));
    let cikoneng_pupr = submit(
        &app,
        CIKONENG,
        "Jembatan retak",
        "Jembatan gantung retak, berbahaya bagi anak sekolah.",
        ("Asep", "", "0813 1111 2222"),
        false,
    )
    .await;
    act(&app, &admin, &cikoneng_pupr.0, "disposisi", "opd:dinas-pupr").await;
    Fixture { app, road, anonymous, waiting, cikoneng_pupr, _db: db }
}

fn filter(format: ExportFormat) -> ReportExportFilter {
    ReportExportFilter { format, ..Default::default() }
}

fn day(d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(2026, 11, d)
}

/// The CSV's records, the header first; the byte-order mark is checked and removed.
fn csv_records(bytes: &[u8]) -> Vec<Vec<String>> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").expect("UTF-8 BOM for Excel");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body)
        .records()
        .map(|r| r.expect("record").iter().map(str::to_string).collect())
        .collect()
}

/// The public ids of an export's rows, in order.
async fn ids(app: &App, actor: &Actor, f: ReportExportFilter) -> Vec<String> {
    let export = app.export_reports(actor, f).await.expect("export");
    let records = csv_records(&export.bytes);
    assert_eq!(records[0], HEADERS);
    assert_eq!(export.rows, records.len() - 1);
    records[1..].iter().map(|r| r[0].clone()).collect()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn the_coordinator_exports_csv_with_every_filter() {
    let f = fixture().await;
    let admin = staff(&f.app, "admin.ciamis").await;
    let all = vec![f.road.0.clone(), f.anonymous.0.clone(), f.waiting.0.clone(), f.cikoneng_pupr.0.clone()];

    let export = f.app.export_reports(&admin, filter(ExportFormat::Csv)).await.expect("export");
    let audit = f.app.store().audit_recent("reports", 5).await.expect("audit");
    assert!(
        audit.iter().any(|r| r.action == "report.export" && r.details.contains(&format!("\"rows\":{}", export.rows))),
        "exports are audited"
    );
    assert_eq!(export.content_type, "text/csv; charset=utf-8");
    assert!(export.file_name.starts_with("laporan-") && export.file_name.ends_with(".csv"), "{}", export.file_name);
    let records = csv_records(&export.bytes);
    assert_eq!(records[0], HEADERS);
    assert_eq!(records[1..].iter().map(|r| r[0].clone()).collect::<Vec<_>>(), all);

    let road = &records[1];
    assert_eq!(road[1], "Pengaduan");
    assert_eq!(road[2], "Jalan dan jembatan");
    assert_eq!((road[3].as_str(), road[4].as_str()), (SUKAMULYA, "Sukamulya"));
    assert_eq!(road[5], "'=SUM(A1) jalan berlubang", "a formula is defused");
    assert_eq!(road[6], "'@admin lubang besar di tikungan dekat masjid");
    assert_eq!(road[7], "Selesai");
    assert_eq!(road[8], "Dinas Pekerjaan Umum dan Penataan Ruang");
    assert_eq!(road[9], "2026-11-02 09:00", "local time (WIB)");
    assert_eq!(road[10], "2026-11-05", "three working days to verify");
    assert_eq!(road[11], "2026-11-02 09:00");
    assert!(!road[13].is_empty() && !road[14].is_empty(), "completion deadline and closing");
    assert_eq!((road[18].as_str(), road[19].as_str(), road[20].as_str()), ("Tidak", "Tidak", "Budi Santoso"));

    let anonymous = &records[2];
    assert_eq!(anonymous[9], "2026-11-05 06:30");
    assert_eq!(anonymous[18], "Ya");
    assert_eq!(anonymous[20], "Anonim");
    assert_eq!(anonymous[8], "Dinas Kesehatan");
    assert_eq!(records[3][7], "Diterima, menunggu verifikasi");
    assert_eq!(records[3][8], "Koordinator pengaduan");

    // Nothing personal beyond the reporter's own name, and never the tracking code.
    for secret in [
        "Rahasia Sekali",
        "rahasia@example.org",
        "budi@example.org",
        "siti@example.org",
        "+6281234567890",
        "+6281298765432",
        "+6281311112222",
    ] {
        assert!(!contains(&export.bytes, secret), "{secret} leaked into the export");
    }
    for (_, code) in [&f.road, &f.anonymous, &f.waiting, &f.cikoneng_pupr] {
        assert!(!contains(&export.bytes, code), "a tracking code leaked");
    }

    // The period counts local days, both ends included.
    let period = |from, until| ReportExportFilter { from, until, ..filter(ExportFormat::Csv) };
    assert_eq!(ids(&f.app, &admin, period(day(2), day(4))).await, [f.road.0.as_str()]);
    assert_eq!(ids(&f.app, &admin, period(day(5), day(5))).await, [f.anonymous.0.as_str()]);
    assert_eq!(ids(&f.app, &admin, period(day(2), day(5))).await, [f.road.0.as_str(), f.anonymous.0.as_str()]);
    assert_eq!(ids(&f.app, &admin, period(day(6), None)).await, [f.waiting.0.as_str(), f.cikoneng_pupr.0.as_str()]);
    assert!(ids(&f.app, &admin, period(None, day(1))).await.is_empty());

    let office = ReportExportFilter { office: "dinas-pupr".into(), ..filter(ExportFormat::Csv) };
    assert_eq!(ids(&f.app, &admin, office).await, [f.road.0.as_str(), f.cikoneng_pupr.0.as_str()]);
    let village = ReportExportFilter { village: CIKONENG.into(), ..filter(ExportFormat::Csv) };
    assert_eq!(ids(&f.app, &admin, village).await, [f.waiting.0.as_str(), f.cikoneng_pupr.0.as_str()]);
    let kecamatan = ReportExportFilter { village: "32.07.06".into(), ..filter(ExportFormat::Csv) };
    assert_eq!(ids(&f.app, &admin, kecamatan).await, [f.road.0.as_str(), f.anonymous.0.as_str()]);
    let state = ReportExportFilter { state: "diterima".into(), ..filter(ExportFormat::Csv) };
    assert_eq!(ids(&f.app, &admin, state).await, [f.waiting.0.as_str()]);
    let combined = ReportExportFilter {
        office: "dinas-pupr".into(),
        village: SUKAMULYA.into(),
        state: "selesai".into(),
        ..filter(ExportFormat::Csv)
    };
    let export = f.app.export_reports(&admin, combined).await.expect("export");
    assert_eq!(export.rows, 1);
    assert!(export.file_name.contains("32.07.06.2001-dinas-pupr-selesai"), "{}", export.file_name);

    // The command line exports everything.
    assert_eq!(ids(&f.app, &Actor::System, filter(ExportFormat::Csv)).await, all);
}

#[tokio::test]
async fn the_xlsx_reads_back_with_a_header_dates_and_plain_text() {
    let f = fixture().await;
    let admin = staff(&f.app, "admin.ciamis").await;
    let export = f.app.export_reports(&admin, filter(ExportFormat::Xlsx)).await.expect("export");
    assert_eq!(export.content_type, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert!(export.file_name.ends_with(".xlsx"));
    assert_eq!(export.rows, 4);

    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(export.bytes)).expect("a real workbook");
    assert_eq!(workbook.sheet_names(), ["Laporan"]);
    let range = workbook.worksheet_range("Laporan").expect("sheet");
    assert_eq!(range.height(), 5, "the header and four reports");
    let text = |r: u32, c: u32| range.get_value((r, c)).map(|d| d.to_string()).unwrap_or_default();
    let header: Vec<String> = (0..HEADERS.len() as u32).map(|c| text(0, c)).collect();
    assert_eq!(header, HEADERS);
    assert_eq!(text(1, 0), f.road.0);
    assert_eq!(text(2, 0), f.anonymous.0);
    // In a workbook the text is a string cell, never a formula: it stays exactly as typed.
    assert_eq!(range.get_value((1, 5)), Some(&Data::String("=SUM(A1) jalan berlubang".into())));
    let formulas = workbook.worksheet_formula("Laporan").expect("formulas");
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()), "no formula anywhere");
    assert!(matches!(range.get_value((1, 9)), Some(Data::DateTime(_))), "received is an Excel date");
    assert!(matches!(range.get_value((1, 10)), Some(Data::DateTime(_))), "the verification deadline too");
    assert_eq!(range.get_value((3, 11)), Some(&Data::Empty), "not verified yet");
    assert_eq!(text(2, 20), "Anonim");
    assert_eq!(text(1, 20), "Budi Santoso");

    let everything: String = range.used_cells().map(|(_, _, d)| d.to_string()).collect::<Vec<_>>().join("|");
    for secret in ["Rahasia Sekali", "@example.org", "+62", f.road.1.as_str(), f.anonymous.1.as_str()] {
        assert!(!everything.contains(secret), "{secret} leaked into the workbook");
    }
}

#[tokio::test]
async fn offices_and_villages_export_only_their_own_reports() {
    let f = fixture().await;
    let pupr = staff(&f.app, "pupr.ciamis").await;
    let csv = || filter(ExportFormat::Csv);
    assert_eq!(ids(&f.app, &pupr, csv()).await, [f.road.0.as_str(), f.cikoneng_pupr.0.as_str()]);
    let own_office = ReportExportFilter { office: "dinas-pupr".into(), ..csv() };
    assert_eq!(ids(&f.app, &pupr, own_office).await, [f.road.0.as_str(), f.cikoneng_pupr.0.as_str()]);
    let in_village = ReportExportFilter { village: CIKONENG.into(), ..csv() };
    assert_eq!(ids(&f.app, &pupr, in_village).await, [f.cikoneng_pupr.0.as_str()]);
    let other_office = ReportExportFilter { office: "dinkes".into(), ..csv() };
    assert!(matches!(f.app.export_reports(&pupr, other_office).await, Err(AppError::Forbidden)));

    // A village coordinates the reports about itself.
    let sukamulya = staff(&f.app, "operator.sukamulya").await;
    assert_eq!(ids(&f.app, &sukamulya, csv()).await, [f.road.0.as_str(), f.anonymous.0.as_str()]);
    let own = ReportExportFilter { village: SUKAMULYA.into(), ..csv() };
    assert_eq!(ids(&f.app, &sukamulya, own).await.len(), 2);
    // ... and not those of another village.
    let cikoneng = staff(&f.app, "operator.cikoneng").await;
    let other = ReportExportFilter { village: SUKAMULYA.into(), ..csv() };
    assert!(matches!(f.app.export_reports(&cikoneng, other).await, Err(AppError::Forbidden)));
    assert_eq!(ids(&f.app, &cikoneng, csv()).await, [f.waiting.0.as_str(), f.cikoneng_pupr.0.as_str()]);

    // Staff who neither coordinate nor handle reports, and visitors, get nothing.
    let evaluator = staff(&f.app, "evaluator.ciamis").await;
    assert!(matches!(f.app.export_reports(&evaluator, csv()).await, Err(AppError::Forbidden)));
    let camat = staff(&f.app, "camat.cihaurbeuti").await;
    assert!(matches!(f.app.export_reports(&camat, csv()).await, Err(AppError::Forbidden)));
    let visitor = Actor::Anonymous { ip: "127.0.0.1".into() };
    assert!(matches!(f.app.export_reports(&visitor, csv()).await, Err(AppError::Unauthenticated)));
}

#[tokio::test]
async fn a_bad_filter_is_refused_in_indonesian() {
    let f = fixture().await;
    let admin = staff(&f.app, "admin.ciamis").await;
    let cases = [
        (ReportExportFilter { state: "hilang".into(), ..Default::default() }, "state"),
        (ReportExportFilter { office: "dinas-tidak-ada".into(), ..Default::default() }, "office"),
        (ReportExportFilter { village: "32.07.99.9999".into(), ..Default::default() }, "village"),
        (ReportExportFilter { village: "desa".into(), ..Default::default() }, "village"),
        (ReportExportFilter { from: day(10), until: day(3), ..Default::default() }, "until"),
    ];
    for (bad, field) in cases {
        match f.app.export_reports(&admin, bad).await {
            Err(AppError::Invalid(errors)) => {
                assert_eq!(errors.len(), 1, "{errors:?}");
                assert_eq!(errors[0].field, field);
                assert!(!errors[0].message.is_empty());
            }
            other => panic!("expected {field} to be refused, got {other:?}"),
        }
    }
    match ReportExportFilter::from_form("2026-11-31", "", "", "", "", "docx") {
        Err(AppError::Invalid(errors)) => {
            assert!(errors.iter().any(|e| e.field == "from" && e.message.contains("2026-11-01")));
            assert!(errors.iter().any(|e| e.field == "format"));
        }
        other => panic!("expected invalid, got {other:?}"),
    }
}
