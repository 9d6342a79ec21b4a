//! CSV: read record by record over a buffered reader, written with the `csv` crate.
//!
//! Reading takes UTF-8 with or without BOM, UTF-16 with a BOM (decoded as it
//! streams), and falls back to Windows-1252 per field with one warning for
//! the file; the delimiter comes from an Excel `sep=` line or the header.
//! Writing is UTF-8 with a comma delimiter and dates as `YYYY-MM-DD`.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, WINDOWS_1252};

use crate::error::{ReadError, WriteError};
use crate::issue::{Issue, Severity};
use crate::table::{Cell, Opened, Out, RawRow, io_error};

/// How much of a CSV is inspected up front for the delimiter, binary content and encoding.
const SNIFF_BYTES: usize = 64 * 1024;

/// Notes where the line breaks of the text it passes on are, so rows can be numbered as Excel shows them.
///
/// The csv crate skips empty lines, which Excel shows as rows; its own line
/// count skips them too. The parser reads ahead by one buffer at most, so
/// only the breaks not yet passed by a record are kept.
struct LineBreaks<R> {
    inner: R,
    /// Bytes passed on so far.
    offset: u64,
    /// Whether the last byte passed on was `\r`.
    after_cr: bool,
    /// Offsets of `\n` bytes not yet counted, with whether a `\r` came just before.
    pending: VecDeque<(u64, bool)>,
}

impl<R: Read> Read for LineBreaks<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let chunk = &buf[..n];
        for i in memchr::memchr_iter(b'\n', chunk) {
            let cr = match i.checked_sub(1) {
                Some(before) => chunk[before] == b'\r',
                None => self.after_cr,
            };
            self.pending.push_back((self.offset + i as u64, cr));
        }
        if let Some(last) = chunk.last() {
            self.after_cr = *last == b'\r';
        }
        self.offset += n as u64;
        Ok(n)
    }
}

impl<R> LineBreaks<R> {
    /// Counts the breaks before a record that starts (by the parser's reckoning) at `start`,
    /// including the empty lines the parser skipped after it.
    fn lines_before(&mut self, start: u64) -> u64 {
        let mut lines = 0;
        while self.pending.front().is_some_and(|(at, _)| *at < start) {
            self.pending.pop_front();
            lines += 1;
        }
        let mut at_line_start = start;
        while let Some(&(at, cr)) = self.pending.front() {
            if at == at_line_start || (cr && at == at_line_start + 1) {
                self.pending.pop_front();
                lines += 1;
                at_line_start = at + 1;
            } else {
                break;
            }
        }
        lines
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

/// Lines looked at to pick the delimiter: the header may sit below a title.
const DELIMITER_LINES: usize = 20;

/// Picks the delimiter that splits some line of the head into the most fields, outside quotes.
///
/// The header is usually the first line, but an office's file may start with
/// a title (`DATA DTKS DESA ...`) and a blank line; the header is then the
/// line with the most separators, so the most of any one line among the
/// first [`DELIMITER_LINES`] decides. Ties go to the comma, then `;`.
fn detect_delimiter(head: &[u8]) -> u8 {
    let mut best = [0usize; 3];
    let mut counts = [0usize; 3];
    let mut quoted = false;
    let mut lines = 0;
    for b in head {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            b'\n' if !quoted => {
                for (m, c) in best.iter_mut().zip(&mut counts) {
                    *m = (*m).max(std::mem::take(c));
                }
                lines += 1;
                if lines == DELIMITER_LINES {
                    break;
                }
            }
            _ => {}
        }
    }
    for (m, c) in best.iter_mut().zip(&counts) {
        *m = (*m).max(*c);
    }
    let delims = [b',', b';', b'\t'];
    let (i, n) = best
        .iter()
        .enumerate()
        .max_by_key(|(i, n)| (**n, std::cmp::Reverse(*i)))
        .expect("three candidates");
    if *n == 0 { b',' } else { delims[i] }
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

/// The `csv` parser over `text`, counting its line breaks.
fn parser(
    text: BufReader<Box<dyn Read + Send>>,
    delimiter: u8,
) -> csv::Reader<LineBreaks<BufReader<Box<dyn Read + Send>>>> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(LineBreaks {
            inner: text,
            offset: 0,
            after_cr: false,
            pending: VecDeque::new(),
        })
}

/// A CSV file read record by record.
pub(crate) struct CsvSource {
    reader: csv::Reader<LineBreaks<BufReader<Box<dyn Read + Send>>>>,
    record: csv::ByteRecord,
    label: String,
    header_len: usize,
    /// Number of leading header fields up to the last one with a name.
    named_len: usize,
    row: u64,
    /// Line breaks before the current record.
    lines: u64,
    /// Line breaks inside quoted fields of the records read so far.
    embedded_breaks: u64,
    /// Header names as written, to name the column of a late encoding warning.
    names: Vec<String>,
    warned_encoding: bool,
    done: bool,
    /// The file, for parts of it read by other threads ([`CsvSource::split`]).
    path: PathBuf,
    delimiter: u8,
    /// Where the parser's text starts in the file (after a BOM and a `sep=` line);
    /// `None` when the text is decoded (UTF-16) or this is already a part, so it cannot be split.
    base: Option<u64>,
    /// The text offset where the next part starts: records from there on are not this source's.
    limit: Option<u64>,
}

/// Where a record starts in a CSV's text, with what the reader counts before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RecordStart {
    /// Text offset (after the BOM and a `sep=` line).
    at: u64,
    /// Line breaks before it.
    lines: u64,
    /// Line breaks inside quoted fields before it.
    embedded: u64,
}

