//! Letters in storage: the register, requests and their transitions, and gapless numbering under
//! concurrency, on whichever database `TEST_DATABASE_URL` names (CI runs both).

use std::sync::Arc;

use balai_domain::wilayah::{KodeWilayah, Level, Region};
use balai_store::letters::{
    AllocatedNumber, IssuedLetter, LetterRequest, MakeLetter, NewAttachment, Penduduk, RequestEvent, Transition,
};
use balai_store::outbox::NewMessage;
use balai_store::residents::{NewResident, ResidentDecision};
use balai_store::testing::fresh_store;
use balai_store::{AuditEvent, Store, StoreError};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};

const DESA: &str = "32.07.06.2001";

fn at(m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 3, m % 60, 0).single().expect("time")
}

fn audit(action: &str) -> AuditEvent {
    AuditEvent {
        at: at(0),
        actor: "test".into(),
        action: action.into(),
        object: "wilayah:".into(),
        details: serde_json::json!({}),
    }
}

async fn village(store: &Arc<dyn Store>) {
    let region = |c: &str, name: &str, level| {
        let code = KodeWilayah::parse(c).expect("code");
        Region { parent: code.parent(), code, name: name.into(), level }
    };
    let regions = vec![
        region("32", "Jawa Barat", Level::Provinsi),
        region("32.07", "Kabupaten Ciamis", Level::Kabupaten),
        region("32.07.06", "Cihaurbeuti", Level::Kecamatan),
        region(DESA, "Sukamulya", Level::Desa),
        region("32.07.06.2002", "Sukahurip", Level::Desa),
    ];
    store.upsert_regions(&regions, audit("region.import")).await.expect("regions");
}

fn person(nik: &str, nama: &str) -> Penduduk {
    Penduduk {
        village_code: DESA.into(),
        nik: nik.into(),
        no_kk: "3207060101200001".into(),
        nama: nama.into(),
        tanggal_lahir: NaiveDate::from_ymd_opt(1990, 5, 12),
        ..Default::default()
    }
}

fn request(id: &str, penduduk_id: i64, state: &str) -> LetterRequest {
    LetterRequest {
        id: id.into(),
        village_code: DESA.into(),
        letter_type: "sktm".into(),
        penduduk_id,
        state: state.into(),
        fields: serde_json::json!({"keperluan": "Beasiswa"}),
        channel: "loket".into(),
        received_at: at(1),
        due_on: NaiveDate::from_ymd_opt(2026, 11, 24).expect("date"),
        note: String::new(),
        updated_at: at(1),
        resident_id: None,
    }
}

fn file(id: &str, requirement: &str) -> NewAttachment {
    NewAttachment {
        id: id.into(),
        requirement: requirement.into(),
        file_name: format!("{requirement}.pdf"),
        content_type: "application/pdf".into(),
        sha256: "00".repeat(32),
        data: b"%PDF-1.7\n".to_vec(),
    }
}

fn message(topic: &str) -> NewMessage {
    NewMessage {
        channel: "email".into(),
        recipient: "warga@example.org".into(),
        subject: "Permohonan".into(),
        body: "Isi".into(),
        topic: topic.into(),
    }
}

/// How many messages are queued on `topic` (read through the outbox table itself).
async fn sqlx_count(store: &std::sync::Arc<dyn Store>, topic: &str) -> (i64,) {
    (store.messages_about(topic).await.expect("messages").len() as i64,)
}

fn event(from: &str, to: &str) -> RequestEvent {
    RequestEvent {
        at: at(2),
        actor: "test".into(),
        action: "x".into(),
        from_state: from.into(),
        to_state: to.into(),
        note: String::new(),
    }
}

fn sign(request_id: &str) -> Transition {
    Transition {
        request_id: request_id.into(),
        from_state: "menunggu_tanda_tangan".into(),
        event: event("menunggu_tanda_tangan", "selesai"),
        fields: None,
        attachments: vec![],
        messages: vec![],
    }
}

