//! Streaming readers for registry (DTKS) and civil-registry (Dukcapil) files.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::path::Path;

use chrono::NaiveDate;
use padu_core::{CivilPerson, LifeStatus, RegistryPerson};

use crate::error::ReadError;
use crate::fields::{ColumnMap, RowCtx};
use crate::issue::{Budget, Issue};
use crate::source::{self, RawRow, Source};

/// The spec's column lists, kept in padu-core so every crate writes the same contract.
pub use padu_core::{CIVIL_COLUMNS, REGISTRY_COLUMNS};

/// How to read a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOptions {
    /// The date that fixes the century of NIK birth dates and rejects birth dates in the future.
    pub today: NaiveDate,
    /// The worksheet to read from a workbook; the first one when `None`.
    pub sheet: Option<String>,
    /// How many issues to report before summarising the rest in one final issue.
    pub max_issues: usize,
}

impl ReadOptions {
    /// Options for `today`, the first sheet and the default limit of 1000 issues.
    pub fn new(today: NaiveDate) -> ReadOptions {
        ReadOptions {
            today,
            sheet: None,
            max_issues: 1000,
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
    /// The row number as Excel shows it (header = 1, first data row = 2).
    pub row: u64,
    /// The record; `None` when the row has an error (even one left out of `issues` by the limit).
    pub record: Option<T>,
    /// Errors and warnings for this row, within the reader's issue limit.
    pub issues: Vec<Issue>,
}

const REGISTRY_REQUIRED: [&str; 7] = [
    "id_art",
    "no_kk",
    "nik",
    "nama",
    "jenis_kelamin",
    "tgl_lahir",
    "kode_wilayah",
];

const CIVIL_REQUIRED: [&str; 5] = ["nik", "nama", "jenis_kelamin", "tgl_lahir", "kode_wilayah"];

/// What both readers share: the source, the column map and the issue budget.
struct Table {
    source: Source,
    columns: ColumnMap,
    label: String,
    budget: Budget,
    file_issues: Vec<Issue>,
    finished: bool,
}

impl Table {
    fn open(
        path: &Path,
        opts: &ReadOptions,
        spec: &'static [&'static str],
        required: &[&str],
    ) -> Result<Table, ReadError> {
        let label = path.display().to_string();
        let opened = source::open(path, opts.sheet.as_deref(), &label)?;
        let columns = ColumnMap::new(&label, opened.header_row, &opened.header, spec, required)?;
        let mut file_issues = opened.file_issues;
        file_issues.extend(columns.check_unreadable(
            &label,
            opened.header_row,
            &opened.unreadable,
        )?);
        let mut budget = Budget::new(opts.max_issues);
        let file_issues = budget.admit(file_issues);
        Ok(Table {
            source: opened.source,
            columns,
            label,
            budget,
            file_issues,
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

    fn finish_row<T>(&mut self, row: u64, record: Option<T>, issues: Vec<Issue>) -> Row<T> {
        Row {
            row,
            record,
            issues: self.budget.admit(issues),
        }
    }
}

/// A message for a key seen before in the same file.
fn duplicate_issue(
    ctx: &mut RowCtx<'_>,
    k: usize,
    code: &'static str,
    what: &str,
    value: &str,
    first: u64,
) {
    ctx.error(
        k,
        code,
        format!("{what} \"{value}\" sudah dipakai di baris {first}"),
        format!("{what} \"{value}\" is already used in row {first}"),
    );
}

/// Reads a registry (DTKS) file row by row.
///
/// Only the set of `id_art` values seen so far grows with the file; rows are
/// parsed and handed out one at a time.
pub struct RegistryReader {
    table: Table,
    today: NaiveDate,
    seen: HashMap<String, u64>,
}

mod reg {
    pub(super) const ID_ART: usize = 0;
    pub(super) const ID_KELUARGA: usize = 1;
    pub(super) const NO_KK: usize = 2;
    pub(super) const NIK: usize = 3;
    pub(super) const NAMA: usize = 4;
    pub(super) const JENIS_KELAMIN: usize = 5;
    pub(super) const TEMPAT_LAHIR: usize = 6;
    pub(super) const TGL_LAHIR: usize = 7;
    pub(super) const HUBUNGAN: usize = 8;
    pub(super) const NAMA_IBU: usize = 9;
    pub(super) const ALAMAT: usize = 10;
    pub(super) const RT: usize = 11;
    pub(super) const RW: usize = 12;
    pub(super) const KODE_WILAYAH: usize = 13;
}

impl RegistryReader {
    /// Opens a registry file (`.csv`, `.tsv`, `.txt`, `.xlsx`, `.xlsm`, `.xls`, `.ods`, `.parquet`) and checks its header.
    pub fn open(path: &Path, opts: &ReadOptions) -> Result<RegistryReader, ReadError> {
        Ok(RegistryReader {
            table: Table::open(path, opts, &REGISTRY_COLUMNS, &REGISTRY_REQUIRED)?,
            today: opts.today,
            seen: HashMap::new(),
        })
    }

    /// Problems about the whole file (encoding, and at the end how many issues were left out).
    ///
    /// Complete once the iterator is exhausted.
    pub fn file_issues(&self) -> &[Issue] {
        &self.table.file_issues
    }

    /// The unknown columns, in file order, as their headers were written.
    pub fn extra_columns(&self) -> Vec<String> {
        self.table
            .columns
            .extras
            .iter()
            .map(|(n, _)| n.clone())
            .collect()
    }

    /// How many issues were left out because of [`ReadOptions::max_issues`].
    pub fn suppressed_issues(&self) -> u64 {
        self.table.budget.suppressed()
    }

    fn parse(&mut self, raw: &RawRow) -> (Option<RegistryPerson>, Vec<Issue>) {
        use reg::*;
        let mut ctx = RowCtx::new(&self.table.label, raw.row, &self.table.columns, &raw.cells);
        let id_art = ctx.required_text(ID_ART);
        if let Some(id) = &id_art {
            match self.seen.entry(id.clone()) {
                Entry::Occupied(first) => {
                    duplicate_issue(&mut ctx, ID_ART, "ID_GANDA", "id_art", id, *first.get())
                }
                Entry::Vacant(v) => {
                    v.insert(raw.row);
                }
            }
        }
        let no_kk = ctx.kk(NO_KK);
        let nik = ctx.nik(NIK, self.today);
        let nama = ctx.required_text(NAMA);
        let sex = ctx.sex(JENIS_KELAMIN);
        let tgl_lahir = ctx.date(TGL_LAHIR, true, Some(self.today));
        let hubungan = ctx.relation(HUBUNGAN);
        let kode = ctx.village(KODE_WILAYAH);
        let record = match (id_art, nama, sex, tgl_lahir, kode) {
            (
                Some(id_art),
                Some(nama),
                Some(jenis_kelamin),
                Some(tgl_lahir),
                Some(kode_wilayah),
            ) if !ctx.failed => Some(RegistryPerson {
                id_art,
                id_keluarga: ctx.text(ID_KELUARGA),
                no_kk,
                nik,
                nama,
                jenis_kelamin,
                tempat_lahir: ctx.text(TEMPAT_LAHIR),
                tgl_lahir,
                hubungan_keluarga: hubungan,
                nama_ibu_kandung: ctx.text(NAMA_IBU),
                alamat: ctx.text(ALAMAT),
                rt: ctx.text(RT),
                rw: ctx.text(RW),
                kode_wilayah,
                extra: ctx.extras(),
            }),
            _ => None,
        };
        (record, ctx.issues)
    }
}

/// Parses a raw row unless reading it already failed: cells of a broken row
/// or one with a structural error cannot be trusted, so only its issues count.
fn parse_unless_broken<T>(
    raw: &RawRow,
    parse: impl FnOnce(&RawRow) -> (Option<T>, Vec<Issue>),
) -> (Option<T>, Vec<Issue>) {
    let mut issues = raw.issues.clone();
    if raw.broken || issues.iter().any(Issue::is_error) {
        return (None, issues);
    }
    let (record, more) = parse(raw);
    issues.extend(more);
    (record, issues)
}

impl Iterator for RegistryReader {
    type Item = Row<RegistryPerson>;

    fn next(&mut self) -> Option<Row<RegistryPerson>> {
        let raw = self.table.next_raw()?;
        let (record, issues) = parse_unless_broken(&raw, |r| self.parse(r));
        Some(self.table.finish_row(raw.row, record, issues))
    }
}

mod civ {
    pub(super) const NIK: usize = 0;
    pub(super) const NO_KK: usize = 1;
    pub(super) const NAMA: usize = 2;
    pub(super) const JENIS_KELAMIN: usize = 3;
    pub(super) const TGL_LAHIR: usize = 4;
    pub(super) const TEMPAT_LAHIR: usize = 5;
    pub(super) const NAMA_IBU: usize = 6;
    pub(super) const ALAMAT: usize = 7;
    pub(super) const RT: usize = 8;
    pub(super) const RW: usize = 9;
    pub(super) const KODE_WILAYAH: usize = 10;
    pub(super) const STATUS_HIDUP: usize = 11;
    pub(super) const TGL_MENINGGAL: usize = 12;
}

/// Reads a civil-registry (Dukcapil) extract row by row.
///
/// Every row needs a valid NIK that is unique in the file; only the set of
/// NIKs seen so far grows with the file.
pub struct CivilReader {
    table: Table,
    today: NaiveDate,
    seen: HashMap<u64, u64>,
}

impl CivilReader {
    /// Opens a civil-registry extract and checks its header.
    pub fn open(path: &Path, opts: &ReadOptions) -> Result<CivilReader, ReadError> {
        Ok(CivilReader {
            table: Table::open(path, opts, &CIVIL_COLUMNS, &CIVIL_REQUIRED)?,
            today: opts.today,
            seen: HashMap::new(),
        })
    }

    /// Problems about the whole file; complete once the iterator is exhausted.
    pub fn file_issues(&self) -> &[Issue] {
        &self.table.file_issues
    }

    /// How many issues were left out because of [`ReadOptions::max_issues`].
    pub fn suppressed_issues(&self) -> u64 {
        self.table.budget.suppressed()
    }

    fn parse(&mut self, raw: &RawRow) -> (Option<CivilPerson>, Vec<Issue>) {
        use civ::*;
        let mut ctx = RowCtx::new(&self.table.label, raw.row, &self.table.columns, &raw.cells);
        let nik = ctx.required_nik(NIK, self.today);
        if let Some(n) = nik {
            match self.seen.entry(n.as_u64()) {
                Entry::Occupied(first) => duplicate_issue(
                    &mut ctx,
                    NIK,
                    "NIK_GANDA",
                    "NIK",
                    &n.to_string(),
                    *first.get(),
                ),
                Entry::Vacant(v) => {
                    v.insert(raw.row);
                }
            }
        }
        let no_kk = ctx.kk(NO_KK);
        let nama = ctx.required_text(NAMA);
        let sex = ctx.sex(JENIS_KELAMIN);
        let tgl_lahir = ctx.date(TGL_LAHIR, true, Some(self.today));
        let kode = ctx.village(KODE_WILAYAH);
        let status = ctx.life_status(STATUS_HIDUP);
        let tgl_meninggal = ctx.date(TGL_MENINGGAL, false, Some(self.today));
        if let (Some(death), Some(birth)) = (tgl_meninggal, tgl_lahir)
            && death < birth
        {
            ctx.error(
                TGL_MENINGGAL,
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
                TGL_MENINGGAL,
                "TANGGAL_MENINGGAL_TANPA_STATUS",
                "tgl_meninggal diisi tetapi status_hidup bukan MENINGGAL".into(),
                "tgl_meninggal is filled in but status_hidup is not MENINGGAL".into(),
            );
        }
        let record = match (nik, nama, sex, tgl_lahir, kode, status) {
            (
                Some(nik),
                Some(nama),
                Some(jenis_kelamin),
                Some(tgl_lahir),
                Some(kode_wilayah),
                Some(status_hidup),
            ) if !ctx.failed => Some(CivilPerson {
                nik,
                no_kk,
                nama,
                jenis_kelamin,
                tempat_lahir: ctx.text(TEMPAT_LAHIR),
                tgl_lahir,
                nama_ibu_kandung: ctx.text(NAMA_IBU),
                alamat: ctx.text(ALAMAT),
                rt: ctx.text(RT),
                rw: ctx.text(RW),
                kode_wilayah,
                status_hidup,
                tgl_meninggal,
            }),
            _ => None,
        };
        (record, ctx.issues)
    }
}

impl Iterator for CivilReader {
    type Item = Row<CivilPerson>;

    fn next(&mut self) -> Option<Row<CivilPerson>> {
        let raw = self.table.next_raw()?;
        let (record, issues) = parse_unless_broken(&raw, |r| self.parse(r));
        Some(self.table.finish_row(raw.row, record, issues))
    }
}
