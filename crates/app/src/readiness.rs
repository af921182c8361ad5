//! STOPE e-readiness for villages (domain.md §9): the regency's assessor scores every factor
//! 1–4 with written evidence, helped by scores the platform proposes from live data (operators,
//! their activity, the survey, requests filed online, deadlines met, training attendance, the
//! programme's outputs). Assessments are kept, never edited, so each village has a history; the
//! regency sees a ranking and which indicator is weakest where.

use std::collections::BTreeMap;

use balai_domain::ikm::{Periode, Weights};
use balai_domain::pelatihan::OUTPUTS;
use balai_domain::roles::{Permission, Role, Scope, Target};
use balai_domain::stope::{self, Factor, Indicator, LiveFacts, Proposal, Readiness};
use balai_domain::wilayah::Region;
use balai_store::readiness::{AssessmentRecord, FactorScore, NewAssessment};
use chrono::{Datelike, NaiveDate};
use serde_json::json;

use crate::dashboard::DashboardQuery;
use crate::training::by_kecamatan;
use crate::{Actor, App, AppError, AppResult, FieldError};

/// Longest evidence kept per factor.
pub const EVIDENCE_MAX_CHARS: usize = 2000;

/// A factor on the assessment form, with what the platform proposes for it.
#[derive(Debug, Clone)]
pub struct FactorView {
    pub factor: &'static Factor,
    pub proposal: Option<Proposal>,
}

/// The blank assessment form of a village.
#[derive(Debug, Clone)]
pub struct ReadinessForm {
    pub village: Region,
    pub ancestors: Vec<Region>,
    pub facts: LiveFacts,
    /// Every indicator including the optional Anggaran one, with its factors.
    pub indicators: Vec<(&'static Indicator, Vec<FactorView>)>,
}

/// What the assessor sends: per factor code, the score and evidence as typed.
#[derive(Debug, Clone, Default)]
pub struct AssessmentInput {
    pub with_budget: bool,
    pub scores: BTreeMap<String, String>,
    pub evidence: BTreeMap<String, String>,
}

/// A stored assessment with its computed scores.
#[derive(Debug, Clone)]
pub struct AssessmentView {
    pub record: AssessmentRecord,
    pub readiness: Readiness,
    /// The local day it was made.
    pub on: NaiveDate,
}

impl AssessmentView {
    fn new(record: AssessmentRecord, on: NaiveDate) -> Option<AssessmentView> {
        let scores: BTreeMap<String, u8> =
            record.scores.iter().map(|s| (s.factor.clone(), s.score.clamp(0, 255) as u8)).collect();
        let readiness = Readiness::from_scores(&scores, record.with_budget).ok()?;
        Some(AssessmentView { record, readiness, on })
    }

    pub fn score_of(&self, factor: &str) -> Option<&FactorScore> {
        self.record.scores.iter().find(|s| s.factor == factor)
    }
}

/// A village's assessments, newest first.
#[derive(Debug, Clone)]
pub struct VillageReadiness {
    pub village: Region,
    pub ancestors: Vec<Region>,
    pub history: Vec<AssessmentView>,
    pub may_assess: bool,
}

/// One village in a region's ranking.
#[derive(Debug, Clone)]
pub struct RankRow {
    pub village: Region,
    pub latest: Option<AssessmentView>,
}

/// A region's villages ranked by their latest overall score, and the weakest indicators.
#[derive(Debug, Clone)]
pub struct ReadinessRanking {
    pub region: Region,
    pub ancestors: Vec<Region>,
    /// Assessed villages best first, then the others by name.
    pub rows: Vec<RankRow>,
    /// Each indicator that is some village's weakest, with those villages (weakest first).
    pub weakest: Vec<(&'static Indicator, Vec<(Region, stope::Score)>)>,
    /// Above a kecamatan, one line per kecamatan: the page shows these and the best and worst
    /// villages rather than every village (a regency has hundreds).
    pub groups: Vec<RankGroup>,
}

/// A kecamatan's line in a regency's ranking.
#[derive(Debug, Clone)]
pub struct RankGroup {
    pub kecamatan: Region,
    pub villages: usize,
    pub assessed: usize,
    /// The mean of its assessed villages' latest overall scores.
    pub mean: Option<stope::Score>,
    /// Its lowest assessed village.
    pub lowest: Option<(Region, stope::Score)>,
}

impl ReadinessRanking {
    pub fn assessed(&self) -> usize {
        self.rows.iter().filter(|r| r.latest.is_some()).count()
    }

    /// The `n` best assessed villages.
    pub fn top(&self, n: usize) -> &[RankRow] {
        &self.rows[..self.assessed().min(n)]
    }

