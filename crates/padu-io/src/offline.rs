//! The offline workbook of one village: written for an operator to fill in
//! with Excel or LibreOffice away from a connection, and read back.
//!
//! The sheet `Anggota` lists every member of the village with their current
//! values, their status and the latest verification finding (grey columns),
//! then empty columns for the correction (yellow): follow Padu's suggestion,
//! or name a kind, a deactivation reason, a date of death and new values.
//! `Petunjuk` explains the columns; a hidden sheet `_padu` names the format
//! and the village. Columns are found by their header, so an operator who
//! moves or hides columns loses nothing; the layout is in `docs/workbook.md`.
//!
//! Reading turns each filled-in row into a [`BookRow`] or into [`Issue`]s
//! located as `Anggota:row:column: message`. What this crate can judge
//! without the database (codes, dates, which columns go together) is judged
//! here; whether the values fit the member's current record is the server's
//! job, with [`padu_core::apply_fields`].

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Data, Reader, open_workbook_auto_from_rs};
use chrono::{Datelike, NaiveDate};
use padu_core::lang::Localized;
use padu_core::{
    CORRECTABLE_FIELDS, DeactivationReason, Lang, ProposalKind, RegionCode, RegistryPerson,
    VerificationRow, field_value, parse_date,
};
use rust_xlsxwriter::{
    Color, DataValidation, ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError,
};

use crate::error::WriteError;
use crate::issue::{Issue, Severity};

/// The sheet operators fill in; also the "file" part of every row issue.
pub const BOOK_SHEET: &str = "Anggota";
/// The sheet that explains the columns.
const GUIDE_SHEET: &str = "Petunjuk";
/// The hidden sheet naming the format and the village.
const META_SHEET: &str = "_padu";
/// What the hidden sheet calls this layout; a different layout gets a new name.
pub const BOOK_FORMAT: &str = "padu-lembar-kerja-1";

/// The columns that propose a new value, and the field of the record each sets.
pub const NEW_VALUE_COLUMNS: [(&str, &str); 11] = [
    ("baru_nama", "nama"),
    ("baru_nik", "nik"),
    ("baru_no_kk", "no_kk"),
    ("baru_jenis_kelamin", "jenis_kelamin"),
    ("baru_tempat_lahir", "tempat_lahir"),
    ("baru_tgl_lahir", "tgl_lahir"),
    ("baru_hubungan_keluarga", "hubungan_keluarga"),
    ("baru_nama_ibu_kandung", "nama_ibu_kandung"),
    ("baru_alamat", "alamat"),
    ("baru_kode_wilayah", "kode_wilayah"),
    ("baru_id_keluarga", "id_keluarga"),
];

/// The record's fields shown in grey, in order: the household, then the correctable fields.
fn shown_fields() -> impl Iterator<Item = &'static str> {
    std::iter::once("id_keluarga").chain(CORRECTABLE_FIELDS)
}

/// Grey columns after the record: what Padu knows about the member.
const INFO_COLUMNS: [&str; 8] = [
    "status",
    "status_nik",
    "flags",
    "tindakan",
    "keterangan",
    "saran_padu",
    "usulan_terbuka",
    "sidik",
];

/// Yellow columns before the new values.
const CHOICE_COLUMNS: [&str; 4] = [
    "ikuti_saran",
    "jenis_usulan",
    "alasan_nonaktif",
    "tgl_meninggal",
];

/// The last yellow column.
const NOTE_COLUMN: &str = "catatan";

/// The kinds a workbook row may propose (additions need a form of their own).
const BOOK_KINDS: [ProposalKind; 4] = [
    ProposalKind::CorrectFields,
    ProposalKind::Move,
    ProposalKind::Deactivate,
    ProposalKind::Reactivate,
];

/// A short, stable fingerprint of a member's shown values.
///
/// Written in the hidden column `sidik`; when it still matches the member's
/// record at upload, any grey cell that differs was typed over by the operator
/// (a correction written in the wrong column), not changed in Padu since.
/// FNV-1a: stable across Rust releases, unlike `DefaultHasher`.
pub fn fingerprint(p: &RegistryPerson) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for field in shown_fields() {
        for b in field_value(p, field).bytes().chain([0x1f]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// One member as the workbook lists them.
#[derive(Debug, Clone)]
pub struct BookMember<'a> {
    /// The current record.
    pub person: &'a RegistryPerson,
    /// `None` when active; the deactivation reason's code otherwise.
    pub inactive_reason: Option<&'a str>,
    /// The latest verification finding.
    pub finding: Option<&'a VerificationRow>,
    /// Padu's suggestion for the finding, in words (empty when none).
    pub suggestion: String,
    /// The unfinished proposal about the member, if any.
    pub open_proposal: Option<i64>,
}

/// What the workbook is about.
#[derive(Debug, Clone)]
pub struct BookInfo<'a> {
    /// The village.
    pub kode_wilayah: RegionCode,
    /// Its name, for the guide's title.
    pub village_name: &'a str,
    /// When it was made, as people read it (`2026-12-03 11:05 WIB`).
    pub created: &'a str,
}

