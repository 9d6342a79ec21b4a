//! Reading Parquet a batch of rows at a time, with the low-level column readers.
//!
//! Reading uses the `parquet` crate's low-level column readers rather than
//! Arrow, which keeps the dependency small: for each row group, every
//! top-level column decodes at most [`BATCH_ROWS`] values, which become
//! [`Cell`]s and are regrouped into rows. Memory therefore holds one batch of
//! rows and the pages being decoded, whatever the size of the file.
//!
//! A Parquet file has no header line, but its rows are numbered as if it had
//! one, like a CSV or a sheet: the header is row 1 and the first record
//! (record 0 in pandas or DuckDB) is row 2, so record `n` is row `n + 2`.
//! Records whose cells are all null or blank are skipped, as blank lines are
//! in a CSV, but still counted.
//!
//! Values become the cells the field parser already knows, so every check
//! behaves as it does for CSV:
//!
//! - strings (`BYTE_ARRAY`, annotated UTF8/ENUM/JSON or not) are text; bytes
//!   that are not UTF-8 are decoded as Windows-1252 with one warning per file,
//!   as in a CSV, so they are never imported as mojibake;
//! - integers (`INT32`, `INT64`, signed or not) and `DECIMAL` are their exact
//!   decimal text: a NIK stored as `INT64` or `DECIMAL(16,0)` reads as its 16
//!   digits, because unlike an Excel number a Parquet integer cannot have lost
//!   any (identity numbers have no leading zeros: province codes start at 11);
//! - `FLOAT` and `DOUBLE` are [`Cell::Float`]s, shown and read as dates like
//!   spreadsheet number cells: a double holds only about 15.9 significant
//!   digits (a float about 7), so a NIK stored that way is kept raw and
//!   flagged, never trusted;
//! - `DATE` is a date; `TIMESTAMP` and legacy `INT96` timestamps give their
//!   date, a UTC-adjusted one the day whose local midnight it is (see
//!   [`Cell::timestamp_date`]); `TIME` is `HH:MM:SS` text; booleans are booleans;
//! - null is an empty cell;
//! - lists, maps, structs and the few exotic types (FLOAT16, INTERVAL, BSON,
//!   geometry, variant) cannot be read: in a spec column that refuses the file,
//!   in an unknown column its values are dropped with a warning.

use std::collections::VecDeque;
use std::fs::File;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use chrono::{DateTime, NaiveTime, TimeDelta};
use encoding_rs::WINDOWS_1252;
use parquet::basic::{
    Compression, ConvertedType, LogicalType, Repetition, TimeUnit, Type as PhysicalType,
};
use parquet::column::reader::{ColumnReader, ColumnReaderImpl};
use parquet::data_type::{DataType, Int96};
use parquet::errors::ParquetError;
use parquet::file::reader::FileReader;
use parquet::file::serialized_reader::SerializedFileReader;
use parquet::schema::types::Type;

use super::EPOCH;
use crate::error::ReadError;
use crate::issue::{Issue, Severity};
use crate::table::{Cell, Opened, RawRow, io_error};

/// Records decoded per column at a time: enough to amortise each call, small enough to stay cheap.
const BATCH_ROWS: usize = 1024;

/// The codecs this build decodes, matching the `parquet` crate features in the workspace manifest.
const SUPPORTED_CODECS: &str = "SNAPPY, ZSTD";

/// The Julian day number of 1970-01-01, from which legacy `INT96` timestamps count.
const JULIAN_DAY_OF_EPOCH: i64 = 2_440_588;

fn codec_supported(c: Compression) -> bool {
    matches!(
        c,
        Compression::UNCOMPRESSED | Compression::SNAPPY | Compression::ZSTD(_)
    )
}

fn codec_name(c: Compression) -> &'static str {
    match c {
        Compression::UNCOMPRESSED => "UNCOMPRESSED",
        Compression::SNAPPY => "SNAPPY",
        Compression::GZIP(_) => "GZIP",
        Compression::LZO => "LZO",
        Compression::BROTLI(_) => "BROTLI",
        Compression::LZ4 => "LZ4",
        Compression::ZSTD(_) => "ZSTD",
        Compression::LZ4_RAW => "LZ4_RAW",
    }
}

