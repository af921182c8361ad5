//! Residents (warga) with their own accounts and sessions. A resident signs up with a NIK; the
//! village confirms it against its register, linking the account to a `penduduk` row.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::outbox::NewMessage;
use crate::{AuditEvent, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Resident {
    pub id: i64,
    pub nik: String,
    pub village_code: String,
    pub full_name: String,
    pub phone: String,
    pub email: String,
    pub password_hash: String,
    /// `menunggu` (waiting for the village), `terverifikasi` or `ditolak`.
    pub status: String,
    pub penduduk_id: Option<i64>,
    /// Why the village refused, when it did.
    pub status_note: String,
    pub created_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct NewResident {
    pub nik: String,
    pub village_code: String,
    pub full_name: String,
    pub phone: String,
    pub email: String,
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
}

/// The village's decision on a sign-up: applied only if the account is still in `from_status`.
#[derive(Debug, Clone)]
pub struct ResidentDecision {
    pub resident_id: i64,
    pub from_status: String,
    pub status: String,
    pub penduduk_id: Option<i64>,
    pub note: String,
    pub at: DateTime<Utc>,
    pub messages: Vec<NewMessage>,
}

#[async_trait]
pub trait ResidentRepo: Send + Sync {
    /// `Conflict` when an account with this NIK exists already.
    async fn create_resident(
        &self,
        resident: &NewResident,
        messages: &[NewMessage],
        audit: AuditEvent,
    ) -> StoreResult<i64>;
    async fn resident(&self, id: i64) -> StoreResult<Option<Resident>>;
    async fn resident_by_nik(&self, nik: &str) -> StoreResult<Option<Resident>>;
    /// Accounts of a village, optionally only those in `status`, oldest first.
    async fn residents_of_village(&self, village: &str, status: Option<&str>, limit: i64)
    -> StoreResult<Vec<Resident>>;
    /// `Conflict` when the account is no longer in `from_status` (someone decided first).
    async fn decide_resident(&self, decision: &ResidentDecision, audit: AuditEvent) -> StoreResult<()>;
    async fn create_resident_session(
        &self,
        token_hash: &str,
        resident_id: i64,
        expires_at: DateTime<Utc>,
        audit: AuditEvent,
    ) -> StoreResult<()>;
    async fn session_resident(&self, token_hash: &str, now: DateTime<Utc>) -> StoreResult<Option<Resident>>;
    async fn delete_resident_session(&self, token_hash: &str, audit: AuditEvent) -> StoreResult<()>;
}

macro_rules! resident_columns {
    () => {
        "id, nik, village_code, full_name, phone, email, password_hash, status, penduduk_id, status_note, \
         created_at, confirmed_at"
    };
}

/// Stamps out `ResidentRepo` for one backend (after `impl_store!` and `impl_letter_repo!`, whose
/// `append_audit` and `insert_messages` it uses).
macro_rules! impl_resident_repo {
    ($store:ty, $db:ty) => {
        use $crate::residents::*;

        #[async_trait::async_trait]
        impl ResidentRepo for $store {
            async fn create_resident(
                &self,
                r: &NewResident,
                messages: &[$crate::outbox::NewMessage],
                audit: AuditEvent,
            ) -> StoreResult<i64> {
                let mut tx = self.begin_write().await?;
                append_audit(&mut tx, &audit).await?;
                let existing: Option<(i64,)> = sqlx::query_as("SELECT id FROM residents WHERE nik = $1")
                    .bind(&r.nik)
                    .fetch_optional(&mut *tx)
                    .await?;
                if existing.is_some() {
                    return Err(StoreError::Conflict("a resident account with this NIK exists".into()));
                }
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO residents (nik, village_code, full_name, phone, email, password_hash, status, \
                     created_at) VALUES ($1, $2, $3, $4, $5, $6, 'menunggu', $7) RETURNING id",
                )
                .bind(&r.nik)
                .bind(&r.village_code)
                .bind(&r.full_name)
                .bind(&r.phone)
                .bind(&r.email)
                .bind(&r.password_hash)
                .bind(r.created_at)
                .fetch_one(&mut *tx)
                .await?;
                insert_messages(&mut tx, messages, r.created_at).await?;
                tx.commit().await?;
                Ok(id)
            }

            async fn resident(&self, id: i64) -> StoreResult<Option<Resident>> {
                Ok(sqlx::query_as(concat!("SELECT ", resident_columns!(), " FROM residents WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn resident_by_nik(&self, nik: &str) -> StoreResult<Option<Resident>> {
                Ok(sqlx::query_as(concat!("SELECT ", resident_columns!(), " FROM residents WHERE nik = $1"))
                    .bind(nik)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn residents_of_village(
                &self,
                village: &str,
                status: Option<&str>,
                limit: i64,
            ) -> StoreResult<Vec<Resident>> {
                Ok(sqlx::query_as(concat!(
                    "SELECT ",
                    resident_columns!(),
                    " FROM residents WHERE village_code = $1 AND ($2 IS NULL OR status = $2) \
                     ORDER BY created_at, id LIMIT $3"
                ))
                .bind(village)
                .bind(status)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn decide_resident(&self, d: &ResidentDecision, audit: AuditEvent) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                let done = sqlx::query(
                    "UPDATE residents SET status = $1, penduduk_id = $2, status_note = $3, confirmed_at = $4 \
                     WHERE id = $5 AND status = $6",
                )
                .bind(&d.status)
                .bind(d.penduduk_id)
                .bind(&d.note)
                .bind(d.at)
                .bind(d.resident_id)
                .bind(&d.from_status)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::Conflict(format!(
                        "resident {} is no longer {}",
                        d.resident_id, d.from_status
                    )));
                }
                insert_messages(&mut tx, &d.messages, d.at).await?;
                append_audit(&mut tx, &audit).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn create_resident_session(
                &self,
                token_hash: &str,
                resident_id: i64,
                expires_at: DateTime<Utc>,
                audit: AuditEvent,
            ) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                append_audit(&mut tx, &audit).await?;
                sqlx::query(
                    "INSERT INTO resident_sessions (token_hash, resident_id, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(token_hash)
                .bind(resident_id)
                .bind(audit.at)
                .bind(expires_at)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn session_resident(&self, token_hash: &str, now: DateTime<Utc>) -> StoreResult<Option<Resident>> {
                Ok(sqlx::query_as(concat!(
                    "SELECT r.",
                    "id, r.nik, r.village_code, r.full_name, r.phone, r.email, r.password_hash, r.status, \
                     r.penduduk_id, r.status_note, r.created_at, r.confirmed_at \
                     FROM resident_sessions s JOIN residents r ON r.id = s.resident_id \
                     WHERE s.token_hash = $1 AND s.expires_at > $2"
                ))
                .bind(token_hash)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn delete_resident_session(&self, token_hash: &str, audit: AuditEvent) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                append_audit(&mut tx, &audit).await?;
                sqlx::query("DELETE FROM resident_sessions WHERE token_hash = $1")
                    .bind(token_hash)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }
        }
    };
}

pub(crate) use {impl_resident_repo, resident_columns};
