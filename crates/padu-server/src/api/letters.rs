//! Letters (surat) over the API: the archive, writing one, one letter with
//! each village's progress, a village's attached records, and the PDF.

use axum::Json;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use padu_core::RegionCode;
use padu_store::Letter;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{AppState, Ctx};
use crate::error::{AppError, ErrorBody};
use crate::letters::{LetterInput, letter_pdf, parse_letter, recipients};

/// The routes of this module.
pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(one))
        .routes(routes!(items))
        .routes(routes!(pdf))
}

/// A recipient village's progress on the records attached for it.
#[derive(Serialize, ToSchema)]
struct RecipientJson {
    /// The village (10 digits).
    kode_wilayah: String,
    /// Records attached.
    items: i64,
    /// Resolved by the deadline (or by now, before it).
    resolved: i64,
    /// Not resolved, with a proposal under way then.
    in_progress: i64,
}

/// A letter with the progress of its recipients in the caller's view.
#[derive(Serialize, ToSchema)]
struct LetterJson {
    id: i64,
    /// As printed, e.g. `400.9/007/Dinsos/XII/2026`.
    number: String,
    /// The issuing office's regency (4 digits).
    kode_wilayah: String,
    /// `YYYY-MM-DD`.
    letter_date: String,
    subject: String,
    body: String,
    /// Corrections count until this instant.
    deadline: DateTime<Utc>,
    signatory_name: String,
    signatory_title: String,
    signatory_id: Option<String>,
    created_at: DateTime<Utc>,
    recipients: Vec<RecipientJson>,
}

async fn json(ctx: &Ctx, l: Letter) -> Result<LetterJson, AppError> {
    let lines = recipients(ctx, &l).await?;
    Ok(LetterJson {
        id: l.letter_id,
        number: l.number,
        kode_wilayah: l.kode_wilayah,
        letter_date: l.letter_date,
        subject: l.subject,
        body: l.body,
        deadline: l.deadline,
        signatory_name: l.signatory_name,
        signatory_title: l.signatory_title,
        signatory_id: l.signatory_id,
        created_at: l.created_at,
        recipients: lines
            .into_iter()
            .map(|r| RecipientJson {
                kode_wilayah: r.progress.kode_wilayah,
                items: r.progress.items,
                resolved: r.progress.resolved,
                in_progress: r.progress.in_progress,
            })
            .collect(),
    })
}

/// The letters issued in the caller's region or addressed to a village in it, newest first.
#[utoipa::path(get, path = "/api/v1/letters", tag = "surat",
    responses((status = 200, body = Vec<LetterJson>)))]
async fn list(ctx: Ctx) -> Result<Json<Vec<LetterJson>>, AppError> {
    let mut out = Vec::new();
    for l in ctx.store().letters(200).await? {
        out.push(json(&ctx, l).await?);
    }
    Ok(Json(out))
}

/// Writes a numbered letter from the caller's office (Dinsos operator or head) to villages of its regency; Padu attaches each village's records from its findings.
#[utoipa::path(post, path = "/api/v1/letters", tag = "surat", request_body = LetterInput,
    responses((status = 201, body = LetterJson), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create(
    ctx: Ctx,
    Json(input): Json<LetterInput>,
) -> Result<(StatusCode, Json<LetterJson>), AppError> {
    let new = parse_letter(&ctx, &input)?;
    let actor = ctx.actor();
    let l = ctx
        .store()
        .create_letter(&actor, ctx.state().now(), &new)
        .await?;
    Ok((StatusCode::CREATED, Json(json(&ctx, l).await?)))
}

/// One letter with its recipients' progress (a village sees its own line only).
#[utoipa::path(get, path = "/api/v1/letters/{id}", tag = "surat",
    params(("id" = i64, Path, description = "The letter's id")),
    responses((status = 200, body = LetterJson), (status = 404, body = ErrorBody)))]
async fn one(ctx: Ctx, Path(id): Path<i64>) -> Result<Json<LetterJson>, AppError> {
    let l = ctx.store().letter(id).await?;
    Ok(Json(json(&ctx, l).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
struct ItemsParams {
    /// The recipient village (10 digits).
    wilayah: String,
}

/// A record attached for a village.
#[derive(Serialize, ToSchema)]
struct ItemJson {
    id_art: String,
    nama: String,
    /// Masked unless the caller's role sees full NIKs.
    nik: String,
    /// The finding when the letter was written.
    status: String,
    flags: String,
    tindakan: String,
    keterangan: String,
    /// Resolved by the deadline (or by now, before it).
    resolved: bool,
}

/// The records a letter attached for one village.
#[utoipa::path(get, path = "/api/v1/letters/{id}/items", tag = "surat",
    params(("id" = i64, Path, description = "The letter's id"), ItemsParams),
    responses((status = 200, body = Vec<ItemJson>), (status = 404, body = ErrorBody)))]
async fn items(
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<ItemsParams>,
) -> Result<Json<Vec<ItemJson>>, AppError> {
    // The store returns only records in the caller's view (none of another village).
    let village = RegionCode::parse(&q.wilayah).map_err(|_| AppError::NotFound)?;
    let l = ctx.store().letter(id).await?;
    let full = ctx.can(padu_core::Permission::ViewFullNik);
    Ok(Json(
        ctx.store()
            .letter_items(&l, village, ctx.state().now())
            .await?
            .into_iter()
            .map(|i| ItemJson {
                nik: crate::view::nik_text(&i.nik, full),
                id_art: i.id_art,
                nama: i.nama,
                status: i.status,
                flags: i.flags,
                tindakan: i.tindakan,
                keterangan: i.keterangan,
                resolved: i.resolved,
            })
            .collect(),
    ))
}

/// The letter and the attachments in the caller's view, as PDF.
#[utoipa::path(get, path = "/api/v1/letters/{id}/pdf", tag = "surat",
    params(("id" = i64, Path, description = "The letter's id")),
    responses((status = 200, content_type = "application/pdf"), (status = 404, body = ErrorBody)))]
async fn pdf(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let l = ctx.store().letter(id).await?;
    let bytes = letter_pdf(&ctx, &l).await?;
    Ok(crate::pages::pdf_response(
        bytes,
        &format!("surat-{id}.pdf"),
    ))
}
