//! REST API tokens for staff: made by the staff member (or at the command line), shown once,
//! stored as a hash, revocable. A token acts with exactly its owner's roles.

use serde_json::json;

use crate::auth::{new_token, token_hash};
use crate::{Actor, App, AppError, AppResult, StaffUser};

/// A token as its owner sees it listed.
#[derive(Debug, Clone)]
pub struct ApiTokenListing {
    /// The first characters of the token's hash: enough to tell tokens apart and to revoke one.
    pub id: String,
    pub name: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub revoked: bool,
}

impl App {
    /// Makes a token for `username` (the staff member themselves, or anyone from the command
    /// line). Returns the token, which is not stored and cannot be shown again.
    pub async fn create_api_token(&self, actor: &Actor, username: &str, name: &str) -> AppResult<String> {
        let user = self.store.user_by_username(&username.trim().to_lowercase()).await?.filter(|u| u.active);
        let user = match (actor, user) {
            (Actor::System, Some(u)) => u,
            (Actor::Staff(me), Some(u)) if me.id == u.id => u,
            (Actor::Anonymous { .. }, _) => return Err(AppError::Unauthenticated),
            (Actor::System, None) => {
                return Err(AppError::invalid(
                    "username",
                    format!("Tidak ada akun aktif bernama \"{}\".", username.trim()),
                ));
            }
            _ => return Err(AppError::NotFound),
        };
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 80 {
            return Err(AppError::invalid(
                "name",
                "Beri nama token (1–80 huruf), misalnya nama aplikasi yang memakainya.",
            ));
        }
        let token = format!("balai_{}", new_token());
        let audit =
            self.audit_event(actor, "api_token.create", format!("user:{}", user.username), json!({"name": name}));
        self.store.create_api_token(&token_hash(&token), user.id, name, audit).await?;
        Ok(token)
    }

    /// The staff member a bearer token acts for, if the token is live and its owner active.
    pub async fn authenticate_api(&self, token: &str) -> AppResult<Option<StaffUser>> {
        if !token.starts_with("balai_") || token.len() > 100 {
            return Ok(None);
        }
        let Some(user_id) = self.store.api_token_user(&token_hash(token)).await? else { return Ok(None) };
        Ok(self.store.user(user_id).await?.filter(|u| u.active).map(StaffUser::from))
    }

    pub async fn api_tokens(&self, actor: &Actor) -> AppResult<Vec<ApiTokenListing>> {
        let Actor::Staff(me) = actor else { return Err(AppError::Unauthenticated) };
        Ok(self
            .store
            .api_tokens_of(me.id)
            .await?
            .into_iter()
            .map(|t| ApiTokenListing {
                id: t.token_hash.chars().take(12).collect(),
                name: t.name,
                created_at: t.created_at,
                revoked: t.revoked_at.is_some(),
            })
            .collect())
    }

    /// Revokes one of the actor's own tokens, named by the start of its hash.
    pub async fn revoke_api_token(&self, actor: &Actor, id: &str) -> AppResult<()> {
        let Actor::Staff(me) = actor else { return Err(AppError::Unauthenticated) };
        let token = self
            .store
            .api_tokens_of(me.id)
            .await?
            .into_iter()
            .find(|t| id.len() >= 12 && t.token_hash.starts_with(id) && t.revoked_at.is_none())
            .ok_or(AppError::NotFound)?;
        let audit =
            self.audit_event(actor, "api_token.revoke", format!("user:{}", me.username), json!({"name": token.name}));
        self.store.revoke_api_token(&token.token_hash, me.id, audit).await?;
        Ok(())
    }
}
