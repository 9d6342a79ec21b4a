//! Streaming readers for registry (DTKS) and civil-registry (Dukcapil) files.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt::Display;
use std::hash::Hash;
use std::path::Path;

use chrono::NaiveDate;
use padu_core::{CivilPerson, LifeStatus, RegistryPerson};

use crate::error::ReadError;
use crate::fields::{ColumnMap, RowCtx};
use crate::format::{self, Source};
use crate::issue::{Budget, Issue};
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

/// What both readers share: the source, the column map, the issue budget
/// and the row where each value of the file's unique key `K` was first seen.
struct Table<S, K> {
    source: Source,
    columns: ColumnMap<S>,
    header: HeaderInfo,
    label: String,
    today: NaiveDate,
    budget: Budget,
    file_issues: Vec<Issue>,
    seen: HashMap<K, u64>,
    finished: bool,
}

impl<S: Schema, K: Eq + Hash> Table<S, K> {
    fn open(path: &Path, opts: &ReadOptions) -> Result<Table<S, K>, ReadError> {
        let label = path.display().to_string();
        let sheet = opts.sheet.as_deref().or(opts.mapping.sheet.as_deref());
        let opened = format::open(path, sheet, &label)?;
        Self::from_opened(label, opened, opts)
    }

    /// Opens the row groups `groups` of a Parquet file.
    fn open_parquet_groups(
        path: &Path,
        opts: &ReadOptions,
        groups: std::ops::Range<usize>,
    ) -> Result<Table<S, K>, ReadError> {
        let label = path.display().to_string();
        let opened = format::open_parquet_groups(path, &label, groups)?;
        Self::from_opened(label, opened, opts)
    }

    fn from_opened(
        label: String,
        opened: Opened<Source>,
        opts: &ReadOptions,
    ) -> Result<Table<S, K>, ReadError> {
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
            source,
            columns,
            header: info,
            label,
            today: opts.today,
            budget,
            file_issues,
            seen: HashMap::new(),
            finished: false,
        })
    }

    /// The next raw row, or `None` at the end (after noting how many issues were left out).
    fn next_raw(&mut self) -> Option<RawRow> {
        if self.finished {
            return None;
        }
        match self.source.next_row() {
            Some(mut raw) => {
                let unnamed = self.columns.check_unnamed(&self.label, raw.row, &raw.cells);
                raw.issues.extend(unnamed);
                Some(raw)
            }
            None => {
                self.finished = true;
                if let Some(summary) = self.budget.summary(&self.label) {
                    self.file_issues.push(summary);
                }
                None
            }
        }
    }

    /// The next row, its record built by `parse` unless reading the row already failed.
    ///
    /// Cells of a broken row or one with a structural error cannot be
    /// trusted, so only its issues count. `parse` records what it finds in
    /// the context and returns the record only when it found no error.
    fn next_row<T>(
        &mut self,
        parse: impl FnOnce(&mut RowCtx<'_, S>, &mut HashMap<K, u64>, NaiveDate) -> Option<T>,
    ) -> Option<Row<T>> {
        let mut raw = self.next_raw()?;
        let mut issues = std::mem::take(&mut raw.issues);
        let mut record = None;
        if !raw.broken && !issues.iter().any(Issue::is_error) {
            let mut ctx = RowCtx::new(&self.label, raw.row, &self.columns, &raw.cells);
            record = parse(&mut ctx, &mut self.seen, self.today).filter(|_| !ctx.failed);
            issues.extend(ctx.issues);
        }
        Some(Row {
            row: raw.row,
            record,
            issues: self.budget.admit(issues),
        })
    }
}

/// Notes that the row of `ctx` has `key` in column `k`; when an earlier row
/// had it, records error `code` naming that row, with `value` as `what`.
fn check_unique<S: Schema, K: Eq + Hash>(
    ctx: &mut RowCtx<'_, S>,
    seen: &mut HashMap<K, u64>,
    key: K,
    k: S,
    code: &'static str,
    what: &str,
    value: &dyn Display,
) {
    match seen.entry(key) {
        Entry::Occupied(first) => {
            let first = *first.get();
            ctx.error(
                k,
                code,
                format!("{what} \"{value}\" sudah dipakai di baris {first}"),
                format!("{what} \"{value}\" is already used in row {first}"),
            );
        }
        Entry::Vacant(v) => {
            v.insert(ctx.row);
        }
    }
}

