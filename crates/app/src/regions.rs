//! Regions (wilayah): importing the Kemendagri code lists, the public region pages, and the
//! village profile its staff keep.

use std::collections::HashMap;

use balai_domain::roles::{Permission, Target};
use balai_domain::wilayah::{KodeWilayah, RawRegionRow, Region, plan_region_import};
use balai_store::{UserRecord, VillageProfile};
use serde_json::json;

use crate::csv_input::read_csv;
use crate::{Actor, App, AppError, AppResult, AuditEntry, FieldError};

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub rows_read: usize,
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// A region with the path above it and the regions directly under it.
#[derive(Debug, Clone)]
pub struct RegionView {
    pub region: Region,
    pub ancestors: Vec<Region>,
    pub children: Vec<Region>,
}

/// The home page's tree: the installation's region, its children, and theirs.
#[derive(Debug, Clone)]
pub struct RegionTree {
    pub root: Region,
    pub groups: Vec<(Region, Vec<Region>)>,
}

/// A village with its public contact details.
#[derive(Debug, Clone)]
pub struct VillageView {
    pub region: Region,
    pub ancestors: Vec<Region>,
    pub profile: VillageProfile,
}

/// What a village's staff may change about their office.
#[derive(Debug, Clone, Default)]
pub struct VillageProfileInput {
    pub address: String,
    pub phone: String,
    pub email: String,
    pub head_name: String,
    /// The maklumat pelayanan; empty: none published.
    pub maklumat: String,
}

impl App {
    /// Imports one or more CSV files (`code,name,level,parent_code`) as one batch: every row is
    /// checked first, and if any is bad nothing is written and every problem is reported by file
    /// and line. Rows already stored unchanged are left alone, so importing twice changes nothing.
    pub async fn import_regions(&self, actor: &Actor, files: &[(String, Vec<u8>)]) -> AppResult<ImportReport> {
        if !matches!(actor, Actor::System) {
            return Err(AppError::Forbidden);
        }
        let mut raw = Vec::new();
        let mut errors = Vec::new();
        for (index, (name, bytes)) in files.iter().enumerate() {
            match read_csv(bytes, &["code", "name", "level", "parent_code"]) {
                Ok(rows) => raw.extend(rows.into_iter().map(|row| RawRegionRow {
                    line: index as u64 * FILE_STRIDE + row.line,
                    code: row.get("code"),
                    name: row.get("name"),
                    level: row.get("level"),
                    parent_code: row.get("parent_code"),
                })),
                Err(file_errors) => errors.extend(file_errors.into_iter().map(|e| format!("{name}: {e}"))),
            }
        }
        // Rows of the readable files are still checked, so one run reports every problem.
        let rows_read = raw.len();
        let existing: HashMap<KodeWilayah, Region> =
            self.store.all_regions().await?.into_iter().map(|r| (r.code.clone(), r)).collect();
        let planned = plan_region_import(raw, |code| existing.contains_key(code)).map_err(|row_errors| {
            row_errors
                .iter()
                .map(|e| {
                    let (file, line) = locate(e.line, files);
                    let message = e.message.strip_prefix(&format!("line {}: ", e.line)).unwrap_or(&e.message);
                    format!("{file}: line {line}: {}", localize_lines(message, files))
                })
                .collect::<Vec<_>>()
        });
        let planned = match planned {
            Ok(planned) if errors.is_empty() => planned,
            Ok(_) => return Err(AppError::ImportRejected(errors.len(), errors)),
            Err(row_errors) => {
                errors.extend(row_errors);
                return Err(AppError::ImportRejected(errors.len(), errors));
            }
        };
        let mut report = ImportReport { rows_read, inserted: 0, updated: 0, unchanged: 0 };
        let changed: Vec<Region> = planned
            .into_iter()
            .filter(|r| match existing.get(&r.code) {
                None => {
                    report.inserted += 1;
                    true
                }
                Some(old) if old == r => {
                    report.unchanged += 1;
                    false
                }
                Some(_) => {
                    report.updated += 1;
                    true
                }
            })
            .collect();
        if !changed.is_empty() {
            let files: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
            let event = self.audit_event(
                actor,
                "region.import",
                "wilayah:".into(),
                json!({"files": files, "rows": rows_read, "inserted": report.inserted, "updated": report.updated}),
            );
            self.store.upsert_regions(&changed, event).await?;
            self.portal_changed();
            self.cache.regions.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clear();
        }
        Ok(report)
    }