/// Makes a letter whose number is the allocated sequence; the PDF is a fixed byte string.
fn maker(request_id: Option<String>) -> MakeLetter {
    Box::new(move |n: AllocatedNumber| {
        Box::pin(async move {
            let letter = IssuedLetter {
                id: format!("letter-{}-{}", n.scope_key, n.sequence),
                request_id,
                village_code: DESA.into(),
                letter_type: "sktm".into(),
                letter_type_name: "Surat Keterangan Tidak Mampu".into(),
                number: format!("400.9.14/{:03}/2001/XI/{}", n.sequence, n.year),
                year: n.year,
                scope_key: n.scope_key.clone(),
                sequence: n.sequence,
                issued_on: NaiveDate::from_ymd_opt(2026, 11, 23).expect("date"),
                subject_masked_name: "B*** P******".into(),
                signer_name: "Kepala Desa".into(),
                signer_title: "Kepala Desa Sukamulya".into(),
                signer_nip: String::new(),
                pdf_sha256: "00".repeat(32),
                token: format!("token-{}-{}", n.scope_key, n.sequence),
                signature: "sig".into(),
                external_note: String::new(),
                revoked_at: None,
                revoke_reason: String::new(),
            };
            Ok((letter, b"%PDF-1.7 test".to_vec()))
        })
    })
}

#[tokio::test]
async fn register_requests_and_transitions() {
    let (store, _db) = fresh_store().await;
    village(&store).await;
    let people = vec![person("3207065205900001", "Budi Pratama"), person("3207064512900002", "Siti Aminah")];
    assert_eq!(store.save_penduduk(&people, audit("penduduk.import")).await.expect("import"), (2, 0));
    let mut changed = people.clone();
    changed[0].nama = "Budi Pratama Putra".into();
    assert_eq!(store.save_penduduk(&changed, audit("penduduk.import")).await.expect("again"), (0, 2));
    let budi = store.penduduk_by_nik("3207065205900001").await.expect("get").expect("exists");
    assert_eq!(budi.nama, "Budi Pratama Putra");
    assert_eq!(store.search_penduduk(DESA, "siti", 10).await.expect("search").len(), 1);
    assert_eq!(store.search_penduduk(DESA, "320706", 10).await.expect("search").len(), 2);
    assert_eq!(store.count_penduduk(DESA).await.expect("count"), 2);
    // One NIK belongs to one village.
    let mut moved = person("3207065205900001", "Budi");
    moved.village_code = "32.07.06.2002".into();
    let conflict = store.save_penduduk(&[moved, person("3207064512900003", "Baru")], audit("penduduk.import")).await;
    assert!(matches!(conflict, Err(StoreError::Conflict(_))), "{conflict:?}");
    assert!(store.penduduk_by_nik("3207064512900003").await.expect("get").is_none(), "nothing half-written");

    let r = request("req-1", budi.id, "diajukan");
    store
        .create_request(
            &r,
            &event("", "diajukan"),
            &[file("a1", "ktp"), file("a0", "kk")],
            &[message("surat:req-1")],
            audit("letter_request.create"),
            None,
        )
        .await
        .expect("create");
    assert_eq!(store.request("req-1").await.expect("get"), Some(r.clone()));
    let (meta, data) = store.attachment("a1").await.expect("get").expect("exists");
    assert_eq!((meta.request_id.as_str(), meta.size_bytes, data.as_slice()), ("req-1", 9, b"%PDF-1.7\n".as_slice()));
    let review = Transition {
        request_id: "req-1".into(),
        from_state: "diajukan".into(),
        event: event("diajukan", "diperiksa"),
        fields: None,
        attachments: vec![],
        messages: vec![],
    };
    store.transition_request(&review, audit("letter_request.periksa")).await.expect("review");
    // The same transition again (a double click) finds the request moved on: a conflict, no change.
    let again = store.transition_request(&review, audit("letter_request.periksa")).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    let fix = Transition {
        request_id: "req-1".into(),
        from_state: "diperiksa".into(),
        event: event("diperiksa", "perlu_perbaikan"),
        fields: Some(serde_json::json!({"keperluan": "Beasiswa kuliah"})),
        attachments: vec![file("a2", "ktp")],
        messages: vec![message("surat:req-1")],
    };
    store.transition_request(&fix, audit("letter_request.minta_perbaikan")).await.expect("fix");
    let stored = store.request("req-1").await.expect("get").expect("exists");
    assert_eq!(
        (stored.state.as_str(), stored.fields["keperluan"].as_str()),
        ("perlu_perbaikan", Some("Beasiswa kuliah"))
    );
    assert_eq!(store.request_events("req-1").await.expect("events").len(), 3);
    // The correction's file replaced the earlier one of its requirement; the other stays current.
    let files = store.attachments("req-1").await.expect("files");
    let current: Vec<&str> = files.iter().filter(|f| !f.replaced).map(|f| f.id.as_str()).collect();
    assert_eq!((files.len(), current), (3, vec!["a0", "a2"]));
    let (queued,): (i64,) = sqlx_count(&store, "surat:req-1").await;
    assert_eq!(queued, 2, "one message per change, in the change's transaction");
    // The queue carries each request's register name (read in the same query).
    let queue = store.request_queue(DESA, &["perlu_perbaikan"], 10).await.expect("queue");
    let named: Vec<(&str, &str)> = queue.iter().map(|q| (q.request.id.as_str(), q.person_name.as_str())).collect();
    assert_eq!(named, [("req-1", "Budi Pratama Putra")]);
    assert!(store.request_queue(DESA, &["diajukan"], 10).await.expect("queue").is_empty());
}

