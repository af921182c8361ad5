//! A throw-away PostgreSQL cluster for the run (as `scripts/test` starts one): initdb into a
//! temporary directory, a free loopback port, stopped and removed on drop.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, bail};

pub struct Cluster {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
}

fn server_binaries() -> anyhow::Result<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .context("no PostgreSQL server under /usr/lib/postgresql (apt-get install postgresql, or give --postgres URL)")?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    versions.sort_by_key(|p| {
        p.parent().and_then(|v| v.file_name()).and_then(|v| v.to_str()).and_then(|v| v.parse::<u32>().ok())
    });
    versions.pop().context("no initdb under /usr/lib/postgresql/*/bin")
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find_map(|l| l.strip_prefix("Uid:")).map(|v| v.split_whitespace().next() == Some("0")))
        .unwrap_or(false)
}

/// Runs a PostgreSQL program (as the postgres user when we are root: it refuses to run as root).
fn pg(bin: &std::path::Path, program: &str, args: &[&str]) -> anyhow::Result<()> {
    let mut command = if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin.join(program));
        c
    } else {
        Command::new(bin.join(program))
    };
    let out = command.args(args).output().with_context(|| format!("cannot run {program}"))?;
    if !out.status.success() {
        bail!("{program} failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(())
}

impl Cluster {
    pub async fn start() -> anyhow::Result<Cluster> {
        let bin = server_binaries()?;
        let dir = tempfile::Builder::new().prefix("balai-bench-pg").tempdir()?;
        if is_root() {
            let status = Command::new("chown").arg("postgres").arg(dir.path()).status()?;
            if !status.success() {
                bail!("cannot chown the cluster directory to postgres");
            }
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let data = dir.path().join("data");
        let (data_s, log_s) = (data.display().to_string(), dir.path().join("server.log").display().to_string());
        pg(&bin, "initdb", &["-D", &data_s, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"])?;
        // Durable commits (fsync on): the figures are those of a real server on this disk.
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {port} -k {} -c max_connections=400 -c shared_buffers=256MB",
            dir.path().display()
        );
        pg(&bin, "pg_ctl", &["-D", &data_s, "-l", &log_s, "-w", "start", "-o", &options])?;
        Ok(Cluster { bin, dir, port })
    }

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.dir.path().join("data").display().to_string();
        let _ = pg(&self.bin, "pg_ctl", &["-D", &data, "-m", "immediate", "stop"]);
    }
}
