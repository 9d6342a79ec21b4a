//! The JSON API under `/api/v1`: the data and actions of every page, for
//! scripts and the national data engineer. Authenticate with the session
//! cookie (and send the `X-CSRF-Token` header on changes) or with
//! `Authorization: Bearer <token>` (tokens are issued by an admin).
//! The OpenAPI 3.1 document, generated from these handlers, is served at
//! `/api/openapi.json`.

pub(crate) mod admin;
mod dashboard;
mod letters;
mod minutes;
mod periods;
mod proposals;
mod workbook;

use axum::Json;
use axum::extract::{Path, Query};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use padu_core::{Permission, RegistryPerson};
use padu_store::{AuditFilter, MemberDetail, MemberSummary};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{AppState, Ctx};
use crate::comment::CommentBody;
use crate::edit::{EditFields, RecheckPanel, group_of, panel};
use crate::error::{AppError, ErrorBody};
use crate::pages::MemberQuery;
use crate::pages::members::{PAGE, find_members};
use crate::view::{id_number, nik_text};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Padu API",
        description = "Registri kesejahteraan sosial terpadu: anggota, temuan verifikasi, perbaikan, audit. \
                       Every list and record is limited to the caller's region; a record outside it is 404.",
        version = "1"
    ),
    components(schemas(ErrorBody))
)]
struct ApiDoc;

/// The API routes and the OpenAPI document built from them: the routes
/// that take evidence uploads apart from the others, so that each group
/// gets its own body limit (see `router` in lib.rs).
pub fn routes() -> (axum::Router<AppState>, axum::Router<AppState>) {
    let (router, mut api) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(me))
        .routes(routes!(summary))
        .routes(routes!(members))
        .routes(routes!(member, update_member))
        .routes(routes!(recheck))
        .routes(routes!(history))
        .routes(routes!(household))
        .routes(routes!(add_comment))
        .routes(routes!(export))
        .routes(routes!(audit))
        .merge(admin::routes())
        .merge(proposals::routes())
        .merge(periods::routes())
        .merge(dashboard::routes())
        .merge(workbook::routes())
        .merge(letters::routes())
        .merge(minutes::routes())
        .split_for_parts();
    let (uploads, upload_api) = proposals::upload_routes()
        .merge(workbook::upload_routes())
        .merge(minutes::upload_routes())
        .split_for_parts();
    api.merge(upload_api);
    let doc = api
        .to_pretty_json()
        .expect("the OpenAPI document serialises");
    let router = router.route(
        "/api/openapi.json",
        axum::routing::get(move || async move {
            ([(header::CONTENT_TYPE, "application/json")], doc.clone())
        }),
    );
    (router, uploads)
}

/// The signed-in account.
#[derive(Serialize, ToSchema)]
struct Me {
    username: String,
    display_name: String,
    /// Role code, e.g. `operator_desa`.
    role: String,
    /// `nasional` or the region code of the account's scope.
    scope: String,
    /// `id` or `en`.
    lang: String,
    must_change_password: bool,
    /// What the role may do inside its region.
    permissions: Vec<String>,
}

const ALL_PERMISSIONS: [Permission; 8] = [
    Permission::ReadRegistry,
    Permission::EditMember,
    Permission::Recheck,
    Permission::Comment,
    Permission::Export,
    Permission::ViewFullNik,
    Permission::ManageUsers,
    Permission::ViewAudit,
];

/// The caller's account, role, region and permissions.
#[utoipa::path(get, path = "/api/v1/me", tag = "akun",
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
async fn me(ctx: Ctx) -> Json<Me> {
    let u = ctx.user();
    Json(Me {
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        role: u.role.as_str().to_string(),
        scope: u.scope.to_string(),
        lang: u.lang.to_string(),
        must_change_password: u.must_change_password,
        permissions: ALL_PERMISSIONS
            .iter()
            .filter(|p| ctx.can(**p))
            .map(|p| {
                serde_json::to_value(p)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            })
            .collect(),
    })
}

