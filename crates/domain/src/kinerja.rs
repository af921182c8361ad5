//! Service figures (domain.md §9): counts that add up across villages, offices and months, and
//! the measures read from them — % verified within the 3 working days, % answered within the
//! deadline, median working days to finish, open and overdue work, IKM and grade, the share of
//! requests made online. Pure: the app fills the counts from storage and folds them as it likes.

use std::collections::BTreeMap;

use crate::ikm::{self, Index, NoIndex, Tally, Weights};

/// Additive counts for one village, office, month or any union of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    pub reports_received: u64,
    pub reports_verified: u64,
    pub reports_verified_on_time: u64,
    pub reports_answered: u64,
    pub reports_answered_on_time: u64,
    /// Working days from receipt to done → how many reports.
    pub reports_done_days: BTreeMap<i32, u64>,
    pub letters_received: u64,
    /// Filed from home or with a pendamping, not at the counter.
    pub letters_online: u64,
    pub letters_issued: u64,
    pub letters_issued_on_time: u64,
    pub info_received: u64,
    pub info_online: u64,
    pub info_decided: u64,
    pub info_decided_on_time: u64,
    /// Reports, letter requests and information requests not finished now.
    pub open: u64,
    /// Of those, past their due date.
    pub overdue: u64,
    pub survey: Tally,
}

/// `part` of `whole` in percent, `None` when there is nothing to measure.
pub fn share(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 * 100.0 / whole as f64)
}

/// The median of a histogram of (value, how many); the mean of the two middle values when the
/// number is even.
pub fn median(histogram: &BTreeMap<i32, u64>) -> Option<f64> {
    let total: u64 = histogram.values().sum();
    if total == 0 {
        return None;
    }
    let value_at = |rank: u64| {
        let mut seen = 0;
        for (value, n) in histogram {
            seen += n;
            if seen > rank {
                return f64::from(*value);
            }
        }
        histogram.keys().next_back().map_or(0.0, |v| f64::from(*v))
    };
    Some(if total % 2 == 1 { value_at(total / 2) } else { (value_at(total / 2 - 1) + value_at(total / 2)) / 2.0 })
}

impl Figures {
    pub fn merge(&mut self, other: &Figures) {
        self.reports_received += other.reports_received;
        self.reports_verified += other.reports_verified;
        self.reports_verified_on_time += other.reports_verified_on_time;
        self.reports_answered += other.reports_answered;
        self.reports_answered_on_time += other.reports_answered_on_time;
        for (days, n) in &other.reports_done_days {
            *self.reports_done_days.entry(*days).or_default() += n;
        }
        self.letters_received += other.letters_received;
        self.letters_online += other.letters_online;
        self.letters_issued += other.letters_issued;
        self.letters_issued_on_time += other.letters_issued_on_time;
        self.info_received += other.info_received;
        self.info_online += other.info_online;
        self.info_decided += other.info_decided;
        self.info_decided_on_time += other.info_decided_on_time;
        self.open += other.open;
        self.overdue += other.overdue;
        self.survey.merge(&other.survey);
    }

    /// Everything received: reports, letter requests, information requests.
    pub fn received(&self) -> u64 {
        self.reports_received + self.letters_received + self.info_received
    }

    /// Of the reports verified, the share verified within the 3 working days.
    pub fn verified_in_time(&self) -> Option<f64> {
        share(self.reports_verified_on_time, self.reports_verified)
    }

    /// Of everything answered (reports' first responses, letters signed, information requests
    /// decided), the share within its deadline.
    pub fn within_sla(&self) -> Option<f64> {
        share(
            self.reports_answered_on_time + self.letters_issued_on_time + self.info_decided_on_time,
            self.reports_answered + self.letters_issued + self.info_decided,
        )
    }

    /// Median working days from a report's receipt to done.
    pub fn median_days_to_done(&self) -> Option<f64> {
        median(&self.reports_done_days)
    }

