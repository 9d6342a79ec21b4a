//! Kemendagri region codes (kode wilayah) and the bundled index of their names.
//!
//! A code is 2 digits for a province, `PP.KK` for a regency or city,
//! `PP.KK.CC` for a district (kecamatan) and `PP.KK.CC.DDDD` for a village
//! (desa or kelurahan). The list of the 2025 edition and the codes retired
//! since 2018 are compiled into the binary so Padu works offline.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::lang::{Lang, Localized};

const WILAYAH_2025: &str = include_str!("../data/wilayah/wilayah_2025.csv");
const WILAYAH_HISTORIS: &str = include_str!("../data/wilayah/wilayah_historis.csv");
const PENDUDUK_2025: &str = include_str!("../data/wilayah/penduduk_2025.csv");

/// The edition of the bundled region list, shown by `padu wilayah --edisi`.
pub const EDITION: &str = "Kepmendagri 300.2.2-2138/2025 (kode wilayah 2025; kode lama dari edisi 2018, 2020, 2022, 2023)";

/// The year of the bundled current edition.
pub const EDITION_YEAR: u16 = 2025;

/// The four administrative levels a region code can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RegionLevel {
    /// Provinsi: 2 digits.
    Province,
    /// Kabupaten or kota: 4 digits.
    Regency,
    /// Kecamatan: 6 digits.
    District,
    /// Desa or kelurahan: 10 digits.
    Village,
}

impl RegionLevel {
    /// Number of digits of a code of this level.
    pub const fn digits(self) -> usize {
        match self {
            RegionLevel::Province => 2,
            RegionLevel::Regency => 4,
            RegionLevel::District => 6,
            RegionLevel::Village => 10,
        }
    }

    /// Divisor that truncates a 10-digit padded code to this level.
    const fn divisor(self) -> u64 {
        match self {
            RegionLevel::Province => 100_000_000,
            RegionLevel::Regency => 1_000_000,
            RegionLevel::District => 10_000,
            RegionLevel::Village => 1,
        }
    }

    /// The Indonesian name of the level.
    pub const fn name_id(self) -> &'static str {
        match self {
            RegionLevel::Province => "provinsi",
            RegionLevel::Regency => "kabupaten/kota",
            RegionLevel::District => "kecamatan",
            RegionLevel::Village => "desa/kelurahan",
        }
    }
}

/// Why a text is not a region code.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RegionError {
    /// The text is empty.
    #[error("kode wilayah kosong")]
    Empty,
    /// The text holds something other than digits and dots.
    #[error("kode wilayah {0:?} memuat karakter selain angka dan titik")]
    NonDigit(String),
    /// The number of digits is not 2, 4, 6 or 10, or the dots are misplaced.
    #[error("kode wilayah {0:?} harus 2, 4, 6 atau 10 digit (PP.KK.CC.DDDD)")]
    BadShape(String),
    /// A part of the code is zero, which no region has.
    #[error("kode wilayah {0:?} memuat bagian 00")]
    ZeroPart(String),
    /// The code is well-formed but no edition of the list has it.
    #[error("kode wilayah {0} tidak dikenal dalam daftar Kemendagri")]
    Unknown(RegionCode),
    /// A village code was required but the code names a higher level.
    #[error("kode wilayah {0} bukan kode desa/kelurahan (10 digit)")]
    NotVillage(RegionCode),
}

impl Localized for RegionError {
    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Id => self.to_string(),
            Lang::En => match self {
                RegionError::Empty => "region code is empty".into(),
                RegionError::NonDigit(s) => {
                    format!("region code {s:?} contains characters other than digits and dots")
                }
                RegionError::BadShape(s) => {
                    format!("region code {s:?} must have 2, 4, 6 or 10 digits (PP.KK.CC.DDDD)")
                }
                RegionError::ZeroPart(s) => format!("region code {s:?} has a 00 part"),
                RegionError::Unknown(c) => format!("region code {c} is not in the Kemendagri list"),
                RegionError::NotVillage(c) => {
                    format!("region code {c} is not a village code (10 digits)")
                }
            },
        }
    }
}

