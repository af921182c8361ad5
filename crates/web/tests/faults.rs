//! Faults with the real `balai` binary, as they happen in a village office: the process killed
//! mid-burst, PostgreSQL stopped and started under load, the disk under the database filling up,
//! and two instances sharing one PostgreSQL database. Each test starts `balai serve` as a child
//! process (killed on drop), talks to it over HTTP like a browser, and checks the database
//! directly afterwards. Every step has a time limit, so a hang fails instead of blocking the suite.
//!
//! The kill test runs on SQLite by default and on a fresh PostgreSQL database when
//! `TEST_DATABASE_URL` names a server; the outage test starts its own throw-away PostgreSQL
//! cluster (server binaries under /usr/lib/postgresql/*/bin); the full-disk test mounts a small
//! tmpfs (as root, or in a private user and mount namespace via `unshare -rm`); the two-instance
//! test needs `TEST_DATABASE_URL` on PostgreSQL.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use balai_store::testing::{TestDatabase, fresh_database};
use reqwest::cookie::{CookieStore, Jar};
use reqwest::redirect::Policy;
use smtp::SmtpSink;
use sqlx::Connection;
use support::letter_field_names;

// The use-case tests' SMTP sink (a real listener that records what reaches it).
#[path = "../../app/tests/support/smtp.rs"]
mod smtp;
mod support;

const VILLAGE: &str = "32.07.06.2001";
/// No single request may take longer: a hang is a failure, not a stuck suite.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
const UNAVAILABLE: &str = "Layanan sedang tidak tersedia";
const STORAGE_FULL: &str = "Penyimpanan server penuh";

fn on_postgres() -> bool {
    std::env::var("TEST_DATABASE_URL").is_ok_and(|url| url.starts_with("postgres"))
}

/// Runs a test body with a hard time limit.
async fn within<F: Future<Output = ()>>(limit: Duration, what: &str, body: F) {
    if tokio::time::timeout(limit, body).await.is_err() {
        panic!("{what}: did not finish within {} s", limit.as_secs());
    }
}

/// Waits for `check` to return true, polling every 200 ms; false when `limit` passed first.
async fn eventually<F: Future<Output = bool>>(limit: Duration, mut check: impl FnMut() -> F) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if check().await {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

fn tail(path: &Path, chars: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let start = text.char_indices().rev().nth(chars).map_or(0, |(i, _)| i);
    text[start..].to_string()
}

// ---------------------------------------------------------------------------------------------
// The `balai` binary.

/// One installation: a working directory (secret key, logs) and a database URL, shared by its
/// server instances and command-line runs.
#[derive(Clone)]
struct Install {
    dir: PathBuf,
    db_url: String,
    env: Vec<(String, String)>,
}

impl Install {
    fn new(dir: &Path, db_url: &str) -> Install {
        Install { dir: dir.to_path_buf(), db_url: db_url.to_string(), env: Vec::new() }
    }

    /// `balai ARGS` in the installation's directory, with no inherited `BALAI_*` variables.
    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_balai"));
        cmd.current_dir(&self.dir).args(args).stdin(Stdio::null());
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("BALAI_") {
                cmd.env_remove(key);
            }
        }
        cmd.env("BALAI_DATABASE_URL", &self.db_url)
            .env("BALAI_SECRET_KEY_FILE", self.dir.join("secret.key"))
            .env("BALAI_HOME_REGION", "32.07")
            .env("BALAI_LOG", "warn");
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }
}

/// A running `balai serve`; killed (SIGKILL) and reaped on drop.
struct Server {
    child: Child,
    base: String,
    /// Demo staff accounts (username → password) when started with `--demo` on a new database.
    accounts: HashMap<String, String>,
    log: PathBuf,
}

impl Server {
    /// Starts `balai serve` on a free loopback port and waits until it says it is serving.
    async fn start(install: &Install, name: &str, demo: bool) -> Server {
        let log = install.dir.join(format!("{name}.log"));
        let stderr = std::fs::File::create(&log).expect("server log file");
        let mut args = vec!["serve", "--listen", "127.0.0.1:0"];
        if demo {
            // The demo without its made-up history: these tests count every report stored.
            args.extend(["--demo", "--no-history"]);
        }
        let mut child =
            install.command(&args).stdout(Stdio::piped()).stderr(stderr).spawn().expect("start the balai binary");
        let stdout = child.stdout.take().expect("stdout");
        let (lines_tx, lines) = mpsc::channel::<String>();
        std::thread::spawn(move || {
            // Keeps reading after the receiver is gone, so the server never blocks on stdout.
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let _ = lines_tx.send(line);
            }
        });
        let mut server = Server { child, base: String::new(), accounts: HashMap::new(), log };
        let deadline = Instant::now() + Duration::from_secs(90);
        let mut in_accounts = false;
        loop {
            match lines.try_recv() {
                Ok(line) => {
                    if let Some(rest) = line.strip_prefix("Balai is serving on http://") {
                        server.base = format!("http://{}", rest.split('/').next().expect("address"));
                        return server;
                    }
                    if line.starts_with("Demo staff accounts") {
                        in_accounts = true;
                    } else if in_accounts && line.starts_with("  ") {
                        let words: Vec<&str> = line.split_whitespace().collect();
                        if let [username, password, ..] = words[..] {
                            server.accounts.insert(username.to_string(), password.to_string());
                        }
                    }
                }
                Err(mpsc::TryRecvError::Empty) => {
                    if let Ok(Some(status)) = server.child.try_wait() {
                        panic!("balai serve ({name}) exited with {status} before serving:\n{}", server.log_tail());
                    }
                    assert!(Instant::now() < deadline, "balai serve ({name}) did not start:\n{}", server.log_tail());
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(mpsc::TryRecvError::Disconnected) => {
                    let _ = server.child.wait();
                    panic!("balai serve ({name}) closed its output before serving:\n{}", server.log_tail());
                }
            }
        }
    }

