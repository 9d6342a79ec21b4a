//! The file formats, and the one place that picks a format from a file's name.
//!
//! Each format module ([`csv`], [`workbook`], [`parquet`]) depends only on
//! [`crate::table`] (and the error and issue types): it yields
//! [`RawRow`]s from a file and writes [`Out`] values to one. This module
//! dispatches to them by extension, so the record layer above never names a
//! format.

mod csv;
mod parquet;
mod workbook;

use std::path::Path;

use self::csv::{CsvSink, CsvSource};
use self::parquet::{ParquetSink, ParquetSource};
use self::workbook::SheetSource;
pub(crate) use self::workbook::XlsxSink;
use crate::error::{ReadError, WriteError};
use crate::table::{Kind, Opened, Out, RawRow};

/// The lower-cased extension of `path`, empty when it has none.
fn extension(path: &Path) -> String {
    path.extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default()
}

/// The rows of an open file, whatever its format.
pub(crate) enum Source {
    Csv(Box<CsvSource>),
    Sheet(SheetSource),
    Parquet(Box<ParquetSource>),
    /// Nothing left: the rest of the file was handed to other threads
    /// (see [`Source::hand_off`]).
    Handed,
}

impl Source {
    /// The next data row, or `None` at the end of the file.
    pub(crate) fn next_row(&mut self) -> Option<RawRow> {
        match self {
            Source::Csv(c) => c.next_row(),
            Source::Sheet(s) => s.next_row(),
            Source::Parquet(p) => p.next_row(),
            Source::Handed => None,
        }
    }

    /// This source, for another thread to read on; what stays is [`Source::Handed`].
    pub(crate) fn hand_off(&mut self) -> Source {
        std::mem::replace(self, Source::Handed)
    }

    /// Splits the rest of a CSV file between about `parts` readers at record
    /// boundaries (see [`CsvSource::split`]): the sources of the later parts,
    /// in file order, while this one stops where they start. Empty when the
    /// file is not split (another format, decoded text, smaller than `min_bytes`).
    pub(crate) fn split(&mut self, parts: usize, min_bytes: u64) -> std::io::Result<Vec<Source>> {
        match self {
            Source::Csv(c) => Ok(c
                .split(parts, min_bytes)?
                .into_iter()
                .map(|p| Source::Csv(Box::new(p)))
                .collect()),
            Source::Sheet(_) | Source::Parquet(_) | Source::Handed => Ok(Vec::new()),
        }
    }

    /// Whether a value that is not UTF-8 has been reported (once per file; only a CSV has such values).
    pub(crate) fn warned_encoding(&self) -> bool {
        match self {
            Source::Csv(c) => c.warned_encoding(),
            Source::Sheet(_) | Source::Parquet(_) | Source::Handed => false,
        }
    }

    /// Whether rows below the first may be the header (not in Parquet, whose header is its schema).
    pub(crate) fn searchable(&self) -> bool {
        !matches!(self, Source::Parquet(_))
    }

    /// Takes `header` as the header row from now on; a CSV checks field counts against it.
    pub(crate) fn rehead(&mut self, header: &[crate::table::Cell]) {
        if let Source::Csv(c) = self {
            c.rehead(header);
        }
    }
}

/// Opens a CSV, workbook or Parquet file by extension; `label` names it in messages.
///
/// `sheet` picks a workbook's worksheet (the first one when `None`); other formats ignore it.
pub(crate) fn open(
    path: &Path,
    sheet: Option<&str>,
    label: &str,
) -> Result<Opened<Source>, ReadError> {
    let ext = extension(path);
    match ext.as_str() {
        "csv" | "tsv" | "txt" => {
            CsvSource::open(path, label).map(|o| o.map_source(|s| Source::Csv(Box::new(s))))
        }
        "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" => {
            SheetSource::open(path, sheet, label).map(|o| o.map_source(Source::Sheet))
        }
        "parquet" => {
            ParquetSource::open(path, label).map(|o| o.map_source(|s| Source::Parquet(Box::new(s))))
        }
        _ => Err(ReadError::UnsupportedExtension {
            path: label.to_string(),
            ext,
        }),
    }
}

