//! Tables from files: a header and then rows of cells, one row at a time.
//!
//! CSV is read with the `csv` crate over a buffered reader, workbooks with
//! calamine's cell reader on a worker thread feeding a small bounded channel,
//! and Parquet a batch of rows at a time ([`crate::parquet_file`]), so no
//! format holds more than a few rows (or one batch) in memory.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread;

use calamine::{Data, DataRef, ExcelDateTime, ExcelDateTimeType, Reader, Sheets};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, WINDOWS_1252};
use padu_core::parse_date;

use crate::error::ReadError;
use crate::issue::{Issue, Severity};
use crate::parquet_file::ParquetSource;

/// How much of a CSV is inspected up front for the delimiter, binary content and encoding.
const SNIFF_BYTES: usize = 64 * 1024;
/// Rows a workbook worker may read ahead of the consumer.
const SHEET_CHANNEL_ROWS: usize = 256;

/// One cell as the file holds it, before any column-specific parsing.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    /// Nothing (or only an empty string).
    Empty,
    /// Text, untrimmed.
    Text(String),
    /// A numeric spreadsheet cell.
    Number(f64),
    /// An integer spreadsheet cell (old .xls files).
    Int(i64),
    /// A spreadsheet cell formatted as a date; `Err` holds the impossible date as shown.
    Date(Result<NaiveDate, String>),
    /// A boolean spreadsheet cell.
    Bool(bool),
    /// A spreadsheet error value such as `#N/A`.
    Error(String),
    /// A Parquet timestamp; `utc` when the file says it names an instant rather than a wall-clock time.
    Timestamp {
        /// The timestamp, as UTC when `utc` is set.
        at: NaiveDateTime,
        /// Whether the timestamp is adjusted to UTC.
        utc: bool,
    },
}

impl Cell {
    /// The text a person sees in the cell (numbers as Excel's formula bar shows them).
    pub(crate) fn shown(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Number(f) => excel_number_text(*f),
            Cell::Int(i) => i.to_string(),
            Cell::Date(Ok(d)) => d.format("%Y-%m-%d").to_string(),
            Cell::Date(Err(s)) => s.clone(),
            Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Cell::Error(e) => e.clone(),
            Cell::Timestamp { at, utc: true } => at.format("%Y-%m-%dT%H:%M:%S%.fZ").to_string(),
            Cell::Timestamp { at, utc: false } if at.time() == NaiveTime::MIN => {
                at.format("%Y-%m-%d").to_string()
            }
            Cell::Timestamp { at, utc: false } => at.format("%Y-%m-%d %H:%M:%S%.f").to_string(),
        }
    }

    /// The calendar date a timestamp cell stands for.
    ///
    /// A wall-clock timestamp is its own date. A UTC instant is taken as the
    /// local midnight of whatever zone wrote it: for every zone from UTC−12
    /// to UTC+12 that is the nearest UTC midnight, so a birth date written as
    /// midnight WIB (17:00 UTC the day before) or midnight WIT still reads as
    /// the right day.
    pub(crate) fn timestamp_date(at: NaiveDateTime, utc: bool) -> NaiveDate {
        if utc {
            at.checked_add_signed(TimeDelta::hours(12))
                .unwrap_or(at)
                .date()
        } else {
            at.date()
        }
    }

    /// Whether the cell holds nothing but whitespace.
    pub(crate) fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }
}

/// A number as Excel displays it in the formula bar: at most 15 significant digits.
pub(crate) fn excel_number_text(f: f64) -> String {
    if !f.is_finite() {
        return f.to_string();
    }
    // Excel keeps 15 significant digits; a 16-digit NIK typed into a cell loses its last digit.
    let rounded: f64 = format!("{f:.14e}").parse().unwrap_or(f);
    if rounded.fract() == 0.0 && rounded.abs() < 1e21 {
        format!("{rounded:.0}")
    } else {
        rounded.to_string()
    }
}

/// The date an Excel serial number stands for (1900 date system).
pub(crate) fn excel_serial_date(serial: f64) -> Option<NaiveDate> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let (y, m, d, ..) =
        ExcelDateTime::new(serial, ExcelDateTimeType::DateTime, false).to_ymd_hms_milli();
    NaiveDate::from_ymd_opt(i32::from(y), u32::from(m), u32::from(d))
}

