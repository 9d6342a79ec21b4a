//! The proposal (usulan) API: list, read with timeline and attachments,
//! draft from a member, edit, take a step on one or many, attach evidence.

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use padu_core::{Permission, ProposalState, check_evidence};
use padu_store::{
    AttachmentInfo, AttachmentPurpose, NewAttachment, NewProposal, Proposal, ProposalEvent,
    ProposalFilter,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{AppState, Ctx};
use crate::error::{AppError, ErrorBody};
use crate::proposal::{
    StepInput, before_after, findings_rows, parse_action, parse_change, suggested_proposals,
};

/// The routes of this module (uploads excepted).
pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(one, edit))
        .routes(routes!(create))
        .routes(routes!(step))
        .routes(routes!(bulk))
        .routes(routes!(download))
        .routes(routes!(suggestions))
        .routes(routes!(from_findings))
        .routes(routes!(addition))
}

/// The upload route, which gets the larger body limit.
pub(super) fn upload_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(attach))
}

/// A proposal.
#[derive(Serialize, ToSchema)]
pub(super) struct ProposalJson {
    id: i64,
    /// `UBAH_DATA`, `TAMBAH_ART`, `TAMBAH_KELUARGA`, `PINDAH`, `NONAKTIF`, `AKTIFKAN`.
    kind: String,
    /// For `NONAKTIF`: `MENINGGAL`, `PINDAH`, `GANDA`, `TIDAK_DITEMUKAN`, `NIK_KK_TIDAK_VALID`, `TIDAK_LAYAK`, `BERGABUNG_KELUARGA_LAIN`.
    deactivation_reason: Option<String>,
    /// `DRAFT`, `DIAJUKAN`, `DISAHKAN_DESA`, `DIVERIFIKASI_DINSOS`, `DIKEMBALIKAN`, `DISETUJUI_DINSOS`, `DIKIRIM_PUSDATIN`, `DITETAPKAN`, `DITOLAK_PUSDATIN`.
    state: String,
    /// Send it back with the next step or edit (optimistic locking).
    version: i64,
    /// The 10-digit village code.
    kode_wilayah: String,
    id_art: Option<String>,
    id_keluarga: Option<String>,
    /// The fields before (an object).
    before: Option<serde_json::Value>,
    /// The fields after (an object).
    after: serde_json::Value,
    note: Option<String>,
    /// `YYYY-MM`, once sent to Pusdatin.
    period: Option<String>,
    /// Sent after its region's cut-off, so in the next period.
    late: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<&Proposal> for ProposalJson {
    fn from(p: &Proposal) -> Self {
        ProposalJson {
            id: p.proposal_id,
            kind: p.change.kind().as_str().into(),
            deactivation_reason: p.change.deactivation_reason().map(|r| r.as_str().into()),
            state: p.state.as_str().into(),
            version: p.version,
            kode_wilayah: p.kode_wilayah.compact(),
            id_art: p.id_art.clone(),
            id_keluarga: p.id_keluarga.clone(),
            before: p.before.clone(),
            after: p.after.clone(),
            note: p.note.clone(),
            period: p.period.map(|x| x.to_string()),
            late: p.late,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// One event of a proposal's timeline.
#[derive(Serialize, ToSchema)]
struct EventJson {
    /// `create`, `edit`, `attach`, or a step: `submit`, `ratify`, `verify`, `return`, `resubmit`, `approve`, `send`, `finalise`, `reject`.
    step: String,
    from_state: Option<String>,
    to_state: String,
    version: i64,
    username: String,
    role: String,
    reason: Option<String>,
    detail: Option<String>,
    occurred_at: DateTime<Utc>,
}

impl From<ProposalEvent> for EventJson {
    fn from(e: ProposalEvent) -> Self {
        EventJson {
            step: e.step,
            from_state: e.from_state,
            to_state: e.to_state,
            version: e.version,
            username: e.username,
            role: e.role,
            reason: e.reason,
            detail: e.detail,
            occurred_at: e.occurred_at,
        }
    }
}

/// An attachment, without its content.
#[derive(Serialize, ToSchema)]
struct AttachmentJson {
    id: i64,
    /// `PINDAIAN_PENGESAHAN` or `BUKTI`.
    purpose: String,
    file_name: String,
    media_type: String,
    size_bytes: i64,
    sha256: String,
    username: String,
    created_at: DateTime<Utc>,
}

impl From<AttachmentInfo> for AttachmentJson {
    fn from(a: AttachmentInfo) -> Self {
        AttachmentJson {
            id: a.proposal_attachment_id,
            purpose: a.purpose,
            file_name: a.file_name,
            media_type: a.media_type,
            size_bytes: a.size_bytes,
            sha256: a.sha256,
            username: a.username,
            created_at: a.created_at,
        }
    }
}

/// A proposal with its timeline, attachments and the steps the caller may take now.
#[derive(Serialize, ToSchema)]
struct ProposalDetail {
    proposal: ProposalJson,
    events: Vec<EventJson>,
    attachments: Vec<AttachmentJson>,
    /// Step codes the caller may take now.
    available_steps: Vec<String>,
}

#[derive(Deserialize, utoipa::IntoParams)]
struct ListParams {
    /// Only proposals in this state.
    state: Option<String>,
    /// Only proposals about this member.
    id_art: Option<String>,
}

/// Proposals in the caller's region, newest first (at most 500).
#[utoipa::path(get, path = "/api/v1/proposals", tag = "usulan", params(ListParams),
    responses((status = 200, body = Vec<ProposalJson>), (status = 422, body = ErrorBody)))]
async fn list(ctx: Ctx, Query(q): Query<ListParams>) -> Result<Json<Vec<ProposalJson>>, AppError> {
    let state = match q.state.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(
            s.parse::<ProposalState>()
                .map_err(|e| AppError::BadRequest(e.to_string()))?,
        ),
        None => None,
    };
    let ps = ctx
        .store()
        .proposals(
            &ProposalFilter {
                state,
                id_art: q.id_art,
            },
            500,
        )
        .await?;
    Ok(Json(ps.iter().map(ProposalJson::from).collect()))
}

async fn detail(ctx: &Ctx, id: i64) -> Result<ProposalDetail, AppError> {
    let store = ctx.store();
    let p = store.proposal(id).await?;
    let events = store.proposal_events(id).await?;
    let files = store.proposal_attachments(id).await?;
    let actor = ctx.actor();
    let workflow = ctx.step_ctx(&actor).workflow;
    Ok(ProposalDetail {
        available_steps: p
            .state
            .available(&workflow, p.kode_wilayah)
            .into_iter()
            .map(|s| s.as_str().to_string())
            .collect(),
        proposal: ProposalJson::from(&p),
        events: events.into_iter().map(EventJson::from).collect(),
        attachments: files.into_iter().map(AttachmentJson::from).collect(),
    })
}

/// One proposal with its timeline, attachments and the steps the caller may take.
#[utoipa::path(get, path = "/api/v1/proposals/{id}", tag = "usulan",
    params(("id" = i64, Path, description = "The proposal's number")),
    responses((status = 200, body = ProposalDetail), (status = 404, body = ErrorBody)))]
