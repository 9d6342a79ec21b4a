//! The partition API: what a distributed run computes per record and per
//! partition, with the engine's own functions, so that its answers are the
//! single-process engine's answers.
//!
//! A distributed engine (padu-dist, on Ballista) cannot hold the whole civil
//! extract in one place, so it computes the extract's statistics with
//! `GROUP BY`s over per-record values and broadcasts them. This module gives
//! it the per-record values ([`density_attributes`]) and, for checking, the
//! same statistics as the single-process engine holds them
//! ([`civil_density`]).

use chrono::{Datelike, NaiveDate};
use padu_core::{CivilPerson, NikStatus, RegionCode, RegistryPerson, Sex, VerificationRow};

use crate::block::blockers;
use crate::candidates::{Against, block_and_compare};
use crate::cluster;
use crate::compare::{compare_all, pack, unpack};
use crate::decide::{Evidence, Group, decide_row};
use crate::hash::mix;
use crate::link::{self, Link};
use crate::prepare::{CivilSide, Exec, NONE, Prepared, Rec, name_info};
use crate::scope::{self, Density};
use crate::score::{self, Cand, Model};
use crate::{DuplicateGroup, MatchConfig, NoProgress};

/// The attributes one person is counted under in the density statistics
/// behind every record's blocking plan: the phonetic tokens of the name
/// (MUHAMMAD left out), the pair of its first two, the mother's first token
/// and pair, and the name's initial, each mixed with what it is of.
///
/// A civil resident contributes one to `(attribute, province)` for each
/// attribute returned; the counts summed over provinces are the national
/// ones (province 0). An attribute may repeat (a name with the same token
/// twice) and then counts twice, as in the single-process engine.
pub fn density_attributes(nama: &str, nama_ibu_kandung: Option<&str>) -> Vec<u64> {
    let name = name_info(nama);
    let mother = nama_ibu_kandung.and_then(name_info);
    let mut out = Vec::with_capacity(8);
    scope::attributes_of(name.as_ref(), mother.as_ref(), |a| out.push(a));
    out
}

/// The civil extract's density statistics as the single-process engine
/// computes and uses them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CivilDensity {
    /// `(attribute, province digits, residents)`, sorted; province 0 is the
    /// whole country.
    pub attributes: Vec<(u64, u64, u32)>,
    /// Residents per village, sorted by code.
    pub villages: Vec<(RegionCode, u32)>,
}

/// Prepares the civil side as [`crate::verify`] does and returns its
/// density statistics: the reference a distributed count is checked against.
pub fn civil_density(civil: &[CivilPerson]) -> CivilDensity {
    let side = CivilSide::prepare(civil);
    let d = side.density();
    CivilDensity {
        attributes: d.attribute_table(),
        villages: d.village_table(),
    }
}

/// What a task knows of the civil extract's statistics: its size, its
/// residents per village and the counts of (at least) the attributes its
/// own records carry, as [`civil_density`] lists them.
#[derive(Debug)]
pub struct Statistics(Density);

impl Statistics {
    /// Statistics counted over a whole extract of `total` residents.
    pub fn new(
        total: u32,
        villages: &[(RegionCode, u32)],
        attributes: impl IntoIterator<Item = (u64, u64, u32)>,
    ) -> Self {
        Statistics(Density::from_parts(total, villages, attributes))
    }

    /// The statistics of [`civil_density`], whole.
    pub fn of(d: &CivilDensity) -> Self {
        let total = d.villages.iter().map(|v| v.1).sum();
        Statistics::new(total, &d.villages, d.attributes.iter().copied())
    }
}

/// One blocking key of a record: the rule's index and the key mixed with it.
///
/// Two records are candidates under a rule when their keys agree in their
/// top `64 - key_bits(n)` bits, `n` being the number of records of the
/// indexed side: the engine's index keeps only those bits, so rare
/// collisions are candidates too, and a distributed join must compare the
/// same bits to find the same pairs.
pub type Key = (u8, u64);

/// The number of blocking rules; a [`Key`]'s rule is below it, in the
/// order of `RunStats::rules`.
pub const RULES: usize = 12;

/// The bits the engine's key index drops from a [`Key`] on a side of `n` records.
pub fn key_bits(n: usize) -> u32 {
    (usize::BITS - n.leading_zeros()).max(20)
}

/// Every blocking key of each civil resident, in input order, with plans
/// from `stats` (the whole extract's): what the single-process engine's
/// index holds for them, whatever part of the extract `civil` is.
pub fn civil_keys(civil: &[CivilPerson], stats: Statistics) -> Vec<Vec<Key>> {
    let side = CivilSide::prepare_with(civil, stats.0);
    let ctx = side.registry(&[], Exec::Parallel);
    keys_of(&ctx, ctx.civil)
}