/// Opens only the row groups `groups` of a Parquet file (a part of it, for a
/// distributed job); rows keep their numbers in the whole file.
pub(crate) fn open_parquet_groups(
    path: &Path,
    label: &str,
    groups: std::ops::Range<usize>,
) -> Result<Opened<Source>, ReadError> {
    ParquetSource::open_groups(path, label, Some(groups))
        .map(|o| o.map_source(|s| Source::Parquet(Box::new(s))))
}

pub(crate) use self::parquet::row_groups as parquet_row_groups;

/// Where a table's rows are written, whatever its format.
enum Sink {
    Csv(Box<CsvSink>),
    Xlsx(Box<XlsxSink>),
    Parquet(Box<ParquetSink>),
}

/// Where [`TableWriter::write_all`] puts one row's cells: the table itself,
/// or a block of CSV encoded apart from it.
pub(crate) enum Record<'w> {
    /// The table.
    Table(&'w mut TableWriter),
    /// A block of CSV records.
    Csv(&'w mut ::csv::Writer<Vec<u8>>),
}

impl Record<'_> {
    /// Writes the row's cells, in header order.
    pub(crate) fn write<'a>(
        &mut self,
        cells: impl IntoIterator<Item = Out<'a>>,
    ) -> Result<(), WriteError> {
        match self {
            Record::Table(t) => t.write(cells),
            Record::Csv(w) => self::csv::write_record(w, cells),
        }
    }
}

/// A table being written: the header first, then rows in order.
pub(crate) struct TableWriter {
    sink: Sink,
    rows: u64,
}

impl TableWriter {
    /// Creates a `.csv`, `.xlsx` or `.parquet` file by extension and writes its header.
    ///
    /// `kinds` gives each column's kind, in header order; `sheet_name` names
    /// the worksheet of a workbook.
    pub(crate) fn create(
        path: &Path,
        sheet_name: &str,
        header: &[String],
        kinds: &[Kind],
    ) -> Result<TableWriter, WriteError> {
        let sink = match extension(path).as_str() {
            "csv" => Sink::Csv(Box::new(CsvSink::create(path, header)?)),
            "xlsx" => Sink::Xlsx(Box::new(XlsxSink::create(path, sheet_name, header, kinds)?)),
            "parquet" => Sink::Parquet(Box::new(ParquetSink::create(path, header, kinds)?)),
            ext => {
                return Err(WriteError::UnsupportedExtension {
                    path: path.display().to_string(),
                    ext: ext.to_string(),
                });
            }
        };
        Ok(TableWriter { sink, rows: 0 })
    }

    /// Writes one row, its cells in header order.
    pub(crate) fn write<'a>(
        &mut self,
        cells: impl IntoIterator<Item = Out<'a>>,
    ) -> Result<(), WriteError> {
        match &mut self.sink {
            Sink::Csv(w) => w.write(cells)?,
            Sink::Xlsx(w) => w.write(cells)?,
            Sink::Parquet(w) => w.write(cells)?,
        }
        self.rows += 1;
        Ok(())
    }

    /// Writes `rows` in order, each turned into one record by `encode`. A
    /// CSV file's rows are encoded in blocks on `threads` threads (see
    /// [`CsvSink::write_encoded`]); the file is the same either way.
    pub(crate) fn write_all<T: Sync>(
        &mut self,
        rows: &[T],
        threads: usize,
        encode: impl Fn(&T, &mut Record<'_>) -> Result<(), WriteError> + Sync,
    ) -> Result<(), WriteError> {
        match &mut self.sink {
            Sink::Csv(w) if threads > 1 => {
                w.write_encoded(rows, threads, |w, row| encode(row, &mut Record::Csv(w)))?;
                self.rows += rows.len() as u64;
            }
            _ => {
                for row in rows {
                    encode(row, &mut Record::Table(self))?;
                }
            }
        }
        Ok(())
    }

    /// Flushes (CSV), saves (XLSX) or closes (Parquet) the file; returns the number of rows written.
    pub(crate) fn finish(self) -> Result<u64, WriteError> {
        match self.sink {
            Sink::Csv(w) => w.finish()?,
            Sink::Xlsx(w) => w.finish()?,
            Sink::Parquet(w) => w.finish()?,
        }
        Ok(self.rows)
    }
}
