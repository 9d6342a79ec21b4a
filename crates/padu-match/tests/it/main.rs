//! padu-match's integration tests, one binary.

mod threads;
mod verifier;
