//! Reports through the use-cases, on whichever database `TEST_DATABASE_URL` names: an anonymous
//! complaint about a broken road is confirmed by email (a real SMTP sink on loopback), verified,
//! disposed to Dinas PUPR, answered, closed, rated and reopened; an overdue one is reminded and
//! escalated exactly once; and what must stay hidden stays hidden.

use std::sync::Arc;
use std::time::Duration;

use balai_app::demo::seed_demo;
use balai_app::messages::{Deliverer, DeliverySettings, WorkerOptions, deliver_due_once};
use balai_app::reports::{Channel, NewReportInput, PublicListQuery, ReportCommand, ReporterCommand, Viewer};
use balai_app::{Actor, App, AppConfig, AppError, FixedClock, StaffUser};
use balai_domain::lapor::ReportState;
use balai_domain::lapor::tracking::TrackingCode;
use balai_domain::wilayah::KodeWilayah;
use balai_store::testing::{TestDatabase, fresh_store};
use chrono::{TimeZone, Utc};

mod support;
use support::smtp::{SmtpSink, parse_mail};

const DESA: &str = "32.07.06.2001";

async fn app() -> (App, Arc<FixedClock>, TestDatabase) {
    let (store, db) = fresh_store().await;
    // 09:00 WIB, Monday 23 November 2026.
    let clock = Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2026, 11, 23, 2, 0, 0).single().expect("time")));
    let config = AppConfig { home_region: Some(KodeWilayah::parse("32.07").expect("code")), ..Default::default() };
    let app = App::new(store, clock.clone(), config);
    seed_demo(&app).await.expect("seed");
    (app, clock, db)
}

async fn staff(app: &App, username: &str) -> Actor {
    let user = app.store().user_by_username(username).await.expect("lookup").expect("exists");
    Actor::Staff(StaffUser::from(user))
}

fn visitor() -> Actor {
    Actor::Anonymous { ip: "203.0.113.9".into() }
}

fn road_complaint(key: &str) -> NewReportInput {
    NewReportInput {
        kind: "pengaduan".into(),
        category: "pekerjaan-umum-dan-penataan-ruang".into(),
        region: DESA.into(),
        title: "Jalan rusak di Dusun Cibodas".into(),
        description: "Jalan desa di Dusun Cibodas berlubang sepanjang 200 meter sejak banjir bulan lalu.".into(),
        address: "Dusun Cibodas RT 003/001".into(),
        lat: "-7,2701".into(),
        long: "108.3102".into(),
        email: "warga.pelapor@example.org".into(),
        anonymous: true,
        idempotency_key: key.into(),
        ..Default::default()
    }
}

fn dispose_to(handler: &str) -> ReportCommand {
    ReportCommand { action: "disposisi".into(), handler: handler.into(), ..Default::default() }
}

fn command(action: &str, text: &str) -> ReportCommand {
    ReportCommand { action: action.into(), text: text.into(), ..Default::default() }
}

