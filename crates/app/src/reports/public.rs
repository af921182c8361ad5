//! What everyone may see (the list of verified, non-`rahasia` reports with search, and how
//! responsive each office and village is) and the staff inboxes.

use balai_domain::calendar::SlaState;
use balai_domain::roles::{Permission, Scope, Target};
use balai_domain::wilayah::KodeWilayah;
use balai_store::reports::{InboxQuery, PublicQuery, Report, ScoreRow};

use crate::{Actor, App, AppError, AppResult, StaffUser};

pub const PAGE_SIZE: i64 = 20;

#[derive(Debug, Clone, Default)]
pub struct PublicListQuery {
    /// A region code (a village, or a regency for everything in it).
    pub region: String,
    /// An office slug.
    pub office: String,
    pub text: String,
    pub page: i64,
}

/// One page of the public list.
#[derive(Debug, Clone)]
pub struct PublicList {
    pub items: Vec<PublicItem>,
    pub page: i64,
    pub has_next: bool,
}

/// A report on the public list: never the reporter's contact; the name only when not anonymous.
#[derive(Debug, Clone)]
pub struct PublicItem {
    pub public_id: String,
    pub title: String,
    pub excerpt: String,
    pub kind: String,
    pub state: String,
    pub region_code: String,
    pub received_at: chrono::DateTime<chrono::Utc>,
    pub reporter: String,
}

/// One office's or village's figures.
#[derive(Debug, Clone)]
pub struct ScoreLine {
    pub key: String,
    pub name: String,
    pub total: i64,
    /// Percentages, `None` when nothing was measured yet.
    pub verified_in_time: Option<f64>,
    pub answered_in_time: Option<f64>,
    pub median_days_to_done: Option<f64>,
    pub done: i64,
}

#[derive(Debug, Clone)]
pub struct Scoreboard {
    pub offices: Vec<ScoreLine>,
    pub villages: Vec<ScoreLine>,
    pub since: chrono::NaiveDate,
}

/// A staff inbox line with its SLA state as of today.
#[derive(Debug, Clone)]
pub struct InboxItem {
    pub report: Report,
    pub sla: Option<SlaState>,
    pub escalated: bool,
}

fn percent(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (part as f64) * 100.0 / (whole as f64))
}

impl App {
    pub async fn public_reports(&self, q: &PublicListQuery) -> AppResult<PublicList> {
        let page = q.page.max(1);
        let region = KodeWilayah::parse(&q.region).ok().map(|c| c.as_str().to_string());
        let office = q.office.trim();
        let rows = self
            .store
            .public_reports(&PublicQuery {
                region,
                handler: (!office.is_empty()).then(|| format!("opd:{office}")),
                text: (!q.text.trim().is_empty()).then(|| q.text.trim().to_string()),
                limit: PAGE_SIZE + 1,
                offset: (page - 1) * PAGE_SIZE,
                ..PublicQuery::default()
            })
            .await?;
        let has_next = rows.len() as i64 > PAGE_SIZE;
        let items = rows
            .into_iter()
            .take(PAGE_SIZE as usize)
            .map(|r| PublicItem {
                excerpt: excerpt(&r.description, 200),
                reporter: if r.anonymous || r.reporter_name.is_empty() {
                    "Anonim".into()
                } else {
                    r.reporter_name.clone()
                },
                public_id: r.public_id,
                title: r.public_title,
                kind: r.kind,
                state: r.state,
                region_code: r.region_code,
                received_at: r.received_at,
            })
            .collect();
        Ok(PublicList { items, page, has_next })
    }

    /// Responsiveness over the last 365 days: % verified within 3 working days, % answered within
    /// the first-response deadline, median working days from receipt to done.
    /// It reads a whole year of reports (about a second at a million reports), so it is computed
    /// at most once a minute per instance and never while a visitor waits, once one exists: a
    /// request that finds it older than a minute gets the previous figures and starts the
    /// recomputation in the background.
    pub async fn report_scoreboard(&self) -> AppResult<Scoreboard> {
        use std::sync::atomic::Ordering;
        match self.cache.scoreboard.get_even_stale() {
            Some((board, true)) => Ok(board),
            Some((board, false)) => {
                if !self.cache.scoreboard_refreshing.swap(true, Ordering::AcqRel) {
                    let app = self.clone();
                    tokio::spawn(async move {
                        if let Err(e) = app.compute_scoreboard().await {
                            tracing::warn!(error = %e, "recomputing the report scoreboard failed");
                        }
                        app.cache.scoreboard_refreshing.store(false, Ordering::Release);
                    });
                }
                Ok(board)
            }
            None => self.compute_scoreboard().await,
        }
    }

    async fn compute_scoreboard(&self) -> AppResult<Scoreboard> {
        let since_date = self.today() - chrono::Duration::days(365);
        let since = since_date
            .and_hms_opt(0, 0, 0)
            .map(|d| d.and_utc() - chrono::Duration::seconds(i64::from(self.config.utc_offset.local_minus_utc())))
            .unwrap_or_else(|| self.now());
        let scores = self.store.report_scores(since).await?;
        let (offices, villages) = (scores.by_handler, scores.by_village);
        let mut office_lines = Vec::new();
        for row in offices {
            let name = self.handler_name(Some(&row.key)).await?;
            office_lines.push(score_line(row, name));
        }
        let mut village_lines = Vec::new();
        for row in villages {
            let name = match KodeWilayah::parse(&row.key) {
                Ok(code) => self.cached_region(&code).await?.map_or_else(|| row.key.clone(), |r| r.name),
                Err(_) => row.key.clone(),
            };
            village_lines.push(score_line(row, name));
        }
        let board = Scoreboard { offices: office_lines, villages: village_lines, since: since_date };
        self.cache.scoreboard.put(board.clone());
        Ok(board)
    }

