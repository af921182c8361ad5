//! A small keep-alive HTTP/1.1 load generator: N connections, each taking the next request
//! number from a shared counter (or running until a deadline), timing every response. Requests
//! are prepared bytes, so the generator costs little beside the server on the same cores.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde::Serialize;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// Builds request number `n` (raw HTTP/1.1 bytes).
pub type MakeRequest = Arc<dyn Fn(u64) -> Vec<u8> + Send + Sync>;

/// One whole response: status, the headers a benchmark needs, and the body as sent (still
/// compressed when the request asked for it).
pub struct Response {
    pub status: u16,
    pub location: Option<String>,
    pub set_cookies: Vec<String>,
    pub content_encoding: Option<String>,
    pub body: Vec<u8>,
}

/// A keep-alive HTTP/1.1 connection that sends prepared requests and reads whole responses.
pub struct Connection {
    stream: BufReader<TcpStream>,
}

impl Connection {
    pub async fn open(addr: SocketAddr) -> anyhow::Result<Connection> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Connection { stream: BufReader::new(stream) })
    }

    /// Sends one request and reads its whole response.
    pub async fn send(&mut self, request: &[u8]) -> anyhow::Result<Response> {
        self.stream.get_mut().write_all(request).await?;
        let mut line = String::new();
        self.stream.read_line(&mut line).await?;
        let status: u16 = line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).context("no status line")?;
        let mut response =
            Response { status, location: None, set_cookies: Vec::new(), content_encoding: None, body: Vec::new() };
        let (mut length, mut chunked) = (0usize, false);
        loop {
            line.clear();
            if self.stream.read_line(&mut line).await? == 0 {
                bail!("connection closed in the headers");
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            let Some((name, value)) = header.split_once(':') else { continue };
            let value = value.trim();
            match name.to_ascii_lowercase().as_str() {
                "content-length" => length = value.parse().unwrap_or(0),
                "transfer-encoding" => chunked = value.to_ascii_lowercase().contains("chunked"),
                "location" => response.location = Some(value.to_string()),
                "set-cookie" => response.set_cookies.push(value.to_string()),
                "content-encoding" => response.content_encoding = Some(value.to_string()),
                _ => {}
            }
        }
        if !chunked {
            response.body = vec![0; length];
            self.stream.read_exact(&mut response.body).await?;
            return Ok(response);
        }
        loop {
            line.clear();
            self.stream.read_line(&mut line).await?;
            let size = usize::from_str_radix(line.trim(), 16).context("bad chunk size")?;
            let start = response.body.len();
            response.body.resize(start + size + 2, 0);
            self.stream.read_exact(&mut response.body[start..]).await?;
            response.body.truncate(start + size);
            if size == 0 {
                return Ok(response);
            }
        }
    }
}

/// A GET request for `path` (HTTP/1.1, keep-alive).
pub fn get(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n").into_bytes()
}

/// A GET request with extra header lines (each without its CRLF).
pub fn get_with(path: &str, headers: &[String]) -> Vec<u8> {
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: bench\r\n");
    for h in headers {
        request.push_str(h);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    request.into_bytes()
}

/// A urlencoded form POST with extra header lines.
pub fn post_form(path: &str, headers: &[String], fields: &[(&str, &str)]) -> Vec<u8> {
    let body: String =
        fields.iter().map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v))).collect::<Vec<_>>().join("&");
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
        body.len()
    );
    for h in headers {
        request.push_str(h);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    request.push_str(&body);
    request.into_bytes()
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// One GET on a fresh connection.
pub async fn fetch(addr: SocketAddr, request: &[u8]) -> anyhow::Result<Response> {
    Connection::open(addr).await?.send(request).await
}

#[derive(Serialize, Clone)]
pub struct Latencies {
    pub requests: usize,
    pub failures: usize,
    pub wall_s: f64,
    pub per_s: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

pub fn latencies(mut times: Vec<Duration>, failures: usize, wall: Duration) -> Latencies {
    times.sort();
    let ms = |p: usize| percentile(&times, p).map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    Latencies {
        requests: times.len(),
        failures,
        wall_s: wall.as_secs_f64(),
        per_s: times.len() as f64 / wall.as_secs_f64().max(1e-9),
        p50_ms: ms(50),
        p95_ms: ms(95),
        p99_ms: ms(99),
        max_ms: times.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0),
    }
}

/// When a run stops: after a number of requests, or at a deadline.
#[derive(Clone, Copy)]
pub enum Bound {
    Requests { first: u64, count: u64 },
    Time(Duration),
}

/// Sends requests over `concurrency` connections until `bound`; a response whose status is not
/// `expect` (or a broken connection) counts as a failure.
pub async fn drive(
    addr: SocketAddr,
    concurrency: usize,
    bound: Bound,
    expect: u16,
    make: MakeRequest,
) -> anyhow::Result<Latencies> {
    let (first, end) = match bound {
        Bound::Requests { first, count } => (first, first + count),
        Bound::Time(_) => (0, u64::MAX),
    };
    let started = Instant::now();
    let deadline = match bound {
        Bound::Time(d) => Some(started + d),
        Bound::Requests { .. } => None,
    };
    let next = Arc::new(AtomicU64::new(first));
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (next, make) = (Arc::clone(&next), Arc::clone(&make));
        tasks.push(tokio::spawn(async move {
            let mut conn = Connection::open(addr).await?;
            let (mut times, mut failures) = (Vec::new(), 0usize);
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= end || deadline.is_some_and(|d| Instant::now() >= d) {
                    return Ok::<_, anyhow::Error>((times, failures));
                }
                let request = make(n);
                let t = Instant::now();
                match conn.send(&request).await {
                    Ok(r) if r.status == expect => times.push(t.elapsed()),
                    Ok(_) => failures += 1,
                    Err(_) => {
                        failures += 1;
                        conn = Connection::open(addr).await?;
                    }
                }
            }
        }));
    }
    let (mut times, mut failures) = (Vec::new(), 0);
    for task in tasks {
        let (t, f) = task.await??;
        times.extend(t);
        failures += f;
    }
    Ok(latencies(times, failures, started.elapsed()))
}

/// Nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[Duration], p: usize) -> Option<&Duration> {
    let rank = (sorted.len() * p).div_ceil(100);
    sorted.get(rank.saturating_sub(1))
}
