//! `bench all`: every scenario on SQLite and on PostgreSQL against the real `balai` binary, then
//! `latest.json` and `latest.md` in the results directory.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use balai_web::config::Config;
use serde::Serialize;

use crate::database::BenchDatabase;
use crate::dataset::{self, Generated, Size, VILLAGE};
use crate::http::{Bound, Latencies, MakeRequest, drive, fetch, get, get_with, post_form};
use crate::lapor::{CSRF, submission};
use crate::letters::{LettersArgs, run_letters};
use crate::pg_cluster::Cluster;
use crate::server::{Server, balai_binary};
use crate::system::{Machine, machine};

#[derive(clap::Args)]
pub struct AllArgs {
    /// Small sizes and short runs: checks the suite works (seconds), measures nothing worth
    /// publishing.
    #[arg(long)]
    pub quick: bool,
    /// A PostgreSQL server to create the run's databases on (postgres://USER@HOST:PORT/DB).
    /// Default: a throw-away cluster started here with initdb (PostgreSQL server binaries under
    /// /usr/lib/postgresql/*/bin), stopped afterwards.
    #[arg(long, value_name = "URL")]
    pub postgres: Option<String>,
    /// Only SQLite.
    #[arg(long)]
    pub no_postgres: bool,
    /// Seconds per public-page run (default 5, quick 1).
    #[arg(long)]
    pub seconds: Option<u64>,
    /// Where latest.json and latest.md go.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../../bench/results"))]
    pub out: PathBuf,
    /// The shared data directory (wilayah-3207-ciamis.csv).
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"))]
    pub data: PathBuf,
}

#[derive(Serialize)]
struct Results {
    generated_at: String,
    quick: bool,
    machine: Machine,
    balai_binary: BinaryInfo,
    page_weight: Vec<PageWeight>,
    backends: Vec<BackendResults>,
}

#[derive(Serialize)]
struct BinaryInfo {
    path: String,
    profile: &'static str,
    bytes: u64,
}

#[derive(Serialize)]
struct PageWeight {
    page: &'static str,
    path: String,
    html_bytes: usize,
    css_bytes: usize,
    html_gzip_bytes: usize,
    css_gzip_bytes: usize,
    html_br_bytes: usize,
    css_br_bytes: usize,
    /// Script tags other than the offline worker's installer.
    script_tags: usize,
}

impl PageWeight {
    fn total(&self) -> usize {
        self.html_bytes + self.css_bytes
    }
    fn total_gzip(&self) -> usize {
        self.html_gzip_bytes + self.css_gzip_bytes
    }
}

#[derive(Serialize)]
struct BackendResults {
    backend: &'static str,
    cold_start_ms: f64,
    idle_rss_empty_mib: f64,
    idle_rss_demo_mib: f64,
    peak_rss_mib: f64,
    idle_rss_after_load_mib: f64,
    public_pages: Vec<PageRun>,
    submissions: Submissions,
    letters: LetterRuns,
    dataset: DatasetRun,
}

#[derive(Serialize)]
struct PageRun {
    page: &'static str,
    connections: usize,
    #[serde(flatten)]
    latencies: Latencies,
}

#[derive(Serialize)]
struct Submissions {
    connections: usize,
    #[serde(flatten)]
    latencies: Latencies,
    stored: i64,
    messages: i64,
}

#[derive(Serialize)]
struct LetterRuns {
    sequential_per_s: f64,
    sequential_p95_ms: f64,
    concurrent: u32,
    concurrent_per_s: f64,
    numbers_checked: usize,
}

#[derive(Serialize)]
struct DatasetRun {
    size: Size,
    generated: Generated,
    scoreboard_first_ms: f64,
    /// The regency dashboard's first view: the year summed while the visitor waits.
    dashboard_first_ms: f64,
    queries: Vec<Query>,
}

#[derive(Serialize)]
struct Query {
    name: &'static str,
    path: String,
    #[serde(flatten)]
    latencies: Latencies,
}

