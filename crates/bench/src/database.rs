//! The run's own throw-away database: a temporary SQLite file or a new PostgreSQL database.

use anyhow::{Context, bail};
use balai_store::Backend;
use sqlx::Connection;

/// Where the run's database lives, and how to get rid of it afterwards.
pub(crate) enum BenchDatabase {
    TempSqlite { url: String, _dir: tempfile::TempDir },
    Sqlite { url: String },
    Postgres { url: String, admin_url: String, name: String },
}

impl BenchDatabase {
    pub(crate) async fn create(requested: Option<&str>) -> anyhow::Result<Self> {
        let Some(url) = requested else {
            let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
            let url = format!("sqlite://{}", dir.path().join("bench.db").display());
            return Ok(BenchDatabase::TempSqlite { url, _dir: dir });
        };
        match balai_store::backend_of(url)? {
            Backend::Sqlite => {
                let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
                let path = path.split('?').next().unwrap_or(path);
                if std::path::Path::new(path).exists() {
                    bail!("{path} exists: the benchmark seeds demo data, so it only runs on a new SQLite file");
                }
                Ok(BenchDatabase::Sqlite { url: url.to_string() })
            }
            Backend::Postgres => {
                let name = format!("balai_bench_{:016x}", rand::random::<u64>());
                let mut admin = sqlx::PgConnection::connect(url)
                    .await
                    .with_context(|| format!("cannot connect to {}", balai_store::redact_url(url)))?;
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut admin)
                    .await
                    .with_context(|| format!("cannot create the database {name}"))?;
                admin.close().await.ok();
                Ok(BenchDatabase::Postgres {
                    url: balai_store::with_database(url, &name),
                    admin_url: url.to_string(),
                    name,
                })
            }
        }
    }

    pub(crate) fn url(&self) -> &str {
        match self {
            BenchDatabase::TempSqlite { url, .. }
            | BenchDatabase::Sqlite { url }
            | BenchDatabase::Postgres { url, .. } => url,
        }
    }

    pub(crate) fn describe(&self) -> String {
        match self {
            BenchDatabase::TempSqlite { .. } => "sqlite (temporary file, deleted afterwards)".into(),
            BenchDatabase::Sqlite { url } => format!("sqlite ({})", balai_store::redact_url(url)),
            BenchDatabase::Postgres { url, .. } => {
                format!("postgres ({}, dropped afterwards)", balai_store::redact_url(url))
            }
        }
    }

    pub(crate) fn backend(&self) -> &'static str {
        match self {
            BenchDatabase::Postgres { .. } => "postgres",
            _ => "sqlite",
        }
    }

    /// Drops the PostgreSQL database (FORCE: the app's pool may still be closing its connections).
    pub(crate) async fn remove(self) -> anyhow::Result<()> {
        if let BenchDatabase::Postgres { admin_url, name, .. } = self {
            let mut admin = sqlx::PgConnection::connect(&admin_url).await?;
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                .execute(&mut admin)
                .await
                .with_context(|| format!("cannot drop the benchmark database {name}"))?;
            admin.close().await.ok();
        }
        Ok(())
    }
}
