//! Scoring a verification result against ground truth.
//!
//! Rows are paired by `id_art`; rows missing from either side are counted,
//! not guessed. Duplicates are scored pairwise: every two rows sharing an
//! `id_kelompok_ganda` are a pair, so the group ids themselves may differ.

use std::collections::{HashMap, HashSet};
use std::fmt;

use padu_core::{Action, CivilPerson, Flag, NikStatus, RegistryPerson, VerificationRow};
use rayon::prelude::*;
use serde::Serialize;

use crate::MatchConfig;
use crate::block::{KeyIndex, Scratch, blockers, candidates_of};
use crate::prepare::{CivilSide, Exec, id32};

/// Precision and recall of a yes/no decision.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct Pr {
    /// True positives.
    pub tp: u64,
    /// False positives.
    pub fp: u64,
    /// False negatives.
    pub fn_: u64,
}

impl Pr {
    /// tp / (tp + fp); 1 when nothing was predicted.
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    /// tp / (tp + fn); 1 when nothing was expected.
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    /// Harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    fn add(&mut self, predicted: bool, expected: bool) {
        match (predicted, expected) {
            (true, true) => self.tp += 1,
            (true, false) => self.fp += 1,
            (false, true) => self.fn_ += 1,
            (false, false) => {}
        }
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

/// The evaluation of one run.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Rows present in both result and truth.
    pub rows: u64,
    /// Truth rows without a result row.
    pub missing_in_results: u64,
    /// Result rows without a truth row.
    pub missing_in_truth: u64,
    /// `confusion[truth][predicted]` in [`NikStatus::ALL`] order.
    pub status_confusion: [[u64; 5]; 5],
    /// Per status, in [`NikStatus::ALL`] order.
    pub status: Vec<(String, Pr)>,
    /// Share of rows with the right status.
    pub status_accuracy: f64,
    /// Per flag, in [`Flag::ALL`] order.
    pub flags: Vec<(String, Pr)>,
    /// Pairs of rows put in one duplicate group.
    pub duplicate_pairs: Pr,
    /// Proposed NIKs: a proposal is right when it equals the truth's.
    pub nik_usulan: Pr,
    /// Share of rows with the right action.
    pub tindakan_accuracy: f64,
    /// `confusion[truth][predicted]` in [`Action::ALL`] order.
    pub tindakan_confusion: [[u64; 3]; 3],
    /// The same measures per case: per label of the truth's `keterangan`
    /// (what the generator injected, and traits such as twins), sorted by label.
    pub cases: Vec<CaseScore>,
}

/// The measures of the rows whose truth carries one `keterangan` label.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct CaseScore {
    /// The label, e.g. `typo nama` or `kembar`.
    pub case: String,
    /// Rows carrying it.
    pub rows: u64,
    /// Of those, rows with the right status.
    pub status_right: u64,
    /// Proposed NIKs on those rows.
    pub nik_usulan: Pr,
    /// Duplicate pairs with at least one row carrying it (true, predicted or both).
    pub duplicate_pairs: Pr,
}

impl CaseScore {
    /// Share of the case's rows with the right status.
    pub fn status_accuracy(&self) -> f64 {
        ratio(self.status_right, self.rows)
    }
}

/// Splits a truth `keterangan` into its labels.
fn labels(keterangan: &str) -> impl Iterator<Item = &str> {
    keterangan
        .split("; ")
        .map(str::trim)
        .filter(|l| !l.is_empty())
}

/// Adds one proposed-NIK comparison to `p`.
fn add_usulan(p: &mut Pr, predicted: Option<&String>, expected: Option<&String>) {
    match (predicted, expected) {
        (Some(a), Some(b)) if a == b => p.tp += 1,
        (Some(_), Some(_)) => {
            p.fp += 1;
            p.fn_ += 1;
        }
        (Some(_), None) => p.fp += 1,
        (None, Some(_)) => p.fn_ += 1,
        (None, None) => {}
    }
}

