//! The files padu-gen writes, read back into domain records, for the tests
//! and examples that run the engine on generated data.

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;
use padu_core::{
    Action, CivilPerson, Flag, IdField, LifeStatus, Nik, NikStatus, RegionCode, RegistryPerson,
    Relation, Sex, VerificationRow, parse_date,
};

/// The reference date of every generated data set read here.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).expect("valid date")
}

/// One CSV row by lower-case column name.
type Row = HashMap<String, String>;

fn read(path: &Path) -> Vec<Row> {
    let mut r = csv::ReaderBuilder::new().from_path(path).expect("open csv");
    let headers: Vec<String> = r
        .headers()
        .expect("header")
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    r.records()
        .map(|rec| {
            let rec = rec.expect("csv row");
            headers
                .iter()
                .cloned()
                .zip(rec.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

fn opt(m: &Row, k: &str) -> Option<String> {
    m.get(k)
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The civil extract `civil.csv` of a generated data set.
pub fn civil(dir: &Path) -> Vec<CivilPerson> {
    read(&dir.join("civil.csv"))
        .into_iter()
        .map(|m| CivilPerson {
            nik: Nik::parse(&m["nik"], today()).expect("civil nik"),
            no_kk: IdField::parse_kk(&m["no_kk"]),
            nama: m["nama"].clone(),
            jenis_kelamin: Sex::parse(&m["jenis_kelamin"]).expect("sex"),
            tempat_lahir: opt(&m, "tempat_lahir"),
            tgl_lahir: parse_date(&m["tgl_lahir"]).expect("date"),
            nama_ibu_kandung: opt(&m, "nama_ibu_kandung"),
            alamat: opt(&m, "alamat"),
            rt: opt(&m, "rt"),
            rw: opt(&m, "rw"),
            kode_wilayah: RegionCode::parse(&m["kode_wilayah"]).expect("region"),
            status_hidup: LifeStatus::parse(&m["status_hidup"]).unwrap_or_default(),
            tgl_meninggal: opt(&m, "tgl_meninggal").and_then(|d| parse_date(&d).ok()),
        })
        .collect()
}

/// The registry `registry.csv` of a generated data set.
pub fn registry(dir: &Path) -> Vec<RegistryPerson> {
    read(&dir.join("registry.csv"))
        .into_iter()
        .map(|m| RegistryPerson {
            id_art: m["id_art"].clone(),
            id_keluarga: opt(&m, "id_keluarga"),
            no_kk: IdField::parse_kk(&m["no_kk"]),
            nik: IdField::parse_nik(&m["nik"], today()),
            nama: m["nama"].clone(),
            jenis_kelamin: Sex::parse(&m["jenis_kelamin"]).expect("sex"),
            tempat_lahir: opt(&m, "tempat_lahir"),
            tgl_lahir: parse_date(&m["tgl_lahir"]).expect("date"),
            hubungan_keluarga: opt(&m, "hubungan_keluarga")
                .and_then(|s| s.parse::<Relation>().ok()),
            nama_ibu_kandung: opt(&m, "nama_ibu_kandung"),
            alamat: opt(&m, "alamat"),
            rt: opt(&m, "rt"),
            rw: opt(&m, "rw"),
            kode_wilayah: RegionCode::parse(&m["kode_wilayah"]).expect("region"),
            extra: Vec::new(),
        })
        .collect()
}

/// The ground truth `truth.csv` of a generated data set.
pub fn truth(dir: &Path) -> Vec<VerificationRow> {
    read(&dir.join("truth.csv"))
        .into_iter()
        .map(|m| VerificationRow {
            id_art: m["id_art"].clone(),
            status: m["status"].parse::<NikStatus>().expect("status"),
            flags: Flag::split(&m["flags"]).expect("flags"),
            tindakan: m["tindakan"].parse::<Action>().expect("tindakan"),
            nik_usulan: opt(&m, "nik_usulan"),
            skor: None,
            id_kelompok_ganda: opt(&m, "id_kelompok_ganda"),
            id_art_utama: opt(&m, "id_art_utama"),
            keterangan: m["keterangan"].clone(),
        })
        .collect()
}
