//! Embedded SQLite: the default, one file, no setup.

use std::str::FromStr;

use sqlx::Connection;
use sqlx::pool::PoolConnectionMetadata;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::api_tokens::impl_api_token_repo;
use crate::assistance::impl_assistance_repo;
use crate::evaluation::impl_evaluation_repo;
use crate::gauges::impl_gauge_repo;
use crate::letters::impl_letter_repo;
use crate::news::impl_news_repo;
use crate::outbox::impl_outbox_repo;
use crate::ppid::impl_ppid_repo;
use crate::readiness::impl_readiness_repo;
use crate::reports::impl_report_repo;
use crate::residents::impl_resident_repo;
use crate::shared::impl_store;
use crate::subscriptions::impl_subscription_repo;
use crate::surveys::impl_survey_repo;
use crate::training::impl_training_repo;

pub struct SqliteStore {
    /// Readers (and the few single-statement writes).
    pool: SqlitePool,
    /// One connection for write transactions: SQLite has one writer at a time anyway, and waiting
    /// for this connection is a fair queue, where waiting in SQLite's busy handler means sleeping
    /// in growing steps (and losing most of the throughput under load).
    writer: SqlitePool,
}

impl SqliteStore {
    const BACKEND: crate::Backend = crate::Backend::Sqlite;

    pub async fn connect(url: &str, options: &crate::ConnectOptions) -> crate::StoreResult<Self> {
        let connect_options = SqliteConnectOptions::from_str(url)
            .map_err(|_| crate::StoreError::UnsupportedUrl(url.to_string()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(std::time::Duration::from_secs(5))
            .foreign_keys(true);
        if let Some(dir) = connect_options.get_filename().parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|e| crate::StoreError::Unavailable(sqlx::Error::Io(e)))?;
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(options.max_connections)
            .before_acquire(not_in_transaction)
            .acquire_timeout(options.acquire_timeout)
            .connect_with(connect_options.clone())
            .await
            .map_err(crate::StoreError::Unavailable)?;
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .before_acquire(not_in_transaction)
            .acquire_timeout(options.acquire_timeout)
            .connect_with(connect_options)
            .await
            .map_err(crate::StoreError::Unavailable)?;
        Ok(SqliteStore { pool, writer })
    }

    /// Every transaction here writes: it runs on the writer connection and takes SQLite's write
    /// lock at `BEGIN IMMEDIATE` (another process, such as a CLI command, then waits in the busy
    /// handler). A deferred transaction would instead fail with SQLITE_BUSY when it tried to
    /// upgrade its read snapshot after another writer committed.
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.writer.begin_with("BEGIN IMMEDIATE").await
    }

    async fn run_migrations(&self) -> crate::StoreResult<()> {
        sqlx::migrate!("./migrations/sqlite").run(&self.pool).await?;
        Ok(())
    }

    async fn backup_to(&self, dest: &std::path::Path) -> crate::StoreResult<()> {
        if dest.exists() {
            return Err(crate::StoreError::Conflict(format!("{} already exists", dest.display())));
        }
        let dest = dest.to_str().ok_or(crate::StoreError::Unsupported("a backup path that is not UTF-8"))?;
        sqlx::query("VACUUM INTO $1").bind(dest).execute(&self.pool).await?;
        Ok(())
    }
}

/// Whether a pooled connection may be reused: not when sqlx still counts a transaction on it.
/// That happens when SQLite ended the transaction itself: a COMMIT that fails on a full disk
/// (`SQLITE_FULL`) rolls back automatically, the rollback sqlx sends on drop then fails, and the
/// connection would refuse every later `BEGIN`, until a restart, long after space was freed.
/// Such a connection is closed and the pool opens a fresh one.
fn not_in_transaction(
    conn: &mut SqliteConnection,
    _: PoolConnectionMetadata,
) -> std::pin::Pin<Box<dyn Future<Output = Result<bool, sqlx::Error>> + Send + '_>> {
    let reusable = !conn.is_in_transaction();
    if !reusable {
        tracing::warn!("closing a SQLite connection left inside a transaction SQLite had already ended");
    }
    Box::pin(std::future::ready(Ok(reusable)))
}

impl_store!(SqliteStore, sqlx::Sqlite);
impl_letter_repo!(SqliteStore, sqlx::Sqlite);
impl_resident_repo!(SqliteStore, sqlx::Sqlite);
impl_outbox_repo!(SqliteStore, sqlx::Sqlite);
impl_api_token_repo!(SqliteStore);
impl_news_repo!(SqliteStore);
impl_subscription_repo!(SqliteStore);
impl_survey_repo!(SqliteStore);
impl_evaluation_repo!(SqliteStore);
impl_readiness_repo!(SqliteStore);
impl_gauge_repo!(SqliteStore);
impl_training_repo!(SqliteStore);
impl_ppid_repo!(SqliteStore, sqlx::Sqlite);
impl_assistance_repo!(SqliteStore, sqlx::Sqlite);
impl_report_repo!(
    SqliteStore,
    sqlx::Sqlite,
    "rowid IN (SELECT rowid FROM reports_fts WHERE reports_fts MATCH $8)",
    crate::reports::fts5_query,
    None::<&str>
);
