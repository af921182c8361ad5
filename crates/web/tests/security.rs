//! The security suite: who may reach what (an authorization matrix over every staff route and API
//! endpoint), CSRF on every form, stored XSS in every free-text field, upload attacks, login
//! throttling and session fixation for staff and residents, security headers on every kind of
//! response, and no personal data in the logs. Like the HTTP suite, it drives the real router on a
//! real port over a fresh database (SQLite by default, PostgreSQL when `TEST_DATABASE_URL` names
//! one).

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

mod support;

use reqwest::redirect::Policy;
use support::{Browser, JPEG, PDF, Page, TestApp, between, letter_field_names, sktm_files};

// ---- logs: everything at debug level, captured for the whole test binary ----

#[derive(Clone)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The captured log output of every test in this binary (installed once, as the global default).
fn captured_logs() -> &'static LogBuffer {
    static LOGS: OnceLock<LogBuffer> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer = LogBuffer(Arc::new(Mutex::new(Vec::new())));
        let writer = buffer.clone();
        tracing_subscriber::fmt()
            .with_env_filter("debug")
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .try_init()
            .expect("the only global subscriber in this test binary");
        buffer
    })
}

// ---- the app and a browser (as in http.rs) ----

/// The shared test app, with every log line captured from the start.
async fn spawn_app() -> TestApp {
    captured_logs();
    support::spawn_app().await
}

impl TestApp {
    /// Creates a staff account through the admin's form and remembers its one-time password.
    async fn create_staff(&mut self, admin: &Browser, username: &str, full_name: &str, role: &str, scope: &str) {
        let page = admin
            .post(
                "/staf/pengguna",
                &[("username", username), ("full_name", full_name), ("role", role), ("scope", scope)],
            )
            .await;
        assert_eq!(page.status, 200, "create {username}: {}", page.body);
        let password =
            page.body.split("<code>").nth(1).and_then(|s| s.split("</code>").next()).expect("password shown once");
        self.accounts.insert(username.to_string(), password.to_string());
    }
}

impl Browser {
    /// Posts a form with exactly these fields (no token added).
    async fn post_bare(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        self.send(self.client.post(format!("{}{path}", self.base)).form(fields)).await
    }
}

const SKTM_FIELDS: [(&str, &str); 3] =
    [("penghasilan", "750000"), ("jumlah_tanggungan", "4"), ("keperluan", "Beasiswa sekolah")];

const SUKAMULYA: &str = "32.07.06.2001";
const CIKONENG: &str = "32.07.02.2001";

/// Demo residents of Desa Sukamulya (from the demo register).
const NIK_ASEP: &str = "3207061205900001";
const KK_ASEP: &str = "3207060101200001";
const NIK_EUIS: &str = "3207065208950002";
/// A resident of Desa Cikoneng, imported by its operator.
const NIK_CIKONENG: &str = "3207024107800001";

/// The code in a `/lapor/lacak/{code}?baru=1` redirect.
fn tracking_code_of(page: &Page) -> String {
    let location = page.location();
    let rest = location.strip_prefix("/lapor/lacak/").unwrap_or_else(|| panic!("not a tracking redirect: {location}"));
    rest.split('?').next().expect("code").to_string()
}

fn report_fields<'a>(key: &'a str, region: &'a str, title: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("idempotency_key", key),
        ("kind", "pengaduan"),
        ("category", "pekerjaan-umum-dan-penataan-ruang"),
        ("region", region),
        ("title", title),
        ("description", "Jalan desa di Dusun Cibodas berlubang sepanjang 200 meter."),
    ]
}

/// Sends a report from `browser`; returns its tracking code.
async fn send_report(browser: &Browser, fields: &[(&str, &str)], files: &[(&str, &str, Vec<u8>)]) -> String {
    browser.get("/lapor").await;
    let token = browser.csrf().await;
    let page = browser.post_files("/lapor", fields, files, Some(token)).await;
    assert_eq!(page.status, 303, "report: {}", page.body);
    tracking_code_of(&page)
}

/// A walk-in letter request entered at the counter for `nik`; returns its id.
async fn walk_in_request(op: &Browser, village: &str, letter_type: &str, nik: &str, value: &str) -> String {
    let form = op.get(&format!("/staf/desa/{village}/surat/baru?jenis={letter_type}")).await;
    assert_eq!(form.status, 200, "{}", form.body);
    let names = letter_field_names(&form.body);
    let mut fields: Vec<(&str, &str)> = vec![("letter_type", letter_type), ("nik", nik)];
    fields.extend(names.iter().map(|n| (n.as_str(), value)));
    let created = op.post(&format!("/staf/desa/{village}/surat/baru"), &fields).await;
    assert_eq!(created.status, 303, "walk-in: {}", created.body);
    created.location().trim_start_matches("/staf/surat/").to_string()
}

