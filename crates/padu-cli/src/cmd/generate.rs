//! `padu gen`: synthetic data for demos, tests and benchmarks.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use padu_core::{Lang, regions};
use padu_gen::GenConfig;

use crate::cli::GenArgs;
use crate::progress;

pub(super) fn run(args: &GenArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    let wilayah = match &args.wilayah {
        Some(w) => Some(
            regions()
                .parse_known(w)
                .map_err(|e| anyhow::anyhow!("--wilayah: {e}"))?,
        ),
        None => None,
    };
    let cfg = GenConfig {
        people: args.people,
        seed: args.seed,
        wilayah,
        today: args.today.unwrap_or_else(super::today_wib),
        ..GenConfig::default()
    };
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("membuat folder {}", args.out.display()))?;
    let pb = progress::bar(Some(args.people as u64), "gen");
    let started = Instant::now();
    let report =
        padu_gen::generate(&cfg, &args.out, &|n| pb.inc(n)).context("membuat data sintetis")?;
    pb.finish_and_clear();
    if args.parquet {
        to_parquet(&args.out, cfg.today)?;
    }
    let secs = started.elapsed().as_secs_f64();
    match lang {
        Lang::Id => out!(
            "{}: {} penduduk Dukcapil, {} baris DTKS, {} baris kebenaran dalam {secs:.1} dtk",
            args.out.display(),
            report.civil_rows,
            report.registry_rows,
            report.truth_rows
        ),
        Lang::En => out!(
            "{}: {} civil-registry people, {} registry rows, {} truth rows in {secs:.1} s",
            args.out.display(),
            report.civil_rows,
            report.registry_rows,
            report.truth_rows
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes the generated CSV files again as Parquet, read back through
/// padu-io as any import reads them, so both forms hold the same records.
fn to_parquet(dir: &std::path::Path, today: chrono::NaiveDate) -> anyhow::Result<()> {
    let opts = padu_io::ReadOptions::new(today);
    // Generated rows always read; one that does not is a bug to report, not a row to drop.
    let unread = std::cell::Cell::new(0u64);
    fn keep<T>(unread: &std::cell::Cell<u64>, record: Option<T>) -> Option<T> {
        if record.is_none() {
            unread.set(unread.get() + 1);
        }
        record
    }
    let civil = padu_io::CivilReader::open(&dir.join("civil.csv"), &opts)
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .filter_map(|row| keep(&unread, row.record));
    padu_io::write_civil(&dir.join("civil.parquet"), civil).context("menulis civil.parquet")?;
    let registry = padu_io::RegistryReader::open(&dir.join("registry.csv"), &opts)
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .filter_map(|row| keep(&unread, row.record));
    padu_io::write_registry(&dir.join("registry.parquet"), registry)
        .context("menulis registry.parquet")?;
    anyhow::ensure!(
        unread.get() == 0,
        "{} baris data sintetis tidak terbaca kembali",
        unread.get()
    );
    Ok(())
}
