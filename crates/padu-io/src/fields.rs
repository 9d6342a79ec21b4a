//! Header matching and the parsing of one row's cells into typed fields.
//!
//! Every check here records its own [`Issue`]; a field that fails with an
//! error marks the row as failed but parsing goes on, so one pass reports
//! every problem of the row.

use std::marker::PhantomData;

use chrono::NaiveDate;
use padu_core::lang::Localized;
use padu_core::{
    IdField, Lang, LifeStatus, NameProblem, NameWarning, Nik, NikError, NoKk, RegionCode, Relation,
    Sex, parse_date, regions,
};

use crate::error::ReadError;
use crate::issue::{Issue, Severity};
use crate::schema::Schema;
use crate::table::{Cell, excel_number_text, excel_serial_date};

/// Where each column of schema `S` sits in the file, and which other columns it has.
#[derive(Debug)]
pub(crate) struct ColumnMap<S> {
    schema: PhantomData<S>,
    /// The file position of each schema column, in schema order.
    index: Vec<Option<usize>>,
    /// Unknown columns in file order: their header as written and their position.
    pub(crate) extras: Vec<(String, usize)>,
    /// Columns with an empty header; values there are ignored with a warning.
    unnamed: Vec<usize>,
    unnamed_warned: Vec<bool>,
}

/// Folds a header name the way the spec matches it: case-insensitive, surrounding spaces ignored.
fn fold(name: &str) -> String {
    name.trim()
        .trim_start_matches('\u{feff}')
        .trim()
        .to_lowercase()
}

impl<S: Schema> ColumnMap<S> {
    /// Matches a header against the schema's columns; missing required columns are reported all at once.
    pub(crate) fn new(
        label: &str,
        header_row: u64,
        header: &[Cell],
    ) -> Result<ColumnMap<S>, ReadError> {
        let spec = S::COLUMNS;
        let mut index = vec![None; spec.len()];
        let mut extras = Vec::new();
        let mut unnamed = Vec::new();
        let mut duplicates = Vec::new();
        for (pos, cell) in header.iter().enumerate() {
            let shown = cell.shown();
            let name = fold(&shown);
            if name.is_empty() {
                unnamed.push(pos);
                continue;
            }
            match spec.iter().position(|c| c.name == name) {
                Some(k) if index[k].is_some() => duplicates.push(Issue::new(
                    label,
                    header_row,
                    Some(spec[k].name),
                    Severity::Error,
                    "KOLOM_GANDA",
                    format!(
                        "kolom \"{}\" muncul lebih dari sekali di baris judul",
                        spec[k].name
                    ),
                    format!(
                        "column \"{}\" appears more than once in the header",
                        spec[k].name
                    ),
                )),
                Some(k) => index[k] = Some(pos),
                None => extras.push((shown.trim().to_string(), pos)),
            }
        }
        if !duplicates.is_empty() {
            return Err(ReadError::DuplicateColumns(duplicates));
        }
        let missing: Vec<Issue> = spec
            .iter()
            .zip(&index)
            .filter(|(c, i)| c.required && i.is_none())
            .map(|(c, _)| {
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
        if !missing.is_empty() {
            return Err(ReadError::MissingColumns(missing));
        }
        let unnamed_warned = vec![false; unnamed.len()];
        Ok(ColumnMap {
            schema: PhantomData,
            index,
            extras,
            unnamed,
            unnamed_warned,
        })
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
        Cell::Number(_) | Cell::Int(_) => Some(NikError::ExcelNumber(cell.shown())),
        Cell::Float(_) => Some(NikError::ParquetFloat(cell.shown())),
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
        self.map.index[k.index()]
            .and_then(|pos| self.cells.get(pos))
            .unwrap_or(EMPTY)
    }

    /// The unknown columns' values in file order, as they were written.
    pub(crate) fn extras(&self) -> Vec<(String, String)> {
        self.map
            .extras
            .iter()
            .map(|(name, pos)| {
                let v = self.cells.get(*pos).map(Cell::shown).unwrap_or_default();
                (name.clone(), v)
            })
            .collect()
    }

    fn push(&mut self, k: S, severity: Severity, code: &'static str, id: String, en: String) {
        if severity == Severity::Error {
            self.failed = true;
        }
        let column = k.name();
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
    pub(crate) fn text(&self, k: S) -> Option<String> {
        let cell = self.cell(k);
        if cell.is_blank() {
            return None;
        }
        let s = cell.shown();
        Some(s.trim().to_string())
    }

    /// The trimmed text of a column that must not be blank.
    pub(crate) fn required_text(&mut self, k: S) -> Option<String> {
        let t = self.text(k);
        if t.is_none() {
            self.empty_error(k);
        }
        t
    }

    /// A person's name (trimmed, `None` when blank; an error when `required`),
    /// with a warning when a bank paying aid would refuse it
    /// ([`padu_core::NameProblem`]).
    pub(crate) fn name(&mut self, k: S, required: bool) -> Option<String> {
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
                name: n.clone(),
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
            Some(error) => IdField::Invalid {
                raw: cell.shown(),
                error,
            },
            None => parse(&cell.shown()),
        };
        if let IdField::Invalid { raw, error } = &field {
            self.id_warning(k, what, raw, error);
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
                    None => Err(padu_core::DateError::Format(other.shown())),
                },
                None => parse_date(&other.shown()),
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
        let t = self.required_text(k)?;
        Sex::parse(&t)
            .map_err(|e| self.error_from(k, "JENIS_KELAMIN_TIDAK_DIKENAL", &e))
            .ok()
    }

    /// `hubungan_keluarga`: optional; an unknown value is dropped with a warning.
    pub(crate) fn relation(&mut self, k: S) -> Option<Relation> {
        let t = self.text(k)?;
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
    pub(crate) fn village(&mut self, k: S) -> Option<RegionCode> {
        let t = self.required_text(k)?;
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

    /// `status_hidup`: empty means alive; anything unknown is an error.
    pub(crate) fn life_status(&mut self, k: S) -> Option<LifeStatus> {
        let t = self.text(k).unwrap_or_default();
        LifeStatus::parse(&t)
            .map_err(|e| self.error_from(k, "STATUS_HIDUP_TIDAK_DIKENAL", &e))
            .ok()
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
        ColumnMap::new("f.csv", 1, &header(&["id_art", "nik", "nama"])).unwrap()
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
        let mut map =
            ColumnMap::<Small>::new("f.csv", 1, &header(&["id_art", "", "nik", "nama"])).unwrap();
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
            IdField::Invalid {
                raw: "3276014501900000".into(),
                error: NikError::ExcelNumber("3276014501900000".into())
            }
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
            IdField::Invalid {
                raw: "3276014501900010".into(),
                error: NikError::ParquetFloat("3276014501900010".into())
            }
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
