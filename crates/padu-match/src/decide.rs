//! Stage *decide*: one result row per registry row, from its link, the
//! civil resident it is linked to and its duplicate group. Every rule of the
//! result lives here: the flags (with both halves of the death rule), the
//! proposed NIK, the action and the sentence in Bahasa Indonesia.
//!
//! A row's decision reads nothing but its own evidence ([`Evidence`]), so the
//! stage partitions by registry row (or by the row's regency, which keeps
//! each Dinsos's output together).

use chrono::NaiveDate;
use padu_core::lang::Localized;
use padu_core::{
    Action, CivilPerson, Flag, IdField, Lang, LifeStatus, NikStatus, RegionCode, RegistryPerson,
    VerificationRow, regions,
};
use rayon::prelude::*;

use crate::compare::{F_ADDR, F_DOB, F_KK, F_MOTHER, F_NAME, F_PLACE, F_REGION, Vector};
use crate::link::Link;
use crate::score::Cand;

/// A row's duplicate group, as its decision needs it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Group<'a> {
    /// The group's id (`id_kelompok_ganda`).
    pub(crate) id: &'a str,
    /// `id_art` of the group's kept row.
    pub(crate) kept: &'a str,
    /// Whether this row is the kept one.
    pub(crate) is_kept: bool,
}

/// The id of the group at position `number` among all groups (from 0).
pub(crate) fn group_id(number: usize) -> String {
    format!("G{:06}", number + 1)
}

/// Everything the decision about one registry row reads.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Evidence<'a> {
    /// The registry row.
    pub(crate) person: &'a RegistryPerson,
    /// Its link to the civil registry.
    pub(crate) link: &'a Link,
    /// The civil resident of `link.matched` (the decision ignores it when
    /// the link has rivals).
    pub(crate) civil: Option<&'a CivilPerson>,
    /// Its duplicate group, if any.
    pub(crate) group: Option<Group<'a>>,
}

/// Decides every registry row, input order: `civil` is the civil registry the
/// links point into, `groups` the duplicate groups (sorted row indices) and
/// `death_threshold` the match probability a MENINGGAL flag needs.
pub(crate) fn decide(
    registry: &[RegistryPerson],
    civil: &[CivilPerson],
    links: &[Link],
    groups: &[Vec<u32>],
    death_threshold: f64,
) -> Vec<VerificationRow> {
    let group_of = group_of(groups, links, registry);
    let ids: Vec<String> = (0..groups.len()).map(group_id).collect();
    (0..registry.len())
        .into_par_iter()
        .map(|i| {
            let link = &links[i];
            let group = group_of[i].map(|(number, kept)| Group {
                id: &ids[number],
                kept: &registry[kept as usize].id_art,
                is_kept: kept as usize == i,
            });
            let evidence = Evidence {
                person: &registry[i],
                link,
                civil: link.matched.map(|c| &civil[c.civ as usize]),
                group,
            };
            decide_row(&evidence, death_threshold)
        })
        .collect()
}

/// Per row, its group's position and the group's kept row: a `PADAN` row
/// before any other, then the smallest `id_art`.
fn group_of(
    groups: &[Vec<u32>],
    links: &[Link],
    registry: &[RegistryPerson],
) -> Vec<Option<(usize, u32)>> {
    let mut out: Vec<Option<(usize, u32)>> = vec![None; registry.len()];
    for (gi, g) in groups.iter().enumerate() {
        let kept = *g
            .iter()
            .min_by(|&&a, &&b| {
                let pa = links[a as usize].status != NikStatus::Padan;
                let pb = links[b as usize].status != NikStatus::Padan;
                pa.cmp(&pb).then_with(|| {
                    registry[a as usize]
                        .id_art
                        .cmp(&registry[b as usize].id_art)
                })
            })
            .expect("groups have members");
        for &x in g {
            out[x as usize] = Some((gi, kept));
        }
    }
    out
}

