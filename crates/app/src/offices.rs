//! Offices (OPD): regency agencies that receive work by disposition, created by the regency admin.

use balai_domain::roles::{Permission, Target};
use balai_domain::wilayah::{KodeWilayah, Level};
use balai_store::Office;
use serde_json::json;

use crate::regions::{check_email, check_phone, check_text, clean_text};
use crate::{Actor, App, AppError, AppResult, FieldError};

#[derive(Debug, Clone, Default)]
pub struct NewOfficeInput {
    pub name: String,
    /// Optional; made from the name when empty.
    pub slug: String,
    pub regency: String,
    pub address: String,
    pub phone: String,
    pub email: String,
}

impl App {
    pub async fn create_office(&self, actor: &Actor, input: NewOfficeInput) -> AppResult<Office> {
        let name = clean_text(&input.name);
        let slug = if input.slug.trim().is_empty() { slugify(&name) } else { input.slug.trim().to_lowercase() };
        let mut errors = Vec::new();
        if name.is_empty() {
            errors.push(FieldError::new("name", "Isi nama OPD, misalnya Dinas Pekerjaan Umum dan Penataan Ruang."));
        }
        check_text(&mut errors, "name", "Nama OPD", &name, 120);
        if !is_valid_slug(&slug) {
            errors.push(FieldError::new(
                "slug",
                "Kode singkat berisi 2–40 huruf kecil, angka atau tanda hubung, misalnya dinas-pupr.",
            ));
        }
        let regency = KodeWilayah::parse(&input.regency).ok();
        match &regency {
            Some(code) if matches!(code.level(), Level::Kabupaten | Level::Kota) => {}
            _ => errors.push(FieldError::new("regency", "Pilih kabupaten/kota OPD ini, misalnya 32.07.")),
        }
        let (address, phone, email) =
            (clean_text(&input.address), input.phone.trim().to_string(), input.email.trim().to_string());
        check_text(&mut errors, "address", "Alamat", &address, 200);
        check_phone(&mut errors, "phone", &phone);
        check_email(&mut errors, "email", &email);
        let Some(regency) = regency.filter(|_| errors.is_empty()) else { return Err(AppError::Invalid(errors)) };
        if !actor.may(Permission::ManageOffices, &Target::Office { slug: &slug, regency: &regency }) {
            return Err(AppError::Forbidden);
        }
        if self.store.region(&regency).await?.is_none() {
            return Err(AppError::invalid("regency", "Kabupaten/kota itu belum ada di data wilayah."));
        }
        let office = Office { slug, name, regency, address, phone, email };
        let event = self.audit_event(
            actor,
            "office.create",
            format!("office:{}", office.slug),
            json!({"name": office.name, "regency": office.regency.as_str()}),
        );
        self.store.create_office(&office, event).await.map_err(|e| match e {
            balai_store::StoreError::Conflict(_) => {
                AppError::invalid("slug", format!("Kode singkat \"{}\" sudah dipakai OPD lain.", office.slug))
            }
            other => other.into(),
        })?;
        Ok(office)
    }

    /// Every office; public (offices are public bodies).
    pub async fn offices(&self) -> AppResult<Vec<Office>> {
        Ok(self.store.offices().await?)
    }
}

fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').chars().take(40).collect::<String>().trim_end_matches('-').to_string()
}

fn is_valid_slug(slug: &str) -> bool {
    (2..=40).contains(&slug.len())
        && slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
}

#[cfg(test)]
mod tests {
    #[test]
    fn slugs_are_made_from_names() {
        assert_eq!(super::slugify("Dinas Pekerjaan Umum & Penataan Ruang"), "dinas-pekerjaan-umum-penataan-ruang");
        assert_eq!(super::slugify("  Disdukcapil  "), "disdukcapil");
        assert!(super::is_valid_slug("dinas-pupr"));
        assert!(!super::is_valid_slug("Dinas PUPR"));
        assert!(!super::is_valid_slug("-x"));
    }
}
