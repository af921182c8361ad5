//! Page handlers, one module per area. Handlers stay thin: read the request, call one `App`
//! method, render a template.

pub mod auth;
pub mod ops;
pub mod public;
pub mod staff;

use axum::http::StatusCode;
use axum::response::Response;
use balai_app::FieldError;

use crate::error::error_page;

pub async fn not_found() -> Response {
    error_page(
        StatusCode::NOT_FOUND,
        "Halaman tidak ditemukan",
        "Alamat yang Anda buka tidak ada. Periksa kembali alamatnya.",
    )
}

/// One form field as a template shows it: its label, hint, what was typed and its error.
pub struct FormField {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub value: String,
    pub error: String,
}

/// Builds the fields of a form from (name, label, hint, value) and the errors found.
pub fn form_fields(
    specs: &[(&'static str, &'static str, &'static str, &str)],
    errors: &[FieldError],
) -> Vec<FormField> {
    specs
        .iter()
        .map(|(name, label, hint, value)| FormField {
            name,
            label,
            hint,
            value: value.to_string(),
            error: errors.iter().filter(|e| e.field == *name).map(|e| e.message.as_str()).collect::<Vec<_>>().join(" "),
        })
        .collect()
}
