//! The Typst world of one render: the shared fonts and library, one template, and the virtual
//! files the template may read (the data, the emblem and its QR images). No file system, no
//! packages, no clock.

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, World};

/// How many numbered QR images (`/qr-0.svg`, …) a render may supply: one per service of a
/// poster or brochure. File ids are interned for the life of the process, so they are made once
/// here rather than per render.
pub(crate) const MAX_NUMBERED_QR: usize = 12;

/// Interned ids of the files a world may know.
pub(crate) struct FileIds {
    pub default_template: FileId,
    pub custom_template: FileId,
    pub notice_template: FileId,
    pub report_template: FileId,
    pub poster_template: FileId,
    pub brochure_template: FileId,
    pub data: FileId,
    pub qr: FileId,
    /// `/qr-0.svg`, `/qr-1.svg`, …, [`MAX_NUMBERED_QR`] of them.
    pub numbered_qr: Vec<FileId>,
    pub logo: FileId,
}

impl FileIds {
    pub fn new() -> Self {
        FileIds {
            default_template: file_id("/surat.typ"),
            custom_template: file_id("/templat-desa.typ"),
            notice_template: file_id("/pemberitahuan.typ"),
            report_template: file_id("/laporan-tabel.typ"),
            poster_template: file_id("/poster.typ"),
            brochure_template: file_id("/brosur.typ"),
            data: file_id("/data.json"),
            qr: file_id("/qr.svg"),
            numbered_qr: (0..MAX_NUMBERED_QR).map(|i| file_id(&format!("/qr-{i}.svg"))).collect(),
            logo: file_id("/logo.svg"),
        }
    }
}

fn file_id(path: &str) -> FileId {
    // Only called with the fixed absolute paths above, which always parse.
    let vpath = VirtualPath::new(path).expect("fixed virtual paths are valid");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

pub(crate) struct LetterWorld<'a> {
    pub library: &'a LazyHash<Library>,
    pub book: &'a LazyHash<FontBook>,
    pub fonts: &'a [Font],
    pub ids: &'a FileIds,
    pub main: Source,
    pub data: Bytes,
    /// The QR images of this render, each under its own id (`/qr.svg` for a letter or notice,
    /// `/qr-0.svg`, … for a kit's services); a template asking for another one gets NotFound.
    pub qr: Vec<(FileId, Bytes)>,
    pub logo: Bytes,
}

impl World for LetterWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() { Ok(self.main.clone()) } else { Err(FileError::NotSource) }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.ids.data {
            Ok(self.data.clone())
        } else if let Some((_, svg)) = self.qr.iter().find(|(qr, _)| *qr == id) {
            Ok(svg.clone())
        } else if id == self.ids.logo {
            Ok(self.logo.clone())
        } else if id == self.main.id() {
            Ok(Bytes::from_string(self.main.clone()))
        } else {
            Err(FileError::NotFound(id.vpath().get_with_slash().into()))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.get(index).cloned()
    }

    // Letters carry their own date; a template asking for "today" gets an error rather than an
    // output that changes with the clock.
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}
