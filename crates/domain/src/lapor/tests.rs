use super::*;
use crate::calendar::WorkingCalendar;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("valid in test")
}

#[test]
fn the_lapor_path_from_receipt_to_done_and_back() {
    use ReportAction as A;
    use ReportParty::*;
    use ReportState as S;
    assert_eq!(next_state(S::Diterima, A::Disposisi, Koordinator), Ok(S::Didisposisikan));
    assert_eq!(next_state(S::Didisposisikan, A::Tanggapi, Instansi), Ok(S::Ditindaklanjuti));
    assert_eq!(next_state(S::Ditindaklanjuti, A::Tanggapi, Instansi), Ok(S::Ditindaklanjuti));
    assert_eq!(next_state(S::Ditindaklanjuti, A::Selesaikan, Instansi), Ok(S::Selesai));
    assert_eq!(next_state(S::Selesai, A::BukaKembali, Pelapor), Ok(S::Didisposisikan));
    assert_eq!(next_state(S::Diterima, A::Tunda, Koordinator), Ok(S::Tunda));
    assert_eq!(next_state(S::Tunda, A::Jelaskan, Pelapor), Ok(S::Diterima));
}

#[test]
fn an_office_cannot_verify_and_a_reporter_cannot_close() {
    use ReportAction as A;
    use ReportParty::*;
    use ReportState as S;
    let err = next_state(S::Diterima, A::Disposisi, Instansi).expect_err("an error");
    assert_eq!(
        err,
        ReportTransitionError::WrongParty {
            state: S::Diterima,
            action: A::Disposisi,
            by: Instansi,
            expected: Koordinator
        }
    );
    assert!(err.message_id().contains("koordinator"));
    assert!(matches!(next_state(S::Diterima, A::Selesaikan, Instansi), Err(ReportTransitionError::NotAllowed { .. })));
    assert!(next_state(S::Ditindaklanjuti, A::Selesaikan, Pelapor).is_err());
    // Nothing leaves a closed state except reopening a finished report.
    for state in [S::BukanWewenang, S::Diarsipkan] {
        for action in ReportAction::ALL {
            for party in ReportParty::ALL {
                assert!(next_state(state, *action, *party).is_err(), "{state} {action} {party}");
            }
        }
    }
}

#[test]
fn buttons_follow_the_table() {
    assert_eq!(
        actions_for(ReportState::Diterima, ReportParty::Koordinator),
        vec![ReportAction::Disposisi, ReportAction::Tunda, ReportAction::BukanWewenang, ReportAction::Arsipkan]
    );
    assert_eq!(
        actions_for(ReportState::Didisposisikan, ReportParty::Instansi),
        vec![ReportAction::Tanggapi, ReportAction::Selesaikan, ReportAction::Perpanjang]
    );
    assert!(actions_for(ReportState::Diterima, ReportParty::Pelapor).is_empty());
}

#[test]
fn words_round_trip() {
    for kind in ReportKind::ALL {
        assert_eq!(kind.as_str().parse::<ReportKind>(), Ok(*kind));
    }
    for state in ReportState::ALL {
        assert_eq!(state.as_str().parse::<ReportState>(), Ok(*state));
    }
    for tier in Tier::ALL {
        assert_eq!(tier.as_str().parse::<Tier>(), Ok(*tier));
    }
    assert!("dibuang".parse::<ReportState>().expect_err("an error").to_string().contains("diterima, tunda"));
    assert_eq!(ReportState::Selesai.open311_status(), "closed");
    assert_eq!(ReportState::Tunda.open311_status(), "open");
}

#[test]
fn completion_clocks_by_tier_and_kind() {
    assert_eq!(completion_clock(ReportKind::Pengaduan, Tier::Ringan).working_days(), 2);
    assert_eq!(completion_clock(ReportKind::Pengaduan, Tier::Normatif).working_days(), 5);
    assert_eq!(completion_clock(ReportKind::Aspirasi, Tier::TidakBerkadarPengawasan).working_days(), 14);
    assert_eq!(completion_clock(ReportKind::Pengaduan, Tier::BerkadarPengawasan).working_days(), 60);
    assert_eq!(completion_clock(ReportKind::PermintaanInformasi, Tier::BerkadarPengawasan).working_days(), 10);
}

