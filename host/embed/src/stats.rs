//! Provider counters.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

/// A snapshot of a provider's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct EmbedStats {
    /// Requests (HTTP calls or inference batches) that succeeded.
    pub requests: u64,
    /// Texts embedded.
    pub inputs: u64,
    /// Tokens the provider reported (HTTP `usage.prompt_tokens`; local: tokens fed).
    pub tokens: u64,
    /// Tokens estimated before sending (what the budgets were charged).
    pub estimated_tokens: u64,
    /// Attempts that were retried (429 and 5xx/network).
    pub retries: u64,
    /// 429 answers received.
    pub rate_limited: u64,
    /// 5xx answers and network failures received.
    pub server_errors: u64,
    /// Inputs shortened to fit the model's input limit.
    pub truncated_inputs: u64,
    /// Cost estimate in US dollars from `tokens` and the configured price.
    pub cost_usd: f64,
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub requests: AtomicU64,
    pub inputs: AtomicU64,
    pub tokens: AtomicU64,
    pub estimated_tokens: AtomicU64,
    pub retries: AtomicU64,
    pub rate_limited: AtomicU64,
    pub server_errors: AtomicU64,
    pub truncated_inputs: AtomicU64,
}

impl Counters {
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    pub fn snapshot(&self, usd_per_million_tokens: f64) -> EmbedStats {
        let tokens = self.tokens.load(Ordering::Relaxed);
        EmbedStats {
            requests: self.requests.load(Ordering::Relaxed),
            inputs: self.inputs.load(Ordering::Relaxed),
            tokens,
            estimated_tokens: self.estimated_tokens.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            rate_limited: self.rate_limited.load(Ordering::Relaxed),
            server_errors: self.server_errors.load(Ordering::Relaxed),
            truncated_inputs: self.truncated_inputs.load(Ordering::Relaxed),
            cost_usd: tokens as f64 * usd_per_million_tokens / 1_000_000.0,
        }
    }
}
