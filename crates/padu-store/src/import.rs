//! Imports: one transaction each, rows streamed into a staging table, merged set-wise on `finish`.

use std::marker::PhantomData;
use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, Utc};
use padu_core::{CivilPerson, RegistryPerson};
use sqlx::{AssertSqlSafe, Postgres, Sqlite, Transaction};

use crate::error::StoreError;
use crate::rows::{CivilRow, PersonRow};
use crate::{Pool, Store};

/// SQLite's default limit on bind parameters per statement.
pub(crate) const SQLITE_MAX_BINDS: usize = 32_766;

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

/// An open transaction on either backend.
pub(crate) enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs the same block on the connection of whichever transaction is open.
macro_rules! on_tx {
    ($tx:expr, $c:ident => $body:expr) => {
        match $tx {
            $crate::import::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::import::Tx::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}
pub(crate) use on_tx;

impl Tx {
    pub(crate) async fn begin(pool: &Pool) -> Result<Tx, StoreError> {
        Ok(match pool {
            Pool::Sqlite(p) => Tx::Sqlite(p.begin().await?),
            Pool::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    pub(crate) async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    pub(crate) async fn rollback(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(t) => t.rollback().await?,
            Tx::Postgres(t) => t.rollback().await?,
        }
        Ok(())
    }

    /// Runs statements that take no parameters.
    async fn execute_all(&mut self, sql: &[&'static str]) -> Result<(), StoreError> {
        for s in sql {
            on_tx!(self, c => sqlx::query(*s).execute(&mut *c).await.map(drop)?);
        }
        Ok(())
    }
}

/// `(?, ?, …), (?, ?, …)`: the placeholder groups of a SQLite multi-row insert.
pub(crate) fn sqlite_values(columns: usize, rows: usize) -> String {
    let group = format!("({})", vec!["?"; columns].join(", "));
    vec![group; rows].join(", ")
}

/// The transaction, import id and row counter an import of either kind carries.
struct ImportTx {
    tx: Option<Tx>,
    import_id: i64,
    seq: i64,
}

impl ImportTx {
    async fn begin(
        store: &Store,
        kind: &'static str,
        source: &str,
        create_sqlite: &[&'static str],
        create_postgres: &[&'static str],
    ) -> Result<ImportTx, StoreError> {
        let now = Utc::now();
        let mut tx = Tx::begin(&store.pool).await?;
        match &mut tx {
            Tx::Sqlite(_) => tx.execute_all(create_sqlite).await?,
            Tx::Postgres(t) => {
                // Two imports merging into the same tables at once would race on new keys;
                // the second waits for the first to commit instead of failing.
                sqlx::query("select pg_advisory_xact_lock($1)")
                    .bind(IMPORT_LOCK_KEY)
                    .execute(&mut **t)
                    .await?;
                // The merge hash-joins the whole staging table with the registry; with the
                // default 4 MB the join spills to disk in dozens of batches. Local to this transaction.
                sqlx::query("set local work_mem = '64MB'")
                    .execute(&mut **t)
                    .await?;
                tx.execute_all(create_postgres).await?;
            }
        }
        let import_id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into import_run (kind, source, started_at, created_at, updated_at) \
             values ($1, $2, $3, $3, $3) returning import_run_id",
        )
        .bind(kind)
        .bind(source)
        .bind(now)
        .fetch_one(&mut *c)
        .await?);
        Ok(ImportTx {
            tx: Some(tx),
            import_id,
            seq: 0,
        })
    }

    fn tx(&mut self) -> &mut Tx {
        self.tx
            .as_mut()
            .expect("an import's transaction lives until finish or abort")
    }

    /// Builds the staging index that rejects a key given twice in one import.
    async fn unique_stage_key(
        &mut self,
        sqlite: &'static str,
        postgres: &'static str,
        constraint: &'static str,
    ) -> Result<(), StoreError> {
        let sql = match self.tx() {
            Tx::Sqlite(_) => sqlite,
            Tx::Postgres(_) => postgres,
        };
        match self.tx().execute_all(&[sql]).await {
            Err(StoreError::Conflict { .. }) => Err(StoreError::Conflict {
                constraint: constraint.to_string(),
            }),
            other => other,
        }
    }

    async fn counts(&mut self, sql: &'static str) -> Result<(u64, u64, u64), StoreError> {
        let (total, new, changed): (i64, i64, i64) =
            on_tx!(self.tx(), c => sqlx::query_as(sql).fetch_one(&mut *c).await?);
        let (total, new, changed) = (total as u64, new as u64, changed as u64);
        Ok((new, changed, total - new - changed))
    }

    async fn record_run(
        &mut self,
        (new, changed, unchanged): (u64, u64, u64),
        now: DateTime<Utc>,
    ) -> Result<ImportReport, StoreError> {
        let import_id = self.import_id;
        on_tx!(self.tx(), c => sqlx::query(
            "update import_run set new_count = $1, changed_count = $2, unchanged_count = $3, \
             finished_at = $4, updated_at = $4 where import_run_id = $5",
        )
        .bind(new as i64)
        .bind(changed as i64)
        .bind(unchanged as i64)
        .bind(now)
        .bind(import_id)
        .execute(&mut *c)
        .await
        .map(drop)?);
        Ok(ImportReport {
            new,
            changed,
            unchanged,
            import_id,
        })
    }

    async fn commit(mut self, drop_sqlite_stage: &'static str) -> Result<(), StoreError> {
        let mut tx = self.tx.take().expect("an import commits once");
        if let Tx::Sqlite(_) = tx {
            // Temporary tables outlive the transaction on a pooled SQLite connection.
            tx.execute_all(&[drop_sqlite_stage]).await?;
        }
        tx.commit().await
    }

    async fn abort(mut self) -> Result<(), StoreError> {
        match self.tx.take() {
            Some(tx) => tx.rollback().await,
            None => Ok(()),
        }
    }
}

// ---------------------------------------------------------------------------
// Registry import
// ---------------------------------------------------------------------------

const STAGE_PERSON_COLUMNS: usize = 19;

const SQLITE_CREATE_STAGE_PERSON: &str = "create temp table stage_person (
    seq integer not null, id_art text not null, id_keluarga text, no_kk text not null, no_kk_error text,
    nik text not null, nik_error text, nama text not null, jenis_kelamin text not null, tempat_lahir text,
    tgl_lahir text not null, hubungan_keluarga text, nama_ibu_kandung text, alamat text, rt text, rw text,
    kode_wilayah text not null, extra text, content_hash integer not null)";

const POSTGRES_CREATE_STAGE_PERSON: &str = "create temp table stage_person (
    seq bigint not null, id_art text collate \"C\" not null, id_keluarga text collate \"C\",
    no_kk text collate \"C\" not null, no_kk_error text, nik text collate \"C\" not null, nik_error text, nama text not null, jenis_kelamin text not null, tempat_lahir text,
    tgl_lahir date not null, hubungan_keluarga text, nama_ibu_kandung text, alamat text, rt text, rw text,
    kode_wilayah text collate \"C\" not null, extra text, content_hash bigint not null) on commit drop";

const STAGE_PERSON_INSERT: &str = "insert into stage_person (seq, id_art, id_keluarga, no_kk, no_kk_error, \
    nik, nik_error, nama, jenis_kelamin, tempat_lahir, tgl_lahir, hubungan_keluarga, nama_ibu_kandung, alamat, \
    rt, rw, kode_wilayah, extra, content_hash) values ";

/// Rows per SQLite staging statement: as many as the bind limit allows, capped
/// where measurements stopped improving.
const SQLITE_PERSON_ROWS: usize = {
    let max = SQLITE_MAX_BINDS / STAGE_PERSON_COLUMNS;
    if max < 1000 { max } else { 1000 }
};

const _: () = assert!(SQLITE_PERSON_ROWS * STAGE_PERSON_COLUMNS <= SQLITE_MAX_BINDS);

static SQLITE_STAGE_PERSON_FULL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{STAGE_PERSON_INSERT}{}",
        sqlite_values(STAGE_PERSON_COLUMNS, SQLITE_PERSON_ROWS)
    )
});

const POSTGRES_STAGE_PERSON: &str = "insert into stage_person (seq, id_art, id_keluarga, no_kk, no_kk_error, \
    nik, nik_error, nama, jenis_kelamin, tempat_lahir, tgl_lahir, hubungan_keluarga, nama_ibu_kandung, alamat, \
    rt, rw, kode_wilayah, extra, content_hash) \
    select * from unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], \
    $8::text[], $9::text[], $10::text[], $11::date[], $12::text[], $13::text[], $14::text[], $15::text[], \
    $16::text[], $17::text[], $18::text[], $19::bigint[])";

const PERSON_COUNTS: &str = "select count(*), \
    coalesce(sum(case when p.person_id is null then 1 else 0 end), 0), \
    coalesce(sum(case when p.person_id is not null and p.content_hash <> s.content_hash then 1 else 0 end), 0) \
    from stage_person s left join person p on p.id_art = s.id_art";

const PERSON_TO_HISTORY: &str = "insert into person_history (person_id, version, id_art, id_keluarga, no_kk, \
    no_kk_error, nik, nik_error, nama, jenis_kelamin, tempat_lahir, tgl_lahir, hubungan_keluarga, \
    nama_ibu_kandung, alamat, rt, rw, kode_wilayah, extra, content_hash, valid_from, valid_to, import_run_id, \
    replaced_by_import_run_id, created_at, updated_at) \
    select p.person_id, p.version, p.id_art, p.id_keluarga, p.no_kk, p.no_kk_error, p.nik, p.nik_error, p.nama, \
    p.jenis_kelamin, p.tempat_lahir, p.tgl_lahir, p.hubungan_keluarga, p.nama_ibu_kandung, p.alamat, p.rt, p.rw, \
    p.kode_wilayah, p.extra, p.content_hash, p.valid_from, $1, p.import_run_id, $2, $1, $1 \
    from person p join stage_person s on s.id_art = p.id_art where p.content_hash <> s.content_hash";

const PERSON_UPDATE_CHANGED: &str = "update person set id_keluarga = s.id_keluarga, no_kk = s.no_kk, \
    no_kk_error = s.no_kk_error, nik = s.nik, nik_error = s.nik_error, nama = s.nama, \
    jenis_kelamin = s.jenis_kelamin, tempat_lahir = s.tempat_lahir, tgl_lahir = s.tgl_lahir, \
    hubungan_keluarga = s.hubungan_keluarga, nama_ibu_kandung = s.nama_ibu_kandung, alamat = s.alamat, \
    rt = s.rt, rw = s.rw, kode_wilayah = s.kode_wilayah, extra = s.extra, content_hash = s.content_hash, \
    version = person.version + 1, valid_from = $1, import_run_id = $2, updated_at = $1 \
    from stage_person s where s.id_art = person.id_art and s.content_hash <> person.content_hash";

const PERSON_INSERT_NEW: &str = "insert into person (id_art, id_keluarga, no_kk, no_kk_error, nik, nik_error, \
    nama, jenis_kelamin, tempat_lahir, tgl_lahir, hubungan_keluarga, nama_ibu_kandung, alamat, rt, rw, \
    kode_wilayah, extra, content_hash, version, valid_from, import_run_id, created_at, updated_at) \
    select s.id_art, s.id_keluarga, s.no_kk, s.no_kk_error, s.nik, s.nik_error, s.nama, s.jenis_kelamin, \
    s.tempat_lahir, s.tgl_lahir, s.hubungan_keluarga, s.nama_ibu_kandung, s.alamat, s.rt, s.rw, s.kode_wilayah, \
    s.extra, s.content_hash, 1, $1, $2, $1, $1 \
    from stage_person s where not exists (select 1 from person p where p.id_art = s.id_art)";

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

/// A registry import in progress: one open transaction.
///
/// Push batches with [`push`](Self::push), then [`finish`](Self::finish) to merge
/// and commit. Dropping it (or [`abort`](Self::abort)) rolls everything back,
/// including its `import_run` row.
pub struct RegistryImport<'a> {
    inner: ImportTx,
    _store: PhantomData<&'a Store>,
}

