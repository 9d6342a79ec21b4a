//! `padu import registry|civil`: one transaction per file, all problems reported at once.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use padu_core::Lang;
use padu_io::{
    CivilReader, EXTRA, FileType, HeaderInfo, Issue, Mapping, ReadOptions, RegistryReader, Row,
    Severity, suggest_mapping,
};
use padu_store::{Import, ImportReport, Store, StoreError};

use crate::cli::{ImportArgs, ImportCommand};
use crate::progress;

/// Rows sent to the database per batch: large enough to amortise round trips, small enough to keep memory flat.
const BATCH: usize = 5_000;

/// Warnings printed to the terminal before the rest are only counted (all of them go to `--issues`).
const WARNINGS_SHOWN: u64 = 50;

/// Errors a dry run prints before the rest are only counted: it shows the first problems, not all.
const DRY_RUN_ERRORS_SHOWN: u64 = 20;

/// Which file format is being imported.
#[derive(Clone, Copy)]
pub(super) enum Kind {
    /// A DTKS extract.
    Registry,
    /// A Dukcapil extract.
    Civil,
}

/// How an import ended.
pub(super) struct Outcome {
    /// Rows read from the file.
    pub rows: u64,
    /// Row errors found.
    pub errors: u64,
    /// Warnings found.
    pub warnings: u64,
    /// Rows not imported because of errors.
    pub rejected: u64,
    /// The store's report (of what would happen, in a dry run), or `None` when the import was cancelled.
    pub report: Option<ImportReport>,
    /// Where the header was found and what each column was read as.
    pub header: HeaderInfo,
}

pub(super) fn run(cmd: &ImportCommand, db: &str, lang: Lang) -> anyhow::Result<ExitCode> {
    let (args, kind) = match cmd {
        ImportCommand::Registry(a) => (a, Kind::Registry),
        ImportCommand::Civil(a) => (a, Kind::Civil),
    };
    if let Some(out) = &args.suggest_map {
        return suggest(args, kind, out, lang);
    }
    super::block_on(async {
        let store = Store::connect(db)
            .await
            .with_context(|| format!("membuka basis data {}", super::redact(db)))?;
        let mut printer = IssuePrinter::new(args.issues.as_deref(), lang, true)?;
        if args.dry_run {
            printer.errors_shown = Some(DRY_RUN_ERRORS_SHOWN);
            printer.warnings_shown = DRY_RUN_ERRORS_SHOWN;
        }
        let outcome = import_file(&store, kind, args, &mut printer).await?;
        printer.close()?;
        let Some(outcome) = outcome else {
            return Ok(ExitCode::from(1));
        };
        if args.dry_run {
            print_header(&outcome.header, lang, true);
        }
        print_outcome(&args.file, &outcome, args.dry_run, lang);
        Ok(if outcome.errors > 0 {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        })
    })
}

/// Prints issues: every error, the first warnings, and all of them to an optional CSV file.
pub(super) struct IssuePrinter {
    lang: Lang,
    echo: bool,
    warnings_seen: u64,
    errors_seen: u64,
    /// Errors echoed before the rest are only counted; all when `None`.
    errors_shown: Option<u64>,
    /// Warnings echoed before the rest are only counted.
    warnings_shown: u64,
    file: Option<csv_like::Writer>,
}

impl IssuePrinter {
    /// `echo` false keeps the terminal quiet (benchmarks); the file, if any, still gets everything.
    pub(super) fn new(path: Option<&Path>, lang: Lang, echo: bool) -> anyhow::Result<Self> {
        let file = path.map(csv_like::Writer::create).transpose()?;
        Ok(IssuePrinter {
            lang,
            echo,
            warnings_seen: 0,
            errors_seen: 0,
            errors_shown: None,
            warnings_shown: WARNINGS_SHOWN,
            file,
        })
    }

    fn issue(&mut self, issue: &Issue) -> anyhow::Result<()> {
        if let Some(f) = &mut self.file {
            f.write(issue, self.lang)?;
        }
        let show = match issue.severity {
            Severity::Error => {
                self.errors_seen += 1;
                self.errors_shown.is_none_or(|n| self.errors_seen <= n)
            }
            Severity::Warning => {
                self.warnings_seen += 1;
                self.warnings_seen <= self.warnings_shown
            }
        };
        if self.echo && show {
            eprintln!("{}", issue.message(self.lang));
        }
        Ok(())
    }

