//! `bench letters`: issues letters end to end through the real use-cases (walk-in request,
//! verification, signing with the Typst renderer and Ed25519, numbering and storage in one
//! transaction) on a throw-away database, and reports how fast signing is and whether memory
//! stays flat. Only signing is timed: it is what a village head waits for, batch after batch.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use balai_app::demo::{DEMO_REGION, seed_demo};
use balai_app::letters::{LetterServices, MasterKey, NewRequestInput};
use balai_app::{Actor, App, StaffUser, SystemClock};
use balai_domain::surat::catalogue::FieldKind;
use balai_domain::surat::state::RequestAction;
use balai_domain::wilayah::KodeWilayah;
use balai_web::config::Config;
use clap::Args;
use serde::Serialize;

use crate::database::BenchDatabase;
use crate::http::percentile;
use crate::system::{Machine, machine, memory_of};

/// The demo village whose staff enter and sign the letters.
const VILLAGE: &str = "32.07.06.2001";
const OPERATOR: &str = "operator.sukamulya";
const SIGNER: &str = "kades.sukamulya";
/// Residents added to the demo register so that letters are about different people.
const RESIDENTS: usize = 20;
/// Memory is sampled each time this many letters have been signed (over all rounds).
const SAMPLE_EVERY: usize = 250;

#[derive(Args)]
pub struct LettersArgs {
    /// Letters to sign in each round.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub count: u32,
    /// Signatures in flight at once in the second round (1: only the sequential round).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub concurrency: u32,
    /// postgres://USER@HOST:PORT/DB: a new database is created on that server for the run and
    /// dropped afterwards. Or sqlite://PATH of a file that does not exist yet (kept afterwards).
    /// Default: a temporary SQLite file, deleted afterwards. The configured database is never used.
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
    /// Print the results as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
pub struct Report {
    pub machine: Machine,
    pub database: String,
    pub backend: &'static str,
    pub village: &'static str,
    pub letter_type: String,
    pub preparation_s: f64,
    pub rounds: Vec<Round>,
    memory: Memory,
    pub verified: Verified,
}

#[derive(Serialize)]
pub struct Round {
    pub concurrency: u32,
    pub letters: usize,
    pub failures: usize,
    pub wall_s: f64,
    pub letters_per_s: f64,
    pub median_ms: f64,
    pub p95_ms: f64,
    pub max_ms: f64,
}

#[derive(Serialize, Clone, Copy)]
struct MemorySample {
    /// Letters signed so far over all rounds.
    letters: usize,
    vm_rss_kib: Option<u64>,
    vm_hwm_kib: Option<u64>,
}

fn memory_sample(letters: usize) -> MemorySample {
    let m = memory_of("self");
    MemorySample { letters, vm_rss_kib: m.rss_kib, vm_hwm_kib: m.hwm_kib }
}

#[derive(Serialize)]
struct Memory {
    start: MemorySample,
    samples: Vec<MemorySample>,
    end: MemorySample,
}

#[derive(Serialize)]
pub struct Verified {
    pub letters: usize,
    pub first_number: String,
    pub last_number: String,
}

pub async fn letters(args: LettersArgs, config: &Config) -> anyhow::Result<()> {
    let count = args.count as usize;
    let database = BenchDatabase::create(args.database_url.as_deref()).await?;
    let result = run_letters(&args, count, &database, config).await;
    let removed = database.remove().await;
    let report = result?;
    removed?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_table(&report);
    }
    Ok(())
}

