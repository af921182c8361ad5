//! Staff export of reports as CSV and XLSX: a small form with the filters (a GET form, so the
//! filtered export has a URL to bookmark) that, once a format is chosen, answers with the file.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use balai_app::reports::{ReportExport, ReportExportFilter};
use balai_app::{Actor, AppError, FieldError};
use balai_domain::lapor::ReportState;
use serde::Deserialize;

use crate::extract::{Layout, Staff};
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new().route("/staf/lapor/ekspor", get(export))
}

/// The form's fields as the query string carries them.
#[derive(Deserialize, Default)]
struct ExportQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    office: String,
    #[serde(default)]
    village: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    format: String,
}

/// (value, label, selected)
type Choice = (String, String, bool);

#[derive(Template, WebTemplate)]
#[template(path = "staff_lapor_ekspor.html")]
struct ExportPage {
    layout: Layout,
    errors: Vec<FieldError>,
    from: String,
    until: String,
    village: String,
    offices: Vec<Choice>,
    states: Vec<Choice>,
    xlsx: bool,
    /// The message beside each field: from, until, office, village, state, format.
    field_errors: FieldErrors,
}

#[derive(Default)]
struct FieldErrors {
    from: String,
    until: String,
    office: String,
    village: String,
    state: String,
    format: String,
}

impl FieldErrors {
    fn of(errors: &[FieldError]) -> FieldErrors {
        let join = |field: &str| {
            errors.iter().filter(|e| e.field == field).map(|e| e.message.as_str()).collect::<Vec<_>>().join(" ")
        };
        FieldErrors {
            from: join("from"),
            until: join("until"),
            office: join("office"),
            village: join("village"),
            state: join("state"),
            format: join("format"),
        }
    }
}

async fn export(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<ExportQuery>,
) -> Result<Response, WebError> {
    if q.format.trim().is_empty() {
        return Ok(page(&state, &staff, &q, Vec::new()).await?.into_response());
    }
    let actor = Actor::Staff(staff.user.clone());
    let result = match ReportExportFilter::from_form(&q.from, &q.until, &q.office, &q.village, &q.state, &q.format) {
        Ok(filter) => state.app.export_reports(&actor, filter).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(file) => Ok(download(file)),
        Err(AppError::Invalid(errors)) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&state, &staff, &q, errors).await?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn page(
    state: &AppState,
    staff: &Staff,
    q: &ExportQuery,
    errors: Vec<FieldError>,
) -> Result<ExportPage, WebError> {
    let offices = state
        .app
        .offices()
        .await?
        .into_iter()
        .map(|o| {
            let selected = o.slug == q.office.trim();
            (o.slug, o.name, selected)
        })
        .collect();
    let states = ReportState::ALL
        .iter()
        .map(|s| (s.as_str().to_string(), s.label().to_string(), s.as_str() == q.state.trim()))
        .collect();
    let short = |s: &str| s.trim().chars().take(40).collect::<String>();
    Ok(ExportPage {
        layout: staff.visitor.layout(),
        field_errors: FieldErrors::of(&errors),
        errors,
        from: short(&q.from),
        until: short(&q.until),
        village: short(&q.village),
        offices,
        states,
        xlsx: q.format.trim().eq_ignore_ascii_case("xlsx"),
    })
}

/// The file, saved rather than shown by the browser.
fn download(file: ReportExport) -> Response {
    let ascii: String = file
        .file_name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' })
        .collect();
    (
        [
            (header::CONTENT_TYPE, file.content_type.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{ascii}\"")),
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'; sandbox".to_string()),
        ],
        file.bytes,
    )
        .into_response()
}
