//! Delivering the outbox: email over SMTP, WhatsApp and SMS through an HTTP gateway.
//!
//! Messages are queued in the same transaction as the change they tell about (see
//! `balai_store::outbox`). A worker claims due ones under a lease, delivers each and records the
//! outcome: sent, a retry later with exponential backoff, or given up. Several app instances may
//! run workers on one PostgreSQL database: claiming is atomic, so a message goes to one of them.
//!
//! A channel that is not configured fails with a clear error and is retried like any transient
//! failure, so configuring it later still delivers what was waiting (until the last attempt).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use balai_store::outbox::OutboxMessage;
use balai_store::{Store, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::Clock;

/// Where messages go. Empty strings switch a channel off.
#[derive(Clone, Default)]
pub struct DeliverySettings {
    /// `smtp://HOST:PORT` (plain, e.g. a local relay), `smtp://USER:PASS@HOST:587?tls=required`
    /// (STARTTLS), `smtps://USER:PASS@HOST:465` (TLS); empty: no email.
    pub smtp_url: String,
    /// The sender, e.g. `Desa Sukamulya <layanan@sukamulya.desa.id>`.
    pub smtp_from: String,
    /// The WhatsApp/SMS gateway: `POST {"channel", "to", "message"}` as JSON; empty: none.
    pub gateway_url: String,
    /// Sent as `Authorization: Bearer TOKEN` (omitted when empty).
    pub gateway_token: String,
    /// The longest one delivery may take before it counts as failed.
    pub send_timeout: Duration,
}

impl std::fmt::Debug for DeliverySettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeliverySettings")
            .field("smtp_url", &balai_store::redact_url(&self.smtp_url))
            .field("smtp_from", &self.smtp_from)
            .field("gateway_url", &balai_store::redact_url(&self.gateway_url))
            .field("gateway_token", &if self.gateway_token.is_empty() { "" } else { "***" })
            .field("send_timeout", &self.send_timeout)
            .finish()
    }
}

/// Settings that cannot work (a bad URL or sender address), found before anything is sent.
#[derive(Debug, thiserror::Error)]
#[error("message delivery settings: {0}")]
pub struct InvalidDeliverySettings(pub String);

/// Why one delivery failed. Permanent failures are given up at once; the others are retried.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    #[error("saluran {0} belum diatur di instalasi ini")]
    NotConfigured(String),
    #[error("{0}")]
    Transient(String),
    #[error("{0}")]
    Permanent(String),
}

impl DeliveryError {
    pub fn is_permanent(&self) -> bool {
        matches!(self, DeliveryError::Permanent(_))
    }
}

