//! PPID pages: a village's Daftar Informasi Publik and its documents, the information request
//! form and its tracking page with the written notice and the objection, and the staff's
//! register, DIP editor, decisions and the annual report.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use balai_app::ppid::{
    AnnualReport, DecisionInput, DipItemView, DipPage, DipUpload, InfoRequestInput, InfoRequestView, KeberatanInput,
    PpidRegister, ReportFormat,
};
use balai_app::{AppError, FieldError};
use balai_domain::calendar::format_tanggal;
use balai_domain::ppid::{
    Decision, DeliveryMethod, DipClass, DipInput, Exemption, InfoForm, KeberatanGround, KeberatanOutcome, ObtainMethod,
};
use balai_domain::wilayah::Region;
use serde::Deserialize;
use std::collections::BTreeMap;

use super::warga::{download, field_error};
use crate::extract::{ClientIp, Layout, Staff, UploadForm, Visitor};
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    let uploads =
        Router::new().route("/staf/ppid/dip/{id}/berkas", post(add_file)).layer(DefaultBodyLimit::max(6 * 1024 * 1024));
    Router::new()
        .merge(uploads)
        .route("/desa/{code}/ppid", get(home))
        .route("/desa/{code}/ppid/minta", get(form).post(submit))
        .route("/ppid/dip/{id}", get(dip_item))
        .route("/ppid/berkas/{id}", get(dip_file))
        .route("/desa/{code}/poster.pdf", get(kit_poster))
        .route("/desa/{code}/brosur.pdf", get(kit_brochure))
        .route("/ppid/lacak", get(find))
        .route("/ppid/lacak/{code}", get(track))
        .route("/ppid/lacak/{code}/pemberitahuan.pdf", get(track_notice))
        .route("/ppid/lacak/{code}/keberatan", post(keberatan))
        .route("/staf/desa/{code}/ppid", get(register))
        .route("/staf/desa/{code}/ppid/dip/baru", get(new_dip).post(create_dip))
        .route("/staf/ppid/dip/{id}", get(edit_dip).post(update_dip))
        .route("/staf/ppid/{code}", get(staff_request))
        .route("/staf/ppid/{code}/pemberitahuan.pdf", get(staff_notice))
        .route("/staf/ppid/{code}/aksi", post(staff_action))
        .route("/staf/wilayah/{code}/ppid/laporan", get(annual))
}

fn words<T: Copy>(
    all: &[T],
    word: fn(&T) -> &'static str,
    label: fn(&T) -> &'static str,
) -> Vec<(&'static str, &'static str)> {
    all.iter().map(|v| (word(v), label(v))).collect()
}

// ---- the public DIP ----

#[derive(Template, WebTemplate)]
#[template(path = "ppid_home.html")]
struct HomePage {
    layout: Layout,
    page: DipPage,
    preview: super::berita::LinkPreview,
}

async fn home(
    State(state): State<AppState>,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    Path(code): Path<String>,
) -> Result<HomePage, WebError> {
    let page = state.app.dip_page(&visitor.actor(&ip), &code).await?;
    let name = page.village.title();
    let preview = super::berita::LinkPreview::new(
        &state,
        format!("Informasi publik {name}"),
        format!("Daftar Informasi Publik {name} dan permohonan informasi kepada PPID desa (UU 14/2008)."),
        &format!("/desa/{}/ppid", page.village.code),
    );
    Ok(HomePage { layout: visitor.layout(), page, preview })
}

#[derive(Template, WebTemplate)]
#[template(path = "ppid_dip.html")]
struct DipItemPage {
    layout: Layout,
    v: DipItemView,
    village: Region,
    refreshed: String,
    files: Vec<(String, String, i64)>,
}

async fn dip_item(
    State(state): State<AppState>,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
) -> Result<DipItemPage, WebError> {
    let v = state.app.dip_item(&visitor.actor(&ip), &id).await?;
    let (village, _) = state.app.village_region(&v.item.village_code).await?;
    let files = v.files.iter().map(|f| (f.id.clone(), f.file_name.clone(), (f.size_bytes + 1023) / 1024)).collect();
    Ok(DipItemPage { layout: visitor.layout(), refreshed: format_tanggal(v.item.refreshed_on), files, v, village })
}

