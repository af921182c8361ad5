//! Delivering the outbox over real SMTP and HTTP on loopback: a minimal SMTP server and an HTTP
//! gateway run inside the test and record what reaches them. Time is driven by a fixed clock, so
//! retries are tested without waiting for them.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use balai_app::FixedClock;
use balai_app::messages::{Deliverer, DeliverySettings, PassReport, WorkerOptions, deliver_due_once, run_worker};
use balai_store::Store;
use balai_store::outbox::{NewMessage, OutboxMessage};
use balai_store::testing::fresh_store;
use chrono::{DateTime, TimeZone, Utc};

mod support;
use support::smtp::{SmtpSink, decode_header, header, parse_mail};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 3, 0, 0).single().expect("time")
}

// ---------------------------------------------------------------------------------------------
// An HTTP gateway for WhatsApp and SMS that records requests and can fail the first N with 500.

#[derive(Debug, Clone)]
struct GatewayRequest {
    authorization: Option<String>,
    body: serde_json::Value,
}

#[derive(Default)]
struct GatewayState {
    fail_first: AtomicUsize,
    requests: Mutex<Vec<GatewayRequest>>,
}

async fn gateway_send(
    State(state): State<Arc<GatewayState>>,
    headers: HeaderMap,
    Json(body): Json<serde_json::Value>,
) -> (StatusCode, Json<serde_json::Value>) {
    let authorization = headers.get("authorization").and_then(|v| v.to_str().ok()).map(str::to_string);
    state.requests.lock().expect("lock").push(GatewayRequest { authorization, body });
    let failing = state.fail_first.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok();
    if failing {
        (StatusCode::INTERNAL_SERVER_ERROR, Json(serde_json::json!({"error": "sedang sibuk"})))
    } else {
        (StatusCode::OK, Json(serde_json::json!({"status": "queued"})))
    }
}

async fn start_gateway(fail_first: usize) -> (Arc<GatewayState>, String) {
    let state = Arc::new(GatewayState { fail_first: AtomicUsize::new(fail_first), ..GatewayState::default() });
    let app = axum::Router::new().route("/kirim", axum::routing::post(gateway_send)).with_state(Arc::clone(&state));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind gateway");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (state, format!("http://{addr}/kirim"))
}

fn requests(state: &GatewayState) -> Vec<GatewayRequest> {
    state.requests.lock().expect("lock").clone()
}

// ---------------------------------------------------------------------------------------------

const FROM: &str = "Desa Sukamulya <layanan@sukamulya.desa.id>";
const TOKEN: &str = "rahasia-gateway-123";

fn settings(smtp: Option<SocketAddr>, gateway_url: Option<&str>) -> DeliverySettings {
    DeliverySettings {
        smtp_url: smtp.map(|a| format!("smtp://{a}")).unwrap_or_default(),
        smtp_from: FROM.into(),
        gateway_url: gateway_url.unwrap_or_default().into(),
        gateway_token: TOKEN.into(),
        send_timeout: Duration::from_secs(10),
    }
}

fn email(to: &str, topic: &str) -> NewMessage {
    NewMessage {
        channel: "email".into(),
        recipient: to.into(),
        subject: "Surat Anda sudah ditandatangani — Desa Cisontról".into(),
        body: "Yth. Bapak Asep Saepudin,\n\nSurat Keterangan Tidak Mampu Anda nomor 400.9.14/001/2001/XI/2026 \
               sudah ditandatangani Kepala Desa Cisontról dan dapat diambil di kantor desa.\n\
               . Baris ini diawali titik.\n\nHormat kami,\nPemerintah Desa Sukamulya"
            .into(),
        topic: topic.into(),
    }
}

fn whatsapp(to: &str, topic: &str) -> NewMessage {
    NewMessage {
        channel: "whatsapp".into(),
        recipient: to.into(),
        subject: String::new(),
        body: "Permohonan surat Anda di Desa Cisontról sudah selesai. Silakan ambil di kantor desa.".into(),
        topic: topic.into(),
    }
}

