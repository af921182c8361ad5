//! A village portal's news and announcements (berita, pengumuman): staff publish them with one
//! photo, which the server re-encodes (so the camera's EXIF, GPS position included, never leaves
//! the office) and shrinks for a village's slow connection; anyone reads them.

use std::io::Cursor;

use balai_domain::berita::{self, PostInput, PostKind};
use balai_domain::contact::{UploadKind, sniff_upload};
use balai_domain::langganan::{self, Channel};
use balai_domain::roles::Permission;
use balai_domain::wilayah::Region;
use balai_store::news::{NewsPhoto, NewsPost, PostBroadcast};
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::{Actor, App, AppError, AppResult, FieldError};

/// Longest side of a stored photo, in pixels: sharp on a phone, about 100 KB as JPEG.
pub const PHOTO_MAX_SIDE: u32 = 960;
/// JPEG quality of a stored photo.
const PHOTO_QUALITY: u8 = 78;
/// Largest picture decoded, in pixels per side (a decompression bomb is refused, not decoded).
const PHOTO_MAX_DECODED_SIDE: u32 = 12_000;

/// A post as a page shows it.
#[derive(Debug, Clone)]
pub struct PostView {
    pub post: NewsPost,
    pub kind: PostKind,
    /// The body rendered safely (see `balai_domain::berita::render_markdown`); empty in lists,
    /// which show the excerpt only.
    pub html: String,
    /// Plain text for lists and link previews.
    pub excerpt: String,
}

/// A village's news page.
#[derive(Debug, Clone)]
pub struct NewsPage {
    pub village: Region,
    pub ancestors: Vec<Region>,
    pub posts: Vec<PostView>,
    /// Whether the viewer may publish here (staff links shown).
    pub may_publish: bool,
}

/// A post on the regency's portal, with the village it comes from.
#[derive(Debug, Clone)]
pub struct RegionalPost {
    pub post: PostView,
    pub village: Region,
}

/// A post just published, and how many subscribers it was sent to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedPost {
    pub id: String,
    pub sent_to: i64,
}

/// An uploaded photo, as sent.
#[derive(Debug, Clone)]
pub struct PhotoUpload {
    pub bytes: Vec<u8>,
}

/// A photo made ready to store: JPEG, at most [`PHOTO_MAX_SIDE`] pixels a side, upright, with
/// no metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedPhoto {
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// Re-encodes an uploaded JPEG or PNG: turned upright by its EXIF orientation, shrunk to fit
/// [`PHOTO_MAX_SIDE`], transparency laid on white, written as a fresh JPEG, which carries none of
/// the original's metadata. The error is the message for the person who sent it.
pub fn prepare_photo(bytes: &[u8]) -> Result<PreparedPhoto, String> {
    let format = match sniff_upload(bytes) {
        Ok(UploadKind::Jpeg) => ImageFormat::Jpeg,
        Ok(UploadKind::Png) => ImageFormat::Png,
        Ok(UploadKind::Pdf) => return Err("Foto harus berupa gambar JPEG atau PNG, bukan PDF.".into()),
        Err(e) => return Err(e.message_id()),
    };
    let unreadable = || "Foto tidak dapat dibaca (berkasnya rusak atau bukan gambar). Pilih foto lain.".to_string();
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(PHOTO_MAX_DECODED_SIDE);
    limits.max_image_height = Some(PHOTO_MAX_DECODED_SIDE);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|_| unreadable())?;
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut picture = DynamicImage::from_decoder(decoder).map_err(|e| match e {
        image::ImageError::Limits(_) => {
            "Foto terlalu besar ukurannya (piksel). Perkecil fotonya lalu kirim lagi.".into()
        }
        _ => unreadable(),
    })?;
    picture.apply_orientation(orientation);
    if picture.width() > PHOTO_MAX_SIDE || picture.height() > PHOTO_MAX_SIDE {
        picture = picture.resize(PHOTO_MAX_SIDE, PHOTO_MAX_SIDE, FilterType::Triangle);
    }
    let rgb = if picture.color().has_alpha() {
        let rgba = picture.to_rgba8();
        let mut flat = image::RgbImage::new(rgba.width(), rgba.height());
        for (to, from) in flat.pixels_mut().zip(rgba.pixels()) {
            let a = u16::from(from[3]);
            for c in 0..3 {
                to[c] = ((u16::from(from[c]) * a + 255 * (255 - a)) / 255) as u8;
            }
        }
        flat
    } else {
        picture.to_rgb8()
    };
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, PHOTO_QUALITY)
        .encode_image(&rgb)
        .map_err(|e| format!("Foto tidak dapat diproses: {e}"))?;
    Ok(PreparedPhoto { jpeg, width: rgb.width(), height: rgb.height() })
}