/// Every blocking key of each registry row, in input order, with plans from
/// `stats` (the whole civil extract's): what the single-process engine looks
/// up for them, whatever part of the registry `registry` is.
pub fn registry_keys(registry: &[RegistryPerson], stats: Statistics) -> Vec<Vec<Key>> {
    let side = CivilSide::prepare_with(&[], stats.0);
    let ctx = side.registry(registry, Exec::Parallel);
    keys_of(&ctx, &ctx.reg)
}

/// The comparison of each registry record with the civil resident beside
/// it (`registry[i]` with `civil[i]`), every field graded into its level and
/// the levels packed into one number: what the engine compares a candidate
/// pair into, whatever else is in the batch.
///
/// Comparison reads the two records and nothing counted over an extract, so
/// a task can compare any batch of pairs whose records reached it.
///
/// # Panics
///
/// When the two slices differ in length.
pub fn compare_pairs(registry: &[RegistryPerson], civil: &[CivilPerson]) -> Vec<u64> {
    assert_eq!(
        registry.len(),
        civil.len(),
        "one civil resident per registry record"
    );
    // Blocking plans are not needed to compare: empty statistics skip the counting.
    let side = CivilSide::prepare_with(civil, Statistics::new(0, &[], []).0);
    let ctx = side.registry(registry, Exec::Parallel);
    ctx.reg
        .iter()
        .zip(ctx.civil)
        .map(|(r, c)| pack(&compare_all(&ctx, r, c)))
        .collect()
}

/// Every candidate pair of the single-process engine, linking `registry` to
/// `civil` with blocks of more than `max_block` records skipped: `(registry
/// row, civil row, packed comparison)`, sorted. The reference a distributed
/// blocking and comparison is checked against.
pub fn engine_candidates(
    registry: &[RegistryPerson],
    civil: &[CivilPerson],
    max_block: usize,
) -> Vec<(u32, u32, u64)> {
    engine_pairs(registry, civil, Against::Civil, max_block)
}

/// The engine's compared pairs of one pass, flat and sorted.
fn engine_pairs(
    registry: &[RegistryPerson],
    civil: &[CivilPerson],
    against: Against,
    max_block: usize,
) -> Vec<(u32, u32, u64)> {
    let side = CivilSide::prepare(civil);
    let ctx = side.registry(registry, Exec::Parallel);
    let found = block_and_compare(&ctx, against, max_block, &NoProgress);
    let mut out: Vec<(u32, u32, u64)> = found
        .lists
        .iter()
        .enumerate()
        .flat_map(|(i, l)| {
            let i = u32::try_from(i).expect("fewer than 2^32 registry rows");
            l.iter().map(move |(c, v)| (i, *c, pack(v)))
        })
        .collect();
    out.sort_unstable();
    out
}

/// Which of a run's two random samples: the one behind linking's
/// u-probabilities (registry x civil) or deduplication's (registry x registry).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sample {
    /// Registry rows against civil residents.
    Link,
    /// Registry rows against registry rows.
    Dedup,
}

impl Sample {
    fn size(self, cfg: &MatchConfig) -> usize {
        match self {
            Sample::Link => cfg.u_samples,
            Sample::Dedup => score::dedup_samples(cfg),
        }
    }

    fn seed(self, cfg: &MatchConfig) -> u64 {
        match self {
            Sample::Link => cfg.seed,
            Sample::Dedup => score::dedup_seed(cfg),
        }
    }
}

/// The pairs of `sample` behind the u-probabilities of a run with `cfg`,
/// `n_left` registry rows against `n_right` rows of the other side: `(left
/// row, right row)`, drawn from the sizes and the seed alone. Their
/// comparison patterns are [`train`]'s (or [`train_dedup`]'s) `random`.
pub fn random_pairs(
    sample: Sample,
    n_left: usize,
    n_right: usize,
    cfg: &MatchConfig,
) -> Vec<(u32, u32)> {
    score::random_pairs(n_left, n_right, sample.size(cfg), sample.seed(cfg))
}

/// The right-side rows a same-day partner of `sample` is drawn from:
/// their birth dates and sexes go to [`same_day_pairs`].
pub fn partner_pool(sample: Sample, n_right: usize, cfg: &MatchConfig) -> Vec<u32> {
    score::partner_pool(n_right, sample.seed(cfg))
}

/// The registry rows the same-day part of `sample` draws: their birth
/// dates and sexes go to [`same_day_pairs`].
pub fn same_day_rows(sample: Sample, n_left: usize, cfg: &MatchConfig) -> Vec<u32> {
    score::same_day_left(n_left, sample.size(cfg), sample.seed(cfg))
}