/// Writes the offline workbook of a village; returns the `.xlsx` bytes.
///
/// Members come in the order given. A village is a few thousand rows, so
/// the workbook is built in memory (which also allows drop-down lists).
pub fn write_offline_book<'a>(
    info: &BookInfo<'_>,
    members: impl IntoIterator<Item = BookMember<'a>>,
) -> Result<Vec<u8>, WriteError> {
    let mut book = Workbook::new();
    let header_grey = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xD9D9D9))
        .set_align(FormatAlign::Top);
    let header_yellow = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xFFD966))
        .set_align(FormatAlign::Top);
    let text = Format::new().set_num_format("@");
    let fill = Format::new()
        .set_num_format("@")
        .set_background_color(Color::RGB(0xFFF2CC));
    let date = Format::new().set_num_format("dd-mm-yyyy");
    let fill_date = Format::new()
        .set_num_format("dd-mm-yyyy")
        .set_background_color(Color::RGB(0xFFF2CC));

    let mut header: Vec<(&str, bool)> = vec![("id_art", false)];
    header.extend(shown_fields().map(|c| (c, false)));
    header.extend(INFO_COLUMNS.iter().map(|c| (*c, false)));
    header.extend(CHOICE_COLUMNS.iter().map(|c| (*c, true)));
    header.extend(NEW_VALUE_COLUMNS.iter().map(|(c, _)| (*c, true)));
    header.push((NOTE_COLUMN, true));
    let col = |name: &str| -> u16 {
        let i = header
            .iter()
            .position(|(h, _)| *h == name)
            .expect("a column of the layout");
        u16::try_from(i).expect("fewer than 65536 columns")
    };

    let ws = book.add_worksheet();
    ws.set_name(BOOK_SHEET)?;
    for (c, (name, editable)) in (0u16..).zip(&header) {
        let width = match *name {
            "nama" | "nama_ibu_kandung" | "baru_nama" | "baru_nama_ibu_kandung" => 24.0,
            "keterangan" | "saran_padu" => 48.0,
            "alamat" | "baru_alamat" | "catatan" => 28.0,
            "nik" | "no_kk" | "baru_nik" | "baru_no_kk" => 19.0,
            "sidik" => 4.0,
            _ => (name.chars().count() as f64 + 3.0).max(12.0),
        };
        ws.set_column_width(c, width)?;
        let is_date = matches!(*name, "tgl_meninggal" | "baru_tgl_lahir");
        match (*editable, is_date) {
            (true, true) => ws.set_column_format(c, &fill_date)?,
            (true, false) => ws.set_column_format(c, &fill)?,
            (false, _) => ws.set_column_format(c, &text)?,
        };
        let f = if *editable {
            &header_yellow
        } else {
            &header_grey
        };
        ws.write_string_with_format(0, c, *name, f)?;
    }
    ws.set_column_hidden(col("sidik"))?;
    ws.set_freeze_panes(1, 3)?;

    let mut row: u32 = 0;
    for m in members {
        row += 1;
        let p = m.person;
        put(ws, row, col("id_art"), &p.id_art, &text)?;
        for field in shown_fields() {
            if field == "tgl_lahir" {
                put_date(ws, row, col(field), p.tgl_lahir, &date)?;
            } else {
                put(ws, row, col(field), &field_value(p, field), &text)?;
            }
        }
        let status = match m.inactive_reason {
            None => "AKTIF".to_string(),
            Some(r) => format!("NONAKTIF ({r})"),
        };
        put(ws, row, col("status"), &status, &text)?;
        if let Some(f) = m.finding {
            put(ws, row, col("status_nik"), f.status.as_str(), &text)?;
            let flags: Vec<&str> = f.flags.iter().map(|x| x.as_str()).collect();
            put(ws, row, col("flags"), &flags.join(";"), &text)?;
            put(ws, row, col("tindakan"), f.tindakan.as_str(), &text)?;
            put(ws, row, col("keterangan"), &f.keterangan, &text)?;
        }
        put(ws, row, col("saran_padu"), &m.suggestion, &text)?;
        if let Some(n) = m.open_proposal {
            put(ws, row, col("usulan_terbuka"), &n.to_string(), &text)?;
        }
        put(ws, row, col("sidik"), &fingerprint(p), &text)?;
    }
    let last = row.max(1);
    ws.autofilter(0, 0, last, col(NOTE_COLUMN))?;
    // Drop-downs guide Excel users; the upload checks the codes all the same.
    let list = |codes: &[&str], title: &str, message: &str| -> Result<DataValidation, XlsxError> {
        DataValidation::new()
            .allow_list_strings(codes)?
            .set_input_title(title)?
            .set_input_message(message)
    };
    let kinds: Vec<&str> = BOOK_KINDS.iter().map(|k| k.as_str()).collect();
    let reasons: Vec<&str> = DeactivationReason::ALL.iter().map(|r| r.as_str()).collect();
    let rows_to = last.max(2000);
    ws.add_data_validation(
        1,
        col("ikuti_saran"),
        rows_to,
        col("ikuti_saran"),
        &list(
            &["YA"],
            "Ikuti saran Padu?",
            "YA: usulkan saran di kolom saran_padu.",
        )?,
    )?;
    ws.add_data_validation(
        1,
        col("jenis_usulan"),
        rows_to,
        col("jenis_usulan"),
        &list(
            &kinds,
            "Jenis usulan",
            "UBAH_DATA, PINDAH, NONAKTIF atau AKTIFKAN.",
        )?,
    )?;
    ws.add_data_validation(
        1,
        col("alasan_nonaktif"),
        rows_to,
        col("alasan_nonaktif"),
        &list(&reasons, "Alasan nonaktif", "Wajib untuk usulan NONAKTIF.")?,
    )?;

    write_guide(&mut book, info)?;
    let meta = book.add_worksheet();
    meta.set_name(META_SHEET)?;
    for (r, (k, v)) in (0u32..).zip([
        ("format", BOOK_FORMAT.to_string()),
        ("kode_wilayah", info.kode_wilayah.compact()),
        ("dibuat", info.created.to_string()),
    ]) {
        meta.write_string(r, 0, k)?;
        meta.write_string_with_format(r, 1, v, &text)?;
    }
    meta.set_hidden(true);
    book.worksheet_from_index(0)?.set_active(true);
    Ok(book.save_to_buffer()?)
}