async fn about(store: &Arc<dyn Store>, topic: &str) -> OutboxMessage {
    let mut messages = store.messages_about(topic).await.expect("messages");
    assert_eq!(messages.len(), 1, "one message about {topic}");
    messages.remove(0)
}

#[tokio::test]
async fn an_email_reaches_the_smtp_server_with_its_indonesian_text_intact() {
    let (store, _db) = fresh_store().await;
    let (sink, smtp) = SmtpSink::start().await;
    let deliverer = Deliverer::new(&settings(Some(smtp), None)).expect("deliverer");
    let clock = FixedClock::new(t0());
    let queued = email("asep.saepudin@example.org", "surat:1");
    store.enqueue_messages(std::slice::from_ref(&queued), t0()).await.expect("enqueue");

    let report = deliver_due_once(store.as_ref(), &deliverer, &WorkerOptions::default(), &clock).await.expect("pass");
    assert_eq!(report, PassReport { claimed: 1, sent: 1, retried: 0, failed: 0 });

    let mails = sink.mails();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].from, "<layanan@sukamulya.desa.id>");
    assert_eq!(mails[0].to, vec!["<asep.saepudin@example.org>".to_string()]);
    let (headers, body) = parse_mail(&mails[0].data);
    assert!(mails[0].data.is_ascii(), "MIME-encoded for any server");
    assert_eq!(decode_header(header(&headers, "subject")), queued.subject);
    assert_eq!(body, queued.body);
    assert!(header(&headers, "to").contains("asep.saepudin@example.org"));
    assert!(header(&headers, "from").contains("layanan@sukamulya.desa.id"));
    assert!(header(&headers, "content-type").to_ascii_lowercase().contains("charset=utf-8"));
    assert!(header(&headers, "message-id").ends_with("@sukamulya.desa.id>"), "{headers:?}");

    let stored = about(&store, "surat:1").await;
    assert_eq!((stored.status.as_str(), stored.attempts, stored.sent_at), ("sent", 1, Some(t0())));
    // Nothing is delivered twice.
    let again = deliver_due_once(store.as_ref(), &deliverer, &WorkerOptions::default(), &clock).await.expect("pass");
    assert_eq!(again, PassReport::default());
    assert_eq!(sink.mails().len(), 1);
}

#[tokio::test]
async fn a_whatsapp_message_reaches_the_gateway_with_the_bearer_token() {
    let (store, _db) = fresh_store().await;
    let (gateway, url) = start_gateway(0).await;
    let deliverer = Deliverer::new(&settings(None, Some(&url))).expect("deliverer");
    let clock = FixedClock::new(t0());
    let mut sms = whatsapp("+6281300000002", "warga:2");
    sms.channel = "sms".into();
    sms.subject = "Balai".into();
    store.enqueue_messages(&[whatsapp("+6281234567890", "warga:1"), sms], t0()).await.expect("enqueue");

    let report = deliver_due_once(store.as_ref(), &deliverer, &WorkerOptions::default(), &clock).await.expect("pass");
    assert_eq!(report.sent, 2, "{report:?}");
    let got = requests(&gateway);
    assert_eq!(got.len(), 2);
    assert!(got.iter().all(|r| r.authorization.as_deref() == Some("Bearer rahasia-gateway-123")), "{got:?}");
    assert_eq!(
        got[0].body,
        serde_json::json!({
            "channel": "whatsapp",
            "to": "+6281234567890",
            "message": "Permohonan surat Anda di Desa Cisontról sudah selesai. Silakan ambil di kantor desa.",
        })
    );
    assert_eq!(got[1].body["channel"], "sms");
    assert!(got[1].body["message"].as_str().expect("text").starts_with("Balai\n\nPermohonan"), "{:?}", got[1].body);
    assert_eq!(about(&store, "warga:1").await.status, "sent");
    assert_eq!(about(&store, "warga:2").await.status, "sent");
}

