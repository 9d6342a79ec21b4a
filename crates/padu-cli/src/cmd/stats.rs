//! `padu stats`: people and households per region level below the chosen scope.

use std::process::ExitCode;

use anyhow::Context;
use padu_core::{Lang, RegionLevel, regions};
use padu_store::Store;

use crate::cli::StatsArgs;

/// Regions listed per level before the rest are summed into one line.
const SHOWN_PER_LEVEL: usize = 40;

pub(super) fn run(args: &StatsArgs, db: &str, lang: Lang) -> anyhow::Result<ExitCode> {
    let scope = super::scope(args.wilayah.as_deref())?;
    super::block_on(async {
        let store = Store::connect(db)
            .await
            .with_context(|| format!("membuka basis data {}", super::redact(db)))?;
        let stats = store.stats(scope).await.context("menghitung statistik")?;
        let idx = regions();
        let (people, households) = match lang {
            Lang::Id => ("orang", "keluarga"),
            Lang::En => ("people", "households"),
        };
        let title = match scope {
            padu_store::Scope::National => "Indonesia".to_string(),
            padu_store::Scope::Region(c) => format!("{c} {}", idx.path(c)),
        };
        out!(
            "{title}: {} {people}, {} {households}",
            stats.people,
            stats.households
        );
        for level in &stats.levels {
            let heading = match (level.level, lang) {
                (RegionLevel::Province, Lang::Id) => "Per provinsi",
                (RegionLevel::Regency, Lang::Id) => "Per kabupaten/kota",
                (RegionLevel::District, Lang::Id) => "Per kecamatan",
                (RegionLevel::Village, Lang::Id) => "Per desa/kelurahan",
                (RegionLevel::Province, Lang::En) => "Per province",
                (RegionLevel::Regency, Lang::En) => "Per regency/city",
                (RegionLevel::District, Lang::En) => "Per district",
                (RegionLevel::Village, Lang::En) => "Per village",
            };
            out!("{heading} ({}):", level.regions.len());
            let mut sorted: Vec<_> = level.regions.iter().collect();
            sorted.sort_by(|a, b| b.people.cmp(&a.people).then(a.code.cmp(&b.code)));
            for r in sorted.iter().take(SHOWN_PER_LEVEL) {
                let name = idx.get(r.code).map_or("?", |i| i.name.as_str());
                out!(
                    "  {:<14} {:<32} {:>10} {people} {:>9} {households}",
                    r.code.to_string(),
                    name,
                    r.people,
                    r.households
                );
            }
            if sorted.len() > SHOWN_PER_LEVEL {
                let rest = &sorted[SHOWN_PER_LEVEL..];
                let p: u64 = rest.iter().map(|r| r.people).sum();
                let h: u64 = rest.iter().map(|r| r.households).sum();
                let label = match lang {
                    Lang::Id => format!("{} wilayah lain", rest.len()),
                    Lang::En => format!("{} other regions", rest.len()),
                };
                out!("  {:<47} {p:>10} {people} {h:>9} {households}", label);
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
