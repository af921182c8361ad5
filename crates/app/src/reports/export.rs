//! Reports exported for staff as CSV or XLSX, one row per report, with the filters of the staff
//! page applied; suitable for forwarding to SP4N-LAPOR!. A row names a report by its public id,
//! never by its tracking code (the reporter's key), and never carries the reporter's email, phone
//! or NIK; an anonymous reporter is "Anonim".

use std::collections::{HashMap, HashSet};
use std::str::FromStr;

use balai_domain::calendar::SlaState;
use balai_domain::lapor::{ReportKind, ReportState};
use balai_domain::roles::{Permission, Target};
use balai_domain::wilayah::KodeWilayah;
use balai_store::Office;
use balai_store::reports::{ExportQuery, Report};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Timelike, Utc};

use crate::{Actor, App, AppError, AppResult, FieldError};

/// Most reports one export holds; a larger one is refused with a request to narrow the period.
pub const MAX_EXPORT_ROWS: usize = 100_000;

/// The file an export is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExportFormat {
    #[default]
    Csv,
    Xlsx,
}

impl ExportFormat {
    pub fn as_str(&self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
        }
    }

    pub fn content_type(&self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

impl FromStr for ExportFormat {
    type Err = AppError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(ExportFormat::Csv),
            "xlsx" => Ok(ExportFormat::Xlsx),
            _ => Err(AppError::invalid("format", "Pilih format berkas: CSV atau Excel (XLSX).")),
        }
    }
}

/// Which reports to export. Dates are local (the installation's offset) and inclusive.
#[derive(Debug, Clone, Default)]
pub struct ReportExportFilter {
    /// Received on or after this day.
    pub from: Option<NaiveDate>,
    /// Received on or before this day.
    pub until: Option<NaiveDate>,
    /// An office slug, or empty for every handler.
    pub office: String,
    /// A region code (a village, or a kecamatan/regency for everything in it), or empty.
    pub village: String,
    /// A [`ReportState`] word, or empty for every state.
    pub state: String,
    pub format: ExportFormat,
}

impl ReportExportFilter {
    /// The filter as a form or a query string gives it: dates as `YYYY-MM-DD` (what
    /// `<input type=date>` sends), empty for no limit. Every problem is reported at once.
    pub fn from_form(
        from: &str,
        until: &str,
        office: &str,
        village: &str,
        state: &str,
        format: &str,
    ) -> AppResult<ReportExportFilter> {
        let mut errors = Vec::new();
        let mut date = |field: &str, value: &str| {
            let value = value.trim();
            if value.is_empty() {
                return None;
            }
            match NaiveDate::parse_from_str(value, "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.push(FieldError::new(
                        field,
                        "Tanggal tidak dikenali; isi dengan format tahun-bulan-tanggal, misalnya 2026-11-01.",
                    ));
                    None
                }
            }
        };
        let (from, until) = (date("from", from), date("until", until));
        let format = if format.trim().is_empty() {
            ExportFormat::Csv
        } else {
            format.parse().unwrap_or_else(|e: AppError| {
                if let AppError::Invalid(mut e) = e {
                    errors.append(&mut e);
                }
                ExportFormat::Csv
            })
        };
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        Ok(ReportExportFilter {
            from,
            until,
            office: office.trim().to_string(),
            village: village.trim().to_string(),
            state: state.trim().to_string(),
            format,
        })
    }
}

/// An export ready to download.
#[derive(Debug, Clone)]
pub struct ReportExport {
    pub file_name: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
    /// Reports in the file (not counting the header row).
    pub rows: usize,
}

/// The filter, checked.
struct Checked {
    from: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    office: Option<Office>,
    village: Option<KodeWilayah>,
    state: Option<ReportState>,
}

/// One cell, typed so that the workbook gets real dates and numbers.
enum Cell {
    Text(String),
    DateTime(Option<NaiveDateTime>),
    Date(Option<NaiveDate>),
    Number(Option<i32>),
}

