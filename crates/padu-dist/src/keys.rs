//! The blocking keys of every record of one side, computed where the rows
//! are: a table whose scan reads each task's row groups through padu-io
//! (the same parsing and row numbers as `padu verify`) and computes their
//! keys with `padu_match::partition`, from the whole civil extract's
//! statistics.
//!
//! The scan is an in-memory table of parts (row-group ranges, one
//! partition each) under a Padu node that turns parts into keys. Ballista
//! 55 hands each task its share of a plan by rewriting the leaves it knows
//! (file scans, memory tables, shuffle readers); a custom leaf would be run
//! whole by every task, so the parts must be such a leaf.
//!
//! The statistics reach every task as a file ([`crate::stats`]) named in the
//! plan, like a broadcast variable: every process must see the same path
//! (a shared file system or a mounted bucket on a real cluster).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use chrono::NaiveDate;
use datafusion::arrow::array::{
    RecordBatch, StringBuilder, UInt8Builder, UInt32Builder, UInt64Builder,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::common::{DataFusionError, Result};
use datafusion::datasource::TableType;
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::logical_expr::Expr;
use datafusion::physical_expr::{EquivalenceProperties, PhysicalExpr};
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, Partitioning, PlanProperties,
};
use padu_io::{CivilReader, ReadOptions, RegistryReader};
use padu_match::partition::{Key, Statistics, civil_keys, registry_keys};
use serde::{Deserialize, Serialize};

/// Which side's records a key table holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Side {
    /// The civil extract (Dukcapil).
    Civil,
    /// The registry (DTKS).
    Registry,
}

/// What a scan of a side's row groups gives per record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Output {
    /// Its blocking keys: `(row, rule, key)`, [`schema`].
    #[default]
    Keys,
    /// The record itself, to travel with its candidate pairs: `(row, rec)`,
    /// [`records_schema`], the record encoded by [`crate::wire`].
    Records,
    /// Its valid NIK alone, null for none: `(row, nik)`, [`niks_schema`];
    /// [`crate::wire::registry_nik`] and [`crate::wire::civil_nik`], so that
    /// the NIK join moves numbers, not encoded records.
    Niks,
    /// What reading each row found, before any row is left out: `(row,
    /// key, at, errors)`, [`checks_schema`]. The file's unique key is
    /// checked across all parts by the job, from these rows.
    Checks,
}

/// Everything a task needs to compute its keys: what travels in the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeysSpec {
    /// Which side the file holds.
    pub side: Side,
    /// What the scan gives per record.
    #[serde(default)]
    pub output: Output,
    /// The Parquet file.
    pub path: PathBuf,
    /// The reference date that fixes the century of a NIK's birth year.
    pub today: NaiveDate,
    /// The civil statistics file ([`crate::stats::write`]).
    pub stats: PathBuf,
    /// The rows the job leaves out (`--partial`), a file of [`write_left_out`]:
    /// the scan skips them and numbers the records after them as if they
    /// were not in the file, as `padu verify --partial` does.
    #[serde(default)]
    pub left_out: Option<PathBuf>,
}

impl KeysSpec {
    /// The keys of `side`'s records in `path`.
    pub fn new(side: Side, path: &Path, today: NaiveDate, stats: &Path) -> Self {
        KeysSpec {
            side,
            output: Output::Keys,
            path: path.to_path_buf(),
            today,
            stats: stats.to_path_buf(),
            left_out: None,
        }
    }

    /// The records of `side` in `path`, each with its row, encoded to travel.
    pub fn records(side: Side, path: &Path, today: NaiveDate) -> Self {
        KeysSpec {
            side,
            output: Output::Records,
            path: path.to_path_buf(),
            today,
            stats: PathBuf::new(),
            left_out: None,
        }
    }

    /// The valid NIKs of `side`'s records in `path` ([`Output::Niks`]).
    pub fn niks(side: Side, path: &Path, today: NaiveDate) -> Self {
        KeysSpec {
            output: Output::Niks,
            ..KeysSpec::records(side, path, today)
        }
    }