/// The first record start after each of `targets` (ascending text offsets),
/// found by following the quoting of the text from its start as the `csv`
/// parser does: a quote opens a quoted field only at the start of a field, a
/// doubled quote inside one is a literal quote, and a record ends at a line
/// break outside quotes. Only line feeds start records here, so a file whose
/// lines end in a bare carriage return yields none.
///
/// This passes over the text once with `memchr`, far faster than parsing it,
/// so a large file can be split between threads at exact record boundaries.
fn record_starts(
    mut text: impl BufRead,
    delimiter: u8,
    targets: &[u64],
) -> io::Result<Vec<RecordStart>> {
    let mut out = Vec::with_capacity(targets.len());
    let (mut pos, mut lines, mut embedded) = (0u64, 0u64, 0u64);
    let mut quoted = false;
    // A quote inside a quoted field was the last byte of the previous buffer.
    let mut quote_pending = false;
    // The byte before the current buffer; the text starts at a record start.
    let mut prev = b'\n';
    while out.len() < targets.len() {
        let buf = text.fill_buf()?;
        let n = buf.len();
        if n == 0 {
            break;
        }
        let mut i = 0;
        if quote_pending {
            quote_pending = false;
            if buf[0] == b'"' {
                i = 1;
            } else {
                quoted = false;
            }
        }
        while i < n && out.len() < targets.len() {
            let Some(j) = memchr::memchr2(b'"', b'\n', &buf[i..]) else {
                break;
            };
            let p = i + j;
            if buf[p] == b'\n' {
                lines += 1;
                if quoted {
                    embedded += 1;
                } else {
                    let at = pos + p as u64 + 1;
                    while out.len() < targets.len() && targets[out.len()] < at {
                        out.push(RecordStart {
                            at,
                            lines,
                            embedded,
                        });
                    }
                }
                i = p + 1;
            } else if quoted {
                match buf.get(p + 1) {
                    Some(b'"') => i = p + 2,
                    Some(_) => {
                        quoted = false;
                        i = p + 1;
                    }
                    None => {
                        quote_pending = true;
                        i = n;
                    }
                }
            } else {
                let before = if p == 0 { prev } else { buf[p - 1] };
                quoted = before == delimiter || before == b'\n' || before == b'\r';
                i = p + 1;
            }
        }
        prev = buf[n - 1];
        text.consume(n);
        pos += n as u64;
    }
    out.dedup_by_key(|s| s.at);
    Ok(out)
}

