//! Why the engine could not run at all.

use padu_core::Lang;
use padu_core::lang::Localized;
use thiserror::Error;

/// A reason [`crate::verify`] returns no result.
///
/// Problems in the data are never errors: every registry row gets a result.
/// The Indonesian message is the `Display`; English comes from [`Localized::message`].
#[derive(Debug, Error)]
pub enum MatchError {
    /// The worker threads asked for in [`crate::MatchConfig::threads`] could not be started.
    #[error("thread pekerja tidak dapat dibuat: {0}")]
    ThreadPool(#[from] rayon::ThreadPoolBuildError),
}

impl Localized for MatchError {
    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (_, Lang::Id) => self.to_string(),
            (MatchError::ThreadPool(e), Lang::En) => {
                format!("worker threads cannot be started: {e}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thread_pool_error_speaks_both_languages() {
        let Err(e) = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .spawn_handler(|_| Err(std::io::Error::other("no threads here")))
            .build()
        else {
            panic!("a pool whose threads cannot start must not build");
        };
        let e = MatchError::from(e);
        assert!(
            e.to_string()
                .starts_with("thread pekerja tidak dapat dibuat: ")
        );
        assert!(
            e.message(Lang::En)
                .starts_with("worker threads cannot be started: ")
        );
    }
}
