//! The satisfaction survey (SKM, PermenPANRB 14/2017): the single-use link in every completed
//! service's message, the walk-in form behind a counter's QR, and the results (IKM, grade,
//! Krejcie–Morgan guidance) per service, village, unit and period, as a page, a PDF and a
//! workbook.
//!
//! A link is `/survei/{source}/{ref}/{token}`: the token is the day it was sent and an HMAC of
//! the source, the service and that day under a key derived from the installation's secret. No
//! row is written when a link is sent; the response's unique `(source, service_ref)` makes it
//! single-use, and the service is checked completed when the answer arrives.

use balai_domain::calendar::format_tanggal;
use balai_domain::dokumen::{ReportTable, TableReport};
use balai_domain::ikm::{self, Grade, Index, NoIndex, Periode, SURVEY_LINK_DAYS, Tally, Unsur, Weights};
use balai_domain::surat::document::{Kop, Paper, Signer};
use balai_domain::wilayah::{KodeWilayah, Region};
use balai_store::StoreError;
use balai_store::surveys::{NewSurveyResponse, SurveyTally};
use chrono::NaiveDate;
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

use crate::{Actor, App, AppError, AppResult};

/// Where a response comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SurveySource {
    /// A signed letter.
    Surat,
    /// A finished report.
    Lapor,
    /// A decided information request.
    Informasi,
}

impl SurveySource {
    pub fn as_str(&self) -> &'static str {
        match self {
            SurveySource::Surat => "surat",
            SurveySource::Lapor => "lapor",
            SurveySource::Informasi => "informasi",
        }
    }

    fn parse(text: &str) -> AppResult<SurveySource> {
        match text {
            "surat" => Ok(SurveySource::Surat),
            "lapor" => Ok(SurveySource::Lapor),
            "informasi" => Ok(SurveySource::Informasi),
            _ => Err(AppError::NotFound),
        }
    }
}

/// The service a link's survey is about, once the link is found good.
#[derive(Debug, Clone)]
pub struct SurveyInvitation {
    pub source: SurveySource,
    pub service_ref: String,
    pub token: String,
    pub village: Region,
    pub unit: String,
    pub service_type: String,
    pub service_label: String,
    /// The last day the link may be answered.
    pub valid_until: NaiveDate,
}

/// A walk-in survey form for a village's counter.
#[derive(Debug, Clone)]
pub struct WalkInSurvey {
    pub village: Region,
    /// `(service_type, label)` a visitor picks from.
    pub services: Vec<(String, String)>,
    /// The form's one-time key, signed (sent back with the answers).
    pub visit: String,
}

/// What a resident sends from the form: each unsur's answer as typed (empty: skipped).
#[derive(Debug, Clone, Default)]
pub struct SurveyAnswers {
    pub answers: Vec<(Unsur, String)>,
    /// Walk-in only: the service they came for.
    pub service_type: String,
}

/// How many walk-in answers one visitor (address) may give per hour: a counter's shared tablet
/// serves a queue, a script does not.
const WALK_IN_PER_HOUR: i64 = 20;
/// How long a walk-in form may be answered after it was opened.
const WALK_IN_FORM_HOURS: i64 = 3;

pub(crate) const LAPOR_LABEL: &str = "Pengaduan, aspirasi dan permintaan informasi (LAPOR)";
pub(crate) const INFORMASI_LABEL: &str = "Permohonan informasi publik (PPID)";
const OTHER_LABEL: &str = "Layanan lain di kantor desa";
/// How much of the HMAC a link or form carries.
const SURVEY_TAG_BYTES: usize = 12;

impl App {
    fn survey_key(&self) -> Option<[u8; 32]> {
        self.letters.as_ref().map(|l| l.master_key.survey_key())
    }

