//! `padu bench recheck`: what the instant re-check costs a server: building
//! a [`padu_match::Verifier`] over a civil extract (time and memory), and the
//! latency of its checks with one and with several threads calling at once.
//!
//! Memory is read from the process's resident size before and after each
//! step. mimalloc keeps freed pages for a while and hands them out again, so
//! a step that follows the full run would look smaller than it is; run with
//! `MIMALLOC_PURGE_DELAY=0` (freed pages go back at once) for true figures.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use padu_core::{Lang, RegistryPerson, VerificationRow};
use padu_io::ReadOptions;
use padu_match::{DuplicateGroup, MatchConfig, Model, Verifier};
use serde::Serialize;

use super::{generate_data, headline, workdir};
use crate::cli::BenchRecheckArgs;
use crate::cmd::rss_mib;

#[derive(Serialize)]
struct RecheckBench {
    civil_people: usize,
    registry_rows: usize,
    threads: usize,
    verify_s: f64,
    model_json_bytes: usize,
    /// Resident memory just before reading the civil extract and just after.
    civil_records_mib: Option<f64>,
    build_s: f64,
    /// Resident memory the verifier added beyond the civil records it took over.
    verifier_mib: Option<f64>,
    /// Peak resident memory while the verifier was built (whole process).
    build_peak_rss_mib: Option<f64>,
    /// Resident memory of the process once the verifier is built.
    rss_mib: Option<f64>,
    checks: usize,
    equal_to_full_run: usize,
    runs: Vec<Latency>,
}

/// The checks of one measurement, spread over `callers` threads.
#[derive(Serialize)]
struct Latency {
    callers: usize,
    checks_per_s: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
}

/// Resets the peak-memory counter, so that the next peak read covers what follows only.
fn reset_peak() {
    // Linux only; elsewhere the peak stays the process's and is reported as such.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn delta(after: Option<f64>, before: Option<f64>) -> Option<f64> {
    Some(after? - before?)
}

pub(super) fn run(a: &BenchRecheckArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    let (dir, _keep) = workdir(a.dir.as_deref())?;
    if !(dir.join("civil.csv").exists() && dir.join("registry.csv").exists()) {
        generate_data(&dir, &a.data)?;
    }
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        eprintln!(
            "bench: angka memori hanya perkiraan; jalankan dengan MIMALLOC_PURGE_DELAY=0 untuk angka tepat"
        );
    }
    let opts = ReadOptions {
        today: crate::cmd::today_wib(),
        sheet: None,
        max_issues: 1000,
        mapping: Default::default(),
    };
    let threads = crate::cmd::verify::read_threads(a.threads);
    let before_civil = rss_mib();
    let civil =
        crate::cmd::verify::read_all_civil(&dir.join("civil.csv"), &opts, lang, false, threads)?
            .records;
    let civil_records_mib = delta(rss_mib(), before_civil);
    let registry = crate::cmd::verify::read_all_registry(
        &dir.join("registry.csv"),
        &opts,
        lang,
        false,
        threads,
    )?
    .records;
    let cfg = MatchConfig {
        threads: a.threads,
        ..MatchConfig::default()
    };
    eprintln!("bench: verifikasi penuh untuk model dan kelompok ganda");
    let t = Instant::now();
    let out = crate::cmd::verify::run_engine(&registry, &civil, &cfg)?;
    let verify_s = t.elapsed().as_secs_f64();
    // Through JSON, as a server stores the model of its last run.
    let stored = serde_json::to_string(&out.stats.model).context("menyimpan model")?;
    let model: Model = serde_json::from_str(&stored).context("membaca model")?;
    let rows = out.rows;

    let civil_people = civil.len();
    reset_peak();
    let before_build = rss_mib();
    let t = Instant::now();
    let verifier = Verifier::new(civil, model, &cfg).context("membangun verifier")?;
    let build_s = t.elapsed().as_secs_f64();
    let rss = rss_mib();
    let build_peak_rss_mib = crate::cmd::peak_rss_mib();

    let stride = (registry.len() / a.checks.max(1)).max(1);
    let sample: Vec<usize> = (0..registry.len()).step_by(stride).take(a.checks).collect();
    let equal_to_full_run = sample
        .iter()
        .filter(|&&i| check(&verifier, &registry[i], &rows[i]) == rows[i])
        .count();
    let runs = a
        .callers
        .iter()
        .map(|&callers| latency(&verifier, &registry, &rows, &sample, callers))
        .collect();
    let report = RecheckBench {
        civil_people,
        registry_rows: registry.len(),
        threads: a.threads.unwrap_or_else(rayon::current_num_threads),
        verify_s,
        model_json_bytes: stored.len(),
        civil_records_mib,
        build_s,
        verifier_mib: delta(rss, before_build),
        build_peak_rss_mib,
        rss_mib: rss,
        checks: sample.len(),
        equal_to_full_run,
        runs,
    };
    if a.json {
        out!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print(a, &report);
    }
    Ok(ExitCode::SUCCESS)
}