/// Runs a call into the Parquet decoder, turning a panic on corrupt input into an error.
///
/// The decoder is third-party code fed with untrusted files; one malformed
/// file must stop its own import with a message, not crash the process.
fn guarded<T>(f: impl FnOnce() -> Result<T, ParquetError>) -> Result<T, ParquetError> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("unknown cause");
        Err(ParquetError::General(format!(
            "the Parquet decoder failed on corrupt data: {what}"
        )))
    })
}

/// How the values of one readable top-level column become cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Conv {
    Bool,
    /// An integer; `unsigned` when the file says the bits are unsigned.
    Int {
        unsigned: bool,
    },
    Decimal {
        scale: u32,
    },
    Date,
    /// Time of day, counted in `1 / per_sec` seconds.
    Time {
        per_sec: i64,
    },
    /// Since the epoch, counted in `1 / per_sec` seconds.
    Timestamp {
        per_sec: i64,
        utc: bool,
    },
    Int96,
    Float,
    Text,
    Uuid,
}

fn ticks_per_sec(unit: &TimeUnit) -> i64 {
    match unit {
        TimeUnit::MILLIS => 1_000,
        TimeUnit::MICROS => 1_000_000,
        TimeUnit::NANOS => 1_000_000_000,
    }
}

/// How a top-level field is read, or its type as a user should see it when it cannot be.
fn classify(field: &Type) -> Result<Conv, String> {
    let info = field.get_basic_info();
    let logical = info.logical_type_ref();
    let converted = info.converted_type();
    if field.is_group() {
        let kind = match (logical, converted) {
            (Some(LogicalType::List), _) | (_, ConvertedType::LIST) => "LIST",
            (Some(LogicalType::Map), _) | (_, ConvertedType::MAP) => "MAP",
            _ => "STRUCT",
        };
        return Err(format!("Parquet {kind}"));
    }
    if info.has_repetition() && info.repetition() == Repetition::REPEATED {
        return Err("Parquet REPEATED".into());
    }
    let physical = field.get_physical_type();
    let decimal =
        matches!(logical, Some(LogicalType::Decimal(_))) || converted == ConvertedType::DECIMAL;
    if decimal {
        return u32::try_from(field.get_scale())
            .map(|scale| Conv::Decimal { scale })
            .map_err(|_| "Parquet DECIMAL".into());
    }
    let conv = match physical {
        PhysicalType::BOOLEAN => Conv::Bool,
        PhysicalType::INT32 | PhysicalType::INT64 => match (logical, converted) {
            (Some(LogicalType::Date), _) | (_, ConvertedType::DATE) => Conv::Date,
            (Some(LogicalType::Time(t)), _) => Conv::Time {
                per_sec: ticks_per_sec(&t.unit),
            },
            (_, ConvertedType::TIME_MILLIS) => Conv::Time { per_sec: 1_000 },
            (_, ConvertedType::TIME_MICROS) => Conv::Time { per_sec: 1_000_000 },
            (Some(LogicalType::Timestamp(t)), _) => Conv::Timestamp {
                per_sec: ticks_per_sec(&t.unit),
                utc: t.is_adjusted_to_u_t_c,
            },
            // The legacy annotations predate the UTC flag and were defined as UTC instants.
            (_, ConvertedType::TIMESTAMP_MILLIS) => Conv::Timestamp {
                per_sec: 1_000,
                utc: true,
            },
            (_, ConvertedType::TIMESTAMP_MICROS) => Conv::Timestamp {
                per_sec: 1_000_000,
                utc: true,
            },
            (Some(LogicalType::Integer(i)), _) => Conv::Int {
                unsigned: !i.is_signed,
            },
            (
                _,
                ConvertedType::UINT_8
                | ConvertedType::UINT_16
                | ConvertedType::UINT_32
                | ConvertedType::UINT_64,
            ) => Conv::Int { unsigned: true },
            _ => Conv::Int { unsigned: false },
        },
        PhysicalType::INT96 => Conv::Int96,
        PhysicalType::FLOAT | PhysicalType::DOUBLE => Conv::Float,
        PhysicalType::BYTE_ARRAY | PhysicalType::FIXED_LEN_BYTE_ARRAY => match logical {
            None | Some(LogicalType::String | LogicalType::Enum | LogicalType::Json) => {
                match converted {
                    ConvertedType::INTERVAL => return Err("Parquet INTERVAL".into()),
                    ConvertedType::BSON => return Err("Parquet BSON".into()),
                    _ => Conv::Text,
                }
            }
            Some(LogicalType::Uuid) => Conv::Uuid,
            Some(other) => {
                let name = format!("{other:?}");
                let name = name.split(['(', ' ', '{']).next().unwrap_or("?");
                return Err(format!("Parquet {}", name.to_uppercase()));
            }
        },
    };
    Ok(conv)
}

