//! The message outbox: messages to residents are written in the same transaction as the change
//! they tell about, so a change is never lost without its message nor a message sent for a change
//! that rolled back. A worker delivers them later.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::StoreResult;

/// A message to queue. `channel` is `email`, `whatsapp` or `sms`; `topic` names what it is about
/// (for example `surat:{request id}`), so staff can see the delivery status next to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub topic: String,
}

/// A queued message as stored, with its delivery state.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OutboxMessage {
    pub id: i64,
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub topic: String,
    /// `pending`, `sent` or `failed` (gave up after the last retry).
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: String,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// How many messages are in each state, for the staff overview.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MessageCounts {
    pub pending: i64,
    pub sent: i64,
    pub failed: i64,
}

#[async_trait]
pub trait OutboxRepo: Send + Sync {
    /// The messages about `topic`, oldest first (for staff: was the resident told?).
    async fn messages_about(&self, topic: &str) -> StoreResult<Vec<OutboxMessage>>;

    /// Queues messages that belong to no other state change (system notices), due at `at`.
    async fn enqueue_messages(&self, messages: &[NewMessage], at: DateTime<Utc>) -> StoreResult<()>;

    /// Takes up to `limit` due messages for delivery, oldest first: `pending`, due by `now` and not
    /// leased to another worker (or their lease ran out). Each is leased until `lease_until` and
    /// its attempt counted. Atomic across workers and app instances: no message is claimed twice
    /// while its lease runs (PostgreSQL skips rows other workers are claiming; SQLite has one
    /// writer).
    async fn claim_messages(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> StoreResult<Vec<OutboxMessage>>;

    /// Records a delivery: `sent` at `at`, lease released. `NotFound` for an unknown id.
    async fn mark_sent(&self, id: i64, at: DateTime<Utc>) -> StoreResult<()>;

    /// Records a failed attempt and its error, and releases the lease. `Some(time)`: try again
    /// then (the message stays `pending`); `None`: give up (`failed`). `NotFound` when the message
    /// is not pending (unknown, or already sent or given up).
    async fn mark_failed_attempt(
        &self,
        id: i64,
        error: &str,
        next_attempt_at: Option<DateTime<Utc>>,
    ) -> StoreResult<()>;

    /// The newest messages first, for the staff overview.
    async fn recent_messages(&self, limit: i64) -> StoreResult<Vec<OutboxMessage>>;

    /// How many messages are pending, sent and failed.
    async fn message_counts(&self) -> StoreResult<MessageCounts>;
}

macro_rules! outbox_columns {
    () => {
        "id, channel, recipient, subject, body, topic, status, attempts, next_attempt_at, last_error, created_at, \
         sent_at"
    };
}

/// The claim statement without its row-locking clause: `$1` lease end, `$2` now, `$3` limit.
/// `$lock` is `FOR UPDATE SKIP LOCKED` on PostgreSQL (concurrent claimers skip each other's
/// rows instead of waiting and then claiming them again) and empty on SQLite, where the single
/// statement is atomic because SQLite has one writer at a time.
macro_rules! claim_sql {
    ($lock:literal) => {
        concat!(
            "UPDATE outbox SET locked_until = $1, attempts = attempts + 1 WHERE id IN (",
            "SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $2 ",
            "AND (locked_until IS NULL OR locked_until < $2) ORDER BY id LIMIT $3",
            $lock,
            ") RETURNING ",
            $crate::outbox::outbox_columns!()
        )
    };
}

pub(crate) const CLAIM_SQL_POSTGRES: &str = claim_sql!(" FOR UPDATE SKIP LOCKED");
pub(crate) const CLAIM_SQL_SQLITE: &str = claim_sql!("");

/// Stamps out `OutboxRepo` for one backend. The store type provides `BACKEND` and a `pool`
/// field; the module also has `insert_messages` (from `impl_outbox_insert!`, via the letter repo).
macro_rules! impl_outbox_repo {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::outbox::OutboxRepo for $store {
            async fn messages_about(&self, topic: &str) -> StoreResult<Vec<$crate::outbox::OutboxMessage>> {
                Ok(sqlx::query_as(concat!(
                    "SELECT ",
                    $crate::outbox::outbox_columns!(),
                    " FROM outbox WHERE topic = $1 ORDER BY id"
                ))
                .bind(topic)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn enqueue_messages(
                &self,
                messages: &[$crate::outbox::NewMessage],
                at: chrono::DateTime<chrono::Utc>,
            ) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                insert_messages(&mut tx, messages, at).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn claim_messages(
                &self,
                now: chrono::DateTime<chrono::Utc>,
                lease_until: chrono::DateTime<chrono::Utc>,
                limit: i64,
            ) -> StoreResult<Vec<$crate::outbox::OutboxMessage>> {
                let sql = match <$store>::BACKEND {
                    $crate::Backend::Postgres => $crate::outbox::CLAIM_SQL_POSTGRES,
                    $crate::Backend::Sqlite => $crate::outbox::CLAIM_SQL_SQLITE,
                };
                let mut claimed: Vec<$crate::outbox::OutboxMessage> =
                    sqlx::query_as(sql).bind(lease_until).bind(now).bind(limit).fetch_all(&self.pool).await?;
                // `RETURNING` promises no order.
                claimed.sort_by_key(|m| m.id);
                Ok(claimed)
            }

            async fn mark_sent(&self, id: i64, at: chrono::DateTime<chrono::Utc>) -> StoreResult<()> {
                let done =
                    sqlx::query("UPDATE outbox SET status = 'sent', sent_at = $2, locked_until = NULL WHERE id = $1")
                        .bind(id)
                        .bind(at)
                        .execute(&self.pool)
                        .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound(format!("message {id}")));
                }
                Ok(())
            }

            async fn mark_failed_attempt(
                &self,
                id: i64,
                error: &str,
                next_attempt_at: Option<chrono::DateTime<chrono::Utc>>,
            ) -> StoreResult<()> {
                let done = match next_attempt_at {
                    Some(next) => {
                        sqlx::query(
                            "UPDATE outbox SET next_attempt_at = $2, last_error = $3, locked_until = NULL \
                             WHERE id = $1 AND status = 'pending'",
                        )
                        .bind(id)
                        .bind(next)
                        .bind(error)
                        .execute(&self.pool)
                        .await?
                    }
                    None => {
                        sqlx::query(
                            "UPDATE outbox SET status = 'failed', last_error = $2, locked_until = NULL \
                             WHERE id = $1 AND status = 'pending'",
                        )
                        .bind(id)
                        .bind(error)
                        .execute(&self.pool)
                        .await?
                    }
                };
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound(format!("pending message {id}")));
                }
                Ok(())
            }