impl std::fmt::Debug for RegistryImport<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryImport")
            .field("import_id", &self.inner.import_id)
            .field("rows", &self.inner.seq)
            .finish()
    }
}

impl Store {
    /// Opens a registry import of the file `source` (recorded in `import_run`).
    ///
    /// On SQLite the transaction holds the database's write lock until it ends;
    /// on PostgreSQL concurrent imports wait for each other.
    pub async fn begin_registry_import(
        &self,
        source: &str,
    ) -> Result<RegistryImport<'_>, StoreError> {
        let inner = ImportTx::begin(
            self,
            "registry",
            source,
            &[SQLITE_CREATE_STAGE_PERSON],
            &[POSTGRES_CREATE_STAGE_PERSON],
        )
        .await?;
        Ok(RegistryImport {
            inner,
            _store: PhantomData,
        })
    }
}

impl RegistryImport<'_> {
    /// The `import_run` id this import will commit under.
    pub fn import_id(&self) -> i64 {
        self.inner.import_id
    }

    /// Stages a batch of people; nothing is visible to others until [`finish`](Self::finish).
    pub async fn push(&mut self, batch: &[RegistryPerson]) -> Result<(), StoreError> {
        if batch.is_empty() {
            return Ok(());
        }
        let start = self.inner.seq;
        self.inner.seq += batch.len() as i64;
        let rows: Vec<(i64, i64, PersonRow)> = batch
            .iter()
            .zip(start + 1..)
            .map(|(p, seq)| {
                let r = PersonRow::from_person(p);
                (seq, r.content_hash(), r)
            })
            .collect();
        match self.inner.tx() {
            Tx::Sqlite(t) => {
                for chunk in rows.chunks(SQLITE_PERSON_ROWS) {
                    let mut q = if chunk.len() == SQLITE_PERSON_ROWS {
                        sqlx::query(SQLITE_STAGE_PERSON_FULL.as_str())
                    } else {
                        sqlx::query(AssertSqlSafe(format!(
                            "{STAGE_PERSON_INSERT}{}",
                            sqlite_values(STAGE_PERSON_COLUMNS, chunk.len())
                        )))
                    };
                    for (seq, hash, r) in chunk {
                        q = q
                            .bind(*seq)
                            .bind(&r.id_art)
                            .bind(&r.id_keluarga)
                            .bind(&r.no_kk)
                            .bind(&r.no_kk_error)
                            .bind(&r.nik)
                            .bind(&r.nik_error)
                            .bind(&r.nama)
                            .bind(&r.jenis_kelamin)
                            .bind(&r.tempat_lahir)
                            .bind(r.tgl_lahir)
                            .bind(&r.hubungan_keluarga)
                            .bind(&r.nama_ibu_kandung)
                            .bind(&r.alamat)
                            .bind(&r.rt)
                            .bind(&r.rw)
                            .bind(&r.kode_wilayah)
                            .bind(&r.extra)
                            .bind(*hash);
                    }
                    q.execute(&mut **t).await?;
                }
            }
            Tx::Postgres(t) => {
                let cols = PersonColumns::from_rows(rows);
                sqlx::query(POSTGRES_STAGE_PERSON)
                    .bind(cols.seq)
                    .bind(cols.id_art)
                    .bind(cols.id_keluarga)
                    .bind(cols.no_kk)
                    .bind(cols.no_kk_error)
                    .bind(cols.nik)
                    .bind(cols.nik_error)
                    .bind(cols.nama)
                    .bind(cols.jenis_kelamin)
                    .bind(cols.tempat_lahir)
                    .bind(cols.tgl_lahir)
                    .bind(cols.hubungan_keluarga)
                    .bind(cols.nama_ibu_kandung)
                    .bind(cols.alamat)
                    .bind(cols.rt)
                    .bind(cols.rw)
                    .bind(cols.kode_wilayah)
                    .bind(cols.extra)
                    .bind(cols.content_hash)
                    .execute(&mut **t)
                    .await?;
            }
        }
        Ok(())
    }

    /// Merges the staged rows into the registry and commits.
    ///
    /// Fails with [`StoreError::Conflict`] on `stage_person_id_art_key` if one
    /// `id_art` was pushed twice; nothing is then written.
    pub async fn finish(mut self) -> Result<ImportReport, StoreError> {
        let now = Utc::now();
        let id = self.inner.import_id;
        let inner = &mut self.inner;
        inner
            .unique_stage_key(
                "create unique index temp.stage_person_id_art_key on stage_person (id_art)",
                "create unique index stage_person_id_art_key on stage_person (id_art)",
                "stage_person_id_art_key",
            )
            .await?;
        if let Tx::Postgres(_) = inner.tx() {
            // Autovacuum never analyses temporary tables; without statistics the
            // planner guesses a tiny table and picks nested loops for the merge.
            inner.tx().execute_all(&["analyze stage_person"]).await?;
        }
        let t = std::time::Instant::now();
        let counts = inner.counts(PERSON_COUNTS).await?;
        tracing::debug!(
            step = "counts",
            ms = t.elapsed().as_millis() as u64,
            "langkah penggabungan impor"
        );
        for (step, sql) in [
            ("history", PERSON_TO_HISTORY),
            ("update", PERSON_UPDATE_CHANGED),
            ("insert", PERSON_INSERT_NEW),
            ("household", HOUSEHOLD_UPSERT),
        ] {
            let t = std::time::Instant::now();
            let n = on_tx!(inner.tx(), c => sqlx::query(sql).bind(now).bind(id).execute(&mut *c).await?.rows_affected());
            tracing::debug!(
                step,
                rows = n,
                ms = t.elapsed().as_millis() as u64,
                "langkah penggabungan impor"
            );
        }
        let report = inner.record_run(counts, now).await?;
        self.inner.commit("drop table temp.stage_person").await?;
        tracing::info!(
            import_id = report.import_id,
            new = report.new,
            changed = report.changed,
            unchanged = report.unchanged,
            "impor registri selesai"
        );
        Ok(report)
    }

    /// Rolls the import back explicitly (dropping it does the same, lazily).
    pub async fn abort(self) -> Result<(), StoreError> {
        self.inner.abort().await
    }
}