#[derive(Deserialize, utoipa::IntoParams)]
struct RegionQuery {
    /// A region inside the caller's scope; the whole scope when absent.
    #[serde(default)]
    wilayah: String,
}

/// Counts of the latest findings, and people per region one level down.
#[derive(Serialize, ToSchema)]
struct Summary {
    /// The region counted (`nasional` or a code).
    region: String,
    people: u64,
    households: u64,
    /// Members never verified.
    unverified: u64,
    /// People per NIK status.
    status: Vec<Count>,
    /// People per flag.
    flags: Vec<Count>,
    /// People per proposed action.
    tindakan: Vec<Count>,
    /// The regions one level down with their people and households.
    children: Vec<RegionCountJson>,
}

#[derive(Serialize, ToSchema)]
struct Count {
    code: String,
    count: u64,
}

#[derive(Serialize, ToSchema)]
struct RegionCountJson {
    code: String,
    name: String,
    people: u64,
    households: u64,
}

fn region_of(ctx: &Ctx, w: &str) -> Result<Option<padu_core::RegionCode>, AppError> {
    match w.trim() {
        "" => Ok(None),
        w => {
            let code = padu_core::RegionCode::parse(w).map_err(|_| AppError::NotFound)?;
            if ctx.store().covers(code) {
                Ok(Some(code))
            } else {
                Err(AppError::NotFound)
            }
        }
    }
}

/// The home page's and the region browser's numbers for a region.
#[utoipa::path(get, path = "/api/v1/summary", tag = "wilayah", params(RegionQuery),
    responses((status = 200, body = Summary), (status = 404, body = ErrorBody)))]
