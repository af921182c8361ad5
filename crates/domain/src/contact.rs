//! What residents type at the edge: phone numbers, e-mail addresses, uploaded files. Each is
//! checked here, once, and normalised so the rest of the system sees one form.

/// Largest attachment accepted (a phone photo of a KTP or KK is 1–4 MB).
pub const MAX_UPLOAD_BYTES: usize = 5 * 1024 * 1024;

/// The kinds of file residents may attach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadKind {
    Jpeg,
    Png,
    Pdf,
}

impl UploadKind {
    pub fn content_type(&self) -> &'static str {
        match self {
            UploadKind::Jpeg => "image/jpeg",
            UploadKind::Png => "image/png",
            UploadKind::Pdf => "application/pdf",
        }
    }

    pub fn extension(&self) -> &'static str {
        match self {
            UploadKind::Jpeg => "jpg",
            UploadKind::Png => "png",
            UploadKind::Pdf => "pdf",
        }
    }
}

/// Why an upload is refused, in Indonesian for the person who sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadError {
    Empty,
    TooLarge { bytes: usize },
    NotAllowed,
}

impl UploadError {
    pub fn message_id(&self) -> String {
        match self {
            UploadError::Empty => "Berkas kosong. Pilih berkasnya lagi.".into(),
            UploadError::TooLarge { bytes } => format!(
                "Berkas terlalu besar ({:.1} MB). Paling besar {} MB; perkecil fotonya lalu kirim lagi.",
                *bytes as f64 / (1024.0 * 1024.0),
                MAX_UPLOAD_BYTES / (1024 * 1024)
            ),
            UploadError::NotAllowed => {
                "Jenis berkas tidak diterima. Kirim foto (JPEG atau PNG) atau PDF; isi berkas diperiksa, bukan hanya namanya."
                    .into()
            }
        }
    }
}

/// Decides what a file is from its first bytes, whatever its name or the browser claim.
pub fn sniff_upload(bytes: &[u8]) -> Result<UploadKind, UploadError> {
    if bytes.is_empty() {
        return Err(UploadError::Empty);
    }
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(UploadError::TooLarge { bytes: bytes.len() });
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(UploadKind::Jpeg);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(UploadKind::Png);
    }
    // A PDF starts with its header (some writers put a few bytes before it) and ends with %%EOF.
    let head = &bytes[..bytes.len().min(1024)];
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    if find(head, b"%PDF-").is_some() && find(tail, b"%%EOF").is_some() {
        return Ok(UploadKind::Pdf);
    }
    Err(UploadError::NotAllowed)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A file name safe to show and to put in a Content-Disposition header: the last path part,
/// printable characters only, at most 80 characters, with the extension of its real kind.
pub fn clean_file_name(name: &str, kind: UploadKind) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let stem = base.rsplit_once('.').map_or(base, |(stem, _)| stem);
    let mut clean: String = stem
        .chars()
        .map(|c| if c.is_alphanumeric() || matches!(c, '-' | '_' | ' ' | '(' | ')') { c } else { '_' })
        .take(80)
        .collect();
    clean = clean.trim().to_string();
    if clean.is_empty() {
        clean = "lampiran".into();
    }
    format!("{clean}.{}", kind.extension())
}

/// An Indonesian phone number in international form (`+62…`), from what people type:
/// `0812-3456-7890`, `+62 812 3456 7890`, `62812…`. Landlines are accepted too.
pub fn normalize_phone(input: &str) -> Result<String, &'static str> {
    let trimmed = input.trim();
    if trimmed.chars().any(|c| !(c.is_ascii_digit() || matches!(c, ' ' | '-' | '+' | '(' | ')' | '.'))) {
        return Err("Nomor HP hanya boleh berisi angka, spasi, tanda hubung atau +.");
    }
    let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    let national = if let Some(rest) = digits.strip_prefix("62") {
        rest.to_string()
    } else if let Some(rest) = digits.strip_prefix('0') {
        rest.to_string()
    } else {
        return Err("Nomor HP harus diawali 08 atau +62, misalnya 0812 3456 7890.");
    };
    if !(8..=13).contains(&national.len()) || national.starts_with('0') {
        return Err("Panjang nomor HP tidak sesuai. Contoh yang benar: 0812 3456 7890.");
    }
    Ok(format!("+62{national}"))
}

