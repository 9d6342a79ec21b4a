//! Fellegi-Sunter scoring: per-field match weights learnt from the data.
//!
//! u-probabilities (how often a level occurs between two different people)
//! come from random pairs; m-probabilities (how often it occurs for the same
//! person) are estimated by EM on the candidate pairs, starting from
//! generic values. A name match is worth less when the name is common in the
//! civil registry (term-frequency adjustment).

use chrono::Datelike;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::MatchConfig;
use crate::compare::{
    F_DOB, F_NAME, F_NIK, F_SEX, MISSING, NF, Vector, compare_all, level_counts, pack, unpack, warm,
};
use crate::hash::FxMap;
use crate::prepare::{NONE, Prepared, Rec, id32};

/// Sampled pairs compared per batch whose records are read ahead together
/// ([`warm`]).
const WARM_BATCH: usize = 16;

/// Maximum number of levels of any field.
pub(crate) const ML: usize = 8;

/// A deterministic SplitMix64 generator: sampling must give the same model on every run.
#[derive(Debug, Clone)]
pub(crate) struct SplitMix(u64);

impl SplitMix {
    /// A generator from a seed.
    pub(crate) fn new(seed: u64) -> Self {
        SplitMix(seed)
    }
    /// The next 64 random bits.
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// A number in `0..n` (`n > 0`).
    #[expect(
        clippy::cast_possible_truncation,
        reason = "(x * n) >> 64 with x < 2^64 is below n, a usize"
    )]
    pub(crate) fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
}

/// u-probabilities: how often each level occurs between two different people.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UProbs {
    /// Per field and level, among random pairs.
    pub field: [[f64; ML]; NF],
    /// NIK levels among random pairs born on the same day with the same sex.
    ///
    /// A NIK repeats the birth date (and sex) in its middle six digits, and
    /// serials count up from 0001 per district and date, so two different
    /// people born on the same day often hold NIKs one digit apart. Used
    /// for pairs whose birth date and sex agree, so the NIK counts only
    /// what it adds to them instead of counting the date twice (which flagged
    /// namesakes born the same day as the same person in a dense city).
    pub nik_given_dob: [f64; ML],
}

impl UProbs {
    /// The u row of field `f` for a pair with levels `v`.
    pub(crate) fn row(&self, f: usize, v: &Vector) -> &[f64; ML] {
        if f == F_NIK && nik_given_dob(v) {
            &self.nik_given_dob
        } else {
            &self.field[f]
        }
    }
}

/// Whether a pair's NIK is judged given its birth date: both agree on date and sex.
fn nik_given_dob(v: &Vector) -> bool {
    v[F_DOB] == 0 && v[F_SEX] == 0
}

/// The learnt model.
///
/// It serialises (with serde) to store the model of a full run and give it
/// to a [`crate::Verifier`] later. Deserialising reads the probabilities
/// and rebuilds the weight tables from them with the same arithmetic as
/// training, so a stored model scores exactly like the one learnt (as long
/// as the format keeps every `f64` exact, which JSON through `serde_json`
/// does: padu-match turns on its `float_roundtrip` parsing).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "Learnt")]
pub struct Model {
    /// P(level | same person), per field and level.
    pub m: [[f64; ML]; NF],
    /// P(level | different people).
    pub u: UProbs,
    /// Prior probability that a candidate pair is a match.
    pub lambda: f64,
    /// Number of civil residents (for name frequencies).
    pub n_civil: f64,
    /// EM iterations run.
    pub iterations: usize,
    /// `log2(m / u)` per field and level, precomputed for the hot loop.
    pub table: [[f64; ML]; NF],
    /// The same for the NIK given the birth date ([`UProbs::nik_given_dob`]).
    pub nik_given_dob_table: [f64; ML],
}

