//! `padu nik`: one line (or JSON object) per NIK.

use std::process::ExitCode;

use padu_core::lang::Localized;
use padu_core::{Lang, Nik, NikError, NikReport, regions};
use serde::Serialize;

use crate::cli::NikArgs;

pub(super) fn run(args: &NikArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    let today = args.today.unwrap_or_else(super::today_wib);
    let mut all_valid = true;
    for raw in &args.niks {
        let r = Nik::inspect(raw, today);
        all_valid &= r.is_valid();
        if args.json {
            out!("{}", to_json(raw, &r));
        } else {
            out!("{}", to_text(raw, &r, lang));
        }
    }
    Ok(if all_valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The JSON line of `padu nik --json`, fields in the documented order.
#[derive(Serialize)]
struct NikJson<'a> {
    nik: &'a str,
    normalized: Option<&'a str>,
    valid: bool,
    errors: Vec<&'static str>,
    warnings: Vec<&'static str>,
    province: Option<String>,
    regency: Option<String>,
    district: Option<String>,
    birth_date: Option<String>,
    sex: Option<&'static str>,
    serial: Option<&'a str>,
}

fn to_json(raw: &str, r: &NikReport) -> String {
    let line = NikJson {
        nik: raw,
        normalized: r.normalized.as_deref(),
        valid: r.is_valid(),
        errors: r.errors.iter().map(NikError::code).collect(),
        warnings: r.warnings.iter().map(|w| w.code()).collect(),
        province: r.province.map(|c| c.to_string()),
        regency: r.regency.map(|c| c.to_string()),
        district: r.district.map(|c| c.to_string()),
        birth_date: r.birth_date.map(|d| d.format("%Y-%m-%d").to_string()),
        sex: r.sex.map(|s| s.as_str()),
        serial: r.serial.as_deref(),
    };
    serde_json::to_string(&line).expect("plain data serialises")
}

fn to_text(raw: &str, r: &NikReport, lang: Lang) -> String {
    let (ok, bad) = match lang {
        Lang::Id => ("VALID", "TIDAK VALID"),
        Lang::En => ("VALID", "INVALID"),
    };
    let shown = r.normalized.as_deref().unwrap_or(raw);
    if r.is_valid() {
        let place = r.district.map(|d| regions().path(d)).unwrap_or_default();
        let mut line = format!(
            "{shown}  {ok}  {}  {}  {place}  {} {}",
            r.sex.map(|s| s.as_str()).unwrap_or("?"),
            r.birth_date
                .map(|d| d.format("%d-%m-%Y").to_string())
                .unwrap_or_default(),
            if lang == Lang::Id {
                "no. urut"
            } else {
                "serial"
            },
            r.serial.as_deref().unwrap_or(""),
        );
        for w in &r.warnings {
            line.push_str(&format!("  ({})", w.message(lang)));
        }
        line
    } else {
        let why: Vec<String> = r.errors.iter().map(|e| e.message(lang)).collect();
        format!("{shown}  {bad}  {}", why.join("; "))
    }
}
