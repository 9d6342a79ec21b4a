//! Scoped reads: export and load of the registry, the civil registry, statistics and history.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use padu_core::{CivilPerson, RegionCode, RegionLevel, RegistryPerson};

use crate::columns::list;
use crate::error::StoreError;
use crate::rows::{CivilRow, PersonRow};
use crate::scope::Scope;
use crate::{Store, with_pool};

/// The registry people of a scope, in export order.
static EXPORT_REGISTRY: LazyLock<String> = LazyLock::new(|| {
    format!(
        "select {} from person where kode_wilayah >= $1 and kode_wilayah < $2 \
         order by kode_wilayah, id_art",
        list::<PersonRow>("")
    )
});

/// One registry person, if in scope.
static REGISTRY_PERSON: LazyLock<String> = LazyLock::new(|| {
    format!(
        "select {} from person where id_art = $1 and kode_wilayah >= $2 and kode_wilayah < $3",
        list::<PersonRow>("")
    )
});

/// The current version of a registry person, if in scope.
static CURRENT_VERSION: LazyLock<String> = LazyLock::new(|| {
    format!(
        "select person_id, version, valid_from, import_run_id, {} from person \
         where id_art = $1 and kode_wilayah >= $2 and kode_wilayah < $3",
        list::<PersonRow>("")
    )
});

/// The past versions of a registry person, oldest first.
static PAST_VERSIONS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "select valid_to, person_id, version, valid_from, import_run_id, {} from person_history \
         where person_id = $1 order by version",
        list::<PersonRow>("")
    )
});

/// The whole civil-registry extract.
static LOAD_CIVIL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "select {} from civil_person order by nik",
        list::<CivilRow>("")
    )
});

/// One version of a person's record.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    /// 1 for the first import, incremented by every import that changed the record.
    pub version: i64,
    /// When this version became current.
    pub valid_from: DateTime<Utc>,
    /// When a later import replaced it; `None` for the current version.
    pub valid_to: Option<DateTime<Utc>>,
    /// The import that wrote this version.
    pub import_id: Option<i64>,
    /// The record as it was.
    pub person: RegistryPerson,
}

#[derive(sqlx::FromRow)]
struct VersionRow {
    person_id: i64,
    version: i64,
    valid_from: DateTime<Utc>,
    import_run_id: Option<i64>,
    #[sqlx(flatten)]
    person: PersonRow,
}

#[derive(sqlx::FromRow)]
struct HistoryRow {
    valid_to: DateTime<Utc>,
    #[sqlx(flatten)]
    version: VersionRow,
}

/// People and households in one region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegionCount {
    /// The region.
    pub code: RegionCode,
    /// Registry members whose village lies in it.
    pub people: u64,
    /// Households whose village (the head's) lies in it.
    pub households: u64,
}

/// The counts of every region of one level below a scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelStats {
    /// The level (regency, district, …).
    pub level: RegionLevel,
    /// Each region of that level holding at least one person or household, by code.
    pub regions: Vec<RegionCount>,
}

/// Counts of the registry within a scope, broken down by every level below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stats {
    /// The scope counted.
    pub scope: Scope,
    /// Registry members in the scope.
    pub people: u64,
    /// Households in the scope.
    pub households: u64,
    /// One entry per level below the scope, top down: a province scope gives
    /// regencies, districts and villages; a village scope gives none.
    pub levels: Vec<LevelStats>,
}

impl Stats {
    /// The breakdown at one level, if that level lies below the scope.
    pub fn level(&self, level: RegionLevel) -> Option<&LevelStats> {
        self.levels.iter().find(|l| l.level == level)
    }
}

/// One recorded import.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ImportRun {
    /// Its id.
    pub import_run_id: i64,
    /// `registry` or `civil`.
    pub kind: String,
    /// The file it read.
    pub source: String,
    /// New records.
    pub new_count: i64,
    /// Changed records.
    pub changed_count: i64,
    /// Unchanged records.
    pub unchanged_count: i64,
    /// When it began.
    pub started_at: DateTime<Utc>,
    /// When it committed.
    pub finished_at: Option<DateTime<Utc>>,
}

const ALL_LEVELS: [RegionLevel; 4] = [
    RegionLevel::Province,
    RegionLevel::Regency,
    RegionLevel::District,
    RegionLevel::Village,
];

impl Store {
    /// Streams the registry people of `scope` to `sink`, ordered by `kode_wilayah` then `id_art`.
    ///
    /// Memory stays bounded whatever the size of the registry. Returns how many
    /// people were passed; the first error of the sink stops the export.
    pub async fn export_registry<F, E>(&self, scope: Scope, mut sink: F) -> Result<u64, E>
    where
        F: FnMut(RegistryPerson) -> Result<(), E>,
        E: From<StoreError>,
    {
        let (lo, hi) = scope.range();
        let today = self.today;
        let mut n = 0u64;
        with_pool!(&self.pool, p => {
            let mut rows = sqlx::query_as::<_, PersonRow>(EXPORT_REGISTRY.as_str())
                .bind(&lo)
                .bind(&hi)
                .fetch(p);
            while let Some(row) = rows.try_next().await.map_err(StoreError::from)? {
                sink(row.into_person(today)?)?;
                n += 1;
            }
        });
        Ok(n)
    }

    /// Every registry person of `scope`, ordered by `kode_wilayah` then `id_art`.
    pub async fn load_registry(&self, scope: Scope) -> Result<Vec<RegistryPerson>, StoreError> {
        let mut out = Vec::new();
        self.export_registry(scope, |p| {
            out.push(p);
            Ok::<(), StoreError>(())
        })
        .await?;
        Ok(out)
    }

