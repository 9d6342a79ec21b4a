//! Letter (surat) pages: the archive, a new letter, one letter with each
//! village's progress and records, and its PDF.

use askama::Template;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use padu_core::{Permission, RegionLevel};
use padu_store::{Letter, Scope};

use super::{FormFields, render, see_other};
use crate::auth::Ctx;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::letters::{
    LetterInput, RecipientLine, default_body, letter_deadline, letter_pdf, parse_letter, recipients,
};
use crate::view::{Layout, count, region_name};

/// One letter in the archive.
pub(crate) struct LetterRow {
    pub(crate) id: i64,
    pub(crate) number: String,
    pub(crate) date: String,
    pub(crate) subject: String,
    pub(crate) deadline: String,
    pub(crate) villages: usize,
    pub(crate) items: i64,
    pub(crate) resolved: i64,
    pub(crate) closed: bool,
}

/// The archive rows of the letters in view, newest first.
pub(crate) async fn letter_rows(ctx: &Ctx, limit: u32) -> Result<Vec<LetterRow>, AppError> {
    let now = ctx.state().now();
    let mut rows = Vec::new();
    for l in ctx.store().letters(limit).await? {
        let lines = recipients(ctx, &l).await?;
        rows.push(row(ctx, &l, &lines, now));
    }
    Ok(rows)
}

fn row(
    ctx: &Ctx,
    l: &Letter,
    lines: &[RecipientLine],
    now: chrono::DateTime<chrono::Utc>,
) -> LetterRow {
    LetterRow {
        id: l.letter_id,
        number: l.number.clone(),
        date: l.letter_date.clone(),
        subject: l.subject.clone(),
        deadline: letter_deadline(ctx, l, ctx.lang()),
        villages: lines.len(),
        items: lines.iter().map(|r| r.progress.items).sum(),
        resolved: lines.iter().map(|r| r.progress.resolved).sum(),
        closed: now > l.deadline,
    }
}

#[derive(Template)]
#[template(path = "letters.html")]
struct ListPage {
    l: Layout,
    rows: Vec<LetterRow>,
    can_write: bool,
}

/// The archive.
pub(super) async fn list(ctx: Ctx) -> Result<Html<String>, AppError> {
    let t = Tr::new(ctx.lang());
    let rows = letter_rows(&ctx, 200).await?;
    render(&ListPage {
        l: Layout::new(&ctx, t.get("letter.title"), "letters"),
        rows,
        can_write: ctx.can(Permission::WriteLetter),
    })
}

/// A village the new-letter form offers, with what is left to do there.
struct VillageChoice {
    code: String,
    name: String,
    findings: String,
    open: String,
    chosen: bool,
}

#[derive(Template)]
#[template(path = "letter_new.html")]
struct NewPage {
    l: Layout,
    input: LetterInput,
    villages: Vec<VillageChoice>,
    error: Option<String>,
}

async fn new_page(
    ctx: &Ctx,
    input: LetterInput,
    error: Option<String>,
) -> Result<NewPage, AppError> {
    let t = Tr::new(ctx.lang());
    let lang = ctx.lang();
    let villages = ctx
        .store()
        .progress_children(None)
        .await?
        .into_iter()
        .filter_map(|c| {
            let code = c.region?;
            (code.level() == RegionLevel::Village && c.counts.findings > 0).then(|| {
                let open = c.counts.findings - c.counts.resolved;
                VillageChoice {
                    chosen: input
                        .villages
                        .iter()
                        .any(|v| v.replace('.', "") == code.compact()),
                    code: code.compact(),
                    name: region_name(code),
                    findings: count(u64::try_from(c.counts.findings).unwrap_or(0), lang),
                    open: count(u64::try_from(open).unwrap_or(0), lang),
                }
            })
        })
        .collect();
    Ok(NewPage {
        l: Layout::new(ctx, t.get("letter.new"), "letters"),
        input,
        villages,
        error,
    })
}

