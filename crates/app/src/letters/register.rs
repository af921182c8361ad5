//! The population register (penduduk) of a village: imported from the village's CSV export or
//! Excel workbook, searched by staff, used to fill letters. Personal data: only the village's own staff see it.

use std::collections::HashMap;

use balai_domain::nik::{Nik, NoKk, Sex};
use balai_domain::roles::{Permission, Target};
use balai_domain::wilayah::KodeWilayah;
use balai_store::letters::Penduduk;
use chrono::NaiveDate;
use serde_json::json;

use crate::csv_input::read_table;
use crate::{Actor, App, AppError, AppResult};

/// What a register import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendudukImportReport {
    pub rows_read: usize,
    pub inserted: u64,
    pub updated: u64,
}

const COLUMNS: [&str; 3] = ["nik", "no_kk", "nama"];

/// Every column the import reads: a spreadsheet cell in one of these that cannot be read exactly
/// is an error for its row (other columns are ignored, as in CSV).
const READ_COLUMNS: [&str; 14] = [
    "nik",
    "no_kk",
    "nama",
    "tempat_lahir",
    "tanggal_lahir",
    "jenis_kelamin",
    "agama",
    "status_kawin",
    "pekerjaan",
    "kewarganegaraan",
    "alamat",
    "rt",
    "rw",
    "hubungan",
];

impl App {
    /// Imports a village's register from CSV or an Excel workbook (.xlsx, recognised by its
    /// content; first worksheet, header on the first row) with the columns `nik,no_kk,nama`
    /// required and `tempat_lahir,tanggal_lahir,jenis_kelamin,agama,status_kawin,pekerjaan,
    /// kewarganegaraan,alamat,rt,rw,hubungan` optional. Every row is checked (NIK and KK per domain.md §2, dates, a NIK twice
    /// in the file or registered in another village) and nothing is written if any is bad.
    pub async fn import_penduduk(
        &self,
        actor: &Actor,
        village: &str,
        file_name: &str,
        bytes: &[u8],
    ) -> AppResult<PendudukImportReport> {
        let village = KodeWilayah::parse(village).map_err(|_| AppError::NotFound)?;
        actor.require(Permission::ManageRegister, &Target::Wilayah(&village))?;
        match self.store.region(&village).await? {
            Some(r) if r.level.is_village() => {}
            _ => return Err(AppError::NotFound),
        }
        let named = |errors: Vec<String>| errors.into_iter().map(|e| format!("{file_name}: {e}")).collect::<Vec<_>>();
        let rows =
            read_table(bytes, &COLUMNS, &READ_COLUMNS).map_err(|e| AppError::ImportRejected(e.len(), named(e)))?;
        let mut errors = Vec::new();
        let mut people = Vec::with_capacity(rows.len());
        let mut first_line: HashMap<String, u64> = HashMap::new();
        for row in &rows {
            let line = row.line;
            let nik = match Nik::parse(&row.get("nik")) {
                Ok(nik) => nik,
                Err(e) => {
                    errors.push(format!("line {line}: NIK: {e}{}", scientific_hint(&row.get("nik"))));
                    continue;
                }
            };
            if let Some(first) = first_line.insert(nik.as_str().to_string(), line) {
                errors.push(format!("line {line}: NIK {} already appears on line {first}", nik.masked()));
            }
            let no_kk = match NoKk::parse(&row.get("no_kk")) {
                Ok(kk) => kk.as_str().to_string(),
                Err(e) => {
                    errors.push(format!("line {line}: No. KK: {e}{}", scientific_hint(&row.get("no_kk"))));
                    String::new()
                }
            };
            let nama = row.get("nama").split_whitespace().collect::<Vec<_>>().join(" ");
            if nama.is_empty() || nama.chars().count() > 100 || nama.chars().any(char::is_control) {
                errors.push(format!("line {line}: the name must be 1–100 characters"));
            }
            let tanggal_lahir = match parse_date(&row.get("tanggal_lahir")) {
                Ok(date) => date,
                Err(()) => {
                    errors.push(format!(
                        "line {line}: tanggal_lahir `{}` is not a date (YYYY-MM-DD or DD-MM-YYYY)",
                        row.get("tanggal_lahir")
                    ));
                    None
                }
            };
            let sex_from_nik = nik.sex();
            let jenis_kelamin = match row.get("jenis_kelamin").to_uppercase().as_str() {
                "" => sex_from_nik.label().to_string(),
                "L" | "LK" | "LAKI-LAKI" | "LAKI LAKI" => Sex::LakiLaki.label().to_string(),
                "P" | "PR" | "PEREMPUAN" => Sex::Perempuan.label().to_string(),
                other => {
                    errors.push(format!("line {line}: jenis_kelamin `{other}` is not L/P"));
                    String::new()
                }
            };
            let text = |column: &str| row.get(column).chars().filter(|c| !c.is_control()).take(200).collect::<String>();
            people.push(Penduduk {
                id: 0,
                village_code: village.as_str().to_string(),
                nik: nik.as_str().to_string(),
                no_kk,
                nama,
                tempat_lahir: text("tempat_lahir"),
                tanggal_lahir,
                jenis_kelamin,
                agama: text("agama"),
                status_kawin: text("status_kawin"),
                pekerjaan: text("pekerjaan"),
                kewarganegaraan: if row.get("kewarganegaraan").is_empty() {
                    "WNI".into()
                } else {
                    text("kewarganegaraan")
                },
                alamat: text("alamat"),
                rt: text("rt"),
                rw: text("rw"),
                hubungan: text("hubungan"),
            });
        }
        for person in &people {
            if let Some(other) = self.store.penduduk_by_nik(&person.nik).await?
                && other.village_code != village.as_str()
            {
                let line = first_line.get(&person.nik).copied().unwrap_or(0);
                errors.push(format!(
                    "line {line}: NIK {} is registered in another village ({})",
                    mask(&person.nik),
                    other.village_code
                ));
            }
        }
        if !errors.is_empty() {
            return Err(AppError::ImportRejected(errors.len(), named(errors)));
        }
        let audit = self.audit_event(
            actor,
            "penduduk.import",
            format!("wilayah:{}", village.as_str()),
            json!({"file": file_name, "rows": rows.len()}),
        );
        let (inserted, updated) = self.store.save_penduduk(&people, audit).await?;
        Ok(PendudukImportReport { rows_read: rows.len(), inserted, updated })
    }

