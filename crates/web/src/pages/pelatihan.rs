//! The capability programme's staff pages: a region's sessions and each village's coverage
//! (`/staf/pelatihan/{region}`), one session with its attendance per village
//! (`/staf/pelatihan/sesi/{id}`), and a village's aparatur and outputs
//! (`/staf/pelatihan/desa/{village}`).

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use balai_app::training::{SessionInput, SessionPage, TrainingOverview, VillageCapability};
use balai_app::{AppError, FieldError};
use balai_domain::calendar::format_tanggal;
use balai_domain::kinerja::format_percent;
use balai_domain::pelatihan::{MODULES, Module, POSITIONS};
use serde::Deserialize;

use super::warga::field_error;
use crate::extract::{Form, Layout, Staff};
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staf/pelatihan/{code}", get(overview).post(create_session))
        .route("/staf/pelatihan/sesi/{id}", get(session).post(attendance))
        .route("/staf/pelatihan/desa/{code}", get(village).post(village_change))
}

fn actor(staff: &Staff) -> balai_app::Actor {
    balai_app::Actor::Staff(staff.user.clone())
}

fn module_label(code: &str) -> &'static str {
    MODULES.iter().find(|m| m.code == code).map_or("", |m| m.label)
}

#[derive(Template, WebTemplate)]
#[template(path = "pelatihan.html")]
struct OverviewPage {
    layout: Layout,
    o: TrainingOverview,
    errors: Vec<FieldError>,
    v: SessionInput,
    modules: &'static [Module],
}

impl OverviewPage {
    fn error(&self, name: impl AsRef<str>) -> String {
        field_error(&self.errors, name.as_ref())
    }

    fn day(&self, d: &chrono::NaiveDate) -> String {
        format_tanggal(*d)
    }

    fn module(&self, code: &str) -> &'static str {
        module_label(code)
    }

    fn pct(&self, percent: Option<f64>) -> String {
        format_percent(percent)
    }
}

async fn overview_page(
    state: &AppState,
    staff: &Staff,
    code: &str,
    v: SessionInput,
    errors: Vec<FieldError>,
) -> Result<OverviewPage, WebError> {
    let o = state.app.training_overview(&actor(staff), code).await?;
    Ok(OverviewPage { layout: staff.visitor.layout(), o, errors, v, modules: &MODULES })
}

async fn overview(State(state): State<AppState>, staff: Staff, Path(code): Path<String>) -> Result<Response, WebError> {
    // A village's own page is its aparatur and outputs.
    if balai_domain::wilayah::KodeWilayah::parse(&code).is_ok_and(|c| c.level().is_village()) {
        return Ok(Redirect::to(&format!("/staf/pelatihan/desa/{code}")).into_response());
    }
    let v = SessionInput { held_on: state.app.today().to_string(), ..SessionInput::default() };
    Ok(overview_page(&state, &staff, &code, v, Vec::new()).await?.into_response())
}

#[derive(Deserialize, Default)]
struct SessionForm {
    #[serde(default)]
    module: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    place: String,
}

