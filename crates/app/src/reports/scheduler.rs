//! The deadline job: moves SLA states, reminds whoever holds a report one working day before its
//! deadline and escalates it to the coordinator once overdue. Safe with several app instances:
//! each step is applied only if the report is unchanged since it was read, so a step another
//! instance already took is skipped together with its messages.

use balai_domain::lapor::{DeadlineStep, ReportParty, deadline_step};
use balai_store::outbox::NewMessage;
use balai_store::reports::Report;
use serde_json::json;

use super::actions::parse_state;
use crate::{Actor, App, AppError, AppResult};

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeadlinePass {
    pub examined: usize,
    pub sla_moved: usize,
    pub reminded: usize,
    pub escalated: usize,
    /// Steps skipped because another instance (or a person) changed the report first.
    pub raced: usize,
}

impl App {
    pub async fn run_report_deadlines(&self) -> AppResult<DeadlinePass> {
        let calendar = self.working_calendar().await?;
        let today = self.today();
        // Anything due within the next two working days may need a reminder or a new SLA state.
        let horizon = calendar.add_working_days(today, 2).due;
        let candidates = self.store.reports_due_by(horizon, 1000).await?;
        let mut pass = DeadlinePass { examined: candidates.len(), ..DeadlinePass::default() };
        for report in candidates {
            let Some(due) = report.due_on else { continue };
            let step = deadline_step(
                &calendar,
                due,
                today,
                report.reminded_for == Some(due),
                report.escalated_for == Some(due),
            );
            let sla = calendar.sla_state(due, today, None).as_str();
            if step == DeadlineStep::Nothing && sla == report.sla_state {
                continue;
            }
            let state = parse_state(&report)?;
            let mut after = report.clone();
            after.sla_state = sla.into();
            let (event, messages, audit) = match step {
                DeadlineStep::Nothing => (None, Vec::new(), None),
                DeadlineStep::Remind => {
                    after.reminded_for = Some(due);
                    let text = format!(
                        "Pengingat: laporan \"{}\" harus ditindaklanjuti paling lambat {}.",
                        report.public_title,
                        balai_domain::calendar::format_tanggal(due)
                    );
                    let event =
                        self.event(ReportParty::Koordinator, "Sistem", "pengingat", state, state, &text, "internal");
                    (Some(event), self.holder_messages(&report, "Pengingat batas waktu laporan", &text).await?, None)
                }
                DeadlineStep::Escalate => {
                    after.escalated_for = Some(due);
                    let holder = self.handler_name(report.handler.as_deref()).await?;
                    let text = format!(
                        "Batas waktu {} terlewati; laporan dieskalasi kepada koordinator (dipegang: {holder}).",
                        balai_domain::calendar::format_tanggal(due)
                    );
                    let event =
                        self.event(ReportParty::Koordinator, "Sistem", "eskalasi", state, state, &text, "internal");
                    let audit = self.audit_event(
                        &Actor::System,
                        "report.escalate",
                        format!("report:{}", report.public_id),
                        json!({"due": due, "state": report.state, "handler": report.handler}),
                    );
                    (
                        Some(event),
                        self.holder_messages(&report, "Laporan terlambat dieskalasi", &text).await?,
                        Some(audit),
                    )
                }
            };
            match self.save(report, after, event, messages, audit).await {
                Ok(()) => match step {
                    DeadlineStep::Nothing => pass.sla_moved += 1,
                    DeadlineStep::Remind => pass.reminded += 1,
                    DeadlineStep::Escalate => pass.escalated += 1,
                },
                Err(AppError::AlreadyDone(_)) => pass.raced += 1,
                Err(e) => return Err(e),
            }
        }
        Ok(pass)
    }

    /// An email to the office or village holding the report, if it has an address (reminders,
    /// escalation, the reporter's replies).
    pub(super) async fn holder_messages(
        &self,
        report: &Report,
        subject: &str,
        text: &str,
    ) -> AppResult<Vec<NewMessage>> {
        let email = match report.handler.as_deref() {
            Some(h) if h.starts_with("opd:") => self.store.office(&h[4..]).await?.map(|o| o.email).unwrap_or_default(),
            Some(h) if h.starts_with("desa:") => match balai_domain::wilayah::KodeWilayah::parse(&h[5..]) {
                Ok(code) => self.store.village_profile(&code).await?.map(|p| p.email).unwrap_or_default(),
                Err(_) => String::new(),
            },
            _ => String::new(),
        };
        if email.is_empty() {
            return Ok(Vec::new());
        }
        Ok(vec![NewMessage {
            channel: "email".into(),
            recipient: email,
            subject: subject.to_string(),
            body: format!(
                "{text} Buka di {}/staf/lapor/{}",
                self.config.public_url.trim_end_matches('/'),
                report.public_id
            ),
            topic: format!("lapor:{}", report.public_id),
        }])
    }
}
