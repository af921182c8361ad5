use super::*;
use crate::calendar::{Holiday, HolidayKind};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
}

/// Weekends only, plus one holiday on Wednesday 11 March 2026.
fn calendar() -> WorkingCalendar {
    WorkingCalendar::new([Holiday { date: d(2026, 3, 11), name: "Libur uji".into(), kind: HolidayKind::Libur }])
}

#[test]
fn answer_clock_is_ten_working_days_and_the_extension_seven_more() {
    let cal = calendar();
    // Monday 2 March is day zero; ten working days skipping the weekend and 11 March.
    let first = answer_deadline(&cal, d(2026, 3, 2));
    assert_eq!(first.due, d(2026, 3, 17));
    assert_eq!(first.working_days, 10);
    let extended = extended_deadline(&cal, first.due);
    assert_eq!(extended.due, d(2026, 3, 26));
    // Received on a Saturday: counted from Monday.
    assert_eq!(answer_deadline(&cal, d(2026, 2, 28)).due, d(2026, 3, 17));
}

#[test]
fn the_national_calendar_moves_the_answer_past_cuti_bersama() {
    // Received Monday 16 March 2026, the week of Idul Fitri 1447 H and its cuti bersama.
    let cal = WorkingCalendar::national();
    let due = answer_deadline(&cal, d(2026, 3, 16)).due;
    assert!(cal.is_working_day(due));
    assert!(due > d(2026, 3, 30), "holidays are skipped: {due}");
}

#[test]
fn extension_needs_a_reason_once_and_in_time() {
    let due = d(2026, 3, 17);
    assert!(check_extension(RequestState::Diterima, due, d(2026, 3, 10), "Dokumen masih di arsip dusun").is_ok());
    let short = check_extension(RequestState::Diterima, due, d(2026, 3, 10), "  ").expect_err("must be refused");
    assert!(short.message.contains("alasan"), "{}", short.message);
    let twice = check_extension(RequestState::Diperpanjang, due, d(2026, 3, 10), "Dokumen masih di arsip dusun");
    assert!(twice.expect_err("must be refused").message.contains("satu kali"));
    let late = check_extension(RequestState::Diterima, due, d(2026, 3, 18), "Dokumen masih di arsip dusun");
    assert!(late.expect_err("must be refused").message.contains("sudah lewat"));
    let decided = check_extension(RequestState::Ditolak, due, d(2026, 3, 10), "Dokumen masih di arsip dusun");
    assert!(decided.is_err());
}

#[test]
fn refusals_cite_an_exemption_and_a_reason_grants_give_an_answer() {
    let open = RequestState::Diterima;
    let refused = check_decision(open, Decision::Ditolak, None, "", "", 0).expect_err("must be refused");
    let fields: Vec<_> = refused.iter().map(|p| p.field).collect();
    assert_eq!(fields, ["exemption", "reason"]);
    let ok = check_decision(open, Decision::Ditolak, Some(Exemption::Ps17h), "Memuat data pribadi warga.", "", 0)
        .expect("a cited refusal");
    assert_eq!(ok.exemption, Some(Exemption::Ps17h));
    let partly =
        check_decision(open, Decision::DikabulkanSebagian, Some(Exemption::Ps17h), "Alasan cukup panjang", "", 0);
    assert_eq!(partly.expect_err("must be refused")[0].field, "answer");
    let granted =
        check_decision(open, Decision::Dikabulkan, Some(Exemption::Ps17a), "", "APBDes 2026 terlampir.", 5000)
            .expect("a grant");
    assert_eq!(granted.exemption, None, "a full grant cites no exemption");
    assert_eq!(granted.fee_rupiah, 5000);
    assert!(check_decision(RequestState::Dikabulkan, Decision::Dikabulkan, None, "", "x", 0).is_err());
    assert!(check_decision(open, Decision::Dikabulkan, None, "", "x", -1).is_err());
}

