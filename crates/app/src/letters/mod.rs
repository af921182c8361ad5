//! Letters (layanan surat): each village's catalogue and settings, its population register,
//! requests through the states of domain.md §4, gapless numbering, signing and verification.

mod keys;
mod online;
mod register;
mod settings;

use std::collections::BTreeMap;
use std::sync::Arc;

use balai_domain::calendar::SlaState;
use balai_domain::nik::{Nik, mask_name};
use balai_domain::roles::{Permission, Role, Scope, Target};
use balai_domain::surat::canonical::{CanonicalLetter, new_verification_token};
use balai_domain::surat::catalogue::{
    LetterTypeSpec, default_letter_types, display_value, fill_placeholders, validate_field_value,
};
use balai_domain::surat::document::{Kop, LetterDocument, LetterRenderer, Paper, Signer};
use balai_domain::surat::numbering::{CounterScope, DEFAULT_FORMAT, NumberFormat, NumberParts, counter_key};
use balai_domain::surat::state::{Party, RequestAction, RequestState, next_state, requires_reason};
use balai_domain::wilayah::KodeWilayah;
use balai_store::letters::{
    AllocatedNumber, AttachmentMeta, IssuedLetter, LetterRequest, LetterSettings, MakeLetter, Penduduk, RequestEvent,
    StoredLetterType, Transition,
};
use balai_store::outbox::OutboxMessage;
use chrono::Datelike;
use rand::RngCore;
use serde_json::json;

pub use keys::MasterKey;
pub use online::{ResidentRequestItem, ResidentRequestView, Upload, tracking_code};
pub use register::PendudukImportReport;
pub use settings::{LetterSettingsInput, LetterTypeInput, ServiceStandard};

use crate::{Actor, App, AppError, AppResult, FieldError};

/// Who filed a letter request, and so its channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FiledVia {
    /// Entered by staff for a resident at the counter.
    Loket,
    /// By the resident with this account.
    Online(i64),
    /// By a pendamping for a resident of the register, with recorded consent.
    Pendamping,
}

/// What issuing letters needs besides the store: a renderer and the installation's secret, and
/// optionally a certified e-signature service.
#[derive(Clone)]
pub struct LetterServices {
    pub renderer: Arc<dyn LetterRenderer>,
    pub master_key: MasterKey,
    /// A certified electronic signature (BSrE-style `sign/pdf`) applied to the PDF after it is
    /// rendered and before it is hashed and signed by the village. None: the village's own
    /// Ed25519 signature and QR verification only.
    pub certified_signer: Option<Arc<dyn CertifiedSigner>>,
}

/// What a certified e-signature service is asked to sign.
#[derive(Debug, Clone)]
pub struct CertifiedSignRequest {
    pub pdf: Vec<u8>,
    /// The signer's identity as the service knows them (e.g. NIK or NIP), and the letter number.
    pub signer_id: String,
    pub letter_number: String,
}

/// A certified electronic signature service (for example BSrE's `sign/pdf` API): returns the PDF
/// with the signer's certified signature embedded. No implementation ships yet; an installation
/// that has such a service plugs it in here.
pub trait CertifiedSigner: Send + Sync {
    fn sign_pdf(
        &self,
        request: CertifiedSignRequest,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Vec<u8>, String>> + Send + '_>>;
}

/// A letter type as offered by a village.
#[derive(Debug, Clone)]
pub struct LetterType {
    pub spec: LetterTypeSpec,
    pub active: bool,
    pub number_format: Option<String>,
}

/// A request in a staff queue.
#[derive(Debug, Clone)]
pub struct QueueItem {
    pub request: LetterRequest,
    pub state: RequestState,
    pub person_name: String,
    pub type_name: String,
    pub sla: SlaState,
}

/// Everything about one request, for the people allowed to see it.
#[derive(Debug, Clone)]
pub struct RequestView {
    pub request: LetterRequest,
    pub state: RequestState,
    pub person: Penduduk,
    pub letter_type: LetterTypeSpec,
    pub events: Vec<RequestEvent>,
    pub letter: Option<IssuedLetter>,
    pub sla: SlaState,
    pub deadline_explained: String,
    /// The request's files in the order the letter type lists them, current before replaced.
    pub attachments: Vec<AttachmentMeta>,
    /// The messages sent about it: filled for the village's staff only.
    pub messages: Vec<OutboxMessage>,
    /// Who filed it for the resident, with which consent (for requests filed by a pendamping).
    pub assistance: Option<balai_store::assistance::Assistance>,
}

/// Checks every field of a letter type; the valid values, normalised, and an error per bad one.
fn validate_fields(
    spec: &LetterTypeSpec,
    input: &BTreeMap<String, String>,
    errors: &mut Vec<FieldError>,
) -> BTreeMap<String, String> {
    let mut fields = BTreeMap::new();
    for field in &spec.fields {
        let value = input.get(&field.name).map(String::as_str).unwrap_or("");
        match validate_field_value(field, value) {
            Ok(v) => {
                fields.insert(field.name.clone(), v);
            }
            Err(message) => errors.push(FieldError::new(field.name.clone(), message)),
        }
    }
    fields
}

/// A walk-in request entered at the counter.
#[derive(Debug, Clone, Default)]
pub struct NewRequestInput {
    pub letter_type: String,
    pub nik: String,
    pub fields: BTreeMap<String, String>,
}

/// What `/v/{token}` shows: only the fields of domain.md §4.
#[derive(Debug, Clone)]
pub struct Verification {
    pub revoked: bool,
    pub revoke_reason: String,
    pub number: String,
    pub letter_type: String,
    pub issued_on: chrono::NaiveDate,
    pub village: String,
    pub masked_name: String,
    pub signer_name: String,
    /// The signer's position as printed under the signature ("Kepala Desa Sukamulya").
    pub signer_title: String,
    pub pdf_sha256: String,
    /// The stored signature checks against the village's public key.
    pub signature_valid: bool,
    /// The signature carried by the QR code, when one was given, checks too.
    pub qr_signature_valid: Option<bool>,
}

const OPEN_STATES: [&str; 4] = ["diajukan", "diperiksa", "perlu_perbaikan", "menunggu_tanda_tangan"];

impl App {
    fn letter_services(&self) -> AppResult<&LetterServices> {
        self.letters.as_ref().ok_or_else(|| AppError::Internal(anyhow::anyhow!("letter rendering is not configured")))
    }

