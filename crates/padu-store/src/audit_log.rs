//! The audit trail: who did what, when, from where, to which record, with the
//! values before and after and the reason given.
//!
//! The store only ever inserts into `audit_log`; the database refuses updates
//! and deletes with triggers (both migrations), so not even a bug in Padu can
//! rewrite history. Entries carry the compact region code of what they are
//! about, so reading them is scoped like everything else.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};

use crate::error::StoreError;
use crate::scope::Scope;
use crate::tx::{Tx, on_tx};
use crate::{Store, with_pool};

/// An entry to append (and, inside [`AuditEntry`], one read back).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct NewAuditEntry {
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// The account, if one was signed in (a failed sign-in has none).
    pub app_user_id: Option<i64>,
    /// The username (also for failed sign-ins, as typed).
    pub username: Option<String>,
    /// The client address.
    pub ip: Option<String>,
    /// What happened, e.g. `member.update`, `sign_in.failed`, `export.members`.
    pub action: String,
    /// The compact code of the region it concerns (a village, or a user's scope); `None` is national.
    pub kode_wilayah: Option<String>,
    /// The kind of record, e.g. `person`, `app_user`.
    pub entity: Option<String>,
    /// The record's id.
    pub entity_id: Option<String>,
    /// Values before (JSON).
    pub before_value: Option<String>,
    /// Values after (JSON).
    pub after_value: Option<String>,
    /// The reason the user gave.
    pub reason: Option<String>,
    /// Anything else worth keeping (JSON or text), e.g. an export's filter and row count.
    pub detail: Option<String>,
}

impl NewAuditEntry {
    /// An entry of `action` by `actor` at `at`, about nothing in particular
    /// yet: set the record, region and values with struct update syntax.
    pub fn by(actor: &crate::members::Actor, at: DateTime<Utc>, action: &str) -> NewAuditEntry {
        NewAuditEntry {
            occurred_at: at,
            app_user_id: Some(actor.app_user_id),
            username: Some(actor.username.clone()),
            ip: Some(actor.ip.clone()),
            action: action.to_string(),
            kode_wilayah: None,
            entity: None,
            entity_id: None,
            before_value: None,
            after_value: None,
            reason: None,
            detail: None,
        }
    }
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditEntry {
    /// Its id (entries are ordered by it).
    pub audit_log_id: i64,
    /// What was recorded.
    #[sqlx(flatten)]
    pub entry: NewAuditEntry,
}

/// Which entries to list (all parts optional, combined with "and").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only this account's actions.
    pub app_user_id: Option<i64>,
    /// Only entries about this record (`entity`, `entity_id`).
    pub entity: Option<(String, String)>,
    /// Only entries at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Only entries before this time.
    pub until: Option<DateTime<Utc>>,
    /// Only entries older than this id (the next page).
    pub before_id: Option<i64>,
}

const INSERT: &str = "insert into audit_log (occurred_at, app_user_id, username, ip, action, \
    kode_wilayah, entity, entity_id, before_value, after_value, reason, detail, created_at, updated_at) \
    values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $1, $1)";

/// Appends an entry inside an open transaction, so it commits or rolls back with the change it records.
///
/// Every change to a village's records is audited with the village's code, so
/// this is also where the transaction learns which villages' progress counts
/// to refresh when it commits.
pub(crate) async fn insert_audit(tx: &mut Tx, e: &NewAuditEntry) -> Result<(), StoreError> {
    if let Some(code) = &e.kode_wilayah {
        tx.touch(code, e.occurred_at);
    }
    on_tx!(tx, c => sqlx::query(INSERT)
        .bind(e.occurred_at)
        .bind(e.app_user_id)
        .bind(&e.username)
        .bind(&e.ip)
        .bind(&e.action)
        .bind(&e.kode_wilayah)
        .bind(&e.entity)
        .bind(&e.entity_id)
        .bind(&e.before_value)
        .bind(&e.after_value)
        .bind(&e.reason)
        .bind(&e.detail)
        .execute(&mut *c)
        .await.map(drop)?);
    Ok(())
}

const SELECT: &str = "select audit_log_id, occurred_at, app_user_id, username, ip, action, kode_wilayah, \
    entity, entity_id, before_value, after_value, reason, detail from audit_log";

/// Entries within a region's range, or (for the national scope) all of them, newest first.
const LIST: &str = "where ($1 = 1 or (kode_wilayah >= $2 and kode_wilayah < $3)) \
    and (cast($4 as bigint) is null or app_user_id = $4) \
    and (cast($5 as text) is null or (entity = $5 and entity_id = $6)) \
    and (cast($7 as text) is null or occurred_at >= $7) \
    and (cast($8 as text) is null or occurred_at < $8) \
    and (cast($9 as bigint) is null or audit_log_id < $9) \
    order by audit_log_id desc limit $10";

static AUDIT_LIST: LazyLock<String> = LazyLock::new(|| format!("{SELECT} {LIST}"));

impl Store {
    /// Appends one entry on its own (sign-ins, exports: events that change no record).
    pub async fn append_audit(&self, e: &NewAuditEntry) -> Result<(), StoreError> {
        let mut tx = Tx::begin(&self.pool).await?;
        insert_audit(&mut tx, e).await?;
        tx.commit().await
    }

    /// Entries about `scope`, newest first. Entries about no region are seen only nationally.
    pub async fn audit_entries(
        &self,
        scope: Scope,
        filter: &AuditFilter,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let (lo, hi) = scope.range();
        let national = i64::from(scope == Scope::National);
        let (entity, entity_id) = match &filter.entity {
            Some((e, id)) => (Some(e.as_str()), Some(id.as_str())),
            None => (None, None),
        };
        Ok(
            with_pool!(&self.pool, p => sqlx::query_as(AUDIT_LIST.as_str())
            .bind(national)
            .bind(&lo)
            .bind(&hi)
            .bind(filter.app_user_id)
            .bind(entity)
            .bind(entity_id)
            .bind(filter.since)
            .bind(filter.until)
            .bind(filter.before_id)
            .bind(i64::from(limit))
            .fetch_all(p)
            .await?),
        )
    }
}
