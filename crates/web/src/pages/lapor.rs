//! Report pages: the form, tracking, the public list and scoreboard, staff inboxes.

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
