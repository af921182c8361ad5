//! Letters: each village's settings and catalogue, its population register, letter requests with
//! their history, gapless numbering, and issued letters.

use std::future::Future;
use std::pin::Pin;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use crate::{AuditEvent, StoreResult};

/// A village's letter settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterSettings {
    pub village_code: String,
    pub number_format: String,
    pub counter_scope: String,
    pub paper: String,
    /// The village's own Typst template, if it has one.
    pub template: Option<String>,
}

/// A letter type as a village offers it; `spec` is the domain's `LetterTypeSpec` as JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredLetterType {
    pub village_code: String,
    pub slug: String,
    pub name: String,
    pub spec: serde_json::Value,
    pub active: bool,
    pub number_format: Option<String>,
}

/// One person in a village's population register.
#[derive(Debug, Clone, PartialEq, Eq, Default, sqlx::FromRow)]
pub struct Penduduk {
    /// 0 for a row not stored yet.
    pub id: i64,
    pub village_code: String,
    pub nik: String,
    pub no_kk: String,
    pub nama: String,
    pub tempat_lahir: String,
    pub tanggal_lahir: Option<NaiveDate>,
    pub jenis_kelamin: String,
    pub agama: String,
    pub status_kawin: String,
    pub pekerjaan: String,
    pub kewarganegaraan: String,
    pub alamat: String,
    pub rt: String,
    pub rw: String,
    pub hubungan: String,
}

/// A request in a village's queue, with the name of the person it is for (empty when the register
/// entry is gone).
#[derive(Debug, Clone, PartialEq)]
pub struct QueuedRequest {
    pub request: LetterRequest,
    pub person_name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LetterRequest {
    /// Random and unguessable (it appears in URLs).
    pub id: String,
    pub village_code: String,
    pub letter_type: String,
    pub penduduk_id: i64,
    pub state: String,
    /// The type's fields as filled in: a JSON object of strings.
    pub fields: serde_json::Value,
    /// `loket` (entered by staff for a walk-in) or `online`.
    pub channel: String,
    pub received_at: DateTime<Utc>,
    pub due_on: NaiveDate,
    /// The latest reason or note (for a return, a refusal).
    pub note: String,
    pub updated_at: DateTime<Utc>,
    /// The resident who asked online; None for a walk-in entered by staff.
    pub resident_id: Option<i64>,
}

/// A file to attach to a request (already checked: type sniffed, size within the limit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttachment {
    /// Random and unguessable.
    pub id: String,
    /// Which of the letter type's attachments this is (its `name`).
    pub requirement: String,
    pub file_name: String,
    pub content_type: String,
    pub sha256: String,
    pub data: Vec<u8>,
}

/// An attachment as listed (without its bytes).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AttachmentMeta {
    pub id: String,
    pub request_id: String,
    pub requirement: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    /// A newer file was sent for the same requirement (a correction).
    pub replaced: bool,
    pub created_at: DateTime<Utc>,
}

/// One step in a request's history.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RequestEvent {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub from_state: String,
    pub to_state: String,
    pub note: String,
}

/// A state change of a request: applied only if the request is still in `from_state`, so two
/// clicks (or two staff) racing on one request change it once.
#[derive(Debug, Clone)]
pub struct Transition {
    pub request_id: String,
    pub from_state: String,
    pub event: RequestEvent,
    /// New field values (a resident's correction), if any.
    pub fields: Option<serde_json::Value>,
    /// New files (a resident's correction); each replaces earlier files of its requirement.
    pub attachments: Vec<NewAttachment>,
    /// Messages telling people about this change, queued in the same transaction.
    pub messages: Vec<crate::outbox::NewMessage>,
}

/// A number handed out by a village's counter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllocatedNumber {
    pub year: i32,
    pub scope_key: String,
    pub sequence: i64,
}

/// An issued (or externally made, reserved) letter.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct IssuedLetter {
    pub id: String,
    pub request_id: Option<String>,
    pub village_code: String,
    pub letter_type: String,
    pub letter_type_name: String,
    pub number: String,
    pub year: i32,
    pub scope_key: String,
    pub sequence: i64,
    pub issued_on: NaiveDate,
    pub subject_masked_name: String,
    pub signer_name: String,
    pub signer_title: String,
    pub signer_nip: String,
    pub pdf_sha256: String,
    pub token: String,
    pub signature: String,
    pub external_note: String,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoke_reason: String,
}

