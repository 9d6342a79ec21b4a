//! `padu nik` and `padu wilayah`, run as a user would.

use padu_testkit::TODAY;

use crate::common::{run, run_words};

#[test]
fn nik_json_prints_one_object_per_argument_with_documented_fields() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_words(
        dir.path(),
        &format!("nik --json --today {TODAY} 3276014501900001 3.27601E+15 3276010201260001"),
    );
    assert_eq!(r.code, 1, "one invalid NIK makes the exit status 1");
    let lines: Vec<serde_json::Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    let v = &lines[0];
    assert_eq!(v["nik"], "3276014501900001");
    assert_eq!(v["normalized"], "3276014501900001");
    assert_eq!(v["valid"], true);
    assert_eq!(v["province"], "32");
    assert_eq!(v["regency"], "32.76");
    assert_eq!(v["district"], "32.76.01");
    assert_eq!(v["birth_date"], "1990-01-05");
    assert_eq!(v["sex"], "P");
    assert_eq!(v["serial"], "0001");
    // The documented field order, checked on the raw text (a JSON map would sort it).
    let first = r.stdout.lines().next().unwrap();
    let order = [
        "nik",
        "normalized",
        "valid",
        "errors",
        "warnings",
        "province",
        "regency",
        "district",
        "birth_date",
        "sex",
        "serial",
    ];
    let positions: Vec<usize> = order
        .iter()
        .map(|k| first.find(&format!("\"{k}\":")).unwrap())
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{first}");
    assert_eq!(lines[1]["valid"], false);
    assert_eq!(lines[1]["normalized"], serde_json::Value::Null);
    assert_eq!(lines[1]["errors"][0], "EXCEL_NOTASI_ILMIAH");
    // 02-01-26 would be tomorrow, so the century is the 1900s.
    assert_eq!(lines[2]["birth_date"], "1926-01-02");
}

#[test]
fn nik_exits_zero_when_all_are_valid_and_text_mode_explains_errors() {
    let dir = tempfile::tempdir().unwrap();
    let ok = run_words(dir.path(), "nik 3276.0145.0190.0001");
    assert_eq!(ok.code, 0);
    assert!(
        ok.stdout.contains("3276014501900001  VALID  P  05-01-1990"),
        "{}",
        ok.stdout
    );
    let bad = run_words(dir.path(), "nik 9999999999999995");
    assert_eq!(bad.code, 1);
    assert!(
        bad.stdout.contains("kode pengganti survei"),
        "{}",
        bad.stdout
    );
    let en = run_words(dir.path(), "--lang en nik 9999999999999995");
    assert!(
        en.stdout.contains("INVALID") && en.stdout.contains("survey placeholder"),
        "{}",
        en.stdout
    );
}

#[test]
fn wilayah_prints_the_full_path_by_code_and_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_words(dir.path(), "wilayah 32.76.01.1006");
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stdout.trim(),
        "32.76.01.1006 Depok, Pancoran Mas, Kota Depok, Jawa Barat"
    );
    let r = run(dir.path(), &["wilayah", "Kota Depok"]);
    assert_eq!(
        r.stdout.lines().next(),
        Some("32.76 Kota Depok, Jawa Barat")
    );
    let r = run_words(dir.path(), "wilayah 9101");
    assert!(
        r.stdout.contains("kode lama, terakhir edisi 2022"),
        "{}",
        r.stdout
    );
}

#[test]
fn wilayah_reports_unknown_regions_and_prints_the_edition() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_words(dir.path(), "wilayah Atlantis");
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("tidak ditemukan"));
    let r = run_words(dir.path(), "wilayah --edisi");
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("2025"));
}