    /// A village's letter settings (defaults until it saves its own).
    pub async fn letter_settings(&self, village: &KodeWilayah) -> AppResult<LetterSettings> {
        Ok(self.store.letter_settings(village.as_str()).await?.unwrap_or_else(|| LetterSettings {
            village_code: village.as_str().to_string(),
            number_format: DEFAULT_FORMAT.to_string(),
            counter_scope: CounterScope::Semua.as_str().to_string(),
            paper: Paper::F4.as_str().to_string(),
            template: None,
        }))
    }

    /// The village's letter catalogue; the ten default types are stored on first use.
    pub async fn letter_catalogue(&self, village: &KodeWilayah) -> AppResult<Vec<LetterType>> {
        let mut stored = self.store.letter_types(village.as_str()).await?;
        if stored.is_empty() {
            let defaults: Vec<StoredLetterType> = default_letter_types()
                .into_iter()
                .map(|spec| StoredLetterType {
                    village_code: village.as_str().to_string(),
                    slug: spec.slug.clone(),
                    name: spec.name.clone(),
                    spec: serde_json::to_value(&spec).unwrap_or_default(),
                    active: true,
                    number_format: None,
                })
                .collect();
            let event = self.audit_event(
                &Actor::System,
                "letter_type.seed",
                format!("wilayah:{}", village.as_str()),
                json!({"types": defaults.len()}),
            );
            self.store.save_letter_types(&defaults, event).await?;
            stored = self.store.letter_types(village.as_str()).await?;
        }
        stored
            .into_iter()
            .map(|t| {
                let spec: LetterTypeSpec = serde_json::from_value(t.spec)
                    .map_err(|e| AppError::Internal(anyhow::anyhow!("letter type {}: {e}", t.slug)))?;
                Ok(LetterType { spec, active: t.active, number_format: t.number_format })
            })
            .collect()
    }

    /// How many people a village's register holds, for its staff.
    pub async fn register_size(&self, actor: &Actor, village: &str) -> AppResult<i64> {
        let village = KodeWilayah::parse(village).map_err(|_| AppError::NotFound)?;
        actor.require(Permission::ManageRegister, &Target::Wilayah(&village))?;
        Ok(self.store.count_penduduk(village.as_str()).await?)
    }

    /// The catalogue as the village's letter staff see it (for the counter and reservation forms).
    pub async fn staff_letter_catalogue(&self, actor: &Actor, village: &str) -> AppResult<Vec<LetterType>> {
        let village = KodeWilayah::parse(village).map_err(|_| AppError::NotFound)?;
        actor.require(Permission::ProcessLetters, &Target::Wilayah(&village))?;
        self.letter_catalogue(&village).await
    }

    pub(crate) async fn letter_type(&self, village: &KodeWilayah, slug: &str) -> AppResult<LetterType> {
        self.letter_catalogue(village).await?.into_iter().find(|t| t.spec.slug == slug).ok_or(AppError::NotFound)
    }

