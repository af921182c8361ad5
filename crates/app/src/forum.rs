//! The coordination pack for the regency's forum with its OPD (seed 000: "koordinasi secara
//! berkala dengan SKPD melalui forum dan FGD"): for one office and period, its figures against
//! the previous period, the reports past their deadline now and the reports of the period
//! answered late, as a page, a PDF on letterhead and an XLSX. Only public titles are shown:
//! no reporter, and a confidential report's title is withheld.

use balai_domain::calendar::format_tanggal;
use balai_domain::dokumen::{ReportTable, TableReport};
use balai_domain::ikm::{Periode, Weights, format_2dp};
use balai_domain::kinerja::{Figures, format_percent};
use balai_domain::roles::{Permission, Target};
use balai_domain::surat::document::{Kop, Paper, Signer};
use balai_domain::wilayah::Region;
use balai_store::Office;
use balai_store::reports::{ExportQuery, InboxQuery, Report};
use chrono::Datelike;

use crate::dashboard::DashboardQuery;
use crate::ppid::ReportFormat;
use crate::{Actor, App, AppError, AppResult};

/// At most this many reports are listed per table (a forum reads the worst first).
const LISTED: i64 = 500;

#[derive(Debug, Clone)]
pub struct ForumPack {
    pub office: Office,
    pub regency: Region,
    pub periode: Periode,
    pub previous: Periode,
    pub now: Figures,
    pub before: Figures,
    /// Open reports of the office past their due date today, the oldest due first.
    pub overdue: Vec<Report>,
    /// Reports received in the period whose first response came after its deadline.
    pub late: Vec<Report>,
    pub today: chrono::NaiveDate,
}

/// A report's title as the forum may read it.
pub fn forum_title(r: &Report) -> String {
    if r.confidential { "(laporan rahasia)".into() } else { r.public_title.clone() }
}

/// A report's tracking code as people write it (`2WZNH-Y9FBM`).
pub fn forum_code(r: &Report) -> String {
    balai_domain::lapor::tracking::TrackingCode::parse(&r.code).map_or_else(|_| r.code.clone(), |c| c.display())
}

fn day(d: Option<chrono::NaiveDate>) -> String {
    d.map_or_else(|| "—".into(), format_tanggal)
}

/// How one row of the comparison reads a period's figures.
type Measure = fn(&Figures) -> String;

impl ForumPack {
    /// The measures side by side: (measure, previous period, this period).
    pub fn comparison(&self) -> Vec<(&'static str, String, String)> {
        let rows: [(&'static str, Measure); 7] = [
            ("Laporan diterima", |f| f.reports_received.to_string()),
            ("Diverifikasi ≤ 3 hari kerja", |f| format_percent(f.verified_in_time())),
            ("Ditanggapi", |f| f.reports_answered.to_string()),
            ("Ditanggapi tepat waktu", |f| {
                format_percent(balai_domain::kinerja::share(f.reports_answered_on_time, f.reports_answered))
            }),
            ("Median hari kerja sampai selesai", |f| {
                f.median_days_to_done().map_or_else(|| "—".into(), |d| format!("{d:.1}").replace('.', ","))
            }),
            ("Responden survei", |f| f.survey.responses.to_string()),
            ("IKM", |f| f.ikm(Weights::Exact).map_or_else(|_| "—".into(), |i| format_2dp(i.ikm))),
        ];
        rows.iter().map(|(name, of)| (*name, of(&self.before), of(&self.now))).collect()
    }

    pub fn days_overdue(&self, r: &Report) -> i64 {
        r.due_on.map_or(0, |d| (self.today - d).num_days())
    }

    pub fn tables(&self) -> Vec<ReportTable> {
        vec![
            ReportTable {
                caption: format!("Kinerja {} dibandingkan {}", self.periode.label(), self.previous.label()),
                header: vec!["Ukuran".into(), self.previous.label(), self.periode.label()],
                rows: self.comparison().into_iter().map(|(m, a, b)| vec![m.to_string(), a, b]).collect(),
            },
            ReportTable {
                caption: format!("Laporan melewati tenggat per {}", format_tanggal(self.today)),
                header: vec!["Kode".into(), "Laporan".into(), "Tenggat".into(), "Lewat (hari)".into()],
                rows: self
                    .overdue
                    .iter()
                    .map(|r| vec![forum_code(r), forum_title(r), day(r.due_on), self.days_overdue(r).to_string()])
                    .collect(),
            },
            ReportTable {
                caption: format!("Laporan {} yang ditanggapi melewati tenggat", self.periode.label()),
                header: vec!["Kode".into(), "Laporan".into(), "Tenggat tanggapan".into(), "Ditanggapi".into()],
                rows: self
                    .late
                    .iter()
                    .map(|r| {
                        vec![
                            forum_code(r),
                            forum_title(r),
                            day(r.respond_due),
                            day(r.first_response_at.map(|t| t.date_naive())),
                        ]
                    })
                    .collect(),
            },
        ]
    }
}

impl App {
    /// The pack of one office (by slug) for a period, for staff who evaluate its regency.
    pub async fn forum_pack(&self, actor: &Actor, slug: &str, periode: Periode) -> AppResult<ForumPack> {
        let office = self.store.office(slug).await?.ok_or(AppError::NotFound)?;
        actor.allow(&[Permission::ViewEvaluation], &Target::Wilayah(&office.regency))?;
        let today = self.today();
        if periode.year() > today.year() || periode.year() < 2000 {
            return Err(AppError::invalid("periode", format!("Periode harus antara 2000 dan {}.", today.year())));
        }
        let (regency, _) = self.region_and_ancestors(office.regency.as_str()).await?;
        let handler = format!("opd:{}", office.slug);
        let previous = periode.previous();
        let now = self.office_figures(&regency, &handler, periode).await?;
        let before = self.office_figures(&regency, &handler, previous).await?;
        let inbox = InboxQuery {
            region: None,
            handler: Some(handler.clone()),
            states: vec!["didisposisikan".into(), "ditindaklanjuti".into()],
            limit: LISTED,
        };
        let overdue = self
            .store
            .report_inbox(&inbox)
            .await?
            .into_iter()
            .filter(|r| r.due_on.is_some_and(|d| d < today))
            .collect();
        let (from, until) = periode.dates();
        let received = ExportQuery {
            from: Some(self.local_midnight(from)),
            until: Some(self.local_midnight(until)),
            handler: Some(handler),
            limit: 100_000,
            ..ExportQuery::default()
        };
        let mut late: Vec<Report> = self
            .store
            .export_reports(&received)
            .await?
            .into_iter()
            .filter(|r| r.answered_on_time == Some(false))
            .collect();
        late.truncate(LISTED as usize);
        Ok(ForumPack { office, regency, periode, previous, now, before, overdue, late, today })
    }