    /// What reading each row of `side` in `path` found ([`Output::Checks`]).
    pub fn checks(side: Side, path: &Path, today: NaiveDate) -> Self {
        KeysSpec {
            output: Output::Checks,
            ..KeysSpec::records(side, path, today)
        }
    }

    /// The scan without the rows listed in `left_out`.
    #[must_use]
    pub fn leaving_out(mut self, left_out: Option<PathBuf>) -> Self {
        self.left_out = left_out;
        self
    }

    /// The columns the scan gives.
    pub fn schema(&self) -> SchemaRef {
        match self.output {
            Output::Keys => schema(),
            Output::Records => records_schema(),
            Output::Niks => niks_schema(),
            Output::Checks => checks_schema(),
        }
    }
}

/// The columns of the parts a key scan reads: one row per part, its row groups `from..to`.
fn parts_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("from", DataType::UInt64, false),
        Field::new("to", DataType::UInt64, false),
    ]))
}

/// The columns of a key table: the record's row (0-based, file order, as
/// `padu verify` numbers records), the rule and the key mixed with it.
pub fn schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("row", DataType::UInt64, false),
        Field::new("rule", DataType::UInt8, false),
        Field::new("key", DataType::UInt64, false),
    ]))
}

/// The columns of a record table: the record's row (as in [`schema`]) and
/// the record encoded by [`crate::wire`].
pub fn records_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("row", DataType::UInt64, false),
        Field::new("rec", DataType::Binary, false),
    ]))
}

/// The columns of a NIK table: the record's row (as in [`schema`]) and its
/// valid NIK as a number, null for none.
pub fn niks_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("row", DataType::UInt64, false),
        Field::new("nik", DataType::UInt64, true),
    ]))
}

/// The columns of a check table: the row as the user sees it (the header is
/// row 1), its unique key (`id_art`, a NIK's 16 digits; null when it could
/// not be read), how many of its errors come before an error about a
/// repeated key, and its errors (null for none) as a JSON array of
/// `[Indonesian, English]` messages, each `file:row:column: message`.
pub fn checks_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("row", DataType::UInt64, false),
        Field::new("key", DataType::Utf8, true),
        Field::new("at", DataType::UInt32, false),
        Field::new("errors", DataType::Utf8, true),
    ]))
}

/// Writes the rows a job leaves out (as the user sees them, sorted) to
/// `path`: little-endian `u64`s.
pub fn write_left_out(path: &Path, rows: &[u64]) -> Result<()> {
    let bytes: Vec<u8> = rows.iter().flat_map(|r| r.to_le_bytes()).collect();
    std::fs::write(path, bytes)?;
    Ok(())
}

/// The rows [`write_left_out`] wrote; none without a file.
fn read_left_out(path: Option<&Path>) -> Result<Vec<u64>> {
    let Some(path) = path else {
        return Ok(Vec::new());
    };
    let bytes = std::fs::read(path)?;
    if bytes.len() % 8 != 0 {
        return Err(DataFusionError::Execution(format!(
            "daftar baris ditolak {} rusak: {} bita bukan kelipatan 8",
            path.display(),
            bytes.len()
        )));
    }
    Ok(bytes
        .chunks_exact(8)
        .map(|c| u64::from_le_bytes(c.try_into().unwrap_or_default()))
        .collect())
}

/// A key table (or, with [`Output::Records`], a record table), to register
/// on a context and query with SQL.
#[derive(Debug)]
pub struct KeysTable(pub KeysSpec);

