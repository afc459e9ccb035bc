//! How a pipeline turns records into points: text, payload, validation, batching, safety
//! limits. Deserialised from the `[pipelines.NAME]` tables of `weir.toml`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use weir_core::{IndexKind, PayloadIndex};
use weir_embed::{Embedder, LexicalConfig};

use crate::template::Template;
use crate::validate::Rules;

/// Records per source page, validation call, embedding batch, sink write and checkpoint.
pub const DEFAULT_BATCH_SIZE: u32 = 256;
/// Partitions read at once unless a pipeline says otherwise: at BlueJet-like latency and the
/// customer's 109,253 products, 8 readers made a 2-core machine's full sync 27 s against 31 s
/// with 4, and a reconcile 15 s against 26 s (`docs/BENCHMARKS.md`, partitioned reads); the
/// source's `max_requests_in_flight` still bounds what the ERP sees.
pub const DEFAULT_READ_CONCURRENCY: u32 = 8;
/// The most partitions one run reads at once: each holds a plugin instance and its memory.
pub const MAX_READ_CONCURRENCY: u32 = 64;
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
    /// Partitions of the source stream read at once, each on its own plugin instance: the
    /// most partitions a run asks the source for (one that cannot split gives one). Each has
    /// its own checkpoint, so a resumed run reads every partition on from its last commit.
    #[serde(default = "default_read_concurrency")]
    pub read_concurrency: u32,
    /// Batches being embedded at once (the provider's own limits still apply). Unset, it
    /// follows the embedder: an OpenAI-compatible provider's `max_concurrency`, two for the
    /// local model and the hash embedder. A fixed number caps a provider below what it allows: two batches at 300 ms
    /// a request held a full sync of 109,253 products to 135 s against 73 s with eight.
    #[serde(default)]
    pub embed_concurrency: Option<usize>,
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
    /// What a new collection holds and how it is searched: `hybrid` (dense and lexical BM25
    /// vectors, fused) or `dense`. An existing collection keeps its shape until a rebuild.
    #[serde(default)]
    pub search: SearchKind,
    /// The text of the lexical (BM25) vector; default: the `text` template followed by the
    /// identifier fields, so that a product code typed in a query matches its record.
    #[serde(default)]
    pub lexical_text: Option<String>,
    /// Fields that identify a record to people (product codes, EANs): a query equal to one of
    /// their values (case and surrounding whitespace ignored) returns that record first.
    #[serde(default)]
    pub identifiers: Vec<String>,
    /// Two fields that name a record in two languages (`["name", "nazev"]`: BlueJet's
    /// catalogue name, English for a share of imported goods, and its Czech name). Where a
    /// record's two values differ they are a translation; a run learns term translations
    /// from them and searches add a query term's translations to its lexical side, so that
    /// an English query finds Czech-named products and the reverse. Empty: off.
    #[serde(default)]
    pub translate: Vec<String>,
    /// Payload fields a search result shows, in order (those a point has).
    #[serde(default = "default_display")]
    pub display: Vec<String>,
    /// How lexical vectors are made (BM25 `k1`, `b`, `avg_doc_len`, `languages`). Part of the
    /// collection's identity: changing it means a rebuild.
    #[serde(default)]
    #[schemars(with = "Option<serde_json::Map<String, serde_json::Value>>")]
    pub lexical: Option<LexicalConfig>,
}

/// What a new collection holds and how it is searched.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SearchKind {
    /// Dense and lexical (BM25) vectors, searched together and fused (the default).
    #[default]
    Hybrid,
    /// Dense vectors only.
    Dense,
}

/// The payload field holding a point's identifiers, normalised (trimmed, lower-cased), with a
/// keyword index: what an exact lookup of a typed code or EAN filters on.
pub const IDS_FIELD: &str = "_ids";

/// The fields a search result shows unless a pipeline names its own.
pub const DEFAULT_DISPLAY: &[&str] = &["code", "name", "brand", "category", "price"];

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

