//! The demo installation: Kabupaten Ciamis with three of its kecamatan, a few of its real villages
//! (Kemendagri codes), four OPD, a few report categories and one staff account per role. Seeding
//! is idempotent: a second run adds nothing and prints no passwords.

use crate::{Actor, App, AppResult, NewOfficeInput, NewStaffInput, VillageProfileInput};

/// The region this demo serves.
pub const DEMO_REGION: &str = "32.07";

const DEMO_REGIONS_CSV: &str = "code,name,level,parent_code
32,Jawa Barat,provinsi,
32.07,Kabupaten Ciamis,kabupaten,32
32.07.01,Ciamis,kecamatan,32.07
32.07.01.1001,Ciamis,kelurahan,32.07.01
32.07.01.1002,Kertasari,kelurahan,32.07.01
32.07.01.1003,Maleber,kelurahan,32.07.01
32.07.01.2008,Pawindan,desa,32.07.01
32.07.01.2010,Imbanagara,desa,32.07.01
32.07.02,Cikoneng,kecamatan,32.07
32.07.02.2001,Cikoneng,desa,32.07.02
32.07.02.2002,Margaluyu,desa,32.07.02
32.07.02.2003,Sindangsari,desa,32.07.02
32.07.06,Cihaurbeuti,kecamatan,32.07
32.07.06.2001,Sukamulya,desa,32.07.06
32.07.06.2002,Sukahurip,desa,32.07.06
32.07.06.2003,Cijulang,desa,32.07.06
32.07.06.2007,Cihaurbeuti,desa,32.07.06
";

const DEMO_OFFICES: &[(&str, &str)] = &[
    ("dinas-pupr", "Dinas Pekerjaan Umum dan Penataan Ruang"),
    ("dinkes", "Dinas Kesehatan"),
    ("disdukcapil", "Dinas Kependudukan dan Pencatatan Sipil"),
    ("diskominfo", "Dinas Komunikasi dan Informatika"),
];

/// A few of the SP4N-LAPOR! categories (the full list is imported with `balai kategori import`),
/// with the tier that sets how long an office has to complete a complaint (our demo choice).
const DEMO_CATEGORIES: &[(&str, &str, &str)] = &[
    ("pekerjaan-umum-dan-penataan-ruang", "Pekerjaan Umum dan Penataan Ruang", "tidak_berkadar_pengawasan"),
    ("kependudukan", "Kependudukan", "normatif"),
    ("kesehatan", "Kesehatan", "normatif"),
    ("sosial-dan-kesejahteraan", "Sosial dan Kesejahteraan", "tidak_berkadar_pengawasan"),
    (
        "pembangunan-desa-daerah-tertinggal-transmigrasi",
        "Pembangunan Desa, Daerah Tertinggal, dan Transmigrasi",
        "tidak_berkadar_pengawasan",
    ),
    ("lingkungan-hidup-dan-kehutanan", "Lingkungan Hidup dan Kehutanan", "tidak_berkadar_pengawasan"),
];

/// (username, full name, role, scope)
const DEMO_STAFF: &[(&str, &str, &str, &str)] = &[
    ("admin.ciamis", "Admin Diskominfo (demo)", "admin_kabupaten", "32.07"),
    ("evaluator.ciamis", "Evaluator Kabupaten (demo)", "evaluator", "32.07"),
    ("camat.cihaurbeuti", "Admin Kecamatan Cihaurbeuti (demo)", "admin_kecamatan", "32.07.06"),
    ("operator.sukamulya", "Operator Desa Sukamulya (demo)", "operator_desa", "32.07.06.2001"),
    ("kades.sukamulya", "Dadang Sukmana (demo)", "kepala_desa", "32.07.06.2001"),
    ("ppid.sukamulya", "PPID Desa Sukamulya (demo)", "ppid_desa", "32.07.06.2001"),
    ("pendamping.sukamulya", "Kader Digital Desa Sukamulya (demo)", "pendamping", "32.07.06.2001"),
    ("operator.cikoneng", "Operator Desa Cikoneng (demo)", "operator_desa", "32.07.02.2001"),
    ("pupr.ciamis", "Admin Penghubung Dinas PUPR (demo)", "penghubung_opd", "dinas-pupr"),
];

