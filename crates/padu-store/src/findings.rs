//! Each registry person's latest finding, and the counts the home pages show.
//!
//! A finding is one verification result row kept per person
//! (`person_finding`): written for every person of a saved verification run,
//! and replaced by an operator's re-check when a correction is saved. Lists
//! filter on it and the member page shows it; the full run's rows stay in
//! `verification_result` as they were.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use padu_core::{Action, Flag, NikStatus, VerificationRow};

use crate::verification::ResultRow;

use crate::error::StoreError;
use crate::scope::Scope;
use crate::tx::{Tx, on_tx};
use crate::{Store, with_pool};

/// Where a finding came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingSource {
    /// A full verification run (`padu verify`).
    Run,
    /// An operator's re-check of a correction, saved with it.
    Recheck,
}

/// The latest finding for a person.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// The result row.
    pub row: VerificationRow,
    /// A run or a re-check.
    pub source: FindingSource,
    /// The run, when it came from one.
    pub verification_run_id: Option<i64>,
    /// When it was found.
    pub found_at: DateTime<Utc>,
}

/// How many people of a scope have each status, flag and action in their latest finding.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FindingCounts {
    /// Registry members in the scope.
    pub people: u64,
    /// Members with no finding yet (never verified).
    pub unverified: u64,
    /// Per NIK status, in [`NikStatus::ALL`] order.
    pub status: Vec<(NikStatus, u64)>,
    /// Per flag, in [`Flag::ALL`] order.
    pub flags: Vec<(Flag, u64)>,
    /// Per proposed action, in [`Action::ALL`] order.
    pub tindakan: Vec<(Action, u64)>,
}

/// A finding as read through a left join: every column may be null.
#[derive(Debug, sqlx::FromRow, serde::Deserialize)]
pub(crate) struct FindingRow {
    f_status: Option<String>,
    f_flags: Option<String>,
    f_tindakan: Option<String>,
    f_nik_usulan: Option<String>,
    f_skor: Option<f64>,
    f_id_kelompok_ganda: Option<String>,
    f_id_art_utama: Option<String>,
    f_keterangan: Option<String>,
    f_source: Option<String>,
    f_verification_run_id: Option<i64>,
    f_found_at: Option<DateTime<Utc>>,
    f_id_art: Option<String>,
}

impl FindingRow {
    /// The stored columns, in field order: the result columns of the
    /// interchange format but `id_art`, then where the finding came from and
    /// whose it is.
    fn columns() -> impl Iterator<Item = &'static str> {
        VerificationRow::COLUMNS[1..].iter().copied().chain([
            "source",
            "verification_run_id",
            "found_at",
            "id_art",
        ])
    }

    /// The select list for a finding joined as `alias`.
    pub(crate) fn select(alias: &str) -> String {
        Self::columns()
            .map(|c| format!("{alias}.{c} as f_{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The names [`FindingRow::select`] gives the columns, in field order.
    pub(crate) fn aliases() -> Vec<String> {
        Self::columns().map(|c| format!("f_{c}")).collect()
    }

    pub(crate) fn into_finding(self) -> Result<Option<Finding>, StoreError> {
        let (Some(status), Some(id_art), Some(found_at)) =
            (self.f_status, self.f_id_art, self.f_found_at)
        else {
            return Ok(None);
        };
        let row = ResultRow {
            id_art,
            status,
            flags: self.f_flags.unwrap_or_default(),
            tindakan: self.f_tindakan.unwrap_or_default(),
            nik_usulan: self.f_nik_usulan,
            skor: self.f_skor,
            id_kelompok_ganda: self.f_id_kelompok_ganda,
            id_art_utama: self.f_id_art_utama,
            keterangan: self.f_keterangan.unwrap_or_default(),
        };
        Ok(Some(Finding {
            row: row.into_row_from("person_finding")?,
            source: match self.f_source.as_deref() {
                Some("recheck") => FindingSource::Recheck,
                _ => FindingSource::Run,
            },
            verification_run_id: self.f_verification_run_id,
            found_at,
        }))
    }
}

/// A person has one finding: a newer one replaces it whole.
const ON_CONFLICT: &str = "on conflict (id_art) do update set \
    verification_run_id = excluded.verification_run_id, source = excluded.source, \
    status = excluded.status, flags = excluded.flags, flag_ganda = excluded.flag_ganda, \
    flag_meninggal = excluded.flag_meninggal, flag_pindah = excluded.flag_pindah, \
    flag_nik_beda_identitas = excluded.flag_nik_beda_identitas, tindakan = excluded.tindakan, \
    nik_usulan = excluded.nik_usulan, skor = excluded.skor, \
    id_kelompok_ganda = excluded.id_kelompok_ganda, id_art_utama = excluded.id_art_utama, \
    keterangan = excluded.keterangan, found_at = excluded.found_at, updated_at = excluded.updated_at, \
    run_tindakan = case when excluded.source = 'run' then excluded.run_tindakan else person_finding.run_tindakan end, \
    run_found_at = case when excluded.source = 'run' then excluded.run_found_at else person_finding.run_found_at end";

/// The flag columns set from a flags text, as SQL over the stored `flags` (a fixed
/// list of codes, never user input).
const FLAG_COLUMNS: &str = "flag_ganda, flag_meninggal, flag_pindah, flag_nik_beda_identitas";

static FROM_RUN: LazyLock<String> = LazyLock::new(|| {
    format!(
        "insert into person_finding (id_art, verification_run_id, source, status, flags, {FLAG_COLUMNS}, \
         tindakan, nik_usulan, skor, id_kelompok_ganda, id_art_utama, keterangan, found_at, created_at, updated_at, \
         run_tindakan, run_found_at) \
         select r.id_art, r.verification_run_id, 'run', r.status, r.flags, \
         case when r.flags like '%GANDA%' then 1 else 0 end, \
         case when r.flags like '%MENINGGAL%' then 1 else 0 end, \
         case when r.flags like '%PINDAH%' then 1 else 0 end, \
         case when r.flags like '%NIK_BEDA_IDENTITAS%' then 1 else 0 end, \
         r.tindakan, r.nik_usulan, r.skor, r.id_kelompok_ganda, r.id_art_utama, r.keterangan, $2, $2, $2, \
         r.tindakan, $2 \
         from verification_result r where r.verification_run_id = $1 \
         and exists (select 1 from person p where p.id_art = r.id_art) \
 {ON_CONFLICT}"
    )
});

/// Writes the findings of a just-saved run for every registry person it verified.
pub(crate) async fn findings_from_run(
    tx: &mut Tx,
    run_id: i64,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    Ok(on_tx!(tx, c => sqlx::query(FROM_RUN.as_str())
        .bind(run_id)
        .bind(now)
        .execute(&mut *c)
        .await?
        .rows_affected()))
}

static UPSERT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "insert into person_finding (id_art, verification_run_id, source, status, flags, {FLAG_COLUMNS}, \
         tindakan, nik_usulan, skor, id_kelompok_ganda, id_art_utama, keterangan, found_at, created_at, updated_at, \
         run_tindakan, run_found_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, $16, \
         case when $3 = 'run' then $10 end, case when $3 = 'run' then $16 end) \
 {ON_CONFLICT}"
    )
});

