//! Command-line arguments.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};
use padu_core::Lang;

/// Padu: registri kesejahteraan sosial terpadu (DTKS) — verifikasi, impor, ekspor.
#[derive(Debug, Parser)]
#[command(name = "padu", version, about, long_about = None)]
pub struct Cli {
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
pub enum Command {
    /// Check NIKs: validity, embedded birth date, sex and region of issue.
    Nik(NikArgs),
    /// Look up Kemendagri region codes by code or by name.
    Wilayah(WilayahArgs),
}

/// `padu nik`.
#[derive(Debug, Args)]
pub struct NikArgs {
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
pub struct WilayahArgs {
    /// Print the edition of the bundled region list.
    #[arg(long)]
    pub edisi: bool,
    /// Region codes (`32.76.01.1006`, `3276`) or names (`Depok`).
    #[arg(required_unless_present = "edisi")]
    pub query: Vec<String>,
}

/// Parses a `YYYY-MM-DD` argument.
pub fn parse_day(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| format!("expected YYYY-MM-DD: {e}"))
}

/// The paths a command reads or writes, resolved against the working directory.
#[allow(dead_code)]
pub type FilePath = PathBuf;
