//! Staff accounts: created by the regency admin (or at the command line), each role scoped to a
//! region or an office.

use argon2::password_hash::PasswordHasher;
use balai_domain::roles::{Permission, Role, RoleGrant, Scope, Target};
use balai_domain::wilayah::KodeWilayah;
use balai_store::{NewUser, UserRecord};
use rand::Rng;
use serde_json::json;

use crate::regions::{check_email, check_text, clean_text};
use crate::{Actor, App, AppError, AppResult, FieldError};

pub const MIN_PASSWORD_CHARS: usize = 10;

#[derive(Debug, Clone, Default)]
pub struct NewStaffInput {
    pub username: String,
    pub full_name: String,
    pub email: String,
    pub nip: String,
    /// When empty, a strong password is generated and returned once.
    pub password: String,
    /// (role, scope) pairs as typed: `operator_desa` + `32.07.01.2001`, `penghubung_opd` + `dinas-pupr`.
    pub grants: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct CreatedUser {
    pub id: i64,
    pub username: String,
    /// The generated password, shown once; `None` when the creator chose it.
    pub generated_password: Option<String>,
}

impl App {
    pub async fn create_staff(&self, actor: &Actor, input: NewStaffInput) -> AppResult<CreatedUser> {
        let username = input.username.trim().to_lowercase();
        let full_name = clean_text(&input.full_name);
        let email = input.email.trim().to_string();
        let nip: String = input.nip.chars().filter(|c| !c.is_whitespace()).collect();
        let mut errors = Vec::new();
        if !is_valid_username(&username) {
            errors.push(FieldError::new(
                "username",
                "Nama pengguna berisi 3–32 huruf kecil, angka, titik, garis bawah atau tanda hubung.",
            ));
        }
        if full_name.is_empty() {
            errors.push(FieldError::new("full_name", "Isi nama lengkap."));
        }
        check_text(&mut errors, "full_name", "Nama lengkap", &full_name, 100);
        check_email(&mut errors, "email", &email);
        if !nip.is_empty() && (nip.len() != 18 || !nip.chars().all(|c| c.is_ascii_digit())) {
            errors.push(FieldError::new("nip", "NIP berisi 18 angka (kosongkan bila bukan ASN)."));
        }
        if !input.password.is_empty() && input.password.chars().count() < MIN_PASSWORD_CHARS {
            errors
                .push(FieldError::new("password", format!("Kata sandi paling sedikit {MIN_PASSWORD_CHARS} karakter.")));
        }
        let mut grants = Vec::new();
        if input.grants.is_empty() {
            errors.push(FieldError::new("role", "Pilih paling sedikit satu peran."));
        }
        for (role, scope) in &input.grants {
            match parse_grant(role, scope) {
                Ok(grant) => grants.push(grant),
                Err(e) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        for grant in &grants {
            self.require_manage_grant(actor, grant).await?;
        }
        let (password, generated) = if input.password.is_empty() {
            let p = generate_password();
            (p.clone(), Some(p))
        } else {
            (input.password.clone(), None)
        };
        let password_hash = hash_password(password).await?;
        let user = NewUser { username: username.clone(), full_name, email, nip, password_hash, grants };
        let grants_json: Vec<String> = user.grants.iter().map(describe_grant).collect();
        let event = self.audit_event(
            actor,
            "user.create",
            format!("user:{username}"),
            json!({"full_name": user.full_name, "grants": grants_json}),
        );
        let id = self.store.create_user(&user, event).await.map_err(|e| match e {
            balai_store::StoreError::Conflict(_) => {
                AppError::invalid("username", format!("Nama pengguna \"{username}\" sudah dipakai."))
            }
            other => other.into(),
        })?;
        Ok(CreatedUser { id, username, generated_password: generated })
    }

    /// Sets a new generated password for an account (command line only) and ends its sessions.
    pub async fn reset_password(&self, actor: &Actor, username: &str) -> AppResult<String> {
        if !matches!(actor, Actor::System) {
            return Err(AppError::Forbidden);
        }
        let username = username.trim().to_lowercase();
        let user = self
            .store
            .user_by_username(&username)
            .await?
            .ok_or_else(|| AppError::invalid("username", format!("Tidak ada akun bernama \"{username}\".")))?;
        let password = generate_password();
        let hash = hash_password(password.clone()).await?;
        let event = self.audit_event(actor, "user.password.reset", format!("user:{}", user.username), json!({}));
        self.store.set_password(user.id, &hash, event).await?;
        Ok(password)
    }

    /// Staff accounts the actor may see: those with at least one role inside the actor's scope.
    pub async fn visible_staff(&self, actor: &Actor) -> AppResult<Vec<UserRecord>> {
        let mut visible = Vec::new();
        for user in self.store.users().await? {
            let mut sees = false;
            for grant in &user.grants {
                sees |= self.grant_target_allows(actor, Permission::ViewStaff, grant).await?;
            }
            if sees {
                visible.push(user);
            }
        }
        Ok(visible)
    }

    /// Staff whose role is scoped to exactly this region.
    pub(crate) async fn staff_of_region(&self, code: &KodeWilayah) -> AppResult<Vec<UserRecord>> {
        Ok(self
            .store
            .users()
            .await?
            .into_iter()
            .filter(|u| u.grants.iter().any(|g| matches!(&g.scope, Scope::Wilayah(c) if c == code)))
            .collect())
    }

    async fn require_manage_grant(&self, actor: &Actor, grant: &RoleGrant) -> AppResult<()> {
        match &grant.scope {
            Scope::Wilayah(code) if self.store.region(code).await?.is_none() => {
                Err(AppError::invalid("scope", format!("Wilayah {code} belum ada di data wilayah.")))
            }
            Scope::Office(slug) if self.store.office(slug).await?.is_none() => {
                Err(AppError::invalid("scope", format!("OPD \"{slug}\" belum terdaftar.")))
            }
            _ if self.grant_target_allows(actor, Permission::ManageStaff, grant).await? => Ok(()),
            _ => Err(AppError::Forbidden),
        }
    }

    async fn grant_target_allows(&self, actor: &Actor, permission: Permission, grant: &RoleGrant) -> AppResult<bool> {
        Ok(match &grant.scope {
            Scope::Wilayah(code) => actor.may(permission, &Target::Wilayah(code)),
            Scope::Office(slug) => match self.store.office(slug).await? {
                Some(office) => actor.may(permission, &Target::Office { slug, regency: &office.regency }),
                None => false,
            },
        })
    }
}

pub(crate) fn describe_grant(grant: &RoleGrant) -> String {
    match &grant.scope {
        Scope::Wilayah(code) => format!("{}@{}", grant.role.as_str(), code),
        Scope::Office(slug) => format!("{}@{}", grant.role.as_str(), slug),
    }
}

fn parse_grant(role: &str, scope: &str) -> Result<RoleGrant, FieldError> {
    let role: Role = role
        .trim()
        .parse()
        .map_err(|_| FieldError::new("role", format!("Peran \"{}\" tidak dikenal.", role.trim())))?;
    let scope = if role == Role::PenghubungOpd {
        Scope::Office(scope.trim().to_lowercase())
    } else {
        Scope::Wilayah(KodeWilayah::parse(scope).map_err(|e| FieldError::new("scope", e.message_id()))?)
    };
    RoleGrant::new(role, scope).map_err(|e| FieldError::new("scope", e.message_id()))
}

fn is_valid_username(username: &str) -> bool {
    (3..=32).contains(&username.len())
        && username.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
}

/// 16 characters from an alphabet without look-alikes (no 0/O, 1/l/I): about 90 bits.
pub(crate) fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..16).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}

/// argon2id with the crate's defaults (OWASP's minimum: 19 MiB, 2 passes), off the async threads.
pub(crate) async fn hash_password(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || {
        argon2::Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing a password: {e}")))
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?
}

impl App {
    /// The regions in which the actor administers staff and offices; `NotFound` when none, so the
    /// admin pages do not exist for anyone else.
    pub fn managed_regions(&self, actor: &Actor) -> AppResult<Vec<KodeWilayah>> {
        let regions: Vec<KodeWilayah> = match actor {
            Actor::Staff(user) => user
                .grants
                .iter()
                .filter_map(|g| match &g.scope {
                    Scope::Wilayah(code) if actor.may(Permission::ManageStaff, &Target::Wilayah(code)) => {
                        Some(code.clone())
                    }
                    _ => None,
                })
                .collect(),
            Actor::System => self.config.home_region.iter().cloned().collect(),
            Actor::Resident(_) => Vec::new(),
            Actor::Anonymous { .. } => return Err(AppError::Unauthenticated),
        };
        if regions.is_empty() { Err(AppError::NotFound) } else { Ok(regions) }
    }

    /// Whether the actor may edit this village's profile (for showing the form).
    pub fn may_edit_village(&self, actor: &Actor, code: &str) -> bool {
        KodeWilayah::parse(code).is_ok_and(|k| actor.may(Permission::EditVillageProfile, &Target::Wilayah(&k)))
    }
}
