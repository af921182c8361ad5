//! Information requests and objections: registering a request with its confirmation, the
//! PPID's extension, decision and delivery, the written notice, and the objection to the
//! atasan PPID with its answer.

use balai_domain::calendar::{Deadline, SlaState, format_tanggal};
use balai_domain::dokumen::Notice;
use balai_domain::lapor::clean_text;
use balai_domain::lapor::tracking::TrackingCode;
use balai_domain::nik::Nik;
use balai_domain::ppid::{
    self, Decision, DeliveryMethod, DipClass, Exemption, KeberatanGround, KeberatanOutcome, ObtainMethod, RequestState,
};
use balai_domain::roles::Permission;
use balai_domain::surat::document::{Paper, Signer};
use balai_domain::wilayah::Region;
use balai_store::ppid::{InfoEvent, InfoRequest, InfoRequestChange, Keberatan, Numbering, Registered};
use rand::Rng;
use serde_json::json;

use super::problems;
use crate::reports::{contact_messages, optional_contact};
use crate::{Actor, App, AppError, AppResult, FieldError};

/// What a requester fills in (Perki 1/2018 request form).
#[derive(Debug, Clone, Default)]
pub struct InfoRequestInput {
    pub name: String,
    /// NIK (or, for a legal entity, its registration number is not accepted here: a person files).
    pub nik: String,
    pub address: String,
    pub email: String,
    pub phone: String,
    pub information: String,
    pub purpose: String,
    pub obtain_method: String,
    pub delivery_method: String,
    /// The DIP item asked for, when the request started from one.
    pub dip_item: String,
    pub idempotency_key: String,
}

#[derive(Debug, Clone)]
pub struct InfoSubmitted {
    pub code: TrackingCode,
    pub number: String,
    pub deadline: Deadline,
    pub duplicate: bool,
    pub channels: Vec<&'static str>,
}

/// What the PPID decides.
#[derive(Debug, Clone, Default)]
pub struct DecisionInput {
    pub decision: String,
    pub info_class: String,
    pub exemption: String,
    pub reason: String,
    pub answer: String,
    pub fee: String,
    /// Publish the answer on the village's page (only when it is not personal).
    pub publish: bool,
}

#[derive(Debug, Clone, Default)]
pub struct KeberatanInput {
    pub grounds: Vec<String>,
    pub reason: String,
}

/// An objection as a page shows it.
#[derive(Debug, Clone)]
pub struct KeberatanView {
    pub keberatan: Keberatan,
    pub grounds: Vec<KeberatanGround>,
    pub outcome: Option<KeberatanOutcome>,
    pub answer_deadline: Deadline,
    pub sla: SlaState,
    /// Once answered: the 14 working days the requester has to go to the Komisi Informasi.
    pub komisi_deadline: Option<Deadline>,
}

/// A request as one viewer sees it: the requester (by tracking code) or the village's staff.
#[derive(Debug, Clone)]
pub struct InfoRequestView {
    pub request: InfoRequest,
    pub staff: bool,
    pub state: RequestState,
    pub village: Region,
    /// The answer deadline in force, explained.
    pub deadline: Deadline,
    pub sla: SlaState,
    pub events: Vec<InfoEvent>,
    pub keberatan: Option<KeberatanView>,
    /// While the requester may still object: the window.
    pub keberatan_window: Option<Deadline>,
    pub nik_masked: String,
    pub exemption_label: String,
    pub may_extend: bool,
    pub may_decide: bool,
    pub may_deliver: bool,
    pub may_answer_keberatan: bool,
    /// A written notice exists (extension or decision) and can be downloaded.
    pub has_notice: bool,
    /// Who filed it for the resident, with which consent: for the PPID's staff.
    pub assistance: Option<balai_store::assistance::Assistance>,
}

/// A line of the register.
#[derive(Debug, Clone)]
pub struct RegisterRow {
    pub request: InfoRequest,
    pub state: RequestState,
    pub sla: SlaState,
    pub keberatan: Option<Keberatan>,
}

#[derive(Debug, Clone)]
pub struct PpidRegister {
    pub village: Region,
    pub rows: Vec<RegisterRow>,
    pub open: usize,
    pub overdue: usize,
}

const MAX_NAME_CHARS: usize = 120;
const MAX_ADDRESS_CHARS: usize = 300;

fn parse_word<T: std::str::FromStr>(word: &str, field: &str, message: &str, errors: &mut Vec<FieldError>) -> Option<T> {
    match word.trim().parse::<T>() {
        Ok(v) => Some(v),
        Err(_) => {
            errors.push(FieldError::new(field, message));
            None
        }
    }
}

impl App {
    pub fn info_tracking_url(&self, code: &str) -> String {
        format!("{}/ppid/lacak/{code}", self.config.public_url.trim_end_matches('/'))
    }

    /// Registers an information request to a village: every field of the Perki form checked,
    /// the 10-working-day clock started, the number given, the requester told at once.
    pub async fn submit_info_request(
        &self,
        actor: &Actor,
        village: &str,
        input: InfoRequestInput,
        channel: &str,
    ) -> AppResult<InfoSubmitted> {
        self.file_info_request(actor, village, input, channel, None, Vec::new()).await
    }

