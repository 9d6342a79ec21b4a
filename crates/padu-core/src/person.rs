//! Registry (DTKS) members and civil-registry (Dukcapil) residents.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::Serialize;

use crate::code::{CodeError, CodeKind};
use crate::nik::{Nik, NikError, NoKk};
use crate::region::RegionCode;

/// The registry (DTKS extract) file's columns, in the interchange spec's order.
pub const REGISTRY_COLUMNS: [&str; 14] = [
    "id_art",
    "id_keluarga",
    "no_kk",
    "nik",
    "nama",
    "jenis_kelamin",
    "tempat_lahir",
    "tgl_lahir",
    "hubungan_keluarga",
    "nama_ibu_kandung",
    "alamat",
    "rt",
    "rw",
    "kode_wilayah",
];

/// The civil-registry (Dukcapil extract) file's columns, in the interchange spec's order.
pub const CIVIL_COLUMNS: [&str; 13] = [
    "nik",
    "no_kk",
    "nama",
    "jenis_kelamin",
    "tgl_lahir",
    "tempat_lahir",
    "nama_ibu_kandung",
    "alamat",
    "rt",
    "rw",
    "kode_wilayah",
    "status_hidup",
    "tgl_meninggal",
];

/// Sex as recorded: `L` (laki-laki) or `P` (perempuan).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Sex {
    /// Laki-laki (male).
    L,
    /// Perempuan (female).
    P,
}

impl Sex {
    /// Both sexes.
    pub const ALL: [Sex; 2] = [Sex::L, Sex::P];

    /// Parses `L`/`P`, `LAKI-LAKI`/`PEREMPUAN`, `1`/`2` (and a few spellings of them).
    pub fn parse(s: &str) -> Result<Sex, CodeError> {
        // The spec's own spellings, as nearly every row has them, without normalising.
        match s {
            "L" => return Ok(Sex::L),
            "P" => return Ok(Sex::P),
            _ => {}
        }
        let t: String = s
            .trim()
            .to_uppercase()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        match t.as_str() {
            "L" | "LK" | "LAKI-LAKI" | "LAKILAKI" | "LAKI" | "PRIA" | "1" | "M" => Ok(Sex::L),
            "P" | "PR" | "PEREMPUAN" | "WANITA" | "2" | "F" => Ok(Sex::P),
            _ => Err(CodeError::new(CodeKind::Sex, s)),
        }
    }

    /// `L` or `P`.
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::L => "L",
            Sex::P => "P",
        }
    }
}

impl fmt::Display for Sex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Relation to the head of the family (hubungan keluarga).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Relation {
    /// KEPALA KELUARGA.
    Kepala,
    /// ISTRI/SUAMI.
    Pasangan,
    /// ANAK.
    Anak,
    /// MENANTU.
    Menantu,
    /// CUCU.
    Cucu,
    /// ORANG TUA.
    OrangTua,
    /// MERTUA.
    Mertua,
    /// FAMILI LAIN.
    FamiliLain,
    /// LAINNYA.
    Lainnya,
}

impl Relation {
    /// Every relation in spec order.
    pub const ALL: [Relation; 9] = [
        Relation::Kepala,
        Relation::Pasangan,
        Relation::Anak,
        Relation::Menantu,
        Relation::Cucu,
        Relation::OrangTua,
        Relation::Mertua,
        Relation::FamiliLain,
        Relation::Lainnya,
    ];

    /// The spec's spelling, e.g. `ISTRI/SUAMI`.
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Kepala => "KEPALA KELUARGA",
            Relation::Pasangan => "ISTRI/SUAMI",
            Relation::Anak => "ANAK",
            Relation::Menantu => "MENANTU",
            Relation::Cucu => "CUCU",
            Relation::OrangTua => "ORANG TUA",
            Relation::Mertua => "MERTUA",
            Relation::FamiliLain => "FAMILI LAIN",
            Relation::Lainnya => "LAINNYA",
        }
    }
}