    /// The HMAC over `parts` (each ended by a NUL), keyed by the installation's secret; `None`
    /// when there is none (letters are not configured).
    fn survey_hmac(&self, parts: &[&str]) -> Option<Hmac<Sha256>> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.survey_key()?).ok()?;
        for part in parts {
            mac.update(part.as_bytes());
            mac.update(b"\0");
        }
        Some(mac)
    }

    /// The first 12 bytes of the HMAC, base64url (16 characters: short enough for a message).
    fn survey_mac(&self, parts: &[&str]) -> Option<String> {
        let bytes = self.survey_hmac(parts)?.finalize().into_bytes();
        use base64::Engine;
        Some(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes[..SURVEY_TAG_BYTES]))
    }

    /// Whether `tag` is [`Self::survey_mac`] of `parts` (compared in constant time by `hmac`).
    fn survey_mac_matches(&self, parts: &[&str], tag: &str) -> bool {
        use base64::Engine;
        let Ok(bytes) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(tag) else { return false };
        bytes.len() == SURVEY_TAG_BYTES
            && self.survey_hmac(parts).is_some_and(|mac| mac.verify_truncated_left(&bytes).is_ok())
    }

    /// The survey link for a service completed today; `None` when the installation has no secret
    /// to sign it with (letters are not configured).
    pub fn survey_url(&self, source: SurveySource, service_ref: &str) -> Option<String> {
        let path = self.survey_path_on(source, service_ref, self.today())?;
        Some(format!("{}{path}", self.config.public_url.trim_end_matches('/')))
    }

    /// The link's path as minted on `day` (its 30 days count from then).
    fn survey_path_on(&self, source: SurveySource, service_ref: &str, day: chrono::NaiveDate) -> Option<String> {
        let day = day.format("%Y%m%d").to_string();
        let tag = self.survey_mac(&["survei-v1", source.as_str(), service_ref, &day])?;
        Some(format!("/survei/{}/{service_ref}/{day}{tag}", source.as_str()))
    }

    /// The survey link of a service completed on `completed_on`, for the resident's own page:
    /// the same link the completion message carried, while it is valid and unanswered.
    pub async fn open_survey_path(
        &self,
        source: SurveySource,
        service_ref: &str,
        completed_on: chrono::NaiveDate,
    ) -> AppResult<Option<String>> {
        if self.today() > completed_on + chrono::Duration::days(SURVEY_LINK_DAYS)
            || self.store.survey_answered(source.as_str(), service_ref).await?
        {
            return Ok(None);
        }
        Ok(self.survey_path_on(source, service_ref, completed_on))
    }

    /// The sentence a completion message ends with.
    pub(crate) fn survey_sentence(&self, source: SurveySource, service_ref: &str) -> String {
        self.survey_url(source, service_ref)
            .map(|url| format!(" Bantu kami memperbaiki layanan: isi survei kepuasan (1 menit) di {url}"))
            .unwrap_or_default()
    }

    /// Checks a survey link: signed by this installation, not older than its validity, for a
    /// completed service that has no response yet.
    pub async fn survey_invitation(&self, source: &str, service_ref: &str, token: &str) -> AppResult<SurveyInvitation> {
        let source = SurveySource::parse(source)?;
        let (day, tag) = (token.get(..8).ok_or(AppError::NotFound)?, token.get(8..).ok_or(AppError::NotFound)?);
        if !self.survey_mac_matches(&["survei-v1", source.as_str(), service_ref, day], tag) {
            return Err(AppError::NotFound);
        }
        let sent = NaiveDate::parse_from_str(day, "%Y%m%d").map_err(|_| AppError::NotFound)?;
        let valid_until = sent + chrono::Duration::days(SURVEY_LINK_DAYS);
        if self.today() > valid_until {
            return Err(AppError::AlreadyDone(format!(
                "Tautan survei ini sudah kedaluwarsa: berlaku {SURVEY_LINK_DAYS} hari sejak layanan selesai (sampai \
                 {}). Terima kasih atas kesediaan Anda.",
                format_tanggal(valid_until)
            )));
        }
        let (village_code, unit, service_type, service_label) = self.completed_service(source, service_ref).await?;
        if self.store.survey_answered(source.as_str(), service_ref).await? {
            return Err(already_answered());
        }
        let code = KodeWilayah::parse(&village_code).map_err(|_| AppError::NotFound)?;
        let village = self.cached_region(&code).await?.ok_or(AppError::NotFound)?;
        Ok(SurveyInvitation {
            source,
            service_ref: service_ref.to_string(),
            token: token.to_string(),
            village,
            unit,
            service_type,
            service_label,
            valid_until,
        })
    }

    /// `(village, unit, service type, label)` of a completed service; an error saying so when it
    /// is not completed.
    async fn completed_service(
        &self,
        source: SurveySource,
        service_ref: &str,
    ) -> AppResult<(String, String, String, String)> {
        let not_done = || {
            AppError::AlreadyDone(
                "Survei dapat diisi setelah layanan selesai. Tautan ini belum dapat dipakai.".to_string(),
            )
        };
        match source {
            SurveySource::Surat => {
                let request = self.store.request(service_ref).await?.ok_or(AppError::NotFound)?;
                if request.state != balai_domain::surat::state::RequestState::Selesai.as_str() {
                    return Err(not_done());
                }
                let code = KodeWilayah::parse(&request.village_code).map_err(|_| AppError::NotFound)?;
                let label = match self.letter_type(&code, &request.letter_type).await {
                    Ok(t) => t.spec.name,
                    Err(_) => request.letter_type.clone(),
                };
                Ok((request.village_code, "desa".into(), format!("surat:{}", request.letter_type), label))
            }
            SurveySource::Lapor => {
                let report = self.store.report_by_public_id(service_ref).await?.ok_or(AppError::NotFound)?;
                if report.state != balai_domain::lapor::ReportState::Selesai.as_str() {
                    return Err(not_done());
                }
                let unit = report.handler.filter(|h| h.starts_with("opd:")).unwrap_or_else(|| "desa".into());
                Ok((report.region_code, unit, "lapor".into(), LAPOR_LABEL.into()))
            }
            SurveySource::Informasi => {
                let request = self.store.info_request(service_ref).await?.ok_or(AppError::NotFound)?;
                if request.notice_at.is_none() {
                    return Err(not_done());
                }
                Ok((request.village_code, "desa".into(), "informasi".into(), INFORMASI_LABEL.into()))
            }
        }
    }

    /// Stores the answers to a link's survey (once). Audited, without the answers.
    pub async fn answer_survey(
        &self,
        actor: &Actor,
        source: &str,
        service_ref: &str,
        token: &str,
        answers: &SurveyAnswers,
    ) -> AppResult<()> {
        let invitation = self.survey_invitation(source, service_ref, token).await?;
        let response = checked_answers(&answers.answers)?;
        let stored = NewSurveyResponse {
            village_code: invitation.village.code.as_str().to_string(),
            unit: invitation.unit,
            source: invitation.source.as_str().into(),
            service_type: invitation.service_type,
            service_label: invitation.service_label,
            service_ref: Some(invitation.service_ref),
            visit_key: None,
            visitor_hash: None,
            answered_at: self.now(),
            answers: response.0,
        };
        self.record_response(actor, &stored).await
    }

    async fn record_response(&self, actor: &Actor, stored: &NewSurveyResponse) -> AppResult<()> {
        let audit = self.audit_event(
            actor,
            "survey.answer",
            String::new(),
            json!({"village": stored.village_code, "source": stored.source, "service": stored.service_type}),
        );
        match self.store.record_survey_response(stored, audit).await {
            Ok(_) => Ok(()),
            Err(StoreError::Conflict(_)) => Err(already_answered()),
            Err(e) => Err(e.into()),
        }
    }

    /// A fresh walk-in form for a village's counter.
    pub async fn walk_in_survey(&self, village: &str) -> AppResult<WalkInSurvey> {
        let (village, services) = self.walk_in_services(village).await?;
        let minutes = self.now().timestamp() / 60;
        let nonce = crate::letters::random_id();
        let tag = self
            .survey_mac(&["loket-v1", village.code.as_str(), &minutes.to_string(), &nonce])
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the survey needs the installation's secret key")))?;
        Ok(WalkInSurvey { village, services, visit: format!("{minutes}.{nonce}.{tag}") })
    }

    /// The village and the services a walk-in visitor picks from: its active letters, the
    /// complaint channel, information requests, anything else.
    async fn walk_in_services(&self, village: &str) -> AppResult<(Region, Vec<(String, String)>)> {
        let (village, _) = self.village_region(village).await?;
        let mut services: Vec<(String, String)> = self
            .letter_catalogue(&village.code)
            .await?
            .into_iter()
            .filter(|t| t.active)
            .map(|t| (format!("surat:{}", t.spec.slug), t.spec.name))
            .collect();
        services.push(("lapor".into(), LAPOR_LABEL.into()));
        services.push(("informasi".into(), INFORMASI_LABEL.into()));
        services.push(("lainnya".into(), OTHER_LABEL.into()));
        Ok((village, services))
    }

    /// Stores a walk-in response: the form's key once, at most [`WALK_IN_PER_HOUR`] per visitor.
    pub async fn answer_walk_in_survey(
        &self,
        actor: &Actor,
        village: &str,
        visit: &str,
        answers: &SurveyAnswers,
    ) -> AppResult<()> {
        let (village, services) = self.walk_in_services(village).await?;
        let mut parts = visit.splitn(3, '.');
        let (minutes, nonce, tag) = match (parts.next(), parts.next(), parts.next()) {
            (Some(m), Some(n), Some(t)) => (m, n, t),
            _ => return Err(stale_form()),
        };
        let opened = minutes.parse::<i64>().map_err(|_| stale_form())?;
        let now_minutes = self.now().timestamp() / 60;
        if !self.survey_mac_matches(&["loket-v1", village.code.as_str(), minutes, nonce], tag)
            || !(0..=WALK_IN_FORM_HOURS * 60).contains(&(now_minutes - opened))
        {
            return Err(stale_form());
        }
        let Some((service_type, service_label)) = services.into_iter().find(|(t, _)| *t == answers.service_type.trim())
        else {
            return Err(AppError::invalid("layanan", "Pilih layanan yang Anda terima hari ini."));
        };
        let response = checked_answers(&answers.answers)?;
        let address = match actor {
            Actor::Anonymous { ip } => ip.clone(),
            other => other.audit_name(),
        };
        let visitor_hash = self
            .survey_mac(&["pengunjung-v1", &address])
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the survey needs the installation's secret key")))?;
        let hour_ago = self.now() - chrono::Duration::hours(1);
        if self.store.survey_responses_by_visitor(&visitor_hash, hour_ago).await? >= WALK_IN_PER_HOUR {
            return Err(AppError::AlreadyDone(
                "Terlalu banyak survei dari perangkat ini dalam satu jam. Silakan coba lagi nanti.".into(),
            ));
        }
        let stored = NewSurveyResponse {
            village_code: village.code.as_str().to_string(),
            unit: "desa".into(),
            source: "loket".into(),
            service_type,
            service_label,
            service_ref: None,
            visit_key: Some(nonce.to_string()),
            visitor_hash: Some(visitor_hash),
            answered_at: self.now(),
            answers: response.0,
        };
        self.record_response(actor, &stored).await
    }

    /// The public address of a village's counter survey (for its QR).
    pub fn walk_in_survey_url(&self, village: &str) -> String {
        format!("{}/survei/loket/{village}", self.config.public_url.trim_end_matches('/'))
    }

    /// The results of a region (a village, kecamatan, regency) over a period.
    pub async fn ikm_results(&self, region: &str, periode: Periode, weights: Weights) -> AppResult<IkmResults> {
        let code = KodeWilayah::parse(region).map_err(|_| AppError::NotFound)?;
        let region = self.cached_region(&code).await?.ok_or(AppError::NotFound)?;
        let (from, until) = periode.dates();
        let (from, until) = (self.local_midnight(from), self.local_midnight(until));
        let sums = self.survey_sums(code.as_str(), from, until).await?;
        let (tallies, completed) = (&sums.0, &sums.1);
        let mut villages: Vec<(String, String)> = Vec::new();
        if !region.level.is_village() {
            let mut names = std::collections::HashMap::new();
            for r in self.store.regions_within(&code, 4).await? {
                names.insert(r.code.as_str().to_string(), r.title());
            }
            let mut seen: Vec<&str> = tallies.iter().map(|t| t.village_code.as_str()).collect();
            seen.extend(completed.iter().map(|c| c.village_code.as_str()));
            seen.sort_unstable();
            seen.dedup();
            villages = seen
                .into_iter()
                .map(|c| (c.to_string(), names.get(c).cloned().unwrap_or_else(|| c.to_string())))
                .collect();
        }
        let office_names: std::collections::HashMap<String, String> =
            self.store.offices().await?.into_iter().map(|o| (format!("opd:{}", o.slug), o.name)).collect();
        Ok(IkmResults::new(region, periode, weights, tallies, completed, &villages, &office_names))
    }

    /// The answers and completed services of a region over `[from, until)`, summed in the
    /// database and kept like the dashboard's sums: until any audited change through this
    /// instance (every answer is one) or for five minutes.
    async fn survey_sums(
        &self,
        region: &str,
        from: chrono::DateTime<chrono::Utc>,
        until: chrono::DateTime<chrono::Utc>,
    ) -> AppResult<std::sync::Arc<SurveySums>> {
        use std::sync::atomic::Ordering;
        let key = (region.to_string(), from, until);
        let generation = self.cache.dashboard.generation.load(Ordering::Acquire);
        let kept = self.cache.survey_sums.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(&key).cloned();
        if let Some((made, kept_generation, sums)) = kept
            && kept_generation == generation
            && made.elapsed() < crate::dashboard::FACTS_TTL
        {
            return Ok(sums);
        }
        let tallies = self.store.survey_tallies(region, from, until).await?;
        let completed = self.store.completed_services(region, from, until).await?;
        let sums = std::sync::Arc::new((tallies, completed));
        let mut kept = self.cache.survey_sums.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if kept.len() > 1000 {
            kept.clear();
        }
        kept.insert(key, (std::time::Instant::now(), generation, sums.clone()));
        Ok(sums)
    }

    /// The results as a file in the report's layout: `(file name, content type, bytes)`.
    pub async fn ikm_file(
        &self,
        actor: &Actor,
        region: &str,
        periode: Periode,
        weights: Weights,
        format: crate::ppid::ReportFormat,
    ) -> AppResult<(String, &'static str, Vec<u8>)> {
        let results = self.ikm_results(region, periode, weights).await?;
        let stem = format!("ikm-{}-{}", results.region.code.as_str().replace('.', ""), periode.as_param());
        Ok(match format {
            crate::ppid::ReportFormat::Xlsx => {
                let title = format!("Indeks Kepuasan Masyarakat {} {}", results.region.title(), periode.label());
                (format!("{stem}.xlsx"), crate::ppid::XLSX, crate::ppid::tables_xlsx(&title, &results.tables())?)
            }
            crate::ppid::ReportFormat::Pdf => {
                (format!("{stem}.pdf"), "application/pdf", self.ikm_pdf(actor, &results).await?)
            }
        })
    }

    async fn ikm_pdf(&self, actor: &Actor, results: &IkmResults) -> AppResult<Vec<u8>> {
        let (kop, place, unit) = if results.region.level.is_village() {
            let head = self.village_head(&results.region.code).await?;
            let unit = format!("Kepala {} {}", head.level_label, head.village_name);
            (head.kop(), head.village_name.clone(), unit)
        } else {
            let name = results.region.title();
            let kop = Kop {
                government: format!("PEMERINTAH {}", name.to_uppercase()),
                kecamatan: String::new(),
                office: "DINAS KOMUNIKASI DAN INFORMATIKA".into(),
                address: String::new(),
                logo_svg: None,
            };
            (kop, results.region.name.clone(), format!("Diskominfo {name}"))
        };
        let (name, nip) = match actor {
            Actor::Staff(u) => (u.full_name.clone(), u.nip.clone()),
            _ => (String::new(), String::new()),
        };
        let total = &results.total;
        let doc = TableReport {
            paper: Paper::A4,
            kop,
            title: "LAPORAN HASIL SURVEI KEPUASAN MASYARAKAT".into(),
            subtitle: format!("{} — {}", results.region.title(), results.periode.label()),
            intro: vec![
                format!(
                    "Survei kepuasan masyarakat dilaksanakan sesuai Peraturan Menteri PANRB Nomor 14 Tahun 2017 \
                     atas sembilan unsur pelayanan. Setiap layanan yang selesai disertai tautan survei sekali pakai; \
                     warga yang datang ke kantor mengisi melalui kode QR di loket. Jumlah responden {}.",
                    total.responses
                ),
                match &total.index {
                    Ok(i) => format!(
                        "Nilai IKM {} dengan mutu pelayanan {} ({}). {}",
                        ikm::format_2dp(i.ikm),
                        i.grade.letter(),
                        i.grade.label(),
                        total.sample_note()
                    ),
                    Err(_) => format!("Nilai IKM belum dapat dihitung. {}", total.sample_note()),
                },
            ],
            tables: results.tables(),
            notes: vec![
                format!(
                    "NRR per unsur = jumlah nilai jawaban unsur / jumlah jawaban unsur itu (jawaban yang dilewati \
                     tidak dihitung). IKM = Σ(NRR × bobot) × 25; bobot {}. Mutu: A ≥ 88,31; B ≥ 76,61; C ≥ 65,00; \
                     D di bawahnya.",
                    results.weights_label()
                ),
                format!("Dibuat pada {}.", format_tanggal(self.today())),
            ],
            place_date: format!("{place}, {}", format_tanggal(self.today())),
            signer: Signer { title_lines: vec![unit], name, nip },
        };
        self.render_document("the survey report", move |r| r.render_table_report(&doc)).await
    }
}

