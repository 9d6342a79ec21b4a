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
use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, PrimitiveArray, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Int64Type, Schema, UInt32Type, UInt64Type};
use datafusion::error::DataFusionError;
use datafusion::prelude::SessionContext;
use padu_core::Lang;
use padu_io::{CivilReader, ReadOptions, RegistryReader};

use crate::keys::{KeysTable, Side, write_left_out};
use crate::train::{register, write_batch};
use crate::{DistError, Job, checked};

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

/// Each row with errors, and its errors in Indonesian and English.
type RowErrors = BTreeMap<u64, Vec<[String; 2]>>;

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

/// What one scan of a check table counts: the keys used more than once,
/// each with the row of its first use and its rows, and the totals that
/// tell whether any part's rows were lost or counted twice.
#[derive(Debug, Default, PartialEq, Eq)]
struct Tally {
    /// Rows counted; a complete answer counts every row of the file.
    rows: u64,
    /// Rows with an error.
    with_errors: u64,
    /// Each repeated key: the row of its first use, and how many rows use it.
    repeated: BTreeMap<String, (u64, u64)>,
}

/// The rows of `side` with an error, each with its errors in the order the
/// reader gives them.
///
/// Two queries, each checked before it is used (an executor lost during a
/// query can leave its answer short or doubled; see ARCHITECTURE.md,
/// "Losing an executor"): a count per key, whose rows must add up to the
/// file's; then the rows with errors or a repeated key, whose numbers must
/// be the ones the first query counted. A query that fails its check runs
/// again ([`checked`]).
async fn rows_with_errors(
    ctx: &SessionContext,
    job: &Job,
    side: Side,
) -> Result<RowErrors, DistError> {
    let (name, rows) = match side {
        Side::Civil => ("civil_checks", job.civil_rows),
        Side::Registry => ("registry_checks", job.registry_rows),
    };
    let rows = rows as u64;
    ctx.deregister_table(name)?;
    ctx.register_table(name, std::sync::Arc::new(KeysTable(job.checks(side))))?;
    checked(async || {
        let tally = tally(ctx, name).await?;
        if tally.rows != rows {
            return Ok(Err(format!(
                "{name}: {} dari {rows} baris terhitung",
                tally.rows
            )));
        }
        let listed = listed_rows(ctx, job, name, &tally).await?;
        Ok(errors_of(job, side, &tally, listed)?.map_err(|p| format!("{name}: {p}")))
    })
    .await
}

/// Counts the rows of check table `name` per key: every key used more than
/// once, and one row of totals for the rest (the keys used once and the
/// rows without a key), so that the answer's rows add up to the file's.
async fn tally(ctx: &SessionContext, name: &str) -> Result<Tally, DistError> {
    let batches = ctx
        .sql(&format!(
            "SELECT CASE WHEN n > 1 THEN key END AS key, MIN(first) AS first, \
                    SUM(n) AS n, SUM(e) AS e \
             FROM (SELECT key, MIN(row) AS first, COUNT(*) AS n, COUNT(errors) AS e \
                   FROM {name} GROUP BY key) \
             GROUP BY CASE WHEN n > 1 THEN key END"
        ))
        .await?
        .collect()
        .await?;
    let mut tally = Tally::default();
    for b in &batches {
        let (key, first, n, e) = (
            b.column(0).as_string::<i32>(),
            u64s(b, 1)?,
            i64s(b, 2)?,
            i64s(b, 3)?,
        );
        for i in 0..b.num_rows() {
            let n = u64::try_from(n.value(i)).unwrap_or(0);
            tally.rows += n;
            tally.with_errors += u64::try_from(e.value(i)).unwrap_or(0);
            if !key.is_null(i) {
                tally
                    .repeated
                    .insert(key.value(i).to_string(), (first.value(i), n));
            }
        }
    }
    Ok(tally)
}

/// One row of the second query: a row with errors or a repeated key.
struct Listed {
    row: u64,
    key: Option<String>,
    at: u32,
    errors: Option<String>,
}

/// The rows of check table `name` with an error or a key `tally` found
/// repeated. The repeated keys reach the tasks as a file in the work
/// directory, joined to the rows: a list of any length, and no user data in
/// the query's text.
async fn listed_rows(
    ctx: &SessionContext,
    job: &Job,
    name: &str,
    tally: &Tally,
) -> Result<Vec<Listed>, DistError> {
    let sql = if tally.repeated.is_empty() {
        format!("SELECT row, key, at, errors FROM {name} WHERE errors IS NOT NULL")
    } else {
        let keys = format!("{name}_repeated");
        let path = job.work.join(format!("{keys}.parquet"));
        write_keys(&path, tally.repeated.keys())?;
        register(ctx, &keys, &path).await?;
        format!(
            "SELECT c.row, c.key, c.at, c.errors FROM {name} c \
             LEFT JOIN {keys} r ON c.key = r.key \
             WHERE c.errors IS NOT NULL OR r.key IS NOT NULL"
        )
    };
    let batches = ctx.sql(&sql).await?.collect().await?;
    let mut out = Vec::new();
    for b in &batches {
        let (row, key, errors) = (
            u64s(b, 0)?,
            b.column(1).as_string::<i32>(),
            b.column(3).as_string::<i32>(),
        );
        let at = b
            .column(2)
            .as_primitive_opt::<UInt32Type>()
            .ok_or_else(|| DistError::Unexpected(format!("kolom at: {:?}", b.schema())))?;
        for i in 0..b.num_rows() {
            out.push(Listed {
                row: row.value(i),
                key: (!key.is_null(i)).then(|| key.value(i).to_string()),
                at: at.value(i),
                errors: (!errors.is_null(i)).then(|| errors.value(i).to_string()),
            });
        }
    }
    Ok(out)
}