    /// Enters a request for a resident at the counter (walk-in): the resident must be in the
    /// village's register; fields are checked against the letter type.
    pub async fn create_walk_in_request(
        &self,
        actor: &Actor,
        village: &str,
        input: NewRequestInput,
    ) -> AppResult<LetterRequest> {
        let village = KodeWilayah::parse(village).map_err(|_| AppError::NotFound)?;
        actor.require(Permission::ProcessLetters, &Target::Wilayah(&village))?;
        let mut errors = Vec::new();
        let letter_type = match self.letter_type(&village, &input.letter_type).await {
            Ok(t) if t.active => Some(t),
            _ => {
                errors.push(FieldError::new("letter_type", "Pilih jenis surat."));
                None
            }
        };
        let person = match Nik::parse(&input.nik) {
            Err(e) => {
                errors.push(FieldError::new("nik", e.message_id()));
                None
            }
            Ok(nik) => match self.store.penduduk_by_nik(nik.as_str()).await? {
                Some(p) if p.village_code == village.as_str() => Some(p),
                _ => {
                    errors.push(FieldError::new(
                        "nik",
                        "NIK ini tidak terdaftar sebagai penduduk desa ini. Periksa NIK-nya, atau daftarkan dulu di data penduduk.",
                    ));
                    None
                }
            },
        };
        let fields = match &letter_type {
            Some(t) => validate_fields(&t.spec, &input.fields, &mut errors),
            None => BTreeMap::new(),
        };
        let (Some(letter_type), Some(person)) = (letter_type, person) else { return Err(AppError::Invalid(errors)) };
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let (request, event) =
            self.new_request(actor, &village, &letter_type.spec, person.id, &fields, FiledVia::Loket).await?;
        let audit = self.audit_event(
            actor,
            "letter_request.create",
            format!("wilayah:{}/surat:{}", village.as_str(), request.id),
            json!({"type": request.letter_type, "channel": "loket"}),
        );
        self.store.create_request(&request, &event, &[], &[], audit, None).await?;
        Ok(request)
    }

    /// A new request, `diajukan`, due after the type's jangka waktu, with its first event.
    async fn new_request(
        &self,
        actor: &Actor,
        village: &KodeWilayah,
        spec: &LetterTypeSpec,
        penduduk_id: i64,
        fields: &BTreeMap<String, String>,
        via: FiledVia,
    ) -> AppResult<(LetterRequest, RequestEvent)> {
        let now = self.now();
        let deadline = self.deadline(now, spec.standar.jangka_waktu_hari).await?;
        let (channel, note, resident_id) = match via {
            FiledVia::Loket => ("loket", "Diajukan di loket", None),
            FiledVia::Online(resident_id) => ("online", "Diajukan daring", Some(resident_id)),
            FiledVia::Pendamping => ("pendamping", "Diajukan melalui pendamping", None),
        };
        let request = LetterRequest {
            id: random_id(),
            village_code: village.as_str().to_string(),
            letter_type: spec.slug.clone(),
            penduduk_id,
            state: RequestState::Diajukan.as_str().to_string(),
            fields: serde_json::to_value(fields).unwrap_or_default(),
            channel: channel.into(),
            received_at: now,
            due_on: deadline.due,
            note: String::new(),
            updated_at: now,
            resident_id,
        };
        let event = RequestEvent {
            at: now,
            actor: actor.audit_name(),
            action: "ajukan".into(),
            from_state: String::new(),
            to_state: request.state.clone(),
            note: note.into(),
        };
        Ok((request, event))
    }

    /// The village's open requests, soonest due first, with their SLA state.
    pub async fn letter_queue(&self, actor: &Actor, village: &str) -> AppResult<Vec<QueueItem>> {
        let village = KodeWilayah::parse(village).map_err(|_| AppError::NotFound)?;
        actor.require(Permission::ProcessLetters, &Target::Wilayah(&village))?;
        let calendar = self.working_calendar().await?;
        let catalogue = self.letter_catalogue(&village).await?;
        let today = self.today();
        let mut items = Vec::new();
        for queued in self.store.request_queue(village.as_str(), &OPEN_STATES, 500).await? {
            let request = queued.request;
            let type_name = catalogue
                .iter()
                .find(|t| t.spec.slug == request.letter_type)
                .map_or_else(|| request.letter_type.clone(), |t| t.spec.name.clone());
            items.push(QueueItem {
                state: parse_state(&request.state)?,
                sla: calendar.sla_state(request.due_on, today, None),
                person_name: queued.person_name,
                type_name,
                request,
            });
        }
        Ok(items)
    }

    /// One request, for the village's staff.
    pub async fn letter_request(&self, actor: &Actor, id: &str) -> AppResult<RequestView> {
        let request = self.store.request(id).await?.ok_or(AppError::NotFound)?;
        let village = KodeWilayah::parse(&request.village_code).map_err(|_| AppError::NotFound)?;
        actor.require(Permission::ProcessLetters, &Target::Wilayah(&village))?;
        let mut view = self.request_view(request, &village).await?;
        view.messages = self.store.messages_about(&format!("surat:{}", view.request.id)).await?;
        Ok(view)
    }