fn default_display() -> Vec<String> {
    DEFAULT_DISPLAY.iter().map(|s| (*s).to_owned()).collect()
}
fn default_batch_size() -> u32 {
    DEFAULT_BATCH_SIZE
}
fn default_read_concurrency() -> u32 {
    DEFAULT_READ_CONCURRENCY
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
            read_concurrency: DEFAULT_READ_CONCURRENCY,
            embed_concurrency: None,
            write_concurrency: default_write_concurrency(),
            queue: default_queue(),
            overlap_seconds: DEFAULT_OVERLAP_SECONDS,
            max_delete_share: DEFAULT_MAX_DELETE_SHARE,
            indexes: BTreeMap::new(),
            namespace: None,
            usd_per_million_tokens: 0.0,
            search: SearchKind::default(),
            lexical_text: None,
            identifiers: Vec::new(),
            translate: Vec::new(),
            display: default_display(),
            lexical: None,
        }
    }

    /// Batches embedded at once with `embedder`: `embed_concurrency` when set, else what the
    /// embedder can usefully have under way ([`Embedder::batches_in_flight`]).
    pub fn embed_concurrency_for(&self, embedder: &dyn Embedder) -> usize {
        self.embed_concurrency.unwrap_or_else(|| embedder.batches_in_flight()).max(1)
    }

    /// The lexical text template: `lexical_text`, else the embedding template followed by the
    /// identifier fields.
    pub fn lexical_template(&self) -> Result<Template, String> {
        let source = match &self.lexical_text {
            Some(t) => t.clone(),
            None => {
                let mut s = self.text.clone();
                for field in &self.identifiers {
                    s.push_str(&format!(" · {{{field}}}"));
                }
                s
            }
        };
        Template::parse(&source).map_err(|e| format!("lexical_text: {e}"))
    }

    /// The two fields of `translate`, when set.
    pub fn translate_pair(&self) -> Option<[String; 2]> {
        match self.translate.as_slice() {
            [a, b] => Some([a.clone(), b.clone()]),
            _ => None,
        }
    }

    /// The lexical encoder's settings.
    pub fn lexical_config(&self) -> LexicalConfig {
        self.lexical.clone().unwrap_or_default()
    }

    /// Checks what serde cannot; returns the parsed template.
    pub fn check(&self) -> Result<Template, String> {
        let template = Template::parse(&self.text).map_err(|e| e.to_string())?;
        if self.batch_size == 0 || self.batch_size > 10_000 {
            return Err(format!("batch_size must be 1..=10000, not {}", self.batch_size));
        }
        if self.read_concurrency == 0 || self.read_concurrency > MAX_READ_CONCURRENCY {
            return Err(format!("read_concurrency must be 1..={MAX_READ_CONCURRENCY}, not {}", self.read_concurrency));
        }
        if self.embed_concurrency == Some(0) || self.queue == 0 || self.write_concurrency == 0 {
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
        self.lexical_template()?;
        self.lexical_config().validate().map_err(|e| e.to_string())?;
        if let Some(f) = self.identifiers.iter().find(|f| f.trim().is_empty() || f.starts_with('_')) {
            return Err(format!("identifiers: `{f}` is not a field name (empty or starting with `_`)"));
        }
        match self.translate.as_slice() {
            [] => {}
            [a, b] if a != b && [a, b].iter().all(|f| !f.trim().is_empty() && !f.starts_with('_')) => {}
            other => {
                return Err(format!(
                    "translate: name two different fields, as `translate = [\"name\", \"nazev\"]`, not {other:?}"
                ));
            }
        }
        Ok(template)
    }

    /// The sink's payload indexes: those configured, a keyword index on each identifier field
    /// (unless configured otherwise) and on the normalised identifiers ([`IDS_FIELD`]).
    pub fn payload_indexes(&self) -> Vec<PayloadIndex> {
        let mut indexes = self.indexes.clone();
        if !self.identifiers.is_empty() {
            for field in &self.identifiers {
                indexes.entry(field.clone()).or_insert(IndexKindName::Keyword);
            }
            indexes.insert(IDS_FIELD.to_owned(), IndexKindName::Keyword);
        }
        indexes.iter().map(|(field, kind)| PayloadIndex { field: field.clone(), kind: (*kind).into() }).collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn translate_names_two_different_fields_or_nothing() {
        let mut s = PipelineSettings::new("{name}");
        assert_eq!(s.translate_pair(), None);
        s.translate = vec!["name".into(), "nazev".into()];
        assert!(s.check().is_ok());
        assert_eq!(s.translate_pair(), Some(["name".to_owned(), "nazev".to_owned()]));
        for bad in [vec!["name"], vec!["name", "name"], vec!["name", "nazev", "title"], vec!["name", " "]] {
            s.translate = bad.iter().map(|f| (*f).to_owned()).collect();
            let e = s.check().unwrap_err();
            assert!(e.contains("translate"), "{bad:?}: {e}");
        }
    }

    #[test]
    fn the_lexical_text_is_the_text_and_the_identifiers_unless_given() {
        let mut s = PipelineSettings::new("{name} · {category}");
        s.identifiers = vec!["code".into(), "ean".into()];
        let fields = serde_json::json!({ "name": "Hrnec", "category": "Nádobí", "code": "KON-1", "ean": "8594" });
        assert_eq!(s.lexical_template().unwrap().render(&fields), "Hrnec · Nádobí · KON-1 · 8594");
        s.lexical_text = Some("{name} {code}".into());
        assert_eq!(s.lexical_template().unwrap().render(&fields), "Hrnec KON-1");
        s.lexical_text = Some("{name".into());
        assert!(s.check().unwrap_err().contains("lexical_text"));
    }

    #[test]
    fn identifiers_get_keyword_indexes_beside_the_configured_ones() {
        let mut s = PipelineSettings::new("{name}");
        assert!(s.payload_indexes().is_empty());
        s.identifiers = vec!["code".into(), "ean".into()];
        s.indexes.insert("ean".into(), IndexKindName::Text);
        let indexes: Vec<(String, IndexKind)> = s.payload_indexes().into_iter().map(|i| (i.field, i.kind)).collect();
        assert_eq!(
            indexes,
            vec![
                (IDS_FIELD.to_owned(), IndexKind::Keyword),
                ("code".to_owned(), IndexKind::Keyword),
                ("ean".to_owned(), IndexKind::Text),
            ]
        );
        s.identifiers = vec!["_ids".into()];
        assert!(s.check().unwrap_err().contains("identifiers"));
    }

    #[test]
    fn read_concurrency_is_bounded() {
        let parsed: PipelineSettings =
            serde_json::from_value(serde_json::json!({ "text": "{name}", "read_concurrency": 8 })).unwrap();
        assert_eq!(parsed.read_concurrency, 8);
        assert!(parsed.check().is_ok());
        assert_eq!(PipelineSettings::new("{name}").read_concurrency, DEFAULT_READ_CONCURRENCY);
        for bad in [0, MAX_READ_CONCURRENCY + 1] {
            let mut s = PipelineSettings::new("{name}");
            s.read_concurrency = bad;
            assert!(s.check().unwrap_err().contains("read_concurrency"), "{bad}");
        }
    }

    #[test]
    fn embed_concurrency_follows_the_embedder_unless_set() {
        use weir_embed::{HashEmbedder, OpenAiConfig, OpenAiEmbedder};
        let mut remote = OpenAiConfig::new("text-embedding-3-small", 256);
        remote.max_concurrency = 6;
        let remote = OpenAiEmbedder::new(remote).unwrap();
        let local = HashEmbedder::new(32);
        let unset: PipelineSettings = serde_json::from_value(serde_json::json!({ "text": "{name}" })).unwrap();
        assert_eq!(unset.embed_concurrency, None);
        assert_eq!(unset.embed_concurrency_for(&remote), 6, "a provider's requests in flight");
        assert_eq!(unset.embed_concurrency_for(&local), weir_embed::DEFAULT_BATCHES_IN_FLIGHT);
        let set: PipelineSettings =
            serde_json::from_value(serde_json::json!({ "text": "{name}", "embed_concurrency": 3 })).unwrap();
        assert_eq!(set.embed_concurrency_for(&remote), 3, "a pipeline's own setting wins");
        assert_eq!(set.embed_concurrency_for(&local), 3);
        let zero: PipelineSettings =
            serde_json::from_value(serde_json::json!({ "text": "{name}", "embed_concurrency": 0 })).unwrap();
        assert!(zero.check().unwrap_err().contains("embed_concurrency"));
    }

    #[test]
    fn search_settings_are_strict() {
        let ok: PipelineSettings = serde_json::from_value(serde_json::json!({
            "text": "{name}", "search": "dense", "lexical": { "k1": 1.5, "languages": ["cs"] }
        }))
        .unwrap();
        assert_eq!(ok.search, SearchKind::Dense);
        assert_eq!(ok.lexical_config().k1, 1.5);
        assert_eq!(PipelineSettings::new("{name}").search, SearchKind::Hybrid);
        for bad in [
            serde_json::json!({ "text": "{name}", "search": "bm25" }),
            serde_json::json!({ "text": "{name}", "lexical": { "k2": 1.0 } }),
            serde_json::json!({ "text": "{name}", "identifier": ["code"] }),
        ] {
            let e = serde_json::from_value::<PipelineSettings>(bad.clone()).unwrap_err().to_string();
            assert!(e.contains("bm25") || e.contains("k2") || e.contains("identifier"), "{bad}: {e}");
        }
        let mut s = PipelineSettings::new("{name}");
        s.lexical = Some(LexicalConfig { b: 2.0, ..LexicalConfig::default() });
        assert!(s.check().unwrap_err().contains("b must be"));
    }
}
