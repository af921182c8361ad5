//! Kemendagri region codes (`32.07.01.2001`) and pure planning of region imports.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Lowest province code (Aceh).
pub const MIN_PROVINCE: u32 = 11;
/// Highest province code. domain.md says 94, but the 2025 Kepmendagri data in `shared/data`
/// has Papua Pegunungan (95) and Papua Barat Daya (96), created in 2022.
pub const MAX_PROVINCE: u32 = 96;

/// Longest region name accepted on import (the longest real one is well under this).
pub const MAX_NAME_CHARS: usize = 100;

/// Administrative level of a region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Provinsi,
    Kabupaten,
    Kota,
    Kecamatan,
    Desa,
    Kelurahan,
    DesaAdat,
}

impl Level {
    pub const ALL: [Level; 7] = [
        Level::Provinsi,
        Level::Kabupaten,
        Level::Kota,
        Level::Kecamatan,
        Level::Desa,
        Level::Kelurahan,
        Level::DesaAdat,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Level::Provinsi => "provinsi",
            Level::Kabupaten => "kabupaten",
            Level::Kota => "kota",
            Level::Kecamatan => "kecamatan",
            Level::Desa => "desa",
            Level::Kelurahan => "kelurahan",
            Level::DesaAdat => "desa_adat",
        }
    }

    /// Indonesian label for people.
    pub fn label(&self) -> &'static str {
        match self {
            Level::Provinsi => "Provinsi",
            Level::Kabupaten => "Kabupaten",
            Level::Kota => "Kota",
            Level::Kecamatan => "Kecamatan",
            Level::Desa => "Desa",
            Level::Kelurahan => "Kelurahan",
            Level::DesaAdat => "Desa Adat",
        }
    }

    /// Number of code segments: provinsi 1, kabupaten/kota 2, kecamatan 3, village 4.
    pub fn depth(&self) -> u8 {
        match self {
            Level::Provinsi => 1,
            Level::Kabupaten | Level::Kota => 2,
            Level::Kecamatan => 3,
            Level::Desa | Level::Kelurahan | Level::DesaAdat => 4,
        }
    }

    /// Desa, kelurahan and desa adat: the places a village installation serves.
    pub fn is_village(&self) -> bool {
        self.depth() == 4
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "unknown region level '{0}' (expected one of: provinsi, kabupaten, kota, kecamatan, desa, kelurahan, desa_adat)"
)]
pub struct UnknownLevel(pub String);

impl FromStr for Level {
    type Err = UnknownLevel;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let word = s.trim();
        Level::ALL.into_iter().find(|l| l.as_str() == word).ok_or_else(|| UnknownLevel(s.to_string()))
    }
}

/// Why a text is not a region code.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum KodeWilayahError {
    #[error("region code is empty")]
    Empty,
    #[error("'{input}' is not a region code: expected 32, 32.07, 32.07.01 or 32.07.01.2001 (or 2/4/6/10 digits)")]
    BadShape { input: String },
    #[error("province segment of {code} is outside {MIN_PROVINCE}–{MAX_PROVINCE}")]
    BadProvince { code: String },
    #[error("regency segment 00 in {code} is not allowed")]
    BadRegency { code: String },
    #[error("kecamatan segment 00 in {code} is not allowed")]
    BadKecamatan { code: String },
    #[error("village segment of {code} must start with 1 (kelurahan), 2 (desa) or 3 (desa adat)")]
    BadVillageKind { code: String },
    #[error("village number 000 in {code} is not allowed")]
    BadVillageNumber { code: String },
}

