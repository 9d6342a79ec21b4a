//! Command-line arguments.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};
use padu_core::Lang;

/// Padu: registri kesejahteraan sosial terpadu (DTKS) — verifikasi, impor, ekspor.
#[derive(Debug, Parser)]
#[command(name = "padu", version, about, long_about = None)]
pub(crate) struct Cli {
    /// Database URL: `sqlite://padu.db` (default) or `postgres://user@host/db`.
    #[arg(
        long,
        global = true,
        env = "PADU_DATABASE_URL",
        default_value = "sqlite://padu.db"
    )]
    pub db: String,
    /// Language of messages: `id` (Bahasa Indonesia) or `en`.
    #[arg(long, global = true, env = "PADU_LANG", default_value = "id")]
    pub lang: Lang,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Padu's commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Check NIKs: validity, embedded birth date, sex and region of issue.
    Nik(NikArgs),
    /// Look up Kemendagri region codes by code or by name.
    Wilayah(WilayahArgs),
    /// Import a registry (DTKS) or civil-registry (Dukcapil) file into the database.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Export the registry from the database to CSV, XLSX or Parquet.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Counts of people and households per region level.
    Stats(StatsArgs),
    /// Generate synthetic civil-registry, registry and ground-truth files.
    Gen(GenArgs),
    /// Verify the registry against the civil registry (files, or the database).
    Verify(VerifyArgs),
    /// Measure Padu: accuracy and speed of verification, import throughput.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Apply database migrations (also done automatically on first use).
    Migrate,
    /// Run the web application (pages and the JSON API) for operators.
    Serve(ServeArgs),
    /// Manage accounts: the first admin, and scripts.
    #[command(subcommand)]
    User(UserCommand),
    /// Monthly periods: finalise one, export the registry as of one, compare two.
    #[command(subcommand)]
    Period(PeriodCommand),
}

/// `padu period ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum PeriodCommand {
    /// The finalised periods.
    List,
    /// Finalise a month (YYYY-MM) now, as a Pusdatin account.
    Finalise {
        /// The month, `YYYY-MM`.
        period: String,
        /// The Pusdatin account that finalises it (recorded in the audit log).
        #[arg(long)]
        user: String,
    },
    /// Write the registry as of a finalised period (active members, with each record's version and since when).
    Export {
        /// The month, `YYYY-MM`.
        period: String,
        /// Output file: `.csv`, `.xlsx` or `.parquet`.
        #[arg(long)]
        out: PathBuf,
        /// Only this region (province, regency, district or village code).
        #[arg(long)]
        wilayah: Option<String>,
    },
    /// What changed between two finalised periods, by kind, reason and regency.
    Diff {
        /// The earlier month.
        from: String,
        /// The later month.
        to: String,
        /// Only this region.
        #[arg(long)]
        wilayah: Option<String>,
    },
}

/// Arguments of `padu serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: std::net::SocketAddr,
    /// Mark cookies Secure: set this when Padu is reached over HTTPS (e.g. behind a TLS proxy).
    #[arg(long)]
    pub secure_cookies: bool,
    /// Minutes without a request after which a session ends.
    #[arg(long, default_value_t = 480)]
    pub session_minutes: i64,
    /// Threads that build the instant re-check index at start-up (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// The day of the month on which proposals' period closes (1-28), in each region's local time.
    #[arg(long, default_value_t = 17)]
    pub cut_off_day: u32,
    /// The minute it closes, `HH:MM` local time (the whole minute is included).
    #[arg(long, default_value = "23:59")]
    pub cut_off_time: String,
}

/// `padu user ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum UserCommand {
    /// Create an account. Its first password must be changed at first sign-in.
    Add(UserAddArgs),
    /// List every account.
    List,
    /// Disable an account: its sessions end and its API tokens are revoked at once.
    Disable(UsernameArg),
    /// Enable a disabled account again.
    Enable(UsernameArg),
    /// Set a new password (generated unless given) that must be changed at next sign-in.
    ResetPassword(ResetPasswordArgs),
    /// Issue an API token (shown once), list an account's tokens, or revoke one.
    Token(TokenArgs),
}

/// Arguments of `padu user add`.
#[derive(Debug, Args)]
pub(crate) struct UserAddArgs {
    /// Sign-in name: 3–40 letters, digits, `.`, `_` or `-`.
    pub username: String,
    /// Role: operator_desa, operator_kecamatan, operator_dinsos, verifikator_dinsos,
    /// kepala_dinsos, admin_provinsi, pusdatin or admin.
    #[arg(long)]
    pub role: String,
    /// Region: `nasional`, or the code of a province, regency, district or village, as the role needs.
    #[arg(long)]
    pub wilayah: String,
    /// Full name shown to others (default: the username).
    #[arg(long)]
    pub name: Option<String>,
    /// Phone number.
    #[arg(long)]
    pub phone: Option<String>,
    /// First password (default: generated and printed). Also read from PADU_PASSWORD.
    #[arg(long, env = "PADU_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
    /// Do not force a password change at first sign-in (only for demo databases).
    #[arg(long)]
    pub no_force_change: bool,
}

