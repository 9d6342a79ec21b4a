//! Browsing and correcting the registry: member lists with keyset pagination,
//! search, households, one member with its latest finding, and an edit that
//! keeps the previous version and writes its audit entry in the same transaction.
//!
//! Every function here takes a [`Scope`]; a record outside it is
//! [`StoreError::NotFound`], exactly like a record that does not exist.

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, Utc};
use padu_core::{Action, Flag, NikStatus, RegionCode, RegistryPerson, VerificationRow};

use crate::audit_log::{NewAuditEntry, insert_audit};
use crate::columns::{Columns, columns, list};
use crate::error::StoreError;
use crate::findings::{Finding, FindingRow, upsert_finding};
use crate::rows::PersonRow;
use crate::scope::Scope;
use crate::tx::{Conn, Tx, on_tx};
use crate::{Backend, Pool, Store, with_pool};

/// Which members a list shows; every part is optional and they combine with "and".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberFilter {
    /// A region inside the scope to narrow to (a district, a village).
    pub region: Option<RegionCode>,
    /// Only members whose latest finding has this NIK status.
    pub status: Option<NikStatus>,
    /// Only members whose latest finding carries this flag.
    pub flag: Option<Flag>,
    /// Only members with this proposed action.
    pub tindakan: Option<Action>,
    /// Only members whose NIK cell is exactly this text.
    pub nik: Option<String>,
    /// Only members whose No KK cell is exactly this text.
    pub no_kk: Option<String>,
    /// Only these people (the candidates of a name search).
    pub person_ids: Option<Vec<i64>>,
}

/// Where a page of members starts: after this member in list order
/// (village, then name, then `id_art`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberCursor {
    /// Compact village code of the last member shown.
    pub kode_wilayah: String,
    /// Name of the last member shown.
    pub nama: String,
    /// `id_art` of the last member shown.
    pub id_art: String,
}

/// One line of a member list.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberSummary {
    /// Internal id (for search ranking; never shown).
    pub person_id: i64,
    /// The registry record.
    pub person: RegistryPerson,
    /// The latest finding, if the person was ever verified.
    pub finding: Option<Finding>,
}

/// A member with what the member page shows about the record itself.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberDetail {
    /// Internal id.
    pub person_id: i64,
    /// The current version number; an edit must name it (optimistic locking).
    pub version: i64,
    /// When this version became current.
    pub valid_from: DateTime<Utc>,
    /// The account that wrote this version through the application, if one did.
    pub changed_by: Option<String>,
    /// The reason given for that change.
    pub change_reason: Option<String>,
    /// The record.
    pub person: RegistryPerson,
    /// The latest finding.
    pub finding: Option<Finding>,
}

/// A household and its members.
#[derive(Debug, Clone, PartialEq)]
pub struct Household {
    /// Its id in the registry.
    pub id_keluarga: String,
    /// The family card number as stored.
    pub no_kk: String,
    /// Its village.
    pub kode_wilayah: RegionCode,
    /// Street address.
    pub alamat: Option<String>,
    /// RT.
    pub rt: Option<String>,
    /// RW.
    pub rw: Option<String>,
    /// Members: the head first, then by relation and name.
    pub members: Vec<MemberSummary>,
}

/// Who makes a change, for the audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The account.
    pub app_user_id: i64,
    /// Its username, copied into the audit entry.
    pub username: String,
    /// The address the request came from.
    pub ip: String,
}

/// A list line: read as a row, or from a [`folded`] page as
/// `[person_id, [person columns…], [finding columns…]]`.
#[derive(sqlx::FromRow, serde::Deserialize)]
struct SummaryRow {
    person_id: i64,
    #[sqlx(flatten)]
    person: PersonRow,
    #[sqlx(flatten)]
    finding: FindingRow,
}

#[derive(sqlx::FromRow)]
struct DetailRow {
    person_id: i64,
    version: i64,
    valid_from: DateTime<Utc>,
    changed_by: Option<String>,
    change_reason: Option<String>,
    #[sqlx(flatten)]
    person: PersonRow,
    #[sqlx(flatten)]
    finding: FindingRow,
}

/// The name column as lists order it: bytewise on both backends, so pages
/// come out in the same order everywhere (and PostgreSQL uses the index
/// declared with the same collation).
fn name_order(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "p.nama",
        Backend::Postgres => "p.nama collate \"C\"",
    }
}