    /// A signed-in resident's own reports, newest first (their tracking codes are theirs to see).
    pub async fn resident_reports(&self, actor: &Actor) -> AppResult<Vec<Report>> {
        let Actor::Resident(resident) = actor else { return Err(AppError::Unauthenticated) };
        Ok(self.store.reports_of_resident(resident.id, 100).await?)
    }

    /// The coordinator's inbox: new and clarified reports to verify, reports waiting on their
    /// reporter, and escalated ones, within the coordinator's regions.
    pub async fn coordinator_inbox(
        &self,
        actor: &Actor,
    ) -> AppResult<(Vec<InboxItem>, Vec<InboxItem>, Vec<InboxItem>)> {
        let regions = self.scopes_with(actor, Permission::CoordinateReports)?;
        let (mut new, mut waiting, mut escalated) = (Vec::new(), Vec::new(), Vec::new());
        for region in &regions {
            let q = |state: &str| InboxQuery {
                region: Some(region.clone()),
                handler: None,
                states: vec![state.to_string()],
                limit: 200,
            };
            new.extend(self.store.report_inbox(&q("diterima")).await?);
            waiting.extend(self.store.report_inbox(&q("tunda")).await?);
            escalated.extend(self.store.escalated_reports(region, 200).await?);
        }
        Ok((self.inbox_items(new).await?, self.inbox_items(waiting).await?, self.inbox_items(escalated).await?))
    }

    /// An office's (or village's) inbox: the reports it holds, soonest deadline first.
    pub async fn office_inbox(&self, actor: &Actor) -> AppResult<Vec<InboxItem>> {
        let Actor::Staff(user) = actor else { return Err(AppError::Unauthenticated) };
        let handlers = handlers_of(user);
        let mut rows = Vec::new();
        for handler in handlers {
            rows.extend(
                self.store
                    .report_inbox(&InboxQuery {
                        region: None,
                        handler: Some(handler),
                        states: vec!["didisposisikan".into(), "ditindaklanjuti".into()],
                        limit: 500,
                    })
                    .await?,
            );
        }
        rows.sort_by_key(|r| (r.due_on.is_none(), r.due_on, r.received_at));
        self.inbox_items(rows).await
    }

    async fn inbox_items(&self, rows: Vec<Report>) -> AppResult<Vec<InboxItem>> {
        let calendar = self.working_calendar().await?;
        let today = self.today();
        Ok(rows
            .into_iter()
            .map(|report| InboxItem {
                sla: report.due_on.map(|due| calendar.sla_state(due, today, None)),
                escalated: report.escalated_for.is_some() && report.escalated_for == report.due_on,
                report,
            })
            .collect())
    }

    /// The region codes where the actor holds `permission` (the command line: the home region).
    fn scopes_with(&self, actor: &Actor, permission: Permission) -> AppResult<Vec<String>> {
        match actor {
            Actor::System => Ok(self.config.home_region.iter().map(|c| c.as_str().to_string()).collect()),
            Actor::Staff(user) => {
                Ok(regions_with(user, permission).into_iter().map(|c| c.as_str().to_string()).collect())
            }
            _ => Err(AppError::Unauthenticated),
        }
    }
}

/// The regions where `user` holds `permission` by a region grant, in code order, once each.
pub(super) fn regions_with(user: &StaffUser, permission: Permission) -> Vec<KodeWilayah> {
    let mut out: Vec<KodeWilayah> = user
        .grants
        .iter()
        .filter_map(|g| match &g.scope {
            Scope::Wilayah(code) if g.allows(permission, &Target::Wilayah(code)) => Some(code.clone()),
            _ => None,
        })
        .collect();
    out.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    out.dedup();
    out
}

/// Who `user` answers reports for: `opd:{slug}` for an office, `desa:{code}` for a village,
/// sorted, once each (a grant whose scope does not fit its role counts for nothing).
pub(super) fn handlers_of(user: &StaffUser) -> Vec<String> {
    let mut handlers: Vec<String> = user
        .grants
        .iter()
        .filter(|g| g.role.fits_scope(&g.scope) && g.role.permissions().contains(&Permission::HandleReports))
        .filter_map(|g| match &g.scope {
            Scope::Office(slug) => Some(format!("opd:{slug}")),
            Scope::Wilayah(code) if code.level().is_village() => Some(format!("desa:{code}")),
            Scope::Wilayah(_) => None,
        })
        .collect();
    handlers.sort();
    handlers.dedup();
    handlers
}

fn score_line(row: ScoreRow, name: String) -> ScoreLine {
    ScoreLine {
        verified_in_time: percent(row.verified_on_time, row.verified),
        answered_in_time: percent(row.answered_on_time, row.answered),
        median_days_to_done: balai_domain::kinerja::median(
            &row.done_days.iter().map(|(d, n)| (*d, *n as u64)).collect(),
        ),
        key: row.key,
        name,
        total: row.total,
        done: row.done,
    }
}

fn excerpt(text: &str, max: usize) -> String {
    let flat = text.replace('\n', " ");
    if flat.chars().count() <= max {
        return flat;
    }
    let mut cut: String = flat.chars().take(max).collect();
    if let Some(space) = cut.rfind(' ') {
        cut.truncate(space);
    }
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_cut_at_a_word() {
        assert_eq!(excerpt("jalan rusak parah", 11), "jalan…");
        assert_eq!(excerpt("pendek", 11), "pendek");
    }
}
