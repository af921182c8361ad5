//! Letter numbers (domain.md §4): the village's number format, Roman months, and the key of
//! the counter a number is drawn from. Allocating the number (gapless, never twice) is the
//! store's job; this module only says what the number looks like and which counter it uses.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The default number format, e.g. `470/012/2001/XI/2026`.
pub const DEFAULT_FORMAT: &str = "{kode}/{nomor:03}/{kode_desa}/{bulan_romawi}/{tahun}";

/// Longest format pattern accepted (it is a setting typed by an administrator).
pub const MAX_FORMAT_CHARS: usize = 120;

/// Widest zero padding of `{nomor:0N}`.
pub const MAX_NOMOR_WIDTH: u8 = 6;

const ROMAN_MONTHS: [&str; 12] = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"];

/// The Roman numeral of a month (1 → "I" … 12 → "XII").
pub fn roman_month(month: u32) -> Option<&'static str> {
    let index = usize::try_from(month).ok()?.checked_sub(1)?;
    ROMAN_MONTHS.get(index).copied()
}

/// One piece of a parsed format.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    /// `{kode}`: the letter type's klasifikasi code.
    Kode,
    /// `{nomor}` (width 0) or `{nomor:0N}`.
    Nomor {
        width: u8,
    },
    /// `{kode_desa}`: the 4-digit last part of the village code.
    KodeDesa,
    /// `{bulan_romawi}`
    BulanRomawi,
    /// `{bulan}`, two digits.
    Bulan,
    /// `{tahun}`, four digits.
    Tahun,
}

/// Why a format pattern is refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NumberFormatError {
    #[error("number format is empty")]
    Empty,
    #[error("number format is longer than {MAX_FORMAT_CHARS} characters")]
    TooLong,
    #[error("number format contains a control character")]
    ControlCharacter,
    #[error("'{{' at character {at} is never closed")]
    Unclosed { at: usize },
    #[error("stray '{ch}' at character {at}: braces may only surround a placeholder")]
    StrayBrace { ch: char, at: usize },
    #[error("unknown placeholder {{{name}}} (expected kode, nomor, nomor:0N, kode_desa, bulan_romawi, bulan or tahun)")]
    UnknownPlaceholder { name: String },
    #[error("bad padding in {{{spec}}}: write {{nomor:0N}} with N from 1 to {MAX_NOMOR_WIDTH}")]
    BadWidth { spec: String },
    #[error("number format has no {{nomor}}")]
    MissingNomor,
    #[error("number format has {{nomor}} more than once")]
    DuplicateNomor,
    #[error("number format has no {{tahun}}, so numbers would repeat every year")]
    MissingTahun,
}

impl NumberFormatError {
    /// Explanation for people, in Bahasa Indonesia.
    pub fn message_id(&self) -> String {
        match self {
            NumberFormatError::Empty => "Format nomor surat belum diisi.".to_string(),
            NumberFormatError::TooLong => {
                format!("Format nomor surat terlalu panjang; paling banyak {MAX_FORMAT_CHARS} karakter.")
            }
            NumberFormatError::ControlCharacter => {
                "Format nomor surat tidak boleh berisi karakter kontrol (misalnya tab atau baris baru).".to_string()
            }
            NumberFormatError::Unclosed { at } => {
                format!("Tanda '{{' pada karakter ke-{at} tidak ditutup dengan '}}'.")
            }
            NumberFormatError::StrayBrace { ch, at } => format!(
                "Tanda '{ch}' pada karakter ke-{at} tidak pada tempatnya; kurung kurawal hanya dipakai untuk \
                 penanda seperti {{nomor}} atau {{tahun}}."
            ),
            NumberFormatError::UnknownPlaceholder { name } => format!(
                "Penanda {{{name}}} tidak dikenal. Gunakan {{kode}}, {{nomor}}, {{nomor:03}}, {{kode_desa}}, \
                 {{bulan_romawi}}, {{bulan}} atau {{tahun}}."
            ),
            NumberFormatError::BadWidth { spec } => format!(
                "Penanda {{{spec}}} salah. Tulis {{nomor:0N}} dengan N antara 1 dan {MAX_NOMOR_WIDTH}, \
                 misalnya {{nomor:03}}."
            ),
            NumberFormatError::MissingNomor => {
                "Format nomor surat harus memuat {nomor} (nomor urut surat).".to_string()
            }
            NumberFormatError::DuplicateNomor => "Format nomor surat hanya boleh memuat satu {nomor}.".to_string(),
            NumberFormatError::MissingTahun => {
                "Format nomor surat harus memuat {tahun}; tanpa tahun, nomor yang sama akan terulang setiap tahun."
                    .to_string()
            }
        }
    }
}

