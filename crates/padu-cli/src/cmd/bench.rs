//! `padu bench`: measured accuracy, speed and memory, printed for `docs/benchmarks.md`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use padu_core::{Lang, RegionCode};
use padu_gen::GenConfig;
use padu_io::ReadOptions;
use padu_store::Store;
use serde::Serialize;

use crate::cli::{
    BenchCommand, BenchDataArgs, BenchImportArgs, BenchScoreArgs, BenchVerifyArgs, ImportArgs,
};

mod recheck;
mod web;

pub(super) fn run(cmd: &BenchCommand, db: &str, lang: Lang) -> anyhow::Result<ExitCode> {
    match cmd {
        BenchCommand::Verify(a) => verify(a, lang),
        BenchCommand::Score(a) => score(a),
        BenchCommand::Import(a) => import(a, db, lang),
        BenchCommand::Recheck(a) => recheck::run(a, lang),
        BenchCommand::Web(a) => web::run(a, db),
    }
}

/// A working directory: the user's, or a temporary one removed at the end.
fn workdir(dir: Option<&Path>) -> anyhow::Result<(PathBuf, Option<tempfile::TempDir>)> {
    match dir {
        Some(d) => {
            std::fs::create_dir_all(d).with_context(|| format!("membuat {}", d.display()))?;
            Ok((d.to_path_buf(), None))
        }
        None => {
            let t = tempfile::tempdir().context("membuat folder sementara")?;
            Ok((t.path().to_path_buf(), Some(t)))
        }
    }
}

fn generate(
    dir: &Path,
    people: usize,
    seed: u64,
    registry_fraction: Option<f64>,
    wilayah: Option<RegionCode>,
) -> anyhow::Result<f64> {
    let mut cfg = GenConfig {
        people,
        seed,
        wilayah,
        today: super::today_wib(),
        ..GenConfig::default()
    };
    if let Some(f) = registry_fraction {
        cfg.registry_fraction = f;
    }
    let t = Instant::now();
    padu_gen::generate(&cfg, dir, &|_| {}).context("membuat data sintetis")?;
    Ok(t.elapsed().as_secs_f64())
}

#[derive(Serialize)]
struct VerifyBench {
    civil_people: usize,
    registry_rows: usize,
    threads: usize,
    gen_s: f64,
    read_s: f64,
    verify_s: f64,
    /// Writing the result CSV: with reading, the floor a run cannot go below.
    write_s: f64,
    registry_rows_per_s: f64,
    peak_rss_mib: Option<f64>,
    engine: padu_match::RunStats,
    blocking: padu_match::eval::BlockingRecall,
    accuracy: padu_match::eval::Report,
}

/// Generates the people of `d` into `dir`; returns the seconds it took.
fn generate_data(dir: &Path, d: &BenchDataArgs) -> anyhow::Result<f64> {
    eprintln!("bench: membuat {} penduduk di {}", d.people, dir.display());
    let wilayah = d
        .wilayah
        .as_deref()
        .map(|w| padu_core::regions().parse_known(w))
        .transpose()
        .map_err(|e| anyhow::anyhow!("--wilayah: {e}"))?;
    generate(dir, d.people, d.seed, None, wilayah)
}

/// The command that reproduces a benchmark's data, as its report's first line.
fn headline(command: &str, d: &BenchDataArgs) -> String {
    let mut s = format!(
        "padu bench {command} --people {} --seed {}",
        d.people, d.seed
    );
    if let Some(w) = &d.wilayah {
        s.push_str(&format!(" --wilayah {w}"));
    }
    s
}

fn verify(a: &BenchVerifyArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    let (dir, _keep) = workdir(a.dir.as_deref())?;
    let gen_s = generate_data(&dir, &a.data)?;
    let opts = ReadOptions {
        today: super::today_wib(),
        sheet: None,
        max_issues: 1000,
        mapping: Default::default(),
    };
    let t = Instant::now();
    let (registry, civil) = super::verify::read_both(
        &dir.join("registry.csv"),
        &dir.join("civil.csv"),
        &opts,
        lang,
        false,
        super::verify::read_threads(a.threads),
    )?;
    let (registry, civil) = (registry.records, civil.records);
    let read_s = t.elapsed().as_secs_f64();
    let cfg = padu_match::MatchConfig {
        threads: a.threads,
        ..padu_match::MatchConfig::default()
    };
    let t = Instant::now();
    let out = super::verify::run_engine(&registry, &civil, &cfg)?;
    let verify_s = t.elapsed().as_secs_f64();
    // Before the recall check below, which prepares and blocks once more.
    let peak_rss_mib = super::peak_rss_mib();
    let t = Instant::now();
    super::verify::write_results(
        &dir.join("hasil.csv"),
        &registry,
        &out.rows,
        super::verify::read_threads(a.threads),
    )?;
    let write_s = t.elapsed().as_secs_f64();
    let truth = padu_io::read_results(&dir.join("truth.csv")).context("membaca truth.csv")?;
    let accuracy = padu_match::eval::score(&out.rows, &truth);
    let blocking = padu_match::eval::blocking_recall(&registry, &civil, &truth, &cfg);
    let report = VerifyBench {
        civil_people: civil.len(),
        registry_rows: registry.len(),
        threads: a.threads.unwrap_or_else(rayon::current_num_threads),
        gen_s,
        read_s,
        verify_s,
        write_s,
        registry_rows_per_s: registry.len() as f64 / verify_s,
        peak_rss_mib,
        engine: out.stats,
        blocking,
        accuracy,
    };
    if a.json {
        out!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        out!("{}", headline("verify", &a.data));
        out!(
            "  data: {} penduduk Dukcapil, {} baris DTKS; {} thread",
            report.civil_people,
            report.registry_rows,
            report.threads
        );
        out!(
            "  waktu: gen {:.1} dtk, baca berkas {:.1} dtk, verifikasi {:.2} dtk ({:.0} baris DTKS/dtk)",
            report.gen_s,
            report.read_s,
            report.verify_s,
            report.registry_rows_per_s
        );
        out!(
            "  berkas ke berkas: {:.2} dtk; lantai (baca berkas + tulis hasil.csv, tanpa pencocokan) {:.2} dtk, mesin {:.2} dtk di atasnya",
            report.read_s + report.verify_s + report.write_s,
            report.read_s + report.write_s,
            report.verify_s
        );
        if let Some(m) = report.peak_rss_mib {
            out!("  memori puncak: {m:.0} MiB");
        }
        print_engine(&report.engine);
        out!("{}", report.blocking);
        out!("{}", report.accuracy);
    }
    Ok(ExitCode::SUCCESS)
}

