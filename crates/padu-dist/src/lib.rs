//! Padu's national verification run as a distributed job on Apache
//! DataFusion Ballista.
//!
//! A national run links about 150–285 million registry people against 285
//! million civil records: more than one machine holds. Ballista (a
//! scheduler and executors, each its own process, possibly on many
//! machines) runs DataFusion plans split into stages, shuffling rows
//! between them by key. Padu's part is a set of DataFusion functions that
//! call the engine's own per-record code (`padu_match::partition`), so a
//! distributed plan computes what the single-process engine computes.
//!
//! Every process must know those functions by name, because plans travel
//! between processes as protobuf that names them: the scheduler plans with
//! them ([`scheduler`]), each executor runs them ([`executor`]), and the
//! client registers them on its context after connecting ([`connect`]).
//!
//! The whole of `padu verify` runs distributed ([`verify()`], its stages in
//! [`verify`](crate::verify())'s module and in ARCHITECTURE.md); its parts,
//! each also checked on its own against the single-process engine:
//!
//! - the check of every row of both files (`check.rs`): rows with errors
//!   refuse the job or, with `--partial`, are left out as `padu verify
//!   --partial` leaves them out.
//! - [`civil_density`]: the civil extract's density statistics, the counts
//!   behind every record's blocking plan, as `GROUP BY`s over
//!   [`functions::DensityAttributes`]; checked equal to the single-process
//!   engine's own counts.
//! - [`blocking_keys`]: every record's blocking keys, computed by the tasks
//!   that read its row groups ([`keys`], a Padu scan node that travels with
//!   its own [`codec`]), from the statistics broadcast as a file ([`stats`]);
//!   checked equal to the keys the single-process engine indexes.
//! - [`blocking`]: the candidate pairs, a join of the two key tables on the
//!   keys' top bits with oversized blocks skipped; its counts are checked
//!   equal to the engine's `RunStats` (pairs per rule, skipped blocks,
//!   distinct pairs).

mod check;
pub mod codec;
mod compare;
pub mod functions;
mod job;
pub mod keys;
pub mod rows;
pub mod stats;
mod train;
mod verify;
mod watch;
pub mod wire;

pub use crate::check::LeftOut;
pub use crate::compare::{Comparison, Difference, compare};
pub use crate::job::Job;
pub use crate::train::{train, train_dedup};
pub use crate::verify::{Verified, result_files, verify};

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use ballista::prelude::{SessionConfigExt, SessionContextExt};
use ballista_core::config::TaskSchedulingPolicy;
use ballista_core::registry::BallistaFunctionRegistry;
use ballista_executor::executor_process::{ExecutorProcessConfig, start_executor_process};
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::SchedulerConfig;
use ballista_scheduler::scheduler_process::{create_scheduler, start_grpc_service};
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{Int64Type, UInt64Type};
use datafusion::execution::SessionStateBuilder;
use datafusion::prelude::{ParquetReadOptions, SessionConfig, SessionContext};
use padu_core::RegionCode;
use padu_match::partition::CivilDensity;

