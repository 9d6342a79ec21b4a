//! padu-cli's integration tests, one binary: the real `padu` binary run as a user would.

mod common;
mod import_export;
mod nik_wilayah;
mod office;
mod period;
mod serve;
mod verify;
