//! NIK (Nomor Induk Kependudukan) and No KK (Nomor Kartu Keluarga).
//!
//! A NIK is `PPKKCC DDMMYY SSSS`: the district where it was first issued, the
//! birth date (day + 40 for women) and a serial from 0001. There is no check
//! digit, so the parser checks what can be checked: the shape, the region
//! prefix against the bundled Kemendagri list, the embedded date and the serial.
//! A No KK is the district code, the card's issue date and a serial.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Serialize, Serializer};
use thiserror::Error;

use crate::lang::{Lang, Localized};
use crate::person::Sex;
use crate::region::{RegionCode, RegionLevel, regions};

/// Why a text is not a valid NIK or No KK.
///
/// The same checks apply to both numbers; [`NikError::code`] gives a stable
/// machine-readable code for each variant.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NikError {
    /// Nothing was given.
    #[error("nomor kosong")]
    Empty,
    /// Excel turned the number into scientific notation, losing digits (`3.27601E+15`).
    #[error(
        "nomor {0:?} rusak oleh Excel (notasi ilmiah); digit aslinya hilang, ketik ulang sebagai teks"
    )]
    ExcelScientific(String),
    /// Excel turned the number into a decimal (`3276010101900001.0`).
    #[error("nomor {0:?} rusak oleh Excel (angka desimal); simpan kolom sebagai teks")]
    ExcelDecimal(String),
    /// The spreadsheet stored the number as a numeric cell, so trailing digits
    /// beyond Excel's 15-digit precision may already be lost.
    #[error(
        "nomor {0:?} tersimpan sebagai angka di Excel, bukan teks; periksa dan simpan kolom sebagai teks"
    )]
    ExcelNumber(String),
    /// The file stored the number in a floating-point column (Parquet
    /// `FLOAT` or `DOUBLE`), which cannot be relied on to hold 16 digits.
    #[error(
        "nomor {0:?} tersimpan di berkas Parquet sebagai bilangan pecahan (FLOAT/DOUBLE), yang tidak dapat menyimpan 16 digit dengan pasti; program yang menulis berkas menyimpannya sebagai angka, tulis ulang kolom itu sebagai teks"
    )]
    ParquetFloat(String),
    /// A character other than a digit, space, dot or dash.
    #[error("nomor {raw:?} memuat karakter {ch:?}; hanya angka yang boleh")]
    NonDigit {
        /// The text as given.
        raw: String,
        /// The first offending character.
        ch: char,
    },
    /// Not 16 digits.
    #[error("nomor {raw:?} memiliki {len} digit; harus 16")]
    WrongLength {
        /// The text as given.
        raw: String,
        /// The number of digits found.
        len: usize,
    },
    /// A survey placeholder for a member without NIK (`99999999999999xx`).
    #[error("nomor {0} adalah kode pengganti survei (bukan NIK asli)")]
    Placeholder(String),
    /// The first two digits name no province in any edition.
    #[error("kode provinsi {0} pada nomor tidak dikenal")]
    UnknownProvince(String),
    /// The first four digits name no regency or city in any edition.
    #[error("kode kabupaten/kota {0} pada nomor tidak dikenal")]
    UnknownRegency(String),
    /// The embedded date (birth date for a NIK, issue date for a No KK) does not exist.
    #[error("tanggal di dalam nomor ({0}) tidak ada di kalender")]
    InvalidDate(String),
    /// The serial is 0000; serials start at 0001.
    #[error("nomor urut 0000 tidak sah; nomor urut dimulai dari 0001")]
    SerialZero,
}

impl NikError {
    /// A stable code for machine-readable output (`padu nik --json`).
    pub fn code(&self) -> &'static str {
        match self {
            NikError::Empty => "KOSONG",
            NikError::ExcelScientific(_) => "EXCEL_NOTASI_ILMIAH",
            NikError::ExcelDecimal(_) => "EXCEL_DESIMAL",
            NikError::ExcelNumber(_) => "EXCEL_ANGKA",
            NikError::ParquetFloat(_) => "PARQUET_PECAHAN",
            NikError::NonDigit { .. } => "BUKAN_ANGKA",
            NikError::WrongLength { .. } => "PANJANG_SALAH",
            NikError::Placeholder(_) => "KODE_PENGGANTI",
            NikError::UnknownProvince(_) => "PROVINSI_TIDAK_DIKENAL",
            NikError::UnknownRegency(_) => "KABUPATEN_TIDAK_DIKENAL",
            NikError::InvalidDate(_) => "TANGGAL_TIDAK_VALID",
            NikError::SerialZero => "NOMOR_URUT_NOL",
        }
    }

    /// Whether the error is one of Excel's manglings.
    pub fn is_excel(&self) -> bool {
        matches!(
            self,
            NikError::ExcelScientific(_) | NikError::ExcelDecimal(_) | NikError::ExcelNumber(_)
        )
    }
}

