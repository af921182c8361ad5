//! A village portal's news and announcements, with their photos.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{AuditEvent, StoreResult};

/// A published post. `kind` and the Markdown `body` are the domain's (`balai_domain::berita`).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct NewsPost {
    pub id: String,
    pub village_code: String,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub photo_id: Option<String>,
    pub photo_caption: String,
    /// The staff member's display name.
    pub author: String,
    pub published_at: DateTime<Utc>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    /// How many subscribers the post was sent to (0: not broadcast).
    pub broadcast_count: i64,
}

/// A post's broadcast to the village's active subscribers: one body per channel, each ending with
/// the opt-out link's base, to which the store appends each subscriber's token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostBroadcast {
    pub subject: String,
    pub email: String,
    pub whatsapp: String,
    pub sms: String,
    pub topic: String,
}

/// A post's photo as the server re-encoded it (JPEG).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewsPhoto {
    pub id: String,
    pub village_code: String,
    pub width: i64,
    pub height: i64,
    pub sha256: String,
    pub data: Vec<u8>,
    pub created_at: DateTime<Utc>,
}

#[async_trait]
pub trait NewsRepo {
    /// Stores a post with its photo, if any, its broadcast to every active subscriber of the
    /// village (one outbox message each), and the audit record, in one transaction. Returns how
    /// many messages were queued.
    async fn publish_post(
        &self,
        post: &NewsPost,
        photo: Option<&NewsPhoto>,
        broadcast: Option<&PostBroadcast>,
        audit: AuditEvent,
    ) -> StoreResult<i64>;
    async fn news_post(&self, id: &str) -> StoreResult<Option<NewsPost>>;
    /// A village's posts on its portal (not withdrawn), newest first, at most `limit`.
    async fn news_posts(&self, village: &str, limit: i64) -> StoreResult<Vec<NewsPost>>;
    /// The newest posts on the portals of all villages within a region (its code and a dot
    /// start theirs), at most `limit`.
    async fn news_posts_within(&self, region: &str, limit: i64) -> StoreResult<Vec<NewsPost>>;
    /// The photo's JPEG bytes, if the photo belongs to a post still on the portal.
    async fn news_photo(&self, id: &str) -> StoreResult<Option<Vec<u8>>>;
    /// Takes a post off the portal, if it is still on it; `false` if it was not.
    async fn withdraw_post(&self, id: &str, at: DateTime<Utc>, audit: AuditEvent) -> StoreResult<bool>;
}

macro_rules! news_columns {
    () => {
        "id, village_code, kind, title, body, photo_id, photo_caption, author, published_at, withdrawn_at, \
         broadcast_count"
    };
}
pub(crate) use news_columns;

