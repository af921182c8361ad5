//! The evaluation dashboard (issue 12 part 2): the service figures of a regency, kecamatan or
//! village per area, per office and per month, with drill-down, for the regency's admin, the
//! evaluator, the camat (own kecamatan) and the village head; and the public summary.
//!
//! A year's figures of the whole regency are summed in the database once (one grouped query per
//! source and month) and kept here as "facts"; every view is folded from them in memory. A view
//! finds them fresh for five minutes unless something changed through this process: then they
//! are recomputed at once when that is cheap (a village or a small regency), or served as they
//! are and recomputed in the background when it is not. The page says when they were computed.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use balai_domain::dokumen::ReportTable;
use balai_domain::ikm::Weights;
use balai_domain::kinerja::{Figures, format_percent};
use balai_domain::roles::{Permission, Target};
use balai_domain::wilayah::{KodeWilayah, Level, Region};
use chrono::{DateTime, Datelike, NaiveDate, Utc};

use crate::{Actor, App, AppError, AppResult};

/// How long computed facts are served when nothing changed.
pub(crate) const FACTS_TTL: Duration = Duration::from_secs(300);
/// A computation shorter than this is redone while the visitor waits once something changed.
const CHEAP: Duration = Duration::from_millis(250);
/// An expensive computation is not restarted more often than this.
const EXPENSIVE_GAP: Duration = Duration::from_secs(60);

pub use balai_domain::calendar::{BULAN as MONTHS, BULAN_PENDEK as MONTHS_SHORT};

/// The figures of one village and handler (`desa:CODE`, `opd:SLUG`, or `` for reports not
/// disposed yet).
#[derive(Debug, Clone)]
struct Cell {
    village: String,
    handler: String,
    figures: Figures,
}

/// A year of one regency (or province), summed.
#[derive(Debug)]
pub struct Facts {
    root: KodeWilayah,
    year: i32,
    pub computed_at: DateTime<Utc>,
    generation: u64,
    took: Duration,
    made: Instant,
    /// Index 0 is January; months not begun are empty.
    months: Vec<Vec<Cell>>,
    /// Work open now (for the current year only).
    open: Vec<Cell>,
}

/// The facts kept per (root, year), and which are being recomputed.
#[derive(Default)]
pub(crate) struct FactsCache {
    facts: std::sync::Mutex<std::collections::HashMap<(String, i32), Arc<Facts>>>,
    refreshing: std::sync::Mutex<std::collections::HashSet<(String, i32)>>,
    /// Bumped by every audited change made through this process.
    pub(crate) generation: std::sync::atomic::AtomicU64,
}

/// What to show.
#[derive(Debug, Clone, Default)]
pub struct DashboardQuery {
    pub year: Option<i32>,
    /// 1–12, or the whole year.
    pub month: Option<u32>,
    /// A handler: `opd:SLUG`, `desa` (every village government) or `-` (not disposed yet).
    pub office: Option<String>,
}

/// One line of a table, with where it drills down to.
#[derive(Debug, Clone)]
pub struct DashboardRow {
    pub key: String,
    pub label: String,
    /// The name without its level (`Cihaurbeuti`), for chart labels.
    pub short: String,
    /// The region code to drill down to (areas), or the office filter (offices), or the month.
    pub link: Option<String>,
    pub figures: Figures,
}

#[derive(Debug, Clone)]
pub struct Dashboard {
    pub region: Region,
    /// The regions above, top first.
    pub ancestors: Vec<Region>,
    pub year: i32,
    pub month: Option<u32>,
    pub office: Option<(String, String)>,
    pub computed_at: DateTime<Utc>,
    pub total: Figures,
    /// The level below (kecamatan of a regency, villages of a kecamatan); empty for a village.
    pub areas: Vec<DashboardRow>,
    pub areas_label: &'static str,
    pub offices: Vec<DashboardRow>,
    /// January to the last month with figures (or December for a past year).
    pub months: Vec<DashboardRow>,
    /// Every office that can be filtered on: `(key, name)`.
    pub office_choices: Vec<(String, String)>,
}