/// What a [`Model`] is learnt as: everything but the weight tables, which
/// [`Model::new`] derives.
#[derive(Deserialize)]
struct Learnt {
    m: [[f64; ML]; NF],
    u: UProbs,
    lambda: f64,
    n_civil: f64,
    iterations: usize,
}

impl From<Learnt> for Model {
    fn from(l: Learnt) -> Model {
        Model::new(l.m, l.u, l.lambda, l.n_civil, l.iterations)
    }
}

/// Records of the right side kept for drawing same-day partners.
const PARTNER_POOL: usize = 250_000;

/// Chunks a sample is drawn in, each from its own deterministic stream (the
/// engine compares them in parallel; the draws do not depend on threads).
const CHUNKS: usize = 64;

/// The stream of chunk `c` of a sample seeded with `seed`.
fn chunk_rng(seed: u64, c: usize) -> SplitMix {
    SplitMix::new(seed ^ (c as u64).wrapping_mul(0x1234_5678_9abc_def1))
}

/// The random pairs behind the u-probabilities: `samples` (rounded up to
/// whole chunks) pairs `(left, right)` of indices drawn uniformly, a
/// function of the two sides' sizes and the seed only.
pub(crate) fn random_pairs(
    n_left: usize,
    n_right: usize,
    samples: usize,
    seed: u64,
) -> Vec<(u32, u32)> {
    if n_left == 0 || n_right == 0 {
        return Vec::new();
    }
    let per = samples.div_ceil(CHUNKS);
    (0..CHUNKS)
        .flat_map(|c| {
            let mut rng = chunk_rng(seed, c);
            (0..per).map(move |_| {
                let a = rng.below(n_left);
                let b = rng.below(n_right);
                (id32(a), id32(b))
            })
        })
        .collect()
}

/// The right side's records a same-day partner is drawn from: all of them
/// when they are few, else a uniform sample (sorting all of a national
/// extract would cost more than the sampling it serves).
pub(crate) fn partner_pool(n_right: usize, seed: u64) -> Vec<u32> {
    let mut rng = SplitMix::new(seed ^ 0x5a4d);
    (0..n_right.min(PARTNER_POOL))
        .map(|k| {
            id32(if n_right <= PARTNER_POOL {
                k
            } else {
                rng.below(n_right)
            })
        })
        .collect()
}

/// A same-day draw's stream: it draws a left record, then a partner among
/// the pool's records born on its day with its sex.
fn same_day_seed(seed: u64) -> u64 {
    seed ^ 0xd0b0
}

/// The left records a same-day sample draws, in draw order: each draw takes
/// two numbers from its stream whatever the data, the first naming the left
/// record, so these are known before any record is read.
pub(crate) fn same_day_left(n_left: usize, samples: usize, seed: u64) -> Vec<u32> {
    if n_left == 0 {
        return Vec::new();
    }
    let per = (samples / 4).div_ceil(CHUNKS);
    (0..CHUNKS)
        .flat_map(|c| {
            let mut rng = chunk_rng(same_day_seed(seed), c);
            (0..per).map(move |_| {
                let a = rng.below(n_left);
                rng.below(1);
                id32(a)
            })
        })
        .collect()
}

/// A record's day of birth and sex, as the same-day draw matches them.
pub(crate) type Day = (i32, u8);

/// The day of a prepared record.
fn day_of(r: &Rec) -> Day {
    (r.dob.num_days_from_ce(), r.sex as u8)
}