/// What can go wrong in a distributed job.
#[derive(Debug, thiserror::Error)]
pub enum DistError {
    /// Ballista failed (start-up, scheduling, a lost executor past its retries).
    #[error("Ballista: {0}")]
    Ballista(#[from] ballista_core::error::BallistaError),
    /// DataFusion failed to plan or run a query.
    #[error("DataFusion: {0}")]
    DataFusion(#[from] datafusion::error::DataFusionError),
    /// An input file could not be opened as Parquet.
    #[error(transparent)]
    Read(#[from] padu_io::ReadError),
    /// A query's answer stayed incomplete after every attempt (rows lost
    /// with an executor).
    #[error("hasil kueri tidak lengkap: {0}")]
    Incomplete(String),
    /// Rows with errors in a job not asked to leave them out (`--partial`).
    #[error(
        "{rows} baris bergalat, verifikasi dibatalkan; perbaiki baris tersebut atau jalankan dengan --partial untuk meninggalkannya"
    )]
    BadRows {
        /// Rows with errors, both files.
        rows: u64,
        /// The first of their errors, `file:row:column: message`.
        errors: Vec<String>,
    },
    /// A result column did not have the type the job asked for.
    #[error("hasil kueri tidak terduga: {0}")]
    Unexpected(String),
}

/// Ballista settings every Padu process shares.
///
/// The adaptive planner is off: with it, an executor lost after it
/// finished a stage leaves the job hung for good (upstream
/// apache/datafusion-ballista#1986); without it the scheduler re-runs the
/// lost stage's tasks on the executors that are left.
pub fn session_config() -> SessionConfig {
    session_config_with(DEFAULT_PARTITIONS)
}

/// How many partitions each shuffle splits its rows into unless a job
/// asks for more ([`connect_with`]).
pub const DEFAULT_PARTITIONS: usize = 4;

/// [`session_config`] with `partitions` partitions per shuffle: a task's
/// share of a join or a grouping, and so an executor's memory, shrinks as
/// they grow.
pub fn session_config_with(partitions: usize) -> SessionConfig {
    SessionConfig::new_with_ballista()
        .with_ballista_logical_extension_codec(Arc::new(codec::LogicalCodec::default()))
        .with_ballista_physical_extension_codec(Arc::new(codec::PhysicalCodec::default()))
        .set_bool("ballista.planner.adaptive.enabled", false)
        .with_target_partitions(partitions.max(1))
}

/// Padu's functions in a registry an executor resolves plans against:
/// DataFusion's built-ins and [`functions::all`].
pub fn function_registry() -> BallistaFunctionRegistry {
    let mut registry = BallistaFunctionRegistry::default();
    for f in functions::all() {
        registry
            .scalar_functions
            .insert(f.name().to_string(), Arc::new(f));
    }
    registry
}

/// Timeouts that notice a lost executor within seconds, not minutes (the
/// defaults are a 60 s heartbeat and a 180 s timeout).
pub const EXECUTOR_HEARTBEAT_SECONDS: u64 = 2;
/// See [`EXECUTOR_HEARTBEAT_SECONDS`].
pub const EXECUTOR_TIMEOUT_SECONDS: u64 = 10;

/// Runs a scheduler on `addr` until the process ends; it plans with Padu's
/// functions and cancels the queries running when an executor is lost, for
/// the client to run them again ([`watch`]).
///
/// Executors pull their tasks (they ask when they have a free slot) rather
/// than have them pushed: with pushed tasks the scheduler counts each
/// executor's free slots itself, and Ballista 55 never gives back the slot
/// of a task it cancels while rolling back a stage whose input was on a lost
/// executor, so the executor that is left looked busy for good and the
/// re-run query waited forever (reproduced in one kill test run in three
/// with the port probe off). A pulling executor counts its own slots.
pub async fn scheduler(addr: SocketAddr) -> Result<(), DistError> {
    let config = SchedulerConfig {
        bind_host: addr.ip().to_string(),
        external_host: addr.ip().to_string(),
        bind_port: addr.port(),
        scheduling_policy: TaskSchedulingPolicy::PullStaged,
        executor_timeout_seconds: EXECUTOR_TIMEOUT_SECONDS,
        expire_dead_executor_interval_seconds: EXECUTOR_HEARTBEAT_SECONDS,
        override_logical_codec: Some(Arc::new(codec::LogicalCodec::default())),
        override_physical_codec: Some(Arc::new(codec::PhysicalCodec::default())),
        override_session_builder: Some(Arc::new(|config: SessionConfig| {
            use datafusion::execution::FunctionRegistry;
            let mut state = ballista_core::utils::default_session_builder(config)?;
            for f in functions::all() {
                state.register_udf(Arc::new(f))?;
            }
            Ok(state)
        })),
        ..SchedulerConfig::default()
    };
    config.validate()?;
    let cluster = BallistaCluster::new_from_config(&config).await?;
    let scheduler = create_scheduler::<
        datafusion_proto::protobuf::LogicalPlanNode,
        datafusion_proto::protobuf::PhysicalPlanNode,
    >(cluster, Arc::new(config))
    .await?;
    tokio::spawn(watch::cancel_on_executor_loss(scheduler.clone()));
    tracing::info!("penjadwal Ballista mendengarkan di {addr}");
    start_grpc_service(addr, scheduler).await?;
    Ok(())
}

/// Where an executor listens and which scheduler it serves.
#[derive(Debug, Clone)]
pub struct ExecutorOptions {
    /// The scheduler's host.
    pub scheduler_host: String,
    /// The scheduler's port.
    pub scheduler_port: u16,
    /// The address this executor binds and advertises.
    pub host: String,
    /// Arrow Flight port (shuffle data is fetched from it).
    pub port: u16,
    /// Tasks run at once.
    pub slots: usize,
    /// Directory for shuffle files.
    pub work_dir: Option<String>,
}

/// Runs an executor until the process ends; it resolves Padu's functions.
pub async fn executor(o: ExecutorOptions) -> Result<(), DistError> {
    let config = ExecutorProcessConfig {
        bind_host: o.host.clone(),
        external_host: Some(o.host),
        port: o.port,
        // Never bound: executors pull their tasks (see [`scheduler`]).
        grpc_port: 0,
        task_scheduling_policy: TaskSchedulingPolicy::PullStaged,
        scheduler_host: o.scheduler_host,
        scheduler_port: o.scheduler_port,
        vcores: o.slots,
        work_dir: o.work_dir,
        executor_heartbeat_interval_seconds: EXECUTOR_HEARTBEAT_SECONDS,
        override_function_registry: Some(Arc::new(function_registry())),
        override_logical_codec: Some(Arc::new(codec::LogicalCodec::default())),
        override_physical_codec: Some(Arc::new(codec::PhysicalCodec::default())),
        ..ExecutorProcessConfig::default()
    };
    start_executor_process(Arc::new(config)).await?;
    Ok(())
}

/// A client context on the scheduler at `host:port`, with Padu's functions.
///
/// They are registered after connecting: `remote_with_state` resets the
/// scalar functions to the built-ins.
pub async fn connect(scheduler: &str) -> Result<SessionContext, DistError> {
    connect_with(scheduler, DEFAULT_PARTITIONS).await
}

/// [`connect`], with `partitions` partitions per shuffle
/// ([`session_config_with`]).
pub async fn connect_with(scheduler: &str, partitions: usize) -> Result<SessionContext, DistError> {
    let state = SessionStateBuilder::new()
        .with_config(session_config_with(partitions))
        .with_default_features()
        .build();
    let ctx = SessionContext::remote_with_state(&format!("df://{scheduler}"), state).await?;
    for f in functions::all() {
        ctx.register_udf(f);
    }
    Ok(ctx)
}

/// Counts the civil extract's density statistics on the cluster behind
/// `ctx`: per name attribute and province, per attribute nationally, and
/// residents per village. Equal to `padu_match::partition::civil_density`
/// of the same records. Counts that do not add up ([`density_of`]) are
/// counted again.
pub async fn civil_density(ctx: &SessionContext, civil: &Path) -> Result<CivilDensity, DistError> {
    checked(async || civil_density_once(ctx, civil).await).await
}

/// One count of [`civil_density`]: `Ok(Err(what does not add up))` when
/// its name attributes do not.
async fn civil_density_once(
    ctx: &SessionContext,
    civil: &Path,
) -> Result<Result<CivilDensity, String>, DistError> {
    let path = civil.to_string_lossy();
    ctx.deregister_table("civil")?;
    ctx.register_parquet("civil", path.as_ref(), ParquetReadOptions::default())
        .await?;
    density_of(ctx, "civil", "nama", "nama_ibu_kandung", "kode_wilayah").await
}

/// The density statistics of the civil records `job` keeps, read through
/// Padu's reader: when a job leaves rows out (`--partial`), the raw columns
/// [`civil_density`] counts would count those rows too. Checked as
/// [`density_of`] checks, not counted again.
async fn civil_density_kept(
    ctx: &SessionContext,
    job: &Job,
) -> Result<Result<CivilDensity, String>, DistError> {
    ctx.deregister_table("civil_kept")?;
    ctx.register_table(
        "civil_kept",
        Arc::new(keys::KeysTable(job.records(keys::Side::Civil))),
    )?;
    density_of(
        ctx,
        "civil_kept",
        "padu_civil_field(rec, 'nama')",
        "padu_civil_field(rec, 'nama_ibu_kandung')",
        "padu_civil_field(rec, 'kode_wilayah')",
    )
    .await
}

/// The density statistics of table `from`, whose name, mother's name and
/// village code are the expressions `nama`, `ibu` and `kode` (column names
/// or Padu functions, never user text).
///
/// The name attributes have no total known beforehand (each resident has
/// as many as its names give), so a second query counts them apart: an
/// executor lost during either query makes the two disagree, and the
/// answer is `Ok(Err(what does not add up))`, never used.
async fn density_of(
    ctx: &SessionContext,
    from: &str,
    nama: &str,
    ibu: &str,
    kode: &str,
) -> Result<Result<CivilDensity, String>, DistError> {
    // The attributes of every resident, with the province that counts them.
    // Each attribute is computed once; the national sums are added here, from
    // the rows the client collects anyway (a second GROUP BY on the cluster
    // would compute every attribute again).
    let by_province = ctx
        .sql(&format!(
            "SELECT a.attr AS attr, a.province AS province, COUNT(*) AS n FROM (\
               SELECT unnest(padu_density_attributes({nama}, {ibu})) AS attr, \
                      CAST(substr(replace({kode}, '.', ''), 1, 2) AS BIGINT) AS province \
               FROM {from}) a \
             GROUP BY a.attr, a.province",
        ))
        .await?
        .collect()
        .await?;
    let mut out = CivilDensity {
        attributes: Vec::new(),
        villages: Vec::new(),
    };
    let mut national: std::collections::HashMap<u64, u32> = std::collections::HashMap::new();
    for batch in &by_province {
        let attr = batch.column(0).as_primitive_opt::<UInt64Type>();
        let province = batch.column(1).as_primitive_opt::<Int64Type>();
        let n = batch.column(2).as_primitive_opt::<Int64Type>();
        let (Some(attr), Some(province), Some(n)) = (attr, province, n) else {
            return Err(DistError::Unexpected(format!(
                "kolom statistik nama: {:?}",
                batch.schema()
            )));
        };
        for i in 0..batch.num_rows() {
            let p = u64::try_from(province.value(i))
                .map_err(|_| DistError::Unexpected("provinsi negatif".into()))?;
            let n = u32::try_from(n.value(i))
                .map_err(|_| DistError::Unexpected("jumlah di luar batas".into()))?;
            out.attributes.push((attr.value(i), p, n));
            *national.entry(attr.value(i)).or_default() += n;
        }
    }
    let grouped: u64 = national.values().map(|&n| u64::from(n)).sum();
    let listed = count(
        ctx,
        &format!(
            "SELECT COUNT(*) FROM (SELECT unnest(padu_density_attributes({nama}, {ibu})) AS attr \
             FROM {from})"
        ),
    )
    .await?;
    if grouped != listed {
        return Ok(Err(format!(
            "statistik nama: {grouped} atribut terhitung dari {listed}"
        )));
    }
    out.attributes
        .extend(national.into_iter().map(|(a, n)| (a, 0, n)));
    out.attributes.sort_unstable();
    let villages = ctx
        .sql(&format!(
            "SELECT kode_wilayah, COUNT(*) AS n FROM (SELECT {kode} AS kode_wilayah FROM {from}) \
             GROUP BY kode_wilayah"
        ))
        .await?
        .collect()
        .await?;
    for batch in &villages {
        let code = datafusion::arrow::compute::cast(
            batch.column(0),
            &datafusion::arrow::datatypes::DataType::Utf8,
        )
        .map_err(datafusion::error::DataFusionError::from)?;
        let code = code.as_string::<i32>();
        let n = batch.column(1).as_primitive::<Int64Type>();
        for i in 0..batch.num_rows() {
            if code.is_null(i) {
                return Err(DistError::Unexpected(format!(
                    "{} penduduk tanpa kode_wilayah",
                    n.value(i)
                )));
            }
            let c = RegionCode::parse(code.value(i)).map_err(|e| {
                DistError::Unexpected(format!("kode_wilayah {}: {e}", code.value(i)))
            })?;
            let n = u32::try_from(n.value(i))
                .map_err(|_| DistError::Unexpected("jumlah di luar batas".into()))?;
            out.villages.push((c, n));
        }
    }
    // A code may be written with and without dots: one village either way.
    out.villages.sort_unstable();
    out.villages.dedup_by(|b, a| {
        let same = a.0 == b.0;
        if same {
            a.1 += b.1;
        }
        same
    });
    Ok(Ok(out))
}

/// Counts the civil statistics of `job` on the cluster ([`civil_density`])
/// and writes them to the work directory, where every task that computes
/// keys reads them.
///
/// The residents per village must add up to the civil records the job
/// keeps, and the name attributes to a separate count of them
/// ([`density_of`]); counts that do not (an executor lost during a query)
/// are counted again.
pub async fn statistics(ctx: &SessionContext, job: &Job) -> Result<CivilDensity, DistError> {
    let density = checked(async || {
        let density = if job.leaving_out.contains(&keys::Side::Civil) {
            civil_density_kept(ctx, job).await?
        } else {
            civil_density_once(ctx, &job.civil).await?
        };
        let density = match density {
            Ok(d) => d,
            Err(problem) => return Ok(Err(problem)),
        };
        let residents: u64 = density.villages.iter().map(|v| u64::from(v.1)).sum();
        Ok(if residents == job.civil_rows as u64 {
            Ok(density)
        } else {
            Err(format!(
                "statistik: {residents} dari {} penduduk",
                job.civil_rows
            ))
        })
    })
    .await?;
    std::fs::create_dir_all(&job.work).map_err(datafusion::error::DataFusionError::from)?;
    stats::write(&job.stats(), &density)?;
    Ok(density)
}

/// Every blocking key of the records of `spec`'s file, computed on the
/// cluster: `(row, rule, key)` sorted, as [`keys::schema`] describes them.
pub async fn blocking_keys(
    ctx: &SessionContext,
    spec: keys::KeysSpec,
) -> Result<Vec<(u64, u8, u64)>, DistError> {
    let name = match spec.side {
        keys::Side::Civil => "civil_keys",
        keys::Side::Registry => "registry_keys",
    };
    ctx.register_table(name, Arc::new(keys::KeysTable(spec)))?;
    let batches = ctx
        .sql(&format!("SELECT row, rule, key FROM {name}"))
        .await?
        .collect()
        .await?;
    let mut out = Vec::new();
    for b in &batches {
        let (Some(row), Some(rule), Some(key)) = (
            b.column(0).as_primitive_opt::<UInt64Type>(),
            b.column(1)
                .as_primitive_opt::<datafusion::arrow::datatypes::UInt8Type>(),
            b.column(2).as_primitive_opt::<UInt64Type>(),
        ) else {
            return Err(DistError::Unexpected(format!(
                "kolom kunci: {:?}",
                b.schema()
            )));
        };
        for i in 0..b.num_rows() {
            out.push((row.value(i), rule.value(i), key.value(i)));
        }
    }
    out.sort_unstable();
    Ok(out)
}

/// What blocking the registry against the civil extract found: what the
/// single-process engine reports as `RunStats::candidate_pairs` and `rules`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocking {
    /// Distinct (registry row, civil row) pairs to compare.
    pub candidate_pairs: u64,
    /// Per rule, in the engine's rule order: pairs its keys produced (before
    /// the union removes repeats) and blocks skipped for exceeding the cap.
    pub rules: Vec<(u64, u64)>,
}

