//! Signing in and out. Sessions live in the database, so any app instance can serve any request;
//! the browser holds a random token and the database only its SHA-256.

use argon2::password_hash::PasswordVerifier;
use balai_domain::throttle::LoginThrottle;
use base64::Engine;
use rand::RngCore;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::users::hash_password;
use crate::{Actor, App, AppError, AppResult, StaffUser};

/// Bytes of randomness in a session token (256 bits).
pub const SESSION_COOKIE_BYTES: usize = 32;

#[derive(Debug, Clone)]
pub struct LoginOutcome {
    /// The token for the session cookie; only its hash is stored.
    pub token: String,
    pub user: StaffUser,
}

impl App {
    /// Checks a username and password. Five failures within 15 minutes, counted per account and
    /// per address, lock further attempts for 15 minutes whatever the password.
    pub async fn login(&self, username: &str, password: &str, ip: &str) -> AppResult<LoginOutcome> {
        let username = username.trim().to_lowercase();
        let now = self.now();
        let throttle = LoginThrottle::default();
        let account_key = format!("user:{username}");
        let ip_key = format!("ip:{ip}");
        for key in [&account_key, &ip_key] {
            let failures = self.store.login_failures(key, now - throttle.window).await?;
            if let Some(until) = throttle.locked_until(&failures, now) {
                return Err(AppError::LockedOut { until });
            }
        }
        let user = self.store.user_by_username(&username).await?.filter(|u| u.active);
        // Verify against a real hash even for unknown accounts, so timing does not reveal them.
        let stored_hash = match &user {
            Some(u) => u.password_hash.clone(),
            None => dummy_hash().await?,
        };
        let matches = verify_password(password.to_string(), stored_hash).await?;
        let actor = Actor::Anonymous { ip: ip.to_string() };
        match user {
            Some(user) if matches => {
                self.store.clear_login_failures(&account_key).await?;
                let token = new_token();
                let session = balai_store::NewSession {
                    token_hash: token_hash(&token),
                    user_id: user.id,
                    created_at: now,
                    expires_at: now + self.config.session_ttl,
                };
                let user = StaffUser::from(user);
                let event = self.audit_event(
                    &Actor::Staff(user.clone()),
                    "session.login",
                    format!("user:{}", user.username),
                    json!({"ip": ip}),
                );
                self.store.create_session(&session, event).await?;
                Ok(LoginOutcome { token, user })
            }
            _ => {
                let event = self.audit_event(&actor, "session.login_failed", format!("user:{username}"), json!({}));
                self.store.record_login_failure(&[account_key, ip_key], event).await?;
                Err(AppError::LoginFailed)
            }
        }
    }

    /// The staff member a session token belongs to, if it is valid and unexpired.
    pub async fn authenticate(&self, token: &str) -> AppResult<Option<StaffUser>> {
        if token.is_empty() || token.len() > 100 {
            return Ok(None);
        }
        Ok(self.store.session_user(&token_hash(token), self.now()).await?.map(StaffUser::from))
    }

    pub async fn logout(&self, actor: &Actor, token: &str) -> AppResult<()> {
        let event = self.audit_event(actor, "session.logout", actor.audit_name(), json!({}));
        self.store.delete_session(&token_hash(token), event).await?;
        Ok(())
    }
}

pub(crate) fn new_token() -> String {
    let mut bytes = [0u8; SESSION_COOKIE_BYTES];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub(crate) async fn dummy_hash() -> AppResult<String> {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DUMMY.get_or_try_init(|| hash_password("not-a-real-password".to_string())).await.cloned()
}

pub(crate) async fn verify_password(password: String, hash: String) -> AppResult<bool> {
    tokio::task::spawn_blocking(move || {
        let Ok(parsed) = argon2::password_hash::phc::PasswordHash::new(&hash) else { return false };
        argon2::Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok()
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))
}
