//! The progress dashboard page: counts, ranking, chart, time left to the cut-off.

use askama::Template;
use axum::extract::Query;
use axum::response::{Html, Response};
use padu_core::{ProposalState, RegionLevel};
use padu_store::{ProgressCounts, Scope};
use serde::Deserialize;

use super::render;
use crate::auth::Ctx;
use crate::dashboard::{Table, chart_svg, dashboard, export, parse_region, percent, time_left};
use crate::error::AppError;
use crate::i18n::Tr;
use crate::view::{Layout, count, region_name, scope_name};

/// A row of the ranking, in words.
struct RankRow {
    rank: usize,
    code: String,
    name: String,
    people: String,
    findings: String,
    resolved: String,
    share: String,
    bar: Bar,
    in_progress: String,
    untouched: String,
}

/// A stacked bar's segments, in whole per cent of the findings.
struct Bar {
    done: i64,
    open: i64,
}

impl Bar {
    fn of(c: &ProgressCounts) -> Bar {
        if c.findings == 0 {
            return Bar { done: 100, open: 0 };
        }
        let done = c.resolved * 100 / c.findings;
        let open = (c.resolved + c.in_progress) * 100 / c.findings - done;
        Bar { done, open }
    }
}

/// Proposals in one state, with the bar's width.
struct StateRow {
    code: &'static str,
    label: String,
    count: String,
    width: i64,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    l: Layout,
    crumbs: Vec<(String, String)>,
    here: String,
    query: String,
    people: String,
    findings: String,
    resolved: String,
    share: String,
    in_progress: String,
    untouched: String,
    bar: Bar,
    states: Vec<StateRow>,
    proposals_total: String,
    deadline: String,
    left: String,
    chart: Option<String>,
    child_level: String,
    ranked: Vec<RankRow>,
}

#[derive(Debug, Deserialize, Default)]
pub(super) struct DashboardQuery {
    #[serde(default)]
    wilayah: String,
    #[serde(default)]
    tabel: String,
    #[serde(default)]
    format: String,
}

pub(super) async fn show(
    ctx: Ctx,
    Query(q): Query<DashboardQuery>,
) -> Result<Html<String>, AppError> {
    let lang = ctx.lang();
    let t = Tr::new(lang);
    let d = dashboard(&ctx, parse_region(&ctx, &q.wilayah)?).await?;
    let n = |v: i64| count(u64::try_from(v).unwrap_or(0), lang);
    let mut crumbs = vec![("/dasbor".to_string(), scope_name(ctx.scope(), lang))];
    if let Some(r) = d.region {
        for c in r.chain() {
            if ctx.store().covers(c) && Scope::Region(c) != ctx.scope() {
                crumbs.push((format!("/dasbor?wilayah={}", c.dotted()), region_name(c)));
            }
        }
    }
    let max_state = d.counts.proposals.iter().copied().max().unwrap_or(0).max(1);
    let states = ProposalState::ALL
        .iter()
        .map(|s| {
            let c = d.counts.in_state(*s);
            StateRow {
                code: s.as_str(),
                label: s.label(lang).to_string(),
                count: n(c),
                width: c * 100 / max_state,
            }
        })
        .collect();
    let child_level = match d.ranked.first().map(|r| r.region.level()) {
        Some(RegionLevel::Province) => t.get("dashboard.rank_provinces"),
        Some(RegionLevel::Regency) => t.get("dashboard.rank_regencies"),
        Some(_) => t.get("dashboard.rank_villages"),
        None => "",
    }
    .to_string();
    let ranked = d
        .ranked
        .iter()
        .map(|r| RankRow {
            rank: r.rank,
            code: r.region.dotted(),
            name: r.name.clone(),
            people: n(r.counts.people),
            findings: n(r.counts.findings),
            resolved: n(r.counts.resolved),
            share: percent(r.counts.resolved_permille(), lang),
            bar: Bar::of(&r.counts),
            in_progress: n(r.counts.in_progress),
            untouched: n(r.counts.untouched()),
        })
        .collect();
    let query = d
        .region
        .map(|r| format!("wilayah={}&", r.dotted()))
        .unwrap_or_default();
    let local = d.closes_at.with_timezone(&d.zone.offset()) - chrono::Duration::minutes(1);
    render(&DashboardPage {
        l: Layout::new(&ctx, t.get("dashboard.title"), "dashboard"),
        crumbs,
        here: d.name.clone(),
        query,
        people: n(d.counts.people),
        findings: n(d.counts.findings),
        resolved: n(d.counts.resolved),
        share: percent(d.counts.resolved_permille(), lang),
        in_progress: n(d.counts.in_progress),
        untouched: n(d.counts.untouched()),
        bar: Bar::of(&d.counts),
        states,
        proposals_total: n(d.counts.proposals_total()),
        deadline: t
            .get("dashboard.deadline")
            .replace("{period}", &d.period.label(lang))
            .replace(
                "{at}",
                &format!("{} {}", local.format("%d-%m-%Y %H:%M"), d.zone.as_str()),
            ),
        left: time_left(d.closes_at, d.now, lang),
        chart: chart_svg(&d.history, lang),
        child_level,
        ranked,
    })
}

pub(super) async fn download(
    ctx: Ctx,
    Query(q): Query<DashboardQuery>,
) -> Result<Response, AppError> {
    let table = Table::parse(&q.tabel)
        .ok_or_else(|| AppError::BadRequest(format!("tabel {:?}: peringkat, riwayat", q.tabel)))?;
    export(&ctx, parse_region(&ctx, &q.wilayah)?, table, &q.format).await
}
