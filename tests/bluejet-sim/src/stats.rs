//! BlueJet request log and counters, so a test can assert exactly what a sync did.
//! Tokens and credentials are never recorded.

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

/// Injected faults by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultCounters {
    /// Requests delayed by configured latency.
    pub latency: u64,
    /// Connections reset without an answer.
    pub resets: u64,
    /// 429 answers.
    pub http429: u64,
    /// 5xx answers from `server_error`, by status.
    pub http5xx: BTreeMap<u16, u64>,
    /// Failures from `fail_from_offset`.
    pub offset_failures: u64,
    /// Token invalidations (admin call, or an `expire_tokens_every_secs` boundary that
    /// rejected a token).
    pub token_invalidations: u64,
}

/// Counters since start or the last reset.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// API requests (auth + data + unknown paths); admin calls are not counted.
    pub requests: u64,
    pub auth_calls: u64,
    pub auth_succeeded: u64,
    pub auth_failed: u64,
    pub data_calls: u64,
    /// Data calls by evidence (only those whose `no` parsed).
    pub data_calls_by_no: BTreeMap<u32, u64>,
    /// Rows in 200 answers.
    pub rows_served: u64,
    pub rows_served_by_no: BTreeMap<u32, u64>,
    /// 401 answers (unknown, missing, expired or invalidated token).
    pub unauthorized: u64,
    /// 400 answers.
    pub bad_requests: u64,
    /// Answers by HTTP status (resets have none).
    pub status_counts: BTreeMap<u16, u64>,
    pub faults: FaultCounters,
    /// The most API requests (auth + data) the server was answering at once, latency
    /// included: a client's limit of requests in flight can be checked against it.
    pub max_in_flight: u64,
    /// Changes applied by admin calls and the change schedule.
    pub changes_applied: u64,
    pub records_modified: u64,
    pub records_inserted: u64,
    pub records_deleted: u64,
}

/// One API request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    /// 1-based sequence number since start (not reset by `reset-stats`).
    pub seq: u64,
    /// Milliseconds since the server started.
    pub at_ms: u64,
    pub method: String,
    pub path: String,
    /// The decoded query parameters.
    pub query: BTreeMap<String, String>,
    /// `None` when the connection was reset.
    pub status: Option<u16>,
    pub rows: usize,
    /// The fault injected into this request, if any (`latency`, `reset`, `429`, `503`,
    /// `offset`, `token-expired`).
    pub fault: Option<String>,
    pub duration_us: u64,
}

/// Counters plus a bounded log.
#[derive(Debug, Default)]
pub struct Recorder {
    pub stats: Stats,
    pub log: VecDeque<LogEntry>,
    pub seq: u64,
    pub capacity: usize,
    /// API requests being answered now (not reset by `reset`: they are still running).
    pub in_flight: u64,
}

impl Recorder {
    pub fn new(capacity: usize) -> Self {
        Self { capacity, ..Self::default() }
    }

    pub fn push(&mut self, mut entry: LogEntry) {
        self.seq += 1;
        entry.seq = self.seq;
        if let Some(s) = entry.status {
            *self.stats.status_counts.entry(s).or_default() += 1;
            match s {
                400 => self.stats.bad_requests += 1,
                401 => self.stats.unauthorized += 1,
                _ => {}
            }
        }
        if self.log.len() >= self.capacity.max(1) {
            self.log.pop_front();
        }
        self.log.push_back(entry);
    }

    pub fn reset(&mut self) {
        self.stats = Stats { max_in_flight: self.in_flight, ..Stats::default() };
        self.log.clear();
    }

    /// A request starts being answered.
    pub fn enter(&mut self) {
        self.in_flight += 1;
        self.stats.max_in_flight = self.stats.max_in_flight.max(self.in_flight);
    }

    /// A request was answered, or its connection dropped.
    pub fn leave(&mut self) {
        self.in_flight = self.in_flight.saturating_sub(1);
    }
}
