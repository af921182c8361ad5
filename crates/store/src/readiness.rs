//! STOPE e-readiness assessments: each is stored once with every factor's score, evidence and
//! the platform's proposal, and never changed (a later assessment is a new row), so a village's
//! readiness over time is its list of assessments. The scoring rules are `balai_domain::stope`'s.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{AuditEvent, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FactorScore {
    pub factor: String,
    pub score: i32,
    pub evidence: String,
    /// What the platform proposed from live data, if it did.
    pub proposed: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAssessment {
    pub village_code: String,
    pub assessed_at: DateTime<Utc>,
    /// The assessor's audit name (`user:ID:NAME`) and display name.
    pub assessor: String,
    pub assessor_name: String,
    pub with_budget: bool,
    pub scores: Vec<FactorScore>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssessmentRecord {
    pub id: i64,
    pub village_code: String,
    pub assessed_at: DateTime<Utc>,
    pub assessor: String,
    pub assessor_name: String,
    pub with_budget: bool,
    pub scores: Vec<FactorScore>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct AssessmentRow {
    pub id: i64,
    pub village_code: String,
    pub assessed_at: DateTime<Utc>,
    pub assessor: String,
    pub assessor_name: String,
    pub with_budget: bool,
}

#[derive(sqlx::FromRow)]
pub(crate) struct FactorScoreRow {
    pub assessment_id: i64,
    pub factor: String,
    pub score: i32,
    pub evidence: String,
    pub proposed: Option<i32>,
}

/// Puts each score under its assessment (rows in any order).
pub(crate) fn assemble(rows: Vec<AssessmentRow>, scores: Vec<FactorScoreRow>) -> Vec<AssessmentRecord> {
    let mut by_id: std::collections::HashMap<i64, Vec<FactorScore>> = std::collections::HashMap::new();
    for s in scores {
        by_id.entry(s.assessment_id).or_default().push(FactorScore {
            factor: s.factor,
            score: s.score,
            evidence: s.evidence,
            proposed: s.proposed,
        });
    }
    rows.into_iter()
        .map(|r| AssessmentRecord {
            scores: by_id.remove(&r.id).unwrap_or_default(),
            id: r.id,
            village_code: r.village_code,
            assessed_at: r.assessed_at,
            assessor: r.assessor,
            assessor_name: r.assessor_name,
            with_budget: r.with_budget,
        })
        .collect()
}

#[async_trait]
pub trait ReadinessRepo {
    /// Stores an assessment, its scores and its audit record in one transaction.
    async fn record_assessment(&self, assessment: &NewAssessment, audit: AuditEvent) -> StoreResult<i64>;
    /// A village's assessments, newest first.
    async fn assessments(&self, village_code: &str) -> StoreResult<Vec<AssessmentRecord>>;
    /// The newest assessment of every village in the region that has one, by village code.
    async fn latest_assessments(&self, region: &str) -> StoreResult<Vec<AssessmentRecord>>;
    /// When any of these actors (audit names) last did something on the record.
    async fn last_action_at(&self, actors: &[String]) -> StoreResult<Option<DateTime<Utc>>>;
}

macro_rules! assessment_columns {
    () => {
        "a.id, a.village_code, a.assessed_at, a.assessor, a.assessor_name, a.with_budget"
    };
}
pub(crate) use assessment_columns;

/// Stamps out `ReadinessRepo` for one backend (after `impl_store!`).
macro_rules! impl_readiness_repo {
    ($store:ty) => {
        mod readiness_impl {
            use super::*;
            use $crate::readiness::*;
            use $crate::{AuditEvent, StoreResult};

            #[async_trait::async_trait]
            impl ReadinessRepo for $store {
                async fn record_assessment(&self, a: &NewAssessment, audit: AuditEvent) -> StoreResult<i64> {
                    let mut tx = self.begin_write().await?;
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO readiness_assessments (village_code, assessed_at, assessor, assessor_name, with_budget) \
                         VALUES ($1, $2, $3, $4, $5) RETURNING id",
                    )
                    .bind(&a.village_code)
                    .bind(a.assessed_at)
                    .bind(&a.assessor)
                    .bind(&a.assessor_name)
                    .bind(a.with_budget)
                    .fetch_one(&mut *tx)
                    .await?;
                    for s in &a.scores {
                        sqlx::query(
                            "INSERT INTO readiness_scores (assessment_id, factor, score, evidence, proposed) \
                             VALUES ($1, $2, $3, $4, $5)",
                        )
                        .bind(id)
                        .bind(&s.factor)
                        .bind(s.score)
                        .bind(&s.evidence)
                        .bind(s.proposed)
                        .execute(&mut *tx)
                        .await?;
                    }
                    let mut audit = audit;
                    audit.object = format!("stope:{id}");
                    append_audit(&mut tx, &audit).await?;
                    tx.commit().await?;
                    Ok(id)
                }

                async fn assessments(&self, village_code: &str) -> StoreResult<Vec<AssessmentRecord>> {
                    let rows: Vec<AssessmentRow> = sqlx::query_as(concat!(
                        "SELECT ",
                        assessment_columns!(),
                        " FROM readiness_assessments a WHERE a.village_code = $1 ORDER BY a.assessed_at DESC, a.id DESC"
                    ))
                    .bind(village_code)
                    .fetch_all(&self.pool)
                    .await?;
                    let scores: Vec<FactorScoreRow> = sqlx::query_as(
                        "SELECT s.assessment_id, s.factor, s.score, s.evidence, s.proposed FROM readiness_scores s \
                         JOIN readiness_assessments a ON a.id = s.assessment_id WHERE a.village_code = $1",
                    )
                    .bind(village_code)
                    .fetch_all(&self.pool)
                    .await?;
                    Ok(assemble(rows, scores))
                }

                async fn latest_assessments(&self, region: &str) -> StoreResult<Vec<AssessmentRecord>> {
                    let rows: Vec<AssessmentRow> = sqlx::query_as(concat!(
                        "SELECT ",
                        assessment_columns!(),
                        " FROM readiness_assessments a WHERE (a.village_code = $1 OR a.village_code LIKE $2) \
                         AND a.id = (SELECT MAX(b.id) FROM readiness_assessments b WHERE b.village_code = a.village_code) \
                         ORDER BY a.village_code"
                    ))
                    .bind(region)
                    .bind(format!("{region}.%"))
                    .fetch_all(&self.pool)
                    .await?;
                    let scores: Vec<FactorScoreRow> = sqlx::query_as(
                        "SELECT s.assessment_id, s.factor, s.score, s.evidence, s.proposed FROM readiness_scores s \
                         JOIN readiness_assessments a ON a.id = s.assessment_id \
                         WHERE (a.village_code = $1 OR a.village_code LIKE $2) \
                         AND a.id = (SELECT MAX(b.id) FROM readiness_assessments b WHERE b.village_code = a.village_code)",
                    )
                    .bind(region)
                    .bind(format!("{region}.%"))
                    .fetch_all(&self.pool)
                    .await?;
                    Ok(assemble(rows, scores))
                }

                async fn last_action_at(
                    &self,
                    actors: &[String],
                ) -> StoreResult<Option<chrono::DateTime<chrono::Utc>>> {
                    let mut newest: Option<i64> = None;
                    for actor in actors {
                        let (at,): (Option<i64>,) =
                            sqlx::query_as("SELECT MAX(at_micros) FROM audit_log WHERE actor = $1")
                                .bind(actor)
                                .fetch_one(&self.pool)
                                .await?;
                        newest = newest.max(at);
                    }
                    Ok(newest.and_then(chrono::DateTime::from_timestamp_micros))
                }
            }
        }
    };
}
pub(crate) use impl_readiness_repo;
