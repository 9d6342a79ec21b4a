//! Streaming readers for registry (DTKS) and civil-registry (Dukcapil) files.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::path::Path;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::NaiveDate;
use padu_core::{CivilPerson, LifeStatus, RegistryPerson, Text};

use crate::error::ReadError;
use crate::fields::{ColumnMap, RowCtx};
use crate::format::{self, Source};
use crate::issue::{Budget, Issue, Severity};
use crate::mapping::Mapping;
use crate::schema::{Civil, Registry, Schema};
use crate::table::{Opened, RawRow};

/// How far down a sheet (rows as Excel numbers them) the header is looked for.
pub const HEADER_SEARCH_ROWS: u64 = 20;

/// Where a file's header was found and what its columns were taken to mean.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderInfo {
    /// The header's row as Excel shows it.
    pub row: u64,
    /// Non-blank rows above it that were skipped (titles), as Excel numbers them.
    pub skipped: Vec<u64>,
    /// Each header cell as written, with the Padu field it was read as ([`crate::EXTRA`] for extra data).
    pub columns: Vec<(String, String)>,
}

impl HeaderInfo {
    /// The mapping that reproduces this reading: for `--suggest-map`.
    pub fn mapping(&self, base: &Mapping) -> Mapping {
        let mut m = base.clone();
        if !self.skipped.is_empty() || m.header_row.is_some() {
            m.header_row = Some(self.row);
        }
        for (header, field) in &self.columns {
            m.columns.insert(header.clone(), field.clone());
        }
        m
    }
}

/// A header row found, or the best candidate when no row names the required columns.
struct Found<S> {
    source: Source,
    columns: ColumnMap<S>,
    info: HeaderInfo,
    file_issues: Vec<Issue>,
}

/// Looks for the header: the first row within [`HEADER_SEARCH_ROWS`] whose names cover the required columns.
///
/// Rows above it (titles, blank rows, merged title cells) are skipped. When
/// no row qualifies, the result is the row that came closest (fewest
/// required columns missing, in `columns.missing`), so a message is about
/// the real header, not the title. A mapping's `baris_judul` fixes the row
/// instead.
fn find_header<S: Schema>(
    label: &str,
    opened: Opened<Source>,
    mapping: &Mapping,
) -> Result<Found<S>, ReadError> {
    let Opened {
        mut source,
        header,
        header_row,
        mut file_issues,
        unreadable,
    } = opened;
    let (mut cells, mut row) = (header, header_row);
    let mut skipped = Vec::new();
    let mut best: Option<(ColumnMap<S>, HeaderInfo)> = None;
    let limit = mapping.header_row.unwrap_or(HEADER_SEARCH_ROWS);
    loop {
        if mapping.header_row.is_none_or(|r| r == row) {
            let columns = ColumnMap::<S>::build(label, row, &cells, mapping)?;
            let info = HeaderInfo {
                row,
                skipped: skipped.clone(),
                columns: columns.found().to_vec(),
            };
            if columns.missing.is_empty() {
                file_issues.extend(columns.check_unreadable(label, row, &unreadable)?);
                return Ok(Found {
                    source,
                    columns,
                    info,
                    file_issues,
                });
            }
            if best
                .as_ref()
                .is_none_or(|(b, _)| columns.missing.len() < b.missing.len())
            {
                best = Some((columns, info));
            }
        }
        if !source.searchable() || row >= limit {
            break;
        }
        let Some(raw) = source.next_row() else { break };
        skipped.push(row);
        // A title row has fewer fields than the header; only other problems are kept.
        file_issues.extend(
            raw.issues
                .into_iter()
                .filter(|i| i.code != "JUMLAH_KOLOM_SALAH" && i.code != "BERKAS_RUSAK"),
        );
        source.rehead(&raw.cells);
        cells = raw.cells;
        row = raw.row;
    }
    match (best, mapping.header_row) {
        (Some((columns, info)), _) => Ok(Found {
            source,
            columns,
            info,
            file_issues,
        }),
        (None, Some(r)) => Err(ReadError::BadMapping {
            detail: format!("baris_judul {r} kosong atau di luar berkas {label}"),
            detail_en: format!("header_row {r} is blank or beyond the end of {label}"),
        }),
        (None, None) => Err(ReadError::Empty {
            path: label.to_string(),
        }),
    }
}

/// Which interchange file a mapping is suggested for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    /// A registry (DTKS) file.
    Registry,
    /// A civil-registry (Dukcapil) extract.
    Civil,
}

/// What Padu infers about a file's columns without reading its rows: for `--suggest-map`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// The header found (or the closest candidate) and each column's meaning.
    pub header: HeaderInfo,
    /// Required fields no column was found for.
    pub missing: Vec<String>,
}

/// Finds the header of `path` as an import would and says what each column would be read as.
///
/// Unlike opening a reader, missing required columns are not an error: they
/// are listed, so the operator can map them and reuse the mapping.
pub fn suggest_mapping(
    path: &Path,
    file_type: FileType,
    opts: &ReadOptions,
) -> Result<Suggestion, ReadError> {
    fn run<S: Schema>(path: &Path, opts: &ReadOptions) -> Result<Suggestion, ReadError> {
        let label = path.display().to_string();
        let sheet = opts.sheet.as_deref().or(opts.mapping.sheet.as_deref());
        let opened = format::open(path, sheet, &label)?;
        let found = find_header::<S>(&label, opened, &opts.mapping)?;
        Ok(Suggestion {
            header: found.info,
            missing: found
                .columns
                .missing
                .iter()
                .filter_map(|i| i.column.clone())
                .collect(),
        })
    }
    match file_type {
        FileType::Registry => run::<Registry>(path, opts),
        FileType::Civil => run::<Civil>(path, opts),
    }
}

