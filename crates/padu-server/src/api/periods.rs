//! The period API: the finalised months, finalising one (Pusdatin), the
//! registry as of one as a file, and the changes between two.

use axum::Json;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{AppState, Ctx};
use crate::error::{AppError, ErrorBody};
use crate::periods::{diff, export, finalise, parse_period};

/// The routes of this module.
pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(changes))
        .routes(routes!(download))
        .routes(routes!(directory))
}

/// A finalised period.
#[derive(Serialize, ToSchema)]
struct PeriodJson {
    /// `YYYY-MM`.
    period: String,
    /// The instant the registry is read "as of".
    finalised_at: DateTime<Utc>,
    finalised_by: String,
    /// Active members nationally as of the period.
    people: i64,
}

impl From<padu_store::FinalisedPeriod> for PeriodJson {
    fn from(p: padu_store::FinalisedPeriod) -> Self {
        PeriodJson {
            period: p.period.to_string(),
            finalised_at: p.finalised_at,
            finalised_by: p.finalised_by,
            people: p.people,
        }
    }
}

/// The finalised periods, oldest first.
#[utoipa::path(get, path = "/api/v1/periods", tag = "periode",
    responses((status = 200, body = Vec<PeriodJson>)))]
async fn list(ctx: Ctx) -> Result<Json<Vec<PeriodJson>>, AppError> {
    Ok(Json(
        ctx.store()
            .periods()
            .await?
            .into_iter()
            .map(PeriodJson::from)
            .collect(),
    ))
}

/// A period to finalise.
#[derive(Deserialize, ToSchema)]
struct NewPeriod {
    /// `YYYY-MM`, after the last finalised one.
    period: String,
}

/// Finalises a period now (national Pusdatin accounts; audited).
#[utoipa::path(post, path = "/api/v1/periods", tag = "periode", request_body = NewPeriod,
    responses((status = 201, body = PeriodJson), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create(
    ctx: Ctx,
    Json(b): Json<NewPeriod>,
) -> Result<(StatusCode, Json<PeriodJson>), AppError> {
    let period = parse_period(&b.period, &ctx)?;
    let p = finalise(&ctx, period).await?;
    Ok((StatusCode::CREATED, Json(p.into())))
}

/// One kind of change between two periods in one regency.
#[derive(Serialize, ToSchema)]
struct DiffJson {
    /// `TAMBAH`, `BERUBAH`, `NONAKTIF` or `AKTIF_KEMBALI`.
    change: String,
    /// The deactivation reason, for `NONAKTIF`.
    reason: Option<String>,
    /// 4-digit regency code.
    kabupaten: String,
    count: i64,
}

#[derive(Deserialize, utoipa::IntoParams)]
struct DiffParams {
    /// The earlier period, `YYYY-MM`.
    from: String,
}

/// What changed in the caller's region between `from` and this period.
#[utoipa::path(get, path = "/api/v1/periods/{period}/changes", tag = "periode",
    params(("period" = String, Path, description = "The later period, YYYY-MM"), DiffParams),
    responses((status = 200, body = Vec<DiffJson>), (status = 404, body = ErrorBody)))]
async fn changes(
    ctx: Ctx,
    Path(period): Path<String>,
    Query(q): Query<DiffParams>,
) -> Result<Json<Vec<DiffJson>>, AppError> {
    let to = parse_period(&period, &ctx)?;
    let from = parse_period(&q.from, &ctx)?;
    Ok(Json(
        diff(&ctx, from, to)
            .await?
            .into_iter()
            .map(|d| DiffJson {
                change: d.change,
                reason: d.reason,
                kabupaten: d.kabupaten,
                count: d.count,
            })
            .collect(),
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
struct ExportParams {
    /// `xlsx` (default) or `csv`.
    #[serde(default)]
    format: String,
}

/// The caller's region as of a period, as a registry file with `versi` and `berlaku_sejak_periode`.
#[utoipa::path(get, path = "/api/v1/periods/{period}/export", tag = "periode",
    params(("period" = String, Path, description = "YYYY-MM"), ExportParams),
    responses((status = 200, content_type = "text/csv"), (status = 404, body = ErrorBody)))]
async fn download(
    ctx: Ctx,
    Path(period): Path<String>,
    Query(q): Query<ExportParams>,
) -> Result<Response, AppError> {
    let period = parse_period(&period, &ctx)?;
    export(&ctx, period, &q.format).await
}

/// One operator in the directory.
#[derive(Serialize, ToSchema)]
struct ContactJson {
    display_name: String,
    /// Role code.
    role: String,
    /// `nasional` or the region code the operator works in.
    scope: String,
    phone: Option<String>,
    working_hours: Option<String>,
}

/// The operators the caller may call: their region, the regions above it and those inside it.
#[utoipa::path(get, path = "/api/v1/directory", tag = "periode",
    responses((status = 200, body = Vec<ContactJson>)))]
async fn directory(ctx: Ctx) -> Result<Json<Vec<ContactJson>>, AppError> {
    Ok(Json(
        ctx.store()
            .directory()
            .await?
            .into_iter()
            .map(|e| ContactJson {
                display_name: e.display_name,
                role: e.role.as_str().into(),
                scope: match e.scope {
                    padu_store::Scope::National => "nasional".into(),
                    padu_store::Scope::Region(r) => r.dotted(),
                },
                phone: e.phone,
                working_hours: e.working_hours,
            })
            .collect(),
    ))
}