fn mib(kib: Option<u64>) -> f64 {
    kib.map_or(0.0, |k| (k as f64 / 1024.0 * 10.0).round() / 10.0)
}

pub async fn all(args: AllArgs) -> anyhow::Result<()> {
    let balai = balai_binary()?;
    let bytes = std::fs::metadata(&balai)?.len();
    let profile = if balai.parent().is_some_and(|d| d.ends_with("release")) { "release" } else { "debug" };
    if !args.quick && profile != "release" {
        eprintln!("warning: measuring a {profile} build; run `cargo run --release -p bench -- all`");
    }
    if !args.data.join("wilayah-3207-ciamis.csv").exists() {
        bail!("{} has no wilayah-3207-ciamis.csv (give --data DIR)", args.data.display());
    }
    let cluster;
    let mut backends: Vec<(&'static str, Option<String>)> = vec![("sqlite", None)];
    if !args.no_postgres {
        let url = match &args.postgres {
            Some(url) => url.clone(),
            None => {
                eprintln!("Starting a throw-away PostgreSQL cluster …");
                cluster = Cluster::start().await?;
                cluster.url()
            }
        };
        backends.push(("postgres", Some(url)));
    }
    let mut page_weight = Vec::new();
    let mut results = Vec::new();
    for (backend, server_url) in backends {
        eprintln!("== {backend}");
        let run = Run { args: &args, balai: &balai, server_url: server_url.as_deref() };
        results.push(run.backend(backend, &mut page_weight).await?);
    }
    let results = Results {
        generated_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        quick: args.quick,
        machine: machine(),
        balai_binary: BinaryInfo { path: balai.display().to_string(), profile, bytes },
        page_weight,
        backends: results,
    };
    std::fs::create_dir_all(&args.out).with_context(|| format!("cannot create {}", args.out.display()))?;
    let json = args.out.join("latest.json");
    std::fs::write(&json, serde_json::to_string_pretty(&results)?)?;
    let markdown = crate::table::markdown(&serde_json::to_value(&results)?);
    std::fs::write(args.out.join("latest.md"), &markdown)?;
    println!("{markdown}");
    eprintln!("Wrote {} and latest.md", json.display());
    Ok(())
}

struct Run<'a> {
    args: &'a AllArgs,
    balai: &'a Path,
    server_url: Option<&'a str>,
}

