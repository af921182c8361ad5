//! The `balai` command, run as an operator runs it: each test works in its own temporary
//! directory, on a SQLite file there or, when `TEST_DATABASE_URL` names a PostgreSQL server, on a
//! fresh database of that server. The real Kemendagri and holiday files in `shared/data` are
//! read in place.

use std::path::Path;
use std::process::{Command, Output};

use balai_store::testing::{TestDatabase, execute_raw, fresh_database, try_execute_raw};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/");

/// Alphabet of generated passwords (no look-alikes), see `balai_app::users::generate_password`.
const PASSWORD_ALPHABET: &str = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

fn data(name: &str) -> String {
    format!("{DATA}{name}")
}

fn on_postgres() -> bool {
    std::env::var("TEST_DATABASE_URL").is_ok_and(|url| url.starts_with("postgres"))
}

/// The database of one test; a PostgreSQL test database is kept alive as long as this value.
struct Db {
    url: String,
    _pg: Option<TestDatabase>,
}

async fn database(dir: &Path) -> Db {
    if on_postgres() {
        let db = fresh_database().await;
        Db { url: db.url.clone(), _pg: Some(db) }
    } else {
        Db { url: sqlite_url(&dir.join("balai.db")), _pg: None }
    }
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

/// `balai` in `dir`, with no inherited `BALAI_*` variables and quiet logging.
fn command(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_balai"));
    cmd.current_dir(dir);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("BALAI_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("BALAI_LOG", "warn");
    cmd
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("run the balai binary")
}

/// Runs `balai ARGS` in `dir` against the database `db_url`.
fn balai(dir: &Path, db_url: &str, args: &[&str]) -> Output {
    run(command(dir).env("BALAI_DATABASE_URL", db_url).args(args))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn describe(out: &Output) -> String {
    format!("status {:?}\n--- stdout\n{}--- stderr\n{}", out.status.code(), text(&out.stdout), text(&out.stderr))
}

/// Asserts success and returns stdout.
fn succeeds(out: &Output) -> String {
    assert!(out.status.success(), "expected success, got {}", describe(out));
    text(&out.stdout)
}

/// Asserts a runtime failure (exit status 1, nothing on stdout) and returns stderr.
fn fails(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(1), "expected exit status 1, got {}", describe(out));
    assert!(out.stdout.is_empty(), "a failed command printed to stdout: {}", describe(out));
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("error: "), "stderr does not start with `error: `: {}", describe(out));
    stderr
}

/// Asserts a command-line usage error (clap's exit status 2) and returns stderr.
fn usage_error(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(2), "expected a usage error, got {}", describe(out));
    text(&out.stderr)
}

/// Asserts an import report `Imported R rows from F file(s) in T s: N new, U updated, S unchanged.`
/// (the elapsed time is not compared).
fn assert_imported(stdout: &str, rows: usize, files: usize, new: usize, updated: usize, unchanged: usize) {
    let line = stdout.trim_end();
    let head = format!("Imported {rows} rows from {files} file(s) in ");
    let tail = format!(" s: {new} new, {updated} updated, {unchanged} unchanged.");
    assert!(line.starts_with(&head) && line.ends_with(&tail), "expected `{head}… {tail}`, got `{line}`");
    assert!(!line.contains('\n'), "one line expected: {stdout}");
}

/// The number of records `balai audit verify` reports (asserting that the trail is intact).
fn audit_records(dir: &Path, db_url: &str) -> u64 {
    let stdout = succeeds(&balai(dir, db_url, &["audit", "verify"]));
    stdout
        .trim_end()
        .strip_prefix("Audit trail intact: ")
        .and_then(|rest| rest.strip_suffix(" records verified."))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("unexpected audit verify output: {stdout}"))
}

/// The problem lines (indented) of an `import rejected` error.
fn problems(stderr: &str) -> Vec<&str> {
    stderr.lines().filter_map(|l| l.strip_prefix("  ")).collect()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).expect("write test file");
}

fn assert_password(password: &str) {
    assert_eq!(password.chars().count(), 16, "password {password:?}");
    assert!(password.chars().all(|c| PASSWORD_ALPHABET.contains(c)), "password {password:?}");
}

