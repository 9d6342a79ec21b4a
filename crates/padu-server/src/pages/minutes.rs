//! Minutes pages (berita acara Musdes/Muskel, SPTJM): the village's list,
//! new minutes gathering submitted proposals, one set of minutes with its
//! draft and BNBA downloads, the signed scan, and ratifying its proposals.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use padu_core::{Permission, ProposalState, check_evidence};
use padu_store::{ProposalFilter, RatificationRecord, ScanFile};

use super::{FormFields, render, see_other};
use crate::auth::Ctx;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::minutes::{
    MinutesInput, bnba, bnba_pdf, bnba_xlsx, draft_pdf, kind_title, parse_minutes,
};
use crate::view::{Layout, region_name};

#[derive(Template)]
#[template(path = "minutes_list.html")]
struct ListPage {
    l: Layout,
    rows: Vec<RatificationRecord>,
    can_write: bool,
}

/// The minutes of the villages in view.
pub(super) async fn list(ctx: Ctx) -> Result<Html<String>, AppError> {
    let t = Tr::new(ctx.lang());
    render(&ListPage {
        l: Layout::new(&ctx, t.get("minutes.title"), "proposals"),
        rows: ctx.store().ratifications(200).await?,
        can_write: ctx.can(Permission::Propose),
    })
}

/// A submitted proposal the form offers.
struct Offer {
    id: i64,
    what: String,
    chosen: bool,
}

#[derive(Template)]
#[template(path = "minutes_new.html")]
struct NewPage {
    l: Layout,
    input: MinutesInput,
    offers: Vec<Offer>,
    error: Option<String>,
}

async fn new_page(
    ctx: &Ctx,
    input: MinutesInput,
    error: Option<String>,
) -> Result<NewPage, AppError> {
    let t = Tr::new(ctx.lang());
    let filter = ProposalFilter {
        state: Some(ProposalState::Diajukan),
        ..ProposalFilter::default()
    };
    let mut offers = Vec::new();
    for p in ctx.store().proposals(&filter, 500).await? {
        let who = match &p.id_art {
            Some(a) => ctx
                .store()
                .member(a)
                .await
                .map(|m| format!("{} ({a})", m.person.nama))
                .unwrap_or_else(|_| a.clone()),
            None => String::new(),
        };
        offers.push(Offer {
            id: p.proposal_id,
            what: format!(
                "#{} · {} · {who}",
                p.proposal_id,
                p.change.kind().label(ctx.lang())
            ),
            chosen: input.proposals.contains(&p.proposal_id),
        });
    }
    Ok(NewPage {
        l: Layout::new(ctx, t.get("minutes.new"), "proposals"),
        input,
        offers,
        error,
    })
}

/// The form, with every submitted proposal ticked.
pub(super) async fn new_form(ctx: Ctx) -> Result<Html<String>, AppError> {
    ctx.require(Permission::Propose)?;
    let mut page = new_page(&ctx, MinutesInput::default(), None).await?;
    for o in &mut page.offers {
        o.chosen = true;
    }
    page.input.kind = "MUSDES".into();
    page.input.held_on = ctx.state().now().format("%d-%m-%Y").to_string();
    render(&page)
}