impl Run<'_> {
    async fn database(&self) -> anyhow::Result<BenchDatabase> {
        BenchDatabase::create(self.server_url).await
    }

    async fn backend(&self, backend: &'static str, weights: &mut Vec<PageWeight>) -> anyhow::Result<BackendResults> {
        let quick = self.args.quick;
        let work = tempfile::tempdir()?;

        // Cold start: a new, empty database (migrations included) to the first 200 on `/`.
        let empty = self.database().await?;
        let server = Server::start(self.balai, work.path(), empty.url(), false).await?;
        let cold_start_ms = server.start_to_first_200.as_secs_f64() * 1000.0;
        tokio::time::sleep(Duration::from_secs(1)).await;
        let idle_rss_empty_mib = mib(server.memory().rss_kib);
        server.stop().await?;
        empty.remove().await?;
        eprintln!("cold start {cold_start_ms:.0} ms, idle {idle_rss_empty_mib} MiB");

        // The demo regency: public pages, page weight, submissions.
        let demo = self.database().await?;
        let demo_dir = tempfile::tempdir()?;
        let server = Server::start(self.balai, demo_dir.path(), demo.url(), true).await?;
        tokio::time::sleep(Duration::from_secs(1)).await;
        let idle_rss_demo_mib = mib(server.memory().rss_kib);
        let tracking = tracking_path(server.addr).await?;
        let dip = dip_item_path(server.addr).await?;
        if weights.is_empty() {
            *weights = page_weights(server.addr, &tracking, &dip).await?;
        }
        let seconds = Duration::from_secs(self.args.seconds.unwrap_or(if quick { 1 } else { 5 }));
        let mut public_pages = Vec::new();
        let pages: [(&'static str, String); 6] = [
            ("home page (/)", "/".into()),
            ("village portal page", format!("/desa/{VILLAGE}")),
            ("report tracking page", tracking.clone()),
            ("PPID portal home", format!("/desa/{VILLAGE}/ppid")),
            ("DIP item page", dip.clone()),
            ("information request form", format!("/desa/{VILLAGE}/ppid/minta")),
        ];
        for (page, path) in &pages {
            let request = get(path);
            let make: MakeRequest = Arc::new(move |_| request.clone());
            drive(server.addr, 16, Bound::Time(Duration::from_millis(500)), 200, Arc::clone(&make)).await?;
            for connections in [16, 64, 256] {
                let l = drive(server.addr, connections, Bound::Time(seconds), 200, Arc::clone(&make)).await?;
                eprintln!("{page} at {connections}: {:.0}/s p50 {:.1} p99 {:.1} ms", l.per_s, l.p50_ms, l.p99_ms);
                if l.failures > 0 {
                    bail!("{page}: {} of {} requests failed", l.failures, l.failures + l.requests);
                }
                public_pages.push(PageRun { page, connections, latencies: l });
            }
        }
        let count = if quick { 100 } else { 10_000 };
        let make: MakeRequest = Arc::new(submission);
        drive(server.addr, 4, Bound::Requests { first: 0, count: 200 }, 303, Arc::clone(&make)).await?;
        let latencies = drive(server.addr, 32, Bound::Requests { first: 200, count }, 303, make).await?;
        eprintln!("submissions: {:.0}/s p99 {:.1} ms", latencies.per_s, latencies.p99_ms);
        let peak_rss_mib = mib(server.memory().hwm_kib);
        tokio::time::sleep(Duration::from_secs(2)).await;
        let idle_rss_after_load_mib = mib(server.memory().rss_kib);
        server.stop().await?;
        let store = balai_store::connect(demo.url(), &Default::default()).await?;
        let stored = store.count_reports().await?;
        let counts = store.message_counts().await?;
        drop(store);
        // 200 warm-up submissions, the timed ones, and the one whose tracking page was loaded.
        let acknowledged = 200 + latencies.requests as i64 + 1;
        if stored != acknowledged {
            bail!("{stored} reports stored for {acknowledged} acknowledged submissions");
        }
        let submissions =
            Submissions { connections: 32, latencies, stored, messages: counts.pending + counts.sent + counts.failed };
        demo.remove().await?;

        // Letters end to end (in this process: number, Typst render, signature, store).
        let letters_db = self.database().await?;
        let letter_args =
            LettersArgs { count: if quick { 3 } else { 200 }, concurrency: 2, database_url: None, json: true };
        let report = run_letters(&letter_args, letter_args.count as usize, &letters_db, &Config::default()).await?;
        letters_db.remove().await?;
        let letters = LetterRuns {
            sequential_per_s: report.rounds[0].letters_per_s,
            sequential_p95_ms: report.rounds[0].p95_ms,
            concurrent: 2,
            concurrent_per_s: report.rounds.get(1).map_or(0.0, |r| r.letters_per_s),
            numbers_checked: report.verified.letters,
        };
        eprintln!(
            "letters: {:.1}/s sequential, {:.1}/s two at a time",
            letters.sequential_per_s, letters.concurrent_per_s
        );

        let dataset = self.dataset(if quick { Size::QUICK } else { Size::FULL }).await?;
        Ok(BackendResults {
            backend,
            cold_start_ms,
            idle_rss_empty_mib,
            idle_rss_demo_mib,
            peak_rss_mib,
            idle_rss_after_load_mib,
            public_pages,
            submissions,
            letters,
            dataset,
        })
    }

    async fn dataset(&self, size: Size) -> anyhow::Result<DatasetRun> {
        let database = self.database().await?;
        let work = tempfile::tempdir()?;
        let server = Server::start(self.balai, work.path(), database.url(), true).await?;
        let passwords = server.passwords.clone();
        server.stop().await?;
        eprintln!("generating the dataset …");
        let generated = dataset::generate(self.balai, work.path(), &self.args.data, &database, size).await?;
        eprintln!("generated in {:.0} s", generated.seconds);
        let server = Server::start(self.balai, work.path(), database.url(), false).await?;
        let addr = server.addr;
        let t = Instant::now();
        let first = fetch(addr, &get("/lapor/kinerja")).await?;
        let scoreboard_first_ms = t.elapsed().as_secs_f64() * 1000.0;
        if first.status != 200 {
            bail!("the scoreboard answered {}", first.status);
        }
        let admin = login(addr, &passwords, "admin.ciamis").await?;
        let operator = login(addr, &passwords, "operator.sukamulya").await?;
        let t = Instant::now();
        let first = fetch(addr, &get_with("/staf/evaluasi/32.07", std::slice::from_ref(&admin))).await?;
        let dashboard_first_ms = t.elapsed().as_secs_f64() * 1000.0;
        if first.status != 200 {
            bail!("the regency dashboard answered {}", first.status);
        }
        let queries: Vec<(&'static str, String, Vec<String>)> = vec![
            ("regency home page (265 regions)", "/".into(), vec![]),
            ("scoreboard (kinerja), from its cache", "/lapor/kinerja".into(), vec![]),
            ("regency coordinator's report inbox", "/staf/lapor".into(), vec![admin.clone()]),
            ("public reports, newest", "/lapor/publik".into(), vec![]),
            ("public reports, page 50 of a village", format!("/lapor/publik?desa={VILLAGE}&hal=50"), vec![]),
            ("public search, common word (jalan)", "/lapor/publik?q=jalan".into(), vec![]),
            ("public search, rare word (jembatan)", "/lapor/publik?q=jembatan".into(), vec![]),
            (
                "register search in a village (20,000)",
                format!("/staf/desa/{VILLAGE}/penduduk?q=asep"),
                vec![operator.clone()],
            ),
            ("village letter queue", format!("/staf/desa/{VILLAGE}/surat"), vec![operator.clone()]),
            ("letter verification page (QR)", format!("/v/{}", generated.sample_token), vec![]),
            ("evaluation dashboard, regency", "/staf/evaluasi/32.07".into(), vec![admin.clone()]),
            ("evaluation dashboard, one kecamatan", "/staf/evaluasi/32.07.06".into(), vec![admin.clone()]),
            ("evaluation dashboard, one village", format!("/staf/evaluasi/{VILLAGE}"), vec![admin.clone()]),
            (
                "evaluation dashboard, regency year as XLSX",
                "/staf/evaluasi/32.07?format=xlsx".into(),
                vec![admin.clone()],
            ),
            ("IKM page of the regency (200,000 responses)", "/wilayah/32.07/ikm".into(), vec![]),
        ];
        let repeat = if self.args.quick { 5 } else { 100 };
        let mut results = Vec::new();
        for (name, path, headers) in queries {
            let request = get_with(&path, &headers);
            let make: MakeRequest = Arc::new(move |_| request.clone());
            drive(addr, 1, Bound::Requests { first: 0, count: 2 }, 200, Arc::clone(&make)).await?;
            let l = drive(addr, 1, Bound::Requests { first: 0, count: repeat }, 200, make).await?;
            if l.failures > 0 {
                bail!("{name} ({path}): {} requests failed", l.failures);
            }
            eprintln!("{name}: p95 {:.1} ms", l.p95_ms);
            results.push(Query { name, path, latencies: l });
        }
        server.stop().await?;
        database.remove().await?;
        Ok(DatasetRun { size, generated, scoreboard_first_ms, dashboard_first_ms, queries: results })
    }
}