/// The same-day pairs of a sample: per draw, the left record (`left_day`
/// gives its day) and a partner drawn from `pool` (`(day, index)` of each
/// pool record) born the same day with the same sex; a draw with nobody
/// born that day, or (`same_side`: the registry against itself) that drew
/// the record itself, is dropped.
pub(crate) fn same_day_pairs(
    n_left: usize,
    samples: usize,
    seed: u64,
    left_day: impl Fn(u32) -> Day,
    pool: impl IntoIterator<Item = (Day, u32)>,
    same_side: bool,
) -> Vec<(u32, u32)> {
    if n_left == 0 {
        return Vec::new();
    }
    let mut by_day: Vec<(i32, u8, u32)> = pool.into_iter().map(|(d, i)| (d.0, d.1, i)).collect();
    if by_day.is_empty() {
        return Vec::new();
    }
    by_day.par_sort_unstable();
    let per = (samples / 4).div_ceil(CHUNKS);
    let mut out = Vec::new();
    for c in 0..CHUNKS {
        let mut rng = chunk_rng(same_day_seed(seed), c);
        for _ in 0..per {
            let a = id32(rng.below(n_left));
            let key = left_day(a);
            let lo = by_day.partition_point(|e| (e.0, e.1) < key);
            let hi = by_day.partition_point(|e| (e.0, e.1) <= key);
            let pick = lo + rng.below((hi - lo).max(1));
            let Some(&(_, _, b)) = by_day.get(pick) else {
                continue;
            };
            if hi > lo && !(same_side && a == b) {
                out.push((a, b));
            }
        }
    }
    out
}

/// Frequencies of each level among random pairs of `left` x `right`, and of
/// the NIK levels among random pairs born on the same day with the same sex.
fn estimate_u(
    ctx: &Prepared<'_>,
    left: &[Rec],
    right: &[Rec],
    samples: usize,
    seed: u64,
) -> UProbs {
    if left.is_empty() || right.is_empty() {
        return default_u();
    }
    let same_side = std::ptr::eq(left, right);
    let compare = |pairs: Vec<(u32, u32)>| -> Patterns {
        pairs
            .par_chunks(WARM_BATCH)
            .fold(Patterns::default, |mut m, batch| {
                let recs = batch
                    .iter()
                    .flat_map(|&(a, b)| [&left[a as usize], &right[b as usize]]);
                warm(ctx, recs);
                for &(a, b) in batch {
                    let v = compare_all(ctx, &left[a as usize], &right[b as usize]);
                    *m.entry(pack(&v)).or_insert(0) += 1;
                }
                m
            })
            .reduce(Patterns::default, |mut a, b| {
                for (k, v) in b {
                    *a.entry(k).or_insert(0) += v;
                }
                a
            })
    };
    let random = compare(random_pairs(left.len(), right.len(), samples, seed));
    let pool = partner_pool(right.len(), seed)
        .into_iter()
        .map(|i| (day_of(&right[i as usize]), i));
    let same_day = compare(same_day_pairs(
        left.len(),
        samples,
        seed,
        |a| day_of(&left[a as usize]),
        pool,
        same_side,
    ));
    u_from(&random, &same_day)
}

/// The u-probabilities from the pattern counts of the random pairs and of
/// the same-day pairs.
pub(crate) fn u_from(random: &Patterns, same_day: &Patterns) -> UProbs {
    UProbs {
        field: frequencies(random),
        nik_given_dob: frequencies(same_day)[F_NIK],
    }
}

/// Level frequencies over the pairs counted in `patterns`, smoothed.
fn frequencies(patterns: &Patterns) -> [[f64; ML]; NF] {
    let mut counts = [[0u64; ML]; NF];
    for (&p, &n) in patterns {
        for (f, &l) in unpack(p).iter().enumerate() {
            if l != MISSING {
                counts[f][l as usize] += n;
            }
        }
    }
    let lc = level_counts();
    let mut u = [[0.0; ML]; NF];
    for f in 0..NF {
        let tot: u64 = counts[f].iter().sum();
        for l in 0..lc[f] {
            // Half a count of smoothing keeps unseen agreement levels finite but rare.
            u[f][l] = (counts[f][l] as f64 + 0.5) / (tot as f64 + 0.5 * lc[f] as f64);
        }
    }
    u
}