/// A well-formed Kemendagri region code of any level.
///
/// Stored as the code's digits right-padded to ten, so prefix tests are
/// integer divisions. Whether the code exists is a question for
/// [`RegionIndex`]; this type only guarantees the shape.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegionCode {
    padded: u64,
    level: RegionLevel,
}

impl RegionCode {
    /// Parses `32`, `32.76`, `3276`, `32.76.01`, `32.76.01.1006` or `3276011006`.
    pub fn parse(s: &str) -> Result<Self, RegionError> {
        let t = s.trim();
        if t.is_empty() {
            return Err(RegionError::Empty);
        }
        if !t.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return Err(RegionError::NonDigit(t.to_string()));
        }
        let level = if t.contains('.') {
            let lens: Vec<usize> = t.split('.').map(str::len).collect();
            match lens.as_slice() {
                [2] => RegionLevel::Province,
                [2, 2] => RegionLevel::Regency,
                [2, 2, 2] => RegionLevel::District,
                [2, 2, 2, 4] => RegionLevel::Village,
                _ => return Err(RegionError::BadShape(t.to_string())),
            }
        } else {
            match t.len() {
                2 => RegionLevel::Province,
                4 => RegionLevel::Regency,
                6 => RegionLevel::District,
                10 => RegionLevel::Village,
                _ => return Err(RegionError::BadShape(t.to_string())),
            }
        };
        let mut digits: u64 = 0;
        for b in t.bytes().filter(|b| *b != b'.') {
            digits = digits * 10 + u64::from(b - b'0');
        }
        let code = Self::from_digits(digits, level);
        let parts_ok = code.province_part() != 0
            && (level < RegionLevel::Regency || code.regency_part() != 0)
            && (level < RegionLevel::District || code.district_part() != 0)
            && (level < RegionLevel::Village || code.village_part() != 0);
        if !parts_ok {
            return Err(RegionError::ZeroPart(t.to_string()));
        }
        Ok(code)
    }

    /// Builds a code from its digits read as a number (e.g. `3276` at regency level).
    ///
    /// Callers must pass a number with exactly `level.digits()` digits; the
    /// NIK parser uses this for the six-digit prefix it has already checked.
    #[expect(
        clippy::cast_possible_truncation,
        reason = "a level has at most 10 digits"
    )]
    pub(crate) fn from_digits(digits: u64, level: RegionLevel) -> Self {
        let pad = 10u64.pow((10 - level.digits()) as u32);
        RegionCode {
            padded: digits * pad,
            level,
        }
    }

    /// The level of this code.
    pub fn level(self) -> RegionLevel {
        self.level
    }

    /// The code's digits as a number, without padding (e.g. `3276` for `32.76`).
    pub fn digits(self) -> u64 {
        self.padded / self.level.divisor()
    }

    fn province_part(self) -> u64 {
        self.padded / 100_000_000
    }
    fn regency_part(self) -> u64 {
        (self.padded / 1_000_000) % 100
    }
    fn district_part(self) -> u64 {
        (self.padded / 10_000) % 100
    }
    fn village_part(self) -> u64 {
        self.padded % 10_000
    }

    /// This code cut to a higher (or the same) level; `None` if `level` is lower than this code's.
    pub fn truncate(self, level: RegionLevel) -> Option<RegionCode> {
        if level > self.level {
            return None;
        }
        let d = level.divisor();
        Some(RegionCode {
            padded: self.padded / d * d,
            level,
        })
    }

    /// The province of this code.
    pub fn province(self) -> RegionCode {
        self.truncate(RegionLevel::Province)
            .expect("every code has a province")
    }

    /// The regency or city of this code, if it is at least that deep.
    pub fn regency(self) -> Option<RegionCode> {
        self.truncate(RegionLevel::Regency)
    }

    /// The district of this code, if it is at least that deep.
    pub fn district(self) -> Option<RegionCode> {
        self.truncate(RegionLevel::District)
    }

    /// The code one level up, or `None` for a province.
    pub fn parent(self) -> Option<RegionCode> {
        let up = match self.level {
            RegionLevel::Province => return None,
            RegionLevel::Regency => RegionLevel::Province,
            RegionLevel::District => RegionLevel::Regency,
            RegionLevel::Village => RegionLevel::District,
        };
        self.truncate(up)
    }

    /// This code and its ancestors, from the province down.
    pub fn chain(self) -> Vec<RegionCode> {
        let mut v = vec![self];
        let mut c = self;
        while let Some(p) = c.parent() {
            v.push(p);
            c = p;
        }
        v.reverse();
        v
    }

    /// Whether `other` lies within this region (a code contains itself).
    pub fn contains(self, other: RegionCode) -> bool {
        other.truncate(self.level) == Some(self)
    }

    /// For a regency-or-deeper code: whether the regency part names a kota (71–99).
    pub fn is_kota(self) -> Option<bool> {
        (self.level >= RegionLevel::Regency).then(|| self.regency_part() >= 71)
    }

    /// For a village code: whether it is a kelurahan (first village digit 1)
    /// rather than a desa (2) or desa adat (3).
    pub fn is_kelurahan(self) -> Option<bool> {
        (self.level == RegionLevel::Village).then(|| self.village_part() / 1000 == 1)
    }

    /// The dotted form, e.g. `32.76.01.1006`.
    pub fn dotted(self) -> String {
        self.to_string()
    }

    /// The undotted digits, e.g. `3276011006`.
    pub fn compact(self) -> String {
        format!("{:0width$}", self.digits(), width = self.level.digits())
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}", self.province_part())?;
        if self.level >= RegionLevel::Regency {
            write!(f, ".{:02}", self.regency_part())?;
        }
        if self.level >= RegionLevel::District {
            write!(f, ".{:02}", self.district_part())?;
        }
        if self.level >= RegionLevel::Village {
            write!(f, ".{:04}", self.village_part())?;
        }
        Ok(())
    }
}