/// The pairs born on the same day with the same sex behind the NIK's
/// u-probabilities: `left_day` gives the birth date and sex of each of
/// [`same_day_rows`], `pool` those of each of [`partner_pool`] (`(row,
/// date, sex)`). Their comparison patterns are [`train`]'s (or
/// [`train_dedup`]'s) `same_day`.
pub fn same_day_pairs(
    sample: Sample,
    n_left: usize,
    cfg: &MatchConfig,
    left_day: impl Fn(u32) -> (NaiveDate, Sex),
    pool: impl IntoIterator<Item = (u32, NaiveDate, Sex)>,
) -> Vec<(u32, u32)> {
    let day = |d: NaiveDate, s: Sex| (d.num_days_from_ce(), s as u8);
    score::same_day_pairs(
        n_left,
        sample.size(cfg),
        sample.seed(cfg),
        |a| {
            let (d, s) = left_day(a);
            day(d, s)
        },
        pool.into_iter().map(|(i, d, s)| (day(d, s), i)),
        sample == Sample::Dedup,
    )
}

/// Counted patterns as the engine's map.
fn patterns(p: &[(u64, u64)]) -> score::Patterns {
    p.iter().copied().collect()
}

/// Stage *train* of deduplication from counts: the registry-registry model
/// the engine learns, from the comparison patterns of the registry's own
/// candidate pairs ([`compare_registry_pairs`]), of the [`random_pairs`]
/// and of the [`same_day_pairs`] of [`Sample::Dedup`], and the run's
/// linking model.
pub fn train_dedup(
    candidates: &[(u64, u64)],
    random: &[(u64, u64)],
    same_day: &[(u64, u64)],
    link: &Model,
    n_registry: usize,
    cfg: &MatchConfig,
) -> Model {
    let pairs = candidates.iter().map(|p| p.1).sum();
    let u = if n_registry == 0 {
        score::default_u()
    } else {
        score::u_from(&patterns(random), &patterns(same_day))
    };
    score::train_dedup_with(link, &patterns(candidates), pairs, u, n_registry, cfg)
}

/// Stage *train* from counts: the registry-civil model the engine learns,
/// from the comparison patterns (`(packed levels, pairs)`, as
/// [`compare_pairs`] packs them) of the candidate pairs, of the
/// [`random_pairs`] and of the [`same_day_pairs`], for a run with `cfg` on
/// `n_registry` registry rows and `n_civil` civil residents.
pub fn train(
    candidates: &[(u64, u64)],
    random: &[(u64, u64)],
    same_day: &[(u64, u64)],
    n_registry: usize,
    n_civil: usize,
    cfg: &MatchConfig,
) -> Model {
    let pairs = candidates.iter().map(|p| p.1).sum();
    let u = if n_registry == 0 || n_civil == 0 {
        score::default_u()
    } else {
        score::u_from(&patterns(random), &patterns(same_day))
    };
    score::train_with(&patterns(candidates), pairs, u, n_registry, n_civil, cfg)
}

/// The name a civil resident is counted under for the name-frequency
/// adjustment, and that a registry row's exact name match looks up: the
/// normalised name as the engine interns it, `None` for a name that
/// normalises to nothing.
pub fn name_norm(raw: &str) -> Option<String> {
    name_info(raw).map(|n| n.norm.into())
}

/// How a registry row links to the civil registry (stage *link*): its NIK
/// status, its best civil candidate, how many others fit as well (its
/// rivals) and the score, as bytes to travel to stage *decide*.
#[derive(Debug, Clone)]
pub struct Linked(Link);

impl Linked {
    /// The NIK status.
    pub fn status(&self) -> NikStatus {
        self.0.status
    }

    /// The civil row the link is about (the NIK holder or the best
    /// candidate), if any: its record goes to [`decide`], which leaves it
    /// aside when the link has rivals, and it anchors deduplication.
    pub fn matched(&self) -> Option<u32> {
        self.0.matched.map(|c| c.civ)
    }

    /// The link as bytes ([`Linked::from_bytes`] reads them back exactly).
    pub fn to_bytes(&self) -> Vec<u8> {
        let l = &self.0;
        let status = NikStatus::ALL
            .iter()
            .position(|s| *s == l.status)
            .expect("a known status");
        let mut out = vec![u8::try_from(status).expect("five statuses")];
        match l.skor {
            Some(x) => {
                out.push(1);
                out.extend(x.to_bits().to_le_bytes());
            }
            None => out.push(0),
        }
        out.extend(l.rivals.to_le_bytes());
        if let Some(c) = l.matched {
            out.extend(c.civ.to_le_bytes());
            out.extend(pack(&c.v).to_le_bytes());
            out.extend(c.p.to_bits().to_le_bytes());
            out.extend(c.w.to_bits().to_le_bytes());
        }
        out
    }

