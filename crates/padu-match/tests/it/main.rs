//! padu-match's integration tests, one binary.

mod verifier;