/// Each listed row's errors, with a repeat reported where the reader
/// reports it (a later use of a key, at its place among the row's errors);
/// or, when `listed` is not what `tally` counted (a row lost, or listed
/// twice), what is wrong with it.
fn errors_of(
    job: &Job,
    side: Side,
    tally: &Tally,
    listed: Vec<Listed>,
) -> Result<Result<RowErrors, String>, DistError> {
    let (mut with_errors, mut repeats) = (0, 0);
    let mut rows = RowErrors::new();
    // A reader of no row groups knows the file's column names, which a
    // repeat's message names; opened only if there is a repeat.
    let mut repeat: Option<Box<RepeatIssue>> = None;
    for l in listed {
        let std::collections::btree_map::Entry::Vacant(entry) = rows.entry(l.row) else {
            return Ok(Err(format!("baris {} terdaftar dua kali", l.row)));
        };
        let errors = entry.insert(Vec::new());
        if let Some(e) = &l.errors {
            with_errors += 1;
            *errors = serde_json::from_str(e)
                .map_err(|e| DistError::Unexpected(format!("galat baris: {e}")))?;
        }
        let Some((key, &(first, _))) = l.key.as_ref().and_then(|k| tally.repeated.get_key_value(k))
        else {
            continue;
        };
        repeats += 1;
        if first >= l.row {
            continue;
        }
        let repeat = match &mut repeat {
            Some(r) => r,
            None => repeat.insert(repeat_issue(job, side)?),
        };
        let issue = repeat(l.row, key, first);
        let at = (l.at as usize).min(errors.len());
        errors.insert(at, [issue.message(Lang::Id), issue.message(Lang::En)]);
    }
    let counted: u64 = tally.repeated.values().map(|&(_, n)| n).sum();
    if with_errors != tally.with_errors || repeats != counted {
        return Ok(Err(format!(
            "{with_errors} dari {} baris bergalat dan {repeats} dari {counted} baris berkunci berulang terbaca",
            tally.with_errors
        )));
    }
    // A row listed only for its key, a first use with no error of its own,
    // has nothing to report.
    rows.retain(|_, errors| !errors.is_empty());
    Ok(Ok(rows))
}

/// Writes `keys` to a Parquet file of one text column, `key`.
fn write_keys<'a>(path: &Path, keys: impl Iterator<Item = &'a String>) -> Result<(), DistError> {
    let schema = Arc::new(Schema::new(vec![Field::new("key", DataType::Utf8, false)]));
    let keys: StringArray = keys.map(Some).collect();
    let batch =
        RecordBatch::try_new(schema, vec![Arc::new(keys)]).map_err(DataFusionError::from)?;
    write_batch(path, &batch, None)
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

/// Column `i` of `b` as `i64`s (a count).
fn i64s(b: &RecordBatch, i: usize) -> Result<&PrimitiveArray<Int64Type>, DistError> {
    b.column(i)
        .as_primitive_opt::<Int64Type>()
        .ok_or_else(|| DistError::Unexpected(format!("kolom {i}: {:?}", b.schema())))
}

/// Column `i` of `b` as `u64`s.
fn u64s(b: &RecordBatch, i: usize) -> Result<&PrimitiveArray<UInt64Type>, DistError> {
    b.column(i)
        .as_primitive_opt::<UInt64Type>()
        .ok_or_else(|| DistError::Unexpected(format!("kolom {i}: {:?}", b.schema())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job() -> Job {
        Job {
            civil: "dukcapil.parquet".into(),
            registry: "dtks.parquet".into(),
            today: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            work: "kerja".into(),
            cfg: padu_match::MatchConfig::default(),
            civil_rows: 10,
            registry_rows: 10,
            partial: true,
            leaving_out: Vec::new(),
        }
    }

    fn listed(row: u64, key: Option<&str>, errors: Option<&str>) -> Listed {
        Listed {
            row,
            key: key.map(str::to_string),
            at: 0,
            errors: errors.map(str::to_string),
        }
    }

    const BROKEN: &str = r#"[["f:3:a: rusak","f:3:a: broken"]]"#;

    #[test]
    fn listed_rows_that_add_up_give_each_row_s_errors() {
        let tally = Tally {
            rows: 10,
            with_errors: 1,
            repeated: BTreeMap::new(),
        };
        let rows = errors_of(
            &job(),
            Side::Civil,
            &tally,
            vec![listed(3, None, Some(BROKEN))],
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            rows,
            BTreeMap::from([(
                3,
                vec![["f:3:a: rusak".to_string(), "f:3:a: broken".to_string()]]
            )])
        );
    }

    #[test]
    fn a_row_lost_or_listed_twice_makes_the_answer_unusable() {
        let tally = Tally {
            rows: 10,
            with_errors: 2,
            repeated: BTreeMap::from([("k".to_string(), (4, 2))]),
        };
        // One row with errors lost.
        let lost = errors_of(
            &job(),
            Side::Civil,
            &tally,
            vec![
                listed(3, None, Some(BROKEN)),
                listed(4, Some("k"), Some(BROKEN)),
            ],
        )
        .unwrap();
        assert_eq!(
            lost.unwrap_err(),
            "2 dari 2 baris bergalat dan 1 dari 2 baris berkunci berulang terbaca"
        );
        // The same row twice (a task's rows counted again).
        let doubled = errors_of(
            &job(),
            Side::Civil,
            &tally,
            vec![listed(3, None, Some(BROKEN)), listed(3, None, Some(BROKEN))],
        )
        .unwrap();
        assert_eq!(doubled.unwrap_err(), "baris 3 terdaftar dua kali");
    }
}
