//! Report pages: the form anyone can send, tracking by code with the reporter's replies, rating
//! and reopening, the public list with search, the responsiveness scoreboard, and the staff
//! inboxes with the coordinator's and the office's actions.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use balai_app::reports::{
    Channel, InboxItem, NewReportInput, PublicList, PublicListQuery, ReportCommand, ReportUpload, ReportView,
    ReporterCommand, Scoreboard, Viewer,
};
use balai_app::{Actor, AppError, FieldError};
use balai_domain::calendar::format_tanggal;
use balai_domain::lapor::{ReportAction, ReportKind, ReportState, Tier};
use balai_domain::wilayah::KodeWilayah;
use balai_store::reports::ReportCategory;
use rand::Rng;
use serde::Deserialize;
use std::collections::HashMap;

use super::warga::{download, field_error};
use crate::extract::{ClientIp, Form, Layout, Staff, UploadForm, Visitor};
use crate::{AppState, WebError};

/// Three attachments of 5 MB each, plus the text.
pub const REPORT_BODY_LIMIT: usize = 16 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    let uploads = Router::new().route("/lapor", get(form).post(submit)).layer(DefaultBodyLimit::max(REPORT_BODY_LIMIT));
    Router::new()
        .merge(uploads)
        .route("/lapor/langkah", post(step))
        .route("/lapor/lacak", get(find))
        .route("/lapor/lacak/{code}", get(track))
        .route("/lapor/lacak/{code}/{action}", post(reporter_action))
        .route("/lapor/lacak/{code}/lampiran/{file}", get(reporter_file))
        .route("/lapor/publik", get(public_list))
        .route("/lapor/publik/{id}", get(public_report))
        .route("/lapor/kinerja", get(scoreboard))
        .route("/staf/lapor", get(inbox))
        .route("/staf/lapor/kategori", get(categories).post(save_category))
        .route("/staf/lapor/{id}", get(staff_report))
        .route("/staf/lapor/{id}/aksi", post(staff_action))
        .route("/staf/lapor/{id}/lampiran/{file}", get(staff_file))
}

// ---- the form, as question pages ----

/// The report form's pages, in order (the GOV.UK question-page pattern): a few questions each,
/// then a page to check the answers, which also takes the attachments and sends it all to
/// `POST /lapor`. Nothing is kept on the server between pages: each page carries what was typed
/// on the others in hidden fields, so going back or changing an answer loses nothing and any app
/// instance can serve the next page.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Step {
    Jenis,
    Isi,
    Lokasi,
    Kontak,
    Periksa,
}

impl Step {
    const ALL: [Step; 5] = [Step::Jenis, Step::Isi, Step::Lokasi, Step::Kontak, Step::Periksa];

    fn slug(self) -> &'static str {
        match self {
            Step::Jenis => "jenis",
            Step::Isi => "isi",
            Step::Lokasi => "lokasi",
            Step::Kontak => "kontak",
            Step::Periksa => "periksa",
        }
    }

    fn parse(slug: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|s| s.slug() == slug)
    }

    fn number(self) -> usize {
        Step::ALL.iter().position(|s| *s == self).unwrap_or(0) + 1
    }

    fn heading(self) -> &'static str {
        match self {
            Step::Jenis => "Apa yang ingin Anda sampaikan, dan di mana?",
            Step::Isi => "Ceritakan masalahnya",
            Step::Lokasi => "Di mana tepatnya?",
            Step::Kontak => "Identitas dan kontak Anda",
            Step::Periksa => "Periksa kembali laporan Anda",
        }
    }

    /// The fields this page asks, and the names its error messages point at.
    fn fields(self) -> &'static [&'static str] {
        match self {
            Step::Jenis => &["kind", "region", "category"],
            Step::Isi => &["title", "description"],
            Step::Lokasi => &["address", "lat", "long", "location"],
            Step::Kontak => &["name", "email", "phone", "anonymous", "confidential"],
            Step::Periksa => &["lampiran", "idempotency_key"],
        }
    }

    /// The page that asks a field; anything else is shown on the last page.
    fn asking(field: &str) -> Step {
        Step::ALL.into_iter().find(|s| s.fields().contains(&field)).unwrap_or(Step::Periksa)
    }

    fn next(self) -> Step {
        Step::ALL.get(self.number()).copied().unwrap_or(Step::Periksa)
    }

    fn previous(self) -> Step {
        Step::ALL.get(self.number().saturating_sub(2)).copied().unwrap_or(Step::Jenis)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "lapor_form.html")]
