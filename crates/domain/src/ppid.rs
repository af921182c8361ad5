//! Public information under UU 14/2008 and Perki 1/2018 (domain.md §3 and §6): the classes of
//! the Daftar Informasi Publik, the information request and its clocks (10 working days, one
//! extension of 7 with a written reason), the decision and its exemptions, the objection
//! (keberatan) with its grounds and clocks, and the figures of the PPID's annual report.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::calendar::{Clock, Deadline, WorkingCalendar};
use crate::lapor::{Problem, clean_text, problem, word_enum};

/// How long a requester's free text may be.
pub const MAX_TEXT_CHARS: usize = 4000;
/// The shortest consequence test (uji konsekuensi) accepted for an exempt item: a sentence or
/// two saying what harm disclosure would do, not a word.
pub const MIN_CONSEQUENCE_TEST_CHARS: usize = 40;
/// The shortest written reason for an extension or a refusal.
pub const MIN_REASON_CHARS: usize = 10;
/// Periodic information is published "paling singkat 6 bulan sekali" (UU 14/2008 Ps 9(4)).
pub const BERKALA_REFRESH_MONTHS: u32 = 6;

word_enum!(
    /// The class of an item of the Daftar Informasi Publik (UU 14/2008 Ps 9–11, 17).
    DipClass, UnknownDipClass, "information class", [
        Berkala => "berkala", "Informasi berkala";
        SertaMerta => "serta_merta", "Informasi serta-merta";
        SetiapSaat => "setiap_saat", "Informasi tersedia setiap saat";
        Dikecualikan => "dikecualikan", "Informasi yang dikecualikan";
    ]
);

impl DipClass {
    /// The one-line explanation shown under the class the first time it appears.
    pub fn hint(&self) -> &'static str {
        match self {
            DipClass::Berkala => "Diumumkan rutin, paling singkat 6 bulan sekali (UU 14/2008 Pasal 9).",
            DipClass::SertaMerta => {
                "Diumumkan segera karena menyangkut hajat hidup orang banyak atau ketertiban umum (Pasal 10)."
            }
            DipClass::SetiapSaat => "Tersedia dan diberikan kapan saja bila diminta (Pasal 11).",
            DipClass::Dikecualikan => "Tidak dapat diberikan kepada publik, berdasarkan uji konsekuensi (Pasal 17).",
        }
    }

    /// Whether its documents may be downloaded by anyone. Exempt documents never are.
    pub fn is_public(&self) -> bool {
        !matches!(self, DipClass::Dikecualikan)
    }
}

word_enum!(
    /// The form an item is kept in (Perki 1/2018: "bentuk informasi").
    InfoForm, UnknownInfoForm, "information form", [
        Softcopy => "softcopy", "Softcopy";
        Hardcopy => "hardcopy", "Hardcopy";
        Keduanya => "keduanya", "Softcopy dan hardcopy";
    ]
);

word_enum!(
    /// How the requester wants to obtain the information (Perki 1/2018 form).
    ObtainMethod, UnknownObtainMethod, "way to obtain", [
        Melihat => "melihat", "Melihat, membaca, mendengarkan atau mencatat";
        SalinanSoftcopy => "salinan_softcopy", "Mendapatkan salinan (softcopy)";
        SalinanHardcopy => "salinan_hardcopy", "Mendapatkan salinan (hardcopy)";
    ]
);

word_enum!(
    /// How the requester wants to receive it.
    DeliveryMethod, UnknownDeliveryMethod, "way to receive", [
        AmbilLangsung => "ambil_langsung", "Mengambil langsung di kantor desa";
        Email => "email", "Email";
        Whatsapp => "whatsapp", "WhatsApp";
        Pos => "pos", "Pos atau kurir";
    ]
);

word_enum!(
    /// Where an information request stands.
    RequestState, UnknownRequestState, "request state", [
        Diterima => "diterima", "Diterima, sedang diproses";
        Diperpanjang => "diperpanjang", "Diproses, waktu diperpanjang";
        Dikabulkan => "dikabulkan", "Dikabulkan";
        DikabulkanSebagian => "dikabulkan_sebagian", "Dikabulkan sebagian";
        Ditolak => "ditolak", "Ditolak";
        Diserahkan => "diserahkan", "Informasi sudah diserahkan";
    ]
);