/// Signs a resident up; returns the browser, signed in as them.
async fn sign_up(t: &TestApp, nik: &str, full_name: &str, phone: &str, email: &str) -> Browser {
    let warga = t.browser();
    warga.get("/warga/daftar").await;
    let page = warga
        .post(
            "/warga/daftar",
            &[
                ("village", SUKAMULYA),
                ("nik", nik),
                ("full_name", full_name),
                ("phone", phone),
                ("email", email),
                ("password", "rahasia-sekali"),
                ("password_confirm", "rahasia-sekali"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "sign-up: {}", page.body);
    warga
}

/// Confirms every pending sign-up of Desa Sukamulya; returns the resident ids decided.
async fn confirm_all(op: &Browser) -> Vec<String> {
    let pending = op.get(&format!("/staf/desa/{SUKAMULYA}/warga")).await;
    let ids: Vec<String> = pending
        .body
        .split("action=\"/staf/warga/")
        .skip(1)
        .filter_map(|s| s.split('/').next().map(str::to_string))
        .collect();
    for id in &ids {
        let page = op
            .post(&format!("/staf/warga/{id}/keputusan"), &[("village", SUKAMULYA), ("decision", "konfirmasi")])
            .await;
        assert_eq!(page.status, 303, "confirm: {}", page.body);
    }
    ids
}

/// An online SKTM request by a confirmed resident; returns (request id, first attachment id).
async fn online_request(warga: &Browser, fields: &[(&str, &str)]) -> (String, String) {
    warga.get("/warga/ajukan/sktm").await;
    let token = warga.csrf().await;
    let created = warga.post_files("/warga/ajukan/sktm", fields, &sktm_files(), Some(token)).await;
    assert_eq!(created.status, 303, "online request: {}", created.body);
    let id = created.location().trim_start_matches("/warga/permohonan/").split('?').next().expect("id").to_string();
    let page = warga.get(&format!("/warga/permohonan/{id}")).await;
    let file = between(&page.body, &format!("/warga/permohonan/{id}/lampiran/"), "\"").expect("attachment").to_string();
    (id, file)
}

// ---- 1. the authorization matrix ----

/// The matrix's columns: who asks. Staff columns use their session (HTML) or API token (API).
const ACTORS: [&str; 11] = ["anon", "warga", "admin", "eval", "camat", "op", "kades", "ppid", "op2", "pupr", "dinkes"];

fn username_of(actor: &str) -> Option<&'static str> {
    Some(match actor {
        "admin" => "admin.ciamis",
        "eval" => "evaluator.ciamis",
        "camat" => "camat.cihaurbeuti",
        "op" => "operator.sukamulya",
        "kades" => "kades.sukamulya",
        "ppid" => "ppid.sukamulya",
        "op2" => "operator.cikoneng",
        "pupr" => "pupr.ciamis",
        "dinkes" => "dinkes.ciamis",
        _ => return None,
    })
}

#[derive(Clone, Copy)]
enum Body {
    None,
    Form(&'static [(&'static str, &'static str)]),
    Multipart(&'static [(&'static str, &'static str)]),
    Json(&'static str),
}

struct Row {
    method: &'static str,
    path: &'static str,
    body: Body,
    expected: [u16; 11],
}

const fn get(path: &'static str, expected: [u16; 11]) -> Row {
    Row { method: "GET", path, body: Body::None, expected }
}

const fn post(path: &'static str, body: Body, expected: [u16; 11]) -> Row {
    Row { method: "POST", path, body, expected }
}

/// Placeholders: {S}/{C} Sukamulya/Cikoneng; {LA}/{LB} walk-in letter requests of each; {WA}/{WB}
/// online requests of resident A (Asep) and B (Euis), {AA}/{AB} one of their attachments; {RA}
/// a report disposed to Dinas PUPR, {FA} its photo, {CA} its tracking code; {RB} a report disposed to
/// Dinas Kesehatan; {RES} resident B's account id; {TOKEN} the column's API token.
///
/// 303 is a redirect: to /masuk for staff pages and to /warga/masuk for residents' pages.
#[rustfmt::skip]
fn matrix() -> Vec<Row> {
    use Body::*;
    const X: u16 = 303;
    vec![
        //                                                     anon warga admin eval camat  op  kades ppid  op2  pupr dinkes
        // public pages
        get("/",                                              [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
        get("/desa/{S}",                                      [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
        get("/lapor/publik",                                  [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
        get("/lapor/publik/{RA}",                             [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
        get("/lapor/lacak/{CA}",                              [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
        // staff pages
        get("/staf",                                          [X,   X,   200, 200, 200, 200, 200, 200, 200, 200, 200]),
        get("/staf/desa/{S}",                                 [X,   X,   200, 200, 200, 200, 200, 200, 404, 404, 404]),
        get("/staf/desa/{C}",                                 [X,   X,   200, 200, 404, 404, 404, 404, 200, 404, 404]),
        post("/staf/desa/{S}", Form(&[("address", "Matriks"), ("phone", "abc")]),
                                                              [X,   X,   422, 404, 404, 422, 422, 404, 404, 404, 404]),
        post("/staf/desa/{C}", Form(&[("address", "Matriks"), ("phone", "abc")]),
                                                              [X,   X,   422, 404, 404, 404, 404, 404, 422, 404, 404]),
        get("/staf/opd",                                      [X,   X,   200, 404, 404, 404, 404, 404, 404, 404, 404]),
        post("/staf/opd", Form(&[("name", ""), ("regency", "32.07")]),
                                                              [X,   X,   422, 404, 404, 404, 404, 404, 404, 404, 404]),
        get("/staf/pengguna",                                 [X,   X,   200, 404, 404, 404, 404, 404, 404, 404, 404]),
        post("/staf/pengguna", Form(&[("username", "X"), ("role", "operator_desa"), ("scope", "32.07.06.2001")]),
                                                              [X,   X,   422, 404, 404, 404, 404, 404, 404, 404, 404]),
        get("/staf/token",                                    [X,   X,   200, 200, 200, 200, 200, 200, 200, 200, 200]),
        post("/staf/token", Form(&[("name", "")]),            [X,   X,   422, 422, 422, 422, 422, 422, 422, 422, 422]),
        post("/staf/token/cabut", Form(&[("id", "tidak-ada")]),
                                                              [X,   X,   404, 404, 404, 404, 404, 404, 404, 404, 404]),
        get("/staf/pesan",                                    [X,   X,   200, 404, 404, 404, 404, 404, 404, 404, 404]),
        // reports
        get("/staf/lapor",                                    [X,   X,   200, 200, 200, 200, 200, 200, 200, 200, 200]),
        get("/staf/lapor/kategori",                           [X,   X,   200, 403, 403, 403, 403, 403, 403, 403, 403]),
        post("/staf/lapor/kategori", Form(&[("slug", ""), ("name", ""), ("tier", "")]),
                                                              [X,   X,   422, 403, 403, 403, 403, 403, 403, 403, 403]),
        // A village's operator and head coordinate the reports about their village.
        get("/staf/lapor/{RA}",                               [X,   X,   200, 404, 404, 200, 200, 404, 404, 200, 404]),
        get("/staf/lapor/{RB}",                               [X,   X,   200, 404, 404, 404, 404, 404, 200, 404, 200]),
        get("/staf/lapor/{RA}/lampiran/{FA}",                 [X,   X,   200, 404, 404, 200, 200, 404, 404, 200, 404]),
        get("/lapor/lacak/{CA}/lampiran/{FA}",                [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
        post("/staf/lapor/{RA}/aksi", Form(&[("action", "catatan"), ("text", "")]),
                                                              [X,   X,   422, 404, 404, 422, 422, 404, 404, 422, 404]),
        post("/staf/lapor/{RB}/aksi", Form(&[("action", "catatan"), ("text", "")]),
                                                              [X,   X,   422, 404, 404, 404, 404, 404, 422, 404, 422]),
        get("/staf/lapor/ekspor",                             [X,   X,   200, 200, 200, 200, 200, 200, 200, 200, 200]),
        // Everyone who coordinates or handles reports exports their own (checked below); the
        // regional read-only roles get 403 here where other admin pages say 404.
        get("/staf/lapor/ekspor?format=csv",                  [X,   X,   200, 403, 403, 200, 200, 200, 200, 200, 200]),
        // letters: settings (the regency admin may edit every village's, like its profile), queue, requests
        get("/staf/desa/{S}/surat/pengaturan",                [X,   X,   200, 404, 404, 200, 200, 404, 404, 404, 404]),
        get("/staf/desa/{C}/surat/pengaturan",                [X,   X,   200, 404, 404, 404, 404, 404, 200, 404, 404]),
        post("/staf/desa/{S}/surat/pengaturan", Form(&[("number_format", "{tidak_ada}"), ("counter_scope", "semua"), ("paper", "a4")]),
                                                              [X,   X,   422, 404, 404, 422, 422, 404, 404, 404, 404]),
        post("/staf/desa/{C}/surat/pengaturan", Form(&[("number_format", "{tidak_ada}"), ("counter_scope", "semua"), ("paper", "a4")]),
                                                              [X,   X,   422, 404, 404, 404, 404, 404, 422, 404, 404]),
        get("/staf/desa/{S}/surat/pratinjau.pdf",             [X,   X,   200, 404, 404, 200, 200, 404, 404, 404, 404]),
        get("/staf/desa/{C}/surat/pratinjau.pdf",             [X,   X,   200, 404, 404, 404, 404, 404, 200, 404, 404]),
        get("/staf/desa/{S}/surat/jenis/sktm",                [X,   X,   200, 404, 404, 200, 200, 404, 404, 404, 404]),
        get("/staf/desa/{C}/surat/jenis/sktm",                [X,   X,   200, 404, 404, 404, 404, 404, 200, 404, 404]),
        post("/staf/desa/{S}/surat/jenis/sktm", Form(&[("name", "")]),
                                                              [X,   X,   422, 404, 404, 422, 422, 404, 404, 404, 404]),
        get("/staf/desa/{S}/layanan/informasi",               [X,   X,   200, 404, 404, 200, 200, 404, 404, 404, 404]),
        get("/staf/desa/{C}/layanan/pengaduan",               [X,   X,   200, 404, 404, 404, 404, 404, 200, 404, 404]),
        post("/staf/desa/{S}/layanan/informasi", Form(&[("biaya", "")]),
                                                              [X,   X,   422, 404, 404, 422, 422, 404, 404, 404, 404]),
        get("/staf/desa/{S}/surat",                           [X,   X,   404, 404, 404, 200, 200, 404, 404, 404, 404]),
        get("/staf/desa/{C}/surat",                           [X,   X,   404, 404, 404, 404, 404, 404, 200, 404, 404]),
        get("/staf/desa/{S}/surat/baru",                      [X,   X,   404, 404, 404, 200, 200, 404, 404, 404, 404]),
        get("/staf/desa/{C}/surat/baru",                      [X,   X,   404, 404, 404, 404, 404, 404, 200, 404, 404]),
        post("/staf/desa/{S}/surat/baru", Form(&[("letter_type", ""), ("nik", "1")]),
                                                              [X,   X,   404, 404, 404, 422, 422, 404, 404, 404, 404]),
        post("/staf/desa/{C}/surat/baru", Form(&[("letter_type", ""), ("nik", "1")]),
                                                              [X,   X,   404, 404, 404, 404, 404, 404, 422, 404, 404]),
        post("/staf/desa/{S}/surat/nomor", Form(&[("letter_type", "usaha"), ("note", "")]),
                                                              [X,   X,   404, 404, 404, 422, 422, 404, 404, 404, 404]),
        post("/staf/desa/{C}/surat/nomor", Form(&[("letter_type", "usaha"), ("note", "")]),
                                                              [X,   X,   404, 404, 404, 404, 404, 404, 422, 404, 404]),
        post("/staf/desa/{C}/surat/tandatangani", Form(&[("id", "{LB}")]),
                                                              [X,   X,   200, 200, 200, 200, 200, 200, 200, 200, 200]),
        get("/staf/surat/{LA}",                               [X,   X,   404, 404, 404, 200, 200, 404, 404, 404, 404]),
        get("/staf/surat/{LB}",                               [X,   X,   404, 404, 404, 404, 404, 404, 200, 404, 404]),
        get("/staf/surat/{LA}/pdf",                           [X,   X,   404, 404, 404, 200, 200, 404, 404, 404, 404]),
        post("/staf/surat/{LA}/aksi", Form(&[("action", "bukan-tindakan")]),
                                                              [X,   X,   404, 404, 404, 422, 422, 404, 404, 404, 404]),
        post("/staf/surat/{LB}/aksi", Form(&[("action", "bukan-tindakan")]),
                                                              [X,   X,   404, 404, 404, 404, 404, 404, 422, 404, 404]),
        // Only a signer may revoke: the operator, who sees the letter, gets 404 rather than 403.
        post("/staf/surat/{LA}/cabut", Form(&[("reason", "")]),
                                                              [X,   X,   404, 404, 404, 404, 422, 404, 404, 404, 404]),
        get("/staf/surat/{WA}/lampiran/{AA}",                 [X,   X,   404, 404, 404, 200, 200, 404, 404, 404, 404]),
        // the register and residents' sign-ups
        get("/staf/desa/{S}/penduduk",                        [X,   X,   404, 404, 404, 200, 200, 404, 404, 404, 404]),
        get("/staf/desa/{C}/penduduk",                        [X,   X,   404, 404, 404, 404, 404, 404, 200, 404, 404]),
        post("/staf/desa/{S}/penduduk/impor", Multipart(&[]),
                                                              [X,   X,   404, 404, 404, 422, 422, 404, 404, 404, 404]),
        get("/staf/desa/{S}/warga",                           [X,   X,   404, 404, 404, 200, 200, 404, 404, 404, 404]),
        get("/staf/desa/{C}/warga",                           [X,   X,   404, 404, 404, 404, 404, 404, 200, 404, 404]),
        post("/staf/warga/{RES}/keputusan", Form(&[("village", "32.07.06.2001"), ("decision", "konfirmasi")]),
                                                              [X,   X,   404, 404, 404, 422, 422, 404, 404, 404, 404]),
        // the village portal's news (operator, head and PPID publish; the regency does not)
        get("/staf/desa/{S}/berita",                          [X,   X,   404, 404, 404, 200, 200, 200, 404, 404, 404]),
        post("/staf/desa/{S}/berita", Multipart(&[("kind", "berita"), ("title", "")]),
                                                              [X,   X,   404, 404, 404, 422, 422, 422, 404, 404, 404]),
        // residents' pages
        get("/warga",                                         [X,   200, X,   X,   X,   X,   X,   X,   X,   X,   X  ]),
        get("/warga/ajukan",                                  [X,   200, X,   X,   X,   X,   X,   X,   X,   X,   X  ]),
        get("/warga/ajukan/sktm",                             [X,   200, X,   X,   X,   X,   X,   X,   X,   X,   X  ]),
        post("/warga/ajukan/sktm", Multipart(&[]),            [X,   422, X,   X,   X,   X,   X,   X,   X,   X,   X  ]),
        get("/warga/permohonan/{WA}",                         [X,   200, X,   X,   X,   X,   X,   X,   X,   X,   X  ]),
        get("/warga/permohonan/{WB}",                         [X,   404, X,   X,   X,   X,   X,   X,   X,   X,   X  ]),
        get("/warga/permohonan/{WA}/lampiran/{AA}",           [X,   200, X,   X,   X,   X,   X,   X,   X,   X,   X  ]),
        get("/warga/permohonan/{WB}/lampiran/{AB}",           [X,   404, X,   X,   X,   X,   X,   X,   X,   X,   X  ]),
        get("/warga/permohonan/{LA}",                         [X,   404, X,   X,   X,   X,   X,   X,   X,   X,   X  ]),
        get("/warga/permohonan/{LA}/surat.pdf",               [X,   404, X,   X,   X,   X,   X,   X,   X,   X,   X  ]),
        post("/warga/permohonan/{WB}/batal", Form(&[]),       [X,   404, X,   X,   X,   X,   X,   X,   X,   X,   X  ]),
        post("/warga/permohonan/{WB}/perbaikan", Multipart(&[("keperluan", "x")]),
                                                              [X,   404, X,   X,   X,   X,   X,   X,   X,   X,   X  ]),
        // the API (staff columns send their bearer token; anon and warga send none)
        get("/api/v1/desa/{S}/jenis-surat",                   [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
        get("/api/v1/desa/{S}/permohonan",                    [401, 401, 404, 404, 404, 200, 200, 404, 404, 404, 404]),
        get("/api/v1/desa/{C}/permohonan",                    [401, 401, 404, 404, 404, 404, 404, 404, 200, 404, 404]),
        post("/api/v1/desa/{S}/permohonan", Json(r#"{"letter_type":"","nik":"1"}"#),
                                                              [401, 401, 404, 404, 404, 422, 422, 404, 404, 404, 404]),
        post("/api/v1/desa/{C}/permohonan", Json(r#"{"letter_type":"","nik":"1"}"#),
                                                              [401, 401, 404, 404, 404, 404, 404, 404, 422, 404, 404]),
        get("/api/v1/permohonan/{LA}",                        [401, 401, 404, 404, 404, 200, 200, 404, 404, 404, 404]),
        get("/api/v1/permohonan/{LB}",                        [401, 401, 404, 404, 404, 404, 404, 404, 200, 404, 404]),
        get("/api/v1/permohonan/{LA}/surat.pdf",              [401, 401, 404, 404, 404, 200, 200, 404, 404, 404, 404]),
        post("/api/v1/permohonan/{LB}/aksi", Json(r#"{"action":"tolak","note":""}"#),
                                                              [401, 401, 404, 404, 404, 404, 404, 404, 422, 404, 404]),
        post("/api/v1/permohonan/{LB}/tandatangani", Json("{}"),
                                                              [401, 401, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
        post("/webhook/pesan-masuk", Json(r#"{"from":"081234567890","text":"BANTUAN"}"#),
                                                              [401, 401, 200, 403, 403, 403, 403, 403, 403, 403, 403]),
        get("/open311/v2/services.json",                      [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
        post("/open311/v2/requests.json", Form(&[("api_key", "{TOKEN}")]),
                                                              [403, 403, 400, 400, 400, 400, 400, 400, 400, 400, 400]),
    ]
}

/// Personal data an actor must never see (on any page of the matrix).
fn forbidden_pii(actor: &str, w: &World) -> Vec<String> {
    let resident_a = vec![NIK_ASEP.to_string(), KK_ASEP.to_string(), w.warga_a_email.clone(), "81211112222".into()];
    let reporter = vec![w.reporter_email.clone(), "81355556666".into(), w.reporter_name.clone()];
    match actor {
        "warga" => vec![NIK_EUIS.to_string(), w.warga_b_email.clone(), w.reporter_email.clone()],
        "op" | "kades" => Vec::new(),
        // The coordinator sees a reporter's contact, not residents' registers.
        "admin" => resident_a,
        _ => [resident_a, reporter].concat(),
    }
}

struct World {
    t: TestApp,
    browsers: HashMap<&'static str, Browser>,
    tokens: HashMap<&'static str, String>,
    ids: Vec<(&'static str, String)>,
    warga_a_email: String,
    warga_b_email: String,
    reporter_email: String,
    reporter_name: String,
}

impl World {
    async fn build() -> World {
        let mut t = spawn_app().await;
        let admin = t.logged_in("admin.ciamis").await;
        t.create_staff(&admin, "dinkes.ciamis", "Admin Penghubung Dinkes", "penghubung_opd", "dinkes").await;
        let mut browsers = HashMap::new();
        let mut tokens = HashMap::new();
        for actor in ACTORS {
            let Some(username) = username_of(actor) else { continue };
            browsers.insert(actor, t.logged_in(username).await);
            let token = t.app.create_api_token(&balai_app::Actor::System, username, "matriks").await.expect("token");
            tokens.insert(actor, token);
        }
        browsers.insert("anon", t.browser());
        let op = &browsers["op"];
        let op2 = &browsers["op2"];

        // A register line for Cikoneng, and one walk-in request in each village; Sukamulya's signed.
        let csv = format!("nik,no_kk,nama\n{NIK_CIKONENG},3207020101200001,Ujang Cikoneng\n");
        let import = format!("/staf/desa/{CIKONENG}/penduduk/impor");
        op2.get(&format!("/staf/desa/{CIKONENG}/penduduk")).await;
        let page = op2.post_files(&import, &[], &[("berkas", "p.csv", csv.into_bytes())], Some(op2.csrf().await)).await;
        assert!(page.body.contains("1 penduduk baru"), "{}", page.body);
        let la = walk_in_request(op, SUKAMULYA, "domisili", NIK_ASEP, "Keperluan administrasi").await;
        let lb = walk_in_request(op2, CIKONENG, "domisili", NIK_CIKONENG, "Keperluan administrasi").await;
        assert_eq!(op.post(&format!("/staf/surat/{la}/aksi"), &[("action", "verifikasi")]).await.status, 303);
        let signed =
            browsers["kades"].post(&format!("/staf/desa/{SUKAMULYA}/surat/tandatangani"), &[("id", &la)]).await;
        assert!(signed.body.contains("Terbit"), "{}", signed.body);

        // Two residents of Sukamulya, each with an online request; B signs up twice? no: once.
        let warga_a_email = "asep.matriks@contoh.id".to_string();
        let warga_b_email = "euis.matriks@contoh.id".to_string();
        let warga = sign_up(&t, NIK_ASEP, "Asep Saepudin", "0812-1111-2222", &warga_a_email).await;
        let warga_b = sign_up(&t, NIK_EUIS, "Euis Nurhayati", "0812-3333-4444", &warga_b_email).await;
        let decided = confirm_all(op).await;
        assert_eq!(decided.len(), 2);
        let (wa, aa) = online_request(&warga, &SKTM_FIELDS).await;
        let (wb, ab) = online_request(&warga_b, &SKTM_FIELDS).await;
        browsers.insert("warga", warga);

        // Two reports: one disposed to Dinas PUPR (with a photo and the reporter's contact, kept
        // from the office), one to Dinas Kesehatan.
        let reporter_email = "pelapor.rahasia@contoh.id".to_string();
        let reporter_name = "Pelapor Rahasia Matriks".to_string();
        let mut fields = report_fields("ra", SUKAMULYA, "Jalan rusak di Sukamulya");
        fields.extend([
            ("name", reporter_name.as_str()),
            ("email", reporter_email.as_str()),
            ("phone", "0813-5555-6666"),
            ("anonymous", "1"),
        ]);
        let ca = send_report(&t.browser(), &fields, &[("berkas1", "jalan.jpg", JPEG.to_vec())]).await;
        let mut fields = report_fields("rb", CIKONENG, "Puskesmas tutup");
        fields.push(("anonymous", "1"));
        let cb = send_report(&t.browser(), &fields, &[]).await;
        let ra = t.app.store().report(&ca).await.expect("load").expect("report").public_id;
        let rb = t.app.store().report(&cb).await.expect("load").expect("report").public_id;
        for (id, handler) in [(&ra, "opd:dinas-pupr"), (&rb, "opd:dinkes")] {
            let page = admin
                .post(
                    &format!("/staf/lapor/{id}/aksi"),
                    &[("action", "disposisi"), ("handler", handler), ("tier", "normatif")],
                )
                .await;
            assert_eq!(page.status, 303, "dispose: {}", page.body);
        }
        let tracking = t.browser().get(&format!("/lapor/lacak/{ca}")).await;
        let fa = between(&tracking.body, &format!("/lapor/lacak/{ca}/lampiran/"), "\"").expect("photo").to_string();

        let ids = vec![
            ("{S}", SUKAMULYA.to_string()),
            ("{C}", CIKONENG.to_string()),
            ("{LA}", la),
            ("{LB}", lb),
            ("{WA}", wa),
            ("{WB}", wb),
            ("{AA}", aa),
            ("{AB}", ab),
            ("{RA}", ra),
            ("{RB}", rb),
            ("{FA}", fa),
            ("{CA}", ca),
            ("{RES}", decided[1].clone()),
        ];
        World { t, browsers, tokens, ids, warga_a_email, warga_b_email, reporter_email, reporter_name }
    }

    fn fill(&self, template: &str, actor: &str) -> String {
        let mut out = template.to_string();
        for (k, v) in &self.ids {
            out = out.replace(k, v);
        }
        out.replace("{TOKEN}", self.tokens.get(actor).map_or("", String::as_str))
    }

    /// Sends one matrix row as `actor`.
    async fn run(&self, actor: &str, row: &Row) -> Page {
        let b = &self.browsers[actor];
        let path = self.fill(row.path, actor);
        let url = format!("{}{path}", b.base);
        let machine = ["/api/", "/webhook/", "/open311/"].iter().any(|p| path.starts_with(p));
        if machine {
            // Machine interfaces: a plain client (no cookies), the column's bearer token if any.
            let client = reqwest::Client::builder().redirect(Policy::none()).build().expect("client");
            let mut request = if row.method == "GET" { client.get(&url) } else { client.post(&url) };
            if let Some(token) = self.tokens.get(actor) {
                request = request.bearer_auth(token);
            }
            request = match row.body {
                Body::Json(json) => request.header("content-type", "application/json").body(json),
                Body::Form(fields) => {
                    let filled: Vec<(String, String)> =
                        fields.iter().map(|(k, v)| (k.to_string(), self.fill(v, actor))).collect();
                    request.form(&filled)
                }
                _ => request,
            };
            return b.send(request).await;
        }
        match row.body {
            Body::None if row.method == "GET" => b.get(&path).await,
            Body::None | Body::Json(_) => b.post(&path, &[]).await,
            Body::Form(fields) => {
                let filled: Vec<(String, String)> =
                    fields.iter().map(|(k, v)| (k.to_string(), self.fill(v, actor))).collect();
                let pairs: Vec<(&str, &str)> = filled.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                b.post(&path, &pairs).await
            }
            Body::Multipart(fields) => {
                let token = b.csrf().await;
                b.post_files(&path, fields, &[], Some(token)).await
            }
        }
    }
}

#[tokio::test]
async fn the_authorization_matrix_holds_for_every_role_route_and_object() {
    let w = World::build().await;
    let mut mismatches = Vec::new();
    let mut rows_run = 0;
    for row in matrix() {
        for (i, actor) in ACTORS.iter().enumerate() {
            let page = w.run(actor, &row).await;
            rows_run += 1;
            let expected = row.expected[i];
            let mut problems = Vec::new();
            if page.status != expected {
                problems.push(format!("status {} (expected {expected})", page.status));
            }
            if page.status == 303 && expected == 303 {
                let login = if row.path.starts_with("/warga") { "/warga/masuk?next=" } else { "/masuk?next=" };
                if !page.location().starts_with(login) {
                    problems.push(format!("redirects to {} (expected {login}…)", page.location()));
                }
            }
            for secret in forbidden_pii(actor, &w) {
                if page.body.contains(&secret) {
                    problems.push(format!("shows personal data {secret:?}"));
                }
            }
            if !problems.is_empty() {
                mismatches.push(format!("{actor:>6} {} {} → {}", row.method, row.path, problems.join("; ")));
            }
        }
    }
    assert!(rows_run > 800, "{rows_run} requests");
    assert!(
        mismatches.is_empty(),
        "{} of {rows_run} matrix cells differ:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );

    // The personal-data check can fail: the people allowed to see the register do see these.
    let register = w.browsers["op"].get(&w.fill("/staf/desa/{S}/penduduk?q=asep", "op")).await;
    assert!(register.body.contains(NIK_ASEP) && register.body.contains(KK_ASEP), "{}", register.body);
    let coordinator = w.browsers["admin"].get(&w.fill("/staf/lapor/{RA}", "admin")).await;
    assert!(coordinator.body.contains(&w.reporter_email), "the coordinator sees the contact");
    // Nobody signed a letter of another village through the batch form.
    let lb = w.browsers["op2"].get(&w.fill("/staf/surat/{LB}", "op2")).await;
    assert!(!lb.body.contains("Surat sudah ditandatangani") && !lb.body.contains("/v/"), "{}", lb.body);
    // The batch-signing form answers the same for another village's request as for none at all.
    let kades = &w.browsers["kades"];
    let theirs =
        kades.post(&w.fill("/staf/desa/{S}/surat/tandatangani", "kades"), &[("id", &w.fill("{LB}", "kades"))]).await;
    let nothing = kades.post(&w.fill("/staf/desa/{S}/surat/tandatangani", "kades"), &[("id", "tidak-ada")]).await;
    let message =
        |page: &Page| between(&page.body, "<main", "</main>").unwrap_or("").replace(&w.fill("{LB}", "kades"), "ID");
    assert!(theirs.body.contains("Gagal"), "{}", theirs.body);
    assert_eq!(message(&theirs), message(&nothing).replace("tidak-ada", "ID"), "no existence oracle");
    // Exports hold only what the exporter may see: each office its own report.
    let (ra, rb) = (w.fill("{RA}", "op"), w.fill("{RB}", "op"));
    for (actor, mine, theirs) in [("pupr", &ra, &rb), ("dinkes", &rb, &ra), ("op", &ra, &rb), ("op2", &rb, &ra)] {
        let csv = w.browsers[actor].get("/staf/lapor/ekspor?format=csv").await;
        assert!(csv.body.contains(mine.as_str()) && !csv.body.contains(theirs.as_str()), "{actor}: {}", csv.body);
    }
    let all = w.browsers["admin"].get("/staf/lapor/ekspor?format=csv").await;
    assert!(all.body.contains(ra.as_str()) && all.body.contains(rb.as_str()), "{}", all.body);
}

// ---- 2. CSRF on every form ----

/// What the pages of a world look like, to show that a refused form changed nothing.
async fn fingerprint(w: &World) -> Vec<(String, String)> {
    let pages = [
        ("op", "/staf/desa/{S}"),
        ("op", "/staf/desa/{S}/surat"),
        ("op", "/staf/desa/{S}/surat/pengaturan"),
        ("op", "/staf/desa/{S}/warga"),
        ("op", "/staf/desa/{S}/penduduk?q=csrf"),
        ("op", "/staf/surat/{WA}"),
        ("op", "/staf/surat/{LA}"),
        ("op", "/staf/token"),
        ("admin", "/staf/opd"),
        ("admin", "/staf/pengguna"),
        ("admin", "/staf/lapor/kategori"),
        ("admin", "/staf/lapor/{RA}"),
        ("warga", "/warga"),
        ("warga", "/warga/permohonan/{WA}"),
        ("anon", "/lapor/lacak/{CA}"),
    ];
    let mut out = Vec::new();
    for (actor, path) in pages {
        let page = w.browsers[actor].get(&w.fill(path, actor)).await;
        assert_eq!(page.status, 200, "{actor} {path}");
        out.push((path.to_string(), page.body));
    }
    let reports = w.t.app.store().count_reports().await.expect("count");
    out.push(("reports".into(), reports.to_string()));
    out
}

/// (who, path, fields, multipart)
type FormPost<'a> = (&'a str, String, Vec<(&'a str, &'a str)>, bool);

#[tokio::test]
async fn every_form_refuses_a_missing_or_foreign_csrf_token_and_changes_nothing() {
    let w = World::build().await;
    let token_page = w.browsers["op"].get("/staf/token").await;
    let token_id = between(&token_page.body, "name=\"id\" value=\"", "\"").expect("token id").to_string();
    // (actor, path, fields, multipart): every POST route of the HTML site, with input that would
    // change something if the form were accepted. Sign-outs come last.
    let forms: Vec<FormPost> = vec![
        ("anon", "/masuk".into(), vec![("username", "operator.sukamulya"), ("password", "x")], false),
        ("anon", "/warga/masuk".into(), vec![("nik", NIK_ASEP), ("password", "rahasia-sekali")], false),
        (
            "anon",
            "/warga/daftar".into(),
            vec![
                ("village", SUKAMULYA),
                ("nik", "3207060703850003"),
                ("full_name", "Dadang CSRF"),
                ("email", "dadang@contoh.id"),
                ("password", "rahasia-sekali"),
                ("password_confirm", "rahasia-sekali"),
            ],
            false,
        ),
        ("anon", w.fill("/lapor/lacak/{CA}/balas", "anon"), vec![("text", "CSRF-MARK")], false),
        ("anon", "/lapor".into(), report_fields("csrf", SUKAMULYA, "CSRF-MARK"), true),
        ("op", w.fill("/staf/desa/{S}", "op"), vec![("address", "CSRF-MARK")], false),
        ("admin", "/staf/opd".into(), vec![("name", "Dinas CSRF"), ("regency", "32.07")], false),
        (
            "admin",
            "/staf/pengguna".into(),
            vec![("username", "csrf.user"), ("full_name", "CSRF"), ("role", "operator_desa"), ("scope", SUKAMULYA)],
            false,
        ),
        ("op", "/staf/token".into(), vec![("name", "CSRF-MARK")], false),
        ("op", "/staf/token/cabut".into(), vec![("id", &token_id)], false),
        (
            "admin",
            "/staf/lapor/kategori".into(),
            vec![("slug", "csrf"), ("name", "CSRF-MARK"), ("tier", "normatif"), ("active", "1")],
            false,
        ),
        ("pupr", w.fill("/staf/lapor/{RA}/aksi", "pupr"), vec![("action", "catatan"), ("text", "CSRF-MARK")], false),
        (
            "op",
            w.fill("/staf/desa/{S}/surat/pengaturan", "op"),
            vec![("number_format", "{nomor}/CSRF/{tahun}"), ("counter_scope", "semua"), ("paper", "f4")],
            false,
        ),
        ("op", w.fill("/staf/desa/{S}/surat/jenis/sktm", "op"), vec![("name", "CSRF-MARK")], false),
        (
            "op",
            w.fill("/staf/desa/{S}/surat/baru", "op"),
            vec![("letter_type", "domisili"), ("nik", NIK_ASEP), ("keperluan", "CSRF-MARK")],
            false,
        ),
        (
            "op",
            w.fill("/staf/desa/{S}/surat/nomor", "op"),
            vec![("letter_type", "usaha"), ("note", "CSRF-MARK")],
            false,
        ),
        ("kades", w.fill("/staf/desa/{S}/surat/tandatangani", "kades"), vec![("id", "x")], false),
        (
            "op",
            w.fill("/staf/surat/{WA}/aksi", "op"),
            vec![("action", "minta_perbaikan"), ("note", "CSRF-MARK")],
            false,
        ),
        ("kades", w.fill("/staf/surat/{LA}/cabut", "kades"), vec![("reason", "CSRF-MARK")], false),
        (
            "op",
            w.fill("/staf/warga/{RES}/keputusan", "op"),
            vec![("village", SUKAMULYA), ("decision", "tolak"), ("note", "CSRF-MARK")],
            false,
        ),
        ("op", w.fill("/staf/desa/{S}/penduduk/impor", "op"), vec![], true),
        ("warga", "/warga/ajukan/sktm".into(), SKTM_FIELDS.to_vec(), true),
        ("warga", w.fill("/warga/permohonan/{WA}/perbaikan", "warga"), SKTM_FIELDS.to_vec(), true),
        ("warga", w.fill("/warga/permohonan/{WA}/batal", "warga"), vec![], false),
        ("warga", "/warga/keluar".into(), vec![], false),
        ("op", "/keluar".into(), vec![], false),
    ];
    let stranger = w.t.browser();
    let foreign = stranger.csrf().await;
    let before = fingerprint(&w).await;
    let mut failures = Vec::new();
    for (actor, path, fields, multipart) in &forms {
        let b = &w.browsers[*actor];
        let own = b.csrf().await;
        assert_ne!(own, foreign);
        let files: Vec<(&str, &str, Vec<u8>)> = match path.as_str() {
            "/lapor" => vec![("berkas1", "a.jpg", JPEG.to_vec())],
            p if p.ends_with("/impor") => {
                vec![("berkas", "p.csv", b"nik,no_kk,nama\n3207060703850009,3207060202150002,CSRF\n".to_vec())]
            }
            p if p.starts_with("/warga/") => sktm_files(),
            _ => Vec::new(),
        };
        for (label, token) in [("no token", None), ("another session's token", Some(foreign.clone()))] {
            let page = if *multipart {
                b.post_files(path, fields, &files, token).await
            } else {
                let mut form = fields.clone();
                if let Some(t) = &token {
                    form.push(("csrf", t));
                }
                b.post_bare(path, &form).await
            };
            if page.status != 403 || !page.body.contains("Formulir kedaluwarsa") {
                failures.push(format!("{actor} POST {path} with {label}: {}", page.status));
            }
        }
    }
    assert!(failures.is_empty(), "forms accepted without their token:\n{}", failures.join("\n"));
    let after = fingerprint(&w).await;
    for ((path, a), (_, b)) in before.iter().zip(&after) {
        assert_eq!(a, b, "{path} changed after refused forms");
    }
    // The same forms with their own token get past the check (so the 403s above were the token's).
    for (actor, path, fields, multipart) in &forms {
        let b = &w.browsers[*actor];
        let token = b.csrf().await;
        let page = if *multipart {
            let files: Vec<(&str, &str, Vec<u8>)> = if path.starts_with("/warga/") { sktm_files() } else { Vec::new() };
            b.post_files(path, fields, &files, Some(token)).await
        } else {
            b.post(path, fields).await
        };
        assert_ne!(page.status, 403, "{actor} POST {path} with its token: {}", page.body);
    }
    assert!(w.browsers["anon"].get("/desa/32.07.06.2001").await.body.contains("CSRF-MARK"), "the real form works");
}

// ---- 3. stored and reflected XSS ----

fn xss(n: u32) -> String {
    format!("<script>alert({n})</script>\"'><img src=x onerror=alert({n})>")
}

/// The payload as the templates print it.
fn escaped(n: u32) -> String {
    format!("&#60;script&#62;alert({n})&#60;/script&#62;&#34;&#39;&#62;&#60;img src=x onerror=alert({n})&#62;")
}

#[tokio::test]
async fn free_text_is_always_shown_escaped() {
    let mut t = spawn_app().await;
    let admin = t.logged_in("admin.ciamis").await;
    let op = t.logged_in("operator.sukamulya").await;
    let kades = t.logged_in("kades.sukamulya").await;
    let pupr = t.logged_in("pupr.ciamis").await;
    let p = xss;
    // Office profile (11 address, 12 head of village).
    let page = op
        .post(
            &format!("/staf/desa/{SUKAMULYA}"),
            &[("address", &p(11)), ("head_name", &p(12)), ("phone", "0265 771234")],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    // A category (13), an office (14), a staff member (15), an API token (16).
    let page = admin
        .post("/staf/lapor/kategori", &[("slug", "xss"), ("name", &p(13)), ("tier", "normatif"), ("active", "1")])
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let page = admin.post("/staf/opd", &[("name", &p(14)), ("slug", "dinas-xss"), ("regency", "32.07")]).await;
    assert_eq!(page.status, 303, "{}", page.body);
    t.create_staff(&admin, "op.xss", &p(15), "operator_desa", SUKAMULYA).await;
    let newcomer = t.logged_in("op.xss").await;
    assert_eq!(op.post("/staf/token", &[("name", &p(16))]).await.status, 200);
    // A report (1 title, 2 description, 3 name, 4 place), a staff note (5), an answer (6).
    let mut fields = report_fields("xss", SUKAMULYA, "");
    fields.retain(|(k, _)| !matches!(*k, "title" | "description"));
    let (title, description, name, place) = (p(1), p(2), p(3), p(4));
    fields.extend([
        ("title", title.as_str()),
        ("description", description.as_str()),
        ("name", name.as_str()),
        ("address", place.as_str()),
        ("email", "xss@contoh.id"),
    ]);
    let visitor = t.browser();
    let code = send_report(&visitor, &fields, &[]).await;
    let id = t.app.store().report(&code).await.expect("load").expect("report").public_id;
    let act = format!("/staf/lapor/{id}/aksi");
    assert_eq!(admin.post(&act, &[("action", "catatan"), ("text", &p(5))]).await.status, 303);
    let disposed =
        admin.post(&act, &[("action", "disposisi"), ("handler", "opd:dinas-pupr"), ("tier", "normatif")]).await;
    assert_eq!(disposed.status, 303, "{}", disposed.body);
    assert_eq!(pupr.post(&act, &[("action", "tanggapi"), ("text", &p(6))]).await.status, 303);
    let reply = visitor.post(&format!("/lapor/lacak/{code}/balas"), &[("text", &p(7))]).await;
    assert!(matches!(reply.status, 303 | 422), "{}", reply.body);
    // Residents: a name at sign-up (8), a letter field (9), the office's notes to them (18, 19).
    let warga = sign_up(&t, NIK_ASEP, &p(8), "0812-1111-2222", "asep@contoh.id").await;
    let rejected = sign_up(&t, NIK_EUIS, "Euis Nurhayati", "0812-3333-4444", "euis@contoh.id").await;
    let pending = op.get(&format!("/staf/desa/{SUKAMULYA}/warga")).await;
    assert!(pending.body.contains(&escaped(8)), "the pending sign-up shows the name: {}", pending.body);
    let ids: Vec<String> = pending
        .body
        .split("action=\"/staf/warga/")
        .skip(1)
        .filter_map(|s| s.split('/').next().map(str::to_string))
        .collect();
    assert_eq!(ids.len(), 2);
    // The newest sign-up comes last or first: decide by the name next to it.
    let (asep_id, euis_id) = if pending.body.find(&escaped(8)) < pending.body.find("Euis Nurhayati") {
        (&ids[0], &ids[1])
    } else {
        (&ids[1], &ids[0])
    };
    let decide = |id: &String| format!("/staf/warga/{id}/keputusan");
    assert_eq!(op.post(&decide(asep_id), &[("village", SUKAMULYA), ("decision", "konfirmasi")]).await.status, 303);
    let no = op.post(&decide(euis_id), &[("village", SUKAMULYA), ("decision", "tolak"), ("note", &p(18))]).await;
    assert_eq!(no.status, 303, "{}", no.body);
    let (keperluan, note) = (p(9), p(19));
    let (request, _) =
        online_request(&warga, &[("penghasilan", "750000"), ("jumlah_tanggungan", "4"), ("keperluan", &keperluan)])
            .await;
    let back = op.post(&format!("/staf/surat/{request}/aksi"), &[("action", "minta_perbaikan"), ("note", &note)]).await;
    assert_eq!(back.status, 303, "{}", back.body);
    // The register (21), a walk-in request (10), a revoked letter's reason (20).
    let register = format!("/staf/desa/{SUKAMULYA}/penduduk");
    op.get(&register).await;
    let csv = format!("nik,no_kk,nama\n3207060703850009,3207060202150002,\"{}\"\n", p(21).replace('"', "\"\""));
    let imported = op
        .post_files(&format!("{register}/impor"), &[], &[("berkas", "p.csv", csv.into_bytes())], Some(op.csrf().await))
        .await;
    assert!(imported.body.contains("1 penduduk baru"), "{}", imported.body);
    let walk_in = walk_in_request(&op, SUKAMULYA, "domisili", "3207060703850009", &p(10)).await;
    assert_eq!(op.post(&format!("/staf/surat/{walk_in}/aksi"), &[("action", "verifikasi")]).await.status, 303);
    let signed = kades.post(&format!("/staf/desa/{SUKAMULYA}/surat/tandatangani"), &[("id", &walk_in)]).await;
    assert!(signed.body.contains("Terbit"), "{}", signed.body);
    let letter_page = kades.get(&format!("/staf/surat/{walk_in}")).await;
    let token = between(&letter_page.body, "href=\"/v/", "\"").expect("verification link").to_string();
    let revoked = kades.post(&format!("/staf/surat/{walk_in}/cabut"), &[("reason", &p(20))]).await;
    assert_eq!(revoked.status, 303, "{}", revoked.body);

    // Every page that shows them, as the people who see them: (who, path, payloads shown there).
    let r = |s: &str| s.replace("{id}", &id).replace("{code}", &code);
    let pages: Vec<(&Browser, String, Vec<u32>)> = vec![
        (&visitor, format!("/desa/{SUKAMULYA}"), vec![11, 12]),
        (&op, format!("/staf/desa/{SUKAMULYA}"), vec![11, 12, 15]),
        (&admin, "/staf/lapor/kategori".into(), vec![13]),
        (&visitor, "/lapor".into(), vec![13]),
        (&admin, "/staf/opd".into(), vec![14]),
        (&visitor, "/lapor/publik".into(), vec![1, 14]),
        (&visitor, "/lapor/kinerja".into(), vec![]),
        (&admin, "/staf/pengguna".into(), vec![15]),
        (&newcomer, "/staf".into(), vec![15]),
        (&op, "/staf/token".into(), vec![16]),
        (&visitor, r("/lapor/lacak/{code}"), vec![1, 2, 4, 6]),
        (&visitor, r("/lapor/publik/{id}"), vec![1, 2, 6]),
        (&admin, r("/staf/lapor/{id}"), vec![1, 2, 3, 4, 5, 6]),
        (&pupr, r("/staf/lapor/{id}"), vec![1, 2, 6]),
        (&admin, "/staf/lapor".into(), vec![]),
        (&pupr, "/staf/lapor".into(), vec![1]),
        (&warga, "/warga".into(), vec![8]),
        (&warga, format!("/warga/permohonan/{request}"), vec![9, 19]),
        (&op, format!("/staf/surat/{request}"), vec![9, 19]),
        (&rejected, "/warga".into(), vec![18]),
        (&op, format!("{register}?q=3207060703850009"), vec![21]),
        (&kades, format!("/staf/surat/{walk_in}"), vec![10, 20, 21]),
        (&visitor, format!("/v/{token}"), vec![20]),
        // Reflected: what was typed in the address comes back escaped, or not at all.
        (&visitor, format!("/lapor/publik?q={}", enc(&p(30))), vec![30]),
        (&visitor, format!("/lapor/lacak?kode={}", enc(&p(31))), vec![31]),
        (&visitor, format!("/masuk?next={}", enc(&p(32))), vec![32]),
        (&visitor, format!("/warga/masuk?next={}", enc(&p(33))), vec![33]),
        (&visitor, format!("/lapor?desa={}", enc(&p(34))), vec![]),
        (&visitor, format!("/warga/daftar?desa={}", enc(&p(35))), vec![]),
        (&admin, format!("/staf/lapor/ekspor?village={}", enc(&p(36))), vec![]),
        (&op, format!("/staf/desa/{SUKAMULYA}/surat?nomor={}", enc(&p(37))), vec![37]),
    ];
    let mut failures = Vec::new();
    for (b, path, shown) in &pages {
        let page = b.get(path).await;
        if page.status != 200 && !(page.status == 422 && path.starts_with("/lapor/lacak?")) {
            failures.push(format!("{path}: status {}", page.status));
        }
        for n in (1..=37).filter(|n| page.body.contains(&format!("alert({n})"))) {
            if page.body.contains(&format!("<script>alert({n})"))
                || page.body.contains(&format!("<img src=x onerror=alert({n})"))
            {
                failures.push(format!("{path}: payload {n} unescaped"));
            }
        }
        for n in shown {
            if !page.body.contains(&escaped(*n)) {
                failures.push(format!("{path}: payload {n} not shown (escaped)"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

// ---- 4. upload attacks ----

/// A zlib stream (fixed Huffman codes: a zero, then 258-byte copies of it) that inflates to
/// `1 + 258 * copies` zero bytes from about `copies * 13 / 8` bytes.
fn deflate_bomb(copies: usize) -> (Vec<u8>, usize) {
    struct Bits {
        out: Vec<u8>,
        acc: u64,
        n: u32,
    }
    impl Bits {
        fn put(&mut self, value: u64, count: u32) {
            self.acc |= value << self.n;
            self.n += count;
            while self.n >= 8 {
                self.out.push(self.acc as u8);
                self.acc >>= 8;
                self.n -= 8;
            }
        }
        /// Huffman codes go most significant bit first.
        fn code(&mut self, code: u64, len: u32) {
            let reversed = (0..len).fold(0, |r, i| r | (((code >> i) & 1) << (len - 1 - i)));
            self.put(reversed, len);
        }
    }
    let mut bits = Bits { out: vec![0x78, 0x01], acc: 0, n: 0 };
    bits.put(1, 1); // the last block
    bits.put(1, 2); // fixed codes
    bits.code(0x30, 8); // literal 0
    for _ in 0..copies {
        bits.code(0b1100_0101, 8); // length 258
        bits.code(0, 5); // distance 1
    }
    bits.code(0, 7); // end of block
    if bits.n > 0 {
        bits.out.push(bits.acc as u8);
    }
    let inflated = 1 + 258 * copies;
    let adler = (((inflated % 65521) as u32) << 16) | 1;
    bits.out.extend(adler.to_be_bytes());
    (bits.out, inflated)
}

/// The process's peak resident memory in KB (Linux), to show nothing was inflated.
fn peak_memory_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::test]
async fn hostile_uploads_are_refused_or_stored_harmlessly() {
    let t = spawn_app().await;
    let visitor = t.browser();
    visitor.get("/lapor").await;
    let token = visitor.csrf().await;
    let report = |key: &'static str| {
        let mut f = report_fields(key, SUKAMULYA, "Lampiran aneh");
        f.push(("anonymous", "1"));
        f
    };
    let send = |key: &'static str, file_name: &'static str, bytes: Vec<u8>| {
        let visitor = &visitor;
        let token = token.clone();
        async move { visitor.post_files("/lapor", &report(key), &[("berkas1", file_name, bytes)], Some(token)).await }
    };

    // Wrong content whatever the name: a program, HTML, SVG with script — a clear 422.
    let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xFF\xFFThis program cannot be run in DOS mode".to_vec();
    let html = b"<html><body><script>alert(document.cookie)</script></body></html>".to_vec();
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>".to_vec();
    for (key, name, bytes) in
        [("m1", "surat.pdf", exe.clone()), ("m2", "foto.jpg", html.clone()), ("m3", "foto.png", svg.clone())]
    {
        let page = send(key, name, bytes).await;
        assert_eq!(page.status, 422, "{name}");
        assert!(page.body.contains("Jenis berkas tidak diterima"), "{name}: {}", page.body);
    }
    // One file over 5 MB within the route's limit: 422 with the limit; over the route's limit: 413.
    let page = send("m4", "besar.jpg", [JPEG, &vec![0; 6 * 1024 * 1024]].concat()).await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("5 MB"), "{}", page.body);
    let page = send("m5", "besar.jpg", vec![0xFF; 17 * 1024 * 1024]).await;
    assert_eq!(page.status, 413);
    assert_eq!(t.app.store().count_reports().await.expect("count"), 0, "nothing stored");

    // Hostile names: stored and served under a clean name; nothing is written to the filesystem.
    let marker = format!("balai-sec-{}", std::process::id());
    let traversal = format!("../../../../../../tmp/{marker}.pdf");
    let long = format!("{}.pdf", "a".repeat(5000));
    let names: Vec<(String, &str)> = vec![
        ("../../etc/passwd.pdf".into(), "passwd.pdf"),
        (traversal.clone(), ""),
        ("..\\..\\windows\\system32\\cmd.pdf".into(), "cmd.pdf"),
        ("nul\u{0}byte.pdf".into(), ""),
        ("\"><script>alert(1)</script>.pdf".into(), ""),
        (long, ""),
    ];
    for (i, (name, expected)) in names.iter().enumerate() {
        let key = format!("n{i}");
        let mut fields = report(Box::leak(key.into_boxed_str()));
        fields.retain(|(k, _)| *k != "title");
        fields.push(("title", "Nama berkas aneh"));
        let page = visitor.post_files("/lapor", &fields, &[("berkas1", name, PDF.to_vec())], Some(token.clone())).await;
        if page.status == 400 {
            // A name the multipart parser cannot read is refused whole; that is safe too.
            continue;
        }
        assert_eq!(page.status, 303, "{name:?}: {}", page.body);
        let code = tracking_code_of(&page);
        let tracking = visitor.get(&format!("/lapor/lacak/{code}")).await;
        let link = format!("/lapor/lacak/{code}/lampiran/");
        let file = between(&tracking.body, &link, "\"").expect("file link").to_string();
        assert!(file.chars().all(|c| c.is_ascii_hexdigit()), "files are named by a random id: {file}");
        let shown = between(&tracking.body, &format!("{link}{file}\">"), "</a>").expect("file name").to_string();
        assert!(!shown.contains('/') && !shown.contains('\\') && !shown.contains('\0'), "{shown:?}");
        assert!(!shown.contains('<') && shown.ends_with(".pdf") && shown.chars().count() <= 84, "{shown:?}");
        if !expected.is_empty() {
            assert_eq!(shown, *expected);
        }
        let download = visitor.get(&format!("{link}{file}")).await;
        assert_eq!(download.status, 200);
        assert_eq!(download.body.as_bytes(), PDF, "served as stored");
        let disposition = download.header("content-disposition");
        assert!(disposition.starts_with("attachment; filename=\""), "{disposition}");
        let served_name = disposition.trim_start_matches("attachment; filename=\"").trim_end_matches('"');
        assert!(
            served_name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')),
            "{disposition}"
        );
        assert_eq!(download.header("content-type"), "application/pdf");
        assert!(download.header("content-security-policy").contains("sandbox"));
    }
    assert!(!std::path::Path::new(&format!("/tmp/{marker}.pdf")).exists(), "nothing written outside");
    assert!(!std::path::Path::new(&format!("{marker}.pdf")).exists());

    // A deflate bomb inside a PDF (≈2 MB that would inflate to ≈330 MB): taken as an opaque file,
    // never inflated, while the server keeps answering.
    let (stream, inflated) = deflate_bomb(1_300_000);
    assert!(inflated > 300 * 1024 * 1024 && stream.len() < 3 * 1024 * 1024);
    let mut bomb =
        format!("%PDF-1.7\n1 0 obj\n<< /Length {} /Filter /FlateDecode >>\nstream\n", stream.len()).into_bytes();
    bomb.extend(&stream);
    bomb.extend(b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n");
    let peak_before = peak_memory_kb();
    let started = Instant::now();
    let (page, health) = tokio::join!(send("bomb", "laporan.pdf", bomb.clone()), async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        t.browser().get("/healthz").await
    });
    assert_eq!(health.status, 200, "the server answers during the upload");
    assert_eq!(page.status, 303, "{}", page.body);
    assert!(started.elapsed() < Duration::from_secs(20), "{:?}", started.elapsed());
    let code = tracking_code_of(&page);
    let tracking = visitor.get(&format!("/lapor/lacak/{code}")).await;
    let file = between(&tracking.body, &format!("/lapor/lacak/{code}/lampiran/"), "\"").expect("file").to_string();
    let response =
        visitor.client.get(format!("{}/lapor/lacak/{code}/lampiran/{file}", t.base)).send().await.expect("get");
    let stored = response.bytes().await.expect("bytes");
    assert_eq!(stored.len(), bomb.len(), "stored as sent, not inflated");
    if let (Some(before), Some(after)) = (peak_memory_kb(), peak_before) {
        assert!(before.saturating_sub(after) < 200 * 1024, "peak memory grew {} KB", before - after);
    }

    // Residents' attachments: the same checks on the other upload routes.
    let op = t.logged_in("operator.sukamulya").await;
    let warga = sign_up(&t, NIK_ASEP, "Asep Saepudin", "0812-1111-2222", "asep@contoh.id").await;
    confirm_all(&op).await;
    warga.get("/warga/ajukan/sktm").await;
    let token = warga.csrf().await;
    for (name, bytes) in [("ktp.pdf", exe), ("ktp.jpg", html), ("ktp.png", svg)] {
        let mut files = sktm_files();
        files[0] = ("lampiran_ktp", name, bytes);
        let page = warga.post_files("/warga/ajukan/sktm", &SKTM_FIELDS, &files, Some(token.clone())).await;
        assert_eq!(page.status, 422, "{name}");
        assert!(page.body.contains("Jenis berkas tidak diterima"), "{}", page.body);
    }
    let mut files = sktm_files();
    files[0] = ("lampiran_ktp", "../../etc/ktp\\..\\x.jpg", JPEG.to_vec());
    let (request, _) = {
        let created = warga.post_files("/warga/ajukan/sktm", &SKTM_FIELDS, &files, Some(token.clone())).await;
        assert_eq!(created.status, 303, "{}", created.body);
        let id = created.location().trim_start_matches("/warga/permohonan/").split('?').next().expect("id").to_string();
        (id, ())
    };
    let page = warga.get(&format!("/warga/permohonan/{request}")).await;
    assert!(page.body.contains(">x.jpg</a>") && !page.body.contains("etc"), "{}", page.body);
    let huge = [JPEG, &vec![0; 27 * 1024 * 1024]].concat();
    let fix = format!("/warga/permohonan/{request}/perbaikan");
    let page = warga.post_files(&fix, &SKTM_FIELDS, &[("lampiran_ktp", "ktp.jpg", huge)], Some(token.clone())).await;
    assert_eq!(page.status, 413, "the correction route has its limit too");
    assert_eq!(t.browser().get("/healthz").await.status, 200);
}

// ---- 5. logins, sessions, headers, cookies ----

#[tokio::test]
async fn resident_logins_are_throttled_and_sessions_are_fresh_at_every_login() {
    let t = spawn_app().await;
    let warga = sign_up(&t, NIK_ASEP, "Asep Saepudin", "0812-1111-2222", "asep@contoh.id").await;
    assert_eq!(warga.post("/warga/keluar", &[]).await.status, 303);
    let b = t.browser();
    for _ in 0..5 {
        let page = b.post("/warga/masuk", &[("nik", NIK_ASEP), ("password", "salah-sandi")]).await;
        assert_eq!(page.status, 422, "{}", page.body);
        assert!(page.body.contains("NIK atau kata sandi salah"));
    }
    let locked = b.post("/warga/masuk", &[("nik", NIK_ASEP), ("password", "rahasia-sekali")]).await;
    assert_eq!(locked.status, 429, "{}", locked.body);
    t.clock.advance(chrono::Duration::minutes(16));
    let url = t.base.parse().expect("url");

    // Resident: a planted cookie (unknown, or the attacker's own valid session) is replaced.
    let attacker = t.browser();
    let own = attacker.post("/warga/masuk", &[("nik", NIK_ASEP), ("password", "rahasia-sekali")]).await;
    assert_eq!(own.status, 303, "{}", own.body);
    let attacker_session = attacker.cookie("balai_warga").expect("session");
    for planted in ["planted-by-an-attacker".to_string(), attacker_session.clone()] {
        let victim = t.browser();
        victim.jar.add_cookie_str(&format!("balai_warga={planted}; Path=/"), &url);
        victim.jar.add_cookie_str("balai_csrf=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA; Path=/", &url);
        let planted_csrf = victim.csrf().await;
        let login = victim.post("/warga/masuk", &[("nik", NIK_ASEP), ("password", "rahasia-sekali")]).await;
        assert_eq!(login.status, 303, "{}", login.body);
        let session = victim.cookie("balai_warga").expect("session");
        assert_ne!(session, planted);
        assert_eq!(session.len(), 43);
        assert_ne!(victim.cookie("balai_csrf").expect("csrf"), planted_csrf, "a fresh CSRF token too");
    }
    // Logging out kills the session on the server, not only in the browser.
    assert_eq!(attacker.post("/warga/keluar", &[]).await.status, 303);
    let replay = t.browser();
    replay.jar.add_cookie_str(&format!("balai_warga={attacker_session}; Path=/"), &url);
    assert_eq!(replay.get("/warga").await.status, 303);

    // Staff: a valid session planted before login (the attacker's own) is replaced at login.
    let attacker = t.logged_in("operator.cikoneng").await;
    let attacker_session = attacker.cookie("balai_session").expect("session");
    let victim = t.browser();
    victim.jar.add_cookie_str(&format!("balai_session={attacker_session}; Path=/"), &url);
    assert!(victim.get("/staf").await.status == 200, "the planted session is live");
    victim.jar.add_cookie_str(&format!("balai_session={attacker_session}; Path=/"), &url);
    let login =
        victim.post("/masuk", &[("username", "kades.sukamulya"), ("password", &t.accounts["kades.sukamulya"])]).await;
    assert_eq!(login.status, 303);
    let session = victim.cookie("balai_session").expect("session");
    assert_ne!(session, attacker_session);
    assert!(victim.get("/staf").await.body.contains("Dadang Sukmana (demo)"));
    assert!(attacker.get("/staf").await.body.contains("Cikoneng"), "the attacker does not ride on the victim's login");
    assert!(!attacker.get("/staf").await.body.contains("Dadang Sukmana (demo)"));
}

fn check_headers(what: &str, page: &Page, failures: &mut Vec<String>) {
    let csp = page.header("content-security-policy");
    let mut missing = Vec::new();
    if !csp.contains("default-src 'none'") {
        missing.push("CSP");
    }
    if !csp.contains("frame-ancestors 'none'") && page.header("x-frame-options") != "DENY" {
        missing.push("framing");
    }
    if page.header("x-frame-options") != "DENY" {
        missing.push("X-Frame-Options");
    }
    if page.header("x-content-type-options") != "nosniff" {
        missing.push("X-Content-Type-Options");
    }
    if page.header("referrer-policy").is_empty() {
        missing.push("Referrer-Policy");
    }
    for cookie in page.headers.get_all("set-cookie") {
        let cookie = cookie.to_str().unwrap_or("");
        if !cookie.contains("HttpOnly") || !cookie.contains("SameSite=") {
            failures.push(format!("{what}: cookie without HttpOnly/SameSite: {cookie}"));
        }
    }
    if !missing.is_empty() {
        failures.push(format!("{what} ({}): missing {}", page.status, missing.join(", ")));
    }
}

#[tokio::test]
async fn every_kind_of_response_carries_the_security_headers() {
    let w = World::build().await;
    let anon = &w.browsers["anon"];
    let op = &w.browsers["op"];
    let css = between(&anon.get("/").await.body, "href=\"/static/", "\"").expect("stylesheet").to_string();
    let mut failures = Vec::new();
    let mut pages: Vec<(String, Page)> = Vec::new();
    for (who, path) in [
        ("anon", "/".to_string()),
        ("anon", format!("/static/{css}")),
        ("anon", "/static/tidak-ada.css".into()),
        ("anon", "/tidak-ada".into()),
        ("anon", "/staf".into()),
        ("anon", "/healthz".into()),
        ("anon", "/metrics".into()),
        ("anon", w.fill("/lapor/lacak/{CA}/lampiran/{FA}", "anon")),
        ("anon", "/api/v1/desa/32.07.06.2001/jenis-surat".into()),
        ("anon", "/api/v1/desa/32.07.06.2001/permohonan".into()),
        ("anon", "/api/tidak-ada".into()),
        ("anon", "/open311/v2/services.json".into()),
        ("anon", "/open311/v2/services.xml".into()),
        ("op", w.fill("/staf/surat/{LA}/pdf", "op")),
        ("op", w.fill("/staf/desa/{S}/surat/pratinjau.pdf", "op")),
        ("op", w.fill("/staf/surat/{WA}/lampiran/{AA}", "op")),
        ("op", "/staf/lapor/ekspor?format=csv".into()),
        ("op", "/staf/lapor/ekspor?format=xlsx".into()),
        ("op", "/staf/desa/32.07.02.2001".into()),
        ("warga", w.fill("/warga/permohonan/{WA}", "warga")),
        ("warga", w.fill("/warga/permohonan/{WA}/lampiran/{AA}", "warga")),
    ] {
        pages.push((format!("GET {path}"), w.browsers[who].get(&path).await));
    }
    let api = reqwest::Client::new();
    let pdf = api
        .get(format!("{}{}", anon.base, w.fill("/api/v1/permohonan/{LA}/surat.pdf", "op")))
        .bearer_auth(&w.tokens["op"])
        .send()
        .await
        .expect("pdf");
    let (status, headers) = (pdf.status().as_u16(), pdf.headers().clone());
    pages.push(("GET API PDF".into(), Page { status, headers, body: String::new() }));
    pages.push(("POST without CSRF".into(), anon.post_bare("/masuk", &[("username", "x")]).await));
    pages.push(("POST too large".into(), op.post("/staf/token", &[("name", &"a".repeat(70 * 1024))]).await));
    pages.push(("GET on a POST route".into(), anon.get("/keluar").await));
    pages.push(("webhook without token".into(), anon.post_bare("/webhook/pesan-masuk", &[("from", "0812")]).await));
    let fresh = w.t.browser();
    pages.push(("first visit (sets a cookie)".into(), fresh.get("/masuk").await));
    let login = w.t.browser();
    pages.push(("staff login".into(), login.login("kades.sukamulya", &w.t.accounts["kades.sukamulya"]).await));
    pages.push(("staff logout".into(), login.post("/keluar", &[]).await));
    let resident = w.t.browser();
    let signed_in = resident.post("/warga/masuk", &[("nik", NIK_EUIS), ("password", "rahasia-sekali")]).await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    pages.push(("resident login".into(), signed_in));
    pages.push(("resident logout".into(), resident.post("/warga/keluar", &[]).await));

    let mut kinds = std::collections::BTreeSet::new();
    for (what, page) in &pages {
        check_headers(what, page, &mut failures);
        kinds.insert(page.header("content-type").split(';').next().unwrap_or("").to_string());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    for kind in ["text/html", "application/pdf", "application/json", "text/css", "image/jpeg", "text/csv"] {
        assert!(kinds.contains(kind), "{kind} not among {kinds:?}");
    }
    let statuses: std::collections::BTreeSet<u16> = pages.iter().map(|(_, p)| p.status).collect();
    for status in [200, 303, 401, 403, 404, 405, 413] {
        assert!(statuses.contains(&status), "{status} not among {statuses:?}");
    }
}

// ---- 6. no personal data in the logs ----

#[tokio::test]
async fn personal_data_never_reaches_the_logs() {
    let t = spawn_app().await;
    let logs = captured_logs();
    let (nik, kk, address) = ("3207064408880007", "3207060909200007", "Kampung Rahasia Log RT 009");
    let (phone, phone_digits, email) = ("0857-2468-1357", "85724681357", "rahasia.log@contoh.id");
    let (report_phone, report_digits, report_email) = ("0838-1122-9988", "83811229988", "pelapor.log@contoh.id");
    let op = t.logged_in("operator.sukamulya").await;
    let register = format!("/staf/desa/{SUKAMULYA}/penduduk");
    op.get(&register).await;
    let csv = format!("nik,no_kk,nama,alamat\n{nik},{kk},Nyai Log,{address}\n");
    let imported = op
        .post_files(&format!("{register}/impor"), &[], &[("berkas", "p.csv", csv.into_bytes())], Some(op.csrf().await))
        .await;
    assert!(imported.body.contains("1 penduduk baru"), "{}", imported.body);
    let warga = sign_up(&t, nik, "Nyai Log", phone, email).await;
    confirm_all(&op).await;
    let (request, _) = online_request(&warga, &SKTM_FIELDS).await;
    assert_eq!(op.post(&format!("/staf/surat/{request}/aksi"), &[("action", "verifikasi")]).await.status, 303);
    let kades = t.logged_in("kades.sukamulya").await;
    let signed = kades.post(&format!("/staf/desa/{SUKAMULYA}/surat/tandatangani"), &[("id", &request)]).await;
    assert!(signed.body.contains("Terbit"), "{}", signed.body);
    // A failed login with the NIK, and a report with contact details.
    let stranger = t.browser();
    assert_eq!(stranger.post("/warga/masuk", &[("nik", nik), ("password", "salah-sandi")]).await.status, 422);
    let mut fields = report_fields("log", SUKAMULYA, "Lampu jalan mati");
    fields.extend([("name", "Nyai Log"), ("email", report_email), ("phone", report_phone), ("address", address)]);
    send_report(&t.browser(), &fields, &[]).await;
    // Hand the messages to channels that fail (the worker logs what goes wrong, and to whom).
    let deliverer = balai_app::messages::Deliverer::new(&balai_app::messages::DeliverySettings {
        smtp_url: "smtp://127.0.0.1:9".into(),
        smtp_from: "Balai <balai@example.org>".into(),
        gateway_url: "http://127.0.0.1:9/kirim".into(),
        gateway_token: "token".into(),
        send_timeout: Duration::from_secs(2),
    })
    .expect("deliverer");
    let options = balai_app::messages::WorkerOptions::default();
    let pass = balai_app::messages::deliver_due_once(t.app.store().as_ref(), &deliverer, &options, t.clock.as_ref())
        .await
        .expect("delivery pass");
    assert!(pass.claimed > 0, "messages were tried: {pass:?}");

    let text = String::from_utf8_lossy(&logs.0.lock().expect("logs")).to_string();
    assert!(text.contains("DEBUG"), "debug output is captured");
    for secret in [nik, kk, address, phone_digits, email, report_digits, report_email] {
        let hits: Vec<&str> = text.lines().filter(|l| l.contains(secret)).take(3).collect();
        assert!(hits.is_empty(), "{secret} in the logs:\n{}", hits.join("\n"));
    }
}
