//! The `balai` binary as an operator runs it: its own process on loopback, its own working
//! directory (secret key), so that its memory, start-up time and size are its own.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::http::{fetch, get};
use crate::system::{Memory, memory_of};

/// The `balai` binary to measure: `BALAI_BIN`, else the one beside this program (same profile),
/// brought up to date by cargo first when this program runs under `cargo run` (the xtask way).
pub fn balai_binary() -> anyhow::Result<PathBuf> {
    if let Some(path) = std::env::var_os("BALAI_BIN") {
        let path = PathBuf::from(path);
        if !path.exists() {
            bail!("BALAI_BIN names {}, which does not exist", path.display());
        }
        return Ok(path);
    }
    let exe = std::env::current_exe().context("where is this program?")?;
    let dir = exe.parent().context("no directory")?;
    let release = dir.ends_with("release");
    if let Some(cargo) = std::env::var_os("CARGO") {
        eprintln!("Building the balai binary ({}) …", if release { "release" } else { "debug" });
        let mut build = std::process::Command::new(cargo);
        build.args(["build", "--quiet", "-p", "balai-web", "--bin", "balai"]);
        if release {
            build.arg("--release");
        }
        if !build.status().context("cannot run cargo to build balai")?.success() {
            bail!("building balai failed");
        }
    }
    let balai = dir.join("balai");
    if !balai.exists() {
        bail!("{} does not exist: build it (cargo build --release -p balai-web) or set BALAI_BIN", balai.display());
    }
    Ok(balai)
}

/// A free loopback port (bound, then released for the server to take).
fn free_addr() -> anyhow::Result<SocketAddr> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?)
}

pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    pub pid: u32,
    /// From a demo seed: username → password.
    pub passwords: HashMap<String, String>,
    /// From spawning the process to the first 200 on `/`.
    pub start_to_first_200: Duration,
}

impl Server {
    /// Starts `balai serve [--demo]` over `database_url` with `workdir` as its working directory
    /// and waits (up to 60 s) for `/` to answer 200.
    pub async fn start(binary: &Path, workdir: &Path, database_url: &str, demo: bool) -> anyhow::Result<Server> {
        let addr = free_addr()?;
        let mut command = Command::new(binary);
        command.current_dir(workdir).arg("serve");
        if demo {
            command.args(["--demo", "--no-history"]);
        }
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("BALAI_") && key != "BALAI_BIN" {
                command.env_remove(key);
            }
        }
        command
            .env("BALAI_DATABASE_URL", database_url)
            .env("BALAI_LISTEN", addr.to_string())
            // Only errors: a benchmark run has no message channel, and each undelivered message
            // would be a warning.
            .env("BALAI_LOG", "error")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        let started = Instant::now();
        let mut child = command.spawn().with_context(|| format!("cannot start {}", binary.display()))?;
        let pid = child.id().context("no pid")?;
        let stdout = child.stdout.take().context("no stdout")?;
        // The demo prints its passwords once, before it serves.
        let (tx, rx) = tokio::sync::oneshot::channel();
        tokio::spawn(async move {
            let mut lines = BufReader::new(stdout).lines();
            let mut passwords = HashMap::new();
            let mut tx = Some(tx);
            while let Ok(Some(line)) = lines.next_line().await {
                let words: Vec<&str> = line.split_whitespace().collect();
                if line.starts_with("  ") && words.len() >= 2 && words[0].contains('.') {
                    passwords.insert(words[0].to_string(), words[1].to_string());
                }
                if line.starts_with("Balai is serving")
                    && let Some(tx) = tx.take()
                {
                    let _ = tx.send(std::mem::take(&mut passwords));
                }
            }
        });
        loop {
            if started.elapsed() > Duration::from_secs(60) {
                bail!("balai did not answer 200 on / within 60 s");
            }
            if let Some(status) = child.try_wait()? {
                bail!("balai exited before serving: {status}");
            }
            if let Ok(r) = fetch(addr, &get("/")).await
                && r.status == 200
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        let start_to_first_200 = started.elapsed();
        let passwords =
            tokio::time::timeout(Duration::from_secs(5), rx).await.ok().and_then(Result::ok).unwrap_or_default();
        if demo && passwords.is_empty() {
            bail!("the demo printed no passwords (was the database not new?)");
        }
        Ok(Server { child, addr, pid, passwords, start_to_first_200 })
    }

    pub fn memory(&self) -> Memory {
        memory_of(&self.pid.to_string())
    }

    /// SIGTERM, then waits for the graceful shutdown (SIGKILL after 10 s).
    pub async fn stop(mut self) -> anyhow::Result<()> {
        let _ = std::process::Command::new("kill").arg("-TERM").arg(self.pid.to_string()).status();
        if tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await.is_err() {
            self.child.kill().await?;
        }
        Ok(())
    }
}
