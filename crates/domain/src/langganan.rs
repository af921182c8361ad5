//! Subscriptions to a village's announcements (langganan pengumuman): who may be sent a
//! broadcast, on which channel, and what the message says. A subscription starts `pending` and is
//! only sent broadcasts once the person at the address confirms it from the link they were sent
//! (nobody can sign up someone else's number for messages); every message carries the link that
//! stops it in one click.

use crate::contact::{normalize_email, normalize_phone};
use crate::lapor::{Problem, problem};

/// Where broadcasts go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    Email,
    Whatsapp,
    Sms,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Whatsapp, Channel::Sms, Channel::Email];

    /// The outbox's channel name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Whatsapp => "whatsapp",
            Channel::Sms => "sms",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Channel::Email => "Email",
            Channel::Whatsapp => "WhatsApp",
            Channel::Sms => "SMS",
        }
    }
}

impl std::str::FromStr for Channel {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s.trim()).ok_or_else(|| format!("unknown channel {s:?}"))
    }
}

/// Where a subscription stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Asked for; waits for the confirmation from the link sent to the address.
    Pending,
    /// Confirmed: receives broadcasts.
    Active,
    /// Stopped by the subscriber.
    Stopped,
}

impl Status {
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Active => "active",
            Status::Stopped => "stopped",
        }
    }
}

impl std::str::FromStr for Status {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Status::Pending, Status::Active, Status::Stopped]
            .into_iter()
            .find(|c| c.as_str() == s.trim())
            .ok_or_else(|| format!("unknown subscription status {s:?}"))
    }
}

/// A subscription as asked for: a channel and the address on it, normalised (`+62…` for phone
/// numbers, lower case for email).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedSubscription {
    pub channel: Channel,
    pub address: String,
}

/// Checks a subscription form: a known channel and an address that fits it.
pub fn check_subscription(channel: &str, address: &str) -> Result<CheckedSubscription, Problem> {
    let channel: Channel =
        channel.parse().map_err(|_| problem("channel", "Pilih cara menerima pengumuman: WhatsApp, SMS atau email."))?;
    if address.trim().is_empty() {
        return Err(problem(
            "address",
            match channel {
                Channel::Email => "Isi alamat email, misalnya nama@contoh.id.",
                Channel::Whatsapp | Channel::Sms => "Isi nomor HP, misalnya 0812 3456 7890.",
            },
        ));
    }
    let address = match channel {
        Channel::Email => normalize_email(address),
        Channel::Whatsapp | Channel::Sms => normalize_phone(address),
    }
    .map_err(|message| problem("address", message))?;
    Ok(CheckedSubscription { channel, address })
}

/// The longest SMS broadcast: two concatenated parts of 153 GSM characters (one part, 160, leaves
/// no room for a title beside two links).
pub const SMS_MAX_CHARS: usize = 306;

/// A message ready for the outbox, less the subscriber's own opt-out link, which the store
/// appends to `body` per subscriber (`body` ends with the link's base, up to the token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broadcast {
    pub subject: String,
    pub body: String,
}

/// What a post's broadcast says on `channel`. Email carries the excerpt; WhatsApp a shorter
/// one; SMS the title cut to fit one message with both links (`post_url`, and `stop_base`
/// followed by a token of `token_len` characters).
pub fn broadcast(
    channel: Channel,
    village_title: &str,
    title: &str,
    excerpt: &str,
    post_url: &str,
    stop_base: &str,
    token_len: usize,
) -> Broadcast {
    let subject = format!("{village_title}: {title}");
    let body = match channel {
        Channel::Email => format!(
            "{title}\n\n{excerpt}\n\nBaca selengkapnya: {post_url}\n\n— Pemerintah {village_title}\n\n\
             Anda menerima pesan ini karena berlangganan pengumuman {village_title}. \
             Berhenti berlangganan: {stop_base}"
        ),
        Channel::Whatsapp => {
            let short = cut(excerpt, 300);
            format!("*{village_title}*\n{title}\n\n{short}\n\nSelengkapnya: {post_url}\n\nBerhenti: {stop_base}")
        }
        Channel::Sms => {
            let fixed = format!("{village_title}:  {post_url} Berhenti: {stop_base}");
            let room = SMS_MAX_CHARS.saturating_sub(fixed.chars().count() + token_len);
            format!("{village_title}: {} {post_url} Berhenti: {stop_base}", cut(title, room.max(10)))
        }
    };
    Broadcast { subject, body }
}

/// The message that asks the person at the address to confirm (`confirm_url` is complete).
pub fn confirmation(channel: Channel, village_title: &str, confirm_url: &str) -> Broadcast {
    let subject = format!("Konfirmasi langganan pengumuman {village_title}");
    let body = match channel {
        Channel::Email => format!(
            "Ada permintaan agar alamat ini menerima pengumuman {village_title}.\n\n\
             Untuk mengaktifkan, buka tautan ini lalu tekan \"Aktifkan\": {confirm_url}\n\n\
             Bila Anda tidak memintanya, abaikan pesan ini: tidak ada pengumuman yang dikirim."
        ),
        Channel::Whatsapp | Channel::Sms => {
            format!("{village_title}: aktifkan langganan pengumuman di {confirm_url} . Bukan Anda yang minta? Abaikan.")
        }
    };
    Broadcast { subject, body }
}

