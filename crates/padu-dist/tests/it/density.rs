//! The civil density statistics counted on the cluster equal the
//! single-process engine's own, also when an executor dies mid-job.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use padu_match::partition::CivilDensity;
use padu_testkit::generated::Generated;

use crate::cluster::Cluster;

/// A generated civil extract and registry as Parquet, with the engine's own statistics.
pub(crate) struct Data {
    pub(crate) parquet: PathBuf,
    pub(crate) registry_parquet: PathBuf,
    pub(crate) civil: Vec<padu_core::CivilPerson>,
    pub(crate) registry: Vec<padu_core::RegistryPerson>,
    pub(crate) reference: CivilDensity,
    pub(crate) dir: tempfile::TempDir,
}

pub(crate) fn generate(people: usize, seed: u64) -> Data {
    let Generated {
        dir,
        civil,
        registry,
    } = Generated::new(people, seed);
    let parquet = dir.path().join("civil.parquet");
    padu_io::write_civil(&parquet, civil.iter().cloned()).expect("write civil.parquet");
    let registry_parquet = dir.path().join("registry.parquet");
    padu_io::write_registry(&registry_parquet, registry.iter().cloned())
        .expect("write registry.parquet");
    Data {
        parquet,
        registry_parquet,
        reference: padu_match::partition::civil_density(&civil),
        civil,
        registry,
        dir,
    }
}

/// Large enough that a job is still running when an executor is killed.
pub(crate) fn large() -> &'static Data {
    static DATA: OnceLock<Data> = OnceLock::new();
    DATA.get_or_init(|| generate(150_000, 8))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn density_counted_on_two_executors_equals_the_engine_s() {
    let data = generate(20_000, 3);
    let cluster = Cluster::start(2);
    let ctx = padu_dist::connect(&cluster.scheduler)
        .await
        .expect("connect");
    // The GROUP BY runs hash-partitioned (4 partitions) over both executors.
    let counted = padu_dist::civil_density(&ctx, &data.parquet)
        .await
        .expect("density on the cluster");
    assert_eq!(counted.villages, data.reference.villages);
    assert_eq!(counted.attributes.len(), data.reference.attributes.len());
    assert_eq!(counted, data.reference);
}

/// Runs the density job while the first executor to log `trigger` is
/// killed (SIGKILL), and checks that the answer is still the engine's.
async fn survives_a_killed_executor(trigger: &'static str) {
    let data = large();
    let mut cluster = Cluster::start(2);
    let ctx = padu_dist::connect(&cluster.scheduler)
        .await
        .expect("connect");
    let killed = cluster.kill_executor_on(trigger);
    let start = Instant::now();
    // Not a speed check: a job that waits for a lost executor forever (as
    // with Ballista's adaptive planner) must fail the test, not hang it.
    let counted = tokio::time::timeout(
        Duration::from_secs(600),
        padu_dist::civil_density(&ctx, &data.parquet),
    )
    .await
    .expect("the job does not hang after losing an executor")
    .expect("the job finishes on the executor that is left");
    let took = start.elapsed();
    let waited = Instant::now();
    while !killed.is_finished() && waited.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(killed.is_finished(), "an executor was killed");
    let (_, killed_at) = killed.join().expect("watcher");
    assert!(
        killed_at < start + took,
        "the executor died before the answer came"
    );
    assert_eq!(counted, data.reference);
    eprintln!("{trigger}: answered in {took:?} after losing an executor");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_executor_killed_during_its_first_task_is_replaced() {
    survives_a_killed_executor("Received task").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_executor_killed_after_finishing_a_stage_is_replaced() {
    survives_a_killed_executor("Finished task").await;
}
