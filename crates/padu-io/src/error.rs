//! Why a whole file could not be read or written.

use padu_core::Lang;
use padu_core::lang::Localized;
use thiserror::Error;

use crate::issue::Issue;

fn join(issues: &[Issue], lang: Lang) -> String {
    issues
        .iter()
        .map(|i| i.message(lang))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A reason to refuse a whole file before (or instead of) reading its rows.
///
/// Row-level problems are not errors: they come back as [`Issue`]s on each
/// [`crate::Row`]. The Indonesian message is the `Display`; English comes from
/// [`Localized::message`].
#[derive(Debug, Error)]
pub enum ReadError {
    /// The file does not exist.
    #[error("berkas {path} tidak ditemukan")]
    NotFound {
        /// The path as given.
        path: String,
    },
    /// The file exists but could not be read (permissions, I/O error, broken workbook).
    #[error("berkas {path} tidak dapat dibaca: {reason}")]
    Unreadable {
        /// The path as given.
        path: String,
        /// The operating system's or parser's reason.
        reason: String,
    },
    /// The extension names no format Padu reads.
    #[error(
        "format berkas {path} tidak didukung (.{ext}); gunakan .csv, .tsv, .txt, .xlsx, .xlsm, .xls, .ods atau .parquet"
    )]
    UnsupportedExtension {
        /// The path as given.
        path: String,
        /// The extension found (may be empty).
        ext: String,
    },
    /// Required columns are missing; one issue per column, all at once.
    #[error("{}", join(.0, Lang::Id))]
    MissingColumns(Vec<Issue>),
    /// A column name appears more than once in the header.
    #[error("{}", join(.0, Lang::Id))]
    DuplicateColumns(Vec<Issue>),
    /// The file (or sheet) has no header row.
    #[error("berkas {path} kosong: tidak ada baris judul kolom")]
    Empty {
        /// The path as given.
        path: String,
    },
    /// The bytes are not text in any encoding Padu can decode.
    #[error(
        "berkas {path} bukan teks yang dapat dibaca ({detail}); simpan ulang dari Excel sebagai \"CSV UTF-8\""
    )]
    Undecodable {
        /// The path as given.
        path: String,
        /// What was found, in Indonesian.
        detail: String,
        /// What was found, in English.
        detail_en: String,
    },
    /// The requested sheet does not exist.
    #[error("lembar {sheet:?} tidak ada di {path}; lembar yang ada: {}", .available.join(", "))]
    BadSheet {
        /// The path as given.
        path: String,
        /// The sheet asked for.
        sheet: String,
        /// The sheets the workbook has.
        available: Vec<String>,
    },
    /// A file named `.parquet` that is not Parquet, or whose footer or schema is broken.
    #[error("berkas {path} bukan berkas Parquet yang sah: {reason}")]
    NotParquet {
        /// The path as given.
        path: String,
        /// The Parquet reader's reason, in English.
        reason: String,
    },
    /// A Parquet file compressed with a codec this build of Padu does not include.
    #[error(
        "berkas {path} dikompresi dengan {codec} (kolom \"{column}\"), yang tidak didukung; tulis ulang dengan kompresi {supported} atau tanpa kompresi"
    )]
    UnsupportedCompression {
        /// The path as given.
        path: String,
        /// The first column found with that codec.
        column: String,
        /// The codec's Parquet name, e.g. `BROTLI`.
        codec: String,
        /// The codecs Padu reads, for the advice.
        supported: String,
    },
    /// Spec columns stored in a type that cannot be read (a Parquet list or struct); one issue per column.
    #[error("{}", join(.0, Lang::Id))]
    UnreadableColumns(Vec<Issue>),
    /// Rows of a file that must be read whole (e.g. a verification result) are invalid.
    #[error("{}", join(.0, Lang::Id))]
    InvalidRows(Vec<Issue>),
    /// A column mapping (`--map`) that cannot be applied to this file.
    #[error("pemetaan kolom tidak dapat dipakai: {detail}")]
    BadMapping {
        /// What is wrong, in Indonesian.
        detail: String,
        /// What is wrong, in English.
        detail_en: String,
    },
}

impl ReadError {
    /// The issues carried by the variants that list them.
    pub fn issues(&self) -> &[Issue] {
        match self {
            ReadError::MissingColumns(v)
            | ReadError::DuplicateColumns(v)
            | ReadError::UnreadableColumns(v)
            | ReadError::InvalidRows(v) => v,
            _ => &[],
        }
    }
}

