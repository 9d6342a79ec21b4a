//! Name search: every person's normalised name, the phonetic tokens of it and
//! every pair of those tokens, and the lookups that find people by the whole
//! name or by all the tokens of a query.
//!
//! The store does not know how names are normalised (that is the matcher's
//! rule, in `padu-match`); the application gives it the name and the tokens.
//! The pairs are the store's own device: a query of two common tokens (SITI
//! AMINAH) reads the few people having both, under one key, instead of walking
//! every SITI and checking each for AMINAH. Each person's
//! tokens carry the content hash of the version they were made from, so
//! [`Store::name_index_stale`] finds exactly the people whose tokens are
//! missing or out of date after an import or an edit.

use std::sync::LazyLock;

use padu_core::RegionCode;

use crate::Backend;
use crate::bulk::BulkTable;
use crate::columns::row;
use crate::error::StoreError;
use crate::scope::Scope;
use crate::tx::{Tx, on_tx};
use crate::{Store, with_pool};

/// A person whose search tokens are missing or out of date.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StaleName {
    /// Internal id.
    pub person_id: i64,
    /// The name as registered.
    pub nama: String,
    /// Compact village code.
    pub kode_wilayah: String,
    /// Which version the tokens will describe.
    pub content_hash: i64,
}

/// The search entry of one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameTokens {
    /// Internal id.
    pub person_id: i64,
    /// The normalised name, for ranking results.
    pub name_key: String,
    /// Its phonetic tokens (distinct).
    pub tokens: Vec<String>,
    /// Compact village code (tokens are looked up within a scope).
    pub kode_wilayah: String,
    /// The version they describe.
    pub content_hash: i64,
}

/// A person found by name, with the key to rank by.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct NameHit {
    /// Internal id.
    pub person_id: i64,
    /// The normalised name.
    pub name_key: String,
}

row! {
    /// One phonetic token of a person's name.
    struct TokenRow {
        person_id: i64,
        token: String,
        kode_wilayah: String,
    }
}

row! {
    /// A person's normalised name, where they live and the version it was made from.
    struct SearchRow {
        person_id: i64,
        name_key: String,
        kode_wilayah: String,
        content_hash: i64,
    }
}

static TOKENS: BulkTable<TokenRow> = BulkTable::new("person_name_token");
static SEARCH: BulkTable<SearchRow> = BulkTable::new("person_search");

/// Removes the tokens, then the names, of a JSON list of person ids (SQLite, PostgreSQL).
const DELETE_TOKENS: [&str; 2] = [
    "delete from person_name_token where person_id in (select value from json_each($1))",
    "delete from person_name_token where person_id in \
     (select cast(jsonb_array_elements_text(cast($1 as jsonb)) as bigint))",
];
const DELETE_SEARCH: [&str; 2] = [
    "delete from person_search where person_id in (select value from json_each($1))",
    "delete from person_search where person_id in \
     (select cast(jsonb_array_elements_text(cast($1 as jsonb)) as bigint))",
];

/// The most tokens of a query that are looked up; further tokens only rank.
pub const MAX_QUERY_TOKENS: usize = 4;

/// The most tokens of a stored name whose pairs are indexed (15 pairs); a
/// longer name is still found by its single tokens.
const MAX_PAIRED_TOKENS: usize = 6;

/// The index key of two tokens: both, in byte order, joined by a space. Tokens
/// hold no spaces, so a pair key never equals a single token.
fn pair_key(a: &str, b: &str) -> String {
    if a <= b {
        format!("{a} {b}")
    } else {
        format!("{b} {a}")
    }
}

/// Every pair key of the first `max` of `tokens`.
fn pair_keys(tokens: &[&str], max: usize) -> Vec<String> {
    let tokens = &tokens[..tokens.len().min(max)];
    let mut pairs = Vec::new();
    for (i, a) in tokens.iter().enumerate() {
        for b in &tokens[i + 1..] {
            pairs.push(pair_key(a, b));
        }
    }
    pairs
}

impl Store {
    /// Up to `limit` people whose search tokens are missing or describe an older version.
    ///
    /// Unscoped: it serves the index, which every scoped search reads.
    pub async fn name_index_stale(&self, limit: u32) -> Result<Vec<StaleName>, StoreError> {
        Ok(with_pool!(&self.pool, p => sqlx::query_as(
            "select p.person_id, p.nama, p.kode_wilayah, p.content_hash from person p \
             left join person_search s on s.person_id = p.person_id \
             where s.person_id is null or s.content_hash <> p.content_hash \
             order by p.person_id limit $1",
        )
        .bind(i64::from(limit))
        .fetch_all(p)
        .await?))
    }