impl Dashboard {
    pub fn title(&self) -> String {
        let when = match self.month {
            Some(m) => format!("{} {}", MONTHS[(m - 1) as usize], self.year),
            None => self.year.to_string(),
        };
        match &self.office {
            Some((_, name)) => format!("{} · {} · {when}", self.region.title(), name),
            None => format!("{} · {when}", self.region.title()),
        }
    }

    /// The tables as they are exported: areas, offices, months.
    pub fn tables(&self) -> Vec<(&'static str, ReportTable)> {
        let mut tables = Vec::new();
        if !self.areas.is_empty() {
            tables.push((
                "wilayah",
                table(format!("Per {}", self.areas_label.to_lowercase()), self.areas_label, &self.areas, true),
            ));
        }
        if !self.offices.is_empty() {
            tables.push(("opd", table("Per unit penanganan".into(), "Unit", &self.offices, true)));
        }
        tables.push(("bulan", table("Per bulan".into(), "Bulan", &self.months, false)));
        tables
    }
}

/// The file formats of the dashboard's tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    Csv,
    Xlsx,
}

impl Dashboard {
    /// One table as CSV (`wilayah`, `opd` or `bulan`), or every table in one workbook:
    /// `(file name, content type, bytes)`.
    pub fn file(&self, table: &str, format: TableFormat) -> AppResult<(String, &'static str, Vec<u8>)> {
        let mut stem = format!("dasbor-{}-{}", self.region.code.as_str().replace('.', ""), self.year);
        if let Some(m) = self.month {
            stem.push_str(&format!("-{m:02}"));
        }
        let tables = self.tables();
        match format {
            TableFormat::Xlsx => {
                let all: Vec<ReportTable> = tables.into_iter().map(|(_, t)| t).collect();
                let title = format!("Kinerja layanan {}", self.title());
                Ok((format!("{stem}.xlsx"), crate::ppid::XLSX, crate::ppid::tables_xlsx(&title, &all)?))
            }
            TableFormat::Csv => {
                let names: Vec<&str> = tables.iter().map(|(n, _)| *n).collect();
                let Some((name, t)) = tables.iter().find(|(n, _)| *n == table) else {
                    return Err(AppError::invalid("tabel", format!("Tabel yang ada: {}.", names.join(", "))));
                };
                Ok((format!("{stem}-{name}.csv"), "text/csv; charset=utf-8", table_csv(t)?))
            }
        }
    }
}

/// UTF-8 with a byte-order mark (so that Excel reads the accents right), formulas defused.
fn table_csv(table: &ReportTable) -> AppResult<Vec<u8>> {
    let fail = |e: csv::Error| AppError::Internal(anyhow::anyhow!("writing the CSV: {e}"));
    let mut writer = csv::WriterBuilder::new().from_writer(b"\xEF\xBB\xBF".to_vec());
    writer.write_record(&table.header).map_err(fail)?;
    for row in &table.rows {
        writer.write_record(row.iter().map(|c| crate::reports::export::defuse_formula(c))).map_err(fail)?;
    }
    writer.into_inner().map_err(|e| AppError::Internal(anyhow::anyhow!("writing the CSV: {e}")))
}

/// The column headers of every exported table after its first.
const COLUMNS: [&str; 13] = [
    "Diterima",
    "Laporan",
    "Diverifikasi ≤ 3 HK",
    "Ditanggapi tepat waktu (semua layanan)",
    "Median HK selesai (laporan)",
    "Permohonan surat",
    "Surat terbit",
    "Permohonan informasi",
    "Diajukan daring",
    "Terbuka",
    "Terlambat",
    "IKM",
    "Mutu",
];