async fn create_session(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Form(form): Form<SessionForm>,
) -> Result<Response, WebError> {
    let input = SessionInput { module: form.module, title: form.title, held_on: form.held_on, place: form.place };
    match state.app.create_training_session(&actor(&staff), &code, &input).await {
        Ok(id) => Ok(Redirect::to(&format!("/staf/pelatihan/sesi/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = overview_page(&state, &staff, &code, input, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "pelatihan_sesi.html")]
struct SessionView {
    layout: Layout,
    s: SessionPage,
    errors: Vec<FieldError>,
    saved: bool,
}

impl SessionView {
    fn day(&self) -> String {
        format_tanggal(self.s.session.held_on)
    }
}

#[derive(Deserialize, Default)]
struct SessionQuery {
    #[serde(default)]
    desa: String,
    #[serde(default)]
    tersimpan: Option<String>,
}

fn session_id(id: &str) -> Result<i64, WebError> {
    id.parse().map_err(|_| AppError::NotFound.into())
}

async fn session(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Query(q): Query<SessionQuery>,
) -> Result<SessionView, WebError> {
    let picked = Some(q.desa.trim()).filter(|d| !d.is_empty());
    let s = state.app.training_session_page(&actor(&staff), session_id(&id)?, picked).await?;
    Ok(SessionView { layout: staff.visitor.layout(), s, errors: Vec::new(), saved: q.tersimpan.is_some() })
}

async fn attendance(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id = session_id(&id)?;
    let village = fields.iter().find(|(k, _)| k == "desa").map(|(_, v)| v.clone()).unwrap_or_default();
    let present: Vec<String> = fields.iter().filter(|(k, _)| k == "hadir").map(|(_, v)| v.clone()).collect();
    match state.app.record_attendance(&actor(&staff), id, &village, &present).await {
        Ok(()) => Ok(Redirect::to(&format!("/staf/pelatihan/sesi/{id}?desa={village}&tersimpan=1")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let picked = Some(village.as_str()).filter(|_| errors.iter().all(|e| e.field != "desa"));
            let s = state.app.training_session_page(&actor(&staff), id, picked).await?;
            let page = SessionView { layout: staff.visitor.layout(), s, errors, saved: false };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "pelatihan_desa.html")]
struct VillagePage {
    layout: Layout,
    c: VillageCapability,
    errors: Vec<FieldError>,
    name: String,
    position: String,
    positions: &'static [&'static str],
    today: String,
}

impl VillagePage {
    fn error(&self, name: impl AsRef<str>) -> String {
        field_error(&self.errors, name.as_ref())
    }

    fn day(&self, d: &chrono::NaiveDate) -> String {
        format_tanggal(*d)
    }

    fn pct(&self) -> String {
        format_percent(self.c.coverage.percent())
    }

    fn outputs_done(&self) -> usize {
        self.c.outputs.iter().filter(|o| o.1.is_some()).count()
    }

    fn date_field(&self, output: &str) -> String {
        format!("tanggal-{output}")
    }
}

async fn village_page(
    state: &AppState,
    staff: &Staff,
    code: &str,
    typed: (String, String),
    errors: Vec<FieldError>,
) -> Result<VillagePage, WebError> {
    let c = state.app.village_capability(&actor(staff), code).await?;
    Ok(VillagePage {
        layout: staff.visitor.layout(),
        c,
        errors,
        name: typed.0,
        position: typed.1,
        positions: &POSITIONS,
        today: state.app.today().to_string(),
    })
}

async fn village(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
) -> Result<VillagePage, WebError> {
    village_page(&state, &staff, &code, Default::default(), Vec::new()).await
}

#[derive(Deserialize, Default)]
struct VillageForm {
    #[serde(default)]
    aksi: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    position: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    output: String,
    #[serde(default)]
    done_on: String,
    #[serde(default)]
    note: String,
}

async fn village_change(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Form(form): Form<VillageForm>,
) -> Result<Response, WebError> {
    let a = actor(&staff);
    let id = || form.id.trim().parse::<i64>().map_err(|_| AppError::NotFound);
    let result = match form.aksi.as_str() {
        "tambah" => state.app.add_aparatur(&a, &code, &form.name, &form.position).await.map(|_| ()),
        "nonaktif" => state.app.set_aparatur_active(&a, &code, id()?, false).await,
        "aktif" => state.app.set_aparatur_active(&a, &code, id()?, true).await,
        "keluaran" => state.app.set_village_output(&a, &code, &form.output, Some((&form.done_on, &form.note))).await,
        "hapus-keluaran" => state.app.set_village_output(&a, &code, &form.output, None).await,
        _ => Err(AppError::invalid("aksi", "Perintah tidak dikenal.")),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/staf/pelatihan/desa/{code}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = village_page(&state, &staff, &code, (form.name, form.position), errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
