//! Renders letters and reads them back with poppler-utils (pdftotext, pdfinfo, pdffonts): what a
//! person would see, not how the PDF happens to be encoded.

mod support;

use std::path::Path;

use balai_domain::surat::document::{Kop, LetterDocument, LetterRenderer, Paper, RenderError, Signer};
use balai_letters::{DEFAULT_TEMPLATE, TypstRenderer, sample_document};

use support::*;

fn render(doc: &LetterDocument) -> Vec<u8> {
    match renderer().render(doc, None) {
        Ok(pdf) => pdf,
        Err(e) => panic!("render failed: {e}"),
    }
}

fn check_sample(paper: Paper, name: &str, size: (f64, f64)) {
    let doc = sample_document(paper);
    let path = save(name, &render(&doc));

    let text = pdftotext(&path);
    assert_contains(&text, &doc.number);
    assert_contains(&text, "SITI AMINAH");
    assert_contains(&text, &doc.title);
    assert_contains(&text, &doc.signer.name);
    assert_contains(&text, &format!("NIP. {}", doc.signer.nip));
    for line in [&doc.kop.government, &doc.kop.kecamatan, &doc.kop.office, &doc.kop.address] {
        assert_contains(&text, line);
    }
    assert_contains(&text, &format!("Nomor: {}", doc.number));
    assert_contains(&text, &doc.verification_note);

    let info = pdfinfo(&path);
    assert_size(&info, size);
    assert_eq!(pages(&info), 1, "a normal letter fits one page");
    assert_fonts_embedded(&pdffonts(&path));
}

#[test]
fn sktm_on_f4() {
    check_sample(Paper::F4, "sktm-f4", F4_PTS);
}

#[test]
fn sktm_on_a4() {
    check_sample(Paper::A4, "sktm-a4", A4_PTS);
}

/// The default template's text, exactly. Regenerate after an intended change with
/// `BALAI_UPDATE_GOLDEN=1 cargo test -p balai-letters golden` and review the diff.
#[test]
fn golden_sktm_text() {
    let path = save("golden-sktm", &render(&sample_document(Paper::F4)));
    let text = pdftotext(&path);
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/sktm.txt");
    if std::env::var_os("BALAI_UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        std::fs::write(&golden, &text).expect("write the golden file");
        return;
    }
    let expected = std::fs::read_to_string(&golden)
        .unwrap_or_else(|e| panic!("cannot read {} ({e}); create it with BALAI_UPDATE_GOLDEN=1", golden.display()));
    if text != expected {
        let line = text.lines().zip(expected.lines()).position(|(a, b)| a != b).unwrap_or(0);
        let (got, want) = (text.lines().nth(line), expected.lines().nth(line));
        panic!(
            "text differs from {} at line {}:\n got: {got:?}\nwant: {want:?}\n--- whole text ---\n{text}",
            golden.display(),
            line + 1
        );
    }
}

#[test]
fn same_letter_gives_same_bytes() {
    let doc = sample_document(Paper::F4);
    let first = render(&doc);
    let again = render(&doc);
    let fresh = TypstRenderer::new().render(&doc, None).expect("render");
    assert!(first == again, "two renders differ");
    assert!(first == fresh, "a new renderer gives different bytes");
    let other = render(&LetterDocument { number: "400.9.14/013/2001/XI/2026".to_owned(), ..doc });
    assert!(first != other, "a different letter must give a different PDF");
}

#[test]
fn resident_text_is_never_markup() {
    let hostile = [
        r#"#set page(paper: "a5")"#,
        "*bold* $x$ <script>",
        "Cisontról O'Neil",
        r#"]) #panic("boom") \ "quoted" @label // not a comment"#,
    ];
    let mut doc = sample_document(Paper::F4);
    doc.title = hostile[0].to_owned();
    doc.kop.office = hostile[1].to_owned();
    doc.rows[0].1 = hostile[2].to_owned();
    doc.rows[1].0 = hostile[1].to_owned();
    doc.body = hostile.iter().map(|s| format!("Isi: {s}")).collect();
    doc.signer.name = hostile[2].to_owned();
    doc.signer.title_lines = vec![hostile[3].to_owned()];
    doc.closing = hostile[0].to_owned();
    doc.number = hostile[3].to_owned();
    let path = save("injection", &render(&doc));

    let text = pdftotext(&path);
    for s in hostile {
        assert_contains(&text, s);
        assert_contains(&text, &format!("Isi: {s}"));
    }
    // The page is still F4: the `#set page` text was not obeyed.
    assert_size(&pdfinfo(&path), F4_PTS);
}

fn render_template(template: &str) -> Result<Vec<u8>, RenderError> {
    renderer().render(&sample_document(Paper::F4), Some(template))
}

#[test]
fn village_template_reads_the_same_files() {
    let template = r#"#let d = json("/data.json")
#set page(paper: "a4")
#image("/logo.svg", width: 2cm)
Surat desa kami: #d.title, nomor #d.number, untuk #d.rows.at(0).at(1).
#image("/qr.svg", width: 2cm)
"#;
    let path = save("village-template", &render_template(template).expect("the village template renders"));
    let text = pdftotext(&path);
    assert_contains(
        &text,
        "Surat desa kami: SURAT KETERANGAN TIDAK MAMPU, nomor 400.9.14/012/2001/XI/2026, untuk SITI AMINAH.",
    );
    assert_size(&pdfinfo(&path), A4_PTS);
}