fn number(n: Option<f64>) -> String {
    n.map_or_else(|| "—".into(), |v| format!("{v:.1}").replace('.', ","))
}

fn percent_cell(v: Option<f64>) -> String {
    format_percent(v).trim_end_matches(" %").to_string()
}

fn table(caption: String, first: &str, rows: &[DashboardRow], with_open: bool) -> ReportTable {
    let mut header = vec![first.to_string()];
    header.extend(COLUMNS.iter().map(|c| c.to_string()));
    let rows = rows
        .iter()
        .map(|r| {
            let f = &r.figures;
            let index = f.ikm(Weights::Exact).ok();
            let (open, overdue) =
                if with_open { (f.open.to_string(), f.overdue.to_string()) } else { ("—".into(), "—".into()) };
            vec![
                r.label.clone(),
                f.received().to_string(),
                f.reports_received.to_string(),
                percent_cell(f.verified_in_time()),
                percent_cell(f.within_sla()),
                number(f.median_days_to_done()),
                f.letters_received.to_string(),
                f.letters_issued.to_string(),
                f.info_received.to_string(),
                percent_cell(f.online_share()),
                open,
                overdue,
                index.as_ref().map_or("—".into(), |i| balai_domain::ikm::format_2dp(i.ikm)),
                index.as_ref().map_or("—".into(), |i| i.grade.letter().to_string()),
            ]
        })
        .collect();
    ReportTable { caption, header, rows }
}

/// The regency (or province) whose facts hold `code`.
fn root_of(code: &KodeWilayah) -> KodeWilayah {
    let mut root = code.clone();
    while matches!(root.level(), Level::Kecamatan) || root.level().is_village() {
        match root.parent() {
            Some(p) => root = p,
            None => break,
        }
    }
    root
}

/// The child of `region` on the way down to `village` (itself for a village's own dashboard).
fn area_of(region: &KodeWilayah, village: &str) -> Option<String> {
    let depth = region.as_str().split('.').count() + 1;
    let parts: Vec<&str> = village.split('.').collect();
    (parts.len() >= depth).then(|| parts[..depth].join("."))
}

fn within(village: &str, region: &KodeWilayah) -> bool {
    village == region.as_str() || village.starts_with(&format!("{}.", region.as_str()))
}

/// The handler a cell is filtered and grouped by in the office table.
fn office_key(handler: &str) -> &str {
    if handler.starts_with("desa:") {
        "desa"
    } else if handler.is_empty() {
        "-"
    } else {
        handler
    }
}

fn u(n: i64) -> u64 {
    n.max(0) as u64
}

impl App {
    /// The dashboard of a regency, kecamatan or village for staff allowed to evaluate it.
    /// Someone without the permission there is told so (`Forbidden`), not shown nothing.
    pub async fn dashboard(&self, actor: &Actor, code: &str, q: &DashboardQuery) -> AppResult<Dashboard> {
        let code = KodeWilayah::parse(code).map_err(|_| AppError::NotFound)?;
        actor.allow(&[Permission::ViewEvaluation], &Target::Wilayah(&code))?;
        self.build_dashboard(&code, q).await
    }

    /// The public summary: the same counts (no person is in them), without the office filter.
    pub async fn public_dashboard(&self, code: &str, q: &DashboardQuery) -> AppResult<Dashboard> {
        let code = KodeWilayah::parse(code).map_err(|_| AppError::NotFound)?;
        self.build_dashboard(&code, &DashboardQuery { office: None, ..q.clone() }).await
    }

