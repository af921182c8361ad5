//! Page handlers, one module per area. Handlers stay thin: read the request, call one `App`
//! method, render a template.

pub mod auth;
pub mod letter_admin;
pub mod letters;
pub mod ops;
pub mod public;
pub mod register;
pub mod staff;
pub mod warga;

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
    pub name: String,
    pub label: String,
    pub hint: String,
    pub value: String,
    pub error: String,
}

/// Builds the fields of a form from (name, label, hint, value typed) and the errors found.
pub fn form_fields(specs: &[(&str, &str, &str, &str)], errors: &[FieldError]) -> Vec<FormField> {
    specs
        .iter()
        .map(|(name, label, hint, value)| FormField {
            name: name.to_string(),
            label: label.to_string(),
            hint: hint.to_string(),
            value: value.to_string(),
            error: errors.iter().filter(|e| e.field == *name).map(|e| e.message.as_str()).collect::<Vec<_>>().join(" "),
        })
        .collect()
}