/// Makes the letter once its number is known: called inside the issuing transaction, so a
/// failure leaves no gap in the numbering. Returns the letter and its PDF.
pub type MakeLetter = Box<
    dyn FnOnce(AllocatedNumber) -> Pin<Box<dyn Future<Output = Result<(IssuedLetter, Vec<u8>), String>> + Send>> + Send,
>;

/// Letter requests received and letters issued in a period, for public service figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LetterFigures {
    pub received: i64,
    /// Filed from home or with a pendamping (not at the counter).
    pub received_online: i64,
    /// Letters issued (signed) in the period, whenever they were asked for.
    pub issued: i64,
    /// Of those, signed by the request's due date (its standar's jangka waktu).
    pub issued_on_time: i64,
}

#[async_trait]
pub trait LetterRepo: Send + Sync {
    async fn letter_settings(&self, village: &str) -> StoreResult<Option<LetterSettings>>;
    async fn save_letter_settings(&self, settings: &LetterSettings, audit: AuditEvent) -> StoreResult<()>;

    async fn letter_types(&self, village: &str) -> StoreResult<Vec<StoredLetterType>>;
    /// Inserts or replaces letter types of one village.
    async fn save_letter_types(&self, types: &[StoredLetterType], audit: AuditEvent) -> StoreResult<()>;

    /// Inserts new people and updates known ones (by NIK) of one village in one transaction;
    /// returns (inserted, updated). A NIK registered in another village is a conflict.
    async fn save_penduduk(&self, people: &[Penduduk], audit: AuditEvent) -> StoreResult<(u64, u64)>;
    async fn penduduk(&self, id: i64) -> StoreResult<Option<Penduduk>>;
    async fn penduduk_by_nik(&self, nik: &str) -> StoreResult<Option<Penduduk>>;
    /// People of a village whose name contains `query` or whose NIK starts with it.
    async fn search_penduduk(&self, village: &str, query: &str, limit: i64) -> StoreResult<Vec<Penduduk>>;
    async fn count_penduduk(&self, village: &str) -> StoreResult<i64>;

    /// Stores a new request with its first event, its files and its messages in one transaction.
    async fn create_request(
        &self,
        request: &LetterRequest,
        event: &RequestEvent,
        attachments: &[NewAttachment],
        messages: &[crate::outbox::NewMessage],
        audit: AuditEvent,
        assisted: Option<&crate::assistance::Assistance>,
    ) -> StoreResult<()>;
    async fn request(&self, id: &str) -> StoreResult<Option<LetterRequest>>;
    /// A resident's own requests, newest first.
    async fn requests_of_resident(&self, resident_id: i64, limit: i64) -> StoreResult<Vec<LetterRequest>>;
    /// The files of a request (without their bytes), oldest first.
    async fn attachments(&self, request_id: &str) -> StoreResult<Vec<AttachmentMeta>>;
    /// One file with its bytes.
    async fn attachment(&self, id: &str) -> StoreResult<Option<(AttachmentMeta, Vec<u8>)>>;
    async fn request_events(&self, id: &str) -> StoreResult<Vec<RequestEvent>>;
    /// Requests of a village in the given states, soonest due first, each with the register name
    /// of the person it is for (read in the same query: a queue of 500 is one round trip, not 501).
    async fn request_queue(&self, village: &str, states: &[&str], limit: i64) -> StoreResult<Vec<QueuedRequest>>;
    /// Applies a transition; `Conflict` when the request is no longer in `from_state`.
    async fn transition_request(&self, transition: &Transition, audit: AuditEvent) -> StoreResult<()>;

