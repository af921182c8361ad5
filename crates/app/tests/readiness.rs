//! STOPE e-readiness and the capability programme through the use-cases, on whichever database
//! `TEST_DATABASE_URL` names: the platform proposes scores from live data, the admin scores
//! with evidence, training attendance moves the People score, and every refusal leaves nothing
//! behind.

use std::collections::BTreeMap;
use std::sync::Arc;

use balai_app::demo::seed_demo;
use balai_app::readiness::AssessmentInput;
use balai_app::training::SessionInput;
use balai_app::{Actor, App, AppConfig, AppError, FixedClock, StaffUser};
use balai_domain::stope::{self, Dimensi, Measure};
use balai_domain::wilayah::KodeWilayah;
use balai_store::testing::{TestDatabase, fresh_store};
use chrono::{TimeZone, Utc};

const SUKAMULYA: &str = "32.07.06.2001";

async fn app() -> (App, TestDatabase) {
    let (store, db) = fresh_store().await;
    let clock = Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2026, 11, 23, 2, 0, 0).single().expect("time")));
    let config = AppConfig { home_region: Some(KodeWilayah::parse("32.07").expect("code")), ..Default::default() };
    let app = App::new(store, clock, config);
    seed_demo(&app).await.expect("seed");
    (app, db)
}

async fn staff(app: &App, username: &str) -> Actor {
    let user = app.store().user_by_username(username).await.expect("lookup").expect("exists");
    Actor::Staff(StaffUser::from(user))
}

/// The form's proposals taken as they are, every other factor scored 3 with a note.
async fn accept_proposals(app: &App, admin: &Actor) -> (AssessmentInput, BTreeMap<String, u8>) {
    let form = app.readiness_form(admin, SUKAMULYA).await.expect("form");
    let mut input = AssessmentInput::default();
    let mut proposed = BTreeMap::new();
    for (_, factors) in &form.indicators {
        for v in factors {
            let code = v.factor.code.to_string();
            match &v.proposal {
                Some(p) => {
                    proposed.insert(code.clone(), p.score);
                    input.scores.insert(code.clone(), p.score.to_string());
                    input.evidence.insert(code, p.evidence.clone());
                }
                None => {
                    input.scores.insert(code.clone(), "3".into());
                    input.evidence.insert(code, "Dokumen diperiksa di kantor desa.".into());
                }
            }
        }
    }
    (input, proposed)
}