    fn close(self) -> anyhow::Result<()> {
        if let Some(shown) = self.errors_shown
            && self.echo
            && self.errors_seen > shown
        {
            let more = self.errors_seen - shown;
            match self.lang {
                Lang::Id => {
                    eprintln!("... dan {more} galat lain (semua ditulis dengan --issues FILE)")
                }
                Lang::En => {
                    eprintln!("... and {more} more errors (write them all with --issues FILE)")
                }
            }
        }
        if self.echo && self.warnings_seen > self.warnings_shown {
            let more = self.warnings_seen - self.warnings_shown;
            match self.lang {
                Lang::Id => {
                    eprintln!("... dan {more} peringatan lain (semua ditulis dengan --issues FILE)")
                }
                Lang::En => {
                    eprintln!("... and {more} more warnings (write them all with --issues FILE)")
                }
            }
        }
        if let Some(f) = self.file {
            f.finish()?;
        }
        Ok(())
    }
}

/// A tiny CSV writer for issues, so the CLI does not need the csv crate for four columns.
mod csv_like {
    use super::*;

    pub(super) struct Writer(std::io::BufWriter<std::fs::File>);

    fn cell(s: &str) -> String {
        if s.contains([',', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    }

    impl Writer {
        pub(super) fn create(path: &Path) -> anyhow::Result<Self> {
            let f = std::fs::File::create(path)
                .with_context(|| format!("membuat {}", path.display()))?;
            let mut w = std::io::BufWriter::new(f);
            writeln!(w, "berkas,baris,kolom,jenis,pesan")?;
            Ok(Writer(w))
        }

        pub(super) fn write(&mut self, i: &Issue, lang: Lang) -> anyhow::Result<()> {
            let kind = match i.severity {
                Severity::Error => "GALAT",
                Severity::Warning => "PERINGATAN",
            };
            writeln!(
                self.0,
                "{},{},{},{},{}",
                cell(&i.file),
                i.row,
                cell(i.column.as_deref().unwrap_or("")),
                kind,
                cell(i.text(lang))
            )?;
            Ok(())
        }

        pub(super) fn finish(mut self) -> anyhow::Result<()> {
            self.0.flush()?;
            Ok(())
        }
    }
}

/// Imports one file in one transaction. `Ok(None)` means the file could not be read at all
/// (its problems were printed).
pub(super) async fn import_file(
    store: &Store,
    kind: Kind,
    args: &ImportArgs,
    printer: &mut IssuePrinter,
) -> anyhow::Result<Option<Outcome>> {
    let opts = read_options(args)?;
    let source = args.file.display().to_string();
    // The import's transaction begins only once the file has opened.
    let file = args.file.as_path();
    let how = How {
        partial: args.partial,
        dry_run: args.dry_run,
        lang: printer.lang,
    };
    let outcome = match kind {
        Kind::Registry => {
            let reader = RegistryReader::open(file, &opts)
                .map(|r| (r.file_issues().to_vec(), r.header().clone(), r));
            let begin = store.begin_registry_import(&source);
            drive(reader, begin, how, printer, "impor DTKS").await?
        }
        Kind::Civil => {
            let reader = CivilReader::open(file, &opts)
                .map(|r| (r.file_issues().to_vec(), r.header().clone(), r));
            let begin = store.begin_civil_import(&source);
            drive(reader, begin, how, printer, "impor Dukcapil").await?
        }
    };
    // A bulk change: let the query planners see the new data.
    if let Some(r) = outcome.as_ref().and_then(|o| o.report.as_ref())
        && r.new + r.changed > 0
        && !args.dry_run
    {
        store
            .refresh_statistics()
            .await
            .context("memperbarui statistik basis data")?;
    }
    Ok(outcome)
}

/// The reading options of an import: reference date, sheet, and the `--map` file if any.
fn read_options(args: &ImportArgs) -> anyhow::Result<ReadOptions> {
    let mapping = match &args.map {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("membaca berkas pemetaan {}", path.display()))?;
            Mapping::parse(&text, &path.display().to_string())?
        }
        None => Mapping::default(),
    };
    Ok(ReadOptions {
        today: args.today.unwrap_or_else(super::today_wib),
        sheet: args.sheet.clone(),
        max_issues: usize::MAX,
        mapping,
    })
}