impl RequestState {
    /// Whether the PPID has not decided yet (the answer clock runs).
    pub fn is_open(&self) -> bool {
        matches!(self, RequestState::Diterima | RequestState::Diperpanjang)
    }
}

word_enum!(
    /// The PPID's decision, stated in the written notice (UU 14/2008 Ps 22(7)).
    Decision, UnknownDecision, "decision", [
        Dikabulkan => "dikabulkan", "Dikabulkan seluruhnya";
        DikabulkanSebagian => "dikabulkan_sebagian", "Dikabulkan sebagian";
        Ditolak => "ditolak", "Ditolak";
    ]
);

impl Decision {
    pub fn state(&self) -> RequestState {
        match self {
            Decision::Dikabulkan => RequestState::Dikabulkan,
            Decision::DikabulkanSebagian => RequestState::DikabulkanSebagian,
            Decision::Ditolak => RequestState::Ditolak,
        }
    }

    /// Whether something is given to the requester (so it must be delivered).
    pub fn gives_information(&self) -> bool {
        !matches!(self, Decision::Ditolak)
    }
}

word_enum!(
    /// Why information is withheld: the exemptions of UU 14/2008 Ps 17, and information the
    /// village does not hold (Ps 22(7) huruf a).
    Exemption, UnknownExemption, "exemption", [
        Ps17a => "ps17a", "Pasal 17 huruf a: menghambat proses penegakan hukum";
        Ps17b => "ps17b", "Pasal 17 huruf b: mengganggu perlindungan hak kekayaan intelektual dan persaingan usaha tidak sehat";
        Ps17c => "ps17c", "Pasal 17 huruf c: membahayakan pertahanan dan keamanan negara";
        Ps17d => "ps17d", "Pasal 17 huruf d: mengungkapkan kekayaan alam Indonesia";
        Ps17e => "ps17e", "Pasal 17 huruf e: merugikan ketahanan ekonomi nasional";
        Ps17f => "ps17f", "Pasal 17 huruf f: merugikan kepentingan hubungan luar negeri";
        Ps17g => "ps17g", "Pasal 17 huruf g: mengungkapkan isi akta otentik yang bersifat pribadi dan kemauan terakhir atau wasiat";
        Ps17h => "ps17h", "Pasal 17 huruf h: mengungkap rahasia pribadi";
        Ps17i => "ps17i", "Pasal 17 huruf i: memorandum atau surat antar badan publik yang menurut sifatnya dirahasiakan";
        Ps17j => "ps17j", "Pasal 17 huruf j: informasi yang tidak boleh diungkapkan berdasarkan undang-undang";
        TidakDikuasai => "tidak_dikuasai", "Informasi tidak dikuasai oleh badan publik ini (Pasal 22 ayat 7 huruf a)";
    ]
);

word_enum!(
    /// The grounds of an objection (UU 14/2008 Ps 35(1) huruf a–g).
    KeberatanGround, UnknownKeberatanGround, "keberatan ground", [
        A => "a", "Permintaan informasi ditolak dengan alasan pengecualian (Pasal 17)";
        B => "b", "Informasi berkala tidak disediakan (Pasal 9)";
        C => "c", "Permintaan informasi tidak ditanggapi";
        D => "d", "Permintaan informasi ditanggapi tidak sebagaimana yang diminta";
        E => "e", "Permintaan informasi tidak dipenuhi";
        F => "f", "Biaya yang dikenakan tidak wajar";
        G => "g", "Informasi disampaikan melebihi jangka waktu yang diatur";
    ]
);

word_enum!(
    /// What the atasan PPID decides on an objection.
    KeberatanOutcome, UnknownKeberatanOutcome, "keberatan outcome", [
        Diterima => "diterima", "Keberatan diterima: informasi wajib diberikan";
        Ditolak => "ditolak", "Keberatan ditolak: keputusan PPID dikuatkan";
    ]
);