/// Imports all provinces and regencies plus Ciamis's kecamatan and villages (844 regions).
fn import_ciamis(dir: &Path, db_url: &str) {
    let out = balai(
        dir,
        db_url,
        &["wilayah", "import", &data("wilayah-kabupaten-kota.csv"), &data("wilayah-3207-ciamis.csv")],
    );
    assert_imported(&succeeds(&out), 844, 2, 844, 0, 0);
}

#[tokio::test]
async fn region_import_reports_counts_and_is_idempotent() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    let db = database(dir).await;

    import_ciamis(dir, &db.url);
    assert_eq!(audit_records(dir, &db.url), 1, "one import, one audit record");

    // The same files again change nothing and write no audit record.
    let out = balai(
        dir,
        &db.url,
        &["wilayah", "import", &data("wilayah-kabupaten-kota.csv"), &data("wilayah-3207-ciamis.csv")],
    );
    assert_imported(&succeeds(&out), 844, 2, 0, 0, 844);
    assert_eq!(audit_records(dir, &db.url), 1);

    // A renamed village (undotted code, as some sources write it) is an update.
    write(dir, "rename.csv", b"code,name,level,parent_code\n3207062001,Sukamulya Baru,desa,320706\n");
    assert_imported(&succeeds(&balai(dir, &db.url, &["wilayah", "import", "rename.csv"])), 1, 1, 0, 1, 0);
    assert_eq!(audit_records(dir, &db.url), 2);
    assert_imported(&succeeds(&balai(dir, &db.url, &["wilayah", "import", "rename.csv"])), 1, 1, 0, 0, 1);
}

#[tokio::test]
async fn region_import_without_parents_writes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    let db = database(dir).await;
    let ciamis = data("wilayah-3207-ciamis.csv");

    // The Ciamis file lacks its regency 32.07: every kecamatan row names a missing parent.
    let stderr = fails(&balai(dir, &db.url, &["wilayah", "import", &ciamis]));
    assert!(stderr.starts_with("error: import rejected, nothing was written (27 problems):\n"), "{stderr}");
    let problems = problems(&stderr);
    assert_eq!(problems.len(), 27, "{stderr}");
    let missing = "does not exist (neither in the database nor in this file)";
    assert_eq!(problems[0], format!("{ciamis}: line 2: parent 32.07 of 32.07.01 {missing}"));
    assert_eq!(problems[1], format!("{ciamis}: line 15: parent 32.07 of 32.07.02 {missing}"));
    assert_eq!(problems[26], format!("{ciamis}: line 283: parent 32.07 of 32.07.37 {missing}"));
    assert!(problems.iter().all(|p| p.starts_with(&format!("{ciamis}: line ")) && p.ends_with(missing)), "{stderr}");

    // Nothing was written: no audit record, and every region of the next import is new.
    assert_eq!(audit_records(dir, &db.url), 0);
    let out = balai(dir, &db.url, &["wilayah", "import", &data("wilayah-kabupaten-kota.csv")]);
    assert_imported(&succeeds(&out), 552, 1, 552, 0, 0);

    // With its parents present the same file imports.
    assert_imported(&succeeds(&balai(dir, &db.url, &["wilayah", "import", &ciamis])), 292, 1, 292, 0, 0);
    assert_eq!(audit_records(dir, &db.url), 2);
}

