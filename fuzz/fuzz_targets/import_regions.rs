//! The region import (`balai wilayah import`): crates/app/src/regions.rs reads each file with
//! `read_csv` and plans the batch with `balai_domain::wilayah::plan_region_import`.
//!
//! Properties: the file gives rows or located messages (`common::check_table`); a planned
//! batch has one region per row, each with a valid normalised code that re-parses to itself,
//! the level and parent its code implies and the file states, a trimmed name of 1–100
//! characters without control characters, no code twice, and parents (from the batch or the
//! database) before their children; a refused batch says which lines are wrong, in order.

#![no_main]

mod common;
#[path = "../../crates/app/src/csv_input.rs"]
#[allow(dead_code)]
mod csv_input;

use std::collections::HashMap;

use balai_domain::wilayah::{KodeWilayah, MAX_NAME_CHARS, RawRegionRow, plan_region_import};
use libfuzzer_sys::fuzz_target;

const COLUMNS: [&str; 4] = ["code", "name", "level", "parent_code"];

/// Regions already in the database: West Java and Ciamis.
fn stored(code: &KodeWilayah) -> bool {
    matches!(code.as_str(), "32" | "32.07")
}

fuzz_target!(|data: &[u8]| {
    let read = csv_input::read_csv(data, &COLUMNS);
    common::check_table(data, &COLUMNS, &COLUMNS, &read);
    let Ok(rows) = read else { return };
    // As App::import_regions does for its first file.
    let raw: Vec<RawRegionRow> = rows
        .iter()
        .map(|row| RawRegionRow {
            line: row.line,
            code: row.get("code"),
            name: row.get("name"),
            level: row.get("level"),
            parent_code: row.get("parent_code"),
        })
        .collect();
    let by_line: HashMap<u64, &RawRegionRow> = raw.iter().map(|r| (r.line, r)).collect();
    match plan_region_import(raw.clone(), stored) {
        Ok(regions) => {
            assert_eq!(regions.len(), raw.len(), "one region per row");
            let mut index = HashMap::new();
            for (i, region) in regions.iter().enumerate() {
                let code = &region.code;
                assert_eq!(KodeWilayah::parse(code.as_str()).as_ref(), Ok(code), "normalised");
                assert!(index.insert(code.clone(), i).is_none(), "{code} twice");
                assert_eq!(region.level, code.level(), "{code}");
                assert_eq!(region.level.depth(), code.depth());
                assert_eq!(region.parent, code.parent(), "{code}");
                let name = &region.name;
                assert!(!name.is_empty() && name.trim() == name, "{code}: name {name:?}");
                assert!(name.chars().count() <= MAX_NAME_CHARS && !name.chars().any(char::is_control));
                // What the file said about it.
                let row = raw.iter().find(|r| KodeWilayah::parse(&r.code).as_ref() == Ok(code)).expect("its row");
                assert_eq!(row.level.trim(), region.level.as_str());
                assert_eq!(row.name.trim(), name);
                assert_eq!(row.parent_code.trim().is_empty(), region.parent.is_none());
                if let Some(parent) = &region.parent {
                    assert_eq!(KodeWilayah::parse(&row.parent_code).as_ref(), Ok(parent));
                }
            }
            for (i, region) in regions.iter().enumerate() {
                if let Some(parent) = &region.parent {
                    match index.get(parent) {
                        Some(p) => assert!(*p < i, "{parent} after its child {}", region.code),
                        None => assert!(stored(parent), "{}: parent {parent} exists nowhere", region.code),
                    }
                }
            }
        }
        Err(errors) => {
            assert!(!errors.is_empty());
            for pair in errors.windows(2) {
                assert!(pair[0].line <= pair[1].line, "errors out of line order");
            }
            for e in &errors {
                assert!(by_line.contains_key(&e.line), "{e} names no row");
                assert_eq!(common::message_line(&e.message), Some(e.line), "{e}");
            }
        }
    }
});
