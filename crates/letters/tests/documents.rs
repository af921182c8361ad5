//! Renders the documents that are not letters (notice, table report, poster, brochure) and reads
//! them back with poppler-utils and zbarimg.

mod support;

use balai_domain::dokumen::{DocumentRenderer, Kit, KitService, ReportTable, TableReport};
use balai_domain::surat::document::{Paper, Signer};
use balai_letters::{TypstRenderer, sample_kit, sample_notice};

use support::*;

fn sample_report() -> TableReport {
    let notice = sample_notice(Paper::A4);
    TableReport {
        paper: Paper::A4,
        kop: notice.kop,
        title: "LAPORAN LAYANAN INFORMASI PUBLIK".to_owned(),
        subtitle: "Tahun 2026 (1 Januari – 31 Desember 2026)".to_owned(),
        intro: vec!["Laporan ini disusun berdasarkan register permohonan informasi publik.".to_owned()],
        tables: vec![
            ReportTable {
                caption: "Tabel 1. Permohonan menurut keputusan".to_owned(),
                header: vec!["Keputusan".to_owned(), "Jumlah".to_owned()],
                rows: vec![
                    vec!["Dikabulkan seluruhnya".to_owned(), "7".to_owned()],
                    vec!["Ditolak".to_owned(), "2".to_owned()],
                ],
            },
            ReportTable {
                caption: "Tabel 2. Rincian".to_owned(),
                header: vec!["No".to_owned(), "Nomor".to_owned(), "Hari kerja".to_owned()],
                rows: (1..=80)
                    .map(|i| vec![i.to_string(), format!("{i:03}/PPID/2001/XII/2026"), "3".to_owned()])
                    .collect(),
            },
        ],
        notes: vec!["Waktu dihitung dalam hari kerja.".to_owned()],
        place_date: "Sukamulya, 31 Desember 2026".to_owned(),
        signer: Signer {
            title_lines: vec!["Kepala Desa Sukamulya".to_owned()],
            name: "H. ASEP".to_owned(),
            nip: String::new(),
        },
    }
}

#[test]
fn notice_shows_its_particulars_and_its_qr_holds_the_tracking_url() {
    let notice = sample_notice(Paper::F4);
    let path = save("notice", &renderer().render_notice(&notice).expect("render"));
    let text = pdftotext(&path);
    for needle in
        [&notice.title, &format!("Nomor: {}", notice.number), &notice.kop.office, &notice.signer.name, &notice.qr_note]
    {
        assert_contains(&text, needle);
    }
    for (label, value) in &notice.rows {
        assert_contains(&text, &format!("{label} : {value}"));
    }
    assert_contains(&text, "Sdr. BUDI SANTOSO");
    let info = pdfinfo(&path);
    assert_size(&info, F4_PTS);
    assert_eq!(pages(&info), 1);
    assert_fonts_embedded(&pdffonts(&path));
    assert_eq!(qr_codes(&path, 1), vec![notice.qr_url]);
}

#[test]
fn report_tables_flow_over_pages_and_repeat_their_heads() {
    let report = sample_report();
    let path = save("report", &renderer().render_table_report(&report).expect("render"));
    let info = pdfinfo(&path);
    assert_size(&info, A4_PTS);
    let page_count = pages(&info);
    assert!(page_count >= 2, "80 rows need more than one page");
    let text = pdftotext(&path);
    assert_contains(&text, &report.title);
    assert_contains(&text, "Dikabulkan seluruhnya 7");
    assert_contains(&text, "080/PPID/2001/XII/2026");
    assert_contains(&text, &format!("Halaman {page_count} dari {page_count}"));
    // The column heads of the long table are printed again on the last page.
    let last_page =
        poppler("pdftotext", &["-layout", "-f", &page_count.to_string(), "-l", &page_count.to_string()], &path, true);
    assert_contains(&last_page, "No Nomor Hari kerja");
}

#[test]
fn poster_is_one_a4_page_whose_qr_codes_open_each_service() {
    let kit = sample_kit();
    let path = save("poster", &renderer().render_poster(&kit).expect("render"));
    let info = pdfinfo(&path);
    assert_size(&info, A4_PTS);
    assert_eq!(pages(&info), 1, "a poster is one page");
    let text = pdftotext(&path);
    assert_contains(&text, &kit.headline);
    assert_contains(&text, &kit.kop.office);
    for service in &kit.services {
        assert_contains(&text, &service.title);
        assert_contains(&text, &service.url);
    }
    let mut found = qr_codes(&path, 1);
    let mut want: Vec<String> = kit.services.iter().map(|s| s.url.clone()).collect();
    found.sort();
    want.sort();
    assert_eq!(found, want);
}