/// Registers the views of linking `job` on `ctx`, nothing run yet (the
/// civil statistics must be in the work directory, [`statistics`]): the key
/// tables of both sides, the civil index (each record once under each of its
/// keys' top bits, as the engine's index keeps them), its block sizes, the
/// registry's lookups, `candidates` (the distinct `(reg, civ)` pairs of
/// blocks of at most `MatchConfig::max_block` civil records), the
/// record tables of both sides and `compared` (`reg, civ, v`: each candidate
/// pair with its packed comparison levels, the records joined to the pairs
/// and compared where they meet).
pub async fn register_linking(ctx: &SessionContext, job: &Job) -> Result<(), DistError> {
    use keys::{KeysTable, Side};
    let today = job.today.format("%Y-%m-%d").to_string();
    for (name, spec) in [
        ("civil_keys", job.keys(Side::Civil)),
        ("registry_keys", job.keys(Side::Registry)),
        ("civil_records", job.records(Side::Civil)),
        ("registry_records", job.records(Side::Registry)),
        ("civil_niks", job.niks(Side::Civil)),
        ("registry_niks", job.niks(Side::Registry)),
    ] {
        ctx.deregister_table(name)?;
        ctx.register_table(name, Arc::new(KeysTable(spec)))?;
    }
    let bits = padu_match::partition::key_bits(job.civil_rows);
    let cap = u64::try_from(job.cfg.max_block).unwrap_or(u64::MAX);
    let view = |name: &'static str, sql: String| view(ctx, name, sql);
    view(
        "civil_index",
        format!("SELECT DISTINCT key >> {bits} AS k, row FROM civil_keys"),
    )
    .await?;
    view(
        "civil_blocks",
        "SELECT k, COUNT(*) AS n FROM civil_index GROUP BY k".into(),
    )
    .await?;
    view(
        "lookups",
        format!("SELECT row, rule, key >> {bits} AS k FROM registry_keys"),
    )
    .await?;
    view(
        "candidates",
        format!(
            "SELECT DISTINCT l.row AS reg, c.row AS civ \
             FROM lookups l \
             JOIN civil_blocks b ON l.k = b.k AND b.n <= {cap} \
             JOIN civil_index c ON c.k = l.k"
        ),
    )
    .await?;
    // `today` is a date the job formatted, not user text.
    view(
        "compared",
        format!(
            "SELECT p.reg, p.civ, padu_compare(r.rec, c.rec, '{today}') AS v \
             FROM candidates p \
             JOIN civil_records c ON c.row = p.civ \
             JOIN registry_records r ON r.row = p.reg"
        ),
    )
    .await?;
    Ok(())
}

