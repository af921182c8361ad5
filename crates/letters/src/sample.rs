//! Fixed, made-up documents: for previewing a template, for tests and for benchmarks.

use balai_domain::dokumen::{Kit, KitPanel, KitService, Notice};
use balai_domain::surat::document::{Kop, LetterDocument, Paper, Signer};

/// A Surat Keterangan Tidak Mampu from Desa Sukamulya for a fictitious resident, on `paper`.
/// Always the same content, so its rendering can be compared byte for byte.
pub fn sample_document(paper: Paper) -> LetterDocument {
    let rows = [
        ("Nama", "SITI AMINAH"),
        ("NIK", "3207065708850003"),
        ("Tempat/Tgl. Lahir", "Ciamis, 17 Agustus 1985"),
        ("Jenis Kelamin", "Perempuan"),
        ("Agama", "Islam"),
        ("Status Perkawinan", "Kawin"),
        ("Pekerjaan", "Mengurus Rumah Tangga"),
        ("Alamat", "Dusun Cikupa RT 002 RW 005, Desa Sukamulya, Kecamatan Cihaurbeuti, Kabupaten Ciamis"),
    ];
    LetterDocument {
        paper,
        kop: sample_kop(),
        title: "SURAT KETERANGAN TIDAK MAMPU".to_owned(),
        number: "400.9.14/012/2001/XI/2026".to_owned(),
        opening: "Yang bertanda tangan di bawah ini, Kepala Desa Sukamulya, Kecamatan Cihaurbeuti, \
                  Kabupaten Ciamis, menerangkan dengan sebenarnya bahwa:"
            .to_owned(),
        rows: rows.iter().map(|(label, value)| ((*label).to_owned(), (*value).to_owned())).collect(),
        body: vec![
            "Orang tersebut di atas adalah benar warga Desa Sukamulya yang bertempat tinggal di alamat \
             tersebut. Berdasarkan keterangan Ketua RT 002 RW 005 dan pengetahuan kami, keluarga yang \
             bersangkutan tergolong keluarga tidak mampu."
                .to_owned(),
            "Surat keterangan ini diberikan untuk melengkapi permohonan keringanan biaya pendidikan anak \
             yang bersangkutan di SMA Negeri 1 Cihaurbeuti."
                .to_owned(),
            "Surat keterangan ini berlaku selama 3 (tiga) bulan sejak tanggal dikeluarkan.".to_owned(),
        ],
        closing: "Demikian surat keterangan ini dibuat untuk dapat dipergunakan sebagaimana mestinya.".to_owned(),
        place_date: "Sukamulya, 23 November 2026".to_owned(),
        signer: Signer {
            title_lines: vec!["a.n. Kepala Desa Sukamulya".to_owned(), "Sekretaris Desa".to_owned()],
            name: "RINA MARLINA, S.E.".to_owned(),
            nip: "198203152009012004".to_owned(),
        },
        verification_url: "https://balai.example.id/v/Q7m2Xk9pLr4TzW8bNc3HdA?s=\
                           hV3k9Qm2Lx8RtZ4wPb7nCy1dFg6sJa0eUo5iKv3MqT8rYz2NwXc4BpLh7GjD9fSa1eQk6mVt0uWo5yRi3nHb2g"
            .to_owned(),
        verification_note: "Pindai kode QR untuk memeriksa keaslian surat ini.".to_owned(),
    }
}

fn sample_kop() -> Kop {
    Kop {
        government: "PEMERINTAH KABUPATEN CIAMIS".to_owned(),
        kecamatan: "KECAMATAN CIHAURBEUTI".to_owned(),
        office: "DESA SUKAMULYA".to_owned(),
        address: "Jl. Raya Sukamulya No. 1, Cihaurbeuti, Ciamis 46262".to_owned(),
        logo_svg: None,
    }
}

