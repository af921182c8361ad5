//! The Typst world of one letter: the shared fonts and library, one template, and the three
//! virtual files the template may read. No file system, no packages, no clock.

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, World};

/// Interned ids of the files a letter's world knows.
pub(crate) struct FileIds {
    pub default_template: FileId,
    pub custom_template: FileId,
    pub data: FileId,
    pub qr: FileId,
    pub logo: FileId,
}

impl FileIds {
    pub fn new() -> Self {
        FileIds {
            default_template: file_id("/surat.typ"),
            custom_template: file_id("/templat-desa.typ"),
            data: file_id("/data.json"),
            qr: file_id("/qr.svg"),
            logo: file_id("/logo.svg"),
        }
    }
}

fn file_id(path: &'static str) -> FileId {
    // Only called with the constant absolute paths above, which always parse.
    let vpath = VirtualPath::new(path).expect("constant virtual paths are valid");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

pub(crate) struct LetterWorld<'a> {
    pub library: &'a LazyHash<Library>,
    pub book: &'a LazyHash<FontBook>,
    pub fonts: &'a [Font],
    pub ids: &'a FileIds,
    pub main: Source,
    pub data: Bytes,
    pub qr: Bytes,
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
        } else if id == self.ids.qr {
            Ok(self.qr.clone())
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