    /// SIGKILL: no shutdown handler runs, in-flight requests are cut.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn log_tail(&self) -> String {
        tail(&self.log, 3000)
    }

    fn browser(&self) -> Browser {
        Browser::new(&self.base)
    }

    /// A browser logged in as a demo account.
    async fn logged_in(&self, username: &str, password: &str) -> Browser {
        let b = self.browser();
        b.get("/masuk").await;
        let page = b.post("/masuk", &[("username", username), ("password", password)]).await;
        assert_eq!(page.status, 303, "login of {username}: {}", page.body);
        b
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

// ---------------------------------------------------------------------------------------------
// A browser.

#[derive(Clone)]
struct Browser {
    base: String,
    client: reqwest::Client,
    jar: Arc<Jar>,
}

#[derive(Debug)]
struct Page {
    status: u16,
    location: String,
    body: String,
}

impl Browser {
    fn new(base: &str) -> Browser {
        let jar = Arc::new(Jar::default());
        let client = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(Policy::none())
            .timeout(REQUEST_TIMEOUT)
            .build()
            .expect("client");
        Browser { base: base.to_string(), client, jar }
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Page, String> {
        let response = request.send().await.map_err(|e| format!("{e:?}"))?;
        let status = response.status().as_u16();
        let location = response.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        let body = response.text().await.map_err(|e| format!("reading the body: {e:?}"))?;
        Ok(Page { status, location, body })
    }

    async fn try_get(&self, path: &str) -> Result<Page, String> {
        self.send(self.client.get(format!("{}{path}", self.base))).await
    }

    async fn get(&self, path: &str) -> Page {
        self.try_get(path).await.unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    fn csrf(&self) -> Option<String> {
        let header = self.jar.cookies(&self.base.parse().expect("url"))?;
        header
            .to_str()
            .ok()?
            .split("; ")
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == "balai_csrf")
            .map(|(_, v)| v.to_string())
    }

    /// Posts a urlencoded form with the CSRF token of this browser's cookie.
    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        if self.csrf().is_none() {
            self.get("/").await;
        }
        let token = self.csrf().expect("csrf cookie");
        let mut form: Vec<(&str, &str)> = vec![("csrf", &token)];
        form.extend_from_slice(fields);
        self.send(self.client.post(format!("{}{path}", self.base)).form(&form))
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"))
    }

    /// Opens the report form; returns its CSRF token and idempotency key.
    async fn report_form(&self) -> Result<(String, String), String> {
        let page = self.try_get(&format!("/lapor?desa={VILLAGE}")).await?;
        if page.status != 200 {
            return Err(format!("form answered {}", page.status));
        }
        let csrf = hidden_value(&page.body, "csrf").ok_or("no csrf field in the form")?;
        let key = hidden_value(&page.body, "idempotency_key").ok_or("no idempotency key in the form")?;
        Ok((csrf, key))
    }

    /// Sends the report form (multipart, as a browser does) with one JPEG attachment.
    async fn post_report(&self, csrf: &str, key: &str, n: usize, attachment: &[u8]) -> Result<Page, String> {
        let part = reqwest::multipart::Part::bytes(attachment.to_vec()).file_name("jalan.jpg");
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.to_string())
            .text("idempotency_key", key.to_string())
            .text("kind", "pengaduan")
            .text("category", "pekerjaan-umum-dan-penataan-ruang")
            .text("region", VILLAGE)
            .text("title", format!("Jalan rusak nomor {n}"))
            .text("description", format!("Jalan desa di Dusun Cibodas berlubang, laporan uji gangguan nomor {n}."))
            .text("email", format!("pelapor{n}@example.org"))
            .text("anonymous", "1")
            .part("berkas1", part);
        self.send(self.client.post(format!("{}/lapor", self.base)).multipart(form)).await
    }
}

/// The value of `<input type="hidden" name="NAME" value="…">` in a page.
fn hidden_value(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let rest = &html[html.find(&marker)? + marker.len()..];
    Some(rest[..rest.find('"')?].to_string())
}

/// The tracking code in a `/lapor/lacak/{code}?baru=1` redirect.
fn tracking_code(page: &Page) -> String {
    let rest = page
        .location
        .strip_prefix("/lapor/lacak/")
        .unwrap_or_else(|| panic!("not a tracking redirect: {} {}", page.status, page.location));
    rest.split('?').next().expect("code").to_string()
}

/// A JPEG (as far as the upload check can tell) of `len` bytes that do not compress.
fn jpeg(len: usize, seed: u64) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407) | 1;
    while bytes.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        bytes.extend_from_slice(&x.to_le_bytes());
    }
    bytes.truncate(len);
    bytes
}

// ---------------------------------------------------------------------------------------------
// Looking at the database directly.

enum Db {
    Sqlite(sqlx::SqliteConnection),
    Pg(sqlx::PgConnection),
}

impl Db {
    async fn open(url: &str) -> Db {
        if url.starts_with("postgres") {
            Db::Pg(sqlx::PgConnection::connect(url).await.expect("connect to PostgreSQL"))
        } else {
            Db::Sqlite(sqlx::SqliteConnection::connect(url).await.expect("open the SQLite file"))
        }
    }

