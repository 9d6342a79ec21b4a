//! `padu verify` in file mode and database mode, and `padu bench score` and `bench verify`, run as a user would.

use padu_testkit::TODAY;

use crate::common::run_words;

const RESULT_HEADER: &str =
    "id_art,status,flags,tindakan,nik_usulan,skor,id_kelompok_ganda,id_art_utama,keterangan";

#[test]
fn file_mode_writes_one_spec_row_per_registry_row_and_scores_well_against_truth() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_words(
        dir.path(),
        &format!("gen --people 6000 --seed 21 --out g --today {TODAY}"),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run_words(
        dir.path(),
        &format!(
            "verify --registry g/registry.csv --civil g/civil.csv --out hasil.csv \
             --explain alasan.jsonl --today {TODAY}"
        ),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("Ringkasan verifikasi") && r.stdout.contains("PADAN"),
        "{}",
        r.stdout
    );
    let out = std::fs::read_to_string(dir.path().join("hasil.csv")).unwrap();
    let registry = std::fs::read_to_string(dir.path().join("g/registry.csv")).unwrap();
    assert_eq!(out.lines().next(), Some(RESULT_HEADER));
    assert_eq!(
        out.lines().count(),
        registry.lines().count(),
        "one result row per registry row"
    );
    let explain = std::fs::read_to_string(dir.path().join("alasan.jsonl")).unwrap();
    let first: serde_json::Value = serde_json::from_str(explain.lines().next().unwrap()).unwrap();
    assert!(first["candidates"].is_array(), "{first}");
    // Scored with the same definitions as the benchmark: a small run must still be accurate.
    let r = run_words(
        dir.path(),
        "bench score --results hasil.csv --truth g/truth.csv --json",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let status_accuracy = report["status_accuracy"].as_f64().unwrap();
    assert!(status_accuracy > 0.97, "status accuracy {status_accuracy}");
}

#[test]
fn database_mode_verifies_the_imported_registry_within_a_region() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_words(
        dir.path(),
        "gen --people 4000 --seed 4 --out g --wilayah 32.76",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run_words(dir.path(), "verify --out x.csv");
    assert_eq!(r.code, 2, "an empty database is a clear error");
    assert!(r.stderr.contains("padu import registry"), "{}", r.stderr);
    assert_eq!(run_words(dir.path(), "import civil g/civil.csv").code, 0);
    assert_eq!(
        run_words(dir.path(), "import registry g/registry.csv").code,
        0
    );
    let r = run_words(dir.path(), "verify --wilayah 32.76 --out hasil.xlsx");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("disimpan sebagai verifikasi #1"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.contains("Per kecamatan"), "{}", r.stdout);
    // The workbook is for people (names, villages, summaries) and still reads back as results.
    let results = padu_io::read_results(&dir.path().join("hasil.xlsx")).unwrap();
    let in_depok = std::fs::read_to_string(dir.path().join("g/registry.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .filter(|l| {
            let code: String = l.rsplit(',').next().unwrap_or("").replace('.', "");
            code.starts_with("3276")
        })
        .count();
    assert_eq!(results.len(), in_depok);
}

#[test]
fn bench_verify_in_one_city_reports_recall_and_what_each_rule_adds() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_words(
        dir.path(),
        "bench verify --people 3000 --wilayah 32.76 --dir b --json",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let rules = report["blocking"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 10, "{rules:?}");
    // Per case, from the truth's labels: the injected duplicates are scored on their own.
    let cases = report["accuracy"]["cases"].as_array().unwrap();
    let dup = cases
        .iter()
        .find(|c| c["case"] == "baris ganda")
        .expect("a duplicate case");
    assert!(dup["rows"].as_u64() > Some(0));
    assert!(dup["duplicate_pairs"]["tp"].as_u64() > Some(0));
    assert!(report["write_s"].as_f64().is_some());
    assert!(dir.path().join("b/hasil.csv").exists());
    assert!(
        rules
            .iter()
            .any(|c| c["rule"] == "nik_sama" && c["pairs"].as_u64() > Some(0))
    );
    assert!(report["blocking"]["links_found"].as_u64() > Some(0));
    // Everyone was generated in Depok, and nobody can have moved out of it.
    let civil = std::fs::read_to_string(dir.path().join("b/civil.csv")).unwrap();
    assert!(
        civil.lines().skip(1).all(|l| l.contains(",3276")),
        "{civil:.300}"
    );
    let flags = report["accuracy"]["flags"].as_array().unwrap();
    let pindah = flags.iter().find(|f| f[0] == "PINDAH").unwrap();
    assert_eq!((&pindah[1]["tp"], &pindah[1]["fp"]), (&0.into(), &0.into()));

    let r = run_words(dir.path(), "bench verify --people 3000 --wilayah 99.99");
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("--wilayah"), "{}", r.stderr);
}

#[test]
fn bench_recheck_checks_sampled_rows_exactly_as_the_full_run() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_words(
        dir.path(),
        "bench recheck --people 3000 --checks 200 --callers 1,2 --dir b --json",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(report["checks"], 200, "{report}");
    assert_eq!(report["equal_to_full_run"], 200, "{report}");
    let runs = report["runs"].as_array().unwrap();
    let callers: Vec<u64> = runs
        .iter()
        .map(|l| l["callers"].as_u64().unwrap())
        .collect();
    assert_eq!(callers, [1, 2]);
    assert!(
        runs.iter()
            .all(|l| l["p99_ms"].as_f64() >= l["p50_ms"].as_f64())
    );
}