struct FormPage {
    layout: Layout,
    step: &'static str,
    number: usize,
    total: usize,
    heading: &'static str,
    errors: Vec<FieldError>,
    v: ReportFormValues,
    /// What the other pages asked, sent along in hidden fields.
    carried: Vec<(&'static str, String)>,
    /// Set when the page was opened from the check page: "Lanjut" goes back there.
    returning: bool,
    kinds: Vec<(&'static str, &'static str)>,
    categories: Vec<ReportCategory>,
    /// (kecamatan, [(code, village name)])
    villages: Vec<(String, Vec<(String, String)>)>,
    resident: bool,
    /// The check page's answers, one group per question page.
    answers: Vec<AnswerGroup>,
}

impl FormPage {
    fn error(&self, name: &str) -> String {
        field_error(&self.errors, name)
    }
}

/// A question page's answers on the check page, with the button that changes them.
struct AnswerGroup {
    step: &'static str,
    heading: &'static str,
    rows: Vec<(&'static str, String)>,
}

#[derive(Default, Clone)]
struct ReportFormValues {
    kind: String,
    category: String,
    region: String,
    title: String,
    description: String,
    address: String,
    lat: String,
    long: String,
    name: String,
    email: String,
    phone: String,
    anonymous: bool,
    confidential: bool,
    key: String,
}

impl ReportFormValues {
    fn from_fields(field: impl Fn(&str) -> String) -> Self {
        ReportFormValues {
            kind: field("kind"),
            category: field("category"),
            region: field("region"),
            title: field("title"),
            description: field("description"),
            address: field("address"),
            lat: field("lat"),
            long: field("long"),
            name: field("name"),
            email: field("email"),
            phone: field("phone"),
            anonymous: !field("anonymous").is_empty(),
            confidential: !field("confidential").is_empty(),
            key: field("idempotency_key"),
        }
    }

    /// Every answer as the form sends it (a box left unticked is not sent).
    fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = vec![
            ("kind", self.kind.clone()),
            ("region", self.region.clone()),
            ("category", self.category.clone()),
            ("title", self.title.clone()),
            ("description", self.description.clone()),
            ("address", self.address.clone()),
            ("lat", self.lat.clone()),
            ("long", self.long.clone()),
            ("name", self.name.clone()),
            ("email", self.email.clone()),
            ("phone", self.phone.clone()),
        ];
        for (name, on) in [("anonymous", self.anonymous), ("confidential", self.confidential)] {
            if on {
                pairs.push((name, "1".into()));
            }
        }
        pairs
    }

