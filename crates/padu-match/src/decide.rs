//! Linking each registry row to the civil registry and deciding its result:
//! NIK status, flags, proposed NIK, action and the explanation sentence.

use chrono::NaiveDate;
use padu_core::lang::Localized;
use padu_core::{
    Action, CivilPerson, Flag, IdField, Lang, LifeStatus, NikError, NikStatus, RegionCode,
    RegistryPerson, regions,
};

use crate::compare::{
    F_ADDR, F_DOB, F_KK, F_MOTHER, F_NAME, F_NIK, F_PLACE, F_REGION, F_SEX, Vector, compare_all,
};
use crate::prepare::Prepared;
use crate::score::Model;

/// A scored civil candidate of one registry row.
#[derive(Debug, Clone, Copy)]
pub struct Cand {
    /// Civil index.
    pub civ: u32,
    /// Comparison levels.
    pub v: Vector,
    /// Match probability with every field.
    pub p: f64,
    /// The same as log2 odds: probabilities saturate at 1.0 in floating point,
    /// so candidates are ranked by this.
    pub w: f64,
}

/// How a row relates to the civil registry, before flags and duplicates.
#[derive(Debug, Clone)]
pub struct Link {
    /// NIK status.
    pub status: NikStatus,
    /// The civil resident the decision is about (the NIK holder for PADAN, the
    /// confident best match otherwise).
    pub matched: Option<Cand>,
    /// Score to report.
    pub skor: Option<f64>,
    /// The NIK's holder when the NIK exists but belongs to someone else.
    pub holder: Option<u32>,
}

/// Decision thresholds.
#[derive(Debug, Clone, Copy)]
pub struct Thresholds {
    /// Minimum match probability to use a civil resident.
    pub link: f64,
    /// Minimum probability for the MENINGGAL flag.
    pub death: f64,
}

/// Whether a comparison carries enough evidence about the person themselves
/// (not only their household) to link them.
///
/// Address, region, No KK and mother's name are shared by a whole household,
/// so Fellegi-Sunter's independence assumption overcounts them: a spouse or
/// sibling of a person missing from Dukcapil would otherwise score as a match.
/// The name must still be recognisable and the birth date at most in the
/// same year, unless a near-identical NIK vouches for one of the two.
/// A NIK one digit away is weak evidence on its own (children born in the
/// same month in one district differ by one digit), so it only excuses a
/// birth date further off; a sex mismatch needs a near-identical name and date.
pub fn linkable(v: &Vector) -> bool {
    let name_ok = v[F_NAME] <= 4;
    let dob_ok = v[F_DOB] <= 3 || v[F_NIK] <= 2;
    let sex_ok = v[F_SEX] == 0 || (v[F_NAME] <= 2 && v[F_DOB] <= 2);
    name_ok && dob_ok && sex_ok
}

/// Whether a match that would flag a person as deceased is backed by more
/// than the name, the birth date and a NIK a digit or two away: a mother's
/// name, birthplace, address, village or district, or No KK that agrees.
/// Those three can all agree by coincidence in a large population, because
/// the NIK repeats the birth date and most serials are 0001: a namesake born
/// the same day in a district whose code differs by one digit looks like a
/// typo (seen at 1 million people). Outside `PADAN` a death flag needs this.
pub fn death_corroborated(v: &Vector) -> bool {
    v[F_MOTHER] <= 1 || v[F_PLACE] <= 1 || v[F_ADDR] <= 1 || v[F_REGION] <= 1 || v[F_KK] == 0
}

/// The identity evidence (name, birth date, sex) in log2 odds.
fn identity_weight(ctx: &Prepared, model: &Model, v: &Vector, i: usize) -> f64 {
    [F_NAME, F_DOB, F_SEX]
        .iter()
        .map(|&f| model.field_weight(ctx, f, v, &ctx.reg[i]))
        .sum()
}

