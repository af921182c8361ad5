//! The storage conformance story: everything the foundation stores, on whichever database
//! `TEST_DATABASE_URL` names (a temporary SQLite file by default). CI runs it on both.

use balai_domain::audit::{GENESIS_HASH, verify_chain};
use balai_domain::calendar::{Holiday, HolidayKind};
use balai_domain::roles::{Role, RoleGrant, Scope};
use balai_domain::wilayah::{KodeWilayah, Level, Region};
use balai_store::testing::{execute_raw, fresh_store, try_execute_raw};
use balai_store::{AuditEvent, NewSession, NewUser, Office, StoreError, StoredHoliday, VillageProfile};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, h, m, 0).single().expect("valid time")
}

fn event(action: &str, object: &str, when: DateTime<Utc>) -> AuditEvent {
    AuditEvent {
        at: when,
        actor: "test".into(),
        action: action.into(),
        object: object.into(),
        details: serde_json::json!({"n": 1}),
    }
}

fn code(s: &str) -> KodeWilayah {
    KodeWilayah::parse(s).expect("valid code")
}

fn region(c: &str, name: &str, level: Level) -> Region {
    let code = code(c);
    Region { parent: code.parent(), code, name: name.into(), level }
}

fn ciamis() -> Vec<Region> {
    vec![
        region("32", "Jawa Barat", Level::Provinsi),
        region("32.07", "Kabupaten Ciamis", Level::Kabupaten),
        region("32.07.06", "Cihaurbeuti", Level::Kecamatan),
        region("32.07.06.2001", "Sukamulya", Level::Desa),
        region("32.07.06.2002", "Sukahurip", Level::Desa),
    ]
}

