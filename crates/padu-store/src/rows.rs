//! Row wrappers: how core records become columns and come back.
//!
//! Core types carry no sqlx derives; these local structs, declared with
//! [`row!`], are the only place that lists the columns: staging tables, select
//! lists, merge statements and content hashes are derived from them. Identity numbers are stored as the cell text
//! (`IdField::to_cell`) plus the error code when invalid, and re-parsed on load
//! so the rules of `padu-core` (and the `today` that fixes a NIK's century)
//! stay the single source of truth.

use chrono::NaiveDate;
use padu_core::{
    CivilPerson, IdField, LifeStatus, Nik, NikError, NoKk, RegionCode, RegistryPerson, Relation,
    Sex, Text,
};

use crate::columns::{ContentHash, row};
use crate::error::StoreError;

row! {
    /// The content columns of a registry person, as stored in `person`,
    /// `person_history` and the staging table, and their hash.
    #[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Deserialize)]
    struct PersonRow {
        id_art: String,
        id_keluarga: Option<String>,
        no_kk: String,
        no_kk_error: Option<String>,
        nik: String,
        nik_error: Option<String>,
        nama: String,
        jenis_kelamin: String,
        tempat_lahir: Option<String>,
        tgl_lahir: NaiveDate,
        hubungan_keluarga: Option<String>,
        nama_ibu_kandung: Option<String>,
        alamat: Option<String>,
        rt: Option<String>,
        rw: Option<String>,
        kode_wilayah: String,
        extra: Option<String>,
        content_hash: ContentHash,
    }
}

row! {
    /// A registry person staged by an import, with its position in the file
    /// (which picks a household's first member when it has no head).
    struct StagedPerson {
        seq: i64,
        person: PersonRow,
    }
}

fn id_error<T>(f: &IdField<T>) -> Option<String> {
    f.error().map(|e| e.code().to_string())
}

fn non_empty(s: &Option<Text>) -> Option<String> {
    s.as_deref().filter(|v| !v.is_empty()).map(str::to_string)
}

/// A person's optional text as a column value.
fn column(s: &Option<Text>) -> Option<String> {
    s.as_deref().map(str::to_string)
}

/// Extra columns as a JSON array of `[name, value]` pairs, keeping their order; `None` when there are none.
fn extra_json(extra: &[(String, String)]) -> Option<String> {
    if extra.is_empty() {
        None
    } else {
        Some(serde_json::to_string(extra).expect("pairs of strings always serialise"))
    }
}

impl PersonRow {
    /// The row of a person, with the hash of its content.
    pub(crate) fn from_person(p: &RegistryPerson) -> Self {
        let mut row = PersonRow {
            id_art: p.id_art.to_string(),
            id_keluarga: non_empty(&p.id_keluarga),
            no_kk: p.no_kk.to_cell(),
            no_kk_error: id_error(&p.no_kk),
            nik: p.nik.to_cell(),
            nik_error: id_error(&p.nik),
            nama: p.nama.to_string(),
            jenis_kelamin: p.jenis_kelamin.as_str().to_string(),
            tempat_lahir: column(&p.tempat_lahir),
            tgl_lahir: p.tgl_lahir,
            hubungan_keluarga: p.hubungan_keluarga.map(|r| r.as_str().to_string()),
            nama_ibu_kandung: column(&p.nama_ibu_kandung),
            alamat: column(&p.alamat),
            rt: column(&p.rt),
            rw: column(&p.rw),
            kode_wilayah: p.kode_wilayah.compact(),
            extra: extra_json(&p.extra),
            content_hash: ContentHash(0),
        };
        row.content_hash = ContentHash::of(b"person/v1", &row);
        row
    }