impl Localized for NikError {
    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Id => self.to_string(),
            Lang::En => match self {
                NikError::Empty => "number is empty".into(),
                NikError::ExcelScientific(s) => format!(
                    "number {s:?} was mangled by Excel (scientific notation); its digits are lost, re-type it as text"
                ),
                NikError::ExcelDecimal(s) => {
                    format!("number {s:?} was mangled by Excel (decimal); store the column as text")
                }
                NikError::ExcelNumber(s) => format!(
                    "number {s:?} is stored as a number in Excel, not text; check it and store the column as text"
                ),
                NikError::ParquetFloat(s) => format!(
                    "number {s:?} is stored in the Parquet file as a floating-point number (FLOAT/DOUBLE), which cannot hold 16 digits reliably; the program that wrote the file stored it as a number, write that column again as text"
                ),
                NikError::NonDigit { raw, ch } => {
                    format!("number {raw:?} contains {ch:?}; only digits are allowed")
                }
                NikError::WrongLength { raw, len } => {
                    format!("number {raw:?} has {len} digits; it must have 16")
                }
                NikError::Placeholder(s) => {
                    format!("number {s} is a survey placeholder, not a real NIK")
                }
                NikError::UnknownProvince(p) => {
                    format!("province code {p} in the number is unknown")
                }
                NikError::UnknownRegency(r) => {
                    format!("regency/city code {r} in the number is unknown")
                }
                NikError::InvalidDate(d) => {
                    format!("the date inside the number ({d}) does not exist")
                }
                NikError::SerialZero => "serial 0000 is not valid; serials start at 0001".into(),
            },
        }
    }
}

/// Something about a valid number worth telling the operator, but not a reason to reject it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NikWarning {
    /// The district part is in no edition of the list.
    DistrictUnknown(RegionCode),
    /// The district code was retired; the number keeps it because a NIK never changes.
    DistrictRetired {
        /// The district code.
        code: RegionCode,
        /// The last edition that had it.
        last_edition: u16,
    },
    /// The regency code was retired.
    RegencyRetired {
        /// The regency code.
        code: RegionCode,
        /// The last edition that had it.
        last_edition: u16,
    },
}

impl NikWarning {
    /// A stable code for machine-readable output.
    pub fn code(&self) -> &'static str {
        match self {
            NikWarning::DistrictUnknown(_) => "KECAMATAN_TIDAK_DIKENAL",
            NikWarning::DistrictRetired { .. } => "KECAMATAN_KODE_LAMA",
            NikWarning::RegencyRetired { .. } => "KABUPATEN_KODE_LAMA",
        }
    }
}

impl fmt::Display for NikWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::Id))
    }
}

impl Localized for NikWarning {
    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (NikWarning::DistrictUnknown(c), Lang::Id) => {
                format!("kode kecamatan {c} pada nomor tidak dikenal")
            }
            (NikWarning::DistrictUnknown(c), Lang::En) => {
                format!("district code {c} in the number is unknown")
            }
            (NikWarning::DistrictRetired { code, last_edition }, Lang::Id) => {
                format!("kode kecamatan {code} sudah tidak berlaku (terakhir edisi {last_edition})")
            }
            (NikWarning::DistrictRetired { code, last_edition }, Lang::En) => {
                format!("district code {code} is retired (last in the {last_edition} edition)")
            }
            (NikWarning::RegencyRetired { code, last_edition }, Lang::Id) => format!(
                "kode kabupaten/kota {code} sudah tidak berlaku (terakhir edisi {last_edition})"
            ),
            (NikWarning::RegencyRetired { code, last_edition }, Lang::En) => {
                format!("regency/city code {code} is retired (last in the {last_edition} edition)")
            }
        }
    }
}