/// The message to an address that asked again while already subscribed: it changes nothing and
/// offers the link that stops it (whoever asked learns nothing from the page they saw).
pub fn already_subscribed(channel: Channel, village_title: &str, link: &str) -> Broadcast {
    let subject = format!("Langganan pengumuman {village_title}");
    let body = match channel {
        Channel::Email => format!(
            "Alamat ini sudah menerima pengumuman {village_title}; tidak ada yang berubah.\n\n\
             Untuk berhenti berlangganan: {link}"
        ),
        Channel::Whatsapp | Channel::Sms => {
            format!("{village_title}: Anda sudah berlangganan pengumuman. Berhenti: {link}")
        }
    };
    Broadcast { subject, body }
}

/// At most `max` characters, cut at a word with an ellipsis.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let head: String = text.chars().take(max.saturating_sub(1)).collect();
    let head = match head.rfind(' ') {
        Some(space) if space > head.len() / 2 => &head[..space],
        _ => head.as_str(),
    };
    format!("{}…", head.trim_end_matches([' ', ',', '.']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked_and_normalised_per_channel() {
        let wa = check_subscription("whatsapp", "0812-3456-7890").expect("ok");
        assert_eq!(wa, CheckedSubscription { channel: Channel::Whatsapp, address: "+6281234567890".into() });
        assert_eq!(check_subscription("sms", "+62 812 3456 7890").expect("ok").address, "+6281234567890");
        assert_eq!(check_subscription("email", " Asep@Contoh.ID ").expect("ok").address, "asep@contoh.id");
        let bad = |c: &str, a: &str| check_subscription(c, a).expect_err("refused");
        assert_eq!(bad("telegram", "0812").field, "channel");
        assert!(bad("whatsapp", "  ").message.contains("nomor HP"));
        assert!(bad("email", "").message.contains("alamat email"));
        assert_eq!(bad("sms", "asep@contoh.id").field, "address");
        assert_eq!(bad("email", "0812 3456 7890").field, "address");
        assert!(bad("whatsapp", "<script>").message.contains("angka"));
    }

    #[test]
    fn an_sms_broadcast_fits_one_message_with_both_links() {
        let title = "Jadwal posyandu balita dan lansia bulan Desember di balai desa dan di setiap RW yang sudah \
                     ditentukan oleh kader posyandu bersama bidan desa, mohon warga membawa buku KIA dan KTP, terima kasih";
        let stop = "https://sukamulya.desa.id/langganan/";
        let post = "https://sukamulya.desa.id/desa/32.07.06.2001/berita/abc123def456";
        let m = broadcast(Channel::Sms, "Desa Sukamulya", title, "", post, stop, 22);
        let full = format!("{}{}", m.body, "x".repeat(22));
        assert!(full.chars().count() <= SMS_MAX_CHARS, "{} chars: {full}", full.chars().count());
        assert!(m.body.starts_with("Desa Sukamulya: Jadwal posyandu"), "{}", m.body);
        assert!(m.body.contains('…') && m.body.contains(post));
        assert!(m.body.ends_with(stop), "the store appends the token to the stop link");
    }

    #[test]
    fn every_broadcast_ends_with_its_stop_link() {
        for channel in Channel::ALL {
            let m = broadcast(
                channel,
                "Desa Sukamulya",
                "Kerja bakti",
                "Minggu pagi.",
                "https://x/b/1",
                "https://x/l/",
                22,
            );
            assert!(m.body.ends_with("https://x/l/"), "{channel:?}: {}", m.body);
            assert!(m.body.contains("https://x/b/1"));
            assert_eq!(m.subject, "Desa Sukamulya: Kerja bakti");
        }
        let long = "kata ".repeat(200);
        let wa = broadcast(Channel::Whatsapp, "Desa A", "T", &long, "u", "s", 22);
        assert!(wa.body.chars().count() < 400, "WhatsApp gets a shortened excerpt");
        let email = broadcast(Channel::Email, "Desa A", "T", &long, "u", "s", 22);
        assert!(email.body.contains(long.trim_end()), "email the whole excerpt");
    }

    #[test]
    fn the_confirmation_names_the_village_and_carries_the_link() {
        for channel in Channel::ALL {
            let m = confirmation(channel, "Desa Sukamulya", "https://x/langganan/TOKEN");
            assert!(m.body.contains("https://x/langganan/TOKEN") && m.body.contains("Desa Sukamulya"));
            assert!(
                m.body.to_lowercase().contains("abaikan"),
                "tells the person to ignore it if they did not ask: {}",
                m.body
            );
        }
        assert!(
            confirmation(Channel::Sms, "Desa Sukamulya", "https://x/langganan/abcdefghij0123456789ab")
                .body
                .chars()
                .count()
                <= SMS_MAX_CHARS
        );
    }

    #[test]
    fn text_is_cut_at_a_word() {
        assert_eq!(cut("pendek", 10), "pendek");
        assert_eq!(cut("satu dua tiga empat lima", 15), "satu dua tiga…");
        assert_eq!(cut("abcdefghijklmnop", 6), "abcde…");
    }
}
