//! Padu's web application driven over HTTP, as browsers and scripts use it:
//! a real server on a random port over a fresh SQLite or PostgreSQL database.

/// Runs the async test `name(backend)` against both databases, as `name::sqlite` and `name::postgres`.
macro_rules! both_backends {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(crate::support::Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name(crate::support::Backend::Postgres).await;
            }
        }
    };
}

mod additions;
mod browser;
mod comments;
mod dashboard;
mod journey;
mod letters;
mod minutes;
mod proposals;
mod security;
mod support;
mod workbook;
