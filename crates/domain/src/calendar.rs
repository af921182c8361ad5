//! Working days, deadlines and SLA state (domain.md §3), and Indonesian date formatting.
//!
//! Counting follows Alaveteli: the day something is received is day zero and the deadline is
//! the end of the n-th following working day; something received on a non-working day counts
//! from the next working day.

mod national;

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Bound;
use std::str::FromStr;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HolidayKind {
    /// Hari libur nasional.
    Libur,
    /// Cuti bersama (SKB 3 Menteri).
    CutiBersama,
    /// A day added by the regency.
    Daerah,
}

impl HolidayKind {
    pub const ALL: [HolidayKind; 3] = [HolidayKind::Libur, HolidayKind::CutiBersama, HolidayKind::Daerah];

    pub fn as_str(&self) -> &'static str {
        match self {
            HolidayKind::Libur => "libur",
            HolidayKind::CutiBersama => "cuti_bersama",
            HolidayKind::Daerah => "daerah",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            HolidayKind::Libur => "Libur nasional",
            HolidayKind::CutiBersama => "Cuti bersama",
            HolidayKind::Daerah => "Libur daerah",
        }
    }
}

impl fmt::Display for HolidayKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown holiday kind '{0}' (expected one of: libur, cuti_bersama, daerah)")]
pub struct UnknownHolidayKind(pub String);

impl FromStr for HolidayKind {
    type Err = UnknownHolidayKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let word = s.trim();
        HolidayKind::ALL.into_iter().find(|k| k.as_str() == word).ok_or_else(|| UnknownHolidayKind(s.to_string()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Holiday {
    pub date: NaiveDate,
    pub name: String,
    pub kind: HolidayKind,
}

/// National holidays and cuti bersama 2024–2026, in date order.
pub fn default_holidays() -> Vec<Holiday> {
    national::NATIONAL.iter().map(|&(date, name, kind)| Holiday { date, name: name.to_string(), kind }).collect()
}

/// The decrees behind [`default_holidays`], per year.
pub fn default_holiday_sources() -> &'static [(i32, &'static str)] {
    &[
        (
            2024,
            "SKB Menag-Menaker-MenPANRB No. 855/2023, 3/2023, 4/2023; \
             Keppres No. 10 Tahun 2024 (Pemilu, 14 Februari 2024); \
             Keppres No. 33 Tahun 2024 (Pilkada, 27 November 2024)",
        ),
        (
            2025,
            "SKB Menag-Menaker-MenPANRB No. 1017/2024, 2/2024, 2/2024; \
             SKB perubahan No. 933/2025, 1/2025, 3/2025 (cuti bersama 18 Agustus 2025)",
        ),
        (2026, "SKB Menag-Menaker-MenPANRB No. 1497/2025, 2/2025, 5/2025"),
    ]
}

/// Which days are working days: Monday–Friday minus the holidays it was built with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkingCalendar {
    holidays: BTreeMap<NaiveDate, Vec<Holiday>>,
}

fn weekend_name(d: NaiveDate) -> Option<&'static str> {
    match d.weekday() {
        Weekday::Sat => Some("Sabtu"),
        Weekday::Sun => Some("Minggu"),
        _ => None,
    }
}

/// Number of Monday–Friday days from 1 Jan 1 CE (a Monday) up to and including `d`.
fn weekdays_through(d: NaiveDate) -> i64 {
    let n = i64::from(d.num_days_from_ce());
    n.div_euclid(7) * 5 + n.rem_euclid(7).min(5)
}

impl WorkingCalendar {
    /// Builds a calendar; several holidays on one date are all kept (exact repeats once).
    pub fn new(holidays: impl IntoIterator<Item = Holiday>) -> Self {
        let mut map: BTreeMap<NaiveDate, Vec<Holiday>> = BTreeMap::new();
        for h in holidays {
            let on_day = map.entry(h.date).or_default();
            if !on_day.contains(&h) {
                on_day.push(h);
            }
        }
        WorkingCalendar { holidays: map }
    }

    /// The national calendar of [`default_holidays`].
    pub fn national() -> Self {
        Self::new(default_holidays())
    }

    /// The holidays on `d` (empty on ordinary days).
    pub fn holidays_on(&self, d: NaiveDate) -> &[Holiday] {
        self.holidays.get(&d).map(Vec::as_slice).unwrap_or_default()
    }

