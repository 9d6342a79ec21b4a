//! How far each blocking key reaches: the whole country, or only the
//! province, regency, district or village of the record.
//!
//! A key such as "born on 12 May 1980, name token SITI" collects every civil
//! resident who shares it. Nationwide that block grows with the country, and
//! inside one district it grows with the district's density: Depok has about
//! 190,000 people per district, the synthetic country-wide extracts a few
//! hundred. Blocks that grow with either make candidate pairs grow faster
//! than the data. So each key is confined to the *largest* region in which the
//! number of civil residents expected to share it stays under
//! [`BLOCK_TARGET`]; the expectation comes from counts over the civil
//! extract (residents per region, and per province how many carry each name
//! token, each pair of first tokens and each initial). A token too common
//! even in the record's village gets no key of its own; the pair of the
//! name's first two tokens, much rarer, takes its place.
//!
//! The choice depends only on the attribute and the record's region, never
//! on which side the record is on, so two records in the same region always
//! agree on a key's form, and a mover is still found through keys that are
//! nationwide (rare tokens and rare token pairs).
//!
//! Every record's choices are computed once, in [`plan`], and packed into a
//! [`Plan`] (three bits per key slot), so emitting keys costs no lookup.

use padu_core::RegionCode;
use rayon::prelude::*;

use crate::hash::{FxMap, mix, str_word};
use crate::normalise::phonetic;
use crate::prepare::{NONE, NameInfo, Names, Rec, id32};

/// A region a key is confined to, coarsest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub(crate) enum Level {
    /// The whole country.
    National = 1,
    /// The province of the record.
    Province = 2,
    /// The regency or city.
    Regency = 3,
    /// The district (kecamatan).
    District = 4,
    /// The village (desa/kelurahan).
    Village = 5,
}

impl Level {
    const ALL: [Level; 5] = [
        Level::National,
        Level::Province,
        Level::Regency,
        Level::District,
        Level::Village,
    ];

    fn from_bits(b: u64) -> Option<Level> {
        Self::ALL
            .get(usize::try_from(b).ok()?.checked_sub(1)?)
            .copied()
    }

    /// The record's region at this level, as a number that differs between
    /// levels (0 for the whole country).
    pub(crate) fn region_of(self, r: &Rec) -> u64 {
        let at = |l| r.region.truncate(l).map_or(0, |c: RegionCode| c.digits());
        match self {
            Level::National => 0,
            Level::Province => r.region.province().digits(),
            Level::Regency => at(padu_core::RegionLevel::Regency),
            Level::District => at(padu_core::RegionLevel::District),
            Level::Village => at(padu_core::RegionLevel::Village),
        }
    }
}

/// A key expected to collect more civil residents than this is confined to a smaller region.
const BLOCK_TARGET: f64 = 0.5;

/// Birth dates a block on one full date spreads over: about eighty birth years.
const SPREAD_DATE: f64 = 80.0 * 365.0;
/// Birth years a block on a year spreads over.
const SPREAD_YEAR: f64 = 80.0;
/// Days of the year a block on day and month spreads over.
const SPREAD_DAY_MONTH: f64 = 365.0;

/// Slots of a [`Plan`]: the keys of the blocking rules that are confined
/// by density. A name group has four token slots and one pair slot.
pub(crate) mod slot {
    /// Birth date + name token (tokens 0–3, pair 4).
    pub(crate) const DOB_NAME: usize = 0;
    /// Birth year + name token (tokens 0–3, pair 4).
    pub(crate) const YEAR_NAME: usize = 5;
    /// Day and month of birth + name token (tokens 0–3, pair 4).
    pub(crate) const DAY_MONTH_NAME: usize = 10;
    /// Birth date + mother's first token (token 0; its pair is at
    /// `DOB_MOTHER + PAIR`, the last slot, like every group's).
    pub(crate) const DOB_MOTHER: usize = 15;
    /// Birth date and sex.
    pub(crate) const DOB: usize = 17;
    /// Birth date + initial.
    pub(crate) const DOB_INITIAL: usize = 18;
    /// Slots in use (16 is free: the mother group blocks on one token only).
    pub(crate) const COUNT: usize = 20;
    /// Index of the pair slot in a name group.
    pub(crate) const PAIR: usize = 4;