#[tokio::test]
async fn fifty_parallel_signatures_get_fifty_consecutive_numbers() {
    let (store, _db) = fresh_store().await;
    village(&store).await;
    store.save_penduduk(&[person("3207065205900001", "Budi")], audit("penduduk.import")).await.expect("import");
    let budi = store.penduduk_by_nik("3207065205900001").await.expect("get").expect("exists");
    for i in 0..50 {
        let r = request(&format!("req-{i}"), budi.id, "menunggu_tanda_tangan");
        store
            .create_request(&r, &event("", "menunggu_tanda_tangan"), &[], &[], audit("letter_request.create"), None)
            .await
            .expect("create");
    }
    let mut tasks = Vec::new();
    for i in 0..50 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let id = format!("req-{i}");
            store
                .issue_letter(
                    &sign(&id),
                    DESA,
                    2026,
                    "32.07.06.2001/2026/*",
                    maker(Some(id.clone())),
                    audit("letter.issue"),
                )
                .await
        }));
    }
    let mut numbers = Vec::new();
    for t in tasks {
        numbers.push(t.await.expect("join").expect("issued").sequence);
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=50).collect::<Vec<i64>>());

    // Signing one of them again: refused, and the failed attempt leaves no gap.
    let twice = store
        .issue_letter(
            &sign("req-7"),
            DESA,
            2026,
            "32.07.06.2001/2026/*",
            maker(Some("req-7".into())),
            audit("letter.issue"),
        )
        .await;
    assert!(matches!(twice, Err(StoreError::Conflict(_))), "{twice:?}");
    // A letter made outside Balai takes the next number: 51, not 52.
    let reserved = store
        .reserve_number(DESA, 2026, "32.07.06.2001/2026/*", maker(None), audit("letter.reserve"))
        .await
        .expect("reserve");
    assert_eq!(reserved.sequence, 51);
    // A failure while making the letter (after the number was taken) rolls the number back.
    let failing: MakeLetter = Box::new(|_| Box::pin(async { Err("renderer failed".to_string()) }));
    store
        .create_request(
            &request("req-x", budi.id, "menunggu_tanda_tangan"),
            &event("", "menunggu_tanda_tangan"),
            &[],
            &[],
            audit("c"),
            None,
        )
        .await
        .expect("create");
    assert!(matches!(
        store.issue_letter(&sign("req-x"), DESA, 2026, "32.07.06.2001/2026/*", failing, audit("letter.issue")).await,
        Err(StoreError::Rejected(_))
    ));
    assert_eq!(store.request("req-x").await.expect("get").expect("exists").state, "menunggu_tanda_tangan");
    let next = store
        .issue_letter(
            &sign("req-x"),
            DESA,
            2026,
            "32.07.06.2001/2026/*",
            maker(Some("req-x".into())),
            audit("letter.issue"),
        )
        .await
        .expect("issue");
    assert_eq!(next.sequence, 52);
    // Another year starts again at 1.
    store
        .create_request(
            &request("req-y", budi.id, "menunggu_tanda_tangan"),
            &event("", "menunggu_tanda_tangan"),
            &[],
            &[],
            audit("c"),
            None,
        )
        .await
        .expect("create");
    assert_eq!(
        store
            .issue_letter(
                &sign("req-y"),
                DESA,
                2027,
                "32.07.06.2001/2027/*",
                maker(Some("req-y".into())),
                audit("letter.issue")
            )
            .await
            .expect("issue")
            .sequence,
        1
    );

    let letter = store.letter_for_request("req-7").await.expect("get").expect("exists");
    assert_eq!(store.letter_by_token(&letter.token).await.expect("get"), Some(letter.clone()));
    assert_eq!(store.letter_pdf(&letter.id).await.expect("pdf"), Some(b"%PDF-1.7 test".to_vec()));
    assert_eq!(store.letters_of_village(DESA, 2026).await.expect("list").len(), 52);
    store.revoke_letter(&letter.id, "Salah data", audit("letter.revoke")).await.expect("revoke");
    assert!(matches!(
        store.revoke_letter(&letter.id, "lagi", audit("letter.revoke")).await,
        Err(StoreError::Conflict(_))
    ));
    let revoked = store.letter_by_token(&letter.token).await.expect("get").expect("exists");
    assert_eq!((revoked.revoked_at.is_some(), revoked.revoke_reason.as_str()), (true, "Salah data"));
    // Every change above is in the audit chain, intact.
    let (head, hash) = store.audit_head().await.expect("head");
    let records = store.audit_records(0, 10_000).await.expect("records");
    balai_domain::audit::verify_chain(records.iter(), Some((head, hash.as_str()))).expect("intact");
}

