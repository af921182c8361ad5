//! The installable web app: the manifest, its icons (drawn here, so no image file is kept or
//! fetched), the favicon, the service worker that keeps visited public pages readable offline,
//! the script that installs it, and the page shown offline for a page never visited.
//!
//! Which responses the worker may keep is decided here, on the server ([`may_keep_offline`]):
//! public pages and photos, seen by someone who is not signed in. Nothing from a staff or
//! resident session, no tracking page, no form is kept on a phone that others may use.

use std::sync::LazyLock;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use image::{Rgba, RgbaImage, imageops};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::extract::{Layout, RESIDENT_COOKIE, SESSION_COOKIE, cookie};

/// The response header that lets the service worker keep a response.
pub const KEEP_HEADER: &str = "x-balai-luring";

const SERVICE_WORKER: &str = include_str!("../static/sw.js");
const INSTALLER: &str = include_str!("../static/app.js");
/// The portal's colour (the stylesheet's `--brand`).
const BRAND: [u8; 3] = [0x0b, 0x5d, 0x3b];

static INSTALLER_PATH: LazyLock<String> =
    LazyLock::new(|| format!("/static/app.{}.js", hex::encode(&Sha256::digest(INSTALLER.as_bytes())[..6])));

static WORKER: LazyLock<String> = LazyLock::new(|| SERVICE_WORKER.replace("__CSS_URL__", &crate::assets::css_url()));

static ICONS: LazyLock<[Vec<u8>; 3]> = LazyLock::new(|| [draw_icon(32), draw_icon(192), draw_icon(512)]);

/// The script that installs the service worker, for the base template.
pub fn installer_url() -> &'static str {
    &INSTALLER_PATH
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/manifest.webmanifest", get(manifest))
        .route("/sw.js", get(worker))
        .route("/favicon.ico", get(|| async { icon(0) }))
        .route("/ikon-192.png", get(|| async { icon(1) }))
        .route("/ikon-512.png", get(|| async { icon(2) }))
        .route("/luring", get(offline_page))
        .route(&INSTALLER_PATH, get(installer))
}

/// Whether the worker may keep this response for offline reading: a page or photo of the public
/// portal, asked for by someone with no staff or resident session.
pub fn may_keep_offline(path: &str, request_headers: &HeaderMap) -> bool {
    let signed_in = [SESSION_COOKIE, RESIDENT_COOKIE].iter().any(|c| cookie(request_headers, c).is_some());
    if signed_in {
        return false;
    }
    let public_page = path == "/"
        || path == "/luring"
        || path.starts_with("/wilayah/")
        || path.starts_with("/berita/foto/")
        || path.starts_with("/ppid/dip/")
        || path == "/lapor/publik"
        || path.starts_with("/lapor/publik/")
        || path == "/lapor/kinerja";
    let village_page = path.strip_prefix("/desa/").is_some_and(|rest| {
        let mut parts = rest.split('/');
        let _code = parts.next();
        // The village page, its services, news and PPID pages; not its forms or documents.
        matches!(
            (parts.next(), parts.next(), parts.next()),
            (None, ..) | (Some("layanan" | "berita" | "ppid"), None, _) | (Some("berita"), Some(_), None)
        )
    });
    public_page || village_page
}

async fn manifest(State(state): State<AppState>) -> Response {
    let body = serde_json::json!({
        "name": format!("Balai — {}", state.site_name),
        "short_name": "Balai",
        "description": "Layanan surat, pengaduan dan informasi publik desa.",
        "lang": "id",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b5d3b",
        "icons": [
            {"src": "/ikon-192.png", "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": "/ikon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {"src": "/ikon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "maskable"}
        ]
    });
    (
        [(header::CONTENT_TYPE, "application/manifest+json"), (header::CACHE_CONTROL, "public, max-age=86400")],
        body.to_string(),
    )
        .into_response()
}

async fn worker() -> Response {
    // Browsers check for a new worker at most daily anyway; no-cache makes a new release count
    // at the next visit.
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        WORKER.as_str(),
    )
        .into_response()
}

async fn installer() -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable")),
        ],
        INSTALLER,
    )
        .into_response()
}

fn icon(index: usize) -> Response {
    ([(header::CONTENT_TYPE, "image/png"), (header::CACHE_CONTROL, "public, max-age=86400")], ICONS[index].clone())
        .into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "luring.html")]
struct OfflinePage {
    layout: Layout,
}