/// Registers the result of `sql` on `ctx` as the view `name` (replacing one
/// of that name): nothing runs until a query reads it.
async fn view(ctx: &SessionContext, name: &str, sql: String) -> Result<(), DistError> {
    let df = ctx.sql(&sql).await?;
    ctx.deregister_table(name)?;
    ctx.register_table(name, df.into_view())?;
    Ok(())
}

/// Registers the views of deduplication on `ctx` (after
/// [`register_linking`]): the registry's own index (each record once under
/// each of its keys' top bits, for as many records as the registry has),
/// its block sizes, `dup_candidates` (the distinct `(a, b)` pairs, `a <
/// b`, of blocks of at most `MatchConfig::max_block` records) and
/// `dup_compared` (`a, b, v`).
pub async fn register_dedup(ctx: &SessionContext, job: &Job) -> Result<(), DistError> {
    let bits = padu_match::partition::key_bits(job.registry_rows);
    let cap = u64::try_from(job.cfg.max_block).unwrap_or(u64::MAX);
    let today = job.today.format("%Y-%m-%d").to_string();
    let view = |name: &'static str, sql: String| view(ctx, name, sql);
    view(
        "registry_index",
        format!("SELECT DISTINCT key >> {bits} AS k, row FROM registry_keys"),
    )
    .await?;
    view(
        "registry_blocks",
        "SELECT k, COUNT(*) AS n FROM registry_index GROUP BY k".into(),
    )
    .await?;
    view(
        "dup_candidates",
        format!(
            "SELECT DISTINCT l.row AS a, c.row AS b \
             FROM (SELECT row, key >> {bits} AS k FROM registry_keys) l \
             JOIN registry_blocks b ON l.k = b.k AND b.n <= {cap} \
             JOIN registry_index c ON c.k = l.k \
             WHERE c.row > l.row"
        ),
    )
    .await?;
    view(
        "dup_compared",
        format!(
            "SELECT p.a, p.b, padu_compare_registry(ra.rec, rb.rec, '{today}') AS v \
             FROM dup_candidates p \
             JOIN registry_records ra ON ra.row = p.a \
             JOIN registry_records rb ON rb.row = p.b"
        ),
    )
    .await?;
    Ok(())
}