    // Every slot, the mother group's pair included, fits three bits of a `u64`.
    const _: () = assert!(DOB_MOTHER + PAIR < COUNT && 3 * COUNT <= 64);
}

/// The level chosen for each key slot of one record (none: no key).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Plan(u64);

impl Plan {
    /// The level of a slot, if the record has that key.
    pub(crate) fn get(self, slot: usize) -> Option<Level> {
        Level::from_bits((self.0 >> (3 * slot)) & 7)
    }

    pub(crate) fn set(&mut self, slot: usize, level: Option<Level>) {
        debug_assert!(slot < slot::COUNT);
        self.0 &= !(7 << (3 * slot));
        self.0 |= u64::from(level.map_or(0, |l| l as u8)) << (3 * slot);
    }
}

/// The phonetic name tokens worth blocking on: the first four, without the
/// ubiquitous MUHAMMAD.
pub(crate) fn tokens<'a>(names: &'a Names<'_>, id: u32) -> impl Iterator<Item = u64> + 'a {
    tokens_of(info(names, id))
}

/// The name behind an id, `None` for [`NONE`].
fn info<'a>(names: &'a Names<'_>, id: u32) -> Option<&'a NameInfo> {
    (id != NONE).then(|| &names[id as usize])
}

/// [`tokens`] of a name itself.
fn tokens_of(name: Option<&NameInfo>) -> impl Iterator<Item = u64> + '_ {
    let toks: &[u64] = name.map_or(&[], |n| &n.phon_tokens[..]);
    let muh = *MUHAMMAD_PHON;
    toks.iter().copied().filter(move |t| *t != muh)
}

static MUHAMMAD_PHON: std::sync::LazyLock<u64> =
    std::sync::LazyLock::new(|| str_word(&phonetic("MUHAMMAD")));

/// The pair of the first two blocking tokens, order-free (SITI AMINAH = AMINAH SITI).
pub(crate) fn token_pair(names: &Names<'_>, id: u32) -> Option<u64> {
    token_pair_of(info(names, id))
}

/// [`token_pair`] of a name itself.
fn token_pair_of(name: Option<&NameInfo>) -> Option<u64> {
    let mut it = tokens_of(name);
    let (a, b) = (it.next()?, it.next()?);
    Some(mix(&[a.min(b), a.max(b), u64::MAX]))
}

/// The first letter of the first name part other than MUHAMMAD (0 if none).
pub(crate) fn initial(names: &Names<'_>, id: u32) -> u64 {
    info(names, id).map_or(0, |n| u64::from(n.initial))
}

/// What a count is of.
#[derive(Clone, Copy)]
#[repr(u64)]
enum Kind {
    NameToken = 1,
    NamePair = 2,
    MotherToken = 3,
    MotherPair = 4,
    Initial = 5,
}

/// Civil-registry counts behind the choices.
#[derive(Debug, Default)]
pub(crate) struct Density {
    /// Civil residents per region code, at every level from province to village.
    pop: FxMap<RegionCode, u32>,
    /// Civil residents in the extract.
    total: u32,
    /// Civil residents per (kind and attribute, province digits); province 0 is the whole country.
    counts: FxMap<(u64, u64), u32>,
}

/// The attributes a record is counted under, each mixed with its kind.
fn attributes(names: &Names<'_>, r: &Rec, f: impl FnMut(u64)) {
    attributes_of(info(names, r.name), info(names, r.mother), f);
}

/// [`attributes`] of a person's name and mother's name themselves.
pub(crate) fn attributes_of(
    name: Option<&NameInfo>,
    mother: Option<&NameInfo>,
    mut f: impl FnMut(u64),
) {
    let mut put = |k: Kind, a: u64| f(mix(&[k as u64, a]));
    for t in tokens_of(name) {
        put(Kind::NameToken, t);
    }
    if let Some(p) = token_pair_of(name) {
        put(Kind::NamePair, p);
    }
    if let Some(t) = tokens_of(mother).next() {
        put(Kind::MotherToken, t);
    }
    if let Some(p) = token_pair_of(mother) {
        put(Kind::MotherPair, p);
    }
    if let Some(n) = name {
        put(Kind::Initial, u64::from(n.initial));
    }
}

