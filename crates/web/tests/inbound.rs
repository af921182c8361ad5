//! The SMS/WhatsApp webhook and the staff export of reports over real HTTP: the real router on a
//! loopback port over a fresh database (SQLite by default, PostgreSQL when `TEST_DATABASE_URL`
//! names one).

use std::collections::HashMap;
use std::sync::Arc;

use balai_app::demo::{DemoAccount, seed_demo};
use balai_app::reports::{Channel, NewReportInput};
use balai_app::{Actor, App, AppConfig, FixedClock};
use balai_domain::lapor::inbound::HELP_TEXT;
use balai_domain::lapor::tracking::{TrackingCode, TrackingCodeError};
use balai_domain::wilayah::KodeWilayah;
use balai_store::testing::{TestDatabase, fresh_database};
use chrono::{TimeZone, Utc};
use reqwest::redirect::Policy;
use serde_json::{Value, json};

const WEBHOOK: &str = "/webhook/pesan-masuk";

struct TestApp {
    base: String,
    app: App,
    accounts: HashMap<String, String>,
    client: reqwest::Client,
    _db: TestDatabase,
}

async fn spawn_app() -> TestApp {
    let db = fresh_database().await;
    let store = balai_store::connect(&db.url, &Default::default()).await.expect("connect");
    store.migrate().await.expect("migrate");
    // 10:00 WIB, Monday 23 November 2026.
    let clock = Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2026, 11, 23, 3, 0, 0).single().expect("time")));
    let config = AppConfig { home_region: Some(KodeWilayah::parse("32.07").expect("code")), ..Default::default() };
    let app = App::new(store, clock, config);
    let accounts = seed_demo(&app)
        .await
        .expect("seed")
        .into_iter()
        .map(|DemoAccount { username, password, .. }| (username, password))
        .collect();
    for (slug, name) in [("jalan", "Jalan dan jembatan"), ("lainnya", "Lainnya")] {
        app.save_report_category(&Actor::System, slug, name, "normatif", true).await.expect("category");
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let state = balai_web::AppState::new(app.clone(), false, false, "Kabupaten Ciamis".into());
    tokio::spawn(balai_web::serve(listener, state, std::future::pending()));
    let client = reqwest::Client::builder().redirect(Policy::none()).build().expect("client");
    TestApp { base, app, accounts, client, _db: db }
}

impl TestApp {
    /// A token for the gateway, made at the command line for the regency's admin.
    async fn gateway_token(&self) -> String {
        self.app.create_api_token(&Actor::System, "admin.ciamis", "Gateway SMS").await.expect("token")
    }

    /// Posts a JSON message to the webhook; returns the status and the JSON answer.
    async fn message(&self, token: Option<&str>, body: Value) -> (u16, Value) {
        let mut request = self.client.post(format!("{}{WEBHOOK}", self.base)).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        (status, response.json().await.expect("JSON answer"))
    }

    async fn reply(&self, token: &str, from: &str, text: &str) -> String {
        let (status, body) = self.message(Some(token), json!({"from": from, "text": text, "channel": "sms"})).await;
        assert_eq!(status, 200, "{body}");
        body["reply"].as_str().expect("a reply").to_string()
    }

    /// A client signed in as `username`, with its cookies.
    async fn signed_in(&self, username: &str) -> reqwest::Client {
        let client = reqwest::Client::builder().cookie_store(true).redirect(Policy::none()).build().expect("client");
        let page = client.get(format!("{}/masuk", self.base)).send().await.expect("login page");
        let csrf = page
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| v.strip_prefix("balai_csrf="))
            .and_then(|v| v.split(';').next())
            .expect("csrf cookie")
            .to_string();
        let form = [("csrf", csrf.as_str()), ("username", username), ("password", &self.accounts[username])];
        let login = client.post(format!("{}/masuk", self.base)).form(&form).send().await.expect("login");
        assert_eq!(login.status().as_u16(), 303, "login of {username}");
        client
    }
}

/// The tracking code in a "Laporan diterima. Kode pelacakan ABCDE-FGHJK. …" reply.
fn code_in(reply: &str) -> TrackingCode {
    let after = reply.split("Kode pelacakan ").nth(1).unwrap_or_else(|| panic!("no code in {reply}"));
    TrackingCode::parse(&after[..11]).expect("a valid tracking code")
}

