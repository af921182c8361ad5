//! The socialization kit of a village (seed 000: "banner dan brosur"): an A4 poster and a
//! tri-fold brochure whose QR codes open its letter service, its report form and its portal.

use balai_domain::dokumen::{Kit, KitPanel, KitService};

use crate::{App, AppResult};

/// Which printed form of the kit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KitFormat {
    Poster,
    Brochure,
}

impl App {
    /// The kit's content for a village, with absolute URLs from the configured public address.
    pub async fn village_kit(&self, village: &str) -> AppResult<Kit> {
        let (region, _) = self.village_region(village).await?;
        let head = self.village_head(&region.code).await?;
        let view = self.village_view(region.code.as_str()).await?;
        let base = self.config.public_url.trim_end_matches('/');
        let code = region.code.as_str();
        let name = format!("{} {}", head.level_label, head.village_name);
        let service = |title: &str, text: String, url: String| KitService { title: title.into(), text, url };
        let mut contact = vec![view.profile.address.clone()];
        contact.extend([view.profile.phone.clone(), view.profile.email.clone()].into_iter().filter(|c| !c.is_empty()));
        Ok(Kit {
            kop: head.kop(),
            headline: format!("Layanan {name} dari Rumah"),
            tagline: "Urus surat, sampaikan pengaduan dan minta informasi tanpa datang ke kantor desa.".into(),
            services: vec![
                service(
                    "Ajukan surat",
                    "Surat keterangan dari desa: daftar dengan NIK, ajukan, lalu unduh suratnya.".into(),
                    format!("{base}/warga/ajukan"),
                ),
                service(
                    "Sampaikan pengaduan",
                    "Jalan rusak, lampu mati, pelayanan lambat: laporkan dan dapatkan kode lacak.".into(),
                    format!("{base}/lapor?desa={code}"),
                ),
                service(
                    "Portal informasi desa",
                    format!("Profil, Daftar Informasi Publik dan permohonan informasi {name}."),
                    format!("{base}/desa/{code}"),
                ),
            ],
            panels: vec![
                KitPanel {
                    heading: "Cara memakai".into(),
                    paragraphs: vec!["Pindai kode QR dengan kamera ponsel, lalu ikuti langkahnya.".into()],
                    bullets: vec![
                        "Simpan kode lacak yang Anda terima.".into(),
                        "Kabar terbaru dikirim lewat surel atau WhatsApp.".into(),
                    ],
                },
                KitPanel {
                    heading: "Perlu bantuan?".into(),
                    paragraphs: vec![format!("Datang ke kantor {name} pada jam kerja; petugas akan membantu.")],
                    bullets: vec![],
                },
            ],
            contact,
        })
    }

    /// The kit as a PDF.
    pub async fn village_kit_pdf(&self, village: &str, format: KitFormat) -> AppResult<Vec<u8>> {
        let kit = self.village_kit(village).await?;
        self.render_document("the socialization kit", move |r| match format {
            KitFormat::Poster => r.render_poster(&kit),
            KitFormat::Brochure => r.render_brochure(&kit),
        })
        .await
    }
}