/// How to read a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOptions {
    /// The date that fixes the century of NIK birth dates and rejects birth dates in the future.
    pub today: NaiveDate,
    /// The worksheet to read from a workbook; the first one when `None`.
    pub sheet: Option<String>,
    /// How many issues to report before summarising the rest in one final issue.
    pub max_issues: usize,
    /// What the aliases cannot guess: column names, fixed values, the header row, the date format.
    pub mapping: Mapping,
}

impl ReadOptions {
    /// Options for `today`, the first sheet and the default limit of 1000 issues.
    pub fn new(today: NaiveDate) -> ReadOptions {
        ReadOptions {
            today,
            sheet: None,
            max_issues: 1000,
            mapping: Mapping::default(),
        }
    }
}

impl Default for ReadOptions {
    /// Today's local date, the first sheet, at most 1000 issues.
    fn default() -> Self {
        ReadOptions::new(chrono::Local::now().date_naive())
    }
}

/// One data row of a file: the record if it could be built, and what was found on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct Row<T> {
    /// The row number as Excel shows it (the first line is 1; the header is row 1 unless titles sit above it).
    pub row: u64,
    /// The record; `None` when the row has an error (even one left out of `issues` by the limit).
    pub record: Option<T>,
    /// Errors and warnings for this row, within the reader's issue limit.
    pub issues: Vec<Issue>,
}

/// A row of one part of a file whose unique-key check is left to the caller
/// (a distributed job checks the key across all parts at once).
#[derive(Debug, Clone, PartialEq)]
pub struct KeyedRow<T> {
    /// The row, checked as usual except against the file's unique key.
    pub row: Row<T>,
    /// The row's unique key as [`RegistryReader::repeat_issue`] and
    /// [`CivilReader::repeat_issue`] show it (`id_art`; a NIK's 16 digits),
    /// and how many of the row's errors an error about a repeat goes after;
    /// `None` when the key could not be read.
    pub key: Option<(String, usize)>,
}

/// A row parsed on its own, before the checks that need the rows above it
/// (the file's unique key and the issue budget): what a thread reading one
/// part of a file hands back.
struct Parsed<T, K> {
    row: u64,
    record: Option<T>,
    /// Problems found reading the row itself (encoding, field count), then parsing it.
    issues: Vec<Issue>,
    /// The row's unique key, and where in `issues` an error about it goes.
    key: Option<(K, usize)>,
}

/// What a record parser returns: the record (when the row had no error) and
/// the row's unique key, with how many of the parser's issues came before it.
type ParseOut<T, K> = (Option<T>, Option<(K, usize)>);

