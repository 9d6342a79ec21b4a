//! An open transaction on either backend, for the writes that span several statements.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use sqlx::{Postgres, SqlSafeStr, Sqlite, Transaction};

use crate::error::StoreError;
use crate::{Backend, Pool};

/// An open transaction on either backend; dropping it rolls back.
///
/// It also remembers which villages its writes touched, so that committing it
/// brings their progress counts (`progress.rs`) up to date in the same
/// transaction: the dashboard can never disagree with the records.
pub(crate) struct Tx {
    pub(crate) conn: Conn,
    touched: Touched,
}

/// The connection of an open transaction.
pub(crate) enum Conn {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// The villages whose counts a transaction must refresh before it commits.
#[derive(Debug, Default)]
pub(crate) struct Touched {
    /// Compact 10-digit village codes.
    pub(crate) villages: BTreeSet<String>,
    /// Every village (an import or a verification run): one set-wise recount.
    pub(crate) all: bool,
    /// The latest instant a touching write carried; the day of the progress history.
    pub(crate) at: Option<DateTime<Utc>>,
}

/// Runs the same block on the connection of whichever transaction is open; `$c`
/// is bound to the concrete connection, so the block is compiled once per backend.
macro_rules! on_tx {
    ($tx:expr, $c:ident => $body:expr) => {
        match &mut ($tx).conn {
            $crate::tx::Conn::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::tx::Conn::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}
pub(crate) use on_tx;

impl Tx {
    pub(crate) async fn begin(pool: &Pool) -> Result<Tx, StoreError> {
        let conn = match pool {
            Pool::Sqlite(p) => Conn::Sqlite(p.begin().await?),
            Pool::Postgres(p) => Conn::Postgres(p.begin().await?),
        };
        Ok(Tx {
            conn,
            touched: Touched::default(),
        })
    }

    pub(crate) fn backend(&self) -> Backend {
        match self.conn {
            Conn::Sqlite(_) => Backend::Sqlite,
            Conn::Postgres(_) => Backend::Postgres,
        }
    }

    /// Marks a village (compact code) whose records this transaction changed.
    /// Codes of other levels (a user's district scope, say) are ignored: they
    /// hold no records.
    pub(crate) fn touch(&mut self, kode_wilayah: &str, at: DateTime<Utc>) {
        if kode_wilayah.len() == 10 {
            self.touched.villages.insert(kode_wilayah.to_string());
        }
        self.touched.at = self.touched.at.max(Some(at));
    }

    /// Marks every village: the transaction rewrote records set-wise.
    pub(crate) fn touch_all(&mut self, at: DateTime<Utc>) {
        self.touched.all = true;
        self.touched.at = self.touched.at.max(Some(at));
    }

    /// Refreshes the progress counts of the villages touched, then commits.
    pub(crate) async fn commit(mut self) -> Result<(), StoreError> {
        let touched = std::mem::take(&mut self.touched);
        crate::progress::refresh(&mut self, touched).await?;
        match self.conn {
            Conn::Sqlite(t) => t.commit().await?,
            Conn::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    pub(crate) async fn rollback(self) -> Result<(), StoreError> {
        match self.conn {
            Conn::Sqlite(t) => t.rollback().await?,
            Conn::Postgres(t) => t.rollback().await?,
        }
        Ok(())
    }

    /// Runs one statement that takes no parameters; returns how many rows it touched.
    pub(crate) async fn execute(&mut self, sql: impl SqlSafeStr) -> Result<u64, StoreError> {
        Ok(on_tx!(self, c => sqlx::query(sql).execute(&mut *c).await?.rows_affected()))
    }
}
