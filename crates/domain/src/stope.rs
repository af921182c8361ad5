//! STOPE e-readiness (domain.md §9): domain → indicator → factor, each factor scored 1–4 with
//! written evidence; an indicator is the mean of its factors, a domain the mean of its
//! indicators, the overall score the mean of the domains; the level is the overall score rounded
//! half up (1 not ready … 4 fully ready), shown with two decimals.
//!
//! The default instrument is the ten indicators of the e-Office Desa study (seed 002, two per
//! domain), each with two factors, plus the optional sixth domain Anggaran. Means are kept as
//! exact fractions so that 2.125 rounds to 2.13 and 2.5 to level 3, never by float accident.
//!
//! Where the platform knows an answer from live data, [`propose`] turns the facts into a
//! proposed score with its evidence; the assessor keeps the last word.

use std::collections::BTreeMap;

use crate::kinerja::{format_percent, share};

/// The STOPE domains, with the optional budget domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dimensi {
    Strategi,
    Teknologi,
    Organisasi,
    SumberDaya,
    Lingkungan,
    Anggaran,
}

impl Dimensi {
    /// The five domains of the default instrument, then the optional sixth.
    pub const ALL: [Dimensi; 6] = [
        Dimensi::Strategi,
        Dimensi::Teknologi,
        Dimensi::Organisasi,
        Dimensi::SumberDaya,
        Dimensi::Lingkungan,
        Dimensi::Anggaran,
    ];

    pub fn code(&self) -> &'static str {
        match self {
            Dimensi::Strategi => "S",
            Dimensi::Teknologi => "T",
            Dimensi::Organisasi => "O",
            Dimensi::SumberDaya => "P",
            Dimensi::Lingkungan => "E",
            Dimensi::Anggaran => "A",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Dimensi::Strategi => "Strategi (Strategy)",
            Dimensi::Teknologi => "Teknologi (Technology)",
            Dimensi::Organisasi => "Organisasi (Organization)",
            Dimensi::SumberDaya => "Sumber daya manusia (People)",
            Dimensi::Lingkungan => "Lingkungan (Environment)",
            Dimensi::Anggaran => "Anggaran (Budget)",
        }
    }

    /// A short name for chart labels.
    pub fn short(&self) -> &'static str {
        match self {
            Dimensi::Strategi => "Strategi",
            Dimensi::Teknologi => "Teknologi",
            Dimensi::Organisasi => "Organisasi",
            Dimensi::SumberDaya => "SDM",
            Dimensi::Lingkungan => "Lingkungan",
            Dimensi::Anggaran => "Anggaran",
        }
    }

    pub fn is_optional(&self) -> bool {
        *self == Dimensi::Anggaran
    }
}