/// What goes into one number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberParts {
    /// The letter type's klasifikasi code, e.g. "400.9.14".
    pub kode: String,
    /// The sequence number drawn from the counter (from 1).
    pub nomor: u32,
    /// The village code's last part, e.g. "2001" (`KodeWilayah::last_segment`).
    pub kode_desa: String,
    /// 1–12.
    pub month: u32,
    pub year: i32,
}

impl NumberParts {
    /// Parts for a letter issued on `issued_on`.
    pub fn on(kode: &str, nomor: u32, kode_desa: &str, issued_on: NaiveDate) -> NumberParts {
        NumberParts {
            kode: kode.to_string(),
            nomor,
            kode_desa: kode_desa.to_string(),
            month: issued_on.month(),
            year: issued_on.year(),
        }
    }
}

/// A parsed number format. Only [`NumberFormat::parse`] makes one, so holding one means the
/// pattern has exactly one `{nomor…}` and at least one `{tahun}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NumberFormat {
    pattern: String,
    segments: Vec<Segment>,
}

impl NumberFormat {
    /// Parses a pattern: literal text (no braces) and the placeholders `{kode}`, `{nomor}`,
    /// `{nomor:0N}` (N = 1..=6), `{kode_desa}`, `{bulan_romawi}`, `{bulan}` and `{tahun}`.
    /// Positions in errors count characters from 1.
    pub fn parse(pattern: &str) -> Result<NumberFormat, NumberFormatError> {
        if pattern.is_empty() {
            return Err(NumberFormatError::Empty);
        }
        if pattern.chars().count() > MAX_FORMAT_CHARS {
            return Err(NumberFormatError::TooLong);
        }
        if pattern.chars().any(char::is_control) {
            return Err(NumberFormatError::ControlCharacter);
        }
        let mut segments = Vec::new();
        let mut literal = String::new();
        let mut chars = pattern.chars().enumerate();
        while let Some((i, ch)) = chars.next() {
            match ch {
                '{' => {
                    let mut name = String::new();
                    let mut closed = false;
                    for (j, c) in chars.by_ref() {
                        match c {
                            '}' => {
                                closed = true;
                                break;
                            }
                            '{' => return Err(NumberFormatError::StrayBrace { ch: '{', at: j + 1 }),
                            _ => name.push(c),
                        }
                    }
                    if !closed {
                        return Err(NumberFormatError::Unclosed { at: i + 1 });
                    }
                    if !literal.is_empty() {
                        segments.push(Segment::Literal(std::mem::take(&mut literal)));
                    }
                    segments.push(placeholder(&name)?);
                }
                '}' => return Err(NumberFormatError::StrayBrace { ch: '}', at: i + 1 }),
                _ => literal.push(ch),
            }
        }
        if !literal.is_empty() {
            segments.push(Segment::Literal(literal));
        }
        match segments.iter().filter(|s| matches!(s, Segment::Nomor { .. })).count() {
            0 => return Err(NumberFormatError::MissingNomor),
            1 => {}
            _ => return Err(NumberFormatError::DuplicateNomor),
        }
        if !segments.contains(&Segment::Tahun) {
            return Err(NumberFormatError::MissingTahun);
        }
        Ok(NumberFormat { pattern: pattern.to_string(), segments })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    /// The number for `parts`. Never fails: a month outside 1–12 (which a real date cannot
    /// give) is written in digits where a Roman numeral was asked for.
    pub fn format(&self, parts: &NumberParts) -> String {
        let mut out = String::with_capacity(self.pattern.len() + parts.kode.len() + 8);
        for segment in &self.segments {
            match segment {
                Segment::Literal(text) => out.push_str(text),
                Segment::Kode => out.push_str(&parts.kode),
                Segment::Nomor { width } => out.push_str(&format!("{:0w$}", parts.nomor, w = usize::from(*width))),
                Segment::KodeDesa => out.push_str(&parts.kode_desa),
                Segment::BulanRomawi => match roman_month(parts.month) {
                    Some(roman) => out.push_str(roman),
                    None => out.push_str(&parts.month.to_string()),
                },
                Segment::Bulan => out.push_str(&format!("{:02}", parts.month)),
                Segment::Tahun => out.push_str(&format!("{:04}", parts.year)),
            }
        }
        out
    }
}

fn placeholder(name: &str) -> Result<Segment, NumberFormatError> {
    Ok(match name {
        "kode" => Segment::Kode,
        "nomor" => Segment::Nomor { width: 0 },
        "kode_desa" => Segment::KodeDesa,
        "bulan_romawi" => Segment::BulanRomawi,
        "bulan" => Segment::Bulan,
        "tahun" => Segment::Tahun,
        _ => match name.strip_prefix("nomor:") {
            Some(spec) => {
                let width = spec
                    .strip_prefix('0')
                    .filter(|w| w.len() == 1)
                    .and_then(|w| w.parse::<u8>().ok())
                    .filter(|w| (1..=MAX_NOMOR_WIDTH).contains(w))
                    .ok_or_else(|| NumberFormatError::BadWidth { spec: name.to_string() })?;
                Segment::Nomor { width }
            }
            None => return Err(NumberFormatError::UnknownPlaceholder { name: name.to_string() }),
        },
    })
}

impl Default for NumberFormat {
    /// [`DEFAULT_FORMAT`], built without parsing.
    fn default() -> Self {
        let slash = || Segment::Literal("/".to_string());
        NumberFormat {
            pattern: DEFAULT_FORMAT.to_string(),
            segments: vec![
                Segment::Kode,
                slash(),
                Segment::Nomor { width: 3 },
                slash(),
                Segment::KodeDesa,
                slash(),
                Segment::BulanRomawi,
                slash(),
                Segment::Tahun,
            ],
        }
    }
}

impl fmt::Display for NumberFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.pattern)
    }
}