    fn input(&self) -> NewReportInput {
        NewReportInput {
            kind: self.kind.clone(),
            category: self.category.clone(),
            region: self.region.clone(),
            title: self.title.clone(),
            description: self.description.clone(),
            address: self.address.clone(),
            lat: self.lat.clone(),
            long: self.long.clone(),
            name: self.name.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            anonymous: self.anonymous,
            confidential: self.confidential,
            idempotency_key: self.key.clone(),
        }
    }
}

#[derive(Deserialize, Default)]
struct FormQuery {
    #[serde(default)]
    desa: String,
}

pub(crate) fn new_form_key() -> String {
    let bytes: [u8; 16] = rand::rng().random();
    hex::encode(bytes)
}

async fn form_page(
    state: &AppState,
    visitor: &Visitor,
    step: Step,
    v: ReportFormValues,
    errors: Vec<FieldError>,
    returning: bool,
) -> Result<FormPage, WebError> {
    let villages = state.app.home_tree().await?.map(super::village_groups).unwrap_or_default();
    let categories: Vec<ReportCategory> =
        state.app.report_categories().await?.into_iter().filter(|c| c.active).collect();
    let kinds: Vec<_> = ReportKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect();
    let resident = visitor.resident.is_some();
    let answers =
        if step == Step::Periksa { answers(&v, &kinds, &categories, &villages, resident) } else { Vec::new() };
    let own = step.fields();
    let carried = v.pairs().into_iter().filter(|(name, _)| !own.contains(name)).collect();
    Ok(FormPage {
        layout: visitor.layout(),
        step: step.slug(),
        number: step.number(),
        total: Step::ALL.len(),
        heading: step.heading(),
        errors: errors.into_iter().filter(|e| Step::asking(&e.field) == step).collect(),
        v,
        carried,
        returning,
        kinds,
        categories,
        villages,
        resident,
        answers,
    })
}

/// The check page's rows, in words (names rather than codes).
fn answers(
    v: &ReportFormValues,
    kinds: &[(&'static str, &'static str)],
    categories: &[ReportCategory],
    villages: &[(String, Vec<(String, String)>)],
    resident: bool,
) -> Vec<AnswerGroup> {
    let or_dash = |s: &str| if s.trim().is_empty() { "—".to_string() } else { s.trim().to_string() };
    let kind = kinds.iter().find(|k| k.0 == v.kind).map_or("—", |k| k.1).to_string();
    let category = categories.iter().find(|c| c.slug == v.category).map_or_else(|| "—".into(), |c| c.name.clone());
    let village = villages
        .iter()
        .find_map(|(kecamatan, list)| {
            list.iter().find(|d| d.0 == v.region).map(|d| format!("{}, Kecamatan {kecamatan}", d.1))
        })
        .unwrap_or_else(|| "—".into());
    let coordinates = match (v.lat.trim(), v.long.trim()) {
        ("", "") => String::new(),
        (lat, long) => format!("{lat}, {long}"),
    };
    let from_account = |s: &str| {
        if s.trim().is_empty() && resident { "dari akun Anda".to_string() } else { or_dash(s) }
    };
    let shown = match (v.anonymous, v.confidential) {
        (false, false) => "Nama Anda terlihat oleh petugas; laporan dapat tampil di daftar publik tanpa kontak Anda",
        (true, false) => "Anonim: nama Anda tidak ditampilkan kepada publik dan instansi",
        (false, true) => "Rahasia: laporan tidak ditampilkan kepada publik",
        (true, true) => "Anonim dan rahasia: nama dan laporan tidak ditampilkan kepada publik",
    };
    vec![
        AnswerGroup {
            step: Step::Jenis.slug(),
            heading: "Jenis dan tempat",
            rows: vec![("Jenis laporan", kind), ("Desa/kelurahan", village), ("Kategori", category)],
        },
        AnswerGroup {
            step: Step::Isi.slug(),
            heading: "Masalahnya",
            rows: vec![("Judul", or_dash(&v.title)), ("Uraian", or_dash(&v.description))],
        },
        AnswerGroup {
            step: Step::Lokasi.slug(),
            heading: "Lokasi",
            rows: vec![("Alamat atau patokan", or_dash(&v.address)), ("Titik koordinat", or_dash(&coordinates))],
        },
        AnswerGroup {
            step: Step::Kontak.slug(),
            heading: "Identitas dan kontak",
            rows: vec![
                ("Nama", from_account(&v.name)),
                ("Email", from_account(&v.email)),
                ("Nomor WhatsApp", from_account(&v.phone)),
                ("Ditampilkan", shown.to_string()),
            ],
        },
    ]
}

async fn form(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<FormQuery>,
) -> Result<FormPage, WebError> {
    let v = ReportFormValues { kind: "pengaduan".into(), region: q.desa, key: new_form_key(), ..Default::default() };
    form_page(&state, &visitor, Step::Jenis, v, Vec::new(), false).await
}

fn actor_of(visitor: &Visitor, ip: String) -> Actor {
    match &visitor.resident {
        Some(resident) => Actor::Resident(resident.clone()),
        None => Actor::Anonymous { ip },
    }
}

/// An information request to a village is the PPID's, on its own legal clock (UU 14/2008): the
/// reporter continues on the PPID form with what they typed.
fn to_village_ppid(v: &ReportFormValues) -> Option<Response> {
    if v.kind != ReportKind::PermintaanInformasi.as_str() {
        return None;
    }
    let code = KodeWilayah::parse(&v.region).ok().filter(|c| c.level() == balai_domain::wilayah::Level::Desa)?;
    let information =
        [v.title.trim(), v.description.trim()].iter().filter(|s| !s.is_empty()).cloned().collect::<Vec<_>>().join("\n");
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("dari", "lapor")
        .append_pair("informasi", &information)
        .append_pair("nama", &v.name)
        .append_pair("email", &v.email)
        .append_pair("telepon", &v.phone)
        .finish();
    Some(Redirect::to(&format!("/desa/{}/ppid/minta?{query}", code.as_str())).into_response())
}

/// One question page answered: "lanjut" checks its answers (and those of the pages before it)
/// and shows the next page, or the same page with what to fix; "kembali" and "ubah-…" show another
/// page without checking.
async fn step(
    State(state): State<AppState>,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    Form(fields): Form<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let field = |name: &str| fields.get(name).cloned().unwrap_or_default();
    let v = ReportFormValues::from_fields(field);
    let at = Step::parse(&field("step")).unwrap_or(Step::Jenis);
    let go = field("go");
    let returning = field("kembali_ke") == Step::Periksa.slug();
    if go == "kembali" {
        let back = if returning { Step::Periksa } else { at.previous() };
        let page = form_page(&state, &visitor, back, v, Vec::new(), returning && back != Step::Periksa).await?;
        return Ok(page.into_response());
    }
    if let Some(other) = go.strip_prefix("ubah-").and_then(Step::parse) {
        return Ok(form_page(&state, &visitor, other, v, Vec::new(), true).await?.into_response());
    }
    // Coming from the check page every earlier answer is checked again, so the next page is it.
    let checked_up_to = if returning { Step::Kontak } else { at };
    let problems = state.app.report_field_problems(&actor_of(&visitor, ip), &v.input()).await?;
    let first_wrong = problems
        .iter()
        .map(|e| Step::asking(&e.field))
        .filter(|s| s.number() <= checked_up_to.number())
        .min_by_key(|s| s.number());
    if let Some(wrong) = first_wrong {
        let page = form_page(&state, &visitor, wrong, v, problems, returning).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    if let Some(redirect) = to_village_ppid(&v) {
        return Ok(redirect);
    }
    let next = if returning { Step::Periksa } else { at.next() };
    Ok(form_page(&state, &visitor, next, v, Vec::new(), false).await?.into_response())
}

/// Sends the report: what the check page posts (every answer and the attachments), or a client
/// that posts the whole form at once. A problem shows the first page that asks a wrong answer.
async fn submit(
    State(state): State<AppState>,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    form: UploadForm,
) -> Result<Response, WebError> {
    let v = ReportFormValues::from_fields(|name| form.fields.get(name).cloned().unwrap_or_default());
    if let Some(redirect) = to_village_ppid(&v) {
        return Ok(redirect);
    }
    let actor = actor_of(&visitor, ip);
    let uploads = form.files.into_iter().map(|u| ReportUpload { file_name: u.file_name, bytes: u.bytes }).collect();
    match state.app.submit_report(&actor, v.input(), uploads, Channel::Web).await {
        Ok(sent) => Ok(Redirect::to(&format!("/lapor/lacak/{}?baru=1", sent.code.as_str())).into_response()),
        Err(AppError::Invalid(errors)) => {
            let first =
                errors.iter().map(|e| Step::asking(&e.field)).min_by_key(|s| s.number()).unwrap_or(Step::Periksa);
            let page = form_page(&state, &visitor, first, v, errors, false).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// ---- tracking ----

#[derive(Template, WebTemplate)]
#[template(path = "lapor_cari.html")]
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
    match balai_domain::lapor::tracking::TrackingCode::parse(&q.kode) {
        Ok(code) => match state.app.store().report(code.as_str()).await {
            Ok(Some(_)) => Redirect::to(&format!("/lapor/lacak/{}", code.as_str())).into_response(),
            Ok(None) => {
                let error = "Tidak ada laporan dengan kode itu. Periksa kembali kodenya.".to_string();
                (StatusCode::NOT_FOUND, FindPage { layout: visitor.layout(), code: q.kode, error }).into_response()
            }
            Err(e) => WebError(e.into()).into_response(),
        },
        Err(e) => {
            let page = FindPage { layout: visitor.layout(), code: q.kode, error: e.message_id() };
            (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
        }
    }
}

/// A report's page, for every viewer: what differs is decided by the view.
#[derive(Template, WebTemplate)]
#[template(path = "lapor_laporan.html")]
struct ReportPage {
    layout: Layout,
    errors: Vec<FieldError>,
    notice: String,
    code: String,
    base: String,
    v: ReportView,
    received: String,
    deadline: String,
    deadline_explained: String,
    sla: String,
    sla_class: &'static str,
    /// (when, who, what, text, internal)
    events: Vec<(String, String, String, String, bool)>,
    /// (id, name, size in KB)
    files: Vec<(String, String, i64)>,
    /// Staff only: (value, label) of offices and villages to dispose to.
    handlers: Vec<(String, String)>,
    tiers: Vec<(&'static str, &'static str)>,
}

impl ReportPage {
    fn may(&self, action: &str) -> bool {
        self.v.actions.iter().any(|a| a.as_str() == action)
    }
}

fn event_label(action: &str) -> String {
    match action {
        "kirim" => "Laporan dikirim".into(),
        "balas" => "Balasan pelapor".into(),
        "nilai" => "Penilaian pelapor".into(),
        "catatan" => "Catatan internal".into(),
        "ubah" => "Judul/penanda diubah".into(),
        "pengingat" => "Pengingat batas waktu".into(),
        "eskalasi" => "Eskalasi".into(),
        other => other.parse::<ReportAction>().map_or_else(|_| other.to_string(), |a| a.label().to_string()),
    }
}

async fn report_page(
    state: &AppState,
    visitor: &Visitor,
    v: ReportView,
    code: String,
    notice: String,
    errors: Vec<FieldError>,
) -> Result<ReportPage, WebError> {
    let base = match v.viewer {
        Viewer::Reporter => format!("/lapor/lacak/{code}"),
        Viewer::Public => format!("/lapor/publik/{}", v.report.public_id),
        Viewer::Coordinator | Viewer::Office => format!("/staf/lapor/{}", v.report.public_id),
    };
    let (deadline, deadline_explained, sla, sla_class) = match &v.deadline {
        Some((d, sla)) => (
            format_tanggal(d.due),
            d.explain(),
            sla.label().to_string(),
            match sla {
                balai_domain::calendar::SlaState::Overdue => "sla-late",
                balai_domain::calendar::SlaState::DueSoon => "sla-soon",
                _ => "sla-ok",
            },
        ),
        None => (String::new(), String::new(), String::new(), ""),
    };
    let events = v
        .events
        .iter()
        .map(|e| {
            (
                state.app.format_time(e.at),
                if v.viewer == Viewer::Public && e.party == "pelapor" {
                    "Pelapor".into()
                } else {
                    e.actor_name.clone()
                },
                event_label(&e.action),
                e.body.clone(),
                e.visibility == "internal",
            )
        })
        .collect();
    let files = v.files.iter().map(|f| (f.id.clone(), f.file_name.clone(), (f.size_bytes + 1023) / 1024)).collect();
    let handlers = if v.viewer == Viewer::Coordinator && v.actions.contains(&ReportAction::Disposisi) {
        let mut out: Vec<(String, String)> =
            state.app.offices().await?.into_iter().map(|o| (format!("opd:{}", o.slug), o.name)).collect();
        if let Some(tree) = state.app.home_tree().await? {
            for (kec, villages) in tree.groups {
                for d in villages {
                    out.push((format!("desa:{}", d.code), format!("{} (Kec. {})", d.title(), kec.name)));
                }
            }
        }
        out
    } else {
        Vec::new()
    };
    Ok(ReportPage {
        layout: visitor.layout(),
        errors,
        notice,
        code,
        base,
        received: state.app.format_time(v.report.received_at),
        deadline,
        deadline_explained,
        sla,
        sla_class,
        events,
        files,
        handlers,
        tiers: Tier::ALL.iter().map(|t| (t.as_str(), t.label())).collect(),
        v,
    })
}

#[derive(Deserialize, Default)]
struct TrackQuery {
    #[serde(default)]
    baru: String,
    #[serde(default)]
    pesan: String,
}

fn notice_for(q: &TrackQuery, v: &ReportView) -> String {
    if !q.baru.is_empty() {
        return format!(
            "Laporan Anda terkirim. Simpan kode pelacakan ini: hanya dengan kode ini Anda dapat memantau, membalas dan \
             menilai laporan. Koordinator akan memverifikasinya paling lambat {}.",
            format_tanggal(v.report.verify_due)
        );
    }
    match q.pesan.as_str() {
        "terkirim" => "Terima kasih, sudah kami simpan.".into(),
        _ => String::new(),
    }
}

async fn track(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(code): Path<String>,
    Query(q): Query<TrackQuery>,
) -> Result<ReportPage, WebError> {
    let v = state.app.track_report(&code).await?;
    let notice = notice_for(&q, &v);
    let code = v.report.code.clone();
    report_page(&state, &visitor, v, code, notice, Vec::new()).await
}

#[derive(Deserialize, Default)]
struct ReporterForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    rating: String,
}

async fn reporter_action(
    State(state): State<AppState>,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    Path((code, action)): Path<(String, String)>,
    Form(f): Form<ReporterForm>,
) -> Result<Response, WebError> {
    let cmd = match action.as_str() {
        "jelaskan" => ReporterCommand::Jelaskan(f.text),
        "balas" => ReporterCommand::Balas(f.text),
        "nilai" => ReporterCommand::Nilai { rating: f.rating, note: f.text },
        "buka-kembali" => ReporterCommand::BukaKembali(f.text),
        _ => return Err(AppError::NotFound.into()),
    };
    let actor = Actor::Anonymous { ip };
    match state.app.reporter_act(&actor, &code, cmd).await {
        Ok(()) => Ok(Redirect::to(&format!("/lapor/lacak/{code}?pesan=terkirim")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let v = state.app.track_report(&code).await?;
            let code = v.report.code.clone();
            let page = report_page(&state, &visitor, v, code, String::new(), errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn reporter_file(
    State(state): State<AppState>,
    Path((code, file)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let (meta, bytes) = state.app.report_file(&Actor::Anonymous { ip: String::new() }, &code, &file).await?;
    Ok(download(&meta.content_type, &meta.file_name, bytes))
}

// ---- public ----

#[derive(Template, WebTemplate)]
#[template(path = "lapor_publik.html")]
struct PublicPage {
    layout: Layout,
    list: PublicList,
    q: PublicQueryForm,
    /// (kind label, state label, received) per item, in the list's order.
    labels: Vec<(String, String, String)>,
    villages: Vec<(String, String)>,
    offices: Vec<(String, String)>,
    next_url: String,
    prev_url: String,
}

#[derive(Deserialize, Default, Clone)]
struct PublicQueryForm {
    #[serde(default)]
    desa: String,
    #[serde(default)]
    opd: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    hal: Option<i64>,
}

fn page_url(q: &PublicQueryForm, page: i64) -> String {
    let mut url = form_urlencoded::Serializer::new(String::new());
    url.append_pair("desa", &q.desa).append_pair("opd", &q.opd).append_pair("q", &q.q);
    url.append_pair("hal", &page.to_string());
    format!("/lapor/publik?{}", url.finish())
}

async fn public_list(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<PublicQueryForm>,
) -> Result<PublicPage, WebError> {
    let list = state
        .app
        .public_reports(&PublicListQuery {
            region: q.desa.clone(),
            office: q.opd.clone(),
            text: q.q.chars().take(200).collect(),
            page: q.hal.unwrap_or(1),
        })
        .await?;
    let labels = list
        .items
        .iter()
        .map(|i| {
            (
                i.kind.parse::<ReportKind>().map_or("", |k| k.label()).to_string(),
                i.state.parse::<ReportState>().map_or("", |s| s.label()).to_string(),
                state.app.format_time(i.received_at),
            )
        })
        .collect();
    let villages = match state.app.home_tree().await? {
        Some(tree) => tree
            .groups
            .into_iter()
            .flat_map(|(_, desa)| desa.into_iter().map(|d| (d.code.as_str().to_string(), d.name)))
            .collect(),
        None => Vec::new(),
    };
    let offices = state.app.offices().await?.into_iter().map(|o| (o.slug, o.name)).collect();
    let next_url = if list.has_next { page_url(&q, list.page + 1) } else { String::new() };
    let prev_url = if list.page > 1 { page_url(&q, list.page - 1) } else { String::new() };
    Ok(PublicPage { layout: visitor.layout(), list, q, labels, villages, offices, next_url, prev_url })
}

async fn public_report(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<ReportPage, WebError> {
    let v = state.app.public_report(&id).await?;
    report_page(&state, &visitor, v, String::new(), String::new(), Vec::new()).await
}

#[derive(Template, WebTemplate)]
#[template(path = "lapor_kinerja.html")]
struct ScoreboardPage {
    layout: Layout,
    board: Scoreboard,
    since: String,
}

async fn scoreboard(State(state): State<AppState>, visitor: Visitor) -> Result<ScoreboardPage, WebError> {
    let board = state.app.report_scoreboard().await?;
    Ok(ScoreboardPage { layout: visitor.layout(), since: format_tanggal(board.since), board })
}

impl ScoreboardPage {
    /// "87%" or "—".
    fn pct(&self, value: &Option<f64>) -> String {
        value.map_or_else(|| "—".to_string(), |v| format!("{v:.0}%"))
    }

    /// "2,5" or "—".
    fn days(&self, value: &Option<f64>) -> String {
        value.map_or_else(|| "—".to_string(), |v| format!("{v:.1}").replace('.', ","))
    }
}

// ---- staff ----

#[derive(Template, WebTemplate)]
#[template(path = "staff_lapor_inbox.html")]
struct InboxPage {
    layout: Layout,
    new: Vec<InboxRow>,
    waiting: Vec<InboxRow>,
    escalated: Vec<InboxRow>,
    office: Vec<InboxRow>,
    coordinator: bool,
    handles: bool,
    admin: bool,
}

struct InboxRow {
    id: String,
    title: String,
    state: String,
    due: String,
    sla: String,
    sla_class: &'static str,
    escalated: bool,
}

fn inbox_rows(items: Vec<InboxItem>) -> Vec<InboxRow> {
    items
        .into_iter()
        .map(|i| InboxRow {
            id: i.report.public_id.clone(),
            title: i.report.public_title.clone(),
            state: i.report.state.parse::<ReportState>().map_or("", |s| s.label()).to_string(),
            due: i.report.due_on.map(format_tanggal).unwrap_or_default(),
            sla: i.sla.map(|s| s.label().to_string()).unwrap_or_default(),
            sla_class: match i.sla {
                Some(balai_domain::calendar::SlaState::Overdue) => "sla-late",
                Some(balai_domain::calendar::SlaState::DueSoon) => "sla-soon",
                _ => "sla-ok",
            },
            escalated: i.escalated,
        })
        .collect()
}

async fn inbox(State(state): State<AppState>, staff: Staff) -> Result<InboxPage, WebError> {
    use balai_domain::roles::Permission;
    let actor = Actor::Staff(staff.user.clone());
    let grants = &staff.user.grants;
    let coordinator = grants.iter().any(|g| g.role.permissions().contains(&Permission::CoordinateReports));
    let handles = grants.iter().any(|g| g.role.permissions().contains(&Permission::HandleReports));
    let admin = grants.iter().any(|g| g.role == balai_domain::roles::Role::AdminKabupaten);
    let (new, waiting, escalated) =
        if coordinator { state.app.coordinator_inbox(&actor).await? } else { Default::default() };
    let office = if handles { state.app.office_inbox(&actor).await? } else { Vec::new() };
    Ok(InboxPage {
        layout: staff.visitor.layout(),
        new: inbox_rows(new),
        waiting: inbox_rows(waiting),
        escalated: inbox_rows(escalated),
        office: inbox_rows(office),
        coordinator,
        handles,
        admin,
    })
}

async fn staff_report(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Query(q): Query<TrackQuery>,
) -> Result<ReportPage, WebError> {
    let v = state.app.staff_report(&Actor::Staff(staff.user.clone()), &id).await?;
    let notice = if q.pesan == "terkirim" { "Tersimpan.".to_string() } else { String::new() };
    report_page(&state, &staff.visitor, v, String::new(), notice, Vec::new()).await
}

#[derive(Deserialize, Default)]
struct StaffActionForm {
    action: String,
    #[serde(default)]
    handler: String,
    #[serde(default)]
    tier: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    public_title: String,
    #[serde(default)]
    anonymous: Option<String>,
    #[serde(default)]
    confidential: Option<String>,
}

async fn staff_action(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(f): Form<StaffActionForm>,
) -> Result<Response, WebError> {
    let actor = Actor::Staff(staff.user.clone());
    let cmd = ReportCommand {
        action: f.action,
        handler: f.handler,
        tier: f.tier,
        text: f.text,
        public_title: f.public_title,
        anonymous: f.anonymous.is_some(),
        confidential: f.confidential.is_some(),
    };
    match state.app.act_on_report(&actor, &id, cmd).await {
        Ok(()) => Ok(Redirect::to(&format!("/staf/lapor/{id}?pesan=terkirim")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let v = state.app.staff_report(&actor, &id).await?;
            let page = report_page(&state, &staff.visitor, v, String::new(), String::new(), errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn staff_file(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let (meta, bytes) = state.app.report_file(&Actor::Staff(staff.user.clone()), &id, &file).await?;
    Ok(download(&meta.content_type, &meta.file_name, bytes))
}

#[derive(Template, WebTemplate)]
#[template(path = "staff_lapor_kategori.html")]
struct CategoriesPage {
    layout: Layout,
    errors: Vec<FieldError>,
    categories: Vec<ReportCategory>,
    tiers: Vec<(&'static str, &'static str)>,
    saved: bool,
}

#[derive(Deserialize, Default)]
struct SavedQuery {
    #[serde(default)]
    pesan: String,
}

async fn categories(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<SavedQuery>,
) -> Result<CategoriesPage, WebError> {
    if !staff.user.grants.iter().any(|g| g.role == balai_domain::roles::Role::AdminKabupaten) {
        return Err(AppError::Forbidden.into());
    }
    Ok(CategoriesPage {
        layout: staff.visitor.layout(),
        errors: Vec::new(),
        categories: state.app.report_categories().await?,
        tiers: Tier::ALL.iter().map(|t| (t.as_str(), t.label())).collect(),
        saved: q.pesan == "tersimpan",
    })
}

#[derive(Deserialize, Default)]
struct CategoryForm {
    slug: String,
    name: String,
    tier: String,
    #[serde(default)]
    active: Option<String>,
}

async fn save_category(
    State(state): State<AppState>,
    staff: Staff,
    Form(f): Form<CategoryForm>,
) -> Result<Response, WebError> {
    let actor = Actor::Staff(staff.user.clone());
    match state.app.save_report_category(&actor, &f.slug, &f.name, &f.tier, f.active.is_some()).await {
        Ok(()) => Ok(Redirect::to("/staf/lapor/kategori?pesan=tersimpan").into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = CategoriesPage {
                layout: staff.visitor.layout(),
                errors,
                categories: state.app.report_categories().await?,
                tiers: Tier::ALL.iter().map(|t| (t.as_str(), t.label())).collect(),
                saved: false,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
