use super::*;
use proptest::prelude::*;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}

fn national() -> WorkingCalendar {
    WorkingCalendar::national()
}

#[test]
fn default_holidays_match_the_csv() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/hari-libur-nasional.csv");
    let csv = std::fs::read_to_string(path).expect("read hari-libur-nasional.csv");
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("date,name,kind,source"));
    let from_csv: Vec<(Holiday, String)> = lines
        .map(|line| {
            // No field of this file is quoted or contains a comma.
            let f: Vec<&str> = line.split(',').collect();
            assert_eq!(f.len(), 4, "{line}");
            let holiday = Holiday {
                date: NaiveDate::parse_from_str(f[0], "%Y-%m-%d").expect("CSV date"),
                name: f[1].to_string(),
                kind: f[2].parse().expect("CSV kind"),
            };
            (holiday, f[3].to_string())
        })
        .collect();
    let csv_holidays: Vec<Holiday> = from_csv.iter().map(|(h, _)| h.clone()).collect();
    assert_eq!(default_holidays(), csv_holidays);

    // Every SKB number cited in the CSV is cited for its year.
    for (h, source) in &from_csv {
        let (_, cited) =
            default_holiday_sources().iter().find(|(y, _)| *y == h.date.year()).expect("a source for every year");
        for number in source.split_whitespace().filter(|t| t.contains('/')) {
            assert!(cited.contains(number), "{number} missing for {}", h.date);
        }
    }
}

#[test]
fn default_holiday_counts_per_year() {
    // (year, libur, cuti bersama) from shared/data/README.md §4.
    for (year, libur, cuti) in [(2024, 19, 10), (2025, 17, 11), (2026, 17, 8)] {
        let count = |kind| default_holidays().iter().filter(|h| h.date.year() == year && h.kind == kind).count();
        assert_eq!(count(HolidayKind::Libur), libur, "{year}");
        assert_eq!(count(HolidayKind::CutiBersama), cuti, "{year}");
    }
    let years: Vec<i32> = default_holiday_sources().iter().map(|(y, _)| *y).collect();
    assert_eq!(years, [2024, 2025, 2026]);
    assert!(national().has_holidays_for_year(2026));
    assert!(!national().has_holidays_for_year(2027));
}

#[test]
fn holiday_kind_strings() {
    for kind in HolidayKind::ALL {
        assert_eq!(kind.as_str().parse::<HolidayKind>(), Ok(kind));
    }
    assert_eq!("nasional".parse::<HolidayKind>(), Err(UnknownHolidayKind("nasional".to_string())));
    assert_eq!(HolidayKind::Libur.label(), "Libur nasional");
    assert_eq!(HolidayKind::CutiBersama.label(), "Cuti bersama");
    assert_eq!(HolidayKind::Daerah.label(), "Libur daerah");
}

#[test]
fn working_days_and_reasons() {
    let cal = national();
    let cases = [
        (date(2026, 3, 17), None),
        (date(2026, 3, 14), Some("Sabtu")),
        (date(2026, 3, 15), Some("Minggu")),
        (date(2026, 3, 19), Some("Hari Suci Nyepi Tahun Baru Saka 1948")),
        (date(2026, 3, 21), Some("Sabtu, Idul Fitri 1447 Hijriah")),
        (date(2026, 3, 22), Some("Minggu, Idul Fitri 1447 Hijriah")),
        // Outside the known years only weekends count.
        (date(2027, 1, 1), None),
    ];
    for (d, reason) in cases {
        assert_eq!(cal.non_working_reason(d).as_deref(), reason, "{d}");
        assert_eq!(cal.is_working_day(d), reason.is_none(), "{d}");
    }
}

#[test]
fn several_holidays_on_one_date_keep_all_names() {
    let d = date(2026, 3, 19);
    let regional = Holiday { date: d, name: "Hari Jadi Kabupaten".to_string(), kind: HolidayKind::Daerah };
    let cal = WorkingCalendar::new(default_holidays().into_iter().chain([regional.clone(), regional.clone()]));
    assert_eq!(cal.holidays_on(d).len(), 2);
    assert_eq!(cal.non_working_reason(d).as_deref(), Some("Hari Suci Nyepi Tahun Baru Saka 1948, Hari Jadi Kabupaten"));

    // A regency's own day on a weekday stops it being a working day.
    let own = WorkingCalendar::new([Holiday {
        date: date(2026, 6, 3),
        name: "Hari Jadi Ciamis".to_string(),
        kind: HolidayKind::Daerah,
    }]);
    assert!(!own.is_working_day(date(2026, 6, 3)));
    assert!(WorkingCalendar::default().is_working_day(date(2026, 6, 3)));
}

