//! The pendamping's pages (kader digital): their assisted filings, and one form per kind of
//! filing (a letter request with its documents, a report, an information request), each with
//! the resident's NIK, consent and contact.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use balai_app::assist::{AssistInput, AssistedFiling};
use balai_app::ppid::InfoRequestInput;
use balai_app::reports::NewReportInput;
use balai_app::{Actor, AppError, FieldError};
use balai_domain::lapor::ReportKind;
use balai_domain::pendampingan::ConsentMethod;
use balai_domain::ppid::{DeliveryMethod, ObtainMethod};
use balai_domain::roles::{Permission, Target};
use balai_domain::wilayah::KodeWilayah;
use balai_store::reports::ReportCategory;
use serde::Deserialize;

use super::warga::{UPLOAD_BODY_LIMIT, field_error};
use super::{FileInput, InputField, file_inputs, input_fields};
use crate::extract::{Form, Layout, Staff, UploadForm};
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    let uploads = Router::new()
        .route("/staf/desa/{code}/pendamping/surat", get(letter_form).post(file_letter))
        .layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT));
    Router::new()
        .merge(uploads)
        .route("/staf/desa/{code}/pendamping", get(home))
        .route("/staf/desa/{code}/pendamping/laporan", get(report_form).post(file_report))
        .route("/staf/desa/{code}/pendamping/informasi", get(info_form).post(file_info))
}

/// The form fields of the assistance part, read from any of the three forms.
const ASSIST_FIELDS: [&str; 6] = ["nik", "persetujuan", "cara_persetujuan", "saksi", "email", "phone"];

fn assist_input(v: &BTreeMap<String, String>) -> AssistInput {
    let f = |name: &str| v.get(name).cloned().unwrap_or_default();
    AssistInput {
        nik: f("nik"),
        consent_confirmed: v.get("persetujuan").is_some_and(|x| x == "ya"),
        consent_method: f("cara_persetujuan"),
        witness: f("saksi"),
        email: f("email"),
        phone: f("phone"),
    }
}

// ---- the list ----

#[derive(Template, WebTemplate)]
#[template(path = "staff_pendamping.html")]
struct HomePage {
    layout: Layout,
    village_code: String,
    village_name: String,
    done: String,
    /// (when, kind label, resident, consent, key, link)
    rows: Vec<(String, &'static str, String, String, String, String)>,
    letter_types: Vec<(String, String)>,
    may_file: bool,
}

#[derive(Deserialize, Default)]
struct HomeQuery {
    #[serde(default)]
    baru: String,
}

fn filing_row(
    filing: &AssistedFiling,
    actor: &Actor,
    offset: chrono::FixedOffset,
) -> (String, &'static str, String, String, String, String) {
    let a = &filing.assistance;
    let when = balai_domain::calendar::format_waktu(a.at, offset);
    let (label, key, link) = match filing.kind {
        "surat" => {
            let code = balai_app::letters::tracking_code(&filing.key);
            let staff_may_open = KodeWilayah::parse(&a.village_code)
                .is_ok_and(|k| actor.may(Permission::ProcessLetters, &Target::Wilayah(&k)));
            let link = if staff_may_open { format!("/staf/surat/{}", filing.key) } else { String::new() };
            ("Permohonan surat", code, link)
        }
        "laporan" => ("Laporan", filing.key.clone(), format!("/lapor/lacak/{}", filing.key)),
        _ => ("Permohonan informasi", filing.key.clone(), format!("/ppid/lacak/{}", filing.key)),
    };
    let consent = match a.consent_witness.as_str() {
        "" => a.consent_label().to_string(),
        witness => format!("{} ({witness})", a.consent_label()),
    };
    (when, label, a.resident_name.clone(), consent, key, link)
}

async fn home(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Query(q): Query<HomeQuery>,
) -> Result<HomePage, WebError> {
    let actor = Actor::Staff(staff.user.clone());
    let filings = state.app.assisted_filings(&actor, &code).await?;
    let village = state.app.village_view(&code).await?;
    let offset = state.app.config().utc_offset;
    let may_file =
        KodeWilayah::parse(&code).is_ok_and(|k| actor.may(Permission::AssistResidents, &Target::Wilayah(&k)));
    let letter_types = if may_file {
        state
            .app
            .assist_letter_catalogue(&actor, &code)
            .await?
            .into_iter()
            .map(|t| (t.spec.slug, t.spec.name))
            .collect()
    } else {
        Vec::new()
    };
    // The confirmation names the code the resident will be told (never anything else from the query).
    let done = filings
        .iter()
        .find(|f| !q.baru.is_empty() && f.key == q.baru)
        .map(|f| filing_row(f, &actor, offset).4)
        .unwrap_or_default();
    Ok(HomePage {
        layout: staff.visitor.layout(),
        village_name: village.region.name.clone(),
        village_code: code,
        done,
        rows: filings.iter().map(|f| filing_row(f, &actor, offset)).collect(),
        letter_types,
        may_file,
    })
}

// ---- the forms ----

#[derive(Template, WebTemplate)]
#[template(path = "staff_pendamping_form.html")]
struct FilingForm {
    layout: Layout,
    errors: Vec<FieldError>,
    village_code: String,
    /// `surat`, `laporan` or `informasi`.
    kind: &'static str,
    heading: String,
    action: String,
    v: BTreeMap<String, String>,
    methods: Vec<(&'static str, &'static str)>,
    // A letter request: the type's fields and documents.
    letter_slug: String,
    fields: Vec<InputField>,
    files: Vec<FileInput>,
    // A report.
    kinds: Vec<(&'static str, &'static str)>,
    categories: Vec<ReportCategory>,
    // An information request.
    obtain: Vec<(&'static str, &'static str)>,
    delivery: Vec<(&'static str, &'static str)>,
}

impl FilingForm {
    fn val(&self, name: &str) -> String {
        self.v.get(name).cloned().unwrap_or_default()
    }
    fn error(&self, name: &str) -> String {
        field_error(&self.errors, name)
    }