impl Density {
    /// Counts `civil` by region and, per province, by name attribute.
    pub(crate) fn count(names: &Names<'_>, civil: &[Rec]) -> Density {
        type Acc = (FxMap<RegionCode, u32>, FxMap<(u64, u64), u32>);
        let merge = |(mut pa, mut ca): Acc, (pb, cb): Acc| {
            for (k, v) in pb {
                *pa.entry(k).or_default() += v;
            }
            for (k, v) in cb {
                *ca.entry(k).or_default() += v;
            }
            (pa, ca)
        };
        let (villages, mut counts) = civil
            .par_iter()
            .fold(
                || -> Acc { Default::default() },
                |(mut pop, mut counts), r| {
                    *pop.entry(r.region).or_default() += 1;
                    let p = r.region.province().digits();
                    attributes(names, r, |a| *counts.entry((a, p)).or_default() += 1);
                    (pop, counts)
                },
            )
            .reduce(|| -> Acc { Default::default() }, merge);
        let mut pop: FxMap<RegionCode, u32> = FxMap::default();
        for (code, n) in villages {
            let mut c = Some(code);
            while let Some(x) = c {
                *pop.entry(x).or_default() += n;
                c = x.parent();
            }
        }
        let mut national: FxMap<(u64, u64), u32> = FxMap::default();
        for (&(a, _), &n) in &counts {
            *national.entry((a, 0)).or_default() += n;
        }
        counts.extend(national);
        Density {
            pop,
            total: id32(civil.len()),
            counts,
        }
    }

    fn get(&self, kind: Kind, attr: u64, province: u64) -> f64 {
        let key = (mix(&[kind as u64, attr]), province);
        f64::from(self.counts.get(&key).copied().unwrap_or(0))
    }

    /// Statistics counted elsewhere (over a whole extract, by a distributed
    /// job): `total` residents, residents per village, and attribute counts
    /// as [`Density::attribute_table`] lists them. Only the attributes of
    /// the records to be planned need be there; a missing one counts 0.
    pub(crate) fn from_parts(
        total: u32,
        villages: &[(RegionCode, u32)],
        attributes: impl IntoIterator<Item = (u64, u64, u32)>,
    ) -> Density {
        let mut pop: FxMap<RegionCode, u32> = FxMap::default();
        for &(code, n) in villages {
            let mut c = Some(code);
            while let Some(x) = c {
                *pop.entry(x).or_default() += n;
                c = x.parent();
            }
        }
        Density {
            pop,
            total,
            counts: attributes
                .into_iter()
                .map(|(a, p, n)| ((a, p), n))
                .collect(),
        }
    }

    /// The attribute counts, sorted: `(attribute, province digits, residents)`,
    /// province 0 being the whole country; what a distributed run counts
    /// with a `GROUP BY` and broadcasts.
    pub(crate) fn attribute_table(&self) -> Vec<(u64, u64, u32)> {
        let mut t: Vec<_> = self.counts.iter().map(|(&(a, p), &n)| (a, p, n)).collect();
        t.sort_unstable();
        t
    }

    /// Civil residents per village, sorted by code.
    pub(crate) fn village_table(&self) -> Vec<(RegionCode, u32)> {
        let mut t: Vec<_> = self
            .pop
            .iter()
            .filter(|(c, _)| c.level() == padu_core::RegionLevel::Village)
            .map(|(&c, &n)| (c, n))
            .collect();
        t.sort_unstable();
        t
    }

    /// Civil residents of a region (0 if none).
    pub(crate) fn population(&self, code: RegionCode) -> u32 {
        self.pop.get(&code).copied().unwrap_or(0)
    }
}

/// A village's civil population at each level from province to village.
#[derive(Debug, Clone, Copy)]
struct Area {
    province: u64,
    /// Residents of the province, regency, district and village.
    pop: [f64; 4],
}

impl Area {
    fn new(d: &Density, region: RegionCode) -> Area {
        use padu_core::RegionLevel as L;
        let at = |l| {
            region
                .truncate(l)
                .map_or(0.0, |c| f64::from(d.population(c)))
        };
        Area {
            province: region.province().digits(),
            pop: [
                at(L::Province),
                at(L::Regency),
                at(L::District),
                at(L::Village),
            ],
        }
    }

