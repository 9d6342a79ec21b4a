//! The result of a run does not depend on the number of worker threads,
//! down to the last bit of every weight an explanation prints.

use padu_match::{MatchConfig, NoProgress, verify};
use padu_testkit::generated;

#[test]
fn generated_data_gives_the_same_rows_and_weights_on_one_and_two_threads() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let gen_cfg = padu_gen::GenConfig {
        people: 100_000,
        seed: 5,
        today: padu_testkit::today(),
        ..padu_gen::GenConfig::default()
    };
    padu_gen::generate(&gen_cfg, dir.path(), &|_| {}).expect("generate");
    let civil = generated::civil(dir.path());
    let registry = generated::registry(dir.path());
    let run = |threads| {
        let cfg = MatchConfig {
            threads: Some(threads),
            explain: true,
            ..MatchConfig::default()
        };
        verify(&registry, &civil, &cfg, &NoProgress).expect("the engine runs")
    };
    let (one, two) = (run(1), run(2));
    assert_eq!(one.rows, two.rows);
    // EM sums over the candidate patterns: in the order of a map merged
    // from per-thread parts, the prior differed in its last bits.
    assert_eq!(one.explanations, two.explanations);
    assert!(one.rows.iter().any(|r| r.id_kelompok_ganda.is_some()));
}
