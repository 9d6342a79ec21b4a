//! Comments on a household: a district officer's remark, a verifier's
//! question, the village operator's answer. Anyone who may read the household
//! may read them; writing one is checked against the scope inside the same
//! transaction that stores it and appends its audit entry.

use chrono::{DateTime, Utc};

use crate::audit_log::{NewAuditEntry, insert_audit};
use crate::error::StoreError;
use crate::members::Actor;
use crate::scope::Scope;
use crate::tx::{Tx, on_tx};
use crate::{Store, with_pool};

/// A comment as shown, with who wrote it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct HouseholdComment {
    /// Its id (comments are shown in this order).
    pub household_comment_id: i64,
    /// The author's username.
    pub username: String,
    /// The author's display name.
    pub display_name: String,
    /// The author's role code, e.g. `operator_kecamatan`.
    pub role: String,
    /// What they wrote.
    pub body: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// A comment with its author, as every read returns it.
macro_rules! select_comment {
    () => {
        "select c.household_comment_id, u.username, u.display_name, u.role, c.body, c.created_at \
         from household_comment c join app_user u on u.app_user_id = c.app_user_id "
    };
}

/// The comments on household $1, if it lies in the range $2..$3.
const LIST: &str = concat!(
    select_comment!(),
    "join household h on h.id_keluarga = c.id_keluarga \
     where c.id_keluarga = $1 and h.kode_wilayah >= $2 and h.kode_wilayah < $3 \
     order by c.household_comment_id"
);

/// One comment by id ($1).
const ONE: &str = concat!(select_comment!(), "where c.household_comment_id = $1");

const IN_SCOPE: &str = "select kode_wilayah from household \
    where id_keluarga = $1 and kode_wilayah >= $2 and kode_wilayah < $3";

impl Store {
    /// The comments on a household in `scope`, oldest first; none when the
    /// household is not in `scope` (the caller has read the household itself,
    /// which answers "not found").
    pub async fn household_comments(
        &self,
        scope: Scope,
        id_keluarga: &str,
    ) -> Result<Vec<HouseholdComment>, StoreError> {
        let (lo, hi) = scope.range();
        Ok(with_pool!(&self.pool, p => sqlx::query_as(LIST)
            .bind(id_keluarga)
            .bind(&lo)
            .bind(&hi)
            .fetch_all(p)
            .await?))
    }

    /// Adds a comment to a household in `scope` and audits it, in one
    /// transaction, and returns it as stored; [`StoreError::NotFound`] when the
    /// household is not in `scope`.
    ///
    /// The caller has checked the body (not blank, not too long) and that the
    /// actor may comment at all.
    pub async fn add_household_comment(
        &self,
        scope: Scope,
        id_keluarga: &str,
        actor: &Actor,
        body: &str,
    ) -> Result<HouseholdComment, StoreError> {
        let (lo, hi) = scope.range();
        let now = Utc::now();
        let mut tx = Tx::begin(&self.pool).await?;
        let kode: Option<String> = on_tx!(&mut tx, c => sqlx::query_scalar(IN_SCOPE)
            .bind(id_keluarga)
            .bind(&lo)
            .bind(&hi)
            .fetch_optional(&mut *c)
            .await?);
        let Some(kode) = kode else {
            tx.rollback().await?;
            return Err(StoreError::NotFound);
        };
        let id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into household_comment (id_keluarga, app_user_id, body, created_at, updated_at) \
             values ($1, $2, $3, $4, $4) returning household_comment_id",
        )
        .bind(id_keluarga)
        .bind(actor.app_user_id)
        .bind(body)
        .bind(now)
        .fetch_one(&mut *c)
        .await?);
        let entry = NewAuditEntry {
            kode_wilayah: Some(kode),
            entity: Some("household".into()),
            entity_id: Some(id_keluarga.to_string()),
            after_value: Some(serde_json::json!({ "body": body }).to_string()),
            detail: Some(format!("household_comment_id={id}")),
            ..NewAuditEntry::by(actor, now, "household.comment")
        };
        insert_audit(&mut tx, &entry).await?;
        let stored: HouseholdComment = on_tx!(&mut tx, c => sqlx::query_as(ONE)
        .bind(id)
        .fetch_one(&mut *c)
        .await?);
        tx.commit().await?;
        Ok(stored)
    }
}