    /// The coarsest level in `lo..=hi` at which a key held by `n.0`
    /// residents nationally and `n.1` in this province is expected to
    /// collect at most [`BLOCK_TARGET`] of them over `spread` values.
    fn choose(&self, n: (f64, f64), spread: f64, lo: Level, hi: Level) -> Option<Level> {
        let (national, in_province) = n;
        Level::ALL
            .into_iter()
            .filter(|l| (lo..=hi).contains(l))
            .find(|l| {
                let expected = match l {
                    Level::National => national,
                    Level::Province => in_province,
                    // Within the province, assume the attribute is spread like the people.
                    _ => in_province * self.pop[*l as usize - 2] / self.pop[0].max(1.0),
                };
                expected / spread <= BLOCK_TARGET
            })
    }
}

/// Counts behind one name's keys: its blocking tokens and, fetched only when
/// needed, the pair of the first two.
struct NameCounts<'a> {
    tokens: [(f64, f64); 4],
    len: usize,
    pair: Option<u64>,
    pair_counts: Option<(f64, f64)>,
    kind: Kind,
    d: &'a Density,
    province: u64,
}

impl<'a> NameCounts<'a> {
    fn new(
        names: &Names<'_>,
        d: &'a Density,
        id: u32,
        take: usize,
        kinds: (Kind, Kind),
        province: u64,
    ) -> Self {
        let mut tokens = [(0.0, 0.0); 4];
        let mut len = 0;
        for (slot, t) in tokens.iter_mut().zip(self::tokens(names, id).take(take)) {
            *slot = (d.get(kinds.0, t, 0), d.get(kinds.0, t, province));
            len += 1;
        }
        NameCounts {
            tokens,
            len,
            pair: token_pair(names, id),
            pair_counts: None,
            kind: kinds.1,
            d,
            province,
        }
    }

    fn pair(&mut self) -> Option<(f64, f64)> {
        let p = self.pair?;
        Some(*self.pair_counts.get_or_insert_with(|| {
            (
                self.d.get(self.kind, p, 0),
                self.d.get(self.kind, p, self.province),
            )
        }))
    }

    /// Fills the name group of `plan` at `base` for a rule over `spread` values confined to `lo..=hi`.
    fn plan(
        &mut self,
        plan: &mut Plan,
        base: usize,
        area: &Area,
        spread: f64,
        (lo, hi): (Level, Level),
    ) {
        let mut any = false;
        let mut narrowed = false;
        for i in 0..self.len {
            let level = area.choose(self.tokens[i], spread, lo, hi);
            // Only the first two tokens decide whether the pair is needed: it stands in for them.
            if i < 2 && level != Some(lo) {
                narrowed = true;
            }
            any |= level.is_some();
            plan.set(base + i, level);
        }
        if narrowed && let Some(n) = self.pair() {
            plan.set(
                base + slot::PAIR,
                Some(area.choose(n, spread, lo, hi).unwrap_or(hi)),
            );
            any = true;
        }
        // A name always keeps a key, however common (SLAMET alone in a dense village).
        if !any && self.len > 0 {
            plan.set(base, Some(hi));
        }
    }
}

/// Every village's civil population at each level, so planning a record costs one lookup.
pub(crate) struct Areas(FxMap<RegionCode, Area>);

impl Areas {
    /// The areas of every region the records live in.
    pub(crate) fn new(d: &Density, recs: &[&[Rec]]) -> Areas {
        let mut m: FxMap<RegionCode, Area> = FxMap::default();
        for r in recs.iter().flat_map(|s| s.iter()) {
            m.entry(r.region).or_insert_with(|| Area::new(d, r.region));
        }
        Areas(m)
    }
}

const NAME_KINDS: (Kind, Kind) = (Kind::NameToken, Kind::NamePair);
const MOTHER_KINDS: (Kind, Kind) = (Kind::MotherToken, Kind::MotherPair);

