//! Open311 GeoReport v2 at `/open311/v2/` (http://wiki.open311.org/GeoReport_v2/): report
//! categories as services, and reports as service requests, in JSON and XML.
//!
//! Reading is public and shows only what the public list shows (verified, not `rahasia`; never the
//! reporter). Posting needs an `api_key`: a staff API token (`balai_…`) of any active account, as
//! the operator of a kiosk or partner app holds. The report is still the citizen's: it is
//! submitted as an anonymous visitor named `open311:{username}@{address}` in the audit trail, so
//! the trail says which key brought it in, while the key's roles give the report no privilege.
//! We answer with the report's id at once, so a `token` is that id.

use std::collections::HashMap;
use std::fmt::Write as _;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use balai_app::reports::{Channel, NewReportInput};
use balai_app::{Actor, App, AppError, FieldError};
use balai_domain::calendar::format_tanggal;
use balai_domain::lapor::{ReportKind, ReportState};
use balai_store::reports::{PublicQuery, Report};
use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use serde_json::{Map, Value};

use crate::AppState;
use crate::extract::ClientIp;

const SPECIFICATION: &str = "http://wiki.open311.org/GeoReport_v2";
/// When this implementation last changed in a way clients may notice.
const CHANGESET: &str = "2026-11-23T00:00:00+07:00";
/// The most requests one list returns, and the default window (domain.md §5).
const LIST_LIMIT: i64 = 1000;
const WINDOW_DAYS: i64 = 90;
/// The most ids one `service_request_id` list may name.
const MAX_IDS: usize = 100;
/// Open311 has no title: ours is the start of the description, cut at a word.
const TITLE_CHARS: usize = 80;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/open311/v2/{file}", get(top_level).post(post_request))
        .route("/open311/v2/services/{file}", get(service_definition))
        .route("/open311/v2/requests/{file}", get(one_request))
        .route("/open311/v2/tokens/{file}", get(token))
        .route("/open311", any(unknown))
        .route("/open311/{*rest}", any(unknown))
}

// ---------------------------------------------------------------------------------------------
// Formats and documents

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Xml,
}

/// `services.json` → (`services`, JSON); an unknown extension is `None`.
fn split_format(file: &str) -> Option<(&str, Format)> {
    let (name, ext) = file.rsplit_once('.')?;
    let format = match ext {
        "json" => Format::Json,
        "xml" => Format::Xml,
        _ => return None,
    };
    Some((name, format))
}