    pub(crate) async fn build_dashboard(&self, code: &KodeWilayah, q: &DashboardQuery) -> AppResult<Dashboard> {
        let mut ancestors = self.store.region_with_ancestors(code).await?;
        let region = match ancestors.pop() {
            Some(r) if &r.code == code => r,
            _ => return Err(AppError::NotFound),
        };
        let today = self.today();
        let year = q.year.unwrap_or(today.year());
        if !(2000..=today.year()).contains(&year) {
            return Err(AppError::invalid("tahun", format!("Tahun harus antara 2000 dan {}.", today.year())));
        }
        if let Some(m) = q.month
            && !(1..=12).contains(&m)
        {
            return Err(AppError::invalid("bulan", "Bulan harus 1 sampai 12."));
        }
        let offices = self.store.offices().await?;
        let mut office_choices: Vec<(String, String)> =
            vec![("desa".into(), "Pemerintah desa/kelurahan".into()), ("-".into(), "Belum didisposisikan".into())];
        office_choices.extend(offices.iter().map(|o| (format!("opd:{}", o.slug), o.name.clone())));
        let office = match q.office.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
            None => None,
            Some(key) => Some(
                office_choices
                    .iter()
                    .find(|(k, _)| k == key)
                    .cloned()
                    .ok_or_else(|| AppError::invalid("opd", "OPD/unit itu tidak dikenal."))?,
            ),
        };
        let facts = self.facts(&root_of(code), year).await?;

        let keep =
            |c: &Cell| within(&c.village, code) && office.as_ref().is_none_or(|(k, _)| office_key(&c.handler) == k);
        let chosen_months: Vec<&Vec<Cell>> = match q.month {
            Some(m) => facts.months.get((m - 1) as usize).into_iter().collect(),
            None => facts.months.iter().collect(),
        };
        let fold = |group: &dyn Fn(&Cell) -> Option<String>, with_open: bool| {
            let mut map: BTreeMap<String, Figures> = BTreeMap::new();
            let cells = chosen_months.iter().flat_map(|m| m.iter());
            let open = facts.open.iter().filter(|_| with_open);
            for c in cells.chain(open).filter(|c| keep(c)) {
                if let Some(key) = group(c) {
                    map.entry(key).or_default().merge(&c.figures);
                }
            }
            map
        };

        let total = fold(&|_| Some(String::new()), true).remove("").unwrap_or_default();

        let (areas, areas_label) = if region.level.is_village() {
            (Vec::new(), "")
        } else {
            let names: BTreeMap<String, (String, String)> = self
                .store
                .region_children(code)
                .await?
                .into_iter()
                .map(|r| (r.code.as_str().to_string(), (r.title(), r.name)))
                .collect();
            let mut figures = fold(&|c| area_of(code, &c.village), true);
            let rows = names
                .iter()
                .map(|(key, (title, name))| DashboardRow {
                    key: key.clone(),
                    label: title.clone(),
                    short: name.clone(),
                    link: Some(key.clone()),
                    figures: figures.remove(key).unwrap_or_default(),
                })
                .collect();
            (rows, if region.level == Level::Kecamatan { "Desa/kelurahan" } else { "Kecamatan" })
        };

        let names: BTreeMap<&str, &str> = office_choices.iter().map(|(k, n)| (k.as_str(), n.as_str())).collect();
        let offices_rows = fold(&|c| Some(office_key(&c.handler).to_string()), true)
            .into_iter()
            .map(|(key, figures)| DashboardRow {
                label: names.get(key.as_str()).map_or_else(|| key.clone(), |n| n.to_string()),
                short: String::new(),
                link: Some(key.clone()),
                key,
                figures,
            })
            .collect();

        let last_month = if year < today.year() { 12 } else { today.month() };
        let months = (1..=last_month)
            .map(|m| {
                let mut figures = Figures::default();
                for c in facts.months[(m - 1) as usize].iter().filter(|c| keep(c)) {
                    figures.merge(&c.figures);
                }
                DashboardRow {
                    key: m.to_string(),
                    label: MONTHS[(m - 1) as usize].to_string(),
                    short: MONTHS_SHORT[(m - 1) as usize].to_string(),
                    link: Some(m.to_string()),
                    figures,
                }
            })
            .collect();

