//! Writing registry, civil-registry and verification-result files as CSV, XLSX or Parquet.
//!
//! CSV is UTF-8 with a comma delimiter and dates as `YYYY-MM-DD`. XLSX is
//! written in rust_xlsxwriter's constant-memory mode (rows go to disk as they
//! are written), identity numbers as text cells in a text-formatted column so
//! Excel never turns them into numbers, and dates as real date cells shown
//! `dd-mm-yyyy`. Parquet has UTF-8 string columns (identity numbers
//! included) and `DATE` columns, written a row group at a time
//! ([`crate::parquet_file`]).

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use padu_core::{CivilPerson, RegistryPerson, VerificationRow};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

use crate::error::WriteError;
use crate::parquet_file::ParquetSink;
use crate::read::{CIVIL_COLUMNS, REGISTRY_COLUMNS};

/// How a column is written to XLSX.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Ordinary text.
    Text,
    /// An identity number: a text cell in a text-formatted column.
    Id,
    /// A real date cell.
    Date,
    /// A number when it parses as one.
    Number,
}

impl Kind {
    fn width(self, header: &str) -> f64 {
        let base: f64 = match self {
            Kind::Id => 19.0,
            Kind::Date => 12.0,
            Kind::Number => 9.0,
            Kind::Text => 14.0,
        };
        base.max(header.chars().count() as f64 + 2.0)
    }
}

/// A value for one cell.
pub(crate) enum Out {
    Text(String),
    Date(Option<NaiveDate>),
}

impl From<String> for Out {
    fn from(s: String) -> Out {
        Out::Text(s)
    }
}

impl From<Option<String>> for Out {
    fn from(s: Option<String>) -> Out {
        Out::Text(s.unwrap_or_default())
    }
}

impl From<&Option<String>> for Out {
    fn from(s: &Option<String>) -> Out {
        Out::Text(s.clone().unwrap_or_default())
    }
}

struct XlsxSink {
    workbook: Workbook,
    path: PathBuf,
    row: u32,
    kinds: Vec<Kind>,
    id_format: Format,
    date_format: Format,
    number_format: Format,
}

enum Sink {
    Csv(Box<csv::Writer<BufWriter<File>>>),
    Xlsx(Box<XlsxSink>),
    Parquet(Box<ParquetSink>),
}

fn extension(path: &Path) -> String {
    path.extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default()
}

/// A table being written: the header first, then rows in order.
pub(crate) struct TableWriter {
    sink: Sink,
    rows: u64,
}