#[tokio::test]
async fn bad_region_csv_reports_every_problem_by_file_and_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    let db = database(dir).await;
    let out = balai(dir, &db.url, &["wilayah", "import", &data("wilayah-kabupaten-kota.csv")]);
    assert_imported(&succeeds(&out), 552, 1, 552, 0, 0);

    // Valid rows, imported in the same batch as the bad file below.
    write(
        dir,
        "good.csv",
        b"code,name,level,parent_code\n\
          32.07.70,Satu,kecamatan,32.07\n\
          32.07.71,Dua,kecamatan,32.07\n\
          32.07.72,Tiga,kecamatan,32.07\n",
    );
    // Row problems; line 4 is blank (blank lines still count).
    write(
        dir,
        "rows.csv",
        b"code,name,level,parent_code\n\
          32.07.50,Kecamatan Baik,kecamatan,32.07\n\
          32.07.51,Salah Level,desa,32.07\n\
          \n\
          32.07.52,Salah Induk,kecamatan,32.08\n\
          32.7.53,Kode Rusak,kecamatan,32.07\n\
          32.07.54,  ,kecamatan,32.07\n\
          32.07.50,Kecamatan Ganda,kecamatan,32.07\n",
    );
    let stderr = fails(&balai(dir, &db.url, &["wilayah", "import", "good.csv", "rows.csv"]));
    assert!(stderr.starts_with("error: import rejected, nothing was written (5 problems):\n"), "{stderr}");
    let problems_found = problems(&stderr);
    assert_eq!(problems_found.len(), 5, "{stderr}");
    assert_eq!(problems_found[0], "rows.csv: line 3: code 32.07.51 has level kecamatan, but the file says desa");
    assert_eq!(problems_found[1], "rows.csv: line 5: parent of 32.07.52 must be 32.07, but the file says 32.08");
    assert!(problems_found[2].starts_with("rows.csv: line 6: code '32.7.53' is not a valid region code: "), "{stderr}");
    assert_eq!(problems_found[3], "rows.csv: line 7: name is empty");
    assert_eq!(
        problems_found[4],
        "rows.csv: line 8: code 32.07.50 appears more than once (first on line 2 of rows.csv)"
    );

    let stderr = fails(&balai(dir, &db.url, &["wilayah", "import", "rows.csv"]));
    assert!(
        problems(&stderr)
            .contains(&"rows.csv: line 8: code 32.07.50 appears more than once (first on line 2 of rows.csv)"),
        "{stderr}"
    );

    // Problems reading the file (CRLF line ends): wrong field counts and bytes that are not
    // UTF-8; and a second file whose header lacks a column. Both files are reported.
    write(
        dir,
        "format.csv",
        b"code,name,level,parent_code\r\n\
          32.07.60,Baik,kecamatan,32.07\r\n\
          32.07.61,Terlalu,Banyak,kecamatan,32.07\r\n\
          32.07.62,Caf\xe9,kecamatan,32.07\r\n\
          32.07.63\r\n",
    );
    write(dir, "header.csv", b"code,name,level\n32.07.64,Kurang Kolom,kecamatan\n");
    let stderr = fails(&balai(dir, &db.url, &["wilayah", "import", "format.csv", "header.csv", "good.csv"]));
    assert!(stderr.starts_with("error: import rejected, nothing was written (4 problems):\n"), "{stderr}");
    assert_eq!(
        problems(&stderr),
        [
            "format.csv: line 3: expected 4 fields, found 5",
            "format.csv: line 4: not valid UTF-8 (save the file as UTF-8)",
            "format.csv: line 5: expected 4 fields, found 1",
            "header.csv: line 1: the header must name the columns code,name,level,parent_code; missing: parent_code",
        ]
    );

    let stderr = fails(&balai(dir, &db.url, &["wilayah", "import", "good.csv", "missing.csv"]));
    assert!(stderr.starts_with("error: cannot read missing.csv: "), "{stderr}");

    // Nothing of any rejected batch was written.
    assert_eq!(audit_records(dir, &db.url), 1);
    assert_imported(&succeeds(&balai(dir, &db.url, &["wilayah", "import", "good.csv"])), 3, 1, 3, 0, 0);
}

#[tokio::test]
async fn imports_all_of_indonesia() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    let db = database(dir).await;

    let out = balai(
        dir,
        &db.url,
        &[
            "wilayah",
            "import",
            &data("wilayah-kabupaten-kota.csv"),
            &data("wilayah-kecamatan-indonesia.csv"),
            &data("wilayah-desa-indonesia.csv"),
        ],
    );
    assert_imported(&succeeds(&out), 91_599, 3, 91_599, 0, 0);

    // The Ciamis extract agrees with the national lists.
    let out = balai(dir, &db.url, &["wilayah", "import", &data("wilayah-3207-ciamis.csv")]);
    assert_imported(&succeeds(&out), 292, 1, 0, 0, 292);
    assert_eq!(audit_records(dir, &db.url), 1);
}

