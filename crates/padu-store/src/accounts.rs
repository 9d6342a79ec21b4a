//! User accounts, their sessions and API tokens, and the sign-in attempts that throttle guessing.
//!
//! The store keeps what the server decides: password *hashes* (argon2id, made
//! by the server), and the SHA-256 of each session or API token, never the
//! token itself. A disabled account's sessions are deleted at once, and every
//! session lookup also checks the account, so a disabled user is signed out on
//! their very next request.

use chrono::{DateTime, Utc};
use padu_core::{Lang, Role};

use crate::error::StoreError;
use crate::scope::Scope;
use crate::tx::{Tx, on_tx};
use crate::{Store, with_pool};

/// A Padu user account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Its id.
    pub app_user_id: i64,
    /// The sign-in name.
    pub username: String,
    /// The name shown on pages and in the audit trail.
    pub display_name: String,
    /// The one role.
    pub role: Role,
    /// The one region the user works in.
    pub scope: Scope,
    /// Whether the next sign-in must set a new password.
    pub must_change_password: bool,
    /// The language of the user's pages.
    pub lang: Lang,
    /// A phone number colleagues may call (shown to the regions below).
    pub phone: Option<String>,
    /// When the account was disabled, if it is.
    pub disabled_at: Option<DateTime<Utc>>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

impl User {
    /// Whether the account may sign in.
    pub fn is_active(&self) -> bool {
        self.disabled_at.is_none()
    }
}

/// A new account, with its password already hashed.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// The sign-in name (unique).
    pub username: String,
    /// The name shown to others.
    pub display_name: String,
    /// The role.
    pub role: Role,
    /// The region; must fit the role ([`Role::accepts_scope_level`]).
    pub scope: Scope,
    /// The argon2id hash of the first password.
    pub password_hash: String,
    /// Whether the first sign-in must change the password (true for every account an admin creates).
    pub must_change_password: bool,
    /// Page language.
    pub lang: Lang,
    /// Phone number.
    pub phone: Option<String>,
}

/// A signed-in session, found by the hash of its cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Its id.
    pub user_session_id: i64,
    /// The account, checked active at lookup.
    pub user: User,
    /// The token every form and cookie-authenticated API call must echo.
    pub csrf_token: String,
    /// When it ends unless renewed.
    pub expires_at: DateTime<Utc>,
    /// The last request seen.
    pub last_seen_at: DateTime<Utc>,
}

/// An API token's description (the token itself is shown once, at creation, and never stored).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiToken {
    /// Its id.
    pub api_token_id: i64,
    /// The account it acts as.
    pub app_user_id: i64,
    /// What it is for, e.g. `skrip ekspor mingguan`.
    pub name: String,
    /// Last time it was used.
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// Failed sign-ins counted for throttling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailedAttempts {
    /// Failures for this username since the window began.
    pub for_account: u64,
    /// Failures from this address since the window began.
    pub from_address: u64,
    /// The oldest failure still in the window, if any (when the lock lifts).
    pub oldest: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    app_user_id: i64,
    username: String,
    display_name: String,
    role: String,
    scope: String,
    must_change_password: i64,
    lang: String,
    phone: Option<String>,
    disabled_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

const USER_COLUMNS: &str = "u.app_user_id, u.username, u.display_name, u.role, u.scope, \
    u.must_change_password, u.lang, u.phone, u.disabled_at, u.created_at";

