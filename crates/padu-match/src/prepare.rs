//! Compact, precomputed records: every text normalised once, names interned.
//!
//! The engine compares millions of pairs, so a pair comparison must not
//! allocate or re-normalise. Names (of the person and of the mother) are
//! interned into one pool shared by both sides, so equal normalised names are
//! equal ids and the civil-registry frequency of a name is one array read.
//!
//! The civil side is prepared first and on its own ([`CivilSide`]); registry
//! records are then prepared against it, each on its own, so one record
//! re-checked later prepares exactly as it did in the full run.

use chrono::NaiveDate;
use compact_str::CompactString;
use padu_core::{CivilPerson, IdField, NikError, NoKk, RegionCode, RegistryPerson, Sex};
use rayon::prelude::*;
use smallvec::SmallVec;

use crate::hash::{FxMap, str_word};
use crate::normalise::{NormName, normalise_address, normalise_name, normalise_place};
use crate::scope::{self, Density, Plan};

/// "No value" for interned ids.
pub(crate) const NONE: u32 = u32::MAX;

/// `i` as a u32 id. Rows and interned values are numbered in u32, half the
/// memory of usize; a run holds far fewer than 2^32 of either (the national
/// registry is under 300 million rows).
pub(crate) fn id32(i: usize) -> u32 {
    u32::try_from(i).expect("fewer than 2^32 rows or values in one run")
}

/// One distinct normalised name.
///
/// Its strings are kept inline up to 24 bytes (most names) and its blocking
/// tokens up to four: comparing a pair reads two of these from a table far
/// larger than the cache, and a pointer to the heap behind each cost a
/// second cache miss per field.
#[derive(Debug, Clone)]
pub(crate) struct NameInfo {
    /// Normalised tokens in order.
    pub norm: CompactString,
    /// Tokens sorted.
    pub sorted: CompactString,
    /// Phonetic keys of the tokens.
    pub phon: CompactString,
    /// Hash of the tokens concatenated without spaces (NUR AINI = NURAINI).
    pub squash: u64,
    /// Hash of the phonetic keys of the first few tokens, in order (for blocking).
    pub phon_tokens: SmallVec<[u64; 4]>,
    /// First letter of the first part other than MUHAMMAD (0 if none), for blocking.
    pub initial: u8,
}

