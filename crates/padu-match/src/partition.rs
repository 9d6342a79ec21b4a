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

use padu_core::{CivilPerson, RegionCode};

use crate::prepare::{CivilSide, name_info};
use crate::scope;

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

    #[test]
    fn empty_names_have_no_attributes_and_muhammad_is_left_out() {
        assert!(density_attributes("  ", None).is_empty());
        let with = density_attributes("MUHAMMAD RIZKI", Some("SITI"));
        let without = density_attributes("RIZKI", Some("SITI"));
        // Token, initial and mother's token are the same; only a pair needs two tokens.
        assert_eq!(with, without);
    }
}
