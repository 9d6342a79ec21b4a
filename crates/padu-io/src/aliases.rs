//! Column names as offices write them, kept as data in one place.
//!
//! A header cell is matched after [`fold`]ing it: case, spaces, dots,
//! underscores, slashes and every other non-alphanumeric character are
//! dropped, so `No. KK`, `NO KK`, `no_kk` and `NoKK` are all `nokk`. A
//! folded spec name always matches its own column; the tables below add the
//! spellings found in DTKS/SIKS-NG exports and office workbooks. Each entry
//! is `(field, [folded names])`; a field is a spec column or one of the
//! [`RegionPart`]s that together give a `kode_wilayah`.
//!
//! `docs/interchange.md` lists the same table for users; a test keeps the
//! two equal.

/// Folds a header name for matching: lower case, letters and digits only.
pub(crate) fn fold(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A column that is not a spec column but helps build `kode_wilayah`.
///
/// Offices often keep the region as separate code columns (province,
/// regency, district, then the village's own digits) or as names; the row's
/// 10-digit village code is joined from the codes or looked up by the names
/// in the bundled region index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum RegionPart {
    /// `kode_provinsi`: 2 digits.
    ProvinceCode,
    /// `kode_kabupaten`: 2 digits, or 4 with the province.
    RegencyCode,
    /// `kode_kecamatan`: 2 digits, or 6 with the regency.
    DistrictCode,
    /// `nama_provinsi`.
    ProvinceName,
    /// `nama_kabupaten` (a regency or a city).
    RegencyName,
    /// `nama_kecamatan`.
    DistrictName,
    /// `nama_desa` (a desa or a kelurahan); digits there are read as a code.
    VillageName,
}

impl RegionPart {
    /// Every part, in the order a mapping file lists them.
    pub(crate) const ALL: [RegionPart; 7] = [
        RegionPart::ProvinceCode,
        RegionPart::RegencyCode,
        RegionPart::DistrictCode,
        RegionPart::ProvinceName,
        RegionPart::RegencyName,
        RegionPart::DistrictName,
        RegionPart::VillageName,
    ];

    /// The field name used in mapping files.
    pub(crate) fn name(self) -> &'static str {
        match self {
            RegionPart::ProvinceCode => "kode_provinsi",
            RegionPart::RegencyCode => "kode_kabupaten",
            RegionPart::DistrictCode => "kode_kecamatan",
            RegionPart::ProvinceName => "nama_provinsi",
            RegionPart::RegencyName => "nama_kabupaten",
            RegionPart::DistrictName => "nama_kecamatan",
            RegionPart::VillageName => "nama_desa",
        }
    }

    /// The part a mapping file names `name`.
    pub(crate) fn from_name(name: &str) -> Option<RegionPart> {
        RegionPart::ALL.into_iter().find(|p| p.name() == name)
    }

    /// Its position in [`RegionPart::ALL`].
    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// Extra names of the registry (DTKS) file's columns, folded.
pub(crate) const REGISTRY: &[(&str, &[&str])] = &[
    (
        "id_art",
        &[
            "idanggota",
            "idanggotakeluarga",
            "idindividu",
            "idartbdt",
            "idartdtks",
        ],
    ),
    (
        "id_keluarga",
        &[
            "idkel",
            "idkrt",
            "idrumahtangga",
            "idbdt",
            "iddtks",
            "idkeluargadtks",
        ],
    ),
    (
        "no_kk",
        &[
            "kk",
            "nkk",
            "nomorkk",
            "nokartukeluarga",
            "nomorkartukeluarga",
        ],
    ),
    (
        "nik",
        &[
            "noktp",
            "nomorktp",
            "nonik",
            "nomornik",
            "nomorindukkependudukan",
        ],
    ),
    (
        "nama",
        &[
            "namalengkap",
            "namaart",
            "namaanggota",
            "namaanggotakeluarga",
            "namasesuaiktp",
        ],
    ),
    (
        "jenis_kelamin",
        &[
            "jk",
            "lp",
            "kelamin",
            "jnskelamin",
            "jenkel",
            "sex",
            "gender",
        ],
    ),
    ("tempat_lahir", &["tmplahir", "tmptlahir", "tempatlhr"]),
    (
        "tgl_lahir",
        &["tanggallahir", "tgllhr", "tanggallhr", "tgllahirddmmyyyy"],
    ),
    (
        "hubungan_keluarga",
        &[
            "hubungan",
            "hubkeluarga",
            "hubungandengankepalakeluarga",
            "hubdgnkepalakeluarga",
            "hubdgnkk",
            "hubungandengankk",
            "shdk",
            "statushubungan",
            "statusdalamkeluarga",
        ],
    ),
    ("nama_ibu_kandung", &["namaibu", "ibukandung"]),
    (
        "alamat",
        &["alamatlengkap", "alamatrumah", "alamattempattinggal"],
    ),
    ("rt", &["nort", "nomorrt"]),
    ("rw", &["norw", "nomorrw"]),
    (
        "kode_wilayah",
        &[
            "kodewil",
            "kdwilayah",
            "kodedesa",
            "kddesa",
            "kodekelurahan",
            "kodedesakelurahan",
            "kodekemendagri",
        ],
    ),
];