impl UserRow {
    fn into_user(self) -> Result<User, StoreError> {
        Ok(User {
            app_user_id: self.app_user_id,
            role: self
                .role
                .parse()
                .map_err(|e: padu_core::RoleError| StoreError::decode("app_user", "role", e.0))?,
            scope: Scope::from_account(&self.scope)
                .map_err(|e| StoreError::decode("app_user", "scope", e.to_string()))?,
            lang: self.lang.parse().unwrap_or_default(),
            must_change_password: self.must_change_password != 0,
            username: self.username,
            display_name: self.display_name,
            phone: self.phone,
            disabled_at: self.disabled_at,
            created_at: self.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    user_session_id: i64,
    csrf_token: String,
    expires_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
    #[sqlx(flatten)]
    user: UserRow,
}

impl Store {
    /// Creates an account inside `scope` (the creating admin's);
    /// [`StoreError::OutOfScope`] if the new account's region lies outside it,
    /// [`StoreError::Conflict`] (`app_user_username_key`) if the username is taken.
    pub async fn create_user(&self, scope: Scope, new: &NewUser) -> Result<User, StoreError> {
        if !scope.covers(new.scope) {
            return Err(StoreError::OutOfScope);
        }
        let now = Utc::now();
        let id: i64 = with_pool!(&self.pool, p => sqlx::query_scalar(
            "insert into app_user (username, display_name, role, scope, password_hash, \
             must_change_password, lang, phone, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) returning app_user_id",
        )
        .bind(&new.username)
        .bind(&new.display_name)
        .bind(new.role.as_str())
        .bind(new.scope.to_account())
        .bind(&new.password_hash)
        .bind(i64::from(new.must_change_password))
        .bind(new.lang.to_string())
        .bind(&new.phone)
        .bind(now)
        .fetch_one(p)
        .await?);
        self.user(scope, id).await
    }

    /// One account by id, active or not, if its region lies within `scope`.
    pub async fn user(&self, scope: Scope, app_user_id: i64) -> Result<User, StoreError> {
        let sql = format!("select {USER_COLUMNS} from app_user u where u.app_user_id = $1");
        let row: Option<UserRow> = with_pool!(&self.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(app_user_id)
            .fetch_optional(p)
            .await?);
        let user = row.ok_or(StoreError::NotFound)?.into_user()?;
        if scope.covers(user.scope) {
            Ok(user)
        } else {
            Err(StoreError::NotFound)
        }
    }

    /// The account and its password hash, for signing in.
    pub async fn user_for_sign_in(&self, username: &str) -> Result<(User, String), StoreError> {
        let sql =
            format!("select {USER_COLUMNS}, u.password_hash from app_user u where u.username = $1");
        #[derive(sqlx::FromRow)]
        struct WithHash {
            #[sqlx(flatten)]
            user: UserRow,
            password_hash: String,
        }
        let row: Option<WithHash> = with_pool!(&self.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(username)
            .fetch_optional(p)
            .await?);
        let row = row.ok_or(StoreError::NotFound)?;
        Ok((row.user.into_user()?, row.password_hash))
    }

    /// The accounts whose region lies within `scope`, by username.
    pub async fn users(&self, scope: Scope) -> Result<Vec<User>, StoreError> {
        let rows: Vec<UserRow> = match scope {
            Scope::National => {
                let sql = format!("select {USER_COLUMNS} from app_user u order by u.username");
                with_pool!(&self.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await?)
            }
            Scope::Region(_) => {
                let (lo, hi) = scope.range();
                let sql = format!(
                    "select {USER_COLUMNS} from app_user u \
                     where u.scope >= $1 and u.scope < $2 order by u.username"
                );
                with_pool!(&self.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(&lo).bind(&hi).fetch_all(p).await?)
            }
        };
        rows.into_iter().map(UserRow::into_user).collect()
    }

    /// Sets a new password hash and whether it must be changed at next sign-in;
    /// ends every session of the account except `keep_session` (the one that made the change).
    /// The account must lie within `scope` (the user's own, or the resetting admin's).
    pub async fn set_password(
        &self,
        scope: Scope,
        app_user_id: i64,
        password_hash: &str,
        must_change: bool,
        keep_session: Option<i64>,
    ) -> Result<(), StoreError> {
        self.user(scope, app_user_id).await?;
        let now = Utc::now();
        let mut tx = Tx::begin(&self.pool).await?;
        let n = on_tx!(&mut tx, c => sqlx::query(
            "update app_user set password_hash = $1, must_change_password = $2, updated_at = $3 \
             where app_user_id = $4",
        )
        .bind(password_hash)
        .bind(i64::from(must_change))
        .bind(now)
        .bind(app_user_id)
        .execute(&mut *c)
        .await?
        .rows_affected());
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        on_tx!(&mut tx, c => sqlx::query(
            "delete from user_session where app_user_id = $1 and user_session_id <> $2",
        )
        .bind(app_user_id)
        .bind(keep_session.unwrap_or(-1))
        .execute(&mut *c)
        .await.map(drop)?);
        tx.commit().await
    }

    /// Disables (`true`) or re-enables an account within `scope`. Disabling ends
    /// its sessions and revokes its API tokens in the same transaction.
    pub async fn set_user_disabled(
        &self,
        scope: Scope,
        app_user_id: i64,
        disabled: bool,
    ) -> Result<(), StoreError> {
        self.user(scope, app_user_id).await?;
        let now = Utc::now();
        let mut tx = Tx::begin(&self.pool).await?;
        let n = on_tx!(&mut tx, c => sqlx::query(
            "update app_user set disabled_at = $1, updated_at = $2 where app_user_id = $3",
        )
        .bind(disabled.then_some(now))
        .bind(now)
        .bind(app_user_id)
        .execute(&mut *c)
        .await?
        .rows_affected());
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        if disabled {
            on_tx!(&mut tx, c => sqlx::query("delete from user_session where app_user_id = $1")
                .bind(app_user_id)
                .execute(&mut *c)
                .await.map(drop)?);
            on_tx!(&mut tx, c => sqlx::query(
                "update api_token set revoked_at = $1, updated_at = $1 \
                 where app_user_id = $2 and revoked_at is null",
            )
            .bind(now)
            .bind(app_user_id)
            .execute(&mut *c)
            .await.map(drop)?);
        }
        tx.commit().await
    }

    /// Changes a user's page language.
    pub async fn set_user_lang(&self, app_user_id: i64, lang: Lang) -> Result<(), StoreError> {
        with_pool!(&self.pool, p => sqlx::query(
            "update app_user set lang = $1, updated_at = $2 where app_user_id = $3",
        )
        .bind(lang.to_string())
        .bind(Utc::now())
        .bind(app_user_id)
        .execute(p)
        .await.map(drop)?);
        Ok(())
    }

    /// Starts a session for an account; returns its id.
    pub async fn create_session(
        &self,
        app_user_id: i64,
        token_hash: &str,
        csrf_token: &str,
        ip: &str,
        user_agent: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let now = Utc::now();
        Ok(with_pool!(&self.pool, p => sqlx::query_scalar(
            "insert into user_session (token_hash, app_user_id, csrf_token, ip, user_agent, \
             expires_at, last_seen_at, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $7, $7) returning user_session_id",
        )
        .bind(token_hash)
        .bind(app_user_id)
        .bind(csrf_token)
        .bind(ip)
        .bind(user_agent)
        .bind(expires_at)
        .bind(now)
        .fetch_one(p)
        .await?))
    }

    /// The live session with this token hash: not expired, its account active.
    pub async fn session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Session, StoreError> {
        let sql = format!(
            "select s.user_session_id, s.csrf_token, s.expires_at, s.last_seen_at, {USER_COLUMNS} \
             from user_session s join app_user u on u.app_user_id = s.app_user_id \
             where s.token_hash = $1 and s.expires_at > $2 and u.disabled_at is null"
        );
        let row: Option<SessionRow> = with_pool!(&self.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(token_hash)
            .bind(now)
            .fetch_optional(p)
            .await?);
        let r = row.ok_or(StoreError::NotFound)?;
        Ok(Session {
            user_session_id: r.user_session_id,
            csrf_token: r.csrf_token,
            expires_at: r.expires_at,
            last_seen_at: r.last_seen_at,
            user: r.user.into_user()?,
        })
    }

    /// Moves a session's expiry forward (sliding expiry) and records the request time.
    pub async fn touch_session(
        &self,
        user_session_id: i64,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        with_pool!(&self.pool, p => sqlx::query(
            "update user_session set last_seen_at = $1, expires_at = $2, updated_at = $1 \
             where user_session_id = $3",
        )
        .bind(now)
        .bind(expires_at)
        .bind(user_session_id)
        .execute(p)
        .await.map(drop)?);
        Ok(())
    }

    /// Ends one session (sign-out).
    pub async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        with_pool!(&self.pool, p => sqlx::query("delete from user_session where token_hash = $1")
            .bind(token_hash)
            .execute(p)
            .await.map(drop)?);
        Ok(())
    }

    /// Issues an API token for an account within `scope` (its hash is stored); returns the token's record.
    pub async fn create_api_token(
        &self,
        scope: Scope,
        app_user_id: i64,
        name: &str,
        token_hash: &str,
        created_by: Option<i64>,
    ) -> Result<ApiToken, StoreError> {
        self.user(scope, app_user_id).await?;
        let now = Utc::now();
        Ok(with_pool!(&self.pool, p => sqlx::query_as(
            "insert into api_token (app_user_id, name, token_hash, created_by, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $5) \
             returning api_token_id, app_user_id, name, last_used_at, revoked_at, created_at",
        )
        .bind(app_user_id)
        .bind(name)
        .bind(token_hash)
        .bind(created_by)
        .bind(now)
        .fetch_one(p)
        .await?))
    }

    /// The account acting through a live API token (not revoked, account active);
    /// records the use, at most once a minute per token.
    ///
    /// Not on every request: a script calling the API hundreds of times a
    /// second would otherwise make every call a write, and SQLite takes one
    /// writer at a time.
    pub async fn user_for_api_token(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<User, StoreError> {
        #[derive(sqlx::FromRow)]
        struct TokenUser {
            #[sqlx(flatten)]
            user: UserRow,
            last_used_at: Option<DateTime<Utc>>,
        }
        let sql = format!(
            "select {USER_COLUMNS}, t.last_used_at from api_token t \
             join app_user u on u.app_user_id = t.app_user_id \
             where t.token_hash = $1 and t.revoked_at is null and u.disabled_at is null"
        );
        let row: Option<TokenUser> = with_pool!(&self.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(token_hash)
            .fetch_optional(p)
            .await?);
        let row = row.ok_or(StoreError::NotFound)?;
        if row
            .last_used_at
            .is_none_or(|t| now - t >= chrono::Duration::minutes(1))
        {
            with_pool!(&self.pool, p => sqlx::query(
                "update api_token set last_used_at = $1 where token_hash = $2",
            )
            .bind(now)
            .bind(token_hash)
            .execute(p)
            .await.map(drop)?);
        }
        row.user.into_user()
    }

    /// The API tokens of an account within `scope`, newest first.
    pub async fn api_tokens(
        &self,
        scope: Scope,
        app_user_id: i64,
    ) -> Result<Vec<ApiToken>, StoreError> {
        self.user(scope, app_user_id).await?;
        Ok(with_pool!(&self.pool, p => sqlx::query_as(
            "select api_token_id, app_user_id, name, last_used_at, revoked_at, created_at \
             from api_token where app_user_id = $1 order by api_token_id desc",
        )
        .bind(app_user_id)
        .fetch_all(p)
        .await?))
    }

    /// Revokes one API token of an account within `scope`.
    pub async fn revoke_api_token(
        &self,
        scope: Scope,
        app_user_id: i64,
        api_token_id: i64,
    ) -> Result<(), StoreError> {
        self.user(scope, app_user_id).await?;
        let now = Utc::now();
        let n = with_pool!(&self.pool, p => sqlx::query(
            "update api_token set revoked_at = $1, updated_at = $1 \
             where api_token_id = $2 and app_user_id = $3 and revoked_at is null",
        )
        .bind(now)
        .bind(api_token_id)
        .bind(app_user_id)
        .execute(p)
        .await?
        .rows_affected());
        if n == 0 {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }

    /// Records one sign-in attempt.
    pub async fn record_sign_in(
        &self,
        username: &str,
        ip: &str,
        succeeded: bool,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        with_pool!(&self.pool, p => sqlx::query(
            "insert into login_attempt (username, ip, succeeded, attempted_at, created_at, updated_at) \
             values ($1, $2, $3, $4, $4, $4)",
        )
        .bind(username)
        .bind(ip)
        .bind(i64::from(succeeded))
        .bind(at)
        .execute(p)
        .await.map(drop)?);
        Ok(())
    }

    /// Failed sign-ins since `since` for a username and from an address. A
    /// success for the username resets its count (failures before it do not count).
    pub async fn failed_sign_ins(
        &self,
        username: &str,
        ip: &str,
        since: DateTime<Utc>,
    ) -> Result<FailedAttempts, StoreError> {
        let (for_account, oldest_account): (i64, Option<DateTime<Utc>>) = with_pool!(&self.pool, p => sqlx::query_as(
            "select count(*), min(attempted_at) from login_attempt \
             where username = $1 and succeeded = 0 and attempted_at > $2 \
             and attempted_at > coalesce((select max(attempted_at) from login_attempt \
                 where username = $1 and succeeded = 1), $2)",
        )
        .bind(username)
        .bind(since)
        .fetch_one(p)
        .await?);
        let (from_address, oldest_address): (i64, Option<DateTime<Utc>>) = with_pool!(&self.pool, p => sqlx::query_as(
            "select count(*), min(attempted_at) from login_attempt \
             where ip = $1 and succeeded = 0 and attempted_at > $2",
        )
        .bind(ip)
        .bind(since)
        .fetch_one(p)
        .await?);
        Ok(FailedAttempts {
            for_account: u64::try_from(for_account).unwrap_or(0),
            from_address: u64::try_from(from_address).unwrap_or(0),
            oldest: match (oldest_account, oldest_address) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            },
        })
    }
}
