//! The letter catalogue (domain.md §4 and §7): what each letter type asks for, what it says,
//! and its public standar pelayanan; the ten default types every village starts with; and
//! the checks on what residents type into a request.
//!
//! The person a letter is about comes from the population register, so no type asks for the
//! applicant's name or NIK. Body paragraphs are plain-text templates with `{{key}}`
//! placeholders naming one of the type's required fields or one of [`ALWAYS_AVAILABLE`].

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::calendar::format_tanggal;

/// Placeholders every body may use, filled by the app: the subject's name and the village,
/// kecamatan and kabupaten names.
pub const ALWAYS_AVAILABLE: [&str; 4] = ["nama", "desa", "kecamatan", "kabupaten"];

/// Longest value of a [`FieldKind::Text`] field, in characters.
pub const MAX_TEXT_CHARS: usize = 200;
/// Longest value of a [`FieldKind::LongText`] field, in characters.
pub const MAX_LONG_TEXT_CHARS: usize = 2000;
/// Longest value of a [`FieldKind::Number`] field, in digits.
pub const MAX_NUMBER_DIGITS: usize = 20;

/// The service fee of every default letter: village letters are free.
pub const BIAYA_GRATIS: &str = "Gratis (tidak dipungut biaya)";
/// Where residents complain about a letter service.
pub const PENGADUAN: &str = "Sampaikan melalui menu Lapor masalah di Balai, atau langsung ke kantor desa.";

/// What kind of value a field holds. Serialised as `{"type": "text"}` …
/// `{"type": "choice", "options": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "options", rename_all = "snake_case")]
pub enum FieldKind {
    /// One line, up to [`MAX_TEXT_CHARS`].
    Text,
    /// Several lines, up to [`MAX_LONG_TEXT_CHARS`].
    LongText,
    /// A calendar date, stored as `YYYY-MM-DD`.
    Date,
    /// Digits only (a count, a year, a postal code).
    Number,
    /// An amount of money in rupiah: typed as `750000`, `750.000` or `Rp750.000`, stored as
    /// digits, printed as `Rp750.000`.
    Rupiah,
    /// One of the options, stored exactly as written here.
    Choice(Vec<String>),
}

/// One piece of data a letter type asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldSpec {
    /// snake_case key, used in body placeholders.
    pub name: String,
    /// Indonesian label on the form.
    pub label: String,
    /// Indonesian help under the input; may be empty.
    pub hint: String,
    pub kind: FieldKind,
    pub required: bool,
}

/// A document the resident uploads (or brings to the counter).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentSpec {
    /// snake_case key.
    pub name: String,
    /// Indonesian label.
    pub label: String,
    pub required: bool,
}

/// The maklumat pelayanan (service pledge) in the wording of PermenPANRB 15/2014's model, for a
/// village that has not written its own: a starting point its staff edit and publish.
pub fn maklumat_baku() -> &'static str {
    "Dengan ini, kami menyatakan sanggup menyelenggarakan pelayanan sesuai standar pelayanan yang telah \
     ditetapkan dan apabila tidak menepati janji ini, kami siap menerima sanksi sesuai peraturan \
     perundang-undangan yang berlaku."
}

/// Longest maklumat pelayanan, in characters.
pub const MAX_MAKLUMAT_CHARS: usize = 2_000;

/// The six public components of a service's standar pelayanan (UU 25/2009 Ps 21,
/// PermenPANRB 15/2014; domain.md §7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StandarPelayanan {
    /// Persyaratan.
    pub persyaratan: Vec<String>,
    /// Sistem, mekanisme dan prosedur, step by step.
    pub prosedur: Vec<String>,
    /// Jangka waktu, in working days; drives the request's SLA clock.
    pub jangka_waktu_hari: u32,
    /// Biaya/tarif.
    pub biaya: String,
    /// Produk pelayanan.
    pub produk: String,
    /// Penanganan pengaduan, saran dan masukan.
    pub pengaduan: String,
}

/// One letter type of a village's catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LetterTypeSpec {
    /// Stable key, lowercase with hyphens (`sktm`).
    pub slug: String,
    /// Indonesian name ("Surat Keterangan Tidak Mampu").
    pub name: String,
    /// Title printed on the letter, upper-case.
    pub title: String,
    /// Archive classification code (Permendagri 83/2022), the `{kode}` of the letter number.
    pub klasifikasi: String,
    pub fields: Vec<FieldSpec>,
    pub attachments: Vec<AttachmentSpec>,
    /// Whether residents may request it online (otherwise only at the counter).
    pub online: bool,
    /// Days the letter is valid after issue; `None` when it does not expire.
    pub validity_days: Option<u32>,
    /// Whether the camat must countersign.
    pub camat_countersign: bool,
    /// Body paragraph templates with `{{key}}` placeholders.
    pub body: Vec<String>,
    pub standar: StandarPelayanan,
}

impl LetterTypeSpec {
    /// The field called `name`.
    pub fn field(&self, name: &str) -> Option<&FieldSpec> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// What is wrong with this letter type, in Indonesian, for the administrator editing it;
    /// empty when it can be used. Does not check that the klasifikasi code exists (that needs
    /// the code table) nor that slugs are unique within the catalogue (see
    /// [`catalogue_problems`]).
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if !is_slug(&self.slug) {
            problems.push(format!(
                "Kode jenis surat \"{}\" tidak sah: gunakan huruf kecil, angka dan tanda hubung, misalnya \"sktm\".",
                self.slug
            ));
        }
        if self.name.trim().is_empty() {
            problems.push("Nama jenis surat belum diisi.".to_string());
        }
        if self.title.trim().is_empty() {
            problems.push("Judul surat belum diisi.".to_string());
        } else if self.title != self.title.to_uppercase() {
            problems.push(format!("Judul surat \"{}\" harus ditulis dengan huruf kapital.", self.title));
        }
        if !is_klasifikasi(&self.klasifikasi) {
            problems.push(format!(
                "Kode klasifikasi \"{}\" tidak sah: tulis angka yang dipisah titik, misalnya 400.10.2.2.",
                self.klasifikasi
            ));
        }
        let mut names = HashSet::new();
        for f in &self.fields {
            if !is_key(&f.name) {
                problems.push(format!(
                    "Nama isian \"{}\" tidak sah: gunakan huruf kecil, angka dan garis bawah, diawali huruf.",
                    f.name
                ));
            }
            if ALWAYS_AVAILABLE.contains(&f.name.as_str()) {
                problems.push(format!("Nama isian \"{}\" sudah dipakai untuk data yang diisi otomatis.", f.name));
            }
            if !names.insert(f.name.as_str()) {
                problems.push(format!("Nama isian \"{}\" dipakai lebih dari sekali.", f.name));
            }
            if f.label.trim().is_empty() {
                problems.push(format!("Isian \"{}\" belum diberi label.", f.name));
            }
            if let FieldKind::Choice(options) = &f.kind {
                let distinct: HashSet<String> = options.iter().map(|o| o.trim().to_lowercase()).collect();
                if options.is_empty() || options.iter().any(|o| o.trim().is_empty()) {
                    problems.push(format!("Pilihan untuk isian \"{}\" tidak boleh kosong.", f.name));
                } else if distinct.len() != options.len() {
                    problems.push(format!("Pilihan untuk isian \"{}\" ada yang sama.", f.name));
                }
            }
        }
        let mut attachment_names = HashSet::new();
        for a in &self.attachments {
            if !is_key(&a.name) {
                problems.push(format!(
                    "Nama lampiran \"{}\" tidak sah: gunakan huruf kecil, angka dan garis bawah, diawali huruf.",
                    a.name
                ));
            }
            if !attachment_names.insert(a.name.as_str()) {
                problems.push(format!("Nama lampiran \"{}\" dipakai lebih dari sekali.", a.name));
            }
            if a.label.trim().is_empty() {
                problems.push(format!("Lampiran \"{}\" belum diberi label.", a.name));
            }
        }
        if self.body.is_empty() {
            problems.push("Isi surat belum ditulis.".to_string());
        }
        for (i, paragraph) in self.body.iter().enumerate() {
            let n = i + 1;
            if let Err(e) = tokenize(paragraph) {
                problems.push(format!("Paragraf {n}: {}", e.message_id()));
                continue;
            }
            for key in placeholders(paragraph) {
                if ALWAYS_AVAILABLE.contains(&key.as_str()) {
                    continue;
                }
                match self.field(&key) {
                    None => problems.push(format!("Paragraf {n} memakai {{{{{key}}}}}, padahal tidak ada isian itu.")),
                    // An optional field left empty would leave a hole in the letter.
                    Some(f) if !f.required => problems.push(format!(
                        "Paragraf {n} memakai {{{{{key}}}}}, padahal isian itu tidak wajib; jadikan wajib atau \
                         hapus dari isi surat."
                    )),
                    Some(_) => {}
                }
            }
        }
        if self.validity_days == Some(0) {
            problems.push("Masa berlaku surat harus minimal 1 hari, atau dikosongkan bila tidak kedaluwarsa.".into());
        }
        let s = &self.standar;
        if s.jangka_waktu_hari == 0 {
            problems.push("Jangka waktu layanan harus minimal 1 hari kerja.".to_string());
        }
        if s.persyaratan.is_empty() {
            problems.push("Persyaratan layanan belum diisi.".to_string());
        }
        if s.prosedur.is_empty() {
            problems.push("Prosedur layanan belum diisi.".to_string());
        }
        if s.biaya.trim().is_empty() || s.produk.trim().is_empty() || s.pengaduan.trim().is_empty() {
            problems.push("Biaya, produk dan penanganan pengaduan pada standar pelayanan wajib diisi.".to_string());
        }
        problems
    }
}