/// Stamps out `NewsRepo` for one backend (after `impl_store!`, whose `append_audit` it uses).
macro_rules! impl_news_repo {
    ($store:ty) => {
        mod news_impl {
            use super::*;
            use $crate::news::*;
            use $crate::{AuditEvent, StoreResult};

            #[async_trait::async_trait]
            impl NewsRepo for $store {
                async fn publish_post(
                    &self,
                    post: &NewsPost,
                    photo: Option<&NewsPhoto>,
                    broadcast: Option<&PostBroadcast>,
                    audit: AuditEvent,
                ) -> StoreResult<i64> {
                    let mut tx = self.begin_write().await?;
                    if let Some(p) = photo {
                        sqlx::query(
                            "INSERT INTO news_photos (id, village_code, width, height, size_bytes, sha256, data, \
                             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                        )
                        .bind(&p.id)
                        .bind(&p.village_code)
                        .bind(p.width)
                        .bind(p.height)
                        .bind(p.data.len() as i64)
                        .bind(&p.sha256)
                        .bind(&p.data)
                        .bind(p.created_at)
                        .execute(&mut *tx)
                        .await?;
                    }
                    let mut sent = 0;
                    if let Some(b) = broadcast {
                        // One statement whatever the number of subscribers: each gets the body of
                        // their channel with their own opt-out token at its end.
                        sent = sqlx::query(
                            "INSERT INTO outbox (channel, recipient, subject, body, topic, status, attempts, \
                             next_attempt_at, created_at) \
                             SELECT channel, address, $1, (CASE channel WHEN 'email' THEN $2 WHEN 'whatsapp' \
                             THEN $3 ELSE $4 END) || token, $5, 'pending', 0, $6, $6 \
                             FROM news_subscriptions WHERE village_code = $7 AND status = 'active' ORDER BY id",
                        )
                        .bind(&b.subject)
                        .bind(&b.email)
                        .bind(&b.whatsapp)
                        .bind(&b.sms)
                        .bind(&b.topic)
                        .bind(post.published_at)
                        .bind(&post.village_code)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected() as i64;
                    }
                    sqlx::query(concat!(
                        "INSERT INTO news_posts (",
                        $crate::news::news_columns!(),
                        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
                    ))
                    .bind(&post.id)
                    .bind(&post.village_code)
                    .bind(&post.kind)
                    .bind(&post.title)
                    .bind(&post.body)
                    .bind(&post.photo_id)
                    .bind(&post.photo_caption)
                    .bind(&post.author)
                    .bind(post.published_at)
                    .bind(post.withdrawn_at)
                    .bind(sent)
                    .execute(&mut *tx)
                    .await?;
                    let mut audit = audit;
                    audit.details["broadcast_to"] = sent.into();
                    append_audit(&mut tx, &audit).await?;
                    tx.commit().await?;
                    Ok(sent)
                }

                async fn news_post(&self, id: &str) -> StoreResult<Option<NewsPost>> {
                    Ok(sqlx::query_as(concat!(
                        "SELECT ",
                        $crate::news::news_columns!(),
                        " FROM news_posts WHERE id = $1"
                    ))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?)
                }

                async fn news_posts(&self, village: &str, limit: i64) -> StoreResult<Vec<NewsPost>> {
                    Ok(sqlx::query_as(concat!(
                        "SELECT ",
                        $crate::news::news_columns!(),
                        " FROM news_posts WHERE village_code = $1 AND withdrawn_at IS NULL \
                         ORDER BY published_at DESC, id LIMIT $2"
                    ))
                    .bind(village)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?)
                }

                async fn news_posts_within(&self, region: &str, limit: i64) -> StoreResult<Vec<NewsPost>> {
                    Ok(sqlx::query_as(concat!(
                        "SELECT ",
                        $crate::news::news_columns!(),
                        " FROM news_posts WHERE village_code LIKE $1 AND withdrawn_at IS NULL \
                         ORDER BY published_at DESC, id LIMIT $2"
                    ))
                    .bind(format!("{region}.%"))
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?)
                }

                async fn news_photo(&self, id: &str) -> StoreResult<Option<Vec<u8>>> {
                    let row: Option<(Vec<u8>,)> = sqlx::query_as(
                        "SELECT f.data FROM news_photos f JOIN news_posts p ON p.photo_id = f.id \
                         WHERE f.id = $1 AND p.withdrawn_at IS NULL LIMIT 1",
                    )
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                    Ok(row.map(|(data,)| data))
                }

                async fn withdraw_post(
                    &self,
                    id: &str,
                    at: chrono::DateTime<chrono::Utc>,
                    audit: AuditEvent,
                ) -> StoreResult<bool> {
                    let mut tx = self.begin_write().await?;
                    let changed =
                        sqlx::query("UPDATE news_posts SET withdrawn_at = $1 WHERE id = $2 AND withdrawn_at IS NULL")
                            .bind(at)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?
                            .rows_affected();
                    if changed == 0 {
                        return Ok(false);
                    }
                    append_audit(&mut tx, &audit).await?;
                    tx.commit().await?;
                    Ok(true)
                }
            }
        }
    };
}
pub(crate) use impl_news_repo;
