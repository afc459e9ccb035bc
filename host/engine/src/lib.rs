//! weir's sync engine: drives source → validation → change detection → embedding → sink for
//! a pipeline, and owns its durable state.
//!
//! - [`StateDir`]: the state directory (one redb database and a lock) holding the ledger
//!   (key → hashes of what the sink holds), checkpoints, run history and the embedding cache.
//! - [`Pipeline`]: the parts that outlive a run (plugin instances, embedder, checked settings).
//! - [`run()`]: one run of a pipeline in a [`Mode`] (full, incremental, reconcile, rebuild, each
//!   optionally dry), with overlapping stages, ordered commits and a [`RunReport`].
//! - [`Pipeline::search`]: identifier lookup, then dense and lexical (BM25) rankings fused.
//! - [`PipelineSettings`]: text template, payload, validation, batching and safety limits.

mod error;
mod invalid;
mod mode;
mod pipeline;
mod report;
mod run;
mod search;
mod settings;
mod state;
mod template;
mod validate;

pub use error::{Error, Result};
pub use invalid::{InvalidLog, REDACTED};
pub use mode::Mode;
pub use pipeline::{KEY_FIELD, Pipeline};
pub use report::{CountCheck, Counts, EmbedCounts, PluginCalls, RunReport, RunStatus, StageTimes};
pub use run::{Progress, ProgressFn, RunOptions, StopSignal, run};
pub use search::expand::expands_records;
pub use search::{DENSE_ONLY_NOTE, Found, Hit, MAX_QUERY_CHARS, Match, SearchMode, Searcher, normalise_identifier};
pub use settings::{
    DEFAULT_BATCH_SIZE, DEFAULT_DISPLAY, DEFAULT_MAX_DELETE_SHARE, DEFAULT_OVERLAP_SECONDS, DEFAULT_READ_CONCURRENCY,
    IDS_FIELD, IndexKindName, InvalidPolicy, MAX_READ_CONCURRENCY, PayloadSettings, PipelineSettings, SearchKind,
};
pub use state::{
    Checkpoint, DB_FILE, INVALID_FILE, LOCK_FILE, LedgerRow, METRICS_FILE, PartitionState, PipelineMeta, StateDir,
};
pub use template::{Template, TemplateError};
pub use validate::{CompiledRules, FieldType, Rules};