/// When a request must be answered: 10 working days from receipt (UU 14/2008 Ps 22(7)).
pub fn answer_deadline(calendar: &WorkingCalendar, received: NaiveDate) -> Deadline {
    calendar.add_working_days(received, Clock::JawabanPermintaanInformasi.working_days())
}

/// The deadline after the one extension: 7 more working days after the first deadline (Ps 22(8)).
pub fn extended_deadline(calendar: &WorkingCalendar, first_due: NaiveDate) -> Deadline {
    calendar.add_working_days(first_due, Clock::PerpanjanganInformasi.working_days())
}

/// Whether the PPID may extend now, with this reason: only while undecided, only once, only with
/// a written reason, and only before the first deadline has passed.
pub fn check_extension(
    state: RequestState,
    first_due: NaiveDate,
    today: NaiveDate,
    reason: &str,
) -> Result<String, Problem> {
    let reason = clean_text(reason);
    match state {
        RequestState::Diperpanjang => {
            return Err(problem(
                "reason",
                "Waktu jawaban sudah pernah diperpanjang. Perpanjangan hanya boleh satu kali (UU 14/2008 Pasal 22 ayat 8).",
            ));
        }
        RequestState::Diterima => {}
        _ => return Err(problem("reason", "Permohonan ini sudah diputus; waktunya tidak dapat diperpanjang lagi.")),
    }
    if today > first_due {
        return Err(problem(
            "reason",
            "Batas waktu 10 hari kerja sudah lewat; perpanjangan harus diberitahukan sebelum batas waktu itu.",
        ));
    }
    if reason.chars().count() < MIN_REASON_CHARS {
        return Err(problem(
            "reason",
            "Tuliskan alasan perpanjangan (wajib menurut UU 14/2008 Pasal 22 ayat 8), misalnya \"dokumen masih dikumpulkan dari arsip dusun\".",
        ));
    }
    Ok(reason)
}

/// What the PPID decides, checked: a refusal (whole or partial) cites an exemption and gives a
/// written reason; a grant needs neither.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedDecision {
    pub decision: Decision,
    pub exemption: Option<Exemption>,
    pub reason: String,
    /// The answer or what will be given, as text (may be published when not personal).
    pub answer: String,
    pub fee_rupiah: i64,
}

pub fn check_decision(
    state: RequestState,
    decision: Decision,
    exemption: Option<Exemption>,
    reason: &str,
    answer: &str,
    fee_rupiah: i64,
) -> Result<CheckedDecision, Vec<Problem>> {
    let mut problems = Vec::new();
    if !state.is_open() {
        problems.push(problem("decision", "Permohonan ini sudah diputus."));
    }
    let reason = clean_text(reason);
    let answer = clean_text(answer);
    let withholds = !matches!(decision, Decision::Dikabulkan);
    if withholds && exemption.is_none() {
        problems.push(problem(
            "exemption",
            "Pilih dasar pengecualian: penolakan (seluruh atau sebagian) wajib menyebut pasal pengecualiannya.",
        ));
    }
    if withholds && reason.chars().count() < MIN_REASON_CHARS {
        problems.push(problem(
            "reason",
            "Tuliskan alasan penolakan yang akan dibaca pemohon dalam pemberitahuan tertulis.",
        ));
    }
    if decision.gives_information() && answer.is_empty() {
        problems.push(problem("answer", "Tuliskan informasi yang diberikan atau ringkasannya."));
    }
    if answer.chars().count() > MAX_TEXT_CHARS || reason.chars().count() > MAX_TEXT_CHARS {
        problems.push(problem("answer", format!("Paling banyak {MAX_TEXT_CHARS} karakter.")));
    }
    if fee_rupiah < 0 {
        problems.push(problem("fee", "Biaya tidak boleh negatif."));
    }
    if problems.is_empty() {
        Ok(CheckedDecision {
            decision,
            exemption: if withholds { exemption } else { None },
            reason,
            answer,
            fee_rupiah,
        })
    } else {
        Err(problems)
    }
}