/// (header, column width in the workbook)
const COLUMNS: [(&str, f64); 21] = [
    ("Kode publik", 18.0),
    ("Jenis", 14.0),
    ("Kategori", 24.0),
    ("Kode desa", 15.0),
    ("Desa/kelurahan", 20.0),
    ("Judul", 40.0),
    ("Uraian", 60.0),
    ("Status", 30.0),
    ("Ditangani oleh", 32.0),
    ("Diterima", 17.0),
    ("Batas verifikasi", 12.0),
    ("Diverifikasi", 17.0),
    ("Didisposisikan", 17.0),
    ("Batas penyelesaian", 12.0),
    ("Selesai", 17.0),
    ("Status SLA", 20.0),
    ("Nilai", 7.0),
    ("Dibuka kembali", 9.0),
    ("Anonim", 8.0),
    ("Rahasia", 8.0),
    ("Pelapor", 24.0),
];

impl App {
    /// Reports as a CSV or XLSX file. The regency's (or a village's) coordinator exports the
    /// reports about its region; an office or village that handles reports exports the ones it
    /// holds; the command line exports everything.
    pub async fn export_reports(&self, actor: &Actor, filter: ReportExportFilter) -> AppResult<ReportExport> {
        if matches!(actor, Actor::Anonymous { .. } | Actor::Resident(_)) {
            return Err(AppError::Unauthenticated);
        }
        let checked = self.check_export_filter(&filter).await?;
        let queries = export_queries(actor, &checked)?;
        let mut seen = HashSet::new();
        let mut reports: Vec<Report> = Vec::new();
        for query in &queries {
            for report in self.store.export_reports(query).await? {
                if seen.insert(report.code.clone()) {
                    reports.push(report);
                }
            }
        }
        if reports.len() > MAX_EXPORT_ROWS {
            return Err(AppError::invalid(
                "from",
                format!("Lebih dari {MAX_EXPORT_ROWS} laporan cocok; persempit periodenya lalu ekspor per bagian."),
            ));
        }
        reports.sort_by(|a, b| (a.received_at, &a.public_id).cmp(&(b.received_at, &b.public_id)));
        let rows = self.export_rows(&reports).await?;
        let bytes = match filter.format {
            ExportFormat::Csv => write_csv(&rows)?,
            ExportFormat::Xlsx => write_xlsx(&rows)?,
        };
        let file_name = self.export_file_name(&checked, filter.format);
        // Reporters' names leave the system here: the export is on the record.
        let audit = self.audit_event(
            actor,
            "report.export",
            "reports".into(),
            serde_json::json!({"file": file_name, "rows": rows.len()}),
        );
        self.store.record_audit(audit).await?;
        Ok(ReportExport { file_name, content_type: filter.format.content_type(), bytes, rows: rows.len() })
    }

    async fn check_export_filter(&self, f: &ReportExportFilter) -> AppResult<Checked> {
        let mut errors = Vec::new();
        if let (Some(from), Some(until)) = (f.from, f.until)
            && until < from
        {
            errors.push(FieldError::new("until", "Tanggal akhir tidak boleh sebelum tanggal awal."));
        }
        let state = match f.state.trim() {
            "" => None,
            word => match word.parse::<ReportState>() {
                Ok(state) => Some(state),
                Err(_) => {
                    errors.push(FieldError::new("state", "Status laporan itu tidak dikenal; pilih dari daftar."));
                    None
                }
            },
        };
        let office = match f.office.trim() {
            "" => None,
            slug => match self.store.office(slug).await? {
                Some(office) => Some(office),
                None => {
                    errors.push(FieldError::new("office", "OPD itu tidak ada; pilih dari daftar."));
                    None
                }
            },
        };
        let village = match f.village.trim() {
            "" => None,
            code => match KodeWilayah::parse(code) {
                Ok(code) if self.store.region(&code).await?.is_some() => Some(code),
                Ok(_) => {
                    errors.push(FieldError::new("village", "Wilayah dengan kode itu tidak ada di data wilayah."));
                    None
                }
                Err(_) => {
                    errors.push(FieldError::new(
                        "village",
                        "Kode wilayah tidak valid; isi kode Kemendagri, misalnya 32.07.06.2001.",
                    ));
                    None
                }
            },
        };
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        Ok(Checked {
            from: f.from.map(|d| self.local_midnight(d)),
            until: f.until.and_then(|d| d.succ_opt()).map(|d| self.local_midnight(d)),
            office,
            village,
            state,
        })
    }

