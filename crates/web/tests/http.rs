//! The HTTP suite: the real router on a real port over a fresh database (SQLite by default,
//! PostgreSQL when `TEST_DATABASE_URL` names one), driven like a browser with cookies.

mod support;

use balai_store::testing::fresh_database;
use reqwest::header::HeaderValue;
use support::{JPEG, PNG, Page, csrf_of, letter_field_names, sktm_files, spawn_app, spawn_app_at};

#[tokio::test]
async fn public_pages_list_the_regency_and_stay_small() {
    let t = spawn_app().await;
    let b = t.browser();
    let home = b.get("/").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("<html lang=\"id\">"));
    assert!(home.body.contains("Layanan publik Kabupaten Ciamis"));
    assert!(home.body.contains("Kecamatan Cihaurbeuti"));
    assert!(home.body.contains("href=\"/desa/32.07.06.2001\">Desa Sukamulya"));
    assert!(home.body.contains("Kelurahan Kertasari"));
    // No JavaScript needed: the one script only installs the offline worker (deferred; the
    // browser tests run with JavaScript off).
    assert_eq!(home.body.matches("<script").count(), 1, "{}", home.body);
    assert!(home.body.contains(" defer></script>"), "{}", home.body);
    assert!(!home.body.contains("style="), "the CSP allows no inline styles");
    let css_path =
        home.body.split("href=\"/static/").nth(1).and_then(|s| s.split('"').next()).expect("stylesheet link");
    let css = b.get(&format!("/static/{css_path}")).await;
    assert_eq!(css.status, 200);
    assert_eq!(css.headers["cache-control"], "public, max-age=31536000, immutable");
    assert!(home.body.len() + css.body.len() < 50 * 1024, "HTML+CSS {} bytes", home.body.len() + css.body.len());
    assert_eq!(b.get("/static/balai.0000.css").await.status, 404);

    let village = b.get("/desa/32.07.06.2001").await;
    assert_eq!(village.status, 200);
    assert!(village.body.contains("Desa Sukamulya"));
    assert!(village.body.contains("Jl. Raya Sukamulya"));
    assert!(village.body.contains("href=\"/wilayah/32.07.06\">Cihaurbeuti"), "breadcrumb");
    // The start page a resident needs: the letters requestable online and what to bring.
    let letters = village.body.split("<ul class=\"plain letters\">").nth(1).expect("letters listed");
    let letters = letters.split("</ul>").next().expect("list");
    assert!(letters.contains("<strong>Surat Keterangan Tidak Mampu</strong>"), "{letters}");
    assert!(letters.contains("hari kerja") && letters.contains("Lampirkan: "), "{letters}");
    assert_eq!(letters.matches("<li>").count(), 10, "{letters}");
    let region = b.get("/wilayah/32.07.06").await;
    assert!(region.body.contains("Desa Cijulang"));
    for missing in ["/desa/32.07.06", "/desa/32.07.06.2999", "/desa/bukan-kode", "/wilayah/99", "/tidak-ada"] {
        let page = b.get(missing).await;
        assert_eq!(page.status, 404, "{missing}");
        assert!(page.body.contains("tidak"), "{missing}: Indonesian message");
    }
}

#[tokio::test]
async fn responses_carry_security_headers_and_are_compressed() {
    let t = spawn_app().await;
    let b = t.browser();
    let page = b.get("/").await;
    let h = &page.headers;
    assert!(h["content-security-policy"].to_str().expect("csp").contains("default-src 'none'"));
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["referrer-policy"], "same-origin");
    let set_cookie = h["set-cookie"].to_str().expect("cookie");
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    let gz = b.send(b.client.get(format!("{}/", b.base)).header("accept-encoding", "gzip")).await;
    assert_eq!(gz.headers.get("content-encoding"), Some(&HeaderValue::from_static("gzip")));
    let br = b.send(b.client.get(format!("{}/", b.base)).header("accept-encoding", "br")).await;
    assert_eq!(br.headers.get("content-encoding"), Some(&HeaderValue::from_static("br")));
}

#[tokio::test]
async fn health_and_metrics() {
    let t = spawn_app().await;
    let b = t.browser();
    let health = b.get("/healthz").await;
    assert_eq!((health.status, health.body.as_str()), (200, "ok\n"));
    b.get("/tidak-ada").await;
    let metrics = b.get("/metrics").await;
    assert_eq!(metrics.status, 200);
    assert!(metrics.body.contains("balai_database_up 1"));
    assert!(metrics.body.contains("balai_http_requests_total{class=\"2xx\"} 1"), "{}", metrics.body);
    assert!(metrics.body.contains("balai_http_requests_total{class=\"4xx\"} 1"), "{}", metrics.body);
    assert!(metrics.body.contains("balai_http_request_duration_seconds_count 2"), "{}", metrics.body);
}

#[tokio::test]
async fn a_desa_operator_sees_and_changes_only_their_own_village() {
    let t = spawn_app().await;
    let op = t.logged_in("operator.sukamulya").await;
    let home = op.get("/staf").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("Operator Desa — Desa Sukamulya (32.07.06.2001)"), "{}", home.body);
    assert!(!home.body.contains("Akun petugas"), "no admin links for an operator");

    let own = op.get("/staf/desa/32.07.06.2001").await;
    assert_eq!(own.status, 200);
    assert!(own.body.contains("name=\"address\""));
    assert!(own.body.contains("operator.sukamulya"), "staff list");
    assert!(!own.body.contains("style=") && !home.body.contains("style="), "the CSP allows no inline styles");

    // Another village, by changing the code in the URL: as if it did not exist.
    for other in ["32.07.06.2002", "32.07.02.2001", "32.07.06", "32.07"] {
        assert_eq!(op.get(&format!("/staf/desa/{other}")).await.status, 404, "GET {other}");
        let post = op.post(&format!("/staf/desa/{other}"), &[("address", "Diubah orang lain")]).await;
        assert_eq!(post.status, 404, "POST {other}");
    }
    assert!(!t.browser().get("/desa/32.07.02.2001").await.body.contains("Diubah orang lain"));
    for admin_page in ["/staf/pengguna", "/staf/opd"] {
        assert_eq!(op.get(admin_page).await.status, 404, "{admin_page}");
    }
    assert_eq!(op.post("/staf/opd", &[("name", "Dinas Siluman"), ("regency", "32.07")]).await.status, 404);
    assert!(!t.app.offices().await.expect("offices").iter().any(|o| o.name == "Dinas Siluman"));

    // Their own village: saved, shown publicly, audited.
    let fields = [
        ("address", "Jl. Baru No. 1"),
        ("phone", "0265 123456"),
        ("email", "desa@example.org"),
        ("head_name", "Ibu Kades"),
    ];
    let saved = op.post("/staf/desa/32.07.06.2001", &fields).await;
    assert_eq!((saved.status, saved.location()), (303, "/staf/desa/32.07.06.2001?saved=1"));
    assert!(t.browser().get("/desa/32.07.06.2001").await.body.contains("Jl. Baru No. 1"));
    let after = op.get("/staf/desa/32.07.06.2001?saved=1").await;
    assert!(after.body.contains("Profil kantor tersimpan"));
    assert!(after.body.contains("user:") && after.body.contains("village.profile.update"), "audit shown");

    // The camat sees villages in the kecamatan, read-only, and nothing outside it.
    let camat = t.logged_in("camat.cihaurbeuti").await;
    let seen = camat.get("/staf/desa/32.07.06.2001").await;
    assert_eq!(seen.status, 200);
    assert!(!seen.body.contains("name=\"address\""), "read-only for the camat");
    assert_eq!(camat.post("/staf/desa/32.07.06.2001", &[("address", "x")]).await.status, 404);
    assert_eq!(camat.get("/staf/desa/32.07.02.2001").await.status, 404);

    // The OPD liaison has no village at all.
    let pupr = t.logged_in("pupr.ciamis").await;
    assert_eq!(pupr.get("/staf/desa/32.07.06.2001").await.status, 404);
}

