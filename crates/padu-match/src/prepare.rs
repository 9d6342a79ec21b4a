//! Compact, precomputed records: every text normalised once, names interned.
//!
//! The engine compares millions of pairs, so a pair comparison must not
//! allocate or re-normalise. Names (of the person and of the mother) are
//! interned into one pool shared by both sides, so equal normalised names are
//! equal ids and the civil-registry frequency of a name is one array read.

use chrono::NaiveDate;
use padu_core::{CivilPerson, IdField, NikError, RegionCode, RegistryPerson, Sex};
use rayon::prelude::*;

use crate::hash::{FxMap, str_word};
use crate::normalise::{NormName, normalise_address, normalise_name, normalise_place};

/// "No value" for interned ids.
pub const NONE: u32 = u32::MAX;

/// One distinct normalised name.
#[derive(Debug, Clone)]
pub struct NameInfo {
    /// Normalised tokens in order.
    pub norm: Box<str>,
    /// Tokens sorted.
    pub sorted: Box<str>,
    /// Phonetic keys of the tokens.
    pub phon: Box<str>,
    /// Hash of the tokens concatenated without spaces (NUR AINI = NURAINI).
    pub squash: u64,
    /// Hash of the phonetic keys of the first few tokens, in order (for blocking).
    pub phon_tokens: Vec<u64>,
}

impl NameInfo {
    fn new(n: NormName) -> Self {
        let squash: String = n.norm.chars().filter(|c| *c != ' ').collect();
        let phon_tokens = n
            .phon
            .split(' ')
            .filter(|t| !t.is_empty())
            .take(4)
            .map(str_word)
            .collect();
        NameInfo {
            squash: str_word(&squash),
            norm: n.norm.into(),
            sorted: n.sorted.into(),
            phon: n.phon.into(),
            phon_tokens,
        }
    }
}

/// A person reduced to what the comparators need.
#[derive(Debug, Clone)]
pub struct Rec {
    /// A valid NIK's digits, or 0.
    pub nik: u64,
    /// The 16 digits of the NIK cell even when it is not a valid NIK
    /// (unknown region, impossible date), or 0; placeholders and Excel forms are 0.
    pub nik_digits: u64,
    /// A valid No KK's digits, or 0.
    pub kk: u64,
    /// Interned normalised name.
    pub name: u32,
    /// Interned normalised mother's name, or [`NONE`].
    pub mother: u32,
    /// Interned normalised place of birth, or [`NONE`].
    pub place: u32,
    /// Normalised address with RT/RW (empty if none).
    pub addr: Box<str>,
    /// Date of birth.
    pub dob: NaiveDate,
    /// Sex.
    pub sex: Sex,
    /// Village code (domicile for civil, registry address for registry).
    pub region: RegionCode,
    /// Interned household id (registry only), or [`NONE`].
    pub household: u32,
}

/// Both sides prepared, with the shared pools.
pub struct Prepared {
    /// Names by id.
    pub names: Vec<NameInfo>,
    /// How many civil residents carry each name id (term frequency).
    pub civil_name_count: Vec<u32>,
    /// Places of birth by id.
    pub places: Vec<Box<str>>,
    /// Phonetic name tokens so common among civil residents' names that a
    /// nationwide block on them grows with the country, with the region
    /// level to add to their blocking keys (see [`Scope`]); rarer tokens are absent.
    pub name_token_scope: FxMap<u64, Scope>,
    /// The same for the first token of mothers' names (SITI is a fifth of them).
    pub mother_token_scope: FxMap<u64, Scope>,
    /// Registry records, input order.
    pub reg: Vec<Rec>,
    /// Civil records, input order.
    pub civil: Vec<Rec>,
}

/// Interns borrowed strings, returning dense ids in first-seen order.
struct Interner<'a> {
    map: FxMap<&'a str, u32>,
    uniq: Vec<&'a str>,
}

impl<'a> Interner<'a> {
    fn new() -> Self {
        Interner {
            map: FxMap::default(),
            uniq: Vec::new(),
        }
    }
    fn id(&mut self, s: Option<&'a str>) -> u32 {
        let Some(s) = s.map(str::trim).filter(|s| !s.is_empty()) else {
            return NONE;
        };
        if let Some(&i) = self.map.get(s) {
            return i;
        }
        let i = self.uniq.len() as u32;
        self.map.insert(s, i);
        self.uniq.push(s);
        i
    }
}