#[tokio::test]
async fn holidays_import_and_deadlines() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    let db = database(dir).await;
    let nyepi_lebaran = "5 hari kerja sejak Selasa, 17 Maret 2026; batas waktu Selasa, 31 Maret 2026.";

    // The built-in calendar already skips Nyepi and Lebaran 2026 and their cuti bersama.
    let before = succeeds(&balai(dir, &db.url, &["libur", "deadline", "2026-03-17", "5"]));
    assert!(before.starts_with(nyepi_lebaran), "{before}");
    assert!(before.contains("19 Mar (Hari Suci Nyepi Tahun Baru Saka 1948)"), "{before}");

    let holidays = data("hari-libur-nasional.csv");
    let out = succeeds(&balai(dir, &db.url, &["libur", "import", &holidays]));
    assert!(out.starts_with("Read 82 holidays: "), "{out}");
    let out = succeeds(&balai(dir, &db.url, &["libur", "import", &holidays]));
    assert_eq!(out, "Read 82 holidays: 0 added, 82 already known.\n");
    let after = succeeds(&balai(dir, &db.url, &["libur", "deadline", "2026-03-17", "5"]));
    assert_eq!(after, before, "the shared file holds the days already built in");
    let records = audit_records(dir, &db.url);

    let calm_week = "1 hari kerja sejak Senin, 13 Juli 2026; batas waktu Selasa, 14 Juli 2026.\n";
    assert_eq!(succeeds(&balai(dir, &db.url, &["libur", "deadline", "2026-07-13", "1"])), calm_week);

    write(
        dir,
        "bad.csv",
        b"date,name,kind\n\
          2026-07-14,Hari Jadi Contoh,daerah\n\
          2026-13-01,Bulan Salah,libur\n\
          \n\
          2026-07-15,Jenis Salah,nasional\n\
          2026-07-16,,daerah\n\
          17/07/2026,Format Salah,daerah\n",
    );
    let stderr = fails(&balai(dir, &db.url, &["libur", "import", "bad.csv"]));
    assert!(stderr.starts_with("error: import rejected, nothing was written (4 problems):\n"), "{stderr}");
    assert_eq!(
        problems(&stderr),
        [
            "line 3: date `2026-13-01` is not YYYY-MM-DD",
            "line 5: kind `nasional` is not one of libur, cuti_bersama, daerah",
            "line 6: the name must be 1–150 characters",
            "line 7: date `17/07/2026` is not YYYY-MM-DD",
        ]
    );
    assert_eq!(audit_records(dir, &db.url), records, "a rejected import writes nothing");
    assert_eq!(succeeds(&balai(dir, &db.url, &["libur", "deadline", "2026-07-13", "1"])), calm_week);

    // A regency's own holiday moves deadlines.
    write(dir, "daerah.csv", b"date,name,kind\n2026-07-14,Hari Jadi Contoh,daerah\n");
    assert_eq!(
        succeeds(&balai(dir, &db.url, &["libur", "import", "daerah.csv"])),
        "Read 1 holidays: 1 added, 0 already known.\n"
    );
    assert_eq!(
        succeeds(&balai(dir, &db.url, &["libur", "deadline", "2026-07-13", "1"])),
        "1 hari kerja sejak Senin, 13 Juli 2026; batas waktu Rabu, 15 Juli 2026. \
         Dilewati: 14 Jul (Hari Jadi Contoh).\n"
    );

    let stderr = usage_error(&balai(dir, &db.url, &["libur", "deadline", "2026-02-30", "1"]));
    assert!(stderr.contains("invalid value '2026-02-30'"), "{stderr}");
}

