//! The operational gauges `/metrics` publishes: what is open now in each queue, per state, and
//! how much of it is past its deadline. Only open states are counted, so the queries walk the
//! state indexes rather than every row ever received.

use async_trait::async_trait;
use chrono::NaiveDate;

use crate::StoreResult;

/// How many items of one queue are in one open state, and how many of them are overdue.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OpenCount {
    pub state: String,
    pub count: i64,
    pub overdue: i64,
}

/// Open work per queue.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenWork {
    pub reports: Vec<OpenCount>,
    pub letter_requests: Vec<OpenCount>,
    pub info_requests: Vec<OpenCount>,
}

/// The open states of each queue, as stored: the SQL lists below, and as arrays the app's tests
/// compare with `balai_domain`'s states.
macro_rules! open_report_states_sql {
    () => {
        "'diterima', 'tunda', 'didisposisikan', 'ditindaklanjuti'"
    };
}
macro_rules! open_letter_states_sql {
    () => {
        "'diajukan', 'diperiksa', 'perlu_perbaikan', 'menunggu_tanda_tangan'"
    };
}
macro_rules! open_info_states_sql {
    () => {
        "'diterima', 'diperpanjang'"
    };
}
pub(crate) use {open_info_states_sql, open_letter_states_sql, open_report_states_sql};

fn listed(sql_list: &str) -> Vec<String> {
    sql_list.split(',').map(|s| s.trim().trim_matches('\'').to_string()).collect()
}

pub fn open_report_states() -> Vec<String> {
    listed(open_report_states_sql!())
}

pub fn open_letter_states() -> Vec<String> {
    listed(open_letter_states_sql!())
}

pub fn open_info_states() -> Vec<String> {
    listed(open_info_states_sql!())
}

macro_rules! open_count_sql {
    ($table:literal, $states:expr) => {
        concat!(
            "SELECT state, COUNT(*) AS count, COALESCE(SUM(CASE WHEN due_on < $1 THEN 1 ELSE 0 END), 0) AS overdue FROM ",
            $table,
            " WHERE state IN (",
            $states,
            ") GROUP BY state ORDER BY state"
        )
    };
}
pub(crate) use open_count_sql;

#[async_trait]
pub trait GaugeRepo {
    /// What is open in every queue on `today`; overdue means due before `today`.
    async fn queue_gauges(&self, today: NaiveDate) -> StoreResult<OpenWork>;
}

/// Stamps out `GaugeRepo` for one backend (after `impl_store!`).
macro_rules! impl_gauge_repo {
    ($store:ty) => {
        mod gauge_impl {
            use super::*;
            use $crate::StoreResult;
            use $crate::gauges::{
                GaugeRepo, OpenWork, open_count_sql, open_info_states_sql, open_letter_states_sql,
                open_report_states_sql,
            };

            #[async_trait::async_trait]
            impl GaugeRepo for $store {
                async fn queue_gauges(&self, today: chrono::NaiveDate) -> StoreResult<OpenWork> {
                    let reports = sqlx::query_as(open_count_sql!("reports", open_report_states_sql!()))
                        .bind(today)
                        .fetch_all(&self.pool)
                        .await?;
                    let letter_requests = sqlx::query_as(open_count_sql!("letter_requests", open_letter_states_sql!()))
                        .bind(today)
                        .fetch_all(&self.pool)
                        .await?;
                    let info_requests = sqlx::query_as(open_count_sql!("info_requests", open_info_states_sql!()))
                        .bind(today)
                        .fetch_all(&self.pool)
                        .await?;
                    Ok(OpenWork { reports, letter_requests, info_requests })
                }
            }
        }
    };
}
pub(crate) use impl_gauge_repo;
