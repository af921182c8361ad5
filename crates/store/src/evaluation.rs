//! What the regency's evaluation reads: the service figures of a region summed in the database
//! per village (and per handling office for reports) over a period, and the work open now.
//! One call per source and period; the app folds the groups into any view it shows.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use crate::StoreResult;
use crate::reports::ScoreGroup;

/// Letter requests of one village over a period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LetterGroup {
    pub village_code: String,
    pub received: i64,
    pub received_online: i64,
    /// Letters signed in the period, whenever they were asked for.
    pub issued: i64,
    pub issued_on_time: i64,
}

/// Information requests of one village over a period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InformationGroup {
    pub village_code: String,
    pub received: i64,
    pub received_online: i64,
    /// Decided (written notice given) in the period.
    pub decided: i64,
    pub decided_on_time: i64,
}

/// Work not finished now, per handler and village. Letter and information requests are the
/// village's own work (`handler` is `None`); reports name their handler once disposed.
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct OpenGroup {
    pub handler: Option<String>,
    pub village_code: String,
    pub open: i64,
    /// Of those, past their due date (today not included).
    pub overdue: i64,
}

#[async_trait]
pub trait EvaluationRepo {
    /// Reports received in `[from, until)` in the region, grouped by handler, village and
    /// working days to done (the scoreboard's groups, for a region and a period).
    async fn report_groups(
        &self,
        region: &str,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<Vec<ScoreGroup>>;
    /// Letter requests received and letters signed in `[from, until)`, per village.
    async fn letter_groups(
        &self,
        region: &str,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<Vec<LetterGroup>>;
    /// Information requests received and decided in `[from, until)`, per village.
    async fn information_groups(
        &self,
        region: &str,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<Vec<InformationGroup>>;
    /// Reports, letter requests and information requests still being worked on, with those
    /// due before `today`. Work waiting on the resident (a report `tunda`, a letter request
    /// `perlu_perbaikan`) is not counted: its clock is not the office's.
    async fn open_work(&self, region: &str, today: NaiveDate) -> StoreResult<Vec<OpenGroup>>;
}

/// Merges per-village rows of two queries (received, then done) by village code.
pub(crate) fn merge_by_village<T>(
    received: Vec<(String, i64, Option<i64>)>,
    done: Vec<(String, i64, Option<i64>)>,
    make: impl Fn(&str) -> T,
    set_received: impl Fn(&mut T, i64, i64),
    set_done: impl Fn(&mut T, i64, i64),
) -> Vec<T> {
    let mut map: std::collections::BTreeMap<String, T> = std::collections::BTreeMap::new();
    for (village, n, online) in received {
        let entry = map.entry(village.clone()).or_insert_with(|| make(&village));
        set_received(entry, n, online.unwrap_or(0));
    }
    for (village, n, on_time) in done {
        let entry = map.entry(village.clone()).or_insert_with(|| make(&village));
        set_done(entry, n, on_time.unwrap_or(0));
    }
    map.into_values().collect()
}

/// Stamps out `EvaluationRepo` for one backend (after `impl_store!`).
macro_rules! impl_evaluation_repo {
    ($store:ty) => {
        mod evaluation_impl {
            use super::*;
            use $crate::StoreResult;
            use $crate::evaluation::*;
            use $crate::reports::ScoreGroup;

            impl $store {
                /// Runs one per-village count (`$1`/`$2` the region, `$3`/`$4` the period).
                async fn village_counts(
                    &self,
                    sql: &'static str,
                    region: &str,
                    from: chrono::DateTime<chrono::Utc>,
                    until: chrono::DateTime<chrono::Utc>,
                ) -> StoreResult<Vec<(String, i64, Option<i64>)>> {
                    Ok(sqlx::query_as(sql)
                        .bind(region)
                        .bind(format!("{region}.%"))
                        .bind(from)
                        .bind(until)
                        .fetch_all(&self.pool)
                        .await?)
                }
            }

            #[async_trait::async_trait]
            impl EvaluationRepo for $store {
                async fn report_groups(
                    &self,
                    region: &str,
                    from: chrono::DateTime<chrono::Utc>,
                    until: chrono::DateTime<chrono::Utc>,
                ) -> StoreResult<Vec<ScoreGroup>> {
                    Ok(sqlx::query_as(
                        "SELECT handler, region_code, done_working_days, COUNT(*), COUNT(verified_at), \
                         SUM(CASE WHEN verified_on_time THEN 1 ELSE 0 END), COUNT(first_response_at), \
                         SUM(CASE WHEN answered_on_time THEN 1 ELSE 0 END) \
                         FROM reports WHERE received_at >= $3 AND received_at < $4 \
                         AND (region_code = $1 OR region_code LIKE $2) \
                         GROUP BY handler, region_code, done_working_days",
                    )
                    .bind(region)
                    .bind(format!("{region}.%"))
                    .bind(from)
                    .bind(until)
                    .fetch_all(&self.pool)
                    .await?)
                }

                async fn letter_groups(
                    &self,
                    region: &str,
                    from: chrono::DateTime<chrono::Utc>,
                    until: chrono::DateTime<chrono::Utc>,
                ) -> StoreResult<Vec<LetterGroup>> {
                    let received = self
                        .village_counts(
                            "SELECT village_code, COUNT(*), SUM(CASE WHEN channel = 'loket' THEN 0 ELSE 1 END) \
                         FROM letter_requests WHERE received_at >= $3 AND received_at < $4 \
                         AND (village_code = $1 OR village_code LIKE $2) GROUP BY village_code",
                            region,
                            from,
                            until,
                        )
                        .await?;
                    let issued = self
                        .village_counts(
                            "SELECT l.village_code, COUNT(*), SUM(CASE WHEN l.issued_on <= r.due_on THEN 1 ELSE 0 END) \
                         FROM letters l JOIN letter_requests r ON r.id = l.request_id \
                         WHERE l.created_at >= $3 AND l.created_at < $4 \
                         AND (l.village_code = $1 OR l.village_code LIKE $2) GROUP BY l.village_code",
                            region,
                            from,
                            until,
                        )
                        .await?;
                    Ok(merge_by_village(
                        received,
                        issued,
                        |v| LetterGroup { village_code: v.to_string(), ..LetterGroup::default() },
                        |g, n, online| (g.received, g.received_online) = (n, online),
                        |g, n, on_time| (g.issued, g.issued_on_time) = (n, on_time),
                    ))
                }

                async fn information_groups(
                    &self,
                    region: &str,
                    from: chrono::DateTime<chrono::Utc>,
                    until: chrono::DateTime<chrono::Utc>,
                ) -> StoreResult<Vec<InformationGroup>> {
                    let received = self
                        .village_counts(
                            "SELECT village_code, COUNT(*), SUM(CASE WHEN channel = 'loket' THEN 0 ELSE 1 END) \
                         FROM info_requests WHERE received_at >= $3 AND received_at < $4 \
                         AND (village_code = $1 OR village_code LIKE $2) GROUP BY village_code",
                            region,
                            from,
                            until,
                        )
                        .await?;
                    let decided = self
                        .village_counts(
                            "SELECT village_code, COUNT(*), SUM(CASE WHEN on_time THEN 1 ELSE 0 END) \
                         FROM info_requests WHERE notice_at >= $3 AND notice_at < $4 \
                         AND (village_code = $1 OR village_code LIKE $2) GROUP BY village_code",
                            region,
                            from,
                            until,
                        )
                        .await?;
                    Ok(merge_by_village(
                        received,
                        decided,
                        |v| InformationGroup { village_code: v.to_string(), ..InformationGroup::default() },
                        |g, n, online| (g.received, g.received_online) = (n, online),
                        |g, n, on_time| (g.decided, g.decided_on_time) = (n, on_time),
                    ))
                }

                async fn open_work(&self, region: &str, today: chrono::NaiveDate) -> StoreResult<Vec<OpenGroup>> {
                    Ok(sqlx::query_as(
                        "SELECT handler, region_code AS village_code, COUNT(*) AS open, \
                         SUM(CASE WHEN due_on < $3 THEN 1 ELSE 0 END) AS overdue FROM reports \
                         WHERE state IN ('diterima', 'didisposisikan', 'ditindaklanjuti') \
                         AND (region_code = $1 OR region_code LIKE $2) GROUP BY handler, region_code \
                         UNION ALL \
                         SELECT NULL AS handler, village_code, COUNT(*) AS open, \
                         SUM(CASE WHEN due_on < $3 THEN 1 ELSE 0 END) AS overdue FROM letter_requests \
                         WHERE state IN ('diajukan', 'diperiksa', 'menunggu_tanda_tangan') \
                         AND (village_code = $1 OR village_code LIKE $2) GROUP BY village_code \
                         UNION ALL \
                         SELECT NULL AS handler, village_code, COUNT(*) AS open, \
                         SUM(CASE WHEN due_on < $3 THEN 1 ELSE 0 END) AS overdue FROM info_requests \
                         WHERE state IN ('diterima', 'diperpanjang') \
                         AND (village_code = $1 OR village_code LIKE $2) GROUP BY village_code",
                    )
                    .bind(region)
                    .bind(format!("{region}.%"))
                    .bind(today)
                    .fetch_all(&self.pool)
                    .await?)
                }
            }
        }
    };
}
pub(crate) use impl_evaluation_repo;
