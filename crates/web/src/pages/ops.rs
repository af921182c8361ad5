//! Operations endpoints: `/healthz` for load balancers, `/metrics` for Prometheus. `/metrics`
//! can ask for a bearer token (`metrics_token`) and move to its own listener (`metrics_listen`).

use std::time::Instant;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/metrics", get(main_metrics))
}

/// The routes of the separate metrics listener.
pub fn metrics_routes() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/metrics", get(metrics))
}

async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match state.app.healthy().await {
        Ok(()) => (StatusCode::OK, "ok\n"),
        Err(e) => {
            tracing::warn!(error = %e, "health check: database unavailable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
        }
    }
}

async fn main_metrics(state: State<AppState>, headers: HeaderMap) -> Response {
    if state.metrics_access.separate_listener {
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    }
    metrics(state, headers).await
}

async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = &state.metrics_access.token {
        let given = crate::security::bearer_token(&headers).unwrap_or("");
        if !crate::security::constant_time_eq(given.as_bytes(), token.as_bytes()) {
            return (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer")], "metrics token required\n")
                .into_response();
        }
    }
    let db_up = state.app.healthy().await.is_ok();
    let mut text = state.metrics.render(db_up);
    let now = Instant::now();
    match state.metrics.gauges_cached(now) {
        Some(gauges) => text.push_str(&gauges),
        // Without a database there is nothing to count (and no point waiting for a connection).
        None if !db_up => {}
        None => match state.app.operational_gauges().await {
            Ok(g) => {
                let gauges = crate::metrics::render_gauges(&g);
                state.metrics.keep_gauges(now, gauges.clone());
                text.push_str(&gauges);
            }
            Err(e) => tracing::warn!(error = %e, "metrics: the service gauges could not be read"),
        },
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text).into_response()
}
