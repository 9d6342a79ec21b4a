//! Padu storage: the registry (households, members and their history), the
//! civil-registry extract, import runs and verification runs, on SQLite or
//! PostgreSQL through sqlx.
//!
//! # Design
//!
//! * **One crate, two backends.** [`Store`] holds either a SQLite pool (the
//!   default: one embedded file, nothing to install) or a PostgreSQL pool
//!   (several users at once). The backend is chosen from the URL given to
//!   [`Store::connect`]: `postgres://…`/`postgresql://…` is PostgreSQL;
//!   `sqlite://…`, `sqlite:…` or a plain file path is SQLite.
//! * **Runtime-checked queries.** Queries are `sqlx::query`/`query_as` with bind
//!   parameters, never text built from user input. Most SQL is written once in
//!   the dialect both engines share (`$1` placeholders, `update … from`,
//!   `insert … on conflict`, window functions) and run on either pool; only
//!   the bulk inserts differ. SQL assembled at run time is built from the
//!   crate's own declarations only: the column lists of the row types in
//!   `rows.rs` (see `columns.rs`), and for a SQLite multi-row insert the list
//!   of `(?, ?, …)` placeholder groups, whose shape depends on the batch length
//!   alone. Compile-time checked `query!`
//!   macros would need one crate (and one `.sqlx` cache) per database; instead
//!   the contract suite in `tests/it/contract.rs` runs every story against a real
//!   SQLite file and a real PostgreSQL database, which catches dialect drift.
//! * **Two migration folders**, `migrations/sqlite` and `migrations/postgres`,
//!   embedded with `sqlx::migrate!` and applied by [`Store::connect`]. Never edit
//!   an applied migration; add a new one to both folders (`build.rs` makes a
//!   new file trigger a rebuild).
//! * **Core types stay free of sqlx.** Rows are decoded into private wrapper
//!   structs (`rows.rs`) and converted to `padu-core` types there. Each wrapper
//!   declares its columns once (`columns.rs`); staging tables, select lists,
//!   merge statements, bulk binds and content hashes are derived from that.
//!
//! # Storage conventions
//!
//! * SQL is lowercase, tables are singular, primary keys are `<table>_id`, and
//!   every table has `created_at`/`updated_at`.
//! * Identity numbers (NIK, No KK) are stored as the cell text
//!   ([`padu_core::IdField::to_cell`]) plus the error code when invalid, and are
//!   re-parsed on load with the store's `today` (see [`Store::with_today`]), so
//!   an invalid NIK round-trips byte for byte and stays flagged.
//! * Dates are PostgreSQL `date` and ISO-8601 text on SQLite (which has no date
//!   type); timestamps are `timestamptz` and RFC 3339 text. sqlx's chrono codecs
//!   read and write both, so the same Rust code binds `NaiveDate`/`DateTime<Utc>`
//!   on either backend.
//! * Extra (unknown) columns and run summaries are JSON *text* on both backends:
//!   the store never queries inside them, and plain text keeps every query
//!   shared (PostgreSQL `jsonb` would need casts that SQLite rejects).
//! * `kode_wilayah` is the compact 10-digit village code, indexed. Scoped reads
//!   use the index range `kode_wilayah >= $lo and kode_wilayah < $hi` (`$hi` is
//!   the prefix followed by `:`), never `like` on user text. PostgreSQL declares
//!   the column `collate "C"` so the comparison is bytewise as on SQLite.
//!
//! # Scopes
//!
//! Every public read of registry people takes a [`Scope`] and sees only the
//! people whose current village lies inside it; a record outside the scope is
//! [`StoreError::NotFound`], as if it did not exist. [`Store::load_civil`] is
//! the one national read of people: the civil-registry extract is the reference
//! every registry person is checked against, wherever they live now. A scope
//! fails closed: [`Scope::parse`] rejects an empty text, and only the stored
//! form of a run's scope (decoded privately) uses the empty string for national.
//! A unit test (`audit.rs`) parses the crate's sources and fails when a public
//! async function neither takes a `Scope` nor is on its short list of
//! operations that read no people (opening, migrating, imports, run headers)
//! or read them nationally on purpose.
//!
//! # Imports
//!
//! An import ([`Import`], as [`RegistryImport`] or [`CivilImport`]) is one
//! database transaction. Batches are written to a temporary staging table by
//! the one bulk path of the crate (`bulk.rs`; SQLite: multi-row inserts, as
//! many rows per statement as the bind limit allows for the row's column
//! count; PostgreSQL: one `insert … select from unnest($1::text[], …)` per
//! batch), so memory stays bounded by the batch size. `finish` merges with a
//! handful of set-based statements: a content hash computed in Rust over every
//! field (extra columns included) classifies rows as new, changed or
//! unchanged; the previous version of each changed person is copied to
//! `person_history`; households are upserted from their head (or first
//! member). The two kinds differ only in a small description of their staging
//! table, target table and merge statements (`import.rs`). Dropping an import
//! without `finish`, or killing the process, rolls everything back, including
//! its `import_run` row.