/// The day the 30-working-day window for an objection counts from: the written notice, or,
/// when the PPID never answered, the answer deadline that passed. `None`: nothing to object to
/// yet (undecided and still within time).
pub fn keberatan_ground_date(notice_on: Option<NaiveDate>, due: NaiveDate, today: NaiveDate) -> Option<NaiveDate> {
    match notice_on {
        Some(day) => Some(day),
        None if today > due => Some(due),
        None => None,
    }
}

/// The window for filing an objection: 30 working days from its ground (Ps 36(1)).
pub fn keberatan_window(calendar: &WorkingCalendar, ground_on: NaiveDate) -> Deadline {
    calendar.add_working_days(ground_on, Clock::PengajuanKeberatan.working_days())
}

/// The atasan PPID answers within 30 working days of filing (Ps 36(2)).
pub fn keberatan_answer_deadline(calendar: &WorkingCalendar, filed_on: NaiveDate) -> Deadline {
    calendar.add_working_days(filed_on, Clock::JawabanKeberatan.working_days())
}

/// The requester may take the matter to the Komisi Informasi within 14 working days of the
/// answer (Ps 37(2)).
pub fn komisi_deadline(calendar: &WorkingCalendar, answered_on: NaiveDate) -> Deadline {
    calendar.add_working_days(answered_on, Clock::SengketaKeKomisi.working_days())
}

/// Checks an objection: at least one ground, within the window, and grounds that fit what
/// happened (a refusal can only be objected to when there was one; "not answered" only when
/// there was no answer).
pub fn check_keberatan(
    grounds: &[KeberatanGround],
    reason: &str,
    today: NaiveDate,
    window: Option<&Deadline>,
    state: RequestState,
) -> Result<(Vec<KeberatanGround>, String), Vec<Problem>> {
    let mut problems = Vec::new();
    let mut grounds: Vec<KeberatanGround> = grounds.to_vec();
    grounds.sort();
    grounds.dedup();
    if grounds.is_empty() {
        problems.push(problem(
            "grounds",
            "Pilih paling sedikit satu alasan keberatan (UU 14/2008 Pasal 35 ayat 1 huruf a–g).",
        ));
    }
    match window {
        None => problems.push(problem(
            "grounds",
            "Keberatan baru dapat diajukan setelah PPID memberi jawaban tertulis atau batas waktu jawaban lewat.",
        )),
        Some(w) if today > w.due => problems.push(problem(
            "grounds",
            format!(
                "Batas waktu pengajuan keberatan (30 hari kerja) sudah lewat pada {}.",
                crate::calendar::format_tanggal(w.due)
            ),
        )),
        Some(_) => {}
    }
    let refused = matches!(state, RequestState::Ditolak | RequestState::DikabulkanSebagian);
    if grounds.contains(&KeberatanGround::A) && !refused {
        problems
            .push(problem("grounds", "Alasan huruf a hanya untuk permintaan yang ditolak (seluruh atau sebagian)."));
    }
    if grounds.contains(&KeberatanGround::C) && !state.is_open() {
        problems.push(problem("grounds", "Alasan huruf c hanya bila permintaan belum ditanggapi sama sekali."));
    }
    let reason = clean_text(reason);
    if reason.chars().count() > MAX_TEXT_CHARS {
        problems.push(problem("reason", format!("Uraian paling banyak {MAX_TEXT_CHARS} karakter.")));
    }
    if problems.is_empty() { Ok((grounds, reason)) } else { Err(problems) }
}

/// Parses the grounds as sent by a form (`a`, `c`, …), refusing unknown letters.
pub fn parse_grounds(words: &[String]) -> Result<Vec<KeberatanGround>, Problem> {
    words
        .iter()
        .filter(|w| !w.trim().is_empty())
        .map(|w| w.parse::<KeberatanGround>().map_err(|_| problem("grounds", format!("Alasan \"{w}\" tidak dikenal."))))
        .collect()
}

/// Whether a periodic item is due for refreshing: last refreshed more than 6 months ago.
pub fn berkala_stale(class: DipClass, refreshed_on: NaiveDate, today: NaiveDate) -> bool {
    class == DipClass::Berkala
        && refreshed_on.checked_add_months(Months::new(BERKALA_REFRESH_MONTHS)).is_none_or(|limit| today > limit)
}

