//! What staff and reporters do to a report. Every change is checked against the domain's state
//! table, written with its history entry, its messages and its audit record in one transaction,
//! and applied only if nobody changed the report meanwhile.

use balai_domain::calendar::{Clock as DeadlineClock, format_tanggal};
use balai_domain::lapor::tracking::TrackingCode;
use balai_domain::lapor::{
    self, ReportAction, ReportDeadlines, ReportKind, ReportParty, ReportState, Tier, check_title_and_description,
    current_due, next_state, parse_rating,
};
use balai_domain::roles::{Permission, Target};
use balai_domain::wilayah::KodeWilayah;
use balai_store::outbox::NewMessage;
use balai_store::reports::{Report, ReportChange, ReportEvent};
use serde_json::json;

use super::Viewer;
use crate::{Actor, App, AppError, AppResult};

/// What a staff member does to a report.
#[derive(Debug, Clone, Default)]
pub struct ReportCommand {
    /// A [`ReportAction`] word, `catatan` (an internal note) or `ubah` (the coordinator edits the
    /// public title and the flags).
    pub action: String,
    /// For `disposisi`: `opd:{slug}` or `desa:{region code}`.
    pub handler: String,
    /// For `disposisi`: a tier other than the category's, if the coordinator chooses one.
    pub tier: String,
    pub text: String,
    pub public_title: String,
    pub anonymous: bool,
    pub confidential: bool,
}

/// What the holder of a tracking code does.
#[derive(Debug, Clone)]
pub enum ReporterCommand {
    /// Answer the coordinator's question (`tunda`).
    Jelaskan(String),
    /// Write to the office (or coordinator) without changing the state.
    Balas(String),
    Nilai {
        rating: String,
        note: String,
    },
    BukaKembali(String),
}

fn text_required(text: &str, what: &str) -> AppResult<String> {
    let text = lapor::clean_text(text);
    if text.is_empty() {
        return Err(AppError::invalid("text", format!("Isi {what}.")));
    }
    if text.chars().count() > lapor::MAX_DESCRIPTION_CHARS {
        return Err(AppError::invalid("text", format!("Paling banyak {} karakter.", lapor::MAX_DESCRIPTION_CHARS)));
    }
    Ok(text)
}