    /// Of the letter and information requests, the share made online (reports are all made
    /// away from the counter, so they would only flatter the figure).
    pub fn online_share(&self) -> Option<f64> {
        share(self.letters_online + self.info_online, self.letters_received + self.info_received)
    }

    pub fn ikm(&self, weights: Weights) -> Result<Index, NoIndex> {
        ikm::index(&self.survey, weights)
    }
}

/// A percentage as the pages write it: `87,5 %`, or `—` when nothing was measured.
pub fn format_percent(value: Option<f64>) -> String {
    value.map_or_else(|| "—".into(), |v| format!("{} %", format!("{v:.1}").replace('.', ",")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn days(pairs: &[(i32, u64)]) -> BTreeMap<i32, u64> {
        pairs.iter().copied().collect()
    }

    #[test]
    fn medians_of_histograms() {
        assert_eq!(median(&days(&[])), None);
        assert_eq!(median(&days(&[(4, 1)])), Some(4.0));
        assert_eq!(median(&days(&[(1, 1), (3, 1)])), Some(2.0));
        assert_eq!(median(&days(&[(1, 2), (5, 1)])), Some(1.0));
        assert_eq!(median(&days(&[(1, 1), (2, 1), (9, 2)])), Some(5.5));
        assert_eq!(median(&days(&[(0, 5), (10, 4)])), Some(0.0));
        assert_eq!(median(&days(&[(1, 2), (5, 1), (9, 1)])), Some(3.0));
        assert_eq!(median(&days(&[(2, 3), (10, 1)])), Some(2.0));
    }

    #[test]
    fn shares_need_something_to_measure() {
        assert_eq!(share(0, 0), None);
        assert_eq!(share(1, 4), Some(25.0));
        assert_eq!(format_percent(Some(87.5)), "87,5 %");
        assert_eq!(format_percent(Some(200.0 / 3.0)), "66,7 %");
        assert_eq!(format_percent(None), "—");
    }

    #[test]
    fn merging_adds_every_count_and_the_measures_follow() {
        let mut a = Figures {
            reports_received: 4,
            reports_verified: 4,
            reports_verified_on_time: 3,
            reports_answered: 2,
            reports_answered_on_time: 2,
            reports_done_days: days(&[(2, 1), (6, 1)]),
            letters_received: 10,
            letters_online: 6,
            letters_issued: 8,
            letters_issued_on_time: 7,
            open: 3,
            overdue: 1,
            ..Figures::default()
        };
        let b = Figures {
            reports_received: 1,
            reports_verified: 1,
            reports_done_days: days(&[(6, 1)]),
            info_received: 2,
            info_online: 2,
            info_decided: 2,
            info_decided_on_time: 1,
            open: 1,
            ..Figures::default()
        };
        a.merge(&b);
        assert_eq!(a.received(), 17);
        assert_eq!(a.verified_in_time(), Some(60.0));
        // (2 + 7 + 1) of (2 + 8 + 2)
        assert_eq!(format_percent(a.within_sla()), "83,3 %");
        assert_eq!(a.median_days_to_done(), Some(6.0));
        // (6 + 2) of (10 + 2)
        assert_eq!(format_percent(a.online_share()), "66,7 %");
        assert_eq!((a.open, a.overdue), (4, 1));
        assert_eq!(a.ikm(Weights::Exact), Err(NoIndex::NoResponses));
    }

    #[test]
    fn the_survey_tally_merges_into_the_index() {
        let mut a = Figures::default();
        let mut t = Tally::default();
        t.add(&ikm::Response([Some(4); 9]));
        let b = Figures { survey: t, ..Figures::default() };
        a.merge(&b);
        a.merge(&b);
        let index = a.ikm(Weights::Exact).expect("answered");
        assert_eq!(index.ikm, 100.0);
        assert_eq!(a.survey.responses, 2);
    }
}
