//! Writing Parquet: one optional column per header field, a row group at a time.
//!
//! Dates are `DATE` columns; everything else, identity numbers included (as
//! the interchange format wants), is a UTF-8 string column. Empty text is
//! null, and the file is Snappy-compressed with one row group per
//! [`ROW_GROUP_ROWS`] rows, so memory holds one row group whatever the size.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use chrono::NaiveDate;
use padu_core::parse_date;
use parquet::basic::{Compression, LogicalType, Repetition, Type as PhysicalType};
use parquet::data_type::{ByteArray, ByteArrayType, Int32Type};
use parquet::errors::ParquetError;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;

use super::EPOCH;
use crate::error::WriteError;
use crate::table::{Kind, Out};

/// Rows buffered before a row group is written; about 60 MB for a registry file.
const ROW_GROUP_ROWS: usize = 64 * 1024;

/// The values of one column waiting for the next row group.
enum ColumnBuffer {
    Text {
        values: Vec<ByteArray>,
        defs: Vec<i16>,
    },
    Date {
        values: Vec<i32>,
        defs: Vec<i16>,
    },
}

/// A Parquet file being written, one row group per [`ROW_GROUP_ROWS`] rows.
pub(crate) struct ParquetSink {
    writer: SerializedFileWriter<File>,
    columns: Vec<ColumnBuffer>,
    rows: usize,
}

impl ParquetSink {
    /// Creates the file with one optional column per header name: `DATE` for date columns, else UTF-8.
    pub(crate) fn create(
        path: &Path,
        header: &[String],
        kinds: &[Kind],
    ) -> Result<ParquetSink, WriteError> {
        let mut fields = Vec::with_capacity(header.len());
        let mut columns = Vec::with_capacity(header.len());
        for (i, name) in header.iter().enumerate() {
            let date = kinds.get(i) == Some(&Kind::Date);
            let (physical, logical, buffer) = if date {
                (
                    PhysicalType::INT32,
                    LogicalType::Date,
                    ColumnBuffer::Date {
                        values: Vec::new(),
                        defs: Vec::new(),
                    },
                )
            } else {
                (
                    PhysicalType::BYTE_ARRAY,
                    LogicalType::String,
                    ColumnBuffer::Text {
                        values: Vec::new(),
                        defs: Vec::new(),
                    },
                )
            };
            let field = Type::primitive_type_builder(name, physical)
                .with_repetition(Repetition::OPTIONAL)
                .with_logical_type(Some(logical))
                .build()?;
            fields.push(Arc::new(field));
            columns.push(buffer);
        }
        let schema = Type::group_type_builder("schema")
            .with_fields(fields)
            .build()?;
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by(format!("padu {}", env!("CARGO_PKG_VERSION")))
            .build();
        let writer =
            SerializedFileWriter::new(File::create(path)?, Arc::new(schema), Arc::new(props))?;
        Ok(ParquetSink {
            writer,
            columns,
            rows: 0,
        })
    }

    /// Buffers one row; missing trailing cells are null.
    pub(crate) fn write<'a>(
        &mut self,
        cells: impl IntoIterator<Item = Out<'a>>,
    ) -> Result<(), WriteError> {
        let mut cells = cells.into_iter();
        for column in &mut self.columns {
            match (column, cells.next()) {
                (ColumnBuffer::Text { values, defs }, Some(Out::Text(s))) if !s.is_empty() => {
                    values.push(ByteArray::from(s.into_owned().into_bytes()));
                    defs.push(1);
                }
                (ColumnBuffer::Text { values, defs }, Some(Out::Date(Some(d)))) => {
                    values.push(ByteArray::from(
                        d.format("%Y-%m-%d").to_string().into_bytes(),
                    ));
                    defs.push(1);
                }
                (ColumnBuffer::Text { defs, .. }, _) => defs.push(0),
                (ColumnBuffer::Date { values, defs }, Some(Out::Date(Some(d)))) => {
                    values.push(days_since_epoch(d)?);
                    defs.push(1);
                }
                (ColumnBuffer::Date { values, defs }, Some(Out::Text(s)))
                    if !s.trim().is_empty() =>
                {
                    // Writers pass dates as dates; text here would be a bug, so refuse it rather than drop it.
                    let d = parse_date(&s).map_err(|e| {
                        ParquetError::General(format!("\"{s}\" is not a date: {e}"))
                    })?;
                    values.push(days_since_epoch(d)?);
                    defs.push(1);
                }
                (ColumnBuffer::Date { defs, .. }, _) => defs.push(0),
            }
        }
        self.rows += 1;
        if self.rows == ROW_GROUP_ROWS {
            self.flush_group()?;
        }
        Ok(())
    }

    fn flush_group(&mut self) -> Result<(), ParquetError> {
        if self.rows == 0 {
            return Ok(());
        }
        let mut group = self.writer.next_row_group()?;
        for column in &mut self.columns {
            let mut w = group
                .next_column()?
                .ok_or_else(|| ParquetError::General("fewer columns than in the schema".into()))?;
            match column {
                ColumnBuffer::Text { values, defs } => {
                    w.typed::<ByteArrayType>()
                        .write_batch(values, Some(defs), None)?;
                    values.clear();
                    defs.clear();
                }
                ColumnBuffer::Date { values, defs } => {
                    w.typed::<Int32Type>()
                        .write_batch(values, Some(defs), None)?;
                    values.clear();
                    defs.clear();
                }
            }
            w.close()?;
        }
        group.close()?;
        self.rows = 0;
        Ok(())
    }

    /// Writes the last row group and the footer.
    pub(crate) fn finish(mut self) -> Result<(), WriteError> {
        self.flush_group()?;
        self.writer.close()?;
        Ok(())
    }
}

fn days_since_epoch(d: NaiveDate) -> Result<i32, ParquetError> {
    i32::try_from((d - EPOCH).num_days())
        .map_err(|_| ParquetError::General(format!("date {d} is out of range")))
}
