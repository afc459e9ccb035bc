//! Busy time of the stages that run as tasks of their own (reading, processing), added up
//! across batches for the report's stage times.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Nanoseconds each task stage spent working.
#[derive(Default)]
pub(super) struct Busy {
    pub(super) read: AtomicU64,
    pub(super) process: AtomicU64,
}

/// Adds the time since `since` to `counter`.
pub(super) fn add(counter: &AtomicU64, since: Instant) {
    counter.fetch_add(since.elapsed().as_nanos() as u64, Ordering::Relaxed);
}

/// Nanoseconds as the report's milliseconds.
pub(super) fn ms(nanos: u64) -> f64 {
    nanos as f64 / 1e6
}