#[async_trait]
impl TableProvider for KeysTable {
    fn schema(&self) -> SchemaRef {
        self.0.schema()
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    async fn scan(
        &self,
        _state: &dyn Session,
        projection: Option<&Vec<usize>>,
        _filters: &[Expr],
        _limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        // The parts are a plain in-memory table, one partition per row group:
        // Ballista gives each task its own partitions of a table it knows,
        // and the key node above reads whatever parts reach it.
        let groups = padu_io::parquet_row_groups(&self.0.path)
            .map_err(|e| DataFusionError::External(Box::new(e)))?;
        let parts: Vec<Vec<RecordBatch>> = (0..groups.len())
            .map(|g| {
                let g = g as u64;
                RecordBatch::try_new(
                    parts_schema(),
                    vec![
                        Arc::new(datafusion::arrow::array::UInt64Array::from(vec![g])),
                        Arc::new(datafusion::arrow::array::UInt64Array::from(vec![g + 1])),
                    ],
                )
                .map(|b| vec![b])
            })
            .collect::<Result<_, _>>()?;
        let parts = if parts.is_empty() {
            vec![Vec::new()]
        } else {
            parts
        };
        let source: Arc<dyn ExecutionPlan> =
            datafusion::datasource::memory::MemorySourceConfig::try_new_exec(
                &parts,
                parts_schema(),
                None,
            )?;
        let exec: Arc<dyn ExecutionPlan> = Arc::new(KeysExec::new(self.0.clone(), source));
        let schema = self.0.schema();
        let all: Vec<usize> = (0..schema.fields().len()).collect();
        match projection {
            Some(p) if *p != all => Ok(Arc::new(
                datafusion::physical_plan::projection::ProjectionExec::try_new(
                    p.iter().map(|&i| {
                        let f = schema.field(i).clone();
                        let e: Arc<dyn PhysicalExpr> = Arc::new(
                            datafusion::physical_expr::expressions::Column::new(f.name(), i),
                        );
                        (e, f.name().clone())
                    }),
                    exec,
                )?,
            )),
            _ => Ok(exec),
        }
    }
}

/// Computes the keys of the parts its input partition lists.
#[derive(Debug)]
pub struct KeysExec {
    spec: KeysSpec,
    input: Arc<dyn ExecutionPlan>,
    properties: Arc<PlanProperties>,
}

impl KeysExec {
    /// The keys of `spec`'s records in the parts `input` lists (`from`, `to` row groups).
    pub fn new(spec: KeysSpec, input: Arc<dyn ExecutionPlan>) -> Self {
        let partitions = input.properties().output_partitioning().partition_count();
        let properties = PlanProperties::new(
            EquivalenceProperties::new(spec.schema()),
            Partitioning::UnknownPartitioning(partitions),
            EmissionType::Incremental,
            Boundedness::Bounded,
        );
        KeysExec {
            spec,
            input,
            properties: Arc::new(properties),
        }
    }

    /// What the node computes.
    pub fn spec(&self) -> &KeysSpec {
        &self.spec
    }
}

impl DisplayAs for KeysExec {
    fn fmt_as(&self, _: DisplayFormatType, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "PaduKeysExec: {:?} {:?} {}",
            self.spec.side,
            self.spec.output,
            self.spec.path.display()
        )
    }
}

