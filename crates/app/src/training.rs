//! The capability programme (seed 004): the regency runs training sessions of the programme's
//! modules and records which aparatur attended; each village keeps its list of aparatur and
//! ticks the outputs it has in place (SOP, DIP, portal, evaluation report). The share of a
//! village's aparatur trained, against the goal of 80 %, and its outputs feed STOPE's People
//! indicators (`readiness::live_facts`).

use balai_domain::kinerja::share;
use balai_domain::pelatihan::{self, MODULES, Module, OUTPUTS, Output, POSITIONS};
use balai_domain::roles::{Permission, Target};
use balai_domain::stope::TRAINING_GOAL_PERCENT;
use balai_domain::wilayah::{KodeWilayah, Region};
use balai_store::StoreError;
use balai_store::training::{Aparatur, NewAparatur, NewTrainingSession, TrainingSession, VillageOutput};
use chrono::{Datelike, NaiveDate};
use serde_json::json;

use crate::readiness::READERS;
use crate::regions::{check_text, clean_text};
use crate::{Actor, App, AppError, AppResult, FieldError};

/// A village's share of aparatur trained.
#[derive(Debug, Clone)]
pub struct Coverage {
    pub village: Region,
    pub aparatur: u64,
    pub trained: u64,
}

impl Coverage {
    pub fn percent(&self) -> Option<f64> {
        share(self.trained, self.aparatur)
    }

    pub fn meets_goal(&self) -> bool {
        self.percent().is_some_and(|p| p >= TRAINING_GOAL_PERCENT)
    }
}

/// The programme in a regency or kecamatan.
#[derive(Debug, Clone)]
pub struct TrainingOverview {
    pub region: Region,
    pub ancestors: Vec<Region>,
    pub sessions: Vec<TrainingSession>,
    /// Every village below, listed aparatur or not.
    pub coverage: Vec<Coverage>,
    /// Above a kecamatan, the villages' coverage summed per kecamatan: the page lists these
    /// instead of every village (a regency has hundreds).
    pub groups: Vec<CoverageGroup>,
    pub may_manage: bool,
}

impl TrainingOverview {
    pub fn meeting_goal(&self) -> usize {
        self.coverage.iter().filter(|c| c.meets_goal()).count()
    }
}

/// A kecamatan's villages' coverage together.
#[derive(Debug, Clone)]
pub struct CoverageGroup {
    pub kecamatan: Region,
    pub villages: usize,
    pub meeting_goal: usize,
    pub aparatur: u64,
    pub trained: u64,
}

impl CoverageGroup {
    pub fn percent(&self) -> Option<f64> {
        share(self.trained, self.aparatur)
    }
}

/// Splits a region's villages' items by kecamatan, in the order of `regions` (a region listing
/// from `regions_within`, kecamatan included). Below a kecamatan there is nothing to split.
pub(crate) fn by_kecamatan<'a, T>(
    region: &Region,
    regions: &[Region],
    items: &'a [T],
    village: impl Fn(&T) -> &Region,
) -> Vec<(Region, Vec<&'a T>)> {
    if region.level.depth() >= 3 {
        return Vec::new();
    }
    regions
        .iter()
        .filter(|r| r.level.depth() == 3)
        .map(|kecamatan| {
            let inside = items.iter().filter(|i| village(i).parent.as_ref() == Some(&kecamatan.code)).collect();
            (kecamatan.clone(), inside)
        })
        .collect()
}

/// A session, and when a village is picked, its aparatur with who was present.
#[derive(Debug, Clone)]
pub struct SessionPage {
    pub session: TrainingSession,
    pub module: &'static Module,
    pub region: Region,
    /// The villages whose aparatur attended, with how many.
    pub attended_by_village: Vec<(Region, u64)>,
    pub villages: Vec<Region>,
    pub village: Option<(Region, Vec<(Aparatur, bool)>)>,
    pub may_manage: bool,
}