#[tokio::test]
async fn staff_pages_require_login() {
    let t = spawn_app().await;
    let b = t.browser();
    let page = b.get("/staf/desa/32.07.06.2001").await;
    assert_eq!((page.status, page.location()), (303, "/masuk?next=%2Fstaf%2Fdesa%2F32.07.06.2001"));
    let post = b.post("/staf/desa/32.07.06.2001", &[("address", "anon")]).await;
    assert_eq!(post.status, 303);
    // The address it tried to set is not shown ("anon" alone matches `rel="canonical"`).
    assert!(!b.get("/desa/32.07.06.2001").await.body.contains("<dd>anon</dd>"));
    // After login the user lands where they were going, and only on our own staff pages.
    let login = b
        .post(
            "/masuk",
            &[
                ("username", "kades.sukamulya"),
                ("password", &t.accounts["kades.sukamulya"]),
                ("next", "/staf/desa/32.07.06.2001"),
            ],
        )
        .await;
    assert_eq!(login.location(), "/staf/desa/32.07.06.2001");
    let evil = t.browser();
    let login = evil
        .post(
            "/masuk",
            &[
                ("username", "kades.sukamulya"),
                ("password", &t.accounts["kades.sukamulya"]),
                ("next", "https://evil.example/"),
            ],
        )
        .await;
    assert_eq!(login.location(), "/staf");
}

#[tokio::test]
async fn every_form_needs_its_csrf_token() {
    let t = spawn_app().await;
    let b = t.browser();
    b.get("/masuk").await;
    let password = t.accounts["operator.sukamulya"].clone();
    let no_token = b.post_raw("/masuk", format!("username=operator.sukamulya&password={password}").into_bytes()).await;
    assert_eq!(no_token.status, 403);
    assert!(no_token.body.contains("Formulir kedaluwarsa"));
    let wrong =
        b.post_raw("/masuk", format!("csrf=AAAA&username=operator.sukamulya&password={password}").into_bytes()).await;
    assert_eq!(wrong.status, 403);
    let token = csrf_of(&b);
    let body = format!("csrf={token}&username=operator.sukamulya&password={password}");
    let cross = b
        .send(
            b.client
                .post(format!("{}/masuk", b.base))
                .header("content-type", "application/x-www-form-urlencoded")
                .header("sec-fetch-site", "cross-site")
                .body(body.clone()),
        )
        .await;
    assert_eq!(cross.status, 403);
    assert_eq!(b.post_raw("/masuk", body.into_bytes()).await.status, 303, "the same form with its token works");

    // Signed in, a forged form (no token) changes nothing.
    let forged = b.post_raw("/staf/desa/32.07.06.2001", b"address=Dipalsukan".to_vec()).await;
    assert_eq!(forged.status, 403);
    assert!(!t.browser().get("/desa/32.07.06.2001").await.body.contains("Dipalsukan"));
    // Logging in rotates the CSRF token, so a token planted before login is useless after it.
    assert_ne!(csrf_of(&b), token);
}

#[tokio::test]
async fn five_failed_logins_lock_the_account_and_the_address_for_15_minutes() {
    let t = spawn_app().await;
    let b = t.browser();
    for _ in 0..5 {
        let page = b.login("operator.sukamulya", "salah-sandi").await;
        assert_eq!(page.status, 422);
        assert!(page.body.contains("Nama pengguna atau kata sandi salah"));
        assert!(page.body.contains("value=\"operator.sukamulya\""), "what was typed is kept");
    }
    let locked = b.login("operator.sukamulya", &t.accounts["operator.sukamulya"]).await;
    assert_eq!(locked.status, 429);
    assert!(locked.body.contains("dikunci"));
    // The address is locked too: another account from the same address is refused.
    assert_eq!(b.login("kades.sukamulya", &t.accounts["kades.sukamulya"]).await.status, 429);
    t.clock.advance(chrono::Duration::minutes(14));
    assert_eq!(b.login("operator.sukamulya", &t.accounts["operator.sukamulya"]).await.status, 429);
    t.clock.advance(chrono::Duration::minutes(2));
    assert_eq!(b.login("operator.sukamulya", &t.accounts["operator.sukamulya"]).await.status, 303);
}

#[tokio::test]
async fn sessions_are_fresh_at_login_and_dead_after_logout() {
    let t = spawn_app().await;
    let b = t.browser();
    let url = t.base.parse().expect("url");
    b.jar.add_cookie_str("balai_session=planted-by-an-attacker; Path=/", &url);
    assert_eq!(b.get("/staf").await.status, 303, "an unknown session token is no session");
    b.login("operator.sukamulya", &t.accounts["operator.sukamulya"]).await;
    let token = b.cookie("balai_session").expect("session cookie");
    assert_ne!(token, "planted-by-an-attacker");
    assert_eq!(token.len(), 43, "256 random bits, base64url");
    assert_eq!(b.get("/staf").await.status, 200);
    assert_eq!(b.post("/keluar", &[]).await.status, 303);
    assert_eq!(b.get("/staf").await.status, 303);
    // Replaying the old cookie after logout does not work either.
    let replay = t.browser();
    replay.jar.add_cookie_str(&format!("balai_session={token}; Path=/"), &url);
    assert_eq!(replay.get("/staf").await.status, 303);
    // Sessions expire.
    let b = t.logged_in("operator.sukamulya").await;
    t.clock.advance(chrono::Duration::hours(13));
    assert_eq!(b.get("/staf").await.status, 303);
}

#[tokio::test]
async fn bad_input_gets_a_clear_answer_and_changes_nothing() {
    let t = spawn_app().await;
    let op = t.logged_in("operator.sukamulya").await;
    let token = csrf_of(&op);

    let huge = format!("csrf={token}&address={}", "a".repeat(70 * 1024));
    let page = op.post_raw("/staf/desa/32.07.06.2001", huge.into_bytes()).await;
    assert_eq!(page.status, 413);
    assert!(page.body.contains("Isian terlalu besar"));

    let page = op.post_raw("/staf/desa/32.07.06.2001", format!("csrf={token}&address=%FF%FE").into_bytes()).await;
    assert_eq!(page.status, 400);
    assert!(page.body.contains("UTF-8"));

    let page = op
        .post("/staf/desa/32.07.06.2001", &[("address", "Jl. Dijaga"), ("phone", "abc"), ("email", "bukan-email")])
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Ada yang perlu diperbaiki"));
    assert!(page.body.contains("href=\"#phone\""), "the summary links to the field");
    assert!(page.body.contains("value=\"Jl. Dijaga\""), "what was typed is kept");
    assert!(!t.browser().get("/desa/32.07.06.2001").await.body.contains("Jl. Dijaga"), "nothing saved");

    let xss = "<script>alert('x')</script> Cisontról \"&\"";
    let page = op.post("/staf/desa/32.07.06.2001", &[("address", xss)]).await;
    assert_eq!(page.status, 303);
    let public = t.browser().get("/desa/32.07.06.2001").await;
    assert!(!public.body.contains("<script>alert"), "stored as text, shown escaped");
    assert!(
        public.body.contains("&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62; Cisontról")
            || public.body.contains("&lt;script&gt;"),
        "{}",
        public.body
    );
}

