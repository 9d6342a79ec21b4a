//! `padu import registry|civil`: one transaction per file, all problems reported at once.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use padu_core::Lang;
use padu_io::{CivilReader, Issue, ReadOptions, RegistryReader, Row, Severity};
use padu_store::{Import, ImportReport, Store, StoreError};

use crate::cli::{ImportArgs, ImportCommand};
use crate::progress;

/// Rows sent to the database per batch: large enough to amortise round trips, small enough to keep memory flat.
const BATCH: usize = 5_000;

/// Warnings printed to the terminal before the rest are only counted (all of them go to `--issues`).
const WARNINGS_SHOWN: u64 = 50;

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
    /// The store's report, or `None` when the import was cancelled.
    pub report: Option<ImportReport>,
}

pub(super) fn run(cmd: &ImportCommand, db: &str, lang: Lang) -> anyhow::Result<ExitCode> {
    let (args, kind) = match cmd {
        ImportCommand::Registry(a) => (a, Kind::Registry),
        ImportCommand::Civil(a) => (a, Kind::Civil),
    };
    super::block_on(async {
        let store = Store::connect(db)
            .await
            .with_context(|| format!("membuka basis data {}", super::redact(db)))?;
        let mut printer = IssuePrinter::new(args.issues.as_deref(), lang, true)?;
        let outcome = import_file(&store, kind, args, &mut printer).await?;
        printer.close()?;
        let Some(outcome) = outcome else {
            return Ok(ExitCode::from(1));
        };
        print_outcome(&args.file, &outcome, lang);
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
            file,
        })
    }

    fn issue(&mut self, issue: &Issue) -> anyhow::Result<()> {
        if let Some(f) = &mut self.file {
            f.write(issue, self.lang)?;
        }
        let show = match issue.severity {
            Severity::Error => true,
            Severity::Warning => {
                self.warnings_seen += 1;
                self.warnings_seen <= WARNINGS_SHOWN
            }
        };
        if self.echo && show {
            eprintln!("{}", issue.message(self.lang));
        }
        Ok(())
    }

    fn close(self) -> anyhow::Result<()> {
        if self.echo && self.warnings_seen > WARNINGS_SHOWN {
            let more = self.warnings_seen - WARNINGS_SHOWN;
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
    let today = args.today.unwrap_or_else(super::today_wib);
    let opts = ReadOptions {
        today,
        sheet: args.sheet.clone(),
        max_issues: usize::MAX,
    };
    let source = args.file.display().to_string();
    // The import's transaction begins only once the file has opened.
    let (partial, file) = (args.partial, args.file.as_path());
    let outcome = match kind {
        Kind::Registry => {
            let reader = RegistryReader::open(file, &opts).map(|r| (r.file_issues().to_vec(), r));
            let begin = store.begin_registry_import(&source);
            drive(reader, begin, partial, printer, "impor DTKS").await?
        }
        Kind::Civil => {
            let reader = CivilReader::open(file, &opts).map(|r| (r.file_issues().to_vec(), r));
            let begin = store.begin_civil_import(&source);
            drive(reader, begin, partial, printer, "impor Dukcapil").await?
        }
    };
    // A bulk change: let the query planners see the new data.
    if let Some(r) = outcome.as_ref().and_then(|o| o.report.as_ref())
        && r.new + r.changed > 0
    {
        store
            .refresh_statistics()
            .await
            .context("memperbarui statistik basis data")?;
    }
    Ok(outcome)
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

/// The part of an import both kinds share: print the file's own issues, open the
/// import, and stream the rows into its transaction. `Ok(None)` when the file
/// could not be opened.
async fn drive<'s, T>(
    opened: Result<(Vec<Issue>, impl Iterator<Item = Row<T>>), padu_io::ReadError>,
    begin: impl Future<Output = Result<Import<'s, T>, StoreError>>,
    partial: bool,
    printer: &mut IssuePrinter,
    label: &str,
) -> anyhow::Result<Option<Outcome>> {
    let (file_issues, rows) = match opened {
        Ok(r) => r,
        Err(e) => return unreadable(&e, printer),
    };
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
    if o.errors > 0 && !partial {
        import.abort().await.context("membatalkan impor")?;
        return Ok(Some(o));
    }
    if !batch.is_empty() {
        import.push(&batch).await.context("menulis ke basis data")?;
    }
    o.report = Some(import.finish().await.context("menyelesaikan impor")?);
    Ok(Some(o))
}

/// The closing line of an import.
pub(super) fn print_outcome(file: &Path, o: &Outcome, lang: Lang) {
    let name = file.display();
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