impl FromStr for NumberFormat {
    type Err = NumberFormatError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        NumberFormat::parse(s)
    }
}

impl TryFrom<String> for NumberFormat {
    type Error = NumberFormatError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        NumberFormat::parse(&s)
    }
}

impl From<NumberFormat> for String {
    fn from(f: NumberFormat) -> String {
        f.pattern
    }
}

/// Which letters share a counter within a village and year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CounterScope {
    /// One sequence for all letters (the default).
    #[default]
    Semua,
    /// Each letter type has its own sequence.
    PerJenis,
}

impl CounterScope {
    pub const ALL: [CounterScope; 2] = [CounterScope::Semua, CounterScope::PerJenis];

    pub fn as_str(&self) -> &'static str {
        match self {
            CounterScope::Semua => "semua",
            CounterScope::PerJenis => "per_jenis",
        }
    }

    /// Indonesian label.
    pub fn label(&self) -> &'static str {
        match self {
            CounterScope::Semua => "Satu urutan untuk semua surat",
            CounterScope::PerJenis => "Urutan sendiri per jenis surat",
        }
    }
}

impl fmt::Display for CounterScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown counter scope '{0}' (expected semua or per_jenis)")]
pub struct UnknownCounterScope(pub String);

impl FromStr for CounterScope {
    type Err = UnknownCounterScope;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let word = s.trim();
        CounterScope::ALL.into_iter().find(|c| c.as_str() == word).ok_or_else(|| UnknownCounterScope(s.to_string()))
    }
}