/// Column-wise copy of a batch, as PostgreSQL's `unnest` wants it.
#[derive(Default)]
struct PersonColumns {
    seq: Vec<i64>,
    id_art: Vec<String>,
    id_keluarga: Vec<Option<String>>,
    no_kk: Vec<String>,
    no_kk_error: Vec<Option<String>>,
    nik: Vec<String>,
    nik_error: Vec<Option<String>>,
    nama: Vec<String>,
    jenis_kelamin: Vec<String>,
    tempat_lahir: Vec<Option<String>>,
    tgl_lahir: Vec<NaiveDate>,
    hubungan_keluarga: Vec<Option<String>>,
    nama_ibu_kandung: Vec<Option<String>>,
    alamat: Vec<Option<String>>,
    rt: Vec<Option<String>>,
    rw: Vec<Option<String>>,
    kode_wilayah: Vec<String>,
    extra: Vec<Option<String>>,
    content_hash: Vec<i64>,
}

impl PersonColumns {
    fn from_rows(rows: Vec<(i64, i64, PersonRow)>) -> Self {
        let mut c = PersonColumns::default();
        for (seq, hash, r) in rows {
            c.seq.push(seq);
            c.id_art.push(r.id_art);
            c.id_keluarga.push(r.id_keluarga);
            c.no_kk.push(r.no_kk);
            c.no_kk_error.push(r.no_kk_error);
            c.nik.push(r.nik);
            c.nik_error.push(r.nik_error);
            c.nama.push(r.nama);
            c.jenis_kelamin.push(r.jenis_kelamin);
            c.tempat_lahir.push(r.tempat_lahir);
            c.tgl_lahir.push(r.tgl_lahir);
            c.hubungan_keluarga.push(r.hubungan_keluarga);
            c.nama_ibu_kandung.push(r.nama_ibu_kandung);
            c.alamat.push(r.alamat);
            c.rt.push(r.rt);
            c.rw.push(r.rw);
            c.kode_wilayah.push(r.kode_wilayah);
            c.extra.push(r.extra);
            c.content_hash.push(hash);
        }
        c
    }
}

