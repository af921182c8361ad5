//! Importing a village's population register from an Excel workbook (.xlsx), as villages keep
//! it: real workbooks written with rust_xlsxwriter, identity numbers typed as numbers, date
//! cells, blank rows, and errors that name the spreadsheet's own row numbers.

use std::sync::Arc;

use balai_app::demo::seed_demo;
use balai_app::{Actor, App, AppConfig, AppError, FixedClock, StaffUser};
use balai_domain::wilayah::KodeWilayah;
use balai_store::testing::{TestDatabase, fresh_store};
use chrono::{NaiveDate, TimeZone, Utc};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

const DESA: &str = "32.07.06.2001";

/// The demo seeds three residents of Desa Sukamulya.
const DEMO_RESIDENTS: i64 = 4;

async fn app() -> (App, TestDatabase) {
    let (store, db) = fresh_store().await;
    let clock = Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2026, 11, 23, 2, 0, 0).single().expect("time")));
    let config = AppConfig { home_region: Some(KodeWilayah::parse("32.07").expect("code")), ..Default::default() };
    let app = App::new(store, clock, config);
    seed_demo(&app).await.expect("seed");
    (app, db)
}

async fn operator(app: &App) -> Actor {
    let user = app.store().user_by_username("operator.sukamulya").await.expect("lookup").expect("exists");
    Actor::Staff(StaffUser::from(user))
}

/// One cell of a test workbook.
enum Cell {
    Text(&'static str),
    Number(f64),
    Date(u16, u8, u8),
    Empty,
}

use Cell::{Date, Empty, Number, Text};

/// A workbook whose first worksheet holds `rows` from row 1 (an empty slice is a blank row).
fn workbook(rows: &[&[Cell]]) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let date_format = Format::new().set_num_format("dd/mm/yyyy");
    for (r, cells) in rows.iter().enumerate() {
        for (c, cell) in cells.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match cell {
                Text(t) => sheet.write_string(r, c, *t).map(|_| ()),
                Number(n) => sheet.write_number(r, c, *n).map(|_| ()),
                Date(y, m, d) => {
                    let date = ExcelDateTime::from_ymd(*y, *m, *d).expect("date");
                    sheet.write_datetime_with_format(r, c, &date, &date_format).map(|_| ())
                }
                Empty => Ok(()),
            }
            .expect("write cell");
        }
    }
    // A second sheet that must be ignored: only the first one is the register.
    workbook.add_worksheet().write_string(0, 0, "catatan").expect("cell");
    workbook.save_to_buffer().expect("xlsx")
}

const HEADER: &[Cell] =
    &[Text(" NIK "), Text("No_KK"), Text("Nama"), Text("Tanggal_Lahir"), Text("jenis_kelamin"), Text("RT")];

fn rejected_lines(result: Result<impl std::fmt::Debug, AppError>) -> String {
    match result {
        Err(AppError::ImportRejected(_, lines)) => lines.join("\n"),
        other => panic!("expected a rejected import, got {other:?}"),
    }
}

#[tokio::test]
async fn a_workbook_with_numeric_niks_and_date_cells_is_imported_exactly() {
    let (app, _db) = app().await;
    let operator = operator(&app).await;
    let bytes = workbook(&[
        HEADER,
        // The NIK typed as a number (3.207061205900011e15 in the file) and a real date cell.
        &[
            Number(3_207_061_205_900_011.0),
            Text("3207060101200001"),
            Text("Budi Pratama"),
            Date(1990, 5, 12),
            Text("L"),
        ],
        &[],
        &[
            Text("3207065208950012"),
            Number(3_207_060_101_200_001.0),
            Text("  Siti   Aminah "),
            Text("12-08-1995"),
            Text("P"),
            Number(1.0),
        ],
        &[Empty, Text(""), Empty],
    ]);
    assert!(bytes.starts_with(b"PK\x03\x04"));
    // Recognised by its content, whatever the file is called.
    let report = app.import_penduduk(&operator, DESA, "register-desa", &bytes).await.expect("import");
    assert_eq!((report.rows_read, report.inserted, report.updated), (2, 2, 0));
    assert_eq!(app.store().count_penduduk(DESA).await.expect("count"), DEMO_RESIDENTS + 2);

    let budi = app.search_penduduk(&operator, DESA, "Budi").await.expect("search");
    assert_eq!(budi.len(), 1);
    assert_eq!(budi[0].nik, "3207061205900011", "16 digits back exactly from the float");
    assert_eq!(budi[0].tanggal_lahir, NaiveDate::from_ymd_opt(1990, 5, 12), "the date cell");
    let siti = app.search_penduduk(&operator, DESA, "3207065208950012").await.expect("search");
    assert_eq!(siti.len(), 1);
    assert_eq!((siti[0].nama.as_str(), siti[0].no_kk.as_str()), ("Siti Aminah", "3207060101200001"));
    assert_eq!((siti[0].tanggal_lahir, siti[0].rt.as_str()), (NaiveDate::from_ymd_opt(1995, 8, 12), "1"));

    // The same workbook again updates the same people.
    let report = app.import_penduduk(&operator, DESA, "register.xlsx", &bytes).await.expect("import");
    assert_eq!((report.inserted, report.updated), (0, 2));
}