/// Problems of a whole catalogue: each type's [`LetterTypeSpec::problems`] (prefixed with its
/// slug) and duplicate slugs.
pub fn catalogue_problems(types: &[LetterTypeSpec]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut slugs = HashSet::new();
    for t in types {
        if !slugs.insert(t.slug.as_str()) {
            problems.push(format!("Kode jenis surat \"{}\" dipakai lebih dari sekali.", t.slug));
        }
        problems.extend(t.problems().into_iter().map(|p| format!("{}: {p}", t.slug)));
    }
    problems
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 60
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
}

/// A snake_case key: a lowercase letter, then lowercase letters, digits and underscores.
fn is_key(s: &str) -> bool {
    let mut bytes = s.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_lowercase())
        && s.len() <= 60
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn is_klasifikasi(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 30
        && s.split('.').all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
}

// ---------------------------------------------------------------------------------------------
// Placeholders
// ---------------------------------------------------------------------------------------------

/// Why a template cannot be filled.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PlaceholderError {
    #[error("'{{{{' at character {at} is never closed with '}}}}'")]
    Unclosed { at: usize },
    #[error("'{{{{{text}}}}}' is not a placeholder: a key is lowercase letters, digits and underscores")]
    BadKey { text: String },
    #[error("unknown placeholder {{{{{key}}}}}")]
    UnknownKey { key: String },
}

impl PlaceholderError {
    /// Explanation for people, in Bahasa Indonesia.
    pub fn message_id(&self) -> String {
        match self {
            PlaceholderError::Unclosed { at } => {
                format!("Tanda {{{{ pada karakter ke-{at} tidak ditutup dengan }}}}.")
            }
            PlaceholderError::BadKey { text } => format!(
                "{{{{{text}}}}} bukan penanda yang sah; nama penanda hanya boleh berisi huruf kecil, angka dan \
                 garis bawah, misalnya {{{{keperluan}}}}."
            ),
            PlaceholderError::UnknownKey { key } => format!("Penanda {{{{{key}}}}} tidak dikenal."),
        }
    }
}

enum Piece<'a> {
    Text(&'a str),
    Key(&'a str),
}

/// Splits a template into text and `{{key}}` placeholders. Spaces just inside the braces are
/// allowed (`{{ nama }}`); single braces are plain text.
fn tokenize(template: &str) -> Result<Vec<Piece<'_>>, PlaceholderError> {
    let mut pieces = Vec::new();
    let mut rest = template;
    let mut consumed = 0;
    while let Some(open) = rest.find("{{") {
        if open > 0 {
            pieces.push(Piece::Text(&rest[..open]));
        }
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            let at = template[..consumed + open].chars().count() + 1;
            return Err(PlaceholderError::Unclosed { at });
        };
        let inner = &after[..close];
        let key = inner.trim_matches(' ');
        if !is_key(key) {
            return Err(PlaceholderError::BadKey { text: inner.to_string() });
        }
        pieces.push(Piece::Key(key));
        let used = open + 2 + close + 2;
        consumed += used;
        rest = &rest[used..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest));
    }
    Ok(pieces)
}

/// The placeholder keys of `template`, each once, in order of first appearance. A malformed
/// template yields none ([`fill_placeholders`] says what is wrong).
pub fn placeholders(template: &str) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for piece in tokenize(template).unwrap_or_default() {
        if let Piece::Key(key) = piece
            && !keys.iter().any(|k| k == key)
        {
            keys.push(key.to_string());
        }
    }
    keys
}