pub async fn run_letters(
    args: &LettersArgs,
    count: usize,
    database: &BenchDatabase,
    config: &Config,
) -> anyhow::Result<Report> {
    let options = balai_store::ConnectOptions { max_connections: config.max_connections, ..Default::default() };
    let store = balai_store::connect(database.url(), &options).await.context("cannot open the benchmark database")?;
    store.migrate().await.context("cannot migrate the benchmark database")?;
    let services = LetterServices {
        renderer: Arc::new(balai_letters::TypstRenderer::new()),
        // A throw-away key: the installation's secret is not needed (nor touched) for a benchmark.
        master_key: MasterKey::from_bytes(rand::random()),
        certified_signer: None,
    };
    let mut app_config = config.app_config();
    app_config.home_region = KodeWilayah::parse(DEMO_REGION).ok();
    let app = App::new(store, Arc::new(SystemClock), app_config).with_letters(services);

    let rounds_wanted: Vec<u32> = if args.concurrency > 1 { vec![1, args.concurrency] } else { vec![1] };
    let total = count * rounds_wanted.len();
    if !args.json {
        eprintln!("Preparing: demo data, {RESIDENTS} residents, {total} verified requests …");
    }
    let prepared = Instant::now();
    seed_demo(&app).await.map_err(|e| anyhow::anyhow!("seeding the demo failed: {e}"))?;
    app.import_penduduk(&Actor::System, VILLAGE, "bench-penduduk.csv", residents_csv().as_bytes())
        .await
        .map_err(|e| anyhow::anyhow!("importing the benchmark residents failed: {e:?}"))?;
    let operator = staff(&app, OPERATOR).await?;
    let signer = staff(&app, SIGNER).await?;
    let (slug, fields) = letter_type_and_fields(&app).await?;
    let niks = resident_niks();
    let mut ids = Vec::with_capacity(total);
    for i in 0..total {
        let input =
            NewRequestInput { letter_type: slug.clone(), nik: niks[i % niks.len()].clone(), fields: fields.clone() };
        let request = app
            .create_walk_in_request(&operator, VILLAGE, input)
            .await
            .map_err(|e| anyhow::anyhow!("creating request {i} failed: {e:?}"))?;
        app.act_on_request(&operator, &request.id, RequestAction::Verifikasi, "")
            .await
            .map_err(|e| anyhow::anyhow!("verifying request {i} failed: {e:?}"))?;
        ids.push(request.id);
    }
    let preparation_s = prepared.elapsed().as_secs_f64();

    let progress = Arc::new(Progress::default());
    let start = memory_sample(0);
    let mut rounds = Vec::new();
    for (round, concurrency) in rounds_wanted.iter().copied().enumerate() {
        if !args.json {
            eprintln!("Signing {count} letters, {concurrency} at a time …");
        }
        let batch: Arc<Vec<String>> = Arc::new(ids[round * count..(round + 1) * count].to_vec());
        rounds.push(sign_round(&app, &signer, batch, concurrency, &progress).await?);
    }
    let failures: usize = rounds.iter().map(|r| r.failures).sum();
    if failures > 0 {
        bail!("{failures} of {total} letters could not be signed");
    }
    let end = memory_sample(progress.signed.load(Ordering::SeqCst));
    let samples = progress.samples.lock().unwrap_or_else(PoisonError::into_inner).clone();
    let verified = verify_numbers(&app, &ids).await?;
    Ok(Report {
        machine: machine(),
        database: database.describe(),
        backend: database.backend(),
        village: VILLAGE,
        letter_type: slug,
        preparation_s,
        rounds,
        memory: Memory { start, samples, end },
        verified,
    })
}

async fn staff(app: &App, username: &str) -> anyhow::Result<Actor> {
    let user = app.store().user_by_username(username).await?.with_context(|| format!("no demo account {username}"))?;
    Ok(Actor::Staff(StaffUser::from(user)))
}

/// Fictional residents: NIKs of kecamatan Cihaurbeuti (32.07.06), born on different days of 1990.
fn resident_niks() -> Vec<String> {
    (0..RESIDENTS).map(|i| format!("320706{:02}0590{:04}", i + 1, 7001 + i)).collect()
}

fn residents_csv() -> String {
    let mut csv = String::from("nik,no_kk,nama,tempat_lahir,jenis_kelamin,alamat,rt,rw\n");
    for (i, nik) in resident_niks().iter().enumerate() {
        csv.push_str(&format!("{nik},3207060101209001,Warga Uji {},Ciamis,L,Dusun Sukamulya,001,002\n", i + 1));
    }
    csv
}