#[test]
fn template_errors_say_where() {
    let template = "#let d = json(\"/data.json\")\n\nNama: #d.title\n  #foo\n";
    let err = render_template(template).expect_err("must fail");
    assert_eq!(err.message, "unknown variable: foo");
    assert_eq!((err.line, err.column), (Some(4), Some(4)));
    assert_eq!(err.to_string(), "unknown variable: foo (line 4, column 4)");

    // A syntax error.
    let err = render_template("Baris satu\n#text(size: 12pt[tidak ditutup\n").expect_err("must fail");
    assert_eq!(err.line, Some(2), "{err}");
    assert!(err.column.is_some(), "{err}");

    // An error inside a called function points back at the template line that called it.
    let err = render_template("Halo\n\n#let f(x) = x + 1\n#f(\"teks\")\n").expect_err("must fail");
    assert!(err.line == Some(3) || err.line == Some(4), "{err}");

    // A wrong field of the data.
    let err = render_template("#let d = json(\"/data.json\")\n#d.kop.tidak_ada\n").expect_err("must fail");
    assert_eq!(err.line, Some(2), "{err}");
    assert!(err.message.contains("tidak_ada"), "{err}");
}

#[test]
fn templates_cannot_reach_outside_or_the_clock() {
    for template in [
        "#read(\"/etc/passwd\")",
        "#read(\"../../Cargo.toml\")",
        "#import \"@preview/example:0.1.0\": *",
        "#datetime.today().display()",
        "#panic(\"stop\")",
    ] {
        let err = render_template(template).expect_err("must fail");
        assert_eq!(err.line, Some(1), "{template}: {err}");
        assert!(!err.message.is_empty(), "{template}");
    }
}

#[test]
fn the_default_template_is_exported_unchanged() {
    let doc = sample_document(Paper::F4);
    let as_override = renderer().render(&doc, Some(DEFAULT_TEMPLATE)).expect("render");
    assert_eq!(pdftotext(&save("default-as-override", &as_override)), pdftotext(&save("default", &render(&doc))));
}

fn empty_document() -> LetterDocument {
    LetterDocument {
        paper: Paper::F4,
        kop: Kop {
            government: String::new(),
            kecamatan: String::new(),
            office: String::new(),
            address: String::new(),
            logo_svg: None,
        },
        title: String::new(),
        number: String::new(),
        opening: String::new(),
        rows: vec![],
        body: vec![],
        closing: String::new(),
        place_date: String::new(),
        signer: Signer { title_lines: vec![], name: String::new(), nip: String::new() },
        verification_url: String::new(),
        verification_note: String::new(),
    }
}

#[test]
fn odd_documents_still_render() {
    let path = save("empty", &render(&empty_document()));
    assert_size(&pdfinfo(&path), F4_PTS);

    // An empty NIP prints no "NIP." line.
    let mut doc = sample_document(Paper::F4);
    doc.signer.nip = String::new();
    assert!(!pdftotext(&save("no-nip", &render(&doc))).contains("NIP"));

    // Very long values, with and without spaces.
    let mut doc = sample_document(Paper::F4);
    doc.rows[0].1 = "A".repeat(3000);
    doc.signer.name = "Nama Sangat Panjang ".repeat(100);
    doc.kop.office = "DESA ".repeat(200);
    doc.body.push("kata ".repeat(5000));
    doc.verification_url = format!("https://balai.example.id/v/{}", "x".repeat(1000));
    render(&doc);

    // Fifty rows flow onto a second page.
    let mut doc = sample_document(Paper::A4);
    doc.rows = (1..=50).map(|i| (format!("Baris {i}"), format!("Isi baris ke-{i}"))).collect();
    let path = save("fifty-rows", &render(&doc));
    assert!(pages(&pdfinfo(&path)) >= 2);
    assert_contains(&pdftotext(&path), "Baris 50 : Isi baris ke-50");
}

#[test]
fn village_logo_is_used_and_bad_input_is_an_error() {
    let mut doc = sample_document(Paper::F4);
    doc.kop.logo_svg = Some(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 20"><rect width="10" height="20" fill="#036"/></svg>"##
            .to_owned(),
    );
    let with_logo = render(&doc);
    assert!(with_logo != render(&sample_document(Paper::F4)));

    doc.kop.logo_svg = Some("<svg this is not".to_owned());
    let err = renderer().render(&doc, None).expect_err("must fail");
    assert!(err.message.starts_with("/logo.svg: failed to parse SVG"), "{err}");

    // More than a QR code can hold.
    let mut doc = sample_document(Paper::F4);
    doc.verification_url = "x".repeat(5000);
    let err = renderer().render(&doc, None).expect_err("must fail");
    assert!(err.message.contains("QR"), "{err}");
}

#[test]
fn qr_code_holds_the_verification_url() {
    let doc = sample_document(Paper::F4);
    let pdf = save("qr", &render(&doc));
    assert_eq!(qr_codes(&pdf, 1), vec![doc.verification_url]);
}

#[test]
fn one_renderer_serves_many_threads() {
    let renderer = std::sync::Arc::new(TypstRenderer::new());
    let expected = render(&sample_document(Paper::F4));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let renderer = renderer.clone();
            std::thread::spawn(move || {
                (0..5).map(|_| renderer.render(&sample_document(Paper::F4), None).expect("render")).collect::<Vec<_>>()
            })
        })
        .collect();
    for thread in threads {
        for pdf in thread.join().expect("thread finished") {
            assert!(pdf == expected, "a render on another thread differs");
        }
    }
}