fn already_answered() -> AppError {
    AppError::AlreadyDone("Survei untuk layanan ini sudah diisi. Terima kasih atas penilaian Anda.".into())
}

fn stale_form() -> AppError {
    AppError::AlreadyDone(
        "Formulir survei ini sudah tidak berlaku (dibuka lebih dari 3 jam lalu atau sudah dikirim). Pindai kode QR \
         di loket sekali lagi."
            .into(),
    )
}

fn checked_answers(answers: &[(Unsur, String)]) -> AppResult<ikm::Response> {
    let typed: Vec<(Unsur, &str)> = answers.iter().map(|(u, v)| (*u, v.as_str())).collect();
    ikm::check_response(&typed).map_err(|errors| {
        AppError::Invalid(errors.into_iter().map(|(u, m)| crate::FieldError::new(u.code().to_lowercase(), m)).collect())
    })
}

/// One result line: a region, village, unit or service.
#[derive(Debug, Clone)]
pub struct IkmLine {
    pub key: String,
    pub label: String,
    pub responses: u64,
    pub index: Result<Index, NoIndex>,
    /// Services completed in the period (the population sampled).
    pub completed: u64,
}

impl IkmLine {
    fn new(key: String, label: String, tally: &Tally, weights: Weights, completed: u64) -> Self {
        IkmLine { key, label, responses: tally.responses, index: ikm::index(tally, weights), completed }
    }

