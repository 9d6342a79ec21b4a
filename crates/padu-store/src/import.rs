//! Imports: one transaction each, rows streamed into a staging table, merged set-wise on `finish`.
//!
//! Both kinds of import (registry and civil registry) run the same steps; what
//! differs is described once per kind by a [`Kind`]: the staging table, the
//! table merged into and its key, and the merge statements, which are built
//! from the row declarations in `rows.rs`.

use std::marker::PhantomData;
use std::sync::LazyLock;
use std::time::Instant;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use padu_core::{CivilPerson, RegistryPerson};
use sqlx::AssertSqlSafe;

use crate::bulk::{BulkTable, TableSql};
use crate::columns::{assignments, list};
use crate::error::StoreError;
use crate::rows::{CivilRow, PersonRow, StagedPerson};
use crate::tx::{Conn, Tx, on_tx};
use crate::{Backend, Store};

/// Advisory-lock key that serialises imports on PostgreSQL ("padu" in ASCII).
const IMPORT_LOCK_KEY: i64 = 0x7061_6475;

/// What an import changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportReport {
    /// Records whose key was not in the store.
    pub new: u64,
    /// Records that existed with different content (their previous version went to history).
    pub changed: u64,
    /// Records that existed with identical content.
    pub unchanged: u64,
    /// The `import_run` row of this import.
    pub import_id: i64,
}

impl ImportReport {
    /// Every record of the import.
    pub fn total(&self) -> u64 {
        self.new + self.changed + self.unchanged
    }
}

/// A registry (DTKS) import in progress; see [`Import`].
pub type RegistryImport<'a> = Import<'a, RegistryPerson>;

/// A civil-registry (Dukcapil) import in progress, upserting residents by NIK; see [`Import`].
pub type CivilImport<'a> = Import<'a, CivilPerson>;

/// An import of records of type `T` in progress: one open transaction.
///
/// Opened by [`Store::begin_registry_import`] or [`Store::begin_civil_import`].
/// Push batches with [`push`](Self::push), then [`finish`](Self::finish) to
/// merge and commit. Dropping it (or [`abort`](Self::abort)) rolls everything
/// back, including its `import_run` row.
pub struct Import<'a, T> {
    kind: Kind<T>,
    tx: Option<Tx>,
    import_id: i64,
    /// Records pushed so far; the next one is number `seq + 1`.
    seq: i64,
    _store: PhantomData<&'a Store>,
}

impl<T> std::fmt::Debug for Import<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Import")
            .field("kind", &self.kind.name)
            .field("import_id", &self.import_id)
            .field("rows", &self.seq)
            .finish()
    }
}

/// What one kind of import stages and how it merges; the rest of an import is shared.
///
/// Held by value (it is a few pointers), so `Import<'a, T>` asks nothing of `T`.
struct Kind<T> {
    /// `import_run.kind`.
    name: &'static str,
    /// The staging table.
    stage: fn() -> &'static TableSql,
    /// Converts a batch and stages it.
    push: PushFn<T>,
    /// The table merged into, its id column and the key that matches a staged row to a stored one.
    target: &'static str,
    target_id: &'static str,
    key: &'static str,
    /// The merge statements, in order, each with a name for the logs; `$1` is
    /// the time of the merge and `$2` the import's id.
    merge: fn() -> &'static [(&'static str, String)],
    /// The log line of a finished import.
    finished: &'static str,
}

impl<T> Clone for Kind<T> {
    fn clone(&self) -> Self {
        *self
    }
}

// Not derived: the derive would require `T: Copy`.
impl<T> Copy for Kind<T> {}

/// Stages a batch of records whose first one is number `first` of the import.
type PushFn<T> =
    for<'t> fn(&'t mut Tx, first: i64, &'t [T]) -> BoxFuture<'t, Result<(), StoreError>>;

static STAGE_PERSON: BulkTable<StagedPerson> = BulkTable::new("stage_person");
static STAGE_CIVIL: BulkTable<CivilRow> = BulkTable::new("stage_civil");

static REGISTRY: Kind<RegistryPerson> = Kind {
    name: "registry",
    stage: || STAGE_PERSON.sql(),
    push: |tx, first, batch| {
        let rows = batch
            .iter()
            .zip(first..)
            .map(|(p, seq)| StagedPerson {
                seq,
                person: PersonRow::from_person(p),
            })
            .collect();
        Box::pin(STAGE_PERSON.insert(tx, rows))
    },
    target: "person",
    target_id: "person_id",
    key: "id_art",
    merge: || &REGISTRY_MERGE,
    finished: "impor registri selesai",
};

