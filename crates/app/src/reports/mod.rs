//! Reports (pengaduan, aspirasi, permintaan informasi) as SP4N-LAPOR! handles them: submission
//! with an immediate confirmation, the coordinator's verification and disposition, the office's
//! replies, the reporter's clarification, rating and reopening, and what the public sees.

mod actions;
mod categories;
pub(crate) mod export;
mod inbound;
mod public;
mod scheduler;

use balai_domain::calendar::{Clock as DeadlineClock, Deadline, SlaState, format_tanggal};
use balai_domain::contact::{MAX_UPLOAD_BYTES, clean_file_name, normalize_email, normalize_phone, sniff_upload};
use balai_domain::lapor::tracking::TrackingCode;
use balai_domain::lapor::{
    self, MAX_ATTACHMENTS, ReportKind, ReportParty, ReportState, Tier, check_title_and_description, parse_location,
};
use balai_domain::roles::{Permission, Target};
use balai_domain::wilayah::KodeWilayah;
use balai_store::outbox::NewMessage;
use balai_store::reports::{Created, NewReportFile, Report, ReportEvent, ReportFileMeta};
use chrono::{DateTime, Utc};
use rand::Rng;
use serde_json::json;
use sha2::{Digest, Sha256};

pub use actions::{ReportCommand, ReporterCommand};
pub use categories::CategoryImport;
pub use export::{ExportFormat, ReportExport, ReportExportFilter};
pub use public::{InboxItem, PublicItem, PublicList, PublicListQuery, ScoreLine, Scoreboard};
pub use scheduler::DeadlinePass;

use crate::{Actor, App, AppError, AppResult, FieldError};

/// How a report arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Web,
    Open311,
    Sms,
    /// Filed by a pendamping for a resident, with recorded consent.
    Pendamping,
}

impl Channel {
    pub fn as_str(&self) -> &'static str {
        match self {
            Channel::Web => "web",
            Channel::Open311 => "open311",
            Channel::Sms => "sms",
            Channel::Pendamping => "pendamping",
        }
    }
}

/// What a reporter fills in (web form, Open311, or a text message).
#[derive(Debug, Clone, Default)]
pub struct NewReportInput {
    pub kind: String,
    pub category: String,
    /// A village (or, from a text message without one, the regency).
    pub region: String,
    pub title: String,
    pub description: String,
    pub address: String,
    pub lat: String,
    pub long: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub anonymous: bool,
    pub confidential: bool,
    /// Set by the form when it is shown; a second submission with the same key is the first.
    pub idempotency_key: String,
}

/// A report's fields once checked and cleaned.
struct CheckedReport {
    kind: ReportKind,
    category: balai_store::reports::ReportCategory,
    region: balai_domain::wilayah::Region,
    title: String,
    description: String,
    location: Option<lapor::Location>,
    address: String,
    name: String,
    email: String,
    phone: String,
    resident_id: Option<i64>,
}

/// A file sent with a report.
#[derive(Debug, Clone)]
pub struct ReportUpload {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// The outcome of a submission.
#[derive(Debug, Clone)]
pub struct Submitted {
    pub code: TrackingCode,
    pub public_id: String,
    /// The same form was sent twice; this is the report the first one made.
    pub duplicate: bool,
    pub verify_deadline: Deadline,
    /// Where the confirmation went (`email`, `whatsapp`).
    pub channels: Vec<&'static str>,
}

/// Which side of a report the viewer is on, deciding what they see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// Anyone, on the public list: only public text, never the reporter.
    Public,
    /// Whoever holds the tracking code (the reporter).
    Reporter,
    Coordinator,
    Office,
}

/// A report as a page shows it to one viewer.
#[derive(Debug, Clone)]
pub struct ReportView {
    pub report: Report,
    pub viewer: Viewer,
    pub kind: ReportKind,
    pub state: ReportState,
    pub category_name: String,
    pub region_name: String,
    /// Who must act now, in words ("Dinas PUPR", "Koordinator kabupaten", "Pelapor").
    pub holder: String,
    /// The reporter as this viewer may see them: a name, or "Anonim".
    pub reporter: String,
    /// Email and phone, for the coordinator and the office when not anonymous.
    pub contact: Option<String>,
    pub events: Vec<ReportEvent>,
    pub files: Vec<ReportFileMeta>,
    /// The deadline that runs now, explained, and its SLA state.
    pub deadline: Option<(Deadline, SlaState)>,
    /// Actions the viewer may take now.
    pub actions: Vec<lapor::ReportAction>,
    pub may_reply: bool,
    pub may_rate: bool,
    pub may_reopen: bool,
    pub escalated: bool,
    /// Who filed it for the resident, with which consent: for the coordinator and the office.
    pub assistance: Option<balai_store::assistance::Assistance>,
}

