use balai_domain::roles::{Permission, RoleGrant, Target, any_allows};
use balai_store::UserRecord;
use balai_store::residents::Resident;

use crate::{AppError, AppResult};

/// A signed-in staff member as the use-cases see them: no password hash.
#[derive(Debug, Clone)]
pub struct StaffUser {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    /// Civil-servant number, printed under a signature (empty for village officials without one).
    pub nip: String,
    pub grants: Vec<RoleGrant>,
}

impl From<UserRecord> for StaffUser {
    fn from(u: UserRecord) -> Self {
        StaffUser { id: u.id, username: u.username, full_name: u.full_name, nip: u.nip, grants: u.grants }
    }
}

/// A signed-in resident as the use-cases see them: no password hash.
#[derive(Debug, Clone)]
pub struct ResidentUser {
    pub id: i64,
    pub nik: String,
    pub village_code: String,
    pub full_name: String,
    pub phone: String,
    pub email: String,
    /// `menunggu`, `terverifikasi` or `ditolak`.
    pub status: String,
    pub status_note: String,
    /// Set once the village has confirmed the NIK against its register.
    pub penduduk_id: Option<i64>,
}

impl From<Resident> for ResidentUser {
    fn from(r: Resident) -> Self {
        ResidentUser {
            id: r.id,
            nik: r.nik,
            village_code: r.village_code,
            full_name: r.full_name,
            phone: r.phone,
            email: r.email,
            status: r.status,
            status_note: r.status_note,
            penduduk_id: r.penduduk_id,
        }
    }
}

impl ResidentUser {
    pub fn is_confirmed(&self) -> bool {
        self.status == "terverifikasi" && self.penduduk_id.is_some()
    }
}

/// Who is asking. Every use-case takes one and decides from it what is allowed.
#[derive(Debug, Clone)]
pub enum Actor {
    /// A visitor who has not signed in, known only by address.
    Anonymous {
        ip: String,
    },
    Staff(StaffUser),
    /// A resident (warga) signed in to their own account.
    Resident(ResidentUser),
    /// The operator at the command line (`balai …`), who owns the installation.
    System,
}

impl Actor {
    pub fn audit_name(&self) -> String {
        match self {
            Actor::Anonymous { ip } => format!("anon:{ip}"),
            Actor::Staff(u) => format!("user:{}:{}", u.id, u.username),
            Actor::Resident(r) => format!("warga:{}", r.id),
            Actor::System => "cli".to_string(),
        }
    }

    pub fn staff(&self) -> Option<&StaffUser> {
        match self {
            Actor::Staff(u) => Some(u),
            _ => None,
        }
    }

    /// Whether this actor may do `permission` to `target`. The command-line operator may do
    /// everything; anonymous visitors nothing that needs a permission.
    pub fn may(&self, permission: Permission, target: &Target) -> bool {
        match self {
            Actor::System => true,
            Actor::Staff(u) => any_allows(&u.grants, permission, target),
            Actor::Anonymous { .. } | Actor::Resident(_) => false,
        }
    }

    /// Whether this actor may do any of `permissions` to `target`, failing with `Unauthenticated`
    /// for visitors and `Forbidden` for staff without them: for pages whose existence is no
    /// secret to staff (evaluation, readiness), where being told beats being shown nothing.
    pub fn allow(&self, permissions: &[Permission], target: &Target) -> AppResult<()> {
        match self {
            Actor::Anonymous { .. } | Actor::Resident(_) => Err(AppError::Unauthenticated),
            _ if permissions.iter().any(|p| self.may(*p, target)) => Ok(()),
            _ => Err(AppError::Forbidden),
        }
    }

    /// As `may`, failing with `Unauthenticated` for visitors and `NotFound` for staff out of scope,
    /// so that probing ids outside one's scope reveals nothing about what exists there.
    pub fn require(&self, permission: Permission, target: &Target) -> AppResult<()> {
        match self {
            Actor::Anonymous { .. } => Err(AppError::Unauthenticated),
            _ if self.may(permission, target) => Ok(()),
            _ => Err(AppError::NotFound),
        }
    }
}
