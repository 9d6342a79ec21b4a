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

use padu_core::{CivilPerson, RegionCode, RegistryPerson};

use crate::block::blockers;
use crate::hash::mix;
use crate::prepare::{CivilSide, Exec, Prepared, Rec, name_info};
use crate::scope::{self, Density};

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
pub const RULES: usize = 10;

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
        let dir = tempfile::tempdir().unwrap();
        let cfg = padu_gen::GenConfig {
            people: 20_000,
            seed: 5,
            today: padu_testkit::today(),
            ..padu_gen::GenConfig::default()
        };
        padu_gen::generate(&cfg, dir.path(), &|_| {}).expect("generate");
        let civil = padu_testkit::generated::civil(dir.path());
        let registry = padu_testkit::generated::registry(dir.path());
        let density = civil_density(&civil);

        // The engine, whole.
        let side = CivilSide::prepare(&civil);
        let ctx = side.registry(&registry, Exec::Parallel);
        let index = crate::block::KeyIndex::build(&ctx, ctx.civil, &blockers());
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
