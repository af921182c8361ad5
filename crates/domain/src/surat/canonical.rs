//! What the village's Ed25519 key signs for an issued letter (domain.md §4 "Signing"), and the
//! unguessable token in the letter's verification URL. Signing and randomness live in the app;
//! this module only fixes the bytes and the token's shape.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Version tag that starts every canonical letter, so these bytes cannot be mistaken for any
/// other signed message, and a future encoding gets a new tag.
pub const CANONICAL_TAG: &str = "balai-letter-v1";

/// The signed content of an issued letter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CanonicalLetter {
    /// The letter number as printed, e.g. "400.9.14/012/2001/XI/2026".
    pub number: String,
    /// The letter type's slug.
    pub letter_type: String,
    pub issued_on: NaiveDate,
    /// The village's region code, dotted (`32.07.06.2001`).
    pub village_code: String,
    /// The subject's masked name, as the public verification page shows it.
    pub subject_masked_name: String,
    /// SHA-256 of the PDF, lowercase hex (see [`pdf_sha256`]); empty for the signature the QR
    /// code carries, which is made before the PDF exists.
    pub pdf_sha256: String,
}

impl CanonicalLetter {
    /// The bytes that are signed: [`CANONICAL_TAG`], then `number`, `letter_type`, `issued_on`
    /// (as `YYYY-MM-DD`), `village_code`, `subject_masked_name` and `pdf_sha256`, each of the
    /// seven written as its UTF-8 length in 8 bytes big-endian followed by its bytes. Because
    /// every item carries its length, no value (whatever characters it holds) can run into the
    /// next, and two different letters never encode the same.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let issued_on = self.issued_on.format("%Y-%m-%d").to_string();
        let items: [&str; 7] = [
            CANONICAL_TAG,
            &self.number,
            &self.letter_type,
            &issued_on,
            &self.village_code,
            &self.subject_masked_name,
            &self.pdf_sha256,
        ];
        let mut out = Vec::with_capacity(items.iter().map(|s| s.len() + 8).sum());
        for item in items {
            out.extend_from_slice(&(item.len() as u64).to_be_bytes());
            out.extend_from_slice(item.as_bytes());
        }
        out
    }
}

/// SHA-256 of a PDF as lowercase hex, the form [`CanonicalLetter::pdf_sha256`] takes.
pub fn pdf_sha256(pdf: &[u8]) -> String {
    hex::encode(Sha256::digest(pdf))
}

/// Length of a verification token: 128 bits in base32 (5 bits a character).
pub const TOKEN_LEN: usize = 26;

/// Crockford's base32 alphabet, lowercase (no i, l, o, u).
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// The verification token for 16 random bytes: 26 characters of lowercase Crockford base32,
/// no padding. The 128 bits are written most significant first; the last character holds the
/// final 3 bits followed by two zero bits. The caller supplies the randomness (from a CSPRNG).
pub fn new_verification_token(random: [u8; 16]) -> String {
    let value = u128::from_be_bytes(random);
    let mut token = String::with_capacity(TOKEN_LEN);
    for i in 0..TOKEN_LEN {
        // Character i covers bits [5i, 5i + 5) of the 130-bit stream (the value, then 00).
        let symbol = if i + 1 < TOKEN_LEN { (value >> (128 - 5 * (i + 1))) & 0x1f } else { (value & 0x7) << 2 };
        token.push(char::from(ALPHABET[symbol as usize]));
    }
    token
}

/// The 16 bytes behind a token, if it is exactly what [`new_verification_token`] makes:
/// 26 characters of the lowercase alphabet, the last with its two padding bits zero (so each
/// token has one spelling).
pub fn decode_verification_token(token: &str) -> Option<[u8; 16]> {
    let bytes = token.as_bytes();
    if bytes.len() != TOKEN_LEN {
        return None;
    }
    let mut value: u128 = 0;
    for (i, b) in bytes.iter().enumerate() {
        let symbol = ALPHABET.iter().position(|a| a == b)? as u128;
        if i + 1 < TOKEN_LEN {
            value = (value << 5) | symbol;
        } else {
            if symbol & 0x3 != 0 {
                return None;
            }
            value = (value << 3) | (symbol >> 2);
        }
    }
    Some(value.to_be_bytes())
}