/// The per-label table of [`Report::cases`]; `both` pairs result and truth rows, and
/// `predicted`/`expected` are duplicate pairs of indices into it.
fn cases(
    both: &[(&VerificationRow, &VerificationRow)],
    predicted: &HashSet<(usize, usize)>,
    expected: &HashSet<(usize, usize)>,
) -> Vec<CaseScore> {
    let mut ids: HashMap<&str, usize> = HashMap::new();
    let mut out: Vec<CaseScore> = Vec::new();
    let mut row_labels: Vec<Vec<usize>> = Vec::with_capacity(both.len());
    for (r, t) in both {
        let mut mine = Vec::new();
        for l in labels(&t.keterangan) {
            let id = *ids.entry(l).or_insert_with(|| {
                out.push(CaseScore {
                    case: l.to_string(),
                    ..CaseScore::default()
                });
                out.len() - 1
            });
            if mine.contains(&id) {
                continue;
            }
            mine.push(id);
            let c = &mut out[id];
            c.rows += 1;
            c.status_right += u64::from(r.status == t.status);
            add_usulan(
                &mut c.nik_usulan,
                r.nik_usulan.as_ref(),
                t.nik_usulan.as_ref(),
            );
        }
        row_labels.push(mine);
    }
    let mut touched: Vec<usize> = Vec::new();
    for &(x, y) in predicted.union(expected) {
        touched.clear();
        touched.extend(&row_labels[x]);
        touched.extend(&row_labels[y]);
        touched.sort_unstable();
        touched.dedup();
        for &id in &touched {
            out[id]
                .duplicate_pairs
                .add(predicted.contains(&(x, y)), expected.contains(&(x, y)));
        }
    }
    out.sort_by(|a, b| a.case.cmp(&b.case));
    out
}

fn pairs(rows: &[&VerificationRow], index: &HashMap<&str, usize>) -> HashSet<(usize, usize)> {
    let mut groups: HashMap<&str, Vec<usize>> = HashMap::new();
    for r in rows {
        if let (Some(g), Some(&i)) = (r.id_kelompok_ganda.as_deref(), index.get(r.id_art.as_str()))
        {
            groups.entry(g).or_default().push(i);
        }
    }
    let mut out = HashSet::new();
    for g in groups.values() {
        for (a, &x) in g.iter().enumerate() {
            for &y in &g[a + 1..] {
                out.insert((x.min(y), x.max(y)));
            }
        }
    }
    out
}

/// Scores `results` against `truth`.
pub fn score(results: &[VerificationRow], truth: &[VerificationRow]) -> Report {
    let by_id: HashMap<&str, &VerificationRow> =
        results.iter().map(|r| (r.id_art.as_str(), r)).collect();
    let truth_ids: HashSet<&str> = truth.iter().map(|r| r.id_art.as_str()).collect();
    let mut both: Vec<(&VerificationRow, &VerificationRow)> = Vec::new();
    let mut missing_in_results = 0;
    for t in truth {
        match by_id.get(t.id_art.as_str()) {
            Some(r) => both.push((r, t)),
            None => missing_in_results += 1,
        }
    }
    let missing_in_truth = results
        .iter()
        .filter(|r| !truth_ids.contains(r.id_art.as_str()))
        .count() as u64;
    let si = |s: NikStatus| {
        NikStatus::ALL
            .iter()
            .position(|x| *x == s)
            .expect("known status")
    };
    let ai = |a: Action| {
        Action::ALL
            .iter()
            .position(|x| *x == a)
            .expect("known action")
    };
    let mut sc = [[0u64; 5]; 5];
    let mut tc = [[0u64; 3]; 3];
    let mut flags = [Pr::default(); 4];
    let mut usulan = Pr::default();
    for (r, t) in &both {
        sc[si(t.status)][si(r.status)] += 1;
        tc[ai(t.tindakan)][ai(r.tindakan)] += 1;
        for (k, f) in Flag::ALL.iter().enumerate() {
            flags[k].add(r.flags.contains(f), t.flags.contains(f));
        }
        add_usulan(&mut usulan, r.nik_usulan.as_ref(), t.nik_usulan.as_ref());
    }
    let status = NikStatus::ALL
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let tp = sc[k][k];
            let fp = (0..5).filter(|&x| x != k).map(|x| sc[x][k]).sum();
            let fn_ = (0..5).filter(|&x| x != k).map(|x| sc[k][x]).sum();
            (s.to_string(), Pr { tp, fp, fn_ })
        })
        .collect();
    let n = both.len() as u64;
    let index: HashMap<&str, usize> = both
        .iter()
        .enumerate()
        .map(|(i, (r, _))| (r.id_art.as_str(), i))
        .collect();
    let rp = pairs(&both.iter().map(|x| x.0).collect::<Vec<_>>(), &index);
    let tp_pairs = pairs(&both.iter().map(|x| x.1).collect::<Vec<_>>(), &index);
    let inter = rp.intersection(&tp_pairs).count() as u64;
    let cases = cases(&both, &rp, &tp_pairs);
    Report {
        rows: n,
        missing_in_results,
        missing_in_truth,
        status_confusion: sc,
        status,
        status_accuracy: ratio((0..5).map(|k| sc[k][k]).sum(), n),
        flags: Flag::ALL
            .iter()
            .zip(flags)
            .map(|(f, p)| (f.to_string(), p))
            .collect(),
        duplicate_pairs: Pr {
            tp: inter,
            fp: rp.len() as u64 - inter,
            fn_: tp_pairs.len() as u64 - inter,
        },
        nik_usulan: usulan,
        tindakan_accuracy: ratio((0..3).map(|k| tc[k][k]).sum(), n),
        tindakan_confusion: tc,
        cases,
    }
}