    pub async fn count_regions(&self) -> AppResult<i64> {
        Ok(self.store.count_regions().await?)
    }

    /// The installation's region with two levels below it, for the public home page.
    pub async fn home_tree(&self) -> AppResult<Option<RegionTree>> {
        let Some(root_code) = &self.config.home_region else { return Ok(None) };
        let Some(root) = self.store.region(root_code).await? else { return Ok(None) };
        let below = self.store.regions_within(root_code, root.code.depth() + 2).await?;
        let mut groups: Vec<(Region, Vec<Region>)> = Vec::new();
        for region in below {
            if region.code.depth() == root.code.depth() + 1 {
                groups.push((region, Vec::new()));
            } else if region.code.depth() == root.code.depth() + 2
                && let Some((_, members)) = groups.iter_mut().find(|(g, _)| region.code.is_within(&g.code))
            {
                members.push(region);
            }
        }
        Ok(Some(RegionTree { root, groups }))
    }

    /// Top-level regions (provinces), for an installation without a home region.
    pub async fn top_regions(&self) -> AppResult<Vec<Region>> {
        Ok(self.store.top_regions().await?)
    }

    /// A public region page: anyone may see region names and codes.
    pub async fn region_view(&self, code: &str) -> AppResult<RegionView> {
        let code = KodeWilayah::parse(code).map_err(|_| AppError::NotFound)?;
        let region = self.store.region(&code).await?.ok_or(AppError::NotFound)?;
        let ancestors = self.ancestors(&region).await?;
        let children = self.store.region_children(&code).await?;
        Ok(RegionView { region, ancestors, children })
    }

    async fn ancestors(&self, region: &Region) -> AppResult<Vec<Region>> {
        let mut chain = Vec::new();
        let mut next = region.parent.clone();
        while let Some(code) = next {
            let Some(parent) = self.store.region(&code).await? else { break };
            next = parent.parent.clone();
            chain.push(parent);
        }
        chain.reverse();
        Ok(chain)
    }

    /// A village's public page: its name, where it is and how to reach its office.
    pub async fn village_view(&self, code: &str) -> AppResult<VillageView> {
        let code = KodeWilayah::parse(code).map_err(|_| AppError::NotFound)?;
        let mut ancestors = self.store.region_with_ancestors(&code).await?;
        let region = match ancestors.pop() {
            Some(r) if r.code == code && r.level.is_village() => r,
            _ => return Err(AppError::NotFound),
        };
        let profile = self
            .store
            .village_profile(&code)
            .await?
            .unwrap_or_else(|| VillageProfile { code: code.as_str().to_string(), ..Default::default() });
        Ok(VillageView { region, ancestors, profile })
    }

    /// A village as its staff see it: the public view plus who works there and what changed.
    /// Staff outside the village's scope get `NotFound`, whatever the code they type.
    pub async fn staff_village_view(
        &self,
        actor: &Actor,
        code: &str,
    ) -> AppResult<(VillageView, Vec<UserRecord>, Vec<AuditEntry>)> {
        let kode = KodeWilayah::parse(code).map_err(|_| AppError::NotFound)?;
        actor.require(Permission::ViewRegion, &Target::Wilayah(&kode))?;
        let view = self.village_view(code).await?;
        let staff = if actor.may(Permission::ViewStaff, &Target::Wilayah(&kode)) {
            self.staff_of_region(&kode).await?
        } else {
            Vec::new()
        };
        let audit = if actor.may(Permission::ViewAudit, &Target::Wilayah(&kode))
            || actor.may(Permission::EditVillageProfile, &Target::Wilayah(&kode))
        {
            self.audit_of_object(&format!("wilayah:{}", kode.as_str()), 20).await?
        } else {
            Vec::new()
        };
        Ok((view, staff, audit))
    }

