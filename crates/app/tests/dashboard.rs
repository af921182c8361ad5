//! The evaluation dashboard through the use-cases, on whichever database `TEST_DATABASE_URL`
//! names: the demo's history adds up the same whichever way it is folded (regency, kecamatan,
//! village, office, month); the index follows the answers; the history is stored once; scopes
//! are kept.

use std::sync::Arc;

use balai_app::dashboard::{DashboardQuery, TableFormat};
use balai_app::demo::seed_demo;
use balai_app::{Actor, App, AppConfig, AppError, FixedClock, StaffUser};
use balai_domain::ikm::Weights;
use balai_domain::wilayah::KodeWilayah;
use balai_store::testing::{TestDatabase, fresh_store};
use chrono::{TimeZone, Utc};

async fn app() -> (App, TestDatabase) {
    let (store, db) = fresh_store().await;
    let clock = Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2026, 11, 23, 2, 0, 0).single().expect("time")));
    let config = AppConfig { home_region: Some(KodeWilayah::parse("32.07").expect("code")), ..Default::default() };
    let app = App::new(store, clock, config);
    seed_demo(&app).await.expect("seed");
    (app, db)
}

async fn staff(app: &App, username: &str) -> Actor {
    let user = app.store().user_by_username(username).await.expect("lookup").expect("exists");
    Actor::Staff(StaffUser::from(user))
}

#[tokio::test]
async fn the_history_adds_up_across_every_view() {
    let (app, _db) = app().await;
    let (reports, responses) = app.seed_demo_history().await.expect("history");
    assert!(reports > 100 && responses > 100, "{reports} reports, {responses} responses");
    assert_eq!(app.seed_demo_history().await.expect("again"), (0, 0), "stored once");

    let admin = staff(&app, "admin.ciamis").await;
    let year = DashboardQuery { year: Some(2026), ..DashboardQuery::default() };
    let d = app.dashboard(&admin, "32.07", &year).await.expect("dashboard");
    assert_eq!(d.total.reports_received, reports as u64);
    assert_eq!(d.total.survey.responses, responses as u64);
    assert_eq!(d.total.reports_verified, reports as u64, "every history report was verified");
    let verified = d.total.verified_in_time().expect("measured");
    assert!(verified > 50.0 && verified < 100.0, "{verified}");
    assert!(d.total.median_days_to_done().expect("finished") >= 1.0);
    let index = d.total.ikm(Weights::Exact).expect("answered");
    assert!(index.ikm > 60.0 && index.ikm < 100.0, "{}", index.ikm);

    // Kecamatan, offices and months each add up to the regency.
    let sum = |rows: &[balai_app::dashboard::DashboardRow]| {
        rows.iter()
            .map(|r| (r.figures.reports_received, r.figures.survey.responses))
            .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
    };
    let whole = (reports as u64, responses as u64);
    assert_eq!(d.areas_label, "Kecamatan");
    assert_eq!(d.areas.len(), 3);
    assert_eq!(sum(&d.areas), whole);
    assert_eq!(sum(&d.months), whole);
    assert_eq!(d.months.len(), 11, "January to November");
    assert_eq!(d.months[10].figures.reports_received, 0, "the history stops before this month");
    assert_eq!(d.offices.iter().map(|r| r.figures.reports_received).sum::<u64>(), reports as u64);
    assert!(d.offices.iter().any(|r| r.key == "opd:dinas-pupr" && r.figures.reports_received > 0));

    // Drill down: the kecamatan's villages add up to the kecamatan's line.
    let line = d.areas.iter().find(|a| a.key == "32.07.06").expect("Cihaurbeuti");
    let kec = app.dashboard(&admin, "32.07.06", &year).await.expect("kecamatan");
    assert_eq!(kec.areas_label, "Desa/kelurahan");
    assert_eq!(kec.total.reports_received, line.figures.reports_received);
    assert_eq!(sum(&kec.areas).0, line.figures.reports_received);

    // One month, one office.
    let march =
        app.dashboard(&admin, "32.07", &DashboardQuery { month: Some(3), ..year.clone() }).await.expect("march");
    assert_eq!(march.total.reports_received, d.months[2].figures.reports_received);
    let pupr = DashboardQuery { office: Some("opd:dinas-pupr".into()), ..year.clone() };
    let pupr = app.dashboard(&admin, "32.07", &pupr).await.expect("pupr");
    let pupr_line = d.offices.iter().find(|r| r.key == "opd:dinas-pupr").expect("line");
    assert_eq!(pupr.total.reports_received, pupr_line.figures.reports_received);
    assert_eq!(pupr.total.survey.responses, 0, "the history's responses are the villages'");

    // Files: the CSV has a line per kecamatan, the workbook is a zip.
    let (name, _, csv) = d.file("wilayah", TableFormat::Csv).expect("csv");
    assert_eq!(name, "dasbor-3207-2026-wilayah.csv");
    assert_eq!(String::from_utf8(csv).expect("utf8").lines().count(), 4);
    let (_, _, xlsx) = d.file("", TableFormat::Xlsx).expect("xlsx");
    assert!(xlsx.starts_with(b"PK"));

    // Scope: the camat of Cihaurbeuti sees it, not Cikoneng; a visitor is asked to sign in.
    let camat = staff(&app, "camat.cihaurbeuti").await;
    assert!(app.dashboard(&camat, "32.07.06", &year).await.is_ok());
    assert!(matches!(app.dashboard(&camat, "32.07.02", &year).await, Err(AppError::Forbidden)));
    let anonymous = Actor::Anonymous { ip: "203.0.113.9".into() };
    assert!(matches!(app.dashboard(&anonymous, "32.07", &year).await, Err(AppError::Unauthenticated)));
    // The public summary carries the same counts.
    assert_eq!(app.public_dashboard("32.07", &year).await.expect("public").total, d.total);
}