#[tokio::test]
async fn user_accounts_are_created_checked_and_reset() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    let db = database(dir).await;
    import_ciamis(dir, &db.url);
    let create = |username: &str, role: &str, scope: &str| {
        balai(
            dir,
            &db.url,
            &["user", "create", "--username", username, "--name", "Operator Test", "--role", role, "--scope", scope],
        )
    };

    let stdout = succeeds(&create("op.test", "operator_desa", "32.07.06.2001"));
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(lines[0].starts_with("Created account op.test (id ") && lines[0].ends_with(")."), "{stdout}");
    let first = lines[1].strip_prefix("Password (shown once): ").unwrap_or_else(|| panic!("no password: {stdout}"));
    assert_password(first);

    // Usernames are unique, whatever their case.
    for username in ["op.test", "OP.Test"] {
        let stderr = fails(&create(username, "operator_desa", "32.07.06.2001"));
        assert_eq!(stderr, "error: invalid input:\n  username: Nama pengguna \"op.test\" sudah dipakai.\n");
    }
    let stderr = fails(&create("op.two", "bogus", "32.07.06.2001"));
    assert_eq!(stderr, "error: invalid input:\n  role: Peran \"bogus\" tidak dikenal.\n");
    let stderr = fails(&create("op.two", "operator_desa", "32.07.06"));
    assert!(
        stderr.starts_with("error: invalid input:\n  scope: Peran Operator Desa harus dikaitkan dengan "),
        "{stderr}"
    );
    assert!(stderr.contains("bukan Kecamatan 32.07.06."), "{stderr}");
    let stderr = fails(&create("op.two", "operator_desa", "32.07.06.2999"));
    assert_eq!(stderr, "error: invalid input:\n  scope: Wilayah 32.07.06.2999 belum ada di data wilayah.\n");
    let stderr = fails(&create("op.two", "operator_desa", "32.7"));
    assert!(stderr.contains("scope: '32.7' bukan kode wilayah."), "{stderr}");

    // A regency admin, scoped by the undotted code.
    let stdout = succeeds(&create("admin.ciamis", "admin_kabupaten", "3207"));
    assert!(stdout.starts_with("Created account admin.ciamis (id "), "{stdout}");

    let stdout = succeeds(&balai(dir, &db.url, &["user", "reset-password", "op.test"]));
    let second = stdout
        .trim_end()
        .strip_prefix("New password for op.test (shown once): ")
        .unwrap_or_else(|| panic!("no password: {stdout}"));
    assert_password(second);
    assert_ne!(first, second);

    let stderr = fails(&balai(dir, &db.url, &["user", "reset-password", "nobody"]));
    assert!(stderr.contains("Tidak ada akun bernama \"nobody\""), "{stderr}");

    // An API token for the account, shown once; unknown accounts and empty names are refused.
    let stdout = succeeds(&balai(dir, &db.url, &["user", "token", "op.test", "--name", "dasbor kabupaten"]));
    assert!(stdout.starts_with("API token for op.test (shown once): balai_"), "{stdout}");
    let stderr = fails(&balai(dir, &db.url, &["user", "token", "nobody", "--name", "x"]));
    assert!(stderr.contains("Tidak ada akun aktif bernama \"nobody\""), "{stderr}");
    fails(&balai(dir, &db.url, &["user", "token", "op.test", "--name", " "]));

    // The import, two accounts, one reset and one token; the refused commands wrote nothing.
    assert_eq!(audit_records(dir, &db.url), 5);
}

#[tokio::test]
async fn audit_verify_detects_tampering() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    let db = database(dir).await;
    import_ciamis(dir, &db.url);
    write(dir, "daerah.csv", b"date,name,kind\n2026-07-14,Hari Jadi Contoh,daerah\n");
    succeeds(&balai(dir, &db.url, &["libur", "import", "daerah.csv"]));
    assert_eq!(succeeds(&balai(dir, &db.url, &["audit", "verify"])), "Audit trail intact: 2 records verified.\n");

    // The log is append-only for anyone with plain database access...
    let tamper = "UPDATE audit_log SET actor = 'x' WHERE seq = 1";
    assert!(try_execute_raw(&db.url, tamper).await.is_err(), "the append-only trigger let an UPDATE through");
    assert_eq!(audit_records(dir, &db.url), 2);

    // ...and changes made by someone who removes that protection are detected.
    let drop_trigger = if on_postgres() {
        "DROP TRIGGER audit_log_no_change ON audit_log"
    } else {
        "DROP TRIGGER audit_log_no_update"
    };
    execute_raw(&db.url, &format!("{drop_trigger}; {tamper}")).await;
    let stderr = fails(&balai(dir, &db.url, &["audit", "verify"]));
    assert_eq!(
        stderr,
        "error: audit trail broken: audit chain: record 1 has been altered (its hash does not match its contents)\n"
    );
}

#[tokio::test]
async fn backup_writes_a_usable_database() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    let db = database(dir).await;

    if on_postgres() {
        let stderr = fails(&balai(dir, &db.url, &["backup", "copy.db"]));
        assert!(stderr.contains("pg_dump"), "{stderr}");
        assert!(!dir.join("copy.db").exists());
        return;
    }

    import_ciamis(dir, &db.url);
    let create = ["user", "create", "--username", "op.test", "--name", "Op", "--role", "operator_desa", "--scope"];
    succeeds(&balai(dir, &db.url, &[&create[..], &["32.07.06.2001"]].concat()));
    let records = audit_records(dir, &db.url);
    assert_eq!(records, 2);

    assert_eq!(succeeds(&balai(dir, &db.url, &["backup", "copy.db"])), "Backup written to copy.db.\n");
    let copy = sqlite_url(&dir.join("copy.db"));
    assert_eq!(audit_records(dir, &copy), records);
    let out = balai(dir, &copy, &["wilayah", "import", &data("wilayah-3207-ciamis.csv")]);
    assert_imported(&succeeds(&out), 292, 1, 0, 0, 292);

    // An existing file is never overwritten.
    let stderr = fails(&balai(dir, &db.url, &["backup", "copy.db"]));
    assert!(stderr.contains("copy.db already exists"), "{stderr}");
    assert_eq!(audit_records(dir, &copy), records);
    assert_eq!(audit_records(dir, &db.url), records);
}

