//! The webhook an SMS/WhatsApp gateway calls with incoming text messages:
//! `POST /webhook/pesan-masuk` with `Authorization: Bearer balai_…` (an API token made for the
//! gateway under an account that coordinates reports for the installation's region) and a JSON or form body `{from, text, channel}`; the answer `{"reply": …}` is the
//! text the gateway sends back to the sender.

use axum::Router;
use axum::extract::{FromRequest, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::Deserialize;
use serde_json::json;

use crate::AppState;
use crate::api::{ApiError, ApiStaff};

pub fn routes() -> Router<AppState> {
    Router::new().route("/webhook/pesan-masuk", post(incoming))
}

/// One message as the gateway sends it.
#[derive(Deserialize)]
struct Incoming {
    from: String,
    #[serde(default)]
    text: String,
    /// `sms` (the default) or `whatsapp`.
    #[serde(default)]
    channel: String,
}

/// The body as JSON or as a form, by its content type (within the router's body limit).
struct Body(Incoming);

impl FromRequest<AppState> for Body {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        let unreadable = |status: StatusCode, detail: String| {
            let message = format!("Isi permintaan harus JSON atau formulir dengan from, text dan channel: {detail}");
            (status, axum::Json(json!({"code": "invalid_body", "message": message}))).into_response()
        };
        if content_type.starts_with("application/x-www-form-urlencoded") {
            match axum::Form::<Incoming>::from_request(request, state).await {
                Ok(axum::Form(body)) => Ok(Body(body)),
                Err(e) => Err(unreadable(e.status(), e.body_text())),
            }
        } else {
            match axum::Json::<Incoming>::from_request(request, state).await {
                Ok(axum::Json(body)) => Ok(Body(body)),
                Err(e) => Err(unreadable(e.status(), e.body_text())),
            }
        }
    }
}

async fn incoming(State(state): State<AppState>, gateway: ApiStaff, Body(body): Body) -> Result<Response, ApiError> {
    let gateway = balai_app::Actor::Staff(gateway.0);
    let reply = state.app.inbound_message(&gateway, &body.from, &body.channel, &body.text).await?;
    Ok(axum::Json(json!({"reply": reply})).into_response())
}