/// One top-level column of the file.
struct Column {
    /// The name as written in the schema.
    name: String,
    /// The leaf column to read, how, and its maximum definition level; `None` when unreadable.
    read: Option<(usize, Conv, i16)>,
}

/// A Parquet file read one batch of rows at a time.
pub(crate) struct ParquetSource {
    file: SerializedFileReader<File>,
    label: String,
    columns: Vec<Column>,
    /// The next row group to open.
    group: usize,
    /// The row group to stop before (all of them unless a part was asked for).
    end_group: usize,
    /// The current row group's column readers, by header position.
    readers: Vec<Option<ColumnReader>>,
    /// Records of the current row group not read yet.
    left_in_group: usize,
    /// The 0-based index of the next record in the file.
    next_record: u64,
    /// Rows decoded and not yet handed out.
    pending: VecDeque<RawRow>,
    defs: Vec<i16>,
    /// Offsets in the current batch of strings that were not UTF-8.
    bad_text: Vec<usize>,
    warned_encoding: bool,
    done: bool,
}

fn not_parquet(label: &str, e: &ParquetError) -> ReadError {
    ReadError::NotParquet {
        path: label.to_string(),
        reason: e.to_string(),
    }
}

impl ParquetSource {
    /// Opens a Parquet file, checks its schema and codecs, and makes its field names the header.
    pub(crate) fn open(path: &Path, label: &str) -> Result<Opened<ParquetSource>, ReadError> {
        Self::open_groups(path, label, None)
    }

