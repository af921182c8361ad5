//! The outbox worker that `balai serve` runs beside the web service: it delivers queued messages
//! (email, WhatsApp, SMS) until the service stops. Every instance runs one; claiming is atomic, so
//! several instances on one PostgreSQL database share the work without sending anything twice.

use std::sync::Arc;

use balai_app::messages::{Deliverer, run_worker};
use balai_app::{App, SystemClock};
use balai_web::config::Config;

pub struct OutboxWorker {
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

/// Starts the worker as a tokio task.
pub fn start(app: &App, config: &Config) -> anyhow::Result<OutboxWorker> {
    let deliverer = Deliverer::new(&config.delivery_settings())?;
    if deliverer.channels().is_empty() {
        tracing::warn!(
            "no message channel is configured (smtp_url, wa_gateway_url): messages to residents wait in the outbox"
        );
    }
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(run_worker(
        Arc::clone(app.store()),
        Arc::new(deliverer),
        config.worker_options(),
        Arc::new(SystemClock),
        async move {
            let _ = stopped.await;
        },
    ));
    Ok(OutboxWorker { stop, task })
}

impl OutboxWorker {
    /// Asks the worker to stop and waits for the batch under way to finish.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        if let Err(e) = self.task.await {
            tracing::warn!("outbox worker ended badly: {e}");
        }
    }
}