#[tokio::test]
async fn a_text_message_becomes_a_report_and_can_be_checked() {
    let t = spawn_app().await;
    let token = t.gateway_token().await;

    let reply = t
        .reply(&token, "0812-3456-7890", "LAPOR 32.07.06.2001 Jalan rusak parah di Dusun Sukamaju dekat sekolah")
        .await;
    assert!(reply.starts_with("Laporan diterima. Kode pelacakan "), "{reply}");
    assert!(reply.contains("Diverifikasi paling lambat 26 November 2026"), "three working days: {reply}");
    let code = code_in(&reply);
    assert!(reply.ends_with(&format!("Cek: CEK {}", code.display())), "{reply}");
    let report = t.app.store().report(code.as_str()).await.expect("load").expect("stored");
    assert_eq!(report.channel, "sms");
    assert_eq!(report.reporter_phone, "+6281234567890");
    assert_eq!(report.region_code, "32.07.06.2001");
    assert_eq!(report.category, "lainnya");
    assert_eq!(report.kind, "pengaduan");
    assert_eq!(report.title, "Jalan rusak parah di Dusun Sukamaju dekat sekolah");
    assert!(!report.anonymous);

    // The gateway retries a message it thinks was lost: still one report, the same code.
    let again = t
        .reply(&token, "+62 812 3456 7890", "LAPOR 32.07.06.2001 Jalan rusak parah di Dusun Sukamaju dekat sekolah")
        .await;
    assert_eq!(code_in(&again), code);
    assert_eq!(t.app.store().count_reports().await.expect("count"), 1);

    // Without a village code the report goes to the regency's coordinator; a long text gets a
    // short title cut at a word.
    let long = "Lampu penerangan jalan di sepanjang jalan raya menuju pasar desa sudah mati sejak dua minggu";
    let reply = t.reply(&token, "081311112222", long).await;
    let other = t.app.store().report(code_in(&reply).as_str()).await.expect("load").expect("stored");
    assert_eq!(other.region_code, "32.07");
    assert_eq!(other.description, long);
    assert!(other.title.ends_with('…') && other.title.chars().count() <= 61, "{}", other.title);

    // CEK answers with the state, who holds it and by when; as a form body too.
    let response = t
        .client
        .post(format!("{}{WEBHOOK}", t.base))
        .bearer_auth(&token)
        .form(&[("from", "081234567890"), ("text", &format!("cek {}", code.display().to_lowercase()))])
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await.expect("json");
    let reply = body["reply"].as_str().expect("reply");
    assert_eq!(
        reply,
        format!(
            "Laporan {}: Diterima, menunggu verifikasi. Ditangani: Koordinator pengaduan. Batas waktu: 26 November 2026.",
            code.display()
        )
    );
    assert!(!reply.contains("Sukamaju") && !reply.contains("+62"), "no description, no phone: {reply}");

    // A mistyped code gets the reason; a valid code nobody was given is simply not found.
    let mut forged = code.as_str().to_string();
    let last = forged.pop().expect("char");
    forged.push(if last == '7' { '8' } else { '7' });
    assert_eq!(t.reply(&token, "081234567890", &format!("CEK {forged}")).await, TrackingCodeError::Check.message_id());
    let unknown = TrackingCode::from_random(0x0BAD_C0DE);
    let reply = t.reply(&token, "081234567890", &format!("CEK {}", unknown.display())).await;
    assert!(reply.contains("tidak ditemukan"), "{reply}");

    // An empty message, or only the keyword, gets the instructions.
    assert_eq!(t.reply(&token, "081234567890", "").await, HELP_TEXT);
    assert_eq!(t.reply(&token, "081234567890", "  LAPOR ").await, HELP_TEXT);
    // A village code that does not exist is explained in the reply, and nothing is stored.
    let reply = t.reply(&token, "081234567890", "LAPOR 32.07.06.2999 Jalan rusak").await;
    assert!(reply.starts_with("Laporan belum diterima: ") && reply.contains("LAPOR <kode desa>"), "{reply}");
    assert_eq!(t.app.store().count_reports().await.expect("count"), 2);
}

#[tokio::test]
async fn the_webhook_needs_a_live_token_and_a_phone_number() {
    let t = spawn_app().await;
    let message = json!({"from": "081234567890", "text": "Jalan rusak di dekat pasar", "channel": "sms"});
    for token in [None, Some("balai_bukan-token-yang-benar"), Some("rahasia")] {
        let (status, body) = t.message(token, message.clone()).await;
        assert_eq!(status, 401, "{token:?}");
        assert_eq!(body["code"], "unauthenticated");
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    // A village operator's token may not file reports under any phone number.
    let operator = t.app.create_api_token(&Actor::System, "operator.sukamulya", "bukan gateway").await.expect("token");
    assert_eq!(t.message(Some(&operator), message.clone()).await.0, 403);
    let token = t.gateway_token().await;
    let (status, body) = t.message(Some(&token), json!({"from": "bukan nomor", "text": "Jalan rusak"})).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["code"], "invalid_input");
    let (status, body) = t.message(Some(&token), json!({"text": "tanpa pengirim"})).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["code"], "invalid_body");
    assert_eq!(t.app.store().count_reports().await.expect("count"), 0, "nothing stored");

    // A revoked token no longer works.
    let admin = t.app.store().user_by_username("admin.ciamis").await.expect("lookup").expect("exists");
    let actor = Actor::Staff(admin.into());
    let listed = t.app.api_tokens(&actor).await.expect("tokens");
    t.app.revoke_api_token(&actor, &listed[0].id).await.expect("revoke");
    assert_eq!(t.message(Some(&token), message).await.0, 401);
    assert_eq!(t.app.store().count_reports().await.expect("count"), 0, "nothing stored");
}

