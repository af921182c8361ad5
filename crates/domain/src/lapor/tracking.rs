//! Tracking codes for reports (domain.md §5): short, typeable, unambiguous and unguessable.
//!
//! Ten Crockford base32 characters: nine random (45 bits) and one check character. Crockford's
//! own check symbols (`*~$=U`) are awkward in an SMS and a URL, so the check character is the
//! Luhn mod 32 over the same alphabet: it catches every single mistyped character and every swap
//! of two neighbours except `0`↔`Z` (the one blind spot of Luhn mod 32). Shown as `ABCDE-FGHJK`; read back case-insensitively, with `O`→`0`,
//! `I`/`L`→`1` and hyphens or spaces ignored.

use std::fmt;

use thiserror::Error;

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const DATA_LEN: usize = 9;
pub const CODE_LEN: usize = DATA_LEN + 1;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TrackingCode(String);

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TrackingCodeError {
    #[error("a tracking code has {CODE_LEN} characters, got {0}")]
    Length(usize),
    #[error("'{0}' is not a tracking code character")]
    Character(char),
    #[error("the check character does not match (a character mistyped?)")]
    Check,
}

impl TrackingCodeError {
    pub fn message_id(&self) -> String {
        match self {
            TrackingCodeError::Length(_) => {
                format!("Kode pelacakan terdiri dari {CODE_LEN} huruf/angka, misalnya 7K3QD-2M9XA.")
            }
            TrackingCodeError::Character(c) => format!("Karakter \"{c}\" tidak dipakai dalam kode pelacakan."),
            TrackingCodeError::Check => "Kode pelacakan tidak valid; periksa kembali huruf dan angkanya.".to_string(),
        }
    }
}

fn value_of(c: char) -> Option<u32> {
    let c = match c.to_ascii_uppercase() {
        'O' => '0',
        'I' | 'L' => '1',
        other => other,
    };
    ALPHABET.iter().position(|&a| a as char == c).map(|p| p as u32)
}

/// Luhn mod 32: the check value that makes the weighted sum of `values` plus itself divisible by 32.
fn check_value(values: &[u32]) -> u32 {
    let n = 32;
    let mut factor = 2;
    let mut sum = 0;
    for &v in values.iter().rev() {
        let addend = factor * v;
        sum += addend / n + addend % n;
        factor = if factor == 2 { 1 } else { 2 };
    }
    (n - sum % n) % n
}

impl TrackingCode {
    /// A code from 45 bits of randomness (the caller draws them; higher bits are ignored).
    pub fn from_random(bits: u64) -> TrackingCode {
        let mut values = Vec::with_capacity(CODE_LEN);
        for i in (0..DATA_LEN).rev() {
            values.push(((bits >> (5 * i)) & 31) as u32);
        }
        values.push(check_value(&values));
        TrackingCode(values.into_iter().map(|v| ALPHABET[v as usize] as char).collect())
    }

    /// Reads a code as typed by a person.
    pub fn parse(input: &str) -> Result<TrackingCode, TrackingCodeError> {
        let mut values = Vec::with_capacity(CODE_LEN);
        for c in input.trim().chars().filter(|c| !matches!(c, '-' | ' ')) {
            values.push(value_of(c).ok_or(TrackingCodeError::Character(c))?);
        }
        if values.len() != CODE_LEN {
            return Err(TrackingCodeError::Length(values.len()));
        }
        if check_value(&values[..DATA_LEN]) != values[DATA_LEN] {
            return Err(TrackingCodeError::Check);
        }
        Ok(TrackingCode(values.into_iter().map(|v| ALPHABET[v as usize] as char).collect()))
    }

    /// The code as stored: ten characters, no hyphen.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// As shown to people: `ABCDE-FGHJK`.
    pub fn display(&self) -> String {
        format!("{}-{}", &self.0[..5], &self.0[5..])
    }
}

impl fmt::Display for TrackingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_back_what_it_makes_in_any_typing() {
        let code = TrackingCode::from_random(0x1234_5678_9ABC);
        assert_eq!(code.as_str().len(), CODE_LEN);
        assert_eq!(TrackingCode::parse(code.as_str()), Ok(code.clone()));
        assert_eq!(TrackingCode::parse(&code.display().to_lowercase()), Ok(code.clone()));
        let spaced = format!(" {} {} ", &code.as_str()[..5], &code.as_str()[5..]);
        assert_eq!(TrackingCode::parse(&spaced), Ok(code));
    }

    #[test]
    fn confusable_letters_read_as_digits() {
        // All zeros: data "000000000" and its check.
        let code = TrackingCode::from_random(0);
        let typed = code.as_str().replace('0', "O");
        assert_eq!(TrackingCode::parse(&typed), Ok(code));
        // Every 5-bit group is 1: data "111111111".
        let ones = TrackingCode::from_random(0x0108_4210_8421);
        assert_eq!(&ones.as_str()[..9], "111111111");
        assert_eq!(TrackingCode::parse(&ones.as_str().replace('1', "l")), Ok(ones));
    }

    #[test]
    fn wrong_lengths_and_characters_are_named() {
        assert_eq!(TrackingCode::parse("ABC"), Err(TrackingCodeError::Length(3)));
        assert_eq!(TrackingCode::parse("ABCDE-FGHJU"), Err(TrackingCodeError::Character('U')));
        assert_eq!(TrackingCode::parse("<script>"), Err(TrackingCodeError::Character('<')));
        assert!(TrackingCodeError::Check.message_id().contains("tidak valid"));
    }

    proptest! {
        #[test]
        fn every_single_substitution_is_caught(bits in 0u64..(1 << 45), pos in 0usize..CODE_LEN, delta in 1u32..32) {
            let code = TrackingCode::from_random(bits);
            let mut chars: Vec<char> = code.as_str().chars().collect();
            let v = value_of(chars[pos]).expect("valid in test");
            chars[pos] = ALPHABET[((v + delta) % 32) as usize] as char;
            let typed: String = chars.into_iter().collect();
            prop_assert_eq!(TrackingCode::parse(&typed), Err(TrackingCodeError::Check));
        }

        #[test]
        fn every_neighbour_swap_is_caught(bits in 0u64..(1 << 45), pos in 0usize..CODE_LEN - 1) {
            let code = TrackingCode::from_random(bits);
            let mut chars: Vec<char> = code.as_str().chars().collect();
            prop_assume!(chars[pos] != chars[pos + 1]);
            let pair = [chars[pos], chars[pos + 1]];
            prop_assume!(pair != ['0', 'Z'] && pair != ['Z', '0']);
            chars.swap(pos, pos + 1);
            let typed: String = chars.into_iter().collect();
            prop_assert_eq!(TrackingCode::parse(&typed), Err(TrackingCodeError::Check));
        }
    }
}
