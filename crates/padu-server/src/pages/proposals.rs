//! Proposal (usulan) pages: the list with bulk steps, one proposal with its
//! timeline, evidence and the steps the user may take, and the form that
//! drafts a proposal from a member's page.

use std::collections::BTreeMap;

use askama::Template;
use axum::Form;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use padu_core::{
    DeactivationReason, Lang, Permission, ProposalKind, ProposalState, check_evidence,
};
use padu_store::{AttachmentPurpose, NewAttachment, NewProposal, Proposal, ProposalFilter};
use serde::Deserialize;

use super::{render, see_other};
use crate::auth::Ctx;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::proposal::{
    FIELDS, StepInput, before_after, current_value, findings_rows, parse_action, parse_change,
    suggested_proposals,
};
use crate::view::{Layout, region_name, time};

/// How many proposals a list page shows.
const LIST_LIMIT: u32 = 500;

/// One row of the list.
struct Row {
    id: i64,
    version: i64,
    kind: String,
    id_art: String,
    village: String,
    state_class: &'static str,
    state_label: &'static str,
    period: String,
    updated: String,
}

/// The badge colour of a state: done, needs the village again, or on its way.
fn state_class(s: ProposalState) -> &'static str {
    match s {
        ProposalState::Ditetapkan => "good",
        ProposalState::Dikembalikan => "warn",
        ProposalState::DitolakPusdatin => "bad",
        _ => "muted",
    }
}

#[derive(Template)]
#[template(path = "proposals.html")]
struct ListPage {
    l: Layout,
    rows: Vec<Row>,
    states: Vec<(&'static str, &'static str, bool)>,
    notice: Option<String>,
    error: Option<String>,
    /// Steps the user's role can take on some proposal: code and label.
    bulk_steps: Vec<(&'static str, &'static str)>,
    /// Whether those steps include one that needs a reason, a document, a period.
    bulk_reason: bool,
    bulk_document: bool,
    bulk_period: bool,
}

/// The list's filter.
#[derive(Debug, Deserialize, Default)]
pub(super) struct ListQuery {
    status: Option<String>,
    selesai: Option<u32>,
    dibuat: Option<u32>,
}

fn row(p: &Proposal, lang: Lang) -> Row {
    Row {
        id: p.proposal_id,
        version: p.version,
        kind: change_label(p, lang),
        id_art: p.id_art.clone().unwrap_or_default(),
        village: region_name(p.kode_wilayah),
        state_class: state_class(p.state),
        state_label: p.state.label(lang),
        period: p.period.map(|x| x.to_string()).unwrap_or_default(),
        updated: time(p.updated_at),
    }
}

fn change_label(p: &Proposal, lang: Lang) -> String {
    match p.change.deactivation_reason() {
        Some(r) => format!("{}: {}", p.change.kind().label(lang), r.label(lang)),
        None => p.change.kind().label(lang).to_string(),
    }
}

/// The steps a role takes anywhere in the workflow, for the bulk form.
fn role_steps(ctx: &Ctx) -> Vec<(&'static str, &'static str)> {
    padu_core::Step::ALL
        .into_iter()
        .filter(|s| {
            ProposalState::ALL
                .iter()
                .any(|st| st.after(*s).is_some() && s.allowed_for(ctx.role(), *st))
        })
        .map(|s| (s.as_str(), s.label(ctx.lang())))
        .collect()
}

async fn list_page(ctx: &Ctx, q: &ListQuery, error: Option<String>) -> Result<ListPage, AppError> {
    let lang = ctx.lang();
    let t = Tr::new(lang);
    let state = q
        .status
        .as_deref()
        .filter(|s| !s.is_empty())
        .and_then(|s| s.parse::<ProposalState>().ok());
    let filter = ProposalFilter {
        state,
        id_art: None,
    };
    let proposals = ctx.store().proposals(&filter, LIST_LIMIT).await?;
    let steps = role_steps(ctx);
    Ok(ListPage {
        l: Layout::new(ctx, t.get("proposal.title"), "proposals"),
        rows: proposals.iter().map(|p| row(p, lang)).collect(),
        states: ProposalState::ALL
            .iter()
            .map(|s| (s.as_str(), s.label(lang), Some(*s) == state))
            .collect(),
        notice: q
            .selesai
            .map(|n| t.get("proposal.bulk_done").replace("{n}", &n.to_string()))
            .or_else(|| {
                q.dibuat.map(|n| {
                    t.get("proposal.bulk_created")
                        .replace("{n}", &n.to_string())
                })
            }),
        error,
        bulk_reason: steps.iter().any(|(c, _)| *c == "return" || *c == "reject"),
        bulk_document: steps.iter().any(|(c, _)| *c == "ratify"),
        bulk_period: steps.iter().any(|(c, _)| *c == "finalise"),
        bulk_steps: steps,
    })
}

