//! STOPE e-readiness pages for staff: a village's assessments over time with a radar chart
//! (`/staf/stope/{village}`), a kecamatan's or regency's ranking and weakest indicators
//! (`/staf/stope/{region}`), and the assessment form with the platform's proposals
//! (`/staf/stope/{village}/nilai`).

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use balai_app::readiness::{
    AssessmentInput, AssessmentView, ReadinessForm, ReadinessRanking, VillageReadiness, evidence_field, score_field,
};
use balai_app::{AppError, FieldError};
use balai_domain::stope::{self, Dimensi, Factor, Readiness};
use balai_domain::wilayah::KodeWilayah;

use super::warga::field_error;
use crate::extract::{Form, Layout, Staff};
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new().route("/staf/stope/{code}", get(overview)).route("/staf/stope/{code}/nilai", get(form).post(submit))
}

/// A radar chart of the domain scores (0–4) as SVG coordinates.
pub struct Radar {
    /// `(label, x, y, text-anchor)` of each axis' end label.
    pub axes: Vec<(&'static str, i32, i32, &'static str)>,
    /// The axis lines' far ends.
    pub spokes: Vec<(i32, i32)>,
    /// Rings at scores 1–4, as polygon points.
    pub rings: Vec<String>,
    pub latest: String,
    pub previous: Option<String>,
}

const CENTER: f64 = 160.0;
const RADIUS: f64 = 80.0;

fn angle(i: usize, n: usize) -> f64 {
    -std::f64::consts::FRAC_PI_2 + i as f64 * std::f64::consts::TAU / n as f64
}

fn at(i: usize, n: usize, value: f64) -> (f64, f64) {
    let r = RADIUS * value / 4.0;
    (CENTER + r * angle(i, n).cos(), CENTER + r * angle(i, n).sin())
}

fn points(values: &[f64]) -> String {
    let n = values.len();
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let (x, y) = at(i, n, *v);
            format!("{x:.1},{y:.1}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

impl Radar {
    pub fn new(latest: &Readiness, previous: Option<&Readiness>) -> Radar {
        let domains: Vec<Dimensi> = latest.domains.iter().map(|(d, _)| *d).collect();
        let n = domains.len();
        let values =
            |r: &Readiness| -> Vec<f64> { domains.iter().map(|d| r.domain(*d).map_or(0.0, |s| s.value())).collect() };
        let axes = domains
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let (x, y) = at(i, n, 4.6);
                let anchor = if x < CENTER - 5.0 {
                    "end"
                } else if x > CENTER + 5.0 {
                    "start"
                } else {
                    "middle"
                };
                (d.short(), x.round() as i32, (y + 4.0).round() as i32, anchor)
            })
            .collect();
        let spokes = (0..n)
            .map(|i| {
                let (x, y) = at(i, n, 4.0);
                (x.round() as i32, y.round() as i32)
            })
            .collect();
        let rings = (1..=4).map(|level| points(&vec![f64::from(level); n])).collect();
        Radar {
            axes,
            spokes,
            rings,
            latest: points(&values(latest)),
            previous: previous.filter(|p| p.domains.len() == n).map(|p| points(&values(p))),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "stope_desa.html")]
struct VillagePage {
    layout: Layout,
    v: VillageReadiness,
    radar: Option<Radar>,
    saved: bool,
}

impl VillagePage {
    fn day(&self, on: &chrono::NaiveDate) -> String {
        balai_domain::calendar::format_tanggal(*on)
    }

    fn latest(&self) -> Option<&AssessmentView> {
        self.v.history.first()
    }

    fn domain_text(&self, a: &AssessmentView, d: &Dimensi) -> String {
        a.readiness.domain(*d).map_or_else(|| "—".into(), |s| s.text())
    }

    fn label_of(&self, factor: &str) -> &'static str {
        stope::factor(factor).map_or("", |f| f.label)
    }

    fn domains(&self) -> Vec<Dimensi> {
        let with_budget = self.v.history.iter().any(|a| a.record.with_budget);
        Dimensi::ALL.iter().copied().filter(|d| with_budget || !d.is_optional()).collect()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "stope_peringkat.html")]
