//! Each village's Ed25519 signing key, derived from the installation's secret key, so that any
//! app instance holding the secret can sign for any village and no per-village secret is stored.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};

/// The installation's secret (32 random bytes, kept in a 0600 file or a container secret).
#[derive(Clone)]
pub struct MasterKey([u8; 32]);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(***)")
    }
}

impl MasterKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        MasterKey(bytes)
    }

    /// The village's signing key: SHA-256 over a domain tag, the secret and the village code.
    pub(crate) fn village_key(&self, village: &str) -> SigningKey {
        let mut hasher = Sha256::new();
        hasher.update(b"balai-village-signing-key-v1\0");
        hasher.update(self.0);
        hasher.update(village.as_bytes());
        SigningKey::from_bytes(&hasher.finalize().into())
    }

    /// The key survey links are signed with (HMAC): SHA-256 over its own tag and the secret.
    pub(crate) fn survey_key(&self) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(b"balai-survey-link-key-v1\0");
        hasher.update(self.0);
        hasher.finalize().into()
    }
}

pub(crate) fn sign(key: &SigningKey, message: &[u8]) -> String {
    base64_url(&key.sign(message).to_bytes())
}

pub(crate) fn public_key_text(key: &SigningKey) -> String {
    base64_url(key.verifying_key().as_bytes())
}

/// Checks a base64url signature against a base64url public key.
pub(crate) fn verify(public_key: &str, message: &[u8], signature: &str) -> bool {
    let Some(key) = decode_array::<32>(public_key).and_then(|k| VerifyingKey::from_bytes(&k).ok()) else {
        return false;
    };
    let Some(sig) = decode_array::<64>(signature) else { return false };
    key.verify(message, &Signature::from_bytes(&sig)).is_ok()
}

fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn decode_array<const N: usize>(text: &str) -> Option<[u8; N]> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text).ok()?.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_differ_per_village_and_signatures_verify() {
        let master = MasterKey::from_bytes([7; 32]);
        let a = master.village_key("32.07.06.2001");
        let b = master.village_key("32.07.06.2002");
        assert_ne!(public_key_text(&a), public_key_text(&b));
        let sig = sign(&a, b"isi surat");
        assert!(verify(&public_key_text(&a), b"isi surat", &sig));
        assert!(!verify(&public_key_text(&a), b"isi surat lain", &sig));
        assert!(!verify(&public_key_text(&b), b"isi surat", &sig));
        assert!(!verify("bukan-kunci", b"isi surat", &sig));
        assert!(!verify(&public_key_text(&a), b"isi surat", "bukan-tanda-tangan"));
        assert_eq!(format!("{master:?}"), "MasterKey(***)");
    }
}
