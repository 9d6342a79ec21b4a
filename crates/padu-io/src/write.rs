//! Writing registry, civil-registry and verification-result files as CSV, XLSX or Parquet.
//!
//! Each writer turns its records into cells in its schema's column order
//! and hands them to [`TableWriter`], which picks the format from the file
//! name; how a column is stored (a text cell for an identity number, a
//! `DATE` column in Parquet) follows from its [`Kind`] in [`crate::schema`].

use std::path::Path;

use padu_core::{CivilPerson, RegistryPerson, VerificationRow};

use crate::error::WriteError;
use crate::format::TableWriter;
use crate::schema::{Civil, Registry, Results, Schema};
use crate::table::{Kind, Out};

/// Creates a file in schema `S` with `extra` more identity-like columns after the schema's own.
fn create<S: Schema>(path: &Path, extra: &[String]) -> Result<TableWriter, WriteError> {
    let mut header: Vec<String> = S::COLUMNS.iter().map(|c| c.name.to_string()).collect();
    header.extend(extra.iter().cloned());
    let mut kinds: Vec<Kind> = S::COLUMNS.iter().map(|c| c.kind).collect();
    // Extra columns may hold codes with leading zeros too; text keeps them as they were.
    kinds.extend(std::iter::repeat_n(Kind::Id, extra.len()));
    TableWriter::create(path, S::SHEET, &header, &kinds)
}

/// The registry person's value in column `c`.
fn registry_cell(p: &RegistryPerson, c: Registry) -> Out<'_> {
    match c {
        Registry::IdArt => p.id_art.as_str().into(),
        Registry::IdKeluarga => (&p.id_keluarga).into(),
        Registry::NoKk => p.no_kk.to_cell().into(),
        Registry::Nik => p.nik.to_cell().into(),
        Registry::Nama => p.nama.as_str().into(),
        Registry::JenisKelamin => p.jenis_kelamin.to_string().into(),
        Registry::TempatLahir => (&p.tempat_lahir).into(),
        Registry::TglLahir => Out::Date(Some(p.tgl_lahir)),
        Registry::HubunganKeluarga => p
            .hubungan_keluarga
            .map_or(Out::EMPTY, |r| r.to_string().into()),
        Registry::NamaIbuKandung => (&p.nama_ibu_kandung).into(),
        Registry::Alamat => (&p.alamat).into(),
        Registry::Rt => (&p.rt).into(),
        Registry::Rw => (&p.rw).into(),
        Registry::KodeWilayah => p.kode_wilayah.to_string().into(),
    }
}

/// The civil-registry resident's value in column `c`.
fn civil_cell(p: &CivilPerson, c: Civil) -> Out<'_> {
    match c {
        Civil::Nik => p.nik.to_string().into(),
        Civil::NoKk => p.no_kk.to_cell().into(),
        Civil::Nama => p.nama.as_str().into(),
        Civil::JenisKelamin => p.jenis_kelamin.to_string().into(),
        Civil::TglLahir => Out::Date(Some(p.tgl_lahir)),
        Civil::TempatLahir => (&p.tempat_lahir).into(),
        Civil::NamaIbuKandung => (&p.nama_ibu_kandung).into(),
        Civil::Alamat => (&p.alamat).into(),
        Civil::Rt => (&p.rt).into(),
        Civil::Rw => (&p.rw).into(),
        Civil::KodeWilayah => p.kode_wilayah.to_string().into(),
        Civil::StatusHidup => p.status_hidup.as_str().into(),
        Civil::TglMeninggal => Out::Date(p.tgl_meninggal),
    }
}

/// Writes a registry file (`.csv`, `.xlsx` or `.parquet`): the spec's columns in order, then the extra columns.
///
/// The extra columns are those of the first person; later people's extra
/// values are written under the column of the same name (empty when absent).
/// Returns the number of rows written.
pub fn write_registry(
    path: &Path,
    people: impl IntoIterator<Item = RegistryPerson>,
) -> Result<u64, WriteError> {
    let mut people = people.into_iter().peekable();
    let extra_names: Vec<String> = people
        .peek()
        .map(|p| p.extra.iter().map(|(k, _)| k.clone()).collect())
        .unwrap_or_default();
    let mut w = RegistryWriter::create(path, extra_names)?;
    for p in people {
        w.write(&p)?;
    }
    w.finish()
}

/// Writes a registry file one person at a time, for callers that produce
/// people as they go (an export streamed from the database).
pub struct RegistryWriter {
    table: TableWriter,
    extra_names: Vec<String>,
}

impl RegistryWriter {
    /// Creates the file with the spec's columns followed by `extra_names`.
    pub fn create(path: &Path, extra_names: Vec<String>) -> Result<RegistryWriter, WriteError> {
        Ok(RegistryWriter {
            table: create::<Registry>(path, &extra_names)?,
            extra_names,
        })
    }

    /// Writes one person; extra values go under the column of the same name.
    pub fn write(&mut self, p: &RegistryPerson) -> Result<(), WriteError> {
        let extra = self.extra_names.iter().map(|name| {
            p.extra
                .iter()
                .find(|(k, _)| k == name)
                .map_or(Out::EMPTY, |(_, v)| v.as_str().into())
        });
        self.table.write(
            Registry::ALL
                .iter()
                .map(|c| registry_cell(p, *c))
                .chain(extra),
        )
    }

    /// Flushes, saves or closes the file; returns the number of rows written.
    pub fn finish(self) -> Result<u64, WriteError> {
        self.table.finish()
    }
}

/// Writes a civil-registry extract (`.csv`, `.xlsx` or `.parquet`) in the spec's column order.
///
/// Returns the number of rows written.
pub fn write_civil(
    path: &Path,
    people: impl IntoIterator<Item = CivilPerson>,
) -> Result<u64, WriteError> {
    let mut w = create::<Civil>(path, &[])?;
    for p in people {
        w.write(Civil::ALL.iter().map(|c| civil_cell(&p, *c)))?;
    }
    w.finish()
}

/// Writes verification results row by row, in the spec's columns ([`VerificationRow::COLUMNS`]).
///
/// `.csv`, `.xlsx` or `.parquet`; in XLSX the score is a number cell and ids are text
/// cells, in Parquet every column is a string, as in CSV.
pub struct ResultWriter {
    table: TableWriter,
}

impl ResultWriter {
    /// Creates the file and writes the header.
    pub fn create(path: &Path) -> Result<ResultWriter, WriteError> {
        Ok(ResultWriter {
            table: create::<Results>(path, &[])?,
        })
    }

    /// Writes one row.
    pub fn write(&mut self, row: &VerificationRow) -> Result<(), WriteError> {
        // `to_cells` follows `VerificationRow::COLUMNS`, which the result schema is checked against.
        self.table.write(row.to_cells().into_iter().map(Out::from))
    }

    /// Flushes (CSV), saves (XLSX) or closes (Parquet) the file; returns the number of rows written.
    pub fn finish(self) -> Result<u64, WriteError> {
        self.table.finish()
    }
}
