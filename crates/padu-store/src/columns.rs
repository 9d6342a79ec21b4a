//! Column declarations: each stored row type names its columns once, and
//! everything that depends on the list is derived from that one declaration.
//!
//! A row type is declared with [`row!`]: a struct whose fields are columns, in
//! order. The macro implements [`Columns`] for it, which gives the column names
//! and SQL types (for staging tables, select lists and merge statements), binds
//! one row to a SQLite multi-row insert, binds a batch column-wise to a
//! PostgreSQL `unnest` insert, and feeds the content to the content hash. A
//! field may itself be a declared row (written `#[sqlx(flatten)]` when the
//! struct is also read back), whose columns then stand in its place.

use chrono::NaiveDate;
use sqlx::postgres::PgArguments;
use sqlx::query::Query;
use sqlx::sqlite::SqliteArguments;
use sqlx::{Postgres, Sqlite};

/// A statement of a SQLite multi-row insert, one row bound at a time.
pub(crate) type SqliteQuery<'q> = Query<'q, Sqlite, SqliteArguments>;

/// A statement of a PostgreSQL `unnest` insert, one array bound per column.
pub(crate) type PgQuery<'q> = Query<'q, Postgres, PgArguments>;

/// How a column is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SqlType {
    /// A 64-bit integer.
    Integer,
    /// A double-precision float.
    Real,
    /// Text.
    Text,
    /// A calendar date (ISO-8601 text on SQLite).
    Date,
}

impl SqlType {
    /// The column type on SQLite.
    pub(crate) fn sqlite(self) -> &'static str {
        match self {
            SqlType::Integer => "integer",
            SqlType::Real => "real",
            SqlType::Text | SqlType::Date => "text",
        }
    }

    /// The column type on PostgreSQL.
    ///
    /// Text is `collate "C"`: the staging columns are only compared for equality
    /// or joined with the registry's `"C"` identifier columns, and a bytewise
    /// collation keeps those joins on the indexes.
    pub(crate) fn postgres(self) -> &'static str {
        match self {
            SqlType::Integer => "bigint",
            SqlType::Real => "double precision",
            SqlType::Text => "text collate \"C\"",
            SqlType::Date => "date",
        }
    }

    /// The array type an `unnest` parameter of this column is cast to.
    pub(crate) fn postgres_array(self) -> &'static str {
        match self {
            SqlType::Integer => "bigint[]",
            SqlType::Real => "float8[]",
            SqlType::Text => "text[]",
            SqlType::Date => "date[]",
        }
    }
}

/// One column of a declared row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Column {
    /// Its name, the field's name.
    pub(crate) name: &'static str,
    /// How it is stored.
    pub(crate) sql: SqlType,
    /// Whether it may hold null (the field is an `Option`).
    pub(crate) nullable: bool,
}

/// A value stored in one column, or a declared row stored in several.
pub(crate) trait Columns: Sized {
    /// Appends the columns this value fills; `name` is its field's name, which
    /// a declared row ignores in favour of its own fields' names.
    fn describe(name: &'static str, out: &mut Vec<Column>);

    /// Binds this value's columns as part of one row of a multi-row insert.
    fn bind_row<'q>(&self, q: SqliteQuery<'q>) -> SqliteQuery<'q>;

    /// Binds `values` column-wise: one array per column, in column order.
    fn bind_arrays<'q>(values: Vec<Self>, q: PgQuery<'q>) -> PgQuery<'q>;

    /// Feeds this value's content to a content hash.
    fn hash(&self, h: &mut Fnv);
}

/// The columns of a declared row type, in order.
pub(crate) fn columns<R: Columns>() -> Vec<Column> {
    let mut out = Vec::new();
    R::describe("", &mut out);
    out
}

/// `a, b, c`, or `s.a, s.b, s.c` with an `alias`: the column names of a row type.
pub(crate) fn list<R: Columns>(alias: &str) -> String {
    let names: Vec<String> = columns::<R>()
        .iter()
        .map(|c| match alias {
            "" => c.name.to_string(),
            a => format!("{a}.{}", c.name),
        })
        .collect();
    names.join(", ")
}

/// `a = s.a, b = s.b`: every column of a row type but `key`, set from the row `from`.
pub(crate) fn assignments<R: Columns>(key: &str, from: &str) -> String {
    let sets: Vec<String> = columns::<R>()
        .iter()
        .filter(|c| c.name != key)
        .map(|c| format!("{0} = {from}.{0}", c.name))
        .collect();
    sets.join(", ")
}

/// Declares a row type: a struct whose fields are its columns, in order, and its [`Columns`] implementation.
macro_rules! row {
    (
        $(#[$meta:meta])*
        struct $name:ident {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        pub(crate) struct $name {
            $( $(#[$fmeta])* pub(crate) $field: $ty, )*
        }

        impl $crate::columns::Columns for $name {
            fn describe(_: &'static str, out: &mut Vec<$crate::columns::Column>) {
                $( <$ty as $crate::columns::Columns>::describe(stringify!($field), out); )*
            }

            fn bind_row<'q>(
                &self,
                q: $crate::columns::SqliteQuery<'q>,
            ) -> $crate::columns::SqliteQuery<'q> {
                $( let q = $crate::columns::Columns::bind_row(&self.$field, q); )*
                q
            }

            fn bind_arrays<'q>(
                values: Vec<Self>,
                q: $crate::columns::PgQuery<'q>,
            ) -> $crate::columns::PgQuery<'q> {
                $( let mut $field = Vec::with_capacity(values.len()); )*
                for v in values {
                    $( $field.push(v.$field); )*
                }
                $( let q = <$ty as $crate::columns::Columns>::bind_arrays($field, q); )*
                q
            }

            fn hash(&self, h: &mut $crate::columns::Fnv) {
                $( $crate::columns::Columns::hash(&self.$field, h); )*
            }
        }
    };
}
pub(crate) use row;

