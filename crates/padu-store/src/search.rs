//! Name search: the phonetic tokens of every person's normalised name, and
//! the lookup that finds people having all the tokens of a query.
//!
//! The store does not know how names are normalised (that is the matcher's
//! rule, in `padu-match`); the application gives it the tokens. Each person's
//! tokens carry the content hash of the version they were made from, so
//! [`Store::name_index_stale`] finds exactly the people whose tokens are
//! missing or out of date after an import or an edit.

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
    /// A person's normalised name and the version it was made from.
    struct SearchRow {
        person_id: i64,
        name_key: String,
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

/// How far a token's matches are counted when choosing the rarest: past this, it is common.
const RARITY_CAP: i64 = 20_000;

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
                e.tokens.iter().map(|t| TokenRow {
                    person_id: e.person_id,
                    token: t.clone(),
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
                content_hash: e.content_hash,
            })
            .collect();
        SEARCH.insert(&mut tx, search).await?;
        tx.commit().await
    }

    /// People of `scope` (optionally of a region inside it) whose name has
    /// every one of `tokens` (at most [`MAX_QUERY_TOKENS`] are used), up to `limit`.
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
        let (rlo, rhi) = match region {
            Some(r) => Scope::Region(r).range(),
            None => (lo.clone(), hi.clone()),
        };
        // Drive the search from the rarest token in the region (counted up to a
        // cap, through the token index) and check the others per candidate: a
        // common first name (SITI, MUHAMMAD) then never decides the cost.
        // Measured on 1M people: the former group-by over every token's rows
        // took seconds for two common tokens (docs/benchmarks.md).
        let mut counted = Vec::with_capacity(tokens.len());
        for t in &tokens {
            let n: i64 = with_pool!(&self.pool, p => sqlx::query_scalar(
                "select count(*) from (select 1 from person_name_token \
                 where token = $1 and kode_wilayah >= $2 and kode_wilayah < $3 limit $4) c",
            )
            .bind(*t)
            .bind(&rlo)
            .bind(&rhi)
            .bind(RARITY_CAP)
            .fetch_one(p)
            .await?);
            counted.push((n, *t));
        }
        counted.sort_unstable();
        let rarest = counted[0].1;
        // Unused slots repeat the rarest token, whose check is then skipped.
        let other = |i: usize| counted.get(i).map_or(rarest, |c| c.1);
        Ok(with_pool!(&self.pool, p => sqlx::query_as(
            "select t.person_id, s.name_key from person_name_token t \
             join person_search s on s.person_id = t.person_id \
             where t.token = $1 \
             and t.kode_wilayah >= $5 and t.kode_wilayah < $6 \
             and t.kode_wilayah >= $7 and t.kode_wilayah < $8 \
             and ($2 = $1 or exists (select 1 from person_name_token u \
                  where u.person_id = t.person_id and u.token = $2)) \
             and ($3 = $1 or exists (select 1 from person_name_token u \
                  where u.person_id = t.person_id and u.token = $3)) \
             and ($4 = $1 or exists (select 1 from person_name_token u \
                  where u.person_id = t.person_id and u.token = $4)) \
             order by t.kode_wilayah, t.person_id limit $9",
        )
        .bind(rarest)
        .bind(other(1))
        .bind(other(2))
        .bind(other(3))
        .bind(&lo)
        .bind(&hi)
        .bind(&rlo)
        .bind(&rhi)
        .bind(i64::from(limit))
        .fetch_all(p)
        .await?))
    }
}
