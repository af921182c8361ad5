//! Reports: pengaduan, aspirasi and permintaan informasi, handled as SP4N-LAPOR! does
//! (domain.md §3 and §5): kinds, category tiers, the states a report moves through and who moves
//! it, its clocks, and the limits on what a reporter may send.

pub mod inbound;
pub mod tracking;

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::calendar::{Clock, WorkingCalendar};

/// Longest description accepted (the Open311 limit of domain.md §5).
pub const MAX_DESCRIPTION_CHARS: usize = 4000;
pub const MAX_TITLE_CHARS: usize = 150;
pub const MAX_ATTACHMENTS: usize = 3;
/// Reopening is allowed once, within this many working days of closing (our policy, §5).
pub const REOPEN_WINDOW_WORKING_DAYS: i64 = 10;
pub const MAX_REOPENS: i32 = 1;

macro_rules! word_enum {
    ($(#[$meta:meta])* $name:ident, $error:ident, $what:literal, [$($variant:ident => $word:literal, $label:literal;)+]) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }

            /// Indonesian label for people.
            pub fn label(&self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        #[derive(Debug, Clone, PartialEq, Eq, Error)]
        #[error("unknown {what} '{0}' (expected one of: {words})", what = $what, words = [$($word),+].join(", "))]
        pub struct $error(pub String);

        impl FromStr for $name {
            type Err = $error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let word = s.trim();
                $name::ALL.iter().copied().find(|v| v.as_str() == word).ok_or_else(|| $error(s.to_string()))
            }
        }
    };
}

pub(crate) use word_enum;

word_enum!(
    /// What the reporter sends.
    ReportKind, UnknownReportKind, "report kind", [
        Pengaduan => "pengaduan", "Pengaduan";
        Aspirasi => "aspirasi", "Aspirasi";
        PermintaanInformasi => "permintaan_informasi", "Permintaan informasi";
    ]
);

word_enum!(
    /// How much a category's complaints take to settle; sets the completion clock (domain.md §3).
    Tier, UnknownTier, "tier", [
        Ringan => "ringan", "Ringan (2 hari kerja)";
        Normatif => "normatif", "Normatif (5 hari kerja)";
        TidakBerkadarPengawasan => "tidak_berkadar_pengawasan", "Tidak berkadar pengawasan (14 hari kerja)";
        BerkadarPengawasan => "berkadar_pengawasan", "Berkadar pengawasan dan memerlukan pemeriksaan (60 hari kerja)";
    ]
);

impl Tier {
    pub fn clock(&self) -> Clock {
        match self {
            Tier::Ringan => Clock::PenyelesaianRingan,
            Tier::Normatif => Clock::PenyelesaianNormatif,
            Tier::TidakBerkadarPengawasan => Clock::PenyelesaianTidakBerkadarPengawasan,
            Tier::BerkadarPengawasan => Clock::PenyelesaianBerkadarPengawasan,
        }
    }
}

word_enum!(
    /// Where a report stands (domain.md §5).
    ReportState, UnknownReportState, "report state", [
        Diterima => "diterima", "Diterima, menunggu verifikasi";
        Tunda => "tunda", "Ditunda, menunggu penjelasan pelapor";
        Didisposisikan => "didisposisikan", "Diverifikasi dan didisposisikan";
        Ditindaklanjuti => "ditindaklanjuti", "Sedang ditindaklanjuti";
        Selesai => "selesai", "Selesai";
        BukanWewenang => "bukan_wewenang", "Bukan wewenang";
        Diarsipkan => "diarsipkan", "Diarsipkan";
    ]
);

impl ReportState {
    /// Nothing more happens, except a rating or a reopening of a `selesai` report.
    pub fn is_closed(&self) -> bool {
        matches!(self, ReportState::Selesai | ReportState::BukanWewenang | ReportState::Diarsipkan)
    }

    /// The GeoReport v2 status: `open` or `closed`.
    pub fn open311_status(&self) -> &'static str {
        if self.is_closed() { "closed" } else { "open" }
    }
}

word_enum!(
    /// What someone does to a report.
    ReportAction, UnknownReportAction, "report action", [
        Disposisi => "disposisi", "Verifikasi dan disposisikan";
        Tunda => "tunda", "Minta penjelasan pelapor";
        BukanWewenang => "bukan_wewenang", "Bukan wewenang";
        Arsipkan => "arsipkan", "Arsipkan";
        Jelaskan => "jelaskan", "Kirim penjelasan";
        Tanggapi => "tanggapi", "Kirim tanggapan";
        Selesaikan => "selesaikan", "Tandai selesai";
        Perpanjang => "perpanjang", "Perpanjang 7 hari kerja";
        BukaKembali => "buka_kembali", "Buka kembali";
    ]
);