/// SKTM when the village offers it (the letter the demo walk-through issues), else its first
/// active type; with plausible values for every field.
async fn letter_type_and_fields(app: &App) -> anyhow::Result<(String, BTreeMap<String, String>)> {
    let village = KodeWilayah::parse(VILLAGE).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let catalogue = app.letter_catalogue(&village).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let spec = catalogue
        .iter()
        .filter(|t| t.active)
        .find(|t| t.spec.slug == "sktm")
        .or_else(|| catalogue.iter().find(|t| t.active))
        .map(|t| t.spec.clone())
        .context("the demo village offers no letter type")?;
    let fields = spec
        .fields
        .iter()
        .map(|f| {
            let value = match &f.kind {
                FieldKind::Date => "2026-01-15".to_string(),
                FieldKind::Number | FieldKind::Rupiah => "4".to_string(),
                FieldKind::Choice(options) => options.first().cloned().unwrap_or_default(),
                FieldKind::Text | FieldKind::LongText => format!("Isian uji {}", f.label),
            };
            (f.name.clone(), value)
        })
        .collect();
    Ok((spec.slug, fields))
}

/// Letters signed so far over all rounds, and the memory samples taken on the way.
#[derive(Default)]
struct Progress {
    signed: AtomicUsize,
    samples: Mutex<Vec<MemorySample>>,
}

impl Progress {
    fn signed_one(&self) {
        let signed = self.signed.fetch_add(1, Ordering::SeqCst) + 1;
        if signed.is_multiple_of(SAMPLE_EVERY) {
            self.samples.lock().unwrap_or_else(PoisonError::into_inner).push(memory_sample(signed));
        }
    }
}

/// Signs every request of `batch` with `concurrency` workers pulling from one queue.
async fn sign_round(
    app: &App,
    signer: &Actor,
    batch: Arc<Vec<String>>,
    concurrency: u32,
    progress: &Arc<Progress>,
) -> anyhow::Result<Round> {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (app, signer, batch, next, progress) =
            (app.clone(), signer.clone(), batch.clone(), next.clone(), progress.clone());
        workers.spawn(async move {
            let mut took = Vec::new();
            let mut failures = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(id) = batch.get(i) else { break };
                let t = Instant::now();
                match app.sign_request(&signer, id).await {
                    Ok(_) => {
                        took.push(t.elapsed());
                        progress.signed_one();
                    }
                    Err(e) => failures.push(format!("request {id}: {e}")),
                }
            }
            (took, failures)
        });
    }
    let mut took: Vec<Duration> = Vec::with_capacity(batch.len());
    let mut failures = Vec::new();
    while let Some(done) = workers.join_next().await {
        let (t, f) = done.context("a signing worker stopped")?;
        took.extend(t);
        failures.extend(f);
    }
    let wall = started.elapsed();
    for f in failures.iter().take(5) {
        eprintln!("error: {f}");
    }
    took.sort();
    let ms = |d: Option<&Duration>| d.map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    Ok(Round {
        concurrency,
        letters: took.len(),
        failures: failures.len(),
        wall_s: wall.as_secs_f64(),
        letters_per_s: took.len() as f64 / wall.as_secs_f64().max(f64::EPSILON),
        median_ms: ms(percentile(&took, 50)),
        p95_ms: ms(percentile(&took, 95)),
        max_ms: ms(took.last()),
    })
}