/// Shown by the worker for a page never visited while the phone is offline. Rendered as for a
/// visitor whatever the session, since it is kept and shown to anyone using the phone.
async fn offline_page(State(state): State<AppState>) -> OfflinePage {
    OfflinePage {
        layout: Layout {
            site_name: state.site_name.to_string(),
            css_url: crate::assets::css_url(),
            csrf: String::new(),
            user: None,
            resident: None,
        },
    }
}

/// The app icon: a white balai (an open village hall: roof, floor and pillars) on the portal's
/// green, drawn four times larger and shrunk for smooth edges. Everything sits in the middle 60 %,
/// so a launcher's round or squircle mask ("maskable") cuts nothing off.
fn draw_icon(size: u32) -> Vec<u8> {
    let big = size * 4;
    let s = big as f32;
    let green = Rgba([BRAND[0], BRAND[1], BRAND[2], 255]);
    let white = Rgba([255, 255, 255, 255]);
    let mut canvas = RgbaImage::from_pixel(big, big, green);
    let (left, right) = (0.2 * s, 0.8 * s);
    let (peak, eave) = (0.22 * s, 0.45 * s);
    let (floor_top, floor_bottom) = (0.7 * s, 0.78 * s);
    let pillar = 0.07 * s;
    for (x, y, px) in canvas.enumerate_pixels_mut() {
        let (x, y) = (x as f32 + 0.5, y as f32 + 0.5);
        // Roof: a triangle from the peak down to the eaves.
        let half_width = (right - left) / 2.0 * (y - peak) / (eave - peak);
        let roof = (peak..=eave).contains(&y) && (x - s / 2.0).abs() <= half_width;
        let floor = (floor_top..=floor_bottom).contains(&y) && (left..=right).contains(&x);
        let pillars = (eave..floor_top).contains(&y)
            && [0.27 * s, 0.5 * s - pillar / 2.0, 0.73 * s - pillar]
                .iter()
                .any(|&start| (start..start + pillar).contains(&x));
        if roof || floor || pillars {
            *px = white;
        }
    }
    let small = imageops::resize(&canvas, size, size, imageops::FilterType::Triangle);
    let mut png = Vec::new();
    image::DynamicImage::ImageRgba8(small)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .map(|()| png)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icons_are_pngs_of_their_size_with_the_hall_in_the_middle() {
        for (index, size) in [(0, 32), (1, 192), (2, 512)] {
            let picture = image::load_from_memory(&ICONS[index]).expect("a PNG").to_rgba8();
            assert_eq!(picture.dimensions(), (size, size));
            let corner = picture.get_pixel(1, 1).0;
            assert_eq!(&corner[..3], &BRAND, "green at the corner");
            let floor = picture.get_pixel(size / 2, size * 74 / 100).0;
            assert!(floor[..3].iter().all(|c| *c > 200), "white floor in the middle: {floor:?}");
        }
    }

    #[test]
    fn only_public_pages_of_visitors_are_kept_offline() {
        let visitor = HeaderMap::new();
        let mut staff = HeaderMap::new();
        staff.insert(header::COOKIE, HeaderValue::from_static("balai_csrf=x; balai_session=abc"));
        let mut resident = HeaderMap::new();
        resident.insert(header::COOKIE, HeaderValue::from_static("balai_warga=abc"));
        for kept in [
            "/",
            "/desa/32.07.06.2001",
            "/desa/32.07.06.2001/layanan",
            "/desa/32.07.06.2001/berita",
            "/desa/32.07.06.2001/berita/abc",
            "/desa/32.07.06.2001/ppid",
            "/berita/foto/abc",
            "/ppid/dip/12",
            "/wilayah/32.07",
            "/lapor/publik",
        ] {
            assert!(may_keep_offline(kept, &visitor), "{kept}");
            assert!(!may_keep_offline(kept, &staff), "{kept} for staff");
            assert!(!may_keep_offline(kept, &resident), "{kept} for a resident");
        }
        for never in [
            "/staf",
            "/staf/desa/32.07.06.2001",
            "/warga",
            "/lapor",
            "/lapor/lacak/ABCDE12345",
            "/ppid/lacak/X",
            "/v/token",
            "/langganan/token",
            "/desa/32.07.06.2001/langganan",
            "/desa/32.07.06.2001/ppid/minta",
            "/desa/32.07.06.2001/poster.pdf",
            "/masuk",
            "/ppid/berkas/1",
        ] {
            assert!(!may_keep_offline(never, &visitor), "{never}");
        }
    }
}
