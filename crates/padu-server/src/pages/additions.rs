//! Proposing additions: a new member of a household (a newborn, someone who
//! moved in) and a new household with its head, from the village.

use askama::Template;
use axum::body::Bytes;
use axum::extract::Path;
use axum::response::{Html, IntoResponse, Response};
use padu_core::{Change, Permission, Relation, Sex};

use super::{FormFields, render, see_other};
use crate::auth::Ctx;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::proposal::{ADDITION_FIELDS, HOUSEHOLD_FIELDS, addition_proposal};
use crate::view::Layout;

/// One input of the form.
struct Field {
    name: &'static str,
    label: String,
    value: String,
    required: bool,
    choices: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "addition.html")]
struct AdditionPage {
    l: Layout,
    title: String,
    action: String,
    household: String,
    fields: Vec<Field>,
    note: String,
    error: Option<String>,
}

fn page(
    ctx: &Ctx,
    household: Option<&str>,
    form: &FormFields,
    error: Option<String>,
) -> AdditionPage {
    let lang = ctx.lang();
    let t = Tr::new(lang);
    let names: Vec<&'static str> = match household {
        Some(_) => ADDITION_FIELDS.to_vec(),
        None => ADDITION_FIELDS
            .iter()
            .chain(HOUSEHOLD_FIELDS.iter())
            .copied()
            .filter(|f| *f != "hubungan_keluarga")
            .collect(),
    };
    let fields = names
        .into_iter()
        .map(|name| Field {
            name,
            label: t.get(&format!("field.{name}")).to_string(),
            value: form.one(name),
            required: matches!(name, "nama" | "jenis_kelamin" | "tgl_lahir"),
            choices: match name {
                "jenis_kelamin" => Sex::ALL
                    .iter()
                    .map(|s| (s.as_str().to_string(), s.as_str().to_string()))
                    .collect(),
                "hubungan_keluarga" => Relation::ALL
                    .iter()
                    .filter(|r| **r != Relation::Kepala)
                    .map(|r| (r.as_str().to_string(), r.as_str().to_string()))
                    .collect(),
                _ => Vec::new(),
            },
        })
        .collect();
    let (title, action) = match household {
        Some(k) => (
            t.get("addition.new_member").to_string(),
            format!("/keluarga/{k}/usulan-anggota"),
        ),
        None => (
            t.get("addition.new_household").to_string(),
            "/usulan/keluarga-baru".to_string(),
        ),
    };
    AdditionPage {
        l: Layout::new(ctx, title.clone(), "proposals"),
        title,
        action,
        household: household.unwrap_or_default().to_string(),
        fields,
        note: form.one("note"),
        error,
    }
}

/// The new-member form of a household in view.
pub(super) async fn member_form(
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    ctx.require(Permission::Propose)?;
    ctx.store().household(&id).await?;
    render(&page(&ctx, Some(&id), &FormFields::parse(b"")?, None))
}

/// The new-household form.
pub(super) async fn household_form(ctx: Ctx) -> Result<Html<String>, AppError> {
    ctx.require(Permission::Propose)?;
    render(&page(&ctx, None, &FormFields::parse(b"")?, None))
}

async fn save(ctx: Ctx, household: Option<String>, body: Bytes) -> Result<Response, AppError> {
    ctx.require(Permission::Propose)?;
    let form = FormFields::parse(&body)?;
    let change = if household.is_some() {
        Change::AddMember
    } else {
        Change::AddHousehold
    };
    let outcome = async {
        let given: std::collections::BTreeMap<String, String> = ADDITION_FIELDS
            .iter()
            .chain(HOUSEHOLD_FIELDS.iter())
            .map(|k| (k.to_string(), form.one(k)))
            .collect();
        let new = addition_proposal(
            &ctx,
            change,
            household.as_deref(),
            &given,
            &form.one("note"),
        )
        .await?;
        let actor = ctx.actor();
        Ok::<_, AppError>(
            ctx.store()
                .create_proposal(&ctx.step_ctx(&actor), &new)
                .await?,
        )
    }
    .await;
    match outcome {
        Ok(p) => Ok(see_other(&format!("/usulan/{}?ok=create", p.proposal_id))),
        Err(e @ (AppError::Forbidden | AppError::NotFound | AppError::Internal(_))) => Err(e),
        Err(e) => {
            let status = e.status();
            let msg = e.user_message(ctx.lang());
            Ok((
                status,
                render(&page(&ctx, household.as_deref(), &form, Some(msg)))?,
            )
                .into_response())
        }
    }
}

/// Drafts a new member of the household.
pub(super) async fn create_member(
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    save(ctx, Some(id), body).await
}

/// Drafts a new household.
pub(super) async fn create_household(ctx: Ctx, body: Bytes) -> Result<Response, AppError> {
    save(ctx, None, body).await
}