impl App {
    /// A staff member acts on a report they coordinate or hold.
    pub async fn act_on_report(&self, actor: &Actor, public_id: &str, cmd: ReportCommand) -> AppResult<()> {
        let report = self.store.report_by_public_id(public_id.trim()).await?.ok_or(AppError::NotFound)?;
        let side = self.staff_side(actor, &report).await?;
        let region = KodeWilayah::parse(&report.region_code).map_err(|_| AppError::NotFound)?;
        let may_coordinate = actor.may(Permission::CoordinateReports, &Target::Wilayah(&region));
        let staff_name = actor.staff().map_or_else(|| "Sistem".to_string(), |s| s.full_name.clone());
        let now = self.now();
        let mut after = report.clone();
        let state = parse_state(&report)?;

        if cmd.action == "ubah" {
            if !may_coordinate {
                return Err(AppError::Forbidden);
            }
            let (title, _) = check_title_and_description(&cmd.public_title, "-").map_err(|problems| {
                AppError::Invalid(
                    problems.into_iter().map(|p| crate::FieldError::new("public_title", p.message)).collect(),
                )
            })?;
            after.public_title = title;
            after.anonymous = cmd.anonymous;
            after.confidential = cmd.confidential;
            let event = self.event(ReportParty::Koordinator, &staff_name, "ubah", state, state, "", "internal");
            let audit = self.audit_event(
                actor,
                "report.edit",
                format!("report:{}", report.public_id),
                json!({"anonymous": after.anonymous, "confidential": after.confidential}),
            );
            return self.save(report, after, Some(event), Vec::new(), Some(audit)).await;
        }
        if cmd.action == "catatan" {
            let text = text_required(&cmd.text, "catatan")?;
            let party = if side == Viewer::Office { ReportParty::Instansi } else { ReportParty::Koordinator };
            let event = self.event(party, &staff_name, "catatan", state, state, &text, "internal");
            let audit = self.audit_event(actor, "report.note", format!("report:{}", report.public_id), json!({}));
            return self.save(report, after, Some(event), Vec::new(), Some(audit)).await;
        }

        let action: ReportAction =
            cmd.action.parse().map_err(|_| AppError::invalid("action", "Tindakan itu tidak dikenal."))?;
        let coordinator_action = lapor::actions_for(state, ReportParty::Koordinator).contains(&action);
        let party = if coordinator_action && may_coordinate {
            ReportParty::Koordinator
        } else if side == Viewer::Office {
            ReportParty::Instansi
        } else {
            ReportParty::Koordinator
        };
        let to = next_state(state, action, party).map_err(|e| AppError::AlreadyDone(e.message_id()))?;
        let text = if lapor::needs_text(action) {
            text_required(&cmd.text, "keterangan atau jawaban")?
        } else {
            lapor::clean_text(&cmd.text)
        };
        let calendar = self.working_calendar().await?;
        let today = self.today();
        let kind: ReportKind = report.kind.parse().map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
        let code = TrackingCode::parse(&report.code).map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
        let url = self.tracking_url(&code);
        let mut office_messages = Vec::new();
        let (subject, message) = match action {
            ReportAction::Disposisi => {
                let handler = self.check_handler(&cmd.handler, &region).await?;
                let tier: Tier = if cmd.tier.trim().is_empty() {
                    report.tier.parse().unwrap_or(Tier::Normatif)
                } else {
                    cmd.tier.parse().map_err(|_| AppError::invalid("tier", "Pilih tingkat pengaduan."))?
                };
                if after.verified_at.is_none() {
                    after.verified_at = Some(now);
                    after.verified_on_time = Some(today <= report.verify_due);
                }
                after.disposed_at = Some(now);
                after.tier = tier.as_str().into();
                after.respond_due =
                    Some(calendar.add_working_days(today, DeadlineClock::TindakLanjutPertama.working_days()).due);
                after.complete_due =
                    Some(calendar.add_working_days(today, lapor::completion_clock(kind, tier).working_days()).due);
                after.handler = Some(handler.clone());
                let name = self.handler_name(Some(&handler)).await?;
                if let Some(slug) = handler.strip_prefix("opd:")
                    && let Some(office) = self.store.office(slug).await?
                    && !office.email.is_empty()
                {
                    office_messages.push(NewMessage {
                        channel: "email".into(),
                        recipient: office.email.clone(),
                        subject: format!("Laporan baru untuk {}: {}", office.name, after.public_title),
                        body: format!(
                            "Laporan \"{}\" didisposisikan kepada {} oleh koordinator. Tindak lanjut pertama paling \
                             lambat {}. Buka di {}/staf/lapor/{}",
                            after.public_title,
                            office.name,
                            format_tanggal(after.respond_due.unwrap_or(today)),
                            self.config.public_url.trim_end_matches('/'),
                            report.public_id
                        ),
                        topic: format!("lapor:{}", report.public_id),
                    });
                }
                (
                    format!("Laporan diteruskan ke {name}"),
                    format!(
                        "Laporan Anda ({}) sudah diverifikasi dan diteruskan kepada {name}. Batas waktu penyelesaian \
                         {}. Pantau di {url}",
                        code.display(),
                        format_tanggal(after.complete_due.unwrap_or(today))
                    ),
                )
            }
            ReportAction::Tunda => (
                "Laporan Anda memerlukan penjelasan".to_string(),
                format!(
                    "Koordinator memerlukan penjelasan atas laporan Anda ({}): {text} Jawab di {url}",
                    code.display()
                ),
            ),
            ReportAction::BukanWewenang => {
                after.closed_at = Some(now);
                (
                    "Laporan bukan wewenang kami".to_string(),
                    format!("Laporan Anda ({}) bukan wewenang pemerintah daerah ini: {text}", code.display()),
                )
            }
            ReportAction::Arsipkan => {
                after.closed_at = Some(now);
                ("Laporan diarsipkan".to_string(), format!("Laporan Anda ({}) diarsipkan. {text}", code.display()))
            }
            ReportAction::Tanggapi | ReportAction::Selesaikan => {
                if after.first_response_at.is_none() {
                    after.first_response_at = Some(now);
                    after.answered_on_time = Some(after.respond_due.is_none_or(|due| today <= due));
                }
                let name = self.handler_name(report.handler.as_deref()).await?;
                if action == ReportAction::Selesaikan {
                    after.closed_at = Some(now);
                    let received = self.local_date(report.received_at);
                    after.done_working_days = Some(calendar.working_days_between(received, today).max(0) as i32);
                    (
                        format!("Laporan selesai ditindaklanjuti oleh {name}"),
                        format!(
                            "Laporan Anda ({}) dinyatakan selesai oleh {name}: {text} Beri penilaian (1–5) di {url}.{}",
                            code.display(),
                            self.survey_sentence(crate::survey::SurveySource::Lapor, &report.public_id)
                        ),
                    )
                } else {
                    (
                        format!("Tanggapan dari {name}"),
                        format!("{name} menanggapi laporan Anda ({}): {text} Baca dan balas di {url}", code.display()),
                    )
                }
            }
            ReportAction::Perpanjang => {
                let extended = self.store.report_events(&report.code).await?.iter().any(|e| e.action == "perpanjang");
                lapor::may_extend(kind, extended).map_err(|e| AppError::AlreadyDone(e.message_id().into()))?;
                let current = report.complete_due.unwrap_or(today);
                after.complete_due =
                    Some(calendar.add_working_days(current, DeadlineClock::PerpanjanganInformasi.working_days()).due);
                (
                    "Jawaban permintaan informasi diperpanjang".to_string(),
                    format!(
                        "Jawaban atas permintaan informasi Anda ({}) diperpanjang 7 hari kerja sampai {} dengan \
                         alasan: {text} Pantau di {url}",
                        code.display(),
                        format_tanggal(after.complete_due.unwrap_or(today))
                    ),
                )
            }
            ReportAction::Jelaskan | ReportAction::BukaKembali => return Err(AppError::Forbidden),
        };
        let visibility = match action {
            ReportAction::Tanggapi | ReportAction::Selesaikan | ReportAction::Perpanjang => "publik",
            _ => "pelapor",
        };
        let event = self.event(party, &staff_name, action.as_str(), state, to, &text, visibility);
        after.state = to.as_str().into();
        let mut messages = self.reporter_messages(&after, &subject, &message);
        messages.extend(office_messages);
        let audit = self.audit_event(
            actor,
            &format!("report.{}", action.as_str()),
            format!("report:{}", report.public_id),
            json!({"from": state.as_str(), "to": to.as_str(), "handler": after.handler}),
        );
        self.save(report, after, Some(event), messages, Some(audit)).await
    }

