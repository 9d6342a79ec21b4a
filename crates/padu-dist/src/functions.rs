//! Padu's DataFusion functions: the engine's per-record code, callable from
//! SQL and from plans that Ballista ships to executors.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Int64Builder, ListBuilder, UInt64Array, UInt64Builder,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

/// Every function Padu registers, by the name plans use.
pub fn all() -> Vec<ScalarUDF> {
    vec![
        ScalarUDF::from(DensityAttributes::new()),
        ScalarUDF::from(Compare::new()),
        ScalarUDF::from(BirthDay::new()),
        ScalarUDF::from(crate::rows::name_norm()),
        ScalarUDF::from(crate::rows::civil_field()),
        ScalarUDF::from(crate::rows::link()),
        ScalarUDF::from(crate::rows::linked_civ()),
        ScalarUDF::from(crate::rows::compare_registry()),
        ScalarUDF::from(crate::rows::dedup_edge()),
        ScalarUDF::from(crate::rows::decide()),
    ]
}

/// `padu_density_attributes(nama, nama_ibu_kandung) -> LIST<UINT64>`: the
/// attributes a person is counted under in the civil density statistics
/// (`padu_match::partition::density_attributes`). A null or empty name has
/// none; a null mother's name is no mother's name.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct DensityAttributes {
    signature: Signature,
}

impl DensityAttributes {
    /// The function.
    pub fn new() -> Self {
        DensityAttributes {
            // Strings of any width: Parquet text may arrive as Utf8View.
            signature: Signature::string(2, Volatility::Immutable),
        }
    }
}

impl Default for DensityAttributes {
    fn default() -> Self {
        Self::new()
    }
}

impl ScalarUDFImpl for DensityAttributes {
    fn name(&self) -> &str {
        "padu_density_attributes"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::List(Arc::new(Field::new_list_field(
            DataType::UInt64,
            true,
        ))))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let [nama, ibu] = arrays.as_slice() else {
            return datafusion::common::exec_err!("padu_density_attributes takes two arguments");
        };
        let (nama, ibu) = (utf8(nama)?, utf8(ibu)?);
        let (nama, ibu) = (nama.as_string::<i32>(), ibu.as_string::<i32>());
        let mut out = ListBuilder::with_capacity(UInt64Builder::new(), nama.len());
        for i in 0..nama.len() {
            if !nama.is_null(i) {
                let mother = (!ibu.is_null(i)).then(|| ibu.value(i));
                for a in padu_match::partition::density_attributes(nama.value(i), mother) {
                    out.values().append_value(a);
                }
            }
            out.append(true);
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}

/// `padu_compare(registry_rec, civil_rec, today) -> UINT64`: a candidate
/// pair compared field by field, the levels packed into one number
/// (`padu_match::partition::compare_pairs`). The records are the ones a
/// record scan encoded ([`crate::wire`]); `today` is the run's reference
/// date, `YYYY-MM-DD`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Compare {
    signature: Signature,
}

impl Compare {
    /// The function.
    pub fn new() -> Self {
        Compare {
            // Cast on arrival: a plan may carry binary or text in any width.
            signature: Signature::any(3, Volatility::Immutable),
        }
    }
}

impl Default for Compare {
    fn default() -> Self {
        Self::new()
    }
}

impl ScalarUDFImpl for Compare {
    fn name(&self) -> &str {
        "padu_compare"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::UInt64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let [reg, civ, today] = arrays.as_slice() else {
            return datafusion::common::exec_err!("padu_compare takes three arguments");
        };
        let (reg, civ, today) = (
            cast(reg, &DataType::Binary)?,
            cast(civ, &DataType::Binary)?,
            utf8(today)?,
        );
        let (reg, civ, today) = (
            reg.as_binary::<i32>(),
            civ.as_binary::<i32>(),
            today.as_string::<i32>(),
        );
        if reg.is_empty() {
            return Ok(ColumnarValue::Array(Arc::new(UInt64Array::from(
                Vec::<u64>::new(),
            ))));
        }
        if reg.null_count() + civ.null_count() + today.null_count() > 0 {
            return datafusion::common::exec_err!("padu_compare: a pair without its record");
        }
        let day = today.value(0);
        let today = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|e| {
            datafusion::error::DataFusionError::Execution(format!("padu_compare: {day}: {e}"))
        })?;
        let external =
            |e: crate::wire::WireError| datafusion::error::DataFusionError::External(Box::new(e));
        let registry = (0..reg.len())
            .map(|i| crate::wire::decode_registry(reg.value(i), today))
            .collect::<Result<Vec<_>, _>>()
            .map_err(external)?;
        let civil = (0..civ.len())
            .map(|i| crate::wire::decode_civil(civ.value(i), today))
            .collect::<Result<Vec<_>, _>>()
            .map_err(external)?;
        let levels = padu_match::partition::compare_pairs(&registry, &civil);
        Ok(ColumnarValue::Array(Arc::new(UInt64Array::from(levels))))
    }
}