    /// One registry person by `id_art`, if it lies within `scope`.
    pub async fn registry_person(
        &self,
        scope: Scope,
        id_art: &str,
    ) -> Result<RegistryPerson, StoreError> {
        let (lo, hi) = scope.range();
        let row: Option<PersonRow> = with_pool!(&self.pool, p => sqlx::query_as(REGISTRY_PERSON.as_str())
            .bind(id_art)
            .bind(&lo)
            .bind(&hi)
            .fetch_optional(p)
            .await?);
        row.ok_or(StoreError::NotFound)?.into_person(self.today)
    }

    /// The whole civil-registry extract, ordered by NIK.
    ///
    /// The one national read of people: the extract is the reference every
    /// registry person is checked against, whatever their region (people move,
    /// and a NIK keeps the district that issued it), so it is read whole.
    pub async fn load_civil(&self) -> Result<Vec<CivilPerson>, StoreError> {
        let today = self.today;
        let mut out = Vec::new();
        with_pool!(&self.pool, p => {
            let mut rows = sqlx::query_as::<_, CivilRow>(LOAD_CIVIL.as_str()).fetch(p);
            while let Some(row) = rows.try_next().await? {
                out.push(row.into_person(today)?);
            }
        });
        Ok(out)
    }

    /// Counts people and households in `scope`, per region at every level below it.
    pub async fn stats(&self, scope: Scope) -> Result<Stats, StoreError> {
        let (lo, hi) = scope.range();
        let people: Vec<(String, i64)> = with_pool!(&self.pool, p => sqlx::query_as(
            "select kode_wilayah, count(*) from person \
             where kode_wilayah >= $1 and kode_wilayah < $2 group by kode_wilayah",
        )
        .bind(&lo)
        .bind(&hi)
        .fetch_all(p)
        .await?);
        let households: Vec<(String, i64)> = with_pool!(&self.pool, p => sqlx::query_as(
            "select kode_wilayah, count(*) from household \
             where kode_wilayah >= $1 and kode_wilayah < $2 group by kode_wilayah",
        )
        .bind(&lo)
        .bind(&hi)
        .fetch_all(p)
        .await?);

        let levels: Vec<RegionLevel> = match scope {
            Scope::National => ALL_LEVELS.to_vec(),
            Scope::Region(r) => ALL_LEVELS.into_iter().filter(|l| *l > r.level()).collect(),
        };
        let mut per_level: Vec<BTreeMap<RegionCode, (u64, u64)>> =
            vec![BTreeMap::new(); levels.len()];
        let mut totals = (0u64, 0u64);
        for (rows, is_household) in [(people, false), (households, true)] {
            for (code, n) in rows {
                let village = RegionCode::parse(&code)
                    .map_err(|e| StoreError::decode("person", "kode_wilayah", e.to_string()))?;
                #[expect(clippy::cast_sign_loss, reason = "a count is never negative")]
                let n = n as u64;
                if is_household {
                    totals.1 += n;
                } else {
                    totals.0 += n;
                }
                for (i, level) in levels.iter().enumerate() {
                    if let Some(c) = village.truncate(*level) {
                        let e = per_level[i].entry(c).or_default();
                        if is_household {
                            e.1 += n;
                        } else {
                            e.0 += n;
                        }
                    }
                }
            }
        }
        Ok(Stats {
            scope,
            people: totals.0,
            households: totals.1,
            levels: levels
                .into_iter()
                .zip(per_level)
                .map(|(level, m)| LevelStats {
                    level,
                    regions: m
                        .into_iter()
                        .map(|(code, (people, households))| RegionCount {
                            code,
                            people,
                            households,
                        })
                        .collect(),
                })
                .collect(),
        })
    }

    /// Every version of a registry person, oldest first; the last entry is the current record.
    ///
    /// The person's current village decides the scope, as for
    /// [`registry_person`](Self::registry_person): [`StoreError::NotFound`] if no
    /// person has this `id_art` within `scope`. A person who moved into the
    /// scope is shown with the versions from before the move.
    pub async fn person_history(
        &self,
        scope: Scope,
        id_art: &str,
    ) -> Result<Vec<HistoryEntry>, StoreError> {
        let (lo, hi) = scope.range();
        let current: Option<VersionRow> = with_pool!(&self.pool, p => sqlx::query_as(CURRENT_VERSION.as_str())
            .bind(id_art)
            .bind(&lo)
            .bind(&hi)
            .fetch_optional(p)
            .await?);
        let current = current.ok_or(StoreError::NotFound)?;
        let past: Vec<HistoryRow> = with_pool!(&self.pool, p => sqlx::query_as(PAST_VERSIONS.as_str())
            .bind(current.person_id)
            .fetch_all(p)
            .await?);
        let today = self.today;
        let entry = |v: VersionRow, valid_to| -> Result<HistoryEntry, StoreError> {
            Ok(HistoryEntry {
                version: v.version,
                valid_from: v.valid_from,
                valid_to,
                import_id: v.import_run_id,
                person: v.person.into_person(today)?,
            })
        };
        let mut out = Vec::with_capacity(past.len() + 1);
        for h in past {
            out.push(entry(h.version, Some(h.valid_to))?);
        }
        out.push(entry(current, None)?);
        Ok(out)
    }

    /// Every import run, most recent first.
    pub async fn import_runs(&self) -> Result<Vec<ImportRun>, StoreError> {
        Ok(with_pool!(&self.pool, p => sqlx::query_as(
            "select import_run_id, kind, source, new_count, changed_count, unchanged_count, \
             started_at, finished_at from import_run order by import_run_id desc",
        )
        .fetch_all(p)
        .await?))
    }
}