/// One check of registry row `person` with the duplicate group of its full-run `row`.
fn check(v: &Verifier, person: &RegistryPerson, row: &VerificationRow) -> VerificationRow {
    v.check(person, DuplicateGroup::of(row).as_ref()).row
}

/// Checks every sampled row once, `callers` threads calling at once.
fn latency(
    v: &Verifier,
    registry: &[RegistryPerson],
    rows: &[VerificationRow],
    sample: &[usize],
    callers: usize,
) -> Latency {
    let callers = callers.max(1);
    let t = Instant::now();
    let mut nanos: Vec<u64> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..callers)
            .map(|k| {
                s.spawn(move || {
                    sample
                        .iter()
                        .skip(k)
                        .step_by(callers)
                        .map(|&i| {
                            let t = Instant::now();
                            std::hint::black_box(check(v, &registry[i], &rows[i]));
                            u64::try_from(t.elapsed().as_nanos()).unwrap_or(u64::MAX)
                        })
                        .collect::<Vec<u64>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    let wall = t.elapsed().as_secs_f64();
    nanos.sort_unstable();
    let at = |q: f64| {
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "q is a quantile in 0..=1, so the rank is within 0..=len"
        )]
        let i = ((nanos.len() as f64 * q).ceil() as usize).clamp(1, nanos.len().max(1)) - 1;
        nanos.get(i).map_or(0.0, |&n| n as f64 / 1e6)
    };
    Latency {
        callers,
        checks_per_s: nanos.len() as f64 / wall,
        p50_ms: at(0.50),
        p99_ms: at(0.99),
        max_ms: at(1.0),
    }
}

fn mib(x: Option<f64>) -> String {
    x.map_or_else(|| "?".to_string(), |m| format!("{m:.0} MiB"))
}

fn print(a: &BenchRecheckArgs, r: &RecheckBench) {
    out!("{}", headline("recheck", &a.data));
    out!(
        "  data: {} penduduk Dukcapil ({} dalam memori), {} baris DTKS; {} thread",
        r.civil_people,
        mib(r.civil_records_mib),
        r.registry_rows,
        r.threads
    );
    out!(
        "  verifikasi penuh {:.1} dtk; model {} bita JSON",
        r.verify_s,
        r.model_json_bytes
    );
    out!(
        "  verifier: dibangun {:.2} dtk, memori +{} di luar data Dukcapil (puncak proses {}, sesudahnya {})",
        r.build_s,
        mib(r.verifier_mib),
        mib(r.build_peak_rss_mib),
        mib(r.rss_mib)
    );
    out!(
        "  cek: {} baris DTKS, {} sama dengan verifikasi penuh",
        r.checks,
        r.equal_to_full_run
    );
    for l in &r.runs {
        out!(
            "    {} pemanggil: {:>8.0} cek/dtk, p50 {:.3} ms, p99 {:.3} ms, maks {:.3} ms",
            l.callers,
            l.checks_per_s,
            l.p50_ms,
            l.p99_ms,
            l.max_ms
        );
    }
}
