//! One module per command; `run` dispatches.

mod nik;
mod wilayah;

use std::process::ExitCode;

use crate::cli::{Cli, Command};

/// Runs the parsed command.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Nik(a) => nik::run(&a, cli.lang),
        Command::Wilayah(a) => wilayah::run(&a, cli.lang),
    }
}

/// Today in Western Indonesian Time (UTC+7), the clock deadlines are stated in.
pub fn today_wib() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive()
}
