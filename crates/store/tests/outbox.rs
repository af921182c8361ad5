//! The message outbox in storage: claiming due messages under a lease, retries, giving up, and
//! concurrent claimers never taking the same message, on whichever database `TEST_DATABASE_URL`
//! names (CI runs both).

use std::collections::HashSet;
use std::sync::Arc;

use balai_domain::wilayah::{KodeWilayah, Level, Region};
use balai_store::outbox::{MessageCounts, NewMessage};
use balai_store::residents::NewResident;
use balai_store::testing::fresh_store;
use balai_store::{AuditEvent, Store, StoreError};
use chrono::{DateTime, Duration, TimeZone, Utc};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 3, 0, 0).single().expect("time")
}

fn message(n: usize) -> NewMessage {
    NewMessage {
        channel: "email".into(),
        recipient: format!("warga{n}@example.org"),
        subject: format!("Permohonan {n}"),
        body: "Surat Anda sudah ditandatangani. Terima kasih — Desa Cisontról.".into(),
        topic: format!("surat:{n}"),
    }
}

fn ids(messages: &[balai_store::outbox::OutboxMessage]) -> Vec<i64> {
    messages.iter().map(|m| m.id).collect()
}

#[tokio::test]
async fn claims_due_messages_once_and_again_after_the_lease() {
    let (store, _db) = fresh_store().await;
    store.enqueue_messages(&[message(1), message(2)], t0()).await.expect("enqueue");
    store.enqueue_messages(&[message(3)], t0() + Duration::minutes(10)).await.expect("enqueue later");

    // Not due yet: nothing before t0.
    assert!(store.claim_messages(t0() - Duration::seconds(1), t0(), 10).await.expect("claim").is_empty());

    let lease = t0() + Duration::seconds(60);
    let first = store.claim_messages(t0(), lease, 10).await.expect("claim");
    assert_eq!(first.len(), 2, "only the two due messages");
    assert!(first.iter().all(|m| m.attempts == 1 && m.status == "pending"));
    assert_eq!(first[0].subject, "Permohonan 1");
    assert_eq!(first[0].body, message(1).body, "text survives the round trip");

    // While the lease runs, nobody else gets them.
    assert!(
        store
            .claim_messages(t0() + Duration::seconds(30), t0() + Duration::seconds(90), 10)
            .await
            .expect("claim")
            .is_empty()
    );
    // The lease ran out (the worker died): they are due again, with a second attempt counted.
    let again =
        store.claim_messages(t0() + Duration::seconds(61), t0() + Duration::seconds(121), 10).await.expect("claim");
    assert_eq!(ids(&again), ids(&first));
    assert!(again.iter().all(|m| m.attempts == 2));

    // `limit` is respected, oldest first; the later message becomes due in its time.
    let later = t0() + Duration::minutes(10);
    let one = store.claim_messages(later, later + Duration::seconds(60), 1).await.expect("claim");
    assert_eq!(one.len(), 1);
    let two = store.claim_messages(later, later + Duration::seconds(60), 5).await.expect("claim");
    let mut all = ids(&one);
    all.extend(ids(&two));
    assert_eq!(all.len(), 3, "the remaining due messages: {all:?}");
    assert!(all.windows(2).all(|w| w[0] < w[1]), "oldest first: {all:?}");
}

#[tokio::test]
async fn sent_messages_are_done_and_failures_are_retried_then_given_up() {
    let (store, _db) = fresh_store().await;
    store.enqueue_messages(&[message(1), message(2)], t0()).await.expect("enqueue");
    let claimed = store.claim_messages(t0(), t0() + Duration::seconds(60), 10).await.expect("claim");
    let (ok, bad) = (claimed[0].id, claimed[1].id);

    // Delivered: sent, with its time, never claimed again.
    store.mark_sent(ok, t0() + Duration::seconds(1)).await.expect("sent");
    // Failed: retried in 30 s, the error kept, the lease released.
    let retry_at = t0() + Duration::seconds(30);
    store.mark_failed_attempt(bad, "SMTP 451: coba lagi", Some(retry_at)).await.expect("retry");
    let about_ok = store.messages_about("surat:1").await.expect("about");
    assert_eq!(about_ok[0].status, "sent");
    assert_eq!(about_ok[0].sent_at, Some(t0() + Duration::seconds(1)));
    let about_bad = store.messages_about("surat:2").await.expect("about");
    assert_eq!(
        (about_bad[0].status.as_str(), about_bad[0].last_error.as_str(), about_bad[0].next_attempt_at),
        ("pending", "SMTP 451: coba lagi", retry_at)
    );
    assert_eq!(store.message_counts().await.expect("counts"), MessageCounts { pending: 1, sent: 1, failed: 0 });

    // Not before its new time, although the lease was released.
    assert!(
        store
            .claim_messages(t0() + Duration::seconds(29), t0() + Duration::seconds(89), 10)
            .await
            .expect("claim")
            .is_empty()
    );
    let retried = store.claim_messages(retry_at, retry_at + Duration::seconds(60), 10).await.expect("claim");
    assert_eq!(ids(&retried), vec![bad]);
    assert_eq!(retried[0].attempts, 2);

    // Giving up: failed for good, never claimed again, the last error kept.
    store.mark_failed_attempt(bad, "ditolak server", None).await.expect("give up");
    let failed = store.messages_about("surat:2").await.expect("about");
    assert_eq!((failed[0].status.as_str(), failed[0].last_error.as_str()), ("failed", "ditolak server"));
    assert!(
        store.claim_messages(t0() + Duration::days(1), t0() + Duration::days(2), 10).await.expect("claim").is_empty()
    );
    assert_eq!(store.message_counts().await.expect("counts"), MessageCounts { pending: 0, sent: 1, failed: 1 });

    // A message that is no longer pending cannot fail again; unknown ids are reported.
    let twice = store.mark_failed_attempt(bad, "x", None).await;
    assert!(matches!(twice, Err(StoreError::NotFound(_))), "{twice:?}");
    assert!(matches!(store.mark_sent(999_999, t0()).await, Err(StoreError::NotFound(_))));

    let recent = store.recent_messages(10).await.expect("recent");
    assert_eq!(ids(&recent), vec![bad, ok], "newest first");
}

