//! The per-registry-row stages on the cluster: score and link (each row
//! with its candidates, the civil holder of its NIK and its name's civil
//! count, joined to it), then decide.
//!
//! Each is a DataFusion function over whole columns that calls the
//! engine's own per-row code (`padu_match::partition::link`, `decide`); the
//! model and settings reach the tasks as a file in the work directory
//! ([`write_model`]), like the statistics.

use std::path::Path;
use std::sync::Arc;

use chrono::NaiveDate;
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BinaryBuilder, StringBuilder, UInt64Array,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Int64Type, UInt64Type};
use datafusion::common::{DataFusionError, Result, exec_err};
use padu_match::SavedModel;
use padu_match::partition::{self, Linked};

use crate::functions::{ColumnFn, utf8};
use crate::wire;

/// Writes the model and settings every per-row task reads.
pub fn write_model(path: &Path, saved: &SavedModel) -> Result<()> {
    let bytes = serde_json::to_vec(saved).map_err(|e| DataFusionError::External(Box::new(e)))?;
    std::fs::write(path, bytes)?;
    Ok(())
}

/// Reads what [`write_model`] wrote.
pub fn read_model(path: &Path) -> Result<SavedModel> {
    let bytes = std::fs::read(path)?;
    serde_json::from_slice(&bytes).map_err(|e| DataFusionError::External(Box::new(e)))
}

fn external(e: wire::WireError) -> DataFusionError {
    DataFusionError::External(Box::new(e))
}

/// The single value of a text argument every row shares (a path, a date).
fn constant(a: &ArrayRef, what: &str) -> Result<String> {
    let a = utf8(a)?;
    let a = a.as_string::<i32>();
    if a.is_empty() || a.is_null(0) {
        return exec_err!("{what} kosong");
    }
    Ok(a.value(0).to_string())
}

fn date(a: &ArrayRef) -> Result<NaiveDate> {
    let s = constant(a, "tanggal acuan")?;
    NaiveDate::parse_from_str(&s, "%Y-%m-%d")
        .map_err(|e| DataFusionError::Execution(format!("tanggal acuan {s}: {e}")))
}

fn binary(a: &ArrayRef) -> Result<ArrayRef> {
    Ok(cast(a, &DataType::Binary)?)
}

/// `padu_name_norm(rec) -> UTF8`: the name a record is counted under in the
/// civil name counts ([`partition::name_norm`]), null for none.
pub fn name_norm() -> ColumnFn {
    ColumnFn::new("padu_name_norm", 1, DataType::Utf8, |args| {
        let rec = binary(&args[0])?;
        let rec = rec.as_binary::<i32>();
        let mut out = StringBuilder::with_capacity(rec.len(), rec.len() * 16);
        for i in 0..rec.len() {
            let norm = if rec.is_null(i) {
                None
            } else {
                partition::name_norm(&wire::name(rec.value(i)).map_err(external)?)
            };
            out.append_option(norm);
        }
        Ok(Arc::new(out.finish()))
    })
}

/// `padu_civil_field(rec, field) -> UTF8`: a text field of a civil record
/// ([`wire::encode_civil`]) by its interchange column name, null when empty.
pub fn civil_field() -> ColumnFn {
    ColumnFn::new("padu_civil_field", 2, DataType::Utf8, |args| {
        let field = constant(&args[1], "nama kolom")?;
        let rec = binary(&args[0])?;
        let rec = rec.as_binary::<i32>();
        let mut out = StringBuilder::with_capacity(rec.len(), rec.len() * 16);
        for i in 0..rec.len() {
            let value = if rec.is_null(i) {
                None
            } else {
                wire::civil_field(rec.value(i), &field).map_err(external)?
            };
            out.append_option(value);
        }
        Ok(Arc::new(out.finish()))
    })
}

