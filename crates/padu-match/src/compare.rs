//! Graded comparison of two prepared records, field by field.
//!
//! Each field has a small number of agreement levels, best first; a missing
//! value on either side is its own level ([`MISSING`]) and carries no weight.
//! The scorer learns how much each level is worth, so the levels only need to
//! be ordered sensibly, not calibrated.

use chrono::Datelike;
use serde::Serialize;

use crate::block::read_ahead;
use crate::prepare::{NONE, NameInfo, Prepared, Rec, niks_one_digit_off};

/// An agreement level: 0 is the strongest agreement.
pub(crate) type Level = u8;

/// The level of a comparison where either side has no value.
pub(crate) const MISSING: Level = 15;

/// Number of compared fields.
pub(crate) const NF: usize = 9;

/// The levels of every field for one pair, in [`comparators`] order.
pub(crate) type Vector = [Level; NF];

/// Index of the NIK comparator in [`comparators`].
pub(crate) const F_NIK: usize = 8;
/// Index of the name comparator.
pub(crate) const F_NAME: usize = 0;
/// Index of the birth-date comparator.
pub(crate) const F_DOB: usize = 1;
/// Index of the sex comparator.
pub(crate) const F_SEX: usize = 2;
/// Index of the mother's-name comparator.
pub(crate) const F_MOTHER: usize = 3;
/// Index of the place-of-birth comparator.
pub(crate) const F_PLACE: usize = 4;
/// Index of the address comparator.
pub(crate) const F_ADDR: usize = 5;
/// Index of the region comparator.
pub(crate) const F_REGION: usize = 6;
/// Index of the No KK comparator.
pub(crate) const F_KK: usize = 7;

/// One field's graded comparison: the engine's seam for adding or replacing a field.
pub(crate) trait Comparator: Sync {
    /// The field's name as shown in explanations.
    fn field(&self) -> &'static str;
    /// The names of the levels, best first (missing is not listed).
    fn levels(&self) -> &'static [&'static str];
    /// Compares two records.
    fn compare(&self, ctx: &Prepared<'_>, a: &Rec, b: &Rec) -> Level;
}

/// A packed [`Vector`]: four bits per field.
pub(crate) fn pack(v: &Vector) -> u64 {
    v.iter()
        .enumerate()
        .fold(0u64, |acc, (i, &l)| acc | (u64::from(l) << (4 * i)))
}

/// Unpacks a [`pack`]ed vector.
pub(crate) fn unpack(p: u64) -> Vector {
    let mut v = [0u8; NF];
    for (i, l) in v.iter_mut().enumerate() {
        *l = ((p >> (4 * i)) & 0xF) as u8;
    }
    v
}

/// Jaro-Winkler similarity without allocating for short ASCII strings (names);
/// longer or non-ASCII input falls back to `strsim`.
fn jaro_winkler(a: &str, b: &str) -> f64 {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() > 64 || b.len() > 64 || !a.is_ascii() || !b.is_ascii() {
        return strsim::jaro_winkler(
            std::str::from_utf8(a).unwrap_or(""),
            std::str::from_utf8(b).unwrap_or(""),
        );
    }
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    if a == b {
        return 1.0;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut b_used = [false; 64];
    let mut a_match = [0u8; 64];
    let mut m = 0usize;
    for (i, &ca) in a.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        for j in lo..hi {
            if !b_used[j] && b[j] == ca {
                b_used[j] = true;
                a_match[m] = ca;
                m += 1;
                break;
            }
        }
    }
    if m == 0 {
        return 0.0;
    }
    let mut t = 0usize;
    let mut k = 0usize;
    for (j, &cb) in b.iter().enumerate() {
        if b_used[j] {
            if a_match[k] != cb {
                t += 1;
            }
            k += 1;
        }
    }
    let m = m as f64;
    let jaro = (m / a.len() as f64 + m / b.len() as f64 + (m - (t / 2) as f64) / m) / 3.0;
    if jaro <= 0.7 {
        return jaro;
    }
    let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count() as f64;
    jaro + prefix * 0.1 * (1.0 - jaro)
}

