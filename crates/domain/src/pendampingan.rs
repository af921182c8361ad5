//! Assisted filing (pendampingan): a kader digital files a letter request, a report or an
//! information request for a resident of their own village. The resident's consent is recorded
//! with the filing: how it was given and, for spoken consent, who witnessed it.

/// How the resident gave consent to be assisted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentMethod {
    /// Signed the village's consent form (surat persetujuan pendampingan).
    TandaTangan,
    /// Thumbprint on the consent form, for residents who cannot sign.
    CapJempol,
    /// Spoken consent, before a named witness (a family member, the RT).
    Lisan,
}

impl ConsentMethod {
    pub const ALL: [ConsentMethod; 3] = [ConsentMethod::TandaTangan, ConsentMethod::CapJempol, ConsentMethod::Lisan];

    pub fn as_str(&self) -> &'static str {
        match self {
            ConsentMethod::TandaTangan => "tanda_tangan",
            ConsentMethod::CapJempol => "cap_jempol",
            ConsentMethod::Lisan => "lisan",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            ConsentMethod::TandaTangan => "Tanda tangan pada formulir persetujuan",
            ConsentMethod::CapJempol => "Cap jempol pada formulir persetujuan",
            ConsentMethod::Lisan => "Lisan, disaksikan",
        }
    }

    pub fn parse(s: &str) -> Option<ConsentMethod> {
        ConsentMethod::ALL.into_iter().find(|m| m.as_str() == s.trim())
    }
}

/// A consent as recorded on the pendamping's form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    pub method: ConsentMethod,
    /// The witness of a spoken consent (empty for a written one).
    pub witness: String,
}

/// Longest witness name accepted.
pub const MAX_WITNESS_CHARS: usize = 120;

/// Checks the consent part of an assisted filing: the pendamping confirms the resident agreed,
/// names how, and names a witness for spoken consent. Errors are (field, Indonesian message).
pub fn check_consent(confirmed: bool, method: &str, witness: &str) -> Result<Consent, Vec<(&'static str, String)>> {
    let mut errors = Vec::new();
    if !confirmed {
        errors.push((
            "persetujuan",
            "Centang pernyataan bahwa warga telah menyetujui pengajuan ini melalui pendamping.".to_string(),
        ));
    }
    let witness = witness.trim();
    let method = match ConsentMethod::parse(method) {
        Some(m) => Some(m),
        None => {
            errors.push(("cara_persetujuan", "Pilih cara warga memberikan persetujuan.".to_string()));
            None
        }
    };
    if method == Some(ConsentMethod::Lisan) && witness.is_empty() {
        errors.push(("saksi", "Persetujuan lisan harus disaksikan: tulis nama saksinya.".to_string()));
    }
    if witness.chars().count() > MAX_WITNESS_CHARS {
        errors.push(("saksi", format!("Nama saksi paling banyak {MAX_WITNESS_CHARS} karakter.")));
    }
    if witness.chars().any(char::is_control) {
        errors.push(("saksi", "Nama saksi tidak boleh berisi karakter kendali.".to_string()));
    }
    match method {
        Some(method) if errors.is_empty() => Ok(Consent { method, witness: witness.to_string() }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consent_rules() {
        let fields = |r: Result<Consent, Vec<(&'static str, String)>>| {
            r.expect_err("refused").into_iter().map(|(f, _)| f).collect::<Vec<_>>()
        };
        assert_eq!(
            check_consent(true, "cap_jempol", ""),
            Ok(Consent { method: ConsentMethod::CapJempol, witness: String::new() })
        );
        assert_eq!(
            check_consent(true, "lisan", "  Ibu Cucu (anak) "),
            Ok(Consent { method: ConsentMethod::Lisan, witness: "Ibu Cucu (anak)".into() })
        );
        assert_eq!(fields(check_consent(false, "tanda_tangan", "")), ["persetujuan"]);
        assert_eq!(fields(check_consent(true, "", "")), ["cara_persetujuan"]);
        assert_eq!(fields(check_consent(true, "email", "")), ["cara_persetujuan"]);
        assert_eq!(fields(check_consent(true, "lisan", "   ")), ["saksi"]);
        assert_eq!(fields(check_consent(false, "lisan", "")), ["persetujuan", "saksi"]);
        assert_eq!(fields(check_consent(true, "lisan", &"a".repeat(121))), ["saksi"]);
        assert_eq!(fields(check_consent(true, "lisan", "a\u{7}b")), ["saksi"]);
        for m in ConsentMethod::ALL {
            assert_eq!(ConsentMethod::parse(m.as_str()), Some(m));
        }
    }
}