impl App {
    /// Takes a report from anyone (a signed-in resident's report is linked to their account),
    /// stores it with its confirmation messages in one transaction and returns the tracking code.
    pub async fn submit_report(
        &self,
        actor: &Actor,
        input: NewReportInput,
        uploads: Vec<ReportUpload>,
        channel: Channel,
    ) -> AppResult<Submitted> {
        self.file_report(actor, input, uploads, channel, None, Vec::new()).await
    }

    /// Takes a report; an assisted one (`assisted`, with `errors` found in its assistance part)
    /// is the resident's, on the contact the pendamping recorded.
    pub(crate) async fn file_report(
        &self,
        actor: &Actor,
        mut input: NewReportInput,
        uploads: Vec<ReportUpload>,
        channel: Channel,
        assisted: Option<&crate::assist::Assisted>,
        mut errors: Vec<FieldError>,
    ) -> AppResult<Submitted> {
        if let Some(a) = assisted {
            input.name.clone_from(&a.person.nama);
            input.email.clone_from(&a.email);
            input.phone.clone_from(&a.phone);
            input.anonymous = false;
            input.region.clone_from(&a.person.village_code);
        }
        let checked = self.check_report_fields(actor, &input, channel, &mut errors).await?;
        let files = check_report_uploads(uploads, &mut errors);
        let key = input.idempotency_key.trim();
        if key.len() > 64 || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            errors.push(FieldError::new(
                "idempotency_key",
                "Formulir tidak dikenali; muat ulang halaman dan kirim lagi.",
            ));
        }
        let Some(CheckedReport {
            kind,
            category,
            region,
            title,
            description,
            location,
            address,
            name,
            email,
            phone,
            resident_id,
        }) = checked
        else {
            return Err(AppError::Invalid(errors));
        };
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }

        let now = self.now();
        let calendar = self.working_calendar().await?;
        let verify_deadline =
            calendar.add_working_days(self.local_date(now), DeadlineClock::VerifikasiLaporan.working_days());
        let code = TrackingCode::from_random(rand::rng().random::<u64>());
        let tier: Tier = category.tier.parse().unwrap_or(Tier::Normatif);
        let anonymous = input.anonymous;
        let report = Report {
            code: code.as_str().to_string(),
            public_id: public_id_of(&code),
            kind: kind.as_str().into(),
            category: category.slug.clone(),
            region_code: region.code.as_str().to_string(),
            public_title: title.clone(),
            title,
            description,
            address,
            latitude: location.map(|l| l.lat),
            longitude: location.map(|l| l.long),
            reporter_name: name,
            reporter_email: email,
            reporter_phone: phone,
            resident_id,
            anonymous,
            confidential: input.confidential,
            channel: channel.as_str().into(),
            state: ReportState::Diterima.as_str().into(),
            handler: None,
            tier: tier.as_str().into(),
            received_at: now,
            verify_due: verify_deadline.due,
            verified_at: None,
            verified_on_time: None,
            disposed_at: None,
            respond_due: None,
            complete_due: None,
            first_response_at: None,
            answered_on_time: None,
            closed_at: None,
            done_working_days: None,
            due_on: Some(verify_deadline.due),
            sla_state: calendar.sla_state(verify_deadline.due, self.local_date(now), None).as_str().into(),
            reminded_for: None,
            escalated_for: None,
            rating: None,
            rating_note: String::new(),
            reopened: 0,
            listed: false,
            idempotency_key: (!key.is_empty()).then(|| key.to_string()),
            updated_at: now,
        };
        let event = ReportEvent {
            at: now,
            party: ReportParty::Pelapor.as_str().into(),
            actor_name: match assisted {
                _ if anonymous => "Anonim".into(),
                Some(a) => format!("{} (melalui pendamping {})", report.reporter_name, a.pendamping_name),
                None => report.reporter_name.clone(),
            },
            action: "kirim".into(),
            from_state: String::new(),
            to_state: report.state.clone(),
            body: String::new(),
            visibility: "publik".into(),
        };
        let text = format!(
            "Laporan Anda \"{}\" sudah kami terima dengan kode pelacakan {}. Koordinator akan memverifikasinya \
             paling lambat {} lalu meneruskannya ke instansi yang berwenang. Pantau di {}",
            report.title,
            code.display(),
            format_tanggal(verify_deadline.due),
            self.tracking_url(&code)
        );
        let messages = self.reporter_messages(&report, &format!("Laporan diterima ({})", code.display()), &text);
        let channels = confirmation_channels(&report);
        let mut details = json!({"kind": report.kind, "category": report.category, "region": report.region_code,
                                 "channel": report.channel, "files": files.len(), "anonymous": anonymous});
        if let Some(a) = assisted {
            a.add_audit_details(&mut details);
        }
        let audit = self.audit_event(actor, "report.submit", format!("report:{}", report.public_id), details);
        let record = assisted.map(|a| a.record(crate::assist::report_object(&report.code), now));
        match self.store.create_report(&report, &event, &files, &messages, audit, record.as_ref()).await? {
            Created::Created => {
                Ok(Submitted { public_id: report.public_id, code, duplicate: false, verify_deadline, channels })
            }
            Created::Duplicate(existing) => {
                let first = self.store.report(&existing).await?.ok_or(AppError::NotFound)?;
                let code = TrackingCode::parse(&first.code).map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
                let verify_deadline = calendar.add_working_days(
                    self.local_date(first.received_at),
                    DeadlineClock::VerifikasiLaporan.working_days(),
                );
                let channels = confirmation_channels(&first);
                Ok(Submitted { public_id: first.public_id, code, duplicate: true, verify_deadline, channels })
            }
        }
    }

    /// What is wrong with a report's fields (everything but its files and form key), as the web
    /// form's steps check them before the last one sends it all.
    pub async fn report_field_problems(&self, actor: &Actor, input: &NewReportInput) -> AppResult<Vec<FieldError>> {
        let mut errors = Vec::new();
        self.check_report_fields(actor, input, Channel::Web, &mut errors).await?;
        Ok(errors)
    }

    /// Checks and cleans a report's fields, adding to `errors`; `None` when the kind, category or
    /// region cannot be known.
    async fn check_report_fields(
        &self,
        actor: &Actor,
        input: &NewReportInput,
        channel: Channel,
        errors: &mut Vec<FieldError>,
    ) -> AppResult<Option<CheckedReport>> {
        let kind = input.kind.parse::<ReportKind>().ok();
        if kind.is_none() {
            errors.push(FieldError::new("kind", "Pilih jenis laporan: pengaduan, aspirasi atau permintaan informasi."));
        }
        let categories = self.report_categories().await?;
        let category = categories.iter().find(|c| c.active && c.slug == input.category.trim());
        if category.is_none() {
            errors.push(FieldError::new("category", "Pilih kategori laporan."));
        }
        let region = match KodeWilayah::parse(&input.region) {
            Ok(code) => match self.cached_region(&code).await? {
                Some(region) => Some(region),
                None => {
                    errors.push(FieldError::new("region", "Desa itu tidak ada di data wilayah."));
                    None
                }
            },
            Err(_) => {
                errors.push(FieldError::new("region", "Pilih desa/kelurahan tempat masalah ini terjadi."));
                None
            }
        };
        let (title, description) = match check_title_and_description(&input.title, &input.description) {
            Ok(pair) => pair,
            Err(problems) => {
                errors.extend(problems.into_iter().map(|p| FieldError::new(p.field, p.message)));
                Default::default()
            }
        };
        let location = parse_location(&input.lat, &input.long)
            .map_err(|p| errors.push(FieldError::new(p.field, p.message)))
            .ok()
            .flatten();
        let address = lapor::clean_text(&input.address).replace('\n', " ");
        if address.chars().count() > 300 {
            errors.push(FieldError::new("address", "Alamat lokasi paling banyak 300 karakter."));
        }
        let (mut name, mut email, mut phone) = (
            lapor::clean_text(&input.name).replace('\n', " "),
            input.email.trim().to_string(),
            input.phone.trim().to_string(),
        );
        let mut resident_id = None;
        if let Actor::Resident(resident) = actor {
            resident_id = Some(resident.id);
            if name.is_empty() {
                name.clone_from(&resident.full_name);
            }
            if email.is_empty() {
                email.clone_from(&resident.email);
            }
            if phone.is_empty() {
                phone.clone_from(&resident.phone);
            }
        }
        if name.chars().count() > 120 {
            errors.push(FieldError::new("name", "Nama paling banyak 120 karakter."));
        }
        let (email, phone) = optional_contact(&email, &phone, errors);
        if !input.anonymous && email.is_empty() && phone.is_empty() && errors.iter().all(|e| e.field != "email") {
            errors.push(FieldError::new(
                "email",
                "Isi email atau nomor WhatsApp agar kami dapat mengabari Anda, atau pilih kirim sebagai anonim.",
            ));
        }
        // A text message or an Open311 client may not carry a name; the web form asks for one.
        if !input.anonymous && name.is_empty() && resident_id.is_none() && channel == Channel::Web {
            errors.push(FieldError::new("name", "Isi nama Anda, atau pilih kirim sebagai anonim."));
        }
        let (Some(kind), Some(category), Some(region)) = (kind, category, region) else {
            return Ok(None);
        };
        Ok(Some(CheckedReport {
            kind,
            category: category.clone(),
            region,
            title,
            description,
            location,
            address,
            name,
            email,
            phone,
            resident_id,
        }))
    }

    /// The report behind a tracking code, as its reporter sees it. A code that is mistyped or
    /// unknown is `NotFound` (with the reason for a mistyped one).
    pub async fn track_report(&self, code: &str) -> AppResult<ReportView> {
        let code = TrackingCode::parse(code).map_err(|e| AppError::invalid("code", e.message_id()))?;
        let report = self.store.report(code.as_str()).await?.ok_or(AppError::NotFound)?;
        self.report_view(report, Viewer::Reporter).await
    }

    /// A report on the public list: verified, not `rahasia`.
    pub async fn public_report(&self, public_id: &str) -> AppResult<ReportView> {
        let report = self.store.report_by_public_id(public_id.trim()).await?.ok_or(AppError::NotFound)?;
        if !report.listed {
            return Err(AppError::NotFound);
        }
        self.report_view(report, Viewer::Public).await
    }

    /// A report as staff see it: the coordinator of its region, or the office holding it.
    pub async fn staff_report(&self, actor: &Actor, public_id: &str) -> AppResult<ReportView> {
        let report = self.store.report_by_public_id(public_id.trim()).await?.ok_or(AppError::NotFound)?;
        let viewer = self.staff_side(actor, &report).await?;
        self.report_view(report, viewer).await
    }

    /// Which side a staff member is on for this report; `NotFound` when neither.
    async fn staff_side(&self, actor: &Actor, report: &Report) -> AppResult<Viewer> {
        if matches!(actor, Actor::Anonymous { .. } | Actor::Resident(_)) {
            return Err(AppError::Unauthenticated);
        }
        if self.may_handle(actor, report).await? {
            return Ok(Viewer::Office);
        }
        let region = KodeWilayah::parse(&report.region_code).map_err(|_| AppError::NotFound)?;
        if actor.may(Permission::CoordinateReports, &Target::Wilayah(&region)) {
            return Ok(Viewer::Coordinator);
        }
        Err(AppError::NotFound)
    }

    /// Whether the actor answers for the office or village holding the report.
    async fn may_handle(&self, actor: &Actor, report: &Report) -> AppResult<bool> {
        let Some(handler) = report.handler.as_deref() else { return Ok(false) };
        if let Some(slug) = handler.strip_prefix("opd:") {
            let Some(office) = self.store.office(slug).await? else { return Ok(false) };
            return Ok(actor.may(Permission::HandleReports, &Target::Office { slug, regency: &office.regency }));
        }
        if let Some(code) = handler.strip_prefix("desa:")
            && let Ok(code) = KodeWilayah::parse(code)
        {
            return Ok(actor.may(Permission::HandleReports, &Target::Wilayah(&code)));
        }
        Ok(false)
    }

    async fn report_view(&self, report: Report, viewer: Viewer) -> AppResult<ReportView> {
        let calendar = self.working_calendar().await?;
        let kind = report.kind.parse::<ReportKind>().map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
        let state = report.state.parse::<ReportState>().map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
        let category_name = self
            .report_categories()
            .await?
            .into_iter()
            .find(|c| c.slug == report.category)
            .map_or_else(|| report.category.clone(), |c| c.name);
        let region_name = match KodeWilayah::parse(&report.region_code) {
            Ok(code) => self.cached_region(&code).await?.map_or_else(|| report.region_code.clone(), |r| r.title()),
            Err(_) => report.region_code.clone(),
        };
        let holder = match state {
            ReportState::Tunda => "Pelapor (diminta memberi penjelasan)".to_string(),
            _ if state.is_closed() => "—".to_string(),
            ReportState::Diterima => "Koordinator pengaduan".to_string(),
            _ => self.handler_name(report.handler.as_deref()).await?,
        };
        let staff = matches!(viewer, Viewer::Coordinator | Viewer::Office);
        let name = if report.reporter_name.is_empty() { "Tanpa nama" } else { report.reporter_name.as_str() };
        let reporter = match (report.anonymous, viewer) {
            (true, Viewer::Coordinator) => format!("{name} (anonim: hanya koordinator yang melihat identitas ini)"),
            (true, _) => "Anonim".to_string(),
            (false, _) => name.to_string(),
        };
        let contact = (viewer == Viewer::Coordinator || (viewer == Viewer::Office && !report.anonymous))
            .then(|| {
                [report.reporter_email.as_str(), report.reporter_phone.as_str()]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .filter(|s| !s.is_empty());
        let all_events = self.store.report_events(&report.code).await?;
        // The clock that runs now started at receipt (or the reporter's clarification) while the
        // coordinator holds the report, and at the last disposition once an office does.
        let starters: &[&str] =
            if state == ReportState::Diterima { &["kirim", "jelaskan"] } else { &["disposisi", "buka_kembali"] };
        let clock_start = all_events
            .iter()
            .rev()
            .find(|e| starters.contains(&e.action.as_str()))
            .map_or(report.received_at, |e| e.at);
        let events = all_events
            .into_iter()
            .filter(|e| match viewer {
                Viewer::Public => e.visibility == "publik",
                Viewer::Reporter => e.visibility != "internal",
                _ => true,
            })
            .collect();
        let files = if viewer == Viewer::Public { Vec::new() } else { self.store.report_files(&report.code).await? };
        let today = self.today();
        let deadline = report.due_on.map(|due| {
            let start = self.local_date(clock_start);
            let counted_from = if calendar.is_working_day(start) { start } else { calendar.next_working_day(start) };
            let days = calendar.working_days_between(counted_from, due).max(0) as u32;
            (calendar.add_working_days(start, days), calendar.sla_state(due, today, None))
        });
        let party = match viewer {
            Viewer::Coordinator => Some(ReportParty::Koordinator),
            Viewer::Office => Some(ReportParty::Instansi),
            Viewer::Reporter => Some(ReportParty::Pelapor),
            Viewer::Public => None,
        };
        let actions = party.map(|p| lapor::actions_for(state, p)).unwrap_or_default();
        let closed_on = report.closed_at.map(|at| self.local_date(at));
        let may_reopen = viewer == Viewer::Reporter
            && lapor::may_reopen(&calendar, state, closed_on, report.reopened, today).is_ok();
        let assistance = match (staff, report.channel.as_str()) {
            (true, "pendamping") => self.assistance_of(&crate::assist::report_object(&report.code)).await?,
            _ => None,
        };
        Ok(ReportView {
            assistance,
            may_reply: (viewer == Viewer::Reporter && !state.is_closed() && state != ReportState::Tunda)
                || (staff && !state.is_closed()),
            may_rate: viewer == Viewer::Reporter && state == ReportState::Selesai && report.rating.is_none(),
            may_reopen,
            escalated: report.escalated_for.is_some() && report.escalated_for == report.due_on,
            actions: actions.into_iter().filter(|a| *a != lapor::ReportAction::BukaKembali || may_reopen).collect(),
            report,
            viewer,
            kind,
            state,
            category_name,
            region_name,
            holder,
            reporter,
            contact,
            events,
            files,
            deadline,
        })
    }

    /// A file sent with a report, for staff who may see the report or the holder of its code.
    pub async fn report_file(
        &self,
        actor: &Actor,
        code_or_public_id: &str,
        file_id: &str,
    ) -> AppResult<(ReportFileMeta, Vec<u8>)> {
        let (meta, data) = self.store.report_file(file_id).await?.ok_or(AppError::NotFound)?;
        let report = self.store.report(&meta.report_code).await?.ok_or(AppError::NotFound)?;
        let by_code = TrackingCode::parse(code_or_public_id).is_ok_and(|c| c.as_str() == report.code);
        if !by_code {
            if report.public_id != code_or_public_id {
                return Err(AppError::NotFound);
            }
            self.staff_side(actor, &report).await?;
        }
        Ok((meta, data))
    }

    /// "Dinas PUPR" for `opd:dinas-pupr`, "Desa Sukamaju" for `desa:…`.
    pub async fn handler_name(&self, handler: Option<&str>) -> AppResult<String> {
        let Some(handler) = handler else { return Ok("Koordinator pengaduan".into()) };
        if let Some(slug) = handler.strip_prefix("opd:") {
            return Ok(self.store.office(slug).await?.map_or_else(|| slug.to_string(), |o| o.name));
        }
        if let Some(code) = handler.strip_prefix("desa:")
            && let Ok(code) = KodeWilayah::parse(code)
            && let Some(region) = self.cached_region(&code).await?
        {
            return Ok(region.title());
        }
        Ok(handler.to_string())
    }

    pub fn tracking_url(&self, code: &TrackingCode) -> String {
        format!("{}/lapor/lacak/{}", self.config.public_url.trim_end_matches('/'), code.as_str())
    }

    /// An email and a WhatsApp message to the reporter, on each channel they gave (see
    /// [`confirmation_channels`]).
    fn reporter_messages(&self, report: &Report, subject: &str, text: &str) -> Vec<NewMessage> {
        contact_messages(
            &report.reporter_email,
            &report.reporter_phone,
            &format!("lapor:{}", report.public_id),
            subject,
            text,
        )
    }

    pub(crate) fn local_date(&self, at: DateTime<Utc>) -> chrono::NaiveDate {
        at.with_timezone(&self.config.utc_offset).date_naive()
    }
}

/// An optional email and phone number, normalised; an empty one stays empty, a malformed one
/// adds its error to `errors` and comes back empty.
pub(crate) fn optional_contact(email: &str, phone: &str, errors: &mut Vec<FieldError>) -> (String, String) {
    let email = if email.is_empty() {
        String::new()
    } else {
        normalize_email(email).map_err(|m| errors.push(FieldError::new("email", m))).unwrap_or_default()
    };
    let phone = if phone.is_empty() {
        String::new()
    } else {
        normalize_phone(phone).map_err(|m| errors.push(FieldError::new("phone", m))).unwrap_or_default()
    };
    (email, phone)
}

/// An email and a WhatsApp message about `topic`, on each contact given (empty ones skipped).
pub(crate) fn contact_messages(email: &str, phone: &str, topic: &str, subject: &str, text: &str) -> Vec<NewMessage> {
    [("email", email), ("whatsapp", phone)]
        .into_iter()
        .filter(|(_, to)| !to.is_empty())
        .map(|(channel, to)| NewMessage {
            channel: channel.into(),
            recipient: to.to_string(),
            subject: subject.to_string(),
            body: text.to_string(),
            topic: topic.to_string(),
        })
        .collect()
}

/// The channels a reporter hears on: email and/or WhatsApp, as they gave them.
fn confirmation_channels(report: &Report) -> Vec<&'static str> {
    let mut channels = Vec::new();
    if !report.reporter_email.is_empty() {
        channels.push("email");
    }
    if !report.reporter_phone.is_empty() {
        channels.push("whatsapp");
    }
    channels
}

