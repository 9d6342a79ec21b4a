//! The instant re-check: one record checked against the civil extract with the
//! model of the last verification run, while the operator types.
//!
//! The checker ([`padu_match::Verifier`]) holds the civil extract prepared and
//! indexed in memory; it is built in the background when the server starts
//! and rebuilt when a newer verification run (a new model) or a new civil
//! import appears. Until it is ready, a re-check answers "not ready yet"
//! rather than anything made up. This module reads only the civil extract and
//! the model, never registry people.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use padu_core::{CivilPerson, RegistryPerson};
use padu_match::{Checked, DuplicateGroup, MatchConfig, SavedModel, Verifier};
use padu_store::Store;

/// Where the checker stands.
#[derive(Clone)]
pub enum RecheckStatus {
    /// Being built (or waiting for the first verification run).
    Loading,
    /// No verification run has kept a model yet: run `padu verify` first.
    NoModel,
    /// Ready, built from this run's model.
    Ready {
        /// The run whose model it uses.
        run_id: i64,
        /// The checker.
        verifier: Arc<Verifier>,
    },
    /// Building failed; the reason is logged.
    Failed(String),
}

/// What the server knows of the checker, shared by all requests.
#[derive(Clone)]
pub struct Rechecker {
    status: Arc<RwLock<RecheckStatus>>,
}

/// A re-check's answer.
pub struct Recheck {
    /// The row, explanation and candidates.
    pub checked: Checked,
    /// The run whose model scored it.
    pub run_id: i64,
    /// The checker (to read the civil residents the answer names).
    verifier: Arc<Verifier>,
}

impl Recheck {
    /// A civil resident the answer refers to (by index in the checker's extract).
    pub fn civil(&self, index: usize) -> Option<&CivilPerson> {
        self.verifier.civil().get(index)
    }

    /// The civil resident the decision rests on, if any.
    pub fn matched(&self) -> Option<&CivilPerson> {
        self.checked.matched.and_then(|i| self.civil(i))
    }

    /// The best candidate, confident or not.
    pub fn best_candidate(&self) -> Option<&CivilPerson> {
        self.checked.candidates.first().and_then(|&i| self.civil(i))
    }
}

impl Rechecker {
    /// Starts building the checker in the background, and watching for a newer model.
    pub fn start(store: Store, threads: Option<usize>) -> Rechecker {
        let r = Rechecker {
            status: Arc::new(RwLock::new(RecheckStatus::Loading)),
        };
        let status = r.status.clone();
        tokio::spawn(async move {
            let mut built: Option<(i64, i64)> = None;
            loop {
                match current_inputs(&store).await {
                    Ok(None) => set(&status, RecheckStatus::NoModel),
                    Ok(Some(inputs)) if built != Some(inputs) => {
                        match build(&store, inputs.0, threads).await {
                            Ok(verifier) => {
                                built = Some(inputs);
                                set(
                                    &status,
                                    RecheckStatus::Ready {
                                        run_id: inputs.0,
                                        verifier: Arc::new(verifier),
                                    },
                                );
                                tracing::info!(run = inputs.0, "re-check index ready");
                            }
                            Err(e) => {
                                tracing::error!(error = %e, "building the re-check index failed");
                                set(&status, RecheckStatus::Failed(e));
                            }
                        }
                    }
                    Ok(Some(_)) => {}
                    Err(e) => tracing::warn!(error = %e, "cannot read the verification model"),
                }
                tokio::time::sleep(Duration::from_secs(60)).await;
            }
        });
        r
    }

    /// The checker's state now.
    pub fn status(&self) -> RecheckStatus {
        self.status
            .read()
            .map(|s| s.clone())
            .unwrap_or_else(|e| e.into_inner().clone())
    }

    /// Checks one record; `None` when the checker is not ready.
    pub async fn check(
        &self,
        person: RegistryPerson,
        group: Option<DuplicateGroup>,
    ) -> Option<Recheck> {
        let RecheckStatus::Ready { run_id, verifier } = self.status() else {
            return None;
        };
        let v = verifier.clone();
        let checked = tokio::task::spawn_blocking(move || v.check(&person, group.as_ref()))
            .await
            .ok()?;
        Some(Recheck {
            checked,
            run_id,
            verifier,
        })
    }
}

fn set(status: &RwLock<RecheckStatus>, s: RecheckStatus) {
    match status.write() {
        Ok(mut g) => *g = s,
        Err(e) => *e.into_inner() = s,
    }
}

/// The latest run with a model, and the latest civil import: a change in either means a rebuild.
async fn current_inputs(store: &Store) -> Result<Option<(i64, i64)>, String> {
    let Some((run_id, _)) = store.latest_model().await.map_err(|e| e.to_string())? else {
        return Ok(None);
    };
    let civil_import = store
        .import_runs()
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter(|r| r.kind == "civil" && r.finished_at.is_some())
        .map(|r| r.import_run_id)
        .max()
        .unwrap_or(0);
    Ok(Some((run_id, civil_import)))
}

async fn build(store: &Store, run_id: i64, threads: Option<usize>) -> Result<Verifier, String> {
    let Some((found, json)) = store.latest_model().await.map_err(|e| e.to_string())? else {
        return Err("no model".into());
    };
    if found != run_id {
        tracing::info!(run = found, "a newer model appeared while building");
    }
    let saved: SavedModel = serde_json::from_str(&json)
        .map_err(|e| format!("reading the model of run {found}: {e}"))?;
    let civil = store.load_civil().await.map_err(|e| e.to_string())?;
    // The run's own settings, so that a re-check decides as the run did; only
    // the thread count is the server's, and explanations are always wanted.
    let cfg = MatchConfig {
        threads,
        explain: true,
        ..saved.config
    };
    tokio::task::spawn_blocking(move || Verifier::new(civil, saved.model, &cfg))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())
}