/// `template` with each `{{key}}` replaced by `values[key]`. Values are inserted as they are
/// and never scanned again, so a value containing `{{…}}` stays plain text.
pub fn fill_placeholders(template: &str, values: &BTreeMap<String, String>) -> Result<String, PlaceholderError> {
    let mut out = String::with_capacity(template.len());
    for piece in tokenize(template)? {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Key(key) => match values.get(key) {
                Some(value) => out.push_str(value),
                None => return Err(PlaceholderError::UnknownKey { key: key.to_string() }),
            },
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Field values
// ---------------------------------------------------------------------------------------------

/// Unicode bidirectional embedding, override and isolate characters: invisible, and able to
/// make printed text read differently from what was stored.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Checks and normalises what was typed into a field: trimmed; for long text, line endings
/// become `\n`; a choice is returned as the option is written. The error is an Indonesian
/// message naming the field.
pub fn validate_field_value(spec: &FieldSpec, value: &str) -> Result<String, String> {
    let label = spec.label.trim();
    let value = match spec.kind {
        FieldKind::LongText => value.replace("\r\n", "\n").replace('\r', "\n"),
        _ => value.to_string(),
    };
    let value = value.trim();
    if value.is_empty() {
        return if spec.required { Err(format!("{label} wajib diisi.")) } else { Ok(String::new()) };
    }
    if value.chars().any(is_bidi_control) {
        return Err(format!("{label} berisi karakter pengatur arah teks yang tidak terlihat; hapus karakter itu."));
    }
    match &spec.kind {
        FieldKind::Text => {
            if value.chars().any(char::is_control) {
                return Err(format!("{label} harus ditulis dalam satu baris, tanpa tab atau karakter kontrol."));
            }
            if value.chars().count() > MAX_TEXT_CHARS {
                return Err(format!("{label} terlalu panjang; paling banyak {MAX_TEXT_CHARS} karakter."));
            }
            Ok(value.to_string())
        }
        FieldKind::LongText => {
            if value.chars().any(|c| c.is_control() && c != '\n') {
                return Err(format!("{label} tidak boleh berisi tab atau karakter kontrol lain."));
            }
            if value.chars().count() > MAX_LONG_TEXT_CHARS {
                return Err(format!("{label} terlalu panjang; paling banyak 2.000 karakter."));
            }
            Ok(value.to_string())
        }
        FieldKind::Date => parse_iso_date(value).map(|_| value.to_string()).ok_or_else(|| {
            format!("{label} harus berupa tanggal yang benar dengan format TTTT-BB-HH, misalnya 2026-11-23.")
        }),
        FieldKind::Number => {
            if !value.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("{label} hanya boleh berisi angka, tanpa titik, koma atau spasi."));
            }
            if value.len() > MAX_NUMBER_DIGITS {
                return Err(format!("{label} terlalu panjang; paling banyak {MAX_NUMBER_DIGITS} angka."));
            }
            Ok(value.to_string())
        }
        FieldKind::Rupiah => {
            let digits = value.trim_start_matches("Rp").trim_start_matches("rp").trim().replace('.', "");
            let digits = digits.strip_suffix(",00").unwrap_or(&digits);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("{label} ditulis dengan angka rupiah, misalnya 750000 atau Rp750.000."));
            }
            let digits = digits.trim_start_matches('0');
            let digits = if digits.is_empty() { "0" } else { digits };
            if digits.len() > 13 {
                return Err(format!("{label} terlalu besar."));
            }
            Ok(digits.to_string())
        }
        FieldKind::Choice(options) => options
            .iter()
            .find(|o| o.trim().to_lowercase() == value.to_lowercase())
            .map(|o| o.trim().to_string())
            .ok_or_else(|| format!("{label} harus salah satu dari: {}.", options.join(", "))),
    }
}

/// A `YYYY-MM-DD` date that exists in the calendar.
fn parse_iso_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped {
        return None;
    }
    let year = s.get(0..4)?.parse().ok()?;
    let month = s.get(5..7)?.parse().ok()?;
    let day = s.get(8..10)?.parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

/// A validated value as it should read in a letter: dates in Indonesian ("23 November 2026"),
/// everything else as stored.
pub fn display_value(spec: &FieldSpec, value: &str) -> String {
    match (&spec.kind, parse_iso_date(value)) {
        (FieldKind::Date, Some(d)) => format_tanggal(d),
        (FieldKind::Rupiah, _) if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
            format_rupiah(value)
        }
        _ => value.to_string(),
    }
}

/// `750000` → `Rp750.000` (thousands separated by dots, as Indonesian writes them).
pub fn format_rupiah(digits: &str) -> String {
    format!("Rp{}", group_thousands(digits))
}

/// `1000000` → `1.000.000`: digits grouped by three with dots.
pub fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The default catalogue
// ---------------------------------------------------------------------------------------------

fn field(name: &str, label: &str, hint: &str, kind: FieldKind) -> FieldSpec {
    FieldSpec { name: name.into(), label: label.into(), hint: hint.into(), kind, required: true }
}

fn optional(mut f: FieldSpec) -> FieldSpec {
    f.required = false;
    f
}

fn choice(name: &str, label: &str, hint: &str, options: &[&str]) -> FieldSpec {
    field(name, label, hint, FieldKind::Choice(options.iter().map(|o| o.to_string()).collect()))
}

fn keperluan(hint: &str) -> FieldSpec {
    field("keperluan", "Keperluan", hint, FieldKind::Text)
}

fn attachment(name: &str, label: &str, required: bool) -> AttachmentSpec {
    AttachmentSpec { name: name.into(), label: label.into(), required }
}

fn foto_ktp() -> AttachmentSpec {
    attachment("ktp", "Foto KTP", true)
}

fn foto_kk() -> AttachmentSpec {
    attachment("kk", "Foto Kartu Keluarga", true)
}

fn pengantar_rt_rw() -> AttachmentSpec {
    attachment("pengantar_rt_rw", "Surat pengantar RT/RW", true)
}

/// The usual three: KTP, KK and the RT/RW's covering note.
fn usual_attachments() -> Vec<AttachmentSpec> {
    vec![foto_ktp(), foto_kk(), pengantar_rt_rw()]
}

fn lines(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// The standar pelayanan of a default letter: requirements from the attachments (plus
/// `extra`), the usual procedure (plus `extra_steps` at the end), free of charge.
fn standar(
    name: &str,
    attachments: &[AttachmentSpec],
    extra: &[&str],
    extra_steps: &[&str],
    jangka_waktu_hari: u32,
) -> StandarPelayanan {
    let mut persyaratan = vec!["Terdaftar dalam data penduduk desa.".to_string()];
    persyaratan.extend(
        attachments.iter().map(
            |a| {
                if a.required { format!("{}.", a.label) } else { format!("{}, bila ada.", a.label) }
            },
        ),
    );
    persyaratan.extend(lines(extra));
    let mut prosedur = lines(&[
        "Pemohon mengajukan permohonan melalui Balai, atau datang ke kantor desa dengan membawa persyaratan.",
        "Petugas desa memeriksa data dan berkas. Bila ada yang kurang, permohonan dikembalikan dengan \
         catatan perbaikan.",
        "Setelah diverifikasi, surat ditandatangani Kepala Desa atau pejabat yang ditunjuk dan diberi nomor.",
        "Pemohon mengunduh surat di Balai atau mengambilnya di kantor desa.",
    ]);
    prosedur.extend(lines(extra_steps));
    StandarPelayanan {
        persyaratan,
        prosedur,
        jangka_waktu_hari,
        biaya: BIAYA_GRATIS.to_string(),
        produk: format!(
            "{name} yang ditandatangani Kepala Desa atau pejabat yang ditunjuk, dalam bentuk berkas PDF yang \
             keasliannya dapat diperiksa melalui kode QR, dan lembar cetak bila diambil di kantor desa."
        ),
        pengaduan: PENGADUAN.to_string(),
    }
}

struct Draft<'a> {
    slug: &'a str,
    name: &'a str,
    klasifikasi: &'a str,
    fields: Vec<FieldSpec>,
    attachments: Vec<AttachmentSpec>,
    validity_days: Option<u32>,
    body: &'a [&'a str],
    extra_persyaratan: &'a [&'a str],
    extra_steps: &'a [&'a str],
    jangka_waktu_hari: u32,
}

impl Draft<'_> {
    fn build(self) -> LetterTypeSpec {
        LetterTypeSpec {
            slug: self.slug.into(),
            name: self.name.into(),
            title: self.name.to_uppercase(),
            klasifikasi: self.klasifikasi.into(),
            standar: standar(
                self.name,
                &self.attachments,
                self.extra_persyaratan,
                self.extra_steps,
                self.jangka_waktu_hari,
            ),
            fields: self.fields,
            attachments: self.attachments,
            online: true,
            validity_days: self.validity_days,
            camat_countersign: false,
            body: lines(self.body),
        }
    }
}