/// An upper bound of [`jaro_winkler`] from the letters the two strings share,
/// cheap enough to skip most full computations against a threshold.
fn jaro_winkler_bound(a: &str, b: &str) -> f64 {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.is_empty() || b.is_empty() {
        return if a.len() == b.len() { 1.0 } else { 0.0 };
    }
    let mut counts = [0i16; 64];
    for &c in a {
        counts[(c & 63) as usize] += 1;
    }
    let mut common = 0usize;
    for &c in b {
        let k = &mut counts[(c & 63) as usize];
        if *k > 0 {
            *k -= 1;
            common += 1;
        }
    }
    if common == 0 {
        return 0.0;
    }
    let m = common as f64;
    let jaro = (m / a.len() as f64 + m / b.len() as f64 + 1.0) / 3.0;
    if jaro <= 0.7 {
        jaro
    } else {
        jaro + 0.4 * (1.0 - jaro)
    }
}

/// [`jaro_winkler`] if it can reach `threshold`, else a value below `threshold`.
fn jaro_winkler_if(a: &str, b: &str, threshold: f64) -> f64 {
    let ub = jaro_winkler_bound(a, b);
    if ub < threshold {
        ub
    } else {
        jaro_winkler(a, b)
    }
}

/// Whether every token of the shorter name is found in the longer one
/// (exactly, as an initial, phonetically, or nearly), with at least one
/// full token shared: catches dropped, added and reordered name parts.
fn token_overlap(x: &NameInfo, y: &NameInfo) -> bool {
    let (short, long) = if x.norm.len() <= y.norm.len() {
        (x, y)
    } else {
        (y, x)
    };
    let mut full_hit = false;
    for (st, sp) in short.norm.split(' ').zip(short.phon.split(' ')) {
        let mut hit = false;
        for (lt, lp) in long.norm.split(' ').zip(long.phon.split(' ')) {
            let initial =
                (st.len() == 1 && lt.starts_with(st)) || (lt.len() == 1 && st.starts_with(lt));
            if initial {
                hit = true;
                continue;
            }
            if st == lt
                || sp == lp
                || nickname_of(st, lt)
                || known_nickname(st, lt)
                || (st.len() > 3 && jaro_winkler_if(st, lt, 0.92) >= 0.92)
            {
                hit = true;
                full_hit |= st.len() > 1 && lt.len() > 1;
                break;
            }
        }
        if !hit {
            return false;
        }
    }
    full_hit
}

/// Whether one token looks like a nickname of the other: a prefix or suffix
/// of it (YUNI / WAHYUNI, MUL / MULYADI), or a short form sharing its last
/// syllable (WAWAN / GUNAWAN, IJAH / KHADIJAH).
fn nickname_of(a: &str, b: &str) -> bool {
    let (s, l) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if s.len() < 3 || s.len() == l.len() {
        return false;
    }
    if l.starts_with(s) || l.ends_with(s) {
        return true;
    }
    let common = s
        .bytes()
        .rev()
        .zip(l.bytes().rev())
        .take_while(|(x, y)| x == y)
        .count();
    s.len() <= 5 && common >= 3
}

/// Common Indonesian nicknames whose shape does not give them away: the
/// short form keeps neither the start nor three closing letters of the name
/// (KIKI for RIZKY, AMAT for AHMAD, ICAH for AISYAH, UCUP for YUSUF).
/// Each is listed with the normalised spellings of the names it commonly
/// stands for. A nickname here only lets a name count as the same name
/// (token level): the birth date, sex and the rest must still agree, so a
/// sibling called KIKI is no more a match for RIZKY than any sibling is.
const KNOWN_NICKNAMES: &[(&str, &[&str])] = &[
    (
        "KIKI",
        &["RIZKI", "RIZKY", "RISKI", "RISKY", "RIZQI", "RIZQY"],
    ),
    ("AMAT", &["AHMAD", "AKHMAD", "AHMAT"]),
    ("ICAH", &["AISYAH", "AISAH", "AISYA"]),
    ("UCUP", &["YUSUF", "YUSUP"]),
    ("OPIK", &["TAUFIK", "TOPIK"]),
    ("EPUL", &["SAEFUL", "SAIFUL", "SYAIFUL"]),
    ("IPUL", &["SAEFUL", "SAIFUL", "SYAIFUL"]),
    (
        "PRI",
        &[
            "SUPRIADI",
            "SUPRIYADI",
            "SUPRIANTO",
            "SUPRIYANTO",
            "SUPRIATNA",
        ],
    ),
    ("NANA", &["SUPRIATNA", "SUTISNA", "MULYANA", "HERYANA"]),
    ("BAMS", &["BAMBANG"]),
];

