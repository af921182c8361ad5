//! Reading the CSV files operators import: UTF-8, a header row naming the columns, RFC 4180
//! quoting. Problems are reported with the file's own line numbers.

use std::collections::HashMap;

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

struct LineCounter<'a> {
    bytes: &'a [u8],
    byte: u64,
    line: u64,
}

impl LineCounter<'_> {
    /// The 1-based line of the record starting at byte offset `at` (offsets only move forward).
    /// A record's offset may point at blank lines before it, which are skipped.
    fn line_at(&mut self, at: u64) -> u64 {
        let mut to = (at as usize).min(self.bytes.len());
        while to < self.bytes.len() && matches!(self.bytes[to], b'\r' | b'\n') {
            to += 1;
        }
        let from = self.byte as usize;
        if to > from {
            self.line += self.bytes[from..to].iter().filter(|b| **b == b'\n').count() as u64;
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
    fn strips_a_byte_order_mark() {
        let rows = read_csv(b"\xEF\xBB\xBFcode,name\n32,Jawa Barat\n", &["code", "name"]).expect("valid");
        assert_eq!(rows[0].get("code"), "32");
    }
}