/// Records the minutes and shows them.
pub(super) async fn create(ctx: Ctx, body: Bytes) -> Result<Response, AppError> {
    ctx.require(Permission::Propose)?;
    let form = FormFields::parse(&body)?;
    let get = |k: &str| form.one(k);
    let input = MinutesInput {
        kind: get("kind"),
        number: get("number"),
        held_on: get("held_on"),
        place: get("place"),
        attendees: get("attendees"),
        signatories: get("signatories"),
        note: Some(get("note")),
        proposals: form
            .all("proposals")
            .iter()
            .filter_map(|v| v.parse().ok())
            .collect(),
    };
    let outcome = async {
        let new = parse_minutes(&ctx, &input)?;
        let actor = ctx.actor();
        Ok::<_, AppError>(
            ctx.store()
                .create_ratification(&actor, ctx.state().now(), &new)
                .await?,
        )
    }
    .await;
    match outcome {
        Ok(m) => Ok(see_other(&format!(
            "/berita-acara/{}?ok=create",
            m.ratification_id
        ))),
        Err(e @ (AppError::Forbidden | AppError::Internal(_))) => Err(e),
        Err(e) => {
            let status = e.status();
            let page = new_page(&ctx, input, Some(e.user_message(ctx.lang()))).await?;
            Ok((status, render(&page)?).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "minutes.html")]
struct DetailPage {
    l: Layout,
    m: RatificationRecord,
    title: String,
    village: String,
    rows: Vec<crate::minutes::BnbaRow>,
    can_act: bool,
    can_ratify: bool,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(serde::Deserialize)]
pub(super) struct DetailQuery {
    ok: Option<String>,
}

async fn detail(
    ctx: &Ctx,
    id: i64,
    notice: Option<String>,
    error: Option<String>,
) -> Result<DetailPage, AppError> {
    let m = ctx.store().ratification(id).await?;
    let rows = bnba(ctx, &m).await?;
    let waiting = rows
        .iter()
        .any(|r| r.state == ProposalState::Diajukan.as_str());
    let can_act = ctx.can(Permission::Propose);
    Ok(DetailPage {
        l: Layout::new(
            ctx,
            format!("{} {}", kind_title(m.kind), m.number),
            "proposals",
        ),
        title: kind_title(m.kind).to_string(),
        village: padu_core::RegionCode::parse(&m.kode_wilayah)
            .map(region_name)
            .unwrap_or_default(),
        can_ratify: can_act && waiting && m.scan_file_name.is_some(),
        can_act,
        rows,
        m,
        notice,
        error,
    })
}

/// One set of minutes.
pub(super) async fn show(
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<DetailQuery>,
) -> Result<Html<String>, AppError> {
    let t = Tr::new(ctx.lang());
    let notice = q.ok.map(|k| t.get(&format!("minutes.ok_{k}")).to_string());
    render(&detail(&ctx, id, notice, None).await?)
}

async fn show_error(ctx: &Ctx, id: i64, e: AppError) -> Result<Response, AppError> {
    if matches!(
        e,
        AppError::NotFound | AppError::Internal(_) | AppError::Forbidden
    ) {
        return Err(e);
    }
    let status = e.status();
    let page = detail(ctx, id, None, Some(e.user_message(ctx.lang()))).await?;
    Ok((status, render(&page)?).into_response())
}

/// Uploads the signed scan (PDF, JPEG or PNG, judged by content).
pub(super) async fn attach(
    ctx: Ctx,
    Path(id): Path<i64>,
    mut form: Multipart,
) -> Result<Response, AppError> {
    ctx.require(Permission::Propose)?;
    let lang = ctx.lang();
    let t = Tr::new(lang);
    let mut file: Option<(String, Bytes)> = None;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| AppError::BadRequest(e.body_text()))?
    {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("pindaian").to_string();
            let bytes = field.bytes().await.map_err(|_| AppError::PayloadTooLarge)?;
            file = Some((name, bytes));
        }
    }
    let outcome = async {
        let (name, bytes) =
            file.ok_or_else(|| AppError::BadRequest(t.get("proposal.no_file").into()))?;
        let media = check_evidence(&bytes)
            .map_err(|e| AppError::BadRequest(padu_core::lang::Localized::message(&e, lang)))?;
        let actor = ctx.actor();
        ctx.store()
            .attach_ratification_scan(
                &actor,
                ctx.state().now(),
                id,
                &ScanFile {
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
        Ok(()) => Ok(see_other(&format!("/berita-acara/{id}?ok=scan"))),
        Err(e) => show_error(&ctx, id, e).await,
    }
}

/// Ratifies every submitted proposal the minutes list, all or nothing.
pub(super) async fn ratify(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    ctx.require(Permission::Propose)?;
    match crate::minutes::ratify_all(&ctx, id).await {
        Ok(_) => Ok(see_other(&format!("/berita-acara/{id}?ok=ratify"))),
        Err(e) => show_error(&ctx, id, e).await,
    }
}

fn file(bytes: Vec<u8>, mime: &str, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, mime.to_string()),
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

/// The signed scan.
pub(super) async fn scan(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let (_, media, bytes) = ctx.store().ratification_scan(id).await?;
    let ext = match media.as_str() {
        "application/pdf" => "pdf",
        "image/jpeg" => "jpg",
        _ => "png",
    };
    Ok(file(
        bytes,
        &media,
        &format!("berita-acara-{id}-pindaian.{ext}"),
    ))
}

/// The draft minutes, the BNBA as PDF or as XLSX.
pub(super) async fn document(
    ctx: Ctx,
    Path((id, name)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let m = ctx.store().ratification(id).await?;
    match name.as_str() {
        "draf.pdf" => Ok(file(
            draft_pdf(&ctx, &m).await?,
            "application/pdf",
            &format!("berita-acara-{id}-draf.pdf"),
        )),
        "bnba.pdf" => Ok(file(
            bnba_pdf(&ctx, &m).await?,
            "application/pdf",
            &format!("berita-acara-{id}-bnba.pdf"),
        )),
        "bnba.xlsx" => Ok(file(
            bnba_xlsx(&ctx, &m).await?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &format!("berita-acara-{id}-bnba.xlsx"),
        )),
        _ => Err(AppError::NotFound),
    }
}
