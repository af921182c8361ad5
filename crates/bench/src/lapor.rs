//! `bench lapor` and `bench lapor-cari`: reports over real HTTP on loopback.
//!
//! `lapor` starts the real router on a fresh database and drives the report form with a small
//! keep-alive HTTP/1.1 load generator in the same process: every POST is a multipart form with
//! its own idempotency key, validated, stored with its confirmation email in one transaction and
//! answered with a redirect to the tracking page. `lapor-cari` fills a database with generated
//! reports (deterministic), then times the public list and search pages.

use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, bail};
use balai_app::demo::seed_demo;
use balai_app::{App, SystemClock};
use balai_web::config::Config;
use clap::Args;
use serde::Serialize;

use crate::database::BenchDatabase;
use crate::http::{Bound, Latencies, MakeRequest, drive, get};
use crate::system::{Machine, machine, memory_of};

#[derive(Args)]
pub struct LaporArgs {
    /// Submissions to send (after 200 not timed, to warm up).
    #[arg(long, default_value_t = 20_000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub count: u32,
    /// Connections sending at once.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..=512))]
    pub concurrency: u32,
    /// As for `bench letters`: a new PostgreSQL database on that server, or a new SQLite file;
    /// default a temporary SQLite file.
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct CariArgs {
    /// Reports to generate.
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u32).range(1000..=5_000_000))]
    pub reports: u32,
    /// Requests per query kind.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(10..=100_000))]
    pub queries: u32,
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
    /// Keep the generated database afterwards (to look at query plans); its URL is printed.
    #[arg(long)]
    pub keep: bool,
    #[arg(long)]
    pub json: bool,
}

pub const CSRF: &str = "benchbenchbenchbenchbenchbenchbenchbenchben";
const BOUNDARY: &str = "balaibenchboundary7f3a";

