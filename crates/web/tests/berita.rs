//! News and announcements on a village portal over HTTP (issue 11, part 1): the operator
//! publishes a post with a photo that carries EXIF; the photo is served re-encoded without it,
//! the Markdown body is shown with its HTML escaped, the post and the village page carry link
//! previews; refusals (not an image, 50 MB, no title, another village, a visitor) store nothing;
//! withdrawing takes the post and its photo off the portal. Runs on SQLite, and on PostgreSQL
//! when `TEST_DATABASE_URL` names one.

mod support;

use support::{PDF, csrf_of, spawn_app};

const SUKAMULYA: &str = "32.07.06.2001";
const CIKONENG: &str = "32.07.02.2001";

/// A real 1600×1200 JPEG whose APP1 segment is EXIF with a camera model and a GPS-like note.
fn photo_with_exif() -> Vec<u8> {
    let picture = image::RgbImage::from_fn(1600, 1200, |x, y| image::Rgb([(x / 7) as u8, (y / 5) as u8, 120]));
    let mut plain = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut plain, 85).encode_image(&picture).expect("encode");
    // TIFF header and an empty IFD, then the bytes a camera would leave: model and position.
    let mut exif = b"Exif\0\0II*\0\x08\0\0\0\0\0\0\0\0\0".to_vec();
    exif.extend_from_slice(b"KameraRahasia GPS -7.2870,108.3560");
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&exif);
    out.extend_from_slice(&plain[2..]);
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn the_operator_publishes_news_with_a_photo_stripped_of_exif() {
    let t = spawn_app().await;
    let operator = t.logged_in("operator.sukamulya").await;
    let path = format!("/staf/desa/{SUKAMULYA}/berita");
    let page = operator.get(&path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Surat keterangan kini dapat diajukan dari rumah"), "the demo's announcement");
    let demo_posts = t.app.store().news_posts(SUKAMULYA, 10).await.expect("posts").len();
    // Seen by a visitor before the post (the public village page is kept a few seconds; a
    // post made here must show at once all the same).
    let before = t.browser().get(&format!("/desa/{SUKAMULYA}")).await;
    assert!(!before.body.contains("Kerja bakti membersihkan saluran"));
    let staff_village = operator.get(&format!("/staf/desa/{SUKAMULYA}")).await;
    assert!(staff_village.body.contains(&path), "the staff village page links the news page");

    let photo = photo_with_exif();
    assert!(contains(&photo, b"KameraRahasia"));
    let body =
        "Kerja bakti **Minggu pagi** di balai desa.\n\n<script>alert('x')</script>\n\n[jahat](javascript:alert(1))";
    let fields = [
        ("kind", "pengumuman"),
        ("title", "Kerja bakti membersihkan saluran"),
        ("body", body),
        ("photo_caption", "Warga RW 02 membersihkan saluran"),
    ];

    // Refused, and nothing stored: a text file posing as a photo, then a missing title.
    let csrf = Some(csrf_of(&operator));
    let fake = operator.post_files(&path, &fields, &[("foto", "foto.jpg", b"bukan foto".to_vec())], csrf.clone()).await;
    assert_eq!(fake.status, 422, "{}", fake.body);
    assert!(fake.body.contains("Jenis berkas tidak diterima"), "{}", fake.body);
    assert!(fake.body.contains("Kerja bakti membersihkan saluran"), "what was typed is kept");
    let pdf = operator.post_files(&path, &fields, &[("foto", "foto.pdf", PDF.to_vec())], csrf.clone()).await;
    assert_eq!(pdf.status, 422);
    assert!(pdf.body.contains("bukan PDF"), "{}", pdf.body);
    let mut untitled = fields;
    untitled[1] = ("title", "  ");
    let refused = operator.post_files(&path, &untitled, &[("foto", "foto.jpg", photo.clone())], csrf.clone()).await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("Isi judul"), "{}", refused.body);
    // 50 MB: the upload is cut off at the route's limit with an Indonesian page.
    let huge =
        operator.post_files(&path, &fields, &[("foto", "besar.jpg", vec![0xFF; 50 * 1024 * 1024])], csrf.clone()).await;
    assert_eq!(huge.status, 413, "{}", huge.body);
    assert!(huge.body.contains("Berkas terlalu besar"), "{}", huge.body);
    assert_eq!(t.app.store().news_posts(SUKAMULYA, 10).await.expect("posts").len(), demo_posts, "nothing half-written");

    // Published.
    let sent = operator.post_files(&path, &fields, &[("foto", "IMG_2026.jpg", photo)], csrf.clone()).await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let post_path = sent.location().to_string();
    assert!(post_path.starts_with(&format!("/desa/{SUKAMULYA}/berita/")), "{post_path}");
    let stored = t.app.store().news_posts(SUKAMULYA, 10).await.expect("posts");
    assert_eq!(stored.len(), demo_posts + 1);
    let new = stored.iter().find(|p| p.title == "Kerja bakti membersihkan saluran").expect("the new post");
    let records = t.app.store().audit_records(0, 1000).await.expect("audit");
    let last = records.last().expect("a record");
    assert_eq!(last.action, "news.publish");
    assert!(last.actor.ends_with(":operator.sukamulya"), "{}", last.actor);
    assert!(last.object.ends_with(&format!("berita:{}", new.id)));

    // Anyone reads it: the body's HTML is text, the script link is gone, the preview tags are there.
    let visitor = t.browser();
    let post = visitor.get(&post_path).await;
    assert_eq!(post.status, 200, "{}", post.body);
    assert!(post.body.contains("<strong>Minggu pagi</strong>"));
    assert!(post.body.contains("&lt;script&gt;"), "{}", post.body);
    // The one script is the portal's own installer (from the base template), not the post's.
    assert_eq!(post.body.matches("<script").count(), 1, "{}", post.body);
    assert!(post.body.contains("<script src=\"/static/app.") && !post.body.contains("javascript:"));
    assert!(
        post.body.contains(r#"<meta property="og:title" content="Kerja bakti membersihkan saluran">"#),
        "{}",
        post.body
    );
    assert!(post.body.contains(r#"<meta property="og:type" content="article">"#));
    let photo_path = format!("/berita/foto/{}", new.photo_id.as_deref().expect("a photo"));
    assert!(
        post.body.contains(&format!(r#"<meta property="og:image" content="http://127.0.0.1:8080{photo_path}">"#)),
        "{}",
        post.body
    );
    assert!(post.body.contains("Warga RW 02 membersihkan saluran"));
    assert!(post.body.len() < 30 * 1024);

    // The photo: a JPEG the server made, at most 960 pixels a side, with no EXIF left.
    let response = visitor.client.get(format!("{}{photo_path}", visitor.base)).send().await.expect("photo");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/jpeg");
    let served = response.bytes().await.expect("bytes").to_vec();
    assert!(!contains(&served, b"Exif") && !contains(&served, b"KameraRahasia") && !contains(&served, b"GPS"));
    let decoded = image::load_from_memory(&served).expect("a picture");
    assert_eq!((decoded.width(), decoded.height()), (960, 720));

    // The village page and the news list show it, with previews of their own.
    let village = visitor.get(&format!("/desa/{SUKAMULYA}")).await;
    assert!(village.body.contains(&post_path), "{}", village.body);
    assert!(village.body.contains(r#"<meta property="og:title" content="Desa Sukamulya">"#), "{}", village.body);
    assert!(
        village.body.contains(&format!("http://127.0.0.1:8080{photo_path}")),
        "the newest photo previews the village"
    );
    // The regency's portal (the home page) carries the newest posts of all its villages.
    let home = visitor.get("/").await;
    assert!(
        home.body.contains(&format!(
            "<a href=\"{post_path}\">Kerja bakti membersihkan saluran</a> <span class=\"muted\">· Desa Sukamulya</span>"
        )),
        "{}",
        home.body
    );
    assert!(
        home.body.contains("href=\"/wilayah/32.07/kinerja\">Kinerja layanan Kabupaten Ciamis tahun ini"),
        "{}",
        home.body
    );
    let admin_home = t.logged_in("admin.ciamis").await.get("/staf").await;
    assert!(admin_home.body.contains("Kabupaten Ciamis (32.07)") && !admin_home.body.contains("Kabupaten Kabupaten"));
    let list = visitor.get(&format!("/desa/{SUKAMULYA}/berita")).await;
    assert!(list.body.contains("Kerja bakti membersihkan saluran") && list.body.contains("Pengumuman"));
    assert!(!list.body.contains("Tulis berita"), "a visitor is offered no staff link");

    // Nobody else publishes here: a visitor, another village's operator, the evaluator.
    let visitor_post = visitor.post_files(&path, &fields, &[], Some(visitor.csrf().await)).await;
    assert!(matches!(visitor_post.status, 303 | 401 | 403), "{}", visitor_post.status);
    assert_ne!(visitor_post.location(), post_path);
    let cikoneng = t.logged_in("operator.cikoneng").await;
    let other = cikoneng.post_files(&path, &fields, &[], Some(csrf_of(&cikoneng))).await;
    assert!(matches!(other.status, 403 | 404), "{}", other.body);
    assert!(matches!(cikoneng.get(&path).await.status, 403 | 404));
    let evaluator = t.logged_in("evaluator.ciamis").await;
    assert!(matches!(evaluator.post_files(&path, &fields, &[], Some(csrf_of(&evaluator))).await.status, 403 | 404));
    // Another village's address does not show this post.
    assert_eq!(visitor.get(&post_path.replace(SUKAMULYA, CIKONENG)).await.status, 404);
    assert_eq!(t.app.store().news_posts(SUKAMULYA, 10).await.expect("posts").len(), demo_posts + 1);

    // Withdrawn: gone from the portal, its photo too; the withdrawal is audited.
    let withdraw = format!("{post_path}/tarik").replace("/desa/", "/staf/desa/");
    let done = operator.post(&withdraw, &[]).await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(visitor.get(&post_path).await.status, 404);
    assert_eq!(visitor.get(&photo_path).await.status, 404);
    assert!(!visitor.get(&format!("/desa/{SUKAMULYA}")).await.body.contains(&post_path));
    let records = t.app.store().audit_records(0, 1000).await.expect("audit");
    assert_eq!(records.last().expect("record").action, "news.withdraw");
}

#[tokio::test]
async fn the_service_catalogue_publishes_each_letter_types_standar_pelayanan() {
    let t = spawn_app().await;
    let visitor = t.browser();
    let village = visitor.get(&format!("/desa/{SUKAMULYA}")).await;
    assert!(village.body.contains(&format!("/desa/{SUKAMULYA}/layanan")), "the village page links it");
    let page = visitor.get(&format!("/desa/{SUKAMULYA}/layanan")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    // The six public components of domain.md §7, for every letter type the village offers.
    let types = t.app.letter_catalogue(&balai_domain::wilayah::KodeWilayah::parse(SUKAMULYA).expect("code")).await;
    let active: Vec<_> = types.expect("catalogue").into_iter().filter(|t| t.active).collect();
    assert!(!active.is_empty());
    for component in [
        "Persyaratan",
        "Sistem, mekanisme dan prosedur",
        "Jangka waktu",
        "Biaya/tarif",
        "Produk pelayanan",
        "Penanganan pengaduan, saran dan masukan",
    ] {
        // Each letter type, the complaint channel and information requests.
        assert_eq!(page.body.matches(&format!("<dt>{component}</dt>")).count(), active.len() + 2, "{component}");
    }
    let sktm = active.iter().find(|t| t.spec.slug == "sktm").expect("SKTM");
    assert!(page.body.contains(&sktm.spec.name));
    for requirement in &sktm.spec.standar.persyaratan {
        assert!(page.body.contains(requirement.as_str()), "{requirement}");
    }
    assert!(
        page.body.contains(&format!("{} hari kerja setelah permohonan lengkap", sktm.spec.standar.jangka_waktu_hari))
    );
    assert!(page.body.contains("Permohonan informasi publik") && page.body.contains("Pengaduan dan aspirasi"));
    assert!(page.body.contains(r#"<meta property="og:title" content="Layanan dan standar pelayanan Desa Sukamulya">"#));
    assert!(page.body.len() < 30 * 1024, "{} bytes", page.body.len());
    assert_eq!(visitor.get("/desa/32.07.06/layanan").await.status, 404, "a kecamatan has no such page");
    assert!(page.body.contains("Jawaban tertulis paling lambat 10 hari kerja"), "the law's clock");

    // The village writes its own standar for information requests; the clock stays the law's.
    let operator = t.logged_in("operator.sukamulya").await;
    let path = format!("/staf/desa/{SUKAMULYA}/layanan/informasi");
    let form = operator.get(&path).await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains("Identitas pemohon: nama, NIK dan alamat"), "the defaults to start from");
    let mut fields = vec![
        ("persyaratan", "Fotokopi KTP\nFormulir permohonan"),
        ("prosedur", "Datang ke kantor desa\nMengisi formulir"),
        ("biaya", ""),
        ("produk", "Salinan dokumen"),
        ("pengaduan", "Keberatan kepada kepala desa"),
    ];
    let refused = operator.post(&path, &fields).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("Biaya/tarif wajib diisi"), "{}", refused.body);
    assert!(refused.body.contains("Fotokopi KTP"), "what was typed is kept");
    assert!(!visitor.get(&format!("/desa/{SUKAMULYA}/layanan")).await.body.contains("Fotokopi KTP"), "nothing stored");
    fields[2] = ("biaya", "Gratis, salinan Rp500 per lembar");
    let saved = operator.post(&path, &fields).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let shown = visitor.get(&format!("/desa/{SUKAMULYA}/layanan")).await;
    assert!(shown.body.contains("<li>Fotokopi KTP</li>") && shown.body.contains("Gratis, salinan Rp500 per lembar"));
    assert!(shown.body.contains("Jawaban tertulis paling lambat 10 hari kerja"));
    let records = t.app.store().audit_records(0, 10_000).await.expect("audit");
    assert!(records.iter().any(|r| r.action == "service.standard.update" && r.object.ends_with("layanan:informasi")));
    let cikoneng = t.logged_in("operator.cikoneng").await;
    assert_eq!(cikoneng.get(&path).await.status, 404, "another village's operator");
    assert_eq!(cikoneng.post(&path, &fields).await.status, 404);
    assert_eq!(operator.get(&format!("/staf/desa/{SUKAMULYA}/layanan/lain")).await.status, 404);
}

/// The installable app (issue 11, part 1): manifest, icons, the worker and its script, and the
/// mark that lets the worker keep a page, given only to public pages seen by visitors.
#[tokio::test]
async fn the_portal_is_an_installable_app_that_keeps_only_public_pages() {
    let t = spawn_app().await;
    let visitor = t.browser();
    let page = visitor.get(&format!("/desa/{SUKAMULYA}")).await;
    assert!(page.body.contains(r#"<link rel="manifest" href="/manifest.webmanifest">"#), "{}", page.body);
    assert_eq!(page.header("x-balai-luring"), "simpan", "a visitor's village page may be kept offline");
    let csp = page.header("content-security-policy");
    assert!(csp.contains("script-src 'self'") && csp.contains("worker-src 'self'"), "{csp}");
    let script = page.body.split("<script src=\"").nth(1).and_then(|s| s.split('"').next()).expect("a script");
    let js = visitor.get(script).await;
    assert_eq!(js.status, 200);
    assert!(js.body.contains("serviceWorker.register('/sw.js')"), "{}", js.body);

    let manifest = visitor.get("/manifest.webmanifest").await;
    assert_eq!(manifest.header("content-type"), "application/manifest+json");
    let manifest: serde_json::Value = serde_json::from_str(&manifest.body).expect("JSON");
    assert_eq!(manifest["start_url"], "/");
    assert_eq!(manifest["display"], "standalone");
    for icon in manifest["icons"].as_array().expect("icons") {
        let src = icon["src"].as_str().expect("src");
        let response = visitor.client.get(format!("{}{src}", visitor.base)).send().await.expect("icon");
        assert_eq!(response.headers()["content-type"], "image/png");
        let picture = image::load_from_memory(&response.bytes().await.expect("bytes")).expect("a PNG");
        let size = icon["sizes"].as_str().expect("sizes");
        assert_eq!(format!("{}x{}", picture.width(), picture.height()), size);
    }
    let favicon = visitor.client.get(format!("{}/favicon.ico", visitor.base)).send().await.expect("favicon");
    assert_eq!(favicon.status(), 200);

    let worker = visitor.get("/sw.js").await;
    assert_eq!(worker.header("content-type"), "text/javascript; charset=utf-8");
    assert!(worker.body.contains("/static/balai.") && !worker.body.contains("__CSS_URL__"), "the stylesheet is named");
    assert!(!worker.body.contains("http://") && !worker.body.contains("https://"), "no other site is asked");
    let offline = visitor.get("/luring").await;
    assert!(offline.body.contains("tidak tersambung"), "{}", offline.body);

    // Not kept: a staff member's view of the same page, a form, a tracking page.
    let operator = t.logged_in("operator.sukamulya").await;
    assert_eq!(operator.get(&format!("/desa/{SUKAMULYA}")).await.header("x-balai-luring"), "");
    assert_eq!(visitor.get("/lapor").await.header("x-balai-luring"), "");
    assert_eq!(visitor.get("/lapor/lacak/ABCDE23456").await.header("x-balai-luring"), "");
    assert_eq!(visitor.get("/desa/32.07.06.2999").await.header("x-balai-luring"), "", "not found is not kept");
}