/// Generic u-probabilities, used only when there is nothing to sample.
pub(crate) fn default_u() -> UProbs {
    let lc = level_counts();
    let mut u = [[0.0; ML]; NF];
    for f in 0..NF {
        let n = lc[f];
        for (l, x) in u[f].iter_mut().take(n).enumerate() {
            *x = if l + 1 == n {
                0.9
            } else {
                0.1 / (n - 1) as f64
            };
        }
    }
    UProbs {
        field: u,
        nik_given_dob: u[F_NIK],
    }
}

/// Starting m-probabilities: most mass on agreement, decaying per level.
fn initial_m() -> [[f64; ML]; NF] {
    let lc = level_counts();
    let mut m = [[0.0; ML]; NF];
    for f in 0..NF {
        let n = lc[f];
        let mut rest = 1.0;
        for (l, x) in m[f].iter_mut().take(n).enumerate() {
            let p = if l + 1 == n { rest } else { rest * 0.85 };
            *x = p;
            rest -= p;
        }
    }
    m
}

/// Counts of each distinct comparison pattern, the input to EM.
pub(crate) type Patterns = FxMap<u64, u64>;

/// Which fields an EM session estimates and which it ignores.
#[derive(Debug, Clone, Copy)]
struct Session {
    /// Fields whose m-probabilities are re-estimated.
    fit: [bool; NF],
    /// Fields treated as missing (typically the ones the session's pairs were selected on).
    ignore: [bool; NF],
}

impl Session {
    /// Estimate every field except `ignored`, which are left out entirely.
    fn all_but(ignored: &[usize]) -> Self {
        let ignore = std::array::from_fn(|f| ignored.contains(&f));
        Session {
            fit: ignore.map(|i| !i),
            ignore,
        }
    }
    /// Estimate nothing but the prior.
    fn prior_only() -> Self {
        Session {
            fit: [false; NF],
            ignore: [false; NF],
        }
    }
}

/// Runs EM on pattern counts with `u` fixed; returns m, the prior and the iterations run.
///
/// The sessions follow the usual remedy for EM on blocked pairs: non-matches
/// that share a blocking key are not random, so m for a field is estimated on
/// pairs selected by the *other* fields (e.g. name and birth date are learnt on
/// pairs with the same NIK), where the match class is unambiguous.
fn em(
    patterns: &Patterns,
    u: &UProbs,
    m0: [[f64; ML]; NF],
    lambda0: f64,
    session: Session,
    max_iter: usize,
) -> ([[f64; ML]; NF], f64, usize) {
    // In pattern order, not the map's: the map is merged from per-thread
    // parts, so its order (and with it every floating-point sum below, down
    // to the last bit of the prior) would depend on the number of threads.
    let mut ordered: Vec<(u64, u64)> = patterns.iter().map(|(&p, &c)| (p, c)).collect();
    ordered.sort_unstable();
    let pats: Vec<(Vector, f64)> = ordered
        .into_iter()
        .map(|(p, c)| (unpack(p), c as f64))
        .collect();
    let total: f64 = pats.iter().map(|p| p.1).sum();
    let lc = level_counts();
    let mut m = m0;
    let mut lambda = lambda0.clamp(1e-6, 1.0 - 1e-6);
    if total == 0.0 {
        return (m, lambda, 0);
    }
    let mut iters = 0;
    for _ in 0..max_iter {
        iters += 1;
        let mut acc = [[0.0f64; ML]; NF];
        let mut matched = 0.0;
        for (v, c) in &pats {
            let (mut pm, mut pu) = (lambda, 1.0 - lambda);
            for f in 0..NF {
                let l = v[f];
                if l != MISSING && !session.ignore[f] {
                    pm *= m[f][l as usize].max(1e-12);
                    pu *= u.row(f, v)[l as usize].max(1e-12);
                }
            }
            let g = if pm + pu > 0.0 { pm / (pm + pu) } else { 0.0 };
            let w = g * c;
            matched += w;
            for f in 0..NF {
                let l = v[f];
                if l != MISSING {
                    acc[f][l as usize] += w;
                }
            }
        }
        let new_lambda = (matched / total).clamp(1e-6, 1.0 - 1e-6);
        let mut delta = (new_lambda - lambda).abs();
        lambda = new_lambda;
        for f in 0..NF {
            if !session.fit[f] {
                continue;
            }
            let s: f64 = acc[f][..lc[f]].iter().sum();
            if s <= 0.0 {
                continue;
            }
            for l in 0..lc[f] {
                // A small floor keeps a level that EM found empty from becoming an absolute veto.
                let nv = (acc[f][l] / s).max(1e-5);
                delta = delta.max((nv - m[f][l]).abs());
                m[f][l] = nv;
            }
        }
        if delta < 1e-7 {
            break;
        }
    }
    (m, lambda, iters)
}