    /// A link from [`Linked::to_bytes`]; `None` for bytes that are not one.
    pub fn from_bytes(b: &[u8]) -> Option<Linked> {
        let (&status, rest) = b.split_first()?;
        let status = *NikStatus::ALL.get(usize::from(status))?;
        let (&has_skor, mut rest) = rest.split_first()?;
        let mut take = |n: usize| -> Option<&[u8]> {
            let (head, tail) = rest.split_at_checked(n)?;
            rest = tail;
            Some(head)
        };
        let u64_of = |b: &[u8]| Some(u64::from_le_bytes(b.try_into().ok()?));
        let skor = match has_skor {
            0 => None,
            1 => Some(f64::from_bits(u64_of(take(8)?)?)),
            _ => return None,
        };
        let rivals = u32::from_le_bytes(take(4)?.try_into().ok()?);
        let matched = match take(4) {
            None => None,
            Some(civ) => Some(Cand {
                civ: u32::from_le_bytes(civ.try_into().ok()?),
                v: unpack(u64_of(take(8)?)?),
                p: f64::from_bits(u64_of(take(8)?)?),
                w: f64::from_bits(u64_of(take(8)?)?),
            }),
        };
        rest.is_empty().then_some(Linked(Link {
            status,
            matched,
            skor,
            rivals,
        }))
    }
}

/// Stages *score* and *link* of one registry row, as the engine runs them:
/// its candidates (`(civil row, packed levels)`, [`compare_pairs`]) scored
/// with the run's `model` and the best kept, then linked with the holder of
/// its NIK (`(civil row, record)`, if the extract has its NIK).
/// `name_count` is how many civil residents carry its [`name_norm`].
pub fn link(
    person: &RegistryPerson,
    name_count: u32,
    candidates: &[(u32, u64)],
    holder: Option<(u32, &CivilPerson)>,
    model: &Model,
    cfg: &MatchConfig,
) -> Linked {
    let holders: Vec<CivilPerson> = holder.iter().map(|h| h.1.clone()).collect();
    let side = CivilSide::prepare_with(&holders, Statistics::new(0, &[], []).0);
    let prepared = side.registry(std::slice::from_ref(person), Exec::Inline);
    // The exact-name weight reads the civil count of the row's own name:
    // the whole extract's, not this context's.
    let name = prepared.reg[0].name;
    let mut counts = vec![0u32; if name == NONE { 0 } else { name as usize + 1 }];
    if let Some(c) = counts.last_mut() {
        *c = name_count;
    }
    let ctx = Prepared {
        civil_name_count: &counts,
        ..prepared
    };
    let r = &ctx.reg[0];
    let list: Vec<_> = candidates.iter().map(|&(c, v)| (c, unpack(v))).collect();
    let cands = score::best_candidates(&ctx, model, r, list, cfg.kept_candidates());
    let holder = holder.map(|(row, _)| (row, &ctx.civil[0]));
    Linked(link::link_row(
        &ctx,
        model,
        person,
        0,
        &cands,
        holder,
        cfg.threshold,
    ))
}

/// Stage *decide* of one registry row: its result row from its link, the
/// civil record of [`Linked::matched`] and its duplicate group.
pub fn decide(
    person: &RegistryPerson,
    linked: &Linked,
    matched: Option<&CivilPerson>,
    group: Option<&DuplicateGroup>,
    cfg: &MatchConfig,
) -> VerificationRow {
    let evidence = Evidence {
        person,
        link: &linked.0,
        civil: matched,
        group: group.map(|g| Group {
            id: &g.id,
            kept: &g.kept,
            is_kept: g.kept == person.id_art,
        }),
    };
    decide_row(&evidence, cfg.death_threshold)
}

/// The comparison of each registry record of `a` with the one beside it in
/// `b` (`a[i]` the earlier row of the pair), packed: what deduplication
/// compares a candidate pair into.
///
/// # Panics
///
/// When the two slices differ in length.
pub fn compare_registry_pairs(a: &[RegistryPerson], b: &[RegistryPerson]) -> Vec<u64> {
    assert_eq!(a.len(), b.len(), "one registry record beside each");
    let side = CivilSide::prepare_with(&[], Statistics::new(0, &[], []).0);
    let both: Vec<RegistryPerson> = a.iter().chain(b).cloned().collect();
    let ctx = side.registry(&both, Exec::Parallel);
    let n = a.len();
    (0..n)
        .map(|i| pack(&compare_all(&ctx, &ctx.reg[i], &ctx.reg[n + i])))
        .collect()
}

/// Every candidate pair of the single-process engine's deduplication of
/// `registry` (prepared against `civil`), blocks of more than `max_block`
/// records skipped: `(row, later row, packed comparison)`, sorted.
pub fn engine_dedup_candidates(
    registry: &[RegistryPerson],
    civil: &[CivilPerson],
    max_block: usize,
) -> Vec<(u32, u32, u64)> {
    engine_pairs(registry, civil, Against::Registry, max_block)
}