    async fn request_view(&self, request: LetterRequest, village: &KodeWilayah) -> AppResult<RequestView> {
        let person = self.store.penduduk(request.penduduk_id).await?.ok_or(AppError::NotFound)?;
        let letter_type = self.letter_type(village, &request.letter_type).await?.spec;
        let calendar = self.working_calendar().await?;
        let state = parse_state(&request.state)?;
        let done_on = matches!(state, RequestState::Selesai | RequestState::Diambil)
            .then(|| request.updated_at.with_timezone(&self.config.utc_offset).date_naive());
        let received = request.received_at.with_timezone(&self.config.utc_offset).date_naive();
        let mut attachments = self.store.attachments(&request.id).await?;
        online::sort_attachments(&letter_type, &mut attachments);
        let assistance = match request.channel.as_str() {
            "pendamping" => self.assistance_of(&crate::assist::letter_object(&request.id)).await?,
            _ => None,
        };
        Ok(RequestView {
            attachments,
            assistance,
            messages: Vec::new(),
            events: self.store.request_events(&request.id).await?,
            letter: self.store.letter_for_request(&request.id).await?,
            sla: calendar.sla_state(request.due_on, self.today(), done_on),
            deadline_explained: calendar.add_working_days(received, letter_type.standar.jangka_waktu_hari).explain(),
            state,
            person,
            letter_type,
            request,
        })
    }

    /// A staff action on a request: verify, return for correction, refuse, hand over. A request
    /// still `diajukan` is taken into review first (both steps are recorded).
    pub async fn act_on_request(&self, actor: &Actor, id: &str, action: RequestAction, note: &str) -> AppResult<()> {
        let request = self.store.request(id).await?.ok_or(AppError::NotFound)?;
        let village = KodeWilayah::parse(&request.village_code).map_err(|_| AppError::NotFound)?;
        let mut state = parse_state(&request.state)?;
        let party = match (action, state) {
            (RequestAction::Tandatangani, _) | (RequestAction::Tolak, RequestState::MenungguTandaTangan) => {
                actor.require(Permission::SignLetters, &Target::Wilayah(&village))?;
                Party::Penandatangan
            }
            _ => {
                actor.require(Permission::ProcessLetters, &Target::Wilayah(&village))?;
                Party::Operator
            }
        };
        if action == RequestAction::Tandatangani {
            return self.sign_request(actor, id).await.map(|_| ());
        }
        let note = note.trim();
        if requires_reason(action) && note.is_empty() {
            return Err(AppError::invalid("note", "Tuliskan alasannya agar pemohon tahu apa yang harus dilakukan."));
        }
        if note.chars().count() > 1000 {
            return Err(AppError::invalid("note", "Catatan paling panjang 1.000 karakter."));
        }
        if state == RequestState::Diajukan && action != RequestAction::Periksa && party == Party::Operator {
            self.apply_transition(actor, &request, state, RequestAction::Periksa, "").await?;
            state = RequestState::Diperiksa;
        }
        self.apply_transition(actor, &request, state, action, note).await
    }

    async fn apply_transition(
        &self,
        actor: &Actor,
        request: &LetterRequest,
        from: RequestState,
        action: RequestAction,
        note: &str,
    ) -> AppResult<()> {
        let party = if matches!(action, RequestAction::Tolak) && from == RequestState::MenungguTandaTangan {
            Party::Penandatangan
        } else {
            Party::Operator
        };
        let to = next_state(from, action, party).map_err(|e| AppError::invalid("action", e.message_id()))?;
        let mut transition = self.transition(actor, request, from, to, action, note);
        transition.messages = self.resident_messages(request, to, note).await?;
        let audit = self.audit_event(
            actor,
            &format!("letter_request.{}", action.as_str()),
            format!("wilayah:{}/surat:{}", request.village_code, request.id),
            json!({"from": from.as_str(), "to": to.as_str(), "note": note}),
        );
        self.store.transition_request(&transition, audit).await.map_err(stale)
    }

    fn transition(
        &self,
        actor: &Actor,
        request: &LetterRequest,
        from: RequestState,
        to: RequestState,
        action: RequestAction,
        note: &str,
    ) -> Transition {
        Transition {
            request_id: request.id.clone(),
            from_state: from.as_str().to_string(),
            event: RequestEvent {
                at: self.now(),
                actor: actor.audit_name(),
                action: action.as_str().to_string(),
                from_state: from.as_str().to_string(),
                to_state: to.as_str().to_string(),
                note: note.to_string(),
            },
            fields: None,
            attachments: Vec::new(),
            messages: Vec::new(),
        }
    }

