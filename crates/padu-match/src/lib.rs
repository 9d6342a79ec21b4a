//! Padu's record-linkage engine: verifies a DTKS registry against a
//! civil-registry (Dukcapil) extract and finds duplicates within the registry.
//!
//! Pure compute: slices of `padu_core` records in, one
//! [`padu_core::VerificationRow`] per registry person out, in input order.
//! No storage, no async, no file I/O.
//!
//! # Pipeline
//!
//! 1. [`normalise`]: titles, the spellings of MUHAMMAD, pre-1972 spelling,
//!    a few unambiguous nicknames, and a phonetic key for Indonesian names.
//! 2. [`prepare`](mod@prepare): every record becomes a compact [`prepare::Rec`]; names are
//!    interned once for both sides, so equal names are equal ids and each
//!    distinct spelling is normalised once.
//! 3. [`block`]: several [`block::Blocker`] rules (NIK, NIK with a masked
//!    window, birth date with a name token, mother and birth date, ...); the
//!    union of their pairs are the candidates. [`scope`] confines each key to
//!    the region where its block stays small; oversized blocks are skipped and counted.
//! 4. [`compare`]: a [`compare::Comparator`] per field grades each pair into levels.
//! 5. [`score`]: Fellegi-Sunter. u from random pairs, m by EM in sessions
//!    (fields learnt on pairs selected by other fields), a name-frequency
//!    adjustment for exact names.
//! 6. [`decide`]: NIK status, the civil resident used for the decision,
//!    flags, proposed NIK, action and the sentence in Bahasa Indonesia.
//! 7. [`cluster`]: duplicate groups anchored on civil links, merged by
//!    complete linkage with hard checks so that twins and namesakes stay apart.
//!
//! [`eval`] scores a result against ground truth.
//!
//! # Invariants
//!
//! - `verify` returns exactly one row per registry person, in input order,
//!   and the same rows for the same input whatever the number of threads.
//! - A civil resident is used for a decision only with match probability at
//!   least [`MatchConfig::threshold`] *and* evidence about the person
//!   themselves ([`decide::linkable`]): household fields (address, No KK,
//!   region, mother) alone never link a spouse or sibling.
//! - `MENINGGAL` needs [`MatchConfig::death_threshold`] and, outside `PADAN`,
//!   a close name and birth date and one more agreeing field
//!   ([`decide::death_corroborated`]): a wrong death flag cuts a family's aid.
//! - No pair comparison allocates; blocking is one sorted `u64` array per side.
//!
//! # Measured
//!
//! `padu bench verify --people N` generates data, verifies it and prints
//! wall time per stage, peak memory, candidate pairs per blocking rule,
//! blocking recall ([`eval::blocking_recall`]) and accuracy ([`eval::score`]);
//! `docs/benchmarks.md` records the runs.

pub mod block;
pub mod cluster;
pub mod compare;
pub mod decide;
pub mod eval;
#[cfg(test)]
mod hard_cases;
pub mod hash;
pub mod normalise;
pub mod prepare;
pub mod scope;
pub mod score;
#[cfg(test)]
mod testkit;
#[cfg(test)]
mod tests;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use padu_core::{Action, CivilPerson, Flag, NikStatus, RegistryPerson, VerificationRow};
use rayon::prelude::*;
use serde::Serialize;

use crate::block::{Blocker, KeyIndex, RuleStats, Scratch, blockers, candidates_of};
use crate::cluster::Groups;
use crate::compare::{F_DOB, F_NAME, Vector, compare_all, describe, pack};
use crate::decide::{Cand, Facts, Link, Thresholds, corrections, deceased, keterangan, moved};
use crate::prepare::{NONE, Prepared, prepare};
use crate::score::{Model, Patterns, Session, em, estimate_u, train};

