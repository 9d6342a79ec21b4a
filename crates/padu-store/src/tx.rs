//! An open transaction on either backend, for the writes that span several statements.

use sqlx::{Postgres, SqlSafeStr, Sqlite, Transaction};

use crate::error::StoreError;
use crate::{Backend, Pool};

/// An open transaction on either backend; dropping it rolls back.
pub(crate) enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs the same block on the connection of whichever transaction is open; `$c`
/// is bound to the concrete connection, so the block is compiled once per backend.
macro_rules! on_tx {
    ($tx:expr, $c:ident => $body:expr) => {
        match $tx {
            $crate::tx::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::tx::Tx::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}
pub(crate) use on_tx;

impl Tx {
    pub(crate) async fn begin(pool: &Pool) -> Result<Tx, StoreError> {
        Ok(match pool {
            Pool::Sqlite(p) => Tx::Sqlite(p.begin().await?),
            Pool::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    pub(crate) fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }

    pub(crate) async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    pub(crate) async fn rollback(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(t) => t.rollback().await?,
            Tx::Postgres(t) => t.rollback().await?,
        }
        Ok(())
    }

    /// Runs one statement that takes no parameters; returns how many rows it touched.
    pub(crate) async fn execute(&mut self, sql: impl SqlSafeStr) -> Result<u64, StoreError> {
        Ok(on_tx!(self, c => sqlx::query(sql).execute(&mut *c).await?.rows_affected()))
    }
}
