//! Survey responses in storage: a service's link answers once, a walk-in form once, nothing is
//! half-written, and the sums per village and service are the database's, on whichever database
//! `TEST_DATABASE_URL` names (CI runs both).

use balai_domain::wilayah::{KodeWilayah, Level, Region};
use balai_store::surveys::NewSurveyResponse;
use balai_store::testing::fresh_store;
use balai_store::{AuditEvent, StoreError};
use chrono::{DateTime, Duration, TimeZone, Utc};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 3, 0, 0).single().expect("time")
}

fn audit(action: &str) -> AuditEvent {
    AuditEvent {
        at: t0(),
        actor: "anon".into(),
        action: action.into(),
        object: String::new(),
        details: serde_json::json!({}),
    }
}

fn response(
    village: &str,
    service_type: &str,
    service_ref: Option<&str>,
    answers: [Option<u8>; 9],
) -> NewSurveyResponse {
    NewSurveyResponse {
        village_code: village.into(),
        unit: "desa".into(),
        source: if service_ref.is_some() { "surat".into() } else { "loket".into() },
        service_type: service_type.into(),
        service_label: "Surat Keterangan Tidak Mampu".into(),
        service_ref: service_ref.map(String::from),
        visit_key: service_ref.is_none().then(|| format!("visit-{}", answers.iter().flatten().count())),
        visitor_hash: Some("visitor-a".into()),
        answered_at: t0(),
        answers,
    }
}

#[tokio::test]
async fn a_link_answers_once_and_tallies_count_only_the_answers_given() {
    let (store, _db) = fresh_store().await;
    let region = |c: &str, name: &str, level| {
        let code = KodeWilayah::parse(c).expect("code");
        Region { parent: code.parent(), code, name: name.into(), level }
    };
    let regions = vec![
        region("32", "Jawa Barat", Level::Provinsi),
        region("32.07", "Kabupaten Ciamis", Level::Kabupaten),
        region("32.07.06", "Cihaurbeuti", Level::Kecamatan),
        region("32.07.06.2001", "Sukamulya", Level::Desa),
        region("32.07.06.2002", "Cihaurbeuti", Level::Desa),
    ];
    store.upsert_regions(&regions, audit("region.import")).await.expect("regions");
    let all4 = [Some(4); 9];
    let mut some = [Some(2); 9];
    some[1] = None;
    let first = store
        .record_survey_response(&response("32.07.06.2001", "surat:SKTM", Some("req-1"), all4), audit("survey.answer"))
        .await
        .expect("first answer");
    assert!(first > 0);
    assert!(store.survey_answered("surat", "req-1").await.expect("answered"));
    assert!(!store.survey_answered("surat", "req-2").await.expect("not answered"));
    let before = store.audit_head().await.expect("audit");
    let again = store
        .record_survey_response(&response("32.07.06.2001", "surat:SKTM", Some("req-1"), some), audit("survey.answer"))
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    assert_eq!(store.audit_head().await.expect("audit"), before, "nothing written for a reused link");
    let mut out_of_range = response("32.07.06.2001", "surat:SKTM", Some("req-9"), all4);
    out_of_range.answers[4] = Some(5);
    assert!(
        store.record_survey_response(&out_of_range, audit("survey.answer")).await.is_err(),
        "the database refuses 5 too"
    );
    assert!(!store.survey_answered("surat", "req-9").await.expect("not stored"));

    store
        .record_survey_response(&response("32.07.06.2001", "surat:SKTM", Some("req-2"), some), audit("survey.answer"))
        .await
        .expect("second service");
    let walk_in = response("32.07.06.2002", "lainnya", None, all4);
    store.record_survey_response(&walk_in, audit("survey.answer")).await.expect("walk-in");
    let twice = store.record_survey_response(&walk_in, audit("survey.answer")).await;
    assert!(matches!(twice, Err(StoreError::Conflict(_))), "one response per walk-in form");
    assert_eq!(store.survey_responses_by_visitor("visitor-a", t0() - Duration::hours(1)).await.expect("count"), 3);
    assert_eq!(store.survey_responses_by_visitor("visitor-a", t0() + Duration::hours(1)).await.expect("count"), 0);

    let year = (Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().expect("t"), t0() + Duration::days(1));
    let tallies = store.survey_tallies("32.07", year.0, year.1).await.expect("tallies");
    assert_eq!(tallies.len(), 2, "{tallies:?}");
    let sktm = &tallies[0];
    assert_eq!(
        (sktm.village_code.as_str(), sktm.service_type.as_str(), sktm.responses),
        ("32.07.06.2001", "surat:SKTM", 2)
    );
    assert_eq!(sktm.sums[0], 6);
    assert_eq!(sktm.counts[0], 2);
    assert_eq!((sktm.sums[1], sktm.counts[1]), (4, 1), "a skipped answer is not counted");
    let village = store.survey_tallies("32.07.06.2002", year.0, year.1).await.expect("one village");
    assert_eq!(village.len(), 1);
    assert_eq!(village[0].sums, [4; 9]);
    assert!(
        store
            .survey_tallies("32.07", t0() + Duration::days(1), t0() + Duration::days(2))
            .await
            .expect("later")
            .is_empty()
    );
    // No village named 32.07.06.20 exists: a prefix never matches a longer code by accident.
    assert!(store.survey_tallies("32.07.06.200", year.0, year.1).await.expect("prefix").is_empty());
    assert!(store.completed_services("32.07", year.0, year.1).await.expect("completed").is_empty());
}
