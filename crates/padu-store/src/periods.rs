//! Monthly periods: Pusdatin finalises a period, and the registry "as of"
//! that period stays reproducible at any later time.
//!
//! Nothing is copied. Every version of a record is a validity range (the
//! current one in `person` from `valid_from`, earlier ones in
//! `person_history` from `valid_from` to `valid_to`), and so is a member's
//! status (`person_status`). The registry as of a period is every version
//! valid at the instant the period was finalised, less the members inactive
//! then; finalising writes one row.

use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use padu_core::{Period, RegistryPerson};
use std::sync::LazyLock;

use crate::audit_log::{NewAuditEntry, insert_audit};
use crate::columns::list;
use crate::error::StoreError;
use crate::members::Actor;
use crate::rows::PersonRow;
use crate::scope::Scope;
use crate::tx::{Tx, on_tx};
use crate::{Store, with_pool};

/// A finalised period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinalisedPeriod {
    /// The month.
    pub period: Period,
    /// When Pusdatin finalised it: the instant the registry is read "as of".
    pub finalised_at: DateTime<Utc>,
    /// Who finalised it.
    pub finalised_by: String,
    /// Active members as of the period (nationally).
    pub people: i64,
}

#[derive(sqlx::FromRow)]
struct PeriodRow {
    period: String,
    finalised_at: DateTime<Utc>,
    username: String,
    people: i64,
}

/// One record as of a period, with the instant its values took effect.
#[derive(Debug, Clone, PartialEq)]
pub struct SnapshotRow {
    /// The record as it was.
    pub person: RegistryPerson,
    /// Its version.
    pub version: i64,
    /// When those values took effect.
    pub valid_from: DateTime<Utc>,
    /// The first period finalised after they took effect: the record is
    /// "unchanged since" that period (`None` if it took effect after every period).
    pub since: Option<Period>,
}

impl SnapshotRow {
    /// The extra columns a period export adds to the registry file's.
    pub fn columns() -> Vec<String> {
        vec!["versi".into(), "berlaku_sejak_periode".into()]
    }

    /// The record with [`SnapshotRow::columns`] as its extra data, ready to write.
    pub fn with_columns(row: SnapshotRow) -> RegistryPerson {
        let mut person = row.person;
        person.extra = vec![
            ("versi".into(), row.version.to_string()),
            (
                "berlaku_sejak_periode".into(),
                row.since.map(|p| p.to_string()).unwrap_or_default(),
            ),
        ];
        person
    }
}

#[derive(sqlx::FromRow)]
struct SnapshotDbRow {
    version: i64,
    valid_from: DateTime<Utc>,
    #[sqlx(flatten)]
    person: PersonRow,
}

/// How one kind of change between two periods counts in one regency.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DiffLine {
    /// `TAMBAH` (new in the registry), `BERUBAH` (values changed), `NONAKTIF`, `AKTIF_KEMBALI`.
    pub change: String,
    /// The deactivation reason, for `NONAKTIF`.
    pub reason: Option<String>,
    /// The 4-digit regency code of the record in the later period.
    pub kabupaten: String,
    /// How many members.
    pub count: i64,
}

/// Versions valid at $1 in $2..$3: the current ones and those in the history.
macro_rules! versions_at {
    ($cols:expr) => {
        format!(
            "select person_id, version, valid_from, {cols} from person \
             where valid_from <= $1 and kode_wilayah >= $2 and kode_wilayah < $3 \
             union all \
             select person_id, version, valid_from, {cols} from person_history \
             where valid_from <= $1 and valid_to > $1 and kode_wilayah >= $2 and kode_wilayah < $3",
            cols = $cols
        )
    };
}

/// Members inactive at $1.
const INACTIVE_AT: &str = "select person_id, deactivation_reason from person_status \
    where active = 0 and valid_from <= $1 and (valid_to is null or valid_to > $1)";

/// The registry as of instant $1 in $2..$3, active members only, in code then id order.
static SNAPSHOT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "select v.version, v.valid_from, {cols} from ({versions}) v \
         where v.person_id not in (select person_id from ({INACTIVE_AT}) i) \
         order by v.kode_wilayah, v.id_art",
        cols = list::<PersonRow>("v"),
        versions = versions_at!(list::<PersonRow>(""))
    )
});

