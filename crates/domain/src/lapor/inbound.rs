//! Text messages from an SMS/WhatsApp gateway: `CEK <kode>` asks for a report's state; anything
//! else is a report. A report may start with `LAPOR` and name its village by Kemendagri code
//! (`LAPOR 32.07.06.2001 Jalan rusak …`); without a code it goes to the coordinator as it is.

use crate::lapor::tracking::{TrackingCode, TrackingCodeError};
use crate::wilayah::KodeWilayah;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inbound {
    /// `CEK <kode>`: the sender wants the state of a report.
    Check(Result<TrackingCode, TrackingCodeError>),
    /// A new report; `region` when the message named a valid region code first.
    Report { region: Option<KodeWilayah>, text: String },
    /// An empty message (or only the keyword): the sender gets the instructions.
    Help,
}

pub fn parse_inbound(message: &str) -> Inbound {
    let text = message.trim();
    let mut words = text.split_whitespace();
    let first = words.next().unwrap_or("").to_uppercase();
    if first == "CEK" || first == "STATUS" {
        let rest: String = words.collect::<Vec<_>>().join("");
        return Inbound::Check(TrackingCode::parse(&rest));
    }
    let body =
        if first == "LAPOR" { text[text.find(char::is_whitespace).unwrap_or(text.len())..].trim() } else { text };
    if body.is_empty() {
        return Inbound::Help;
    }
    let mut parts = body.splitn(2, char::is_whitespace);
    let head = parts.next().unwrap_or("");
    if let Ok(code) = KodeWilayah::parse(head) {
        let rest = parts.next().unwrap_or("").trim();
        if rest.is_empty() {
            return Inbound::Help;
        }
        return Inbound::Report { region: Some(code), text: rest.to_string() };
    }
    Inbound::Report { region: None, text: body.to_string() }
}

/// The reply to a message that the service could not use.
pub const HELP_TEXT: &str = "Balai: kirim laporan dengan format LAPOR <kode desa> <isi laporan>, misalnya \
     LAPOR 32.07.06.2001 Jalan rusak di Dusun Sukamaju. Cek status: CEK <kode pelacakan>.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_reads_a_code_typed_any_way() {
        let code = TrackingCode::from_random(42);
        assert_eq!(parse_inbound(&format!("cek {}", code.display())), Inbound::Check(Ok(code.clone())));
        let spaced = format!("CEK {} {}", &code.as_str()[..5], &code.as_str()[5..]);
        assert_eq!(parse_inbound(&spaced), Inbound::Check(Ok(code)));
        assert!(matches!(parse_inbound("CEK 123"), Inbound::Check(Err(TrackingCodeError::Length(3)))));
    }

    #[test]
    fn a_report_may_name_its_village() {
        assert_eq!(
            parse_inbound("LAPOR 32.07.06.2001 Jalan rusak di dusun"),
            Inbound::Report {
                region: Some(KodeWilayah::parse("32.07.06.2001").expect("valid in test")),
                text: "Jalan rusak di dusun".into()
            }
        );
        assert_eq!(
            parse_inbound("  lampu jalan mati  "),
            Inbound::Report { region: None, text: "lampu jalan mati".into() }
        );
        assert_eq!(parse_inbound("LAPOR lampu mati"), Inbound::Report { region: None, text: "lampu mati".into() });
    }

    #[test]
    fn empty_or_keyword_only_gets_help() {
        assert_eq!(parse_inbound(""), Inbound::Help);
        assert_eq!(parse_inbound("LAPOR"), Inbound::Help);
        assert_eq!(parse_inbound("LAPOR 32.07.06.2001"), Inbound::Help);
    }
}