/// Writes a text cell unless the text is empty.
fn put(ws: &mut Worksheet, row: u32, col: u16, s: &str, f: &Format) -> Result<(), XlsxError> {
    if !s.is_empty() {
        ws.write_string_with_format(row, col, s, f)?;
    }
    Ok(())
}

/// Writes a date cell (text for dates Excel cannot hold, before 1900).
fn put_date(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    d: NaiveDate,
    f: &Format,
) -> Result<(), XlsxError> {
    let excel = match (u16::try_from(d.year()), u8::try_from(d.month())) {
        (Ok(y), Ok(m)) => ExcelDateTime::from_ymd(y, m, u8::try_from(d.day()).unwrap_or(1)).ok(),
        _ => None,
    };
    match excel {
        Some(dt) => ws.write_datetime_with_format(row, col, &dt, f)?,
        None => ws.write_string(row, col, d.to_string())?,
    };
    Ok(())
}

/// The `Petunjuk` sheet: what each column means, in Indonesian and English.
fn write_guide(book: &mut Workbook, info: &BookInfo<'_>) -> Result<(), XlsxError> {
    let ws = book.add_worksheet();
    ws.set_name(GUIDE_SHEET)?;
    ws.set_column_width(0, 24.0)?;
    ws.set_column_width(1, 90.0)?;
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let title = format!(
        "Lembar kerja usulan: {} ({}), dibuat {}",
        info.village_name,
        info.kode_wilayah.compact(),
        info.created
    );
    ws.write_string_with_format(0, 0, title, &bold)?;
    let kinds: Vec<String> = BOOK_KINDS
        .iter()
        .map(|k| format!("{} ({})", k.as_str(), k.label(Lang::Id)))
        .collect();
    let reasons: Vec<String> = DeactivationReason::ALL
        .iter()
        .map(|r| format!("{} ({})", r.as_str(), r.label(Lang::Id)))
        .collect();
    let lines: Vec<(String, String)> = vec![
        (
            "Cara pakai".into(),
            "Isi kolom kuning di lembar Anggota untuk anggota yang perlu diperbaiki, simpan \
             sebagai .xlsx, lalu unggah di Padu (Usulan → Lembar kerja offline). Setiap baris \
             yang terisi menjadi usulan DRAFT. Kolom abu-abu hanya untuk dibaca: perbaikan \
             ditulis di kolom baru_*. Baris yang kosong di kolom kuning diabaikan. Mengunggah \
             lembar yang sama dua kali tidak membuat usulan baru. / Fill in the yellow columns, \
             save as .xlsx and upload it in Padu; every filled-in row becomes a draft proposal."
                .into(),
        ),
        (
            "ikuti_saran".into(),
            "YA: usulkan saran Padu di kolom saran_padu (misalnya perbaikan NIK atau nonaktif \
             karena meninggal). Jangan diisi bersama kolom kuning lainnya. / YES: propose \
             Padu's suggestion."
                .into(),
        ),
        (
            "jenis_usulan".into(),
            format!(
                "{}. Boleh dikosongkan: ada nilai baru → UBAH_DATA (PINDAH bila \
                 baru_kode_wilayah atau baru_id_keluarga diisi), ada alasan_nonaktif → NONAKTIF.",
                kinds.join(", ")
            ),
        ),
        (
            "alasan_nonaktif".into(),
            format!("Wajib untuk NONAKTIF: {}.", reasons.join(", ")),
        ),
        (
            "tgl_meninggal".into(),
            "Hanya untuk alasan MENINGGAL; tanggal (dd-mm-yyyy).".into(),
        ),
        (
            "baru_*".into(),
            "Nilai baru untuk kolom yang sama namanya; kosong berarti tidak diubah. NIK dan \
             No KK ditulis sebagai teks 16 angka (kolom sudah berformat teks). Tanggal sebagai \
             tanggal atau dd-mm-yyyy."
                .into(),
        ),
        (
            "catatan".into(),
            "Penjelasan operator; masuk ke usulan. / The operator's note.".into(),
        ),
        (
            "Galat".into(),
            "Padu menolak baris yang salah dan menyebut letaknya sebagai Anggota:baris:kolom: \
             pesan. Tanpa pilihan \"simpan baris yang benar\", satu galat membatalkan seluruh \
             unggahan. / Errors read sheet:row:column: message; by default one error \
             cancels the whole upload."
                .into(),
        ),
    ];
    for (r, (k, v)) in (2u32..).zip(lines) {
        ws.write_string_with_format(r, 0, k, &bold)?;
        ws.write_string_with_format(r, 1, v, &wrap)?;
    }
    Ok(())
}

