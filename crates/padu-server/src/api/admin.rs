//! Accounts and API tokens, managed by an admin inside their own region; and one's own password.

use axum::Json;
use axum::extract::Path;
use chrono::{DateTime, Utc};
use padu_core::{Lang, Permission, Role};
use padu_store::{NewUser, Scope, User};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{AppState, Ctx, Via, secrets};
use crate::edit::FieldError;
use crate::error::{AppError, ErrorBody};
use crate::i18n::Tr;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, create_user))
        .routes(routes!(set_disabled))
        .routes(routes!(reset_password))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
        .routes(routes!(change_own_password))
}

// The bodies of the account requests.

#[derive(Deserialize, ToSchema)]
struct Disabled {
    /// `true` disables the account (its sessions and tokens end at once); `false` enables it again.
    disabled: bool,
}

#[derive(Deserialize, ToSchema)]
struct NewPassword {
    /// The temporary password; the user must change it at next sign-in.
    password: String,
}

#[derive(Deserialize, ToSchema)]
struct NewToken {
    /// What the token is for.
    name: String,
}

#[derive(Deserialize, ToSchema)]
struct PasswordChange {
    current: String,
    new: String,
}

/// An account, as an admin sees it.
#[derive(Serialize, ToSchema)]
pub(crate) struct UserJson {
    id: i64,
    username: String,
    display_name: String,
    role: String,
    scope: String,
    phone: Option<String>,
    lang: String,
    must_change_password: bool,
    disabled_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

pub(crate) fn user_json(u: &User) -> UserJson {
    UserJson {
        id: u.app_user_id,
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        role: u.role.as_str().to_string(),
        scope: u.scope.to_string(),
        phone: u.phone.clone(),
        lang: u.lang.to_string(),
        must_change_password: u.must_change_password,
        disabled_at: u.disabled_at,
        created_at: u.created_at,
    }
}

/// The accounts of the admin's region.
#[utoipa::path(get, path = "/api/v1/users", tag = "pengguna",
    responses((status = 200, body = Vec<UserJson>), (status = 403, body = ErrorBody)))]
async fn list_users(ctx: Ctx) -> Result<Json<Vec<UserJson>>, AppError> {
    ctx.require(Permission::ManageUsers)?;
    Ok(Json(
        ctx.store().users().await?.iter().map(user_json).collect(),
    ))
}

/// A new account. Its first password must be changed at first sign-in.
#[derive(Deserialize, ToSchema)]
pub(crate) struct NewUserJson {
    pub(crate) username: String,
    pub(crate) display_name: String,
    /// `operator_desa`, `operator_kecamatan`, `operator_dinsos`, `verifikator_dinsos`, `kepala_dinsos`, `admin_provinsi`, `pusdatin` or `admin`.
    pub(crate) role: String,
    /// `nasional` or a region code of the level the role needs, inside the admin's region.
    pub(crate) scope: String,
    /// The first password (at least 10 characters).
    pub(crate) password: String,
    #[serde(default)]
    pub(crate) phone: Option<String>,
}

/// Checks a new account's fields; returns it ready to store, or each problem.
pub(crate) fn validate_new_user(j: &NewUserJson, lang: Lang) -> Result<NewUser, Vec<FieldError>> {
    let t = Tr::new(lang);
    let mut errors = Vec::new();
    let mut err = |field: &str, message: String| {
        errors.push(FieldError {
            field: field.into(),
            message,
        })
    };
    let username = j.username.trim().to_lowercase();
    if username.len() < 3
        || username.len() > 40
        || !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        err("username", t.get("users.bad_username").to_string());
    }
    if j.display_name.trim().is_empty() {
        err("display_name", t.get("users.name_required").to_string());
    }
    let role: Option<Role> = match j.role.parse::<Role>() {
        Ok(r) => Some(r),
        Err(e) => {
            err("role", padu_core::lang::Localized::message(&e, lang));
            None
        }
    };
    let scope = match Scope::parse(&j.scope) {
        Ok(s) => Some(s),
        Err(e) => {
            err("scope", padu_core::lang::Localized::message(&e, lang));
            None
        }
    };
    if let (Some(role), Some(scope)) = (role, scope)
        && !role.accepts_scope_level(scope.level())
    {
        err("scope", t.get("users.scope_level").to_string());
    }
    if let Some(p) = secrets::password_problem(&j.password, &username, lang) {
        err("password", p);
    }
    let hash = match secrets::hash_password(&j.password) {
        Ok(h) => Some(h),
        Err(e) => {
            err("password", e);
            None
        }
    };
    match (role, scope, hash) {
        (Some(role), Some(scope), Some(password_hash)) if errors.is_empty() => Ok(NewUser {
            username,
            display_name: j.display_name.trim().to_string(),
            role,
            scope,
            password_hash,
            must_change_password: true,
            lang: Lang::Id,
            phone: j
                .phone
                .as_ref()
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty()),
        }),
        _ => Err(errors),
    }
}

