//! The periods page: finalised months, the registry as of each, what changed.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::response::{Html, IntoResponse, Response};
use padu_core::Role;
use padu_store::Scope;
use serde::Deserialize;

use super::{render, see_other};
use crate::auth::Ctx;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::periods::{diff, export, finalise, parse_period};
use crate::view::{Layout, time};

struct PeriodRow {
    code: String,
    label: String,
    finalised_at: String,
    people: i64,
    by: String,
    previous: Option<String>,
}

/// One line of a diff, in words.
struct DiffRow {
    change: String,
    reason: String,
    kabupaten: String,
    count: i64,
}

#[derive(Template)]
#[template(path = "periods.html")]
struct PeriodsPage {
    l: Layout,
    rows: Vec<PeriodRow>,
    can_finalise: bool,
    suggested: String,
    cut_off: String,
    notice: Option<String>,
    error: Option<String>,
    /// The diff shown: its title and lines.
    diff_title: Option<String>,
    diff: Vec<DiffRow>,
}

#[derive(Debug, Deserialize, Default)]
pub(super) struct PeriodsQuery {
    ditetapkan: Option<String>,
    dari: Option<String>,
    ke: Option<String>,
}

async fn page(ctx: &Ctx, q: &PeriodsQuery, error: Option<String>) -> Result<PeriodsPage, AppError> {
    let lang = ctx.lang();
    let t = Tr::new(lang);
    let periods = ctx.store().periods().await?;
    let rows: Vec<PeriodRow> = periods
        .iter()
        .enumerate()
        .map(|(i, p)| PeriodRow {
            code: p.period.to_string(),
            label: p.period.label(lang),
            finalised_at: time(p.finalised_at),
            people: p.people,
            by: p.finalised_by.clone(),
            previous: i.checked_sub(1).map(|j| periods[j].period.to_string()),
        })
        .collect();
    let config = ctx.state().config();
    // The month whose cut-off comes next in WIB: what Pusdatin usually finalises.
    let suggested = periods
        .last()
        .map(|p| p.period.next())
        .unwrap_or_else(|| {
            config
                .cut_off
                .period_of(ctx.state().now(), padu_core::Zone::Wib)
        })
        .to_string();
    let (diff_title, diff_rows) = match (&q.dari, &q.ke) {
        (Some(a), Some(b)) => {
            let (from, to) = (parse_period(a, ctx)?, parse_period(b, ctx)?);
            let lines = diff(ctx, from, to).await?;
            (
                Some(
                    t.get("period.diff_title")
                        .replace("{from}", &from.label(lang))
                        .replace("{to}", &to.label(lang)),
                ),
                lines
                    .into_iter()
                    .map(|d| DiffRow {
                        change: t.get(&format!("period.change_{}", d.change)).to_string(),
                        reason: d
                            .reason
                            .as_deref()
                            .and_then(|r| r.parse::<padu_core::DeactivationReason>().ok())
                            .map(|r| r.label(lang).to_string())
                            .unwrap_or_default(),
                        kabupaten: padu_core::RegionCode::parse(&d.kabupaten)
                            .ok()
                            .and_then(|c| padu_core::regions().get(c).map(|i| i.name.clone()))
                            .unwrap_or(d.kabupaten),
                        count: d.count,
                    })
                    .collect(),
            )
        }
        _ => (None, Vec::new()),
    };
    Ok(PeriodsPage {
        l: Layout::new(ctx, t.get("period.title"), "periods"),
        rows,
        can_finalise: ctx.role() == Role::Pusdatin && ctx.scope() == Scope::National,
        suggested,
        cut_off: t
            .get("period.cut_off")
            .replace("{day}", &config.cut_off.day().to_string())
            .replace("{time}", &config.cut_off.time_text()),
        notice: q
            .ditetapkan
            .as_ref()
            .map(|p| t.get("period.finalised").replace("{period}", p)),
        error,
        diff_title,
        diff: diff_rows,
    })
}

pub(super) async fn list(
    ctx: Ctx,
    Query(q): Query<PeriodsQuery>,
) -> Result<Html<String>, AppError> {
    render(&page(&ctx, &q, None).await?)
}

#[derive(Debug, Deserialize)]
pub(super) struct FinaliseForm {
    period: String,
}

pub(super) async fn finalise_form(
    ctx: Ctx,
    Form(f): Form<FinaliseForm>,
) -> Result<Response, AppError> {
    let outcome = async {
        let period = parse_period(&f.period, &ctx)?;
        finalise(&ctx, period).await
    }
    .await;
    match outcome {
        Ok(p) => Ok(see_other(&format!("/periode?ditetapkan={}", p.period))),
        Err(e @ (AppError::Forbidden | AppError::Internal(_))) => Err(e),
        Err(e) => {
            let status = e.status();
            let page = page(
                &ctx,
                &PeriodsQuery::default(),
                Some(e.user_message(ctx.lang())),
            )
            .await?;
            Ok((status, render(&page)?).into_response())
        }
    }
}

#[derive(Debug, Deserialize, Default)]
pub(super) struct ExportQuery {
    #[serde(default)]
    format: String,
}

pub(super) async fn download(
    ctx: Ctx,
    Path(period): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, AppError> {
    let period = parse_period(&period, &ctx)?;
    export(&ctx, period, &q.format).await
}