#[test]
fn required_case_nyepi_and_idul_fitri_2026() {
    let deadline = national().add_working_days(date(2026, 3, 17), 5);
    assert_eq!(deadline.received, date(2026, 3, 17));
    assert_eq!(deadline.counted_from, date(2026, 3, 17));
    assert_eq!(deadline.working_days, 5);
    assert_eq!(deadline.due, date(2026, 3, 31));
    let skipped: Vec<NaiveDate> = deadline.skipped.iter().map(|(d, _)| *d).collect();
    assert_eq!(skipped, [18, 19, 20, 21, 22, 23, 24, 28, 29].map(|d| date(2026, 3, d)));
    assert_eq!(
        deadline.explain(),
        "5 hari kerja sejak Selasa, 17 Maret 2026; batas waktu Selasa, 31 Maret 2026. \
         Dilewati: 18 Mar (Cuti Bersama Hari Suci Nyepi Tahun Baru Saka 1948), \
         19 Mar (Hari Suci Nyepi Tahun Baru Saka 1948), \
         20 Mar (Cuti Bersama Idul Fitri 1447 Hijriah), \
         21 Mar (Sabtu, Idul Fitri 1447 Hijriah), \
         22 Mar (Minggu, Idul Fitri 1447 Hijriah), \
         23 Mar (Cuti Bersama Idul Fitri 1447 Hijriah), \
         24 Mar (Cuti Bersama Idul Fitri 1447 Hijriah), \
         28 Mar (Sabtu), 29 Mar (Minggu)."
    );
}

#[test]
fn deadline_table() {
    let cal = national();
    // (received, days, counted_from, due)
    let cases = [
        // Ordinary week.
        (date(2026, 6, 2), 3, date(2026, 6, 2), date(2026, 6, 5)),
        // Friday + 1 skips the weekend.
        (date(2026, 6, 5), 1, date(2026, 6, 5), date(2026, 6, 8)),
        // Received on a plain Saturday: Monday is day zero.
        (date(2026, 1, 10), 1, date(2026, 1, 12), date(2026, 1, 13)),
        // Received on Saturday that is also Idul Fitri: day zero is Wednesday 25 March.
        (date(2026, 3, 21), 5, date(2026, 3, 25), date(2026, 4, 1)),
        // Received on a weekday holiday (Hari Buruh, Friday).
        (date(2026, 5, 1), 2, date(2026, 5, 4), date(2026, 5, 6)),
        // days = 0: due on day zero.
        (date(2026, 3, 17), 0, date(2026, 3, 17), date(2026, 3, 17)),
        (date(2026, 3, 21), 0, date(2026, 3, 25), date(2026, 3, 25)),
        // Year boundary: Natal + cuti 2024, then Tahun Baru 2025.
        (date(2024, 12, 24), 3, date(2024, 12, 24), date(2024, 12, 31)),
        (date(2024, 12, 24), 5, date(2024, 12, 24), date(2025, 1, 3)),
        // Into a year with no holidays loaded yet: only weekends are skipped.
        (date(2026, 12, 23), 5, date(2026, 12, 23), date(2027, 1, 1)),
        // Clocks from domain.md.
        (date(2026, 3, 17), Clock::JawabanPermintaanInformasi.working_days(), date(2026, 3, 17), date(2026, 4, 8)),
    ];
    for (received, days, counted_from, due) in cases {
        let deadline = cal.add_working_days(received, days);
        assert_eq!((deadline.counted_from, deadline.due), (counted_from, due), "{received} + {days}");
    }
}

#[test]
fn explain_received_on_non_working_day_and_across_years() {
    let cal = national();
    assert_eq!(
        cal.add_working_days(date(2026, 1, 10), 1).explain(),
        "1 hari kerja sejak Senin, 12 Januari 2026 (diterima Sabtu, 10 Januari 2026, bukan hari \
         kerja); batas waktu Selasa, 13 Januari 2026. Dilewati: 10 Jan (Sabtu), 11 Jan (Minggu)."
    );
    assert_eq!(
        cal.add_working_days(date(2024, 12, 30), 2).explain(),
        "2 hari kerja sejak Senin, 30 Desember 2024; batas waktu Kamis, 2 Januari 2025. \
         Dilewati: 1 Jan 2025 (Tahun Baru 2025 Masehi)."
    );
    assert_eq!(
        cal.add_working_days(date(2026, 6, 2), 1).explain(),
        "1 hari kerja sejak Selasa, 2 Juni 2026; batas waktu Rabu, 3 Juni 2026."
    );
}