/// A username argument.
#[derive(Debug, Args)]
pub(crate) struct UsernameArg {
    /// The account's sign-in name.
    pub username: String,
}

/// Arguments of `padu user reset-password`.
#[derive(Debug, Args)]
pub(crate) struct ResetPasswordArgs {
    /// The account's sign-in name.
    pub username: String,
    /// The new password (default: generated and printed). Also read from PADU_PASSWORD.
    #[arg(long, env = "PADU_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
}

/// Arguments of `padu user token`.
#[derive(Debug, Args)]
pub(crate) struct TokenArgs {
    /// The account's sign-in name.
    pub username: String,
    /// A name for the new token (what script uses it).
    #[arg(long, conflicts_with_all = ["list", "revoke"])]
    pub name: Option<String>,
    /// List the account's tokens instead.
    #[arg(long)]
    pub list: bool,
    /// Revoke the token with this id instead.
    #[arg(long)]
    pub revoke: Option<i64>,
}

/// `padu import ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum ImportCommand {
    /// A DTKS extract: one row per person (ART).
    Registry(ImportArgs),
    /// A Dukcapil extract: one row per resident.
    Civil(ImportArgs),
}

/// Arguments of `padu import registry|civil`.
#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    /// The CSV, XLSX or Parquet file.
    pub file: PathBuf,
    /// XLSX sheet to read (default: the first).
    #[arg(long)]
    pub sheet: Option<String>,
    /// Import the good rows even if some rows have errors (rows with errors are skipped).
    #[arg(long)]
    pub partial: bool,
    /// Reference date for NIK birth-year centuries (default: today).
    #[arg(long, value_parser = parse_day)]
    pub today: Option<NaiveDate>,
    /// Also write every problem found (errors and warnings) to this CSV file.
    #[arg(long)]
    pub issues: Option<PathBuf>,
    /// A column mapping (TOML) for what Padu cannot guess: column names, fixed values, header row, date format.
    #[arg(long, value_name = "MAPPING.toml")]
    pub map: Option<PathBuf>,
    /// Write the column mapping Padu infers from the file to this TOML file and stop (nothing is imported).
    #[arg(long, value_name = "MAPPING.toml", conflicts_with = "dry_run")]
    pub suggest_map: Option<PathBuf>,
    /// Read and check everything and say what would change, but write nothing to the database.
    #[arg(long)]
    pub dry_run: bool,
}

/// `padu export ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum ExportCommand {
    /// The registry, in the registry file format.
    Registry(ExportArgs),
}

/// Arguments of `padu export registry`.
#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    /// Output file: `.csv` or `.xlsx`.
    #[arg(long)]
    pub out: PathBuf,
    /// Only this region (province, regency, district or village code).
    #[arg(long)]
    pub wilayah: Option<String>,
}

/// Arguments of `padu stats`.
#[derive(Debug, Args)]
pub(crate) struct StatsArgs {
    /// Only this region (province, regency, district or village code).
    #[arg(long)]
    pub wilayah: Option<String>,
}

/// Arguments of `padu gen`.
#[derive(Debug, Args)]
pub(crate) struct GenArgs {
    /// Number of people in the civil registry; the registry holds about 30% of them.
    #[arg(long)]
    pub people: usize,
    /// Output directory (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    /// Random seed; the same seed gives the same files.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Only people living in this region.
    #[arg(long)]
    pub wilayah: Option<String>,
    /// Reference date (default: today).
    #[arg(long, value_parser = parse_day)]
    pub today: Option<NaiveDate>,
    /// Also write `civil.parquet` and `registry.parquet` (the inputs of `padu-dist`).
    #[arg(long)]
    pub parquet: bool,
}

/// Arguments of `padu verify`.
#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// Registry file (file mode; with --civil). Without it, the database's registry is verified.
    #[arg(long, requires = "civil")]
    pub registry: Option<PathBuf>,
    /// Civil-registry file (file mode).
    #[arg(long, requires = "registry")]
    pub civil: Option<PathBuf>,
    /// Result file: `.csv` or `.xlsx`.
    #[arg(long)]
    pub out: PathBuf,
    /// Write per-row candidates and per-field match weights as JSON lines.
    #[arg(long)]
    pub explain: Option<PathBuf>,
    /// Only this region (database mode).
    #[arg(long, conflicts_with = "registry")]
    pub wilayah: Option<String>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Reference date (default: today).
    #[arg(long, value_parser = parse_day)]
    pub today: Option<NaiveDate>,
    /// Leave rows with errors out of the run instead of refusing it (file mode):
    /// each is listed as `file:row:column: message` in the rejects file and counted.
    #[arg(long, requires = "registry")]
    pub partial: bool,
    /// Where --partial lists the rows left out (default: beside --out, `<name>.ditolak.txt`).
    #[arg(long, requires = "partial")]
    pub rejects: Option<PathBuf>,
}

