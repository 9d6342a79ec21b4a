//! padu-store's integration tests, one binary: the two-backend contract and
//! the kill -9 import tests.

mod contract;
mod kill;
mod letters;
mod progress;
mod proposals;
mod ratifications;