async fn summary(ctx: Ctx, Query(q): Query<RegionQuery>) -> Result<Json<Summary>, AppError> {
    let region = region_of(&ctx, &q.wilayah)?;
    let counts = ctx.store().finding_counts(region).await?;
    let stats = ctx.store().stats(region).await?;
    let to = |v: Vec<(String, u64)>| {
        v.into_iter()
            .map(|(code, count)| Count { code, count })
            .collect()
    };
    Ok(Json(Summary {
        region: region.map_or_else(|| ctx.scope().to_string(), |r| r.dotted()),
        people: stats.people,
        households: stats.households,
        unverified: counts.unverified,
        status: to(counts
            .status
            .iter()
            .map(|(s, n)| (s.as_str().to_string(), *n))
            .collect()),
        flags: to(counts
            .flags
            .iter()
            .map(|(s, n)| (s.as_str().to_string(), *n))
            .collect()),
        tindakan: to(counts
            .tindakan
            .iter()
            .map(|(s, n)| (s.as_str().to_string(), *n))
            .collect()),
        children: stats
            .levels
            .first()
            .map(|l| {
                l.regions
                    .iter()
                    .map(|r| RegionCountJson {
                        code: r.code.dotted(),
                        name: crate::view::region_name(r.code),
                        people: r.people,
                        households: r.households,
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }))
}

/// A member as the API shows it: the editable fields exactly as a correction
/// sends them back (identity numbers masked unless the role may see them),
/// its place, its latest finding and its version.
#[derive(Serialize, ToSchema)]
pub(crate) struct MemberJson {
    id_art: String,
    id_keluarga: Option<String>,
    #[serde(flatten)]
    fields: EditFields,
    kode_wilayah: String,
    /// The latest finding, if any.
    finding: Option<FindingJson>,
    /// The record's version (send it back when changing it).
    version: Option<i64>,
}

/// A verification finding (the interchange result columns).
#[derive(Serialize, ToSchema)]
pub(crate) struct FindingJson {
    status: String,
    flags: Vec<String>,
    tindakan: String,
    nik_usulan: Option<String>,
    skor: Option<f64>,
    id_kelompok_ganda: Option<String>,
    id_art_utama: Option<String>,
    keterangan: String,
    /// `run` or `recheck`.
    source: String,
    found_at: DateTime<Utc>,
}

fn finding_json(
    row: &padu_core::VerificationRow,
    source: &str,
    found_at: DateTime<Utc>,
    full: bool,
) -> FindingJson {
    FindingJson {
        status: row.status.as_str().to_string(),
        flags: row.flags.iter().map(|f| f.as_str().to_string()).collect(),
        tindakan: row.tindakan.as_str().to_string(),
        nik_usulan: row.nik_usulan.as_deref().map(|n| nik_text(n, full)),
        skor: row.skor,
        id_kelompok_ganda: row.id_kelompok_ganda.clone(),
        id_art_utama: row.id_art_utama.clone(),
        keterangan: row.keterangan.clone(),
        source: source.to_string(),
        found_at,
    }
}

fn member_json(
    p: &RegistryPerson,
    finding: Option<&padu_store::Finding>,
    version: Option<i64>,
    full: bool,
) -> MemberJson {
    let fields = EditFields {
        nik: id_number(&p.nik, full),
        no_kk: id_number(&p.no_kk, full),
        ..EditFields::of(p)
    };
    MemberJson {
        id_art: p.id_art.to_string(),
        id_keluarga: p.id_keluarga.as_deref().map(str::to_string),
        fields,
        kode_wilayah: p.kode_wilayah.dotted(),
        finding: finding.map(|f| {
            let source = match f.source {
                padu_store::FindingSource::Run => "run",
                padu_store::FindingSource::Recheck => "recheck",
            };
            finding_json(&f.row, source, f.found_at, full)
        }),
        version,
    }
}

fn summary_json(m: &MemberSummary, full: bool) -> MemberJson {
    member_json(&m.person, m.finding.as_ref(), None, full)
}

fn detail_json(m: &MemberDetail, full: bool) -> MemberJson {
    member_json(&m.person, m.finding.as_ref(), Some(m.version), full)
}

/// A page of members.
#[derive(Serialize, ToSchema)]
struct MemberPage {
    members: Vec<MemberJson>,
    /// Query parameters (`w`, `n`, `i`) for the next page, when there is one.
    next: Option<Cursor>,
    /// For a name search: more people matched than shown (refine the search).
    more: bool,
}

#[derive(Serialize, ToSchema)]
struct Cursor {
    w: String,
    n: String,
    i: String,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[allow(dead_code)]
struct MemberParams {
    /// A NIK or No KK (16 digits) or a name (normalised: `MOCH. SOEHARTO` finds `MUHAMMAD SUHARTO`).
    q: Option<String>,
    /// NIK status code.
    status: Option<String>,
    /// Flag code.
    flag: Option<String>,
    /// Action code.
    tindakan: Option<String>,
    /// A region inside the caller's scope.
    wilayah: Option<String>,
    /// Cursor from `next`.
    w: Option<String>,
    /// Cursor from `next`.
    n: Option<String>,
    /// Cursor from `next`.
    i: Option<String>,
}

/// Members of the caller's region: search, filters, keyset pages of 50.
#[utoipa::path(get, path = "/api/v1/members", tag = "anggota", params(MemberParams),
    responses((status = 200, body = MemberPage), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn members(ctx: Ctx, Query(q): Query<MemberQuery>) -> Result<Json<MemberPage>, AppError> {
    let parsed = q.parse(&ctx)?;
    let (rows, more) = find_members(&ctx, &parsed).await?;
    let full = ctx.can(Permission::ViewFullNik);
    let next = (more && parsed.name.is_none() && rows.len() == PAGE as usize).then(|| {
        let last = &rows[rows.len() - 1].person;
        Cursor {
            w: last.kode_wilayah.compact(),
            n: last.nama.to_string(),
            i: last.id_art.to_string(),
        }
    });
    Ok(Json(MemberPage {
        members: rows.iter().map(|m| summary_json(m, full)).collect(),
        next,
        more: more && parsed.name.is_some(),
    }))
}

/// One member with its latest finding and version.
#[utoipa::path(get, path = "/api/v1/members/{id_art}", tag = "anggota",
    params(("id_art" = String, Path, description = "The member's registry id")),
    responses((status = 200, body = MemberJson), (status = 404, body = ErrorBody)))]
async fn member(ctx: Ctx, Path(id_art): Path<String>) -> Result<Json<MemberJson>, AppError> {
    let m = ctx.store().member(&id_art).await?;
    Ok(Json(detail_json(&m, ctx.can(Permission::ViewFullNik))))
}

/// A correction: the new field values, the version it was made from, and why.
#[derive(Deserialize, ToSchema)]
struct MemberUpdate {
    /// The version the correction was made from (from `GET /members/{id_art}`).
    version: i64,
    /// Why (at least 5 characters); kept in the audit trail.
    reason: String,
    /// Every editable field, as it should be.
    fields: EditFields,
}

/// Saves a correction (re-checked against the civil registry when the checker is ready).
#[utoipa::path(patch, path = "/api/v1/members/{id_art}", tag = "anggota",
    params(("id_art" = String, Path, description = "The member's registry id")),
    request_body = MemberUpdate,
    responses((status = 200, body = MemberJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Someone changed the record first"), (status = 422, body = ErrorBody)))]
async fn update_member(
    ctx: Ctx,
    Path(id_art): Path<String>,
    Json(u): Json<MemberUpdate>,
) -> Result<Json<MemberJson>, AppError> {
    ctx.require(Permission::EditMember)?;
    let lang = ctx.lang();
    let m = ctx.store().member(&id_art).await?;
    let today = ctx.state().now().date_naive();
    let mut problems = match u.fields.apply(&m.person, today, lang, true) {
        Ok(_) => Vec::new(),
        Err(e) => e,
    };
    if u.reason.trim().chars().count() < 5 {
        problems.push(crate::edit::FieldError {
            field: "reason".into(),
            message: crate::i18n::Tr::new(lang)
                .get("edit.reason_required")
                .replace("{min}", "5"),
        });
    }
    if !problems.is_empty() {
        return Err(AppError::Validation(problems));
    }
    let person = u
        .fields
        .apply(&m.person, today, lang, true)
        .map_err(AppError::Validation)?;
    let checked = ctx
        .state()
        .recheck()
        .check(person.clone(), group_of(m.finding.as_ref()))
        .await;
    let actor = ctx.actor();
    let saved = ctx
        .store()
        .update_member(
            u.version,
            &person,
            &actor,
            u.reason.trim(),
            checked.as_ref().map(|c| &c.checked.row),
        )
        .await?;
    ctx.state().names_changed();
    Ok(Json(detail_json(&saved, ctx.can(Permission::ViewFullNik))))
}

/// A re-check's answer.
#[derive(Serialize, ToSchema)]
struct RecheckJson {
    /// The run whose model scored it.
    run_id: i64,
    /// The result row, as a full verification would write it.
    finding: FindingJson,
    /// The best civil-registry candidate, if any.
    candidate: Option<CandidateJson>,
    /// The per-field evidence, as `padu verify --explain` writes it.
    #[schema(value_type = Object)]
    explanation: serde_json::Value,
    /// Ready-made text for the edit page (with `?view=panel`).
    panel: Option<RecheckPanel>,
}

#[derive(Serialize, ToSchema)]
struct CandidateJson {
    nik: String,
    nama: String,
    jenis_kelamin: String,
    #[schema(value_type = String, format = Date)]
    tgl_lahir: chrono::NaiveDate,
    kode_wilayah: String,
    status_hidup: String,
}

#[derive(Deserialize, utoipa::IntoParams)]
struct RecheckParams {
    /// `panel` adds ready-made text for the edit page.
    view: Option<String>,
}

/// Checks a correction against the civil registry before it is saved, with the
/// model of the last verification run. Saves nothing.
#[utoipa::path(post, path = "/api/v1/members/{id_art}/recheck", tag = "anggota",
    params(("id_art" = String, Path, description = "The member's registry id"), RecheckParams),
    request_body = EditFields,
    responses((status = 200, body = RecheckJson), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 503, body = ErrorBody, description = "The checker is still being built, or no verification has run yet")))]
async fn recheck(
    ctx: Ctx,
    Path(id_art): Path<String>,
    Query(p): Query<RecheckParams>,
    Json(fields): Json<EditFields>,
) -> Result<Response, AppError> {
    ctx.require(Permission::Recheck)?;
    let m = ctx.store().member(&id_art).await?;
    let today = ctx.state().now().date_naive();
    let person = fields
        .apply(&m.person, today, ctx.lang(), false)
        .map_err(AppError::Validation)?;
    let Some(r) = ctx
        .state()
        .recheck()
        .check(person, group_of(m.finding.as_ref()))
        .await
    else {
        let body = ErrorBody {
            error: crate::error::ErrorDetail {
                code: "recheck_unavailable",
                message: crate::edit::unavailable_note(&ctx),
                fields: Vec::new(),
            },
        };
        return Ok((axum::http::StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response());
    };
    let full = ctx.can(Permission::ViewFullNik);
    let candidate = r.best_candidate().map(|c| CandidateJson {
        nik: nik_text(&c.nik.to_string(), full),
        nama: c.nama.to_string(),
        jenis_kelamin: c.jenis_kelamin.as_str().to_string(),
        tgl_lahir: c.tgl_lahir,
        kode_wilayah: c.kode_wilayah.dotted(),
        status_hidup: c.status_hidup.as_str().to_string(),
    });
    let mut explanation = serde_json::to_value(&r.checked.explanation).unwrap_or_default();
    if !full {
        mask_explanation(&mut explanation);
    }
    Ok(Json(RecheckJson {
        run_id: r.run_id,
        finding: finding_json(&r.checked.row, "recheck", ctx.state().now(), full),
        candidate,
        explanation,
        panel: (p.view.as_deref() == Some("panel")).then(|| panel(&r, &ctx)),
    })
    .into_response())
}

/// Masks the candidates' NIKs in an explanation for roles that may not see them.
fn mask_explanation(v: &mut serde_json::Value) {
    if let Some(cands) = v.get_mut("candidates").and_then(|c| c.as_array_mut()) {
        for c in cands {
            if let Some(n) = c.get_mut("nik")
                && let Some(s) = n.as_str()
            {
                *n = serde_json::Value::String(nik_text(s, false));
            }
        }
    }
}

/// One version of a record, or one change made in Padu.
#[derive(Serialize, ToSchema)]
struct HistoryJson {
    versions: Vec<VersionJson>,
    changes: Vec<ChangeJson>,
}

#[derive(Serialize, ToSchema)]
struct VersionJson {
    version: i64,
    valid_from: DateTime<Utc>,
    valid_to: Option<DateTime<Utc>>,
    import_id: Option<i64>,
    member: MemberJson,
}

#[derive(Serialize, ToSchema)]
struct ChangeJson {
    occurred_at: DateTime<Utc>,
    username: Option<String>,
    action: String,
    reason: Option<String>,
    /// Field values before (JSON object; identity numbers masked unless the role may see them).
    #[schema(value_type = Object)]
    before: serde_json::Value,
    /// Field values after.
    #[schema(value_type = Object)]
    after: serde_json::Value,
}

fn mask_snapshot(s: Option<&str>, full: bool) -> serde_json::Value {
    let mut v: serde_json::Value = s
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default();
    if !full && let Some(o) = v.as_object_mut() {
        for k in ["nik", "no_kk"] {
            if let Some(serde_json::Value::String(n)) = o.get(k) {
                let masked = nik_text(n, false);
                o.insert(k.to_string(), serde_json::Value::String(masked));
            }
        }
    }
    v
}

/// Every version of a member and every change made to it in Padu (who, when, why).
#[utoipa::path(get, path = "/api/v1/members/{id_art}/history", tag = "anggota",
    params(("id_art" = String, Path, description = "The member's registry id")),
    responses((status = 200, body = HistoryJson), (status = 404, body = ErrorBody)))]
async fn history(ctx: Ctx, Path(id_art): Path<String>) -> Result<Json<HistoryJson>, AppError> {
    let full = ctx.can(Permission::ViewFullNik);
    let versions = ctx.store().history(&id_art).await?;
    let audit = ctx.store().changes_of(&id_art, 500).await?;
    Ok(Json(HistoryJson {
        versions: versions
            .iter()
            .map(|v| VersionJson {
                version: v.version,
                valid_from: v.valid_from,
                valid_to: v.valid_to,
                import_id: v.import_id,
                member: member_json(&v.person, None, Some(v.version), full),
            })
            .collect(),
        changes: audit
            .iter()
            .map(|e| ChangeJson {
                occurred_at: e.entry.occurred_at,
                username: e.entry.username.clone(),
                action: e.entry.action.clone(),
                reason: e.entry.reason.clone(),
                before: mask_snapshot(e.entry.before_value.as_deref(), full),
                after: mask_snapshot(e.entry.after_value.as_deref(), full),
            })
            .collect(),
    }))
}

/// A household and its members.
#[derive(Serialize, ToSchema)]
struct HouseholdJson {
    id_keluarga: String,
    no_kk: String,
    kode_wilayah: String,
    alamat: Option<String>,
    rt: Option<String>,
    rw: Option<String>,
    members: Vec<MemberJson>,
    /// Officers' comments, oldest first.
    comments: Vec<CommentJson>,
}

/// A comment on a household.
#[derive(Serialize, ToSchema)]
struct CommentJson {
    id: i64,
    /// The author's username.
    username: String,
    /// The author's display name.
    display_name: String,
    /// The author's role code.
    role: String,
    body: String,
    created_at: DateTime<Utc>,
}

impl From<padu_store::HouseholdComment> for CommentJson {
    fn from(c: padu_store::HouseholdComment) -> CommentJson {
        CommentJson {
            id: c.household_comment_id,
            username: c.username,
            display_name: c.display_name,
            role: c.role,
            body: c.body,
            created_at: c.created_at,
        }
    }
}

/// One household with its members, their findings and the officers' comments.
#[utoipa::path(get, path = "/api/v1/households/{id_keluarga}", tag = "anggota",
    params(("id_keluarga" = String, Path, description = "The household's registry id")),
    responses((status = 200, body = HouseholdJson), (status = 404, body = ErrorBody)))]
