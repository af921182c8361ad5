//! The village's services other than letters, each with its published standar pelayanan
//! (domain.md §7): the complaint channel and information requests. Their jangka waktu is not a
//! village's to choose: the reports' first answer follows the verification clock (3 working
//! days) and the category's deadline; information requests UU 14/2008's 10 working days. The
//! other five components are the village's words, starting from the defaults here.

use crate::calendar::Clock;
use crate::surat::catalogue::StandarPelayanan;

/// A service with a standar pelayanan outside the letter catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PublicService {
    Pengaduan,
    Informasi,
}

impl PublicService {
    pub const ALL: [PublicService; 2] = [PublicService::Pengaduan, PublicService::Informasi];

    pub fn as_str(&self) -> &'static str {
        match self {
            PublicService::Pengaduan => "pengaduan",
            PublicService::Informasi => "informasi",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            PublicService::Pengaduan => "Pengaduan dan aspirasi",
            PublicService::Informasi => "Permohonan informasi publik",
        }
    }

    /// Working days set by rule, not by the village: the complaint's verification, the
    /// information request's answer (UU 14/2008 Ps 22(7)).
    pub fn jangka_waktu_hari(&self) -> u32 {
        match self {
            PublicService::Pengaduan => Clock::VerifikasiLaporan.working_days(),
            PublicService::Informasi => Clock::JawabanPermintaanInformasi.working_days(),
        }
    }

    /// What the jangka waktu means, in words.
    pub fn jangka_waktu_text(&self) -> String {
        match self {
            PublicService::Pengaduan => format!(
                "Diverifikasi paling lambat {} hari kerja, lalu ditanggapi dan diselesaikan oleh desa atau perangkat \
                 daerah yang berwenang dalam batas waktu menurut kategorinya.",
                self.jangka_waktu_hari()
            ),
            PublicService::Informasi => format!(
                "Jawaban tertulis paling lambat {} hari kerja; dapat diperpanjang satu kali {} hari kerja dengan \
                 alasan tertulis (UU 14/2008 Pasal 22).",
                self.jangka_waktu_hari(),
                Clock::PerpanjanganInformasi.working_days()
            ),
        }
    }

    /// The standar a village starts from.
    pub fn default_standar(&self) -> StandarPelayanan {
        let v = |items: &[&str]| items.iter().map(|s| s.to_string()).collect();
        match self {
            PublicService::Pengaduan => StandarPelayanan {
                persyaratan: v(&["Uraian kejadian atau usulan: apa, di mana, sejak kapan", "Foto atau dokumen pendukung bila ada (tidak wajib)", "Kontak bila ingin dikabari (tidak wajib; boleh anonim)"]),
                prosedur: v(&["Isi formulir laporan di portal, lewat SMS/WhatsApp, atau di kantor desa", "Catat kode pelacakan yang diberikan", "Koordinator memverifikasi dan meneruskan kepada yang berwenang", "Pantau tanggapan dengan kode pelacakan, lalu beri penilaian"]),
                jangka_waktu_hari: self.jangka_waktu_hari(),
                biaya: "Tanpa biaya".into(),
                produk: "Tanggapan dan tindak lanjut atas laporan".into(),
                pengaduan: "Bila tanggapan tidak memuaskan, pelapor dapat menanggapi balik dari halaman pelacakan; laporan yang terlambat dieskalasi kepada koordinator kabupaten.".into(),
            },
            PublicService::Informasi => StandarPelayanan {
                persyaratan: v(&["Identitas pemohon: nama, NIK dan alamat", "Rincian informasi yang diminta dan tujuan penggunaannya"]),
                prosedur: v(&["Ajukan permohonan di portal PPID desa atau di kantor desa", "Terima nomor pendaftaran dan kode pelacakan", "PPID desa memberi pemberitahuan tertulis", "Informasi diserahkan sesuai cara yang dipilih"]),
                jangka_waktu_hari: self.jangka_waktu_hari(),
                biaya: "Tanpa biaya; biaya penggandaan salinan bila ada, sesuai ketentuan".into(),
                produk: "Informasi publik yang diminta, atau pemberitahuan tertulis penolakan dengan alasannya".into(),
                pengaduan: "Keberatan kepada atasan PPID (kepala desa) dalam 30 hari kerja; bila tidak puas, sengketa kepada Komisi Informasi dalam 14 hari kerja.".into(),
            },
        }
    }
}

