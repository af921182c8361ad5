//! Subscriptions to a village's announcements: anyone asks with a phone number or an email
//! address; the person at that address confirms from the link they are sent; every broadcast
//! carries the same link, whose page stops the subscription with one button.

use balai_domain::langganan::{self, Channel, Status};
use balai_domain::wilayah::Region;
use balai_store::outbox::NewMessage;
use balai_store::subscriptions::{Subscription, SubscriptionAsk};
use chrono::Duration;
use serde_json::json;

use crate::messages::mask_recipient;
use crate::{Actor, App, AppError, AppResult};

/// A confirmation is not sent again to the same address within this time.
const RESEND_AFTER_MINUTES: i64 = 10;
/// At most this many subscriptions of one village are asked for in an hour (each costs a
/// message; a script trying numbers must not run up the village's SMS bill).
const ASKS_PER_VILLAGE_PER_HOUR: i64 = 60;

/// What asking for a subscription did. The page says the same in every case ("check your
/// messages"), so that it does not tell a stranger whether an address is subscribed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AskOutcome {
    /// A message went to the address (a confirmation, or a note that it is already subscribed).
    Sent,
    /// A message went there minutes ago; none was sent again.
    RecentlySent,
}

/// A subscription as its own page shows it (to whoever holds its link).
#[derive(Debug, Clone)]
pub struct SubscriptionView {
    pub village: Region,
    pub channel: Channel,
    pub status: Status,
    /// The address partly hidden (the link may have been forwarded).
    pub address: String,
    pub token: String,
}

/// The page behind a subscription's link: its secret, as sent.
pub fn subscription_path(token: &str) -> String {
    format!("/langganan/{token}")
}

/// Tokens are 22 URL-safe characters (128 random bits).
fn new_token() -> String {
    use base64::Engine;
    use rand::Rng;
    let bytes: [u8; 16] = rand::rng().random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub const TOKEN_LEN: usize = 22;

impl App {
    /// Asks for a subscription to the village's announcements and sends the person at the address
    /// the link that confirms it. Bad input: `Invalid`, nothing stored or sent.
    pub async fn ask_subscription(
        &self,
        actor: &Actor,
        village: &str,
        channel: &str,
        address: &str,
    ) -> AppResult<AskOutcome> {
        let (village, _) = self.village_region(village).await?;
        let checked =
            langganan::check_subscription(channel, address).map_err(|p| AppError::invalid(p.field, p.message))?;
        let code = village.code.as_str().to_string();
        let now = self.now();
        let existing = self.store.subscription_for(&code, checked.channel.as_str(), &checked.address).await?;
        if existing.as_ref().is_some_and(|s| now - s.asked_at < Duration::minutes(RESEND_AFTER_MINUTES)) {
            return Ok(AskOutcome::RecentlySent);
        }
        if self.store.subscriptions_asked_since(&code, now - Duration::hours(1)).await? >= ASKS_PER_VILLAGE_PER_HOUR {
            return Err(AppError::invalid(
                "address",
                "Terlalu banyak permintaan langganan untuk desa ini dalam satu jam terakhir. Coba lagi nanti.",
            ));
        }
        let title = village.title();
        let base = self.config().public_url.trim_end_matches('/').to_string();
        let channel = checked.channel;
        let message = Box::new(move |stored: &Subscription| {
            let link = format!("{base}{}", subscription_path(&stored.token));
            let text = if stored.status == Status::Active.as_str() {
                langganan::already_subscribed(channel, &title, &link)
            } else {
                langganan::confirmation(channel, &title, &link)
            };
            NewMessage {
                channel: channel.as_str().into(),
                recipient: stored.address.clone(),
                subject: text.subject,
                body: text.body,
                topic: format!("langganan:{}", stored.id),
            }
        });
        let audit = self.audit_event(
            actor,
            "subscription.ask",
            format!("wilayah:{code}/langganan"),
            json!({"channel": channel.as_str(), "address": mask_recipient(&checked.address)}),
        );
        let ask = SubscriptionAsk {
            village_code: code,
            channel: channel.as_str().into(),
            address: checked.address,
            token: new_token(),
        };
        self.store.ask_subscription(&ask, now, message, audit).await?;
        Ok(AskOutcome::Sent)
    }

    /// The subscription behind a link; an unknown token is not found.
    pub async fn subscription(&self, token: &str) -> AppResult<SubscriptionView> {
        let token = token.trim();
        if token.len() != TOKEN_LEN {
            return Err(AppError::NotFound);
        }
        let stored = self.store.subscription_by_token(token).await?.ok_or(AppError::NotFound)?;
        let (village, _) = self.village_region(&stored.village_code).await?;
        Ok(SubscriptionView {
            village,
            channel: stored.channel.parse().map_err(|e: String| AppError::Internal(anyhow::anyhow!(e)))?,
            status: stored.status.parse().map_err(|e: String| AppError::Internal(anyhow::anyhow!(e)))?,
            address: mask_recipient(&stored.address),
            token: stored.token,
        })
    }

    /// Confirms a pending subscription (or renews a stopped one) from its link.
    pub async fn confirm_subscription(&self, actor: &Actor, token: &str) -> AppResult<()> {
        self.move_subscription(
            actor,
            token,
            &[Status::Pending, Status::Stopped],
            Status::Active,
            "subscription.confirm",
        )
        .await
    }

    /// Stops a subscription from its link: no broadcast goes to it any more.
    pub async fn stop_subscription(&self, actor: &Actor, token: &str) -> AppResult<()> {
        self.move_subscription(actor, token, &[Status::Pending, Status::Active], Status::Stopped, "subscription.stop")
            .await
    }

    async fn move_subscription(
        &self,
        actor: &Actor,
        token: &str,
        from: &[Status],
        to: Status,
        action: &str,
    ) -> AppResult<()> {
        let view = self.subscription(token).await?;
        let audit = self.audit_event(
            actor,
            action,
            format!("wilayah:{}/langganan", view.village.code),
            json!({"channel": view.channel.as_str(), "address": view.address}),
        );
        let from: Vec<&str> = from.iter().map(Status::as_str).collect();
        if !self.store.set_subscription_status(&view.token, &from, to.as_str(), self.now(), audit).await? {
            return Err(AppError::AlreadyDone(match to {
                Status::Stopped => "Langganan ini sudah berhenti.".into(),
                _ => "Langganan ini sudah aktif.".into(),
            }));
        }
        Ok(())
    }

    /// How many people receive the village's broadcasts (for its staff).
    pub async fn active_subscribers(&self, village: &str) -> AppResult<i64> {
        Ok(self.store.active_subscribers(village).await?)
    }
}