/// The ten letter types a village starts with. Wording is Balai's own; klasifikasi codes follow
/// the suggested mapping onto Permendagri 83/2022 in `shared/data/README.md` §5 (a regency's
/// Perbup may differ: the codes are editable settings). None needs the camat's countersignature
/// by default; a village whose kecamatan asks for it turns it on.
pub fn default_letter_types() -> Vec<LetterTypeSpec> {
    use FieldKind::{Date, LongText, Number, Rupiah, Text};
    vec![
        Draft {
            slug: "domisili",
            name: "Surat Keterangan Domisili",
            klasifikasi: "400.12.2.1",
            fields: vec![
                field(
                    "alamat_domisili",
                    "Alamat tempat tinggal",
                    "Alamat tempat Anda tinggal sekarang di desa ini, lengkap dengan RT/RW dan dusun.",
                    Text,
                ),
                keperluan("Contoh: melamar pekerjaan, membuka rekening bank, mendaftar sekolah."),
            ],
            attachments: usual_attachments(),
            validity_days: Some(180),
            body: &[
                "Berdasarkan data kependudukan dan surat pengantar RT/RW, {{nama}} benar bertempat tinggal di \
                 {{alamat_domisili}}, Desa {{desa}}, Kecamatan {{kecamatan}}, Kabupaten {{kabupaten}}.",
                "Surat keterangan ini dibuat untuk keperluan {{keperluan}}.",
            ],
            extra_persyaratan: &[],
            extra_steps: &[],
            jangka_waktu_hari: 1,
        }
        .build(),
        Draft {
            slug: "sktm",
            name: "Surat Keterangan Tidak Mampu",
            klasifikasi: "400.9.14",
            fields: vec![
                field(
                    "penghasilan",
                    "Penghasilan keluarga per bulan",
                    "Perkiraan penghasilan seluruh keluarga dalam sebulan, misalnya Rp1.200.000.",
                    Rupiah,
                ),
                field(
                    "jumlah_tanggungan",
                    "Jumlah tanggungan",
                    "Banyaknya anggota keluarga yang dibiayai, termasuk Anda.",
                    Number,
                ),
                keperluan("Contoh: keringanan biaya sekolah, berobat di rumah sakit, pendaftaran beasiswa."),
            ],
            attachments: vec![
                foto_ktp(),
                foto_kk(),
                pengantar_rt_rw(),
                attachment("foto_rumah", "Foto rumah (tampak depan)", false),
                attachment("kartu_bantuan", "Foto kartu KIS, KKS atau PKH", false),
            ],
            validity_days: Some(180),
            body: &[
                "Berdasarkan keterangan RT/RW dan pengamatan kami, {{nama}} adalah warga Desa {{desa}} yang \
                 tergolong keluarga kurang mampu, dengan penghasilan keluarga sekitar {{penghasilan}} per bulan \
                 dan {{jumlah_tanggungan}} orang tanggungan.",
                "Surat keterangan ini dibuat untuk keperluan {{keperluan}}.",
            ],
            extra_persyaratan: &[],
            extra_steps: &[],
            jangka_waktu_hari: 1,
        }
        .build(),
        Draft {
            slug: "pengantar-skck",
            name: "Surat Pengantar SKCK",
            klasifikasi: "400.10.2.2",
            fields: vec![keperluan("Contoh: melamar pekerjaan, mendaftar sekolah kedinasan.")],
            attachments: usual_attachments(),
            validity_days: Some(30),
            body: &[
                "{{nama}} adalah warga Desa {{desa}}, Kecamatan {{kecamatan}}, yang sepanjang pengetahuan kami \
                 berkelakuan baik dan tidak sedang tersangkut perkara pidana.",
                "Surat pengantar ini diberikan untuk mengurus Surat Keterangan Catatan Kepolisian (SKCK) di \
                 kepolisian, guna keperluan {{keperluan}}.",
            ],
            extra_persyaratan: &[],
            extra_steps: &["Pemohon membawa surat pengantar ini ke Polsek atau Polres untuk mengurus SKCK."],
            jangka_waktu_hari: 1,
        }
        .build(),
        Draft {
            slug: "usaha",
            name: "Surat Keterangan Usaha",
            klasifikasi: "400.10.2.2",
            fields: vec![
                field("nama_usaha", "Nama usaha", "Contoh: Warung Berkah.", Text),
                field("jenis_usaha", "Jenis usaha", "Contoh: warung sembako, bengkel motor, jahit pakaian.", Text),
                field(
                    "alamat_usaha",
                    "Alamat usaha",
                    "Tempat usaha di desa ini, lengkap dengan RT/RW dan dusun.",
                    Text,
                ),
                field("tahun_mulai", "Tahun mulai usaha", "Contoh: 2019.", Number),
                keperluan("Contoh: pengajuan kredit usaha (KUR) di bank, pendaftaran NIB."),
            ],
            attachments: vec![
                foto_ktp(),
                foto_kk(),
                pengantar_rt_rw(),
                attachment("foto_usaha", "Foto tempat usaha", true),
            ],
            validity_days: Some(180),
            body: &[
                "Berdasarkan pengamatan kami dan keterangan RT/RW, {{nama}} benar mempunyai usaha {{jenis_usaha}} \
                 dengan nama \"{{nama_usaha}}\" di {{alamat_usaha}}, Desa {{desa}}, yang berjalan sejak tahun \
                 {{tahun_mulai}}.",
                "Surat keterangan ini dibuat untuk keperluan {{keperluan}}.",
            ],
            extra_persyaratan: &[],
            extra_steps: &[],
            jangka_waktu_hari: 1,
        }
        .build(),
        Draft {
            slug: "kelahiran",
            name: "Surat Keterangan Kelahiran",
            klasifikasi: "400.12.3.1",
            fields: vec![
                field("nama_bayi", "Nama bayi", "Nama lengkap bayi sesuai yang akan dicatat di akta kelahiran.", Text),
                choice("jenis_kelamin_bayi", "Jenis kelamin bayi", "", &["laki-laki", "perempuan"]),
                field("tanggal_lahir", "Tanggal lahir", "", Date),
                field(
                    "tempat_lahir",
                    "Tempat lahir",
                    "Contoh: Puskesmas Cihaurbeuti, RSUD Ciamis, rumah sendiri.",
                    Text,
                ),
                field("anak_ke", "Anak ke-", "Urutan kelahiran bayi dari ibunya, misalnya 2.", Number),
                field("nama_ibu", "Nama ibu", "Nama lengkap ibu kandung.", Text),
                field("nama_ayah", "Nama ayah", "Nama lengkap ayah kandung.", Text),
                choice(
                    "hubungan_pelapor",
                    "Hubungan Anda dengan bayi",
                    "Anda yang melaporkan kelahiran ini.",
                    &["ayah", "ibu", "kakek", "nenek", "saudara", "kerabat"],
                ),
            ],
            attachments: vec![
                attachment("keterangan_lahir", "Surat keterangan lahir dari bidan, puskesmas atau rumah sakit", true),
                attachment("ktp", "Foto KTP pelapor", true),
                foto_kk(),
                attachment("buku_nikah", "Foto buku nikah atau akta perkawinan orang tua", false),
                pengantar_rt_rw(),
            ],
            validity_days: None,
            body: &[
                "Telah lahir seorang anak {{jenis_kelamin_bayi}} bernama {{nama_bayi}}, anak ke-{{anak_ke}}, pada \
                 tanggal {{tanggal_lahir}} di {{tempat_lahir}}, dari seorang ibu bernama {{nama_ibu}} dan ayah \
                 bernama {{nama_ayah}}.",
                "Kelahiran tersebut dilaporkan oleh {{nama}} selaku {{hubungan_pelapor}} dari bayi tersebut, warga \
                 Desa {{desa}}, Kecamatan {{kecamatan}}, Kabupaten {{kabupaten}}.",
            ],
            extra_persyaratan: &[],
            extra_steps: &[
                "Surat ini dipakai untuk mengurus akta kelahiran di Dinas Kependudukan dan Pencatatan Sipil.",
            ],
            jangka_waktu_hari: 1,
        }
        .build(),
        Draft {
            slug: "kematian",
            name: "Surat Keterangan Kematian",
            klasifikasi: "400.12.3.1",
            fields: vec![
                field("nama_almarhum", "Nama yang meninggal", "Nama lengkap almarhum atau almarhumah.", Text),
                field("umur_almarhum", "Umur saat meninggal", "Dalam tahun, misalnya 67.", Number),
                field(
                    "alamat_almarhum",
                    "Alamat terakhir",
                    "Alamat tempat tinggal terakhir, lengkap dengan RT/RW dan dusun.",
                    Text,
                ),
                field("tanggal_meninggal", "Tanggal meninggal", "", Date),
                field("tempat_meninggal", "Tempat meninggal", "Contoh: di rumah, RSUD Ciamis.", Text),
                field("sebab_meninggal", "Sebab meninggal", "Contoh: sakit, usia lanjut, kecelakaan.", Text),
                choice(
                    "hubungan_pelapor",
                    "Hubungan Anda dengan yang meninggal",
                    "Anda yang melaporkan kematian ini.",
                    &["suami", "istri", "anak", "orang tua", "saudara", "kerabat", "tetangga"],
                ),
            ],
            attachments: vec![
                attachment("ktp", "Foto KTP pelapor", true),
                attachment("kk", "Foto Kartu Keluarga almarhum/almarhumah", true),
                attachment("ktp_almarhum", "Foto KTP almarhum/almarhumah", false),
                attachment(
                    "keterangan_dokter",
                    "Surat keterangan kematian dari dokter, puskesmas atau rumah sakit",
                    false,
                ),
                pengantar_rt_rw(),
            ],
            validity_days: None,
            body: &[
                "Telah meninggal dunia {{nama_almarhum}}, umur {{umur_almarhum}} tahun, alamat terakhir \
                 {{alamat_almarhum}}, Desa {{desa}}, pada tanggal {{tanggal_meninggal}} di {{tempat_meninggal}} \
                 karena {{sebab_meninggal}}.",
                "Kematian tersebut dilaporkan oleh {{nama}} selaku {{hubungan_pelapor}} dari almarhum/almarhumah.",
            ],
            extra_persyaratan: &[],
            extra_steps: &[
                "Surat ini dipakai untuk mengurus akta kematian di Dinas Kependudukan dan Pencatatan Sipil.",
            ],
            jangka_waktu_hari: 1,
        }
        .build(),
        Draft {
            slug: "pindah",
            name: "Surat Keterangan Pindah",
            klasifikasi: "400.12.2.2",
            fields: vec![
                field("alamat_tujuan", "Alamat tujuan", "Jalan, nomor rumah, RT/RW dan dusun di tempat tujuan.", Text),
                field("desa_tujuan", "Desa/kelurahan tujuan", "", Text),
                field("kecamatan_tujuan", "Kecamatan tujuan", "", Text),
                field(
                    "kabupaten_tujuan",
                    "Kabupaten/kota tujuan",
                    "Contoh: Kabupaten Tasikmalaya, Kota Bandung.",
                    Text,
                ),
                field("provinsi_tujuan", "Provinsi tujuan", "", Text),
                field("kode_pos_tujuan", "Kode pos tujuan", "5 angka.", Number),
                choice(
                    "alasan_pindah",
                    "Alasan pindah",
                    "",
                    &["pekerjaan", "pendidikan", "keamanan", "kesehatan", "perumahan", "keluarga", "lainnya"],
                ),
                choice(
                    "jenis_kepindahan",
                    "Jenis kepindahan",
                    "Siapa saja yang pindah.",
                    &[
                        "kepala keluarga",
                        "kepala keluarga dan seluruh anggota keluarga",
                        "kepala keluarga dan sebagian anggota keluarga",
                        "anggota keluarga",
                    ],
                ),
                field(
                    "jumlah_pengikut",
                    "Jumlah anggota keluarga yang ikut pindah",
                    "Tulis 0 bila pindah sendiri.",
                    Number,
                ),
            ],
            attachments: vec![
                foto_ktp(),
                foto_kk(),
                pengantar_rt_rw(),
                attachment("formulir_pindah", "Formulir permohonan pindah (F-1.03) yang sudah diisi", false),
            ],
            validity_days: Some(30),
            body: &[
                "{{nama}}, warga Desa {{desa}}, Kecamatan {{kecamatan}}, Kabupaten {{kabupaten}}, bermaksud pindah \
                 ke {{alamat_tujuan}}, Desa/Kelurahan {{desa_tujuan}}, Kecamatan {{kecamatan_tujuan}}, \
                 {{kabupaten_tujuan}}, Provinsi {{provinsi_tujuan}}, kode pos {{kode_pos_tujuan}}.",
                "Kepindahan ini dengan alasan {{alasan_pindah}}, dengan jenis kepindahan {{jenis_kepindahan}}, dan \
                 {{jumlah_pengikut}} orang anggota keluarga ikut pindah.",
                "Surat keterangan ini menjadi pengantar untuk mengurus Surat Keterangan Pindah di Dinas \
                 Kependudukan dan Pencatatan Sipil.",
            ],
            extra_persyaratan: &["Data anggota keluarga yang ikut pindah (nama dan NIK)."],
            extra_steps: &["Pemohon membawa surat ini ke Dinas Kependudukan dan Pencatatan Sipil untuk mengurus \
                            Surat Keterangan Pindah."],
            jangka_waktu_hari: 2,
        }
        .build(),
        Draft {
            slug: "belum-menikah",
            name: "Surat Keterangan Belum Menikah",
            klasifikasi: "400.10.2.2",
            fields: vec![keperluan("Contoh: melamar pekerjaan, persyaratan pendaftaran nikah.")],
            attachments: vec![
                foto_ktp(),
                foto_kk(),
                pengantar_rt_rw(),
                attachment("pernyataan", "Surat pernyataan belum pernah menikah yang ditandatangani pemohon", false),
            ],
            validity_days: Some(90),
            body: &[
                "Berdasarkan data kependudukan yang ada pada kami dan keterangan RT/RW, {{nama}} sampai dengan \
                 tanggal surat ini dibuat berstatus belum pernah menikah.",
                "Surat keterangan ini dibuat untuk keperluan {{keperluan}}.",
            ],
            extra_persyaratan: &[],
            extra_steps: &[],
            jangka_waktu_hari: 1,
        }
        .build(),
        Draft {
            slug: "penghasilan-orang-tua",
            name: "Surat Keterangan Penghasilan Orang Tua",
            klasifikasi: "400.10.2.2",
            fields: vec![
                field("nama_sekolah", "Sekolah/perguruan tinggi", "Contoh: SMA Negeri 1 Ciamis.", Text),
                field("kelas_semester", "Kelas/semester", "Contoh: kelas XI, semester 3.", Text),
                optional(field("jurusan", "Jurusan/fakultas/program studi", "Bila ada.", Text)),
                optional(field("nomor_induk", "Nomor induk siswa/mahasiswa", "Bila sudah ada.", Text)),
                field("nama_ayah", "Nama ayah", "", Text),
                field(
                    "pekerjaan_ayah",
                    "Pekerjaan ayah",
                    "Contoh: petani, buruh harian. Tulis \"-\" bila sudah meninggal.",
                    Text,
                ),
                field(
                    "penghasilan_ayah",
                    "Penghasilan ayah per bulan",
                    "Misalnya Rp1.500.000; tulis Rp0 bila tidak berpenghasilan.",
                    Rupiah,
                ),
                field("nama_ibu", "Nama ibu", "", Text),
                field("pekerjaan_ibu", "Pekerjaan ibu", "Contoh: mengurus rumah tangga, pedagang.", Text),
                field(
                    "penghasilan_ibu",
                    "Penghasilan ibu per bulan",
                    "Misalnya Rp500.000; tulis Rp0 bila tidak berpenghasilan.",
                    Rupiah,
                ),
                keperluan("Contoh: pengajuan beasiswa, keringanan uang sekolah."),
            ],
            attachments: usual_attachments(),
            validity_days: Some(90),
            body: &[
                "{{nama}} adalah pelajar/mahasiswa di {{nama_sekolah}}, {{kelas_semester}}, warga Desa {{desa}}, \
                 Kecamatan {{kecamatan}}, Kabupaten {{kabupaten}}.",
                "Orang tua yang bersangkutan adalah ayah bernama {{nama_ayah}}, pekerjaan {{pekerjaan_ayah}}, \
                 dengan penghasilan {{penghasilan_ayah}} per bulan, dan ibu bernama {{nama_ibu}}, pekerjaan \
                 {{pekerjaan_ibu}}, dengan penghasilan {{penghasilan_ibu}} per bulan.",
                "Surat keterangan ini dibuat untuk keperluan {{keperluan}}.",
            ],
            extra_persyaratan: &[],
            extra_steps: &[],
            jangka_waktu_hari: 1,
        }
        .build(),
        Draft {
            slug: "pengantar-kehilangan",
            name: "Surat Pengantar Laporan Kehilangan",
            klasifikasi: "400.10.2.2",
            fields: vec![
                field(
                    "barang_hilang",
                    "Barang atau dokumen yang hilang",
                    "Contoh: KTP, STNK sepeda motor, buku tabungan.",
                    Text,
                ),
                field(
                    "rincian_barang",
                    "Rincian",
                    "Nomor dokumen, merek, warna atau ciri lain yang membantu mengenalinya.",
                    LongText,
                ),
                field("tanggal_kehilangan", "Tanggal kehilangan", "Perkiraan tanggalnya bila tidak tahu pasti.", Date),
                field(
                    "tempat_kehilangan",
                    "Tempat kehilangan",
                    "Contoh: di Pasar Ciamis, dalam perjalanan ke kota.",
                    Text,
                ),
            ],
            attachments: vec![
                foto_kk(),
                attachment("ktp", "Foto KTP", false),
                attachment("pengantar_rt_rw", "Surat pengantar RT/RW", false),
            ],
            validity_days: Some(30),
            body: &[
                "{{nama}}, warga Desa {{desa}}, Kecamatan {{kecamatan}}, telah melaporkan kepada kami kehilangan \
                 {{barang_hilang}} dengan rincian: {{rincian_barang}}.",
                "Kehilangan tersebut terjadi pada tanggal {{tanggal_kehilangan}} di {{tempat_kehilangan}}.",
                "Surat pengantar ini diberikan untuk membuat laporan kehilangan di kepolisian.",
            ],
            extra_persyaratan: &[],
            extra_steps: &["Pemohon membawa surat pengantar ini ke Polsek atau Polres untuk membuat laporan \
                            kehilangan."],
            jangka_waktu_hari: 1,
        }
        .build(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn spec(kind: FieldKind, required: bool) -> FieldSpec {
        FieldSpec { name: "isian".into(), label: "Isian".into(), hint: String::new(), kind, required }
    }

    fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn by_slug(slug: &str) -> LetterTypeSpec {
        default_letter_types().into_iter().find(|t| t.slug == slug).expect("default type")
    }

    #[test]
    fn all_ten_defaults_exist_with_unique_slugs() {
        let types = default_letter_types();
        let slugs: Vec<&str> = types.iter().map(|t| t.slug.as_str()).collect();
        assert_eq!(
            slugs,
            [
                "domisili",
                "sktm",
                "pengantar-skck",
                "usaha",
                "kelahiran",
                "kematian",
                "pindah",
                "belum-menikah",
                "penghasilan-orang-tua",
                "pengantar-kehilangan"
            ]
        );
        let unique: HashSet<&str> = slugs.iter().copied().collect();
        assert_eq!(unique.len(), slugs.len());
        assert_eq!(catalogue_problems(&types), Vec::<String>::new());
    }

    #[test]
    fn klasifikasi_follows_the_mapping() {
        let expected = [
            ("domisili", "400.12.2.1"),
            ("sktm", "400.9.14"),
            ("pengantar-skck", "400.10.2.2"),
            ("usaha", "400.10.2.2"),
            ("kelahiran", "400.12.3.1"),
            ("kematian", "400.12.3.1"),
            ("pindah", "400.12.2.2"),
            ("belum-menikah", "400.10.2.2"),
            ("penghasilan-orang-tua", "400.10.2.2"),
            ("pengantar-kehilangan", "400.10.2.2"),
        ];
        for (slug, code) in expected {
            assert_eq!(by_slug(slug).klasifikasi, code, "{slug}");
        }
    }

    #[test]
    fn klasifikasi_codes_are_in_the_code_table() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/kode-klasifikasi-arsip.csv");
        let csv = std::fs::read_to_string(path).expect("kode-klasifikasi-arsip.csv");
        let mut lines = csv.lines();
        assert_eq!(lines.next().map(|h| h.starts_with("code,")), Some(true));
        let codes: HashSet<&str> = lines.filter_map(|l| l.split(',').next()).collect();
        assert!(codes.len() > 2000);
        for t in default_letter_types() {
            assert!(codes.contains(t.klasifikasi.as_str()), "{}: {}", t.slug, t.klasifikasi);
        }
    }

    #[test]
    fn bodies_use_only_own_required_fields_or_always_available_ones() {
        for t in default_letter_types() {
            let own: HashSet<&str> = t.fields.iter().filter(|f| f.required).map(|f| f.name.as_str()).collect();
            assert!(!t.body.is_empty(), "{}", t.slug);
            for paragraph in &t.body {
                for key in placeholders(paragraph) {
                    assert!(
                        own.contains(key.as_str()) || ALWAYS_AVAILABLE.contains(&key.as_str()),
                        "{}: {{{{{key}}}}}",
                        t.slug
                    );
                }
            }
            // Every field a letter asks for, it prints (optional extras aside).
            let used: HashSet<String> = t.body.iter().flat_map(|p| placeholders(p)).collect();
            for f in t.fields.iter().filter(|f| f.required) {
                assert!(used.contains(&f.name), "{}: {} is asked for but never printed", t.slug, f.name);
            }
        }
    }

    #[test]
    fn bodies_fill_completely_with_sample_values() {
        for t in default_letter_types() {
            let mut v = values(&[
                ("nama", "Siti"),
                ("desa", "Sukamulya"),
                ("kecamatan", "Cihaurbeuti"),
                ("kabupaten", "Ciamis"),
            ]);
            for f in &t.fields {
                let sample = match &f.kind {
                    FieldKind::Date => "2026-11-23".to_string(),
                    FieldKind::Number | FieldKind::Rupiah => "2".to_string(),
                    FieldKind::Choice(options) => options[0].clone(),
                    _ => format!("<{}>", f.name),
                };
                assert_eq!(validate_field_value(f, &sample), Ok(sample.clone()), "{}: {}", t.slug, f.name);
                v.insert(f.name.clone(), sample);
            }
            for paragraph in &t.body {
                let filled = fill_placeholders(paragraph, &v).expect("fills");
                assert!(!filled.contains("{{") && !filled.contains("}}"), "{filled}");
            }
        }
    }

    #[test]
    fn no_field_asks_for_the_applicants_identity() {
        for t in default_letter_types() {
            for f in &t.fields {
                assert!(!["nama", "nik", "no_kk", "nama_pemohon", "nik_pemohon"].contains(&f.name.as_str()));
                assert!(!f.name.starts_with("nik"), "{}: {}", t.slug, f.name);
            }
        }
    }

    #[test]
    fn type_specific_fields() {
        let names = |slug: &str| -> Vec<String> { by_slug(slug).fields.into_iter().map(|f| f.name).collect() };
        assert!(names("usaha").contains(&"nama_usaha".to_string()));
        for slug in ["domisili", "sktm", "pengantar-skck", "usaha", "belum-menikah", "penghasilan-orang-tua"] {
            assert!(names(slug).contains(&"keperluan".to_string()), "{slug}");
        }
        for name in ["nama_bayi", "tanggal_lahir", "tempat_lahir", "nama_ibu", "nama_ayah"] {
            assert!(names("kelahiran").contains(&name.to_string()), "{name}");
        }
        for name in ["nama_almarhum", "tanggal_meninggal", "tempat_meninggal", "sebab_meninggal"] {
            assert!(names("kematian").contains(&name.to_string()), "{name}");
        }
        for name in ["penghasilan_ayah", "penghasilan_ibu", "nama_sekolah"] {
            assert!(names("penghasilan-orang-tua").contains(&name.to_string()), "{name}");
        }
    }

    #[test]
    fn rupiah_amounts_are_stored_as_digits_and_printed_with_dots() {
        let spec = FieldSpec {
            name: "penghasilan".into(),
            label: "Penghasilan".into(),
            hint: String::new(),
            kind: FieldKind::Rupiah,
            required: true,
        };
        for typed in ["750000", "750.000", "Rp750.000", "Rp 750.000", "rp750.000,00", "0750000"] {
            assert_eq!(validate_field_value(&spec, typed).as_deref(), Ok("750000"), "{typed}");
        }
        assert_eq!(validate_field_value(&spec, "Rp0").as_deref(), Ok("0"));
        assert!(validate_field_value(&spec, "tujuh ratus ribu").is_err());
        assert!(validate_field_value(&spec, "12,5").is_err());
        assert_eq!(display_value(&spec, "750000"), "Rp750.000");
        assert_eq!(display_value(&spec, "1200000"), "Rp1.200.000");
        assert_eq!(display_value(&spec, "0"), "Rp0");
        assert_eq!(display_value(&spec, "999"), "Rp999");
    }

    #[test]
    fn attachments_validity_and_standar() {
        let sktm = by_slug("sktm");
        let photo = sktm.attachments.iter().find(|a| a.label == "Foto rumah (tampak depan)").expect("foto rumah");
        assert!(!photo.required);
        for slug in ["domisili", "sktm", "pengantar-skck", "usaha", "pindah", "belum-menikah"] {
            let labels: Vec<(String, bool)> =
                by_slug(slug).attachments.into_iter().map(|a| (a.label, a.required)).collect();
            for usual in ["Foto KTP", "Foto Kartu Keluarga", "Surat pengantar RT/RW"] {
                assert!(labels.contains(&(usual.to_string(), true)), "{slug}: {usual}");
            }
        }
        let validity: Vec<(String, Option<u32>)> =
            default_letter_types().into_iter().map(|t| (t.slug, t.validity_days)).collect();
        assert!(validity.contains(&("sktm".into(), Some(180))));
        assert!(validity.contains(&("domisili".into(), Some(180))));
        assert!(validity.contains(&("pengantar-skck".into(), Some(30))));
        assert!(validity.contains(&("kelahiran".into(), None)));
        assert!(validity.contains(&("kematian".into(), None)));
        for t in default_letter_types() {
            let expected_days = if t.slug == "pindah" { 2 } else { 1 };
            assert_eq!(t.standar.jangka_waktu_hari, expected_days, "{}", t.slug);
            assert_eq!(t.standar.biaya, "Gratis (tidak dipungut biaya)");
            assert_eq!(
                t.standar.pengaduan,
                "Sampaikan melalui menu Lapor masalah di Balai, atau langsung ke kantor desa."
            );
            assert!(t.standar.produk.starts_with(&t.name));
            assert!(t.standar.persyaratan.len() >= 3 && t.standar.prosedur.len() >= 4);
            assert_eq!(t.title, t.title.to_uppercase());
            assert!(t.title.starts_with("SURAT "));
            assert!(t.online);
        }
    }

    #[test]
    fn fill_and_list_placeholders() {
        let v = values(&[("nama", "Budi"), ("keperluan", "melamar {{nama}} kerja")]);
        assert_eq!(
            fill_placeholders("{{nama}} untuk {{ keperluan }}; {{nama}}.", &v),
            Ok("Budi untuk melamar {{nama}} kerja; Budi.".to_string())
        );
        assert_eq!(fill_placeholders("tanpa penanda { } }}", &v), Ok("tanpa penanda { } }}".to_string()));
        assert_eq!(fill_placeholders("", &v), Ok(String::new()));
        assert_eq!(
            fill_placeholders("{{nama}} {{desa}}", &v),
            Err(PlaceholderError::UnknownKey { key: "desa".into() })
        );
        assert_eq!(fill_placeholders("Ibu {{nama", &v), Err(PlaceholderError::Unclosed { at: 5 }));
        assert_eq!(fill_placeholders("é {{nama", &v), Err(PlaceholderError::Unclosed { at: 3 }));
        assert_eq!(fill_placeholders("{{Nama}}", &v), Err(PlaceholderError::BadKey { text: "Nama".into() }));
        assert_eq!(fill_placeholders("{{}}", &v), Err(PlaceholderError::BadKey { text: "".into() }));
        assert_eq!(fill_placeholders("{{{nama}}}", &v), Err(PlaceholderError::BadKey { text: "{nama".into() }));
        assert_eq!(placeholders("{{b}} {{a}} {{b}} {{ c }}"), ["b", "a", "c"]);
        assert_eq!(placeholders("{{b}} {{a"), Vec::<String>::new());
        let err = PlaceholderError::UnknownKey { key: "desa".into() };
        assert_eq!(err.to_string(), "unknown placeholder {{desa}}");
        assert_eq!(err.message_id(), "Penanda {{desa}} tidak dikenal.");
        assert_eq!(PlaceholderError::Unclosed { at: 5 }.to_string(), "'{{' at character 5 is never closed with '}}'");
    }

    #[test]
    fn validates_field_values() {
        let text = spec(FieldKind::Text, true);
        let long = spec(FieldKind::LongText, true);
        let date = spec(FieldKind::Date, true);
        let number = spec(FieldKind::Number, true);
        let options = spec(FieldKind::Choice(vec!["laki-laki".into(), "perempuan".into()]), true);
        let optional_text = spec(FieldKind::Text, false);
        let e200 = "é".repeat(200);
        let x2000 = "x".repeat(2000);
        let cases: Vec<(&FieldSpec, String, Result<&str, &str>)> = vec![
            (&text, "  Warung Berkah  ".into(), Ok("Warung Berkah")),
            (&text, "   ".into(), Err("Isian wajib diisi.")),
            (&optional_text, " ".into(), Ok("")),
            (&text, "a\tb".into(), Err("Isian harus ditulis dalam satu baris, tanpa tab atau karakter kontrol.")),
            (&text, "a\nb".into(), Err("Isian harus ditulis dalam satu baris, tanpa tab atau karakter kontrol.")),
            (&text, "é".repeat(200), Ok(e200.as_str())),
            (&text, "x".repeat(201), Err("Isian terlalu panjang; paling banyak 200 karakter.")),
            (
                &text,
                "abc\u{202E}def".into(),
                Err("Isian berisi karakter pengatur arah teks yang tidak terlihat; hapus karakter itu."),
            ),
            (&long, "baris satu\r\nbaris dua\rtiga\n".into(), Ok("baris satu\nbaris dua\ntiga")),
            (&long, "a\tb".into(), Err("Isian tidak boleh berisi tab atau karakter kontrol lain.")),
            (&long, "x".repeat(2000), Ok(x2000.as_str())),
            (&long, "x".repeat(2001), Err("Isian terlalu panjang; paling banyak 2.000 karakter.")),
            (&date, "2024-02-29".into(), Ok("2024-02-29")),
            (&date, " 2026-11-23 ".into(), Ok("2026-11-23")),
            (
                &date,
                "2026-02-29".into(),
                Err("Isian harus berupa tanggal yang benar dengan format TTTT-BB-HH, misalnya 2026-11-23."),
            ),
            (
                &date,
                "2026-1-5".into(),
                Err("Isian harus berupa tanggal yang benar dengan format TTTT-BB-HH, misalnya 2026-11-23."),
            ),
            (
                &date,
                "23-11-2026".into(),
                Err("Isian harus berupa tanggal yang benar dengan format TTTT-BB-HH, misalnya 2026-11-23."),
            ),
            (
                &date,
                "2026-13-01".into(),
                Err("Isian harus berupa tanggal yang benar dengan format TTTT-BB-HH, misalnya 2026-11-23."),
            ),
            (
                &date,
                "2026-+1-01".into(),
                Err("Isian harus berupa tanggal yang benar dengan format TTTT-BB-HH, misalnya 2026-11-23."),
            ),
            (&number, "007".into(), Ok("007")),
            (&number, "1.500".into(), Err("Isian hanya boleh berisi angka, tanpa titik, koma atau spasi.")),
            (&number, "-3".into(), Err("Isian hanya boleh berisi angka, tanpa titik, koma atau spasi.")),
            (&number, "١٢".into(), Err("Isian hanya boleh berisi angka, tanpa titik, koma atau spasi.")),
            (&number, "1".repeat(21), Err("Isian terlalu panjang; paling banyak 20 angka.")),
            (&options, "Perempuan".into(), Ok("perempuan")),
            (&options, "pria".into(), Err("Isian harus salah satu dari: laki-laki, perempuan.")),
        ];
        for (spec, input, expected) in cases {
            let got = validate_field_value(spec, &input);
            assert_eq!(got.as_deref().map_err(String::as_str), expected, "{input:?}");
        }
    }

    #[test]
    fn dates_read_in_indonesian() {
        let date = spec(FieldKind::Date, true);
        assert_eq!(display_value(&date, "2026-11-23"), "23 November 2026");
        assert_eq!(display_value(&date, "bukan tanggal"), "bukan tanggal");
        assert_eq!(display_value(&spec(FieldKind::Text, true), "2026-11-23"), "2026-11-23");
    }

    fn any_kind() -> impl Strategy<Value = FieldKind> {
        prop_oneof![
            Just(FieldKind::Text),
            Just(FieldKind::LongText),
            Just(FieldKind::Date),
            Just(FieldKind::Number),
            proptest::collection::vec(any::<String>(), 0..4).prop_map(FieldKind::Choice),
        ]
    }

    proptest! {
        #[test]
        fn templates_never_panic(s in any::<String>(), soup in "[{} a-z_é]{0,30}") {
            let v = values(&[("nama", "{{nama}}")]);
            for t in [s.as_str(), soup.as_str()] {
                let _ = placeholders(t);
                if let Ok(filled) = fill_placeholders(t, &v) {
                    prop_assert!(placeholders(t).iter().all(|k| k == "nama"));
                    prop_assert!(filled.len() >= t.len().saturating_sub(4 * placeholders(t).len()));
                }
            }
        }

        #[test]
        fn validation_never_panics(kind in any_kind(), required in any::<bool>(), value in any::<String>()) {
            let f = spec(kind, required);
            if let Ok(v) = validate_field_value(&f, &value) {
                // What passes once passes again unchanged.
                prop_assert_eq!(validate_field_value(&f, &v), Ok(v.clone()));
                let _ = display_value(&f, &v);
            }
        }
    }

    #[test]
    fn problems_are_found() {
        let mut t = by_slug("usaha");
        t.slug = "Usaha Saya".into();
        t.title = "Surat Keterangan Usaha".into();
        t.klasifikasi = "400..2".into();
        t.fields.push(optional(field("catatan", "Catatan", "", FieldKind::Text)));
        t.fields.push(field("nama", "Nama", "", FieldKind::Text));
        t.fields.push(field("nama_usaha", "Nama usaha lagi", "", FieldKind::Text));
        t.fields.push(field("pilihan", "Pilihan", "", FieldKind::Choice(vec![])));
        t.body.push("{{catatan}} {{tidak_ada}}".into());
        t.body.push("{{rusak".into());
        t.validity_days = Some(0);
        t.standar.jangka_waktu_hari = 0;
        let problems = t.problems();
        let expect = [
            "Kode jenis surat \"Usaha Saya\" tidak sah",
            "harus ditulis dengan huruf kapital",
            "Kode klasifikasi \"400..2\" tidak sah",
            "\"nama\" sudah dipakai untuk data yang diisi otomatis",
            "\"nama_usaha\" dipakai lebih dari sekali",
            "Pilihan untuk isian \"pilihan\" tidak boleh kosong",
            "memakai {{catatan}}, padahal isian itu tidak wajib",
            "memakai {{tidak_ada}}, padahal tidak ada isian itu",
            "Paragraf 4: Tanda {{ pada karakter ke-1",
            "Masa berlaku surat harus minimal 1 hari",
            "Jangka waktu layanan harus minimal 1 hari kerja",
        ];
        for e in expect {
            assert!(problems.iter().any(|p| p.contains(e)), "missing {e:?} in {problems:#?}");
        }
        assert_eq!(problems.len(), expect.len(), "{problems:#?}");
        let twice = vec![by_slug("sktm"), by_slug("sktm")];
        assert_eq!(catalogue_problems(&twice), ["Kode jenis surat \"sktm\" dipakai lebih dari sekali."]);
    }
}
