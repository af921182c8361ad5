//! Prometheus metrics in the text exposition format: request counts by status class, a latency
//! histogram, requests in flight and whether the database answers; and the service's own
//! gauges: the outbox backlog and the open and overdue items of every queue, per state.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0];

#[derive(Default)]
pub struct Metrics {
    by_class: [AtomicU64; 5],
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
    in_flight: AtomicU64,
    gauges: std::sync::Mutex<Option<(Instant, String)>>,
}

/// How long the service gauges are kept between scrapes.
const GAUGES_KEPT: std::time::Duration = std::time::Duration::from_secs(10);

/// The service gauges in the exposition format.
pub fn render_gauges(g: &balai_app::messages::OperationalGauges) -> String {
    let mut out = String::with_capacity(2048);
    let _ = writeln!(out, "# HELP balai_outbox_messages Messages in the outbox, by status (pending is the backlog).");
    let _ = writeln!(out, "# TYPE balai_outbox_messages gauge");
    for (status, n) in [("pending", g.outbox.pending), ("failed", g.outbox.failed), ("sent", g.outbox.sent)] {
        let _ = writeln!(out, "balai_outbox_messages{{status=\"{status}\"}} {n}");
    }
    for (queue, what, counts) in [
        ("reports", "Reports (pengaduan, aspirasi, permintaan informasi)", &g.open.reports),
        ("letter_requests", "Letter requests", &g.open.letter_requests),
        ("info_requests", "PPID information requests", &g.open.info_requests),
    ] {
        let _ = writeln!(out, "# HELP balai_{queue}_open {what} not closed yet, by state.");
        let _ = writeln!(out, "# TYPE balai_{queue}_open gauge");
        for c in counts {
            let _ = writeln!(out, "balai_{queue}_open{{state=\"{}\"}} {}", c.state, c.count);
        }
        let _ = writeln!(out, "# HELP balai_{queue}_overdue {what} not closed and past their deadline.");
        let _ = writeln!(out, "# TYPE balai_{queue}_overdue gauge");
        let _ = writeln!(out, "balai_{queue}_overdue {}", counts.iter().map(|c| c.overdue).sum::<i64>());
    }
    out
}

impl Metrics {
    fn observe(&self, status: u16, seconds: f64) {
        let class = usize::from(status / 100).clamp(1, 5) - 1;
        self.by_class[class].fetch_add(1, Ordering::Relaxed);
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                self.buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros.fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
    }

    /// The service gauges, kept for a few seconds: a scrape every few seconds from several
    /// Prometheus servers should not count the queues each time.
    pub fn gauges_cached(&self, now: Instant) -> Option<String> {
        let kept = self.gauges.lock().unwrap_or_else(|e| e.into_inner());
        kept.as_ref().filter(|(at, _)| now.duration_since(*at) < GAUGES_KEPT).map(|(_, text)| text.clone())
    }

    pub fn keep_gauges(&self, now: Instant, text: String) {
        *self.gauges.lock().unwrap_or_else(|e| e.into_inner()) = Some((now, text));
    }

    /// The exposition text; `db_up` is measured by the caller.
    pub fn render(&self, db_up: bool) -> String {
        let mut out = String::with_capacity(2048);
        let _ = writeln!(out, "# HELP balai_build_info Version of the running binary.");
        let _ = writeln!(out, "# TYPE balai_build_info gauge");
        let _ = writeln!(out, "balai_build_info{{version=\"{}\"}} 1", env!("CARGO_PKG_VERSION"));
        let _ = writeln!(out, "# HELP balai_database_up Whether the database answered a ping (1) or not (0).");
        let _ = writeln!(out, "# TYPE balai_database_up gauge");
        let _ = writeln!(out, "balai_database_up {}", u8::from(db_up));
        let _ = writeln!(out, "# HELP balai_http_requests_total HTTP requests answered, by status class.");
        let _ = writeln!(out, "# TYPE balai_http_requests_total counter");
        for (i, n) in self.by_class.iter().enumerate() {
            let _ = writeln!(out, "balai_http_requests_total{{class=\"{}xx\"}} {}", i + 1, n.load(Ordering::Relaxed));
        }
        let _ = writeln!(out, "# HELP balai_http_requests_in_flight HTTP requests being handled now.");
        let _ = writeln!(out, "# TYPE balai_http_requests_in_flight gauge");
        let _ = writeln!(out, "balai_http_requests_in_flight {}", self.in_flight.load(Ordering::Relaxed));
        let _ = writeln!(out, "# HELP balai_http_request_duration_seconds Time to answer an HTTP request.");
        let _ = writeln!(out, "# TYPE balai_http_request_duration_seconds histogram");
        for (i, bound) in BUCKETS.iter().enumerate() {
            let _ = writeln!(
                out,
                "balai_http_request_duration_seconds_bucket{{le=\"{bound}\"}} {}",
                self.buckets[i].load(Ordering::Relaxed)
            );
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(out, "balai_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}");
        let sum = self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "balai_http_request_duration_seconds_sum {sum}");
        let _ = writeln!(out, "balai_http_request_duration_seconds_count {count}");
        out
    }
}

pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    state.metrics.in_flight.fetch_add(1, Ordering::Relaxed);
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let response = next.run(request).await;
    state.metrics.in_flight.fetch_sub(1, Ordering::Relaxed);
    let elapsed = started.elapsed();
    state.metrics.observe(response.status().as_u16(), elapsed.as_secs_f64());
    if response.status().is_server_error() {
        tracing::warn!(%method, %path, status = response.status().as_u16(), ms = elapsed.as_millis() as u64, "request failed");
    } else {
        tracing::debug!(%method, %path, status = response.status().as_u16(), ms = elapsed.as_millis() as u64, "request");
    }
    response
}