#[tokio::test]
async fn an_anonymous_road_complaint_from_email_confirmation_to_rating() {
    let (app, clock, _db) = app().await;
    let (sink, smtp) = SmtpSink::start().await;
    let deliverer = Deliverer::new(&DeliverySettings {
        smtp_url: format!("smtp://{smtp}"),
        smtp_from: "Balai <lapor@ciamis.example.org>".into(),
        gateway_url: String::new(),
        gateway_token: String::new(),
        send_timeout: Duration::from_secs(10),
    })
    .expect("deliverer");
    let deliver = || async {
        deliver_due_once(app.store().as_ref(), &deliverer, &WorkerOptions::default(), clock.as_ref())
            .await
            .expect("deliver")
    };

    // Submitted without an account; a double click sends the same form twice.
    let sent = app.submit_report(&visitor(), road_complaint("form-1"), vec![], Channel::Web).await.expect("submit");
    let again = app.submit_report(&visitor(), road_complaint("form-1"), vec![], Channel::Web).await.expect("again");
    assert!(!sent.duplicate);
    assert!(again.duplicate);
    assert_eq!(again.code, sent.code);
    assert_eq!(app.store().count_reports().await.expect("count"), 1);
    // Received Monday 23 Nov: verification due Thursday 26 Nov (3 working days).
    assert_eq!(sent.verify_deadline.due.to_string(), "2026-11-26");
    assert_eq!(sent.channels, ["email"]);

    // The confirmation reaches a real SMTP server with the code and the deadline.
    assert_eq!(deliver().await.sent, 1);
    let mails = sink.mails();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, ["<warga.pelapor@example.org>"]);
    let (_, body) = parse_mail(&mails[0].data);
    assert!(body.contains(&sent.code.display()), "{body}");
    assert!(body.contains("26 November 2026"), "{body}");

    // Nobody but the coordinator may act before disposition; the office does not even see it.
    let pupr = staff(&app, "pupr.ciamis").await;
    let coordinator = staff(&app, "admin.ciamis").await;
    assert!(matches!(
        app.act_on_report(&pupr, &sent.public_id, command("tanggapi", "Akan kami perbaiki")).await,
        Err(AppError::NotFound)
    ));
    let (new, _, _) = app.coordinator_inbox(&coordinator).await.expect("inbox");
    assert_eq!(new.len(), 1);
    let view = app.staff_report(&coordinator, &sent.public_id).await.expect("view");
    assert_eq!(view.viewer, Viewer::Coordinator);
    // The coordinator sees who reported; the public and the office never do.
    assert_eq!(view.contact.as_deref(), Some("warga.pelapor@example.org"));
    assert!(app.public_report(&sent.public_id).await.is_err(), "not public before verification");

    app.act_on_report(&coordinator, &sent.public_id, dispose_to("opd:dinas-pupr")).await.expect("dispose");
    let office_view = app.staff_report(&pupr, &sent.public_id).await.expect("office view");
    assert_eq!(office_view.viewer, Viewer::Office);
    assert_eq!(office_view.reporter, "Anonim");
    assert_eq!(office_view.contact, None);
    assert_eq!(office_view.state, ReportState::Didisposisikan);
    // Tier "tidak berkadar pengawasan": 14 working days; first response within 5.
    let report = office_view.report.clone();
    assert_eq!(report.respond_due.map(|d| d.to_string()).as_deref(), Some("2026-11-30"));
    assert_eq!(report.complete_due.map(|d| d.to_string()).as_deref(), Some("2026-12-11"));
    assert_eq!(report.due_on, report.respond_due);
    assert_eq!(report.verified_on_time, Some(true));

    // Another office cannot answer it.
    let dinkes_user = app
        .create_staff(
            &Actor::System,
            balai_app::NewStaffInput {
                username: "dinkes.ciamis".into(),
                full_name: "Penghubung Dinkes".into(),
                grants: vec![("penghubung_opd".into(), "dinkes".into())],
                ..Default::default()
            },
        )
        .await
        .expect("dinkes user");
    let dinkes = staff(&app, &dinkes_user.username).await;
    assert!(matches!(
        app.act_on_report(&dinkes, &sent.public_id, command("tanggapi", "bukan kami")).await,
        Err(AppError::NotFound)
    ));

    // Public: listed, anonymous, searchable.
    let listed =
        app.public_reports(&PublicListQuery { region: DESA.into(), ..Default::default() }).await.expect("list");
    assert_eq!(listed.items.len(), 1);
    assert_eq!(listed.items[0].reporter, "Anonim");
    let found = app.public_reports(&PublicListQuery { text: "berlubang jalan".into(), ..Default::default() }).await;
    assert_eq!(found.expect("search").items.len(), 1);
    let missing = app.public_reports(&PublicListQuery { text: "puskesmas".into(), ..Default::default() }).await;
    assert!(missing.expect("search").items.is_empty());
    let operators = app.public_reports(&PublicListQuery { text: "\"jalan* (".into(), ..Default::default() }).await;
    assert_eq!(operators.expect("search with FTS syntax is just words").items.len(), 1);

    // The office answers publicly (HTML stays text), notes something internally, closes it.
    let answer = "Tim <b>UPTD</b> menambal jalan pada 25 November.";
    app.act_on_report(&pupr, &sent.public_id, command("tanggapi", answer)).await.expect("answer");
    app.act_on_report(&pupr, &sent.public_id, command("catatan", "Anggaran dari pos pemeliharaan rutin."))
        .await
        .expect("note");
    app.reporter_act(&visitor(), sent.code.as_str(), ReporterCommand::Balas("Terima kasih, ditunggu.".into()))
        .await
        .expect("reporter reply");
    // The office hears about the reporter's reply by email.
    let about = app.store().messages_about(&format!("lapor:{}", sent.public_id)).await.expect("messages");
    assert!(about.iter().any(|m| m.recipient == "dinas-pupr@ciamis.example.org" && m.body.contains("ditunggu")));
    let tracked = app.track_report(&sent.code.display().to_lowercase()).await.expect("track");
    assert_eq!(tracked.state, ReportState::Ditindaklanjuti);
    assert!(tracked.events.iter().any(|e| e.body == answer));
    assert!(tracked.events.iter().all(|e| e.visibility != "internal"), "internal notes stay with staff");
    let public = app.public_report(&sent.public_id).await.expect("public");
    assert!(public.events.iter().all(|e| e.visibility == "publik"));
    assert!(public.events.iter().all(|e| !e.body.contains("ditunggu")));

    app.act_on_report(&pupr, &sent.public_id, command("selesaikan", "Jalan sudah ditambal.")).await.expect("done");
    // Rating: once, 1–5.
    let rate = |r: &str| ReporterCommand::Nilai { rating: r.into(), note: "Cepat".into() };
    assert!(matches!(app.reporter_act(&visitor(), sent.code.as_str(), rate("7")).await, Err(AppError::Invalid(_))));
    app.reporter_act(&visitor(), sent.code.as_str(), rate("5")).await.expect("rate");
    assert!(matches!(app.reporter_act(&visitor(), sent.code.as_str(), rate("4")).await, Err(AppError::AlreadyDone(_))));
    let done = app.track_report(sent.code.as_str()).await.expect("track");
    assert_eq!(done.report.rating, Some(5));
    assert_eq!(done.report.sla_state, "met");
    assert!(done.may_reopen);

    // Every state change told the reporter: received, disposed, answered, done.
    deliver().await;
    let subjects: Vec<String> = sink
        .mails()
        .iter()
        .filter(|m| m.to == ["<warga.pelapor@example.org>"])
        .map(|m| balai_support_subject(&m.data))
        .collect();
    assert_eq!(subjects.len(), 4, "{subjects:?}");
    assert!(sink.mails().iter().any(|m| m.to == ["<dinas-pupr@ciamis.example.org>"]), "the office was told");

    // Reopened once; not twice.
    app.reporter_act(&visitor(), sent.code.as_str(), ReporterCommand::BukaKembali("Lubang muncul lagi.".into()))
        .await
        .expect("reopen");
    app.act_on_report(&pupr, &sent.public_id, command("selesaikan", "Ditambal ulang.")).await.expect("done again");
    assert!(matches!(
        app.reporter_act(&visitor(), sent.code.as_str(), ReporterCommand::BukaKembali("lagi".into())).await,
        Err(AppError::AlreadyDone(_))
    ));

    // The scoreboard counts it for Dinas PUPR and for the village.
    let board = app.report_scoreboard().await.expect("scoreboard");
    let line = board.offices.iter().find(|l| l.key == "opd:dinas-pupr").expect("pupr line");
    assert_eq!(line.verified_in_time, Some(100.0));
    assert_eq!(line.answered_in_time, Some(100.0));
    assert_eq!(line.median_days_to_done, Some(0.0));
    assert!(board.villages.iter().any(|l| l.key == DESA && l.total == 1));
}

