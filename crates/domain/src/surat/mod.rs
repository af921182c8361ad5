//! Letters (layanan surat, domain.md §4).

pub mod canonical;
pub mod catalogue;
pub mod catalogue_text;
pub mod document;
pub mod numbering;
pub mod state;
