//! Header matching and the parsing of one row's cells into typed fields.
//!
//! Every check here records its own [`Issue`]; a field that fails with an
//! error marks the row as failed but parsing goes on, so one pass reports
//! every problem of the row.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::marker::PhantomData;

use chrono::NaiveDate;
use padu_core::lang::Localized;
use padu_core::{
    IdField, Lang, LifeStatus, NameProblem, NameWarning, Nik, NikError, NoKk, RegionCode,
    RegionInfo, RegionLevel, Relation, Sex, Text, fold_name, parse_date, regions,
};

use crate::aliases::{self, Meaning, RegionPart, fold};
use crate::error::ReadError;
use crate::issue::{Issue, Severity};
use crate::mapping::{EXTRA, Mapping};
use crate::schema::Schema;
use crate::table::{Cell, excel_number_text, excel_serial_date};

/// Where each column of schema `S` sits in the file, and which other columns it has.
#[derive(Debug, Clone)]
pub(crate) struct ColumnMap<S> {
    schema: PhantomData<S>,
    /// The file position of each schema column, in schema order.
    index: Vec<Option<usize>>,
    /// How each schema column is named in messages: its header as written, or the spec name.
    labels: Vec<String>,
    /// A mapping's fixed value for each schema column the file does not have.
    fixed: Vec<Option<Cell>>,
    /// The file position of each [`RegionPart`] column, by [`RegionPart::index`].
    parts: [Option<usize>; 7],
    /// Headers of the part columns, as written.
    part_labels: [String; 7],
    /// Unknown columns in file order: their header as written and their position.
    pub(crate) extras: Vec<(String, usize)>,
    /// Columns with an empty header; values there are ignored with a warning.
    unnamed: Vec<usize>,
    unnamed_warned: Vec<bool>,
    /// A mapping's date format as written and in chrono's syntax, for dates written as text.
    date_pattern: Option<(String, String)>,
    /// Villages already looked up by name or joined from parts, with the answer.
    villages: RefCell<HashMap<String, Result<RegionCode, VillageProblem>>>,
    /// Each header cell's meaning, in file order, for the inferred mapping.
    found: Vec<(String, String)>,
    /// Required columns not found, one issue each (empty for a usable header).
    pub(crate) missing: Vec<Issue>,
}

/// The error for a mapping that names a field this file type does not have.
fn unknown_field(f: &str, names: &[&str]) -> ReadError {
    let mut known: Vec<&str> = names.to_vec();
    if names.contains(&"kode_wilayah") {
        known.extend(RegionPart::ALL.map(RegionPart::name));
    }
    let known = known.join(", ");
    ReadError::BadMapping {
        detail: format!(
            "kolom Padu \"{f}\" tidak dikenal untuk berkas ini; pilihan: {known}, atau \"-\" untuk data tambahan"
        ),
        detail_en: format!(
            "Padu field \"{f}\" is not known for this file; choose from {known}, or \"-\" for extra data"
        ),
    }
}

/// Why a row's village could not be found from its region columns, in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VillageProblem {
    id: String,
    en: String,
}

/// What a header cell was taken to mean, and how sure that is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Target {
    Column(usize),
    Part(RegionPart),
    Extra,
}

/// Why a header cell means what it means; a higher rank wins a clash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    Alias,
    Exact,
    Mapped,
}

impl<S: Schema> ColumnMap<S> {
    /// Matches a header against the schema's columns; missing required columns are reported all at once.
    pub(crate) fn new(
        label: &str,
        header_row: u64,
        header: &[Cell],
        mapping: &Mapping,
    ) -> Result<ColumnMap<S>, ReadError> {
        let map = Self::build(label, header_row, header, mapping)?;
        if map.missing.is_empty() {
            Ok(map)
        } else {
            Err(ReadError::MissingColumns(map.missing))
        }
    }