/// Blocks the registry against the civil extract on the cluster (the views
/// of [`register_linking`]) and counts pairs per rule and distinct pairs.
pub async fn blocking(ctx: &SessionContext, job: &Job) -> Result<Blocking, DistError> {
    register_linking(ctx, job).await?;
    let cap = u64::try_from(job.cfg.max_block).unwrap_or(u64::MAX);
    let per_rule = ctx
        .sql(&format!(
            "SELECT l.rule, \
                    CAST(SUM(CASE WHEN b.n <= {cap} THEN b.n ELSE 0 END) AS BIGINT) AS pairs, \
                    CAST(SUM(CASE WHEN b.n > {cap} THEN 1 ELSE 0 END) AS BIGINT) AS skipped \
             FROM lookups l JOIN civil_blocks b ON l.k = b.k \
             GROUP BY l.rule"
        ))
        .await?
        .collect()
        .await?;
    let mut rules = vec![(0u64, 0u64); padu_match::partition::RULES];
    for b in &per_rule {
        let (Some(rule), Some(pairs), Some(skipped)) = (
            b.column(0)
                .as_primitive_opt::<datafusion::arrow::datatypes::UInt8Type>(),
            b.column(1).as_primitive_opt::<Int64Type>(),
            b.column(2).as_primitive_opt::<Int64Type>(),
        ) else {
            return Err(DistError::Unexpected(format!(
                "kolom aturan: {:?}",
                b.schema()
            )));
        };
        for i in 0..b.num_rows() {
            let slot = rules
                .get_mut(usize::from(rule.value(i)))
                .ok_or_else(|| DistError::Unexpected("aturan tak dikenal".into()))?;
            *slot = (
                u64::try_from(pairs.value(i)).unwrap_or(0),
                u64::try_from(skipped.value(i)).unwrap_or(0),
            );
        }
    }
    let pairs = ctx
        .sql("SELECT COUNT(*) FROM candidates")
        .await?
        .collect()
        .await?;
    let candidate_pairs = pairs
        .first()
        .and_then(|b| b.column(0).as_primitive_opt::<Int64Type>())
        .map(|c| c.value(0))
        .ok_or_else(|| DistError::Unexpected("jumlah pasangan".into()))?;
    Ok(Blocking {
        candidate_pairs: u64::try_from(candidate_pairs).unwrap_or(0),
        rules,
    })
}

