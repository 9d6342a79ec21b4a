//! Padu's record-linkage engine: verifies a DTKS registry against a
//! civil-registry (Dukcapil) extract and finds duplicates within the registry.
//!
//! Pure compute: slices of `padu_core` records in, one
//! [`padu_core::VerificationRow`] per registry person out, in input order.
//! No storage, no async, no file I/O.
//!
//! # API
//!
//! [`verify`] takes a [`MatchConfig`] and a [`Progress`] sink and returns
//! the rows, optional [`Explanation`]s and [`RunStats`] (with the learnt
//! [`Model`]); [`eval`] scores a result against ground truth and measures
//! blocking recall. Every module but `eval` and `partition` (what a
//! distributed run computes per record, see below) is private to the crate.
//!
//! [`Verifier`] answers for one registry person at a time, for a server:
//! built once from the civil extract and a run's [`Model`] (which
//! serialises, to be stored), its [`Verifier::check`] runs the per-row
//! stages below on the calling thread and returns the row the full run
//! would write for that person, with its [`Explanation`]. Duplicate groups
//! need the whole registry, so the caller passes the person's
//! [`DuplicateGroup`] from the last run.
//!
//! # Stages
//!
//! `verify` calls one function per stage, in this order. Each takes and
//! returns the data that would cross a partition boundary in a distributed
//! run, so a distributed engine can call the same functions per partition:
//!
//! 1. *prepare* (`prepare::prepare`, per record): every record becomes a
//!    compact `Rec`: a `u64` NIK, names normalised (`normalise`: titles, the
//!    spellings of MUHAMMAD, pre-1972 spelling,
//!    a phonetic key) and interned once for both sides, dates, region, and
//!    how far each blocking key reaches (`scope`, from counts over the
//!    civil extract that a distributed run broadcasts).
//! 2. *block and compare* (`candidates::block_and_compare`, per key):
//!    several blocking rules (`block`: NIK, NIK with a masked window, birth
//!    date with a name token, mother and birth date, ...) whose union is the
//!    candidates, oversized blocks skipped and counted; a comparator per field
//!    (`compare`) grades each pair into levels. Out come each registry row's
//!    candidates with their levels and the count of each pattern. The
//!    registry is blocked and compared against itself (for *dedup*) in the
//!    same stage, alongside, as it needs nothing of the linking.
//! 3. *train* (`score::train`): Fellegi-Sunter. u from random pairs, m by
//!    EM in sessions on the pattern counts (fields learnt on pairs selected
//!    by other fields), a name-frequency adjustment for exact names. The
//!    [`Model`] is small and broadcast.
//! 4. *score* (`score::score`, per pair): each pair's match probability;
//!    the best few candidates of each registry row are kept.
//! 5. *link* (`link::link`, per registry row): the NIK status and the civil
//!    resident the decision is about.
//! 6. *dedup*: with the registry's candidates among its own rows from
//!    stage 2, train its prior (`score::train_dedup`), then cluster
//!    (`cluster::dedup`): duplicate groups anchored on civil links, merged
//!    by complete linkage with hard checks so that twins and namesakes stay
//!    apart.
//! 7. *decide* (`decide::decide`, per registry row): flags, proposed NIK,
//!    action and the sentence in Bahasa Indonesia; every rule of the result
//!    row lives there.
//! 8. *explain* (`explain::explain`, per registry row, when asked): the
//!    candidates considered and each field's weight.
//!
//! # Invariants
//!
//! - `verify` returns exactly one row per registry person, in input order,
//!   and the same rows for the same input whatever the number of threads.
//! - A registry row's result depends on the civil extract, the model, the
//!   settings and its duplicate group, never on other registry rows
//!   otherwise: the civil side is prepared on its own
//!   (`prepare::CivilSide`) and each registry record against it, so
//!   [`Verifier::check`] returns the full run's row.
//! - A civil resident is used for a decision only with match probability at
//!   least [`MatchConfig::threshold`] *and* evidence about the person
//!   themselves (`link::linkable`): household fields (address, No KK,
//!   region, mother) alone never link a spouse or sibling; and only when
//!   no other such resident fits within `link::RIVAL_MARGIN` of it: of two
//!   namesakes born the same day, neither is proposed.
//! - `MENINGGAL` needs [`MatchConfig::death_threshold`] and, outside `PADAN`,
//!   a close name and birth date and one more agreeing field
//!   (`decide::death_corroborated`): a wrong death flag cuts a family's aid.
//! - No pair comparison allocates; blocking is one sorted `u64` array per side.
//!
//! # Measured
//!
//! `padu bench verify --people N` generates data, verifies it and prints
//! wall time per stage, peak memory, candidate pairs per blocking rule,
//! blocking recall ([`eval::blocking_recall`]) and accuracy ([`eval::score`]);
//! `docs/benchmarks.md` records the runs.

mod block;
mod candidates;
mod cluster;
mod compare;
mod decide;
mod error;
pub mod eval;
mod explain;
#[cfg(test)]
mod hard_cases;
mod hash;
mod link;
mod normalise;
pub mod partition;
mod prepare;
mod scope;
mod score;
mod search;
#[cfg(test)]
mod testkit;
#[cfg(test)]
mod tests;
mod verifier;

