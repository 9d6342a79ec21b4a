//! Account management and the audit trail, for admins inside their own region.
//!
//! The actions are the API's own ([`crate::api::admin`]), so a page and a
//! script are checked, scoped and audited the same way.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::{NaiveDate, TimeZone, Utc};
use padu_core::{Permission, RegionCode, Role};
use padu_store::{AuditFilter, User};
use serde::Deserialize;

use super::member::changed_fields;
use super::{render, see_other};
use crate::api::admin::{self, NewUserJson};
use crate::auth::Ctx;
use crate::edit::FieldError;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::view::{Layout, time};

/// One account in the list.
struct UserRow {
    id: i64,
    username: String,
    display_name: String,
    role: String,
    scope: String,
    phone: String,
    active: bool,
    must_change: bool,
}

fn user_row(u: &User, ctx: &Ctx) -> UserRow {
    UserRow {
        id: u.app_user_id,
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        role: u.role.label(ctx.lang()).to_string(),
        scope: u.scope.to_string(),
        phone: u.phone.clone().unwrap_or_default(),
        active: u.is_active(),
        must_change: u.must_change_password,
    }
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    l: Layout,
    users: Vec<UserRow>,
    roles: Vec<(&'static str, String)>,
    form: NewUserForm,
    errors: Vec<FieldError>,
}

impl UsersPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

/// The new-account form, as typed.
#[derive(Debug, Default, Deserialize)]
pub(super) struct NewUserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    password: String,
}

async fn users_page(
    ctx: &Ctx,
    form: NewUserForm,
    errors: Vec<FieldError>,
) -> Result<Html<String>, AppError> {
    ctx.require(Permission::ManageUsers)?;
    let t = Tr::new(ctx.lang());
    let users = ctx.store().users().await?;
    render(&UsersPage {
        l: Layout::new(ctx, t.get("nav.users"), "users"),
        users: users.iter().map(|u| user_row(u, ctx)).collect(),
        roles: Role::ALL
            .iter()
            .map(|r| (r.as_str(), r.label(ctx.lang()).to_string()))
            .collect(),
        form,
        errors,
    })
}

/// The accounts of the admin's region, and a form for a new one.
pub(super) async fn list(ctx: Ctx) -> Result<Html<String>, AppError> {
    users_page(&ctx, NewUserForm::default(), Vec::new()).await
}