/// Builds a record of schema `S` from a row, recording every problem in the context.
type ParseFn<S, T, K> = fn(&mut RowCtx<'_, S>, NaiveDate) -> ParseOut<T, K>;

/// The column whose values must be unique in a file, and how a repeat is reported.
struct UniqueColumn<S, K> {
    column: S,
    code: &'static str,
    what: &'static str,
    shown: fn(&K) -> String,
}

/// What parsing a row needs, without the state of the rows above it: one per thread.
#[derive(Clone)]
struct RowParser<S> {
    columns: ColumnMap<S>,
    label: String,
    today: NaiveDate,
}

impl<S: Schema> RowParser<S> {
    /// Parses `raw` with `parse` unless reading the row already failed.
    ///
    /// Cells of a broken row or one with a structural error cannot be
    /// trusted, so only its issues count.
    fn parse<T, K>(&mut self, mut raw: RawRow, parse: ParseFn<S, T, K>) -> Parsed<T, K> {
        let unnamed = self.columns.check_unnamed(&self.label, raw.row, &raw.cells);
        raw.issues.extend(unnamed);
        let mut issues = raw.issues;
        let (mut record, mut key) = (None, None);
        if !raw.broken && !issues.iter().any(Issue::is_error) {
            let mut ctx = RowCtx::new(&self.label, raw.row, &self.columns, &raw.cells);
            let (r, k) = parse(&mut ctx, self.today);
            record = r.filter(|_| !ctx.failed);
            key = k.map(|(k, at)| (k, issues.len() + at));
            issues.extend(ctx.issues);
        }
        Parsed {
            row: raw.row,
            record,
            issues,
            key,
        }
    }
}

/// Files smaller than this are read by one thread: splitting costs a pass over the file.
const SPLIT_MIN_BYTES: u64 = 8 << 20;

/// The parts of a file, parsed by a few worker threads and handed out in
/// file order.
///
/// The thread taking the rows (checking each key against the rows above and
/// moving each record out) must take them in order, so it works alongside
/// the parsing only if the parts ahead of it are done early: the file is cut
/// into several parts per worker, which the workers take in file order, and
/// each part sends its rows in blocks as it parses them. With one part per
/// thread, the taker could start on the second half only once the first was
/// parsed, and spent the last few tenths of a second of a million-row read
/// alone, moving the second half's rows while the other core was idle.
struct Parts<T, K> {
    /// Each part's blocks, in file order.
    parts: VecDeque<Receiver<Block<T, K>>>,
    workers: Vec<std::thread::JoinHandle<()>>,
    current: std::vec::IntoIter<Parsed<T, K>>,
}

/// Some rows of a part, and whether they are its last.
type Block<T, K> = (Vec<Parsed<T, K>>, bool);

/// The parts still to parse, in file order, each with where its blocks go.
type Queue<T, K> = Mutex<VecDeque<(Source, Sender<Block<T, K>>)>>;

/// Rows a part sends at a time: few enough that the taking thread starts
/// early, many enough that the channel is not the cost.
const PART_BLOCK: usize = 4096;

/// Parts per worker thread.
const PARTS_PER_WORKER: usize = 16;

impl<T, K> Default for Parts<T, K> {
    fn default() -> Self {
        Parts {
            parts: VecDeque::new(),
            workers: Vec::new(),
            current: Vec::new().into_iter(),
        }
    }
}

impl<T: Send + 'static, K: Send + 'static> Parts<T, K> {
    /// Has `workers` threads parse `sources` (consecutive parts of one file), taking them in order.
    fn start<S: Schema + Send + 'static>(
        &mut self,
        sources: Vec<Source>,
        workers: usize,
        parser: &RowParser<S>,
        parse: ParseFn<S, T, K>,
    ) {
        let mut queue = VecDeque::with_capacity(sources.len());
        for source in sources {
            let (tx, rx) = mpsc::channel();
            queue.push_back((source, tx));
            self.parts.push_back(rx);
        }
        let queue: Arc<Queue<T, K>> = Arc::new(Mutex::new(queue));
        for _ in 0..workers {
            let (queue, mut parser) = (Arc::clone(&queue), parser.clone());
            self.workers.push(std::thread::spawn(move || {
                loop {
                    let next = queue
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .pop_front();
                    let Some((mut source, tx)) = next else { return };
                    let mut block = Vec::with_capacity(PART_BLOCK);
                    while let Some(raw) = source.next_row() {
                        block.push(parser.parse(raw, parse));
                        if block.len() == PART_BLOCK {
                            let full =
                                std::mem::replace(&mut block, Vec::with_capacity(PART_BLOCK));
                            // A send fails only when the reader was dropped: nobody wants the rest.
                            if tx.send((full, false)).is_err() {
                                return;
                            }
                        }
                    }
                    if tx.send((block, true)).is_err() {
                        return;
                    }
                }
            }));
        }
    }

    fn next(&mut self) -> Option<Parsed<T, K>> {
        loop {
            if let Some(p) = self.current.next() {
                return Some(p);
            }
            let Some(part) = self.parts.front() else {
                self.join();
                return None;
            };
            match part.recv() {
                Ok((rows, last)) => {
                    if last {
                        self.parts.pop_front();
                    }
                    self.current = rows.into_iter();
                }
                // A part's sender went away before its last block: its worker panicked.
                Err(_) => {
                    self.join();
                    panic!("a thread reading part of the file stopped without finishing it");
                }
            }
        }
    }

    /// Waits for the workers, passing on a worker's panic.
    fn join(&mut self) {
        for w in self.workers.drain(..) {
            w.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
        }
    }
}

/// What both readers share: the source, the row parser, the issue budget and
/// the row where each value of the file's unique key `K` was first seen.
struct Table<S, K, T> {
    source: Source,
    parser: RowParser<S>,
    parse: ParseFn<S, T, K>,
    unique: UniqueColumn<S, K>,
    header: HeaderInfo,
    budget: Budget,
    file_issues: Vec<Issue>,
    /// With a fast (seeded) hash: a civil extract checks a million NIKs here.
    seen: HashMap<K, u64, foldhash::fast::RandomState>,
    /// Rows of the parts read by other threads, after the source's own.
    parts: Parts<T, K>,
    /// Whether a value that is not UTF-8 was reported: once per file, whichever part finds it.
    warned_encoding: bool,
    finished: bool,
}