async fn one(ctx: Ctx, Path(id): Path<i64>) -> Result<Json<ProposalDetail>, AppError> {
    Ok(Json(detail(&ctx, id).await?))
}

/// A new proposal about a member.
#[derive(Deserialize, ToSchema)]
struct NewProposalJson {
    /// `UBAH_DATA`, `PINDAH`, `NONAKTIF` or `AKTIFKAN`.
    kind: String,
    /// Required for `NONAKTIF`.
    deactivation_reason: Option<String>,
    /// For a correction or a move: field → new value (fields left out stay as they are);
    /// for `NONAKTIF` with `MENINGGAL`, `tgl_meninggal`.
    #[serde(default)]
    fields: BTreeMap<String, String>,
    note: Option<String>,
}

/// Drafts a proposal about a member (village operators; audited).
#[utoipa::path(post, path = "/api/v1/members/{id_art}/proposals", tag = "usulan",
    params(("id_art" = String, Path, description = "The member's registry id")),
    request_body = NewProposalJson,
    responses((status = 201, body = ProposalJson), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create(
    ctx: Ctx,
    Path(id_art): Path<String>,
    Json(b): Json<NewProposalJson>,
) -> Result<(StatusCode, Json<ProposalJson>), AppError> {
    ctx.require(Permission::Propose)?;
    let lang = ctx.lang();
    let change = parse_change(&b.kind, b.deactivation_reason.as_deref(), lang)?;
    let m = ctx.store().member(&id_art).await?;
    let (before, after) = before_after(change, &m.person, &b.fields, lang)?;
    let actor = ctx.actor();
    let p = ctx
        .store()
        .create_proposal(
            &ctx.step_ctx(&actor),
            &NewProposal {
                change,
                kode_wilayah: m.person.kode_wilayah,
                id_art: Some(m.person.id_art.to_string()),
                id_keluarga: m.person.id_keluarga.as_deref().map(str::to_string),
                before: Some(before),
                after,
                note: b.note.filter(|n| !n.trim().is_empty()),
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(ProposalJson::from(&p))))
}

/// A change to a draft or returned proposal.
#[derive(Deserialize, ToSchema)]
struct EditJson {
    /// The version the caller read.
    version: i64,
    /// The new "after" object.
    after: serde_json::Value,
    note: Option<String>,
}

/// Changes what a draft or returned proposal proposes (the village operator).
#[utoipa::path(put, path = "/api/v1/proposals/{id}", tag = "usulan",
    params(("id" = i64, Path, description = "The proposal's number")),
    request_body = EditJson,
    responses((status = 200, body = ProposalJson), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
async fn edit(
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<EditJson>,
) -> Result<Json<ProposalJson>, AppError> {
    if !b.after.is_object() {
        return Err(AppError::BadRequest("after".into()));
    }
    let actor = ctx.actor();
    let p = ctx
        .store()
        .edit_proposal(
            &ctx.step_ctx(&actor),
            id,
            b.version,
            &b.after,
            b.note.as_deref(),
        )
        .await?;
    Ok(Json(ProposalJson::from(&p)))
}

/// A workflow step with its evidence.
#[derive(Deserialize, ToSchema)]
struct StepJson {
    /// `submit`, `ratify`, `verify`, `return`, `resubmit`, `approve`, `send`, `finalise`, `reject`.
    step: String,
    /// The version the caller read.
    version: i64,
    /// For `return` and `reject` (at least 5 characters).
    reason: Option<String>,
    /// For `ratify`: `MUSDES`, `MUSKEL` or `SPTJM` (the signed scan must be attached first).
    document: Option<String>,
    /// For `finalise`: `YYYY-MM`.
    period: Option<String>,
}

/// Takes one workflow step; 409 if the proposal moved since `version` or the step is not possible now.
#[utoipa::path(post, path = "/api/v1/proposals/{id}/steps", tag = "usulan",
    params(("id" = i64, Path, description = "The proposal's number")),
    request_body = StepJson,
    responses((status = 200, body = ProposalJson), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn step(
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(b): Json<StepJson>,
) -> Result<Json<ProposalJson>, AppError> {
    let action = parse_action(
        &StepInput {
            step: b.step,
            reason: b.reason,
            document: b.document,
            period: b.period,
        },
        ctx.lang(),
    )?;
    let actor = ctx.actor();
    let p = ctx
        .store()
        .take_proposal_step(&ctx.step_ctx(&actor), id, b.version, &action)
        .await?;
    Ok(Json(ProposalJson::from(&p)))
}

/// One proposal of a bulk step.
#[derive(Deserialize, ToSchema)]
struct BulkItem {
    id: i64,
    version: i64,
}

/// The same step on many proposals.
#[derive(Deserialize, ToSchema)]
struct BulkJson {
    step: String,
    items: Vec<BulkItem>,
    reason: Option<String>,
    document: Option<String>,
    period: Option<String>,
}

/// Takes the same step on many proposals, all or nothing; the error names the proposal that failed.
#[utoipa::path(post, path = "/api/v1/proposals/steps", tag = "usulan",
    request_body = BulkJson,
    responses((status = 200, body = Vec<ProposalJson>), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn bulk(ctx: Ctx, Json(b): Json<BulkJson>) -> Result<Json<Vec<ProposalJson>>, AppError> {
    let action = parse_action(
        &StepInput {
            step: b.step,
            reason: b.reason,
            document: b.document,
            period: b.period,
        },
        ctx.lang(),
    )?;
    let items: Vec<(i64, i64)> = b.items.iter().map(|i| (i.id, i.version)).collect();
    let actor = ctx.actor();
    let done = ctx
        .store()
        .take_proposal_steps(&ctx.step_ctx(&actor), &items, &action)
        .await?;
    Ok(Json(done.iter().map(ProposalJson::from).collect()))
}

#[derive(Deserialize, utoipa::IntoParams)]
struct AttachParams {
    /// `PINDAIAN_PENGESAHAN` (default) or `BUKTI`.
    purpose: Option<String>,
    /// The file's name, shown to people.
    name: Option<String>,
}

/// Attaches evidence: the request body is the file (PDF, JPEG or PNG, judged by content; at most 5 MB).
#[utoipa::path(post, path = "/api/v1/proposals/{id}/attachments", tag = "usulan",
    params(("id" = i64, Path, description = "The proposal's number"), AttachParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = AttachmentJson), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn attach(
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<AttachParams>,
    body: Bytes,
) -> Result<(StatusCode, Json<AttachmentJson>), AppError> {
    let lang = ctx.lang();
    let media = check_evidence(&body)
        .map_err(|e| AppError::BadRequest(padu_core::lang::Localized::message(&e, lang)))?;
    let purpose = match q.purpose.as_deref() {
        Some("BUKTI") => AttachmentPurpose::Evidence,
        _ => AttachmentPurpose::RatificationScan,
    };
    let actor = ctx.actor();
    let info = ctx
        .store()
        .add_proposal_attachment(
            &ctx.step_ctx(&actor),
            id,
            &NewAttachment {
                purpose,
                file_name: q.name.as_deref().unwrap_or("lampiran"),
                media,
                bytes: &body,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(AttachmentJson::from(info))))
}

/// An attachment's content, for a caller whose region holds the proposal.
#[utoipa::path(get, path = "/api/v1/proposals/{id}/attachments/{file}", tag = "usulan",
    params(("id" = i64, Path, description = "The proposal's number"),
        ("file" = i64, Path, description = "The attachment's id")),
    responses((status = 200, content_type = "application/octet-stream"), (status = 404, body = ErrorBody)))]
async fn download(ctx: Ctx, Path((id, file)): Path<(i64, i64)>) -> Result<Response, AppError> {
    let (info, data) = ctx.store().proposal_attachment(id, file).await?;
    Ok((
        [
            (header::CONTENT_TYPE, info.media_type),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        data,
    )
        .into_response())
}

/// Padu's suggestion for a finding.
#[derive(Serialize, ToSchema)]
struct SuggestionJson {
    /// `UBAH_DATA` or `NONAKTIF`.
    kind: String,
    deactivation_reason: Option<String>,
    /// For a correction: field → new value.
    fields: BTreeMap<String, String>,
    /// Why, in the caller's language.
    why: String,
}

/// A finding that asks for action.
#[derive(Serialize, ToSchema)]
struct FindingSuggestion {
    id_art: String,
    nama: String,
    kode_wilayah: String,
    /// The NIK status of the latest verification.
    status: String,
    flags: Vec<String>,
    /// `PERBAIKI` or `HAPUS`.
    tindakan: String,
    keterangan: String,
    /// `null` when the operator must find out what to do (a move, a NIK not found).
    suggestion: Option<SuggestionJson>,
    /// An unfinished proposal that already covers the member.
    open_proposal: Option<i64>,
}

/// The members whose latest finding asks for action, with Padu's suggestion and any open proposal.
#[utoipa::path(get, path = "/api/v1/proposals/suggestions", tag = "usulan",
    responses((status = 200, body = Vec<FindingSuggestion>)))]
async fn suggestions(ctx: Ctx) -> Result<Json<Vec<FindingSuggestion>>, AppError> {
    let lang = ctx.lang();
    let open = ctx.store().open_proposals().await?;
    let out = findings_rows(&ctx)
        .await?
        .into_iter()
        .map(|(m, r)| {
            let s = padu_core::suggest(&r);
            FindingSuggestion {
                open_proposal: open.get(m.person.id_art.as_str()).copied(),
                id_art: m.person.id_art.to_string(),
                nama: m.person.nama.to_string(),
                kode_wilayah: m.person.kode_wilayah.compact(),
                status: r.status.as_str().into(),
                flags: r.flags.iter().map(|f| f.as_str().to_string()).collect(),
                tindakan: r.tindakan.as_str().into(),
                keterangan: r.keterangan,
                suggestion: s.map(|s| SuggestionJson {
                    kind: s.change.kind().as_str().into(),
                    deactivation_reason: s.change.deactivation_reason().map(|x| x.as_str().into()),
                    why: s.why(lang).to_string(),
                    fields: s.fields,
                }),
            }
        })
        .collect();
    Ok(Json(out))
}

/// Members whose suggestions to draft.
#[derive(Deserialize, ToSchema)]
struct FromFindings {
    id_arts: Vec<String>,
}

/// Drafts Padu's suggested proposal for each member, all or nothing (village operators).
#[utoipa::path(post, path = "/api/v1/proposals/from-findings", tag = "usulan",
    request_body = FromFindings,
    responses((status = 201, body = Vec<ProposalJson>), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn from_findings(
    ctx: Ctx,
    Json(b): Json<FromFindings>,
) -> Result<(StatusCode, Json<Vec<ProposalJson>>), AppError> {
    ctx.require(Permission::Propose)?;
    let news = suggested_proposals(&ctx, &b.id_arts).await?;
    let actor = ctx.actor();
    let made = ctx
        .store()
        .create_proposals(&ctx.step_ctx(&actor), &news)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(made.iter().map(ProposalJson::from).collect()),
    ))
}

