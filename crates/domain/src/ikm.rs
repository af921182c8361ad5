//! The community satisfaction survey (Survei Kepuasan Masyarakat) and its index (Indeks Kepuasan
//! Masyarakat), PermenPANRB 14/2017, as domain.md §8 gives it: nine unsur answered 1–4 (an answer
//! may be skipped), the NRR of each over the answers it got, the index with exact 1/9 weights (the
//! rounded 0.11 and 0.111 only as a compatibility mode), the grade on the index rounded to two
//! decimals, and the Krejcie–Morgan sample size.

/// The nine unsur (elements), stored by their stable code, never by position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Unsur {
    U1,
    U2,
    U3,
    U4,
    U5,
    U6,
    U7,
    U8,
    U9,
}

impl Unsur {
    pub const ALL: [Unsur; 9] =
        [Unsur::U1, Unsur::U2, Unsur::U3, Unsur::U4, Unsur::U5, Unsur::U6, Unsur::U7, Unsur::U8, Unsur::U9];

    pub fn code(&self) -> &'static str {
        match self {
            Unsur::U1 => "U1",
            Unsur::U2 => "U2",
            Unsur::U3 => "U3",
            Unsur::U4 => "U4",
            Unsur::U5 => "U5",
            Unsur::U6 => "U6",
            Unsur::U7 => "U7",
            Unsur::U8 => "U8",
            Unsur::U9 => "U9",
        }
    }

    /// Its place in [`Unsur::ALL`] (0–8).
    pub fn index(&self) -> usize {
        Unsur::ALL.iter().position(|u| u == self).unwrap_or(0)
    }

    pub fn label(&self) -> &'static str {
        match self {
            Unsur::U1 => "Persyaratan",
            Unsur::U2 => "Sistem, mekanisme dan prosedur",
            Unsur::U3 => "Waktu penyelesaian",
            Unsur::U4 => "Biaya/tarif",
            Unsur::U5 => "Produk spesifikasi jenis pelayanan",
            Unsur::U6 => "Kompetensi pelaksana",
            Unsur::U7 => "Perilaku pelaksana",
            Unsur::U8 => "Penanganan pengaduan, saran dan masukan",
            Unsur::U9 => "Sarana dan prasarana",
        }
    }

    /// The question as the survey asks it, in the wording of the regulation's model form.
    pub fn question(&self) -> &'static str {
        match self {
            Unsur::U1 => "Bagaimana pendapat Anda tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya?",
            Unsur::U2 => "Bagaimana pemahaman Anda tentang kemudahan prosedur pelayanan di unit ini?",
            Unsur::U3 => "Bagaimana pendapat Anda tentang kecepatan waktu dalam memberikan pelayanan?",
            Unsur::U4 => "Bagaimana pendapat Anda tentang kewajaran biaya/tarif dalam pelayanan?",
            Unsur::U5 => {
                "Bagaimana pendapat Anda tentang kesesuaian produk pelayanan antara yang tercantum dalam standar \
                 pelayanan dengan hasil yang diberikan?"
            }
            Unsur::U6 => "Bagaimana pendapat Anda tentang kompetensi/kemampuan petugas dalam pelayanan?",
            Unsur::U7 => {
                "Bagaimana pendapat Anda tentang perilaku petugas dalam pelayanan terkait kesopanan dan keramahan?"
            }
            Unsur::U8 => "Bagaimana pendapat Anda tentang penanganan pengaduan, saran dan masukan?",
            Unsur::U9 => "Bagaimana pendapat Anda tentang kualitas sarana dan prasarana?",
        }
    }

    /// The four answers, 1 to 4.
    pub fn options(&self) -> [&'static str; 4] {
        match self {
            Unsur::U1 | Unsur::U5 => ["Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"],
            Unsur::U2 => ["Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"],
            Unsur::U3 => ["Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"],
            Unsur::U4 => ["Sangat mahal", "Cukup mahal", "Murah", "Gratis"],
            Unsur::U6 => ["Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten"],
            Unsur::U7 => {
                ["Tidak sopan dan ramah", "Kurang sopan dan ramah", "Sopan dan ramah", "Sangat sopan dan ramah"]
            }
            Unsur::U8 => {
                ["Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal", "Dikelola dengan baik"]
            }
            Unsur::U9 => ["Buruk", "Cukup", "Baik", "Sangat baik"],
        }
    }
}

