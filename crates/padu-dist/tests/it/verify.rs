//! `padu verify` as one distributed job: a scheduler and two executors
//! write, per regency, the result rows the single-process engine writes.

use std::collections::HashMap;

use padu_match::{MatchConfig, NoProgress};

use crate::cluster::Cluster;
use crate::density::generate;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_distributed_run_writes_the_engine_s_rows_by_regency() {
    let cluster = Cluster::start(2);
    // Not the default four: the answers must not depend on the partitioning.
    run_and_check(&cluster, 14, 7).await;
}

/// The run survives an executor killed in the middle of a task (SIGKILL
/// at the 200th task start over both executors, of about 370 in the run:
/// past the statistics, key and training stages): the scheduler cancels
/// the queries that were running, the client runs them again on the
/// executor that is left, and the result is still the engine's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_distributed_run_survives_an_executor_killed_mid_task() {
    survives_a_killed_executor("Received task", 200, 15).await;
}

/// As above, the executor killed just after it finished a task (the 120th
/// task end): its shuffle output, which a later stage needs, is lost with it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_distributed_run_survives_an_executor_killed_after_finishing_a_task() {
    survives_a_killed_executor("Finished task", 120, 16).await;
}

/// Runs the job of [`run_and_check`] with data of `seed` and kills an
/// executor at the `nth` executor log line containing `trigger`.
async fn survives_a_killed_executor(trigger: &'static str, nth: usize, seed: u64) {
    let mut cluster = Cluster::start(2);
    let killed = cluster.kill_executor_on_nth(trigger, nth);
    let start = std::time::Instant::now();
    // A hang is the failure this guards against, not a slow machine: the
    // limit is many times the run's usual time.
    tokio::time::timeout(
        std::time::Duration::from_secs(900),
        run_and_check(&cluster, seed, padu_dist::DEFAULT_PARTITIONS),
    )
    .await
    .expect("the run does not hang after losing an executor");
    assert!(killed.is_finished(), "an executor was killed mid-run");
    let (_, at) = killed.join().expect("watcher");
    // The loss was noticed and the query running then cancelled, to be run
    // again: the answer is not Ballista's recovery of it.
    let log = cluster.scheduler_log();
    assert!(log.contains("kueri yang berjalan dibatalkan"), "{log}");
    eprintln!(
        "executor killed {:.1} s into the run; result identical after {:.1} s",
        (at - start).as_secs_f64(),
        start.elapsed().as_secs_f64()
    );
}

/// Runs `padu-dist verify`'s job on generated data on `cluster`, its
/// shuffles in `partitions` partitions, and checks every result row against
/// the single-process engine's.
async fn run_and_check(cluster: &Cluster, seed: u64, partitions: usize) {
    let data = generate(20_000, seed);
    let cfg = MatchConfig {
        u_samples: 60_000,
        ..MatchConfig::default()
    };
    let engine =
        padu_match::verify(&data.registry, &data.civil, &cfg, &NoProgress).expect("engine");
    let ctx = padu_dist::connect_with(&cluster.scheduler, partitions)
        .await
        .expect("connect");
    let job = padu_dist::Job::new(
        &data.parquet,
        &data.registry_parquet,
        padu_testkit::today(),
        // An apostrophe in the path must not break the job's queries.
        &data.dir.path().join("kerja jum'at"),
        cfg,
    )
    .expect("job");
    let out = data.dir.path().join("hasil");
    let done = padu_dist::verify(&ctx, &job, &out, &|_| {})
        .await
        .expect("distributed verification");
    assert_eq!(done.rows, data.registry.len() as u64);
    assert_eq!(done.model, engine.stats.model);
    assert_eq!(done.candidate_pairs, engine.stats.candidate_pairs);
    assert_eq!(done.dedup_pairs, engine.stats.dedup_pairs);
    assert_eq!(done.duplicate_groups, engine.stats.duplicate_groups);
    assert!(
        done.duplicate_groups > 10,
        "{} groups",
        done.duplicate_groups
    );

    assert_same_rows(&out, &data.registry, &engine.rows, data.dir.path());
    // Written there by `assert_same_rows`.
    let single = data.dir.path().join("padu-verify.parquet");

    // `padu-dist compare` says the same, and notices one changed row.
    let compare = |with: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_padu-dist"))
            .arg("compare")
            .arg("--dist")
            .arg(&out)
            .arg("--with")
            .arg(with)
            .output()
            .expect("padu-dist compare")
    };
    let same = compare(&single);
    let said = String::from_utf8_lossy(&same.stdout);
    assert!(same.status.success(), "{said}");
    assert!(
        said.contains(&format!("{} baris sama, 0 berbeda", engine.rows.len())),
        "{said}"
    );
    let changed = data.dir.path().join("diubah.csv");
    let mut writer = padu_io::ResultWriter::create(&changed).expect("result file");
    for (i, row) in engine.rows.iter().enumerate() {
        let mut row = row.clone();
        if i == 7 {
            row.keterangan.push_str(" (diubah)");
        }
        writer.write(&row).expect("write");
    }
    writer.finish().expect("finish");
    let differ = compare(&changed);
    let said = String::from_utf8_lossy(&differ.stdout);
    assert_eq!(differ.status.code(), Some(1), "{said}");
    assert!(said.contains(", 1 berbeda,"), "{said}");
}

/// Checks that the result directory `out` holds, one directory per regency
/// and each with only its own rows, exactly the rows `padu verify` writes
/// for `engine_rows` (the engine's rows for `registry`).
pub(crate) fn assert_same_rows(
    out: &std::path::Path,
    registry: &[padu_core::RegistryPerson],
    engine_rows: &[padu_core::VerificationRow],
    dir: &std::path::Path,
) {
    // One directory per regency, each holding only its own rows.
    let regency_of: HashMap<&str, String> = registry
        .iter()
        .map(|p| {
            let r = p.kode_wilayah.regency().expect("a village has a regency");
            (p.id_art.as_str(), r.to_string())
        })
        .collect();
    let files = padu_dist::result_files(out).expect("result files");
    let mut rows = Vec::new();
    let mut regencies = std::collections::BTreeSet::new();
    for f in &files {
        let dir = f.parent().and_then(|d| d.file_name()).expect("a directory");
        let regency = dir
            .to_str()
            .and_then(|d| d.strip_prefix("kode_kabupaten="))
            .expect("kode_kabupaten=<code>");
        regencies.insert(regency.to_string());
        for row in padu_io::read_results(f).expect("a result file padu reads") {
            assert_eq!(regency_of[row.id_art.as_str()], regency, "{}", row.id_art);
            rows.push(row);
        }
    }
    assert!(regencies.len() > 1, "{regencies:?}");
    // Row for row what `padu verify` writes (the engine's rows through the
    // same result file), whatever order the files hold them in.
    let single = dir.join("padu-verify.parquet");
    let mut writer = padu_io::ResultWriter::create(&single).expect("result file");
    for row in engine_rows {
        writer.write(row).expect("write");
    }
    writer.finish().expect("finish");
    let mut expected = padu_io::read_results(&single).expect("read back");
    rows.sort_by(|a, b| a.id_art.cmp(&b.id_art));
    expected.sort_by(|a, b| a.id_art.cmp(&b.id_art));
    assert_eq!(rows.len(), expected.len());
    for (got, want) in rows.iter().zip(&expected) {
        assert_eq!(got, want);
    }
}