async fn dip_file(
    State(state): State<AppState>,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let (meta, bytes) = state.app.dip_file(&visitor.actor(&ip), &id).await?;
    Ok(download(&meta.content_type, &meta.file_name, bytes))
}

// ---- the socialization kit (public: it is printed and posted) ----

async fn kit_poster(State(state): State<AppState>, Path(code): Path<String>) -> Result<Response, WebError> {
    let pdf = state.app.village_kit_pdf(&code, balai_app::ppid::KitFormat::Poster).await?;
    Ok(download("application/pdf", &format!("poster-{code}.pdf"), pdf))
}

async fn kit_brochure(State(state): State<AppState>, Path(code): Path<String>) -> Result<Response, WebError> {
    let pdf = state.app.village_kit_pdf(&code, balai_app::ppid::KitFormat::Brochure).await?;
    Ok(download("application/pdf", &format!("brosur-{code}.pdf"), pdf))
}

// ---- the request form ----

#[derive(Template, WebTemplate)]
#[template(path = "ppid_form.html")]
struct FormPage {
    layout: Layout,
    errors: Vec<FieldError>,
    village: Region,
    v: BTreeMap<String, String>,
    obtain: Vec<(&'static str, &'static str)>,
    delivery: Vec<(&'static str, &'static str)>,
    /// Public DIP items one may ask for: (id, title).
    items: Vec<(String, String)>,
}

impl FormPage {
    fn error(&self, name: &str) -> String {
        field_error(&self.errors, name)
    }

    fn val(&self, name: &str) -> String {
        self.v.get(name).cloned().unwrap_or_default()
    }
}

const FORM_FIELDS: [&str; 10] = [
    "name",
    "nik",
    "address",
    "email",
    "phone",
    "information",
    "purpose",
    "obtain_method",
    "delivery_method",
    "dip_item",
];

async fn form_page(
    state: &AppState,
    visitor: &Visitor,
    code: &str,
    v: BTreeMap<String, String>,
    errors: Vec<FieldError>,
) -> Result<FormPage, WebError> {
    let (village, items) = state.app.public_dip_titles(code).await?;
    Ok(FormPage {
        layout: visitor.layout(),
        errors,
        village,
        v,
        obtain: words(ObtainMethod::ALL, ObtainMethod::as_str, ObtainMethod::label),
        delivery: words(DeliveryMethod::ALL, DeliveryMethod::as_str, DeliveryMethod::label),
        items,
    })
}

#[derive(Deserialize, Default)]
struct FormQuery {
    /// `lapor` when the reporter came from the reports form with an information request.
    #[serde(default)]
    dari: String,
    #[serde(default)]
    dip: String,
    #[serde(default)]
    informasi: String,
    #[serde(default)]
    nama: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    telepon: String,
}

async fn form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(code): Path<String>,
    Query(q): Query<FormQuery>,
) -> Result<FormPage, WebError> {
    let mut v = BTreeMap::new();
    v.insert("dip_item".to_string(), q.dip);
    v.insert("information".to_string(), q.informasi);
    v.insert("name".to_string(), q.nama);
    v.insert("email".to_string(), q.email);
    v.insert("phone".to_string(), q.telepon);
    if q.dari == "lapor" {
        v.insert("from_reports".to_string(), "1".into());
    }
    v.insert("obtain_method".to_string(), "salinan_softcopy".into());
    v.insert("delivery_method".to_string(), "email".into());
    v.insert("idempotency_key".to_string(), super::lapor::new_form_key());
    form_page(&state, &visitor, &code, v, Vec::new()).await
}

