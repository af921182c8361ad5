//! Residents' pages: sign-up and sign-in, their requests with state, deadline and history, online
//! letter requests with attachments, corrections, withdrawal and the signed PDF. Also the staff
//! page where a village confirms sign-ups against its register.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use balai_app::letters::{LetterType, ResidentRequestView};
use balai_app::{Actor, AppError, FieldError, SignUpInput};
use balai_domain::surat::catalogue::{LetterTypeSpec, display_value};
use serde::Deserialize;

use super::{FileInput, InputField, attachment_rows, file_inputs, history_rows, input_fields};
use crate::extract::{ClientIp, Form, Layout, RESIDENT_COOKIE, Staff, UploadForm, Visitor, Warga};
use crate::security::{CSRF_COOKIE, new_token, set_cookie};
use crate::{AppState, WebError};

/// Largest upload form: up to five attachments of 5 MB each, plus the text fields.
pub const UPLOAD_BODY_LIMIT: usize = 26 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    let uploads = Router::new()
        .route("/warga/ajukan/{slug}", get(request_form).post(create_request))
        .route("/warga/permohonan/{id}/perbaikan", post(resubmit))
        .layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT));
    Router::new()
        .merge(uploads)
        .route("/warga", get(home))
        .route("/warga/daftar", get(sign_up_form).post(sign_up))
        .route("/warga/masuk", get(login_form).post(login))
        .route("/warga/keluar", post(logout))
        .route("/warga/ajukan", get(choose_type))
        .route("/warga/permohonan/{id}", get(request_page))
        .route("/warga/permohonan/{id}/batal", post(cancel))
        .route("/warga/permohonan/{id}/surat.pdf", get(letter_pdf))
        .route("/warga/permohonan/{id}/lampiran/{file}", get(attachment))
        .route("/staf/desa/{code}/warga", get(pending))
        .route("/staf/warga/{id}/keputusan", post(decide))
        .route("/staf/surat/{id}/lampiran/{file}", get(staff_attachment))
}

pub(crate) fn field_error(errors: &[FieldError], name: &str) -> String {
    errors.iter().filter(|e| e.field == name).map(|e| e.message.as_str()).collect::<Vec<_>>().join(" ")
}

// ---- sign-up and sign-in ----

#[derive(Template, WebTemplate)]
#[template(path = "warga_daftar.html")]
struct SignUpPage {
    layout: Layout,
    errors: Vec<FieldError>,
    /// (kecamatan, [(code, village name)]) when no village was chosen from its page.
    villages: Vec<(String, Vec<(String, String)>)>,
    village: String,
    village_name: String,
    nik: String,
    full_name: String,
    phone: String,
    email: String,
}

impl SignUpPage {
    fn error(&self, name: &str) -> String {
        field_error(&self.errors, name)
    }
}

#[derive(Deserialize, Default)]
struct SignUpQuery {
    #[serde(default)]
    desa: String,
}

async fn sign_up_page(state: &AppState, visitor: &Visitor, values: SignUpForm, errors: Vec<FieldError>) -> SignUpPage {
    let village_name = match state.app.village_view(&values.village).await {
        Ok(v) => v.region.title(),
        Err(_) => String::new(),
    };
    let villages = if village_name.is_empty() {
        state.app.home_tree().await.ok().flatten().map(super::village_groups).unwrap_or_default()
    } else {
        Vec::new()
    };
    SignUpPage {
        layout: visitor.layout(),
        errors,
        villages,
        village_name,
        village: values.village,
        nik: values.nik,
        full_name: values.full_name,
        phone: values.phone,
        email: values.email,
    }
}

async fn sign_up_form(State(state): State<AppState>, visitor: Visitor, Query(q): Query<SignUpQuery>) -> Response {
    if visitor.resident.is_some() {
        return Redirect::to("/warga").into_response();
    }
    let values = SignUpForm { village: q.desa, ..Default::default() };
    sign_up_page(&state, &visitor, values, Vec::new()).await.into_response()
}