#[tokio::test]
async fn foundation_story() {
    let (store, db) = fresh_store().await;
    store.ping().await.expect("ping");
    store.migrate().await.expect("migrating twice is a no-op");
    assert_eq!(store.audit_head().await.expect("head"), (0, GENESIS_HASH.to_string()));

    // Regions: parents before children, in one transaction, upserted.
    store.upsert_regions(&ciamis(), event("region.import", "wilayah:", at(1, 0))).await.expect("import");
    assert_eq!(store.count_regions().await.expect("count"), 5);
    let desa = store.region(&code("32.07.06.2001")).await.expect("get").expect("exists");
    assert_eq!((desa.name.as_str(), desa.level, desa.parent), ("Sukamulya", Level::Desa, Some(code("32.07.06"))));
    let children = store.region_children(&code("32.07.06")).await.expect("children");
    assert_eq!(children.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["Sukamulya", "Sukahurip"]);
    assert_eq!(store.regions_within(&code("32.07"), 3).await.expect("within").len(), 2);
    assert_eq!(store.regions_within(&code("32.07"), 4).await.expect("within").len(), 4);
    assert_eq!(store.top_regions().await.expect("top").len(), 1);
    let mut renamed = ciamis();
    renamed[4].name = "Sukahurip Baru".into();
    store.upsert_regions(&renamed, event("region.import", "wilayah:", at(1, 1))).await.expect("re-import");
    assert_eq!(store.count_regions().await.expect("count"), 5);
    assert_eq!(store.region(&code("32.07.06.2002")).await.expect("get").expect("exists").name, "Sukahurip Baru");
    // A child whose parent does not exist is refused by the database too, and nothing is kept.
    let orphan =
        vec![region("32.07.09", "Tanpa Induk", Level::Kecamatan), region("33.01", "Kabupaten X", Level::Kabupaten)];
    assert!(store.upsert_regions(&orphan, event("region.import", "wilayah:", at(1, 2))).await.is_err());
    assert_eq!(store.count_regions().await.expect("count"), 5);
    assert_eq!(store.audit_head().await.expect("head").0, 2, "the failed import left no audit record");

    // Village profile.
    let profile = VillageProfile {
        code: "32.07.06.2001".into(),
        address: "Jl. Raya Sukamulya".into(),
        phone: "0265 000000".into(),
        email: "desa@example.org".into(),
        head_name: "Kepala Desa".into(),
        maklumat: "Kami sanggup.\nKami siap menerima sanksi.".into(),
        updated_at: None,
    };
    store
        .save_village_profile(&profile, event("village.profile.update", "wilayah:32.07.06.2001", at(2, 0)))
        .await
        .expect("save");
    let saved = store.village_profile(&code("32.07.06.2001")).await.expect("get").expect("exists");
    assert_eq!((saved.address.as_str(), saved.updated_at), ("Jl. Raya Sukamulya", Some(at(2, 0))));
    assert_eq!(saved.maklumat, profile.maklumat, "the maklumat keeps its lines");
    assert!(store.village_profile(&code("32.07.06.2002")).await.expect("get").is_none());

    // Offices: slugs are unique.
    let office = Office {
        slug: "dinas-pupr".into(),
        name: "Dinas PUPR".into(),
        regency: code("32.07"),
        address: String::new(),
        phone: String::new(),
        email: String::new(),
    };
    store.create_office(&office, event("office.create", "office:dinas-pupr", at(2, 1))).await.expect("create");
    let dup = store.create_office(&office, event("office.create", "office:dinas-pupr", at(2, 2))).await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
    assert_eq!(store.office("dinas-pupr").await.expect("get"), Some(office.clone()));
    assert_eq!(store.offices().await.expect("list").len(), 1);

    // Holidays: adding the same day twice adds it once.
    let day = StoredHoliday {
        holiday: Holiday {
            date: NaiveDate::from_ymd_opt(2026, 12, 1).expect("date"),
            name: "Hari Jadi Kabupaten".into(),
            kind: HolidayKind::Daerah,
        },
        source: "Perbup".into(),
    };
    assert_eq!(
        store.add_holidays(std::slice::from_ref(&day), event("holiday.import", "libur:", at(2, 3))).await.expect("add"),
        1
    );
    assert_eq!(
        store.add_holidays(std::slice::from_ref(&day), event("holiday.import", "libur:", at(2, 4))).await.expect("add"),
        0
    );
    assert_eq!(store.holidays().await.expect("list"), vec![day]);

    // Users with scoped roles.
    let grants = vec![
        RoleGrant::new(Role::OperatorDesa, Scope::Wilayah(code("32.07.06.2001"))).expect("grant"),
        RoleGrant::new(Role::PenghubungOpd, Scope::Office("dinas-pupr".into())).expect("grant"),
    ];
    let new_user = NewUser {
        username: "operator.sukamulya".into(),
        full_name: "Operator".into(),
        email: String::new(),
        nip: String::new(),
        password_hash: "$argon2id$fake".into(),
        grants: grants.clone(),
    };
    let id =
        store.create_user(&new_user, event("user.create", "user:operator.sukamulya", at(3, 0))).await.expect("create");
    let dup = store.create_user(&new_user, event("user.create", "user:operator.sukamulya", at(3, 1))).await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
    let user = store.user_by_username("operator.sukamulya").await.expect("get").expect("exists");
    assert_eq!((user.id, user.active, user.grants.len()), (id, true, 2));
    assert!(user.grants.contains(&grants[0]) && user.grants.contains(&grants[1]));
    assert_eq!(store.user(id).await.expect("get").expect("exists").username, "operator.sukamulya");
    assert_eq!(store.users().await.expect("list").len(), 1);

    // Sessions: valid until they expire; a new password ends them.
    let session = NewSession { token_hash: "h1".into(), user_id: id, created_at: at(4, 0), expires_at: at(16, 0) };
    store.create_session(&session, event("session.login", "user:1", at(4, 0))).await.expect("session");
    assert_eq!(store.session_user("h1", at(5, 0)).await.expect("lookup").map(|u| u.id), Some(id));
    assert!(store.session_user("h1", at(16, 0)).await.expect("lookup").is_none(), "expired");
    assert!(store.session_user("nope", at(5, 0)).await.expect("lookup").is_none());
    store.delete_session("h1", event("session.logout", "user:1", at(5, 0))).await.expect("logout");
    assert!(store.session_user("h1", at(5, 1)).await.expect("lookup").is_none());
    let session2 = NewSession { token_hash: "h2".into(), ..session };
    store.create_session(&session2, event("session.login", "user:1", at(6, 0))).await.expect("session");
    store.set_password(id, "$argon2id$new", event("user.password.reset", "user:1", at(6, 1))).await.expect("reset");
    assert!(store.session_user("h2", at(6, 2)).await.expect("lookup").is_none());
    assert_eq!(store.delete_expired_sessions(at(23, 0)).await.expect("sweep"), 0);

    // Login failures, counted per key.
    let keys = vec!["user:operator.sukamulya".to_string(), "ip:10.0.0.1".to_string()];
    for m in 0..3 {
        store.record_login_failure(&keys, event("session.login_failed", "user:x", at(7, m))).await.expect("record");
    }
    assert_eq!(store.login_failures("ip:10.0.0.1", at(7, 0)).await.expect("count").len(), 2, "strictly after `since`");
    assert_eq!(store.login_failures("user:operator.sukamulya", at(6, 0)).await.expect("count").len(), 3);
    store.clear_login_failures("user:operator.sukamulya").await.expect("clear");
    assert!(store.login_failures("user:operator.sukamulya", at(6, 0)).await.expect("count").is_empty());
    assert_eq!(store.login_failures("ip:10.0.0.1", at(6, 0)).await.expect("count").len(), 3);

    // The audit chain holds every change above, in order, and verifies.
    let (head_seq, head_hash) = store.audit_head().await.expect("head");
    let records = store.audit_records(0, 1000).await.expect("records");
    assert_eq!(records.len() as i64, head_seq);
    assert_eq!(
        verify_chain(records.iter(), Some((head_seq, head_hash.as_str()))).expect("intact"),
        records.len() as u64
    );
    let recent = store.audit_recent("wilayah:32.07.06", 10).await.expect("recent");
    assert_eq!(recent.iter().map(|r| r.action.as_str()).collect::<Vec<_>>(), ["village.profile.update"]);

    // The log refuses edits; an intruder who drops the guard is still caught by the chain.
    let edit = "UPDATE audit_log SET actor = 'someone-else' WHERE seq = 3";
    let refused = try_execute_raw(&db.url, edit).await;
    assert!(refused.is_err_and(|e| e.to_string().contains("append-only")), "the trigger must refuse an update");
    drop_guards(&db.url).await;
    execute_raw(&db.url, edit).await;
    let records = store.audit_records(0, 1000).await.expect("records");
    let broken = verify_chain(records.iter(), Some((head_seq, head_hash.as_str())));
    assert!(broken.is_err(), "an edited record must break the chain");
}