/// Engine settings.
#[derive(Debug, Clone, Serialize)]
pub struct MatchConfig {
    /// Worker threads (`None`: rayon's default, one per core).
    pub threads: Option<usize>,
    /// Match probability above which a civil resident (or another registry row) is taken as the same person.
    pub threshold: f64,
    /// Match probability required before flagging MENINGGAL: a wrong death
    /// flag cuts a family's aid, so this is stricter than `threshold`.
    pub death_threshold: f64,
    /// Whether to return per-candidate explanations.
    pub explain: bool,
    /// Candidates kept per registry row for decisions and explanations.
    pub top_k: usize,
    /// Blocks with more records than this are skipped (and counted).
    pub max_block: usize,
    /// Random pairs sampled to estimate u-probabilities.
    pub u_samples: usize,
    /// EM iteration cap.
    pub em_iterations: usize,
    /// Seed for the random-pair sample.
    pub seed: u64,
}

impl Default for MatchConfig {
    fn default() -> Self {
        MatchConfig {
            threads: None,
            threshold: 0.9,
            death_threshold: 0.999,
            explain: false,
            top_k: 5,
            max_block: 100,
            u_samples: 300_000,
            em_iterations: 100,
            seed: 0x005e_ed0f_9ad0,
        }
    }
}

/// Progress reporting, driven by the caller's progress bar.
pub trait Progress: Sync {
    /// A new stage with `total` units of work.
    fn stage(&self, name: &str, total: u64);
    /// `n` units of the current stage are done.
    fn inc(&self, n: u64);
}

/// Progress that goes nowhere.
pub struct NoProgress;

impl Progress for NoProgress {
    fn stage(&self, _: &str, _: u64) {}
    fn inc(&self, _: u64) {}
}

/// One field's contribution to a candidate's score.
#[derive(Debug, Clone, Serialize)]
pub struct FieldWeight {
    /// Field name.
    pub field: &'static str,
    /// Agreement level.
    pub level: &'static str,
    /// Match weight in bits (log2 Bayes factor).
    pub weight: f64,
}

/// One civil candidate considered for a registry row.
#[derive(Debug, Clone, Serialize)]
pub struct CandidateExplanation {
    /// The candidate's NIK.
    pub nik: String,
    /// Match probability.
    pub probability: f64,
    /// Per-field weights.
    pub fields: Vec<FieldWeight>,
}

/// The candidates considered for one registry row.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    /// The registry row.
    pub id_art: String,
    /// Prior log2 odds shared by every candidate.
    pub prior: f64,
    /// Best candidates first.
    pub candidates: Vec<CandidateExplanation>,
}

/// Wall time of one stage.
#[derive(Debug, Clone, Serialize)]
pub struct StageTime {
    /// Stage name.
    pub stage: String,
    /// Seconds.
    pub seconds: f64,
}

/// What the run did, for logs and tuning.
#[derive(Debug, Clone, Serialize)]
pub struct RunStats {
    /// Registry rows.
    pub registry: usize,
    /// Civil residents.
    pub civil: usize,
    /// Distinct registry-civil candidate pairs compared.
    pub candidate_pairs: u64,
    /// Per-rule statistics of registry-civil blocking.
    pub rules: Vec<RuleStats>,
    /// Distinct registry-registry candidate pairs compared.
    pub dedup_pairs: u64,
    /// Per-rule statistics of registry-registry blocking.
    pub dedup_rules: Vec<RuleStats>,
    /// The learnt registry-civil model.
    pub model: Model,
    /// Prior of the registry-registry model.
    pub dedup_lambda: f64,
    /// Duplicate groups found.
    pub duplicate_groups: usize,
    /// Wall time per stage.
    pub stages: Vec<StageTime>,
}

/// The result of [`verify`].
#[derive(Debug, Clone, Serialize)]
pub struct VerifyOutput {
    /// One row per registry person, input order.
    pub rows: Vec<VerificationRow>,
    /// Per registry row, the candidates considered (empty unless `explain`).
    pub explanations: Vec<Explanation>,
    /// Run statistics.
    pub stats: RunStats,
}

struct Timer {
    t: Instant,
    stages: Vec<StageTime>,
}

impl Timer {
    fn lap(&mut self, name: &str) {
        let now = Instant::now();
        self.stages.push(StageTime {
            stage: name.to_string(),
            seconds: (now - self.t).as_secs_f64(),
        });
        self.t = now;
    }
}

/// Per left record its compared candidates, the rule statistics and the pattern counts.
type Compared = (Vec<Vec<(u32, Vector)>>, Vec<RuleStats>, Patterns);

