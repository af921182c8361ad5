//! Public information (PPID): the Daftar Informasi Publik and its documents, the information
//! request register, objections (keberatan) and their register serials.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use crate::outbox::NewMessage;
use crate::{AuditEvent, StoreResult};

/// An item of the Daftar Informasi Publik with the Perki 1/2018 columns. Words (`class`, `form`,
/// `exemption`) are the domain's.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DipItem {
    pub id: String,
    pub village_code: String,
    pub class: String,
    pub title: String,
    pub summary: String,
    pub holder: String,
    pub responsible: String,
    pub made_when_where: String,
    pub form: String,
    pub retention: String,
    pub consequence_test: String,
    pub exemption: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub refreshed_on: NaiveDate,
}

/// A document attached to a DIP item, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DipFileMeta {
    pub id: String,
    pub item_id: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewDipFile {
    pub meta: DipFileMeta,
    pub data: Vec<u8>,
}

/// An information request as registered (domain.md §6).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InfoRequest {
    pub code: String,
    pub number: String,
    pub village_code: String,
    pub received_at: DateTime<Utc>,
    pub requester_name: String,
    pub requester_id_number: String,
    pub requester_address: String,
    pub requester_email: String,
    pub requester_phone: String,
    pub information: String,
    pub purpose: String,
    pub obtain_method: String,
    pub delivery_method: String,
    pub dip_item_id: Option<String>,
    /// `web`, `lapor` (sent through the reports form), `loket` (at the office), `pendamping`.
    pub channel: String,
    pub resident_id: Option<i64>,
    pub state: String,
    pub first_due: NaiveDate,
    pub due_on: NaiveDate,
    pub extension_reason: String,
    pub extended_at: Option<DateTime<Utc>>,
    pub decision: Option<String>,
    pub info_class: Option<String>,
    pub exemption: Option<String>,
    pub decision_reason: String,
    pub answer: String,
    pub fee_rupiah: i64,
    pub notice_at: Option<DateTime<Utc>>,
    pub days_to_notice: Option<i32>,
    pub on_time: Option<bool>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub delivery_note: String,
    /// Shown on the village's list of answered requests (not personal, chosen by the PPID).
    pub published: bool,
    pub idempotency_key: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// One entry of a request's history.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InfoEvent {
    pub at: DateTime<Utc>,
    pub actor_name: String,
    /// `diajukan`, `diperpanjang`, `diputuskan`, `diserahkan`, `keberatan`, `keberatan_dijawab`, `catatan`.
    pub action: String,
    pub note: String,
    pub internal: bool,
}

/// An objection against the handling of one request.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Keberatan {
    pub number: String,
    pub request_code: String,
    pub village_code: String,
    pub filed_at: DateTime<Utc>,
    /// Letters of UU 14/2008 Ps 35(1), comma-separated (`a,e`).
    pub grounds: String,
    pub reason: String,
    pub answer_due: NaiveDate,
    pub answered_at: Option<DateTime<Utc>>,
    pub outcome: Option<String>,
    pub answer: String,
    pub answered_by: String,
    pub on_time: Option<bool>,
    pub komisi_due: Option<NaiveDate>,
    pub updated_at: DateTime<Utc>,
}

/// How the store numbers a new register entry: the next serial of (village, year, kind),
/// formatted by `balai_domain::ppid::register_number`.
#[derive(Debug, Clone)]
pub struct Numbering {
    pub village_code: String,
    /// The village's own part of its code (`2001`).
    pub village_suffix: String,
    pub on: NaiveDate,
}

/// A change to a request: the whole new row, written only if nobody changed it since
/// `expected_updated_at`, with its history entry, messages and audit record.
#[derive(Debug, Clone)]
pub struct InfoRequestChange {
    pub request: InfoRequest,
    pub expected_updated_at: DateTime<Utc>,
    pub event: InfoEvent,
    pub messages: Vec<NewMessage>,
}

/// The outcome of registering a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Registered {
    /// Stored with this register number.
    New(String),
    /// The same form was sent before: the code of the request it made.
    Duplicate(String),
}