/// A disagreement between a valid NIK and the record that carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NikMismatch {
    /// The embedded birth date differs from the record's date of birth.
    BirthDate {
        /// The date the NIK encodes.
        in_nik: NaiveDate,
        /// The date on the record.
        in_record: NaiveDate,
    },
    /// The embedded sex (day + 40 for women) differs from the record's.
    Sex {
        /// The sex the NIK encodes.
        in_nik: Sex,
        /// The sex on the record.
        in_record: Sex,
    },
}

impl Localized for NikMismatch {
    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (NikMismatch::BirthDate { in_nik, in_record }, Lang::Id) => format!(
                "tanggal lahir di NIK ({}) berbeda dengan tanggal lahir di data ({})",
                in_nik.format("%d-%m-%Y"),
                in_record.format("%d-%m-%Y")
            ),
            (NikMismatch::BirthDate { in_nik, in_record }, Lang::En) => format!(
                "birth date in the NIK ({}) differs from the record's ({})",
                in_nik.format("%d-%m-%Y"),
                in_record.format("%d-%m-%Y")
            ),
            (NikMismatch::Sex { in_nik, in_record }, Lang::Id) => format!(
                "jenis kelamin di NIK ({in_nik}) berbeda dengan jenis kelamin di data ({in_record})"
            ),
            (NikMismatch::Sex { in_nik, in_record }, Lang::En) => {
                format!("sex in the NIK ({in_nik}) differs from the record's ({in_record})")
            }
        }
    }
}

/// Recognises Excel's manglings of a long number before anything is stripped.
fn excel_form(t: &str) -> Option<NikError> {
    let b = t.as_bytes();
    // Scientific: d[.ddd]E[+]dd
    if let Some(epos) = t.find(['E', 'e']) {
        let (mant, exp) = (&t[..epos], &t[epos + 1..]);
        let exp = exp.strip_prefix('+').unwrap_or(exp);
        let mant_ok = !mant.is_empty()
            && mant
                .bytes()
                .all(|c| c.is_ascii_digit() || c == b'.' || c == b',')
            && mant.bytes().next().is_some_and(|c| c.is_ascii_digit());
        if mant_ok && !exp.is_empty() && exp.bytes().all(|c| c.is_ascii_digit()) {
            return Some(NikError::ExcelScientific(t.to_string()));
        }
    }
    // Decimal: 12+ digits then .0 / ,0 (a spreadsheet number written with its fraction).
    if let Some(pos) = t.rfind(['.', ',']) {
        let (int, frac) = (&b[..pos], &b[pos + 1..]);
        if int.len() >= 12
            && int.iter().all(u8::is_ascii_digit)
            && !frac.is_empty()
            && frac.iter().all(|c| *c == b'0')
        {
            return Some(NikError::ExcelDecimal(t.to_string()));
        }
    }
    None
}

/// The common shape check: 16 digits after removing spaces, dots and dashes.
fn sixteen_digits(raw: &str) -> Result<u64, NikError> {
    let t = raw.trim();
    let t = t.strip_prefix('\'').unwrap_or(t).trim();
    if t.is_empty() {
        return Err(NikError::Empty);
    }
    // Sixteen plain digits, as nearly every row has them: nothing to strip or explain.
    if t.len() == 16 && t.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(t.bytes().fold(0, |v, b| v * 10 + u64::from(b - b'0')));
    }
    if let Some(e) = excel_form(t) {
        return Err(e);
    }
    let mut value: u64 = 0;
    let mut len = 0usize;
    for ch in t.chars() {
        match ch {
            '0'..='9' => {
                len += 1;
                if len <= 16 {
                    value = value * 10 + u64::from(ch as u8 - b'0');
                }
            }
            ' ' | '.' | '-' | '\u{a0}' => {}
            other => {
                return Err(NikError::NonDigit {
                    raw: t.to_string(),
                    ch: other,
                });
            }
        }
    }
    if len != 16 {
        return Err(NikError::WrongLength {
            raw: t.to_string(),
            len,
        });
    }
    Ok(value)
}

