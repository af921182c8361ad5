//! The row checks of the CSV/Excel imports, apart from anything stored: pure functions of the
//! rows `csv_input` read, so that `fuzz/` can run them without a database. Messages start with
//! `line N:` in the file's own numbering.

use std::collections::HashMap;

use balai_domain::calendar::{Holiday, HolidayKind};
use balai_domain::lapor::Tier;
use balai_domain::nik::{Nik, NoKk, Sex};
use chrono::NaiveDate;

use crate::csv_input::CsvRow;

/// The columns a population register must have.
pub(crate) const REGISTER_COLUMNS: [&str; 3] = ["nik", "no_kk", "nama"];

/// Every column the import reads: a spreadsheet cell in one of these that cannot be read exactly
/// is an error for its row (other columns are ignored, as in CSV).
pub(crate) const REGISTER_READ_COLUMNS: [&str; 14] = [
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

/// Checks holiday rows (`date,name,kind[,source]`); each accepted row comes with its source,
/// without control characters.
pub(crate) fn holiday_rows(rows: &[CsvRow]) -> Result<Vec<(Holiday, String)>, Vec<String>> {
    let mut errors = Vec::new();
    let mut holidays = Vec::new();
    for row in rows {
        let date = NaiveDate::parse_from_str(&row.get("date"), "%Y-%m-%d");
        let kind = row.get("kind").parse::<HolidayKind>();
        let name = row.get("name");
        match (date, kind) {
            (Ok(date), Ok(kind))
                if !name.is_empty() && name.chars().count() <= 150 && !name.chars().any(char::is_control) =>
            {
                // Stored text holds no control characters (PostgreSQL refuses NUL in text).
                let source = row.get("source").chars().filter(|c| !c.is_control()).collect();
                holidays.push((Holiday { date, name, kind }, source));
            }
            (Err(_), _) => errors.push(format!("line {}: date `{}` is not YYYY-MM-DD", row.line, row.get("date"))),
            (_, Err(_)) => errors.push(format!(
                "line {}: kind `{}` is not one of libur, cuti_bersama, daerah",
                row.line,
                row.get("kind")
            )),
            _ if name.chars().any(char::is_control) => {
                errors.push(format!("line {}: the name contains a control character", row.line))
            }
            _ => errors.push(format!("line {}: the name must be 1–150 characters", row.line)),
        }
    }
    if errors.is_empty() { Ok(holidays) } else { Err(errors) }
}

/// A report category as imported.
#[derive(Debug)]
pub(crate) struct CategoryRow {
    pub slug: String,
    pub name: String,
    pub tier: Tier,
    pub active: bool,
    /// The row's place among the file's rows, from 1: a new category's position.
    pub order: i32,
}

pub(crate) fn valid_slug(slug: &str) -> bool {
    (2..=80).contains(&slug.len()) && slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Checks report category rows (`slug,name[,tier][,active]`); rows without a tier get
/// `default_tier`.
pub(crate) fn category_rows(rows: &[CsvRow], default_tier: Tier) -> Result<Vec<CategoryRow>, Vec<String>> {
    let mut errors = Vec::new();
    let mut categories = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let (slug, name, tier) = (row.get("slug"), row.get("name"), row.get("tier"));
        let tier = if tier.is_empty() { Ok(default_tier) } else { tier.parse::<Tier>() };
        let active = !matches!(row.get("active").to_lowercase().as_str(), "0" | "false" | "tidak");
        match tier {
            _ if !valid_slug(&slug) => {
                errors.push(format!("line {}: slug `{slug}` is not 2–80 lowercase letters, digits, -", row.line))
            }
            _ if name.is_empty() || name.chars().count() > 120 => {
                errors.push(format!("line {}: name is empty or longer than 120 characters", row.line))
            }
            _ if name.chars().any(char::is_control) => {
                errors.push(format!("line {}: name contains a control character", row.line))
            }
            Err(e) => errors.push(format!("line {}: {e}", row.line)),
            Ok(tier) => categories.push(CategoryRow { slug, name, tier, active, order: i as i32 + 1 }),
        }
    }
    if errors.is_empty() { Ok(categories) } else { Err(errors) }
}

/// A register row whose NIK is valid (other problems are in the errors next to it).
#[derive(Debug)]
pub(crate) struct PersonRow {
    pub line: u64,
    pub nik: Nik,
    pub no_kk: String,
    pub nama: String,
    pub tempat_lahir: String,
    pub tanggal_lahir: Option<NaiveDate>,
    pub jenis_kelamin: String,
    pub agama: String,
    pub status_kawin: String,
    pub pekerjaan: String,
    pub kewarganegaraan: String,
    pub alamat: String,
    pub rt: String,
    pub rw: String,
    pub hubungan: String,
}

/// Checks population register rows (NIK and KK per domain.md §2, name, date, sex, a NIK twice
/// in the file). Returns the rows with a valid NIK, in file order, and every problem found; the
/// import is good only when there are no problems.
pub(crate) fn penduduk_rows(rows: &[CsvRow]) -> (Vec<PersonRow>, Vec<String>) {
    let mut errors = Vec::new();
    let mut people = Vec::with_capacity(rows.len());
    let mut first_line: HashMap<String, u64> = HashMap::new();
    for row in rows {
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
        people.push(PersonRow {
            line,
            nik,
            no_kk,
            nama,
            tempat_lahir: text("tempat_lahir"),
            tanggal_lahir,
            jenis_kelamin,
            agama: text("agama"),
            status_kawin: text("status_kawin"),
            pekerjaan: text("pekerjaan"),
            kewarganegaraan: if row.get("kewarganegaraan").is_empty() { "WNI".into() } else { text("kewarganegaraan") },
            alamat: text("alamat"),
            rt: text("rt"),
            rw: text("rw"),
            hubungan: text("hubungan"),
        });
    }
    (people, errors)
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
    use super::*;
    use crate::csv_input::read_csv;

    #[test]
    fn names_with_control_characters_are_refused_and_sources_lose_them() {
        let csv = b"date,name,kind,source\n2026-08-31,Hari Jadi\0,daerah,\n2026-09-01,Hari Baik,daerah,SK\x01 Bupati\n";
        let rows = read_csv(csv, &["date", "name", "kind"]).expect("csv");
        assert_eq!(holiday_rows(&rows).expect_err("refused"), ["line 2: the name contains a control character"]);
        let (holiday, source) = holiday_rows(&rows[1..]).expect("accepted").remove(0);
        assert_eq!((holiday.name.as_str(), source.as_str()), ("Hari Baik", "SK Bupati"));

        let rows = read_csv(b"slug,name\njalan,Jalan\x07 Rusak\n", &["slug", "name"]).expect("csv");
        let errors = category_rows(&rows, Tier::Normatif).expect_err("refused");
        assert_eq!(errors, ["line 2: name contains a control character"]);
    }

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
