//! The scheduler's watch over its executors: a query that overlaps the
//! loss of an executor is cancelled, so that the client runs it again.
//!
//! Ballista 55 recovers a lost executor's tasks, but the answer of a query
//! during which an executor died can have rows lost or counted twice, or
//! the query can hang (ARCHITECTURE.md, "Losing an executor"). Rather than
//! trust that recovery, the scheduler cancels every query running when it
//! learns of a loss; the client sees the query fail as cancelled and runs it
//! again from the start on the executors that are left
//! ([`crate::checked`]), so no answer of a query that lost an executor is
//! ever used.
//!
//! A loss is learnt two ways: the scheduler removing the executor (it
//! stopped asking for tasks for [`crate::EXECUTOR_TIMEOUT_SECONDS`]), and, sooner,
//! the executor's Flight port refusing connections twice in a row (a
//! killed process refuses at once; the scheduler would remove it only
//! seconds later, time enough for a short query to finish on what Ballista
//! re-ran).

use std::collections::HashMap;
use std::time::Duration;

use ballista_scheduler::cluster::ClusterStateEvent;
use ballista_scheduler::scheduler_server::SchedulerServer;
use datafusion_proto::protobuf::{LogicalPlanNode, PhysicalPlanNode};
use futures::StreamExt;
use tracing::{info, warn};

/// The scheduler of a Padu cluster.
pub(crate) type Scheduler = SchedulerServer<LogicalPlanNode, PhysicalPlanNode>;

/// How often each executor's port is tried.
const PROBE_EVERY: Duration = Duration::from_millis(500);
/// Refusals in a row that mean the executor is gone.
const REFUSALS: u32 = 2;

/// The text of the failure the client sees for a query the scheduler
/// cancelled (Ballista's own wording): [`crate::lost_executor`] knows it.
pub(crate) const CANCELLED: &str = "failed: Cancelled";

/// Watches `scheduler`'s executors until the process ends, cancelling the
/// running queries whenever one is lost.
pub(crate) async fn cancel_on_executor_loss(scheduler: Scheduler) {
    let mut events = match scheduler.cluster_state_events().await {
        Ok(e) => e,
        Err(e) => {
            warn!("pengawasan pelaksana tidak berjalan: {e}");
            return;
        }
    };
    // Executor id → (address, refusals in a row).
    let mut executors: HashMap<String, (String, u32)> = HashMap::new();
    let mut tick = tokio::time::interval(PROBE_EVERY);
    loop {
        tokio::select! {
            event = events.next() => match event {
                Some(ClusterStateEvent::RegisteredExecutor { executor_id }) => {
                    match scheduler.state.executor_manager.get_executor_metadata(&executor_id).await {
                        Ok(m) => {
                            executors.insert(executor_id, (format!("{}:{}", m.host, m.port), 0));
                        }
                        Err(e) => warn!("alamat pelaksana {executor_id} tidak diketahui: {e}"),
                    }
                }
                // Not cancelled again when a refused port already did: a
                // lost executor asks for no tasks, so no query started since
                // has any work on it.
                Some(ClusterStateEvent::RemovedExecutor { executor_id }) => {
                    if executors.remove(&executor_id).is_some() {
                        cancel_running(&scheduler, &executor_id, "dikeluarkan penjadwal").await;
                    }
                }
                None => return,
            },
            _ = tick.tick() => {
                let mut gone = Vec::new();
                for (id, (address, refusals)) in &mut executors {
                    let reached = tokio::time::timeout(
                        PROBE_EVERY,
                        tokio::net::TcpStream::connect(address.as_str()),
                    )
                    .await
                    .is_ok_and(|c| c.is_ok());
                    *refusals = if reached { 0 } else { *refusals + 1 };
                    if *refusals >= REFUSALS {
                        gone.push(id.clone());
                    }
                }
                // No longer probed, so cancelled once for its port.
                for id in gone {
                    executors.remove(&id);
                    cancel_running(&scheduler, &id, "portnya menolak sambungan").await;
                }
            }
        }
    }
}

/// Cancels every query running on `scheduler`, after `executor` was lost.
async fn cancel_running(scheduler: &Scheduler, executor: &str, how: &str) {
    let running: Vec<_> = scheduler
        .state
        .task_manager
        .get_running_job_cache()
        .keys()
        .cloned()
        .collect();
    warn!(
        "pelaksana {executor} hilang ({how}); {} kueri yang berjalan dibatalkan agar diulang klien",
        running.len()
    );
    for job in running {
        info!("membatalkan kueri {job}");
        if let Err(e) = scheduler.cancel_job(job).await {
            warn!("kueri tidak dapat dibatalkan: {e}");
        }
    }
}