/// Every candidate pair with its packed comparison levels, `(registry row,
/// civil row, levels)` sorted, from the views of [`register_linking`]: what
/// the engine's block-and-compare stage produces, collected on the client
/// (for checking; a national run keeps them on the cluster).
pub async fn compared_pairs(ctx: &SessionContext) -> Result<Vec<(u64, u64, u64)>, DistError> {
    let batches = ctx
        .sql("SELECT reg, civ, v FROM compared")
        .await?
        .collect()
        .await?;
    let mut out = Vec::new();
    for b in &batches {
        let (Some(reg), Some(civ), Some(v)) = (
            b.column(0).as_primitive_opt::<UInt64Type>(),
            b.column(1).as_primitive_opt::<UInt64Type>(),
            b.column(2).as_primitive_opt::<UInt64Type>(),
        ) else {
            return Err(DistError::Unexpected(format!(
                "kolom pasangan: {:?}",
                b.schema()
            )));
        };
        for i in 0..b.num_rows() {
            out.push((reg.value(i), civ.value(i), v.value(i)));
        }
    }
    out.sort_unstable();
    Ok(out)
}

/// How often each comparison pattern occurs among the candidate pairs
/// (views of [`register_linking`]), sorted by pattern: the input to training,
/// counted on the cluster.
pub async fn pattern_counts(ctx: &SessionContext) -> Result<Vec<(u64, u64)>, DistError> {
    counted_pairs(ctx, "compared", "compared").await
}