/// The filters of [`MemberFilter`] as fixed SQL with bound values: an absent
/// filter binds null and its clause is true. Parameters `$1`–`$2` are the scope
/// range, `$3`–`$4` the narrower region's range, `$5`–`$10` the filters.
const FILTERS: &str = "p.kode_wilayah >= $1 and p.kode_wilayah < $2 \
    and p.kode_wilayah >= $3 and p.kode_wilayah < $4 \
    and (cast($5 as text) is null or f.status = $5) \
    and (cast($6 as text) is null or f.flags like $6) \
    and (cast($7 as text) is null or f.tindakan = $7) \
    and (cast($8 as text) is null or p.nik = $8) \
    and (cast($9 as text) is null or p.no_kk = $9)";

/// The list restricted to given people ($10, a JSON array of ids), or not.
///
/// Two statements rather than one `$10 is null or …` clause: with the
/// optional form the planners walk the whole region's index and test every
/// person against the list, which on 1M people made each name search take
/// seconds; the required form starts from the listed ids (docs/benchmarks.md).
fn person_ids_clause(backend: Backend, by_ids: bool) -> &'static str {
    match (backend, by_ids) {
        (_, false) => "and cast($10 as text) is null",
        (Backend::Sqlite, true) => "and p.person_id in (select value from json_each($10))",
        (Backend::Postgres, true) => {
            "and p.person_id in \
             (select cast(jsonb_array_elements_text(cast($10 as jsonb)) as bigint))"
        }
    }
}

fn member_select(backend: Backend, after: bool, by_ids: bool) -> String {
    let order = name_order(backend);
    let keyset = if after {
        format!("and (p.kode_wilayah, {order}, p.id_art) > ($11, $12, $13)")
    } else {
        String::new()
    };
    format!(
        "select p.person_id, {person}, {finding} from person p \
         left join person_finding f on f.id_art = p.id_art \
         where {FILTERS} {ids} {keyset} \
         order by p.kode_wilayah, {order}, p.id_art limit $14",
        person = list::<PersonRow>("p"),
        finding = FindingRow::select("f"),
        ids = person_ids_clause(backend, by_ids),
    )
}

static LIST_FIRST: LazyLock<[String; 2]> = LazyLock::new(|| {
    [
        member_select(Backend::Sqlite, false, false),
        member_select(Backend::Postgres, false, false),
    ]
});
static LIST_AFTER: LazyLock<[String; 2]> = LazyLock::new(|| {
    [
        member_select(Backend::Sqlite, true, false),
        member_select(Backend::Postgres, true, false),
    ]
});
/// A page of [`member_select`] by ids on SQLite as one JSON array of
/// [`SummaryRow`]s, one value instead of a row per member.
///
/// The SQLite driver copies every value of every row and hands each row from
/// its worker thread to the caller separately; for the name search's page of
/// 50 people by id those copies and hand-offs cost more than the lookups
/// (perf, docs/benchmarks.md). PostgreSQL reads the rows as they are: its
/// driver has no such hand-off, and building the JSON there made searches
/// slower, since the database shares the server's cores (measured). Plain
/// list pages stay rows on both.
fn folded(after: bool) -> String {
    let inner = member_select(Backend::Sqlite, after, true);
    let person: Vec<&str> = columns::<PersonRow>().iter().map(|c| c.name).collect();
    let finding = FindingRow::aliases();
    format!(
        "select json_group_array(json_array(person_id, json_array({}), json_array({}))) \
         from ({inner}) page",
        person.join(", "),
        finding.join(", "),
    )
}

static LIST_IDS_FIRST: LazyLock<[String; 2]> =
    LazyLock::new(|| [folded(false), member_select(Backend::Postgres, false, true)]);
static LIST_IDS_AFTER: LazyLock<[String; 2]> =
    LazyLock::new(|| [folded(true), member_select(Backend::Postgres, true, true)]);

fn by_backend(sql: &[String; 2], backend: Backend) -> &str {
    match backend {
        Backend::Sqlite => &sql[0],
        Backend::Postgres => &sql[1],
    }
}

static MEMBER_DETAIL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "select p.person_id, p.version, p.valid_from, u.username as changed_by, p.change_reason, \
         {person}, {finding} from person p \
         left join person_finding f on f.id_art = p.id_art \
         left join app_user u on u.app_user_id = p.changed_by_app_user_id \
         where p.id_art = $1 and p.kode_wilayah >= $2 and p.kode_wilayah < $3",
        person = list::<PersonRow>("p"),
        finding = FindingRow::select("f"),
    )
});