/// One data row as read from the file.
#[derive(Debug)]
pub(crate) struct RawRow {
    /// Row number as Excel shows it.
    pub(crate) row: u64,
    /// Cells by column position.
    pub(crate) cells: Vec<Cell>,
    /// Problems found while reading the row itself (encoding, field count).
    pub(crate) issues: Vec<Issue>,
    /// The row's cells cannot be trusted (wrong field count, broken file): do not parse them.
    pub(crate) broken: bool,
}

impl RawRow {
    /// The last row of a file whose reading stopped at `row` because of `reason`.
    pub(crate) fn stopped(label: &str, row: u64, reason: impl std::fmt::Display) -> Self {
        RawRow {
            row,
            cells: Vec::new(),
            issues: vec![Issue::new(
                label,
                row,
                None,
                Severity::Error,
                "BERKAS_RUSAK",
                format!("pembacaan berhenti: {reason}"),
                format!("reading stopped: {reason}"),
            )],
            broken: true,
        }
    }
}

/// What an open table yields after its header.
pub(crate) enum Source {
    Csv(Box<CsvSource>),
    Sheet(SheetSource),
    Parquet(Box<ParquetSource>),
}

/// An opened table: its header cells, its warnings so far, and the rows to come.
pub(crate) struct Opened {
    pub(crate) source: Source,
    pub(crate) header: Vec<Cell>,
    pub(crate) header_row: u64,
    pub(crate) file_issues: Vec<Issue>,
    /// Columns (by position) whose values cannot be read, with their type as the file names it.
    ///
    /// Only Parquet has typed columns that Padu may not understand (lists,
    /// structs, ...); their cells are always empty, so the reader must refuse
    /// them in a spec column rather than read them as blank.
    pub(crate) unreadable: Vec<(usize, String)>,
}

/// Opens a CSV, workbook or Parquet file by extension.
pub(crate) fn open(path: &Path, sheet: Option<&str>, label: &str) -> Result<Opened, ReadError> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "csv" | "tsv" | "txt" => CsvSource::open(path, label),
        "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" => SheetSource::open(path, sheet, label),
        "parquet" => ParquetSource::open(path, label),
        _ => Err(ReadError::UnsupportedExtension {
            path: label.to_string(),
            ext,
        }),
    }
}

impl Source {
    pub(crate) fn next_row(&mut self) -> Option<RawRow> {
        match self {
            Source::Csv(c) => c.next_row(),
            Source::Sheet(s) => s.next_row(),
            Source::Parquet(p) => p.next_row(),
        }
    }
}

pub(crate) fn io_error(label: &str, e: &io::Error) -> ReadError {
    if e.kind() == io::ErrorKind::NotFound {
        ReadError::NotFound {
            path: label.to_string(),
        }
    } else {
        ReadError::Unreadable {
            path: label.to_string(),
            reason: e.to_string(),
        }
    }
}

/// Decodes UTF-16 into UTF-8 as it streams, so the CSV parser only ever sees UTF-8.
struct Utf16Reader<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    input: Vec<u8>,
    output: Vec<u8>,
    pos: usize,
    finished: bool,
}

impl<R: Read> Utf16Reader<R> {
    fn new(inner: R, encoding: &'static Encoding) -> Self {
        Utf16Reader {
            inner,
            decoder: encoding.new_decoder_without_bom_handling(),
            input: vec![0; 16 * 1024],
            output: Vec::new(),
            pos: 0,
            finished: false,
        }
    }
}

