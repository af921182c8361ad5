//! Letters requested online by residents: the request with its attachments, the resident's view
//! of its state and history, corrections, withdrawal, and the issued PDF. A resident only ever
//! reaches their own requests; any other id is "not found".

use crate::survey::SurveySource;
use std::collections::BTreeMap;

use balai_domain::contact::{clean_file_name, sniff_upload};
use balai_domain::surat::catalogue::LetterTypeSpec;
use balai_domain::surat::state::{Party, RequestAction, RequestState, next_state};
use balai_domain::wilayah::KodeWilayah;
use balai_store::letters::{AttachmentMeta, IssuedLetter, LetterRequest, NewAttachment};
use balai_store::outbox::NewMessage;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{FiledVia, LetterType, RequestView, parse_state, random_id, stale, validate_fields};
use crate::residents::messages_to;
use crate::{Actor, App, AppError, AppResult, FieldError, ResidentUser};

/// Who is told about a request's progress.
#[derive(Debug, Clone)]
pub(super) enum Recipient {
    /// The resident who asked online, on their account's contact details.
    Resident(ResidentUser),
    /// A resident assisted by a pendamping, on the contact recorded with the filing.
    Assisted { email: String, phone: String },
}

/// A file as sent by the browser: which requirement it answers, its name, its bytes.
#[derive(Debug, Clone)]
pub struct Upload {
    pub requirement: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// One of a resident's requests, for their list.
#[derive(Debug, Clone)]
pub struct ResidentRequestItem {
    pub request: LetterRequest,
    pub state: RequestState,
    pub type_name: String,
}

/// A resident's own request (with its files) and what they may do with it now.
#[derive(Debug, Clone)]
pub struct ResidentRequestView {
    pub view: RequestView,
    pub may_correct: bool,
    pub may_cancel: bool,
}

impl App {
    /// The signed-in resident, confirmed by their village; others get a clear refusal.
    fn confirmed_resident<'a>(&self, actor: &'a Actor) -> AppResult<&'a ResidentUser> {
        match actor {
            Actor::Resident(r) if r.is_confirmed() => Ok(r),
            Actor::Resident(_) => Err(AppError::invalid(
                "account",
                "Akun Anda belum dikonfirmasi desa. Setelah NIK Anda dicocokkan dengan data penduduk, Anda dapat \
                 mengajukan surat.",
            )),
            _ => Err(AppError::Unauthenticated),
        }
    }

    /// The letter types a resident's village offers online.
    pub async fn resident_letter_catalogue(&self, actor: &Actor) -> AppResult<Vec<LetterType>> {
        let Actor::Resident(resident) = actor else { return Err(AppError::Unauthenticated) };
        let village = KodeWilayah::parse(&resident.village_code).map_err(|_| AppError::NotFound)?;
        Ok(self.letter_catalogue(&village).await?.into_iter().filter(|t| t.active && t.spec.online).collect())
    }

    /// A resident asks for a letter: fields checked against the letter type, files sniffed and
    /// checked against its required attachments; stored with a confirmation message, in one go.
    pub async fn create_online_request(
        &self,
        actor: &Actor,
        letter_type: &str,
        fields: BTreeMap<String, String>,
        uploads: Vec<Upload>,
    ) -> AppResult<LetterRequest> {
        let resident = self.confirmed_resident(actor)?;
        let penduduk_id = resident.penduduk_id.ok_or(AppError::Unauthenticated)?;
        let village = KodeWilayah::parse(&resident.village_code).map_err(|_| AppError::NotFound)?;
        let letter_type = self
            .letter_catalogue(&village)
            .await?
            .into_iter()
            .find(|t| t.spec.slug == letter_type && t.active && t.spec.online)
            .ok_or_else(|| AppError::invalid("letter_type", "Pilih jenis surat."))?;
        let mut errors = Vec::new();
        let fields = validate_fields(&letter_type.spec, &fields, &mut errors);
        let attachments = check_uploads(&letter_type.spec, uploads, &[], &mut errors);
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let (request, event) = self
            .new_request(actor, &village, &letter_type.spec, penduduk_id, &fields, FiledVia::Online(resident.id))
            .await?;
        let messages = self.messages_for(resident, &request, &letter_type.spec.name, RequestState::Diajukan, "");
        let audit = self.audit_event(
            actor,
            "letter_request.create",
            format!("wilayah:{}/surat:{}", village.as_str(), request.id),
            json!({"type": request.letter_type, "channel": "online", "attachments": attachments.len()}),
        );
        self.store.create_request(&request, &event, &attachments, &messages, audit, None).await?;
        Ok(request)
    }

    /// A pendamping files a letter request for a resident of the register (consent and contact
    /// already checked by `crate::assist`): the same rules as online, the assistance recorded
    /// with the request, and the confirmation sent to the recorded contact.
    pub(crate) async fn create_assisted_request(
        &self,
        actor: &Actor,
        assisted: &crate::assist::Assisted,
        letter_type: &str,
        fields: BTreeMap<String, String>,
        uploads: Vec<Upload>,
        mut errors: Vec<FieldError>,
    ) -> AppResult<LetterRequest> {
        let village = KodeWilayah::parse(&assisted.person.village_code).map_err(|_| AppError::NotFound)?;
        let letter_type = self
            .letter_catalogue(&village)
            .await?
            .into_iter()
            .find(|t| t.spec.slug == letter_type && t.active && t.spec.online);
        let Some(letter_type) = letter_type else {
            errors.push(FieldError::new("letter_type", "Pilih jenis surat."));
            return Err(AppError::Invalid(errors));
        };
        let fields = validate_fields(&letter_type.spec, &fields, &mut errors);
        let attachments = check_uploads(&letter_type.spec, uploads, &[], &mut errors);
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let (request, event) = self
            .new_request(actor, &village, &letter_type.spec, assisted.person.id, &fields, FiledVia::Pendamping)
            .await?;
        let recipient = Recipient::Assisted { email: assisted.email.clone(), phone: assisted.phone.clone() };
        let messages = self.letter_messages(&recipient, &request, &letter_type.spec.name, RequestState::Diajukan, "");
        let mut details = json!({"type": request.letter_type, "channel": "pendamping",
                                 "attachments": attachments.len()});
        assisted.add_audit_details(&mut details);
        let audit = self.audit_event(
            actor,
            "letter_request.create",
            format!("wilayah:{}/surat:{}", village.as_str(), request.id),
            details,
        );
        let record = assisted.record(crate::assist::letter_object(&request.id), request.received_at);
        self.store.create_request(&request, &event, &attachments, &messages, audit, Some(&record)).await?;
        Ok(request)
    }

    /// The resident's own requests, newest first.
    pub async fn resident_requests(&self, actor: &Actor) -> AppResult<Vec<ResidentRequestItem>> {
        let Actor::Resident(resident) = actor else { return Err(AppError::Unauthenticated) };
        let village = KodeWilayah::parse(&resident.village_code).map_err(|_| AppError::NotFound)?;
        let catalogue = self.letter_catalogue(&village).await?;
        let mut items = Vec::new();
        for request in self.store.requests_of_resident(resident.id, 200).await? {
            let type_name = catalogue
                .iter()
                .find(|t| t.spec.slug == request.letter_type)
                .map_or_else(|| request.letter_type.clone(), |t| t.spec.name.clone());
            items.push(ResidentRequestItem { state: parse_state(&request.state)?, type_name, request });
        }
        Ok(items)
    }

    /// A request of the resident's own; anyone else's id is "not found".
    async fn own_request(&self, actor: &Actor, id: &str) -> AppResult<(ResidentUser, LetterRequest)> {
        let Actor::Resident(resident) = actor else { return Err(AppError::Unauthenticated) };
        let request = self.store.request(id).await?.ok_or(AppError::NotFound)?;
        if request.resident_id != Some(resident.id) {
            return Err(AppError::NotFound);
        }
        Ok((resident.clone(), request))
    }

    pub async fn resident_request(&self, actor: &Actor, id: &str) -> AppResult<ResidentRequestView> {
        let (_, request) = self.own_request(actor, id).await?;
        let village = KodeWilayah::parse(&request.village_code).map_err(|_| AppError::NotFound)?;
        let view = self.request_view(request, &village).await?;
        let may = |action| next_state(view.state, action, Party::Pemohon).is_ok();
        Ok(ResidentRequestView {
            may_correct: may(RequestAction::KirimPerbaikan),
            may_cancel: may(RequestAction::Batalkan),
            view,
        })
    }

    /// The resident sends a request returned for correction back, with new field values and
    /// any new files (each replaces the earlier file of its requirement).
    pub async fn resubmit_request(
        &self,
        actor: &Actor,
        id: &str,
        fields: BTreeMap<String, String>,
        uploads: Vec<Upload>,
    ) -> AppResult<()> {
        let (resident, request) = self.own_request(actor, id).await?;
        let village = KodeWilayah::parse(&request.village_code).map_err(|_| AppError::NotFound)?;
        let from = parse_state(&request.state)?;
        let to = next_state(from, RequestAction::KirimPerbaikan, Party::Pemohon)
            .map_err(|e| AppError::AlreadyDone(e.message_id()))?;
        let letter_type = self.letter_type(&village, &request.letter_type).await?;
        let mut errors = Vec::new();
        let fields = validate_fields(&letter_type.spec, &fields, &mut errors);
        let existing: Vec<String> = self
            .store
            .attachments(&request.id)
            .await?
            .into_iter()
            .filter(|a| !a.replaced)
            .map(|a| a.requirement)
            .collect();
        let attachments = check_uploads(&letter_type.spec, uploads, &existing, &mut errors);
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let mut transition = self.transition(actor, &request, from, to, RequestAction::KirimPerbaikan, "");
        transition.fields = Some(serde_json::to_value(&fields).unwrap_or_default());
        transition.attachments = attachments;
        transition.messages = self.messages_for(&resident, &request, &letter_type.spec.name, to, "");
        let audit = self.audit_event(
            actor,
            "letter_request.kirim_perbaikan",
            format!("wilayah:{}/surat:{}", request.village_code, request.id),
            json!({"from": from.as_str(), "to": to.as_str(), "attachments": transition.attachments.len()}),
        );
        self.store.transition_request(&transition, audit).await.map_err(stale)
    }

    /// The resident withdraws a request that is not verified yet.
    pub async fn cancel_request(&self, actor: &Actor, id: &str) -> AppResult<()> {
        let (_, request) = self.own_request(actor, id).await?;
        let from = parse_state(&request.state)?;
        let to = next_state(from, RequestAction::Batalkan, Party::Pemohon)
            .map_err(|e| AppError::AlreadyDone(e.message_id()))?;
        let transition = self.transition(actor, &request, from, to, RequestAction::Batalkan, "Dibatalkan pemohon");
        let audit = self.audit_event(
            actor,
            "letter_request.batalkan",
            format!("wilayah:{}/surat:{}", request.village_code, request.id),
            json!({"from": from.as_str(), "to": to.as_str()}),
        );
        self.store.transition_request(&transition, audit).await.map_err(stale)
    }

    /// The issued PDF of the resident's own request.
    pub async fn resident_letter_pdf(&self, actor: &Actor, request_id: &str) -> AppResult<(IssuedLetter, Vec<u8>)> {
        let (_, request) = self.own_request(actor, request_id).await?;
        let letter = self.store.letter_for_request(&request.id).await?.ok_or(AppError::NotFound)?;
        if letter.revoked_at.is_some() {
            return Err(AppError::NotFound);
        }
        let pdf = self.store.letter_pdf(&letter.id).await?.ok_or(AppError::NotFound)?;
        Ok((letter, pdf))
    }

    /// One attached file, for the request's resident or the village's letter staff.
    pub async fn request_attachment(
        &self,
        actor: &Actor,
        request_id: &str,
        attachment_id: &str,
    ) -> AppResult<(AttachmentMeta, Vec<u8>)> {
        match actor {
            Actor::Resident(_) => {
                self.own_request(actor, request_id).await?;
            }
            _ => {
                self.letter_request_scope(actor, request_id).await?;
            }
        }
        let (meta, data) = self.store.attachment(attachment_id).await?.ok_or(AppError::NotFound)?;
        if meta.request_id != request_id {
            return Err(AppError::NotFound);
        }
        Ok((meta, data))
    }

    async fn letter_request_scope(&self, actor: &Actor, request_id: &str) -> AppResult<LetterRequest> {
        let request = self.store.request(request_id).await?.ok_or(AppError::NotFound)?;
        let village = KodeWilayah::parse(&request.village_code).map_err(|_| AppError::NotFound)?;
        actor.require(
            balai_domain::roles::Permission::ProcessLetters,
            &balai_domain::roles::Target::Wilayah(&village),
        )?;
        Ok(request)
    }

    /// Messages about a request's new state to the resident who asked online, or to the contact
    /// recorded by the pendamping who filed it (none for walk-ins, and none for states that are
    /// only internal steps).
    pub(super) async fn resident_messages(
        &self,
        request: &LetterRequest,
        to: RequestState,
        note: &str,
    ) -> AppResult<Vec<NewMessage>> {
        let recipient = match request.resident_id {
            Some(resident_id) => match self.store.resident(resident_id).await? {
                Some(resident) => Recipient::Resident(ResidentUser::from(resident)),
                None => return Ok(Vec::new()),
            },
            None if request.channel == "pendamping" => {
                match self.store.assistance_for(&crate::assist::letter_object(&request.id)).await? {
                    Some(a) => Recipient::Assisted { email: a.contact_email, phone: a.contact_phone },
                    None => return Ok(Vec::new()),
                }
            }
            None => return Ok(Vec::new()),
        };
        let village = KodeWilayah::parse(&request.village_code).map_err(|_| AppError::NotFound)?;
        let type_name = self
            .letter_type(&village, &request.letter_type)
            .await
            .map_or_else(|_| request.letter_type.clone(), |t| t.spec.name);
        Ok(self.letter_messages(&recipient, request, &type_name, to, note))
    }

    fn messages_for(
        &self,
        resident: &ResidentUser,
        request: &LetterRequest,
        type_name: &str,
        to: RequestState,
        note: &str,
    ) -> Vec<NewMessage> {
        self.letter_messages(&Recipient::Resident(resident.clone()), request, type_name, to, note)
    }

    /// The message for a request's new state. A resident with an account follows it on their
    /// page; an assisted resident has none, so they are told where to ask instead.
    pub(super) fn letter_messages(
        &self,
        recipient: &Recipient,
        request: &LetterRequest,
        type_name: &str,
        to: RequestState,
        note: &str,
    ) -> Vec<NewMessage> {
        let url = format!("{}/warga/permohonan/{}", self.config.public_url.trim_end_matches('/'), request.id);
        let code = tracking_code(&request.id);
        let assisted = matches!(recipient, Recipient::Assisted { .. });
        let follow = |verb: &str| {
            if assisted {
                format!("Tanyakan kepada pendamping Anda atau kantor desa dengan menyebut kode {code}.")
            } else {
                format!("{verb} di {url}")
            }
        };
        let (subject, body) = match to {
            RequestState::Diajukan => (
                format!("Permohonan {type_name} diterima ({code})"),
                format!(
                    "Permohonan {type_name} Anda diterima dengan kode {code}. Paling lambat selesai {}. {}",
                    balai_domain::calendar::format_tanggal(request.due_on),
                    follow("Pantau")
                ),
            ),
            RequestState::PerluPerbaikan => (
                format!("Permohonan {type_name} perlu diperbaiki ({code})"),
                format!("Permohonan {type_name} Anda dikembalikan untuk diperbaiki: {note}. {}", follow("Perbaiki")),
            ),
            RequestState::MenungguTandaTangan => (
                format!("Permohonan {type_name} sudah diverifikasi ({code})"),
                format!(
                    "Permohonan {type_name} Anda sudah diverifikasi dan menunggu tanda tangan. {}",
                    follow("Pantau")
                ),
            ),
            RequestState::Selesai if assisted => (
                format!("Surat {type_name} sudah terbit ({code})"),
                format!(
                    "Surat {type_name} Anda sudah ditandatangani dan dapat diambil di kantor desa dengan menyebut \
                     kode {code}, atau melalui pendamping Anda.{}",
                    self.survey_sentence(SurveySource::Surat, &request.id)
                ),
            ),
            RequestState::Selesai => (
                format!("Surat {type_name} sudah terbit ({code})"),
                format!(
                    "Surat {type_name} Anda sudah ditandatangani. Unduh PDF-nya di {url}.{}",
                    self.survey_sentence(SurveySource::Surat, &request.id)
                ),
            ),
            RequestState::Ditolak => (
                format!("Permohonan {type_name} ditolak ({code})"),
                format!("Permohonan {type_name} Anda ditolak: {note}. {}", follow("Rincian")),
            ),
            RequestState::Diperiksa if request.state == RequestState::PerluPerbaikan.as_str() => (
                format!("Perbaikan permohonan {type_name} diterima ({code})"),
                format!("Perbaikan Anda diterima dan akan diperiksa kembali. {}", follow("Pantau")),
            ),
            _ => return Vec::new(),
        };
        let (phone, email) = match recipient {
            Recipient::Resident(r) => (r.phone.as_str(), r.email.as_str()),
            Recipient::Assisted { email, phone } => (phone.as_str(), email.as_str()),
        };
        messages_to(phone, email, &subject, &body, &format!("surat:{}", request.id))
    }
}