/// The digits of a 16-digit NIK cell that failed validation for a reason a
/// typo could cause (so it can still be compared digit-wise).
fn raw_digits(f: &IdField<padu_core::Nik>) -> u64 {
    match f {
        IdField::Valid(n) => n.as_u64(),
        IdField::Invalid { raw, error } => match error {
            NikError::UnknownProvince(_)
            | NikError::UnknownRegency(_)
            | NikError::InvalidDate(_)
            | NikError::SerialZero => {
                let d: String = raw.chars().filter(char::is_ascii_digit).collect();
                if d.len() == 16 {
                    d.parse().unwrap_or(0)
                } else {
                    0
                }
            }
            _ => 0,
        },
        IdField::Missing => 0,
    }
}

/// Maps raw ids through a raw->normalised table, interning the normalised forms.
fn normalise_pool<T, F>(uniq: &[&str], f: F) -> (Vec<u32>, Vec<T>, Vec<String>)
where
    F: Fn(&str) -> (String, T) + Sync,
    T: Clone + Send,
{
    let normed: Vec<(String, T)> = uniq.par_iter().map(|s| f(s)).collect();
    let mut map: FxMap<String, u32> = FxMap::default();
    let mut out: Vec<T> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    let mut raw_to = Vec::with_capacity(normed.len());
    for (key, v) in normed {
        if key.is_empty() {
            raw_to.push(NONE);
            continue;
        }
        let id = *map.entry(key.clone()).or_insert_with(|| {
            out.push(v);
            keys.push(key);
            (out.len() - 1) as u32
        });
        raw_to.push(id);
    }
    (raw_to, out, keys)
}

fn remap(id: u32, table: &[u32]) -> u32 {
    if id == NONE { NONE } else { table[id as usize] }
}

/// Prepares both sides.
pub fn prepare(registry: &[RegistryPerson], civil: &[CivilPerson]) -> Prepared {
    // Raw name interning first: synthetic and real extracts repeat names a lot,
    // so each distinct spelling is normalised once.
    let mut names = Interner::new();
    let mut places = Interner::new();
    let mut households = Interner::new();
    let c_ids: Vec<(u32, u32, u32)> = civil
        .iter()
        .map(|c| {
            (
                names.id(Some(&c.nama)),
                names.id(c.nama_ibu_kandung.as_deref()),
                places.id(c.tempat_lahir.as_deref()),
            )
        })
        .collect();
    let r_ids: Vec<(u32, u32, u32, u32)> = registry
        .iter()
        .map(|r| {
            (
                names.id(Some(&r.nama)),
                names.id(r.nama_ibu_kandung.as_deref()),
                places.id(r.tempat_lahir.as_deref()),
                households.id(r.id_keluarga.as_deref()),
            )
        })
        .collect();
    let (name_map, name_infos, _) = normalise_pool(&names.uniq, |s| {
        let n = normalise_name(s);
        (n.norm.clone(), n)
    });
    let name_infos: Vec<NameInfo> = name_infos.into_par_iter().map(NameInfo::new).collect();
    let (place_map, _, place_keys) = normalise_pool(&places.uniq, |s| (normalise_place(s), ()));

    let opt = |s: &Option<String>| s.as_deref().unwrap_or("").to_string();
    let civil_recs: Vec<Rec> = civil
        .par_iter()
        .zip(c_ids.par_iter())
        .map(|(c, &(n, m, p))| Rec {
            nik: c.nik.as_u64(),
            nik_digits: c.nik.as_u64(),
            kk: c.no_kk.valid().map_or(0, |k| k.as_u64()),
            name: remap(n, &name_map),
            mother: remap(m, &name_map),
            place: remap(p, &place_map),
            addr: normalise_address(&opt(&c.alamat), &opt(&c.rt), &opt(&c.rw)).into(),
            dob: c.tgl_lahir,
            sex: c.jenis_kelamin,
            region: c.kode_wilayah,
            household: NONE,
        })
        .collect();
    let reg_recs: Vec<Rec> = registry
        .par_iter()
        .zip(r_ids.par_iter())
        .map(|(r, &(n, m, p, h))| Rec {
            nik: r.nik.valid().map_or(0, |k| k.as_u64()),
            nik_digits: raw_digits(&r.nik),
            kk: r.no_kk.valid().map_or(0, |k| k.as_u64()),
            name: remap(n, &name_map),
            mother: remap(m, &name_map),
            place: remap(p, &place_map),
            addr: normalise_address(&opt(&r.alamat), &opt(&r.rt), &opt(&r.rw)).into(),
            dob: r.tgl_lahir,
            sex: r.jenis_kelamin,
            region: r.kode_wilayah,
            household: h,
        })
        .collect();
    let mut civil_name_count = vec![0u32; name_infos.len()];
    for c in &civil_recs {
        if c.name != NONE {
            civil_name_count[c.name as usize] += 1;
        }
    }
    let mut civil_mother_count = vec![0u32; name_infos.len()];
    for c in &civil_recs {
        if c.mother != NONE {
            civil_mother_count[c.mother as usize] += 1;
        }
    }
    let name_token_scope = token_scopes(&name_infos, &civil_name_count, usize::MAX);
    let mother_token_scope = token_scopes(&name_infos, &civil_mother_count, 1);
    Prepared {
        names: name_infos,
        civil_name_count,
        name_token_scope,
        mother_token_scope,
        places: place_keys.into_iter().map(Into::into).collect(),
        reg: reg_recs,
        civil: civil_recs,
    }
}