    /// The start of a local day, in UTC.
    pub(crate) fn local_midnight(&self, day: NaiveDate) -> DateTime<Utc> {
        let offset = Duration::seconds(i64::from(self.config.utc_offset.local_minus_utc()));
        day.and_hms_opt(0, 0, 0).map_or_else(|| self.now(), |d| d.and_utc() - offset)
    }

    async fn export_rows(&self, reports: &[Report]) -> AppResult<Vec<Vec<Cell>>> {
        let categories: HashMap<String, String> =
            self.report_categories().await?.into_iter().map(|c| (c.slug, c.name)).collect();
        let mut regions: HashMap<String, String> = HashMap::new();
        let mut handlers: HashMap<Option<String>, String> = HashMap::new();
        let mut rows = Vec::with_capacity(reports.len());
        let local = |at: DateTime<Utc>| at.with_timezone(&self.config.utc_offset).naive_local();
        for r in reports {
            if !regions.contains_key(&r.region_code) {
                let name = match KodeWilayah::parse(&r.region_code) {
                    Ok(code) => self.store.region(&code).await?.map_or_else(|| r.region_code.clone(), |g| g.name),
                    Err(_) => r.region_code.clone(),
                };
                regions.insert(r.region_code.clone(), name);
            }
            if !handlers.contains_key(&r.handler) {
                let name = self.handler_name(r.handler.as_deref()).await?;
                handlers.insert(r.handler.clone(), name);
            }
            let text = |s: &str| Cell::Text(s.to_string());
            let yes_no = |b: bool| Cell::Text(if b { "Ya" } else { "Tidak" }.to_string());
            let kind = r.kind.parse::<ReportKind>().map_or(r.kind.as_str(), |k| k.label());
            let state = r.state.parse::<ReportState>().map_or(r.state.as_str(), |s| s.label());
            let sla = [SlaState::OnTime, SlaState::DueSoon, SlaState::Overdue, SlaState::Met, SlaState::Missed]
                .into_iter()
                .find(|s| s.as_str() == r.sla_state)
                .map_or(r.sla_state.as_str(), |s| s.label());
            let reporter = if r.anonymous {
                "Anonim"
            } else if r.reporter_name.is_empty() {
                "Warga"
            } else {
                r.reporter_name.as_str()
            };
            rows.push(vec![
                text(&r.public_id),
                text(kind),
                text(categories.get(&r.category).unwrap_or(&r.category)),
                text(&r.region_code),
                text(regions.get(&r.region_code).map_or("", String::as_str)),
                text(&r.public_title),
                text(&r.description),
                text(state),
                text(handlers.get(&r.handler).map_or("", String::as_str)),
                Cell::DateTime(Some(local(r.received_at))),
                Cell::Date(Some(r.verify_due)),
                Cell::DateTime(r.verified_at.map(local)),
                Cell::DateTime(r.disposed_at.map(local)),
                Cell::Date(r.complete_due),
                Cell::DateTime(r.closed_at.map(local)),
                text(sla),
                Cell::Number(r.rating),
                yes_no(r.reopened > 0),
                yes_no(r.anonymous),
                yes_no(r.confidential),
                text(reporter),
            ]);
        }
        Ok(rows)
    }