/// One filled-in row of an uploaded workbook, checked as far as the file allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookRow {
    /// The row as Excel numbers it.
    pub row: u64,
    /// The member.
    pub id_art: String,
    /// `ikuti_saran` said yes: the proposal is Padu's suggestion.
    pub follow_suggestion: bool,
    /// The kind as written or inferred (`None` only when following the suggestion).
    pub kind: Option<ProposalKind>,
    /// The deactivation reason, for a deactivation.
    pub reason: Option<DeactivationReason>,
    /// The date of death, for a deactivation because of death.
    pub death_date: Option<NaiveDate>,
    /// New values: field → (the column it came from, the value as text).
    pub new_values: BTreeMap<&'static str, (&'static str, String)>,
    /// The operator's note.
    pub note: Option<String>,
}

/// The grey cells of one row as they are in the uploaded file, with the
/// fingerprint written at download: whether the operator typed over them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownRow {
    /// The row as Excel numbers it.
    pub row: u64,
    /// The member.
    pub id_art: String,
    /// The fingerprint written at download (see [`fingerprint`]).
    pub fingerprint: String,
    /// The grey cells, by field, as text.
    pub shown: BTreeMap<&'static str, String>,
}

/// An uploaded workbook as read: its filled-in rows and the problems found.
#[derive(Debug, Clone, Default)]
pub struct OfflineBook {
    /// The village the hidden sheet names, if it does.
    pub kode_wilayah: Option<String>,
    /// The rows without problems, in file order.
    pub rows: Vec<BookRow>,
    /// Errors, each naming its sheet, row and column (row 0: the whole file).
    pub issues: Vec<Issue>,
    /// Rows with something filled in (good or not).
    pub filled_rows: u64,
    /// Every row that still has its fingerprint, filled in or not.
    pub shown: Vec<ShownRow>,
}

/// The text of a cell; `Err` when a cell type cannot hold what the column needs.
fn cell_text(d: &Data) -> Result<String, (&'static str, String, String)> {
    Ok(match d {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "YA" } else { "TIDAK" }.to_string(),
        Data::DateTime(dt) if !dt.is_datetime() => dt.as_f64().to_string(),
        Data::DateTime(dt) => {
            let (y, m, day, ..) = dt.to_ymd_hms_milli();
            match NaiveDate::from_ymd_opt(i32::from(y), u32::from(m), u32::from(day)) {
                Some(d) => d.to_string(),
                None => {
                    return Err((
                        "TANGGAL_TIDAK_VALID",
                        "sel tanggal tidak dapat dibaca".into(),
                        "the date cell cannot be read".into(),
                    ));
                }
            }
        }
        Data::Error(e) => {
            return Err((
                "SEL_GALAT",
                format!("sel berisi galat Excel ({e})"),
                format!("the cell holds an Excel error ({e})"),
            ));
        }
    })
}