pub fn submission(n: u64) -> Vec<u8> {
    let mut body = String::new();
    // An information request to a village goes to its PPID's form, not into the reports.
    let kinds = ["pengaduan", "aspirasi"];
    let titles = ["Jalan rusak di dusun", "Lampu jalan mati", "Saluran air tersumbat", "Antrean KTP lama"];
    let fields = [
        ("csrf", CSRF.to_string()),
        ("idempotency_key", format!("bench-{n}")),
        ("kind", kinds[((n / 3) % 2) as usize].to_string()),
        ("category", "pekerjaan-umum-dan-penataan-ruang".to_string()),
        ("region", "32.07.06.2001".to_string()),
        ("title", format!("{} {}", titles[(n % 4) as usize], n)),
        (
            "description",
            format!(
                "Laporan uji beban nomor {n}: jalan desa berlubang dan tergenang setiap hujan, mohon segera \
                 diperbaiki oleh dinas terkait."
            ),
        ),
        ("email", format!("pelapor{}@example.org", n % 1000)),
        ("anonymous", if n.is_multiple_of(2) { "1".to_string() } else { String::new() }),
        ("name", "Pelapor Uji".to_string()),
    ];
    for (name, value) in fields {
        body.push_str(&format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"));
    }
    body.push_str(&format!("--{BOUNDARY}--\r\n"));
    let head = format!(
        "POST /lapor HTTP/1.1\r\nHost: bench\r\nCookie: balai_csrf={CSRF}\r\nContent-Type: multipart/form-data; \
         boundary={BOUNDARY}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    [head.into_bytes(), body.into_bytes()].concat()
}

/// Starts the real router on loopback over `database`, seeded with the demo regency.
async fn start(database: &BenchDatabase, config: &Config) -> anyhow::Result<(App, std::net::SocketAddr)> {
    let options = balai_store::ConnectOptions { max_connections: config.max_connections, ..Default::default() };
    let store = balai_store::connect(database.url(), &options).await.context("cannot open the benchmark database")?;
    store.migrate().await.context("cannot migrate the benchmark database")?;
    let app_config = balai_app::AppConfig {
        home_region: Some(balai_domain::wilayah::KodeWilayah::parse(balai_app::demo::DEMO_REGION)?),
        ..Default::default()
    };
    let app = App::new(store, Arc::new(SystemClock), app_config);
    seed_demo(&app).await.map_err(|e| anyhow::anyhow!("cannot seed the demo: {e}"))?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let state = balai_web::AppState::new(app.clone(), false, false, "Bench".into());
    tokio::spawn(balai_web::serve(listener, state, std::future::pending()));
    Ok((app, addr))
}

#[derive(Serialize)]
pub struct SubmissionReport {
    machine: Machine,
    database: String,
    concurrency: u32,
    submissions: Latencies,
    stored: i64,
    queued_messages: i64,
    rss_kib_after: Option<u64>,
}

pub async fn lapor(args: LaporArgs, config: &Config) -> anyhow::Result<()> {
    let database = BenchDatabase::create(args.database_url.as_deref()).await?;
    let result = run_lapor(&args, &database, config).await;
    let removed = database.remove().await;
    let report = result?;
    removed?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        let s = &report.submissions;
        println!("Balai report submission benchmark (HTTP POST /lapor, multipart, loopback, same process)");
        println!("  machine      {} CPU(s), {}", report.machine.cpus, report.machine.cpu_model);
        println!("  database     {}", report.database);
        println!("  connections  {}", report.concurrency);
        println!("  submitted    {} in {:.2} s = {:.0}/s; {} failed", s.requests, s.wall_s, s.per_s, s.failures);
        println!(
            "  latency      p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            s.p50_ms, s.p95_ms, s.p99_ms, s.max_ms
        );
        println!("  checked      {} reports stored, {} messages queued", report.stored, report.queued_messages);
        if let Some(rss) = report.rss_kib_after {
            println!("  memory       VmRSS {:.0} MiB after the run (server and load generator)", rss as f64 / 1024.0);
        }
    }
    Ok(())
}

pub async fn run_lapor(
    args: &LaporArgs,
    database: &BenchDatabase,
    config: &Config,
) -> anyhow::Result<SubmissionReport> {
    let (app, addr) = start(database, config).await?;
    let make: MakeRequest = Arc::new(submission);
    let warm = drive(addr, 4, Bound::Requests { first: 0, count: 200 }, 303, Arc::clone(&make)).await?;
    if warm.failures > 0 {
        bail!("{} of the warm-up submissions failed: is the form still what the benchmark sends?", warm.failures);
    }
    let count = u64::from(args.count);
    let submissions = drive(addr, args.concurrency as usize, Bound::Requests { first: 200, count }, 303, make).await?;
    let stored = app.store().count_reports().await?;
    let queued = app.store().message_counts().await?;
    if stored != (count + 200) as i64 - submissions.failures as i64 {
        bail!("{stored} reports stored for {} acknowledged submissions", count + 200 - submissions.failures as u64);
    }
    Ok(SubmissionReport {
        machine: machine(),
        database: database.describe(),
        concurrency: args.concurrency,
        submissions,
        stored,
        queued_messages: queued.pending + queued.sent + queued.failed,
        rss_kib_after: memory_of("self").rss_kib,
    })
}

#[derive(Serialize)]
pub struct SearchReport {
    machine: Machine,
    database: String,
    reports: i64,
    generate_s: f64,
    queries: Vec<(String, Latencies)>,
}

pub async fn cari(args: CariArgs, config: &Config) -> anyhow::Result<()> {
    let database = BenchDatabase::create(args.database_url.as_deref()).await?;
    let result = run_cari(&args, &database, config).await;
    let removed = if args.keep {
        eprintln!("Kept the database: {}", balai_store::redact_url(database.url()));
        Ok(())
    } else {
        database.remove().await
    };
    let report = result?;
    removed?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("Balai public report list and search benchmark (HTTP GET, one request at a time)");
        println!("  machine      {} CPU(s), {}", report.machine.cpus, report.machine.cpu_model);
        println!("  database     {}", report.database);
        println!("  reports      {} generated in {:.1} s", report.reports, report.generate_s);
        println!("  {:<44} {:>8} {:>8} {:>8} {:>8}", "page", "p50 ms", "p95 ms", "p99 ms", "max ms");
        for (name, l) in &report.queries {
            println!("  {name:<44} {:>8.1} {:>8.1} {:>8.1} {:>8.1}", l.p50_ms, l.p95_ms, l.p99_ms, l.max_ms);
        }
    }
    Ok(())
}

