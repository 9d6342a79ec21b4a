//! One registry person at a time: the per-row stages of [`crate::verify`]
//! against a civil extract prepared and indexed once, with the model of a
//! full run.
//!
//! A full run derives three things from the whole input: the civil side
//! (pools of normalised names and places, term frequencies, the density
//! counts behind every blocking key's reach, the blocking index), the model
//! (trained on both sides) and the duplicate groups (the registry against
//! itself). A [`Verifier`] prepares the first once, takes the second from
//! the run and the third from the caller, and then runs exactly the
//! functions a full run runs for each registry row: prepare the record
//! against the civil side, block against the civil index, compare, score,
//! link, decide and explain. Nothing of a check depends on other registry
//! rows, so a check returns the row the full run returned for the same
//! record, inputs and model.

use padu_core::{CivilPerson, RegistryPerson, VerificationRow};
use serde::{Deserialize, Serialize};

use crate::block::Scratch;
use crate::candidates::Blocking;
use crate::decide::{Evidence, Group, decide_row};
use crate::explain::{Explanation, explain_row};
use crate::link::{Holders, link_row};
use crate::prepare::{CivilSide, Exec};
use crate::score::{Model, best_candidates};
use crate::{MatchConfig, MatchError};

/// The verification of one registry person at a time against a civil
/// extract prepared once, with a model learnt by a full [`crate::verify`] run.
///
/// Built once (seconds for millions of residents, on rayon's pool or
/// [`MatchConfig::threads`] threads) and then shared: it is `Send + Sync`
/// and [`Verifier::check`] takes `&self` and runs on the calling thread
/// only, so many requests can check at once.
///
/// A check equals the full run's row for the same person when the verifier
/// holds the same civil extract, the run's [`Model`] (`RunStats::model`)
/// and the run's [`MatchConfig`] (its `threshold`, `death_threshold`,
/// `top_k` and `max_block` are read), and the caller passes the person's
/// duplicate group from that run.
pub struct Verifier {
    /// The civil extract, input order.
    civil: Vec<CivilPerson>,
    /// Its prepared records and pools.
    side: CivilSide,
    /// The blocking rules with the civil records indexed under them.
    blocking: Blocking,
    /// The civil records by NIK.
    holders: Holders,
    /// The model of the full run.
    model: Model,
    /// Match probability a civil resident needs ([`MatchConfig::threshold`]).
    threshold: f64,
    /// Match probability a death flag needs ([`MatchConfig::death_threshold`]).
    death_threshold: f64,
    /// Candidates kept for linking.
    keep: usize,
    /// Candidates explained ([`MatchConfig::top_k`]).
    top_k: usize,
}

/// A registry person's duplicate group, as the last full run found it.
///
/// Duplicates come from comparing the whole registry with itself, which one
/// check cannot do: a check does not re-run deduplication, it reports the
/// group the caller passes (GANDA, the group id, the kept row, and the
/// proposal to delete a row that is not the kept one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicateGroup {
    /// The group's id (`id_kelompok_ganda`, e.g. `G000042`).
    pub id: String,
    /// The `id_art` of the row the group keeps (`id_art_utama`); a row with
    /// this `id_art` is the kept one.
    pub kept: String,
}

impl DuplicateGroup {
    /// The group a result row reports, if any.
    pub fn of(row: &VerificationRow) -> Option<DuplicateGroup> {
        Some(DuplicateGroup {
            id: row.id_kelompok_ganda.clone()?,
            kept: row.id_art_utama.clone()?,
        })
    }
}

/// The outcome of [`Verifier::check`].
#[derive(Debug, Clone, Serialize)]
pub struct Checked {
    /// The result row, as a full run writes it.
    pub row: VerificationRow,
    /// The candidates considered with each field's weight, as `--explain`
    /// writes them.
    pub explanation: Explanation,
    /// Index into [`Verifier::civil`] of the civil resident the decision is
    /// about (the NIK's holder for `PADAN`, else the confident best match),
    /// if any.
    pub matched: Option<usize>,
    /// Index into [`Verifier::civil`] of each of `explanation.candidates`,
    /// in the same order (the first is the best candidate, confident or not).
    pub candidates: Vec<usize>,
}

impl Verifier {
    /// Prepares and indexes `civil` for checks scored with `model`, on
    /// [`MatchConfig::threads`] worker threads (rayon's default pool when `None`).
    ///
    /// # Errors
    ///
    /// [`MatchError::ThreadPool`] when the worker threads cannot be started.
    pub fn new(
        civil: Vec<CivilPerson>,
        model: Model,
        cfg: &MatchConfig,
    ) -> Result<Verifier, MatchError> {
        let build = || {
            let side = CivilSide::prepare(&civil);
            let ctx = side.registry(&[], Exec::Parallel);
            let blocking = Blocking::build(&ctx, ctx.civil, None, cfg.max_block);
            let holders = Holders::new(ctx.civil);
            drop(ctx);
            (side, blocking, holders)
        };
        let (side, blocking, holders) = match cfg.threads {
            Some(n) => rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()?
                .install(build),
            None => build(),
        };
        Ok(Verifier {
            civil,
            side,
            blocking,
            holders,
            model,
            threshold: cfg.threshold,
            death_threshold: cfg.death_threshold,
            keep: cfg.kept_candidates(),
            top_k: cfg.top_k,
        })
    }

    /// Verifies one registry person, with the duplicate group the last full
    /// run put them in (see [`DuplicateGroup`]): the result row, the
    /// explanation and the civil residents behind them.
    ///
    /// Runs on the calling thread; a few hundred microseconds to a few
    /// milliseconds, depending on how many candidates the person has.
    pub fn check(&self, person: &RegistryPerson, group: Option<&DuplicateGroup>) -> Checked {
        let ctx = self
            .side
            .registry(std::slice::from_ref(person), Exec::Inline);
        let r = &ctx.reg[0];
        let list = self
            .blocking
            .candidates(&ctx, r, ctx.civil, None, &mut Scratch::default());
        let cands = best_candidates(&ctx, &self.model, r, list, self.keep);
        let holder = self.holders.of(r.nik).map(|h| (h, &ctx.civil[h as usize]));
        let link = link_row(&ctx, &self.model, person, 0, &cands, holder, self.threshold);
        let evidence = Evidence {
            person,
            link: &link,
            civil: link.matched.map(|c| &self.civil[c.civ as usize]),
            group: group.map(|g| Group {
                id: &g.id,
                kept: &g.kept,
                is_kept: g.kept == person.id_art,
            }),
        };
        let row = decide_row(&evidence, self.death_threshold);
        let explanation = explain_row(
            &ctx,
            &self.model,
            person,
            0,
            &cands,
            &self.civil,
            self.top_k,
        );
        Checked {
            row,
            explanation,
            matched: link.matched.map(|c| c.civ as usize),
            candidates: cands
                .iter()
                .take(self.top_k)
                .map(|c| c.civ as usize)
                .collect(),
        }
    }

    /// The civil extract, in the order it was given.
    pub fn civil(&self) -> &[CivilPerson] {
        &self.civil
    }

    /// The model checks are scored with.
    pub fn model(&self) -> &Model {
        &self.model
    }
}