    /// Like [`ParquetSource::open`], reading only the row groups in `groups`
    /// (all when `None`); rows keep the numbers they have in the whole file.
    pub(crate) fn open_groups(
        path: &Path,
        label: &str,
        groups: Option<std::ops::Range<usize>>,
    ) -> Result<Opened<ParquetSource>, ReadError> {
        let file = File::open(path).map_err(|e| io_error(label, &e))?;
        let reader =
            guarded(|| SerializedFileReader::new(file)).map_err(|e| not_parquet(label, &e))?;
        let meta = reader.metadata();
        let schema = meta.file_metadata().schema_descr();
        let fields = schema.root_schema().get_fields();
        if fields.is_empty() {
            return Err(ReadError::Empty {
                path: label.to_string(),
            });
        }
        // A readable top-level field is primitive, so it is exactly one leaf column.
        let mut leaf_of_field = vec![None; fields.len()];
        for leaf in 0..schema.num_columns() {
            let root = schema.get_column_root_idx(leaf);
            if let Some(slot) = leaf_of_field.get_mut(root) {
                slot.get_or_insert(leaf);
            }
        }
        let mut columns = Vec::with_capacity(fields.len());
        let mut unreadable = Vec::new();
        for (pos, field) in fields.iter().enumerate() {
            let read = match (classify(field), leaf_of_field[pos]) {
                (Ok(conv), Some(leaf)) => Some((leaf, conv, schema.column(leaf).max_def_level())),
                (Ok(_), None) => {
                    unreadable.push((pos, "Parquet".to_string()));
                    None
                }
                (Err(ty), _) => {
                    unreadable.push((pos, ty));
                    None
                }
            };
            columns.push(Column {
                name: field.name().to_string(),
                read,
            });
        }
        // An unsupported codec would otherwise surface only at the first row of its row group.
        for rg in meta.row_groups() {
            for col in &columns {
                if let Some((leaf, ..)) = col.read {
                    let codec = rg.column(leaf).compression();
                    if !codec_supported(codec) {
                        return Err(ReadError::UnsupportedCompression {
                            path: label.to_string(),
                            column: col.name.clone(),
                            codec: codec_name(codec).to_string(),
                            supported: SUPPORTED_CODECS.to_string(),
                        });
                    }
                }
            }
        }
        let header = columns
            .iter()
            .map(|c| {
                if c.name.is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(c.name.clone())
                }
            })
            .collect();
        let all = meta.num_row_groups();
        let groups = groups.unwrap_or(0..all);
        let (group, end_group) = (groups.start.min(all), groups.end.min(all));
        let mut before = 0u64;
        for rg in &meta.row_groups()[..group] {
            before += u64::try_from(rg.num_rows()).unwrap_or(0);
        }
        let source = ParquetSource {
            file: reader,
            label: label.to_string(),
            readers: Vec::new(),
            columns,
            group,
            end_group,
            left_in_group: 0,
            next_record: before,
            pending: VecDeque::new(),
            defs: Vec::with_capacity(BATCH_ROWS),
            bad_text: Vec::new(),
            warned_encoding: false,
            done: false,
        };
        Ok(Opened {
            source,
            header,
            header_row: 1,
            file_issues: Vec::new(),
            unreadable,
        })
    }

    /// The next record that is not blank, or `None` at the end of the file.
    pub(crate) fn next_row(&mut self) -> Option<RawRow> {
        loop {
            if let Some(row) = self.pending.pop_front() {
                return Some(row);
            }
            if self.done {
                return None;
            }
            if let Err(e) = guarded(|| self.fill()) {
                self.done = true;
                return Some(RawRow::stopped(&self.label, self.next_record + 2, e));
            }
        }
    }

    /// Decodes the next batch of records into `pending`, opening the next row group when needed.
    fn fill(&mut self) -> Result<(), ParquetError> {
        while self.left_in_group == 0 {
            if self.group >= self.end_group {
                self.done = true;
                return Ok(());
            }
            let rg = self.file.get_row_group(self.group)?;
            self.left_in_group = usize::try_from(rg.metadata().num_rows())
                .map_err(|_| ParquetError::General("negative row count".into()))?;
            self.readers = self
                .columns
                .iter()
                .map(|c| {
                    c.read
                        .map(|(leaf, ..)| rg.get_column_reader(leaf))
                        .transpose()
                })
                .collect::<Result<_, _>>()?;
            self.group += 1;
        }
        let n = self.left_in_group.min(BATCH_ROWS);
        let mut cols: Vec<std::vec::IntoIter<Cell>> = Vec::with_capacity(self.columns.len());
        let mut encoding_issue = None;
        for (col, reader) in self.columns.iter().zip(&mut self.readers) {
            let mut cells = Vec::with_capacity(n);
            match (col.read, reader) {
                (Some((_, conv, max_def)), Some(reader)) => {
                    self.bad_text.clear();
                    let got = read_column(
                        reader,
                        conv,
                        max_def,
                        n,
                        &mut self.defs,
                        &mut cells,
                        &mut self.bad_text,
                    )?;
                    if got != n || cells.len() != n {
                        return Err(ParquetError::General(format!(
                            "column \"{}\" ended after {got} of {n} records",
                            col.name
                        )));
                    }
                    if !self.warned_encoding
                        && let Some(first) = self.bad_text.first()
                    {
                        self.warned_encoding = true;
                        encoding_issue = Some((*first, col.name.clone()));
                    }
                }
                _ => cells.resize(n, Cell::Empty),
            }
            cols.push(cells.into_iter());
        }
        for i in 0..n {
            let cells: Vec<Cell> = cols
                .iter_mut()
                .map(|c| c.next().unwrap_or(Cell::Empty))
                .collect();
            let row = self.next_record + i as u64 + 2;
            let issues: Vec<Issue> = match &encoding_issue {
                Some((at, column)) if *at == i => vec![not_utf8_issue(&self.label, row, column)],
                _ => Vec::new(),
            };
            if issues.is_empty() && cells.iter().all(Cell::is_blank) {
                continue;
            }
            self.pending.push_back(RawRow {
                row,
                cells,
                issues,
                broken: false,
            });
        }
        self.next_record += n as u64;
        self.left_in_group -= n;
        Ok(())
    }
}