    /// `laporan-32.07.06.2001-dinas-pupr-selesai-2026-11-01-sd-2026-11-30.xlsx`
    fn export_file_name(&self, c: &Checked, format: ExportFormat) -> String {
        let mut parts = vec!["laporan".to_string()];
        parts.extend(c.village.as_ref().map(|v| v.as_str().to_string()));
        parts.extend(c.office.as_ref().map(|o| o.slug.clone()));
        parts.extend(c.state.map(|s| s.as_str().replace('_', "-")));
        let day = |at: DateTime<Utc>| at.with_timezone(&self.config.utc_offset).date_naive();
        let from = c.from.map(day);
        let until = c.until.map(|u| day(u) - Duration::days(1)).unwrap_or_else(|| self.today());
        if let Some(from) = from {
            parts.push(from.format("%Y-%m-%d").to_string());
            parts.push("sd".into());
        }
        parts.push(until.format("%Y-%m-%d").to_string());
        let name: String = parts
            .join("-")
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' })
            .collect();
        format!("{name}.{}", format.as_str())
    }
}

/// The store queries that together make up what `actor` may export with this filter.
fn export_queries(actor: &Actor, c: &Checked) -> AppResult<Vec<ExportQuery>> {
    let office_handler = c.office.as_ref().map(|o| format!("opd:{}", o.slug));
    let base = ExportQuery {
        from: c.from,
        until: c.until,
        region: c.village.as_ref().map(|v| v.as_str().to_string()),
        handler: office_handler.clone(),
        state: c.state.map(|s| s.as_str().to_string()),
        limit: MAX_EXPORT_ROWS as i64 + 1,
    };
    let user = match actor {
        Actor::System => return Ok(vec![base]),
        Actor::Staff(user) => user,
        Actor::Anonymous { .. } | Actor::Resident(_) => return Err(AppError::Unauthenticated),
    };
    let mut queries = Vec::new();

    // As coordinator: the region asked for, or every region the actor coordinates.
    let regions: Vec<KodeWilayah> = match &c.village {
        Some(v) if actor.may(Permission::CoordinateReports, &Target::Wilayah(v)) => vec![v.clone()],
        Some(_) => Vec::new(),
        None => {
            let all = super::public::regions_with(user, Permission::CoordinateReports);
            // A region inside another one the actor coordinates adds nothing.
            all.iter().filter(|r| !all.iter().any(|o| o != *r && r.is_within(o))).cloned().collect()
        }
    };
    queries.extend(regions.into_iter().map(|r| ExportQuery { region: Some(r.as_str().to_string()), ..base.clone() }));

    // As handler: the reports the actor's office or village holds (within the region asked for).
    let mut handlers = super::public::handlers_of(user);
    // A village's handler counts when it lies inside (or contains) the region asked for.
    handlers.retain(|h| match (h.strip_prefix("desa:").map(KodeWilayah::parse), &c.village) {
        (Some(Ok(code)), Some(v)) => v.is_within(&code) || code.is_within(v),
        (Some(Err(_)), _) => false,
        _ => true,
    });
    handlers.retain(|h| office_handler.as_ref().is_none_or(|o| o == h));
    queries.extend(handlers.into_iter().map(|h| ExportQuery { handler: Some(h), ..base.clone() }));

    if queries.is_empty() {
        return Err(AppError::Forbidden);
    }
    Ok(queries)
}

/// A cell as a spreadsheet should not run it: text that a spreadsheet would read as a formula
/// (`=`, `+`, `-`, `@`, or a tab or carriage return first) gets a leading apostrophe.
pub(crate) fn defuse_formula(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_string() }
}