    /// Registers an information request; an assisted one (`assisted`, with `errors` found in its
    /// assistance part) is filed in the resident's name from the register, on the contact the
    /// pendamping recorded.
    pub(crate) async fn file_info_request(
        &self,
        actor: &Actor,
        village: &str,
        mut input: InfoRequestInput,
        channel: &str,
        assisted: Option<&crate::assist::Assisted>,
        mut errors: Vec<FieldError>,
    ) -> AppResult<InfoSubmitted> {
        let (village, _) = self.village_region(village).await?;
        if let Some(a) = assisted {
            input.name.clone_from(&a.person.nama);
            input.nik.clone_from(&a.person.nik);
            input.address = a.address();
            input.email.clone_from(&a.email);
            input.phone.clone_from(&a.phone);
        }
        let one_line = |s: &str| clean_text(s).replace(['\n', '\t'], " ");
        let mut name = one_line(&input.name);
        let mut email = input.email.trim().to_string();
        let mut phone = input.phone.trim().to_string();
        let mut nik = input.nik.trim().to_string();
        let mut resident_id = None;
        if let Actor::Resident(r) = actor {
            resident_id = Some(r.id);
            for (field, own) in
                [(&mut name, &r.full_name), (&mut email, &r.email), (&mut phone, &r.phone), (&mut nik, &r.nik)]
            {
                if field.is_empty() {
                    field.clone_from(own);
                }
            }
        }
        if name.is_empty() {
            errors.push(FieldError::new("name", "Isi nama lengkap Anda sesuai KTP."));
        } else if name.chars().count() > MAX_NAME_CHARS {
            errors.push(FieldError::new("name", format!("Nama paling banyak {MAX_NAME_CHARS} karakter.")));
        }
        let nik = match Nik::parse(&nik) {
            Ok(n) => n.as_str().to_string(),
            Err(e) => {
                errors.push(FieldError::new("nik", e.message_id()));
                String::new()
            }
        };
        let address = one_line(&input.address);
        if address.is_empty() {
            errors.push(FieldError::new("address", "Isi alamat Anda (untuk pemberitahuan tertulis)."));
        } else if address.chars().count() > MAX_ADDRESS_CHARS {
            errors.push(FieldError::new("address", format!("Alamat paling banyak {MAX_ADDRESS_CHARS} karakter.")));
        }
        let (email, phone) = optional_contact(&email, &phone, &mut errors);
        if email.is_empty() && phone.is_empty() && !errors.iter().any(|e| e.field == "email" || e.field == "phone") {
            errors.push(FieldError::new("email", "Isi email atau nomor WhatsApp agar PPID dapat mengirim jawaban."));
        }
        let information = clean_text(&input.information);
        let purpose = clean_text(&input.purpose);
        for (field, value, empty) in [
            ("information", &information, "Tuliskan informasi yang Anda minta, misalnya \"Rincian APBDes 2026\"."),
            ("purpose", &purpose, "Tuliskan tujuan penggunaan informasi (wajib menurut UU 14/2008 Pasal 22 ayat 1)."),
        ] {
            if value.is_empty() {
                errors.push(FieldError::new(field, empty));
            } else if value.chars().count() > ppid::MAX_TEXT_CHARS {
                errors.push(FieldError::new(field, format!("Paling banyak {} karakter.", ppid::MAX_TEXT_CHARS)));
            }
        }
        let obtain: Option<ObtainMethod> =
            parse_word(&input.obtain_method, "obtain_method", "Pilih cara memperoleh informasi.", &mut errors);
        let delivery: Option<DeliveryMethod> = parse_word(
            &input.delivery_method,
            "delivery_method",
            "Pilih cara mendapatkan salinan informasi.",
            &mut errors,
        );
        if delivery == Some(DeliveryMethod::Email) && email.is_empty() {
            errors.push(FieldError::new("email", "Isi email Anda untuk menerima informasi lewat email."));
        }
        if delivery == Some(DeliveryMethod::Whatsapp) && phone.is_empty() {
            errors.push(FieldError::new("phone", "Isi nomor WhatsApp Anda untuk menerima informasi lewat WhatsApp."));
        }
        let dip_item = match input.dip_item.trim() {
            "" => None,
            id => match self.store.dip_item(id).await? {
                Some(item) if item.village_code == village.code.as_str() => Some(item.id),
                _ => {
                    errors.push(FieldError::new("information", "Informasi yang dipilih tidak ada di DIP desa ini."));
                    None
                }
            },
        };
        let key = input.idempotency_key.trim();
        if key.len() > 64 || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            errors.push(FieldError::new(
                "idempotency_key",
                "Formulir tidak dikenali; muat ulang halaman dan kirim lagi.",
            ));
        }
        let (Some(obtain), Some(delivery)) = (obtain, delivery) else { return Err(AppError::Invalid(errors)) };
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }

        let now = self.now();
        let calendar = self.working_calendar().await?;
        let received_on = self.local_date(now);
        let deadline = ppid::answer_deadline(&calendar, received_on);
        let code = TrackingCode::from_random(rand::rng().random::<u64>());
        let village_name = village.title();
        let request = InfoRequest {
            code: code.as_str().to_string(),
            number: String::new(),
            village_code: village.code.as_str().to_string(),
            received_at: now,
            requester_name: name,
            requester_id_number: nik,
            requester_address: address,
            requester_email: email,
            requester_phone: phone,
            information,
            purpose,
            obtain_method: obtain.as_str().into(),
            delivery_method: delivery.as_str().into(),
            dip_item_id: dip_item,
            channel: channel.to_string(),
            resident_id,
            state: RequestState::Diterima.as_str().into(),
            first_due: deadline.due,
            due_on: deadline.due,
            extension_reason: String::new(),
            extended_at: None,
            decision: None,
            info_class: None,
            exemption: None,
            decision_reason: String::new(),
            answer: String::new(),
            fee_rupiah: 0,
            notice_at: None,
            days_to_notice: None,
            on_time: None,
            delivered_at: None,
            delivery_note: String::new(),
            published: false,
            idempotency_key: (!key.is_empty()).then(|| key.to_string()),
            updated_at: now,
        };
        let event = InfoEvent {
            at: now,
            actor_name: match (actor, assisted) {
                (_, Some(a)) => format!("{} (melalui pendamping {})", request.requester_name, a.pendamping_name),
                (Actor::Staff(u), None) => format!("{} (dicatat petugas)", u.full_name),
                _ => request.requester_name.clone(),
            },
            action: "diajukan".into(),
            note: String::new(),
            internal: false,
        };
        let text = format!(
            "Permohonan informasi Anda kepada PPID {village_name} tercatat dengan nomor {{nomor}} dan kode \
             pelacakan {}. PPID wajib memberi jawaban tertulis paling lambat {} (10 hari kerja, UU 14/2008 \
             Pasal 22). Pantau di {}",
            code.display(),
            format_tanggal(deadline.due),
            self.info_tracking_url(code.as_str())
        );
        let messages = requester_messages(&request, "Permohonan informasi diterima", &text);
        let channels = messages
            .iter()
            .map(|m| if m.channel == "email" { "email" } else { "whatsapp" })
            .collect::<Vec<&'static str>>();
        let mut details = json!({"channel": channel, "dip_item": request.dip_item_id,
                                 "obtain": request.obtain_method, "delivery": request.delivery_method});
        if let Some(a) = assisted {
            a.add_audit_details(&mut details);
        }
        let audit = self.audit_event(
            actor,
            "info_request.submit",
            format!("wilayah:{}/informasi:{}", request.village_code, request.code),
            details,
        );
        let numbering = self.numbering(&village, received_on);
        let record = assisted.map(|a| a.record(crate::assist::info_object(&request.code), now));
        match self.store.register_info_request(&request, &numbering, &event, &messages, audit, record.as_ref()).await? {
            Registered::New(number) => Ok(InfoSubmitted { code, number, deadline, duplicate: false, channels }),
            Registered::Duplicate(existing) => {
                let first = self.store.info_request(&existing).await?.ok_or(AppError::NotFound)?;
                let code = TrackingCode::parse(&first.code).map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
                let deadline = ppid::answer_deadline(&calendar, self.local_date(first.received_at));
                Ok(InfoSubmitted { code, number: first.number, deadline, duplicate: true, channels })
            }
        }
    }

    fn numbering(&self, village: &Region, on: chrono::NaiveDate) -> Numbering {
        let code = village.code.as_str();
        Numbering {
            village_code: code.to_string(),
            village_suffix: code.rsplit('.').next().unwrap_or(code).to_string(),
            on,
        }
    }

    /// The request behind a tracking code, as its requester sees it.
    pub async fn track_info_request(&self, code: &str) -> AppResult<InfoRequestView> {
        let code = TrackingCode::parse(code).map_err(|e| AppError::invalid("code", e.message_id()))?;
        let request = self.store.info_request(code.as_str()).await?.ok_or(AppError::NotFound)?;
        self.info_view(&Actor::Anonymous { ip: String::new() }, request, false).await
    }

    /// The request as the village's PPID staff (or the atasan, or the PPID utama) see it.
    pub async fn staff_info_request(&self, actor: &Actor, code: &str) -> AppResult<InfoRequestView> {
        let request = self.store.info_request(code.trim()).await?.ok_or(AppError::NotFound)?;
        self.require_on_village(actor, Permission::ViewInformation, &request.village_code)?;
        self.info_view(actor, request, true).await
    }

    async fn info_view(&self, actor: &Actor, request: InfoRequest, staff: bool) -> AppResult<InfoRequestView> {
        let (village, _) = self.village_region(&request.village_code).await?;
        let calendar = self.working_calendar().await?;
        let today = self.today();
        let state = parse_state(&request.state)?;
        let received_on = self.local_date(request.received_at);
        let deadline = if request.extended_at.is_some() {
            ppid::extended_deadline(&calendar, request.first_due)
        } else {
            ppid::answer_deadline(&calendar, received_on)
        };
        let notice_on = request.notice_at.map(|at| self.local_date(at));
        let sla = calendar.sla_state(request.due_on, today, notice_on);
        let mut events = self.store.info_events(&request.code).await?;
        if !staff {
            events.retain(|e| !e.internal);
        }
        let keberatan = match self.store.keberatan_of(&request.code).await? {
            Some(k) => Some(self.keberatan_view(&calendar, k, today)?),
            None => None,
        };
        let keberatan_window = match (&keberatan, ppid::keberatan_ground_date(notice_on, request.due_on, today)) {
            (None, Some(ground))
                if state != RequestState::Diserahkan || request.decision.as_deref() != Some("dikabulkan") =>
            {
                let window = ppid::keberatan_window(&calendar, ground);
                (today <= window.due).then_some(window)
            }
            _ => None,
        };
        let manage = staff && self.may_on_village(actor, Permission::ManageInformation, &request.village_code);
        let may_answer_keberatan = staff
            && keberatan.as_ref().is_some_and(|k| k.outcome.is_none())
            && self.may_on_village(actor, Permission::AnswerKeberatan, &request.village_code);
        let exemption_label = request
            .exemption
            .as_deref()
            .and_then(|e| e.parse::<Exemption>().ok())
            .map(|e| e.label().to_string())
            .unwrap_or_default();
        let nik_masked = Nik::parse(&request.requester_id_number).map(|n| n.masked()).unwrap_or_default();
        Ok(InfoRequestView {
            may_extend: manage && state == RequestState::Diterima && today <= request.first_due,
            may_decide: manage && state.is_open(),
            may_deliver: manage && matches!(state, RequestState::Dikabulkan | RequestState::DikabulkanSebagian),
            may_answer_keberatan,
            has_notice: request.extended_at.is_some() || request.notice_at.is_some(),
            assistance: match (staff, request.channel.as_str()) {
                (true, "pendamping") => self.assistance_of(&crate::assist::info_object(&request.code)).await?,
                _ => None,
            },
            request,
            staff,
            state,
            village,
            deadline,
            sla,
            events,
            keberatan,
            keberatan_window,
            nik_masked,
            exemption_label,
        })
    }

    fn keberatan_view(
        &self,
        calendar: &balai_domain::calendar::WorkingCalendar,
        k: Keberatan,
        today: chrono::NaiveDate,
    ) -> AppResult<KeberatanView> {
        let grounds = k.grounds.split(',').filter_map(|g| g.parse::<KeberatanGround>().ok()).collect();
        let outcome = k.outcome.as_deref().and_then(|o| o.parse::<KeberatanOutcome>().ok());
        let filed_on = self.local_date(k.filed_at);
        let answer_deadline = ppid::keberatan_answer_deadline(calendar, filed_on);
        let answered_on = k.answered_at.map(|at| self.local_date(at));
        let sla = calendar.sla_state(k.answer_due, today, answered_on);
        let komisi_deadline = answered_on.map(|d| ppid::komisi_deadline(calendar, d));
        Ok(KeberatanView { keberatan: k, grounds, outcome, answer_deadline, sla, komisi_deadline })
    }

    /// Loads a request the actor may manage (the village's PPID).
    async fn managed_request(&self, actor: &Actor, code: &str) -> AppResult<(InfoRequest, RequestState)> {
        let request = self.store.info_request(code.trim()).await?.ok_or(AppError::NotFound)?;
        self.require_on_village(actor, Permission::ManageInformation, &request.village_code)?;
        let state = parse_state(&request.state)?;
        Ok((request, state))
    }

    fn change(
        &self,
        before: &InfoRequest,
        mut after: InfoRequest,
        event: InfoEvent,
        messages: Vec<balai_store::outbox::NewMessage>,
    ) -> InfoRequestChange {
        // Strictly later than before, so that the optimistic check sees every change.
        after.updated_at = event.at.max(before.updated_at + chrono::Duration::microseconds(1));
        InfoRequestChange { expected_updated_at: before.updated_at, request: after, event, messages }
    }

    /// Extends the answer once by 7 working days, with the written reason the law requires.
    pub async fn extend_info_request(&self, actor: &Actor, code: &str, reason: &str) -> AppResult<()> {
        let (before, state) = self.managed_request(actor, code).await?;
        let today = self.today();
        let reason = ppid::check_extension(state, before.first_due, today, reason).map_err(|p| problems(vec![p]))?;
        let calendar = self.working_calendar().await?;
        let due = ppid::extended_deadline(&calendar, before.first_due).due;
        let now = self.now();
        let mut after = before.clone();
        after.state = RequestState::Diperpanjang.as_str().into();
        after.due_on = due;
        after.extension_reason = reason.clone();
        after.extended_at = Some(now);
        let text = format!(
            "Jawaban atas permohonan informasi Anda nomor {} diperpanjang 7 hari kerja sampai {} dengan alasan: \
             {reason} Pemberitahuan tertulis dapat diunduh di {}",
            before.number,
            format_tanggal(due),
            self.info_tracking_url(&before.code)
        );
        let messages = requester_messages(&before, "Jawaban permohonan informasi diperpanjang", &text);
        let event = InfoEvent {
            at: now,
            actor_name: staff_name(actor),
            action: "diperpanjang".into(),
            note: reason,
            internal: false,
        };
        let audit = self.audit_event(
            actor,
            "info_request.extend",
            format!("wilayah:{}/informasi:{}", before.village_code, before.code),
            json!({"due": due}),
        );
        self.store.change_info_request(&self.change(&before, after, event, messages), audit).await.map_err(stale)?;
        self.portal_changed();
        Ok(())
    }

    /// Decides a request: granted, partly granted or refused (citing the exemption). The
    /// written notice is dated today; the requester is told and may object within 30 working days.
    pub async fn decide_info_request(&self, actor: &Actor, code: &str, input: &DecisionInput) -> AppResult<()> {
        let (before, state) = self.managed_request(actor, code).await?;
        let mut errors = Vec::new();
        let decision: Option<Decision> = parse_word(&input.decision, "decision", "Pilih keputusan.", &mut errors);
        let class: Option<DipClass> =
            parse_word(&input.info_class, "info_class", "Pilih golongan informasi yang diminta.", &mut errors);
        let exemption = match input.exemption.trim() {
            "" => None,
            e => parse_word::<Exemption>(e, "exemption", "Dasar pengecualian tidak dikenal.", &mut errors),
        };
        let fee = parse_fee(&input.fee).map_err(|m| errors.push(FieldError::new("fee", m))).unwrap_or(0);
        let (Some(decision), Some(class)) = (decision, class) else { return Err(AppError::Invalid(errors)) };
        let checked = match ppid::check_decision(state, decision, exemption, &input.reason, &input.answer, fee) {
            Ok(c) if errors.is_empty() => c,
            Ok(_) => return Err(AppError::Invalid(errors)),
            Err(list) => {
                let AppError::Invalid(mut more) = problems(list) else { unreachable!("problems gives Invalid") };
                errors.append(&mut more);
                return Err(AppError::Invalid(errors));
            }
        };
        if input.publish && !decision.gives_information() {
            return Err(AppError::invalid(
                "publish",
                "Hanya jawaban yang memberikan informasi yang dapat diterbitkan.",
            ));
        }
        let now = self.now();
        let calendar = self.working_calendar().await?;
        let today = self.local_date(now);
        let received_on = self.local_date(before.received_at);
        let mut after = before.clone();
        after.state = decision.state().as_str().into();
        after.decision = Some(decision.as_str().into());
        after.info_class = Some(class.as_str().into());
        after.exemption = checked.exemption.map(|e| e.as_str().to_string());
        after.decision_reason = checked.reason.clone();
        after.answer = checked.answer.clone();
        after.fee_rupiah = checked.fee_rupiah;
        after.notice_at = Some(now);
        after.days_to_notice = Some(calendar.working_days_between(received_on, today) as i32);
        after.on_time = Some(today <= before.due_on);
        after.published = input.publish;
        let window = ppid::keberatan_window(&calendar, today);
        let text = format!(
            "Permohonan informasi Anda nomor {} {}. Pemberitahuan tertulis: {} Bila Anda tidak puas, Anda dapat \
             mengajukan keberatan kepada atasan PPID paling lambat {} (30 hari kerja).{}",
            before.number,
            decision.label().to_lowercase(),
            self.info_tracking_url(&before.code),
            format_tanggal(window.due),
            self.survey_sentence(crate::survey::SurveySource::Informasi, &before.code)
        );
        let messages = requester_messages(&before, "Keputusan permohonan informasi", &text);
        let event = InfoEvent {
            at: now,
            actor_name: staff_name(actor),
            action: "diputuskan".into(),
            note: format!("{}. {}", decision.label(), checked.reason).trim_end_matches(". ").to_string(),
            internal: false,
        };
        let audit = self.audit_event(
            actor,
            "info_request.decide",
            format!("wilayah:{}/informasi:{}", before.village_code, before.code),
            json!({"decision": decision.as_str(), "class": class.as_str(), "exemption": after.exemption,
                   "fee": after.fee_rupiah, "published": after.published, "on_time": after.on_time}),
        );
        self.store.change_info_request(&self.change(&before, after, event, messages), audit).await.map_err(stale)?;
        self.portal_changed();
        Ok(())
    }

    /// Records that the information was handed over (or sent).
    pub async fn deliver_info_request(&self, actor: &Actor, code: &str, note: &str) -> AppResult<()> {
        let (before, state) = self.managed_request(actor, code).await?;
        if !matches!(state, RequestState::Dikabulkan | RequestState::DikabulkanSebagian) {
            return Err(AppError::AlreadyDone(
                "Informasi hanya dapat diserahkan setelah permohonan dikabulkan.".into(),
            ));
        }
        let note = clean_text(note);
        if note.chars().count() > 500 {
            return Err(AppError::invalid("note", "Catatan paling banyak 500 karakter."));
        }
        let now = self.now();
        let mut after = before.clone();
        after.state = RequestState::Diserahkan.as_str().into();
        after.delivered_at = Some(now);
        after.delivery_note = note.clone();
        let text = format!(
            "Informasi yang Anda minta (nomor {}) sudah diserahkan{}. Terima kasih telah menggunakan layanan PPID. {}",
            before.number,
            if note.is_empty() { String::new() } else { format!(": {note}") },
            self.info_tracking_url(&before.code)
        );
        let messages = requester_messages(&before, "Informasi sudah diserahkan", &text);
        let event =
            InfoEvent { at: now, actor_name: staff_name(actor), action: "diserahkan".into(), note, internal: false };
        let audit = self.audit_event(
            actor,
            "info_request.deliver",
            format!("wilayah:{}/informasi:{}", before.village_code, before.code),
            json!({}),
        );
        self.store.change_info_request(&self.change(&before, after, event, messages), audit).await.map_err(stale)?;
        self.portal_changed();
        Ok(())
    }

    /// Files an objection by tracking code: grounds from Ps 35(1), within 30 working days of
    /// the notice (or of the deadline the PPID missed).
    pub async fn file_keberatan(&self, actor: &Actor, code: &str, input: &KeberatanInput) -> AppResult<String> {
        let view = self.track_info_request(code).await?;
        if view.keberatan.is_some() {
            return Err(AppError::AlreadyDone("Keberatan atas permohonan ini sudah diajukan.".into()));
        }
        let grounds = ppid::parse_grounds(&input.grounds).map_err(|p| problems(vec![p]))?;
        let calendar = self.working_calendar().await?;
        let today = self.today();
        let notice_on = view.request.notice_at.map(|at| self.local_date(at));
        let window = ppid::keberatan_ground_date(notice_on, view.request.due_on, today)
            .map(|ground| ppid::keberatan_window(&calendar, ground));
        let (grounds, reason) =
            ppid::check_keberatan(&grounds, &input.reason, today, window.as_ref(), view.state).map_err(problems)?;
        let now = self.now();
        let answer_due = ppid::keberatan_answer_deadline(&calendar, today).due;
        let request = &view.request;
        let keberatan = Keberatan {
            number: String::new(),
            request_code: request.code.clone(),
            village_code: request.village_code.clone(),
            filed_at: now,
            grounds: grounds.iter().map(|g| g.as_str()).collect::<Vec<_>>().join(","),
            reason: reason.clone(),
            answer_due,
            answered_at: None,
            outcome: None,
            answer: String::new(),
            answered_by: String::new(),
            on_time: None,
            komisi_due: None,
            updated_at: now.max(request.updated_at + chrono::Duration::microseconds(1)),
        };
        let event = InfoEvent {
            at: now,
            actor_name: request.requester_name.clone(),
            action: "keberatan".into(),
            note: grounds.iter().map(|g| format!("{}. {}", g.as_str(), g.label())).collect::<Vec<_>>().join("; "),
            internal: false,
        };
        let text = format!(
            "Keberatan Anda atas permohonan informasi {} tercatat dengan nomor {{nomor}}. Atasan PPID wajib \
             menanggapi paling lambat {} (30 hari kerja, UU 14/2008 Pasal 36). {}",
            request.number,
            format_tanggal(answer_due),
            self.info_tracking_url(&request.code)
        );
        let messages = requester_messages(request, "Keberatan diterima", &text);
        let audit = self.audit_event(
            actor,
            "keberatan.file",
            format!("wilayah:{}/informasi:{}", request.village_code, request.code),
            json!({"grounds": keberatan.grounds}),
        );
        let numbering = self.numbering(&view.village, today);
        self.store.file_keberatan(&keberatan, &numbering, &event, &messages, audit).await.map_err(|e| match e {
            balai_store::StoreError::Conflict(_) => {
                AppError::AlreadyDone("Keberatan atas permohonan ini sudah diajukan.".into())
            }
            other => other.into(),
        })
    }

    /// The atasan PPID answers an objection; the requester is told of the 14 working days to
    /// take it to the Komisi Informasi.
    pub async fn answer_keberatan(&self, actor: &Actor, code: &str, outcome: &str, answer: &str) -> AppResult<()> {
        let request = self.store.info_request(code.trim()).await?.ok_or(AppError::NotFound)?;
        self.require_on_village(actor, Permission::AnswerKeberatan, &request.village_code)?;
        let before = self.store.keberatan_of(&request.code).await?.ok_or(AppError::NotFound)?;
        if before.outcome.is_some() {
            return Err(AppError::AlreadyDone("Keberatan ini sudah dijawab.".into()));
        }
        let mut errors = Vec::new();
        let outcome: Option<KeberatanOutcome> =
            parse_word(outcome, "outcome", "Pilih tanggapan atas keberatan.", &mut errors);
        let answer = clean_text(answer);
        if answer.chars().count() < ppid::MIN_REASON_CHARS {
            errors.push(FieldError::new("answer", "Tuliskan tanggapan tertulis atas keberatan ini beserta alasannya."));
        } else if answer.chars().count() > ppid::MAX_TEXT_CHARS {
            errors.push(FieldError::new("answer", format!("Paling banyak {} karakter.", ppid::MAX_TEXT_CHARS)));
        }
        let Some(outcome) = outcome else { return Err(AppError::Invalid(errors)) };
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let now = self.now();
        let calendar = self.working_calendar().await?;
        let today = self.local_date(now);
        let komisi = ppid::komisi_deadline(&calendar, today);
        let mut after = before.clone();
        after.answered_at = Some(now);
        after.outcome = Some(outcome.as_str().into());
        after.answer = answer.clone();
        after.answered_by = staff_name(actor);
        after.on_time = Some(today <= before.answer_due);
        after.komisi_due = Some(komisi.due);
        after.updated_at = now.max(before.updated_at + chrono::Duration::microseconds(1));
        let text = format!(
            "Atasan PPID telah menanggapi keberatan Anda nomor {}: {}. Bila Anda tidak puas, Anda dapat \
             mengajukan sengketa informasi ke Komisi Informasi paling lambat {} (14 hari kerja, UU 14/2008 Pasal 37). {}",
            before.number,
            outcome.label(),
            format_tanggal(komisi.due),
            self.info_tracking_url(&request.code)
        );
        let messages = requester_messages(&request, "Tanggapan atas keberatan", &text);
        let event = InfoEvent {
            at: now,
            actor_name: staff_name(actor),
            action: "keberatan_dijawab".into(),
            note: format!("{}. {answer}", outcome.label()),
            internal: false,
        };
        let audit = self.audit_event(
            actor,
            "keberatan.answer",
            format!("wilayah:{}/informasi:{}", request.village_code, request.code),
            json!({"number": before.number, "outcome": outcome.as_str(), "on_time": after.on_time}),
        );
        self.store.answer_keberatan(&after, before.updated_at, &event, &messages, audit).await.map_err(stale)
    }

    /// The village's register of the last year (newest first), for its PPID staff.
    pub async fn ppid_register(&self, actor: &Actor, village: &str) -> AppResult<PpidRegister> {
        let (village, _) = self.village_region(village).await?;
        let code = village.code.as_str().to_string();
        self.require_on_village(actor, Permission::ViewInformation, &code)?;
        let now = self.now();
        let rows =
            self.register_rows(&code, now - chrono::Duration::days(400), now + chrono::Duration::days(1), 500).await?;
        let open = rows.iter().filter(|r| r.state.is_open()).count();
        let overdue = rows.iter().filter(|r| r.sla == SlaState::Overdue).count();
        Ok(PpidRegister { village, rows, open, overdue })
    }

    pub(crate) async fn register_rows(
        &self,
        region_prefix: &str,
        from: chrono::DateTime<chrono::Utc>,
        until: chrono::DateTime<chrono::Utc>,
        limit: i64,
    ) -> AppResult<Vec<RegisterRow>> {
        let calendar = self.working_calendar().await?;
        let today = self.today();
        let requests = self.store.info_requests(region_prefix, from, until, limit).await?;
        let objections = self
            .store
            .keberatan_list(
                region_prefix,
                from - chrono::Duration::days(120),
                until + chrono::Duration::days(120),
                limit * 2,
            )
            .await?;
        let mut rows = Vec::with_capacity(requests.len());
        for request in requests {
            let state = parse_state(&request.state)?;
            let sla = calendar.sla_state(request.due_on, today, request.notice_at.map(|at| self.local_date(at)));
            let keberatan = objections.iter().find(|k| k.request_code == request.code).cloned();
            rows.push(RegisterRow { request, state, sla, keberatan });
        }
        Ok(rows)
    }

    /// The written notice (pemberitahuan tertulis) of a request as a PDF: the decision once
    /// decided, the extension before that. For the holder of the tracking code or the staff.
    pub async fn info_notice_pdf(&self, view: &InfoRequestView) -> AppResult<Vec<u8>> {
        let r = &view.request;
        if !view.has_notice {
            return Err(AppError::NotFound);
        }
        let head = self.village_head(&view.village.code).await?;
        let decided = r.notice_at.is_some();
        let on = self.local_date(if decided {
            r.notice_at.unwrap_or(r.received_at)
        } else {
            r.extended_at.unwrap_or(r.received_at)
        });
        let signer_name = view
            .events
            .iter()
            .rev()
            .find(|e| e.action == if decided { "diputuskan" } else { "diperpanjang" })
            .map(|e| e.actor_name.clone())
            .unwrap_or_default();
        let mut rows = vec![
            ("Nomor pendaftaran".to_string(), r.number.clone()),
            ("Tanggal permohonan".to_string(), format_tanggal(self.local_date(r.received_at))),
            ("Nama pemohon".to_string(), r.requester_name.clone()),
            ("Informasi yang diminta".to_string(), r.information.clone()),
            ("Tujuan penggunaan".to_string(), r.purpose.clone()),
        ];
        let mut body = Vec::new();
        let title;
        if decided {
            title = "PEMBERITAHUAN TERTULIS".to_string();
            let decision = r.decision.as_deref().and_then(|d| d.parse::<Decision>().ok());
            rows.push(("Keputusan".into(), decision.map(|d| d.label().to_string()).unwrap_or_default()));
            if !view.exemption_label.is_empty() {
                rows.push(("Dasar pengecualian".into(), format!("UU 14/2008 {}", view.exemption_label)));
            }
            if !r.decision_reason.is_empty() {
                rows.push(("Alasan".into(), r.decision_reason.clone()));
            }
            if decision.is_some_and(|d| d.gives_information()) {
                rows.push(("Informasi yang diberikan".into(), r.answer.clone()));
                rows.push((
                    "Cara memperoleh".into(),
                    r.obtain_method.parse::<ObtainMethod>().map(|m| m.label().to_string()).unwrap_or_default(),
                ));
                rows.push((
                    "Cara penyampaian".into(),
                    r.delivery_method.parse::<DeliveryMethod>().map(|m| m.label().to_string()).unwrap_or_default(),
                ));
                rows.push((
                    "Biaya".into(),
                    if r.fee_rupiah == 0 {
                        "Tanpa biaya".into()
                    } else {
                        balai_domain::surat::catalogue::format_rupiah(&r.fee_rupiah.to_string())
                    },
                ));
            }
            body.push(format!(
                "Apabila Anda tidak puas dengan keputusan ini, Anda dapat mengajukan keberatan kepada atasan PPID \
                 paling lambat 30 hari kerja sejak pemberitahuan ini diterima (UU 14/2008 Pasal 35 dan 36), \
                 melalui {} atau di kantor desa.",
                self.info_tracking_url(&r.code)
            ));
        } else {
            title = "PEMBERITAHUAN PERPANJANGAN WAKTU".to_string();
            rows.push(("Batas waktu semula".into(), format_tanggal(r.first_due)));
            rows.push(("Batas waktu baru".into(), format_tanggal(r.due_on)));
            rows.push(("Alasan perpanjangan".into(), r.extension_reason.clone()));
            body.push(
                "Sesuai UU 14/2008 Pasal 22 ayat (8), PPID memperpanjang waktu pemberian jawaban paling lama 7 hari \
                 kerja dengan alasan tersebut di atas."
                    .to_string(),
            );
        }
        let notice = Notice {
            paper: Paper::A4,
            kop: head.kop(),
            title,
            number: r.number.clone(),
            to: vec!["Kepada Yth.".into(), format!("Sdr. {}", r.requester_name), r.requester_address.clone()],
            opening: vec![format!(
                "Berdasarkan permohonan informasi yang Anda sampaikan kepada PPID {} {}, bersama ini kami \
                 sampaikan:",
                head.level_label, head.village_name
            )],
            rows,
            body,
            place_date: format!("{}, {}", head.village_name, format_tanggal(on)),
            signer: Signer {
                title_lines: vec![format!("PPID {} {}", head.level_label, head.village_name)],
                name: signer_name,
                nip: String::new(),
            },
            qr_url: self.info_tracking_url(&r.code),
            qr_note: "Pindai untuk melihat status permohonan".into(),
        };
        self.render_document("the written notice", move |r| r.render_notice(&notice)).await
    }
}

