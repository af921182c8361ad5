//! Responses to the satisfaction survey (SKM/IKM) and the sums the index is computed from. The
//! rules (unsur, NRR, weights, grades) are `balai_domain::ikm`'s; this module stores answers and
//! adds them up per village, unit and service in the database, so a regency's year is one query.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{AuditEvent, StoreResult};

/// A response as it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSurveyResponse {
    pub village_code: String,
    /// `desa`, or `opd:SLUG`.
    pub unit: String,
    /// `surat`, `lapor`, `informasi` or `loket`.
    pub source: String,
    pub service_type: String,
    pub service_label: String,
    /// The completed service the link named (unique with `source`): used once.
    pub service_ref: Option<String>,
    /// A walk-in form's one-time key (unique).
    pub visit_key: Option<String>,
    pub visitor_hash: Option<String>,
    pub answered_at: DateTime<Utc>,
    /// U1–U9, each 1–4 or skipped.
    pub answers: [Option<u8>; 9],
}

/// The sums of the answers of one village, unit and service over a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyTally {
    pub village_code: String,
    pub unit: String,
    pub service_type: String,
    pub service_label: String,
    pub responses: i64,
    pub sums: [i64; 9],
    pub counts: [i64; 9],
}

/// How many services of one type a village completed over a period (the population a survey
/// samples).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CompletedServices {
    pub village_code: String,
    pub service_type: String,
    pub completed: i64,
}

#[derive(sqlx::FromRow)]
pub(crate) struct TallyRow {
    village_code: String,
    unit: String,
    service_type: String,
    service_label: String,
    responses: i64,
    s1: Option<i64>,
    s2: Option<i64>,
    s3: Option<i64>,
    s4: Option<i64>,
    s5: Option<i64>,
    s6: Option<i64>,
    s7: Option<i64>,
    s8: Option<i64>,
    s9: Option<i64>,
    c1: i64,
    c2: i64,
    c3: i64,
    c4: i64,
    c5: i64,
    c6: i64,
    c7: i64,
    c8: i64,
    c9: i64,
}

impl From<TallyRow> for SurveyTally {
    fn from(r: TallyRow) -> Self {
        let sums = [r.s1, r.s2, r.s3, r.s4, r.s5, r.s6, r.s7, r.s8, r.s9].map(|s| s.unwrap_or(0));
        SurveyTally {
            village_code: r.village_code,
            unit: r.unit,
            service_type: r.service_type,
            service_label: r.service_label,
            responses: r.responses,
            sums,
            counts: [r.c1, r.c2, r.c3, r.c4, r.c5, r.c6, r.c7, r.c8, r.c9],
        }
    }
}

