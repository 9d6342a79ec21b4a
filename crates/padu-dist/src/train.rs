//! Stage *train* on the cluster: the pattern counts the model is learnt
//! from are counted where the records are; EM runs on the client, on
//! counts only (a few thousand patterns), with the engine's own code.
//!
//! The u-probabilities come from the engine's random pairs. Which pairs
//! those are is a function of the two sides' sizes and the seed
//! (`padu_match::partition::random_pairs`), except for the same-day sample,
//! which draws a partner born on the registry record's birth day: the
//! client first fetches the birth days of the rows it will draw (a fixed
//! number, whatever the size of the job), then lists the pairs. The pair
//! lists reach the tasks as Parquet files in the work directory and are
//! joined to the records like the candidate pairs.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::{AsArray, RecordBatch, UInt64Array};
use datafusion::arrow::datatypes::{DataType, Field, Int64Type, Schema, UInt64Type};
use datafusion::error::DataFusionError;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::prelude::{ParquetReadOptions, SessionContext};
use padu_core::Sex;
use padu_match::Model;
use padu_match::partition::{self, Sample};

use crate::functions::from_birth_day;
use crate::{DistError, Job, count_patterns_of};

/// Learns the registry-civil model of `job` on the cluster: the model
/// `padu_match::verify` learns on the same input. The views of
/// [`crate::register_linking`] must be registered on `ctx`.
pub async fn train(ctx: &SessionContext, job: &Job) -> Result<Model, DistError> {
    let candidates = crate::pattern_counts(ctx).await?;
    let (random, same_day) = u_counts(ctx, job, Sample::Link).await?;
    Ok(partition::train(
        &candidates,
        &random,
        &same_day,
        job.registry_rows,
        job.civil_rows,
        &job.cfg,
    ))
}

/// Learns the registry-registry model of `job` on the cluster from the
/// linking model `link`: the engine's deduplication model. The views of
/// [`crate::register_dedup`] must be registered on `ctx`.
pub async fn train_dedup(
    ctx: &SessionContext,
    job: &Job,
    link: &Model,
) -> Result<Model, DistError> {
    let candidates = crate::counted_pairs(ctx, "dup_compared", "dup_compared").await?;
    let (random, same_day) = u_counts(ctx, job, Sample::Dedup).await?;
    Ok(partition::train_dedup(
        &candidates,
        &random,
        &same_day,
        link,
        job.registry_rows,
        &job.cfg,
    ))
}

/// The pattern counts of `sample`'s random pairs and same-day pairs.
async fn u_counts(
    ctx: &SessionContext,
    job: &Job,
    sample: Sample,
) -> Result<(Vec<(u64, u64)>, Vec<(u64, u64)>), DistError> {
    let (nr, cfg) = (job.registry_rows, &job.cfg);
    let (n_right, right, tag) = match sample {
        Sample::Link => (job.civil_rows, "civil_records", "link"),
        Sample::Dedup => (job.registry_rows, "registry_records", "dedup"),
    };
    let random = partition::random_pairs(sample, nr, n_right, cfg);
    let random = compare_listed(ctx, job, sample, &format!("u_acak_{tag}"), &random).await?;

    let rows = partition::same_day_rows(sample, nr, cfg);
    let pool = partition::partner_pool(sample, n_right, cfg);
    let left_days = birth_days(
        ctx,
        job,
        "registry_records",
        &format!("u_hari_kiri_{tag}"),
        &rows,
    )
    .await?;
    let right_days = birth_days(ctx, job, right, &format!("u_hari_kanan_{tag}"), &pool).await?;
    let unread = |days: &HashMap<u64, (chrono::NaiveDate, Sex)>, rows: &[u32]| {
        rows.iter()
            .find(|&&r| !days.contains_key(&u64::from(r)))
            .map(|r| DistError::Unexpected(format!("tanggal lahir baris {r} tidak terbaca")))
    };
    if let Some(e) = unread(&left_days, &rows).or_else(|| unread(&right_days, &pool)) {
        return Err(e);
    }
    let same_day = partition::same_day_pairs(
        sample,
        nr,
        cfg,
        |r| left_days[&u64::from(r)],
        pool.iter().map(|&c| {
            let (d, s) = right_days[&u64::from(c)];
            (c, d, s)
        }),
    );
    let same_day = compare_listed(ctx, job, sample, &format!("u_sehari_{tag}"), &same_day).await?;
    Ok((random, same_day))
}