    /// A number from `sql`, which may use `$1` for `arg`.
    async fn count(&mut self, sql: &str, arg: &str) -> i64 {
        let query = sqlx::AssertSqlSafe(sql.to_string());
        let result = match self {
            Db::Sqlite(c) => sqlx::query_scalar::<_, i64>(query).bind(arg).fetch_one(c).await,
            Db::Pg(c) => sqlx::query_scalar::<_, i64>(query).bind(arg).fetch_one(c).await,
        };
        result.unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// A number from `sql`, which takes no argument.
    async fn count_all(&mut self, sql: &str) -> i64 {
        let query = sqlx::AssertSqlSafe(sql.to_string());
        let result = match self {
            Db::Sqlite(c) => sqlx::query_scalar::<_, i64>(query).fetch_one(c).await,
            Db::Pg(c) => sqlx::query_scalar::<_, i64>(query).fetch_one(c).await,
        };
        result.unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// The first column of every row of `sql` (text), which may use `$1` for `arg`.
    async fn strings(&mut self, sql: &str, arg: &str) -> Vec<String> {
        let query = sqlx::AssertSqlSafe(sql.to_string());
        let result = match self {
            Db::Sqlite(c) => sqlx::query_scalar::<_, String>(query).bind(arg).fetch_all(c).await,
            Db::Pg(c) => sqlx::query_scalar::<_, String>(query).bind(arg).fetch_all(c).await,
        };
        result.unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    async fn execute(&mut self, sql: &str, arg: &str) {
        let query = sqlx::AssertSqlSafe(sql.to_string());
        let result = match self {
            Db::Sqlite(c) => sqlx::query(query).bind(arg).execute(c).await.map(|_| ()),
            Db::Pg(c) => sqlx::query(query).bind(arg).execute(c).await.map(|_| ()),
        };
        result.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// Asserts that an acknowledged report is stored exactly once under its key, with its
    /// attachment and its confirmation email.
    async fn assert_stored_once(&mut self, key: &str, code: &str) {
        let per_key = self.count("SELECT COUNT(*) FROM reports WHERE idempotency_key = $1", key).await;
        assert_eq!(per_key, 1, "acknowledged submission {key} ({code}) stored {per_key} times");
        let stored = self.strings("SELECT code FROM reports WHERE idempotency_key = $1", key).await;
        assert_eq!(stored, [code], "submission {key} was acknowledged with another tracking code");
        let files = self.count("SELECT COUNT(*) FROM report_attachments WHERE report_code = $1", code).await;
        assert_eq!(files, 1, "report {code}: {files} attachments");
        let messages = self
            .count(
                "SELECT COUNT(*) FROM outbox o JOIN reports r ON o.topic = 'lapor:' || r.public_id WHERE r.code = $1",
                code,
            )
            .await;
        assert_eq!(messages, 1, "report {code}: {messages} confirmation messages in the outbox");
    }

    /// Reports missing their attachment or their outbox message (nothing half-stored).
    async fn incomplete_reports(&mut self) -> i64 {
        self.count_all(
            "SELECT COUNT(*) FROM reports r WHERE \
             NOT EXISTS (SELECT 1 FROM report_attachments a WHERE a.report_code = r.code) \
             OR NOT EXISTS (SELECT 1 FROM outbox o WHERE o.topic = 'lapor:' || r.public_id)",
        )
        .await
    }

    async fn total_reports(&mut self) -> i64 {
        self.count_all("SELECT COUNT(*) FROM reports").await
    }
}

/// The database of a test: a SQLite file in `dir`, or a fresh PostgreSQL database (kept as long
/// as the returned guard) when `TEST_DATABASE_URL` names a server.
async fn database(dir: &Path) -> (String, Option<TestDatabase>) {
    if on_postgres() {
        let db = fresh_database().await;
        (db.url.clone(), Some(db))
    } else {
        (format!("sqlite://{}", dir.join("balai.db").display()), None)
    }
}

// ---------------------------------------------------------------------------------------------
// 1. kill -9 in the middle of a burst of submissions.

/// What one submission came to.
#[derive(Debug, Clone)]
enum Outcome {
    /// 303 to the tracking page: the report is promised to be stored.
    Acknowledged { key: String, code: String },
    /// Sent, but no answer (the process died under it): it may or may not be stored.
    Unanswered { key: String },
    /// Any other answer.
    Other { key: String, status: u16, body: String },
}

/// One browser sending reports one after another until the server stops answering (which it
/// may only do once `killed` is set).
async fn burst_client(
    base: String,
    client: usize,
    acknowledged: Arc<AtomicUsize>,
    killed: Arc<AtomicBool>,
) -> Vec<Outcome> {
    let browser = Browser::new(&base);
    let attachment = jpeg(24 * 1024, client as u64);
    let mut out = Vec::new();
    for i in 0..200 {
        let n = client * 1000 + i;
        let (csrf, key) = match browser.report_form().await {
            Ok(form) => form,
            Err(_) if killed.load(Ordering::SeqCst) => break,
            Err(e) => {
                let key = format!("form-{n}");
                out.push(Outcome::Other { key, status: 0, body: format!("the form failed before the kill: {e}") });
                break;
            }
        };
        match browser.post_report(&csrf, &key, n, &attachment).await {
            Ok(page) if page.status == 303 => {
                out.push(Outcome::Acknowledged { key, code: tracking_code(&page) });
                acknowledged.fetch_add(1, Ordering::SeqCst);
            }
            Ok(page) => out.push(Outcome::Other { key, status: page.status, body: page.body }),
            Err(_) if killed.load(Ordering::SeqCst) => {
                out.push(Outcome::Unanswered { key });
                break;
            }
            Err(e) => {
                out.push(Outcome::Other { key, status: 0, body: format!("no answer before the kill: {e}") });
                break;
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_a_burst_loses_no_acknowledged_report_and_stores_none_twice() {
    within(Duration::from_secs(110), "kill -9 test", async {
        let dir = tempfile::tempdir().expect("temp dir");
        let (db_url, _pg) = database(dir.path()).await;
        let install = Install::new(dir.path(), &db_url);
        let mut server = Server::start(&install, "before-kill", true).await;

        let acknowledged = Arc::new(AtomicUsize::new(0));
        let killed = Arc::new(AtomicBool::new(false));
        let clients: Vec<_> = (0..6)
            .map(|c| {
                let (acknowledged, killed) = (Arc::clone(&acknowledged), Arc::clone(&killed));
                tokio::spawn(burst_client(server.base.clone(), c, acknowledged, killed))
            })
            .collect();
        let enough = eventually(Duration::from_secs(60), || {
            let n = acknowledged.load(Ordering::SeqCst);
            async move { n >= 15 }
        })
        .await;
        let so_far = acknowledged.load(Ordering::SeqCst);
        assert!(enough, "only {so_far} submissions acknowledged in 60 s:\n{}", server.log_tail());
        killed.store(true, Ordering::SeqCst);
        server.kill();
        let mut outcomes = Vec::new();
        for client in clients {
            outcomes.extend(client.await.expect("client task"));
        }

        let mut acked: Vec<(String, String)> = Vec::new();
        let mut unanswered: Vec<String> = Vec::new();
        for outcome in &outcomes {
            match outcome {
                Outcome::Acknowledged { key, code } => acked.push((key.clone(), code.clone())),
                Outcome::Unanswered { key } => unanswered.push(key.clone()),
                Outcome::Other { key, status, body } => {
                    panic!("submission {key} answered {status} before the kill: {body}")
                }
            }
        }
        let keys: HashSet<&String> = acked.iter().map(|(k, _)| k).chain(&unanswered).collect();
        assert_eq!(keys.len(), acked.len() + unanswered.len(), "every form gave a new idempotency key");
        eprintln!("kill -9: {} acknowledged, {} cut off without an answer", acked.len(), unanswered.len());

        // The same database, a new process.
        let server = Server::start(&install, "after-kill", false).await;
        let b = server.browser();
        assert_eq!(b.get("/").await.status, 200, "the restarted server serves pages");
        assert_eq!(b.get("/healthz").await.body, "ok\n");
        let mut db = Db::open(&db_url).await;
        for (key, code) in &acked {
            db.assert_stored_once(key, code).await;
        }
        let mut in_flight_stored = 0;
        for key in &unanswered {
            let n = db.count("SELECT COUNT(*) FROM reports WHERE idempotency_key = $1", key).await;
            assert!(n <= 1, "a cut-off submission {key} is stored {n} times");
            in_flight_stored += n;
        }
        assert_eq!(db.total_reports().await, acked.len() as i64 + in_flight_stored, "only what was sent is stored");
        assert_eq!(db.incomplete_reports().await, 0, "a report without its attachment or message");

        // The resident whose answer never came sends again (same form, same key): stored once.
        // And a double click on an acknowledged one after the restart changes nothing.
        let (csrf, _) = b.report_form().await.expect("form after the restart");
        let attachment = jpeg(24 * 1024, 99);
        for (i, key) in unanswered.iter().enumerate() {
            let page = b.post_report(&csrf, key, 9000 + i, &attachment).await.expect("resend");
            assert_eq!(page.status, 303, "resending {key}: {}", page.body);
            let code = tracking_code(&page);
            let stored = db.strings("SELECT code FROM reports WHERE idempotency_key = $1", key).await;
            assert_eq!(stored, [code], "resent submission {key}");
        }
        for (key, code) in acked.iter().take(3) {
            let page = b.post_report(&csrf, key, 0, &attachment).await.expect("resend");
            assert_eq!((page.status, tracking_code(&page)), (303, code.clone()), "resending acknowledged {key}");
            db.assert_stored_once(key, code).await;
        }
        assert_eq!(db.total_reports().await, (acked.len() + unanswered.len()) as i64);
        assert_eq!(db.incomplete_reports().await, 0);
        if let Db::Sqlite(c) = &mut db {
            let check: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(c).await.expect("check");
            assert_eq!(check, "ok");
        }
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// 2. PostgreSQL stopped and started again under load.

/// A throw-away PostgreSQL cluster of this test's own, stopped (immediate) on drop.
struct PgCluster {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
}

fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("Uid:")).map(|l| l.split_whitespace().nth(1) == Some("0")))
        .unwrap_or(false)
}

impl PgCluster {
    /// The newest server binaries under /usr/lib/postgresql/*/bin, or a clear failure.
    fn server_binaries() -> PathBuf {
        let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let version = e.file_name().to_string_lossy().split('.').next()?.parse().ok()?;
                let bin = e.path().join("bin");
                (bin.join("initdb").exists() && bin.join("pg_ctl").exists()).then_some((version, bin))
            })
            .collect();
        found.sort();
        match found.pop() {
            Some((_, bin)) => bin,
            None => panic!(
                "PostgreSQL server binaries (initdb, pg_ctl) are missing under /usr/lib/postgresql/*/bin: this test \
                 starts its own cluster. Install them (e.g. `apt-get install postgresql`; scripts/test does)."
            ),
        }
    }

    fn as_postgres(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if running_as_root() {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", "postgres", "--"]).arg(path);
            cmd
        } else {
            Command::new(path)
        }
    }

    fn run(&self, program: &str, args: &[&str]) {
        let out = self.as_postgres(program).args(args).stdin(Stdio::null()).output().expect(program);
        assert!(
            out.status.success(),
            "{program} {args:?} failed: {}\n{}\nserver log:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            tail(&self.dir.path().join("server.log"), 2000)
        );
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn init() -> PgCluster {
        let bin = Self::server_binaries();
        let dir = tempfile::tempdir().expect("temp dir");
        if running_as_root() {
            let chown = Command::new("chown").arg("postgres").arg(dir.path()).status().expect("chown");
            assert!(chown.success(), "cannot give the cluster directory to the postgres user");
        }
        let cluster = PgCluster { bin, dir, port: free_port() };
        cluster.run("initdb", &["-D", &cluster.data(), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"]);
        cluster.start();
        cluster
    }

    fn start(&self) {
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -k {} -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c max_connections=100",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("server.log").display().to_string();
        self.run("pg_ctl", &["-D", &self.data(), "-l", &log, "-w", "-t", "30", "-o", &options, "start"]);
    }

    fn stop(&self, mode: &str) {
        self.run("pg_ctl", &["-D", &self.data(), "-m", mode, "-w", "-t", "30", "stop"]);
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let _ = self
            .as_postgres("pg_ctl")
            .args(["-D", &self.data(), "-m", "immediate", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// One request of the steady load.
#[derive(Debug, Clone)]
struct Sample {
    started: Instant,
    took: Duration,
    what: String,
    /// The status, or why there was none.
    status: Result<u16, String>,
    body_says_unavailable: bool,
}

/// Reads pages and sends reports in a loop until `stop`; every request is recorded.
async fn steady_load(base: String, worker: usize, stop: Arc<AtomicBool>, samples: Arc<Mutex<Vec<Sample>>>) {
    let b = Browser::new(&base);
    let attachment = jpeg(8 * 1024, worker as u64);
    let mut csrf = None;
    let mut n = 0;
    let record = |what: String, started: Instant, result: &Result<Page, String>| {
        let sample = Sample {
            started,
            took: started.elapsed(),
            what,
            status: result.as_ref().map(|p| p.status).map_err(Clone::clone),
            body_says_unavailable: result.as_ref().is_ok_and(|p| p.body.contains(UNAVAILABLE)),
        };
        samples.lock().expect("samples").push(sample);
    };
    while !stop.load(Ordering::SeqCst) {
        n += 1;
        let path = ["/", "/lapor/publik", "/healthz", "/desa/32.07.06.2001"][n % 4];
        let started = Instant::now();
        let result = b.try_get(path).await;
        record(format!("GET {path}"), started, &result);

        let started = Instant::now();
        let form = b.try_get(&format!("/lapor?desa={VILLAGE}")).await;
        record("GET /lapor".into(), started, &form);
        let key = match &form {
            Ok(page) if page.status == 200 => {
                csrf = hidden_value(&page.body, "csrf");
                hidden_value(&page.body, "idempotency_key").expect("the form's idempotency key")
            }
            // A form opened before the outage is sent anyway, with a key of its own.
            _ => format!("load-{worker}-{n}"),
        };
        let Some(token) = &csrf else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        let started = Instant::now();
        let result = b.post_report(token, &key, worker * 100_000 + n, &attachment).await;
        record("POST /lapor".into(), started, &result);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_stopped_under_load_gives_clear_503s_and_balai_recovers_without_restart() {
    within(Duration::from_secs(110), "PostgreSQL outage test", async {
        let cluster = tokio::task::spawn_blocking(PgCluster::init).await.expect("init cluster");
        let dir = tempfile::tempdir().expect("temp dir");
        let install = Install::new(dir.path(), &cluster.url());
        let server = Server::start(&install, "outage", true).await;
        let probe = server.browser();
        assert_eq!(probe.get("/healthz").await.status, 200);
        let (probe_csrf, _) = probe.report_form().await.expect("form");

        let stop = Arc::new(AtomicBool::new(false));
        let samples = Arc::new(Mutex::new(Vec::new()));
        let load: Vec<_> = (0..3)
            .map(|w| tokio::spawn(steady_load(server.base.clone(), w, Arc::clone(&stop), Arc::clone(&samples))))
            .collect();
        tokio::time::sleep(Duration::from_secs(2)).await;

        // Down.
        let stopped_at = Instant::now();
        let c = Arc::new(cluster);
        let stopping = Arc::clone(&c);
        tokio::task::spawn_blocking(move || stopping.stop("fast")).await.expect("stop PostgreSQL");
        let stop_took = stopped_at.elapsed();
        let down_at = Instant::now();
        let answered = eventually(Duration::from_secs(15), || {
            let probe = probe.clone();
            async move {
                let home = probe.try_get("/").await;
                let health = probe.try_get("/healthz").await;
                matches!((&home, &health), (Ok(h), Ok(z))
                    if h.status == 503 && h.body.contains(UNAVAILABLE) && z.status == 503)
            }
        })
        .await;
        assert!(answered, "no clear 503 within 15 s of stopping PostgreSQL:\n{}", server.log_tail());
        let first_503 = stopped_at.elapsed();
        let health = probe.get("/healthz").await;
        assert_eq!((health.status, health.body.as_str()), (503, "database unavailable\n"));
        let refused = probe.post_report(&probe_csrf, "probe-while-down", 1, &jpeg(4096, 1)).await.expect("answer");
        assert_eq!(refused.status, 503, "a submission while the database is down: {}", refused.body);
        assert!(refused.body.contains(UNAVAILABLE), "{}", refused.body);
        tokio::time::sleep(Duration::from_secs(3)).await;

        // Up again: the same process recovers.
        let restarted_at = Instant::now();
        let starting = Arc::clone(&c);
        tokio::task::spawn_blocking(move || starting.start()).await.expect("start PostgreSQL");
        let recovered = eventually(Duration::from_secs(20), || {
            let probe = probe.clone();
            async move {
                let health = probe.try_get("/healthz").await;
                let home = probe.try_get("/").await;
                matches!((&health, &home), (Ok(z), Ok(h)) if z.status == 200 && h.status == 200)
            }
        })
        .await;
        assert!(recovered, "Balai did not recover within 20 s of PostgreSQL coming back:\n{}", server.log_tail());
        let recovered_at = Instant::now();
        let (csrf, key) = probe.report_form().await.expect("form after recovery");
        let accepted = probe.post_report(&csrf, &key, 2, &jpeg(4096, 2)).await.expect("answer");
        assert_eq!(accepted.status, 303, "a submission after recovery: {}", accepted.body);
        tokio::time::sleep(Duration::from_secs(2)).await;
        stop.store(true, Ordering::SeqCst);
        for task in load {
            task.await.expect("load task");
        }

        let samples = samples.lock().expect("samples").clone();
        eprintln!(
            "outage: {} requests; pg_ctl stop took {:.1} s; first clear 503 {:.1} s after the stop began; \
             recovered {:.1} s after the start",
            samples.len(),
            stop_took.as_secs_f64(),
            first_503.as_secs_f64(),
            (recovered_at - restarted_at).as_secs_f64()
        );
        let (mut downs, mut posts_while_down) = (0, 0);
        let slowest = samples.iter().map(|s| s.took).max().unwrap_or_default();
        for s in &samples {
            let status =
                s.status.as_ref().unwrap_or_else(|e| panic!("{} got no answer (a hang or a cut): {e}", s.what));
            // Balai waits at most its pool's acquire timeout (5 s) for a connection, then says 503.
            assert!(s.took < Duration::from_secs(12), "{} took {:?}", s.what, s.took);
            if s.started + s.took < stopped_at {
                assert!(matches!(status, 200 | 303), "{} answered {status} before the outage", s.what);
            }
            assert!(matches!(status, 200 | 303 | 503), "{} answered {status}", s.what);
            if *status == 503 {
                downs += 1;
                assert!(
                    s.what == "GET /healthz" || s.body_says_unavailable,
                    "{}: 503 without the Indonesian page",
                    s.what
                );
            }
            let while_down = s.started >= down_at && s.started + s.took <= restarted_at;
            if while_down && s.what == "POST /lapor" {
                posts_while_down += 1;
                assert_eq!(*status, 503, "a submission was acknowledged while PostgreSQL was down");
            }
            if s.started > recovered_at + Duration::from_millis(500) {
                assert!(matches!(status, 200 | 303), "{} answered {status} after recovery", s.what);
            }
        }
        assert!(downs > 0, "the load never saw the outage");
        assert!(posts_while_down > 0, "the load sent no submission while PostgreSQL was down");
        eprintln!(
            "outage: {downs} answers 503, {posts_while_down} submissions while down; slowest answer {:.1} s",
            slowest.as_secs_f64()
        );
        assert!(
            samples.iter().any(|s| s.started > recovered_at && s.what == "POST /lapor" && s.status == Ok(303)),
            "no submission of the load was accepted after recovery"
        );
        drop(server);
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// 3. A full disk under the SQLite database (where the uploads live too).

/// A small tmpfs mounted at `dir`, unmounted on drop.
struct Tmpfs {
    dir: PathBuf,
}

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Tmpfs {
        std::fs::create_dir_all(dir).expect("mount point");
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .output()
            .expect("run mount");
        assert!(out.status.success(), "cannot mount a tmpfs: {}", String::from_utf8_lossy(&out.stderr));
        Tmpfs { dir: dir.to_path_buf() }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let ok = Command::new("umount").arg(&self.dir).status().is_ok_and(|s| s.success());
        if !ok {
            let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
        }
    }
}

const IN_USER_NAMESPACE: &str = "FAULTS_IN_USER_NAMESPACE";

#[test]
fn a_full_disk_refuses_submissions_clearly_and_stores_nothing_partial() {
    const NAME: &str = "a_full_disk_refuses_submissions_clearly_and_stores_nothing_partial";
    if running_as_root() {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(within(Duration::from_secs(100), "full-disk test", full_disk()));
        return;
    }
    assert!(
        std::env::var_os(IN_USER_NAMESPACE).is_none(),
        "inside `unshare -rm` but not root: cannot mount the tmpfs this test needs"
    );
    // Not root: run this test again in a private user and mount namespace, where we may mount.
    let out = Command::new("unshare")
        .arg("-rm")
        .arg(std::env::current_exe().expect("test binary"))
        .args([NAME, "--exact", "--nocapture", "--test-threads=1"])
        .env(IN_USER_NAMESPACE, "1")
        .output();
    match out {
        Ok(out) if out.status.success() && String::from_utf8_lossy(&out.stdout).contains("1 passed") => {}
        Ok(out) => panic!(
            "the full-disk test needs to mount a tmpfs: as root, or in `unshare -rm`, which failed or whose run \
             failed ({}):\n{}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => panic!("the full-disk test needs to mount a tmpfs: not root, and `unshare` cannot run: {e}"),
    }
}

async fn full_disk() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let disk = Tmpfs::mount(&data, "8m");
    // Ballast, deleted later to free space as an administrator would.
    let ballast = data.join("ballast");
    std::fs::write(&ballast, vec![1u8; 3 * 1024 * 1024]).expect("ballast file");
    let db_path = data.join("balai.db");
    let db_url = format!("sqlite://{}", db_path.display());
    let install = Install::new(dir.path(), &db_url);
    // The server is declared after the mount, so it is killed before the unmount.
    let mut server = Server::start(&install, "full-disk", true).await;
    let b = server.browser();

    let mut acked: Vec<(String, String, Vec<u8>)> = Vec::new();
    let mut refused: Vec<String> = Vec::new();
    for n in 0..12 {
        let attachment = jpeg(1_500_000, n as u64);
        let (csrf, key) = b.report_form().await.expect("the form is served even with a full disk");
        let page = b.post_report(&csrf, &key, n, &attachment).await.expect("an answer, not a cut connection");
        match page.status {
            303 => acked.push((key, tracking_code(&page), attachment)),
            507 => {
                assert!(page.body.contains(STORAGE_FULL), "a 507 without the Indonesian explanation: {}", page.body);
                assert!(!page.body.contains("Terjadi kesalahan"), "{}", page.body);
                refused.push(key);
                if refused.len() == 2 {
                    break;
                }
            }
            other => panic!("submission {n} answered {other} (expected 303 or 507): {}\n{}", page.body, {
                server.log_tail()
            }),
        }
    }
    eprintln!("full disk: {} reports stored, then {} refused", acked.len(), refused.len());
    assert!(!acked.is_empty(), "not a single report fitted on the disk");
    assert!(!refused.is_empty(), "the disk never filled up ({} reports of 1.5 MB on 8 MB)", acked.len());

    // Full, but reading still works: pages, the tracking page of a stored report, its attachment.
    assert_eq!(b.get("/").await.status, 200, "pages are served with a full disk");
    assert_eq!(b.get("/healthz").await.status, 200);
    let (_, code, _) = &acked[0];
    let tracking = b.get(&format!("/lapor/lacak/{code}")).await;
    assert_eq!(tracking.status, 200);
    assert!(tracking.body.contains("jalan.jpg"));

    // Space freed: the same process stores again.
    std::fs::remove_file(&ballast).expect("free space");
    let (csrf, key) = b.report_form().await.expect("form");
    let attachment = jpeg(1_000_000, 77);
    let page = b.post_report(&csrf, &key, 77, &attachment).await.expect("answer");
    assert_eq!(page.status, 303, "after freeing space: {}", page.body);
    acked.push((key, tracking_code(&page), attachment));
    assert_eq!(b.get("/").await.status, 200);
    server.kill();

    let mut db = Db::open(&db_url).await;
    let Db::Sqlite(conn) = &mut db else { unreachable!("a SQLite file") };
    let check: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&mut *conn).await.expect("check");
    assert_eq!(check, "ok");
    for (key, code, attachment) in &acked {
        db.assert_stored_once(key, code).await;
        let size = db.count("SELECT size_bytes FROM report_attachments WHERE report_code = $1", code).await;
        assert_eq!(size, attachment.len() as i64, "the stored attachment of {code}");
        let Db::Sqlite(conn) = &mut db else { unreachable!() };
        let (data,): (Vec<u8>,) = sqlx::query_as("SELECT data FROM report_attachments WHERE report_code = $1")
            .bind(code)
            .fetch_one(&mut *conn)
            .await
            .expect("attachment");
        assert!(data == *attachment, "the attachment of {code} is not what was sent");
    }
    for key in &refused {
        let n = db.count("SELECT COUNT(*) FROM reports WHERE idempotency_key = $1", key).await;
        assert_eq!(n, 0, "a refused submission {key} was stored");
    }
    assert_eq!(db.total_reports().await, acked.len() as i64, "reports stored vs acknowledged");
    assert_eq!(db.incomplete_reports().await, 0, "a report without its attachment or message");
    let orphans = db
        .count_all(
            "SELECT COUNT(*) FROM report_attachments a WHERE NOT EXISTS \
             (SELECT 1 FROM reports r WHERE r.code = a.report_code)",
        )
        .await;
    assert_eq!(orphans, 0, "attachments without their report");
    drop(db);
    drop(server);
    drop(disk);
}

// ---------------------------------------------------------------------------------------------
// 4. Two instances on one PostgreSQL database.

fn message_id(data: &str) -> String {
    data.split("\r\n")
        .take_while(|l| !l.is_empty())
        .find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("message-id")).map(|(_, v)| v))
        .map(|v| v.trim().to_string())
        .unwrap_or_else(|| panic!("a mail without a Message-ID:\n{data}"))
}

/// Creates a letter request for a resident of the demo village and has it verified; returns its id.
async fn verified_letter_request(operator: &Browser) -> String {
    let form = operator.get(&format!("/staf/desa/{VILLAGE}/surat/baru?jenis=domisili")).await;
    assert_eq!(form.status, 200, "{}", form.body);
    let names = letter_field_names(&form.body);
    let mut fields: Vec<(&str, &str)> = vec![("letter_type", "domisili"), ("nik", "3207061205900001")];
    fields.extend(names.iter().map(|n| (n.as_str(), "Keperluan administrasi")));
    let created = operator.post(&format!("/staf/desa/{VILLAGE}/surat/baru"), &fields).await;
    assert_eq!(created.status, 303, "{}", created.body);
    let path = created.location.clone();
    let id = path.strip_prefix("/staf/surat/").expect("request path").to_string();
    let verified = operator.post(&format!("{path}/aksi"), &[("action", "verifikasi")]).await;
    assert_eq!(verified.status, 303, "{}", verified.body);
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_postgres_number_letters_send_mail_and_escalate_exactly_once() {
    if !on_postgres() {
        eprintln!("two instances on one database: needs TEST_DATABASE_URL naming a PostgreSQL server; skipped");
        return;
    }
    within(Duration::from_secs(110), "two-instance test", async {
        let dir = tempfile::tempdir().expect("temp dir");
        let pg = fresh_database().await;
        let (sink, smtp) = SmtpSink::start().await;
        let mut install = Install::new(dir.path(), &pg.url);
        install.env = vec![
            ("BALAI_SMTP_URL".into(), format!("smtp://{smtp}")),
            ("BALAI_SMTP_FROM".into(), "Balai <balai@example.org>".into()),
            ("BALAI_OUTBOX_POLL_SECONDS".into(), "1".into()),
        ];
        // The demo is seeded once, by the first instance; the second shares its database and key.
        let a = Server::start(&install, "instance-a", true).await;
        let b = Server::start(&install, "instance-b", false).await;
        let password = |u: &str| a.accounts.get(u).cloned().unwrap_or_else(|| panic!("demo account {u}"));

        // Letters: requests made through both instances, then signed through both at once.
        let operators = [
            a.logged_in("operator.sukamulya", &password("operator.sukamulya")).await,
            b.logged_in("operator.sukamulya", &password("operator.sukamulya")).await,
        ];
        let mut ids = Vec::new();
        for i in 0..8 {
            ids.push(verified_letter_request(&operators[i % 2]).await);
        }
        let signers = [
            a.logged_in("kades.sukamulya", &password("kades.sukamulya")).await,
            b.logged_in("kades.sukamulya", &password("kades.sukamulya")).await,
        ];
        let sign = |signer: &Browser, id: String| {
            let signer = signer.clone();
            tokio::spawn(async move {
                let page = signer.post(&format!("/staf/desa/{VILLAGE}/surat/tandatangani"), &[("id", &id)]).await;
                assert_eq!(page.status, 200, "signing {id}: {}", page.body);
            })
        };
        let mut signing = Vec::new();
        for (i, id) in ids.iter().enumerate() {
            signing.push(sign(&signers[i % 2], id.clone()));
        }
        // One request signed through both instances at the same moment (two clicks, two tabs).
        signing.push(sign(&signers[0], ids[0].clone()));
        signing.push(sign(&signers[1], ids[0].clone()));

        // Reports through both instances at the same time.
        let mut submitting = Vec::new();
        for i in 0..10 {
            let browser = [&a, &b][i % 2].browser();
            submitting.push(tokio::spawn(async move {
                let (csrf, key) = browser.report_form().await.expect("form");
                let page = browser.post_report(&csrf, &key, i, &jpeg(4096, i as u64)).await.expect("answer");
                assert_eq!(page.status, 303, "report {i}: {}", page.body);
                (key, tracking_code(&page))
            }));
        }
        for task in signing {
            task.await.expect("signing");
        }
        let mut reports = Vec::new();
        for task in submitting {
            reports.push(task.await.expect("submission"));
        }

        let mut db = Db::open(&pg.url).await;
        let mut sequences: Vec<i64> = db
            .strings("SELECT sequence::text FROM letters WHERE village_code = $1", VILLAGE)
            .await
            .iter()
            .map(|s| s.parse().expect("sequence"))
            .collect();
        sequences.sort();
        assert_eq!(sequences, (1..=ids.len() as i64).collect::<Vec<_>>(), "letter numbers: unique and contiguous");
        let numbers: HashSet<String> =
            db.strings("SELECT number FROM letters WHERE village_code = $1", VILLAGE).await.into_iter().collect();
        assert_eq!(numbers.len(), ids.len(), "no letter number given twice");
        assert_eq!(db.count("SELECT COUNT(*) FROM letters WHERE request_id = $1", &ids[0]).await, 1);
        for (key, code) in &reports {
            db.assert_stored_once(key, code).await;
        }

        // Both outbox workers deliver; each message reaches the SMTP server once.
        let all_sent = eventually(Duration::from_secs(30), || {
            let url = pg.url.clone();
            async move {
                let mut db = Db::open(&url).await;
                db.count("SELECT COUNT(*) FROM outbox WHERE channel = 'email' AND status <> $1", "sent").await == 0
            }
        })
        .await;
        assert!(all_sent, "email still undelivered after 30 s:\n{}\n{}", a.log_tail(), b.log_tail());
        let sent_ids = db.strings("SELECT id::text FROM outbox WHERE channel = 'email' AND status = $1", "sent").await;
        tokio::time::sleep(Duration::from_millis(1500)).await; // a duplicate delivery would arrive by now
        let mails = sink.mails();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for mail in &mails {
            *seen.entry(message_id(&mail.data)).or_default() += 1;
        }
        let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
        assert!(twice.is_empty(), "delivered more than once: {twice:?}");
        let delivered: HashSet<String> =
            seen.keys().map(|m| m.trim_matches(['<', '>']).split('.').nth(1).expect("outbox id").to_string()).collect();
        let expected: HashSet<String> = sent_ids.into_iter().collect();
        assert_eq!(delivered, expected, "the mails received are exactly the outbox's sent email");
        for i in 0..reports.len() {
            let to = format!("<pelapor{i}@example.org>");
            let n = mails.iter().filter(|mail| mail.to.contains(&to)).count();
            assert_eq!(n, 1, "{to} got {n} confirmations");
        }

        // One report overdue; the deadline job run from several processes at once escalates it once.
        let (_, overdue) = &reports[0];
        db.execute(
            "UPDATE reports SET due_on = CURRENT_DATE - 30, verify_due = CURRENT_DATE - 30 WHERE code = $1",
            overdue,
        )
        .await;
        let runs: Vec<_> = (0..3)
            .map(|_| {
                let mut cmd = install.command(&["lapor", "tenggat"]);
                tokio::task::spawn_blocking(move || cmd.output().expect("run balai lapor tenggat"))
            })
            .collect();
        let mut escalated_by_cli = 0;
        for run in runs {
            let out = run.await.expect("tenggat");
            let stdout = String::from_utf8_lossy(&out.stdout).to_string();
            assert!(out.status.success(), "balai lapor tenggat: {stdout}{}", String::from_utf8_lossy(&out.stderr));
            escalated_by_cli += stdout
                .split(" reminded, ")
                .nth(1)
                .and_then(|s| s.split(' ').next())
                .and_then(|n| n.parse::<usize>().ok())
                .unwrap_or_else(|| panic!("unexpected output: {stdout}"));
        }
        let public_id = db.strings("SELECT public_id FROM reports WHERE code = $1", overdue).await.remove(0);
        let object = format!("report:{public_id}");
        let audits =
            db.count("SELECT COUNT(*) FROM audit_log WHERE action = 'report.escalate' AND object = $1", &object).await;
        assert_eq!(audits, 1, "escalation audit records for {object}");
        let events = db
            .count("SELECT COUNT(*) FROM report_events WHERE action = 'eskalasi' AND report_code = $1", overdue)
            .await;
        assert_eq!(events, 1, "escalation events");
        assert!(escalated_by_cli <= 1, "{escalated_by_cli} processes say they escalated the same report");
        eprintln!(
            "two instances: {} letters numbered 1..={}, {} mails each delivered once, {escalated_by_cli} \
             escalation(s) by the command line",
            ids.len(),
            ids.len(),
            mails.len()
        );
        let verify = install.command(&["audit", "verify"]).output().expect("audit verify");
        assert!(
            verify.status.success(),
            "audit chain after concurrent writers: {}",
            String::from_utf8_lossy(&verify.stderr)
        );
        drop(a);
        drop(b);
    })
    .await;
}