/// `padu_link(rec, name_count, civs, levels, holder_row, holder_rec, model,
/// today) -> BINARY`: stages score and link of each registry row
/// ([`partition::link`]), the result as [`Linked::to_bytes`]. `civs` and
/// `levels` are the row's candidates (lists, null for none), `holder_*` the
/// civil resident with its NIK (null for none), `model` the file of
/// [`write_model`].
pub fn link() -> ColumnFn {
    ColumnFn::new("padu_link", 8, DataType::Binary, |args| {
        let today = date(&args[7])?;
        let saved = read_model(Path::new(&constant(&args[6], "berkas model")?))?;
        let rec = binary(&args[0])?;
        let rec = rec.as_binary::<i32>();
        let count = cast(&args[1], &DataType::Int64)?;
        let count = count.as_primitive::<Int64Type>();
        let list_type = DataType::List(Arc::new(Field::new_list_field(DataType::UInt64, true)));
        let civs = cast(&args[2], &list_type)?;
        let levels = cast(&args[3], &list_type)?;
        let (civs, levels) = (civs.as_list::<i32>(), levels.as_list::<i32>());
        let holder_row = cast(&args[4], &DataType::UInt64)?;
        let holder_row = holder_row.as_primitive::<UInt64Type>();
        let holder_rec = binary(&args[5])?;
        let holder_rec = holder_rec.as_binary::<i32>();
        let row_id = |x: u64| {
            u32::try_from(x)
                .map_err(|_| DataFusionError::Execution(format!("baris {x} di luar batas")))
        };
        let mut out = BinaryBuilder::with_capacity(rec.len(), rec.len() * 40);
        for i in 0..rec.len() {
            if rec.is_null(i) {
                return exec_err!("padu_link: baris DTKS tanpa rekaman");
            }
            let person = wire::decode_registry(rec.value(i), today).map_err(external)?;
            let mut candidates = Vec::new();
            if !civs.is_null(i) && !levels.is_null(i) {
                let (c, l) = (civs.value(i), levels.value(i));
                let (c, l) = (
                    c.as_primitive::<UInt64Type>(),
                    l.as_primitive::<UInt64Type>(),
                );
                for k in 0..c.len() {
                    candidates.push((row_id(c.value(k))?, l.value(k)));
                }
            }
            let holder = if holder_row.is_null(i) || holder_rec.is_null(i) {
                None
            } else {
                Some((
                    row_id(holder_row.value(i))?,
                    wire::decode_civil(holder_rec.value(i), today).map_err(external)?,
                ))
            };
            let name_count = if count.is_null(i) {
                0
            } else {
                u32::try_from(count.value(i)).unwrap_or(u32::MAX)
            };
            let linked = partition::link(
                &person,
                name_count,
                &candidates,
                holder.as_ref().map(|(r, c)| (*r, c)),
                &saved.model,
                &saved.config,
            );
            out.append_value(linked.to_bytes());
        }
        Ok(Arc::new(out.finish()))
    })
}

/// `padu_linked_civ(link) -> UINT64`: the civil row a link's decision is
/// about ([`Linked::matched`]), null for none.
pub fn linked_civ() -> ColumnFn {
    ColumnFn::new("padu_linked_civ", 1, DataType::UInt64, |args| {
        let link = binary(&args[0])?;
        let link = link.as_binary::<i32>();
        let mut out: Vec<Option<u64>> = Vec::with_capacity(link.len());
        for i in 0..link.len() {
            if link.is_null(i) {
                out.push(None);
                continue;
            }
            let Some(l) = Linked::from_bytes(link.value(i)) else {
                return exec_err!("padu_linked_civ: hasil tautan rusak");
            };
            out.push(l.matched().map(u64::from));
        }
        Ok(Arc::new(UInt64Array::from(out)))
    })
}

/// `padu_compare_registry(rec_a, rec_b, today) -> UINT64`: a candidate
/// pair of deduplication (`rec_a` the earlier row) compared, the levels
/// packed ([`partition::compare_registry_pairs`]).
pub fn compare_registry() -> ColumnFn {
    ColumnFn::new("padu_compare_registry", 3, DataType::UInt64, |args| {
        let today = date(&args[2])?;
        let (a, b) = (binary(&args[0])?, binary(&args[1])?);
        let (a, b) = (a.as_binary::<i32>(), b.as_binary::<i32>());
        if a.null_count() + b.null_count() > 0 {
            return exec_err!("padu_compare_registry: a pair without its record");
        }
        let decode = |x: &datafusion::arrow::array::BinaryArray| {
            (0..x.len())
                .map(|i| wire::decode_registry(x.value(i), today))
                .collect::<Result<Vec<_>, _>>()
                .map_err(external)
        };
        let levels = partition::compare_registry_pairs(&decode(a)?, &decode(b)?);
        Ok(Arc::new(UInt64Array::from(levels)))
    })
}