impl std::str::FromStr for Unsur {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Unsur::ALL
            .into_iter()
            .find(|u| u.code().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("unknown unsur {s:?}"))
    }
}

/// One response: an answer 1–4 per unsur, or none where it was skipped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Response(pub [Option<u8>; 9]);

impl Response {
    pub fn get(&self, unsur: Unsur) -> Option<u8> {
        self.0[unsur.index()]
    }

    pub fn answered(&self) -> usize {
        self.0.iter().flatten().count()
    }
}

/// Reads one answer as typed: empty is skipped; anything but 1–4 is refused.
pub fn parse_answer(unsur: Unsur, value: &str) -> Result<Option<u8>, String> {
    match value.trim() {
        "" => Ok(None),
        v => match v.parse::<u8>() {
            Ok(n @ 1..=4) => Ok(Some(n)),
            _ => Err(format!("Jawaban untuk {} harus 1 sampai 4, atau dikosongkan.", unsur.label())),
        },
    }
}

/// A response from the form's answers: each 1–4 or skipped, and at least one given.
pub fn check_response(answers: &[(Unsur, &str)]) -> Result<Response, Vec<(Unsur, String)>> {
    let mut response = Response::default();
    let mut errors = Vec::new();
    for (unsur, value) in answers {
        match parse_answer(*unsur, value) {
            Ok(v) => response.0[unsur.index()] = v,
            Err(e) => errors.push((*unsur, e)),
        }
    }
    if errors.is_empty() && response.answered() == 0 {
        errors.push((Unsur::U1, "Jawab paling sedikit satu pertanyaan.".into()));
    }
    if errors.is_empty() { Ok(response) } else { Err(errors) }
}

/// Sums and counts of the answers per unsur, over any number of responses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub sum: [u64; 9],
    pub count: [u64; 9],
    pub responses: u64,
}

impl Tally {
    pub fn add(&mut self, response: &Response) {
        for (i, answer) in response.0.iter().enumerate() {
            if let Some(v) = answer {
                self.sum[i] += u64::from(*v);
                self.count[i] += 1;
            }
        }
        self.responses += 1;
    }

    pub fn merge(&mut self, other: &Tally) {
        for i in 0..9 {
            self.sum[i] += other.sum[i];
            self.count[i] += other.count[i];
        }
        self.responses += other.responses;
    }

    /// NRR per unsur: its answers' sum over their number; `None` for an unsur nobody answered.
    pub fn nrr(&self) -> [Option<f64>; 9] {
        std::array::from_fn(|i| (self.count[i] > 0).then(|| self.sum[i] as f64 / self.count[i] as f64))
    }
}

/// The weight of each unsur.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Weights {
    /// 1/9 exactly: the regulation's intent, and the default.
    #[default]
    Exact,
    /// 0.11, as some applications round it (a perfect score is 99.00).
    Rounded011,
    /// 0.111.
    Rounded0111,
}

impl Weights {
    pub fn weight(&self) -> f64 {
        match self {
            Weights::Exact => 1.0 / 9.0,
            Weights::Rounded011 => 0.11,
            Weights::Rounded0111 => 0.111,
        }
    }
}

/// Mutu pelayanan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grade {
    A,
    B,
    C,
    D,
}

impl Grade {
    pub fn letter(&self) -> &'static str {
        match self {
            Grade::A => "A",
            Grade::B => "B",
            Grade::C => "C",
            Grade::D => "D",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Grade::A => "Sangat baik",
            Grade::B => "Baik",
            Grade::C => "Kurang baik",
            Grade::D => "Tidak baik",
        }
    }
}

/// The index of a tally, with its unsur values.
#[derive(Debug, Clone, PartialEq)]
pub struct Index {
    pub nrr: [Option<f64>; 9],
    /// Σ NRR × weight (1–4).
    pub x: f64,
    /// X × 25, rounded to two decimals (25–100).
    pub ikm: f64,
    pub grade: Grade,
}

/// Why a tally has no index yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoIndex {
    NoResponses,
    /// These unsur have no answer at all.
    Unanswered(Vec<Unsur>),
}