impl fmt::Debug for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RegionCode({self})")
    }
}

impl FromStr for RegionCode {
    type Err = RegionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RegionCode::parse(s)
    }
}

impl Serialize for RegionCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for RegionCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        RegionCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// What the bundled list knows about one code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionInfo {
    /// The code.
    pub code: RegionCode,
    /// Its name as Kemendagri writes it.
    pub name: String,
    /// `None` if the code is in the current edition; otherwise the last edition that had it.
    pub retired_after: Option<u16>,
}

impl RegionInfo {
    /// Whether the code is in the current edition.
    pub fn is_current(&self) -> bool {
        self.retired_after.is_none()
    }
}

/// An index of every region code by code and by name.
pub struct RegionIndex {
    /// Looked up for every row read, so with a fast (seeded) hash instead of SipHash.
    by_code: HashMap<RegionCode, RegionInfo, foldhash::fast::RandomState>,
    by_name: HashMap<String, Vec<RegionCode>>,
}

/// The index of the bundled Kemendagri list, built on first use (a few milliseconds).
pub fn regions() -> &'static RegionIndex {
    static INDEX: OnceLock<RegionIndex> = OnceLock::new();
    INDEX.get_or_init(RegionIndex::bundled)
}

/// Splits a `kode,nama[,edisi]` line, allowing a quoted name with commas.
fn split_line(line: &str) -> Option<(&str, &str, Option<&str>)> {
    let (code, rest) = line.split_once(',')?;
    if let Some(q) = rest.strip_prefix('"') {
        let end = q.find('"')?;
        let name = &q[..end];
        let tail = q[end + 1..].strip_prefix(',');
        Some((code, name, tail))
    } else {
        match rest.split_once(',') {
            Some((name, ed)) => Some((code, name, Some(ed))),
            None => Some((code, rest, None)),
        }
    }
}