    /// Matches a header like [`ColumnMap::new`], keeping missing required columns in `missing`.
    ///
    /// A header name means, in order of precedence: what `mapping` says, the
    /// spec column whose folded name it is, or what the alias tables say
    /// ([`crate::aliases`]). Two headers meaning the same column with the same
    /// precedence are an error; a lower-precedence one is kept as extra data.
    pub(crate) fn build(
        label: &str,
        header_row: u64,
        header: &[Cell],
        mapping: &Mapping,
    ) -> Result<ColumnMap<S>, ReadError> {
        let spec = S::COLUMNS;
        let names: Vec<&'static str> = spec.iter().map(|c| c.name).collect();
        let field = |f: &str| -> Result<Target, ReadError> {
            if f == EXTRA {
                return Ok(Target::Extra);
            }
            if let Some(k) = names.iter().position(|n| *n == f) {
                return Ok(Target::Column(k));
            }
            match RegionPart::from_name(f) {
                Some(p) if names.contains(&"kode_wilayah") => Ok(Target::Part(p)),
                _ => Err(unknown_field(f, &names)),
            }
        };
        let mut mapped = HashMap::new();
        for (h, f) in &mapping.columns {
            mapped.insert(fold(h), field(f)?);
        }
        let mut fixed = vec![None; spec.len()];
        for (f, v) in &mapping.fixed {
            match field(f)? {
                Target::Column(k) => fixed[k] = Some(Cell::Text(v.trim().to_string())),
                _ => return Err(unknown_field(f, &names)),
            }
        }
        let date_pattern = mapping
            .date_pattern()
            .map_err(|e| ReadError::BadMapping {
                detail: e.message(Lang::Id),
                detail_en: e.message(Lang::En),
            })?
            .map(|p| (mapping.date_format.clone().unwrap_or_default(), p));

        // Each header cell's meaning and rank.
        let mut meanings = Vec::with_capacity(header.len());
        let mut unnamed = Vec::new();
        for (pos, cell) in header.iter().enumerate() {
            let shown = cell
                .shown()
                .trim()
                .trim_start_matches('\u{feff}')
                .trim()
                .to_string();
            let folded = fold(&shown);
            if folded.is_empty() {
                unnamed.push(pos);
                continue;
            }
            let meaning = if let Some(t) = mapped.get(&folded) {
                (*t, Rank::Mapped)
            } else if let Some(k) = names.iter().position(|n| fold(n) == folded) {
                (Target::Column(k), Rank::Exact)
            } else {
                match aliases::lookup(&folded, &names) {
                    Some(Meaning::Column(c)) => (
                        Target::Column(names.iter().position(|n| *n == c).unwrap_or(0)),
                        Rank::Alias,
                    ),
                    Some(Meaning::Part(p)) => (Target::Part(p), Rank::Alias),
                    None => (Target::Extra, Rank::Alias),
                }
            };
            meanings.push((pos, shown, meaning));
        }

        // The best-ranked header wins each column; equal ranks clash.
        let mut index = vec![None; spec.len()];
        let mut labels: Vec<String> = names.iter().map(|n| (*n).to_string()).collect();
        let mut parts = [None; 7];
        let mut part_labels: [String; 7] = RegionPart::ALL.map(|p| p.name().to_string());
        let mut winner: HashMap<Target, (Rank, usize)> = HashMap::new();
        let mut duplicates = Vec::new();
        for (i, (_, _, (target, rank))) in meanings.iter().enumerate() {
            if *target == Target::Extra {
                continue;
            }
            match winner.get(target) {
                Some((r, j)) if r == rank => {
                    let what = match target {
                        Target::Column(k) => spec[*k].name,
                        Target::Part(p) => p.name(),
                        Target::Extra => EXTRA,
                    };
                    let (a, b) = (&meanings[*j].1, &meanings[i].1);
                    duplicates.push(Issue::new(
                        label,
                        header_row,
                        Some(b),
                        Severity::Error,
                        "KOLOM_GANDA",
                        if fold(a) == fold(b) {
                            format!("kolom \"{what}\" muncul lebih dari sekali di baris judul")
                        } else {
                            format!(
                                "kolom \"{a}\" dan \"{b}\" sama-sama berarti \"{what}\"; tentukan yang dipakai dengan --map"
                            )
                        },
                        if fold(a) == fold(b) {
                            format!("column \"{what}\" appears more than once in the header")
                        } else {
                            format!(
                                "columns \"{a}\" and \"{b}\" both mean \"{what}\"; choose one with --map"
                            )
                        },
                    ));
                }
                Some((r, _)) if r > rank => {}
                _ => {
                    winner.insert(*target, (*rank, i));
                }
            }
        }
        if !duplicates.is_empty() {
            return Err(ReadError::DuplicateColumns(duplicates));
        }
        let mut extras = Vec::new();
        let mut found = Vec::with_capacity(meanings.len());
        for (i, (pos, shown, (target, _))) in meanings.iter().enumerate() {
            let won = winner.get(target).is_some_and(|(_, j)| *j == i);
            let meaning = match target {
                Target::Column(k) if won => {
                    index[*k] = Some(*pos);
                    labels[*k].clone_from(shown);
                    spec[*k].name
                }
                Target::Part(p) if won => {
                    // Kept as extra data too: a region part is not a spec
                    // column, and an export must give the office its column back.
                    parts[p.index()] = Some(*pos);
                    part_labels[p.index()].clone_from(shown);
                    extras.push((shown.clone(), *pos));
                    p.name()
                }
                _ => {
                    extras.push((shown.clone(), *pos));
                    EXTRA
                }
            };
            found.push((shown.clone(), meaning.to_string()));
        }

        let region_from_parts = parts[RegionPart::VillageName.index()].is_some();
        let missing: Vec<Issue> = spec
            .iter()
            .enumerate()
            .filter(|(k, c)| {
                c.required
                    && index[*k].is_none()
                    && fixed[*k].is_none()
                    && !(c.name == "kode_wilayah" && region_from_parts)
            })
            .map(|(_, c)| {
                let r = c.name;
                Issue::new(
                    label,
                    header_row,
                    Some(r),
                    Severity::Error,
                    "KOLOM_WAJIB_TIDAK_ADA",
                    format!("kolom wajib \"{r}\" tidak ada di baris judul"),
                    format!("required column \"{r}\" is missing from the header"),
                )
            })
            .collect();
        let unnamed_warned = vec![false; unnamed.len()];
        Ok(ColumnMap {
            schema: PhantomData,
            index,
            labels,
            fixed,
            parts,
            part_labels,
            extras,
            unnamed,
            unnamed_warned,
            date_pattern,
            villages: RefCell::new(HashMap::new()),
            found,
            missing,
        })
    }