impl<S, K, T> Table<S, K, T>
where
    S: Schema + Send + 'static,
    K: Eq + Hash + Send + 'static,
    T: Send + 'static,
{
    fn open(
        path: &Path,
        opts: &ReadOptions,
        parse: ParseFn<S, T, K>,
        unique: UniqueColumn<S, K>,
    ) -> Result<Self, ReadError> {
        let label = path.display().to_string();
        let sheet = opts.sheet.as_deref().or(opts.mapping.sheet.as_deref());
        let opened = format::open(path, sheet, &label)?;
        Self::from_opened(label, opened, opts, parse, unique)
    }

    /// Opens the row groups `groups` of a Parquet file.
    fn open_parquet_groups(
        path: &Path,
        opts: &ReadOptions,
        groups: std::ops::Range<usize>,
        parse: ParseFn<S, T, K>,
        unique: UniqueColumn<S, K>,
    ) -> Result<Self, ReadError> {
        let label = path.display().to_string();
        let opened = format::open_parquet_groups(path, &label, groups)?;
        Self::from_opened(label, opened, opts, parse, unique)
    }

    fn from_opened(
        label: String,
        opened: Opened<Source>,
        opts: &ReadOptions,
        parse: ParseFn<S, T, K>,
        unique: UniqueColumn<S, K>,
    ) -> Result<Self, ReadError> {
        let Found {
            source,
            columns,
            info,
            file_issues,
        } = find_header::<S>(&label, opened, &opts.mapping)?;
        if !columns.missing.is_empty() {
            return Err(ReadError::MissingColumns(columns.missing));
        }
        let mut budget = Budget::new(opts.max_issues);
        let file_issues = budget.admit(file_issues);
        Ok(Table {
            warned_encoding: source.warned_encoding(),
            source,
            parser: RowParser {
                columns,
                label,
                today: opts.today,
            },
            parse,
            unique,
            header: info,
            budget,
            file_issues,
            seen: HashMap::default(),
            parts: Parts::default(),
            finished: false,
        })
    }

    /// Has the rest of a large CSV file parsed by `threads` threads, cut
    /// into parts that start at record boundaries, while this one takes
    /// their rows in order; the rows still come out in file order and
    /// exactly as one thread would give them (numbers, issues, the unique-key check and
    /// the issue budget all as before). Other files, and a CSV with a
    /// nameless column (warned about once per file), are read as before.
    fn split(&mut self, threads: usize, min_bytes: u64) -> Result<(), ReadError> {
        if threads < 2 || self.finished || self.parser.columns.has_unnamed() {
            return Ok(());
        }
        let parts = self
            .source
            .split(threads * PARTS_PER_WORKER, min_bytes)
            .map_err(|e| crate::table::io_error(&self.parser.label, &e))?;
        if parts.is_empty() {
            return Ok(());
        }
        // This thread's own part too: it only takes the rows, in order.
        let sources = std::iter::once(self.source.hand_off())
            .chain(parts)
            .collect();
        self.parts.start(sources, threads, &self.parser, self.parse);
        Ok(())
    }

    /// The next row, parsed and checked against the rows before it.
    fn next_row(&mut self) -> Option<Row<T>> {
        let parsed = self.next_parsed()?;
        Some(self.settle(parsed))
    }

    /// The next row with its unique key, not checked against the rows
    /// before it; its issues are admitted to the budget as usual.
    fn next_keyed(&mut self) -> Option<KeyedRow<T>> {
        let Parsed {
            row,
            record,
            issues,
            key,
        } = self.next_parsed()?;
        let key = key.map(|(k, at)| {
            let errors_before = issues[..at].iter().filter(|i| i.is_error()).count();
            ((self.unique.shown)(&k), errors_before)
        });
        Some(KeyedRow {
            row: Row {
                row,
                record,
                issues: self.budget.admit(issues),
            },
            key,
        })
    }

    /// The error of row `row`, whose unique key `value` was first seen in row `first_row`.
    fn repeat_issue(&self, row: u64, value: &str, first_row: u64) -> Issue {
        let u = &self.unique;
        let what = u.what;
        Issue::new(
            &self.parser.label,
            row,
            Some(self.parser.columns.label(u.column)),
            Severity::Error,
            u.code,
            format!("{what} \"{value}\" sudah dipakai di baris {first_row}"),
            format!("{what} \"{value}\" is already used in row {first_row}"),
        )
    }

    /// The next row, parsed on its own (or taken from a part's thread).
    fn next_parsed(&mut self) -> Option<Parsed<T, K>> {
        if self.finished {
            return None;
        }
        let parsed = match self.source.next_row() {
            Some(raw) => {
                let p = self.parser.parse(raw, self.parse);
                self.warned_encoding = self.source.warned_encoding();
                p
            }
            None => match self.parts.next() {
                Some(mut p) => {
                    // Each part warns once about encoding; the file warns once.
                    let before = p.issues.len();
                    let mut removed_before_key = 0;
                    let key_at = p.key.as_ref().map_or(usize::MAX, |(_, at)| *at);
                    let mut i = 0;
                    p.issues.retain(|issue| {
                        let keep = issue.code != NOT_UTF8 || !self.warned_encoding;
                        if issue.code == NOT_UTF8 && keep {
                            self.warned_encoding = true;
                        }
                        if !keep && i < key_at {
                            removed_before_key += 1;
                        }
                        i += 1;
                        keep
                    });
                    if p.issues.len() < before
                        && let Some((_, at)) = &mut p.key
                    {
                        *at -= removed_before_key;
                    }
                    p
                }
                None => {
                    self.finished = true;
                    if let Some(summary) = self.budget.summary(&self.parser.label) {
                        self.file_issues.push(summary);
                    }
                    return None;
                }
            },
        };
        Some(parsed)
    }

    /// Checks the row's unique key against the rows before it and admits its issues to the budget.
    fn settle(&mut self, p: Parsed<T, K>) -> Row<T> {
        let Parsed {
            row,
            mut record,
            mut issues,
            key,
        } = p;
        if !self.first_use(row, key, &mut issues) {
            record = None;
        }
        Row {
            row,
            record,
            issues: self.budget.admit(issues),
        }
    }

    /// Whether the row's unique key is seen for the first time (or could not
    /// be read); a repeat's error goes into `issues`.
    fn first_use(&mut self, row: u64, key: Option<(K, usize)>, issues: &mut Vec<Issue>) -> bool {
        let Some((key, at)) = key else { return true };
        match self.seen.entry(key) {
            Entry::Occupied(first) => {
                let (value, first_row) = ((self.unique.shown)(first.key()), *first.get());
                issues.insert(at, self.repeat_issue(row, &value, first_row));
                false
            }
            Entry::Vacant(v) => {
                v.insert(row);
                true
            }
        }
    }

    /// The remaining rows as [`Table::next_row`] gives them, with each
    /// record pushed straight onto `records`; `each` gets every row's
    /// number, admitted issues and whether its record was kept.
    fn read_into(&mut self, records: &mut Vec<T>, mut each: impl FnMut(u64, Vec<Issue>, bool)) {
        while let Some(p) = self.next_parsed() {
            let Parsed {
                row,
                record,
                mut issues,
                key,
            } = p;
            let kept = self.first_use(row, key, &mut issues) && record.is_some();
            if kept && let Some(r) = record {
                records.push(r);
            }
            each(row, self.budget.admit(issues), kept);
        }
    }
}

