//! The ground truth: what a perfect verification would answer for each registry row.
//!
//! Computed from the final cells of the row and from what the generator knows
//! (the true person behind the row), with the rules in the crate documentation.

use std::collections::HashMap;

use chrono::NaiveDate;
use rayon::prelude::*;

use padu_core::{Action, Flag, Nik, NikError, NikStatus, VerificationRow};

use crate::inject::RegRow;
use crate::population::{Household, Person};

/// Upper case with single spaces: the form names are compared in.
pub(crate) fn normalise_name(s: &str) -> String {
    s.to_uppercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The registry id of row `i` (0-based); fixed width so string order is numeric order.
pub(crate) fn id_art(i: usize) -> String {
    format!("ART{:09}", i + 1)
}

/// Computes the truth rows for registry rows in their final order.
pub(crate) fn truth_rows(
    rows: &[RegRow],
    persons: &[Person],
    households: &[Household],
    today: NaiveDate,
) -> Vec<VerificationRow> {
    let civil: HashMap<u64, u32> = persons
        .iter()
        .enumerate()
        .filter(|(_, p)| p.in_civil)
        .map(|(i, p)| (p.nik, crate::u32_index(i)))
        .collect();
    let parsed: Vec<Option<Nik>> = rows
        .par_iter()
        .map(|r| Nik::parse(&r.nik, today).ok())
        .collect();

    // Duplicate groups, numbered by first appearance.
    let mut by_person: HashMap<u32, Vec<usize>> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        by_person.entry(r.person).or_default().push(i);
    }
    let mut group_of: Vec<Option<(String, usize)>> = vec![None; rows.len()];
    let mut next_group = 0usize;
    for (i, r) in rows.iter().enumerate() {
        if group_of[i].is_some() {
            continue;
        }
        let members = &by_person[&r.person];
        if members.len() < 2 {
            continue;
        }
        next_group += 1;
        let gid = format!("G{next_group:06}");
        let true_nik = persons[r.person as usize].nik;
        let kept = members
            .iter()
            .copied()
            .min_by_key(|m| (parsed[*m].map(|n| n.as_u64()) != Some(true_nik), *m))
            .expect("non-empty group");
        for m in members {
            group_of[*m] = Some((gid.clone(), kept));
        }
    }

    rows.par_iter()
        .enumerate()
        .map(|(i, r)| {
            let person = &persons[r.person as usize];
            let status = match (&parsed[i], Nik::parse(&r.nik, today)) {
                (Some(n), _) => match civil.get(&n.as_u64()) {
                    None => NikStatus::NikTidakDitemukan,
                    Some(owner) if *owner == r.person => NikStatus::Padan,
                    Some(_) => NikStatus::TidakPadan,
                },
                (None, Err(NikError::Empty | NikError::Placeholder(_))) => NikStatus::TanpaNik,
                (None, _) => NikStatus::NikTidakValid,
            };
            let mut flags = Vec::new();
            if person.in_civil && person.death.is_some() {
                flags.push(Flag::Meninggal);
            }
            let civil_regency = households[person.civil_hh as usize].village.regency();
            if person.in_civil && civil_regency != r.village.regency() {
                flags.push(Flag::Pindah);
            }
            if group_of[i].is_some() {
                flags.push(Flag::Ganda);
            }
            if let Some(n) = &parsed[i]
                && !n.cross_check(r.tgl_lahir, r.sex).is_empty()
            {
                flags.push(Flag::NikBedaIdentitas);
            }
            flags.sort_unstable_by_key(|f| f.as_str());
            let nik_usulan = (person.in_civil && parsed[i].map(|n| n.as_u64()) != Some(person.nik))
                .then(|| format!("{:016}", person.nik));
            let kept = group_of[i].as_ref().map(|(_, k)| *k);
            let tindakan = if flags.contains(&Flag::Meninggal)
                || flags.contains(&Flag::Pindah)
                || kept.is_some_and(|k| k != i)
            {
                Action::Hapus
            } else if status != NikStatus::Padan
                || nik_usulan.is_some()
                || flags.contains(&Flag::NikBedaIdentitas)
                || (person.in_civil
                    && (normalise_name(&r.nama) != normalise_name(&person.nama)
                        || r.tgl_lahir != person.birth
                        || r.sex != person.sex))
            {
                Action::Perbaiki
            } else {
                Action::Tetap
            };
            let labels: Vec<&str> = r.kinds.iter().map(|k| k.label()).collect();
            let keterangan = if labels.is_empty() {
                "tidak ada kesalahan yang disisipkan".to_string()
            } else {
                labels.join("; ")
            };
            VerificationRow {
                id_art: id_art(i),
                status,
                flags,
                tindakan,
                nik_usulan,
                skor: None,
                id_kelompok_ganda: group_of[i].as_ref().map(|(g, _)| g.clone()),
                id_art_utama: kept.map(id_art),
                keterangan,
            }
        })
        .collect()
}