    /// Each header cell as written with the Padu field it was read as ([`EXTRA`] for extra data).
    pub(crate) fn found(&self) -> &[(String, String)] {
        &self.found
    }

    /// Refuses columns the file holds in a type Padu cannot read when they are spec columns.
    ///
    /// Reading such a column as blank would silently drop NIKs or names, so a
    /// spec column is an error ([`ReadError::UnreadableColumns`], all at once);
    /// an unknown column only loses its values, with a warning per column.
    pub(crate) fn check_unreadable(
        &self,
        label: &str,
        header_row: u64,
        unreadable: &[(usize, String)],
    ) -> Result<Vec<Issue>, ReadError> {
        let mut errors = Vec::new();
        let mut warnings = Vec::new();
        for (pos, ty) in unreadable {
            if let Some(k) = self.index.iter().position(|i| *i == Some(*pos)) {
                let c = S::COLUMNS[k].name;
                errors.push(Issue::new(
                    label,
                    header_row,
                    Some(c),
                    Severity::Error,
                    "TIPE_KOLOM_TIDAK_DIDUKUNG",
                    format!(
                        "kolom \"{c}\" bertipe {ty} yang tidak dapat dibaca; simpan sebagai teks (string), bilangan bulat atau tanggal"
                    ),
                    format!(
                        "column \"{c}\" has the type {ty}, which cannot be read; store it as text (string), integer or date"
                    ),
                ));
            } else if let Some((name, _)) = self.extras.iter().find(|(_, p)| p == pos) {
                warnings.push(Issue::new(
                    label,
                    header_row,
                    Some(name),
                    Severity::Warning,
                    "TIPE_KOLOM_TIDAK_DIDUKUNG",
                    format!("kolom \"{name}\" bertipe {ty} yang tidak dapat dibaca; isinya diabaikan"),
                    format!("column \"{name}\" has the type {ty}, which cannot be read; its values are ignored"),
                ));
            }
        }
        if errors.is_empty() {
            Ok(warnings)
        } else {
            Err(ReadError::UnreadableColumns(errors))
        }
    }

    /// Whether the file has the column `k`.
    pub(crate) fn has(&self, k: S) -> bool {
        self.index[k.index()].is_some()
    }

    /// How column `k` is named in messages: its header as written, or the spec name.
    pub(crate) fn label(&self, k: S) -> &str {
        &self.labels[k.index()]
    }

    /// Whether some column has no header (its values are warned about once per file).
    pub(crate) fn has_unnamed(&self) -> bool {
        !self.unnamed.is_empty()
    }

    /// Warns once per nameless column that holds a value, since that value is dropped.
    pub(crate) fn check_unnamed(&mut self, label: &str, row: u64, cells: &[Cell]) -> Vec<Issue> {
        let mut out = Vec::new();
        for (i, pos) in self.unnamed.iter().enumerate() {
            if !self.unnamed_warned[i] && cells.get(*pos).is_some_and(|c| !c.is_blank()) {
                self.unnamed_warned[i] = true;
                out.push(Issue::new(
                    label,
                    row,
                    None,
                    Severity::Warning,
                    "KOLOM_TANPA_NAMA",
                    format!(
                        "kolom ke-{} tidak memiliki judul; isinya diabaikan (di baris ini dan baris lain)",
                        pos + 1
                    ),
                    format!(
                        "column {} has no header; its values are ignored (in this row and others)",
                        pos + 1
                    ),
                ));
            }
        }
        out
    }
}

/// Why an identity number in a number cell is not trusted; `None` when the cell is not a number.
///
/// A spreadsheet number may already have lost the digits beyond Excel's 15,
/// and a floating-point column cannot be relied on to hold 16, so neither is
/// parsed, even when its digits would make a valid number.
fn number_cell_error(cell: &Cell) -> Option<NikError> {
    match cell {
        Cell::Number(_) | Cell::Int(_) => Some(NikError::ExcelNumber(cell.shown().into_owned())),
        Cell::Float(_) => Some(NikError::ParquetFloat(cell.shown().into_owned())),
        _ => None,
    }
}

/// One row being parsed: its cells, where they are, and what went wrong so far.
pub(crate) struct RowCtx<'a, S> {
    label: &'a str,
    /// Row number as Excel shows it.
    pub(crate) row: u64,
    map: &'a ColumnMap<S>,
    cells: &'a [Cell],
    /// Everything found so far, errors and warnings.
    pub(crate) issues: Vec<Issue>,
    /// Whether any error was found.
    pub(crate) failed: bool,
}