    pub async fn update_village_profile(&self, actor: &Actor, code: &str, input: VillageProfileInput) -> AppResult<()> {
        let kode = KodeWilayah::parse(code).map_err(|_| AppError::NotFound)?;
        actor.require(Permission::EditVillageProfile, &Target::Wilayah(&kode))?;
        let region = self.store.region(&kode).await?.ok_or(AppError::NotFound)?;
        if !region.level.is_village() {
            return Err(AppError::NotFound);
        }
        let input = validate_profile(input)?;
        let profile = VillageProfile {
            code: kode.as_str().to_string(),
            address: input.address,
            phone: input.phone,
            email: input.email,
            head_name: input.head_name,
            maklumat: input.maklumat,
            updated_at: None,
        };
        let event = self.audit_event(
            actor,
            "village.profile.update",
            format!("wilayah:{}", kode.as_str()),
            json!({"address": profile.address, "phone": profile.phone, "email": profile.email,
                "head_name": profile.head_name, "maklumat": profile.maklumat}),
        );
        self.store.save_village_profile(&profile, event).await?;
        self.portal_changed();
        Ok(())
    }
}

/// Lines of the files in one import are numbered in one sequence for planning: file `i`'s line
/// `n` is `i * FILE_STRIDE + n`.
const FILE_STRIDE: u64 = 1 << 32;

fn locate(global: u64, files: &[(String, Vec<u8>)]) -> (&str, u64) {
    let file = files.get((global / FILE_STRIDE) as usize).map_or("", |(name, _)| name.as_str());
    (file, global % FILE_STRIDE)
}

/// Rewrites every "line N" inside a planning message into the file's own numbering.
fn localize_lines(message: &str, files: &[(String, Vec<u8>)]) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find("line ") {
        out.push_str(&rest[..at + 5]);
        rest = &rest[at + 5..];
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        match rest[..digits].parse::<u64>() {
            Ok(global) => {
                let (file, line) = locate(global, files);
                out.push_str(&format!("{line} of {file}"));
            }
            Err(_) => out.push_str(&rest[..digits]),
        }
        rest = &rest[digits..];
    }
    out.push_str(rest);
    out
}

pub(crate) fn clean_text(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub(crate) fn check_text(errors: &mut Vec<FieldError>, field: &'static str, label: &str, value: &str, max: usize) {
    if value.chars().count() > max {
        errors.push(FieldError::new(field, format!("{label} paling panjang {max} karakter.")));
    }
    if value.chars().any(char::is_control) {
        errors.push(FieldError::new(field, format!("{label} berisi karakter yang tidak diizinkan.")));
    }
}

pub(crate) fn check_phone(errors: &mut Vec<FieldError>, field: &'static str, value: &str) {
    if !value.is_empty() {
        let digits = value.chars().filter(char::is_ascii_digit).count();
        if !value.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c)) || !(8..=15).contains(&digits) {
            errors.push(FieldError::new(
                field,
                "Nomor telepon berisi 8–15 angka, boleh diawali +62. Contoh: 0265 771234.",
            ));
        }
    }
}

pub(crate) fn check_email(errors: &mut Vec<FieldError>, field: &'static str, value: &str) {
    if !value.is_empty() {
        let ok = value.len() <= 120
            && value.split_once('@').is_some_and(|(user, domain)| {
                !user.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
            })
            && !value.chars().any(|c| c.is_whitespace() || c.is_control());
        if !ok {
            errors.push(FieldError::new(field, "Alamat email tidak valid. Contoh: desa.sukamulya@ciamiskab.go.id"));
        }
    }
}

fn validate_profile(input: VillageProfileInput) -> AppResult<VillageProfileInput> {
    let input = VillageProfileInput {
        address: clean_text(&input.address),
        phone: input.phone.trim().to_string(),
        email: input.email.trim().to_string(),
        head_name: clean_text(&input.head_name),
        maklumat: balai_domain::lapor::clean_text(&input.maklumat),
    };
    let mut errors = Vec::new();
    check_text(&mut errors, "address", "Alamat", &input.address, 200);
    check_text(&mut errors, "head_name", "Nama kepala desa", &input.head_name, 100);
    let max = balai_domain::surat::catalogue::MAX_MAKLUMAT_CHARS;
    if input.maklumat.chars().count() > max {
        errors.push(FieldError::new("maklumat", format!("Maklumat pelayanan paling panjang {max} karakter.")));
    }
    check_phone(&mut errors, "phone", &input.phone);
    check_email(&mut errors, "email", &input.email);
    if errors.is_empty() { Ok(input) } else { Err(AppError::Invalid(errors)) }
}