/// An item of the Daftar Informasi Publik as staff fill it in (the Perki 1/2018 columns).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DipInput {
    pub class: String,
    pub title: String,
    pub summary: String,
    /// Pejabat atau unit yang menguasai informasi.
    pub holder: String,
    /// Penanggung jawab pembuatan atau penerbitan informasi.
    pub responsible: String,
    /// Waktu dan tempat pembuatan informasi.
    pub made_when_where: String,
    pub form: String,
    /// Jangka waktu penyimpanan atau retensi arsip.
    pub retention: String,
    /// Uji konsekuensi (only for exempt items).
    pub consequence_test: String,
    /// The exemption an exempt item rests on.
    pub exemption: String,
}

/// A checked DIP item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedDip {
    pub class: DipClass,
    pub title: String,
    pub summary: String,
    pub holder: String,
    pub responsible: String,
    pub made_when_where: String,
    pub form: InfoForm,
    pub retention: String,
    pub consequence_test: String,
    pub exemption: Option<Exemption>,
}

pub fn check_dip(input: &DipInput) -> Result<CheckedDip, Vec<Problem>> {
    let mut problems = Vec::new();
    let one_line = |s: &str| clean_text(s).replace(['\n', '\t'], " ");
    let class = input.class.parse::<DipClass>().map_err(|_| problem("class", "Pilih golongan informasi."));
    let form = input.form.parse::<InfoForm>().map_err(|_| problem("form", "Pilih bentuk informasi."));
    let title = one_line(&input.title);
    let summary = clean_text(&input.summary);
    let holder = one_line(&input.holder);
    let responsible = one_line(&input.responsible);
    let made = one_line(&input.made_when_where);
    let retention = one_line(&input.retention);
    let test = clean_text(&input.consequence_test);
    let required = [
        ("title", &title, "Isi judul informasi, misalnya \"APBDes Tahun 2026\"."),
        ("summary", &summary, "Isi ringkasan isi informasi."),
        ("holder", &holder, "Isi pejabat atau unit yang menguasai informasi, misalnya \"Sekretaris Desa\"."),
        ("responsible", &responsible, "Isi penanggung jawab pembuatan informasi."),
        ("made_when_where", &made, "Isi waktu dan tempat pembuatan, misalnya \"Januari 2026, Kantor Desa\"."),
        ("retention", &retention, "Isi jangka waktu penyimpanan, misalnya \"5 tahun\"."),
    ];
    for (field, value, message) in required {
        if value.is_empty() {
            problems.push(problem(field, message));
        } else if value.chars().count() > MAX_TEXT_CHARS {
            problems.push(problem(field, format!("Paling banyak {MAX_TEXT_CHARS} karakter.")));
        }
    }
    if title.chars().count() > 200 {
        problems.push(problem("title", "Judul paling banyak 200 karakter."));
    }
    let exemption = if input.exemption.trim().is_empty() {
        None
    } else {
        match input.exemption.parse::<Exemption>() {
            Ok(e) => Some(e),
            Err(_) => {
                problems.push(problem("exemption", "Dasar pengecualian tidak dikenal."));
                None
            }
        }
    };
    if let Ok(DipClass::Dikecualikan) = class {
        if test.chars().count() < MIN_CONSEQUENCE_TEST_CHARS {
            problems.push(problem(
                "consequence_test",
                format!(
                    "Informasi yang dikecualikan wajib disertai uji konsekuensi tertulis (paling sedikit {MIN_CONSEQUENCE_TEST_CHARS} karakter): akibat apa yang timbul bila informasi dibuka (UU 14/2008 Pasal 19)."
                ),
            ));
        }
        if exemption.is_none() {
            problems.push(problem("exemption", "Pilih pasal pengecualian yang menjadi dasarnya."));
        }
    }
    match (class, form) {
        (Ok(class), Ok(form)) if problems.is_empty() => Ok(CheckedDip {
            class,
            title,
            summary,
            holder,
            responsible,
            made_when_where: made,
            form,
            retention,
            consequence_test: if class == DipClass::Dikecualikan { test } else { String::new() },
            exemption: if class == DipClass::Dikecualikan { exemption } else { None },
        }),
        (class, form) => {
            problems.extend(class.err());
            problems.extend(form.err());
            Err(problems)
        }
    }
}