    /// Replaces the search tokens of these people, in one transaction (bulk
    /// writes: give it a few thousand people at a time).
    pub async fn set_name_tokens(&self, entries: &[NameTokens]) -> Result<(), StoreError> {
        if entries.is_empty() {
            return Ok(());
        }
        let ids = serde_json::to_string(&entries.iter().map(|e| e.person_id).collect::<Vec<_>>())
            .expect("ids serialise");
        let mut tx = Tx::begin(&self.pool).await?;
        for table in [DELETE_TOKENS, DELETE_SEARCH] {
            let sql = match tx.backend() {
                Backend::Sqlite => table[0],
                Backend::Postgres => table[1],
            };
            on_tx!(&mut tx, c => sqlx::query(sql).bind(&ids).execute(&mut *c).await.map(drop)?);
        }
        let tokens = entries
            .iter()
            .flat_map(|e| {
                let own: Vec<&str> = e.tokens.iter().map(String::as_str).collect();
                e.tokens
                    .iter()
                    .cloned()
                    .chain(pair_keys(&own, MAX_PAIRED_TOKENS))
                    .map(|token| TokenRow {
                        person_id: e.person_id,
                        token,
                        kode_wilayah: e.kode_wilayah.clone(),
                    })
            })
            .collect();
        TOKENS.insert(&mut tx, tokens).await?;
        let search = entries
            .iter()
            .map(|e| SearchRow {
                person_id: e.person_id,
                name_key: e.name_key.clone(),
                kode_wilayah: e.kode_wilayah.clone(),
                content_hash: e.content_hash,
            })
            .collect();
        SEARCH.insert(&mut tx, search).await?;
        tx.commit().await
    }

    /// People of `scope` (optionally of a region inside it) whose normalised
    /// name is exactly `name_key`, in region order, up to `limit`.
    pub async fn search_exact_name(
        &self,
        scope: Scope,
        region: Option<RegionCode>,
        name_key: &str,
        limit: u32,
    ) -> Result<Vec<NameHit>, StoreError> {
        let (lo, hi) = scope.range();
        let (rlo, rhi) = region.map_or((lo.clone(), hi.clone()), |r| Scope::Region(r).range());
        let sql = self.pick(&EXACT);
        let packed: Option<String> = with_pool!(&self.pool, p => sqlx::query_scalar(sql)
            .bind(name_key)
            .bind(&lo)
            .bind(&hi)
            .bind(&rlo)
            .bind(&rhi)
            .bind(i64::from(limit))
            .fetch_one(p)
            .await?);
        unpack(packed.as_deref())
    }

    /// People of `scope` (optionally of a region inside it) whose name has
    /// every one of `tokens` (at most [`MAX_QUERY_TOKENS`] are used), in region
    /// order, up to `limit`.
    pub async fn search_names(
        &self,
        scope: Scope,
        region: Option<RegionCode>,
        tokens: &[String],
        limit: u32,
    ) -> Result<Vec<NameHit>, StoreError> {
        let tokens: Vec<&str> = tokens
            .iter()
            .map(String::as_str)
            .take(MAX_QUERY_TOKENS)
            .collect();
        if tokens.is_empty() {
            return Ok(Vec::new());
        }
        let (lo, hi) = scope.range();
        let (rlo, rhi) = region.map_or((lo.clone(), hi.clone()), |r| Scope::Region(r).range());
        // One key drives the search and the query's other tokens are checked per
        // candidate: a single token alone, otherwise the pair of tokens with the
        // fewest people in the region (counted no further than `limit`). A pair
        // of common names is rare, so the cost follows the answer, not SITI.
        let driver = match tokens.len() {
            1 => tokens[0].to_string(),
            2 => pair_key(tokens[0], tokens[1]),
            _ => {
                // Every pair counted in one statement (one round trip); slots
                // past the query's pairs repeat the first pair.
                let pairs = pair_keys(&tokens, MAX_QUERY_TOKENS);
                let slot = |i: usize| pairs.get(i).unwrap_or(&pairs[0]);
                let counts: (i64, i64, i64, i64, i64, i64) = with_pool!(&self.pool, p => sqlx::query_as(PAIR_COUNTS.as_str())
                        .bind(&lo)
                        .bind(&hi)
                        .bind(&rlo)
                        .bind(&rhi)
                        .bind(i64::from(limit) + 1)
                        .bind(slot(0))
                        .bind(slot(1))
                        .bind(slot(2))
                        .bind(slot(3))
                        .bind(slot(4))
                        .bind(slot(5))
                        .fetch_one(p)
                        .await?);
                let counts = [counts.0, counts.1, counts.2, counts.3, counts.4, counts.5];
                pairs
                    .iter()
                    .zip(counts)
                    .min_by_key(|(_, n)| *n)
                    .map(|(pair, _)| pair.clone())
                    .expect("three or more tokens make pairs")
            }
        };
        let covered = |t: &str| driver.split(' ').any(|d| d == t);
        let rest: Vec<&str> = tokens.iter().copied().filter(|t| !covered(t)).collect();
        // Unused slots repeat the driver, whose check is then skipped.
        let other = |i: usize| rest.get(i).copied().unwrap_or(&driver);
        let sql = self.pick(&BY_TOKENS);
        let packed: Option<String> = with_pool!(&self.pool, p => sqlx::query_scalar(sql)
            .bind(&driver)
            .bind(other(0))
            .bind(other(1))
            .bind(&lo)
            .bind(&hi)
            .bind(&rlo)
            .bind(&rhi)
            .bind(i64::from(limit))
            .fetch_one(p)
            .await?);
        unpack(packed.as_deref())
    }

