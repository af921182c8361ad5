//! What the HTTP test suites share: the real router on a real port over a fresh database (SQLite
//! by default, PostgreSQL when `TEST_DATABASE_URL` names one), seeded with the demo regency, and
//! a cookie-keeping client that posts forms as a browser does (with the CSRF token).
#![allow(dead_code)] // each test binary uses its own part of it

use std::collections::HashMap;
use std::sync::Arc;

use balai_app::demo::{DemoAccount, seed_demo};
use balai_app::{App, AppConfig, FixedClock};
use balai_store::testing::{TestDatabase, fresh_database};
use chrono::{TimeZone, Utc};
use reqwest::cookie::{CookieStore, Jar};
use reqwest::header::HeaderMap;
use reqwest::redirect::Policy;

pub struct TestApp {
    pub base: String,
    pub app: App,
    pub clock: Arc<FixedClock>,
    pub accounts: HashMap<String, String>,
    pub _db: TestDatabase,
}

pub struct Browser {
    pub base: String,
    pub client: reqwest::Client,
    pub jar: Arc<Jar>,
}

pub struct Page {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers.get("location").and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }
}

pub async fn spawn_app() -> TestApp {
    if std::env::var_os("TEST_LOG").is_some() {
        let _ = tracing_subscriber::fmt().with_env_filter("debug,sqlx=info").with_test_writer().try_init();
    }
    let db = fresh_database().await;
    let url = db.url.clone();
    spawn_app_at(db, &url).await
}

/// A Balai whose store connects through `connect_url` (which may be a proxy in front of `db`).
pub async fn spawn_app_at(db: TestDatabase, connect_url: &str) -> TestApp {
    let store = balai_store::connect(connect_url, &Default::default()).await.expect("connect");
    store.migrate().await.expect("migrate");
    let clock = Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2026, 11, 23, 3, 0, 0).single().expect("time")));
    let config = AppConfig {
        home_region: Some(balai_domain::wilayah::KodeWilayah::parse("32.07").expect("code")),
        ..Default::default()
    };
    // One renderer (fonts loaded once) serves letters and the other documents.
    let renderer = Arc::new(balai_letters::TypstRenderer::new());
    let letters = balai_app::letters::LetterServices {
        renderer: renderer.clone(),
        master_key: balai_app::letters::MasterKey::from_bytes([9; 32]),
        certified_signer: None,
    };
    let app = App::new(store, clock.clone(), config).with_letters(letters).with_documents(renderer);
    let accounts: HashMap<String, String> = seed_demo(&app)
        .await
        .expect("seed")
        .into_iter()
        .map(|DemoAccount { username, password, .. }| (username, password))
        .collect();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let state = balai_web::AppState::new(app.clone(), false, false, "Kabupaten Ciamis".into());
    tokio::spawn(balai_web::serve(listener, state, std::future::pending()));
    TestApp { base, app, clock, accounts, _db: db }
}

impl TestApp {
    pub fn browser(&self) -> Browser {
        let jar = Arc::new(Jar::default());
        let client =
            reqwest::Client::builder().cookie_provider(jar.clone()).redirect(Policy::none()).build().expect("client");
        Browser { base: self.base.clone(), client, jar }
    }

    pub async fn logged_in(&self, username: &str) -> Browser {
        let browser = self.browser();
        let page = browser.login(username, &self.accounts[username]).await;
        assert_eq!(page.status, 303, "login of {username}: {}", page.body);
        browser
    }
}

impl Browser {
    pub async fn get(&self, path: &str) -> Page {
        self.send(self.client.get(format!("{}{path}", self.base))).await
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> Page {
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.text().await.unwrap_or_default();
        Page { status, headers, body }
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        let url = self.base.parse().expect("url");
        let header = self.jar.cookies(&url)?;
        header
            .to_str()
            .ok()?
            .split("; ")
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    }

    /// The CSRF token from the cookie (a first page view sets it).
    pub async fn csrf(&self) -> String {
        if self.cookie("balai_csrf").is_none() {
            self.get("/").await;
        }
        self.cookie("balai_csrf").expect("csrf cookie")
    }

    /// Posts a form the way a browser would: with the CSRF token from the page's cookie.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.csrf().await;
        let mut form: Vec<(&str, &str)> = vec![("csrf", &token)];
        form.extend_from_slice(fields);
        self.send(self.client.post(format!("{}{path}", self.base)).form(&form)).await
    }

