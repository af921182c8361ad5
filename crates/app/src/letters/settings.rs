//! A village's own letter settings and catalogue, edited by its staff: numbering format and
//! counter scope, paper, its own Typst template (checked by rendering a sample letter before it is
//! saved), and each letter type's name, availability, standar pelayanan and body.

use balai_domain::layanan::{self, PublicService, StandarInput};
use balai_domain::roles::{Permission, Target};
use balai_domain::surat::catalogue::{LetterTypeSpec, StandarPelayanan};
use balai_domain::surat::catalogue_text;
use balai_domain::surat::document::{LetterDocument, Paper, Signer};
use balai_domain::surat::numbering::{CounterScope, NumberFormat};
use balai_domain::wilayah::KodeWilayah;
use balai_store::letters::{LetterSettings, StoredLetterType};
use serde_json::json;

use super::LetterType;
use crate::{Actor, App, AppError, AppResult, FieldError};

#[derive(Debug, Clone, Default)]
pub struct LetterSettingsInput {
    pub number_format: String,
    pub counter_scope: String,
    pub paper: String,
    /// The village's own Typst template; empty for the built-in one.
    pub template: String,
}

/// What staff may change about one letter type. Lists are one item per line.
#[derive(Debug, Clone, Default)]
pub struct LetterTypeInput {
    pub name: String,
    pub active: bool,
    pub online: bool,
    pub jangka_waktu_hari: String,
    pub biaya: String,
    pub persyaratan: String,
    pub prosedur: String,
    pub body: String,
    pub validity_days: String,
    /// Overrides the village's number format for this type; empty to use the village's.
    pub number_format: String,
    /// The fields and attachments as lines (`balai_domain::surat::catalogue_text`).
    pub fields: String,
    pub attachments: String,
}

/// Largest own template accepted (the built-in one is about 4 KB).
const MAX_TEMPLATE_BYTES: usize = 64 * 1024;

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}

impl App {
    /// The village's settings and catalogue for its staff's editing pages.
    pub async fn letter_admin(&self, actor: &Actor, village: &str) -> AppResult<(LetterSettings, Vec<LetterType>)> {
        let village = KodeWilayah::parse(village).map_err(|_| AppError::NotFound)?;
        actor.require(Permission::EditVillageProfile, &Target::Wilayah(&village))?;
        Ok((self.letter_settings(&village).await?, self.letter_catalogue(&village).await?))
    }