/// The 2025 population of every province and regency/city (Dukcapil, bundled with the region list), in code order.
///
/// Used to place synthetic people where real people live; a region missing here has no published count.
pub fn population_2025() -> impl Iterator<Item = (RegionCode, u64)> {
    PENDUDUK_2025.lines().skip(1).filter_map(|line| {
        let code = line.split(',').next()?;
        let total = line.rsplit(',').next()?;
        Some((RegionCode::parse(code).ok()?, total.trim().parse().ok()?))
    })
}

/// Folds a region name for lookup: upper case, single spaces, no administrative prefix.
pub fn fold_name(name: &str) -> String {
    let up: String = name
        .to_uppercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for prefix in ["KABUPATEN ", "KAB. ", "KAB ", "KOTA ADM. ", "KOTA "] {
        if let Some(rest) = up.strip_prefix(prefix) {
            return rest.to_string();
        }
    }
    up
}

impl RegionIndex {
    /// Builds the index from the lists compiled into the binary.
    pub fn bundled() -> Self {
        Self::from_lists(WILAYAH_2025, WILAYAH_HISTORIS)
    }

    /// Builds an index from `kode,nama` (current) and `kode,nama,edisi_terakhir` (retired) texts.
    pub fn from_lists(current: &str, retired: &str) -> Self {
        let mut by_code = HashMap::with_capacity_and_hasher(100_000, Default::default());
        for line in current.lines().skip(1) {
            if let Some((code, name, _)) = split_line(line)
                && let Ok(code) = RegionCode::parse(code)
            {
                by_code.insert(
                    code,
                    RegionInfo {
                        code,
                        name: name.to_string(),
                        retired_after: None,
                    },
                );
            }
        }
        for line in retired.lines().skip(1) {
            if let Some((code, name, Some(ed))) = split_line(line)
                && let Ok(code) = RegionCode::parse(code)
            {
                let ed = ed.trim().parse().unwrap_or(0);
                by_code.entry(code).or_insert(RegionInfo {
                    code,
                    name: name.to_string(),
                    retired_after: Some(ed),
                });
            }
        }
        let mut by_name: HashMap<String, Vec<RegionCode>> = HashMap::new();
        for info in by_code.values() {
            by_name
                .entry(fold_name(&info.name))
                .or_default()
                .push(info.code);
        }
        for v in by_name.values_mut() {
            v.sort();
        }
        RegionIndex { by_code, by_name }
    }

    /// What the list knows about `code`, current or retired.
    pub fn get(&self, code: RegionCode) -> Option<&RegionInfo> {
        self.by_code.get(&code)
    }

    /// Whether the code is in any edition.
    pub fn is_known(&self, code: RegionCode) -> bool {
        self.by_code.contains_key(&code)
    }

    /// Codes whose name matches `name` (case-insensitive, administrative prefixes ignored),
    /// current ones first.
    pub fn find_by_name(&self, name: &str) -> Vec<&RegionInfo> {
        let mut found: Vec<&RegionInfo> = self
            .by_name
            .get(&fold_name(name))
            .into_iter()
            .flatten()
            .filter_map(|c| self.by_code.get(c))
            .collect();
        found.sort_by_key(|i| (i.retired_after.is_some(), i.code.level(), i.code));
        found
    }

    /// Parses a code and checks that some edition knows it.
    pub fn parse_known(&self, s: &str) -> Result<RegionCode, RegionError> {
        let code = RegionCode::parse(s)?;
        if self.is_known(code) {
            Ok(code)
        } else {
            Err(RegionError::Unknown(code))
        }
    }

    /// Parses a village code that some edition knows.
    pub fn parse_village(&self, s: &str) -> Result<RegionCode, RegionError> {
        let code = self.parse_known(s)?;
        if code.level() == RegionLevel::Village {
            Ok(code)
        } else {
            Err(RegionError::NotVillage(code))
        }
    }

    /// The full path of a code, lowest level first, e.g.
    /// `Depok, Pancoran Mas, Kota Depok, Jawa Barat`.
    pub fn path(&self, code: RegionCode) -> String {
        let mut parts: Vec<&str> = code
            .chain()
            .into_iter()
            .map(|c| self.get(c).map_or("?", |i| i.name.as_str()))
            .collect();
        parts.reverse();
        parts.join(", ")
    }