impl KodeWilayahError {
    /// Explanation for people, in Bahasa Indonesia.
    pub fn message_id(&self) -> String {
        match self {
            KodeWilayahError::Empty => "Kode wilayah belum diisi.".to_string(),
            KodeWilayahError::BadShape { input } => format!(
                "'{input}' bukan kode wilayah. Gunakan format Kemendagri, misalnya 32, 32.07, \
                 32.07.01 atau 32.07.01.2001."
            ),
            KodeWilayahError::BadProvince { code } => format!(
                "Kode provinsi pada {code} tidak dikenal; kode provinsi berada antara \
                 {MIN_PROVINCE} dan {MAX_PROVINCE}."
            ),
            KodeWilayahError::BadRegency { code } => {
                format!("Kode kabupaten/kota pada {code} tidak boleh 00; periksa kembali kode wilayahnya.")
            }
            KodeWilayahError::BadKecamatan { code } => {
                format!("Kode kecamatan pada {code} tidak boleh 00; periksa kembali kode wilayahnya.")
            }
            KodeWilayahError::BadVillageKind { code } => {
                format!("Bagian terakhir kode {code} harus diawali 1 (kelurahan), 2 (desa) atau 3 (desa adat).")
            }
            KodeWilayahError::BadVillageNumber { code } => {
                format!("Nomor desa/kelurahan pada {code} tidak boleh 000; periksa kembali kode wilayahnya.")
            }
        }
    }
}

/// A valid Kemendagri region code in dotted form, e.g. `32.07.01.2001`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct KodeWilayah(String);

/// Segment widths of the dotted form.
const SEGMENT_LENGTHS: [usize; 4] = [2, 2, 2, 4];

impl KodeWilayah {
    /// Parses the dotted form or the undotted 2/4/6/10-digit form, normalising to dotted.
    pub fn parse(input: &str) -> Result<Self, KodeWilayahError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(KodeWilayahError::Empty);
        }
        let bad_shape = || KodeWilayahError::BadShape { input: s.to_string() };
        let segments: Vec<&str> = if s.contains('.') {
            let parts: Vec<&str> = s.split('.').collect();
            let well_formed = parts.len() <= 4
                && parts
                    .iter()
                    .zip(SEGMENT_LENGTHS)
                    .all(|(p, len)| p.len() == len && p.bytes().all(|b| b.is_ascii_digit()));
            if !well_formed {
                return Err(bad_shape());
            }
            parts
        } else {
            if !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad_shape());
            }
            let count = match s.len() {
                2 => 1,
                4 => 2,
                6 => 3,
                10 => 4,
                _ => return Err(bad_shape()),
            };
            let mut parts = Vec::with_capacity(count);
            let mut rest = s;
            for len in &SEGMENT_LENGTHS[..count] {
                let (head, tail) = rest.split_at(*len);
                parts.push(head);
                rest = tail;
            }
            parts
        };

        let code = segments.join(".");
        // All segments are ASCII digits of fixed width here, so they parse.
        let province: u32 = segments[0].parse().map_err(|_| bad_shape())?;
        if !(MIN_PROVINCE..=MAX_PROVINCE).contains(&province) {
            return Err(KodeWilayahError::BadProvince { code });
        }
        if segments.get(1) == Some(&"00") {
            return Err(KodeWilayahError::BadRegency { code });
        }
        if segments.get(2) == Some(&"00") {
            return Err(KodeWilayahError::BadKecamatan { code });
        }
        if let Some(village) = segments.get(3) {
            if !matches!(village.as_bytes().first(), Some(b'1' | b'2' | b'3')) {
                return Err(KodeWilayahError::BadVillageKind { code });
            }
            if &village[1..] == "000" {
                return Err(KodeWilayahError::BadVillageNumber { code });
            }
        }
        Ok(KodeWilayah(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Digits only, e.g. `3207012001`.
    pub fn compact(&self) -> String {
        self.0.chars().filter(|c| *c != '.').collect()
    }

    fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.split('.')
    }

    pub fn depth(&self) -> u8 {
        // At most 4 segments by construction.
        self.segments().count() as u8
    }

    pub fn level(&self) -> Level {
        match self.depth() {
            1 => Level::Provinsi,
            2 => {
                // 01–69 kabupaten, 71–99 kota; 70 is unused and treated as kota.
                if self.last_segment() < "70" { Level::Kabupaten } else { Level::Kota }
            }
            3 => Level::Kecamatan,
            _ => match self.last_segment().as_bytes().first() {
                Some(b'1') => Level::Kelurahan,
                Some(b'3') => Level::DesaAdat,
                _ => Level::Desa,
            },
        }
    }

    /// The code with its last segment removed; `None` for a province.
    pub fn parent(&self) -> Option<KodeWilayah> {
        self.0.rsplit_once('.').map(|(head, _)| KodeWilayah(head.to_string()))
    }

    /// All ancestors, nearest first (`32.07.01` → `32.07`, `32`).
    pub fn ancestors(&self) -> impl Iterator<Item = KodeWilayah> {
        std::iter::successors(self.parent(), KodeWilayah::parent)
    }

    /// True if `self` equals `ancestor` or lies inside it.
    pub fn is_within(&self, ancestor: &KodeWilayah) -> bool {
        let (me, anc) = (self.0.as_str(), ancestor.0.as_str());
        me == anc || (me.len() > anc.len() && me.starts_with(anc) && me.as_bytes()[anc.len()] == b'.')
    }

    /// The last segment, e.g. `2001` for `32.07.01.2001`.
    pub fn last_segment(&self) -> &str {
        self.0.rsplit('.').next().unwrap_or(&self.0)
    }
}

