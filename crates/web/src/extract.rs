//! Request extractors: the signed-in staff member, the client's address, the page layout, and a
//! form extractor whose errors are said in Indonesian.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use balai_app::StaffUser;
use serde::de::DeserializeOwned;

use crate::error::error_page;
use crate::security::CsrfToken;
use crate::{AppState, WebError};

pub const SESSION_COOKIE: &str = "balai_session";

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
}

/// The signed-in staff member, if any, and the page layout for them.
pub struct Visitor {
    pub user: Option<StaffUser>,
    pub session_token: Option<String>,
    pub csrf: String,
    site_name: String,
}

impl Visitor {
    pub fn layout(&self) -> Layout {
        Layout {
            site_name: self.site_name.clone(),
            css_url: crate::assets::css_url(),
            csrf: self.csrf.clone(),
            user: self.user.as_ref().map(|u| u.full_name.clone()),
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
        let csrf = parts.extensions.get::<CsrfToken>().map(|t| t.0.clone()).unwrap_or_default();
        Ok(Visitor { user, session_token: token, csrf, site_name: state.site_name.to_string() })
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