/// A written notice (pemberitahuan tertulis) answering a made-up information request.
pub fn sample_notice(paper: Paper) -> Notice {
    let rows = [
        ("Nomor pendaftaran", "001/PPID/2001/XII/2026"),
        ("Nama pemohon", "BUDI SANTOSO"),
        ("Informasi yang diminta", "Salinan APBDes Sukamulya Tahun Anggaran 2026 beserta rinciannya"),
        ("Tujuan penggunaan", "Bahan diskusi kelompok tani tentang dana desa"),
        ("Keputusan", "Permohonan dikabulkan seluruhnya"),
        ("Bentuk informasi", "Salinan elektronik (softcopy)"),
        ("Biaya", "Rp0 (tanpa biaya)"),
    ];
    Notice {
        paper,
        kop: sample_kop(),
        title: "PEMBERITAHUAN TERTULIS".to_owned(),
        number: "001/PPID/2001/XII/2026".to_owned(),
        to: vec!["Kepada Yth.".to_owned(), "Sdr. BUDI SANTOSO".to_owned(), "di tempat".to_owned()],
        opening: vec![
            "Berdasarkan permohonan informasi publik yang Saudara ajukan, bersama ini kami sampaikan:".to_owned(),
        ],
        rows: rows.iter().map(|(label, value)| ((*label).to_owned(), (*value).to_owned())).collect(),
        body: vec![
            "Informasi akan disampaikan melalui surel paling lambat 7 Desember 2026. Apabila Saudara tidak \
             puas atas keputusan ini, Saudara dapat mengajukan keberatan kepada atasan PPID dalam waktu \
             30 (tiga puluh) hari kerja sejak pemberitahuan ini diterima."
                .to_owned(),
        ],
        place_date: "Sukamulya, 4 Desember 2026".to_owned(),
        signer: Signer {
            title_lines: vec!["Pejabat Pengelola Informasi dan Dokumentasi".to_owned(), "Desa Sukamulya".to_owned()],
            name: "DEDI KURNIAWAN".to_owned(),
            nip: String::new(),
        },
        qr_url: "https://balai.example.id/ppid/lacak/PPID-7Q2M-X9KL".to_owned(),
        qr_note: "Pindai kode QR untuk melihat perkembangan permohonan ini.".to_owned(),
    }
}

/// The socialization kit of Desa Sukamulya: three services and two panels.
pub fn sample_kit() -> Kit {
    let service = |title: &str, text: &str, url: &str| KitService {
        title: title.to_owned(),
        text: text.to_owned(),
        url: url.to_owned(),
    };
    Kit {
        kop: sample_kop(),
        headline: "Layanan Desa dari Rumah".to_owned(),
        tagline: "Urus surat, sampaikan pengaduan dan minta informasi tanpa datang ke kantor desa.".to_owned(),
        services: vec![
            service(
                "Ajukan surat",
                "Surat keterangan domisili, usaha, tidak mampu dan lainnya. Siapkan NIK dan nomor KK.",
                "https://balai.example.id/desa/32.07.06.2001/surat",
            ),
            service(
                "Sampaikan pengaduan",
                "Jalan rusak, lampu mati, pelayanan lambat: laporkan, dapatkan kode lacak.",
                "https://balai.example.id/lapor?desa=32.07.06.2001",
            ),
            service(
                "Portal informasi desa",
                "Berita, APBDes, standar pelayanan dan Daftar Informasi Publik.",
                "https://balai.example.id/desa/32.07.06.2001",
            ),
        ],
        panels: vec![
            KitPanel {
                heading: "Cara memakai".to_owned(),
                paragraphs: vec!["Pindai kode QR dengan kamera ponsel, lalu ikuti langkahnya.".to_owned()],
                bullets: vec![
                    "Simpan kode lacak yang Anda terima.".to_owned(),
                    "Pesan dikirim lewat surel atau WhatsApp.".to_owned(),
                ],
            },
            KitPanel {
                heading: "Perlu bantuan?".to_owned(),
                paragraphs: vec!["Kader digital desa siap membantu warga lansia mengajukan layanan.".to_owned()],
                bullets: vec![],
            },
        ],
        contact: vec![
            "Jl. Raya Sukamulya No. 1, Cihaurbeuti, Ciamis 46262".to_owned(),
            "Senin–Jumat 08.00–15.00 WIB".to_owned(),
            "desa.sukamulya@example.id".to_owned(),
        ],
    }
}
