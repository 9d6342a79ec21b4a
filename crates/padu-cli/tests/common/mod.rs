//! Helpers shared by the CLI integration tests: run the real `padu` binary in a temporary directory.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// A finished `padu` run.
pub struct Run {
    /// Exit status.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
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
pub fn padu(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_padu"));
    c.current_dir(dir)
        .env_remove("PADU_DATABASE_URL")
        .env_remove("PADU_LANG");
    c
}

/// Runs `padu args...` in `dir`.
pub fn run(dir: &Path, args: &[&str]) -> Run {
    padu(dir)
        .args(args)
        .output()
        .expect("padu binary runs")
        .into()
}
