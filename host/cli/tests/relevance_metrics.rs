//! The relevance benchmark's measures (`benches/relevance/metrics.rs`), tested against values
//! computed by hand; the bench binary has no test harness of its own.
#![allow(clippy::unwrap_used)]

#[allow(dead_code)]
#[path = "../benches/relevance/metrics.rs"]
mod metrics;
