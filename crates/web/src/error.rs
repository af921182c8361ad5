//! The one place application errors become HTTP responses.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use balai_app::AppError;

use crate::extract::Layout;

#[derive(Debug)]
pub struct WebError(pub AppError);

impl From<AppError> for WebError {
    fn from(e: AppError) -> Self {
        WebError(e)
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    layout: Layout,
    title: &'a str,
    message: &'a str,
}

/// A complete error page (no user context: errors are rendered outside handlers too).
pub fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    let layout = Layout {
        site_name: "Balai".into(),
        css_url: crate::assets::css_url(),
        csrf: String::new(),
        user: None,
        resident: None,
    };
    let body = ErrorPage { layout, title, message }.render().unwrap_or_else(|_| message.to_string());
    (status, Html(body)).into_response()
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = match &self.0 {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::Invalid(_) | AppError::ImportRejected(..) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::LoginFailed => StatusCode::UNAUTHORIZED,
            AppError::LockedOut { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Conflict(_) | AppError::AlreadyDone(_) => StatusCode::CONFLICT,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::StorageFull(_) => StatusCode::INSUFFICIENT_STORAGE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        if status.is_server_error() {
            tracing::error!(code = self.0.code(), error = %self.0, "request failed");
        }
        let title = match status {
            StatusCode::NOT_FOUND => "Halaman tidak ditemukan",
            StatusCode::SERVICE_UNAVAILABLE => "Layanan sedang tidak tersedia",
            StatusCode::INSUFFICIENT_STORAGE => "Penyimpanan server penuh",
            s if s.is_server_error() => "Terjadi kesalahan",
            _ => "Tidak dapat diproses",
        };
        error_page(status, title, &self.0.user_message())
    }
}
