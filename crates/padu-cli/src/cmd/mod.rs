//! One module per command; `run` dispatches.

mod bench;
mod export;
mod generate;
mod import;
mod nik;
mod period;
mod serve;
mod stats;
mod user;
mod verify;
mod wilayah;

use std::process::ExitCode;

use anyhow::Context;
use padu_core::{RegionCode, regions};
use padu_store::Scope;

use crate::cli::{Cli, Command};

/// Runs the parsed command.
pub(crate) fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Command::Nik(a) => nik::run(a, cli.lang),
        Command::Wilayah(a) => wilayah::run(a, cli.lang),
        Command::Import(c) => import::run(c, &cli.db, cli.lang),
        Command::Export(c) => export::run(c, &cli.db),
        Command::Stats(a) => stats::run(a, &cli.db, cli.lang),
        Command::Gen(a) => generate::run(a, cli.lang),
        Command::Verify(a) => verify::run(a, &cli.db, cli.lang),
        Command::Bench(c) => bench::run(c, &cli.db, cli.lang),
        Command::Serve(a) => serve::run(a, &cli.db),
        Command::User(c) => user::run(c, &cli.db, cli.lang),
        Command::Period(c) => period::run(c, &cli.db, cli.lang),
        Command::Migrate => block_on(async {
            let store = padu_store::Store::connect(&cli.db)
                .await
                .with_context(|| format!("membuka basis data {}", redact(&cli.db)))?;
            let applied = store.migrate().await.context("menerapkan migrasi")?;
            if applied.is_empty() {
                out!("basis data sudah mutakhir");
            }
            for m in applied {
                out!("migrasi diterapkan: {m}");
            }
            Ok(ExitCode::SUCCESS)
        }),
    }
}

/// Today in Western Indonesian Time (UTC+7), the clock deadlines are stated in.
pub(crate) fn today_wib() -> chrono::NaiveDate {
    padu_core::Zone::Wib.date_of(chrono::Utc::now())
}

/// Runs a future on a runtime built for this one command.
pub(crate) fn block_on<T>(
    f: impl std::future::Future<Output = anyhow::Result<T>>,
) -> anyhow::Result<T> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("memulai runtime")?
        .block_on(f)
}

/// A database URL with any password replaced, for messages.
pub(crate) fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Parses `--wilayah` into a scope; the code must exist in some edition.
pub(crate) fn scope(arg: Option<&str>) -> anyhow::Result<Scope> {
    match arg {
        None => Ok(Scope::National),
        Some(s) => {
            let code: RegionCode = regions()
                .parse_known(s)
                .map_err(|e| anyhow::anyhow!("--wilayah: {e}"))?;
            Ok(Scope::Region(code))
        }
    }
}

/// Peak resident memory of this process so far, in MiB (Linux; `None` elsewhere).
pub(crate) fn peak_rss_mib() -> Option<f64> {
    status_mib("VmHWM:")
}

/// Resident memory of this process now, in MiB (Linux; `None` elsewhere).
pub(crate) fn rss_mib() -> Option<f64> {
    status_mib("VmRSS:")
}

/// A memory figure of `/proc/self/status`, in MiB.
fn status_mib(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_hides_passwords_only() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite://padu.db"), "sqlite://padu.db");
    }
}