#[test]
fn working_days_between_table() {
    let cal = national();
    let cases = [
        (date(2026, 3, 17), date(2026, 3, 31), 5),
        (date(2026, 3, 31), date(2026, 3, 17), -5),
        (date(2026, 3, 17), date(2026, 3, 17), 0),
        (date(2026, 3, 17), date(2026, 3, 18), 0),
        (date(2026, 3, 13), date(2026, 3, 16), 1),
        (date(2026, 3, 14), date(2026, 3, 15), 0),
        (date(2025, 12, 31), date(2026, 1, 2), 1),
        // 260 weekdays after 1 January, 20 of them holidays or cuti bersama.
        (date(2026, 1, 1), date(2026, 12, 31), 260 - 20),
    ];
    for (from, to, expected) in cases {
        assert_eq!(cal.working_days_between(from, to), expected, "{from}..{to}");
    }
}

#[test]
fn next_working_day_table() {
    let cal = national();
    assert_eq!(cal.next_working_day(date(2026, 3, 17)), date(2026, 3, 25));
    assert_eq!(cal.next_working_day(date(2026, 3, 13)), date(2026, 3, 16));
    assert_eq!(cal.next_working_day(date(2026, 6, 2)), date(2026, 6, 3));
    assert_eq!(cal.next_working_day(NaiveDate::MAX), NaiveDate::MAX);
}

#[test]
fn sla_states() {
    let cal = national();
    let due = date(2026, 3, 31); // Tuesday
    let cases = [
        (due, date(2026, 3, 17), None, SlaState::OnTime),
        (due, date(2026, 3, 27), None, SlaState::OnTime),
        // Monday 30: one working day left.
        (due, date(2026, 3, 30), None, SlaState::DueSoon),
        (due, due, None, SlaState::DueSoon),
        (due, date(2026, 4, 1), None, SlaState::Overdue),
        (due, date(2026, 4, 1), Some(date(2026, 3, 31)), SlaState::Met),
        (due, date(2026, 3, 20), Some(date(2026, 3, 18)), SlaState::Met),
        (due, date(2026, 4, 9), Some(date(2026, 4, 1)), SlaState::Missed),
        // Due Monday: on Friday and over the weekend it is the next working day.
        (date(2026, 3, 30), date(2026, 3, 27), None, SlaState::DueSoon),
        (date(2026, 3, 30), date(2026, 3, 28), None, SlaState::DueSoon),
        (date(2026, 3, 30), date(2026, 3, 26), None, SlaState::OnTime),
        // Due Wednesday 25 after the long Idul Fitri break: Tuesday 17 is still far in days
        // but only one working day before it.
        (date(2026, 3, 25), date(2026, 3, 17), None, SlaState::DueSoon),
    ];
    for (due, today, done, expected) in cases {
        assert_eq!(cal.sla_state(due, today, done), expected, "due {due}, today {today}, done {done:?}");
    }
    let strings: Vec<(&str, &str)> =
        [SlaState::OnTime, SlaState::DueSoon, SlaState::Overdue, SlaState::Met, SlaState::Missed]
            .iter()
            .map(|s| (s.as_str(), s.label()))
            .collect();
    assert_eq!(
        strings,
        [
            ("on_time", "Tepat waktu"),
            ("due_soon", "Segera jatuh tempo"),
            ("overdue", "Terlambat"),
            ("met", "Selesai tepat waktu"),
            ("missed", "Selesai terlambat"),
        ]
    );
}

#[test]
fn clocks() {
    let days: Vec<u32> = Clock::ALL.iter().map(Clock::working_days).collect();
    assert_eq!(days, [3, 5, 2, 5, 14, 60, 10, 7, 30, 30, 14, 14, 100]);
    assert_eq!(Clock::JawabanPermintaanInformasi.source(), "UU 14/2008 Ps 22(7)");
    assert_eq!(Clock::KomisiSelesai.source(), "UU 14/2008 Ps 38(2)");
    for clock in Clock::ALL {
        assert!(!clock.source().is_empty());
        assert!(!clock.label().is_empty());
        assert!(!clock.as_str().is_empty());
    }
}