impl NameInfo {
    pub(crate) fn new(n: NormName) -> Self {
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

/// The name information of one raw name, exactly as preparing a record
/// interns it: `None` for a name that is empty once trimmed or normalised.
pub(crate) fn name_info(raw: &str) -> Option<NameInfo> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    let (key, n) = name_form(raw);
    (!key.is_empty()).then(|| NameInfo::new(n))
}

/// A person reduced to what the comparators need.
#[derive(Debug, Clone)]
pub(crate) struct Rec {
    /// A valid NIK's digits, or 0.
    pub nik: u64,
    /// The 16 digits of the NIK cell even when it is not a valid NIK
    /// (unknown region, impossible date), or 0; placeholders and Excel forms
    /// are 0. A cell of 15 or 17 digits (one dropped or doubled) is kept
    /// tagged ([`one_digit_off`]) so that it is never read as a NIK: read it
    /// with [`Rec::nik16`] and [`Rec::nik_one_off`].
    pub nik_digits: u64,
    /// A valid No KK's digits, or 0.
    pub kk: u64,
    /// Interned normalised name.
    pub name: u32,
    /// Interned normalised mother's name, or [`NONE`].
    pub mother: u32,
    /// Interned normalised place of birth, or [`NONE`].
    pub place: u32,
    /// Normalised address with RT/RW (empty if none), inline up to 24 bytes
    /// so that comparing addresses does not miss the cache a second time.
    pub addr: CompactString,
    /// Date of birth.
    pub dob: NaiveDate,
    /// Sex.
    pub sex: Sex,
    /// Whether the valid NIK repeats the birth-date column ([`Nik::birth_date`](padu_core::Nik::birth_date)):
    /// such a record wrote its date twice, so a date a day or more off
    /// elsewhere is unlikely to be a slip in this record. False without a valid NIK.
    pub nik_repeats_dob: bool,
    /// Village code (domicile for civil, registry address for registry).
    pub region: RegionCode,
    /// Interned household id (registry only), or [`NONE`].
    pub household: u32,
    /// How far each density-confined blocking key of this record reaches.
    pub plan: Plan,
}

/// The tag of a NIK cell one digit short or long in [`Rec::nik_digits`].
const ONE_OFF: u64 = 1 << 63;

/// [`Rec::nik_digits`] for a NIK cell of `len` (15 or 17) digits.
pub(crate) fn one_digit_off(digits: u64, len: u32) -> u64 {
    ONE_OFF | u64::from(len) << 58 | digits
}

/// The NIKs a cell one digit short or long (`digits` of `len` 15 or 17)
/// stands for: every 16-digit number one inserted (15) or deleted (17) digit
/// away, without a leading zero, sorted and without repeats.
pub(crate) fn niks_one_digit_off((digits, len): (u64, u32)) -> Vec<u64> {
    let mut v = Vec::with_capacity(160);
    for p in 0..=len {
        // The digits right of position `p`, counted from the left.
        let tail = 10u64.pow(len - p);
        if len == 15 {
            v.extend((0..10).map(|d| ((digits / tail) * 10 + d) * tail + digits % tail));
        } else if p < len {
            v.push(digits / tail * (tail / 10) + digits % (tail / 10));
        }
    }
    v.retain(|n| (1_000_000_000_000_000..10_000_000_000_000_000).contains(n));
    v.sort_unstable();
    v.dedup();
    v
}

impl Rec {
    /// The 16 digits of the NIK cell, or 0.
    pub(crate) fn nik16(&self) -> u64 {
        if self.nik_digits & ONE_OFF == 0 {
            self.nik_digits
        } else {
            0
        }
    }

    /// The digits and length of a NIK cell one digit short (15) or long (17).
    pub(crate) fn nik_one_off(&self) -> Option<(u64, u32)> {
        (self.nik_digits & ONE_OFF != 0).then(|| {
            let len = (self.nik_digits >> 58 & 0x1F) as u32;
            (self.nik_digits & ((1 << 58) - 1), len)
        })
    }
}

/// Interned values by id: the ones shared by every record (the civil
/// side's, prepared once), then the ones only this context holds (names
/// and places that occur in the registry records but nowhere in the civil
/// extract). Ids of the second part start after the first, so an id names
/// one value whichever part holds it.
#[derive(Debug)]
pub(crate) struct Pool<'c, T> {
    shared: &'c [T],
    own: Vec<T>,
}

impl<'c, T> Pool<'c, T> {
    /// The shared values alone.
    pub(crate) fn shared(shared: &'c [T]) -> Self {
        Pool {
            shared,
            own: Vec::new(),
        }
    }

    /// The shared values followed by `own`.
    fn with_own(shared: &'c [T], own: Vec<T>) -> Self {
        Pool { shared, own }
    }
}

impl<T> std::ops::Index<usize> for Pool<'_, T> {
    type Output = T;
    fn index(&self, i: usize) -> &T {
        match i.checked_sub(self.shared.len()) {
            None => &self.shared[i],
            Some(j) => &self.own[j],
        }
    }
}

/// Interned normalised names.
pub(crate) type Names<'c> = Pool<'c, NameInfo>;

/// The registry records of one job prepared against a [`CivilSide`], with
/// the pools both sides' ids point into: what every later stage reads.
pub(crate) struct Prepared<'c> {
    /// Names by id.
    pub names: Names<'c>,
    /// How many civil residents carry each name id (term frequency); ids
    /// past its end (names only registry records carry) have none.
    pub civil_name_count: &'c [u32],
    /// Places of birth by id.
    pub places: Pool<'c, Box<str>>,
    /// Registry records, input order.
    pub reg: Vec<Rec>,
    /// Civil records, input order.
    pub civil: &'c [Rec],
}