struct EmailChannel {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

struct GatewayChannel {
    client: reqwest::Client,
    url: reqwest::Url,
    token: String,
}

/// Sends one message on its channel. Cheap to share (`Arc`) between a worker and a CLI.
pub struct Deliverer {
    email: Option<EmailChannel>,
    gateway: Option<GatewayChannel>,
    send_timeout: Duration,
}

impl Deliverer {
    /// Checks the settings and prepares the channels (no connection is made yet).
    pub fn new(settings: &DeliverySettings) -> Result<Deliverer, InvalidDeliverySettings> {
        let send_timeout =
            if settings.send_timeout.is_zero() { Duration::from_secs(30) } else { settings.send_timeout };
        let email = match settings.smtp_url.trim() {
            "" => None,
            url => {
                if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
                    return Err(InvalidDeliverySettings(format!(
                        "smtp_url `{}` must start with smtp:// or smtps://",
                        balai_store::redact_url(url)
                    )));
                }
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| InvalidDeliverySettings(format!("smtp_url `{}`: {e}", balai_store::redact_url(url))))?
                    .timeout(Some(send_timeout))
                    .build();
                if settings.smtp_from.trim().is_empty() {
                    return Err(InvalidDeliverySettings("smtp_from is required when smtp_url is set".into()));
                }
                let from: Mailbox = settings.smtp_from.trim().parse().map_err(|e| {
                    InvalidDeliverySettings(format!("smtp_from `{}` is not an email address: {e}", settings.smtp_from))
                })?;
                Some(EmailChannel { transport, from })
            }
        };
        let gateway = match settings.gateway_url.trim() {
            "" => None,
            url => {
                let parsed = reqwest::Url::parse(url)
                    .ok()
                    .filter(|u| matches!(u.scheme(), "http" | "https"))
                    .ok_or_else(|| InvalidDeliverySettings(format!("wa_gateway_url `{url}` is not an http(s) URL")))?;
                let client = reqwest::Client::builder()
                    .timeout(send_timeout)
                    .user_agent(concat!("balai/", env!("CARGO_PKG_VERSION")))
                    .build()
                    .map_err(|e| InvalidDeliverySettings(format!("HTTP client: {e}")))?;
                Some(GatewayChannel { client, url: parsed, token: settings.gateway_token.trim().to_string() })
            }
        };
        Ok(Deliverer { email, gateway, send_timeout })
    }

    /// A deliverer with no channel configured: every message waits (and is retried).
    pub fn unconfigured() -> Deliverer {
        Deliverer { email: None, gateway: None, send_timeout: Duration::from_secs(30) }
    }

    /// Which channels can deliver, for logs and the staff overview.
    pub fn channels(&self) -> Vec<&'static str> {
        let mut channels = Vec::new();
        if self.email.is_some() {
            channels.push("email");
        }
        if self.gateway.is_some() {
            channels.extend(["whatsapp", "sms"]);
        }
        channels
    }

    /// Delivers one message on its channel, within the send timeout.
    pub async fn deliver(&self, message: &OutboxMessage) -> Result<(), DeliveryError> {
        let send = async {
            match message.channel.as_str() {
                "email" => self.send_email(message).await,
                "whatsapp" | "sms" => self.send_via_gateway(message).await,
                other => Err(DeliveryError::Permanent(format!("saluran {other} tidak dikenal"))),
            }
        };
        match tokio::time::timeout(self.send_timeout, send).await {
            Ok(result) => result,
            Err(_) => {
                Err(DeliveryError::Transient(format!("tidak ada jawaban dalam {} detik", self.send_timeout.as_secs())))
            }
        }
    }

    async fn send_email(&self, message: &OutboxMessage) -> Result<(), DeliveryError> {
        let Some(email) = &self.email else { return Err(DeliveryError::NotConfigured("email".into())) };
        let to: Mailbox = message
            .recipient
            .trim()
            .parse()
            .map_err(|e| DeliveryError::Permanent(format!("{} bukan alamat email: {e}", message.recipient)))?;
        // The same id at every attempt, so a receiving server can drop a duplicate (a worker that
        // died after sending but before recording it).
        let domain = email.from.email.domain().to_string();
        let message_id = format!("<outbox.{}.{}@{}>", message.id, message.created_at.timestamp_micros(), domain);
        let mail = lettre::Message::builder()
            .from(email.from.clone())
            .to(to)
            .subject(message.subject.clone())
            .message_id(Some(message_id))
            .header(ContentType::TEXT_PLAIN)
            .body(message.body.clone())
            .map_err(|e| DeliveryError::Permanent(format!("email tidak dapat disusun: {e}")))?;
        match email.transport.send(mail).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(DeliveryError::Permanent(format!("server SMTP menolak: {e}"))),
            Err(e) => Err(DeliveryError::Transient(format!("server SMTP gagal: {}", error_chain(&e)))),
        }
    }

    async fn send_via_gateway(&self, message: &OutboxMessage) -> Result<(), DeliveryError> {
        let Some(gateway) = &self.gateway else { return Err(DeliveryError::NotConfigured(message.channel.clone())) };
        let text = if message.subject.trim().is_empty() {
            message.body.clone()
        } else {
            format!("{}\n\n{}", message.subject, message.body)
        };
        let payload = serde_json::json!({ "channel": message.channel, "to": message.recipient, "message": text });
        let mut request = gateway.client.post(gateway.url.clone()).json(&payload);
        if !gateway.token.is_empty() {
            request = request.bearer_auth(&gateway.token);
        }
        let response = request
            .send()
            .await
            .map_err(|e| DeliveryError::Transient(format!("gateway tidak terjangkau: {}", error_chain(&e))))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let body = response.text().await.unwrap_or_default();
        let detail: String = body.trim().chars().take(200).collect();
        let said = format!("gateway menjawab {status}: {detail}");
        // 400 and 422: the gateway refuses this message (a bad number, say): trying again will not
        // help. Anything else (5xx, 429, a wrong token or URL) may be fixed by time or by staff.
        if matches!(status.as_u16(), 400 | 422) {
            Err(DeliveryError::Permanent(said))
        } else {
            Err(DeliveryError::Transient(said))
        }
    }
}

/// An error and its sources on one line ("connection refused" hides a level down in reqwest).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let said = s.to_string();
        if !text.contains(&said) {
            text.push_str(": ");
            text.push_str(&said);
        }
        source = s.source();
    }
    text
}

