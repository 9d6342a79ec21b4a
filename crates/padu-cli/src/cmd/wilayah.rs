//! `padu wilayah`: region codes and names from the bundled Kemendagri list.

use std::process::ExitCode;

use padu_core::region::EDITION;
use padu_core::{Lang, RegionCode, RegionInfo, regions};

use crate::cli::WilayahArgs;

pub(super) fn run(args: &WilayahArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    if args.edisi {
        out!("{EDITION}");
        if args.query.is_empty() {
            return Ok(ExitCode::SUCCESS);
        }
    }
    let idx = regions();
    let mut all_found = true;
    for q in &args.query {
        let found: Vec<&RegionInfo> = match RegionCode::parse(q) {
            Ok(code) => idx.get(code).into_iter().collect(),
            Err(_) => idx.find_by_name(q),
        };
        if found.is_empty() {
            all_found = false;
            match lang {
                Lang::Id => eprintln!("padu: wilayah {q:?} tidak ditemukan"),
                Lang::En => eprintln!("padu: region {q:?} not found"),
            }
        }
        for info in found {
            out!("{}", line(info, lang));
        }
    }
    Ok(if all_found {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn line(info: &RegionInfo, lang: Lang) -> String {
    let mut s = format!("{} {}", info.code, regions().path(info.code));
    if let Some(ed) = info.retired_after {
        s.push_str(&match lang {
            Lang::Id => format!(" (kode lama, terakhir edisi {ed})"),
            Lang::En => format!(" (retired code, last in the {ed} edition)"),
        });
    }
    s
}