/// A post for a list (no rendered body).
fn view(post: NewsPost) -> PostView {
    PostView {
        kind: post.kind.parse().unwrap_or(PostKind::Berita),
        html: String::new(),
        excerpt: berita::plain_excerpt(&post.body, 160),
        post,
    }
}

impl App {
    /// Whether the viewer may publish the village's news.
    pub fn may_publish_news(&self, actor: &Actor, village: &str) -> bool {
        self.may_on_village(actor, Permission::PublishNews, village)
    }

    /// The newest posts of a village's portal (at most `limit`).
    pub async fn news_page(&self, actor: &Actor, village: &str, limit: i64) -> AppResult<NewsPage> {
        let (village, ancestors) = self.village_region(village).await?;
        let posts = self.latest_news(&village, limit).await?;
        Ok(NewsPage { may_publish: self.may_publish_news(actor, village.code.as_str()), village, ancestors, posts })
    }

    /// A village's public page: its profile, its three newest posts and the letters residents
    /// can request online, kept a few seconds (see `PORTAL_TTL`), since every visitor sees the same.
    pub async fn village_page(&self, village: &str) -> AppResult<VillagePortal> {
        if let Some(page) = self.cache.village_pages.get(village) {
            return Ok(page);
        }
        let view = self.village_view(village).await?;
        let news = self.latest_news(&view.region, 3).await?;
        let online_letters = if view.region.level.is_village() {
            self.letter_catalogue(&view.region.code)
                .await?
                .into_iter()
                .filter(|t| t.active && t.spec.online)
                .map(|t| t.spec)
                .collect()
        } else {
            Vec::new()
        };
        let page = VillagePortal { view, news, online_letters };
        self.cache.village_pages.put(village, page.clone());
        Ok(page)
    }

    /// The newest posts of a village already found (the village page's own lookup checked it).
    pub async fn latest_news(&self, village: &Region, limit: i64) -> AppResult<Vec<PostView>> {
        Ok(self.store.news_posts(village.code.as_str(), limit).await?.into_iter().map(view).collect())
    }

    /// The newest posts of all villages of the installation's home region (the regency's
    /// portal), at most five. Kept for a minute: the regency's home page is the busiest page, and
    /// a post reaches it that much later on other instances (at once on this one).
    pub async fn regional_news(&self) -> AppResult<Vec<RegionalPost>> {
        if let Some(posts) = self.cache.regional_news.get() {
            return Ok(posts);
        }
        let Some(home) = self.config().home_region.clone() else { return Ok(Vec::new()) };
        let mut posts = Vec::new();
        for post in self.store.news_posts_within(home.as_str(), 5).await? {
            let Ok(code) = balai_domain::wilayah::KodeWilayah::parse(&post.village_code) else { continue };
            if let Some(village) = self.cached_region(&code).await? {
                posts.push(RegionalPost { post: view(post), village });
            }
        }
        self.cache.regional_news.put(posts.clone());
        Ok(posts)
    }

    /// One post of the village's portal; a withdrawn post, or one of another village, is not found.
    pub async fn news_post(&self, village: &str, id: &str) -> AppResult<(Region, Vec<Region>, PostView)> {
        let (village, ancestors) = self.village_region(village).await?;
        let post = self.store.news_post(id.trim()).await?.ok_or(AppError::NotFound)?;
        if post.village_code != village.code.as_str() || post.withdrawn_at.is_some() {
            return Err(AppError::NotFound);
        }
        let mut shown = view(post);
        shown.html = berita::render_markdown(&shown.post.body);
        Ok((village, ancestors, shown))
    }

    /// A post's photo (JPEG), while the post is on the portal.
    pub async fn news_photo(&self, id: &str) -> AppResult<Vec<u8>> {
        self.store.news_photo(id.trim()).await?.ok_or(AppError::NotFound)
    }

