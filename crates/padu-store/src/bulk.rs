//! Bulk inserts: one generic path that writes a batch of declared rows to a table on either backend.
//!
//! SQLite takes multi-row `insert … values (?, …), (?, …)` statements, as many
//! rows per statement as its bind limit allows for the row's column count.
//! PostgreSQL takes the whole batch in one `insert … select from unnest($1, …)`
//! with one array parameter per column, so its bind count is the column count
//! whatever the batch length. The statement texts are built once per table
//! from the row's [`Columns`] declaration; the only part that depends on the
//! batch is the number of SQLite placeholder groups.

use std::marker::PhantomData;
use std::sync::OnceLock;

use sqlx::AssertSqlSafe;

use crate::Backend;
use crate::columns::{Column, Columns, columns};
use crate::error::StoreError;
use crate::tx::{Conn, Tx};

/// SQLite's default limit on bind parameters per statement.
const SQLITE_MAX_BINDS: usize = 32_766;

/// PostgreSQL's limit on bind parameters per statement (a 16-bit count).
const POSTGRES_MAX_BINDS: usize = 65_535;

/// Rows per SQLite statement at most, whatever the bind limit allows: larger
/// statements measured no faster and take longer to prepare.
const SQLITE_MAX_ROWS: usize = 1_000;

/// A table that rows of type `R` are written to in bulk.
///
/// Declared as a `static`; its statements are built on first use.
pub(crate) struct BulkTable<R> {
    name: &'static str,
    sql: OnceLock<TableSql>,
    row: PhantomData<fn(R)>,
}

/// The statements of one bulk table, built from its row's columns.
pub(crate) struct TableSql {
    /// The table's name.
    pub(crate) name: &'static str,
    /// Its columns, in bind order.
    pub(crate) columns: Vec<Column>,
    /// `insert into t (a, b, …) values `, followed by the placeholder groups.
    sqlite_insert: String,
    /// Rows per SQLite statement: the bind limit divided by the column count, capped.
    sqlite_rows: usize,
    /// The SQLite statement for a full chunk of `sqlite_rows` rows.
    sqlite_full: String,
    /// The PostgreSQL `unnest` insert.
    postgres_insert: String,
}

impl<R: Columns> BulkTable<R> {
    /// The table `name`, whose columns are those of `R`.
    pub(crate) const fn new(name: &'static str) -> Self {
        BulkTable {
            name,
            sql: OnceLock::new(),
            row: PhantomData,
        }
    }

    /// Its statements.
    pub(crate) fn sql(&'static self) -> &'static TableSql {
        self.sql
            .get_or_init(|| TableSql::new(self.name, columns::<R>()))
    }

    /// Inserts `rows` in as few statements as the backend allows.
    pub(crate) async fn insert(&'static self, tx: &mut Tx, rows: Vec<R>) -> Result<(), StoreError> {
        if rows.is_empty() {
            return Ok(());
        }
        let sql = self.sql();
        match &mut tx.conn {
            Conn::Sqlite(t) => {
                for chunk in rows.chunks(sql.sqlite_rows) {
                    let mut q = if chunk.len() == sql.sqlite_rows {
                        sqlx::query(sql.sqlite_full.as_str())
                    } else {
                        sqlx::query(AssertSqlSafe(sql.sqlite_partial(chunk.len())))
                    };
                    for r in chunk {
                        q = r.bind_row(q);
                    }
                    q.execute(&mut **t).await?;
                }
            }
            Conn::Postgres(t) => {
                R::bind_arrays(rows, sqlx::query(sql.postgres_insert.as_str()))
                    .execute(&mut **t)
                    .await?;
            }
        }
        Ok(())
    }
}

impl TableSql {
    fn new(name: &'static str, columns: Vec<Column>) -> TableSql {
        let n = columns.len();
        assert!(
            0 < n && n <= SQLITE_MAX_BINDS && n <= POSTGRES_MAX_BINDS,
            "{name}: {n} columns do not fit one row in a statement"
        );
        let names: Vec<&str> = columns.iter().map(|c| c.name).collect();
        let names = names.join(", ");
        let arrays: Vec<String> = columns
            .iter()
            .zip(1..)
            .map(|(c, i)| format!("${i}::{}", c.sql.postgres_array()))
            .collect();
        let sqlite_rows = (SQLITE_MAX_BINDS / n).min(SQLITE_MAX_ROWS);
        let sqlite_insert = format!("insert into {name} ({names}) values ");
        let sqlite_full = format!("{sqlite_insert}{}", sqlite_values(n, sqlite_rows));
        TableSql {
            name,
            sqlite_insert,
            sqlite_rows,
            sqlite_full,
            postgres_insert: format!(
                "insert into {name} ({names}) select * from unnest({})",
                arrays.join(", ")
            ),
            columns,
        }
    }