impl FromStr for Relation {
    type Err = CodeError;
    /// Accepts the spec's spellings case-insensitively, plus `ISTRI`, `SUAMI` and `KEPALA`.
    fn from_str(s: &str) -> Result<Self, CodeError> {
        // The spec's own spellings, as nearly every row has them, without normalising.
        if let Some(r) = Relation::ALL.into_iter().find(|r| r.as_str() == s) {
            return Ok(r);
        }
        let t = s
            .trim()
            .to_uppercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        match t.as_str() {
            "KEPALA KELUARGA" | "KEPALA" | "KK" => Ok(Relation::Kepala),
            "ISTRI/SUAMI" | "ISTRI" | "SUAMI" | "SUAMI/ISTRI" => Ok(Relation::Pasangan),
            "ANAK" => Ok(Relation::Anak),
            "MENANTU" => Ok(Relation::Menantu),
            "CUCU" => Ok(Relation::Cucu),
            "ORANG TUA" | "ORANGTUA" => Ok(Relation::OrangTua),
            "MERTUA" => Ok(Relation::Mertua),
            "FAMILI LAIN" => Ok(Relation::FamiliLain),
            "LAINNYA" => Ok(Relation::Lainnya),
            _ => Err(CodeError::new(CodeKind::Relation, s)),
        }
    }
}

impl fmt::Display for Relation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An identity number as found on a record: missing, valid, or kept raw with the reason it is invalid.
///
/// Invalid numbers are data to verify, not reasons to refuse a row, so the raw
/// text survives import and export unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdField<T> {
    /// The cell was empty.
    Missing,
    /// A valid number.
    Valid(T),
    /// The text as given and why it is not a valid number. Boxed: few cells
    /// are invalid, and held inline the text and the reason made every
    /// field 64 bytes instead of 16 or 24, 80 MB more for a million civil records
    /// and 300,000 registry rows held in memory at once.
    Invalid(Box<InvalidId>),
}

/// An identity number that did not parse: the cell's text and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidId {
    /// The cell's text, unchanged.
    pub raw: String,
    /// Why it was rejected.
    pub error: NikError,
}

impl<T> IdField<T> {
    /// An invalid cell: its text and why it was rejected.
    pub fn invalid(raw: impl Into<String>, error: NikError) -> Self {
        IdField::Invalid(Box::new(InvalidId {
            raw: raw.into(),
            error,
        }))
    }

    /// Why the cell is invalid, if it is.
    pub fn error(&self) -> Option<&NikError> {
        match self {
            IdField::Invalid(bad) => Some(&bad.error),
            _ => None,
        }
    }
}

impl<T: Copy> IdField<T> {
    /// The valid number, if any.
    pub fn valid(&self) -> Option<T> {
        match self {
            IdField::Valid(v) => Some(*v),
            _ => None,
        }
    }
}

impl<T: fmt::Display> IdField<T> {
    /// The text to write back to a file: the normalised number, the raw text, or empty.
    pub fn to_cell(&self) -> String {
        match self {
            IdField::Missing => String::new(),
            IdField::Valid(v) => v.to_string(),
            IdField::Invalid(bad) => bad.raw.clone(),
        }
    }
}

impl IdField<Nik> {
    /// Classifies a NIK cell; an empty cell is `Missing`, a placeholder is `Invalid`.
    pub fn parse_nik(raw: &str, today: NaiveDate) -> Self {
        match Nik::parse(raw, today) {
            Ok(n) => IdField::Valid(n),
            Err(NikError::Empty) => IdField::Missing,
            Err(error) => IdField::invalid(raw.trim(), error),
        }
    }
}

impl IdField<NoKk> {
    /// Classifies a No KK cell; an empty cell is `Missing`.
    pub fn parse_kk(raw: &str) -> Self {
        match NoKk::parse(raw) {
            Ok(n) => IdField::Valid(n),
            Err(NikError::Empty) => IdField::Missing,
            Err(error) => IdField::invalid(raw.trim(), error),
        }
    }
}

/// The text of a record's field: inline up to 24 bytes, which holds nearly
/// every name, place, address, RT and RW, so that a million records read
/// from a file are not millions of small heap allocations.
pub type Text = compact_str::CompactString;

/// One member (ART) of a registry household, as read from a DTKS extract.
#[derive(Debug, Clone, PartialEq)]
pub struct RegistryPerson {
    /// Stable record id of the person in the registry.
    pub id_art: Text,
    /// Household id; members with the same value are one household.
    pub id_keluarga: Option<Text>,
    /// Family card number.
    pub no_kk: IdField<NoKk>,
    /// National identity number.
    pub nik: IdField<Nik>,
    /// Full name as recorded.
    pub nama: Text,
    /// Sex.
    pub jenis_kelamin: Sex,
    /// Place of birth.
    pub tempat_lahir: Option<Text>,
    /// Date of birth.
    pub tgl_lahir: NaiveDate,
    /// Relation to the head of the family.
    pub hubungan_keluarga: Option<Relation>,
    /// Mother's maiden name.
    pub nama_ibu_kandung: Option<Text>,
    /// Street address.
    pub alamat: Option<Text>,
    /// RT (neighbourhood unit).
    pub rt: Option<Text>,
    /// RW (community unit).
    pub rw: Option<Text>,
    /// Village (desa/kelurahan) code.
    pub kode_wilayah: RegionCode,
    /// Columns the spec does not name, kept as they were.
    pub extra: Vec<(String, String)>,
}