/// A village's part of the programme.
#[derive(Debug, Clone)]
pub struct VillageCapability {
    pub village: Region,
    pub ancestors: Vec<Region>,
    pub aparatur: Vec<Aparatur>,
    pub outputs: Vec<(&'static Output, Option<VillageOutput>)>,
    pub coverage: Coverage,
    pub may_edit: bool,
}

/// A new session as typed.
#[derive(Debug, Clone, Default)]
pub struct SessionInput {
    pub module: String,
    pub title: String,
    pub held_on: String,
    pub place: String,
}

/// The regency's facilitators and the village's own staff keep its list and outputs.
const EDITORS: [Permission; 2] = [Permission::AssessReadiness, Permission::EditVillageProfile];

impl App {
    pub(crate) async fn region_and_ancestors(&self, code: &str) -> AppResult<(Region, Vec<Region>)> {
        let code = KodeWilayah::parse(code).map_err(|_| AppError::NotFound)?;
        let mut ancestors = self.store.region_with_ancestors(&code).await?;
        match ancestors.pop() {
            Some(r) if r.code == code => Ok((r, ancestors)),
            _ => Err(AppError::NotFound),
        }
    }

    /// The sessions and each village's coverage in a regency or kecamatan.
    pub async fn training_overview(&self, actor: &Actor, region: &str) -> AppResult<TrainingOverview> {
        let (region, ancestors) = self.region_and_ancestors(region).await?;
        if region.level.is_village() {
            return Err(AppError::NotFound);
        }
        actor.allow(&READERS, &Target::Wilayah(&region.code))?;
        let sessions = self.store.training_sessions(region.code.as_str()).await?;
        let counts = self.store.training_coverage(region.code.as_str()).await?;
        let regions = self.store.regions_within(&region.code, 4).await?;
        let coverage: Vec<Coverage> = regions
            .iter()
            .filter(|r| r.level.is_village())
            .map(|village| {
                let c = counts.iter().find(|c| c.village_code == village.code.as_str());
                Coverage {
                    aparatur: c.map_or(0, |c| c.aparatur.max(0) as u64),
                    trained: c.map_or(0, |c| c.trained.max(0) as u64),
                    village: village.clone(),
                }
            })
            .collect();
        let groups = by_kecamatan(&region, &regions, &coverage, |c| &c.village)
            .into_iter()
            .map(|(kecamatan, villages)| CoverageGroup {
                kecamatan,
                villages: villages.len(),
                meeting_goal: villages.iter().filter(|c| c.meets_goal()).count(),
                aparatur: villages.iter().map(|c| c.aparatur).sum(),
                trained: villages.iter().map(|c| c.trained).sum(),
            })
            .collect();
        let may_manage = actor.may(Permission::AssessReadiness, &Target::Wilayah(&region.code));
        Ok(TrainingOverview { region, ancestors, sessions, coverage, groups, may_manage })
    }

    /// Records a session the regency (or kecamatan) ran.
    pub async fn create_training_session(&self, actor: &Actor, region: &str, input: &SessionInput) -> AppResult<i64> {
        let (region, _) = self.region_and_ancestors(region).await?;
        if region.level.is_village() {
            return Err(AppError::NotFound);
        }
        actor.allow(&[Permission::AssessReadiness], &Target::Wilayah(&region.code))?;
        let mut errors = Vec::new();
        let module = pelatihan::module(input.module.trim());
        if module.is_none() {
            errors.push(FieldError::new("module", "Pilih modul pelatihan."));
        }
        let title = clean_text(&input.title);
        if title.chars().count() < 3 {
            errors.push(FieldError::new("title", "Tuliskan judul kegiatan."));
        }
        check_text(&mut errors, "title", "Judul", &title, 150);
        let place = clean_text(&input.place);
        if place.chars().count() < 2 {
            errors.push(FieldError::new("place", "Tuliskan tempat kegiatan."));
        }
        check_text(&mut errors, "place", "Tempat", &place, 150);
        let today = self.today();
        let held_on = match NaiveDate::parse_from_str(input.held_on.trim(), "%Y-%m-%d") {
            Ok(d) if d > today + chrono::Duration::days(366) => {
                errors.push(FieldError::new("held_on", "Tanggal itu lebih dari setahun ke depan."));
                None
            }
            Ok(d) if d.year() < 2000 => {
                errors.push(FieldError::new("held_on", "Tanggal itu terlalu lama."));
                None
            }
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(FieldError::new("held_on", "Tulis tanggal seperti 2026-12-07."));
                None
            }
        };
        let (Some(module), Some(held_on), true) = (module, held_on, errors.is_empty()) else {
            return Err(AppError::Invalid(errors));
        };
        let session = NewTrainingSession {
            region_code: region.code.as_str().to_string(),
            module: module.code.to_string(),
            title: title.clone(),
            held_on,
            place: place.clone(),
            created_at: self.now(),
        };
        let audit = self.audit_event(
            actor,
            "pelatihan.create",
            String::new(),
            json!({"region": region.code.as_str(), "module": module.code, "title": title, "held_on": held_on}),
        );
        Ok(self.store.create_training_session(&session, audit).await?)
    }