    /// Whether any holiday is known for `year`; without one, only weekends are skipped, so the
    /// app should warn that the year's SKB has not been entered yet.
    pub fn has_holidays_for_year(&self, year: i32) -> bool {
        let (Some(first), Some(last)) = (NaiveDate::from_ymd_opt(year, 1, 1), NaiveDate::from_ymd_opt(year, 12, 31))
        else {
            return false;
        };
        self.holidays.range(first..=last).next().is_some()
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        weekend_name(d).is_none() && !self.holidays.contains_key(&d)
    }

    /// Why `d` is not a working day: "Sabtu", "Minggu", the holiday name(s), or both, joined
    /// with ", " (e.g. "Sabtu, Idul Fitri 1447 Hijriah"). `None` on a working day.
    pub fn non_working_reason(&self, d: NaiveDate) -> Option<String> {
        let reasons: Vec<&str> =
            weekend_name(d).into_iter().chain(self.holidays_on(d).iter().map(|h| h.name.as_str())).collect();
        (!reasons.is_empty()).then(|| reasons.join(", "))
    }

    /// The first working day strictly after `d`.
    pub fn next_working_day(&self, d: NaiveDate) -> NaiveDate {
        let mut day = d;
        while let Some(next) = day.succ_opt() {
            day = next;
            if self.is_working_day(day) {
                break;
            }
        }
        day
    }

    /// The deadline `days` working days after `received` (see the module docs for the rule).
    pub fn add_working_days(&self, received: NaiveDate, days: u32) -> Deadline {
        let mut skipped = Vec::new();

        let mut counted_from = received;
        while let Some(reason) = self.non_working_reason(counted_from) {
            skipped.push((counted_from, reason));
            match counted_from.succ_opt() {
                Some(next) => counted_from = next,
                None => break,
            }
        }

        let mut due = counted_from;
        let mut left = days;
        while left > 0 {
            let Some(next) = due.succ_opt() else { break };
            due = next;
            match self.non_working_reason(due) {
                Some(reason) => skipped.push((due, reason)),
                None => left -= 1,
            }
        }

        Deadline { received, counted_from, working_days: days, due, skipped }
    }

    /// Working days in `(from, to]`; negative (the count in `(to, from]`) when `to < from`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if to < from {
            return -self.working_days_between(to, from);
        }
        let weekdays = weekdays_through(to) - weekdays_through(from);
        let holidays_on_weekdays = self
            .holidays
            .range((Bound::Excluded(from), Bound::Included(to)))
            .filter(|(d, _)| weekend_name(**d).is_none())
            .count();
        weekdays - holidays_on_weekdays as i64
    }

    /// SLA state of something due on `due`, as of `today`, finished on `done_on` if done.
    pub fn sla_state(&self, due: NaiveDate, today: NaiveDate, done_on: Option<NaiveDate>) -> SlaState {
        match done_on {
            Some(done) if done <= due => SlaState::Met,
            Some(_) => SlaState::Missed,
            None if today > due => SlaState::Overdue,
            // At most one working day left: `due` is today, the next working day, or a
            // non-working day before it.
            None if self.working_days_between(today, due) <= 1 => SlaState::DueSoon,
            None => SlaState::OnTime,
        }
    }
}

/// A computed deadline that can explain itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    pub received: NaiveDate,
    /// Day zero: `received`, or the next working day if it was received on a non-working day.
    pub counted_from: NaiveDate,
    pub working_days: u32,
    /// The deadline is the end of this day.
    pub due: NaiveDate,
    /// Every non-working day from `received` to `due`, with its reason.
    pub skipped: Vec<(NaiveDate, String)>,
}

