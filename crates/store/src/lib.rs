#![forbid(unsafe_code)]
//! Balai's storage. One [`Store`] trait, two implementations (embedded SQLite, PostgreSQL) chosen at
//! runtime from the database URL. Methods are use-case sized: each state change and its audit record
//! are written in one transaction inside the method, so transactions never leak through the trait.

pub mod api_tokens;
pub mod assistance;
mod error;
pub mod evaluation;
pub mod gauges;
pub mod letters;
mod model;
pub mod news;
pub mod outbox;
mod postgres;
pub mod ppid;
pub mod readiness;
pub mod reports;
pub mod residents;
mod shared;
mod sqlite;
pub mod subscriptions;
pub mod surveys;
#[cfg(feature = "testing")]
pub mod testing;
pub mod training;

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use balai_domain::audit::AuditRecord;
use balai_domain::calendar::Holiday;
use balai_domain::wilayah::{KodeWilayah, Region};
use chrono::{DateTime, Utc};

pub use error::{StoreError, StoreResult};
pub use model::*;

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Connection settings that are not part of the URL.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    pub max_connections: u32,
    pub acquire_timeout: std::time::Duration,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions { max_connections: 8, acquire_timeout: std::time::Duration::from_secs(5) }
    }
}

/// Opens the database the URL names: `sqlite://PATH` (created if missing) or `postgres://…`.
/// Anything else is an error: a bare path or an unknown scheme never creates an empty database.
pub async fn connect(url: &str, options: &ConnectOptions) -> StoreResult<Arc<dyn Store>> {
    match backend_of(url)? {
        Backend::Sqlite => Ok(Arc::new(sqlite::SqliteStore::connect(url, options).await?)),
        Backend::Postgres => Ok(Arc::new(postgres::PgStore::connect(url, options).await?)),
    }
}

/// The backend a database URL names, or a clear error.
pub fn backend_of(url: &str) -> StoreResult<Backend> {
    if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
        // An in-memory database would silently lose everything at exit: a file path is required.
        let path = path.split('?').next().unwrap_or("");
        if path.is_empty() || path.contains(":memory:") || url.contains("mode=memory") {
            return Err(StoreError::UnsupportedUrl(url.to_string()));
        }
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else {
        Err(StoreError::UnsupportedUrl(redact_url(url)))
    }
}

/// `postgres://u@h:p/old?x` with its database name replaced (to reach a database created on the
/// same server).
pub fn with_database(url: &str, name: &str) -> String {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let (base, query) = match url.find('?') {
        Some(q) => (&url[..q], &url[q..]),
        None => (url, ""),
    };
    let host_end = base[after_scheme..].find('/').map_or(base.len(), |i| after_scheme + i);
    format!("{}/{}{}", &base[..host_end], name, query)
}

/// The URL with any password replaced by `***`, for logs and error messages.
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else { return url.to_string() };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    match (authority.rfind('@'), authority.find(':')) {
        (Some(at), Some(colon)) if colon < at => {
            format!("{}://{}:***{}", &url[..scheme_end], &authority[..colon], &rest[at..])
        }
        _ => url.to_string(),
    }
}