static HOUSEHOLD_MEMBERS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "select p.person_id, {person}, {finding} from person p \
         left join person_finding f on f.id_art = p.id_art \
         where p.id_keluarga = $1 and p.kode_wilayah >= $2 and p.kode_wilayah < $3 \
         order by case when p.hubungan_keluarga = 'KEPALA KELUARGA' then 0 else 1 end, \
         p.tgl_lahir, p.id_art",
        person = list::<PersonRow>("p"),
        finding = FindingRow::select("f"),
    )
});

/// The history copy and update of an edit: the same columns an import writes,
/// plus who changed the record and why.
static EDIT_HISTORY: LazyLock<String> = LazyLock::new(|| {
    format!(
        "insert into person_history (person_id, version, {all}, valid_from, valid_to, import_run_id, \
         changed_by_app_user_id, change_reason, created_at, updated_at) \
         select person_id, version, {all}, valid_from, $1, import_run_id, \
         changed_by_app_user_id, change_reason, $1, $1 from person where person_id = $2",
        all = list::<PersonRow>("")
    )
});

/// The update of an edit, per backend: SQLite binds the new values as scalars,
/// PostgreSQL as one-element arrays (the form the bulk writer binds rows in).
static EDIT_UPDATE: LazyLock<[String; 2]> = LazyLock::new(|| {
    let cols = columns::<PersonRow>();
    let names = list::<PersonRow>("");
    let scalars: Vec<String> = (0..cols.len()).map(|i| format!("${}", i + 6)).collect();
    let arrays: Vec<String> = cols
        .iter()
        .zip(6..)
        .map(|(c, i)| format!("${i}::{}", c.sql.postgres_array()))
        .collect();
    let tail = "version = version + 1, valid_from = $1, import_run_id = null, \
        changed_by_app_user_id = $2, change_reason = $3, updated_at = $1 \
        where person_id = $4 and version = $5";
    [
        format!(
            "update person set ({names}) = ({}), {tail}",
            scalars.join(", ")
        ),
        format!(
            "update person set ({names}) = (select * from unnest({})), {tail}",
            arrays.join(", ")
        ),
    ]
});

impl Store {
    /// One page of members of `scope` matching `filter`, in list order
    /// (village, name, `id_art`), starting after `after`.
    ///
    /// Keyset pagination: page 500 costs what page 1 costs.
    pub async fn members(
        &self,
        scope: Scope,
        filter: &MemberFilter,
        after: Option<&MemberCursor>,
        limit: u32,
    ) -> Result<Vec<MemberSummary>, StoreError> {
        let (lo, hi) = scope.range();
        let (rlo, rhi) = match filter.region {
            Some(r) => Scope::Region(r).range(),
            None => (lo.clone(), hi.clone()),
        };
        let flag = filter.flag.map(|f| format!("%{}%", f.as_str()));
        let ids = filter
            .person_ids
            .as_ref()
            .map(|v| serde_json::to_string(v).expect("ids serialise"));
        let backend = self.backend();
        let sql = match (after, ids.is_some()) {
            (None, false) => by_backend(&LIST_FIRST, backend),
            (Some(_), false) => by_backend(&LIST_AFTER, backend),
            (None, true) => by_backend(&LIST_IDS_FIRST, backend),
            (Some(_), true) => by_backend(&LIST_IDS_AFTER, backend),
        };
        // The keyset already implies `kode_wilayah >= cursor's`; saying so in
        // the first range bound lets SQLite seek to the cursor instead of
        // walking the index from the start of the scope (measured: page 500
        // of 1M people went from ~5 ms to under 1 ms alone, docs/benchmarks.md).
        let lo = match after {
            Some(c) if c.kode_wilayah > lo => c.kode_wilayah.clone(),
            _ => lo,
        };
        let today = self.today;
        macro_rules! bound {
            ($q:expr) => {{
                let mut q = $q
                    .bind(&lo)
                    .bind(&hi)
                    .bind(&rlo)
                    .bind(&rhi)
                    .bind(filter.status.map(|s| s.as_str()))
                    .bind(flag.as_deref())
                    .bind(filter.tindakan.map(|a| a.as_str()))
                    .bind(filter.nik.as_deref())
                    .bind(filter.no_kk.as_deref())
                    .bind(ids.as_deref());
                if let Some(c) = after {
                    q = q.bind(&c.kode_wilayah).bind(&c.nama).bind(&c.id_art);
                } else {
                    q = q.bind(None::<&str>).bind(None::<&str>).bind(None::<&str>);
                }
                q.bind(i64::from(limit))
            }};
        }
        let rows: Vec<SummaryRow> = if let (Pool::Sqlite(p), Some(_)) = (&self.pool, &ids) {
            let packed: String = bound!(sqlx::query_scalar(sql)).fetch_one(p).await?;
            // The error's kind and position only: its message may quote a value.
            let mut rows: Vec<SummaryRow> = serde_json::from_str(&packed).map_err(|e| {
                StoreError::decode(
                    "person",
                    "*",
                    format!("{:?} at column {}", e.classify(), e.column()),
                )
            })?;
            // Aggregates promise no order; the list's is restored here
            // (bytewise names, as `name_order` sorts them).
            rows.sort_by(|a, b| {
                (&a.person.kode_wilayah, &a.person.nama, &a.person.id_art).cmp(&(
                    &b.person.kode_wilayah,
                    &b.person.nama,
                    &b.person.id_art,
                ))
            });
            rows
        } else {
            with_pool!(&self.pool, p => bound!(sqlx::query_as(sql)).fetch_all(p).await?)
        };
        rows.into_iter()
            .map(|r| {
                Ok(MemberSummary {
                    person_id: r.person_id,
                    person: r.person.into_person(today)?,
                    finding: r.finding.into_finding()?,
                })
            })
            .collect()
    }

