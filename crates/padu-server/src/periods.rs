//! Monthly periods as the pages and the API both use them: the list, the
//! finalisation (Pusdatin), the registry as of a period as a file, and the
//! changes between two periods.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use padu_core::{Period, Permission, Role};
use padu_store::{DiffLine, FinalisedPeriod, Scope};

use crate::auth::Ctx;
use crate::error::AppError;
use crate::i18n::Tr;

/// The month a form or path names.
pub fn parse_period(s: &str, ctx: &Ctx) -> Result<Period, AppError> {
    s.trim().parse().map_err(|_| {
        AppError::BadRequest(
            Tr::new(ctx.lang())
                .get("proposal.bad_period")
                .replace("{value}", s),
        )
    })
}

/// Finalises `period` now; only a national Pusdatin account may.
pub async fn finalise(ctx: &Ctx, period: Period) -> Result<FinalisedPeriod, AppError> {
    if ctx.role() != Role::Pusdatin || ctx.scope() != Scope::National {
        return Err(AppError::Forbidden);
    }
    let t = Tr::new(ctx.lang());
    match ctx
        .state()
        .finalise_period(&ctx.actor(), period, ctx.state().now())
        .await
    {
        Err(AppError::Conflict(_)) => Err(AppError::Conflict(
            t.get("period.not_in_order")
                .replace("{period}", &period.to_string()),
        )),
        other => other,
    }
}

/// The changes between the two periods, in the caller's region.
pub async fn diff(ctx: &Ctx, from: Period, to: Period) -> Result<Vec<DiffLine>, AppError> {
    Ok(ctx.store().period_diff(from, to).await?)
}

/// The registry of the caller's region as of `period`, as an XLSX or CSV download (audited).
pub async fn export(ctx: &Ctx, period: Period, format: &str) -> Result<Response, AppError> {
    ctx.require(Permission::Export)?;
    let (ext, mime) = crate::view::table_format(format)?;
    let mut people = Vec::new();
    ctx.store()
        .export_period(period, |row| {
            people.push(padu_store::SnapshotRow::with_columns(row));
            Ok::<_, padu_store::StoreError>(())
        })
        .await?;
    let rows = people.len();
    let dir = tempfile::tempdir().map_err(|e| AppError::Internal(e.to_string()))?;
    let path = dir.path().join(format!("periode.{ext}"));
    let written = path.clone();
    tokio::task::spawn_blocking(move || {
        let mut w = padu_io::RegistryWriter::create(&written, padu_store::SnapshotRow::columns())?;
        for p in &people {
            w.write(p)?;
        }
        w.finish()
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let body = std::fs::read(&path).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut entry = ctx.audit_entry("period.export");
    entry.entity = Some("period".into());
    entry.entity_id = Some(period.to_string());
    entry.detail = Some(format!("format={ext}; rows={rows}"));
    ctx.store().audit(&entry).await?;
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"padu-dtks-{period}.{ext}\""),
            ),
            (
                header::HeaderName::from_static("x-padu-rows"),
                rows.to_string(),
            ),
        ],
        body,
    )
        .into_response())
}