/// The civil extract prepared once: its records, its pools of normalised
/// names and places, and the density counts behind every record's blocking
/// plan. A distributed run computes it once and broadcasts it; a
/// [`crate::Verifier`] keeps it for the checks it answers.
pub(crate) struct CivilSide {
    /// Names by id.
    names: Vec<NameInfo>,
    /// Name ids sorted by normalised name, to find a registry record's name.
    name_order: Sorted,
    /// How many civil residents carry each name id.
    name_count: Vec<u32>,
    /// Places of birth by id.
    places: Vec<Box<str>>,
    /// Place ids sorted by normalised place.
    place_order: Sorted,
    /// Civil records, input order.
    pub(crate) recs: Vec<Rec>,
    /// Counts over the extract behind each record's blocking plan.
    density: Density,
    /// The areas of the regions civil residents live in.
    areas: scope::Areas,
}

/// Whether a preparation may spread over rayon's pool (a whole job) or
/// must stay on the calling thread (one re-check, of which a server runs
/// many at once: handing each a slice of a shared pool would only queue them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exec {
    /// On rayon's pool.
    Parallel,
    /// On the calling thread.
    Inline,
}

impl Exec {
    /// `f` of every index in `0..n`, in order.
    fn map<U: Send>(self, n: usize, f: impl Fn(usize) -> U + Sync + Send) -> Vec<U> {
        match self {
            Exec::Parallel => (0..n).into_par_iter().map(f).collect(),
            Exec::Inline => (0..n).map(f).collect(),
        }
    }

    /// `f` of every item, consumed, in order.
    fn map_owned<T: Send, U: Send>(
        self,
        items: Vec<T>,
        f: impl Fn(T) -> U + Sync + Send,
    ) -> Vec<U> {
        match self {
            Exec::Parallel => items.into_par_iter().map(f).collect(),
            Exec::Inline => items.into_iter().map(f).collect(),
        }
    }

    /// Applies `f` to every item in place.
    fn for_each<T: Send>(self, items: &mut [T], f: impl Fn(&mut T) + Sync + Send) {
        match self {
            Exec::Parallel => items.par_iter_mut().for_each(f),
            Exec::Inline => items.iter_mut().for_each(f),
        }
    }
}

/// A pool's ids sorted by their values' keys, to find the id of a key by
/// binary search (four bytes per value, where a hash map would hold the
/// key a second time).
struct Sorted(Vec<u32>);

impl Sorted {
    fn new<T: Sync>(values: &[T], key: impl Fn(&T) -> &str + Sync) -> Self {
        let mut ids: Vec<u32> = (0..id32(values.len())).collect();
        ids.par_sort_unstable_by(|&a, &b| key(&values[a as usize]).cmp(key(&values[b as usize])));
        Sorted(ids)
    }

    fn find<T>(&self, values: &[T], key: impl Fn(&T) -> &str, k: &str) -> Option<u32> {
        self.0
            .binary_search_by(|&id| key(&values[id as usize]).cmp(k))
            .ok()
            .map(|i| self.0[i])
    }
}

/// The digits of a 16-digit NIK cell that failed validation for a reason a
/// typo could cause (so it can still be compared digit-wise), or of a cell
/// one digit short or long, tagged ([`one_digit_off`]).
fn raw_digits(f: &IdField<padu_core::Nik>) -> u64 {
    match f {
        IdField::Valid(n) => n.as_u64(),
        IdField::Invalid(bad) => {
            let digits = || -> (usize, u64) {
                let d: String = bad.raw.chars().filter(char::is_ascii_digit).collect();
                (d.len(), d.parse().unwrap_or(0))
            };
            match bad.error {
                NikError::WrongLength {
                    len: len @ (15 | 17),
                    ..
                } => match digits() {
                    (n, d) if n == len => one_digit_off(d, u32::try_from(len).unwrap_or(0)),
                    _ => 0,
                },
                NikError::UnknownProvince(_)
                | NikError::UnknownRegency(_)
                | NikError::InvalidDate(_)
                | NikError::SerialZero => match digits() {
                    (16, d) => d,
                    _ => 0,
                },
                _ => 0,
            }
        }
        IdField::Missing => 0,
    }
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
        let i = id32(self.uniq.len());
        self.map.insert(s, i);
        self.uniq.push(s);
        i
    }
}

