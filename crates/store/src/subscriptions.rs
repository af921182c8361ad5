//! Subscriptions to a village's announcements. Status and channel are the domain's
//! (`balai_domain::langganan`); a broadcast to all active subscribers is queued with the post it
//! announces (`NewsRepo::publish_post`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::outbox::NewMessage;
use crate::{AuditEvent, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Subscription {
    pub id: i64,
    pub village_code: String,
    pub channel: String,
    /// `+62…` or a lower-case email address.
    pub address: String,
    /// The secret in the subscription's links.
    pub token: String,
    /// `pending`, `active` or `stopped`.
    pub status: String,
    /// When the subscription was last asked for (and a confirmation sent).
    pub asked_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub stopped_at: Option<DateTime<Utc>>,
}

/// A subscription as asked for (its token is used only if it is new).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionAsk {
    pub village_code: String,
    pub channel: String,
    pub address: String,
    pub token: String,
}

/// The message that goes with asking for a subscription, built once the stored token is known.
pub type ConfirmationMessage = Box<dyn FnOnce(&Subscription) -> NewMessage + Send>;

#[async_trait]
pub trait SubscriptionRepo {
    async fn subscription_for(&self, village: &str, channel: &str, address: &str) -> StoreResult<Option<Subscription>>;
    async fn subscription_by_token(&self, token: &str) -> StoreResult<Option<Subscription>>;
    /// Asks for a subscription: a new one is stored `pending` with its token; an existing one keeps
    /// its token, becomes `pending` again unless it is `active`, and its `asked_at` is `at`. The
    /// message built from the stored subscription is queued and the audit record written, all in
    /// one transaction.
    async fn ask_subscription(
        &self,
        ask: &SubscriptionAsk,
        at: DateTime<Utc>,
        message: ConfirmationMessage,
        audit: AuditEvent,
    ) -> StoreResult<Subscription>;
    /// Moves the subscription with `token` from one of `from` to `to` (`active` sets
    /// `confirmed_at`, `stopped` sets `stopped_at`); `false` when it was in none of them.
    async fn set_subscription_status(
        &self,
        token: &str,
        from: &[&str],
        to: &str,
        at: DateTime<Utc>,
        audit: AuditEvent,
    ) -> StoreResult<bool>;
    /// How many subscriptions of the village are active.
    async fn active_subscribers(&self, village: &str) -> StoreResult<i64>;
    /// How many of the village's subscriptions were asked for since `since` (a flood of
    /// confirmations to numbers nobody asked for is refused).
    async fn subscriptions_asked_since(&self, village: &str, since: DateTime<Utc>) -> StoreResult<i64>;
}

macro_rules! subscription_columns {
    () => {
        "id, village_code, channel, address, token, status, asked_at, confirmed_at, stopped_at"
    };
}
pub(crate) use subscription_columns;

