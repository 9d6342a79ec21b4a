//! Account management by whoever holds the database itself: the first admin
//! of a new installation, and scripts (`padu user …`).
//!
//! These run with national reach, because the person at the console already
//! has the database; every change is still written to the audit log, marked
//! as made from the console.

use padu_core::Lang;
use padu_store::{ApiToken, NewAuditEntry, Scope, Store, StoreError, User};

use crate::api::admin::{NewUserJson, validate_new_user};
use crate::auth::secrets;
use crate::edit::FieldError;

/// Why a console command failed.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    /// The account's fields have problems, each named.
    #[error("{}", list(.0))]
    Invalid(Vec<FieldError>),
    /// No account has this username.
    #[error("pengguna \"{0}\" tidak ada")]
    UnknownUser(String),
    /// The database refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn list(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A new account as typed at the console.
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// Sign-in name.
    pub username: String,
    /// Name shown to others.
    pub display_name: String,
    /// Role code, e.g. `operator_desa`.
    pub role: String,
    /// `nasional` or a region code of the level the role needs.
    pub scope: String,
    /// Phone number (letters to villages carry it).
    pub phone: Option<String>,
    /// The first password; `None` generates one.
    pub password: Option<String>,
    /// Whether the first sign-in must set a new password (true unless a demo database).
    pub must_change_password: bool,
    /// Page language.
    pub lang: Lang,
}

/// A password for an account nobody chose one for: 16 URL-safe random characters.
pub fn generated_password() -> String {
    secrets::new_token()[..16].to_string()
}

fn console_entry(action: &str, u: &User) -> NewAuditEntry {
    NewAuditEntry {
        occurred_at: chrono::Utc::now(),
        app_user_id: None,
        username: Some("(konsol)".into()),
        ip: None,
        action: action.to_string(),
        kode_wilayah: match u.scope {
            Scope::National => None,
            Scope::Region(r) => Some(r.compact()),
        },
        entity: Some("app_user".into()),
        entity_id: Some(u.app_user_id.to_string()),
        before_value: None,
        after_value: Some(
            serde_json::json!({"username": u.username, "role": u.role.as_str(), "scope": u.scope.to_string()})
                .to_string(),
        ),
        reason: None,
        detail: Some("console".into()),
    }
}

/// Creates an account; returns it and its first password (generated if none was given).
pub async fn add_user(store: &Store, new: &NewAccount) -> Result<(User, String), ConsoleError> {
    let password = new.password.clone().unwrap_or_else(generated_password);
    let json = NewUserJson {
        username: new.username.clone(),
        display_name: new.display_name.clone(),
        role: new.role.clone(),
        scope: new.scope.clone(),
        password: password.clone(),
        phone: new.phone.clone(),
    };
    let mut user = validate_new_user(&json, new.lang).map_err(ConsoleError::Invalid)?;
    user.must_change_password = new.must_change_password;
    user.lang = new.lang;
    let created = store.create_user(Scope::National, &user).await?;
    store
        .append_audit(&console_entry("user.create", &created))
        .await?;
    Ok((created, password))
}

/// Every account, by username.
pub async fn users(store: &Store) -> Result<Vec<User>, ConsoleError> {
    Ok(store.users(Scope::National).await?)
}

async fn by_name(store: &Store, username: &str) -> Result<User, ConsoleError> {
    match store
        .user_for_sign_in(&username.trim().to_lowercase())
        .await
    {
        Ok((u, _)) => Ok(u),
        Err(StoreError::NotFound) => Err(ConsoleError::UnknownUser(username.to_string())),
        Err(e) => Err(e.into()),
    }
}

/// Disables an account (its sessions end and its tokens are revoked at once) or enables it again.
pub async fn set_disabled(
    store: &Store,
    username: &str,
    disabled: bool,
) -> Result<User, ConsoleError> {
    let u = by_name(store, username).await?;
    store
        .set_user_disabled(Scope::National, u.app_user_id, disabled)
        .await?;
    let action = if disabled {
        "user.disable"
    } else {
        "user.enable"
    };
    store.append_audit(&console_entry(action, &u)).await?;
    Ok(store.user(Scope::National, u.app_user_id).await?)
}

/// Sets a new password that must be changed at the next sign-in; ends the account's sessions.
/// Returns the password (generated if none was given).
pub async fn reset_password(
    store: &Store,
    username: &str,
    password: Option<String>,
    lang: Lang,
) -> Result<String, ConsoleError> {
    let u = by_name(store, username).await?;
    let password = password.unwrap_or_else(generated_password);
    if let Some(problem) = secrets::password_problem(&password, &u.username, lang) {
        return Err(ConsoleError::Invalid(vec![FieldError {
            field: "password".into(),
            message: problem,
        }]));
    }
    let hash = secrets::hash_password(&password).map_err(|e| {
        ConsoleError::Invalid(vec![FieldError {
            field: "password".into(),
            message: e,
        }])
    })?;
    store
        .set_password(Scope::National, u.app_user_id, &hash, true, None)
        .await?;
    store
        .append_audit(&console_entry("user.reset_password", &u))
        .await?;
    Ok(password)
}

/// Issues an API token for an account; the token is returned once and only its hash is stored.
pub async fn create_token(
    store: &Store,
    username: &str,
    name: &str,
) -> Result<(ApiToken, String), ConsoleError> {
    let u = by_name(store, username).await?;
    let token = secrets::new_token();
    let t = store
        .create_api_token(
            Scope::National,
            u.app_user_id,
            name,
            &secrets::token_hash(&token),
            None,
        )
        .await?;
    let mut e = console_entry("token.create", &u);
    e.detail = Some(format!(
        "{{\"token_id\":{},\"via\":\"console\"}}",
        t.api_token_id
    ));
    store.append_audit(&e).await?;
    Ok((t, token))
}

/// Revokes one of an account's API tokens.
pub async fn revoke_token(
    store: &Store,
    username: &str,
    token_id: i64,
) -> Result<(), ConsoleError> {
    let u = by_name(store, username).await?;
    store
        .revoke_api_token(Scope::National, u.app_user_id, token_id)
        .await?;
    let mut e = console_entry("token.revoke", &u);
    e.detail = Some(format!("{{\"token_id\":{token_id},\"via\":\"console\"}}"));
    store.append_audit(&e).await?;
    Ok(())
}

/// An account's API tokens.
pub async fn tokens(store: &Store, username: &str) -> Result<Vec<ApiToken>, ConsoleError> {
    let u = by_name(store, username).await?;
    Ok(store.api_tokens(Scope::National, u.app_user_id).await?)
}