#[tokio::test]
async fn the_regency_admin_manages_offices_and_staff() {
    let t = spawn_app().await;
    let admin = t.logged_in("admin.ciamis").await;
    assert!(admin.get("/staf").await.body.contains("Akun petugas"));

    let offices = admin.get("/staf/opd").await;
    assert_eq!(offices.status, 200);
    assert!(offices.body.contains("Dinas Pekerjaan Umum dan Penataan Ruang"));
    let created = admin.post("/staf/opd", &[("name", "Dinas Sosial"), ("regency", "32.07")]).await;
    assert_eq!((created.status, created.location()), (303, "/staf/opd?created=dinas-sosial"));
    let dup = admin.post("/staf/opd", &[("name", "Dinas Sosial"), ("regency", "32.07")]).await;
    assert_eq!(dup.status, 422);
    assert!(dup.body.contains("sudah dipakai"));
    let elsewhere = admin.post("/staf/opd", &[("name", "Dinas Luar"), ("regency", "32.08")]).await;
    assert_eq!(elsewhere.status, 422, "an office outside the admin's regency");
    assert!(elsewhere.body.contains("wilayah kerja Anda"));

    let users = admin.get("/staf/pengguna").await;
    assert!(users.body.contains("operator.sukamulya") && users.body.contains("pupr.ciamis"));
    let page = admin
        .post(
            "/staf/pengguna",
            &[
                ("username", "operator.pawindan"),
                ("full_name", "Operator Pawindan"),
                ("role", "operator_desa"),
                ("scope", "32.07.01.2008"),
            ],
        )
        .await;
    assert_eq!(page.status, 200);
    let password =
        page.body.split("<code>").nth(1).and_then(|s| s.split("</code>").next()).expect("password shown once");
    assert_eq!(password.len(), 16);
    let newcomer = t.browser();
    assert_eq!(newcomer.login("operator.pawindan", password).await.status, 303);
    assert!(newcomer.get("/staf").await.body.contains("Desa Pawindan"));

    let outside = admin
        .post(
            "/staf/pengguna",
            &[("username", "op.luar"), ("full_name", "Luar"), ("role", "operator_desa"), ("scope", "32.08.01.2001")],
        )
        .await;
    assert_eq!(outside.status, 422, "a village outside the admin's regency");
    let bad = admin
        .post(
            "/staf/pengguna",
            &[("username", "X"), ("full_name", ""), ("role", "operator_desa"), ("scope", "32.07.06")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("Nama pengguna berisi") && bad.body.contains("Isi nama lengkap"));

    // A kecamatan admin cannot create accounts; nobody can through a forged role.
    let camat = t.logged_in("camat.cihaurbeuti").await;
    let page = camat
        .post(
            "/staf/pengguna",
            &[("username", "siluman"), ("full_name", "Siluman"), ("role", "admin_kabupaten"), ("scope", "32.07")],
        )
        .await;
    assert_eq!(page.status, 404);
    assert!(t.app.store().user_by_username("siluman").await.expect("lookup").is_none());
}

/// PostgreSQL going away under a running Balai: clear 503s while it is gone, and recovery without
/// a restart once it is back. The outage is real at the network level: Balai talks to PostgreSQL
/// through a loopback TCP proxy that the test cuts (every connection dropped, new ones refused)
/// and restores. Embedded SQLite cannot go away, so this runs on PostgreSQL only.
#[tokio::test]
async fn the_database_going_away_gives_503_and_recovers() {
    let Ok(base_url) = std::env::var("TEST_DATABASE_URL") else { return };
    if !base_url.starts_with("postgres") {
        return;
    }
    let db = fresh_database().await;
    let target = db.url.split('@').nth(1).and_then(|s| s.split('/').next()).expect("host:port").to_string();
    let (proxy_addr, up) = tcp_proxy(target.clone()).await;
    let via_proxy = db.url.replacen(&target, &proxy_addr, 1);
    let t = spawn_app_at(db, &via_proxy).await;
    let b = t.browser();
    assert_eq!(b.get("/healthz").await.status, 200);

    up.send_replace(false);
    let page = b.get("/").await;
    assert_eq!(page.status, 503, "{}", page.body);
    assert!(page.body.contains("Layanan sedang tidak tersedia"));
    assert_eq!(b.get("/healthz").await.status, 503);
    let metrics = b.get("/metrics").await;
    assert!(metrics.body.contains("balai_database_up 0"));

    up.send_replace(true);
    assert_eq!(b.get("/healthz").await.status, 200);
    assert_eq!(b.get("/").await.status, 200);
}

/// A loopback TCP proxy to `target`; sending `false` drops every connection and refuses new ones.
async fn tcp_proxy(target: String) -> (String, tokio::sync::watch::Sender<bool>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
    let addr = listener.local_addr().expect("addr").to_string();
    let (up, _) = tokio::sync::watch::channel(true);
    let up_for_accept = up.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let mut state = up_for_accept.subscribe();
            if !*state.borrow() {
                continue; // dropped: the client sees its connection closed
            }
            let target = target.clone();
            tokio::spawn(async move {
                let Ok(mut server) = tokio::net::TcpStream::connect(&target).await else { return };
                tokio::select! {
                    _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                    _ = state.wait_for(|up| !*up) => {}
                }
            });
        }
    });
    (addr, up)
}

#[tokio::test]
async fn a_walk_in_letter_goes_from_the_counter_to_a_verifiable_pdf() {
    let t = spawn_app().await;
    let op = t.logged_in("operator.sukamulya").await;
    assert!(op.get("/staf/desa/32.07.06.2001").await.body.contains("/staf/desa/32.07.06.2001/surat"));
    assert_eq!(op.get("/staf/desa/32.07.06.2001/surat").await.status, 200);
    let form = op.get("/staf/desa/32.07.06.2001/surat/baru?jenis=domisili").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("name=\"nik\""));
    let field_names = letter_field_names(&form.body);
    let mut fields: Vec<(String, String)> =
        vec![("letter_type".into(), "domisili".into()), ("nik".into(), "3207061205900001".into())];
    fields.extend(field_names.iter().map(|n| (n.clone(), "Keperluan administrasi".to_string())));
    let bad: Vec<(&str, &str)> = vec![("letter_type", "domisili"), ("nik", "12345")];
    let page = op.post("/staf/desa/32.07.06.2001/surat/baru", &bad).await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("NIK harus 16 angka; Anda mengisi 5"), "{}", page.body);
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let created = op.post("/staf/desa/32.07.06.2001/surat/baru", &pairs).await;
    assert_eq!(created.status, 303, "{}", created.body);
    let request_path = created.location().to_string();
    assert!(request_path.starts_with("/staf/surat/"));
    let page = op.get(&request_path).await;
    assert!(page.body.contains("Asep Saepudin") && page.body.contains("value=\"verifikasi\""));
    assert!(!page.body.contains("value=\"tandatangani\""), "an operator does not sign");
    let done = op.post(&format!("{request_path}/aksi"), &[("action", "verifikasi")]).await;
    assert_eq!(done.status, 303);

    // Another village's operator cannot open it; a visitor is sent to log in.
    let other = t.logged_in("operator.cikoneng").await;
    assert_eq!(other.get(&request_path).await.status, 404);
    assert_eq!(t.browser().get(&format!("{request_path}/pdf")).await.status, 303);

    // A letter made outside Balai takes a number first: the agenda stays gapless.
    let reserved =
        op.post("/staf/desa/32.07.06.2001/surat/nomor", &[("letter_type", "usaha"), ("note", "Surat undangan")]).await;
    assert_eq!(reserved.status, 303);
    let queue = op.get(reserved.location()).await;
    assert!(queue.body.contains("Nomor dicatat: <strong>400.10.2.2/001/2001/XI/2026</strong>"), "{}", queue.body);
    let refused = op.post("/staf/desa/32.07.06.2001/surat/nomor", &[("letter_type", "usaha"), ("note", "")]).await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        other.post("/staf/desa/32.07.06.2001/surat/nomor", &[("letter_type", "usaha"), ("note", "x")]).await.status,
        404
    );

    let kades = t.logged_in("kades.sukamulya").await;
    let id = request_path.trim_start_matches("/staf/surat/");
    let signed = kades.post("/staf/desa/32.07.06.2001/surat/tandatangani", &[("id", id)]).await;
    assert_eq!(signed.status, 200);
    assert!(signed.body.contains("Terbit") && signed.body.contains("/002/2001/XI/2026"), "{}", signed.body);
    let again = kades.post("/staf/desa/32.07.06.2001/surat/tandatangani", &[("id", id)]).await;
    assert!(again.body.contains("Gagal"), "a second signature is refused");
    let pdf = kades.send(kades.client.get(format!("{}{request_path}/pdf", kades.base))).await;
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    let page = kades.get(&request_path).await;
    let token = page.body.split("href=\"/v/").nth(1).and_then(|s| s.split('"').next()).expect("verification link");
    let verification = t.browser().get(&format!("/v/{token}")).await;
    assert_eq!(verification.status, 200);
    assert!(verification.body.contains("SAH") && verification.body.contains("A*** S*******"), "{}", verification.body);
    assert!(!verification.body.contains("3207061205900001"), "no NIK on the public page");
    // The signer's name, then their position, each once.
    assert!(
        verification.body.contains("<dd>Dadang Sukmana (demo)<br>Kepala Desa Sukamulya</dd>"),
        "{}",
        verification.body
    );
    assert_eq!(t.browser().get("/v/bukan-token").await.status, 404);
    let forged = t.browser().get(&format!("/v/{token}?s=AAAA")).await;
    assert!(forged.body.contains("TIDAK cocok"));

    // The village's and the regency's public figures count it: asked at the counter, signed
    // the same day (within its standar's jangka waktu); the number reserved for an outside
    // letter is no request.
    for path in ["/desa/32.07.06.2001/kinerja", "/wilayah/32.07/kinerja", "/wilayah/32.07.06/kinerja"] {
        let figures = t.browser().get(path).await;
        assert_eq!(figures.status, 200, "{path}: {}", figures.body);
        let body = figures.body.split("<h2>Pengaduan").next().expect("letters part");
        assert!(body.contains("<dt>Permohonan diterima</dt><dd>1</dd>"), "{path}: {body}");
        assert!(body.contains("<dt>Diajukan daring</dt><dd>0 (0 %)</dd>"), "{path}: {body}");
        assert!(body.contains("<dt>Surat terbit</dt><dd>1</dd>"), "{path}: {body}");
        assert!(body.contains("<dd>1 (100 %)</dd>"), "{path}: {body}");
    }
    let other_village = t.browser().get("/desa/32.07.02.2001/kinerja").await;
    assert!(other_village.body.contains("<dt>Permohonan diterima</dt><dd>0</dd>"), "{}", other_village.body);
    assert!(other_village.body.contains("<dt>Surat terbit</dt><dd>0</dd>") && other_village.body.contains("— "));
    assert_eq!(t.browser().get("/desa/99.99.99.9999/kinerja").await.status, 404);
}