/// Trains m-probabilities and the prior on candidate-pair patterns in sessions:
/// every field but NIK on pairs with the same NIK, NIK on pairs with the same
/// normalised name and birth date, then the prior on all pairs.
fn em_sessions(
    patterns: &Patterns,
    u: &UProbs,
    lambda0: f64,
    max_iter: usize,
) -> ([[f64; ML]; NF], f64, usize) {
    let select = |pred: &dyn Fn(&Vector) -> bool| -> Patterns {
        patterns
            .iter()
            .filter(|(p, _)| pred(&unpack(**p)))
            .map(|(&p, &c)| (p, c))
            .collect()
    };
    let mut m = initial_m();
    let by_nik = select(&|v| v[F_NIK] == 0);
    let (ma, _, ia) = em(&by_nik, u, m, 0.9, Session::all_but(&[F_NIK]), max_iter);
    m = ma;
    let by_name_dob = select(&|v| v[F_NAME] == 0 && v[F_DOB] == 0);
    let (mb, _, ib) = em(
        &by_name_dob,
        u,
        m,
        0.9,
        Session::all_but(&[F_NAME, F_DOB]),
        max_iter,
    );
    m[F_NIK] = mb[F_NIK];
    let (_, lambda, ic) = em(patterns, u, m, lambda0, Session::prior_only(), max_iter);
    (m, lambda, ia + ib + ic)
}

/// A starting prior: `expected` matches among `pairs` candidate pairs, or
/// `otherwise` when there are no pairs.
fn prior_guess(expected: f64, pairs: u64, otherwise: f64) -> f64 {
    if pairs == 0 {
        otherwise
    } else {
        (expected / pairs as f64).clamp(1e-4, 0.5)
    }
}

/// Stage *train*: the registry-civil model. u from random registry-civil
/// pairs, m and the prior by EM on the candidate `patterns` (of `pairs`
/// pairs), starting from one true match per registry row.
///
/// Its inputs are a sample of both sides and the pattern counts, which add
/// up across partitions; the model is small and broadcast to every scorer.
pub(crate) fn train(
    ctx: &Prepared<'_>,
    patterns: &Patterns,
    pairs: u64,
    cfg: &MatchConfig,
) -> Model {
    let u = estimate_u(ctx, &ctx.reg, ctx.civil, cfg.u_samples, cfg.seed);
    train_with(patterns, pairs, u, ctx.reg.len(), ctx.civil.len(), cfg)
}

/// The EM part of [`train`]: m and the prior from the candidate `patterns`
/// (of `pairs` pairs) with `u` fixed, for a registry of `n_registry` rows
/// and a civil extract of `n_civil` residents.
pub(crate) fn train_with(
    patterns: &Patterns,
    pairs: u64,
    u: UProbs,
    n_registry: usize,
    n_civil: usize,
    cfg: &MatchConfig,
) -> Model {
    let lambda0 = prior_guess(n_registry as f64, pairs, 0.1);
    let (m, lambda, iterations) = em_sessions(patterns, &u, lambda0, cfg.em_iterations);
    Model::new(m, u, lambda, n_civil as f64, iterations)
}

