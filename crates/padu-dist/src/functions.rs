//! Padu's DataFusion functions: the engine's per-record code, callable from
//! SQL and from plans that Ballista ships to executors.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, ListBuilder, UInt64Builder};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

/// Every function Padu registers, by the name plans use.
pub fn all() -> Vec<ScalarUDF> {
    vec![ScalarUDF::from(DensityAttributes::new())]
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

/// Any string array as `Utf8`.
fn utf8(a: &ArrayRef) -> Result<ArrayRef> {
    Ok(cast(a, &DataType::Utf8)?)
}
