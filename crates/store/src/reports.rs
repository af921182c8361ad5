//! Reports (pengaduan, aspirasi, permintaan informasi): categories, the reports with their
//! clocks, history and files, inboxes, the public list with full-text search, the scheduler's
//! candidates and the figures for the scoreboard.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use crate::outbox::NewMessage;
use crate::{AuditEvent, StoreResult};

/// A report category and the tier that sets its completion clock.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReportCategory {
    pub slug: String,
    pub name: String,
    pub tier: String,
    pub active: bool,
    pub position: i32,
}

/// A report as stored. Words (`kind`, `state`, `tier`, `sla_state`) are the domain's.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Report {
    /// The tracking code: the reporter's key to the report (never shown publicly).
    pub code: String,
    /// The report's name on public pages and in Open311.
    pub public_id: String,
    pub kind: String,
    pub category: String,
    pub region_code: String,
    pub title: String,
    pub public_title: String,
    pub description: String,
    pub address: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub reporter_name: String,
    pub reporter_email: String,
    pub reporter_phone: String,
    pub resident_id: Option<i64>,
    pub anonymous: bool,
    pub confidential: bool,
    /// `web`, `warga`, `open311`, `sms`.
    pub channel: String,
    pub state: String,
    /// `opd:{slug}` or `desa:{region code}` once disposed.
    pub handler: Option<String>,
    pub tier: String,
    pub received_at: DateTime<Utc>,
    pub verify_due: NaiveDate,
    pub verified_at: Option<DateTime<Utc>>,
    pub verified_on_time: Option<bool>,
    pub disposed_at: Option<DateTime<Utc>>,
    pub respond_due: Option<NaiveDate>,
    pub complete_due: Option<NaiveDate>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub answered_on_time: Option<bool>,
    pub closed_at: Option<DateTime<Utc>>,
    pub done_working_days: Option<i32>,
    pub due_on: Option<NaiveDate>,
    pub sla_state: String,
    pub reminded_for: Option<NaiveDate>,
    pub escalated_for: Option<NaiveDate>,
    pub rating: Option<i32>,
    pub rating_note: String,
    pub reopened: i32,
    pub listed: bool,
    pub idempotency_key: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// One step of a report's history: a state change, a reply or a note.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReportEvent {
    pub at: DateTime<Utc>,
    /// `pelapor`, `koordinator`, `instansi` or `sistem`.
    pub party: String,
    pub actor_name: String,
    pub action: String,
    pub from_state: String,
    pub to_state: String,
    pub body: String,
    /// `publik`, `pelapor` or `internal`.
    pub visibility: String,
}

/// A file sent with a report (already checked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReportFile {
    pub id: String,
    pub file_name: String,
    pub content_type: String,
    pub sha256: String,
    pub data: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReportFileMeta {
    pub id: String,
    pub report_code: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub created_at: DateTime<Utc>,
}

/// What happened to a new report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Created {
    Created,
    /// The same form was sent before (a double click): the code of the report it made.
    Duplicate(String),
}

/// A change to a report: the whole report as it is to be, applied only if nobody changed it since
/// `expected_updated_at` (two staff, or a click racing the scheduler, change it once).
#[derive(Debug, Clone)]
pub struct ReportChange {
    pub report: Report,
    pub expected_updated_at: DateTime<Utc>,
    pub event: Option<ReportEvent>,
    pub messages: Vec<NewMessage>,
}

/// Which reports an inbox shows.
#[derive(Debug, Clone, Default)]
pub struct InboxQuery {
    /// Reports about this region or below (`32.07`, or a village's code).
    pub region: Option<String>,
    /// Reports held by this handler.
    pub handler: Option<String>,
    pub states: Vec<String>,
    pub limit: i64,
}

/// The public list: verified, not `rahasia`.
#[derive(Debug, Clone, Default)]
pub struct PublicQuery {
    pub region: Option<String>,
    pub handler: Option<String>,
    /// Words to search for in the public title and description (all must occur).
    pub text: Option<String>,
    /// Received in `[from, until)`.
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub category: Option<String>,
    /// `Some(true)`: only closed reports (selesai); `Some(false)`: only open ones.
    pub closed: Option<bool>,
    pub limit: i64,
    pub offset: i64,
}