#[test]
fn keberatan_window_counts_from_the_notice_or_the_missed_deadline() {
    let cal = calendar();
    assert_eq!(keberatan_ground_date(Some(d(2026, 3, 5)), d(2026, 3, 17), d(2026, 3, 6)), Some(d(2026, 3, 5)));
    assert_eq!(keberatan_ground_date(None, d(2026, 3, 17), d(2026, 3, 17)), None);
    assert_eq!(keberatan_ground_date(None, d(2026, 3, 17), d(2026, 3, 18)), Some(d(2026, 3, 17)));
    let window = keberatan_window(&cal, d(2026, 3, 2));
    assert_eq!(window.working_days, 30);
    // 30 working days from Monday 2 March, one holiday: six weeks and a day.
    assert_eq!(window.due, d(2026, 4, 14));
    assert_eq!(keberatan_answer_deadline(&cal, d(2026, 3, 2)).due, d(2026, 4, 14));
    assert_eq!(komisi_deadline(&cal, d(2026, 3, 2)).due, d(2026, 3, 23));
}

#[test]
fn keberatan_needs_a_ground_that_fits_and_time_left() {
    let cal = calendar();
    let window = keberatan_window(&cal, d(2026, 3, 2));
    let today = d(2026, 3, 20);
    let none = check_keberatan(&[], "", today, Some(&window), RequestState::Ditolak).expect_err("must be refused");
    assert!(none[0].message.contains("Pasal 35"));
    let (grounds, _) = check_keberatan(
        &[KeberatanGround::E, KeberatanGround::A, KeberatanGround::A],
        "",
        today,
        Some(&window),
        RequestState::Ditolak,
    )
    .expect("a refused request may be objected to");
    assert_eq!(grounds, [KeberatanGround::A, KeberatanGround::E]);
    let late = check_keberatan(&[KeberatanGround::A], "", d(2026, 4, 15), Some(&window), RequestState::Ditolak)
        .expect_err("must be refused");
    assert!(late[0].message.contains("sudah lewat"), "{}", late[0].message);
    assert!(check_keberatan(&[KeberatanGround::A], "", d(2026, 4, 14), Some(&window), RequestState::Ditolak).is_ok());
    let too_early =
        check_keberatan(&[KeberatanGround::C], "", today, None, RequestState::Diterima).expect_err("must be refused");
    assert!(too_early[0].message.contains("baru dapat"));
    assert!(check_keberatan(&[KeberatanGround::A], "", today, Some(&window), RequestState::Diserahkan).is_err());
    assert!(check_keberatan(&[KeberatanGround::C], "", today, Some(&window), RequestState::Ditolak).is_err());
    assert!(
        check_keberatan(&[KeberatanGround::C, KeberatanGround::G], "", today, Some(&window), RequestState::Diterima)
            .is_ok()
    );
    assert_eq!(parse_grounds(&["a".into(), "".into(), "g".into()]), Ok(vec![KeberatanGround::A, KeberatanGround::G]));
    assert!(parse_grounds(&["h".into()]).is_err());
}

#[test]
fn periodic_items_go_stale_after_six_months() {
    assert!(!berkala_stale(DipClass::Berkala, d(2026, 1, 31), d(2026, 7, 31)));
    assert!(berkala_stale(DipClass::Berkala, d(2026, 1, 31), d(2026, 8, 1)));
    assert!(!berkala_stale(DipClass::SetiapSaat, d(2020, 1, 1), d(2026, 8, 1)));
}

fn dip(class: &str) -> DipInput {
    DipInput {
        class: class.into(),
        title: "APBDes 2026".into(),
        summary: "Anggaran pendapatan dan belanja desa".into(),
        holder: "Sekretaris Desa".into(),
        responsible: "Kepala Desa".into(),
        made_when_where: "Januari 2026, Kantor Desa".into(),
        form: "keduanya".into(),
        retention: "10 tahun".into(),
        consequence_test: String::new(),
        exemption: String::new(),
    }
}

