//! Request extractors: the signed-in staff member, the client's address, the page layout, and a
//! form extractor whose errors are said in Indonesian.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use balai_app::letters::Upload;
use balai_app::{ResidentUser, StaffUser};
use serde::de::DeserializeOwned;

use crate::error::error_page;
use crate::security::CsrfToken;
use crate::{AppState, WebError};

pub const SESSION_COOKIE: &str = "balai_session";
/// A resident's session (separate from staff sessions: one browser may hold both).
pub const RESIDENT_COOKIE: &str = "balai_warga";

/// The value of cookie `name`, if sent.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// What the base template needs on every page.
pub struct Layout {
    pub site_name: String,
    pub css_url: String,
    pub csrf: String,
    pub user: Option<String>,
    /// The signed-in resident's name, when a resident is signed in.
    pub resident: Option<String>,
}

impl Layout {
    /// The script that makes the portal an installable, offline-readable app.
    pub fn script_url(&self) -> &'static str {
        crate::offline::installer_url()
    }
}

/// The signed-in staff member, if any, and the page layout for them.
pub struct Visitor {
    pub user: Option<StaffUser>,
    pub session_token: Option<String>,
    pub resident: Option<ResidentUser>,
    pub resident_token: Option<String>,
    pub csrf: String,
    site_name: String,
}

impl Visitor {
    /// Who this visitor is to the use-cases: the signed-in staff member, else the signed-in
    /// resident, else an anonymous visitor from `ip`.
    pub fn actor(&self, ip: &str) -> balai_app::Actor {
        match (&self.user, &self.resident) {
            (Some(user), _) => balai_app::Actor::Staff(user.clone()),
            (None, Some(resident)) => balai_app::Actor::Resident(resident.clone()),
            (None, None) => balai_app::Actor::Anonymous { ip: ip.to_string() },
        }
    }

    pub fn layout(&self) -> Layout {
        Layout {
            site_name: self.site_name.clone(),
            css_url: crate::assets::css_url(),
            csrf: self.csrf.clone(),
            user: self.user.as_ref().map(|u| u.full_name.clone()),
            resident: self.resident.as_ref().map(|r| r.full_name.clone()),
        }
    }
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = cookie(&parts.headers, SESSION_COOKIE);
        let user = match &token {
            Some(t) => state.app.authenticate(t).await?,
            None => None,
        };
        let resident_token = cookie(&parts.headers, RESIDENT_COOKIE);
        let resident = match &resident_token {
            Some(t) => state.app.authenticate_resident(t).await?,
            None => None,
        };
        let csrf = parts.extensions.get::<CsrfToken>().map(|t| t.0.clone()).unwrap_or_default();
        Ok(Visitor {
            user,
            session_token: token,
            resident,
            resident_token,
            csrf,
            site_name: state.site_name.to_string(),
        })
    }
}

/// A signed-in staff member; visitors who are not are sent to the login page.
pub struct Staff {
    pub user: StaffUser,
    pub visitor: Visitor,
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let visitor = Visitor::from_request_parts(parts, state).await.map_err(IntoResponse::into_response)?;
        match visitor.user.clone() {
            Some(user) => Ok(Staff { user, visitor }),
            None => {
                let next = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/staf");
                let next: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
                Err(Redirect::to(&format!("/masuk?next={next}")).into_response())
            }
        }
    }
}

/// A signed-in resident; visitors who are not are sent to the residents' sign-in page.
pub struct Warga {
    pub resident: ResidentUser,
    pub visitor: Visitor,
}

impl Warga {
    pub fn actor(&self) -> balai_app::Actor {
        balai_app::Actor::Resident(self.resident.clone())
    }
}

impl FromRequestParts<AppState> for Warga {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let visitor = Visitor::from_request_parts(parts, state).await.map_err(IntoResponse::into_response)?;
        match visitor.resident.clone() {
            Some(resident) => Ok(Warga { resident, visitor }),
            None => {
                let next = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/warga");
                let next: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
                Err(Redirect::to(&format!("/warga/masuk?next={next}")).into_response())
            }
        }
    }
}

