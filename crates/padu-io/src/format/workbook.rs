//! Workbooks: read with calamine on a worker thread, written with rust_xlsxwriter.
//!
//! Reading takes `.xlsx`, `.xlsm`, `.xls`, `.xlsb` and `.ods`: the worker
//! streams an XLSX sheet cell by cell (older formats as one range, which their
//! row limit keeps bounded) and hands rows over a small bounded channel, so
//! only a few hundred rows are ever held. Writing is XLSX in constant-memory
//! mode (rows go to disk as they are written) with a bold frozen header,
//! identity numbers as text cells in a text-formatted column so Excel never
//! turns them into numbers, and dates as real date cells shown `dd-mm-yyyy`.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread;

use calamine::{Data, DataRef, ExcelDateTime, Reader, Sheets};
use chrono::{Datelike, NaiveDate};
use padu_core::parse_date;
use rust_xlsxwriter::{Format, Workbook};

use crate::error::{ReadError, WriteError};
use crate::table::{Cell, Kind, Opened, Out, RawRow, io_error};

/// Rows a workbook worker may read ahead of the consumer.
const SHEET_CHANNEL_ROWS: usize = 256;

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
    /// Opens a workbook's sheet (the first one when `sheet` is `None`) and waits for its header row.
    pub(crate) fn open(
        path: &Path,
        sheet: Option<&str>,
        label: &str,
    ) -> Result<Opened<SheetSource>, ReadError> {
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
            source: SheetSource {
                rx,
                label: label.to_string(),
                done: false,
            },
            header,
            header_row,
            file_issues: Vec::new(),
            unreadable: Vec::new(),
        })
    }

    /// The next non-blank row, or `None` at the end of the sheet.
    pub(crate) fn next_row(&mut self) -> Option<RawRow> {
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
        for (i, row) in (0u32..).zip(range.rows()) {
            for (j, v) in (0u32..).zip(row) {
                if !asm.push(r0 + i, c0 + j, data_cell(v)) {
                    return;
                }
            }
        }
    }
    asm.finish(label);
}

/// The column width for a column of `kind` headed `header`, in Excel's character units.
fn column_width(kind: Kind, header: &str) -> f64 {
    let base: f64 = match kind {
        Kind::Id => 19.0,
        Kind::Date => 12.0,
        Kind::Number | Kind::Count | Kind::Percent => 9.0,
        Kind::Text => 14.0,
    };
    base.max(header.chars().count() as f64 + 2.0)
}

/// An XLSX workbook being written in constant memory, one sheet after another.
pub(crate) struct XlsxSink {
    workbook: Workbook,
    path: PathBuf,
    /// The sheet being written (sheets are written one after another).
    sheet: usize,
    row: u32,
    kinds: Vec<Kind>,
    /// Per sheet: whether it gets an autofilter, its last row and column.
    filters: Vec<(bool, u32, u16)>,
    id_format: Format,
    date_format: Format,
    number_format: Format,
    count_format: Format,
    percent_format: Format,
}

impl XlsxSink {
    /// Starts the workbook with one sheet called `sheet_name` and writes its header.
    pub(crate) fn create(
        path: &Path,
        sheet_name: &str,
        header: &[String],
        kinds: &[Kind],
    ) -> Result<XlsxSink, WriteError> {
        let mut sink = XlsxSink::without_sheets(path);
        sink.start_sheet(sheet_name, header, kinds, &[], false, 0)?;
        Ok(sink)
    }

    /// A workbook with no sheet yet: [`XlsxSink::start_sheet`] adds them.
    pub(crate) fn without_sheets(path: &Path) -> XlsxSink {
        XlsxSink {
            workbook: Workbook::new(),
            path: path.to_path_buf(),
            sheet: 0,
            row: 0,
            kinds: Vec::new(),
            filters: Vec::new(),
            id_format: Format::new().set_num_format("@"),
            date_format: Format::new().set_num_format("dd-mm-yyyy"),
            number_format: Format::new().set_num_format("0.0000"),
            count_format: Format::new().set_num_format("#,##0"),
            percent_format: Format::new().set_num_format("0.0%"),
        }
    }