#[tokio::test]
async fn a_bad_nik_is_reported_with_its_spreadsheet_row() {
    let (app, _db) = app().await;
    let operator = operator(&app).await;
    let bytes = workbook(&[
        HEADER,
        &[Text("3207061205900011"), Text("3207060101200001"), Text("Budi Pratama")],
        &[Text("3207065208950012"), Text("3207060101200001"), Text("Siti Aminah")],
        &[Number(320_706_120_590.0), Text("3207060101200001"), Text("NIK Pendek")],
    ]);
    let all = rejected_lines(app.import_penduduk(&operator, DESA, "bad.xlsx", &bytes).await);
    assert!(all.starts_with("bad.xlsx: line 4: NIK"), "{all}");
    assert_eq!(all.lines().count(), 1, "{all}");
    assert_eq!(app.store().count_penduduk(DESA).await.expect("count"), DEMO_RESIDENTS, "nothing written");
}

#[tokio::test]
async fn numbers_that_cannot_be_read_exactly_are_errors_not_rounded() {
    let (app, _db) = app().await;
    let operator = operator(&app).await;
    let bytes = workbook(&[
        &[],
        HEADER,
        &[Text("3207061205900011"), Text("3207060101200001"), Text("Budi Pratama")],
        // Province 94: a 16-digit NIK above 2^53, which a float cannot hold exactly.
        &[Number(9_407_061_205_900_012.0), Text("9407060101200001"), Text("Papua")],
        &[Text("3207065208950012"), Text("3207060101200001"), Text("Siti Aminah"), Empty, Empty, Number(1.5)],
    ]);
    let all = rejected_lines(app.import_penduduk(&operator, DESA, "angka.xlsx", &bytes).await);
    assert!(all.contains("angka.xlsx: line 4: nik: the number 9.40706120590001"), "{all}");
    assert!(all.contains("format the column as Text"), "{all}");
    assert!(all.contains("angka.xlsx: line 5: rt: the number 1.5 is not a whole number"), "{all}");
    assert_eq!(app.store().count_penduduk(DESA).await.expect("count"), DEMO_RESIDENTS, "nothing written");
}

#[tokio::test]
async fn a_nik_twice_in_a_workbook_is_refused() {
    let (app, _db) = app().await;
    let operator = operator(&app).await;
    let bytes = workbook(&[
        HEADER,
        &[Text("3207061205900011"), Text("3207060101200001"), Text("Budi Pratama")],
        &[Number(3_207_061_205_900_011.0), Text("3207060101200001"), Text("Budi Lagi")],
    ]);
    let all = rejected_lines(app.import_penduduk(&operator, DESA, "dup.xlsx", &bytes).await);
    assert!(all.contains("dup.xlsx: line 3: NIK 3207********0011 already appears on line 2"), "{all}");
    assert_eq!(app.store().count_penduduk(DESA).await.expect("count"), DEMO_RESIDENTS, "nothing written");
}

#[tokio::test]
async fn a_file_that_only_looks_like_a_workbook_gets_a_clear_error() {
    let (app, _db) = app().await;
    let operator = operator(&app).await;
    let mut broken = workbook(&[HEADER, &[Text("3207061205900011"), Text("3207060101200001"), Text("Budi")]]);
    broken.truncate(200);
    for bytes in [b"PK\x03\x04 this is no workbook".to_vec(), broken] {
        let all = rejected_lines(app.import_penduduk(&operator, DESA, "rusak.xlsx", &bytes).await);
        assert!(
            all.starts_with("rusak.xlsx: not a readable Excel workbook (berkas Excel .xlsx ini tidak dapat dibaca)")
        );
        assert!(all.contains("save it again as .xlsx or as CSV UTF-8"), "{all}");
    }
    // A workbook without the required columns says which are missing, on the header's row.
    let bytes = workbook(&[&[Text("nik"), Text("nama")], &[Text("3207061205900011"), Text("Budi")]]);
    let all = rejected_lines(app.import_penduduk(&operator, DESA, "kolom.xlsx", &bytes).await);
    assert!(all.contains("kolom.xlsx: line 1: the header must name the columns nik,no_kk,nama; missing: no_kk"));
}

#[tokio::test]
async fn a_csv_saved_from_a_spreadsheet_in_scientific_notation_gets_a_hint() {
    let (app, _db) = app().await;
    let operator = operator(&app).await;
    let csv = "nik,no_kk,nama\n3.20706E+15,3207060101200001,Budi Pratama\n";
    let all = rejected_lines(app.import_penduduk(&operator, DESA, "penduduk.csv", csv.as_bytes()).await);
    assert!(all.starts_with("penduduk.csv: line 2: NIK"), "{all}");
    assert!(all.contains("scientific notation"), "{all}");
}
