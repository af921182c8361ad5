use balai_domain::roles::{Permission, RoleGrant, Target, any_allows};
use balai_store::UserRecord;

use crate::{AppError, AppResult};

/// A signed-in staff member as the use-cases see them: no password hash.
#[derive(Debug, Clone)]
pub struct StaffUser {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub grants: Vec<RoleGrant>,
}

impl From<UserRecord> for StaffUser {
    fn from(u: UserRecord) -> Self {
        StaffUser { id: u.id, username: u.username, full_name: u.full_name, grants: u.grants }
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
    /// The operator at the command line (`balai …`), who owns the installation.
    System,
}

impl Actor {
    pub fn audit_name(&self) -> String {
        match self {
            Actor::Anonymous { ip } => format!("anon:{ip}"),
            Actor::Staff(u) => format!("user:{}:{}", u.id, u.username),
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
            Actor::Anonymous { .. } => false,
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