impl ExecutionPlan for KeysExec {
    fn name(&self) -> &str {
        "PaduKeysExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }

    fn maintains_input_order(&self) -> Vec<bool> {
        vec![true]
    }

    fn with_new_children(
        self: Arc<Self>,
        mut children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        match (children.pop(), children.is_empty()) {
            (Some(input), true) => Ok(Arc::new(KeysExec::new(self.spec.clone(), input))),
            _ => datafusion::common::internal_err!("PaduKeysExec takes one input"),
        }
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        use futures::TryStreamExt;
        let spec = self.spec.clone();
        let parts = self.input.execute(partition, context)?;
        let keys = parts.and_then(move |batch| {
            let spec = spec.clone();
            async move {
                tokio::task::spawn_blocking(move || keys_of_parts(&spec, &batch))
                    .await
                    .map_err(|e| DataFusionError::External(Box::new(e)))?
            }
        });
        Ok(Box::pin(RecordBatchStreamAdapter::new(
            self.spec.schema(),
            keys,
        )))
    }
}

/// The keys of every part a batch of the parts table lists.
fn keys_of_parts(spec: &KeysSpec, parts: &RecordBatch) -> Result<RecordBatch> {
    use datafusion::arrow::array::AsArray;
    use datafusion::arrow::datatypes::UInt64Type;
    let from = parts.column(0).as_primitive::<UInt64Type>();
    let to = parts.column(1).as_primitive::<UInt64Type>();
    let mut batches = Vec::with_capacity(parts.num_rows());
    for i in 0..parts.num_rows() {
        let range = usize::try_from(from.value(i)).unwrap_or(usize::MAX)
            ..usize::try_from(to.value(i)).unwrap_or(usize::MAX);
        batches.push(match spec.output {
            Output::Keys => keys_of_part(spec, range)?,
            Output::Records => records_of_part(spec, range)?,
            Output::Niks => niks_of_part(spec, range)?,
            Output::Checks => checks_of_part(spec, range)?,
        });
    }
    Ok(datafusion::arrow::compute::concat_batches(
        &spec.schema(),
        &batches,
    )?)
}

/// Reads row groups `groups` and says, per row, what reading it found.
fn checks_of_part(spec: &KeysSpec, groups: std::ops::Range<usize>) -> Result<RecordBatch> {
    // Every error is listed: a row left out is never left out silently.
    let mut opts = ReadOptions::new(spec.today);
    opts.max_issues = usize::MAX;
    let external = |e: padu_io::ReadError| DataFusionError::External(Box::new(e));
    let (mut row, mut key, mut at, mut errors) = (
        UInt64Builder::new(),
        StringBuilder::new(),
        UInt32Builder::new(),
        StringBuilder::new(),
    );
    let mut push = |r: padu_io::Row<()>, k: Option<(String, usize)>| -> Result<()> {
        row.append_value(r.row);
        let (k, a) = k.map_or((None, 0), |(k, a)| (Some(k), a));
        key.append_option(k);
        at.append_value(u32::try_from(a).unwrap_or(u32::MAX));
        let errs: Vec<[String; 2]> = r
            .issues
            .iter()
            .filter(|i| i.is_error())
            .map(|i| {
                [
                    i.message(padu_core::Lang::Id),
                    i.message(padu_core::Lang::En),
                ]
            })
            .collect();
        if errs.is_empty() {
            errors.append_null();
        } else {
            errors.append_value(
                serde_json::to_string(&errs).map_err(|e| DataFusionError::External(Box::new(e)))?,
            );
        }
        Ok(())
    };
    match spec.side {
        Side::Civil => {
            let reader = CivilReader::open_parquet_row_groups(&spec.path, &opts, groups)
                .map_err(external)?;
            for k in reader.keyed() {
                push(strip(k.row), k.key)?;
            }
        }
        Side::Registry => {
            let reader = RegistryReader::open_parquet_row_groups(&spec.path, &opts, groups)
                .map_err(external)?;
            for k in reader.keyed() {
                push(strip(k.row), k.key)?;
            }
        }
    }
    Ok(RecordBatch::try_new(
        checks_schema(),
        vec![
            Arc::new(row.finish()),
            Arc::new(key.finish()),
            Arc::new(at.finish()),
            Arc::new(errors.finish()),
        ],
    )?)
}

/// A row without its record, which a check needs only to know it was built.
fn strip<T>(r: padu_io::Row<T>) -> padu_io::Row<()> {
    padu_io::Row {
        row: r.row,
        record: r.record.map(|_| ()),
        issues: r.issues,
    }
}

/// Reads row groups `groups` of `spec`'s file and turns its records, as
/// [`records`] numbers them, into one value each: `civil` or `registry`,
/// whichever side the file holds.
fn per_record<T>(
    spec: &KeysSpec,
    groups: std::ops::Range<usize>,
    civil: impl FnOnce(&[padu_core::CivilPerson]) -> Vec<T>,
    registry: impl FnOnce(&[padu_core::RegistryPerson]) -> Vec<T>,
) -> Result<(Vec<u64>, Vec<T>)> {
    let opts = ReadOptions::new(spec.today);
    let external = |e: padu_io::ReadError| DataFusionError::External(Box::new(e));
    Ok(match spec.side {
        Side::Civil => {
            let reader = CivilReader::open_parquet_row_groups(&spec.path, &opts, groups)
                .map_err(external)?;
            let (rows, records) = records(reader, spec)?;
            (rows, civil(&records))
        }
        Side::Registry => {
            let reader = RegistryReader::open_parquet_row_groups(&spec.path, &opts, groups)
                .map_err(external)?;
            let (rows, records) = records(reader, spec)?;
            (rows, registry(&records))
        }
    })
}

/// Reads row groups `groups` and encodes their records with their rows.
fn records_of_part(spec: &KeysSpec, groups: std::ops::Range<usize>) -> Result<RecordBatch> {
    let (rows, encoded) = per_record(
        spec,
        groups,
        |c| c.iter().map(crate::wire::encode_civil).collect(),
        |r| r.iter().map(crate::wire::encode_registry).collect(),
    )?;
    Ok(RecordBatch::try_new(
        records_schema(),
        vec![
            Arc::new(datafusion::arrow::array::UInt64Array::from(rows)),
            Arc::new(datafusion::arrow::array::BinaryArray::from_iter_values(
                encoded,
            )),
        ],
    )?)
}

/// Reads row groups `groups` and gives their records' valid NIKs with their rows.
fn niks_of_part(spec: &KeysSpec, groups: std::ops::Range<usize>) -> Result<RecordBatch> {
    let today = spec.today;
    let (rows, niks) = per_record(
        spec,
        groups,
        |c| {
            c.iter()
                .map(|c| crate::wire::civil_nik(c, today).map(|n| n.as_u64()))
                .collect()
        },
        |r| {
            r.iter()
                .map(|r| crate::wire::registry_nik(r, today).map(|n| n.as_u64()))
                .collect()
        },
    )?;
    Ok(RecordBatch::try_new(
        niks_schema(),
        vec![
            Arc::new(datafusion::arrow::array::UInt64Array::from(rows)),
            Arc::new(datafusion::arrow::array::UInt64Array::from(niks)),
        ],
    )?)
}

/// Reads row groups `groups` and computes the keys of their records.
fn keys_of_part(spec: &KeysSpec, groups: std::ops::Range<usize>) -> Result<RecordBatch> {
    let stats = crate::stats::read(&spec.stats)?;
    let (rows, keys): (Vec<u64>, Vec<Vec<Key>>) = per_record(
        spec,
        groups,
        |c| civil_keys(c, Statistics::of(&stats)),
        |r| registry_keys(r, Statistics::of(&stats)),
    )?;
    let n: usize = keys.iter().map(Vec::len).sum();
    let (mut row, mut rule, mut key) = (
        UInt64Builder::with_capacity(n),
        UInt8Builder::with_capacity(n),
        UInt64Builder::with_capacity(n),
    );
    for (r, ks) in rows.iter().zip(&keys) {
        for &(ru, k) in ks {
            row.append_value(*r);
            rule.append_value(ru);
            key.append_value(k);
        }
    }
    Ok(RecordBatch::try_new(
        schema(),
        vec![
            Arc::new(row.finish()),
            Arc::new(rule.finish()),
            Arc::new(key.finish()),
        ],
    )?)
}

/// The records of a part with their 0-based numbers among the records the
/// job keeps: a row the job leaves out (`spec.left_out`) is skipped and the
/// records after it numbered as `padu verify --partial` numbers them (the
/// engine's answers depend on record order). Any other row that cannot be
/// read stops the job: the job's check of both files lets none through.
fn records<T>(
    rows: impl Iterator<Item = padu_io::Row<T>>,
    spec: &KeysSpec,
) -> Result<(Vec<u64>, Vec<T>)> {
    let left_out = read_left_out(spec.left_out.as_deref())?;
    let (mut numbers, mut records) = (Vec::new(), Vec::new());
    for row in rows {
        // Rows before this one that the job leaves out.
        let before = left_out.partition_point(|&r| r < row.row);
        if left_out.get(before) == Some(&row.row) {
            continue;
        }
        match row.record {
            // Parquet has its header in the schema: the first record is row 2.
            Some(r) => {
                numbers.push(row.row - 2 - before as u64);
                records.push(r);
            }
            None => {
                let what = row.issues.first().map_or_else(
                    || format!("{}:{}", spec.path.display(), row.row),
                    |i| i.message(padu_core::Lang::Id),
                );
                return Err(DataFusionError::Execution(format!(
                    "baris tidak terbaca yang lolos pemeriksaan berkas: {what}"
                )));
            }
        }
    }
    Ok((numbers, records))
}
