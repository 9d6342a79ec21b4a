//! `padu verify`: the registry against the civil registry, from files or from the database.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use padu_core::{
    Action, CivilPerson, Counts, Flag, Lang, NikStatus, RegistryPerson, Summary, VerificationRow,
    regions,
};
use padu_io::{
    CivilReader, ReadOptions, RegistryReader, ResultSubject, ResultWriter, Severity,
    write_result_workbook,
};
use padu_match::{MatchConfig, VerifyOutput};
use padu_store::Store;

use crate::cli::VerifyArgs;
use crate::progress::StageBars;

pub(super) fn run(args: &VerifyArgs, db: &str, lang: Lang) -> anyhow::Result<ExitCode> {
    let today = args.today.unwrap_or_else(super::today_wib);
    let cfg = MatchConfig {
        threads: args.threads,
        explain: args.explain.is_some(),
        ..MatchConfig::default()
    };
    let started = Instant::now();
    let mut rejected = None;
    let (registry, civil, out) = match (&args.registry, &args.civil) {
        (Some(r), Some(c)) => {
            let opts = ReadOptions {
                today,
                sheet: None,
                max_issues: 1000,
                mapping: Default::default(),
            };
            let threads = read_threads(args.threads);
            let (registry, civil) = read_both(r, c, &opts, lang, args.partial, threads)?;
            if args.partial {
                let path = args
                    .rejects
                    .clone()
                    .unwrap_or_else(|| default_rejects(&args.out));
                let errors: Vec<_> = registry.errors.iter().chain(&civil.errors).collect();
                write_rejects(&path, &errors, lang)?;
                rejected = Some(Rejected {
                    registry: registry.rejected,
                    civil: civil.rejected,
                    errors: errors.len(),
                    path,
                });
            }
            let (registry, civil) = (registry.records, civil.records);
            let out = run_engine(&registry, &civil, &cfg)?;
            (registry, civil, out)
        }
        _ => {
            let scope = super::scope(args.wilayah.as_deref())?;
            super::block_on(async {
                let store = Store::connect(db)
                    .await
                    .with_context(|| format!("membuka basis data {}", super::redact(db)))?
                    .with_today(today);
                let registry = store.load_registry(scope).await.context("membaca DTKS")?;
                if registry.is_empty() {
                    bail!(
                        "DTKS di basis data kosong untuk wilayah ini; jalankan `padu import registry FILE` dulu"
                    );
                }
                let civil = store.load_civil().await.context("membaca data Dukcapil")?;
                if civil.is_empty() {
                    bail!(
                        "data Dukcapil di basis data kosong; jalankan `padu import civil FILE` dulu"
                    );
                }
                let out = run_engine(&registry, &civil, &cfg)?;
                let summary = summarise(&registry, &out.rows);
                let json = serde_json::to_string(&summary).context("meringkas hasil")?;
                // The model and settings, so that `padu serve` re-checks corrections as this run decided.
                let saved = padu_match::SavedModel {
                    model: out.stats.model.clone(),
                    config: cfg.clone(),
                };
                let model_json = serde_json::to_string(&saved).context("menyimpan model")?;
                let run_id = store
                    .save_verification_run(scope, &out.rows, &json, Some(&model_json))
                    .await
                    .context("menyimpan hasil verifikasi")?;
                store
                    .refresh_statistics()
                    .await
                    .context("memperbarui statistik basis data")?;
                eprintln!("hasil disimpan sebagai verifikasi #{run_id}");
                Ok((registry, civil, out))
            })?
        }
    };
    let summary = write_results(&args.out, &registry, &out.rows, read_threads(args.threads))?;
    if let Some(path) = &args.explain {
        write_explain(path, &out)?;
    }
    print_summary(&summary, lang);
    if let Some(r) = &rejected {
        r.print(lang);
    }
    let secs = started.elapsed().as_secs_f64();
    match lang {
        Lang::Id => out!(
            "{} orang DTKS diverifikasi terhadap {} penduduk Dukcapil dalam {secs:.1} dtk; hasil: {}",
            registry.len(),
            civil.len(),
            args.out.display()
        ),
        Lang::En => out!(
            "{} registry people verified against {} civil-registry people in {secs:.1} s; results: {}",
            registry.len(),
            civil.len(),
            args.out.display()
        ),
    }
    // The process ends next. Freeing a million records' strings one by one
    // took a third of a second after the report, for memory the kernel
    // takes back at exit anyway.
    std::mem::forget((registry, civil, out));
    Ok(ExitCode::SUCCESS)
}