/// Checks that the first four digits name a province and regency some edition knows.
fn check_region_prefix(value: u64) -> Result<(), NikError> {
    let idx = regions();
    let prov = RegionCode::from_digits(value / 100_000_000_000_000, RegionLevel::Province);
    if value / 100_000_000_000_000 < 11 || !idx.is_known(prov) {
        return Err(NikError::UnknownProvince(format!(
            "{:02}",
            value / 100_000_000_000_000
        )));
    }
    let reg_digits = value / 1_000_000_000_000;
    let reg = RegionCode::from_digits(reg_digits, RegionLevel::Regency);
    if reg_digits.is_multiple_of(100) || !idx.is_known(reg) {
        return Err(NikError::UnknownRegency(reg.to_string()));
    }
    Ok(())
}

/// Warnings for the district prefix (first six digits) of a valid number.
fn region_warnings(value: u64) -> Vec<NikWarning> {
    let idx = regions();
    let mut out = Vec::new();
    let reg = RegionCode::from_digits(value / 1_000_000_000_000, RegionLevel::Regency);
    if let Some(ed) = idx.get(reg).and_then(|i| i.retired_after) {
        out.push(NikWarning::RegencyRetired {
            code: reg,
            last_edition: ed,
        });
    }
    let dist = RegionCode::from_digits(value / 10_000_000_000, RegionLevel::District);
    match idx.get(dist) {
        None => out.push(NikWarning::DistrictUnknown(dist)),
        Some(i) => {
            if let Some(ed) = i.retired_after {
                out.push(NikWarning::DistrictRetired {
                    code: dist,
                    last_edition: ed,
                });
            }
        }
    }
    out
}

/// The checks a NIK and a No KK share, in the order both run them: sixteen digits,
/// not a survey placeholder, a known region prefix; then the `DDMMYY` part split out
/// for the caller's own date rule.
struct Decoded {
    value: u64,
    dd: u32,
    mm: u32,
    yy: u8,
}

impl Decoded {
    fn parse(raw: &str) -> Result<Decoded, NikError> {
        let value = sixteen_digits(raw)?;
        if value / 100 == 99_999_999_999_999 {
            return Err(NikError::Placeholder(format!("{value:016}")));
        }
        check_region_prefix(value)?;
        Ok(Decoded {
            value,
            dd: u32::from(two_digits(value / 100_000_000)),
            mm: u32::from(two_digits(value / 1_000_000)),
            yy: two_digits(value / 10_000),
        })
    }

    fn invalid_date(&self) -> NikError {
        NikError::InvalidDate(format!("{:02}{:02}{:02}", self.dd, self.mm, self.yy))
    }

    /// A serial of 0000 is never issued; checked after the date, as the error order promises.
    fn check_serial(&self) -> Result<(), NikError> {
        if self.value.is_multiple_of(10_000) {
            Err(NikError::SerialZero)
        } else {
            Ok(())
        }
    }
}

/// The last two decimal digits of `v`.
fn two_digits(v: u64) -> u8 {
    u8::try_from(v % 100).expect("a remainder of 100 fits in a byte")
}

/// Resolves a two-digit year to the latest century that does not put the date after `today`.
fn resolve_century(day: u32, month: u32, yy: u32, today: NaiveDate) -> Option<NaiveDate> {
    let base = today.year() - today.year().rem_euclid(100);
    for century in [base, base - 100] {
        if let Some(d) = NaiveDate::from_ymd_opt(century + yy as i32, month, day) {
            if d <= today {
                return Some(d);
            }
        } else {
            // The day/month pair does not exist in this year (e.g. 29 Feb): try the earlier century.
            continue;
        }
    }
    None
}

/// Everything that can be read from a NIK-like text, valid or not, with every problem found.
///
/// [`Nik::parse`] stops at the first error; this keeps going so an operator
/// sees all that is wrong at once (`padu nik`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NikReport {
    /// The 16 digits after stripping separators, when there are exactly 16 digits.
    pub normalized: Option<String>,
    /// Every error, in check order; empty when the NIK is valid.
    pub errors: Vec<NikError>,
    /// Warnings about a valid or invalid number's region prefix.
    pub warnings: Vec<NikWarning>,
    /// The province digits as a code, when derivable.
    pub province: Option<RegionCode>,
    /// The regency digits as a code, when derivable.
    pub regency: Option<RegionCode>,
    /// The district digits as a code, when derivable.
    pub district: Option<RegionCode>,
    /// The embedded birth date, when it is a real date.
    pub birth_date: Option<NaiveDate>,
    /// The embedded sex, when the day part is a plausible day (1–31 or 41–71).
    pub sex: Option<Sex>,
    /// The four serial digits.
    pub serial: Option<String>,
}

