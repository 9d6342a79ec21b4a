//! The whole job: `padu verify` as one distributed run.
//!
//! Stages, each a query the cluster runs (the views are in [`crate`]):
//!
//! 0. every row of both files read and checked ([`crate::check`]): a row
//!    with an error refuses the job, or with `--partial` is left out;
//! 1. civil statistics ([`crate::statistics`]), written to the work directory;
//! 2. blocking keys, candidate pairs, records joined to them and compared
//!    ([`crate::register_linking`]);
//! 3. training: pattern counts on the cluster, EM on the client
//!    ([`crate::train()`]); the model is written to the work directory;
//! 4. per registry row: the civil count of its name, the holder of its NIK
//!    and its candidates joined to it, scored and linked (`padu_link`),
//!    kept in the work directory as Parquet;
//! 5. deduplication: the registry's own pairs compared, its model trained
//!    the same way, the edges of the duplicate graph judged on the cluster;
//!    the clustering runs on the client, on the rows the edges and shared
//!    anchors involve (a few per cent), and its groups go to the work
//!    directory;
//! 6. per registry row: decided (`padu_decide`) and written, Parquet in the
//!    interchange result columns, one directory per regency.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use datafusion::arrow::array::{Array, AsArray, RecordBatch, StringArray, UInt64Array};
use datafusion::arrow::datatypes::{DataType, Field, Float64Type, Int64Type, Schema, UInt64Type};
use datafusion::dataframe::DataFrameWriteOptions;
use datafusion::error::DataFusionError;
use datafusion::prelude::{ParquetReadOptions, SessionContext};
use padu_core::NikStatus;
use padu_match::partition::{self, ClusterRow, Linked};
use padu_match::{Model, SavedModel};

use crate::rows::{REGENCY, write_model};
use crate::train::{register, write_columns};
use crate::{DistError, Job, count, wire};

/// What a distributed verification did.
#[derive(Debug, Clone)]
pub struct Verified {
    /// Result rows written (one per registry row).
    pub rows: u64,
    /// Distinct registry-civil candidate pairs compared.
    pub candidate_pairs: u64,
    /// Distinct registry-registry candidate pairs compared.
    pub dedup_pairs: u64,
    /// Edges of the duplicate graph.
    pub edges: usize,
    /// Rows the clustering looked at.
    pub cluster_rows: usize,
    /// Duplicate groups found.
    pub duplicate_groups: usize,
    /// The learnt registry-civil model.
    pub model: Model,
    /// Prior of the registry-registry model.
    pub dedup_lambda: f64,
    /// Wall time per stage, seconds.
    pub stages: Vec<(String, f64)>,
    /// The rows left out (only with [`Job::partial`]; otherwise any such
    /// row refuses the job).
    pub left_out: crate::LeftOut,
}

struct Timer {
    t: Instant,
    stages: Vec<(String, f64)>,
}

impl Timer {
    fn lap(&mut self, name: &str) {
        let now = Instant::now();
        self.stages
            .push((name.to_string(), (now - self.t).as_secs_f64()));
        self.t = now;
    }
}

