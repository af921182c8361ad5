//! Page handlers, one module per area. Handlers stay thin: read the request, call one `App`
//! method, render a template.

pub mod auth;
pub mod berita;
pub mod evaluasi;
pub mod forum;
pub mod langganan;
pub mod lapor;
pub mod lapor_ekspor;
pub mod letter_admin;
pub mod letters;
pub mod ops;
pub mod pelatihan;
pub mod pendamping;
pub mod ppid;
pub mod public;
pub mod register;
pub mod staff;
pub mod stope;
pub mod survei;
pub mod warga;

use axum::http::StatusCode;
use axum::response::Response;
use balai_app::FieldError;
use balai_domain::surat::catalogue::{FieldKind, LetterTypeSpec};
use std::collections::BTreeMap;

use crate::error::error_page;

pub async fn not_found() -> Response {
    error_page(
        StatusCode::NOT_FOUND,
        "Halaman tidak ditemukan",
        "Alamat yang Anda buka tidak ada. Periksa kembali alamatnya.",
    )
}

/// The home region's villages grouped by kecamatan, for a village picker:
/// `(kecamatan name, [(village code, village name)])`.
pub fn village_groups(tree: balai_app::RegionTree) -> Vec<(String, Vec<(String, String)>)> {
    tree.groups
        .into_iter()
        .map(|(kec, desa)| (kec.name, desa.into_iter().map(|d| (d.code.as_str().to_string(), d.name)).collect()))
        .collect()
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

/// A letter field as a form shows it: the input fits its kind.
pub struct InputField {
    pub name: String,
    pub label: String,
    pub hint: String,
    pub value: String,
    pub error: String,
    /// text, textarea, date, number or select.
    pub input: &'static str,
    pub options: Vec<String>,
}

pub fn input_fields(
    spec: &LetterTypeSpec,
    values: &BTreeMap<String, String>,
    errors: &[FieldError],
) -> Vec<InputField> {
    spec.fields
        .iter()
        .map(|f| {
            let (input, options) = match &f.kind {
                FieldKind::Text => ("text", Vec::new()),
                FieldKind::LongText => ("textarea", Vec::new()),
                FieldKind::Date => ("date", Vec::new()),
                FieldKind::Number => ("number", Vec::new()),
                FieldKind::Rupiah => ("rupiah", Vec::new()),
                FieldKind::Choice(options) => ("select", options.clone()),
            };
            InputField {
                name: f.name.clone(),
                label: if f.required { f.label.clone() } else { format!("{} (boleh kosong)", f.label) },
                hint: f.hint.clone(),
                value: values.get(&f.name).cloned().unwrap_or_default(),
                error: errors
                    .iter()
                    .filter(|e| e.field == f.name)
                    .map(|e| e.message.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                input,
                options,
            }
        })
        .collect()
}

/// (input name, label, required, error, current file name if one is kept)
pub type FileInput = (String, String, bool, String, String);

pub fn file_inputs(spec: &LetterTypeSpec, errors: &[FieldError], current: &[(String, String)]) -> Vec<FileInput> {
    spec.attachments
        .iter()
        .map(|a| {
            let name = format!("lampiran_{}", a.name);
            let kept = current.iter().find(|(r, _)| *r == a.name).map(|(_, f)| f.clone()).unwrap_or_default();
            (
                name.clone(),
                a.label.clone(),
                a.required,
                errors.iter().filter(|e| e.field == name).map(|e| e.message.as_str()).collect::<Vec<_>>().join(" "),
                kept,
            )
        })
        .collect()
}

/// A request's history as table rows: (local time, state reached, note).
pub fn history_rows(
    events: &[balai_store::letters::RequestEvent],
    offset: chrono::FixedOffset,
) -> Vec<(String, String, String)> {
    events
        .iter()
        .map(|e| {
            let at = balai_domain::calendar::format_waktu(e.at, offset);
            let to = e.to_state.parse::<balai_domain::surat::state::RequestState>().map(|s| s.label()).unwrap_or("");
            (at, to.to_string(), e.note.clone())
        })
        .collect()
}

/// A request's files as list rows: (id, the requirement's label, file name, replaced).
pub fn attachment_rows(
    spec: &LetterTypeSpec,
    files: &[balai_store::letters::AttachmentMeta],
) -> Vec<(String, String, String, bool)> {
    let label =
        |req: &str| spec.attachments.iter().find(|a| a.name == req).map_or(req.to_string(), |a| a.label.clone());
    files.iter().map(|a| (a.id.clone(), label(&a.requirement), a.file_name.clone(), a.replaced)).collect()
}