fn not_utf8_issue(label: &str, row: u64, column: &str) -> Issue {
    Issue::new(
        label,
        row,
        Some(column),
        Severity::Warning,
        "BUKAN_UTF8",
        "teks di berkas Parquet ini bukan UTF-8; dibaca sebagai Windows-1252 (periksa pengodean program yang menulisnya)",
        "text in this Parquet file is not UTF-8; it was read as Windows-1252 (check the encoding of the program that wrote it)",
    )
}

/// Reads up to `n` records of a flat column into `out`, one cell per record, nulls as empty cells.
///
/// `cell` gets the record's offset in the batch and its value.
fn read_into<T: DataType>(
    reader: &mut ColumnReaderImpl<T>,
    n: usize,
    max_def: i16,
    defs: &mut Vec<i16>,
    out: &mut Vec<Cell>,
    mut cell: impl FnMut(usize, &T::T) -> Cell,
) -> Result<usize, ParquetError> {
    defs.clear();
    let mut values = Vec::with_capacity(n);
    let (records, ..) = reader.read_records(n, Some(defs), None, &mut values)?;
    if max_def == 0 {
        out.extend(values.iter().enumerate().map(|(i, v)| cell(i, v)));
    } else {
        // Values come densely, without the nulls; the definition levels say where they go.
        let mut values = values.iter();
        for (i, d) in defs.iter().enumerate() {
            let value = if *d == max_def { values.next() } else { None };
            out.push(value.map_or(Cell::Empty, |v| cell(i, v)));
        }
    }
    Ok(records)
}

fn read_column(
    reader: &mut ColumnReader,
    conv: Conv,
    max_def: i16,
    n: usize,
    defs: &mut Vec<i16>,
    out: &mut Vec<Cell>,
    bad_text: &mut Vec<usize>,
) -> Result<usize, ParquetError> {
    match reader {
        ColumnReader::BoolColumnReader(r) => {
            read_into(r, n, max_def, defs, out, |_, v| Cell::Bool(*v))
        }
        ColumnReader::Int32ColumnReader(r) => read_into(r, n, max_def, defs, out, |_, v| {
            let unsigned = i64::from(v.cast_unsigned());
            int_cell(i64::from(*v), unsigned, conv)
        }),
        ColumnReader::Int64ColumnReader(r) => {
            read_into(r, n, max_def, defs, out, |_, v| int_cell(*v, *v, conv))
        }
        ColumnReader::Int96ColumnReader(r) => {
            read_into(r, n, max_def, defs, out, |_, v| int96_cell(v))
        }
        ColumnReader::FloatColumnReader(r) => read_into(r, n, max_def, defs, out, |_, v| {
            // Through the shortest text, so 0.1f32 stays 0.1 rather than 0.10000000149011612.
            Cell::Float(v.to_string().parse().unwrap_or(f64::from(*v)))
        }),
        ColumnReader::DoubleColumnReader(r) => {
            read_into(r, n, max_def, defs, out, |_, v| Cell::Float(*v))
        }
        ColumnReader::ByteArrayColumnReader(r) => read_into(r, n, max_def, defs, out, |i, v| {
            bytes_cell(v.data(), conv, i, bad_text)
        }),
        ColumnReader::FixedLenByteArrayColumnReader(r) => {
            read_into(r, n, max_def, defs, out, |i, v| {
                bytes_cell(v.data(), conv, i, bad_text)
            })
        }
    }
}

/// An integer column's value; `unsigned_bits` is the same value read as unsigned (for `INT32`, its 32 bits).
fn int_cell(v: i64, unsigned_bits: i64, conv: Conv) -> Cell {
    match conv {
        Conv::Date => date_cell(v),
        Conv::Decimal { scale } => Cell::Text(decimal_text(i128::from(v), scale)),
        Conv::Time { per_sec } => time_cell(v, per_sec),
        Conv::Timestamp { per_sec, utc } => timestamp_cell(v, per_sec, utc),
        Conv::Int { unsigned: true } => Cell::Text(unsigned_bits.cast_unsigned().to_string()),
        _ => Cell::Text(v.to_string()),
    }
}

fn date_cell(days: i64) -> Cell {
    Cell::Date(
        EPOCH
            .checked_add_signed(TimeDelta::days(days))
            .ok_or_else(|| days.to_string()),
    )
}

