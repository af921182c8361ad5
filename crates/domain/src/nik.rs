//! NIK and Nomor KK (domain.md §2), and masking of personal data (UU 27/2022 PDP).
//!
//! `Debug` of [`Nik`] and [`NoKk`] prints the masked number so that they never reach logs
//! in full; use `as_str()` where the full number is really needed.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::wilayah::{MAX_PROVINCE, MIN_PROVINCE};

const NUMBER_LEN: usize = 16;

/// Removes the spaces people type to group digits (`3207 0101 ...`).
fn strip_spaces(input: &str) -> String {
    input.chars().filter(|c| !c.is_whitespace()).collect()
}

/// First 4 digits, 8 stars, last 4 digits.
fn mask_number(digits: &str) -> String {
    format!("{}********{}", &digits[..4], &digits[NUMBER_LEN - 4..])
}

/// Checks that `s` is 16 ASCII digits; non-digits are reported before the length, so that the
/// length in the message is a count of digits.
fn check_digits(s: &str) -> Result<(), ShapeError> {
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ShapeError::NotDigits);
    }
    if s.len() != NUMBER_LEN {
        return Err(ShapeError::WrongLength { got: s.len() });
    }
    Ok(())
}

enum ShapeError {
    WrongLength { got: usize },
    NotDigits,
}

/// Sex as encoded in the NIK (day of birth + 40 for women).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    LakiLaki,
    Perempuan,
}