            async fn recent_messages(&self, limit: i64) -> StoreResult<Vec<$crate::outbox::OutboxMessage>> {
                Ok(sqlx::query_as(concat!(
                    "SELECT ",
                    $crate::outbox::outbox_columns!(),
                    " FROM outbox ORDER BY id DESC LIMIT $1"
                ))
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn message_counts(&self) -> StoreResult<$crate::outbox::MessageCounts> {
                let rows: Vec<(String, i64)> =
                    sqlx::query_as("SELECT status, COUNT(*) FROM outbox GROUP BY status").fetch_all(&self.pool).await?;
                let mut counts = $crate::outbox::MessageCounts::default();
                for (status, n) in rows {
                    match status.as_str() {
                        "pending" => counts.pending = n,
                        "sent" => counts.sent = n,
                        "failed" => counts.failed = n,
                        other => return Err(StoreError::Corrupt(format!("outbox status {other}"))),
                    }
                }
                Ok(counts)
            }
        }
    };
}

/// Stamps out the in-transaction insert used by every repository that queues messages.
macro_rules! impl_outbox_insert {
    ($db:ty) => {
        /// Queues `messages` inside `tx`, due at once.
        async fn insert_messages(
            tx: &mut sqlx::Transaction<'static, $db>,
            messages: &[$crate::outbox::NewMessage],
            at: chrono::DateTime<chrono::Utc>,
        ) -> $crate::StoreResult<()> {
            for m in messages {
                sqlx::query(
                    "INSERT INTO outbox (channel, recipient, subject, body, topic, status, attempts, \
                     next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $6)",
                )
                .bind(&m.channel)
                .bind(&m.recipient)
                .bind(&m.subject)
                .bind(&m.body)
                .bind(&m.topic)
                .bind(at)
                .execute(&mut **tx)
                .await?;
            }
            Ok(())
        }
    };
}

pub(crate) use {impl_outbox_insert, impl_outbox_repo, outbox_columns};