/// A value of a response, written as JSON or XML. Fields keep their order in XML.
#[derive(Debug, Clone)]
enum Node {
    Null,
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Object(Vec<(&'static str, Node)>),
    /// A list; in XML each item is wrapped in an element of this name.
    List(&'static str, Vec<Node>),
}

fn text(s: impl Into<String>) -> Node {
    Node::Text(s.into())
}

/// Empty text is no value.
fn text_or_null(s: &str) -> Node {
    if s.is_empty() { Node::Null } else { text(s) }
}

impl Node {
    fn to_json(&self) -> Value {
        match self {
            Node::Null => Value::Null,
            Node::Text(s) => Value::String(s.clone()),
            Node::Int(n) => Value::from(*n),
            Node::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Node::Bool(b) => Value::Bool(*b),
            Node::Object(fields) => {
                Value::Object(fields.iter().map(|(k, v)| ((*k).to_string(), v.to_json())).collect::<Map<_, _>>())
            }
            Node::List(_, items) => Value::Array(items.iter().map(Node::to_json).collect()),
        }
    }

    /// The element's content (not the element itself).
    fn write_xml(&self, out: &mut String) {
        match self {
            Node::Null => {}
            Node::Text(s) => escape_xml_into(s, out),
            Node::Int(n) => {
                let _ = write!(out, "{n}");
            }
            Node::Float(f) => {
                let _ = write!(out, "{f}");
            }
            Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Node::Object(fields) => {
                for (name, value) in fields {
                    element(out, name, value);
                }
            }
            Node::List(item, items) => {
                for value in items {
                    element(out, item, value);
                }
            }
        }
    }
}

fn element(out: &mut String, name: &str, value: &Node) {
    let _ = write!(out, "<{name}>");
    value.write_xml(out);
    let _ = write!(out, "</{name}>");
}

/// Escapes text for XML content and attributes, dropping characters XML 1.0 cannot carry.
fn escape_xml_into(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
}

#[cfg(test)]
fn escape_xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_xml_into(s, &mut out);
    out
}

/// A whole response: JSON as is, XML under `root`.
fn document(format: Format, status: StatusCode, root: &str, body: &Node) -> Response {
    match format {
        Format::Json => {
            let json = serde_json::to_string(&body.to_json()).unwrap_or_else(|_| "[]".into());
            (status, [(header::CONTENT_TYPE, "application/json; charset=utf-8")], json).into_response()
        }
        Format::Xml => {
            let mut xml = String::from(r#"<?xml version="1.0" encoding="utf-8"?>"#);
            element(&mut xml, root, body);
            (status, [(header::CONTENT_TYPE, "text/xml; charset=utf-8")], xml).into_response()
        }
    }
}

fn ok(format: Format, root: &str, body: &Node) -> Response {
    document(format, StatusCode::OK, root, body)
}

// ---------------------------------------------------------------------------------------------
// Errors

/// One or more Open311 errors with the HTTP status they share.
struct Open311Error {
    format: Format,
    status: StatusCode,
    descriptions: Vec<String>,
}

impl Open311Error {
    fn new(format: Format, status: StatusCode, description: impl Into<String>) -> Self {
        Open311Error { format, status, descriptions: vec![description.into()] }
    }

    fn not_found(format: Format) -> Self {
        Open311Error::new(format, StatusCode::NOT_FOUND, "Tidak ditemukan.")
    }

    fn bad_request(format: Format, param: &str, message: impl std::fmt::Display) -> Self {
        Open311Error::new(format, StatusCode::BAD_REQUEST, format!("{param}: {message}"))
    }

    fn from_app(format: Format, e: AppError) -> Self {
        let status = match &e {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Unauthenticated | AppError::LoginFailed | AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::Invalid(_) | AppError::ImportRejected(..) => StatusCode::BAD_REQUEST,
            AppError::LockedOut { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Conflict(_) | AppError::AlreadyDone(_) => StatusCode::CONFLICT,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::StorageFull(_) => StatusCode::INSUFFICIENT_STORAGE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        if status.is_server_error() {
            tracing::error!(code = e.code(), error = %e, "Open311 request failed");
        }
        let descriptions = match &e {
            AppError::Invalid(fields) => field_errors(fields),
            _ => vec![e.user_message()],
        };
        Open311Error { format, status, descriptions }
    }
}

impl IntoResponse for Open311Error {
    fn into_response(self) -> Response {
        let code = i64::from(self.status.as_u16());
        let errors = self
            .descriptions
            .into_iter()
            .map(|d| Node::Object(vec![("code", Node::Int(code)), ("description", text(d))]))
            .collect();
        document(self.format, self.status, "errors", &Node::List("error", errors))
    }
}

type Open311Result = Result<Response, Open311Error>;

/// The Open311 parameter that carries each of our report fields.
fn param_of(field: &str) -> &str {
    match field {
        "kind" => "attribute[jenis]",
        "category" => "service_code",
        "region" => "attribute[desa]",
        "title" | "description" => "description",
        "location" => "lat, long",
        "address" => "address_string",
        "name" => "first_name, last_name",
        "lampiran" => "media",
        other => other,
    }
}

/// One description per problem, named by its Open311 parameter. The title is cut from the
/// description, so a problem with the description already says what is wrong with it.
fn field_errors(fields: &[FieldError]) -> Vec<String> {
    let has_description = fields.iter().any(|f| f.field == "description");
    let mut out: Vec<String> = Vec::new();
    for f in fields {
        if f.field == "title" && has_description {
            continue;
        }
        let line = format!("{}: {}", param_of(&f.field), f.message);
        if !out.contains(&line) {
            out.push(line);
        }
    }
    if out.is_empty() {
        out.push("Ada isian yang perlu diperbaiki.".into());
    }
    out
}

async fn unknown(OriginalUri(uri): OriginalUri) -> Open311Error {
    let format = if uri.path().ends_with(".xml") { Format::Xml } else { Format::Json };
    Open311Error::new(format, StatusCode::NOT_FOUND, "Alamat Open311 ini tidak ada; lihat /open311/v2/discovery.json.")
}

/// The format of `file`, or a 404 in JSON when its extension is neither `.json` nor `.xml`.
fn parse_file(file: &str) -> Result<(&str, Format), Open311Error> {
    split_format(file)
        .ok_or_else(|| Open311Error::new(Format::Json, StatusCode::NOT_FOUND, "Gunakan akhiran .json atau .xml."))
}

// ---------------------------------------------------------------------------------------------
// Discovery and services

async fn top_level(
    State(state): State<AppState>,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
) -> Open311Result {
    let (name, format) = parse_file(&file)?;
    match name {
        "discovery" => Ok(discovery(&state, format)),
        "services" => services(&state.app, format).await,
        "requests" => list_requests(&state.app, format, query.as_deref().unwrap_or("")).await,
        _ => Err(Open311Error::not_found(format)),
    }
}

fn base_url(app: &App) -> String {
    format!("{}/open311/v2", app.config().public_url.trim_end_matches('/'))
}

fn discovery(state: &AppState, format: Format) -> Response {
    let endpoint = Node::Object(vec![
        ("specification", text(SPECIFICATION)),
        ("url", text(base_url(&state.app))),
        ("changeset", text(CHANGESET)),
        ("type", text("production")),
        ("formats", Node::List("format", vec![text("application/json"), text("text/xml")])),
    ]);
    let body = Node::Object(vec![
        ("changeset", text(CHANGESET)),
        (
            "contact",
            text(format!(
                "Koordinator pengaduan {} ({})",
                state.site_name,
                state.app.config().public_url.trim_end_matches('/')
            )),
        ),
        (
            "key_service",
            text(
                "Kunci API (api_key) untuk mengirim laporan adalah token API petugas: dibuat di halaman akun \
                 petugas atau dengan perintah `balai user token NAMA_PENGGUNA --name NAMA_APLIKASI`.",
            ),
        ),
        ("endpoints", Node::List("endpoint", vec![endpoint])),
    ]);
    ok(format, "discovery", &body)
}

/// Words of a category name worth searching for.
fn keywords(name: &str) -> String {
    const SMALL: &[&str] = &["dan", "atau", "di", "ke", "dari", "yang", "serta", "untuk"];
    let mut words: Vec<String> = Vec::new();
    for word in name.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        let word = word.to_lowercase();
        if !SMALL.contains(&word.as_str()) && !words.contains(&word) {
            words.push(word);
        }
    }
    words.join(", ")
}

async fn services(app: &App, format: Format) -> Open311Result {
    let categories = app.report_categories().await.map_err(|e| Open311Error::from_app(format, e))?;
    let items = categories
        .into_iter()
        .filter(|c| c.active)
        .map(|c| {
            Node::Object(vec![
                ("service_code", text(&c.slug)),
                ("service_name", text(&c.name)),
                (
                    "description",
                    text(format!(
                        "Pengaduan, aspirasi atau permintaan informasi tentang {}. Laporan diverifikasi koordinator \
                         pengaduan lalu diteruskan ke instansi yang berwenang.",
                        c.name
                    )),
                ),
                ("metadata", Node::Bool(true)),
                ("type", text("realtime")),
                ("keywords", text(keywords(&c.name))),
                ("group", text("pengaduan")),
            ])
        })
        .collect();
    Ok(ok(format, "services", &Node::List("service", items)))
}

fn attribute(
    code: &'static str,
    datatype: &'static str,
    required: bool,
    order: i64,
    description: &str,
    datatype_description: &str,
    values: Option<Vec<(&str, &str)>>,
) -> Node {
    let mut fields = vec![
        ("variable", Node::Bool(true)),
        ("code", text(code)),
        ("datatype", text(datatype)),
        ("required", Node::Bool(required)),
        ("datatype_description", text_or_null(datatype_description)),
        ("order", Node::Int(order)),
        ("description", text(description)),
    ];
    if let Some(values) = values {
        let values = values
            .into_iter()
            .map(|(key, name)| Node::Object(vec![("key", text(key)), ("name", text(name))]))
            .collect();
        fields.push(("values", Node::List("value", values)));
    }
    Node::Object(fields)
}

async fn service_definition(State(state): State<AppState>, Path(file): Path<String>) -> Open311Result {
    let (code, format) = parse_file(&file)?;
    let categories = state.app.report_categories().await.map_err(|e| Open311Error::from_app(format, e))?;
    let Some(category) = categories.into_iter().find(|c| c.active && c.slug == code) else {
        return Err(Open311Error::new(format, StatusCode::NOT_FOUND, format!("Layanan \"{code}\" tidak ada.")));
    };
    let kinds = ReportKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect();
    let yes_no = |yes: &'static str| Some(vec![("true", yes), ("false", "Tidak")]);
    let attributes = vec![
        attribute(
            "jenis",
            "singlevaluelist",
            true,
            1,
            "Jenis laporan",
            "Pengaduan (keluhan), aspirasi (usulan) atau permintaan informasi publik.",
            Some(kinds),
        ),
        attribute(
            "desa",
            "string",
            true,
            2,
            "Desa/kelurahan tempat masalah ini terjadi",
            "Kode wilayah Kemendagri desa/kelurahan, misalnya 32.07.06.2001.",
            None,
        ),
        attribute(
            "anonim",
            "singlevaluelist",
            false,
            3,
            "Kirim sebagai anonim",
            "true: nama pelapor tidak ditampilkan kepada instansi maupun publik. Tanpa email atau telepon, \
             laporan harus anonim.",
            yes_no("Ya, rahasiakan identitas pelapor"),
        ),
        attribute(
            "rahasia",
            "singlevaluelist",
            false,
            4,
            "Laporan rahasia",
            "true: laporan tidak ditampilkan di daftar publik maupun di Open311.",
            yes_no("Ya, jangan tampilkan laporan ini kepada publik"),
        ),
    ];
    let body =
        Node::Object(vec![("service_code", text(&category.slug)), ("attributes", Node::List("attribute", attributes))]);
    Ok(ok(format, "service_definition", &body))
}

// ---------------------------------------------------------------------------------------------
// Posting a request

/// `true`/`false` of a list attribute (absent is `false`).
fn flag(value: Option<&String>) -> Result<bool, ()> {
    match value.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
        None | Some("" | "false" | "0" | "tidak") => Ok(false),
        Some("true" | "1" | "ya") => Ok(true),
        Some(_) => Err(()),
    }
}

/// The start of the description as a title: at most [`TITLE_CHARS`] characters, cut at a word.
fn title_of(description: &str) -> String {
    let flat = description.split_whitespace().collect::<Vec<_>>().join(" ");
    let chars: Vec<char> = flat.chars().collect();
    if chars.len() <= TITLE_CHARS {
        return flat;
    }
    let head: String = chars[..TITLE_CHARS].iter().collect();
    let cut = if chars[TITLE_CHARS] == ' ' {
        head
    } else {
        match head.rfind(' ') {
            // A very long first word is cut where it must be.
            Some(space) if head[..space].chars().count() >= TITLE_CHARS / 2 => head[..space].to_string(),
            _ => head,
        }
    };
    format!("{}…", cut.trim_end_matches([' ', ',', '.', ';', ':', '-']))
}

async fn post_request(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(file): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Open311Result {
    let (name, format) = parse_file(&file)?;
    if name != "requests" {
        return Err(Open311Error::new(format, StatusCode::METHOD_NOT_ALLOWED, "Hanya requests yang dapat dikirim."));
    }
    let body = body.map_err(|rejection| {
        let status = rejection.status();
        let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
            format!("Isi permintaan melebihi {} KB.", crate::FORM_BODY_LIMIT / 1024)
        } else {
            "Isi permintaan tidak dapat dibaca.".to_string()
        };
        Open311Error::new(format, status, message)
    })?;
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if content_type.to_ascii_lowercase().starts_with("multipart/") {
        return Err(Open311Error::new(
            format,
            StatusCode::BAD_REQUEST,
            "Kirim sebagai application/x-www-form-urlencoded; lampiran (media) tidak diterima lewat Open311.",
        ));
    }
    let mut params: HashMap<String, String> = HashMap::new();
    for (key, value) in form_urlencoded::parse(&body) {
        params.entry(key.into_owned()).or_insert_with(|| value.into_owned());
    }
    let get = |key: &str| params.get(key).map(|v| v.trim().to_string()).unwrap_or_default();

    let api_key = get("api_key");
    if api_key.is_empty() {
        return Err(Open311Error::new(format, StatusCode::FORBIDDEN, "api_key wajib diisi untuk mengirim laporan."));
    }
    let Some(user) = state.app.authenticate_api(&api_key).await.map_err(|e| Open311Error::from_app(format, e))? else {
        return Err(Open311Error::new(format, StatusCode::FORBIDDEN, "api_key tidak dikenal atau sudah dicabut."));
    };

    let mut problems = Vec::new();
    let anonymous = flag(params.get("attribute[anonim]"))
        .map_err(|()| problems.push(FieldError::new("attribute[anonim]", "Isi true atau false.")))
        .unwrap_or(false);
    let confidential = flag(params.get("attribute[rahasia]"))
        .map_err(|()| problems.push(FieldError::new("attribute[rahasia]", "Isi true atau false.")))
        .unwrap_or(false);
    if !problems.is_empty() {
        return Err(Open311Error::from_app(format, AppError::Invalid(problems)));
    }
    let description = params.get("description").cloned().unwrap_or_default();
    let name = format!("{} {}", get("first_name"), get("last_name")).trim().to_string();
    let input = NewReportInput {
        kind: get("attribute[jenis]"),
        category: get("service_code"),
        region: get("attribute[desa]"),
        title: title_of(&description),
        description,
        address: get("address_string"),
        lat: get("lat"),
        long: get("long"),
        name,
        email: get("email"),
        phone: get("phone"),
        anonymous,
        confidential,
        idempotency_key: String::new(),
    };
    let actor = Actor::Anonymous { ip: format!("open311:{}@{ip}", user.username) };
    let submitted = state
        .app
        .submit_report(&actor, input, Vec::new(), Channel::Open311)
        .await
        .map_err(|e| Open311Error::from_app(format, e))?;

    let mut notice = format!(
        "Laporan diterima dengan kode pelacakan {}. Berikan kode ini kepada pelapor: hanya dengan kode ini laporan \
         dapat dipantau dan dijawab, di {}. Koordinator pengaduan akan memverifikasinya paling lambat {}.",
        submitted.code.display(),
        state.app.tracking_url(&submitted.code),
        format_tanggal(submitted.verify_deadline.due),
    );
    if !submitted.channels.is_empty() {
        let _ = write!(notice, " Konfirmasi juga dikirim ke {} pelapor.", submitted.channels.join(" dan "));
    }
    let item = Node::Object(vec![
        ("service_request_id", text(&submitted.public_id)),
        ("service_notice", text(notice)),
        ("account_id", Node::Null),
    ]);
    Ok(ok(format, "service_requests", &Node::List("request", vec![item])))
}

// ---------------------------------------------------------------------------------------------
// Reading requests

/// Names looked up once per response: categories, and the offices holding reports.
struct Names {
    categories: HashMap<String, String>,
    handlers: HashMap<String, String>,
    offset: FixedOffset,
}

impl Names {
    async fn load(app: &App, reports: &[Report]) -> Result<Names, AppError> {
        let categories = app.report_categories().await?.into_iter().map(|c| (c.slug, c.name)).collect();
        let mut handlers = HashMap::new();
        for handler in reports.iter().filter_map(|r| r.handler.as_deref()) {
            if !handlers.contains_key(handler) {
                handlers.insert(handler.to_string(), app.handler_name(Some(handler)).await?);
            }
        }
        Ok(Names { categories, handlers, offset: app.config().utc_offset })
    }

    fn datetime(&self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.offset).to_rfc3339_opts(SecondsFormat::Secs, false)
    }
}

/// A report as a GeoReport v2 service request: only what the public list shows.
fn request_node(r: &Report, names: &Names) -> Node {
    let state = r.state.parse::<ReportState>().ok();
    let holder = r.handler.as_deref().and_then(|h| names.handlers.get(h)).cloned();
    let status_notes = match (state, &holder) {
        (Some(s), Some(h)) if s.is_closed() => format!("{} — ditangani oleh {h}", s.label()),
        (Some(s), Some(h)) => format!("{} — {h}", s.label()),
        (Some(s), None) => s.label().to_string(),
        (None, _) => r.state.clone(),
    };
    let open = state.is_some_and(|s| !s.is_closed());
    // The end of the deadline day, local time.
    let expected = r
        .due_on
        .filter(|_| open)
        .and_then(|d| d.and_hms_opt(23, 59, 59))
        .and_then(|d| d.and_local_timezone(names.offset).single())
        .map(|d| d.to_rfc3339_opts(SecondsFormat::Secs, false));
    let coordinate = |v: Option<f64>| v.map_or(Node::Null, Node::Float);
    Node::Object(vec![
        ("service_request_id", text(&r.public_id)),
        ("status", text(state.map_or("open", |s| s.open311_status()))),
        ("status_notes", text(status_notes)),
        ("service_name", text(names.categories.get(&r.category).unwrap_or(&r.category))),
        ("service_code", text(&r.category)),
        ("description", text(&r.description)),
        ("agency_responsible", holder.map_or(Node::Null, text)),
        ("service_notice", Node::Null),
        ("requested_datetime", text(names.datetime(r.received_at))),
        ("updated_datetime", text(names.datetime(r.updated_at))),
        ("expected_datetime", expected.map_or(Node::Null, text)),
        ("address", text_or_null(&r.address)),
        ("address_id", Node::Null),
        ("zipcode", Node::Null),
        ("lat", coordinate(r.latitude)),
        ("long", coordinate(r.longitude)),
        ("media_url", Node::Null),
    ])
}

/// Listed reports in full; the others (asked for by id) with their status only.
async fn requests_response(app: &App, format: Format, reports: Vec<Report>) -> Open311Result {
    let public: Vec<Report> = reports.iter().filter(|r| is_public(r)).cloned().collect();
    let names = Names::load(app, &public).await.map_err(|e| Open311Error::from_app(format, e))?;
    let items = reports
        .iter()
        .map(|r| if is_public(r) { request_node(r, &names) } else { minimal_request_node(r, &names) })
        .collect();
    Ok(ok(format, "service_requests", &Node::List("request", items)))
}

/// A report asked for by its public id (which only its submitter knows until it is listed).
async fn report_by_id(app: &App, public_id: &str) -> Result<Option<Report>, AppError> {
    let public_id = public_id.trim();
    if public_id.is_empty() || public_id.len() > 64 {
        return Ok(None);
    }
    Ok(app.store().report_by_public_id(public_id).await?)
}

/// Whether the public may read a report's content: verified, listed and not confidential.
fn is_public(r: &Report) -> bool {
    r.listed && !r.confidential
}

/// A report the public may not read yet (not verified, not listed, or confidential) as its
/// submitter's app sees it: its id, where it stands and when, and nothing of its content.
fn minimal_request_node(r: &Report, names: &Names) -> Node {
    let state = r.state.parse::<ReportState>().ok();
    let notice = if r.confidential {
        "Laporan rahasia: hanya statusnya yang ditampilkan."
    } else if state.is_some_and(|s| s.is_closed()) {
        "Laporan ini tidak ditampilkan untuk umum."
    } else {
        "Laporan belum diverifikasi koordinator; isinya tampil untuk umum setelah diverifikasi."
    };
    Node::Object(vec![
        ("service_request_id", text(&r.public_id)),
        ("status", text(state.map_or("open", |s| s.open311_status()))),
        ("status_notes", text(state.map_or(r.state.as_str(), |s| s.label()))),
        ("service_name", Node::Null),
        ("service_code", Node::Null),
        ("description", Node::Null),
        ("agency_responsible", Node::Null),
        ("service_notice", text(notice)),
        ("requested_datetime", text(names.datetime(r.received_at))),
        ("updated_datetime", text(names.datetime(r.updated_at))),
        ("expected_datetime", Node::Null),
        ("address", Node::Null),
        ("address_id", Node::Null),
        ("zipcode", Node::Null),
        ("lat", Node::Null),
        ("long", Node::Null),
        ("media_url", Node::Null),
    ])
}

fn parse_datetime(format: Format, param: &str, value: &str) -> Result<DateTime<Utc>, Open311Error> {
    DateTime::parse_from_rfc3339(value.trim()).map(|d| d.with_timezone(&Utc)).map_err(|_| {
        Open311Error::bad_request(
            format,
            param,
            "Gunakan tanggal-waktu W3C (RFC 3339), misalnya 2026-11-23T10:00:00+07:00.",
        )
    })
}

async fn list_requests(app: &App, format: Format, query: &str) -> Open311Result {
    let mut params: HashMap<String, String> = HashMap::new();
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        params.entry(key.into_owned()).or_insert_with(|| value.into_owned());
    }
    let param = |key: &str| params.get(key).map(|v| v.trim()).filter(|v| !v.is_empty());

    // A list of ids overrides every other filter.
    if let Some(ids) = param("service_request_id") {
        let mut wanted: Vec<&str> = Vec::new();
        for id in ids.split(',').map(str::trim).filter(|id| !id.is_empty()) {
            if !wanted.contains(&id) {
                wanted.push(id);
            }
        }
        if wanted.len() > MAX_IDS {
            return Err(Open311Error::bad_request(
                format,
                "service_request_id",
                format!("Paling banyak {MAX_IDS} nomor sekaligus."),
            ));
        }
        let mut reports = Vec::new();
        for id in wanted {
            if let Some(report) = report_by_id(app, id).await.map_err(|e| Open311Error::from_app(format, e))? {
                reports.push(report);
            }
        }
        return requests_response(app, format, reports).await;
    }

    let start = param("start_date").map(|v| parse_datetime(format, "start_date", v)).transpose()?;
    let end = param("end_date").map(|v| parse_datetime(format, "end_date", v)).transpose()?;
    let window = chrono::Duration::days(WINDOW_DAYS);
    // Received in [from, until); without dates, the last 90 days.
    let (from, until) = match (start, end) {
        (None, None) => (app.now() - window, None),
        (Some(start), None) => (start, Some(start + window)),
        (None, Some(end)) => (end - window, Some(end + chrono::Duration::microseconds(1))),
        (Some(start), Some(end)) => {
            if end < start {
                return Err(Open311Error::bad_request(format, "end_date", "Harus sesudah start_date."));
            }
            if end - start > window {
                return Err(Open311Error::bad_request(
                    format,
                    "end_date",
                    format!("Rentang start_date sampai end_date paling lama {WINDOW_DAYS} hari."),
                ));
            }
            (start, Some(end + chrono::Duration::microseconds(1)))
        }
    };
    let (mut open, mut closed) = (false, false);
    if let Some(statuses) = param("status") {
        for status in statuses.split(',').map(|s| s.trim().to_ascii_lowercase()).filter(|s| !s.is_empty()) {
            match status.as_str() {
                "open" => open = true,
                "closed" => closed = true,
                _ => return Err(Open311Error::bad_request(format, "status", "Isi open, closed atau open,closed.")),
            }
        }
    }
    let query = PublicQuery {
        category: param("service_code").map(str::to_string),
        from: Some(from),
        until,
        // Listed reports are open or `selesai`, the only closed state they reach.
        closed: if open == closed { None } else { Some(closed) },
        limit: LIST_LIMIT,
        offset: 0,
        ..PublicQuery::default()
    };
    let reports = app.store().public_reports(&query).await.map_err(|e| Open311Error::from_app(format, e.into()))?;
    requests_response(app, format, reports).await
}

async fn one_request(State(state): State<AppState>, Path(file): Path<String>) -> Open311Result {
    let (id, format) = parse_file(&file)?;
    let report = report_by_id(&state.app, id).await.map_err(|e| Open311Error::from_app(format, e))?;
    let Some(report) = report else { return Err(Open311Error::not_found(format)) };
    requests_response(&state.app, format, vec![report]).await
}

async fn token(State(state): State<AppState>, Path(file): Path<String>) -> Open311Result {
    let (token, format) = parse_file(&file)?;
    let report = report_by_id(&state.app, token).await.map_err(|e| Open311Error::from_app(format, e))?;
    let Some(report) = report else { return Err(Open311Error::not_found(format)) };
    let item = Node::Object(vec![("service_request_id", text(&report.public_id)), ("token", text(token))]);
    Ok(ok(format, "service_requests", &Node::List("request", vec![item])))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escapes_markup_and_drops_what_xml_cannot_hold() {
        assert_eq!(escape_xml(r#"<b>"A" & 'B'</b>"#), "&lt;b&gt;&quot;A&quot; &amp; &apos;B&apos;&lt;/b&gt;");
        assert_eq!(escape_xml("a\u{1}b\nc"), "ab\nc");
    }

    #[test]
    fn formats_come_from_the_extension() {
        assert_eq!(split_format("services.json"), Some(("services", Format::Json)));
        assert_eq!(split_format("a.b.xml"), Some(("a.b", Format::Xml)));
        assert_eq!(split_format("services.html"), None);
        assert_eq!(split_format("services"), None);
    }

    #[test]
    fn titles_are_cut_at_a_word() {
        assert_eq!(title_of("  Jalan   rusak\ndi dusun  "), "Jalan rusak di dusun");
        let long = "kata ".repeat(30);
        let title = title_of(&long);
        assert!(title.ends_with("kata…"), "{title}");
        assert!(title.chars().count() <= TITLE_CHARS + 1);
        let exact = format!("{} lanjut", "a".repeat(TITLE_CHARS));
        assert_eq!(title_of(&exact), format!("{}…", "a".repeat(TITLE_CHARS)));
        let one_word = "x".repeat(200);
        assert_eq!(title_of(&one_word).chars().count(), TITLE_CHARS + 1);
    }

    #[test]
    fn flags_read_true_and_false() {
        assert_eq!(flag(None), Ok(false));
        assert_eq!(flag(Some(&"TRUE".to_string())), Ok(true));
        assert_eq!(flag(Some(&"false".to_string())), Ok(false));
        assert_eq!(flag(Some(&"mungkin".to_string())), Err(()));
    }

    #[test]
    fn documents_in_both_formats() {
        let body = Node::List(
            "request",
            vec![Node::Object(vec![("id", text("a<b")), ("lat", Node::Float(-7.5)), ("x", Node::Null)])],
        );
        let xml = document(Format::Xml, StatusCode::OK, "service_requests", &body);
        assert_eq!(xml.status(), StatusCode::OK);
        let mut out = String::new();
        element(&mut out, "service_requests", &body);
        assert_eq!(
            out,
            "<service_requests><request><id>a&lt;b</id><lat>-7.5</lat><x></x></request></service_requests>"
        );
        assert_eq!(body.to_json(), serde_json::json!([{"id": "a<b", "lat": -7.5, "x": null}]));
    }

    #[test]
    fn field_errors_name_open311_parameters() {
        let fields = vec![
            FieldError::new("title", "Isi judul."),
            FieldError::new("description", "Isi uraian."),
            FieldError::new("region", "Pilih desa."),
        ];
        assert_eq!(field_errors(&fields), vec!["description: Isi uraian.", "attribute[desa]: Pilih desa."]);
    }
}
