//! Helpers shared by Padu's tests and examples, and by nothing else: this
//! crate is a dev-dependency only.
//!
//! - one reference date, [`today`], that every test and generated data set agrees on;
//! - identity numbers and records built from a few readable arguments
//!   ([`nik_text`], [`person`], [`civil`]);
//! - the `|`-separated tables the engine's data-driven tests are written in ([`table`]);
//! - with the `store` feature, a fresh migrated database per test on either
//!   backend (`db`) and the `contract!` macro that runs one story on both;
//! - with the `io` feature, a data set written by padu-gen read back into
//!   records (`generated`); with the `gen` feature, one generated into a
//!   temporary directory and read back in one call (`generated::Generated`).

use std::path::PathBuf;

use chrono::{Datelike, NaiveDate};
use padu_core::{CivilPerson, IdField, LifeStatus, Nik, RegionCode, RegistryPerson, Relation, Sex};

#[cfg(feature = "store")]
pub mod db;
#[cfg(feature = "io")]
pub mod generated;
#[cfg(feature = "sheet")]
pub mod sheet;
pub mod table;

/// The reference date of every test, and padu-gen's default: it fixes the
/// century of a NIK's two-digit birth year.
pub fn today() -> NaiveDate {
    ymd(2026, 1, 1)
}

/// [`today`] as `padu --today` takes it.
pub const TODAY: &str = "2026-01-01";

/// A date that must exist.
pub fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid test date")
}

/// A region code from its dotted text.
pub fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).expect("a valid test region code")
}

/// A NIK that must be valid on [`today`].
pub fn nik(s: &str) -> Nik {
    Nik::parse(s, today()).expect("a valid test NIK")
}

/// The text of a well-formed NIK issued in `district` (6 digits) for someone
/// of `sex` born on `born`, with a 4-digit `serial`.
pub fn nik_text(district: &str, born: NaiveDate, sex: Sex, serial: u32) -> String {
    // Women's NIKs add 40 to the day of birth.
    let day = born.day() + if sex == Sex::P { 40 } else { 0 };
    format!(
        "{district}{day:02}{:02}{:02}{serial:04}",
        born.month(),
        born.year() % 100
    )
}

/// A path named `name` in a fresh temporary directory, which lives as long as the guard.
pub fn temp(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join(name);
    (dir, path)
}

/// A synthetic registry member living in `village`, born 1980-03-14, with a
/// valid NIK and No KK issued in its district and one extra column.
pub fn person(
    id_art: &str,
    id_keluarga: Option<&str>,
    village: &str,
    nama: &str,
) -> RegistryPerson {
    let kode = code(village);
    let born = ymd(1980, 3, 14);
    let district = kode.district().expect("a village code").compact();
    // A serial from the id, so that people built with different ids get different NIKs.
    let serial = id_art.bytes().map(u32::from).sum::<u32>() % 9000 + 1;
    RegistryPerson {
        id_art: id_art.into(),
        id_keluarga: id_keluarga.map(Into::into),
        no_kk: IdField::parse_kk(&format!("{district}0101200001")),
        nik: IdField::parse_nik(&nik_text(&district, born, Sex::L, serial), today()),
        nama: nama.into(),
        jenis_kelamin: Sex::L,
        tempat_lahir: Some("BOGOR".into()),
        tgl_lahir: born,
        hubungan_keluarga: Some(Relation::Anak),
        nama_ibu_kandung: Some("SITI".into()),
        alamat: Some(format!("JL. MELATI {id_art}").into()),
        rt: Some("001".into()),
        rw: Some("002".into()),
        kode_wilayah: kode,
        extra: vec![("desil".into(), "2".into())],
    }
}

/// A synthetic living civil-registry resident of `village` holding `nik`.
pub fn civil(nik_text: &str, village: &str, nama: &str) -> CivilPerson {
    CivilPerson {
        nik: nik(nik_text),
        no_kk: IdField::Missing,
        nama: nama.into(),
        jenis_kelamin: Sex::P,
        tempat_lahir: None,
        tgl_lahir: ymd(1975, 6, 1),
        nama_ibu_kandung: None,
        alamat: Some("JL. KENANGA".into()),
        rt: None,
        rw: None,
        kode_wilayah: code(village),
        status_hidup: LifeStatus::Hidup,
        tgl_meninggal: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_built_nik_is_valid_and_decodes_to_its_parts() {
        let born = ymd(1990, 1, 5);
        let n = nik(&nik_text("327601", born, Sex::P, 1));
        assert_eq!(n.to_string(), "3276014501900001");
        assert_eq!(n.birth_date(), born);
        assert_eq!(n.sex(), Sex::P);
    }

    #[test]
    fn people_built_with_different_ids_hold_different_valid_niks() {
        let a = person("A1", None, "32.76.01.1001", "A");
        let b = person("A2", None, "32.76.01.1001", "B");
        assert!(a.nik.valid().is_some() && a.no_kk.valid().is_some());
        assert_ne!(a.nik, b.nik);
    }
}