    /// The `n` lowest assessed villages not already among the `n` best, lowest last.
    pub fn bottom(&self, n: usize) -> &[RankRow] {
        let assessed = self.assessed();
        &self.rows[n.max(assessed.saturating_sub(n)).min(assessed)..assessed]
    }
}

/// Who may read assessments and the capability programme: the evaluators and the assessors.
pub(crate) const READERS: [Permission; 2] = [Permission::ViewEvaluation, Permission::AssessReadiness];

impl App {
    /// What the platform knows about a village this year, for the proposals.
    pub async fn live_facts(&self, village: &Region) -> AppResult<LiveFacts> {
        let today = self.today();
        let code = village.code.as_str();
        let users = self.store.users().await?;
        let village_staff: Vec<_> = users
            .iter()
            .filter(|u| u.active)
            .filter(|u| u.grants.iter().any(|g| matches!(&g.scope, Scope::Wilayah(c) if c == &village.code)))
            .collect();
        let operators = village_staff
            .iter()
            .filter(|u| u.grants.iter().any(|g| g.role == Role::OperatorDesa))
            .map(|u| format!("{} ({})", u.full_name, u.username))
            .collect();
        let actors: Vec<String> = village_staff.iter().map(|u| format!("user:{}:{}", u.id, u.username)).collect();
        let days_since_staff_action =
            self.store.last_action_at(&actors).await?.map(|at| (today - self.local_date(at)).num_days().max(0));
        let figures = self.build_dashboard(&village.code, &DashboardQuery::default()).await?.total;
        let ikm = self.ikm_results(code, Periode::Tahun(today.year()), Weights::Exact).await?;
        let coverage = self.store.training_coverage(code).await?;
        let (aparatur, trained) =
            coverage.iter().find(|c| c.village_code == code).map_or((0, 0), |c| (c.aparatur, c.trained));
        let outputs = self.store.village_outputs(code).await?;
        let outputs_done = OUTPUTS
            .iter()
            .filter(|o| outputs.iter().any(|d| d.output == o.code))
            .map(|o| o.label.to_string())
            .collect();
        Ok(LiveFacts {
            operators,
            days_since_staff_action,
            survey_responses: ikm.total.responses,
            survey_needed: ikm.total.sample_needed(),
            services_completed: ikm.total.completed,
            requests_received: figures.letters_received + figures.info_received,
            requests_online: figures.letters_online + figures.info_online,
            answered: figures.reports_answered + figures.letters_issued + figures.info_decided,
            answered_on_time: figures.reports_answered_on_time
                + figures.letters_issued_on_time
                + figures.info_decided_on_time,
            aparatur: aparatur.max(0) as u64,
            aparatur_trained: trained.max(0) as u64,
            outputs_done,
            outputs_total: OUTPUTS.len() as u64,
            year: today.year(),
        })
    }

    /// The assessment form of a village, with the proposals, for an assessor.
    pub async fn readiness_form(&self, actor: &Actor, village: &str) -> AppResult<ReadinessForm> {
        let (village, ancestors) = self.village_region(village).await?;
        actor.allow(&[Permission::AssessReadiness], &Target::Wilayah(&village.code))?;
        let facts = self.live_facts(&village).await?;
        let indicators = stope::INSTRUMENT
            .iter()
            .map(|i| {
                let factors = i
                    .factors
                    .iter()
                    .map(|f| FactorView { factor: f, proposal: f.measure.and_then(|m| stope::propose(m, &facts)) })
                    .collect();
                (i, factors)
            })
            .collect();
        Ok(ReadinessForm { village, ancestors, facts, indicators })
    }

