//! Use-case tests: the app over a real store (SQLite by default, PostgreSQL when
//! `TEST_DATABASE_URL` names one) with a fixed clock. Authorisation is proven here, below the
//! web layer, so every interface inherits it.

use std::sync::Arc;

use balai_app::demo::seed_demo;
use balai_app::{
    Actor, App, AppConfig, AppError, FixedClock, NewOfficeInput, NewStaffInput, StaffUser, VillageProfileInput,
};
use balai_domain::wilayah::KodeWilayah;
use balai_store::testing::{TestDatabase, fresh_store};
use chrono::{NaiveDate, TimeZone, Utc};

async fn app() -> (App, Arc<FixedClock>, TestDatabase) {
    let (store, db) = fresh_store().await;
    // 09:00 WIB on Tuesday 17 March 2026.
    let clock = Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2026, 3, 17, 2, 0, 0).single().expect("time")));
    let config = AppConfig { home_region: Some(KodeWilayah::parse("32.07").expect("code")), ..Default::default() };
    let app = App::new(store, clock.clone(), config);
    seed_demo(&app).await.expect("seed");
    (app, clock, db)
}

async fn staff(app: &App, username: &str) -> Actor {
    let user = app.store().user_by_username(username).await.expect("lookup").expect("exists");
    Actor::Staff(StaffUser::from(user))
}

fn csv(rows: &str) -> Vec<u8> {
    format!("code,name,level,parent_code\n{rows}").into_bytes()
}

#[tokio::test]
async fn seeding_twice_changes_nothing() {
    let (app, _, _db) = app().await;
    let head = app.store().audit_head().await.expect("head");
    assert!(seed_demo(&app).await.expect("seed again").is_empty(), "no new accounts, no passwords printed");
    assert_eq!(app.store().audit_head().await.expect("head"), head, "nothing written the second time");
}

#[tokio::test]
async fn region_imports_are_all_or_nothing_and_idempotent() {
    let (app, _, _db) = app().await;
    let before = app.count_regions().await.expect("count");
    let files = vec![
        ("a.csv".to_string(), csv("32.07.04,Sadananya,kecamatan,32.07\n")),
        ("b.csv".to_string(), csv("32.07.04.2002,Sadananya,desa,32.07.04\n32.07.04.2003,Mangkubumi,desa,32.07.04\n")),
    ];
    let report = app.import_regions(&Actor::System, &files).await.expect("import");
    assert_eq!((report.rows_read, report.inserted, report.updated, report.unchanged), (3, 3, 0, 0));
    let again = app.import_regions(&Actor::System, &files).await.expect("again");
    assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 3));
    let renamed = vec![("c.csv".to_string(), csv("32.07.04.2003,Mangkubumi Baru,desa,32.07.04\n"))];
    assert_eq!(app.import_regions(&Actor::System, &renamed).await.expect("rename").updated, 1);

    // One bad row in the second file: nothing from either file is written; lines are per file.
    let files = vec![
        ("ok.csv".to_string(), csv("32.07.05,Cidolog,kecamatan,32.07\n")),
        ("bad.csv".to_string(), csv("32.07.05.2001,Cidolog,desa,32.07.05\n32.07.77.2001,Yatim,desa,32.07.77\n")),
    ];
    match app.import_regions(&Actor::System, &files).await {
        Err(AppError::ImportRejected(1, lines)) => {
            assert!(lines[0].starts_with("bad.csv: line 3: "), "{lines:?}");
            assert!(lines[0].contains("32.07.77"), "{lines:?}");
        }
        other => panic!("expected a rejected import, got {other:?}"),
    }
    assert_eq!(app.count_regions().await.expect("count"), before + 3);
    // Only the command-line operator imports regions.
    let admin = staff(&app, "admin.ciamis").await;
    assert!(matches!(app.import_regions(&admin, &renamed).await, Err(AppError::Forbidden)));
}

#[tokio::test]
async fn authorisation_is_decided_in_the_app() {
    let (app, _, _db) = app().await;
    let operator = staff(&app, "operator.sukamulya").await;
    let profile = || VillageProfileInput { address: "Jl. Lain".into(), ..Default::default() };
    assert!(matches!(app.update_village_profile(&operator, "32.07.06.2002", profile()).await, Err(AppError::NotFound)));
    assert!(matches!(app.staff_village_view(&operator, "32.07.02.2001").await, Err(AppError::NotFound)));
    app.update_village_profile(&operator, "32.07.06.2001", profile()).await.expect("own village");
    let anonymous = Actor::Anonymous { ip: "127.0.0.1".into() };
    assert!(matches!(app.staff_village_view(&anonymous, "32.07.06.2001").await, Err(AppError::Unauthenticated)));

    // Creating accounts: only admins, only inside their region, only roles that fit the scope.
    let new_staff = |role: &str, scope: &str| NewStaffInput {
        username: "petugas.baru".into(),
        full_name: "Petugas Baru".into(),
        grants: vec![(role.into(), scope.into())],
        ..Default::default()
    };
    assert!(matches!(
        app.create_staff(&operator, new_staff("operator_desa", "32.07.06.2001")).await,
        Err(AppError::Forbidden)
    ));
    let camat = staff(&app, "camat.cihaurbeuti").await;
    assert!(matches!(
        app.create_staff(&camat, new_staff("operator_desa", "32.07.06.2001")).await,
        Err(AppError::Forbidden)
    ));
    let admin = staff(&app, "admin.ciamis").await;
    let wrong_fit = app.create_staff(&admin, new_staff("operator_desa", "32.07.06")).await;
    assert!(matches!(&wrong_fit, Err(AppError::Invalid(e)) if e[0].field == "scope"), "{wrong_fit:?}");
    let unknown_office = app.create_staff(&admin, new_staff("penghubung_opd", "dinas-tidak-ada")).await;
    assert!(matches!(&unknown_office, Err(AppError::Invalid(e)) if e[0].field == "scope"), "{unknown_office:?}");
    let created = app.create_staff(&admin, new_staff("penghubung_opd", "dinkes")).await.expect("create");
    assert_eq!(created.generated_password.map(|p| p.len()), Some(16));
    let visible = |actor: Actor| {
        let app = app.clone();
        async move { app.visible_staff(&actor).await.expect("list").into_iter().map(|u| u.username).collect::<Vec<_>>() }
    };
    assert!(visible(admin.clone()).await.contains(&"petugas.baru".to_string()));
    assert_eq!(
        visible(operator.clone()).await,
        ["kades.sukamulya", "operator.sukamulya", "pendamping.sukamulya", "ppid.sukamulya"]
    );

    let office =
        |regency: &str| NewOfficeInput { name: "Dinas Sosial".into(), regency: regency.into(), ..Default::default() };
    assert!(matches!(app.create_office(&operator, office("32.07")).await, Err(AppError::Forbidden)));
    assert_eq!(app.create_office(&admin, office("32.07")).await.expect("create").slug, "dinas-sosial");
}

