//! Announcement broadcasts over HTTP (issue 11, part 6): a resident subscribes with a WhatsApp
//! number, confirms from the link in the message (nothing is sent before), the operator's next
//! announcement reaches them through the outbox with their own opt-out link, one button stops
//! it, and the next announcement goes to nobody. Bad input stores and sends nothing; following a
//! link changes nothing by itself. Also the maklumat pelayanan, edited by the village's staff and
//! shown with its service catalogue. Runs on SQLite, and on PostgreSQL when `TEST_DATABASE_URL`
//! names one.

mod support;

use support::{csrf_of, spawn_app};

const SUKAMULYA: &str = "32.07.06.2001";
const NUMBER: &str = "+6281234567890";

async fn all_messages(t: &support::TestApp) -> Vec<balai_store::outbox::OutboxMessage> {
    t.app.store().recent_messages(10_000).await.expect("messages")
}

/// The token at the end of the subscription link in a message body.
fn token_in(body: &str) -> String {
    let at = body.find("/langganan/").expect("a subscription link") + "/langganan/".len();
    body[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}

async fn publish(operator: &support::Browser, title: &str, broadcast: bool) -> support::Page {
    let mut fields =
        vec![("kind", "pengumuman"), ("title", title), ("body", "Posyandu di balai desa, **pukul 08.00**.")];
    if broadcast {
        fields.push(("broadcast", "1"));
    }
    let page =
        operator.post_files(&format!("/staf/desa/{SUKAMULYA}/berita"), &fields, &[], Some(csrf_of(operator))).await;
    assert_eq!(page.status, 303, "{}", page.body);
    page
}

#[tokio::test]
async fn a_resident_subscribes_confirms_receives_an_announcement_and_stops_it() {
    let t = spawn_app().await;
    let visitor = t.browser();
    let form_path = format!("/desa/{SUKAMULYA}/langganan");
    let village = visitor.get(&format!("/desa/{SUKAMULYA}")).await;
    assert!(village.body.contains(&form_path), "the village page offers the subscription");
    let form = visitor.get(&form_path).await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains("Terima pengumuman Desa Sukamulya"));
    let before = all_messages(&t).await.len();

    // Bad input: a clear error, what was typed kept, nothing stored or sent.
    for (channel, address, expected) in [
        ("whatsapp", "12345", "Nomor HP harus diawali 08"),
        ("sms", "asep@contoh.id", "Nomor HP hanya boleh berisi angka"),
        ("email", "bukan email", "Alamat email tidak valid"),
        ("merpati", "0812 3456 7890", "Pilih cara menerima pengumuman"),
        ("whatsapp", "", "Isi nomor HP"),
    ] {
        let refused = visitor.post(&form_path, &[("channel", channel), ("address", address)]).await;
        assert_eq!(refused.status, 422, "{channel} {address}: {}", refused.body);
        assert!(refused.body.contains(expected), "{channel} {address}: {}", refused.body);
        assert!(refused.body.contains(&format!("value=\"{address}\"")), "what was typed is kept");
    }
    assert_eq!(all_messages(&t).await.len(), before, "nothing sent for bad input");
    assert!(t.app.store().subscription_for(SUKAMULYA, "whatsapp", NUMBER).await.expect("read").is_none());

    // Asked: one confirmation to the number, with the link; asked again at once, none more.
    let asked = visitor.post(&form_path, &[("channel", "whatsapp"), ("address", "0812-3456-7890")]).await;
    assert_eq!(asked.status, 303, "{}", asked.body);
    assert_eq!(asked.location(), format!("/desa/{SUKAMULYA}/langganan/terkirim"));
    assert!(visitor.get(asked.location()).await.body.contains("Periksa pesan Anda"));
    let messages = all_messages(&t).await;
    assert_eq!(messages.len(), before + 1);
    let confirmation = &messages[0];
    assert_eq!((confirmation.channel.as_str(), confirmation.recipient.as_str()), ("whatsapp", NUMBER));
    assert!(confirmation.body.contains("Desa Sukamulya"), "{}", confirmation.body);
    let token = token_in(&confirmation.body);
    assert_eq!(token.len(), 22, "{}", confirmation.body);
    let again = visitor.post(&form_path, &[("channel", "whatsapp"), ("address", "081234567890")]).await;
    assert_eq!(again.status, 303);
    assert_eq!(all_messages(&t).await.len(), before + 1, "no second message within ten minutes");

    // Opening the link (as WhatsApp's preview does) changes nothing; the number is shown partly.
    let link = format!("/langganan/{token}");
    let page = t.browser().get(&link).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Menunggu aktivasi") && page.body.contains("Aktifkan"), "{}", page.body);
    assert!(page.body.contains("+62812****890") && !page.body.contains(NUMBER), "{}", page.body);
    assert_eq!(t.browser().get("/langganan/AAAAAAAAAAAAAAAAAAAAAA").await.status, 404, "unknown token");
    assert_eq!(t.browser().get("/langganan/pendek").await.status, 404);

    // Not yet confirmed: an announcement goes to nobody.
    let operator = t.logged_in("operator.sukamulya").await;
    let staff_page = operator.get(&format!("/staf/desa/{SUKAMULYA}/berita")).await;
    assert!(staff_page.body.contains("Kirim juga ke 0 pelanggan"), "{}", staff_page.body);
    publish(&operator, "Posyandu bulan Desember", true).await;
    assert_eq!(all_messages(&t).await.len(), before + 1);

    // Confirmed (by whoever holds the link: here a fresh browser, as from the phone).
    let phone = t.browser();
    phone.get(&link).await;
    let confirmed = phone.post(&link, &[("aksi", "aktifkan")]).await;
    assert_eq!(confirmed.status, 303, "{}", confirmed.body);
    let shown = phone.get(&link).await;
    assert!(shown.body.contains("Aktif") && shown.body.contains("Berhenti berlangganan"), "{}", shown.body);
    assert_eq!(phone.post(&link, &[("aksi", "aktifkan")]).await.status, 303, "pressing twice is harmless");

    // The next announcement reaches the number, with the post's link and the opt-out link.
    let staff_page = operator.get(&format!("/staf/desa/{SUKAMULYA}/berita")).await;
    assert!(staff_page.body.contains("Kirim juga ke 1 pelanggan"), "{}", staff_page.body);
    let published = publish(&operator, "Kerja bakti Minggu pagi", true).await;
    let post_path = published.location().to_string();
    let messages = all_messages(&t).await;
    assert_eq!(messages.len(), before + 2);
    let broadcast = &messages[0];
    assert_eq!(broadcast.recipient, NUMBER);
    assert_eq!(broadcast.subject, "Desa Sukamulya: Kerja bakti Minggu pagi");
    assert!(broadcast.body.contains(&format!("http://127.0.0.1:8080{post_path}")), "{}", broadcast.body);
    assert!(broadcast.body.ends_with(&format!("http://127.0.0.1:8080/langganan/{token}")), "{}", broadcast.body);
    let post_id = post_path.rsplit('/').next().expect("id");
    assert_eq!(broadcast.topic, format!("berita:{post_id}"));
    let staff_page = operator.get(&format!("/staf/desa/{SUKAMULYA}/berita")).await;
    assert!(staff_page.body.contains("1 pelanggan</td>"), "{}", staff_page.body);
    // Not ticked: published, not sent.
    publish(&operator, "Berita tanpa kiriman", false).await;
    assert_eq!(all_messages(&t).await.len(), before + 2);

    // Asking again while subscribed: a note to the number only (the page says the same as ever).
    t.clock.advance(chrono::Duration::minutes(11));
    let asked_again = t.browser().post(&form_path, &[("channel", "whatsapp"), ("address", "0812 3456 7890")]).await;
    assert_eq!(asked_again.location(), format!("/desa/{SUKAMULYA}/langganan/terkirim"));
    let messages = all_messages(&t).await;
    assert!(
        messages[0].body.contains("sudah berlangganan") && messages[0].body.contains(&token),
        "{}",
        messages[0].body
    );
    let subscription = t.app.store().subscription_for(SUKAMULYA, "whatsapp", NUMBER).await.expect("read").expect("one");
    assert_eq!(subscription.status, "active", "asking again does not undo the confirmation");

    // One button stops it; the next announcement goes to nobody.
    let stopped = phone.post(&link, &[("aksi", "berhenti")]).await;
    assert_eq!(stopped.status, 303);
    assert!(phone.get(&link).await.body.contains("Langganan lagi"));
    let count = all_messages(&t).await.len();
    publish(&operator, "Pembagian bantuan", true).await;
    assert_eq!(all_messages(&t).await.len(), count, "a stopped subscription gets nothing");

    // Every change is on the record, without the whole number.
    let records = t.app.store().audit_records(0, 10_000).await.expect("audit");
    let actions: Vec<&str> = records.iter().map(|r| r.action.as_str()).collect();
    for action in ["subscription.ask", "subscription.confirm", "subscription.stop"] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
    assert!(records.iter().all(|r| !r.details.contains("81234567890")), "no whole number in the audit");
    let sent_record = records.iter().rev().find(|r| r.action == "news.publish" && r.object.ends_with(post_id));
    let details: serde_json::Value =
        serde_json::from_str(&sent_record.expect("the publish record").details).expect("json");
    assert_eq!(details["broadcast_to"], 1);

    // A form posted from elsewhere (no CSRF token) changes nothing.
    let forged =
        t.browser().send(t.browser().client.post(format!("{}{link}", t.base)).form(&[("aksi", "aktifkan")])).await;
    assert_eq!(forged.status, 403, "{}", forged.body);
    let subscription = t.app.store().subscription_for(SUKAMULYA, "whatsapp", NUMBER).await.expect("read").expect("one");
    assert_eq!(subscription.status, "stopped");
}