static CIVIL: Kind<CivilPerson> = Kind {
    name: "civil",
    stage: || STAGE_CIVIL.sql(),
    push: |tx, _, batch| {
        let rows = batch.iter().map(CivilRow::from_person).collect();
        Box::pin(STAGE_CIVIL.insert(tx, rows))
    },
    target: "civil_person",
    target_id: "civil_person_id",
    key: "nik",
    merge: || &CIVIL_MERGE,
    finished: "impor dukcapil selesai",
};

/// The registry merge: the previous version of every changed person goes to
/// history, changed people are updated and new ones inserted, then each
/// household of the import is upserted from its head (or else its first
/// member in file order).
static REGISTRY_MERGE: LazyLock<Vec<(&'static str, String)>> = LazyLock::new(|| {
    let all = list::<PersonRow>("");
    let history = format!(
        "insert into person_history (person_id, version, {all}, valid_from, valid_to, import_run_id, \
         changed_by_app_user_id, change_reason, replaced_by_import_run_id, created_at, updated_at) \
         select p.person_id, p.version, {}, p.valid_from, $1, p.import_run_id, \
         p.changed_by_app_user_id, p.change_reason, $2, $1, $1 \
         from person p join stage_person s on s.id_art = p.id_art where p.content_hash <> s.content_hash",
        list::<PersonRow>("p")
    );
    let update = format!(
        "update person set {}, version = person.version + 1, valid_from = $1, import_run_id = $2, \
         changed_by_app_user_id = null, change_reason = null, updated_at = $1 from stage_person s \
         where s.id_art = person.id_art and s.content_hash <> person.content_hash",
        assignments::<PersonRow>("id_art", "s")
    );
    // New people are the rows whose id_art the unique key does not know yet.
    // Not an anti-join: on PostgreSQL, statistics that say `person` is empty (an
    // ANALYZE after the first civil import) made the planner rescan the rows this
    // very statement inserts, once per staged row; measured 1M people: over 10
    // minutes instead of seconds (docs/benchmarks.md).
    let insert = format!(
        "insert into person ({all}, version, valid_from, import_run_id, created_at, updated_at) \
         select {}, 1, $1, $2, $1, $1 from stage_person s where true \
         on conflict (id_art) do nothing",
        list::<PersonRow>("s")
    );
    vec![
        ("history", history),
        ("update", update),
        ("insert", insert),
        ("household", HOUSEHOLD_UPSERT.to_string()),
    ]
});

/// One row per household of the import: its head, or else its first member in file order.
const HOUSEHOLD_UPSERT: &str = "insert into household (id_keluarga, no_kk, kode_wilayah, alamat, rt, rw, \
    import_run_id, created_at, updated_at) \
    select m.id_keluarga, m.no_kk, m.kode_wilayah, m.alamat, m.rt, m.rw, $2, $1, $1 \
    from (select s.id_keluarga, s.no_kk, s.kode_wilayah, s.alamat, s.rt, s.rw, \
          row_number() over (partition by s.id_keluarga order by \
            case when s.hubungan_keluarga = 'KEPALA KELUARGA' then 0 else 1 end, s.seq) as rn \
          from stage_person s where s.id_keluarga is not null) m \
    where m.rn = 1 \
    on conflict (id_keluarga) do update set no_kk = excluded.no_kk, kode_wilayah = excluded.kode_wilayah, \
    alamat = excluded.alamat, rt = excluded.rt, rw = excluded.rw, import_run_id = excluded.import_run_id, \
    updated_at = excluded.updated_at \
    where household.no_kk is distinct from excluded.no_kk \
    or household.kode_wilayah is distinct from excluded.kode_wilayah \
    or household.alamat is distinct from excluded.alamat \
    or household.rt is distinct from excluded.rt or household.rw is distinct from excluded.rw";

/// The civil merge: one upsert by NIK that leaves unchanged residents alone.
///
/// `where true` keeps SQLite from reading `on conflict` as a join constraint of the select.
static CIVIL_MERGE: LazyLock<Vec<(&'static str, String)>> = LazyLock::new(|| {
    let upsert = format!(
        "insert into civil_person ({}, import_run_id, created_at, updated_at) \
         select {}, $2, $1, $1 from stage_civil s where true \
         on conflict (nik) do update set {}, import_run_id = excluded.import_run_id, \
         updated_at = excluded.updated_at \
         where civil_person.content_hash <> excluded.content_hash",
        list::<CivilRow>(""),
        list::<CivilRow>("s"),
        assignments::<CivilRow>("nik", "excluded")
    );
    vec![("upsert", upsert)]
});