fn time_cell(ticks: i64, per_sec: i64) -> Cell {
    let secs = u32::try_from(ticks.div_euclid(per_sec)).ok();
    let nanos = u32::try_from(ticks.rem_euclid(per_sec) * (1_000_000_000 / per_sec)).ok();
    match secs
        .zip(nanos)
        .and_then(|(s, n)| NaiveTime::from_num_seconds_from_midnight_opt(s, n))
    {
        Some(t) => Cell::Text(t.format("%H:%M:%S%.f").to_string()),
        None => Cell::Text(ticks.to_string()),
    }
}

fn timestamp_cell(ticks: i64, per_sec: i64, utc: bool) -> Cell {
    let secs = ticks.div_euclid(per_sec);
    let nanos = u32::try_from(ticks.rem_euclid(per_sec) * (1_000_000_000 / per_sec)).ok();
    match nanos.and_then(|n| DateTime::from_timestamp(secs, n)) {
        Some(at) => Cell::Timestamp {
            at: at.naive_utc(),
            utc,
        },
        None => Cell::Text(ticks.to_string()),
    }
}

/// A legacy `INT96` timestamp: nanoseconds of the day and a Julian day number.
///
/// Spark and Hive write these as UTC instants, so they are read as such.
fn int96_cell(v: &Int96) -> Cell {
    let d = v.data();
    let nanos = (i64::from(d[1]) << 32) | i64::from(d[0]);
    let day = i64::from(d[2] as i32) - JULIAN_DAY_OF_EPOCH;
    let at = EPOCH
        .checked_add_signed(TimeDelta::days(day))
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .and_then(|midnight| midnight.checked_add_signed(TimeDelta::nanoseconds(nanos)));
    match at {
        Some(at) => Cell::Timestamp { at, utc: true },
        None => Cell::Text(format!("{day}d {nanos}ns")),
    }
}

/// An unscaled decimal as text with `scale` digits after the point.
fn decimal_text(unscaled: i128, scale: u32) -> String {
    let sign = if unscaled < 0 { "-" } else { "" };
    let digits = unscaled.unsigned_abs().to_string();
    if scale == 0 {
        return format!("{sign}{digits}");
    }
    let scale = scale as usize;
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (int, frac) = padded.split_at(padded.len() - scale);
    format!("{sign}{int}.{frac}")
}

/// A big-endian two's-complement integer of at most 16 bytes, as `DECIMAL` byte arrays hold them.
fn be_i128(bytes: &[u8]) -> Option<i128> {
    let first = *bytes.first()?;
    if bytes.len() > 16 {
        return None;
    }
    let fill = if first & 0x80 != 0 { 0xFF } else { 0 };
    let mut buf = [fill; 16];
    buf[16 - bytes.len()..].copy_from_slice(bytes);
    Some(i128::from_be_bytes(buf))
}

fn bytes_cell(bytes: &[u8], conv: Conv, offset: usize, bad_text: &mut Vec<usize>) -> Cell {
    match conv {
        Conv::Decimal { scale } => match be_i128(bytes) {
            Some(v) => Cell::Text(decimal_text(v, scale)),
            None if bytes.is_empty() => Cell::Empty,
            None => Cell::Error(format!("DECIMAL {} byte", bytes.len())),
        },
        Conv::Uuid if bytes.len() == 16 => {
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            Cell::Text(format!(
                "{}-{}-{}-{}-{}",
                &hex[..8],
                &hex[8..12],
                &hex[12..16],
                &hex[16..20],
                &hex[20..]
            ))
        }
        _ => {
            let text = match std::str::from_utf8(bytes) {
                Ok(s) => s.to_string(),
                Err(_) => {
                    bad_text.push(offset);
                    WINDOWS_1252
                        .decode_without_bom_handling(bytes)
                        .0
                        .into_owned()
                }
            };
            if text.is_empty() {
                Cell::Empty
            } else {
                Cell::Text(text)
            }
        }
    }
}

