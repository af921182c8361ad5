//! A fixed, made-up letter: for previewing a template, for tests and for benchmarks.

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
        kop: Kop {
            government: "PEMERINTAH KABUPATEN CIAMIS".to_owned(),
            kecamatan: "KECAMATAN CIHAURBEUTI".to_owned(),
            office: "DESA SUKAMULYA".to_owned(),
            address: "Jl. Raya Sukamulya No. 1, Cihaurbeuti, Ciamis 46262".to_owned(),
            logo_svg: None,
        },
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
