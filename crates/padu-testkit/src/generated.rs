//! A data set written by padu-gen (`civil.csv`, `registry.csv`, `truth.csv`),
//! read back through padu-io as `padu verify` reads it.

use std::path::Path;

use padu_core::{CivilPerson, RegistryPerson, VerificationRow};
use padu_io::{CivilReader, ReadOptions, RegistryReader, read_results};

use crate::today;

/// The civil extract `civil.csv` of a data set generated on [`today`].
pub fn civil(dir: &Path) -> Vec<CivilPerson> {
    CivilReader::open(&dir.join("civil.csv"), &ReadOptions::new(today()))
        .expect("open civil.csv")
        .map(|row| row.record.expect("every generated civil row reads"))
        .collect()
}

/// The registry `registry.csv` of a data set generated on [`today`].
pub fn registry(dir: &Path) -> Vec<RegistryPerson> {
    RegistryReader::open(&dir.join("registry.csv"), &ReadOptions::new(today()))
        .expect("open registry.csv")
        .map(|row| row.record.expect("every generated registry row reads"))
        .collect()
}

/// The ground truth `truth.csv` of a generated data set.
pub fn truth(dir: &Path) -> Vec<VerificationRow> {
    read_results(&dir.join("truth.csv")).expect("read truth.csv")
}
