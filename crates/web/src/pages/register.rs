//! The village's population register for its staff: search by NIK or name, and import the
//! register the village keeps (CSV or Excel .xlsx), all-or-nothing with every bad line reported.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use balai_app::{Actor, AppError};
use balai_store::letters::Penduduk;
use serde::Deserialize;

use crate::extract::{Layout, Staff, UploadForm};
use crate::{AppState, WebError};

/// A village's register file: a few MB for the largest villages.
const IMPORT_BODY_LIMIT: usize = 10 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staf/desa/{code}/penduduk", get(register))
        .route("/staf/desa/{code}/penduduk/impor", post(import).layer(DefaultBodyLimit::max(IMPORT_BODY_LIMIT)))
}

#[derive(Template, WebTemplate)]
#[template(path = "staff_register.html")]
struct RegisterPage {
    layout: Layout,
    village_code: String,
    village_name: String,
    count: i64,
    query: String,
    results: Vec<Penduduk>,
    searched: bool,
    /// What the last import did, or why it was refused (with its bad lines).
    report: String,
    problems: Vec<String>,
}

#[derive(Deserialize, Default)]
struct SearchQuery {
    #[serde(default)]
    q: String,
}

async fn register_page(
    state: &AppState,
    staff: &Staff,
    code: &str,
    query: &str,
    report: String,
    problems: Vec<String>,
) -> Result<RegisterPage, WebError> {
    let actor = Actor::Staff(staff.user.clone());
    let count = state.app.register_size(&actor, code).await?;
    let results = state.app.search_penduduk(&actor, code, query).await?;
    let village = state.app.village_view(code).await?;
    Ok(RegisterPage {
        layout: staff.visitor.layout(),
        village_code: code.to_string(),
        village_name: village.region.title(),
        count,
        query: query.chars().take(100).collect(),
        searched: query.trim().chars().count() >= 3,
        results,
        report,
        problems,
    })
}

async fn register(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Query(q): Query<SearchQuery>,
) -> Result<RegisterPage, WebError> {
    register_page(&state, &staff, &code, &q.q, String::new(), Vec::new()).await
}

async fn import(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    form: UploadForm,
) -> Result<Response, WebError> {
    let actor = Actor::Staff(staff.user.clone());
    let Some(file) = form.files.into_iter().find(|f| f.requirement == "berkas" && !f.bytes.is_empty()) else {
        let page =
            register_page(&state, &staff, &code, "", "Pilih berkas CSV atau XLSX dulu.".into(), Vec::new()).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    match state.app.import_penduduk(&actor, &code, &file.file_name, &file.bytes).await {
        Ok(r) => {
            let report = format!(
                "Impor selesai: {} baris dibaca, {} penduduk baru, {} diperbarui.",
                r.rows_read, r.inserted, r.updated
            );
            Ok(register_page(&state, &staff, &code, "", report, Vec::new()).await?.into_response())
        }
        Err(e @ AppError::ImportRejected(..)) => {
            let message = e.user_message();
            let AppError::ImportRejected(_, problems) = e else { unreachable!("matched above") };
            let page =
                register_page(&state, &staff, &code, "", message, problems.into_iter().take(200).collect()).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