    /// The holder of a tracking code acts on their report.
    pub async fn reporter_act(&self, actor: &Actor, code: &str, cmd: ReporterCommand) -> AppResult<()> {
        let code = TrackingCode::parse(code).map_err(|e| AppError::invalid("code", e.message_id()))?;
        let report = self.store.report(code.as_str()).await?.ok_or(AppError::NotFound)?;
        let state = parse_state(&report)?;
        let now = self.now();
        let today = self.today();
        let mut after = report.clone();
        let name = if report.anonymous { "Pelapor (anonim)".to_string() } else { report.reporter_name.clone() };
        let url = self.tracking_url(&code);
        let (event, messages, action) = match cmd {
            ReporterCommand::Jelaskan(text) => {
                let text = text_required(&text, "penjelasan")?;
                let to = next_state(state, ReportAction::Jelaskan, ReportParty::Pelapor)
                    .map_err(|e| AppError::AlreadyDone(e.message_id()))?;
                let calendar = self.working_calendar().await?;
                // Verification starts again from the clarification.
                after.verify_due =
                    calendar.add_working_days(today, DeadlineClock::VerifikasiLaporan.working_days()).due;
                after.state = to.as_str().into();
                let body = format!(
                    "Penjelasan Anda untuk laporan {} sudah kami terima. Koordinator akan memverifikasinya paling \
                     lambat {}. Pantau di {url}",
                    code.display(),
                    format_tanggal(after.verify_due)
                );
                let messages = self.reporter_messages(&after, "Penjelasan diterima", &body);
                (self.event(ReportParty::Pelapor, &name, "jelaskan", state, to, &text, "pelapor"), messages, "jelaskan")
            }
            ReporterCommand::Balas(text) => {
                let text = text_required(&text, "balasan")?;
                if state.is_closed() || state == ReportState::Tunda {
                    return Err(AppError::AlreadyDone(
                        "Laporan ini tidak sedang ditangani; balasan tidak dapat dikirim.".into(),
                    ));
                }
                let notice = format!("Pelapor membalas laporan \"{}\": {text}", report.public_title);
                let messages = self.holder_messages(&report, "Balasan pelapor", &notice).await?;
                (self.event(ReportParty::Pelapor, &name, "balas", state, state, &text, "pelapor"), messages, "balas")
            }
            ReporterCommand::Nilai { rating, note } => {
                if state != ReportState::Selesai {
                    return Err(AppError::AlreadyDone("Penilaian dapat diberikan setelah laporan selesai.".into()));
                }
                if report.rating.is_some() {
                    return Err(AppError::AlreadyDone("Anda sudah memberi penilaian untuk laporan ini.".into()));
                }
                let rating = parse_rating(&rating).map_err(|p| AppError::invalid(p.field, p.message))?;
                let note = lapor::clean_text(&note);
                if note.chars().count() > 1000 {
                    return Err(AppError::invalid("note", "Catatan penilaian paling banyak 1.000 karakter."));
                }
                after.rating = Some(rating);
                after.rating_note.clone_from(&note);
                let body = format!("Nilai {rating} dari 5. {note}");
                (
                    self.event(ReportParty::Pelapor, &name, "nilai", state, state, body.trim(), "publik"),
                    Vec::new(),
                    "nilai",
                )
            }
            ReporterCommand::BukaKembali(text) => {
                let text = text_required(&text, "alasan membuka kembali")?;
                let calendar = self.working_calendar().await?;
                let closed_on = report.closed_at.map(|at| self.local_date(at));
                lapor::may_reopen(&calendar, state, closed_on, report.reopened, today)
                    .map_err(|e| AppError::AlreadyDone(e.message_id().to_string()))?;
                let to = next_state(state, ReportAction::BukaKembali, ReportParty::Pelapor)
                    .map_err(|e| AppError::AlreadyDone(e.message_id()))?;
                let kind: ReportKind = report.kind.parse().map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
                let tier: Tier = report.tier.parse().unwrap_or(Tier::Normatif);
                after.state = to.as_str().into();
                after.reopened += 1;
                after.closed_at = None;
                after.done_working_days = None;
                after.rating = None;
                after.rating_note.clear();
                after.disposed_at = Some(now);
                after.respond_due =
                    Some(calendar.add_working_days(today, DeadlineClock::TindakLanjutPertama.working_days()).due);
                after.complete_due =
                    Some(calendar.add_working_days(today, lapor::completion_clock(kind, tier).working_days()).due);
                let holder = self.handler_name(report.handler.as_deref()).await?;
                let body = format!(
                    "Laporan {} dibuka kembali dan diteruskan lagi kepada {holder}. Batas waktu penyelesaian {}. \
                     Pantau di {url}",
                    code.display(),
                    format_tanggal(after.complete_due.unwrap_or(today))
                );
                let messages = self.reporter_messages(&after, "Laporan dibuka kembali", &body);
                let event = self.event(ReportParty::Pelapor, &name, "buka_kembali", state, to, &text, "publik");
                (event, messages, "buka_kembali")
            }
        };
        let audit = self.audit_event(
            actor,
            &format!("report.{action}"),
            format!("report:{}", report.public_id),
            json!({"from": state.as_str(), "to": after.state}),
        );
        self.save(report, after, Some(event), messages, Some(audit)).await
    }