fn score(a: &BenchScoreArgs) -> anyhow::Result<ExitCode> {
    let results = padu_io::read_results(&a.results)
        .with_context(|| format!("membaca {}", a.results.display()))?;
    let truth = padu_io::read_results(&a.truth)
        .with_context(|| format!("membaca {}", a.truth.display()))?;
    anyhow::ensure!(
        results.len() == truth.len(),
        "{} punya {} baris, {} punya {}: hasil harus satu baris per baris DTKS",
        a.results.display(),
        results.len(),
        a.truth.display(),
        truth.len()
    );
    let report = padu_match::eval::score(&results, &truth);
    if a.json {
        out!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        out!("{report}");
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct ImportBench {
    backend: String,
    registry_rows: u64,
    seconds: f64,
    rows_per_s: f64,
    peak_rss_mib: Option<f64>,
}

fn import(a: &BenchImportArgs, db: &str, lang: Lang) -> anyhow::Result<ExitCode> {
    let (dir, _keep) = workdir(a.dir.as_deref())?;
    let registry = dir.join("registry.csv");
    if !registry.exists() {
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "a row count divided by 0.3 is positive and far below usize::MAX"
        )]
        let people = (a.rows as f64 / 0.3).ceil() as usize;
        eprintln!(
            "bench: membuat data ({people} penduduk) di {}",
            dir.display()
        );
        generate(&dir, people, 11, Some(0.3), None)?;
    }
    let args = ImportArgs {
        file: registry,
        sheet: None,
        partial: true,
        today: None,
        issues: None,
        map: None,
        suggest_map: None,
        dry_run: false,
    };
    super::block_on(async {
        let store = Store::connect(db)
            .await
            .with_context(|| format!("membuka basis data {}", super::redact(db)))?;
        let mut printer = super::import::IssuePrinter::new(None, lang, false)?;
        let t = Instant::now();
        let outcome =
            super::import::import_file(&store, super::import::Kind::Registry, &args, &mut printer)
                .await?
                .context("berkas tidak terbaca")?;
        let seconds = t.elapsed().as_secs_f64();
        let report = outcome.report.as_ref().context("impor dibatalkan")?;
        let rows = report.new + report.changed + report.unchanged;
        let b = ImportBench {
            backend: format!("{:?}", store.backend()),
            registry_rows: rows,
            seconds,
            rows_per_s: rows as f64 / seconds,
            peak_rss_mib: super::peak_rss_mib(),
        };
        out!("{}", serde_json::to_string_pretty(&b)?);
        super::import::print_outcome(&args.file, &outcome, false, lang);
        Ok(ExitCode::SUCCESS)
    })
}

/// The engine's own numbers: candidate pairs per blocking rule and wall time per stage.
fn print_engine(e: &padu_match::RunStats) {
    out!("  pasangan kandidat DTKS-Dukcapil: {}", e.candidate_pairs);
    for r in &e.rules {
        out!(
            "    {:<40} {:>12} pasangan, {} blok dilewati",
            r.rule,
            r.pairs,
            r.skipped_blocks
        );
    }
    out!(
        "  pasangan kandidat DTKS-DTKS: {}; kelompok ganda: {}",
        e.dedup_pairs,
        e.duplicate_groups
    );
    for r in &e.dedup_rules {
        out!(
            "    {:<40} {:>12} pasangan, {} blok dilewati",
            r.rule,
            r.pairs,
            r.skipped_blocks
        );
    }
    let stages: Vec<String> = e
        .stages
        .iter()
        .map(|s| format!("{} {:.2} dtk", s.stage, s.seconds))
        .collect();
    out!("  tahap: {}", stages.join(", "));
}
