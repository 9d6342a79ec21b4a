//! Files with broken rows, as every national extract has: the distributed
//! job refuses them and names every bad row, or with `--partial` leaves
//! exactly the rows `padu verify --partial` leaves out, lists the same
//! errors, and writes the result the engine gives on the rows it keeps.

use std::path::Path;

use datafusion::config::TableParquetOptions;
use datafusion::dataframe::DataFrameWriteOptions;
use datafusion::prelude::{ParquetReadOptions, SessionConfig, SessionContext};
use padu_core::{Lang, LifeStatus};
use padu_io::{CivilReader, ReadOptions, RegistryReader, Severity};
use padu_match::{MatchConfig, NoProgress};
use padu_testkit::generated::Generated;

use crate::cluster::Cluster;
use crate::verify::assert_same_rows;

/// Rows per row group: small, so that a file has several parts and a
/// repeated key can sit in another part than its first use.
const GROUP_ROWS: usize = 1000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_rows_refuse_the_job_or_are_left_out_as_padu_verify_leaves_them_out() {
    let Generated {
        dir,
        mut civil,
        mut registry,
    } = Generated::new(12_000, 21);
    // The issue's case: died before being born (a handful of rows).
    for i in [3, 2_500, 7_777, 11_000] {
        let c = &mut civil[i];
        c.status_hidup = LifeStatus::Meninggal;
        c.tgl_meninggal = c.tgl_lahir.pred_opt();
    }
    // A NIK used again in another part, and again in the same part.
    civil[9_000].nik = civil[50].nik;
    civil[60].nik = civil[55].nik;
    // The repeat of a row that is itself broken: still a repeat.
    civil[10_500].nik = civil[3].nik;
    // An `id_art` used again in another part, and one missing.
    assert!(registry.len() > 2 * GROUP_ROWS, "{}", registry.len());
    let last = registry.len() - 5;
    registry[last].id_art = registry[10].id_art.clone();
    registry[20].id_art = padu_core::Text::default();

    let civil_path = dir.path().join("dukcapil.parquet");
    let registry_path = dir.path().join("dtks.parquet");
    write_in_parts(&dir.path().join("c.parquet"), &civil_path, |p| {
        padu_io::write_civil(p, civil.iter().cloned())
    })
    .await;
    write_in_parts(&dir.path().join("r.parquet"), &registry_path, |p| {
        padu_io::write_registry(p, registry.iter().cloned())
    })
    .await;
    assert!(padu_io::parquet_row_groups(&civil_path).unwrap().len() >= 12);

    // What `padu verify --partial` keeps and lists, read the way it reads.
    let today = padu_testkit::today();
    let (kept_registry, registry_errors) =
        read_kept(RegistryReader::open(&registry_path, &opts(today)).expect("registry"));
    let (kept_civil, civil_errors) =
        read_kept(CivilReader::open(&civil_path, &opts(today)).expect("civil"));
    assert_eq!(registry.len() - kept_registry.len(), 2);
    assert_eq!(civil.len() - kept_civil.len(), 7);
    let expected: Vec<String> = registry_errors
        .iter()
        .chain(&civil_errors)
        .cloned()
        .collect();
    for code in ["NIK \"", "id_art \"", "sudah dipakai di baris"] {
        assert!(
            expected.iter().any(|e| e.contains(code)),
            "{code}: {expected:#?}"
        );
    }

    let cluster = Cluster::start(2);
    let ctx = padu_dist::connect(&cluster.scheduler)
        .await
        .expect("connect");
    let cfg = MatchConfig {
        u_samples: 60_000,
        ..MatchConfig::default()
    };
    let job = padu_dist::Job::new(
        &civil_path,
        &registry_path,
        today,
        &dir.path().join("kerja"),
        cfg,
    )
    .expect("job");

    // Without --partial: refused, every bad row named, nothing written.
    let out = dir.path().join("hasil-ditolak");
    match padu_dist::verify(&ctx, &job, &out, &|_| {}).await {
        Err(padu_dist::DistError::BadRows { rows, errors }) => {
            assert_eq!(rows, 9);
            assert_eq!(errors, expected);
        }
        other => panic!("refused for its bad rows, not {other:?}"),
    }
    assert!(padu_dist::result_files(&out).map_or(true, |f| f.is_empty()));

    // With it, through the command a data engineer runs: the same rows left
    // out, the same errors listed and counted, the engine's result on the
    // rows kept.
    let engine = padu_match::verify(
        &kept_registry,
        &kept_civil,
        &MatchConfig::default(),
        &NoProgress,
    )
    .expect("engine");
    let out = dir.path().join("hasil");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_padu-dist"))
        .arg("verify")
        .arg("--registry")
        .arg(&registry_path)
        .arg("--civil")
        .arg(&civil_path)
        .arg("--out")
        .arg(&out)
        .args(["--scheduler", &cluster.scheduler])
        .args(["--today", &today.format("%Y-%m-%d").to_string()])
        .arg("--partial")
        // Neither the default nor the library test's seven partitions.
        .args(["--partitions", "3"])
        .output()
        .expect("padu-dist verify --partial");
    let said = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{said}");
    assert!(
        said.contains("baris ditolak (--partial): 2 DTKS, 7 Dukcapil; 9 galat tercatat di"),
        "{said}"
    );
    let rejects = std::fs::read_to_string(dir.path().join("hasil.ditolak.txt")).expect("rejects");
    assert_eq!(rejects.lines().collect::<Vec<_>>(), expected);
    assert_same_rows(&out, &kept_registry, &engine.rows, dir.path());
}

fn opts(today: chrono::NaiveDate) -> ReadOptions {
    let mut o = ReadOptions::new(today);
    o.max_issues = usize::MAX;
    o
}

/// The records a partial read keeps and its errors, Indonesian, in file order.
fn read_kept<T>(rows: impl Iterator<Item = padu_io::Row<T>>) -> (Vec<T>, Vec<String>) {
    let (mut kept, mut errors) = (Vec::new(), Vec::new());
    for row in rows {
        errors.extend(
            row.issues
                .iter()
                .filter(|i| i.severity == Severity::Error)
                .map(|i| i.message(Lang::Id)),
        );
        kept.extend(row.record);
    }
    (kept, errors)
}

/// Writes a file with `write` to `tmp`, then copies it to `to` in row
/// groups of [`GROUP_ROWS`] rows, rows and columns unchanged.
async fn write_in_parts(
    tmp: &Path,
    to: &Path,
    write: impl FnOnce(&Path) -> Result<u64, padu_io::WriteError>,
) {
    write(tmp).expect("write");
    let ctx = SessionContext::new_with_config(SessionConfig::new().with_target_partitions(1));
    let df = ctx
        .read_parquet(tmp.to_str().unwrap(), ParquetReadOptions::default())
        .await
        .expect("read back");
    let mut options = TableParquetOptions::default();
    options.global.max_row_group_size = GROUP_ROWS;
    df.write_parquet(
        to.to_str().unwrap(),
        DataFrameWriteOptions::new().with_single_file_output(true),
        Some(options),
    )
    .await
    .expect("rewrite in row groups");
}
