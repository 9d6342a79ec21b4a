//! Blocking on the cluster (a join of the two key tables) finds the pairs
//! the single-process engine finds, rule by rule.

use padu_match::{MatchConfig, NoProgress};

use crate::cluster::Cluster;
use crate::density::generate;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocking_on_the_cluster_finds_the_engine_s_candidate_pairs() {
    let data = generate(30_000, 12);
    let cfg = MatchConfig::default();
    let engine = padu_match::verify(&data.registry, &data.civil, &cfg, &NoProgress)
        .expect("engine")
        .stats;

    let cluster = Cluster::start(2);
    let ctx = padu_dist::connect(&cluster.scheduler)
        .await
        .expect("connect");
    let density = padu_dist::civil_density(&ctx, &data.parquet)
        .await
        .expect("density");
    let stats = data.dir.path().join("statistik.bin");
    padu_dist::stats::write(&stats, &density).expect("write statistics");
    let today = padu_testkit::today();
    let side = |side, path| padu_dist::keys::KeysSpec::new(side, path, today, &stats);
    let found = padu_dist::blocking(
        &ctx,
        side(padu_dist::keys::Side::Civil, &data.parquet),
        side(padu_dist::keys::Side::Registry, &data.registry_parquet),
        data.civil.len(),
        cfg.max_block,
    )
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
}
