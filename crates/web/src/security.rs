//! Security middleware: response headers, and CSRF protection for every form.
//!
//! CSRF uses a double-submit token: each browser gets a random `balai_csrf` cookie (HttpOnly,
//! SameSite=Lax) and every form carries the same value in a hidden `csrf` field. A state-changing
//! request whose field does not match its cookie, or that a browser marks as cross-site, is
//! refused before any handler runs.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use rand::RngCore;

use crate::error::error_page;
use crate::extract::cookie;
use crate::{AppState, FORM_BODY_LIMIT};

pub const CSRF_COOKIE: &str = "balai_csrf";

/// The CSRF token of this request, for templates (put in request extensions by `csrf`).
#[derive(Clone, Debug)]
pub struct CsrfToken(pub String);

pub async fn headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let keep_offline =
        request.method() == Method::GET && crate::offline::may_keep_offline(request.uri().path(), request.headers());
    let mut response = next.run(request).await;
    if keep_offline && response.status() == StatusCode::OK {
        response.headers_mut().insert(crate::offline::KEEP_HEADER, HeaderValue::from_static("simpan"));
    }
    let h = response.headers_mut();
    let mut set = |name: HeaderName, value: &'static str| {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    };
    set(
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; connect-src 'self'; \
         worker-src 'self'; manifest-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(header::REFERRER_POLICY, "same-origin");
    set(HeaderName::from_static("permissions-policy"), "camera=(), microphone=(), geolocation=(self)");
    set(HeaderName::from_static("cross-origin-opener-policy"), "same-origin");
    // Pages may hold staff data: never cached by shared caches or kept in history stores.
    set(header::CACHE_CONTROL, "no-store");
    if state.secure_cookies {
        set(header::STRICT_TRANSPORT_SECURITY, "max-age=31536000");
    }
    response
}

pub async fn csrf(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let existing = cookie(request.headers(), CSRF_COOKIE).filter(|t| t.len() == 43);
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    // Machine interfaces authenticate with keys and tokens, not cookies: nothing to forge.
    let exempt = ["/api/", "/open311/", "/webhook/"].iter().any(|p| request.uri().path().starts_with(p));
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    if !safe && !exempt && multipart {
        // Uploads are streamed, not buffered here: the `UploadForm` extractor, the only one that
        // reads multipart bodies, checks the token once it has read the fields.
        if request.headers().get("sec-fetch-site").is_some_and(|v| v.as_bytes() == b"cross-site") {
            return csrf_refused(request.uri().path());
        }
        let mut request = request;
        if let Some(token) = existing {
            request.extensions_mut().insert(CsrfToken(token));
        }
        return next.run(request).await;
    }
    if !safe && !exempt {
        let cross_site = request.headers().get("sec-fetch-site").is_some_and(|v| v.as_bytes() == b"cross-site");
        let (parts, body) = request.into_parts();
        let bytes = match axum::body::to_bytes(body, FORM_BODY_LIMIT).await {
            Ok(b) => b,
            Err(_) => {
                return error_page(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "Isian terlalu besar",
                    "Data yang dikirim melebihi batas. Perpendek isian lalu kirim lagi.",
                );
            }
        };
        if !is_utf8_form(&bytes) {
            return error_page(
                StatusCode::BAD_REQUEST,
                "Isian tidak dapat dibaca",
                "Data formulir tidak dapat dibaca. Pastikan teks yang Anda kirim berupa teks biasa (UTF-8), lalu coba lagi.",
            );
        }
        let submitted = form_urlencoded::parse(&bytes).find(|(k, _)| k == "csrf").map(|(_, v)| v.into_owned());
        let valid = match (&existing, submitted) {
            (Some(cookie), Some(field)) => constant_time_eq(cookie.as_bytes(), field.as_bytes()),
            _ => false,
        };
        if cross_site || !valid {
            return csrf_refused(parts.uri.path());
        }
        let mut request = Request::from_parts(parts, Body::from(bytes));
        if let Some(token) = existing {
            request.extensions_mut().insert(CsrfToken(token));
        }
        return next.run(request).await;
    }
    let mut request = request;
    let (token, fresh) = match existing {
        Some(t) => (t, false),
        None => (new_token(), true),
    };
    request.extensions_mut().insert(CsrfToken(token.clone()));
    let mut response = next.run(request).await;
    if fresh {
        set_cookie(&mut response, CSRF_COOKIE, &token, None, state.secure_cookies);
    }
    response
}

/// The page for a form whose CSRF token is missing or wrong (usually an old tab).
pub fn csrf_refused(path: &str) -> Response {
    tracing::info!(%path, "request refused: CSRF token missing or wrong");
    error_page(
        StatusCode::FORBIDDEN,
        "Formulir kedaluwarsa",
        "Formulir ini tidak dapat diproses karena sesinya sudah berakhir. Buka kembali halamannya lalu kirim ulang.",
    )
}

pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Appends a `Set-Cookie` (HttpOnly, SameSite=Lax, Path=/). `max_age` None: a browser-session
/// cookie; `Some(0)`: delete it.
pub fn set_cookie(response: &mut Response, name: &str, value: &str, max_age: Option<i64>, secure: bool) {
    let mut cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        cookie.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        cookie.push_str("; Secure");
    }
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// Whether a form body decodes to UTF-8. Decoders elsewhere replace bad bytes with U+FFFD
/// silently; we refuse them instead, so that garbled text is never stored.
fn is_utf8_form(body: &[u8]) -> bool {
    let mut decoded = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        match body[i] {
            b'%' if i + 2 < body.len() => {
                match std::str::from_utf8(&body[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(byte) => {
                        decoded.push(byte);
                        i += 3;
                        continue;
                    }
                    None => decoded.push(b'%'),
                }
            }
            b'+' => decoded.push(b' '),
            b => decoded.push(b),
        }
        i += 1;
    }
    std::str::from_utf8(&decoded).is_ok()
}

/// The token of an `Authorization: Bearer …` header, as sent.
pub fn bearer_token(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ")
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl IntoResponse for CsrfToken {
    fn into_response(self) -> Response {
        StatusCode::NO_CONTENT.into_response()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn form_bodies_must_decode_to_utf8() {
        assert!(super::is_utf8_form(b"a=Cisontr%C3%B3l&b=x+y&c=100%25"));
        assert!(super::is_utf8_form(b"a=%"), "a stray percent sign is kept as text");
        assert!(!super::is_utf8_form(b"a=%FF%FE"));
        assert!(!super::is_utf8_form(b"a=\xff"));
    }
}