impl NikReport {
    /// Whether no error was found.
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }
}

/// A valid NIK: 16 digits whose region prefix, embedded birth date and serial check out.
///
/// Equality and hashing use the digits only.
#[derive(Clone, Copy)]
pub struct Nik {
    value: u64,
    birth_date: NaiveDate,
}

impl Nik {
    /// Parses a NIK as typed, stripping spaces, dots and dashes.
    ///
    /// `today` fixes the century of the embedded two-digit year: the latest
    /// century that does not put the birth in the future.
    pub fn parse(raw: &str, today: NaiveDate) -> Result<Nik, NikError> {
        let d = Decoded::parse(raw)?;
        let day = if d.dd > 40 { d.dd - 40 } else { d.dd };
        let birth_date = (1..=12)
            .contains(&d.mm)
            .then(|| resolve_century(day, d.mm, u32::from(d.yy), today))
            .flatten()
            .filter(|_| (1..=31).contains(&day))
            .ok_or_else(|| d.invalid_date())?;
        d.check_serial()?;
        Ok(Nik {
            value: d.value,
            birth_date,
        })
    }

    /// Inspects a NIK-like text, collecting every error and every derivable part.
    pub fn inspect(raw: &str, today: NaiveDate) -> NikReport {
        let mut r = NikReport {
            normalized: None,
            errors: Vec::new(),
            warnings: Vec::new(),
            province: None,
            regency: None,
            district: None,
            birth_date: None,
            sex: None,
            serial: None,
        };
        let value = match sixteen_digits(raw) {
            Ok(v) => v,
            Err(e) => {
                r.errors.push(e);
                return r;
            }
        };
        r.normalized = Some(format!("{value:016}"));
        if value / 100 == 99_999_999_999_999 {
            r.errors.push(NikError::Placeholder(format!("{value:016}")));
            return r;
        }
        let p = value / 100_000_000_000_000;
        if p >= 11 {
            r.province = Some(RegionCode::from_digits(p, RegionLevel::Province));
            if (value / 1_000_000_000_000) % 100 != 0 {
                r.regency = Some(RegionCode::from_digits(
                    value / 1_000_000_000_000,
                    RegionLevel::Regency,
                ));
                if (value / 10_000_000_000) % 100 != 0 {
                    r.district = Some(RegionCode::from_digits(
                        value / 10_000_000_000,
                        RegionLevel::District,
                    ));
                }
            }
        }
        match check_region_prefix(value) {
            Ok(()) => r.warnings = region_warnings(value),
            Err(e) => r.errors.push(e),
        }
        let dd = ((value / 100_000_000) % 100) as u32;
        let mm = ((value / 1_000_000) % 100) as u32;
        let yy = ((value / 10_000) % 100) as u32;
        let day = if dd > 40 { dd - 40 } else { dd };
        if (1..=31).contains(&day) {
            r.sex = Some(if dd > 40 { Sex::P } else { Sex::L });
        }
        r.birth_date = (1..=12)
            .contains(&mm)
            .then(|| resolve_century(day, mm, yy, today))
            .flatten()
            .filter(|_| (1..=31).contains(&day));
        if r.birth_date.is_none() {
            r.errors
                .push(NikError::InvalidDate(format!("{dd:02}{mm:02}{yy:02}")));
        }
        r.serial = Some(format!("{:04}", value % 10_000));
        if value % 10_000 == 0 {
            r.errors.push(NikError::SerialZero);
        }
        r
    }

    /// The NIK as a number (its 16 digits).
    pub fn as_u64(&self) -> u64 {
        self.value
    }

    /// The birth date encoded in the NIK.
    pub fn birth_date(&self) -> NaiveDate {
        self.birth_date
    }

    /// The sex encoded in the NIK: day above 40 means female.
    pub fn sex(&self) -> Sex {
        if (self.value / 100_000_000) % 100 > 40 {
            Sex::P
        } else {
            Sex::L
        }
    }