/// Stage *train* for deduplication: the registry-civil model's m, u from
/// random registry-registry pairs, and a prior learnt by EM on the
/// registry-registry `patterns` (of `pairs` pairs), starting from 2% of the
/// rows being duplicates.
pub(crate) fn train_dedup(
    ctx: &Prepared<'_>,
    link: &Model,
    patterns: &Patterns,
    pairs: u64,
    cfg: &MatchConfig,
) -> Model {
    let u = estimate_u(ctx, &ctx.reg, &ctx.reg, dedup_samples(cfg), dedup_seed(cfg));
    train_dedup_with(link, patterns, pairs, u, ctx.reg.len(), cfg)
}

/// The random pairs behind deduplication's u-probabilities.
pub(crate) fn dedup_samples(cfg: &MatchConfig) -> usize {
    cfg.u_samples / 2
}

/// The seed of deduplication's random pairs.
pub(crate) fn dedup_seed(cfg: &MatchConfig) -> u64 {
    cfg.seed ^ 0xd0d0
}

/// The EM part of [`train_dedup`], with `u` fixed, for a registry of
/// `n_registry` rows.
pub(crate) fn train_dedup_with(
    link: &Model,
    patterns: &Patterns,
    pairs: u64,
    u: UProbs,
    n_registry: usize,
    cfg: &MatchConfig,
) -> Model {
    let lambda0 = prior_guess(n_registry as f64 * 0.02, pairs, 0.01);
    let (_, lambda, _) = em(
        patterns,
        &u,
        link.m,
        lambda0,
        Session::prior_only(),
        cfg.em_iterations,
    );
    Model::new(link.m, u, lambda, link.n_civil, 0)
}

/// A scored candidate of one registry row.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cand {
    /// Index of the candidate on the other side.
    pub(crate) civ: u32,
    /// Comparison levels.
    pub(crate) v: Vector,
    /// Match probability with every field.
    pub(crate) p: f64,
    /// The same as log2 odds: probabilities saturate at 1.0 in floating point,
    /// so candidates are ranked by this.
    pub(crate) w: f64,
}

/// Stage *score*: every registry row's candidate pairs scored with the
/// (broadcast) model, the best `keep` first. Needs nothing but the pairs,
/// so each block partition can score its own.
pub(crate) fn score(
    ctx: &Prepared<'_>,
    model: &Model,
    lists: Vec<Vec<(u32, Vector)>>,
    keep: usize,
) -> Vec<Vec<Cand>> {
    lists
        .into_par_iter()
        .enumerate()
        .map(|(i, l)| best_candidates(ctx, model, &ctx.reg[i], l, keep))
        .collect()
}

/// One registry row's candidates scored, the best `keep` first (ties by index).
pub(crate) fn best_candidates(
    ctx: &Prepared<'_>,
    model: &Model,
    r: &Rec,
    list: Vec<(u32, Vector)>,
    keep: usize,
) -> Vec<Cand> {
    let mut v: Vec<Cand> = list
        .into_iter()
        .map(|(civ, vec)| {
            let w = model.log_odds(ctx, &vec, r, &[]);
            Cand {
                civ,
                v: vec,
                p: Model::probability(w),
                w,
            }
        })
        .collect();
    v.sort_unstable_by(|a, b| b.w.total_cmp(&a.w).then(a.civ.cmp(&b.civ)));
    v.truncate(keep);
    v
}

impl Model {
    /// A model from its probabilities, with the weight table filled in.
    pub(crate) fn new(
        m: [[f64; ML]; NF],
        u: UProbs,
        lambda: f64,
        n_civil: f64,
        iterations: usize,
    ) -> Self {
        let weight = |m: f64, u: f64| (m.max(1e-9) / u.max(1e-9)).log2();
        let table =
            std::array::from_fn(|f| std::array::from_fn(|l| weight(m[f][l], u.field[f][l])));
        let nik_given_dob_table = std::array::from_fn(|l| weight(m[F_NIK][l], u.nik_given_dob[l]));
        Model {
            m,
            u,
            lambda,
            n_civil,
            iterations,
            table,
            nik_given_dob_table,
        }
    }

