//! PostgreSQL: the production database, shared by several stateless app instances.

use std::str::FromStr;

use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};

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

/// The oldest server we test against (Debian 12 ships 15; 13 has everything we use).
const MIN_SERVER_VERSION: u32 = 13;

pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// A transaction (PostgreSQL's row locks and constraints do the ordering).
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error> {
        self.pool.begin().await
    }

    const BACKEND: crate::Backend = crate::Backend::Postgres;

    pub async fn connect(url: &str, options: &crate::ConnectOptions) -> crate::StoreResult<Self> {
        let connect_options = PgConnectOptions::from_str(url)
            .map_err(|_| crate::StoreError::UnsupportedUrl(crate::redact_url(url)))?
            // Plan every query for its parameters: our statements are prepared once and reused,
            // and a generic plan cannot tell a rare search word (use the full-text index) from
            // a common one (walk the newest first), nor drop an `$1 IS NULL OR …` filter.
            .options([("plan_cache_mode", "force_custom_plan")]);
        // One direct attempt first: the pool would only report a timeout, not why it failed
        // (connection refused, authentication, unknown database).
        let probe = tokio::time::timeout(options.acquire_timeout, PgConnection::connect_with(&connect_options)).await;
        match probe {
            Ok(Ok(conn)) => conn.close().await.map_err(crate::StoreError::Unavailable)?,
            Ok(Err(e)) => return Err(crate::StoreError::Unavailable(e)),
            Err(_) => return Err(crate::StoreError::Unavailable(sqlx::Error::PoolTimedOut)),
        }
        let pool = PgPoolOptions::new()
            .max_connections(options.max_connections)
            .acquire_timeout(options.acquire_timeout)
            .connect_with(connect_options)
            .await
            .map_err(crate::StoreError::Unavailable)?;
        let (version,): (String,) = sqlx::query_as("SHOW server_version_num").fetch_one(&pool).await?;
        let major = version.parse::<u32>().unwrap_or(0) / 10_000;
        if major < MIN_SERVER_VERSION {
            return Err(crate::StoreError::ServerTooOld { found: version, needed: MIN_SERVER_VERSION });
        }
        Ok(PgStore { pool })
    }

    async fn run_migrations(&self) -> crate::StoreResult<()> {
        sqlx::migrate!("./migrations/postgres").run(&self.pool).await?;
        Ok(())
    }

    async fn backup_to(&self, _dest: &std::path::Path) -> crate::StoreResult<()> {
        Err(crate::StoreError::Unsupported(
            "backup of a PostgreSQL database: use pg_dump (e.g. `pg_dump -Fc DBNAME > balai.dump`)",
        ))
    }
}

impl_store!(PgStore, sqlx::Postgres);
impl_letter_repo!(PgStore, sqlx::Postgres);
impl_resident_repo!(PgStore, sqlx::Postgres);
impl_outbox_repo!(PgStore, sqlx::Postgres);
impl_api_token_repo!(PgStore);
impl_news_repo!(PgStore);
impl_subscription_repo!(PgStore);
impl_survey_repo!(PgStore);
impl_evaluation_repo!(PgStore);
impl_readiness_repo!(PgStore);
impl_gauge_repo!(PgStore);
impl_training_repo!(PgStore);
impl_ppid_repo!(PgStore, sqlx::Postgres);
impl_assistance_repo!(PgStore, sqlx::Postgres);
impl_report_repo!(
    PgStore,
    sqlx::Postgres,
    "search @@ plainto_tsquery('simple', $8)",
    crate::reports::pg_search_text,
    Some("SELECT COUNT(*) FROM (SELECT 1 FROM reports WHERE search @@ plainto_tsquery('simple', $1) LIMIT 1000) m")
);
