//! Linking on the cluster, stage by stage, against the single-process
//! engine on the same input: blocking (a join of the two key tables) finds
//! the engine's pairs rule by rule, comparing them where their records meet
//! gives the engine's levels, and the model learnt from counts made on the
//! cluster is the engine's.

use padu_match::{MatchConfig, NoProgress};

use crate::cluster::Cluster;
use crate::density::generate;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn linking_on_the_cluster_gives_the_engine_s_pairs_and_model() {
    let data = generate(30_000, 12);
    // A smaller u sample than the default keeps the test short; the
    // distributed run draws the same pairs whatever the size.
    let cfg = MatchConfig {
        u_samples: 60_000,
        ..MatchConfig::default()
    };
    let engine = padu_match::verify(&data.registry, &data.civil, &cfg, &NoProgress)
        .expect("engine")
        .stats;

    let cluster = Cluster::start(2);
    let ctx = padu_dist::connect(&cluster.scheduler)
        .await
        .expect("connect");
    let job = padu_dist::Job::new(
        &data.parquet,
        &data.registry_parquet,
        padu_testkit::today(),
        &data.dir.path().join("kerja"),
        cfg.clone(),
    )
    .expect("job");
    assert_eq!(
        (job.civil_rows, job.registry_rows),
        (data.civil.len(), data.registry.len())
    );
    padu_dist::statistics(&ctx, &job).await.expect("statistics");
    let found = padu_dist::blocking(&ctx, &job)
        .await
        .expect("blocking on the cluster");

    let rules: Vec<(u64, u64)> = engine
        .rules
        .iter()
        .map(|r| (r.pairs, r.skipped_blocks))
        .collect();
    assert!(engine.candidate_pairs > data.registry.len() as u64);
    assert_eq!(found.rules, rules);
    assert_eq!(found.candidate_pairs, engine.candidate_pairs);

    // Every pair compared on the cluster, records shipped to the pairs,
    // equals the engine's block-and-compare output pair for pair.
    let compared = padu_dist::compared_pairs(&ctx).await.expect("compare");
    let reference: Vec<(u64, u64, u64)> =
        padu_match::partition::engine_candidates(&data.registry, &data.civil, cfg.max_block)
            .into_iter()
            .map(|(r, c, v)| (u64::from(r), u64::from(c), v))
            .collect();
    assert_eq!(compared.len() as u64, engine.candidate_pairs);
    assert_eq!(compared, reference);
    let mut patterns = std::collections::BTreeMap::<u64, u64>::new();
    for (_, _, v) in &reference {
        *patterns.entry(*v).or_default() += 1;
    }
    let patterns: Vec<(u64, u64)> = patterns.into_iter().collect();
    assert!(patterns.len() > 50, "{} patterns", patterns.len());
    assert_eq!(
        padu_dist::pattern_counts(&ctx).await.expect("patterns"),
        patterns
    );

    // The model: EM on the client, on counts made on the cluster.
    let model = padu_dist::train(&ctx, &job).await.expect("train");
    assert_eq!(model, engine.model);
}