// ---------------------------------------------------------------------------
// Civil-registry import
// ---------------------------------------------------------------------------

const STAGE_CIVIL_COLUMNS: usize = 15;

const SQLITE_CREATE_STAGE_CIVIL: &str = "create temp table stage_civil (
    nik text not null, no_kk text not null, no_kk_error text, nama text not null, jenis_kelamin text not null,
    tempat_lahir text, tgl_lahir text not null, nama_ibu_kandung text, alamat text, rt text, rw text,
    kode_wilayah text not null, status_hidup text not null, tgl_meninggal text, content_hash integer not null)";

const POSTGRES_CREATE_STAGE_CIVIL: &str = "create temp table stage_civil (
    nik text collate \"C\" not null, no_kk text collate \"C\" not null, no_kk_error text, nama text not null,
    jenis_kelamin text not null, tempat_lahir text, tgl_lahir date not null, nama_ibu_kandung text, alamat text, rt text, rw text,
    kode_wilayah text collate \"C\" not null, status_hidup text not null, tgl_meninggal date,
    content_hash bigint not null) on commit drop";

const STAGE_CIVIL_INSERT: &str = "insert into stage_civil (nik, no_kk, no_kk_error, nama, jenis_kelamin, \
    tempat_lahir, tgl_lahir, nama_ibu_kandung, alamat, rt, rw, kode_wilayah, status_hidup, tgl_meninggal, \
    content_hash) values ";