/// Reads an uploaded offline workbook (`.xlsx`, also `.ods` or `.xls` saved from it).
///
/// `file` names the upload in whole-file messages. Never fails: a file that
/// is not a workbook, or lacks the sheet or the `id_art` column, is one issue
/// with row 0.
pub fn read_offline_book(file: &str, bytes: &[u8]) -> OfflineBook {
    let mut out = OfflineBook::default();
    let file_issue = |code: &'static str, id: String, en: String| {
        Issue::new(file, 0, None, Severity::Error, code, id, en)
    };
    let mut sheets = match open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())) {
        Ok(s) => s,
        Err(e) => {
            out.issues.push(file_issue(
                "BUKAN_LEMBAR_KERJA",
                format!("bukan lembar kerja Excel atau LibreOffice yang dapat dibaca ({e})"),
                format!("not a readable Excel or LibreOffice workbook ({e})"),
            ));
            return out;
        }
    };
    if let Ok(meta) = sheets.worksheet_range(META_SHEET) {
        let value = |key: &str| {
            meta.rows()
                .find(|r| r.first().and_then(|c| cell_text(c).ok()).as_deref() == Some(key))
                .and_then(|r| r.get(1).and_then(|c| cell_text(c).ok()))
        };
        if let Some(f) = value("format")
            && f != BOOK_FORMAT
        {
            out.issues.push(file_issue(
                "FORMAT_LEMBAR_KERJA",
                format!("lembar kerja berformat {f}, Padu membaca {BOOK_FORMAT}; unduh lembar kerja yang baru"),
                format!("the workbook's format is {f}, Padu reads {BOOK_FORMAT}; download a new one"),
            ));
            return out;
        }
        out.kode_wilayah = value("kode_wilayah");
    }
    let range = match sheets.worksheet_range(BOOK_SHEET) {
        Ok(r) => r,
        Err(_) => {
            out.issues.push(file_issue(
                "LEMBAR_TIDAK_ADA",
                format!(
                    "lembar {BOOK_SHEET} tidak ada; lembar yang ada: {}",
                    sheets.sheet_names().join(", ")
                ),
                format!(
                    "there is no sheet {BOOK_SHEET}; the sheets are: {}",
                    sheets.sheet_names().join(", ")
                ),
            ));
            return out;
        }
    };
    // Excel numbers rows from the sheet's top, wherever the used range starts.
    let first_row = u64::from(range.start().map_or(0, |(r, _)| r)) + 1;
    let mut rows = range.rows();
    let header: Vec<String> = rows
        .next()
        .map(|r| {
            r.iter()
                .map(|c| cell_text(c).unwrap_or_default().to_lowercase())
                .collect()
        })
        .unwrap_or_default();
    let find = |name: &str| header.iter().position(|h| h == name);
    let Some(id_col) = find("id_art") else {
        out.issues.push(Issue::new(
            BOOK_SHEET,
            first_row,
            None,
            Severity::Error,
            "KOLOM_TIDAK_ADA",
            "kolom id_art tidak ada di baris judul",
            "the header has no id_art column",
        ));
        return out;
    };
    let columns = Columns {
        id_art: id_col,
        fingerprint: find("sidik"),
        shown: shown_fields().map(|f| (f, find(f))).collect(),
        follow: find("ikuti_saran"),
        kind: find("jenis_usulan"),
        reason: find("alasan_nonaktif"),
        death: find("tgl_meninggal"),
        new: NEW_VALUE_COLUMNS.map(|(c, f)| (c, f, find(c))),
        note: find(NOTE_COLUMN),
    };
    let mut seen: BTreeMap<String, u64> = BTreeMap::new();
    for (row, cells) in (first_row + 1..).zip(rows) {
        let cell = |i: Option<usize>| {
            i.and_then(|i| cells.get(i))
                .and_then(|d| cell_text(d).ok())
                .unwrap_or_default()
        };
        let (id_art, print) = (cell(Some(columns.id_art)), cell(columns.fingerprint));
        if !id_art.is_empty() && !print.is_empty() {
            out.shown.push(ShownRow {
                row,
                id_art,
                fingerprint: print,
                shown: columns.shown.iter().map(|(f, i)| (*f, cell(*i))).collect(),
            });
        }
        match read_row(&columns, row, cells, &mut seen) {
            ReadRow::Empty => {}
            ReadRow::Good(r) => {
                out.filled_rows += 1;
                out.rows.push(*r);
            }
            ReadRow::Bad(issues) => {
                out.filled_rows += 1;
                out.issues.extend(issues);
            }
        }
    }
    out
}

/// Where each column is in the uploaded sheet.
struct Columns {
    id_art: usize,
    fingerprint: Option<usize>,
    shown: Vec<(&'static str, Option<usize>)>,
    follow: Option<usize>,
    kind: Option<usize>,
    reason: Option<usize>,
    death: Option<usize>,
    new: [(&'static str, &'static str, Option<usize>); 11],
    note: Option<usize>,
}

/// The errors of one row, each naming its column.
struct RowErrors {
    row: u64,
    list: Vec<Issue>,
}

impl RowErrors {
    fn add(&mut self, column: &str, code: &'static str, id: String, en: String) {
        self.list.push(Issue::new(
            BOOK_SHEET,
            self.row,
            Some(column),
            Severity::Error,
            code,
            id,
            en,
        ));
    }

