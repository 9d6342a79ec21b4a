//! `padu period list|finalise|export|diff`: the monthly periods Pusdatin finalises.

use std::process::ExitCode;

use anyhow::{Context, bail};
use padu_core::{Lang, Period, Role};
use padu_io::RegistryWriter;
use padu_store::{Actor, Scope, Store, StoreError};

use crate::cli::PeriodCommand;

fn parse_period(s: &str) -> anyhow::Result<Period> {
    s.parse()
        .map_err(|e: padu_core::PeriodError| anyhow::anyhow!("{e}"))
}

pub(super) fn run(cmd: &PeriodCommand, db: &str, lang: Lang) -> anyhow::Result<ExitCode> {
    super::block_on(async {
        let store = Store::connect(db)
            .await
            .with_context(|| format!("membuka basis data {}", super::redact(db)))?;
        match cmd {
            PeriodCommand::List => {
                let periods = store.periods().await?;
                if periods.is_empty() {
                    out!("belum ada periode yang ditetapkan");
                }
                for p in periods {
                    out!(
                        "{}  {}  {} orang aktif  oleh {}",
                        p.period,
                        p.finalised_at.format("%Y-%m-%d %H:%M:%S UTC"),
                        p.people,
                        p.finalised_by
                    );
                }
            }
            PeriodCommand::Finalise { period, user } => {
                let period = parse_period(period)?;
                let u = store
                    .users(Scope::National)
                    .await?
                    .into_iter()
                    .find(|u| &u.username == user)
                    .with_context(|| format!("akun {user} tidak ada"))?;
                if u.role != Role::Pusdatin || u.disabled_at.is_some() {
                    bail!(
                        "akun {user} bukan akun Pusdatin yang aktif; hanya Pusdatin yang menetapkan periode"
                    );
                }
                let actor = Actor {
                    app_user_id: u.app_user_id,
                    username: u.username.clone(),
                    ip: "padu-cli".into(),
                };
                let p = match store
                    .finalise_period(&actor, period, chrono::Utc::now())
                    .await
                {
                    Ok(p) => p,
                    Err(StoreError::Conflict { .. }) => bail!(
                        "periode {period} sudah ditetapkan, atau tidak sesudah periode terakhir yang ditetapkan"
                    ),
                    Err(e) => return Err(e.into()),
                };
                match lang {
                    Lang::Id => out!(
                        "periode {} ditetapkan pada {}: {} orang aktif",
                        p.period,
                        p.finalised_at.format("%Y-%m-%d %H:%M:%S UTC"),
                        p.people
                    ),
                    Lang::En => out!(
                        "period {} finalised at {}: {} active people",
                        p.period,
                        p.finalised_at.format("%Y-%m-%d %H:%M:%S UTC"),
                        p.people
                    ),
                }
            }
            PeriodCommand::Export {
                period,
                out,
                wilayah,
            } => {
                let period = parse_period(period)?;
                let scope = super::scope(wilayah.as_deref())?;
                let mut w = RegistryWriter::create(out, padu_store::SnapshotRow::columns())
                    .with_context(|| format!("membuat {}", out.display()))?;
                let n = store
                    .export_period(scope, period, |row| {
                        let person = padu_store::SnapshotRow::with_columns(row);
                        w.write(&person).map_err(anyhow::Error::from)
                    })
                    .await?;
                w.finish()?;
                out!(
                    "{n} baris DTKS per periode {period} ditulis ke {}",
                    out.display()
                );
            }
            PeriodCommand::Diff { from, to, wilayah } => {
                let (from, to) = (parse_period(from)?, parse_period(to)?);
                let scope = super::scope(wilayah.as_deref())?;
                let lines = store.period_diff(scope, from, to).await?;
                if lines.is_empty() {
                    out!("tidak ada perubahan antara {from} dan {to}");
                }
                out!("perubahan\talasan\tkabupaten/kota\tjumlah");
                for l in lines {
                    out!(
                        "{}\t{}\t{}\t{}",
                        l.change,
                        l.reason.unwrap_or_default(),
                        l.kabupaten,
                        l.count
                    );
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