impl Deadline {
    /// In Bahasa Indonesia, e.g. "5 hari kerja sejak Selasa, 17 Maret 2026; batas waktu Selasa,
    /// 31 Maret 2026. Dilewati: 18 Mar (Cuti Bersama ...), ..., 29 Mar (Minggu)."
    pub fn explain(&self) -> String {
        let mut text = format!("{} hari kerja sejak {}", self.working_days, format_hari_tanggal(self.counted_from));
        if self.received != self.counted_from {
            text.push_str(&format!(" (diterima {}, bukan hari kerja)", format_hari_tanggal(self.received)));
        }
        text.push_str(&format!("; batas waktu {}.", format_hari_tanggal(self.due)));
        if !self.skipped.is_empty() {
            let year = self.counted_from.year();
            let days: Vec<String> = self
                .skipped
                .iter()
                .map(|(d, reason)| {
                    // Name the year only where the list crosses into another one.
                    let day = if d.year() == year {
                        format_tanggal_pendek(*d)
                    } else {
                        format!("{} {}", format_tanggal_pendek(*d), d.year())
                    };
                    format!("{day} ({reason})")
                })
                .collect();
            text.push_str(&format!(" Dilewati: {}.", days.join(", ")));
        }
        text
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaState {
    OnTime,
    DueSoon,
    Overdue,
    Met,
    Missed,
}

impl SlaState {
    pub fn as_str(&self) -> &'static str {
        match self {
            SlaState::OnTime => "on_time",
            SlaState::DueSoon => "due_soon",
            SlaState::Overdue => "overdue",
            SlaState::Met => "met",
            SlaState::Missed => "missed",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            SlaState::OnTime => "Tepat waktu",
            SlaState::DueSoon => "Segera jatuh tempo",
            SlaState::Overdue => "Terlambat",
            SlaState::Met => "Selesai tepat waktu",
            SlaState::Missed => "Selesai terlambat",
        }
    }

    /// Whether the item is finished (met or missed).
    pub fn is_done(&self) -> bool {
        matches!(self, SlaState::Met | SlaState::Missed)
    }
}

/// The deadlines of domain.md §3, in working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Clock {
    VerifikasiLaporan,
    TindakLanjutPertama,
    PenyelesaianRingan,
    PenyelesaianNormatif,
    PenyelesaianTidakBerkadarPengawasan,
    PenyelesaianBerkadarPengawasan,
    JawabanPermintaanInformasi,
    PerpanjanganInformasi,
    PengajuanKeberatan,
    JawabanKeberatan,
    SengketaKeKomisi,
    KomisiMulai,
    KomisiSelesai,
}

impl Clock {
    pub const ALL: [Clock; 13] = [
        Clock::VerifikasiLaporan,
        Clock::TindakLanjutPertama,
        Clock::PenyelesaianRingan,
        Clock::PenyelesaianNormatif,
        Clock::PenyelesaianTidakBerkadarPengawasan,
        Clock::PenyelesaianBerkadarPengawasan,
        Clock::JawabanPermintaanInformasi,
        Clock::PerpanjanganInformasi,
        Clock::PengajuanKeberatan,
        Clock::JawabanKeberatan,
        Clock::SengketaKeKomisi,
        Clock::KomisiMulai,
        Clock::KomisiSelesai,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Clock::VerifikasiLaporan => "verifikasi_laporan",
            Clock::TindakLanjutPertama => "tindak_lanjut_pertama",
            Clock::PenyelesaianRingan => "penyelesaian_ringan",
            Clock::PenyelesaianNormatif => "penyelesaian_normatif",
            Clock::PenyelesaianTidakBerkadarPengawasan => "penyelesaian_tidak_berkadar_pengawasan",
            Clock::PenyelesaianBerkadarPengawasan => "penyelesaian_berkadar_pengawasan",
            Clock::JawabanPermintaanInformasi => "jawaban_permintaan_informasi",
            Clock::PerpanjanganInformasi => "perpanjangan_informasi",
            Clock::PengajuanKeberatan => "pengajuan_keberatan",
            Clock::JawabanKeberatan => "jawaban_keberatan",
            Clock::SengketaKeKomisi => "sengketa_ke_komisi",
            Clock::KomisiMulai => "komisi_mulai",
            Clock::KomisiSelesai => "komisi_selesai",
        }
    }

    /// Indonesian label for people.
    pub fn label(&self) -> &'static str {
        match self {
            Clock::VerifikasiLaporan => "Verifikasi laporan oleh koordinator",
            Clock::TindakLanjutPertama => "Tindak lanjut pertama oleh instansi",
            Clock::PenyelesaianRingan => "Penyelesaian pengaduan ringan",
            Clock::PenyelesaianNormatif => "Penyelesaian pengaduan normatif",
            Clock::PenyelesaianTidakBerkadarPengawasan => "Penyelesaian pengaduan tidak berkadar pengawasan",
            Clock::PenyelesaianBerkadarPengawasan => {
                "Penyelesaian pengaduan berkadar pengawasan dan memerlukan pemeriksaan"
            }
            Clock::JawabanPermintaanInformasi => "Jawaban permintaan informasi",
            Clock::PerpanjanganInformasi => "Perpanjangan jawaban permintaan informasi",
            Clock::PengajuanKeberatan => "Pengajuan keberatan",
            Clock::JawabanKeberatan => "Jawaban atasan PPID atas keberatan",
            Clock::SengketaKeKomisi => "Pengajuan sengketa ke Komisi Informasi",
            Clock::KomisiMulai => "Komisi Informasi mulai menyelesaikan sengketa",
            Clock::KomisiSelesai => "Komisi Informasi menyelesaikan sengketa",
        }
    }

    pub fn working_days(&self) -> u32 {
        match self {
            Clock::VerifikasiLaporan => 3,
            Clock::TindakLanjutPertama => 5,
            Clock::PenyelesaianRingan => 2,
            Clock::PenyelesaianNormatif => 5,
            Clock::PenyelesaianTidakBerkadarPengawasan => 14,
            Clock::PenyelesaianBerkadarPengawasan => 60,
            Clock::JawabanPermintaanInformasi => 10,
            Clock::PerpanjanganInformasi => 7,
            Clock::PengajuanKeberatan => 30,
            Clock::JawabanKeberatan => 30,
            Clock::SengketaKeKomisi => 14,
            Clock::KomisiMulai => 14,
            Clock::KomisiSelesai => 100,
        }
    }

    /// Where the number comes from (domain.md §3).
    pub fn source(&self) -> &'static str {
        match self {
            Clock::VerifikasiLaporan => "SP4N-LAPOR! FAQ",
            Clock::TindakLanjutPertama => "SP4N-LAPOR! published policy (FAQ, app description)",
            Clock::PenyelesaianRingan
            | Clock::PenyelesaianNormatif
            | Clock::PenyelesaianTidakBerkadarPengawasan
            | Clock::PenyelesaianBerkadarPengawasan => {
                "published local standar pelayanan (not LAPOR! law); a setting per category"
            }
            Clock::JawabanPermintaanInformasi => "UU 14/2008 Ps 22(7)",
            Clock::PerpanjanganInformasi => "UU 14/2008 Ps 22(8)",
            Clock::PengajuanKeberatan => "UU 14/2008 Ps 36(1)",
            Clock::JawabanKeberatan => "UU 14/2008 Ps 36(2)",
            Clock::SengketaKeKomisi => "UU 14/2008 Ps 37(2)",
            Clock::KomisiMulai => "UU 14/2008 Ps 38(1)",
            Clock::KomisiSelesai => "UU 14/2008 Ps 38(2)",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Indonesian dates
// ---------------------------------------------------------------------------------------------

/// The months' names, January first.
pub const BULAN: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];