/// Rounds half away from zero to two decimals, on the decimal value (so 88.305 is 88.31).
pub fn round2(value: f64) -> f64 {
    // The small nudge undoes binary representation error (88.305 is stored as 88.30499…).
    ((value * 100.0) + 1e-9_f64.copysign(value)).round() / 100.0
}

/// The grade of an index already rounded to two decimals.
pub fn grade(ikm: f64) -> Grade {
    if ikm >= 88.31 {
        Grade::A
    } else if ikm >= 76.61 {
        Grade::B
    } else if ikm >= 65.00 {
        Grade::C
    } else {
        Grade::D
    }
}

/// The index of a set of NRR values.
pub fn index_of_nrr(nrr: [f64; 9], weights: Weights) -> Index {
    let x: f64 = nrr.iter().map(|v| v * weights.weight()).sum();
    let ikm = round2(x * 25.0);
    Index { nrr: nrr.map(Some), x, ikm, grade: grade(ikm) }
}

/// The index of a tally: every unsur must have had at least one answer.
pub fn index(tally: &Tally, weights: Weights) -> Result<Index, NoIndex> {
    if tally.responses == 0 {
        return Err(NoIndex::NoResponses);
    }
    let nrr = tally.nrr();
    let missing: Vec<Unsur> = Unsur::ALL.into_iter().filter(|u| nrr[u.index()].is_none()).collect();
    if !missing.is_empty() {
        return Err(NoIndex::Unanswered(missing));
    }
    let mut index = index_of_nrr(nrr.map(|v| v.unwrap_or(0.0)), weights);
    index.nrr = nrr;
    Ok(index)
}

/// Krejcie and Morgan's sample size for a population of `population` services (χ² = 3.841,
/// P = 0.5, d = 0.05), rounded.
pub fn sample_size(population: u64) -> u64 {
    if population == 0 {
        return 0;
    }
    let (chi, p, d) = (3.841_f64, 0.5_f64, 0.05_f64);
    let n = population as f64;
    let s = chi * n * p * (1.0 - p) / (d * d * (n - 1.0) + chi * p * (1.0 - p));
    s.round() as u64
}

/// How long a completed service's survey link may be answered, in calendar days from the day it
/// was sent: long enough for a resident to find the message, short enough that the answer is
/// still about the service.
pub const SURVEY_LINK_DAYS: i64 = 30;

/// The period a result covers: a year, a semester or a quarter (the survey is done at least once a
/// year per unit; many units report per semester).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Periode {
    Tahun(i32),
    Semester(i32, u8),
    Triwulan(i32, u8),
}

impl Periode {
    /// `2026`, `2026-S1` … `2026-S2`, `2026-T1` … `2026-T4`.
    pub fn parse(text: &str) -> Result<Periode, String> {
        let bad = || format!("Periode {text:?} tidak dikenal: tulis 2026, 2026-S1 atau 2026-T3.");
        let text = text.trim();
        let (year, part) = text.split_once('-').map_or((text, None), |(y, p)| (y, Some(p)));
        let year: i32 = year.parse().ok().filter(|y| (2000..=2100).contains(y)).ok_or_else(bad)?;
        match part.map(|p| p.to_ascii_uppercase()) {
            None => Ok(Periode::Tahun(year)),
            Some(p) => match (p.get(..1), p.get(1..).and_then(|n| n.parse::<u8>().ok())) {
                (Some("S"), Some(n @ 1..=2)) => Ok(Periode::Semester(year, n)),
                (Some("T"), Some(n @ 1..=4)) => Ok(Periode::Triwulan(year, n)),
                _ => Err(bad()),
            },
        }
    }

    pub fn year(&self) -> i32 {
        match *self {
            Periode::Tahun(y) | Periode::Semester(y, _) | Periode::Triwulan(y, _) => y,
        }
    }

    /// The form `parse` reads.
    pub fn as_param(&self) -> String {
        match *self {
            Periode::Tahun(y) => y.to_string(),
            Periode::Semester(y, n) => format!("{y}-S{n}"),
            Periode::Triwulan(y, n) => format!("{y}-T{n}"),
        }
    }

    pub fn label(&self) -> String {
        const ROMAN: [&str; 4] = ["I", "II", "III", "IV"];
        match *self {
            Periode::Tahun(y) => format!("Tahun {y}"),
            Periode::Semester(y, n) => format!("Semester {} {y}", ROMAN[usize::from(n - 1)]),
            Periode::Triwulan(y, n) => format!("Triwulan {} {y}", ROMAN[usize::from(n - 1)]),
        }
    }