/// An e-mail address, trimmed and lower-cased; only the shape is checked (one @, a dot in the
/// domain, no spaces), since only a sent message proves an address works.
pub fn normalize_email(input: &str) -> Result<String, &'static str> {
    let email = input.trim().to_lowercase();
    let bad = "Alamat email tidak valid. Contoh: nama@contoh.id";
    if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',')) {
        return Err(bad);
    }
    match email.split_once('@') {
        Some((local, domain))
            if !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.') =>
        {
            Ok(email)
        }
        _ => Err(bad),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_known_by_their_content() {
        assert_eq!(sniff_upload(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]), Ok(UploadKind::Jpeg));
        assert_eq!(sniff_upload(b"\x89PNG\r\n\x1a\n....."), Ok(UploadKind::Png));
        assert_eq!(sniff_upload(b"%PDF-1.7\n1 0 obj\n%%EOF\n"), Ok(UploadKind::Pdf));
        // Named .pdf but HTML inside; a PDF header without an end; an executable.
        assert_eq!(sniff_upload(b"<html><script>alert(1)</script>"), Err(UploadError::NotAllowed));
        assert_eq!(sniff_upload(b"%PDF-1.7 but cut off"), Err(UploadError::NotAllowed));
        assert_eq!(sniff_upload(b"MZ\x90\x00"), Err(UploadError::NotAllowed));
        assert_eq!(sniff_upload(b""), Err(UploadError::Empty));
        let big = vec![0xFF; MAX_UPLOAD_BYTES + 1];
        assert_eq!(sniff_upload(&big), Err(UploadError::TooLarge { bytes: MAX_UPLOAD_BYTES + 1 }));
        assert!(UploadError::TooLarge { bytes: 50 * 1024 * 1024 }.message_id().contains("50.0 MB"));
    }

    #[test]
    fn file_names_are_cleaned_and_get_their_real_extension() {
        assert_eq!(clean_file_name("C:\\Users\\x\\KTP Asep.jpeg", UploadKind::Jpeg), "KTP Asep.jpg");
        assert_eq!(clean_file_name("../../etc/passwd", UploadKind::Pdf), "passwd.pdf");
        assert_eq!(clean_file_name("<script>.pdf", UploadKind::Pdf), "_script_.pdf");
        assert_eq!(clean_file_name("surat.exe", UploadKind::Png), "surat.png");
        assert_eq!(clean_file_name("", UploadKind::Png), "lampiran.png");
        assert_eq!(clean_file_name("Cisontról.pdf", UploadKind::Pdf), "Cisontról.pdf");
    }

    #[test]
    fn phones_become_international() {
        assert_eq!(normalize_phone("0812-3456-7890").as_deref(), Ok("+6281234567890"));
        assert_eq!(normalize_phone("+62 812 3456 7890").as_deref(), Ok("+6281234567890"));
        assert_eq!(normalize_phone("6281234567890").as_deref(), Ok("+6281234567890"));
        assert_eq!(normalize_phone("(0265) 771234").as_deref(), Ok("+62265771234"));
        assert!(normalize_phone("812345").is_err());
        assert!(normalize_phone("0812abc").is_err());
        assert!(normalize_phone("08").is_err());
        assert!(normalize_phone("0812345678901234").is_err());
    }

    #[test]
    fn emails_are_checked_for_shape() {
        assert_eq!(normalize_email(" Asep@Contoh.ID ").as_deref(), Ok("asep@contoh.id"));
        for bad in ["asep", "asep@", "@contoh.id", "a@b", "a b@c.id", "a@b@c.id", "a@.id", "<a@b.id>"] {
            assert!(normalize_email(bad).is_err(), "{bad}");
        }
    }
}