#[test]
fn configuration_errors_are_clear() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    let entries = || std::fs::read_dir(dir).expect("read temp dir").count();

    // A bare path or another scheme never creates a database.
    for url in ["balai.db", "mysql://x/y"] {
        let stderr = fails(&balai(dir, url, &["migrate"]));
        assert!(stderr.starts_with(&format!("error: unsupported database URL `{url}`")), "{stderr}");
        assert_eq!(entries(), 0, "{url} created a file");
    }

    // An unreachable server: the reason is given, the password is not.
    let stderr = fails(&balai(dir, "postgres://u:secretpw@127.0.0.1:1/db", &["migrate"]));
    assert!(stderr.contains("cannot open the database at postgres://u:***@127.0.0.1:1/db"), "{stderr}");
    assert!(!stderr.contains("secretpw"), "{stderr}");

    let stderr = fails(&balai(dir, &sqlite_url(&dir.join("x.db")), &["--config", "missing.toml", "migrate"]));
    assert!(stderr.starts_with("error: cannot read config file missing.toml: "), "{stderr}");

    let stderr = fails(&run(command(dir).env("BALAI_SECURE_COOKIES", "maybe").arg("migrate")));
    assert!(stderr.contains("BALAI_SECURE_COOKIES: `maybe` is not true or false"), "{stderr}");
    assert_eq!(entries(), 0);

    // ./balai.toml is read when present...
    write(dir, "balai.toml", format!("database_url = \"{}\"\n", sqlite_url(&dir.join("toml.db"))).as_bytes());
    let stdout = succeeds(&run(command(dir).arg("migrate")));
    assert_eq!(stdout, format!("Database is up to date ({}).\n", sqlite_url(&dir.join("toml.db"))));
    assert!(dir.join("toml.db").exists());

    // ...and must not contain unknown keys.
    write(dir, "balai.toml", b"lisen = \"127.0.0.1:9000\"\n");
    let stderr = fails(&run(command(dir).arg("migrate")));
    assert!(stderr.starts_with("error: config file balai.toml is not valid: "), "{stderr}");
    assert!(stderr.contains("unknown field `lisen`"), "{stderr}");
}

#[test]
fn help_describes_the_commands() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    let db_url = sqlite_url(&dir.join("balai.db"));

    let stdout = succeeds(&balai(dir, &db_url, &["--help"]));
    assert!(stdout.contains("Usage: balai [OPTIONS] <COMMAND>"), "{stdout}");
    for (command, about) in [
        ("serve", "Run the web service"),
        ("migrate", "Create or update the database schema, then exit"),
        ("wilayah", "Region codes (Kemendagri)"),
        ("libur", "The working-day calendar"),
        ("user", "Staff accounts"),
        ("backup", "Copy the whole SQLite database to a new file"),
        ("audit", "The audit trail"),
    ] {
        // Clap drops the final full stop of one-line descriptions.
        assert!(
            stdout.lines().any(|l| l.trim_start().starts_with(command) && l.contains(about)),
            "`{command}` / `{about}` missing from:\n{stdout}"
        );
    }
    assert!(stdout.contains("--config <FILE>"), "{stdout}");

    let stdout = succeeds(&balai(dir, &db_url, &["wilayah", "import", "--help"]));
    assert!(stdout.contains("Usage: balai wilayah import [OPTIONS] <FILE.csv>..."), "{stdout}");
    assert!(stdout.contains("columns code,name,level,parent_code"), "{stdout}");
    assert!(stdout.contains("Nothing is written if any row is bad"), "{stdout}");

    // Help never touches the database.
    assert!(!dir.join("balai.db").exists());

    let stderr = usage_error(&balai(dir, &db_url, &["wilayah", "import"]));
    assert!(stderr.contains("<FILE.csv>..."), "{stderr}");
    let stderr = usage_error(&balai(dir, &db_url, &[]));
    assert!(stderr.contains("Usage: balai [OPTIONS] <COMMAND>"), "{stderr}");
    assert!(!dir.join("balai.db").exists());
}