/// Verifies `job` on the cluster behind `ctx` and writes the result to
/// `out` (one `kode_kabupaten=<code>` directory of Parquet files per
/// regency); `progress` hears each stage's name as it starts.
pub async fn verify(
    ctx: &SessionContext,
    job: &Job,
    out: &Path,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<Verified, DistError> {
    let mut timer = Timer {
        t: Instant::now(),
        stages: Vec::new(),
    };
    let today = job.today.format("%Y-%m-%d").to_string();
    // The result directory is emptied when a write is repeated: it must
    // hold nothing of anyone else's.
    if std::fs::read_dir(out).is_ok_and(|mut d| d.next().is_some()) {
        return Err(DistError::Unexpected(format!(
            "direktori hasil {} sudah berisi berkas; pilih direktori baru",
            out.display()
        )));
    }
    std::fs::create_dir_all(&job.work).map_err(DataFusionError::from)?;

    progress("memeriksa baris kedua berkas");
    let mut job = job.clone();
    let left_out = crate::check::check(ctx, &mut job).await?;
    let job = &job;
    timer.lap("check");

    progress("statistik Dukcapil");
    crate::statistics(ctx, job).await?;
    crate::register_linking(ctx, job).await?;
    timer.lap("statistics");

    progress("membandingkan kandidat dan melatih model");
    // Compared once and kept: training, the candidate lists and the
    // checks all read the pairs again.
    let candidate_pairs = kept_pairs(
        ctx,
        "candidates",
        "SELECT reg, civ, v FROM compared",
        &job.work.join("pasangan"),
        "compared",
    )
    .await?;
    let model = crate::train(ctx, job).await?;
    let model_path = job.work.join("model.json");
    write_model(
        &model_path,
        &SavedModel {
            model: model.clone(),
            config: job.cfg.clone(),
        },
    )?;
    timer.lap("block+compare+train");

    progress("menautkan tiap baris DTKS");
    register_rows(ctx, job, &model_path, &today, candidate_pairs).await?;
    timer.lap("link");

    progress("mencari data ganda");
    crate::register_dedup(ctx, job).await?;
    let dedup_pairs = kept_pairs(
        ctx,
        "dup_candidates",
        "SELECT a, b, v FROM dup_compared",
        &job.work.join("pasangan_ganda"),
        "dup_compared",
    )
    .await?;
    let dedup = crate::train::train_dedup(ctx, job, &model).await?;
    let dedup_path = job.work.join("model_ganda.json");
    write_model(
        &dedup_path,
        &SavedModel {
            model: dedup.clone(),
            config: job.cfg.clone(),
        },
    )?;
    let edges = edges(ctx, &dedup_path, &today, dedup_pairs).await?;
    let rows = cluster_rows(ctx, job, &edges).await?;
    let groups = partition::cluster(&rows.rows, &edges, &dedup);
    let named = partition::duplicate_groups(
        &groups,
        |r| rows.status.get(&r).copied().unwrap_or(NikStatus::TanpaNik),
        |r| rows.id_art.get(&r).map_or("", String::as_str),
    );
    write_groups(&job.work.join("kelompok.parquet"), &named)?;
    register(ctx, "groups", &job.work.join("kelompok.parquet")).await?;
    timer.lap("dedup");

    progress("memutuskan dan menulis hasil");
    // One result row per registry row, and every grouped row written with
    // its group (a group row lost with an executor would leave a duplicate
    // unmarked, not short).
    let written = crate::checked(async || {
        let written = decide(ctx, out, &model_path, &today).await?;
        if written != job.registry_rows as u64 {
            return Ok(Err(format!(
                "{written} baris hasil untuk {} baris DTKS",
                job.registry_rows
            )));
        }
        let grouped = grouped_rows(ctx, out).await?;
        Ok(if grouped == named.len() as u64 {
            Ok(written)
        } else {
            Err(format!(
                "{grouped} baris hasil dengan kelompok ganda dari {}",
                named.len()
            ))
        })
    })
    .await?;
    timer.lap("decide+write");
    Ok(Verified {
        rows: written,
        candidate_pairs,
        dedup_pairs,
        edges: edges.len(),
        cluster_rows: rows.rows.len(),
        duplicate_groups: groups.len(),
        model,
        dedup_lambda: dedup.lambda,
        stages: timer.stages,
        left_out,
    })
}

/// Runs `sql` on the cluster, writes its rows as Parquet to `dir` (by the
/// executors) and registers them as `name`, once they are the `expected`
/// number ([`write_once`], three attempts).
async fn materialize(
    ctx: &SessionContext,
    sql: &str,
    dir: &Path,
    name: &str,
    expected: u64,
) -> Result<(), DistError> {
    crate::checked(async || write_once(ctx, sql, dir, name, expected).await).await
}

/// One attempt of [`materialize`]: `Ok(Err(what does not add up))` when
/// the rows written are not the `expected` number (nothing is registered).
async fn write_once(
    ctx: &SessionContext,
    sql: &str,
    dir: &Path,
    name: &str,
    expected: u64,
) -> Result<Result<(), String>, DistError> {
    let path = format!("{}/", dir.display());
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(DataFusionError::from)?;
    }
    std::fs::create_dir_all(dir).map_err(DataFusionError::from)?;
    let out = ctx
        .sql(sql)
        .await?
        .write_parquet(&path, DataFrameWriteOptions::new(), None)
        .await?;
    let written = rows_written(&out);
    if written != expected {
        return Ok(Err(format!(
            "{name}: {written} dari {expected} baris tertulis"
        )));
    }
    ctx.deregister_table(name)?;
    ctx.register_parquet(name, &path, ParquetReadOptions::default())
        .await?;
    Ok(Ok(()))
}