async fn verify_numbers(app: &App, ids: &[String]) -> anyhow::Result<Verified> {
    let ours: HashSet<&str> = ids.iter().map(String::as_str).collect();
    let mut letters = Vec::new();
    let mut years = BTreeSet::new();
    for id in ids.iter().take(1).chain(ids.last()) {
        if let Some(letter) = app.store().letter_for_request(id).await? {
            years.insert(letter.year);
        }
    }
    for year in years {
        letters.extend(
            app.store()
                .letters_of_village(VILLAGE, year)
                .await?
                .into_iter()
                .filter(|l| l.request_id.as_deref().is_some_and(|r| ours.contains(r))),
        );
    }
    if letters.len() != ids.len() {
        bail!("verification failed: {} requests were signed but {} letters are stored", ids.len(), letters.len());
    }
    let scopes: BTreeSet<(i32, &str)> = letters.iter().map(|l| (l.year, l.scope_key.as_str())).collect();
    if scopes.len() != 1 {
        bail!("verification failed: the letters use {} counters, expected one: {scopes:?}", scopes.len());
    }
    letters.sort_by_key(|l| l.sequence);
    for (expected, letter) in (1_i64..).zip(&letters) {
        if letter.sequence != expected {
            bail!("verification failed: number {expected} is missing or repeated (found {})", letter.sequence);
        }
    }
    let distinct: HashSet<&str> = letters.iter().map(|l| l.number.as_str()).collect();
    if distinct.len() != letters.len() {
        bail!("verification failed: {} letters share a number", letters.len() - distinct.len());
    }
    let (Some(first), Some(last)) = (letters.first(), letters.last()) else { bail!("verification failed: no letters") };
    for letter in [first, last] {
        let check = app.verify_letter(&letter.token, None).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let pdf = app.store().letter_pdf(&letter.id).await?.unwrap_or_default();
        if !check.signature_valid || !pdf.starts_with(b"%PDF") {
            bail!("verification failed: letter {} does not verify or has no PDF", letter.number);
        }
    }
    Ok(Verified { letters: letters.len(), first_number: first.number.clone(), last_number: last.number.clone() })
}

fn print_table(r: &Report) {
    let issued: usize = r.rounds.iter().map(|x| x.letters).sum();
    println!("Balai letters benchmark");
    println!("  machine      {} CPU(s), {}", r.machine.cpus, r.machine.cpu_model);
    println!("  database     {}", r.database);
    println!("  letters      type {} of village {}, signed by {SIGNER}", r.letter_type, r.village);
    println!("  preparation  {issued} requests entered and verified in {:.1} s (not timed below)", r.preparation_s);
    println!();
    println!(
        "  {:<16} {:>8} {:>9} {:>10} {:>10} {:>10} {:>10}",
        "round", "letters", "wall s", "letters/s", "median ms", "p95 ms", "max ms"
    );
    for x in &r.rounds {
        let round = if x.concurrency == 1 { "sequential".to_string() } else { format!("{} at a time", x.concurrency) };
        println!(
            "  {:<16} {:>8} {:>9.2} {:>10.1} {:>10.1} {:>10.1} {:>10.1}",
            round, x.letters, x.wall_s, x.letters_per_s, x.median_ms, x.p95_ms, x.max_ms
        );
    }
    println!();
    let kib = |v: Option<u64>| v.map_or_else(|| "n/a".to_string(), |v| format!("{:.1}", v as f64 / 1024.0));
    println!("  {:<24} {:>10} {:>10}", "memory", "VmRSS MiB", "VmHWM MiB");
    let mut rows = vec![("start of signing".to_string(), r.memory.start)];
    rows.extend(r.memory.samples.iter().map(|s| (format!("after {} letters", s.letters), *s)));
    rows.push(("end".to_string(), r.memory.end));
    for (label, s) in rows {
        println!("  {:<24} {:>10} {:>10}", label, kib(s.vm_rss_kib), kib(s.vm_hwm_kib));
    }
    println!();
    for x in &r.rounds {
        let how = if x.concurrency == 1 { "sequentially".to_string() } else { format!("{} at a time", x.concurrency) };
        println!("Signed {} letters {how} in {:.2} s ({:.1} letters/s).", x.letters, x.wall_s, x.letters_per_s);
    }
    println!(
        "Verified: {} letters numbered 1..{} with no gap or repeat ({} … {}); the first and last verify.",
        r.verified.letters, r.verified.letters, r.verified.first_number, r.verified.last_number
    );
}