    /// The serial, 1–9999.
    pub fn serial(&self) -> u16 {
        (self.value % 10_000) as u16
    }

    /// The district where the NIK was first issued (may be a retired code).
    pub fn district(&self) -> RegionCode {
        RegionCode::from_digits(self.value / 10_000_000_000, RegionLevel::District)
    }

    /// The regency of issue.
    pub fn regency(&self) -> RegionCode {
        RegionCode::from_digits(self.value / 1_000_000_000_000, RegionLevel::Regency)
    }

    /// The province of issue.
    pub fn province(&self) -> RegionCode {
        RegionCode::from_digits(self.value / 100_000_000_000_000, RegionLevel::Province)
    }

    /// Warnings about the region prefix (retired or unknown district).
    pub fn warnings(&self) -> Vec<NikWarning> {
        region_warnings(self.value)
    }

    /// Compares what the NIK encodes with a record's birth date and sex.
    ///
    /// Birth dates are compared on day, month and two-digit year, because the
    /// century is not in the NIK.
    pub fn cross_check(&self, birth_date: NaiveDate, sex: Sex) -> Vec<NikMismatch> {
        let mut out = Vec::new();
        let b = self.birth_date;
        if b.day() != birth_date.day()
            || b.month() != birth_date.month()
            || b.year().rem_euclid(100) != birth_date.year().rem_euclid(100)
        {
            out.push(NikMismatch::BirthDate {
                in_nik: b,
                in_record: birth_date,
            });
        }
        if self.sex() != sex {
            out.push(NikMismatch::Sex {
                in_nik: self.sex(),
                in_record: sex,
            });
        }
        out
    }
}

impl PartialEq for Nik {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}
impl Eq for Nik {}
impl std::hash::Hash for Nik {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.value.hash(state);
    }
}
impl PartialOrd for Nik {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Nik {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.value.cmp(&other.value)
    }
}

impl fmt::Display for Nik {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016}", self.value)
    }
}

impl fmt::Debug for Nik {
    /// Masks the birth date and serial so debug logs do not carry a full NIK.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Nik({:06}**********)", self.value / 10_000_000_000)
    }
}

impl Serialize for Nik {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A valid No KK (family card number): 16 digits, a known region prefix, a real issue date and a non-zero serial.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NoKk {
    value: u64,
}

impl NoKk {
    /// Parses a No KK as typed, stripping spaces, dots and dashes.
    pub fn parse(raw: &str) -> Result<NoKk, NikError> {
        let d = Decoded::parse(raw)?;
        let (dd, mm, yy) = (d.dd, d.mm, i32::from(d.yy));
        // The issue date's century is irrelevant to validity; 2000 is a leap year so 29 Feb passes.
        if NaiveDate::from_ymd_opt(2000 + yy, mm, dd).is_none()
            && NaiveDate::from_ymd_opt(1900 + yy, mm, dd).is_none()
        {
            return Err(d.invalid_date());
        }
        d.check_serial()?;
        Ok(NoKk { value: d.value })
    }

    /// The number as a u64.
    pub fn as_u64(&self) -> u64 {
        self.value
    }

    /// The district where the card was issued.
    pub fn district(&self) -> RegionCode {
        RegionCode::from_digits(self.value / 10_000_000_000, RegionLevel::District)
    }

    /// Warnings about the region prefix.
    pub fn warnings(&self) -> Vec<NikWarning> {
        region_warnings(self.value)
    }
}

impl fmt::Display for NoKk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016}", self.value)
    }
}

impl fmt::Debug for NoKk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NoKk({:06}**********)", self.value / 10_000_000_000)
    }
}

impl Serialize for NoKk {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn valid_nik_yields_its_parts() {
        let n = Nik::parse("3276014501900001", today()).unwrap();
        assert_eq!(n.birth_date(), ymd(1990, 1, 5));
        assert_eq!(n.sex(), Sex::P);
        assert_eq!(n.serial(), 1);
        assert_eq!(n.district().to_string(), "32.76.01");
        assert_eq!(n.regency().to_string(), "32.76");
        assert_eq!(n.to_string(), "3276014501900001");
        assert!(n.warnings().is_empty());
    }