    /// One member with its version, last editor and latest finding.
    pub async fn member(&self, scope: Scope, id_art: &str) -> Result<MemberDetail, StoreError> {
        let (lo, hi) = scope.range();
        let row: Option<DetailRow> = with_pool!(&self.pool, p => sqlx::query_as(MEMBER_DETAIL.as_str())
            .bind(id_art)
            .bind(&lo)
            .bind(&hi)
            .fetch_optional(p)
            .await?);
        let r = row.ok_or(StoreError::NotFound)?;
        Ok(MemberDetail {
            person_id: r.person_id,
            version: r.version,
            valid_from: r.valid_from,
            changed_by: r.changed_by,
            change_reason: r.change_reason,
            person: r.person.into_person(self.today)?,
            finding: r.finding.into_finding()?,
        })
    }

    /// A household with its members in `scope`; [`StoreError::NotFound`] when
    /// it does not exist or none of it lies in `scope`.
    pub async fn household(
        &self,
        scope: Scope,
        id_keluarga: &str,
    ) -> Result<Household, StoreError> {
        let (lo, hi) = scope.range();
        #[derive(sqlx::FromRow)]
        struct HouseholdRow {
            id_keluarga: String,
            no_kk: String,
            kode_wilayah: String,
            alamat: Option<String>,
            rt: Option<String>,
            rw: Option<String>,
        }
        let h: Option<HouseholdRow> = with_pool!(&self.pool, p => sqlx::query_as(
            "select id_keluarga, no_kk, kode_wilayah, alamat, rt, rw from household \
             where id_keluarga = $1 and kode_wilayah >= $2 and kode_wilayah < $3",
        )
        .bind(id_keluarga)
        .bind(&lo)
        .bind(&hi)
        .fetch_optional(p)
        .await?);
        let h = h.ok_or(StoreError::NotFound)?;
        let rows: Vec<SummaryRow> = with_pool!(&self.pool, p => sqlx::query_as(HOUSEHOLD_MEMBERS.as_str())
            .bind(id_keluarga)
            .bind(&lo)
            .bind(&hi)
            .fetch_all(p)
            .await?);
        let today = self.today;
        Ok(Household {
            kode_wilayah: RegionCode::parse(&h.kode_wilayah)
                .map_err(|e| StoreError::decode("household", "kode_wilayah", e.to_string()))?,
            id_keluarga: h.id_keluarga,
            no_kk: h.no_kk,
            alamat: h.alamat,
            rt: h.rt,
            rw: h.rw,
            members: rows
                .into_iter()
                .map(|r| {
                    Ok(MemberSummary {
                        person_id: r.person_id,
                        person: r.person.into_person(today)?,
                        finding: r.finding.into_finding()?,
                    })
                })
                .collect::<Result<_, StoreError>>()?,
        })
    }

