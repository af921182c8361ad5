//! Letter rendering for Balai: a [`LetterDocument`] becomes a PDF through an embedded Typst
//! compiler. The document reaches the template only as the virtual file `/data.json`, with the
//! verification QR code as `/qr.svg` and the emblem as `/logo.svg`, so nothing a resident types
//! is ever read as markup.
//!
//! ```no_run
//! use balai_domain::surat::document::{LetterRenderer, Paper};
//! use balai_letters::{TypstRenderer, sample_document};
//!
//! let renderer = TypstRenderer::new(); // once per process; share it through an Arc
//! let pdf = renderer.render(&sample_document(Paper::F4), None)?;
//! # Ok::<(), balai_domain::surat::document::RenderError>(())
//! ```

#![forbid(unsafe_code)]

mod diagnostics;
mod sample;
mod world;

use std::panic::{AssertUnwindSafe, catch_unwind};

use balai_domain::surat::document::{LetterDocument, LetterRenderer, RenderError};
use qrcode::{EcLevel, QrCode, render::svg};
use typst::foundations::{Bytes, Smart};
use typst::syntax::Source;
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt};
use typst_layout::PagedDocument;
use typst_pdf::PdfOptions;

pub use sample::sample_document;

use world::{FileIds, LetterWorld};

/// The default letter template (Typst), embedded in the binary. A village's own template is
/// best started from a copy of it. A template reads `json("/data.json")`: the
/// [`LetterDocument`] as serde writes it (`paper` is `"f4"` or `"a4"`, each of `rows` is a
/// `[label, value]` pair), and may show `image("/qr.svg")` and `image("/logo.svg")`.
pub const DEFAULT_TEMPLATE: &str = include_str!("../templates/surat.typ");

/// The neutral emblem used when the letterhead has no logo of its own.
pub const DEFAULT_LOGO_SVG: &str = include_str!("../templates/lambang.svg");

/// How many compilations comemo's memo cache may keep an unused entry for. Evicting after every
/// render keeps memory flat (about 1 MB per letter otherwise) at no measurable cost.
const CACHE_MAX_AGE: usize = 10;

/// Renders letters with Typst. Loading fonts and the standard library is the expensive part, so
/// create one per process and share it (it is `Send + Sync`); each render is independent.
pub struct TypstRenderer {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    ids: FileIds,
    default_template: Source,
    default_logo: Bytes,
}

impl TypstRenderer {
    /// Loads the embedded fonts, the Typst standard library and the default template.
    pub fn new() -> Self {
        let fonts: Vec<Font> = typst_assets::fonts().flat_map(|data| Font::iter(Bytes::new(data))).collect();
        let ids = FileIds::new();
        TypstRenderer {
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
            default_template: Source::new(ids.default_template, DEFAULT_TEMPLATE.to_owned()),
            default_logo: Bytes::from_string(DEFAULT_LOGO_SVG),
            ids,
        }
    }

    fn render_unguarded(&self, doc: &LetterDocument, template: Option<&str>) -> Result<Vec<u8>, RenderError> {
        let main = match template {
            Some(src) => Source::new(self.ids.custom_template, src.to_owned()),
            None => self.default_template.clone(),
        };
        let data = serde_json::to_vec(doc).map_err(|e| plain_error(format!("cannot encode the letter: {e}")))?;
        let logo = match &doc.kop.logo_svg {
            Some(svg) => Bytes::from_string(svg.clone()),
            None => self.default_logo.clone(),
        };
        let world = LetterWorld {
            library: &self.library,
            book: &self.book,
            fonts: &self.fonts,
            ids: &self.ids,
            main,
            data: Bytes::new(data),
            qr: Bytes::from_string(qr_svg(&doc.verification_url)?),
            logo,
        };

        let compiled = typst::compile::<PagedDocument>(&world).output;
        let pdf = compiled.and_then(|paged| typst_pdf::pdf(&paged, &pdf_options(doc)));
        pdf.map_err(|errors| diagnostics::to_render_error(&world, &errors))
    }
}

impl std::fmt::Debug for TypstRenderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TypstRenderer").field("fonts", &self.fonts.len()).finish_non_exhaustive()
    }
}

impl Default for TypstRenderer {
    fn default() -> Self {
        Self::new()
    }
}

impl LetterRenderer for TypstRenderer {
    fn render(&self, document: &LetterDocument, template: Option<&str>) -> Result<Vec<u8>, RenderError> {
        // A village template is arbitrary code: a compiler bug it triggers must become an error
        // for the admin, not take the server thread down.
        let result = catch_unwind(AssertUnwindSafe(|| self.render_unguarded(document, template)));
        typst::comemo::evict(CACHE_MAX_AGE);
        result.unwrap_or_else(|_| Err(plain_error("the letter renderer failed unexpectedly".to_owned())))
    }
}

/// Fixed metadata so the same letter always gives the same bytes: no timestamp, and a document
/// ID derived from the letter number rather than from anything random.
fn pdf_options(doc: &LetterDocument) -> PdfOptions {
    PdfOptions {
        ident: Smart::Custom(format!("balai-letter {}", doc.number)),
        creator: Smart::Custom(Some("Balai".to_owned())),
        timestamp: None,
        ..PdfOptions::default()
    }
}

fn qr_svg(url: &str) -> Result<String, RenderError> {
    let code = QrCode::with_error_correction_level(url, EcLevel::M)
        .map_err(|e| plain_error(format!("cannot encode the verification URL as a QR code: {e}")))?;
    Ok(code.render::<svg::Color>().min_dimensions(200, 200).quiet_zone(false).build())
}

fn plain_error(message: String) -> RenderError {
    RenderError { message, line: None, column: None }
}
