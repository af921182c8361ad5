//! Open311 GeoReport v2 at `/open311/v2/`.

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
