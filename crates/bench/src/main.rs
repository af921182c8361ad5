//! Balai's benchmark suite. `cargo run --release -p bench -- all` measures every scenario on
//! SQLite and PostgreSQL and writes bench/results/latest.json and latest.md; the other commands
//! run one scenario on its own.

mod database;
mod dataset;
mod http;
mod lapor;
mod letters;
mod pg_cluster;
mod server;
mod suite;
mod system;
mod table;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "bench", about = "Measure Balai on this machine")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Every scenario on SQLite and PostgreSQL against the real `balai` binary: public pages at
    /// 16/64/256 connections, report submissions, letters end to end, the regency dashboard and
    /// search over a large generated dataset, memory, cold start, binary size and page weight.
    /// Writes latest.json and latest.md.
    All(suite::AllArgs),
    /// Issue COUNT letters end to end and time the signing. Seeds the demo regency into a fresh
    /// database (a temporary SQLite file unless --database-url says otherwise), enters COUNT
    /// walk-in requests for Desa Sukamulya and verifies them (not timed), then signs them one at a
    /// time, and, when --concurrency is above 1, signs COUNT more that many at a time. Each
    /// signature takes the next number, renders the PDF with Typst, signs it and stores it in one
    /// transaction. Reports wall time, letters/s, median and p95 per letter, and memory (VmRSS and
    /// peak VmHWM) at the start, every 250 letters and at the end; then checks that the numbers are
    /// 1..N with no gap or repeat and exits non-zero if not.
    Letters(letters::LettersArgs),
    /// Submit reports over HTTP (POST /lapor) from COUNT requests on CONCURRENCY keep-alive
    /// connections; reports submissions/s and latency percentiles, then checks every acknowledged
    /// submission is stored once with its confirmation message.
    Lapor(lapor::LaporArgs),
    /// Generate REPORTS reports (default 1,000,000) and time the public list and search pages.
    LaporCari(lapor::CariArgs),
    /// Print the markdown table of a results file (e.g. bench/results/latest.json).
    Table { file: std::path::PathBuf },
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> anyhow::Result<()> {
    let config = balai_web::config::Config::default();
    match command {
        Command::All(args) => suite::all(args).await,
        Command::Letters(args) => letters::letters(args, &config).await,
        Command::Lapor(args) => lapor::lapor(args, &config).await,
        Command::LaporCari(args) => lapor::cari(args, &config).await,
        Command::Table { file } => {
            let text = std::fs::read_to_string(&file)?;
            println!("{}", table::markdown(&serde_json::from_str(&text)?));
            Ok(())
        }
    }
}
