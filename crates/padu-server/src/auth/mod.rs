//! Who is asking, and the only door to the data.
//!
//! [`AppState`] holds the database handle in a private field: nothing outside
//! this module can reach it. A request is authenticated once, by the
//! [`authenticate`] middleware (session cookie or `Authorization: Bearer`
//! token), which also enforces CSRF on every state-changing request made with
//! a cookie. Handlers then take a [`Ctx`], whose only way to the data is
//! [`Ctx::store`]: a [`ScopedStore`] already narrowed to the signed-in user's
//! region. So a handler cannot run an unscoped query, because it has nothing to
//! run it on; a reviewer checks this module and `scoped.rs`, not every handler.

mod scoped;
mod search_index;
pub mod secrets;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use padu_core::{Lang, Permission, Role};
use padu_store::{Actor, NewAuditEntry, Scope, Store, StoreError, User};

pub use scoped::ScopedStore;
pub use search_index::{NameIndex, refresh as refresh_name_index};

use crate::ServerConfig;
use crate::error::AppError;
use crate::recheck::Rechecker;

/// The session cookie.
pub const SESSION_COOKIE: &str = "padu_sesi";
/// The cookie that protects the sign-in form against cross-site submission (double submit).
pub const PRE_SESSION_COOKIE: &str = "padu_pra";
/// The form field that carries the CSRF token.
pub const CSRF_FIELD: &str = "_csrf";
/// The header API clients signed in with a cookie send the CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Everything a request handler may need, shared by all requests.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    /// Private: the store is reached only through [`ScopedStore`] and the sign-in functions below.
    store: Store,
    config: ServerConfig,
    recheck: Rechecker,
    names: NameIndex,
    clock: Clock,
}

/// The server's clock; tests set it.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>);

impl Clock {
    /// The real time.
    pub fn system() -> Clock {
        Clock(Arc::new(Utc::now))
    }

    /// A clock that always tells `f()`.
    pub fn from_fn(f: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) -> Clock {
        Clock(Arc::new(f))
    }

    /// Now.
    pub fn now(&self) -> DateTime<Utc> {
        (self.0)()
    }
}

impl AppState {
    /// The state of a server over `store`; starts loading the re-check index in the background.
    pub fn new(store: Store, config: ServerConfig, clock: Clock) -> AppState {
        let recheck = Rechecker::start(store.clone(), config.recheck_threads);
        AppState {
            inner: Arc::new(Inner {
                store,
                config,
                recheck,
                names: NameIndex::default(),
                clock,
            }),
        }
    }

    /// The server's settings.
    pub fn config(&self) -> &ServerConfig {
        &self.inner.config
    }

    /// The single-record checker.
    pub fn recheck(&self) -> &Rechecker {
        &self.inner.recheck
    }

    /// Starts keeping the name-search index fresh in the background.
    pub fn start_name_index(&self) {
        self.inner.names.start(self.inner.store.clone());
    }

    /// Tells the name-search indexer that a name may have changed.
    pub fn names_changed(&self) {
        self.inner.names.touch();
    }

    /// The time now, by the server's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.inner.clock.now()
    }

    /// Whether the database answers.
    pub async fn healthy(&self) -> bool {
        self.inner.store.ping().await.is_ok()
    }

    /// The stored password hash of an account (to check the current password before a change).
    pub async fn password_hash_of(&self, app_user_id: i64) -> Result<String, AppError> {
        let user = self.inner.store.user(Scope::National, app_user_id).await?;
        let (_, hash) = self.inner.store.user_for_sign_in(&user.username).await?;
        Ok(hash)
    }

    /// Appends an audit entry that belongs to no record (sign-ins, exports).
    pub async fn audit(&self, entry: NewAuditEntry) -> Result<(), AppError> {
        Ok(self.inner.store.append_audit(&entry).await?)
    }

    /// Finalises a period (national: the caller has checked the role and scope).
    pub async fn finalise_period(
        &self,
        actor: &Actor,
        period: padu_core::Period,
        at: DateTime<Utc>,
    ) -> Result<padu_store::FinalisedPeriod, AppError> {
        match self.inner.store.finalise_period(actor, period, at).await {
            Err(StoreError::Conflict { constraint }) => Err(AppError::Conflict(constraint)),
            other => Ok(other?),
        }
    }

    /// Closes the database pool (graceful shutdown).
    pub async fn close(&self) {
        self.inner.store.close().await;
    }
}

