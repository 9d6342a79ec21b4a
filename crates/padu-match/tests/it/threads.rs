//! The result of a run does not depend on the number of worker threads,
//! down to the last bit of every weight an explanation prints.

use padu_match::{MatchConfig, NoProgress, verify};
use padu_testkit::generated::Generated;

#[test]
fn generated_data_gives_the_same_rows_and_weights_on_one_and_two_threads() {
    let Generated {
        civil, registry, ..
    } = Generated::new(100_000, 5);
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