/// Whether `a` and `b` are a nickname in [`KNOWN_NICKNAMES`] and a name it stands for.
fn known_nickname(a: &str, b: &str) -> bool {
    let (s, l) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    KNOWN_NICKNAMES
        .iter()
        .any(|(nick, names)| *nick == s && names.contains(&l))
}

/// Whether two normalised names are one name in the old and the new
/// spelling: equal once every Y before a vowel, and every DY before one, is
/// read as the J the pre-1972 spelling wrote for it (JATI / YATI, JUSUF
/// HAMZAH / YUSUF HAMZAH, LIJA / LIDYA).
///
/// Normalisation turns J into Y only where another old-spelling mark shows
/// the spelling is old, so that JOKO stays JOKO; a one-word name whose only
/// mark is the J is left as written, and without this test such a pair
/// counted as no more than a shared phonetic token, the level namesakes and
/// relatives also reach. The phonetic keys fold the same letters, so
/// comparing them first keeps this off the common path.
fn old_spelling_variant(x: &NameInfo, y: &NameInfo) -> bool {
    fn folded(s: &str) -> impl Iterator<Item = u8> + '_ {
        let b = s.as_bytes();
        let vowel = |i: usize| matches!(b.get(i), Some(b'A' | b'E' | b'I' | b'O' | b'U'));
        let mut i = 0;
        std::iter::from_fn(move || {
            let c = *b.get(i)?;
            let (out, step) = match c {
                b'D' if b.get(i + 1) == Some(&b'Y') && vowel(i + 2) => (b'J', 2),
                b'Y' if vowel(i + 1) => (b'J', 1),
                _ => (c, 1),
            };
            i += step;
            Some(out)
        })
    }
    x.phon == y.phon && folded(&x.norm).eq(folded(&y.norm))
}

/// Person's name: exact, JW >= 0.95 or the same name in the old spelling,
/// JW >= 0.88, token overlap, phonetic, else.
struct NameCmp;
/// Birth date: exact, day/month swapped, one day or year off, same year, else.
struct DobCmp;
/// Sex: same, different.
struct SexCmp;
/// Mother's maiden name: exact, JW >= 0.92, token or phonetic, else.
struct MotherCmp;
/// Place of birth: exact, JW >= 0.88, else.
struct PlaceCmp;
/// Address with RT/RW: exact, JW >= 0.9, else.
struct AddressCmp;
/// Region: same village, district, regency, else.
struct RegionCmp;
/// No KK: equal, else.
struct KkCmp;
/// NIK digit-wise: equal, one substitution, adjacent transposition, else.
struct NikCmp;

/// A name comparison, computed lazily: most candidate pairs are decided by
/// the first, cheapest test.
enum NameCmpResult<'a> {
    /// Missing or exact: the level is known.
    Known(Level),
    /// Different names, with their similarity.
    Differ(&'a NameInfo, &'a NameInfo, f64),
}

fn name_cmp<'a>(ctx: &'a Prepared<'_>, a: u32, b: u32) -> NameCmpResult<'a> {
    if a == NONE || b == NONE {
        return NameCmpResult::Known(MISSING);
    }
    if a == b {
        return NameCmpResult::Known(0);
    }
    let (x, y) = (ctx.name(a), ctx.name(b));
    if x.squash == y.squash {
        return NameCmpResult::Known(0);
    }
    // The bound is the same for both orders (same letters), so one check covers both.
    let ub = jaro_winkler_bound(&x.norm, &y.norm);
    if ub < 0.88 {
        return NameCmpResult::Differ(x, y, ub);
    }
    let mut jw = jaro_winkler(&x.norm, &y.norm);
    if jw < 0.95 && (x.sorted != x.norm || y.sorted != y.norm) {
        jw = jw.max(jaro_winkler(&x.sorted, &y.sorted));
    }
    NameCmpResult::Differ(x, y, jw)
}

