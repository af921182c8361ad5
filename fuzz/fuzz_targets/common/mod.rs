//! Checks shared by the CSV targets. Each of them compiles balai-app's `csv_input` (and
//! `import_rows`) at its crate root, which is where `crate::csv_input` below points.

#![allow(dead_code)]

use std::borrow::Cow;
use std::collections::HashMap;

use crate::csv_input::{CsvRow, read_table};

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

/// The file a target reads: `data` itself (CSV, or a workbook if it starts like a ZIP), or, when
/// `data` starts with `<row`, an .xlsx workbook whose first worksheet's `<sheetData>` is `data`.
/// A fuzzer cannot keep a ZIP archive's checksums right, so this is how it reaches the cells.
pub fn table_bytes(data: &[u8]) -> Cow<'_, [u8]> {
    if data.starts_with(b"<row") { Cow::Owned(workbook(&String::from_utf8_lossy(data))) } else { Cow::Borrowed(data) }
}

/// A minimal .xlsx (stored, uncompressed) with one worksheet; style 1 is a date format.
pub fn workbook(sheet_data: &str) -> Vec<u8> {
    const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    const RELS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
    const DOC_RELS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let parts = [
        (
            "[Content_Types].xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
             <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
             <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
             <Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>\
             <Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>\
             <Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/></Types>"
                .to_string(),
        ),
        (
            "_rels/.rels",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"{RELS}\"><Relationship Id=\"rId1\" \
                 Type=\"{DOC_RELS}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"
            ),
        ),
        (
            "xl/workbook.xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"{MAIN}\" xmlns:r=\"{DOC_RELS}\"><sheets>\
                 <sheet name=\"Penduduk\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"{RELS}\">\
                 <Relationship Id=\"rId1\" Type=\"{DOC_RELS}/worksheet\" Target=\"worksheets/sheet1.xml\"/>\
                 <Relationship Id=\"rId2\" Type=\"{DOC_RELS}/styles\" Target=\"styles.xml\"/></Relationships>"
            ),
        ),
        (
            "xl/styles.xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><styleSheet xmlns=\"{MAIN}\"><numFmts count=\"1\">\
                 <numFmt numFmtId=\"164\" formatCode=\"dd/mm/yyyy\"/></numFmts><cellXfs count=\"3\"><xf numFmtId=\"0\"/>\
                 <xf numFmtId=\"164\" applyNumberFormat=\"1\"/><xf numFmtId=\"46\" applyNumberFormat=\"1\"/></cellXfs></styleSheet>"
            ),
        ),
        (
            "xl/worksheets/sheet1.xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"{MAIN}\"><sheetData>{sheet_data}</sheetData></worksheet>"
            ),
        ),
    ];
    stored_zip(&parts)
}

