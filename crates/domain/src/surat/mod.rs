//! Letters (layanan surat, domain.md §4).

pub mod document;
