//! `padu import`, `export`, `stats` and `gen` against the real binary and a SQLite file,
//! including the spec's bad-input cases and a kill -9 in the middle of an import.

use std::path::Path;
use std::time::{Duration, Instant};

use padu_testkit::TODAY;

use crate::common::{Run, padu, run_words};

const HEADER: &str = "id_art,id_keluarga,no_kk,nik,nama,jenis_kelamin,tempat_lahir,tgl_lahir,hubungan_keluarga,nama_ibu_kandung,alamat,rt,rw,kode_wilayah";

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// The two-person file of these tests imported: both new, with the warning
/// for row 3's Excel-mangled NIK naming the file, row and column.
fn assert_two_new_with_excel_nik_warning(r: &Run, file: &str) {
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("2 baru, 0 berubah, 0 tidak berubah"),
        "{}",
        r.stdout
    );
    assert!(
        r.stderr.contains(&format!("{file}:3:nik:")) && r.stderr.contains("Excel"),
        "{}",
        r.stderr
    );
}

fn people_in_db(dir: &Path) -> String {
    let r = run_words(dir, "stats");
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.stdout.lines().next().unwrap_or_default().to_string()
}

#[test]
fn semicolon_bom_file_with_dd_mm_yyyy_and_excel_niks_imports_with_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "\u{feff}{}\nA1;K1;3276011203150007;3276014501900001;SITI AMINAH;P;DEPOK;05/01/1990;KEPALA KELUARGA;WARSINI;JL. MELATI 1;001;002;32.76.01.1006\n\
         A2;K1;3276011203150007;3.27601E+15;BUDI;L;DEPOK;1988-02-03;ISTRI/SUAMI;;JL. MELATI 1;001;002;3276011006\n",
        HEADER.replace(',', ";")
    );
    write(dir.path(), "dtks.csv", &text);
    let r = run_words(dir.path(), "import registry dtks.csv");
    assert_two_new_with_excel_nik_warning(&r, "dtks.csv");
    assert!(people_in_db(dir.path()).contains("2 orang"));
    // The mangled NIK is kept as the operator wrote it, never "fixed".
    let r = run_words(dir.path(), "export registry --out out.csv");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = std::fs::read_to_string(dir.path().join("out.csv")).unwrap();
    assert!(out.contains("3.27601E+15"), "{out}");
    assert!(out.contains("1990-01-05"), "{out}");
}

#[test]
fn a_file_with_errors_imports_nothing_and_lists_every_problem() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{HEADER}\nA1,K1,,3276014501900001,SITI,P,,31/02/1990,,,,,,32.76.01.1006\n\
         A2,K1,,,BUDI,X,,1990-01-01,,,,,,32.76.01.1006\n\
         A1,K2,,,ANI,P,,1990-01-01,,,,,,32.76.01.1006\n\
         A4,K2,,,ANI,P,,1990-01-01,,,,,,32.76.01.1006\n"
    );
    write(dir.path(), "dtks.csv", &text);
    let r = run_words(dir.path(), "import registry dtks.csv");
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("dtks.csv:2:tgl_lahir:"), "{}", r.stderr);
    assert!(
        r.stderr.contains("dtks.csv:3:jenis_kelamin:"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("dtks.csv:4:id_art:"), "{}", r.stderr);
    assert!(
        r.stderr.contains("tidak ada data yang disimpan"),
        "{}",
        r.stderr
    );
    assert!(people_in_db(dir.path()).contains("0 orang"));
    // With --partial only the good row goes in.
    let r = run_words(
        dir.path(),
        "import registry dtks.csv --partial --issues masalah.csv",
    );
    assert_eq!(r.code, 1, "row errors still make the exit status 1");
    assert!(r.stdout.contains("1 baru"), "{}", r.stdout);
    let issues = std::fs::read_to_string(dir.path().join("masalah.csv")).unwrap();
    assert!(issues.starts_with("berkas,baris,kolom,jenis,pesan"));
    assert_eq!(
        issues.lines().filter(|l| l.contains("GALAT")).count(),
        3,
        "{issues}"
    );
}

#[test]
fn missing_columns_are_all_named_at_once() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "dtks.csv", "id_art,nama\nA1,SITI\n");
    let r = run_words(dir.path(), "import registry dtks.csv");
    assert_eq!(r.code, 1);
    for col in ["no_kk", "nik", "jenis_kelamin", "tgl_lahir", "kode_wilayah"] {
        assert!(r.stderr.contains(col), "{col} missing from: {}", r.stderr);
    }
}