    /// Staff search of their village's register by name or NIK prefix.
    pub async fn search_penduduk(&self, actor: &Actor, village: &str, query: &str) -> AppResult<Vec<Penduduk>> {
        let village = KodeWilayah::parse(village).map_err(|_| AppError::NotFound)?;
        actor.require(Permission::ManageRegister, &Target::Wilayah(&village))?;
        let query = query.trim();
        if query.chars().count() < 3 {
            return Ok(Vec::new());
        }
        Ok(self.store.search_penduduk(village.as_str(), query, 50).await?)
    }
}

fn mask(nik: &str) -> String {
    Nik::parse(nik).map(|n| n.masked()).unwrap_or_else(|_| "****".into())
}

/// A hint for a number that a spreadsheet wrote in scientific notation (`3.20706E+15`, or
/// `3,20706E+15` with an Indonesian locale) when the file was saved as CSV: its last digits are
/// gone and only the village's own records can restore them.
fn scientific_hint(value: &str) -> &'static str {
    let value = value.trim();
    let (mantissa, exponent) = match value.split_once(['E', 'e']) {
        Some(parts) => parts,
        None => return "",
    };
    let exponent = exponent.strip_prefix('+').unwrap_or(exponent);
    let mantissa_ok = !mantissa.is_empty()
        && mantissa.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',')
        && mantissa.chars().any(|c| c.is_ascii_digit());
    if mantissa_ok && !exponent.is_empty() && exponent.chars().all(|c| c.is_ascii_digit()) {
        " (the spreadsheet wrote it in scientific notation and its last digits are lost: format the column as \
         Text and type the 16 digits again / format kolom sebagai Teks lalu ketik ulang 16 angkanya)"
    } else {
        ""
    }
}

fn parse_date(text: &str) -> Result<Option<NaiveDate>, ()> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%d-%m-%Y"))
        .or_else(|_| NaiveDate::parse_from_str(text, "%d/%m/%Y"))
        .map(Some)
        .map_err(|_| ())
}

#[cfg(test)]
mod tests {
    use super::scientific_hint;

    #[test]
    fn scientific_notation_gets_a_hint_and_plain_values_do_not() {
        for value in ["3.20706E+15", "3,20706E+15", "3.2e15"] {
            assert!(scientific_hint(value).contains("scientific notation"), "{value}");
        }
        for value in ["3207061205900001", "", "E+15", "3207E", "abcE+15"] {
            assert_eq!(scientific_hint(value), "", "{value}");
        }
    }
}
