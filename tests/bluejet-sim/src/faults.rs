//! Faults on demand, shared by both simulators: latency, forced status codes, connection
//! resets, failures from an offset on, token expiry. Rate-based decisions draw from a seeded
//! generator, so a run with the same seed and the same request sequence fails the same way.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::rng::Rng;

/// A fault that fires for the next `next` requests and, after those, for a `rate` share of
/// requests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Trigger {
    /// HTTP status to answer with (for `server_error`: 500, 502, 503 or 504; ignored for the
    /// others).
    pub status: u16,
    /// Fire for this many next requests (counts down).
    pub next: u32,
    /// Then fire for this share of requests (0..=1).
    pub rate: f64,
    /// `Retry-After` seconds sent with a 429.
    pub retry_after_secs: u64,
}

impl Default for Trigger {
    fn default() -> Self {
        Self { status: 503, next: 0, rate: 0.0, retry_after_secs: 1 }
    }
}

impl Trigger {
    /// Fires for the next `n` requests.
    pub fn next(n: u32) -> Self {
        Self { next: n, ..Self::default() }
    }
    /// Fires for a share of requests.
    pub fn rate(rate: f64) -> Self {
        Self { rate, ..Self::default() }
    }
    /// With this status.
    pub fn status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }
    /// With this `Retry-After`.
    pub fn retry_after(mut self, secs: u64) -> Self {
        self.retry_after_secs = secs;
        self
    }

    fn fire(&mut self, rng: &mut Rng) -> bool {
        if self.next > 0 {
            self.next -= 1;
            return true;
        }
        self.rate > 0.0 && rng.chance(self.rate)
    }
}

/// Fail every data request whose offset is at or past `offset` (optionally only for one
/// evidence) until the faults are changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OffsetFailure {
    pub offset: usize,
    #[serde(default = "default_500")]
    pub status: u16,
    #[serde(default)]
    pub no: Option<u32>,
}

fn default_500() -> u16 {
    500
}

/// The faults in force (`POST /admin/faults` replaces them all; `GET /admin/faults` shows
/// them, with the `next` counters as far as they have counted down).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultSpec {
    /// Added to every API request.
    pub latency_ms: u64,
    /// Plus a uniform random 0..=jitter_ms.
    pub jitter_ms: u64,
    /// Answer 429 with `Retry-After`.
    pub rate_limit: Option<Trigger>,
    /// Answer `status` (5xx).
    pub server_error: Option<Trigger>,
    /// Close the connection without answering (TCP reset).
    pub reset: Option<Trigger>,
    /// BlueJet only: a hard failure from an offset on.
    pub fail_from_offset: Option<OffsetFailure>,
    /// BlueJet only: tokens expire at every multiple of this many seconds since start.
    pub expire_tokens_every_secs: Option<u64>,
}

/// What to do with a request.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Pass,
    Reset,
    RateLimited { retry_after_secs: u64 },
    Status(u16),
}

/// The fault spec plus its generator.
#[derive(Debug)]
pub struct FaultState {
    pub spec: FaultSpec,
    rng: Rng,
}

impl FaultState {
    pub fn new(spec: FaultSpec, seed: u64) -> Self {
        Self { spec, rng: Rng::derive(seed, "faults") }
    }

    /// The delay to add to this request.
    pub fn latency(&mut self) -> Option<Duration> {
        let jitter = if self.spec.jitter_ms > 0 { self.rng.below(self.spec.jitter_ms + 1) } else { 0 };
        let ms = self.spec.latency_ms + jitter;
        (ms > 0).then(|| Duration::from_millis(ms))
    }

    /// Decides reset, then 429, then 5xx.
    pub fn decide(&mut self) -> Verdict {
        let rng = &mut self.rng;
        if let Some(t) = self.spec.reset.as_mut()
            && t.fire(rng)
        {
            return Verdict::Reset;
        }
        if let Some(t) = self.spec.rate_limit.as_mut()
            && t.fire(rng)
        {
            return Verdict::RateLimited { retry_after_secs: t.retry_after_secs };
        }
        if let Some(t) = self.spec.server_error.as_mut()
            && t.fire(rng)
        {
            return Verdict::Status(t.status);
        }
        Verdict::Pass
    }
}