#[tokio::test]
async fn login_locks_after_five_failures_and_unlocks_after_fifteen_minutes() {
    let (app, clock, _db) = app().await;
    let password = app.reset_password(&Actor::System, "kades.sukamulya").await.expect("reset");
    for _ in 0..5 {
        assert!(matches!(app.login("kades.sukamulya", "salah", "10.0.0.7").await, Err(AppError::LoginFailed)));
    }
    // Locked for the account even from another address…
    assert!(matches!(app.login("kades.sukamulya", &password, "10.0.0.8").await, Err(AppError::LockedOut { .. })));
    // …and for the address even for an account that does not exist.
    assert!(matches!(app.login("siapa.saja", "x", "10.0.0.7").await, Err(AppError::LockedOut { .. })));
    clock.advance(chrono::Duration::minutes(15));
    let outcome = app.login("KADES.sukamulya ", &password, "10.0.0.8").await.expect("unlocked");
    assert_eq!(outcome.user.username, "kades.sukamulya");
    assert_eq!(app.authenticate(&outcome.token).await.expect("auth").map(|u| u.id), Some(outcome.user.id));
    assert!(app.authenticate("bukan-token").await.expect("auth").is_none());
}

#[tokio::test]
async fn deadlines_count_working_days_with_imported_holidays() {
    let (app, _, _db) = app().await;
    // Received 09:00 WIB Tuesday 17 March 2026: 18–24 March are Nyepi, Idul Fitri and cuti bersama.
    let deadline = app.deadline(app.now(), 5).await.expect("deadline");
    assert_eq!(deadline.due, NaiveDate::from_ymd_opt(2026, 3, 31).expect("date"));
    assert!(deadline.explain().contains("Nyepi"));
    // A regency's own holiday on 25 March moves it a day.
    let local = b"date,name,kind\n2026-03-25,Hari Jadi Contoh,daerah\n";
    app.import_holidays(&Actor::System, "perbup.csv", local).await.expect("import");
    let deadline = app.deadline(app.now(), 5).await.expect("deadline");
    assert_eq!(deadline.due, NaiveDate::from_ymd_opt(2026, 4, 1).expect("date"));
    // Late evening UTC is already the next day in WIB: 17:30 UTC Tuesday = 00:30 WIB Wednesday.
    let late = Utc.with_ymd_and_hms(2026, 3, 31, 17, 30, 0).single().expect("time");
    let deadline = app.deadline(late, 1).await.expect("deadline");
    assert_eq!(deadline.received, NaiveDate::from_ymd_opt(2026, 4, 1).expect("date"));
    let bad = b"date,name,kind\n2026-02-30,Tanggal Salah,libur\n2026-05-01,Libur,entah\n";
    match app.import_holidays(&Actor::System, "bad.csv", bad).await {
        Err(AppError::ImportRejected(2, lines)) => {
            assert!(lines[0].starts_with("line 2") && lines[1].starts_with("line 3"))
        }
        other => panic!("expected rejection, got {other:?}"),
    }
}

#[tokio::test]
async fn the_audit_trail_records_every_change_and_verifies() {
    let (app, _, _db) = app().await;
    let operator = staff(&app, "operator.sukamulya").await;
    let input = VillageProfileInput { address: "Jl. Audit".into(), ..Default::default() };
    app.update_village_profile(&operator, "32.07.06.2001", input).await.expect("update");
    let n = app.verify_audit(&Actor::System).await.expect("read").expect("intact");
    assert!(n >= 12, "seed + update: {n}");
    let entries = app.region_audit(&staff(&app, "camat.cihaurbeuti").await, "32.07.06.2001").await.expect("audit");
    assert_eq!(entries[0].action, "village.profile.update");
    assert!(entries[0].actor.starts_with("user:") && entries[0].actor.ends_with(":operator.sukamulya"));
    assert!(matches!(app.region_audit(&operator, "32.07.02").await, Err(AppError::NotFound)));
    assert!(matches!(app.verify_audit(&operator).await, Err(AppError::Forbidden)));
}