/// Registry records prepared in one context whose exact-name weights read
/// the whole civil extract's counts: `counts[i]` for `people[i]`, where
/// known (`None`: a record whose count is not needed).
///
/// Records with the same normalised name share one name id, and so one
/// count: a record whose count is unknown must not set it, or a pair of
/// namesakes would read a count of zero (the first namesake's count
/// overwritten) and weigh their common name as if it were unique.
fn with_counts<'c>(
    side: &'c CivilSide,
    people: &[RegistryPerson],
    counts: &[Option<u32>],
) -> (Prepared<'c>, Vec<u32>) {
    let prepared = side.registry(people, Exec::Parallel);
    let mut by_name = Vec::new();
    for (r, n) in prepared.reg.iter().zip(counts) {
        if let (Some(n), false) = (*n, r.name == NONE) {
            let id = r.name as usize;
            if by_name.len() <= id {
                by_name.resize(id + 1, None);
            }
            debug_assert!(
                by_name[id].is_none_or(|m| m == n),
                "one name, two civil counts"
            );
            by_name[id] = Some(n);
        }
    }
    (
        prepared,
        by_name.into_iter().map(Option::unwrap_or_default).collect(),
    )
}

/// Whether registry rows `a` and `b` (`a` the earlier, compared into the
/// packed `levels`) are an edge of the duplicate graph under the
/// deduplication `model`: their match probability when it reaches
/// `cfg.threshold` and the two may be the same person at all.
/// `name_count` is the civil count of `a`'s [`name_norm`].
pub fn dedup_edge(
    a: &RegistryPerson,
    b: &RegistryPerson,
    name_count: u32,
    model: &Model,
    cfg: &MatchConfig,
) -> Option<f64> {
    let side = CivilSide::prepare_with(&[], Statistics::new(0, &[], []).0);
    let pair = [a.clone(), b.clone()];
    let (prepared, counts) = with_counts(&side, &pair, &[Some(name_count), None]);
    let ctx = Prepared {
        civil_name_count: &counts,
        ..prepared
    };
    let v = compare_all(&ctx, &ctx.reg[0], &ctx.reg[1]);
    cluster::edge(&ctx, model, 0, 1, &v, cfg.threshold)
}

/// A registry row the duplicate clustering looks at: one with an edge or
/// sharing its civil anchor with another row.
#[derive(Debug, Clone)]
pub struct ClusterRow {
    /// Its row (0-based, file order).
    pub row: u32,
    /// Its record.
    pub person: RegistryPerson,
    /// The civil count of its [`name_norm`].
    pub name_count: u32,
    /// The civil row it is linked to ([`Linked::matched`]), if any.
    pub anchor: Option<u32>,
}

/// Stage *dedup*'s clustering, in one place: the duplicate groups (sorted
/// rows, ordered by their first row) from the edges `(row, later row, p)`
/// ([`dedup_edge`]) and the rows they involve, which must include every row
/// whose anchor another row shares. The engine's groups for the same input.
pub fn cluster(rows: &[ClusterRow], edges: &[(u32, u32, f64)], model: &Model) -> Vec<Vec<u32>> {
    let mut rows: Vec<&ClusterRow> = rows.iter().collect();
    rows.sort_unstable_by_key(|r| r.row);
    rows.dedup_by_key(|r| r.row);
    let people: Vec<RegistryPerson> = rows.iter().map(|r| r.person.clone()).collect();
    let counts: Vec<Option<u32>> = rows.iter().map(|r| Some(r.name_count)).collect();
    let side = CivilSide::prepare_with(&[], Statistics::new(0, &[], []).0);
    let (prepared, by_name) = with_counts(&side, &people, &counts);
    let ctx = Prepared {
        civil_name_count: &by_name,
        ..prepared
    };
    let local = |row: u32| {
        rows.binary_search_by_key(&row, |r| r.row)
            .ok()
            .map(|i| u32::try_from(i).expect("fewer than 2^32 rows"))
    };
    let anchors: Vec<u32> = rows.iter().map(|r| r.anchor.unwrap_or(NONE)).collect();
    let edges: Vec<(f64, u32, u32)> = edges
        .iter()
        .map(|&(i, j, p)| {
            let (Some(i), Some(j)) = (local(i), local(j)) else {
                panic!("an edge's rows are among the rows");
            };
            (p, i, j)
        })
        .collect();
    cluster::cluster(&ctx, model, &anchors, edges)
        .into_iter()
        .map(|g| g.into_iter().map(|i| rows[i as usize].row).collect())
        .collect()
}

/// Each grouped row's [`DuplicateGroup`] as the engine names it: groups in
/// [`cluster`]'s order numbered `G000001` up, each keeping a `PADAN` row
/// before any other, then the smallest `id_art`. `status` and `id_art` give
/// a row's NIK status and `id_art`.
pub fn duplicate_groups<'a>(
    groups: &[Vec<u32>],
    status: impl Fn(u32) -> NikStatus,
    id_art: impl Fn(u32) -> &'a str,
) -> Vec<(u32, DuplicateGroup)> {
    let mut out = Vec::new();
    for (number, g) in groups.iter().enumerate() {
        let Some(&kept) = g.iter().min_by(|&&a, &&b| {
            let pa = status(a) != NikStatus::Padan;
            let pb = status(b) != NikStatus::Padan;
            pa.cmp(&pb).then_with(|| id_art(a).cmp(id_art(b)))
        }) else {
            continue;
        };
        let group = DuplicateGroup {
            id: crate::decide::group_id(number),
            kept: id_art(kept).to_string(),
        };
        out.extend(g.iter().map(|&r| (r, group.clone())));
    }
    out.sort_unstable_by_key(|e| e.0);
    out
}