/// The rows a partial run left out, for the summary.
struct Rejected {
    registry: u64,
    civil: u64,
    errors: usize,
    path: std::path::PathBuf,
}

impl Rejected {
    fn print(&self, lang: Lang) {
        let (r, c, e, p) = (self.registry, self.civil, self.errors, self.path.display());
        match lang {
            Lang::Id => out!(
                "  baris ditolak (--partial): {r} DTKS, {c} Dukcapil; {e} galat tercatat di {p}"
            ),
            Lang::En => out!(
                "  rows left out (--partial): {r} registry, {c} civil registry; {e} errors listed in {p}"
            ),
        }
    }
}

/// Runs the engine with progress bars per stage.
pub(super) fn run_engine(
    registry: &[RegistryPerson],
    civil: &[CivilPerson],
    cfg: &MatchConfig,
) -> anyhow::Result<VerifyOutput> {
    let bars = StageBars::new();
    let out = padu_match::verify(registry, civil, cfg, &bars);
    bars.finish();
    out.context("menjalankan mesin verifikasi")
}

/// What reading a file gave: the records, and in a partial read the rows left out.
pub(super) struct Read<T> {
    /// The rows that could be read, in file order.
    pub(super) records: Vec<T>,
    /// Rows left out because of an error (only in a partial read; otherwise reading fails).
    pub(super) rejected: u64,
    /// Every error of the rows left out, in file order (a row may have several).
    pub(super) errors: Vec<padu_io::Issue>,
}

/// Reads a whole registry file; any row error stops the run with every problem
/// listed, unless `partial`, which leaves such rows out and returns their errors.
pub(super) fn read_all_registry(
    path: &Path,
    opts: &ReadOptions,
    lang: Lang,
    partial: bool,
    threads: usize,
) -> anyhow::Result<Read<RegistryPerson>> {
    let opts = &read_options(opts, partial);
    let mut reader = RegistryReader::open(path, opts)
        .and_then(|r| r.parallel(threads))
        .map_err(|e| read_failure(e.issues(), &e.to_string(), lang))?;
    let file_issues = reader.file_issues().to_vec();
    collect_rows(
        file_issues,
        |out, each| reader.read_into(out, each),
        path,
        lang,
        partial,
    )
}

/// The line count of a CSV file, which its records do not exceed by more
/// than one (the last line may lack its break), or 0 for other formats: the
/// record vector is sized once from it. Grown by doubling instead, a
/// million records were copied twice over into fresh memory while reading.
fn rows_at_most(path: &Path) -> usize {
    let text = path.extension().is_some_and(|e| {
        ["csv", "tsv", "txt"]
            .iter()
            .any(|t| e.eq_ignore_ascii_case(t))
    });
    let Some(file) = text.then(|| std::fs::File::open(path).ok()).flatten() else {
        return 0;
    };
    let mut r = std::io::BufReader::with_capacity(1 << 20, file);
    let mut lines = 0;
    loop {
        let n = match std::io::BufRead::fill_buf(&mut r) {
            Ok([]) | Err(_) => return lines,
            Ok(buf) => {
                lines += memchr::memchr_iter(b'\n', buf).count();
                buf.len()
            }
        };
        std::io::BufRead::consume(&mut r, n);
    }
}

/// Reads the registry and the civil extract at the same time, one thread each:
/// parsing a million-row extract is a few seconds of CPU that the second
/// core would otherwise spend idle.
pub(super) fn read_both(
    registry: &Path,
    civil: &Path,
    opts: &ReadOptions,
    lang: Lang,
    partial: bool,
    threads: usize,
) -> anyhow::Result<(Read<RegistryPerson>, Read<CivilPerson>)> {
    // Each file is split `threads` ways: the smaller one's parts finish
    // first and leave the cores to the larger one's.
    std::thread::scope(|s| {
        let c = s.spawn(|| read_all_civil(civil, opts, lang, partial, threads));
        let r = read_all_registry(registry, opts, lang, partial, threads);
        let c = c.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
        Ok((r?, c?))
    })
}