/// How a request proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// A browser session: its id and CSRF token.
    Session {
        /// The session row.
        id: i64,
        /// The token forms must echo.
        csrf: String,
    },
    /// An API token.
    Token,
}

/// The signed-in user of a request.
#[derive(Debug, Clone)]
pub struct Principal {
    /// The account.
    pub user: User,
    /// Session or token.
    pub via: Via,
}

/// The client address of a request (the TCP peer).
pub fn client_ip(parts_or_req: &axum::http::Extensions) -> String {
    parts_or_req
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".to_string())
}

fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// Paths a user who must change their password may still use.
fn allowed_before_password_change(path: &str) -> bool {
    matches!(
        path,
        "/sandi" | "/keluar" | "/api/v1/me" | "/api/v1/me/password"
    )
}

/// Authenticates every request and refuses cross-site state changes.
///
/// Puts `Option<Principal>` into the request's extensions for [`Ctx`]. For a
/// request that changes state (any method but GET, HEAD and OPTIONS) made with
/// the session cookie, the CSRF token must come in the `X-CSRF-Token` header,
/// the `_csrf` query parameter or the `_csrf` form field; the sign-in form,
/// made before any session exists, must echo the pre-session cookie instead.
pub async fn authenticate(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: Request,
    next: Next,
) -> Result<Response, AppError> {
    let now = state.now();
    let store = &state.inner.store;
    let principal = if let Some(token) = bearer(req.headers()) {
        match store
            .user_for_api_token(&secrets::token_hash(token), now)
            .await
        {
            Ok(user) => Some(Principal {
                user,
                via: Via::Token,
            }),
            Err(StoreError::NotFound) => return Err(AppError::Unauthenticated),
            Err(e) => return Err(e.into()),
        }
    } else if let Some(token) = cookie(req.headers(), SESSION_COOKIE) {
        match store.session(&secrets::token_hash(token), now).await {
            Ok(s) => {
                // Sliding expiry, written at most once a minute per session.
                if now - s.last_seen_at > Duration::minutes(1) {
                    store
                        .touch_session(s.user_session_id, now, now + state.config().session_idle)
                        .await?;
                }
                Some(Principal {
                    user: s.user,
                    via: Via::Session {
                        id: s.user_session_id,
                        csrf: s.csrf_token,
                    },
                })
            }
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        }
    } else {
        None
    };
    if let Some(p) = &principal {
        tracing::Span::current().record("user", p.user.app_user_id);
    }

    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let req = if unsafe_method {
        let expected = match &principal {
            Some(Principal {
                via: Via::Session { csrf, .. },
                ..
            }) => Some(csrf.clone()),
            Some(Principal {
                via: Via::Token, ..
            }) => None,
            None => cookie(req.headers(), PRE_SESSION_COOKIE).map(str::to_string),
        };
        match (&principal, expected) {
            // Tokens are not sent by browsers on their own: no CSRF risk.
            (
                Some(Principal {
                    via: Via::Token, ..
                }),
                _,
            ) => req,
            (_, Some(expected)) => check_csrf(req, &expected, state.config().body_limit).await?,
            // No session and no pre-session cookie: a sign-in form that did not come
            // from Padu, or a stale page. Only the sign-in page can help.
            (None, None) if req.uri().path() == "/masuk" => return Err(AppError::Csrf),
            (_, None) => return Err(AppError::Unauthenticated),
        }
    } else {
        req
    };

    if let Some(p) = &principal
        && p.user.must_change_password
        && !allowed_before_password_change(req.uri().path())
    {
        return Err(AppError::PasswordChangeRequired);
    }
    let mut req = req;
    req.extensions_mut().insert(principal);
    Ok(next.run(req).await)
}

/// Checks the CSRF token of a state-changing request; returns the request with its body intact.
async fn check_csrf(req: Request, expected: &str, limit: usize) -> Result<Request, AppError> {
    if let Some(h) = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        return if secrets::same_secret(h, expected) {
            Ok(req)
        } else {
            Err(AppError::Csrf)
        };
    }
    if let Some(q) = req.uri().query()
        && let Some(v) = form_value(q.as_bytes(), CSRF_FIELD)
    {
        return if secrets::same_secret(&v, expected) {
            Ok(req)
        } else {
            Err(AppError::Csrf)
        };
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(AppError::Csrf);
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| AppError::PayloadTooLarge)?;
    match form_value(&bytes, CSRF_FIELD) {
        Some(v) if secrets::same_secret(&v, expected) => {
            Ok(Request::from_parts(parts, axum::body::Body::from(bytes)))
        }
        _ => Err(AppError::Csrf),
    }
}

