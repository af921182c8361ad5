//! A letter type's fields and attachments as lines of text, so that village staff can edit them
//! in a plain form (no JavaScript): one item per line, parts separated by `|`.
//!
//! Fields: `name | Label | kind | wajib or boleh kosong | hint (optional)`, where kind is `teks`,
//! `teks panjang`, `tanggal`, `angka`, `rupiah` or `pilihan: A / B / C`.
//! Attachments: `name | Label | wajib or boleh kosong`.

use super::catalogue::{AttachmentSpec, FieldKind, FieldSpec};

fn kind_text(kind: &FieldKind) -> String {
    match kind {
        FieldKind::Text => "teks".into(),
        FieldKind::LongText => "teks panjang".into(),
        FieldKind::Date => "tanggal".into(),
        FieldKind::Number => "angka".into(),
        FieldKind::Rupiah => "rupiah".into(),
        FieldKind::Choice(options) => format!("pilihan: {}", options.join(" / ")),
    }
}

fn required_text(required: bool) -> &'static str {
    if required { "wajib" } else { "boleh kosong" }
}

pub fn fields_to_lines(fields: &[FieldSpec]) -> String {
    fields
        .iter()
        .map(|f| {
            let mut line = format!("{} | {} | {} | {}", f.name, f.label, kind_text(&f.kind), required_text(f.required));
            if !f.hint.is_empty() {
                line.push_str(&format!(" | {}", f.hint));
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn attachments_to_lines(attachments: &[AttachmentSpec]) -> String {
    attachments
        .iter()
        .map(|a| format!("{} | {} | {}", a.name, a.label, required_text(a.required)))
        .collect::<Vec<_>>()
        .join("\n")
}

fn parse_required(text: &str, line: usize) -> Result<bool, String> {
    match text.trim().to_lowercase().as_str() {
        "wajib" => Ok(true),
        "boleh kosong" | "opsional" | "tidak wajib" => Ok(false),
        other => Err(format!("Baris {line}: tulis \"wajib\" atau \"boleh kosong\", bukan \"{other}\".")),
    }
}

fn parse_kind(text: &str, line: usize) -> Result<FieldKind, String> {
    let lower = text.trim().to_lowercase();
    Ok(match lower.as_str() {
        "teks" => FieldKind::Text,
        "teks panjang" => FieldKind::LongText,
        "tanggal" => FieldKind::Date,
        "angka" => FieldKind::Number,
        "rupiah" => FieldKind::Rupiah,
        _ if lower.starts_with("pilihan:") => {
            let options = text.trim()["pilihan:".len()..].split('/').map(|o| o.trim().to_string()).collect();
            FieldKind::Choice(options)
        }
        _ => {
            return Err(format!(
                "Baris {line}: jenis isian \"{}\" tidak dikenal; pakai teks, teks panjang, tanggal, angka, rupiah \
                 atau pilihan: A / B.",
                text.trim()
            ));
        }
    })
}

/// Parses field lines; every bad line is reported (the letter type's own checks come after).
pub fn parse_field_lines(text: &str) -> Result<Vec<FieldSpec>, Vec<String>> {
    let mut fields = Vec::new();
    let mut errors = Vec::new();
    for (i, raw) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let line = i + 1;
        let parts: Vec<&str> = raw.split('|').map(str::trim).collect();
        if !(4..=5).contains(&parts.len()) {
            errors.push(format!("Baris {line}: tulis nama | label | jenis | wajib atau boleh kosong | petunjuk."));
            continue;
        }
        match (parse_kind(parts[2], line), parse_required(parts[3], line)) {
            (Ok(kind), Ok(required)) => fields.push(FieldSpec {
                name: parts[0].to_string(),
                label: parts[1].to_string(),
                hint: parts.get(4).map(|h| h.to_string()).unwrap_or_default(),
                kind,
                required,
            }),
            (kind, required) => errors.extend(kind.err().into_iter().chain(required.err())),
        }
    }
    if errors.is_empty() { Ok(fields) } else { Err(errors) }
}

/// Parses attachment lines; every bad line is reported.
pub fn parse_attachment_lines(text: &str) -> Result<Vec<AttachmentSpec>, Vec<String>> {
    let mut attachments = Vec::new();
    let mut errors = Vec::new();
    for (i, raw) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let line = i + 1;
        let parts: Vec<&str> = raw.split('|').map(str::trim).collect();
        if parts.len() != 3 {
            errors.push(format!("Baris {line}: tulis nama | label | wajib atau boleh kosong."));
            continue;
        }
        match parse_required(parts[2], line) {
            Ok(required) => {
                attachments.push(AttachmentSpec { name: parts[0].into(), label: parts[1].into(), required })
            }
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() { Ok(attachments) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::surat::catalogue::default_letter_types;

    #[test]
    fn every_default_type_round_trips_through_its_lines() {
        for t in default_letter_types() {
            assert_eq!(parse_field_lines(&fields_to_lines(&t.fields)), Ok(t.fields.clone()), "{}", t.slug);
            assert_eq!(parse_attachment_lines(&attachments_to_lines(&t.attachments)), Ok(t.attachments.clone()));
        }
    }

    #[test]
    fn bad_lines_are_all_reported_with_their_numbers() {
        let text = "nama | Nama | teks | wajib\n\nx | X | warna | wajib\ny | Y | teks | mungkin\nz | Z";
        let errors = parse_field_lines(text).expect_err("bad");
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(
            errors[0].starts_with("Baris 3:") && errors[1].starts_with("Baris 4:") && errors[2].starts_with("Baris 5:")
        );
        let fields = parse_field_lines("status | Status | pilihan: Kawin / Belum kawin | boleh kosong").expect("ok");
        assert_eq!(fields[0].kind, FieldKind::Choice(vec!["Kawin".into(), "Belum kawin".into()]));
        assert!(!fields[0].required);
        assert!(parse_attachment_lines("ktp | Foto KTP").is_err());
    }
}
