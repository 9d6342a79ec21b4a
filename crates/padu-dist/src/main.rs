//! `padu-dist`: Padu's scheduler and executor processes for Ballista, and
//! the distributed jobs a national data engineer runs against them.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

/// mimalloc instead of the system allocator, as in `padu`: an executor
/// builds and frees Arrow buffers and the engine's small strings on every
/// task, and a profile of the 1M run put 16% of the executors' CPU in
/// glibc's malloc and free (docs/benchmarks.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Padu's national run on Apache DataFusion Ballista.
#[derive(Debug, Parser)]
#[command(name = "padu-dist", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a scheduler (one per cluster).
    Scheduler {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:50050")]
        bind: SocketAddr,
    },
    /// Run an executor that takes tasks from a scheduler.
    Executor {
        /// The scheduler, HOST:PORT.
        #[arg(long, default_value = "127.0.0.1:50050")]
        scheduler: String,
        /// Host this executor binds and advertises.
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        /// Arrow Flight port (shuffle data).
        #[arg(long, default_value_t = 50051)]
        port: u16,
        /// Tasks run at once (default: the number of cores).
        #[arg(long)]
        slots: Option<usize>,
        /// Directory for shuffle files (default: a temporary directory).
        #[arg(long)]
        work_dir: Option<PathBuf>,
    },
    /// Count the civil extract's density statistics on the cluster and
    /// print them as `attribute,province,residents` lines (province 0: national).
    Density {
        /// The civil extract (Parquet, interchange columns).
        #[arg(long)]
        civil: PathBuf,
        /// The scheduler, HOST:PORT.
        #[arg(long, default_value = "127.0.0.1:50050")]
        scheduler: String,
    },
    /// Verify a registry against a civil extract on the cluster: the
    /// result `padu verify` gives, written as Parquet in the interchange
    /// result columns, one `kode_kabupaten=<code>` directory per regency.
    Verify {
        /// The registry (DTKS extract), Parquet, interchange columns.
        #[arg(long)]
        registry: PathBuf,
        /// The civil extract (Dukcapil), Parquet, interchange columns.
        #[arg(long)]
        civil: PathBuf,
        /// The result directory.
        #[arg(long)]
        out: PathBuf,
        /// The scheduler, HOST:PORT.
        #[arg(long, default_value = "127.0.0.1:50050")]
        scheduler: String,
        /// A directory every executor sees at the same path, for the files
        /// the job hands its tasks (default: beside --out, `<out>.kerja`).
        #[arg(long)]
        work: Option<PathBuf>,
        /// Reference date for NIK birth-year centuries, YYYY-MM-DD (default: today, WIB).
        #[arg(long)]
        today: Option<chrono::NaiveDate>,
        /// Leave rows with errors out of the run instead of refusing it: each
        /// is listed as `file:row:column: message` in the rejects file and counted.
        #[arg(long)]
        partial: bool,
        /// Where --partial lists the rows left out (default: beside --out, `<name>.ditolak.txt`).
        #[arg(long, requires = "partial")]
        rejects: Option<PathBuf>,
        /// Partitions per shuffle: more make each task's share of a join or
        /// a grouping, and so each executor's memory, smaller; raise it with
        /// the data (docs/benchmarks.md, "The distributed run").
        #[arg(long, default_value_t = padu_dist::DEFAULT_PARTITIONS)]
        partitions: usize,
    },
    /// Compare a distributed result (a directory of result files) with a
    /// result file (e.g. `padu verify`'s on the same input), row by row by
    /// `id_art`; exit 1 when they differ.
    Compare {
        /// The result directory `padu-dist verify` wrote.
        #[arg(long)]
        dist: PathBuf,
        /// A result file (`.csv`, `.xlsx` or `.parquet`).
        #[arg(long)]
        with: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PADU_LOG")
                // Ballista's client logs every failed query as an error,
                // including one the scheduler cancelled for a lost executor,
                // which padu-dist runs again and reports itself (a warning);
                // a failure that stops the job is printed as its error.
                .unwrap_or_else(|_| {
                    tracing_subscriber::EnvFilter::new(
                        "warn,ballista_core::execution_plans::distributed_query=off",
                    )
                }),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("galat: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    if let Command::Compare { dist, with } = &cli.command {
        return compare(dist, with);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("memulai runtime")?;
    rt.block_on(async {
        match cli.command {
            Command::Scheduler { bind } => padu_dist::scheduler(bind)
                .await
                .context("menjalankan scheduler"),
            Command::Executor {
                scheduler,
                host,
                port,
                slots,
                work_dir,
            } => {
                let (scheduler_host, scheduler_port) = split_host_port(&scheduler)?;
                padu_dist::executor(padu_dist::ExecutorOptions {
                    scheduler_host,
                    scheduler_port,
                    host,
                    port,
                    slots: slots.unwrap_or_else(|| {
                        std::thread::available_parallelism().map_or(1, usize::from)
                    }),
                    work_dir: work_dir.map(|p| p.to_string_lossy().into_owned()),
                })
                .await
                .context("menjalankan executor")
            }
            Command::Density { civil, scheduler } => {
                let ctx = padu_dist::connect(&scheduler)
                    .await
                    .with_context(|| format!("menghubungi scheduler {scheduler}"))?;
                let d = padu_dist::civil_density(&ctx, &civil)
                    .await
                    .with_context(|| format!("menghitung statistik {}", civil.display()))?;
                use std::io::Write;
                let mut out = std::io::BufWriter::new(std::io::stdout().lock());
                for (a, p, n) in &d.attributes {
                    writeln!(out, "{a},{p},{n}")?;
                }
                out.flush()?;
                eprintln!(
                    "{} baris statistik nama, {} desa/kelurahan",
                    d.attributes.len(),
                    d.villages.len()
                );
                Ok(())
            }
            Command::Compare { .. } => unreachable!("handled before the runtime starts"),
            Command::Verify {
                registry,
                civil,
                out,
                scheduler,
                work,
                today,
                partial,
                rejects,
                partitions,
            } => {
                let today =
                    today.unwrap_or_else(|| padu_core::Zone::Wib.date_of(chrono::Utc::now()));
                let work = work.unwrap_or_else(|| {
                    let mut name = out.file_name().unwrap_or_default().to_os_string();
                    name.push(".kerja");
                    out.with_file_name(name)
                });
                let job = padu_dist::Job::new(
                    &civil,
                    &registry,
                    today,
                    &work,
                    padu_match::MatchConfig::default(),
                )
                .context("membuka berkas masukan")?
                .with_partial(partial);
                let ctx = padu_dist::connect_with(&scheduler, partitions)
                    .await
                    .with_context(|| format!("menghubungi scheduler {scheduler}"))?;
                let start = std::time::Instant::now();
                let done = padu_dist::verify(&ctx, &job, &out, &|stage| {
                    eprintln!("[{:>7.1} s] {stage}", start.elapsed().as_secs_f64());
                })
                .await;
                // Every bad row is named, as `padu verify` names them.
                if let Err(padu_dist::DistError::BadRows { errors, .. }) = &done {
                    for e in errors {
                        eprintln!("{e}");
                    }
                }
                let done = done.context("verifikasi terdistribusi")?;
                if partial {
                    let path = rejects.unwrap_or_else(|| {
                        let stem = out.file_name().unwrap_or_default().to_string_lossy();
                        out.with_file_name(format!("{stem}.ditolak.txt"))
                    });
                    write_rejects(&path, &done.left_out)?;
                    eprintln!(
                        "baris ditolak (--partial): {} DTKS, {} Dukcapil; {} galat tercatat di {}",
                        done.left_out.registry,
                        done.left_out.civil,
                        done.left_out.errors.len(),
                        path.display()
                    );
                }
                eprintln!(
                    "{} baris DTKS diverifikasi terhadap {} penduduk Dukcapil dalam {:.1} s: \
                     {} pasangan kandidat, {} pasangan ganda dibandingkan, {} kelompok ganda",
                    done.rows,
                    job.civil_rows
                        .saturating_sub(usize::try_from(done.left_out.civil).unwrap_or(usize::MAX)),
                    start.elapsed().as_secs_f64(),
                    done.candidate_pairs,
                    done.dedup_pairs,
                    done.duplicate_groups
                );
                for (stage, seconds) in &done.stages {
                    eprintln!("  {stage:<22} {seconds:>8.2} s");
                }
                eprintln!("hasil: {}", out.display());
                Ok(())
            }
        }
    })
}

/// Lists the rows a partial run left out, one error per line, as `padu verify --partial` does.
fn write_rejects(path: &std::path::Path, left_out: &padu_dist::LeftOut) -> anyhow::Result<()> {
    use std::io::Write;
    let f = std::fs::File::create(path).with_context(|| format!("membuat {}", path.display()))?;
    let mut w = std::io::BufWriter::new(f);
    for e in left_out.messages(padu_core::Lang::Id) {
        writeln!(w, "{e}")?;
    }
    w.flush()
        .with_context(|| format!("menulis {}", path.display()))?;
    Ok(())
}

/// `padu-dist compare`: the rows of every result file under `dist` against
/// the rows of `with`, matched by `id_art`.
fn compare(dist: &std::path::Path, with: &std::path::Path) -> anyhow::Result<()> {
    use std::collections::HashMap;
    let mut ours: HashMap<String, padu_core::VerificationRow> = HashMap::new();
    let files = padu_dist::result_files(dist).context("membaca direktori hasil")?;
    for f in &files {
        for row in padu_io::read_results(f).with_context(|| format!("membaca {}", f.display()))? {
            if ours.insert(row.id_art.clone(), row).is_some() {
                anyhow::bail!("id_art berulang di {}", f.display());
            }
        }
    }
    let theirs =
        padu_io::read_results(with).with_context(|| format!("membaca {}", with.display()))?;
    let c = padu_dist::compare(ours, &theirs);
    for d in &c.shown {
        println!(
            "{}: {}: terdistribusi «{}», pembanding «{}»",
            d.id_art, d.column, d.ours, d.theirs
        );
    }
    println!(
        "{} berkas; {} baris sama, {} berbeda, {} tidak ada di hasil terdistribusi, {} hanya di hasil terdistribusi",
        files.len(),
        c.same,
        c.differ,
        c.missing,
        c.extra
    );
    if !c.identical() {
        std::process::exit(1);
    }
    Ok(())
}

/// `HOST:PORT` split at the last colon.
fn split_host_port(s: &str) -> anyhow::Result<(String, u16)> {
    let (host, port) = s
        .rsplit_once(':')
        .with_context(|| format!("alamat scheduler {s}: harus HOST:PORT"))?;
    let port = port
        .parse()
        .with_context(|| format!("alamat scheduler {s}: port tidak valid"))?;
    Ok((host.to_string(), port))
}
