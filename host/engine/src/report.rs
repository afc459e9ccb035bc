//! What a run did, in numbers: kept in the run history and written to `sync_metrics.json`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::mode::Mode;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Everything synced.
    Success,
    /// Everything valid synced; some records were invalid and skipped.
    Partial,
    /// Stopped on request (Ctrl-C, SIGTERM) after committing the in-flight batches.
    Interrupted,
    /// Stopped by an error; the next run resumes from the last commit.
    Failed,
}

/// Records by what happened to them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Records the source returned.
    pub fetched: u64,
    /// Records that passed validation.
    pub valid: u64,
    /// Records that failed validation (in `invalid_records.jsonl`).
    pub invalid: u64,
    /// Valid records identical to what the sink holds.
    pub unchanged: u64,
    /// Records whose payload changed but not their text: payload updated, not embedded.
    pub payload_only: u64,
    /// Records new to the sink.
    pub new: u64,
    /// Records whose text changed: embedded again.
    pub reembedded: u64,
    /// Texts embedded (new + re-embedded, cache hits included).
    pub embedded: u64,
    /// Points written with a vector.
    pub upserted: u64,
    /// Points deleted because the source no longer has their keys.
    pub deleted: u64,
    /// Keys listed by a reconcile run.
    pub listed: u64,
}

/// Busy time per stage, in milliseconds (stages overlap, so these add up to more than the
/// wall time when the pipeline is doing its job).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StageTimes {
    /// Waiting on the source plugin.
    pub read_ms: f64,
    /// Validation, rendering, hashing and ledger lookups.
    pub process_ms: f64,
    /// Embedding (cache lookups included).
    pub embed_ms: f64,
    /// Waiting on the sink plugin.
    pub write_ms: f64,
    /// Committing checkpoints.
    pub commit_ms: f64,
}

/// One plugin's activity during the run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginCalls {
    /// Calls into the plugin.
    pub calls: u64,
    /// HTTP requests it made.
    pub http_requests: u64,
    /// HTTP requests the host retried for it.
    pub http_retries: u64,
    /// Microseconds inside calls into the plugin, its HTTP requests included.
    #[serde(default)]
    pub busy_us: u64,
    /// Microseconds of those inside its HTTP requests (waiting for the network and the server).
    #[serde(default)]
    pub http_us: u64,
}

/// Embedding activity.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EmbedCounts {
    /// The model.
    pub model: String,
    /// Cache hits.
    pub cache_hits: u64,
    /// Cache misses (texts sent to the provider).
    pub cache_misses: u64,
    /// Requests to the provider.
    pub requests: u64,
    /// Tokens the provider reported (or weir estimated).
    pub tokens: u64,
    /// Estimated cost in USD.
    pub cost_usd: f64,
}

/// Source, ledger and sink sizes at the end of a run, and what a difference means.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountCheck {
    /// Records the source says it has (when it can count).
    pub source: Option<u64>,
    /// Points the ledger says the sink holds.
    pub ledger: u64,
    /// Points the sink holds.
    pub sink: Option<u64>,
    /// Why they differ, when they do.
    pub mismatch: Option<String>,
}

/// The report of one run.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RunReport {
    /// Run id (increasing).
    pub run_id: u64,
    /// Pipeline name.
    pub pipeline: String,
    /// Mode.
    pub mode: Mode,
    /// Whether nothing was written.
    pub dry_run: bool,
    /// Whether this run resumed an interrupted one.
    pub resumed: bool,
    /// Outcome.
    pub status: RunStatus,
    /// The error that stopped the run.
    pub error: Option<String>,
    /// Start, RFC 3339.
    pub started: String,
    /// Wall time in seconds.
    pub duration_s: f64,
    /// Records fetched per second of wall time.
    pub records_per_s: f64,
    /// Records by outcome.
    pub counts: Counts,
    /// Estimated tokens of the texts that would be (dry run) or were sent to the provider.
    pub estimated_tokens: u64,
    /// Estimated cost of those tokens in USD.
    pub estimated_cost_usd: f64,
    /// Batches committed.
    pub batches: u64,
    /// Batches read but not committed because the run was stopped (the next run redoes them).
    #[serde(default)]
    pub dropped_batches: u64,
    /// Busy time per stage.
    pub stages: StageTimes,
    /// Plugin activity by plugin name.
    pub plugins: BTreeMap<String, PluginCalls>,
    /// Embedding activity.
    pub embedding: EmbedCounts,
    /// The watermark after the run.
    pub watermark: Option<String>,
    /// The end-of-run count check.
    pub count_check: Option<CountCheck>,
}
