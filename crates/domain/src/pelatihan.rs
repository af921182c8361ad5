//! The capability programme for village aparatur (seed 004): its training modules, the positions
//! of the aparatur it trains, and the outputs each village should have in place. Attendance
//! counts toward the goal of at least 80 % of a village's aparatur trained
//! ([`crate::stope::TRAINING_GOAL_PERCENT`]) and feeds STOPE's People indicators.

/// One of the programme's activities (seed 004, "Bentuk Kegiatan").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Module {
    pub code: &'static str,
    pub label: &'static str,
    pub summary: &'static str,
}

pub const MODULES: [Module; 5] = [
    Module {
        code: "kapabilitas",
        label: "Pelatihan Kapabilitas Pelayanan Publik",
        summary: "Standar pelayanan publik, etika pelayanan dan komunikasi efektif.",
    },
    Module {
        code: "ppid",
        label: "Pendampingan Teknis PPID Desa",
        summary: "Penyusunan SOP layanan, Daftar Informasi Publik dan pengelolaan informasi.",
    },
    Module {
        code: "digital",
        label: "Workshop Digitalisasi Layanan Desa",
        summary: "Layanan daring, e-PPID dan dokumentasi digital.",
    },
    Module {
        code: "klinik",
        label: "Klinik Konsultasi Layanan Publik",
        summary: "Pendampingan langsung menangani kasus dan keluhan pelayanan.",
    },
    Module {
        code: "monev",
        label: "Monitoring dan Evaluasi Pelayanan Publik",
        summary: "Penilaian kinerja pelayanan dan rekomendasi perbaikan.",
    },
];

pub fn module(code: &str) -> Option<&'static Module> {
    MODULES.iter().find(|m| m.code == code)
}

/// Who the programme trains (seed 004, "Sasaran"), as a village lists its aparatur.
pub const POSITIONS: [&str; 8] = [
    "Kepala Desa",
    "Sekretaris Desa",
    "Kepala Seksi",
    "Kepala Urusan",
    "Kepala Dusun",
    "Staf/Operator",
    "PPID Desa",
    "Lembaga kemasyarakatan",
];

/// An output a village should have (seed 004, "Output Kegiatan" and "Indikator Keberhasilan").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Output {
    pub code: &'static str,
    pub label: &'static str,
}

pub const OUTPUTS: [Output; 4] = [
    Output { code: "sop", label: "SOP layanan publik desa" },
    Output { code: "dip", label: "Daftar Informasi Publik (DIP)" },
    Output { code: "portal", label: "Portal informasi desa" },
    Output { code: "laporan", label: "Laporan pendampingan dan evaluasi" },
];

pub fn output(code: &str) -> Option<&'static Output> {
    OUTPUTS.iter().find(|o| o.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_found() {
        for m in &MODULES {
            assert_eq!(module(m.code), Some(m));
        }
        for o in &OUTPUTS {
            assert_eq!(output(o.code), Some(o));
        }
        assert_eq!(module("lain"), None);
        assert_eq!(output("lain"), None);
    }
}
