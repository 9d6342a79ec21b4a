//! Stage *link*: each registry row's NIK status and the civil resident its
//! decision is about.
//!
//! A row needs only its own best candidates (already scored) and the civil
//! resident holding its NIK, so the stage partitions by registry row once the
//! scored pairs are shuffled by registry id and joined with the holders.

use padu_core::{IdField, NikError, NikStatus, RegistryPerson};
use rayon::prelude::*;

use crate::compare::{F_DOB, F_KK, F_NAME, F_NIK, F_SEX, Vector, compare_all};
use crate::prepare::{NONE, Prepared, Rec, id32};
use crate::score::{Cand, Model};

/// How a row relates to the civil registry, before flags and duplicates.
#[derive(Debug, Clone)]
pub(crate) struct Link {
    /// NIK status.
    pub(crate) status: NikStatus,
    /// The civil resident the decision is about (the NIK holder for PADAN, the
    /// confident best match otherwise).
    pub(crate) matched: Option<Cand>,
    /// Score to report.
    pub(crate) skor: Option<f64>,
    /// Other civil residents that fit the row as well as `matched` (see
    /// [`RIVAL_MARGIN`]). When there are any, the decision takes no civil
    /// resident for the row (no NIK proposed, no flag from Dukcapil), but
    /// `matched` still anchors deduplication: two rows whose best fits are
    /// different people are kept apart as before.
    pub(crate) rivals: u32,
}

/// How much more likely than every other candidate, in bits of log2 odds,
/// the best must be to be matched: 1 bit is twice as likely. Two namesakes
/// born on the same day, one in each of two districts, fit a row without
/// NIK and mother's name equally; proposing either one's NIK would be a
/// coin toss, and a wrong NIK proposed to an operator moves one person's
/// aid onto another.
pub(crate) const RIVAL_MARGIN: f64 = 1.0;

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
/// birth date further off. A sex mismatch needs the name and the date both
/// nearly identical, or one identical and the other still recognisable (a
/// name part dropped, or a date written as 1 January of the right year): a
/// wrong sex cell is a slip like any other, but it leaves only name and date
/// to tell the person from a sibling of the other sex.
pub(crate) fn linkable(v: &Vector) -> bool {
    let name_ok = v[F_NAME] <= 4;
    let dob_ok = v[F_DOB] <= 3 || v[F_NIK] <= 2;
    let (name, dob) = (v[F_NAME], v[F_DOB]);
    let sex_ok = v[F_SEX] == 0
        || (name <= 2 && dob <= 2)
        || (name <= 3 && dob == 0)
        || (name == 0 && dob <= 3);
    name_ok && dob_ok && sex_ok
}

/// The identity evidence (name, birth date, sex) in log2 odds.
fn identity_weight(ctx: &Prepared<'_>, model: &Model, v: &Vector, i: usize) -> f64 {
    [F_NAME, F_DOB, F_SEX]
        .iter()
        .map(|&f| model.field_weight(ctx, f, v, &ctx.reg[i]))
        .sum()
}