mod accounts;
#[cfg(test)]
mod audit;
mod audit_log;
mod bulk;
mod columns;
mod comments;
mod directory;
mod error;
mod findings;
mod import;
mod letters;
mod members;
mod periods;
mod progress;
mod proposals;
mod ratifications;
mod read;
mod rows;
mod scope;
mod search;
mod tx;
mod verification;

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use chrono::NaiveDate;
use sqlx::migrate::{Migrate, Migrator};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

pub use accounts::{ApiToken, FailedAttempts, NewUser, Session, User};
pub use audit_log::{AuditEntry, AuditFilter, NewAuditEntry};
pub use comments::HouseholdComment;
pub use directory::DirectoryEntry;
pub use error::StoreError;
pub use findings::{Finding, FindingCounts, FindingSource};
pub use import::{CivilImport, Import, ImportReport, RegistryImport};
pub use letters::{Letter, LetterItem, NewLetter, RecipientProgress, roman_month};
pub use members::{Actor, Household, MemberCursor, MemberDetail, MemberFilter, MemberSummary};
pub use periods::{DiffLine, FinalisedPeriod, SnapshotRow};
pub use progress::{ProgressCounts, ProgressDay, RegionProgress};
pub use proposals::{
    AttachmentInfo, AttachmentPurpose, MemberStatus, NewAttachment, NewProposal, Proposal,
    ProposalEvent, ProposalFilter, StepContext,
};
pub use ratifications::{NewRatification, RatificationRecord, ScanFile, kind_code};
pub use read::{HistoryEntry, ImportRun, LevelStats, RegionCount, Stats};
pub use scope::Scope;
pub use search::{MAX_QUERY_TOKENS, NameHit, NameTokens, StaleName};
pub use verification::VerificationRun;

static SQLITE_MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");
const MIGRATIONS_TABLE: &str = "_sqlx_migrations";

/// Which database engine a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        })
    }
}

#[derive(Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs the same block on whichever pool the store holds; `$p` is bound to the
/// concrete pool, so the block is compiled once per backend.
macro_rules! with_pool {
    ($pool:expr, $p:ident => $body:expr) => {
        match $pool {
            $crate::Pool::Sqlite($p) => $body,
            $crate::Pool::Postgres($p) => $body,
        }
    };
}
pub(crate) use with_pool;

/// A connection pool to the Padu database, on SQLite or PostgreSQL.
///
/// Cheap to clone: clones share the pool.
#[derive(Clone)]
pub struct Store {
    pub(crate) pool: Pool,
    pub(crate) today: NaiveDate,
}

impl fmt::Debug for Store {
    /// Shows the backend only: URLs may hold passwords.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend())
            .field("today", &self.today)
            .finish()
    }
}

