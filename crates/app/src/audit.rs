//! Reading and verifying the audit trail.

use balai_domain::audit::{AuditRecord, verify_chain};
use balai_domain::roles::{Permission, Target};
use balai_domain::wilayah::KodeWilayah;
use chrono::DateTime;

use crate::{Actor, App, AppError, AppResult};

/// An audit record as shown to staff.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub seq: i64,
    /// Local time, `2026-11-23 14:05`.
    pub at: String,
    pub actor: String,
    pub action: String,
    pub object: String,
    pub details: String,
}

impl App {
    /// Walks the whole chain and checks every link and hash against the stored head. Returns the
    /// number of records checked, or where the chain breaks.
    pub async fn verify_audit(&self, actor: &Actor) -> AppResult<Result<u64, balai_domain::audit::ChainBreak>> {
        if !matches!(actor, Actor::System) {
            return Err(AppError::Forbidden);
        }
        // Read the head first: records appended meanwhile come after it and are ignored.
        let (head_seq, head_hash) = self.store.audit_head().await?;
        let mut records: Vec<AuditRecord> = Vec::new();
        let mut after = 0;
        while after < head_seq {
            let page = self.store.audit_records(after, 5_000).await?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            records.extend(page.into_iter().filter(|r| r.seq <= head_seq));
        }
        Ok(verify_chain(records.iter(), Some((head_seq, head_hash.as_str()))))
    }

    /// Recent audit records about a region and what lies in it, for staff allowed to see them.
    pub async fn region_audit(&self, actor: &Actor, code: &str) -> AppResult<Vec<AuditEntry>> {
        let kode = KodeWilayah::parse(code).map_err(|_| AppError::NotFound)?;
        actor.require(Permission::ViewAudit, &Target::Wilayah(&kode))?;
        self.audit_of_object(&format!("wilayah:{}", kode.as_str()), 100).await
    }

    pub(crate) async fn audit_of_object(&self, object_prefix: &str, limit: i64) -> AppResult<Vec<AuditEntry>> {
        let offset = self.config.utc_offset;
        Ok(self
            .store
            .audit_recent(object_prefix, limit)
            .await?
            .into_iter()
            .map(|r| AuditEntry {
                seq: r.seq,
                at: DateTime::from_timestamp_micros(r.at_micros)
                    .map(|t| balai_domain::calendar::format_waktu(t, offset))
                    .unwrap_or_default(),
                actor: r.actor,
                action: r.action,
                object: r.object,
                details: r.details,
            })
            .collect())
    }
}
