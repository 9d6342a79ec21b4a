//! The offline workbook over the API: download a village's workbook, upload
//! it filled in (the request body is the file).

use axum::Json;
use axum::body::Bytes;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{AppState, Ctx};
use crate::error::{AppError, ErrorBody};
use crate::workbook::{UploadOutcome, village_of};

/// The download route.
pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(download))
}

/// The upload route, which gets the larger body limit.
pub(super) fn upload_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(upload))
}

#[derive(Deserialize, utoipa::IntoParams)]
struct DownloadParams {
    /// The 10-digit village code; may be left out by a village's own operator.
    wilayah: Option<String>,
}

/// A village's offline workbook (`.xlsx`): every member with their finding and Padu's suggestion, and empty columns for corrections.
#[utoipa::path(get, path = "/api/v1/workbook", tag = "usulan", params(DownloadParams),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn download(ctx: Ctx, Query(q): Query<DownloadParams>) -> Result<Response, AppError> {
    let village = village_of(&ctx, q.wilayah.as_deref())?;
    let (bytes, name) = crate::workbook::download(&ctx, village).await?;
    Ok(crate::pages::workbook_file(bytes, &name))
}

#[derive(Deserialize, utoipa::IntoParams)]
struct UploadParams {
    /// Write the good rows even when other rows have errors (default: all or nothing).
    keep_good_rows: Option<bool>,
    /// The file's name, used in whole-file messages.
    name: Option<String>,
}

/// Uploads a filled-in workbook (the body is the file): every filled-in row becomes a draft proposal, is skipped because it asks for nothing new, or is a row error `Anggota:row:column: message`. 200 when written, 422 with the errors when nothing was (all or nothing unless `keep_good_rows`).
#[utoipa::path(post, path = "/api/v1/workbook", tag = "usulan", params(UploadParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = UploadOutcome), (status = 422, body = UploadOutcome),
        (status = 403, body = ErrorBody), (status = 413, body = ErrorBody)))]
async fn upload(
    ctx: Ctx,
    Query(q): Query<UploadParams>,
    body: Bytes,
) -> Result<(StatusCode, Json<UploadOutcome>), AppError> {
    let name = q.name.as_deref().unwrap_or("lembar-kerja.xlsx");
    let outcome =
        crate::workbook::upload(&ctx, name, &body, q.keep_good_rows.unwrap_or(false)).await?;
    let status = if outcome.saved {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Json(outcome)))
}