/// Links one registry row.
pub fn link(
    ctx: &Prepared,
    model: &Model,
    person: &RegistryPerson,
    i: usize,
    cands: &[Cand],
    holder: Option<u32>,
    th: Thresholds,
) -> Link {
    let best_other = |exclude: Option<u32>| {
        cands
            .iter()
            .filter(|c| Some(c.civ) != exclude && linkable(&c.v))
            .copied()
            .max_by(|a, b| a.w.total_cmp(&b.w))
            .filter(|c| c.p >= th.link)
    };
    match &person.nik {
        IdField::Missing
        | IdField::Invalid {
            error: NikError::Placeholder(_),
            ..
        } => {
            let m = best_other(None);
            Link {
                status: NikStatus::TanpaNik,
                skor: m.map(|c| c.p),
                matched: m,
                holder: None,
            }
        }
        IdField::Invalid { .. } => {
            let m = best_other(None);
            Link {
                status: NikStatus::NikTidakValid,
                skor: m.map(|c| c.p),
                matched: m,
                holder: None,
            }
        }
        IdField::Valid(_) => match holder {
            None => {
                let m = best_other(None);
                Link {
                    status: NikStatus::NikTidakDitemukan,
                    skor: m.map(|c| c.p),
                    matched: m,
                    holder: None,
                }
            }
            Some(h) => {
                let r = &ctx.reg[i];
                let v = compare_all(ctx, r, &ctx.civil[h as usize]);
                let w = model.log_odds(ctx, &v, r, &[]);
                let p = Model::probability(w);
                let own = Cand { civ: h, v, p, w };
                let ident = identity_weight(ctx, model, &v, i);
                // Someone else fits the row much better without NIK evidence: the
                // NIK was copied from a relative or mistyped into another person's.
                let no_id = [F_NIK, F_KK];
                let own_lo = model.log_odds(ctx, &v, r, &no_id);
                let own_wo = Model::probability(own_lo);
                let beaten = cands.iter().any(|c| {
                    c.civ != h
                        && c.p >= th.link
                        && linkable(&c.v)
                        && (c.v[F_NAME], c.v[F_DOB]) < (v[F_NAME], v[F_DOB])
                        && model.log_odds(ctx, &c.v, r, &no_id) - own_lo > 5.0
                });
                // Strong evidence against the whole pair (a relative of the same name,
                // born decades apart) outweighs agreeing identity fields.
                if ident > 0.0 && !beaten && p >= 0.5 {
                    Link {
                        status: NikStatus::Padan,
                        matched: Some(own),
                        skor: Some(p),
                        holder: Some(h),
                    }
                } else {
                    let m = best_other(Some(h));
                    Link {
                        status: NikStatus::TidakPadan,
                        skor: Some(m.map_or(own_wo, |c| c.p)),
                        matched: m,
                        holder: Some(h),
                    }
                }
            }
        },
    }
}

/// Upper case with single spaces, the way an operator compares names by eye.
pub fn plain_name(s: &str) -> String {
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
pub fn moved(row: RegionCode, civil: RegionCode) -> bool {
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
pub struct Facts<'a> {
    /// The registry row.
    pub person: &'a RegistryPerson,
    /// Its link.
    pub link: &'a Link,
    /// The matched civil resident.
    pub civil: Option<&'a CivilPerson>,
    /// Flags set.
    pub flags: &'a [Flag],
    /// Proposed NIK.
    pub nik_usulan: Option<&'a str>,
    /// The kept row of its duplicate group, when it is not this row.
    pub kept: Option<&'a str>,
    /// Whether this row is the kept row of a duplicate group.
    pub is_kept: bool,
    /// The action.
    pub action: Action,
}

/// Field corrections the civil record asks for: (field, civil value, row value).
pub fn corrections(p: &RegistryPerson, c: &CivilPerson) -> Vec<(&'static str, String, String)> {
    let mut out = Vec::new();
    let (rn, cn) = (plain_name(&p.nama), plain_name(&c.nama));
    if rn != cn {
        out.push(("nama", cn, rn));
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
pub fn keterangan(f: &Facts<'_>) -> String {
    let mut parts: Vec<String> = Vec::new();
    let found_elsewhere = f.civil.is_some() && f.link.status != NikStatus::Padan;
    parts.push(match (&f.link.status, &f.person.nik) {
        (NikStatus::Padan, _) => "NIK padan".to_string(),
        (NikStatus::TidakPadan, _) => {
            "NIK terdaftar di Dukcapil atas identitas orang lain".to_string()
        }
        (NikStatus::NikTidakDitemukan, _) => "NIK tidak ditemukan di Dukcapil".to_string(),
        (NikStatus::TanpaNik, IdField::Invalid { .. }) => {
            "NIK berisi kode pengganti survei (tanpa NIK)".to_string()
        }
        (NikStatus::TanpaNik, _) => "tanpa NIK".to_string(),
        (NikStatus::NikTidakValid, IdField::Invalid { error, .. }) => {
            format!("NIK tidak valid ({})", error.message(Lang::Id))
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
pub fn deceased(c: &CivilPerson) -> bool {
    c.status_hidup == LifeStatus::Meninggal
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::{Level, MISSING, NF};

    fn vector(name: Level, dob: Level, sex: Level, nik: Level) -> Vector {
        let mut v = [0u8; NF];
        v[F_NAME] = name;
        v[F_DOB] = dob;
        v[F_SEX] = sex;
        v[F_NIK] = nik;
        v
    }

    #[test]
    fn household_agreement_alone_does_not_link() {
        // Different name and birth date: a spouse or sibling, however much else agrees.
        assert!(!linkable(&vector(5, 4, 0, 3)));
        // A recognisable name and a birth date in the same year links.
        assert!(linkable(&vector(3, 3, 0, MISSING)));
        // A birth date further off needs a near-identical NIK.
        assert!(!linkable(&vector(1, 4, 0, MISSING)));
        assert!(linkable(&vector(1, 4, 0, 1)));
        // A sex mismatch needs a near-identical name and date.
        assert!(!linkable(&vector(3, 0, 1, MISSING)));
        assert!(linkable(&vector(1, 0, 1, MISSING)));
    }

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
}