/// Fictional residents of Desa Sukamulya (made-up names and numbers in the NIK format).
const DEMO_PENDUDUK_CSV: &str = "nik,no_kk,nama,tempat_lahir,tanggal_lahir,jenis_kelamin,agama,status_kawin,pekerjaan,alamat,rt,rw
3207061205900001,3207060101200001,Asep Saepudin,Ciamis,1990-05-12,L,Islam,Kawin,Petani,Dusun Sukamulya,001,002
3207065208950002,3207060101200001,Euis Nurhayati,Ciamis,1995-08-12,P,Islam,Kawin,Mengurus Rumah Tangga,Dusun Sukamulya,001,002
3207060703850003,3207060202150002,Dadang Suhendar,Tasikmalaya,1985-03-07,L,Islam,Belum Kawin,Wiraswasta,Dusun Cibodas,003,001
3207065704480004,3207060303150003,Onah Rohanah,Ciamis,1948-04-17,P,Islam,Cerai Mati,Tidak Bekerja,Dusun Cibodas,003,001
";

/// Desa Sukamulya's Daftar Informasi Publik: one item of each class (the village's own
/// documents, described as a village PPID would).
fn demo_dip() -> Vec<balai_domain::ppid::DipInput> {
    let item = |class: &str, title: &str, summary: &str, made: &str, form: &str, retention: &str| {
        balai_domain::ppid::DipInput {
            class: class.into(),
            title: title.into(),
            summary: summary.into(),
            holder: "Sekretaris Desa Sukamulya".into(),
            responsible: "Kepala Desa Sukamulya".into(),
            made_when_where: made.into(),
            form: form.into(),
            retention: retention.into(),
            consequence_test: String::new(),
            exemption: String::new(),
        }
    };
    let mut exempt = item(
        "dikecualikan",
        "Data pribadi penerima bantuan sosial (NIK, KK dan alamat)",
        "Daftar nama beserta NIK, nomor KK dan alamat lengkap keluarga penerima BLT Dana Desa.",
        "2026, Kantor Desa Sukamulya",
        "keduanya",
        "5 tahun",
    );
    exempt.exemption = "ps17h".into();
    exempt.consequence_test = "Membuka NIK, nomor KK dan alamat lengkap penerima bantuan mengungkap rahasia pribadi \
        (Pasal 17 huruf h) dan dapat disalahgunakan untuk penipuan. Kepentingan publik sudah terpenuhi oleh jumlah \
        penerima dan besaran bantuan per dusun, yang diumumkan sebagai informasi berkala."
        .into();
    vec![
        item(
            "berkala",
            "APBDes Sukamulya Tahun Anggaran 2026",
            "Anggaran pendapatan dan belanja desa beserta rinciannya per bidang kegiatan.",
            "Januari 2026, Kantor Desa Sukamulya",
            "keduanya",
            "10 tahun",
        ),
        item(
            "serta_merta",
            "Peringatan dini banjir dan jalur evakuasi Dusun Cibodas",
            "Peta jalur evakuasi dan titik kumpul saat Sungai Citanduy meluap.",
            "November 2026, Posko Siaga Bencana Desa",
            "softcopy",
            "Selama berlaku",
        ),
        item(
            "setiap_saat",
            "Peraturan Desa Sukamulya Nomor 3 Tahun 2025 tentang Pungutan Desa",
            "Naskah peraturan desa beserta berita acara musyawarah desa.",
            "Agustus 2025, Balai Desa Sukamulya",
            "keduanya",
            "Permanen",
        ),
        exempt,
    ]
}

/// A demo account created by this run, with its one-time password.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub username: String,
    pub password: String,
    pub role: String,
    pub scope: String,
}

