//! Minutes of the village deliberation over the API: list, record, read,
//! upload the signed scan, ratify their proposals, and the documents.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use padu_core::check_evidence;
use padu_store::{RatificationRecord, ScanFile, kind_code};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{AppState, Ctx};
use crate::error::{AppError, ErrorBody};
use crate::minutes::{MinutesInput, bnba_pdf, bnba_xlsx, draft_pdf, parse_minutes, ratify_all};

/// The routes of this module (the scan upload excepted).
pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(one))
        .routes(routes!(ratify))
        .routes(routes!(document))
}

/// The scan upload, which gets the larger body limit.
pub(super) fn upload_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(scan))
}

/// Minutes as the API shows them.
#[derive(Serialize, ToSchema)]
struct MinutesJson {
    id: i64,
    /// The village (10 digits).
    kode_wilayah: String,
    /// `MUSDES`, `MUSKEL` or `SPTJM`.
    kind: String,
    number: String,
    /// `YYYY-MM-DD`.
    held_on: String,
    place: String,
    attendees: Vec<String>,
    signatories: Vec<String>,
    note: Option<String>,
    /// The signed scan's name, once uploaded.
    scan_file_name: Option<String>,
    scanned_at: Option<DateTime<Utc>>,
    /// The proposals they ratify.
    proposals: Vec<i64>,
    created_at: DateTime<Utc>,
}

impl From<RatificationRecord> for MinutesJson {
    fn from(m: RatificationRecord) -> Self {
        MinutesJson {
            id: m.ratification_id,
            kode_wilayah: m.kode_wilayah,
            kind: kind_code(m.kind).into(),
            number: m.number,
            held_on: m.held_on,
            place: m.place,
            attendees: m.attendees,
            signatories: m.signatories,
            note: m.note,
            scan_file_name: m.scan_file_name,
            scanned_at: m.scanned_at,
            proposals: m.proposal_ids,
            created_at: m.created_at,
        }
    }
}

/// The minutes of the villages in the caller's region, newest first.
#[utoipa::path(get, path = "/api/v1/minutes", tag = "usulan",
    responses((status = 200, body = Vec<MinutesJson>)))]
async fn list(ctx: Ctx) -> Result<Json<Vec<MinutesJson>>, AppError> {
    Ok(Json(
        ctx.store()
            .ratifications(200)
            .await?
            .into_iter()
            .map(MinutesJson::from)
            .collect(),
    ))
}

/// Records minutes (village operator) gathering proposals submitted to the deliberation.
#[utoipa::path(post, path = "/api/v1/minutes", tag = "usulan", request_body = MinutesInput,
    responses((status = 201, body = MinutesJson), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create(
    ctx: Ctx,
    Json(input): Json<MinutesInput>,
) -> Result<(StatusCode, Json<MinutesJson>), AppError> {
    let new = parse_minutes(&ctx, &input)?;
    let actor = ctx.actor();
    let m = ctx
        .store()
        .create_ratification(&actor, ctx.state().now(), &new)
        .await?;
    Ok((StatusCode::CREATED, Json(m.into())))
}

/// One set of minutes.
#[utoipa::path(get, path = "/api/v1/minutes/{id}", tag = "usulan",
    params(("id" = i64, Path, description = "The minutes' id")),
    responses((status = 200, body = MinutesJson), (status = 404, body = ErrorBody)))]
async fn one(ctx: Ctx, Path(id): Path<i64>) -> Result<Json<MinutesJson>, AppError> {
    Ok(Json(ctx.store().ratification(id).await?.into()))
}

#[derive(Deserialize, utoipa::IntoParams)]
struct ScanParams {
    /// The file's name, shown to people.
    name: Option<String>,
}

/// Uploads the signed scan (the body is the file: PDF, JPEG or PNG, judged by content).
#[utoipa::path(post, path = "/api/v1/minutes/{id}/scan", tag = "usulan",
    params(("id" = i64, Path, description = "The minutes' id"), ScanParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = MinutesJson), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn scan(
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<ScanParams>,
    body: Bytes,
) -> Result<Json<MinutesJson>, AppError> {
    ctx.require(padu_core::Permission::Propose)?;
    let media = check_evidence(&body)
        .map_err(|e| AppError::BadRequest(padu_core::lang::Localized::message(&e, ctx.lang())))?;
    let actor = ctx.actor();
    let m = ctx
        .store()
        .attach_ratification_scan(
            &actor,
            ctx.state().now(),
            id,
            &ScanFile {
                file_name: q.name.as_deref().unwrap_or("pindaian"),
                media,
                bytes: &body,
            },
        )
        .await?;
    Ok(Json(m.into()))
}

/// Ratifies every proposal the minutes list that is still submitted, all or nothing (needs the signed scan).
#[utoipa::path(post, path = "/api/v1/minutes/{id}/ratify", tag = "usulan",
    params(("id" = i64, Path, description = "The minutes' id")),
    responses((status = 200, description = "The ids of the ratified proposals", body = Vec<i64>),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn ratify(ctx: Ctx, Path(id): Path<i64>) -> Result<Json<Vec<i64>>, AppError> {
    ctx.require(padu_core::Permission::Propose)?;
    Ok(Json(
        ratify_all(&ctx, id)
            .await?
            .iter()
            .map(|p| p.proposal_id)
            .collect(),
    ))
}

/// The draft minutes (`draft.pdf`) or the list of names and addresses (`bnba.pdf`, `bnba.xlsx`).
#[utoipa::path(get, path = "/api/v1/minutes/{id}/documents/{name}", tag = "usulan",
    params(("id" = i64, Path, description = "The minutes' id"),
        ("name" = String, Path, description = "draft.pdf, bnba.pdf or bnba.xlsx")),
    responses((status = 200, content_type = "application/pdf"), (status = 404, body = ErrorBody)))]
async fn document(ctx: Ctx, Path((id, name)): Path<(i64, String)>) -> Result<Response, AppError> {
    let m = ctx.store().ratification(id).await?;
    let (bytes, mime) = match name.as_str() {
        "draft.pdf" => (draft_pdf(&ctx, &m).await?, "application/pdf"),
        "bnba.pdf" => (bnba_pdf(&ctx, &m).await?, "application/pdf"),
        "bnba.xlsx" => (
            bnba_xlsx(&ctx, &m).await?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        _ => return Err(AppError::NotFound),
    };
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}
