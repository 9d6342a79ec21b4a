//! A fresh database per test, on either backend.
//!
//! Every test gets its own database: a SQLite file in a temporary directory,
//! or a uniquely named PostgreSQL database created through the `test`
//! database (`PADU_TEST_PG_URL`, default
//! `postgres://postgres@127.0.0.1:5432/test`) and dropped when the test ends.
//! An unreachable PostgreSQL fails the test loudly: the PostgreSQL tests are
//! never skipped.

use std::sync::atomic::{AtomicU32, Ordering};

use padu_store::Store;
use sqlx::{AssertSqlSafe, Connection, PgConnection};

use crate::today;

/// A fresh database and the store connected to it; dropping it removes the database.
pub struct TestDb {
    /// The migrated store.
    pub store: Store,
    /// The URL it was opened with.
    pub url: String,
    _guard: Guard,
}

/// Keeps a test database alive; dropping it removes the database.
pub struct Guard(Kind);

enum Kind {
    /// Holding the directory keeps the file.
    Sqlite(#[expect(dead_code, reason = "held only to be dropped")] tempfile::TempDir),
    Postgres {
        admin_url: String,
        name: String,
    },
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Kind::Postgres { admin_url, name } = &self.0 {
            let (admin_url, name) = (admin_url.clone(), name.clone());
            // Drop runs inside the test's runtime, which cannot be blocked on; a
            // separate thread with its own runtime removes the database.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async move {
                    if let Ok(mut c) = PgConnection::connect(&admin_url).await {
                        let _ = sqlx::query(AssertSqlSafe(format!(
                            "drop database if exists {name} with (force)"
                        )))
                        .execute(&mut c)
                        .await;
                    }
                });
            })
            .join();
        }
    }
}

/// The PostgreSQL URL of the `test` database.
pub fn pg_admin_url() -> String {
    std::env::var("PADU_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

/// `url` with its database name replaced.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_part = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{host_part}/{name}?{q}"),
        None => format!("{host_part}/{name}"),
    }
}

/// A fresh, migrated SQLite file.
pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("padu.db").display());
    let store = Store::connect(&url).await.unwrap().with_today(today());
    TestDb {
        store,
        url,
        _guard: Guard(Kind::Sqlite(dir)),
    }
}

/// A fresh, empty SQLite file that has not been migrated.
pub async fn sqlite_unmigrated() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("padu.db").display());
    (dir, url)
}

/// A fresh PostgreSQL database; panics with instructions when the server is unreachable.
pub async fn postgres() -> TestDb {
    let (guard, url) = postgres_unmigrated().await;
    let store = Store::connect(&url).await.unwrap().with_today(today());
    TestDb {
        store,
        url,
        _guard: guard,
    }
}

/// A fresh PostgreSQL database that has not been migrated, and its URL.
pub async fn postgres_unmigrated() -> (Guard, String) {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let admin_url = pg_admin_url();
    let mut admin = PgConnection::connect(&admin_url).await.unwrap_or_else(|e| {
        panic!(
            "PostgreSQL tidak dapat dihubungi di {admin_url} ({e}); jalankan server atau set \
             PADU_TEST_PG_URL (PostgreSQL unreachable: the PostgreSQL contract tests must run, they are never skipped)"
        )
    });
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    // Only digits go into the name, so building the statement is safe.
    let name = format!(
        "padu_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos
    );
    sqlx::query(AssertSqlSafe(format!("create database {name}")))
        .execute(&mut admin)
        .await
        .unwrap();
    let url = with_database(&admin_url, &name);
    (Guard(Kind::Postgres { admin_url, name }), url)
}

/// Runs each story (an `async fn(&TestDb)` in the calling module) as two
/// tests, `sqlite::story` and `postgres::story`, each on a fresh database.
///
/// The calling crate needs `tokio` with its `macros` feature.
#[macro_export]
macro_rules! contract {
    ($($story:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $story() {
                    let db = $crate::db::sqlite().await;
                    super::$story(&db).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $story() {
                    let db = $crate::db::postgres().await;
                    super::$story(&db).await;
                }
            )*
        }
    };
}