/// Counts the pairs of view `pairs`, then compares and keeps them (`sql`,
/// written to `dir` and registered as `name`), and returns their number.
/// Each of the two queries computes the blocking keys again, so a key lost
/// with an executor in either makes them disagree, and both run again.
async fn kept_pairs(
    ctx: &SessionContext,
    pairs: &str,
    sql: &str,
    dir: &Path,
    name: &str,
) -> Result<u64, DistError> {
    crate::checked(async || {
        let n = count(ctx, &format!("SELECT COUNT(*) FROM {pairs}")).await?;
        Ok(write_once(ctx, sql, dir, name, n).await?.map(|()| n))
    })
    .await
}

/// The rows a write reports.
fn rows_written(out: &[RecordBatch]) -> u64 {
    out.iter()
        .filter_map(|b| b.column(0).as_primitive_opt::<UInt64Type>())
        .map(|c| c.values().iter().sum::<u64>())
        .sum()
}

/// Stage link's views: each registry row's name count, the holder of its
/// NIK, its candidates, and its link (`linked`: `row, civ, link,
/// candidates, holder`), kept in the work directory.
///
/// The links are checked three times before they are used: one per
/// registry row ([`write_once`]), their candidates adding up to the
/// `candidate_pairs` compared, and their NIK holders adding up to a
/// separate count of holders, so that a registry row's list of candidates
/// or its holder lost with an executor (it would be linked to nothing, or
/// its NIK taken as unknown) makes the query run again.
async fn register_rows(
    ctx: &SessionContext,
    job: &Job,
    model: &Path,
    today: &str,
    candidate_pairs: u64,
) -> Result<(), DistError> {
    let model = sql_text(&model.display().to_string());
    let view = |name: &'static str, sql: String| crate::view(ctx, name, sql);
    view(
        "civil_names",
        "SELECT k, COUNT(*) AS n FROM (SELECT padu_name_norm(rec) AS k FROM civil_records) \
         WHERE k IS NOT NULL GROUP BY k"
            .into(),
    )
    .await?;
    materialize(
        ctx,
        "SELECT r.row AS row, COALESCE(n.n, 0) AS name_count \
         FROM (SELECT row, padu_name_norm(rec) AS k FROM registry_records) r \
         LEFT JOIN civil_names n ON n.k = r.k",
        &job.work.join("jumlah_nama"),
        "registry_counts",
        job.registry_rows as u64,
    )
    .await?;
    // The NIKs are joined as numbers read from the files, and only the
    // holders' records fetched: the count that checks the holders then
    // costs a join of numbers, not a second pass over encoded records.
    view(
        "holder_rows",
        "SELECT r.row AS reg, c.row AS civ FROM registry_niks r \
         JOIN civil_niks c ON r.nik = c.nik"
            .into(),
    )
    .await?;
    view(
        "holders",
        "SELECT h.reg AS reg, h.civ AS civ, c.rec AS rec \
         FROM holder_rows h JOIN civil_records c ON c.row = h.civ"
            .into(),
    )
    .await?;
    view(
        "lists",
        "SELECT reg, array_agg(civ) AS civs, array_agg(v) AS vs, COUNT(*) AS n \
         FROM compared GROUP BY reg"
            .into(),
    )
    .await?;
    let sql = format!(
        "SELECT row, padu_linked_civ(link) AS civ, link, candidates, holder FROM (\
           SELECT r.row AS row, \
                  padu_link(r.rec, rc.name_count, l.civs, l.vs, h.civ, h.rec, \
                            '{model}', '{today}') AS link, \
                  COALESCE(l.n, 0) AS candidates, h.civ AS holder \
           FROM registry_records r \
           JOIN registry_counts rc ON rc.row = r.row \
           LEFT JOIN lists l ON l.reg = r.row \
           LEFT JOIN holders h ON h.reg = r.row)"
    );
    crate::checked(async || {
        let holders = count(ctx, "SELECT COUNT(*) FROM holder_rows").await?;
        let rows = job.registry_rows as u64;
        if let Err(p) = write_once(ctx, &sql, &job.work.join("tautan"), "linked", rows).await? {
            return Ok(Err(p));
        }
        let listed = count(
            ctx,
            "SELECT CAST(COALESCE(SUM(candidates), 0) AS BIGINT) FROM linked",
        )
        .await?;
        let held = count(ctx, "SELECT COUNT(holder) FROM linked").await?;
        Ok(if listed != candidate_pairs {
            Err(format!(
                "linked: {listed} dari {candidate_pairs} pasangan kandidat"
            ))
        } else if held != holders {
            Err(format!("linked: {held} pemegang NIK dari {holders}"))
        } else {
            Ok(())
        })
    })
    .await
}

