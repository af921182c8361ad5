//! Balai's domain rules: Kemendagri region codes, NIK, working days and deadlines, roles and
//! their permissions, login throttling and the audit hash chain.
//!
//! Everything here is pure: no I/O and no clock reads. "Today" and "now" are parameters, and
//! the holiday calendar is passed in, so every rule can be table-tested.
#![forbid(unsafe_code)]

pub mod audit;
pub mod berita;
pub mod calendar;
pub mod contact;
pub mod dokumen;
pub mod ikm;
pub mod kinerja;
pub mod langganan;
pub mod lapor;
pub mod layanan;
pub mod nik;
pub mod pelatihan;
pub mod pendampingan;
pub mod ppid;
pub mod roles;
pub mod stope;
pub mod surat;
pub mod throttle;
pub mod wilayah;
