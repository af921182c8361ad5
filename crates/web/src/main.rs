#![forbid(unsafe_code)]
//! `balai`: the public-service platform for villages and regencies, in one binary.

mod worker;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use balai_app::{Actor, App, AppError, NewStaffInput, SystemClock};
use balai_web::config::Config;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "balai", version, about = "Balai: public services for Indonesian villages and regencies.")]
struct Cli {
    /// Configuration file (default: ./balai.toml when it exists). BALAI_* variables override it.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web service.
    Serve {
        /// Seed a demo regency (Kabupaten Ciamis) with staff accounts, and print their passwords once.
        #[arg(long)]
        demo: bool,
        /// With --demo: leave out the made-up history of finished reports and survey responses
        /// that fills the evaluation dashboard (the benchmark counts its own rows).
        #[arg(long, requires = "demo")]
        no_history: bool,
        /// Address to listen on, e.g. 127.0.0.1:8080 (overrides the configuration).
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
    },
    /// Create or update the database schema, then exit.
    Migrate,
    /// Region codes (Kemendagri).
    #[command(subcommand)]
    Wilayah(WilayahCommand),
    /// The working-day calendar.
    #[command(subcommand)]
    Libur(LiburCommand),
    /// Staff accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// A village's population register (penduduk).
    #[command(subcommand)]
    Penduduk(PendudukCommand),
    /// Report categories (pengaduan, aspirasi, permintaan informasi).
    #[command(subcommand)]
    Kategori(KategoriCommand),
    /// Reports: the deadline job by hand.
    #[command(subcommand)]
    Lapor(LaporCommand),
    /// Copy the whole SQLite database to a new file, safely while the service runs.
    Backup {
        /// Where to write the copy (must not exist yet).
        dest: PathBuf,
    },
    /// The audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Check a NIK (16-digit population number): what it encodes, or why it is not valid.
    Nik {
        /// The NIK, spaces allowed.
        nik: String,
    },
    /// Print the effective settings (file, then BALAI_* variables) as balai.toml lines, secrets
    /// hidden; with --sample, a commented balai.toml of the defaults to start from.
    Config {
        #[arg(long)]
        sample: bool,
    },
}

#[derive(Subcommand)]
enum KategoriCommand {
    /// Import categories from CSV (`slug,name[,tier][,active]`), e.g. the SP4N-LAPOR! list in
    /// kategori-pengaduan.csv; existing ones are updated.
    Import {
        file: PathBuf,
        /// Tier for rows without one: ringan, normatif, tidak_berkadar_pengawasan or berkadar_pengawasan.
        #[arg(long, default_value = "tidak_berkadar_pengawasan")]
        tier: String,
    },
}

#[derive(Subcommand)]
enum LaporCommand {
    /// Run one pass of the deadline job (SLA states, reminders, escalation), as `serve` does every minute.
    Tenggat,
}

#[derive(Subcommand)]
enum WilayahCommand {
    /// Import regions from CSV files (columns code,name,level,parent_code) in one batch.
    /// Nothing is written if any row is bad; importing the same file again changes nothing.
    Import {
        #[arg(required = true, value_name = "FILE.csv")]
        files: Vec<PathBuf>,
    },
}