/// Reports for export, received in `[from, until)`.
#[derive(Debug, Clone, Default)]
pub struct ExportQuery {
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub region: Option<String>,
    pub handler: Option<String>,
    pub state: Option<String>,
    pub limit: i64,
}

/// Figures for one office or village, for the scoreboard.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScoreRow {
    /// The handler (`opd:…`, `desa:…`) or the village code.
    pub key: String,
    pub total: i64,
    pub verified: i64,
    pub verified_on_time: i64,
    pub answered: i64,
    pub answered_on_time: i64,
    pub done: i64,
    /// (working days to done, how many), for the median.
    pub done_days: Vec<(i32, i64)>,
}

/// One group of the scoreboard scan: handler, village, working days to done, then the counts
/// (all, verified, verified on time, answered, answered on time).
pub type ScoreGroup = (Option<String>, String, Option<i32>, i64, i64, Option<i64>, i64, Option<i64>);

/// The scoreboard's figures per handler (offices and villages handling reports) and per village
/// the reports are about, each sorted by key.
#[derive(Debug, Clone, Default)]
pub struct Scores {
    pub by_handler: Vec<ScoreRow>,
    pub by_village: Vec<ScoreRow>,
}

pub(crate) fn fold_scores(groups: Vec<ScoreGroup>) -> Scores {
    use std::collections::BTreeMap;
    fn add(map: &mut BTreeMap<String, ScoreRow>, key: &str, g: &ScoreGroup) {
        let row =
            map.entry(key.to_string()).or_insert_with(|| ScoreRow { key: key.to_string(), ..ScoreRow::default() });
        let (_, _, days, total, verified, verified_on_time, answered, answered_on_time) = g;
        row.total += total;
        row.verified += verified;
        row.verified_on_time += verified_on_time.unwrap_or(0);
        row.answered += answered;
        row.answered_on_time += answered_on_time.unwrap_or(0);
        if let Some(d) = days {
            row.done += total;
            match row.done_days.iter_mut().find(|(day, _)| day == d) {
                Some((_, n)) => *n += total,
                None => row.done_days.push((*d, *total)),
            }
        }
    }
    let (mut handlers, mut villages) = (BTreeMap::new(), BTreeMap::new());
    for g in &groups {
        if let Some(handler) = &g.0 {
            add(&mut handlers, handler, g);
        }
        add(&mut villages, &g.1, g);
    }
    let finish = |map: BTreeMap<String, ScoreRow>| {
        map.into_values()
            .map(|mut row| {
                row.done_days.sort();
                row
            })
            .collect()
    };
    Scores { by_handler: finish(handlers), by_village: finish(villages) }
}

#[async_trait]
pub trait ReportRepo: Send + Sync {
    async fn report_categories(&self) -> StoreResult<Vec<ReportCategory>>;
    /// Inserts or updates categories by slug.
    async fn save_report_categories(&self, categories: &[ReportCategory], audit: AuditEvent) -> StoreResult<()>;

    /// Stores a new report with its first event, files and messages in one transaction. A report
    /// whose idempotency key was seen before is not stored again.
    async fn create_report(
        &self,
        report: &Report,
        event: &ReportEvent,
        files: &[NewReportFile],
        messages: &[NewMessage],
        audit: AuditEvent,
        assisted: Option<&crate::assistance::Assistance>,
    ) -> StoreResult<Created>;
    async fn report(&self, code: &str) -> StoreResult<Option<Report>>;
    async fn report_by_public_id(&self, public_id: &str) -> StoreResult<Option<Report>>;
    async fn report_events(&self, code: &str) -> StoreResult<Vec<ReportEvent>>;
    async fn report_files(&self, code: &str) -> StoreResult<Vec<ReportFileMeta>>;
    async fn report_file(&self, id: &str) -> StoreResult<Option<(ReportFileMeta, Vec<u8>)>>;
    /// Applies a change; `Conflict` when the report changed meanwhile. `audit` None for the
    /// scheduler's bookkeeping (SLA state) that changes nothing a person did.
    async fn change_report(&self, change: &ReportChange, audit: Option<AuditEvent>) -> StoreResult<()>;