/// The edges of the duplicate graph, `(row, later row, p)`, judged on the
/// cluster.
///
/// The query also counts the pairs judged not to be edges, in one row, so
/// that its answer accounts for every one of the `pairs` compared: an
/// answer short or doubled (an executor lost during it) runs again.
async fn edges(
    ctx: &SessionContext,
    model: &Path,
    today: &str,
    pairs: u64,
) -> Result<Vec<(u32, u32, f64)>, DistError> {
    let model = sql_text(&model.display().to_string());
    let sql = format!(
        "SELECT CASE WHEN p IS NOT NULL THEN a END AS a, \
                CASE WHEN p IS NOT NULL THEN b END AS b, p, COUNT(*) AS n FROM (\
           SELECT d.a AS a, d.b AS b, \
                  padu_dedup_edge(ra.rec, rb.rec, rc.name_count, '{model}', '{today}') AS p \
           FROM dup_compared d \
           JOIN registry_records ra ON ra.row = d.a \
           JOIN registry_records rb ON rb.row = d.b \
           JOIN registry_counts rc ON rc.row = d.a) \
         GROUP BY 1, 2, 3"
    );
    crate::checked(async || {
        let batches = ctx.sql(&sql).await?.collect().await?;
        let (mut out, mut doubled, mut judged) = (Vec::new(), false, 0);
        for b in &batches {
            let (Some(a), Some(bb), Some(p), Some(n)) = (
                b.column(0).as_primitive_opt::<UInt64Type>(),
                b.column(1).as_primitive_opt::<UInt64Type>(),
                b.column(2).as_primitive_opt::<Float64Type>(),
                b.column(3).as_primitive_opt::<Int64Type>(),
            ) else {
                return Err(DistError::Unexpected(format!(
                    "kolom sisi: {:?}",
                    b.schema()
                )));
            };
            for i in 0..b.num_rows() {
                let n = u64::try_from(n.value(i)).unwrap_or(0);
                judged += n;
                if p.is_null(i) {
                    continue;
                }
                doubled |= n > 1;
                out.push((row32(a.value(i))?, row32(bb.value(i))?, p.value(i)));
            }
        }
        if judged != pairs || doubled {
            return Ok(Err(format!(
                "sisi: {judged} dari {pairs} pasangan dinilai{}",
                if doubled { ", ada yang dua kali" } else { "" }
            )));
        }
        out.sort_unstable_by_key(|x| (x.0, x.1));
        Ok(Ok(out))
    })
    .await
}

fn row32(x: u64) -> Result<u32, DistError> {
    u32::try_from(x).map_err(|_| DistError::Unexpected(format!("baris {x} di luar batas")))
}