    /// Every code in the index (order unspecified).
    pub fn iter(&self) -> impl Iterator<Item = &RegionInfo> {
        self.by_code.values()
    }

    /// Number of codes in the index.
    pub fn len(&self) -> usize {
        self.by_code.len()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.by_code.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_every_level_with_and_without_dots() {
        let v = RegionCode::parse("32.76.01.1006").unwrap();
        assert_eq!(v.level(), RegionLevel::Village);
        assert_eq!(RegionCode::parse("3276011006").unwrap(), v);
        assert_eq!(v.to_string(), "32.76.01.1006");
        assert_eq!(v.compact(), "3276011006");
        assert_eq!(v.parent().unwrap().to_string(), "32.76.01");
        assert_eq!(v.regency().unwrap().to_string(), "32.76");
        assert_eq!(v.province().to_string(), "32");
        assert!(RegionCode::parse("32").unwrap().contains(v));
        assert!(!RegionCode::parse("32.75").unwrap().contains(v));
        assert!(v.contains(v));
        assert_eq!(v.is_kota(), Some(true));
        assert_eq!(v.is_kelurahan(), Some(true));
        assert_eq!(RegionCode::parse("32.01").unwrap().is_kota(), Some(false));
    }

    #[test]
    fn rejects_malformed_codes_with_precise_errors() {
        assert_eq!(RegionCode::parse(""), Err(RegionError::Empty));
        assert!(matches!(
            RegionCode::parse("32-76"),
            Err(RegionError::NonDigit(_))
        ));
        assert!(matches!(
            RegionCode::parse("327"),
            Err(RegionError::BadShape(_))
        ));
        assert!(matches!(
            RegionCode::parse("3.276"),
            Err(RegionError::BadShape(_))
        ));
        assert!(matches!(
            RegionCode::parse("32.00"),
            Err(RegionError::ZeroPart(_))
        ));
    }

    #[test]
    fn bundled_index_knows_depok_and_its_path() {
        let idx = regions();
        let code = idx.parse_village("32.76.01.1006").unwrap();
        assert_eq!(
            idx.path(code),
            "Depok, Pancoran Mas, Kota Depok, Jawa Barat"
        );
        let found = idx.find_by_name("kota depok");
        assert_eq!(found[0].code.to_string(), "32.76");
        assert!(found[0].is_current());
    }

    #[test]
    fn retired_codes_are_known_with_their_last_edition() {
        let idx = regions();
        let c = idx.parse_known("91.01").unwrap();
        let info = idx.get(c).unwrap();
        assert_eq!(info.retired_after, Some(2022));
        assert!(!info.is_current());
        assert!(matches!(
            idx.parse_known("99.99"),
            Err(RegionError::Unknown(_))
        ));
        assert!(matches!(
            idx.parse_village("32.76"),
            Err(RegionError::NotVillage(_))
        ));
    }

    #[test]
    fn bundled_index_has_the_documented_counts() {
        let idx = regions();
        let current = |l| {
            idx.iter()
                .filter(|i| i.is_current() && i.code.level() == l)
                .count()
        };
        assert_eq!(current(RegionLevel::Province), 38);
        assert_eq!(current(RegionLevel::Regency), 514);
        assert_eq!(current(RegionLevel::District), 7285);
        assert_eq!(current(RegionLevel::Village), 83762);
        assert_eq!(idx.iter().filter(|i| !i.is_current()).count(), 7009);
    }

    proptest! {
        #[test]
        fn display_round_trips(p in 11u64..=99, r in 1u64..=99, d in 1u64..=99, v in 1u64..=9999) {
            let s = format!("{p:02}.{r:02}.{d:02}.{v:04}");
            let c = RegionCode::parse(&s).unwrap();
            prop_assert_eq!(c.to_string(), s);
            prop_assert_eq!(RegionCode::parse(&c.compact()).unwrap(), c);
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,20}") {
            let _ = RegionCode::parse(&s);
        }
    }
}