/// Creates an account; its first password must be changed at first sign-in.
pub(super) async fn create(ctx: Ctx, Form(f): Form<NewUserForm>) -> Result<Response, AppError> {
    let j = NewUserJson {
        username: f.username.clone(),
        display_name: f.display_name.clone(),
        role: f.role.clone(),
        scope: f.scope.clone(),
        password: f.password.clone(),
        phone: Some(f.phone.clone()),
    };
    match admin::create(&ctx, &j).await {
        Ok(u) => Ok(see_other(&format!("/pengguna/{}", u.app_user_id))),
        Err(AppError::Validation(errors)) => {
            let form = NewUserForm {
                password: String::new(),
                ..f
            };
            let page = users_page(&ctx, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(AppError::Conflict(_)) => {
            let t = Tr::new(ctx.lang());
            let errors = vec![FieldError {
                field: "username".into(),
                message: t.get("users.taken").to_string(),
            }];
            let page = users_page(
                &ctx,
                NewUserForm {
                    password: String::new(),
                    ..f
                },
                errors,
            )
            .await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(e),
    }
}

/// One API token in the account page.
struct TokenRow {
    id: i64,
    name: String,
    created: String,
    last_used: String,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "user.html")]
struct UserPage {
    l: Layout,
    u: UserRow,
    working_hours: String,
    is_self: bool,
    tokens: Vec<TokenRow>,
    /// A token just issued: shown on this page once, never again.
    new_token: Option<String>,
    notice: Option<String>,
    errors: Vec<FieldError>,
}

impl UserPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

async fn user_page(
    ctx: &Ctx,
    id: i64,
    new_token: Option<String>,
    notice: Option<String>,
    errors: Vec<FieldError>,
) -> Result<Html<String>, AppError> {
    ctx.require(Permission::ManageUsers)?;
    let u = ctx.store().user(id).await?;
    let tokens = ctx.store().api_tokens(id).await?;
    let working_hours = ctx.store().working_hours(id).await?.unwrap_or_default();
    render(&UserPage {
        l: Layout::new(ctx, u.username.clone(), "users"),
        working_hours,
        is_self: u.app_user_id == ctx.user().app_user_id,
        u: user_row(&u, ctx),
        tokens: tokens
            .iter()
            .map(|t| TokenRow {
                id: t.api_token_id,
                name: t.name.clone(),
                created: time(t.created_at),
                last_used: t.last_used_at.map(time).unwrap_or_else(|| "-".into()),
                revoked: t.revoked_at.is_some(),
            })
            .collect(),
        new_token,
        notice,
        errors,
    })
}

/// What was just done, for the notice on the account page.
#[derive(Deserialize)]
pub(super) struct Done {
    ok: Option<String>,
}

/// One account: status, password reset, API tokens.
pub(super) async fn show(
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(d): Query<Done>,
) -> Result<Html<String>, AppError> {
    let t = Tr::new(ctx.lang());
    let notice = d.ok.and_then(|k| match k.as_str() {
        "status" => Some(t.get("users.done_status").to_string()),
        "sandi" => Some(t.get("users.done_password").to_string()),
        "cabut" => Some(t.get("users.done_revoked").to_string()),
        "kontak" => Some(t.get("directory.saved").to_string()),
        _ => None,
    });
    user_page(&ctx, id, None, notice, Vec::new()).await
}

/// The forms on an account's page (each sends its own field).
#[derive(Deserialize)]
pub(super) struct AccountForm {
    /// Status form: `1` disables, `0` enables.
    #[serde(default)]
    disabled: String,
    /// Password form: the temporary password.
    #[serde(default)]
    password: String,
    /// Token form: what the token is for.
    #[serde(default)]
    name: String,
}

/// Disables or enables an account.
pub(super) async fn set_status(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<AccountForm>,
) -> Result<Response, AppError> {
    admin::disable(&ctx, id, f.disabled == "1").await?;
    Ok(see_other(&format!("/pengguna/{id}?ok=status")))
}

/// The contact form: phone and working hours, for the operator directory.
#[derive(Debug, Deserialize)]
pub(super) struct ContactForm {
    #[serde(default)]
    phone: String,
    #[serde(default)]
    working_hours: String,
}

/// Sets how an operator can be reached; audited.
pub(super) async fn set_contact(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ContactForm>,
) -> Result<Response, AppError> {
    ctx.require(Permission::ManageUsers)?;
    let (phone, hours) = (f.phone.trim(), f.working_hours.trim());
    if phone.chars().count() > 40 || hours.chars().count() > 120 {
        return Err(AppError::BadRequest(
            crate::i18n::Tr::new(ctx.lang())
                .get("directory.too_long")
                .into(),
        ));
    }
    ctx.store()
        .set_user_contact(id, Some(phone), Some(hours))
        .await?;
    let mut entry = ctx.audit_entry("user.contact");
    entry.entity = Some("app_user".into());
    entry.entity_id = Some(id.to_string());
    entry.after_value =
        Some(serde_json::json!({ "phone": phone, "working_hours": hours }).to_string());
    ctx.store().audit(&entry).await?;
    Ok(see_other(&format!("/pengguna/{id}?ok=kontak")))
}

/// Sets a temporary password.
pub(super) async fn reset_password(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<AccountForm>,
) -> Result<Response, AppError> {
    match admin::reset(&ctx, id, &f.password).await {
        Ok(_) => Ok(see_other(&format!("/pengguna/{id}?ok=sandi"))),
        Err(e) => with_errors(&ctx, id, e).await,
    }
}

/// The account page again with a form's errors next to its fields (422), or the error itself.
async fn with_errors(ctx: &Ctx, id: i64, e: AppError) -> Result<Response, AppError> {
    match e {
        AppError::Validation(errors) => {
            let page = user_page(ctx, id, None, None, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        e => Err(e),
    }
}

/// Issues an API token and shows it once (answered with the page itself, so the token is never in a URL).
pub(super) async fn issue_token(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<AccountForm>,
) -> Result<Response, AppError> {
    match admin::issue_token(&ctx, id, &f.name).await {
        Ok((_, token)) => Ok(user_page(&ctx, id, Some(token), None, Vec::new())
            .await?
            .into_response()),
        Err(e) => with_errors(&ctx, id, e).await,
    }
}

/// Revokes an API token.
pub(super) async fn revoke_token(
    ctx: Ctx,
    Path((id, token_id)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    admin::revoke(&ctx, id, token_id).await?;
    Ok(see_other(&format!("/pengguna/{id}?ok=cabut")))
}

/// One audit entry as listed.
struct AuditRow {
    id: i64,
    at: String,
    username: String,
    ip: String,
    action: String,
    region: String,
    record: String,
    reason: String,
    changes: Vec<String>,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    l: Layout,
    q: AuditQuery,
    users: Vec<(i64, String)>,
    rows: Vec<AuditRow>,
    next: Option<String>,
}

/// Audit filters, as the form sends them (all optional).
#[derive(Debug, Default, Deserialize)]
pub(super) struct AuditQuery {
    #[serde(default)]
    user: String,
    #[serde(default)]
    wilayah: String,
    /// From this day (WIB), `YYYY-MM-DD`.
    #[serde(default)]
    dari: String,
    /// Up to and including this day (WIB).
    #[serde(default)]
    sampai: String,
    #[serde(default)]
    sebelum: String,
}

impl AuditQuery {
    fn query_string(&self, before: i64) -> String {
        serde_urlencoded::to_string([
            ("user", self.user.as_str()),
            ("wilayah", self.wilayah.as_str()),
            ("dari", self.dari.as_str()),
            ("sampai", self.sampai.as_str()),
            ("sebelum", &before.to_string()),
        ])
        .unwrap_or_default()
    }
}

/// Midnight WIB (UTC+7) of a day typed as `YYYY-MM-DD`.
fn wib_midnight(day: &str) -> Option<chrono::DateTime<Utc>> {
    let d = NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d").ok()?;
    let local = d.and_hms_opt(0, 0, 0)?;
    let at = padu_core::Zone::Wib
        .offset()
        .from_local_datetime(&local)
        .single()?;
    Some(at.with_timezone(&Utc))
}

/// Entries per audit page.
const AUDIT_PAGE: u32 = 100;

/// The audit trail of the user's region, filtered by account, region and time.
pub(super) async fn audit(ctx: Ctx, Query(q): Query<AuditQuery>) -> Result<Html<String>, AppError> {
    ctx.require(Permission::ViewAudit)?;
    let t = Tr::new(ctx.lang());
    let full = ctx.can(Permission::ViewFullNik);
    let region = match q.wilayah.trim() {
        "" => None,
        w => Some(RegionCode::parse(w).map_err(|_| AppError::NotFound)?),
    };
    let filter = AuditFilter {
        app_user_id: q.user.trim().parse().ok(),
        entity: None,
        since: wib_midnight(&q.dari),
        until: wib_midnight(&q.sampai).map(|d| d + chrono::Duration::days(1)),
        before_id: q.sebelum.trim().parse().ok(),
    };
    let entries = ctx
        .store()
        .audit_entries_in(region, &filter, AUDIT_PAGE)
        .await?;
    let users = if ctx.can(Permission::ManageUsers) || ctx.can(Permission::ViewAudit) {
        ctx.store()
            .users()
            .await?
            .into_iter()
            .map(|u| (u.app_user_id, u.username))
            .collect()
    } else {
        Vec::new()
    };
    let next = (entries.len() == AUDIT_PAGE as usize)
        .then(|| entries.last().map(|e| q.query_string(e.audit_log_id)))
        .flatten();
    let rows = entries
        .into_iter()
        .map(|e| {
            let x = e.entry;
            AuditRow {
                id: e.audit_log_id,
                at: time(x.occurred_at),
                username: x.username.unwrap_or_default(),
                ip: x.ip.unwrap_or_default(),
                action: x.action,
                region: x.kode_wilayah.unwrap_or_default(),
                record: match (x.entity, x.entity_id) {
                    (Some(k), Some(id)) => format!("{k} {id}"),
                    _ => String::new(),
                },
                reason: x.reason.unwrap_or_default(),
                changes: changed_fields(x.before_value.as_deref(), x.after_value.as_deref(), full),
            }
        })
        .collect();
    render(&AuditPage {
        l: Layout::new(&ctx, t.get("nav.audit"), "audit"),
        q,
        users,
        rows,
        next,
    })
}
