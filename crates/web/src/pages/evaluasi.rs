//! The evaluation dashboard for staff (`/staf/evaluasi/{code}`) and its public summary
//! (`/wilayah/{code}/ringkasan`): service figures per area, office and month with inline SVG
//! charts, drill-down to the level below, and every table as CSV or XLSX.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use balai_app::AppError;
use balai_app::dashboard::{Dashboard, DashboardQuery, DashboardRow, MONTHS, MONTHS_SHORT, TableFormat};
use balai_domain::ikm::{Weights, format_2dp};
use balai_domain::kinerja::{Figures, format_percent};
use chrono::Datelike;
use serde::Deserialize;

use super::warga::download;
use crate::extract::{Layout, Staff, Visitor};
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staf/evaluasi/{code}", get(staff_dashboard))
        .route("/wilayah/{code}/ringkasan", get(public_summary))
}

#[derive(Deserialize, Default)]
struct DashboardParams {
    #[serde(default)]
    tahun: String,
    #[serde(default)]
    bulan: String,
    #[serde(default)]
    opd: String,
    #[serde(default)]
    format: String,
    #[serde(default)]
    tabel: String,
}

impl DashboardParams {
    fn query(&self) -> Result<DashboardQuery, AppError> {
        let number = |field: &str, text: &str, message: &str| -> Result<Option<i64>, AppError> {
            match text.trim() {
                "" => Ok(None),
                t => t.parse().map(Some).map_err(|_| AppError::invalid(field, message)),
            }
        };
        Ok(DashboardQuery {
            year: number("tahun", &self.tahun, "Tahun ditulis dengan angka, misalnya 2026.")?.map(|y| y as i32),
            month: number("bulan", &self.bulan, "Bulan ditulis dengan angka 1 sampai 12.")?
                .map(|m| m.clamp(0, 13) as u32),
            office: Some(self.opd.clone()).filter(|o| !o.trim().is_empty()),
        })
    }

    fn format(&self) -> Result<Option<TableFormat>, AppError> {
        match self.format.as_str() {
            "" => Ok(None),
            "csv" => Ok(Some(TableFormat::Csv)),
            "xlsx" => Ok(Some(TableFormat::Xlsx)),
            _ => Err(AppError::invalid("format", "Format yang dikenal: csv atau xlsx.")),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "evaluasi.html")]
struct DashboardPage {
    layout: Layout,
    d: Dashboard,
    /// The staff dashboard (with the office filter) rather than the public summary.
    staff: bool,
    path: String,
    /// The current filters as a query string (without a format).
    query: String,
    computed: String,
    years: Vec<i32>,
    months: Vec<(u32, &'static str)>,
}

impl DashboardPage {
    fn pct(&self, v: Option<f64>) -> String {
        format_percent(v)
    }

    fn days(&self, f: &Figures) -> String {
        f.median_days_to_done().map_or_else(|| "—".into(), |d| format!("{d:.1}").replace('.', ",") + " HK")
    }

    fn ikm(&self, f: &Figures) -> String {
        f.ikm(Weights::Exact).map_or_else(|_| "—".into(), |i| format_2dp(i.ikm))
    }

    fn grade(&self, f: &Figures) -> String {
        f.ikm(Weights::Exact).map_or_else(|_| "—".into(), |i| format!("{} ({})", i.grade.letter(), i.grade.label()))
    }

    fn grade_class(&self, f: &Figures) -> String {
        f.ikm(Weights::Exact).map_or("grade-none".into(), |i| format!("grade-{}", i.grade.letter().to_lowercase()))
    }

    /// A link to the same view with one filter changed.
    fn with(&self, name: &str, value: &str) -> String {
        let mut pairs: Vec<(String, String)> =
            form_urlencoded::parse(self.query.as_bytes()).into_owned().filter(|(k, _)| k != name).collect();
        if !value.is_empty() {
            pairs.push((name.to_string(), value.to_string()));
        }
        let query: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
        format!("{}?{query}", self.path)
    }

    /// The area's own dashboard, same filters.
    fn drill(&self, row: &DashboardRow) -> String {
        let code = row.link.clone().unwrap_or_default();
        let base = if self.staff { format!("/staf/evaluasi/{code}") } else { format!("/wilayah/{code}/ringkasan") };
        format!("{base}?{}", self.query)
    }

    fn download(&self, format: &str, table: &str) -> String {
        let sep = if self.query.is_empty() { "" } else { "&" };
        let table = if table.is_empty() { String::new() } else { format!("&tabel={table}") };
        format!("{}?{}{sep}format={format}{table}", self.path, self.query)
    }

    /// Bar heights (of 100) of the months' volumes, with their x positions.
    fn month_bars(&self) -> Vec<(String, String, String, &str, u64)> {
        let max = self.d.months.iter().map(|m| m.figures.received()).max().unwrap_or(0).max(1);
        self.d
            .months
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let h = m.figures.received() as f64 / max as f64 * 100.0;
                (
                    format!("{}", 4 + i * 28),
                    format!("{:.1}", 110.0 - h),
                    format!("{h:.1}"),
                    MONTHS_SHORT[i],
                    m.figures.received(),
                )
            })
            .collect()
    }

    /// The length (of 170) of an area's share answered on time.
    fn sla_bar(&self, f: &Figures) -> String {
        format!("{:.1}", f.within_sla().unwrap_or(0.0) / 100.0 * 170.0)
    }
}

async fn render(
    state: &AppState,
    d: Dashboard,
    visitor: &Visitor,
    staff: bool,
    p: &DashboardParams,
) -> Result<Response, WebError> {
    let path = if staff {
        format!("/staf/evaluasi/{}", d.region.code)
    } else {
        format!("/wilayah/{}/ringkasan", d.region.code)
    };
    let mut pairs: Vec<(&str, String)> = vec![("tahun", d.year.to_string())];
    if let Some(m) = d.month {
        pairs.push(("bulan", m.to_string()));
    }
    if let Some((key, _)) = &d.office {
        pairs.push(("opd", key.clone()));
    }
    let query: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
    if let Some(format) = p.format()? {
        let (name, content_type, bytes) = d.file(&p.tabel, format)?;
        return Ok(download(content_type, &name, bytes));
    }
    let this_year = state.app.today().year();
    Ok(DashboardPage {
        layout: visitor.layout(),
        computed: state.app.format_time(d.computed_at),
        d,
        staff,
        path,
        query,
        years: (this_year - 4..=this_year).rev().collect(),
        months: MONTHS.iter().enumerate().map(|(i, m)| (i as u32 + 1, *m)).collect(),
    }
    .into_response())
}

async fn staff_dashboard(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Query(p): Query<DashboardParams>,
) -> Result<Response, WebError> {
    let actor = balai_app::Actor::Staff(staff.user.clone());
    let d = state.app.dashboard(&actor, &code, &p.query()?).await?;
    render(&state, d, &staff.visitor, true, &p).await
}

async fn public_summary(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(code): Path<String>,
    Query(p): Query<DashboardParams>,
) -> Result<Response, WebError> {
    let d = state.app.public_dashboard(&code, &p.query()?).await?;
    render(&state, d, &visitor, false, &p).await
}