    /// Krejcie–Morgan's sample for the services completed.
    pub fn sample_needed(&self) -> u64 {
        ikm::sample_size(self.completed)
    }

    pub fn ikm_text(&self) -> String {
        self.index.as_ref().map_or("—".into(), |i| ikm::format_2dp(i.ikm))
    }

    pub fn grade(&self) -> Option<Grade> {
        self.index.as_ref().ok().map(|i| i.grade)
    }

    pub fn grade_text(&self) -> String {
        self.grade().map_or("—".into(), |g| format!("{} ({})", g.letter(), g.label()))
    }

    /// "278 responden diperlukan untuk 1.000 layanan; terkumpul 120."
    pub fn sample_note(&self) -> String {
        if self.completed == 0 {
            return format!(
                "Belum ada layanan selesai tercatat pada periode ini; terkumpul {} responden.",
                self.responses
            );
        }
        let needed = self.sample_needed();
        let status = if self.responses >= needed { "cukup" } else { "belum cukup" };
        format!(
            "{} responden diperlukan untuk {} layanan selesai (Krejcie–Morgan); terkumpul {} ({status}).",
            thousands(needed),
            thousands(self.completed),
            thousands(self.responses)
        )
    }

    /// Why there is no index, in words.
    pub fn no_index_reason(&self) -> Option<String> {
        match &self.index {
            Ok(_) => None,
            Err(NoIndex::NoResponses) => Some("Belum ada responden.".into()),
            Err(NoIndex::Unanswered(u)) => Some(format!(
                "Unsur {} belum dijawab siapa pun.",
                u.iter().map(|u| u.code()).collect::<Vec<_>>().join(", ")
            )),
        }
    }
}