    /// An inbox, soonest deadline first.
    async fn report_inbox(&self, query: &InboxQuery) -> StoreResult<Vec<Report>>;
    /// Open reports whose deadline passed and were escalated, within a region.
    async fn escalated_reports(&self, region: &str, limit: i64) -> StoreResult<Vec<Report>>;
    async fn public_reports(&self, query: &PublicQuery) -> StoreResult<Vec<Report>>;
    async fn reports_of_resident(&self, resident_id: i64, limit: i64) -> StoreResult<Vec<Report>>;
    /// Open reports with a deadline on or before `by`, oldest deadline first (the scheduler).
    async fn reports_due_by(&self, by: chrono::NaiveDate, limit: i64) -> StoreResult<Vec<Report>>;
    async fn export_reports(&self, query: &ExportQuery) -> StoreResult<Vec<Report>>;
    /// Figures per handler (`by_handler`) or per village, for reports received since `since`.
    /// Figures per handler and per village for reports received since `since`, in one pass.
    async fn report_scores(&self, since: DateTime<Utc>) -> StoreResult<Scores>;
    async fn count_reports(&self) -> StoreResult<i64>;
}

/// Fewer matches than this and a search reads its matches through the full-text index.
pub(crate) const RARE_MATCHES: i64 = 1000;

/// `(exact, like-pattern)` for a region and everything below it.
pub(crate) fn region_patterns(region: &Option<String>) -> (Option<String>, Option<String>) {
    match region {
        Some(code) => (Some(code.clone()), Some(format!("{code}.%"))),
        None => (None, None),
    }
}

/// A person's search words as an FTS5 query: each word quoted (so operators and punctuation in
/// the input are just text), all required. None when nothing searchable is left.
pub fn fts5_query(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(8)
        .map(|w| format!("\"{}\"", w.to_lowercase()))
        .collect();
    if words.is_empty() { None } else { Some(words.join(" ")) }
}

macro_rules! report_columns {
    () => {
        "code, public_id, kind, category, region_code, title, public_title, description, address, latitude, longitude, \
         reporter_name, reporter_email, reporter_phone, resident_id, anonymous, confidential, channel, state, handler, \
         tier, received_at, verify_due, verified_at, verified_on_time, disposed_at, respond_due, complete_due, \
         first_response_at, answered_on_time, closed_at, done_working_days, due_on, sla_state, reminded_for, \
         escalated_for, rating, rating_note, reopened, listed, idempotency_key, updated_at"
    };
}

/// Filters shared by the public list with and without search: `$1`/`$2` region, `$3` handler,
/// `$4`/`$5` received from/until, `$6` category, `$7` closed.
macro_rules! public_filter {
    () => {
        " FROM reports WHERE listed AND ($1 IS NULL OR region_code = $1 OR region_code LIKE $2) \
          AND ($3 IS NULL OR handler = $3) AND ($4 IS NULL OR received_at >= $4) \
          AND ($5 IS NULL OR received_at < $5) AND ($6 IS NULL OR category = $6) \
          AND ($7 IS NULL OR (state = 'selesai') = $7)"
    };
}

