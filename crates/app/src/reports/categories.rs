//! Report categories: imported from a CSV (the SP4N-LAPOR! list in `kategori-pengaduan.csv` is
//! the usual start) and edited by the regency's coordinator, each with the tier that sets how
//! long an office has to complete a complaint.

use balai_domain::lapor::Tier;
use balai_domain::roles::Role;
use balai_store::reports::ReportCategory;
use serde_json::json;

use crate::csv_input::read_csv;
use crate::import_rows::{category_rows, valid_slug};
use crate::{Actor, App, AppError, AppResult, FieldError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryImport {
    pub rows_read: usize,
    pub saved: usize,
}

fn may_manage(actor: &Actor) -> bool {
    match actor {
        Actor::System => true,
        Actor::Staff(u) => u.grants.iter().any(|g| g.role == Role::AdminKabupaten),
        _ => false,
    }
}

impl App {
    pub async fn report_categories(&self) -> AppResult<Vec<ReportCategory>> {
        if let Some(categories) = self.cache.report_categories.get() {
            return Ok(categories);
        }
        let categories = self.store.report_categories().await?;
        self.cache.report_categories.put(categories.clone());
        Ok(categories)
    }

    /// Imports categories from CSV with columns `slug,name` and optionally `tier` and `active`;
    /// rows without a tier get `default_tier`. Existing categories with the same slug are updated.
    /// All rows are checked first; nothing is written if any is bad.
    pub async fn import_report_categories(
        &self,
        actor: &Actor,
        file_name: &str,
        bytes: &[u8],
        default_tier: Tier,
    ) -> AppResult<CategoryImport> {
        if !may_manage(actor) {
            return Err(AppError::Forbidden);
        }
        let named = |e: Vec<String>| e.into_iter().map(|m| format!("{file_name}: {m}")).collect::<Vec<_>>();
        let rows = read_csv(bytes, &["slug", "name"]).map_err(|e| AppError::ImportRejected(e.len(), named(e)))?;
        let existing = self.store.report_categories().await?;
        let categories: Vec<ReportCategory> = category_rows(&rows, default_tier)
            .map_err(|errors| AppError::ImportRejected(errors.len(), named(errors)))?
            .into_iter()
            .map(|row| {
                let position = existing.iter().find(|c| c.slug == row.slug).map_or(row.order, |c| c.position);
                ReportCategory {
                    slug: row.slug,
                    name: row.name,
                    tier: row.tier.as_str().into(),
                    active: row.active,
                    position,
                }
            })
            .collect();
        let audit = self.audit_event(
            actor,
            "report_category.import",
            "report_categories".into(),
            json!({"file": file_name, "rows": rows.len()}),
        );
        self.store.save_report_categories(&categories, audit).await?;
        self.cache.report_categories.clear();
        Ok(CategoryImport { rows_read: rows.len(), saved: categories.len() })
    }

    /// Saves one category (new or edited) from the staff page.
    pub async fn save_report_category(
        &self,
        actor: &Actor,
        slug: &str,
        name: &str,
        tier: &str,
        active: bool,
    ) -> AppResult<()> {
        if !may_manage(actor) {
            return Err(AppError::Forbidden);
        }
        let (slug, name) = (slug.trim().to_lowercase(), name.trim().to_string());
        let mut errors = Vec::new();
        if !valid_slug(&slug) {
            errors.push(FieldError::new("slug", "Kode berisi 2–80 huruf kecil, angka atau tanda hubung."));
        }
        if name.is_empty() || name.chars().count() > 120 {
            errors.push(FieldError::new("name", "Isi nama kategori (paling banyak 120 karakter)."));
        }
        let tier = tier.parse::<Tier>().map_err(|_| errors.push(FieldError::new("tier", "Pilih tingkat."))).ok();
        let Some(tier) = tier.filter(|_| errors.is_empty()) else { return Err(AppError::Invalid(errors)) };
        let existing = self.store.report_categories().await?;
        let position = existing
            .iter()
            .find(|c| c.slug == slug)
            .map_or_else(|| existing.iter().map(|c| c.position).max().unwrap_or(0) + 1, |c| c.position);
        let category = ReportCategory { slug: slug.clone(), name, tier: tier.as_str().into(), active, position };
        let audit = self.audit_event(
            actor,
            "report_category.save",
            format!("report_category:{slug}"),
            json!({"tier": category.tier, "active": active}),
        );
        self.store.save_report_categories(&[category], audit).await?;
        self.cache.report_categories.clear();
        Ok(())
    }
}