impl<'a, S: Schema> RowCtx<'a, S> {
    /// Starts parsing the `cells` of row `row` of the file `label`.
    pub(crate) fn new(label: &'a str, row: u64, map: &'a ColumnMap<S>, cells: &'a [Cell]) -> Self {
        RowCtx {
            label,
            row,
            map,
            cells,
            issues: Vec::new(),
            failed: false,
        }
    }

    /// The cell of column `k` (empty if the column or the cell is absent).
    pub(crate) fn cell(&self, k: S) -> &'a Cell {
        const EMPTY: &Cell = &Cell::Empty;
        match self.map.index[k.index()] {
            Some(pos) => self.cells.get(pos).unwrap_or(EMPTY),
            None => self.map.fixed[k.index()].as_ref().unwrap_or(EMPTY),
        }
    }

    /// The unknown columns' values in file order, as they were written.
    pub(crate) fn extras(&self) -> Vec<(String, String)> {
        self.map
            .extras
            .iter()
            .map(|(name, pos)| {
                let v = self.cells.get(*pos).map(Cell::shown).unwrap_or_default();
                (name.clone(), v.into_owned())
            })
            .collect()
    }

    fn push(&mut self, k: S, severity: Severity, code: &'static str, id: String, en: String) {
        if severity == Severity::Error {
            self.failed = true;
        }
        let column = &self.map.labels[k.index()];
        self.issues.push(Issue::new(
            self.label,
            self.row,
            Some(column),
            severity,
            code,
            id,
            en,
        ));
    }

    /// Records an error in column `k`.
    pub(crate) fn error(&mut self, k: S, code: &'static str, id: String, en: String) {
        self.push(k, Severity::Error, code, id, en);
    }

    /// Records an error in column `k` with the two messages of `e`.
    pub(crate) fn error_from(&mut self, k: S, code: &'static str, e: &impl Localized) {
        self.error(k, code, e.message(Lang::Id), e.message(Lang::En));
    }

    /// Records a warning in column `k`.
    pub(crate) fn warn(&mut self, k: S, code: &'static str, id: String, en: String) {
        self.push(k, Severity::Warning, code, id, en);
    }

    fn empty_error(&mut self, k: S) {
        let c = k.name();
        self.error(
            k,
            "NILAI_KOSONG",
            format!("{c} wajib diisi"),
            format!("{c} must not be empty"),
        );
    }

    /// The trimmed text of column `k`, or `None` when blank.
    pub(crate) fn text(&self, k: S) -> Option<Text> {
        self.str(k).map(Text::from)
    }

    /// The trimmed text of column `k`, borrowed from the cell when it holds
    /// text (no allocation for a value only parsed), or `None` when blank.
    fn str(&self, k: S) -> Option<Cow<'a, str>> {
        let cell = self.cell(k);
        if cell.is_blank() {
            return None;
        }
        Some(match cell.shown() {
            Cow::Borrowed(s) => Cow::Borrowed(s.trim()),
            Cow::Owned(s) => Cow::Owned(s.trim().to_string()),
        })
    }

    /// The trimmed text of a column that must not be blank.
    pub(crate) fn required_text(&mut self, k: S) -> Option<Text> {
        let t = self.text(k);
        if t.is_none() {
            self.empty_error(k);
        }
        t
    }

    /// A person's name (trimmed, `None` when blank; an error when `required`),
    /// with a warning when a bank paying aid would refuse it
    /// ([`padu_core::NameProblem`]).
    pub(crate) fn name(&mut self, k: S, required: bool) -> Option<Text> {
        let t = if required {
            self.required_text(k)
        } else {
            self.text(k)
        };
        if let Some(n) = &t
            && let Some(problem) = NameProblem::of(n)
        {
            let w = NameWarning {
                what: k.name().replace('_', " "),
                name: n.to_string(),
                problem,
            };
            self.warn(k, problem.code(), w.message(Lang::Id), w.message(Lang::En));
        }
        t
    }

    /// Reports an invalid identity number as a warning naming its problem.
    fn id_warning(&mut self, k: S, what: &str, raw: &str, err: &NikError) {
        match err {
            NikError::Placeholder(_) => self.warn(
                k,
                err.code(),
                format!(
                    "{what} {raw} adalah kode pengganti survei yang berarti \"tanpa NIK\", bukan nomor asli"
                ),
                format!("{what} {raw} is a survey placeholder meaning \"no NIK\", not a real number"),
            ),
            _ => self.warn(
                k,
                err.code(),
                format!("{what} tidak valid: {}", err.message(Lang::Id)),
                format!("{what} is invalid: {}", err.message(Lang::En)),
            ),
        }
    }

    /// Number cells are never trusted as identity numbers ([`number_cell_error`]).
    fn id_field<T>(&mut self, k: S, what: &str, parse: impl Fn(&str) -> IdField<T>) -> IdField<T> {
        let cell = self.cell(k);
        let field = match number_cell_error(cell) {
            _ if cell.is_blank() => IdField::Missing,
            Some(error) => IdField::invalid(cell.shown().into_owned(), error),
            None => parse(&cell.shown()),
        };
        if let IdField::Invalid(bad) = &field {
            self.id_warning(k, what, &bad.raw, &bad.error);
        }
        field
    }

    /// A NIK column where invalid numbers are data: kept raw, with a warning.
    pub(crate) fn nik(&mut self, k: S, today: NaiveDate) -> IdField<Nik> {
        self.id_field(k, "NIK", |s| IdField::parse_nik(s, today))
    }

    /// A No KK column where invalid numbers are data: kept raw, with a warning.
    pub(crate) fn kk(&mut self, k: S) -> IdField<NoKk> {
        self.id_field(k, "No KK", IdField::parse_kk)
    }

    /// A NIK that must be present and valid (the key of a civil-registry row).
    pub(crate) fn required_nik(&mut self, k: S, today: NaiveDate) -> Option<Nik> {
        let cell = self.cell(k);
        let parsed = match number_cell_error(cell) {
            _ if cell.is_blank() => Err(NikError::Empty),
            Some(error) => Err(error),
            None => Nik::parse(&cell.shown(), today),
        };
        match parsed {
            Ok(n) => Some(n),
            Err(NikError::Empty) => {
                self.empty_error(k);
                None
            }
            Err(e) => {
                self.error(
                    k,
                    e.code(),
                    format!("NIK tidak valid: {}", e.message(Lang::Id)),
                    format!("NIK is invalid: {}", e.message(Lang::En)),
                );
                None
            }
        }
    }

    /// A date column; a spreadsheet date cell is used as is, text goes through [`parse_date`].
    pub(crate) fn date(
        &mut self,
        k: S,
        required: bool,
        not_after: Option<NaiveDate>,
    ) -> Option<NaiveDate> {
        let cell = self.cell(k);
        let parsed = match cell {
            c if c.is_blank() => {
                if required {
                    self.empty_error(k);
                }
                return None;
            }
            Cell::Date(Ok(d)) => Ok(*d),
            Cell::Date(Err(s)) => Err(padu_core::DateError::Impossible(s.clone())),
            Cell::Timestamp { at, utc } => Ok(Cell::timestamp_date(*at, *utc)),
            other => match other.number() {
                Some(serial) => match excel_serial_date(serial) {
                    Some(d) => {
                        let shown = excel_number_text(serial);
                        self.warn(
                            k,
                            "TANGGAL_ANGKA_SERI",
                            format!(
                                "tanggal tersimpan sebagai angka {shown}; dibaca sebagai nomor seri tanggal Excel {}",
                                d.format("%d-%m-%Y")
                            ),
                            format!(
                                "date is stored as the number {shown}; read as the Excel date serial {}",
                                d.format("%d-%m-%Y")
                            ),
                        );
                        Ok(d)
                    }
                    None => Err(padu_core::DateError::Format(other.shown().into_owned())),
                },
                None => match &self.map.date_pattern {
                    Some((written, pattern)) => {
                        let shown = other.shown();
                        let t = shown.trim();
                        match NaiveDate::parse_from_str(t, pattern) {
                            Ok(d) => Ok(d),
                            Err(_) => {
                                self.error(
                                    k,
                                    "TANGGAL_TIDAK_VALID",
                                    format!(
                                        "tanggal \"{t}\" tidak sesuai format_tanggal {written} dari pemetaan kolom"
                                    ),
                                    format!(
                                        "date \"{t}\" does not match the mapping's date_format {written}"
                                    ),
                                );
                                return None;
                            }
                        }
                    }
                    None => parse_date(&other.shown()),
                },
            },
        };
        match parsed {
            Ok(d) if not_after.is_some_and(|t| d > t) => {
                let shown = d.format("%d-%m-%Y");
                self.error(
                    k,
                    "TANGGAL_MASA_DEPAN",
                    format!("tanggal {shown} ada di masa depan"),
                    format!("date {shown} is in the future"),
                );
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                self.error_from(k, "TANGGAL_TIDAK_VALID", &e);
                None
            }
        }
    }

    /// `jenis_kelamin`: required, and only the spellings [`Sex::parse`] knows.
    pub(crate) fn sex(&mut self, k: S) -> Option<Sex> {
        let Some(t) = self.str(k) else {
            self.empty_error(k);
            return None;
        };
        Sex::parse(&t)
            .map_err(|e| self.error_from(k, "JENIS_KELAMIN_TIDAK_DIKENAL", &e))
            .ok()
    }

    /// `hubungan_keluarga`: optional; an unknown value is dropped with a warning.
    pub(crate) fn relation(&mut self, k: S) -> Option<Relation> {
        let t = self.str(k)?;
        match t.parse::<Relation>() {
            Ok(r) => Some(r),
            Err(e) => {
                let (value, kind) = (&e.value, e.kind);
                self.warn(
                    k,
                    "HUBUNGAN_TIDAK_DIKENAL",
                    format!(
                        "{} \"{value}\" tidak dikenal dan dikosongkan; gunakan {}",
                        kind.name(Lang::Id),
                        kind.accepted_text(Lang::Id)
                    ),
                    format!(
                        "{} \"{value}\" is not recognised and was left empty; use {}",
                        kind.name(Lang::En),
                        kind.accepted_text(Lang::En)
                    ),
                );
                None
            }
        }
    }

    /// `kode_wilayah`: a village code some edition knows; a retired one is a warning.
    ///
    /// When the file has region part columns ([`RegionPart`]), a missing or
    /// short code is joined from the code columns (`32`, `76`, `01` and
    /// `1001`) or the village is looked up by name, narrowed by the
    /// district, regency and province given.
    pub(crate) fn village(&mut self, k: S) -> Option<RegionCode> {
        let given = self.str(k);
        let has_parts = self.map.parts.iter().any(Option::is_some);
        let t = match given {
            Some(t) if !has_parts || !is_short_code(&t) => t,
            tail => {
                if tail.is_none() && self.map.parts[RegionPart::VillageName.index()].is_none() {
                    self.empty_error(k);
                    return None;
                }
                match self.village_from_parts(tail.as_deref()) {
                    Ok(code) => Cow::Owned(code.compact()),
                    Err(p) => {
                        let column = match self.map.parts[RegionPart::VillageName.index()] {
                            Some(_) if self.map.index[k.index()].is_none() || tail.is_none() => {
                                self.map.part_labels[RegionPart::VillageName.index()].clone()
                            }
                            _ => self.map.labels[k.index()].clone(),
                        };
                        self.failed = true;
                        self.issues.push(Issue::new(
                            self.label,
                            self.row,
                            Some(&column),
                            Severity::Error,
                            "WILAYAH_TIDAK_VALID",
                            p.id,
                            p.en,
                        ));
                        return None;
                    }
                }
            }
        };
        match regions().parse_village(&t) {
            Ok(code) => {
                if let Some(ed) = regions().get(code).and_then(|i| i.retired_after) {
                    self.warn(
                        k,
                        "WILAYAH_KODE_LAMA",
                        format!(
                            "kode wilayah {code} sudah tidak berlaku (terakhir ada di edisi {ed}); perbarui ke kode yang berlaku"
                        ),
                        format!(
                            "region code {code} is retired (last in the {ed} edition); update it to a current code"
                        ),
                    );
                }
                Some(code)
            }
            Err(e) => {
                self.error_from(k, "WILAYAH_TIDAK_VALID", &e);
                None
            }
        }
    }

    /// The trimmed text of region part `p`, or `None` when the file has no such column or it is blank.
    fn part(&self, p: RegionPart) -> Option<String> {
        let cell = self.cells.get(self.map.parts[p.index()]?)?;
        (!cell.is_blank()).then(|| cell.shown().trim().to_string())
    }

    /// The village a row's region part columns name, `tail` being a short code from `kode_wilayah`.
    fn village_from_parts(&self, tail: Option<&str>) -> Result<RegionCode, VillageProblem> {
        use RegionPart as P;
        let values = [
            self.part(P::ProvinceCode),
            self.part(P::RegencyCode),
            self.part(P::DistrictCode),
            self.part(P::ProvinceName),
            self.part(P::RegencyName),
            self.part(P::DistrictName),
            self.part(P::VillageName),
        ];
        let key = format!("{values:?}{tail:?}");
        if let Some(hit) = self.map.villages.borrow().get(&key) {
            return hit.clone();
        }
        let found = resolve_village(&values, tail, &self.map.part_labels);
        self.map.villages.borrow_mut().insert(key, found.clone());
        found
    }

    /// `status_hidup`: empty means alive; anything unknown is an error.
    pub(crate) fn life_status(&mut self, k: S) -> Option<LifeStatus> {
        let t = self.str(k).unwrap_or_default();
        LifeStatus::parse(&t)
            .map_err(|e| self.error_from(k, "STATUS_HIDUP_TIDAK_DIKENAL", &e))
            .ok()
    }
}

