//! Reading and writing Padu's interchange files (CSV, XLSX, Parquet) into core types with row-level issues.
//!
//! The formats are the public contract in `spec/interchange.md`: the registry
//! (DTKS) file, the civil-registry (Dukcapil) extract and the verification
//! result. This crate turns them into [`padu_core`] types and back.
//!
//! # Reading
//!
//! [`RegistryReader`] and [`CivilReader`] open a file, check its header and
//! then yield one [`Row`] per data row. Nothing but the set of ids already
//! seen grows with the file, so a million-row CSV streams in constant memory;
//! workbooks are read with calamine's cell reader on a worker thread behind a
//! small bounded channel, and Parquet files a batch of 1024 records at a time.
//!
//! - **CSV**: UTF-8 with or without BOM; the delimiter (`,`, `;` as Excel writes in
//!   the Indonesian locale, or tab) is taken from the header line. A field that is
//!   not valid UTF-8 is decoded as Windows-1252 (what Excel's plain "CSV" saves) and
//!   the file gets one warning saying so; UTF-16 with a BOM is decoded; a file with
//!   NUL bytes is refused as not text. Mojibake never gets in.
//! - **Workbooks** (`.xlsx`, `.xlsm`, `.xls`, `.ods`): the first sheet unless
//!   [`ReadOptions::sheet`] (or the mapping's `lembar`) names another.
//!   Real date cells are dates. A NIK or No KK in a *number* cell is never trusted:
//!   it is kept as [`padu_core::IdField::Invalid`] with
//!   [`padu_core::NikError::ExcelNumber`] holding the number as Excel shows it.
//! - **Parquet** (`.parquet`, for large extracts): read with the `parquet`
//!   crate's column readers, row group by row group, no Arrow. Strings are
//!   text; integers and `DECIMAL`s are their exact digits, so a NIK in an
//!   `INT64` column reads as its 16 digits; `DATE`, `TIMESTAMP` and `INT96`
//!   are dates (a UTC timestamp gives the day whose local midnight it is);
//!   `FLOAT`/`DOUBLE` are treated like spreadsheet numbers, except that a NIK
//!   stored that way is flagged with its own reason
//!   ([`padu_core::NikError::ParquetFloat`]); null is an empty cell; text
//!   that is not UTF-8 is read as Windows-1252 with a warning. A list or
//!   struct column is refused
//!   ([`ReadError::UnreadableColumns`]) when it is a spec column and ignored
//!   with a warning otherwise. Snappy, Zstandard and uncompressed files are read;
//!   other codecs are refused up front ([`ReadError::UnsupportedCompression`]),
//!   and a file that is not Parquet at all is [`ReadError::NotParquet`].
//! - **Header**: the first row within [`HEADER_SEARCH_ROWS`] whose names cover
//!   the required columns; title rows above it are skipped ([`HeaderInfo`]).
//!   Names match after folding (case, spaces and punctuation dropped), then
//!   through the alias table of the spellings offices use (`No. KK`, `L/P`,
//!   `Desa/Kelurahan`, ...), then through a [`Mapping`] file; a village may
//!   be given by name or as separate code columns. Unknown columns are kept
//!   in order as `extra`; all missing required columns are reported at once
//!   ([`ReadError::MissingColumns`]) for the row that came closest.
//!   [`suggest_mapping`] says what each column would be read as, without
//!   failing on missing ones.
//!
//! Problems inside rows are [`Issue`]s, never [`ReadError`]s:
//!
//! - **Errors** (the row's `record` is `None`): a required value missing, an
//!   impossible, ambiguous or future date, an unknown `jenis_kelamin`, an unknown
//!   village code, a duplicate `id_art` (or, in the civil file, a duplicate or
//!   invalid NIK) naming the earlier row, the wrong number of fields.
//! - **Warnings** (the record is kept): an invalid NIK or No KK, including Excel's
//!   manglings (`3.27601E+15`, `3276010101900001.0`, number cells) and survey
//!   placeholders meaning "tanpa NIK"; an unknown `hubungan_keluarga` (left empty);
//!   a retired village code; a date read from an Excel serial number.
//!
//! Every issue reads `file:row:column: message`, with rows numbered as Excel
//! shows them (the first line is 1, empty lines and title rows above the header
//! count; a CSV record with a quoted line break is one row, as
//! in Excel; a first line `sep=;` is honoured and not counted; Parquet has no
//! header line but is numbered as if it had one, so record `n`, counted from 0
//! as pandas and DuckDB do, is row `n + 2`), in Bahasa Indonesia ([`std::fmt::Display`]) or
//! English ([`Issue::message`]). After [`ReadOptions::max_issues`] issues the
//! rest are counted and summarised in one last file issue; rows whose errors
//! were left out still have `record: None`.
//!
//! # Writing
//!
//! [`write_registry`], [`write_civil`] and [`ResultWriter`] write `.csv`
//! (UTF-8, comma, header in spec order, dates `YYYY-MM-DD`), `.xlsx`
//! (constant memory, bold frozen header, identity numbers as text cells in text
//! columns, dates as date cells shown `dd-mm-yyyy`) or `.parquet` (Snappy,
//! optional UTF-8 string columns, identity numbers included, and `DATE`
//! columns; empty text is null; one row group per 65,536 rows).
//! [`read_results`] reads a result file back for scoring.

//! # Layout
//!
//! The modules form layers, and each one imports only from the lines below
//! its own, so there is no cycle:
//!
//! ```text
//! read · results · write    records <-> rows: RegistryReader, CivilReader, read_results, write_*, ResultWriter;
//!                           the header search (find_header, suggest_mapping)
//! fields                    header -> column map; one row's cells -> typed fields and issues
//! aliases · mapping         column names as offices write them (data); the --map file
//! schema                    each file type's columns, once: name, kind, required
//! format                    the one place that picks the format from the file name
//! format::csv · format::workbook · format::parquet::{read, write}
//!                           one file format each, knowing nothing above `table`
//! table                     the format-neutral leaf: Cell, RawRow, Opened, Kind, Out, io_error
//! error                     ReadError, WriteError
//! issue                     Issue, Severity, Budget
//! ```
//!
//! A format module turns a file into cells and rows and writes cells typed
//! by their column's kind; it never sees a record. The record layer names
//! columns through `schema` (`Registry::Nik`), never by index or string,
//! and reaches the formats only through `format`.

mod aliases;
mod error;
mod fields;
mod format;
mod issue;
mod mapping;
mod offline;
mod read;
mod results;
mod schema;
mod table;
mod write;

pub use error::{ReadError, WriteError};
pub use issue::{Issue, Severity};
pub use mapping::{EXTRA, Mapping, MappingError};
pub use offline::{
    BOOK_FORMAT, BOOK_SHEET, BookInfo, BookMember, BookRow, NEW_VALUE_COLUMNS, OfflineBook,
    ShownRow, fingerprint, read_offline_book, write_offline_book,
};
/// The spec's column lists, kept in padu-core so every crate writes the same contract.
pub use padu_core::{CIVIL_COLUMNS, REGISTRY_COLUMNS};
pub use read::{
    CivilReader, FileType, HEADER_SEARCH_ROWS, HeaderInfo, KeyedRow, ReadOptions, RegistryReader,
    Row, Suggestion, parquet_row_groups, suggest_mapping,
};
pub use results::read_results;
pub use write::{
    RegistryWriter, ReportKind, ResultSubject, ResultWriter, write_civil, write_registry,
    write_report, write_result_workbook,
};