    /// A session; with `village`, that village's aparatur and who attended.
    pub async fn training_session_page(&self, actor: &Actor, id: i64, village: Option<&str>) -> AppResult<SessionPage> {
        let session = self.store.training_session(id).await?.ok_or(AppError::NotFound)?;
        let (region, _) = self.region_and_ancestors(&session.region_code).await?;
        actor.allow(&READERS, &Target::Wilayah(&region.code))?;
        let module = pelatihan::module(&session.module).unwrap_or(&MODULES[0]);
        let villages: Vec<Region> =
            self.store.regions_within(&region.code, 4).await?.into_iter().filter(|r| r.level.is_village()).collect();
        let present = self.store.session_attendance(id).await?;
        let mut attended_by_village = Vec::new();
        let mut picked = None;
        for v in &villages {
            let listed = self.store.aparatur_of(v.code.as_str()).await?;
            let here = listed.iter().filter(|a| present.contains(&a.id)).count() as u64;
            if here > 0 {
                attended_by_village.push((v.clone(), here));
            }
            if village.is_some_and(|c| c == v.code.as_str()) {
                let rows = listed.into_iter().map(|a| (present.contains(&a.id), a)).map(|(p, a)| (a, p)).collect();
                picked = Some((v.clone(), rows));
            }
        }
        if village.is_some_and(|v| !v.is_empty()) && picked.is_none() {
            return Err(AppError::invalid("desa", "Desa itu tidak ada di wilayah kegiatan ini."));
        }
        let may_manage = actor.may(Permission::AssessReadiness, &Target::Wilayah(&region.code));
        Ok(SessionPage { session, module, region, attended_by_village, villages, village: picked, may_manage })
    }

    /// Sets who of a village's aparatur attended a session (ids as sent by the form).
    pub async fn record_attendance(&self, actor: &Actor, id: i64, village: &str, present: &[String]) -> AppResult<()> {
        let session = self.store.training_session(id).await?.ok_or(AppError::NotFound)?;
        let (village, _) = self.region_and_ancestors(village).await?;
        if !village.level.is_village() || !village.code.as_str().starts_with(&format!("{}.", session.region_code)) {
            return Err(AppError::invalid("desa", "Desa itu tidak ada di wilayah kegiatan ini."));
        }
        actor.allow(&[Permission::AssessReadiness], &Target::Wilayah(&village.code))?;
        let listed = self.store.aparatur_of(village.code.as_str()).await?;
        let mut ids = Vec::new();
        for text in present {
            let known = text.trim().parse::<i64>().ok().filter(|id| listed.iter().any(|a| a.id == *id));
            match known {
                Some(id) if !ids.contains(&id) => ids.push(id),
                Some(_) => {}
                None => {
                    return Err(AppError::invalid("hadir", "Ada nama yang tidak ada di daftar aparatur desa ini."));
                }
            }
        }
        let audit = self.audit_event(
            actor,
            "pelatihan.attendance",
            format!("pelatihan:{id}"),
            json!({"village": village.code.as_str(), "present": ids.len()}),
        );
        self.store.record_attendance(id, village.code.as_str(), &ids, audit).await?;
        Ok(())
    }