/// Implements [`Columns`] for a type stored in one column; `$text` is the content hash's view of a value `$v`.
macro_rules! scalar {
    ($ty:ty, $sql:ident, $nullable:literal, |$v:ident| $text:expr) => {
        impl Columns for $ty {
            fn describe(name: &'static str, out: &mut Vec<Column>) {
                out.push(Column {
                    name,
                    sql: SqlType::$sql,
                    nullable: $nullable,
                });
            }

            fn bind_row<'q>(&self, q: SqliteQuery<'q>) -> SqliteQuery<'q> {
                q.bind(self)
            }

            fn bind_arrays<'q>(values: Vec<Self>, q: PgQuery<'q>) -> PgQuery<'q> {
                q.bind(values)
            }

            fn hash(&self, h: &mut Fnv) {
                let $v = self;
                h.field($text);
            }
        }
    };
}

scalar!(String, Text, false, |v| Some(v.as_str()));
scalar!(Option<String>, Text, true, |v| v.as_deref());
scalar!(NaiveDate, Date, false, |v| Some(&v.to_string()));
scalar!(Option<NaiveDate>, Date, true, |v| v
    .map(|d| d.to_string())
    .as_deref());
scalar!(i64, Integer, false, |v| Some(&v.to_string()));
scalar!(Option<f64>, Real, true, |v| v
    .map(|x| x.to_string())
    .as_deref());

/// The stored fingerprint of a row's content: a column of the row, but not part of what it fingerprints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type, serde::Deserialize)]
#[sqlx(transparent)]
#[serde(transparent)]
pub(crate) struct ContentHash(pub(crate) i64);

impl ContentHash {
    /// The fingerprint of every other column of `row`, in column order (see [`Fnv`]).
    ///
    /// `domain` separates the row types, so equal content in two tables never
    /// shares a hash by construction.
    pub(crate) fn of<R: Columns>(domain: &[u8], row: &R) -> ContentHash {
        let mut h = Fnv::new(domain);
        row.hash(&mut h);
        ContentHash(h.finish())
    }
}

impl Columns for ContentHash {
    fn describe(name: &'static str, out: &mut Vec<Column>) {
        i64::describe(name, out);
    }

    fn bind_row<'q>(&self, q: SqliteQuery<'q>) -> SqliteQuery<'q> {
        q.bind(self.0)
    }

    fn bind_arrays<'q>(values: Vec<Self>, q: PgQuery<'q>) -> PgQuery<'q> {
        q.bind(values)
    }

    fn hash(&self, _: &mut Fnv) {}
}

/// 64-bit FNV-1a; each field is prefixed with a presence byte and its length so
/// `("ab", "c")` and `("a", "bc")`, or `None` and `Some("")`, hash differently.
///
/// Hashes are written to the database and compared across imports, so they
/// must not depend on the Rust version: `std`'s hasher is not guaranteed stable.
pub(crate) struct Fnv(u64);

impl Fnv {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;

    fn new(domain: &[u8]) -> Self {
        let mut h = Fnv(Self::OFFSET);
        h.bytes(domain);
        h
    }

    fn bytes(&mut self, b: &[u8]) {
        for &x in b {
            self.0 ^= u64::from(x);
            self.0 = self.0.wrapping_mul(Self::PRIME);
        }
    }

    fn field(&mut self, v: Option<&str>) {
        match v {
            None => self.bytes(&[0]),
            Some(s) => {
                self.bytes(&[1]);
                self.bytes(&(s.len() as u64).to_le_bytes());
                self.bytes(s.as_bytes());
            }
        }
    }

    fn finish(self) -> i64 {
        // The bits as a signed integer: both databases store 64-bit integers signed.
        self.0 as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    row! {
        struct Inner {
            b: Option<String>,
            c: NaiveDate,
        }
    }

    row! {
        struct Outer {
            a: i64,
            inner: Inner,
            hash: ContentHash,
        }
    }

    #[test]
    fn a_nested_row_stands_in_for_its_columns_in_declaration_order() {
        let names: Vec<&str> = columns::<Outer>().iter().map(|c| c.name).collect();
        assert_eq!(names, ["a", "b", "c", "hash"]);
        assert_eq!(list::<Outer>("s"), "s.a, s.b, s.c, s.hash");
        assert_eq!(
            assignments::<Outer>("a", "excluded"),
            "b = excluded.b, c = excluded.c, hash = excluded.hash"
        );
        let b = columns::<Outer>()[1];
        assert_eq!((b.sql, b.nullable), (SqlType::Text, true));
    }

    #[test]
    fn the_content_hash_skips_its_own_column() {
        let row = |hash| Outer {
            a: 1,
            inner: Inner {
                b: None,
                c: NaiveDate::from_ymd_opt(2020, 2, 2).unwrap(),
            },
            hash: ContentHash(hash),
        };
        assert_eq!(
            ContentHash::of(b"t", &row(1)),
            ContentHash::of(b"t", &row(2))
        );
        assert_ne!(
            ContentHash::of(b"t", &row(1)),
            ContentHash::of(b"u", &row(1))
        );
    }

    #[test]
    fn field_boundaries_are_part_of_the_hash() {
        let mut a = Fnv::new(b"t");
        a.field(Some("ab"));
        a.field(Some("c"));
        let mut b = Fnv::new(b"t");
        b.field(Some("a"));
        b.field(Some("bc"));
        assert_ne!(a.finish(), b.finish());
        let mut a = Fnv::new(b"t");
        a.field(None);
        let mut b = Fnv::new(b"t");
        b.field(Some(""));
        assert_ne!(a.finish(), b.finish());
    }
}