#[tokio::test]
async fn the_admin_scores_sukamulya_and_training_moves_the_people_score() {
    let (app, _db) = app().await;
    let admin = staff(&app, "admin.ciamis").await;
    let operator = staff(&app, "operator.sukamulya").await;
    // The operator adds a colleague to the list: the village's staff are active today.
    app.add_aparatur(&operator, SUKAMULYA, "Iis Rohaeti", "Kepala Urusan").await.expect("added");

    let (input, proposed) = accept_proposals(&app, &admin).await;
    // Live data: one operator account, active today, 4 of 9 aparatur trained, 1 of 4 outputs.
    assert_eq!(proposed.get("P1.1"), Some(&3), "{proposed:?}");
    assert_eq!(proposed.get("S1.2"), Some(&4), "{proposed:?}");
    assert_eq!(proposed.get("P2.1"), Some(&2), "4 of 9 is 44 %: {proposed:?}");
    assert_eq!(proposed.get("P2.2"), Some(&2), "{proposed:?}");
    let form = app.readiness_form(&admin, SUKAMULYA).await.expect("form");
    let evidence = |code: &str| {
        form.indicators
            .iter()
            .flat_map(|(_, f)| f.iter())
            .find(|f| f.factor.code == code)
            .and_then(|f| f.proposal.clone())
            .expect("proposed")
            .evidence
    };
    assert!(evidence("P1.1").contains("operator.sukamulya"), "{}", evidence("P1.1"));
    assert!(evidence("P2.1").contains("4 dari 9 aparatur"), "{}", evidence("P2.1"));
    assert!(evidence("P2.2").contains("Daftar Informasi Publik"), "{}", evidence("P2.2"));

    app.assess_readiness(&admin, SUKAMULYA, &input).await.expect("stored");
    let first = app.village_readiness(&admin, SUKAMULYA).await.expect("history");
    assert_eq!(first.history.len(), 1);
    let people_before = first.history[0].readiness.domain(Dimensi::SumberDaya).expect("P");
    // P1 = (3 + 3) / 2, P2 = (2 + 2) / 2: People 2,50.
    assert_eq!(people_before.text(), "2,50");
    let stored = first.history[0].score_of("P2.1").expect("P2.1");
    assert_eq!((stored.score, stored.proposed), (2, Some(2)));

    // Three more attend a session: 7 of 9 (78 %) proposes 3; then one who left is marked so,
    // and 7 of 8 (88 %) meets the goal and proposes 4.
    let session = SessionInput {
        module: "kapabilitas".into(),
        title: "Pelatihan standar pelayanan".into(),
        held_on: "2026-11-20".into(),
        place: "Balai Desa Sukamulya".into(),
    };
    let id = app.create_training_session(&admin, "32.07", &session).await.expect("session");
    let list = app.store().aparatur_of(SUKAMULYA).await.expect("list");
    let untrained: Vec<&balai_store::training::Aparatur> = list.iter().filter(|a| a.sessions == 0).collect();
    assert_eq!(untrained.len(), 5);
    let present: Vec<String> = untrained.iter().take(3).map(|a| a.id.to_string()).collect();
    app.record_attendance(&admin, id, SUKAMULYA, &present).await.expect("attendance");
    let facts = app.live_facts(&first.village).await.expect("facts");
    assert_eq!((facts.aparatur, facts.aparatur_trained), (9, 7));
    assert_eq!(stope::propose(Measure::TrainingAttendance, &facts).map(|p| p.score), Some(3));
    app.set_aparatur_active(&admin, SUKAMULYA, untrained[4].id, false).await.expect("left");

    let (input, proposed) = accept_proposals(&app, &admin).await;
    assert_eq!(proposed.get("P2.1"), Some(&4), "{proposed:?}");
    app.assess_readiness(&admin, SUKAMULYA, &input).await.expect("stored");
    let second = app.village_readiness(&admin, SUKAMULYA).await.expect("history");
    assert_eq!(second.history.len(), 2, "the first assessment is kept");
    let people_after = second.history[0].readiness.domain(Dimensi::SumberDaya).expect("P");
    assert_eq!(people_after.text(), "3,00", "P2 = (4 + 2) / 2");
    assert!(second.history[0].readiness.overall > second.history[1].readiness.overall);

    // The regency's ranking: Sukamulya first of the assessed, the others listed unassessed.
    let ranking = app.readiness_ranking(&admin, "32.07").await.expect("ranking");
    assert_eq!(ranking.assessed(), 1);
    assert_eq!(ranking.rows[0].village.code.as_str(), SUKAMULYA);
    assert!(ranking.rows.len() > 10 && ranking.rows[1].latest.is_none());
    let (weakest, villages) = &ranking.weakest[0];
    assert_eq!(weakest.code, second.history[0].readiness.weakest().expect("weakest").0.code);
    assert_eq!(villages[0].0.code.as_str(), SUKAMULYA);

    let overview = app.training_overview(&admin, "32.07.06").await.expect("overview");
    assert_eq!(overview.sessions.len(), 2, "the regency's sessions show in its kecamatan");
    let sukamulya = overview.coverage.iter().find(|c| c.village.code.as_str() == SUKAMULYA).expect("listed");
    assert_eq!((sukamulya.aparatur, sukamulya.trained, sukamulya.meets_goal()), (8, 7, true));
    assert_eq!(overview.meeting_goal(), 1);
}

