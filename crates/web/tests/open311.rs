//! Open311 GeoReport v2 over real HTTP: the router on a loopback port over a fresh database
//! (SQLite by default, PostgreSQL when `TEST_DATABASE_URL` names one), driven like an Open311
//! client would.

use std::sync::Arc;

use balai_app::demo::seed_demo;
use balai_app::reports::ReportCommand;
use balai_app::{Actor, App, AppConfig, FixedClock};
use balai_domain::lapor::tracking::TrackingCode;
use balai_store::testing::{TestDatabase, fresh_store};
use chrono::{TimeZone, Utc};
use serde_json::Value;

const PUPR: &str = "pekerjaan-umum-dan-penataan-ruang";
const SUKAMULYA: &str = "32.07.06.2001";
const PUPR_NAME: &str = "Dinas Pekerjaan Umum dan Penataan Ruang";

struct TestApp {
    base: String,
    app: App,
    clock: Arc<FixedClock>,
    client: reqwest::Client,
    /// An API key of the PUPR office's liaison (any active account's key may post).
    key: String,
    /// The regency's coordinator, who verifies and disposes reports.
    coordinator: Actor,
    /// The office's liaison, who answers and closes them.
    office: Actor,
    _db: TestDatabase,
}

struct Reply {
    status: u16,
    content_type: String,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

async fn spawn_app() -> TestApp {
    if std::env::var_os("TEST_LOG").is_some() {
        let _ = tracing_subscriber::fmt().with_env_filter("debug,sqlx=info").with_test_writer().try_init();
    }
    let (store, db) = fresh_store().await;
    let clock = Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2026, 11, 23, 3, 0, 0).single().expect("time")));
    let config = AppConfig {
        public_url: "https://lapor.ciamis.example".into(),
        home_region: Some(balai_domain::wilayah::KodeWilayah::parse("32.07").expect("code")),
        ..Default::default()
    };
    let app = App::new(store, clock.clone(), config);
    seed_demo(&app).await.expect("seed");
    if !app.report_categories().await.expect("categories").iter().any(|c| c.slug == PUPR) {
        app.save_report_category(
            &Actor::System,
            PUPR,
            "Pekerjaan Umum dan Penataan Ruang",
            "tidak_berkadar_pengawasan",
            true,
        )
        .await
        .expect("category");
    }
    let key = app.create_api_token(&Actor::System, "pupr.ciamis", "aplikasi kios").await.expect("token");
    let staff = |token: String| {
        let app = app.clone();
        async move { Actor::Staff(app.authenticate_api(&token).await.expect("auth").expect("user")) }
    };
    let office = staff(key.clone()).await;
    let coordinator = staff(app.create_api_token(&Actor::System, "admin.ciamis", "tes").await.expect("token")).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let state = balai_web::AppState::new(app.clone(), false, false, "Kabupaten Ciamis".into());
    tokio::spawn(balai_web::serve(listener, state, std::future::pending()));
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    TestApp { base, app, clock, client, key, coordinator, office, _db: db }
}

impl TestApp {
    async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let content_type =
            response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let body = response.text().await.unwrap_or_default();
        Reply { status, content_type, body }
    }

    async fn get(&self, path: &str) -> Reply {
        self.send(self.client.get(format!("{}/open311/v2/{path}", self.base))).await
    }

    async fn get_with(&self, path: &str, query: &[(&str, &str)]) -> Reply {
        self.send(self.client.get(format!("{}/open311/v2/{path}", self.base)).query(query)).await
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> Reply {
        self.send(self.client.post(format!("{}/open311/v2/{path}", self.base)).form(form)).await
    }

    /// A complete, valid request from a citizen with an email, plus `extra` (which win).
    async fn post_request(&self, description: &str, extra: &[(&str, &str)]) -> Reply {
        let mut form: Vec<(&str, &str)> = vec![
            ("api_key", &self.key),
            ("service_code", PUPR),
            ("attribute[jenis]", "pengaduan"),
            ("attribute[desa]", SUKAMULYA),
            ("description", description),
            ("lat", "-7.2851"),
            ("long", "108.3203"),
            ("address_string", "Jl. Raya Sukamulya km 2"),
            ("first_name", "Asep"),
            ("last_name", "Saepudin"),
            ("email", "asep@example.org"),
        ];
        form.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
        form.extend_from_slice(extra);
        self.post("requests.json", &form).await
    }

    /// Posts a request and returns its id.
    async fn submit(&self, description: &str, extra: &[(&str, &str)]) -> String {
        let reply = self.post_request(description, extra).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.json()[0]["service_request_id"].as_str().expect("id").to_string()
    }

    async fn dispose(&self, id: &str) {
        let cmd = ReportCommand { action: "disposisi".into(), handler: "opd:dinas-pupr".into(), ..Default::default() };
        self.app.act_on_report(&self.coordinator, id, cmd).await.expect("disposisi");
    }

    async fn count(&self) -> i64 {
        self.app.store().count_reports().await.expect("count")
    }

    /// The ids a list request returns.
    async fn listed(&self, query: &[(&str, &str)]) -> Vec<String> {
        let reply = self.get_with("requests.json", query).await;
        assert_eq!(reply.status, 200, "{query:?}: {}", reply.body);
        reply
            .json()
            .as_array()
            .expect("array")
            .iter()
            .map(|r| r["service_request_id"].as_str().expect("id").to_string())
            .collect()
    }
}