/// Whether a civil-registry resident is alive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub enum LifeStatus {
    /// HIDUP (the default).
    #[default]
    Hidup,
    /// MENINGGAL.
    Meninggal,
}

impl LifeStatus {
    /// Both statuses, the default first.
    pub const ALL: [LifeStatus; 2] = [LifeStatus::Hidup, LifeStatus::Meninggal];

    /// Parses `HIDUP`/`MENINGGAL` (empty means alive).
    pub fn parse(s: &str) -> Result<LifeStatus, CodeError> {
        // The spec's own spellings, as nearly every row has them, without normalising.
        match s {
            "" | "HIDUP" => return Ok(LifeStatus::Hidup),
            "MENINGGAL" => return Ok(LifeStatus::Meninggal),
            _ => {}
        }
        match s.trim().to_uppercase().as_str() {
            "" | "HIDUP" => Ok(LifeStatus::Hidup),
            "MENINGGAL" | "MATI" | "WAFAT" => Ok(LifeStatus::Meninggal),
            _ => Err(CodeError::new(CodeKind::LifeStatus, s)),
        }
    }

    /// `HIDUP` or `MENINGGAL`.
    pub fn as_str(self) -> &'static str {
        match self {
            LifeStatus::Hidup => "HIDUP",
            LifeStatus::Meninggal => "MENINGGAL",
        }
    }
}

/// One resident in a civil-registry (Dukcapil) extract.
#[derive(Debug, Clone, PartialEq)]
pub struct CivilPerson {
    /// NIK, the key of the extract.
    pub nik: Nik,
    /// Family card number.
    pub no_kk: IdField<NoKk>,
    /// Full name.
    pub nama: Text,
    /// Sex.
    pub jenis_kelamin: Sex,
    /// Place of birth.
    pub tempat_lahir: Option<Text>,
    /// Date of birth.
    pub tgl_lahir: NaiveDate,
    /// Mother's maiden name.
    pub nama_ibu_kandung: Option<Text>,
    /// Street address.
    pub alamat: Option<Text>,
    /// RT.
    pub rt: Option<Text>,
    /// RW.
    pub rw: Option<Text>,
    /// Current domicile, a village code.
    pub kode_wilayah: RegionCode,
    /// Alive or deceased.
    pub status_hidup: LifeStatus,
    /// Date of death when deceased.
    pub tgl_meninggal: Option<NaiveDate>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sex_accepts_the_spec_spellings() {
        for s in ["L", "l", "LAKI-LAKI", "Laki-laki", "1"] {
            assert_eq!(Sex::parse(s), Ok(Sex::L), "{s}");
        }
        for s in ["P", "PEREMPUAN", "perempuan", "2"] {
            assert_eq!(Sex::parse(s), Ok(Sex::P), "{s}");
        }
        assert_eq!(Sex::parse(" X "), Err(CodeError::new(CodeKind::Sex, "X")));
        assert!(Sex::parse("").is_err());
    }

    #[test]
    fn relations_round_trip() {
        for r in Relation::ALL {
            assert_eq!(r.as_str().parse::<Relation>(), Ok(r));
        }
        assert_eq!("istri".parse::<Relation>(), Ok(Relation::Pasangan));
    }

    #[test]
    fn an_id_field_is_the_number_and_a_tag_whatever_the_invalid_text() {
        // A million records hold one or two each; see `IdField::Invalid`.
        assert!(std::mem::size_of::<IdField<NoKk>>() <= 16);
        assert!(std::mem::size_of::<IdField<Nik>>() <= 24);
    }

    #[test]
    fn id_field_keeps_invalid_raw_text() {
        let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let f = IdField::parse_nik(" 3.27601E+15 ", today);
        assert_eq!(f.to_cell(), "3.27601E+15");
        assert!(matches!(f.error(), Some(NikError::ExcelScientific(_))));
        assert_eq!(IdField::parse_nik("  ", today), IdField::Missing);
    }
}