/// Thousands separated by dots: `1.000`.
pub fn thousands(n: u64) -> String {
    balai_domain::surat::catalogue::group_thousands(&n.to_string())
}

/// One unsur's line of the result.
#[derive(Debug, Clone)]
pub struct UnsurLine {
    pub unsur: Unsur,
    pub answers: u64,
    pub nrr: Option<f64>,
    pub weighted: Option<f64>,
}

/// A region's results over a period.
#[derive(Debug, Clone)]
pub struct IkmResults {
    pub region: Region,
    pub periode: Periode,
    pub weights: Weights,
    pub total: IkmLine,
    pub per_unsur: Vec<UnsurLine>,
    pub per_service: Vec<IkmLine>,
    /// Each village (for a region above a village).
    pub per_village: Vec<IkmLine>,
    /// The village office and each regency office that handled reports.
    pub per_unit: Vec<IkmLine>,
}

/// A region's survey answers per village, unit and service, and its completed services.
pub(crate) type SurveySums = (Vec<SurveyTally>, Vec<balai_store::surveys::CompletedServices>);

/// The kept sums by (region, from, until): when made, under which change generation.
pub(crate) type SurveySumsCache = std::sync::Mutex<
    std::collections::HashMap<
        (String, chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>),
        (std::time::Instant, u64, std::sync::Arc<SurveySums>),
    >,