const SQLITE_CIVIL_ROWS: usize = {
    let max = SQLITE_MAX_BINDS / STAGE_CIVIL_COLUMNS;
    if max < 1000 { max } else { 1000 }
};

const _: () = assert!(SQLITE_CIVIL_ROWS * STAGE_CIVIL_COLUMNS <= SQLITE_MAX_BINDS);

static SQLITE_STAGE_CIVIL_FULL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{STAGE_CIVIL_INSERT}{}",
        sqlite_values(STAGE_CIVIL_COLUMNS, SQLITE_CIVIL_ROWS)
    )
});

const POSTGRES_STAGE_CIVIL: &str = "insert into stage_civil (nik, no_kk, no_kk_error, nama, jenis_kelamin, \
    tempat_lahir, tgl_lahir, nama_ibu_kandung, alamat, rt, rw, kode_wilayah, status_hidup, tgl_meninggal, \
    content_hash) \
    select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::date[], \
    $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::date[], $15::bigint[])";

const CIVIL_COUNTS: &str = "select count(*), \
    coalesce(sum(case when c.civil_person_id is null then 1 else 0 end), 0), \
    coalesce(sum(case when c.civil_person_id is not null and c.content_hash <> s.content_hash then 1 else 0 end), 0) \
    from stage_civil s left join civil_person c on c.nik = s.nik";