    /// The period just before, of the same length (the previous quarter, semester or year).
    pub fn previous(&self) -> Periode {
        match *self {
            Periode::Tahun(y) => Periode::Tahun(y - 1),
            Periode::Semester(y, 1) => Periode::Semester(y - 1, 2),
            Periode::Semester(y, n) => Periode::Semester(y, n - 1),
            Periode::Triwulan(y, 1) => Periode::Triwulan(y - 1, 4),
            Periode::Triwulan(y, n) => Periode::Triwulan(y, n - 1),
        }
    }

    /// The first day of the period and the first day after it.
    pub fn dates(&self) -> (chrono::NaiveDate, chrono::NaiveDate) {
        let (year, first_month, months) = match *self {
            Periode::Tahun(y) => (y, 1, 12),
            Periode::Semester(y, n) => (y, 1 + 6 * u32::from(n - 1), 6),
            Periode::Triwulan(y, n) => (y, 1 + 3 * u32::from(n - 1), 3),
        };
        let day = |y: i32, m: u32| chrono::NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(chrono::NaiveDate::MIN);
        let end_month = first_month + months;
        let end = if end_month > 12 { day(year + 1, end_month - 12) } else { day(year, end_month) };
        (day(year, first_month), end)
    }

    /// The periods offered for a year: the year, its semesters and its quarters.
    pub fn of_year(year: i32) -> Vec<Periode> {
        let mut all = vec![Periode::Tahun(year), Periode::Semester(year, 1), Periode::Semester(year, 2)];
        all.extend((1..=4).map(|n| Periode::Triwulan(year, n)));
        all
    }
}