>;

pub(crate) fn tally_of(t: &SurveyTally) -> Tally {
    Tally {
        sum: t.sums.map(|v| v.max(0) as u64),
        count: t.counts.map(|v| v.max(0) as u64),
        responses: t.responses.max(0) as u64,
    }
}

impl IkmResults {
    fn new(
        region: Region,
        periode: Periode,
        weights: Weights,
        tallies: &[SurveyTally],
        completed: &[balai_store::surveys::CompletedServices],
        villages: &[(String, String)],
        office_names: &std::collections::HashMap<String, String>,
    ) -> Self {
        use std::collections::BTreeMap;
        let mut total = Tally::default();
        let mut by_service: BTreeMap<String, (String, Tally)> = BTreeMap::new();
        let mut by_village: BTreeMap<String, Tally> = BTreeMap::new();
        let mut by_unit: BTreeMap<String, Tally> = BTreeMap::new();
        for t in tallies {
            let tally = tally_of(t);
            total.merge(&tally);
            by_service
                .entry(t.service_type.clone())
                .or_insert_with(|| (t.service_label.clone(), Tally::default()))
                .1
                .merge(&tally);
            by_village.entry(t.village_code.clone()).or_default().merge(&tally);
            by_unit.entry(t.unit.clone()).or_default().merge(&tally);
        }
        let done = |pick: &dyn Fn(&balai_store::surveys::CompletedServices) -> bool| -> u64 {
            completed.iter().filter(|c| pick(c)).map(|c| c.completed.max(0) as u64).sum()
        };
        let all_done = done(&|_| true);
        let per_service = by_service
            .iter()
            .map(|(key, (label, tally))| {
                IkmLine::new(key.clone(), label.clone(), tally, weights, done(&|c| c.service_type == *key))
            })
            .collect();
        let per_village = villages
            .iter()
            .map(|(code, name)| {
                let tally = by_village.get(code).copied().unwrap_or_default();
                IkmLine::new(code.clone(), name.clone(), &tally, weights, done(&|c| c.village_code == *code))
            })
            .collect();
        let per_unit = by_unit
            .iter()
            .map(|(unit, tally)| {
                let label = if unit == "desa" {
                    "Pemerintah desa".to_string()
                } else {
                    office_names.get(unit).cloned().unwrap_or_else(|| unit.trim_start_matches("opd:").to_string())
                };
                // The population of the units is not split by who handled it: only the total is.
                IkmLine::new(unit.clone(), label, tally, weights, 0)
            })
            .collect();
        let nrr = total.nrr();
        let per_unsur = Unsur::ALL
            .into_iter()
            .map(|u| UnsurLine {
                unsur: u,
                answers: total.count[u.index()],
                nrr: nrr[u.index()],
                weighted: nrr[u.index()].map(|v| v * weights.weight()),
            })
            .collect();
        let label = region.title();
        IkmResults {
            total: IkmLine::new(region.code.as_str().to_string(), label, &total, weights, all_done),
            region,
            periode,
            weights,
            per_unsur,
            per_service,
            per_village,
            per_unit,
        }
    }

