//! Assisted filings (pendampingan): which pendamping filed which letter request, report or
//! information request for which resident, with the resident's recorded consent. A filing and its
//! assistance record are written in the same transaction (the create methods take it).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::StoreResult;

/// One assisted filing. `object` names what was filed, as the audit trail does:
/// `letter_request:ID`, `report:CODE` or `info_request:CODE`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Assistance {
    pub object: String,
    pub village_code: String,
    /// The pendamping's username.
    pub pendamping: String,
    /// The resident's row in the population register.
    pub penduduk_id: i64,
    pub resident_name: String,
    /// `tanda_tangan`, `cap_jempol` or `lisan` (see `balai_domain::pendampingan`).
    pub consent_method: String,
    /// The witness of a spoken consent; empty otherwise.
    pub consent_witness: String,
    /// Where the resident receives the messages about the filing.
    pub contact_email: String,
    pub contact_phone: String,
    pub at: DateTime<Utc>,
}

impl Assistance {
    /// How consent was given, in words.
    pub fn consent_label(&self) -> &'static str {
        balai_domain::pendampingan::ConsentMethod::parse(&self.consent_method).map_or("", |m| m.label())
    }
}

#[async_trait]
pub trait AssistanceRepo: Send + Sync {
    /// The assistance behind a filing, if it was assisted.
    async fn assistance_for(&self, object: &str) -> StoreResult<Option<Assistance>>;
    /// A village's assisted filings, newest first; only one pendamping's when `pendamping` is set.
    async fn assistances(
        &self,
        village_code: &str,
        pendamping: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<Assistance>>;
}

macro_rules! assistance_columns {
    () => {
        "object, village_code, pendamping, penduduk_id, resident_name, consent_method, consent_witness, \
         contact_email, contact_phone, at"
    };
}
pub(crate) use assistance_columns;

/// Stamps out `AssistanceRepo` for one backend, and `insert_assistance` for the create methods of
/// the other repos to call inside their transactions.
macro_rules! impl_assistance_repo {
    ($store:ty, $db:ty) => {
        /// Records an assisted filing inside the filing's own transaction.
        async fn insert_assistance(
            tx: &mut sqlx::Transaction<'static, $db>,
            assisted: Option<&$crate::assistance::Assistance>,
        ) -> $crate::StoreResult<()> {
            let Some(a) = assisted else { return Ok(()) };
            sqlx::query(concat!(
                "INSERT INTO assistances (",
                $crate::assistance::assistance_columns!(),
                ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
            ))
            .bind(&a.object)
            .bind(&a.village_code)
            .bind(&a.pendamping)
            .bind(a.penduduk_id)
            .bind(&a.resident_name)
            .bind(&a.consent_method)
            .bind(&a.consent_witness)
            .bind(&a.contact_email)
            .bind(&a.contact_phone)
            .bind(a.at)
            .execute(&mut **tx)
            .await?;
            Ok(())
        }

        #[async_trait::async_trait]
        impl $crate::assistance::AssistanceRepo for $store {
            async fn assistance_for(&self, object: &str) -> StoreResult<Option<$crate::assistance::Assistance>> {
                Ok(sqlx::query_as(concat!(
                    "SELECT ",
                    $crate::assistance::assistance_columns!(),
                    " FROM assistances WHERE object = $1"
                ))
                .bind(object)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn assistances(
                &self,
                village_code: &str,
                pendamping: Option<&str>,
                limit: i64,
            ) -> StoreResult<Vec<$crate::assistance::Assistance>> {
                Ok(sqlx::query_as(concat!(
                    "SELECT ",
                    $crate::assistance::assistance_columns!(),
                    " FROM assistances WHERE village_code = $1 AND ($2 IS NULL OR pendamping = $2) \
                     ORDER BY at DESC, object LIMIT $3"
                ))
                .bind(village_code)
                .bind(pendamping)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }
        }
    };
}

pub(crate) use impl_assistance_repo;
