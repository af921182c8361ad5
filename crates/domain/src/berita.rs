//! News and announcements (berita dan pengumuman) on a village's portal: what a post must hold,
//! and how its Markdown body becomes HTML that is safe to show (no raw HTML, no script links, no
//! images pulled from elsewhere: a page of the portal makes no external requests).

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::{Deserialize, Serialize};

use crate::lapor::{Problem, clean_text, problem};

/// Longest title, in characters (a WhatsApp preview shows about 65).
pub const MAX_TITLE_CHARS: usize = 150;
/// Longest body, in characters.
pub const MAX_BODY_CHARS: usize = 20_000;
/// Longest photo caption, in characters.
pub const MAX_CAPTION_CHARS: usize = 200;

/// What a post is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostKind {
    /// News of the village: what happened.
    Berita,
    /// An announcement: what residents must know or do.
    Pengumuman,
}

impl PostKind {
    pub const ALL: [PostKind; 2] = [PostKind::Berita, PostKind::Pengumuman];

    pub fn as_str(&self) -> &'static str {
        match self {
            PostKind::Berita => "berita",
            PostKind::Pengumuman => "pengumuman",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            PostKind::Berita => "Berita",
            PostKind::Pengumuman => "Pengumuman",
        }
    }
}

impl std::str::FromStr for PostKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PostKind::ALL.into_iter().find(|k| k.as_str() == s.trim()).ok_or_else(|| format!("unknown post kind {s:?}"))
    }
}

/// A post as typed into the staff form.
#[derive(Debug, Clone, Default)]
pub struct PostInput {
    pub kind: String,
    pub title: String,
    /// Markdown.
    pub body: String,
    pub photo_caption: String,
}

/// A post that passed [`check_post`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedPost {
    pub kind: PostKind,
    pub title: String,
    pub body: String,
    pub photo_caption: String,
}

/// Checks a post: a kind, a one-line title, a body, lengths within bounds.
pub fn check_post(input: &PostInput) -> Result<CheckedPost, Vec<Problem>> {
    let mut problems = Vec::new();
    let kind = input.kind.parse::<PostKind>().map_err(|_| problem("kind", "Pilih jenis: berita atau pengumuman."));
    let title = clean_text(&input.title).replace(['\n', '\t'], " ");
    let body = clean_text(&input.body);
    let caption = clean_text(&input.photo_caption).replace(['\n', '\t'], " ");
    if title.is_empty() {
        problems.push(problem("title", "Isi judul, misalnya \"Jadwal posyandu bulan Desember\"."));
    } else if title.chars().count() > MAX_TITLE_CHARS {
        problems.push(problem("title", format!("Judul paling banyak {MAX_TITLE_CHARS} karakter.")));
    }
    if body.is_empty() {
        problems.push(problem("body", "Isi berita atau pengumuman belum ditulis."));
    } else if body.chars().count() > MAX_BODY_CHARS {
        problems.push(problem("body", format!("Isi paling banyak {MAX_BODY_CHARS} karakter.")));
    }
    if caption.chars().count() > MAX_CAPTION_CHARS {
        problems.push(problem("photo_caption", format!("Keterangan foto paling banyak {MAX_CAPTION_CHARS} karakter.")));
    }
    match kind {
        Ok(kind) if problems.is_empty() => Ok(CheckedPost { kind, title, body, photo_caption: caption }),
        Ok(_) => Err(problems),
        Err(p) => {
            problems.insert(0, p);
            Err(problems)
        }
    }
}

/// Whether a link may be followed from a post: web and mail addresses and the portal's own pages.
fn safe_link(url: &str) -> bool {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    lower.starts_with("https://")
        || lower.starts_with("http://")
        || lower.starts_with("mailto:")
        || (url.starts_with('/') && !url.starts_with("//"))
        || url.starts_with('#')
}

/// Renders a post's Markdown as HTML safe to put in a page. Raw HTML is shown as text; a link
/// to anything but http(s), mailto or the portal's own pages keeps its text and loses the link;
/// an image keeps only its description (pictures come from the post's uploaded photo); headings
/// start at `<h2>` (the page's title is the `<h1>`).
pub fn render_markdown(markdown: &str) -> String {
    let parser = Parser::new_ext(markdown, Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES);
    // Whether each open link was kept, so its end tag is kept or dropped with it.
    let mut links: Vec<bool> = Vec::new();
    let events = parser.filter_map(|event| match event {
        Event::Html(html) | Event::InlineHtml(html) => Some(Event::Text(html)),
        Event::Start(Tag::HtmlBlock) => Some(Event::Start(Tag::Paragraph)),
        Event::End(TagEnd::HtmlBlock) => Some(Event::End(TagEnd::Paragraph)),
        Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
            let keep = safe_link(&dest_url);
            links.push(keep);
            keep.then_some(Event::Start(Tag::Link { link_type, dest_url, title, id }))
        }
        Event::End(TagEnd::Link) => links.pop().unwrap_or(false).then_some(Event::End(TagEnd::Link)),
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => None,
        Event::Start(Tag::Heading { level: HeadingLevel::H1, id, classes, attrs }) => {
            Some(Event::Start(Tag::Heading { level: HeadingLevel::H2, id, classes, attrs }))
        }
        Event::End(TagEnd::Heading(HeadingLevel::H1)) => Some(Event::End(TagEnd::Heading(HeadingLevel::H2))),
        other => Some(other),
    });
    let mut html = String::with_capacity(markdown.len() * 5 / 4);
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