/// Seeds the demo data; returns the accounts created now (empty when they already existed).
pub async fn seed_demo(app: &App) -> AppResult<Vec<DemoAccount>> {
    let system = Actor::System;
    app.import_regions(&system, &[("demo-wilayah.csv".into(), DEMO_REGIONS_CSV.as_bytes().to_vec())]).await?;
    let existing = app.offices().await?;
    for (slug, name) in DEMO_OFFICES {
        if !existing.iter().any(|o| o.slug == *slug) {
            let input = NewOfficeInput {
                name: name.to_string(),
                slug: slug.to_string(),
                regency: DEMO_REGION.into(),
                address: "Jl. Jenderal Sudirman, Ciamis".into(),
                email: format!("{slug}@ciamis.example.org"),
                ..Default::default()
            };
            app.create_office(&system, input).await?;
        }
    }
    if app.village_view("32.07.06.2001").await?.profile.updated_at.is_none() {
        let profile = VillageProfileInput {
            address: "Jl. Raya Sukamulya, Kec. Cihaurbeuti, Kab. Ciamis 46262".into(),
            phone: "0265 000000".into(),
            email: "desa.sukamulya@example.org".into(),
            head_name: "Dadang Sukmana (demo)".into(),
            maklumat: balai_domain::surat::catalogue::maklumat_baku().into(),
        };
        app.update_village_profile(&system, "32.07.06.2001", profile).await?;
    }
    if app.store().count_penduduk("32.07.06.2001").await? == 0 {
        app.import_penduduk(&system, "32.07.06.2001", "demo-penduduk.csv", DEMO_PENDUDUK_CSV.as_bytes()).await?;
    }
    if app.report_categories().await?.is_empty() {
        for (slug, name, tier) in DEMO_CATEGORIES {
            app.save_report_category(&system, slug, name, tier, true).await?;
        }
    }
    if app.store().dip_items("32.07.06.2001").await?.is_empty() {
        for input in demo_dip() {
            app.save_dip_item(&system, "32.07.06.2001", None, &input).await?;
        }
    }
    if app.store().news_posts("32.07.06.2001", 1).await?.is_empty() {
        let input = balai_domain::berita::PostInput {
            kind: "pengumuman".into(),
            title: "Surat keterangan kini dapat diajukan dari rumah".into(),
            body: "Warga Desa Sukamulya dapat mengajukan **surat keterangan dan surat pengantar** secara daring: \
                   daftar akun warga dengan NIK, pilih jenis surat, unggah persyaratannya, lalu pantau \
                   prosesnya sampai surat ditandatangani kepala desa.\n\n\
                   - Pengaduan dan aspirasi: [Kirim laporan](/lapor?desa=32.07.06.2001)\n\
                   - Informasi publik desa: [Daftar Informasi Publik](/desa/32.07.06.2001/ppid)\n\n\
                   Warga yang memerlukan bantuan dapat menghubungi kader digital (pendamping) atau kantor desa."
                .into(),
            photo_caption: String::new(),
        };
        app.publish_post(&system, "32.07.06.2001", &input, None, false).await?;
    }
    seed_capability(app, &system).await?;
    let mut created = Vec::new();
    for (username, full_name, role, scope) in DEMO_STAFF {
        if app.store().user_by_username(username).await?.is_some() {
            continue;
        }
        let input = NewStaffInput {
            username: username.to_string(),
            full_name: full_name.to_string(),
            grants: vec![(role.to_string(), scope.to_string())],
            ..Default::default()
        };
        let user = app.create_staff(&system, input).await?;
        created.push(DemoAccount {
            username: user.username,
            password: user.generated_password.unwrap_or_default(),
            role: role.to_string(),
            scope: scope.to_string(),
        });
    }
    Ok(created)
}

/// Desa Sukamulya's aparatur (made-up names), of whom the first four attended a workshop a
/// month ago: half the list, so STOPE's People proposal has room to move.
const DEMO_APARATUR: [(&str, &str); 8] = [
    ("Dadang Sukmana", "Kepala Desa"),
    ("Rina Marlina", "Sekretaris Desa"),
    ("Ujang Hidayat", "Staf/Operator"),
    ("Neng Siti Aisyah", "PPID Desa"),
    ("Cecep Supriatna", "Kepala Seksi"),
    ("Yuyun Yuningsih", "Kepala Urusan"),
    ("Agus Salim", "Kepala Dusun"),
    ("Lilis Suryani", "Lembaga kemasyarakatan"),
];

async fn seed_capability(app: &App, system: &Actor) -> AppResult<()> {
    const VILLAGE: &str = "32.07.06.2001";
    if !app.store().aparatur_of(VILLAGE).await?.is_empty() {
        return Ok(());
    }
    let mut ids = Vec::new();
    for (name, position) in DEMO_APARATUR {
        ids.push(app.add_aparatur(system, VILLAGE, name, position).await?);
    }
    let input = crate::training::SessionInput {
        module: "digital".into(),
        title: "Workshop layanan surat daring untuk aparatur Kecamatan Cihaurbeuti".into(),
        held_on: (app.today() - chrono::Duration::days(30)).to_string(),
        place: "Aula Kecamatan Cihaurbeuti".into(),
    };
    let session = app.create_training_session(system, DEMO_REGION, &input).await?;
    let present: Vec<String> = ids.iter().take(4).map(i64::to_string).collect();
    app.record_attendance(system, session, VILLAGE, &present).await?;
    let dip_on = (app.today() - chrono::Duration::days(20)).to_string();
    app.set_village_output(system, VILLAGE, "dip", Some((&dip_on, "Ditetapkan kepala desa, tampil di portal PPID.")))
        .await?;
    Ok(())
}