/// Compares the listed `(registry row, civil row)` pairs on the cluster and
/// counts their patterns (a pair listed twice counts twice, as a sample
/// drawn with replacement does).
async fn compare_listed(
    ctx: &SessionContext,
    job: &Job,
    sample: Sample,
    name: &str,
    pairs: &[(u32, u32)],
) -> Result<Vec<(u64, u64)>, DistError> {
    let path = job.work.join(format!("{name}.parquet"));
    write_columns(
        &path,
        &[
            ("reg", pairs.iter().map(|p| u64::from(p.0)).collect()),
            ("civ", pairs.iter().map(|p| u64::from(p.1)).collect()),
        ],
    )?;
    register(ctx, name, &path).await?;
    let today = job.today.format("%Y-%m-%d");
    // `name` and `today` are the job's own, not user text.
    let (compare, right) = match sample {
        Sample::Link => ("padu_compare", "civil_records"),
        Sample::Dedup => ("padu_compare_registry", "registry_records"),
    };
    count_patterns_of(
        ctx,
        &format!(
            "SELECT v, COUNT(*) AS n FROM (\
               SELECT {compare}(r.rec, c.rec, '{today}') AS v \
               FROM {name} p \
               JOIN {right} c ON c.row = p.civ \
               JOIN registry_records r ON r.row = p.reg) \
             GROUP BY v"
        ),
        pairs.len() as u64,
    )
    .await
}

/// The birth date and sex of each of `rows` of a record table.
async fn birth_days(
    ctx: &SessionContext,
    job: &Job,
    records: &str,
    name: &str,
    rows: &[u32],
) -> Result<HashMap<u64, (chrono::NaiveDate, Sex)>, DistError> {
    let mut wanted: Vec<u64> = rows.iter().map(|&r| u64::from(r)).collect();
    wanted.sort_unstable();
    wanted.dedup();
    let expected = wanted.len();
    let path = job.work.join(format!("{name}.parquet"));
    write_columns(&path, &[("row", wanted)])?;
    register(ctx, name, &path).await?;
    let sql = format!(
        "SELECT r.row, padu_birth_day(r.rec) AS d FROM {name} w JOIN {records} r ON r.row = w.row"
    );
    // Every row asked for, once: an answer short or doubled (an executor
    // lost during the query) would draw another sample.
    crate::checked(async || {
        let batches = ctx.sql(&sql).await?.collect().await?;
        let (mut out, mut doubled) = (HashMap::new(), false);
        for b in &batches {
            let (Some(row), Some(d)) = (
                b.column(0).as_primitive_opt::<UInt64Type>(),
                b.column(1).as_primitive_opt::<Int64Type>(),
            ) else {
                return Err(DistError::Unexpected(format!(
                    "kolom tanggal lahir: {:?}",
                    b.schema()
                )));
            };
            for i in 0..b.num_rows() {
                let day = from_birth_day(d.value(i))
                    .ok_or_else(|| DistError::Unexpected(format!("tanggal {}", d.value(i))))?;
                doubled |= out.insert(row.value(i), day).is_some();
            }
        }
        Ok(if out.len() == expected && !doubled {
            Ok(out)
        } else {
            Err(format!(
                "{name}: {} tanggal lahir untuk {} baris{}",
                out.len(),
                expected,
                if doubled { ", ada yang dua kali" } else { "" }
            ))
        })
    })
    .await
}

pub(crate) async fn register(
    ctx: &SessionContext,
    name: &str,
    path: &Path,
) -> Result<(), DistError> {
    ctx.deregister_table(name)?;
    ctx.register_parquet(
        name,
        path.to_string_lossy().as_ref(),
        ParquetReadOptions::default(),
    )
    .await?;
    Ok(())
}

/// Writes `u64` columns to a Parquet file, in row groups of a size a task
/// reads at once.
pub(crate) fn write_columns(path: &Path, columns: &[(&str, Vec<u64>)]) -> Result<(), DistError> {
    let schema = Arc::new(Schema::new(
        columns
            .iter()
            .map(|(name, _)| Field::new(*name, DataType::UInt64, false))
            .collect::<Vec<_>>(),
    ));
    let batch = RecordBatch::try_new(
        schema.clone(),
        columns
            .iter()
            .map(|(_, v)| Arc::new(UInt64Array::from(v.clone())) as _)
            .collect(),
    )
    .map_err(DataFusionError::from)?;
    let props = datafusion::parquet::file::properties::WriterProperties::builder()
        .set_max_row_group_row_count(Some(100_000))
        .build();
    write_batch(path, &batch, Some(props))
}

/// Writes `batch` to a new Parquet file at `path`, a file in the work
/// directory that the client hands the tasks.
pub(crate) fn write_batch(
    path: &Path,
    batch: &RecordBatch,
    props: Option<datafusion::parquet::file::properties::WriterProperties>,
) -> Result<(), DistError> {
    let file = std::fs::File::create(path).map_err(DataFusionError::from)?;
    let mut writer =
        ArrowWriter::try_new(file, batch.schema(), props).map_err(DataFusionError::from)?;
    writer.write(batch).map_err(DataFusionError::from)?;
    writer.close().map_err(DataFusionError::from)?;
    Ok(())
}