use std::time::Instant;

use padu_core::{CivilPerson, RegistryPerson, VerificationRow};
use serde::{Deserialize, Serialize};

pub use crate::block::RuleStats;
use crate::candidates::{Against, block_and_compare};
pub use crate::error::MatchError;
pub use crate::explain::{CandidateExplanation, Explanation, FieldWeight};
use crate::link::Link;
use crate::prepare::{CivilSide, Exec};
pub use crate::score::{Model, UProbs};
pub use crate::search::{NameKey, name_key, name_similarity};
pub use crate::verifier::{Checked, DuplicateGroup, Verifier};

/// Engine settings.
///
/// They serialise, so that a server can keep the settings of the run whose
/// [`Model`] its [`Verifier`] uses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

impl MatchConfig {
    /// Candidates kept per registry row for linking: [`MatchConfig::top_k`],
    /// but never fewer than three, which the link rules compare.
    fn kept_candidates(&self) -> usize {
        self.top_k.max(3)
    }
}

/// What a stored verification run keeps so that a [`Verifier`] can later
/// decide exactly as that run did: the learnt model and the settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedModel {
    /// The registry-civil model the run learnt.
    pub model: Model,
    /// The run's settings (thresholds, candidate counts, blocking limits).
    pub config: MatchConfig,
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
    fn start() -> Self {
        Timer {
            t: Instant::now(),
            stages: Vec::new(),
        }
    }

    fn lap(&mut self, name: &str) {
        let now = Instant::now();
        self.stages.push(StageTime {
            stage: name.to_string(),
            seconds: (now - self.t).as_secs_f64(),
        });
        self.t = now;
    }
}

/// Verifies `registry` against `civil` and deduplicates the registry, on
/// [`MatchConfig::threads`] worker threads.
///
/// # Errors
///
/// [`MatchError::ThreadPool`] when the worker threads cannot be started.
/// Problems in the data are never errors.
pub fn verify(
    registry: &[RegistryPerson],
    civil: &[CivilPerson],
    cfg: &MatchConfig,
    progress: &dyn Progress,
) -> Result<VerifyOutput, MatchError> {
    match cfg.threads {
        Some(n) => {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(n).build()?;
            Ok(pool.install(|| run(registry, civil, cfg, progress)))
        }
        None => Ok(run(registry, civil, cfg, progress)),
    }
}

/// The stages in order, timed; each stage's output is the next one's input.
fn run(
    registry: &[RegistryPerson],
    civil: &[CivilPerson],
    cfg: &MatchConfig,
    progress: &dyn Progress,
) -> VerifyOutput {
    let mut timer = Timer::start();
    let people = (registry.len() + civil.len()) as u64;
    let rows = registry.len() as u64;
    progress.stage("menyiapkan data", people);
    let civil_side = CivilSide::prepare(civil);
    let ctx = civil_side.registry(registry, Exec::Parallel);
    progress.inc(people);
    timer.lap("prepare");

    progress.stage("mencari kandidat Dukcapil", rows);
    // The registry's own candidates need nothing of the linking, so they
    // are found alongside it: each pass's index build and sort leave one
    // core waiting at times, and the other pass fills those gaps.
    let (linking, dedup) = rayon::join(
        || block_and_compare(&ctx, Against::Civil, cfg.max_block, progress),
        || block_and_compare(&ctx, Against::Registry, cfg.max_block, &NoProgress),
    );
    let candidate_pairs = linking.pairs();
    timer.lap("block+compare");

    progress.stage("mempelajari bobot", 1);
    let model = score::train(&ctx, &linking.patterns, candidate_pairs, cfg);
    progress.inc(1);
    timer.lap("train");

    progress.stage("menilai kandidat", rows);
    let scored = score::score(&ctx, &model, linking.lists, cfg.kept_candidates());
    progress.inc(rows);
    timer.lap("score");

    let links = link::link(&ctx, &model, registry, &scored, cfg.threshold);
    timer.lap("link");

    progress.stage("mencari data ganda", rows);
    progress.inc(rows);
    let dedup_pairs = dedup.pairs();
    let dedup_model = score::train_dedup(&ctx, &model, &dedup.patterns, dedup_pairs, cfg);
    let anchors: Vec<u32> = links.iter().map(Link::anchor).collect();
    let groups = cluster::dedup(&ctx, &dedup_model, &anchors, &dedup.lists, cfg.threshold);
    timer.lap("dedup");

    let rows = decide::decide(registry, civil, &links, &groups, cfg.death_threshold);
    let explanations = if cfg.explain {
        explain::explain(&ctx, &model, registry, civil, &scored, cfg.top_k)
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
            rules: linking.rules,
            dedup_pairs,
            dedup_rules: dedup.rules,
            model,
            dedup_lambda: dedup_model.lambda,
            duplicate_groups: groups.len(),
            stages: timer.stages,
        },
    }
}
