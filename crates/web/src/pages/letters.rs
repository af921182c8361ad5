//! Letter pages: the village's queue, walk-in requests, the request page with its actions,
//! batch signing, the PDF, and the public verification page behind the QR code.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use balai_app::letters::{NewRequestInput, RequestView};
use balai_app::{Actor, AppError, FieldError};
use balai_domain::calendar::SlaState;
use balai_domain::roles::{Permission, Target};
use balai_domain::surat::catalogue::display_value;
use balai_domain::surat::state::{Party, RequestAction, allowed_actions};
use balai_domain::wilayah::KodeWilayah;
use serde::Deserialize;

use super::{FileInput, FormField, InputField, attachment_rows, form_fields, history_rows, input_fields};
use crate::extract::{Form, Layout, Staff, Visitor};
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staf/desa/{code}/surat", get(queue))
        .route("/staf/desa/{code}/surat/baru", get(new_request).post(create_request))
        .route("/staf/desa/{code}/surat/tandatangani", post(sign_many))
        .route("/staf/desa/{code}/surat/nomor", post(reserve_number))
        .route("/staf/surat/{id}", get(request_page))
        .route("/staf/surat/{id}/aksi", post(act))
        .route("/staf/surat/{id}/cabut", post(revoke))
        .route("/staf/surat/{id}/pdf", get(pdf))
        .route("/v/{token}", get(verify))
}

fn sla_class(sla: SlaState) -> &'static str {
    match sla {
        SlaState::OnTime | SlaState::Met => "ok",
        SlaState::DueSoon => "warn",
        SlaState::Overdue | SlaState::Missed => "bad",
    }
}

struct QueueRow {
    id: String,
    due: String,
    sla_label: &'static str,
    sla_class: &'static str,
    person: String,
    type_name: String,
    state_label: &'static str,
    signable: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "letters_queue.html")]
struct QueuePage {
    layout: Layout,
    village_code: String,
    village_name: String,
    items: Vec<QueueRow>,
    can_sign: bool,
    can_configure: bool,
    types: Vec<(String, String)>,
    reserved: String,
}

#[derive(Deserialize, Default)]
struct QueueQuery {
    #[serde(default)]
    nomor: String,
}

async fn queue(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Query(q): Query<QueueQuery>,
) -> Result<QueuePage, WebError> {
    let actor = Actor::Staff(staff.user.clone());
    let items = state.app.letter_queue(&actor, &code).await?;
    let village = state.app.village_view(&code).await?;
    let can_sign = may(&actor, Permission::SignLetters, &code);
    let can_configure = may(&actor, Permission::EditVillageProfile, &code);
    let items = items
        .into_iter()
        .map(|i| QueueRow {
            id: i.request.id.clone(),
            due: balai_domain::calendar::format_tanggal(i.request.due_on),
            sla_label: i.sla.label(),
            sla_class: sla_class(i.sla),
            person: i.person_name,
            type_name: i.type_name,
            state_label: i.state.label(),
            signable: i.state.as_str() == "menunggu_tanda_tangan",
        })
        .collect();
    let types = state
        .app
        .staff_letter_catalogue(&actor, &code)
        .await?
        .into_iter()
        .map(|t| (t.spec.slug, t.spec.name))
        .collect();
    Ok(QueuePage {
        layout: staff.visitor.layout(),
        village_code: code,
        village_name: village.region.title(),
        items,
        can_sign,
        can_configure,
        types,
        reserved: q.nomor.chars().take(80).collect(),
    })
}

#[derive(Deserialize)]
struct ReserveForm {
    #[serde(default)]
    letter_type: String,
    #[serde(default)]
    note: String,
}

async fn reserve_number(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Form(form): Form<ReserveForm>,
) -> Result<Response, WebError> {
    let actor = Actor::Staff(staff.user.clone());
    let letter = state.app.reserve_letter_number(&actor, &code, &form.letter_type, &form.note).await?;
    let number: String = form_urlencoded::byte_serialize(letter.number.as_bytes()).collect();
    Ok(Redirect::to(&format!("/staf/desa/{code}/surat?nomor={number}")).into_response())
}

fn may(actor: &Actor, permission: Permission, code: &str) -> bool {
    KodeWilayah::parse(code).is_ok_and(|k| actor.may(permission, &Target::Wilayah(&k)))
}

struct ChosenType {
    slug: String,
    name: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "letters_new.html")]
struct NewRequestPage {
    layout: Layout,
    errors: Vec<FieldError>,
    village_code: String,
    types: Vec<(String, String)>,
    chosen: Option<ChosenType>,
    nik_field: Vec<FormField>,
    fields: Vec<InputField>,
    /// Walk-in requests bring their documents to the counter: no uploads here.
    files: Vec<FileInput>,
}