async fn household(ctx: Ctx, Path(id): Path<String>) -> Result<Json<HouseholdJson>, AppError> {
    let h = ctx.store().household(&id).await?;
    let comments = ctx.store().household_comments(&id).await?;
    let full = ctx.can(Permission::ViewFullNik);
    Ok(Json(HouseholdJson {
        no_kk: if full {
            h.no_kk.clone()
        } else {
            nik_text(&h.no_kk, false)
        },
        kode_wilayah: h.kode_wilayah.dotted(),
        alamat: h.alamat.clone(),
        rt: h.rt.clone(),
        rw: h.rw.clone(),
        members: h.members.iter().map(|m| summary_json(m, full)).collect(),
        comments: comments.into_iter().map(CommentJson::from).collect(),
        id_keluarga: h.id_keluarga,
    }))
}

/// A new comment.
#[derive(Deserialize, ToSchema)]
struct NewComment {
    /// The text (not blank, at most 2,000 characters).
    body: String,
}

/// Adds a comment to a household (roles with the comment permission; audited).
#[utoipa::path(post, path = "/api/v1/households/{id_keluarga}/comments", tag = "anggota",
    params(("id_keluarga" = String, Path, description = "The household's registry id")),
    request_body = NewComment,
    responses((status = 201, body = CommentJson), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_comment(
    ctx: Ctx,
    Path(id): Path<String>,
    Json(c): Json<NewComment>,
) -> Result<(StatusCode, Json<CommentJson>), AppError> {
    ctx.require(Permission::Comment)?;
    let body = CommentBody::parse(&c.body, ctx.lang()).map_err(|message| {
        AppError::Validation(vec![crate::edit::FieldError {
            field: "body".into(),
            message,
        }])
    })?;
    let created = ctx
        .store()
        .add_household_comment(&id, &ctx.actor(), &body)
        .await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

#[derive(Deserialize, utoipa::IntoParams)]
struct ExportParams {
    /// `xlsx` (default) or `csv`.
    #[serde(default)]
    format: String,
    #[serde(flatten)]
    #[param(ignore)]
    query: MemberQuery,
}

/// The filtered list in the interchange registry format (same filters as `/members`); audited.
#[utoipa::path(get, path = "/api/v1/export", tag = "anggota", params(ExportParams),
    responses((status = 200, description = "The file", content_type = "application/octet-stream"),
        (status = 403, body = ErrorBody)))]