pub(super) async fn list(ctx: Ctx, Query(q): Query<ListQuery>) -> Result<Html<String>, AppError> {
    render(&list_page(&ctx, &q, None).await?)
}

/// The bulk form: the chosen proposals as `id:version`, the step and its evidence.
#[derive(Debug, Deserialize)]
pub(super) struct BulkForm {
    step: String,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    document: Option<String>,
    #[serde(default)]
    period: Option<String>,
}

pub(super) async fn bulk(ctx: Ctx, body: Bytes) -> Result<Response, AppError> {
    // Checkboxes repeat one name, which a struct cannot hold; read the pairs.
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(&body).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let form = BulkForm {
        step: get("step").unwrap_or_default(),
        reason: get("reason"),
        document: get("document"),
        period: get("period"),
    };
    let items: Vec<(i64, i64)> = pairs
        .iter()
        .filter(|(n, _)| n == "pilih")
        .filter_map(|(_, v)| {
            let (id, version) = v.split_once(':')?;
            Some((id.parse().ok()?, version.parse().ok()?))
        })
        .collect();
    let lang = ctx.lang();
    let t = Tr::new(lang);
    let outcome = async {
        if items.is_empty() {
            return Err(AppError::BadRequest(t.get("proposal.bulk_none").into()));
        }
        let action = parse_action(
            &StepInput {
                step: form.step.clone(),
                reason: form.reason.clone(),
                document: form.document.clone(),
                period: form.period.clone(),
            },
            lang,
        )?;
        let actor = ctx.actor();
        let done = ctx
            .store()
            .take_proposal_steps(&ctx.step_ctx(&actor), &items, &action)
            .await?;
        Ok(done.len())
    }
    .await;
    match outcome {
        Ok(n) => Ok(see_other(&format!("/usulan?selesai={n}"))),
        Err(e) => {
            let status = e.status();
            let page = list_page(&ctx, &ListQuery::default(), Some(e.user_message(lang))).await?;
            Ok((status, render(&page)?).into_response())
        }
    }
}

/// One step the user may take now, for a button or a small form.
struct StepView {
    code: &'static str,
    label: &'static str,
    needs_reason: bool,
    needs_document: bool,
    needs_period: bool,
}

struct EventView {
    when: String,
    who: String,
    role: String,
    what: String,
    state: String,
    reason: String,
    detail: String,
}

struct FileView {
    id: i64,
    name: String,
    purpose: String,
    size: String,
    who: String,
    when: String,
}

#[derive(Template)]
#[template(path = "proposal.html")]
struct DetailPage {
    l: Layout,
    id: i64,
    version: i64,
    kind: String,
    state_class: &'static str,
    state_label: &'static str,
    id_art: String,
    village: String,
    period: String,
    late: bool,
    note: String,
    /// Field, before, after.
    changes: Vec<(String, String, String)>,
    events: Vec<EventView>,
    files: Vec<FileView>,
    steps: Vec<StepView>,
    can_attach: bool,
    can_edit: bool,
    /// The editable after-values: field, label, value.
    edit_fields: Vec<(String, String, String)>,
    notice: Option<String>,
    error: Option<String>,
}

/// What a notice query names after a redirect.
#[derive(Debug, Deserialize, Default)]
pub(super) struct DetailQuery {
    ok: Option<String>,
}

