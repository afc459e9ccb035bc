//! What a caller hands a run: the mode, dry run and force, a stop signal and a progress
//! callback.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::mode::Mode;
use crate::report::Counts;

/// Set it to stop a run (Ctrl-C, SIGTERM): the reader and the processor stop, the batches not
/// yet written are dropped (an embedding under way is abandoned), the writes under way finish
/// and commit in batch order up to the first dropped batch, so the checkpoint stays exact.
pub type StopSignal = Arc<AtomicBool>;

/// How often a stage waiting on something slow looks at the stop signal.
const STOP_POLL: Duration = Duration::from_millis(20);

/// Resolves once `stop` is set, for racing a slow step (an embedding call) against it. The
/// signal is a flag that a signal handler can set, so this looks at it every [`STOP_POLL`]:
/// far inside the seconds a stop may take, and nothing next to a batch's work.
pub(super) async fn stopped(stop: &StopSignal) {
    while !stop.load(Ordering::Relaxed) {
        tokio::time::sleep(STOP_POLL).await;
    }
}

/// Progress of a running pipeline, reported after every commit.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    /// Records fetched so far.
    pub fetched: u64,
    /// Records the source said it has at the start (when it can count).
    pub total: Option<u64>,
    /// Records by outcome so far.
    pub counts: Counts,
    /// Cache hits and misses so far.
    pub cache_hits: u64,
    /// Cache misses so far.
    pub cache_misses: u64,
}

/// Called after every committed batch.
pub type ProgressFn = Arc<dyn Fn(&Progress) + Send + Sync>;

/// How to run.
#[derive(Clone)]
pub struct RunOptions {
    /// The mode.
    pub mode: Mode,
    /// Report what would happen; write nothing.
    pub dry_run: bool,
    /// Delete past the mass-delete guard.
    pub force: bool,
    /// Stops the run cleanly when set.
    pub stop: StopSignal,
    /// Progress callback.
    pub progress: Option<ProgressFn>,
}

impl std::fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunOptions").field("mode", &self.mode).field("dry_run", &self.dry_run).finish_non_exhaustive()
    }
}

impl RunOptions {
    /// A plain run in `mode`.
    pub fn new(mode: Mode) -> Self {
        Self { mode, dry_run: false, force: false, stop: StopSignal::default(), progress: None }
    }
}
