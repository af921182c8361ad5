//! Reading the CSV files operators import: UTF-8, a header row naming the columns, RFC 4180
//! quoting. Problems are reported with the file's own line numbers. Some imports also take an
//! Excel workbook (.xlsx), read into the same rows with the spreadsheet's row numbers.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Cell, Data, DataRef, Range, Reader, Xlsx, XlsxError};

/// One data row: its line number in the file and its fields by column name.
pub(crate) struct CsvRow {
    pub line: u64,
    fields: HashMap<String, String>,
}

impl CsvRow {
    pub fn get(&self, column: &str) -> String {
        self.fields.get(column).cloned().unwrap_or_default()
    }
}

/// Parses `bytes` as CSV whose header has every `required` column (others are ignored).
/// Returns every row, or every problem found (bad encoding, wrong field count) by line.
pub(crate) fn read_csv(bytes: &[u8], required: &[&str]) -> Result<Vec<CsvRow>, Vec<String>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(bytes);
    let header: Vec<String> = match reader.byte_headers() {
        Ok(h) => match h.iter().map(|f| std::str::from_utf8(f).map(|s| s.trim().to_lowercase())).collect() {
            Ok(h) => h,
            Err(_) => return Err(vec!["line 1: the header is not valid UTF-8".into()]),
        },
        Err(e) => return Err(vec![format!("line 1: cannot read the header: {e}")]),
    };
    let missing: Vec<&str> = required.iter().copied().filter(|c| !header.iter().any(|h| h == c)).collect();
    if !missing.is_empty() {
        return Err(vec![format!(
            "line 1: the header must name the columns {}; missing: {}",
            required.join(","),
            missing.join(",")
        )]);
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut record = csv::ByteRecord::new();
    // The csv crate does not count blank lines; count newlines up to each record's byte offset.
    let mut lines = LineCounter { bytes, byte: 0, line: 1 };
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map_or(0, |p| lines.line_at(p.byte()));
                match record.iter().map(std::str::from_utf8).collect::<Result<Vec<_>, _>>() {
                    Ok(values) => {
                        if values.iter().all(|v| v.trim().is_empty()) {
                            continue;
                        }
                        let fields =
                            header.iter().cloned().zip(values.into_iter().map(|v| v.trim().to_string())).collect();
                        rows.push(CsvRow { line, fields });
                    }
                    Err(_) => errors.push(format!("line {line}: not valid UTF-8 (save the file as UTF-8)")),
                }
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.line_at(p.byte()));
                errors.push(format!("line {line}: {}", describe_csv_error(&e)));
                if !matches!(e.kind(), csv::ErrorKind::UnequalLengths { .. } | csv::ErrorKind::Utf8 { .. }) {
                    break;
                }
            }
        }
    }
    if errors.is_empty() { Ok(rows) } else { Err(errors) }
}

/// The first bytes of a ZIP archive, which is what an .xlsx workbook is.
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

/// Most cells a worksheet's table may span (from its first used row and column to its last), as
/// its rows are read into a grid: 4 million is 200,000 residents in 20 columns.
const MAX_GRID_CELLS: u64 = 4_000_000;

/// Integers below 2^53 survive a round trip through a spreadsheet's 64-bit float exactly; at
/// 2^53 and above, neighbouring integers share one float, so the digits may have changed.
const EXACT_INTEGER_LIMIT: f64 = 9_007_199_254_740_992.0;

/// Reads an operator's table: an Excel workbook when the bytes start like a ZIP archive (by
/// content, not by file name: renamed or extension-less files are common on office PCs), CSV
/// otherwise. `read` names the columns the caller uses (see `read_xlsx`).
pub(crate) fn read_table(bytes: &[u8], required: &[&str], read: &[&str]) -> Result<Vec<CsvRow>, Vec<String>> {
    if bytes.starts_with(ZIP_MAGIC) { read_xlsx(bytes, required, read) } else { read_csv(bytes, required) }
}

