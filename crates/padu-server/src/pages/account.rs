//! Signing in and out, changing one's password, choosing the language.

use askama::Template;
use axum::Form;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Response};
use padu_core::Lang;
use serde::Deserialize;

use super::{redirect_with_cookies, render, see_other};
use crate::auth::{self, AppState, Ctx, MaybeSignedIn, SignInError, Via, secrets};
use crate::error::AppError;
use crate::i18n::{LANG_COOKIE, Tr, request_lang};
use crate::view::Layout;

#[derive(Template)]
#[template(path = "login.html")]
struct SignInPage {
    t: Tr,
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
}

/// Where to go after signing in: a local path only, never another site.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

#[derive(Deserialize)]
pub(super) struct NextQuery {
    next: Option<String>,
}

/// The sign-in form, with a fresh pre-session token (double-submit CSRF protection).
pub(super) async fn sign_in_page(
    State(state): State<AppState>,
    MaybeSignedIn(p): MaybeSignedIn,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Result<Response, AppError> {
    if p.is_some() {
        return Ok(see_other(&safe_next(q.next.as_deref())));
    }
    sign_in_form(&state, &headers, q.next.as_deref(), "", None)
}

fn sign_in_form(
    state: &AppState,
    headers: &HeaderMap,
    next: Option<&str>,
    username: &str,
    error: Option<String>,
) -> Result<Response, AppError> {
    let token = auth::pre_session_token(headers).unwrap_or_else(secrets::new_token);
    let page = SignInPage {
        t: Tr::new(request_lang(headers, false)),
        csrf: token.clone(),
        next: safe_next(next),
        username: username.to_string(),
        error,
    };
    let status = if page.error.is_some() {
        axum::http::StatusCode::UNAUTHORIZED
    } else {
        axum::http::StatusCode::OK
    };
    let html = render(&page)?;
    Ok((
        status,
        [
            (
                header::SET_COOKIE,
                auth::pre_session_cookie(&token, state.config().secure_cookies),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        html,
    )
        .into_response())
}

#[derive(Deserialize)]
pub(super) struct SignInForm {
    username: String,
    password: String,
    next: Option<String>,
}

/// Checks the credentials; on success sets a brand-new session cookie (the
/// session id always changes at sign-in) and the user's language.
pub(super) async fn sign_in(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    Form(f): Form<SignInForm>,
) -> Result<Response, AppError> {
    let lang = request_lang(&headers, false);
    let t = Tr::new(lang);
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .chars()
        .take(200)
        .collect::<String>();
    match auth::sign_in(
        &state,
        &f.username,
        &f.password,
        &peer.ip().to_string(),
        &agent,
    )
    .await
    {
        Ok(s) => {
            // Whatever session the browser held before is ended.
            auth::sign_out(&state, &headers).await?;
            let secure = state.config().secure_cookies;
            let next = if s.user.must_change_password {
                "/sandi".to_string()
            } else {
                safe_next(f.next.as_deref())
            };
            Ok(redirect_with_cookies(
                &next,
                &[
                    auth::session_cookie(&s.token, secure),
                    format!(
                        "{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000",
                        s.user.lang
                    ),
                ],
            ))
        }
        Err(SignInError::Invalid) => sign_in_form(
            &state,
            &headers,
            f.next.as_deref(),
            &f.username,
            Some(t.get("login.invalid").to_string()),
        ),
        Err(SignInError::Throttled(secs)) => {
            let msg = t
                .get("error.too_many_attempts")
                .replace("{minutes}", &secs.div_ceil(60).to_string());
            let mut r = sign_in_form(&state, &headers, f.next.as_deref(), &f.username, Some(msg))?;
            *r.status_mut() = axum::http::StatusCode::TOO_MANY_REQUESTS;
            Ok(r)
        }
        Err(SignInError::Other(e)) => Err(e),
    }
}

/// Ends the session and clears its cookie.
pub(super) async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    auth::sign_out(&state, &headers).await?;
    Ok(redirect_with_cookies(
        "/masuk",
        &[auth::session_cookie("", state.config().secure_cookies)],
    ))
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    l: Layout,
    forced: bool,
    done: bool,
    current_error: Option<String>,
    new_error: Option<String>,
    confirm_error: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct DoneQuery {
    selesai: Option<String>,
}

pub(super) async fn password_page(
    ctx: Ctx,
    Query(q): Query<DoneQuery>,
) -> Result<Html<String>, AppError> {
    let t = Tr::new(ctx.lang());
    render(&PasswordPage {
        l: Layout::new(&ctx, t.get("password.title"), "password"),
        forced: ctx.user().must_change_password,
        done: q.selesai.is_some(),
        current_error: None,
        new_error: None,
        confirm_error: None,
    })
}

#[derive(Deserialize)]
pub(super) struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

/// Changes the signed-in user's password; other sessions of the account end.
pub(super) async fn change_password(
    ctx: Ctx,
    Form(f): Form<PasswordForm>,
) -> Result<Response, AppError> {
    let lang = ctx.lang();
    let t = Tr::new(lang);
    let hash = ctx.state().password_hash_of(ctx.user().app_user_id).await?;
    let mut page = PasswordPage {
        l: Layout::new(&ctx, t.get("password.title"), "password"),
        forced: ctx.user().must_change_password,
        done: false,
        current_error: None,
        new_error: None,
        confirm_error: None,
    };
    if !secrets::verify_password(&f.current, &hash) {
        page.current_error = Some(t.get("password.wrong_current").to_string());
    } else if let Some(p) = secrets::password_problem(&f.new, &ctx.user().username, lang) {
        page.new_error = Some(p);
    } else if f.new == f.current {
        page.new_error = Some(t.get("password.same").to_string());
    } else if f.new != f.confirm {
        page.confirm_error = Some(t.get("password.mismatch").to_string());
    }
    if page.current_error.is_some() || page.new_error.is_some() || page.confirm_error.is_some() {
        let html = render(&page)?;
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, html).into_response());
    }
    let new_hash = secrets::hash_password(&f.new).map_err(AppError::Internal)?;
    let keep = match &ctx.principal.via {
        Via::Session { id, .. } => Some(*id),
        Via::Token => None,
    };
    ctx.store().change_own_password(&new_hash, keep).await?;
    let mut entry = ctx.audit_entry("password.change");
    entry.entity = Some("app_user".into());
    entry.entity_id = Some(ctx.user().app_user_id.to_string());
    ctx.store().audit(&entry).await?;
    Ok(see_other("/sandi?selesai=1"))
}

#[derive(Deserialize)]
pub(super) struct LangForm {
    lang: String,
}

/// Switches the page language for this user (remembered in the account and a cookie).
pub(super) async fn set_lang(
    ctx: Ctx,
    headers: HeaderMap,
    Form(f): Form<LangForm>,
) -> Result<Response, AppError> {
    let lang: Lang = f
        .lang
        .parse()
        .map_err(|_| AppError::BadRequest("lang".into()))?;
    ctx.store().set_own_lang(lang).await?;
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| {
            r.find("://")
                .and_then(|i| r[i + 3..].find('/').map(|j| r[i + 3 + j..].to_string()))
        })
        .unwrap_or_else(|| "/".to_string());
    Ok(redirect_with_cookies(
        &safe_next(Some(&back)),
        &[format!(
            "{LANG_COOKIE}={lang}; Path=/; SameSite=Lax; Max-Age=31536000"
        )],
    ))
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn after_sign_in_only_local_paths_are_followed() {
        assert_eq!(safe_next(Some("/anggota?q=x")), "/anggota?q=x");
        assert_eq!(safe_next(Some("https://jahat.example/")), "/");
        assert_eq!(safe_next(Some("//jahat.example/")), "/");
        assert_eq!(safe_next(Some("/\\jahat.example")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