/// Stamps out `SubscriptionRepo` for one backend (after `impl_store!` and the outbox insert).
macro_rules! impl_subscription_repo {
    ($store:ty) => {
        mod subscription_impl {
            use super::*;
            use $crate::subscriptions::*;
            use $crate::{AuditEvent, StoreError, StoreResult};

            #[async_trait::async_trait]
            impl SubscriptionRepo for $store {
                async fn subscription_for(
                    &self,
                    village: &str,
                    channel: &str,
                    address: &str,
                ) -> StoreResult<Option<Subscription>> {
                    Ok(sqlx::query_as(concat!(
                        "SELECT ",
                        $crate::subscriptions::subscription_columns!(),
                        " FROM news_subscriptions WHERE village_code = $1 AND channel = $2 AND address = $3"
                    ))
                    .bind(village)
                    .bind(channel)
                    .bind(address)
                    .fetch_optional(&self.pool)
                    .await?)
                }

                async fn subscription_by_token(&self, token: &str) -> StoreResult<Option<Subscription>> {
                    Ok(sqlx::query_as(concat!(
                        "SELECT ",
                        $crate::subscriptions::subscription_columns!(),
                        " FROM news_subscriptions WHERE token = $1"
                    ))
                    .bind(token)
                    .fetch_optional(&self.pool)
                    .await?)
                }

                async fn ask_subscription(
                    &self,
                    ask: &SubscriptionAsk,
                    at: chrono::DateTime<chrono::Utc>,
                    message: ConfirmationMessage,
                    audit: AuditEvent,
                ) -> StoreResult<Subscription> {
                    let mut tx = self.begin_write().await?;
                    let stored: Subscription = sqlx::query_as(concat!(
                        "INSERT INTO news_subscriptions (village_code, channel, address, token, status, asked_at) \
                         VALUES ($1, $2, $3, $4, 'pending', $5) \
                         ON CONFLICT (village_code, channel, address) DO UPDATE SET asked_at = excluded.asked_at, \
                         status = CASE WHEN news_subscriptions.status = 'active' THEN 'active' ELSE 'pending' END \
                         RETURNING ",
                        $crate::subscriptions::subscription_columns!()
                    ))
                    .bind(&ask.village_code)
                    .bind(&ask.channel)
                    .bind(&ask.address)
                    .bind(&ask.token)
                    .bind(at)
                    .fetch_one(&mut *tx)
                    .await?;
                    insert_messages(&mut tx, &[message(&stored)], at).await?;
                    append_audit(&mut tx, &audit).await?;
                    tx.commit().await?;
                    Ok(stored)
                }

                async fn set_subscription_status(
                    &self,
                    token: &str,
                    from: &[&str],
                    to: &str,
                    at: chrono::DateTime<chrono::Utc>,
                    audit: AuditEvent,
                ) -> StoreResult<bool> {
                    let sql = match to {
                        "active" => {
                            "UPDATE news_subscriptions SET status = $1, confirmed_at = $2 \
                             WHERE token = $3 AND (status = $4 OR status = $5)"
                        }
                        "stopped" => {
                            "UPDATE news_subscriptions SET status = $1, stopped_at = $2 \
                             WHERE token = $3 AND (status = $4 OR status = $5)"
                        }
                        other => return Err(StoreError::Conflict(format!("subscription status {other}"))),
                    };
                    let (first, second) = match from {
                        [one] => (*one, *one),
                        [one, two] => (*one, *two),
                        _ => return Err(StoreError::Conflict("one or two statuses to move from".into())),
                    };
                    let mut tx = self.begin_write().await?;
                    // One statement: two people pressing "stop" and "activate" at once cannot
                    // both act on the status they read.
                    let moved = sqlx::query(sql)
                    .bind(to)
                    .bind(at)
                    .bind(token)
                    .bind(first)
                    .bind(second)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if moved == 0 {
                        return Ok(false);
                    }
                    append_audit(&mut tx, &audit).await?;
                    tx.commit().await?;
                    Ok(true)
                }

                async fn active_subscribers(&self, village: &str) -> StoreResult<i64> {
                    let (n,): (i64,) = sqlx::query_as(
                        "SELECT COUNT(*) FROM news_subscriptions WHERE village_code = $1 AND status = 'active'",
                    )
                    .bind(village)
                    .fetch_one(&self.pool)
                    .await?;
                    Ok(n)
                }

                async fn subscriptions_asked_since(
                    &self,
                    village: &str,
                    since: chrono::DateTime<chrono::Utc>,
                ) -> StoreResult<i64> {
                    let (n,): (i64,) = sqlx::query_as(
                        "SELECT COUNT(*) FROM news_subscriptions WHERE village_code = $1 AND asked_at >= $2",
                    )
                    .bind(village)
                    .bind(since)
                    .fetch_one(&self.pool)
                    .await?;
                    Ok(n)
                }
            }
        }
    };
}
pub(crate) use impl_subscription_repo;
