//! Progress counts per region, for the dashboard: kept, not counted on demand.
//!
//! A dashboard for a province of ten million people cannot count them on
//! every page view. `region_progress` holds one row per region (national,
//! province, regency, district, village) with the counts the dashboard shows,
//! and every transaction that changes a village's records refreshes that
//! village's row and moves the rows above it by the same difference before it
//! commits ([`Tx::commit`] calls [`refresh`]; [`crate::audit_log::insert_audit`]
//! tells the transaction which villages it touched). The dashboard then reads
//! a handful of rows, and its numbers are the same as a direct count
//! ([`Store::progress_counted`], which the tests compare against).
//!
//! Imports and verification runs rewrite many villages at once; they recount
//! everything set-wise instead.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, Utc};
use padu_core::{ProposalState, RegionCode, Zone};

use crate::error::StoreError;
use crate::scope::Scope;
use crate::tx::{Touched, Tx, on_tx};
use crate::{Backend, Store, with_pool};

/// Above this many villages a transaction recounts every region set-wise:
/// one statement over the registry beats thousands of one-village recounts.
const FULL_REFRESH_ABOVE: usize = 200;

/// The counted columns of `region_progress`, in [`ProgressCounts::to_array`] order.
const COLUMNS: [&str; 13] = [
    "people",
    "findings",
    "resolved",
    "in_progress",
    "usulan_draft",
    "usulan_diajukan",
    "usulan_disahkan_desa",
    "usulan_diverifikasi_dinsos",
    "usulan_dikembalikan",
    "usulan_disetujui_dinsos",
    "usulan_dikirim_pusdatin",
    "usulan_ditetapkan",
    "usulan_ditolak_pusdatin",
];

/// What the dashboard counts for one region.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ProgressCounts {
    /// Active members.
    pub people: i64,
    /// Members whose latest verification run asked for a correction or a deactivation.
    pub findings: i64,
    /// Of those: a re-check after a correction finds nothing, the member was
    /// deactivated, or a proposal about them was finalised after the run.
    pub resolved: i64,
    /// Of those not resolved: with a proposal under way (not finalised, not rejected).
    pub in_progress: i64,
    /// Proposals per state, in [`ProposalState::ALL`] order.
    pub proposals: [i64; 9],
}

impl ProgressCounts {
    fn to_array(self) -> [i64; 13] {
        let mut a = [0; 13];
        a[0] = self.people;
        a[1] = self.findings;
        a[2] = self.resolved;
        a[3] = self.in_progress;
        a[4..].copy_from_slice(&self.proposals);
        a
    }

    fn from_array(a: [i64; 13]) -> ProgressCounts {
        let mut proposals = [0; 9];
        proposals.copy_from_slice(&a[4..]);
        ProgressCounts {
            people: a[0],
            findings: a[1],
            resolved: a[2],
            in_progress: a[3],
            proposals,
        }
    }

    /// Findings with no proposal yet and not otherwise resolved.
    pub fn untouched(&self) -> i64 {
        self.findings - self.resolved - self.in_progress
    }

    /// Resolved findings as a share of all findings, in per mille (1000 when there are none).
    pub fn resolved_permille(&self) -> i64 {
        if self.findings == 0 {
            1000
        } else {
            self.resolved * 1000 / self.findings
        }
    }

    /// The number of proposals in `state`.
    pub fn in_state(&self, state: ProposalState) -> i64 {
        ProposalState::ALL
            .iter()
            .position(|s| *s == state)
            .map_or(0, |i| self.proposals[i])
    }

    /// Proposals in any state.
    pub fn proposals_total(&self) -> i64 {
        self.proposals.iter().sum()
    }
}

/// One region's counts.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RegionProgress {
    /// The region; `None` for the whole country.
    pub region: Option<RegionCode>,
    /// Its counts.
    pub counts: ProgressCounts,
}

/// One day of a region's progress history (the counts when the day ended, in WIB).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProgressDay {
    /// The day, in WIB.
    pub day: NaiveDate,
    /// Active members.
    pub people: i64,
    /// Findings of the latest run.
    pub findings: i64,
    /// Resolved findings.
    pub resolved: i64,
    /// Findings with a proposal under way.
    pub in_progress: i64,
}