    pub async fn save_letter_settings(
        &self,
        actor: &Actor,
        village: &str,
        input: LetterSettingsInput,
    ) -> AppResult<()> {
        let village = KodeWilayah::parse(village).map_err(|_| AppError::NotFound)?;
        actor.require(Permission::EditVillageProfile, &Target::Wilayah(&village))?;
        let mut errors = Vec::new();
        let number_format = input.number_format.trim().to_string();
        if let Err(e) = NumberFormat::parse(&number_format) {
            errors.push(FieldError::new("number_format", e.message_id()));
        }
        let scope = input.counter_scope.parse::<CounterScope>().ok();
        if scope.is_none() {
            errors.push(FieldError::new("counter_scope", "Pilih cara penomoran."));
        }
        let paper = match input.paper.as_str() {
            "a4" => Paper::A4,
            "f4" => Paper::F4,
            _ => {
                errors.push(FieldError::new("paper", "Pilih ukuran kertas F4 atau A4."));
                Paper::F4
            }
        };
        let template = input.template.replace("\r\n", "\n");
        let template = (!template.trim().is_empty()).then_some(template);
        if let Some(t) = &template {
            if t.len() > MAX_TEMPLATE_BYTES {
                errors.push(FieldError::new("template", "Templat paling besar 64 KB."));
            } else if let Err(e) = self.render_sample(&village, paper, Some(t)).await {
                errors.push(FieldError::new(
                    "template",
                    format!("Templat tidak dapat dipakai; surat contoh gagal dibuat: {e}"),
                ));
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let settings = LetterSettings {
            village_code: village.as_str().to_string(),
            number_format,
            counter_scope: scope.unwrap_or_default().as_str().to_string(),
            paper: paper.as_str().to_string(),
            template,
        };
        let audit = self.audit_event(
            actor,
            "letter_settings.save",
            format!("wilayah:{}", village.as_str()),
            json!({"number_format": settings.number_format, "counter_scope": settings.counter_scope,
                   "paper": settings.paper, "own_template": settings.template.is_some()}),
        );
        self.store.save_letter_settings(&settings, audit).await?;
        Ok(())
    }

    /// A sample letter with the village's kop and the given template, as the settings page's
    /// preview and as the check that an own template compiles.
    pub async fn render_sample(
        &self,
        village: &KodeWilayah,
        paper: Paper,
        template: Option<&str>,
    ) -> AppResult<Vec<u8>> {
        let renderer = self.letter_services()?.renderer.clone();
        let head = self.village_head(village).await?;
        let document = LetterDocument {
            paper,
            kop: head.kop(),
            title: "SURAT KETERANGAN (CONTOH)".into(),
            number: "000/000/0000/I/2026".into(),
            opening: "Yang bertanda tangan di bawah ini menerangkan bahwa:".into(),
            rows: vec![("Nama".into(), "Contoh Nama Warga".into()), ("NIK".into(), "0000000000000000".into())],
            body: vec!["Ini surat contoh untuk memeriksa templat. Surat ini tidak sah.".into()],
            closing: "Demikian surat keterangan ini dibuat.".into(),
            place_date: format!("{}, 1 Januari 2026", head.village_name),
            signer: Signer {
                title_lines: vec![format!("Kepala {} {}", head.level_label, head.village_name)],
                name: "Nama Penandatangan".into(),
                nip: String::new(),
            },
            verification_url: format!("{}/v/contoh", self.config.public_url.trim_end_matches('/')),
            verification_note: "Contoh — tidak dapat diverifikasi".into(),
        };
        let template = template.map(str::to_string);
        tokio::task::spawn_blocking(move || renderer.render(&document, template.as_deref()))
            .await
            .map_err(|e| AppError::Internal(e.into()))?
            .map_err(|e| AppError::invalid("template", e.to_string()))
    }

    /// A preview PDF of the village's letters with its current settings.
    pub async fn letter_preview(&self, actor: &Actor, village: &str) -> AppResult<Vec<u8>> {
        let village = KodeWilayah::parse(village).map_err(|_| AppError::NotFound)?;
        actor.require(Permission::EditVillageProfile, &Target::Wilayah(&village))?;
        let settings = self.letter_settings(&village).await?;
        let paper = if settings.paper == Paper::A4.as_str() { Paper::A4 } else { Paper::F4 };
        self.render_sample(&village, paper, settings.template.as_deref()).await
    }

    pub async fn update_letter_type(
        &self,
        actor: &Actor,
        village: &str,
        slug: &str,
        input: LetterTypeInput,
    ) -> AppResult<()> {
        let village = KodeWilayah::parse(village).map_err(|_| AppError::NotFound)?;
        actor.require(Permission::EditVillageProfile, &Target::Wilayah(&village))?;
        let current = self.letter_type(&village, slug).await?;
        let mut spec: LetterTypeSpec = current.spec.clone();
        let mut errors = Vec::new();
        spec.name = input.name.split_whitespace().collect::<Vec<_>>().join(" ");
        spec.online = input.online;
        match input.jangka_waktu_hari.trim().parse::<u32>() {
            Ok(days) if (1..=60).contains(&days) => spec.standar.jangka_waktu_hari = days,
            _ => errors.push(FieldError::new("jangka_waktu_hari", "Jangka waktu: 1 sampai 60 hari kerja.")),
        }
        spec.validity_days = match input.validity_days.trim() {
            "" => None,
            days => match days.parse::<u32>() {
                Ok(d) if d >= 1 => Some(d),
                _ => {
                    errors.push(FieldError::new("validity_days", "Masa berlaku dalam hari (angka), atau kosongkan."));
                    None
                }
            },
        };
        spec.standar.biaya = input.biaya.trim().to_string();
        spec.standar.persyaratan = lines(&input.persyaratan);
        spec.standar.prosedur = lines(&input.prosedur);
        spec.body = lines(&input.body);
        match catalogue_text::parse_field_lines(&input.fields) {
            Ok(fields) => spec.fields = fields,
            Err(problems) => errors.extend(problems.into_iter().map(|p| FieldError::new("fields", p))),
        }
        match catalogue_text::parse_attachment_lines(&input.attachments) {
            Ok(attachments) => spec.attachments = attachments,
            Err(problems) => errors.extend(problems.into_iter().map(|p| FieldError::new("attachments", p))),
        }
        let number_format = input.number_format.trim();
        if !number_format.is_empty()
            && let Err(e) = NumberFormat::parse(number_format)
        {
            errors.push(FieldError::new("number_format", e.message_id()));
        }
        for problem in spec.problems() {
            errors.push(FieldError::new("spec", problem));
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let stored = StoredLetterType {
            village_code: village.as_str().to_string(),
            slug: spec.slug.clone(),
            name: spec.name.clone(),
            spec: serde_json::to_value(&spec).map_err(|e| AppError::Internal(e.into()))?,
            active: input.active,
            number_format: (!number_format.is_empty()).then(|| number_format.to_string()),
        };
        let audit = self.audit_event(
            actor,
            "letter_type.update",
            format!("wilayah:{}/jenis:{}", village.as_str(), spec.slug),
            json!({"active": input.active, "online": spec.online, "jangka_waktu_hari": spec.standar.jangka_waktu_hari}),
        );
        self.store.save_letter_types(&[stored], audit).await?;
        // The village page lists the letters that can be requested online.
        self.portal_changed();
        Ok(())
    }
}

/// A village's standar of one of its services outside the letter catalogue.
#[derive(Debug, Clone)]
pub struct ServiceStandard {
    pub service: PublicService,
    pub standar: StandarPelayanan,
    /// Whether the village wrote its own (otherwise the defaults are shown).
    pub own: bool,
}

impl App {
    /// The standar of the village's complaint channel and information requests: the village's
    /// own words where it wrote them, the defaults otherwise; the jangka waktu always the rule's.
    pub async fn service_standards(&self, village: &KodeWilayah) -> AppResult<Vec<ServiceStandard>> {
        let stored = self.store.service_standards(village.as_str()).await?;
        Ok(PublicService::ALL
            .into_iter()
            .map(|service| {
                let own = stored
                    .iter()
                    .find(|(name, _)| name == service.as_str())
                    .and_then(|(_, spec)| serde_json::from_str::<StandarPelayanan>(spec).ok());
                ServiceStandard {
                    service,
                    own: own.is_some(),
                    standar: own
                        .map(|mut s| {
                            s.jangka_waktu_hari = service.jangka_waktu_hari();
                            s
                        })
                        .unwrap_or_else(|| service.default_standar()),
                }
            })
            .collect())
    }

    /// Stores the village's wording of a service's standar; bad input: `Invalid`, nothing stored.
    pub async fn update_service_standard(
        &self,
        actor: &Actor,
        village: &str,
        service: &str,
        input: &StandarInput,
    ) -> AppResult<()> {
        let village = KodeWilayah::parse(village).map_err(|_| AppError::NotFound)?;
        actor.require(Permission::EditVillageProfile, &Target::Wilayah(&village))?;
        let service: PublicService = service.parse().map_err(|_| AppError::NotFound)?;
        let standar = layanan::check_standar(service, input)
            .map_err(|e| AppError::Invalid(e.into_iter().map(|(f, m)| FieldError::new(f, m)).collect()))?;
        let spec = serde_json::to_string(&standar).map_err(|e| AppError::Internal(e.into()))?;
        let audit = self.audit_event(
            actor,
            "service.standard.update",
            format!("wilayah:{}/layanan:{}", village.as_str(), service.as_str()),
            json!({"standar": standar}),
        );
        self.store.save_service_standard(village.as_str(), service.as_str(), &spec, audit).await?;
        Ok(())
    }
}