#[tokio::test]
async fn staff_download_reports_as_csv_and_xlsx() {
    let t = spawn_app().await;
    let input = NewReportInput {
        kind: "pengaduan".into(),
        category: "jalan".into(),
        region: "32.07.06.2001".into(),
        title: "Jalan rusak".into(),
        description: "Jalan desa berlubang.".into(),
        name: "Budi".into(),
        email: "budi@example.org".into(),
        ..Default::default()
    };
    let visitor = Actor::Anonymous { ip: "127.0.0.1".into() };
    t.app.submit_report(&visitor, input, Vec::new(), Channel::Web).await.expect("submit");

    // Visitors are sent to the login page, files and form alike.
    let anonymous = t.client.get(format!("{}/staf/lapor/ekspor?format=csv", t.base)).send().await.expect("get");
    assert_eq!(anonymous.status().as_u16(), 303);
    let location = anonymous.headers()["location"].to_str().expect("location");
    assert!(location.starts_with("/masuk?next="), "{location}");

    let admin = t.signed_in("admin.ciamis").await;
    let form = admin.get(format!("{}/staf/lapor/ekspor", t.base)).send().await.expect("form");
    assert_eq!(form.status().as_u16(), 200);
    let html = form.text().await.expect("html");
    assert!(html.contains("Ekspor laporan") && html.contains("type=\"date\""));
    assert!(html.contains("Dinas Pekerjaan Umum dan Penataan Ruang"), "offices to choose from");
    assert!(html.contains("value=\"xlsx\""));

    let csv = admin
        .get(format!("{}/staf/lapor/ekspor?from=2026-11-01&until=2026-11-30&state=diterima&format=csv", t.base))
        .send()
        .await
        .expect("csv");
    assert_eq!(csv.status().as_u16(), 200);
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let disposition = csv.headers()["content-disposition"].to_str().expect("disposition").to_string();
    assert!(disposition.starts_with("attachment; filename=\"laporan-"), "{disposition}");
    assert!(disposition.ends_with(".csv\""), "{disposition}");
    assert_eq!(csv.headers()["cache-control"], "no-store");
    let bytes = csv.bytes().await.expect("body");
    assert!(bytes.starts_with(b"\xEF\xBB\xBFKode publik,"), "BOM and header");
    let text = String::from_utf8_lossy(&bytes);
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.contains("Jalan rusak") && !text.contains("budi@example.org"));

    let xlsx = admin.get(format!("{}/staf/lapor/ekspor?format=xlsx", t.base)).send().await.expect("xlsx");
    assert_eq!(xlsx.status().as_u16(), 200);
    let disposition = xlsx.headers()["content-disposition"].to_str().expect("disposition").to_string();
    assert!(disposition.starts_with("attachment;") && disposition.ends_with(".xlsx\""), "{disposition}");
    assert!(xlsx.bytes().await.expect("body").starts_with(b"PK"), "a zip container");

    // A bad filter shows the form again with the problem beside its field.
    let bad = admin
        .get(format!("{}/staf/lapor/ekspor?from=2026-11-30&until=2026-11-01&state=hilang&format=csv", t.base))
        .send()
        .await
        .expect("bad");
    assert_eq!(bad.status().as_u16(), 422);
    let html = bad.text().await.expect("html");
    assert!(html.contains("error-summary") && html.contains("href=\"#state\"") && html.contains("href=\"#until\""));
    assert!(html.contains("value=\"2026-11-30\""), "what was typed is kept");

    // An office may not export another office's reports; a village not another village's.
    let pupr = t.signed_in("pupr.ciamis").await;
    let other = pupr.get(format!("{}/staf/lapor/ekspor?office=dinkes&format=csv", t.base)).send().await.expect("get");
    assert_eq!(other.status().as_u16(), 403);
    let cikoneng = t.signed_in("operator.cikoneng").await;
    let other = cikoneng
        .get(format!("{}/staf/lapor/ekspor?village=32.07.06.2001&format=xlsx", t.base))
        .send()
        .await
        .expect("get");
    assert_eq!(other.status().as_u16(), 403);
}