/// `padu_birth_day(rec) -> INT64`: the birth date and sex of a record of
/// either side ([`crate::wire`]) as one number, days since 1 January of
/// year 1 (proleptic Gregorian) times two, plus one for `P`
/// ([`birth_day`] and [`from_birth_day`] convert).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct BirthDay {
    signature: Signature,
}

impl BirthDay {
    /// The function.
    pub fn new() -> Self {
        BirthDay {
            signature: Signature::any(1, Volatility::Immutable),
        }
    }
}

impl Default for BirthDay {
    fn default() -> Self {
        Self::new()
    }
}

/// A birth date and sex as [`BirthDay`] gives them.
pub fn birth_day(date: chrono::NaiveDate, sex: padu_core::Sex) -> i64 {
    use chrono::Datelike;
    i64::from(date.num_days_from_ce()) * 2 + i64::from(sex == padu_core::Sex::P)
}

/// The birth date and sex of a [`BirthDay`] value, if it is one.
pub fn from_birth_day(n: i64) -> Option<(chrono::NaiveDate, padu_core::Sex)> {
    let days = i32::try_from(n.div_euclid(2)).ok()?;
    let sex = if n.rem_euclid(2) == 1 {
        padu_core::Sex::P
    } else {
        padu_core::Sex::L
    };
    Some((chrono::NaiveDate::from_num_days_from_ce_opt(days)?, sex))
}

impl ScalarUDFImpl for BirthDay {
    fn name(&self) -> &str {
        "padu_birth_day"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let [rec] = arrays.as_slice() else {
            return datafusion::common::exec_err!("padu_birth_day takes one argument");
        };
        let rec = cast(rec, &DataType::Binary)?;
        let rec = rec.as_binary::<i32>();
        let mut out = Int64Builder::with_capacity(rec.len());
        for i in 0..rec.len() {
            if rec.is_null(i) {
                out.append_null();
                continue;
            }
            let (date, sex) = crate::wire::birth(rec.value(i))
                .map_err(|e| datafusion::error::DataFusionError::External(Box::new(e)))?;
            out.append_value(birth_day(date, sex));
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}

/// A function of whole columns: `arity` arguments (cast by `f` to what it
/// reads), a result of type `ret`. The per-row stages' functions
/// ([`crate::rows`]) are of this kind.
#[derive(Debug)]
pub struct ColumnFn {
    name: &'static str,
    signature: Signature,
    ret: DataType,
    f: fn(&[ArrayRef]) -> Result<ArrayRef>,
}

impl ColumnFn {
    /// The function `name`.
    pub fn new(
        name: &'static str,
        arity: usize,
        ret: DataType,
        f: fn(&[ArrayRef]) -> Result<ArrayRef>,
    ) -> Self {
        ColumnFn {
            name,
            signature: Signature::any(arity, Volatility::Immutable),
            ret,
            f,
        }
    }
}

// A function is known by its name: plans name it, and every process
// registers one function per name.
impl PartialEq for ColumnFn {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for ColumnFn {}

impl std::hash::Hash for ColumnFn {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

impl ScalarUDFImpl for ColumnFn {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(self.ret.clone())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        Ok(ColumnarValue::Array((self.f)(&arrays)?))
    }
}

/// Any string array as `Utf8`.
pub(crate) fn utf8(a: &ArrayRef) -> Result<ArrayRef> {
    Ok(cast(a, &DataType::Utf8)?)
}
