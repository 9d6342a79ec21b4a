//! The offline workbook page: download the village's workbook, upload it
//! filled in, and see what each row became.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Query};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use padu_core::{Permission, RegionLevel};
use padu_store::Scope;
use serde::Deserialize;

use super::render;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::view::{Layout, region_path};
use crate::workbook::{UploadOutcome, upload, village_of};

#[derive(Template)]
#[template(path = "workbook.html")]
struct WorkbookPage {
    l: Layout,
    ask_village: bool,
    village: String,
    can_propose: bool,
    outcome: Option<UploadOutcome>,
    error: Option<String>,
}

fn page(ctx: &Ctx, outcome: Option<UploadOutcome>, error: Option<String>) -> WorkbookPage {
    let t = Tr::new(ctx.lang());
    let own = match ctx.scope() {
        Scope::Region(r) if r.level() == RegionLevel::Village => Some(r),
        _ => None,
    };
    WorkbookPage {
        l: Layout::new(ctx, t.get("workbook.title"), "proposals"),
        ask_village: own.is_none(),
        village: own.map(region_path).unwrap_or_default(),
        can_propose: ctx.can(Permission::Propose),
        outcome,
        error,
    }
}

/// The page with both forms.
pub(super) async fn show(ctx: Ctx) -> Result<Html<String>, AppError> {
    render(&page(&ctx, None, None))
}

/// `?wilayah=` for users whose region is larger than a village.
#[derive(Debug, Deserialize)]
pub(super) struct VillageQuery {
    wilayah: Option<String>,
}

/// The workbook file.
pub(super) async fn download(
    ctx: Ctx,
    Query(q): Query<VillageQuery>,
) -> Result<Response, AppError> {
    let village = village_of(&ctx, q.wilayah.as_deref());
    let result = match village {
        Ok(v) => crate::workbook::download(&ctx, v).await,
        Err(e) => Err(e),
    };
    match result {
        Ok((bytes, name)) => Ok(workbook_file(bytes, &name)),
        Err(e @ AppError::BadRequest(_)) => {
            let status = e.status();
            let body = render(&page(&ctx, None, Some(e.user_message(ctx.lang()))))?;
            Ok((status, body).into_response())
        }
        Err(e) => Err(e),
    }
}

/// An `.xlsx` download that no cache keeps (it holds personal data).
pub(crate) fn workbook_file(bytes: Vec<u8>, name: &str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// The upload: the result on the same page (422 when nothing was saved because of errors).
pub(super) async fn submit(ctx: Ctx, mut form: Multipart) -> Result<Response, AppError> {
    ctx.require(Permission::Propose)?;
    let t = Tr::new(ctx.lang());
    let mut keep = false;
    let mut file: Option<(String, Bytes)> = None;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| AppError::BadRequest(e.body_text()))?
    {
        match field.name() {
            Some("simpan_yang_benar") => keep = true,
            Some("file") => {
                let name = field.file_name().unwrap_or("lembar-kerja.xlsx").to_string();
                let bytes = field.bytes().await.map_err(|_| AppError::PayloadTooLarge)?;
                file = Some((name, bytes));
            }
            _ => {}
        }
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        let body = render(&page(&ctx, None, Some(t.get("workbook.no_file").into())))?;
        return Ok((axum::http::StatusCode::BAD_REQUEST, body).into_response());
    };
    match upload(&ctx, &name, &bytes, keep).await {
        Ok(outcome) => {
            let status = if outcome.saved {
                axum::http::StatusCode::OK
            } else {
                axum::http::StatusCode::UNPROCESSABLE_ENTITY
            };
            Ok((status, render(&page(&ctx, Some(outcome), None))?).into_response())
        }
        Err(e @ (AppError::NotFound | AppError::Internal(_) | AppError::Forbidden)) => Err(e),
        Err(e) => {
            let status = e.status();
            let body = render(&page(&ctx, None, Some(e.user_message(ctx.lang()))))?;
            Ok((status, body).into_response())
        }
    }
}