/// The months' short names ("Agu").
pub const BULAN_PENDEK: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"];

/// Indonesian name of the day of the week ("Senin" … "Minggu").
pub fn nama_hari(d: NaiveDate) -> &'static str {
    match d.weekday() {
        Weekday::Mon => "Senin",
        Weekday::Tue => "Selasa",
        Weekday::Wed => "Rabu",
        Weekday::Thu => "Kamis",
        Weekday::Fri => "Jumat",
        Weekday::Sat => "Sabtu",
        Weekday::Sun => "Minggu",
    }
}

/// Indonesian month name ("Januari" … "Desember") of `d`.
pub fn nama_bulan(d: NaiveDate) -> &'static str {
    BULAN[d.month0() as usize]
}

/// "17 Maret 2026".
pub fn format_tanggal(d: NaiveDate) -> String {
    format!("{} {} {}", d.day(), nama_bulan(d), d.year())
}

/// "Selasa, 17 Maret 2026".
pub fn format_hari_tanggal(d: NaiveDate) -> String {
    format!("{}, {}", nama_hari(d), format_tanggal(d))
}

/// The zone people name for a UTC offset: WIB (+7), WITA (+8), WIT (+9); others as `UTC+5`.
pub fn zona_waktu(offset: FixedOffset) -> String {
    let seconds = offset.local_minus_utc();
    match seconds {
        25_200 => "WIB".into(),
        28_800 => "WITA".into(),
        32_400 => "WIT".into(),
        _ if seconds % 3600 == 0 => format!("UTC{:+}", seconds / 3600),
        _ => format!("UTC{:+}:{:02}", seconds / 3600, (seconds.abs() % 3600) / 60),
    }
}

/// "5 Desember 2026, 21.27 WIB": how the UI writes a moment, in the installation's zone (the
/// Indonesian style puts a dot between hours and minutes).
pub fn format_waktu(at: DateTime<Utc>, offset: FixedOffset) -> String {
    let local = at.with_timezone(&offset);
    format!("{}, {} {}", format_tanggal(local.date_naive()), local.format("%H.%M"), zona_waktu(offset))
}

/// "18 Mar".
pub fn format_tanggal_pendek(d: NaiveDate) -> String {
    format!("{} {}", d.day(), BULAN_PENDEK[d.month0() as usize])
}

#[cfg(test)]
mod tests;