impl fmt::Display for KodeWilayah {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for KodeWilayah {
    type Err = KodeWilayahError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        KodeWilayah::parse(s)
    }
}

impl TryFrom<String> for KodeWilayah {
    type Error = KodeWilayahError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        KodeWilayah::parse(&s)
    }
}

impl From<KodeWilayah> for String {
    fn from(k: KodeWilayah) -> String {
        k.0
    }
}

impl AsRef<str> for KodeWilayah {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

// ---------------------------------------------------------------------------------------------
// Region import planning
// ---------------------------------------------------------------------------------------------

/// One row of a region CSV (`code,name,level,parent_code`), as read, with its line number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRegionRow {
    pub line: u64,
    pub code: String,
    pub name: String,
    pub level: String,
    pub parent_code: String,
}

/// A validated region, ready to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Region {
    pub code: KodeWilayah,
    pub name: String,
    pub level: Level,
    pub parent: Option<KodeWilayah>,
}

impl Region {
    /// The name with its level, as people write it: "Desa Sukamulya", "Kecamatan Cihaurbeuti".
    /// Kemendagri's file already names regencies "Kabupaten Ciamis" (and cities "Kota …"):
    /// the level is not written twice.
    pub fn title(&self) -> String {
        let label = self.level.label();
        let named = self.name.get(..label.len()).is_some_and(|head| head.eq_ignore_ascii_case(label))
            && self.name[label.len()..].starts_with(' ');
        if named { self.name.clone() } else { format!("{label} {}", self.name) }
    }
}

/// A problem with one row; `message` is English for operators and starts with `line N:`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{message}")]
pub struct RowError {
    pub line: u64,
    pub message: String,
}

impl RowError {
    fn new(line: u64, problem: impl fmt::Display) -> Self {
        RowError { line, message: format!("line {line}: {problem}") }
    }
}