#[tokio::test]
async fn a_gateway_error_is_retried_later_and_then_delivered() {
    let (store, _db) = fresh_store().await;
    let (gateway, url) = start_gateway(1).await;
    let deliverer = Deliverer::new(&settings(None, Some(&url))).expect("deliverer");
    let clock = FixedClock::new(t0());
    let options = WorkerOptions::default();
    store.enqueue_messages(&[whatsapp("+6281234567890", "warga:1")], t0()).await.expect("enqueue");

    let first = deliver_due_once(store.as_ref(), &deliverer, &options, &clock).await.expect("pass");
    assert_eq!(first, PassReport { claimed: 1, sent: 0, retried: 1, failed: 0 });
    let waiting = about(&store, "warga:1").await;
    assert_eq!((waiting.status.as_str(), waiting.attempts), ("pending", 1));
    assert_eq!(waiting.next_attempt_at, t0() + chrono::Duration::seconds(30), "first backoff: 30 s");
    assert!(waiting.last_error.contains("500"), "{}", waiting.last_error);

    // Not before its time.
    clock.advance(chrono::Duration::seconds(29));
    let early = deliver_due_once(store.as_ref(), &deliverer, &options, &clock).await.expect("pass");
    assert_eq!(early.claimed, 0);
    assert_eq!(requests(&gateway).len(), 1);

    clock.advance(chrono::Duration::seconds(1));
    let second = deliver_due_once(store.as_ref(), &deliverer, &options, &clock).await.expect("pass");
    assert_eq!(second, PassReport { claimed: 1, sent: 1, retried: 0, failed: 0 });
    let sent = about(&store, "warga:1").await;
    assert_eq!((sent.status.as_str(), sent.attempts), ("sent", 2));
    assert_eq!(sent.sent_at, Some(t0() + chrono::Duration::seconds(30)));
    assert_eq!(requests(&gateway).len(), 2);
}

#[tokio::test]
async fn backoff_grows_and_gives_up_after_the_last_attempt() {
    let options = WorkerOptions::default();
    let waits: Vec<i64> =
        (1..options.max_attempts).map(|n| (options.retry_at(n, t0()).expect("retry") - t0()).num_seconds()).collect();
    assert_eq!(waits, vec![30, 120, 480, 1800, 7200]);
    assert_eq!(options.retry_at(6, t0()), None);
}

#[tokio::test]
async fn a_message_for_an_unconfigured_channel_waits_then_fails_after_the_last_attempt() {
    let (store, _db) = fresh_store().await;
    let (_sink, smtp) = SmtpSink::start().await;
    // Email only: no gateway for WhatsApp.
    let deliverer = Deliverer::new(&settings(Some(smtp), None)).expect("deliverer");
    let clock = FixedClock::new(t0());
    let options = WorkerOptions::default();
    store.enqueue_messages(&[whatsapp("+6281234567890", "warga:1")], t0()).await.expect("enqueue");

    for attempt in 1..=options.max_attempts {
        let report = deliver_due_once(store.as_ref(), &deliverer, &options, &clock).await.expect("pass");
        assert_eq!(report.claimed, 1, "attempt {attempt}");
        let stored = about(&store, "warga:1").await;
        assert_eq!(stored.attempts, attempt);
        assert!(stored.last_error.contains("saluran whatsapp belum diatur"), "{}", stored.last_error);
        if attempt < options.max_attempts {
            assert_eq!((report.retried, stored.status.as_str()), (1, "pending"));
        } else {
            assert_eq!((report.failed, stored.status.as_str()), (1, "failed"), "gave up");
        }
        clock.advance(chrono::Duration::hours(3));
    }
    let after = deliver_due_once(store.as_ref(), &deliverer, &options, &clock).await.expect("pass");
    assert_eq!(after.claimed, 0, "a failed message is not tried again");
}