/// Blocks `left` against an index of `right`, compares every distinct pair and
/// counts patterns. With `upper_only`, left and right are the same list and
/// only pairs `i < j` are kept.
fn block_and_compare(
    ctx: &Prepared,
    left: &[prepare::Rec],
    right: &[prepare::Rec],
    rules: &[Box<dyn Blocker>],
    cap: usize,
    upper_only: bool,
    progress: &dyn Progress,
) -> Compared {
    let index = KeyIndex::build(ctx, right, rules);
    let counters: Vec<(AtomicU64, AtomicU64)> = rules
        .iter()
        .map(|_| (AtomicU64::new(0), AtomicU64::new(0)))
        .collect();
    // Chunks rather than single rows, so the shared counters and the
    // progress bar are touched once per chunk, not once per row.
    const CHUNK: usize = 1024;
    let chunks: Vec<Vec<Vec<(u32, Vector)>>> = left
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(ci, chunk)| {
            let mut s = Scratch::default();
            let out: Vec<Vec<(u32, Vector)>> = chunk
                .iter()
                .enumerate()
                .map(|(k, r)| {
                    let i = ci * CHUNK + k;
                    candidates_of(ctx, r, rules, &index, cap, &mut s);
                    s.cands
                        .iter()
                        .filter(|&&c| !upper_only || c as usize > i)
                        .map(|&c| (c, compare_all(ctx, r, &right[c as usize])))
                        .collect()
                })
                .collect();
            for (k, c) in s.counts.iter().enumerate() {
                counters[k].0.fetch_add(c.0, Ordering::Relaxed);
                counters[k].1.fetch_add(c.1, Ordering::Relaxed);
            }
            progress.inc(chunk.len() as u64);
            out
        })
        .collect();
    let lists: Vec<Vec<(u32, Vector)>> = chunks.into_iter().flatten().collect();
    let patterns = lists
        .par_iter()
        .fold(Patterns::default, |mut m, l| {
            for (_, v) in l {
                *m.entry(pack(v)).or_insert(0) += 1;
            }
            m
        })
        .reduce(Patterns::default, |mut a, b| {
            for (k, v) in b {
                *a.entry(k).or_insert(0) += v;
            }
            a
        });
    let stats = rules
        .iter()
        .zip(&counters)
        .map(|(r, (p, s))| RuleStats {
            rule: r.name().to_string(),
            pairs: p.load(Ordering::Relaxed),
            skipped_blocks: s.load(Ordering::Relaxed),
        })
        .collect();
    (lists, stats, patterns)
}

/// Verifies `registry` against `civil` and deduplicates the registry.
pub fn verify(
    registry: &[RegistryPerson],
    civil: &[CivilPerson],
    cfg: &MatchConfig,
    progress: &dyn Progress,
) -> VerifyOutput {
    match cfg.threads {
        Some(n) => match rayon::ThreadPoolBuilder::new().num_threads(n).build() {
            Ok(pool) => pool.install(|| run(registry, civil, cfg, progress)),
            Err(_) => run(registry, civil, cfg, progress),
        },
        None => run(registry, civil, cfg, progress),
    }
}