/// What the platform can measure for a factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// Active operator accounts of the village.
    OperatorAssigned,
    /// How recently the village's staff worked on the platform.
    OperatorActive,
    /// Survey responses against the Krejcie–Morgan sample of the services completed.
    SurveyDone,
    /// Letter and information requests filed online.
    ShareOnline,
    /// Services answered within their deadline.
    SlaMet,
    /// Aparatur who attended the capability programme's training.
    TrainingAttendance,
    /// The capability programme's outputs in place (SOP, DIP, portal, evaluation report).
    OutputsDone,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Factor {
    /// Stable, e.g. `S1.2`.
    pub code: &'static str,
    pub label: &'static str,
    pub measure: Option<Measure>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Indicator {
    /// Stable, e.g. `S1`.
    pub code: &'static str,
    pub dimensi: Dimensi,
    pub label: &'static str,
    pub factors: &'static [Factor],
}

const fn manual(code: &'static str, label: &'static str) -> Factor {
    Factor { code, label, measure: None }
}

const fn live(code: &'static str, label: &'static str, measure: Measure) -> Factor {
    Factor { code, label, measure: Some(measure) }
}

/// The default instrument: the ten indicators of the e-Office Desa study, then the optional
/// Anggaran indicator.
pub const INSTRUMENT: [Indicator; 11] = [
    Indicator {
        code: "S1",
        dimensi: Dimensi::Strategi,
        label: "Adanya SDM koordinator IT",
        factors: &[
            manual("S1.1", "Koordinator IT desa ditetapkan (keputusan kepala desa)"),
            live("S1.2", "Koordinator atau operator aktif mengelola layanan di platform", Measure::OperatorActive),
        ],
    },
    Indicator {
        code: "S2",
        dimensi: Dimensi::Strategi,
        label: "Adanya perencanaan",
        factors: &[
            manual("S2.1", "Digitalisasi layanan tercantum dalam RPJMDes/RKPDes"),
            live("S2.2", "Layanan dievaluasi dengan survei kepuasan masyarakat", Measure::SurveyDone),
        ],
    },
    Indicator {
        code: "T1",
        dimensi: Dimensi::Teknologi,
        label: "Adanya sarana dan prasarana komputer",
        factors: &[
            manual("T1.1", "Komputer, printer dan pemindai untuk layanan tersedia"),
            manual("T1.2", "Perangkat dan aplikasi diperiksa dan diperbarui berkala"),
        ],
    },
    Indicator {
        code: "T2",
        dimensi: Dimensi::Teknologi,
        label: "Adanya pelayanan berbasis teknologi (wifi/internet)",
        factors: &[
            manual("T2.1", "Koneksi internet/wifi di kantor desa"),
            live("T2.2", "Warga mengajukan permohonan secara daring", Measure::ShareOnline),
        ],
    },
    Indicator {
        code: "O1",
        dimensi: Dimensi::Organisasi,
        label: "Adanya kebijakan tentang teknologi",
        factors: &[
            manual("O1.1", "Peraturan atau keputusan desa tentang layanan elektronik"),
            live("O1.2", "Standar waktu layanan dipenuhi", Measure::SlaMet),
        ],
    },
    Indicator {
        code: "O2",
        dimensi: Dimensi::Organisasi,
        label: "Adanya kebijakan stakeholder",
        factors: &[
            manual("O2.1", "Kerja sama dengan pihak lain (swasta, perguruan tinggi, komunitas)"),
            manual("O2.2", "Koordinasi berkala dengan kecamatan dan OPD"),
        ],
    },
    Indicator {
        code: "P1",
        dimensi: Dimensi::SumberDaya,
        label: "Adanya petugas pelayanan (operator)",
        factors: &[
            live("P1.1", "Operator layanan memiliki akun aktif di platform", Measure::OperatorAssigned),
            manual("P1.2", "Petugas melayani pada jam layanan yang diumumkan"),
        ],
    },
    Indicator {
        code: "P2",
        dimensi: Dimensi::SumberDaya,
        label: "Adanya peningkatan kompetensi dengan bimtek",
        factors: &[
            live("P2.1", "Aparatur desa mengikuti pelatihan dan pendampingan", Measure::TrainingAttendance),
            live("P2.2", "Keluaran pendampingan tersusun (SOP, DIP, portal, laporan evaluasi)", Measure::OutputsDone),
        ],
    },
    Indicator {
        code: "E1",
        dimensi: Dimensi::Lingkungan,
        label: "Adanya pendanaan program teknologi",
        factors: &[
            manual("E1.1", "Anggaran TIK dalam APBDes tahun berjalan"),
            manual("E1.2", "Anggaran pelatihan dan pemeliharaan perangkat"),
        ],
    },
    Indicator {
        code: "E2",
        dimensi: Dimensi::Lingkungan,
        label: "Adanya investasi modal program teknologi",
        factors: &[
            manual("E2.1", "Belanja modal perangkat atau jaringan TIK"),
            manual("E2.2", "Dukungan dana pihak lain (hibah, CSR)"),
        ],
    },
    Indicator {
        code: "A1",
        dimensi: Dimensi::Anggaran,
        label: "Realisasi dan pertanggungjawaban anggaran TIK",
        factors: &[
            manual("A1.1", "Realisasi anggaran TIK sesuai rencana"),
            manual("A1.2", "Penggunaan anggaran TIK dilaporkan secara terbuka"),
        ],
    },
];

/// The indicators assessed, with or without the optional Anggaran domain.
pub fn indicators(with_budget: bool) -> impl Iterator<Item = &'static Indicator> {
    INSTRUMENT.iter().filter(move |i| with_budget || !i.dimensi.is_optional())
}

pub fn indicator(code: &str) -> Option<&'static Indicator> {
    INSTRUMENT.iter().find(|i| i.code == code)
}

pub fn factor(code: &str) -> Option<&'static Factor> {
    INSTRUMENT.iter().flat_map(|i| i.factors.iter()).find(|f| f.code == code)
}

/// An exact mean: `num / den`, den > 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Score {
    num: u64,
    den: u64,
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

impl Score {
    fn new(num: u64, den: u64) -> Score {
        let g = gcd(num, den).max(1);
        Score { num: num / g, den: den / g }
    }