#[derive(Subcommand)]
enum LiburCommand {
    /// Add holidays from a CSV file (columns date,name,kind; kind is libur, cuti_bersama or daerah).
    Import {
        #[arg(value_name = "FILE.csv")]
        file: PathBuf,
    },
    /// Show the deadline of something received on DATE after DAYS working days, and why.
    Deadline {
        /// Date received, YYYY-MM-DD.
        date: chrono::NaiveDate,
        /// Working days allowed.
        days: u32,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a staff account with one role. The password is generated and printed once.
    Create {
        #[arg(long)]
        username: String,
        #[arg(long)]
        name: String,
        /// operator_desa, sekretaris_desa, kepala_desa, ppid_desa, atasan_ppid, admin_kecamatan,
        /// admin_kabupaten, penghubung_opd or evaluator.
        #[arg(long)]
        role: String,
        /// Region code (e.g. 32.07.06.2001) or, for penghubung_opd, the office's short code.
        #[arg(long)]
        scope: String,
        #[arg(long, default_value = "")]
        email: String,
        #[arg(long, default_value = "")]
        nip: String,
    },
    /// Give an account a new generated password (printed once) and end its sessions.
    ResetPassword { username: String },
    /// Make a REST API token acting as USERNAME (with exactly that account's roles), for another
    /// system such as a regency dashboard. Printed once; staff can revoke it on /staf/token.
    Token {
        username: String,
        /// What uses the token, e.g. "dasbor kabupaten".
        #[arg(long)]
        name: String,
    },
}

#[derive(Subcommand)]
enum PendudukCommand {
    /// Import a village's register from a CSV file or an Excel workbook (.xlsx: the first
    /// worksheet, header on its first row; recognised by its content, not its name). Columns
    /// nik,no_kk,nama are required;
    /// tempat_lahir,tanggal_lahir,jenis_kelamin,agama,status_kawin,pekerjaan,kewarganegaraan,alamat,rt,rw,hubungan
    /// are optional. Errors name the file's line or the spreadsheet's row. Nothing is written if
    /// any row is bad; known NIKs are updated.
    Import {
        /// The village's region code, e.g. 32.07.06.2001.
        #[arg(long)]
        desa: String,
        #[arg(value_name = "FILE.csv|FILE.xlsx")]
        file: PathBuf,
    },
}

/// Each password hash (Argon2id, 19 MiB) is one large allocation. glibc serves the first from
/// mmap and returns it on free, but then raises its mmap threshold above 19 MiB, so later hashes
/// come from the per-thread heaps and stay resident: ten sign-ins on ten worker threads leave
/// ~150 MiB behind an idle server. A fixed threshold (glibc's documented tunable, read only at
/// process start) keeps large buffers on mmap; so Balai restarts itself once with it set.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn pin_malloc_mmap_threshold() {
    use std::os::unix::process::CommandExt;
    const TUNABLE: &str = "glibc.malloc.mmap_threshold";
    let current = std::env::var("GLIBC_TUNABLES").unwrap_or_default();
    if current.contains(TUNABLE) {
        return;
    }
    let Ok(exe) = std::env::current_exe() else { return };
    let tunables =
        if current.is_empty() { format!("{TUNABLE}=1048576") } else { format!("{current}:{TUNABLE}=1048576") };
    // exec only returns on failure; then Balai simply runs with glibc's default.
    let _ = std::process::Command::new(exe).args(std::env::args_os().skip(1)).env("GLIBC_TUNABLES", tunables).exec();
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn pin_malloc_mmap_threshold() {}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check every link of the audit chain; exits non-zero if any record was changed or removed.
    Verify,
}