/// `s` as the inside of a SQL string literal: a path with an apostrophe
/// (a `--work` directory named so) must not end the literal early.
fn sql_text(s: &str) -> String {
    s.replace('\'', "''")
}

/// The rows the clustering looks at, with what it and the group naming read.
struct Involved {
    rows: Vec<ClusterRow>,
    status: HashMap<u32, NikStatus>,
    id_art: HashMap<u32, String>,
}

/// Fetches the rows the edges involve and every row whose anchor another
/// row shares.
///
/// Both queries are checked before their answers are used (an executor
/// lost during a query can leave it short or doubled): the rows sharing an
/// anchor must add up to a separate count of them, and the fetch must
/// return every wanted row exactly once.
async fn cluster_rows(
    ctx: &SessionContext,
    job: &Job,
    edges: &[(u32, u32, f64)],
) -> Result<Involved, DistError> {
    let shared = crate::checked(async || {
        let expected = count(
            ctx,
            "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM (\
               SELECT COUNT(*) AS n FROM linked WHERE civ IS NOT NULL \
               GROUP BY civ HAVING COUNT(*) > 1)",
        )
        .await?;
        let batches = ctx
            .sql(
                "SELECT l.row FROM linked l JOIN (\
                   SELECT civ FROM linked WHERE civ IS NOT NULL GROUP BY civ HAVING COUNT(*) > 1) s \
                 ON s.civ = l.civ",
            )
            .await?
            .collect()
            .await?;
        let mut rows = Vec::new();
        for b in &batches {
            let r = b
                .column(0)
                .as_primitive_opt::<UInt64Type>()
                .ok_or_else(|| DistError::Unexpected("kolom baris".into()))?;
            rows.extend(r.values().iter().copied());
        }
        let listed = rows.len() as u64;
        rows.sort_unstable();
        rows.dedup();
        Ok(if listed == expected && rows.len() as u64 == listed {
            Ok(rows)
        } else {
            Err(format!(
                "baris berjangkar sama: {listed} baris ({} berbeda) dari {expected}",
                rows.len()
            ))
        })
    })
    .await?;
    let mut wanted: Vec<u64> = edges
        .iter()
        .flat_map(|e| [u64::from(e.0), u64::from(e.1)])
        .chain(shared)
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    let path = job.work.join("baris_kelompok.parquet");
    write_columns(&path, &[("row", wanted.clone())])?;
    register(ctx, "cluster_wanted", &path).await?;
    crate::checked(async || {
        let batches = ctx
            .sql(
                "SELECT w.row, r.rec, rc.name_count, l.link \
                 FROM cluster_wanted w \
                 JOIN registry_records r ON r.row = w.row \
                 JOIN registry_counts rc ON rc.row = w.row \
                 JOIN linked l ON l.row = w.row",
            )
            .await?
            .collect()
            .await?;
        let out = involved(&batches, job)?;
        let mut got: Vec<u64> = out.rows.iter().map(|r| u64::from(r.row)).collect();
        got.sort_unstable();
        Ok(if got == wanted {
            Ok(out)
        } else {
            Err(format!(
                "baris kelompok: {} baris untuk {} yang diminta",
                got.len(),
                wanted.len()
            ))
        })
    })
    .await
}