    /// An office's figures over a period, summed from the dashboard's months.
    async fn office_figures(&self, regency: &Region, handler: &str, periode: Periode) -> AppResult<Figures> {
        if periode.year() < 2000 {
            return Ok(Figures::default());
        }
        let query = DashboardQuery { year: Some(periode.year()), month: None, office: Some(handler.to_string()) };
        let d = self.build_dashboard(&regency.code, &query).await?;
        let (from, until) = periode.dates();
        let mut total = Figures::default();
        for row in &d.months {
            let Ok(month) = row.key.parse::<u32>() else { continue };
            let Some(first) = chrono::NaiveDate::from_ymd_opt(periode.year(), month, 1) else { continue };
            if first >= from && first < until {
                total.merge(&row.figures);
            }
        }
        Ok(total)
    }

    /// The pack as a file: `(file name, content type, bytes)`.
    pub async fn forum_file(
        &self,
        actor: &Actor,
        slug: &str,
        periode: Periode,
        format: ReportFormat,
    ) -> AppResult<(String, &'static str, Vec<u8>)> {
        let pack = self.forum_pack(actor, slug, periode).await?;
        let stem = format!("forum-{}-{}", pack.office.slug, periode.as_param());
        let title = format!("Bahan forum koordinasi {} {}", pack.office.name, periode.label());
        Ok(match format {
            ReportFormat::Xlsx => {
                (format!("{stem}.xlsx"), crate::ppid::XLSX, crate::ppid::tables_xlsx(&title, &pack.tables())?)
            }
            ReportFormat::Pdf => {
                let (name, nip) = match actor {
                    Actor::Staff(u) => (u.full_name.clone(), u.nip.clone()),
                    _ => (String::new(), String::new()),
                };
                let regency = pack.regency.title();
                let doc = TableReport {
                    paper: Paper::A4,
                    kop: Kop {
                        government: format!("PEMERINTAH {}", regency.to_uppercase()),
                        kecamatan: String::new(),
                        office: "DINAS KOMUNIKASI DAN INFORMATIKA".into(),
                        address: String::new(),
                        logo_svg: None,
                    },
                    title: "BAHAN FORUM KOORDINASI PENANGANAN PENGADUAN".into(),
                    subtitle: format!("{} — {}", pack.office.name, periode.label()),
                    intro: vec![format!(
                        "Bahan ini memuat kinerja penanganan laporan masyarakat yang didisposisikan kepada {} \
                         pada {} dibandingkan {}, {} laporan yang melewati tenggat per {} dan {} laporan \
                         periode ini yang ditanggapi melewati tenggat.",
                        pack.office.name,
                        periode.label(),
                        pack.previous.label(),
                        pack.overdue.len(),
                        format_tanggal(pack.today),
                        pack.late.len()
                    )],
                    tables: pack.tables(),
                    notes: vec![
                        "Tenggat dihitung dalam hari kerja sesuai kalender libur nasional dan cuti bersama. Judul \
                         laporan adalah judul publiknya; identitas pelapor tidak dimuat."
                            .into(),
                        format!("Dibuat pada {}.", format_tanggal(pack.today)),
                    ],
                    place_date: format!("{}, {}", pack.regency.name, format_tanggal(pack.today)),
                    signer: Signer { title_lines: vec![format!("Diskominfo {regency}")], name, nip },
                };
                (
                    format!("{stem}.pdf"),
                    "application/pdf",
                    self.render_document("the forum pack", move |r| r.render_table_report(&doc)).await?,
                )
            }
        })
    }
}
