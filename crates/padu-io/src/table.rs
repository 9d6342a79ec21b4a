//! What every format reads into and writes from: a header and rows of cells.
//!
//! This is the bottom layer of the crate's file handling. The format modules
//! turn files into [`Cell`]s and [`RawRow`]s and write
//! [`Out`] values typed by the column's [`Kind`]; the record layer above them
//! never sees which format a cell came from, only what the cell holds.

use std::borrow::Cow;
use std::io;

use calamine::{ExcelDateTime, ExcelDateTimeType};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};

use crate::error::ReadError;
use crate::issue::{Issue, Severity};

/// One cell as the file holds it, before any column-specific parsing.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    /// Nothing (or only an empty string).
    Empty,
    /// Text, untrimmed.
    Text(String),
    /// A numeric spreadsheet cell.
    Number(f64),
    /// A value of a floating-point column (Parquet `FLOAT` or `DOUBLE`).
    ///
    /// It shows and reads as a date like a spreadsheet number; only an
    /// identity number in it is flagged for its own reason.
    Float(f64),
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
    /// The text a person sees in the cell (numbers as Excel's formula bar shows them),
    /// borrowed when the cell holds it as text.
    pub(crate) fn shown(&self) -> Cow<'_, str> {
        match self {
            Cell::Text(s) | Cell::Date(Err(s)) | Cell::Error(s) => Cow::Borrowed(s),
            Cell::Empty => Cow::Borrowed(""),
            Cell::Bool(b) => Cow::Borrowed(if *b { "TRUE" } else { "FALSE" }),
            Cell::Number(f) | Cell::Float(f) => Cow::Owned(excel_number_text(*f)),
            Cell::Int(i) => Cow::Owned(i.to_string()),
            Cell::Date(Ok(d)) => Cow::Owned(d.format("%Y-%m-%d").to_string()),
            Cell::Timestamp { at, utc: true } => {
                Cow::Owned(at.format("%Y-%m-%dT%H:%M:%S%.fZ").to_string())
            }
            Cell::Timestamp { at, utc: false } if at.time() == NaiveTime::MIN => {
                Cow::Owned(at.format("%Y-%m-%d").to_string())
            }
            Cell::Timestamp { at, utc: false } => {
                Cow::Owned(at.format("%Y-%m-%d %H:%M:%S%.f").to_string())
            }
        }
    }

    /// The number a numeric cell holds, whichever kind of number it is.
    pub(crate) fn number(&self) -> Option<f64> {
        match self {
            Cell::Number(f) | Cell::Float(f) => Some(*f),
            Cell::Int(i) => Some(*i as f64),
            _ => None,
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

/// An opened table: its header cells, its warnings so far, and `source`, which yields the rows to come.
pub(crate) struct Opened<S> {
    /// The reader of the data rows, one [`RawRow`] at a time.
    pub(crate) source: S,
    /// The header row's cells, by column position.
    pub(crate) header: Vec<Cell>,
    /// The header's row number as Excel shows it.
    pub(crate) header_row: u64,
    /// Problems with the whole file found while opening it.
    pub(crate) file_issues: Vec<Issue>,
    /// Columns (by position) whose values cannot be read, with their type as the file names it.
    ///
    /// Only Parquet has typed columns that Padu may not understand (lists,
    /// structs, ...); their cells are always empty, so the reader must refuse
    /// them in a spec column rather than read them as blank.
    pub(crate) unreadable: Vec<(usize, String)>,
}

impl<S> Opened<S> {
    /// The same table with its row source wrapped, e.g. into the enum of all formats.
    pub(crate) fn map_source<T>(self, wrap: impl FnOnce(S) -> T) -> Opened<T> {
        Opened {
            source: wrap(self.source),
            header: self.header,
            header_row: self.header_row,
            file_issues: self.file_issues,
            unreadable: self.unreadable,
        }
    }
}

/// The read error for a file that could not be opened or read.
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

/// What a column holds, which decides how each format stores its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Ordinary text.
    Text,
    /// An identity number or code that must stay text (leading zeros, 16 digits).
    Id,
    /// A calendar date.
    Date,
    /// A number, when the text parses as one.
    Number,
    /// A whole number (a count), when the text parses as one.
    Count,
    /// A share (0.571 shown as 57.1%), when the text parses as a number.
    Percent,
}

/// A value for one cell being written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Out<'a> {
    /// Text; empty text is an empty cell (null in Parquet).
    Text(std::borrow::Cow<'a, str>),
    /// A date, or an empty cell.
    Date(Option<NaiveDate>),
}

impl Out<'_> {
    /// An empty cell.
    pub(crate) const EMPTY: Out<'static> = Out::Text(std::borrow::Cow::Borrowed(""));
}

impl<'a> From<&'a str> for Out<'a> {
    fn from(s: &'a str) -> Self {
        Out::Text(s.into())
    }
}

impl<'a> From<&'a Option<padu_core::Text>> for Out<'a> {
    fn from(s: &'a Option<padu_core::Text>) -> Self {
        s.as_deref().map_or(Out::EMPTY, Out::from)
    }
}

impl<'a> From<std::borrow::Cow<'a, str>> for Out<'a> {
    fn from(s: std::borrow::Cow<'a, str>) -> Self {
        Out::Text(s)
    }
}

impl From<String> for Out<'_> {
    fn from(s: String) -> Self {
        Out::Text(s.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
