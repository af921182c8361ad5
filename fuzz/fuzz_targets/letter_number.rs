//! Letter number formats (crates/domain/src/surat/numbering.rs): parsing an administrator's
//! pattern and formatting numbers with it.
//!
//! Input: lines `pattern`, `kode`, `nomor`, `kode_desa`, `month`, `year` (missing or unreadable
//! ones take the values of `470/012/2001/XI/2026`).
//!
//! Properties: a pattern is accepted exactly when it is 1–120 characters without control
//! characters, made of brace-free text and known placeholders, with one `{nomor}` or
//! `{nomor:0N}` (N 1–6) and a `{tahun}`; the accepted pattern is kept as written and parses to
//! the same format again. Its numbers are what substituting the placeholders gives (an
//! independent implementation), contain the zero-padded counter, the Roman month and the
//! four-digit year, and differ for different counters. A rejection points at the real problem
//! (the position of a stray or unclosed brace, the unknown placeholder as written).

#![no_main]

use balai_domain::surat::numbering::{
    DEFAULT_FORMAT, MAX_FORMAT_CHARS, NumberFormat, NumberFormatError, NumberParts, roman_month,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let pattern = lines.next().unwrap_or_default();
    let mut field = |default: &str| lines.next().unwrap_or(default).to_string();
    let kode = field("470");
    let nomor = field("12").trim().parse::<u32>().unwrap_or(12);
    let kode_desa = field("2001");
    let month = field("11").trim().parse::<u32>().unwrap_or(11);
    let year = field("2026").trim().parse::<i32>().unwrap_or(2026);
    let parts = NumberParts { kode, nomor, kode_desa, month, year };

    let expected = reference(pattern);
    match NumberFormat::parse(pattern) {
        Ok(format) => {
            if let Err(why) = &expected {
                panic!("{pattern:?} was accepted, but {why}");
            }
            check_format(pattern, &format, &parts);
        }
        Err(e) => {
            assert!(expected.is_err(), "{pattern:?} was refused ({e}) but is valid");
            check_error(pattern, &e);
        }
    }

    // The built-in default is the parsed default.
    let default = NumberFormat::parse(DEFAULT_FORMAT).expect("default format");
    assert_eq!(NumberFormat::default().format(&parts), default.format(&parts));
});

/// What the placeholders of a valid pattern are, or why it is invalid: a second implementation
/// of the grammar, written differently (placeholders are split out first, then checked).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Piece<'a> {
    Text(&'a str),
    Kode,
    Nomor(usize),
    KodeDesa,
    BulanRomawi,
    Bulan,
    Tahun,
}

fn reference(pattern: &str) -> Result<Vec<Piece<'_>>, String> {
    if pattern.is_empty() || pattern.chars().count() > MAX_FORMAT_CHARS {
        return Err("its length is wrong".into());
    }
    if pattern.chars().any(char::is_control) {
        return Err("it has a control character".into());
    }
    let mut pieces = Vec::new();
    let mut rest = pattern;
    while !rest.is_empty() {
        match rest.find(['{', '}']) {
            None => {
                pieces.push(Piece::Text(rest));
                rest = "";
            }
            Some(at) => {
                if at > 0 {
                    pieces.push(Piece::Text(&rest[..at]));
                }
                if rest[at..].starts_with('}') {
                    return Err("it has a stray }".into());
                }
                let inner = &rest[at + 1..];
                let close = inner.find('}').ok_or("a { is not closed")?;
                let name = &inner[..close];
                if name.contains('{') {
                    return Err("it has {{".into());
                }
                pieces.push(match name {
                    "kode" => Piece::Kode,
                    "nomor" => Piece::Nomor(0),
                    "kode_desa" => Piece::KodeDesa,
                    "bulan_romawi" => Piece::BulanRomawi,
                    "bulan" => Piece::Bulan,
                    "tahun" => Piece::Tahun,
                    "nomor:01" | "nomor:02" | "nomor:03" | "nomor:04" | "nomor:05" | "nomor:06" => {
                        Piece::Nomor(usize::from(name.as_bytes()[7] - b'0'))
                    }
                    _ => return Err(format!("{{{name}}} is not a placeholder")),
                });
                rest = &inner[close + 1..];
            }
        }
    }
    if pieces.iter().filter(|p| matches!(p, Piece::Nomor(_))).count() != 1 {
        return Err("it does not have exactly one {nomor}".into());
    }
    if !pieces.contains(&Piece::Tahun) {
        return Err("it has no {tahun}".into());
    }
    Ok(pieces)
}