/// `where true` keeps SQLite from reading `on conflict` as a join constraint of the select.
const CIVIL_UPSERT: &str = "insert into civil_person (nik, no_kk, no_kk_error, nama, jenis_kelamin, \
    tempat_lahir, tgl_lahir, nama_ibu_kandung, alamat, rt, rw, kode_wilayah, status_hidup, tgl_meninggal, \
    content_hash, import_run_id, created_at, updated_at) \
    select s.nik, s.no_kk, s.no_kk_error, s.nama, s.jenis_kelamin, s.tempat_lahir, s.tgl_lahir, \
    s.nama_ibu_kandung, s.alamat, s.rt, s.rw, s.kode_wilayah, s.status_hidup, s.tgl_meninggal, s.content_hash, \
    $2, $1, $1 from stage_civil s where true \
    on conflict (nik) do update set no_kk = excluded.no_kk, no_kk_error = excluded.no_kk_error, \
    nama = excluded.nama, jenis_kelamin = excluded.jenis_kelamin, tempat_lahir = excluded.tempat_lahir, \
    tgl_lahir = excluded.tgl_lahir, nama_ibu_kandung = excluded.nama_ibu_kandung, alamat = excluded.alamat, \
    rt = excluded.rt, rw = excluded.rw, kode_wilayah = excluded.kode_wilayah, \
    status_hidup = excluded.status_hidup, tgl_meninggal = excluded.tgl_meninggal, \
    content_hash = excluded.content_hash, import_run_id = excluded.import_run_id, \
    updated_at = excluded.updated_at \
    where civil_person.content_hash <> excluded.content_hash";