    /// A village's aparatur, coverage and outputs.
    pub async fn village_capability(&self, actor: &Actor, village: &str) -> AppResult<VillageCapability> {
        let (village, ancestors) = self.village_region(village).await?;
        let target = Target::Wilayah(&village.code);
        let may_edit = actor.allow(&EDITORS, &target).is_ok();
        if !may_edit {
            actor.allow(&[Permission::ViewEvaluation], &target)?;
        }
        let aparatur = self.store.aparatur_of(village.code.as_str()).await?;
        let stored = self.store.village_outputs(village.code.as_str()).await?;
        let outputs = OUTPUTS.iter().map(|o| (o, stored.iter().find(|s| s.output == o.code).cloned())).collect();
        let active: Vec<&Aparatur> = aparatur.iter().filter(|a| a.active).collect();
        let coverage = Coverage {
            village: village.clone(),
            aparatur: active.len() as u64,
            trained: active.iter().filter(|a| a.sessions > 0).count() as u64,
        };
        Ok(VillageCapability { village, ancestors, aparatur, outputs, coverage, may_edit })
    }

    async fn editable_village(&self, actor: &Actor, village: &str) -> AppResult<Region> {
        let (village, _) = self.village_region(village).await?;
        actor.allow(&EDITORS, &Target::Wilayah(&village.code))?;
        Ok(village)
    }

    pub async fn add_aparatur(&self, actor: &Actor, village: &str, name: &str, position: &str) -> AppResult<i64> {
        let village = self.editable_village(actor, village).await?;
        let mut errors = Vec::new();
        let name = clean_text(name);
        if name.chars().count() < 2 {
            errors.push(FieldError::new("name", "Tuliskan nama aparatur."));
        }
        check_text(&mut errors, "name", "Nama", &name, 100);
        let position = position.trim();
        if !POSITIONS.contains(&position) {
            errors.push(FieldError::new("position", "Pilih jabatan."));
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let record = NewAparatur {
            village_code: village.code.as_str().to_string(),
            name: name.clone(),
            position: position.to_string(),
        };
        let audit = self.audit_event(
            actor,
            "aparatur.add",
            String::new(),
            json!({"village": village.code.as_str(), "position": position}),
        );
        match self.store.add_aparatur(&record, audit).await {
            Err(StoreError::Conflict(_)) => Err(AppError::invalid("name", format!("{name} sudah ada di daftar."))),
            other => Ok(other?),
        }
    }

    pub async fn set_aparatur_active(&self, actor: &Actor, village: &str, id: i64, active: bool) -> AppResult<()> {
        let village = self.editable_village(actor, village).await?;
        let audit = self.audit_event(
            actor,
            if active { "aparatur.activate" } else { "aparatur.deactivate" },
            format!("aparatur:{id}"),
            json!({"village": village.code.as_str()}),
        );
        match self.store.set_aparatur_active(village.code.as_str(), id, active, audit).await {
            Err(StoreError::NotFound(_)) => Err(AppError::NotFound),
            other => Ok(other?),
        }
    }

    /// Ticks an output as in place (`done_on` as typed), or clears it when `done` is false.
    pub async fn set_village_output(
        &self,
        actor: &Actor,
        village: &str,
        output: &str,
        done: Option<(&str, &str)>,
    ) -> AppResult<()> {
        let village = self.editable_village(actor, village).await?;
        let output = pelatihan::output(output).ok_or_else(|| AppError::invalid("output", "Keluaran tidak dikenal."))?;
        let object = format!("keluaran:{}:{}", village.code, output.code);
        let Some((done_on, note)) = done else {
            let audit = self.audit_event(actor, "keluaran.remove", object, json!({}));
            return match self.store.remove_village_output(village.code.as_str(), output.code, audit).await {
                Err(StoreError::NotFound(_)) => Ok(()),
                other => Ok(other?),
            };
        };
        let field = format!("tanggal-{}", output.code);
        let done_on = NaiveDate::parse_from_str(done_on.trim(), "%Y-%m-%d")
            .ok()
            .filter(|d| *d <= self.today())
            .ok_or_else(|| {
                AppError::invalid(
                    field,
                    format!("Tanggal {} ditulis seperti 2026-12-07, tidak di masa depan.", output.label),
                )
            })?;
        let note = clean_text(note);
        let mut errors = Vec::new();
        check_text(&mut errors, "note", "Keterangan", &note, 300);
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let record = VillageOutput {
            village_code: village.code.as_str().to_string(),
            output: output.code.to_string(),
            done_on,
            note,
        };
        let audit = self.audit_event(actor, "keluaran.set", object, json!({"done_on": done_on}));
        self.store.set_village_output(&record, audit).await?;
        Ok(())
    }
}