/// Extra names of the civil-registry (Dukcapil) extract's columns, folded.
///
/// The columns both files share take the registry's names too, so a
/// Dukcapil extract saved by an office reads the same way.
pub(crate) const CIVIL: &[(&str, &[&str])] = &[
    ("status_hidup", &["statuskematian", "statushidupmeninggal"]),
    (
        "tgl_meninggal",
        &[
            "tanggalmeninggal",
            "tglkematian",
            "tanggalkematian",
            "tglwafat",
        ],
    ),
];

/// Names of the [`RegionPart`] columns, folded (the part's own name folded matches too).
pub(crate) const REGION_PARTS: &[(RegionPart, &[&str])] = &[
    (
        RegionPart::ProvinceCode,
        &[
            "kodeprovinsi",
            "kodeprov",
            "kdprov",
            "kdprovinsi",
            "kodepropinsi",
        ],
    ),
    (
        RegionPart::RegencyCode,
        &[
            "kodekabupaten",
            "kodekabupatenkota",
            "kodekab",
            "kdkab",
            "kodekabkota",
            "kdkabkota",
            "kodekota",
        ],
    ),
    (
        RegionPart::DistrictCode,
        &["kodekecamatan", "kodekec", "kdkec"],
    ),
    (
        RegionPart::ProvinceName,
        &["provinsi", "propinsi", "prov", "namaprovinsi"],
    ),
    (
        RegionPart::RegencyName,
        &[
            "kabupaten",
            "kabupatenkota",
            "kabkota",
            "kota",
            "kotakabupaten",
            "namakabupaten",
            "namakabupatenkota",
            "namakota",
        ],
    ),
    (
        RegionPart::DistrictName,
        &["kecamatan", "kec", "namakecamatan"],
    ),
    (
        RegionPart::VillageName,
        &[
            "desa",
            "kelurahan",
            "desakelurahan",
            "kelurahandesa",
            "desakel",
            "namadesa",
            "namakelurahan",
            "namadesakelurahan",
        ],
    ),
];