/// Submits one report and returns its tracking page's path.
async fn tracking_path(addr: std::net::SocketAddr) -> anyhow::Result<String> {
    let r = fetch(addr, &submission(10_000_000)).await?;
    match (r.status, r.location) {
        (303, Some(location)) if location.starts_with("/lapor/lacak/") => Ok(location),
        (status, location) => bail!("the report form answered {status} {location:?}"),
    }
}

/// Signs `username` in; returns the Cookie header line for its session.
async fn login(
    addr: std::net::SocketAddr,
    passwords: &std::collections::HashMap<String, String>,
    username: &str,
) -> anyhow::Result<String> {
    let password = passwords.get(username).with_context(|| format!("no demo password for {username}"))?;
    let request = post_form(
        "/masuk",
        &[format!("Cookie: balai_csrf={CSRF}")],
        &[("csrf", CSRF), ("username", username), ("password", password)],
    );
    let r = fetch(addr, &request).await?;
    let session = r
        .set_cookies
        .iter()
        .find_map(|c| c.strip_prefix("balai_session=").and_then(|v| v.split(';').next()))
        .with_context(|| format!("signing in as {username} answered {} without a session", r.status))?;
    Ok(format!("Cookie: balai_session={session}"))
}

/// The first public DIP item of the demo village, as its portal links it.
async fn dip_item_path(addr: std::net::SocketAddr) -> anyhow::Result<String> {
    let portal = fetch(addr, &get(&format!("/desa/{VILLAGE}/ppid"))).await?;
    let html = String::from_utf8_lossy(&portal.body).into_owned();
    html.split("href=\"/ppid/dip/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .map(|id| format!("/ppid/dip/{id}"))
        .context("the demo village's PPID portal links no DIP item")
}

/// Bytes of the most used citizen pages and their stylesheet, as sent plain, gzip and br.
async fn page_weights(addr: std::net::SocketAddr, tracking: &str, dip: &str) -> anyhow::Result<Vec<PageWeight>> {
    let pages: [(&'static str, String); 8] = [
        ("home page", "/".into()),
        ("village portal page", format!("/desa/{VILLAGE}")),
        ("report form", "/lapor".into()),
        ("report tracking page", tracking.into()),
        ("public reports", "/lapor/publik".into()),
        ("PPID portal home", format!("/desa/{VILLAGE}/ppid")),
        ("DIP item page", dip.into()),
        ("information request form", format!("/desa/{VILLAGE}/ppid/minta")),
    ];
    let mut weights = Vec::new();
    for (page, path) in pages {
        let plain = fetch(addr, &get(&path)).await?;
        if plain.status != 200 {
            bail!("{path} answered {}", plain.status);
        }
        let html = String::from_utf8_lossy(&plain.body).into_owned();
        let css_path = html
            .split("href=\"")
            .skip(1)
            .filter_map(|s| s.split('"').next())
            .find(|href| href.ends_with(".css"))
            .with_context(|| format!("{path} links no stylesheet"))?
            .to_string();
        let size = async |path: &str, encoding: Option<&'static str>| {
            let headers: Vec<String> = encoding.map(|e| format!("Accept-Encoding: {e}")).into_iter().collect();
            let r = fetch(addr, &get_with(path, &headers)).await?;
            if let Some(e) = encoding
                && r.content_encoding.as_deref() != Some(e)
            {
                bail!("{path} was not sent with {e}");
            }
            Ok::<_, anyhow::Error>(r.body.len())
        };
        weights.push(PageWeight {
            page,
            // Every page carries the deferred script that installs the offline worker (it needs
            // no other); any other script would be a page that needs JavaScript.
            script_tags: html.matches("<script").count() - html.matches("<script src=\"/static/app.").count(),
            html_bytes: plain.body.len(),
            css_bytes: size(&css_path, None).await?,
            html_gzip_bytes: size(&path, Some("gzip")).await?,
            css_gzip_bytes: size(&css_path, Some("gzip")).await?,
            html_br_bytes: size(&path, Some("br")).await?,
            css_br_bytes: size(&css_path, Some("br")).await?,
            path,
        });
    }
    let heaviest = weights.iter().map(PageWeight::total).max().unwrap_or(0);
    let heaviest_gzip = weights.iter().map(PageWeight::total_gzip).max().unwrap_or(0);
    eprintln!("page weight: heaviest {heaviest} B plain, {heaviest_gzip} B gzip");
    Ok(weights)
}
