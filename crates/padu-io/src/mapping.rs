//! A saved column mapping (`--map mapping.toml`) for what the aliases cannot guess.
//!
//! The file is TOML with Indonesian keys (English ones are accepted too):
//!
//! ```toml
//! baris_judul = 3                 # header_row: the header's row as Excel shows it
//! lembar = "DTKS"                 # sheet
//! format_tanggal = "MM/DD/YYYY"   # date_format: DD, MM, YYYY, YY and separators, or a chrono pattern
//!
//! [kolom]                         # columns: header as written -> Padu field, or "-" for extra data
//! "NO. KARTU KELUARGA" = "no_kk"
//! "STATUS PKH" = "-"
//!
//! [tetap]                         # fixed: a value for a field the file has no column for
//! kode_wilayah = "3276011001"
//! ```
//!
//! Header names in `[kolom]` are compared folded, like every header.
//! `padu import … --suggest-map FILE` writes the mapping Padu inferred in
//! this shape, so an operator corrects it once and reuses it every month.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The field name that keeps a column as extra data instead of a Padu field.
pub const EXTRA: &str = "-";

/// How a file's columns map to Padu's fields, beyond the built-in aliases.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// The header's row number as Excel shows it; searched for when `None`.
    #[serde(
        rename = "baris_judul",
        alias = "header_row",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub header_row: Option<u64>,
    /// The worksheet to read; the first when `None` (a `--sheet` option wins).
    #[serde(
        rename = "lembar",
        alias = "sheet",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub sheet: Option<String>,
    /// How dates written as text are ordered, e.g. `MM/DD/YYYY`; the spec's formats when `None`.
    #[serde(
        rename = "format_tanggal",
        alias = "date_format",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub date_format: Option<String>,
    /// Header as written → Padu field name (or [`EXTRA`]).
    #[serde(rename = "kolom", alias = "columns", default)]
    pub columns: BTreeMap<String, String>,
    /// Padu field name → the value every row gets when the file has no such column.
    #[serde(rename = "tetap", alias = "fixed", default)]
    pub fixed: BTreeMap<String, String>,
}

/// Why a mapping file could not be read.
#[derive(Debug, Error)]
pub enum MappingError {
    /// The text is not TOML of the expected shape.
    #[error("berkas pemetaan {path} tidak sah: {reason}")]
    Syntax {
        /// The mapping file.
        path: String,
        /// The TOML parser's explanation (with line and column).
        reason: String,
    },
    /// `format_tanggal` is not a pattern Padu understands.
    #[error(
        "format_tanggal \"{0}\" tidak dikenal; tulis misalnya DD/MM/YYYY, MM/DD/YYYY, YYYY-MM-DD atau DD.MM.YY"
    )]
    DateFormat(String),
}

impl padu_core::lang::Localized for MappingError {
    fn message(&self, lang: padu_core::Lang) -> String {
        match (self, lang) {
            (_, padu_core::Lang::Id) => self.to_string(),
            (MappingError::Syntax { path, reason }, _) => {
                format!("mapping file {path} is not valid: {reason}")
            }
            (MappingError::DateFormat(f), _) => format!(
                "date_format \"{f}\" is not recognised; write e.g. DD/MM/YYYY, MM/DD/YYYY, YYYY-MM-DD or DD.MM.YY"
            ),
        }
    }
}

impl Mapping {
    /// Parses a mapping file's text; `path` names it in messages.
    pub fn parse(text: &str, path: &str) -> Result<Mapping, MappingError> {
        let m: Mapping = toml::from_str(text).map_err(|e| MappingError::Syntax {
            path: path.to_string(),
            reason: e.to_string().trim().replace('\n', " "),
        })?;
        if let Some(f) = &m.date_format {
            chrono_pattern(f)?;
        }
        Ok(m)
    }

    /// The date pattern in chrono's syntax, if the mapping sets one.
    pub(crate) fn date_pattern(&self) -> Result<Option<String>, MappingError> {
        self.date_format.as_deref().map(chrono_pattern).transpose()
    }

    /// The mapping as a commented TOML file an operator can correct and reuse.
    ///
    /// `source` names the file it was inferred from; `order` lists headers in
    /// the file's order, written first so the file reads like the sheet (the
    /// rest follow sorted); `missing` lists required fields nothing was found
    /// for, written as commented-out fixed values.
    pub fn to_toml(&self, source: &str, order: &[&str], missing: &[&str]) -> String {
        let q = |s: &str| toml::Value::String(s.to_string()).to_string();
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# Pemetaan kolom yang disimpulkan Padu dari {source}.\n\
             # Periksa, perbaiki bila perlu, lalu pakai ulang setiap bulan:\n\
             #   padu import registry|civil BERKAS --map BERKAS_INI.toml\n\
             # Di [kolom], nilai adalah nama kolom Padu (lihat docs/interchange.md),\n\
             # atau \"-\" untuk menyimpan kolom itu sebagai data tambahan.\n"
        );
        if let Some(r) = self.header_row {
            let _ = writeln!(out, "baris_judul = {r}");
        }
        if let Some(s) = &self.sheet {
            let _ = writeln!(out, "lembar = {}", q(s));
        }
        match &self.date_format {
            Some(f) => {
                let _ = writeln!(out, "format_tanggal = {}", q(f));
            }
            None => {
                let _ = writeln!(
                    out,
                    "# format_tanggal = \"DD/MM/YYYY\"  # hanya bila tanggal ditulis sebagai teks dengan urutan lain"
                );
            }
        }
        let _ = writeln!(out, "\n[kolom]");
        let first = order.iter().filter_map(|h| self.columns.get_key_value(*h));
        let rest = self
            .columns
            .iter()
            .filter(|(h, _)| !order.contains(&h.as_str()));
        for (header, field) in first.chain(rest) {
            let _ = writeln!(out, "{} = {}", q(header), q(field));
        }
        let _ = writeln!(out, "\n[tetap]");
        for (field, value) in &self.fixed {
            let _ = writeln!(out, "{field} = {}", q(value));
        }
        if !missing.is_empty() {
            let _ = writeln!(
                out,
                "# Kolom wajib yang tidak ditemukan: petakan kolomnya di [kolom] di atas,\n\
                 # atau beri nilai tetap untuk semua baris di sini:"
            );
            for m in missing {
                let _ = writeln!(out, "# {m} = \"\"");
            }
        }
        out
    }
}

