//! The requests a source may have in flight, shared by every instance of it.
//!
//! A run reads a stream in partitions, each on its own instance of the source, and several
//! pipelines may read one source; the server behind it sees them all. So the limit belongs to
//! the source (its plugin and configuration), not to an instance: every instance made for the
//! same source takes its slots from one [`RequestLimit`], and a `429 Too Many Requests` (or a
//! `Retry-After` on any retried answer) seen by one of them pauses them all until the server
//! said to come back, instead of each instance learning it with its own rejected request.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Requests a source may have in flight unless its configuration says otherwise: twice the
/// engine's default `read_concurrency`, so that two pipelines reading one source at once each
/// read at full width.
pub const DEFAULT_MAX_REQUESTS_IN_FLIGHT: usize = 8;

/// A shared limit on requests in flight, with a pause that every holder honours.
#[derive(Clone, Debug)]
pub struct RequestLimit {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    slots: Arc<Semaphore>,
    max: usize,
    /// No request starts before this instant (a server's `Retry-After`).
    paused_until: std::sync::Mutex<Option<Instant>>,
    in_flight: AtomicUsize,
    peak: AtomicUsize,
}

/// One request's slot; the request is no longer in flight when it is dropped.
pub(crate) struct Slot {
    limit: RequestLimit,
    _permit: OwnedSemaphorePermit,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.limit.inner.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

impl RequestLimit {
    /// A limit of `max` requests in flight (at least one).
    pub fn new(max: usize) -> Self {
        let max = max.max(1);
        Self {
            inner: Arc::new(Inner {
                slots: Arc::new(Semaphore::new(max)),
                max,
                paused_until: std::sync::Mutex::new(None),
                in_flight: AtomicUsize::new(0),
                peak: AtomicUsize::new(0),
            }),
        }
    }

    /// The most requests allowed in flight.
    pub fn max(&self) -> usize {
        self.inner.max
    }

    /// The most requests that were in flight at once so far.
    pub fn peak(&self) -> usize {
        self.inner.peak.load(Ordering::Relaxed)
    }

    /// When a pause a server asked for ends, if one is under way.
    pub fn paused_until(&self) -> Option<Instant> {
        let until = *self.inner.paused_until.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        until.filter(|u| *u > Instant::now())
    }

    /// Waits for a slot and for any pause to end. `None` when that would pass `deadline`.
    pub(crate) async fn acquire(&self, deadline: Option<Instant>) -> Option<Slot> {
        loop {
            if let Some(until) = self.paused_until() {
                if deadline.is_some_and(|d| until >= d) {
                    return None;
                }
                tokio::time::sleep_until(until.into()).await;
            }
            let permit = match deadline {
                Some(d) => tokio::time::timeout_at(d.into(), self.inner.slots.clone().acquire_owned()).await.ok()?,
                None => self.inner.slots.clone().acquire_owned().await,
            }
            .ok()?;
            // A pause may have begun while this request waited for its slot.
            if self.paused_until().is_some() {
                continue;
            }
            let now = self.inner.in_flight.fetch_add(1, Ordering::Relaxed) + 1;
            self.inner.peak.fetch_max(now, Ordering::Relaxed);
            return Some(Slot { limit: self.clone(), _permit: permit });
        }
    }

    /// Holds every request back for `delay` from now (a later pause already set stays).
    pub(crate) fn pause(&self, delay: Duration) {
        let until = Instant::now() + delay;
        let mut paused = self.inner.paused_until.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if paused.is_none_or(|p| p < until) {
            *paused = Some(until);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[tokio::test]
    async fn slots_are_shared_and_counted() {
        let limit = RequestLimit::new(2);
        let other = limit.clone();
        let a = limit.acquire(None).await.unwrap();
        let _b = other.acquire(None).await.unwrap();
        // A third waits until one is returned; past its deadline it gives up.
        let soon = Instant::now() + Duration::from_millis(20);
        assert!(limit.acquire(Some(soon)).await.is_none());
        drop(a);
        assert!(limit.acquire(Some(Instant::now() + Duration::from_secs(5))).await.is_some());
        assert_eq!((limit.peak(), limit.max()), (2, 2));
    }

    #[tokio::test]
    async fn a_pause_holds_every_holder_back() {
        let limit = RequestLimit::new(4);
        limit.pause(Duration::from_millis(150));
        limit.pause(Duration::from_millis(10));
        let t = Instant::now();
        let _slot = limit.clone().acquire(None).await.unwrap();
        assert!(t.elapsed() >= Duration::from_millis(140), "{:?}", t.elapsed());
        // A pause that outlasts the call's deadline fails at once.
        limit.pause(Duration::from_secs(60));
        let t = Instant::now();
        assert!(limit.acquire(Some(Instant::now() + Duration::from_secs(1))).await.is_none());
        assert!(t.elapsed() < Duration::from_secs(1));
    }
}
