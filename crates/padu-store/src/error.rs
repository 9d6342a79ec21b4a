//! The one error type of the store, with unique-constraint violations named so callers can map them.

use padu_core::Lang;
use padu_core::lang::Localized;
use thiserror::Error;

/// Why a store operation failed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The record asked for does not exist (or lies outside the scope).
    #[error("data tidak ditemukan")]
    NotFound,
    /// A unique constraint was violated; `constraint` names it (e.g. `person_id_art_key`).
    #[error("data bentrok dengan batasan unik {constraint}")]
    Conflict {
        /// The violated constraint or index.
        constraint: String,
    },
    /// The action would reach outside the caller's region (e.g. creating an account for another regency).
    #[error("di luar wilayah kewenangan")]
    OutOfScope,
    /// The record changed since it was read: an edit named version N, but the record is now at `current_version`.
    #[error(
        "data sudah diubah orang lain (versi sekarang {current_version}); muat ulang lalu ulangi perubahan"
    )]
    Stale {
        /// The version the record has now.
        current_version: i64,
    },
    /// The database URL names no supported backend or cannot be parsed.
    #[error("url basis data tidak valid: {0}")]
    InvalidUrl(String),
    /// Applying the embedded migrations failed.
    #[error("migrasi basis data gagal: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored value could not be turned back into a domain value.
    #[error("nilai tersimpan {table}.{column} tidak dapat dibaca: {reason}")]
    Decode {
        /// The table read.
        table: &'static str,
        /// The column read.
        column: &'static str,
        /// What was wrong with it (never a full NIK).
        reason: String,
    },
    /// Any other database failure.
    #[error("kesalahan basis data: {0}")]
    Database(#[source] sqlx::Error),
    /// The workflow refuses the step (wrong state, role, evidence or period).
    #[error("{0}")]
    Transition(padu_core::TransitionError),
    /// One proposal of a bulk creation failed, so none was created.
    #[error("anggota {id_art}: {source} (tidak ada usulan yang dibuat)")]
    InBulkMember {
        /// The member whose proposal failed.
        id_art: String,
        /// Why.
        source: Box<StoreError>,
    },
    /// One proposal of a bulk action failed, so none of them changed.
    #[error("usulan #{proposal_id}: {source} (tidak ada usulan yang diubah)")]
    InBulk {
        /// The proposal that failed.
        proposal_id: i64,
        /// Why.
        source: Box<StoreError>,
    },
}

impl StoreError {
    pub(crate) fn decode(
        table: &'static str,
        column: &'static str,
        reason: impl Into<String>,
    ) -> Self {
        StoreError::Decode {
            table,
            column,
            reason: reason.into(),
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict {
                constraint: db
                    .constraint()
                    .map(str::to_string)
                    .unwrap_or_else(|| sqlite_constraint_name(db.message())),
            },
            other => StoreError::Database(other),
        }
    }
}

/// SQLite does not report constraint names, only `UNIQUE constraint failed: table.col, ...`;
/// turn that into `table_col_key`, the name the PostgreSQL schema gives the same constraint.
fn sqlite_constraint_name(message: &str) -> String {
    match message.strip_prefix("UNIQUE constraint failed: ") {
        Some(cols) => {
            let mut parts = cols.split(", ").map(|c| c.trim());
            let first = parts.next().unwrap_or_default();
            let (table, col) = first.split_once('.').unwrap_or(("", first));
            let mut name = format!("{table}_{col}");
            for c in parts {
                name.push('_');
                name.push_str(c.rsplit('.').next().unwrap_or(c));
            }
            name.push_str("_key");
            name
        }
        None => message.to_string(),
    }
}

impl Localized for StoreError {
    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Id => self.to_string(),
            Lang::En => match self {
                StoreError::NotFound => "record not found".into(),
                StoreError::Conflict { constraint } => {
                    format!("record conflicts with unique constraint {constraint}")
                }
                StoreError::OutOfScope => "outside your region".into(),
                StoreError::Stale { current_version } => format!(
                    "someone else changed this record (now version {current_version}); reload and redo your change"
                ),
                StoreError::InvalidUrl(u) => format!("invalid database url: {u}"),
                StoreError::Migrate(e) => format!("database migration failed: {e}"),
                StoreError::Decode {
                    table,
                    column,
                    reason,
                } => format!("stored value {table}.{column} cannot be read: {reason}"),
                StoreError::Database(e) => format!("database error: {e}"),
                StoreError::Transition(e) => e.message(Lang::En),
                StoreError::InBulkMember { id_art, source } => format!(
                    "member {id_art}: {} (no proposal was created)",
                    source.message(Lang::En)
                ),
                StoreError::InBulk {
                    proposal_id,
                    source,
                } => format!(
                    "proposal #{proposal_id}: {} (no proposal was changed)",
                    source.message(Lang::En)
                ),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_unique_messages_become_postgres_style_constraint_names() {
        assert_eq!(
            sqlite_constraint_name("UNIQUE constraint failed: person.id_art"),
            "person_id_art_key"
        );
        assert_eq!(
            sqlite_constraint_name(
                "UNIQUE constraint failed: verification_result.verification_run_id, verification_result.seq"
            ),
            "verification_result_verification_run_id_seq_key"
        );
    }

    #[test]
    fn messages_are_indonesian_first_with_english_available() {
        let e = StoreError::NotFound;
        assert_eq!(e.to_string(), "data tidak ditemukan");
        assert_eq!(e.message(Lang::En), "record not found");
    }
}
