//! A made-up past for the demo regency, so that the evaluation dashboard's charts and the IKM
//! pages have something to show: finished reports handled by the villages and the demo offices,
//! and counter survey responses, every month of this year before the current one. Deterministic
//! (the same every time), clearly not real people, stored once. Only `serve --demo` adds it;
//! the test suites seed the demo without it, so their counts stay their own.

use balai_domain::calendar::SlaState;
use balai_domain::lapor::tracking::TrackingCode;
use balai_domain::wilayah::KodeWilayah;
use balai_store::reports::{Report, ReportEvent};
use balai_store::surveys::NewSurveyResponse;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde_json::json;

use crate::reports::public_id_of;
use crate::{Actor, App, AppResult};

const CATEGORIES: [(&str, &str, &str); 3] = [
    ("pekerjaan-umum-dan-penataan-ruang", "Jalan desa berlubang", "opd:dinas-pupr"),
    ("kesehatan", "Posyandu kekurangan timbangan", "opd:dinkes"),
    ("kependudukan", "KTP-el belum jadi", "opd:disdukcapil"),
];
const SERVICES: [(&str, &str); 3] = [
    ("surat:sktm", "Surat Keterangan Tidak Mampu"),
    ("surat:domisili", "Surat Keterangan Domisili"),
    ("lapor", "Pengaduan dan aspirasi"),
];

/// A small deterministic generator (an LCG): the same history every time.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

impl App {
    /// Adds the demo's past once (when the regency has no survey response yet). Returns how many
    /// reports and responses it added.
    pub async fn seed_demo_history(&self) -> AppResult<(usize, usize)> {
        let region = KodeWilayah::parse(crate::demo::DEMO_REGION).map_err(|e| anyhow::anyhow!("{e}"))?;
        let (Some(start), Some(end)) = (NaiveDate::from_ymd_opt(2000, 1, 1), NaiveDate::from_ymd_opt(2100, 1, 1))
        else {
            return Ok((0, 0));
        };
        let (start, end) = (self.local_midnight(start), self.local_midnight(end));
        if !self.store.survey_tallies(region.as_str(), start, end).await?.is_empty() {
            return Ok((0, 0));
        }
        let villages: Vec<String> = self
            .store
            .regions_within(&region, 4)
            .await?
            .into_iter()
            .filter(|r| r.level.is_village())
            .map(|r| r.code.as_str().to_string())
            .collect();
        let today = self.today();
        let calendar = self.working_calendar().await?;
        let mut dice = Dice(2026);
        let (mut reports, mut responses) = (0, 0);
        for month in 1..today.month() {
            let Some(first) = NaiveDate::from_ymd_opt(today.year(), month, 1) else { continue };
            for (v, village) in villages.iter().enumerate() {
                // Each village has its own habits: some answer slowly, some are rated low.
                let slow = v % 4 == 3;
                let tough = v % 5 == 2;
                for _ in 0..(1 + dice.roll(4)) {
                    let day = first + Duration::days(dice.roll(27) as i64);
                    let received = self.local_midnight(day) + Duration::hours(8 + dice.roll(8) as i64);
                    let (category, title, office) = CATEGORIES[dice.roll(3) as usize];
                    let handler = if dice.roll(2) == 0 { format!("desa:{village}") } else { office.to_string() };
                    let verify_days = 1 + dice.roll(if slow { 6 } else { 3 }) as i64;
                    let answer_days = verify_days + 1 + dice.roll(if slow { 12 } else { 5 }) as i64;
                    let done_days = answer_days + dice.roll(6) as i64;
                    let at = |days: i64| received + Duration::days(days);
                    let on = |days: i64| self.local_date(at(days));
                    let verify_due = calendar.add_working_days(day, 3).due;
                    let respond_due = calendar.add_working_days(on(verify_days), 5).due;
                    let complete_due = calendar.add_working_days(on(verify_days), 14).due;
                    let worked = calendar.working_days_between(day, on(done_days)) as i32;
                    let code = TrackingCode::from_random(dice.roll(u64::MAX));
                    let report = Report {
                        code: code.as_str().to_string(),
                        public_id: public_id_of(&code),
                        kind: "pengaduan".into(),
                        category: category.into(),
                        region_code: village.clone(),
                        title: format!("{title} (riwayat demo)"),
                        public_title: format!("{title} (riwayat demo)"),
                        description:
                            "Laporan riwayat buatan untuk demo dasbor evaluasi; bukan laporan warga sungguhan.".into(),
                        address: String::new(),
                        latitude: None,
                        longitude: None,
                        reporter_name: String::new(),
                        reporter_email: String::new(),
                        reporter_phone: String::new(),
                        resident_id: None,
                        anonymous: true,
                        confidential: false,
                        channel: "web".into(),
                        state: "selesai".into(),
                        handler: Some(handler),
                        tier: "normatif".into(),
                        received_at: received,
                        verify_due,
                        verified_at: Some(at(verify_days)),
                        verified_on_time: Some(on(verify_days) <= verify_due),
                        disposed_at: Some(at(verify_days)),
                        respond_due: Some(respond_due),
                        complete_due: Some(complete_due),
                        first_response_at: Some(at(answer_days)),
                        answered_on_time: Some(on(answer_days) <= respond_due),
                        closed_at: Some(at(done_days)),
                        done_working_days: Some(worked),
                        due_on: None,
                        sla_state: if on(done_days) <= complete_due { SlaState::Met } else { SlaState::Missed }
                            .as_str()
                            .into(),
                        reminded_for: None,
                        escalated_for: None,
                        rating: None,
                        rating_note: String::new(),
                        reopened: 0,
                        listed: false,
                        idempotency_key: None,
                        updated_at: at(done_days),
                    };
                    let event = ReportEvent {
                        at: received,
                        party: "sistem".into(),
                        actor_name: "Riwayat demo".into(),
                        action: "terima".into(),
                        from_state: String::new(),
                        to_state: "selesai".into(),
                        body: "Riwayat buatan untuk demo.".into(),
                        visibility: "internal".into(),
                    };
                    let audit =
                        self.audit_event(&Actor::System, "demo.history", format!("laporan:{}", report.code), json!({}));
                    self.store.create_report(&report, &event, &[], &[], audit, None).await?;
                    reports += 1;
                }
                for n in 0..(2 + dice.roll(5)) {
                    let (service_type, service_label) = SERVICES[dice.roll(3) as usize];
                    let low = if tough { 2 } else { 3 };
                    let answers: [Option<u8>; 9] = std::array::from_fn(|_| Some(low + dice.roll(2) as u8));
                    let answered_at: DateTime<Utc> =
                        self.local_midnight(first + Duration::days(dice.roll(27) as i64)) + Duration::hours(10);
                    let response = NewSurveyResponse {
                        village_code: village.clone(),
                        unit: "desa".into(),
                        source: "loket".into(),
                        service_type: service_type.into(),
                        service_label: service_label.into(),
                        service_ref: None,
                        visit_key: Some(format!("demo-riwayat-{village}-{month}-{n}")),
                        visitor_hash: None,
                        answered_at,
                        answers,
                    };
                    let audit = self.audit_event(&Actor::System, "demo.history", "survei".into(), json!({}));
                    self.store.record_survey_response(&response, audit).await?;
                    responses += 1;
                }
            }
        }
        Ok((reports, responses))
    }
}