/// How the worker claims and retries.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// Messages claimed at once.
    pub batch_size: i64,
    /// Sleep between passes when nothing was due.
    pub poll_interval: Duration,
    /// Attempts before a message is given up (`failed`).
    pub max_attempts: i32,
    /// Wait after the first, second, … failed attempt; the last entry repeats.
    pub backoff: Vec<chrono::Duration>,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        WorkerOptions {
            batch_size: 10,
            poll_interval: Duration::from_secs(2),
            max_attempts: 6,
            backoff: vec![
                chrono::Duration::seconds(30),
                chrono::Duration::minutes(2),
                chrono::Duration::minutes(8),
                chrono::Duration::minutes(30),
                chrono::Duration::hours(2),
            ],
        }
    }
}

impl WorkerOptions {
    /// When to try again after `attempts` failed attempts, or `None` to give up.
    pub fn retry_at(&self, attempts: i32, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if attempts >= self.max_attempts {
            return None;
        }
        let index = usize::try_from(attempts.max(1) - 1).unwrap_or(0);
        let wait = self.backoff.get(index).or(self.backoff.last()).copied().unwrap_or(chrono::Duration::minutes(5));
        Some(now + wait)
    }
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PassReport {
    pub claimed: usize,
    pub sent: usize,
    /// Failed attempts scheduled again.
    pub retried: usize,
    /// Given up (`failed`).
    pub failed: usize,
}

impl PassReport {
    fn add(&mut self, other: PassReport) {
        self.claimed += other.claimed;
        self.sent += other.sent;
        self.retried += other.retried;
        self.failed += other.failed;
    }
}

/// Claims one batch of due messages and delivers them one after the other. The lease covers the
/// whole batch even if every delivery runs into its timeout, so no other worker takes a message
/// this one is still sending.
async fn deliver_batch(
    store: &dyn Store,
    deliverer: &Deliverer,
    options: &WorkerOptions,
    clock: &dyn Clock,
) -> StoreResult<PassReport> {
    let now = clock.now();
    let per_message = chrono::Duration::from_std(deliverer.send_timeout).unwrap_or(chrono::Duration::minutes(1));
    let lease_until = now + per_message * (options.batch_size.clamp(1, 1000) as i32) + chrono::Duration::seconds(30);
    let claimed = store.claim_messages(now, lease_until, options.batch_size.max(1)).await?;
    let mut report = PassReport { claimed: claimed.len(), ..PassReport::default() };
    for message in &claimed {
        let outcome = deliverer.deliver(message).await;
        let now = clock.now();
        let recorded = match outcome {
            Ok(()) => {
                report.sent += 1;
                tracing::debug!(id = message.id, channel = %message.channel, "message sent");
                store.mark_sent(message.id, now).await
            }
            Err(error) => {
                let next = if error.is_permanent() { None } else { options.retry_at(message.attempts, now) };
                match next {
                    Some(at) => {
                        report.retried += 1;
                        tracing::warn!(id = message.id, channel = %message.channel, attempt = message.attempts,
                            retry_at = %at, "message not delivered: {error}");
                    }
                    None => {
                        report.failed += 1;
                        tracing::warn!(id = message.id, channel = %message.channel, attempt = message.attempts,
                            "message given up: {error}");
                    }
                }
                store.mark_failed_attempt(message.id, &error.to_string(), next).await
            }
        };
        match recorded {
            Ok(()) => {}
            // Another worker finished it after this one's lease ran out: nothing left to record.
            Err(StoreError::NotFound(what)) => tracing::warn!("outbox: {what} was already settled"),
            Err(e) => return Err(e),
        }
    }
    Ok(report)
}

/// Delivers everything due now, batch after batch, and says what happened. For tests and the
/// command line; the worker does the same in a loop.
pub async fn deliver_due_once(
    store: &dyn Store,
    deliverer: &Deliverer,
    options: &WorkerOptions,
    clock: &dyn Clock,
) -> StoreResult<PassReport> {
    let mut total = PassReport::default();
    loop {
        let batch = deliver_batch(store, deliverer, options, clock).await?;
        total.add(batch);
        // A short batch means nothing more was due. (Failures are scheduled later than now, and
        // every claim counts an attempt, so this ends even if everything fails.)
        if (batch.claimed as i64) < options.batch_size.max(1) {
            return Ok(total);
        }
    }
}

/// Delivers due messages until `shutdown` resolves: a batch at a time, sleeping `poll_interval`
/// when nothing was due or the database did not answer. A batch under way is finished first.
pub async fn run_worker(
    store: Arc<dyn Store>,
    deliverer: Arc<Deliverer>,
    options: WorkerOptions,
    clock: Arc<dyn Clock>,
    shutdown: impl Future<Output = ()> + Send,
) {
    tokio::pin!(shutdown);
    tracing::info!(channels = ?deliverer.channels(), "outbox worker started");
    loop {
        let full = match deliver_batch(store.as_ref(), &deliverer, &options, clock.as_ref()).await {
            Ok(report) => report.claimed as i64 >= options.batch_size.max(1),
            Err(e) => {
                tracing::warn!("outbox worker: {e}");
                false
            }
        };
        if full {
            // More may be due: go on at once unless asked to stop.
            tokio::select! {
                biased;
                _ = &mut shutdown => break,
                _ = std::future::ready(()) => continue,
            }
        }
        tokio::select! {
            _ = &mut shutdown => break,
            _ = tokio::time::sleep(options.poll_interval) => {}
        }
    }
    tracing::info!("outbox worker stopped");
}

/// The outbox as the regency's administrators see it: counts and the newest messages, with
/// recipients partly hidden (they are residents' phone numbers and addresses).
#[derive(Debug, Clone)]
pub struct OutboxOverview {
    pub counts: balai_store::outbox::MessageCounts,
    pub recent: Vec<OutboxMessage>,
}

/// `+6281234567890` → `+62812****890`; `asep@contoh.id` → `as***@contoh.id`.
pub fn mask_recipient(recipient: &str) -> String {
    if let Some((local, domain)) = recipient.split_once('@') {
        let shown: String = local.chars().take(2).collect();
        return format!("{shown}***@{domain}");
    }
    let chars: Vec<char> = recipient.chars().collect();
    if chars.len() <= 7 {
        return "***".into();
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[chars.len() - 3..].iter().collect();
    format!("{head}****{tail}")
}

impl crate::App {
    /// Delivery figures for the installation's administrators (who manage staff over the home
    /// region); everyone else: not found.
    pub async fn outbox_overview(&self, actor: &crate::Actor) -> crate::AppResult<OutboxOverview> {
        let region = self.config().home_region.clone().ok_or(crate::AppError::NotFound)?;
        actor.require(balai_domain::roles::Permission::ManageStaff, &balai_domain::roles::Target::Wilayah(&region))?;
        let mut recent = self.store().recent_messages(50).await?;
        for m in &mut recent {
            m.recipient = mask_recipient(&m.recipient);
        }
        Ok(OutboxOverview { counts: self.store().message_counts().await?, recent })
    }

    /// The figures `/metrics` publishes beside the HTTP ones: the outbox backlog and what is
    /// open in every queue, per state, with how much is overdue today. Counts only, no content;
    /// who may read `/metrics` is the web layer's setting (`metrics_token`, `metrics_listen`).
    pub async fn operational_gauges(&self) -> crate::AppResult<OperationalGauges> {
        let outbox = self.store().message_counts().await?;
        let open = self.store().queue_gauges(self.today()).await?;
        Ok(OperationalGauges { outbox, open })
    }
}

/// See [`crate::App::operational_gauges`].
#[derive(Debug, Clone)]
pub struct OperationalGauges {
    pub outbox: balai_store::outbox::MessageCounts,
    pub open: balai_store::gauges::OpenWork,
}

#[cfg(test)]
mod mask_tests {
    #[test]
    fn recipients_are_partly_hidden() {
        assert_eq!(super::mask_recipient("+6281234567890"), "+62812****890");
        assert_eq!(super::mask_recipient("asep@contoh.id"), "as***@contoh.id");
        assert_eq!(super::mask_recipient("+62812"), "***");
    }
}

#[cfg(test)]
mod gauge_tests {
    use balai_domain::{lapor::ReportState, ppid, surat::state::RequestState};
    use balai_store::gauges;

    /// The store counts exactly the states the domain calls open.
    #[test]
    fn the_gauges_count_the_domains_open_states() {
        let reports: Vec<String> =
            ReportState::ALL.iter().filter(|s| !s.is_closed()).map(|s| s.as_str().to_string()).collect();
        assert_eq!(gauges::open_report_states(), reports);
        let letters: Vec<String> = RequestState::ALL
            .iter()
            // A signed letter (selesai) waits only to be collected: nothing is due.
            .filter(|s| !s.is_final() && **s != RequestState::Selesai)
            .map(|s| s.as_str().to_string())
            .collect();
        assert_eq!(gauges::open_letter_states(), letters);
        let info: Vec<String> =
            ppid::RequestState::ALL.iter().filter(|s| s.is_open()).map(|s| s.as_str().to_string()).collect();
        assert_eq!(gauges::open_info_states(), info);
    }
}
