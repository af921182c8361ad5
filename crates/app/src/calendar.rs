//! The working-day calendar: the national holidays built in, plus those imported.

use balai_domain::calendar::{Deadline, WorkingCalendar, default_holidays};
use balai_store::StoredHoliday;
use chrono::{DateTime, Utc};
use serde_json::json;

use crate::csv_input::read_csv;
use crate::import_rows::holiday_rows;
use crate::{Actor, App, AppError, AppResult};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidayImportReport {
    pub rows_read: usize,
    pub added: u64,
}

impl App {
    /// The calendar deadlines are counted in: built-in national holidays and cuti bersama
    /// (SKB 3 Menteri 2024–2026) plus every day imported with `balai libur import`.
    pub async fn working_calendar(&self) -> AppResult<WorkingCalendar> {
        if let Some(calendar) = self.cache.calendar.get() {
            return Ok(calendar);
        }
        let stored = self.store.holidays().await?;
        let calendar =
            WorkingCalendar::new(default_holidays().into_iter().chain(stored.into_iter().map(|h| h.holiday)));
        self.cache.calendar.put(calendar.clone());
        Ok(calendar)
    }

    /// The deadline of something received at `received`, `days` working days later.
    pub async fn deadline(&self, received: DateTime<Utc>, days: u32) -> AppResult<Deadline> {
        let local = received.with_timezone(&self.config.utc_offset).date_naive();
        Ok(self.working_calendar().await?.add_working_days(local, days))
    }

    /// Imports holidays from CSV (`date,name,kind[,source]`, kind one of libur, cuti_bersama,
    /// daerah). All rows are checked first; nothing is written if any is bad.
    pub async fn import_holidays(
        &self,
        actor: &Actor,
        file_name: &str,
        bytes: &[u8],
    ) -> AppResult<HolidayImportReport> {
        if !matches!(actor, Actor::System) {
            return Err(AppError::Forbidden);
        }
        let named = |e: Vec<String>| e.into_iter().map(|m| format!("{file_name}: {m}")).collect::<Vec<_>>();
        let rows =
            read_csv(bytes, &["date", "name", "kind"]).map_err(|e| AppError::ImportRejected(e.len(), named(e)))?;
        let holidays: Vec<StoredHoliday> = holiday_rows(&rows)
            .map_err(|errors| AppError::ImportRejected(errors.len(), errors))?
            .into_iter()
            .map(|(holiday, source)| StoredHoliday { holiday, source })
            .collect();
        let event =
            self.audit_event(actor, "holiday.import", "libur:".into(), json!({"file": file_name, "rows": rows.len()}));
        let added = self.store.add_holidays(&holidays, event).await?;
        self.cache.calendar.clear();
        Ok(HolidayImportReport { rows_read: rows.len(), added })
    }
}