/// `padu_dedup_edge(rec_a, rec_b, name_count_a, model, today) -> FLOAT64`:
/// the match probability of a deduplication pair when it is an edge of the
/// duplicate graph ([`partition::dedup_edge`]), null otherwise; `model` is
/// the deduplication model's file.
pub fn dedup_edge() -> ColumnFn {
    ColumnFn::new("padu_dedup_edge", 5, DataType::Float64, |args| {
        let today = date(&args[4])?;
        let saved = read_model(Path::new(&constant(&args[3], "berkas model")?))?;
        let (a, b) = (binary(&args[0])?, binary(&args[1])?);
        let (a, b) = (a.as_binary::<i32>(), b.as_binary::<i32>());
        let count = cast(&args[2], &DataType::Int64)?;
        let count = count.as_primitive::<Int64Type>();
        let mut out: Vec<Option<f64>> = Vec::with_capacity(a.len());
        for i in 0..a.len() {
            if a.is_null(i) || b.is_null(i) {
                return exec_err!("padu_dedup_edge: a pair without its record");
            }
            let pa = wire::decode_registry(a.value(i), today).map_err(external)?;
            let pb = wire::decode_registry(b.value(i), today).map_err(external)?;
            let n = if count.is_null(i) {
                0
            } else {
                u32::try_from(count.value(i)).unwrap_or(u32::MAX)
            };
            out.push(partition::dedup_edge(
                &pa,
                &pb,
                n,
                &saved.model,
                &saved.config,
            ));
        }
        Ok(Arc::new(datafusion::arrow::array::Float64Array::from(out)))
    })
}

/// The columns of a decided row: the interchange result columns
/// (`VerificationRow::COLUMNS`, as text) and the regency the row's village
/// is in, which the result is partitioned by.
pub fn decided_fields() -> Vec<Field> {
    padu_core::VerificationRow::COLUMNS
        .iter()
        .chain(&[REGENCY])
        .map(|c| Field::new(*c, DataType::Utf8, true))
        .collect()
}

/// The column a result is partitioned by: the regency (kabupaten/kota) code
/// of the row's village, e.g. `32.76`.
pub const REGENCY: &str = "kode_kabupaten";

/// `padu_decide(rec, link, matched_rec, group, kept, model, today) ->
/// STRUCT`: stage decide of each registry row ([`partition::decide`]), as
/// the fields of [`decided_fields`]. `matched_rec` is the civil record of
/// the link's resident (null for none), `group` and `kept` its duplicate
/// group's id and kept `id_art` (null for none).
pub fn decide() -> ColumnFn {
    ColumnFn::new(
        "padu_decide",
        7,
        DataType::Struct(decided_fields().into()),
        |args| {
            let today = date(&args[6])?;
            let saved = read_model(Path::new(&constant(&args[5], "berkas model")?))?;
            let rec = binary(&args[0])?;
            let rec = rec.as_binary::<i32>();
            let link = binary(&args[1])?;
            let link = link.as_binary::<i32>();
            let matched = binary(&args[2])?;
            let matched = matched.as_binary::<i32>();
            let (group, kept) = (utf8(&args[3])?, utf8(&args[4])?);
            let (group, kept) = (group.as_string::<i32>(), kept.as_string::<i32>());
            let fields = decided_fields();
            let mut columns: Vec<StringBuilder> =
                fields.iter().map(|_| StringBuilder::new()).collect();
            for i in 0..rec.len() {
                if rec.is_null(i) || link.is_null(i) {
                    return exec_err!("padu_decide: baris DTKS tanpa rekaman atau tautan");
                }
                let person = wire::decode_registry(rec.value(i), today).map_err(external)?;
                let Some(linked) = Linked::from_bytes(link.value(i)) else {
                    return exec_err!("padu_decide: hasil tautan rusak");
                };
                let civil = if matched.is_null(i) {
                    None
                } else {
                    Some(wire::decode_civil(matched.value(i), today).map_err(external)?)
                };
                if linked.matched().is_some() != civil.is_some() {
                    return exec_err!("padu_decide: rekaman Dukcapil tautan tidak ada");
                }
                let group =
                    (!group.is_null(i) && !kept.is_null(i)).then(|| padu_match::DuplicateGroup {
                        id: group.value(i).to_string(),
                        kept: kept.value(i).to_string(),
                    });
                let row = partition::decide(
                    &person,
                    &linked,
                    civil.as_ref(),
                    group.as_ref(),
                    &saved.config,
                );
                let regency = person
                    .kode_wilayah
                    .regency()
                    .map_or_else(|| person.kode_wilayah.to_string(), |r| r.to_string());
                for (b, cell) in columns
                    .iter_mut()
                    .zip(row.to_cells().into_iter().chain([regency]))
                {
                    b.append_value(cell);
                }
            }
            let arrays: Vec<ArrayRef> = columns
                .iter_mut()
                .map(|b| Arc::new(b.finish()) as ArrayRef)
                .collect();
            Ok(Arc::new(datafusion::arrow::array::StructArray::try_new(
                fields.into(),
                arrays,
                None,
            )?))
        },
    )
}