/// Files in the order the letter type lists its attachments, current before replaced ones.
pub(super) fn sort_attachments(spec: &LetterTypeSpec, attachments: &mut [AttachmentMeta]) {
    let position = |a: &AttachmentMeta| spec.attachments.iter().position(|s| s.name == a.requirement);
    attachments.sort_by_key(|a| (position(a), a.replaced, std::cmp::Reverse(a.created_at)));
}

/// The short code residents quote (the first eight characters of the request's id).
pub fn tracking_code(request_id: &str) -> String {
    request_id.chars().take(8).collect::<String>().to_uppercase()
}

/// Checks uploaded files against a letter type: each answers one of its attachments, is a real
/// JPEG, PNG or PDF within the size limit; every required attachment is sent (or `existing`).
fn check_uploads(
    spec: &LetterTypeSpec,
    uploads: Vec<Upload>,
    existing: &[String],
    errors: &mut Vec<FieldError>,
) -> Vec<NewAttachment> {
    let mut out: Vec<NewAttachment> = Vec::new();
    for upload in uploads {
        let field = format!("lampiran_{}", upload.requirement);
        if !spec.attachments.iter().any(|a| a.name == upload.requirement) {
            errors.push(FieldError::new(field, "Lampiran ini tidak diminta untuk jenis surat ini."));
            continue;
        }
        match sniff_upload(&upload.bytes) {
            Ok(kind) => {
                out.retain(|a| a.requirement != upload.requirement);
                out.push(NewAttachment {
                    id: random_id(),
                    requirement: upload.requirement.clone(),
                    file_name: clean_file_name(&upload.file_name, kind),
                    content_type: kind.content_type().to_string(),
                    sha256: hex::encode(Sha256::digest(&upload.bytes)),
                    data: upload.bytes,
                });
            }
            Err(e) => errors.push(FieldError::new(field, e.message_id())),
        }
    }
    for required in spec.attachments.iter().filter(|a| a.required) {
        let sent = out.iter().any(|a| a.requirement == required.name) || existing.contains(&required.name);
        let refused = errors.iter().any(|e| e.field == format!("lampiran_{}", required.name));
        if !sent && !refused {
            errors.push(FieldError::new(
                format!("lampiran_{}", required.name),
                format!("Lampirkan {} (foto JPEG/PNG atau PDF).", required.label),
            ));
        }
    }
    out
}