#[tokio::test]
async fn bad_scores_and_wrong_people_change_nothing() {
    let (app, _db) = app().await;
    let admin = staff(&app, "admin.ciamis").await;
    let (good, _) = accept_proposals(&app, &admin).await;

    let mut no_evidence = good.clone();
    no_evidence.evidence.insert("O2.1".into(), "   ".into());
    let Err(AppError::Invalid(errors)) = app.assess_readiness(&admin, SUKAMULYA, &no_evidence).await else {
        panic!("a score without evidence is refused");
    };
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].field, "bukti-O2-1");
    assert!(errors[0].message.contains("skor tanpa bukti tidak diterima"), "{}", errors[0].message);

    let mut bad = good.clone();
    bad.scores.insert("T1.1".into(), "5".into());
    bad.scores.remove("E2.2");
    bad.evidence.insert("S2.1".into(), "a\u{0}b".into());
    let Err(AppError::Invalid(errors)) = app.assess_readiness(&admin, SUKAMULYA, &bad).await else {
        panic!("refused");
    };
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["bukti-S2-1", "skor-T1-1", "skor-E2-2"]);

    // The budget domain, once included, needs its factors too.
    let mut budget = good.clone();
    budget.with_budget = true;
    budget.scores.retain(|k, _| !k.starts_with('A'));
    let Err(AppError::Invalid(errors)) = app.assess_readiness(&admin, SUKAMULYA, &budget).await else {
        panic!("refused");
    };
    assert!(errors.iter().any(|e| e.field == "skor-A1-1"), "{errors:?}");

    // The evaluator and the village head read the assessments but do not score.
    app.assess_readiness(&admin, SUKAMULYA, &good).await.expect("stored");
    for username in ["evaluator.ciamis", "kades.sukamulya", "camat.cihaurbeuti"] {
        let reader = staff(&app, username).await;
        assert!(matches!(app.readiness_form(&reader, SUKAMULYA).await, Err(AppError::Forbidden)), "{username}");
        assert!(
            matches!(app.assess_readiness(&reader, SUKAMULYA, &good).await, Err(AppError::Forbidden)),
            "{username}"
        );
        let seen = app.village_readiness(&reader, SUKAMULYA).await.expect("may read");
        assert!(!seen.may_assess);
    }
    let kades = staff(&app, "kades.sukamulya").await;
    assert!(matches!(app.readiness_ranking(&kades, "32.07").await, Err(AppError::Forbidden)));
    let operator_elsewhere = staff(&app, "operator.cikoneng").await;
    assert!(matches!(app.village_readiness(&operator_elsewhere, SUKAMULYA).await, Err(AppError::Forbidden)));
    assert!(matches!(
        app.village_readiness(&Actor::Anonymous { ip: "203.0.113.9".into() }, SUKAMULYA).await,
        Err(AppError::Unauthenticated)
    ));
    assert_eq!(app.village_readiness(&admin, SUKAMULYA).await.expect("history").history.len(), 1, "one stored");

    // The programme refuses bad sessions, strangers' names and duplicates.
    let bad_session =
        SessionInput { module: "sulap".into(), title: "x".into(), held_on: "07/12/2026".into(), place: "".into() };
    let Err(AppError::Invalid(errors)) = app.create_training_session(&admin, "32.07", &bad_session).await else {
        panic!("refused");
    };
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["module", "title", "place", "held_on"]);
    let evaluator = staff(&app, "evaluator.ciamis").await;
    let session = SessionInput {
        module: "ppid".into(),
        title: "Pendampingan DIP".into(),
        held_on: "2026-11-02".into(),
        place: "Kantor Desa".into(),
    };
    assert!(matches!(app.create_training_session(&evaluator, "32.07", &session).await, Err(AppError::Forbidden)));
    let id = app.create_training_session(&admin, "32.07", &session).await.expect("session");
    let cikoneng = staff(&app, "operator.cikoneng").await;
    let stranger = app.add_aparatur(&cikoneng, "32.07.02.2001", "Asep Cikoneng", "Kepala Desa").await.expect("added");
    let Err(AppError::Invalid(_)) = app.record_attendance(&admin, id, SUKAMULYA, &[stranger.to_string()]).await else {
        panic!("a name from another village is refused");
    };
    assert!(app.store().session_attendance(id).await.expect("attendance").is_empty(), "nothing recorded");
    let Err(AppError::Invalid(errors)) = app.add_aparatur(&admin, SUKAMULYA, "Rina  Marlina", "Sekretaris Desa").await
    else {
        panic!("a duplicate is refused");
    };
    assert!(errors[0].message.contains("sudah ada"), "{errors:?}");
    assert!(matches!(
        app.add_aparatur(&cikoneng, SUKAMULYA, "Orang Lain", "Kepala Desa").await,
        Err(AppError::Forbidden)
    ));
    let Err(AppError::Invalid(_)) = app.set_village_output(&admin, SUKAMULYA, "sop", Some(("2099-01-01", ""))).await
    else {
        panic!("a date in the future is refused");
    };
    assert_eq!(app.store().village_outputs(SUKAMULYA).await.expect("outputs").len(), 1, "only the demo's DIP");
}