word_enum!(
    /// The three sides of a report. The app maps a user onto a party.
    ReportParty, UnknownReportParty, "report party", [
        Pelapor => "pelapor", "Pelapor";
        Koordinator => "koordinator", "Koordinator (admin kabupaten atau desa)";
        Instansi => "instansi", "Instansi yang menangani";
    ]
);

/// One allowed step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportTransition {
    pub from: ReportState,
    pub action: ReportAction,
    pub by: ReportParty,
    pub to: ReportState,
}

const fn t(from: ReportState, action: ReportAction, by: ReportParty, to: ReportState) -> ReportTransition {
    ReportTransition { from, action, by, to }
}

/// Every transition that exists, and no other.
pub const TRANSITIONS: &[ReportTransition] = {
    use ReportAction as A;
    use ReportParty::*;
    use ReportState as S;
    &[
        t(S::Diterima, A::Disposisi, Koordinator, S::Didisposisikan),
        t(S::Diterima, A::Tunda, Koordinator, S::Tunda),
        t(S::Diterima, A::BukanWewenang, Koordinator, S::BukanWewenang),
        t(S::Diterima, A::Arsipkan, Koordinator, S::Diarsipkan),
        // A report the reporter never clarified may be archived.
        t(S::Tunda, A::Arsipkan, Koordinator, S::Diarsipkan),
        t(S::Tunda, A::Jelaskan, Pelapor, S::Diterima),
        // The coordinator may move a report to another office (wrong office, or escalated).
        t(S::Didisposisikan, A::Disposisi, Koordinator, S::Didisposisikan),
        t(S::Ditindaklanjuti, A::Disposisi, Koordinator, S::Didisposisikan),
        t(S::Didisposisikan, A::Tanggapi, Instansi, S::Ditindaklanjuti),
        t(S::Ditindaklanjuti, A::Tanggapi, Instansi, S::Ditindaklanjuti),
        t(S::Didisposisikan, A::Selesaikan, Instansi, S::Selesai),
        // An information request's answer may be extended once by 7 working days, with a written
        // reason (UU 14/2008 Ps 22(8)); see `may_extend`.
        t(S::Didisposisikan, A::Perpanjang, Instansi, S::Didisposisikan),
        t(S::Ditindaklanjuti, A::Perpanjang, Instansi, S::Ditindaklanjuti),
        t(S::Ditindaklanjuti, A::Selesaikan, Instansi, S::Selesai),
        t(S::Selesai, A::BukaKembali, Pelapor, S::Didisposisikan),
    ]
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum ReportTransitionError {
    #[error("{action} on a report in state {state} is taken by {expected}, not {by}")]
    WrongParty { state: ReportState, action: ReportAction, by: ReportParty, expected: ReportParty },
    #[error("{action} is not possible on a report in state {state}")]
    NotAllowed { state: ReportState, action: ReportAction },
}

impl ReportTransitionError {
    pub fn message_id(&self) -> String {
        match *self {
            ReportTransitionError::WrongParty { action, expected, .. } => format!(
                "Tindakan \"{}\" pada laporan ini hanya dapat dilakukan oleh {}.",
                action.label(),
                expected.label().to_lowercase()
            ),
            ReportTransitionError::NotAllowed { state, action } => format!(
                "Tindakan \"{}\" tidak dapat dilakukan pada laporan berstatus \"{}\".",
                action.label(),
                state.label()
            ),
        }
    }
}

pub fn next_state(
    from: ReportState,
    action: ReportAction,
    by: ReportParty,
) -> Result<ReportState, ReportTransitionError> {
    if let Some(step) = TRANSITIONS.iter().find(|s| s.from == from && s.action == action && s.by == by) {
        return Ok(step.to);
    }
    match TRANSITIONS.iter().find(|s| s.from == from && s.action == action) {
        Some(step) => Err(ReportTransitionError::WrongParty { state: from, action, by, expected: step.by }),
        None => Err(ReportTransitionError::NotAllowed { state: from, action }),
    }
}

/// The actions `by` may take on a report in `state` (for buttons).
pub fn actions_for(state: ReportState, by: ReportParty) -> Vec<ReportAction> {
    TRANSITIONS.iter().filter(|s| s.from == state && s.by == by).map(|s| s.action).collect()
}

/// Whether the action needs a written text (a reason, a question, an answer).
pub fn needs_text(action: ReportAction) -> bool {
    !matches!(action, ReportAction::Disposisi | ReportAction::Arsipkan)
}

/// Why an answer's deadline may not be extended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum ExtendRefused {
    #[error("only information requests may be extended")]
    NotInformationRequest,
    #[error("the deadline was already extended once")]
    AlreadyExtended,
}

