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

#[async_trait]
pub trait OutboxRepo: Send + Sync {
    /// The messages about `topic`, oldest first (for staff: was the resident told?).
    async fn messages_about(&self, topic: &str) -> StoreResult<Vec<OutboxMessage>>;
}

macro_rules! outbox_columns {
    () => {
        "id, channel, recipient, subject, body, topic, status, attempts, next_attempt_at, last_error, created_at, \
         sent_at"
    };
}

/// Stamps out `OutboxRepo` for one backend.
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