/// The result row of one registry row.
pub(crate) fn decide_row(e: &Evidence<'_>, death_threshold: f64) -> VerificationRow {
    let (p, l) = (e.person, e.link);
    // A row with rivals has no civil resident to take facts from.
    let civil = e.civil.filter(|_| l.rivals == 0);
    let mut flags = Vec::new();
    if let (Some(c), Some(cp)) = (l.decided(), civil) {
        if flags_death(l.status, &c, cp, death_threshold) {
            flags.push(Flag::Meninggal);
        }
        if moved(p.kode_wilayah, cp.kode_wilayah) {
            flags.push(Flag::Pindah);
        }
    }
    if let Some(n) = p.nik.valid()
        && !n.cross_check(p.tgl_lahir, p.jenis_kelamin).is_empty()
    {
        flags.push(Flag::NikBedaIdentitas);
    }
    let kept_other = e.group.filter(|g| !g.is_kept).map(|g| g.kept);
    if e.group.is_some() {
        flags.push(Flag::Ganda);
    }
    flags.sort_unstable_by_key(|f| f.as_str());
    let nik_usulan = proposed_nik(l.status, p, civil);
    let differs = civil.is_some_and(|c| !corrections(p, c).is_empty());
    let action = action(
        &flags,
        l.status,
        nik_usulan.is_some(),
        kept_other.is_some(),
        differs,
    );
    let keterangan = keterangan(&Facts {
        person: p,
        link: l,
        civil,
        flags: &flags,
        nik_usulan: nik_usulan.as_deref(),
        kept: kept_other,
        is_kept: e.group.is_some_and(|g| g.is_kept),
        action,
    });
    VerificationRow {
        id_art: p.id_art.to_string(),
        status: l.status,
        flags,
        tindakan: action,
        nik_usulan,
        skor: l.skor,
        id_kelompok_ganda: e.group.map(|g| g.id.to_string()),
        id_art_utama: e.group.map(|g| g.kept.to_string()),
        keterangan,
    }
}

/// The death rule: the resident the row is linked to is recorded as deceased,
/// the match has at least `death_threshold`, and outside `PADAN` (where the
/// NIK itself vouches) the name and birth date agree closely and something
/// beyond them agrees too ([`death_corroborated`]): a wrong death flag cuts a
/// family's aid.
fn flags_death(status: NikStatus, c: &Cand, cp: &CivilPerson, death_threshold: f64) -> bool {
    let close = status == NikStatus::Padan
        || (c.v[F_NAME] <= 3 && c.v[F_DOB] <= 2 && death_corroborated(&c.v));
    deceased(cp) && c.p >= death_threshold && close
}

/// The civil resident's NIK, when the row is not `PADAN` and carries another one.
fn proposed_nik(
    status: NikStatus,
    p: &RegistryPerson,
    civil: Option<&CivilPerson>,
) -> Option<String> {
    let own = p.nik.valid().map_or(0, |n| n.as_u64());
    match (status, civil) {
        (NikStatus::Padan, _) | (_, None) => None,
        (_, Some(c)) => (c.nik.as_u64() != own).then(|| c.nik.to_string()),
    }
}

/// The action rule: propose deleting a row of a deceased or moved person or
/// a duplicate of a kept row; correcting a row whose NIK is not `PADAN`,
/// whose NIK should change or disagrees with the row, or whose fields differ
/// from the civil record; otherwise keep it.
fn action(
    flags: &[Flag],
    status: NikStatus,
    proposes_nik: bool,
    duplicate_of_other: bool,
    differs: bool,
) -> Action {
    if flags.contains(&Flag::Meninggal) || flags.contains(&Flag::Pindah) || duplicate_of_other {
        Action::Hapus
    } else if status != NikStatus::Padan
        || proposes_nik
        || flags.contains(&Flag::NikBedaIdentitas)
        || differs
    {
        Action::Perbaiki
    } else {
        Action::Tetap
    }
}

/// Whether a match that would flag a person as deceased is backed by more
/// than the name, the birth date and a NIK a digit or two away: a mother's
/// name, birthplace, address, village or district, or No KK that agrees.
/// Those three can all agree by coincidence in a large population, because
/// the NIK repeats the birth date and most serials are 0001: a namesake born
/// the same day in a district whose code differs by one digit looks like a
/// typo (seen at 1 million people). Outside `PADAN` a death flag needs this.
fn death_corroborated(v: &Vector) -> bool {
    v[F_MOTHER] <= 1 || v[F_PLACE] <= 1 || v[F_ADDR] <= 1 || v[F_REGION] <= 1 || v[F_KK] == 0
}