impl Store {
    /// Opens a registry import of the file `source` (recorded in `import_run`).
    ///
    /// On SQLite the transaction holds the database's write lock until it ends;
    /// on PostgreSQL concurrent imports wait for each other.
    pub async fn begin_registry_import(
        &self,
        source: &str,
    ) -> Result<RegistryImport<'_>, StoreError> {
        Import::begin(self, REGISTRY, source).await
    }

    /// Opens a civil-registry import of the file `source`, which upserts residents by NIK.
    pub async fn begin_civil_import(&self, source: &str) -> Result<CivilImport<'_>, StoreError> {
        Import::begin(self, CIVIL, source).await
    }
}

impl<'a, T> Import<'a, T> {
    async fn begin(
        store: &'a Store,
        kind: Kind<T>,
        source: &str,
    ) -> Result<Import<'a, T>, StoreError> {
        let now = Utc::now();
        let mut tx = Tx::begin(&store.pool).await?;
        if let Conn::Postgres(t) = &mut tx.conn {
            // Two imports merging into the same tables at once would race on new keys;
            // the second waits for the first to commit instead of failing.
            sqlx::query("select pg_advisory_xact_lock($1)")
                .bind(IMPORT_LOCK_KEY)
                .execute(&mut **t)
                .await?;
            // The merge hash-joins the whole staging table with the registry; with the
            // default 4 MB the join spills to disk in dozens of batches. Local to this transaction.
            tx.execute("set local work_mem = '64MB'").await?;
        }
        let backend = tx.backend();
        tx.execute(AssertSqlSafe((kind.stage)().create_temp(backend)))
            .await?;
        let import_id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into import_run (kind, source, started_at, created_at, updated_at) \
             values ($1, $2, $3, $3, $3) returning import_run_id",
        )
        .bind(kind.name)
        .bind(source)
        .bind(now)
        .fetch_one(&mut *c)
        .await?);
        Ok(Import {
            kind,
            tx: Some(tx),
            import_id,
            seq: 0,
            _store: PhantomData,
        })
    }

    /// The `import_run` id this import will commit under.
    pub fn import_id(&self) -> i64 {
        self.import_id
    }

    fn tx(&mut self) -> &mut Tx {
        self.tx
            .as_mut()
            .expect("an import's transaction lives until finish or abort")
    }

    /// Stages a batch of records; nothing is visible to others until [`finish`](Self::finish).
    pub async fn push(&mut self, batch: &[T]) -> Result<(), StoreError> {
        if batch.is_empty() {
            return Ok(());
        }
        let first = self.seq + 1;
        self.seq += batch.len() as i64;
        let push = self.kind.push;
        push(self.tx(), first, batch).await
    }

    /// Merges the staged records into the store and commits.
    ///
    /// New records are inserted, changed ones updated (a registry person's
    /// previous version goes to `person_history`), unchanged ones left alone.
    /// Fails with [`StoreError::Conflict`] on `stage_person_id_art_key` (registry)
    /// or `stage_civil_nik_key` (civil) if one key was pushed twice; nothing is
    /// then written.
    pub async fn finish(mut self) -> Result<ImportReport, StoreError> {
        let now = Utc::now();
        let kind = self.kind;
        let stage = (kind.stage)();
        let backend = self.tx().backend();
        let (new, changed, unchanged) = self.prepare().await?;
        if kind.name == "registry" {
            self.touch_villages(stage.name, now).await?;
        }
        for (step, sql) in (kind.merge)() {
            let t = Instant::now();
            let id = self.import_id;
            let n = on_tx!(self.tx(), c => sqlx::query(sql.as_str())
                .bind(now)
                .bind(id)
                .execute(&mut *c)
                .await?
                .rows_affected());
            tracing::debug!(
                step,
                rows = n,
                ms = u64::try_from(t.elapsed().as_millis()).unwrap_or(u64::MAX),
                "langkah penggabungan impor"
            );
        }
        let report = ImportReport {
            new,
            changed,
            unchanged,
            import_id: self.import_id,
        };
        self.record(&report, now).await?;
        let mut tx = self.tx.take().expect("an import commits once");
        if backend == Backend::Sqlite {
            // Temporary tables outlive the transaction on a pooled SQLite connection.
            tx.execute(AssertSqlSafe(format!("drop table temp.{}", stage.name)))
                .await?;
        }
        tx.commit().await?;
        tracing::info!(
            import_id = report.import_id,
            new = report.new,
            changed = report.changed,
            unchanged = report.unchanged,
            "{}",
            kind.finished
        );
        Ok(report)
    }

    /// Checks the staged keys are unique and counts new, changed and unchanged records.
    async fn prepare(&mut self) -> Result<(u64, u64, u64), StoreError> {
        let kind = self.kind;
        let stage = (kind.stage)();
        let tx = self.tx();
        let backend = tx.backend();
        let unique = format!("{}_{}_key", stage.name, kind.key);
        let index = match backend {
            Backend::Sqlite => format!(
                "create unique index temp.{unique} on {} ({})",
                stage.name, kind.key
            ),
            Backend::Postgres => format!(
                "create unique index {unique} on {} ({})",
                stage.name, kind.key
            ),
        };
        match tx.execute(AssertSqlSafe(index)).await {
            Err(StoreError::Conflict { .. }) => {
                return Err(StoreError::Conflict { constraint: unique });
            }
            other => other?,
        };
        if backend == Backend::Postgres {
            // Autovacuum never analyses temporary tables; without statistics the
            // planner guesses a tiny table and picks nested loops for the merge.
            tx.execute(AssertSqlSafe(format!("analyze {}", stage.name)))
                .await?;
        }
        self.counts(stage.name).await
    }

    /// Tells the transaction which villages' progress counts the merge changes:
    /// those of the staged records and those the same people are in now.
    async fn touch_villages(&mut self, stage: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        let staged: Vec<String> = on_tx!(self.tx(), c => sqlx::query_scalar(AssertSqlSafe(format!(
            "select kode_wilayah from {stage} group by kode_wilayah"
        )))
        .fetch_all(&mut *c)
        .await?);
        if staged.len() > 200 {
            // Recounted set-wise anyway; no need to find the old villages.
            self.tx().touch_all(now);
            return Ok(());
        }
        let current: Vec<String> = on_tx!(self.tx(), c => sqlx::query_scalar(AssertSqlSafe(format!(
            "select p.kode_wilayah from person p join {stage} s on s.id_art = p.id_art \
             group by p.kode_wilayah"
        )))
        .fetch_all(&mut *c)
        .await?);
        for v in staged.iter().chain(&current) {
            self.tx().touch(v, now);
        }
        Ok(())
    }

    /// What [`finish`](Self::finish) would do, without doing it: a dry run.
    ///
    /// Counts new, changed and unchanged records exactly as `finish` would
    /// (including its duplicate-key check), then rolls everything back,
    /// the `import_run` row too, so the store is left as it was. The
    /// report's `import_id` names a row that no longer exists.
    pub async fn preview(mut self) -> Result<ImportReport, StoreError> {
        let (new, changed, unchanged) = self.prepare().await?;
        let stage = (self.kind.stage)();
        let mut tx = self.tx.take().expect("an import ends once");
        if tx.backend() == Backend::Sqlite {
            tx.execute(AssertSqlSafe(format!("drop table temp.{}", stage.name)))
                .await?;
        }
        tx.rollback().await?;
        Ok(ImportReport {
            new,
            changed,
            unchanged,
            import_id: self.import_id,
        })
    }

    /// New, changed and unchanged records among those staged.
    async fn counts(&mut self, stage: &str) -> Result<(u64, u64, u64), StoreError> {
        let t = Instant::now();
        let Kind {
            target,
            target_id: id,
            key,
            ..
        } = self.kind;
        let sql = format!(
            "select count(*), \
             coalesce(sum(case when t.{id} is null then 1 else 0 end), 0), \
             coalesce(sum(case when t.{id} is not null and t.content_hash <> s.content_hash \
             then 1 else 0 end), 0) \
             from {stage} s left join {target} t on t.{key} = s.{key}"
        );
        let (total, new, changed): (i64, i64, i64) =
            on_tx!(self.tx(), c => sqlx::query_as(AssertSqlSafe(sql)).fetch_one(&mut *c).await?);
        tracing::debug!(
            step = "counts",
            ms = u64::try_from(t.elapsed().as_millis()).unwrap_or(u64::MAX),
            "langkah penggabungan impor"
        );
        #[expect(clippy::cast_sign_loss, reason = "counts are never negative")]
        let (total, new, changed) = (total as u64, new as u64, changed as u64);
        Ok((new, changed, total - new - changed))
    }

    /// Completes the `import_run` row.
    async fn record(&mut self, r: &ImportReport, now: DateTime<Utc>) -> Result<(), StoreError> {
        on_tx!(self.tx(), c => sqlx::query(
            "update import_run set new_count = $1, changed_count = $2, unchanged_count = $3, \
             finished_at = $4, updated_at = $4 where import_run_id = $5",
        )
        .bind(r.new as i64)
        .bind(r.changed as i64)
        .bind(r.unchanged as i64)
        .bind(now)
        .bind(r.import_id)
        .execute(&mut *c)
        .await
        .map(drop)?);
        Ok(())
    }

    /// Rolls the import back explicitly (dropping it does the same, lazily).
    pub async fn abort(mut self) -> Result<(), StoreError> {
        match self.tx.take() {
            Some(tx) => tx.rollback().await,
            None => Ok(()),
        }
    }
}