/// Normalises distinct raw strings and interns the normalised forms: per
/// raw string its id (from `shared` when the form is already there, else a
/// new id from `base` up, [`NONE`] for an empty form) and the values of the
/// new ids in id order. Equal forms get equal ids, whichever side they came
/// from, so comparators may test ids for equality.
fn intern<T: Send>(
    uniq: &[&str],
    exec: Exec,
    normalise: impl Fn(&str) -> (String, T) + Sync + Send,
    shared: impl Fn(&str) -> Option<u32>,
    base: usize,
) -> (Vec<u32>, Vec<(String, T)>) {
    let normed = exec.map(uniq.len(), |i| normalise(uniq[i]));
    let mut map: FxMap<String, u32> = FxMap::default();
    let mut out: Vec<(String, T)> = Vec::new();
    let mut raw_to = Vec::with_capacity(normed.len());
    for (key, v) in normed {
        if key.is_empty() {
            raw_to.push(NONE);
        } else if let Some(id) = shared(&key) {
            raw_to.push(id);
        } else if let Some(&id) = map.get(&key) {
            raw_to.push(id);
        } else {
            let id = id32(base + out.len());
            map.insert(key.clone(), id);
            out.push((key, v));
            raw_to.push(id);
        }
    }
    (raw_to, out)
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
    /// See [`Rec::nik_repeats_dob`].
    nik_repeats_dob: bool,
    /// The household id (registry only).
    household: Option<&'a str>,
    nama: &'a str,
    ibu: Option<&'a str>,
    tempat_lahir: Option<&'a str>,
    no_kk: &'a IdField<NoKk>,
    /// Street, RT and RW.
    address: [&'a Option<padu_core::Text>; 3],
    dob: NaiveDate,
    sex: Sex,
    region: RegionCode,
}

/// A [`Person`] from a registry or civil record: the two types name the
/// fields they share alike, without a common trait.
macro_rules! person {
    ($p:expr, nik: $nik:expr, nik_digits: $digits:expr, nik_date: $nik_date:expr, household: $household:expr) => {
        Person {
            nik: $nik,
            nik_digits: $digits,
            nik_repeats_dob: $nik_date == Some($p.tgl_lahir),
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
        person!(c, nik: nik, nik_digits: nik, nik_date: Some(c.nik.birth_date()), household: None)
    }

    fn registry(r: &'a RegistryPerson) -> Self {
        let nik = r.nik.valid().map_or(0, |k| k.as_u64());
        let nik_date = r.nik.valid().map(|k| k.birth_date());
        person!(r, nik: nik, nik_digits: raw_digits(&r.nik), nik_date: nik_date, household: r.id_keluarga.as_deref())
    }
}

/// The raw (not yet normalised) ids of a record's name, mother's name,
/// place of birth and household.
type RawIds = [u32; 4];

/// The interned strings of one side, before normalisation.
struct Pools<'a> {
    names: Interner<'a>,
    places: Interner<'a>,
    households: Interner<'a>,
}

impl<'a> Pools<'a> {
    fn new() -> Self {
        Pools {
            names: Interner::new(),
            places: Interner::new(),
            households: Interner::new(),
        }
    }

    /// The raw ids of one person in these pools.
    fn ids(&mut self, p: &Person<'a>) -> RawIds {
        [
            self.names.id(Some(p.nama)),
            self.names.id(p.ibu),
            self.places.id(p.tempat_lahir),
            self.households.id(p.household),
        ]
    }

    /// Every record's raw ids, with the pools of distinct raw strings (ids
    /// in first-seen order, as one thread interning the records in order
    /// gives them).
    ///
    /// Raw strings are interned before anything is normalised: synthetic
    /// and real extracts repeat names a lot, so each distinct spelling is
    /// normalised once. In parallel, chunks of records are interned on
    /// their own and their pools merged in order: a million civil records
    /// hold two million names but some forty thousand distinct ones, so the
    /// merge is a small part of the work, and interning on one thread (each
    /// name a cache miss into its record's string) had taken a sixth of a
    /// second with the other core idle.
    fn intern(
        n: usize,
        person: impl Fn(usize) -> Person<'a> + Sync,
        exec: Exec,
    ) -> (Self, Vec<RawIds>) {
        const CHUNK: usize = 1 << 16;
        if exec == Exec::Inline || n <= CHUNK {
            let mut pools = Pools::new();
            let ids = (0..n).map(|i| pools.ids(&person(i))).collect();
            return (pools, ids);
        }
        let chunks: Vec<(Pools<'a>, Vec<RawIds>)> = (0..n.div_ceil(CHUNK))
            .into_par_iter()
            .map(|c| {
                let mut pools = Pools::new();
                let ids = (c * CHUNK..n.min((c + 1) * CHUNK))
                    .map(|i| pools.ids(&person(i)))
                    .collect();
                (pools, ids)
            })
            .collect();
        let mut pools = Pools::new();
        let tables: Vec<[Vec<u32>; 3]> = chunks
            .iter()
            .map(|(local, _)| {
                let merge = |global: &mut Interner<'a>, local: &Interner<'a>| {
                    local.uniq.iter().map(|&s| global.id(Some(s))).collect()
                };
                [
                    merge(&mut pools.names, &local.names),
                    merge(&mut pools.places, &local.places),
                    merge(&mut pools.households, &local.households),
                ]
            })
            .collect();
        let mut ids: Vec<RawIds> = Vec::with_capacity(n);
        for (_, local) in &chunks {
            ids.extend_from_slice(local);
        }
        ids.par_chunks_mut(CHUNK)
            .zip(&tables)
            .for_each(|(chunk, [names, places, households])| {
                for [name, mother, place, household] in chunk {
                    *name = remap(*name, names);
                    *mother = remap(*mother, names);
                    *place = remap(*place, places);
                    *household = remap(*household, households);
                }
            });
        (pools, ids)
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
        let [alamat, rt, rw] = p.address.map(|s| s.as_deref().unwrap_or(""));
        Rec {
            nik: p.nik,
            nik_digits: p.nik_digits,
            kk: p.no_kk.valid().map_or(0, |k| k.as_u64()),
            name: remap(name, &self.names),
            mother: remap(mother, &self.names),
            place: remap(place, &self.places),
            addr: normalise_address(alamat, rt, rw).into(),
            dob: p.dob,
            sex: p.sex,
            nik_repeats_dob: p.nik_repeats_dob,
            region: p.region,
            household,
            plan: Plan::default(),
        }
    }
}

/// A name's normalised form with the name.
fn name_form(s: &str) -> (String, NormName) {
    let n = normalise_name(s);
    (n.norm.clone(), n)
}

/// A place's normalised form.
fn place_form(s: &str) -> (String, ()) {
    (normalise_place(s), ())
}

impl CivilSide {
    /// The density counts behind every record's blocking plan.
    pub(crate) fn density(&self) -> &Density {
        &self.density
    }

    /// Stage *prepare* of the civil extract, on rayon's pool: its records,
    /// its pools and the density counts behind every record's blocking plan.
    pub(crate) fn prepare(civil: &[CivilPerson]) -> CivilSide {
        Self::build(civil, None)
    }

    /// Stage *prepare* of part of a civil extract whose density statistics
    /// were counted over the whole of it (a distributed task's broadcast):
    /// the records' blocking plans are the ones the whole extract's
    /// [`CivilSide::prepare`] gives them.
    pub(crate) fn prepare_with(civil: &[CivilPerson], density: Density) -> CivilSide {
        Self::build(civil, Some(density))
    }

    fn build(civil: &[CivilPerson], density: Option<Density>) -> CivilSide {
        let exec = Exec::Parallel;
        let (pools, ids) = Pools::intern(civil.len(), |i| Person::civil(&civil[i]), exec);
        let (name_map, names) = intern(&pools.names.uniq, exec, name_form, |_| None, 0);
        let names = exec.map_owned(names, |(_, n)| NameInfo::new(n));
        let (place_map, places) = intern(&pools.places.uniq, exec, place_form, |_| None, 0);
        let places: Vec<Box<str>> = places.into_iter().map(|(k, ())| k.into()).collect();
        let remap = Remap {
            names: name_map,
            places: place_map,
        };
        let mut recs = exec.map(civil.len(), |i| {
            remap.rec(&Person::civil(&civil[i]), &ids[i])
        });
        let mut name_count = vec![0u32; names.len()];
        for c in &recs {
            if c.name != NONE {
                name_count[c.name as usize] += 1;
            }
        }
        let pool = Names::shared(&names);
        let density = density.unwrap_or_else(|| Density::count(&pool, &recs));
        let areas = scope::Areas::new(&density, &[&recs]);
        exec.for_each(&mut recs, |r| {
            r.plan = scope::plan(&pool, &density, &areas, r)
        });
        CivilSide {
            name_order: Sorted::new(&names, |n| &n.norm),
            place_order: Sorted::new(&places, |p| p),
            names,
            name_count,
            places,
            recs,
            density,
            areas,
        }
    }

    /// Stage *prepare* of registry records against this civil side: each
    /// record's names and places take the civil pools' ids where the
    /// normalised form is there, and its blocking plan comes from the civil
    /// counts, so a record prepares alike whatever else is in the job.
    ///
    /// A whole registry is prepared with [`Exec::Parallel`]; one record (a
    /// re-check) with [`Exec::Inline`], the same steps on the calling thread.
    pub(crate) fn registry(&self, registry: &[RegistryPerson], exec: Exec) -> Prepared<'_> {
        let (pools, ids) = Pools::intern(registry.len(), |i| Person::registry(&registry[i]), exec);
        let find_name = |k: &str| self.name_order.find(&self.names, |n| &n.norm, k);
        let (name_map, own_names) = intern(
            &pools.names.uniq,
            exec,
            name_form,
            find_name,
            self.names.len(),
        );
        let own_names = exec.map_owned(own_names, |(_, n)| NameInfo::new(n));
        let find_place = |k: &str| self.place_order.find(&self.places, |p| p, k);
        let (place_map, own_places) = intern(
            &pools.places.uniq,
            exec,
            place_form,
            find_place,
            self.places.len(),
        );
        let remap = Remap {
            names: name_map,
            places: place_map,
        };
        let mut reg = exec.map(registry.len(), |i| {
            remap.rec(&Person::registry(&registry[i]), &ids[i])
        });
        let names = Names::with_own(&self.names, own_names);
        exec.for_each(&mut reg, |r| {
            r.plan = scope::plan(&names, &self.density, &self.areas, r);
        });
        Prepared {
            names,
            civil_name_count: &self.name_count,
            places: Pool::with_own(
                &self.places,
                own_places.into_iter().map(|(k, ())| k.into()).collect(),
            ),
            reg,
            civil: &self.recs,
        }
    }
}

impl Prepared<'_> {
    /// The name info of an id (which must not be [`NONE`]).
    pub(crate) fn name(&self, id: u32) -> &NameInfo {
        &self.names[id as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cell one digit short or long stands for the NIK it was typed from,
    /// wherever the digit was dropped or doubled, and is never read as a NIK.
    #[test]
    fn a_nik_one_digit_short_or_long_stands_for_the_nik_it_was_typed_from() {
        let nik = "3173062508770001";
        for j in 0..16 {
            let short = format!("{}{}", &nik[..j], &nik[j + 1..]);
            let long = format!("{}{}", &nik[..=j], &nik[j..]);
            for cell in [short, long] {
                let rec = Rec {
                    nik: 0,
                    nik_digits: one_digit_off(
                        cell.parse().unwrap(),
                        cell.len().try_into().unwrap(),
                    ),
                    ..crate::testkit::rec_with_nik(0)
                };
                assert_eq!(rec.nik16(), 0, "{cell}");
                let niks = niks_one_digit_off(rec.nik_one_off().expect("one off"));
                assert!(niks.binary_search(&nik.parse().unwrap()).is_ok(), "{cell}");
                assert!(niks.len() <= 160 && niks.iter().all(|n| n.to_string().len() == 16));
            }
        }
        let plain = crate::testkit::rec_with_nik(3173062508770001);
        assert_eq!(
            (plain.nik16(), plain.nik_one_off()),
            (3173062508770001, None)
        );
    }

    /// A record's NIK repeats its date column when the NIK's own date (a
    /// woman's day plus 40) is the column's; a relative's NIK, a day off or
    /// no valid NIK does not.
    #[test]
    fn a_nik_repeats_the_date_column_with_a_womans_day_plus_40() {
        let registry = crate::testkit::registry(
            "id_art|nik|nama|jenis_kelamin|tgl_lahir|kode_wilayah
             A|3273010512800001|ADE|L|1980-12-05|32.73.01.1001
             B|3273014512800001|ADE|P|1980-12-05|32.73.01.1001
             C|3273010101050002|ADE|L|2005-01-01|32.73.01.1001
             D|3273010512800001|ADE|L|1980-12-06|32.73.01.1001
             E|3273011705600001|ADE|L|1980-12-05|32.73.01.1001
             F||ADE|L|1980-12-05|32.73.01.1001",
        );
        let side = CivilSide::prepare(&[]);
        let ctx = side.registry(&registry, Exec::Inline);
        let repeats: Vec<bool> = ctx.reg.iter().map(|r| r.nik_repeats_dob).collect();
        assert_eq!(repeats, [true, true, true, false, false, false]);
    }

    /// Chunked interning on the pool gives every record the ids that one
    /// thread interning the records in order gives it, so a run's output does
    /// not depend on how many threads prepared it.
    #[test]
    fn interning_in_chunks_gives_the_ids_of_interning_in_order() {
        // More records than one chunk holds, with strings first seen in late chunks too.
        let (reg, civ) = crate::testkit::background(4000, 4000);
        let (mut registry, mut civil) = (Vec::new(), Vec::new());
        for copy in 0..40 {
            for (i, (r, c)) in reg.iter().zip(&civ).enumerate() {
                let (mut r, mut c) = (r.clone(), c.clone());
                if i % 7 == copy % 7 {
                    c.nama = format!("{} {copy}", c.nama).into();
                    r.id_keluarga = Some(format!("K{copy}-{i}").into());
                }
                registry.push(r);
                civil.push(c);
            }
        }
        let (par, par_ids) =
            Pools::intern(civil.len(), |i| Person::civil(&civil[i]), Exec::Parallel);
        let (one, one_ids) = Pools::intern(civil.len(), |i| Person::civil(&civil[i]), Exec::Inline);
        assert_eq!(par_ids, one_ids);
        assert_eq!(par.names.uniq, one.names.uniq);
        assert_eq!(par.places.uniq, one.places.uniq);
        assert!(one.names.uniq.len() > 10_000 && one.names.uniq.len() < civil.len() / 4);
        let (par, par_ids) = Pools::intern(
            registry.len(),
            |i| Person::registry(&registry[i]),
            Exec::Parallel,
        );
        let (one, one_ids) = Pools::intern(
            registry.len(),
            |i| Person::registry(&registry[i]),
            Exec::Inline,
        );
        assert_eq!(par_ids, one_ids);
        assert_eq!(par.households.uniq, one.households.uniq);
        assert!(one.households.uniq.len() > 1000);
    }
}
