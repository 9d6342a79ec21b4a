//! Filling in a workbook as an operator would in Excel or LibreOffice: open
//! it, type into some cells, save it again.
//!
//! The copy is made cell by cell from what calamine reads into a new
//! workbook (rust_xlsxwriter), so the result is a workbook saved by another
//! program, as a real round trip is; text stays text, numbers stay numbers
//! and dates stay date cells.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, Reader, open_workbook_auto_from_rs};
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

/// What the operator types into a cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Typed {
    /// Text (what a text-formatted column keeps).
    Text(String),
    /// A number (what Excel makes of digits typed into a general column).
    Number(f64),
    /// A date cell.
    Date(NaiveDate),
}

/// Text typed into a cell.
pub fn text(s: &str) -> Typed {
    Typed::Text(s.to_string())
}

/// One cell to type into: on sheet `sheet`, the row whose first column is
/// `row_key` (or the first empty row after the last one, for `""`), in the
/// column headed `column`.
#[derive(Debug, Clone)]
pub struct Edit<'a> {
    /// The sheet.
    pub sheet: &'a str,
    /// The value of the row's first cell (`id_art` in Padu's workbooks).
    pub row_key: &'a str,
    /// The header of the column.
    pub column: &'a str,
    /// What is typed.
    pub value: Typed,
}

/// The workbook `bytes` with `edits` typed in, saved again as `.xlsx`.
///
/// # Panics
/// When the bytes are not a workbook, or an edit names a sheet, row or
/// column the workbook does not have: a test's mistake.
pub fn fill_in(bytes: &[u8], edits: &[Edit<'_>]) -> Vec<u8> {
    let mut src = open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).expect("a workbook");
    let mut out = Workbook::new();
    let date = Format::new().set_num_format("dd-mm-yyyy");
    for name in src.sheet_names() {
        let range = src.worksheet_range(&name).expect("the sheet");
        let cells: Vec<Vec<Data>> = range.rows().map(<[Data]>::to_vec).collect();
        let mut typed: HashMap<(u32, u16), &Typed> = HashMap::new();
        for e in edits.iter().filter(|e| e.sheet == name) {
            let header = cells.first().expect("a header row");
            let col = header
                .iter()
                .position(|h| matches!(h, Data::String(s) if s == e.column))
                .unwrap_or_else(|| panic!("no column {} on {}", e.column, name));
            let row = cells
                .iter()
                .position(|r| r.first().map(|c| c.to_string()).as_deref() == Some(e.row_key))
                .unwrap_or_else(|| panic!("no row {} on {}", e.row_key, name));
            typed.insert(
                (
                    u32::try_from(row).expect("a row"),
                    u16::try_from(col).expect("a column"),
                ),
                &e.value,
            );
        }
        let ws = out.add_worksheet();
        ws.set_name(&name).expect("a sheet name");
        for (r, row) in (0u32..).zip(&cells) {
            for (c, cell) in (0u16..).zip(row) {
                if typed.contains_key(&(r, c)) {
                    continue;
                }
                match cell {
                    Data::Empty => {}
                    Data::String(s) => {
                        ws.write_string(r, c, s).expect("a cell");
                    }
                    Data::Float(f) => {
                        ws.write_number(r, c, *f).expect("a cell");
                    }
                    Data::Int(i) => {
                        ws.write_number(r, c, *i as f64).expect("a cell");
                    }
                    Data::Bool(b) => {
                        ws.write_boolean(r, c, *b).expect("a cell");
                    }
                    Data::DateTime(dt) => {
                        let (y, m, d, ..) = dt.to_ymd_hms_milli();
                        let d = NaiveDate::from_ymd_opt(i32::from(y), u32::from(m), u32::from(d))
                            .expect("a date");
                        write_date(ws, r, c, d, &date);
                    }
                    other => {
                        ws.write_string(r, c, other.to_string()).expect("a cell");
                    }
                }
            }
        }
        for ((r, c), value) in typed {
            match value {
                Typed::Text(s) => {
                    ws.write_string(r, c, s).expect("a cell");
                }
                Typed::Number(n) => {
                    ws.write_number(r, c, *n).expect("a cell");
                }
                Typed::Date(d) => write_date(ws, r, c, *d, &date),
            }
        }
    }
    out.save_to_buffer().expect("the workbook saves")
}

fn write_date(ws: &mut rust_xlsxwriter::Worksheet, r: u32, c: u16, d: NaiveDate, f: &Format) {
    let dt = ExcelDateTime::from_ymd(
        u16::try_from(d.year()).expect("a year Excel holds"),
        u8::try_from(d.month()).expect("a month"),
        u8::try_from(d.day()).expect("a day"),
    )
    .expect("a date Excel holds");
    ws.write_datetime_with_format(r, c, &dt, f).expect("a cell");
}

/// The cells of the column headed `column` on `sheet`, below the header, as text.
///
/// # Panics
/// When the workbook, the sheet or the column is missing.
pub fn column(bytes: &[u8], sheet: &str, column: &str) -> Vec<String> {
    let mut src = open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).expect("a workbook");
    let range = src.worksheet_range(sheet).expect("the sheet");
    let mut rows = range.rows();
    let header = rows.next().expect("a header row");
    let i = header
        .iter()
        .position(|h| matches!(h, Data::String(s) if s == column))
        .unwrap_or_else(|| panic!("no column {column} on {sheet}"));
    rows.map(|r| r.get(i).map(|c| c.to_string()).unwrap_or_default())
        .collect()
}
