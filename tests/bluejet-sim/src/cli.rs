//! Command-line pieces both binaries share.

use clap::Args;

use crate::faults::{FaultSpec, OffsetFailure, Trigger};

/// Fault flags (both simulators; the offset and token ones only mean something to BlueJet).
#[derive(Debug, Clone, Args)]
pub struct FaultArgs {
    /// Fixed latency added to every API request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Random extra latency, uniform in 0..=JITTER_MS milliseconds.
    #[arg(long, default_value_t = 0)]
    pub jitter_ms: u64,
    /// Answer 429 to the next N requests.
    #[arg(long, default_value_t = 0)]
    pub rate_limit_next: u32,
    /// Answer 429 to this share (0..1) of requests.
    #[arg(long, default_value_t = 0.0)]
    pub rate_limit_rate: f64,
    /// `Retry-After` seconds sent with injected 429s.
    #[arg(long, default_value_t = 1)]
    pub retry_after_secs: u64,
    /// Status of injected server errors (500, 502, 503, 504).
    #[arg(long, default_value_t = 503)]
    pub error_status: u16,
    /// Answer ERROR_STATUS to the next N requests.
    #[arg(long, default_value_t = 0)]
    pub error_next: u32,
    /// Answer ERROR_STATUS to this share (0..1) of requests.
    #[arg(long, default_value_t = 0.0)]
    pub error_rate: f64,
    /// Reset the connection (no answer) on the next N requests.
    #[arg(long, default_value_t = 0)]
    pub reset_next: u32,
    /// Reset the connection on this share (0..1) of requests.
    #[arg(long, default_value_t = 0.0)]
    pub reset_rate: f64,
}

impl FaultArgs {
    /// The fault spec these flags describe.
    pub fn spec(&self) -> FaultSpec {
        let trig =
            |next: u32, rate: f64| (next > 0 || rate > 0.0).then(|| Trigger { next, rate, ..Trigger::default() });
        FaultSpec {
            latency_ms: self.latency_ms,
            jitter_ms: self.jitter_ms,
            rate_limit: trig(self.rate_limit_next, self.rate_limit_rate).map(|t| t.retry_after(self.retry_after_secs)),
            server_error: trig(self.error_next, self.error_rate).map(|t| t.status(self.error_status)),
            reset: trig(self.reset_next, self.reset_rate),
            fail_from_offset: None,
            expire_tokens_every_secs: None,
        }
    }

    /// With a hard failure from an offset on.
    pub fn with_offset(spec: FaultSpec, offset: Option<usize>, status: u16, no: Option<u32>) -> FaultSpec {
        FaultSpec { fail_from_offset: offset.map(|offset| OffsetFailure { offset, status, no }), ..spec }
    }
}