const SKTM_FIELDS: [(&str, &str); 3] =
    [("penghasilan", "750000"), ("jumlah_tanggungan", "4"), ("keperluan", "Beasiswa O'Brien <script>x</script>")];

#[tokio::test]
async fn a_resident_signs_up_requests_an_sktm_online_fixes_it_and_downloads_the_letter() {
    let t = spawn_app().await;
    // Sign-up from the village page; bad input is refused field by field.
    let village = t.browser().get("/desa/32.07.06.2001").await;
    assert!(village.body.contains("/warga/daftar?desa=32.07.06.2001"), "{}", village.body);
    let warga = t.browser();
    assert_eq!(warga.get("/warga/daftar?desa=32.07.06.2001").await.status, 200);
    let bad = warga
        .post("/warga/daftar", &[("village", "32.07.06.2001"), ("nik", "3207061205900001"), ("full_name", "Asep")])
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("Kata sandi paling sedikit 8 karakter"), "{}", bad.body);
    let signed_up = warga
        .post(
            "/warga/daftar",
            &[
                ("village", "32.07.06.2001"),
                ("nik", "3207 0612 0590 0001"),
                ("full_name", "Asep Saepudin"),
                ("phone", "0812-3456-7890"),
                ("email", "asep@contoh.id"),
                ("password", "rahasia-sekali"),
                ("password_confirm", "rahasia-sekali"),
            ],
        )
        .await;
    assert_eq!(signed_up.status, 303, "{}", signed_up.body);
    let home = warga.get("/warga").await;
    assert!(home.body.contains("menunggu konfirmasi kantor desa"), "{}", home.body);
    assert_eq!(warga.get("/warga/ajukan/sktm").await.status, 303, "not confirmed yet: back to the list");

    // The operator confirms the NIK against the register.
    let op = t.logged_in("operator.sukamulya").await;
    let pending = op.get("/staf/desa/32.07.06.2001/warga").await;
    assert!(pending.body.contains("Asep Saepudin") && pending.body.contains("3207061205900001"), "{}", pending.body);
    let decide = pending.body.split("action=\"/staf/warga/").nth(1).and_then(|s| s.split('"').next()).expect("form");
    let confirmed =
        op.post(&format!("/staf/warga/{decide}"), &[("village", "32.07.06.2001"), ("decision", "konfirmasi")]).await;
    assert_eq!(confirmed.status, 303, "{}", confirmed.body);
    let other_op = t.logged_in("operator.cikoneng").await;
    assert_eq!(other_op.get("/staf/desa/32.07.06.2001/warga").await.status, 404);

    // Uploads: no token, a fake PDF, a missing attachment, and 50 MB are refused; nothing is stored.
    let path = "/warga/ajukan/sktm";
    assert_eq!(warga.get(path).await.status, 200);
    let token = csrf_of(&warga);
    assert_eq!(warga.post_files(path, &SKTM_FIELDS, &sktm_files(), None).await.status, 403);
    let mut fake = sktm_files();
    fake[2].2 = b"<html><script>alert(1)</script></html>".to_vec();
    let refused = warga.post_files(path, &SKTM_FIELDS, &fake, Some(token.clone())).await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("isi berkas diperiksa"), "{}", refused.body);
    assert!(
        refused.body.contains("Beasiswa O&#39;Brien &#60;script&#62;"),
        "typed values come back, escaped: {}",
        refused.body
    );
    let missing = warga.post_files(path, &SKTM_FIELDS, &sktm_files()[..2], Some(token.clone())).await;
    assert!(missing.body.contains("Lampirkan Surat pengantar RT/RW"), "{}", missing.body);
    let mut huge = sktm_files();
    huge[0].2 = vec![0xFF; 50 * 1024 * 1024];
    let too_big = warga.post_files(path, &SKTM_FIELDS, &huge, Some(token.clone())).await;
    assert_eq!(too_big.status, 413);
    assert!(too_big.body.contains("Berkas terlalu besar"));
    assert!(warga.get("/warga").await.body.contains("Belum ada permohonan"));

    let created = warga.post_files(path, &SKTM_FIELDS, &sktm_files(), Some(token.clone())).await;
    assert_eq!(created.status, 303, "{}", created.body);
    let request_path = created.location().split('?').next().expect("path").to_string();
    let id = request_path.trim_start_matches("/warga/permohonan/").to_string();
    let mine = warga.get(&request_path).await;
    assert!(mine.body.contains("Diajukan") && mine.body.contains("ktp.jpg"), "{}", mine.body);

    // Nobody else reaches it: another resident, a visitor, another village's operator.
    let someone = t.browser();
    let other = someone
        .post(
            "/warga/daftar",
            &[
                ("village", "32.07.06.2001"),
                ("nik", "3207065208950002"),
                ("full_name", "Euis Nurhayati"),
                ("email", "euis@contoh.id"),
                ("password", "rahasia-sekali"),
                ("password_confirm", "rahasia-sekali"),
            ],
        )
        .await;
    assert_eq!(other.status, 303, "{}", other.body);
    assert_eq!(someone.get(&request_path).await.status, 404);
    assert_eq!(someone.get(&format!("{request_path}/surat.pdf")).await.status, 404);
    assert_eq!(t.browser().get(&request_path).await.status, 303, "a visitor is sent to sign in");
    assert_eq!(other_op.get(&format!("/staf/surat/{id}")).await.status, 404);

    // The operator sees the files and returns the request for correction.
    let staff_page = op.get(&format!("/staf/surat/{id}")).await;
    let file = staff_page.body.split("/lampiran/").nth(1).and_then(|s| s.split('"').next()).expect("file link");
    let download = op.get(&format!("/staf/surat/{id}/lampiran/{file}")).await;
    assert_eq!(download.status, 200);
    assert!(download.headers["content-disposition"].to_str().expect("ascii").starts_with("attachment"));
    assert!(download.headers["content-security-policy"].to_str().expect("ascii").contains("sandbox"));
    assert_eq!(someone.get(&format!("{request_path}/lampiran/{file}")).await.status, 404);
    let returned =
        op.post(&format!("/staf/surat/{id}/aksi"), &[("action", "minta_perbaikan"), ("note", "Foto KTP buram")]).await;
    assert_eq!(returned.status, 303);
    let mine = warga.get(&request_path).await;
    assert!(mine.body.contains("Foto KTP buram") && mine.body.contains("Kirim perbaikan"), "{}", mine.body);

    // The resident fixes it with a new KTP photo; the operator verifies; the kepala desa signs.
    let fixed = warga
        .post_files(
            &format!("{request_path}/perbaikan"),
            &SKTM_FIELDS,
            &[("lampiran_ktp", "ktp-baru.jpg", JPEG.to_vec())],
            Some(csrf_of(&warga)),
        )
        .await;
    assert_eq!(fixed.status, 303, "{}", fixed.body);
    assert_eq!(op.post(&format!("/staf/surat/{id}/aksi"), &[("action", "verifikasi")]).await.status, 303);
    let kades = t.logged_in("kades.sukamulya").await;
    let signed = kades.post("/staf/desa/32.07.06.2001/surat/tandatangani", &[("id", &id)]).await;
    assert!(signed.body.contains("Terbit"), "{}", signed.body);
    let staff_page = op.get(&format!("/staf/surat/{id}")).await;
    assert!(staff_page.body.contains("Pesan ke pemohon") && staff_page.body.contains("asep@contoh.id"));
    // The completion message carries the survey link; the resident rates the service once.
    let messages = t.app.store().recent_messages(1_000).await.expect("messages");
    let done = messages
        .iter()
        .find(|m| m.recipient == "asep@contoh.id" && m.subject.contains("sudah terbit"))
        .expect("the completion message");
    let at = done.body.find("/survei/surat/").expect("a survey link in the completion message");
    let survey = done.body[at..].split_whitespace().next().expect("link").trim_end_matches('.').to_string();
    // The resident's own request page offers the same link until it is answered.
    let offered = warga.get(&request_path).await;
    assert!(offered.body.contains(&format!("href=\"{survey}\">Isi survei kepuasan")), "{}", offered.body);
    let form = warga.get(&survey).await;
    assert!(form.status == 200 && form.body.contains("Surat Keterangan Tidak Mampu"), "{}", form.body);
    let mut answers: Vec<(String, &str)> = (1..=9).map(|i| (format!("u{i}"), "4")).collect();
    answers[3].1 = "";
    let fields: Vec<(&str, &str)> = answers.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(warga.post(&survey, &fields).await.status, 303);
    assert_eq!(warga.post(&survey, &fields).await.status, 409, "one response per service");
    let ikm = t.browser().get("/wilayah/32.07.06.2001/ikm").await;
    assert!(ikm.body.contains("Surat Keterangan Tidak Mampu") && ikm.body.contains("1 responden"), "{}", ikm.body);

    // The resident downloads the PDF; the QR's page says the letter is valid.
    let mine = warga.get(&request_path).await;
    assert!(mine.body.contains("Surat Anda sudah terbit"), "{}", mine.body);
    assert!(!mine.body.contains("Isi survei kepuasan"), "answered: no more invitation");
    let pdf = warga.send(warga.client.get(format!("{}{request_path}/surat.pdf", warga.base))).await;
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    let token = mine.body.split("href=\"/v/").nth(1).and_then(|s| s.split('"').next()).expect("verification link");
    let verification = t.browser().get(&format!("/v/{token}")).await;
    assert!(verification.body.contains("SAH") && verification.body.contains("A*** S*******"));

    // The regency's admin sees the outbox with recipients partly hidden; a village operator does not.
    let admin = t.logged_in("admin.ciamis").await;
    let outbox = admin.get("/staf/pesan").await;
    assert_eq!(outbox.status, 200);
    assert!(outbox.body.contains("as***@contoh.id") && !outbox.body.contains("asep@contoh.id"), "{}", outbox.body);
    // In Indonesian and in the village's zone: "5 Desember 2026, 21.27 WIB", "menunggu", "Email".
    let table = outbox.body.split("<tbody>").nth(1).expect("table");
    assert!(table.contains(" WIB</td><td>Email</td>"), "{table}");
    assert!(table.contains("<td>menunggu") || table.contains("<td>terkirim"), "{table}");
    for english in ["pending", "sent", "failed", "not configured", "UTC"] {
        assert!(!table.contains(english), "{english} in {table}");
    }
    assert_eq!(op.get("/staf/pesan").await.status, 404);
    let _ = &t.clock;
}