/// `padu bench ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum BenchCommand {
    /// Generate data, verify it and score the result against the ground truth.
    Verify(BenchVerifyArgs),
    /// Score a result file against a ground-truth file (e.g. another tool's output).
    Score(BenchScoreArgs),
    /// Measure import throughput and peak memory into a database.
    Import(BenchImportArgs),
    /// Measure the instant re-check: build time and memory of the
    /// single-record verifier over a civil extract, and check latency.
    Recheck(BenchRecheckArgs),
    /// Measure the web application under load: `padu serve` on the database
    /// (`--db`, already imported and verified) and many signed-in sessions
    /// requesting lists, deep pages, searches, households and re-checks.
    Web(BenchWebArgs),
}

/// Arguments of `padu bench web`.
#[derive(Debug, Args)]
pub(crate) struct BenchWebArgs {
    /// Signed-in sessions making requests at once.
    #[arg(long, default_value_t = 50)]
    pub sessions: usize,
    /// Seconds each scenario runs.
    #[arg(long, default_value_t = 20)]
    pub seconds: u64,
    /// The deep page of the national member list to measure (50 people a page).
    #[arg(long, default_value_t = 500)]
    pub page: usize,
    /// Threads the server builds its re-check index with.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Run only these scenarios (repeatable; default: all), e.g. to profile one.
    #[arg(long = "scenario", value_enum)]
    pub scenarios: Vec<WebScenario>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// The scenarios of `padu bench web`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum WebScenario {
    /// The first page of the national member list.
    List,
    /// The deep page (`--page`) of it, by keyset cursor.
    Deep,
    /// A national name search.
    Search,
    /// A household page.
    Household,
    /// The instant re-check (JSON API).
    Recheck,
}

/// The generated data a benchmark runs on.
#[derive(Debug, Args)]
pub(crate) struct BenchDataArgs {
    /// Civil-registry size.
    #[arg(long, default_value_t = 100_000)]
    pub people: usize,
    /// Random seed.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Only people living in this region (e.g. `32.76` for Depok): the same
    /// number of people at the density of one city instead of spread over the country.
    #[arg(long)]
    pub wilayah: Option<String>,
}

/// Arguments of `padu bench verify`.
#[derive(Debug, Args)]
pub(crate) struct BenchVerifyArgs {
    /// The data.
    #[command(flatten)]
    pub data: BenchDataArgs,
    /// Keep the generated files and results here (default: a temporary directory).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Worker threads.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `padu bench score`.
#[derive(Debug, Args)]
pub(crate) struct BenchScoreArgs {
    /// The result file to score.
    #[arg(long)]
    pub results: PathBuf,
    /// The ground truth (`truth.csv` from `padu gen`).
    #[arg(long)]
    pub truth: PathBuf,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `padu bench import`.
#[derive(Debug, Args)]
pub(crate) struct BenchImportArgs {
    /// Registry rows to generate and import (civil size is rows / 0.3).
    #[arg(long, default_value_t = 1_000_000)]
    pub rows: usize,
    /// Keep the generated files here (default: a temporary directory).
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

/// Arguments of `padu bench recheck`.
#[derive(Debug, Args)]
pub(crate) struct BenchRecheckArgs {
    /// The data.
    #[command(flatten)]
    pub data: BenchDataArgs,
    /// Use the files generated here before, or generate and keep them here
    /// (default: a temporary directory).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Worker threads for the full run and for building the verifier.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Registry rows to check, spread evenly over the registry.
    #[arg(long, default_value_t = 10_000)]
    pub checks: usize,
    /// Threads calling `check` at once: one measurement per number given.
    #[arg(long, value_delimiter = ',', default_value = "1,2,4,8")]
    pub callers: Vec<usize>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `padu nik`.
#[derive(Debug, Args)]
pub(crate) struct NikArgs {
    /// One JSON object per line instead of text.
    #[arg(long)]
    pub json: bool,
    /// Reference date for the century of the embedded birth year (default: today).
    #[arg(long, value_parser = parse_day)]
    pub today: Option<NaiveDate>,
    /// The NIKs to check.
    #[arg(required = true)]
    pub niks: Vec<String>,
}

/// `padu wilayah`.
#[derive(Debug, Args)]
pub(crate) struct WilayahArgs {
    /// Print the edition of the bundled region list.
    #[arg(long)]
    pub edisi: bool,
    /// Region codes (`32.76.01.1006`, `3276`) or names (`Depok`).
    #[arg(required_unless_present = "edisi")]
    pub query: Vec<String>,
}

/// Parses a `YYYY-MM-DD` argument.
pub(crate) fn parse_day(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| format!("expected YYYY-MM-DD: {e}"))
}