#[tokio::test]
async fn the_pupr_forum_pack_lists_its_overdue_reports() {
    use balai_app::ppid::ReportFormat;
    use balai_app::reports::{Channel, NewReportInput, ReportCommand};
    use balai_domain::ikm::Periode;

    let (store, _db) = fresh_store().await;
    let clock = Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2026, 11, 2, 2, 0, 0).single().expect("time")));
    let config = AppConfig { home_region: Some(KodeWilayah::parse("32.07").expect("code")), ..Default::default() };
    let app = App::new(store, clock.clone(), config);
    seed_demo(&app).await.expect("seed");
    let admin = staff(&app, "admin.ciamis").await;
    let visitor = Actor::Anonymous { ip: "203.0.113.9".into() };
    let input = NewReportInput {
        kind: "pengaduan".into(),
        category: "pekerjaan-umum-dan-penataan-ruang".into(),
        region: SUKAMULYA.into(),
        title: "Jembatan gantung Dusun Cibodas putus".into(),
        description: "Jembatan gantung penghubung Dusun Cibodas putus sejak hujan deras minggu lalu.".into(),
        address: "Dusun Cibodas".into(),
        email: "pelapor@example.org".into(),
        anonymous: true,
        idempotency_key: "forum-1".into(),
        ..Default::default()
    };
    let sent = app.submit_report(&visitor, input, vec![], Channel::Web).await.expect("submit");
    let dispose = ReportCommand { action: "disposisi".into(), handler: "opd:dinas-pupr".into(), ..Default::default() };
    app.act_on_report(&admin, &sent.public_id, dispose).await.expect("dispose");

    let quarter = Periode::Triwulan(2026, 4);
    let fresh = app.forum_pack(&admin, "dinas-pupr", quarter).await.expect("pack");
    assert!(fresh.overdue.is_empty(), "not due yet");
    assert_eq!(fresh.now.reports_received, 1);
    assert_eq!(fresh.previous, Periode::Triwulan(2026, 3));

    // A month later nobody has answered: it is overdue, and listed by its public title only.
    clock.advance(chrono::Duration::days(30));
    let pack = app.forum_pack(&admin, "dinas-pupr", quarter).await.expect("pack");
    assert_eq!(pack.overdue.len(), 1);
    assert_eq!(pack.overdue[0].public_id, sent.public_id);
    assert!(pack.days_overdue(&pack.overdue[0]) > 0);
    let tables = pack.tables();
    assert_eq!(tables[1].rows.len(), 1);
    assert_eq!(tables[1].rows[0][0], sent.code.display());
    assert!(tables[1].rows[0][1].contains("Jembatan"), "{:?}", tables[1].rows);
    assert!(!format!("{tables:?}").contains("pelapor@example.org"), "no reporter in the pack");
    let (name, content_type, xlsx) =
        app.forum_file(&admin, "dinas-pupr", quarter, ReportFormat::Xlsx).await.expect("xlsx");
    assert_eq!(name, "forum-dinas-pupr-2026-T4.xlsx");
    assert!(content_type.contains("spreadsheetml") && xlsx.starts_with(b"PK"));

    // The evaluator reads it; the PUPR liaison (an office, not an evaluator) and visitors do not.
    let evaluator = staff(&app, "evaluator.ciamis").await;
    assert!(app.forum_pack(&evaluator, "dinas-pupr", quarter).await.is_ok());
    let pupr = staff(&app, "pupr.ciamis").await;
    assert!(matches!(app.forum_pack(&pupr, "dinas-pupr", quarter).await, Err(AppError::Forbidden)));
    assert!(matches!(app.forum_pack(&visitor, "dinas-pupr", quarter).await, Err(AppError::Unauthenticated)));
    assert!(matches!(app.forum_pack(&admin, "tidak-ada", quarter).await, Err(AppError::NotFound)));
    assert!(matches!(app.forum_pack(&admin, "dinas-pupr", Periode::Tahun(2099)).await, Err(AppError::Invalid(_))));
}