#[tokio::test]
async fn an_overdue_report_is_reminded_then_escalated_once() {
    let (app, clock, _db) = app().await;
    let coordinator = staff(&app, "admin.ciamis").await;
    let mut input = road_complaint("");
    input.category = "kesehatan".into();
    input.title = "Puskesmas pembantu tutup".into();
    let sent = app.submit_report(&visitor(), input, vec![], Channel::Web).await.expect("submit");
    app.act_on_report(&coordinator, &sent.public_id, dispose_to("opd:dinkes")).await.expect("dispose");
    // Normatif: 5 working days, due Monday 30 Nov. Nothing to do on Wednesday.
    clock.advance(chrono::Duration::days(2));
    let pass = app.run_report_deadlines().await.expect("pass");
    assert_eq!((pass.reminded, pass.escalated), (0, 0));
    // Friday 27 Nov: one working day left: a reminder, once.
    clock.advance(chrono::Duration::days(2));
    assert_eq!(app.run_report_deadlines().await.expect("pass").reminded, 1);
    assert_eq!(app.run_report_deadlines().await.expect("pass").reminded, 0);
    let reminders = app.store().messages_about(&format!("lapor:{}", sent.public_id)).await.expect("messages");
    assert!(reminders.iter().any(|m| m.recipient == "dinkes@ciamis.example.org" && m.subject.contains("Pengingat")));

    // Tuesday 1 Dec: overdue. Two app instances run the job at once: one escalation.
    clock.advance(chrono::Duration::days(4));
    let (a, b) = tokio::join!(app.run_report_deadlines(), app.run_report_deadlines());
    let (a, b) = (a.expect("a"), b.expect("b"));
    assert_eq!(a.escalated + b.escalated, 1, "{a:?} {b:?}");
    assert_eq!(app.run_report_deadlines().await.expect("pass").escalated, 0);
    let (_, _, escalated) = app.coordinator_inbox(&coordinator).await.expect("inbox");
    assert_eq!(escalated.len(), 1);
    assert!(escalated[0].escalated);
    assert_eq!(escalated[0].report.sla_state, "overdue");
    let audit = app.store().audit_recent(&format!("report:{}", sent.public_id), 20).await.expect("audit");
    assert_eq!(audit.iter().filter(|r| r.action == "report.escalate").count(), 1);

    // The coordinator moves it to another office: a new clock, no longer escalated.
    app.act_on_report(&coordinator, &sent.public_id, dispose_to("opd:dinas-pupr")).await.expect("redispose");
    let (_, _, escalated) = app.coordinator_inbox(&coordinator).await.expect("inbox");
    assert!(escalated.is_empty());
}