    /// Signs one request: takes the next number, renders the PDF, signs it, stores it, in one
    /// transaction. A second click finds the request already signed and changes nothing.
    pub async fn sign_request(&self, actor: &Actor, id: &str) -> AppResult<IssuedLetter> {
        let services = self.letter_services()?.clone();
        let request = self.store.request(id).await?.ok_or(AppError::NotFound)?;
        let village = KodeWilayah::parse(&request.village_code).map_err(|_| AppError::NotFound)?;
        actor.require(Permission::SignLetters, &Target::Wilayah(&village))?;
        let Actor::Staff(signer_user) = actor else { return Err(AppError::Forbidden) };
        let from = parse_state(&request.state)?;
        let to = next_state(from, RequestAction::Tandatangani, Party::Penandatangan)
            .map_err(|e| AppError::AlreadyDone(e.message_id()))?;
        let letter_type = self.letter_type(&village, &request.letter_type).await?;
        let person = self.store.penduduk(request.penduduk_id).await?.ok_or(AppError::NotFound)?;
        let settings = self.letter_settings(&village).await?;
        let numbering = Numbering::new(&settings, &letter_type, &village, self.today())?;
        let (issued_on, year, scope_key) = (numbering.issued_on, numbering.year, numbering.scope_key.clone());
        let head = self.village_head(&village).await?;
        let is_head = signer_user
            .grants
            .iter()
            .any(|g| g.role == Role::KepalaDesa && matches!(&g.scope, Scope::Wilayah(c) if *c == village));
        let office = format!("{} {}", head.level_label, head.village_name);
        let signer = Signer {
            title_lines: if is_head {
                vec![format!("Kepala {office}")]
            } else {
                vec![format!("a.n. Kepala {office}"), "Sekretaris Desa".to_string()]
            },
            name: signer_user.full_name.clone(),
            nip: signer_user.nip.clone(),
        };
        // Field values as printed (dates in words).
        let stored: BTreeMap<String, String> = serde_json::from_value(request.fields.clone()).unwrap_or_default();
        let mut values: BTreeMap<String, String> = letter_type
            .spec
            .fields
            .iter()
            .filter_map(|f| stored.get(&f.name).map(|v| (f.name.clone(), display_value(f, v))))
            .collect();
        values.insert("nama".into(), person.nama.clone());
        values.insert("desa".into(), head.village_name.clone());
        values.insert("kecamatan".into(), head.kecamatan_name.clone());
        values.insert("kabupaten".into(), head.regency_name.clone());
        let body = letter_type
            .spec
            .body
            .iter()
            .map(|p| fill_placeholders(p, &values))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| AppError::Internal(anyhow::anyhow!("letter body of {}: {e}", letter_type.spec.slug)))?;
        let paper = if settings.paper == Paper::A4.as_str() { Paper::A4 } else { Paper::F4 };
        let template = settings.template.clone();
        let public_url = self.config.public_url.trim_end_matches('/').to_string();
        let master = services.master_key.clone();
        let signing_key = master.village_key(village.as_str());
        let public_key = keys::public_key_text(&signing_key);
        if self.store.village_public_key(village.as_str()).await?.is_none() {
            self.store.save_village_public_key(village.as_str(), &public_key, self.now()).await?;
        }
        let masked_name = mask_name(&person.nama);
        let rows = person_rows(&person);
        let opening = format!(
            "Yang bertanda tangan di bawah ini, Kepala {office}, Kecamatan {}, Kabupaten {}, menerangkan bahwa:",
            head.kecamatan_name, head.regency_name
        );
        let kop = head.kop();
        let spec = letter_type.spec.clone();
        let village_code = village.as_str().to_string();
        let request_id = request.id.clone();
        let renderer = services.renderer.clone();
        let certified_signer = services.certified_signer.clone();
        let place_date = format!("{}, {}", head.village_name, balai_domain::calendar::format_tanggal(issued_on));
        let make: MakeLetter = Box::new(move |number: AllocatedNumber| {
            Box::pin(async move {
                let number_text = numbering.number(number.sequence);
                let token = new_token();
                let content = CanonicalLetter {
                    number: number_text.clone(),
                    letter_type: spec.slug.clone(),
                    issued_on,
                    village_code: village_code.clone(),
                    subject_masked_name: masked_name.clone(),
                    pdf_sha256: String::new(),
                };
                // The QR carries a signature over the letter's content, checkable offline; the
                // stored signature also covers the PDF's hash (which cannot be inside the PDF).
                let qr_signature = keys::sign(&signing_key, &content.canonical_bytes());
                let document = LetterDocument {
                    paper,
                    kop,
                    title: spec.title.clone(),
                    number: number_text.clone(),
                    opening,
                    rows,
                    body,
                    closing: "Demikian surat keterangan ini dibuat dengan sebenarnya untuk dipergunakan sebagaimana mestinya."
                        .into(),
                    place_date,
                    signer: signer.clone(),
                    verification_url: format!("{public_url}/v/{token}?s={qr_signature}"),
                    verification_note: "Pindai untuk memeriksa keaslian surat ini".into(),
                };
                let mut pdf = tokio::task::spawn_blocking(move || renderer.render(&document, template.as_deref()))
                    .await
                    .map_err(|e| e.to_string())?
                    .map_err(|e| e.to_string())?;
                if let Some(service) = &certified_signer {
                    let request = CertifiedSignRequest {
                        pdf,
                        signer_id: if signer.nip.is_empty() { signer.name.clone() } else { signer.nip.clone() },
                        letter_number: number_text.clone(),
                    };
                    pdf = service.sign_pdf(request).await.map_err(|e| format!("certified e-signature: {e}"))?;
                }
                let pdf_sha256 = balai_domain::surat::canonical::pdf_sha256(&pdf);
                let signature = keys::sign(
                    &signing_key,
                    &CanonicalLetter { pdf_sha256: pdf_sha256.clone(), ..content }.canonical_bytes(),
                );
                let letter = IssuedLetter {
                    id: random_id(),
                    request_id: Some(request_id),
                    village_code,
                    letter_type: spec.slug.clone(),
                    letter_type_name: spec.name.clone(),
                    number: number_text,
                    year: number.year,
                    scope_key: number.scope_key,
                    sequence: number.sequence,
                    issued_on,
                    subject_masked_name: masked_name,
                    signer_name: signer.name.clone(),
                    signer_title: signer.title_lines.join(" "),
                    signer_nip: signer.nip.clone(),
                    pdf_sha256,
                    token,
                    signature,
                    external_note: String::new(),
                    revoked_at: None,
                    revoke_reason: String::new(),
                };
                Ok((letter, pdf))
            })
        });
        let mut transition = self.transition(actor, &request, from, to, RequestAction::Tandatangani, "");
        transition.messages = self.resident_messages(&request, to, "").await?;
        let audit = self.audit_event(
            actor,
            "letter.issue",
            format!("wilayah:{}/surat:{}", request.village_code, request.id),
            json!({"type": request.letter_type}),
        );
        self.store.issue_letter(&transition, village.as_str(), year, &scope_key, make, audit).await.map_err(stale)
    }