#[tokio::test]
async fn messages_queued_with_a_change_are_delivered_by_the_outbox() {
    let (store, _db) = fresh_store().await;
    let region = |c: &str, name: &str, level| {
        let code = KodeWilayah::parse(c).expect("code");
        Region { parent: code.parent(), code, name: name.into(), level }
    };
    let regions = vec![
        region("32", "Jawa Barat", Level::Provinsi),
        region("32.07", "Kabupaten Ciamis", Level::Kabupaten),
        region("32.07.06", "Cihaurbeuti", Level::Kecamatan),
        region("32.07.06.2001", "Sukamulya", Level::Desa),
    ];
    let audit = |action: &str| AuditEvent {
        at: t0(),
        actor: "test".into(),
        action: action.into(),
        object: "warga:".into(),
        details: serde_json::json!({}),
    };
    store.upsert_regions(&regions, audit("region.import")).await.expect("regions");
    let resident = NewResident {
        nik: "3207065205900001".into(),
        village_code: "32.07.06.2001".into(),
        full_name: "Budi".into(),
        phone: "+6281234567890".into(),
        email: String::new(),
        password_hash: "hash".into(),
        created_at: t0(),
    };
    let whatsapp = NewMessage {
        channel: "whatsapp".into(),
        recipient: "+6281234567890".into(),
        subject: String::new(),
        body: "Pendaftaran Anda sedang diperiksa desa.".into(),
        topic: "warga:budi".into(),
    };
    store.create_resident(&resident, std::slice::from_ref(&whatsapp), audit("resident.sign_up")).await.expect("create");
    let claimed = store.claim_messages(t0(), t0() + Duration::seconds(60), 10).await.expect("claim");
    assert_eq!(claimed.len(), 1);
    assert_eq!(
        (claimed[0].channel.as_str(), claimed[0].recipient.as_str(), claimed[0].topic.as_str()),
        ("whatsapp", "+6281234567890", "warga:budi")
    );
}

/// Several workers (on PostgreSQL: several app instances) claim at once: every message is claimed
/// by exactly one of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_claimers_take_every_message_exactly_once() {
    const MESSAGES: usize = 200;
    const WORKERS: usize = 6;
    let (store, _db) = fresh_store().await;
    let batch: Vec<NewMessage> = (0..MESSAGES).map(message).collect();
    store.enqueue_messages(&batch, t0()).await.expect("enqueue");

    let start = Arc::new(tokio::sync::Barrier::new(WORKERS));
    let mut tasks = Vec::new();
    for _ in 0..WORKERS {
        let store: Arc<dyn Store> = Arc::clone(&store);
        let start = Arc::clone(&start);
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            let mut mine = Vec::new();
            loop {
                // Small batches so that the claimers really interleave.
                let got = store.claim_messages(t0(), t0() + Duration::minutes(5), 7).await.expect("claim");
                if got.is_empty() {
                    break;
                }
                for m in &got {
                    store.mark_sent(m.id, t0()).await.expect("sent");
                }
                mine.extend(ids(&got));
                tokio::task::yield_now().await;
            }
            mine
        }));
    }
    let mut all = Vec::new();
    let mut workers_with_work = 0;
    for task in tasks {
        let mine = task.await.expect("task");
        workers_with_work += usize::from(!mine.is_empty());
        all.extend(mine);
    }
    let unique: HashSet<i64> = all.iter().copied().collect();
    assert_eq!(unique.len(), all.len(), "a message was claimed twice");
    assert_eq!(all.len(), MESSAGES, "every message was claimed");
    assert!(workers_with_work >= 2, "the claimers ran concurrently ({workers_with_work} got work)");
    let recent = store.recent_messages(1_000).await.expect("recent");
    assert!(recent.iter().all(|m| m.attempts == 1 && m.status == "sent"));
    assert_eq!(
        store.message_counts().await.expect("counts"),
        MessageCounts { pending: 0, sent: MESSAGES as i64, failed: 0 }
    );
}