    /// Publishes a post on the village's portal, with its photo if one was sent. Nothing is
    /// stored unless the text and the photo are both acceptable.
    pub async fn publish_post(
        &self,
        actor: &Actor,
        village: &str,
        input: &PostInput,
        photo: Option<PhotoUpload>,
        broadcast: bool,
    ) -> AppResult<PublishedPost> {
        let (village, _) = self.village_region(village).await?;
        let code = village.code.as_str().to_string();
        self.require_on_village(actor, Permission::PublishNews, &code)?;
        let author = match actor {
            Actor::Staff(user) => user.full_name.clone(),
            Actor::System => format!("Pemerintah {}", village.title()),
            _ => return Err(AppError::Forbidden),
        };
        let checked = berita::check_post(input);
        let prepared = match photo {
            Some(upload) => Some(
                tokio::task::spawn_blocking(move || prepare_photo(&upload.bytes))
                    .await
                    .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?,
            ),
            None => None,
        };
        let mut errors: Vec<FieldError> = match &checked {
            Ok(_) => Vec::new(),
            Err(problems) => problems.iter().map(|p| FieldError::new(p.field, p.message.clone())).collect(),
        };
        if let Some(Err(message)) = &prepared {
            errors.push(FieldError::new("foto", message.clone()));
        }
        let (Ok(checked), true) = (checked, errors.is_empty()) else { return Err(AppError::Invalid(errors)) };
        let now = self.now();
        let photo = prepared.and_then(Result::ok).map(|p| NewsPhoto {
            id: crate::reports::random_file_id(),
            village_code: code.clone(),
            width: i64::from(p.width),
            height: i64::from(p.height),
            sha256: hex::encode(Sha256::digest(&p.jpeg)),
            data: p.jpeg,
            created_at: now,
        });
        let post = NewsPost {
            id: crate::reports::random_file_id(),
            village_code: code.clone(),
            kind: checked.kind.as_str().into(),
            title: checked.title,
            body: checked.body,
            photo_id: photo.as_ref().map(|p| p.id.clone()),
            photo_caption: checked.photo_caption,
            author,
            published_at: now,
            withdrawn_at: None,
            broadcast_count: 0,
        };
        let broadcast = broadcast.then(|| self.post_broadcast(&village, &post));
        let audit = self.audit_event(
            actor,
            "news.publish",
            format!("wilayah:{code}/berita:{}", post.id),
            json!({"kind": post.kind, "title": post.title, "photo": photo.as_ref().map(|p| &p.sha256)}),
        );
        let sent_to = self.store.publish_post(&post, photo.as_ref(), broadcast.as_ref(), audit).await?;
        self.portal_changed();
        Ok(PublishedPost { id: post.id, sent_to })
    }

    /// The messages that announce a post to the village's subscribers, one body per channel.
    fn post_broadcast(&self, village: &Region, post: &NewsPost) -> PostBroadcast {
        let base = self.config().public_url.trim_end_matches('/').to_string();
        let post_url = format!("{base}/desa/{}/berita/{}", village.code, post.id);
        let stop_base = format!("{base}{}", crate::subscriptions::subscription_path(""));
        let title = village.title();
        let excerpt = berita::plain_excerpt(&post.body, 600);
        let text = |channel| {
            langganan::broadcast(
                channel,
                &title,
                &post.title,
                &excerpt,
                &post_url,
                &stop_base,
                crate::subscriptions::TOKEN_LEN,
            )
        };
        PostBroadcast {
            subject: text(Channel::Email).subject,
            email: text(Channel::Email).body,
            whatsapp: text(Channel::Whatsapp).body,
            sms: text(Channel::Sms).body,
            topic: format!("berita:{}", post.id),
        }
    }

