//! The PPID's annual report (laporan layanan informasi publik): counts per class, decision and
//! time taken, and the objections, for a village or (for the PPID utama) a whole regency; as a
//! page, a PDF on letterhead and an XLSX workbook.

use balai_domain::calendar::format_tanggal;
use balai_domain::dokumen::{ReportTable, TableReport};
use balai_domain::ppid::{self, AnnualFigures, Decision, DipClass, KeberatanFigure, KeberatanOutcome, RequestFigure};
use balai_domain::roles::{Permission, Target};
use balai_domain::surat::document::{Kop, Paper, Signer};
use balai_domain::wilayah::{KodeWilayah, Region};
use chrono::{NaiveDate, TimeZone};
use rust_xlsxwriter::{Format, Workbook};
use serde_json::json;

use super::requests::RegisterRow;
use crate::{Actor, App, AppError, AppResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Pdf,
    Xlsx,
}

/// One year's figures for a region.
#[derive(Debug, Clone)]
pub struct AnnualReport {
    pub region: Region,
    pub year: i32,
    pub figures: AnnualFigures,
    /// The register lines counted (without personal data when exported).
    pub rows: Vec<RegisterRow>,
}

impl AnnualReport {
    /// The report's tables, shared by the PDF and the workbook.
    pub fn tables(&self) -> Vec<ReportTable> {
        let f = &self.figures;
        let n = |v: usize| v.to_string();
        let class_rows = f
            .per_class
            .iter()
            .map(|(class, count)| {
                vec![class.map_or("Belum diputus (belum digolongkan)", |c| c.label()).to_string(), n(*count)]
            })
            .collect();
        let mean = f.mean_days.map_or("—".to_string(), |m| format!("{m:.1}").replace('.', ","));
        let ground_rows =
            f.per_ground.iter().map(|(g, count)| vec![format!("{}. {}", g.as_str(), g.label()), n(*count)]).collect();
        vec![
            ReportTable {
                caption: "Tabel 1. Permohonan informasi menurut golongan informasi".into(),
                header: vec!["Golongan informasi".into(), "Jumlah".into()],
                rows: class_rows,
            },
            ReportTable {
                caption: "Tabel 2. Keputusan atas permohonan".into(),
                header: vec!["Keputusan".into(), "Jumlah".into()],
                rows: vec![
                    vec!["Jumlah permohonan".into(), n(f.requests)],
                    vec![Decision::Dikabulkan.label().into(), n(f.granted)],
                    vec![Decision::DikabulkanSebagian.label().into(), n(f.partly)],
                    vec![Decision::Ditolak.label().into(), n(f.refused)],
                    vec!["Belum diputus".into(), n(f.undecided)],
                    vec!["Informasi sudah diserahkan".into(), n(f.delivered)],
                ],
            },
            ReportTable {
                caption: "Tabel 3. Waktu pemberian jawaban (hari kerja)".into(),
                header: vec!["Ukuran".into(), "Nilai".into()],
                rows: vec![
                    vec!["Dijawab tepat waktu (10 hari kerja, atau 17 bila diperpanjang)".into(), n(f.on_time)],
                    vec!["Dijawab terlambat".into(), n(f.late)],
                    vec!["Diperpanjang 7 hari kerja".into(), n(f.extended)],
                    vec!["Rata-rata hari kerja sampai pemberitahuan tertulis".into(), mean],
                    vec!["Paling lama (hari kerja)".into(), f.max_days.map_or("—".into(), |d| d.to_string())],
                ],
            },
            ReportTable {
                caption: "Tabel 4. Keberatan".into(),
                header: vec!["Keberatan".into(), "Jumlah".into()],
                rows: vec![
                    vec!["Keberatan diajukan".into(), n(f.keberatan)],
                    vec!["Sudah ditanggapi atasan PPID".into(), n(f.keberatan_answered)],
                    vec!["Ditanggapi dalam 30 hari kerja".into(), n(f.keberatan_on_time)],
                    vec![KeberatanOutcome::Diterima.label().into(), n(f.keberatan_upheld)],
                ],
            },
            ReportTable {
                caption: "Tabel 5. Alasan keberatan (UU 14/2008 Pasal 35 ayat 1)".into(),
                header: vec!["Alasan".into(), "Jumlah".into()],
                rows: ground_rows,
            },
        ]
    }
}