/// Whether two names read the same to an operator: [`plain_name`] of both
/// equal, without building either (most matched rows' names are the same,
/// and this runs for every row with a civil record, twice).
fn same_plain_name(a: &str, b: &str) -> bool {
    let upper = |t: &str| t.chars().flat_map(char::to_uppercase).collect::<String>();
    let (mut x, mut y) = (a.split_whitespace(), b.split_whitespace());
    loop {
        match (x.next(), y.next()) {
            (None, None) => return true,
            (Some(s), Some(t)) => {
                let same = if s.is_ascii() && t.is_ascii() {
                    s.eq_ignore_ascii_case(t)
                } else {
                    upper(s) == upper(t)
                };
                if !same {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

/// Upper case with single spaces, the way an operator compares names by eye.
fn plain_name(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase()
}

/// Whether two village codes are the same place under an older and a newer
/// code (a region split or renumbered), judged by the village names.
fn same_place_renamed(a: RegionCode, b: RegionCode) -> bool {
    let idx = regions();
    let (Some(x), Some(y)) = (idx.get(a), idx.get(b)) else {
        return false;
    };
    (!x.is_current() || !y.is_current())
        && a.province() == b.province()
        && padu_core::region::fold_name(&x.name) == padu_core::region::fold_name(&y.name)
}

/// Whether a civil domicile is in another regency/city than the registry row.
fn moved(row: RegionCode, civil: RegionCode) -> bool {
    row.regency() != civil.regency() && !same_place_renamed(row, civil)
}

fn regency_name(code: RegionCode) -> String {
    code.regency()
        .and_then(|r| regions().get(r))
        .map_or_else(|| code.to_string(), |i| i.name.clone())
}

fn ddmmyyyy(d: NaiveDate) -> String {
    d.format("%d-%m-%Y").to_string()
}

/// Everything the final row needs, gathered for the sentence builder.
struct Facts<'a> {
    /// The registry row.
    person: &'a RegistryPerson,
    /// Its link.
    link: &'a Link,
    /// The matched civil resident.
    civil: Option<&'a CivilPerson>,
    /// Flags set.
    flags: &'a [Flag],
    /// Proposed NIK.
    nik_usulan: Option<&'a str>,
    /// The kept row of its duplicate group, when it is not this row.
    kept: Option<&'a str>,
    /// Whether this row is the kept row of a duplicate group.
    is_kept: bool,
    /// The action.
    action: Action,
}

/// Field corrections the civil record asks for: (field, civil value, row value).
fn corrections(p: &RegistryPerson, c: &CivilPerson) -> Vec<(&'static str, String, String)> {
    let mut out = Vec::new();
    if !same_plain_name(&p.nama, &c.nama) {
        out.push(("nama", plain_name(&c.nama), plain_name(&p.nama)));
    }
    if p.tgl_lahir != c.tgl_lahir {
        out.push((
            "tanggal lahir",
            ddmmyyyy(c.tgl_lahir),
            ddmmyyyy(p.tgl_lahir),
        ));
    }
    if p.jenis_kelamin != c.jenis_kelamin {
        out.push((
            "jenis kelamin",
            c.jenis_kelamin.to_string(),
            p.jenis_kelamin.to_string(),
        ));
    }
    out
}

/// One Indonesian sentence naming what was found and what to do.
fn keterangan(f: &Facts<'_>) -> String {
    let mut parts: Vec<String> = Vec::new();
    let found_elsewhere = f.civil.is_some() && f.link.status != NikStatus::Padan;
    parts.push(match (&f.link.status, &f.person.nik) {
        (NikStatus::Padan, _) => "NIK padan".to_string(),
        (NikStatus::TidakPadan, _) => {
            "NIK terdaftar di Dukcapil atas identitas orang lain".to_string()
        }
        (NikStatus::NikTidakDitemukan, _) => "NIK tidak ditemukan di Dukcapil".to_string(),
        (NikStatus::TanpaNik, IdField::Invalid(_)) => {
            "NIK berisi kode pengganti survei (tanpa NIK)".to_string()
        }
        (NikStatus::TanpaNik, _) => "tanpa NIK".to_string(),
        (NikStatus::NikTidakValid, IdField::Invalid(bad)) => {
            format!("NIK tidak valid ({})", bad.error.message(Lang::Id))
        }
        (NikStatus::NikTidakValid, _) => "NIK tidak valid".to_string(),
    });
    if found_elsewhere {
        match f.nik_usulan {
            Some(n) => parts.push(format!(
                "orang ini ditemukan di Dukcapil dengan NIK {n}, perbaiki NIK"
            )),
            None => parts.push("orang ini ditemukan di Dukcapil".to_string()),
        }
    } else if f.link.rivals > 0 {
        parts.push(format!(
            "{} penduduk Dukcapil sama cocoknya dengan baris ini sehingga tidak ada NIK yang \
             diusulkan; periksa dokumen kependudukannya",
            f.link.rivals + 1
        ));
    } else if f.link.status != NikStatus::Padan {
        parts.push("tidak ditemukan padanan di Dukcapil".to_string());
    }
    if let Some(c) = f.civil {
        for (field, civ, row) in corrections(f.person, c) {
            parts.push(format!(
                "{field} di Dukcapil tertulis {civ}, perbaiki dari {row}"
            ));
        }
    }
    if f.flags.contains(&Flag::NikBedaIdentitas)
        && let Some(n) = f.person.nik.valid()
    {
        for m in n.cross_check(f.person.tgl_lahir, f.person.jenis_kelamin) {
            parts.push(m.message(Lang::Id));
        }
    }
    if f.flags.contains(&Flag::Meninggal)
        && let Some(c) = f.civil
    {
        match c.tgl_meninggal {
            Some(d) => parts.push(format!(
                "tercatat meninggal di Dukcapil pada {}",
                ddmmyyyy(d)
            )),
            None => parts.push("tercatat meninggal di Dukcapil".to_string()),
        }
    }
    if f.flags.contains(&Flag::Pindah)
        && let Some(c) = f.civil
    {
        parts.push(format!(
            "domisili di Dukcapil sudah pindah ke {}",
            regency_name(c.kode_wilayah)
        ));
    }
    if let Some(k) = f.kept {
        parts.push(format!("data ganda dengan id_art {k} yang dipertahankan"));
    } else if f.is_kept {
        parts.push("data ganda; baris ini dipertahankan sebagai data utama".to_string());
    }
    match f.action {
        Action::Hapus => parts.push("usulkan hapus".to_string()),
        Action::Tetap if parts.len() == 1 => parts.push("data sesuai".to_string()),
        _ => {}
    }
    let mut s = parts.join("; ");
    if let Some(first) = s.get(..1) {
        let up = first.to_uppercase();
        s.replace_range(..1, &up);
    }
    s.push('.');
    s
}

/// Whether the civil resident is recorded as deceased.
fn deceased(c: &CivilPerson) -> bool {
    c.status_hidup == LifeStatus::Meninggal
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::MISSING;
    use crate::testkit::levels as vector;

    #[test]
    fn a_death_flag_outside_padan_needs_evidence_beyond_name_date_and_a_near_nik() {
        // Same name and date, NIK one digit off, everything else different
        // (or missing): a namesake, not enough to cut aid.
        let mut v = vector(0, 0, 0, 1);
        // The last ("beda") level of each field; the birthplace is missing.
        (v[F_MOTHER], v[F_PLACE], v[F_ADDR], v[F_REGION], v[F_KK]) = (3, MISSING, 2, 3, 1);
        assert!(!death_corroborated(&v));
        for (f, agree) in [
            (F_MOTHER, 0),
            (F_PLACE, 1),
            (F_ADDR, 0),
            (F_REGION, 1),
            (F_KK, 0),
        ] {
            let mut w = v;
            w[f] = agree;
            assert!(death_corroborated(&w), "field {f}");
        }
    }

    #[test]
    fn a_move_is_a_different_regency_not_a_different_village() {
        let c = |s: &str| RegionCode::parse(s).unwrap();
        assert!(!moved(c("32.73.01.1001"), c("32.73.02.1001")));
        assert!(moved(c("32.73.01.1001"), c("32.01.01.1001")));
        // The same village under its retired and its current code.
        assert!(!moved(c("14.07.08.2007"), c("14.09.05.2012")));
    }

    #[test]
    fn names_compare_as_an_operator_reads_them() {
        assert_eq!(plain_name("  siti   Aminah "), "SITI AMINAH");
    }

    proptest::proptest! {
        /// Two names read the same exactly when their plain forms are equal.
        #[test]
        fn same_plain_name_is_equality_of_plain_names(
            a in "[ a-cA-CéÉß\\t]{0,8}",
            b in "[ a-cA-CéÉß\\t]{0,8}",
        ) {
            proptest::prop_assert_eq!(same_plain_name(&a, &b), plain_name(&a) == plain_name(&b));
        }
    }

    #[test]
    fn same_plain_name_ignores_case_and_spacing_only() {
        assert!(same_plain_name(" siti  aminah", "SITI AMINAH "));
        assert!(!same_plain_name("SITI AMINAH", "SITI AMINA"));
        assert!(!same_plain_name("SITI", "SITI AMINAH"));
        assert!(same_plain_name("JOSÉ", "josé"));
    }
}