    /// Where a report may be disposed: an office of the report's regency, or a village in it.
    async fn check_handler(&self, handler: &str, region: &KodeWilayah) -> AppResult<String> {
        let handler = handler.trim();
        let regency = std::iter::once(region.clone()).chain(region.ancestors()).find(|c| c.depth() == 2);
        if let Some(slug) = handler.strip_prefix("opd:")
            && let Some(office) = self.store.office(slug).await?
            && regency.as_ref().is_none_or(|r| *r == office.regency)
        {
            return Ok(format!("opd:{}", office.slug));
        }
        if let Some(code) = handler.strip_prefix("desa:")
            && let Ok(code) = KodeWilayah::parse(code)
            && code.level().is_village()
            && regency.as_ref().is_none_or(|r| code.is_within(r))
            && self.store.region(&code).await?.is_some()
        {
            return Ok(format!("desa:{code}"));
        }
        Err(AppError::invalid("handler", "Pilih OPD atau desa yang akan menangani laporan ini."))
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn event(
        &self,
        party: ReportParty,
        actor_name: &str,
        action: &str,
        from: ReportState,
        to: ReportState,
        body: &str,
        visibility: &str,
    ) -> ReportEvent {
        ReportEvent {
            at: self.now(),
            party: party.as_str().into(),
            actor_name: actor_name.to_string(),
            action: action.into(),
            from_state: from.as_str().into(),
            to_state: to.as_str().into(),
            body: body.to_string(),
            visibility: visibility.into(),
        }
    }

    /// Writes `after` over `before` with the derived columns (deadline, SLA state, public listing)
    /// brought up to date.
    pub(super) async fn save(
        &self,
        before: Report,
        mut after: Report,
        event: Option<ReportEvent>,
        messages: Vec<NewMessage>,
        audit: Option<balai_store::AuditEvent>,
    ) -> AppResult<()> {
        let calendar = self.working_calendar().await?;
        let state = parse_state(&after)?;
        let deadlines = ReportDeadlines {
            verify_due: after.verify_due,
            respond_due: after.respond_due,
            complete_due: after.complete_due,
        };
        let due = current_due(state, &deadlines, after.first_response_at.is_some());
        if due != after.due_on {
            after.reminded_for = None;
        }
        after.due_on = due;
        let today = self.today();
        after.sla_state = match (due, after.closed_at) {
            (Some(due), _) => calendar.sla_state(due, today, None),
            (None, Some(closed)) => {
                let target = after.complete_due.unwrap_or(after.verify_due);
                calendar.sla_state(target, today, Some(self.local_date(closed)))
            }
            (None, None) => balai_domain::calendar::SlaState::OnTime,
        }
        .as_str()
        .into();
        after.listed = !after.confidential
            && matches!(state, ReportState::Didisposisikan | ReportState::Ditindaklanjuti | ReportState::Selesai);
        // Strictly later than what is stored, so the next change can tell them apart.
        let now = self.now();
        after.updated_at =
            if now > before.updated_at { now } else { before.updated_at + chrono::Duration::microseconds(1) };
        let change = ReportChange { report: after, expected_updated_at: before.updated_at, event, messages };
        self.store.change_report(&change, audit).await.map_err(|e| match e {
            balai_store::StoreError::Conflict(_) => AppError::AlreadyDone(
                "Laporan ini baru saja diubah oleh orang lain. Muat ulang halaman untuk melihat keadaannya sekarang."
                    .into(),
            ),
            other => other.into(),
        })
    }
}

pub(super) fn parse_state(report: &Report) -> AppResult<ReportState> {
    report.state.parse().map_err(|e| AppError::Internal(anyhow::anyhow!("report {}: {e}", report.public_id)))
}