/// A number the Indonesian way, with two decimals: `91,48`.
pub fn format_2dp(value: f64) -> String {
    format!("{value:.2}").replace('.', ",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_previous_period_has_the_same_length() {
        assert_eq!(Periode::Tahun(2026).previous(), Periode::Tahun(2025));
        assert_eq!(Periode::Semester(2026, 1).previous(), Periode::Semester(2025, 2));
        assert_eq!(Periode::Semester(2026, 2).previous(), Periode::Semester(2026, 1));
        assert_eq!(Periode::Triwulan(2026, 1).previous(), Periode::Triwulan(2025, 4));
        assert_eq!(Periode::Triwulan(2026, 4).previous(), Periode::Triwulan(2026, 3));
    }

    fn all(v: f64) -> [f64; 9] {
        [v; 9]
    }

    #[test]
    fn the_vectors_of_domain_md() {
        let cases = [
            (4.0, 100.00, Grade::A),
            (3.0, 75.00, Grade::C),
            (3.5324, 88.31, Grade::A),
            (3.0644, 76.61, Grade::B),
            (2.60, 65.00, Grade::C),
        ];
        for (nrr, ikm, g) in cases {
            let i = index_of_nrr(all(nrr), Weights::Exact);
            assert_eq!((i.ikm, i.grade), (ikm, g), "NRR {nrr}");
        }
        // A worked example from a public IKM application: sums over 29 respondents.
        let sums = [105, 101, 100, 116, 102, 105, 106, 105, 115];
        let tally = Tally { sum: sums, count: [29; 9], responses: 29 };
        let i = index(&tally, Weights::Exact).expect("an index");
        assert_eq!((i.ikm, i.grade), (91.48, Grade::A));
        assert!((i.nrr[0].expect("U1") - 105.0 / 29.0).abs() < 1e-12);
    }

    #[test]
    fn rounded_weights_are_a_compatibility_mode_that_moves_boundaries() {
        assert_eq!(index_of_nrr(all(4.0), Weights::Rounded011).ikm, 99.00, "0.11 caps a perfect score");
        assert_eq!(index_of_nrr(all(4.0), Weights::Rounded0111).ikm, 99.90);
        // Exactly at the A boundary with 1/9; below it with the rounded weights.
        assert_eq!(index_of_nrr(all(3.5324), Weights::Exact).grade, Grade::A);
        assert_eq!(index_of_nrr(all(3.5324), Weights::Rounded011).grade, Grade::B);
        assert_eq!(index_of_nrr(all(3.5324), Weights::Rounded0111).grade, Grade::B);
    }

    #[test]
    fn grades_at_their_boundaries() {
        for (ikm, g) in [
            (100.0, Grade::A),
            (88.31, Grade::A),
            (88.30, Grade::B),
            (76.61, Grade::B),
            (76.60, Grade::C),
            (65.00, Grade::C),
            (64.99, Grade::D),
            (25.0, Grade::D),
        ] {
            assert_eq!(grade(ikm), g, "{ikm}");
        }
        assert_eq!(round2(88.305), 88.31);
        assert_eq!(round2(76.6049), 76.60);
    }

    #[test]
    fn skipped_answers_count_only_where_given() {
        let mut tally = Tally::default();
        tally.add(&Response([Some(4), None, Some(2), Some(4), Some(4), Some(4), Some(4), Some(4), Some(4)]));
        tally.add(&Response([Some(2), Some(3), None, Some(4), Some(4), Some(4), Some(4), Some(4), Some(4)]));
        let nrr = tally.nrr();
        assert_eq!(nrr[0], Some(3.0));
        assert_eq!(nrr[1], Some(3.0), "U2 over its one answer, not two");
        assert_eq!(nrr[2], Some(2.0));
        assert_eq!(tally.responses, 2);
        let mut only_some = Tally::default();
        only_some.add(&Response([Some(4), None, None, None, None, None, None, None, None]));
        assert_eq!(index(&only_some, Weights::Exact), Err(NoIndex::Unanswered(Unsur::ALL[1..].to_vec())));
        assert_eq!(index(&Tally::default(), Weights::Exact), Err(NoIndex::NoResponses));
        let mut merged = tally;
        merged.merge(&only_some);
        assert_eq!((merged.responses, merged.count[0], merged.sum[0]), (3, 3, 10));
    }

    #[test]
    fn answers_are_one_to_four_or_skipped() {
        let ok = check_response(&[(Unsur::U1, "4"), (Unsur::U2, ""), (Unsur::U9, " 1 ")]).expect("ok");
        assert_eq!((ok.get(Unsur::U1), ok.get(Unsur::U2), ok.get(Unsur::U9)), (Some(4), None, Some(1)));
        for bad in ["0", "5", "3.5", "empat", "-1"] {
            let errors = check_response(&[(Unsur::U3, bad)]).expect_err(bad);
            assert_eq!(errors[0].0, Unsur::U3);
            assert!(errors[0].1.contains("1 sampai 4"), "{}", errors[0].1);
        }
        assert!(check_response(&[(Unsur::U1, ""), (Unsur::U2, " ")]).expect_err("none").len() == 1);
        assert_eq!("u7".parse::<Unsur>(), Ok(Unsur::U7));
        assert!("U10".parse::<Unsur>().is_err());
    }

    #[test]
    fn krejcie_morgan_sample_sizes() {
        for (n, s) in [(100, 80), (1_000, 278), (10_000, 370), (1_000_000, 384), (0, 0), (1, 1), (10, 10)] {
            assert_eq!(sample_size(n), s, "N = {n}");
        }
    }

    #[test]
    fn periods_parse_label_and_bound_their_dates() {
        let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).expect("date");
        let cases = [
            ("2026", "Tahun 2026", (d(2026, 1, 1), d(2027, 1, 1))),
            ("2026-S1", "Semester I 2026", (d(2026, 1, 1), d(2026, 7, 1))),
            ("2026-s2", "Semester II 2026", (d(2026, 7, 1), d(2027, 1, 1))),
            ("2026-T3", "Triwulan III 2026", (d(2026, 7, 1), d(2026, 10, 1))),
            ("2026-T4", "Triwulan IV 2026", (d(2026, 10, 1), d(2027, 1, 1))),
        ];
        for (text, label, dates) in cases {
            let p = Periode::parse(text).expect(text);
            assert_eq!((p.label(), p.dates()), (label.to_string(), dates), "{text}");
            assert_eq!(Periode::parse(&p.as_param()), Ok(p));
        }
        for bad in ["", "26", "2026-S3", "2026-T0", "2026-X1", "1999", "2026-", "tahun"] {
            assert!(Periode::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(Periode::of_year(2026).len(), 7);
        assert_eq!(format_2dp(100.0), "100,00");
        assert_eq!(format_2dp(88.31), "88,31");
    }
}