/// How many active members the registry had at $1 in $2..$3.
static SNAPSHOT_COUNT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "select count(*) from ({versions}) v \
         where v.person_id not in (select person_id from ({INACTIVE_AT}) i)",
        versions = versions_at!("kode_wilayah, id_art")
    )
});

/// The changes between instants $1 (earlier) and $4 (later) in $2..$3, counted by kind, reason and regency.
static DIFF: LazyLock<String> = LazyLock::new(|| {
    let a = versions_at!("kode_wilayah");
    let b = versions_at!("kode_wilayah").replace("$1", "$4");
    let ia = INACTIVE_AT.to_string();
    let ib = INACTIVE_AT.replace("$1", "$4");
    format!(
        "select change, reason, kabupaten, count(*) as count from ( \
           select 'TAMBAH' as change, cast(null as text) as reason, substr(b.kode_wilayah, 1, 4) as kabupaten \
           from ({b}) b left join ({a}) a on a.person_id = b.person_id where a.person_id is null \
         union all \
           select 'BERUBAH', cast(null as text), substr(b.kode_wilayah, 1, 4) \
           from ({b}) b join ({a}) a on a.person_id = b.person_id where a.version <> b.version \
         union all \
           select 'NONAKTIF', ib.deactivation_reason, substr(b.kode_wilayah, 1, 4) \
           from ({ib}) ib join ({b}) b on b.person_id = ib.person_id \
           where ib.person_id not in (select person_id from ({ia}) x) \
         union all \
           select 'AKTIF_KEMBALI', cast(null as text), substr(b.kode_wilayah, 1, 4) \
           from ({ia}) ia join ({b}) b on b.person_id = ia.person_id \
           where ia.person_id not in (select person_id from ({ib}) y) \
         ) d group by change, reason, kabupaten order by change, reason, kabupaten"
    )
});

const PERIODS: &str = "select p.period, p.finalised_at, u.username, p.people from period p \
    join app_user u on u.app_user_id = p.finalised_by order by p.period";

const INSERT_PERIOD: &str = "insert into period (period, finalised_at, finalised_by, people, \
    created_at, updated_at) values ($1, $2, $3, $4, $2, $2)";

impl PeriodRow {
    fn into_period(self) -> Result<FinalisedPeriod, StoreError> {
        Ok(FinalisedPeriod {
            period: self.period.parse().map_err(|e: padu_core::PeriodError| {
                StoreError::decode("period", "period", e.to_string())
            })?,
            finalised_at: self.finalised_at,
            finalised_by: self.username,
            people: self.people,
        })
    }
}

impl Store {
    /// The finalised periods, oldest first.
    pub async fn periods(&self) -> Result<Vec<FinalisedPeriod>, StoreError> {
        let rows: Vec<PeriodRow> =
            with_pool!(&self.pool, p => sqlx::query_as(PERIODS).fetch_all(p).await?);
        rows.into_iter().map(PeriodRow::into_period).collect()
    }

    /// One finalised period ([`StoreError::NotFound`] if it is not finalised).
    pub async fn period(&self, period: Period) -> Result<FinalisedPeriod, StoreError> {
        self.periods()
            .await?
            .into_iter()
            .find(|p| p.period == period)
            .ok_or(StoreError::NotFound)
    }