/// How many true pairs blocking puts in front of the comparator: a pair that
/// no rule proposes can never be linked, whatever the model.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct BlockingRecall {
    /// Registry rows whose true civil resident is known from the truth
    /// (`nik_usulan`, or the row's own NIK when the truth says `PADAN`).
    pub links: u64,
    /// Of those, rows whose true resident was among their candidates.
    pub links_found: u64,
    /// True duplicate pairs (two rows sharing a truth duplicate group).
    pub duplicate_pairs: u64,
    /// Of those, pairs that were candidates of each other directly.
    pub duplicate_pairs_found: u64,
    /// What each rule adds to the registry-civil candidates.
    pub rules: Vec<RuleContribution>,
}

impl BlockingRecall {
    /// Share of true registry-civil links among the candidates.
    pub fn link_recall(&self) -> f64 {
        ratio(self.links_found, self.links)
    }
    /// Share of true duplicate pairs among the candidates (a lower bound of
    /// what clustering can reach, since groups also join through a third row).
    pub fn duplicate_recall(&self) -> f64 {
        ratio(self.duplicate_pairs_found, self.duplicate_pairs)
    }
}

/// Measures blocking recall of the engine's rules with `cfg.max_block` on
/// `registry` and `civil` against `truth` (rows paired by `id_art`). Runs
/// the same preparation and blocking as [`crate::verify`], without scoring.
pub fn blocking_recall(
    registry: &[RegistryPerson],
    civil: &[CivilPerson],
    truth: &[VerificationRow],
    cfg: &MatchConfig,
) -> BlockingRecall {
    let civil_side = CivilSide::prepare(civil);
    let ctx = civil_side.registry(registry, Exec::Parallel);
    let rules = blockers();
    let civil_of: HashMap<u64, u32> = civil
        .iter()
        .enumerate()
        .map(|(i, c)| (c.nik.as_u64(), id32(i)))
        .collect();
    let row_of: HashMap<&str, usize> = registry
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id_art.as_str(), i))
        .collect();
    let mut want = vec![u32::MAX; registry.len()];
    let mut groups: HashMap<&str, Vec<usize>> = HashMap::new();
    for t in truth {
        let Some(&i) = row_of.get(t.id_art.as_str()) else {
            continue;
        };
        let nik = match (&t.nik_usulan, t.status) {
            (Some(n), _) => n.parse::<u64>().ok(),
            (None, NikStatus::Padan) => registry[i].nik.valid().map(|n| n.as_u64()),
            _ => None,
        };
        if let Some(c) = nik.and_then(|n| civil_of.get(&n)) {
            want[i] = *c;
        }
        if let Some(g) = &t.id_kelompok_ganda {
            groups.entry(g.as_str()).or_default().push(i);
        }
    }
    let civil_index = KeyIndex::build(&ctx, ctx.civil, &rules, None);
    let (links_found, rules_out) =
        link_recall_by_rule(&ctx, &rules, &civil_index, &want, cfg.max_block);
    drop(civil_index);
    let dup_pairs: Vec<(usize, u32)> = groups
        .values()
        .flat_map(|g| {
            g.iter().enumerate().flat_map(move |(a, &x)| {
                g[a + 1..].iter().map(move |&y| (x.min(y), id32(x.max(y))))
            })
        })
        .collect();
    let reg_index = KeyIndex::build(&ctx, &ctx.reg, &rules, None);
    let duplicate_pairs_found: u64 = dup_pairs
        .par_iter()
        .map_init(Scratch::default, |s, &(i, c)| {
            candidates_of(&ctx, &ctx.reg[i], &rules, &reg_index, cfg.max_block, s);
            u64::from(s.cands.binary_search(&c).is_ok())
        })
        .sum();
    BlockingRecall {
        links: want.iter().filter(|w| **w != u32::MAX).count() as u64,
        links_found,
        duplicate_pairs: dup_pairs.len() as u64,
        duplicate_pairs_found,
        rules: rules_out,
    }
}

