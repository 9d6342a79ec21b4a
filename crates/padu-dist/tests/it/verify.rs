//! `padu verify` as one distributed job: a scheduler and two executors
//! write, per regency, the result rows the single-process engine writes.

use std::collections::HashMap;

use padu_match::{MatchConfig, NoProgress};

use crate::cluster::Cluster;
use crate::density::generate;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_distributed_run_writes_the_engine_s_rows_by_regency() {
    let data = generate(20_000, 14);
    let cfg = MatchConfig {
        u_samples: 60_000,
        ..MatchConfig::default()
    };
    let engine =
        padu_match::verify(&data.registry, &data.civil, &cfg, &NoProgress).expect("engine");

    let cluster = Cluster::start(2);
    let ctx = padu_dist::connect(&cluster.scheduler)
        .await
        .expect("connect");
    let job = padu_dist::Job::new(
        &data.parquet,
        &data.registry_parquet,
        padu_testkit::today(),
        &data.dir.path().join("hasil.kerja"),
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

    // One directory per regency, each holding only its own rows.
    let regency_of: HashMap<&str, String> = data
        .registry
        .iter()
        .map(|p| {
            let r = p.kode_wilayah.regency().expect("a village has a regency");
            (p.id_art.as_str(), r.to_string())
        })
        .collect();
    let files = padu_dist::result_files(&out).expect("result files");
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
    let single = data.dir.path().join("padu-verify.parquet");
    let mut writer = padu_io::ResultWriter::create(&single).expect("result file");
    for row in &engine.rows {
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