    /// Signs a request: moves it from `from_state` to `selesai`, takes the next number of the
    /// village's counter, makes the letter with `make` and stores it, all in one transaction.
    async fn issue_letter(
        &self,
        transition: &Transition,
        village: &str,
        year: i32,
        scope_key: &str,
        make: MakeLetter,
        audit: AuditEvent,
    ) -> StoreResult<IssuedLetter>;
    /// Reserves the next number for a letter made outside Balai, recorded as a letter without PDF.
    async fn reserve_number(
        &self,
        village: &str,
        year: i32,
        scope_key: &str,
        make: MakeLetter,
        audit: AuditEvent,
    ) -> StoreResult<IssuedLetter>;
    async fn letter_by_token(&self, token: &str) -> StoreResult<Option<IssuedLetter>>;
    async fn letter_for_request(&self, request_id: &str) -> StoreResult<Option<IssuedLetter>>;
    async fn letter_pdf(&self, letter_id: &str) -> StoreResult<Option<Vec<u8>>>;
    async fn letters_of_village(&self, village: &str, year: i32) -> StoreResult<Vec<IssuedLetter>>;
    /// The village's stored standar of its other services: `(service, JSON)`.
    async fn service_standards(&self, village: &str) -> StoreResult<Vec<(String, String)>>;
    /// Stores the standar (JSON) of one of the village's other services, replacing the last.
    async fn save_service_standard(
        &self,
        village: &str,
        service: &str,
        spec: &str,
        audit: AuditEvent,
    ) -> StoreResult<()>;
    /// Counts for the public service figures of a village, or of every village within a
    /// region (`region` is a code; villages whose code starts with it and a dot are included).
    async fn letter_figures(
        &self,
        region: &str,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<LetterFigures>;
    async fn revoke_letter(&self, letter_id: &str, reason: &str, audit: AuditEvent) -> StoreResult<()>;

    /// The village's public key, stored the first time it is used.
    async fn village_public_key(&self, village: &str) -> StoreResult<Option<String>>;
    async fn save_village_public_key(&self, village: &str, public_key: &str, at: DateTime<Utc>) -> StoreResult<()>;
}

/// A queued request as read: the request's columns and its person's name.
#[derive(sqlx::FromRow)]
pub(crate) struct QueueRow {
    #[sqlx(flatten)]
    pub request: RequestRow,
    pub person_name: Option<String>,
}

/// A request as stored: `fields` is JSON text.
#[derive(sqlx::FromRow)]
pub(crate) struct RequestRow {
    pub id: String,
    pub village_code: String,
    pub letter_type: String,
    pub penduduk_id: i64,
    pub state: String,
    pub fields: String,
    pub channel: String,
    pub received_at: DateTime<Utc>,
    pub due_on: NaiveDate,
    pub note: String,
    pub updated_at: DateTime<Utc>,
    pub resident_id: Option<i64>,
}

impl RequestRow {
    pub(crate) fn into_request(self) -> StoreResult<LetterRequest> {
        let fields = serde_json::from_str(&self.fields)
            .map_err(|e| crate::StoreError::Corrupt(format!("request {}: fields: {e}", self.id)))?;
        Ok(LetterRequest {
            id: self.id,
            village_code: self.village_code,
            letter_type: self.letter_type,
            penduduk_id: self.penduduk_id,
            state: self.state,
            fields,
            channel: self.channel,
            received_at: self.received_at,
            due_on: self.due_on,
            note: self.note,
            updated_at: self.updated_at,
            resident_id: self.resident_id,
        })
    }
}

macro_rules! penduduk_columns {
    () => {
        "id, village_code, nik, no_kk, nama, tempat_lahir, tanggal_lahir, jenis_kelamin, agama, status_kawin, \
         pekerjaan, kewarganegaraan, alamat, rt, rw, hubungan"
    };
}
macro_rules! request_columns {
    () => {
        "id, village_code, letter_type, penduduk_id, state, fields, channel, received_at, due_on, note, updated_at, \
         resident_id"
    };
}
macro_rules! attachment_columns {
    () => {
        "id, request_id, requirement, file_name, content_type, size_bytes, sha256, replaced, created_at"
    };
}
macro_rules! letter_columns {
    () => {
        "id, request_id, village_code, letter_type, letter_type_name, number, year, scope_key, sequence, issued_on, \
         subject_masked_name, signer_name, signer_title, signer_nip, pdf_sha256, token, signature, external_note, \
         revoked_at, revoke_reason"
    };
}

/// Stamps out `LetterRepo` for one backend (next to `impl_store!`, whose `append_audit` it uses).
macro_rules! impl_letter_repo {
    ($store:ty, $db:ty) => {
        use $crate::letters::*;
        $crate::outbox::impl_outbox_insert!($db);

        /// Takes the next number of a counter inside `tx` (the row lock makes it one at a time).
        async fn next_number(
            tx: &mut sqlx::Transaction<'static, $db>,
            village: &str,
            year: i32,
            scope_key: &str,
        ) -> StoreResult<AllocatedNumber> {
            let (sequence,): (i64,) = sqlx::query_as(
                "INSERT INTO letter_counters (village_code, year, scope_key, last_number) VALUES ($1, $2, $3, 1) \
                 ON CONFLICT (village_code, year, scope_key) \
                 DO UPDATE SET last_number = letter_counters.last_number + 1 RETURNING last_number",
            )
            .bind(village)
            .bind(year)
            .bind(scope_key)
            .fetch_one(&mut **tx)
            .await?;
            Ok(AllocatedNumber { year, scope_key: scope_key.to_string(), sequence })
        }

        async fn insert_letter(
            tx: &mut sqlx::Transaction<'static, $db>,
            letter: &IssuedLetter,
            pdf: Option<Vec<u8>>,
            at: DateTime<Utc>,
        ) -> StoreResult<()> {
            sqlx::query(concat!(
                "INSERT INTO letters (",
                letter_columns!(),
                ", pdf, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
                 $17, $18, $19, $20, $21, $22)"
            ))
            .bind(&letter.id)
            .bind(&letter.request_id)
            .bind(&letter.village_code)
            .bind(&letter.letter_type)
            .bind(&letter.letter_type_name)
            .bind(&letter.number)
            .bind(letter.year)
            .bind(&letter.scope_key)
            .bind(letter.sequence)
            .bind(letter.issued_on)
            .bind(&letter.subject_masked_name)
            .bind(&letter.signer_name)
            .bind(&letter.signer_title)
            .bind(&letter.signer_nip)
            .bind(&letter.pdf_sha256)
            .bind(&letter.token)
            .bind(&letter.signature)
            .bind(&letter.external_note)
            .bind(letter.revoked_at)
            .bind(&letter.revoke_reason)
            .bind(pdf)
            .bind(at)
            .execute(&mut **tx)
            .await?;
            Ok(())
        }

        /// Moves a request on if it is still in `from_state`; the first write of its transaction.
        async fn apply_transition(
            tx: &mut sqlx::Transaction<'static, $db>,
            t: &Transition,
        ) -> StoreResult<()> {
            let fields = t.fields.as_ref().map(|f| f.to_string());
            let done = sqlx::query(
                "UPDATE letter_requests SET state = $1, note = $2, updated_at = $3, fields = COALESCE($4, fields) \
                 WHERE id = $5 AND state = $6",
            )
            .bind(&t.event.to_state)
            .bind(&t.event.note)
            .bind(t.event.at)
            .bind(fields)
            .bind(&t.request_id)
            .bind(&t.from_state)
            .execute(&mut **tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::Conflict(format!("request {} is no longer {}", t.request_id, t.from_state)));
            }
            for a in &t.attachments {
                sqlx::query("UPDATE attachments SET replaced = TRUE WHERE request_id = $1 AND requirement = $2")
                    .bind(&t.request_id)
                    .bind(&a.requirement)
                    .execute(&mut **tx)
                    .await?;
            }
            insert_attachments(tx, &t.request_id, &t.attachments, t.event.at).await?;
            insert_messages(tx, &t.messages, t.event.at).await?;
            insert_event(tx, &t.request_id, &t.event).await
        }