/// Whether `token` could be a verification token; checked before any database look-up.
pub fn is_well_formed_token(token: &str) -> bool {
    decode_verification_token(token).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample() -> CanonicalLetter {
        CanonicalLetter {
            number: "400.9.14/012/2001/XI/2026".into(),
            letter_type: "sktm".into(),
            issued_on: NaiveDate::from_ymd_opt(2026, 11, 23).expect("date"),
            village_code: "32.07.06.2001".into(),
            subject_masked_name: "S*** A*****".into(),
            pdf_sha256: pdf_sha256(b"%PDF-1.7 test"),
        }
    }

    #[test]
    fn canonical_bytes_layout() {
        let bytes = sample().canonical_bytes();
        let mut expected = Vec::new();
        for item in [
            "balai-letter-v1",
            "400.9.14/012/2001/XI/2026",
            "sktm",
            "2026-11-23",
            "32.07.06.2001",
            "S*** A*****",
            &pdf_sha256(b"%PDF-1.7 test"),
        ] {
            expected.extend_from_slice(&(item.len() as u64).to_be_bytes());
            expected.extend_from_slice(item.as_bytes());
        }
        assert_eq!(bytes, expected);
        assert_eq!(&bytes[..8], &15u64.to_be_bytes());
        assert_eq!(&bytes[8..23], b"balai-letter-v1");
    }

    /// Changing the encoding changes every signature ever made: this must only fail on purpose
    /// (with a new `CANONICAL_TAG`).
    #[test]
    fn canonical_test_vector() {
        let letter = sample();
        assert_eq!(letter.pdf_sha256, "eddc31937fbdaf708e866af0d20b9fb8c79dd001881c8a11e4c617f2882e779f");
        assert_eq!(
            hex::encode(Sha256::digest(letter.canonical_bytes())),
            "0bb80048b07db224b959566a806c4c14a54b40db01f75eb5244621063e56583d"
        );
        let for_qr = CanonicalLetter { pdf_sha256: String::new(), ..letter };
        assert_eq!(
            hex::encode(Sha256::digest(for_qr.canonical_bytes())),
            "ef86968a838771acbb21c67789bc24b5ca0dbc6107ef8922bf4e951cda237f3c"
        );
    }

    #[test]
    fn separators_in_values_do_not_collide() {
        let a = CanonicalLetter { number: "1/2".into(), letter_type: "3".into(), ..sample() };
        let b = CanonicalLetter { number: "1".into(), letter_type: "2/3".into(), ..sample() };
        assert_ne!(a.canonical_bytes(), b.canonical_bytes());
        let c = CanonicalLetter { number: "1\n".into(), letter_type: "2".into(), ..sample() };
        let d = CanonicalLetter { number: "1".into(), letter_type: "\n2".into(), ..sample() };
        assert_ne!(c.canonical_bytes(), d.canonical_bytes());
        // A length-looking prefix inside a value does not help either.
        let mut forged = String::from("x");
        forged.push_str(std::str::from_utf8(&[0u8; 8]).expect("utf8"));
        let e = CanonicalLetter { number: forged, letter_type: String::new(), ..sample() };
        let f = CanonicalLetter { number: "x".into(), letter_type: "\0\0\0\0\0\0\0\0".into(), ..sample() };
        assert_ne!(e.canonical_bytes(), f.canonical_bytes());
    }

    #[test]
    fn token_vectors() {
        assert_eq!(new_verification_token([0; 16]), "00000000000000000000000000");
        assert_eq!(new_verification_token([0xff; 16]), "zzzzzzzzzzzzzzzzzzzzzzzzzw");
        let mut one = [0u8; 16];
        one[15] = 1;
        assert_eq!(new_verification_token(one), "00000000000000000000000004");
        let mut top = [0u8; 16];
        top[0] = 0x80;
        assert_eq!(new_verification_token(top), "g0000000000000000000000000");
        let counting: [u8; 16] = core::array::from_fn(|i| i as u8);
        let token = new_verification_token(counting);
        assert_eq!(token, "000g40r40m30e209185gr38e1w");
        assert_eq!(decode_verification_token(&token), Some(counting));
    }

    #[test]
    fn malformed_tokens() {
        let good = new_verification_token([7; 16]);
        assert!(is_well_formed_token(&good));
        for bad in [
            String::new(),
            good[..25].to_string(),
            format!("{good}0"),
            good.to_uppercase(),
            format!("{}i", &good[..25]),
            format!("{}u", &good[..25]),
            // Padding bits set: another spelling of the same bytes.
            format!("{}1", &good[..25]),
            format!("{}é", &good[..24]),
            "42".to_string(),
        ] {
            assert!(!is_well_formed_token(&bad), "{bad:?}");
        }
    }

    fn any_letter() -> impl Strategy<Value = CanonicalLetter> {
        (any::<[String; 5]>(), -300_000i32..300_000).prop_map(|(s, days)| {
            let [number, letter_type, village_code, subject_masked_name, pdf_sha256] = s;
            let epoch = NaiveDate::from_ymd_opt(2000, 1, 1).expect("date");
            CanonicalLetter {
                number,
                letter_type,
                issued_on: epoch + chrono::Duration::days(i64::from(days)),
                village_code,
                subject_masked_name,
                pdf_sha256,
            }
        })
    }

    proptest! {
        #[test]
        fn different_letters_encode_differently(a in any_letter(), b in any_letter()) {
            prop_assert_eq!(a == b, a.canonical_bytes() == b.canonical_bytes());
        }

        #[test]
        fn one_field_changed_changes_the_bytes(a in any_letter(), which in 0usize..5, extra in "\\PC{1,4}") {
            let mut b = a.clone();
            let field = match which {
                0 => &mut b.number,
                1 => &mut b.letter_type,
                2 => &mut b.village_code,
                3 => &mut b.subject_masked_name,
                _ => &mut b.pdf_sha256,
            };
            field.push_str(&extra);
            prop_assert_ne!(a.canonical_bytes(), b.canonical_bytes());
        }

        #[test]
        fn tokens_round_trip(random in any::<[u8; 16]>()) {
            let token = new_verification_token(random);
            prop_assert_eq!(token.len(), TOKEN_LEN);
            prop_assert!(token.bytes().all(|b| ALPHABET.contains(&b)));
            prop_assert!(is_well_formed_token(&token));
            prop_assert_eq!(decode_verification_token(&token), Some(random));
        }

        #[test]
        fn token_check_never_panics(s in any::<String>()) {
            let _ = is_well_formed_token(&s);
        }
    }
}