    /// The match weight (log2 Bayes factor) of field `f` of a pair with
    /// levels `v`, with the name-frequency adjustment for an exact name match
    /// and the NIK judged given the birth date where date and sex agree.
    pub(crate) fn field_weight(&self, ctx: &Prepared<'_>, f: usize, v: &Vector, a: &Rec) -> f64 {
        let l = v[f];
        if l == MISSING {
            return 0.0;
        }
        if f == F_NIK && nik_given_dob(v) {
            return self.nik_given_dob_table[l as usize];
        }
        if f == F_NAME && l == 0 && a.name != NONE && self.n_civil > 0.0 {
            let n = ctx
                .civil_name_count
                .get(a.name as usize)
                .copied()
                .unwrap_or(0)
                .max(1);
            let m = self.m[f][0].max(1e-9);
            return (m * self.n_civil / n as f64).log2();
        }
        self.table[f][l as usize]
    }

    /// Per-field weights of a comparison vector.
    pub(crate) fn weights(&self, ctx: &Prepared<'_>, v: &Vector, a: &Rec) -> [f64; NF] {
        let mut w = [0.0; NF];
        for (f, x) in w.iter_mut().enumerate() {
            *x = self.field_weight(ctx, f, v, a);
        }
        w
    }

    /// Prior log2 odds.
    pub fn prior(&self) -> f64 {
        (self.lambda / (1.0 - self.lambda)).log2()
    }

    /// Match probability from a total weight (prior included by the caller).
    pub fn probability(log2_odds: f64) -> f64 {
        1.0 / (1.0 + (-log2_odds).exp2())
    }

    /// Log2 odds of a vector, prior included; `skip` lists fields to ignore.
    pub(crate) fn log_odds(&self, ctx: &Prepared<'_>, v: &Vector, a: &Rec, skip: &[usize]) -> f64 {
        let mut s = self.prior();
        for f in 0..NF {
            if !skip.contains(&f) {
                s += self.field_weight(ctx, f, v, a);
            }
        }
        s
    }