impl App {
    /// The annual report of a village (its PPID staff) or of a regency (the PPID utama).
    pub async fn ppid_annual_report(&self, actor: &Actor, region: &str, year: i32) -> AppResult<AnnualReport> {
        let code = KodeWilayah::parse(region).map_err(|_| AppError::NotFound)?;
        let region = self.store.region(&code).await?.ok_or(AppError::NotFound)?;
        actor.require(Permission::ViewInformation, &Target::Wilayah(&code))?;
        if !(2000..=2100).contains(&year) {
            return Err(AppError::invalid("tahun", "Tahun laporan tidak masuk akal."));
        }
        let (figures, rows) = self.information_figures(code.as_str(), year).await?;
        Ok(AnnualReport { figures, region, year, rows })
    }

    /// Midnight of 1 January in the installation's time zone.
    pub(crate) fn start_of_year(&self, year: i32) -> AppResult<chrono::DateTime<chrono::Utc>> {
        NaiveDate::from_ymd_opt(year, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .and_then(|t| self.config.utc_offset.from_local_datetime(&t).single())
            .map(|t| t.with_timezone(&chrono::Utc))
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no start of year {year}")))
    }

    /// The counts of a year's information requests and objections in a village or region, with
    /// the register lines counted. No permission is checked: callers show the figures only, or
    /// check first.
    pub(crate) async fn information_figures(
        &self,
        region: &str,
        year: i32,
    ) -> AppResult<(ppid::AnnualFigures, Vec<RegisterRow>)> {
        let rows =
            self.register_rows(region, self.start_of_year(year)?, self.start_of_year(year + 1)?, 100_000).await?;
        let requests: Vec<RequestFigure> = rows
            .iter()
            .map(|r| RequestFigure {
                class: r.request.info_class.as_deref().and_then(|c| c.parse::<DipClass>().ok()),
                decision: r.request.decision.as_deref().and_then(|d| d.parse::<Decision>().ok()),
                delivered: r.request.delivered_at.is_some(),
                extended: r.request.extended_at.is_some(),
                days_to_notice: r.request.days_to_notice.map(i64::from),
                on_time: r.request.on_time,
            })
            .collect();
        let objections: Vec<KeberatanFigure> = rows
            .iter()
            .filter_map(|r| r.keberatan.as_ref())
            .map(|k| KeberatanFigure {
                grounds: k.grounds.split(',').filter_map(|g| g.parse().ok()).collect(),
                outcome: k.outcome.as_deref().and_then(|o| o.parse().ok()),
                on_time: k.on_time,
            })
            .collect();
        Ok((ppid::annual_figures(&requests, &objections), rows))
    }

    /// The annual report as a file: `(file name, content type, bytes)`. Audited.
    pub async fn ppid_annual_file(
        &self,
        actor: &Actor,
        region: &str,
        year: i32,
        format: ReportFormat,
    ) -> AppResult<(String, &'static str, Vec<u8>)> {
        let report = self.ppid_annual_report(actor, region, year).await?;
        let stem = format!("laporan-ppid-{}-{year}", report.region.code.as_str().replace('.', ""));
        let file = match format {
            ReportFormat::Xlsx => (format!("{stem}.xlsx"), XLSX, annual_xlsx(&report, self)?),
            ReportFormat::Pdf => (format!("{stem}.pdf"), "application/pdf", self.annual_pdf(actor, &report).await?),
        };
        self.store
            .record_audit(self.audit_event(
                actor,
                "ppid.annual_report",
                format!("wilayah:{}", report.region.code),
                json!({"year": year, "format": if format == ReportFormat::Pdf { "pdf" } else { "xlsx" }}),
            ))
            .await?;
        Ok(file)
    }

    async fn annual_pdf(&self, actor: &Actor, report: &AnnualReport) -> AppResult<Vec<u8>> {
        let (kop, place, unit) = if report.region.level.is_village() {
            let head = self.village_head(&report.region.code).await?;
            (head.kop(), head.village_name.clone(), format!("PPID {} {}", head.level_label, head.village_name))
        } else {
            let name = report.region.title();
            (
                Kop {
                    government: format!("PEMERINTAH {}", name.to_uppercase()),
                    kecamatan: String::new(),
                    office: "PPID UTAMA".into(),
                    address: String::new(),
                    logo_svg: None,
                },
                report.region.name.clone(),
                format!("PPID Utama {name}"),
            )
        };
        let (name, nip) = match actor {
            Actor::Staff(u) => (u.full_name.clone(), u.nip.clone()),
            _ => (String::new(), String::new()),
        };
        let doc = TableReport {
            paper: Paper::A4,
            kop,
            title: "LAPORAN LAYANAN INFORMASI PUBLIK".into(),
            subtitle: format!("Tahun {} (1 Januari – 31 Desember {})", report.year, report.year),
            intro: vec![format!(
                "Laporan ini disusun oleh {unit} sesuai UU 14/2008 tentang Keterbukaan Informasi Publik dan \
                 Peraturan Komisi Informasi Nomor 1 Tahun 2018, berdasarkan register permohonan informasi dan \
                 register keberatan yang tercatat di Balai."
            )],
            tables: report.tables(),
            notes: vec![format!("Dibuat pada {}.", format_tanggal(self.today()))],
            place_date: format!("{place}, {}", format_tanggal(self.today())),
            signer: Signer { title_lines: vec![unit], name, nip },
        };
        self.render_document("the annual report", move |r| r.render_table_report(&doc)).await
    }
}

pub(crate) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> AppError {
    AppError::Internal(anyhow::anyhow!("writing the workbook: {e}"))
}

/// A workbook of one sheet holding report tables under a title.
pub(crate) fn tables_xlsx(title: &str, tables: &[ReportTable]) -> AppResult<Vec<u8>> {
    let mut book = Workbook::new();
    write_tables_sheet(&mut book, title, tables)?;
    book.save_to_buffer().map_err(xlsx_error)
}

/// Adds the sheet "Ringkasan": the title, then each table with its caption and a bold header;
/// cells after the first that read as numbers (`12`, `91,48`) are written as numbers.
fn write_tables_sheet(book: &mut Workbook, title: &str, tables: &[ReportTable]) -> AppResult<()> {
    let fail = xlsx_error;
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet().set_name("Ringkasan").map_err(fail)?;
    sheet.set_column_width(0, 70).map_err(fail)?;
    sheet.set_column_width(1, 12).map_err(fail)?;
    sheet.write_string_with_format(0, 0, title, &bold).map_err(fail)?;
    let mut row = 2u32;
    for table in tables {
        sheet.write_string_with_format(row, 0, &table.caption, &bold).map_err(fail)?;
        row += 1;
        for (col, head) in table.header.iter().enumerate() {
            sheet.write_string_with_format(row, col as u16, head, &bold).map_err(fail)?;
        }
        row += 1;
        for cells in &table.rows {
            for (col, cell) in cells.iter().enumerate() {
                match cell.replace(',', ".").parse::<f64>() {
                    Ok(n) if col > 0 && n.is_finite() => sheet.write_number(row, col as u16, n).map_err(fail)?,
                    _ => sheet.write_string(row, col as u16, cell).map_err(fail)?,
                };
            }
            row += 1;
        }
        row += 1;
    }
    Ok(())
}

/// Sheet 1: the tables; sheet 2: the register lines without personal data.
fn annual_xlsx(report: &AnnualReport, app: &App) -> AppResult<Vec<u8>> {
    let fail = xlsx_error;
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let title = format!("Laporan layanan informasi publik {} {}", report.region.name, report.year);
    write_tables_sheet(&mut book, &title, &report.tables())?;
    let register = book.add_worksheet().set_name("Register").map_err(fail)?;
    let heads = [
        "Nomor",
        "Tanggal diterima",
        "Desa",
        "Informasi yang diminta",
        "Golongan",
        "Keputusan",
        "Dasar pengecualian",
        "Diperpanjang",
        "Hari kerja sampai pemberitahuan",
        "Tepat waktu",
        "Diserahkan",
        "Keberatan",
        "Tanggapan keberatan",
    ];
    for (col, head) in heads.iter().enumerate() {
        register.write_string_with_format(0, col as u16, *head, &bold).map_err(fail)?;
    }
    for (i, line) in report.rows.iter().enumerate() {
        let r = &line.request;
        let row = i as u32 + 1;
        let yes_no = |b: bool| if b { "ya" } else { "tidak" };
        let cells = [
            r.number.clone(),
            app.local_date(r.received_at).to_string(),
            r.village_code.clone(),
            r.information.clone(),
            r.info_class.clone().unwrap_or_default(),
            r.decision.clone().unwrap_or_default(),
            r.exemption.clone().unwrap_or_default(),
            yes_no(r.extended_at.is_some()).into(),
            r.days_to_notice.map(|d| d.to_string()).unwrap_or_default(),
            r.on_time.map(|b| yes_no(b).to_string()).unwrap_or_default(),
            yes_no(r.delivered_at.is_some()).into(),
            line.keberatan.as_ref().map(|k| k.number.clone()).unwrap_or_default(),
            line.keberatan.as_ref().and_then(|k| k.outcome.clone()).unwrap_or_default(),
        ];
        for (col, cell) in cells.iter().enumerate() {
            // A cell starting with = + - @ would be read as a formula by a spreadsheet.
            let safe = if cell.starts_with(['=', '+', '-', '@']) { format!("'{cell}") } else { cell.clone() };
            register.write_string(row, col as u16, safe).map_err(fail)?;
        }
    }
    book.save_to_buffer().map_err(fail)
}
