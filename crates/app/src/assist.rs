//! Assisted filing (pendampingan, seed 003: residents who cannot file alone, the elderly first).
//! A pendamping (kader digital) files a letter request, a report or an information request for a
//! resident of their own village's register, with the resident's consent recorded. The filing
//! follows the same rules as the resident's own; its messages go to the contact recorded for the
//! resident; the assistance is stored with the filing, in its audit record and on the staff pages.

use std::collections::BTreeMap;

use balai_domain::nik::Nik;
use balai_domain::pendampingan::{Consent, check_consent};
use balai_domain::roles::{Permission, Target};
use balai_domain::wilayah::KodeWilayah;
use balai_store::assistance::Assistance;
use balai_store::letters::{LetterRequest, Penduduk};
use chrono::{DateTime, Utc};

use crate::letters::{LetterType, Upload};
use crate::ppid::{InfoRequestInput, InfoSubmitted};
use crate::reports::{Channel, NewReportInput, ReportUpload, Submitted, optional_contact};
use crate::{Actor, App, AppError, AppResult, FieldError};

/// The assistance part of a pendamping's form: whom it is for, their consent, their contact.
#[derive(Debug, Clone, Default)]
pub struct AssistInput {
    pub nik: String,
    /// The pendamping ticked "the resident agreed to this filing".
    pub consent_confirmed: bool,
    pub consent_method: String,
    pub witness: String,
    /// Where the resident (or their family) receives the messages; at least one.
    pub email: String,
    pub phone: String,
}

/// A checked assistance: the pendamping, the resident from the register, the consent, the contact.
#[derive(Debug, Clone)]
pub struct Assisted {
    pub pendamping: String,
    pub pendamping_name: String,
    pub person: Penduduk,
    pub consent: Consent,
    pub email: String,
    pub phone: String,
}

impl Assisted {
    /// The stored record of this assistance for the filing `object`.
    pub(crate) fn record(&self, object: String, at: DateTime<Utc>) -> Assistance {
        Assistance {
            object,
            village_code: self.person.village_code.clone(),
            pendamping: self.pendamping.clone(),
            penduduk_id: self.person.id,
            resident_name: self.person.nama.clone(),
            consent_method: self.consent.method.as_str().to_string(),
            consent_witness: self.consent.witness.clone(),
            contact_email: self.email.clone(),
            contact_phone: self.phone.clone(),
            at,
        }
    }

    /// Adds who assisted and how consent was given to a filing's audit details (no personal data:
    /// the register row, not the name).
    pub(crate) fn add_audit_details(&self, details: &mut serde_json::Value) {
        if let Some(map) = details.as_object_mut() {
            map.insert("assisted_by".into(), self.pendamping.clone().into());
            map.insert("penduduk_id".into(), self.person.id.into());
            map.insert("consent".into(), self.consent.method.as_str().into());
        }
    }

    /// The resident's address as the register has it, for the PPID's written notice.
    pub(crate) fn address(&self) -> String {
        let p = &self.person;
        match (p.rt.trim(), p.rw.trim()) {
            ("", "") => p.alamat.clone(),
            (rt, rw) => format!("{}, RT {rt}/RW {rw}", p.alamat),
        }
    }
}

/// The object an assistance is stored under, per kind of filing.
pub(crate) fn letter_object(request_id: &str) -> String {
    format!("surat:{request_id}")
}
pub(crate) fn report_object(code: &str) -> String {
    format!("laporan:{code}")
}
pub(crate) fn info_object(code: &str) -> String {
    format!("informasi:{code}")
}

/// One assisted filing as a list shows it.
#[derive(Debug, Clone)]
pub struct AssistedFiling {
    pub assistance: Assistance,
    /// `surat`, `laporan` or `informasi`.
    pub kind: &'static str,
    /// The request id or tracking code.
    pub key: String,
}