    /// Ends the current sheet and starts the next, called `sheet_name`, with its header.
    ///
    /// `widths` overrides the column widths it names (in Excel's character
    /// units); `autofilter` puts filter buttons on the header; `frozen_columns`
    /// keeps that many columns in view when scrolling right.
    pub(crate) fn start_sheet(
        &mut self,
        sheet_name: &str,
        header: &[String],
        kinds: &[Kind],
        widths: &[f64],
        autofilter: bool,
        frozen_columns: u16,
    ) -> Result<(), WriteError> {
        let bold = Format::new().set_bold();
        let ws = self.workbook.add_worksheet_with_constant_memory()?;
        ws.set_name(sheet_name)?;
        ws.set_freeze_panes(1, frozen_columns)?;
        // A sheet has at most 16384 columns: rust_xlsxwriter refuses the next one
        // long before a u16 column number could wrap.
        for (col, (name, kind)) in (0u16..).zip(header.iter().zip(kinds)) {
            let width = widths
                .get(usize::from(col))
                .copied()
                .unwrap_or_else(|| column_width(*kind, name));
            ws.set_column_width(col, width)?;
            if *kind == Kind::Id {
                ws.set_column_format(col, &self.id_format)?;
            }
            ws.write_string_with_format(0, col, name, &bold)?;
        }
        self.sheet = self.filters.len();
        let last_col = u16::try_from(header.len().saturating_sub(1)).unwrap_or(u16::MAX);
        self.filters.push((autofilter, 0, last_col));
        self.row = 0;
        self.kinds = kinds.to_vec();
        Ok(())
    }

    /// Writes one row below the previous one; empty cells are left out.
    pub(crate) fn write<'a>(
        &mut self,
        cells: impl IntoIterator<Item = Out<'a>>,
    ) -> Result<(), WriteError> {
        self.row += 1;
        let row = self.row;
        if let Some(f) = self.filters.get_mut(self.sheet) {
            f.1 = row;
        }
        let ws = self.workbook.worksheet_from_index(self.sheet)?;
        for (col, cell) in (0u16..).zip(cells) {
            let kind = self
                .kinds
                .get(usize::from(col))
                .copied()
                .unwrap_or(Kind::Text);
            match cell {
                Out::Text(s) if s.is_empty() => {}
                Out::Text(s) => match kind {
                    Kind::Id => {
                        ws.write_string_with_format(row, col, s, &self.id_format)?;
                    }
                    Kind::Number | Kind::Count | Kind::Percent => match s.parse::<f64>() {
                        Ok(n) => {
                            let format = match kind {
                                Kind::Count => &self.count_format,
                                Kind::Percent => &self.percent_format,
                                _ => &self.number_format,
                            };
                            ws.write_number_with_format(row, col, n, format)?;
                        }
                        Err(_) => {
                            ws.write_string(row, col, s)?;
                        }
                    },
                    Kind::Text | Kind::Date => {
                        ws.write_string(row, col, s)?;
                    }
                },
                Out::Date(None) => {}
                Out::Date(Some(d)) => {
                    let excel = match (u16::try_from(d.year()), u8::try_from(d.month())) {
                        (Ok(y), Ok(m)) => rust_xlsxwriter::ExcelDateTime::from_ymd(
                            y,
                            m,
                            u8::try_from(d.day()).expect("a day of the month"),
                        )
                        .ok(),
                        _ => None,
                    };
                    match excel {
                        Some(dt) => {
                            ws.write_datetime_with_format(row, col, &dt, &self.date_format)?;
                        }
                        // Excel cannot hold dates before 1900; keep them readable as text.
                        None => {
                            ws.write_string(row, col, d.format("%Y-%m-%d").to_string())?;
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Saves the workbook to its file.
    pub(crate) fn finish(mut self) -> Result<(), WriteError> {
        for (i, (autofilter, last_row, last_col)) in self.filters.iter().enumerate() {
            if *autofilter {
                self.workbook
                    .worksheet_from_index(i)?
                    .autofilter(0, 0, *last_row, *last_col)?;
            }
        }
        self.workbook.save(&self.path)?;
        Ok(())
    }
}
