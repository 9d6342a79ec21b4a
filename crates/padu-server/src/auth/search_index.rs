//! Keeps the name-search index in step with the registry.
//!
//! A background task gives every person whose name tokens are missing or out
//! of date (after an import, a first start, or an edit) the tokens of
//! [`padu_match::name_key`], a few thousand people per transaction, then waits
//! until it is told something changed or a minute has passed.

use std::sync::Arc;
use std::time::Duration;

use padu_store::{NameTokens, Store};
use tokio::sync::Notify;

/// People indexed per transaction.
const BATCH: u32 = 5_000;

/// Wakes the indexer.
#[derive(Clone, Default)]
pub struct NameIndex {
    wake: Arc<Notify>,
}

impl NameIndex {
    /// Asks the indexer to look for stale names now (after an edit).
    pub fn touch(&self) {
        self.wake.notify_one();
    }

    /// Starts the indexer on the runtime.
    pub(super) fn start(&self, store: Store) {
        let wake = self.wake.clone();
        tokio::spawn(async move {
            loop {
                match refresh(&store).await {
                    Ok(n) if n > 0 => {
                        tracing::info!(people = n, "name search index updated");
                        // A large pass (a fresh import) changes what the planner should
                        // know about the token tables.
                        if n >= STATISTICS_AFTER
                            && let Err(e) = store.refresh_statistics().await
                        {
                            tracing::warn!(error = %e, "refreshing statistics failed");
                        }
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "name search index update failed"),
                }
                tokio::select! {
                    () = wake.notified() => {}
                    () = tokio::time::sleep(Duration::from_secs(60)) => {}
                }
            }
        });
    }
}

/// Names indexed in one pass after which the database's statistics are refreshed.
const STATISTICS_AFTER: u64 = 10_000;

/// Indexes every stale person; returns how many.
pub async fn refresh(store: &Store) -> Result<u64, padu_store::StoreError> {
    let mut total = 0u64;
    loop {
        let stale = store.name_index_stale(BATCH).await?;
        if stale.is_empty() {
            return Ok(total);
        }
        let n = stale.len();
        let entries: Vec<NameTokens> = tokio::task::spawn_blocking(move || {
            stale
                .into_iter()
                .map(|s| {
                    let key = padu_match::name_key(&s.nama);
                    NameTokens {
                        person_id: s.person_id,
                        name_key: key.norm,
                        tokens: key.tokens,
                        kode_wilayah: s.kode_wilayah,
                        content_hash: s.content_hash,
                    }
                })
                .collect()
        })
        .await
        .map_err(|e| padu_store::StoreError::Decode {
            table: "person",
            column: "nama",
            reason: e.to_string(),
        })?;
        store.set_name_tokens(&entries).await?;
        total += n as u64;
        if n < BATCH as usize {
            return Ok(total);
        }
    }
}
