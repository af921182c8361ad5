//! The satisfaction survey (SKM): the form behind a completed service's link, the walk-in form
//! behind a counter's QR, the thank-you page, and the public results (IKM) of a village or region
//! with their PDF and XLSX.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use balai_app::survey::{IkmResults, SurveyAnswers, SurveyInvitation};
use balai_app::{AppError, FieldError};
use balai_domain::ikm::{Periode, Unsur, Weights};
use balai_domain::wilayah::Region;
use serde::Deserialize;

use super::warga::{download, field_error};
use crate::extract::{ClientIp, Form, Layout, Visitor};
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/survei/loket/{village}", get(walk_in_form).post(walk_in_answer))
        .route("/survei/terima-kasih", get(thanks))
        .route("/survei/{source}/{service}/{token}", get(link_form).post(link_answer))
        .route("/wilayah/{code}/ikm", get(results))
}

/// One question of the form, with the answer kept when the form comes back with errors.
struct Question {
    unsur: Unsur,
    name: String,
    options: [&'static str; 4],
    chosen: String,
    error: String,
}

fn questions(v: &BTreeMap<String, String>, errors: &[FieldError]) -> Vec<Question> {
    Unsur::ALL
        .into_iter()
        .map(|u| {
            let name = u.code().to_lowercase();
            Question {
                unsur: u,
                options: u.options(),
                chosen: v.get(&name).cloned().unwrap_or_default(),
                error: field_error(errors, &name),
                name,
            }
        })
        .collect()
}

fn answers_of(v: &BTreeMap<String, String>) -> SurveyAnswers {
    SurveyAnswers {
        answers: Unsur::ALL
            .into_iter()
            .map(|u| (u, v.get(&u.code().to_lowercase()).cloned().unwrap_or_default()))
            .collect(),
        service_type: v.get("layanan").cloned().unwrap_or_default(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "survei_form.html")]
struct SurveyPage {
    layout: Layout,
    errors: Vec<FieldError>,
    village: Region,
    /// What the survey is about ("Surat Keterangan Tidak Mampu"); empty for walk-in.
    service: String,
    action: String,
    questions: Vec<Question>,
    /// Walk-in only: services to pick from, the chosen one, the form's key.
    services: Vec<(String, String)>,
    chosen_service: String,
    visit: String,
    valid_until: String,
}

impl SurveyPage {
    fn service_error(&self) -> String {
        field_error(&self.errors, "layanan")
    }
}

fn link_page(
    visitor: &Visitor,
    inv: SurveyInvitation,
    v: &BTreeMap<String, String>,
    errors: Vec<FieldError>,
) -> SurveyPage {
    SurveyPage {
        layout: visitor.layout(),
        action: format!("/survei/{}/{}/{}", inv.source.as_str(), inv.service_ref, inv.token),
        questions: questions(v, &errors),
        errors,
        village: inv.village,
        service: inv.service_label,
        services: Vec::new(),
        chosen_service: String::new(),
        visit: String::new(),
        valid_until: balai_domain::calendar::format_tanggal(inv.valid_until),
    }
}

/// A link that is not this installation's: said plainly, without telling what would be valid.
fn unknown_link(e: AppError) -> Response {
    match e {
        AppError::NotFound => crate::error::error_page(
            StatusCode::NOT_FOUND,
            "Tautan survei tidak dikenal",
            "Tautan ini bukan tautan survei yang kami kirim, atau terpotong. Buka kembali tautan lengkap dari pesan \
             yang Anda terima setelah layanan selesai.",
        ),
        other => WebError::from(other).into_response(),
    }
}

async fn link_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((source, service, token)): Path<(String, String, String)>,
) -> Response {
    match state.app.survey_invitation(&source, &service, &token).await {
        Ok(inv) => link_page(&visitor, inv, &BTreeMap::new(), Vec::new()).into_response(),
        Err(e) => unknown_link(e),
    }
}

async fn link_answer(
    State(state): State<AppState>,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    Path((source, service, token)): Path<(String, String, String)>,
    Form(v): Form<BTreeMap<String, String>>,
) -> Response {
    let actor = visitor.actor(&ip);
    match state.app.answer_survey(&actor, &source, &service, &token, &answers_of(&v)).await {
        Ok(()) => Redirect::to("/survei/terima-kasih").into_response(),
        Err(AppError::Invalid(errors)) => match state.app.survey_invitation(&source, &service, &token).await {
            Ok(inv) => (StatusCode::UNPROCESSABLE_ENTITY, link_page(&visitor, inv, &v, errors)).into_response(),
            Err(e) => unknown_link(e),
        },
        Err(e) => unknown_link(e),
    }
}

async fn walk_in_page(
    state: &AppState,
    visitor: &Visitor,
    village: &str,
    v: &BTreeMap<String, String>,
    errors: Vec<FieldError>,
) -> Result<SurveyPage, WebError> {
    let form = state.app.walk_in_survey(village).await?;
    Ok(SurveyPage {
        layout: visitor.layout(),
        action: format!("/survei/loket/{}", form.village.code),
        questions: questions(v, &errors),
        errors,
        village: form.village,
        service: String::new(),
        services: form.services,
        chosen_service: v.get("layanan").cloned().unwrap_or_default(),
        visit: form.visit,
        valid_until: String::new(),
    })
}

async fn walk_in_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(village): Path<String>,
) -> Result<SurveyPage, WebError> {
    walk_in_page(&state, &visitor, &village, &BTreeMap::new(), Vec::new()).await
}