/// Creates an account inside the admin's region (audited).
#[utoipa::path(post, path = "/api/v1/users", tag = "pengguna", request_body = NewUserJson,
    responses((status = 200, body = UserJson), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_user(ctx: Ctx, Json(j): Json<NewUserJson>) -> Result<Json<UserJson>, AppError> {
    Ok(Json(user_json(&create(&ctx, &j).await?)))
}

/// Creates an account inside the admin's region (checked, audited): the API's and the page's action.
pub(crate) async fn create(ctx: &Ctx, j: &NewUserJson) -> Result<User, AppError> {
    ctx.require(Permission::ManageUsers)?;
    let new = validate_new_user(j, ctx.lang()).map_err(AppError::Validation)?;
    let u = ctx.store().create_user(&new).await?;
    audit_user(ctx, "user.create", &u, None).await?;
    Ok(u)
}

pub(crate) async fn audit_user(
    ctx: &Ctx,
    action: &str,
    u: &User,
    detail: Option<String>,
) -> Result<(), AppError> {
    let mut e = ctx.audit_entry(action);
    e.entity = Some("app_user".into());
    e.entity_id = Some(u.app_user_id.to_string());
    e.kode_wilayah = match u.scope {
        Scope::National => None,
        Scope::Region(r) => Some(r.compact()),
    };
    e.after_value = Some(
        serde_json::json!({"username": u.username, "role": u.role.as_str(), "scope": u.scope.to_string()})
            .to_string(),
    );
    e.detail = detail;
    ctx.store().audit(&e).await?;
    Ok(())
}

/// Disables or re-enables an account of the admin's region.
#[utoipa::path(put, path = "/api/v1/users/{id}/disabled", tag = "pengguna",
    params(("id" = i64, Path, description = "Account id")), request_body = Disabled,
    responses((status = 200, body = UserJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn set_disabled(
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(d): Json<Disabled>,
) -> Result<Json<UserJson>, AppError> {
    Ok(Json(user_json(&disable(&ctx, id, d.disabled).await?)))
}

/// Disables (sessions and tokens end at once) or enables an account of the admin's region; audited.
pub(crate) async fn disable(ctx: &Ctx, id: i64, disabled: bool) -> Result<User, AppError> {
    ctx.require(Permission::ManageUsers)?;
    if disabled && id == ctx.user().app_user_id {
        return Err(AppError::BadRequest(
            Tr::new(ctx.lang()).get("users.not_self").to_string(),
        ));
    }
    ctx.store().set_user_disabled(id, disabled).await?;
    let u = ctx.store().user(id).await?;
    let action = if disabled {
        "user.disable"
    } else {
        "user.enable"
    };
    audit_user(ctx, action, &u, None).await?;
    Ok(u)
}

/// Sets a temporary password for an account of the admin's region; its sessions end.
#[utoipa::path(post, path = "/api/v1/users/{id}/password", tag = "pengguna",
    params(("id" = i64, Path, description = "Account id")), request_body = NewPassword,
    responses((status = 200, body = UserJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn reset_password(
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(p): Json<NewPassword>,
) -> Result<Json<UserJson>, AppError> {
    Ok(Json(user_json(&reset(&ctx, id, &p.password).await?)))
}

/// Sets a temporary password (to be changed at next sign-in; sessions end); audited.
pub(crate) async fn reset(ctx: &Ctx, id: i64, password: &str) -> Result<User, AppError> {
    ctx.require(Permission::ManageUsers)?;
    let u = ctx.store().user(id).await?;
    if let Some(problem) = secrets::password_problem(password, &u.username, ctx.lang()) {
        return Err(AppError::Validation(vec![FieldError {
            field: "password".into(),
            message: problem,
        }]));
    }
    let hash = secrets::hash_password(password).map_err(AppError::Internal)?;
    ctx.store().reset_password(id, &hash).await?;
    audit_user(ctx, "user.reset_password", &u, None).await?;
    Ok(ctx.store().user(id).await?)
}

/// An API token's description.
#[derive(Serialize, ToSchema)]
struct TokenJson {
    id: i64,
    name: String,
    last_used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    /// The token itself: shown once, when it is created; never again.
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<String>,
}

/// The API tokens of an account of the admin's region.
#[utoipa::path(get, path = "/api/v1/users/{id}/tokens", tag = "pengguna",
    params(("id" = i64, Path, description = "Account id")),
    responses((status = 200, body = Vec<TokenJson>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_tokens(ctx: Ctx, Path(id): Path<i64>) -> Result<Json<Vec<TokenJson>>, AppError> {
    ctx.require(Permission::ManageUsers)?;
    Ok(Json(
        ctx.store()
            .api_tokens(id)
            .await?
            .into_iter()
            .map(|t| TokenJson {
                id: t.api_token_id,
                name: t.name,
                last_used_at: t.last_used_at,
                revoked_at: t.revoked_at,
                created_at: t.created_at,
                token: None,
            })
            .collect(),
    ))
}

/// Issues an API token acting as an account of the admin's region; the token is in the answer, once.
#[utoipa::path(post, path = "/api/v1/users/{id}/tokens", tag = "pengguna",
    params(("id" = i64, Path, description = "Account id")), request_body = NewToken,
    responses((status = 200, body = TokenJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn create_token(
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(n): Json<NewToken>,
) -> Result<Json<TokenJson>, AppError> {
    let (t, token) = issue_token(&ctx, id, &n.name).await?;
    Ok(Json(TokenJson {
        id: t.api_token_id,
        name: t.name,
        last_used_at: t.last_used_at,
        revoked_at: t.revoked_at,
        created_at: t.created_at,
        token: Some(token),
    }))
}

/// Issues an API token for an account of the admin's region; returns it with the token text (shown once). Audited.
pub(crate) async fn issue_token(
    ctx: &Ctx,
    id: i64,
    name: &str,
) -> Result<(padu_store::ApiToken, String), AppError> {
    ctx.require(Permission::ManageUsers)?;
    let token = format!("padu_{}", secrets::new_token());
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::Validation(vec![FieldError {
            field: "name".into(),
            message: Tr::new(ctx.lang()).get("users.token_name").to_string(),
        }]));
    }
    let t = ctx
        .store()
        .create_api_token(id, name, &secrets::token_hash(&token))
        .await?;
    let u = ctx.store().user(id).await?;
    audit_user(
        ctx,
        "token.create",
        &u,
        Some(format!("{{\"token_id\":{}}}", t.api_token_id)),
    )
    .await?;
    Ok((t, token))
}

/// Revokes an API token of an account of the admin's region; audited.
pub(crate) async fn revoke(ctx: &Ctx, id: i64, token_id: i64) -> Result<(), AppError> {
    ctx.require(Permission::ManageUsers)?;
    ctx.store().revoke_api_token(id, token_id).await?;
    let u = ctx.store().user(id).await?;
    audit_user(
        ctx,
        "token.revoke",
        &u,
        Some(format!("{{\"token_id\":{token_id}}}")),
    )
    .await
}

/// Revokes an API token at once.
#[utoipa::path(delete, path = "/api/v1/users/{id}/tokens/{token_id}", tag = "pengguna",
    params(("id" = i64, Path, description = "Account id"), ("token_id" = i64, Path, description = "Token id")),
    responses((status = 204, description = "Revoked"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn revoke_token(
    ctx: Ctx,
    Path((id, token_id)): Path<(i64, i64)>,
) -> Result<axum::http::StatusCode, AppError> {
    revoke(&ctx, id, token_id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// Changes the caller's own password; the caller's other sessions end.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "akun", request_body = PasswordChange,
    responses((status = 204, description = "Changed"), (status = 422, body = ErrorBody)))]
async fn change_own_password(
    ctx: Ctx,
    Json(p): Json<PasswordChange>,
) -> Result<axum::http::StatusCode, AppError> {
    let lang = ctx.lang();
    let t = Tr::new(lang);
    let hash = ctx.state().password_hash_of(ctx.user().app_user_id).await?;
    let field = |f: &str, m: String| {
        AppError::Validation(vec![FieldError {
            field: f.into(),
            message: m,
        }])
    };
    if !secrets::verify_password(&p.current, &hash) {
        return Err(field(
            "current",
            t.get("password.wrong_current").to_string(),
        ));
    }
    if let Some(problem) = secrets::password_problem(&p.new, &ctx.user().username, lang) {
        return Err(field("new", problem));
    }
    if p.new == p.current {
        return Err(field("new", t.get("password.same").to_string()));
    }
    let new_hash = secrets::hash_password(&p.new).map_err(AppError::Internal)?;
    let keep = match &ctx.principal.via {
        Via::Session { id, .. } => Some(*id),
        Via::Token => None,
    };
    ctx.store().change_own_password(&new_hash, keep).await?;
    let mut e = ctx.audit_entry("password.change");
    e.entity = Some("app_user".into());
    e.entity_id = Some(ctx.user().app_user_id.to_string());
    ctx.store().audit(&e).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