#[test]
fn the_deadline_that_matters_follows_the_state() {
    let deadlines = ReportDeadlines {
        verify_due: d("2026-03-20"),
        respond_due: Some(d("2026-03-27")),
        complete_due: Some(d("2026-03-25")),
    };
    assert_eq!(current_due(ReportState::Diterima, &deadlines, false), Some(d("2026-03-20")));
    // A ringan complaint must be done before the first-response clock would run out.
    assert_eq!(current_due(ReportState::Didisposisikan, &deadlines, false), Some(d("2026-03-25")));
    assert_eq!(current_due(ReportState::Ditindaklanjuti, &deadlines, true), Some(d("2026-03-25")));
    assert_eq!(current_due(ReportState::Tunda, &deadlines, false), None);
    assert_eq!(current_due(ReportState::Selesai, &deadlines, true), None);
}

#[test]
fn reopening_once_within_ten_working_days() {
    let cal = WorkingCalendar::national();
    // Closed Monday 2 Nov 2026; 10 working days later is Monday 16 Nov.
    let closed = Some(d("2026-11-02"));
    assert_eq!(may_reopen(&cal, ReportState::Selesai, closed, 0, d("2026-11-16")), Ok(()));
    assert_eq!(may_reopen(&cal, ReportState::Selesai, closed, 0, d("2026-11-17")), Err(ReopenRefused::TooLate));
    assert_eq!(may_reopen(&cal, ReportState::Selesai, closed, 1, d("2026-11-03")), Err(ReopenRefused::AlreadyReopened));
    assert_eq!(
        may_reopen(&cal, ReportState::Ditindaklanjuti, closed, 0, d("2026-11-03")),
        Err(ReopenRefused::NotFinished)
    );
}

#[test]
fn reminders_come_a_working_day_before_and_escalation_after() {
    let cal = WorkingCalendar::national();
    let due = d("2026-11-20"); // a Friday
    assert_eq!(deadline_step(&cal, due, d("2026-11-18"), false, false), DeadlineStep::Nothing);
    assert_eq!(deadline_step(&cal, due, d("2026-11-19"), false, false), DeadlineStep::Remind);
    assert_eq!(deadline_step(&cal, due, d("2026-11-19"), true, false), DeadlineStep::Nothing);
    assert_eq!(deadline_step(&cal, due, d("2026-11-20"), true, false), DeadlineStep::Nothing);
    assert_eq!(deadline_step(&cal, due, d("2026-11-21"), true, false), DeadlineStep::Escalate);
    assert_eq!(deadline_step(&cal, due, d("2026-11-23"), true, true), DeadlineStep::Nothing);
}

#[test]
fn descriptions_are_required_and_limited() {
    assert!(check_title_and_description("Jalan rusak", &"a".repeat(4000)).is_ok());
    let long = check_title_and_description("Jalan rusak", &"a".repeat(4001)).expect_err("an error");
    assert_eq!(long[0].field, "description");
    assert!(long[0].message.contains("4001"));
    let empty = check_title_and_description("  ", " \n ").expect_err("an error");
    assert_eq!(empty.iter().map(|p| p.field).collect::<Vec<_>>(), ["title", "description"]);
    // Multi-byte characters count as one each.
    assert!(check_title_and_description("Jalan", &"é".repeat(4000)).is_ok());
}

#[test]
fn html_is_kept_as_text_and_control_characters_dropped() {
    let (title, description) =
        check_title_and_description("<script>alert(1)</script>", "a\u{0}b\r\nc\u{7}").expect("valid in test");
    assert_eq!(title, "<script>alert(1)</script>");
    assert_eq!(description, "ab\nc");
}

#[test]
fn locations_inside_indonesia_only() {
    assert_eq!(parse_location("", " "), Ok(None));
    assert_eq!(parse_location("-7,3257", "108.3534"), Ok(Some(Location { lat: -7.3257, long: 108.3534 })));
    assert!(parse_location("51.5", "-0.12").expect_err("an error").message.contains("luar wilayah"));
    assert!(parse_location("-7.3", "").is_err());
    assert!(parse_location("NaN", "inf").is_err());
}

#[test]
fn ratings_are_one_to_five() {
    assert_eq!(parse_rating("5"), Ok(5));
    assert!(parse_rating("0").is_err());
    assert!(parse_rating("6").is_err());
    assert!(parse_rating("x").is_err());
}

#[test]
fn only_information_requests_are_extended_and_once() {
    assert_eq!(may_extend(ReportKind::PermintaanInformasi, false), Ok(()));
    assert_eq!(may_extend(ReportKind::PermintaanInformasi, true), Err(ExtendRefused::AlreadyExtended));
    assert_eq!(may_extend(ReportKind::Pengaduan, false), Err(ExtendRefused::NotInformationRequest));
    assert_eq!(crate::calendar::Clock::PerpanjanganInformasi.working_days(), 7);
}