async fn submit(
    State(state): State<AppState>,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    Path(code): Path<String>,
    crate::extract::Form(v): crate::extract::Form<BTreeMap<String, String>>,
) -> Result<Response, WebError> {
    let f = |name: &str| v.get(name).cloned().unwrap_or_default();
    let input = InfoRequestInput {
        name: f("name"),
        nik: f("nik"),
        address: f("address"),
        email: f("email"),
        phone: f("phone"),
        information: f("information"),
        purpose: f("purpose"),
        obtain_method: f("obtain_method"),
        delivery_method: f("delivery_method"),
        dip_item: f("dip_item"),
        idempotency_key: f("idempotency_key"),
    };
    let channel = if visitor.user.is_some() { "loket" } else { "web" };
    match state.app.submit_info_request(&visitor.actor(&ip), &code, input, channel).await {
        Ok(sent) => Ok(Redirect::to(&format!("/ppid/lacak/{}?baru=1", sent.code.as_str())).into_response()),
        Err(AppError::Invalid(errors)) => {
            let kept =
                v.into_iter().filter(|(k, _)| FORM_FIELDS.contains(&k.as_str()) || k == "idempotency_key").collect();
            let page = form_page(&state, &visitor, &code, kept, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// ---- tracking, the notice and the objection ----

#[derive(Template, WebTemplate)]
#[template(path = "ppid_cari.html")]
struct FindPage {
    layout: Layout,
    code: String,
    error: String,
}

#[derive(Deserialize, Default)]
struct FindQuery {
    #[serde(default)]
    kode: String,
}

async fn find(State(state): State<AppState>, visitor: Visitor, Query(q): Query<FindQuery>) -> Response {
    if q.kode.trim().is_empty() {
        return FindPage { layout: visitor.layout(), code: String::new(), error: String::new() }.into_response();
    }
    match state.app.track_info_request(&q.kode).await {
        Ok(v) => Redirect::to(&format!("/ppid/lacak/{}", v.request.code)).into_response(),
        Err(AppError::Invalid(errors)) => {
            let error = errors.into_iter().map(|e| e.message).collect::<Vec<_>>().join(" ");
            (StatusCode::UNPROCESSABLE_ENTITY, FindPage { layout: visitor.layout(), code: q.kode, error })
                .into_response()
        }
        Err(AppError::NotFound) => {
            let error = "Tidak ada permohonan informasi dengan kode itu. Periksa kembali kodenya.".to_string();
            (StatusCode::NOT_FOUND, FindPage { layout: visitor.layout(), code: q.kode, error }).into_response()
        }
        Err(e) => WebError(e).into_response(),
    }
}

/// A request's page, for the requester and for staff.
#[derive(Template, WebTemplate)]
#[template(path = "ppid_permohonan.html")]
struct RequestPage {
    layout: Layout,
    errors: Vec<FieldError>,
    notice: String,
    fresh: bool,
    base: String,
    v: InfoRequestView,
    received: String,
    deadline: String,
    sla: String,
    sla_class: &'static str,
    /// (when, who, what, note, internal)
    events: Vec<(String, String, String, String, bool)>,
    decision_label: String,
    /// The last day to object, while one may.
    window_due: String,
    /// The last day to go to the Komisi Informasi, once the objection is answered.
    komisi_due: String,
    obtain_label: String,
    delivery_label: String,
    keberatan_grounds: Vec<(&'static str, &'static str)>,
    decisions: Vec<(&'static str, &'static str)>,
    classes: Vec<(&'static str, &'static str)>,
    exemptions: Vec<(&'static str, &'static str)>,
    outcomes: Vec<(&'static str, &'static str)>,
}

fn event_label(action: &str) -> &'static str {
    match action {
        "diajukan" => "Permohonan diajukan",
        "diperpanjang" => "Waktu jawaban diperpanjang 7 hari kerja",
        "diputuskan" => "Pemberitahuan tertulis: keputusan PPID",
        "diserahkan" => "Informasi diserahkan",
        "keberatan" => "Keberatan diajukan kepada atasan PPID",
        "keberatan_dijawab" => "Tanggapan atasan PPID atas keberatan",
        _ => "Catatan",
    }
}

fn request_page(
    state: &AppState,
    visitor: &Visitor,
    v: InfoRequestView,
    fresh: bool,
    notice: String,
    errors: Vec<FieldError>,
) -> RequestPage {
    let base =
        if v.staff { format!("/staf/ppid/{}", v.request.code) } else { format!("/ppid/lacak/{}", v.request.code) };
    let sla_class = match v.sla {
        balai_domain::calendar::SlaState::Overdue | balai_domain::calendar::SlaState::Missed => "sla-late",
        balai_domain::calendar::SlaState::DueSoon => "sla-soon",
        _ => "sla-ok",
    };
    let events = v
        .events
        .iter()
        .map(|e| {
            (
                state.app.format_time(e.at),
                e.actor_name.clone(),
                event_label(&e.action).to_string(),
                e.note.clone(),
                e.internal,
            )
        })
        .collect();
    RequestPage {
        layout: visitor.layout(),
        errors,
        notice,
        fresh,
        base,
        received: state.app.format_time(v.request.received_at),
        deadline: format_tanggal(v.request.due_on),
        sla: v.sla.label().to_string(),
        sla_class,
        events,
        window_due: v.keberatan_window.as_ref().map(|w| format_tanggal(w.due)).unwrap_or_default(),
        komisi_due: v
            .keberatan
            .as_ref()
            .and_then(|k| k.komisi_deadline.as_ref())
            .map(|d| format_tanggal(d.due))
            .unwrap_or_default(),
        decision_label: v
            .request
            .decision
            .as_deref()
            .and_then(|d| d.parse::<Decision>().ok())
            .map(|d| d.label())
            .unwrap_or("")
            .into(),
        obtain_label: v.request.obtain_method.parse::<ObtainMethod>().map(|m| m.label()).unwrap_or("").into(),
        delivery_label: v.request.delivery_method.parse::<DeliveryMethod>().map(|m| m.label()).unwrap_or("").into(),
        keberatan_grounds: words(KeberatanGround::ALL, KeberatanGround::as_str, KeberatanGround::label),
        decisions: words(Decision::ALL, Decision::as_str, Decision::label),
        classes: words(DipClass::ALL, DipClass::as_str, DipClass::label),
        exemptions: words(Exemption::ALL, Exemption::as_str, Exemption::label),
        outcomes: words(KeberatanOutcome::ALL, KeberatanOutcome::as_str, KeberatanOutcome::label),
        v,
    }
}

#[derive(Deserialize, Default)]
struct TrackQuery {
    #[serde(default)]
    baru: String,
}

async fn track(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(code): Path<String>,
    Query(q): Query<TrackQuery>,
) -> Result<RequestPage, WebError> {
    let v = state.app.track_info_request(&code).await?;
    Ok(request_page(&state, &visitor, v, !q.baru.is_empty(), String::new(), Vec::new()))
}

async fn track_notice(State(state): State<AppState>, Path(code): Path<String>) -> Result<Response, WebError> {
    let v = state.app.track_info_request(&code).await?;
    let pdf = state.app.info_notice_pdf(&v).await?;
    Ok(download("application/pdf", &format!("pemberitahuan-{}.pdf", v.request.number), pdf))
}

async fn keberatan(
    State(state): State<AppState>,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    Path(code): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, WebError> {
    // Several `grounds` boxes: read the form as pairs (the CSRF layer has checked the token).
    let pairs: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let input = KeberatanInput {
        grounds: pairs.iter().filter(|(k, _)| k == "grounds").map(|(_, v)| v.clone()).collect(),
        reason: pairs.iter().find(|(k, _)| k == "reason").map(|(_, v)| v.clone()).unwrap_or_default(),
    };
    match state.app.file_keberatan(&visitor.actor(&ip), &code, &input).await {
        Ok(number) => {
            let v = state.app.track_info_request(&code).await?;
            let notice = format!("Keberatan Anda tercatat dengan nomor {number}.");
            Ok(request_page(&state, &visitor, v, false, notice, Vec::new()).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let v = state.app.track_info_request(&code).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, request_page(&state, &visitor, v, false, String::new(), errors))
                .into_response())
        }
        Err(AppError::AlreadyDone(message)) => {
            let v = state.app.track_info_request(&code).await?;
            Ok((StatusCode::CONFLICT, request_page(&state, &visitor, v, false, message, Vec::new())).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// ---- staff ----

#[derive(Template, WebTemplate)]
#[template(path = "staff_ppid.html")]
struct RegisterPage {
    layout: Layout,
    r: PpidRegister,
    dip: DipPage,
    year: i32,
    rows: Vec<RegisterLine>,
}

/// One line of the register as the staff table shows it.
struct RegisterLine {
    code: String,
    number: String,
    received: String,
    requester: String,
    information: String,
    state: String,
    due: String,
    sla: String,
    sla_class: &'static str,
    keberatan: String,
}

async fn register(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
) -> Result<RegisterPage, WebError> {
    let actor = balai_app::Actor::Staff(staff.user.clone());
    let r = state.app.ppid_register(&actor, &code).await?;
    let dip = state.app.dip_page(&actor, &code).await?;
    let rows = r
        .rows
        .iter()
        .map(|row| {
            let q = &row.request;
            let sla_class = match row.sla {
                balai_domain::calendar::SlaState::Overdue | balai_domain::calendar::SlaState::Missed => "sla-late",
                balai_domain::calendar::SlaState::DueSoon => "sla-soon",
                _ => "sla-ok",
            };
            let information: String = q.information.chars().take(80).collect();
            RegisterLine {
                code: q.code.clone(),
                number: q.number.clone(),
                received: state.app.format_time(q.received_at),
                requester: q.requester_name.clone(),
                information,
                state: row.state.label().to_string(),
                due: format_tanggal(q.due_on),
                sla: row.sla.label().to_string(),
                sla_class,
                keberatan: row.keberatan.as_ref().map(|k| k.number.clone()).unwrap_or_default(),
            }
        })
        .collect();
    let year = state.app.today().format("%Y").to_string().parse().unwrap_or(2026);
    Ok(RegisterPage { layout: staff.visitor.layout(), r, dip, year, rows })
}

#[derive(Template, WebTemplate)]
#[template(path = "staff_ppid_dip.html")]
struct DipFormPage {
    layout: Layout,
    errors: Vec<FieldError>,
    village: Region,
    action: String,
    v: DipInput,
    item: Option<DipItemView>,
    classes: Vec<(&'static str, &'static str)>,
    forms: Vec<(&'static str, &'static str)>,
    exemptions: Vec<(&'static str, &'static str)>,
    notice: String,
}

impl DipFormPage {
    fn error(&self, name: &str) -> String {
        field_error(&self.errors, name)
    }
}

#[allow(clippy::too_many_arguments)]
fn dip_form(
    visitor: &Visitor,
    village: Region,
    action: String,
    v: DipInput,
    item: Option<DipItemView>,
    errors: Vec<FieldError>,
    notice: String,
) -> DipFormPage {
    DipFormPage {
        layout: visitor.layout(),
        errors,
        village,
        action,
        v,
        item,
        classes: words(DipClass::ALL, DipClass::as_str, DipClass::label),
        forms: words(InfoForm::ALL, InfoForm::as_str, InfoForm::label),
        exemptions: words(Exemption::ALL, Exemption::as_str, Exemption::label),
        notice,
    }
}

#[derive(Deserialize, Default)]
struct DipForm {
    #[serde(default)]
    class: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    holder: String,
    #[serde(default)]
    responsible: String,
    #[serde(default)]
    made_when_where: String,
    #[serde(default)]
    form: String,
    #[serde(default)]
    retention: String,
    #[serde(default)]
    consequence_test: String,
    #[serde(default)]
    exemption: String,
}

impl From<DipForm> for DipInput {
    fn from(f: DipForm) -> Self {
        DipInput {
            class: f.class,
            title: f.title,
            summary: f.summary,
            holder: f.holder,
            responsible: f.responsible,
            made_when_where: f.made_when_where,
            form: f.form,
            retention: f.retention,
            consequence_test: f.consequence_test,
            exemption: f.exemption,
        }
    }
}

async fn new_dip(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
) -> Result<DipFormPage, WebError> {
    let actor = balai_app::Actor::Staff(staff.user.clone());
    let page = state.app.dip_page(&actor, &code).await?;
    if !page.may_manage {
        return Err(WebError(AppError::NotFound));
    }
    let v = DipInput { class: "berkala".into(), form: "keduanya".into(), ..Default::default() };
    Ok(dip_form(
        &staff.visitor,
        page.village,
        format!("/staf/desa/{code}/ppid/dip/baru"),
        v,
        None,
        Vec::new(),
        String::new(),
    ))
}

async fn create_dip(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    crate::extract::Form(f): crate::extract::Form<DipForm>,
) -> Result<Response, WebError> {
    let actor = balai_app::Actor::Staff(staff.user.clone());
    let input: DipInput = f.into();
    match state.app.save_dip_item(&actor, &code, None, &input).await {
        Ok(id) => Ok(Redirect::to(&format!("/staf/ppid/dip/{id}?baru=1")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let (village, _) = state.app.village_region(&code).await?;
            let page = dip_form(
                &staff.visitor,
                village,
                format!("/staf/desa/{code}/ppid/dip/baru"),
                input,
                None,
                errors,
                String::new(),
            );
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

fn input_of(item: &balai_store::ppid::DipItem) -> DipInput {
    DipInput {
        class: item.class.clone(),
        title: item.title.clone(),
        summary: item.summary.clone(),
        holder: item.holder.clone(),
        responsible: item.responsible.clone(),
        made_when_where: item.made_when_where.clone(),
        form: item.form.clone(),
        retention: item.retention.clone(),
        consequence_test: item.consequence_test.clone(),
        exemption: item.exemption.clone().unwrap_or_default(),
    }
}

async fn editable_item(state: &AppState, staff: &Staff, id: &str) -> Result<(DipItemView, Region), WebError> {
    let actor = balai_app::Actor::Staff(staff.user.clone());
    let v = state.app.dip_item(&actor, id).await?;
    let page = state.app.dip_page(&actor, &v.item.village_code).await?;
    if !page.may_manage {
        return Err(WebError(AppError::NotFound));
    }
    Ok((v, page.village))
}

async fn edit_dip(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Query(q): Query<TrackQuery>,
) -> Result<DipFormPage, WebError> {
    let (v, village) = editable_item(&state, &staff, &id).await?;
    let notice = if q.baru.is_empty() { String::new() } else { "Informasi disimpan di DIP.".to_string() };
    Ok(dip_form(
        &staff.visitor,
        village,
        format!("/staf/ppid/dip/{id}"),
        input_of(&v.item),
        Some(v),
        Vec::new(),
        notice,
    ))
}

async fn update_dip(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    crate::extract::Form(f): crate::extract::Form<DipForm>,
) -> Result<Response, WebError> {
    let (v, village) = editable_item(&state, &staff, &id).await?;
    let actor = balai_app::Actor::Staff(staff.user.clone());
    let input: DipInput = f.into();
    match state.app.save_dip_item(&actor, village.code.as_str(), Some(&id), &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/staf/ppid/dip/{id}?baru=1")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = dip_form(
                &staff.visitor,
                village,
                format!("/staf/ppid/dip/{id}"),
                input,
                Some(v),
                errors,
                String::new(),
            );
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn add_file(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    form: UploadForm,
) -> Result<Response, WebError> {
    let (v, village) = editable_item(&state, &staff, &id).await?;
    let actor = balai_app::Actor::Staff(staff.user.clone());
    let added = match form.files.into_iter().find(|u| !u.bytes.is_empty()) {
        Some(upload) => {
            state.app.add_dip_file(&actor, &id, DipUpload { file_name: upload.file_name, bytes: upload.bytes }).await
        }
        None => {
            Err(AppError::Invalid(vec![FieldError::new("berkas", "Pilih berkas PDF, JPEG atau PNG untuk diunggah.")]))
        }
    };
    match added {
        Ok(_) => Ok(Redirect::to(&format!("/staf/ppid/dip/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = dip_form(
                &staff.visitor,
                village,
                format!("/staf/ppid/dip/{id}"),
                input_of(&v.item),
                Some(v),
                errors,
                String::new(),
            );
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn staff_request(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
) -> Result<RequestPage, WebError> {
    let v = state.app.staff_info_request(&balai_app::Actor::Staff(staff.user.clone()), &code).await?;
    Ok(request_page(&state, &staff.visitor, v, false, String::new(), Vec::new()))
}

async fn staff_notice(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let v = state.app.staff_info_request(&balai_app::Actor::Staff(staff.user.clone()), &code).await?;
    let pdf = state.app.info_notice_pdf(&v).await?;
    Ok(download("application/pdf", &format!("pemberitahuan-{}.pdf", v.request.number), pdf))
}

#[derive(Deserialize, Default)]
struct ActionForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    info_class: String,
    #[serde(default)]
    exemption: String,
    #[serde(default)]
    answer: String,
    #[serde(default)]
    fee: String,
    #[serde(default)]
    publish: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    outcome: String,
}

async fn staff_action(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    crate::extract::Form(f): crate::extract::Form<ActionForm>,
) -> Result<Response, WebError> {
    let actor = balai_app::Actor::Staff(staff.user.clone());
    let result = match f.action.as_str() {
        "perpanjang" => {
            state.app.extend_info_request(&actor, &code, &f.reason).await.map(|_| "Waktu jawaban diperpanjang.")
        }
        "putuskan" => {
            let input = DecisionInput {
                decision: f.decision.clone(),
                info_class: f.info_class.clone(),
                exemption: f.exemption.clone(),
                reason: f.reason.clone(),
                answer: f.answer.clone(),
                fee: f.fee.clone(),
                publish: !f.publish.is_empty(),
            };
            state
                .app
                .decide_info_request(&actor, &code, &input)
                .await
                .map(|_| "Keputusan dicatat dan pemohon diberi tahu.")
        }
        "serahkan" => {
            state.app.deliver_info_request(&actor, &code, &f.note).await.map(|_| "Penyerahan informasi dicatat.")
        }
        "jawab_keberatan" => state
            .app
            .answer_keberatan(&actor, &code, &f.outcome, &f.answer)
            .await
            .map(|_| "Tanggapan atas keberatan dicatat."),
        _ => Err(AppError::invalid("action", "Tindakan tidak dikenal.")),
    };
    let (status, notice, errors) = match result {
        Ok(done) => (StatusCode::OK, done.to_string(), Vec::new()),
        Err(AppError::Invalid(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, String::new(), errors),
        Err(AppError::AlreadyDone(message)) => (StatusCode::CONFLICT, message, Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let v = state.app.staff_info_request(&actor, &code).await?;
    Ok((status, request_page(&state, &staff.visitor, v, false, notice, errors)).into_response())
}

// ---- the annual report ----

#[derive(Template, WebTemplate)]
#[template(path = "ppid_laporan.html")]
struct AnnualPage {
    layout: Layout,
    report: AnnualReport,
    tables: Vec<balai_domain::dokumen::ReportTable>,
    base: String,
}

#[derive(Deserialize, Default)]
struct AnnualQuery {
    #[serde(default)]
    tahun: Option<i32>,
    #[serde(default)]
    format: String,
}

async fn annual(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Query(q): Query<AnnualQuery>,
) -> Result<Response, WebError> {
    let actor = balai_app::Actor::Staff(staff.user.clone());
    let year = q.tahun.unwrap_or_else(|| state.app.today().format("%Y").to_string().parse().unwrap_or(2026));
    let format = match q.format.as_str() {
        "pdf" => Some(ReportFormat::Pdf),
        "xlsx" => Some(ReportFormat::Xlsx),
        _ => None,
    };
    if let Some(format) = format {
        let (name, content_type, bytes) = state.app.ppid_annual_file(&actor, &code, year, format).await?;
        return Ok(download(content_type, &name, bytes));
    }
    let report = state.app.ppid_annual_report(&actor, &code, year).await?;
    let tables = report.tables();
    let base = format!("/staf/wilayah/{code}/ppid/laporan?tahun={year}");
    Ok(AnnualPage { layout: staff.visitor.layout(), report, tables, base }.into_response())
}