impl Localized for ReadError {
    fn message(&self, lang: Lang) -> String {
        if lang == Lang::Id {
            return self.to_string();
        }
        match self {
            ReadError::NotFound { path } => format!("file {path} not found"),
            ReadError::Unreadable { path, reason } => {
                format!("file {path} cannot be read: {reason}")
            }
            ReadError::UnsupportedExtension { path, ext } => format!(
                "file format of {path} is not supported (.{ext}); use .csv, .tsv, .txt, .xlsx, .xlsm, .xls, .ods or .parquet"
            ),
            ReadError::MissingColumns(v)
            | ReadError::DuplicateColumns(v)
            | ReadError::UnreadableColumns(v)
            | ReadError::InvalidRows(v) => join(v, Lang::En),
            ReadError::NotParquet { path, reason } => {
                format!("file {path} is not a valid Parquet file: {reason}")
            }
            ReadError::BadMapping { detail_en, .. } => {
                format!("the column mapping cannot be used: {detail_en}")
            }
            ReadError::UnsupportedCompression {
                path,
                column,
                codec,
                supported,
            } => format!(
                "file {path} is compressed with {codec} (column \"{column}\"), which is not supported; write it again with {supported} compression or none"
            ),
            ReadError::Empty { path } => format!("file {path} is empty: there is no header row"),
            ReadError::Undecodable {
                path, detail_en, ..
            } => format!(
                "file {path} is not readable text ({detail_en}); save it again from Excel as \"CSV UTF-8\""
            ),
            ReadError::BadSheet {
                path,
                sheet,
                available,
            } => format!(
                "sheet {sheet:?} is not in {path}; available sheets: {}",
                available.join(", ")
            ),
        }
    }
}

/// A reason a file could not be written.
#[derive(Debug, Error)]
pub enum WriteError {
    /// The extension names no format Padu writes.
    #[error(
        "format berkas {path} tidak didukung untuk ditulis (.{ext}); gunakan .csv, .xlsx atau .parquet"
    )]
    UnsupportedExtension {
        /// The path as given.
        path: String,
        /// The extension found (may be empty).
        ext: String,
    },
    /// Writing to disk failed.
    #[error("gagal menulis berkas: {0}")]
    Io(#[from] std::io::Error),
    /// The CSV writer failed.
    #[error("gagal menulis CSV: {0}")]
    Csv(#[from] csv::Error),
    /// The XLSX writer failed.
    #[error("gagal menulis XLSX: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// The Parquet writer failed.
    #[error("gagal menulis Parquet: {0}")]
    Parquet(#[from] parquet::errors::ParquetError),
}

impl Localized for WriteError {
    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (_, Lang::Id) => self.to_string(),
            (WriteError::UnsupportedExtension { path, ext }, Lang::En) => format!(
                "file format of {path} is not supported for writing (.{ext}); use .csv, .xlsx or .parquet"
            ),
            (WriteError::Io(e), Lang::En) => format!("cannot write file: {e}"),
            (WriteError::Csv(e), Lang::En) => format!("cannot write CSV: {e}"),
            (WriteError::Xlsx(e), Lang::En) => format!("cannot write XLSX: {e}"),
            (WriteError::Parquet(e), Lang::En) => format!("cannot write Parquet: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::issue::Severity;

    #[test]
    fn errors_speak_both_languages_and_list_their_issues() {
        let e = ReadError::BadSheet {
            path: "a.xlsx".into(),
            sheet: "X".into(),
            available: vec!["Data".into(), "Lain".into()],
        };
        assert_eq!(
            e.to_string(),
            "lembar \"X\" tidak ada di a.xlsx; lembar yang ada: Data, Lain"
        );
        assert_eq!(
            e.message(Lang::En),
            "sheet \"X\" is not in a.xlsx; available sheets: Data, Lain"
        );
        let issue = Issue::new(
            "a.csv",
            1,
            Some("nik"),
            Severity::Error,
            "K",
            "hilang",
            "missing",
        );
        let e = ReadError::MissingColumns(vec![issue.clone(), issue]);
        assert_eq!(e.issues().len(), 2);
        assert_eq!(e.to_string(), "a.csv:1:nik: hilang\na.csv:1:nik: hilang");
        assert_eq!(
            e.message(Lang::En),
            "a.csv:1:nik: missing\na.csv:1:nik: missing"
        );
    }
}