impl CsvSource {
    /// Opens a CSV file, reads its header and sniffs its delimiter and encoding.
    pub(crate) fn open(path: &Path, label: &str) -> Result<Opened<CsvSource>, ReadError> {
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
        let mut base = None;
        let text: Box<dyn Read + Send> = match utf16 {
            Some(enc) => {
                raw.consume(2);
                Box::new(Utf16Reader::new(raw, enc))
            }
            None => {
                let bom = start.starts_with(&[0xEF, 0xBB, 0xBF]);
                if bom {
                    raw.consume(3);
                }
                base = Some(if bom { 3 } else { 0 });
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
        let mut src = CsvSource {
            reader: parser(text, delimiter),
            record: csv::ByteRecord::new(),
            label: label.to_string(),
            header_len: 0,
            named_len: 0,
            row: 0,
            lines: 0,
            embedded_breaks: 0,
            names: Vec::new(),
            warned_encoding,
            done: false,
            path: path.to_path_buf(),
            delimiter,
            base: base.map(|b| b + skip as u64),
            limit: None,
        };
        let header = loop {
            match src.reader.read_byte_record(&mut src.record) {
                Ok(false) => {
                    return Err(ReadError::Empty {
                        path: label.to_string(),
                    });
                }
                Ok(true) => {
                    src.count_row();
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
        src.rehead(&header);
        Ok(Opened {
            header_row: src.row,
            source: src,
            header,
            file_issues,
            unreadable: Vec::new(),
        })
    }

    /// Takes `header` as the header row from now on (a title row above it was taken first).
    ///
    /// Field counts of later rows are checked against it.
    pub(crate) fn rehead(&mut self, header: &[Cell]) {
        self.header_len = header.len();
        self.names = header
            .iter()
            .map(|c| c.shown().trim().to_string())
            .collect();
        self.named_len = header
            .iter()
            .rposition(|c| !c.is_blank())
            .map_or(0, |i| i + 1);
    }

    /// Sets `row` to the record just read's row as Excel shows it.
    ///
    /// That is its physical line (empty lines included) less the line breaks
    /// inside quoted fields before it, since Excel shows such a record as one
    /// row. Files that end lines with a bare `\r` have no `\n` to count; there
    /// every record is the next row.
    fn count_row(&mut self) {
        let start = self.record.position().map_or(0, csv::Position::byte);
        self.lines += self.reader.get_mut().lines_before(start);
        self.row = (self.lines + 1)
            .saturating_sub(self.embedded_breaks)
            .max(self.row + 1);
        self.embedded_breaks += memchr::memchr_iter(b'\n', self.record.as_slice()).count() as u64;
    }

    /// Splits the rest of the file into about `parts` parts of equal size at
    /// record boundaries, for other threads to read; returns the sources of
    /// the parts after the first, in file order, and stops this one where
    /// the second starts. Empty when the file is not split: its text is
    /// decoded (UTF-16), it is smaller than `min_bytes`, or it has no line
    /// feeds to split at.
    ///
    /// Each part numbers its rows as this source would have, so the rows of
    /// all parts in order are exactly the rows of the whole file.
    pub(crate) fn split(&mut self, parts: usize, min_bytes: u64) -> io::Result<Vec<CsvSource>> {
        let Some(base) = self.base.filter(|_| parts > 1 && !self.done) else {
            return Ok(Vec::new());
        };
        let len = std::fs::metadata(&self.path)?.len();
        if len < min_bytes || len <= base {
            return Ok(Vec::new());
        }
        let text_len = len - base;
        // The next record's start: the rest of the file is what is split.
        let from = self.reader.position().byte();
        let targets: Vec<u64> = (1..parts as u64)
            .map(|i| from + (text_len - from) * i / parts as u64)
            .collect();
        let mut file = File::open(&self.path)?;
        file.seek(SeekFrom::Start(base))?;
        let starts = record_starts(
            BufReader::with_capacity(1 << 20, file),
            self.delimiter,
            &targets,
        )?;
        let starts: Vec<RecordStart> = starts.into_iter().filter(|s| s.at < text_len).collect();
        let mut out = Vec::with_capacity(starts.len());
        for (i, start) in starts.iter().enumerate() {
            let end = starts.get(i + 1).map(|s| s.at);
            out.push(self.part(base, *start, end)?);
        }
        self.limit = starts.first().map(|s| s.at);
        Ok(out)
    }

    /// A source for the records from `start` to `end` (text offsets; the end of the file when `None`).
    fn part(&self, base: u64, start: RecordStart, end: Option<u64>) -> io::Result<CsvSource> {
        let mut file = File::open(&self.path)?;
        file.seek(SeekFrom::Start(base + start.at))?;
        let inner: Box<dyn Read + Send> = match end {
            Some(end) => Box::new(file.take(end - start.at)),
            None => Box::new(file),
        };
        Ok(CsvSource {
            reader: parser(BufReader::with_capacity(SNIFF_BYTES, inner), self.delimiter),
            record: csv::ByteRecord::new(),
            label: self.label.clone(),
            header_len: self.header_len,
            named_len: self.named_len,
            row: 0,
            lines: start.lines,
            embedded_breaks: start.embedded,
            names: self.names.clone(),
            warned_encoding: self.warned_encoding,
            done: false,
            path: self.path.clone(),
            delimiter: self.delimiter,
            base: None,
            limit: None,
        })
    }

    /// Whether a field that is not UTF-8 has been reported (once per file).
    pub(crate) fn warned_encoding(&self) -> bool {
        self.warned_encoding
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

    /// The next non-blank record, or `None` at the end of the file.
    pub(crate) fn next_row(&mut self) -> Option<RawRow> {
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
                    if let Some(limit) = self.limit
                        && self.record.position().map_or(0, csv::Position::byte) >= limit
                    {
                        self.done = true;
                        return None;
                    }
                    self.count_row();
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

/// Writes one record's cells to `w`.
pub(crate) fn write_record<'a, W: Write>(
    w: &mut csv::Writer<W>,
    cells: impl IntoIterator<Item = Out<'a>>,
) -> Result<(), WriteError> {
    for cell in cells {
        match cell {
            Out::Text(s) => w.write_field(s.as_bytes())?,
            Out::Date(d) => w.write_field(
                d.map(|d| d.format("%Y-%m-%d").to_string())
                    .unwrap_or_default(),
            )?,
        }
    }
    w.write_record(None::<&[u8]>)?;
    Ok(())
}

/// A CSV file being written.
pub(crate) struct CsvSink {
    writer: csv::Writer<BufWriter<File>>,
    /// The same open file (sharing its offset), for blocks of records
    /// encoded apart: the `csv` writer does not lend out what it wraps.
    raw: File,
}

impl CsvSink {
    /// Creates the file and writes the header.
    pub(crate) fn create(path: &Path, header: &[String]) -> Result<CsvSink, WriteError> {
        let file = File::create(path)?;
        let raw = file.try_clone()?;
        let mut writer = csv::Writer::from_writer(BufWriter::new(file));
        writer.write_record(header)?;
        Ok(CsvSink { writer, raw })
    }

    /// Writes one record.
    pub(crate) fn write<'a>(
        &mut self,
        cells: impl IntoIterator<Item = Out<'a>>,
    ) -> Result<(), WriteError> {
        write_record(&mut self.writer, cells)
    }

    /// Writes `rows` in order, each encoded by `encode` into a CSV writer of
    /// its own: blocks of rows are encoded on `threads` threads, taken in
    /// order, and their bytes written in order, so the file is byte for byte
    /// what writing the rows one by one gives. Encoding a million result rows
    /// on one thread had kept the other core idle at the end of a run.
    pub(crate) fn write_encoded<T: Sync>(
        &mut self,
        rows: &[T],
        threads: usize,
        encode: impl Fn(&mut csv::Writer<Vec<u8>>, &T) -> Result<(), WriteError> + Sync,
    ) -> Result<(), WriteError> {
        /// Rows per block: large enough that a block's bytes dwarf the
        /// hand-over, small enough that the writer starts early and few
        /// blocks wait in memory.
        const BLOCK: usize = 4096;
        // Everything written so far reaches the file before the blocks do.
        self.writer.flush()?;
        let blocks: Vec<&[T]> = rows.chunks(BLOCK).collect();
        let next = AtomicUsize::new(0);
        let file = &mut self.raw;
        std::thread::scope(|scope| {
            let (tx, rx) = mpsc::sync_channel::<(usize, Result<Vec<u8>, WriteError>)>(threads * 2);
            for _ in 0..threads.max(1) {
                let (tx, next, blocks, encode) = (tx.clone(), &next, &blocks, &encode);
                scope.spawn(move || {
                    loop {
                        let b = next.fetch_add(1, Ordering::Relaxed);
                        let Some(block) = blocks.get(b) else { break };
                        let mut w = csv::Writer::from_writer(Vec::with_capacity(block.len() * 128));
                        let bytes = block
                            .iter()
                            .try_for_each(|row| encode(&mut w, row))
                            .and_then(|()| {
                                w.into_inner().map_err(|e| WriteError::from(e.into_error()))
                            });
                        // The receiver is gone only after an error; stop then.
                        if tx.send((b, bytes)).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(tx);
            // Blocks arrive in any order and are written in file order.
            let mut waiting = std::collections::BTreeMap::new();
            let mut due = 0;
            for (b, bytes) in rx {
                waiting.insert(b, bytes?);
                while let Some(bytes) = waiting.remove(&due) {
                    file.write_all(&bytes)?;
                    due += 1;
                }
            }
            Ok(())
        })
    }

    /// Flushes what is buffered to the file.
    pub(crate) fn finish(mut self) -> Result<(), WriteError> {
        self.writer.flush()?;
        Ok(())
    }
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
        assert_eq!(
            detect_delimiter(
                b"DATA DTKS DESA SUKAMAJU, OKTOBER\n\nid_art;nama;nik;no_kk\n1;A, B;3;4"
            ),
            b';'
        );
        assert_eq!(
            detect_delimiter(b"\"judul; dengan; titik koma\nbaris kedua\"\nid_art,nama"),
            b','
        );
    }

    #[test]
    fn excel_sep_line_names_the_delimiter() {
        assert_eq!(sep_hint(b"sep=;\r\nid_art,nama"), Some((b';', 7)));
        assert_eq!(sep_hint(b"sep=,\nid"), Some((b',', 6)));
        assert_eq!(sep_hint(b"id_art;nama"), None);
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