impl Store {
    /// Connects to `url` and applies any pending migrations.
    ///
    /// `postgres://…` or `postgresql://…` selects PostgreSQL; anything else is a
    /// SQLite URL (`sqlite://padu.db`, `sqlite::memory:`) or a plain file path.
    /// A missing SQLite file is created; it runs in WAL mode with
    /// `synchronous=NORMAL`, reads through a memory map and waits up to 30 s
    /// for a busy lock.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        let store = Self::connect_without_migrating(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Connects without touching the schema (for `padu migrate`, which reports what it applies).
    pub async fn connect_without_migrating(url: &str) -> Result<Store, StoreError> {
        let today = chrono::Local::now().date_naive();
        let lower = url.trim_start().to_ascii_lowercase();
        let pool = if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url)
                .map_err(|e| StoreError::InvalidUrl(e.to_string()))?;
            Pool::Postgres(
                PgPoolOptions::new()
                    .max_connections(8)
                    .connect_with(opts)
                    .await?,
            )
        } else if lower.starts_with("mysql:") || lower.starts_with("mariadb:") {
            return Err(StoreError::InvalidUrl(
                "hanya sqlite dan postgres yang didukung".into(),
            ));
        } else {
            let opts = if lower.starts_with("sqlite:") {
                SqliteConnectOptions::from_str(url)
                    .map_err(|e| StoreError::InvalidUrl(e.to_string()))?
            } else {
                SqliteConnectOptions::new().filename(url)
            };
            let opts = opts
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(30))
                .foreign_keys(true)
                // 32 MiB of page cache per connection: the merge of a large import
                // walks the person index, and the default 2 MiB thrashes.
                .pragma("cache_size", "-32768")
                // Reads through a memory map (up to SQLite's 2 GiB build limit)
                // instead of a read call per page: the pages a name search or a
                // household fetches lie all over the file, and 100 people by id
                // took 5.6 ms with reads, 1.4 ms mapped (1M people,
                // docs/benchmarks.md). The mapped pages are the OS's file cache,
                // shared, not the process's own memory.
                .pragma("mmap_size", "2147418112");
            Pool::Sqlite(
                SqlitePoolOptions::new()
                    .max_connections(4)
                    .connect_with(opts)
                    .await?,
            )
        };
        Ok(Store { pool, today })
    }

    /// Sets the date used to re-parse stored NIKs (it fixes the century of the embedded birth year).
    ///
    /// Defaults to the local date at connection time; tests and reproducible
    /// runs pin it.
    pub fn with_today(mut self, today: NaiveDate) -> Store {
        self.today = today;
        self
    }

    /// The date used to re-parse stored NIKs.
    pub fn today(&self) -> NaiveDate {
        self.today
    }

    /// The engine behind this store.
    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies pending migrations and returns the names (`<version>_<description>`) of those it applied.
    ///
    /// Idempotent: a second call returns an empty list. On PostgreSQL sqlx holds
    /// an advisory lock, so several processes may call it at once.
    pub async fn migrate(&self) -> Result<Vec<String>, StoreError> {
        let (migrator, before) = match &self.pool {
            Pool::Sqlite(p) => {
                let mut c = p.acquire().await?;
                (&SQLITE_MIGRATOR, applied_versions(&mut *c).await)
            }
            Pool::Postgres(p) => {
                let mut c = p.acquire().await?;
                (&POSTGRES_MIGRATOR, applied_versions(&mut *c).await)
            }
        };
        with_pool!(&self.pool, p => migrator.run(p).await?);
        let applied: Vec<String> = migrator
            .iter()
            .filter(|m| !m.migration_type.is_down_migration() && !before.contains(&m.version))
            .map(|m| format!("{}_{}", m.version, m.description.replace(' ', "_")))
            .collect();
        if applied.iter().any(|m| m == "6_progress") {
            // The progress counts start from the records already there.
            self.recount_progress().await?;
        }
        Ok(applied)
    }

    /// The names of every migration this build embeds, applied or not.
    pub fn known_migrations(&self) -> Vec<String> {
        let m = match self.backend() {
            Backend::Sqlite => &SQLITE_MIGRATOR,
            Backend::Postgres => &POSTGRES_MIGRATOR,
        };
        m.iter()
            .filter(|m| !m.migration_type.is_down_migration())
            .map(|m| format!("{}_{}", m.version, m.description.replace(' ', "_")))
            .collect()
    }

    /// Whether the database answers a trivial query (health checks).
    pub async fn ping(&self) -> Result<(), StoreError> {
        with_pool!(&self.pool, p => sqlx::query("select 1").execute(p).await.map(drop)?);
        Ok(())
    }

    /// Refreshes the query planners' statistics (`ANALYZE`) after a bulk change.
    ///
    /// Without them both databases guess: measured on 1M people, PostgreSQL
    /// answered a household page in 2.4 s instead of milliseconds after a fresh
    /// import and verification (docs/benchmarks.md). Imports, verification runs
    /// and the server's name index call this when they have written many rows.
    pub async fn refresh_statistics(&self) -> Result<(), StoreError> {
        with_pool!(&self.pool, p => sqlx::query("analyze").execute(p).await.map(drop)?);
        Ok(())
    }

    /// Closes every connection, waiting for them to be returned.
    pub async fn close(&self) {
        with_pool!(&self.pool, p => p.close().await)
    }
}

/// Versions already applied; empty when the migrations table does not exist yet.
async fn applied_versions<C: Migrate>(c: &mut C) -> HashSet<i64> {
    match c.list_applied_migrations(MIGRATIONS_TABLE).await {
        Ok(v) => v.into_iter().map(|m| m.version).collect(),
        Err(_) => HashSet::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bundled SQLite must be built with the query planner stability
    /// guarantee (`.cargo/config.toml`): without it the server's cached
    /// statements are re-planned on every execution, which costs no
    /// correctness and so would otherwise go unnoticed (docs/benchmarks.md,
    /// "Statements prepared once").
    #[tokio::test]
    async fn bundled_sqlite_plans_independently_of_bound_values() {
        let store = Store::connect_without_migrating("sqlite::memory:")
            .await
            .unwrap();
        let Pool::Sqlite(pool) = &store.pool else {
            unreachable!("an in-memory URL opens SQLite")
        };
        let used: i64 = sqlx::query_scalar("select sqlite_compileoption_used('ENABLE_QPSG')")
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(used, 1, "SQLITE_ENABLE_QPSG missing from LIBSQLITE3_FLAGS");
    }
}
