//! Stage *explain*: per registry row, the candidates considered and what
//! each field contributed to their scores, for an operator who asks why.
//!
//! A row's explanation needs only its own scored candidates and the model,
//! so the stage partitions by registry row like the decision.

use padu_core::{CivilPerson, RegistryPerson};
use rayon::prelude::*;
use serde::Serialize;

use crate::compare::describe;
use crate::prepare::Prepared;
use crate::score::{Cand, Model};

/// One field's contribution to a candidate's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldWeight {
    /// Field name.
    pub field: &'static str,
    /// Agreement level.
    pub level: &'static str,
    /// Match weight in bits (log2 Bayes factor).
    pub weight: f64,
}

/// One civil candidate considered for a registry row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CandidateExplanation {
    /// The candidate's NIK.
    pub nik: String,
    /// Match probability.
    pub probability: f64,
    /// Per-field weights.
    pub fields: Vec<FieldWeight>,
}

/// The candidates considered for one registry row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// The registry row.
    pub id_art: String,
    /// Prior log2 odds shared by every candidate.
    pub prior: f64,
    /// Best candidates first.
    pub candidates: Vec<CandidateExplanation>,
}

/// Explains every registry row, input order, with at most `top_k` of the
/// best candidates in `scored`.
pub(crate) fn explain(
    ctx: &Prepared<'_>,
    model: &Model,
    registry: &[RegistryPerson],
    civil: &[CivilPerson],
    scored: &[Vec<Cand>],
    top_k: usize,
) -> Vec<Explanation> {
    scored
        .par_iter()
        .enumerate()
        .map(|(i, cands)| explain_row(ctx, model, &registry[i], i, cands, civil, top_k))
        .collect()
}

/// Explains registry row `i` (`person`), with at most `top_k` of its best
/// candidates `cands`.
pub(crate) fn explain_row(
    ctx: &Prepared<'_>,
    model: &Model,
    person: &RegistryPerson,
    i: usize,
    cands: &[Cand],
    civil: &[CivilPerson],
    top_k: usize,
) -> Explanation {
    Explanation {
        id_art: person.id_art.to_string(),
        prior: model.prior(),
        candidates: cands
            .iter()
            .take(top_k)
            .map(|c| candidate(ctx, model, i, c, &civil[c.civ as usize]))
            .collect(),
    }
}

/// Registry row `i`'s candidate `c`, the civil resident `cp`, field by field.
fn candidate(
    ctx: &Prepared<'_>,
    model: &Model,
    i: usize,
    c: &Cand,
    cp: &CivilPerson,
) -> CandidateExplanation {
    let w = model.weights(ctx, &c.v, &ctx.reg[i]);
    CandidateExplanation {
        nik: cp.nik.to_string(),
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
}