impl std::str::FromStr for PublicService {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PublicService::ALL.into_iter().find(|c| c.as_str() == s.trim()).ok_or_else(|| format!("unknown service {s:?}"))
    }
}

/// The village's wording of a service's standar, as typed (lists one item per line).
#[derive(Debug, Clone, Default)]
pub struct StandarInput {
    pub persyaratan: String,
    pub prosedur: String,
    pub biaya: String,
    pub produk: String,
    pub pengaduan: String,
}

/// Longest text of one component, in characters.
pub const MAX_COMPONENT_CHARS: usize = 2_000;

/// Checks a standar as typed: every component filled, none too long. The jangka waktu is the
/// service's own. Errors are `(field, message)`.
pub fn check_standar(
    service: PublicService,
    input: &StandarInput,
) -> Result<StandarPelayanan, Vec<(&'static str, String)>> {
    let lines =
        |t: &str| -> Vec<String> { t.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect() };
    let one_line = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut errors = Vec::new();
    let fields = [
        ("persyaratan", "Persyaratan", &input.persyaratan),
        ("prosedur", "Prosedur", &input.prosedur),
        ("biaya", "Biaya/tarif", &input.biaya),
        ("produk", "Produk pelayanan", &input.produk),
        ("pengaduan", "Penanganan pengaduan", &input.pengaduan),
    ];
    for (field, label, value) in fields {
        if value.trim().is_empty() {
            errors.push((field, format!("{label} wajib diisi: standar pelayanan memuat keenam komponen.")));
        } else if value.chars().count() > MAX_COMPONENT_CHARS {
            errors.push((field, format!("{label} paling panjang {MAX_COMPONENT_CHARS} karakter.")));
        } else if value.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
            errors.push((field, format!("{label} berisi karakter yang tidak diizinkan.")));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(StandarPelayanan {
        persyaratan: lines(&input.persyaratan),
        prosedur: lines(&input.prosedur),
        jangka_waktu_hari: service.jangka_waktu_hari(),
        biaya: one_line(&input.biaya),
        produk: one_line(&input.produk),
        pengaduan: one_line(&input.pengaduan),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clocks_are_the_rules_not_the_villages() {
        assert_eq!(PublicService::Informasi.jangka_waktu_hari(), 10);
        assert_eq!(PublicService::Pengaduan.jangka_waktu_hari(), 3);
        for s in PublicService::ALL {
            assert_eq!(s.default_standar().jangka_waktu_hari, s.jangka_waktu_hari());
            assert_eq!(s.as_str().parse::<PublicService>(), Ok(s));
        }
        assert!(PublicService::Informasi.jangka_waktu_text().contains("7 hari kerja"));
    }

    #[test]
    fn a_standar_needs_all_its_components() {
        let input = StandarInput {
            persyaratan: "KTP\n\n  Surat pengantar RT  \n".into(),
            prosedur: "Datang\nDilayani".into(),
            biaya: "  Gratis ".into(),
            produk: "Tanggapan".into(),
            pengaduan: "Ke kepala desa".into(),
        };
        let s = check_standar(PublicService::Pengaduan, &input).expect("ok");
        assert_eq!(s.persyaratan, ["KTP", "Surat pengantar RT"]);
        assert_eq!((s.biaya.as_str(), s.jangka_waktu_hari), ("Gratis", 3));
        let errors = check_standar(PublicService::Informasi, &StandarInput { biaya: "x".repeat(2001), ..input })
            .expect_err("refused");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].0, "biaya");
        let errors = check_standar(PublicService::Informasi, &StandarInput::default()).expect_err("refused");
        assert_eq!(errors.len(), 5);
    }
}