#[async_trait]
pub trait PpidRepo {
    /// Inserts or updates a DIP item.
    async fn save_dip_item(&self, item: &DipItem, audit: AuditEvent) -> StoreResult<()>;
    async fn dip_item(&self, id: &str) -> StoreResult<Option<DipItem>>;
    /// A village's items, by class then title.
    async fn dip_items(&self, village: &str) -> StoreResult<Vec<DipItem>>;
    async fn add_dip_file(&self, file: &NewDipFile, audit: AuditEvent) -> StoreResult<()>;
    async fn dip_files(&self, item_id: &str) -> StoreResult<Vec<DipFileMeta>>;
    /// The documents of all a village's items, in one query (the DIP page lists them all).
    async fn village_dip_files(&self, village: &str) -> StoreResult<Vec<DipFileMeta>>;
    async fn dip_file(&self, id: &str) -> StoreResult<Option<(DipFileMeta, Vec<u8>)>>;

    /// Registers a request: allocates its number, stores it with its first history entry and
    /// confirmation messages, in one transaction.
    async fn register_info_request(
        &self,
        request: &InfoRequest,
        numbering: &Numbering,
        event: &InfoEvent,
        messages: &[NewMessage],
        audit: AuditEvent,
        assisted: Option<&crate::assistance::Assistance>,
    ) -> StoreResult<Registered>;
    async fn info_request(&self, code: &str) -> StoreResult<Option<InfoRequest>>;
    /// Requests of the villages whose code starts with `region_prefix` received in [from, until),
    /// newest first, at most `limit`.
    async fn info_requests(
        &self,
        region_prefix: &str,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: i64,
    ) -> StoreResult<Vec<InfoRequest>>;
    /// Published answers of a village, newest first.
    async fn published_info_requests(&self, village: &str, limit: i64) -> StoreResult<Vec<InfoRequest>>;
    async fn info_events(&self, code: &str) -> StoreResult<Vec<InfoEvent>>;
    async fn change_info_request(&self, change: &InfoRequestChange, audit: AuditEvent) -> StoreResult<()>;

    /// Files an objection (numbered like requests) and records it on the request's history.
    async fn file_keberatan(
        &self,
        keberatan: &Keberatan,
        numbering: &Numbering,
        event: &InfoEvent,
        messages: &[NewMessage],
        audit: AuditEvent,
    ) -> StoreResult<String>;
    async fn keberatan_of(&self, request_code: &str) -> StoreResult<Option<Keberatan>>;
    /// Objections of the villages under `region_prefix` filed in [from, until), newest first.
    async fn keberatan_list(
        &self,
        region_prefix: &str,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: i64,
    ) -> StoreResult<Vec<Keberatan>>;
    /// Records the atasan PPID's answer, if nobody answered meanwhile.
    async fn answer_keberatan(
        &self,
        keberatan: &Keberatan,
        expected_updated_at: DateTime<Utc>,
        event: &InfoEvent,
        messages: &[NewMessage],
        audit: AuditEvent,
    ) -> StoreResult<()>;
}

macro_rules! info_request_columns {
    () => {
        "code, number, village_code, received_at, requester_name, requester_id_number, requester_address, \
         requester_email, requester_phone, information, purpose, obtain_method, delivery_method, dip_item_id, \
         channel, resident_id, state, first_due, due_on, extension_reason, extended_at, decision, info_class, \
         exemption, decision_reason, answer, fee_rupiah, notice_at, days_to_notice, on_time, delivered_at, \
         delivery_note, published, idempotency_key, updated_at"
    };
}

macro_rules! keberatan_columns {
    () => {
        "number, request_code, village_code, filed_at, grounds, reason, answer_due, answered_at, outcome, answer, \
         answered_by, on_time, komisi_due, updated_at"
    };
}

macro_rules! dip_columns {
    () => {
        "id, village_code, class, title, summary, holder, responsible, made_when_where, form, retention, \
         consequence_test, exemption, created_at, updated_at, refreshed_on"
    };
}