impl TableWriter {
    pub(crate) fn create(
        path: &Path,
        sheet_name: &str,
        header: &[String],
        kinds: &[Kind],
    ) -> Result<TableWriter, WriteError> {
        let sink = match extension(path).as_str() {
            "csv" => {
                let mut w = csv::Writer::from_writer(BufWriter::new(File::create(path)?));
                w.write_record(header)?;
                Sink::Csv(Box::new(w))
            }
            "xlsx" => {
                let mut workbook = Workbook::new();
                let bold = Format::new().set_bold();
                let id_format = Format::new().set_num_format("@");
                let date_format = Format::new().set_num_format("dd-mm-yyyy");
                let number_format = Format::new().set_num_format("0.0000");
                let ws = workbook.add_worksheet_with_constant_memory()?;
                ws.set_name(sheet_name)?;
                ws.set_freeze_panes(1, 0)?;
                for (col, (name, kind)) in header.iter().zip(kinds).enumerate() {
                    let col = col as u16;
                    ws.set_column_width(col, kind.width(name))?;
                    if *kind == Kind::Id {
                        ws.set_column_format(col, &id_format)?;
                    }
                    ws.write_string_with_format(0, col, name, &bold)?;
                }
                Sink::Xlsx(Box::new(XlsxSink {
                    workbook,
                    path: path.to_path_buf(),
                    row: 0,
                    kinds: kinds.to_vec(),
                    id_format,
                    date_format,
                    number_format,
                }))
            }
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

    pub(crate) fn write(&mut self, cells: Vec<Out>) -> Result<(), WriteError> {
        match &mut self.sink {
            Sink::Parquet(p) => p.write(cells)?,
            Sink::Csv(w) => {
                for c in &cells {
                    match c {
                        Out::Text(s) => w.write_field(s)?,
                        Out::Date(d) => w.write_field(
                            d.map(|d| d.format("%Y-%m-%d").to_string())
                                .unwrap_or_default(),
                        )?,
                    }
                }
                w.write_record(None::<&[u8]>)?;
            }
            Sink::Xlsx(x) => {
                x.row += 1;
                let row = x.row;
                let ws = x.workbook.worksheet_from_index(0)?;
                for (col, cell) in cells.iter().enumerate() {
                    let kind = x.kinds.get(col).copied().unwrap_or(Kind::Text);
                    let col = col as u16;
                    match cell {
                        Out::Text(s) if s.is_empty() => {}
                        Out::Text(s) => match kind {
                            Kind::Id => {
                                ws.write_string_with_format(row, col, s, &x.id_format)?;
                            }
                            Kind::Number => match s.parse::<f64>() {
                                Ok(n) => {
                                    ws.write_number_with_format(row, col, n, &x.number_format)?;
                                }
                                Err(_) => {
                                    ws.write_string(row, col, s)?;
                                }
                            },
                            Kind::Text | Kind::Date => {
                                ws.write_string(row, col, s)?;
                            }
                        },
                        Out::Date(None) => {}
                        Out::Date(Some(d)) => {
                            match ExcelDateTime::from_ymd(
                                d.year() as u16,
                                d.month() as u8,
                                d.day() as u8,
                            ) {
                                Ok(dt) => {
                                    ws.write_datetime_with_format(row, col, &dt, &x.date_format)?;
                                }
                                // Excel cannot hold dates before 1900; keep them readable as text.
                                Err(_) => {
                                    ws.write_string(row, col, d.format("%Y-%m-%d").to_string())?;
                                }
                            }
                        }
                    }
                }
            }
        }
        self.rows += 1;
        Ok(())
    }

    pub(crate) fn finish(self) -> Result<u64, WriteError> {
        match self.sink {
            Sink::Csv(mut w) => w.flush()?,
            Sink::Xlsx(mut x) => x.workbook.save(&x.path)?,
            Sink::Parquet(p) => p.finish()?,
        }
        Ok(self.rows)
    }
}

fn registry_kinds(extra: usize) -> Vec<Kind> {
    let mut kinds: Vec<Kind> = REGISTRY_COLUMNS
        .iter()
        .map(|c| match *c {
            "id_art" | "id_keluarga" | "no_kk" | "nik" | "kode_wilayah" | "rt" | "rw" => Kind::Id,
            "tgl_lahir" => Kind::Date,
            _ => Kind::Text,
        })
        .collect();
    // Extra columns may hold codes with leading zeros too; text keeps them as they were.
    kinds.extend(std::iter::repeat_n(Kind::Id, extra));
    kinds
}

/// Writes a registry file (`.csv`, `.xlsx` or `.parquet`): the spec's columns in order, then the extra columns.
///
/// The extra columns are those of the first person; later people's extra
/// values are written under the column of the same name (empty when absent).
/// Returns the number of rows written.
pub fn write_registry(
    path: &Path,
    people: impl IntoIterator<Item = RegistryPerson>,
) -> Result<u64, WriteError> {
    let mut people = people.into_iter().peekable();
    let extra_names: Vec<String> = people
        .peek()
        .map(|p| p.extra.iter().map(|(k, _)| k.clone()).collect())
        .unwrap_or_default();
    let mut header: Vec<String> = REGISTRY_COLUMNS.iter().map(|s| s.to_string()).collect();
    header.extend(extra_names.iter().cloned());
    let mut w = TableWriter::create(
        path,
        "registry",
        &header,
        &registry_kinds(extra_names.len()),
    )?;
    for p in people {
        let mut cells: Vec<Out> = vec![
            p.id_art.into(),
            p.id_keluarga.into(),
            p.no_kk.to_cell().into(),
            p.nik.to_cell().into(),
            p.nama.into(),
            p.jenis_kelamin.to_string().into(),
            p.tempat_lahir.into(),
            Out::Date(Some(p.tgl_lahir)),
            p.hubungan_keluarga.map(|r| r.to_string()).into(),
            p.nama_ibu_kandung.into(),
            p.alamat.into(),
            p.rt.into(),
            p.rw.into(),
            p.kode_wilayah.to_string().into(),
        ];
        for name in &extra_names {
            let v = p
                .extra
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            cells.push(v.into());
        }
        w.write(cells)?;
    }
    w.finish()
}

/// Writes a civil-registry extract (`.csv`, `.xlsx` or `.parquet`) in the spec's column order.
///
/// Returns the number of rows written.
pub fn write_civil(
    path: &Path,
    people: impl IntoIterator<Item = CivilPerson>,
) -> Result<u64, WriteError> {
    let header: Vec<String> = CIVIL_COLUMNS.iter().map(|s| s.to_string()).collect();
    let kinds: Vec<Kind> = CIVIL_COLUMNS
        .iter()
        .map(|c| match *c {
            "nik" | "no_kk" | "kode_wilayah" | "rt" | "rw" => Kind::Id,
            "tgl_lahir" | "tgl_meninggal" => Kind::Date,
            _ => Kind::Text,
        })
        .collect();
    let mut w = TableWriter::create(path, "dukcapil", &header, &kinds)?;
    for p in people {
        w.write(vec![
            p.nik.to_string().into(),
            p.no_kk.to_cell().into(),
            p.nama.into(),
            p.jenis_kelamin.to_string().into(),
            Out::Date(Some(p.tgl_lahir)),
            p.tempat_lahir.into(),
            p.nama_ibu_kandung.into(),
            p.alamat.into(),
            p.rt.into(),
            p.rw.into(),
            p.kode_wilayah.to_string().into(),
            p.status_hidup.as_str().to_string().into(),
            Out::Date(p.tgl_meninggal),
        ])?;
    }
    w.finish()
}

/// Writes verification results row by row, in the spec's columns ([`VerificationRow::COLUMNS`]).
///
/// `.csv`, `.xlsx` or `.parquet`; in XLSX the score is a number cell and ids are text
/// cells, in Parquet every column is a string, as in CSV.
pub struct ResultWriter {
    table: TableWriter,
}

impl ResultWriter {
    /// Creates the file and writes the header.
    pub fn create(path: &Path) -> Result<ResultWriter, WriteError> {
        let header: Vec<String> = VerificationRow::COLUMNS
            .iter()
            .map(|s| s.to_string())
            .collect();
        let kinds: Vec<Kind> = VerificationRow::COLUMNS
            .iter()
            .map(|c| match *c {
                "id_art" | "nik_usulan" | "id_kelompok_ganda" | "id_art_utama" => Kind::Id,
                "skor" => Kind::Number,
                _ => Kind::Text,
            })
            .collect();
        Ok(ResultWriter {
            table: TableWriter::create(path, "hasil", &header, &kinds)?,
        })
    }

    /// Writes one row.
    pub fn write(&mut self, row: &VerificationRow) -> Result<(), WriteError> {
        self.table
            .write(row.to_cells().into_iter().map(Out::Text).collect())
    }

    /// Flushes (CSV), saves (XLSX) or closes (Parquet) the file; returns the number of rows written.
    pub fn finish(self) -> Result<u64, WriteError> {
        self.table.finish()
    }
}