pub async fn run_cari(args: &CariArgs, database: &BenchDatabase, config: &Config) -> anyhow::Result<SearchReport> {
    let (app, addr) = start(database, config).await?;
    let started = Instant::now();
    generate_reports(database, args.reports).await?;
    let generate_s = started.elapsed().as_secs_f64();
    let reports = app.store().count_reports().await?;
    let villages: Vec<String> = app
        .home_tree()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .map(|t| t.groups.into_iter().flat_map(|(_, v)| v.into_iter().map(|r| r.code.as_str().to_string())).collect())
        .unwrap_or_default();
    let villages = Arc::new(villages);
    let kinds: Vec<(&str, MakeRequest)> = vec![
        ("newest reports, all villages", Arc::new(|_| get("/lapor/publik"))),
        ("newest of one village", {
            let v = Arc::clone(&villages);
            Arc::new(move |n| get(&format!("/lapor/publik?desa={}", v[n as usize % v.len()])))
        }),
        ("page 50 of one village", {
            let v = Arc::clone(&villages);
            Arc::new(move |n| get(&format!("/lapor/publik?desa={}&hal=50", v[n as usize % v.len()])))
        }),
        ("one office", Arc::new(|_| get("/lapor/publik?opd=dinas-pupr"))),
        ("search a common word (jalan)", Arc::new(|_| get("/lapor/publik?q=jalan"))),
        ("search two words (lampu mati)", Arc::new(|_| get("/lapor/publik?q=lampu+mati"))),
        ("search a rare word (jembatan)", Arc::new(|_| get("/lapor/publik?q=jembatan"))),
        ("search a rare word in one village", {
            let v = Arc::clone(&villages);
            Arc::new(move |n| get(&format!("/lapor/publik?q=jembatan&desa={}", v[n as usize % v.len()])))
        }),
        ("search a word that is nowhere", Arc::new(|_| get("/lapor/publik?q=kapalselam"))),
        ("scoreboard", Arc::new(|_| get("/lapor/kinerja"))),
    ];
    let mut queries = Vec::new();
    for (name, make) in kinds {
        drive(addr, 1, Bound::Requests { first: 0, count: 3 }, 200, Arc::clone(&make)).await?;
        let l = drive(addr, 1, Bound::Requests { first: 0, count: u64::from(args.queries) }, 200, make).await?;
        if l.failures > 0 {
            bail!("{name}: {} requests failed", l.failures);
        }
        queries.push((name.to_string(), l));
    }
    Ok(SearchReport { machine: machine(), database: database.describe(), reports, generate_s, queries })
}

/// Inserts `count` reports in the demo regency with set-based SQL: a mix of kinds, states and
/// villages, words drawn deterministically from a small vocabulary ("jembatan" in 1 of 500, listed).
pub async fn generate_reports(database: &BenchDatabase, count: u32) -> anyhow::Result<()> {
    use sqlx::Connection as _;
    let url = database.url();
    // Each statement inserts one block; both databases take the same arithmetic.
    let block = 50_000u32;
    if database.backend() == "postgres" {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        let mut start = 0;
        while start < count {
            let end = (start + block).min(count);
            sqlx::query(GENERATE_POSTGRES).bind(i64::from(start)).bind(i64::from(end)).execute(&mut conn).await?;
            start = end;
        }
        sqlx::query("ANALYZE reports").execute(&mut conn).await?;
    } else {
        let mut conn = sqlx::SqliteConnection::connect(url).await?;
        let mut start = 0;
        while start < count {
            let end = (start + block).min(count);
            sqlx::query(GENERATE_SQLITE).bind(i64::from(start)).bind(i64::from(end)).execute(&mut conn).await?;
            start = end;
        }
        sqlx::query("ANALYZE").execute(&mut conn).await?;
    }
    Ok(())
}

