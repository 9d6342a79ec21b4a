//! The dashboard API: a region's progress counts, the regions below it
//! ranked, its daily history and its cut-off; the same numbers as the page.

use axum::Json;
use axum::extract::Query;
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use padu_core::{ProposalState, RegionCode};
use padu_store::ProgressCounts;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{AppState, Ctx};
use crate::dashboard::{Table, dashboard, export, parse_region};
use crate::error::{AppError, ErrorBody};

/// The routes of this module.
pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(show))
        .routes(routes!(download))
}

/// Which region; empty for the caller's whole scope.
#[derive(Deserialize, IntoParams, Default)]
struct RegionQuery {
    /// A region code inside the caller's scope, e.g. `32.76`.
    #[serde(default)]
    wilayah: String,
    /// For the file: `peringkat` (the ranking) or `riwayat` (the history).
    #[serde(default)]
    tabel: String,
    /// For the file: `xlsx` (default) or `csv`.
    #[serde(default)]
    format: String,
}

/// One region's counts.
#[derive(Serialize, ToSchema)]
struct CountsJson {
    /// Active members.
    people: i64,
    /// Members whose latest verification run asked for a correction or a deactivation.
    findings: i64,
    /// Findings resolved (corrected, deactivated, or fixed by a finalised proposal).
    resolved: i64,
    /// Resolved findings per mille of all findings (1000 when there are none).
    resolved_permille: i64,
    /// Unresolved findings with a proposal under way.
    in_progress: i64,
    /// Findings with no proposal yet.
    untouched: i64,
    /// Proposals per state code.
    proposals: BTreeMap<String, i64>,
}

impl From<&ProgressCounts> for CountsJson {
    fn from(c: &ProgressCounts) -> Self {
        CountsJson {
            people: c.people,
            findings: c.findings,
            resolved: c.resolved,
            resolved_permille: c.resolved_permille(),
            in_progress: c.in_progress,
            untouched: c.untouched(),
            proposals: ProposalState::ALL
                .iter()
                .map(|s| (s.as_str().to_string(), c.in_state(*s)))
                .collect(),
        }
    }
}

/// A region below, ranked.
#[derive(Serialize, ToSchema)]
struct RankedJson {
    rank: usize,
    kode_wilayah: String,
    name: String,
    counts: CountsJson,
}

/// One day of the history.
#[derive(Serialize, ToSchema)]
struct DayJson {
    /// The day (WIB).
    day: NaiveDate,
    people: i64,
    findings: i64,
    resolved: i64,
    in_progress: i64,
}

/// A region's dashboard.
#[derive(Serialize, ToSchema)]
struct DashboardJson {
    /// The region; null for the whole country.
    kode_wilayah: Option<String>,
    name: String,
    counts: CountsJson,
    ranked: Vec<RankedJson>,
    history: Vec<DayJson>,
    /// WIB, WITA or WIT.
    zone: String,
    /// The period a correction sent now belongs to (`YYYY-MM`).
    period: String,
    /// The first instant after that period's cut-off.
    closes_at: DateTime<Utc>,
    /// Whole seconds until then (negative once passed).
    seconds_left: i64,
}

/// The progress of the caller's scope or of a region inside it.
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "dasbor", params(RegionQuery),
    responses((status = 200, body = DashboardJson), (status = 404, body = ErrorBody)))]
async fn show(ctx: Ctx, Query(q): Query<RegionQuery>) -> Result<Json<DashboardJson>, AppError> {
    let d = dashboard(&ctx, parse_region(&ctx, &q.wilayah)?).await?;
    Ok(Json(DashboardJson {
        kode_wilayah: d.region.map(RegionCode::dotted),
        name: d.name.clone(),
        counts: CountsJson::from(&d.counts),
        ranked: d
            .ranked
            .iter()
            .map(|r| RankedJson {
                rank: r.rank,
                kode_wilayah: r.region.dotted(),
                name: r.name.clone(),
                counts: CountsJson::from(&r.counts),
            })
            .collect(),
        history: d
            .history
            .iter()
            .map(|h| DayJson {
                day: h.day,
                people: h.people,
                findings: h.findings,
                resolved: h.resolved,
                in_progress: h.in_progress,
            })
            .collect(),
        zone: d.zone.as_str().to_string(),
        period: d.period.to_string(),
        closes_at: d.closes_at,
        seconds_left: (d.closes_at - d.now).num_seconds(),
    }))
}

/// A dashboard table as a file (`tabel=peringkat|riwayat`, `format=xlsx|csv`).
#[utoipa::path(get, path = "/api/v1/dashboard/export", tag = "dasbor", params(RegionQuery),
    responses((status = 200, description = "the table as XLSX or CSV"),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn download(ctx: Ctx, Query(q): Query<RegionQuery>) -> Result<Response, AppError> {
    let table = Table::parse(&q.tabel)
        .ok_or_else(|| AppError::BadRequest(format!("tabel {:?}: peringkat, riwayat", q.tabel)))?;
    export(&ctx, parse_region(&ctx, &q.wilayah)?, table, &q.format).await
}