/// Chooses every key's level for one record.
pub(crate) fn plan(names: &Names<'_>, d: &Density, areas: &Areas, r: &Rec) -> Plan {
    use Level::*;
    let area = areas
        .0
        .get(&r.region)
        .copied()
        .unwrap_or_else(|| Area::new(d, r.region));
    let mut p = Plan::default();
    let mut name = NameCounts::new(names, d, r.name, 4, NAME_KINDS, area.province);
    for (base, spread, levels) in [
        (slot::DOB_NAME, SPREAD_DATE, (National, Village)),
        (slot::YEAR_NAME, SPREAD_YEAR, (District, Village)),
        (slot::DAY_MONTH_NAME, SPREAD_DAY_MONTH, (District, Village)),
    ] {
        name.plan(&mut p, base, &area, spread, levels);
    }
    let mut mother = NameCounts::new(names, d, r.mother, 1, MOTHER_KINDS, area.province);
    mother.plan(
        &mut p,
        slot::DOB_MOTHER,
        &area,
        SPREAD_DATE,
        (National, Village),
    );
    // Half the residents share the record's sex.
    let same_sex = (f64::from(d.total) / 2.0, area.pop[0] / 2.0);
    p.set(
        slot::DOB,
        area.choose(same_sex, SPREAD_DATE, District, Village),
    );
    if r.name != NONE {
        let i = initial(names, r.name);
        let n = (
            d.get(Kind::Initial, i, 0),
            d.get(Kind::Initial, i, area.province),
        );
        let level = area
            .choose(n, SPREAD_DATE, Regency, Village)
            .unwrap_or(Village);
        p.set(slot::DOB_INITIAL, Some(level));
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prepare::{CivilSide, Exec};

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).expect("code")
    }

    #[test]
    fn a_plan_keeps_each_slot_apart() {
        let mut p = Plan::default();
        p.set(0, Some(Level::Village));
        p.set(slot::DOB_INITIAL, Some(Level::National));
        p.set(7, Some(Level::District));
        p.set(7, None);
        assert_eq!(p.get(0), Some(Level::Village));
        assert_eq!(p.get(7), None);
        assert_eq!(p.get(slot::DOB_INITIAL), Some(Level::National));
        assert_eq!(p.get(1), None);
    }

    #[test]
    fn a_common_mothers_token_narrows_and_her_pair_takes_the_last_slot() {
        // A token held by a million residents, a rare pair: the token is
        // confined below the country, so the pair stands in nationwide-ish.
        let d = Density::default();
        let area = Area::new(&d, code("32.73.01.1001"));
        let mut counts = NameCounts {
            tokens: [(1e6, 1e6), (0.0, 0.0), (0.0, 0.0), (0.0, 0.0)],
            len: 1,
            pair: Some(7),
            pair_counts: Some((1.0, 1.0)),
            kind: Kind::MotherPair,
            d: &d,
            province: 32,
        };
        let mut p = Plan::default();
        let levels = (Level::National, Level::Village);
        counts.plan(&mut p, slot::DOB_MOTHER, &area, SPREAD_DATE, levels);
        assert_eq!(p.get(slot::DOB_MOTHER), Some(Level::Regency));
        assert_eq!(p.get(slot::DOB_MOTHER + slot::PAIR), Some(Level::National));
        assert_eq!(p.get(slot::DOB_INITIAL), None);
    }

    #[test]
    fn counting_adds_villages_up_to_the_province_and_provinces_up_to_the_country() {
        let civ = crate::testkit::civil(
            "nik|nama|jenis_kelamin|tgl_lahir|kode_wilayah
             3273015205800001|SITI AMINAH|P|1980-05-12|32.73.01.1001
             3273015205800002|SITI RAHAYU|P|1980-05-12|32.73.02.1001
             3374015205800001|SITI AMINAH|P|1980-05-12|33.74.01.1001",
        );
        let side = CivilSide::prepare(&civ);
        let ctx = side.registry(&[], Exec::Parallel);
        let d = &Density::count(&ctx.names, ctx.civil);
        assert_eq!(d.population(code("32")), 2);
        assert_eq!(d.population(code("32.73")), 2);
        assert_eq!(d.population(code("32.73.01")), 1);
        assert_eq!(d.population(code("33.74.01.1001")), 1);
        let siti = ctx.names[ctx.civil[0].name as usize].phon_tokens[0];
        assert_eq!(d.get(Kind::NameToken, siti, 0), 3.0);
        assert_eq!(d.get(Kind::NameToken, siti, 32), 2.0);
        let pair = token_pair(&ctx.names, ctx.civil[0].name).expect("two tokens");
        assert_eq!(d.get(Kind::NamePair, pair, 0), 2.0);
        assert_eq!(d.get(Kind::NamePair, pair, 33), 1.0);
        assert_eq!(d.get(Kind::Initial, u64::from(b'S'), 0), 3.0);
    }

    /// A country of 10 million whose province has a million people, the
    /// regency 100,000, the district 10,000 and the village 1,000.
    fn country(counts: &[(Kind, u64, u32)]) -> Density {
        let mut d = Density {
            total: 10_000_000,
            ..Density::default()
        };
        for (c, n) in [
            ("32", 1_000_000),
            ("32.73", 100_000),
            ("32.73.01", 10_000),
            ("32.73.01.1001", 1_000),
        ] {
            d.pop.insert(code(c), n);
        }
        for &(kind, attr, national) in counts {
            let key = mix(&[kind as u64, attr]);
            d.counts.insert((key, 0), national);
            d.counts.insert((key, 32), national / 10);
        }
        d
    }

    #[test]
    fn keys_reach_as_far_as_their_expected_block_stays_small() {
        let reg = crate::testkit::registry(
            "id_art|nama|jenis_kelamin|tgl_lahir|kode_wilayah
             A1|SITI AMINAH|P|1980-05-12|32.73.01.1001
             A2|SLAMET|L|1960-01-01|32.73.01.1001",
        );
        let side = CivilSide::prepare(&[]);
        let ctx = side.registry(&reg, Exec::Parallel);
        let (siti_aminah, slamet) = (&ctx.reg[0], &ctx.reg[1]);
        let toks = &ctx.names[siti_aminah.name as usize].phon_tokens;
        let (siti, aminah) = (toks[0], toks[1]);
        let pair = token_pair(&ctx.names, siti_aminah.name).expect("pair");
        let slamet_tok = ctx.names[slamet.name as usize].phon_tokens[0];
        let d = country(&[
            (Kind::NameToken, siti, 1_000_000),
            (Kind::NameToken, aminah, 10_000),
            (Kind::NamePair, pair, 5_000),
            (Kind::NameToken, slamet_tok, 2_000_000),
            (Kind::Initial, u64::from(b'S'), 1_500_000),
        ]);
        let areas = Areas::new(&d, &[&ctx.reg]);
        let p = plan(&ctx.names, &d, &areas, siti_aminah);
        // SITI on one birth date: 34 nationwide, 3.4 in the province, 0.34 in the regency.
        assert_eq!(p.get(slot::DOB_NAME), Some(Level::Regency));
        // AMINAH: 0.34 nationwide.
        assert_eq!(p.get(slot::DOB_NAME + 1), Some(Level::National));
        // SITI was narrowed, so the pair stands in for it, nationwide (0.17).
        assert_eq!(p.get(slot::DOB_NAME + slot::PAIR), Some(Level::National));
        // One birth year: SITI is 12.5 in the district and 1.25 even in the
        // village, so no key of its own; AMINAH 0.125 in the district.
        assert_eq!(p.get(slot::YEAR_NAME), None);
        assert_eq!(p.get(slot::YEAR_NAME + 1), Some(Level::District));
        assert_eq!(p.get(slot::YEAR_NAME + slot::PAIR), Some(Level::District));
        // Everyone of one sex born on one date: 0.17 in the district.
        assert_eq!(p.get(slot::DOB), Some(Level::District));
        // Initial S on one date: 0.51 in the regency, 0.05 in the district.
        assert_eq!(p.get(slot::DOB_INITIAL), Some(Level::District));
        // No mother's name, no mother key.
        assert_eq!(p.get(slot::DOB_MOTHER), None);

        // SLAMET alone is common everywhere, but a name always keeps a key.
        let p = plan(&ctx.names, &d, &areas, slamet);
        assert_eq!(p.get(slot::YEAR_NAME), Some(Level::Village));
        assert_eq!(p.get(slot::YEAR_NAME + slot::PAIR), None);
    }
}