/// `--suggest-map`: writes the mapping Padu infers and imports nothing.
fn suggest(args: &ImportArgs, kind: Kind, out: &Path, lang: Lang) -> anyhow::Result<ExitCode> {
    let opts = read_options(args)?;
    let file_type = match kind {
        Kind::Registry => FileType::Registry,
        Kind::Civil => FileType::Civil,
    };
    let s = match suggest_mapping(&args.file, file_type, &opts) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("padu: {}", padu_core::lang::Localized::message(&e, lang));
            return Ok(ExitCode::from(1));
        }
    };
    print_header(&s.header, lang, true);
    let missing: Vec<&str> = s.missing.iter().map(String::as_str).collect();
    let name = args.file.file_name().map_or_else(
        || args.file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let order: Vec<&str> = s.header.columns.iter().map(|(h, _)| h.as_str()).collect();
    let text = s
        .header
        .mapping(&opts.mapping)
        .to_toml(&name, &order, &missing);
    std::fs::write(out, text).with_context(|| format!("menulis {}", out.display()))?;
    match (missing.is_empty(), lang) {
        (true, Lang::Id) => out!("pemetaan ditulis ke {}", out.display()),
        (true, Lang::En) => out!("mapping written to {}", out.display()),
        (false, Lang::Id) => out!(
            "pemetaan ditulis ke {}; kolom wajib belum ditemukan: {} (lengkapi berkasnya, lalu impor dengan --map {})",
            out.display(),
            missing.join(", "),
            out.display()
        ),
        (false, Lang::En) => out!(
            "mapping written to {}; required columns not found yet: {} (complete the file, then import with --map {})",
            out.display(),
            missing.join(", "),
            out.display()
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// Says where the header was found and, when `all`, what every column was read as.
///
/// Without `all` only what an operator should know anyway is said: skipped
/// title rows and the columns kept as extra data.
fn print_header(h: &HeaderInfo, lang: Lang, all: bool) {
    if !h.skipped.is_empty() {
        let rows = h
            .skipped
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        match lang {
            Lang::Id => eprintln!(
                "baris judul ditemukan di baris {}; baris di atasnya dilewati: {rows}",
                h.row
            ),
            Lang::En => eprintln!(
                "header found on row {}; rows above it skipped: {rows}",
                h.row
            ),
        }
    }
    if all {
        match lang {
            Lang::Id => eprintln!("kolom berkas → kolom Padu:"),
            Lang::En => eprintln!("file column → Padu field:"),
        }
        for (header, field) in &h.columns {
            let field = if field == EXTRA {
                match lang {
                    Lang::Id => "(data tambahan)",
                    Lang::En => "(extra data)",
                }
            } else {
                field.as_str()
            };
            eprintln!("  {header:<28} → {field}");
        }
    } else {
        let extras: Vec<&str> = h
            .columns
            .iter()
            .filter(|(_, f)| f == EXTRA)
            .map(|(h, _)| h.as_str())
            .collect();
        if !extras.is_empty() {
            match lang {
                Lang::Id => eprintln!(
                    "kolom yang tidak dikenal disimpan sebagai data tambahan: {}",
                    extras.join(", ")
                ),
                Lang::En => eprintln!("unknown columns kept as extra data: {}", extras.join(", ")),
            }
        }
    }
}

fn unreadable(
    e: &padu_io::ReadError,
    printer: &mut IssuePrinter,
) -> anyhow::Result<Option<Outcome>> {
    if e.issues().is_empty() {
        eprintln!("padu: {e}");
    }
    for i in e.issues() {
        printer.issue(i)?;
    }
    Ok(None)
}

/// How an import treats rows with errors and whether it writes.
#[derive(Clone, Copy)]
struct How {
    /// Import the good rows even when some have errors.
    partial: bool,
    /// Count what would change, then roll back.
    dry_run: bool,
    lang: Lang,
}

/// The part of an import both kinds share: print the file's own issues, open the
/// import, and stream the rows into its transaction. `Ok(None)` when the file
/// could not be opened.
async fn drive<'s, T>(
    opened: Result<(Vec<Issue>, HeaderInfo, impl Iterator<Item = Row<T>>), padu_io::ReadError>,
    begin: impl Future<Output = Result<Import<'s, T>, StoreError>>,
    how: How,
    printer: &mut IssuePrinter,
    label: &str,
) -> anyhow::Result<Option<Outcome>> {
    let (file_issues, header, rows) = match opened {
        Ok(r) => r,
        Err(e) => return unreadable(&e, printer),
    };
    if printer.echo && !how.dry_run {
        print_header(&header, how.lang, false);
    }
    for i in &file_issues {
        printer.issue(i)?;
    }
    let mut import = begin.await?;
    let pb = progress::bar(None, label);
    let mut o = Outcome {
        rows: 0,
        errors: 0,
        warnings: 0,
        rejected: 0,
        report: None,
        header,
    };
    let mut batch = Vec::with_capacity(BATCH);
    for row in rows {
        o.rows += 1;
        for issue in &row.issues {
            match issue.severity {
                Severity::Error => o.errors += 1,
                Severity::Warning => o.warnings += 1,
            }
            printer.issue(issue)?;
        }
        match row.record {
            Some(rec) => batch.push(rec),
            None => o.rejected += 1,
        }
        if batch.len() == BATCH {
            import.push(&batch).await.context("menulis ke basis data")?;
            batch.clear();
        }
        pb.inc(1);
    }
    pb.finish_and_clear();
    if o.errors > 0 && !how.partial && !how.dry_run {
        import.abort().await.context("membatalkan impor")?;
        return Ok(Some(o));
    }
    if !batch.is_empty() {
        import.push(&batch).await.context("menulis ke basis data")?;
    }
    o.report = Some(if how.dry_run {
        import
            .preview()
            .await
            .context("menghitung hasil uji coba")?
    } else {
        import.finish().await.context("menyelesaikan impor")?
    });
    Ok(Some(o))
}

/// The closing line of an import.
pub(super) fn print_outcome(file: &Path, o: &Outcome, dry_run: bool, lang: Lang) {
    let name = file.display();
    if dry_run {
        if let Some(r) = &o.report {
            let would_reject = if o.errors > 0 { o.rejected } else { 0 };
            match lang {
                Lang::Id => out!(
                    "{name}: UJI COBA, tidak ada yang disimpan. {} baris dibaca; akan menjadi {} baru, {} berubah, {} tidak berubah; {} baris bergalat; {} galat, {} peringatan{}",
                    o.rows,
                    r.new,
                    r.changed,
                    r.unchanged,
                    would_reject,
                    o.errors,
                    o.warnings,
                    if o.errors > 0 {
                        ". Dengan galat, impor sungguhan membatalkan semuanya kecuali dengan --partial (baris bergalat dilewati)."
                    } else {
                        ""
                    }
                ),
                Lang::En => out!(
                    "{name}: DRY RUN, nothing was saved. {} rows read; would be {} new, {} changed, {} unchanged; {} rows with errors; {} errors, {} warnings{}",
                    o.rows,
                    r.new,
                    r.changed,
                    r.unchanged,
                    would_reject,
                    o.errors,
                    o.warnings,
                    if o.errors > 0 {
                        ". With errors, the real import cancels everything unless --partial is given (rows with errors are skipped)."
                    } else {
                        ""
                    }
                ),
            }
        }
        return;
    }
    match (&o.report, lang) {
        (Some(r), Lang::Id) => out!(
            "{name}: {} baris dibaca; {} baru, {} berubah, {} tidak berubah, {} ditolak; {} galat, {} peringatan",
            o.rows,
            r.new,
            r.changed,
            r.unchanged,
            o.rejected,
            o.errors,
            o.warnings
        ),
        (Some(r), Lang::En) => out!(
            "{name}: {} rows read; {} new, {} changed, {} unchanged, {} rejected; {} errors, {} warnings",
            o.rows,
            r.new,
            r.changed,
            r.unchanged,
            o.rejected,
            o.errors,
            o.warnings
        ),
        (None, Lang::Id) => eprintln!(
            "{name}: impor dibatalkan, tidak ada data yang disimpan: {} galat pada {} baris (dan {} peringatan). \
             Perbaiki berkasnya lalu ulangi, atau gunakan --partial untuk mengimpor baris yang benar saja.",
            o.errors, o.rejected, o.warnings
        ),
        (None, Lang::En) => eprintln!(
            "{name}: import cancelled, nothing was saved: {} errors in {} rows (and {} warnings). \
             Fix the file and retry, or use --partial to import only the good rows.",
            o.errors, o.rejected, o.warnings
        ),
    }
}