/// `balai serve` as started by hand: the public address (QR codes, Open311, messages) follows
/// the address it really listens on, `/metrics` moves to its own listener behind a token with
/// the service's gauges, and JSON logs carry no colour codes.
#[tokio::test]
async fn serve_derives_its_public_address_and_guards_metrics() {
    use std::io::BufRead;

    let dir = tempfile::tempdir().expect("temp dir");
    let db = database(dir.path()).await;
    let mut child = command(dir.path())
        .env("BALAI_DATABASE_URL", &db.url)
        .env("BALAI_LOG", "info")
        .env("BALAI_LOG_FORMAT", "json")
        .env("BALAI_METRICS_TOKEN", "rahasia-metrik")
        .env("BALAI_METRICS_LISTEN", "127.0.0.1:0")
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start balai serve");
    let mut lines = std::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
    let (mut serving, mut public, mut metrics) = (String::new(), String::new(), String::new());
    while metrics.is_empty() {
        let line = lines.next().expect("balai printed its addresses").expect("line");
        if let Some(rest) = line.strip_prefix("Balai is serving on ") {
            serving = rest.split('/').take(3).collect::<Vec<_>>().join("/");
        } else if let Some(rest) = line.trim().strip_prefix("Public address in QR codes, Open311 and messages: ") {
            public = rest.to_string();
        } else if let Some(rest) = line.trim().strip_prefix("Metrics: ") {
            metrics = rest.to_string();
        }
    }
    assert!(serving.starts_with("http://127.0.0.1:") && !serving.ends_with(":0"), "{serving}");
    assert_eq!(public, serving, "the public address is where Balai listens");

    let client = reqwest::Client::new();
    let discovery: serde_json::Value = client
        .get(format!("{serving}/open311/v2/discovery.json"))
        .send()
        .await
        .expect("discovery")
        .json()
        .await
        .expect("json");
    assert_eq!(discovery["endpoints"][0]["url"], format!("{serving}/open311/v2"), "{discovery}");

    assert_eq!(client.get(format!("{serving}/metrics")).send().await.expect("main").status(), 404);
    let refused = client.get(&metrics).send().await.expect("no token");
    assert_eq!(refused.status(), 401);
    let wrong = client.get(&metrics).bearer_auth("tebakan").send().await.expect("wrong token");
    assert_eq!(wrong.status(), 401);
    let scraped = client.get(&metrics).bearer_auth("rahasia-metrik").send().await.expect("metrics");
    assert_eq!(scraped.status(), 200);
    let text = scraped.text().await.expect("text");
    for line in ["balai_database_up 1", "balai_outbox_messages{status=\"pending\"} 0", "balai_reports_overdue 0"] {
        assert!(text.contains(line), "{line} missing from:\n{text}");
    }

    child.kill().expect("stop");
    let _ = child.wait();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut stderr).expect("read");
    assert!(!stderr.contains('\u{1b}'), "no colour codes: {stderr}");
    for line in stderr.lines().filter(|l| !l.trim().is_empty()) {
        let entry: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(entry["level"].is_string(), "{line}");
    }
}

#[test]
fn config_prints_the_effective_settings_and_a_sample() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run(command(dir.path())
        .env("BALAI_LISTEN", "0.0.0.0:9000")
        .env("BALAI_DATABASE_URL", "postgres://balai:s3cret@db.internal/balai")
        .env("BALAI_SMTP_URL", "smtp://kirim:p4ss@mail.example.org:587")
        .env("BALAI_SMTP_FROM", "layanan@desa.id")
        .arg("config"));
    let printed = succeeds(&out);
    assert!(printed.contains("listen = \"0.0.0.0:9000\""), "{printed}");
    assert!(printed.contains("# (now: http://127.0.0.1:9000)"), "{printed}");
    assert!(!printed.contains("s3cret") && !printed.contains("p4ss"), "{printed}");
    assert!(!dir.path().join("balai-data").exists(), "printing the settings touches nothing");

    let sample = succeeds(&run(command(dir.path()).args(["config", "--sample"])));
    std::fs::write(dir.path().join("balai.toml"), &sample).expect("write");
    let again = succeeds(&run(command(dir.path()).arg("config")));
    assert_eq!(again, sample, "the sample loads as the defaults");
}