    /// Signs several requests; each succeeds or fails on its own.
    pub async fn sign_requests(&self, actor: &Actor, ids: &[String]) -> Vec<(String, AppResult<IssuedLetter>)> {
        let mut results = Vec::with_capacity(ids.len());
        for id in ids {
            results.push((id.clone(), self.sign_request(actor, id).await));
        }
        results
    }

    /// The PDF of a request's letter, for the village's staff.
    pub async fn letter_pdf_for_request(&self, actor: &Actor, request_id: &str) -> AppResult<(IssuedLetter, Vec<u8>)> {
        let request = self.store.request(request_id).await?.ok_or(AppError::NotFound)?;
        let village = KodeWilayah::parse(&request.village_code).map_err(|_| AppError::NotFound)?;
        actor.require(Permission::ProcessLetters, &Target::Wilayah(&village))?;
        let letter = self.store.letter_for_request(request_id).await?.ok_or(AppError::NotFound)?;
        let pdf = self.store.letter_pdf(&letter.id).await?.ok_or(AppError::NotFound)?;
        Ok((letter, pdf))
    }

    /// Public verification of a letter by its token (and the QR's signature, when given).
    pub async fn verify_letter(&self, token: &str, qr_signature: Option<&str>) -> AppResult<Verification> {
        if !balai_domain::surat::canonical::is_well_formed_token(token) {
            return Err(AppError::NotFound);
        }
        let letter = self.store.letter_by_token(token).await?.ok_or(AppError::NotFound)?;
        let public_key = self.store.village_public_key(&letter.village_code).await?.unwrap_or_default();
        let content = CanonicalLetter {
            number: letter.number.clone(),
            letter_type: letter.letter_type.clone(),
            issued_on: letter.issued_on,
            village_code: letter.village_code.clone(),
            subject_masked_name: letter.subject_masked_name.clone(),
            pdf_sha256: String::new(),
        };
        let qr_signature_valid = qr_signature.map(|s| keys::verify(&public_key, &content.canonical_bytes(), s));
        let full = CanonicalLetter { pdf_sha256: letter.pdf_sha256.clone(), ..content };
        let signature_valid = keys::verify(&public_key, &full.canonical_bytes(), &letter.signature);
        let village = match KodeWilayah::parse(&letter.village_code) {
            Ok(code) => self.store.region(&code).await?.map(|r| r.title()),
            Err(_) => None,
        }
        .unwrap_or_else(|| letter.village_code.clone());
        Ok(Verification {
            revoked: letter.revoked_at.is_some(),
            revoke_reason: letter.revoke_reason.clone(),
            number: letter.number,
            letter_type: letter.letter_type_name,
            issued_on: letter.issued_on,
            village,
            masked_name: letter.subject_masked_name,
            signer_name: letter.signer_name,
            signer_title: letter.signer_title,
            pdf_sha256: letter.pdf_sha256,
            signature_valid,
            qr_signature_valid,
        })
    }

