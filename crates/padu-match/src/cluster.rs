//! Duplicate groups within the registry that resist chaining.
//!
//! Two kinds of evidence make rows one person: both rows are linked to the
//! same civil-registry resident (the anchor), or the registry-to-registry
//! score is above the threshold. Single-link clustering would chain
//! A~B~C into one group although A and C are different people (twins,
//! namesakes), so a merge is accepted only when every pair across the two
//! groups passes the hard checks (same sex, birth date at most one typo away,
//! a name that is still recognisable, a near-identical name inside one
//! household) and scores at least even odds, and when the groups are not
//! anchored to different civil residents.
//!
//! This is stage *dedup*'s clustering: its inputs are each row's anchor and
//! the registry-registry candidate pairs that pass the hard checks (a few
//! per cent of rows), small enough for one union-find in one place.

use rayon::prelude::*;

use crate::compare::{F_DOB, F_NAME, F_NIK, F_SEX, Vector, compare_all};
use crate::prepare::{NONE, Prepared, id32};
use crate::score::Model;

/// Largest group the clusterer builds; real duplicate groups are a handful of rows.
const MAX_GROUP: usize = 12;

/// Stage *dedup*: the duplicate groups of the registry (sorted row indices,
/// ordered by their first row).
///
/// `anchors` holds each row's linked civil resident (or [`NONE`]), `lists`
/// each row's registry-registry candidates (`j > i`) and `model` the
/// registry-registry model; a pair is an edge when it scores at least
/// `threshold` and passes [`compatible`]. Rows anchored to the same civil
/// resident are merged first, that link being the strongest evidence, then
/// the edges from the most probable down.
pub(crate) fn dedup(
    ctx: &Prepared<'_>,
    model: &Model,
    anchors: &[u32],
    lists: &[Vec<(u32, Vector)>],
    threshold: f64,
) -> Vec<Vec<u32>> {
    let edges: Vec<(f64, u32, u32)> = lists
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, l)| {
            l.iter().filter_map(move |(j, v)| {
                edge(ctx, model, i, *j as usize, v, threshold).map(|p| (p, id32(i), *j))
            })
        })
        .collect();
    cluster(ctx, model, anchors, edges)
}

/// The match probability of registry rows `i` and `j` (compared into `v`)
/// when it is at least `threshold` and the two may be the same person at
/// all ([`compatible`]): an edge of the duplicate graph.
pub(crate) fn edge(
    ctx: &Prepared<'_>,
    model: &Model,
    i: usize,
    j: usize,
    v: &Vector,
    threshold: f64,
) -> Option<f64> {
    let p = model.prob(ctx, v, &ctx.reg[i], &[]);
    (p >= threshold && compatible(ctx, i, j, v)).then_some(p)
}

/// The clustering of [`dedup`] from its edges `(p, i, j)`: rows anchored to
/// the same civil resident merged first, then the edges from the most
/// probable down.
pub(crate) fn cluster(
    ctx: &Prepared<'_>,
    model: &Model,
    anchors: &[u32],
    mut edges: Vec<(f64, u32, u32)>,
) -> Vec<Vec<u32>> {
    let mut groups = Groups::new(anchors);
    let mut by_anchor: Vec<(u32, u32)> = anchors
        .iter()
        .enumerate()
        .filter(|(_, a)| **a != NONE)
        .map(|(i, &a)| (a, id32(i)))
        .collect();
    by_anchor.sort_unstable();
    for w in by_anchor.windows(2) {
        if w[0].0 == w[1].0 {
            groups.try_merge(ctx, model, w[0].1, w[1].1, true);
        }
    }
    edges.par_sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    for &(_, i, j) in &edges {
        groups.try_merge(ctx, model, i, j, false);
    }
    groups.groups()
}

/// Whether two registry rows may be the same person at all.
fn compatible(ctx: &Prepared<'_>, i: usize, j: usize, v: &Vector) -> bool {
    let (a, b) = (&ctx.reg[i], &ctx.reg[j]);
    let same_nik = v[F_NIK] == 0;
    if v[F_SEX] != 0 && !same_nik {
        return false;
    }
    if v[F_DOB] > 2 {
        return false;
    }
    if v[F_NAME] >= 5 {
        return false;
    }
    // Inside one household, a second row of the same person carries (nearly) the
    // same name; a different name with the same birth date is a twin.
    if a.household != NONE && a.household == b.household && v[F_NAME] > 2 {
        return false;
    }
    true
}

/// Union-find over registry rows with per-group member lists and anchors.
struct Groups {
    parent: Vec<u32>,
    members: Vec<Vec<u32>>,
    anchor: Vec<u32>,
}

impl Groups {
    /// Every row alone, with its civil anchor (or [`NONE`]).
    fn new(anchors: &[u32]) -> Self {
        let n = anchors.len();
        Groups {
            parent: (0..id32(n)).collect(),
            members: (0..id32(n)).map(|i| vec![i]).collect(),
            anchor: anchors.to_vec(),
        }
    }

    /// The group root of a row.
    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize];
            x = p;
        }
        x
    }

    /// Merges the groups of `i` and `j` if every cross pair is compatible and
    /// scores at least even odds under `model`. Returns whether it merged.
    ///
    /// With `anchored`, both rows were linked to the same civil resident on
    /// their own; that link already proved identity, so no further check is made.
    fn try_merge(
        &mut self,
        ctx: &Prepared<'_>,
        model: &Model,
        i: u32,
        j: u32,
        anchored: bool,
    ) -> bool {
        let (ri, rj) = (self.find(i), self.find(j));
        if ri == rj {
            return false;
        }
        let (ai, aj) = (self.anchor[ri as usize], self.anchor[rj as usize]);
        if ai != NONE && aj != NONE && ai != aj {
            return false;
        }
        let (mi, mj) = (&self.members[ri as usize], &self.members[rj as usize]);
        if mi.len() + mj.len() > MAX_GROUP {
            return false;
        }
        for &x in mi {
            for &y in mj {
                let (a, b) = (&ctx.reg[x as usize], &ctx.reg[y as usize]);
                let v = compare_all(ctx, a, b);
                if anchored {
                    continue;
                }
                if !compatible(ctx, x as usize, y as usize, &v) || model.prob(ctx, &v, a, &[]) < 0.5
                {
                    return false;
                }
            }
        }
        let moved = std::mem::take(&mut self.members[rj as usize]);
        self.members[ri as usize].extend(moved);
        self.parent[rj as usize] = ri;
        if ai == NONE {
            self.anchor[ri as usize] = aj;
        }
        true
    }

    /// Groups of two or more rows, each sorted, ordered by their first row.
    fn groups(mut self) -> Vec<Vec<u32>> {
        let n = self.parent.len();
        let mut out: Vec<Vec<u32>> = Vec::new();
        for x in 0..id32(n) {
            if self.find(x) == x && self.members[x as usize].len() >= 2 {
                let mut g = std::mem::take(&mut self.members[x as usize]);
                g.sort_unstable();
                out.push(g);
            }
        }
        out.sort_unstable_by_key(|g| g[0]);
        out
    }
}