/// How many threads read a large CSV file: `--threads`, or one per core.
pub(super) fn read_threads(threads: Option<usize>) -> usize {
    threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Reads a whole civil-registry file, like [`read_all_registry`].
pub(super) fn read_all_civil(
    path: &Path,
    opts: &ReadOptions,
    lang: Lang,
    partial: bool,
    threads: usize,
) -> anyhow::Result<Read<CivilPerson>> {
    let opts = &read_options(opts, partial);
    let mut reader = CivilReader::open(path, opts)
        .and_then(|r| r.parallel(threads))
        .map_err(|e| read_failure(e.issues(), &e.to_string(), lang))?;
    let file_issues = reader.file_issues().to_vec();
    collect_rows(
        file_issues,
        |out, each| reader.read_into(out, each),
        path,
        lang,
        partial,
    )
}

/// A partial read lists every error: a row left out is never left out silently,
/// so the reader's limit on listed issues is lifted.
fn read_options(opts: &ReadOptions, partial: bool) -> ReadOptions {
    let mut opts = opts.clone();
    if partial {
        opts.max_issues = usize::MAX;
    }
    opts
}

fn read_failure(issues: &[padu_io::Issue], msg: &str, lang: Lang) -> anyhow::Error {
    for i in issues {
        eprintln!("{}", i.message(lang));
    }
    anyhow::anyhow!("{msg}")
}

/// Reads every row with `read` (a reader's `read_into`), which pushes the
/// records onto the vector it is given and reports each row's issues.
fn collect_rows<T>(
    file_issues: Vec<padu_io::Issue>,
    read: impl FnOnce(&mut Vec<T>, &mut dyn FnMut(u64, Vec<padu_io::Issue>, bool)),
    path: &Path,
    lang: Lang,
    partial: bool,
) -> anyhow::Result<Read<T>> {
    for i in &file_issues {
        eprintln!("{}", i.message(lang));
    }
    let mut out = Vec::with_capacity(rows_at_most(path) + 1);
    let mut errors = Vec::new();
    let (mut warnings, mut rejected) = (0u64, 0u64);
    read(&mut out, &mut |_, issues, kept| {
        for i in issues {
            match i.severity {
                Severity::Error if partial => errors.push(i),
                Severity::Error => {
                    eprintln!("{}", i.message(lang));
                    errors.push(i);
                }
                // Warnings (invalid NIKs and the like) are what verification is for; count them quietly.
                Severity::Warning => warnings += 1,
            }
        }
        // Counted apart from the issues, which the reader stops listing past its limit.
        if !kept {
            rejected += 1;
        }
    });
    if !partial && (!errors.is_empty() || rejected > 0) {
        match lang {
            Lang::Id => bail!(
                "{}: {rejected} baris ditolak ({} galat ditampilkan); perbaiki berkasnya lalu ulangi, \
                 atau gunakan --partial untuk memverifikasi baris yang benar saja",
                path.display(),
                errors.len()
            ),
            Lang::En => bail!(
                "{}: {rejected} rows rejected ({} errors shown); fix the file and retry, \
                 or use --partial to verify only the good rows",
                path.display(),
                errors.len()
            ),
        }
    }
    if warnings > 0 {
        eprintln!(
            "{}: {} baris dibaca, {warnings} peringatan (mis. NIK tidak valid)",
            path.display(),
            out.len()
        );
    }
    Ok(Read {
        records: out,
        rejected,
        errors,
    })
}

/// Writes the errors of the rows a partial run left out, one `file:row:column: message` a line.
fn write_rejects(path: &Path, errors: &[&padu_io::Issue], lang: Lang) -> anyhow::Result<()> {
    let f = std::fs::File::create(path).with_context(|| format!("membuat {}", path.display()))?;
    let mut w = BufWriter::new(f);
    for i in errors {
        writeln!(w, "{}", i.message(lang))?;
    }
    w.flush()
        .with_context(|| format!("menulis {}", path.display()))?;
    Ok(())
}

/// The default rejects file: beside the result, `<name>.ditolak.txt`.
fn default_rejects(out: &Path) -> std::path::PathBuf {
    let stem = out
        .file_stem()
        .map_or_else(|| "hasil".into(), |s| s.to_string_lossy().into_owned());
    out.with_file_name(format!("{stem}.ditolak.txt"))
}

/// Aggregates results per regency and district of the registry rows.
pub(super) fn summarise(registry: &[RegistryPerson], rows: &[VerificationRow]) -> Summary {
    Summary::of(rows.iter().zip(registry).map(|(r, p)| (r, p.kode_wilayah)))
}

/// Writes the results and returns their summary: for people a workbook
/// (`.xlsx`, with names, villages and summary sheets), for machines the
/// spec's exact columns (CSV, Parquet), encoded on `threads` threads while
/// another sums them up.
pub(super) fn write_results(
    path: &Path,
    registry: &[RegistryPerson],
    rows: &[VerificationRow],
    threads: usize,
) -> anyhow::Result<Summary> {
    let is_xlsx = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if is_xlsx {
        let summary = summarise(registry, rows);
        let subjects = registry.iter().map(|person| ResultSubject { person });
        write_result_workbook(path, rows.iter().zip(subjects), &summary)
            .with_context(|| format!("menulis {}", path.display()))?;
        return Ok(summary);
    }
    std::thread::scope(|scope| {
        let summary = scope.spawn(|| summarise(registry, rows));
        let mut w =
            ResultWriter::create(path).with_context(|| format!("membuat {}", path.display()))?;
        w.write_all(rows, threads)
            .with_context(|| format!("menulis {}", path.display()))?;
        w.finish()
            .with_context(|| format!("menulis {}", path.display()))?;
        Ok(summary
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p)))
    })
}