#[test]
fn brochure_is_two_landscape_pages_with_the_services_inside() {
    let kit = sample_kit();
    let path = save("brochure", &renderer().render_brochure(&kit).expect("render"));
    let info = pdfinfo(&path);
    assert_size(&info, (A4_PTS.1, A4_PTS.0));
    assert_eq!(pages(&info), 2, "a tri-fold brochure is printed on two sides");
    let outside = poppler("pdftotext", &["-f", "1", "-l", "1"], &path, true);
    assert_contains(&outside, &kit.headline);
    assert_contains(&outside, &kit.panels[1].heading);
    assert_contains(&outside, &kit.contact[0]);
    assert!(qr_codes(&path, 1).is_empty(), "the outside carries no QR code");
    let mut found = qr_codes(&path, 2);
    found.sort();
    let mut want: Vec<String> = kit.services.iter().map(|s| s.url.clone()).collect();
    want.sort();
    assert_eq!(found, want);
}

#[test]
fn same_document_gives_same_bytes() {
    let fresh = TypstRenderer::new();
    let notice = sample_notice(Paper::F4);
    assert!(renderer().render_notice(&notice).expect("render") == fresh.render_notice(&notice).expect("render"));
    let kit = sample_kit();
    let poster = renderer().render_poster(&kit).expect("render");
    assert!(poster == fresh.render_poster(&kit).expect("render"));
    let mut other = kit.clone();
    other.headline.push('!');
    assert!(poster != renderer().render_poster(&other).expect("render"));
    let report = sample_report();
    assert!(
        renderer().render_table_report(&report).expect("render") == fresh.render_table_report(&report).expect("render")
    );
}

#[test]
fn document_text_is_never_markup() {
    let hostile = r#"#set page(paper: "a5") *tebal* $x$ ]) #panic("boom") <b>"#;
    let mut notice = sample_notice(Paper::F4);
    notice.title = hostile.to_owned();
    notice.rows[1].1 = hostile.to_owned();
    notice.body.push(hostile.to_owned());
    let path = save("notice-injection", &renderer().render_notice(&notice).expect("render"));
    assert_contains(&pdftotext(&path), hostile);
    assert_size(&pdfinfo(&path), F4_PTS);

    let mut kit = sample_kit();
    kit.headline = hostile.to_owned();
    kit.services[0].text = hostile.to_owned();
    kit.panels[0].bullets.push(hostile.to_owned());
    let path = save("brochure-injection", &renderer().render_brochure(&kit).expect("render"));
    let text = pdftotext(&path);
    assert_contains(&text, hostile);
    assert_size(&pdfinfo(&path), (A4_PTS.1, A4_PTS.0));

    let mut report = sample_report();
    report.tables[0].rows[0][0] = hostile.to_owned();
    report.tables[0].header[1] = hostile.to_owned();
    let path = save("report-injection", &renderer().render_table_report(&report).expect("render"));
    assert_contains(&pdftotext(&path), hostile);
}

#[test]
fn too_many_services_or_an_unencodable_url_is_an_error() {
    let mut kit = sample_kit();
    let extra = KitService {
        title: "Lagi".to_owned(),
        text: "Satu lagi.".to_owned(),
        url: "https://balai.example.id/x".to_owned(),
    };
    kit.services.push(extra.clone());
    let err = renderer().render_brochure(&kit).expect_err("a brochure has three inside panels");
    assert!(err.message.contains("at most 3"), "{err}");
    renderer().render_poster(&kit).expect("four services fit a poster");
    kit.services.push(extra);
    assert!(renderer().render_poster(&kit).is_err(), "five do not");

    let mut kit = sample_kit();
    kit.services[0].url = "x".repeat(5000);
    let err = renderer().render_poster(&kit).expect_err("must fail");
    assert!(err.message.contains("QR"), "{err}");

    // Rows shorter or longer than the header still render.
    let mut report = sample_report();
    report.tables[0].rows.push(vec![]);
    report.tables[0].rows.push(vec!["a".into(), "b".into(), "c".into()]);
    renderer().render_table_report(&report).expect("ragged rows render");
    let empty = Kit { services: vec![], panels: vec![], contact: vec![], ..sample_kit() };
    renderer().render_brochure(&empty).expect("an empty kit renders");
}