async fn export(ctx: Ctx, Query(e): Query<ExportParams>) -> Result<Response, AppError> {
    crate::pages::members::export_download(&ctx, &e.format, &e.query).await
}

#[derive(Deserialize, utoipa::IntoParams)]
struct AuditParams {
    /// Only this account's actions.
    user: Option<i64>,
    /// Only entries at or after this time (RFC 3339).
    since: Option<DateTime<Utc>>,
    /// Only entries before this time (RFC 3339).
    until: Option<DateTime<Utc>>,
    /// Only entries older than this id (next page).
    before: Option<i64>,
    /// Only entries about this member.
    id_art: Option<String>,
}

/// An audit entry.
#[derive(Serialize, ToSchema)]
struct AuditJson {
    id: i64,
    occurred_at: DateTime<Utc>,
    user_id: Option<i64>,
    username: Option<String>,
    ip: Option<String>,
    action: String,
    kode_wilayah: Option<String>,
    entity: Option<String>,
    entity_id: Option<String>,
    reason: Option<String>,
    #[schema(value_type = Object)]
    before: serde_json::Value,
    #[schema(value_type = Object)]
    after: serde_json::Value,
    detail: Option<String>,
}

/// The audit trail of the caller's region, newest first (pages of 100).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditParams),
    responses((status = 200, body = Vec<AuditJson>), (status = 403, body = ErrorBody)))]
async fn audit(ctx: Ctx, Query(q): Query<AuditParams>) -> Result<Json<Vec<AuditJson>>, AppError> {
    ctx.require(Permission::ViewAudit)?;
    let full = ctx.can(Permission::ViewFullNik);
    let entries = ctx
        .store()
        .audit_entries(
            &AuditFilter {
                app_user_id: q.user,
                entity: q.id_art.map(|id| ("person".to_string(), id)),
                since: q.since,
                until: q.until,
                before_id: q.before,
            },
            100,
        )
        .await?;
    Ok(Json(
        entries
            .into_iter()
            .map(|e| AuditJson {
                id: e.audit_log_id,
                occurred_at: e.entry.occurred_at,
                user_id: e.entry.app_user_id,
                username: e.entry.username,
                ip: e.entry.ip,
                action: e.entry.action,
                kode_wilayah: e.entry.kode_wilayah,
                entity: e.entry.entity,
                entity_id: e.entry.entity_id,
                reason: e.entry.reason,
                before: mask_snapshot(e.entry.before_value.as_deref(), full),
                after: mask_snapshot(e.entry.after_value.as_deref(), full),
                detail: e.entry.detail,
            })
            .collect(),
    ))
}