impl App {
    /// Checks the assistance part of a form. The resident must be in the register of a village
    /// the pendamping serves; consent and a contact are required. Problems are returned as field
    /// errors with the filing's own (so the form shows all at once); `None` when the resident
    /// could not be identified.
    async fn check_assistance(
        &self,
        actor: &Actor,
        village: &str,
        input: &AssistInput,
    ) -> AppResult<(Option<Assisted>, Vec<FieldError>)> {
        let village = KodeWilayah::parse(village).map_err(|_| AppError::NotFound)?;
        actor.require(Permission::AssistResidents, &Target::Wilayah(&village))?;
        let Actor::Staff(pendamping) = actor else { return Err(AppError::Unauthenticated) };
        let mut errors = Vec::new();
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
                        "NIK ini tidak terdaftar sebagai penduduk desa ini. Pendamping hanya dapat mengajukan untuk \
                         warga desa tempatnya bertugas.",
                    ));
                    None
                }
            },
        };
        let consent = match check_consent(input.consent_confirmed, &input.consent_method, &input.witness) {
            Ok(c) => Some(c),
            Err(problems) => {
                errors.extend(problems.into_iter().map(|(field, message)| FieldError::new(field, message)));
                None
            }
        };
        let (email, phone) = optional_contact(&input.email, &input.phone, &mut errors);
        if email.is_empty() && phone.is_empty() && !errors.iter().any(|e| e.field == "email" || e.field == "phone") {
            errors.push(FieldError::new(
                "phone",
                "Isi nomor WhatsApp atau email warga (atau keluarganya) agar warga menerima kabar pengajuannya.",
            ));
        }
        let assisted = match (person, consent) {
            (Some(person), Some(consent)) => Some(Assisted {
                pendamping: pendamping.username.clone(),
                pendamping_name: pendamping.full_name.clone(),
                person,
                consent,
                email,
                phone,
            }),
            _ => None,
        };
        Ok((assisted, errors))
    }

    /// The letter types a pendamping may file for a resident: those the village offers online.
    pub async fn assist_letter_catalogue(&self, actor: &Actor, village: &str) -> AppResult<Vec<LetterType>> {
        let code = KodeWilayah::parse(village).map_err(|_| AppError::NotFound)?;
        actor.require(Permission::AssistResidents, &Target::Wilayah(&code))?;
        Ok(self.letter_catalogue(&code).await?.into_iter().filter(|t| t.active && t.spec.online).collect())
    }

    /// A pendamping files a letter request for a resident.
    pub async fn assisted_letter_request(
        &self,
        actor: &Actor,
        village: &str,
        assist: &AssistInput,
        letter_type: &str,
        fields: BTreeMap<String, String>,
        uploads: Vec<Upload>,
    ) -> AppResult<LetterRequest> {
        let (assisted, errors) = self.check_assistance(actor, village, assist).await?;
        match assisted {
            Some(a) => self.create_assisted_request(actor, &a, letter_type, fields, uploads, errors).await,
            None => Err(AppError::Invalid(errors)),
        }
    }

    /// A pendamping files a report (pengaduan, aspirasi) for a resident, about their village.
    pub async fn assisted_report(
        &self,
        actor: &Actor,
        village: &str,
        assist: &AssistInput,
        input: NewReportInput,
        uploads: Vec<ReportUpload>,
    ) -> AppResult<Submitted> {
        let (assisted, errors) = self.check_assistance(actor, village, assist).await?;
        match assisted {
            Some(a) => self.file_report(actor, input, uploads, Channel::Pendamping, Some(&a), errors).await,
            None => Err(AppError::Invalid(errors)),
        }
    }

    /// A pendamping files an information request to the village's PPID for a resident.
    pub async fn assisted_info_request(
        &self,
        actor: &Actor,
        village: &str,
        assist: &AssistInput,
        input: InfoRequestInput,
    ) -> AppResult<InfoSubmitted> {
        let (assisted, errors) = self.check_assistance(actor, village, assist).await?;
        match assisted {
            Some(a) => self.file_info_request(actor, village, input, "pendamping", Some(&a), errors).await,
            None => Err(AppError::Invalid(errors)),
        }
    }

    /// A village's assisted filings, newest first: a pendamping sees their own, the village's
    /// letter staff and PPID see all.
    pub async fn assisted_filings(&self, actor: &Actor, village: &str) -> AppResult<Vec<AssistedFiling>> {
        let code = KodeWilayah::parse(village).map_err(|_| AppError::NotFound)?;
        let target = Target::Wilayah(&code);
        let only = if actor.may(Permission::ProcessLetters, &target) || actor.may(Permission::ViewInformation, &target)
        {
            None
        } else {
            actor.require(Permission::AssistResidents, &target)?;
            match actor {
                Actor::Staff(u) => Some(u.username.clone()),
                _ => return Err(AppError::Unauthenticated),
            }
        };
        let rows = self.store.assistances(code.as_str(), only.as_deref(), 200).await?;
        Ok(rows
            .into_iter()
            .map(|assistance| {
                let (kind, key) = assistance.object.split_once(':').unwrap_or(("", ""));
                let kind = match kind {
                    "surat" => "surat",
                    "laporan" => "laporan",
                    _ => "informasi",
                };
                AssistedFiling { kind, key: key.to_string(), assistance }
            })
            .collect())
    }

    /// The assistance behind a filing, for staff pages (callers have checked the viewer may see
    /// the filing itself).
    pub(crate) async fn assistance_of(&self, object: &str) -> AppResult<Option<Assistance>> {
        Ok(self.store.assistance_for(object).await?)
    }
}