/// A ZIP archive of uncompressed files.
fn stored_zip(files: &[(&str, String)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in files {
        let (name, data) = (name.as_bytes(), data.as_bytes());
        let offset = out.len() as u32;
        // version, flags, method (stored), time, date (1980-01-01), CRC, sizes, name length, extra length
        let mut common = Vec::new();
        common.extend_from_slice(&20u16.to_le_bytes());
        common.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0x21, 0]);
        common.extend_from_slice(&crc32(data).to_le_bytes());
        common.extend_from_slice(&(data.len() as u32).to_le_bytes());
        common.extend_from_slice(&(data.len() as u32).to_le_bytes());
        common.extend_from_slice(&(name.len() as u16).to_le_bytes());
        common.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(b"PK\x03\x04");
        out.extend_from_slice(&common);
        out.extend_from_slice(name);
        out.extend_from_slice(data);
        central.extend_from_slice(b"PK\x01\x02");
        central.extend_from_slice(&20u16.to_le_bytes());
        central.extend_from_slice(&common);
        // comment length, disk, internal and external attributes, local header offset
        central.extend_from_slice(&[0; 10]);
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name);
    }
    let (central_offset, central_len) = (out.len() as u32, central.len() as u32);
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
    out.extend_from_slice(&(files.len() as u16).to_le_bytes());
    out.extend_from_slice(&(files.len() as u16).to_le_bytes());
    out.extend_from_slice(&central_len.to_le_bytes());
    out.extend_from_slice(&central_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for byte in data {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// The `N` of a message starting `line N: `.
pub fn message_line(message: &str) -> Option<u64> {
    let rest = message.strip_prefix("line ")?;
    let (digits, _) = rest.split_once(": ")?;
    digits.parse().ok()
}

/// Checks what `read_table(bytes, required, read)` returned, whatever the bytes:
/// - problems come as a non-empty list of messages that say where (`line N: ` in the file's own
///   numbering for CSV), never as a panic;
/// - rows are numbered as the file's lines, after the header, in increasing order (for CSV,
///   line N is the one after the (N-1)th line break, whatever the line ending);
/// - rows hold the trimmed fields (cells as text) under the header's (trimmed, lowercased)
///   names, and for CSV the non-blank records, all of them;
/// - the required columns only decide whether the header is good: with none required, the same
///   file gives the same rows.
pub fn check_table(bytes: &[u8], required: &[&str], read: &[&str], result: &Result<Vec<CsvRow>, Vec<String>>) {
    let xlsx = bytes.starts_with(ZIP_MAGIC);
    let line_breaks = count_line_breaks(bytes);
    match result {
        Err(errors) => {
            assert!(!errors.is_empty(), "an error without a message");
            for e in errors {
                if xlsx {
                    assert!(
                        message_line(e).is_some()
                            || e.starts_with("not a readable Excel workbook")
                            || e.starts_with("the workbook has no worksheet")
                            || e.starts_with("the first worksheet is too large"),
                        "{e:?}"
                    );
                } else {
                    let line = message_line(e).unwrap_or_else(|| panic!("no line number in {e:?}"));
                    assert!((1..=line_breaks + 1).contains(&line), "{e:?}: the file has {} lines", line_breaks + 1);
                }
            }
        }
        Ok(rows) => {
            for pair in rows.windows(2) {
                assert!(pair[0].line < pair[1].line, "rows on lines {} then {}", pair[0].line, pair[1].line);
            }
            for row in rows {
                for column in required.iter().chain(read) {
                    let value = row.get(column);
                    assert_eq!(value, value.trim(), "line {}: {column} is not trimmed", row.line);
                }
            }
            if let Some(first) = rows.first() {
                assert!(first.line >= 2, "a row on line {} (the header is on line 1 or later)", first.line);
            }
            if !xlsx {
                if let Some(last) = rows.last() {
                    assert!(last.line <= line_breaks + 1, "a row on line {} of {}", last.line, line_breaks + 1);
                }
                check_csv_fields(bytes, required, rows);
            }
            if !required.is_empty() {
                let again = read_table(bytes, &[], read).expect("good with columns required, so good without");
                let lines = |rows: &[CsvRow]| rows.iter().map(|r| r.line).collect::<Vec<_>>();
                assert_eq!(lines(&again), lines(rows));
            }
        }
    }
}

/// Line breaks as people count them: `\r\n`, `\n` or a lone `\r` (old Mac Excel CSV).
fn count_line_breaks(bytes: &[u8]) -> u64 {
    let mut count = 0;
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'\n' || (*b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
            count += 1;
        }
    }
    count
}

/// Reads the CSV again with the csv crate directly and compares fields and rows.
fn check_csv_fields(bytes: &[u8], required: &[&str], rows: &[CsvRow]) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(bytes);
    let header: Vec<String> =
        reader.headers().expect("the header was read").iter().map(|h| h.trim().to_lowercase()).collect();
    for column in required {
        assert!(header.iter().any(|h| h == column), "accepted without the column {column}");
    }
    let mut uses: HashMap<&str, usize> = HashMap::new();
    for h in &header {
        *uses.entry(h.as_str()).or_default() += 1;
    }
    let records: Vec<csv::StringRecord> = reader
        .records()
        .map(|r| r.expect("the rows were read"))
        .filter(|r| !r.iter().all(|f| f.trim().is_empty()))
        .collect();
    assert_eq!(records.len(), rows.len(), "every non-blank record is a row");
    for (record, row) in records.iter().zip(rows) {
        for (h, field) in header.iter().zip(record.iter()) {
            let value = row.get(h);
            assert_eq!(value, value.trim(), "line {}: {h} is not trimmed", row.line);
            // A column named twice holds one of its fields; the others are checked exactly.
            if uses[h.as_str()] == 1 {
                assert_eq!(value, field.trim(), "line {}: {h}", row.line);
            }
        }
    }
}