/// The pattern counts of the pairs of view `pairs` compared in view
/// `compared`, checked against a count of the pairs made by another query:
/// two answers that disagree are never used (see [`count_patterns_of`]).
pub(crate) async fn counted_pairs(
    ctx: &SessionContext,
    pairs: &str,
    compared: &str,
) -> Result<Vec<(u64, u64)>, DistError> {
    checked(async || {
        let expected = count(ctx, &format!("SELECT COUNT(*) FROM {pairs}")).await?;
        let patterns = count_patterns(
            ctx,
            &format!("SELECT v, COUNT(*) AS n FROM {compared} GROUP BY v"),
        )
        .await?;
        Ok(all_counted(patterns, expected))
    })
    .await
}

/// The single count a `SELECT COUNT(*)` returns.
pub(crate) async fn count(ctx: &SessionContext, sql: &str) -> Result<u64, DistError> {
    let batches = ctx.sql(sql).await?.collect().await?;
    let n = batches
        .iter()
        .find(|b| b.num_rows() > 0)
        .and_then(|b| b.column(0).as_primitive_opt::<Int64Type>())
        .map(|c| c.value(0))
        .ok_or_else(|| DistError::Unexpected(format!("tidak ada hasil: {sql}")))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Attempts at a query whose answer can be checked before it is given up.
pub(crate) const ATTEMPTS: usize = 3;

/// Runs of a query cancelled for a lost executor before it is given up:
/// the scheduler cancels once per executor lost ([`watch`]), and each
/// cancellation stands for an executor really lost, not for anything wrong
/// with the query, so they have their own allowance beside [`ATTEMPTS`].
pub(crate) const LOSSES: usize = 8;

/// Runs `query` until its answer passes its own check, [`ATTEMPTS`] times
/// at most: `query` gives `Ok(answer)`, or `Err(what does not add up)` for an
/// answer that must not be used (an executor lost during the query can
/// leave it short or doubled; ARCHITECTURE.md, "Losing an executor"). A
/// query that failed because an executor was lost ([`lost_executor`]: the
/// scheduler cancelled it, or its result could not be fetched) runs again
/// too, [`LOSSES`] times at most.
pub(crate) async fn checked<T>(
    mut query: impl AsyncFnMut() -> Result<Result<T, String>, DistError>,
) -> Result<T, DistError> {
    let (mut failed, mut lost) = (0, 0);
    loop {
        let problem = match query().await {
            Ok(Ok(answer)) => return Ok(answer),
            Ok(Err(p)) => {
                failed += 1;
                p
            }
            Err(e) if lost_executor(&e) => {
                lost += 1;
                format!("pelaksana hilang selama kueri ({e})")
            }
            Err(e) => return Err(e),
        };
        if failed >= ATTEMPTS || lost >= LOSSES {
            return Err(DistError::Incomplete(format!(
                "{problem} setelah {} percobaan",
                failed + lost
            )));
        }
        tracing::warn!(attempt = failed + lost, "{problem}; kueri diulang");
    }
}

/// Whether `e` is a query's failure for the loss of an executor, not for
/// anything in the query: the scheduler cancelled it ([`watch`]), or the
/// client could not fetch its result from the executor holding it.
pub(crate) fn lost_executor(e: &DistError) -> bool {
    let text = e.to_string();
    text.contains(watch::CANCELLED) || text.contains("GrpcConnectionError")
}

/// The `(v, n)` rows of a pattern-counting query whose counts must add up
/// to `expected`, sorted. A query during which an executor was lost can
/// come back short (see ARCHITECTURE.md, "Losing an executor"); such an
/// answer is never used: the query runs again.
async fn count_patterns_of(
    ctx: &SessionContext,
    sql: &str,
    expected: u64,
) -> Result<Vec<(u64, u64)>, DistError> {
    checked(async || Ok(all_counted(count_patterns(ctx, sql).await?, expected))).await
}

/// `patterns` when their counts add up to the `expected` pairs, else what
/// does not add up.
fn all_counted(patterns: Vec<(u64, u64)>, expected: u64) -> Result<Vec<(u64, u64)>, String> {
    let counted: u64 = patterns.iter().map(|p| p.1).sum();
    if counted == expected {
        Ok(patterns)
    } else {
        Err(format!("pola terhitung {counted} dari {expected} pasangan"))
    }
}

/// The `(v, n)` rows of a pattern-counting query, sorted.
async fn count_patterns(ctx: &SessionContext, sql: &str) -> Result<Vec<(u64, u64)>, DistError> {
    let batches = ctx.sql(sql).await?.collect().await?;
    let mut out = Vec::new();
    for b in &batches {
        let (Some(v), Some(n)) = (
            b.column(0).as_primitive_opt::<UInt64Type>(),
            b.column(1).as_primitive_opt::<Int64Type>(),
        ) else {
            return Err(DistError::Unexpected(format!(
                "kolom pola: {:?}",
                b.schema()
            )));
        };
        for i in 0..b.num_rows() {
            out.push((v.value(i), u64::try_from(n.value(i)).unwrap_or(0)));
        }
    }
    out.sort_unstable();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::error::DataFusionError;

    /// What the Ballista client returns for a query the scheduler cancelled.
    fn cancelled() -> DistError {
        DistError::DataFusion(DataFusionError::Execution(
            "Job 038J3XV57T000 failed: Cancelled".into(),
        ))
    }

    #[test]
    fn only_a_cancelled_or_unfetchable_query_counts_as_a_lost_executor() {
        assert!(lost_executor(&cancelled()));
        assert!(lost_executor(&DistError::DataFusion(
            DataFusionError::Execution("GrpcConnectionError(\"connection refused\")".into())
        )));
        // A failure of the query itself is not run again.
        assert!(!lost_executor(&DistError::DataFusion(
            DataFusionError::Execution("rekaman terkirim rusak: EOF".into())
        )));
        assert!(!lost_executor(&DistError::Incomplete("Cancelled".into())));
    }

    #[tokio::test]
    async fn a_query_cancelled_for_a_lost_executor_runs_again_until_it_answers() {
        let mut runs = 0;
        let answer = checked(async || {
            runs += 1;
            if runs < LOSSES {
                Err(cancelled())
            } else {
                Ok(Ok(runs))
            }
        })
        .await
        .expect("answered on the last allowed run");
        assert_eq!(answer, LOSSES);
    }

    #[tokio::test]
    async fn losses_and_wrong_answers_each_have_their_limit() {
        let mut runs = 0;
        let lost = checked(async || -> Result<Result<(), String>, DistError> {
            runs += 1;
            Err(cancelled())
        })
        .await;
        assert!(matches!(lost, Err(DistError::Incomplete(_))), "{lost:?}");
        assert_eq!(runs, LOSSES);

        let mut runs = 0;
        let short = checked(async || -> Result<Result<(), String>, DistError> {
            runs += 1;
            Ok(Err("3 dari 4 baris".into()))
        })
        .await;
        let Err(DistError::Incomplete(why)) = short else {
            panic!("{short:?}")
        };
        assert!(why.contains("3 dari 4 baris"), "{why}");
        assert_eq!(runs, ATTEMPTS);

        // Any other failure stops at once.
        let mut runs = 0;
        let failed = checked(async || -> Result<Result<(), String>, DistError> {
            runs += 1;
            Err(DistError::Unexpected("kolom".into()))
        })
        .await;
        assert!(matches!(failed, Err(DistError::Unexpected(_))));
        assert_eq!(runs, 1);
    }
}