fn render(pieces: &[Piece<'_>], p: &NumberParts) -> String {
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(t) => out += t,
            Piece::Kode => out += &p.kode,
            Piece::Nomor(width) => out += &format!("{:0width$}", p.nomor),
            Piece::KodeDesa => out += &p.kode_desa,
            Piece::BulanRomawi => out += &roman_month(p.month).map_or_else(|| p.month.to_string(), str::to_string),
            Piece::Bulan => out += &format!("{:02}", p.month),
            Piece::Tahun => out += &format!("{:04}", p.year),
        }
    }
    out
}

fn check_format(pattern: &str, format: &NumberFormat, parts: &NumberParts) {
    assert_eq!(format.as_str(), pattern);
    assert_eq!(format.to_string(), pattern);
    assert_eq!(NumberFormat::parse(format.as_str()).as_ref(), Ok(format), "parses to the same format again");
    assert_eq!(pattern.parse::<NumberFormat>().as_ref(), Ok(format));

    let pieces = reference(pattern).expect("valid");
    let number = format.format(parts);
    assert_eq!(number, render(&pieces, parts), "{pattern:?}");

    let width = pieces.iter().find_map(|p| if let Piece::Nomor(w) = p { Some(*w) } else { None }).expect("nomor");
    assert!(number.contains(&format!("{:0width$}", parts.nomor)), "{number:?} lacks the counter");
    assert!(number.contains(&format!("{:04}", parts.year)), "{number:?} lacks the year");
    if pieces.contains(&Piece::BulanRomawi)
        && let Some(roman) = roman_month(parts.month)
    {
        assert!(number.contains(roman), "{number:?} lacks the month {roman}");
    }

    // Different counters give different numbers (the rest of the number is the same).
    let next = NumberParts { nomor: parts.nomor.wrapping_add(1), ..parts.clone() };
    assert_ne!(format.format(&next), number, "{pattern:?}: {} and {} share a number", parts.nomor, next.nomor);

    // A real date gives the parts the formatter is asked for most.
    if let Some(date) = chrono::NaiveDate::from_ymd_opt(parts.year, parts.month, 1) {
        let on = NumberParts::on(&parts.kode, parts.nomor, &parts.kode_desa, date);
        assert_eq!(&on, parts);
        let roman = roman_month(parts.month).expect("a real month");
        if pieces.contains(&Piece::BulanRomawi) {
            assert!(format.format(&on).contains(roman));
        }
    }
}

fn check_error(pattern: &str, e: &NumberFormatError) {
    assert!(!e.to_string().is_empty() && !e.message_id().is_empty());
    let chars: Vec<char> = pattern.chars().collect();
    let at_char = |at: usize| at.checked_sub(1).and_then(|i| chars.get(i)).copied();
    match e {
        NumberFormatError::Empty => assert!(pattern.is_empty()),
        NumberFormatError::TooLong => assert!(chars.len() > MAX_FORMAT_CHARS),
        NumberFormatError::ControlCharacter => assert!(chars.iter().any(|c| c.is_control())),
        NumberFormatError::Unclosed { at } => {
            assert_eq!(at_char(*at), Some('{'), "{pattern:?} {e}");
            assert!(!chars[*at..].contains(&'}'), "{pattern:?} {e}: it is closed later");
        }
        NumberFormatError::StrayBrace { ch, at } => assert_eq!(at_char(*at), Some(*ch), "{pattern:?} {e}"),
        NumberFormatError::UnknownPlaceholder { name } => {
            assert!(pattern.contains(&format!("{{{name}}}")), "{pattern:?} {e}");
        }
        NumberFormatError::BadWidth { spec } => {
            assert!(spec.starts_with("nomor:") && pattern.contains(&format!("{{{spec}}}")), "{pattern:?} {e}");
        }
        NumberFormatError::MissingNomor => assert!(!pattern.contains("{nomor")),
        NumberFormatError::DuplicateNomor => assert!(pattern.matches("{nomor").count() > 1),
        NumberFormatError::MissingTahun => assert!(!pattern.contains("{tahun}")),
    }
}