    pub(crate) fn into_person(self, today: NaiveDate) -> Result<RegistryPerson, StoreError> {
        const T: &str = "person";
        let jenis_kelamin = Sex::parse(&self.jenis_kelamin)
            .map_err(|e| StoreError::decode(T, "jenis_kelamin", e.to_string()))?;
        let hubungan_keluarga = match self.hubungan_keluarga.as_deref() {
            None | Some("") => None,
            Some(s) => Some(
                s.parse::<Relation>()
                    .map_err(|e| StoreError::decode(T, "hubungan_keluarga", e.to_string()))?,
            ),
        };
        let kode_wilayah = RegionCode::parse(&self.kode_wilayah)
            .map_err(|e| StoreError::decode(T, "kode_wilayah", e.to_string()))?;
        let extra = match self.extra.as_deref() {
            None | Some("") => Vec::new(),
            Some(s) => serde_json::from_str::<Vec<(String, String)>>(s)
                .map_err(|e| StoreError::decode(T, "extra", e.to_string()))?,
        };
        Ok(RegistryPerson {
            nik: nik_field(&self.nik, self.nik_error.as_deref(), today),
            no_kk: kk_field(&self.no_kk, self.no_kk_error.as_deref()),
            id_art: self.id_art.into(),
            id_keluarga: self.id_keluarga.map(Text::from),
            nama: self.nama.into(),
            jenis_kelamin,
            tempat_lahir: self.tempat_lahir.map(Text::from),
            tgl_lahir: self.tgl_lahir,
            hubungan_keluarga,
            nama_ibu_kandung: self.nama_ibu_kandung.map(Text::from),
            alamat: self.alamat.map(Text::from),
            rt: self.rt.map(Text::from),
            rw: self.rw.map(Text::from),
            kode_wilayah,
            extra,
        })
    }
}

/// Re-parses a stored NIK cell.
///
/// A number that came from a numeric spreadsheet cell has all 16 digits and
/// parses as valid on its own; the stored error code keeps it flagged.
pub(crate) fn nik_field(cell: &str, error: Option<&str>, today: NaiveDate) -> IdField<Nik> {
    keep_number_cell_flag(IdField::parse_nik(cell, today), cell, error)
}

/// Re-parses a stored No KK cell, with the same numeric-cell rule as [`nik_field`].
pub(crate) fn kk_field(cell: &str, error: Option<&str>) -> IdField<NoKk> {
    keep_number_cell_flag(IdField::parse_kk(cell), cell, error)
}

/// Flags a re-parsed number again when its stored code says it came from a
/// number cell (a spreadsheet number or a Parquet floating-point column).
fn keep_number_cell_flag<T>(parsed: IdField<T>, cell: &str, error: Option<&str>) -> IdField<T> {
    let error = match (&parsed, error) {
        (IdField::Valid(_), Some("EXCEL_ANGKA")) => NikError::ExcelNumber(cell.to_string()),
        (IdField::Valid(_), Some("PARQUET_PECAHAN")) => NikError::ParquetFloat(cell.to_string()),
        _ => return parsed,
    };
    IdField::invalid(cell, error)
}

row! {
    /// The content columns of a civil-registry resident, as stored in
    /// `civil_person` and the staging table, and their hash.
    #[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
    struct CivilRow {
        nik: String,
        no_kk: String,
        no_kk_error: Option<String>,
        nama: String,
        jenis_kelamin: String,
        tempat_lahir: Option<String>,
        tgl_lahir: NaiveDate,
        nama_ibu_kandung: Option<String>,
        alamat: Option<String>,
        rt: Option<String>,
        rw: Option<String>,
        kode_wilayah: String,
        status_hidup: String,
        tgl_meninggal: Option<NaiveDate>,
        content_hash: ContentHash,
    }
}

impl CivilRow {
    /// The row of a resident, with the hash of its content.
    pub(crate) fn from_person(p: &CivilPerson) -> Self {
        let mut row = CivilRow {
            nik: p.nik.to_string(),
            no_kk: p.no_kk.to_cell(),
            no_kk_error: id_error(&p.no_kk),
            nama: p.nama.to_string(),
            jenis_kelamin: p.jenis_kelamin.as_str().to_string(),
            tempat_lahir: column(&p.tempat_lahir),
            tgl_lahir: p.tgl_lahir,
            nama_ibu_kandung: column(&p.nama_ibu_kandung),
            alamat: column(&p.alamat),
            rt: column(&p.rt),
            rw: column(&p.rw),
            kode_wilayah: p.kode_wilayah.compact(),
            status_hidup: p.status_hidup.as_str().to_string(),
            tgl_meninggal: p.tgl_meninggal,
            content_hash: ContentHash(0),
        };
        row.content_hash = ContentHash::of(b"civil/v1", &row);
        row
    }