/// The public name of a report: derived from its code, so it cannot be turned back into it.
pub fn public_id_of(code: &TrackingCode) -> String {
    let digest = Sha256::digest(format!("balai-lapor:{}", code.as_str()).as_bytes());
    hex::encode(&digest[..8])
}

fn check_report_uploads(uploads: Vec<ReportUpload>, errors: &mut Vec<FieldError>) -> Vec<NewReportFile> {
    let uploads: Vec<ReportUpload> = uploads.into_iter().filter(|u| !u.bytes.is_empty()).collect();
    if uploads.len() > MAX_ATTACHMENTS {
        errors.push(FieldError::new("lampiran", format!("Paling banyak {MAX_ATTACHMENTS} lampiran.")));
        return Vec::new();
    }
    let mut out = Vec::new();
    for upload in uploads {
        if upload.bytes.len() > MAX_UPLOAD_BYTES {
            errors.push(FieldError::new("lampiran", "Setiap lampiran paling besar 5 MB."));
            continue;
        }
        match sniff_upload(&upload.bytes) {
            Ok(kind) => out.push(NewReportFile {
                id: random_file_id(),
                file_name: clean_file_name(&upload.file_name, kind),
                content_type: kind.content_type().to_string(),
                sha256: hex::encode(Sha256::digest(&upload.bytes)),
                data: upload.bytes,
            }),
            Err(e) => errors.push(FieldError::new("lampiran", e.message_id())),
        }
    }
    out
}

pub(crate) fn random_file_id() -> String {
    let bytes: [u8; 16] = rand::rng().random();
    hex::encode(bytes)
}