    /// The SQLite statement for a last chunk of `rows` rows.
    fn sqlite_partial(&self, rows: usize) -> String {
        format!(
            "{}{}",
            self.sqlite_insert,
            sqlite_values(self.columns.len(), rows)
        )
    }

    /// `create temp table …` with these columns, for a staging table private to one transaction.
    ///
    /// On PostgreSQL the table is dropped at commit; a SQLite temporary table
    /// lives as long as its (pooled) connection, so the caller drops it.
    pub(crate) fn create_temp(&self, backend: Backend) -> String {
        let defs: Vec<String> = self
            .columns
            .iter()
            .map(|c| {
                let ty = match backend {
                    Backend::Sqlite => c.sql.sqlite(),
                    Backend::Postgres => c.sql.postgres(),
                };
                let null = if c.nullable { "" } else { " not null" };
                format!("{} {ty}{null}", c.name)
            })
            .collect();
        let drop = match backend {
            Backend::Sqlite => "",
            Backend::Postgres => " on commit drop",
        };
        format!(
            "create temp table {} ({}){drop}",
            self.name,
            defs.join(", ")
        )
    }
}

/// `(?, ?, …), (?, ?, …)`: the placeholder groups of a SQLite multi-row insert.
fn sqlite_values(columns: usize, rows: usize) -> String {
    let group = format!("({})", vec!["?"; columns].join(", "));
    vec![group; rows].join(", ")
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::columns::row;

    row! {
        struct Pair {
            a: i64,
            b: Option<NaiveDate>,
        }
    }

    static PAIRS: BulkTable<Pair> = BulkTable::new("pair");

    #[test]
    fn sqlite_placeholder_groups_match_the_column_count() {
        assert_eq!(sqlite_values(3, 2), "(?, ?, ?), (?, ?, ?)");
    }

    #[test]
    fn statements_follow_the_declared_columns() {
        let sql = PAIRS.sql();
        assert_eq!(
            sql.sqlite_full,
            format!("insert into pair (a, b) values {}", sqlite_values(2, 1_000))
        );
        assert_eq!(
            sql.postgres_insert,
            "insert into pair (a, b) select * from unnest($1::bigint[], $2::date[])"
        );
        assert_eq!(
            sql.create_temp(Backend::Sqlite),
            "create temp table pair (a integer not null, b text)"
        );
        assert_eq!(
            sql.create_temp(Backend::Postgres),
            "create temp table pair (a bigint not null, b date) on commit drop"
        );
    }

    #[test]
    fn sqlite_chunks_stay_within_the_bind_limit() {
        let wide = TableSql::new(
            "wide",
            vec![
                Column {
                    name: "x",
                    sql: crate::columns::SqlType::Text,
                    nullable: true,
                };
                100
            ],
        );
        assert_eq!(wide.sqlite_rows, 327);
        assert!(wide.sqlite_rows * 100 <= SQLITE_MAX_BINDS);
    }
}