    /// The text of the cell in column `i`, or "" (with an error when the cell cannot be read).
    fn text(&mut self, cells: &[Data], i: Option<usize>, column: &str) -> String {
        match i.and_then(|i| cells.get(i)).map(cell_text) {
            None => String::new(),
            Some(Ok(s)) => s,
            Some(Err((code, id, en))) => {
                self.add(column, code, id, en);
                String::new()
            }
        }
    }
}

/// What one data row holds: nothing filled in, a proposal, or errors.
enum ReadRow {
    Empty,
    Good(Box<BookRow>),
    Bad(Vec<Issue>),
}

/// Reads one data row. `seen` remembers the first row of each member.
fn read_row(c: &Columns, row: u64, cells: &[Data], seen: &mut BTreeMap<String, u64>) -> ReadRow {
    let mut e = RowErrors {
        row,
        list: Vec::new(),
    };
    let follow_raw = e.text(cells, c.follow, "ikuti_saran");
    let kind_raw = e.text(cells, c.kind, "jenis_usulan");
    let reason_raw = e.text(cells, c.reason, "alasan_nonaktif");
    let death_raw = e.text(cells, c.death, "tgl_meninggal");
    let note = e.text(cells, c.note, NOTE_COLUMN);
    let mut new_values = BTreeMap::new();
    for (column, field, i) in c.new {
        if matches!(field, "nik" | "no_kk")
            && let Some(Data::Float(_) | Data::Int(_)) = i.and_then(|i| cells.get(i))
        {
            e.add(
                column,
                "NIK_SEBAGAI_ANGKA",
                "ditulis sebagai angka, sehingga Excel bisa mengubah angka terakhirnya; tulis sebagai teks".into(),
                "written as a number, so Excel may have changed its last digits; write it as text".into(),
            );
            continue;
        }
        let v = e.text(cells, i, column);
        if !v.is_empty() {
            new_values.insert(field, (column, v));
        }
    }
    let filled = !(follow_raw.is_empty()
        && kind_raw.is_empty()
        && reason_raw.is_empty()
        && death_raw.is_empty()
        && note.is_empty()
        && new_values.is_empty());
    if !filled && e.list.is_empty() {
        return ReadRow::Empty;
    }
    let id_art = e.text(cells, Some(c.id_art), "id_art");
    if id_art.is_empty() {
        e.add(
            "id_art",
            "ID_KOSONG",
            "id_art kosong; baris usulan harus menyebut anggotanya".into(),
            "id_art is empty; a proposal row must name its member".into(),
        );
    } else if let Some(first) = seen.get(&id_art) {
        e.add(
            "id_art",
            "ID_GANDA",
            format!("id_art {id_art} sudah diusulkan di baris {first}; satu baris per anggota"),
            format!("id_art {id_art} already has a proposal in row {first}; one row per member"),
        );
    } else {
        seen.insert(id_art.clone(), row);
    }
    let follow = match follow_raw.to_uppercase().as_str() {
        "" | "TIDAK" | "T" | "N" | "NO" | "0" => false,
        "YA" | "Y" | "YES" | "1" | "V" | "\u{2713}" => true,
        _ => {
            e.add(
                "ikuti_saran",
                "PILIHAN_TIDAK_DIKENAL",
                format!("\"{follow_raw}\" tidak dikenal; isi YA atau kosongkan"),
                format!("\"{follow_raw}\" is not understood; write YA or leave it empty"),
            );
            false
        }
    };
    let mut kind = None;
    if !kind_raw.is_empty() {
        match kind_raw.parse::<ProposalKind>() {
            Ok(k) if BOOK_KINDS.contains(&k) => kind = Some(k),
            Ok(k) => e.add(
                "jenis_usulan",
                "JENIS_TIDAK_DARI_LEMBAR",
                format!(
                    "{k} tidak dapat diusulkan dari lembar kerja; gunakan halaman keluarga di Padu"
                ),
                format!("{k} cannot be proposed from the workbook; use the household page in Padu"),
            ),
            Err(x) => e.add(
                "jenis_usulan",
                "JENIS_TIDAK_DIKENAL",
                x.to_string(),
                format!(
                    "unknown proposal kind \"{}\"; choose one of {}",
                    x.value, x.accepted
                ),
            ),
        }
    }
    let mut reason = None;
    if !reason_raw.is_empty() {
        match reason_raw.parse::<DeactivationReason>() {
            Ok(r) => reason = Some(r),
            Err(x) => e.add(
                "alasan_nonaktif",
                "ALASAN_TIDAK_DIKENAL",
                x.to_string(),
                format!(
                    "unknown deactivation reason \"{}\"; choose one of {}",
                    x.value, x.accepted
                ),
            ),
        }
    }
    let mut death_date = None;
    if !death_raw.is_empty() {
        match parse_date(&death_raw) {
            Ok(d) => death_date = Some(d),
            Err(x) => e.add(
                "tgl_meninggal",
                "TANGGAL_TIDAK_VALID",
                x.to_string(),
                x.message(Lang::En),
            ),
        }
    }
    if !e.list.is_empty() {
        return ReadRow::Bad(e.list);
    }
    if follow {
        if !kind_raw.is_empty() || !reason_raw.is_empty() || !new_values.is_empty() {
            e.add(
                "ikuti_saran",
                "PILIHAN_BERTENTANGAN",
                "ikuti_saran YA tidak boleh digabung dengan jenis_usulan, alasan_nonaktif atau kolom baru_*; pilih salah satu".into(),
                "ikuti_saran YA cannot be combined with jenis_usulan, alasan_nonaktif or baru_* columns; choose one".into(),
            );
        }
        kind = None;
    } else {
        // Infer the kind from what was filled in, as the guide says.
        let k = *kind.get_or_insert(if reason.is_some() {
            ProposalKind::Deactivate
        } else if new_values.contains_key("kode_wilayah") || new_values.contains_key("id_keluarga")
        {
            ProposalKind::Move
        } else {
            ProposalKind::CorrectFields
        });
        let first_new = new_values.values().next().map(|(col, _)| *col);
        match (k, first_new) {
            (ProposalKind::CorrectFields | ProposalKind::Move, None) => e.add(
                "jenis_usulan",
                "NILAI_BARU_KOSONG",
                format!("{k} tanpa nilai baru: isi kolom baru_* yang diperbaiki"),
                format!("{k} without new values: fill in the baru_* columns to correct"),
            ),
            (ProposalKind::Deactivate | ProposalKind::Reactivate, Some(col)) => e.add(
                col,
                "NILAI_BARU_TIDAK_BERLAKU",
                format!("kolom baru_* hanya untuk UBAH_DATA atau PINDAH, bukan {k}"),
                format!("baru_* columns belong to UBAH_DATA or PINDAH, not to {k}"),
            ),
            _ => {}
        }
        match (k, reason) {
            (ProposalKind::Deactivate, None) => e.add(
                "alasan_nonaktif",
                "ALASAN_KOSONG",
                "usulan NONAKTIF wajib menyebut alasan_nonaktif".into(),
                "a NONAKTIF proposal needs alasan_nonaktif".into(),
            ),
            (k, Some(_)) if k != ProposalKind::Deactivate => e.add(
                "alasan_nonaktif",
                "ALASAN_TIDAK_BERLAKU",
                format!("alasan_nonaktif hanya untuk NONAKTIF, bukan {k}"),
                format!("alasan_nonaktif belongs only to NONAKTIF, not to {k}"),
            ),
            _ => {}
        }
    }
    if death_date.is_some() && reason != Some(DeactivationReason::Meninggal) {
        e.add(
            "tgl_meninggal",
            "TANGGAL_TIDAK_BERLAKU",
            "tgl_meninggal hanya untuk alasan MENINGGAL".into(),
            "tgl_meninggal belongs only to the reason MENINGGAL".into(),
        );
    }
    if !e.list.is_empty() {
        return ReadRow::Bad(e.list);
    }
    ReadRow::Good(Box::new(BookRow {
        row,
        id_art,
        follow_suggestion: follow,
        kind,
        reason,
        death_date,
        new_values,
        note: (!note.is_empty()).then_some(note),
    }))
}

#[cfg(test)]
mod tests {
    use padu_core::{Flag, NikStatus};
    use padu_testkit::sheet::{Edit, Typed, fill_in, text};
    use padu_testkit::{code, person, ymd};