    #[test]
    fn separators_and_excel_text_marker_are_stripped() {
        let a = Nik::parse("3276.0105.0190.0001", today()).unwrap();
        let b = Nik::parse(" 327601-050190-0001 ", today()).unwrap();
        let c = Nik::parse("'3276010501900001", today()).unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(a.sex(), Sex::L);
    }

    #[test]
    fn century_does_not_put_birth_in_the_future() {
        let n = Nik::parse("3276010101250001", today()).unwrap();
        assert_eq!(n.birth_date(), ymd(2025, 1, 1));
        let n = Nik::parse("3276010101270001", today()).unwrap();
        assert_eq!(n.birth_date(), ymd(1927, 1, 1));
        // 23 Nov 2026 is not in the future; 24 Nov 26 is, so it is 1926.
        let n = Nik::parse("3276012311260001", today()).unwrap();
        assert_eq!(n.birth_date(), ymd(2026, 11, 23));
        let n = Nik::parse("3276012411260001", today()).unwrap();
        assert_eq!(n.birth_date(), ymd(1926, 11, 24));
    }

    #[test]
    fn each_failure_has_its_own_variant() {
        let t = today();
        assert_eq!(Nik::parse("", t), Err(NikError::Empty));
        assert!(matches!(
            Nik::parse("32760101019O0001", t),
            Err(NikError::NonDigit { ch: 'O', .. })
        ));
        assert!(matches!(
            Nik::parse("327601010190001", t),
            Err(NikError::WrongLength { len: 15, .. })
        ));
        // Each variant has its own code, so the code names the variant.
        for (raw, code) in [
            ("3.27601E+15", "EXCEL_NOTASI_ILMIAH"),
            ("3,27601E+15", "EXCEL_NOTASI_ILMIAH"),
            ("3276010101900001.0", "EXCEL_DESIMAL"),
            ("9999999999999995", "KODE_PENGGANTI"),
            ("9999999999999994", "KODE_PENGGANTI"),
            ("0076010101900001", "PROVINSI_TIDAK_DIKENAL"),
            ("3299010101900001", "KABUPATEN_TIDAK_DIKENAL"),
            ("3276013102900001", "TANGGAL_TIDAK_VALID"),
            ("3276017202900001", "TANGGAL_TIDAK_VALID"),
            ("3276010113900001", "TANGGAL_TIDAK_VALID"),
        ] {
            assert_eq!(Nik::parse(raw, t).map_err(|e| e.code()), Err(code), "{raw}");
        }
        assert_eq!(Nik::parse("3276010101900000", t), Err(NikError::SerialZero));
        assert_eq!(NikError::SerialZero.code(), "NOMOR_URUT_NOL");
    }

    #[test]
    fn women_have_day_plus_forty() {
        let n = Nik::parse("3276017102900001", today());
        assert!(n.is_err(), "31 Feb (71) is not a date");
        let n = Nik::parse("3276016912000001", today()).unwrap();
        assert_eq!(n.birth_date(), ymd(2000, 12, 29));
        assert_eq!(n.sex(), Sex::P);
    }

    #[test]
    fn retired_and_unknown_districts_are_warnings() {
        // 91.01 (Merauke) moved to Papua Selatan; the old code stays in NIKs.
        let n = Nik::parse("9101010101900001", today()).unwrap();
        assert!(n.warnings().iter().any(|w| matches!(
            w,
            NikWarning::RegencyRetired {
                last_edition: 2022,
                ..
            }
        )));
        let n = Nik::parse("3276990101900001", today()).unwrap();
        assert_eq!(
            n.warnings(),
            vec![NikWarning::DistrictUnknown(
                RegionCode::parse("32.76.99").unwrap()
            )]
        );
    }

    #[test]
    fn cross_check_reports_birth_date_and_sex_separately() {
        let n = Nik::parse("3276014501900001", today()).unwrap();
        assert!(n.cross_check(ymd(1990, 1, 5), Sex::P).is_empty());
        let m = n.cross_check(ymd(1990, 5, 1), Sex::L);
        assert_eq!(m.len(), 2);
        assert!(matches!(m[0], NikMismatch::BirthDate { .. }));
        assert!(matches!(
            m[1],
            NikMismatch::Sex {
                in_nik: Sex::P,
                in_record: Sex::L
            }
        ));
    }

