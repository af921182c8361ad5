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
mod documents;
mod sample;
mod world;

use std::panic::{AssertUnwindSafe, catch_unwind};

use balai_domain::surat::document::{Kop, LetterDocument, LetterRenderer, RenderError};
use qrcode::{EcLevel, QrCode, render::svg};
use serde::Serialize;
use typst::foundations::{Bytes, Smart};
use typst::syntax::{FileId, Source};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt};
use typst_layout::PagedDocument;
use typst_pdf::PdfOptions;

pub use sample::{sample_document, sample_kit, sample_notice};

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
    /// The templates of the documents that are not letters (see the `documents` module).
    documents: documents::Templates,
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
            documents: documents::Templates::new(&ids),
            default_logo: Bytes::from_string(DEFAULT_LOGO_SVG),
            ids,
        }
    }

    fn render_unguarded(&self, doc: &LetterDocument, template: Option<&str>) -> Result<Vec<u8>, RenderError> {
        let main = match template {
            Some(src) => Source::new(self.ids.custom_template, src.to_owned()),
            None => self.default_template.clone(),
        };
        let qr = vec![(self.ids.qr, qr_svg(&doc.verification_url, "the verification URL")?)];
        self.compile(main, encode(doc, "the letter")?, &doc.kop, qr, &pdf_options(doc))
    }

    /// Compiles `main` in a world of its own: `data` as `/data.json`, the letterhead's emblem (or
    /// the default one) as `/logo.svg` and the given QR images. Shared by every kind of document.
    fn compile(
        &self,
        main: Source,
        data: Bytes,
        kop: &Kop,
        qr: Vec<(FileId, Bytes)>,
        options: &PdfOptions,
    ) -> Result<Vec<u8>, RenderError> {
        let logo = match &kop.logo_svg {
            Some(svg) => Bytes::from_string(svg.clone()),
            None => self.default_logo.clone(),
        };
        let world = LetterWorld {
            library: &self.library,
            book: &self.book,
            fonts: &self.fonts,
            ids: &self.ids,
            main,
            data,
            qr,
            logo,
        };

        let compiled = typst::compile::<PagedDocument>(&world).output;
        let pdf = compiled.and_then(|paged| typst_pdf::pdf(&paged, options));
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
        guarded("the letter renderer failed unexpectedly", || self.render_unguarded(document, template))
    }
}

/// Runs one render so that a panic inside the compiler becomes an error, then trims comemo's
/// cache: every render goes through here.
fn guarded(failure: &str, render: impl FnOnce() -> Result<Vec<u8>, RenderError>) -> Result<Vec<u8>, RenderError> {
    let result = catch_unwind(AssertUnwindSafe(render));
    typst::comemo::evict(CACHE_MAX_AGE);
    result.unwrap_or_else(|_| Err(plain_error(failure.to_owned())))
}

/// The document as the template reads it from `/data.json`.
fn encode<T: Serialize>(document: &T, what: &str) -> Result<Bytes, RenderError> {
    let data = serde_json::to_vec(document).map_err(|e| plain_error(format!("cannot encode {what}: {e}")))?;
    Ok(Bytes::new(data))
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

/// `url` as an SVG QR code; `what` names it in the error ("the verification URL").
fn qr_svg(url: &str, what: &str) -> Result<Bytes, RenderError> {
    let code = QrCode::with_error_correction_level(url, EcLevel::M)
        .map_err(|e| plain_error(format!("cannot encode {what} as a QR code: {e}")))?;
    Ok(Bytes::from_string(code.render::<svg::Color>().min_dimensions(200, 200).quiet_zone(false).build()))
}

fn plain_error(message: String) -> RenderError {
    RenderError { message, line: None, column: None }
}