    /// Finalises `period` at instant `at`: from then on the registry as of the
    /// period is what was valid at `at`, and no proposal can be fixed into it.
    ///
    /// Periods are finalised in order: [`StoreError::Conflict`] for a period
    /// already finalised or not after the last one. Writes one row and an
    /// audit entry, whatever the size of the registry.
    pub async fn finalise_period(
        &self,
        actor: &Actor,
        period: Period,
        at: DateTime<Utc>,
    ) -> Result<FinalisedPeriod, StoreError> {
        let mut tx = Tx::begin(&self.pool).await?;
        // The stored count must be the registry as of `at`: on PostgreSQL, wait
        // for the writes in flight (a proposal being finalised, an edit, an
        // import) and hold new ones back until the count is taken; the mode
        // conflicts with itself, so two finalisations also take turns and the
        // order check below cannot race. SQLite has one writer at a time already.
        if let crate::tx::Conn::Postgres(t) = &mut tx.conn {
            sqlx::query("lock table person, person_status, period in share row exclusive mode")
                .execute(&mut **t)
                .await?;
        }
        let last: Option<String> = on_tx!(&mut tx, c => sqlx::query_scalar(
            "select max(period) from period",
        )
        .fetch_one(&mut *c)
        .await?);
        if let Some(last) = last
            && last.as_str() >= period.to_string().as_str()
        {
            tx.rollback().await?;
            return Err(StoreError::Conflict {
                constraint: format!("period_order (terakhir {last})"),
            });
        }
        let (lo, hi) = Scope::National.range();
        let people: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(SNAPSHOT_COUNT.as_str())
            .bind(at)
            .bind(&lo)
            .bind(&hi)
            .fetch_one(&mut *c)
            .await?);
        on_tx!(&mut tx, c => sqlx::query(INSERT_PERIOD)
            .bind(period.to_string())
            .bind(at)
            .bind(actor.app_user_id)
            .bind(people)
            .execute(&mut *c)
            .await
            .map(drop)?);
        let entry = NewAuditEntry {
            entity: Some("period".into()),
            entity_id: Some(period.to_string()),
            after_value: Some(serde_json::json!({ "people": people }).to_string()),
            ..NewAuditEntry::by(actor, at, "period.finalise")
        };
        insert_audit(&mut tx, &entry).await?;
        tx.commit().await?;
        self.period(period).await
    }

    /// Streams the registry of `scope` as of a finalised period to `sink`,
    /// active members only, ordered by village then `id_art`; returns how many.
    pub async fn export_period<F, E>(
        &self,
        scope: Scope,
        period: Period,
        mut sink: F,
    ) -> Result<u64, E>
    where
        F: FnMut(SnapshotRow) -> Result<(), E>,
        E: From<StoreError>,
    {
        let periods = self.periods().await?;
        let at = periods
            .iter()
            .find(|p| p.period == period)
            .ok_or(StoreError::NotFound)?
            .finalised_at;
        let (lo, hi) = scope.range();
        let today = at.date_naive();
        let mut n = 0u64;
        with_pool!(&self.pool, p => {
            let mut rows = sqlx::query_as::<_, SnapshotDbRow>(SNAPSHOT.as_str())
                .bind(at)
                .bind(&lo)
                .bind(&hi)
                .fetch(p);
            while let Some(row) = rows.try_next().await.map_err(StoreError::from)? {
                sink(SnapshotRow {
                    person: row.person.into_person(today)?,
                    version: row.version,
                    valid_from: row.valid_from,
                    since: periods
                        .iter()
                        .find(|p| p.finalised_at >= row.valid_from)
                        .map(|p| p.period),
                })?;
                n += 1;
            }
        });
        Ok(n)
    }

    /// What changed in `scope` between two finalised periods, counted by kind, reason and regency.
    pub async fn period_diff(
        &self,
        scope: Scope,
        from: Period,
        to: Period,
    ) -> Result<Vec<DiffLine>, StoreError> {
        let a = self.period(from).await?.finalised_at;
        let b = self.period(to).await?.finalised_at;
        let (lo, hi) = scope.range();
        Ok(with_pool!(&self.pool, p => sqlx::query_as(DIFF.as_str())
            .bind(a)
            .bind(&lo)
            .bind(&hi)
            .bind(b)
            .fetch_all(p)
            .await?))
    }
}

/// Whether `period` is finalised (no proposal can be fixed into it any more).
pub(crate) async fn is_finalised(tx: &mut Tx, period: Period) -> Result<bool, StoreError> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar("select count(*) from period where period = $1")
        .bind(period.to_string())
        .fetch_one(&mut *c)
        .await?);
    Ok(n > 0)
}
