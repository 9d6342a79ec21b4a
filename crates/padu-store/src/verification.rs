//! Verification runs: the result rows of `padu verify`, kept per run and read back by scope.

use chrono::{DateTime, Utc};
use padu_core::{Action, Flag, NikStatus, VerificationRow};
use sqlx::AssertSqlSafe;

use crate::error::StoreError;
use crate::import::{SQLITE_MAX_BINDS, Tx, on_tx, sqlite_values};
use crate::scope::Scope;
use crate::{Store, with_pool};

/// One saved verification run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationRun {
    /// Its id.
    pub verification_run_id: i64,
    /// The scope it covered.
    pub scope: Scope,
    /// How many result rows it saved.
    pub row_count: i64,
    /// The summary as given (JSON text).
    pub summary_json: String,
    /// When it was saved.
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct RunRow {
    verification_run_id: i64,
    scope: String,
    row_count: i64,
    summary: String,
    created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct ResultRow {
    id_art: String,
    status: String,
    flags: String,
    tindakan: String,
    nik_usulan: Option<String>,
    skor: Option<f64>,
    id_kelompok_ganda: Option<String>,
    id_art_utama: Option<String>,
    keterangan: String,
}

impl ResultRow {
    fn into_row(self) -> Result<VerificationRow, StoreError> {
        const T: &str = "verification_result";
        Ok(VerificationRow {
            status: self
                .status
                .parse::<NikStatus>()
                .map_err(|e| StoreError::decode(T, "status", e))?,
            flags: Flag::split(&self.flags).map_err(|e| StoreError::decode(T, "flags", e))?,
            tindakan: self
                .tindakan
                .parse::<Action>()
                .map_err(|e| StoreError::decode(T, "tindakan", e))?,
            id_art: self.id_art,
            nik_usulan: self.nik_usulan,
            skor: self.skor,
            id_kelompok_ganda: self.id_kelompok_ganda,
            id_art_utama: self.id_art_utama,
            keterangan: self.keterangan,
        })
    }
}

const RESULT_COLUMNS: usize = 11;
const RESULT_INSERT: &str = "insert into verification_result (verification_run_id, seq, id_art, status, \
    flags, tindakan, nik_usulan, skor, id_kelompok_ganda, id_art_utama, keterangan) values ";
const SQLITE_RESULT_ROWS: usize = {
    let max = SQLITE_MAX_BINDS / RESULT_COLUMNS;
    if max < 1000 { max } else { 1000 }
};
const _: () = assert!(SQLITE_RESULT_ROWS * RESULT_COLUMNS <= SQLITE_MAX_BINDS);
const POSTGRES_RESULT_INSERT: &str = "insert into verification_result (verification_run_id, seq, id_art, \
    status, flags, tindakan, nik_usulan, skor, id_kelompok_ganda, id_art_utama, keterangan) \
    select $1, * from unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], \
    $8::float8[], $9::text[], $10::text[], $11::text[])";

/// Each result takes the village of the registry person it verifies, as of the run.
const RESULT_REGIONS: &str = "update verification_result set kode_wilayah = \
    (select p.kode_wilayah from person p where p.id_art = verification_result.id_art) \
    where verification_run_id = $1";

/// A result row flattened to the columns it is stored in.
struct Cells {
    seq: i64,
    id_art: String,
    status: &'static str,
    flags: String,
    tindakan: &'static str,
    nik_usulan: Option<String>,
    skor: Option<f64>,
    id_kelompok_ganda: Option<String>,
    id_art_utama: Option<String>,
    keterangan: String,
}

impl Cells {
    fn new(seq: i64, r: &VerificationRow) -> Self {
        Cells {
            seq,
            id_art: r.id_art.clone(),
            status: r.status.as_str(),
            flags: Flag::join(&r.flags),
            tindakan: r.tindakan.as_str(),
            nik_usulan: r.nik_usulan.clone(),
            skor: r.skor,
            id_kelompok_ganda: r.id_kelompok_ganda.clone(),
            id_art_utama: r.id_art_utama.clone(),
            keterangan: r.keterangan.clone(),
        }
    }
}

impl Store {
    /// Saves a verification run and its rows (in their order) in one transaction; returns the run id.
    ///
    /// Each row is filed under the village its `id_art` has in the registry at
    /// save time, so [`verification_results`](Self::verification_results) can
    /// scope it; rows whose person is not in the registry are visible only
    /// nationally.
    pub async fn save_verification_run(
        &self,
        scope: Scope,
        rows: &[VerificationRow],
        summary_json: &str,
    ) -> Result<i64, StoreError> {
        let now = Utc::now();
        let mut tx = Tx::begin(&self.pool).await?;
        let run_id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into verification_run (scope, row_count, summary, created_at, updated_at) \
             values ($1, $2, $3, $4, $4) returning verification_run_id",
        )
        .bind(scope.to_stored())
        .bind(rows.len() as i64)
        .bind(summary_json)
        .bind(now)
        .fetch_one(&mut *c)
        .await?);
        // Bounded chunks keep memory flat for a national run of millions of rows.
        for (i, chunk) in rows.chunks(10_000).enumerate() {
            let base = (i * 10_000) as i64;
            let cells: Vec<Cells> = chunk
                .iter()
                .zip(base + 1..)
                .map(|(r, seq)| Cells::new(seq, r))
                .collect();
            match &mut tx {
                Tx::Sqlite(t) => {
                    for part in cells.chunks(SQLITE_RESULT_ROWS) {
                        let sql = format!(
                            "{RESULT_INSERT}{}",
                            sqlite_values(RESULT_COLUMNS, part.len())
                        );
                        let mut q = sqlx::query(AssertSqlSafe(sql));
                        for c in part {
                            q = q
                                .bind(run_id)
                                .bind(c.seq)
                                .bind(&c.id_art)
                                .bind(c.status)
                                .bind(&c.flags)
                                .bind(c.tindakan)
                                .bind(&c.nik_usulan)
                                .bind(c.skor)
                                .bind(&c.id_kelompok_ganda)
                                .bind(&c.id_art_utama)
                                .bind(&c.keterangan);
                        }
                        q.execute(&mut **t).await?;
                    }
                }
                Tx::Postgres(t) => {
                    let mut seq = Vec::with_capacity(cells.len());
                    let mut id_art = Vec::with_capacity(cells.len());
                    let mut status = Vec::with_capacity(cells.len());
                    let mut flags = Vec::with_capacity(cells.len());
                    let mut tindakan = Vec::with_capacity(cells.len());
                    let mut nik_usulan = Vec::with_capacity(cells.len());
                    let mut skor = Vec::with_capacity(cells.len());
                    let mut id_kelompok_ganda = Vec::with_capacity(cells.len());
                    let mut id_art_utama = Vec::with_capacity(cells.len());
                    let mut keterangan = Vec::with_capacity(cells.len());
                    for c in cells {
                        seq.push(c.seq);
                        id_art.push(c.id_art);
                        status.push(c.status);
                        flags.push(c.flags);
                        tindakan.push(c.tindakan);
                        nik_usulan.push(c.nik_usulan);
                        skor.push(c.skor);
                        id_kelompok_ganda.push(c.id_kelompok_ganda);
                        id_art_utama.push(c.id_art_utama);
                        keterangan.push(c.keterangan);
                    }
                    sqlx::query(POSTGRES_RESULT_INSERT)
                        .bind(run_id)
                        .bind(seq)
                        .bind(id_art)
                        .bind(status)
                        .bind(flags)
                        .bind(tindakan)
                        .bind(nik_usulan)
                        .bind(skor)
                        .bind(id_kelompok_ganda)
                        .bind(id_art_utama)
                        .bind(keterangan)
                        .execute(&mut **t)
                        .await?;
                }
            }
        }
        on_tx!(&mut tx, c => sqlx::query(RESULT_REGIONS).bind(run_id).execute(&mut *c).await.map(drop)?);
        tx.commit().await?;
        Ok(run_id)
    }

    /// The run's header, or [`StoreError::NotFound`].
    pub async fn verification_run(&self, run_id: i64) -> Result<VerificationRun, StoreError> {
        let row: Option<RunRow> = with_pool!(&self.pool, p => sqlx::query_as(
            "select verification_run_id, scope, row_count, summary, created_at \
             from verification_run where verification_run_id = $1",
        )
        .bind(run_id)
        .fetch_optional(p)
        .await?);
        let r = row.ok_or(StoreError::NotFound)?;
        Ok(VerificationRun {
            verification_run_id: r.verification_run_id,
            scope: Scope::parse(&r.scope)
                .map_err(|e| StoreError::decode("verification_run", "scope", e.to_string()))?,
            row_count: r.row_count,
            summary_json: r.summary,
            created_at: r.created_at,
        })
    }

    /// The run's rows whose person lies within `scope`, in the order they were saved.
    ///
    /// [`StoreError::NotFound`] if the run does not exist.
    pub async fn verification_results(
        &self,
        run_id: i64,
        scope: Scope,
    ) -> Result<Vec<VerificationRow>, StoreError> {
        self.verification_run(run_id).await?;
        let rows: Vec<ResultRow> = match scope {
            Scope::National => with_pool!(&self.pool, p => sqlx::query_as(
                "select id_art, status, flags, tindakan, nik_usulan, skor, id_kelompok_ganda, \
                 id_art_utama, keterangan from verification_result \
                 where verification_run_id = $1 order by seq",
            )
            .bind(run_id)
            .fetch_all(p)
            .await?),
            Scope::Region(_) => {
                let (lo, hi) = scope.range();
                with_pool!(&self.pool, p => sqlx::query_as(
                    "select id_art, status, flags, tindakan, nik_usulan, skor, id_kelompok_ganda, \
                     id_art_utama, keterangan from verification_result \
                     where verification_run_id = $1 and kode_wilayah >= $2 and kode_wilayah < $3 \
                     order by seq",
                )
                .bind(run_id)
                .bind(&lo)
                .bind(&hi)
                .fetch_all(p)
                .await?)
            }
        };
        rows.into_iter().map(ResultRow::into_row).collect()
    }
}
