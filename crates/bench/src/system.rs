//! What the machine is, and how much memory a process holds (Linux /proc).

use serde::Serialize;

#[derive(Serialize, Clone)]
pub struct Machine {
    pub cpus: usize,
    pub cpu_model: String,
    pub memory_gib: f64,
    pub os: String,
}

pub fn machine() -> Machine {
    let cpus = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let cpu_model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, model)| model.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let memory_gib = proc_field(&std::fs::read_to_string("/proc/meminfo").unwrap_or_default(), "MemTotal:")
        .map_or(0.0, |kib| (kib as f64 / 1024.0 / 1024.0 * 10.0).round() / 10.0);
    let os = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|s| s.lines().find_map(|l| l.strip_prefix("PRETTY_NAME=")).map(|v| v.trim_matches('"').to_string()))
        .unwrap_or_else(|| std::env::consts::OS.to_string());
    Machine { cpus, cpu_model, memory_gib, os }
}

/// Resident memory of a process: now (VmRSS) and its peak so far (VmHWM), in KiB.
#[derive(Serialize, Clone, Copy, Default)]
pub struct Memory {
    pub rss_kib: Option<u64>,
    pub hwm_kib: Option<u64>,
}

/// `pid` is a number or "self".
pub fn memory_of(pid: &str) -> Memory {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    Memory { rss_kib: proc_field(&status, "VmRSS:"), hwm_kib: proc_field(&status, "VmHWM:") }
}

fn proc_field(text: &str, name: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
}