#[tokio::test]
async fn deleting_audit_records_is_detected() {
    let (store, db) = fresh_store().await;
    store.upsert_regions(&ciamis()[..2], event("region.import", "wilayah:", at(1, 0))).await.expect("import");
    for i in 0..4 {
        let ev = event("holiday.import", "libur:", at(2, i));
        store.add_holidays(&[], ev).await.expect("audited no-op");
    }
    drop_guards(&db.url).await;
    let (head_seq, head_hash) = store.audit_head().await.expect("head");
    execute_raw(&db.url, "DELETE FROM audit_log WHERE seq = 5").await;
    let records = store.audit_records(0, 100).await.expect("records");
    assert!(verify_chain(records.iter(), Some((head_seq, head_hash.as_str()))).is_err(), "deleting the last record");
    execute_raw(&db.url, "DELETE FROM audit_log WHERE seq = 2").await;
    let records = store.audit_records(0, 100).await.expect("records");
    assert!(verify_chain(records.iter(), None).is_err(), "deleting a middle record");
}

/// Concurrent audited writes extend the chain one after the other: no lost or forked link.
#[tokio::test]
async fn concurrent_writers_keep_the_chain_intact() {
    let (store, _db) = fresh_store().await;
    store.upsert_regions(&ciamis(), event("region.import", "wilayah:", at(1, 0))).await.expect("import");
    let mut tasks = Vec::new();
    for i in 0..24u32 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let profile =
                VillageProfile { code: "32.07.06.2001".into(), address: format!("Alamat {i}"), ..Default::default() };
            store
                .save_village_profile(&profile, event("village.profile.update", "wilayah:32.07.06.2001", at(9, i)))
                .await
        }));
    }
    for t in tasks {
        t.await.expect("join").expect("write");
    }
    let (head_seq, head_hash) = store.audit_head().await.expect("head");
    assert_eq!(head_seq, 25);
    let records = store.audit_records(0, 100).await.expect("records");
    verify_chain(records.iter(), Some((head_seq, head_hash.as_str()))).expect("intact chain");
}

#[tokio::test]
async fn unknown_urls_are_refused_not_created() {
    for url in [
        "balai.db",
        "/tmp/balai.db",
        "mysql://localhost/balai",
        "file:balai.db",
        "sqlite:",
        "sqlite::memory:",
        "sqlite://",
    ] {
        let result = balai_store::connect(url, &Default::default()).await;
        assert!(matches!(result, Err(StoreError::UnsupportedUrl(_))), "{url}");
        assert!(!std::path::Path::new(url).exists());
    }
}

#[test]
fn migrations_have_the_same_names_on_both_backends() {
    let names = |dir: &str| {
        let mut v: Vec<String> = std::fs::read_dir(format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR")))
            .expect("migrations dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let (sqlite, postgres) = (names("sqlite"), names("postgres"));
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres);
}

#[test]
fn passwords_never_appear_in_redacted_urls() {
    assert_eq!(balai_store::redact_url("postgres://balai:hunter2@db:5432/balai"), "postgres://balai:***@db:5432/balai");
    assert_eq!(balai_store::redact_url("postgres://balai@db/balai"), "postgres://balai@db/balai");
    assert_eq!(balai_store::redact_url("sqlite://balai-data/balai.db"), "sqlite://balai-data/balai.db");
}

async fn drop_guards(url: &str) {
    if url.starts_with("postgres") {
        execute_raw(url, "DROP TRIGGER audit_log_no_change ON audit_log").await;
    } else {
        execute_raw(url, "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete").await;
    }
}
