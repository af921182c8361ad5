//! Subscribing to a village's announcements (langganan pengumuman): the form, the "check your
//! messages" page, and the page behind each subscription's link, which confirms it or stops it
//! with one button. Following a link never changes anything by itself: WhatsApp and mail
//! programs open links to preview them.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use balai_app::subscriptions::SubscriptionView;
use balai_app::{AppError, FieldError};
use balai_domain::langganan::{Channel, Status};
use balai_domain::wilayah::Region;

use super::warga::field_error;
use crate::extract::{ClientIp, Form, Layout, Visitor};
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/desa/{code}/langganan", get(form).post(ask))
        .route("/desa/{code}/langganan/terkirim", get(sent))
        .route("/langganan/{token}", get(show).post(act))
}

#[derive(Template, WebTemplate)]
#[template(path = "langganan_form.html")]
struct FormPage {
    layout: Layout,
    errors: Vec<FieldError>,
    village: Region,
    channels: Vec<(&'static str, &'static str)>,
    v: BTreeMap<String, String>,
}

impl FormPage {
    fn error(&self, name: &str) -> String {
        field_error(&self.errors, name)
    }

    fn val(&self, name: &str) -> String {
        self.v.get(name).cloned().unwrap_or_default()
    }
}

async fn form_page(
    state: &AppState,
    visitor: &Visitor,
    code: &str,
    v: BTreeMap<String, String>,
    errors: Vec<FieldError>,
) -> Result<FormPage, WebError> {
    let (village, _) = state.app.village_region(code).await?;
    Ok(FormPage {
        layout: visitor.layout(),
        errors,
        village,
        channels: Channel::ALL.iter().map(|c| (c.as_str(), c.label())).collect(),
        v,
    })
}

async fn form(State(state): State<AppState>, visitor: Visitor, Path(code): Path<String>) -> Result<FormPage, WebError> {
    let v = BTreeMap::from([("channel".to_string(), Channel::Whatsapp.as_str().to_string())]);
    form_page(&state, &visitor, &code, v, Vec::new()).await
}

async fn ask(
    State(state): State<AppState>,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    Path(code): Path<String>,
    Form(v): Form<BTreeMap<String, String>>,
) -> Result<Response, WebError> {
    let f = |name: &str| v.get(name).cloned().unwrap_or_default();
    match state.app.ask_subscription(&visitor.actor(&ip), &code, &f("channel"), &f("address")).await {
        Ok(_) => Ok(Redirect::to(&format!("/desa/{code}/langganan/terkirim")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = form_page(&state, &visitor, &code, v, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "langganan_terkirim.html")]
struct SentPage {
    layout: Layout,
    village: Region,
}

async fn sent(State(state): State<AppState>, visitor: Visitor, Path(code): Path<String>) -> Result<SentPage, WebError> {
    let (village, _) = state.app.village_region(&code).await?;
    Ok(SentPage { layout: visitor.layout(), village })
}

#[derive(Template, WebTemplate)]
#[template(path = "langganan.html")]
struct SubscriptionPage {
    layout: Layout,
    s: SubscriptionView,
    /// What the last button did, shown once.
    notice: String,
}

impl SubscriptionPage {
    fn is(&self, status: &str) -> bool {
        self.s.status.as_str() == status
    }
}

async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
) -> Result<SubscriptionPage, WebError> {
    let s = state.app.subscription(&token).await?;
    let notice = match s.status {
        Status::Pending => String::new(),
        Status::Active => format!("Pengumuman {} dikirim ke alamat ini.", s.village.title()),
        Status::Stopped => "Tidak ada lagi pengumuman yang dikirim ke alamat ini.".into(),
    };
    Ok(SubscriptionPage { layout: visitor.layout(), s, notice })
}

async fn act(
    State(state): State<AppState>,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    Path(token): Path<String>,
    Form(v): Form<BTreeMap<String, String>>,
) -> Result<Response, WebError> {
    let actor = visitor.actor(&ip);
    let done = match v.get("aksi").map(String::as_str) {
        Some("aktifkan") => state.app.confirm_subscription(&actor, &token).await,
        Some("berhenti") => state.app.stop_subscription(&actor, &token).await,
        _ => Err(AppError::invalid("aksi", "Pilih aktifkan atau berhenti.")),
    };
    match done {
        // Pressed twice, or from two messages: the page shows where it stands now.
        Ok(()) | Err(AppError::AlreadyDone(_)) => {
            Ok(Redirect::to(&balai_app::subscriptions::subscription_path(&token)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