#[tokio::test]
async fn the_rest_api_runs_the_letter_flow_with_bearer_tokens_and_json_errors() {
    let t = spawn_app().await;
    // A token is made on the staff member's own page and shown once.
    let op = t.logged_in("operator.sukamulya").await;
    let made = op.post("/staf/token", &[("name", "dasbor kabupaten")]).await;
    assert_eq!(made.status, 200);
    let op_token = made.body.split("<p><code>").nth(1).and_then(|s| s.split('<').next()).expect("token").to_string();
    assert!(op_token.starts_with("balai_"));
    assert!(!op.get("/staf/token").await.body.contains(&op_token), "shown only once");
    let kades_token = t.app.create_api_token(&balai_app::Actor::System, "kades.sukamulya", "tes").await.expect("token");
    let other_token =
        t.app.create_api_token(&balai_app::Actor::System, "operator.cikoneng", "tes").await.expect("token");

    let client = reqwest::Client::new();
    let url = |path: &str| format!("{}/api/v1{path}", t.base);
    let call = |method: reqwest::Method, path: &str, token: &str, body: Option<serde_json::Value>| {
        let mut request = client.request(method, url(path));
        if !token.is_empty() {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        async move {
            let response = request.send().await.expect("send");
            let status = response.status().as_u16();
            let json: serde_json::Value = response.json().await.unwrap_or_default();
            (status, json)
        }
    };
    use reqwest::Method;
    let queue = "/desa/32.07.06.2001/permohonan";
    let (status, body) = call(Method::GET, queue, "", None).await;
    assert_eq!((status, body["code"].as_str()), (401, Some("unauthenticated")), "{body}");
    assert_eq!(call(Method::GET, queue, "balai_wrong", None).await.0, 401);
    assert_eq!(call(Method::GET, queue, &other_token, None).await.0, 404, "another village's operator");
    let (status, body) = call(Method::GET, queue, &op_token, None).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["requests"].as_array().expect("list").is_empty());
    let (status, body) = call(Method::GET, "/desa/32.07.06.2001/jenis-surat", "", None).await;
    assert_eq!(status, 200);
    assert!(body["letter_types"].as_array().expect("types").len() >= 10);

    // Bad input: a body that is not JSON, a wrong NIK; then a good request.
    let response = client
        .post(url(queue))
        .bearer_auth(&op_token)
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await;
    let response = response.expect("send");
    assert_eq!(response.status().as_u16(), 400);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["code"], "invalid_json");
    let bad = serde_json::json!({"letter_type": "domisili", "nik": "123", "fields": {}});
    let (status, body) = call(Method::POST, queue, &op_token, Some(bad)).await;
    assert_eq!((status, body["code"].as_str()), (422, Some("invalid_input")), "{body}");
    assert!(body["fields"].as_array().expect("fields").iter().any(|f| f["field"] == "nik"));
    let good = serde_json::json!({"letter_type": "domisili", "nik": "3207061205900001", "fields": {"keperluan": "Melamar kerja", "alamat_domisili": "Dusun Sukamulya RT 001/RW 002"}});
    let (status, body) = call(Method::POST, queue, &op_token, Some(good)).await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_str().expect("id").to_string();

    let (status, body) = call(
        Method::POST,
        &format!("/permohonan/{id}/aksi"),
        &op_token,
        Some(serde_json::json!({"action": "verifikasi"})),
    )
    .await;
    assert_eq!((status, body["state"].as_str()), (200, Some("menunggu_tanda_tangan")), "{body}");
    assert_eq!(
        call(Method::POST, &format!("/permohonan/{id}/tandatangani"), &op_token, None).await.0,
        404,
        "operators do not sign"
    );
    let (status, letter) = call(Method::POST, &format!("/permohonan/{id}/tandatangani"), &kades_token, None).await;
    assert_eq!(status, 201, "{letter}");
    let (status, again) = call(Method::POST, &format!("/permohonan/{id}/tandatangani"), &kades_token, None).await;
    assert_eq!((status, again["code"].as_str()), (409, Some("already_done")));
    let (status, view) = call(Method::GET, &format!("/permohonan/{id}"), &op_token, None).await;
    assert_eq!((status, view["state"].as_str()), (200, Some("selesai")));
    assert_eq!(view["letter"]["number"], letter["number"]);
    let pdf = client.get(url(&format!("/permohonan/{id}/surat.pdf"))).bearer_auth(&op_token).send().await.expect("pdf");
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let token = letter["verification_url"].as_str().expect("url").rsplit('/').next().expect("token").to_string();
    let (status, verified) = call(Method::GET, &format!("/verifikasi/{token}"), "", None).await;
    assert_eq!(
        (status, verified["status"].as_str(), verified["name"].as_str()),
        (200, Some("valid"), Some("A*** S*******"))
    );
    assert!(!verified.to_string().contains("3207061205900001"), "no NIK in public verification");
    let (status, body) = call(Method::GET, "/tidak-ada", &op_token, None).await;
    assert_eq!((status, body["code"].as_str()), (404, Some("not_found")));

    // A revoked token stops working at once.
    let page = op.get("/staf/token").await;
    let token_id = page.body.split("name=\"id\" value=\"").nth(1).and_then(|s| s.split('"').next()).expect("id");
    assert_eq!(op.post("/staf/token/cabut", &[("id", token_id)]).await.status, 303);
    assert_eq!(call(Method::GET, queue, &op_token, None).await.0, 401);
}

