//! The operator directory: who to call about a region, with role, phone and
//! working hours. A user sees the operators of their own region and of every
//! region above it (whom they report to), and those inside their region (whom
//! they chase); the regency's admin keeps the phone numbers and hours.

use chrono::Utc;
use padu_core::Role;

use crate::error::StoreError;
use crate::scope::Scope;
use crate::tx::{Tx, on_tx};
use crate::{Store, with_pool};

/// One operator as the directory shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryEntry {
    /// Display name.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// The region they work in.
    pub scope: Scope,
    /// Phone, if given.
    pub phone: Option<String>,
    /// Working hours, e.g. "Senin–Jumat 08.00–16.00 WIB".
    pub working_hours: Option<String>,
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    display_name: String,
    role: String,
    scope: String,
    phone: Option<String>,
    working_hours: Option<String>,
}

/// Active operators (not admins) whose region is one of $1..$4 (the chain above), national,
/// or inside $5..$6, ordered from the top down.
const DIRECTORY: &str = "select display_name, role, scope, phone, working_hours from app_user \
    where disabled_at is null and role <> 'admin' \
    and (scope in ($1, $2, $3, $4, 'nasional') or (scope >= $5 and scope < $6)) \
    order by case when scope = 'nasional' then 0 else length(scope) end, scope, role, display_name \
    limit 2000";

impl Store {
    /// The operators a user working in `scope` may call (see the module).
    pub async fn directory(&self, scope: Scope) -> Result<Vec<DirectoryEntry>, StoreError> {
        let chain: Vec<String> = match scope {
            Scope::National => Vec::new(),
            Scope::Region(r) => r.chain().iter().map(|c| c.compact()).collect(),
        };
        let at = |i: usize| chain.get(i).cloned().unwrap_or_else(|| "-".into());
        let (lo, hi) = scope.range();
        let rows: Vec<EntryRow> = with_pool!(&self.pool, p => sqlx::query_as(DIRECTORY)
            .bind(at(0))
            .bind(at(1))
            .bind(at(2))
            .bind(at(3))
            .bind(&lo)
            .bind(&hi)
            .fetch_all(p)
            .await?);
        rows.into_iter()
            .map(|r| {
                Ok(DirectoryEntry {
                    display_name: r.display_name,
                    role: r.role.parse().map_err(|e: padu_core::RoleError| {
                        StoreError::decode("app_user", "role", e.to_string())
                    })?,
                    scope: Scope::parse(&r.scope)
                        .map_err(|e| StoreError::decode("app_user", "scope", e.to_string()))?,
                    phone: r.phone,
                    working_hours: r.working_hours,
                })
            })
            .collect()
    }

    /// Sets how an account in `scope` can be reached (an admin's job); blank clears a value.
    pub async fn set_user_contact(
        &self,
        scope: Scope,
        app_user_id: i64,
        phone: Option<&str>,
        working_hours: Option<&str>,
    ) -> Result<(), StoreError> {
        self.user(scope, app_user_id).await?;
        let now = Utc::now();
        let clean = |v: Option<&str>| {
            v.map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let mut tx = Tx::begin(&self.pool).await?;
        on_tx!(&mut tx, c => sqlx::query(
            "update app_user set phone = $1, working_hours = $2, updated_at = $3 where app_user_id = $4",
        )
        .bind(clean(phone))
        .bind(clean(working_hours))
        .bind(now)
        .bind(app_user_id)
        .execute(&mut *c)
        .await
        .map(drop)?);
        tx.commit().await
    }

    /// The working hours of an account in `scope`.
    pub async fn working_hours(
        &self,
        scope: Scope,
        app_user_id: i64,
    ) -> Result<Option<String>, StoreError> {
        self.user(scope, app_user_id).await?;
        Ok(with_pool!(&self.pool, p => sqlx::query_scalar(
            "select working_hours from app_user where app_user_id = $1",
        )
        .bind(app_user_id)
        .fetch_one(p)
        .await?))
    }
}