impl Comparator for NameCmp {
    fn field(&self) -> &'static str {
        "nama"
    }
    fn levels(&self) -> &'static [&'static str] {
        &[
            "sama",
            "jw>=0.95/ejaan",
            "jw>=0.88",
            "token",
            "fonetik",
            "beda",
        ]
    }
    fn compare(&self, ctx: &Prepared<'_>, a: &Rec, b: &Rec) -> Level {
        match name_cmp(ctx, a.name, b.name) {
            NameCmpResult::Known(l) => l,
            NameCmpResult::Differ(x, y, jw) => {
                if jw >= 0.95 || old_spelling_variant(x, y) {
                    1
                } else if jw >= 0.88 {
                    2
                } else if token_overlap(x, y) {
                    3
                } else if x.phon == y.phon {
                    4
                } else {
                    5
                }
            }
        }
    }
}

impl Comparator for MotherCmp {
    fn field(&self) -> &'static str {
        "nama_ibu_kandung"
    }
    fn levels(&self) -> &'static [&'static str] {
        &["sama", "jw>=0.92", "token/fonetik", "beda"]
    }
    fn compare(&self, ctx: &Prepared<'_>, a: &Rec, b: &Rec) -> Level {
        match name_cmp(ctx, a.mother, b.mother) {
            NameCmpResult::Known(l) => l,
            NameCmpResult::Differ(x, y, jw) => {
                if jw >= 0.92 {
                    1
                } else if x.phon == y.phon || token_overlap(x, y) {
                    2
                } else {
                    3
                }
            }
        }
    }
}

impl Comparator for DobCmp {
    fn field(&self) -> &'static str {
        "tgl_lahir"
    }
    fn levels(&self) -> &'static [&'static str] {
        &[
            "sama",
            "tanggal-bulan tertukar",
            "selisih satu",
            "tahun sama",
            "beda",
        ]
    }
    fn compare(&self, _: &Prepared<'_>, a: &Rec, b: &Rec) -> Level {
        let (x, y) = (a.dob, b.dob);
        if x == y {
            return 0;
        }
        if x.year() == y.year() && x.day() == y.month() && x.month() == y.day() {
            return 1;
        }
        let days = (x - y).num_days().abs();
        let one_year =
            x.day() == y.day() && x.month() == y.month() && (x.year() - y.year()).abs() == 1;
        let one_month = x.day() == y.day()
            && x.year() == y.year()
            && (i64::from(x.month()) - i64::from(y.month())).abs() == 1;
        if days == 1 || one_year || one_month {
            return 2;
        }
        if x.year() == y.year() {
            return 3;
        }
        4
    }
}

impl Comparator for SexCmp {
    fn field(&self) -> &'static str {
        "jenis_kelamin"
    }
    fn levels(&self) -> &'static [&'static str] {
        &["sama", "beda"]
    }
    fn compare(&self, _: &Prepared<'_>, a: &Rec, b: &Rec) -> Level {
        u8::from(a.sex != b.sex)
    }
}

impl Comparator for PlaceCmp {
    fn field(&self) -> &'static str {
        "tempat_lahir"
    }
    fn levels(&self) -> &'static [&'static str] {
        &["sama", "jw>=0.88", "beda"]
    }
    fn compare(&self, ctx: &Prepared<'_>, a: &Rec, b: &Rec) -> Level {
        if a.place == NONE || b.place == NONE {
            return MISSING;
        }
        if a.place == b.place {
            return 0;
        }
        let (x, y) = (&ctx.places[a.place as usize], &ctx.places[b.place as usize]);
        if jaro_winkler_if(x, y, 0.88) >= 0.88 {
            1
        } else {
            2
        }
    }
}

impl Comparator for AddressCmp {
    fn field(&self) -> &'static str {
        "alamat"
    }
    fn levels(&self) -> &'static [&'static str] {
        &["sama", "jw>=0.9", "beda"]
    }
    fn compare(&self, _: &Prepared<'_>, a: &Rec, b: &Rec) -> Level {
        if a.addr.is_empty() || b.addr.is_empty() {
            return MISSING;
        }
        if a.addr == b.addr {
            return 0;
        }
        if jaro_winkler_if(&a.addr, &b.addr, 0.9) >= 0.9 {
            1
        } else {
            2
        }
    }
}

impl Comparator for RegionCmp {
    fn field(&self) -> &'static str {
        "kode_wilayah"
    }
    fn levels(&self) -> &'static [&'static str] {
        &["desa sama", "kecamatan sama", "kabupaten/kota sama", "beda"]
    }
    fn compare(&self, _: &Prepared<'_>, a: &Rec, b: &Rec) -> Level {
        if a.region == b.region {
            0
        } else if a.region.district().is_some() && a.region.district() == b.region.district() {
            1
        } else if a.region.regency().is_some() && a.region.regency() == b.region.regency() {
            2
        } else {
            3
        }
    }
}

