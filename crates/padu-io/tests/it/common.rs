//! Fixtures and the registry round trip shared by the file-format tests.

use std::path::{Path, PathBuf};

use padu_core::{IdField, NikError, NoKk, RegionCode, RegistryPerson, Relation, Sex};
use padu_io::{ReadOptions, RegistryReader, write_registry};
use padu_testkit::{nik, temp, today, ymd};

/// Reading options with the fixed reference date.
pub(crate) fn opts() -> ReadOptions {
    ReadOptions::new(today())
}

/// A file of `tests/fixtures`.
pub(crate) fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Writes [`people`] to a file called `name` (its extension picks the
/// format), reads it back and checks nothing changed and only the mangled
/// NIK is worth a warning.
pub(crate) fn round_trip_registry(name: &str) {
    let (_d, path) = temp(name);
    assert_eq!(write_registry(&path, people()).unwrap(), 3);
    let rows: Vec<_> = RegistryReader::open(&path, &opts()).unwrap().collect();
    let back: Vec<RegistryPerson> = rows.iter().map(|r| r.record.clone().unwrap()).collect();
    assert_eq!(back, people());
    let codes: Vec<&str> = rows
        .iter()
        .flat_map(|r| r.issues.iter().map(|i| i.code))
        .collect();
    assert_eq!(codes, ["EXCEL_NOTASI_ILMIAH"]);
}

/// Three registry people: complete, with an Excel-mangled NIK, and sparse.
pub(crate) fn people() -> Vec<RegistryPerson> {
    let base = RegistryPerson {
        id_art: "0001".into(),
        id_keluarga: Some("K01".into()),
        no_kk: IdField::Valid(NoKk::parse("3276011203150007").unwrap()),
        nik: IdField::Valid(nik("3276014501900001")),
        nama: "Siti Aminah, S.Pd".into(),
        jenis_kelamin: Sex::P,
        tempat_lahir: Some("Depok".into()),
        tgl_lahir: ymd(1990, 1, 5),
        hubungan_keluarga: Some(Relation::Pasangan),
        nama_ibu_kandung: Some("Fatimah".into()),
        alamat: Some("Jl. Café \"Mawar\"; No. 1".into()),
        rt: Some("001".into()),
        rw: Some("002".into()),
        kode_wilayah: RegionCode::parse("32.76.01.1006").unwrap(),
        extra: vec![
            ("program".into(), "PKH".into()),
            ("desil".into(), "01".into()),
        ],
    };
    let mut invalid = base.clone();
    invalid.id_art = "0002".into();
    invalid.nik = IdField::invalid(
        "3.27601E+15",
        NikError::ExcelScientific("3.27601E+15".into()),
    );
    invalid.no_kk = IdField::Missing;
    invalid.extra = vec![
        ("program".into(), String::new()),
        ("desil".into(), "10".into()),
    ];
    let mut sparse = base.clone();
    sparse.id_art = "0003".into();
    sparse.id_keluarga = None;
    sparse.nik = IdField::Missing;
    sparse.tempat_lahir = None;
    sparse.hubungan_keluarga = None;
    sparse.nama_ibu_kandung = None;
    sparse.alamat = None;
    sparse.rt = None;
    sparse.rw = None;
    sparse.tgl_lahir = ymd(1899, 12, 31);
    sparse.jenis_kelamin = Sex::L;
    sparse.extra = vec![
        ("program".into(), "BPNT".into()),
        ("desil".into(), String::new()),
    ];
    vec![base, invalid, sparse]
}
