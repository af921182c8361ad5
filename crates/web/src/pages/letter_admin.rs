//! The village's letter settings and catalogue, for its staff: numbering, paper, its own template
//! (with a preview PDF), and each letter type's availability, standar pelayanan and body.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use balai_app::letters::{LetterSettingsInput, LetterType, LetterTypeInput};
use balai_app::{Actor, AppError, FieldError};
use balai_domain::layanan::{PublicService, StandarInput};
use balai_domain::surat::catalogue_text;
use balai_domain::surat::numbering::CounterScope;
use serde::Deserialize;

use crate::extract::{Form, Layout, Staff};
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staf/desa/{code}/surat/pengaturan", get(settings).post(save_settings))
        .route("/staf/desa/{code}/surat/pratinjau.pdf", get(preview))
        .route("/staf/desa/{code}/surat/jenis/{slug}", get(letter_type).post(save_letter_type))
        .route("/staf/desa/{code}/layanan/{service}", get(service_standard).post(save_service_standard))
}

fn error_of(errors: &[FieldError], name: &str) -> String {
    errors.iter().filter(|e| e.field == name).map(|e| e.message.as_str()).collect::<Vec<_>>().join(" ")
}

#[derive(Template, WebTemplate)]
#[template(path = "staff_letter_settings.html")]
struct SettingsPage {
    layout: Layout,
    errors: Vec<FieldError>,
    message: &'static str,
    village_code: String,
    number_format: String,
    counter_scope: String,
    paper: String,
    template: String,
    scopes: Vec<(&'static str, &'static str)>,
    types: Vec<LetterType>,
}

impl SettingsPage {
    fn error(&self, name: &str) -> String {
        error_of(&self.errors, name)
    }
}

#[derive(Deserialize, Default)]
struct MessageQuery {
    #[serde(default)]
    pesan: String,
}

async fn settings_page(
    state: &AppState,
    staff: &Staff,
    code: &str,
    typed: Option<LetterSettingsInput>,
    errors: Vec<FieldError>,
    message: &'static str,
) -> Result<SettingsPage, WebError> {
    let (settings, types) = state.app.letter_admin(&Actor::Staff(staff.user.clone()), code).await?;
    let typed = typed.unwrap_or(LetterSettingsInput {
        number_format: settings.number_format,
        counter_scope: settings.counter_scope,
        paper: settings.paper,
        template: settings.template.unwrap_or_default(),
    });
    Ok(SettingsPage {
        layout: staff.visitor.layout(),
        errors,
        message,
        village_code: code.to_string(),
        number_format: typed.number_format,
        counter_scope: typed.counter_scope,
        paper: typed.paper,
        template: typed.template,
        scopes: CounterScope::ALL.iter().map(|s| (s.as_str(), s.label())).collect(),
        types,
    })
}

async fn settings(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Query(q): Query<MessageQuery>,
) -> Result<SettingsPage, WebError> {
    let message = match q.pesan.as_str() {
        "tersimpan" => "Pengaturan tersimpan.",
        _ => "",
    };
    settings_page(&state, &staff, &code, None, Vec::new(), message).await
}

#[derive(Deserialize)]
struct SettingsForm {
    #[serde(default)]
    number_format: String,
    #[serde(default)]
    counter_scope: String,
    #[serde(default)]
    paper: String,
    #[serde(default)]
    template: String,
}