/// The key of the counter a letter's number is drawn from: `village/year/*` when all letters
/// share one sequence, `village/year/slug` per letter type. The year in the key is what resets
/// the sequence each 1 January. Village codes and slugs contain neither `/` nor `*`, so keys
/// of different counters never coincide.
pub fn counter_key(village: &str, year: i32, scope: CounterScope, letter_type: &str) -> String {
    match scope {
        CounterScope::Semua => format!("{village}/{year}/*"),
        CounterScope::PerJenis => format!("{village}/{year}/{letter_type}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parts(kode: &str, nomor: u32, kode_desa: &str, month: u32, year: i32) -> NumberParts {
        NumberParts { kode: kode.to_string(), nomor, kode_desa: kode_desa.to_string(), month, year }
    }

    fn fmt(pattern: &str) -> NumberFormat {
        NumberFormat::parse(pattern).expect("valid test format")
    }

    #[test]
    fn roman_months() {
        let all: Vec<&str> = (1..=12).map(|m| roman_month(m).expect("month")).collect();
        assert_eq!(all, ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]);
        assert_eq!(roman_month(0), None);
        assert_eq!(roman_month(13), None);
        assert_eq!(roman_month(u32::MAX), None);
    }

    #[test]
    fn domain_example() {
        let f = fmt(DEFAULT_FORMAT);
        assert_eq!(f.format(&parts("470", 12, "2001", 11, 2026)), "470/012/2001/XI/2026");
        assert_eq!(f.format(&parts("470", 1234, "2001", 11, 2026)), "470/1234/2001/XI/2026");
        assert_eq!(f.format(&parts("400.9.14", 1, "2001", 1, 2027)), "400.9.14/001/2001/I/2027");
    }

    #[test]
    fn nomor_wider_than_padding_is_written_whole() {
        assert_eq!(fmt("{nomor:03}/{tahun}").format(&parts("", 1234, "", 1, 2026)), "1234/2026");
        assert_eq!(fmt("{nomor}/{tahun}").format(&parts("", 7, "", 1, 2026)), "7/2026");
        assert_eq!(fmt("{nomor:06}/{tahun}").format(&parts("", 7, "", 1, 2026)), "000007/2026");
        assert_eq!(fmt("{nomor:01}/{tahun}").format(&parts("", 0, "", 1, 2026)), "0/2026");
    }

    #[test]
    fn all_placeholders() {
        let f = fmt("SK-{kode}.{nomor:04} desa {kode_desa} {bulan}/{bulan_romawi}/{tahun} ({tahun})");
        assert_eq!(f.format(&parts("470", 5, "2001", 3, 2026)), "SK-470.0005 desa 2001 03/III/2026 (2026)");
        assert_eq!(f.as_str(), "SK-{kode}.{nomor:04} desa {kode_desa} {bulan}/{bulan_romawi}/{tahun} ({tahun})");
        assert_eq!(f.to_string(), f.as_str());
    }

    #[test]
    fn default_matches_parsed_default() {
        assert_eq!(NumberFormat::default(), fmt(DEFAULT_FORMAT));
    }

    #[test]
    fn parts_from_a_date() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");
        assert_eq!(NumberParts::on("470", 12, "2001", d), parts("470", 12, "2001", 11, 2026));
    }

    #[test]
    fn odd_months_and_years_do_not_panic() {
        let f = fmt("{nomor}/{bulan}/{bulan_romawi}/{tahun}");
        assert_eq!(f.format(&parts("", 1, "", 0, 5)), "1/00/0/0005");
        assert_eq!(f.format(&parts("", 1, "", 13, -44)), "1/13/13/-044");
    }

    #[test]
    fn rejects_bad_formats() {
        use NumberFormatError::*;
        let cases: Vec<(&str, NumberFormatError)> = vec![
            ("", Empty),
            ("{kode}/{tahun}", MissingNomor),
            ("{nomor}/{nomor:03}/{tahun}", DuplicateNomor),
            ("{kode}/{nomor:03}/{kode_desa}/{bulan_romawi}", MissingTahun),
            ("{nomor}/{tahun", Unclosed { at: 9 }),
            ("{nomor}/{tahun}}", StrayBrace { ch: '}', at: 16 }),
            ("{nomor}/{{tahun}}", StrayBrace { ch: '{', at: 10 }),
            ("{nomor}/}{tahun}", StrayBrace { ch: '}', at: 9 }),
            ("{nomor}/{year}", UnknownPlaceholder { name: "year".into() }),
            ("{Nomor}/{tahun}", UnknownPlaceholder { name: "Nomor".into() }),
            ("{ nomor }/{tahun}", UnknownPlaceholder { name: " nomor ".into() }),
            ("{}/{nomor}/{tahun}", UnknownPlaceholder { name: "".into() }),
            ("{nomor:3}/{tahun}", BadWidth { spec: "nomor:3".into() }),
            ("{nomor:07}/{tahun}", BadWidth { spec: "nomor:07".into() }),
            ("{nomor:00}/{tahun}", BadWidth { spec: "nomor:00".into() }),
            ("{nomor:010}/{tahun}", BadWidth { spec: "nomor:010".into() }),
            ("{nomor:0x}/{tahun}", BadWidth { spec: "nomor:0x".into() }),
            ("{nomor:}/{tahun}", BadWidth { spec: "nomor:".into() }),
            ("{nomor}/\n{tahun}", ControlCharacter),
        ];
        for (pattern, expected) in cases {
            let err = NumberFormat::parse(pattern).expect_err(pattern);
            assert_eq!(err, expected, "{pattern:?}");
            assert!(!err.message_id().is_empty());
        }
        let long = format!("{{nomor}}/{{tahun}}{}", "x".repeat(MAX_FORMAT_CHARS));
        assert_eq!(NumberFormat::parse(&long), Err(TooLong));
    }

    #[test]
    fn error_messages() {
        assert_eq!(
            NumberFormatError::MissingTahun.to_string(),
            "number format has no {tahun}, so numbers would repeat every year"
        );
        assert_eq!(
            NumberFormatError::MissingTahun.message_id(),
            "Format nomor surat harus memuat {tahun}; tanpa tahun, nomor yang sama akan terulang setiap tahun."
        );
        assert_eq!(NumberFormatError::MissingNomor.to_string(), "number format has no {nomor}");
        assert_eq!(
            NumberFormatError::UnknownPlaceholder { name: "year".into() }.to_string(),
            "unknown placeholder {year} (expected kode, nomor, nomor:0N, kode_desa, bulan_romawi, bulan or tahun)"
        );
        assert_eq!(
            NumberFormatError::Unclosed { at: 3 }.message_id(),
            "Tanda '{' pada karakter ke-3 tidak ditutup dengan '}'."
        );
    }

    #[test]
    fn serde_as_the_pattern() {
        use serde::de::IntoDeserializer;
        use serde::de::value::{Error as DeError, StringDeserializer};
        let d: StringDeserializer<DeError> = DEFAULT_FORMAT.to_string().into_deserializer();
        assert_eq!(NumberFormat::deserialize(d), Ok(NumberFormat::default()));
        let bad: StringDeserializer<DeError> = "{kode}".to_string().into_deserializer();
        assert!(NumberFormat::deserialize(bad).is_err());
        assert_eq!(String::from(NumberFormat::default()), DEFAULT_FORMAT);
    }

    #[test]
    fn counter_scopes() {
        for s in CounterScope::ALL {
            assert_eq!(s.as_str().parse::<CounterScope>(), Ok(s));
        }
        assert_eq!(CounterScope::default(), CounterScope::Semua);
        assert_eq!(CounterScope::Semua.label(), "Satu urutan untuk semua surat");
        assert_eq!(CounterScope::PerJenis.label(), "Urutan sendiri per jenis surat");
        assert!("perjenis".parse::<CounterScope>().is_err());
    }

    #[test]
    fn counter_keys() {
        assert_eq!(counter_key("32.07.06.2001", 2026, CounterScope::Semua, "sktm"), "32.07.06.2001/2026/*");
        assert_eq!(counter_key("32.07.06.2001", 2026, CounterScope::PerJenis, "sktm"), "32.07.06.2001/2026/sktm");
        // A new year is a new counter.
        assert_ne!(
            counter_key("32.07.06.2001", 2026, CounterScope::Semua, "sktm"),
            counter_key("32.07.06.2001", 2027, CounterScope::Semua, "sktm")
        );
        // With one sequence for all, the type does not matter.
        assert_eq!(
            counter_key("32.07.06.2001", 2026, CounterScope::Semua, "sktm"),
            counter_key("32.07.06.2001", 2026, CounterScope::Semua, "domisili")
        );
    }

    fn any_parts() -> impl Strategy<Value = NumberParts> {
        (any::<String>(), any::<u32>(), any::<String>(), any::<u32>(), any::<i32>())
            .prop_map(|(kode, nomor, kode_desa, month, year)| NumberParts { kode, nomor, kode_desa, month, year })
    }

    /// Valid patterns built from the pieces the grammar allows.
    fn any_format() -> impl Strategy<Value = NumberFormat> {
        let piece = prop_oneof![
            Just("{kode}".to_string()),
            Just("{kode_desa}".to_string()),
            Just("{bulan_romawi}".to_string()),
            Just("{bulan}".to_string()),
            Just("{tahun}".to_string()),
            "[^{}\\p{Cc}]{0,4}",
        ];
        (proptest::collection::vec(piece, 0..6), 0u8..=MAX_NOMOR_WIDTH, 0usize..6).prop_filter_map(
            "too long",
            |(mut pieces, width, at)| {
                let nomor = if width == 0 { "{nomor}".to_string() } else { format!("{{nomor:0{width}}}") };
                pieces.insert(at.min(pieces.len()), nomor);
                pieces.push("{tahun}".to_string());
                NumberFormat::parse(&pieces.concat()).ok()
            },
        )
    }

    proptest! {
        #[test]
        fn format_never_panics(f in any_format(), p in any_parts()) {
            let out = f.format(&p);
            prop_assert!(out.contains(&p.nomor.to_string()));
        }

        #[test]
        fn default_format_numbers_differ(a in any::<u32>(), b in any::<u32>(), p in any_parts()) {
            prop_assume!(a != b);
            let f = NumberFormat::default();
            let pa = NumberParts { nomor: a, ..p.clone() };
            let pb = NumberParts { nomor: b, ..p };
            prop_assert_ne!(f.format(&pa), f.format(&pb));
        }

        #[test]
        fn parse_never_panics(s in any::<String>()) {
            let _ = NumberFormat::parse(&s);
        }

        #[test]
        fn parse_never_panics_on_brace_soup(s in "[{}a-z_:0-9/ ]{0,40}") {
            if let Ok(f) = NumberFormat::parse(&s) {
                prop_assert_eq!(f.as_str(), s.as_str());
            }
        }

        #[test]
        fn parsed_patterns_round_trip(f in any_format()) {
            prop_assert_eq!(NumberFormat::parse(f.as_str()), Ok(f.clone()));
        }
    }
}
