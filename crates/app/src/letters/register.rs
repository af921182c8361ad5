//! The population register (penduduk) of a village: imported from the village's CSV export or
//! Excel workbook, searched by staff, used to fill letters. Personal data: only the village's own staff see it.

use std::collections::HashMap;

use balai_domain::nik::Nik;
use balai_domain::roles::{Permission, Target};
use balai_domain::wilayah::KodeWilayah;
use balai_store::letters::Penduduk;
use serde_json::json;

use crate::csv_input::read_table;
use crate::import_rows::{REGISTER_COLUMNS, REGISTER_READ_COLUMNS, penduduk_rows};
use crate::{Actor, App, AppError, AppResult};

/// What a register import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendudukImportReport {
    pub rows_read: usize,
    pub inserted: u64,
    pub updated: u64,
}

impl App {
    /// Imports a village's register from CSV or an Excel workbook (.xlsx, recognised by its
    /// content; first worksheet, header on the first row) with the columns `nik,no_kk,nama`
    /// required and `tempat_lahir,tanggal_lahir,jenis_kelamin,agama,status_kawin,pekerjaan,
    /// kewarganegaraan,alamat,rt,rw,hubungan` optional. Every row is checked (NIK and KK per domain.md §2, dates, a NIK twice
    /// in the file or registered in another village) and nothing is written if any is bad.
    pub async fn import_penduduk(
        &self,
        actor: &Actor,
        village: &str,
        file_name: &str,
        bytes: &[u8],
    ) -> AppResult<PendudukImportReport> {
        let village = KodeWilayah::parse(village).map_err(|_| AppError::NotFound)?;
        actor.require(Permission::ManageRegister, &Target::Wilayah(&village))?;
        match self.store.region(&village).await? {
            Some(r) if r.level.is_village() => {}
            _ => return Err(AppError::NotFound),
        }
        let named = |errors: Vec<String>| errors.into_iter().map(|e| format!("{file_name}: {e}")).collect::<Vec<_>>();
        let rows = read_table(bytes, &REGISTER_COLUMNS, &REGISTER_READ_COLUMNS)
            .map_err(|e| AppError::ImportRejected(e.len(), named(e)))?;
        let (checked, mut errors) = penduduk_rows(&rows);
        // A NIK's (last) line in the file, for the problems the store shows.
        let line_of: HashMap<String, u64> = checked.iter().map(|p| (p.nik.as_str().to_string(), p.line)).collect();
        let people: Vec<Penduduk> = checked
            .into_iter()
            .map(|p| Penduduk {
                id: 0,
                village_code: village.as_str().to_string(),
                nik: p.nik.into(),
                no_kk: p.no_kk,
                nama: p.nama,
                tempat_lahir: p.tempat_lahir,
                tanggal_lahir: p.tanggal_lahir,
                jenis_kelamin: p.jenis_kelamin,
                agama: p.agama,
                status_kawin: p.status_kawin,
                pekerjaan: p.pekerjaan,
                kewarganegaraan: p.kewarganegaraan,
                alamat: p.alamat,
                rt: p.rt,
                rw: p.rw,
                hubungan: p.hubungan,
            })
            .collect();
        for person in &people {
            if let Some(other) = self.store.penduduk_by_nik(&person.nik).await?
                && other.village_code != village.as_str()
            {
                let line = line_of.get(&person.nik).copied().unwrap_or(0);
                errors.push(format!(
                    "line {line}: NIK {} is registered in another village ({})",
                    mask(&person.nik),
                    other.village_code
                ));
            }
        }
        if !errors.is_empty() {
            return Err(AppError::ImportRejected(errors.len(), named(errors)));
        }
        let audit = self.audit_event(
            actor,
            "penduduk.import",
            format!("wilayah:{}", village.as_str()),
            json!({"file": file_name, "rows": rows.len()}),
        );
        let (inserted, updated) = self.store.save_penduduk(&people, audit).await?;
        Ok(PendudukImportReport { rows_read: rows.len(), inserted, updated })
    }

    /// Staff search of their village's register by name or NIK prefix.
    pub async fn search_penduduk(&self, actor: &Actor, village: &str, query: &str) -> AppResult<Vec<Penduduk>> {
        let village = KodeWilayah::parse(village).map_err(|_| AppError::NotFound)?;
        actor.require(Permission::ManageRegister, &Target::Wilayah(&village))?;
        let query = query.trim();
        if query.chars().count() < 3 {
            return Ok(Vec::new());
        }
        Ok(self.store.search_penduduk(village.as_str(), query, 50).await?)
    }
}

fn mask(nik: &str) -> String {
    Nik::parse(nik).map(|n| n.masked()).unwrap_or_else(|_| "****".into())
}