#[test]
fn dip_items_need_the_perki_columns_and_exempt_ones_a_consequence_test() {
    let ok = check_dip(&dip("berkala")).expect("complete item");
    assert_eq!(ok.class, DipClass::Berkala);
    assert_eq!(ok.form, InfoForm::Keduanya);
    let mut empty = dip("");
    empty.title = " ".into();
    empty.form = "disket".into();
    let fields: Vec<_> = check_dip(&empty).expect_err("must be refused").iter().map(|p| p.field).collect();
    assert_eq!(fields, ["title", "class", "form"]);
    let exempt = check_dip(&dip("dikecualikan")).expect_err("must be refused");
    let fields: Vec<_> = exempt.iter().map(|p| p.field).collect();
    assert_eq!(fields, ["consequence_test", "exemption"]);
    let mut tested = dip("dikecualikan");
    tested.consequence_test =
        "Membuka data ini mengungkap rahasia pribadi penerima bantuan dan dapat menimbulkan stigma.".into();
    tested.exemption = "ps17h".into();
    assert_eq!(check_dip(&tested).expect("tested").exemption, Some(Exemption::Ps17h));
    // A consequence test typed for a public item is not kept.
    let mut public = tested.clone();
    public.class = "setiap_saat".into();
    let public = check_dip(&public).expect("public");
    assert!(public.consequence_test.is_empty() && public.exemption.is_none());
    assert!(!DipClass::Dikecualikan.is_public() && DipClass::Berkala.is_public());
}

#[test]
fn register_numbers() {
    assert_eq!(register_number(1, "PPID", "2001", d(2026, 12, 5)), "001/PPID/2001/XII/2026");
    assert_eq!(register_number(1234, "KEB", "2001", d(2026, 4, 1)), "1234/KEB/2001/IV/2026");
}

#[test]
fn annual_figures_count_classes_decisions_and_time() {
    let r = |class, decision, delivered, extended, days, on_time| RequestFigure {
        class,
        decision,
        delivered,
        extended,
        days_to_notice: days,
        on_time,
    };
    let requests = [
        r(Some(DipClass::SetiapSaat), Some(Decision::Dikabulkan), true, true, Some(14), Some(true)),
        r(Some(DipClass::Dikecualikan), Some(Decision::Ditolak), false, false, Some(4), Some(true)),
        r(Some(DipClass::Berkala), Some(Decision::DikabulkanSebagian), false, false, Some(12), Some(false)),
        r(None, None, false, false, None, None),
    ];
    let objections = [KeberatanFigure {
        grounds: vec![KeberatanGround::A, KeberatanGround::E],
        outcome: Some(KeberatanOutcome::Ditolak),
        on_time: Some(true),
    }];
    let f = annual_figures(&requests, &objections);
    assert_eq!(f.requests, 4);
    assert_eq!(
        f.per_class,
        vec![
            (Some(DipClass::Berkala), 1),
            (Some(DipClass::SertaMerta), 0),
            (Some(DipClass::SetiapSaat), 1),
            (Some(DipClass::Dikecualikan), 1),
            (None, 1)
        ]
    );
    assert_eq!((f.granted, f.partly, f.refused, f.undecided, f.delivered), (1, 1, 1, 1, 1));
    assert_eq!((f.extended, f.on_time, f.late), (1, 2, 1));
    assert_eq!(f.mean_days, Some(10.0));
    assert_eq!(f.max_days, Some(14));
    assert_eq!((f.keberatan, f.keberatan_answered, f.keberatan_upheld, f.keberatan_on_time), (1, 1, 0, 1));
    assert_eq!(f.per_ground[0], (KeberatanGround::A, 1));
    assert_eq!(f.per_ground[1], (KeberatanGround::B, 0));
    let empty = annual_figures(&[], &[]);
    assert_eq!(empty.mean_days, None);
}