    fn new(
        staff: &Staff,
        code: &str,
        kind: &'static str,
        heading: String,
        v: BTreeMap<String, String>,
        errors: Vec<FieldError>,
    ) -> FilingForm {
        FilingForm {
            layout: staff.visitor.layout(),
            errors,
            village_code: code.to_string(),
            kind,
            action: format!("/staf/desa/{code}/pendamping/{kind}"),
            heading,
            v,
            methods: ConsentMethod::ALL.iter().map(|m| (m.as_str(), m.label())).collect(),
            letter_slug: String::new(),
            fields: Vec::new(),
            files: Vec::new(),
            kinds: Vec::new(),
            categories: Vec::new(),
            obtain: Vec::new(),
            delivery: Vec::new(),
        }
    }
}

#[derive(Deserialize, Default)]
struct LetterQuery {
    #[serde(default)]
    jenis: String,
}

async fn letter_page(
    state: &AppState,
    staff: &Staff,
    code: &str,
    slug: &str,
    v: BTreeMap<String, String>,
    errors: Vec<FieldError>,
) -> Result<FilingForm, WebError> {
    let actor = Actor::Staff(staff.user.clone());
    let catalogue = state.app.assist_letter_catalogue(&actor, code).await?;
    let letter_type = catalogue.into_iter().find(|t| t.spec.slug == slug).ok_or(AppError::NotFound)?;
    let mut page =
        FilingForm::new(staff, code, "surat", format!("Ajukan {} untuk warga", letter_type.spec.name), v, errors);
    page.action = format!("/staf/desa/{code}/pendamping/surat?jenis={slug}");
    page.fields = input_fields(&letter_type.spec, &page.v, &page.errors);
    page.files = file_inputs(&letter_type.spec, &page.errors, &[]);
    page.letter_slug = letter_type.spec.slug;
    Ok(page)
}

async fn letter_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Query(q): Query<LetterQuery>,
) -> Result<FilingForm, WebError> {
    letter_page(&state, &staff, &code, &q.jenis, BTreeMap::new(), Vec::new()).await
}