fn write_explain(path: &Path, out: &VerifyOutput) -> anyhow::Result<()> {
    let f = std::fs::File::create(path).with_context(|| format!("membuat {}", path.display()))?;
    let mut w = BufWriter::new(f);
    for e in &out.explanations {
        serde_json::to_writer(&mut w, e)?;
        w.write_all(b"\n")?;
    }
    w.flush()?;
    Ok(())
}

fn counts_line(c: &Counts) -> String {
    let mut parts = vec![
        format!("{} orang", c.total),
        format!("{:.1}% padan", c.percent_padan()),
    ];
    for s in NikStatus::ALL {
        if c.status(s) > 0 {
            parts.push(format!("{} {}", s, c.status(s)));
        }
    }
    for f in Flag::ALL {
        if c.flag(f) > 0 {
            parts.push(format!("{} {}", f, c.flag(f)));
        }
    }
    parts.join(", ")
}

/// Prints the totals the way a Dinsos reports them: overall, then per regency and district.
pub(super) fn print_summary(s: &Summary, lang: Lang) {
    let idx = regions();
    let title = match lang {
        Lang::Id => "Ringkasan verifikasi",
        Lang::En => "Verification summary",
    };
    out!("{title}");
    out!("  {:<22} {:>10}", "jumlah orang", s.all.total);
    for st in NikStatus::ALL {
        out!(
            "  {:<22} {:>10}  ({:.1}%)",
            st.as_str(),
            s.all.status(st),
            pct(s.all.status(st), s.all.total)
        );
    }
    for f in Flag::ALL {
        out!("  flag {:<17} {:>10}", f.as_str(), s.all.flag(f));
    }
    for a in Action::ALL {
        out!("  tindakan {:<13} {:>10}", a.as_str(), s.all.action(a));
    }
    let name = |c| {
        idx.get(c)
            .map_or_else(|| "?".to_string(), |i| i.name.clone())
    };
    if s.regencies.len() > 1 {
        out!("Per kabupaten/kota");
        let mut regs: Vec<_> = s.regencies.iter().collect();
        regs.sort_by(|a, b| b.1.total.cmp(&a.1.total).then(a.0.cmp(&b.0)));
        for (code, c) in regs.iter().take(REGIONS_SHOWN) {
            out!("  {code} {:<28} {}", name(*code), counts_line(c));
        }
        if regs.len() > REGIONS_SHOWN {
            out!(
                "  ... dan {} kabupaten/kota lain (rincian lengkap di berkas hasil)",
                regs.len() - REGIONS_SHOWN
            );
        }
    }
    if s.districts.len() <= REGIONS_SHOWN {
        out!("Per kecamatan");
        for (code, c) in &s.districts {
            out!("  {code} {:<25} {}", name(*code), counts_line(c));
        }
    }
}

/// Regions listed in the terminal summary before the rest are only counted.
const REGIONS_SHOWN: usize = 40;

fn pct(n: u64, total: u64) -> f64 {
    if total == 0 {
        0.0
    } else {
        100.0 * n as f64 / total as f64
    }
}