    /// Stores an assessment: every factor of the assessed domains needs a score 1–4 and its
    /// evidence. Nothing is stored unless all are good.
    pub async fn assess_readiness(&self, actor: &Actor, village: &str, input: &AssessmentInput) -> AppResult<i64> {
        let (village, _) = self.village_region(village).await?;
        actor.allow(&[Permission::AssessReadiness], &Target::Wilayah(&village.code))?;
        let mut errors = Vec::new();
        let mut scores = BTreeMap::new();
        let mut evidence = BTreeMap::new();
        for f in stope::indicators(input.with_budget).flat_map(|i| i.factors.iter()) {
            let typed = input.scores.get(f.code).map(|s| s.trim()).unwrap_or("");
            match typed.parse::<u8>() {
                Ok(s @ 1..=4) => {
                    scores.insert(f.code.to_string(), s);
                }
                _ => errors.push(FieldError::new(
                    score_field(f.code),
                    format!("Pilih skor 1 sampai 4 untuk faktor {} ({}).", f.code, f.label),
                )),
            }
            let text = input.evidence.get(f.code).map(|s| s.trim()).unwrap_or("");
            if text.is_empty() {
                errors.push(FieldError::new(
                    evidence_field(f.code),
                    format!("Tuliskan bukti untuk faktor {}: skor tanpa bukti tidak diterima.", f.code),
                ));
            } else if text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
                errors.push(FieldError::new(
                    evidence_field(f.code),
                    format!("Bukti faktor {} berisi karakter yang tidak diizinkan.", f.code),
                ));
            } else if text.chars().count() > EVIDENCE_MAX_CHARS {
                errors.push(FieldError::new(
                    evidence_field(f.code),
                    format!("Bukti faktor {} paling panjang {EVIDENCE_MAX_CHARS} karakter.", f.code),
                ));
            } else {
                evidence.insert(f.code.to_string(), text.to_string());
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let readiness = Readiness::from_scores(&scores, input.with_budget)
            .map_err(|e| AppError::invalid("stope", format!("Penilaian tidak lengkap: {e}.")))?;
        let facts = self.live_facts(&village).await?;
        let staff = actor.staff();
        let record = NewAssessment {
            village_code: village.code.as_str().to_string(),
            assessed_at: self.now(),
            assessor: actor.audit_name(),
            assessor_name: staff.map_or_else(|| "Operator sistem".to_string(), |u| u.full_name.clone()),
            with_budget: input.with_budget,
            scores: scores
                .iter()
                .map(|(code, score)| FactorScore {
                    factor: code.clone(),
                    score: i32::from(*score),
                    evidence: evidence.get(code).cloned().unwrap_or_default(),
                    proposed: stope::factor(code)
                        .and_then(|f| f.measure)
                        .and_then(|m| stope::propose(m, &facts))
                        .map(|p| i32::from(p.score)),
                })
                .collect(),
        };
        let audit = self.audit_event(
            actor,
            "stope.assess",
            String::new(),
            json!({
                "village": village.code.as_str(),
                "overall": readiness.overall.text(),
                "level": readiness.overall.level().number(),
                "with_budget": input.with_budget,
            }),
        );
        Ok(self.store.record_assessment(&record, audit).await?)
    }

    /// A village's assessments over time.
    pub async fn village_readiness(&self, actor: &Actor, village: &str) -> AppResult<VillageReadiness> {
        let (village, ancestors) = self.village_region(village).await?;
        actor.allow(&READERS, &Target::Wilayah(&village.code))?;
        let history = self
            .store
            .assessments(village.code.as_str())
            .await?
            .into_iter()
            .filter_map(|r| {
                let on = self.local_date(r.assessed_at);
                AssessmentView::new(r, on)
            })
            .collect();
        let may_assess = actor.may(Permission::AssessReadiness, &Target::Wilayah(&village.code));
        Ok(VillageReadiness { village, ancestors, history, may_assess })
    }

    /// A kecamatan's or regency's villages ranked, with the weakest indicators.
    pub async fn readiness_ranking(&self, actor: &Actor, region: &str) -> AppResult<ReadinessRanking> {
        let (region, ancestors) = self.region_and_ancestors(region).await?;
        if region.level.is_village() {
            return Err(AppError::NotFound);
        }
        let code = region.code.clone();
        actor.allow(&READERS, &Target::Wilayah(&code))?;
        let mut latest: BTreeMap<String, AssessmentView> = BTreeMap::new();
        for record in self.store.latest_assessments(code.as_str()).await? {
            let on = self.local_date(record.assessed_at);
            if let Some(view) = AssessmentView::new(record, on) {
                latest.insert(view.record.village_code.clone(), view);
            }
        }
        let regions = self.store.regions_within(&code, 4).await?;
        let mut rows: Vec<RankRow> = regions
            .iter()
            .filter(|r| r.level.is_village())
            .map(|village| RankRow { latest: latest.remove(village.code.as_str()), village: village.clone() })
            .collect();
        rows.sort_by(|a, b| match (&a.latest, &b.latest) {
            (Some(x), Some(y)) => {
                y.readiness.overall.cmp(&x.readiness.overall).then(a.village.name.cmp(&b.village.name))
            }
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.village.name.cmp(&b.village.name),
        });
        let mut weakest: Vec<(&'static Indicator, Vec<(Region, stope::Score)>)> = Vec::new();
        for row in &rows {
            let Some((indicator, score)) = row.latest.as_ref().and_then(|l| l.readiness.weakest()) else { continue };
            match weakest.iter_mut().find(|(i, _)| i.code == indicator.code) {
                Some((_, villages)) => villages.push((row.village.clone(), score)),
                None => weakest.push((indicator, vec![(row.village.clone(), score)])),
            }
        }
        for (_, villages) in &mut weakest {
            villages.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.name.cmp(&b.0.name)));
        }
        weakest.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.code.cmp(b.0.code)));
        let groups = by_kecamatan(&region, &regions, &rows, |r| &r.village)
            .into_iter()
            .map(|(kecamatan, villages)| {
                let scored: Vec<(&Region, stope::Score)> =
                    villages.iter().filter_map(|r| Some((&r.village, r.latest.as_ref()?.readiness.overall))).collect();
                let overall: Vec<stope::Score> = scored.iter().map(|(_, s)| *s).collect();
                RankGroup {
                    kecamatan,
                    villages: villages.len(),
                    assessed: scored.len(),
                    mean: stope::Score::mean(&overall),
                    // Rows are best first, so the last scored one is the lowest.
                    lowest: scored.last().map(|(v, s)| ((*v).clone(), *s)),
                }
            })
            .collect();
        Ok(ReadinessRanking { region, ancestors, rows, weakest, groups })
    }
}

/// The form field of a factor's score (`skor-S1-2`), also its error's anchor.
pub fn score_field(factor: &str) -> String {
    format!("skor-{}", factor.replace('.', "-"))
}

/// The form field of a factor's evidence (`bukti-S1-2`).
pub fn evidence_field(factor: &str) -> String {
    format!("bukti-{}", factor.replace('.', "-"))
}
