//! What a letter says, ready to be laid out: the data a renderer turns into a PDF. Built by the
//! app from the request, the register and the village; rendered by the `letters` crate behind
//! [`LetterRenderer`]. Everything here is plain text: renderers must treat it as data, never as
//! markup (a resident's name may contain anything).

use serde::{Deserialize, Serialize};

/// Paper size. F4 (215 × 330 mm, "folio") is what Indonesian village offices print on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Paper {
    #[default]
    F4,
    A4,
}

impl Paper {
    pub fn as_str(self) -> &'static str {
        match self {
            Paper::F4 => "f4",
            Paper::A4 => "a4",
        }
    }

    /// Width and height in millimetres.
    pub fn size_mm(self) -> (u32, u32) {
        match self {
            Paper::F4 => (215, 330),
            Paper::A4 => (210, 297),
        }
    }
}

/// The letterhead: who issues the letter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kop {
    /// "PEMERINTAH KABUPATEN CIAMIS"
    pub government: String,
    /// "KECAMATAN CIHAURBEUTI"
    pub kecamatan: String,
    /// "DESA SUKAMULYA" (or "KELURAHAN …")
    pub office: String,
    /// The office's address line, e.g. "Jl. Raya Sukamulya No. 1, Cihaurbeuti 46262".
    pub address: String,
    /// The regency's emblem as SVG; `None` uses the renderer's neutral default.
    pub logo_svg: Option<String>,
}

/// Who signs, frozen into the letter when it is signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signer {
    /// Lines above the signature space, e.g. ["Kepala Desa Sukamulya"] or, when delegated,
    /// ["a.n. Kepala Desa Sukamulya", "Sekretaris Desa"].
    pub title_lines: Vec<String>,
    pub name: String,
    /// Empty when the signer is not a civil servant.
    pub nip: String,
}

/// One letter, everything needed to lay it out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LetterDocument {
    pub paper: Paper,
    pub kop: Kop,
    /// "SURAT KETERANGAN TIDAK MAMPU"
    pub title: String,
    /// "400.9.14/012/2001/XI/2026"
    pub number: String,
    /// The sentence before the table, e.g. "Yang bertanda tangan di bawah ini …, menerangkan bahwa:".
    pub opening: String,
    /// The subject's particulars as (label, value) rows: Nama, NIK, Tempat/Tgl. Lahir, …
    pub rows: Vec<(String, String)>,
    /// The body paragraphs after the table.
    pub body: Vec<String>,
    /// The closing paragraph.
    pub closing: String,
    /// Place and date line, e.g. "Sukamulya, 23 November 2026".
    pub place_date: String,
    pub signer: Signer,
    /// The verification URL the QR code holds (with its token and signature).
    pub verification_url: String,
    /// A short line under the QR code, e.g. "Pindai untuk memeriksa keaslian surat".
    pub verification_note: String,
}

/// A template or rendering failure, with where in the template it happened (for the admin who
/// edited it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}{}", location(*line, *column))]
pub struct RenderError {
    pub message: String,
    pub line: Option<u32>,
    pub column: Option<u32>,
}

fn location(line: Option<u32>, column: Option<u32>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(" (line {l}, column {c})"),
        (Some(l), None) => format!(" (line {l})"),
        _ => String::new(),
    }
}

/// Turns a letter into PDF bytes. Same document and template, same bytes.
pub trait LetterRenderer: Send + Sync {
    /// Renders with the default template, or with `template` (a village's own) when given.
    fn render(&self, document: &LetterDocument, template: Option<&str>) -> Result<Vec<u8>, RenderError>;
}