fn text(v: Option<&serde_json::Value>) -> String {
    match v {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

async fn detail_page(
    ctx: &Ctx,
    id: i64,
    notice: Option<String>,
    error: Option<String>,
) -> Result<DetailPage, AppError> {
    let lang = ctx.lang();
    let t = Tr::new(lang);
    let store = ctx.store();
    let p = store.proposal(id).await?;
    let events = store.proposal_events(id).await?;
    let files = store.proposal_attachments(id).await?;
    let workflow = ctx.step_ctx(&ctx.actor()).workflow;
    let steps = p
        .state
        .available(&workflow, p.kode_wilayah)
        .into_iter()
        .map(|s| StepView {
            code: s.as_str(),
            label: s.label(lang),
            needs_reason: matches!(s, padu_core::Step::Return | padu_core::Step::Reject),
            needs_document: s == padu_core::Step::Ratify,
            needs_period: s == padu_core::Step::Finalise,
        })
        .collect();
    let mut keys: Vec<String> = p
        .after
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    if let Some(b) = p.before.as_ref().and_then(|b| b.as_object()) {
        for k in b.keys() {
            if !keys.contains(k) {
                keys.push(k.clone());
            }
        }
    }
    let label = |k: &str| {
        let key = format!("field.{k}");
        let l = t.get(&key);
        if l == key {
            k.to_string()
        } else {
            l.to_string()
        }
    };
    let changes = keys
        .iter()
        .map(|k| {
            (
                label(k),
                text(p.before.as_ref().and_then(|b| b.get(k))),
                text(p.after.get(k)),
            )
        })
        .collect();
    let can_edit = ctx.can(Permission::Propose)
        && p.state.is_editable()
        && matches!(
            p.change,
            padu_core::Change::CorrectFields | padu_core::Change::Move
        );
    let edit_fields = if can_edit {
        keys.iter()
            .filter(|k| p.after.get(k.as_str()).is_some())
            .map(|k| (k.clone(), label(k), text(p.after.get(k.as_str()))))
            .collect()
    } else {
        Vec::new()
    };
    Ok(DetailPage {
        l: Layout::new(
            ctx,
            format!("{} #{}", t.get("proposal.one"), p.proposal_id),
            "proposals",
        ),
        id: p.proposal_id,
        version: p.version,
        kind: change_label(&p, lang),
        state_class: state_class(p.state),
        state_label: p.state.label(lang),
        id_art: p.id_art.clone().unwrap_or_default(),
        village: region_name(p.kode_wilayah),
        period: p.period.map(|x| x.label(lang)).unwrap_or_default(),
        late: p.late,
        note: p.note.clone().unwrap_or_default(),
        changes,
        events: events
            .iter()
            .map(|e| EventView {
                when: time(e.occurred_at),
                who: e.display_name.clone(),
                role: e
                    .role
                    .parse::<padu_core::Role>()
                    .map(|r| r.label(lang).to_string())
                    .unwrap_or_else(|_| e.role.clone()),
                what: match e.step.parse::<padu_core::Step>() {
                    Ok(s) => s.label(lang).to_string(),
                    Err(_) => t.get(&format!("proposal.event_{}", e.step)).to_string(),
                },
                state: e
                    .to_state
                    .parse::<ProposalState>()
                    .map(|s| s.label(lang).to_string())
                    .unwrap_or_else(|_| e.to_state.clone()),
                reason: e.reason.clone().unwrap_or_default(),
                detail: e.detail.clone().unwrap_or_default(),
            })
            .collect(),
        files: files
            .iter()
            .map(|f| FileView {
                id: f.proposal_attachment_id,
                name: f.file_name.clone(),
                purpose: t
                    .get(&format!("proposal.purpose_{}", f.purpose))
                    .to_string(),
                size: format!("{:.0} KB", (f.size_bytes as f64 / 1024.0).ceil()),
                who: f.username.clone(),
                when: time(f.created_at),
            })
            .collect(),
        steps,
        can_attach: ctx.can(Permission::Propose) && !p.state.is_final(),
        can_edit,
        edit_fields,
        notice,
        error,
    })
}

pub(super) async fn show(
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<DetailQuery>,
) -> Result<Html<String>, AppError> {
    let t = Tr::new(ctx.lang());
    let notice = q.ok.map(|k| t.get(&format!("proposal.ok_{k}")).to_string());
    render(&detail_page(&ctx, id, notice, None).await?)
}

/// Renders the proposal page with `e` above it, in `e`'s status.
async fn show_error(ctx: &Ctx, id: i64, e: AppError) -> Result<Response, AppError> {
    if matches!(e, AppError::NotFound | AppError::Internal(_)) {
        return Err(e);
    }
    let status = e.status();
    let page = detail_page(ctx, id, None, Some(e.user_message(ctx.lang()))).await?;
    Ok((status, render(&page)?).into_response())
}

/// A step form: the step, the version the page showed, and the step's evidence.
#[derive(Debug, Deserialize)]
pub(super) struct StepForm {
    step: String,
    version: i64,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    document: Option<String>,
    #[serde(default)]
    period: Option<String>,
}

pub(super) async fn step(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<StepForm>,
) -> Result<Response, AppError> {
    let input = StepInput {
        step: f.step.clone(),
        reason: f.reason,
        document: f.document,
        period: f.period,
    };
    let outcome = async {
        let action = parse_action(&input, ctx.lang())?;
        let actor = ctx.actor();
        ctx.store()
            .take_proposal_step(&ctx.step_ctx(&actor), id, f.version, &action)
            .await?;
        Ok::<_, AppError>(())
    }
    .await;
    match outcome {
        Ok(()) => Ok(see_other(&format!("/usulan/{id}?ok=step"))),
        Err(e) => show_error(&ctx, id, e).await,
    }
}

pub(super) async fn edit(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    let outcome = async {
        let version: i64 = f
            .get("version")
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| AppError::BadRequest("version".into()))?;
        let p = ctx.store().proposal(id).await?;
        let mut after = p.after.as_object().cloned().unwrap_or_default();
        for (k, v) in after.iter_mut() {
            if let Some(new) = f.get(&format!("after_{k}")) {
                *v = serde_json::Value::String(new.trim().to_string());
            }
        }
        let note = f.get("note").map(|n| n.trim()).filter(|n| !n.is_empty());
        let actor = ctx.actor();
        ctx.store()
            .edit_proposal(
                &ctx.step_ctx(&actor),
                id,
                version,
                &serde_json::Value::Object(after),
                note,
            )
            .await?;
        Ok::<_, AppError>(())
    }
    .await;
    match outcome {
        Ok(()) => Ok(see_other(&format!("/usulan/{id}?ok=edit"))),
        Err(e) => show_error(&ctx, id, e).await,
    }
}

/// The evidence upload: a multipart form with `purpose` and `file` (the CSRF token in the query).
pub(super) async fn attach(
    ctx: Ctx,
    Path(id): Path<i64>,
    mut form: Multipart,
) -> Result<Response, AppError> {
    let lang = ctx.lang();
    let t = Tr::new(lang);
    let mut purpose = AttachmentPurpose::RatificationScan;
    let mut file: Option<(String, Bytes)> = None;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| AppError::BadRequest(e.body_text()))?
    {
        match field.name() {
            Some("purpose") => {
                let v = field
                    .text()
                    .await
                    .map_err(|e| AppError::BadRequest(e.body_text()))?;
                if v == AttachmentPurpose::Evidence.as_str() {
                    purpose = AttachmentPurpose::Evidence;
                }
            }
            Some("file") => {
                let name = field.file_name().unwrap_or("berkas").to_string();
                let bytes = field.bytes().await.map_err(|_| AppError::PayloadTooLarge)?;
                file = Some((name, bytes));
            }
            _ => {}
        }
    }
    let outcome = async {
        let (name, bytes) =
            file.ok_or_else(|| AppError::BadRequest(t.get("proposal.no_file").into()))?;
        let media = check_evidence(&bytes)
            .map_err(|e| AppError::BadRequest(padu_core::lang::Localized::message(&e, lang)))?;
        let actor = ctx.actor();
        ctx.store()
            .add_proposal_attachment(
                &ctx.step_ctx(&actor),
                id,
                &NewAttachment {
                    purpose,
                    file_name: &name,
                    media,
                    bytes: &bytes,
                },
            )
            .await?;
        Ok::<_, AppError>(())
    }
    .await;
    match outcome {
        Ok(()) => Ok(see_other(&format!("/usulan/{id}?ok=attach"))),
        Err(e) => show_error(&ctx, id, e).await,
    }
}