impl ExtendRefused {
    pub fn message_id(&self) -> &'static str {
        match self {
            ExtendRefused::NotInformationRequest => {
                "Perpanjangan waktu hanya berlaku untuk permintaan informasi (UU 14/2008 Pasal 22 ayat 8)."
            }
            ExtendRefused::AlreadyExtended => {
                "Batas waktu jawaban sudah pernah diperpanjang; perpanjangan hanya sekali."
            }
        }
    }
}

/// Whether the answer to a report may be extended (information requests, once: UU 14/2008 Ps 22(8)).
pub fn may_extend(kind: ReportKind, already_extended: bool) -> Result<(), ExtendRefused> {
    match (kind, already_extended) {
        (ReportKind::PermintaanInformasi, false) => Ok(()),
        (ReportKind::PermintaanInformasi, true) => Err(ExtendRefused::AlreadyExtended),
        _ => Err(ExtendRefused::NotInformationRequest),
    }
}

/// The clock that runs until the office completes a report.
pub fn completion_clock(kind: ReportKind, tier: Tier) -> Clock {
    match kind {
        // Information requests follow UU 14/2008 Ps 22(7), whatever the category.
        ReportKind::PermintaanInformasi => Clock::JawabanPermintaanInformasi,
        _ => tier.clock(),
    }
}

/// The dates a report is held to. `respond_due` and `complete_due` start when it is disposed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportDeadlines {
    pub verify_due: NaiveDate,
    pub respond_due: Option<NaiveDate>,
    pub complete_due: Option<NaiveDate>,
}

/// The deadline that matters in `state`: who holds the report must act by then. `None` while the
/// reporter is asked for clarification or once closed.
pub fn current_due(state: ReportState, d: &ReportDeadlines, responded: bool) -> Option<NaiveDate> {
    match state {
        ReportState::Diterima => Some(d.verify_due),
        ReportState::Didisposisikan if !responded => match (d.respond_due, d.complete_due) {
            (Some(r), Some(c)) => Some(r.min(c)),
            (r, c) => r.or(c),
        },
        ReportState::Didisposisikan | ReportState::Ditindaklanjuti => d.complete_due,
        ReportState::Tunda | ReportState::Selesai | ReportState::BukanWewenang | ReportState::Diarsipkan => None,
    }
}

/// Why a reporter may not reopen a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum ReopenRefused {
    #[error("only a finished report can be reopened")]
    NotFinished,
    #[error("the report was already reopened once")]
    AlreadyReopened,
    #[error("the window of 10 working days after closing has passed")]
    TooLate,
}

impl ReopenRefused {
    pub fn message_id(&self) -> &'static str {
        match self {
            ReopenRefused::NotFinished => "Hanya laporan yang sudah selesai yang dapat dibuka kembali.",
            ReopenRefused::AlreadyReopened => {
                "Laporan ini sudah pernah dibuka kembali; pembukaan kembali hanya sekali."
            }
            ReopenRefused::TooLate => {
                "Batas waktu membuka kembali (10 hari kerja sejak laporan selesai) sudah lewat. Silakan kirim \
                 laporan baru."
            }
        }
    }
}

/// Whether a report closed on `closed_on` may be reopened `today` (once, within the window).
pub fn may_reopen(
    calendar: &WorkingCalendar,
    state: ReportState,
    closed_on: Option<NaiveDate>,
    reopened: i32,
    today: NaiveDate,
) -> Result<(), ReopenRefused> {
    let Some(closed_on) = closed_on.filter(|_| state == ReportState::Selesai) else {
        return Err(ReopenRefused::NotFinished);
    };
    if reopened >= MAX_REOPENS {
        return Err(ReopenRefused::AlreadyReopened);
    }
    if calendar.working_days_between(closed_on, today) > REOPEN_WINDOW_WORKING_DAYS {
        return Err(ReopenRefused::TooLate);
    }
    Ok(())
}