    /// The statement for this store's database.
    fn pick(&self, sql: &'static [String; 2]) -> &'static str {
        match self.backend() {
            Backend::Sqlite => &sql[0],
            Backend::Postgres => &sql[1],
        }
    }
}

/// `inner` (selecting `person_id, name_key`) folded into one text value, one
/// `id name` per line, for SQLite and PostgreSQL.
///
/// One row instead of hundreds: the SQLite driver hands every row from its
/// worker thread to the caller separately, and under load those hand-offs,
/// not the lookups, were most of a search's cost (perf, docs/benchmarks.md).
fn folded(inner: &str) -> [String; 2] {
    [
        format!("select group_concat(person_id || ' ' || name_key, char(10)) from ({inner}) hits"),
        format!(
            "select string_agg(person_id::text || ' ' || name_key, chr(10)) from ({inner}) hits"
        ),
    ]
}

/// How many rows (counted no further than $5) each of six keys ($6–$11) has
/// in two region ranges ($1–$4).
static PAIR_COUNTS: LazyLock<String> = LazyLock::new(|| {
    let count = |slot: usize| {
        format!(
            "(select count(*) from (select 1 from person_name_token where token = ${slot} \
             and kode_wilayah >= $1 and kode_wilayah < $2 \
             and kode_wilayah >= $3 and kode_wilayah < $4 limit $5) c{slot})"
        )
    };
    format!(
        "select {}",
        (6..=11).map(count).collect::<Vec<_>>().join(", ")
    )
});

/// People with exactly a normalised name ($1) in two region ranges, up to $6.
static EXACT: LazyLock<[String; 2]> = LazyLock::new(|| {
    folded(
        "select person_id, name_key from person_search where name_key = $1 \
         and kode_wilayah >= $2 and kode_wilayah < $3 \
         and kode_wilayah >= $4 and kode_wilayah < $5 \
         order by kode_wilayah, person_id limit $6",
    )
});

/// People under the driving key $1 who also have tokens $2 and $3 (a slot equal
/// to $1 is unused), in two region ranges, up to $8.
static BY_TOKENS: LazyLock<[String; 2]> = LazyLock::new(|| {
    folded(
        "select t.person_id, s.name_key from person_name_token t \
         join person_search s on s.person_id = t.person_id \
         where t.token = $1 \
         and t.kode_wilayah >= $4 and t.kode_wilayah < $5 \
         and t.kode_wilayah >= $6 and t.kode_wilayah < $7 \
         and ($2 = $1 or exists (select 1 from person_name_token u \
              where u.person_id = t.person_id and u.token = $2)) \
         and ($3 = $1 or exists (select 1 from person_name_token u \
              where u.person_id = t.person_id and u.token = $3)) \
         order by t.kode_wilayah, t.person_id limit $8",
    )
});

/// The hits of a [`folded`] query.
fn unpack(packed: Option<&str>) -> Result<Vec<NameHit>, StoreError> {
    packed
        .unwrap_or_default()
        .lines()
        .map(|line| {
            let (id, name) = line.split_once(' ').unwrap_or((line, ""));
            Ok(NameHit {
                person_id: id.parse().map_err(|_| {
                    StoreError::decode("person_search", "person_id", line.to_string())
                })?,
                name_key: name.to_string(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_keys_are_in_byte_order_and_cover_every_pair_once() {
        assert_eq!(pair_key("SITI", "AMINAH"), "AMINAH SITI");
        assert_eq!(pair_key("AMINAH", "SITI"), "AMINAH SITI");
        assert_eq!(pair_keys(&["C", "A", "B"], 6), ["A C", "B C", "A B"]);
        assert!(pair_keys(&["A"], 6).is_empty());
        assert_eq!(pair_keys(&["A", "B", "C", "D", "E", "F", "G"], 6).len(), 15);
    }
}