/// What a folded header name means in a file of sheet `sheet`, by alias only.
pub(crate) enum Meaning {
    /// A spec column, by name.
    Column(&'static str),
    /// A part of the village code.
    Part(RegionPart),
}

/// Looks a folded header name up in the alias tables of a file whose columns are `columns`.
///
/// The registry's table applies to every file that has the column (the civil
/// extract shares most of them); the civil table only to columns the file
/// has; region parts only to files with a `kode_wilayah`.
pub(crate) fn lookup(folded: &str, columns: &[&'static str]) -> Option<Meaning> {
    for (column, names) in REGISTRY.iter().chain(CIVIL) {
        if names.contains(&folded)
            && let Some(c) = columns.iter().find(|c| *c == column)
        {
            return Some(Meaning::Column(c));
        }
    }
    if columns.contains(&"kode_wilayah") {
        for (part, names) in REGION_PARTS {
            if names.contains(&folded) || fold(part.name()) == folded {
                return Some(Meaning::Part(*part));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use padu_core::{CIVIL_COLUMNS, REGISTRY_COLUMNS};

    use super::*;

    /// Every alias is already folded, names a real column, and means one thing only.
    #[test]
    fn every_alias_is_folded_unique_and_names_a_real_column() {
        let mut seen = HashSet::new();
        let spec: HashSet<String> = REGISTRY_COLUMNS
            .iter()
            .chain(CIVIL_COLUMNS.iter())
            .map(|c| fold(c))
            .collect();
        for (column, names) in REGISTRY.iter().chain(CIVIL) {
            assert!(
                REGISTRY_COLUMNS.contains(column) || CIVIL_COLUMNS.contains(column),
                "{column} is not a spec column"
            );
            for n in *names {
                assert_eq!(fold(n), *n, "alias {n} of {column} is not folded");
                assert!(!spec.contains(*n), "alias {n} is a spec column's name");
                assert!(seen.insert(*n), "alias {n} appears twice");
            }
        }
        for (part, names) in REGION_PARTS {
            for n in *names {
                assert_eq!(fold(n), *n, "alias {n} of {} is not folded", part.name());
                assert!(!spec.contains(*n), "alias {n} is a spec column's name");
                assert!(seen.insert(*n), "alias {n} appears twice");
            }
        }
    }

    /// Each alias in the tables resolves to its own field, in the files that have it.
    #[test]
    fn each_alias_resolves_to_its_field() {
        for (column, names) in REGISTRY {
            for n in *names {
                match lookup(n, &REGISTRY_COLUMNS) {
                    Some(Meaning::Column(c)) => assert_eq!(c, *column, "{n}"),
                    _ => panic!("{n} does not resolve to {column}"),
                }
                if CIVIL_COLUMNS.contains(column) {
                    assert!(
                        matches!(lookup(n, &CIVIL_COLUMNS), Some(Meaning::Column(c)) if c == *column),
                        "{n} in a civil extract"
                    );
                }
            }
        }
        for (column, names) in CIVIL {
            for n in *names {
                assert!(
                    matches!(lookup(n, &CIVIL_COLUMNS), Some(Meaning::Column(c)) if c == *column),
                    "{n}"
                );
                assert!(lookup(n, &REGISTRY_COLUMNS).is_none(), "{n} in a registry");
            }
        }
        for (part, names) in REGION_PARTS {
            for n in names.iter().copied().chain([fold(part.name()).as_str()]) {
                assert!(
                    matches!(lookup(n, &REGISTRY_COLUMNS), Some(Meaning::Part(p)) if p == *part),
                    "{n}"
                );
            }
        }
    }

    /// docs/interchange.md lists every alias in its field's table row, and no other.
    #[test]
    fn the_documented_alias_table_is_this_one() {
        let doc = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../docs/interchange.md"
        ))
        .expect("docs/interchange.md");
        let row = |field: &str, civil: bool| -> Vec<String> {
            let start = if civil {
                format!("| `{field}` (civil extract) |")
            } else {
                format!("| `{field}` |")
            };
            let line = doc
                .lines()
                .find(|l| l.starts_with(&start))
                .unwrap_or_else(|| panic!("docs/interchange.md has no row {start}"));
            line[start.len()..]
                .split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect()
        };
        for (column, names) in REGISTRY {
            assert_eq!(row(column, false), *names, "{column}");
        }
        for (column, names) in CIVIL {
            assert_eq!(row(column, true), *names, "{column}");
        }
        for (part, names) in REGION_PARTS {
            assert_eq!(row(part.name(), false), *names, "{}", part.name());
        }
    }

    #[test]
    fn headers_as_offices_write_them_fold_to_the_same_name() {
        for (written, folded) in [
            ("No. KK", "nokk"),
            ("NO KK", "nokk"),
            ("Nomor KK", "nomorkk"),
            ("NOKK", "nokk"),
            ("Tgl. Lahir", "tgllahir"),
            ("TGL LAHIR", "tgllahir"),
            ("L/P", "lp"),
            ("Desa/Kelurahan", "desakelurahan"),
            ("KODE_WILAYAH", "kodewilayah"),
            ("\u{feff} Nama Lengkap ", "namalengkap"),
        ] {
            assert_eq!(fold(written), folded, "{written}");
        }
    }
}
