use thiserror::Error;

pub type StoreResult<T> = Result<T, StoreError>;

/// What can go wrong in storage. Messages are for operators and logs (English); the app maps
/// them to words for users.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("unsupported database URL `{0}`: use sqlite://PATH (embedded) or postgres://USER@HOST/DB")]
    UnsupportedUrl(String),
    #[error("the database is unavailable")]
    Unavailable(#[source] sqlx::Error),
    /// The disk under the database is full (SQLite `SQLITE_FULL`, PostgreSQL `53100`, `ENOSPC`):
    /// nothing of the failed transaction was stored.
    #[error("the database's storage is full")]
    StorageFull(#[source] sqlx::Error),
    #[error("PostgreSQL {found} is too old; Balai needs PostgreSQL {needed} or newer")]
    ServerTooOld { found: String, needed: u32 },
    #[error("already exists: {0}")]
    Conflict(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("operation not supported on this backend: {0}")]
    Unsupported(&'static str),
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    #[error("rejected: {0}")]
    Rejected(String),
    #[error("migration failed")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error")]
    Database(#[source] sqlx::Error),
}

impl StoreError {
    /// A stable snake_case code for each kind of failure.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::UnsupportedUrl(_) => "unsupported_database_url",
            StoreError::Unavailable(_) => "database_unavailable",
            StoreError::StorageFull(_) => "storage_full",
            StoreError::ServerTooOld { .. } => "database_too_old",
            StoreError::Conflict(_) => "conflict",
            StoreError::NotFound(_) => "not_found",
            StoreError::Unsupported(_) => "unsupported",
            StoreError::Corrupt(_) => "corrupt_data",
            StoreError::Rejected(_) => "rejected",
            StoreError::Migrate(_) => "migration_failed",
            StoreError::Database(_) => "database_error",
        }
    }

    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Unavailable(_))
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            _ if is_storage_full(&err) => StoreError::StorageFull(err),
            sqlx::Error::Io(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed => StoreError::Unavailable(err),
            // PostgreSQL classes 08 (connection exception), 53 (insufficient resources, e.g. too
            // many connections) and 57 (operator intervention, e.g. a server shutting down): the
            // database is unavailable, the query was not wrong.
            sqlx::Error::Database(db)
                if db.code().is_some_and(|c| ["08", "53", "57"].iter().any(|k| c.starts_with(k))) =>
            {
                StoreError::Unavailable(err)
            }
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(db.message().to_string()),
            _ => StoreError::Database(err),
        }
    }
}

/// Whether the database refused a write because its disk is full: SQLite's primary result code
/// `SQLITE_FULL` (13, whatever the extended code), PostgreSQL's `disk_full` (53100), or an I/O
/// error `ENOSPC` on the way.
fn is_storage_full(err: &sqlx::Error) -> bool {
    const SQLITE_FULL: i32 = 13;
    match err {
        sqlx::Error::Io(io) => io.kind() == std::io::ErrorKind::StorageFull,
        sqlx::Error::Database(db) => match db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
            Some(pg) => pg.code() == "53100",
            None => {
                db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some()
                    && db.code().and_then(|c| c.parse::<i32>().ok()).is_some_and(|c| c & 0xff == SQLITE_FULL)
            }
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_disk_is_its_own_error_and_not_an_outage() {
        let enospc = sqlx::Error::Io(std::io::Error::from(std::io::ErrorKind::StorageFull));
        assert_eq!(StoreError::from(enospc).code(), "storage_full");
        let refused = sqlx::Error::Io(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        assert_eq!(StoreError::from(refused).code(), "database_unavailable");
    }
}
