//! Reading an operator's table (crates/app/src/csv_input.rs): CSV, or an Excel workbook when the
//! bytes start like a ZIP archive, with each import's required columns. Input starting with
//! `<row` is a worksheet's rows, wrapped into a workbook (see `common::table_bytes`).
//!
//! Properties: see `common::check_table` (rows or located messages, never a panic; rows
//! numbered as the file's lines; trimmed fields under the header's names; required columns
//! only gate the header).

#![no_main]

mod common;
#[path = "../../crates/app/src/csv_input.rs"]
#[allow(dead_code)]
mod csv_input;

use libfuzzer_sys::fuzz_target;

/// The columns each import requires, and none.
const REQUIRED: [&[&str]; 5] = [
    &[],
    &["code", "name", "level", "parent_code"],
    &["date", "name", "kind"],
    &["slug", "name"],
    &["nik", "no_kk", "nama"],
];

fuzz_target!(|data: &[u8]| {
    let bytes = common::table_bytes(data);
    for required in REQUIRED {
        let rows = csv_input::read_table(&bytes, required, required);
        common::check_table(&bytes, required, required, &rows);
    }
});
