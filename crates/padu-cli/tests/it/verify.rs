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
    assert_eq!(rules.len(), padu_match::partition::RULES, "{rules:?}");
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

/// A national extract always holds a few broken rows; `--partial` verifies the
/// rest and lists every row it leaves out, while the default still refuses.
#[test]
fn partial_leaves_broken_rows_out_lists_each_and_counts_them() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_words(
        dir.path(),
        &format!("gen --people 3000 --seed 5 --out g --today {TODAY}"),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Three civil rows with a death date before the birth date (as measured in a real
    // extract), and one registry row with a birth date that is no date.
    let civil = std::fs::read_to_string(dir.path().join("g/civil.csv")).unwrap();
    let mut lines: Vec<String> = civil.lines().map(str::to_string).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (birth, death, status) = (col("tgl_lahir"), col("tgl_meninggal"), col("status_hidup"));
    let broken_civil_rows = [10usize, 500, 2000];
    for &i in &broken_civil_rows {
        let mut cells: Vec<String> = lines[i - 1].split(',').map(str::to_string).collect();
        cells[birth] = "1990-05-05".into();
        cells[death] = "1980-01-01".into();
        cells[status] = "MENINGGAL".into();
        lines[i - 1] = cells.join(",");
    }
    std::fs::write(dir.path().join("g/civil.csv"), lines.join("\n") + "\n").unwrap();
    let registry = std::fs::read_to_string(dir.path().join("g/registry.csv")).unwrap();
    let mut lines: Vec<String> = registry.lines().map(str::to_string).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let birth = header.iter().position(|h| *h == "tgl_lahir").unwrap();
    let mut cells: Vec<String> = lines[6].split(',').map(str::to_string).collect();
    cells[birth] = "31-31-1970".into();
    lines[6] = cells.join(",");
    let registry_rows = lines.len() - 1;
    std::fs::write(dir.path().join("g/registry.csv"), lines.join("\n") + "\n").unwrap();

    let verify = format!(
        "verify --registry g/registry.csv --civil g/civil.csv --out hasil.csv --today {TODAY}"
    );
    let r = run_words(dir.path(), &verify);
    assert_eq!(r.code, 2, "without --partial the run is refused");
    assert!(
        r.stderr.contains("civil.csv:500:tgl_meninggal:"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--partial"), "{}", r.stderr);
    assert!(!dir.path().join("hasil.csv").exists());

    let r = run_words(dir.path(), &format!("{verify} --partial"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains(
            "baris ditolak (--partial): 1 DTKS, 3 Dukcapil; 4 galat tercatat di hasil.ditolak.txt"
        ),
        "{}",
        r.stdout
    );
    let rejects = std::fs::read_to_string(dir.path().join("hasil.ditolak.txt")).unwrap();
    let rejects: Vec<&str> = rejects.lines().collect();
    assert_eq!(rejects.len(), 4, "{rejects:?}");
    assert!(
        rejects[0].starts_with("g/registry.csv:7:tgl_lahir: "),
        "{rejects:?}"
    );
    for (line, row) in rejects[1..].iter().zip(broken_civil_rows) {
        assert!(
            line.starts_with(&format!("g/civil.csv:{row}:tgl_meninggal: ")),
            "{line}"
        );
        assert!(line.contains("sebelum tanggal lahir"), "{line}");
    }
    let out = std::fs::read_to_string(dir.path().join("hasil.csv")).unwrap();
    assert_eq!(
        out.lines().count() - 1,
        registry_rows - 1,
        "every good registry row has its result, the broken one none"
    );

    // The rejects file can be named, and English is available.
    let r = crate::common::padu(dir.path())
        .args(verify.split_whitespace())
        .args(["--partial", "--rejects", "buang.txt"])
        .env("PADU_LANG", "en")
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&r.stdout);
    assert!(
        stdout.contains(
            "rows left out (--partial): 1 registry, 3 civil registry; 4 errors listed in buang.txt"
        ),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("buang.txt"))
            .unwrap()
            .lines()
            .count(),
        4
    );
}

/// `gen --parquet` writes the same people as Parquet: verifying either form gives the same file.
#[test]
fn generated_parquet_verifies_exactly_as_the_csv() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_words(
        dir.path(),
        &format!("gen --people 3000 --seed 9 --out g --today {TODAY} --parquet"),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    for (ext, out) in [("csv", "a.csv"), ("parquet", "b.csv")] {
        let r = run_words(
            dir.path(),
            &format!(
                "verify --registry g/registry.{ext} --civil g/civil.{ext} --out {out} --today {TODAY}"
            ),
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let a = std::fs::read_to_string(dir.path().join("a.csv")).unwrap();
    let b = std::fs::read_to_string(dir.path().join("b.csv")).unwrap();
    assert!(a.lines().count() > 500);
    assert_eq!(a, b);
}
