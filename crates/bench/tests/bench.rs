//! The benchmark commands, run as an operator runs them, at tiny sizes on their own throw-away
//! databases (temporary SQLite files, or fresh databases on the PostgreSQL server that
//! `TEST_DATABASE_URL` names). Checks what they report, never how fast anything is.

use std::path::Path;
use std::process::{Command, Output};

/// `bench ARGS` in `dir`, with no inherited `BALAI_*` variables and quiet logging.
fn bench(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_bench"));
    cmd.current_dir(dir).args(args);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("BALAI_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("BALAI_LOG", "warn");
    if let Ok(url) = std::env::var("TEST_DATABASE_URL")
        && url.starts_with("postgres")
    {
        cmd.args(["--database-url", &url]);
    }
    cmd.output().expect("run the balai binary")
}

#[test]
fn bench_letters_issues_and_verifies_five_letters_per_round() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = bench(dir.path(), &["letters", "--count", "5"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "exit {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}", out.status);
    assert!(stdout.contains("Signed 5 letters sequentially"), "{stdout}");
    assert!(stdout.contains("Signed 5 letters 2 at a time"), "{stdout}");
    assert!(stdout.contains("Verified: 10 letters numbered 1..10 with no gap or repeat"), "{stdout}");
    assert!(stdout.contains("VmHWM MiB") && stdout.contains("start of signing"), "{stdout}");
    // Its own database: nothing is created where it runs.
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0, "files left in the working directory");
}

#[test]
fn bench_letters_reports_json() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = bench(dir.path(), &["letters", "--count", "3", "--concurrency", "1", "--json"]);
    assert!(out.status.success(), "stderr:\n{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    let rounds = report["rounds"].as_array().expect("rounds");
    assert_eq!(rounds.len(), 1, "{report}");
    assert_eq!((rounds[0]["letters"].as_u64(), rounds[0]["concurrency"].as_u64()), (Some(3), Some(1)));
    assert_eq!(report["verified"]["letters"].as_u64(), Some(3));
    assert!(report["machine"]["cpus"].as_u64().is_some_and(|n| n >= 1), "{report}");
    assert!(report["memory"]["end"]["vm_hwm_kib"].as_u64().is_some(), "{report}");
}

#[test]
fn bench_letters_refuses_an_existing_sqlite_file() {
    let dir = tempfile::tempdir().expect("tmp");
    let existing = dir.path().join("balai.db");
    std::fs::write(&existing, b"").expect("write");
    let url = format!("sqlite://{}", existing.display());
    let out = Command::new(env!("CARGO_BIN_EXE_bench"))
        .current_dir(dir.path())
        .env("BALAI_LOG", "warn")
        .args(["letters", "--count", "1", "--database-url", &url])
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("only runs on a new SQLite file"));
}

#[test]
fn bench_lapor_submits_over_http_and_checks_every_report_is_stored() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = bench(dir.path(), &["lapor", "--count", "60", "--concurrency", "4", "--json"]);
    assert!(out.status.success(), "stderr:\n{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(report["submissions"]["requests"].as_u64(), Some(60), "{report}");
    assert_eq!(report["submissions"]["failures"].as_u64(), Some(0), "{report}");
    // 200 warm-up submissions and the 60 timed ones, each with its confirmation email.
    assert_eq!(report["stored"].as_i64(), Some(260), "{report}");
    assert_eq!(report["queued_messages"].as_i64(), Some(260), "{report}");
}

#[test]
fn bench_lapor_cari_generates_reports_and_times_every_page() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = bench(dir.path(), &["lapor-cari", "--reports", "2000", "--queries", "10", "--json"]);
    assert!(out.status.success(), "stderr:\n{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(report["reports"].as_i64(), Some(2000), "{report}");
    let queries = report["queries"].as_array().expect("queries");
    assert_eq!(queries.len(), 10, "{report}");
    assert!(queries.iter().all(|q| q[1]["requests"].as_u64() == Some(10)), "{report}");
}

/// The `balai` binary the suite measures: built beside this test by `cargo test --workspace`.
fn balai_binary() -> std::path::PathBuf {
    let exe = std::env::current_exe().expect("exe");
    let target = exe.parent().and_then(Path::parent).expect("target/<profile>");
    let balai = target.join("balai");
    assert!(balai.exists(), "{} is missing: run `cargo build -p balai-web` first (scripts/test does)", balai.display());
    balai
}

#[test]
fn bench_all_quick_runs_every_scenario_and_writes_json_and_markdown() {
    let dir = tempfile::tempdir().expect("tmp");
    let out_dir = dir.path().join("results");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_bench"));
    cmd.current_dir(dir.path()).env("BALAI_BIN", balai_binary()).env_remove("CARGO");
    cmd.args(["all", "--quick", "--out", out_dir.to_str().expect("utf8")]);
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => cmd.args(["--postgres", &url]),
        _ => cmd.arg("--no-postgres"),
    };
    let out = cmd.output().expect("run bench all");
    assert!(out.status.success(), "stderr:\n{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("latest.json")).expect("latest.json")).expect("JSON");
    let backend = &json["backends"][0];
    assert_eq!(backend["backend"], "sqlite", "{json}");
    // Six pages (home, village portal, tracking, PPID portal, DIP item, information request form)
    // at three connection counts, each with answers and none failed.
    let pages = backend["public_pages"].as_array().expect("pages");
    assert_eq!(pages.len(), 18, "{json}");
    for page in ["PPID portal home", "DIP item page", "information request form"] {
        assert_eq!(pages.iter().filter(|p| p["page"] == page).count(), 3, "{page}: {json}");
    }
    assert!(pages.iter().all(|p| p["requests"].as_u64() > Some(0) && p["failures"] == 0), "{json}");
    // Every acknowledged submission stored once with its message (the suite checks, we read).
    let s = &backend["submissions"];
    assert_eq!(s["stored"], s["messages"], "{json}");
    assert_eq!(s["stored"].as_u64(), Some(s["requests"].as_u64().expect("requests") + 201), "{json}");
    assert_eq!(backend["letters"]["numbers_checked"].as_u64(), Some(6), "{json}");
    let generated = &backend["dataset"]["generated"];
    assert_eq!((generated["reports"].as_i64(), generated["letters"].as_i64()), (Some(3000), Some(570)), "{json}");
    assert!(generated["regions"].as_i64() >= Some(265), "{json}");
    assert_eq!(generated["survey_responses"].as_i64(), Some(2000), "{json}");
    assert_eq!(backend["dataset"]["queries"].as_array().map(Vec::len), Some(15), "{json}");
    assert!(backend["dataset"]["dashboard_first_ms"].as_f64() > Some(0.0), "{json}");
    assert!(backend["cold_start_ms"].as_f64() > Some(0.0) && backend["peak_rss_mib"].as_f64() > Some(1.0), "{json}");
    let weights = json["page_weight"].as_array().expect("weights");
    assert_eq!(weights.len(), 8, "{json}");
    assert!(weights.iter().all(|w| w["html_gzip_bytes"].as_u64() < w["html_bytes"].as_u64()), "{json}");
    let markdown = std::fs::read_to_string(out_dir.join("latest.md")).expect("latest.md");
    assert!(markdown.contains("QUICK RUN") && markdown.contains("Beside OpenSID"), "{markdown}");
}