    pub(crate) fn into_person(self, today: NaiveDate) -> Result<CivilPerson, StoreError> {
        const T: &str = "civil_person";
        // The error text, not the number: a NIK must not reach logs in full.
        let nik =
            Nik::parse(&self.nik, today).map_err(|e| StoreError::decode(T, "nik", e.code()))?;
        let jenis_kelamin = Sex::parse(&self.jenis_kelamin)
            .map_err(|e| StoreError::decode(T, "jenis_kelamin", e.to_string()))?;
        let status_hidup = LifeStatus::parse(&self.status_hidup)
            .map_err(|e| StoreError::decode(T, "status_hidup", e.to_string()))?;
        let kode_wilayah = RegionCode::parse(&self.kode_wilayah)
            .map_err(|e| StoreError::decode(T, "kode_wilayah", e.to_string()))?;
        Ok(CivilPerson {
            nik,
            no_kk: kk_field(&self.no_kk, self.no_kk_error.as_deref()),
            nama: self.nama.into(),
            jenis_kelamin,
            tempat_lahir: self.tempat_lahir.map(Text::from),
            tgl_lahir: self.tgl_lahir,
            nama_ibu_kandung: self.nama_ibu_kandung.map(Text::from),
            alamat: self.alamat.map(Text::from),
            rt: self.rt.map(Text::from),
            rw: self.rw.map(Text::from),
            kode_wilayah,
            status_hidup,
            tgl_meninggal: self.tgl_meninggal,
        })
    }
}

#[cfg(test)]
mod tests {
    use padu_testkit::today;

    use super::*;

    fn person() -> RegistryPerson {
        RegistryPerson {
            id_art: "ART-1".into(),
            id_keluarga: Some("KEL-1".into()),
            no_kk: IdField::parse_kk("3276010101200001"),
            nik: IdField::parse_nik("3276014501900002", today()),
            nama: "SITI AMINAH".into(),
            jenis_kelamin: Sex::P,
            tempat_lahir: Some("DEPOK".into()),
            tgl_lahir: NaiveDate::from_ymd_opt(1990, 1, 5).unwrap(),
            hubungan_keluarga: Some(Relation::Pasangan),
            nama_ibu_kandung: None,
            alamat: Some("JL. MAWAR 1".into()),
            rt: Some("001".into()),
            rw: Some("002".into()),
            kode_wilayah: RegionCode::parse("32.76.01.1001").unwrap(),
            extra: vec![("desil".into(), "3".into())],
        }
    }

    #[test]
    fn a_person_survives_the_row_round_trip() {
        let p = person();
        let back = PersonRow::from_person(&p).into_person(today()).unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn a_numeric_cell_nik_stays_flagged_after_the_round_trip() {
        let raw = "3276014501900002".to_string();
        for error in [
            NikError::ExcelNumber(raw.clone()),
            NikError::ParquetFloat(raw.clone()),
        ] {
            let mut p = person();
            p.nik = IdField::invalid(raw.clone(), error);
            let back = PersonRow::from_person(&p).into_person(today()).unwrap();
            assert_eq!(back.nik, p.nik);
        }
    }

    #[test]
    fn the_content_hash_sees_every_field_including_extra() {
        let base = PersonRow::from_person(&person()).content_hash;
        let mut p = person();
        p.extra[0].1 = "4".into();
        assert_ne!(PersonRow::from_person(&p).content_hash, base);
        let mut p = person();
        p.rt = None;
        assert_ne!(PersonRow::from_person(&p).content_hash, base);
        assert_eq!(PersonRow::from_person(&person()).content_hash, base);
    }

    fn civil() -> CivilPerson {
        CivilPerson {
            nik: Nik::parse("3276014501900002", today()).unwrap(),
            no_kk: IdField::parse_kk("3276010101200001"),
            nama: "SITI AMINAH".into(),
            jenis_kelamin: Sex::P,
            tempat_lahir: None,
            tgl_lahir: NaiveDate::from_ymd_opt(1990, 1, 5).unwrap(),
            nama_ibu_kandung: Some("FATIMAH".into()),
            alamat: Some("JL. MAWAR 1".into()),
            rt: None,
            rw: Some("002".into()),
            kode_wilayah: RegionCode::parse("32.76.01.1001").unwrap(),
            status_hidup: LifeStatus::Meninggal,
            tgl_meninggal: NaiveDate::from_ymd_opt(2024, 2, 29),
        }
    }

    /// Content hashes are stored and compared with the next import's: a change in
    /// the field order or encoding would report every record as changed.
    #[test]
    fn content_hashes_are_stable_across_versions() {
        assert_eq!(
            PersonRow::from_person(&person()).content_hash,
            ContentHash(1_105_108_514_914_013_768)
        );
        assert_eq!(
            CivilRow::from_person(&civil()).content_hash,
            ContentHash(-5_225_392_235_380_572_462)
        );
    }
}