/// The state codes, in [`ProposalState::ALL`] order, for the counting statement.
fn state_code(i: usize) -> &'static str {
    ProposalState::ALL[i].as_str()
}

/// Every village in `[$1, $2)` with its counts, from the records themselves.
static COUNT: LazyLock<String> = LazyLock::new(|| {
    let states = (0..9)
        .map(|i| format!("case when q.state = '{}' then 1 else 0 end", state_code(i)))
        .collect::<Vec<_>>()
        .join(", ");
    let sums = (4..13)
        .map(|i| format!("coalesce(sum(u{i}), 0) as u{i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let zeros_u = (4..13)
        .map(|i| format!("0 as u{i}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "select v as kode_wilayah, coalesce(sum(active), 0) as c0, coalesce(sum(finding), 0) as c1, \
         coalesce(sum(finding * fixed), 0) as c2, coalesce(sum(finding * (1 - fixed) * open), 0) as c3, {sums} \
         from ( \
           select p.kode_wilayah as v, \
             case when s.active = 0 then 0 else 1 end as active, \
             case when f.run_tindakan in ('PERBAIKI', 'HAPUS') then 1 else 0 end as finding, \
             case when f.run_tindakan in ('PERBAIKI', 'HAPUS') and (f.tindakan = 'TETAP' or s.active = 0 \
               or exists (select 1 from proposal q where q.id_art = p.id_art and q.state = 'DITETAPKAN' \
                          and q.updated_at >= f.run_found_at)) then 1 else 0 end as fixed, \
             case when f.run_tindakan in ('PERBAIKI', 'HAPUS') and exists (select 1 from proposal q \
               where q.id_art = p.id_art and q.state not in ('DITETAPKAN', 'DITOLAK_PUSDATIN')) \
               then 1 else 0 end as open, \
             {zeros_u} \
           from person p \
           left join person_finding f on f.id_art = p.id_art \
           left join person_status s on s.person_id = p.person_id and s.valid_to is null \
           where p.kode_wilayah >= $1 and p.kode_wilayah < $2 \
           union all \
           select q.kode_wilayah, 0, 0, 0, 0, {states} \
           from proposal q where q.kode_wilayah >= $1 and q.kode_wilayah < $2 \
         ) t group by v",
    )
});

static COLUMN_LIST: LazyLock<String> = LazyLock::new(|| COLUMNS.join(", "));

#[derive(sqlx::FromRow)]
struct CountRow {
    kode_wilayah: String,
    c0: i64,
    c1: i64,
    c2: i64,
    c3: i64,
    u4: i64,
    u5: i64,
    u6: i64,
    u7: i64,
    u8: i64,
    u9: i64,
    u10: i64,
    u11: i64,
    u12: i64,
}

impl CountRow {
    fn counts(&self) -> ProgressCounts {
        ProgressCounts::from_array([
            self.c0, self.c1, self.c2, self.c3, self.u4, self.u5, self.u6, self.u7, self.u8,
            self.u9, self.u10, self.u11, self.u12,
        ])
    }
}

/// The statement that reads stored rows, with the counted columns aliased as [`CountRow`] wants.
static STORED: LazyLock<String> = LazyLock::new(|| {
    let cols = COLUMNS
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < 4 {
                format!("{c} as c{i}")
            } else {
                format!("{c} as u{i}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    format!("select kode_wilayah, {cols} from region_progress")
});

/// The regions above a village, national first: '', province, regency, district.
fn ancestors(village: &str) -> [&str; 4] {
    [&village[..0], &village[..2], &village[..4], &village[..6]]
}

/// The day (WIB) the progress history files a change under: the national data centre's day.
fn wib_day(at: DateTime<Utc>) -> String {
    Zone::Wib.date_of(at).to_string()
}

/// Brings the counts of the villages a transaction touched (and the regions
/// above them) up to date, inside it. Called by [`Tx::commit`].
pub(crate) async fn refresh(tx: &mut Tx, touched: Touched) -> Result<(), StoreError> {
    if !touched.all && touched.villages.is_empty() {
        return Ok(());
    }
    let at = touched.at.unwrap_or_else(Utc::now);
    if touched.all || touched.villages.len() > FULL_REFRESH_ABOVE {
        refresh_all(tx, at).await?;
    } else {
        refresh_villages(tx, &touched.villages, at).await?;
    }
    Ok(())
}

/// Sets a row's counts: `$1` the region, then one parameter per column of [`COLUMNS`].
static SET_COUNTS: LazyLock<String> = LazyLock::new(|| counts_update(|c, n| format!("{c} = ${n}")));

/// Adds to a row's counts, parameters as in [`SET_COUNTS`].
static ADD_COUNTS: LazyLock<String> =
    LazyLock::new(|| counts_update(|c, n| format!("{c} = {c} + ${n}")));

fn counts_update(assign: impl Fn(&str, usize) -> String) -> String {
    let sets = COLUMNS
        .iter()
        .enumerate()
        .map(|(i, c)| assign(c, i + 2))
        .collect::<Vec<_>>()
        .join(", ");
    format!("update region_progress set {sets} where kode_wilayah = $1")
}

/// Recounts one set of villages and moves the regions above them by the difference.
async fn refresh_villages(
    tx: &mut Tx,
    villages: &BTreeSet<String>,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    // Every row this transaction will write, locked in one global order (text
    // order puts '' and the short codes first), so two transactions never wait
    // on each other in a cycle; and each village is locked before it is
    // recounted, so on PostgreSQL the recount sees every change committed
    // before the lock was granted.
    let mut rows: BTreeSet<&str> = BTreeSet::new();
    for v in villages {
        rows.insert(v);
        rows.extend(ancestors(v));
    }
    for code in &rows {
        on_tx!(tx, c => sqlx::query(
            "insert into region_progress (kode_wilayah, updated_at) values ($1, $2) \
             on conflict (kode_wilayah) do update set updated_at = excluded.updated_at",
        )
        .bind(*code)
        .bind(at)
        .execute(&mut *c)
        .await
        .map(drop)?);
    }
    let mut deltas: BTreeMap<&str, [i64; 13]> = BTreeMap::new();
    for v in villages {
        let old: CountRow = on_tx!(tx, c => sqlx::query_as(
            sqlx::AssertSqlSafe(format!("{} where kode_wilayah = $1", STORED.as_str())))
            .bind(v)
            .fetch_one(&mut *c)
            .await?);
        let hi = format!("{v}:");
        let new: Option<CountRow> = on_tx!(tx, c => sqlx::query_as(COUNT.as_str())
            .bind(v)
            .bind(&hi)
            .fetch_optional(&mut *c)
            .await?);
        let new = new.map(|r| r.counts()).unwrap_or_default().to_array();
        let old = old.counts().to_array();
        if new == old {
            continue;
        }
        on_tx!(tx, c => {
            let mut q = sqlx::query(SET_COUNTS.as_str()).bind(v);
            for n in new {
                q = q.bind(n);
            }
            q.execute(&mut *c).await.map(drop)?
        });
        for a in ancestors(v) {
            let d = deltas.entry(a).or_insert([0; 13]);
            for i in 0..13 {
                d[i] += new[i] - old[i];
            }
        }
    }
    for (code, d) in &deltas {
        on_tx!(tx, c => {
            let mut q = sqlx::query(ADD_COUNTS.as_str()).bind(*code);
            for n in d {
                q = q.bind(*n);
            }
            q.execute(&mut *c).await.map(drop)?
        });
    }
    let day = wib_day(at);
    for code in &rows {
        on_tx!(tx, c => sqlx::query(DAILY_ONE.as_str())
            .bind(*code)
            .bind(&day)
            .bind(at)
            .execute(&mut *c)
            .await
            .map(drop)?);
    }
    Ok(())
}

const DAILY_UPSERT: &str = "on conflict (kode_wilayah, day) do update set people = excluded.people, \
    findings = excluded.findings, resolved = excluded.resolved, in_progress = excluded.in_progress, \
    updated_at = excluded.updated_at";

static DAILY_ONE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "insert into region_progress_daily (kode_wilayah, day, people, findings, resolved, in_progress, updated_at) \
         select kode_wilayah, $2, people, findings, resolved, in_progress, $3 from region_progress \
         where kode_wilayah = $1 {DAILY_UPSERT}"
    )
});

/// Recounts every region set-wise (after an import or a verification run).
async fn refresh_all(tx: &mut Tx, at: DateTime<Utc>) -> Result<(), StoreError> {
    if tx.backend() == Backend::Postgres {
        // Waits for the transactions writing progress rows now, and holds off new
        // ones until this commits: the recount below then sees all their records.
        tx.execute("lock table region_progress in share row exclusive mode")
            .await?;
    }
    tx.execute("delete from region_progress").await?;
    let cols = COLUMN_LIST.as_str();
    let counted = (0..13)
        .map(|i| {
            if i < 4 {
                format!("c{i}")
            } else {
                format!("u{i}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    let (lo, hi) = Scope::National.range();
    let villages = format!(
        "insert into region_progress (kode_wilayah, {cols}, updated_at) \
         select kode_wilayah, {counted}, $3 from ({}) t",
        COUNT.as_str()
    );
    on_tx!(tx, c => sqlx::query(sqlx::AssertSqlSafe(villages))
        .bind(&lo)
        .bind(&hi)
        .bind(at)
        .execute(&mut *c)
        .await
        .map(drop)?);
    let sums = COLUMNS
        .iter()
        .map(|c| format!("coalesce(sum({c}), 0)"))
        .collect::<Vec<_>>()
        .join(", ");
    let above = format!(
        "insert into region_progress (kode_wilayah, {cols}, updated_at) \
         select substr(kode_wilayah, 1, $1), {sums}, $2 from region_progress \
         where length(kode_wilayah) = 10 group by substr(kode_wilayah, 1, $1)"
    );
    for len in [6_i32, 4, 2] {
        on_tx!(tx, c => sqlx::query(sqlx::AssertSqlSafe(above.clone()))
            .bind(len)
            .bind(at)
            .execute(&mut *c)
            .await
            .map(drop)?);
    }
    let national = format!(
        "insert into region_progress (kode_wilayah, {cols}, updated_at) \
         select '', {sums}, $1 from region_progress where length(kode_wilayah) = 10"
    );
    on_tx!(tx, c => sqlx::query(sqlx::AssertSqlSafe(national))
        .bind(at)
        .execute(&mut *c)
        .await
        .map(drop)?);
    let daily = format!(
        "insert into region_progress_daily (kode_wilayah, day, people, findings, resolved, in_progress, updated_at) \
         select kode_wilayah, $1, people, findings, resolved, in_progress, $2 from region_progress \
         where true {DAILY_UPSERT}"
    );
    on_tx!(tx, c => sqlx::query(sqlx::AssertSqlSafe(daily))
        .bind(wib_day(at))
        .bind(at)
        .execute(&mut *c)
        .await
        .map(drop)?);
    Ok(())
}

/// The level below a region whose rows a dashboard ranks: provinces under the
/// country, regencies under a province, villages under a regency or a district.
fn child_len(of: Scope) -> Option<usize> {
    match of.to_stored().len() {
        0 => Some(2),
        2 => Some(4),
        4 | 6 => Some(10),
        _ => None,
    }
}

impl Store {
    /// The kept counts of region `of` (inside `scope`, else [`StoreError::NotFound`]).
    pub async fn progress(&self, scope: Scope, of: Scope) -> Result<ProgressCounts, StoreError> {
        if !scope.covers(of) {
            return Err(StoreError::NotFound);
        }
        let row: Option<CountRow> = with_pool!(&self.pool, p => sqlx::query_as(
            sqlx::AssertSqlSafe(format!("{} where kode_wilayah = $1", STORED.as_str())))
            .bind(of.to_stored())
            .fetch_optional(p)
            .await?);
        Ok(row.map(|r| r.counts()).unwrap_or_default())
    }

    /// The regions one level down from `of` that a dashboard ranks (provinces under
    /// the country, regencies under a province, villages under a regency or a
    /// district), with their kept counts, in code order.
    pub async fn progress_children(
        &self,
        scope: Scope,
        of: Scope,
    ) -> Result<Vec<RegionProgress>, StoreError> {
        if !scope.covers(of) {
            return Err(StoreError::NotFound);
        }
        let Some(len) = child_len(of) else {
            return Ok(Vec::new());
        };
        let (lo, hi) = of.range();
        let rows: Vec<CountRow> = with_pool!(&self.pool, p => sqlx::query_as(
            sqlx::AssertSqlSafe(format!(
                "{} where kode_wilayah >= $1 and kode_wilayah < $2 and length(kode_wilayah) = $3 \
                 order by kode_wilayah",
                STORED.as_str()
            )))
            .bind(&lo)
            .bind(&hi)
            .bind(i32::try_from(len).unwrap_or(10))
            .fetch_all(p)
            .await?);
        rows.into_iter()
            .map(|r| {
                let region = RegionCode::parse(&r.kode_wilayah).map_err(|e| {
                    StoreError::decode("region_progress", "kode_wilayah", e.to_string())
                })?;
                Ok(RegionProgress {
                    region: Some(region),
                    counts: r.counts(),
                })
            })
            .collect()
    }

    /// Region `of`'s history, one entry per day (WIB) on which its counts changed, oldest first.
    pub async fn progress_history(
        &self,
        scope: Scope,
        of: Scope,
        since: NaiveDate,
    ) -> Result<Vec<ProgressDay>, StoreError> {
        if !scope.covers(of) {
            return Err(StoreError::NotFound);
        }
        #[derive(sqlx::FromRow)]
        struct Row {
            day: String,
            people: i64,
            findings: i64,
            resolved: i64,
            in_progress: i64,
        }
        let rows: Vec<Row> = with_pool!(&self.pool, p => sqlx::query_as(
            "select day, people, findings, resolved, in_progress from region_progress_daily \
             where kode_wilayah = $1 and day >= $2 order by day",
        )
        .bind(of.to_stored())
        .bind(since.to_string())
        .fetch_all(p)
        .await?);
        rows.into_iter()
            .map(|r| {
                Ok(ProgressDay {
                    day: r.day.parse::<NaiveDate>().map_err(|e| {
                        StoreError::decode("region_progress_daily", "day", e.to_string())
                    })?,
                    people: r.people,
                    findings: r.findings,
                    resolved: r.resolved,
                    in_progress: r.in_progress,
                })
            })
            .collect()
    }

    /// The same counts as [`progress`](Self::progress), counted now over the
    /// records themselves: what the kept counts are tested against, and slow
    /// on a large region.
    pub async fn progress_counted(&self, scope: Scope) -> Result<ProgressCounts, StoreError> {
        let (lo, hi) = scope.range();
        let rows: Vec<CountRow> = with_pool!(&self.pool, p => sqlx::query_as(COUNT.as_str())
            .bind(&lo)
            .bind(&hi)
            .fetch_all(p)
            .await?);
        let mut total = [0; 13];
        for r in rows {
            for (t, n) in total.iter_mut().zip(r.counts().to_array()) {
                *t += n;
            }
        }
        Ok(ProgressCounts::from_array(total))
    }

    /// Recounts every region's progress from the records (after a migration
    /// that added the table, or to repair it); returns nothing, commits at once.
    pub async fn recount_progress(&self) -> Result<(), StoreError> {
        let mut tx = Tx::begin(&self.pool).await?;
        tx.touch_all(Utc::now());
        tx.commit().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_village_has_four_regions_above_it_national_first() {
        assert_eq!(ancestors("3501012001"), ["", "35", "3501", "350101"]);
    }

    #[test]
    fn the_history_day_is_the_day_in_wib() {
        let late = "2026-12-01T17:30:00Z".parse().unwrap();
        assert_eq!(wib_day(late), "2026-12-02");
        let early = "2026-12-01T16:59:59Z".parse().unwrap();
        assert_eq!(wib_day(early), "2026-12-01");
    }

    #[test]
    fn shares_are_per_mille_and_full_without_findings() {
        let c = ProgressCounts {
            findings: 8,
            resolved: 3,
            in_progress: 2,
            ..ProgressCounts::default()
        };
        assert_eq!(c.resolved_permille(), 375);
        assert_eq!(c.untouched(), 3);
        assert_eq!(ProgressCounts::default().resolved_permille(), 1000);
    }
}