/// Turns `DD/MM/YYYY`-style patterns (or a chrono pattern with `%`) into chrono's syntax.
fn chrono_pattern(f: &str) -> Result<String, MappingError> {
    let bad = || MappingError::DateFormat(f.to_string());
    if f.contains('%') {
        // A chrono pattern: accept it if it can print a date and read that back.
        let d = NaiveDate::from_ymd_opt(1990, 12, 31).ok_or_else(bad)?;
        let mut shown = String::new();
        write!(shown, "{}", d.format(f)).map_err(|_| bad())?;
        return match NaiveDate::parse_from_str(&shown, f) {
            Ok(back) if back == d => Ok(f.to_string()),
            _ => Err(bad()),
        };
    }
    let upper = f.trim().to_uppercase();
    let mut out = String::new();
    let mut rest = upper.as_str();
    let (mut day, mut month, mut year) = (false, false, false);
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("YYYY") {
            out.push_str("%Y");
            year = true;
            rest = r;
        } else if let Some(r) = rest.strip_prefix("YY") {
            out.push_str("%y");
            year = true;
            rest = r;
        } else if let Some(r) = rest.strip_prefix("MM") {
            out.push_str("%m");
            month = true;
            rest = r;
        } else if let Some(r) = rest.strip_prefix("DD") {
            out.push_str("%d");
            day = true;
            rest = r;
        } else {
            let c = rest.chars().next().ok_or_else(bad)?;
            if !matches!(c, '/' | '-' | '.' | ' ') {
                return Err(bad());
            }
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    if day && month && year {
        Ok(out)
    } else {
        Err(bad())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mapping_file_reads_with_indonesian_or_english_keys() {
        let id = Mapping::parse(
            "baris_judul = 3\nformat_tanggal = \"MM/DD/YYYY\"\n[kolom]\n\"NO. KARTU KELUARGA\" = \"no_kk\"\n[tetap]\nkode_wilayah = \"3276011001\"\n",
            "m.toml",
        )
        .unwrap();
        let en = Mapping::parse(
            "header_row = 3\ndate_format = \"MM/DD/YYYY\"\n[columns]\n\"NO. KARTU KELUARGA\" = \"no_kk\"\n[fixed]\nkode_wilayah = \"3276011001\"\n",
            "m.toml",
        )
        .unwrap();
        assert_eq!(id, en);
        assert_eq!(id.header_row, Some(3));
        assert_eq!(id.date_pattern().unwrap().as_deref(), Some("%m/%d/%Y"));
        assert_eq!(id.fixed["kode_wilayah"], "3276011001");
    }

    #[test]
    fn a_bad_mapping_file_names_the_file_and_the_line() {
        let e = Mapping::parse("baris_judul = 3\n[kolom\n", "peta.toml").unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("peta.toml") && text.contains("line 2"),
            "{text}"
        );
        let e = Mapping::parse("judul = 3\n", "peta.toml").unwrap_err();
        assert!(e.to_string().contains("judul"), "{e}");
        let e = Mapping::parse("format_tanggal = \"bulan/hari\"\n", "peta.toml").unwrap_err();
        assert!(matches!(e, MappingError::DateFormat(_)), "{e}");
    }

    #[test]
    fn date_formats_are_written_the_way_people_write_them() {
        for (f, chrono) in [
            ("DD/MM/YYYY", "%d/%m/%Y"),
            ("mm/dd/yyyy", "%m/%d/%Y"),
            ("YYYY-MM-DD", "%Y-%m-%d"),
            ("DD.MM.YY", "%d.%m.%y"),
            ("%d %B %Y", "%d %B %Y"),
        ] {
            assert_eq!(chrono_pattern(f).unwrap(), chrono, "{f}");
        }
        for bad in ["DD/MM", "tanggal", "%Q", "DD/MM/YYYY hh"] {
            assert!(chrono_pattern(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_suggested_mapping_reads_back_as_the_same_mapping() {
        let mut m = Mapping {
            header_row: Some(3),
            sheet: Some("DTKS \"Okt\"".into()),
            ..Mapping::default()
        };
        m.columns.insert("NO KK".into(), "no_kk".into());
        m.columns.insert("STATUS PKH".into(), EXTRA.into());
        m.fixed.insert("kode_wilayah".into(), "3276011001".into());
        let text = m.to_toml("data.xlsx", &["STATUS PKH", "NO KK"], &["tgl_lahir"]);
        assert!(text.contains("# tgl_lahir = \"\""), "{text}");
        assert!(
            text.find("STATUS PKH") < text.find("NO KK"),
            "columns in file order: {text}"
        );
        assert_eq!(Mapping::parse(&text, "m.toml").unwrap(), m);
    }
}