    /// The mean of some scores; none for none.
    pub fn mean(scores: &[Score]) -> Option<Score> {
        if scores.is_empty() {
            return None;
        }
        let mut sum = Score::new(0, 1);
        for s in scores {
            sum = Score::new(sum.num * s.den + s.num * sum.den, sum.den * s.den);
        }
        Some(Score::new(sum.num, sum.den * scores.len() as u64))
    }

    pub fn value(&self) -> f64 {
        self.num as f64 / self.den as f64
    }

    /// Hundredths, rounded half up: 2.125 → 213.
    pub fn hundredths(&self) -> u64 {
        (200 * self.num + self.den) / (2 * self.den)
    }

    /// With two decimals and a decimal comma: `2,13`.
    pub fn text(&self) -> String {
        let h = self.hundredths();
        format!("{},{:02}", h / 100, h % 100)
    }

    /// The readiness level: the score rounded half up.
    pub fn level(&self) -> Level {
        match (2 * self.num + self.den) / (2 * self.den) {
            0 | 1 => Level::BelumSiap,
            2 => Level::KurangSiap,
            3 => Level::CukupSiap,
            _ => Level::SiapPenuh,
        }
    }
}

impl PartialOrd for Score {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Score {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.num * other.den).cmp(&(other.num * self.den))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    BelumSiap = 1,
    KurangSiap = 2,
    CukupSiap = 3,
    SiapPenuh = 4,
}

impl Level {
    pub fn number(&self) -> u8 {
        *self as u8
    }

    pub fn label(&self) -> &'static str {
        match self {
            Level::BelumSiap => "Belum siap",
            Level::KurangSiap => "Kurang siap",
            Level::CukupSiap => "Cukup siap",
            Level::SiapPenuh => "Siap sepenuhnya",
        }
    }
}

/// Why scores cannot be made into an assessment.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScoreError {
    #[error("faktor {0} tidak dikenal")]
    UnknownFactor(String),
    #[error("skor faktor {0} harus 1 sampai 4")]
    OutOfRange(String),
    #[error("faktor {0} belum diberi skor")]
    Missing(String),
}

/// An assessment computed from its factor scores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readiness {
    pub with_budget: bool,
    /// In instrument order.
    pub indicators: Vec<(&'static Indicator, Score)>,
    pub domains: Vec<(Dimensi, Score)>,
    pub overall: Score,
}

impl Readiness {
    /// Scores the instrument from every factor's score (1–4). Every factor of the assessed
    /// domains is needed; the optional domain's factors only `with_budget`.
    pub fn from_scores(scores: &BTreeMap<String, u8>, with_budget: bool) -> Result<Readiness, ScoreError> {
        for (code, score) in scores {
            let known = factor(code).ok_or_else(|| ScoreError::UnknownFactor(code.clone()))?;
            if !(1..=4).contains(score) {
                return Err(ScoreError::OutOfRange(known.code.into()));
            }
        }
        let mut indicators = Vec::new();
        for ind in indicators_of(with_budget) {
            let mut factor_scores = Vec::new();
            for f in ind.factors {
                let s = scores.get(f.code).ok_or_else(|| ScoreError::Missing(f.code.into()))?;
                factor_scores.push(Score::new(u64::from(*s), 1));
            }
            let mean = Score::mean(&factor_scores).ok_or_else(|| ScoreError::Missing(ind.code.into()))?;
            indicators.push((ind, mean));
        }
        let mut domains = Vec::new();
        for d in Dimensi::ALL.iter().filter(|d| with_budget || !d.is_optional()) {
            let of: Vec<Score> = indicators.iter().filter(|(i, _)| i.dimensi == *d).map(|(_, s)| *s).collect();
            if let Some(mean) = Score::mean(&of) {
                domains.push((*d, mean));
            }
        }
        let domain_scores: Vec<Score> = domains.iter().map(|(_, s)| *s).collect();
        let overall = Score::mean(&domain_scores).ok_or_else(|| ScoreError::Missing("STOPE".into()))?;
        Ok(Readiness { with_budget, indicators, domains, overall })
    }

    pub fn domain(&self, d: Dimensi) -> Option<Score> {
        self.domains.iter().find(|(x, _)| *x == d).map(|(_, s)| *s)
    }