#[tokio::test]
async fn resident_accounts_are_confirmed_once_and_sessions_expire() {
    let (store, _db) = fresh_store().await;
    village(&store).await;
    store.save_penduduk(&[person("3207065205900001", "Budi")], audit("penduduk.import")).await.expect("import");
    let budi = store.penduduk_by_nik("3207065205900001").await.expect("get").expect("exists");
    let new = NewResident {
        nik: "3207065205900001".into(),
        village_code: DESA.into(),
        full_name: "Budi".into(),
        phone: "+6281234567890".into(),
        email: String::new(),
        password_hash: "hash".into(),
        created_at: at(1),
    };
    let id = store.create_resident(&new, &[message("warga:1")], audit("resident.sign_up")).await.expect("create");
    let twice = store.create_resident(&new, &[], audit("resident.sign_up")).await;
    assert!(matches!(twice, Err(StoreError::Conflict(_))), "{twice:?}");
    let waiting = store.residents_of_village(DESA, Some("menunggu"), 10).await.expect("list");
    assert_eq!(waiting.iter().map(|r| r.id).collect::<Vec<_>>(), vec![id]);
    assert_eq!(store.residents_of_village(DESA, None, 10).await.expect("list").len(), 1);

    let confirm = ResidentDecision {
        resident_id: id,
        from_status: "menunggu".into(),
        status: "terverifikasi".into(),
        penduduk_id: Some(budi.id),
        note: String::new(),
        at: at(2),
        messages: vec![message("warga:1")],
    };
    store.decide_resident(&confirm, audit("resident.confirm")).await.expect("confirm");
    let again = store.decide_resident(&confirm, audit("resident.confirm")).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "a second decision changes nothing: {again:?}");
    let stored = store.resident_by_nik("3207065205900001").await.expect("get").expect("exists");
    assert_eq!((stored.status.as_str(), stored.penduduk_id), ("terverifikasi", Some(budi.id)));
    assert_eq!(store.messages_about("warga:1").await.expect("messages").len(), 2);

    store.create_resident_session("h1", id, at(30), audit("resident.login")).await.expect("session");
    assert_eq!(store.session_resident("h1", at(10)).await.expect("get").map(|r| r.id), Some(id));
    assert!(store.session_resident("h1", at(31)).await.expect("get").is_none(), "expired");
    store.delete_resident_session("h1", audit("resident.logout")).await.expect("logout");
    assert!(store.session_resident("h1", at(10)).await.expect("get").is_none());
}
