//! The report category import: crates/app/src/reports/categories.rs reads the file with
//! `read_csv` and checks it with `import_rows::category_rows`.
//!
//! Properties: the file gives rows or located messages (`common::check_table`); an accepted
//! file gives one category per row, in order, each with a valid slug (2–80 of a–z, 0–9, -), a
//! name of 1–120 characters without control characters, the row's tier or the default one, and `active` unless the row says
//! 0/false/tidak; a refused one has one message per bad row, naming its line.

#![no_main]

mod common;
#[path = "../../crates/app/src/csv_input.rs"]
#[allow(dead_code)]
mod csv_input;
#[path = "../../crates/app/src/import_rows.rs"]
#[allow(dead_code)]
mod import_rows;

use balai_domain::lapor::Tier;
use libfuzzer_sys::fuzz_target;

const COLUMNS: [&str; 2] = ["slug", "name"];

fuzz_target!(|data: &[u8]| {
    let read = csv_input::read_csv(data, &COLUMNS);
    common::check_table(data, &COLUMNS, &COLUMNS, &read);
    let Ok(rows) = read else { return };
    let default_tier = Tier::Normatif;
    match import_rows::category_rows(&rows, default_tier) {
        Ok(categories) => {
            assert_eq!(categories.len(), rows.len(), "one category per row");
            for (i, (category, row)) in categories.iter().zip(&rows).enumerate() {
                let slug = &category.slug;
                assert_eq!(slug, &row.get("slug"));
                assert!((2..=80).contains(&slug.len()), "{slug:?}");
                assert!(slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "{slug:?}");
                assert!((1..=120).contains(&category.name.chars().count()));
                // Stored text never holds control characters (PostgreSQL refuses NUL in text).
                assert!(!category.name.chars().any(char::is_control), "line {}: {:?}", row.line, category.name);
                assert_eq!(category.name, row.get("name"));
                let tier = row.get("tier");
                assert_eq!(category.tier.as_str(), if tier.is_empty() { default_tier.as_str() } else { tier.as_str() });
                let off = ["0", "false", "tidak"].contains(&row.get("active").to_lowercase().as_str());
                assert_eq!(category.active, !off);
                assert_eq!(usize::try_from(category.order).ok(), Some(i + 1));
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