impl Sex {
    pub fn as_str(&self) -> &'static str {
        match self {
            Sex::LakiLaki => "laki_laki",
            Sex::Perempuan => "perempuan",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Sex::LakiLaki => "Laki-laki",
            Sex::Perempuan => "Perempuan",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NikError {
    #[error("NIK must have 16 digits, got {got}")]
    WrongLength { got: usize },
    #[error("NIK may contain digits only")]
    NotDigits,
    #[error("NIK province code {code} is out of range {MIN_PROVINCE}–{MAX_PROVINCE}")]
    BadProvince { code: String },
    /// `day` is as written in the NIK (with the +40 for women still added).
    #[error("NIK birth date {day:02}{month:02}{year2:02} (DDMMYY) is not a real date")]
    BadBirthDate { day: u32, month: u32, year2: u32 },
    #[error("NIK serial number 0000 is not allowed")]
    ZeroSerial,
}

impl NikError {
    /// How to fix it, in Bahasa Indonesia.
    pub fn message_id(&self) -> String {
        match self {
            NikError::WrongLength { got: 0 } => {
                "NIK belum diisi; NIK terdiri dari 16 angka sesuai KTP atau KK.".to_string()
            }
            NikError::WrongLength { got } => {
                format!("NIK harus 16 angka; Anda mengisi {got}. Salin NIK sesuai KTP atau KK.")
            }
            NikError::NotDigits => "NIK hanya boleh berisi angka; hapus huruf, titik atau tanda lainnya.".to_string(),
            NikError::BadProvince { code } => format!(
                "Dua angka pertama NIK ({code}) bukan kode provinsi; periksa kembali NIK Anda \
                 sesuai KTP atau KK."
            ),
            NikError::BadBirthDate { day, month, year2 } => format!(
                "Angka ke-7 sampai ke-12 NIK ({day:02}{month:02}{year2:02}) harus tanggal lahir \
                 yang benar (tanggal, bulan, tahun; tanggal ditambah 40 untuk perempuan); \
                 periksa kembali NIK Anda."
            ),
            NikError::ZeroSerial => "Empat angka terakhir NIK tidak boleh 0000; periksa kembali NIK Anda.".to_string(),
        }
    }
}

/// A Nomor Induk Kependudukan whose shape, province and birth date are valid.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Nik(String);

/// Parsed birth-date part of a NIK: real day (without +40), month, two-digit year.
struct BirthParts {
    day: u32,
    month: u32,
    year2: u32,
    female: bool,
}

fn two_digits(s: &str) -> u32 {
    // Callers pass two ASCII digits.
    s.bytes().fold(0, |acc, b| acc * 10 + u32::from(b - b'0'))
}

/// Decodes DDMMYY at digits 7–12; `day` has the +40 for women removed.
fn birth_parts(digits: &str) -> BirthParts {
    let written_day = two_digits(&digits[6..8]);
    BirthParts {
        day: if written_day > 40 { written_day - 40 } else { written_day },
        month: two_digits(&digits[8..10]),
        year2: two_digits(&digits[10..12]),
        female: written_day > 40,
    }
}

fn check_birth_date(digits: &str) -> Result<(), NikError> {
    let written_day = two_digits(&digits[6..8]);
    let b = birth_parts(digits);
    // 20yy is a leap year exactly when yy is divisible by 4 (2000 included), which is the rule
    // domain.md asks for, so checking the date in 20yy decides validity for both centuries.
    let real = matches!(written_day, 1..=31 | 41..=71)
        && NaiveDate::from_ymd_opt(2000 + b.year2 as i32, b.month, b.day).is_some();
    if real { Ok(()) } else { Err(NikError::BadBirthDate { day: written_day, month: b.month, year2: b.year2 }) }
}

impl Nik {
    /// Parses a NIK, ignoring spaces. An unknown kecamatan code is not an error (districts are
    /// re-drawn); check [`Nik::kecamatan_code`] against the regions to warn about it.
    pub fn parse(input: &str) -> Result<Nik, NikError> {
        let s = strip_spaces(input);
        check_digits(&s).map_err(|e| match e {
            ShapeError::WrongLength { got } => NikError::WrongLength { got },
            ShapeError::NotDigits => NikError::NotDigits,
        })?;
        let province = two_digits(&s[..2]);
        if !(MIN_PROVINCE..=MAX_PROVINCE).contains(&province) {
            return Err(NikError::BadProvince { code: s[..2].to_string() });
        }
        check_birth_date(&s)?;
        if &s[12..] == "0000" {
            return Err(NikError::ZeroSerial);
        }
        Ok(Nik(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The kecamatan of registration, dotted, e.g. `32.07.01`.
    pub fn kecamatan_code(&self) -> String {
        format!("{}.{}.{}", &self.0[..2], &self.0[2..4], &self.0[4..6])
    }

    pub fn sex(&self) -> Sex {
        if birth_parts(&self.0).female { Sex::Perempuan } else { Sex::LakiLaki }
    }

    /// Birth date, taking the century that does not put it after `today`: 20yy if that is not
    /// in the future, else 19yy.
    pub fn birth_date(&self, today: NaiveDate) -> NaiveDate {
        let b = birth_parts(&self.0);
        let in_century = |century: i32| NaiveDate::from_ymd_opt(century + b.year2 as i32, b.month, b.day);
        in_century(2000)
            .filter(|d| *d <= today)
            .or_else(|| in_century(1900))
            // 29 Feb 1900 does not exist: only when `today` is before 29 Feb 2000.
            .or_else(|| in_century(2000))
            .expect("Nik::parse checked that the birth date exists in 20yy")
    }

    /// The last four digits.
    pub fn serial(&self) -> &str {
        &self.0[12..]
    }

    /// `3207********0001`.
    pub fn masked(&self) -> String {
        mask_number(&self.0)
    }
}

impl fmt::Debug for Nik {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Nik({})", self.masked())
    }
}

impl TryFrom<String> for Nik {
    type Error = NikError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Nik::parse(&s)
    }
}

impl From<Nik> for String {
    fn from(n: Nik) -> String {
        n.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NoKkError {
    #[error("family card number must have 16 digits, got {got}")]
    WrongLength { got: usize },
    #[error("family card number may contain digits only")]
    NotDigits,
    #[error("family card number may not be all zeros")]
    AllZeros,
}

impl NoKkError {
    /// How to fix it, in Bahasa Indonesia.
    pub fn message_id(&self) -> String {
        match self {
            NoKkError::WrongLength { got: 0 } => "Nomor KK belum diisi; nomor KK terdiri dari 16 angka.".to_string(),
            NoKkError::WrongLength { got } => {
                format!("Nomor KK harus 16 angka; Anda mengisi {got}. Salin nomor sesuai Kartu Keluarga.")
            }
            NoKkError::NotDigits => {
                "Nomor KK hanya boleh berisi angka; hapus huruf, titik atau tanda lainnya.".to_string()
            }
            NoKkError::AllZeros => "Nomor KK tidak boleh semuanya nol; salin nomor sesuai Kartu Keluarga.".to_string(),
        }
    }
}

/// Nomor Kartu Keluarga; only its shape is checked (domain.md §2).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NoKk(String);

impl NoKk {
    pub fn parse(input: &str) -> Result<NoKk, NoKkError> {
        let s = strip_spaces(input);
        check_digits(&s).map_err(|e| match e {
            ShapeError::WrongLength { got } => NoKkError::WrongLength { got },
            ShapeError::NotDigits => NoKkError::NotDigits,
        })?;
        if s.bytes().all(|b| b == b'0') {
            return Err(NoKkError::AllZeros);
        }
        Ok(NoKk(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `3207********0002`.
    pub fn masked(&self) -> String {
        mask_number(&self.0)
    }
}

impl fmt::Debug for NoKk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NoKk({})", self.masked())
    }
}

impl TryFrom<String> for NoKk {
    type Error = NoKkError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        NoKk::parse(&s)
    }
}

impl From<NoKk> for String {
    fn from(n: NoKk) -> String {
        n.0
    }
}

/// Masks a person's name for public pages: each word keeps its first character, the rest
/// become `*` ("Budi Pratama" → "B*** P******"). Runs of whitespace collapse to one space.
pub fn mask_name(name: &str) -> String {
    name.split_whitespace()
        .map(|word| word.chars().enumerate().map(|(i, c)| if i == 0 { c } else { '*' }).collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    fn nik(s: &str) -> Nik {
        Nik::parse(s).expect("valid NIK in test")
    }

    #[test]
    fn parses_valid_niks() {
        let today = date(2026, 11, 1);
        // (input, kecamatan, sex, birth date, serial)
        let cases = [
            ("3207011708900001", "32.07.01", Sex::LakiLaki, date(1990, 8, 17), "0001"),
            ("3207 0157 0890 0002", "32.07.01", Sex::Perempuan, date(1990, 8, 17), "0002"),
            ("3207014101050003", "32.07.01", Sex::Perempuan, date(2005, 1, 1), "0003"),
            ("3207017112990004", "32.07.01", Sex::Perempuan, date(1999, 12, 31), "0004"),
            ("1101012902009999", "11.01.01", Sex::LakiLaki, date(2000, 2, 29), "9999"),
            ("9601016902960001", "96.01.01", Sex::Perempuan, date(1996, 2, 29), "0001"),
            ("3207011506260001", "32.07.01", Sex::LakiLaki, date(2026, 6, 15), "0001"),
            ("3207010111260001", "32.07.01", Sex::LakiLaki, date(2026, 11, 1), "0001"),
            ("3207010211260001", "32.07.01", Sex::LakiLaki, date(1926, 11, 2), "0001"),
            (" 3207011708900001\t", "32.07.01", Sex::LakiLaki, date(1990, 8, 17), "0001"),
        ];
        for (input, kec, sex, born, serial) in cases {
            let n = nik(input);
            assert_eq!(n.kecamatan_code(), kec, "{input}");
            assert_eq!(n.sex(), sex, "{input}");
            assert_eq!(n.birth_date(today), born, "{input}");
            assert_eq!(n.serial(), serial, "{input}");
            assert_eq!(n.as_str().len(), 16);
        }
        assert_eq!(nik("3207011708900001").masked(), "3207********0001");
        assert_eq!(format!("{:?}", nik("3207011708900001")), "Nik(3207********0001)");
        assert_eq!(Sex::LakiLaki.label(), "Laki-laki");
        assert_eq!(Sex::Perempuan.label(), "Perempuan");
    }

    #[test]
    fn rejects_invalid_niks() {
        use NikError::*;
        let bad_date = |day, month, year2| BadBirthDate { day, month, year2 };
        let cases = [
            ("", WrongLength { got: 0 }),
            ("320701170890001", WrongLength { got: 15 }),
            ("32070117089000011", WrongLength { got: 17 }),
            ("32070117089O0001", NotDigits),
            ("3207-0117-0890-0001", NotDigits),
            ("320701170890000１", NotDigits),
            ("1007011708900001", BadProvince { code: "10".into() }),
            ("9707011708900001", BadProvince { code: "97".into() }),
            ("0007011708900001", BadProvince { code: "00".into() }),
            ("3207010008900001", bad_date(0, 8, 90)),
            ("3207013208900001", bad_date(32, 8, 90)),
            ("3207014008900001", bad_date(40, 8, 90)),
            ("3207017208900001", bad_date(72, 8, 90)),
            ("3207011713900001", bad_date(17, 13, 90)),
            ("3207011700900001", bad_date(17, 0, 90)),
            ("3207013104900001", bad_date(31, 4, 90)),
            ("3207017104900001", bad_date(71, 4, 90)),
            ("3207012902990001", bad_date(29, 2, 99)),
            ("3207016902010001", bad_date(69, 2, 1)),
            ("3207013002000001", bad_date(30, 2, 0)),
            ("3207011708900000", ZeroSerial),
        ];
        for (input, expected) in cases {
            let err = Nik::parse(input).expect_err(input);
            assert_eq!(err, expected, "{input}");
            assert!(!err.to_string().is_empty());
        }
    }

    #[test]
    fn nik_messages_say_how_to_fix() {
        assert!(NikError::WrongLength { got: 15 }.message_id().starts_with("NIK harus 16 angka; Anda mengisi 15."));
        assert!(NikError::WrongLength { got: 0 }.message_id().contains("belum diisi"));
        assert!(NikError::BadBirthDate { day: 32, month: 8, year2: 90 }.message_id().contains("320890"));
        assert!(NikError::ZeroSerial.message_id().contains("0000"));
    }

    #[test]
    fn leap_day_in_2000_or_1900() {
        let n = nik("3207012902000001");
        assert_eq!(n.birth_date(date(2026, 1, 1)), date(2000, 2, 29));
        // Before that day existed the only other candidate, 1900-02-29, is not a date.
        assert_eq!(n.birth_date(date(1999, 1, 1)), date(2000, 2, 29));
    }

    #[test]
    fn nik_serde_validates() {
        use serde::de::IntoDeserializer;
        use serde::de::value::Error as DeError;
        let ok: Result<Nik, DeError> = Nik::deserialize("3207011708900001".to_string().into_deserializer());
        assert_eq!(ok, Ok(nik("3207011708900001")));
        let bad: Result<Nik, DeError> = Nik::deserialize("3207011708900000".to_string().into_deserializer());
        assert!(bad.is_err());
    }

    #[test]
    fn no_kk() {
        let kk = NoKk::parse("3207 0112 0300 0002").expect("valid KK");
        assert_eq!(kk.as_str(), "3207011203000002");
        assert_eq!(kk.masked(), "3207********0002");
        assert_eq!(format!("{kk:?}"), "NoKk(3207********0002)");
        // Shape only: an impossible date inside is fine.
        assert!(NoKk::parse("9999999999999999").is_ok());

        let cases = [
            ("", NoKkError::WrongLength { got: 0 }),
            ("320701120300000", NoKkError::WrongLength { got: 15 }),
            ("320701120300000x", NoKkError::NotDigits),
            ("0000 0000 0000 0000", NoKkError::AllZeros),
        ];
        for (input, expected) in cases {
            let err = NoKk::parse(input).expect_err(input);
            assert_eq!(err, expected, "{input}");
            assert!(!err.message_id().is_empty());
        }
        assert!(
            NoKkError::WrongLength { got: 15 }.message_id().starts_with("Nomor KK harus 16 angka; Anda mengisi 15.")
        );
    }

    #[test]
    fn masks_names() {
        let cases = [
            ("Budi Pratama", "B*** P******"),
            ("  Siti   Nurhaliza\tbinti  Ahmad ", "S*** N******** b**** A****"),
            ("Ö", "Ö"),
            ("Ñandú Ōtsuka", "Ñ**** Ō*****"),
            ("I Gusti Ngurah", "I G**** N*****"),
            ("", ""),
            ("   ", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(mask_name(input), expected, "{input:?}");
        }
    }
}