/// Reads a registry (DTKS) file row by row.
///
/// Only the set of `id_art` values seen so far grows with the file; rows are
/// parsed and handed out one at a time.
pub struct RegistryReader(Table<Registry, String>);

impl RegistryReader {
    /// Opens a registry file (`.csv`, `.tsv`, `.txt`, `.xlsx`, `.xlsm`, `.xls`, `.ods`, `.parquet`) and checks its header.
    pub fn open(path: &Path, opts: &ReadOptions) -> Result<RegistryReader, ReadError> {
        Table::open(path, opts).map(RegistryReader)
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
        Table::open_parquet_groups(path, opts, groups).map(RegistryReader)
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
    seen: &mut HashMap<String, u64>,
    today: NaiveDate,
) -> Option<RegistryPerson> {
    use Registry as C;
    let id_art = ctx.required_text(C::IdArt);
    if let Some(id) = &id_art {
        check_unique(ctx, seen, id.clone(), C::IdArt, "ID_GANDA", "id_art", id);
    }
    let no_kk = ctx.kk(C::NoKk);
    let nik = ctx.nik(C::Nik, today);
    let nama = ctx.name(C::Nama, true);
    let sex = ctx.sex(C::JenisKelamin);
    let tgl_lahir = ctx.date(C::TglLahir, true, Some(today));
    let hubungan = ctx.relation(C::HubunganKeluarga);
    let ibu = ctx.name(C::NamaIbuKandung, false);
    let kode = ctx.village(C::KodeWilayah);
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
}

impl Iterator for RegistryReader {
    type Item = Row<RegistryPerson>;

    fn next(&mut self) -> Option<Row<RegistryPerson>> {
        self.0.next_row(parse_registry)
    }
}

/// Reads a civil-registry (Dukcapil) extract row by row.
///
/// Every row needs a valid NIK that is unique in the file; only the set of
/// NIKs seen so far grows with the file.
pub struct CivilReader(Table<Civil, u64>);

impl CivilReader {
    /// Opens a civil-registry extract and checks its header.
    pub fn open(path: &Path, opts: &ReadOptions) -> Result<CivilReader, ReadError> {
        Table::open(path, opts).map(CivilReader)
    }

    /// Reads only the row groups `groups` of a Parquet civil extract, like
    /// [`RegistryReader::open_parquet_row_groups`] (the NIK is checked for
    /// uniqueness within the part only).
    pub fn open_parquet_row_groups(
        path: &Path,
        opts: &ReadOptions,
        groups: std::ops::Range<usize>,
    ) -> Result<CivilReader, ReadError> {
        Table::open_parquet_groups(path, opts, groups).map(CivilReader)
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
fn parse_civil(
    ctx: &mut RowCtx<'_, Civil>,
    seen: &mut HashMap<u64, u64>,
    today: NaiveDate,
) -> Option<CivilPerson> {
    use Civil as C;
    let nik = ctx.required_nik(C::Nik, today);
    if let Some(n) = nik {
        check_unique(ctx, seen, n.as_u64(), C::Nik, "NIK_GANDA", "NIK", &n);
    }
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
}

impl Iterator for CivilReader {
    type Item = Row<CivilPerson>;

    fn next(&mut self) -> Option<Row<CivilPerson>> {
        self.0.next_row(parse_civil)
    }
}

/// The number of records in each row group of a Parquet file, in file
/// order: the parts a distributed job may read one at a time with
/// [`CivilReader::open_parquet_row_groups`] or
/// [`RegistryReader::open_parquet_row_groups`].
pub fn parquet_row_groups(path: &Path) -> Result<Vec<u64>, ReadError> {
    format::parquet_row_groups(path, &path.display().to_string())
}