/// Stamps out `PpidRepo` for one backend (after `impl_store!` and `impl_outbox_repo!`, whose
/// `append_audit` and `insert_messages` it uses).
macro_rules! impl_ppid_repo {
    ($store:ty, $db:ty) => {
        mod ppid_impl {
            use super::*;
            use $crate::ppid::*;
            use $crate::{AuditEvent, StoreError, StoreResult};

            async fn next_number(
                tx: &mut sqlx::Transaction<'static, $db>,
                n: &Numbering,
                kind: &str,
            ) -> StoreResult<String> {
                use chrono::Datelike;
                let (serial,): (i64,) = sqlx::query_as(
                    "INSERT INTO ppid_counters (village_code, year, kind, last) VALUES ($1, $2, $3, 1) \
                     ON CONFLICT (village_code, year, kind) DO UPDATE SET last = ppid_counters.last + 1 RETURNING last",
                )
                .bind(&n.village_code)
                .bind(n.on.year())
                .bind(kind)
                .fetch_one(&mut **tx)
                .await?;
                Ok(balai_domain::ppid::register_number(serial, kind, &n.village_suffix, n.on))
            }

            async fn insert_event(
                tx: &mut sqlx::Transaction<'static, $db>,
                code: &str,
                e: &InfoEvent,
            ) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO info_request_events (request_code, at, actor_name, action, note, internal) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(code)
                .bind(e.at)
                .bind(&e.actor_name)
                .bind(&e.action)
                .bind(&e.note)
                .bind(e.internal)
                .execute(&mut **tx)
                .await?;
                Ok(())
            }

            #[async_trait::async_trait]
            impl PpidRepo for $store {
                async fn save_dip_item(&self, i: &DipItem, audit: AuditEvent) -> StoreResult<()> {
                    let mut tx = self.begin_write().await?;
                    sqlx::query(concat!(
                        "INSERT INTO dip_items (",
                        dip_columns!(),
                        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
                         ON CONFLICT (id) DO UPDATE SET class = excluded.class, title = excluded.title, \
                         summary = excluded.summary, holder = excluded.holder, responsible = excluded.responsible, \
                         made_when_where = excluded.made_when_where, form = excluded.form, \
                         retention = excluded.retention, consequence_test = excluded.consequence_test, \
                         exemption = excluded.exemption, updated_at = excluded.updated_at, \
                         refreshed_on = excluded.refreshed_on"
                    ))
                    .bind(&i.id)
                    .bind(&i.village_code)
                    .bind(&i.class)
                    .bind(&i.title)
                    .bind(&i.summary)
                    .bind(&i.holder)
                    .bind(&i.responsible)
                    .bind(&i.made_when_where)
                    .bind(&i.form)
                    .bind(&i.retention)
                    .bind(&i.consequence_test)
                    .bind(&i.exemption)
                    .bind(i.created_at)
                    .bind(i.updated_at)
                    .bind(i.refreshed_on)
                    .execute(&mut *tx)
                    .await?;
                    append_audit(&mut tx, &audit).await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn dip_item(&self, id: &str) -> StoreResult<Option<DipItem>> {
                    Ok(sqlx::query_as(concat!("SELECT ", dip_columns!(), " FROM dip_items WHERE id = $1"))
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?)
                }

                async fn dip_items(&self, village: &str) -> StoreResult<Vec<DipItem>> {
                    Ok(sqlx::query_as(concat!(
                        "SELECT ",
                        dip_columns!(),
                        " FROM dip_items WHERE village_code = $1 ORDER BY class, title"
                    ))
                    .bind(village)
                    .fetch_all(&self.pool)
                    .await?)
                }

                async fn add_dip_file(&self, f: &NewDipFile, audit: AuditEvent) -> StoreResult<()> {
                    let mut tx = self.begin_write().await?;
                    sqlx::query(
                        "INSERT INTO dip_files (id, item_id, file_name, content_type, size_bytes, sha256, data, \
                         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(&f.meta.id)
                    .bind(&f.meta.item_id)
                    .bind(&f.meta.file_name)
                    .bind(&f.meta.content_type)
                    .bind(f.meta.size_bytes)
                    .bind(&f.meta.sha256)
                    .bind(&f.data)
                    .bind(f.meta.created_at)
                    .execute(&mut *tx)
                    .await?;
                    append_audit(&mut tx, &audit).await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn dip_files(&self, item_id: &str) -> StoreResult<Vec<DipFileMeta>> {
                    Ok(sqlx::query_as(
                        "SELECT id, item_id, file_name, content_type, size_bytes, sha256, created_at FROM dip_files \
                         WHERE item_id = $1 ORDER BY created_at, id",
                    )
                    .bind(item_id)
                    .fetch_all(&self.pool)
                    .await?)
                }

                async fn village_dip_files(&self, village: &str) -> StoreResult<Vec<DipFileMeta>> {
                    Ok(sqlx::query_as(
                        "SELECT f.id, f.item_id, f.file_name, f.content_type, f.size_bytes, f.sha256, f.created_at \
                         FROM dip_files f JOIN dip_items i ON i.id = f.item_id WHERE i.village_code = $1 \
                         ORDER BY f.created_at, f.id",
                    )
                    .bind(village)
                    .fetch_all(&self.pool)
                    .await?)
                }

                async fn dip_file(&self, id: &str) -> StoreResult<Option<(DipFileMeta, Vec<u8>)>> {
                    let meta: Option<DipFileMeta> = sqlx::query_as(
                        "SELECT id, item_id, file_name, content_type, size_bytes, sha256, created_at FROM dip_files \
                         WHERE id = $1",
                    )
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                    let Some(meta) = meta else { return Ok(None) };
                    let (data,): (Vec<u8>,) = sqlx::query_as("SELECT data FROM dip_files WHERE id = $1")
                        .bind(id)
                        .fetch_one(&self.pool)
                        .await?;
                    Ok(Some((meta, data)))
                }

                async fn register_info_request(
                    &self,
                    r: &InfoRequest,
                    numbering: &Numbering,
                    event: &InfoEvent,
                    messages: &[$crate::outbox::NewMessage],
                    audit: AuditEvent,
                    assisted: Option<&$crate::assistance::Assistance>,
                ) -> StoreResult<Registered> {
                    let mut tx = self.begin_write().await?;
                    if let Some(key) = &r.idempotency_key {
                        let earlier: Option<(String,)> =
                            sqlx::query_as("SELECT code FROM info_requests WHERE idempotency_key = $1")
                                .bind(key)
                                .fetch_optional(&mut *tx)
                                .await?;
                        if let Some((code,)) = earlier {
                            tx.rollback().await?;
                            return Ok(Registered::Duplicate(code));
                        }
                    }
                    let number = next_number(&mut tx, numbering, "PPID").await?;
                    sqlx::query(concat!(
                        "INSERT INTO info_requests (",
                        info_request_columns!(),
                        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
                         $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35)"
                    ))
                    .bind(&r.code)
                    .bind(&number)
                    .bind(&r.village_code)
                    .bind(r.received_at)
                    .bind(&r.requester_name)
                    .bind(&r.requester_id_number)
                    .bind(&r.requester_address)
                    .bind(&r.requester_email)
                    .bind(&r.requester_phone)
                    .bind(&r.information)
                    .bind(&r.purpose)
                    .bind(&r.obtain_method)
                    .bind(&r.delivery_method)
                    .bind(&r.dip_item_id)
                    .bind(&r.channel)
                    .bind(r.resident_id)
                    .bind(&r.state)
                    .bind(r.first_due)
                    .bind(r.due_on)
                    .bind(&r.extension_reason)
                    .bind(r.extended_at)
                    .bind(&r.decision)
                    .bind(&r.info_class)
                    .bind(&r.exemption)
                    .bind(&r.decision_reason)
                    .bind(&r.answer)
                    .bind(r.fee_rupiah)
                    .bind(r.notice_at)
                    .bind(r.days_to_notice)
                    .bind(r.on_time)
                    .bind(r.delivered_at)
                    .bind(&r.delivery_note)
                    .bind(r.published)
                    .bind(&r.idempotency_key)
                    .bind(r.updated_at)
                    .execute(&mut *tx)
                    .await?;
                    insert_event(&mut tx, &r.code, event).await?;
                    let messages: Vec<_> = messages
                        .iter()
                        .map(|m| {
                            let mut m = m.clone();
                            m.body = m.body.replace("{nomor}", &number);
                            m
                        })
                        .collect();
                    insert_messages(&mut tx, &messages, r.received_at).await?;
                    insert_assistance(&mut tx, assisted).await?;
                    append_audit(&mut tx, &audit).await?;
                    tx.commit().await?;
                    Ok(Registered::New(number))
                }

                async fn info_request(&self, code: &str) -> StoreResult<Option<InfoRequest>> {
                    Ok(sqlx::query_as(concat!(
                        "SELECT ",
                        info_request_columns!(),
                        " FROM info_requests WHERE code = $1"
                    ))
                    .bind(code)
                    .fetch_optional(&self.pool)
                    .await?)
                }

                async fn info_requests(
                    &self,
                    region_prefix: &str,
                    from: chrono::DateTime<chrono::Utc>,
                    until: chrono::DateTime<chrono::Utc>,
                    limit: i64,
                ) -> StoreResult<Vec<InfoRequest>> {
                    Ok(sqlx::query_as(concat!(
                        "SELECT ",
                        info_request_columns!(),
                        " FROM info_requests WHERE (village_code = $1 OR village_code LIKE $2) AND received_at >= $3 \
                         AND received_at < $4 ORDER BY received_at DESC LIMIT $5"
                    ))
                    .bind(region_prefix)
                    .bind(format!("{region_prefix}.%"))
                    .bind(from)
                    .bind(until)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?)
                }

                async fn published_info_requests(&self, village: &str, limit: i64) -> StoreResult<Vec<InfoRequest>> {
                    Ok(sqlx::query_as(concat!(
                        "SELECT ",
                        info_request_columns!(),
                        " FROM info_requests WHERE village_code = $1 AND published ORDER BY notice_at DESC LIMIT $2"
                    ))
                    .bind(village)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?)
                }

                async fn info_events(&self, code: &str) -> StoreResult<Vec<InfoEvent>> {
                    Ok(sqlx::query_as(
                        "SELECT at, actor_name, action, note, internal FROM info_request_events \
                         WHERE request_code = $1 ORDER BY id",
                    )
                    .bind(code)
                    .fetch_all(&self.pool)
                    .await?)
                }

                async fn change_info_request(&self, c: &InfoRequestChange, audit: AuditEvent) -> StoreResult<()> {
                    let r = &c.request;
                    let mut tx = self.begin_write().await?;
                    let done = sqlx::query(
                        "UPDATE info_requests SET state = $1, due_on = $2, extension_reason = $3, extended_at = $4, \
                         decision = $5, info_class = $6, exemption = $7, decision_reason = $8, answer = $9, \
                         fee_rupiah = $10, notice_at = $11, days_to_notice = $12, on_time = $13, delivered_at = $14, \
                         delivery_note = $15, published = $16, updated_at = $17 WHERE code = $18 AND updated_at = $19",
                    )
                    .bind(&r.state)
                    .bind(r.due_on)
                    .bind(&r.extension_reason)
                    .bind(r.extended_at)
                    .bind(&r.decision)
                    .bind(&r.info_class)
                    .bind(&r.exemption)
                    .bind(&r.decision_reason)
                    .bind(&r.answer)
                    .bind(r.fee_rupiah)
                    .bind(r.notice_at)
                    .bind(r.days_to_notice)
                    .bind(r.on_time)
                    .bind(r.delivered_at)
                    .bind(&r.delivery_note)
                    .bind(r.published)
                    .bind(r.updated_at)
                    .bind(&r.code)
                    .bind(c.expected_updated_at)
                    .execute(&mut *tx)
                    .await?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::Conflict(format!("information request {} changed meanwhile", r.code)));
                    }
                    insert_event(&mut tx, &r.code, &c.event).await?;
                    insert_messages(&mut tx, &c.messages, c.event.at).await?;
                    append_audit(&mut tx, &audit).await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn file_keberatan(
                    &self,
                    k: &Keberatan,
                    numbering: &Numbering,
                    event: &InfoEvent,
                    messages: &[$crate::outbox::NewMessage],
                    audit: AuditEvent,
                ) -> StoreResult<String> {
                    let mut tx = self.begin_write().await?;
                    let existing: Option<(String,)> =
                        sqlx::query_as("SELECT number FROM keberatan WHERE request_code = $1")
                            .bind(&k.request_code)
                            .fetch_optional(&mut *tx)
                            .await?;
                    if let Some((number,)) = existing {
                        tx.rollback().await?;
                        return Err(StoreError::Conflict(format!("keberatan {number} already filed")));
                    }
                    let number = next_number(&mut tx, numbering, "KEB").await?;
                    sqlx::query(concat!(
                        "INSERT INTO keberatan (",
                        keberatan_columns!(),
                        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
                    ))
                    .bind(&number)
                    .bind(&k.request_code)
                    .bind(&k.village_code)
                    .bind(k.filed_at)
                    .bind(&k.grounds)
                    .bind(&k.reason)
                    .bind(k.answer_due)
                    .bind(k.answered_at)
                    .bind(&k.outcome)
                    .bind(&k.answer)
                    .bind(&k.answered_by)
                    .bind(k.on_time)
                    .bind(k.komisi_due)
                    .bind(k.updated_at)
                    .execute(&mut *tx)
                    .await?;
                    // The request changes too, so two instances see the objection in order.
                    sqlx::query("UPDATE info_requests SET updated_at = $1 WHERE code = $2")
                        .bind(k.updated_at)
                        .bind(&k.request_code)
                        .execute(&mut *tx)
                        .await?;
                    insert_event(&mut tx, &k.request_code, event).await?;
                    let messages: Vec<_> = messages
                        .iter()
                        .map(|m| {
                            let mut m = m.clone();
                            m.body = m.body.replace("{nomor}", &number);
                            m
                        })
                        .collect();
                    insert_messages(&mut tx, &messages, k.filed_at).await?;
                    append_audit(&mut tx, &audit).await?;
                    tx.commit().await?;
                    Ok(number)
                }

                async fn keberatan_of(&self, request_code: &str) -> StoreResult<Option<Keberatan>> {
                    Ok(sqlx::query_as(concat!(
                        "SELECT ",
                        keberatan_columns!(),
                        " FROM keberatan WHERE request_code = $1"
                    ))
                    .bind(request_code)
                    .fetch_optional(&self.pool)
                    .await?)
                }

                async fn keberatan_list(
                    &self,
                    region_prefix: &str,
                    from: chrono::DateTime<chrono::Utc>,
                    until: chrono::DateTime<chrono::Utc>,
                    limit: i64,
                ) -> StoreResult<Vec<Keberatan>> {
                    Ok(sqlx::query_as(concat!(
                        "SELECT ",
                        keberatan_columns!(),
                        " FROM keberatan WHERE (village_code = $1 OR village_code LIKE $2) AND filed_at >= $3 \
                         AND filed_at < $4 ORDER BY filed_at DESC LIMIT $5"
                    ))
                    .bind(region_prefix)
                    .bind(format!("{region_prefix}.%"))
                    .bind(from)
                    .bind(until)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?)
                }

                async fn answer_keberatan(
                    &self,
                    k: &Keberatan,
                    expected_updated_at: chrono::DateTime<chrono::Utc>,
                    event: &InfoEvent,
                    messages: &[$crate::outbox::NewMessage],
                    audit: AuditEvent,
                ) -> StoreResult<()> {
                    let mut tx = self.begin_write().await?;
                    let done = sqlx::query(
                        "UPDATE keberatan SET answered_at = $1, outcome = $2, answer = $3, answered_by = $4, \
                         on_time = $5, komisi_due = $6, updated_at = $7 WHERE number = $8 AND updated_at = $9 \
                         AND outcome IS NULL",
                    )
                    .bind(k.answered_at)
                    .bind(&k.outcome)
                    .bind(&k.answer)
                    .bind(&k.answered_by)
                    .bind(k.on_time)
                    .bind(k.komisi_due)
                    .bind(k.updated_at)
                    .bind(&k.number)
                    .bind(expected_updated_at)
                    .execute(&mut *tx)
                    .await?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::Conflict(format!("keberatan {} changed meanwhile", k.number)));
                    }
                    insert_event(&mut tx, &k.request_code, event).await?;
                    insert_messages(&mut tx, messages, event.at).await?;
                    append_audit(&mut tx, &audit).await?;
                    tx.commit().await?;
                    Ok(())
                }
            }
        }
    };
}

pub(crate) use {dip_columns, impl_ppid_repo, info_request_columns, keberatan_columns};