/// What the scheduler should do about an open report with a deadline, as of `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineStep {
    Nothing,
    /// Remind whoever holds it: one working day (or less) is left. Once per deadline.
    Remind,
    /// Past the deadline: escalate to the coordinator. Once per deadline.
    Escalate,
}

/// The scheduler's rule: remind one working day before, escalate once overdue. `reminded` and
/// `escalated` say whether that was already done for this deadline.
pub fn deadline_step(
    calendar: &WorkingCalendar,
    due: NaiveDate,
    today: NaiveDate,
    reminded: bool,
    escalated: bool,
) -> DeadlineStep {
    use crate::calendar::SlaState;
    match calendar.sla_state(due, today, None) {
        SlaState::Overdue if !escalated => DeadlineStep::Escalate,
        SlaState::DueSoon if !reminded => DeadlineStep::Remind,
        _ => DeadlineStep::Nothing,
    }
}

/// A field of a submission that is not acceptable, with the reason in Bahasa Indonesia.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: &'static str,
    pub message: String,
}

pub(crate) fn problem(field: &'static str, message: impl Into<String>) -> Problem {
    Problem { field, message: message.into() }
}

/// Text as a person typed it: trimmed, control characters other than newlines removed, newlines
/// normalised. HTML is kept as text (it is escaped when shown).
pub fn clean_text(input: &str) -> String {
    let text: String =
        input.replace("\r\n", "\n").chars().filter(|c| !c.is_control() || *c == '\n' || *c == '\t').collect();
    text.trim().to_string()
}

/// The title and description, checked: both present, within the limits.
pub fn check_title_and_description(title: &str, description: &str) -> Result<(String, String), Vec<Problem>> {
    let (title, description) = (clean_text(title), clean_text(description));
    let mut problems = Vec::new();
    let title = title.replace(['\n', '\t'], " ");
    if title.is_empty() {
        problems.push(problem("title", "Isi judul laporan, misalnya \"Jalan rusak di Dusun Sukamaju\"."));
    } else if title.chars().count() > MAX_TITLE_CHARS {
        problems.push(problem("title", format!("Judul paling banyak {MAX_TITLE_CHARS} karakter.")));
    }
    let length = description.chars().count();
    if length == 0 {
        problems.push(problem("description", "Isi uraian laporan: apa yang terjadi, di mana dan kapan."));
    } else if length > MAX_DESCRIPTION_CHARS {
        problems.push(problem(
            "description",
            format!("Uraian paling banyak {MAX_DESCRIPTION_CHARS} karakter; saat ini {length} karakter."),
        ));
    }
    if problems.is_empty() { Ok((title, description)) } else { Err(problems) }
}

/// A point on the map, within Indonesia's bounding box (roughly 6°N–11°S, 95°E–141°E, with margin).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub lat: f64,
    pub long: f64,
}

/// Reads an optional latitude/longitude pair. Both empty is no location; one without the other,
/// a non-number or a point outside Indonesia is refused.
pub fn parse_location(lat: &str, long: &str) -> Result<Option<Location>, Problem> {
    let (lat, long) = (lat.trim(), long.trim());
    if lat.is_empty() && long.is_empty() {
        return Ok(None);
    }
    let parse = |s: &str| s.replace(',', ".").parse::<f64>().ok().filter(|v| v.is_finite());
    match (parse(lat), parse(long)) {
        (Some(lat), Some(long)) if (-12.0..=7.0).contains(&lat) && (94.0..=142.0).contains(&long) => {
            Ok(Some(Location { lat, long }))
        }
        (Some(_), Some(_)) => Err(problem("location", "Titik lokasi berada di luar wilayah Indonesia.")),
        _ => Err(problem(
            "location",
            "Isi lintang dan bujur sebagai angka desimal, misalnya -7,3257 dan 108,3534, atau kosongkan keduanya.",
        )),
    }
}

/// A rating of the handling, 1–5.
pub fn parse_rating(input: &str) -> Result<i32, Problem> {
    match input.trim().parse::<i32>() {
        Ok(n) if (1..=5).contains(&n) => Ok(n),
        _ => Err(problem("rating", "Pilih nilai 1 sampai 5.")),
    }
}

#[cfg(test)]
mod tests;
