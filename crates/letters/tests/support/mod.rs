//! What the render tests share: one renderer, a scratch folder, and poppler-utils and zbarimg
//! to read a PDF back as a person (or a phone camera) would.

#![allow(dead_code)] // each test file uses its own part of this module

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use balai_letters::TypstRenderer;

pub const F4_PTS: (f64, f64) = (609.45, 935.43);
pub const A4_PTS: (f64, f64) = (595.28, 841.89);

pub fn renderer() -> &'static TypstRenderer {
    static RENDERER: OnceLock<TypstRenderer> = OnceLock::new();
    RENDERER.get_or_init(TypstRenderer::new)
}

/// Keeps the PDF under cargo's per-test scratch folder, so a failure can be looked at.
pub fn save(name: &str, pdf: &[u8]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("letters");
    std::fs::create_dir_all(&dir).expect("create the scratch folder");
    let path = dir.join(format!("{name}.pdf"));
    std::fs::write(&path, pdf).expect("write the PDF");
    path
}

/// Runs a poppler tool on `pdf`; a missing tool fails the test, never a silent skip.
pub fn poppler(tool: &str, args: &[&str], pdf: &Path, stdout_arg: bool) -> String {
    let mut command = Command::new(tool);
    command.args(args).arg(pdf);
    if stdout_arg {
        command.arg("-");
    }
    let output = command.output().unwrap_or_else(|e| {
        panic!("cannot run {tool} ({e}): these tests need poppler-utils (apt-get install poppler-utils)")
    });
    assert!(output.status.success(), "{tool} failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("poppler prints UTF-8")
}

pub fn pdftotext(pdf: &Path) -> String {
    poppler("pdftotext", &["-layout"], pdf, true)
}

pub fn pdfinfo(pdf: &Path) -> String {
    poppler("pdfinfo", &[], pdf, false)
}

pub fn pdffonts(pdf: &Path) -> String {
    poppler("pdffonts", &[], pdf, false)
}

pub fn info_field<'a>(info: &'a str, field: &str) -> &'a str {
    info.lines()
        .find_map(|line| line.strip_prefix(field).and_then(|rest| rest.strip_prefix(':')))
        .map(str::trim)
        .unwrap_or_else(|| panic!("pdfinfo has no {field}:\n{info}"))
}

/// "609.45 x 935.43 pts (…)" → (609.45, 935.43)
pub fn page_size(info: &str) -> (f64, f64) {
    let size = info_field(info, "Page size");
    let mut numbers = size.split_whitespace().filter_map(|w| w.parse::<f64>().ok());
    (numbers.next().expect("page width"), numbers.next().expect("page height"))
}

pub fn pages(info: &str) -> u32 {
    info_field(info, "Pages").parse().expect("page count")
}

pub fn assert_size(info: &str, expected: (f64, f64)) {
    let (w, h) = page_size(info);
    assert!((w - expected.0).abs() < 0.05 && (h - expected.1).abs() < 0.05, "page size {w} x {h}, want {expected:?}");
}

/// Every font listed by pdffonts is embedded ("emb" is the fifth column from the end; names
/// may be wider than their column).
pub fn assert_fonts_embedded(listing: &str) {
    let fonts: Vec<&str> = listing.lines().skip(2).filter(|l| !l.trim().is_empty()).collect();
    assert!(!fonts.is_empty(), "no fonts in the PDF:\n{listing}");
    for font in fonts {
        let columns: Vec<&str> = font.split_whitespace().collect();
        let emb = columns.len().checked_sub(5).and_then(|i| columns.get(i));
        assert_eq!(emb, Some(&"yes"), "font not embedded: {font}\n{listing}");
    }
}

/// Text as words, so assertions do not depend on where lines wrap or how -layout pads columns.
pub fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub fn assert_contains(text: &str, needle: &str) {
    assert!(words(text).contains(&words(needle)), "missing {needle:?} in:\n{text}");
}

/// The texts of the QR codes on `page` (1-based) of `pdf`, decoded from a 150 dpi raster as a
/// phone would see them. zbarimg exits 4 when it finds none: that is an empty list, not an error.
pub fn qr_codes(pdf: &Path, page: u32) -> Vec<String> {
    let prefix = pdf.with_extension(format!("p{page}"));
    let page = page.to_string();
    let status = Command::new("pdftoppm")
        .args(["-r", "150", "-png", "-singlefile", "-f", &page, "-l", &page])
        .arg(pdf)
        .arg(&prefix)
        .status();
    assert!(status.is_ok_and(|s| s.success()), "pdftoppm failed (apt-get install poppler-utils)");
    let output = Command::new("zbarimg")
        .args(["--quiet", "--raw"])
        .arg(prefix.with_extension(format!("p{page}.png")))
        .output()
        .unwrap_or_else(|e| panic!("cannot run zbarimg ({e}): apt-get install zbar-tools"));
    String::from_utf8_lossy(&output.stdout).lines().map(str::to_owned).collect()
}
