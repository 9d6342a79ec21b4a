//! `padu export registry`: the stored registry back into the registry file format.

use std::process::ExitCode;

use anyhow::Context;
use padu_store::Store;

use crate::cli::ExportCommand;

pub(super) fn run(cmd: &ExportCommand, db: &str) -> anyhow::Result<ExitCode> {
    let ExportCommand::Registry(args) = cmd;
    let scope = super::scope(args.wilayah.as_deref())?;
    let today = super::today_wib();
    super::block_on(async {
        let store = Store::connect(db)
            .await
            .with_context(|| format!("membuka basis data {}", super::redact(db)))?;
        let people = store
            .with_today(today)
            .load_registry(scope)
            .await
            .context("membaca DTKS dari basis data")?;
        let n = padu_io::write_registry(&args.out, people)
            .with_context(|| format!("menulis {}", args.out.display()))?;
        out!("{n} baris ditulis ke {}", args.out.display());
        Ok(ExitCode::SUCCESS)
    })
}