/// Serves an attachment to a user whose region holds the proposal.
pub(super) async fn download(
    ctx: Ctx,
    Path((id, file_id)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let (info, data) = ctx.store().proposal_attachment(id, file_id).await?;
    // The stored name is shown only; the download gets a safe one.
    let ext = match info.media_type.as_str() {
        "application/pdf" => "pdf",
        "image/jpeg" => "jpg",
        _ => "png",
    };
    Ok((
        [
            (header::CONTENT_TYPE, info.media_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"usulan-{id}-lampiran-{file_id}.{ext}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        data,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "proposal_new.html")]
struct NewPage {
    l: Layout,
    id_art: String,
    nama: String,
    kinds: Vec<(&'static str, &'static str, bool)>,
    reasons: Vec<(&'static str, &'static str, bool)>,
    /// Field, label, current value, typed value.
    fields: Vec<(&'static str, String, String, String)>,
    id_keluarga: String,
    tgl_meninggal: String,
    note: String,
    error: Option<String>,
}

async fn new_page(
    ctx: &Ctx,
    id_art: &str,
    typed: &BTreeMap<String, String>,
    error: Option<String>,
) -> Result<NewPage, AppError> {
    let lang = ctx.lang();
    let t = Tr::new(lang);
    let m = ctx.store().member(id_art).await?;
    let kind = typed.get("kind").cloned().unwrap_or_default();
    let reason = typed.get("reason").cloned().unwrap_or_default();
    Ok(NewPage {
        l: Layout::new(ctx, t.get("proposal.new"), "proposals"),
        id_art: m.person.id_art.to_string(),
        nama: m.person.nama.to_string(),
        kinds: ProposalKind::ALL
            .iter()
            .filter(|k| k.needs_member())
            .map(|k| (k.as_str(), k.label(lang), k.as_str() == kind))
            .collect(),
        reasons: DeactivationReason::ALL
            .iter()
            .map(|r| (r.as_str(), r.label(lang), r.as_str() == reason))
            .collect(),
        fields: FIELDS
            .iter()
            .map(|f| {
                (
                    *f,
                    t.get(&format!("field.{f}")).to_string(),
                    current_value(&m.person, f),
                    typed.get(*f).cloned().unwrap_or_default(),
                )
            })
            .collect(),
        id_keluarga: typed.get("id_keluarga").cloned().unwrap_or_default(),
        tgl_meninggal: typed.get("tgl_meninggal").cloned().unwrap_or_default(),
        note: typed.get("note").cloned().unwrap_or_default(),
        error,
    })
}

/// The new-proposal form's query: `saran=1` fills it with Padu's suggestion from the finding.
#[derive(Debug, Deserialize, Default)]
pub(super) struct NewQuery {
    saran: Option<String>,
}

pub(super) async fn new_form(
    ctx: Ctx,
    Path(id_art): Path<String>,
    Query(q): Query<NewQuery>,
) -> Result<Html<String>, AppError> {
    ctx.require(Permission::Propose)?;
    let mut typed = BTreeMap::new();
    if q.saran.is_some() {
        let m = ctx.store().member(&id_art).await?;
        if let Some(s) = m.finding.as_ref().and_then(|f| padu_core::suggest(&f.row)) {
            typed.insert("kind".to_string(), s.change.kind().as_str().to_string());
            if let Some(r) = s.change.deactivation_reason() {
                typed.insert("reason".to_string(), r.as_str().to_string());
            }
            typed.extend(s.fields.clone());
            typed.insert("note".to_string(), s.why(ctx.lang()).to_string());
        }
    }
    render(&new_page(&ctx, &id_art, &typed, None).await?)
}

pub(super) async fn create(
    ctx: Ctx,
    Path(id_art): Path<String>,
    Form(f): Form<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    ctx.require(Permission::Propose)?;
    let lang = ctx.lang();
    let outcome = async {
        let change = parse_change(
            f.get("kind").map(String::as_str).unwrap_or_default(),
            f.get("reason")
                .map(String::as_str)
                .filter(|_| f.get("kind").is_some_and(|k| k == "NONAKTIF")),
            lang,
        )?;
        let m = ctx.store().member(&id_art).await?;
        let (before, after) = before_after(change, &m.person, &f, lang)?;
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
                    note: f
                        .get("note")
                        .map(|n| n.trim().to_string())
                        .filter(|n| !n.is_empty()),
                },
            )
            .await?;
        Ok::<_, AppError>(p.proposal_id)
    }
    .await;
    match outcome {
        Ok(id) => Ok(see_other(&format!("/usulan/{id}?ok=create"))),
        Err(e @ (AppError::NotFound | AppError::Internal(_))) => Err(e),
        Err(e) => {
            let status = e.status();
            let page = new_page(&ctx, &id_art, &f, Some(e.user_message(lang))).await?;
            Ok((status, render(&page)?).into_response())
        }
    }
}

/// One finding that asks for action, with Padu's suggestion.
struct FindingRow {
    id_art: String,
    nama: String,
    village: String,
    status: String,
    flags: String,
    keterangan: String,
    /// The suggestion in words, or empty when the finding needs the operator to find out.
    suggestion: String,
    /// Whether the suggestion can be proposed in bulk.
    suggested: bool,
    /// An unfinished proposal that already covers the member.
    open: Option<i64>,
}

#[derive(Template)]
#[template(path = "findings.html")]
struct FindingsPage {
    l: Layout,
    rows: Vec<FindingRow>,
    can_propose: bool,
    error: Option<String>,
}

async fn findings_page(ctx: &Ctx, error: Option<String>) -> Result<FindingsPage, AppError> {
    let lang = ctx.lang();
    let t = Tr::new(lang);
    let open = ctx.store().open_proposals().await?;
    let rows = findings_rows(ctx)
        .await?
        .into_iter()
        .map(|(m, r)| {
            let s = padu_core::suggest(&r);
            FindingRow {
                id_art: m.person.id_art.to_string(),
                nama: m.person.nama.to_string(),
                village: region_name(m.person.kode_wilayah),
                status: r.status.as_str().to_string(),
                flags: r
                    .flags
                    .iter()
                    .map(|f| f.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                keterangan: r.keterangan.clone(),
                suggestion: s
                    .as_ref()
                    .map(|s| {
                        let what = match s.change.deactivation_reason() {
                            Some(x) => {
                                format!("{}: {}", s.change.kind().label(lang), x.label(lang))
                            }
                            None => s.change.kind().label(lang).to_string(),
                        };
                        format!("{what} ({})", s.why(lang))
                    })
                    .unwrap_or_else(|| t.get("proposal.no_suggestion").to_string()),
                suggested: s.is_some(),
                open: open.get(m.person.id_art.as_str()).copied(),
            }
        })
        .collect();
    Ok(FindingsPage {
        l: Layout::new(ctx, t.get("proposal.findings"), "proposals"),
        rows,
        can_propose: ctx.can(Permission::Propose),
        error,
    })
}

pub(super) async fn findings(ctx: Ctx) -> Result<Html<String>, AppError> {
    render(&findings_page(&ctx, None).await?)
}

pub(super) async fn propose_findings(ctx: Ctx, body: Bytes) -> Result<Response, AppError> {
    ctx.require(Permission::Propose)?;
    let lang = ctx.lang();
    let t = Tr::new(lang);
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(&body).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let id_arts: Vec<String> = pairs
        .into_iter()
        .filter(|(n, _)| n == "pilih")
        .map(|(_, v)| v)
        .collect();
    let outcome = async {
        if id_arts.is_empty() {
            return Err(AppError::BadRequest(t.get("proposal.bulk_none").into()));
        }
        let news = suggested_proposals(&ctx, &id_arts).await?;
        let actor = ctx.actor();
        let made = ctx
            .store()
            .create_proposals(&ctx.step_ctx(&actor), &news)
            .await?;
        Ok(made.len())
    }
    .await;
    match outcome {
        Ok(n) => Ok(see_other(&format!("/usulan?dibuat={n}"))),
        Err(e) => {
            let status = e.status();
            let page = findings_page(&ctx, Some(e.user_message(lang))).await?;
            Ok((status, render(&page)?).into_response())
        }
    }
}
