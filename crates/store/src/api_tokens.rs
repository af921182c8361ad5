//! Bearer tokens for the REST API: one per staff member and purpose. Only the SHA-256 of a token
//! is stored; the token itself is shown once when it is made.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{AuditEvent, StoreResult};

/// A token as listed (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiTokenInfo {
    pub token_hash: String,
    pub user_id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[async_trait]
pub trait ApiTokenRepo: Send + Sync {
    async fn create_api_token(&self, token_hash: &str, user_id: i64, name: &str, audit: AuditEvent) -> StoreResult<()>;
    /// The active staff member a live token belongs to.
    async fn api_token_user(&self, token_hash: &str) -> StoreResult<Option<i64>>;
    async fn api_tokens_of(&self, user_id: i64) -> StoreResult<Vec<ApiTokenInfo>>;
    /// `Conflict` when the token is unknown, someone else's, or already revoked.
    async fn revoke_api_token(&self, token_hash: &str, user_id: i64, audit: AuditEvent) -> StoreResult<()>;
}

/// Stamps out `ApiTokenRepo` for one backend (after `impl_store!`, whose `append_audit` it uses).
macro_rules! impl_api_token_repo {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::api_tokens::ApiTokenRepo for $store {
            async fn create_api_token(
                &self,
                token_hash: &str,
                user_id: i64,
                name: &str,
                audit: AuditEvent,
            ) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                append_audit(&mut tx, &audit).await?;
                sqlx::query("INSERT INTO api_tokens (token_hash, user_id, name, created_at) VALUES ($1, $2, $3, $4)")
                    .bind(token_hash)
                    .bind(user_id)
                    .bind(name)
                    .bind(audit.at)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn api_token_user(&self, token_hash: &str) -> StoreResult<Option<i64>> {
                let row: Option<(i64,)> = sqlx::query_as(
                    "SELECT u.id FROM api_tokens t JOIN users u ON u.id = t.user_id \
                     WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active",
                )
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(|(id,)| id))
            }

            async fn api_tokens_of(&self, user_id: i64) -> StoreResult<Vec<$crate::api_tokens::ApiTokenInfo>> {
                Ok(sqlx::query_as(
                    "SELECT token_hash, user_id, name, created_at, revoked_at FROM api_tokens WHERE user_id = $1 \
                     ORDER BY created_at",
                )
                .bind(user_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn revoke_api_token(&self, token_hash: &str, user_id: i64, audit: AuditEvent) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                append_audit(&mut tx, &audit).await?;
                let done = sqlx::query(
                    "UPDATE api_tokens SET revoked_at = $1 WHERE token_hash = $2 AND user_id = $3 \
                     AND revoked_at IS NULL",
                )
                .bind(audit.at)
                .bind(token_hash)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::Conflict("no such live token".into()));
                }
                tx.commit().await?;
                Ok(())
            }
        }
    };
}

pub(crate) use impl_api_token_repo;