    /// The lowest indicator (the first of equals, in instrument order).
    pub fn weakest(&self) -> Option<(&'static Indicator, Score)> {
        let mut weakest: Option<(&'static Indicator, Score)> = None;
        for (i, s) in &self.indicators {
            if weakest.is_none_or(|(_, w)| *s < w) {
                weakest = Some((i, *s));
            }
        }
        weakest
    }
}

fn indicators_of(with_budget: bool) -> Vec<&'static Indicator> {
    indicators(with_budget).collect()
}

/// What the platform knows about a village, for the proposals.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LiveFacts {
    /// The active operator accounts (names as shown).
    pub operators: Vec<String>,
    /// Days since the village's staff last did something on the platform; `None`: never.
    pub days_since_staff_action: Option<i64>,
    pub survey_responses: u64,
    /// The Krejcie–Morgan sample of the services completed this year.
    pub survey_needed: u64,
    pub services_completed: u64,
    pub requests_received: u64,
    pub requests_online: u64,
    /// Services answered, and of those on time.
    pub answered: u64,
    pub answered_on_time: u64,
    /// Active aparatur on the village's list, and those who attended a training session.
    pub aparatur: u64,
    pub aparatur_trained: u64,
    /// The programme's outputs in place, by name, and how many there are.
    pub outputs_done: Vec<String>,
    pub outputs_total: u64,
    /// The year the figures are of.
    pub year: i32,
}

/// A score the platform proposes, with the evidence it read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub score: u8,
    pub evidence: String,
}

/// The score one measure proposes from the facts, or `None` when they say nothing (no
/// service to survey, no request filed, no aparatur listed).
pub fn propose(measure: Measure, facts: &LiveFacts) -> Option<Proposal> {
    let year = facts.year;
    let p = |score: u8, evidence: String| Some(Proposal { score, evidence });
    match measure {
        Measure::OperatorAssigned => {
            let n = facts.operators.len();
            let score = match n {
                0 => 1,
                1 => 3,
                _ => 4,
            };
            let evidence = if n == 0 {
                "Belum ada akun operator desa yang aktif di platform.".to_string()
            } else {
                format!("{n} akun operator desa aktif di platform: {}.", facts.operators.join(", "))
            };
            p(score, evidence)
        }
        Measure::OperatorActive => match facts.days_since_staff_action {
            None => p(1, "Staf desa belum pernah bekerja di platform.".into()),
            Some(days) => {
                let score = match days {
                    ..=7 => 4,
                    8..=30 => 3,
                    31..=90 => 2,
                    _ => 1,
                };
                let when = if days <= 0 { "hari ini".to_string() } else { format!("{days} hari lalu") };
                p(score, format!("Staf desa terakhir bekerja di platform {when} (tercatat di jejak audit)."))
            }
        },
        Measure::SurveyDone => {
            if facts.services_completed == 0 && facts.survey_responses == 0 {
                return None;
            }
            let (got, needed) = (facts.survey_responses, facts.survey_needed);
            let score = if got == 0 {
                1
            } else if got * 2 < needed {
                2
            } else if got < needed {
                3
            } else {
                4
            };
            p(
                score,
                format!(
                    "Tahun {year}: {got} responden survei kepuasan untuk {} layanan selesai; sampel yang disarankan (Krejcie–Morgan) {needed}.",
                    facts.services_completed
                ),
            )
        }
        Measure::ShareOnline => {
            let pct = share(facts.requests_online, facts.requests_received)?;
            let score = band(pct, [25.0, 50.0, 75.0]);
            p(
                score,
                format!(
                    "Tahun {year}: {} dari {} permohonan surat dan informasi diajukan daring ({}).",
                    facts.requests_online,
                    facts.requests_received,
                    format_percent(Some(pct))
                ),
            )
        }
        Measure::SlaMet => {
            let pct = share(facts.answered_on_time, facts.answered)?;
            let score = band(pct, [50.0, 75.0, 90.0]);
            p(
                score,
                format!(
                    "Tahun {year}: {} dari {} layanan dijawab dalam tenggat ({}).",
                    facts.answered_on_time,
                    facts.answered,
                    format_percent(Some(pct))
                ),
            )
        }
        Measure::TrainingAttendance => {
            let pct = share(facts.aparatur_trained, facts.aparatur)?;
            let score = band(pct, [30.0, 60.0, TRAINING_GOAL_PERCENT]);
            p(
                score,
                format!(
                    "{} dari {} aparatur mengikuti pelatihan ({}; target program paling sedikit 80 %).",
                    facts.aparatur_trained,
                    facts.aparatur,
                    format_percent(Some(pct))
                ),
            )
        }
        Measure::OutputsDone => {
            let n = facts.outputs_done.len() as u64;
            let score = match n {
                0 => 1,
                n if n >= facts.outputs_total => 4,
                n if n + 1 >= facts.outputs_total => 3,
                _ => 2,
            };
            let evidence = if n == 0 {
                format!("Belum ada dari {} keluaran pendampingan yang tersusun.", facts.outputs_total)
            } else {
                format!("{n} dari {} keluaran tersusun: {}.", facts.outputs_total, facts.outputs_done.join(", "))
            };
            p(score, evidence)
        }
    }
}