/// Validates a batch of region rows and returns them parents-before-children, or every problem
/// found. A parent may come from the database (`exists`) or from anywhere in the same batch.
pub fn plan_region_import(
    rows: Vec<RawRegionRow>,
    exists: impl Fn(&KodeWilayah) -> bool,
) -> Result<Vec<Region>, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut first_line: HashMap<KodeWilayah, u64> = HashMap::new();
    // Rows that passed their own checks; parent existence is checked once the batch is known.
    let mut candidates: Vec<(u64, Region)> = Vec::with_capacity(rows.len());

    for row in rows {
        let line = row.line;
        let before = errors.len();

        let code = match KodeWilayah::parse(&row.code) {
            Ok(code) => Some(code),
            Err(e) => {
                errors.push(RowError::new(line, format_args!("code '{}' is not a valid region code: {e}", row.code)));
                None
            }
        };

        let level = match row.level.parse::<Level>() {
            Ok(level) => Some(level),
            Err(e) => {
                errors.push(RowError::new(line, e));
                None
            }
        };

        let name = row.name.trim();
        if name.is_empty() {
            errors.push(RowError::new(line, "name is empty"));
        } else if name.chars().count() > MAX_NAME_CHARS {
            errors.push(RowError::new(
                line,
                format_args!(
                    "name '{name}' is {} characters long; at most {MAX_NAME_CHARS} are allowed",
                    name.chars().count()
                ),
            ));
        } else if name.chars().any(char::is_control) {
            errors.push(RowError::new(line, format_args!("name {name:?} contains a control character")));
        }

        let Some(code) = code else { continue };

        if let Some(first) = first_line.get(&code) {
            errors
                .push(RowError::new(line, format_args!("code {code} appears more than once (first on line {first})")));
        } else {
            first_line.insert(code.clone(), line);
        }

        if let Some(stated) = level
            && stated != code.level()
        {
            errors.push(RowError::new(
                line,
                format_args!("code {code} has level {}, but the file says {stated}", code.level()),
            ));
        }

        let parent = code.parent();
        let given = row.parent_code.trim();
        match &parent {
            None if !given.is_empty() => errors.push(RowError::new(
                line,
                format_args!("code {code} is a province and has no parent, but the file says {given}"),
            )),
            Some(expected) if given.is_empty() => errors.push(RowError::new(
                line,
                format_args!("parent of {code} must be {expected}, but the file leaves it empty"),
            )),
            Some(expected) if KodeWilayah::parse(given).as_ref() != Ok(expected) => errors.push(RowError::new(
                line,
                format_args!("parent of {code} must be {expected}, but the file says {given}"),
            )),
            _ => {}
        }

        if errors.len() == before
            && let Some(level) = level
        {
            candidates.push((line, Region { code, name: name.to_string(), level, parent }));
        }
    }

    // Any code in the file counts as present; a bad parent row reports its own error.
    let in_batch: HashSet<&KodeWilayah> = first_line.keys().collect();
    for (line, region) in &candidates {
        if let Some(parent) = &region.parent
            && !in_batch.contains(parent)
            && !exists(parent)
        {
            errors.push(RowError::new(
                *line,
                format_args!(
                    "parent {parent} of {} does not exist (neither in the database nor in this file)",
                    region.code
                ),
            ));
        }
    }

    if !errors.is_empty() {
        // Stable: keeps the order of checks within a line.
        errors.sort_by_key(|e| e.line);
        return Err(errors);
    }
    let mut regions: Vec<Region> = candidates.into_iter().map(|(_, r)| r).collect();
    regions.sort_by(|a, b| (a.level.depth(), &a.code).cmp(&(b.level.depth(), &b.code)));
    Ok(regions)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::IntoDeserializer;
    use serde::de::value::Error as DeError;

    fn k(s: &str) -> KodeWilayah {
        KodeWilayah::parse(s).expect("valid code in test")
    }

    #[test]
    fn a_title_names_the_level_once() {
        let r = |code: &str, name: &str, level| Region { code: k(code), name: name.into(), level, parent: None };
        assert_eq!(r("32.07.06.2001", "Sukamulya", Level::Desa).title(), "Desa Sukamulya");
        assert_eq!(r("32.07", "Kabupaten Ciamis", Level::Kabupaten).title(), "Kabupaten Ciamis");
        assert_eq!(r("32.07", "KABUPATEN CIAMIS", Level::Kabupaten).title(), "KABUPATEN CIAMIS");
        assert_eq!(r("32.07", "Ciamis", Level::Kabupaten).title(), "Kabupaten Ciamis");
        assert_eq!(r("32.78", "Kota Tasikmalaya", Level::Kota).title(), "Kota Tasikmalaya");
        // Only the whole word counts: "Desamulya" keeps its label.
        assert_eq!(r("32.07.06.2009", "Desamulya", Level::Desa).title(), "Desa Desamulya");
        assert_eq!(r("32.07.06", "Cihaurbeuti", Level::Kecamatan).title(), "Kecamatan Cihaurbeuti");
    }

    #[test]
    fn level_strings_round_trip() {
        for level in Level::ALL {
            assert_eq!(level.as_str().parse::<Level>(), Ok(level));
            let de: Result<Level, DeError> = Level::deserialize(level.as_str().into_deserializer());
            assert_eq!(de, Ok(level), "serde uses snake_case");
        }
        assert_eq!("dusun".parse::<Level>(), Err(UnknownLevel("dusun".to_string())));
        let labels: Vec<&str> = Level::ALL.iter().map(Level::label).collect();
        assert_eq!(labels, ["Provinsi", "Kabupaten", "Kota", "Kecamatan", "Desa", "Kelurahan", "Desa Adat"]);
        let depths: Vec<u8> = Level::ALL.iter().map(Level::depth).collect();
        assert_eq!(depths, [1, 2, 2, 3, 4, 4, 4]);
        let villages: Vec<bool> = Level::ALL.iter().map(Level::is_village).collect();
        assert_eq!(villages, [false, false, false, false, true, true, true]);
    }

    #[test]
    fn parses_and_normalises() {
        let cases = [
            ("32", "32", Level::Provinsi),
            ("32.07", "32.07", Level::Kabupaten),
            ("3207", "32.07", Level::Kabupaten),
            ("32.69", "32.69", Level::Kabupaten),
            ("32.70", "32.70", Level::Kota),
            ("32.73", "32.73", Level::Kota),
            ("  32.07.01 ", "32.07.01", Level::Kecamatan),
            ("320701", "32.07.01", Level::Kecamatan),
            ("32.07.01.2001", "32.07.01.2001", Level::Desa),
            ("3207012001", "32.07.01.2001", Level::Desa),
            ("32.07.01.1001", "32.07.01.1001", Level::Kelurahan),
            ("91.03.01.3001", "91.03.01.3001", Level::DesaAdat),
            ("11", "11", Level::Provinsi),
            ("96", "96", Level::Provinsi),
        ];
        for (input, dotted, level) in cases {
            let code = k(input);
            assert_eq!(code.as_str(), dotted, "{input}");
            assert_eq!(code.level(), level, "{input}");
            assert_eq!(code.depth(), level.depth(), "{input}");
            assert_eq!(code.to_string(), dotted);
            assert_eq!(code.compact(), dotted.replace('.', ""));
        }
    }

    #[test]
    fn rejects_bad_codes() {
        use KodeWilayahError::*;
        let shape = |s: &str| BadShape { input: s.to_string() };
        let cases = [
            ("", Empty),
            ("   ", Empty),
            ("3", shape("3")),
            ("320", shape("320")),
            ("32070", shape("32070")),
            ("32070120011", shape("32070120011")),
            ("32.7", shape("32.7")),
            ("32.07.", shape("32.07.")),
            ("32.07.01.201", shape("32.07.01.201")),
            ("32.07.01.2001.01", shape("32.07.01.2001.01")),
            ("3207.01", shape("3207.01")),
            ("32-07", shape("32-07")),
            ("３２", shape("３２")),
            ("32.0a", shape("32.0a")),
            ("10", BadProvince { code: "10".into() }),
            ("97", BadProvince { code: "97".into() }),
            ("00.01", BadProvince { code: "00.01".into() }),
            ("3200", BadRegency { code: "32.00".into() }),
            ("32.07.00", BadKecamatan { code: "32.07.00".into() }),
            ("32.07.01.4001", BadVillageKind { code: "32.07.01.4001".into() }),
            ("32.07.01.0001", BadVillageKind { code: "32.07.01.0001".into() }),
            ("32.07.01.2000", BadVillageNumber { code: "32.07.01.2000".into() }),
        ];
        for (input, expected) in cases {
            let err = KodeWilayah::parse(input).expect_err(input);
            assert_eq!(err, expected, "{input}");
            assert!(!err.message_id().is_empty());
        }
    }

    #[test]
    fn hierarchy() {
        let desa = k("32.07.01.2001");
        assert_eq!(desa.parent(), Some(k("32.07.01")));
        assert_eq!(k("32").parent(), None);
        assert_eq!(desa.ancestors().collect::<Vec<_>>(), [k("32.07.01"), k("32.07"), k("32")]);
        assert_eq!(desa.last_segment(), "2001");
        assert_eq!(k("32").last_segment(), "32");

        assert!(desa.is_within(&desa));
        assert!(desa.is_within(&k("32.07.01")));
        assert!(desa.is_within(&k("32.07")));
        assert!(desa.is_within(&k("32")));
        assert!(!desa.is_within(&k("32.07.01.2002")));
        assert!(!desa.is_within(&k("32.07.02")));
        assert!(!k("32.07.01").is_within(&desa));
        assert!(!k("33.07").is_within(&k("32")));
    }

    #[test]
    fn serde_validates() {
        let ok: Result<KodeWilayah, DeError> = KodeWilayah::deserialize("3207012001".to_string().into_deserializer());
        assert_eq!(ok, Ok(k("32.07.01.2001")));
        let bad: Result<KodeWilayah, DeError> = KodeWilayah::deserialize("32.00".to_string().into_deserializer());
        assert!(bad.is_err());
    }

    fn data_file(name: &str) -> String {
        let path = format!("{}/../../../shared/data/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"))
    }

    /// Minimal RFC 4180 line splitter (the region files quote two names that contain commas).
    fn split_csv(line: &str) -> Vec<String> {
        let mut fields = vec![String::new()];
        let mut quoted = false;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, quoted) {
                ('"', true) if chars.peek() == Some(&'"') => {
                    chars.next();
                    fields.last_mut().expect("non-empty").push('"');
                }
                ('"', _) => quoted = !quoted,
                (',', false) => fields.push(String::new()),
                (c, _) => fields.last_mut().expect("non-empty").push(c),
            }
        }
        fields
    }

    fn rows_of(file: &str) -> Vec<RawRegionRow> {
        data_file(file)
            .lines()
            .enumerate()
            .skip(1)
            .map(|(i, line)| {
                let f = split_csv(line);
                assert_eq!(f.len(), 4, "{file} line {}", i + 1);
                RawRegionRow {
                    line: i as u64 + 1,
                    code: f[0].clone(),
                    name: f[1].clone(),
                    level: f[2].clone(),
                    parent_code: f[3].clone(),
                }
            })
            .collect()
    }

    #[test]
    fn all_real_codes_are_accepted_with_their_levels() {
        for file in ["wilayah-kabupaten-kota.csv", "wilayah-kecamatan-indonesia.csv", "wilayah-desa-indonesia.csv"] {
            for row in rows_of(file) {
                let code = KodeWilayah::parse(&row.code).unwrap_or_else(|e| panic!("{file} line {}: {e}", row.line));
                assert_eq!(code.level().as_str(), row.level, "{file} {code}");
                assert_eq!(code.parent().map(String::from).unwrap_or_default(), row.parent_code);
            }
        }
    }

    #[test]
    fn imports_ciamis_and_all_of_indonesia() {
        let jabar = [k("32"), k("32.07")];
        let regions =
            plan_region_import(rows_of("wilayah-3207-ciamis.csv"), |c| jabar.contains(c)).expect("Ciamis imports");
        assert_eq!(regions.len(), 292);
        assert_eq!(regions.iter().filter(|r| r.level == Level::Desa).count(), 258);
        assert_eq!(regions[0].code, k("32.07.01"));

        // Without its regency the Ciamis file fails on every kecamatan row only.
        let errors = plan_region_import(rows_of("wilayah-3207-ciamis.csv"), |_| false).expect_err("32.07 missing");
        assert_eq!(errors.len(), 27);

        let mut rows = rows_of("wilayah-kabupaten-kota.csv");
        rows.extend(rows_of("wilayah-kecamatan-indonesia.csv"));
        rows.extend(rows_of("wilayah-desa-indonesia.csv"));
        rows.reverse(); // order in the file does not matter
        let total = rows.len();
        let regions = plan_region_import(rows, |_| false).expect("Indonesia imports");
        assert_eq!(regions.len(), total);
        assert!(regions.windows(2).all(|w| (w[0].level.depth(), &w[0].code) < (w[1].level.depth(), &w[1].code)));
    }

    fn row(line: u64, code: &str, name: &str, level: &str, parent: &str) -> RawRegionRow {
        RawRegionRow {
            line,
            code: code.to_string(),
            name: name.to_string(),
            level: level.to_string(),
            parent_code: parent.to_string(),
        }
    }

    #[test]
    fn import_orders_parents_first_and_uses_batch_parents() {
        let rows = vec![
            row(2, "32.07.01.2001", "Desa A", "desa", "32.07.01"),
            row(3, "3207011001", " Kelurahan B ", "kelurahan", "320701"),
            row(4, "32.07.01", "Ciamis", "kecamatan", "32.07"),
            row(5, "32.07", "Ciamis", "kabupaten", "32"),
        ];
        let regions = plan_region_import(rows, |c| *c == k("32")).expect("valid");
        let codes: Vec<&str> = regions.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(codes, ["32.07", "32.07.01", "32.07.01.1001", "32.07.01.2001"]);
        assert_eq!(regions[2].name, "Kelurahan B");
        assert_eq!(regions[2].parent, Some(k("32.07.01")));
        assert_eq!(regions[0].level, Level::Kabupaten);
    }

    #[test]
    fn import_reports_every_error() {
        let long = "x".repeat(101);
        let cases: Vec<(RawRegionRow, &str)> = vec![
            (
                row(2, "32.7", "X", "kabupaten", "32"),
                "line 2: code '32.7' is not a valid region code: '32.7' is not a region code",
            ),
            (row(3, "32.07.09", "X", "dusun", "32.07"), "line 3: unknown region level 'dusun'"),
            (
                row(7, "32.07.01", "X", "desa", "32.07"),
                "line 7: code 32.07.01 has level kecamatan, but the file says desa",
            ),
            (row(8, "32.08", "X", "kota", "32"), "line 8: code 32.08 has level kabupaten, but the file says kota"),
            (
                row(9, "33", "X", "provinsi", "32"),
                "line 9: code 33 is a province and has no parent, but the file says 32",
            ),
            (
                row(10, "32.07.02", "X", "kecamatan", ""),
                "line 10: parent of 32.07.02 must be 32.07, but the file leaves it empty",
            ),
            (
                row(11, "32.07.03", "X", "kecamatan", "32.08"),
                "line 11: parent of 32.07.03 must be 32.07, but the file says 32.08",
            ),
            (
                row(12, "32.07.04", "X", "kecamatan", "junk"),
                "line 12: parent of 32.07.04 must be 32.07, but the file says junk",
            ),
            (
                row(13, "32.09.01", "X", "kecamatan", "32.09"),
                "line 13: parent 32.09 of 32.09.01 does not exist (neither in the database nor in this file)",
            ),
            (row(14, "32.07.05", "   ", "kecamatan", "32.07"), "line 14: name is empty"),
            (row(15, "32.07.06", &long, "kecamatan", "32.07"), "line 15: name 'xxxx"),
            (
                row(16, "32.07.07", "Ci\u{7}amis", "kecamatan", "32.07"),
                "line 16: name \"Ci\\u{7}amis\" contains a control character",
            ),
        ];
        for (bad, expected) in &cases {
            // Each error alone, among valid rows.
            let rows = vec![
                row(1, "32.07", "Ciamis", "kabupaten", "32"),
                bad.clone(),
                row(99, "32.07.08", "Baik", "kecamatan", "32.07"),
            ];
            let errors = plan_region_import(rows, |c| *c == k("32")).expect_err(expected);
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert_eq!(errors[0].line, bad.line);
            assert!(errors[0].message.starts_with(expected), "{} does not start with {expected}", errors[0].message);
        }

        // All together: every error is reported, in line order.
        let mut rows: Vec<RawRegionRow> = cases.iter().map(|(r, _)| r.clone()).collect();
        rows.push(row(1, "32.07", "Ciamis", "kabupaten", "32"));
        let errors = plan_region_import(rows, |c| *c == k("32")).expect_err("many errors");
        assert_eq!(errors.len(), cases.len());
        let lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [2, 3, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    }

    #[test]
    fn import_reports_duplicates_and_several_errors_per_row() {
        let rows = vec![
            row(2, "32.07", "Ciamis", "kabupaten", "32"),
            row(3, "3207", "Ciamis lagi", "kabupaten", "32"),
            row(4, "32.07.01", "", "desa", ""),
        ];
        let errors = plan_region_import(rows, |c| *c == k("32")).expect_err("errors");
        let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "line 3: code 32.07 appears more than once (first on line 2)",
                "line 4: name is empty",
                "line 4: code 32.07.01 has level kecamatan, but the file says desa",
                "line 4: parent of 32.07.01 must be 32.07, but the file leaves it empty",
            ]
        );
    }
}