    use super::*;

    fn book() -> (Vec<u8>, Vec<RegistryPerson>) {
        let people = vec![
            person("A1", Some("K1"), "3201010001", "BUDI"),
            person("A2", Some("K1"), "3201010001", "SITI"),
            person("A3", Some("K2"), "3201010001", "ANI"),
        ];
        let finding = VerificationRow {
            id_art: "A2".into(),
            status: NikStatus::Padan,
            flags: vec![Flag::Meninggal],
            tindakan: padu_core::Action::Hapus,
            nik_usulan: None,
            skor: Some(0.99),
            id_kelompok_ganda: None,
            id_art_utama: None,
            keterangan: "Dukcapil mencatat orang ini sudah meninggal".into(),
        };
        let members: Vec<BookMember<'_>> = people
            .iter()
            .map(|p| BookMember {
                person: p,
                inactive_reason: None,
                finding: (p.id_art == "A2").then_some(&finding),
                suggestion: if p.id_art == "A2" {
                    "NONAKTIF (MENINGGAL)".into()
                } else {
                    String::new()
                },
                open_proposal: None,
            })
            .collect();
        let info = BookInfo {
            kode_wilayah: code("3201010001"),
            village_name: "DESA UJI",
            created: "2026-12-03 11:00 WIB",
        };
        (write_offline_book(&info, members).unwrap(), people)
    }

    fn edit<'a>(row_key: &'a str, column: &'a str, value: Typed) -> Edit<'a> {
        Edit {
            sheet: BOOK_SHEET,
            row_key,
            column,
            value,
        }
    }

    #[test]
    fn an_untouched_workbook_reads_back_as_nothing_to_propose() {
        let (bytes, people) = book();
        let read = read_offline_book("desa.xlsx", &bytes);
        assert_eq!(read.kode_wilayah.as_deref(), Some("3201010001"));
        assert!(read.rows.is_empty() && read.issues.is_empty(), "{read:?}");
        assert_eq!(read.filled_rows, 0);
        // Saved again by another program, still nothing; the fingerprint survives.
        let again = fill_in(&bytes, &[]);
        let read = read_offline_book("desa.xlsx", &again);
        assert!(read.rows.is_empty() && read.issues.is_empty(), "{read:?}");
        let with_note = fill_in(&bytes, &[edit("A1", "catatan", text("cek"))]);
        let read = read_offline_book("desa.xlsx", &with_note);
        assert_eq!(read.issues.len(), 1, "a note alone proposes nothing");
        let _ = read;
        let filled = fill_in(&bytes, &[edit("A1", "baru_nama", text("BUDI SANTOSO"))]);
        let read = read_offline_book("desa.xlsx", &filled);
        assert_eq!(read.rows.len(), 1);
        assert_eq!(read.shown.len(), 3, "every row keeps its fingerprint");
        let r = &read.shown[0];
        assert_eq!((r.row, r.id_art.as_str()), (2, "A1"));
        assert_eq!(r.fingerprint, fingerprint(&people[0]));
        assert_eq!(r.shown["nama"], "BUDI");
        assert_eq!(r.shown["tgl_lahir"], people[0].tgl_lahir.to_string());
        assert_eq!(r.shown["nik"], people[0].nik.to_cell());
    }

