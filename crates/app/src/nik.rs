//! Checking a NIK for staff: what it encodes, or why it is not valid.

use balai_domain::nik::{Nik, NikError};
use balai_domain::wilayah::KodeWilayah;

use crate::{App, AppResult};

/// What a valid NIK says. The number itself is kept masked.
#[derive(Debug, Clone)]
pub struct NikInfo {
    pub masked: String,
    pub kecamatan_code: String,
    /// The kecamatan's name, when the code is in the region data (codes are re-drawn over time,
    /// so an unknown one is a warning, not an error).
    pub kecamatan_name: Option<String>,
    pub birth_date: chrono::NaiveDate,
    pub sex: &'static str,
}

impl App {
    pub async fn check_nik(&self, input: &str) -> AppResult<Result<NikInfo, NikError>> {
        let nik = match Nik::parse(input) {
            Ok(nik) => nik,
            Err(e) => return Ok(Err(e)),
        };
        let kecamatan_code = nik.kecamatan_code();
        let kecamatan_name = match KodeWilayah::parse(&kecamatan_code) {
            Ok(code) => self.store.region(&code).await?.map(|r| r.name),
            Err(_) => None,
        };
        Ok(Ok(NikInfo {
            masked: nik.masked(),
            kecamatan_code,
            kecamatan_name,
            birth_date: nik.birth_date(self.today()),
            sex: nik.sex().label(),
        }))
    }
}