    /// Replaces a member's record with `person` (same `id_art`), if its current
    /// version is still `expected_version`; keeps the old version in the
    /// history, records who and why, appends the audit entry and, when given,
    /// stores the re-check's finding, all in one transaction.
    ///
    /// [`StoreError::NotFound`] outside `scope` (the new village must lie in it
    /// too); [`StoreError::Stale`] when someone else changed the record first.
    pub async fn update_member(
        &self,
        scope: Scope,
        expected_version: i64,
        person: &RegistryPerson,
        actor: &Actor,
        reason: &str,
        recheck: Option<&VerificationRow>,
    ) -> Result<MemberDetail, StoreError> {
        if !scope.contains(person.kode_wilayah) {
            return Err(StoreError::NotFound);
        }
        let before = self.member(scope, &person.id_art).await?;
        if before.version != expected_version {
            return Err(StoreError::Stale {
                current_version: before.version,
            });
        }
        let now = Utc::now();
        let mut tx = Tx::begin(&self.pool).await?;
        let updated = write_version(
            &mut tx,
            before.person_id,
            expected_version,
            person,
            actor.app_user_id,
            reason,
            now,
        )
        .await?;
        if !updated {
            // Changed between the read above and this write.
            tx.rollback().await?;
            let current = self.member(scope, &person.id_art).await?;
            return Err(StoreError::Stale {
                current_version: current.version,
            });
        }
        let entry = NewAuditEntry {
            kode_wilayah: Some(person.kode_wilayah.compact()),
            entity: Some("person".into()),
            entity_id: Some(person.id_art.to_string()),
            before_value: Some(person_json(&before.person)),
            after_value: Some(person_json(person)),
            reason: Some(reason.to_string()),
            ..NewAuditEntry::by(actor, now, "member.update")
        };
        insert_audit(&mut tx, &entry).await?;
        // A member moved to another village leaves the old one's counts too.
        tx.touch(&before.person.kode_wilayah.compact(), now);
        if let Some(r) = recheck {
            upsert_finding(&mut tx, r, None, now).await?;
        }
        tx.commit().await?;
        self.member(scope, &person.id_art).await
    }
}

/// Writes `person` as the next version of record `person_id` if it is still
/// at `expected_version`, keeping the old version in the history with who
/// and why; `false` when the record moved on (nothing is written then).
pub(crate) async fn write_version(
    tx: &mut Tx,
    person_id: i64,
    expected_version: i64,
    person: &RegistryPerson,
    app_user_id: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let row = PersonRow::from_person(person);
    on_tx!(tx, c => sqlx::query(EDIT_HISTORY.as_str())
        .bind(now)
        .bind(person_id)
        .execute(&mut *c)
        .await.map(drop)?);
    let updated = match &mut tx.conn {
        Conn::Sqlite(t) => {
            let q = sqlx::query(EDIT_UPDATE[0].as_str())
                .bind(now)
                .bind(app_user_id)
                .bind(reason)
                .bind(person_id)
                .bind(expected_version);
            row.bind_row(q).execute(&mut **t).await?.rows_affected()
        }
        Conn::Postgres(t) => {
            let q = sqlx::query(EDIT_UPDATE[1].as_str())
                .bind(now)
                .bind(app_user_id)
                .bind(reason)
                .bind(person_id)
                .bind(expected_version);
            PersonRow::bind_arrays(vec![row], q)
                .execute(&mut **t)
                .await?
                .rows_affected()
        }
    };
    Ok(updated > 0)
}

/// A person's fields as JSON for the audit trail's before and after values.
pub(crate) fn person_json(p: &RegistryPerson) -> String {
    let tgl: NaiveDate = p.tgl_lahir;
    serde_json::json!({
        "id_art": p.id_art,
        "id_keluarga": p.id_keluarga,
        "no_kk": p.no_kk.to_cell(),
        "nik": p.nik.to_cell(),
        "nama": p.nama,
        "jenis_kelamin": p.jenis_kelamin.as_str(),
        "tempat_lahir": p.tempat_lahir,
        "tgl_lahir": tgl.to_string(),
        "hubungan_keluarga": p.hubungan_keluarga.map(|r| r.as_str()),
        "nama_ibu_kandung": p.nama_ibu_kandung,
        "alamat": p.alamat,
        "rt": p.rt,
        "rw": p.rw,
        "kode_wilayah": p.kode_wilayah.compact(),
    })
    .to_string()
}