/// The code of the once-per-file warning about text that is not UTF-8.
const NOT_UTF8: &str = "BUKAN_UTF8";

/// Reads a registry (DTKS) file row by row.
///
/// Only the set of `id_art` values seen so far grows with the file; rows are
/// parsed and handed out one at a time.
pub struct RegistryReader(Table<Registry, Text, RegistryPerson>);

impl RegistryReader {
    /// Opens a registry file (`.csv`, `.tsv`, `.txt`, `.xlsx`, `.xlsm`, `.xls`, `.ods`, `.parquet`) and checks its header.
    pub fn open(path: &Path, opts: &ReadOptions) -> Result<RegistryReader, ReadError> {
        Table::open(path, opts, parse_registry, REGISTRY_UNIQUE).map(RegistryReader)
    }

    /// Has a large CSV file parsed by `threads` threads, in parts that start
    /// at record boundaries, while the thread iterating takes the rows; rows
    /// still come out in file order, numbered and checked exactly as one thread reads them. Other
    /// formats, and files under 8 MB, are read by one thread.
    ///
    /// # Errors
    ///
    /// [`ReadError::Unreadable`] when the file cannot be read again to find where its parts start.
    pub fn parallel(mut self, threads: usize) -> Result<RegistryReader, ReadError> {
        self.0.split(threads, SPLIT_MIN_BYTES)?;
        Ok(self)
    }

    /// Reads only the row groups `groups` of a Parquet registry file: one
    /// part of it for a distributed job ([`parquet_row_groups`] lists them).
    /// Rows keep their numbers in the whole file; values that must be unique
    /// (`id_art`) are checked within the part only.
    pub fn open_parquet_row_groups(
        path: &Path,
        opts: &ReadOptions,
        groups: std::ops::Range<usize>,
    ) -> Result<RegistryReader, ReadError> {
        Table::open_parquet_groups(path, opts, groups, parse_registry, REGISTRY_UNIQUE)
            .map(RegistryReader)
    }

    /// Reads every remaining row as iterating would, but pushes each record
    /// straight onto `records` instead of handing it out in a [`Row`]: a
    /// million records are a quarter of a gigabyte, and each move through
    /// a `Row` copied all of it once more. `each` gets every row's number,
    /// its issues (within the limit) and whether its record was kept.
    pub fn read_into(
        &mut self,
        records: &mut Vec<RegistryPerson>,
        each: impl FnMut(u64, Vec<Issue>, bool),
    ) {
        self.0.read_into(records, each);
    }

    /// The rows with their `id_art`, which is not checked for repeats: the
    /// caller checks it across the parts of a file, and reports a repeat
    /// with [`RegistryReader::repeat_issue`].
    pub fn keyed(mut self) -> impl Iterator<Item = KeyedRow<RegistryPerson>> {
        std::iter::from_fn(move || self.0.next_keyed())
    }

    /// The error of row `row`, whose `id_art` `value` was first used in row
    /// `first_row`: what [`Iterator::next`] reports for such a row.
    pub fn repeat_issue(&self, row: u64, value: &str, first_row: u64) -> Issue {
        self.0.repeat_issue(row, value, first_row)
    }

    /// Problems about the whole file (encoding, and at the end how many issues were left out).
    ///
    /// Complete once the iterator is exhausted.
    pub fn file_issues(&self) -> &[Issue] {
        &self.0.file_issues
    }

    /// Where the header was found and what each column was read as.
    pub fn header(&self) -> &HeaderInfo {
        &self.0.header
    }

    /// The unknown columns, in file order, as their headers were written.
    pub fn extra_columns(&self) -> Vec<String> {
        self.0
            .parser
            .columns
            .extras
            .iter()
            .map(|(n, _)| n.clone())
            .collect()
    }

    /// How many issues were left out because of [`ReadOptions::max_issues`].
    pub fn suppressed_issues(&self) -> u64 {
        self.0.budget.suppressed()
    }
}

/// Builds a registry person from a row, recording every problem in `ctx`.
fn parse_registry(
    ctx: &mut RowCtx<'_, Registry>,
    today: NaiveDate,
) -> ParseOut<RegistryPerson, Text> {
    use Registry as C;
    let id_art = ctx.required_text(C::IdArt);
    let key = id_art.clone().map(|id| (id, ctx.issues.len()));
    let no_kk = ctx.kk(C::NoKk);
    let nik = ctx.nik(C::Nik, today);
    let nama = ctx.name(C::Nama, true);
    let sex = ctx.sex(C::JenisKelamin);
    let tgl_lahir = ctx.date(C::TglLahir, true, Some(today));
    let hubungan = ctx.relation(C::HubunganKeluarga);
    let ibu = ctx.name(C::NamaIbuKandung, false);
    let kode = ctx.village(C::KodeWilayah);
    let record = (|| {
        Some(RegistryPerson {
            id_art: id_art?,
            id_keluarga: ctx.text(C::IdKeluarga),
            no_kk,
            nik,
            nama: nama?,
            jenis_kelamin: sex?,
            tempat_lahir: ctx.text(C::TempatLahir),
            tgl_lahir: tgl_lahir?,
            hubungan_keluarga: hubungan,
            nama_ibu_kandung: ibu,
            alamat: ctx.text(C::Alamat),
            rt: ctx.text(C::Rt),
            rw: ctx.text(C::Rw),
            kode_wilayah: kode?,
            extra: ctx.extras(),
        })
    })();
    (record, key)
}