#[test]
fn windows_1252_text_is_decoded_not_mangled() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = format!("{HEADER}\nA1,K1,,,JOS").into_bytes();
    bytes.push(0xC9); // É in Windows-1252
    bytes.extend_from_slice(b",L,,1990-01-01,,,,,,32.76.01.1006\n");
    std::fs::write(dir.path().join("dtks.csv"), bytes).unwrap();
    let r = run_words(dir.path(), "import registry dtks.csv");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("Windows-1252"), "{}", r.stderr);
    run_words(dir.path(), "export registry --out out.csv");
    let out = std::fs::read_to_string(dir.path().join("out.csv")).unwrap();
    assert!(out.contains("JOSÉ"), "{out}");
}

#[test]
fn reimport_reports_new_changed_and_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let a = format!(
        "{HEADER}\nA1,K1,,,SITI AMINA,P,,1990-01-05,,,,,,32.76.01.1006\nA2,K1,,,BUDI,L,,1988-01-05,,,,,,32.76.01.1006\n"
    );
    write(dir.path(), "a.csv", &a);
    assert_eq!(run_words(dir.path(), "import registry a.csv").code, 0);
    let b = format!(
        "{HEADER}\nA1,K1,,,SITI AMINAH,P,,1990-01-05,,,,,,32.76.01.1006\nA2,K1,,,BUDI,L,,1988-01-05,,,,,,32.76.01.1006\nA3,K1,,,ANI,P,,2010-01-05,,,,,,32.76.01.1006\n"
    );
    write(dir.path(), "b.csv", &b);
    let r = run_words(dir.path(), "import registry b.csv");
    assert!(
        r.stdout.contains("1 baru, 1 berubah, 1 tidak berubah"),
        "{}",
        r.stdout
    );
}

#[test]
fn export_to_xlsx_and_back_keeps_every_person_and_scope_filters() {
    let dir = tempfile::tempdir().unwrap();
    let a = format!(
        "{HEADER}\nA1,K1,3276011203150007,3276014501900001,SITI,P,,1990-01-05,,,,,,32.76.01.1006\nB1,K2,,,BUDI,L,,1988-01-05,,,,,,33.74.01.1001\n"
    );
    write(dir.path(), "a.csv", &a);
    assert_eq!(run_words(dir.path(), "import registry a.csv").code, 0);
    let r = run_words(
        dir.path(),
        "export registry --out depok.xlsx --wilayah 32.76",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("1 baris"), "{}", r.stdout);
    // The exported workbook imports into a fresh database unchanged.
    let r = padu(dir.path())
        .args([
            "--db",
            "sqlite://other.db",
            "import",
            "registry",
            "depok.xlsx",
        ])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&r.stdout);
    assert!(
        out.contains("1 baru"),
        "{out}{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let s = run_words(dir.path(), "stats --wilayah 32.76");
    assert!(s.stdout.starts_with("32.76 Kota Depok"), "{}", s.stdout);
    assert!(s.stdout.contains("Per kecamatan"), "{}", s.stdout);
    let bad = run_words(dir.path(), "stats --wilayah 99.99");
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("tidak dikenal"), "{}", bad.stderr);
}

#[test]
fn a_parquet_registry_exports_and_imports_like_csv() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{HEADER}\nA1,K1,3276011203150007,3276014501900001,SITI AMINAH,P,DEPOK,1990-01-05,KEPALA KELUARGA,WARSINI,JL. MELATI 1,001,002,32.76.01.1006\n\
         A2,K1,3276011203150007,3.27601E+15,BUDI,L,DEPOK,1988-02-03,ISTRI/SUAMI,,JL. MELATI 1,001,002,3276011006\n"
    );
    write(dir.path(), "dtks.csv", &text);
    assert_eq!(run_words(dir.path(), "import registry dtks.csv").code, 0);
    let r = run_words(dir.path(), "export registry --out dtks.parquet");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("2 baris"), "{}", r.stdout);
    // A fresh database takes the Parquet file as the first took the CSV, warnings and all.
    let r: Run = padu(dir.path())
        .args([
            "--db",
            "sqlite://other.db",
            "import",
            "registry",
            "dtks.parquet",
        ])
        .output()
        .unwrap()
        .into();
    assert_two_new_with_excel_nik_warning(&r, "dtks.parquet");
    // Both databases export the same file, so nothing was lost on the way through Parquet.
    assert_eq!(run_words(dir.path(), "export registry --out a.csv").code, 0);
    let r = padu(dir.path())
        .args([
            "--db",
            "sqlite://other.db",
            "export",
            "registry",
            "--out",
            "b.csv",
        ])
        .output()
        .unwrap();
    assert!(r.status.success());
    let a = std::fs::read_to_string(dir.path().join("a.csv")).unwrap();
    let b = std::fs::read_to_string(dir.path().join("b.csv")).unwrap();
    assert_eq!(a, b);
    assert!(a.contains("3.27601E+15"), "{a}");
}