#[test]
fn indonesian_dates() {
    let d = date(2026, 3, 17);
    assert_eq!(format_tanggal(d), "17 Maret 2026");
    assert_eq!(format_hari_tanggal(d), "Selasa, 17 Maret 2026");
    assert_eq!(format_tanggal_pendek(date(2026, 3, 18)), "18 Mar");
    assert_eq!(format_hari_tanggal(date(2026, 8, 2)), "Minggu, 2 Agustus 2026");
    assert_eq!(format_tanggal_pendek(date(2026, 8, 2)), "2 Agu");
    assert_eq!(format_hari_tanggal(date(2025, 1, 3)), "Jumat, 3 Januari 2025");
}

/// Dates around the years whose holidays are known, and a little beyond.
fn any_date() -> impl Strategy<Value = NaiveDate> {
    let first = date(2023, 10, 1);
    (0i64..(366 * 4)).prop_map(move |offset| first + chrono::Duration::days(offset))
}

proptest! {
    #[test]
    fn due_is_a_working_day(received in any_date(), days in 1u32..120) {
        let cal = national();
        let deadline = cal.add_working_days(received, days);
        prop_assert!(cal.is_working_day(deadline.due));
        prop_assert!(cal.is_working_day(deadline.counted_from));
        prop_assert!(deadline.due > deadline.counted_from);
    }

    #[test]
    fn more_days_never_earlier(received in any_date(), days in 0u32..120, more in 0u32..30) {
        let cal = national();
        let a = cal.add_working_days(received, days);
        let b = cal.add_working_days(received, days + more);
        prop_assert!(a.due <= b.due);
    }

    #[test]
    fn later_receipt_never_earlier(received in any_date(), later in 0i64..20, days in 0u32..60) {
        let cal = national();
        let a = cal.add_working_days(received, days);
        let b = cal.add_working_days(received + chrono::Duration::days(later), days);
        prop_assert!(a.due <= b.due);
    }

    #[test]
    fn between_counts_back_the_days(received in any_date(), days in 0u32..120) {
        let cal = national();
        let deadline = cal.add_working_days(received, days);
        prop_assert_eq!(
            cal.working_days_between(deadline.counted_from, deadline.due),
            i64::from(days)
        );
        // Every day from receipt to due is skipped, day zero, or one of the working days.
        let span = (deadline.due - deadline.received).num_days() + 1;
        prop_assert_eq!(span, deadline.skipped.len() as i64 + 1 + i64::from(days));
        prop_assert!(deadline.skipped.iter().all(|(d, _)| !cal.is_working_day(*d)));
        prop_assert!(deadline.skipped.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn between_matches_counting_day_by_day(from in any_date(), to in any_date()) {
        let cal = national();
        let (lo, hi) = if from <= to { (from, to) } else { (to, from) };
        let counted = lo
            .iter_days()
            .skip(1)
            .take_while(|d| *d <= hi)
            .filter(|d| cal.is_working_day(*d))
            .count() as i64;
        let expected = if from <= to { counted } else { -counted };
        prop_assert_eq!(cal.working_days_between(from, to), expected);
    }

    #[test]
    fn next_working_day_is_the_first_after(d in any_date()) {
        let cal = national();
        let next = cal.next_working_day(d);
        prop_assert!(next > d);
        prop_assert!(cal.is_working_day(next));
        prop_assert_eq!(cal.working_days_between(d, next), 1);
    }
}

#[test]
fn moments_are_written_in_the_zone_people_use() {
    use chrono::{FixedOffset, TimeZone, Utc};
    let at = Utc.with_ymd_and_hms(2026, 12, 5, 14, 27, 59).single().expect("time");
    let east = |h: i32| FixedOffset::east_opt(h * 3600).expect("offset");
    assert_eq!(format_waktu(at, east(7)), "5 Desember 2026, 21.27 WIB");
    assert_eq!(format_waktu(at, east(8)), "5 Desember 2026, 22.27 WITA");
    // Past midnight in Papua: the local date is the next day.
    assert_eq!(format_waktu(at, east(9)), "5 Desember 2026, 23.27 WIT");
    assert_eq!(
        format_waktu(Utc.with_ymd_and_hms(2026, 12, 31, 15, 5, 0).single().expect("t"), east(9)),
        "1 Januari 2027, 00.05 WIT"
    );
    assert_eq!(zona_waktu(east(0)), "UTC+0");
    assert_eq!(zona_waktu(east(-3)), "UTC-3");
    assert_eq!(zona_waktu(FixedOffset::east_opt(5 * 3600 + 1800).expect("offset")), "UTC+5:30");
}