/// The number of records in each row group of a Parquet file: how a
/// distributed job splits the file into parts.
pub(crate) fn row_groups(path: &Path, label: &str) -> Result<Vec<u64>, ReadError> {
    let file = File::open(path).map_err(|e| io_error(label, &e))?;
    let reader = guarded(|| SerializedFileReader::new(file)).map_err(|e| not_parquet(label, &e))?;
    Ok(reader
        .metadata()
        .row_groups()
        .iter()
        .map(|rg| u64::try_from(rg.num_rows()).unwrap_or(0))
        .collect())
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    #[test]
    fn decimals_keep_every_digit_and_their_point() {
        assert_eq!(decimal_text(3_276_014_501_900_001, 0), "3276014501900001");
        assert_eq!(decimal_text(12345, 2), "123.45");
        assert_eq!(decimal_text(-5, 3), "-0.005");
        assert_eq!(be_i128(&[0xFF, 0xFE]), Some(-2));
        assert_eq!(be_i128(&[0x01, 0x00]), Some(256));
        assert_eq!(be_i128(&[]), None);
    }

    #[test]
    fn integers_are_exact_text_and_unsigned_bits_are_read_unsigned() {
        let nik = 3_276_014_501_900_001_i64;
        assert_eq!(
            int_cell(nik, nik, Conv::Int { unsigned: false }),
            Cell::Text("3276014501900001".into())
        );
        assert_eq!(
            int_cell(-1, i64::from(u32::MAX), Conv::Int { unsigned: true }),
            Cell::Text("4294967295".into())
        );
    }

    #[test]
    fn dates_count_days_from_the_epoch() {
        assert_eq!(
            int_cell(7309, 7309, Conv::Date),
            Cell::Date(Ok(NaiveDate::from_ymd_opt(1990, 1, 5).unwrap()))
        );
        assert_eq!(
            int_cell(-1, -1, Conv::Date),
            Cell::Date(Ok(NaiveDate::from_ymd_opt(1969, 12, 31).unwrap()))
        );
    }

    #[test]
    fn utc_timestamps_of_local_midnight_read_as_that_local_day() {
        let day = NaiveDate::from_ymd_opt(1990, 1, 5).unwrap();
        let midnight_utc = (day - EPOCH).num_days() * 86_400;
        for offset_hours in [-5_i64, 0, 7, 8, 9, 12] {
            let instant = midnight_utc - offset_hours * 3600;
            let Cell::Timestamp { at, utc } = int_cell(
                instant * 1000,
                0,
                Conv::Timestamp {
                    per_sec: 1000,
                    utc: true,
                },
            ) else {
                panic!("a timestamp cell")
            };
            assert_eq!(Cell::timestamp_date(at, utc), day, "UTC{offset_hours:+}");
        }
        // A wall-clock timestamp is its own date, whatever the time of day.
        let evening = (midnight_utc + 20 * 3600) * 1_000_000;
        let cell = int_cell(
            evening,
            0,
            Conv::Timestamp {
                per_sec: 1_000_000,
                utc: false,
            },
        );
        let Cell::Timestamp { at, utc } = cell.clone() else {
            panic!("a timestamp cell")
        };
        assert_eq!(Cell::timestamp_date(at, utc), day);
        assert_eq!(cell.shown(), "1990-01-05 20:00:00");
    }

    #[test]
    fn int96_timestamps_count_julian_days_and_nanoseconds() {
        let mut v = Int96::new();
        let nanos: i64 = 3 * 3600 * 1_000_000_000;
        let word = |w: i64| u32::try_from(w & 0xFFFF_FFFF).unwrap();
        v.set_data(word(nanos), word(nanos >> 32), 2_447_897);
        let Cell::Timestamp { at, utc } = int96_cell(&v) else {
            panic!("a timestamp cell")
        };
        assert!(utc);
        assert_eq!(at.to_string(), "1990-01-05 03:00:00");
    }

    #[test]
    fn times_of_day_read_as_clock_text() {
        assert_eq!(
            time_cell(3_723_500, 1000),
            Cell::Text("01:02:03.500".into())
        );
    }

    #[test]
    fn uuids_read_as_hyphenated_hex_and_bad_utf8_as_windows_1252() {
        let mut bad = Vec::new();
        assert_eq!(
            bytes_cell(&[0xAB; 16], Conv::Uuid, 0, &mut bad),
            Cell::Text("abababab-abab-abab-abab-abababababab".into())
        );
        assert_eq!(
            bytes_cell(b"Ren\xe9", Conv::Text, 3, &mut bad),
            Cell::Text("René".into())
        );
        assert_eq!(bad, [3]);
    }
}