/// A civil-registry import in progress: one open transaction, upserting by NIK on finish.
pub struct CivilImport<'a> {
    inner: ImportTx,
    _store: PhantomData<&'a Store>,
}

impl std::fmt::Debug for CivilImport<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CivilImport")
            .field("import_id", &self.inner.import_id)
            .field("rows", &self.inner.seq)
            .finish()
    }
}

impl Store {
    /// Opens a civil-registry import of the file `source`.
    pub async fn begin_civil_import(&self, source: &str) -> Result<CivilImport<'_>, StoreError> {
        let inner = ImportTx::begin(
            self,
            "civil",
            source,
            &[SQLITE_CREATE_STAGE_CIVIL],
            &[POSTGRES_CREATE_STAGE_CIVIL],
        )
        .await?;
        Ok(CivilImport {
            inner,
            _store: PhantomData,
        })
    }
}

impl CivilImport<'_> {
    /// The `import_run` id this import will commit under.
    pub fn import_id(&self) -> i64 {
        self.inner.import_id
    }

    /// Stages a batch of residents.
    pub async fn push(&mut self, batch: &[CivilPerson]) -> Result<(), StoreError> {
        if batch.is_empty() {
            return Ok(());
        }
        self.inner.seq += batch.len() as i64;
        let rows: Vec<(i64, CivilRow)> = batch
            .iter()
            .map(|p| {
                let r = CivilRow::from_person(p);
                (r.content_hash(), r)
            })
            .collect();
        match self.inner.tx() {
            Tx::Sqlite(t) => {
                for chunk in rows.chunks(SQLITE_CIVIL_ROWS) {
                    let mut q = if chunk.len() == SQLITE_CIVIL_ROWS {
                        sqlx::query(SQLITE_STAGE_CIVIL_FULL.as_str())
                    } else {
                        sqlx::query(AssertSqlSafe(format!(
                            "{STAGE_CIVIL_INSERT}{}",
                            sqlite_values(STAGE_CIVIL_COLUMNS, chunk.len())
                        )))
                    };
                    for (hash, r) in chunk {
                        q = q
                            .bind(&r.nik)
                            .bind(&r.no_kk)
                            .bind(&r.no_kk_error)
                            .bind(&r.nama)
                            .bind(&r.jenis_kelamin)
                            .bind(&r.tempat_lahir)
                            .bind(r.tgl_lahir)
                            .bind(&r.nama_ibu_kandung)
                            .bind(&r.alamat)
                            .bind(&r.rt)
                            .bind(&r.rw)
                            .bind(&r.kode_wilayah)
                            .bind(&r.status_hidup)
                            .bind(r.tgl_meninggal)
                            .bind(*hash);
                    }
                    q.execute(&mut **t).await?;
                }
            }
            Tx::Postgres(t) => {
                let mut nik = Vec::with_capacity(rows.len());
                let mut no_kk = Vec::with_capacity(rows.len());
                let mut no_kk_error = Vec::with_capacity(rows.len());
                let mut nama = Vec::with_capacity(rows.len());
                let mut jenis_kelamin = Vec::with_capacity(rows.len());
                let mut tempat_lahir = Vec::with_capacity(rows.len());
                let mut tgl_lahir = Vec::with_capacity(rows.len());
                let mut nama_ibu_kandung = Vec::with_capacity(rows.len());
                let mut alamat = Vec::with_capacity(rows.len());
                let mut rt = Vec::with_capacity(rows.len());
                let mut rw = Vec::with_capacity(rows.len());
                let mut kode_wilayah = Vec::with_capacity(rows.len());
                let mut status_hidup = Vec::with_capacity(rows.len());
                let mut tgl_meninggal = Vec::with_capacity(rows.len());
                let mut content_hash = Vec::with_capacity(rows.len());
                for (hash, r) in rows {
                    nik.push(r.nik);
                    no_kk.push(r.no_kk);
                    no_kk_error.push(r.no_kk_error);
                    nama.push(r.nama);
                    jenis_kelamin.push(r.jenis_kelamin);
                    tempat_lahir.push(r.tempat_lahir);
                    tgl_lahir.push(r.tgl_lahir);
                    nama_ibu_kandung.push(r.nama_ibu_kandung);
                    alamat.push(r.alamat);
                    rt.push(r.rt);
                    rw.push(r.rw);
                    kode_wilayah.push(r.kode_wilayah);
                    status_hidup.push(r.status_hidup);
                    tgl_meninggal.push(r.tgl_meninggal);
                    content_hash.push(hash);
                }
                sqlx::query(POSTGRES_STAGE_CIVIL)
                    .bind(nik)
                    .bind(no_kk)
                    .bind(no_kk_error)
                    .bind(nama)
                    .bind(jenis_kelamin)
                    .bind(tempat_lahir)
                    .bind(tgl_lahir)
                    .bind(nama_ibu_kandung)
                    .bind(alamat)
                    .bind(rt)
                    .bind(rw)
                    .bind(kode_wilayah)
                    .bind(status_hidup)
                    .bind(tgl_meninggal)
                    .bind(content_hash)
                    .execute(&mut **t)
                    .await?;
            }
        }
        Ok(())
    }

    /// Upserts the staged residents by NIK and commits.
    ///
    /// Fails with [`StoreError::Conflict`] on `stage_civil_nik_key` if one NIK was pushed twice.
    pub async fn finish(mut self) -> Result<ImportReport, StoreError> {
        let now = Utc::now();
        let id = self.inner.import_id;
        let inner = &mut self.inner;
        inner
            .unique_stage_key(
                "create unique index temp.stage_civil_nik_key on stage_civil (nik)",
                "create unique index stage_civil_nik_key on stage_civil (nik)",
                "stage_civil_nik_key",
            )
            .await?;
        if let Tx::Postgres(_) = inner.tx() {
            inner.tx().execute_all(&["analyze stage_civil"]).await?;
        }
        let counts = inner.counts(CIVIL_COUNTS).await?;
        on_tx!(inner.tx(), c => sqlx::query(CIVIL_UPSERT).bind(now).bind(id).execute(&mut *c).await.map(drop)?);
        let report = inner.record_run(counts, now).await?;
        self.inner.commit("drop table temp.stage_civil").await?;
        tracing::info!(
            import_id = report.import_id,
            new = report.new,
            changed = report.changed,
            unchanged = report.unchanged,
            "impor dukcapil selesai"
        );
        Ok(report)
    }

    /// Rolls the import back explicitly.
    pub async fn abort(self) -> Result<(), StoreError> {
        self.inner.abort().await
    }
}