/// Stamps out `ReportRepo` for one backend. `$search` is the backend's clause matching `$8`
/// against the full-text index; `$terms` turns a person's words into what `$8` expects;
/// `$rare_check` is, where the planner needs it, a statement counting matches (at most
/// [`RARE_MATCHES`]) through the full-text index.
macro_rules! impl_report_repo {
    ($store:ty, $db:ty, $search:literal, $terms:path, $rare_check:expr) => {
        use $crate::reports::*;

        async fn insert_report_event(
            tx: &mut sqlx::Transaction<'static, $db>,
            code: &str,
            e: &ReportEvent,
        ) -> StoreResult<()> {
            sqlx::query(
                "INSERT INTO report_events (report_code, at, party, actor_name, action, from_state, to_state, body, \
                 visibility) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(code)
            .bind(e.at)
            .bind(&e.party)
            .bind(&e.actor_name)
            .bind(&e.action)
            .bind(&e.from_state)
            .bind(&e.to_state)
            .bind(&e.body)
            .bind(&e.visibility)
            .execute(&mut **tx)
            .await?;
            Ok(())
        }

        #[async_trait::async_trait]
        impl ReportRepo for $store {
            async fn report_categories(&self) -> StoreResult<Vec<ReportCategory>> {
                Ok(sqlx::query_as(
                    "SELECT slug, name, tier, active, position FROM report_categories ORDER BY position, name",
                )
                .fetch_all(&self.pool)
                .await?)
            }

            async fn save_report_categories(&self, categories: &[ReportCategory], audit: AuditEvent) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                for c in categories {
                    sqlx::query(
                        "INSERT INTO report_categories (slug, name, tier, active, position, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (slug) DO UPDATE SET name = excluded.name, \
                         tier = excluded.tier, active = excluded.active, position = excluded.position, \
                         updated_at = excluded.updated_at",
                    )
                    .bind(&c.slug)
                    .bind(&c.name)
                    .bind(&c.tier)
                    .bind(c.active)
                    .bind(c.position)
                    .bind(audit.at)
                    .execute(&mut *tx)
                    .await?;
                }
                append_audit(&mut tx, &audit).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn create_report(
                &self,
                r: &Report,
                event: &ReportEvent,
                files: &[NewReportFile],
                messages: &[$crate::outbox::NewMessage],
                audit: AuditEvent,
                assisted: Option<&$crate::assistance::Assistance>,
            ) -> StoreResult<Created> {
                let mut tx = self.begin_write().await?;
                let inserted = sqlx::query(concat!(
                    "INSERT INTO reports (",
                    report_columns!(),
                    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, \
                     $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36, $37, $38, \
                     $39, $40, $41, $42) ON CONFLICT (idempotency_key) DO NOTHING"
                ))
                .bind(&r.code)
                .bind(&r.public_id)
                .bind(&r.kind)
                .bind(&r.category)
                .bind(&r.region_code)
                .bind(&r.title)
                .bind(&r.public_title)
                .bind(&r.description)
                .bind(&r.address)
                .bind(r.latitude)
                .bind(r.longitude)
                .bind(&r.reporter_name)
                .bind(&r.reporter_email)
                .bind(&r.reporter_phone)
                .bind(r.resident_id)
                .bind(r.anonymous)
                .bind(r.confidential)
                .bind(&r.channel)
                .bind(&r.state)
                .bind(&r.handler)
                .bind(&r.tier)
                .bind(r.received_at)
                .bind(r.verify_due)
                .bind(r.verified_at)
                .bind(r.verified_on_time)
                .bind(r.disposed_at)
                .bind(r.respond_due)
                .bind(r.complete_due)
                .bind(r.first_response_at)
                .bind(r.answered_on_time)
                .bind(r.closed_at)
                .bind(r.done_working_days)
                .bind(r.due_on)
                .bind(&r.sla_state)
                .bind(r.reminded_for)
                .bind(r.escalated_for)
                .bind(r.rating)
                .bind(&r.rating_note)
                .bind(r.reopened)
                .bind(r.listed)
                .bind(&r.idempotency_key)
                .bind(r.updated_at)
                .execute(&mut *tx)
                .await?;
                if inserted.rows_affected() == 0 {
                    tx.rollback().await?;
                    let (code,): (String,) = sqlx::query_as("SELECT code FROM reports WHERE idempotency_key = $1")
                        .bind(&r.idempotency_key)
                        .fetch_one(&self.pool)
                        .await?;
                    return Ok(Created::Duplicate(code));
                }
                insert_report_event(&mut tx, &r.code, event).await?;
                for f in files {
                    sqlx::query(
                        "INSERT INTO report_attachments (id, report_code, file_name, content_type, size_bytes, sha256, \
                         data, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(&f.id)
                    .bind(&r.code)
                    .bind(&f.file_name)
                    .bind(&f.content_type)
                    .bind(f.data.len() as i64)
                    .bind(&f.sha256)
                    .bind(&f.data)
                    .bind(r.received_at)
                    .execute(&mut *tx)
                    .await?;
                }
                insert_messages(&mut tx, messages, r.received_at).await?;
                insert_assistance(&mut tx, assisted).await?;
                append_audit(&mut tx, &audit).await?;
                tx.commit().await?;
                Ok(Created::Created)
            }

            async fn report(&self, code: &str) -> StoreResult<Option<Report>> {
                Ok(sqlx::query_as(concat!("SELECT ", report_columns!(), " FROM reports WHERE code = $1"))
                    .bind(code)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn report_by_public_id(&self, public_id: &str) -> StoreResult<Option<Report>> {
                Ok(sqlx::query_as(concat!("SELECT ", report_columns!(), " FROM reports WHERE public_id = $1"))
                    .bind(public_id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn report_events(&self, code: &str) -> StoreResult<Vec<ReportEvent>> {
                Ok(sqlx::query_as(
                    "SELECT at, party, actor_name, action, from_state, to_state, body, visibility FROM report_events \
                     WHERE report_code = $1 ORDER BY id",
                )
                .bind(code)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn report_files(&self, code: &str) -> StoreResult<Vec<ReportFileMeta>> {
                Ok(sqlx::query_as(
                    "SELECT id, report_code, file_name, content_type, size_bytes, sha256, created_at \
                     FROM report_attachments WHERE report_code = $1 ORDER BY created_at, id",
                )
                .bind(code)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn report_file(&self, id: &str) -> StoreResult<Option<(ReportFileMeta, Vec<u8>)>> {
                let row: Option<(String, String, String, String, i64, String, DateTime<Utc>, Vec<u8>)> =
                    sqlx::query_as(
                        "SELECT id, report_code, file_name, content_type, size_bytes, sha256, created_at, data \
                         FROM report_attachments WHERE id = $1",
                    )
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(row.map(|(id, report_code, file_name, content_type, size_bytes, sha256, created_at, data)| {
                    (ReportFileMeta { id, report_code, file_name, content_type, size_bytes, sha256, created_at }, data)
                }))
            }

            async fn change_report(&self, change: &ReportChange, audit: Option<AuditEvent>) -> StoreResult<()> {
                let r = &change.report;
                let mut tx = self.begin_write().await?;
                let done = sqlx::query(
                    "UPDATE reports SET public_title = $1, anonymous = $2, confidential = $3, state = $4, \
                     handler = $5, tier = $6, verified_at = $7, verified_on_time = $8, disposed_at = $9, \
                     respond_due = $10, complete_due = $11, first_response_at = $12, answered_on_time = $13, \
                     closed_at = $14, done_working_days = $15, due_on = $16, sla_state = $17, reminded_for = $18, \
                     escalated_for = $19, rating = $20, rating_note = $21, reopened = $22, listed = $23, \
                     updated_at = $24, verify_due = $25 WHERE code = $26 AND updated_at = $27",
                )
                .bind(&r.public_title)
                .bind(r.anonymous)
                .bind(r.confidential)
                .bind(&r.state)
                .bind(&r.handler)
                .bind(&r.tier)
                .bind(r.verified_at)
                .bind(r.verified_on_time)
                .bind(r.disposed_at)
                .bind(r.respond_due)
                .bind(r.complete_due)
                .bind(r.first_response_at)
                .bind(r.answered_on_time)
                .bind(r.closed_at)
                .bind(r.done_working_days)
                .bind(r.due_on)
                .bind(&r.sla_state)
                .bind(r.reminded_for)
                .bind(r.escalated_for)
                .bind(r.rating)
                .bind(&r.rating_note)
                .bind(r.reopened)
                .bind(r.listed)
                .bind(r.updated_at)
                .bind(r.verify_due)
                .bind(&r.code)
                .bind(change.expected_updated_at)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::Conflict(format!("report {} changed meanwhile", r.code)));
                }
                if let Some(event) = &change.event {
                    insert_report_event(&mut tx, &r.code, event).await?;
                }
                // Due when the change happened (`updated_at` may be a tick later, to stay unique).
                let at = change.event.as_ref().map_or(r.updated_at, |e| e.at);
                insert_messages(&mut tx, &change.messages, at).await?;
                if let Some(audit) = &audit {
                    append_audit(&mut tx, audit).await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn report_inbox(&self, q: &InboxQuery) -> StoreResult<Vec<Report>> {
                let (exact, like) = region_patterns(&q.region);
                let mut rows: Vec<Report> = Vec::new();
                for state in &q.states {
                    let mut part: Vec<Report> = sqlx::query_as(concat!(
                        "SELECT ",
                        report_columns!(),
                        " FROM reports WHERE state = $1 AND ($2 IS NULL OR region_code = $2 OR region_code LIKE $3) \
                         AND ($4 IS NULL OR handler = $4) ORDER BY due_on, received_at LIMIT $5"
                    ))
                    .bind(state)
                    .bind(&exact)
                    .bind(&like)
                    .bind(&q.handler)
                    .bind(q.limit)
                    .fetch_all(&self.pool)
                    .await?;
                    rows.append(&mut part);
                }
                rows.sort_by(|a, b| (a.due_on.is_none(), a.due_on, a.received_at).cmp(&(b.due_on.is_none(), b.due_on, b.received_at)));
                rows.truncate(q.limit.max(0) as usize);
                Ok(rows)
            }

            async fn escalated_reports(&self, region: &str, limit: i64) -> StoreResult<Vec<Report>> {
                Ok(sqlx::query_as(concat!(
                    "SELECT ",
                    report_columns!(),
                    " FROM reports WHERE escalated_for IS NOT NULL AND escalated_for = due_on \
                     AND (region_code = $1 OR region_code LIKE $2) ORDER BY due_on LIMIT $3"
                ))
                .bind(region)
                .bind(format!("{region}.%"))
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn public_reports(&self, q: &PublicQuery) -> StoreResult<Vec<Report>> {
                let (exact, like) = region_patterns(&q.region);
                let search = q.text.as_deref().and_then($terms);
                match search {
                    None => Ok(sqlx::query_as(concat!(
                        "SELECT ",
                        report_columns!(),
                        public_filter!(),
                        " ORDER BY received_at DESC LIMIT $8 OFFSET $9"
                    ))
                    .bind(&exact)
                    .bind(&like)
                    .bind(&q.handler)
                    .bind(q.from)
                    .bind(q.until)
                    .bind(&q.category)
                    .bind(q.closed)
                    .bind(q.limit)
                    .bind(q.offset)
                    .fetch_all(&self.pool)
                    .await?),
                    Some(terms) => {
                        let query = || {
                            sqlx::query_as::<_, Report>(concat!(
                                "SELECT ",
                                report_columns!(),
                                public_filter!(),
                                " AND ",
                                $search,
                                " ORDER BY received_at DESC LIMIT $9 OFFSET $10"
                            ))
                            .bind(&exact)
                            .bind(&like)
                            .bind(&q.handler)
                            .bind(q.from)
                            .bind(q.until)
                            .bind(&q.category)
                            .bind(q.closed)
                            .bind(&terms)
                            .bind(q.limit)
                            .bind(q.offset)
                        };
                        let Some(count_sql) = $rare_check else { return Ok(query().fetch_all(&self.pool).await?) };
                        // The planner cannot know how many reports a word matches, and walking the
                        // newest first for a word that (nearly) never occurs reads the whole table.
                        // So count up to 1,000 matches through the full-text index; below that, the
                        // matches are read through that index and sorted, above it the newest-first
                        // walk finds a page at once.
                        let mut tx = self.pool.begin().await?;
                        sqlx::query("SET LOCAL enable_indexscan = off").execute(&mut *tx).await?;
                        sqlx::query("SET LOCAL enable_seqscan = off").execute(&mut *tx).await?;
                        let (matches,): (i64,) = sqlx::query_as(count_sql).bind(&terms).fetch_one(&mut *tx).await?;
                        if matches >= RARE_MATCHES {
                            sqlx::query("SET LOCAL enable_indexscan = on").execute(&mut *tx).await?;
                            sqlx::query("SET LOCAL enable_seqscan = on").execute(&mut *tx).await?;
                        }
                        let rows = query().fetch_all(&mut *tx).await?;
                        tx.commit().await?;
                        Ok(rows)
                    }
                }
            }

            async fn reports_of_resident(&self, resident_id: i64, limit: i64) -> StoreResult<Vec<Report>> {
                Ok(sqlx::query_as(concat!(
                    "SELECT ",
                    report_columns!(),
                    " FROM reports WHERE resident_id = $1 ORDER BY received_at DESC LIMIT $2"
                ))
                .bind(resident_id)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn reports_due_by(&self, by: chrono::NaiveDate, limit: i64) -> StoreResult<Vec<Report>> {
                Ok(sqlx::query_as(concat!(
                    "SELECT ",
                    report_columns!(),
                    " FROM reports WHERE state IN ('diterima', 'didisposisikan', 'ditindaklanjuti') \
                     AND due_on <= $1 AND (escalated_for IS NULL OR escalated_for <> due_on) \
                     ORDER BY due_on LIMIT $2"
                ))
                .bind(by)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn export_reports(&self, q: &ExportQuery) -> StoreResult<Vec<Report>> {
                let (exact, like) = region_patterns(&q.region);
                Ok(sqlx::query_as(concat!(
                    "SELECT ",
                    report_columns!(),
                    " FROM reports WHERE ($1 IS NULL OR received_at >= $1) AND ($2 IS NULL OR received_at < $2) \
                     AND ($3 IS NULL OR region_code = $3 OR region_code LIKE $4) AND ($5 IS NULL OR handler = $5) \
                     AND ($6 IS NULL OR state = $6) ORDER BY received_at LIMIT $7"
                ))
                .bind(q.from)
                .bind(q.until)
                .bind(&exact)
                .bind(&like)
                .bind(&q.handler)
                .bind(&q.state)
                .bind(q.limit)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn report_scores(&self, since: DateTime<Utc>) -> StoreResult<$crate::reports::Scores> {
                // One scan of the year, grouped finely; both views are folded from it.
                let groups: Vec<$crate::reports::ScoreGroup> = sqlx::query_as(
                    "SELECT handler, region_code, done_working_days, COUNT(*), COUNT(verified_at), \
                     SUM(CASE WHEN verified_on_time THEN 1 ELSE 0 END), COUNT(first_response_at), \
                     SUM(CASE WHEN answered_on_time THEN 1 ELSE 0 END) \
                     FROM reports WHERE received_at >= $1 GROUP BY handler, region_code, done_working_days",
                )
                .bind(since)
                .fetch_all(&self.pool)
                .await?;
                Ok($crate::reports::fold_scores(groups))
            }

            async fn count_reports(&self) -> StoreResult<i64> {
                let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM reports").fetch_one(&self.pool).await?;
                Ok(n)
            }
        }
    };
}

/// A person's search words for PostgreSQL's `plainto_tsquery` (which ignores operators itself).
pub fn pg_search_text(text: &str) -> Option<String> {
    let text: String = text.chars().take(200).collect();
    if text.trim().is_empty() { None } else { Some(text.trim().to_string()) }
}

pub(crate) use {impl_report_repo, public_filter, report_columns};

#[cfg(test)]
mod score_tests {
    use super::*;

    #[test]
    fn one_scan_folds_into_handlers_and_villages() {
        let v1 = "32.07.06.2001".to_string();
        let v2 = "32.07.06.2002".to_string();
        let pupr = Some("opd:dinas-pupr".to_string());
        let groups: Vec<ScoreGroup> = vec![
            (pupr.clone(), v1.clone(), Some(3), 2, 2, Some(2), 2, Some(1)),
            (pupr.clone(), v2.clone(), Some(3), 1, 1, Some(0), 1, Some(1)),
            (pupr.clone(), v2.clone(), None, 4, 4, Some(4), 0, None),
            (None, v1.clone(), None, 5, 0, None, 0, None),
        ];
        let scores = fold_scores(groups);
        assert_eq!(scores.by_handler.len(), 1);
        let h = &scores.by_handler[0];
        assert_eq!(
            (h.total, h.verified, h.verified_on_time, h.answered, h.answered_on_time, h.done),
            (7, 7, 6, 3, 2, 3)
        );
        assert_eq!(h.done_days, vec![(3, 3)]);
        let keys: Vec<&str> = scores.by_village.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(keys, ["32.07.06.2001", "32.07.06.2002"]);
        assert_eq!((scores.by_village[0].total, scores.by_village[0].done), (7, 2));
        assert_eq!((scores.by_village[1].total, scores.by_village[1].verified_on_time), (5, 4));
    }
}
