//! Verification runs: the result rows of `padu verify`, kept per run and read back by scope.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use padu_core::{Action, Flag, NikStatus, VerificationRow};

use crate::bulk::BulkTable;
use crate::columns::{list, row};
use crate::error::StoreError;
use crate::findings::findings_from_run;
use crate::scope::Scope;
use crate::tx::{Tx, on_tx};
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

row! {
    /// A result row as stored in `verification_result`.
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
}

row! {
    /// A result row with the run it belongs to and its position in the run.
    struct NumberedResult {
        verification_run_id: i64,
        seq: i64,
        result: ResultRow,
    }
}

static RESULTS: BulkTable<NumberedResult> = BulkTable::new("verification_result");

/// Rows converted and written at a time: bounds memory for a national run of millions of rows.
const SAVE_CHUNK: usize = 10_000;

impl ResultRow {
    fn new(r: &VerificationRow) -> Self {
        ResultRow {
            id_art: r.id_art.clone(),
            status: r.status.as_str().to_string(),
            flags: Flag::join(&r.flags),
            tindakan: r.tindakan.as_str().to_string(),
            nik_usulan: r.nik_usulan.clone(),
            skor: r.skor,
            id_kelompok_ganda: r.id_kelompok_ganda.clone(),
            id_art_utama: r.id_art_utama.clone(),
            keterangan: r.keterangan.clone(),
        }
    }

    /// The result row back, its codes parsed; `table` names where it was read for errors.
    pub(crate) fn into_row_from(self, table: &'static str) -> Result<VerificationRow, StoreError> {
        Ok(VerificationRow {
            status: self
                .status
                .parse::<NikStatus>()
                .map_err(|e| StoreError::decode(table, "status", e.to_string()))?,
            flags: Flag::split(&self.flags)
                .map_err(|e| StoreError::decode(table, "flags", e.to_string()))?,
            tindakan: self
                .tindakan
                .parse::<Action>()
                .map_err(|e| StoreError::decode(table, "tindakan", e.to_string()))?,
            id_art: self.id_art,
            nik_usulan: self.nik_usulan,
            skor: self.skor,
            id_kelompok_ganda: self.id_kelompok_ganda,
            id_art_utama: self.id_art_utama,
            keterangan: self.keterangan,
        })
    }
}

/// Each result takes the village of the registry person it verifies, as of the run.
const RESULT_REGIONS: &str = "update verification_result set kode_wilayah = \
    (select p.kode_wilayah from person p where p.id_art = verification_result.id_art) \
    where verification_run_id = $1";

static RESULTS_IN_RANGE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "select {} from verification_result \
         where verification_run_id = $1 and kode_wilayah >= $2 and kode_wilayah < $3 order by seq",
        list::<ResultRow>("")
    )
});

static ALL_RESULTS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "select {} from verification_result where verification_run_id = $1 order by seq",
        list::<ResultRow>("")
    )
});

impl Store {
    /// Saves a verification run and its rows (in their order) in one transaction; returns the run id.
    ///
    /// Each row is filed under the village its `id_art` has in the registry at
    /// save time, so [`verification_results`](Self::verification_results) can
    /// scope it; rows whose person is not in the registry are visible only
    /// nationally.
    ///
    /// Each person's latest finding (`person_finding`) becomes this run's row,
    /// and `model_json`, the model the run learnt, is kept so a single record
    /// can later be re-checked with the same weights.
    pub async fn save_verification_run(
        &self,
        scope: Scope,
        rows: &[VerificationRow],
        summary_json: &str,
        model_json: Option<&str>,
    ) -> Result<i64, StoreError> {
        let now = Utc::now();
        let mut tx = Tx::begin(&self.pool).await?;
        let run_id: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "insert into verification_run (scope, row_count, summary, model, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $5) returning verification_run_id",
        )
        .bind(scope.to_stored())
        .bind(rows.len() as i64)
        .bind(summary_json)
        .bind(model_json)
        .bind(now)
        .fetch_one(&mut *c)
        .await?);
        for (i, chunk) in rows.chunks(SAVE_CHUNK).enumerate() {
            let first = (i * SAVE_CHUNK) as i64 + 1;
            let numbered = chunk
                .iter()
                .zip(first..)
                .map(|(r, seq)| NumberedResult {
                    verification_run_id: run_id,
                    seq,
                    result: ResultRow::new(r),
                })
                .collect();
            RESULTS.insert(&mut tx, numbered).await?;
        }
        on_tx!(&mut tx, c => sqlx::query(RESULT_REGIONS).bind(run_id).execute(&mut *c).await.map(drop)?);
        findings_from_run(&mut tx, run_id, now).await?;
        tx.touch_all(now);
        tx.commit().await?;
        Ok(run_id)
    }

    /// The model (JSON) of the most recent verification run that kept one, with that run's id.
    pub async fn latest_model(&self) -> Result<Option<(i64, String)>, StoreError> {
        Ok(with_pool!(&self.pool, p => sqlx::query_as(
            "select verification_run_id, model from verification_run \
             where model is not null order by verification_run_id desc limit 1",
        )
        .fetch_optional(p)
        .await?))
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
            scope: Scope::from_stored(&r.scope)
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
            // Rows whose person is not in the registry have no village: only the national scope sees them.
            Scope::National => with_pool!(&self.pool, p => sqlx::query_as(ALL_RESULTS.as_str())
                .bind(run_id)
                .fetch_all(p)
                .await?),
            Scope::Region(_) => {
                let (lo, hi) = scope.range();
                with_pool!(&self.pool, p => sqlx::query_as(RESULTS_IN_RANGE.as_str())
                    .bind(run_id)
                    .bind(&lo)
                    .bind(&hi)
                    .fetch_all(p)
                    .await?)
            }
        };
        rows.into_iter()
            .map(|r| r.into_row_from("verification_result"))
            .collect()
    }
}
