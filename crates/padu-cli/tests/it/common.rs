//! Running the real `padu` binary in a temporary directory.

use std::path::Path;
use std::process::{Command, Output};

/// A finished `padu` run.
pub(crate) struct Run {
    /// Exit status.
    pub(crate) code: i32,
    /// Standard output.
    pub(crate) stdout: String,
    /// Standard error.
    pub(crate) stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Self {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

/// A `padu` command in `dir`, with the environment cleared of Padu settings.
pub(crate) fn padu(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_padu"));
    c.current_dir(dir)
        .env_remove("PADU_DATABASE_URL")
        .env_remove("PADU_LANG");
    c
}

/// Runs `padu args...` in `dir`.
pub(crate) fn run(dir: &Path, args: &[&str]) -> Run {
    padu(dir)
        .args(args)
        .output()
        .expect("padu binary runs")
        .into()
}

/// Runs `padu` in `dir` with the whitespace-separated words of `line` as arguments.
pub(crate) fn run_words(dir: &Path, line: &str) -> Run {
    run(dir, &line.split_whitespace().collect::<Vec<_>>())
}