/// What one blocking rule adds to the registry-civil candidates: the pairs
/// no other rule proposed, split by whether they are the true resident. A
/// rule whose exclusive pairs are nearly all false costs comparisons and
/// finds little.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct RuleContribution {
    /// Rule name.
    pub rule: String,
    /// Pairs the rule proposed (after the block cap, before the union).
    pub pairs: u64,
    /// Pairs proposed by this rule alone that are the true resident.
    pub only_true: u64,
    /// Pairs proposed by this rule alone that are not.
    pub only_false: u64,
}

/// Registry rows whose true resident (`want[i]`, `u32::MAX` if unknown) is
/// among their candidates, and each rule's exclusive pairs.
fn link_recall_by_rule(
    ctx: &crate::prepare::Prepared<'_>,
    rules: &[Box<dyn crate::block::Blocker>],
    index: &KeyIndex,
    want: &[u32],
    cap: usize,
) -> (u64, Vec<RuleContribution>) {
    let n = rules.len();
    // Per rule: pairs, exclusive true, exclusive false; then rows found.
    let zero = || (vec![[0u64; 3]; n], 0u64);
    let (totals, found_rows) = ctx
        .reg
        .par_iter()
        .enumerate()
        .fold(
            || (zero(), Vec::<(u32, u32)>::new(), Vec::new()),
            |((mut acc, mut rows), mut found, mut keys), (i, r)| {
                found.clear();
                for (ri, rule) in rules.iter().enumerate() {
                    keys.clear();
                    rule.keys(ctx, r, &mut keys);
                    for &k in &keys {
                        let it = index.lookup(ri, k);
                        if it.len() > cap {
                            continue;
                        }
                        acc[ri][0] += it.len() as u64;
                        found.extend(it.map(|c| (c, 1u32 << ri)));
                    }
                }
                found.sort_unstable();
                for run in found.chunk_by(|a, b| a.0 == b.0) {
                    let c = run[0].0;
                    let mask = run.iter().fold(0, |m, x| m | x.1);
                    if c == want[i] {
                        rows += 1;
                    }
                    if mask.count_ones() == 1 {
                        let ri = mask.trailing_zeros() as usize;
                        acc[ri][if c == want[i] { 1 } else { 2 }] += 1;
                    }
                }
                ((acc, rows), found, keys)
            },
        )
        .map(|(acc, _, _)| acc)
        .reduce(zero, |(mut a, ra), (b, rb)| {
            for (x, y) in a.iter_mut().zip(&b) {
                for k in 0..3 {
                    x[k] += y[k];
                }
            }
            (a, ra + rb)
        });
    let per_rule = rules
        .iter()
        .zip(totals)
        .map(|(r, t)| RuleContribution {
            rule: r.name().to_string(),
            pairs: t[0],
            only_true: t[1],
            only_false: t[2],
        })
        .collect();
    (found_rows, per_rule)
}