/// The register number of a request or an objection: `001/PPID/2001/XII/2026` (the serial is
/// per village and year; `kind` is `PPID` for requests, `KEB` for objections).
pub fn register_number(serial: i64, kind: &str, village_suffix: &str, on: NaiveDate) -> String {
    let month = crate::surat::numbering::roman_month(on.month()).unwrap_or("I");
    format!("{serial:03}/{kind}/{village_suffix}/{month}/{}", on.year())
}

/// One request as the annual report counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestFigure {
    /// The class the PPID put the requested information in when deciding.
    pub class: Option<DipClass>,
    pub decision: Option<Decision>,
    pub delivered: bool,
    pub extended: bool,
    /// Working days from receipt to the written notice, once decided.
    pub days_to_notice: Option<i64>,
    /// Whether the notice came by the deadline in force (10, or 17 when extended).
    pub on_time: Option<bool>,
}

/// One objection as the annual report counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeberatanFigure {
    pub grounds: Vec<KeberatanGround>,
    pub outcome: Option<KeberatanOutcome>,
    pub on_time: Option<bool>,
}

/// The figures of the laporan layanan informasi publik for one period.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AnnualFigures {
    pub requests: usize,
    /// Per class, in [`DipClass::ALL`] order, then the requests not classed (undecided).
    pub per_class: Vec<(Option<DipClass>, usize)>,
    pub granted: usize,
    pub partly: usize,
    pub refused: usize,
    pub undecided: usize,
    pub delivered: usize,
    pub extended: usize,
    pub on_time: usize,
    pub late: usize,
    /// Mean working days to the notice, over decided requests.
    pub mean_days: Option<f64>,
    pub max_days: Option<i64>,
    pub keberatan: usize,
    pub keberatan_answered: usize,
    pub keberatan_upheld: usize,
    pub keberatan_on_time: usize,
    /// Objections per ground a–g.
    pub per_ground: Vec<(KeberatanGround, usize)>,
}

pub fn annual_figures(requests: &[RequestFigure], objections: &[KeberatanFigure]) -> AnnualFigures {
    let count = |f: &dyn Fn(&RequestFigure) -> bool| requests.iter().filter(|r| f(r)).count();
    let mut per_class: Vec<(Option<DipClass>, usize)> =
        DipClass::ALL.iter().map(|c| (Some(*c), count(&|r| r.class == Some(*c)))).collect();
    per_class.push((None, count(&|r| r.class.is_none())));
    let days: Vec<i64> = requests.iter().filter_map(|r| r.days_to_notice).collect();
    AnnualFigures {
        requests: requests.len(),
        per_class,
        granted: count(&|r| r.decision == Some(Decision::Dikabulkan)),
        partly: count(&|r| r.decision == Some(Decision::DikabulkanSebagian)),
        refused: count(&|r| r.decision == Some(Decision::Ditolak)),
        undecided: count(&|r| r.decision.is_none()),
        delivered: count(&|r| r.delivered),
        extended: count(&|r| r.extended),
        on_time: count(&|r| r.on_time == Some(true)),
        late: count(&|r| r.on_time == Some(false)),
        mean_days: (!days.is_empty()).then(|| days.iter().sum::<i64>() as f64 / days.len() as f64),
        max_days: days.iter().copied().max(),
        keberatan: objections.len(),
        keberatan_answered: objections.iter().filter(|k| k.outcome.is_some()).count(),
        keberatan_upheld: objections.iter().filter(|k| k.outcome == Some(KeberatanOutcome::Diterima)).count(),
        keberatan_on_time: objections.iter().filter(|k| k.on_time == Some(true)).count(),
        per_ground: KeberatanGround::ALL
            .iter()
            .map(|g| (*g, objections.iter().filter(|k| k.grounds.contains(g)).count()))
            .collect(),
    }
}

#[cfg(test)]
mod tests;
