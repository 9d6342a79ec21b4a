//! The job's first stage: what reading every row of both files finds, before
//! any row is used.
//!
//! Each task reads its row groups as `padu verify` reads the file, except
//! that the unique key (`id_art`, the civil NIK) cannot be checked within a
//! part: a repeat may sit in another part. The tasks hand back each row's key
//! and errors ([`crate::keys::Output::Checks`]); the cluster finds the keys
//! used more than once, and the client reports each repeat as the reader
//! would have, in the same place among the row's errors. The rows with
//! errors are then either the reason the job stops or, with `--partial`,
//! left out: listed in the work directory, where every later scan skips them
//! and numbers the records after them as `padu verify --partial` does.

use std::collections::BTreeMap;

use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{UInt32Type, UInt64Type};
use datafusion::prelude::SessionContext;
use padu_core::Lang;
use padu_io::{CivilReader, ReadOptions, RegistryReader};

use crate::keys::{KeysTable, Side, write_left_out};
use crate::{DistError, Job};

/// The rows a job left out, and why.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeftOut {
    /// Registry rows left out.
    pub registry: u64,
    /// Civil rows left out.
    pub civil: u64,
    /// Every error of those rows, the registry's first, each file's in row
    /// order: `file:row:column: message` in Indonesian and in English, as
    /// `padu verify --partial` lists them.
    pub errors: Vec<[String; 2]>,
}

impl LeftOut {
    /// The errors in `lang`.
    pub fn messages(&self, lang: Lang) -> impl Iterator<Item = &str> {
        let i = usize::from(lang == Lang::En);
        self.errors.iter().map(move |e| e[i].as_str())
    }
}

/// The error of a row (its key, the row of the key's first use), as padu-io reports it.
type RepeatIssue = dyn Fn(u64, &str, u64) -> padu_io::Issue;

/// How many of the errors a refused job lists.
const LISTED: usize = 1000;

/// Checks every row of both files of `job` on the cluster. Without
/// `job.partial`, any row with an error refuses the job
/// ([`DistError::BadRows`]); with it, those rows are written to the work
/// directory and `job` counts only the rows it keeps.
pub(crate) async fn check(ctx: &SessionContext, job: &mut Job) -> Result<LeftOut, DistError> {
    let mut out = LeftOut::default();
    for side in [Side::Registry, Side::Civil] {
        let rows = rows_with_errors(ctx, job, side).await?;
        let n = rows.len() as u64;
        match side {
            Side::Registry => out.registry = n,
            Side::Civil => out.civil = n,
        }
        let left: Vec<u64> = rows.keys().copied().collect();
        out.errors.extend(rows.into_values().flatten());
        if job.partial && n > 0 {
            write_left_out(&job.left_out(side), &left)?;
            job.leaving_out.push(side);
            let kept = |all: usize| all.saturating_sub(usize::try_from(n).unwrap_or(usize::MAX));
            match side {
                Side::Registry => job.registry_rows = kept(job.registry_rows),
                Side::Civil => job.civil_rows = kept(job.civil_rows),
            }
        }
    }
    if !job.partial && !out.errors.is_empty() {
        return Err(DistError::BadRows {
            rows: out.registry + out.civil,
            errors: out
                .messages(Lang::Id)
                .take(LISTED)
                .map(str::to_string)
                .collect(),
        });
    }
    Ok(out)
}

/// The rows of `side` with an error, each with its errors in the order the
/// reader gives them.
async fn rows_with_errors(
    ctx: &SessionContext,
    job: &Job,
    side: Side,
) -> Result<BTreeMap<u64, Vec<[String; 2]>>, DistError> {
    let name = match side {
        Side::Civil => "civil_checks",
        Side::Registry => "registry_checks",
    };
    ctx.deregister_table(name)?;
    ctx.register_table(name, std::sync::Arc::new(KeysTable(job.checks(side))))?;
    // Every row with errors, and every later use of a key with the row of
    // its first use, in one query (each scan of the table reads the file
    // again): the reader reports a repeat even in a row with other errors,
    // and counts a row with other errors as a key's first use.
    let batches = ctx
        .sql(&format!(
            "SELECT c.row, c.errors, c.key, c.at, f.first FROM {name} c \
             LEFT JOIN (SELECT key, MIN(row) AS first FROM {name} \
                        WHERE key IS NOT NULL GROUP BY key HAVING COUNT(*) > 1) f \
             ON c.key = f.key \
             WHERE c.errors IS NOT NULL OR c.row > f.first"
        ))
        .await?
        .collect()
        .await?;
    // A reader of no row groups knows the file's column names, which a
    // repeat's message names; opened only if there is a repeat.
    let mut repeat: Option<Box<RepeatIssue>> = None;
    let mut rows: BTreeMap<u64, Vec<[String; 2]>> = BTreeMap::new();
    for b in &batches {
        let (row, errors, key) = (
            u64s(b, 0)?,
            b.column(1).as_string::<i32>(),
            b.column(2).as_string::<i32>(),
        );
        let at = b
            .column(3)
            .as_primitive_opt::<UInt32Type>()
            .ok_or_else(|| DistError::Unexpected(format!("kolom at: {:?}", b.schema())))?;
        let first = u64s(b, 4)?;
        for i in 0..b.num_rows() {
            let listed = rows.entry(row.value(i)).or_default();
            if !errors.is_null(i) {
                *listed = serde_json::from_str(errors.value(i))
                    .map_err(|e| DistError::Unexpected(format!("galat baris: {e}")))?;
            }
            if first.is_null(i) || first.value(i) >= row.value(i) {
                continue;
            }
            let repeat = match &mut repeat {
                Some(r) => r,
                None => repeat.insert(repeat_issue(job, side)?),
            };
            let issue = repeat(row.value(i), key.value(i), first.value(i));
            let at = (at.value(i) as usize).min(listed.len());
            listed.insert(at, [issue.message(Lang::Id), issue.message(Lang::En)]);
        }
    }
    Ok(rows)
}

/// How `side`'s reader reports a repeated key.
fn repeat_issue(job: &Job, side: Side) -> Result<Box<RepeatIssue>, DistError> {
    let opts = ReadOptions::new(job.today);
    let path = job.path(side);
    Ok(match side {
        Side::Civil => {
            let r = CivilReader::open_parquet_row_groups(path, &opts, 0..0)?;
            Box::new(move |row, key, first| r.repeat_issue(row, key, first))
        }
        Side::Registry => {
            let r = RegistryReader::open_parquet_row_groups(path, &opts, 0..0)?;
            Box::new(move |row, key, first| r.repeat_issue(row, key, first))
        }
    })
}

/// Column `i` of `b` as `u64`s.
fn u64s(
    b: &RecordBatch,
    i: usize,
) -> Result<&datafusion::arrow::array::PrimitiveArray<UInt64Type>, DistError> {
    b.column(i)
        .as_primitive_opt::<UInt64Type>()
        .ok_or_else(|| DistError::Unexpected(format!("kolom {i}: {:?}", b.schema())))
}