impl Comparator for KkCmp {
    fn field(&self) -> &'static str {
        "no_kk"
    }
    fn levels(&self) -> &'static [&'static str] {
        &["sama", "beda"]
    }
    fn compare(&self, _: &Prepared<'_>, a: &Rec, b: &Rec) -> Level {
        if a.kk == 0 || b.kk == 0 {
            MISSING
        } else {
            u8::from(a.kk != b.kk)
        }
    }
}

/// Digit-wise NIK level of two 16-digit numbers.
/// Whether `nik` is one of the NIKs the cell `odd` stands for ([`niks_one_digit_off`]).
fn one_digit_apart(odd: (u64, u32), nik: u64) -> bool {
    niks_one_digit_off(odd).binary_search(&nik).is_ok()
}

fn nik_level(a: u64, b: u64) -> Level {
    if a == 0 || b == 0 {
        return MISSING;
    }
    if a == b {
        return 0;
    }
    let mut da = [0u8; 16];
    let mut db = [0u8; 16];
    let (mut x, mut y) = (a, b);
    for i in (0..16).rev() {
        da[i] = (x % 10) as u8;
        db[i] = (y % 10) as u8;
        x /= 10;
        y /= 10;
    }
    let mut first = usize::MAX;
    let mut count = 0;
    for i in 0..16 {
        if da[i] != db[i] {
            count += 1;
            if first == usize::MAX {
                first = i;
            }
        }
    }
    let i = first;
    match count {
        1 => 1,
        2 if i + 1 < 16 && da[i] == db[i + 1] && da[i + 1] == db[i] => 2,
        _ => 3,
    }
}

impl Comparator for NikCmp {
    fn field(&self) -> &'static str {
        "nik"
    }
    fn levels(&self) -> &'static [&'static str] {
        &["sama", "beda satu digit", "dua digit tertukar", "beda"]
    }
    fn compare(&self, _: &Prepared<'_>, a: &Rec, b: &Rec) -> Level {
        match (a.nik_one_off(), b.nik_one_off()) {
            (None, None) => nik_level(a.nik_digits, b.nik_digits),
            // A digit dropped or doubled is one slip, like two digits swapped.
            (Some(odd), None) if b.nik_digits != 0 => {
                2 + u8::from(!one_digit_apart(odd, b.nik_digits))
            }
            (None, Some(odd)) if a.nik_digits != 0 => {
                2 + u8::from(!one_digit_apart(odd, a.nik_digits))
            }
            _ => MISSING,
        }
    }
}

/// The engine's comparators, in [`Vector`] order.
pub(crate) fn comparators() -> [&'static dyn Comparator; NF] {
    [
        &NameCmp,
        &DobCmp,
        &SexCmp,
        &MotherCmp,
        &PlaceCmp,
        &AddressCmp,
        &RegionCmp,
        &KkCmp,
        &NikCmp,
    ]
}

/// Number of non-missing levels of each field.
pub(crate) fn level_counts() -> [usize; NF] {
    comparators().map(|c| c.levels().len())
}

/// Reads `recs` and then their names ([`read_ahead`]) before they are
/// compared: both the records and the name table are far larger than the
/// cache, and candidates and sampled pairs are scattered across them.
pub(crate) fn warm<'r>(ctx: &Prepared<'_>, recs: impl Iterator<Item = &'r Rec> + Clone) {
    read_ahead(
        recs.clone()
            .map(|r| r.nik ^ u64::from(r.name) ^ u64::from(r.mother)),
    );
    read_ahead(
        recs.flat_map(|r| [r.name, r.mother])
            .filter(|&id| id != NONE)
            .map(|id| ctx.name(id).squash),
    );
}

/// Compares two records on every field.
pub(crate) fn compare_all(ctx: &Prepared<'_>, a: &Rec, b: &Rec) -> Vector {
    let cs = comparators();
    let mut v = [0u8; NF];
    for (l, c) in v.iter_mut().zip(cs) {
        *l = c.compare(ctx, a, b);
    }
    v
}

/// Per-field detail of a comparison, for explanations.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FieldLevel {
    /// Field name.
    pub field: &'static str,
    /// Level name (`kosong` when missing).
    pub level: &'static str,
}

