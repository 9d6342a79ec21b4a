//! A [`Verifier`] built from a full run's civil extract and stored model
//! checks every registry row of generated data exactly as the full run
//! decided and explained it.

use std::sync::OnceLock;

use padu_core::{IdField, Nik, NikStatus, RegistryPerson, VerificationRow};
use padu_match::{DuplicateGroup, MatchConfig, Model, NoProgress, Verifier, VerifyOutput, verify};
use padu_testkit::generated::Generated;

/// A generated data set, its full run and a verifier over its civil extract.
struct Run {
    registry: Vec<RegistryPerson>,
    /// The generator's ground truth, one row per registry row.
    truth: Vec<VerificationRow>,
    out: VerifyOutput,
    verifier: Verifier,
}

/// Generates `people` residents (in `wilayah` only, if given), verifies
/// the registry with `cfg` (and explanations) and builds a verifier from
/// the civil extract and the run's model after a round trip through JSON,
/// as a server stores it.
fn run(people: usize, seed: u64, wilayah: Option<&str>, cfg: MatchConfig) -> Run {
    let data = match wilayah {
        Some(code) => Generated::within(code, people, seed),
        None => Generated::new(people, seed),
    };
    let truth = data.truth();
    let Generated {
        civil, registry, ..
    } = data;
    let cfg = MatchConfig {
        explain: true,
        ..cfg
    };
    let out = verify(&registry, &civil, &cfg, &NoProgress).expect("the engine runs");
    let stored = serde_json::to_string(&out.stats.model).expect("the model serialises");
    let model: Model = serde_json::from_str(&stored).expect("the model deserialises");
    let verifier = Verifier::new(civil, model, &cfg).expect("the verifier builds");
    Run {
        registry,
        truth,
        out,
        verifier,
    }
}

/// Country-wide data: most keys reach far, few blocks are crowded.
fn country() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| run(30_000, 11, None, MatchConfig::default()))
}

/// Depok only: a dense city, where keys are confined to districts and
/// villages, with a block cap low enough that some blocks exceed it.
fn dense_city() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    let cfg = MatchConfig {
        max_block: 2,
        ..MatchConfig::default()
    };
    RUN.get_or_init(|| run(20_000, 5, Some("32.76"), cfg))
}

/// Checks every row with its group from the run; returns the rows (by
/// index) whose check differs from the run in any column or in the explanation.
fn differing_rows(run: &Run) -> Vec<usize> {
    let (rows, explanations) = (&run.out.rows, &run.out.explanations);
    let mut differ = Vec::new();
    for (i, person) in run.registry.iter().enumerate() {
        let checked = run
            .verifier
            .check(person, DuplicateGroup::of(&rows[i]).as_ref());
        if checked.row != rows[i] || checked.explanation != explanations[i] {
            differ.push(i);
        }
        // The indices name the residents the explanation lists.
        let civil = run.verifier.civil();
        let niks: Vec<String> = checked
            .candidates
            .iter()
            .map(|&c| civil[c].nik.to_string())
            .collect();
        let explained: Vec<&str> = checked
            .explanation
            .candidates
            .iter()
            .map(|c| c.nik.as_str())
            .collect();
        assert_eq!(niks, explained, "row {i}");
        if checked.row.status == NikStatus::Padan {
            let matched = checked.matched.map(|c| civil[c].nik);
            assert_eq!(matched, person.nik.valid(), "row {i}");
        }
    }
    differ
}

#[track_caller]
fn assert_all_equal(run: &Run) {
    let differ = differing_rows(run);
    let show: Vec<String> = differ
        .iter()
        .take(5)
        .map(|&i| format!("{:?}", run.out.rows[i]))
        .collect();
    assert!(
        differ.is_empty(),
        "{} of {} rows differ, e.g. {show:#?}",
        differ.len(),
        run.registry.len()
    );
}

#[test]
fn every_checked_row_equals_the_full_run_country_wide() {
    let run = country();
    assert!(run.out.rows.iter().any(|r| r.id_kelompok_ganda.is_some()));
    assert_all_equal(run);
}

#[test]
fn every_checked_row_equals_the_full_run_in_a_dense_city() {
    let run = dense_city();
    assert!(
        run.out.stats.rules.iter().any(|r| r.skipped_blocks > 0),
        "the data should crowd some blocks past the cap: {:?}",
        run.out.stats.rules
    );
    assert_all_equal(run);
}

#[test]
fn a_row_corrected_to_its_true_nik_is_padan_at_once() {
    // The rows for which the run proposed the NIK the generator knows to be
    // the person's: an operator types it in, and the check says PADAN.
    let run = country();
    let mut corrected = 0;
    for ((person, row), truth) in run.registry.iter().zip(&run.out.rows).zip(&run.truth) {
        assert_eq!(row.id_art, truth.id_art);
        let Some(proposed) = row
            .nik_usulan
            .as_ref()
            .filter(|n| truth.nik_usulan.as_ref() == Some(n))
        else {
            continue;
        };
        let mut fixed = person.clone();
        fixed.nik =
            IdField::Valid(Nik::parse(proposed, padu_testkit::today()).expect("a civil NIK"));
        let checked = run.verifier.check(&fixed, DuplicateGroup::of(row).as_ref());
        assert_eq!(
            checked.row.status,
            NikStatus::Padan,
            "{} corrected to {proposed}: {}",
            row.id_art,
            checked.row.keterangan
        );
        assert_eq!(checked.row.nik_usulan, None);
        corrected += 1;
    }
    assert!(
        corrected > 100,
        "only {corrected} rows had a true NIK proposed"
    );
}

#[test]
fn a_verifier_can_be_shared_between_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<Verifier>();
}