/// Stores one person's finding (a re-check saved with a correction, or one row of a run).
pub(crate) async fn upsert_finding(
    tx: &mut Tx,
    r: &VerificationRow,
    run_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let has = |f: Flag| i64::from(r.flags.contains(&f));
    on_tx!(tx, c => sqlx::query(UPSERT.as_str())
        .bind(&r.id_art)
        .bind(run_id)
        .bind(if run_id.is_some() { "run" } else { "recheck" })
        .bind(r.status.as_str())
        .bind(Flag::join(&r.flags))
        .bind(has(Flag::Ganda))
        .bind(has(Flag::Meninggal))
        .bind(has(Flag::Pindah))
        .bind(has(Flag::NikBedaIdentitas))
        .bind(r.tindakan.as_str())
        .bind(&r.nik_usulan)
        .bind(r.skor)
        .bind(&r.id_kelompok_ganda)
        .bind(&r.id_art_utama)
        .bind(&r.keterangan)
        .bind(now)
        .execute(&mut *c)
        .await.map(drop)?);
    Ok(())
}

impl Store {
    /// Counts of the latest findings of the people in `scope`.
    pub async fn finding_counts(&self, scope: Scope) -> Result<FindingCounts, StoreError> {
        let (lo, hi) = scope.range();
        #[derive(sqlx::FromRow)]
        struct Row {
            status: Option<String>,
            tindakan: Option<String>,
            n: i64,
            ganda: Option<i64>,
            meninggal: Option<i64>,
            pindah: Option<i64>,
            nik_beda: Option<i64>,
        }
        let rows: Vec<Row> = with_pool!(&self.pool, p => sqlx::query_as(
            "select f.status, f.tindakan, count(*) as n, cast(sum(f.flag_ganda) as bigint) as ganda, \
             cast(sum(f.flag_meninggal) as bigint) as meninggal, \
             cast(sum(f.flag_pindah) as bigint) as pindah, \
             cast(sum(f.flag_nik_beda_identitas) as bigint) as nik_beda \
             from person p left join person_finding f on f.id_art = p.id_art \
             where p.kode_wilayah >= $1 and p.kode_wilayah < $2 \
             group by f.status, f.tindakan",
        )
        .bind(&lo)
        .bind(&hi)
        .fetch_all(p)
        .await?);
        let mut c = FindingCounts {
            status: NikStatus::ALL.iter().map(|s| (*s, 0)).collect(),
            flags: Flag::ALL.iter().map(|f| (*f, 0)).collect(),
            tindakan: Action::ALL.iter().map(|a| (*a, 0)).collect(),
            ..FindingCounts::default()
        };
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        for r in rows {
            c.people += n(r.n);
            let Some(status) = r.status else {
                c.unverified += n(r.n);
                continue;
            };
            if let Some(e) = c.status.iter_mut().find(|(s, _)| s.as_str() == status) {
                e.1 += n(r.n);
            }
            if let Some(t) = r.tindakan
                && let Some(e) = c.tindakan.iter_mut().find(|(a, _)| a.as_str() == t)
            {
                e.1 += n(r.n);
            }
            for (flag, v) in [
                (Flag::Ganda, r.ganda),
                (Flag::Meninggal, r.meninggal),
                (Flag::Pindah, r.pindah),
                (Flag::NikBedaIdentitas, r.nik_beda),
            ] {
                if let Some(e) = c.flags.iter_mut().find(|(f, _)| *f == flag) {
                    e.1 += n(v.unwrap_or(0));
                }
            }
        }
        Ok(c)
    }
}
