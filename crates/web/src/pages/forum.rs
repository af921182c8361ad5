//! The OPD coordination forum pack (`/staf/forum/{slug}`): one office's figures against the
//! previous period and its overdue and late reports, as a page, a PDF and an XLSX.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use balai_app::AppError;
use balai_app::forum::{ForumPack, forum_code, forum_title};
use balai_app::ppid::ReportFormat;
use balai_domain::calendar::format_tanggal;
use balai_domain::ikm::Periode;
use balai_store::reports::Report;
use chrono::Datelike;
use serde::Deserialize;

use super::warga::download;
use crate::extract::{Layout, Staff};
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new().route("/staf/forum/{slug}", get(pack))
}

#[derive(Deserialize, Default)]
struct PackQuery {
    #[serde(default)]
    periode: String,
    #[serde(default)]
    format: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "forum.html")]
struct PackPage {
    layout: Layout,
    p: ForumPack,
    periods: Vec<(String, String)>,
}

impl PackPage {
    fn code(&self, r: &Report) -> String {
        forum_code(r)
    }

    fn title(&self, r: &Report) -> String {
        forum_title(r)
    }

    fn day(&self, d: &Option<chrono::NaiveDate>) -> String {
        d.map_or_else(|| "—".into(), format_tanggal)
    }
}

async fn pack(
    State(state): State<AppState>,
    staff: Staff,
    Path(slug): Path<String>,
    Query(q): Query<PackQuery>,
) -> Result<Response, WebError> {
    let today = state.app.today();
    let periode = if q.periode.trim().is_empty() {
        Periode::Triwulan(today.year(), (today.month0() / 3 + 1) as u8)
    } else {
        Periode::parse(q.periode.trim()).map_err(|m| AppError::invalid("periode", m))?
    };
    let actor = balai_app::Actor::Staff(staff.user.clone());
    let format = match q.format.as_str() {
        "" => None,
        "pdf" => Some(ReportFormat::Pdf),
        "xlsx" => Some(ReportFormat::Xlsx),
        _ => return Err(AppError::invalid("format", "Format yang dikenal: pdf atau xlsx.").into()),
    };
    if let Some(format) = format {
        let (name, content_type, bytes) = state.app.forum_file(&actor, &slug, periode, format).await?;
        return Ok(download(content_type, &name, bytes));
    }
    let p = state.app.forum_pack(&actor, &slug, periode).await?;
    let mut periods = Vec::new();
    for year in [today.year(), today.year() - 1] {
        periods.extend(Periode::of_year(year).into_iter().map(|p| (p.as_param(), p.label())));
    }
    Ok(PackPage { layout: staff.visitor.layout(), p, periods }.into_response())
}