async fn file_letter(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Query(q): Query<LetterQuery>,
    form: UploadForm,
) -> Result<Response, WebError> {
    let actor = Actor::Staff(staff.user.clone());
    let assist = assist_input(&form.fields);
    let fields: BTreeMap<String, String> = form
        .fields
        .iter()
        .filter(|(k, _)| !ASSIST_FIELDS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    match state.app.assisted_letter_request(&actor, &code, &assist, &q.jenis, fields, form.files).await {
        Ok(request) => Ok(Redirect::to(&format!("/staf/desa/{code}/pendamping?baru={}", request.id)).into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = letter_page(&state, &staff, &code, &q.jenis, form.fields, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn report_page(
    state: &AppState,
    staff: &Staff,
    code: &str,
    v: BTreeMap<String, String>,
    errors: Vec<FieldError>,
) -> Result<FilingForm, WebError> {
    let mut page = FilingForm::new(staff, code, "laporan", "Sampaikan pengaduan atau aspirasi warga".into(), v, errors);
    // Information requests have their own form (with the PPID's clock).
    page.kinds = ReportKind::ALL
        .iter()
        .filter(|k| **k != ReportKind::PermintaanInformasi)
        .map(|k| (k.as_str(), k.label()))
        .collect();
    page.categories = state.app.report_categories().await?.into_iter().filter(|c| c.active).collect();
    Ok(page)
}

/// Only a pendamping of the village sees the forms (the use case checks again on submit).
fn require_pendamping(staff: &Staff, code: &str) -> Result<(), WebError> {
    let code = KodeWilayah::parse(code).map_err(|_| AppError::NotFound)?;
    Actor::Staff(staff.user.clone()).require(Permission::AssistResidents, &Target::Wilayah(&code))?;
    Ok(())
}

async fn report_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
) -> Result<FilingForm, WebError> {
    require_pendamping(&staff, &code)?;
    let mut v = BTreeMap::new();
    v.insert("kind".to_string(), "pengaduan".to_string());
    v.insert("idempotency_key".to_string(), super::lapor::new_form_key());
    report_page(&state, &staff, &code, v, Vec::new()).await
}

async fn file_report(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Form(v): Form<BTreeMap<String, String>>,
) -> Result<Response, WebError> {
    let actor = Actor::Staff(staff.user.clone());
    let f = |name: &str| v.get(name).cloned().unwrap_or_default();
    let input = NewReportInput {
        kind: f("kind"),
        category: f("category"),
        title: f("title"),
        description: f("description"),
        address: f("address"),
        idempotency_key: f("idempotency_key"),
        ..Default::default()
    };
    match state.app.assisted_report(&actor, &code, &assist_input(&v), input, Vec::new()).await {
        Ok(sent) => {
            Ok(Redirect::to(&format!("/staf/desa/{code}/pendamping?baru={}", sent.code.as_str())).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let page = report_page(&state, &staff, &code, v, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

fn info_page(staff: &Staff, code: &str, v: BTreeMap<String, String>, errors: Vec<FieldError>) -> FilingForm {
    let mut page = FilingForm::new(staff, code, "informasi", "Minta informasi publik untuk warga".into(), v, errors);
    page.obtain = ObtainMethod::ALL.iter().map(|m| (m.as_str(), m.label())).collect();
    page.delivery = DeliveryMethod::ALL.iter().map(|m| (m.as_str(), m.label())).collect();
    page
}

async fn info_form(staff: Staff, Path(code): Path<String>) -> Result<FilingForm, WebError> {
    require_pendamping(&staff, &code)?;
    let mut v = BTreeMap::new();
    v.insert("obtain_method".to_string(), ObtainMethod::Melihat.as_str().to_string());
    v.insert("delivery_method".to_string(), DeliveryMethod::AmbilLangsung.as_str().to_string());
    v.insert("idempotency_key".to_string(), super::lapor::new_form_key());
    Ok(info_page(&staff, &code, v, Vec::new()))
}

async fn file_info(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Form(v): Form<BTreeMap<String, String>>,
) -> Result<Response, WebError> {
    let actor = Actor::Staff(staff.user.clone());
    let f = |name: &str| v.get(name).cloned().unwrap_or_default();
    let input = InfoRequestInput {
        information: f("information"),
        purpose: f("purpose"),
        obtain_method: f("obtain_method"),
        delivery_method: f("delivery_method"),
        idempotency_key: f("idempotency_key"),
        ..Default::default()
    };
    match state.app.assisted_info_request(&actor, &code, &assist_input(&v), input).await {
        Ok(sent) => {
            Ok(Redirect::to(&format!("/staf/desa/{code}/pendamping?baru={}", sent.code.as_str())).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, info_page(&staff, &code, v, errors)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