/// Links registry row `i`: its NIK status and the civil resident its
/// decision is about, from its best candidates and the civil holder of its
/// NIK (its id, as candidates name civil residents, and its record).
pub(crate) fn link_row(
    ctx: &Prepared<'_>,
    model: &Model,
    person: &RegistryPerson,
    i: usize,
    cands: &[Cand],
    holder: Option<(u32, &Rec)>,
    threshold: f64,
) -> Link {
    // A NIK that is nowhere in Dukcapil but repeats the row's birth date
    // wrote the date twice: a candidate born on another day of that year,
    // whose NIK is not nearly the row's either, disagrees with both writings
    // (a namesake in the same household, not the row's person).
    let twice_dated =
        matches!((&person.nik, holder), (IdField::Valid(_), None)) && ctx.reg[i].nik_repeats_dob;
    let dated_ok = |v: &Vector| !twice_dated || v[F_DOB] <= 2 || v[F_NIK] <= 2;
    // The best linkable candidate other than `exclude` at or above the
    // threshold, and how many others fit within [`RIVAL_MARGIN`] of it.
    let best_other = |exclude: Option<u32>| {
        let fits = |c: &&Cand| Some(c.civ) != exclude && linkable(&c.v) && dated_ok(&c.v);
        let best = cands
            .iter()
            .filter(fits)
            .copied()
            .max_by(|a, b| a.w.total_cmp(&b.w))
            .filter(|c| c.p >= threshold);
        let rivals = best.map_or(0, |b| {
            id32(
                cands
                    .iter()
                    .filter(fits)
                    .filter(|c| c.civ != b.civ && b.w - c.w < RIVAL_MARGIN)
                    .count(),
            )
        });
        (best, rivals)
    };
    let by_candidates = |status| {
        let (m, rivals) = best_other(None);
        Link {
            status,
            // The score of the resident the decision takes: none with rivals.
            skor: m.filter(|_| rivals == 0).map(|c| c.p),
            matched: m,
            rivals,
        }
    };
    let h = match (&person.nik, holder) {
        (IdField::Missing, _) => return by_candidates(NikStatus::TanpaNik),
        (IdField::Invalid(bad), _) if matches!(bad.error, NikError::Placeholder(_)) => {
            return by_candidates(NikStatus::TanpaNik);
        }
        (IdField::Invalid(_), _) => return by_candidates(NikStatus::NikTidakValid),
        (IdField::Valid(_), None) => return by_candidates(NikStatus::NikTidakDitemukan),
        (IdField::Valid(_), Some(h)) => h,
    };
    let (h, holder) = h;
    let r = &ctx.reg[i];
    let v = compare_all(ctx, r, holder);
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
            && c.p >= threshold
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
            rivals: 0,
        }
    } else {
        let (m, rivals) = best_other(Some(h));
        Link {
            status: NikStatus::TidakPadan,
            skor: Some(m.filter(|_| rivals == 0).map_or(own_wo, |c| c.p)),
            matched: m,
            rivals,
        }
    }
}

impl Link {
    /// The civil resident the decision takes for the row: `matched` unless
    /// it has rivals.
    pub(crate) fn decided(&self) -> Option<Cand> {
        self.matched.filter(|_| self.rivals == 0)
    }

    /// The linked civil resident, or [`NONE`]: the anchor deduplication starts from.
    pub(crate) fn anchor(&self) -> u32 {
        self.matched.map_or(NONE, |c| c.civ)
    }
}

/// The civil residents sorted by NIK, to find the holder of a registry row's NIK.
pub(crate) struct Holders(Vec<(u64, u32)>);

impl Holders {
    /// Indexes `civil` by NIK.
    pub(crate) fn new(civil: &[Rec]) -> Self {
        let mut by_nik: Vec<(u64, u32)> = civil
            .iter()
            .enumerate()
            .map(|(i, c)| (c.nik, id32(i)))
            .collect();
        by_nik.par_sort_unstable();
        Holders(by_nik)
    }

    /// The civil resident holding `nik` (0: no valid NIK, no holder).
    pub(crate) fn of(&self, nik: u64) -> Option<u32> {
        (nik != 0)
            .then(|| {
                let k = self.0.partition_point(|e| e.0 < nik);
                self.0.get(k).filter(|e| e.0 == nik).map(|e| e.1)
            })
            .flatten()
    }
}

