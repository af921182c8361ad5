//! The holiday import (`balai libur import`): crates/app/src/calendar.rs reads the file with
//! `read_csv` and checks it with `import_rows::holiday_rows`.
//!
//! Properties: the file gives rows or located messages (`common::check_table`); an accepted
//! file gives one holiday per row with the row's date (YYYY-MM-DD), kind and a name of 1–150
//! characters without control characters, and its source without control characters; a
//! refused one has one message per bad row, naming its line.

#![no_main]

mod common;
#[path = "../../crates/app/src/csv_input.rs"]
#[allow(dead_code)]
mod csv_input;
#[path = "../../crates/app/src/import_rows.rs"]
#[allow(dead_code)]
mod import_rows;

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;

const COLUMNS: [&str; 3] = ["date", "name", "kind"];

fuzz_target!(|data: &[u8]| {
    let read = csv_input::read_csv(data, &COLUMNS);
    common::check_table(data, &COLUMNS, &COLUMNS, &read);
    let Ok(rows) = read else { return };
    match import_rows::holiday_rows(&rows) {
        Ok(holidays) => {
            assert_eq!(holidays.len(), rows.len(), "one holiday per row");
            for ((holiday, source), row) in holidays.iter().zip(&rows) {
                assert_eq!(NaiveDate::parse_from_str(&row.get("date"), "%Y-%m-%d"), Ok(holiday.date));
                assert_eq!(holiday.kind.as_str(), row.get("kind"), "line {}", row.line);
                assert_eq!(holiday.name, row.get("name"));
                assert!((1..=150).contains(&holiday.name.chars().count()), "line {}", row.line);
                // Stored text never holds control characters (PostgreSQL refuses NUL in text).
                assert!(!holiday.name.chars().any(char::is_control), "line {}: name {:?}", row.line, holiday.name);
                assert!(!source.chars().any(char::is_control), "line {}: source {source:?}", row.line);
                let kept: String = row.get("source").chars().filter(|c| !c.is_control()).collect();
                assert_eq!(source, &kept);
            }
        }
        Err(errors) => {
            assert!(!errors.is_empty() && errors.len() <= rows.len(), "one message per bad row");
            let lines: Vec<u64> = errors.iter().map(|e| common::message_line(e).expect("a line")).collect();
            assert!(lines.windows(2).all(|w| w[0] < w[1]), "{errors:?}");
            assert!(lines.iter().all(|l| rows.iter().any(|r| r.line == *l)), "{errors:?}");
        }
    }
});