fn csv_cell(cell: &Cell) -> String {
    match cell {
        Cell::Text(t) => defuse_formula(t),
        Cell::DateTime(at) => at.map(|at| at.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default(),
        Cell::Date(d) => d.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default(),
        Cell::Number(n) => n.map(|n| n.to_string()).unwrap_or_default(),
    }
}

/// UTF-8 with a byte-order mark, so that Excel reads the accents right; comma separated.
fn write_csv(rows: &[Vec<Cell>]) -> AppResult<Vec<u8>> {
    let internal = |e: csv::Error| AppError::Internal(anyhow::anyhow!("writing the CSV export: {e}"));
    let mut writer = csv::WriterBuilder::new().from_writer(b"\xEF\xBB\xBF".to_vec());
    writer.write_record(COLUMNS.iter().map(|(header, _)| *header)).map_err(internal)?;
    for row in rows {
        writer.write_record(row.iter().map(csv_cell)).map_err(internal)?;
    }
    writer.into_inner().map_err(|e| AppError::Internal(anyhow::anyhow!("writing the CSV export: {e}")))
}

fn write_xlsx(rows: &[Vec<Cell>]) -> AppResult<Vec<u8>> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};
    let internal = |e: XlsxError| AppError::Internal(anyhow::anyhow!("writing the XLSX export: {e}"));
    let excel_date = |d: NaiveDate| ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8);
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Laporan").map_err(internal)?;
    let bold = Format::new().set_bold();
    let date_format = Format::new().set_num_format("dd/mm/yyyy");
    let datetime_format = Format::new().set_num_format("dd/mm/yyyy hh:mm");
    for (col, (header, width)) in COLUMNS.iter().enumerate() {
        let col = col as u16;
        sheet.write_string_with_format(0, col, *header, &bold).map_err(internal)?;
        sheet.set_column_width(col, *width).map_err(internal)?;
    }
    for (i, row) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        for (col, cell) in row.iter().enumerate() {
            let col = col as u16;
            match cell {
                // Written as a string cell, which Excel never evaluates, so no apostrophe is needed.
                Cell::Text(t) if !t.is_empty() => {
                    sheet.write_string(r, col, t).map_err(internal)?;
                }
                Cell::DateTime(Some(at)) => {
                    let value = excel_date(at.date())
                        .and_then(|d| d.and_hms(at.hour() as u16, at.minute() as u8, at.second() as f64))
                        .map_err(internal)?;
                    sheet.write_datetime_with_format(r, col, &value, &datetime_format).map_err(internal)?;
                }
                Cell::Date(Some(d)) => {
                    let value = excel_date(*d).map_err(internal)?;
                    sheet.write_datetime_with_format(r, col, &value, &date_format).map_err(internal)?;
                }
                Cell::Number(Some(n)) => {
                    sheet.write_number(r, col, f64::from(*n)).map_err(internal)?;
                }
                Cell::Text(_) | Cell::DateTime(None) | Cell::Date(None) | Cell::Number(None) => {}
            }
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(internal)?;
    sheet.autofilter(0, 0, rows.len() as u32, COLUMNS.len() as u16 - 1).map_err(internal)?;
    workbook.save_to_buffer().map_err(internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused() {
        for bad in ["=1+1", "+62812", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(defuse_formula(bad), format!("'{bad}"));
        }
        assert_eq!(defuse_formula("Jalan rusak"), "Jalan rusak");
        assert_eq!(defuse_formula(""), "");
    }

    #[test]
    fn the_filter_reads_a_form() {
        let f = ReportExportFilter::from_form("2026-11-01", "", " dinas-pupr ", "", "selesai", "xlsx").expect("ok");
        assert_eq!(f.from, NaiveDate::from_ymd_opt(2026, 11, 1));
        assert_eq!((f.until, f.office.as_str(), f.format), (None, "dinas-pupr", ExportFormat::Xlsx));
        match ReportExportFilter::from_form("01/11/2026", "2026-02-30", "", "", "", "pdf") {
            Err(AppError::Invalid(errors)) => {
                let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(fields, ["from", "until", "format"]);
            }
            other => panic!("expected invalid, got {other:?}"),
        }
    }
}