/// Names the levels of a vector.
pub(crate) fn describe(v: &Vector) -> Vec<FieldLevel> {
    comparators()
        .iter()
        .zip(v)
        .map(|(c, &l)| FieldLevel {
            field: c.field(),
            level: if l == MISSING {
                "kosong"
            } else {
                c.levels()[l as usize]
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn nik_levels_recognise_substitution_and_transposition() {
        let a = 3276_0101_9000_0001;
        assert_eq!(nik_level(a, a), 0);
        assert_eq!(nik_level(a, 3276_0101_9000_0002), 1);
        assert_eq!(nik_level(a, 3276_1001_9000_0001), 2);
        assert_eq!(nik_level(a, 3276_1001_9000_0002), 3);
        assert_eq!(nik_level(a, 0), MISSING);
    }

    fn info(name: &str) -> NameInfo {
        NameInfo::new(crate::normalise::normalise_name(name))
    }

    #[test]
    fn a_name_in_the_old_spelling_is_the_same_name_however_few_its_marks() {
        for (a, b) in [
            ("JATI", "YATI"),
            ("JUSUF HAMZAH", "YUSUF HAMZAH"),
            ("LIDJA", "LIDYA"),
            ("MARJAM", "MARYAM"),
            ("SOERJADI", "SURYADI"),
        ] {
            assert!(old_spelling_variant(&info(a), &info(b)), "{a} {b}");
            assert!(old_spelling_variant(&info(b), &info(a)), "{b} {a}");
        }
        // Other letters than the J for a Y, or a J not before a vowel, are other names.
        for (a, b) in [
            ("JATI", "YANTI"),
            ("JOKO", "JOKI"),
            ("RAJ", "RAY"),
            ("JATI", "ZATI"),
        ] {
            assert!(!old_spelling_variant(&info(a), &info(b)), "{a} {b}");
        }
    }

    #[test]
    fn nicknames_are_recognised_by_shape() {
        for (a, b) in [
            ("YUNI", "WAHYUNI"),
            ("MUL", "MULYADI"),
            ("WAWAN", "GUNAWAN"),
            ("IJJAH", "KHADIJAH"),
            ("MAMET", "SLAMET"),
        ] {
            assert!(nickname_of(a, b), "{a} {b}");
        }
        assert!(!nickname_of("BUDI", "BAYU"));
        assert!(!nickname_of("AN", "ANDI"));
        assert!(!nickname_of("SITI", "SITI"));
    }

    #[test]
    fn known_nicknames_are_recognised_in_either_order_and_only_with_their_names() {
        for (a, b) in [("KIKI", "RIZKY"), ("AHMAD", "AMAT"), ("ICAH", "AISYAH")] {
            assert!(known_nickname(a, b), "{a} {b}");
            assert!(!nickname_of(a, b), "{a} {b} is caught by shape already");
        }
        assert!(!known_nickname("KIKI", "BUDI"));
        assert!(!known_nickname("RIZKY", "RIZKY"));
        assert!(!known_nickname("KIKI", "KIKI"));
    }

    #[test]
    fn jaro_winkler_agrees_with_known_values() {
        assert!((jaro_winkler("MARTHA", "MARHTA") - 0.9611).abs() < 1e-3);
        assert_eq!(jaro_winkler("SITI", "SITI"), 1.0);
        assert_eq!(jaro_winkler("ABC", "XYZ"), 0.0);
    }

    proptest! {
        #[test]
        fn jaro_winkler_matches_strsim_on_ascii_names(a in "[A-Z ]{0,30}", b in "[A-Z ]{0,30}") {
            let ours = jaro_winkler(&a, &b);
            let theirs = strsim::jaro_winkler(&a, &b);
            prop_assert!((ours - theirs).abs() < 1e-9, "{a:?} {b:?}: {ours} vs {theirs}");
        }

        #[test]
        fn the_bound_never_undercuts_jaro_winkler(a in "[A-Z ]{0,20}", b in "[A-Z ]{0,20}") {
            prop_assert!(jaro_winkler_bound(&a, &b) + 1e-12 >= jaro_winkler(&a, &b));
        }

        #[test]
        fn packing_round_trips(v in proptest::array::uniform9(0u8..16)) {
            prop_assert_eq!(unpack(pack(&v)), v);
        }
    }
}