/// The region a blocking key on a birth date and a name token is confined to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    /// The whole country (rare tokens: a mover is still found).
    #[default]
    National,
    /// The province of domicile.
    Province,
    /// The regency or city of domicile.
    Regency,
}

/// Birth dates a block on one date spreads over: about eighty birth years.
const DATE_SPREAD: u64 = 80 * 365;
/// A key expected to collect more people than this on one birth date is
/// confined to a smaller region.
const BLOCK_TARGET: f64 = 0.5;
/// Provinces in Indonesia, for the expected size of a province-scoped block.
const PROVINCES: u64 = 38;

/// Scopes of the phonetic tokens among the first `take` tokens of each name,
/// weighted by how many civil residents carry the name. The expected nationwide
/// block of a token on one birth date is its count over [`DATE_SPREAD`]; a
/// token whose block would exceed [`BLOCK_TARGET`] is confined to the
/// province, and to the regency if even the province block would.
fn token_scopes(names: &[NameInfo], count: &[u32], take: usize) -> FxMap<u64, Scope> {
    let mut tokens: FxMap<u64, u64> = FxMap::default();
    for (info, &n) in names.iter().zip(count) {
        if n > 0 {
            for t in info.phon_tokens.iter().take(take) {
                *tokens.entry(*t).or_insert(0) += u64::from(n);
            }
        }
    }
    tokens
        .into_iter()
        .filter_map(|(t, n)| {
            let per_day = n as f64 / DATE_SPREAD as f64;
            if per_day <= BLOCK_TARGET {
                None
            } else if per_day / PROVINCES as f64 <= BLOCK_TARGET {
                Some((t, Scope::Province))
            } else {
                Some((t, Scope::Regency))
            }
        })
        .collect()
}

impl Prepared {
    /// The name info of an id (which must not be [`NONE`]).
    pub fn name(&self, id: u32) -> &NameInfo {
        &self.names[id as usize]
    }

    /// The scope of a phonetic token of a person's name.
    pub fn name_scope(&self, token: u64) -> Scope {
        self.name_token_scope
            .get(&token)
            .copied()
            .unwrap_or_default()
    }

    /// The scope of the first phonetic token of a mother's name.
    pub fn mother_scope(&self, token: u64) -> Scope {
        self.mother_token_scope
            .get(&token)
            .copied()
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_scopes_follow_how_many_residents_share_a_birth_date_and_token() {
        let names: Vec<NameInfo> = ["SITI AMINAH", "NUR HIDAYAH", "BONIFASIUS"]
            .into_iter()
            .map(|n| NameInfo::new(normalise_name(n)))
            .collect();
        // 20,000 SITI AMINAH: 0.7 a day nationwide, 0.02 in a province.
        // 2,000,000 NUR HIDAYAH: 1.8 a day even in a province.
        let scopes = token_scopes(&names, &[20_000, 2_000_000, 50], usize::MAX);
        let scope = |name: usize, token: usize| {
            scopes
                .get(&names[name].phon_tokens[token])
                .copied()
                .unwrap_or_default()
        };
        assert_eq!(scope(0, 0), Scope::Province);
        assert_eq!(scope(0, 1), Scope::Province);
        assert_eq!(scope(1, 0), Scope::Regency);
        assert_eq!(scope(2, 0), Scope::National);
        // Mothers: only the first token counts.
        let first = token_scopes(&names, &[20_000, 0, 0], 1);
        assert_eq!(first.len(), 1);
    }
}
