//! How a pipeline turns records into points: text, payload, validation, batching, safety
//! limits. Deserialised from the `[pipelines.NAME]` tables of `weir.toml`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use weir_core::{IndexKind, PayloadIndex};

use crate::template::Template;
use crate::validate::Rules;

/// Records per source page, validation call, embedding batch, sink write and checkpoint.
pub const DEFAULT_BATCH_SIZE: u32 = 256;
/// Default overlap subtracted from the watermark of an incremental run, in seconds.
pub const DEFAULT_OVERLAP_SECONDS: u64 = 300;
/// Default share of the collection a run may delete without `--force`.
pub const DEFAULT_MAX_DELETE_SHARE: f64 = 0.10;

/// The settings of one pipeline (everything but the plugins it runs).
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PipelineSettings {
    /// The text that is embedded, e.g. `{name} · {category} · {description}`.
    pub text: String,
    /// What goes into the payload of each point.
    #[serde(default)]
    pub payload: PayloadSettings,
    /// Built-in validation rules.
    #[serde(default)]
    pub validation: Rules,
    /// What happens to invalid records.
    #[serde(default)]
    pub on_invalid: InvalidPolicy,
    /// Records per batch (source page, embedding batch, sink write, checkpoint).
    #[serde(default = "default_batch_size")]
    pub batch_size: u32,
    /// Batches being embedded at once (the provider's own limits still apply).
    #[serde(default = "default_embed_concurrency")]
    pub embed_concurrency: usize,
    /// Batches written to the sink at once (each on its own plugin instance); commits stay
    /// in batch order. With two, a hash-embedder full sync into the embedded store used about
    /// 1.4 of two cores, waiting on write round trips; four keep them busy (`docs/BENCHMARKS.md`).
    #[serde(default = "default_write_concurrency")]
    pub write_concurrency: usize,
    /// Batches buffered between stages (fetch ahead while embedding and writing).
    #[serde(default = "default_queue")]
    pub queue: usize,
    /// Seconds subtracted from the watermark when an incremental run starts, to catch rows
    /// whose modification time lags their commit (clock skew, long transactions).
    #[serde(default = "default_overlap")]
    pub overlap_seconds: u64,
    /// The largest share (0..=1) of the collection one run may delete without `--force`.
    #[serde(default = "default_max_delete_share")]
    pub max_delete_share: f64,
    /// Payload fields to index in the sink, e.g. `{ category = "keyword", price = "float" }`.
    #[serde(default)]
    pub indexes: BTreeMap<String, IndexKindName>,
    /// Namespace of the deterministic point ids (default: the pipeline's name). Changing it
    /// changes every id: a rebuild.
    #[serde(default)]
    pub namespace: Option<String>,
    /// Estimated price per million embedding tokens, for dry-run cost estimates.
    #[serde(default)]
    pub usd_per_million_tokens: f64,
}

/// Payload selection.
#[derive(Debug, Clone, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PayloadSettings {
    /// Only these fields (default: all of the record's fields).
    #[serde(default)]
    pub fields: Option<Vec<String>>,
    /// Fields left out.
    #[serde(default)]
    pub exclude: Vec<String>,
}

/// The name of a payload index kind in configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum IndexKindName {
    Keyword,
    Integer,
    Float,
    Bool,
    Text,
    Datetime,
    Uuid,
}

impl From<IndexKindName> for IndexKind {
    fn from(k: IndexKindName) -> Self {
        match k {
            IndexKindName::Keyword => IndexKind::Keyword,
            IndexKindName::Integer => IndexKind::Integer,
            IndexKindName::Float => IndexKind::Float,
            IndexKindName::Bool => IndexKind::Boolean,
            IndexKindName::Text => IndexKind::Text,
            IndexKindName::Datetime => IndexKind::Datetime,
            IndexKindName::Uuid => IndexKind::Uuid,
        }
    }
}

/// What a run does with invalid records.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvalidPolicy {
    /// Log them to `invalid_records.jsonl` and go on (the default).
    #[default]
    Skip,
    /// Stop the run at the first invalid record (what was committed before stays).
    Fail,
    /// Skip them, but fail the run at its end when more than this percentage was invalid.
    FailAbovePercent(f64),
}

impl std::fmt::Display for InvalidPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InvalidPolicy::Skip => f.write_str("skip"),
            InvalidPolicy::Fail => f.write_str("fail on the first"),
            InvalidPolicy::FailAbovePercent(p) => write!(f, "at most {p}%"),
        }
    }
}

fn default_batch_size() -> u32 {
    DEFAULT_BATCH_SIZE
}
fn default_embed_concurrency() -> usize {
    2
}
fn default_write_concurrency() -> usize {
    4
}
fn default_queue() -> usize {
    4
}
fn default_overlap() -> u64 {
    DEFAULT_OVERLAP_SECONDS
}
fn default_max_delete_share() -> f64 {
    DEFAULT_MAX_DELETE_SHARE
}

impl PipelineSettings {
    /// Settings with defaults and the given text template.
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            payload: PayloadSettings::default(),
            validation: Rules::default(),
            on_invalid: InvalidPolicy::default(),
            batch_size: DEFAULT_BATCH_SIZE,
            embed_concurrency: default_embed_concurrency(),
            write_concurrency: default_write_concurrency(),
            queue: default_queue(),
            overlap_seconds: DEFAULT_OVERLAP_SECONDS,
            max_delete_share: DEFAULT_MAX_DELETE_SHARE,
            indexes: BTreeMap::new(),
            namespace: None,
            usd_per_million_tokens: 0.0,
        }
    }

    /// Checks what serde cannot; returns the parsed template.
    pub fn check(&self) -> Result<Template, String> {
        let template = Template::parse(&self.text).map_err(|e| e.to_string())?;
        if self.batch_size == 0 || self.batch_size > 10_000 {
            return Err(format!("batch_size must be 1..=10000, not {}", self.batch_size));
        }
        if self.embed_concurrency == 0 || self.queue == 0 || self.write_concurrency == 0 {
            return Err("embed_concurrency, write_concurrency and queue must be at least 1".into());
        }
        if !(0.0..=1.0).contains(&self.max_delete_share) {
            return Err(format!("max_delete_share must be between 0 and 1, not {}", self.max_delete_share));
        }
        if let InvalidPolicy::FailAbovePercent(p) = self.on_invalid
            && !(0.0..=100.0).contains(&p)
        {
            return Err(format!("on_invalid fail_above_percent must be between 0 and 100, not {p}"));
        }
        self.validation.compile().map_err(|e| format!("validation: {e}"))?;
        Ok(template)
    }

    /// The sink's payload indexes.
    pub fn payload_indexes(&self) -> Vec<PayloadIndex> {
        self.indexes.iter().map(|(field, kind)| PayloadIndex { field: field.clone(), kind: (*kind).into() }).collect()
    }
}