    pub fn weights_label(&self) -> &'static str {
        match self.weights {
            Weights::Exact => "1/9 (tepat)",
            Weights::Rounded011 => "0,11 (mode kompatibilitas; nilai sempurna menjadi 99,00)",
            Weights::Rounded0111 => "0,111 (mode kompatibilitas)",
        }
    }

    /// The report's tables, shared by the PDF and the workbook.
    pub fn tables(&self) -> Vec<ReportTable> {
        let nrr = |v: Option<f64>, digits: usize| v.map_or("—".into(), |v| format!("{v:.digits$}").replace('.', ","));
        let mut unsur_rows: Vec<Vec<String>> = self
            .per_unsur
            .iter()
            .map(|l| {
                vec![
                    format!("{} {}", l.unsur.code(), l.unsur.label()),
                    l.answers.to_string(),
                    nrr(l.nrr, 2),
                    nrr(l.weighted, 3),
                ]
            })
            .collect();
        unsur_rows.push(vec![
            "IKM (Σ NRR tertimbang × 25)".into(),
            self.total.responses.to_string(),
            self.total.ikm_text(),
            self.total.grade_text(),
        ]);
        let line_rows = |lines: &[IkmLine], sample: bool| -> Vec<Vec<String>> {
            lines
                .iter()
                .map(|l| {
                    let mut row = vec![l.label.clone(), l.responses.to_string(), l.ikm_text(), l.grade_text()];
                    if sample {
                        row.push(l.completed.to_string());
                        row.push(l.sample_needed().to_string());
                    }
                    row
                })
                .collect()
        };
        let header = |first: &str, sample: bool| {
            let mut h: Vec<String> = vec![first.into(), "Responden".into(), "IKM".into(), "Mutu".into()];
            if sample {
                h.push("Layanan selesai".into());
                h.push("Sampel diperlukan".into());
            }
            h
        };
        let mut tables = vec![
            ReportTable {
                caption: "Tabel 1. Nilai rata-rata per unsur pelayanan".into(),
                header: vec!["Unsur".into(), "Jawaban".into(), "NRR".into(), "NRR tertimbang".into()],
                rows: unsur_rows,
            },
            ReportTable {
                caption: "Tabel 2. IKM per jenis layanan".into(),
                header: header("Jenis layanan", true),
                rows: line_rows(&self.per_service, true),
            },
        ];
        if !self.per_village.is_empty() {
            tables.push(ReportTable {
                caption: "Tabel 3. IKM per desa/kelurahan".into(),
                header: header("Desa/kelurahan", true),
                rows: line_rows(&self.per_village, true),
            });
        }
        if self.per_unit.len() > 1 || self.per_unit.iter().any(|u| u.key != "desa") {
            tables.push(ReportTable {
                caption: format!("Tabel {}. IKM per unit pelayanan", tables.len() + 1),
                header: header("Unit", false),
                rows: line_rows(&self.per_unit, false),
            });
        }
        tables
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_dotted() {
        for (n, s) in [(0, "0"), (999, "999"), (1_000, "1.000"), (278, "278"), (1_234_567, "1.234.567")] {
            assert_eq!(thousands(n), s);
        }
    }

    #[test]
    fn a_sample_note_says_how_many_are_needed() {
        let tally = Tally { sum: [36; 9], count: [12; 9], responses: 12 };
        let line = IkmLine::new("x".into(), "x".into(), &tally, Weights::Exact, 1_000);
        assert_eq!(
            line.sample_note(),
            "278 responden diperlukan untuk 1.000 layanan selesai (Krejcie–Morgan); terkumpul 12 (belum cukup)."
        );
        assert_eq!((line.ikm_text(), line.grade()), ("75,00".to_string(), Some(Grade::C)));
        let none = IkmLine::new("x".into(), "x".into(), &Tally::default(), Weights::Exact, 0);
        assert_eq!(none.ikm_text(), "—");
        assert_eq!(none.no_index_reason().as_deref(), Some("Belum ada responden."));
    }
}
