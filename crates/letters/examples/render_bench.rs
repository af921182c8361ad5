//! Renders N letters in a loop and reports time per letter and peak memory.
//!
//! `cargo run --release -p balai-letters --example render_bench -- [N] [--out FILE]`
//! (N defaults to 200; `--out` also writes the figures to FILE).

use std::time::Instant;

use balai_domain::surat::document::{LetterRenderer, Paper};
use balai_letters::{TypstRenderer, sample_document};

/// VmHWM (peak resident set) and VmRSS from /proc/self/status, in kB.
fn memory() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status.lines().find_map(|l| l.strip_prefix(name)).map(|v| v.trim().to_owned()).unwrap_or_else(|| "?".to_owned())
    };
    format!("VmHWM {}, VmRSS {}", field("VmHWM:"), field("VmRSS:"))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(rank).copied().unwrap_or(f64::NAN)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = match args.first().filter(|a| !a.starts_with("--")) {
        Some(a) => a.parse()?,
        None => 200,
    };
    let out = args.iter().position(|a| a == "--out").and_then(|i| args.get(i + 1));

    let mut report = Vec::new();
    let start = Instant::now();
    let renderer = TypstRenderer::new();
    report.push(format!("setup {:.1} ms; {}", start.elapsed().as_secs_f64() * 1e3, memory()));

    // The first letter warms the caches; it is reported apart.
    let base = sample_document(Paper::F4);
    let start = Instant::now();
    let first = renderer.render(&base, None)?;
    report.push(format!(
        "first letter {:.1} ms, {} bytes; {}",
        start.elapsed().as_secs_f64() * 1e3,
        first.len(),
        memory()
    ));

    let mut times = Vec::with_capacity(n);
    let mut bytes = 0;
    let total = Instant::now();
    for i in 0..n {
        // Each letter differs, as in real use, so the cache cannot hand back a finished PDF.
        let mut doc = base.clone();
        doc.number = format!("400.9.14/{:03}/2001/XI/2026", i + 13);
        doc.rows[0].1 = format!("WARGA NOMOR {i}");
        doc.verification_url = format!("{}&n={i}", base.verification_url);
        let start = Instant::now();
        bytes += renderer.render(&doc, None)?.len();
        times.push(start.elapsed().as_secs_f64() * 1e3);
    }
    let elapsed = total.elapsed().as_secs_f64();
    times.sort_by(f64::total_cmp);
    report.push(format!(
        "{n} letters in {:.2} s: median {:.2} ms, p95 {:.2} ms, max {:.2} ms per letter; {:.1} letters/s; \
         average PDF {} bytes; {}",
        elapsed,
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        times.last().copied().unwrap_or(f64::NAN),
        n as f64 / elapsed,
        bytes / n.max(1),
        memory()
    ));

    let text = report.join("\n");
    println!("{text}");
    if let Some(path) = out {
        std::fs::write(path, text + "\n")?;
    }
    Ok(())
}