/// `id_art` is unique in a registry file.
const REGISTRY_UNIQUE: UniqueColumn<Registry, Text> = UniqueColumn {
    column: Registry::IdArt,
    code: "ID_GANDA",
    what: "id_art",
    shown: Text::to_string,
};

/// The NIK is unique in a civil-registry extract (kept as its number, shown as its 16 digits).
const CIVIL_UNIQUE: UniqueColumn<Civil, u64> = UniqueColumn {
    column: Civil::Nik,
    code: "NIK_GANDA",
    what: "NIK",
    shown: |n| format!("{n:016}"),
};

impl Iterator for RegistryReader {
    type Item = Row<RegistryPerson>;

    fn next(&mut self) -> Option<Row<RegistryPerson>> {
        self.0.next_row()
    }
}

/// Reads a civil-registry (Dukcapil) extract row by row.
///
/// Every row needs a valid NIK that is unique in the file; only the set of
/// NIKs seen so far grows with the file.
pub struct CivilReader(Table<Civil, u64, CivilPerson>);

impl CivilReader {
    /// Opens a civil-registry extract and checks its header.
    pub fn open(path: &Path, opts: &ReadOptions) -> Result<CivilReader, ReadError> {
        Table::open(path, opts, parse_civil, CIVIL_UNIQUE).map(CivilReader)
    }

    /// Has a large CSV file parsed by `threads` threads, like [`RegistryReader::parallel`].
    ///
    /// # Errors
    ///
    /// [`ReadError::Unreadable`] when the file cannot be read again to find where its parts start.
    pub fn parallel(mut self, threads: usize) -> Result<CivilReader, ReadError> {
        self.0.split(threads, SPLIT_MIN_BYTES)?;
        Ok(self)
    }

    /// Reads only the row groups `groups` of a Parquet civil extract, like
    /// [`RegistryReader::open_parquet_row_groups`] (the NIK is checked for
    /// uniqueness within the part only).
    pub fn open_parquet_row_groups(
        path: &Path,
        opts: &ReadOptions,
        groups: std::ops::Range<usize>,
    ) -> Result<CivilReader, ReadError> {
        Table::open_parquet_groups(path, opts, groups, parse_civil, CIVIL_UNIQUE).map(CivilReader)
    }

    /// Reads every remaining row into `records`, like [`RegistryReader::read_into`].
    pub fn read_into(
        &mut self,
        records: &mut Vec<CivilPerson>,
        each: impl FnMut(u64, Vec<Issue>, bool),
    ) {
        self.0.read_into(records, each);
    }

    /// The rows with their NIK, not checked for repeats, like [`RegistryReader::keyed`].
    pub fn keyed(mut self) -> impl Iterator<Item = KeyedRow<CivilPerson>> {
        std::iter::from_fn(move || self.0.next_keyed())
    }

    /// The error of row `row`, whose NIK `value` was first used in row
    /// `first_row`, like [`RegistryReader::repeat_issue`].
    pub fn repeat_issue(&self, row: u64, value: &str, first_row: u64) -> Issue {
        self.0.repeat_issue(row, value, first_row)
    }

    /// Where the header was found and what each column was read as.
    pub fn header(&self) -> &HeaderInfo {
        &self.0.header
    }

    /// Problems about the whole file; complete once the iterator is exhausted.
    pub fn file_issues(&self) -> &[Issue] {
        &self.0.file_issues
    }

    /// How many issues were left out because of [`ReadOptions::max_issues`].
    pub fn suppressed_issues(&self) -> u64 {
        self.0.budget.suppressed()
    }
}

/// Builds a civil-registry resident from a row, recording every problem in `ctx`.
fn parse_civil(ctx: &mut RowCtx<'_, Civil>, today: NaiveDate) -> ParseOut<CivilPerson, u64> {
    use Civil as C;
    let nik = ctx.required_nik(C::Nik, today);
    let key = nik.map(|n| (n.as_u64(), ctx.issues.len()));
    let no_kk = ctx.kk(C::NoKk);
    let nama = ctx.required_text(C::Nama);
    let sex = ctx.sex(C::JenisKelamin);
    let tgl_lahir = ctx.date(C::TglLahir, true, Some(today));
    let kode = ctx.village(C::KodeWilayah);
    let status = ctx.life_status(C::StatusHidup);
    let tgl_meninggal = ctx.date(C::TglMeninggal, false, Some(today));
    if let (Some(death), Some(birth)) = (tgl_meninggal, tgl_lahir)
        && death < birth
    {
        ctx.error(
            C::TglMeninggal,
            "TANGGAL_TIDAK_VALID",
            format!(
                "tanggal meninggal {} sebelum tanggal lahir {}",
                death.format("%d-%m-%Y"),
                birth.format("%d-%m-%Y")
            ),
            format!(
                "date of death {} is before the date of birth {}",
                death.format("%d-%m-%Y"),
                birth.format("%d-%m-%Y")
            ),
        );
    }
    if tgl_meninggal.is_some() && status == Some(LifeStatus::Hidup) {
        ctx.warn(
            C::TglMeninggal,
            "TANGGAL_MENINGGAL_TANPA_STATUS",
            "tgl_meninggal diisi tetapi status_hidup bukan MENINGGAL".into(),
            "tgl_meninggal is filled in but status_hidup is not MENINGGAL".into(),
        );
    }
    let record = (|| {
        Some(CivilPerson {
            nik: nik?,
            no_kk,
            nama: nama?,
            jenis_kelamin: sex?,
            tempat_lahir: ctx.text(C::TempatLahir),
            tgl_lahir: tgl_lahir?,
            nama_ibu_kandung: ctx.text(C::NamaIbuKandung),
            alamat: ctx.text(C::Alamat),
            rt: ctx.text(C::Rt),
            rw: ctx.text(C::Rw),
            kode_wilayah: kode?,
            status_hidup: status?,
            tgl_meninggal,
        })
    })();
    (record, key)
}