#[derive(Deserialize, Default)]
struct SignUpForm {
    #[serde(default)]
    village: String,
    #[serde(default)]
    nik: String,
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

fn signed_in(state: &AppState, token: &str, next: &str) -> Response {
    let mut response = Redirect::to(next).into_response();
    let max_age = state.app.config().session_ttl.num_seconds();
    set_cookie(&mut response, RESIDENT_COOKIE, token, Some(max_age), state.secure_cookies);
    set_cookie(&mut response, CSRF_COOKIE, &new_token(), None, state.secure_cookies);
    response
}

async fn sign_up(
    State(state): State<AppState>,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    Form(mut form): Form<SignUpForm>,
) -> Result<Response, WebError> {
    let input = SignUpInput {
        village: form.village.clone(),
        nik: form.nik.clone(),
        full_name: form.full_name.clone(),
        phone: form.phone.clone(),
        email: form.email.clone(),
        password: std::mem::take(&mut form.password),
        password_confirm: std::mem::take(&mut form.password_confirm),
    };
    match state.app.sign_up_resident(input, &ip).await {
        Ok(login) => Ok(signed_in(&state, &login.token, "/warga?pesan=terdaftar")),
        Err(AppError::Invalid(errors)) => {
            let page = sign_up_page(&state, &visitor, form, errors).await;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "warga_masuk.html")]
struct LoginPage {
    layout: Layout,
    errors: Vec<FieldError>,
    nik: String,
    next: String,
}

#[derive(Deserialize, Default)]
struct NextQuery {
    #[serde(default)]
    next: String,
}

async fn login_form(visitor: Visitor, Query(q): Query<NextQuery>) -> Response {
    if visitor.resident.is_some() {
        return Redirect::to("/warga").into_response();
    }
    LoginPage { layout: visitor.layout(), errors: Vec::new(), nik: String::new(), next: q.next }.into_response()
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    nik: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

async fn login(
    State(state): State<AppState>,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    Form(form): Form<LoginForm>,
) -> Result<Response, WebError> {
    let outcome = if form.nik.trim().is_empty() || form.password.is_empty() {
        Err(AppError::invalid("nik", "Isi NIK dan kata sandi."))
    } else {
        state.app.resident_login(&form.nik, &form.password, &ip).await
    };
    match outcome {
        Ok(login) => {
            // Only residents' own pages: an open redirect would let a link send them anywhere.
            let next = if form.next.starts_with("/warga/") { form.next.as_str() } else { "/warga" };
            Ok(signed_in(&state, &login.token, next))
        }
        Err(e @ (AppError::LoginFailed | AppError::LockedOut { .. } | AppError::Invalid(_))) => {
            let status = if matches!(e, AppError::LockedOut { .. }) {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let message = match e {
                AppError::LoginFailed => "NIK atau kata sandi salah.".to_string(),
                other => other.user_message(),
            };
            let page = LoginPage {
                layout: visitor.layout(),
                errors: vec![FieldError::new("nik", message)],
                nik: form.nik,
                next: form.next,
            };
            Ok((status, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

async fn logout(State(state): State<AppState>, visitor: Visitor) -> Result<Response, WebError> {
    if let (Some(resident), Some(token)) = (visitor.resident, visitor.resident_token) {
        state.app.resident_logout(&Actor::Resident(resident), &token).await?;
    }
    let mut response = Redirect::to("/").into_response();
    set_cookie(&mut response, RESIDENT_COOKIE, "", Some(0), state.secure_cookies);
    Ok(response)
}

// ---- the resident's home and requests ----

struct RequestRow {
    id: String,
    code: String,
    type_name: String,
    state_label: &'static str,
    received: String,
    due: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "warga_beranda.html")]
struct HomePage {
    layout: Layout,
    message: &'static str,
    name: String,
    status: String,
    status_note: String,
    requests: Vec<RequestRow>,
    /// (tracking code, title, state label, received)
    reports: Vec<(String, String, String, String)>,
}

#[derive(Deserialize, Default)]
struct MessageQuery {
    #[serde(default)]
    pesan: String,
}

async fn home(
    State(state): State<AppState>,
    warga: Warga,
    Query(q): Query<MessageQuery>,
) -> Result<HomePage, WebError> {
    let actor = warga.actor();
    let offset = state.app.config().utc_offset;
    let requests = state
        .app
        .resident_requests(&actor)
        .await?
        .into_iter()
        .map(|i| RequestRow {
            code: balai_app::letters::tracking_code(&i.request.id),
            id: i.request.id,
            type_name: i.type_name,
            state_label: i.state.label(),
            received: balai_domain::calendar::format_tanggal(i.request.received_at.with_timezone(&offset).date_naive()),
            due: balai_domain::calendar::format_tanggal(i.request.due_on),
        })
        .collect();
    let reports = state
        .app
        .resident_reports(&actor)
        .await?
        .into_iter()
        .map(|r| {
            let state_label = r.state.parse::<balai_domain::lapor::ReportState>().map_or("", |s| s.label());
            let received = balai_domain::calendar::format_tanggal(r.received_at.with_timezone(&offset).date_naive());
            (r.code, r.public_title, state_label.to_string(), received)
        })
        .collect();
    let message = match q.pesan.as_str() {
        "terdaftar" => "Pendaftaran berhasil. Kantor desa akan mencocokkan NIK Anda dengan data penduduk.",
        "dibatalkan" => "Permohonan sudah dibatalkan.",
        _ => "",
    };
    Ok(HomePage {
        layout: warga.visitor.layout(),
        message,
        name: warga.resident.full_name.clone(),
        status: warga.resident.status.clone(),
        status_note: warga.resident.status_note.clone(),
        requests,
        reports,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "warga_ajukan.html")]
struct ChooseTypePage {
    layout: Layout,
    confirmed: bool,
    types: Vec<LetterType>,
}

async fn choose_type(State(state): State<AppState>, warga: Warga) -> Result<ChooseTypePage, WebError> {
    let types = state.app.resident_letter_catalogue(&warga.actor()).await?;
    Ok(ChooseTypePage { layout: warga.visitor.layout(), confirmed: warga.resident.is_confirmed(), types })
}

#[derive(Template, WebTemplate)]
#[template(path = "warga_form.html")]
struct RequestFormPage {
    layout: Layout,
    errors: Vec<FieldError>,
    spec: LetterTypeSpec,
    fields: Vec<InputField>,
    files: Vec<FileInput>,
}

async fn request_form_page(
    state: &AppState,
    warga: &Warga,
    slug: &str,
    values: &BTreeMap<String, String>,
    errors: Vec<FieldError>,
) -> Result<RequestFormPage, WebError> {
    let catalogue = state.app.resident_letter_catalogue(&warga.actor()).await?;
    let spec = catalogue.into_iter().find(|t| t.spec.slug == slug).ok_or(AppError::NotFound)?.spec;
    Ok(RequestFormPage {
        layout: warga.visitor.layout(),
        fields: input_fields(&spec, values, &errors),
        files: file_inputs(&spec, &errors, &[]),
        errors,
        spec,
    })
}

async fn request_form(
    State(state): State<AppState>,
    warga: Warga,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    if !warga.resident.is_confirmed() {
        return Ok(Redirect::to("/warga/ajukan").into_response());
    }
    Ok(request_form_page(&state, &warga, &slug, &BTreeMap::new(), Vec::new()).await?.into_response())
}

async fn create_request(
    State(state): State<AppState>,
    warga: Warga,
    Path(slug): Path<String>,
    form: UploadForm,
) -> Result<Response, WebError> {
    match state.app.create_online_request(&warga.actor(), &slug, form.fields.clone(), form.files).await {
        Ok(request) => Ok(Redirect::to(&format!("/warga/permohonan/{}?pesan=terkirim", request.id)).into_response()),
        Err(AppError::Invalid(errors)) if !errors.iter().any(|e| e.field == "account") => {
            let page = request_form_page(&state, &warga, &slug, &form.fields, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "warga_permohonan.html")]
struct RequestPage {
    layout: Layout,
    errors: Vec<FieldError>,
    message: &'static str,
    code: String,
    due: String,
    values: Vec<(String, String)>,
    events: Vec<(String, String, String)>,
    /// (id, requirement label, file name, replaced)
    attachments: Vec<(String, String, String, bool)>,
    fields: Vec<InputField>,
    files: Vec<FileInput>,
    number: String,
    token: String,
    /// The satisfaction survey's link while it is open (the completion message's link).
    survey: Option<String>,
    r: ResidentRequestView,
}

async fn request_page_for(
    state: &AppState,
    warga: &Warga,
    id: &str,
    errors: Vec<FieldError>,
    typed: Option<&BTreeMap<String, String>>,
    message: &'static str,
) -> Result<RequestPage, WebError> {
    let r = state.app.resident_request(&warga.actor(), id).await?;
    let spec = &r.view.letter_type;
    let stored: BTreeMap<String, String> = serde_json::from_value(r.view.request.fields.clone()).unwrap_or_default();
    let values = spec
        .fields
        .iter()
        .filter_map(|f| stored.get(&f.name).filter(|v| !v.is_empty()).map(|v| (f.label.clone(), display_value(f, v))))
        .collect();
    let offset = state.app.config().utc_offset;
    let events = history_rows(&r.view.events, offset);
    let attachments = attachment_rows(spec, &r.view.attachments);
    let current: Vec<(String, String)> = r
        .view
        .attachments
        .iter()
        .filter(|a| !a.replaced)
        .map(|a| (a.requirement.clone(), a.file_name.clone()))
        .collect();
    let (number, token) = match &r.view.letter {
        Some(l) if l.revoked_at.is_none() => (l.number.clone(), l.token.clone()),
        _ => (String::new(), String::new()),
    };
    let survey = match &r.view.letter {
        Some(l) if l.revoked_at.is_none() => {
            state.app.open_survey_path(balai_app::survey::SurveySource::Surat, &r.view.request.id, l.issued_on).await?
        }
        _ => None,
    };
    Ok(RequestPage {
        layout: warga.visitor.layout(),
        message,
        code: balai_app::letters::tracking_code(&r.view.request.id),
        due: balai_domain::calendar::format_tanggal(r.view.request.due_on),
        values,
        events,
        attachments,
        fields: input_fields(spec, typed.unwrap_or(&stored), &errors),
        files: file_inputs(spec, &errors, &current),
        errors,
        number,
        token,
        survey,
        r,
    })
}

async fn request_page(
    State(state): State<AppState>,
    warga: Warga,
    Path(id): Path<String>,
    Query(q): Query<MessageQuery>,
) -> Result<RequestPage, WebError> {
    let message = match q.pesan.as_str() {
        "terkirim" => {
            "Permohonan terkirim. Simpan kode permohonan ini; kabar berikutnya dikirim ke HP atau email Anda."
        }
        "diperbaiki" => "Perbaikan terkirim dan akan diperiksa kembali.",
        _ => "",
    };
    request_page_for(&state, &warga, &id, Vec::new(), None, message).await
}

async fn resubmit(
    State(state): State<AppState>,
    warga: Warga,
    Path(id): Path<String>,
    form: UploadForm,
) -> Result<Response, WebError> {
    match state.app.resubmit_request(&warga.actor(), &id, form.fields.clone(), form.files).await {
        Ok(()) => Ok(Redirect::to(&format!("/warga/permohonan/{id}?pesan=diperbaiki")).into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::AlreadyDone(_))) => {
            let errors = match e {
                AppError::Invalid(errors) => errors,
                other => vec![FieldError::new("perbaikan", other.user_message())],
            };
            let page = request_page_for(&state, &warga, &id, errors, Some(&form.fields), "").await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn cancel(State(state): State<AppState>, warga: Warga, Path(id): Path<String>) -> Result<Response, WebError> {
    match state.app.cancel_request(&warga.actor(), &id).await {
        Ok(()) => Ok(Redirect::to("/warga?pesan=dibatalkan").into_response()),
        Err(e @ AppError::AlreadyDone(_)) => {
            let errors = vec![FieldError::new("batal", e.user_message())];
            let page = request_page_for(&state, &warga, &id, errors, None, "").await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// A file download that a browser saves rather than shows, whatever its type.
pub(crate) fn download(content_type: &str, file_name: &str, bytes: Vec<u8>) -> Response {
    let ascii: String =
        file_name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' }).collect();
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{ascii}\"")),
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'; sandbox".to_string()),
        ],
        bytes,
    )
        .into_response()
}

async fn letter_pdf(State(state): State<AppState>, warga: Warga, Path(id): Path<String>) -> Result<Response, WebError> {
    let (letter, bytes) = state.app.resident_letter_pdf(&warga.actor(), &id).await?;
    Ok(download("application/pdf", &format!("surat-{}.pdf", letter.number), bytes))
}

async fn attachment(
    State(state): State<AppState>,
    warga: Warga,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let (meta, bytes) = state.app.request_attachment(&warga.actor(), &id, &file).await?;
    Ok(download(&meta.content_type, &meta.file_name, bytes))
}

async fn staff_attachment(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let (meta, bytes) = state.app.request_attachment(&Actor::Staff(staff.user.clone()), &id, &file).await?;
    Ok(download(&meta.content_type, &meta.file_name, bytes))
}

// ---- staff: confirming sign-ups ----

struct PendingRow {
    id: i64,
    name: String,
    nik: String,
    contact: String,
    signed_up: String,
    register_name: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff_warga.html")]
struct PendingPage {
    layout: Layout,
    errors: Vec<FieldError>,
    message: &'static str,
    village_code: String,
    village_name: String,
    rows: Vec<PendingRow>,
}

async fn pending_page(
    state: &AppState,
    staff: &Staff,
    code: &str,
    errors: Vec<FieldError>,
    message: &'static str,
) -> Result<PendingPage, WebError> {
    let actor = Actor::Staff(staff.user.clone());
    let pending = state.app.pending_residents(&actor, code).await?;
    let village = state.app.village_view(code).await?;
    let rows = pending
        .into_iter()
        .map(|p| PendingRow {
            id: p.resident.id,
            name: p.resident.full_name,
            nik: p.resident.nik,
            contact: [p.resident.phone, p.resident.email]
                .into_iter()
                .filter(|c| !c.is_empty())
                .collect::<Vec<_>>()
                .join(", "),
            signed_up: balai_domain::calendar::format_tanggal(p.signed_up_on),
            register_name: p.register_name.unwrap_or_default(),
        })
        .collect();
    Ok(PendingPage {
        layout: staff.visitor.layout(),
        errors,
        message,
        village_code: code.to_string(),
        village_name: village.region.title(),
        rows,
    })
}

async fn pending(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Query(q): Query<MessageQuery>,
) -> Result<PendingPage, WebError> {
    let message = match q.pesan.as_str() {
        "dikonfirmasi" => "Akun warga dikonfirmasi; warga diberi tahu.",
        "ditolak" => "Pendaftaran ditolak; warga diberi tahu alasannya.",
        _ => "",
    };
    pending_page(&state, &staff, &code, Vec::new(), message).await
}

#[derive(Deserialize)]
struct DecisionForm {
    #[serde(default)]
    village: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    note: String,
}

async fn decide(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, WebError> {
    let actor = Actor::Staff(staff.user.clone());
    let confirm = form.decision == "konfirmasi";
    let code: String = form.village.chars().filter(|c| c.is_ascii_digit() || *c == '.').collect();
    match state.app.decide_resident(&actor, id, confirm, &form.note).await {
        Ok(()) => {
            let done = if confirm { "dikonfirmasi" } else { "ditolak" };
            Ok(Redirect::to(&format!("/staf/desa/{code}/warga?pesan={done}")).into_response())
        }
        Err(e @ (AppError::Invalid(_) | AppError::AlreadyDone(_))) => {
            let errors = match e {
                AppError::Invalid(errors) => errors,
                other => vec![FieldError::new("note", other.user_message())],
            };
            let page = pending_page(&state, &staff, &code, errors, "").await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
