//! Stage *block and compare*: the candidate pairs of every registry row,
//! against the civil registry or against the registry itself.
//!
//! The output is what a distributed run would shuffle: per registry row its
//! candidates with their comparison levels (a few bytes each), the per-rule
//! counts, and the counts of each comparison pattern, which add up across
//! partitions and are all that training needs.

use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

use crate::Progress;
use crate::block::{Blocker, KeyIndex, RuleStats, Scratch, blockers, candidates_of};
use crate::compare::{Vector, compare_all, pack, warm};
use crate::prepare::{Prepared, Rec};
use crate::score::Patterns;

/// What the registry is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Against {
    /// The civil registry (linking).
    Civil,
    /// The registry itself, each pair once as `i < j` (deduplication).
    Registry,
}

/// The candidate pairs of one pass, compared.
pub(crate) struct Candidates {
    /// Per registry row, input order: its candidates on the other side
    /// (index into that side) with their comparison levels.
    pub(crate) lists: Vec<Vec<(u32, Vector)>>,
    /// Per-rule statistics of the blocking.
    pub(crate) rules: Vec<RuleStats>,
    /// How often each comparison pattern occurs, the input to EM.
    pub(crate) patterns: Patterns,
}

impl Candidates {
    /// Distinct pairs compared.
    pub(crate) fn pairs(&self) -> u64 {
        self.lists.iter().map(|l| l.len() as u64).sum()
    }
}

/// The blocking rules with an index of one side under all of them.
pub(crate) struct Blocking {
    rules: Vec<Box<dyn Blocker>>,
    index: KeyIndex,
    max_block: usize,
}

impl Blocking {
    /// Indexes `right` under every blocking rule; blocks larger than
    /// `max_block` will be skipped. With `probes`, the records that will be
    /// looked up are known and `right` is indexed only under their keys;
    /// without, any record can be.
    pub(crate) fn build(
        ctx: &Prepared<'_>,
        right: &[Rec],
        probes: Option<&[Rec]>,
        max_block: usize,
    ) -> Self {
        let rules = blockers();
        let index = KeyIndex::build(ctx, right, &rules, probes);
        Blocking {
            rules,
            index,
            max_block,
        }
    }

    /// One registry record's candidates in `right` (the indexed side) with
    /// their comparison levels, by index. With `after: Some(i)` (the
    /// registry against itself, `r` being row `i`) only rows after `i`, so
    /// each pair is compared once. Rule counts accumulate in `s`.
    pub(crate) fn candidates(
        &self,
        ctx: &Prepared<'_>,
        r: &Rec,
        right: &[Rec],
        after: Option<usize>,
        s: &mut Scratch,
    ) -> Vec<(u32, Vector)> {
        candidates_of(ctx, r, &self.rules, &self.index, self.max_block, s);
        let wanted = s
            .cands
            .iter()
            .filter(|&&c| after.is_none_or(|i| c as usize > i));
        warm(ctx, wanted.clone().map(|&c| &right[c as usize]));
        wanted
            .map(|&c| (c, compare_all(ctx, r, &right[c as usize])))
            .collect()
    }
}

/// Blocks the registry against an index of the other side, skipping blocks
/// larger than `max_block`, compares every distinct pair and counts the patterns.
/// Advances `progress` by one per registry row.
pub(crate) fn block_and_compare(
    ctx: &Prepared<'_>,
    against: Against,
    max_block: usize,
    progress: &dyn Progress,
) -> Candidates {
    let (left, right): (&[Rec], &[Rec]) = match against {
        Against::Civil => (&ctx.reg, ctx.civil),
        Against::Registry => (&ctx.reg, &ctx.reg),
    };
    let upper_only = against == Against::Registry;
    // Against the civil registry only the registry's keys are looked up;
    // against itself every key of the registry is.
    let probes = (against == Against::Civil).then_some(left);
    let blocking = Blocking::build(ctx, right, probes, max_block);
    let rules = &blocking.rules;
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
                    let after = upper_only.then_some(ci * CHUNK + k);
                    blocking.candidates(ctx, r, right, after, &mut s)
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
    let rules = rules
        .iter()
        .zip(&counters)
        .map(|(r, (p, s))| RuleStats {
            rule: r.name().to_string(),
            pairs: p.load(Ordering::Relaxed),
            skipped_blocks: s.load(Ordering::Relaxed),
        })
        .collect();
    Candidates {
        lists,
        rules,
        patterns,
    }
}