impl<R: Read> Read for Utf16Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos >= self.output.len() {
            if self.finished {
                return Ok(0);
            }
            let n = self.inner.read(&mut self.input)?;
            let last = n == 0;
            let cap = self.decoder.max_utf8_buffer_length(n).unwrap_or(n * 3 + 16);
            self.output.resize(cap, 0);
            let (_, _, written, _) =
                self.decoder
                    .decode_to_utf8(&self.input[..n], &mut self.output, last);
            self.output.truncate(written);
            self.pos = 0;
            self.finished = last;
        }
        let n = (self.output.len() - self.pos).min(buf.len());
        buf[..n].copy_from_slice(&self.output[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Picks the delimiter that occurs most often outside quotes in the header line.
pub(crate) fn detect_delimiter(head: &[u8]) -> u8 {
    let line = head.split(|b| *b == b'\n').next().unwrap_or(head);
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for b in line {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let delims = [b',', b';', b'\t'];
    let (best, n) = counts
        .iter()
        .enumerate()
        .max_by_key(|(i, n)| (**n, std::cmp::Reverse(*i)))
        .expect("three candidates");
    if *n == 0 { b',' } else { delims[best] }
}

/// The delimiter named by an Excel `sep=X` first line, and that line's length.
fn sep_hint(head: &[u8]) -> Option<(u8, usize)> {
    let rest = head.strip_prefix(b"sep=")?;
    let d = *rest.first()?;
    let tail = &rest[1..];
    let eol = if tail.starts_with(b"\r\n") {
        2
    } else if tail.starts_with(b"\n") {
        1
    } else {
        return None;
    };
    matches!(d, b',' | b';' | b'\t' | b'|').then_some((d, 5 + eol))
}

fn not_utf8_issue(label: &str, row: u64, column: Option<&str>) -> Issue {
    Issue::new(
        label,
        row,
        column,
        Severity::Warning,
        "BUKAN_UTF8",
        "berkas bukan UTF-8; dibaca sebagai Windows-1252 (simpan dari Excel sebagai \"CSV UTF-8\" agar pasti benar)",
        "the file is not UTF-8; it was read as Windows-1252 (save it from Excel as \"CSV UTF-8\" to be sure)",
    )
}

/// A CSV file read record by record.
pub(crate) struct CsvSource {
    reader: csv::Reader<BufReader<Box<dyn Read + Send>>>,
    record: csv::ByteRecord,
    label: String,
    header_len: usize,
    /// Number of leading header fields up to the last one with a name.
    named_len: usize,
    row: u64,
    /// Header names as written, to name the column of a late encoding warning.
    names: Vec<String>,
    warned_encoding: bool,
    done: bool,
}

impl CsvSource {
    fn open(path: &Path, label: &str) -> Result<Opened, ReadError> {
        let file = File::open(path).map_err(|e| io_error(label, &e))?;
        let mut raw = BufReader::with_capacity(SNIFF_BYTES, file);
        let start = raw.fill_buf().map_err(|e| io_error(label, &e))?;
        if start.is_empty() {
            return Err(ReadError::Empty {
                path: label.to_string(),
            });
        }
        let utf16 = if start.starts_with(&[0xFF, 0xFE]) {
            Some(UTF_16LE)
        } else if start.starts_with(&[0xFE, 0xFF]) {
            Some(UTF_16BE)
        } else {
            None
        };
        let text: Box<dyn Read + Send> = match utf16 {
            Some(enc) => {
                raw.consume(2);
                Box::new(Utf16Reader::new(raw, enc))
            }
            None => {
                if start.starts_with(&[0xEF, 0xBB, 0xBF]) {
                    raw.consume(3);
                }
                Box::new(raw)
            }
        };
        let mut text = BufReader::with_capacity(SNIFF_BYTES, text);
        let head = text.fill_buf().map_err(|e| io_error(label, &e))?;
        if head.contains(&0) {
            return Err(ReadError::Undecodable {
                path: label.to_string(),
                detail: "memuat byte NUL, mungkin berkas biner atau UTF-16 tanpa BOM".into(),
                detail_en: "it contains NUL bytes; it may be binary or UTF-16 without a BOM".into(),
            });
        }
        let mut file_issues = Vec::new();
        let mut warned_encoding = false;
        if let Err(e) = std::str::from_utf8(head)
            && e.error_len().is_some()
        {
            file_issues.push(not_utf8_issue(label, 0, None));
            warned_encoding = true;
        }
        // Excel honours (and hides) a first line `sep=;` naming the delimiter.
        let (delimiter, skip) = match sep_hint(head) {
            Some((d, len)) => (d, len),
            None => (detect_delimiter(head), 0),
        };
        text.consume(skip);
        let reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(text);
        let mut src = CsvSource {
            reader,
            record: csv::ByteRecord::new(),
            label: label.to_string(),
            header_len: 0,
            named_len: 0,
            row: 0,
            names: Vec::new(),
            warned_encoding,
            done: false,
        };
        let header = loop {
            match src.reader.read_byte_record(&mut src.record) {
                Ok(false) => {
                    return Err(ReadError::Empty {
                        path: label.to_string(),
                    });
                }
                Ok(true) => {
                    src.row += 1;
                    let (cells, _) = src.decode();
                    if cells.iter().all(Cell::is_blank) {
                        continue;
                    }
                    break cells;
                }
                Err(e) => {
                    return Err(ReadError::Unreadable {
                        path: label.to_string(),
                        reason: e.to_string(),
                    });
                }
            }
        };
        src.header_len = header.len();
        src.names = header
            .iter()
            .map(|c| c.shown().trim().to_string())
            .collect();
        src.named_len = header
            .iter()
            .rposition(|c| !c.is_blank())
            .map_or(0, |i| i + 1);
        Ok(Opened {
            header_row: src.row,
            source: Source::Csv(Box::new(src)),
            header,
            file_issues,
            unreadable: Vec::new(),
        })
    }

    /// Decodes the current record's fields, falling back to Windows-1252 per field.
    fn decode(&mut self) -> (Vec<Cell>, Vec<Issue>) {
        let mut issues = Vec::new();
        let mut cells = Vec::with_capacity(self.record.len());
        for (i, bytes) in self.record.iter().enumerate() {
            let text = match std::str::from_utf8(bytes) {
                Ok(s) => s.to_string(),
                Err(_) => {
                    if !self.warned_encoding {
                        self.warned_encoding = true;
                        let col = self.names.get(i).filter(|n| !n.is_empty());
                        issues.push(not_utf8_issue(
                            &self.label,
                            self.row,
                            col.map(String::as_str),
                        ));
                    }
                    WINDOWS_1252
                        .decode_without_bom_handling(bytes)
                        .0
                        .into_owned()
                }
            };
            cells.push(if text.is_empty() {
                Cell::Empty
            } else {
                Cell::Text(text)
            });
        }
        (cells, issues)
    }

    fn next_row(&mut self) -> Option<RawRow> {
        if self.done {
            return None;
        }
        loop {
            match self.reader.read_byte_record(&mut self.record) {
                Ok(false) => {
                    self.done = true;
                    return None;
                }
                Ok(true) => {
                    self.row += 1;
                    let (cells, mut issues) = self.decode();
                    if cells.iter().all(Cell::is_blank) {
                        continue;
                    }
                    let n = cells.len();
                    // Fields beyond the last named column may be absent or empty, as Excel pads them.
                    let fits = n == self.header_len
                        || (n >= self.named_len
                            && cells[self.named_len..].iter().all(Cell::is_blank));
                    if !fits {
                        issues.push(Issue::new(
                            &self.label,
                            self.row,
                            None,
                            Severity::Error,
                            "JUMLAH_KOLOM_SALAH",
                            format!(
                                "baris ini memiliki {n} kolom, sedangkan judul memiliki {}; periksa pemisah atau tanda kutip",
                                self.header_len
                            ),
                            format!(
                                "this row has {n} fields but the header has {}; check the delimiters or quotes",
                                self.header_len
                            ),
                        ));
                    }
                    return Some(RawRow {
                        row: self.row,
                        cells,
                        issues,
                        broken: !fits,
                    });
                }
                Err(e) => {
                    self.done = true;
                    self.row += 1;
                    return Some(RawRow::stopped(&self.label, self.row, e));
                }
            }
        }
    }
}

/// The workbook worker's first answer: the header row (Excel number and cells) or why there is none.
type HeaderMsg = Result<(u64, Vec<Cell>), ReadError>;

/// A message from the workbook worker.
enum SheetMsg {
    /// Excel row number and the row's cells by absolute column.
    Row(u64, Vec<Cell>),
    /// The worker stopped on an error after the header.
    Failed(u64, String),
}

/// A worksheet read on a worker thread.
pub(crate) struct SheetSource {
    rx: Receiver<SheetMsg>,
    label: String,
    done: bool,
}

fn data_ref_cell(v: DataRef<'_>) -> Cell {
    match v {
        DataRef::Empty => Cell::Empty,
        DataRef::String(s) => text_cell(s),
        DataRef::SharedString(s) => text_cell(s.to_string()),
        DataRef::Float(f) => Cell::Number(f),
        DataRef::Int(i) => Cell::Int(i),
        DataRef::Bool(b) => Cell::Bool(b),
        DataRef::DateTime(dt) => datetime_cell(dt),
        DataRef::DateTimeIso(s) => iso_cell(s),
        DataRef::DurationIso(s) => Cell::Text(s),
        DataRef::Error(e) => Cell::Error(e.to_string()),
    }
}

fn data_cell(v: &Data) -> Cell {
    match v {
        Data::Empty => Cell::Empty,
        Data::String(s) => text_cell(s.clone()),
        Data::Float(f) => Cell::Number(*f),
        Data::Int(i) => Cell::Int(*i),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => datetime_cell(*dt),
        Data::DateTimeIso(s) => iso_cell(s.clone()),
        Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Error(e.to_string()),
    }
}

fn text_cell(s: String) -> Cell {
    if s.is_empty() {
        Cell::Empty
    } else {
        Cell::Text(s)
    }
}

fn datetime_cell(dt: ExcelDateTime) -> Cell {
    if !dt.is_datetime() {
        return Cell::Number(dt.as_f64());
    }
    let (y, m, d, ..) = dt.to_ymd_hms_milli();
    Cell::Date(
        NaiveDate::from_ymd_opt(i32::from(y), u32::from(m), u32::from(d))
            .ok_or_else(|| format!("{d:02}/{m:02}/{y:04}")),
    )
}

fn iso_cell(s: String) -> Cell {
    match s.get(..10).map(parse_date) {
        Some(Ok(d)) => Cell::Date(Ok(d)),
        _ => Cell::Text(s),
    }
}

impl SheetSource {
    fn open(path: &Path, sheet: Option<&str>, label: &str) -> Result<Opened, ReadError> {
        // Surface a missing file before starting a thread, with the same error as CSV.
        File::open(path).map_err(|e| io_error(label, &e))?;
        let (ready_tx, ready_rx) = sync_channel::<HeaderMsg>(1);
        let (tx, rx) = sync_channel::<SheetMsg>(SHEET_CHANNEL_ROWS);
        let path = path.to_path_buf();
        let sheet = sheet.map(str::to_string);
        let worker_label = label.to_string();
        thread::Builder::new()
            .name("padu-io-sheet".into())
            .spawn(move || sheet_worker(&path, sheet.as_deref(), &worker_label, ready_tx, tx))
            .map_err(|e| ReadError::Unreadable {
                path: label.to_string(),
                reason: e.to_string(),
            })?;
        let (header_row, header) = ready_rx.recv().map_err(|_| ReadError::Unreadable {
            path: label.to_string(),
            reason: "pembaca lembar kerja berhenti".into(),
        })??;
        Ok(Opened {
            source: Source::Sheet(SheetSource {
                rx,
                label: label.to_string(),
                done: false,
            }),
            header,
            header_row,
            file_issues: Vec::new(),
            unreadable: Vec::new(),
        })
    }

    fn next_row(&mut self) -> Option<RawRow> {
        if self.done {
            return None;
        }
        match self.rx.recv() {
            Ok(SheetMsg::Row(row, cells)) => Some(RawRow {
                row,
                cells,
                issues: Vec::new(),
                broken: false,
            }),
            Ok(SheetMsg::Failed(row, reason)) => {
                self.done = true;
                Some(RawRow::stopped(&self.label, row, reason))
            }
            Err(_) => {
                self.done = true;
                None
            }
        }
    }
}

/// Groups cells into rows, sends the first non-blank row as the header and the rest as data.
struct RowAssembler {
    ready: Option<SyncSender<HeaderMsg>>,
    tx: SyncSender<SheetMsg>,
    current: Option<u32>,
    cells: Vec<Cell>,
}

impl RowAssembler {
    /// Adds a cell; returns false when the consumer has gone away.
    fn push(&mut self, row: u32, col: u32, cell: Cell) -> bool {
        if self.current != Some(row) {
            if !self.flush() {
                return false;
            }
            self.current = Some(row);
        }
        let col = col as usize;
        if self.cells.len() <= col {
            self.cells.resize(col + 1, Cell::Empty);
        }
        self.cells[col] = cell;
        true
    }

    fn flush(&mut self) -> bool {
        let Some(row) = self.current.take() else {
            return true;
        };
        let cells = std::mem::take(&mut self.cells);
        if cells.iter().all(Cell::is_blank) {
            return true;
        }
        let excel_row = u64::from(row) + 1;
        match self.ready.take() {
            Some(ready) => ready.send(Ok((excel_row, cells))).is_ok(),
            None => self.tx.send(SheetMsg::Row(excel_row, cells)).is_ok(),
        }
    }

    fn fail(&mut self, err: ReadError, reason: String) {
        match self.ready.take() {
            Some(ready) => {
                let _ = ready.send(Err(err));
            }
            None => {
                let row = self.current.map_or(0, |r| u64::from(r) + 1);
                let _ = self.tx.send(SheetMsg::Failed(row, reason));
            }
        }
    }

    fn finish(&mut self, label: &str) {
        if self.flush()
            && let Some(ready) = self.ready.take()
        {
            let _ = ready.send(Err(ReadError::Empty {
                path: label.to_string(),
            }));
        }
    }
}

fn sheet_worker(
    path: &Path,
    sheet: Option<&str>,
    label: &str,
    ready: SyncSender<HeaderMsg>,
    tx: SyncSender<SheetMsg>,
) {
    let unreadable = |reason: String| ReadError::Unreadable {
        path: label.to_string(),
        reason,
    };
    let mut workbook = match calamine::open_workbook_auto(path) {
        Ok(w) => w,
        Err(e) => {
            let _ = ready.send(Err(unreadable(e.to_string())));
            return;
        }
    };
    let names = workbook.sheet_names();
    let name = match sheet {
        Some(want) => names.iter().find(|n| n.as_str() == want).or_else(|| {
            names
                .iter()
                .find(|n| n.trim().eq_ignore_ascii_case(want.trim()))
        }),
        None => names.first(),
    };
    let Some(name) = name.cloned() else {
        let err = match sheet {
            Some(want) => ReadError::BadSheet {
                path: label.to_string(),
                sheet: want.to_string(),
                available: names,
            },
            None => ReadError::Empty {
                path: label.to_string(),
            },
        };
        let _ = ready.send(Err(err));
        return;
    };
    let mut asm = RowAssembler {
        ready: Some(ready),
        tx,
        current: None,
        cells: Vec::new(),
    };
    if let Sheets::Xlsx(xlsx) = &mut workbook {
        let mut cells = match xlsx.worksheet_cells_reader(&name) {
            Ok(c) => c,
            Err(e) => {
                asm.fail(unreadable(e.to_string()), e.to_string());
                return;
            }
        };
        loop {
            match cells.next_cell() {
                Ok(Some(cell)) => {
                    let (r, c) = cell.get_position();
                    let value = data_ref_cell(cell.get_value().clone());
                    if !asm.push(r, c, value) {
                        return;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    asm.fail(unreadable(e.to_string()), e.to_string());
                    return;
                }
            }
        }
    } else {
        // Older formats have no streaming reader in calamine; their row limit keeps this bounded.
        let range = match workbook.worksheet_range(&name) {
            Ok(r) => r,
            Err(e) => {
                asm.fail(unreadable(e.to_string()), e.to_string());
                return;
            }
        };
        let (r0, c0) = range.start().unwrap_or((0, 0));
        for (i, row) in range.rows().enumerate() {
            for (j, v) in row.iter().enumerate() {
                if !asm.push(r0 + i as u32, c0 + j as u32, data_cell(v)) {
                    return;
                }
            }
        }
    }
    asm.finish(label);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiter_is_the_most_frequent_separator_outside_quotes() {
        assert_eq!(detect_delimiter(b"id_art;nama;nik\n1;2;3"), b';');
        assert_eq!(detect_delimiter(b"id_art\tnama\tnik"), b'\t');
        assert_eq!(detect_delimiter(b"id_art,nama,nik"), b',');
        assert_eq!(detect_delimiter(b"\"a;b;c\",x,y"), b',');
        assert_eq!(detect_delimiter(b"single"), b',');
    }

    #[test]
    fn excel_sep_line_names_the_delimiter() {
        assert_eq!(sep_hint(b"sep=;\r\nid_art,nama"), Some((b';', 7)));
        assert_eq!(sep_hint(b"sep=,\nid"), Some((b',', 6)));
        assert_eq!(sep_hint(b"id_art;nama"), None);
    }

    #[test]
    fn numbers_show_as_excel_shows_them_with_fifteen_significant_digits() {
        assert_eq!(
            excel_number_text(3_276_010_101_900_001.0),
            "3276010101900000"
        );
        assert_eq!(excel_number_text(1001.0), "1001");
        assert_eq!(excel_number_text(0.5), "0.5");
        assert_eq!(excel_number_text(3_276_011_001.0), "3276011001");
    }

    #[test]
    fn excel_serials_become_dates_in_the_1900_system() {
        assert_eq!(
            excel_serial_date(32_874.0),
            NaiveDate::from_ymd_opt(1990, 1, 1)
        );
        assert_eq!(excel_serial_date(0.0), None);
    }

    #[test]
    fn utf16_reader_decodes_to_utf8_across_small_reads() {
        let text = "nama\nJosé\n";
        let bytes: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let mut r = Utf16Reader::new(&bytes[..], UTF_16LE);
        let mut out = String::new();
        r.read_to_string(&mut out).unwrap();
        assert_eq!(out, text);
    }
}