impl Iterator for CivilReader {
    type Item = Row<CivilPerson>;

    fn next(&mut self) -> Option<Row<CivilPerson>> {
        self.0.next_row()
    }
}

/// The number of records in each row group of a Parquet file, in file
/// order: the parts a distributed job may read one at a time with
/// [`CivilReader::open_parquet_row_groups`] or
/// [`RegistryReader::open_parquet_row_groups`].
pub fn parquet_row_groups(path: &Path) -> Result<Vec<u64>, ReadError> {
    format::parquet_row_groups(path, &path.display().to_string())
}

#[cfg(test)]
mod tests {
    use padu_core::Sex;
    use padu_testkit::{nik_text, temp, today, ymd};

    use super::*;

    /// Civil rows with what makes splitting a CSV hard: quoted delimiters and
    /// line breaks, doubled and stray quotes, blank and delimiter-only lines,
    /// wrong field counts, bad dates, bytes that are not UTF-8, CRLF endings
    /// and NIKs repeated far apart (so a repeat and its first use fall in
    /// different parts).
    fn awkward_civil(delimiter: u8) -> Vec<u8> {
        let d = delimiter as char;
        let mut out = Vec::new();
        for i in 0..1500u32 {
            if i % 19 == 0 {
                out.extend_from_slice(b"\n");
            }
            if i % 23 == 0 {
                out.extend(std::iter::repeat_n(delimiter, 12));
                out.push(b'\n');
            }
            // Every 41st row repeats the NIK of the row 40 above it.
            let first = if i % 41 == 0 && i > 0 { i - 40 } else { i };
            let born = ymd(1950 + (first % 50) as i32, 1 + first % 12, 1 + first % 28);
            let nik = nik_text("327601", born, Sex::L, first + 1);
            let nama = match i % 7 {
                0 => format!("\"SITI{d} AMINAH\""),
                1 => "\"KATA \"\"KUTIP\"\"\"".to_string(),
                2 => "AB\"C".to_string(),
                _ => format!("ORANG {i}"),
            };
            let alamat = if i % 11 == 0 {
                format!("\"JL. MAWAR{d}\nBARIS DUA\r\nTIGA\"")
            } else {
                "DUSUN KRAJAN".to_string()
            };
            let tgl = if i % 31 == 0 {
                "1990-13-45".to_string()
            } else {
                born.format("%Y-%m-%d").to_string()
            };
            let mut line = format!(
                "{nik}{d}3276011203150007{d}{nama}{d}L{d}{tgl}{d}DEPOK{d}IBU{d}{alamat}{d}001{d}002{d}32.76.01.1006{d}HIDUP{d}"
            )
            .into_bytes();
            if i % 29 == 0 {
                line.push(delimiter);
                line.extend_from_slice(b"LEBIH");
            }
            // Beyond the first 64 KB, where the encoding is sniffed for the whole file.
            if i % 37 == 0 && i > 700 {
                let at = line.iter().position(|b| *b == b'O').unwrap_or(0);
                line.insert(at, 0xE9);
            }
            out.extend_from_slice(&line);
            out.extend_from_slice(if i % 43 == 0 { b"\r\n" } else { b"\n" });
        }
        out
    }

    fn header(delimiter: u8) -> Vec<u8> {
        CIVIL_COLUMNS_LINE
            .replace(',', &(delimiter as char).to_string())
            .into_bytes()
    }

    const CIVIL_COLUMNS_LINE: &str = "nik,no_kk,nama,jenis_kelamin,tgl_lahir,tempat_lahir,nama_ibu_kandung,alamat,rt,rw,kode_wilayah,status_hidup,tgl_meninggal\n";

    type Read = (Vec<Row<CivilPerson>>, Vec<Issue>, u64);

    fn read(path: &Path, max_issues: usize, threads: usize) -> Read {
        let mut opts = ReadOptions::new(today());
        opts.max_issues = max_issues;
        let mut r = CivilReader::open(path, &opts).unwrap();
        r.0.split(threads, 0).unwrap();
        if threads > 1 {
            assert!(!r.0.parts.parts.is_empty(), "the file was split");
        }
        let rows: Vec<_> = r.by_ref().collect();
        (rows, r.file_issues().to_vec(), r.suppressed_issues())
    }