fn keys_of(ctx: &Prepared<'_>, recs: &[Rec]) -> Vec<Vec<Key>> {
    let rules = blockers();
    let mut scratch = Vec::new();
    recs.iter()
        .map(|r| {
            let mut out = Vec::new();
            for (ri, rule) in rules.iter().enumerate() {
                scratch.clear();
                rule.keys(ctx, r, &mut scratch);
                let ri = u8::try_from(ri).expect("fewer than 256 rules");
                out.extend(scratch.iter().map(|&k| (ri, mix(&[u64::from(ri), k]))));
            }
            out
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use padu_testkit::generated::Generated;

    #[test]
    fn attributes_count_to_the_engine_s_own_density() {
        let (_, civil) = crate::testkit::background(3_000, 0);
        let civil = &civil;
        let reference = civil_density(civil);
        let mut counts: std::collections::BTreeMap<(u64, u64), u32> = Default::default();
        for c in civil {
            let province = c.kode_wilayah.province().digits();
            for a in density_attributes(&c.nama, c.nama_ibu_kandung.as_deref()) {
                *counts.entry((a, province)).or_default() += 1;
                *counts.entry((a, 0)).or_default() += 1;
            }
        }
        let counted: Vec<_> = counts.into_iter().map(|((a, p), n)| (a, p, n)).collect();
        assert!(!counted.is_empty());
        assert_eq!(counted, reference.attributes);
        let people: u32 = reference.villages.iter().map(|v| v.1).sum();
        assert_eq!(people as usize, civil.len());
    }

    /// Keys computed per part, from the whole extract's statistics, are the
    /// keys the single-process engine holds: the civil index entry for
    /// entry, the registry's lookups row for row.
    #[test]
    fn keys_per_part_are_the_engine_s_keys() {
        let Generated {
            civil, registry, ..
        } = Generated::new(20_000, 5);
        let density = civil_density(&civil);

        // The engine, whole.
        let side = CivilSide::prepare(&civil);
        let ctx = side.registry(&registry, Exec::Parallel);
        let index = crate::block::KeyIndex::build(&ctx, ctx.civil, &blockers(), None);
        let engine_registry = keys_of(&ctx, &ctx.reg);

        // In three parts each, as three tasks would.
        let in_parts = |n: usize| n.div_ceil(3);
        let civil_keys: Vec<Vec<Key>> = civil
            .chunks(in_parts(civil.len()))
            .flat_map(|part| super::civil_keys(part, Statistics::of(&density)))
            .collect();
        let reg_keys: Vec<Vec<Key>> = registry
            .chunks(in_parts(registry.len()))
            .flat_map(|part| super::registry_keys(part, Statistics::of(&density)))
            .collect();

        let bits = key_bits(civil.len());
        let mut entries: Vec<u64> = civil_keys
            .iter()
            .enumerate()
            .flat_map(|(i, keys)| {
                keys.iter()
                    .map(move |&(_, k)| ((k >> bits) << bits) | i as u64)
            })
            .collect();
        entries.sort_unstable();
        entries.dedup();
        assert!(entries.len() > civil.len() * 5, "{} keys", entries.len());
        assert_eq!(entries.as_slice(), index.entries());
        assert_eq!(reg_keys, engine_registry);
    }

    /// Pairs compared one batch at a time, out of the engine's context, get
    /// the engine's levels.
    #[test]
    fn pairs_compare_alone_as_in_the_engine() {
        let Generated {
            registry, civil, ..
        } = Generated::new(6_000, 8);
        let found = engine_candidates(&registry, &civil, 100);
        assert!(found.len() > registry.len(), "{} pairs", found.len());
        // Shuffled into batches of mixed rows, as a task receives them.
        for batch in found.chunks(700).rev() {
            let reg: Vec<_> = batch
                .iter()
                .map(|p| registry[p.0 as usize].clone())
                .collect();
            let civ: Vec<_> = batch.iter().map(|p| civil[p.1 as usize].clone()).collect();
            let expected: Vec<u64> = batch.iter().map(|p| p.2).collect();
            assert_eq!(compare_pairs(&reg, &civ), expected);
        }
    }

    /// A model trained from pattern counts (of pairs compared anywhere) is
    /// the engine's, to the last bit.
    #[test]
    fn a_model_trained_from_counts_is_the_engine_s() {
        let Generated {
            registry, civil, ..
        } = Generated::new(6_000, 9);
        let cfg = MatchConfig {
            u_samples: 40_000,
            ..MatchConfig::default()
        };
        let engine = crate::verify(&registry, &civil, &cfg, &NoProgress)
            .expect("engine")
            .stats;
        let count = |pairs: &[(u32, u32)]| -> Vec<(u64, u64)> {
            let reg: Vec<_> = pairs
                .iter()
                .map(|p| registry[p.0 as usize].clone())
                .collect();
            let civ: Vec<_> = pairs.iter().map(|p| civil[p.1 as usize].clone()).collect();
            let mut n = std::collections::BTreeMap::<u64, u64>::new();
            for v in compare_pairs(&reg, &civ) {
                *n.entry(v).or_default() += 1;
            }
            n.into_iter().collect()
        };
        let candidates: Vec<(u32, u32)> = engine_candidates(&registry, &civil, cfg.max_block)
            .into_iter()
            .map(|(r, c, _)| (r, c))
            .collect();
        let random = random_pairs(Sample::Link, registry.len(), civil.len(), &cfg);
        assert_eq!(random.len(), 40_000);
        let pool = partner_pool(Sample::Link, civil.len(), &cfg);
        let rows = same_day_rows(Sample::Link, registry.len(), &cfg);
        assert_eq!(rows.len(), 10_048, "10,000 rounded up to whole chunks");
        let same_day = same_day_pairs(
            Sample::Link,
            registry.len(),
            &cfg,
            |r| {
                let p = &registry[r as usize];
                (p.tgl_lahir, p.jenis_kelamin)
            },
            pool.iter().map(|&c| {
                let p = &civil[c as usize];
                (c, p.tgl_lahir, p.jenis_kelamin)
            }),
        );
        assert!(!same_day.is_empty());
        assert!(same_day.iter().all(|&(r, c)| {
            registry[r as usize].tgl_lahir == civil[c as usize].tgl_lahir && rows.contains(&r)
        }));
        let model = train(
            &count(&candidates),
            &count(&random),
            &count(&same_day),
            registry.len(),
            civil.len(),
            &cfg,
        );
        assert_eq!(model, engine.model);
    }

    /// The whole run from parts, as a distributed job runs it: pairs
    /// compared out of the engine's context, models trained from counts,
    /// each row linked on its own, the duplicate graph's edges judged pair by
    /// pair and clustered from the rows they involve, each row decided on
    /// its own. Every result row is the engine's.
    #[test]
    fn a_run_from_parts_gives_the_engine_s_rows() {
        let Generated {
            registry, civil, ..
        } = Generated::new(8_000, 10);
        let cfg = MatchConfig {
            u_samples: 40_000,
            ..MatchConfig::default()
        };
        let engine = crate::verify(&registry, &civil, &cfg, &NoProgress).expect("engine");
        let (nr, nc) = (registry.len(), civil.len());
        let count = |pairs: &[(u32, u32)], dedup: bool| -> Vec<(u64, u64)> {
            let left: Vec<_> = pairs
                .iter()
                .map(|p| registry[p.0 as usize].clone())
                .collect();
            let levels = if dedup {
                let right: Vec<_> = pairs
                    .iter()
                    .map(|p| registry[p.1 as usize].clone())
                    .collect();
                compare_registry_pairs(&left, &right)
            } else {
                let right: Vec<_> = pairs.iter().map(|p| civil[p.1 as usize].clone()).collect();
                compare_pairs(&left, &right)
            };
            let mut n = std::collections::BTreeMap::<u64, u64>::new();
            for v in levels {
                *n.entry(v).or_default() += 1;
            }
            n.into_iter().collect()
        };
        let registry_day = |r: u32| {
            let p = &registry[r as usize];
            (p.tgl_lahir, p.jenis_kelamin)
        };

        // Link: pairs, model, each row.
        let candidates = engine_candidates(&registry, &civil, cfg.max_block);
        let pairs: Vec<(u32, u32)> = candidates.iter().map(|c| (c.0, c.1)).collect();
        let same_day = same_day_pairs(
            Sample::Link,
            nr,
            &cfg,
            registry_day,
            partner_pool(Sample::Link, nc, &cfg).into_iter().map(|c| {
                let p = &civil[c as usize];
                (c, p.tgl_lahir, p.jenis_kelamin)
            }),
        );
        let model = train(
            &count(&pairs, false),
            &count(&random_pairs(Sample::Link, nr, nc, &cfg), false),
            &count(&same_day, false),
            nr,
            nc,
            &cfg,
        );
        assert_eq!(model, engine.stats.model);
        let mut lists = vec![Vec::new(); nr];
        for (r, c, v) in &candidates {
            lists[*r as usize].push((*c, *v));
        }
        let mut names = std::collections::HashMap::<String, u32>::new();
        for c in &civil {
            if let Some(n) = name_norm(&c.nama) {
                *names.entry(n).or_default() += 1;
            }
        }
        let name_count = |p: &RegistryPerson| {
            name_norm(&p.nama).map_or(0, |n| names.get(&n).copied().unwrap_or(0))
        };
        let by_nik: std::collections::HashMap<u64, u32> = civil
            .iter()
            .enumerate()
            .map(|(i, c)| (c.nik.as_u64(), crate::prepare::id32(i)))
            .collect();
        let linked: Vec<Linked> = registry
            .iter()
            .enumerate()
            .map(|(i, person)| {
                let holder = person
                    .nik
                    .valid()
                    .and_then(|n| by_nik.get(&n.as_u64()))
                    .map(|&h| (h, &civil[h as usize]));
                let l = link(person, name_count(person), &lists[i], holder, &model, &cfg);
                Linked::from_bytes(&l.to_bytes()).expect("bytes read back")
            })
            .collect();

        // Dedup: pairs, model, edges, clusters.
        let dups = engine_dedup_candidates(&registry, &civil, cfg.max_block);
        assert_eq!(dups.len() as u64, engine.stats.dedup_pairs);
        let dup_pairs: Vec<(u32, u32)> = dups.iter().map(|c| (c.0, c.1)).collect();
        let same_day = same_day_pairs(
            Sample::Dedup,
            nr,
            &cfg,
            registry_day,
            partner_pool(Sample::Dedup, nr, &cfg).into_iter().map(|r| {
                let (d, s) = registry_day(r);
                (r, d, s)
            }),
        );
        let dedup_model = train_dedup(
            &count(&dup_pairs, true),
            &count(&random_pairs(Sample::Dedup, nr, nr, &cfg), true),
            &count(&same_day, true),
            &model,
            nr,
            &cfg,
        );
        assert_eq!(dedup_model.lambda, engine.stats.dedup_lambda);
        let edges: Vec<(u32, u32, f64)> = dup_pairs
            .iter()
            .filter_map(|&(a, b)| {
                let (pa, pb) = (&registry[a as usize], &registry[b as usize]);
                dedup_edge(pa, pb, name_count(pa), &dedup_model, &cfg).map(|p| (a, b, p))
            })
            .collect();
        // Each pair weighed as the engine weighs it, in the whole run's
        // context: the same edges with the same probabilities, bit for bit
        // (their order decides which merges the clustering tries first).
        let side = CivilSide::prepare(&civil);
        let whole = side.registry(&registry, Exec::Parallel);
        let engine_edges: Vec<(u32, u32, f64)> = dup_pairs
            .iter()
            .filter_map(|&(a, b)| {
                let (i, j) = (a as usize, b as usize);
                let v = compare_all(&whole, &whole.reg[i], &whole.reg[j]);
                cluster::edge(&whole, &dedup_model, i, j, &v, cfg.threshold).map(|p| (a, b, p))
            })
            .collect();
        assert_eq!(edges, engine_edges);
        let mut by_anchor = std::collections::HashMap::<u32, Vec<u32>>::new();
        for (i, l) in linked.iter().enumerate() {
            if let Some(c) = l.matched() {
                by_anchor
                    .entry(c)
                    .or_default()
                    .push(crate::prepare::id32(i));
            }
        }
        let mut involved: Vec<u32> = edges.iter().flat_map(|e| [e.0, e.1]).collect();
        involved.extend(by_anchor.values().filter(|v| v.len() > 1).flatten());
        let rows: Vec<ClusterRow> = involved
            .iter()
            .map(|&r| ClusterRow {
                row: r,
                person: registry[r as usize].clone(),
                name_count: name_count(&registry[r as usize]),
                anchor: linked[r as usize].matched(),
            })
            .collect();
        let groups = cluster(&rows, &edges, &dedup_model);
        assert!(groups.len() > 10, "{} groups", groups.len());
        assert_eq!(groups.len(), engine.stats.duplicate_groups);
        let groups = duplicate_groups(
            &groups,
            |r| linked[r as usize].status(),
            |r| registry[r as usize].id_art.as_str(),
        );
        let group_of: std::collections::HashMap<u32, DuplicateGroup> = groups.into_iter().collect();

        // Decide each row.
        let mut statuses = std::collections::BTreeSet::new();
        for (i, person) in registry.iter().enumerate() {
            let l = &linked[i];
            let matched = l.matched().map(|c| &civil[c as usize]);
            let row = decide(
                person,
                l,
                matched,
                group_of.get(&crate::prepare::id32(i)),
                &cfg,
            );
            statuses.insert(row.status.as_str());
            assert_eq!(row, engine.rows[i], "row {i}");
        }
        assert_eq!(statuses.len(), 5, "every status occurs: {statuses:?}");
    }

    #[test]
    fn rules_counts_the_engine_s_rules() {
        assert_eq!(RULES, blockers().len());
    }

    #[test]
    fn empty_names_have_no_attributes_and_muhammad_is_left_out() {
        assert!(density_attributes("  ", None).is_empty());
        let with = density_attributes("MUHAMMAD RIZKI", Some("SITI"));
        let without = density_attributes("RIZKI", Some("SITI"));
        // Token, initial and mother's token are the same; only a pair needs two tokens.
        assert_eq!(with, without);
    }
}