/// A multipart form with files (`lampiran_{requirement}` inputs) and text fields, read with the
/// route's body limit. Its CSRF token is checked here: the middleware does not buffer uploads.
pub struct UploadForm {
    pub fields: BTreeMap<String, String>,
    pub files: Vec<Upload>,
}

/// Largest text field in an upload form (the same as a whole ordinary form).
const MAX_TEXT_FIELD: usize = crate::FORM_BODY_LIMIT;

impl FromRequest<AppState> for UploadForm {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let cookie_token = cookie(request.headers(), crate::security::CSRF_COOKIE);
        let path = request.uri().path().to_string();
        let unreadable = || {
            error_page(
                StatusCode::BAD_REQUEST,
                "Isian tidak dapat dibaca",
                "Data formulir tidak dapat dibaca. Muat ulang halamannya lalu kirim lagi.",
            )
        };
        let too_large = || {
            error_page(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Berkas terlalu besar",
                "Berkas yang dikirim melebihi batas. Setiap lampiran paling besar 5 MB; perkecil fotonya lalu kirim lagi.",
            )
        };
        let mut multipart = axum::extract::Multipart::from_request(request, state).await.map_err(|e| {
            tracing::info!(error = %e, "unreadable upload form");
            unreadable()
        })?;
        let mut fields = BTreeMap::new();
        let mut files = Vec::new();
        loop {
            let field = match multipart.next_field().await {
                Ok(Some(field)) => field,
                Ok(None) => break,
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
                Err(_) => return Err(unreadable()),
            };
            let name = field.name().unwrap_or_default().to_string();
            match field.file_name().map(str::to_string) {
                Some(file_name) => {
                    let bytes = match field.bytes().await {
                        Ok(b) => b,
                        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
                        Err(_) => return Err(unreadable()),
                    };
                    // A file input left empty still sends a part with no name and no bytes.
                    if bytes.is_empty() && file_name.is_empty() {
                        continue;
                    }
                    // Attachment inputs are named `lampiran_{requirement}`; other file inputs keep their name.
                    let requirement = name.strip_prefix("lampiran_").unwrap_or(&name).to_string();
                    files.push(Upload { requirement, file_name, bytes: bytes.to_vec() });
                }
                None => {
                    let bytes = match field.bytes().await {
                        Ok(b) if b.len() <= MAX_TEXT_FIELD => b,
                        Ok(_) => return Err(too_large()),
                        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
                        Err(_) => return Err(unreadable()),
                    };
                    let Ok(text) = String::from_utf8(bytes.to_vec()) else { return Err(unreadable()) };
                    fields.insert(name, text);
                }
            }
        }
        let submitted = fields.remove("csrf").unwrap_or_default();
        match cookie_token {
            Some(t) if crate::security::constant_time_eq(t.as_bytes(), submitted.as_bytes()) => {
                Ok(UploadForm { fields, files })
            }
            _ => Err(crate::security::csrf_refused(&path)),
        }
    }
}

/// The client's address: the peer, or behind a trusted proxy the last `X-Forwarded-For` hop.
pub struct ClientIp(pub String);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if state.behind_proxy
            && let Some(forwarded) = parts.headers.get("x-forwarded-for").and_then(|v| v.to_str().ok())
            && let Some(last) = forwarded.rsplit(',').next()
        {
            return Ok(ClientIp(last.trim().to_string()));
        }
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string());
        Ok(ClientIp(peer.unwrap_or_else(|| "unknown".into())))
    }
}

/// Like axum's `Form`, but a body that cannot be read gets a clear page in Indonesian.
pub struct Form<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequest<AppState> for Form<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(request, state).await {
            Ok(axum::Form(value)) => Ok(Form(value)),
            Err(rejection) => {
                tracing::info!(%rejection, "unreadable form");
                Err(error_page(
                    StatusCode::BAD_REQUEST,
                    "Isian tidak dapat dibaca",
                    "Data formulir tidak dapat dibaca. Pastikan teks yang Anda kirim berupa teks biasa (UTF-8), lalu coba lagi.",
                ))
            }
        }
    }
}