#[tokio::test]
async fn village_staff_search_and_import_the_register_and_edit_their_letter_settings() {
    let t = spawn_app().await;
    let op = t.logged_in("operator.sukamulya").await;
    let other = t.logged_in("operator.cikoneng").await;
    let register = "/staf/desa/32.07.06.2001/penduduk";
    let found = op.get(&format!("{register}?q=asep")).await;
    assert!(found.body.contains("3207061205900001") && found.body.contains("Asep Saepudin"), "{}", found.body);
    assert_eq!(other.get(&format!("{register}?q=asep")).await.status, 404);
    assert_eq!(t.browser().get(register).await.status, 303);

    // A file with a bad line is refused whole, naming the line; a good one is imported.
    op.get(register).await;
    let bad = "nik,no_kk,nama\n3207061205900011,3207060101200009,Budi\n1234,3207060101200009,Salah\n";
    let page = op
        .post_files(
            &format!("{register}/impor"),
            &[],
            &[("berkas", "penduduk.csv", bad.as_bytes().to_vec())],
            Some(csrf_of(&op)),
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("line 3"), "{}", page.body);
    assert!(!op.get(&format!("{register}?q=budi")).await.body.contains("3207061205900011"), "nothing written");
    let good = "nik,no_kk,nama\n3207061205900011,3207060101200009,Budi Cisontról\n";
    let page = op
        .post_files(
            &format!("{register}/impor"),
            &[],
            &[("berkas", "penduduk.csv", good.as_bytes().to_vec())],
            Some(csrf_of(&op)),
        )
        .await;
    assert!(page.body.contains("1 penduduk baru"), "{}", page.body);
    assert!(op.get(&format!("{register}?q=cisontr")).await.body.contains("Budi Cisontról"));

    // Letter settings: bad format and a template that does not compile are refused; A4 is saved.
    let settings = "/staf/desa/32.07.06.2001/surat/pengaturan";
    assert_eq!(op.get(settings).await.status, 200);
    assert_eq!(other.get(settings).await.status, 404);
    let form = |format: &'static str, template: &'static str| {
        vec![("number_format", format), ("counter_scope", "semua"), ("paper", "a4"), ("template", template)]
    };
    let page = op.post(settings, &form("{nomor:03}/{tidak_ada}", "")).await;
    assert_eq!(page.status, 422, "{}", page.body);
    let page = op.post(settings, &form("{kode}/{nomor:03}/{kode_desa}/{bulan_romawi}/{tahun}", "#let x = (")).await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Templat tidak dapat dipakai"), "{}", page.body);
    let page = op.post(settings, &form("{kode}/{nomor:03}/{kode_desa}/{bulan_romawi}/{tahun}", "")).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let preview = op.send(op.client.get(format!("{}/staf/desa/32.07.06.2001/surat/pratinjau.pdf", op.base))).await;
    assert_eq!((preview.status, preview.headers["content-type"].to_str().ok()), (200, Some("application/pdf")));

    // A letter type: a body naming an unknown field is refused; switching it off-line is saved.
    let sktm = "/staf/desa/32.07.06.2001/surat/jenis/sktm";
    let page = op.get(sktm).await;
    assert!(page.body.contains("Surat Keterangan Tidak Mampu"));
    let village = balai_domain::wilayah::KodeWilayah::parse("32.07.06.2001").expect("code");
    let current = t.app.letter_catalogue(&village).await.expect("catalogue");
    let current = &current.iter().find(|t| t.spec.slug == "sktm").expect("sktm").spec;
    let field_lines = balai_domain::surat::catalogue_text::fields_to_lines(&current.fields);
    let attachment_lines = balai_domain::surat::catalogue_text::attachments_to_lines(&current.attachments)
        .replace("kk | Foto Kartu Keluarga | wajib", "kk | Foto Kartu Keluarga | boleh kosong");
    let fields = |body: &'static str, online: bool| {
        let mut f = vec![
            ("fields", field_lines.as_str()),
            ("attachments", attachment_lines.as_str()),
            ("name", "Surat Keterangan Tidak Mampu"),
            ("active", "1"),
            ("jangka_waktu_hari", "2"),
            ("biaya", "Gratis"),
            ("persyaratan", "KTP\nKK"),
            ("prosedur", "Ajukan\nAmbil"),
            ("body", body),
            ("validity_days", "180"),
            ("number_format", ""),
        ];
        if online {
            f.push(("online", "1"));
        }
        f
    };
    let page = op.post(sktm, &fields("Untuk {{tidak_ada}}.", true)).await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("tidak ada isian itu"), "{}", page.body);
    let mut bad_fields = fields("Untuk keperluan {{keperluan}}.", true);
    bad_fields[0] = ("fields", "keperluan | Keperluan | warna | wajib");
    let page = op.post(sktm, &bad_fields).await;
    assert!(page.status == 422 && page.body.contains("Baris 1"), "{}", page.body);
    let page = op.post(sktm, &fields("Untuk keperluan {{keperluan}}.", false)).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let catalogue = t.app.letter_catalogue(&village).await.expect("catalogue");
    let sktm = catalogue.iter().find(|t| t.spec.slug == "sktm").expect("sktm");
    assert_eq!((sktm.spec.online, sktm.spec.standar.jangka_waktu_hari), (false, 2));
    assert!(!sktm.spec.attachments.iter().find(|a| a.name == "kk").expect("kk").required);
}

// ---- reports (pengaduan) ----

fn road_report_fields<'a>(key: &'a str, title: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("idempotency_key", key),
        ("kind", "pengaduan"),
        ("category", "pekerjaan-umum-dan-penataan-ruang"),
        ("region", "32.07.06.2001"),
        ("title", title),
        ("description", "Jalan desa di Dusun Cibodas berlubang sepanjang 200 meter."),
        ("email", "pelapor@example.org"),
        ("anonymous", "1"),
    ]
}

/// The code in a `/lapor/lacak/{code}?baru=1` redirect.
fn tracking_code_of(page: &Page) -> String {
    let location = page.location();
    let rest = location.strip_prefix("/lapor/lacak/").unwrap_or_else(|| panic!("not a tracking redirect: {location}"));
    rest.split('?').next().expect("code").to_string()
}