/// The body as plain text, at most `max_chars` characters cut at a word (with "…"): the list's
/// excerpt and the link preview's description.
pub fn plain_excerpt(markdown: &str, max_chars: usize) -> String {
    let mut text = String::new();
    for event in Parser::new(markdown) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item) => {
                text.push(' ')
            }
            _ => {}
        }
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out = String::new();
    for word in words {
        let extra = if out.is_empty() { 0 } else { 1 } + word.chars().count();
        if out.chars().count() + extra > max_chars.saturating_sub(1) {
            out.push('…');
            return out;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(kind: &str, title: &str, body: &str) -> PostInput {
        PostInput { kind: kind.into(), title: title.into(), body: body.into(), photo_caption: String::new() }
    }

    #[test]
    fn a_post_needs_a_kind_a_title_and_a_body() {
        let ok = check_post(&input("pengumuman", "  Posyandu\nDesember ", "Hari Sabtu di balai desa.")).expect("ok");
        assert_eq!((ok.kind, ok.title.as_str()), (PostKind::Pengumuman, "Posyandu Desember"));
        let fields = |i: PostInput| check_post(&i).expect_err("refused").iter().map(|p| p.field).collect::<Vec<_>>();
        assert_eq!(fields(input("iklan", "", " ")), ["kind", "title", "body"]);
        assert_eq!(fields(input("berita", &"a".repeat(151), "isi")), ["title"]);
        assert_eq!(fields(input("berita", "Judul", &"a".repeat(20_001))), ["body"]);
        let mut long_caption = input("berita", "Judul", "isi");
        long_caption.photo_caption = "x".repeat(201);
        assert_eq!(fields(long_caption), ["photo_caption"]);
    }

    #[test]
    fn raw_html_is_shown_as_text() {
        let html = render_markdown("Halo <script>alert(1)</script> warga\n\n<img src=x onerror=alert(1)>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{html}");
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"), "{html}");
    }

    #[test]
    fn only_safe_links_are_kept() {
        let html = render_markdown(
            "[jadwal](https://ciamiskab.go.id/jadwal) [surat](/desa/32.07.06.2001) \
             [jahat](javascript:alert(1)) [data](data:text/html,x) [surel](mailto:desa@example.id)",
        );
        assert!(html.contains(r#"<a href="https://ciamiskab.go.id/jadwal">jadwal</a>"#), "{html}");
        assert!(html.contains(r#"<a href="/desa/32.07.06.2001">surat</a>"#), "{html}");
        assert!(html.contains(r#"<a href="mailto:desa@example.id">surel</a>"#), "{html}");
        assert!(!html.contains("javascript:") && !html.contains("data:text"), "{html}");
        assert!(html.contains(" jahat ") && html.contains(" data "), "the link text stays: {html}");
        assert_eq!(html.matches("<a ").count(), html.matches("</a>").count());
    }

    #[test]
    fn images_keep_only_their_description_and_headings_start_at_h2() {
        let html = render_markdown("# Kerja bakti\n\n![foto kerja bakti](https://tracker.example/p.gif)\n\n## Jadwal");
        assert!(html.contains("<h2>Kerja bakti</h2>"), "{html}");
        assert!(html.contains("<h2>Jadwal</h2>"), "{html}");
        assert!(html.contains("foto kerja bakti") && !html.contains("tracker.example"), "{html}");
        assert!(!html.contains("<h1"), "{html}");
    }

    #[test]
    fn markdown_formatting_renders() {
        let html = render_markdown("**Penting**: bawa *KTP*.\n\n- satu\n- dua");
        assert!(html.contains("<strong>Penting</strong>") && html.contains("<em>KTP</em>"), "{html}");
        assert!(html.contains("<li>satu</li>"), "{html}");
    }

    #[test]
    fn excerpts_are_plain_and_cut_at_a_word() {
        assert_eq!(plain_excerpt("# Judul\n\n**Rapat** warga\ndi *balai*.", 100), "Judul Rapat warga di balai.");
        let cut = plain_excerpt("satu dua tiga empat lima enam", 15);
        assert_eq!(cut, "satu dua tiga…");
        assert!(cut.chars().count() <= 15);
        assert_eq!(plain_excerpt("<b>tebal</b>", 50), "<b>tebal</b>", "raw HTML stays text, escaped when shown");
    }
}
