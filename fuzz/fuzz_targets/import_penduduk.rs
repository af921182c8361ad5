//! The population register import: crates/app/src/letters/register.rs reads a CSV file or an
//! Excel workbook with `read_table` and checks it with `import_rows::penduduk_rows` (the store
//! then checks NIKs registered in other villages). Input starting with `<row` is a worksheet's
//! rows, wrapped into a workbook (see `common::table_bytes`).
//!
//! Properties: the file gives rows or located messages (`common::check_table`); the people are
//! the rows whose NIK is valid, in order, with that NIK; when no problem is found every row is
//! a person with a valid No. KK, a single-spaced name of 1–100 characters, a sex that is L/P or
//! the NIK's, text fields of at most 200 characters without control characters, and no NIK
//! twice; every problem names a row's line, and the NIK messages never show a whole NIK.

#![no_main]

mod common;
#[path = "../../crates/app/src/csv_input.rs"]
#[allow(dead_code)]
mod csv_input;
#[path = "../../crates/app/src/import_rows.rs"]
#[allow(dead_code)]
mod import_rows;

use std::collections::HashSet;

use balai_domain::nik::{Nik, NoKk};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let bytes = common::table_bytes(data);
    let read = csv_input::read_table(&bytes, &import_rows::REGISTER_COLUMNS, &import_rows::REGISTER_READ_COLUMNS);
    common::check_table(&bytes, &import_rows::REGISTER_COLUMNS, &import_rows::REGISTER_READ_COLUMNS, &read);
    let Ok(rows) = read else { return };
    let (people, errors) = import_rows::penduduk_rows(&rows);

    let valid: Vec<_> = rows.iter().filter_map(|r| Nik::parse(&r.get("nik")).ok().map(|n| (r, n))).collect();
    assert_eq!(people.len(), valid.len(), "the people are the rows with a valid NIK");
    for (person, (row, nik)) in people.iter().zip(&valid) {
        assert_eq!((person.line, &person.nik), (row.line, nik));
    }

    let row_lines: HashSet<u64> = rows.iter().map(|r| r.line).collect();
    for e in &errors {
        let line = common::message_line(e).unwrap_or_else(|| panic!("no line in {e:?}"));
        assert!(row_lines.contains(&line), "{e:?} names no row");
        if e.starts_with(&format!("line {line}: NIK")) {
            for person in &people {
                assert!(!e.contains(person.nik.as_str()), "{e:?} shows a whole NIK");
            }
        }
    }

    if !errors.is_empty() {
        return;
    }
    // Accepted: what the store will be given.
    assert_eq!(people.len(), rows.len(), "every row is a person");
    let mut niks = HashSet::new();
    for (person, row) in people.iter().zip(&rows) {
        let line = person.line;
        assert!(niks.insert(person.nik.clone()), "line {line}: NIK twice, accepted");
        assert_eq!(NoKk::parse(&person.no_kk).map(|kk| kk.as_str().to_string()).as_ref(), Ok(&person.no_kk));
        let nama = &person.nama;
        assert!((1..=100).contains(&nama.chars().count()), "line {line}: name {nama:?}");
        assert!(!nama.chars().any(char::is_control) && !nama.contains("  ") && nama.trim() == nama, "{nama:?}");
        match row.get("jenis_kelamin").as_str() {
            "" => assert_eq!(person.jenis_kelamin, person.nik.sex().label()),
            _ => assert!(["Laki-laki", "Perempuan"].contains(&person.jenis_kelamin.as_str()), "line {line}"),
        }
        for text in [
            &person.tempat_lahir,
            &person.agama,
            &person.status_kawin,
            &person.pekerjaan,
            &person.kewarganegaraan,
            &person.alamat,
            &person.rt,
            &person.rw,
            &person.hubungan,
        ] {
            assert!(text.chars().count() <= 200 && !text.chars().any(char::is_control), "line {line}: {text:?}");
        }
    }
});