#[tokio::test]
async fn an_anonymous_report_goes_from_the_form_to_a_rated_answer_over_http() {
    let t = spawn_app().await;
    let visitor = t.browser();
    let form = visitor.get("/lapor?desa=32.07.06.2001").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("name=\"idempotency_key\""));
    assert!(form.body.len() < 12_000, "form page is {} bytes", form.body.len());
    let token = visitor.cookie("balai_csrf").expect("csrf");

    // Without the CSRF token: refused, nothing stored.
    let title = "Jalan rusak <script>alert('x')</script>";
    let refused = visitor.post_files("/lapor", &road_report_fields("k1", title), &[], None).await;
    assert_eq!(refused.status, 403);
    assert_eq!(t.app.store().count_reports().await.expect("count"), 0);

    // Sent twice (a double click): one report, both answers lead to the same code.
    let files = vec![("berkas1", "jalan.jpg", JPEG.to_vec())];
    let first = visitor.post_files("/lapor", &road_report_fields("k1", title), &files, Some(token.clone())).await;
    assert_eq!(first.status, 303, "{}", first.body);
    let second = visitor.post_files("/lapor", &road_report_fields("k1", title), &files, Some(token.clone())).await;
    assert_eq!(tracking_code_of(&first), tracking_code_of(&second));
    assert_eq!(t.app.store().count_reports().await.expect("count"), 1);
    let code = tracking_code_of(&first);

    // The tracking page: the code, the deadline, the title escaped; no login needed.
    let page = t.browser().get(&format!("/lapor/lacak/{code}?baru=1")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&format!("{}-{}", &code[..5], &code[5..])));
    assert!(page.body.contains("26 November 2026"), "verification deadline shown");
    assert!(page.body.contains("&#60;script&#62;") && !page.body.contains("<script>"), "escaped");
    assert!(page.body.contains("jalan.jpg"));
    // Lower-case and hyphenated codes find it; a mistyped one is explained.
    let found = t.browser().get(&format!("/lapor/lacak?kode={}-{}", &code[..5].to_lowercase(), &code[5..])).await;
    assert_eq!(found.location(), format!("/lapor/lacak/{code}"));
    let mut forged = code.clone();
    let last = forged.pop().expect("char");
    forged.push(if last == '0' { '1' } else { '0' });
    let wrong = t.browser().get(&format!("/lapor/lacak?kode={forged}")).await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.body.contains("tidak valid"));
    assert_eq!(t.browser().get(&format!("/lapor/lacak/{forged}")).await.status, 422);

    // The coordinator verifies and disposes it to Dinas PUPR.
    let report = t.app.store().report(&code).await.expect("load").expect("exists");
    let admin = t.logged_in("admin.ciamis").await;
    let inbox = admin.get("/staf/lapor").await;
    assert!(inbox.body.contains(&report.public_id));
    let staff_page = admin.get(&format!("/staf/lapor/{}", report.public_id)).await;
    assert!(staff_page.body.contains("pelapor@example.org"), "the coordinator sees the contact");
    // The office cannot see or answer it before disposition.
    let pupr = t.logged_in("pupr.ciamis").await;
    assert_eq!(pupr.get(&format!("/staf/lapor/{}", report.public_id)).await.status, 404);
    let early =
        pupr.post(&format!("/staf/lapor/{}/aksi", report.public_id), &[("action", "tanggapi"), ("text", "x")]).await;
    assert_eq!(early.status, 404);
    let disposed = admin
        .post(
            &format!("/staf/lapor/{}/aksi", report.public_id),
            &[("action", "disposisi"), ("handler", "opd:dinas-pupr"), ("tier", "normatif")],
        )
        .await;
    assert_eq!(disposed.status, 303, "{}", disposed.body);

    // The office: in its inbox; the reporter is anonymous to it; it answers and closes.
    assert!(pupr.get("/staf/lapor").await.body.contains(&report.public_id));
    let office_page = pupr.get(&format!("/staf/lapor/{}", report.public_id)).await;
    assert!(!office_page.body.contains("pelapor@example.org"));
    let path = format!("/staf/lapor/{}/aksi", report.public_id);
    assert_eq!(pupr.post(&path, &[("action", "tanggapi"), ("text", "Akan ditambal <b>besok</b>.")]).await.status, 303);
    assert_eq!(pupr.post(&path, &[("action", "catatan"), ("text", "Anggaran pemeliharaan rutin")]).await.status, 303);
    assert_eq!(pupr.post(&path, &[("action", "selesaikan"), ("text", "Sudah ditambal.")]).await.status, 303);
    // A second click on "done": a clear 409, nothing changes.
    let again = pupr.post(&path, &[("action", "selesaikan"), ("text", "Sudah ditambal.")]).await;
    assert_eq!(again.status, 409);

    // Public: listed and searchable, never the reporter, never internal notes.
    let listed = t.browser().get("/lapor/publik?q=berlubang").await;
    assert!(listed.body.contains(&report.public_id));
    assert!(!listed.body.contains("pelapor@example.org"));
    let public = t.browser().get(&format!("/lapor/publik/{}", report.public_id)).await;
    assert_eq!(public.status, 200);
    assert!(public.body.contains("Akan ditambal &#60;b&#62;besok&#60;/b&#62;."));
    assert!(!public.body.contains("Anggaran pemeliharaan"));
    assert!(!public.body.contains(&code), "the tracking code is the reporter's key");
    assert!(t.browser().get("/lapor/kinerja").await.body.contains("Dinas Pekerjaan Umum"));

    // The reporter rates it, once.
    let rated = visitor.post(&format!("/lapor/lacak/{code}/nilai"), &[("rating", "5"), ("text", "Cepat")]).await;
    assert_eq!(rated.status, 303);
    let twice = visitor.post(&format!("/lapor/lacak/{code}/nilai"), &[("rating", "4"), ("text", "")]).await;
    assert_eq!(twice.status, 409);
    assert!(visitor.get(&format!("/lapor/lacak/{code}")).await.body.contains("5 dari 5"));
}

#[tokio::test]
async fn report_input_is_checked_and_oversize_uploads_refused() {
    let t = spawn_app().await;
    let visitor = t.browser();
    visitor.get("/lapor").await;
    let token = visitor.cookie("balai_csrf").expect("csrf");
    let long = "a".repeat(4001);
    let mut fields = road_report_fields("k2", "Judul");
    fields.retain(|(k, _)| *k != "description");
    fields.push(("description", &long));
    let page = visitor.post_files("/lapor", &fields, &[], Some(token.clone())).await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("4001 karakter"), "the count is explained");
    assert!(page.body.contains("Judul"), "what was typed is kept");
    // A fake image and too many files.
    let fake = vec![("berkas1", "foto.jpg", b"<html>not an image</html>".to_vec())];
    let page = visitor.post_files("/lapor", &road_report_fields("k3", "Judul"), &fake, Some(token.clone())).await;
    assert_eq!(page.status, 422);
    let four: Vec<(&str, &str, Vec<u8>)> =
        (0..4).map(|i| (["berkas1", "berkas2", "berkas3", "berkas4"][i], "a.png", PNG.to_vec())).collect();
    let page = visitor.post_files("/lapor", &road_report_fields("k4", "Judul"), &four, Some(token.clone())).await;
    assert_eq!(page.status, 422);
    // 20 MB: over the route's limit, a clear 413.
    let huge = vec![("berkas1", "besar.jpg", vec![0xFF; 20 * 1024 * 1024])];
    let page = visitor.post_files("/lapor", &road_report_fields("k5", "Judul"), &huge, Some(token)).await;
    assert_eq!(page.status, 413);
    assert_eq!(t.app.store().count_reports().await.expect("count"), 0);
}