/// The digits of a code written with or without dots and spaces; `None` if anything else is there.
fn code_digits(t: &str) -> Option<String> {
    let d: String = t.chars().filter(|c| !matches!(c, '.' | ' ')).collect();
    (!d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())).then_some(d)
}

/// Whether `t` is a code shorter than a village's 10 digits: the village's own part.
fn is_short_code(t: &str) -> bool {
    code_digits(t).is_some_and(|d| d.len() < 10)
}

const VILLAGE_PREFIXES: &[&str] = &["DESA ", "KELURAHAN ", "KEL. ", "KEL "];
const DISTRICT_PREFIXES: &[&str] = &["KECAMATAN ", "KEC. ", "KEC "];
const PROVINCE_PREFIXES: &[&str] = &["PROVINSI ", "PROV. ", "PROV "];

/// A region name folded for comparison, without its level's word (`DESA`, `KECAMATAN`, ...).
fn region_name(name: &str, prefixes: &[&str]) -> String {
    let f = fold_name(name);
    for p in prefixes {
        if let Some(rest) = f.strip_prefix(p) {
            return rest.trim().to_string();
        }
    }
    f
}

/// The village named by a row's region parts (`values` in [`RegionPart::ALL`] order) and short code `tail`.
fn resolve_village(
    values: &[Option<String>; 7],
    tail: Option<&str>,
    labels: &[String; 7],
) -> Result<RegionCode, VillageProblem> {
    let problem = |id: String, en: String| VillageProblem { id, en };
    // The codes of the levels above, each either its own digits or the whole prefix.
    let mut prefix = String::new();
    for (i, (seg, full)) in [(2usize, 2usize), (2, 4), (2, 6)].into_iter().enumerate() {
        let Some(v) = &values[i] else { break };
        let label = &labels[i];
        match code_digits(v) {
            Some(d) if d.len() == full && d.starts_with(&prefix) => prefix = d,
            Some(d) if d.len() <= seg && prefix.len() == full - seg => {
                prefix.push_str(&format!("{d:0>seg$}"));
            }
            _ => {
                return Err(problem(
                    format!("{label} \"{v}\" bukan kode yang cocok ({seg} atau {full} angka)"),
                    format!("{label} \"{v}\" is not a fitting code ({seg} or {full} digits)"),
                ));
            }
        }
    }
    let idx = regions();
    let own = tail
        .map(str::to_string)
        .or_else(|| values[6].clone().filter(|v| code_digits(v).is_some()));
    if let Some(own) = own {
        let d = code_digits(&own).unwrap_or_default();
        let code = if d.len() == 10 {
            d
        } else if prefix.len() == 6 && d.len() <= 4 {
            format!("{prefix}{d:0>4}")
        } else {
            return Err(problem(
                format!(
                    "kode desa \"{own}\" hanya bagian akhir kode wilayah; tambahkan kolom kode provinsi, kabupaten dan kecamatan, atau tulis 10 angka"
                ),
                format!(
                    "village code \"{own}\" is only the last part of the region code; add province, regency and district code columns, or write all 10 digits"
                ),
            ));
        };
        return idx.parse_village(&code).map_err(|e| {
            problem(
                format!(
                    "kode wilayah {code} dari kolom kode wilayah: {}",
                    e.message(Lang::Id)
                ),
                format!(
                    "region code {code} from the region code columns: {}",
                    e.message(Lang::En)
                ),
            )
        });
    }
    let Some(name) = &values[6] else {
        return Err(problem(
            "kode wilayah wajib diisi".into(),
            "the region code must not be empty".into(),
        ));
    };
    let want = region_name(name, VILLAGE_PREFIXES);
    let mut found: Vec<&RegionInfo> = idx
        .find_by_name(&want)
        .into_iter()
        .filter(|i| i.code.level() == RegionLevel::Village && i.code.compact().starts_with(&prefix))
        .collect();
    let name_of = |c: Option<RegionCode>, prefixes: &[&str]| {
        c.and_then(|c| idx.get(c))
            .map(|i| region_name(&i.name, prefixes))
    };
    if let Some(kec) = &values[5] {
        let w = region_name(kec, DISTRICT_PREFIXES);
        found.retain(|i| name_of(i.code.district(), DISTRICT_PREFIXES).as_ref() == Some(&w));
    }
    if let Some(kab) = &values[4] {
        let w = fold_name(kab);
        let up = kab.trim().to_uppercase();
        let kota = if up.starts_with("KOTA") {
            Some(true)
        } else if up.starts_with("KAB") {
            Some(false)
        } else {
            None
        };
        found.retain(|i| {
            name_of(i.code.regency(), &[]).as_ref() == Some(&w)
                && kota.is_none_or(|k| i.code.is_kota() == Some(k))
        });
    }
    if let Some(prov) = &values[3] {
        let w = region_name(prov, PROVINCE_PREFIXES);
        found.retain(|i| name_of(Some(i.code.province()), PROVINCE_PREFIXES).as_ref() == Some(&w));
    }
    if found.iter().any(|i| i.is_current()) {
        found.retain(|i| i.is_current());
    }
    let context: Vec<&str> = [&values[5], &values[4], &values[3]]
        .into_iter()
        .filter_map(|v| v.as_deref())
        .collect();
    let within = if context.is_empty() {
        String::new()
    } else {
        format!(" ({})", context.join(", "))
    };
    match found.as_slice() {
        [one] => Ok(one.code),
        [] => Err(problem(
            format!(
                "desa/kelurahan \"{name}\"{within} tidak ditemukan di daftar wilayah Kemendagri; periksa ejaannya atau tulis kode wilayahnya"
            ),
            format!(
                "village \"{name}\"{within} is not in the Kemendagri region list; check the spelling or write its region code"
            ),
        )),
        many => {
            let shown: Vec<String> = many
                .iter()
                .take(5)
                .map(|i| format!("{} ({})", idx.path(i.code), i.code))
                .collect();
            let more = if many.len() > 5 {
                format!(", ... ({} lagi)", many.len() - 5)
            } else {
                String::new()
            };
            let more_en = if many.len() > 5 {
                format!(", ... ({} more)", many.len() - 5)
            } else {
                String::new()
            };
            Err(problem(
                format!(
                    "desa/kelurahan \"{name}\"{within} ambigu: ada {} yang bernama demikian: {}{more}; tambahkan kolom kecamatan dan kabupaten/kota, atau tulis kode wilayahnya",
                    many.len(),
                    shown.join("; ")
                ),
                format!(
                    "village \"{name}\"{within} is ambiguous: {} have that name: {}{more_en}; add district and regency columns, or write its region code",
                    many.len(),
                    shown.join("; ")
                ),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use padu_testkit::today;

    use super::*;
    use crate::schema::schema;

    schema! {
        /// A small file for the tests.
        enum Small (sheet "small") {
            IdArt = "id_art", Id, required;
            Nik = "nik", Id, required;
            Nama = "nama", Text, required;
        }
    }

    fn header(names: &[&str]) -> Vec<Cell> {
        names.iter().map(|n| Cell::Text(n.to_string())).collect()
    }

    fn small() -> ColumnMap<Small> {
        ColumnMap::new(
            "f.csv",
            1,
            &header(&["id_art", "nik", "nama"]),
            &Mapping::default(),
        )
        .unwrap()
    }

    /// A row of [`Small`] whose NIK cell is `nik`.
    fn with_nik(nik: Cell) -> Vec<Cell> {
        vec![Cell::Text("1".into()), nik, Cell::Text("Ani".into())]
    }

    #[test]
    fn header_names_fold_case_and_spaces_and_keep_unknown_columns_in_order() {
        let map = ColumnMap::<Small>::new(
            "f.csv",
            1,
            &header(&[" NAMA ", "Desil", "\u{feff}Id_Art", "", "nik", "Catatan "]),
            &Mapping::default(),
        )
        .unwrap();
        assert_eq!(map.index, vec![Some(2), Some(4), Some(0)]);
        assert_eq!(
            map.extras,
            vec![("Desil".to_string(), 1), ("Catatan".to_string(), 5)]
        );
        assert_eq!(map.unnamed, vec![3]);
    }

    #[test]
    fn a_value_under_a_nameless_column_is_warned_about_once() {
        let mut map = ColumnMap::<Small>::new(
            "f.csv",
            1,
            &header(&["id_art", "", "nik", "nama"]),
            &Mapping::default(),
        )
        .unwrap();
        let row = header(&["1", "lost", "", "Ani"]);
        assert_eq!(map.check_unnamed("f.csv", 2, &row).len(), 1);
        assert!(map.check_unnamed("f.csv", 3, &row).is_empty());
    }

    #[test]
    fn a_number_cell_is_never_accepted_as_an_identity_number() {
        let map = small();
        let cells = with_nik(Cell::Number(3_276_014_501_900_001.0));
        let mut ctx = RowCtx::new("f.csv", 2, &map, &cells);
        let nik = ctx.nik(Small::Nik, today());
        assert_eq!(
            nik,
            IdField::invalid(
                "3276014501900000",
                NikError::ExcelNumber("3276014501900000".into())
            )
        );
        assert!(!ctx.failed);
        assert!(ctx.required_nik(Small::Nik, today()).is_none());
        assert!(ctx.failed);
    }

    #[test]
    fn a_floating_point_nik_is_flagged_as_parquet_not_excel() {
        let map = small();
        let cells = with_nik(Cell::Float(3_276_014_501_900_012.0));
        let mut ctx = RowCtx::new("f.parquet", 2, &map, &cells);
        assert_eq!(
            ctx.nik(Small::Nik, today()),
            IdField::invalid(
                "3276014501900010",
                NikError::ParquetFloat("3276014501900010".into())
            )
        );
        let issue = &ctx.issues[0];
        assert_eq!(
            (issue.code, issue.severity, issue.column.as_deref()),
            ("PARQUET_PECAHAN", Severity::Warning, Some("nik"))
        );
        for lang in [Lang::Id, Lang::En] {
            let text = issue.text(lang);
            assert!(
                text.contains("Parquet") && !text.contains("Excel"),
                "{text}"
            );
        }
        assert!(
            issue
                .text(Lang::Id)
                .starts_with("NIK tidak valid: nomor \"3276014501900010\"")
        );
        assert!(issue.text(Lang::En).contains("floating-point"));
        assert!(ctx.required_nik(Small::Nik, today()).is_none());
        assert_eq!(ctx.issues[1].code, "PARQUET_PECAHAN");
        assert!(ctx.failed);
    }
}