/// Parses the first worksheet of an .xlsx workbook whose first non-empty row is a header with
/// every `required` column, like `read_csv`. Rows are numbered as the spreadsheet shows them so
/// that staff can find them; empty rows are skipped. Cells become the text a CSV export would
/// hold: whole numbers as their digits, dates as YYYY-MM-DD. A cell of a column in `read` that
/// cannot be turned into text without guessing (a number with a fraction or too many digits to
/// be exact, an Excel error value) is reported for its row rather than rounded.
pub(crate) fn read_xlsx(bytes: &[u8], required: &[&str], read: &[&str]) -> Result<Vec<CsvRow>, Vec<String>> {
    let unreadable = |e: &dyn std::fmt::Display| {
        vec![format!(
            "not a readable Excel workbook (berkas Excel .xlsx ini tidak dapat dibaca): {e}; \
             save it again as .xlsx or as CSV UTF-8"
        )]
    };
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let Some(sheet) = workbook.sheet_names().into_iter().next() else {
        return Err(vec!["the workbook has no worksheet (buku kerja tidak berisi lembar kerja)".into()]);
    };
    // The used cells, read one by one: calamine's `worksheet_range` would lay them out as a grid
    // at once, and one stray cell at XFD1048576 asks that grid for half a terabyte.
    let mut cells = Vec::new();
    match workbook.worksheet_cells_reader(&sheet) {
        Ok(mut reader) => {
            while let Some(cell) = reader.next_cell().map_err(|e| unreadable(&e))? {
                if !matches!(cell.get_value(), DataRef::Empty) {
                    cells.push(Cell::new(cell.get_position(), Data::from(cell.get_value().clone())));
                }
            }
        }
        // A chart sheet: no cells.
        Err(XlsxError::NotAWorksheet(_)) => {}
        Err(e) => return Err(unreadable(&e)),
    }
    let ((top, left), (bottom, right)) = cells.iter().map(Cell::get_position).fold(
        ((u32::MAX, u32::MAX), (0, 0)),
        |((top, left), (bottom, right)), (row, column)| {
            ((top.min(row), left.min(column)), (bottom.max(row), right.max(column)))
        },
    );
    if !cells.is_empty() && (u64::from(bottom - top) + 1) * (u64::from(right - left) + 1) > MAX_GRID_CELLS {
        return Err(vec![format!(
            "the first worksheet is too large: its cells span rows {} to {} and columns {} to {}; delete the \
             cells outside the table (lembar kerja terlalu besar; hapus sel di luar tabel)",
            u64::from(top) + 1,
            u64::from(bottom) + 1,
            u64::from(left) + 1,
            u64::from(right) + 1
        )]);
    }
    let range = Range::from_sparse(cells);
    // The range starts at the first non-empty cell, so its first row is the header and its
    // offset turns positions back into the spreadsheet's row numbers.
    let Some((first_row, _)) = range.start() else {
        return Err(vec!["line 1: the first worksheet is empty (lembar kerja pertama kosong)".into()]);
    };
    let header_line = u64::from(first_row) + 1;
    let mut sheet_rows = range.rows();
    let header: Vec<String> = sheet_rows
        .next()
        .map(|cells| cells.iter().map(|c| cell_text(c).unwrap_or_default().trim().to_lowercase()).collect())
        .unwrap_or_default();
    let missing: Vec<&str> = required.iter().copied().filter(|c| !header.iter().any(|h| h == c)).collect();
    if !missing.is_empty() {
        return Err(vec![format!(
            "line {header_line}: the header must name the columns {}; missing: {}",
            required.join(","),
            missing.join(",")
        )]);
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (line, cells) in (header_line + 1..).zip(sheet_rows) {
        let mut fields = HashMap::new();
        let mut blank = true;
        for (name, cell) in header.iter().zip(cells) {
            match cell_text(cell) {
                Ok(text) => {
                    blank &= text.is_empty();
                    fields.insert(name.clone(), text);
                }
                Err(problem) => {
                    blank = false;
                    // Columns the import ignores may hold anything, as in a CSV file.
                    if read.contains(&name.as_str()) {
                        errors.push(format!("line {line}: {name}: {problem}"));
                    }
                }
            }
        }
        if !blank {
            rows.push(CsvRow { line, fields });
        }
    }
    if errors.is_empty() { Ok(rows) } else { Err(errors) }
}

/// A cell as the text a CSV export of it would hold, or why it has no faithful text.
fn cell_text(cell: &Data) -> Result<String, String> {
    match cell {
        Data::Empty => Ok(String::new()),
        Data::String(s) => Ok(s.trim().to_string()),
        Data::Int(i) => Ok(i.to_string()),
        Data::Float(f) => exact_integer(*f),
        Data::Bool(b) => Ok(if *b { "TRUE" } else { "FALSE" }.to_string()),
        Data::DateTime(dt) => {
            if dt.is_duration() || dt.as_f64() < 1.0 {
                return Err("the cell holds a time or a duration, not a date or text".into());
            }
            let (year, month, day, ..) = dt.to_ymd_hms_milli();
            chrono::NaiveDate::from_ymd_opt(i32::from(year), u32::from(month), u32::from(day))
                .map(|d| d.format("%Y-%m-%d").to_string())
                .ok_or_else(|| format!("the date {year:04}-{month:02}-{day:02} does not exist"))
        }
        // Written by other tools as ISO 8601 text; a date-time keeps only its date.
        Data::DateTimeIso(s) => {
            let s = s.trim();
            Ok(match s.get(..10) {
                Some(date) if chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_ok() => date.to_string(),
                _ => s.to_string(),
            })
        }
        Data::DurationIso(s) => Ok(s.trim().to_string()),
        Data::Error(e) => Err(format!("the cell shows the Excel error {e}")),
    }
}

/// A numeric cell's digits, when it is a whole number the float holds exactly. Identity numbers
/// (NIK, No. KK) typed into a number-formatted cell arrive like this; anything that may have lost
/// digits must be retyped, not guessed.
fn exact_integer(f: f64) -> Result<String, String> {
    if !f.is_finite() || f.fract() != 0.0 {
        return Err(format!("the number {f} is not a whole number; type the value as text"));
    }
    if f.abs() >= EXACT_INTEGER_LIMIT {
        return Err(format!(
            "the number {f:e} has more digits than a spreadsheet number keeps exactly; format the column as \
             Text and type the digits again (format kolom sebagai Teks lalu ketik ulang angkanya)"
        ));
    }
    // Exact: |f| < 2^53 and whole, so the conversion neither truncates nor rounds.
    Ok(format!("{}", f as i64))
}

struct LineCounter<'a> {
    bytes: &'a [u8],
    byte: u64,
    line: u64,
}