async fn walk_in_answer(
    State(state): State<AppState>,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    Path(village): Path<String>,
    Form(v): Form<BTreeMap<String, String>>,
) -> Result<Response, WebError> {
    let actor = visitor.actor(&ip);
    let visit = v.get("kunjungan").cloned().unwrap_or_default();
    match state.app.answer_walk_in_survey(&actor, &village, &visit, &answers_of(&v)).await {
        Ok(()) => Ok(Redirect::to(&format!("/survei/terima-kasih?desa={village}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = walk_in_page(&state, &visitor, &village, &v, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "survei_terima_kasih.html")]
struct ThanksPage {
    layout: Layout,
    /// The counter's form again, for the next visitor at a shared tablet.
    walk_in: String,
}

#[derive(Deserialize, Default)]
struct ThanksQuery {
    #[serde(default)]
    desa: String,
}

async fn thanks(visitor: Visitor, Query(q): Query<ThanksQuery>) -> ThanksPage {
    let walk_in = balai_domain::wilayah::KodeWilayah::parse(&q.desa)
        .map(|c| format!("/survei/loket/{}", c.as_str()))
        .unwrap_or_default();
    ThanksPage { layout: visitor.layout(), walk_in }
}

#[derive(Template, WebTemplate)]
#[template(path = "ikm.html")]
struct ResultsPage {
    layout: Layout,
    r: IkmResults,
    ancestors: Vec<Region>,
    periods: Vec<(String, String)>,
    /// The query for this view (period and weights), for the download links.
    query: String,
    weights: &'static str,
}

impl ResultsPage {
    fn home(&self) -> String {
        let code = &self.r.region.code;
        if self.r.region.level.is_village() { format!("/desa/{code}") } else { format!("/wilayah/{code}") }
    }

    fn nrr(&self, value: &Option<f64>) -> String {
        value.map_or_else(|| "—".into(), |v| format!("{v:.2}").replace('.', ","))
    }

    /// The grade's class for its colour (`grade-a` …).
    fn grade_class(&self, line: &balai_app::survey::IkmLine) -> String {
        line.grade().map_or("grade-none".into(), |g| format!("grade-{}", g.letter().to_lowercase()))
    }

    /// The length of an NRR's bar (4 is 260 units) in the inline chart.
    fn bar(&self, value: &Option<f64>) -> String {
        format!("{:.1}", value.unwrap_or(0.0) / 4.0 * 260.0)
    }
}

#[derive(Deserialize, Default)]
struct ResultsQuery {
    #[serde(default)]
    periode: String,
    #[serde(default)]
    bobot: String,
    #[serde(default)]
    format: String,
}

async fn results(
    State(state): State<AppState>,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    Path(code): Path<String>,
    Query(q): Query<ResultsQuery>,
) -> Result<Response, WebError> {
    let this_year: i32 = state.app.today().format("%Y").to_string().parse().unwrap_or(2026);
    let periode = if q.periode.is_empty() {
        Periode::Tahun(this_year)
    } else {
        Periode::parse(&q.periode).map_err(|m| AppError::invalid("periode", m))?
    };
    let (weights, weights_param) = match q.bobot.as_str() {
        "" | "tepat" => (Weights::Exact, "tepat"),
        "0.11" => (Weights::Rounded011, "0.11"),
        "0.111" => (Weights::Rounded0111, "0.111"),
        _ => return Err(AppError::invalid("bobot", "Bobot yang dikenal: tepat (1/9), 0.11 atau 0.111.").into()),
    };
    let format = match q.format.as_str() {
        "" => None,
        "pdf" => Some(balai_app::ppid::ReportFormat::Pdf),
        "xlsx" => Some(balai_app::ppid::ReportFormat::Xlsx),
        _ => return Err(AppError::invalid("format", "Format yang dikenal: pdf atau xlsx.").into()),
    };
    if let Some(format) = format {
        // Typesetting a PDF costs the server far more than a page: for signed-in staff only.
        if format == balai_app::ppid::ReportFormat::Pdf && visitor.user.is_none() {
            return Err(AppError::Unauthenticated.into());
        }
        let actor = visitor.actor(&ip);
        let (name, content_type, bytes) = state.app.ikm_file(&actor, &code, periode, weights, format).await?;
        return Ok(download(content_type, &name, bytes));
    }
    let r = state.app.ikm_results(&code, periode, weights).await?;
    let mut ancestors = state.app.store().region_with_ancestors(&r.region.code).await.map_err(AppError::from)?;
    ancestors.pop();
    let mut periods: Vec<(String, String)> = Vec::new();
    for year in [this_year, this_year - 1] {
        periods.extend(Periode::of_year(year).into_iter().map(|p| (p.as_param(), p.label())));
    }
    let query = format!("periode={}&bobot={weights_param}", periode.as_param());
    Ok(ResultsPage { layout: visitor.layout(), r, ancestors, periods, query, weights: weights_param }.into_response())
}
