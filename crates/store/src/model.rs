use balai_domain::calendar::Holiday;
use balai_domain::roles::RoleGrant;
use balai_domain::wilayah::KodeWilayah;
use chrono::{DateTime, Utc};

/// What happened, by whom, to what: written to the audit chain with the change it describes.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub at: DateTime<Utc>,
    /// Who did it: `user:<id>:<username>`, `cli`, `system`, or `anon:<ip>`.
    pub actor: String,
    /// A dotted verb, e.g. `region.import`, `user.create`, `session.login`.
    pub action: String,
    /// What it was done to, e.g. `wilayah:32.07.01.2001`, `user:5`, `office:dinas-pupr`.
    pub object: String,
    /// Details as JSON; never personal data beyond what the change itself needs.
    pub details: serde_json::Value,
}

/// The public contact details of a village office, editable by its staff.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VillageProfile {
    pub code: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub head_name: String,
    /// The maklumat pelayanan (service pledge) the village publishes; empty: none yet.
    pub maklumat: String,
    pub updated_at: Option<DateTime<Utc>>,
}

/// A regency agency (OPD) that receives work by disposition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Office {
    pub slug: String,
    pub name: String,
    pub regency: KodeWilayah,
    pub address: String,
    pub phone: String,
    pub email: String,
}

/// A holiday as stored: the domain's holiday plus where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredHoliday {
    pub holiday: Holiday,
    pub source: String,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub full_name: String,
    pub email: String,
    pub nip: String,
    pub password_hash: String,
    pub grants: Vec<RoleGrant>,
}

/// A staff account with its role grants. The password hash never leaves the app layer.
#[derive(Debug, Clone)]
pub struct UserRecord {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub email: String,
    pub nip: String,
    pub password_hash: String,
    pub active: bool,
    pub grants: Vec<RoleGrant>,
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub token_hash: String,
    pub user_id: i64,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}
