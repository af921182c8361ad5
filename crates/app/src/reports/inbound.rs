//! Text messages from an SMS/WhatsApp gateway: `CEK <kode>` answers with the report's state, any
//! other text becomes a report (channel `sms`) with the sender's number for the replies. The
//! answer is the text the gateway sends back at once; it never carries personal data.

use balai_domain::calendar::format_tanggal;
use balai_domain::contact::normalize_phone;
use balai_domain::lapor::inbound::{HELP_TEXT, Inbound, parse_inbound};
use balai_domain::lapor::tracking::TrackingCode;
use sha2::{Digest, Sha256};

use super::{Channel, NewReportInput, Viewer};
use crate::{Actor, App, AppError, AppResult};

/// Longest title made from a message's first words.
const TITLE_CHARS: usize = 60;

impl App {
    /// Answers one incoming message from `from` (a phone number) on `channel` (`sms` or
    /// `whatsapp`), passed on by `gateway`: an account that coordinates reports for the whole
    /// installation (a token made for the gateway under the regency's coordinator), since it may
    /// file reports under any phone number. A sender that is not a phone number is `Invalid`;
    /// everything the sender got wrong is answered in the reply instead.
    pub async fn inbound_message(&self, gateway: &Actor, from: &str, channel: &str, text: &str) -> AppResult<String> {
        let home = self.config.home_region.as_ref().ok_or(AppError::Forbidden)?;
        if !gateway.may(balai_domain::roles::Permission::CoordinateReports, &balai_domain::roles::Target::Wilayah(home))
        {
            return Err(AppError::Forbidden);
        }
        let phone = normalize_phone(from).map_err(|m| AppError::invalid("from", m))?;
        let channel = match channel.trim().to_ascii_lowercase().as_str() {
            "" | "sms" => "sms",
            "whatsapp" | "wa" => "whatsapp",
            _ => return Err(AppError::invalid("channel", "Saluran pesan harus sms atau whatsapp.")),
        };
        match parse_inbound(text) {
            Inbound::Help => Ok(HELP_TEXT.to_string()),
            Inbound::Check(Err(e)) => Ok(e.message_id()),
            Inbound::Check(Ok(code)) => self.inbound_check(&code).await,
            Inbound::Report { region, text } => {
                let actor = Actor::Anonymous { ip: format!("{channel}:{}", mask_phone(&phone)) };
                let region = match region.or_else(|| self.config.home_region.clone()) {
                    Some(region) => region.as_str().to_string(),
                    None => {
                        return Ok(format!("Laporan belum diterima: sebutkan kode desa Anda. {HELP_TEXT}"));
                    }
                };
                let categories = self.report_categories().await?;
                let active = || categories.iter().filter(|c| c.active);
                let Some(category) = active().find(|c| c.slug == "lainnya").or_else(|| active().next()) else {
                    tracing::warn!("an inbound report arrived but no report category is active");
                    return Ok("Maaf, laporan lewat pesan belum dapat diterima. Silakan lapor ke kantor desa.".into());
                };
                let input = NewReportInput {
                    kind: "pengaduan".into(),
                    category: category.slug.clone(),
                    region,
                    title: title_of(&text),
                    description: text.clone(),
                    phone: phone.clone(),
                    anonymous: false,
                    // A gateway that retries a message it thinks was lost makes the same report.
                    idempotency_key: idempotency_key(&phone, &text, self.today()),
                    ..NewReportInput::default()
                };
                match self.submit_report(&actor, input, Vec::new(), Channel::Sms).await {
                    Ok(submitted) => Ok(format!(
                        "Laporan diterima. Kode pelacakan {code}. Diverifikasi paling lambat {due}. Cek: CEK {code}",
                        code = submitted.code.display(),
                        due = format_tanggal(submitted.verify_deadline.due),
                    )),
                    Err(AppError::Invalid(errors)) => {
                        let first = errors.first().map_or("isi laporan tidak dapat dibaca.", |e| e.message.as_str());
                        let hint = if errors.iter().any(|e| e.field == "region") {
                            " Format: LAPOR <kode desa> <isi laporan>."
                        } else {
                            ""
                        };
                        Ok(format!("Laporan belum diterima: {first}{hint}"))
                    }
                    Err(e) => Err(e),
                }
            }
        }
    }

    async fn inbound_check(&self, code: &TrackingCode) -> AppResult<String> {
        let Some(report) = self.store.report(code.as_str()).await? else {
            return Ok(format!(
                "Laporan dengan kode {} tidak ditemukan. Periksa kembali kode pelacakan Anda.",
                code.display()
            ));
        };
        let view = self.report_view(report, Viewer::Reporter).await?;
        let mut reply = format!("Laporan {}: {}.", code.display(), view.state.label());
        if !view.state.is_closed() {
            reply.push_str(&format!(" Ditangani: {}.", view.holder));
            if let Some((deadline, _)) = &view.deadline {
                reply.push_str(&format!(" Batas waktu: {}.", format_tanggal(deadline.due)));
            }
        }
        Ok(reply)
    }
}

/// `+6281234567890` → `+62812*****890`: enough to tell senders apart in the audit trail.
fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() <= 9 {
        return "*".repeat(chars.len());
    }
    let (head, tail) = (6, 3);
    let hidden = chars.len() - head - tail;
    format!(
        "{}{}{}",
        chars[..head].iter().collect::<String>(),
        "*".repeat(hidden),
        chars[chars.len() - tail..].iter().collect::<String>()
    )
}

/// The message's first words, at most [`TITLE_CHARS`] characters, cut at a word.
fn title_of(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= TITLE_CHARS {
        return flat;
    }
    let cut: String = flat.chars().take(TITLE_CHARS).collect();
    let cut = match cut.rfind(' ') {
        Some(space) if space > 0 => &cut[..space],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end_matches([',', '.', ';', ':']))
}

/// The same text from the same number on the same day is one report.
fn idempotency_key(phone: &str, text: &str, day: chrono::NaiveDate) -> String {
    let digest = Sha256::digest(format!("balai-pesan:{phone}:{day}:{text}").as_bytes());
    format!("pesan-{}", hex::encode(&digest[..16]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_cut_at_a_word() {
        assert_eq!(title_of("lampu  jalan\nmati"), "lampu jalan mati");
        let long = "Jalan desa di Dusun Sukamaju rusak parah sejak bulan lalu, banyak lubang besar dan licin";
        let title = title_of(long);
        assert!(title.chars().count() <= TITLE_CHARS + 1, "{title}");
        assert_eq!(title, "Jalan desa di Dusun Sukamaju rusak parah sejak bulan lalu…");
        assert_eq!(title_of(&"x".repeat(80)).chars().count(), TITLE_CHARS + 1);
    }

    #[test]
    fn phones_are_masked() {
        assert_eq!(mask_phone("+6281234567890"), "+62812*****890");
        assert_eq!(mask_phone("+62812"), "******");
    }

    #[test]
    fn keys_fit_the_form_rule() {
        let key = idempotency_key("+6281234567890", "lampu mati", chrono::NaiveDate::MIN);
        assert!(key.len() <= 64 && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    }
}