/// The text of every `<tag>…</tag>` in `xml`, in order.
fn xml_texts<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start + open.len()..];
        let end = after.find(&close).expect("closing tag");
        out.push(&after[..end]);
        rest = &after[end + close.len()..];
    }
    out
}

fn assert_open311_error(reply: &Reply, status: u16) {
    assert_eq!(reply.status, status, "{}", reply.body);
    if reply.content_type.starts_with("text/xml") {
        assert!(
            reply.body.starts_with(r#"<?xml version="1.0" encoding="utf-8"?><errors><error><code>"#),
            "{}",
            reply.body
        );
        assert_eq!(xml_texts(&reply.body, "code")[0], status.to_string());
    } else {
        assert_eq!(reply.content_type, "application/json; charset=utf-8");
        let errors = reply.json();
        assert_eq!(errors[0]["code"], status, "{}", reply.body);
        assert!(errors[0]["description"].as_str().is_some_and(|d| !d.is_empty()));
    }
}

#[tokio::test]
async fn discovery_and_services_in_json_and_xml() {
    let t = spawn_app().await;
    t.app
        .save_report_category(&Actor::System, "air-sanitasi", "Air & Sanitasi <Desa>", "normatif", true)
        .await
        .expect("category");
    t.app.save_report_category(&Actor::System, "lama", "Kategori Lama", "normatif", false).await.expect("category");

    let discovery = t.get("discovery.json").await;
    assert_eq!(discovery.status, 200);
    let discovery = discovery.json();
    assert_eq!(discovery["endpoints"][0]["url"], "https://lapor.ciamis.example/open311/v2");
    assert_eq!(discovery["endpoints"][0]["specification"], "http://wiki.open311.org/GeoReport_v2");
    let xml = t.get("discovery.xml").await;
    assert_eq!(xml.status, 200);
    assert!(xml.body.contains("<discovery><changeset>"), "{}", xml.body);
    assert_eq!(xml_texts(&xml.body, "format"), ["application/json", "text/xml"]);

    let json = t.get("services.json").await;
    assert_eq!(json.status, 200);
    assert_eq!(json.content_type, "application/json; charset=utf-8");
    let services = json.json();
    let services = services.as_array().expect("array");
    let pupr = services.iter().find(|s| s["service_code"] == PUPR).expect("PUPR service");
    assert_eq!(pupr["service_name"], "Pekerjaan Umum dan Penataan Ruang");
    assert_eq!(pupr["metadata"], true);
    assert_eq!(pupr["type"], "realtime");
    assert_eq!(pupr["group"], "pengaduan");
    assert!(pupr["keywords"].as_str().is_some_and(|k| k.contains("pekerjaan")));
    assert!(pupr["description"].as_str().is_some_and(|d| !d.is_empty()));
    let air = services.iter().find(|s| s["service_code"] == "air-sanitasi").expect("new category");
    assert_eq!(air["service_name"], "Air & Sanitasi <Desa>");
    assert!(!services.iter().any(|s| s["service_code"] == "lama"), "inactive categories are not services");

    let xml = t.get("services.xml").await;
    assert_eq!(xml.status, 200);
    assert_eq!(xml.content_type, "text/xml; charset=utf-8");
    assert!(xml.body.starts_with(r#"<?xml version="1.0" encoding="utf-8"?><services><service><service_code>"#));
    assert!(xml.body.ends_with("</service></services>"));
    let codes = xml_texts(&xml.body, "service_code");
    assert_eq!(codes.len(), services.len());
    assert!(codes.contains(&PUPR));
    assert!(xml_texts(&xml.body, "service_name").contains(&"Air &amp; Sanitasi &lt;Desa&gt;"), "{}", xml.body);
    assert!(!xml.body.contains("<Desa>"));
    assert_eq!(xml_texts(&xml.body, "metadata").iter().filter(|m| **m == "true").count(), services.len());

    // Unknown formats and addresses are 404s.
    assert_open311_error(&t.get("services.html").await, 404);
    assert_open311_error(&t.get("services").await, 404);
    assert_open311_error(&t.get("bukan-apa-apa.json").await, 404);
    assert_open311_error(&t.get("bukan-apa-apa.xml").await, 404);
    assert_open311_error(&t.send(t.client.get(format!("{}/open311/v3/services.json", t.base))).await, 404);
}

#[tokio::test]
async fn service_definitions_list_their_attributes() {
    let t = spawn_app().await;
    let reply = t.get(&format!("services/{PUPR}.json")).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let definition = reply.json();
    assert_eq!(definition["service_code"], PUPR);
    let attributes = definition["attributes"].as_array().expect("attributes");
    let by_code = |code: &str| attributes.iter().find(|a| a["code"] == code).unwrap_or_else(|| panic!("{code}"));
    let jenis = by_code("jenis");
    assert_eq!(jenis["datatype"], "singlevaluelist");
    assert_eq!(jenis["required"], true);
    assert_eq!(jenis["variable"], true);
    let keys: Vec<&str> =
        jenis["values"].as_array().expect("values").iter().filter_map(|v| v["key"].as_str()).collect();
    assert_eq!(keys, ["pengaduan", "aspirasi", "permintaan_informasi"]);
    let desa = by_code("desa");
    assert_eq!(desa["datatype"], "string");
    assert_eq!(desa["required"], true);
    for code in ["anonim", "rahasia"] {
        let flag = by_code(code);
        assert_eq!(flag["datatype"], "singlevaluelist");
        assert_eq!(flag["required"], false);
        let keys: Vec<&str> =
            flag["values"].as_array().expect("values").iter().filter_map(|v| v["key"].as_str()).collect();
        assert_eq!(keys, ["true", "false"]);
    }

    let xml = t.get(&format!("services/{PUPR}.xml")).await;
    assert_eq!(xml.status, 200);
    assert!(xml.body.contains(&format!("<service_definition><service_code>{PUPR}</service_code><attributes>")));
    assert_eq!(xml_texts(&xml.body, "code"), ["jenis", "desa", "anonim", "rahasia"]);

    assert_open311_error(&t.get("services/tidak-ada.json").await, 404);
    assert_open311_error(&t.get("services/tidak-ada.xml").await, 404);
}

#[tokio::test]
async fn posting_needs_a_valid_key_and_valid_fields() {
    let t = spawn_app().await;
    let before = t.count().await;

    let form = [("service_code", PUPR), ("attribute[jenis]", "pengaduan"), ("attribute[desa]", SUKAMULYA)];
    let no_key = t.post("requests.json", &[&form[..], &[("description", "Jalan rusak")]].concat()).await;
    assert_open311_error(&no_key, 403);
    let no_key_xml = t.post("requests.xml", &[&form[..], &[("description", "Jalan rusak")]].concat()).await;
    assert_open311_error(&no_key_xml, 403);
    assert!(no_key_xml.content_type.starts_with("text/xml"));
    let wrong = t.post_request("Jalan rusak", &[("api_key", "balai_bukan-kunci-yang-benar")]).await;
    assert_open311_error(&wrong, 403);
    let not_ours = t.post_request("Jalan rusak", &[("api_key", "abc")]).await;
    assert_open311_error(&not_ours, 403);
    assert_eq!(t.count().await, before, "nothing stored without a valid key");

    // 4,001 characters are one too many; nothing is stored.
    let too_long = t.post_request(&"a".repeat(4001), &[]).await;
    assert_open311_error(&too_long, 400);
    let errors = too_long.json();
    assert_eq!(errors.as_array().expect("errors").len(), 1, "{}", too_long.body);
    assert!(errors[0]["description"].as_str().is_some_and(|d| d.starts_with("description:")), "{}", too_long.body);
    assert_eq!(t.count().await, before);

    // One error per field, named by its Open311 parameter.
    let bad = t
        .post_request(
            "",
            &[("attribute[desa]", "99.99.99.9999"), ("attribute[jenis]", "keluhan"), ("service_code", "tidak-ada")],
        )
        .await;
    assert_open311_error(&bad, 400);
    let descriptions: Vec<String> = bad
        .json()
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["description"].as_str().expect("d").to_string())
        .collect();
    for param in ["attribute[jenis]", "service_code", "attribute[desa]", "description"] {
        assert!(descriptions.iter().any(|d| d.starts_with(&format!("{param}:"))), "{param}: {descriptions:?}");
    }
    assert!(bad.json().as_array().expect("errors").iter().all(|e| e["code"] == 400));
    let bad_flag = t.post_request("Jalan rusak", &[("attribute[anonim]", "mungkin")]).await;
    assert_open311_error(&bad_flag, 400);
    assert!(bad_flag.body.contains("attribute[anonim]"));
    let xml = t.send(t.client.post(format!("{}/open311/v2/requests.xml", t.base)).form(&[("api_key", &t.key)])).await;
    assert_open311_error(&xml, 400);
    assert!(xml_texts(&xml.body, "error").len() >= 3, "{}", xml.body);
    // Without a name, an email or a phone the reporter must be anonymous.
    let nobody = t.post_request("Jalan rusak", &[("email", ""), ("first_name", ""), ("last_name", "")]).await;
    assert_open311_error(&nobody, 400);
    assert!(nobody.body.contains("email:"), "{}", nobody.body);
    // A body over the form limit is refused in Open311's words.
    let huge = t.post_request(&"b".repeat(70 * 1024), &[]).await;
    assert_open311_error(&huge, 413);
    assert_eq!(t.count().await, before, "nothing stored from invalid requests");

    // Exactly 4,000 characters fit in the form limit and are accepted.
    t.submit(&"kata ".repeat(800), &[]).await;
    assert_eq!(t.count().await, before + 1);
}

#[tokio::test]
async fn a_posted_request_is_listed_once_disposed() {
    let t = spawn_app().await;
    let description = "Jalan <b>rusak</b> parah & berlubang <script>alert('x')</script> di depan \"balai\" desa, \
                       dekat masjid; sudah tiga bulan tidak diperbaiki dan membahayakan pengendara motor.";
    let reply = t.post_request(description, &[("phone", "0812-3456-7890")]).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.content_type, "application/json; charset=utf-8");
    let posted = reply.json();
    let id = posted[0]["service_request_id"].as_str().expect("id").to_string();
    assert_eq!(posted[0]["account_id"], Value::Null);
    let notice = posted[0]["service_notice"].as_str().expect("notice");
    let code = notice.split("kode pelacakan ").nth(1).expect("code in notice").split(['.', ' ']).next().expect("code");
    let code = TrackingCode::parse(code).unwrap_or_else(|e| panic!("{code}: {e:?}"));
    assert!(notice.contains("paling lambat"), "{notice}");

    let stored = t.app.store().report_by_public_id(&id).await.expect("read").expect("stored");
    assert_eq!(stored.channel, "open311");
    assert_eq!(stored.code, code.as_str());
    assert_eq!(stored.description, description);
    assert_eq!(stored.reporter_name, "Asep Saepudin");
    assert!(stored.title.chars().count() <= 81 && description.starts_with(stored.title.trim_end_matches('…')));
    assert_eq!(stored.latitude, Some(-7.2851));
    let audit = t.app.store().audit_recent(&format!("report:{id}"), 5).await.expect("audit");
    assert!(
        audit.iter().any(|a| a.action == "report.submit" && a.actor == "anon:open311:pupr.ciamis@127.0.0.1"),
        "{audit:?}"
    );

    // Before verification it is not in the public list, but the app that posted it can follow
    // it by its id: the status, and nothing of its content.
    assert!(t.listed(&[]).await.is_empty());
    let pending = t.get(&format!("requests/{id}.json")).await;
    assert_eq!(pending.status, 200, "{}", pending.body);
    let item = &pending.json()[0];
    assert_eq!(item["service_request_id"], id.as_str());
    assert_eq!(item["status"], "open");
    assert_eq!(item["status_notes"], "Diterima, menunggu verifikasi");
    assert!(item["service_notice"].as_str().is_some_and(|n| n.contains("belum diverifikasi")), "{item}");
    assert_eq!(item["requested_datetime"], "2026-11-23T10:00:00+07:00");
    for hidden in ["description", "address", "lat", "long", "service_code", "agency_responsible"] {
        assert_eq!(item[hidden], Value::Null, "{hidden}");
    }
    for secret in ["Jalan", "Sukamulya km", "Asep", "-7.2851"] {
        assert!(!pending.body.contains(secret), "{secret} shown before verification: {}", pending.body);
    }
    let pending_xml = t.get(&format!("requests/{id}.xml")).await;
    assert_eq!(xml_texts(&pending_xml.body, "status"), ["open"]);
    assert!(!pending_xml.body.contains("Jalan"));
    let token = t.get(&format!("tokens/{id}.json")).await;
    assert_eq!(token.json(), serde_json::json!([{"service_request_id": id, "token": id}]));
    assert_eq!(t.listed(&[("service_request_id", &id)]).await, [id.as_str()]);

    t.dispose(&id).await;
    let list = t.get("requests.json").await;
    assert_eq!(list.status, 200);
    let items = list.json();
    assert_eq!(items.as_array().expect("array").len(), 1, "{}", list.body);
    let item = &items[0];
    assert_eq!(item["service_request_id"], id.as_str());
    assert_eq!(item["status"], "open");
    let notes = item["status_notes"].as_str().expect("notes");
    assert!(notes.contains(PUPR_NAME) && notes.contains("didisposisikan"), "{notes}");
    assert_eq!(item["agency_responsible"], PUPR_NAME);
    assert_eq!(item["service_code"], PUPR);
    assert_eq!(item["service_name"], "Pekerjaan Umum dan Penataan Ruang");
    assert_eq!(item["description"], description, "the description is plain text, as sent");
    assert_eq!(item["requested_datetime"], "2026-11-23T10:00:00+07:00");
    let expected = item["expected_datetime"].as_str().expect("expected_datetime");
    assert!(expected.ends_with("T23:59:59+07:00") && expected > "2026-11-23", "{expected}");
    assert_eq!(item["lat"], -7.2851);
    assert_eq!(item["long"], 108.3203);
    assert_eq!(item["address"], "Jl. Raya Sukamulya km 2");
    for absent in ["address_id", "zipcode", "media_url"] {
        assert_eq!(item[absent], Value::Null, "{absent}");
    }
    for secret in ["Asep", "asep@example.org", "1234567890", code.as_str()] {
        assert!(!list.body.contains(secret), "the public list shows {secret}");
    }

    // In XML the markup comes back escaped, never as markup.
    let xml = t.get("requests.xml").await;
    assert_eq!(xml.status, 200);
    assert!(xml.body.starts_with(r#"<?xml version="1.0" encoding="utf-8"?><service_requests><request>"#));
    assert!(!xml.body.contains("<script>") && !xml.body.contains("<b>"), "{}", xml.body);
    let escaped = xml_texts(&xml.body, "description")[0];
    assert!(
        escaped.contains("Jalan &lt;b&gt;rusak&lt;/b&gt; parah &amp; berlubang &lt;script&gt;alert(&apos;x&apos;)")
    );
    assert!(escaped.contains("&quot;balai&quot;"));
    assert_eq!(xml_texts(&xml.body, "status"), ["open"]);
    assert_eq!(xml_texts(&xml.body, "agency_responsible"), [PUPR_NAME]);

    // Filters.
    assert!(t.listed(&[("status", "closed")]).await.is_empty());
    assert_eq!(t.listed(&[("status", "open")]).await, [id.as_str()]);
    assert_eq!(t.listed(&[("status", "open,closed")]).await, [id.as_str()]);
    assert_open311_error(&t.get_with("requests.json", &[("status", "selesai")]).await, 400);
    assert!(t.listed(&[("service_code", "kesehatan")]).await.is_empty());
    assert_eq!(t.listed(&[("service_code", PUPR)]).await, [id.as_str()]);
    assert!(t.listed(&[("start_date", "2026-11-23T11:00:00+07:00")]).await.is_empty());
    assert_eq!(t.listed(&[("start_date", "2026-11-23T09:00:00+07:00")]).await, [id.as_str()]);
    assert_eq!(
        t.listed(&[("start_date", "2026-11-01T00:00:00Z"), ("end_date", "2026-11-23T03:00:00Z")]).await,
        [id.as_str()]
    );
    assert!(t.listed(&[("end_date", "2026-11-23T09:59:59+07:00")]).await.is_empty());
    assert_open311_error(&t.get_with("requests.json", &[("start_date", "kemarin")]).await, 400);
    assert_open311_error(
        &t.get_with("requests.json", &[("start_date", "2026-01-01T00:00:00Z"), ("end_date", "2026-11-23T00:00:00Z")])
            .await,
        400,
    );
    // A list of ids wins over every other filter, and unknown ids are left out.
    assert_eq!(
        t.listed(&[("service_request_id", &format!("tidakada, {id}")), ("status", "closed"), ("service_code", "x")])
            .await,
        [id.as_str()]
    );

    // One request, and its token.
    let one = t.get(&format!("requests/{id}.json")).await;
    assert_eq!(one.status, 200);
    assert_eq!(one.json()[0]["service_request_id"], id.as_str());
    let one_xml = t.get(&format!("requests/{id}.xml")).await;
    assert_eq!(xml_texts(&one_xml.body, "service_request_id"), [id.as_str()]);
    let token = t.get(&format!("tokens/{id}.json")).await;
    assert_eq!(token.status, 200);
    assert_eq!(token.json(), serde_json::json!([{"service_request_id": id, "token": id}]));
    assert_open311_error(&t.get("tokens/0000000000000000.json").await, 404);
    assert_open311_error(&t.get("requests/0000000000000000.xml").await, 404);

    // Closed by the office: `closed`, with who handled it and no expected time.
    let done =
        ReportCommand { action: "selesaikan".into(), text: "Jalan sudah ditambal.".into(), ..Default::default() };
    t.app.act_on_report(&t.office, &id, done).await.expect("selesaikan");
    assert_eq!(t.listed(&[("status", "closed")]).await, [id.as_str()]);
    assert!(t.listed(&[("status", "open")]).await.is_empty());
    let item = t.get(&format!("requests/{id}.json")).await.json()[0].clone();
    assert_eq!(item["status"], "closed");
    assert!(item["status_notes"].as_str().is_some_and(|n| n.starts_with("Selesai") && n.contains(PUPR_NAME)));
    assert_eq!(item["expected_datetime"], Value::Null);

    // Lists cover the last 90 days by default.
    t.clock.advance(chrono::Duration::days(91));
    assert!(t.listed(&[]).await.is_empty());
    assert_eq!(t.listed(&[("service_request_id", &id)]).await, [id.as_str()]);
}

#[tokio::test]
async fn confidential_and_anonymous_reports_stay_hidden() {
    let t = spawn_app().await;
    let secret =
        t.submit("Dugaan pungutan liar di kantor desa saat mengurus surat.", &[("attribute[rahasia]", "true")]).await;
    let anonymous = t
        .submit(
            "Lampu jalan di dusun Cibodas mati sejak seminggu.",
            &[("attribute[anonim]", "true"), ("first_name", "Euis"), ("email", ""), ("last_name", "")],
        )
        .await;
    let stored = t.app.store().report_by_public_id(&secret).await.expect("read").expect("stored");
    assert!(stored.confidential);
    t.dispose(&secret).await;
    t.dispose(&anonymous).await;

    assert_eq!(t.listed(&[]).await, [anonymous.as_str()]);
    // By its id, a confidential report shows where it stands and nothing else.
    assert_eq!(
        t.listed(&[("service_request_id", &format!("{secret},{anonymous}"))]).await,
        [secret.as_str(), anonymous.as_str()]
    );
    for path in [format!("requests/{secret}.json"), format!("requests/{secret}.xml")] {
        let reply = t.get(&path).await;
        assert_eq!(reply.status, 200, "{path}");
        assert!(reply.body.contains("Laporan rahasia: hanya statusnya yang ditampilkan."), "{}", reply.body);
        assert!(!reply.body.contains("pungutan") && !reply.body.contains("Pekerjaan Umum"), "{}", reply.body);
    }
    assert_eq!(t.get(&format!("tokens/{secret}.json")).await.status, 200);
    let xml = t.get("requests.xml").await;
    assert!(!xml.body.contains(&secret) && !xml.body.contains("pungutan"));

    for reply in [t.get("requests.json").await, xml, t.get(&format!("requests/{anonymous}.json")).await] {
        assert_eq!(reply.status, 200);
        assert!(!reply.body.contains("Euis"), "an anonymous reporter is never named: {}", reply.body);
    }
}