    #[test]
    fn filled_in_rows_become_proposals_with_their_kind_inferred() {
        let (bytes, _) = book();
        let filled = fill_in(
            &bytes,
            &[
                edit("A1", "baru_nama", text("BUDI SANTOSO")),
                edit("A1", "baru_tgl_lahir", Typed::Date(ymd(1980, 3, 15))),
                edit("A2", "ikuti_saran", text("ya")),
                edit("A3", "alasan_nonaktif", text("pindah")),
                edit("A3", "catatan", text("pindah ke Depok")),
            ],
        );
        let read = read_offline_book("desa.xlsx", &filled);
        assert!(read.issues.is_empty(), "{:?}", read.issues);
        assert_eq!(read.filled_rows, 3);
        let [a1, a2, a3] = &read.rows[..] else {
            panic!("{:?}", read.rows)
        };
        assert_eq!((a1.row, a1.kind), (2, Some(ProposalKind::CorrectFields)));
        assert_eq!(a1.new_values["nama"], ("baru_nama", "BUDI SANTOSO".into()));
        assert_eq!(
            a1.new_values["tgl_lahir"],
            ("baru_tgl_lahir", "1980-03-15".into()),
            "a date cell reads as a date"
        );
        assert!(a2.follow_suggestion && a2.kind.is_none());
        assert_eq!(a3.kind, Some(ProposalKind::Deactivate));
        assert_eq!(a3.reason, Some(DeactivationReason::Pindah));
        assert_eq!(a3.note.as_deref(), Some("pindah ke Depok"));
        let moved = fill_in(&bytes, &[edit("A1", "baru_id_keluarga", text("K2"))]);
        let read = read_offline_book("desa.xlsx", &moved);
        assert_eq!(read.rows[0].kind, Some(ProposalKind::Move));
    }

    #[test]
    fn every_mistake_is_named_by_sheet_row_and_column() {
        let (bytes, _) = book();
        let filled = fill_in(
            &bytes,
            &[
                edit("A1", "jenis_usulan", text("HAPUS")),
                edit("A2", "baru_nik", Typed::Number(3_201_011_403_800_001.0)),
                edit("A3", "jenis_usulan", text("NONAKTIF")),
                edit("A3", "tgl_meninggal", text("31-02-2020")),
            ],
        );
        let read = read_offline_book("desa.xlsx", &filled);
        assert!(read.rows.is_empty());
        let messages: Vec<String> = read.issues.iter().map(|i| i.message(Lang::Id)).collect();
        assert_eq!(messages.len(), 3, "{messages:#?}");
        assert!(
            messages[0].starts_with("Anggota:2:jenis_usulan: jenis usulan \"HAPUS\" tidak dikenal"),
            "{messages:#?}"
        );
        assert!(
            messages[1].starts_with("Anggota:3:baru_nik: ditulis sebagai angka"),
            "{messages:#?}"
        );
        assert!(
            messages[2].starts_with("Anggota:4:tgl_meninggal: "),
            "{messages:#?}"
        );
        // The combinations a row may not hold.
        for (edits, column) in [
            (
                vec![
                    edit("A1", "ikuti_saran", text("YA")),
                    edit("A1", "baru_nama", text("X")),
                ],
                "ikuti_saran",
            ),
            (
                vec![edit("A1", "jenis_usulan", text("NONAKTIF"))],
                "alasan_nonaktif",
            ),
            (
                vec![edit("A1", "jenis_usulan", text("UBAH_DATA"))],
                "jenis_usulan",
            ),
            (
                vec![
                    edit("A1", "jenis_usulan", text("AKTIFKAN")),
                    edit("A1", "baru_alamat", text("X")),
                ],
                "baru_alamat",
            ),
            (
                vec![
                    edit("A1", "alasan_nonaktif", text("GANDA")),
                    edit("A1", "tgl_meninggal", text("01-01-2020")),
                ],
                "tgl_meninggal",
            ),
            (
                vec![edit("A1", "jenis_usulan", text("TAMBAH_ART"))],
                "jenis_usulan",
            ),
            (
                vec![edit("A1", "ikuti_saran", text("mungkin"))],
                "ikuti_saran",
            ),
        ] {
            let read = read_offline_book("desa.xlsx", &fill_in(&bytes, &edits));
            assert_eq!(read.issues.len(), 1, "{edits:?}: {:?}", read.issues);
            assert_eq!(read.issues[0].column.as_deref(), Some(column), "{edits:?}");
            assert_eq!(read.issues[0].row, 2);
            assert!(!read.issues[0].text_en.is_empty());
        }
    }

    #[test]
    fn a_file_that_is_not_the_workbook_is_one_clear_error() {
        let read = read_offline_book("foto.jpg", b"\xff\xd8\xff\xe0 not a workbook");
        assert_eq!(read.issues.len(), 1);
        assert!(
            read.issues[0]
                .message(Lang::Id)
                .starts_with("foto.jpg: bukan lembar kerja")
        );
        let mut other = Workbook::new();
        other.add_worksheet().set_name("Sheet1").unwrap();
        let read = read_offline_book("lain.xlsx", &other.save_to_buffer().unwrap());
        assert!(
            read.issues[0]
                .message(Lang::Id)
                .contains("lembar Anggota tidak ada"),
            "{:?}",
            read.issues
        );
    }
}