    #[test]
    fn no_kk_checks_region_and_issue_date() {
        let k = NoKk::parse("3276011203150007").unwrap();
        assert_eq!(k.to_string(), "3276011203150007");
        assert!(matches!(
            NoKk::parse("3276013202150007"),
            Err(NikError::InvalidDate(_))
        ));
        assert!(matches!(
            NoKk::parse("3.27601E+15"),
            Err(NikError::ExcelScientific(_))
        ));
        assert_eq!(NoKk::parse("3276011203150000"), Err(NikError::SerialZero));
    }

    #[test]
    fn inspect_collects_every_error_and_derivable_part() {
        let r = Nik::inspect("3299013102900000", today());
        let codes: Vec<_> = r.errors.iter().map(NikError::code).collect();
        assert_eq!(
            codes,
            [
                "KABUPATEN_TIDAK_DIKENAL",
                "TANGGAL_TIDAK_VALID",
                "NOMOR_URUT_NOL"
            ]
        );
        assert_eq!(r.normalized.as_deref(), Some("3299013102900000"));
        assert_eq!(r.province.unwrap().to_string(), "32");
        assert_eq!(r.regency.unwrap().to_string(), "32.99");
        assert_eq!(r.birth_date, None);
        assert_eq!(r.sex, Some(Sex::L));
        let ok = Nik::inspect("3276014501900001", today());
        assert!(ok.is_valid());
        assert_eq!(ok.birth_date, Some(ymd(1990, 1, 5)));
        let excel = Nik::inspect("3.27601E+15", today());
        assert_eq!(excel.normalized, None);
        assert!(excel.errors[0].is_excel());
    }

    proptest! {
        #[test]
        fn inspect_agrees_with_parse(s in "[0-9]{16}") {
            let r = Nik::inspect(&s, today());
            match Nik::parse(&s, today()) {
                Ok(n) => {
                    prop_assert!(r.is_valid());
                    prop_assert_eq!(r.birth_date, Some(n.birth_date()));
                    prop_assert_eq!(r.sex, Some(n.sex()));
                }
                Err(e) => prop_assert_eq!(r.errors.first(), Some(&e)),
            }
        }
    }

    #[test]
    fn debug_output_masks_the_number() {
        let n = Nik::parse("3276014501900001", today()).unwrap();
        assert_eq!(format!("{n:?}"), "Nik(327601**********)");
    }

    proptest! {
        #[test]
        fn generated_valid_niks_parse_and_round_trip(
            day in 1u32..=28, month in 1u32..=12, yy in 0u32..=99, female: bool, serial in 1u32..=9999
        ) {
            let dd = if female { day + 40 } else { day };
            let s = format!("327601{dd:02}{month:02}{yy:02}{serial:04}");
            let n = Nik::parse(&s, today()).unwrap();
            prop_assert_eq!(n.to_string(), s.clone());
            prop_assert_eq!(n.sex(), if female { Sex::P } else { Sex::L });
            prop_assert!(n.birth_date() <= today());
            prop_assert_eq!(n.birth_date().day(), day);
            prop_assert_eq!(n.serial() as u32, serial);
            let dotted = format!("{}.{}.{}", &s[..6], &s[6..12], &s[12..]);
            prop_assert_eq!(Nik::parse(&dotted, today()).unwrap(), n);
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,24}") {
            let _ = Nik::parse(&s, today());
            let _ = NoKk::parse(&s);
        }

        #[test]
        fn any_sixteen_digit_string_is_accepted_or_gets_a_specific_error(s in "[0-9]{16}") {
            match Nik::parse(&s, today()) {
                Ok(n) => prop_assert_eq!(n.to_string(), s),
                Err(e) => prop_assert!(matches!(e,
                    NikError::Placeholder(_) | NikError::UnknownProvince(_) | NikError::UnknownRegency(_)
                    | NikError::InvalidDate(_) | NikError::SerialZero)),
            }
        }

        #[test]
        fn wrong_lengths_are_reported_with_their_length(len in 1usize..=30) {
            prop_assume!(len != 16);
            let s = "3".repeat(len);
            let is_wrong_length = matches!(Nik::parse(&s, today()), Err(NikError::WrongLength { len: l, .. }) if l == len);
            prop_assert!(is_wrong_length);
        }
    }
}