/// The OpenAPI 3.1 document lists every `/api/v1` route, each answered by a real handler (not
/// the unknown-address fallback), with its response types.
#[tokio::test]
async fn the_openapi_document_lists_every_api_route() {
    let t = spawn_app().await;
    let client = reqwest::Client::new();
    let doc: serde_json::Value = client
        .get(format!("{}/api/v1/openapi.json", t.base))
        .send()
        .await
        .expect("openapi")
        .json()
        .await
        .expect("json");
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")), "{}", doc["openapi"]);
    let paths = doc["paths"].as_object().expect("paths");
    let mut documented: Vec<(String, String)> = paths
        .iter()
        .flat_map(|(path, item)| {
            item.as_object().expect("item").keys().map(move |method| (method.clone(), path.clone()))
        })
        .collect();
    documented.sort();
    let mut expected: Vec<(String, String)> = [
        ("get", "/api/v1/desa/{code}/jenis-surat"),
        ("get", "/api/v1/desa/{code}/permohonan"),
        ("post", "/api/v1/desa/{code}/permohonan"),
        ("get", "/api/v1/permohonan/{id}"),
        ("post", "/api/v1/permohonan/{id}/aksi"),
        ("post", "/api/v1/permohonan/{id}/tandatangani"),
        ("get", "/api/v1/permohonan/{id}/surat.pdf"),
        ("get", "/api/v1/verifikasi/{token}"),
    ]
    .iter()
    .map(|(m, p)| (m.to_string(), p.to_string()))
    .collect();
    expected.sort();
    assert_eq!(documented, expected);
    for (method, path) in &documented {
        let url = format!(
            "{}{}",
            t.base,
            path.replace("{code}", "32.07.06.2001").replace("{id}", "x").replace("{token}", "x")
        );
        let request = if method == "post" { client.post(&url).json(&serde_json::json!({})) } else { client.get(&url) };
        let reply = request.send().await.expect("request");
        let status = reply.status().as_u16();
        let body = reply.text().await.expect("body");
        assert!(!body.contains("Alamat API ini tidak ada"), "{method} {path} is not served: {status} {body}");
    }
    // An address outside the document is the fallback's JSON 404.
    let unknown = client.get(format!("{}/api/v1/tidak-ada", t.base)).send().await.expect("unknown");
    assert_eq!(unknown.status(), 404);
    assert!(unknown.text().await.expect("body").contains("Alamat API ini tidak ada"));

    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    for schema in ["RequestDetail", "Queue", "Letter", "ErrorBody", "NewRequestBody", "VerificationBody"] {
        assert!(doc["components"]["schemas"][schema].is_object(), "schema {schema} missing");
    }
    let detail = &doc["paths"]["/api/v1/permohonan/{id}"]["get"]["responses"]["200"];
    assert_eq!(detail["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/RequestDetail");
}

/// The visible inputs, selects and textareas of a page with no label naming them (`<label
/// for=…>`) and not inside one (a radio or checkbox): what a screen reader could not read out.
fn unlabelled_fields(body: &str) -> Vec<String> {
    let mut unlabelled = Vec::new();
    for (at, _) in body.match_indices('<').filter(|(at, _)| {
        let rest = &body[*at..];
        rest.starts_with("<input") || rest.starts_with("<select") || rest.starts_with("<textarea")
    }) {
        let tag = &body[at..at + body[at..].find('>').expect("tag end")];
        if tag.contains("type=\"hidden\"") || tag.contains("type=\"submit\"") {
            continue;
        }
        let inside_label = body[..at].rfind("<label").is_some_and(|open| !body[open..at].contains("</label>"));
        let id = tag.split("id=\"").nth(1).and_then(|s| s.split('"').next());
        let labelled = id.is_some_and(|id| body.contains(&format!("for=\"{id}\"")));
        if !(inside_label || labelled) {
            unlabelled.push(tag.to_string());
        }
    }
    unlabelled
}

/// Every visible field of the citizen forms has a label.
#[tokio::test]
async fn every_form_field_of_the_citizen_pages_has_a_label() {
    let t = spawn_app().await;
    let b = t.browser();
    for path in ["/lapor", "/masuk", "/desa/32.07.06.2001/ppid/minta", "/lapor/lacak"] {
        let page = b.get(path).await;
        assert_eq!(page.status, 200, "{path}");
        let unlabelled = unlabelled_fields(&page.body);
        assert!(unlabelled.is_empty(), "{path}: fields without a label: {unlabelled:?}");
    }
}

/// The hidden fields of a page's form, unescaped, without the CSRF token (`post` adds it).
fn hidden_fields(body: &str) -> Vec<(String, String)> {
    let unescape = |s: &str| {
        s.replace("&#60;", "<").replace("&#62;", ">").replace("&#34;", "\"").replace("&#39;", "'").replace("&#38;", "&")
    };
    body.split("<input type=\"hidden\" name=\"")
        .skip(1)
        .filter_map(|rest| {
            let (name, rest) = rest.split_once('"')?;
            let value = rest.strip_prefix(" value=\"")?.split('"').next()?;
            Some((name.to_string(), unescape(value)))
        })
        .filter(|(name, _)| name != "csrf")
        .collect()
}

/// The page's hidden fields with `answers` set over them, as the browser would post them.
fn answered(page: &Page, answers: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> =
        hidden_fields(&page.body).into_iter().filter(|(name, _)| answers.iter().all(|(a, _)| a != name)).collect();
    fields.extend(answers.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    fields
}

fn as_pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// The report form as GOV.UK question pages: a few questions a page, what was typed carried from
/// page to page (back and "change" included) without storing anything, a check page with the
/// answers in words and the attachments, and only then one report.
#[tokio::test]
async fn a_report_is_written_over_question_pages_checked_and_sent_once() {
    let t = spawn_app().await;
    let b = t.browser();
    let first = b.get("/lapor?desa=32.07.06.2001").await;
    assert!(first.body.contains("Langkah 1 dari 5"), "{}", first.body);
    assert!(first.body.contains("value=\"32.07.06.2001\" selected"), "the village the link named is chosen");
    assert!(!first.body.contains("id=\"title\""), "one thing at a time: the title is on a later page");

    let step = |page: &Page, answers: &[(&str, &str)]| answered(page, answers);
    let jenis = [
        ("kind", "pengaduan"),
        ("region", "32.07.06.2001"),
        ("category", "pekerjaan-umum-dan-penataan-ruang"),
        ("go", "lanjut"),
    ];
    let isi_page = b.post("/lapor/langkah", &as_pairs(&step(&first, &jenis))).await;
    assert_eq!(isi_page.status, 200, "{}", isi_page.body);
    assert!(isi_page.body.contains("Langkah 2 dari 5") && isi_page.body.contains("id=\"title\""));
    assert!(unlabelled_fields(&isi_page.body).is_empty());

    // A missing title: the same page again, the problem named, the other answers still carried.
    let empty = b.post("/lapor/langkah", &as_pairs(&step(&isi_page, &[("title", ""), ("go", "lanjut")]))).await;
    assert_eq!(empty.status, 422);
    assert!(empty.body.contains("Langkah 2 dari 5") && empty.body.contains("error-summary"), "{}", empty.body);
    assert!(hidden_fields(&empty.body).contains(&("category".into(), "pekerjaan-umum-dan-penataan-ruang".into())));

    let title = "Jalan \"Cibodas\" rusak & <licin>";
    let description = "Berlubang sepanjang 200 meter.\nMotor sering tergelincir.";
    let lokasi_page = b
        .post(
            "/lapor/langkah",
            &as_pairs(&step(&empty, &[("title", title), ("description", description), ("go", "lanjut")])),
        )
        .await;
    assert_eq!(lokasi_page.status, 200, "{}", lokasi_page.body);
    assert!(lokasi_page.body.contains("Langkah 3 dari 5"));

    // Back: the title page shows what was typed, escaped in its field.
    let back = b.post("/lapor/langkah", &as_pairs(&step(&lokasi_page, &[("go", "kembali")]))).await;
    assert!(back.body.contains("Langkah 2 dari 5"));
    assert!(back.body.contains("value=\"Jalan &#34;Cibodas&#34; rusak &#38; &#60;licin&#62;\""), "{}", back.body);

    let wrong_place = b
        .post("/lapor/langkah", &as_pairs(&step(&lokasi_page, &[("lat", "-95"), ("long", "108.35"), ("go", "lanjut")])))
        .await;
    assert_eq!(wrong_place.status, 422, "an impossible latitude is refused on its own page");
    assert!(wrong_place.body.contains("Langkah 3 dari 5"));
    let kontak_page = b
        .post("/lapor/langkah", &as_pairs(&step(&lokasi_page, &[("address", "Depan SD Negeri 1"), ("go", "lanjut")])))
        .await;
    assert!(kontak_page.body.contains("Langkah 4 dari 5"), "{}", kontak_page.body);
    assert!(unlabelled_fields(&kontak_page.body).is_empty());
    let no_contact = b.post("/lapor/langkah", &as_pairs(&step(&kontak_page, &[("go", "lanjut")]))).await;
    assert_eq!(no_contact.status, 422);
    assert!(no_contact.body.contains("Isi email atau nomor WhatsApp"), "{}", no_contact.body);

    let contact = [("email", "pelapor@example.org"), ("anonymous", "1"), ("go", "lanjut")];
    let check = b.post("/lapor/langkah", &as_pairs(&step(&kontak_page, &contact))).await;
    assert_eq!(check.status, 200, "{}", check.body);
    assert!(check.body.contains("Langkah 5 dari 5") && check.body.contains("Periksa kembali laporan Anda"));
    for shown in [
        "Pengaduan",
        "Sukamulya, Kecamatan",
        "Pekerjaan Umum",
        "rusak &#38; &#60;licin&#62;",
        "Depan SD Negeri 1",
        "Anonim",
    ] {
        assert!(check.body.contains(shown), "check page shows {shown}: {}", check.body);
    }
    assert!(unlabelled_fields(&check.body).is_empty(), "the file inputs are labelled");
    assert_eq!(t.app.store().count_reports().await.expect("count"), 0, "nothing is stored before it is sent");

    // Change the title from the check page: "save" leads straight back to the check page.
    let change = b.post("/lapor/langkah", &as_pairs(&step(&check, &[("go", "ubah-isi")]))).await;
    assert!(change.body.contains("Langkah 2 dari 5") && change.body.contains("Simpan dan kembali ke pemeriksaan"));
    let new_title = "Jalan Cibodas rusak parah";
    let checked_again = b
        .post(
            "/lapor/langkah",
            &as_pairs(&step(&change, &[("title", new_title), ("description", description), ("go", "lanjut")])),
        )
        .await;
    assert!(checked_again.body.contains("Langkah 5 dari 5") && checked_again.body.contains(new_title));

    // Sent with a photo from the check page: one report with every answer.
    let fields = hidden_fields(&checked_again.body);
    let files = vec![("berkas1", "jalan.jpg", JPEG.to_vec())];
    let sent = b.post_files("/lapor", &as_pairs(&fields), &files, Some(csrf_of(&b))).await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let report = t.app.store().report(&tracking_code_of(&sent)).await.expect("read").expect("stored");
    assert_eq!(report.title, new_title);
    assert_eq!(report.description, description);
    assert_eq!((report.address.as_str(), report.anonymous), ("Depan SD Negeri 1", true));
    assert_eq!(t.app.store().count_reports().await.expect("count"), 1);

    // An information request to a village goes to its PPID right after the first page.
    let info =
        [("kind", "permintaan_informasi"), ("region", "32.07.06.2001"), ("category", "kependudukan"), ("go", "lanjut")];
    let ppid = b.post("/lapor/langkah", &as_pairs(&step(&first, &info))).await;
    assert_eq!(ppid.status, 303);
    assert!(ppid.location().starts_with("/desa/32.07.06.2001/ppid/minta?dari=lapor"), "{}", ppid.location());
}
