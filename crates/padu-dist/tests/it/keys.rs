//! Blocking keys computed by the tasks that read each part of the files
//! equal the keys the single-process engine computes for the whole.

use padu_match::partition::{Key, Statistics, civil_keys, registry_keys};

use crate::cluster::Cluster;
use crate::density::large;

/// `(row, rule, key)` of every key, sorted.
fn flat(keys: &[Vec<Key>]) -> Vec<(u64, u8, u64)> {
    let mut out: Vec<_> = keys
        .iter()
        .enumerate()
        .flat_map(|(i, ks)| ks.iter().map(move |&(r, k)| (i as u64, r, k)))
        .collect();
    out.sort_unstable();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_of_both_sides_computed_per_row_group_equal_the_engine_s() {
    let data = large();
    let cluster = Cluster::start(2);
    let ctx = padu_dist::connect(&cluster.scheduler)
        .await
        .expect("connect");
    // The statistics as the cluster counts them, broadcast as a file.
    let density = padu_dist::civil_density(&ctx, &data.parquet)
        .await
        .expect("density");
    assert_eq!(density, data.reference);
    let stats = data.dir.path().join("statistik.bin");
    padu_dist::stats::write(&stats, &density).expect("write statistics");

    let today = padu_testkit::today();
    let spec =
        padu_dist::keys::KeysSpec::new(padu_dist::keys::Side::Civil, &data.parquet, today, &stats);
    let groups = padu_io::parquet_row_groups(&data.parquet).expect("row groups");
    assert!(groups.len() >= 3, "{} row groups", groups.len());
    let civil = padu_dist::blocking_keys(&ctx, spec)
        .await
        .expect("civil keys");
    let expected = flat(&civil_keys(&data.civil, Statistics::of(&data.reference)));
    assert_eq!(civil.len(), expected.len());
    assert!(civil == expected, "civil keys differ");

    let spec = padu_dist::keys::KeysSpec::new(
        padu_dist::keys::Side::Registry,
        &data.registry_parquet,
        today,
        &stats,
    );
    let registry = padu_dist::blocking_keys(&ctx, spec)
        .await
        .expect("registry keys");
    let expected = flat(&registry_keys(
        &data.registry,
        Statistics::of(&data.reference),
    ));
    assert_eq!(registry.len(), expected.len());
    assert!(registry == expected, "registry keys differ");
}
