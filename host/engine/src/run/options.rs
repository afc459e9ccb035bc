//! What a caller hands a run: the mode, dry run and force, a stop signal and a progress
//! callback.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crate::mode::Mode;
use crate::report::Counts;

/// Set it to stop a run after the batches in flight (Ctrl-C, SIGTERM).
pub type StopSignal = Arc<AtomicBool>;

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