/// The form, filled in with the office's defaults.
pub(super) async fn new_form(ctx: Ctx) -> Result<Html<String>, AppError> {
    ctx.require(Permission::WriteLetter)?;
    if !matches!(ctx.scope(), Scope::Region(r) if r.level() == RegionLevel::Regency) {
        return Err(AppError::Forbidden);
    }
    let lang = ctx.lang();
    let t = Tr::new(lang);
    let input = LetterInput {
        classification: Some("400.9".into()),
        subject: t.get("letter.default_subject").into(),
        body: default_body(lang),
        signatory_title: t.get("letter.default_title").into(),
        ..LetterInput::default()
    };
    render(&new_page(&ctx, input, None).await?)
}

/// Writes the letter and shows it.
pub(super) async fn create(ctx: Ctx, body: Bytes) -> Result<Response, AppError> {
    ctx.require(Permission::WriteLetter)?;
    let form = FormFields::parse(&body)?;
    let get = |k: &str| form.one(k);
    let input = LetterInput {
        classification: Some(get("classification")),
        letter_date: Some(get("letter_date")),
        subject: get("subject"),
        body: get("body"),
        deadline: get("deadline"),
        signatory_name: get("signatory_name"),
        signatory_title: get("signatory_title"),
        signatory_id: Some(get("signatory_id")),
        villages: form.all("villages"),
    };
    let outcome = async {
        let new = parse_letter(&ctx, &input)?;
        let actor = ctx.actor();
        Ok::<_, AppError>(
            ctx.store()
                .create_letter(&actor, ctx.state().now(), &new)
                .await?,
        )
    }
    .await;
    match outcome {
        Ok(l) => Ok(see_other(&format!("/surat/{}?dibuat=1", l.letter_id))),
        Err(e @ (AppError::Forbidden | AppError::Internal(_))) => Err(e),
        Err(e) => {
            let status = e.status();
            let page = new_page(&ctx, input, Some(e.user_message(ctx.lang()))).await?;
            Ok((status, render(&page)?).into_response())
        }
    }
}

/// One attached record, as the page lists it.
struct ItemRow {
    id_art: String,
    nama: String,
    finding: String,
    keterangan: String,
    resolved: bool,
}

/// A recipient village with its records, for the page.
struct Recipient {
    line: RecipientLine,
    items: Vec<ItemRow>,
}

#[derive(Template)]
#[template(path = "letter.html")]
struct DetailPage {
    l: Layout,
    letter: Letter,
    date: String,
    deadline: String,
    closed: bool,
    recipients: Vec<Recipient>,
    created: bool,
}

#[derive(serde::Deserialize)]
pub(super) struct DetailQuery {
    dibuat: Option<String>,
}

/// One letter: its text, each village's progress and records.
pub(super) async fn show(
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<DetailQuery>,
) -> Result<Html<String>, AppError> {
    let letter = ctx.store().letter(id).await?;
    let now = ctx.state().now();
    let lines = recipients(&ctx, &letter).await?;
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        let items = ctx
            .store()
            .letter_items(&letter, line.code, now)
            .await?
            .into_iter()
            .map(|i| ItemRow {
                finding: crate::letters::finding_words(&i),
                id_art: i.id_art,
                nama: i.nama,
                keterangan: i.keterangan,
                resolved: i.resolved,
            })
            .collect();
        out.push(Recipient { line, items });
    }
    render(&DetailPage {
        l: Layout::new(&ctx, letter.number.clone(), "letters"),
        deadline: letter_deadline(&ctx, &letter, ctx.lang()),
        date: letter
            .letter_date
            .parse()
            .map(|d| crate::letters::long_date(d, ctx.lang()))
            .unwrap_or_else(|_| letter.letter_date.clone()),
        closed: now > letter.deadline,
        recipients: out,
        created: q.dibuat.is_some(),
        letter,
    })
}

/// The letter as PDF.
pub(super) async fn pdf(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let letter = ctx.store().letter(id).await?;
    let bytes = letter_pdf(&ctx, &letter).await?;
    Ok(pdf_response(bytes, &format!("surat-{id}.pdf")))
}

/// A PDF download that no cache keeps (it holds personal data).
pub(crate) fn pdf_response(bytes: Vec<u8>, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}
