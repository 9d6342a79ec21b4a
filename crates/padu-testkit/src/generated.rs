//! A data set written by padu-gen (`civil.csv`, `registry.csv`, `truth.csv`),
//! read back through padu-io as `padu verify` reads it; with the `gen`
//! feature, [`Generated`] writes one into a temporary directory first.

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

/// A data set generated on [`today`] into a temporary directory (removed
/// when dropped), its civil extract and registry read back.
#[cfg(feature = "gen")]
pub struct Generated {
    /// Holds `civil.csv`, `registry.csv` and `truth.csv`; tests may write
    /// more files beside them.
    pub dir: tempfile::TempDir,
    /// `civil.csv`, as [`civil`] reads it.
    pub civil: Vec<CivilPerson>,
    /// `registry.csv`, as [`registry`] reads it.
    pub registry: Vec<RegistryPerson>,
}

#[cfg(feature = "gen")]
impl Generated {
    /// `people` residents all over the bundled regions, drawn from `seed`.
    pub fn new(people: usize, seed: u64) -> Generated {
        Generated::with(padu_gen::GenConfig {
            people,
            seed,
            today: today(),
            ..padu_gen::GenConfig::default()
        })
    }

    /// `people` residents of the region `code` (dotted, e.g. `32.76`) only.
    pub fn within(code: &str, people: usize, seed: u64) -> Generated {
        Generated::with(padu_gen::GenConfig {
            people,
            seed,
            wilayah: Some(crate::code(code)),
            today: today(),
            ..padu_gen::GenConfig::default()
        })
    }

    fn with(cfg: padu_gen::GenConfig) -> Generated {
        let dir = tempfile::tempdir().expect("a temporary directory");
        padu_gen::generate(&cfg, dir.path(), &|_| {}).expect("generate");
        Generated {
            civil: civil(dir.path()),
            registry: registry(dir.path()),
            dir,
        }
    }

    /// The generator's ground truth, one row per registry row.
    pub fn truth(&self) -> Vec<VerificationRow> {
        truth(self.dir.path())
    }
}