/// Messages to the requester about their request.
fn requester_messages(r: &InfoRequest, subject: &str, text: &str) -> Vec<balai_store::outbox::NewMessage> {
    contact_messages(&r.requester_email, &r.requester_phone, &format!("informasi:{}", r.code), subject, text)
}

/// A fee typed as `5000`, `5.000` or `Rp5.000`; empty is free.
fn parse_fee(input: &str) -> Result<i64, String> {
    let digits: String = input.trim().trim_start_matches("Rp").trim_start_matches("rp").replace(['.', ' '], "");
    if digits.is_empty() {
        return Ok(0);
    }
    if digits.len() > 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("Tulis biaya dalam rupiah tanpa sen, misalnya 5000 atau Rp5.000; kosongkan bila gratis.".into());
    }
    digits.parse().map_err(|_| "Biaya tidak dapat dibaca.".to_string())
}

fn staff_name(actor: &Actor) -> String {
    match actor {
        Actor::Staff(u) => u.full_name.clone(),
        Actor::System => "Sistem".into(),
        _ => "Pemohon".into(),
    }
}

fn parse_state(state: &str) -> AppResult<RequestState> {
    state.parse().map_err(|_| AppError::Internal(anyhow::anyhow!("unknown information request state {state}")))
}

/// A change that lost a race: someone changed the request meanwhile.
fn stale(e: balai_store::StoreError) -> AppError {
    match e {
        balai_store::StoreError::Conflict(_) => {
            AppError::AlreadyDone("Permohonan ini baru saja diubah orang lain; muat ulang halaman.".into())
        }
        other => other.into(),
    }
}
