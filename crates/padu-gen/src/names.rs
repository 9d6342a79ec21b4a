//! Indonesian personal names: the generator's own lists, by ethnic naming tradition and generation.
//!
//! The lists are data, in `data/names.txt` (compiled in, split on first use).
//! They are ordered from common to rare and sampled with Zipf-like weights,
//! so common names (SITI, MUHAMMAD, SUPARMAN) collide the way they do in real
//! registers. These lists are deliberately private to the generator: the
//! matching engine must not see them, or it would be graded on its own answers.

use std::sync::LazyLock;

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use padu_core::Sex;

/// A naming tradition; each region mixes several.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Group {
    /// Javanese: mononyms for older people, birth-order prefixes (EKO, DWI, TRI).
    Jawa,
    /// Sundanese: ASEP, UJANG, EUIS, with SUPRIATNA-like second names.
    Sunda,
    /// Batak: given name plus marga (family name) inherited from the father.
    Batak,
    /// Minangkabau: Islamic names, sometimes a suku name.
    Minang,
    /// Bugis-Makassar: ANDI, DAENG, SITTI.
    Bugis,
    /// Minahasa (Manado): Western given names plus fam.
    Manado,
    /// Balinese: I/NI plus birth-order name.
    Bali,
    /// Chinese-Indonesian: Indonesianised surnames, a few old three-part names.
    Tionghoa,
    /// Hadrami Arab families.
    Arab,
    /// Malay and general Muslim Indonesian names used across the archipelago.
    Umum,
    /// Eastern Indonesia (NTT, Maluku, Papua): Christian given names plus clan names.
    Timur,
}

impl Group {
    /// Whether the tradition is predominantly Muslim (for H./HJ. and BIN/BINTI).
    pub(crate) fn muslim(self) -> bool {
        matches!(
            self,
            Group::Jawa | Group::Sunda | Group::Minang | Group::Bugis | Group::Arab | Group::Umum
        )
    }

    /// Whether children inherit the father's family name.
    pub(crate) fn patrilineal(self) -> bool {
        matches!(
            self,
            Group::Batak | Group::Manado | Group::Tionghoa | Group::Arab | Group::Timur
        )
    }
}

/// The mix of traditions in a province (weights in percent), by province code.
pub(crate) fn province_mix(province: u32) -> &'static [(Group, u32)] {
    use Group::*;
    match province {
        11 => &[(Umum, 85), (Arab, 4), (Jawa, 9), (Tionghoa, 2)],
        12 => &[
            (Batak, 50),
            (Umum, 24),
            (Jawa, 18),
            (Tionghoa, 6),
            (Minang, 2),
        ],
        13 => &[(Minang, 88), (Jawa, 5), (Batak, 4), (Umum, 3)],
        14..=19 | 21 => &[
            (Umum, 52),
            (Jawa, 26),
            (Minang, 8),
            (Batak, 5),
            (Tionghoa, 7),
            (Sunda, 2),
        ],
        31 => &[
            (Jawa, 33),
            (Sunda, 15),
            (Umum, 20),
            (Batak, 8),
            (Tionghoa, 9),
            (Minang, 6),
            (Arab, 4),
            (Manado, 3),
            (Bugis, 2),
        ],
        32 => &[
            (Sunda, 74),
            (Jawa, 13),
            (Umum, 7),
            (Tionghoa, 3),
            (Batak, 2),
            (Arab, 1),
        ],
        33 | 34 => &[(Jawa, 91), (Umum, 4), (Tionghoa, 4), (Arab, 1)],
        35 => &[(Jawa, 84), (Umum, 11), (Tionghoa, 3), (Arab, 2)],
        36 => &[(Sunda, 55), (Jawa, 20), (Umum, 19), (Tionghoa, 6)],
        51 => &[(Bali, 86), (Jawa, 9), (Umum, 5)],
        52 => &[(Umum, 85), (Bali, 8), (Jawa, 5), (Arab, 2)],
        53 => &[(Timur, 88), (Umum, 8), (Bugis, 4)],
        61 => &[
            (Umum, 45),
            (Jawa, 18),
            (Tionghoa, 17),
            (Timur, 14),
            (Bugis, 6),
        ],
        62..=65 => &[
            (Umum, 50),
            (Jawa, 26),
            (Bugis, 10),
            (Tionghoa, 5),
            (Timur, 9),
        ],
        71 => &[(Manado, 80), (Umum, 14), (Bugis, 4), (Tionghoa, 2)],
        72..=76 => &[(Bugis, 58), (Umum, 32), (Jawa, 7), (Manado, 3)],
        81 | 82 => &[(Timur, 45), (Umum, 43), (Bugis, 10), (Tionghoa, 2)],
        _ => &[(Timur, 64), (Jawa, 15), (Bugis, 11), (Umum, 10)],
    }
}

