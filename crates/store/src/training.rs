//! The capability programme (seed 004): a village's aparatur, the training sessions the regency
//! runs with who attended, and the outputs each village has in place. Every change is one
//! transaction with its audit record.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use crate::{AuditEvent, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Aparatur {
    pub id: i64,
    pub village_code: String,
    pub name: String,
    pub position: String,
    pub active: bool,
    /// Training sessions attended.
    pub sessions: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAparatur {
    pub village_code: String,
    pub name: String,
    pub position: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TrainingSession {
    pub id: i64,
    pub region_code: String,
    pub module: String,
    pub title: String,
    pub held_on: NaiveDate,
    pub place: String,
    /// Aparatur recorded present.
    pub attendees: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTrainingSession {
    pub region_code: String,
    pub module: String,
    pub title: String,
    pub held_on: NaiveDate,
    pub place: String,
    pub created_at: DateTime<Utc>,
}

/// A village's aparatur and how many of them attended at least one session.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TrainingCoverage {
    pub village_code: String,
    /// Active aparatur listed.
    pub aparatur: i64,
    pub trained: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct VillageOutput {
    pub village_code: String,
    /// A code of `balai_domain::pelatihan::OUTPUTS`.
    pub output: String,
    pub done_on: NaiveDate,
    pub note: String,
}

#[async_trait]
pub trait TrainingRepo {
    /// Adds someone to a village's list; a name already listed is `StoreError::Conflict`.
    async fn add_aparatur(&self, aparatur: &NewAparatur, audit: AuditEvent) -> StoreResult<i64>;
    /// Marks someone as no longer (or again) serving; `NotFound` if not on that village's list.
    async fn set_aparatur_active(
        &self,
        village_code: &str,
        id: i64,
        active: bool,
        audit: AuditEvent,
    ) -> StoreResult<()>;
    /// A village's list, active first, by name.
    async fn aparatur_of(&self, village_code: &str) -> StoreResult<Vec<Aparatur>>;
    async fn create_training_session(&self, session: &NewTrainingSession, audit: AuditEvent) -> StoreResult<i64>;
    /// The sessions run in a region or by any region above or below it, newest first.
    async fn training_sessions(&self, region: &str) -> StoreResult<Vec<TrainingSession>>;
    async fn training_session(&self, id: i64) -> StoreResult<Option<TrainingSession>>;
    /// Sets who of one village's aparatur attended a session: exactly `present` (ids of that
    /// village's list; others are refused by the caller).
    async fn record_attendance(
        &self,
        session_id: i64,
        village_code: &str,
        present: &[i64],
        audit: AuditEvent,
    ) -> StoreResult<()>;
    /// The aparatur recorded present at a session.
    async fn session_attendance(&self, session_id: i64) -> StoreResult<Vec<i64>>;
    /// Per village of the region with aparatur listed: how many, and how many trained.
    async fn training_coverage(&self, region: &str) -> StoreResult<Vec<TrainingCoverage>>;
    /// Records an output as in place (or updates its date and note).
    async fn set_village_output(&self, output: &VillageOutput, audit: AuditEvent) -> StoreResult<()>;
    async fn remove_village_output(&self, village_code: &str, output: &str, audit: AuditEvent) -> StoreResult<()>;
    async fn village_outputs(&self, village_code: &str) -> StoreResult<Vec<VillageOutput>>;
}

macro_rules! session_columns {
    () => {
        "t.id, t.region_code, t.module, t.title, t.held_on, t.place, \
         (SELECT COUNT(*) FROM training_attendance x WHERE x.session_id = t.id) AS attendees"
    };
}
pub(crate) use session_columns;

/// Stamps out `TrainingRepo` for one backend (after `impl_store!`).
macro_rules! impl_training_repo {
    ($store:ty) => {
        mod training_impl {
            use super::*;
            use $crate::training::*;
            use $crate::{AuditEvent, StoreError, StoreResult};

            #[async_trait::async_trait]
            impl TrainingRepo for $store {
                async fn add_aparatur(&self, a: &NewAparatur, audit: AuditEvent) -> StoreResult<i64> {
                    let mut tx = self.begin_write().await?;
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO aparatur (village_code, name, position) VALUES ($1, $2, $3) RETURNING id",
                    )
                    .bind(&a.village_code)
                    .bind(&a.name)
                    .bind(&a.position)
                    .fetch_one(&mut *tx)
                    .await?;
                    let mut audit = audit;
                    audit.object = format!("aparatur:{id}");
                    append_audit(&mut tx, &audit).await?;
                    tx.commit().await?;
                    Ok(id)
                }

                async fn set_aparatur_active(
                    &self,
                    village_code: &str,
                    id: i64,
                    active: bool,
                    audit: AuditEvent,
                ) -> StoreResult<()> {
                    let mut tx = self.begin_write().await?;
                    let done = sqlx::query("UPDATE aparatur SET active = $1 WHERE id = $2 AND village_code = $3")
                        .bind(active)
                        .bind(id)
                        .bind(village_code)
                        .execute(&mut *tx)
                        .await?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::NotFound(format!("aparatur {id}")));
                    }
                    append_audit(&mut tx, &audit).await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn aparatur_of(&self, village_code: &str) -> StoreResult<Vec<Aparatur>> {
                    Ok(sqlx::query_as(
                        "SELECT a.id, a.village_code, a.name, a.position, a.active, \
                         (SELECT COUNT(*) FROM training_attendance x WHERE x.aparatur_id = a.id) AS sessions \
                         FROM aparatur a WHERE a.village_code = $1 ORDER BY a.active DESC, a.name",
                    )
                    .bind(village_code)
                    .fetch_all(&self.pool)
                    .await?)
                }

                async fn create_training_session(&self, s: &NewTrainingSession, audit: AuditEvent) -> StoreResult<i64> {
                    let mut tx = self.begin_write().await?;
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO training_sessions (region_code, module, title, held_on, place, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                    )
                    .bind(&s.region_code)
                    .bind(&s.module)
                    .bind(&s.title)
                    .bind(s.held_on)
                    .bind(&s.place)
                    .bind(s.created_at)
                    .fetch_one(&mut *tx)
                    .await?;
                    let mut audit = audit;
                    audit.object = format!("pelatihan:{id}");
                    append_audit(&mut tx, &audit).await?;
                    tx.commit().await?;
                    Ok(id)
                }

                async fn training_sessions(&self, region: &str) -> StoreResult<Vec<TrainingSession>> {
                    // Above: the region's code starts with the session's; below: the other way.
                    Ok(sqlx::query_as(concat!(
                        "SELECT ",
                        session_columns!(),
                        " FROM training_sessions t WHERE t.region_code = $1 OR t.region_code LIKE $2 \
                         OR $3 LIKE t.region_code || '.%' ORDER BY t.held_on DESC, t.id DESC"
                    ))
                    .bind(region)
                    .bind(format!("{region}.%"))
                    .bind(region)
                    .fetch_all(&self.pool)
                    .await?)
                }

                async fn training_session(&self, id: i64) -> StoreResult<Option<TrainingSession>> {
                    Ok(sqlx::query_as(concat!(
                        "SELECT ",
                        session_columns!(),
                        " FROM training_sessions t WHERE t.id = $1"
                    ))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?)
                }

                async fn record_attendance(
                    &self,
                    session_id: i64,
                    village_code: &str,
                    present: &[i64],
                    audit: AuditEvent,
                ) -> StoreResult<()> {
                    let mut tx = self.begin_write().await?;
                    sqlx::query(
                        "DELETE FROM training_attendance WHERE session_id = $1 \
                         AND aparatur_id IN (SELECT id FROM aparatur WHERE village_code = $2)",
                    )
                    .bind(session_id)
                    .bind(village_code)
                    .execute(&mut *tx)
                    .await?;
                    for id in present {
                        let done = sqlx::query(
                            "INSERT INTO training_attendance (session_id, aparatur_id) \
                             SELECT $1, id FROM aparatur WHERE id = $2 AND village_code = $3",
                        )
                        .bind(session_id)
                        .bind(id)
                        .bind(village_code)
                        .execute(&mut *tx)
                        .await?;
                        if done.rows_affected() == 0 {
                            return Err(StoreError::NotFound(format!("aparatur {id} of {village_code}")));
                        }
                    }
                    append_audit(&mut tx, &audit).await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn session_attendance(&self, session_id: i64) -> StoreResult<Vec<i64>> {
                    let rows: Vec<(i64,)> =
                        sqlx::query_as("SELECT aparatur_id FROM training_attendance WHERE session_id = $1")
                            .bind(session_id)
                            .fetch_all(&self.pool)
                            .await?;
                    Ok(rows.into_iter().map(|(id,)| id).collect())
                }

                async fn training_coverage(&self, region: &str) -> StoreResult<Vec<TrainingCoverage>> {
                    Ok(sqlx::query_as(
                        "SELECT a.village_code, COUNT(*) AS aparatur, \
                         COUNT(*) FILTER (WHERE EXISTS (SELECT 1 FROM training_attendance x WHERE x.aparatur_id = a.id)) AS trained \
                         FROM aparatur a WHERE a.active AND (a.village_code = $1 OR a.village_code LIKE $2) \
                         GROUP BY a.village_code ORDER BY a.village_code",
                    )
                    .bind(region)
                    .bind(format!("{region}.%"))
                    .fetch_all(&self.pool)
                    .await?)
                }

                async fn set_village_output(&self, o: &VillageOutput, audit: AuditEvent) -> StoreResult<()> {
                    let mut tx = self.begin_write().await?;
                    sqlx::query(
                        "INSERT INTO village_outputs (village_code, output, done_on, note) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (village_code, output) DO UPDATE SET done_on = excluded.done_on, note = excluded.note",
                    )
                    .bind(&o.village_code)
                    .bind(&o.output)
                    .bind(o.done_on)
                    .bind(&o.note)
                    .execute(&mut *tx)
                    .await?;
                    append_audit(&mut tx, &audit).await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn remove_village_output(
                    &self,
                    village_code: &str,
                    output: &str,
                    audit: AuditEvent,
                ) -> StoreResult<()> {
                    let mut tx = self.begin_write().await?;
                    let done = sqlx::query("DELETE FROM village_outputs WHERE village_code = $1 AND output = $2")
                        .bind(village_code)
                        .bind(output)
                        .execute(&mut *tx)
                        .await?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::NotFound(format!("output {output} of {village_code}")));
                    }
                    append_audit(&mut tx, &audit).await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn village_outputs(&self, village_code: &str) -> StoreResult<Vec<VillageOutput>> {
                    Ok(sqlx::query_as(
                        "SELECT village_code, output, done_on, note FROM village_outputs WHERE village_code = $1 \
                         ORDER BY output",
                    )
                    .bind(village_code)
                    .fetch_all(&self.pool)
                    .await?)
                }
            }
        }
    };
}
pub(crate) use impl_training_repo;