fn form_value(encoded: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(encoded)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// The signed-in user of a request and the data they may reach.
#[derive(Clone)]
pub struct Ctx {
    /// Who.
    pub principal: Principal,
    /// From where.
    pub ip: String,
    store: ScopedStore,
    state: AppState,
}

impl Ctx {
    /// The data, narrowed to the user's region.
    pub fn store(&self) -> &ScopedStore {
        &self.store
    }

    /// The account.
    pub fn user(&self) -> &User {
        &self.principal.user
    }

    /// The user's role.
    pub fn role(&self) -> Role {
        self.principal.user.role
    }

    /// The user's region.
    pub fn scope(&self) -> Scope {
        self.principal.user.scope
    }

    /// The user's language.
    pub fn lang(&self) -> Lang {
        self.principal.user.lang
    }

    /// The CSRF token to put in forms (empty for API tokens, which need none).
    pub fn csrf(&self) -> &str {
        match &self.principal.via {
            Via::Session { csrf, .. } => csrf,
            Via::Token => "",
        }
    }

    /// Whether the role carries `p`.
    pub fn can(&self, p: Permission) -> bool {
        self.role().can(p)
    }

    /// [`AppError::Forbidden`] unless the role carries `p`.
    pub fn require(&self, p: Permission) -> Result<(), AppError> {
        if self.can(p) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The shared state (clock, settings, the checker).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// This user, from this address, as the author of a change.
    pub fn actor(&self) -> Actor {
        Actor {
            app_user_id: self.user().app_user_id,
            username: self.user().username.clone(),
            ip: self.ip.clone(),
        }
    }

    /// Who takes a proposal step, now, under the configured calendar; `actor` is [`Ctx::actor`].
    pub fn step_ctx<'a>(&'a self, actor: &'a Actor) -> padu_store::StepContext<'a> {
        padu_store::StepContext {
            actor,
            workflow: padu_core::Actor {
                role: self.role(),
                region: match self.scope() {
                    padu_store::Scope::National => None,
                    padu_store::Scope::Region(r) => Some(r),
                },
            },
            at: self.state.now(),
            cut_off: self.state.config().cut_off,
            zones: &self.state.config().zones,
        }
    }

    /// An audit entry by this user, with the time and address filled in.
    pub fn audit_entry(&self, action: &str) -> NewAuditEntry {
        NewAuditEntry {
            occurred_at: self.state.now(),
            app_user_id: Some(self.user().app_user_id),
            username: Some(self.user().username.clone()),
            ip: Some(self.ip.clone()),
            action: action.to_string(),
            kode_wilayah: match self.scope() {
                Scope::National => None,
                Scope::Region(r) => Some(r.compact()),
            },
            entity: None,
            entity_id: None,
            before_value: None,
            after_value: None,
            reason: None,
            detail: None,
        }
    }
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Ctx, AppError> {
        let principal = parts
            .extensions
            .get::<Option<Principal>>()
            .cloned()
            .flatten()
            .ok_or(AppError::Unauthenticated)?;
        let store = ScopedStore::new(state.inner.store.clone(), &principal.user);
        Ok(Ctx {
            ip: client_ip(&parts.extensions),
            principal,
            store,
            state: state.clone(),
        })
    }
}

/// The signed-in user, if any, for pages that also serve visitors (the sign-in page).
pub struct MaybeSignedIn(pub Option<Principal>);

impl FromRequestParts<AppState> for MaybeSignedIn {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, AppError> {
        Ok(MaybeSignedIn(
            parts
                .extensions
                .get::<Option<Principal>>()
                .cloned()
                .flatten(),
        ))
    }
}

/// A new session: the cookie value to set and the session's id.
pub struct NewSession {
    /// The secret the cookie carries.
    pub token: String,
    /// The account that signed in.
    pub user: User,
}

/// What went wrong with a sign-in, for the form.
#[derive(Debug)]
pub enum SignInError {
    /// Wrong username or password (never says which).
    Invalid,
    /// Too many failures: wait this many seconds.
    Throttled(u64),
    /// Something else broke.
    Other(AppError),
}

impl From<StoreError> for SignInError {
    fn from(e: StoreError) -> Self {
        SignInError::Other(e.into())
    }
}

/// Signs in with a username and password: throttles guessing per account and
/// per address, audits every attempt, and starts a fresh session (a new
/// secret: any session id the browser held before is never reused).
pub async fn sign_in(
    state: &AppState,
    username: &str,
    password: &str,
    ip: &str,
    user_agent: &str,
) -> Result<NewSession, SignInError> {
    let store = &state.inner.store;
    let cfg = state.config();
    let now = state.now();
    let username = username.trim();
    let window = cfg.throttle_window;
    let failed = store.failed_sign_ins(username, ip, now - window).await?;
    if failed.for_account >= cfg.throttle_per_account
        || failed.from_address >= cfg.throttle_per_address
    {
        let until = failed.oldest.unwrap_or(now) + window;
        let wait = u64::try_from((until - now).num_seconds())
            .unwrap_or(0)
            .max(1);
        audit_sign_in(state, None, username, ip, "sign_in.throttled").await?;
        return Err(SignInError::Throttled(wait));
    }
    let found = match store.user_for_sign_in(username).await {
        Ok(found) => Some(found),
        Err(StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    let ok = match &found {
        Some((user, hash)) => user.is_active() && secrets::verify_password(password, hash),
        None => {
            // Same work as a real check, so timing does not tell which usernames exist.
            secrets::verify_password(password, secrets::decoy_hash());
            false
        }
    };
    store.record_sign_in(username, ip, ok, now).await?;
    let Some((user, _)) = found.filter(|_| ok) else {
        audit_sign_in(state, None, username, ip, "sign_in.failed").await?;
        return Err(SignInError::Invalid);
    };
    let token = secrets::new_token();
    let csrf = secrets::new_token();
    store
        .create_session(
            user.app_user_id,
            &secrets::token_hash(&token),
            &csrf,
            ip,
            user_agent,
            now + cfg.session_idle,
        )
        .await?;
    audit_sign_in(state, Some(&user), username, ip, "sign_in").await?;
    Ok(NewSession { token, user })
}

async fn audit_sign_in(
    state: &AppState,
    user: Option<&User>,
    username: &str,
    ip: &str,
    action: &str,
) -> Result<(), SignInError> {
    let entry = NewAuditEntry {
        occurred_at: state.now(),
        app_user_id: user.map(|u| u.app_user_id),
        // What was typed, cut short: an operator may type a password into the wrong field.
        username: Some(username.chars().take(64).collect()),
        ip: Some(ip.to_string()),
        action: action.to_string(),
        kode_wilayah: user.and_then(|u| match u.scope {
            Scope::National => None,
            Scope::Region(r) => Some(r.compact()),
        }),
        entity: user.map(|_| "app_user".to_string()),
        entity_id: user.map(|u| u.app_user_id.to_string()),
        before_value: None,
        after_value: None,
        reason: None,
        detail: None,
    };
    state.audit(entry).await.map_err(SignInError::Other)
}

/// Ends the session whose cookie the request carries.
pub async fn sign_out(state: &AppState, headers: &HeaderMap) -> Result<(), AppError> {
    if let Some(token) = cookie(headers, SESSION_COOKIE) {
        state
            .inner
            .store
            .delete_session(&secrets::token_hash(token))
            .await?;
    }
    Ok(())
}

/// The `Set-Cookie` value of a session cookie (empty `token` clears it).
pub fn session_cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    if token.is_empty() {
        format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}")
    } else {
        format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{secure}")
    }
}

/// The `Set-Cookie` value of the sign-in form's pre-session cookie.
pub fn pre_session_cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{PRE_SESSION_COOKIE}={token}; Path=/masuk; HttpOnly; SameSite=Strict; Max-Age=3600{secure}"
    )
}

/// The pre-session cookie a sign-in form request carries, if any.
pub fn pre_session_token(headers: &HeaderMap) -> Option<String> {
    cookie(headers, PRE_SESSION_COOKIE).map(str::to_string)
}