    /// Match probability of a vector; `skip` lists fields to ignore.
    pub(crate) fn prob(&self, ctx: &Prepared<'_>, v: &Vector, a: &Rec, skip: &[usize]) -> f64 {
        Self::probability(self.log_odds(ctx, v, a, skip))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::pack;

    #[test]
    fn em_recovers_a_separable_mixture() {
        // 1,000 matches agreeing on everything, 99,000 non-matches disagreeing on everything.
        let lc = level_counts();
        let agree = [0u8; NF];
        let disagree: Vector = std::array::from_fn(|f| u8::try_from(lc[f] - 1).unwrap());
        let mut pats = Patterns::default();
        pats.insert(pack(&agree), 1_000);
        pats.insert(pack(&disagree), 99_000);
        let u = default_u();
        let (m, lambda, _) = em(&pats, &u, initial_m(), 0.1, Session::all_but(&[]), 200);
        assert!((lambda - 0.01).abs() < 1e-3, "lambda {lambda}");
        assert!(m[F_NAME][0] > 0.99);
    }

    #[test]
    fn a_nik_one_digit_away_counts_for_little_between_people_born_the_same_day() {
        // Two men born on each of 200 days (53 days apart) in one district:
        // serials 0001 and 0002, so same-day NIKs are always one digit apart.
        let recs: Vec<Rec> = (0..400u64)
            .map(|i| {
                let day = chrono::NaiveDate::from_ymd_opt(1960, 1, 1).unwrap()
                    + chrono::Days::new(i / 2 * 53);
                let yy = day.year().rem_euclid(100) as u32;
                let ddmmyy = u64::from(day.day() * 10_000 + day.month() * 100 + yy);
                let nik = (327_601 * 1_000_000 + ddmmyy) * 10_000 + 1 + i % 2;
                Rec {
                    dob: day,
                    ..crate::testkit::rec_with_nik(nik)
                }
            })
            .collect();
        let ctx = crate::testkit::empty_ctx();
        let u = estimate_u(&ctx, &recs, &recs, 20_000, 1);
        assert!(u.field[F_NIK][1] < 0.02, "{:?}", u.field[F_NIK]);
        assert!(u.nik_given_dob[1] > 0.9, "{:?}", u.nik_given_dob);
        let model = Model::new(initial_m(), u, 0.5, 400.0, 0);
        let mut same_day = [MISSING; NF];
        (same_day[F_DOB], same_day[F_SEX], same_day[F_NIK]) = (0, 0, 1);
        let mut other_day = same_day;
        other_day[F_DOB] = 4;
        let w = |v: &Vector| model.field_weight(&ctx, F_NIK, v, &recs[0]);
        assert!(w(&same_day) < 0.0, "{}", w(&same_day));
        assert!(w(&other_day) > 3.0, "{}", w(&other_day));
    }

    /// Every `f64` of a model, as bits.
    fn bits(m: &Model) -> Vec<u64> {
        let tables = [&m.m, &m.u.field, &m.table];
        tables
            .iter()
            .flat_map(|t| t.iter().flatten())
            .chain(&m.u.nik_given_dob)
            .chain(&m.nik_given_dob_table)
            .chain([&m.lambda, &m.n_civil])
            .map(|x| x.to_bits())
            .collect()
    }

    #[test]
    fn a_stored_model_reads_back_bit_for_bit_and_scores_alike() {
        let (reg, civ) = crate::testkit::background(1500, 500);
        let cfg = MatchConfig {
            u_samples: 20_000,
            ..MatchConfig::default()
        };
        let model = crate::verify(&reg, &civ, &cfg, &crate::NoProgress)
            .expect("the engine runs")
            .stats
            .model;
        let json = serde_json::to_string(&model).expect("serialises");
        let back: Model = serde_json::from_str(&json).expect("deserialises");
        assert_eq!(bits(&back), bits(&model));
        assert_eq!(back, model);
        let ctx = crate::testkit::empty_ctx();
        let r = crate::testkit::rec_with_nik(3273_0152_0580_0001);
        let mut rng = SplitMix::new(3);
        for _ in 0..1000 {
            let v: Vector = std::array::from_fn(|f| match rng.below(6) {
                0 => MISSING,
                _ => u8::try_from(rng.below(level_counts()[f])).unwrap(),
            });
            let (a, b) = (
                model.log_odds(&ctx, &v, &r, &[]),
                back.log_odds(&ctx, &v, &r, &[]),
            );
            assert_eq!(a.to_bits(), b.to_bits(), "{v:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_model_survives_json_exactly(
            m in proptest::array::uniform9(proptest::array::uniform8(0.0f64..1.0)),
            u in proptest::array::uniform9(proptest::array::uniform8(1e-9f64..1.0)),
            nik in proptest::array::uniform8(1e-9f64..1.0),
            lambda in 1e-6f64..1.0,
        ) {
            let u = UProbs { field: u, nik_given_dob: nik };
            let model = Model::new(m, u, lambda, 3.0e6, 17);
            let json = serde_json::to_string(&model).expect("serialises");
            let back: Model = serde_json::from_str(&json).expect("deserialises");
            proptest::prop_assert_eq!(bits(&back), bits(&model));
        }
    }

    #[test]
    fn splitmix_is_deterministic_and_in_range() {
        let mut a = SplitMix::new(7);
        let mut b = SplitMix::new(7);
        for _ in 0..100 {
            let x = a.below(10);
            assert_eq!(x, b.below(10));
            assert!(x < 10);
        }
    }
}
