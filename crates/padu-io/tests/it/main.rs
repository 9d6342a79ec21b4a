//! padu-io's integration tests, one binary: CSV reading, XLSX and round
//! trips, Parquet.

mod common;
mod office;
mod parquet;
mod read_csv;
mod xlsx_and_round_trip;