/// Links every registry row, input order; `scored` holds each row's best
/// candidates and `threshold` is the match probability a candidate needs.
pub(crate) fn link(
    ctx: &Prepared<'_>,
    model: &Model,
    registry: &[RegistryPerson],
    scored: &[Vec<Cand>],
    threshold: f64,
) -> Vec<Link> {
    let holders = Holders::new(ctx.civil);
    (0..registry.len())
        .into_par_iter()
        .map(|i| {
            let holder = holders
                .of(ctx.reg[i].nik)
                .map(|h| (h, &ctx.civil[h as usize]));
            link_row(ctx, model, &registry[i], i, &scored[i], holder, threshold)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::MISSING;
    use crate::testkit::levels as vector;

    /// A model where every field level is as likely among matches as among
    /// non-matches: the tests give candidates' weights themselves.
    fn even_model() -> Model {
        use crate::compare::NF;
        use crate::score::{ML, UProbs};
        let even = [[0.5; ML]; NF];
        let u = UProbs {
            field: even,
            nik_given_dob: [0.5; ML],
        };
        Model::new(even, u, 0.5, 1.0, 0)
    }

    /// A NIK nowhere in Dukcapil that repeats the row's date column keeps a
    /// candidate born on another day of that year from being proposed,
    /// however well the household agrees; a NIK that repeats another date
    /// (a relative's) vouches for nothing.
    #[test]
    fn a_nik_of_nobody_that_repeats_the_date_turns_away_a_candidate_born_another_day() {
        use crate::prepare::{CivilSide, Exec};
        let registry = crate::testkit::registry(
            "id_art|nik|nama|jenis_kelamin|tgl_lahir|kode_wilayah
             T1|6203076705650001|THE BENG GIOK|L|1965-05-27|62.03.07.2016
             T2|6203071706400001|THE BENG GIOK|L|1965-05-27|62.03.07.2016",
        );
        let side = CivilSide::prepare(&[]);
        let ctx = side.registry(&registry, Exec::Parallel);
        let model = even_model();
        // Same name and household, born in December of the same year.
        let mut v = vector(0, 3, 0, 5);
        (v[F_KK], v[crate::compare::F_ADDR]) = (0, 0);
        let cands = [Cand {
            civ: 0,
            v,
            p: 1.0,
            w: 30.0,
        }];
        let linked = |i: usize| {
            link_row(&ctx, &model, &registry[i], i, &cands, None, 0.9)
                .matched
                .is_some()
        };
        assert!(!linked(0), "the NIK repeats 27-05-65");
        assert!(linked(1), "the NIK says 17-06-40");
        // A day off, or a NIK one digit away, still links.
        let cands = [Cand {
            v: vector(0, 2, 0, 5),
            ..cands[0]
        }];
        assert!(
            link_row(&ctx, &model, &registry[0], 0, &cands, None, 0.9)
                .matched
                .is_some()
        );
    }

    /// A candidate as likely as the best, or more than half as likely,
    /// leaves the row without a decided match but keeps the best as the
    /// deduplication anchor; one a bit and a half behind does not.
    #[test]
    fn a_rival_within_a_bit_of_the_best_leaves_the_row_undecided() {
        use crate::prepare::{CivilSide, Exec};
        let registry = crate::testkit::registry(
            "id_art|nama|jenis_kelamin|tgl_lahir|kode_wilayah
             T1|SITI ROHMAH|P|1990-03-15|32.76.05.1008",
        );
        let side = CivilSide::prepare(&[]);
        let ctx = side.registry(&registry, Exec::Parallel);
        let model = even_model();
        let cand = |civ: u32, w: f64| Cand {
            civ,
            v: vector(0, 0, 0, MISSING),
            p: Model::probability(w),
            w,
        };
        let link = |cands: &[Cand]| link_row(&ctx, &model, &registry[0], 0, cands, None, 0.9);
        let tied = link(&[cand(0, 9.0), cand(1, 9.0)]);
        assert_eq!(tied.rivals, 1);
        assert!(tied.decided().is_none());
        assert_eq!(tied.anchor(), 1, "the last of equals, as before");
        let close = link(&[cand(0, 9.0), cand(1, 8.2), cand(2, 3.0)]);
        assert_eq!((close.rivals, close.anchor()), (1, 0));
        let clear = link(&[cand(0, 9.0), cand(1, 7.5)]);
        assert_eq!(clear.rivals, 0);
        assert_eq!(clear.decided().map(|c| c.civ), Some(0));
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
        // A sex mismatch needs a near-identical name and date, or one
        // identical and the other recognisable.
        assert!(linkable(&vector(1, 2, 1, MISSING)));
        assert!(linkable(&vector(3, 0, 1, MISSING)));
        assert!(linkable(&vector(0, 3, 1, MISSING)));
        assert!(!linkable(&vector(3, 1, 1, MISSING)));
        assert!(!linkable(&vector(1, 3, 1, MISSING)));
        assert!(!linkable(&vector(4, 0, 1, MISSING)));
    }
}
