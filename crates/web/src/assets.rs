//! Static assets, embedded in the binary and served under a content-hashed path with a year-long
//! cache lifetime: a new stylesheet gets a new URL, so no browser keeps a stale one.

use std::sync::LazyLock;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

use crate::AppState;

const CSS: &str = include_str!("../static/balai.css");

struct Asset {
    path: String,
    body: &'static str,
    content_type: &'static str,
}

static STYLESHEET: LazyLock<Asset> = LazyLock::new(|| {
    let hash = hex::encode(&Sha256::digest(CSS.as_bytes())[..6]);
    Asset { path: format!("balai.{hash}.css"), body: CSS, content_type: "text/css; charset=utf-8" }
});

/// The URL of the stylesheet, for templates.
pub fn css_url() -> String {
    format!("/static/{}", STYLESHEET.path)
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/static/{file}", get(serve_asset))
}

async fn serve_asset(Path(file): Path<String>) -> Response {
    let asset = &*STYLESHEET;
    if file != asset.path {
        return StatusCode::NOT_FOUND.into_response();
    }
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable")),
        ],
        asset.body,
    )
        .into_response()
}