#[test]
fn gen_is_deterministic_and_its_files_import_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    for out in ["g1", "g2"] {
        let r = run_words(
            dir.path(),
            &format!("gen --people 3000 --seed 5 --out {out} --today {TODAY}"),
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    for f in ["civil.csv", "registry.csv", "truth.csv"] {
        let a = std::fs::read(dir.path().join("g1").join(f)).unwrap();
        let b = std::fs::read(dir.path().join("g2").join(f)).unwrap();
        assert!(a == b, "{f} differs between runs with the same seed");
    }
    let r = run_words(dir.path(), "import civil g1/civil.csv");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run_words(dir.path(), "import registry g1/registry.csv");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains(" 0 galat"), "{}", r.stdout);
}

#[test]
fn killing_an_import_midway_leaves_the_database_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_words(dir.path(), "gen --people 150000 --seed 9 --out g");
    assert_eq!(r.code, 0, "{}", r.stderr);
    // A first, small committed import that must survive.
    write(
        dir.path(),
        "a.csv",
        &format!("{HEADER}\nZ1,K1,,,SITI,P,,1990-01-05,,,,,,32.76.01.1006\n"),
    );
    assert_eq!(run_words(dir.path(), "import registry a.csv").code, 0);
    let mut child = padu(dir.path())
        .args(["import", "registry", "g/registry.csv"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the import's merge has begun writing to the database (the
    // WAL grows; staging goes to temporary tables, which do not), then kill it
    // hard. A low threshold leaves the whole merge as the window for the kill:
    // with a higher one, a busy machine could let the commit slip in first.
    let wal = dir.path().join("padu.db-wal");
    let start = Instant::now();
    let baseline = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    while std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0) <= baseline + 256 * 1024 {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "import never started writing"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "import finished before it could be killed"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    assert!(
        people_in_db(dir.path()).contains("1 orang"),
        "{}",
        people_in_db(dir.path())
    );
    // And the same import can simply be run again.
    let r = run_words(dir.path(), "import registry g/registry.csv");
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn import_and_export_work_on_postgres_too() {
    let base = std::env::var("PADU_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let dir = tempfile::tempdir().unwrap();
    // A fresh database per run, so the test is independent of what else uses `test`.
    let name = format!("padu_cli_{}", std::process::id());
    let admin = |sql: &str| {
        let o = std::process::Command::new("psql")
            .args([base.as_str(), "-v", "ON_ERROR_STOP=1", "-Atc", sql])
            .output()
            .expect("psql runs (PostgreSQL client needed for this test)");
        assert!(
            o.status.success(),
            "PostgreSQL unreachable at {base}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    };
    admin(&format!("drop database if exists {name}"));
    admin(&format!("create database {name}"));
    let url = format!("{}/{name}", base.rsplit_once('/').unwrap().0);
    write(
        dir.path(),
        "a.csv",
        &format!("{HEADER}\nA1,K1,,3276014501900001,SITI,P,,1990-01-05,,,,,,32.76.01.1006\n"),
    );
    let r = padu(dir.path())
        .args(["--db", &url, "import", "registry", "a.csv"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&r.stdout).contains("1 baru"),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let r = padu(dir.path())
        .args(["--db", &url, "export", "registry", "--out", "o.csv"])
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert!(
        std::fs::read_to_string(dir.path().join("o.csv"))
            .unwrap()
            .contains("3276014501900001")
    );
    admin(&format!("drop database {name} with (force)"));
}