fn main() -> ExitCode {
    pin_malloc_mmap_threshold();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr: coloured only on a terminal (a journal or a file gets plain text), or as
/// one JSON object per line with `log_format = "json"`.
fn init_tracing(config: &Config) {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_env("BALAI_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if config.log_format == "json" {
        logs.json().init();
    } else {
        logs.with_ansi(std::io::stderr().is_terminal()).init();
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let mut config = Config::load(cli.config.as_deref(), &|k| std::env::var(k).ok())?;
    init_tracing(&config);
    if let Command::Config { sample } = &cli.command {
        print!("{}", if *sample { Config::default().to_toml() } else { config.to_toml() });
        return Ok(());
    }
    if let Command::Serve { demo: true, .. } = &cli.command
        && config.home_region.is_none()
    {
        config.home_region = Some(balai_app::demo::DEMO_REGION.into());
    }
    // Bind first: the public address defaults to where Balai really listens (port 0 included),
    // and the app is built with it.
    let listeners = match &cli.command {
        Command::Serve { listen, .. } => {
            if let Some(listen) = listen {
                config.listen = listen.clone();
            }
            let listener = tokio::net::TcpListener::bind(&config.listen)
                .await
                .with_context(|| format!("cannot listen on {}", config.listen))?;
            config.listen = listener.local_addr()?.to_string();
            let metrics = match config.metrics_listen.trim() {
                "" => None,
                addr => Some(
                    tokio::net::TcpListener::bind(addr)
                        .await
                        .with_context(|| format!("cannot listen on {addr} (metrics_listen)"))?,
                ),
            };
            Some((listener, metrics))
        }
        _ => None,
    };
    let app = open(&config).await?;
    let system = Actor::System;
    match cli.command {
        Command::Serve { demo, no_history, .. } => {
            let Some(listeners) = listeners else { bail!("no listener") };
            serve(app, &config, demo && !no_history, demo, listeners).await
        }
        Command::Config { .. } => Ok(()),
        Command::Migrate => {
            println!("Database is up to date ({}).", balai_store::redact_url(&config.database_url));
            Ok(())
        }
        Command::Wilayah(WilayahCommand::Import { files }) => {
            let mut contents = Vec::new();
            for path in &files {
                let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
                contents.push((path.display().to_string(), bytes));
            }
            let started = std::time::Instant::now();
            let report = app.import_regions(&system, &contents).await.map_err(explain)?;
            println!(
                "Imported {} rows from {} file(s) in {:.2} s: {} new, {} updated, {} unchanged.",
                report.rows_read,
                files.len(),
                started.elapsed().as_secs_f64(),
                report.inserted,
                report.updated,
                report.unchanged
            );
            Ok(())
        }
        Command::Libur(LiburCommand::Import { file }) => {
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let report = app.import_holidays(&system, &file.display().to_string(), &bytes).await.map_err(explain)?;
            println!(
                "Read {} holidays: {} added, {} already known.",
                report.rows_read,
                report.added,
                report.rows_read as u64 - report.added
            );
            Ok(())
        }
        Command::Libur(LiburCommand::Deadline { date, days }) => {
            let calendar = app.working_calendar().await.map_err(explain)?;
            let deadline = calendar.add_working_days(date, days);
            println!("{}", deadline.explain());
            Ok(())
        }
        Command::User(UserCommand::Create { username, name, role, scope, email, nip }) => {
            let input = NewStaffInput {
                username,
                full_name: name,
                email,
                nip,
                password: String::new(),
                grants: vec![(role, scope)],
            };
            let user = app.create_staff(&system, input).await.map_err(explain)?;
            println!("Created account {} (id {}).", user.username, user.id);
            if let Some(p) = user.generated_password {
                println!("Password (shown once): {p}");
            }
            Ok(())
        }
        Command::User(UserCommand::ResetPassword { username }) => {
            let password = app.reset_password(&system, &username).await.map_err(explain)?;
            println!("New password for {username} (shown once): {password}");
            Ok(())
        }
        Command::User(UserCommand::Token { username, name }) => {
            let token = app.create_api_token(&system, &username, &name).await.map_err(explain)?;
            println!("API token for {username} (shown once): {token}");
            Ok(())
        }
        Command::Penduduk(PendudukCommand::Import { desa, file }) => {
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let report =
                app.import_penduduk(&system, &desa, &file.display().to_string(), &bytes).await.map_err(explain)?;
            println!("Read {} residents: {} new, {} updated.", report.rows_read, report.inserted, report.updated);
            Ok(())
        }
        Command::Kategori(KategoriCommand::Import { file, tier }) => {
            let tier = tier.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let report = app
                .import_report_categories(&system, &file.display().to_string(), &bytes, tier)
                .await
                .map_err(explain)?;
            println!("Read {} categories: {} saved.", report.rows_read, report.saved);
            Ok(())
        }
        Command::Lapor(LaporCommand::Tenggat) => {
            let pass = app.run_report_deadlines().await.map_err(explain)?;
            println!(
                "Examined {} reports: {} SLA states moved, {} reminded, {} escalated.",
                pass.examined, pass.sla_moved, pass.reminded, pass.escalated
            );
            Ok(())
        }
        Command::Backup { dest } => {
            app.store().backup(&dest).await?;
            println!("Backup written to {}.", dest.display());
            Ok(())
        }
        Command::Nik { nik } => match app.check_nik(&nik).await.map_err(explain)? {
            Ok(info) => {
                let place = info.kecamatan_name.map_or_else(
                    || {
                        format!(
                            "{} (not in the region data: codes are re-drawn, so this is only a warning)",
                            info.kecamatan_code
                        )
                    },
                    |name| format!("{} ({name})", info.kecamatan_code),
                );
                println!(
                    "NIK {} is valid: registered in kecamatan {place}; born {}; {}.",
                    info.masked, info.birth_date, info.sex
                );
                Ok(())
            }
            Err(e) => bail!("{e}\n  {}", e.message_id()),
        },
        Command::Audit(AuditCommand::Verify) => match app.verify_audit(&system).await.map_err(explain)? {
            Ok(n) => {
                println!("Audit trail intact: {n} records verified.");
                Ok(())
            }
            Err(brk) => bail!("audit trail broken: {brk}"),
        },
    }
}

/// Connects to the database, applies migrations and builds the app.
async fn open(config: &Config) -> anyhow::Result<App> {
    let options = balai_store::ConnectOptions { max_connections: config.max_connections, ..Default::default() };
    let url = balai_store::redact_url(&config.database_url);
    let store = balai_store::connect(&config.database_url, &options)
        .await
        .with_context(|| format!("cannot open the database at {url}"))?;
    store.migrate().await.with_context(|| format!("cannot migrate the database at {url}"))?;
    // One renderer (fonts loaded once) serves letters and the other documents.
    let renderer = Arc::new(balai_letters::TypstRenderer::new());
    let letters = balai_app::letters::LetterServices {
        renderer: renderer.clone(),
        master_key: balai_app::letters::MasterKey::from_bytes(config.load_or_create_secret_key()?),
        certified_signer: None,
    };
    Ok(App::new(store, Arc::new(SystemClock), config.app_config()).with_letters(letters).with_documents(renderer))
}

/// Operator-facing text for an application error (import problems listed line by line).
fn explain(e: AppError) -> anyhow::Error {
    match e {
        AppError::ImportRejected(n, lines) => {
            let shown: Vec<String> = lines.iter().take(50).map(|l| format!("  {l}")).collect();
            let more = if lines.len() > 50 { format!("\n  … and {} more", lines.len() - 50) } else { String::new() };
            anyhow::anyhow!("import rejected, nothing was written ({n} problems):\n{}{more}", shown.join("\n"))
        }
        AppError::Invalid(errors) => {
            let lines: Vec<String> = errors.iter().map(|e| format!("  {}: {}", e.field, e.message)).collect();
            anyhow::anyhow!("invalid input:\n{}", lines.join("\n"))
        }
        AppError::NotFound => anyhow::anyhow!("not found"),
        other => anyhow::Error::new(other),
    }
}

async fn serve(
    app: App,
    config: &Config,
    history: bool,
    demo: bool,
    (listener, metrics_listener): (tokio::net::TcpListener, Option<tokio::net::TcpListener>),
) -> anyhow::Result<()> {
    if demo {
        let accounts = balai_app::demo::seed_demo(&app).await.map_err(explain)?;
        let (reports, responses) = if history { app.seed_demo_history().await.map_err(explain)? } else { (0, 0) };
        if reports + responses > 0 {
            println!(
                "Demo history for the evaluation dashboard: {reports} finished reports, {responses} survey responses."
            );
        }
        if accounts.is_empty() {
            println!("Demo data already present. Forgot a password? `balai user reset-password USERNAME`.");
        } else {
            println!("Demo staff accounts (passwords shown only this once):");
            for a in &accounts {
                println!("  {:<20} {:<18} {:<16} {}", a.username, a.password, a.role, a.scope);
            }
        }
    }
    let local = listener.local_addr()?;
    let site_name = match app.home_tree().await.map_err(explain)? {
        Some(tree) => tree.root.name.clone(),
        None => "Layanan publik desa".to_string(),
    };
    println!("Balai is serving on http://{local}/ ({}).", balai_store::redact_url(&config.database_url));
    println!("  Public home page: http://{local}/   Staff login: http://{local}/masuk");
    println!("  Public address in QR codes, Open311 and messages: {}", config.effective_public_url());
    if let Some(warning) = config.public_url_warning() {
        tracing::warn!("{warning}");
    }
    let outbox = worker::start(&app, config)?;
    // The scoreboard reads a year of reports: compute it now rather than in a visitor's request.
    let warm = app.clone();
    tokio::spawn(async move {
        if let Err(e) = warm.report_scoreboard().await {
            tracing::warn!(error = %e, "computing the report scoreboard at start failed");
        }
    });
    let access = balai_web::MetricsAccess {
        token: Some(config.metrics_token.trim()).filter(|t| !t.is_empty()).map(Into::into),
        separate_listener: metrics_listener.is_some(),
    };
    let state = balai_web::AppState::new(app, config.secure_cookies, config.behind_proxy, site_name)
        .with_metrics_access(access);
    if let Some(metrics_listener) = metrics_listener {
        println!("  Metrics: http://{}/metrics", metrics_listener.local_addr()?);
        let router = balai_web::metrics_router(state.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(metrics_listener, router).await {
                tracing::error!(error = %e, "the metrics listener stopped");
            }
        });
    }
    balai_web::serve(listener, state, shutdown_signal()).await?;
    outbox.stop().await;
    println!("Balai stopped.");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
}
