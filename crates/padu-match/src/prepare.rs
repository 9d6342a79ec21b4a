//! Compact, precomputed records: every text normalised once, names interned.
//!
//! The engine compares millions of pairs, so a pair comparison must not
//! allocate or re-normalise. Names (of the person and of the mother) are
//! interned into one pool shared by both sides, so equal normalised names are
//! equal ids and the civil-registry frequency of a name is one array read.

use chrono::NaiveDate;
use padu_core::{CivilPerson, IdField, NikError, NoKk, RegionCode, RegistryPerson, Sex};
use rayon::prelude::*;

use crate::hash::{FxMap, str_word};
use crate::normalise::{NormName, normalise_address, normalise_name, normalise_place};
use crate::scope::{self, Density, Plan};

/// "No value" for interned ids.
pub(crate) const NONE: u32 = u32::MAX;

/// One distinct normalised name.
#[derive(Debug, Clone)]
pub(crate) struct NameInfo {
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
    /// First letter of the first part other than MUHAMMAD (0 if none), for blocking.
    pub initial: u8,
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
        let initial = n
            .norm
            .split(' ')
            .find(|t| *t != "MUHAMMAD")
            .and_then(|t| t.bytes().next())
            .unwrap_or(0);
        NameInfo {
            initial,
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
pub(crate) struct Rec {
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
    /// How far each density-confined blocking key of this record reaches.
    pub plan: Plan,
}

/// Both sides prepared, with the shared pools.
pub(crate) struct Prepared {
    /// Names by id.
    pub names: Vec<NameInfo>,
    /// How many civil residents carry each name id (term frequency).
    pub civil_name_count: Vec<u32>,
    /// Places of birth by id.
    pub places: Vec<Box<str>>,
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

/// One record of either side, borrowed: everything preparation reads.
struct Person<'a> {
    /// See [`Rec::nik`].
    nik: u64,
    /// See [`Rec::nik_digits`].
    nik_digits: u64,
    /// The household id (registry only).
    household: Option<&'a str>,
    nama: &'a str,
    ibu: Option<&'a str>,
    tempat_lahir: Option<&'a str>,
    no_kk: &'a IdField<NoKk>,
    /// Street, RT and RW.
    address: [&'a Option<String>; 3],
    dob: NaiveDate,
    sex: Sex,
    region: RegionCode,
}

/// A [`Person`] from a registry or civil record: the two types name the
/// fields they share alike, without a common trait.
macro_rules! person {
    ($p:expr, nik: $nik:expr, nik_digits: $digits:expr, household: $household:expr) => {
        Person {
            nik: $nik,
            nik_digits: $digits,
            household: $household,
            nama: &$p.nama,
            ibu: $p.nama_ibu_kandung.as_deref(),
            tempat_lahir: $p.tempat_lahir.as_deref(),
            no_kk: &$p.no_kk,
            address: [&$p.alamat, &$p.rt, &$p.rw],
            dob: $p.tgl_lahir,
            sex: $p.jenis_kelamin,
            region: $p.kode_wilayah,
        }
    };
}

impl<'a> Person<'a> {
    fn civil(c: &'a CivilPerson) -> Self {
        let nik = c.nik.as_u64();
        person!(c, nik: nik, nik_digits: nik, household: None)
    }

    fn registry(r: &'a RegistryPerson) -> Self {
        let nik = r.nik.valid().map_or(0, |k| k.as_u64());
        person!(r, nik: nik, nik_digits: raw_digits(&r.nik), household: r.id_keluarga.as_deref())
    }
}

/// The raw (not yet normalised) ids of a record's name, mother's name,
/// place of birth and household.
type RawIds = [u32; 4];

/// The interned strings of both sides, before normalisation.
struct Pools<'a> {
    names: Interner<'a>,
    places: Interner<'a>,
    households: Interner<'a>,
}

impl<'a> Pools<'a> {
    fn ids(&mut self, p: &Person<'a>) -> RawIds {
        [
            self.names.id(Some(p.nama)),
            self.names.id(p.ibu),
            self.places.id(p.tempat_lahir),
            self.households.id(p.household),
        ]
    }
}

/// The normalised pools' ids of each raw id.
struct Remap {
    names: Vec<u32>,
    places: Vec<u32>,
}

impl Remap {
    /// The compact record of one person (its blocking plan still empty).
    fn rec(&self, p: &Person<'_>, ids: &RawIds) -> Rec {
        let [name, mother, place, household] = *ids;
        let opt = |s: &Option<String>| s.as_deref().unwrap_or("").to_string();
        let [alamat, rt, rw] = p.address;
        Rec {
            nik: p.nik,
            nik_digits: p.nik_digits,
            kk: p.no_kk.valid().map_or(0, |k| k.as_u64()),
            name: remap(name, &self.names),
            mother: remap(mother, &self.names),
            place: remap(place, &self.places),
            addr: normalise_address(&opt(alamat), &opt(rt), &opt(rw)).into(),
            dob: p.dob,
            sex: p.sex,
            region: p.region,
            household,
            plan: Plan::default(),
        }
    }
}

/// Stage *prepare*: both sides as compact records, with the shared pools.
///
/// Each record is prepared on its own once the pools exist; the pools (the
/// normalised names and places) and the civil density counts behind each
/// record's blocking plan are what a distributed run computes once and broadcasts.
pub(crate) fn prepare(registry: &[RegistryPerson], civil: &[CivilPerson]) -> Prepared {
    // Raw name interning first: synthetic and real extracts repeat names a lot,
    // so each distinct spelling is normalised once.
    let mut pools = Pools {
        names: Interner::new(),
        places: Interner::new(),
        households: Interner::new(),
    };
    let ids: Vec<RawIds> = civil
        .iter()
        .map(Person::civil)
        .chain(registry.iter().map(Person::registry))
        .map(|p| pools.ids(&p))
        .collect();
    let (c_ids, r_ids) = ids.split_at(civil.len());
    let (name_map, name_infos, _) = normalise_pool(&pools.names.uniq, |s| {
        let n = normalise_name(s);
        (n.norm.clone(), n)
    });
    let name_infos: Vec<NameInfo> = name_infos.into_par_iter().map(NameInfo::new).collect();
    let (place_map, _, place_keys) =
        normalise_pool(&pools.places.uniq, |s| (normalise_place(s), ()));
    let remap = Remap {
        names: name_map,
        places: place_map,
    };
    let mut civil_recs: Vec<Rec> = civil
        .par_iter()
        .zip(c_ids)
        .map(|(c, ids)| remap.rec(&Person::civil(c), ids))
        .collect();
    let mut reg_recs: Vec<Rec> = registry
        .par_iter()
        .zip(r_ids)
        .map(|(r, ids)| remap.rec(&Person::registry(r), ids))
        .collect();
    let mut civil_name_count = vec![0u32; name_infos.len()];
    for c in &civil_recs {
        if c.name != NONE {
            civil_name_count[c.name as usize] += 1;
        }
    }
    let density = Density::count(&name_infos, &civil_recs);
    let areas = scope::Areas::new(&density, &[&civil_recs, &reg_recs]);
    for side in [&mut civil_recs, &mut reg_recs] {
        side.par_iter_mut()
            .for_each(|r| r.plan = scope::plan(&name_infos, &density, &areas, r));
    }
    Prepared {
        names: name_infos,
        civil_name_count,
        places: place_keys.into_iter().map(Into::into).collect(),
        reg: reg_recs,
        civil: civil_recs,
    }
}

impl Prepared {
    /// The name info of an id (which must not be [`NONE`]).
    pub(crate) fn name(&self, id: u32) -> &NameInfo {
        &self.names[id as usize]
    }
}
