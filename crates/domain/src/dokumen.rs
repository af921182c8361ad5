//! Printed documents that are not letters: the PPID's written notice (pemberitahuan tertulis)
//! and annual report, and the socialization kit (poster and tri-fold brochure). Built by the app,
//! rendered by the `letters` crate behind [`DocumentRenderer`]. Like letters, everything here is
//! plain text: a renderer treats it as data, never as markup.

use serde::{Deserialize, Serialize};

use crate::surat::document::{Kop, Paper, RenderError, Signer};

/// A one- or two-page official notice on letterhead: a title, a number, who it is for, a table of
/// particulars, paragraphs and a signature, with a QR code to follow the matter online.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub paper: Paper,
    pub kop: Kop,
    /// "PEMBERITAHUAN TERTULIS"
    pub title: String,
    /// "001/PPID/2001/XII/2026"
    pub number: String,
    /// The addressee block: "Kepada Yth.", "Sdr. Budi", "Jl. …".
    pub to: Vec<String>,
    /// Paragraphs before the table.
    pub opening: Vec<String>,
    /// (label, value) rows.
    pub rows: Vec<(String, String)>,
    /// Paragraphs after the table.
    pub body: Vec<String>,
    /// "Sukamulya, 5 Desember 2026"
    pub place_date: String,
    pub signer: Signer,
    /// The address the QR code holds (the tracking page).
    pub qr_url: String,
    /// A short line beside the QR code.
    pub qr_note: String,
}

/// One table of a report: a caption, the column heads and the rows (all cells as text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportTable {
    pub caption: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A report on letterhead made of tables (the PPID's annual report).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableReport {
    pub paper: Paper,
    pub kop: Kop,
    /// "LAPORAN LAYANAN INFORMASI PUBLIK"
    pub title: String,
    /// "Tahun 2026 (1 Januari – 31 Desember 2026)"
    pub subtitle: String,
    pub intro: Vec<String>,
    pub tables: Vec<ReportTable>,
    pub notes: Vec<String>,
    pub place_date: String,
    pub signer: Signer,
}

/// One service advertised on a poster or brochure, with the address its QR code holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KitService {
    /// "Ajukan surat"
    pub title: String,
    /// One or two sentences of plain words.
    pub text: String,
    /// The full URL the QR code holds and that is printed under it.
    pub url: String,
}

/// A panel of the brochure: a heading, paragraphs and bullet points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KitPanel {
    pub heading: String,
    pub paragraphs: Vec<String>,
    pub bullets: Vec<String>,
}

/// The socialization kit of one village: the same content makes an A4 poster and an A4
/// landscape tri-fold brochure (two pages, three panels each).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kit {
    pub kop: Kop,
    /// "Layanan Desa Sukamulya dari rumah"
    pub headline: String,
    pub tagline: String,
    /// Usually three: letters, reports, the portal.
    pub services: Vec<KitService>,
    /// The brochure's panels besides the services (how it works, help, contacts).
    pub panels: Vec<KitPanel>,
    /// Office contact lines: address, phone, email, office hours.
    pub contact: Vec<String>,
}

/// Turns documents into PDF bytes. Same document, same bytes.
pub trait DocumentRenderer: Send + Sync {
    fn render_notice(&self, notice: &Notice) -> Result<Vec<u8>, RenderError>;
    fn render_table_report(&self, report: &TableReport) -> Result<Vec<u8>, RenderError>;
    fn render_poster(&self, kit: &Kit) -> Result<Vec<u8>, RenderError>;
    fn render_brochure(&self, kit: &Kit) -> Result<Vec<u8>, RenderError>;
}
