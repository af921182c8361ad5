#![forbid(unsafe_code)]
//! Balai's web interface: citizen pages, staff pages, health and metrics, static assets.

mod api;
pub mod assets;
pub mod config;
mod error;
mod extract;
mod inbound;
mod metrics;
pub mod offline;
mod open311;
mod pages;
mod security;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use balai_app::App;
use tower_http::compression::CompressionLayer;

pub use error::WebError;
pub use metrics::Metrics;

/// Largest form body accepted (forms here are a few hundred bytes; uploads get their own limit).
pub const FORM_BODY_LIMIT: usize = 64 * 1024;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub metrics: Arc<Metrics>,
    pub secure_cookies: bool,
    pub behind_proxy: bool,
    pub site_name: Arc<str>,
    /// Who may read `/metrics`.
    pub metrics_access: MetricsAccess,
}

/// Where `/metrics` is served and what it asks for.
#[derive(Clone, Debug, Default)]
pub struct MetricsAccess {
    /// `Authorization: Bearer TOKEN` required when set.
    pub token: Option<Arc<str>>,
    /// Served on its own listener (`metrics_listen`): the main one answers 404.
    pub separate_listener: bool,
}

impl AppState {
    pub fn new(app: App, secure_cookies: bool, behind_proxy: bool, site_name: String) -> Self {
        AppState {
            app,
            metrics: Arc::new(Metrics::default()),
            secure_cookies,
            behind_proxy,
            site_name: site_name.into(),
            metrics_access: MetricsAccess::default(),
        }
    }

    pub fn with_metrics_access(mut self, access: MetricsAccess) -> Self {
        self.metrics_access = access;
        self
    }
}

/// The whole application: routes, then (outermost last) CSRF, security headers, compression and
/// metrics.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(api::routes())
        .merge(pages::public::routes())
        .merge(pages::auth::routes())
        .merge(pages::staff::routes())
        .merge(pages::letters::routes())
        .merge(pages::warga::routes())
        .merge(pages::register::routes())
        .merge(pages::letter_admin::routes())
        .merge(pages::ops::routes())
        .merge(pages::lapor::routes())
        .merge(pages::lapor_ekspor::routes())
        .merge(pages::ppid::routes())
        .merge(pages::berita::routes())
        .merge(pages::langganan::routes())
        .merge(pages::survei::routes())
        .merge(pages::evaluasi::routes())
        .merge(pages::stope::routes())
        .merge(pages::forum::routes())
        .merge(pages::pelatihan::routes())
        .merge(pages::pendamping::routes())
        .merge(open311::routes())
        .merge(inbound::routes())
        .merge(assets::routes())
        .merge(offline::routes())
        .fallback(pages::not_found)
        .layer(middleware::from_fn_with_state(state.clone(), security::csrf))
        .layer(DefaultBodyLimit::max(FORM_BODY_LIMIT))
        .layer(middleware::from_fn_with_state(state.clone(), security::headers))
        .layer(CompressionLayer::new())
        .layer(middleware::from_fn_with_state(state.clone(), metrics::track))
        .with_state(state)
}

/// The metrics listener's routes (`metrics_listen`): `/metrics` and `/healthz` only.
pub fn metrics_router(state: AppState) -> Router {
    pages::ops::metrics_routes().with_state(state)
}

/// Serves until `shutdown` resolves, then finishes in-flight requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}