    /// Takes the next number of the village's counter for a letter made outside Balai (typed or
    /// handwritten at the office), so the agenda stays gapless. `note` says what the letter is.
    pub async fn reserve_letter_number(
        &self,
        actor: &Actor,
        village: &str,
        letter_type: &str,
        note: &str,
    ) -> AppResult<IssuedLetter> {
        let village = KodeWilayah::parse(village).map_err(|_| AppError::NotFound)?;
        actor.require(Permission::ProcessLetters, &Target::Wilayah(&village))?;
        let note = note.trim().to_string();
        let mut errors = Vec::new();
        if note.is_empty() || note.chars().count() > 300 || note.chars().any(char::is_control) {
            errors.push(FieldError::new("note", "Tuliskan untuk surat apa nomor ini (paling panjang 300 karakter)."));
        }
        let letter_type = match self.letter_type(&village, letter_type).await {
            Ok(t) => Some(t),
            Err(_) => {
                errors.push(FieldError::new("letter_type", "Pilih jenis surat."));
                None
            }
        };
        let Some(letter_type) = letter_type.filter(|_| errors.is_empty()) else {
            return Err(AppError::Invalid(errors));
        };
        let settings = self.letter_settings(&village).await?;
        let numbering = Numbering::new(&settings, &letter_type, &village, self.today())?;
        let (issued_on, year, scope_key) = (numbering.issued_on, numbering.year, numbering.scope_key.clone());
        let signing_key = self.letter_services()?.master_key.village_key(village.as_str());
        let village_code = village.as_str().to_string();
        let type_slug = letter_type.spec.slug.clone();
        let spec = letter_type.spec;
        let reserved_by = actor.staff().map(|u| u.full_name.clone()).unwrap_or_default();
        let external_note = note.clone();
        let make: MakeLetter = Box::new(move |number: AllocatedNumber| {
            Box::pin(async move {
                let number_text = numbering.number(number.sequence);
                let content = CanonicalLetter {
                    number: number_text.clone(),
                    letter_type: spec.slug.clone(),
                    issued_on,
                    village_code: village_code.clone(),
                    subject_masked_name: String::new(),
                    pdf_sha256: String::new(),
                };
                let letter = IssuedLetter {
                    id: random_id(),
                    request_id: None,
                    village_code,
                    letter_type: spec.slug.clone(),
                    letter_type_name: spec.name.clone(),
                    number: number_text,
                    year: number.year,
                    scope_key: number.scope_key,
                    sequence: number.sequence,
                    issued_on,
                    subject_masked_name: String::new(),
                    signer_name: reserved_by,
                    signer_title: String::new(),
                    signer_nip: String::new(),
                    pdf_sha256: String::new(),
                    token: new_token(),
                    signature: keys::sign(&signing_key, &content.canonical_bytes()),
                    external_note,
                    revoked_at: None,
                    revoke_reason: String::new(),
                };
                Ok((letter, Vec::new()))
            })
        });
        let audit = self.audit_event(
            actor,
            "letter.reserve_number",
            format!("wilayah:{}", village.as_str()),
            json!({"type": type_slug, "note": note}),
        );
        Ok(self.store.reserve_number(village.as_str(), year, &scope_key, make, audit).await?)
    }

    /// Revokes an issued letter, with a reason shown on its verification page.
    pub async fn revoke_letter(&self, actor: &Actor, request_id: &str, reason: &str) -> AppResult<()> {
        let request = self.store.request(request_id).await?.ok_or(AppError::NotFound)?;
        let village = KodeWilayah::parse(&request.village_code).map_err(|_| AppError::NotFound)?;
        actor.require(Permission::SignLetters, &Target::Wilayah(&village))?;
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(AppError::invalid("reason", "Tuliskan alasan pencabutan (paling panjang 500 karakter)."));
        }
        let letter = self.store.letter_for_request(request_id).await?.ok_or(AppError::NotFound)?;
        let audit = self.audit_event(
            actor,
            "letter.revoke",
            format!("wilayah:{}/surat:{}", request.village_code, request.id),
            json!({"number": letter.number, "reason": reason}),
        );
        self.store.revoke_letter(&letter.id, reason, audit).await.map_err(stale)
    }

    pub(crate) async fn village_head(&self, village: &KodeWilayah) -> AppResult<VillageHead> {
        let view = self.village_view(village.as_str()).await?;
        let name_at = |depth: u8| {
            view.ancestors.iter().find(|a| a.code.depth() == depth).map(|a| a.name.clone()).unwrap_or_default()
        };
        let regency = name_at(2);
        Ok(VillageHead {
            level_label: view.region.level.label().to_string(),
            village_name: view.region.name.clone(),
            kecamatan_name: name_at(3),
            government: format!("PEMERINTAH {}", regency.to_uppercase()),
            regency_name: regency.trim_start_matches("Kabupaten ").trim_start_matches("Kota ").to_string(),
            address: view.profile.address.clone(),
        })
    }
}

