//! Records written as small `|`-separated tables, the form the engine's
//! data-driven tests are easiest to read in:
//!
//! ```text
//! id_art | nik              | nama | jenis_kelamin | tgl_lahir  | kode_wilayah
//! R1     | 3273015205800001 | ANI  | P             | 1980-05-12 | 32.73.01.1001
//! ```
//!
//! The first line names the columns (any subset of the spec's, in any order);
//! blank lines and lines starting with `#` are skipped; an empty cell is a
//! missing value.

use std::collections::HashMap;

use padu_core::{CivilPerson, IdField, LifeStatus, RegistryPerson, Sex, Text, parse_date};

use crate::{code, nik, today};

/// One table row by column name.
pub type Row = HashMap<String, String>;

/// The rows of a `|`-separated table; panics on a row with the wrong number of cells.
pub fn table(text: &str) -> Vec<Row> {
    let mut lines = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'));
    let header: Vec<String> = lines
        .next()
        .map(|h| h.split('|').map(|c| c.trim().to_string()).collect())
        .unwrap_or_default();
    lines
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            assert_eq!(cells.len(), header.len(), "wrong number of cells in {l:?}");
            header
                .iter()
                .cloned()
                .zip(cells.into_iter().map(str::to_string))
                .collect()
        })
        .collect()
}

fn opt(m: &Row, k: &str) -> Option<Text> {
    m.get(k)
        .filter(|v| !v.is_empty())
        .map(|v| Text::from(v.as_str()))
}

fn text<'a>(m: &'a Row, k: &str) -> &'a str {
    m.get(k).map_or("", String::as_str)
}

/// Registry people from a table with at least `id_art`, `nama`,
/// `jenis_kelamin`, `tgl_lahir` and `kode_wilayah` (`hubungan_keluarga` is not read).
pub fn registry(text_table: &str) -> Vec<RegistryPerson> {
    table(text_table)
        .into_iter()
        .map(|m| RegistryPerson {
            id_art: m["id_art"].as_str().into(),
            id_keluarga: opt(&m, "id_keluarga"),
            no_kk: IdField::parse_kk(text(&m, "no_kk")),
            nik: IdField::parse_nik(text(&m, "nik"), today()),
            nama: m["nama"].as_str().into(),
            jenis_kelamin: Sex::parse(&m["jenis_kelamin"]).expect("sex"),
            tempat_lahir: opt(&m, "tempat_lahir"),
            tgl_lahir: parse_date(&m["tgl_lahir"]).expect("date"),
            hubungan_keluarga: None,
            nama_ibu_kandung: opt(&m, "nama_ibu_kandung"),
            alamat: opt(&m, "alamat"),
            rt: opt(&m, "rt"),
            rw: opt(&m, "rw"),
            kode_wilayah: code(&m["kode_wilayah"]),
            extra: Vec::new(),
        })
        .collect()
}

/// Civil residents from a table with the columns [`registry`] needs, a valid
/// `nik`, and optionally `status_hidup` and `tgl_meninggal`.
pub fn civil(text_table: &str) -> Vec<CivilPerson> {
    table(text_table)
        .into_iter()
        .map(|m| CivilPerson {
            nik: nik(&m["nik"]),
            no_kk: IdField::parse_kk(text(&m, "no_kk")),
            nama: m["nama"].as_str().into(),
            jenis_kelamin: Sex::parse(&m["jenis_kelamin"]).expect("sex"),
            tempat_lahir: opt(&m, "tempat_lahir"),
            tgl_lahir: parse_date(&m["tgl_lahir"]).expect("date"),
            nama_ibu_kandung: opt(&m, "nama_ibu_kandung"),
            alamat: opt(&m, "alamat"),
            rt: opt(&m, "rt"),
            rw: opt(&m, "rw"),
            kode_wilayah: code(&m["kode_wilayah"]),
            status_hidup: opt(&m, "status_hidup")
                .and_then(|s| LifeStatus::parse(&s).ok())
                .unwrap_or_default(),
            tgl_meninggal: opt(&m, "tgl_meninggal").and_then(|s| parse_date(&s).ok()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_blank_lines_are_skipped_and_empty_cells_are_missing() {
        let rows = registry(
            "
            # a comment
            id_art | nik | nama | jenis_kelamin | tgl_lahir  | kode_wilayah

            R1     |     | ANI  | P             | 1980-05-12 | 32.73.01.1001
            ",
        );
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].nik, IdField::Missing);
        assert_eq!(rows[0].jenis_kelamin, Sex::P);
    }
}