        async fn insert_attachments(
            tx: &mut sqlx::Transaction<'static, $db>,
            request_id: &str,
            attachments: &[NewAttachment],
            at: DateTime<Utc>,
        ) -> StoreResult<()> {
            for a in attachments {
                sqlx::query(concat!(
                    "INSERT INTO attachments (",
                    attachment_columns!(),
                    ", data) VALUES ($1, $2, $3, $4, $5, $6, $7, FALSE, $8, $9)"
                ))
                .bind(&a.id)
                .bind(request_id)
                .bind(&a.requirement)
                .bind(&a.file_name)
                .bind(&a.content_type)
                .bind(a.data.len() as i64)
                .bind(&a.sha256)
                .bind(at)
                .bind(&a.data)
                .execute(&mut **tx)
                .await?;
            }
            Ok(())
        }

        async fn insert_event(
            tx: &mut sqlx::Transaction<'static, $db>,
            request_id: &str,
            e: &RequestEvent,
        ) -> StoreResult<()> {
            sqlx::query(
                "INSERT INTO letter_request_events (request_id, at, actor, action, from_state, to_state, note) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(request_id)
            .bind(e.at)
            .bind(&e.actor)
            .bind(&e.action)
            .bind(&e.from_state)
            .bind(&e.to_state)
            .bind(&e.note)
            .execute(&mut **tx)
            .await?;
            Ok(())
        }

        #[async_trait::async_trait]
        impl LetterRepo for $store {
            async fn letter_settings(&self, village: &str) -> StoreResult<Option<LetterSettings>> {
                let row: Option<(String, String, String, String, Option<String>)> = sqlx::query_as(
                    "SELECT village_code, number_format, counter_scope, paper, template FROM letter_settings \
                     WHERE village_code = $1",
                )
                .bind(village)
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(|(village_code, number_format, counter_scope, paper, template)| LetterSettings {
                    village_code,
                    number_format,
                    counter_scope,
                    paper,
                    template,
                }))
            }

            async fn save_letter_settings(&self, s: &LetterSettings, audit: AuditEvent) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                append_audit(&mut tx, &audit).await?;
                sqlx::query(
                    "INSERT INTO letter_settings (village_code, number_format, counter_scope, paper, template, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (village_code) DO UPDATE SET \
                     number_format = excluded.number_format, counter_scope = excluded.counter_scope, \
                     paper = excluded.paper, template = excluded.template, updated_at = excluded.updated_at",
                )
                .bind(&s.village_code)
                .bind(&s.number_format)
                .bind(&s.counter_scope)
                .bind(&s.paper)
                .bind(&s.template)
                .bind(audit.at)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn letter_types(&self, village: &str) -> StoreResult<Vec<StoredLetterType>> {
                let rows: Vec<(String, String, String, String, bool, Option<String>)> = sqlx::query_as(
                    "SELECT village_code, slug, name, spec, active, number_format FROM letter_types \
                     WHERE village_code = $1 ORDER BY name",
                )
                .bind(village)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter()
                    .map(|(village_code, slug, name, spec, active, number_format)| {
                        let spec = serde_json::from_str(&spec)
                            .map_err(|e| StoreError::Corrupt(format!("letter type {slug}: {e}")))?;
                        Ok(StoredLetterType { village_code, slug, name, spec, active, number_format })
                    })
                    .collect()
            }

            async fn save_letter_types(&self, types: &[StoredLetterType], audit: AuditEvent) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                append_audit(&mut tx, &audit).await?;
                for t in types {
                    sqlx::query(
                        "INSERT INTO letter_types (village_code, slug, name, spec, active, number_format, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (village_code, slug) DO UPDATE SET \
                         name = excluded.name, spec = excluded.spec, active = excluded.active, \
                         number_format = excluded.number_format, updated_at = excluded.updated_at",
                    )
                    .bind(&t.village_code)
                    .bind(&t.slug)
                    .bind(&t.name)
                    .bind(t.spec.to_string())
                    .bind(t.active)
                    .bind(&t.number_format)
                    .bind(audit.at)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn save_penduduk(&self, people: &[Penduduk], audit: AuditEvent) -> StoreResult<(u64, u64)> {
                let mut tx = self.begin_write().await?;
                append_audit(&mut tx, &audit).await?;
                let (mut inserted, mut updated) = (0, 0);
                for p in people {
                    let existing: Option<(i64, String)> =
                        sqlx::query_as("SELECT id, village_code FROM penduduk WHERE nik = $1")
                            .bind(&p.nik)
                            .fetch_optional(&mut *tx)
                            .await?;
                    let query = match &existing {
                        Some((_, village)) if village != &p.village_code => {
                            return Err(StoreError::Conflict(format!("NIK {} is registered in {village}", p.nik)));
                        }
                        Some(_) => {
                            updated += 1;
                            "UPDATE penduduk SET village_code = $1, no_kk = $3, nama = $4, tempat_lahir = $5, \
                             tanggal_lahir = $6, jenis_kelamin = $7, agama = $8, status_kawin = $9, pekerjaan = $10, \
                             kewarganegaraan = $11, alamat = $12, rt = $13, rw = $14, hubungan = $15, updated_at = $16 \
                             WHERE nik = $2"
                        }
                        None => {
                            inserted += 1;
                            "INSERT INTO penduduk (village_code, nik, no_kk, nama, tempat_lahir, tanggal_lahir, \
                             jenis_kelamin, agama, status_kawin, pekerjaan, kewarganegaraan, alamat, rt, rw, hubungan, \
                             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
                        }
                    };
                    sqlx::query(query)
                        .bind(&p.village_code)
                        .bind(&p.nik)
                        .bind(&p.no_kk)
                        .bind(&p.nama)
                        .bind(&p.tempat_lahir)
                        .bind(p.tanggal_lahir)
                        .bind(&p.jenis_kelamin)
                        .bind(&p.agama)
                        .bind(&p.status_kawin)
                        .bind(&p.pekerjaan)
                        .bind(&p.kewarganegaraan)
                        .bind(&p.alamat)
                        .bind(&p.rt)
                        .bind(&p.rw)
                        .bind(&p.hubungan)
                        .bind(audit.at)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok((inserted, updated))
            }

            async fn penduduk(&self, id: i64) -> StoreResult<Option<Penduduk>> {
                Ok(sqlx::query_as(concat!("SELECT ", penduduk_columns!(), " FROM penduduk WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn penduduk_by_nik(&self, nik: &str) -> StoreResult<Option<Penduduk>> {
                Ok(sqlx::query_as(concat!("SELECT ", penduduk_columns!(), " FROM penduduk WHERE nik = $1"))
                    .bind(nik)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn search_penduduk(&self, village: &str, query: &str, limit: i64) -> StoreResult<Vec<Penduduk>> {
                let like = format!("%{}%", query.to_lowercase().replace(['%', '_'], ""));
                Ok(sqlx::query_as(concat!(
                    "SELECT ",
                    penduduk_columns!(),
                    " FROM penduduk WHERE village_code = $1 AND (LOWER(nama) LIKE $2 OR nik LIKE $3) \
                     ORDER BY nama LIMIT $4"
                ))
                .bind(village)
                .bind(like)
                .bind(format!("{}%", query.trim()))
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn count_penduduk(&self, village: &str) -> StoreResult<i64> {
                let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM penduduk WHERE village_code = $1")
                    .bind(village)
                    .fetch_one(&self.pool)
                    .await?;
                Ok(n)
            }

            async fn create_request(
                &self,
                r: &LetterRequest,
                event: &RequestEvent,
                attachments: &[NewAttachment],
                messages: &[$crate::outbox::NewMessage],
                audit: AuditEvent,
                assisted: Option<&$crate::assistance::Assistance>,
            ) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                append_audit(&mut tx, &audit).await?;
                sqlx::query(concat!(
                    "INSERT INTO letter_requests (",
                    request_columns!(),
                    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
                ))
                .bind(&r.id)
                .bind(&r.village_code)
                .bind(&r.letter_type)
                .bind(r.penduduk_id)
                .bind(&r.state)
                .bind(r.fields.to_string())
                .bind(&r.channel)
                .bind(r.received_at)
                .bind(r.due_on)
                .bind(&r.note)
                .bind(r.updated_at)
                .bind(r.resident_id)
                .execute(&mut *tx)
                .await?;
                insert_event(&mut tx, &r.id, event).await?;
                insert_attachments(&mut tx, &r.id, attachments, r.received_at).await?;
                insert_messages(&mut tx, messages, r.received_at).await?;
                insert_assistance(&mut tx, assisted).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn requests_of_resident(&self, resident_id: i64, limit: i64) -> StoreResult<Vec<LetterRequest>> {
                let rows: Vec<RequestRow> = sqlx::query_as(concat!(
                    "SELECT ",
                    request_columns!(),
                    " FROM letter_requests WHERE resident_id = $1 ORDER BY received_at DESC LIMIT $2"
                ))
                .bind(resident_id)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(RequestRow::into_request).collect()
            }

            async fn attachments(&self, request_id: &str) -> StoreResult<Vec<AttachmentMeta>> {
                Ok(sqlx::query_as(concat!(
                    "SELECT ",
                    attachment_columns!(),
                    " FROM attachments WHERE request_id = $1 ORDER BY created_at, id"
                ))
                .bind(request_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn attachment(&self, id: &str) -> StoreResult<Option<(AttachmentMeta, Vec<u8>)>> {
                let meta: Option<AttachmentMeta> =
                    sqlx::query_as(concat!("SELECT ", attachment_columns!(), " FROM attachments WHERE id = $1"))
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?;
                let Some(meta) = meta else { return Ok(None) };
                let (data,): (Vec<u8>,) = sqlx::query_as("SELECT data FROM attachments WHERE id = $1")
                    .bind(id)
                    .fetch_one(&self.pool)
                    .await?;
                Ok(Some((meta, data)))
            }

            async fn request(&self, id: &str) -> StoreResult<Option<LetterRequest>> {
                let row: Option<RequestRow> =
                    sqlx::query_as(concat!("SELECT ", request_columns!(), " FROM letter_requests WHERE id = $1"))
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?;
                row.map(RequestRow::into_request).transpose()
            }

            async fn request_events(&self, id: &str) -> StoreResult<Vec<RequestEvent>> {
                Ok(sqlx::query_as(
                    "SELECT at, actor, action, from_state, to_state, note FROM letter_request_events \
                     WHERE request_id = $1 ORDER BY id",
                )
                .bind(id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn request_queue(
                &self,
                village: &str,
                states: &[&str],
                limit: i64,
            ) -> StoreResult<Vec<$crate::letters::QueuedRequest>> {
                let mut rows: Vec<$crate::letters::QueueRow> = Vec::new();
                for state in states {
                    let mut part: Vec<$crate::letters::QueueRow> = sqlx::query_as(concat!(
                        "SELECT ",
                        request_columns!(),
                        ", (SELECT nama FROM penduduk WHERE penduduk.id = letter_requests.penduduk_id) AS person_name \
                         FROM letter_requests WHERE village_code = $1 AND state = $2 ORDER BY due_on, received_at LIMIT $3"
                    ))
                    .bind(village)
                    .bind(*state)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?;
                    rows.append(&mut part);
                }
                rows.sort_by(|a, b| (a.request.due_on, a.request.received_at).cmp(&(b.request.due_on, b.request.received_at)));
                rows.truncate(limit.max(0) as usize);
                rows.into_iter()
                    .map(|row| {
                        Ok($crate::letters::QueuedRequest {
                            request: row.request.into_request()?,
                            person_name: row.person_name.unwrap_or_default(),
                        })
                    })
                    .collect()
            }

            async fn transition_request(&self, transition: &Transition, audit: AuditEvent) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                apply_transition(&mut tx, transition).await?;
                append_audit(&mut tx, &audit).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn issue_letter(
                &self,
                transition: &Transition,
                village: &str,
                year: i32,
                scope_key: &str,
                make: MakeLetter,
                audit: AuditEvent,
            ) -> StoreResult<IssuedLetter> {
                let mut tx = self.begin_write().await?;
                // Lock order: the request, then the village's counter, then the audit head.
                apply_transition(&mut tx, transition).await?;
                let number = next_number(&mut tx, village, year, scope_key).await?;
                let (letter, pdf) = make(number).await.map_err(StoreError::Rejected)?;
                insert_letter(&mut tx, &letter, Some(pdf), audit.at).await?;
                append_audit(&mut tx, &audit).await?;
                tx.commit().await?;
                Ok(letter)
            }

            async fn reserve_number(
                &self,
                village: &str,
                year: i32,
                scope_key: &str,
                make: MakeLetter,
                audit: AuditEvent,
            ) -> StoreResult<IssuedLetter> {
                let mut tx = self.begin_write().await?;
                let number = next_number(&mut tx, village, year, scope_key).await?;
                let (letter, _) = make(number).await.map_err(StoreError::Rejected)?;
                insert_letter(&mut tx, &letter, None, audit.at).await?;
                append_audit(&mut tx, &audit).await?;
                tx.commit().await?;
                Ok(letter)
            }

            async fn letter_by_token(&self, token: &str) -> StoreResult<Option<IssuedLetter>> {
                Ok(sqlx::query_as(concat!("SELECT ", letter_columns!(), " FROM letters WHERE token = $1"))
                    .bind(token)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn letter_for_request(&self, request_id: &str) -> StoreResult<Option<IssuedLetter>> {
                Ok(sqlx::query_as(concat!("SELECT ", letter_columns!(), " FROM letters WHERE request_id = $1"))
                    .bind(request_id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn letter_pdf(&self, letter_id: &str) -> StoreResult<Option<Vec<u8>>> {
                let row: Option<(Option<Vec<u8>>,)> = sqlx::query_as("SELECT pdf FROM letters WHERE id = $1")
                    .bind(letter_id)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(row.and_then(|(pdf,)| pdf))
            }

            async fn letters_of_village(&self, village: &str, year: i32) -> StoreResult<Vec<IssuedLetter>> {
                Ok(sqlx::query_as(concat!(
                    "SELECT ",
                    letter_columns!(),
                    " FROM letters WHERE village_code = $1 AND year = $2 ORDER BY scope_key, sequence"
                ))
                .bind(village)
                .bind(year)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn service_standards(&self, village: &str) -> StoreResult<Vec<(String, String)>> {
                Ok(sqlx::query_as(
                    "SELECT service, spec FROM service_standards WHERE village_code = $1 ORDER BY service",
                )
                .bind(village)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn save_service_standard(
                &self,
                village: &str,
                service: &str,
                spec: &str,
                audit: AuditEvent,
            ) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    "INSERT INTO service_standards (village_code, service, spec, updated_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (village_code, service) DO UPDATE SET spec = excluded.spec, \
                     updated_at = excluded.updated_at",
                )
                .bind(village)
                .bind(service)
                .bind(spec)
                .bind(audit.at)
                .execute(&mut *tx)
                .await?;
                append_audit(&mut tx, &audit).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn letter_figures(
                &self,
                region: &str,
                from: DateTime<Utc>,
                until: DateTime<Utc>,
            ) -> StoreResult<LetterFigures> {
                let within = format!("{region}.%");
                let (received, online): (i64, Option<i64>) = sqlx::query_as(
                    "SELECT COUNT(*), SUM(CASE WHEN channel = 'loket' THEN 0 ELSE 1 END) FROM letter_requests \
                     WHERE (village_code = $1 OR village_code LIKE $2) AND received_at >= $3 AND received_at < $4",
                )
                .bind(region)
                .bind(&within)
                .bind(from)
                .bind(until)
                .fetch_one(&self.pool)
                .await?;
                let (issued, on_time): (i64, Option<i64>) = sqlx::query_as(
                    "SELECT COUNT(*), SUM(CASE WHEN l.issued_on <= r.due_on THEN 1 ELSE 0 END) FROM letters l \
                     JOIN letter_requests r ON r.id = l.request_id \
                     WHERE (l.village_code = $1 OR l.village_code LIKE $2) AND l.created_at >= $3 AND l.created_at < $4",
                )
                .bind(region)
                .bind(&within)
                .bind(from)
                .bind(until)
                .fetch_one(&self.pool)
                .await?;
                Ok(LetterFigures {
                    received,
                    received_online: online.unwrap_or(0),
                    issued,
                    issued_on_time: on_time.unwrap_or(0),
                })
            }

            async fn revoke_letter(&self, letter_id: &str, reason: &str, audit: AuditEvent) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                append_audit(&mut tx, &audit).await?;
                let done = sqlx::query(
                    "UPDATE letters SET revoked_at = $1, revoke_reason = $2 WHERE id = $3 AND revoked_at IS NULL",
                )
                .bind(audit.at)
                .bind(reason)
                .bind(letter_id)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::Conflict(format!("letter {letter_id} is unknown or already revoked")));
                }
                tx.commit().await?;
                Ok(())
            }

            async fn village_public_key(&self, village: &str) -> StoreResult<Option<String>> {
                let row: Option<(String,)> =
                    sqlx::query_as("SELECT public_key FROM village_keys WHERE village_code = $1")
                        .bind(village)
                        .fetch_optional(&self.pool)
                        .await?;
                Ok(row.map(|(k,)| k))
            }

            async fn save_village_public_key(&self, village: &str, public_key: &str, at: DateTime<Utc>) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO village_keys (village_code, public_key, created_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (village_code) DO NOTHING",
                )
                .bind(village)
                .bind(public_key)
                .bind(at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }
        }
    };
}

pub(crate) use {attachment_columns, impl_letter_repo, letter_columns, penduduk_columns, request_columns};