/// A proposed addition.
#[derive(Deserialize, ToSchema)]
struct AdditionBody {
    /// `TAMBAH_ART` (a new member of `id_keluarga`) or `TAMBAH_KELUARGA` (a new household with its head, in the caller's village).
    kind: String,
    /// The household a new member joins.
    id_keluarga: Option<String>,
    /// The new member's values: `nama`, `jenis_kelamin` and `tgl_lahir` required; `nik`, `tempat_lahir`, `hubungan_keluarga`, `nama_ibu_kandung`, `no_kk`, and for a new household `alamat`, `rt`, `rw`.
    fields: BTreeMap<String, String>,
    /// Why (the birth certificate, the moving letter).
    note: String,
}

/// Drafts a new member of a household, or a new household with its head (village operator).
#[utoipa::path(post, path = "/api/v1/additions", tag = "usulan", request_body = AdditionBody,
    responses((status = 201, body = ProposalJson), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn addition(
    ctx: Ctx,
    Json(b): Json<AdditionBody>,
) -> Result<(StatusCode, Json<ProposalJson>), AppError> {
    ctx.require(Permission::Propose)?;
    let change = match b.kind.trim() {
        "TAMBAH_ART" => padu_core::Change::AddMember,
        "TAMBAH_KELUARGA" => padu_core::Change::AddHousehold,
        other => {
            return Err(AppError::BadRequest(format!(
                "jenis \"{other}\" bukan TAMBAH_ART atau TAMBAH_KELUARGA"
            )));
        }
    };
    if change == padu_core::Change::AddMember && b.id_keluarga.is_none() {
        return Err(AppError::BadRequest("TAMBAH_ART perlu id_keluarga".into()));
    }
    let household = match change {
        padu_core::Change::AddMember => b.id_keluarga.as_deref(),
        _ => None,
    };
    let new =
        crate::proposal::addition_proposal(&ctx, change, household, &b.fields, &b.note).await?;
    let actor = ctx.actor();
    let p = ctx
        .store()
        .create_proposal(&ctx.step_ctx(&actor), &new)
        .await?;
    Ok((StatusCode::CREATED, Json(ProposalJson::from(&p))))
}