impl fmt::Display for BlockingRecall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "blocking recall, links  {:.5} ({} of {})",
            self.link_recall(),
            self.links_found,
            self.links
        )?;
        writeln!(
            f,
            "blocking recall, dups   {:.5} ({} of {} pairs)",
            self.duplicate_recall(),
            self.duplicate_pairs_found,
            self.duplicate_pairs
        )?;
        writeln!(f, "pairs only one rule proposed (registry-civil):")?;
        for r in &self.rules {
            writeln!(
                f,
                "  {:<24} {:>10} pairs, alone: {:>6} true {:>9} false",
                r.rule, r.pairs, r.only_true, r.only_false
            )?;
        }
        Ok(())
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "rows {} (missing in results {}, missing in truth {})",
            self.rows, self.missing_in_results, self.missing_in_truth
        )?;
        writeln!(
            f,
            "{:<22} {:>9} {:>9} {:>8} {:>8} {:>8}",
            "", "precision", "recall", "tp", "fp", "fn"
        )?;
        let line = |f: &mut fmt::Formatter<'_>, name: &str, p: &Pr| {
            writeln!(
                f,
                "{:<22} {:>9.4} {:>9.4} {:>8} {:>8} {:>8}",
                name,
                p.precision(),
                p.recall(),
                p.tp,
                p.fp,
                p.fn_
            )
        };
        for (s, p) in &self.status {
            line(f, &format!("status {s}"), p)?;
        }
        for (s, p) in &self.flags {
            line(f, &format!("flag {s}"), p)?;
        }
        line(f, "duplicate pairs", &self.duplicate_pairs)?;
        line(f, "nik_usulan", &self.nik_usulan)?;
        writeln!(f, "duplicate pair F1      {:.4}", self.duplicate_pairs.f1())?;
        writeln!(f, "status accuracy        {:.4}", self.status_accuracy)?;
        writeln!(f, "tindakan accuracy      {:.4}", self.tindakan_accuracy)?;
        writeln!(f, "status confusion (rows truth, columns predicted):")?;
        write!(f, "{:<22}", "")?;
        for s in NikStatus::ALL {
            write!(f, " {:>10}", &s.as_str()[..s.as_str().len().min(10)])?;
        }
        writeln!(f)?;
        for (k, s) in NikStatus::ALL.iter().enumerate() {
            write!(f, "{:<22}", s.as_str())?;
            for x in 0..5 {
                write!(f, " {:>10}", self.status_confusion[k][x])?;
            }
            writeln!(f)?;
        }
        writeln!(f, "tindakan confusion (rows truth, columns predicted):")?;
        for (k, a) in Action::ALL.iter().enumerate() {
            write!(f, "{:<22}", a.as_str())?;
            for x in 0..3 {
                write!(f, " {:>10}", self.tindakan_confusion[k][x])?;
            }
            writeln!(f)?;
        }
        writeln!(
            f,
            "per case (truth keterangan label): rows, status accuracy, nik_usulan P/R (tp), duplicate pairs P/R (tp)"
        )?;
        for c in &self.cases {
            writeln!(
                f,
                "  {:<52} {:>8} {:>7.4}  {:>6.4} {:>6.4} {:>7}  {:>6.4} {:>6.4} {:>7}",
                c.case,
                c.rows,
                c.status_accuracy(),
                c.nik_usulan.precision(),
                c.nik_usulan.recall(),
                c.nik_usulan.tp,
                c.duplicate_pairs.precision(),
                c.duplicate_pairs.recall(),
                c.duplicate_pairs.tp,
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, status: NikStatus, flags: Vec<Flag>, group: Option<&str>) -> VerificationRow {
        VerificationRow {
            id_art: id.to_string(),
            status,
            flags,
            tindakan: Action::Tetap,
            nik_usulan: None,
            skor: None,
            id_kelompok_ganda: group.map(str::to_string),
            id_art_utama: None,
            keterangan: String::new(),
        }
    }

    #[test]
    fn duplicate_pairs_are_scored_regardless_of_group_ids() {
        let truth = vec![
            row("a", NikStatus::Padan, vec![Flag::Ganda], Some("T1")),
            row("b", NikStatus::Padan, vec![Flag::Ganda], Some("T1")),
            row("c", NikStatus::Padan, vec![Flag::Ganda], Some("T1")),
            row("d", NikStatus::TanpaNik, vec![], None),
        ];
        let results = vec![
            row("a", NikStatus::Padan, vec![Flag::Ganda], Some("G9")),
            row("b", NikStatus::Padan, vec![Flag::Ganda], Some("G9")),
            row("c", NikStatus::Padan, vec![], None),
            row("d", NikStatus::NikTidakValid, vec![Flag::Ganda], None),
        ];
        let r = score(&results, &truth);
        assert_eq!(
            r.duplicate_pairs,
            Pr {
                tp: 1,
                fp: 0,
                fn_: 2
            }
        );
        assert_eq!(r.status_accuracy, 0.75);
        let ganda = r.flags[0].1;
        assert_eq!(
            ganda,
            Pr {
                tp: 2,
                fp: 1,
                fn_: 1
            }
        );
        assert!(r.to_string().contains("status accuracy        0.7500"));
    }

    #[test]
    fn cases_are_scored_per_truth_label() {
        let labelled = |mut r: VerificationRow, k: &str, usulan: Option<&str>| {
            r.keterangan = k.to_string();
            r.nik_usulan = usulan.map(str::to_string);
            r
        };
        let truth = vec![
            labelled(
                row("a", NikStatus::Padan, vec![Flag::Ganda], Some("T1")),
                "kembar",
                None,
            ),
            labelled(
                row("b", NikStatus::TanpaNik, vec![Flag::Ganda], Some("T1")),
                "baris ganda; NIK kosong",
                Some("3276010101900001"),
            ),
            labelled(
                row("c", NikStatus::TanpaNik, vec![], None),
                "NIK kosong",
                Some("3276010101900002"),
            ),
            labelled(row("d", NikStatus::Padan, vec![], None), "kembar", None),
        ];
        let results = vec![
            labelled(
                row("a", NikStatus::Padan, vec![Flag::Ganda], Some("G1")),
                "",
                None,
            ),
            labelled(
                row("b", NikStatus::TanpaNik, vec![], None),
                "",
                Some("3276010101900001"),
            ),
            labelled(row("c", NikStatus::TanpaNik, vec![], None), "", None),
            // A twin merged with the other: a false pair of the case.
            labelled(
                row("d", NikStatus::Padan, vec![Flag::Ganda], Some("G1")),
                "",
                None,
            ),
        ];
        let r = score(&results, &truth);
        let case = |name: &str| r.cases.iter().find(|c| c.case == name).expect(name);
        let kosong = case("NIK kosong");
        assert_eq!((kosong.rows, kosong.status_right), (2, 2));
        assert_eq!(
            kosong.nik_usulan,
            Pr {
                tp: 1,
                fp: 0,
                fn_: 1
            }
        );
        // The true pair (a, b) was missed; it touches both labels of b and a's.
        assert_eq!(kosong.duplicate_pairs.fn_, 1);
        assert_eq!(case("baris ganda").duplicate_pairs.fn_, 1);
        // The twins' false pair (a, d) counts against "kembar" only.
        let kembar = case("kembar");
        assert_eq!(
            (kembar.duplicate_pairs.fp, kembar.duplicate_pairs.fn_),
            (1, 1)
        );
        assert_eq!(case("baris ganda").duplicate_pairs.fp, 0);
        assert_eq!(
            r.cases.iter().map(|c| c.case.as_str()).collect::<Vec<_>>(),
            ["NIK kosong", "baris ganda", "kembar"]
        );
    }
}
