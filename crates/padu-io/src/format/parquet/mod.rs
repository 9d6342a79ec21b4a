//! Parquet, for large extracts: [`read`](mod@self::read) a batch of rows at a time,
//! [`write`](mod@self::write) a row group at a time.

mod read;
mod write;

use chrono::NaiveDate;

pub(crate) use read::{ParquetSource, row_groups};
pub(crate) use write::ParquetSink;

/// The first day of the Unix epoch, from which Parquet counts dates.
const EPOCH: NaiveDate = NaiveDate::from_ymd_opt(1970, 1, 1).expect("a valid date");