struct RankingPage {
    layout: Layout,
    r: ReadinessRanking,
}

impl RankingPage {
    fn day(&self, on: &chrono::NaiveDate) -> String {
        balai_domain::calendar::format_tanggal(*on)
    }
}

#[derive(serde::Deserialize, Default)]
struct SavedQuery {
    #[serde(default)]
    tersimpan: Option<String>,
}

async fn overview(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    axum::extract::Query(q): axum::extract::Query<SavedQuery>,
) -> Result<Response, WebError> {
    let actor = balai_app::Actor::Staff(staff.user.clone());
    let is_village = KodeWilayah::parse(&code).map_err(|_| AppError::NotFound)?.level().is_village();
    if is_village {
        let v = state.app.village_readiness(&actor, &code).await?;
        let radar = v.history.first().map(|l| Radar::new(&l.readiness, v.history.get(1).map(|p| &p.readiness)));
        Ok(VillagePage { layout: staff.visitor.layout(), v, radar, saved: q.tersimpan.is_some() }.into_response())
    } else {
        let r = state.app.readiness_ranking(&actor, &code).await?;
        Ok(RankingPage { layout: staff.visitor.layout(), r }.into_response())
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "stope_form.html")]
struct FormPage {
    layout: Layout,
    f: ReadinessForm,
    errors: Vec<FieldError>,
    /// What was typed (a first view: the proposals).
    scores: BTreeMap<String, String>,
    evidence: BTreeMap<String, String>,
    with_budget: bool,
}

impl FormPage {
    fn error(&self, name: impl AsRef<str>) -> String {
        field_error(&self.errors, name.as_ref())
    }

    fn score_name(&self, f: &Factor) -> String {
        score_field(f.code)
    }

    fn evidence_name(&self, f: &Factor) -> String {
        evidence_field(f.code)
    }

    fn typed_score(&self, f: &Factor) -> String {
        self.scores.get(f.code).cloned().unwrap_or_default()
    }

    fn typed_evidence(&self, f: &Factor) -> String {
        self.evidence.get(f.code).cloned().unwrap_or_default()
    }
}

async fn form_page(
    state: &AppState,
    staff: &Staff,
    code: &str,
    typed: Option<(AssessmentInput, Vec<FieldError>)>,
) -> Result<FormPage, WebError> {
    let actor = balai_app::Actor::Staff(staff.user.clone());
    let f = state.app.readiness_form(&actor, code).await?;
    let (input, errors) = typed.unwrap_or_else(|| {
        // A first view starts from what the platform proposes; the assessor checks each.
        let mut input = AssessmentInput::default();
        for (_, factors) in &f.indicators {
            for v in factors {
                if let Some(p) = &v.proposal {
                    input.scores.insert(v.factor.code.to_string(), p.score.to_string());
                    input.evidence.insert(v.factor.code.to_string(), p.evidence.clone());
                }
            }
        }
        (input, Vec::new())
    });
    Ok(FormPage {
        layout: staff.visitor.layout(),
        f,
        errors,
        scores: input.scores,
        evidence: input.evidence,
        with_budget: input.with_budget,
    })
}

async fn form(State(state): State<AppState>, staff: Staff, Path(code): Path<String>) -> Result<FormPage, WebError> {
    form_page(&state, &staff, &code, None).await
}

async fn submit(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Form(fields): Form<BTreeMap<String, String>>,
) -> Result<Response, WebError> {
    let mut input =
        AssessmentInput { with_budget: fields.get("anggaran").is_some_and(|v| v == "1"), ..Default::default() };
    for f in stope::INSTRUMENT.iter().flat_map(|i| i.factors.iter()) {
        if let Some(s) = fields.get(&score_field(f.code)) {
            input.scores.insert(f.code.to_string(), s.clone());
        }
        if let Some(e) = fields.get(&evidence_field(f.code)) {
            input.evidence.insert(f.code.to_string(), e.clone());
        }
    }
    let actor = balai_app::Actor::Staff(staff.user.clone());
    match state.app.assess_readiness(&actor, &code, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/staf/stope/{code}?tersimpan=1")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = form_page(&state, &staff, &code, Some((input, errors))).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