pub(crate) struct VillageHead {
    pub(crate) level_label: String,
    pub(crate) village_name: String,
    pub(crate) kecamatan_name: String,
    pub(crate) regency_name: String,
    pub(crate) government: String,
    pub(crate) address: String,
}

impl VillageHead {
    pub(crate) fn kop(&self) -> Kop {
        Kop {
            government: self.government.clone(),
            kecamatan: format!("KECAMATAN {}", self.kecamatan_name.to_uppercase()),
            office: format!("{} {}", self.level_label.to_uppercase(), self.village_name.to_uppercase()),
            address: self.address.clone(),
            logo_svg: None,
        }
    }
}

/// The subject's particulars as printed on the letter.
fn person_rows(p: &Penduduk) -> Vec<(String, String)> {
    let birth = match (&p.tempat_lahir, p.tanggal_lahir) {
        (place, Some(date)) => format!("{place}, {}", balai_domain::calendar::format_tanggal(date)),
        (place, None) => place.clone(),
    };
    vec![
        ("Nama".into(), p.nama.clone()),
        ("NIK".into(), p.nik.clone()),
        ("No. KK".into(), p.no_kk.clone()),
        ("Tempat/Tgl. Lahir".into(), birth),
        ("Jenis Kelamin".into(), p.jenis_kelamin.clone()),
        ("Agama".into(), p.agama.clone()),
        ("Status Perkawinan".into(), p.status_kawin.clone()),
        ("Pekerjaan".into(), p.pekerjaan.clone()),
        ("Kewarganegaraan".into(), p.kewarganegaraan.clone()),
        ("Alamat".into(), format_address(p)),
    ]
}

fn format_address(p: &Penduduk) -> String {
    match (p.rt.is_empty(), p.rw.is_empty()) {
        (false, false) => format!("{} RT {}/RW {}", p.alamat, p.rt, p.rw),
        _ => p.alamat.clone(),
    }
}

fn parse_state(state: &str) -> AppResult<RequestState> {
    state.parse().map_err(|_| AppError::Internal(anyhow::anyhow!("unknown request state {state}")))
}

/// A lost race (double click, two staff) is a conflict the user should hear about plainly.
fn stale(e: balai_store::StoreError) -> AppError {
    match e {
        balai_store::StoreError::Conflict(_) => {
            AppError::AlreadyDone("Permohonan ini sudah diproses orang lain atau oleh klik sebelumnya.".into())
        }
        other => other.into(),
    }
}

/// How letters of one type are numbered in one village on one day.
struct Numbering {
    format: NumberFormat,
    kode: String,
    kode_desa: String,
    issued_on: chrono::NaiveDate,
    year: i32,
    /// The counter the number is drawn from (domain.md §4: per village, year and scope).
    scope_key: String,
}

impl Numbering {
    fn new(
        settings: &LetterSettings,
        letter_type: &LetterType,
        village: &KodeWilayah,
        issued_on: chrono::NaiveDate,
    ) -> AppResult<Numbering> {
        let format = NumberFormat::parse(letter_type.number_format.as_deref().unwrap_or(&settings.number_format))
            .map_err(|e| AppError::Internal(anyhow::anyhow!("number format: {e}")))?;
        let scope: CounterScope = settings.counter_scope.parse().unwrap_or(CounterScope::Semua);
        let year = issued_on.year();
        Ok(Numbering {
            format,
            kode: letter_type.spec.klasifikasi.clone(),
            kode_desa: village.last_segment().to_string(),
            issued_on,
            year,
            scope_key: counter_key(village.as_str(), year, scope, &letter_type.spec.slug),
        })
    }

    /// The letter number for the counter's `sequence`.
    fn number(&self, sequence: i64) -> String {
        self.format.format(&NumberParts {
            kode: self.kode.clone(),
            nomor: u32::try_from(sequence).unwrap_or(u32::MAX),
            kode_desa: self.kode_desa.clone(),
            month: self.issued_on.month(),
            year: self.year,
        })
    }
}

/// A verification token for the QR code (128 random bits).
fn new_token() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    new_verification_token(bytes)
}

/// Unguessable ids for URLs (128 bits, base64url).
pub(crate) fn random_id() -> String {
    use base64::Engine;
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