#[tokio::test]
async fn clarification_confidential_reports_and_bad_input() {
    let (app, _clock, _db) = app().await;
    let coordinator = staff(&app, "admin.ciamis").await;
    let village_operator = staff(&app, "operator.sukamulya").await;
    let other_operator = staff(&app, "operator.cikoneng").await;

    let mut input = road_complaint("");
    input.anonymous = false;
    input.confidential = true;
    input.name = "Dadang <script>alert(1)</script>".into();
    let sent = app.submit_report(&visitor(), input, vec![], Channel::Web).await.expect("submit");
    // The village coordinates its own matters; the neighbouring village sees nothing.
    assert!(app.staff_report(&village_operator, &sent.public_id).await.is_ok());
    assert!(matches!(app.staff_report(&other_operator, &sent.public_id).await, Err(AppError::NotFound)));
    assert!(matches!(app.staff_report(&visitor(), &sent.public_id).await, Err(AppError::Unauthenticated)));

    // Clarification: the verification clock starts again from the answer.
    app.act_on_report(&coordinator, &sent.public_id, command("tunda", "Di RT berapa tepatnya?")).await.expect("tunda");
    assert!(matches!(
        app.act_on_report(&coordinator, &sent.public_id, dispose_to("opd:dinas-pupr")).await,
        Err(AppError::AlreadyDone(_))
    ));
    app.reporter_act(&visitor(), sent.code.as_str(), ReporterCommand::Jelaskan("RT 003 RW 001.".into()))
        .await
        .expect("clarify");
    app.act_on_report(&coordinator, &sent.public_id, dispose_to("desa:32.07.06.2001")).await.expect("dispose");
    // Confidential: never public, even verified, even by its public id.
    assert!(app.public_reports(&PublicListQuery::default()).await.expect("list").items.is_empty());
    assert!(matches!(app.public_report(&sent.public_id).await, Err(AppError::NotFound)));
    // Disposed to the village: its operator answers it.
    app.act_on_report(&village_operator, &sent.public_id, command("tanggapi", "Sudah dicek.")).await.expect("answer");
    let view = app.track_report(sent.code.as_str()).await.expect("track");
    assert_eq!(view.report.reporter_name, "Dadang <script>alert(1)</script>", "stored as typed, escaped when shown");

    // Bad input: clear field errors, nothing stored.
    let before = app.store().count_reports().await.expect("count");
    let mut empty = road_complaint("");
    empty.description = "   ".into();
    let mut long = road_complaint("");
    long.description = "x".repeat(4001);
    let mut nowhere = road_complaint("");
    nowhere.region = "99.99.99.9999".into();
    let mut silent = road_complaint("");
    silent.anonymous = false;
    silent.email = String::new();
    for (input, field) in [(empty, "description"), (long, "description"), (nowhere, "region"), (silent, "email")] {
        match app.submit_report(&visitor(), input, vec![], Channel::Web).await {
            Err(AppError::Invalid(errors)) => assert!(errors.iter().any(|e| e.field == field), "{errors:?}"),
            other => panic!("expected invalid {field}, got {other:?}"),
        }
    }
    assert_eq!(app.store().count_reports().await.expect("count"), before);

    // A forged code is told apart from an unknown one.
    let mut forged = sent.code.as_str().to_string();
    let last = forged.pop().expect("char");
    forged.push(if last == '0' { '1' } else { '0' });
    assert!(matches!(app.track_report(&forged).await, Err(AppError::Invalid(_))));
    let unknown = TrackingCode::from_random(7);
    assert!(matches!(app.track_report(unknown.as_str()).await, Err(AppError::NotFound)));
}

