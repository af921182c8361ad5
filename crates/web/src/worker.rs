//! The background jobs `balai serve` runs beside the web service until it stops: the outbox worker
//! delivers queued messages (email, WhatsApp, SMS), and the deadline job moves reports' SLA
//! states, reminds and escalates. Every instance runs both; claiming is atomic and each deadline
//! step applies only to an unchanged report, so several instances on one PostgreSQL database
//! share the work without sending anything twice.

use std::sync::Arc;

use balai_app::messages::{Deliverer, run_worker};
use balai_app::{App, SystemClock};
use balai_web::config::Config;

/// How often the deadline job looks at reports (deadlines are whole days; a minute is plenty).
const DEADLINE_INTERVAL: std::time::Duration = std::time::Duration::from_secs(60);

pub struct OutboxWorker {
    stop: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
    deadlines: tokio::task::JoinHandle<()>,
}

/// Starts the worker as a tokio task.
pub fn start(app: &App, config: &Config) -> anyhow::Result<OutboxWorker> {
    let deliverer = Deliverer::new(&config.delivery_settings())?;
    if deliverer.channels().is_empty() {
        tracing::warn!(
            "no message channel is configured (smtp_url, wa_gateway_url): messages to residents wait in the outbox"
        );
    }
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut outbox_stopped = stopped.clone();
    let task = tokio::spawn(run_worker(
        Arc::clone(app.store()),
        Arc::new(deliverer),
        config.worker_options(),
        Arc::new(SystemClock),
        async move {
            let _ = outbox_stopped.wait_for(|s| *s).await;
        },
    ));
    let deadlines = tokio::spawn(deadline_job(app.clone(), stopped));
    Ok(OutboxWorker { stop, task, deadlines })
}

async fn deadline_job(app: App, mut stopped: tokio::sync::watch::Receiver<bool>) {
    loop {
        match app.run_report_deadlines().await {
            Ok(pass) if pass.reminded + pass.escalated + pass.sla_moved > 0 => tracing::info!(
                reminded = pass.reminded,
                escalated = pass.escalated,
                sla_moved = pass.sla_moved,
                raced = pass.raced,
                "report deadlines"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "report deadline job failed; trying again later"),
        }
        tokio::select! {
            _ = tokio::time::sleep(DEADLINE_INTERVAL) => {}
            _ = stopped.wait_for(|s| *s) => return,
        }
    }
}

impl OutboxWorker {
    /// Asks the worker to stop and waits for the batch under way to finish.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        if let Err(e) = self.task.await {
            tracing::warn!("outbox worker ended badly: {e}");
        }
        if let Err(e) = self.deadlines.await {
            tracing::warn!("deadline job ended badly: {e}");
        }
    }
}