        Ok(Dashboard {
            region,
            ancestors,
            year,
            month: q.month,
            office,
            computed_at: facts.computed_at,
            total,
            areas,
            areas_label,
            offices: offices_rows,
            months,
            office_choices,
        })
    }

    /// The facts of a root and year: kept, recomputed now, or recomputed in the background
    /// (see the module's comment).
    async fn facts(&self, root: &KodeWilayah, year: i32) -> AppResult<Arc<Facts>> {
        let key = (root.as_str().to_string(), year);
        let cache = &self.cache.dashboard;
        let kept = cache.facts.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(&key).cloned();
        let Some(kept) = kept else { return self.compute_facts(root, year).await };
        let changed = kept.generation != cache.generation.load(Ordering::Acquire);
        let age = kept.made.elapsed();
        if !changed && age < FACTS_TTL {
            return Ok(kept);
        }
        if kept.took < CHEAP {
            return self.compute_facts(root, year).await;
        }
        if age >= EXPENSIVE_GAP
            && cache.refreshing.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(key.clone())
        {
            let (app, root) = (self.clone(), root.clone());
            tokio::spawn(async move {
                if let Err(e) = app.compute_facts(&root, year).await {
                    tracing::warn!(error = %e, "recomputing the dashboard figures failed");
                }
                app.cache.dashboard.refreshing.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(&key);
            });
        }
        Ok(kept)
    }

    async fn compute_facts(&self, root: &KodeWilayah, year: i32) -> AppResult<Arc<Facts>> {
        let started = Instant::now();
        let generation = self.cache.dashboard.generation.load(Ordering::Acquire);
        let computed_at = self.now();
        let today = self.today();
        let region = root.as_str();
        let mut months = Vec::with_capacity(12);
        for m in 1..=12u32 {
            let first =
                NaiveDate::from_ymd_opt(year, m, 1).ok_or_else(|| AppError::invalid("tahun", "Tahun tidak sah."))?;
            if first > today {
                months.push(Vec::new());
                continue;
            }
            let next =
                if m == 12 { NaiveDate::from_ymd_opt(year + 1, 1, 1) } else { NaiveDate::from_ymd_opt(year, m + 1, 1) }
                    .ok_or_else(|| AppError::invalid("tahun", "Tahun tidak sah."))?;
            let (from, until) = (self.local_midnight(first), self.local_midnight(next));
            months.push(self.month_cells(region, from, until).await?);
        }
        let open = if year == today.year() {
            self.store
                .open_work(region, today)
                .await?
                .into_iter()
                .map(|g| Cell {
                    handler: g.handler.unwrap_or_else(|| format!("desa:{}", g.village_code)),
                    village: g.village_code,
                    figures: Figures { open: u(g.open), overdue: u(g.overdue), ..Figures::default() },
                })
                .collect()
        } else {
            Vec::new()
        };
        let facts = Arc::new(Facts {
            root: root.clone(),
            year,
            computed_at,
            generation,
            took: started.elapsed(),
            made: Instant::now(),
            months,
            open,
        });
        let mut kept = self.cache.dashboard.facts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if kept.len() > 1000 {
            kept.clear();
        }
        kept.insert((facts.root.as_str().to_string(), facts.year), facts.clone());
        Ok(facts)
    }

    /// One month of a region as cells (village × handler).
    async fn month_cells(&self, region: &str, from: DateTime<Utc>, until: DateTime<Utc>) -> AppResult<Vec<Cell>> {
        let mut cells: BTreeMap<(String, String), Figures> = BTreeMap::new();
        for (handler, village, days, total, verified, verified_on_time, answered, answered_on_time) in
            self.store.report_groups(region, from, until).await?
        {
            let f = cells.entry((village, handler.unwrap_or_default())).or_default();
            f.reports_received += u(total);
            f.reports_verified += u(verified);
            f.reports_verified_on_time += u(verified_on_time.unwrap_or(0));
            f.reports_answered += u(answered);
            f.reports_answered_on_time += u(answered_on_time.unwrap_or(0));
            if let Some(d) = days {
                *f.reports_done_days.entry(d).or_default() += u(total);
            }
        }
        for g in self.store.letter_groups(region, from, until).await? {
            let f = cells.entry((g.village_code.clone(), format!("desa:{}", g.village_code))).or_default();
            f.letters_received += u(g.received);
            f.letters_online += u(g.received_online);
            f.letters_issued += u(g.issued);
            f.letters_issued_on_time += u(g.issued_on_time);
        }
        for g in self.store.information_groups(region, from, until).await? {
            let f = cells.entry((g.village_code.clone(), format!("desa:{}", g.village_code))).or_default();
            f.info_received += u(g.received);
            f.info_online += u(g.received_online);
            f.info_decided += u(g.decided);
            f.info_decided_on_time += u(g.decided_on_time);
        }
        for t in self.store.survey_tallies(region, from, until).await? {
            let handler = if t.unit == "desa" { format!("desa:{}", t.village_code) } else { t.unit.clone() };
            cells.entry((t.village_code.clone(), handler)).or_default().survey.merge(&crate::survey::tally_of(&t));
        }
        Ok(cells.into_iter().map(|((village, handler), figures)| Cell { village, handler, figures }).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(s: &str) -> KodeWilayah {
        KodeWilayah::parse(s).expect("valid code in test")
    }

    #[test]
    fn regions_fold_into_their_regency_and_areas() {
        assert_eq!(root_of(&k("32.07.06.2001")), k("32.07"));
        assert_eq!(root_of(&k("32.07.06")), k("32.07"));
        assert_eq!(root_of(&k("32.07")), k("32.07"));
        assert_eq!(root_of(&k("32")), k("32"));
        assert_eq!(area_of(&k("32.07"), "32.07.06.2001").as_deref(), Some("32.07.06"));
        assert_eq!(area_of(&k("32.07.06"), "32.07.06.2001").as_deref(), Some("32.07.06.2001"));
        assert_eq!(area_of(&k("32.07.06.2001"), "32.07.06.2001"), None);
        assert!(within("32.07.06.2001", &k("32.07.06")));
        assert!(!within("32.07.16.2001", &k("32.07.06")));
    }

    #[test]
    fn handlers_group_into_offices() {
        assert_eq!(office_key("desa:32.07.06.2001"), "desa");
        assert_eq!(office_key(""), "-");
        assert_eq!(office_key("opd:pupr"), "opd:pupr");
    }

    #[test]
    fn exported_tables_put_every_measure_in_its_column() {
        let row = DashboardRow {
            key: "32.07.06".into(),
            label: "Kecamatan Cihaurbeuti".into(),
            short: "Cihaurbeuti".into(),
            link: None,
            figures: Figures {
                reports_received: 4,
                reports_verified: 4,
                reports_verified_on_time: 3,
                letters_received: 6,
                letters_online: 3,
                letters_issued: 2,
                letters_issued_on_time: 1,
                open: 2,
                overdue: 1,
                ..Figures::default()
            },
        };
        let t = table("Per kecamatan".into(), "Kecamatan", &[row], true);
        assert_eq!(t.header.len(), 14);
        assert_eq!(t.rows[0].len(), 14);
        let cell = |name: &str| &t.rows[0][t.header.iter().position(|h| h == name).expect("column")];
        assert_eq!(cell("Diterima"), "10");
        assert_eq!(cell("Diverifikasi ≤ 3 HK"), "75,0");
        assert_eq!(cell("Ditanggapi tepat waktu (semua layanan)"), "50,0");
        assert_eq!(cell("Diajukan daring"), "50,0");
        assert_eq!(cell("Terlambat"), "1");
        assert_eq!(cell("IKM"), "—");
    }
}