#[derive(Deserialize)]
struct ChooseQuery {
    #[serde(default)]
    jenis: String,
}

async fn new_request_page(
    state: &AppState,
    staff: Staff,
    code: &str,
    slug: &str,
    values: &BTreeMap<String, String>,
    errors: Vec<FieldError>,
) -> Result<NewRequestPage, WebError> {
    let actor = Actor::Staff(staff.user.clone());
    // The queue's authorisation applies to the form too.
    let catalogue = state.app.staff_letter_catalogue(&actor, code).await?;
    let types = catalogue.iter().filter(|t| t.active).map(|t| (t.spec.slug.clone(), t.spec.name.clone())).collect();
    let chosen = catalogue.into_iter().find(|t| t.active && t.spec.slug == slug);
    let value = |name: &str| values.get(name).map(String::as_str).unwrap_or("").to_string();
    let nik = value("nik");
    let nik_field = form_fields(
        &[("nik", "NIK pemohon", "16 angka sesuai KTP; pemohon harus terdaftar sebagai penduduk desa ini.", &nik)],
        &errors,
    );
    let fields = chosen.as_ref().map(|t| input_fields(&t.spec, values, &errors)).unwrap_or_default();
    Ok(NewRequestPage {
        layout: staff.visitor.layout(),
        errors,
        village_code: code.to_string(),
        types,
        chosen: chosen.map(|t| ChosenType { slug: t.spec.slug.clone(), name: t.spec.name.clone() }),
        nik_field,
        fields,
        files: Vec::new(),
    })
}

async fn new_request(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Query(q): Query<ChooseQuery>,
) -> Result<NewRequestPage, WebError> {
    new_request_page(&state, staff, &code, &q.jenis, &BTreeMap::new(), Vec::new()).await
}