    pub async fn post_raw(&self, path: &str, body: Vec<u8>) -> Page {
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        self.send(request).await
    }

    pub async fn login(&self, username: &str, password: &str) -> Page {
        self.post("/masuk", &[("username", username), ("password", password)]).await
    }
}

pub fn csrf_of(browser: &Browser) -> String {
    browser.cookie("balai_csrf").expect("csrf cookie")
}

impl Browser {
    /// Posts a multipart form with files, with the CSRF token from the cookie (unless `csrf` is None).
    pub async fn post_files(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, Vec<u8>)],
        csrf: Option<String>,
    ) -> Page {
        let mut form = reqwest::multipart::Form::new();
        if let Some(token) = csrf {
            form = form.text("csrf", token);
        }
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        for (name, file_name, bytes) in files {
            let part = reqwest::multipart::Part::bytes(bytes.clone()).file_name(file_name.to_string());
            form = form.part(name.to_string(), part);
        }
        self.send(self.client.post(format!("{}{path}", self.base)).multipart(form)).await
    }
}

/// Small files with the magic bytes of what they claim to be (the upload checks sniff content).
pub const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00 a KTP photo";
pub const PNG: &[u8] = b"\x89PNG\r\n\x1a\n a KK photo";
pub const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n";

/// The three attachments an SKTM request needs.
pub fn sktm_files() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    vec![
        ("lampiran_ktp", "ktp.jpg", JPEG.to_vec()),
        ("lampiran_kk", "kk.png", PNG.to_vec()),
        ("lampiran_pengantar_rt_rw", "pengantar.pdf", PDF.to_vec()),
    ]
}

/// The ids of a letter form's field inputs other than the NIK (the fields its letter type asks
/// for), read from the page as a person filling it in would see them.
pub fn letter_field_names(body: &str) -> Vec<String> {
    body.split("<input id=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next().map(str::to_string))
        .filter(|n| n != "nik")
        .collect()
}

/// The text between the first `start` and the next `end`.
pub fn between<'a>(body: &'a str, start: &str, end: &str) -> Option<&'a str> {
    body.split(start).nth(1).and_then(|s| s.split(end).next())
}

/// Files an information request through a village's public form as Budi Santoso (email and
/// WhatsApp given); returns its tracking code.
pub async fn ask_information(b: &Browser, village: &str, information: &str) -> String {
    let form = b.get(&format!("/desa/{village}/ppid/minta")).await;
    assert_eq!(form.status, 200);
    let key = between(&form.body, "name=\"idempotency_key\" value=\"", "\"").expect("idempotency key").to_string();
    let fields = [
        ("idempotency_key", key.as_str()),
        ("name", "Budi Santoso"),
        ("nik", "3207061205900001"),
        ("address", "Dusun Sukamulya RT 001 RW 002"),
        ("phone", "081234567890"),
        ("email", "budi@example.org"),
        ("information", information),
        ("purpose", "Bahan diskusi kelompok tani"),
        ("obtain_method", "salinan_softcopy"),
        ("delivery_method", "email"),
    ];
    let sent = b.post(&format!("/desa/{village}/ppid/minta"), &fields).await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    between(sent.location(), "/ppid/lacak/", "?").expect("tracking code in the redirect").to_string()
}

/// The PPID grants an information request (class berkala, no fee).
pub async fn decide(ppid: &Browser, code: &str) {
    let page = ppid
        .post(
            &format!("/staf/ppid/{code}/aksi"),
            &[
                ("action", "putuskan"),
                ("decision", "dikabulkan"),
                ("info_class", "berkala"),
                ("answer", "Salinan terlampir."),
                ("fee", "0"),
            ],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
}

/// The survey path in the newest email to budi@example.org about `code`.
pub async fn survey_path_for(t: &TestApp, code: &str) -> String {
    let messages = t.app.store().recent_messages(10_000).await.expect("messages");
    let message = messages
        .iter()
        .find(|m| m.channel == "email" && m.topic == format!("informasi:{code}") && m.body.contains("/survei/"))
        .expect("the decision's message carries a survey link");
    let at = message.body.find("/survei/").expect("link");
    message.body[at..].split_whitespace().next().expect("path").trim_end_matches('.').to_string()
}
