//! One verification job: its inputs, its settings and the directory its
//! broadcast files go to.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use padu_match::MatchConfig;

use crate::DistError;
use crate::keys::{KeysSpec, Side};

/// A job: the two Parquet files, the run's reference date, the engine's
/// settings and a work directory.
///
/// The work directory holds what the client hands every task (the civil
/// statistics, the sampled pairs of training) as files named in the plan:
/// every process must see it at the same path (a shared file system or a
/// mounted bucket on a real cluster; any local directory when all run on
/// one machine).
#[derive(Debug, Clone)]
pub struct Job {
    /// The civil extract (Dukcapil), Parquet.
    pub civil: PathBuf,
    /// The registry (DTKS), Parquet.
    pub registry: PathBuf,
    /// The reference date that fixes the century of a NIK's birth year.
    pub today: NaiveDate,
    /// The shared work directory.
    pub work: PathBuf,
    /// The engine's settings, as `padu verify` would use them.
    pub cfg: MatchConfig,
    /// Records in the civil file.
    pub civil_rows: usize,
    /// Records in the registry file.
    pub registry_rows: usize,
    /// Leave rows with errors out of the run instead of refusing it
    /// (`--partial`): each is listed and counted ([`crate::Verified::left_out`]).
    pub partial: bool,
    /// The sides with rows left out, listed in the work directory
    /// ([`Job::left_out`]); set by the job's check of both files.
    pub(crate) leaving_out: Vec<Side>,
}

impl Job {
    /// A job on `civil` and `registry`, counting their records from the
    /// files' metadata.
    ///
    /// # Errors
    ///
    /// A file that is missing or not Parquet.
    pub fn new(
        civil: &Path,
        registry: &Path,
        today: NaiveDate,
        work: &Path,
        cfg: MatchConfig,
    ) -> Result<Job, DistError> {
        let rows = |path: &Path| -> Result<usize, DistError> {
            let groups = padu_io::parquet_row_groups(path)?;
            Ok(usize::try_from(groups.iter().sum::<u64>()).unwrap_or(usize::MAX))
        };
        Ok(Job {
            civil_rows: rows(civil)?,
            registry_rows: rows(registry)?,
            civil: civil.to_path_buf(),
            registry: registry.to_path_buf(),
            today,
            work: work.to_path_buf(),
            cfg,
            partial: false,
            leaving_out: Vec::new(),
        })
    }

    /// The same job, leaving rows with errors out instead of refusing them.
    #[must_use]
    pub fn with_partial(mut self, partial: bool) -> Job {
        self.partial = partial;
        self
    }

    /// The file listing the rows of `side` the job leaves out.
    pub fn left_out(&self, side: Side) -> PathBuf {
        self.work.join(match side {
            Side::Civil => "ditolak-dukcapil.bin",
            Side::Registry => "ditolak-dtks.bin",
        })
    }

    /// The file of `side`'s rows left out, when there are any.
    fn left_out_of(&self, side: Side) -> Option<PathBuf> {
        self.leaving_out
            .contains(&side)
            .then(|| self.left_out(side))
    }

    /// The civil statistics file ([`crate::stats`]).
    pub fn stats(&self) -> PathBuf {
        self.work.join("statistik.bin")
    }

    /// The file of `side`.
    pub fn path(&self, side: Side) -> &Path {
        match side {
            Side::Civil => &self.civil,
            Side::Registry => &self.registry,
        }
    }

    /// A scan of `side`'s blocking keys.
    pub fn keys(&self, side: Side) -> KeysSpec {
        KeysSpec::new(side, self.path(side), self.today, &self.stats())
            .leaving_out(self.left_out_of(side))
    }

    /// A scan of what reading each row of `side` finds.
    pub fn checks(&self, side: Side) -> KeysSpec {
        KeysSpec::checks(side, self.path(side), self.today)
    }

    /// A scan of `side`'s valid NIKs.
    pub fn niks(&self, side: Side) -> KeysSpec {
        KeysSpec::niks(side, self.path(side), self.today).leaving_out(self.left_out_of(side))
    }

    /// A scan of `side`'s records, encoded to travel.
    pub fn records(&self, side: Side) -> KeysSpec {
        KeysSpec::records(side, self.path(side), self.today).leaving_out(self.left_out_of(side))
    }
}