async fn create_request(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Form(mut form): Form<BTreeMap<String, String>>,
) -> Result<Response, WebError> {
    let actor = Actor::Staff(staff.user.clone());
    form.remove("csrf");
    let letter_type = form.remove("letter_type").unwrap_or_default();
    let nik = form.get("nik").cloned().unwrap_or_default();
    let input = NewRequestInput { letter_type: letter_type.clone(), nik, fields: form.clone() };
    match state.app.create_walk_in_request(&actor, &code, input).await {
        Ok(request) => Ok(Redirect::to(&format!("/staf/surat/{}", request.id)).into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = new_request_page(&state, staff, &code, &letter_type, &form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "letters_request.html")]
struct RequestPage {
    layout: Layout,
    errors: Vec<FieldError>,
    message: String,
    due_text: String,
    issued_text: String,
    sla_class: &'static str,
    fields: Vec<(String, String)>,
    events: Vec<(String, String, String)>,
    /// (value, label, is secondary)
    actions: Vec<(&'static str, &'static str, bool)>,
    can_sign: bool,
    /// (id, requirement label, file name, replaced)
    attachments: Vec<(String, String, String, bool)>,
    /// (channel, recipient, subject, status label, last error)
    messages: Vec<(String, String, String, &'static str, String)>,
    view: RequestView,
}

#[derive(Deserialize, Default)]
struct MessageQuery {
    #[serde(default)]
    pesan: String,
}

async fn request_page_for(
    state: &AppState,
    staff: Staff,
    id: &str,
    errors: Vec<FieldError>,
    message: &str,
) -> Result<RequestPage, WebError> {
    let actor = Actor::Staff(staff.user.clone());
    let view = state.app.letter_request(&actor, id).await?;
    let can_sign = may(&actor, Permission::SignLetters, &view.request.village_code);
    let mut actions: Vec<(&'static str, &'static str, bool)> = Vec::new();
    let mut parties = vec![Party::Operator];
    if can_sign {
        parties.push(Party::Penandatangan);
    }
    for party in parties {
        // A request still `diajukan` is taken into review by any operator action.
        let state_for_actions = if view.state.as_str() == "diajukan" {
            balai_domain::surat::state::RequestState::Diperiksa
        } else {
            view.state
        };
        for action in allowed_actions(state_for_actions, party) {
            if !actions.iter().any(|a| a.0 == action.as_str()) {
                let secondary = matches!(action, RequestAction::Tolak | RequestAction::MintaPerbaikan);
                actions.push((action.as_str(), action.label(), secondary));
            }
        }
    }
    // In the letter type's order, as the letter prints them (dates in words, amounts in rupiah).
    let fields = view
        .letter_type
        .fields
        .iter()
        .filter_map(|f| {
            let value = view.request.fields.get(&f.name)?.as_str()?;
            (!value.is_empty()).then(|| (f.label.clone(), display_value(f, value)))
        })
        .collect();
    let offset = state.app.config().utc_offset;
    let events = history_rows(&view.events, offset);
    let attachments = attachment_rows(&view.letter_type, &view.attachments);
    let messages = view
        .messages
        .iter()
        .map(|m| {
            let status = match m.status.as_str() {
                "sent" => "terkirim",
                "failed" => "gagal",
                _ if m.attempts > 0 => "dicoba ulang",
                _ => "antre",
            };
            (m.channel.clone(), m.recipient.clone(), m.subject.clone(), status, m.last_error.clone())
        })
        .collect();
    Ok(RequestPage {
        layout: staff.visitor.layout(),
        errors,
        attachments,
        messages,
        message: message.to_string(),
        due_text: balai_domain::calendar::format_tanggal(view.request.due_on),
        issued_text: view
            .letter
            .as_ref()
            .map(|l| balai_domain::calendar::format_tanggal(l.issued_on))
            .unwrap_or_default(),
        sla_class: sla_class(view.sla),
        fields,
        events,
        actions,
        can_sign,
        view,
    })
}

async fn request_page(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Query(q): Query<MessageQuery>,
) -> Result<RequestPage, WebError> {
    let message = match q.pesan.as_str() {
        "ditandatangani" => "Surat sudah ditandatangani dan terbit.",
        "tersimpan" => "Tindakan tersimpan.",
        "dicabut" => "Surat sudah dicabut.",
        _ => "",
    };
    request_page_for(&state, staff, &id, Vec::new(), message).await
}

#[derive(Deserialize)]
struct ActionForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    note: String,
}

async fn act(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<ActionForm>,
) -> Result<Response, WebError> {
    let actor = Actor::Staff(staff.user.clone());
    let Ok(action) = form.action.parse::<RequestAction>() else {
        let page = request_page_for(&state, staff, &id, vec![FieldError::new("note", "Pilih tindakan.")], "").await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let result = state.app.act_on_request(&actor, &id, action, &form.note).await;
    let done = if action == RequestAction::Tandatangani { "ditandatangani" } else { "tersimpan" };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/staf/surat/{id}?pesan={done}")).into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::AlreadyDone(_))) => {
            let errors = match e {
                AppError::Invalid(errors) => errors,
                other => vec![FieldError::new("note", other.user_message())],
            };
            let page = request_page_for(&state, staff, &id, errors, "").await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "letters_signed.html")]
struct SignedPage {
    layout: Layout,
    village_code: String,
    /// (request id, issued?, what happened)
    results: Vec<(String, bool, String)>,
}

/// Batch signing: the form repeats `id`, which the usual form decoder cannot collect.
async fn sign_many(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<SignedPage, WebError> {
    let actor = Actor::Staff(staff.user.clone());
    let ids: Vec<String> =
        form_urlencoded::parse(&body).filter(|(k, _)| k == "id").map(|(_, v)| v.into_owned()).take(100).collect();
    let mut results = Vec::new();
    for (id, result) in state.app.sign_requests(&actor, &ids).await {
        results.push(match result {
            Ok(letter) => (id, true, format!("{} — nomor {}", letter.letter_type_name, letter.number)),
            Err(e) => (id, false, e.user_message()),
        });
    }
    Ok(SignedPage { layout: staff.visitor.layout(), village_code: code, results })
}

#[derive(Deserialize)]
struct RevokeForm {
    #[serde(default)]
    reason: String,
}

async fn revoke(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<RevokeForm>,
) -> Result<Response, WebError> {
    let actor = Actor::Staff(staff.user.clone());
    match state.app.revoke_letter(&actor, &id, &form.reason).await {
        Ok(()) => Ok(Redirect::to(&format!("/staf/surat/{id}?pesan=dicabut")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = request_page_for(&state, staff, &id, errors, "").await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn pdf(State(state): State<AppState>, staff: Staff, Path(id): Path<String>) -> Result<Response, WebError> {
    let actor = Actor::Staff(staff.user.clone());
    let (letter, bytes) = state.app.letter_pdf_for_request(&actor, &id).await?;
    let file_name: String =
        letter.number.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"surat-{file_name}.pdf\"")),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "verify.html")]
struct VerifyPage {
    layout: Layout,
    v: balai_app::letters::Verification,
    issued_on: String,
    genuine: bool,
}

#[derive(Deserialize)]
struct VerifyQuery {
    s: Option<String>,
}

async fn verify(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
    Query(q): Query<VerifyQuery>,
) -> Result<VerifyPage, WebError> {
    let v = state.app.verify_letter(&token, q.s.as_deref()).await?;
    Ok(VerifyPage {
        layout: visitor.layout(),
        issued_on: balai_domain::calendar::format_tanggal(v.issued_on),
        genuine: v.signature_valid && v.qr_signature_valid != Some(false),
        v,
    })
}