/// The capability programme's goal: at least 80 % of a village's aparatur trained (seed 004).
pub const TRAINING_GOAL_PERCENT: f64 = 80.0;

/// 1 below the first bound, 2 below the second, 3 below the third, else 4.
fn band(pct: f64, bounds: [f64; 3]) -> u8 {
    1 + bounds.iter().filter(|b| pct >= **b).count() as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(score: u8, with_budget: bool) -> BTreeMap<String, u8> {
        indicators(with_budget).flat_map(|i| i.factors.iter()).map(|f| (f.code.to_string(), score)).collect()
    }

    #[test]
    fn the_instrument_is_ten_indicators_two_per_domain_plus_the_optional_budget() {
        let core: Vec<_> = indicators(false).collect();
        assert_eq!(core.len(), 10);
        for d in &Dimensi::ALL[..5] {
            assert_eq!(core.iter().filter(|i| i.dimensi == *d).count(), 2, "{d:?}");
        }
        assert_eq!(indicators(true).count(), 11);
        let mut codes: Vec<&str> = INSTRUMENT.iter().flat_map(|i| i.factors.iter()).map(|f| f.code).collect();
        let n = codes.len();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), n, "factor codes are unique");
        for i in &INSTRUMENT {
            assert!(i.factors.iter().all(|f| f.code.starts_with(i.code)), "{}", i.code);
        }
    }

    #[test]
    fn means_nest_factor_indicator_domain_overall() {
        let mut s = all(4, false);
        // S1 = (1 + 2) / 2 = 1.5; S2 = 4; Strategi = 2.75.
        s.insert("S1.1".into(), 1);
        s.insert("S1.2".into(), 2);
        // T1 = 3; T2 = 4; Teknologi = 3.5.
        s.insert("T1.1".into(), 3);
        s.insert("T1.2".into(), 3);
        let r = Readiness::from_scores(&s, false).expect("complete");
        assert_eq!(r.indicators[0].1.text(), "1,50");
        assert_eq!(r.domain(Dimensi::Strategi).expect("S").text(), "2,75");
        assert_eq!(r.domain(Dimensi::Teknologi).expect("T").text(), "3,50");
        // Overall = (2.75 + 3.5 + 4 + 4 + 4) / 5 = 3.65.
        assert_eq!(r.overall.text(), "3,65");
        assert_eq!(r.overall.level(), Level::SiapPenuh);
        assert_eq!(r.weakest().expect("weakest").0.code, "S1");
        assert_eq!(r.domain(Dimensi::Anggaran), None);
    }

    #[test]
    fn rounding_is_half_up_on_the_exact_mean() {
        // 2.125 → 2,13 (a float sum could land just under); 2.5 → level 3; 2.49… → level 2.
        assert_eq!(Score::new(17, 8).text(), "2,13");
        assert_eq!(Score::new(5, 2).level(), Level::CukupSiap);
        assert_eq!(Score::new(249, 100).level(), Level::KurangSiap);
        assert_eq!(Score::new(3, 2).level(), Level::KurangSiap);
        assert_eq!(Score::new(7, 3).text(), "2,33");
        assert_eq!(Score::new(1, 1).level(), Level::BelumSiap);
        assert_eq!(Score::new(4, 1).text(), "4,00");
        // Overall of domains 2, 2, 2, 3, 3 (with budget 3): 2.4 → 2; 2.5 → 3.
        let mut s = all(2, true);
        for code in ["P1.1", "P1.2", "P2.1", "P2.2", "E1.1", "E1.2", "E2.1", "E2.2"] {
            s.insert(code.into(), 3);
        }
        let without = Readiness::from_scores(&s, false).expect("five domains");
        assert_eq!((without.overall.text(), without.overall.level()), ("2,40".into(), Level::KurangSiap));
        for code in ["A1.1", "A1.2"] {
            s.insert(code.into(), 3);
        }
        let with = Readiness::from_scores(&s, true).expect("six domains");
        assert_eq!((with.overall.text(), with.overall.level()), ("2,50".into(), Level::CukupSiap));
    }

    #[test]
    fn incomplete_or_bad_scores_are_refused() {
        let mut s = all(3, false);
        s.remove("O2.2");
        assert_eq!(Readiness::from_scores(&s, false), Err(ScoreError::Missing("O2.2".into())));
        let mut s = all(3, false);
        s.insert("O2.2".into(), 5);
        assert_eq!(Readiness::from_scores(&s, false), Err(ScoreError::OutOfRange("O2.2".into())));
        s.insert("O2.2".into(), 0);
        assert_eq!(Readiness::from_scores(&s, false), Err(ScoreError::OutOfRange("O2.2".into())));
        let mut s = all(3, false);
        s.insert("X9.9".into(), 3);
        assert_eq!(Readiness::from_scores(&s, false), Err(ScoreError::UnknownFactor("X9.9".into())));
        // The budget domain is needed only when it is assessed.
        assert!(Readiness::from_scores(&all(3, false), true).is_err());
        assert_eq!(Readiness::from_scores(&all(3, true), true).expect("with budget").domains.len(), 6);
    }

    #[test]
    fn proposals_read_the_live_facts() {
        let mut f = LiveFacts { year: 2026, outputs_total: 4, ..LiveFacts::default() };
        assert_eq!(propose(Measure::OperatorAssigned, &f).map(|p| p.score), Some(1));
        f.operators = vec!["Ani (ani.sukamulya)".into()];
        let p = propose(Measure::OperatorAssigned, &f).expect("proposal");
        assert_eq!(p.score, 3);
        assert!(p.evidence.contains("1 akun operator desa aktif") && p.evidence.contains("ani.sukamulya"));
        f.operators.push("Budi".into());
        assert_eq!(propose(Measure::OperatorAssigned, &f).map(|p| p.score), Some(4));

        assert_eq!(propose(Measure::OperatorActive, &f).map(|p| p.score), Some(1));
        for (days, score) in [(0, 4), (7, 4), (8, 3), (30, 3), (31, 2), (90, 2), (91, 1)] {
            f.days_since_staff_action = Some(days);
            assert_eq!(propose(Measure::OperatorActive, &f).map(|p| p.score), Some(score), "{days} days");
        }

        assert_eq!(propose(Measure::SurveyDone, &f), None, "nothing completed, nothing to survey");
        f.services_completed = 100;
        f.survey_needed = 80;
        for (got, score) in [(0, 1), (39, 2), (40, 3), (79, 3), (80, 4)] {
            f.survey_responses = got;
            assert_eq!(propose(Measure::SurveyDone, &f).map(|p| p.score), Some(score), "{got} responses");
        }

        assert_eq!(propose(Measure::ShareOnline, &f), None);
        f.requests_received = 8;
        for (online, score) in [(1, 1), (2, 2), (4, 3), (6, 4)] {
            f.requests_online = online;
            assert_eq!(propose(Measure::ShareOnline, &f).map(|p| p.score), Some(score), "{online} of 8");
        }
        assert!(propose(Measure::ShareOnline, &f).expect("p").evidence.contains("6 dari 8 permohonan"));

        assert_eq!(propose(Measure::SlaMet, &f), None);
        f.answered = 20;
        for (on_time, score) in [(9, 1), (10, 2), (15, 3), (17, 3), (18, 4)] {
            f.answered_on_time = on_time;
            assert_eq!(propose(Measure::SlaMet, &f).map(|p| p.score), Some(score), "{on_time} of 20");
        }

        assert_eq!(propose(Measure::TrainingAttendance, &f), None, "no aparatur listed");
        f.aparatur = 10;
        for (trained, score) in [(2, 1), (3, 2), (6, 3), (7, 3), (8, 4), (10, 4)] {
            f.aparatur_trained = trained;
            assert_eq!(propose(Measure::TrainingAttendance, &f).map(|p| p.score), Some(score), "{trained} of 10");
        }

        assert_eq!(propose(Measure::OutputsDone, &f).map(|p| p.score), Some(1));
        for (done, score) in [(1, 2), (2, 2), (3, 3), (4, 4)] {
            f.outputs_done = (0..done).map(|i| format!("o{i}")).collect();
            assert_eq!(propose(Measure::OutputsDone, &f).map(|p| p.score), Some(score), "{done} outputs");
        }
    }
}
