//! NIK and No. KK parsing (crates/domain/src/nik.rs) on any text.
//!
//! Properties: a parsed NIK is the input's 16 digits without its spaces, parses again to
//! itself, and its masked form (and `Debug`) shows only the first and last four digits; its
//! sex and birth date agree with digits 7–12 and the birth date is a real date not after "today"
//! in a century that fits; each rejection names what is really wrong with the input. A valid
//! NIK is also a valid No. KK shape. `mask_name` keeps each word's first character only.

#![no_main]

use balai_domain::nik::{Nik, NikError, NoKk, NoKkError, Sex, mask_name};
use chrono::{Datelike, NaiveDate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    check_nik(&input, &digits);
    check_no_kk(&input, &digits);
    check_mask_name(&input);
});

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("fixed date")
}

fn two(s: &str) -> u32 {
    s.parse().expect("two ASCII digits")
}

/// The mask hides the middle eight digits and nothing else.
fn check_masked(masked: &str, full: &str) {
    assert_eq!(masked.len(), 16, "{masked}");
    assert_eq!(&masked[..4], &full[..4]);
    assert_eq!(&masked[4..12], "********");
    assert_eq!(&masked[12..], &full[12..]);
}

fn check_nik(input: &str, digits: &str) {
    match Nik::parse(input) {
        Ok(nik) => {
            let s = nik.as_str();
            assert_eq!(s, digits, "the NIK is the input's digits");
            assert!(s.len() == 16 && s.bytes().all(|b| b.is_ascii_digit()), "{s}");
            assert_eq!(Nik::parse(s).as_ref(), Ok(&nik), "re-parses to itself");
            assert_eq!(Nik::try_from(s.to_string()).as_ref(), Ok(&nik));
            assert_eq!(String::from(nik.clone()), s);
            check_masked(&nik.masked(), s);
            assert_eq!(format!("{nik:?}"), format!("Nik({})", nik.masked()), "Debug shows the masked number");
            assert!((11..=96).contains(&two(&s[..2])), "province {s}");
            assert_ne!(&s[12..], "0000");
            assert_eq!(nik.serial(), &s[12..]);
            assert_eq!(nik.kecamatan_code(), format!("{}.{}.{}", &s[..2], &s[2..4], &s[4..6]));

            let written_day = two(&s[6..8]);
            let (day, month, year2) = (written_day % 40, two(&s[8..10]), two(&s[10..12]) as i32);
            let female = written_day > 40;
            assert_eq!(nik.sex(), if female { Sex::Perempuan } else { Sex::LakiLaki });
            for today in [date(1999, 6, 1), date(2000, 2, 29), date(2026, 11, 1), date(2099, 12, 31)] {
                let born = nik.birth_date(today);
                assert_eq!((born.day(), born.month(), born.year() % 100), (day, month, year2), "{s} {today}");
                assert!(matches!(born.year() / 100, 19 | 20), "{born}");
                // Not in the future, except 29 Feb 2000 before that day (1900 had no 29 Feb).
                if today >= date(2000, 2, 29) {
                    assert!(born <= today, "{s}: born {born} after {today}");
                }
                // The latest century that is not in the future.
                if born.year() < 2000 {
                    assert!(NaiveDate::from_ymd_opt(2000 + year2, month, day).is_none_or(|d| d > today));
                }
            }
            // Every valid NIK has the shape of a family card number too.
            assert_eq!(NoKk::parse(input).map(|kk| kk.as_str().to_string()).as_deref(), Ok(s));
        }
        Err(e) => {
            assert!(!e.to_string().is_empty() && !e.message_id().is_empty());
            match &e {
                NikError::NotDigits => assert!(!digits.bytes().all(|b| b.is_ascii_digit()), "{digits:?}"),
                NikError::WrongLength { got } => {
                    assert!(digits.bytes().all(|b| b.is_ascii_digit()), "{digits:?}");
                    assert_eq!(*got, digits.len());
                    assert_ne!(*got, 16);
                }
                NikError::BadProvince { code } => {
                    assert_eq!(code, &digits[..2]);
                    assert!(!(11..=96).contains(&two(code)));
                }
                NikError::BadBirthDate { day, month, year2 } => {
                    assert_eq!((*day, *month, *year2), (two(&digits[6..8]), two(&digits[8..10]), two(&digits[10..12])));
                    let real = *day % 40;
                    assert!(
                        !matches!(*day, 1..=31 | 41..=71)
                            || NaiveDate::from_ymd_opt(2000 + *year2 as i32, *month, real).is_none(),
                        "{digits} has a real birth date"
                    );
                }
                NikError::ZeroSerial => assert_eq!(&digits[12..], "0000"),
            }
            if !matches!(e, NikError::NotDigits | NikError::WrongLength { .. }) {
                // The error messages never repeat the whole number.
                assert!(!e.to_string().contains(digits) && !e.message_id().contains(digits));
            }
        }
    }
}

fn check_no_kk(input: &str, digits: &str) {
    match NoKk::parse(input) {
        Ok(kk) => {
            let s = kk.as_str();
            assert_eq!(s, digits);
            assert!(s.len() == 16 && s.bytes().all(|b| b.is_ascii_digit()) && s.bytes().any(|b| b != b'0'));
            assert_eq!(NoKk::parse(s).as_ref(), Ok(&kk));
            check_masked(&kk.masked(), s);
            assert_eq!(format!("{kk:?}"), format!("NoKk({})", kk.masked()));
        }
        Err(e) => {
            assert!(!e.to_string().is_empty() && !e.message_id().is_empty());
            match e {
                NoKkError::NotDigits => assert!(!digits.bytes().all(|b| b.is_ascii_digit())),
                NoKkError::WrongLength { got } => {
                    assert!(digits.bytes().all(|b| b.is_ascii_digit()));
                    assert!(got == digits.len() && got != 16);
                }
                NoKkError::AllZeros => assert_eq!(digits, "0000000000000000"),
            }
        }
    }
}

fn check_mask_name(input: &str) {
    let masked = mask_name(input);
    let words: Vec<&str> = input.split_whitespace().collect();
    let masked_words: Vec<&str> = if masked.is_empty() { Vec::new() } else { masked.split(' ').collect() };
    assert_eq!(masked_words.len(), words.len(), "{input:?} -> {masked:?}");
    for (word, hidden) in words.iter().zip(&masked_words) {
        assert_eq!(word.chars().count(), hidden.chars().count());
        assert_eq!(word.chars().next(), hidden.chars().next());
        assert!(hidden.chars().skip(1).all(|c| c == '*'), "{hidden:?}");
    }
}