#[tokio::test]
async fn configuring_a_channel_later_delivers_what_was_waiting() {
    let (store, _db) = fresh_store().await;
    let clock = FixedClock::new(t0());
    let options = WorkerOptions::default();
    store.enqueue_messages(&[whatsapp("+6281234567890", "warga:1")], t0()).await.expect("enqueue");
    let nothing = Deliverer::unconfigured();
    assert_eq!(deliver_due_once(store.as_ref(), &nothing, &options, &clock).await.expect("pass").retried, 1);

    let (gateway, url) = start_gateway(0).await;
    let configured = Deliverer::new(&settings(None, Some(&url))).expect("deliverer");
    clock.advance(chrono::Duration::minutes(1));
    assert_eq!(deliver_due_once(store.as_ref(), &configured, &options, &clock).await.expect("pass").sent, 1);
    assert_eq!(requests(&gateway).len(), 1);
    assert_eq!(about(&store, "warga:1").await.status, "sent");
}

#[tokio::test]
async fn a_refused_message_is_given_up_at_once() {
    let (store, _db) = fresh_store().await;
    let (sink, smtp) = SmtpSink::start().await;
    let deliverer = Deliverer::new(&settings(Some(smtp), None)).expect("deliverer");
    let clock = FixedClock::new(t0());
    store.enqueue_messages(&[email("bukan alamat email", "surat:1")], t0()).await.expect("enqueue");
    let report = deliver_due_once(store.as_ref(), &deliverer, &WorkerOptions::default(), &clock).await.expect("pass");
    assert_eq!(report.failed, 1);
    let stored = about(&store, "surat:1").await;
    assert_eq!((stored.status.as_str(), stored.attempts), ("failed", 1));
    assert!(stored.last_error.contains("bukan alamat email"), "{}", stored.last_error);
    assert!(sink.mails().is_empty());
}

#[tokio::test]
async fn bad_settings_are_refused_before_anything_is_sent() {
    let bad = |s: DeliverySettings| Deliverer::new(&s).err().map(|e| e.to_string()).unwrap_or_default();
    let base = settings(None, None);
    assert!(bad(DeliverySettings { smtp_url: "mail.example.org:25".into(), ..base.clone() }).contains("smtp://"));
    let no_from = DeliverySettings { smtp_url: "smtp://127.0.0.1:25".into(), smtp_from: String::new(), ..base.clone() };
    assert!(bad(no_from).contains("smtp_from"));
    assert!(bad(DeliverySettings { gateway_url: "ftp://x".into(), ..base.clone() }).contains("wa_gateway_url"));
    let with_password = DeliverySettings { smtp_url: "smtp://u:s3cret@127.0.0.1:25".into(), ..base };
    assert!(!format!("{with_password:?}").contains("s3cret"));
    assert!(!format!("{with_password:?}").contains(TOKEN));
}

#[tokio::test]
async fn the_worker_delivers_in_the_background_and_stops_on_shutdown() {
    let (store, _db) = fresh_store().await;
    let (sink, smtp) = SmtpSink::start().await;
    let deliverer = Arc::new(Deliverer::new(&settings(Some(smtp), None)).expect("deliverer"));
    let options = WorkerOptions { poll_interval: Duration::from_millis(50), ..WorkerOptions::default() };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let worker = tokio::spawn(run_worker(
        Arc::clone(&store),
        deliverer,
        options,
        Arc::new(balai_app::SystemClock),
        async move {
            let _ = stopped.await;
        },
    ));
    store.enqueue_messages(&[email("asep.saepudin@example.org", "surat:1")], Utc::now()).await.expect("enqueue");
    let delivered = tokio::time::timeout(Duration::from_secs(20), async {
        while sink.mails().is_empty() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(delivered.is_ok(), "the worker delivered the queued email");
    stop.send(()).expect("worker listening");
    tokio::time::timeout(Duration::from_secs(10), worker).await.expect("worker stops").expect("worker task");
    assert_eq!(about(&store, "surat:1").await.status, "sent");
}