/// The rows of the cluster-rows query, decoded.
fn involved(batches: &[RecordBatch], job: &Job) -> Result<Involved, DistError> {
    let mut out = Involved {
        rows: Vec::new(),
        status: HashMap::new(),
        id_art: HashMap::new(),
    };
    for b in batches {
        let (Some(row), Some(rec), Some(n), Some(link)) = (
            b.column(0).as_primitive_opt::<UInt64Type>(),
            b.column(1).as_binary_opt::<i32>(),
            b.column(2).as_primitive_opt::<Int64Type>(),
            b.column(3).as_binary_opt::<i32>(),
        ) else {
            return Err(DistError::Unexpected(format!(
                "kolom baris kelompok: {:?}",
                b.schema()
            )));
        };
        for i in 0..b.num_rows() {
            let r = row32(row.value(i))?;
            let person = wire::decode_registry(rec.value(i), job.today)
                .map_err(|e| DataFusionError::External(Box::new(e)))?;
            let linked = Linked::from_bytes(link.value(i))
                .ok_or_else(|| DistError::Unexpected("hasil tautan rusak".into()))?;
            out.status.insert(r, linked.status());
            out.id_art.insert(r, person.id_art.to_string());
            out.rows.push(ClusterRow {
                row: r,
                person,
                name_count: u32::try_from(n.value(i)).unwrap_or(u32::MAX),
                anchor: linked.matched(),
            });
        }
    }
    Ok(out)
}

/// Writes each grouped row's group: `row, grp, kept`.
fn write_groups(
    path: &Path,
    groups: &[(u32, padu_match::DuplicateGroup)],
) -> Result<(), DistError> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("row", DataType::UInt64, false),
        Field::new("grp", DataType::Utf8, false),
        Field::new("kept", DataType::Utf8, false),
    ]));
    let batch = RecordBatch::try_new(
        schema,
        vec![
            Arc::new(UInt64Array::from_iter_values(
                groups.iter().map(|g| u64::from(g.0)),
            )),
            Arc::new(StringArray::from_iter_values(
                groups.iter().map(|g| g.1.id.as_str()),
            )),
            Arc::new(StringArray::from_iter_values(
                groups.iter().map(|g| g.1.kept.as_str()),
            )),
        ],
    )
    .map_err(DataFusionError::from)?;
    crate::train::write_batch(path, &batch, None)
}

/// Decides every registry row and writes the result, partitioned by
/// regency; returns the rows written.
async fn decide(
    ctx: &SessionContext,
    out: &Path,
    model: &Path,
    today: &str,
) -> Result<u64, DistError> {
    let model = sql_text(&model.display().to_string());
    let columns: Vec<String> = crate::rows::decided_fields()
        .iter()
        .map(|f| format!("d['{0}'] AS {0}", f.name()))
        .collect();
    let columns = columns.join(", ");
    // A previous attempt's files would be read as part of the result.
    if out.exists() {
        std::fs::remove_dir_all(out).map_err(DataFusionError::from)?;
    }
    std::fs::create_dir_all(out).map_err(DataFusionError::from)?;
    let path = format!("{}/", out.display());
    let df = ctx
        .sql(&format!(
            "SELECT {columns} FROM (\
               SELECT padu_decide(r.rec, l.link, c.rec, g.grp, g.kept, '{model}', '{today}') AS d \
               FROM linked l \
               JOIN registry_records r ON r.row = l.row \
               LEFT JOIN civil_records c ON c.row = l.civ \
               LEFT JOIN groups g ON g.row = l.row)"
        ))
        .await?;
    let written = df
        .write_parquet(
            &path,
            DataFrameWriteOptions::new().with_partition_by(vec![REGENCY.to_string()]),
            None,
        )
        .await?;
    Ok(rows_written(&written))
}

/// The result rows under `out` that name a duplicate group (the result
/// columns are text, an empty cell for none, as in the interchange file).
async fn grouped_rows(ctx: &SessionContext, out: &Path) -> Result<u64, DistError> {
    let path = format!("{}/", out.display());
    ctx.deregister_table("hasil")?;
    ctx.register_parquet("hasil", &path, ParquetReadOptions::default())
        .await?;
    count(
        ctx,
        "SELECT COUNT(*) FROM hasil WHERE COALESCE(id_kelompok_ganda, '') <> ''",
    )
    .await
}

/// Every result file under `out`, sorted.
pub fn result_files(out: &Path) -> Result<Vec<PathBuf>, DistError> {
    let mut files = Vec::new();
    let mut dirs = vec![out.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).map_err(DataFusionError::from)? {
            let p = e.map_err(DataFusionError::from)?.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "parquet") {
                files.push(p);
            }
        }
    }
    files.sort();
    Ok(files)
}