#[tokio::test]
async fn the_village_publishes_its_maklumat_pelayanan_with_its_services() {
    let t = spawn_app().await;
    let services = t.browser().get(&format!("/desa/{SUKAMULYA}/layanan")).await;
    assert!(services.body.contains("Maklumat pelayanan"), "the demo publishes the model wording");
    assert!(services.body.contains("sanggup menyelenggarakan pelayanan sesuai standar pelayanan"));

    let operator = t.logged_in("operator.sukamulya").await;
    let path = format!("/staf/desa/{SUKAMULYA}");
    let form = operator.get(&path).await;
    assert!(form.body.contains(r#"name="maklumat""#), "{}", form.body);
    let profile = |maklumat: &str| {
        vec![
            ("address", "Jl. Raya Sukamulya"),
            ("phone", "0265 000000"),
            ("email", "desa.sukamulya@example.org"),
            ("head_name", "Asep Saepudin"),
            ("maklumat", maklumat),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.to_string()))
        .collect::<Vec<_>>()
    };
    let long = "janji ".repeat(400);
    let fields = profile(&long);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = operator.post(&path, &fields).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("Maklumat pelayanan paling panjang 2000 karakter"), "{}", refused.body);
    let unchanged = t.browser().get(&format!("/desa/{SUKAMULYA}/layanan")).await;
    assert!(!unchanged.body.contains("janji janji"), "nothing half-written");

    let pledge = "Kami sanggup melayani surat keterangan dalam 1 hari kerja.\nBila ingkar, kami siap menerima sanksi.";
    let fields = profile(pledge);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(operator.post(&path, &fields).await.status, 303);
    let shown = t.browser().get(&format!("/desa/{SUKAMULYA}/layanan")).await;
    assert!(shown.body.contains("<p>Kami sanggup melayani surat keterangan dalam 1 hari kerja.</p>"), "{}", shown.body);
    assert!(shown.body.contains("<p>Bila ingkar, kami siap menerima sanksi.</p>"));
    assert!(shown.body.contains("Asep Saepudin"));
    let records = t.app.store().audit_records(0, 10_000).await.expect("audit");
    let last = records.iter().rev().find(|r| r.action == "village.profile.update").expect("audited");
    let details: serde_json::Value = serde_json::from_str(&last.details).expect("json");
    assert!(details["maklumat"].as_str().expect("text").starts_with("Kami sanggup"));

    // Emptied: no maklumat shown.
    let fields = profile("");
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(operator.post(&path, &fields).await.status, 303);
    assert!(!t.browser().get(&format!("/desa/{SUKAMULYA}/layanan")).await.body.contains("Maklumat pelayanan"));
}