    /// Takes a post off the village's portal.
    pub async fn withdraw_post(&self, actor: &Actor, village: &str, id: &str) -> AppResult<()> {
        let (village, _) = self.village_region(village).await?;
        let code = village.code.as_str().to_string();
        self.require_on_village(actor, Permission::PublishNews, &code)?;
        let post = self.store.news_post(id.trim()).await?.ok_or(AppError::NotFound)?;
        if post.village_code != code {
            return Err(AppError::NotFound);
        }
        let audit = self.audit_event(
            actor,
            "news.withdraw",
            format!("wilayah:{code}/berita:{}", post.id),
            json!({"title": post.title}),
        );
        if !self.store.withdraw_post(&post.id, self.now(), audit).await? {
            return Err(AppError::invalid("berita", "Berita ini sudah ditarik dari portal."));
        }
        self.portal_changed();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let picture =
            image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90).encode_image(&picture).expect("ok");
        out
    }

    /// A JPEG with an EXIF segment (APP1) holding a camera model and orientation 6 (rotate 90°).
    fn jpeg_with_exif(width: u32, height: u32) -> Vec<u8> {
        let plain = jpeg(width, height);
        // TIFF header (little endian), one IFD with Model = "SECRETCAM" and Orientation = 6.
        let mut tiff: Vec<u8> = b"II*\0\x08\0\0\0".to_vec();
        tiff.extend_from_slice(&2u16.to_le_bytes());
        tiff.extend_from_slice(&[0x10, 0x01, 2, 0, 10, 0, 0, 0, 38, 0, 0, 0]);
        tiff.extend_from_slice(&[0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0]);
        tiff.extend_from_slice(&0u32.to_le_bytes());
        tiff.extend_from_slice(b"SECRETCAM\0");
        let mut segment = b"Exif\0\0".to_vec();
        segment.extend_from_slice(&tiff);
        let mut out = plain[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&((segment.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(&segment);
        out.extend_from_slice(&plain[2..]);
        out
    }

    #[test]
    fn a_photo_is_turned_upright_shrunk_and_stripped_of_exif() {
        let original = jpeg_with_exif(2000, 1000);
        assert!(original.windows(9).any(|w| w == b"SECRETCAM"), "the test photo carries EXIF");
        let prepared = prepare_photo(&original).expect("ok");
        // Orientation 6: the 2000×1000 picture stands up as 1000×2000, then fits 960 a side.
        assert_eq!((prepared.width, prepared.height), (480, 960));
        assert!(!prepared.jpeg.windows(4).any(|w| w == b"Exif"), "no EXIF left");
        assert!(!prepared.jpeg.windows(9).any(|w| w == b"SECRETCAM"));
        let decoded = image::load_from_memory(&prepared.jpeg).expect("ok");
        assert_eq!((decoded.width(), decoded.height()), (480, 960));
    }

    #[test]
    fn a_small_png_with_transparency_becomes_a_jpeg_on_white() {
        let picture = image::RgbaImage::from_pixel(40, 30, image::Rgba([0, 0, 0, 0]));
        let mut png = Vec::new();
        picture.write_to(&mut Cursor::new(&mut png), ImageFormat::Png).expect("ok");
        let prepared = prepare_photo(&png).expect("ok");
        assert_eq!((prepared.width, prepared.height), (40, 30));
        assert!(prepared.jpeg.starts_with(&[0xFF, 0xD8, 0xFF]));
        let pixel = image::load_from_memory(&prepared.jpeg).expect("ok").to_rgb8().get_pixel(5, 5).0;
        assert!(pixel.iter().all(|c| *c > 240), "transparent is white, not black: {pixel:?}");
    }

    #[test]
    fn what_is_not_a_usable_picture_is_refused_with_a_reason() {
        assert!(
            prepare_photo(b"<html>bukan foto</html>").expect_err("refused").contains("Jenis berkas tidak diterima")
        );
        assert!(prepare_photo(b"%PDF-1.7\n1 0 obj\n%%EOF\n").expect_err("refused").contains("bukan PDF"));
        let mut truncated = jpeg(64, 64);
        truncated.truncate(40);
        assert!(prepare_photo(&truncated).expect_err("refused").contains("tidak dapat dibaca"));
        assert!(prepare_photo(&vec![0xFF; 6 * 1024 * 1024]).expect_err("refused").contains("terlalu besar"));
    }
}

/// What a village's public page shows.
#[derive(Debug, Clone)]
pub struct VillagePortal {
    pub view: crate::VillageView,
    pub news: Vec<PostView>,
    /// The active letter types a resident can request online, with their requirements.
    pub online_letters: Vec<balai_domain::surat::catalogue::LetterTypeSpec>,
}