async fn save_settings(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Form(form): Form<SettingsForm>,
) -> Result<Response, WebError> {
    let input = LetterSettingsInput {
        number_format: form.number_format,
        counter_scope: form.counter_scope,
        paper: form.paper,
        template: form.template,
    };
    match state.app.save_letter_settings(&Actor::Staff(staff.user.clone()), &code, input.clone()).await {
        Ok(()) => Ok(Redirect::to(&format!("/staf/desa/{code}/surat/pengaturan?pesan=tersimpan")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = settings_page(&state, &staff, &code, Some(input), errors, "").await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn preview(State(state): State<AppState>, staff: Staff, Path(code): Path<String>) -> Result<Response, WebError> {
    let pdf = state.app.letter_preview(&Actor::Staff(staff.user.clone()), &code).await?;
    Ok(([(header::CONTENT_TYPE, "application/pdf")], pdf).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "staff_letter_type.html")]
struct TypePage {
    layout: Layout,
    errors: Vec<FieldError>,
    village_code: String,
    slug: String,
    form: BTreeMap<String, String>,
    active: bool,
    online: bool,
    /// The placeholders the body may use.
    placeholders: Vec<String>,
}

impl TypePage {
    fn value(&self, name: &str) -> String {
        self.form.get(name).cloned().unwrap_or_default()
    }
    fn error(&self, name: &str) -> String {
        error_of(&self.errors, name)
    }
}

async fn type_page(
    state: &AppState,
    staff: &Staff,
    code: &str,
    slug: &str,
    typed: Option<(BTreeMap<String, String>, bool, bool)>,
    errors: Vec<FieldError>,
) -> Result<TypePage, WebError> {
    let (settings, types) = state.app.letter_admin(&Actor::Staff(staff.user.clone()), code).await?;
    let _ = settings;
    let t = types.into_iter().find(|t| t.spec.slug == slug).ok_or(AppError::NotFound)?;
    let (form, active, online) = typed.unwrap_or_else(|| {
        let s = &t.spec;
        let form = BTreeMap::from([
            ("name".to_string(), s.name.clone()),
            ("jangka_waktu_hari".to_string(), s.standar.jangka_waktu_hari.to_string()),
            ("biaya".to_string(), s.standar.biaya.clone()),
            ("persyaratan".to_string(), s.standar.persyaratan.join("\n")),
            ("prosedur".to_string(), s.standar.prosedur.join("\n")),
            ("body".to_string(), s.body.join("\n")),
            ("validity_days".to_string(), s.validity_days.map(|d| d.to_string()).unwrap_or_default()),
            ("number_format".to_string(), t.number_format.clone().unwrap_or_default()),
            ("fields".to_string(), catalogue_text::fields_to_lines(&s.fields)),
            ("attachments".to_string(), catalogue_text::attachments_to_lines(&s.attachments)),
        ]);
        (form, t.active, s.online)
    });
    let mut placeholders: Vec<String> =
        ["nama", "desa", "kecamatan", "kabupaten"].iter().map(|s| s.to_string()).collect();
    placeholders.extend(t.spec.fields.iter().filter(|f| f.required).map(|f| f.name.clone()));
    Ok(TypePage {
        layout: staff.visitor.layout(),
        errors,
        village_code: code.to_string(),
        slug: slug.to_string(),
        form,
        active,
        online,
        placeholders,
    })
}

async fn letter_type(
    State(state): State<AppState>,
    staff: Staff,
    Path((code, slug)): Path<(String, String)>,
) -> Result<TypePage, WebError> {
    type_page(&state, &staff, &code, &slug, None, Vec::new()).await
}

async fn save_letter_type(
    State(state): State<AppState>,
    staff: Staff,
    Path((code, slug)): Path<(String, String)>,
    Form(mut form): Form<BTreeMap<String, String>>,
) -> Result<Response, WebError> {
    form.remove("csrf");
    let active = form.remove("active").is_some();
    let online = form.remove("online").is_some();
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let input = LetterTypeInput {
        name: get("name"),
        active,
        online,
        jangka_waktu_hari: get("jangka_waktu_hari"),
        biaya: get("biaya"),
        persyaratan: get("persyaratan"),
        prosedur: get("prosedur"),
        body: get("body"),
        validity_days: get("validity_days"),
        number_format: get("number_format"),
        fields: get("fields"),
        attachments: get("attachments"),
    };
    match state.app.update_letter_type(&Actor::Staff(staff.user.clone()), &code, &slug, input).await {
        Ok(()) => Ok(Redirect::to(&format!("/staf/desa/{code}/surat/pengaturan?pesan=tersimpan")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = type_page(&state, &staff, &code, &slug, Some((form, active, online)), errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "staff_service_standard.html")]
struct ServiceStandardPage {
    layout: Layout,
    errors: Vec<FieldError>,
    village_code: String,
    service: PublicService,
    form: BTreeMap<String, String>,
}

impl ServiceStandardPage {
    fn value(&self, name: &str) -> String {
        self.form.get(name).cloned().unwrap_or_default()
    }
    fn error(&self, name: &str) -> String {
        error_of(&self.errors, name)
    }
}

async fn service_standard_page(
    state: &AppState,
    staff: &Staff,
    code: &str,
    service: &str,
    typed: Option<BTreeMap<String, String>>,
    errors: Vec<FieldError>,
) -> Result<ServiceStandardPage, WebError> {
    let actor = Actor::Staff(staff.user.clone());
    // The same right as the letter catalogue's: staff who may not edit it get NotFound.
    state.app.letter_admin(&actor, code).await?;
    let service: PublicService = service.parse().map_err(|_| AppError::NotFound)?;
    let village = balai_domain::wilayah::KodeWilayah::parse(code).map_err(|_| AppError::NotFound)?;
    let form = match typed {
        Some(form) => form,
        None => {
            let all = state.app.service_standards(&village).await?;
            let s = all.into_iter().find(|s| s.service == service).ok_or(AppError::NotFound)?.standar;
            BTreeMap::from([
                ("persyaratan".to_string(), s.persyaratan.join("\n")),
                ("prosedur".to_string(), s.prosedur.join("\n")),
                ("biaya".to_string(), s.biaya),
                ("produk".to_string(), s.produk),
                ("pengaduan".to_string(), s.pengaduan),
            ])
        }
    };
    Ok(ServiceStandardPage { layout: staff.visitor.layout(), errors, village_code: code.to_string(), service, form })
}

async fn service_standard(
    State(state): State<AppState>,
    staff: Staff,
    Path((code, service)): Path<(String, String)>,
) -> Result<ServiceStandardPage, WebError> {
    service_standard_page(&state, &staff, &code, &service, None, Vec::new()).await
}

async fn save_service_standard(
    State(state): State<AppState>,
    staff: Staff,
    Path((code, service)): Path<(String, String)>,
    Form(mut form): Form<BTreeMap<String, String>>,
) -> Result<Response, WebError> {
    form.remove("csrf");
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let input = StandarInput {
        persyaratan: get("persyaratan"),
        prosedur: get("prosedur"),
        biaya: get("biaya"),
        produk: get("produk"),
        pengaduan: get("pengaduan"),
    };
    match state.app.update_service_standard(&Actor::Staff(staff.user.clone()), &code, &service, &input).await {
        Ok(()) => Ok(Redirect::to(&format!("/desa/{code}/layanan#{service}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = service_standard_page(&state, &staff, &code, &service, Some(form), errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