/// An open import transaction, whatever the record type: what the CLI drives while streaming a file.
pub trait Import<T> {
    /// Stages a batch of records.
    fn push(&mut self, batch: &[T]) -> impl Future<Output = Result<(), StoreError>>;
    /// Merges what was staged and commits.
    fn finish(self) -> impl Future<Output = Result<ImportReport, StoreError>>;
    /// Rolls back; nothing of this import remains.
    fn abort(self) -> impl Future<Output = Result<(), StoreError>>;
}

impl Import<RegistryPerson> for RegistryImport<'_> {
    fn push(&mut self, batch: &[RegistryPerson]) -> impl Future<Output = Result<(), StoreError>> {
        RegistryImport::push(self, batch)
    }
    fn finish(self) -> impl Future<Output = Result<ImportReport, StoreError>> {
        RegistryImport::finish(self)
    }
    fn abort(self) -> impl Future<Output = Result<(), StoreError>> {
        RegistryImport::abort(self)
    }
}

impl Import<CivilPerson> for CivilImport<'_> {
    fn push(&mut self, batch: &[CivilPerson]) -> impl Future<Output = Result<(), StoreError>> {
        CivilImport::push(self, batch)
    }
    fn finish(self) -> impl Future<Output = Result<ImportReport, StoreError>> {
        CivilImport::finish(self)
    }
    fn abort(self) -> impl Future<Output = Result<(), StoreError>> {
        CivilImport::abort(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_placeholder_groups_match_the_column_count() {
        assert_eq!(sqlite_values(3, 2), "(?, ?, ?), (?, ?, ?)");
    }
}