/// The subject line of a raw message.
fn balai_support_subject(data: &str) -> String {
    let (headers, _) = parse_mail(data);
    support::smtp::decode_header(support::smtp::header(&headers, "subject"))
}

#[tokio::test]
async fn an_information_request_is_answered_within_ten_working_days_extendable_once() {
    let (app, _clock, _db) = app().await;
    let coordinator = staff(&app, "admin.ciamis").await;
    let pupr = staff(&app, "pupr.ciamis").await;
    let mut input = road_complaint("");
    input.kind = "permintaan_informasi".into();
    input.title = "Rincian anggaran perbaikan jalan 2026".into();
    let sent = app.submit_report(&visitor(), input, vec![], Channel::Web).await.expect("submit");
    app.act_on_report(&coordinator, &sent.public_id, dispose_to("opd:dinas-pupr")).await.expect("dispose");
    let before = app.staff_report(&pupr, &sent.public_id).await.expect("view").report;
    // Disposed Monday 23 Nov: 10 working days (UU 14/2008 Ps 22(7)) whatever the category's tier.
    assert_eq!(before.complete_due.map(|d| d.to_string()).as_deref(), Some("2026-12-07"));
    app.act_on_report(&pupr, &sent.public_id, command("perpanjang", "Data masih direkap bidang anggaran."))
        .await
        .expect("extend");
    let after = app.staff_report(&pupr, &sent.public_id).await.expect("view").report;
    // Seven more working days: Tuesday 8 Dec … Wednesday 16 Dec.
    assert_eq!(after.complete_due.map(|d| d.to_string()).as_deref(), Some("2026-12-16"));
    assert!(matches!(
        app.act_on_report(&pupr, &sent.public_id, command("perpanjang", "lagi")).await,
        Err(AppError::AlreadyDone(_))
    ));
    // A complaint cannot be extended this way.
    let complaint = app.submit_report(&visitor(), road_complaint(""), vec![], Channel::Web).await.expect("submit");
    app.act_on_report(&coordinator, &complaint.public_id, dispose_to("opd:dinas-pupr")).await.expect("dispose");
    assert!(matches!(
        app.act_on_report(&pupr, &complaint.public_id, command("perpanjang", "alasan")).await,
        Err(AppError::AlreadyDone(_))
    ));
}