/// Everything Balai keeps. Each method is one use-case-sized unit of work; a method that changes
/// state takes the [`AuditEvent`] describing it and writes both in the same transaction.
#[async_trait]
pub trait Store:
    letters::LetterRepo
    + residents::ResidentRepo
    + outbox::OutboxRepo
    + api_tokens::ApiTokenRepo
    + reports::ReportRepo
    + ppid::PpidRepo
    + assistance::AssistanceRepo
    + news::NewsRepo
    + subscriptions::SubscriptionRepo
    + surveys::SurveyRepo
    + evaluation::EvaluationRepo
    + readiness::ReadinessRepo
    + gauges::GaugeRepo
    + training::TrainingRepo
    + Send
    + Sync
    + 'static
{
    fn backend(&self) -> Backend;

    /// Applies pending migrations (forward-only).
    async fn migrate(&self) -> StoreResult<()>;
    /// A cheap round trip to the database, for health checks.
    async fn ping(&self) -> StoreResult<()>;
    /// A consistent copy of the whole database into a new file (SQLite `VACUUM INTO`).
    async fn backup(&self, dest: &Path) -> StoreResult<()>;

    // Regions.
    async fn region(&self, code: &KodeWilayah) -> StoreResult<Option<Region>>;
    /// The region and the regions above it, top first (empty when the region is unknown).
    async fn region_with_ancestors(&self, code: &KodeWilayah) -> StoreResult<Vec<Region>>;
    /// Regions without a parent (provinces).
    async fn top_regions(&self) -> StoreResult<Vec<Region>>;
    async fn region_children(&self, code: &KodeWilayah) -> StoreResult<Vec<Region>>;
    /// Every region within `root` down to `max_depth` (1 = provinsi … 4 = desa), ordered by code.
    async fn regions_within(&self, root: &KodeWilayah, max_depth: u8) -> StoreResult<Vec<Region>>;
    /// All stored regions, for planning an import against what exists.
    async fn all_regions(&self) -> StoreResult<Vec<Region>>;
    async fn count_regions(&self) -> StoreResult<i64>;
    /// Inserts or updates the given regions (parents before children) in one transaction.
    async fn upsert_regions(&self, regions: &[Region], audit: AuditEvent) -> StoreResult<()>;

    // Village profiles (the public contact details of a village office).
    async fn village_profile(&self, code: &KodeWilayah) -> StoreResult<Option<VillageProfile>>;
    async fn save_village_profile(&self, profile: &VillageProfile, audit: AuditEvent) -> StoreResult<()>;

    // Offices (OPD).
    async fn create_office(&self, office: &Office, audit: AuditEvent) -> StoreResult<()>;
    async fn office(&self, slug: &str) -> StoreResult<Option<Office>>;
    async fn offices(&self) -> StoreResult<Vec<Office>>;

    // Holidays added to the built-in national calendar.
    async fn holidays(&self) -> StoreResult<Vec<StoredHoliday>>;
    /// Inserts the holidays not yet stored (same date and name); returns how many were new.
    async fn add_holidays(&self, holidays: &[StoredHoliday], audit: AuditEvent) -> StoreResult<u64>;

    // Staff accounts.
    async fn create_user(&self, user: &NewUser, audit: AuditEvent) -> StoreResult<i64>;
    async fn user(&self, id: i64) -> StoreResult<Option<UserRecord>>;
    async fn user_by_username(&self, username: &str) -> StoreResult<Option<UserRecord>>;
    async fn users(&self) -> StoreResult<Vec<UserRecord>>;
    async fn set_password(&self, user_id: i64, password_hash: &str, audit: AuditEvent) -> StoreResult<()>;

    // Sessions, stored here so that several app instances share them.
    async fn create_session(&self, session: &NewSession, audit: AuditEvent) -> StoreResult<()>;
    /// The active user behind a session token hash, if the session exists and has not expired.
    async fn session_user(&self, token_hash: &str, now: DateTime<Utc>) -> StoreResult<Option<UserRecord>>;
    async fn delete_session(&self, token_hash: &str, audit: AuditEvent) -> StoreResult<()>;
    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> StoreResult<u64>;

    // Login throttling.
    /// Failed logins counted against `key` (an account or an IP address) since `since`.
    async fn login_failures(&self, key: &str, since: DateTime<Utc>) -> StoreResult<Vec<DateTime<Utc>>>;
    async fn record_login_failure(&self, keys: &[String], audit: AuditEvent) -> StoreResult<()>;
    async fn clear_login_failures(&self, key: &str) -> StoreResult<()>;

    // Audit trail.
    /// Records something that changes no stored state but must be on the record (an export of
    /// personal data, say).
    async fn record_audit(&self, audit: AuditEvent) -> StoreResult<()>;
    /// The chain's head: last sequence number and hash.
    async fn audit_head(&self) -> StoreResult<(i64, String)>;
    /// Records with `seq > after`, in order, at most `limit`.
    async fn audit_records(&self, after: i64, limit: i64) -> StoreResult<Vec<AuditRecord>>;
    /// The newest records about objects whose name starts with `object_prefix`.
    async fn audit_recent(&self, object_prefix: &str, limit: i64) -> StoreResult<Vec<AuditRecord>>;
}

/// Convenience for holidays as the domain sees them.
pub fn to_domain_holidays(stored: &[StoredHoliday]) -> Vec<Holiday> {
    stored.iter().map(|h| h.holiday.clone()).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn replaces_database_name() {
        assert_eq!(super::with_database("postgres://p@127.0.0.1:5432/postgres", "x"), "postgres://p@127.0.0.1:5432/x");
        assert_eq!(super::with_database("postgres://p@h/db?sslmode=disable", "y"), "postgres://p@h/y?sslmode=disable");
        assert_eq!(super::with_database("postgres://p@h", "z"), "postgres://p@h/z");
    }
}