    #[test]
    fn a_csv_split_between_threads_reads_exactly_as_one_thread_reads_it() {
        let layouts: [(&str, Vec<u8>, u8); 4] = [
            ("plain", Vec::new(), b','),
            ("bom", vec![0xEF, 0xBB, 0xBF], b','),
            ("sep", b"sep=;\r\n".to_vec(), b';'),
            ("title", b"DATA DUKCAPIL DESA SUKAMAJU\n\n".to_vec(), b','),
        ];
        for (name, prefix, delimiter) in layouts {
            let mut text = prefix;
            text.extend(header(delimiter));
            text.extend(awkward_civil(delimiter));
            let (_d, path) = temp(&format!("{name}.csv"));
            std::fs::write(&path, &text).unwrap();
            for max_issues in [1000, 7] {
                let one = read(&path, max_issues, 1);
                let codes: Vec<&str> = one
                    .0
                    .iter()
                    .flat_map(|r| r.issues.iter().map(|i| i.code))
                    .collect();
                if max_issues == 1000 {
                    for code in [
                        "NIK_GANDA",
                        "BUKAN_UTF8",
                        "JUMLAH_KOLOM_SALAH",
                        "TANGGAL_TIDAK_VALID",
                    ] {
                        assert!(codes.contains(&code), "{name}: the data has {code}");
                    }
                    assert_eq!(codes.iter().filter(|c| **c == "BUKAN_UTF8").count(), 1);
                }
                for threads in [2, 3, 5, 8] {
                    let split = read(&path, max_issues, threads);
                    assert_eq!(split.0.len(), one.0.len(), "{name}, {threads} threads");
                    for (a, b) in split.0.iter().zip(&one.0) {
                        assert_eq!(a, b, "{name}, {threads} threads, row {}", b.row);
                    }
                    assert_eq!(split.1, one.1, "{name}, {threads} threads: file issues");
                    assert_eq!(split.2, one.2, "{name}, {threads} threads: suppressed");
                }
            }
        }
    }

    #[test]
    fn reading_into_a_vector_gives_what_iterating_gives() {
        let mut text = header(b',');
        text.extend(awkward_civil(b','));
        let (_d, path) = temp("into.csv");
        std::fs::write(&path, &text).unwrap();
        for threads in [1, 2, 8] {
            for max_issues in [1000, 7] {
                let (rows, file_issues, suppressed) = read(&path, max_issues, threads);
                let mut opts = ReadOptions::new(today());
                opts.max_issues = max_issues;
                let mut r = CivilReader::open(&path, &opts).unwrap();
                r.0.split(threads, 0).unwrap();
                let (mut records, mut each) = (Vec::new(), Vec::new());
                r.read_into(&mut records, |row, issues, kept| {
                    each.push((row, issues, kept))
                });
                let kept: Vec<_> = rows.iter().filter_map(|r| r.record.clone()).collect();
                assert!(kept.len() > 1000 && kept.len() < rows.len());
                assert_eq!(records, kept, "{threads} threads");
                let expected: Vec<_> = rows
                    .into_iter()
                    .map(|r| (r.row, r.issues, r.record.is_some()))
                    .collect();
                assert_eq!(each, expected, "{threads} threads, {max_issues} issues");
                assert_eq!(r.file_issues(), &file_issues[..]);
                assert_eq!(r.suppressed_issues(), suppressed);
            }
        }
    }

    #[test]
    fn registry_ids_repeated_across_parts_are_caught_as_by_one_thread() {
        let mut text =
            b"id_art,nik,no_kk,nama,jenis_kelamin,tgl_lahir,kode_wilayah,hubungan_keluarga\n"
                .to_vec();
        for i in 0..500u32 {
            let id = if i % 97 == 96 { i - 90 } else { i };
            text.extend(
                format!("A{id},,,\"NAMA, {i}\",P,1990-01-05,32.76.01.1006,ANAK\n").into_bytes(),
            );
        }
        let (_d, path) = temp("registry.csv");
        std::fs::write(&path, &text).unwrap();
        let read = |threads: usize| {
            let mut r = RegistryReader::open(&path, &ReadOptions::new(today())).unwrap();
            r.0.split(threads, 0).unwrap();
            r.collect::<Vec<_>>()
        };
        let one = read(1);
        assert_eq!(
            one.iter()
                .filter(|r| r.issues.iter().any(|i| i.code == "ID_GANDA"))
                .count(),
            5
        );
        for threads in [2, 4, 7] {
            assert_eq!(read(threads), one, "{threads} threads");
        }
    }

    /// A caller that checks the unique key itself, from the keyed rows and
    /// [`CivilReader::repeat_issue`], rejects the rows and lists the errors
    /// the ordinary reader does, in the same order.
    #[test]
    fn keyed_rows_with_the_caller_s_repeat_check_give_the_reader_s_errors() {
        let mut text = header(b',');
        text.extend(awkward_civil(b','));
        let (_d, path) = temp("keyed.csv");
        std::fs::write(&path, &text).unwrap();
        let opts = ReadOptions::new(today());
        let errors = |row: &Row<CivilPerson>| -> Vec<Issue> {
            row.issues
                .iter()
                .filter(|i| i.is_error())
                .cloned()
                .collect()
        };
        let want: Vec<(u64, bool, Vec<Issue>)> = CivilReader::open(&path, &opts)
            .unwrap()
            .map(|r| (r.row, r.record.is_some(), errors(&r)))
            .collect();
        let reader = CivilReader::open(&path, &opts).unwrap();
        let probe = CivilReader::open(&path, &opts).unwrap();
        let mut first: HashMap<String, u64> = HashMap::new();
        let got: Vec<(u64, bool, Vec<Issue>)> = reader
            .keyed()
            .map(|k| {
                let mut errs = errors(&k.row);
                let mut kept = k.row.record.is_some();
                if let Some((value, at)) = k.key {
                    match first.get(&value) {
                        Some(&f) => {
                            errs.insert(at, probe.repeat_issue(k.row.row, &value, f));
                            kept = false;
                        }
                        None => {
                            first.insert(value, k.row.row);
                        }
                    }
                }
                (k.row.row, kept, errs)
            })
            .collect();
        assert!(
            want.iter()
                .any(|(_, _, e)| e.iter().any(|i| i.code == "NIK_GANDA")),
            "the data repeats NIKs"
        );
        assert_eq!(got, want);
    }
}
