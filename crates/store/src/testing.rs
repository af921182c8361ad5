//! Throw-away databases for tests: a temporary SQLite file by default, or a fresh database on the
//! PostgreSQL server that `TEST_DATABASE_URL` names.

use std::sync::Arc;

use rand::Rng;
use sqlx::Connection;

use crate::{ConnectOptions, Store};

/// A database that lives as long as this value (the SQLite file is deleted on drop; PostgreSQL
/// test databases live in a throw-away cluster).
pub struct TestDatabase {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

/// The backend the test suite runs on, from `TEST_DATABASE_URL`.
pub fn test_backend() -> crate::Backend {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => crate::Backend::Postgres,
        _ => crate::Backend::Sqlite,
    }
}

pub async fn fresh_database() -> TestDatabase {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(base) if base.starts_with("postgres") => {
            let name = format!("balai_t_{:016x}", rand::rng().random::<u64>());
            let mut admin = sqlx::PgConnection::connect(&base).await.expect("connect to TEST_DATABASE_URL");
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut admin)
                .await
                .expect("create test database");
            admin.close().await.ok();
            TestDatabase { url: crate::with_database(&base, &name), _dir: None }
        }
        _ => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}", dir.path().join("balai.db").display());
            TestDatabase { url, _dir: Some(dir) }
        }
    }
}

/// A migrated store on a fresh database.
pub async fn fresh_store() -> (Arc<dyn Store>, TestDatabase) {
    let db = fresh_database().await;
    let store = crate::connect(&db.url, &ConnectOptions::default()).await.expect("connect test store");
    store.migrate().await.expect("migrate test store");
    (store, db)
}

/// Runs raw SQL against a test database behind the store's back, as an intruder with database
/// access would (to prove that tampering is detected).
pub async fn try_execute_raw(url: &str, sql: &str) -> Result<(), sqlx::Error> {
    if url.starts_with("postgres") {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string())).execute(&mut conn).await?;
    } else {
        let mut conn = sqlx::SqliteConnection::connect(url).await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string())).execute(&mut conn).await?;
    }
    Ok(())
}

pub async fn execute_raw(url: &str, sql: &str) {
    try_execute_raw(url, sql).await.expect("raw sql");
}