fn run(
    registry: &[RegistryPerson],
    civil: &[CivilPerson],
    cfg: &MatchConfig,
    progress: &dyn Progress,
) -> VerifyOutput {
    let mut timer = Timer {
        t: Instant::now(),
        stages: Vec::new(),
    };
    progress.stage("menyiapkan data", (registry.len() + civil.len()) as u64);
    let ctx = prepare(registry, civil);
    progress.inc((registry.len() + civil.len()) as u64);
    timer.lap("prepare");

    // Registry against civil.
    let rules = blockers();
    progress.stage("mencari kandidat Dukcapil", registry.len() as u64);
    let (lists, rule_stats, patterns) = block_and_compare(
        &ctx,
        &ctx.reg,
        &ctx.civil,
        &rules,
        cfg.max_block,
        false,
        progress,
    );
    let candidate_pairs: u64 = lists.iter().map(|l| l.len() as u64).sum();
    timer.lap("block+compare");

    progress.stage("mempelajari bobot", 1);
    let u = estimate_u(&ctx, &ctx.reg, &ctx.civil, cfg.u_samples, cfg.seed);
    let lambda0 = if candidate_pairs == 0 {
        0.1
    } else {
        (registry.len() as f64 / candidate_pairs as f64).clamp(1e-4, 0.5)
    };
    let (m, lambda, iterations) = train(&patterns, &u, lambda0, cfg.em_iterations);
    let model = Model::new(m, u, lambda, civil.len() as f64, iterations);
    progress.inc(1);
    timer.lap("train");

    // Score and keep the best few per row.
    progress.stage("menilai kandidat", registry.len() as u64);
    let keep = cfg.top_k.max(3);
    let scored: Vec<Vec<Cand>> = lists
        .into_par_iter()
        .enumerate()
        .map(|(i, l)| {
            let r = &ctx.reg[i];
            let mut v: Vec<Cand> = l
                .into_iter()
                .map(|(civ, vec)| {
                    let w = model.log_odds(&ctx, &vec, r, &[]);
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
        })
        .collect();
    progress.inc(registry.len() as u64);
    timer.lap("score");

    // Link and decide the NIK status.
    let mut by_nik: Vec<(u64, u32)> = ctx
        .civil
        .iter()
        .enumerate()
        .map(|(i, c)| (c.nik, i as u32))
        .collect();
    by_nik.par_sort_unstable();
    let th = Thresholds {
        link: cfg.threshold,
        death: cfg.death_threshold,
    };
    let links: Vec<Link> = (0..registry.len())
        .into_par_iter()
        .map(|i| {
            let nik = ctx.reg[i].nik;
            let holder = (nik != 0)
                .then(|| {
                    let k = by_nik.partition_point(|e| e.0 < nik);
                    by_nik.get(k).filter(|e| e.0 == nik).map(|e| e.1)
                })
                .flatten();
            decide::link(&ctx, &model, &registry[i], i, &scored[i], holder, th)
        })
        .collect();
    timer.lap("link");

    // Registry against itself.
    progress.stage("mencari data ganda", registry.len() as u64);
    let (dlists, dedup_rules, dpatterns) = block_and_compare(
        &ctx,
        &ctx.reg,
        &ctx.reg,
        &rules,
        cfg.max_block,
        true,
        progress,
    );
    let dedup_pairs: u64 = dlists.iter().map(|l| l.len() as u64).sum();
    let du = estimate_u(
        &ctx,
        &ctx.reg,
        &ctx.reg,
        cfg.u_samples / 2,
        cfg.seed ^ 0xd0d0,
    );
    let dl0 = if dedup_pairs == 0 {
        0.01
    } else {
        (registry.len() as f64 * 0.02 / dedup_pairs as f64).clamp(1e-4, 0.5)
    };
    let (_, dlambda, _) = em(
        &dpatterns,
        &du,
        model.m,
        dl0,
        Session::prior_only(),
        cfg.em_iterations,
    );
    let dmodel = Model::new(model.m, du, dlambda, model.n_civil, 0);
    let anchors: Vec<u32> = links
        .iter()
        .map(|l| l.matched.map_or(NONE, |c| c.civ))
        .collect();
    let mut groups = Groups::new(&anchors);
    // Rows linked to the same civil resident first: that link is the strongest evidence.
    let mut by_anchor: Vec<(u32, u32)> = anchors
        .iter()
        .enumerate()
        .filter(|(_, a)| **a != NONE)
        .map(|(i, &a)| (a, i as u32))
        .collect();
    by_anchor.sort_unstable();
    for w in by_anchor.windows(2) {
        if w[0].0 == w[1].0 {
            groups.try_merge(&ctx, &dmodel, w[0].1, w[1].1, true);
        }
    }
    let mut rr: Vec<(f64, u32, u32)> = dlists
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, l)| {
            let r = &ctx.reg[i];
            let dm = &dmodel;
            let ctx = &ctx;
            l.iter().filter_map(move |(j, v)| {
                let p = dm.prob(ctx, v, r, &[]);
                (p >= cfg.threshold && cluster::compatible(ctx, i, *j as usize, v))
                    .then_some((p, i as u32, *j))
            })
        })
        .collect();
    rr.par_sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    for &(_, i, j) in &rr {
        groups.try_merge(&ctx, &dmodel, i, j, false);
    }
    let group_list = groups.groups();
    timer.lap("dedup");

    // Final rows.
    let mut group_of: Vec<Option<(usize, u32)>> = vec![None; registry.len()];
    for (gi, g) in group_list.iter().enumerate() {
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
            group_of[x as usize] = Some((gi, kept));
        }
    }
    let rows: Vec<VerificationRow> = (0..registry.len())
        .into_par_iter()
        .map(|i| {
            let p = &registry[i];
            let l = &links[i];
            let civ = l.matched.map(|c| &civil[c.civ as usize]);
            let mut flags = Vec::new();
            if let Some(c) = l.matched {
                let cp = &civil[c.civ as usize];
                // Outside PADAN (where the NIK itself vouches), the name and birth date
                // must agree closely, and something beyond them must agree too:
                // a wrong death flag cuts a family's aid.
                let close = l.status == NikStatus::Padan
                    || (c.v[F_NAME] <= 3 && c.v[F_DOB] <= 2 && decide::death_corroborated(&c.v));
                if deceased(cp) && c.p >= th.death && close {
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
            let (mut id_kelompok, mut utama, mut kept_other, mut is_kept) =
                (None, None, None, false);
            if let Some((gi, kept)) = group_of[i] {
                flags.push(Flag::Ganda);
                id_kelompok = Some(format!("G{:06}", gi + 1));
                let k = registry[kept as usize].id_art.clone();
                if kept as usize == i {
                    is_kept = true;
                } else {
                    kept_other = Some(k.clone());
                }
                utama = Some(k);
            }
            flags.sort_unstable_by_key(|f| f.as_str());
            let nik_usulan = match (l.status, l.matched) {
                (NikStatus::Padan, _) | (_, None) => None,
                (_, Some(c)) => {
                    let n = civil[c.civ as usize].nik;
                    (n.as_u64() != ctx.reg[i].nik).then(|| n.to_string())
                }
            };
            let differs = civ.is_some_and(|c| !corrections(p, c).is_empty());
            let action = if flags.contains(&Flag::Meninggal)
                || flags.contains(&Flag::Pindah)
                || kept_other.is_some()
            {
                Action::Hapus
            } else if l.status != NikStatus::Padan
                || nik_usulan.is_some()
                || flags.contains(&Flag::NikBedaIdentitas)
                || differs
            {
                Action::Perbaiki
            } else {
                Action::Tetap
            };
            let keterangan = keterangan(&Facts {
                person: p,
                link: l,
                civil: civ,
                flags: &flags,
                nik_usulan: nik_usulan.as_deref(),
                kept: kept_other.as_deref(),
                is_kept,
                action,
            });
            VerificationRow {
                id_art: p.id_art.clone(),
                status: l.status,
                flags,
                tindakan: action,
                nik_usulan,
                skor: l.skor,
                id_kelompok_ganda: id_kelompok,
                id_art_utama: utama,
                keterangan,
            }
        })
        .collect();

    let explanations = if cfg.explain {
        scored
            .par_iter()
            .enumerate()
            .map(|(i, cands)| Explanation {
                id_art: registry[i].id_art.clone(),
                prior: model.prior(),
                candidates: cands
                    .iter()
                    .take(cfg.top_k)
                    .map(|c| {
                        let w = model.weights(&ctx, &c.v, &ctx.reg[i]);
                        CandidateExplanation {
                            nik: civil[c.civ as usize].nik.to_string(),
                            probability: c.p,
                            fields: describe(&c.v)
                                .into_iter()
                                .zip(w)
                                .map(|(d, weight)| FieldWeight {
                                    field: d.field,
                                    level: d.level,
                                    weight,
                                })
                                .collect(),
                        }
                    })
                    .collect(),
            })
            .collect()
    } else {
        Vec::new()
    };
    timer.lap("decide");

    VerifyOutput {
        rows,
        explanations,
        stats: RunStats {
            registry: registry.len(),
            civil: civil.len(),
            candidate_pairs,
            rules: rule_stats,
            dedup_pairs,
            dedup_rules,
            model,
            dedup_lambda: dlambda,
            duplicate_groups: group_list.len(),
            stages: timer.stages,
        },
    }
}