#[async_trait]
pub trait SurveyRepo {
    /// Stores a response and its audit record in one transaction. A second response for the same
    /// service, or from the same walk-in form, is `StoreError::Conflict` and writes nothing.
    async fn record_survey_response(&self, response: &NewSurveyResponse, audit: AuditEvent) -> StoreResult<i64>;
    /// Whether the service already has its response.
    async fn survey_answered(&self, source: &str, service_ref: &str) -> StoreResult<bool>;
    /// How many responses one visitor gave since `since` (walk-in throttle).
    async fn survey_responses_by_visitor(&self, visitor_hash: &str, since: DateTime<Utc>) -> StoreResult<i64>;
    /// The sums per village, unit and service of the responses answered in `[from, until)` in the
    /// region (a village, or every village below a kecamatan, regency or province).
    async fn survey_tallies(
        &self,
        region: &str,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<Vec<SurveyTally>>;
    /// The services completed in `[from, until)` in the region, per village and type: letters
    /// signed (`surat:TYPE`), reports finished (`lapor`), information requests decided
    /// (`informasi`).
    async fn completed_services(
        &self,
        region: &str,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<Vec<CompletedServices>>;
}

/// Stamps out `SurveyRepo` for one backend (after `impl_store!`).
macro_rules! impl_survey_repo {
    ($store:ty) => {
        mod survey_impl {
            use super::*;
            use $crate::surveys::*;
            use $crate::{AuditEvent, StoreResult};

            #[async_trait::async_trait]
            impl SurveyRepo for $store {
                async fn record_survey_response(
                    &self,
                    r: &NewSurveyResponse,
                    audit: AuditEvent,
                ) -> StoreResult<i64> {
                    let a = r.answers.map(|v| v.map(i32::from));
                    let mut tx = self.begin_write().await?;
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO survey_responses (village_code, unit, source, service_type, service_label, \
                         service_ref, visit_key, visitor_hash, answered_at, u1, u2, u3, u4, u5, u6, u7, u8, u9) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) \
                         RETURNING id",
                    )
                    .bind(&r.village_code)
                    .bind(&r.unit)
                    .bind(&r.source)
                    .bind(&r.service_type)
                    .bind(&r.service_label)
                    .bind(&r.service_ref)
                    .bind(&r.visit_key)
                    .bind(&r.visitor_hash)
                    .bind(r.answered_at)
                    .bind(a[0])
                    .bind(a[1])
                    .bind(a[2])
                    .bind(a[3])
                    .bind(a[4])
                    .bind(a[5])
                    .bind(a[6])
                    .bind(a[7])
                    .bind(a[8])
                    .fetch_one(&mut *tx)
                    .await?;
                    let mut audit = audit;
                    audit.object = format!("survei:{id}");
                    append_audit(&mut tx, &audit).await?;
                    tx.commit().await?;
                    Ok(id)
                }

                async fn survey_answered(&self, source: &str, service_ref: &str) -> StoreResult<bool> {
                    let found: Option<(i64,)> =
                        sqlx::query_as("SELECT id FROM survey_responses WHERE source = $1 AND service_ref = $2")
                            .bind(source)
                            .bind(service_ref)
                            .fetch_optional(&self.pool)
                            .await?;
                    Ok(found.is_some())
                }

                async fn survey_responses_by_visitor(
                    &self,
                    visitor_hash: &str,
                    since: chrono::DateTime<chrono::Utc>,
                ) -> StoreResult<i64> {
                    let (n,): (i64,) = sqlx::query_as(
                        "SELECT COUNT(*) FROM survey_responses WHERE visitor_hash = $1 AND answered_at >= $2",
                    )
                    .bind(visitor_hash)
                    .bind(since)
                    .fetch_one(&self.pool)
                    .await?;
                    Ok(n)
                }

                async fn survey_tallies(
                    &self,
                    region: &str,
                    from: chrono::DateTime<chrono::Utc>,
                    until: chrono::DateTime<chrono::Utc>,
                ) -> StoreResult<Vec<SurveyTally>> {
                    let rows: Vec<TallyRow> = sqlx::query_as(
                        "SELECT village_code, unit, service_type, MAX(service_label) AS service_label, \
                         COUNT(*) AS responses, \
                         SUM(u1) AS s1, SUM(u2) AS s2, SUM(u3) AS s3, SUM(u4) AS s4, SUM(u5) AS s5, \
                         SUM(u6) AS s6, SUM(u7) AS s7, SUM(u8) AS s8, SUM(u9) AS s9, \
                         COUNT(u1) AS c1, COUNT(u2) AS c2, COUNT(u3) AS c3, COUNT(u4) AS c4, COUNT(u5) AS c5, \
                         COUNT(u6) AS c6, COUNT(u7) AS c7, COUNT(u8) AS c8, COUNT(u9) AS c9 \
                         FROM survey_responses \
                         WHERE (village_code = $1 OR village_code LIKE $2) AND answered_at >= $3 AND answered_at < $4 \
                         GROUP BY village_code, unit, service_type ORDER BY village_code, unit, service_type",
                    )
                    .bind(region)
                    .bind(format!("{region}.%"))
                    .bind(from)
                    .bind(until)
                    .fetch_all(&self.pool)
                    .await?;
                    Ok(rows.into_iter().map(SurveyTally::from).collect())
                }

                async fn completed_services(
                    &self,
                    region: &str,
                    from: chrono::DateTime<chrono::Utc>,
                    until: chrono::DateTime<chrono::Utc>,
                ) -> StoreResult<Vec<CompletedServices>> {
                    Ok(sqlx::query_as(
                        "SELECT village_code, 'surat:' || letter_type AS service_type, COUNT(*) AS completed \
                         FROM letters WHERE (village_code = $1 OR village_code LIKE $2) \
                         AND created_at >= $3 AND created_at < $4 \
                         GROUP BY village_code, letter_type \
                         UNION ALL \
                         SELECT region_code AS village_code, 'lapor' AS service_type, COUNT(*) AS completed \
                         FROM reports WHERE (region_code = $1 OR region_code LIKE $2) AND state = 'selesai' \
                         AND closed_at >= $3 AND closed_at < $4 GROUP BY region_code \
                         UNION ALL \
                         SELECT village_code, 'informasi' AS service_type, COUNT(*) AS completed \
                         FROM info_requests WHERE (village_code = $1 OR village_code LIKE $2) \
                         AND notice_at >= $3 AND notice_at < $4 GROUP BY village_code \
                         ORDER BY 1, 2",
                    )
                    .bind(region)
                    .bind(format!("{region}.%"))
                    .bind(from)
                    .bind(until)
                    .fetch_all(&self.pool)
                    .await?)
                }
            }
        }
    };
}
pub(crate) use impl_survey_repo;