const GENERATE_POSTGRES: &str = "
WITH v AS (SELECT array_agg(code ORDER BY code) AS codes FROM regions WHERE depth = 4),
     w AS (SELECT ARRAY['Jalan rusak','Lampu jalan mati','Saluran tersumbat','Sampah menumpuk','Antrean KTP lama',
                        'Bantuan sosial belum cair','Puskesmas tutup','Air bersih tidak mengalir','Pohon tumbang',
                        'Sekolah rusak'] AS titles,
                  ARRAY['di dusun','dekat balai desa','di depan sekolah','di RT 03','sepanjang jalan utama',
                        'di pasar','dekat masjid','di perbatasan desa'] AS places,
                  ARRAY['sejak minggu lalu','sudah dua bulan','setiap hujan','sejak banjir','belum ada perbaikan',
                        'warga kesulitan','membahayakan pengendara','mohon segera ditindaklanjuti'] AS notes,
                  ARRAY['opd:dinas-pupr','opd:dinkes','opd:disdukcapil','opd:diskominfo'] AS handlers,
                  ARRAY['pekerjaan-umum-dan-penataan-ruang','kependudukan','kesehatan','sosial-dan-kesejahteraan']
                        AS categories)
INSERT INTO reports (code, public_id, kind, category, region_code, title, public_title, description, anonymous,
    confidential, channel, state, handler, tier, received_at, verify_due, verified_at, verified_on_time, disposed_at,
    respond_due, complete_due, first_response_at, answered_on_time, closed_at, done_working_days, due_on, sla_state,
    listed, updated_at)
SELECT 'G' || lpad(i::text, 9, '0'), substr(md5('g' || i), 1, 16),
    (ARRAY['pengaduan','aspirasi','permintaan_informasi'])[1 + i % 3], w.categories[1 + i % 4],
    v.codes[1 + (i * 7) % array_length(v.codes, 1)],
    t.title, t.title,
    t.title || ' ' || w.places[1 + (i / 10) % 8] || ', ' || w.notes[1 + (i / 80) % 8]
        || CASE WHEN i % 500 = 7 THEN '. Jembatan gantung juga rapuh.' ELSE '.' END,
    i % 2 = 0, i % 33 = 0, 'web', s.state,
    CASE WHEN s.state = 'diterima' THEN NULL ELSE w.handlers[1 + i % 4] END, 'normatif',
    r.at, (r.at + interval '4 days')::date,
    CASE WHEN s.state = 'diterima' THEN NULL ELSE r.at + interval '1 day' END,
    CASE WHEN s.state = 'diterima' THEN NULL ELSE i % 10 <> 0 END,
    CASE WHEN s.state = 'diterima' THEN NULL ELSE r.at + interval '1 day' END,
    (r.at + interval '8 days')::date, (r.at + interval '9 days')::date,
    CASE WHEN s.state IN ('ditindaklanjuti','selesai') THEN r.at + interval '3 days' END,
    CASE WHEN s.state IN ('ditindaklanjuti','selesai') THEN i % 7 <> 0 END,
    CASE WHEN s.state = 'selesai' THEN r.at + interval '6 days' END,
    CASE WHEN s.state = 'selesai' THEN 2 + i % 9 END,
    CASE WHEN s.state = 'selesai' THEN NULL ELSE (r.at + interval '9 days')::date END,
    CASE WHEN s.state = 'selesai' THEN 'met' ELSE 'on_time' END,
    s.state <> 'diterima' AND i % 33 <> 0, r.at
FROM generate_series($1::bigint, $2::bigint - 1) AS i, v, w,
    LATERAL (SELECT w.titles[1 + i % 10] AS title) t,
    LATERAL (SELECT CASE WHEN i % 20 = 0 THEN 'diterima' WHEN i % 20 < 4 THEN 'didisposisikan'
                         WHEN i % 20 < 7 THEN 'ditindaklanjuti' ELSE 'selesai' END AS state) s,
    LATERAL (SELECT now() - make_interval(secs => (i * 31) % 31536000) AS at) r
";

