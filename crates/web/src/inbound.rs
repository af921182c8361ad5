//! The webhook an SMS/WhatsApp gateway calls with incoming text messages.

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