/// Draws an index in `0..n` with weight `1 / (i + 1)^0.75`, so the first entries dominate.
#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "x is in 0..=n, and a float-to-int `as` saturates anyway"
)]
pub(crate) fn zipf_index(rng: &mut ChaCha8Rng, n: usize) -> usize {
    // Inverse transform of the continuous approximation, exact enough for name frequencies.
    let s = 0.75_f64;
    let a = 1.0 - s;
    let max = ((n as f64) + 1.0).powf(a) - 1.0;
    let u: f64 = rng.random();
    let x = (1.0 + u * max).powf(1.0 / a) - 1.0;
    (x as usize).min(n - 1)
}

fn pick(rng: &mut ChaCha8Rng, list: &[&'static str]) -> &'static str {
    list[zipf_index(rng, list.len())]
}

fn pick_uniform(rng: &mut ChaCha8Rng, list: &[&'static str]) -> &'static str {
    list[rng.random_range(0..list.len())]
}

/// The name lists, kept as data: `[LIST]` then one entry a line.
const NAMES: &str = include_str!("../data/names.txt");

/// The entries of one list of [`NAMES`], in file order.
fn list(name: &str) -> Vec<&'static str> {
    let header = format!("[{name}]");
    let entries: Vec<&'static str> = NAMES
        .lines()
        .map(str::trim)
        .skip_while(|l| *l != header)
        .skip(1)
        .take_while(|l| !l.starts_with('['))
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    assert!(!entries.is_empty(), "names.txt has no list {name}");
    entries
}

/// One static per list of [`NAMES`], read on first use.
macro_rules! lists {
    ($($name:ident),* $(,)?) => {$(
        static $name: LazyLock<Vec<&'static str>> = LazyLock::new(|| list(stringify!($name)));
    )*};
}

lists!(
    MUHAMMAD,
    ISLAM_M,
    ISLAM_F,
    MODERN_M,
    MODERN_F,
    MODERN_SUFFIX_M,
    MODERN_SUFFIX_F,
    JAWA_OLD_M,
    JAWA_OLD_F,
    JAWA_YOUNG_M,
    JAWA_YOUNG_F,
    JAWA_SUFFIX_M,
    JAWA_SUFFIX_F,
    SUNDA_M,
    SUNDA_F,
    SUNDA_SUFFIX_M,
    SUNDA_SUFFIX_F,
    BATAK_M,
    BATAK_F,
    MARGA,
    MINANG_M,
    MINANG_F,
    SUKU_MINANG,
    BUGIS_M,
    BUGIS_F,
    DAENG,
    MANADO_M,
    MANADO_F,
    FAM_MANADO,
    BALI_M,
    BALI_F,
    TIONGHOA_M,
    TIONGHOA_F,
    TIONGHOA_SURNAME,
    TIONGHOA_SHE,
    TIONGHOA_SYLLABLE,
    ARAB_FAMILY,
    TIMUR_M,
    TIMUR_F,
    FAM_NTT,
    FAM_MALUKU,
    FAM_PAPUA,
    ACADEMIC_SUFFIX,
);

const BALI_ORDER_M: [&[&str]; 4] = [
    &["WAYAN", "PUTU", "GEDE"],
    &["MADE", "KADEK"],
    &["NYOMAN", "KOMANG"],
    &["KETUT"],
];

const BALI_ORDER_F: [&[&str]; 4] = [
    &["WAYAN", "PUTU", "LUH"],
    &["MADE", "KADEK"],
    &["NYOMAN", "KOMANG"],
    &["KETUT"],
];

/// Everything a name draw depends on.
#[derive(Clone, Copy)]
pub(crate) struct NameCtx {
    /// The tradition.
    pub group: Group,
    /// Sex of the person.
    pub sex: Sex,
    /// Birth year (older generations use older names).
    pub birth_year: i32,
    /// Province code, for eastern clan names.
    pub province: u32,
    /// Family name to carry (father's marga, fam, surname), if any.
    pub family: Option<&'static str>,
    /// Birth order among siblings, 0-based (Balinese names encode it).
    pub order: usize,
}

/// A generated name and the family name it carries, to pass to children.
pub(crate) struct Drawn {
    /// The full name, upper case, without titles.
    pub name: String,
    /// The family name the person carries, if the tradition has one.
    pub family: Option<&'static str>,
}

/// Draws a family name for a new household of this tradition.
pub(crate) fn family_name(
    rng: &mut ChaCha8Rng,
    group: Group,
    province: u32,
) -> Option<&'static str> {
    match group {
        Group::Batak => Some(pick(rng, &MARGA)),
        Group::Manado => Some(pick(rng, &FAM_MANADO)),
        Group::Tionghoa => Some(pick(rng, &TIONGHOA_SURNAME)),
        Group::Arab => Some(pick(rng, &ARAB_FAMILY)),
        Group::Timur => Some(match province {
            53 => pick(rng, &FAM_NTT),
            81 | 82 => pick(rng, &FAM_MALUKU),
            p if p >= 91 => pick(rng, &FAM_PAPUA),
            _ => return None,
        }),
        Group::Minang => rng.random_bool(0.3).then(|| pick(rng, &SUKU_MINANG)),
        _ => None,
    }
}

/// Draws a full name.
pub(crate) fn draw(rng: &mut ChaCha8Rng, ctx: &NameCtx) -> Drawn {
    let old = ctx.birth_year < 1980;
    let male = ctx.sex == Sex::L;
    let mut parts: Vec<&'static str> = Vec::with_capacity(4);
    let mut family = ctx.family;
    match ctx.group {
        Group::Jawa => {
            if old && rng.random_bool(0.7) {
                parts.push(pick(rng, if male { &JAWA_OLD_M } else { &JAWA_OLD_F }));
            } else if ctx.birth_year >= 1995 && rng.random_bool(0.5) {
                modern(rng, male, &mut parts);
            } else {
                parts.push(pick(rng, if male { &JAWA_YOUNG_M } else { &JAWA_YOUNG_F }));
                parts.push(pick(
                    rng,
                    if male { &JAWA_SUFFIX_M } else { &JAWA_SUFFIX_F },
                ));
            }
            family = None;
        }
        Group::Sunda => {
            if ctx.birth_year >= 1995 && rng.random_bool(0.5) {
                modern(rng, male, &mut parts);
            } else {
                parts.push(pick(rng, if male { &SUNDA_M } else { &SUNDA_F }));
                if rng.random_bool(0.75) {
                    parts.push(pick(
                        rng,
                        if male {
                            &SUNDA_SUFFIX_M
                        } else {
                            &SUNDA_SUFFIX_F
                        },
                    ));
                }
            }
            family = None;
        }
        Group::Umum | Group::Minang => {
            let minang = ctx.group == Group::Minang;
            if ctx.birth_year >= 1995 && rng.random_bool(0.55) {
                modern(rng, male, &mut parts);
            } else if male {
                if rng.random_bool(0.3) {
                    parts.push(pick(rng, &MUHAMMAD));
                }
                parts.push(pick(rng, if minang { &MINANG_M } else { &ISLAM_M }));
            } else {
                let given = pick(rng, if minang { &MINANG_F } else { &ISLAM_F });
                if !minang && !given.starts_with("SITI ") && rng.random_bool(0.25) {
                    parts.push("SITI");
                }
                parts.push(given);
            }
            if !minang {
                family = None;
            }
        }
        Group::Arab => {
            if male {
                if rng.random_bool(0.4) {
                    parts.push(pick(rng, &MUHAMMAD));
                }
                parts.push(pick(rng, &ISLAM_M));
            } else {
                if rng.random_bool(0.4) {
                    parts.push("SYARIFAH");
                }
                parts.push(pick(rng, &ISLAM_F));
            }
        }
        Group::Bugis => {
            if rng.random_bool(0.12) {
                parts.push("ANDI");
            }
            if male {
                if rng.random_bool(0.25) {
                    parts.push(pick(rng, &MUHAMMAD));
                }
                parts.push(pick(rng, &BUGIS_M));
                if old && rng.random_bool(0.2) {
                    parts.push("DAENG");
                    parts.push(pick(rng, &DAENG));
                }
            } else {
                parts.push(pick(rng, &BUGIS_F));
            }
            family = None;
        }
        Group::Batak => {
            let muslim = matches!(family, Some("NASUTION" | "LUBIS" | "HARAHAP" | "SIREGAR"))
                && rng.random_bool(0.6);
            let given = match (muslim, male) {
                (true, true) => pick(rng, &ISLAM_M),
                (true, false) => pick(rng, &ISLAM_F),
                (false, true) => pick(rng, &BATAK_M),
                (false, false) => pick(rng, &BATAK_F),
            };
            parts.push(given);
            if !male && rng.random_bool(0.25) {
                parts.push("BR.");
            }
        }
        Group::Manado => {
            parts.push(pick(rng, if male { &MANADO_M } else { &MANADO_F }));
        }
        Group::Bali => {
            let order = if male {
                BALI_ORDER_M[ctx.order % 4]
            } else {
                BALI_ORDER_F[ctx.order % 4]
            };
            parts.push(if male { "I" } else { "NI" });
            parts.push(pick_uniform(rng, order));
            parts.push(pick(rng, if male { &BALI_M } else { &BALI_F }));
            family = None;
        }
        Group::Tionghoa => {
            if ctx.birth_year < 1966 && rng.random_bool(0.5) {
                parts.push(pick(rng, &TIONGHOA_SHE));
                parts.push(pick_uniform(rng, &TIONGHOA_SYLLABLE));
                parts.push(pick_uniform(rng, &TIONGHOA_SYLLABLE));
                family = None;
            } else {
                parts.push(pick(rng, if male { &TIONGHOA_M } else { &TIONGHOA_F }));
                if family.is_none() || rng.random_bool(0.3) {
                    family = None;
                }
            }
        }
        Group::Timur => {
            parts.push(pick(rng, if male { &TIMUR_M } else { &TIMUR_F }));
            if family.is_none() && ctx.province < 91 && ctx.province != 53 && rng.random_bool(0.5) {
                parts.push(pick(rng, if male { &MANADO_M } else { &MANADO_F }));
            }
        }
    }
    if let Some(f) = family {
        parts.push(f);
    }
    Drawn {
        name: parts.join(" "),
        family,
    }
}

fn modern(rng: &mut ChaCha8Rng, male: bool, parts: &mut Vec<&'static str>) {
    if male {
        if rng.random_bool(0.3) {
            parts.push(pick(rng, &MUHAMMAD));
        }
        parts.push(pick(rng, &MODERN_M));
        parts.push(pick(rng, &MODERN_SUFFIX_M));
    } else {
        parts.push(pick(rng, &MODERN_F));
        parts.push(pick(rng, &MODERN_SUFFIX_F));
    }
    if parts.len() >= 2 && parts[parts.len() - 1] == parts[parts.len() - 2] {
        parts.pop();
    }
}

/// Pairs of twin names: similar enough to fool a careless matcher.
pub(crate) const TWIN_PAIRS_M: &[(&str, &str)] = &[
    ("HASAN", "HUSEIN"),
    ("RIDWAN", "RIZWAN"),
    ("FAUZAN", "FAUZI"),
    ("RAFI", "RAFA"),
    ("ARDI", "ANDI"),
    ("YUSUF", "YUNUS"),
];

/// Female twin name pairs.
pub(crate) const TWIN_PAIRS_F: &[(&str, &str)] = &[
    ("FATIMAH", "FATIHAH"),
    ("AULIA", "AMELIA"),
    ("NAYLA", "NAILA"),
    ("SALWA", "SALMA"),
    ("RINA", "RINI"),
    ("DEWI", "DEWA"),
];

/// Draws the names of a pair of twins: either a similar-sounding pair with a
/// shared second name, or two unrelated draws.
pub(crate) fn twin_names(rng: &mut ChaCha8Rng, ctx: &NameCtx, other_sex: Sex) -> (String, String) {
    let shared_suffix = |rng: &mut ChaCha8Rng| {
        if ctx.sex == Sex::L {
            pick(rng, &MODERN_SUFFIX_M)
        } else {
            pick(rng, &MODERN_SUFFIX_F)
        }
    };
    if other_sex == ctx.sex && rng.random_bool(0.6) {
        let pairs = if ctx.sex == Sex::L {
            TWIN_PAIRS_M
        } else {
            TWIN_PAIRS_F
        };
        let (a, b) = pairs[rng.random_range(0..pairs.len())];
        let suffix = match ctx.family {
            Some(f) => f,
            None => shared_suffix(rng),
        };
        return (format!("{a} {suffix}"), format!("{b} {suffix}"));
    }
    let a = draw(rng, ctx).name;
    let other = NameCtx {
        sex: other_sex,
        order: ctx.order + 1,
        ..*ctx
    };
    let mut b = draw(rng, &other).name;
    for _ in 0..8 {
        if b != a {
            break;
        }
        b = draw(rng, &other).name;
    }
    (a, b)
}

/// Adds a title to an adult's civil name: H./HJ. for older Muslims, an academic degree for the better-off.
pub(crate) fn with_title(
    rng: &mut ChaCha8Rng,
    name: String,
    group: Group,
    sex: Sex,
    age: i32,
    decile: u8,
) -> String {
    if group.muslim() && age >= 45 && rng.random_bool(0.08) {
        let t = if sex == Sex::L { "H." } else { "HJ." };
        return format!("{t} {name}");
    }
    if age >= 24 && decile >= 5 && rng.random_bool(0.02 * f64::from(decile - 3)) {
        if age >= 55 && rng.random_bool(0.3) {
            let t = match (sex, rng.random_range(0..3)) {
                (Sex::L, 0) => "IR.",
                (Sex::L, _) => "DRS.",
                (Sex::P, 0) => "DR.",
                (Sex::P, _) => "DRA.",
            };
            return format!("{t} {name}");
        }
        return format!("{name}, {}", pick(rng, &ACADEMIC_SUFFIX));
    }
    name
}

/// Names a registry operator may add as a title.
pub(crate) const ADDABLE_TITLES_M: &[&str] = &["H.", "DRS.", "IR."];
/// Female titles an operator may add.
pub(crate) const ADDABLE_TITLES_F: &[&str] = &["HJ.", "DRA."];

/// Degree suffixes an operator may add.
pub(crate) fn addable_degrees() -> &'static [&'static str] {
    &ACADEMIC_SUFFIX
}

/// A male given name of the tradition, for BIN/BINTI patronymics.
pub(crate) fn father_name(rng: &mut ChaCha8Rng, group: Group) -> &'static str {
    match group {
        Group::Jawa => pick(rng, &JAWA_OLD_M),
        Group::Sunda => pick(rng, &SUNDA_M),
        Group::Minang => pick(rng, &MINANG_M),
        Group::Bugis => pick(rng, &BUGIS_M),
        _ => pick(rng, &ISLAM_M),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn zipf_favours_the_head_of_the_list() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut counts = [0u32; 20];
        for _ in 0..20_000 {
            counts[zipf_index(&mut rng, 20)] += 1;
        }
        assert!(counts[0] > counts[5] * 3, "{counts:?}");
        assert!(counts.iter().all(|c| *c > 0), "{counts:?}");
    }

    #[test]
    fn balinese_names_encode_birth_order() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let ctx = NameCtx {
            group: Group::Bali,
            sex: Sex::L,
            birth_year: 1990,
            province: 51,
            family: None,
            order: 3,
        };
        let d = draw(&mut rng, &ctx);
        assert!(d.name.starts_with("I KETUT "), "{}", d.name);
    }

    #[test]
    fn batak_children_carry_the_fathers_marga() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let ctx = NameCtx {
            group: Group::Batak,
            sex: Sex::P,
            birth_year: 2001,
            province: 12,
            family: Some("SIMANJUNTAK"),
            order: 0,
        };
        for _ in 0..20 {
            assert!(draw(&mut rng, &ctx).name.ends_with(" SIMANJUNTAK"));
        }
    }
}
