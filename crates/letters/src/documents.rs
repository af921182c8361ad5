//! The documents that are not letters ([`DocumentRenderer`]): the written notice, the table
//! report, and the socialization kit as a poster and as a tri-fold brochure. Each has one
//! embedded template; like a letter, the document reaches it only as `/data.json`, with its QR
//! images as `/qr.svg` (notice) or `/qr-0.svg`, `/qr-1.svg`, … (one per kit service, in order).

use balai_domain::dokumen::{DocumentRenderer, Kit, Notice, TableReport};
use balai_domain::surat::document::RenderError;
use typst::foundations::Smart;
use typst::syntax::Source;
use typst_pdf::PdfOptions;

use crate::world::{FileIds, MAX_NUMBERED_QR};
use crate::{TypstRenderer, encode, guarded, plain_error, qr_svg};

const NOTICE_TEMPLATE: &str = include_str!("../templates/pemberitahuan.typ");
const REPORT_TEMPLATE: &str = include_str!("../templates/laporan-tabel.typ");
const POSTER_TEMPLATE: &str = include_str!("../templates/poster.typ");
const BROCHURE_TEMPLATE: &str = include_str!("../templates/brosur.typ");

/// What fits on one A4 poster with QR codes still large enough to scan from a notice board.
const POSTER_SERVICES: usize = 4;
const _: () = assert!(POSTER_SERVICES <= MAX_NUMBERED_QR && BROCHURE_SERVICES <= MAX_NUMBERED_QR);

/// The inside of a tri-fold brochure: three panels, one per service.
const BROCHURE_SERVICES: usize = 3;

/// The parsed templates, made once per renderer like the letter's default template.
pub(crate) struct Templates {
    notice: Source,
    report: Source,
    poster: Source,
    brochure: Source,
}

impl Templates {
    pub fn new(ids: &FileIds) -> Self {
        Templates {
            notice: Source::new(ids.notice_template, NOTICE_TEMPLATE.to_owned()),
            report: Source::new(ids.report_template, REPORT_TEMPLATE.to_owned()),
            poster: Source::new(ids.poster_template, POSTER_TEMPLATE.to_owned()),
            brochure: Source::new(ids.brochure_template, BROCHURE_TEMPLATE.to_owned()),
        }
    }
}

impl TypstRenderer {
    fn notice_unguarded(&self, notice: &Notice) -> Result<Vec<u8>, RenderError> {
        let qr = vec![(self.ids.qr, qr_svg(&notice.qr_url, "the tracking URL")?)];
        let ident = format!("balai-notice {} {}", notice.title, notice.number);
        let data = encode(notice, "the notice")?;
        self.compile(self.documents.notice.clone(), data, &notice.kop, qr, &pdf_options(ident))
    }

    fn report_unguarded(&self, report: &TableReport) -> Result<Vec<u8>, RenderError> {
        let ident = format!("balai-report {} {}", report.title, report.subtitle);
        let data = encode(report, "the report")?;
        self.compile(self.documents.report.clone(), data, &report.kop, vec![], &pdf_options(ident))
    }

    /// The poster and the brochure differ only in their template.
    /// `most` is how many services fit: a brochure has three inside panels.
    fn kit_unguarded(&self, kit: &Kit, main: &Source, kind: &str, most: usize) -> Result<Vec<u8>, RenderError> {
        if kit.services.len() > most {
            return Err(plain_error(format!(
                "a {kind} shows at most {most} services, this one has {}",
                kit.services.len()
            )));
        }
        let qr = kit
            .services
            .iter()
            .zip(&self.ids.numbered_qr)
            .map(|(service, id)| Ok((*id, qr_svg(&service.url, &format!("the URL of \"{}\"", service.title))?)))
            .collect::<Result<Vec<_>, RenderError>>()?;
        let ident = format!("balai-{kind} {} {}", kit.kop.office, kit.headline);
        let data = encode(kit, "the kit")?;
        self.compile(main.clone(), data, &kit.kop, qr, &pdf_options(ident))
    }
}

impl DocumentRenderer for TypstRenderer {
    fn render_notice(&self, notice: &Notice) -> Result<Vec<u8>, RenderError> {
        guarded("the notice renderer failed unexpectedly", || self.notice_unguarded(notice))
    }

    fn render_table_report(&self, report: &TableReport) -> Result<Vec<u8>, RenderError> {
        guarded("the report renderer failed unexpectedly", || self.report_unguarded(report))
    }

    fn render_poster(&self, kit: &Kit) -> Result<Vec<u8>, RenderError> {
        guarded("the poster renderer failed unexpectedly", || {
            self.kit_unguarded(kit, &self.documents.poster, "poster", POSTER_SERVICES)
        })
    }

    fn render_brochure(&self, kit: &Kit) -> Result<Vec<u8>, RenderError> {
        guarded("the brochure renderer failed unexpectedly", || {
            self.kit_unguarded(kit, &self.documents.brochure, "brochure", BROCHURE_SERVICES)
        })
    }
}

/// As for letters: no timestamp, and a document ID derived from the document itself, so the same
/// document always gives the same bytes.
fn pdf_options(ident: String) -> PdfOptions {
    PdfOptions {
        ident: Smart::Custom(ident),
        creator: Smart::Custom(Some("Balai".to_owned())),
        timestamp: None,
        ..PdfOptions::default()
    }
}