const GENERATE_SQLITE: &str = "
WITH RECURSIVE seq(i) AS (SELECT $1 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < $2),
     v AS (SELECT json_group_array(code) AS codes, COUNT(*) AS n FROM (SELECT code FROM regions WHERE depth = 4 ORDER BY code)),
     w AS (SELECT '[\"Jalan rusak\",\"Lampu jalan mati\",\"Saluran tersumbat\",\"Sampah menumpuk\",\"Antrean KTP lama\",
                   \"Bantuan sosial belum cair\",\"Puskesmas tutup\",\"Air bersih tidak mengalir\",\"Pohon tumbang\",
                   \"Sekolah rusak\"]' AS titles,
                  '[\"di dusun\",\"dekat balai desa\",\"di depan sekolah\",\"di RT 03\",\"sepanjang jalan utama\",
                   \"di pasar\",\"dekat masjid\",\"di perbatasan desa\"]' AS places,
                  '[\"sejak minggu lalu\",\"sudah dua bulan\",\"setiap hujan\",\"sejak banjir\",\"belum ada perbaikan\",
                   \"warga kesulitan\",\"membahayakan pengendara\",\"mohon segera ditindaklanjuti\"]' AS notes,
                  '[\"opd:dinas-pupr\",\"opd:dinkes\",\"opd:disdukcapil\",\"opd:diskominfo\"]' AS handlers,
                  '[\"pekerjaan-umum-dan-penataan-ruang\",\"kependudukan\",\"kesehatan\",\"sosial-dan-kesejahteraan\"]'
                      AS categories),
     g AS (SELECT i, json_extract(w.titles, '$[' || (i % 10) || ']') AS title,
                  CASE WHEN i % 20 = 0 THEN 'diterima' WHEN i % 20 < 4 THEN 'didisposisikan'
                       WHEN i % 20 < 7 THEN 'ditindaklanjuti' ELSE 'selesai' END AS state,
                  strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now', '-' || ((i * 31) % 31536000) || ' seconds') AS at,
                  date('now', '-' || ((i * 31) % 31536000) || ' seconds', '+9 days') AS due
           FROM seq, w)
INSERT INTO reports (code, public_id, kind, category, region_code, title, public_title, description, anonymous,
    confidential, channel, state, handler, tier, received_at, verify_due, verified_at, verified_on_time, disposed_at,
    respond_due, complete_due, first_response_at, answered_on_time, closed_at, done_working_days, due_on, sla_state,
    listed, updated_at)
SELECT 'G' || substr('000000000' || g.i, -9), substr(lower(hex(randomblob(8))), 1, 16),
    json_extract('[\"pengaduan\",\"aspirasi\",\"permintaan_informasi\"]', '$[' || (g.i % 3) || ']'),
    json_extract(w.categories, '$[' || (g.i % 4) || ']'),
    json_extract(v.codes, '$[' || ((g.i * 7) % v.n) || ']'),
    g.title, g.title,
    g.title || ' ' || json_extract(w.places, '$[' || ((g.i / 10) % 8) || ']') || ', '
        || json_extract(w.notes, '$[' || ((g.i / 80) % 8) || ']')
        || CASE WHEN g.i % 500 = 7 THEN '. Jembatan gantung juga rapuh.' ELSE '.' END,
    g.i % 2 = 0, g.i % 33 = 0, 'web', g.state,
    CASE WHEN g.state = 'diterima' THEN NULL ELSE json_extract(w.handlers, '$[' || (g.i % 4) || ']') END, 'normatif',
    g.at, g.due, CASE WHEN g.state = 'diterima' THEN NULL ELSE g.at END,
    CASE WHEN g.state = 'diterima' THEN NULL ELSE g.i % 10 <> 0 END,
    CASE WHEN g.state = 'diterima' THEN NULL ELSE g.at END, g.due, g.due,
    CASE WHEN g.state IN ('ditindaklanjuti','selesai') THEN g.at END,
    CASE WHEN g.state IN ('ditindaklanjuti','selesai') THEN g.i % 7 <> 0 END,
    CASE WHEN g.state = 'selesai' THEN g.at END,
    CASE WHEN g.state = 'selesai' THEN 2 + g.i % 9 END,
    CASE WHEN g.state = 'selesai' THEN NULL ELSE g.due END,
    CASE WHEN g.state = 'selesai' THEN 'met' ELSE 'on_time' END,
    g.state <> 'diterima' AND g.i % 33 <> 0, g.at
FROM g, v, w
";