impl LineCounter<'_> {
    /// The 1-based line of the record starting at byte offset `at` (offsets only move forward).
    /// A record's offset may point at blank lines before it, which are skipped. Lines end as the
    /// csv crate ends records: `\r\n`, `\n`, or a lone `\r` (old Mac Excel "CSV (Macintosh)").
    fn line_at(&mut self, at: u64) -> u64 {
        let mut to = (at as usize).min(self.bytes.len());
        while to < self.bytes.len() && matches!(self.bytes[to], b'\r' | b'\n') {
            to += 1;
        }
        let from = self.byte as usize;
        if to > from {
            let bytes = self.bytes;
            let line_break = |i: &usize| bytes[*i] == b'\n' || (bytes[*i] == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
            self.line += (from..to).filter(line_break).count() as u64;
            self.byte = to as u64;
        }
        self.line
    }
}

fn describe_csv_error(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("expected {expected_len} fields, found {len}")
        }
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rows_with_line_numbers_and_ignores_extra_columns() {
        let rows = read_csv(b"code,name,extra\n32,\"Jawa, Barat\",x\n\n32.07,Ciamis,y\n", &["code", "name"])
            .expect("valid csv");
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].line, rows[0].get("name")), (2, "Jawa, Barat".to_string()));
        assert_eq!(rows[1].line, 4);
    }

    #[test]
    fn reports_missing_columns_bad_encoding_and_field_counts() {
        let errs = read_csv(b"code\n1\n", &["code", "name"]).err().expect("missing column");
        assert!(errs[0].contains("missing: name"), "{errs:?}");
        let errs = read_csv(b"code,name\n32,Jawa\n33,\xff\xfe\n34\n", &["code", "name"]).err().expect("bad rows");
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(errs[0].starts_with("line 3: not valid UTF-8"), "{errs:?}");
        assert!(errs[1].starts_with("line 4: expected 2 fields, found 1"), "{errs:?}");
    }

    #[test]
    fn whole_numbers_below_2_pow_53_come_back_digit_for_digit() {
        assert_eq!(exact_integer(3.207061205900001e15).as_deref(), Ok("3207061205900001"));
        assert_eq!(exact_integer(9_007_199_254_740_991.0).as_deref(), Ok("9007199254740991"));
        assert_eq!(exact_integer(1.0).as_deref(), Ok("1"));
        // 2^53 + 1 is stored as 2^53: from there on the digits may not be the ones typed.
        assert!(exact_integer(9_007_199_254_740_992.0).is_err());
        assert!(exact_integer(9_407_061_205_900_012.0).is_err());
        assert!(exact_integer(12.5).err().is_some_and(|e| e.contains("12.5")));
        assert!(exact_integer(f64::NAN).is_err());
    }

    #[test]
    fn reads_an_xlsx_by_its_content_with_spreadsheet_row_numbers() {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        let date = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
        // Two blank rows above the header: rows keep the numbers the spreadsheet shows.
        sheet.write_string(2, 0, " Code ").expect("cell");
        sheet.write_string(2, 1, "NAME").expect("cell");
        sheet.write_string(2, 2, "born").expect("cell");
        sheet.write_number(3, 0, 3207.0).expect("cell");
        sheet.write_string(3, 1, " Ciamis ").expect("cell");
        let born = rust_xlsxwriter::ExcelDateTime::from_ymd(1990, 5, 12).expect("date");
        sheet.write_datetime_with_format(3, 2, &born, &date).expect("cell");
        sheet.write_string(5, 1, "Tasik").expect("cell");
        let bytes = workbook.save_to_buffer().expect("xlsx");
        let rows = read_table(&bytes, &["code", "name"], &["code", "name", "born"]).expect("valid xlsx");
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].line, rows[0].get("code"), rows[0].get("name"), rows[0].get("born")),
            (4, "3207".to_string(), "Ciamis".to_string(), "1990-05-12".to_string())
        );
        assert_eq!((rows[1].line, rows[1].get("name")), (6, "Tasik".to_string()));
        let errs = read_table(&bytes, &["code", "kind"], &[]).err().expect("missing column");
        assert!(errs[0].starts_with("line 3: the header must name"), "{errs:?}");
    }

    #[test]
    fn iso_date_and_duration_cells_are_trimmed_like_the_others() {
        let iso = |s: &str| Data::DateTimeIso(s.to_string());
        assert_eq!(cell_text(&iso(" 1995-08-12T00:00:00 ")).as_deref(), Ok("1995-08-12"));
        assert_eq!(cell_text(&iso(" 12/08/1995 ")).as_deref(), Ok("12/08/1995"));
        assert_eq!(cell_text(&Data::DurationIso(" PT1H ".into())).as_deref(), Ok("PT1H"));
        assert_eq!(cell_text(&Data::String(" Budi ".into())).as_deref(), Ok("Budi"));
    }

    #[test]
    fn a_cell_far_from_the_table_is_an_error_not_a_huge_grid() {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.write_string(1, 0, "nik").expect("cell");
        sheet.write_string(2, 0, "3207061205900011").expect("cell");
        // 999,999 rows × 16,384 columns would be a 16-billion-cell grid.
        sheet.write_number(999_999, 16_383, 1.0).expect("cell");
        let bytes = workbook.save_to_buffer().expect("xlsx");
        let errs = read_table(&bytes, &["nik"], &["nik"]).err().expect("refused");
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(errs[0].contains("rows 2 to 1000000 and columns 1 to 16384"), "{errs:?}");
        // A long table is fine.
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.write_string(0, 0, "nik").expect("cell");
        sheet.write_string(0, 1, "nama").expect("cell");
        sheet.write_string(199_999, 1, "Budi").expect("cell");
        let bytes = workbook.save_to_buffer().expect("xlsx");
        let rows = read_table(&bytes, &["nik"], &["nik"]).expect("read");
        assert_eq!((rows.len(), rows[0].line, rows[0].get("nama")), (1, 200_000, "Budi".to_string()));
    }

    #[test]
    fn a_zip_that_is_not_a_workbook_is_an_error_and_csv_is_still_csv() {
        let errs = read_table(b"PK\x03\x04not really a zip", &["code"], &["code"]).err().expect("rejected");
        assert!(errs[0].starts_with("not a readable Excel workbook (berkas Excel"), "{errs:?}");
        let rows = read_table(b"code\n32\n", &["code"], &["code"]).expect("csv");
        assert_eq!(rows[0].get("code"), "32");
    }

    #[test]
    fn lines_end_with_lf_crlf_or_a_lone_cr() {
        for (eol, name) in [("\n", "LF"), ("\r\n", "CRLF"), ("\r", "CR")] {
            let csv = ["code,name", "32,Jawa Barat", "", "33,\"Jawa", "Tengah\"", "34"].join(eol);
            let errs = read_csv(csv.as_bytes(), &["code", "name"]).err().expect("short row");
            assert_eq!(errs, ["line 6: expected 2 fields, found 1"], "{name}");
            let rows = read_csv(csv.rsplit_once(eol).expect("rows").0.as_bytes(), &["code"]).expect("valid");
            let lines: Vec<u64> = rows.iter().map(|r| r.line).collect();
            assert_eq!(lines, [2, 4], "{name}");
        }
    }

    #[test]
    fn strips_a_byte_order_mark() {
        let rows = read_csv(b"\xEF\xBB\xBFcode,name\n32,Jawa Barat\n", &["code", "name"]).expect("valid");
        assert_eq!(rows[0].get("code"), "32");
    }
}
