//! A pipeline: the parts that outlive a run. Its plugin instances, embedder, checked settings
//! and point namespace are assembled once; each run borrows them and hands them back, and
//! searches use the sink and the embedder between runs.

use std::sync::Arc;

use weir_embed::{Embedder, LexicalEncoder};
use weir_runtime::{SinkInstance, SourceInstance, ValidatorInstance};

use crate::error::{Error, Result};
use crate::settings::PipelineSettings;
use crate::template::Template;
use crate::validate::CompiledRules;

/// The payload field that carries the record's key.
pub const KEY_FIELD: &str = "_key";

/// One pipeline: a source stream, validators, a sink collection, an embedder and settings.
pub struct Pipeline {
    pub(crate) name: String,
    pub(crate) stream: String,
    pub(crate) collection: String,
    /// `None` while a run's reader task holds it.
    pub(crate) source: Option<SourceInstance>,
    pub(crate) validators: Vec<ValidatorInstance>,
    pub(crate) sink: SinkInstance,
    pub(crate) embedder: Arc<dyn Embedder>,
    pub(crate) settings: PipelineSettings,
    pub(crate) template: Template,
    /// The lexical vector's text.
    pub(crate) lexical_template: Template,
    /// Makes the lexical (BM25) vectors of a hybrid collection and of queries.
    pub(crate) lexical: Arc<LexicalEncoder>,
    pub(crate) rules: CompiledRules,
    pub(crate) namespace: uuid::Uuid,
    pub(crate) redact: Vec<String>,
    /// The state directory, where runs keep what they learn for searches (the term
    /// translations); none: searched without it.
    pub(crate) state_dir: Option<std::path::PathBuf>,
}

impl std::fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pipeline").field("name", &self.name).field("stream", &self.stream).finish_non_exhaustive()
    }
}

impl Pipeline {
    /// Assembles a pipeline; checks the settings.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        name: impl Into<String>,
        stream: impl Into<String>,
        source: SourceInstance,
        validators: Vec<ValidatorInstance>,
        sink: SinkInstance,
        collection: impl Into<String>,
        embedder: Arc<dyn Embedder>,
        settings: PipelineSettings,
    ) -> Result<Self> {
        let name = name.into();
        let config = |message: String| Error::Config { pipeline: name.clone(), message };
        if name.is_empty() || name.contains('/') || name.contains('#') {
            return Err(config("a pipeline name must be non-empty and contain no `/` or `#`".into()));
        }
        let template = settings.check().map_err(config)?;
        let rules = settings.validation.compile().map_err(config)?;
        let lexical_template = settings.lexical_template().map_err(config)?;
        let lexical = LexicalEncoder::new(settings.lexical_config()).map_err(|e| config(e.to_string()))?;
        let namespace = point_namespace(settings.namespace.as_deref().unwrap_or(&name));
        Ok(Self {
            stream: stream.into(),
            collection: collection.into(),
            source: Some(source),
            validators,
            sink,
            embedder,
            settings,
            template,
            lexical_template,
            lexical: Arc::new(lexical),
            rules,
            namespace,
            name,
            redact: Vec::new(),
            state_dir: None,
        })
    }

    /// Searches read what runs kept in `dir`, the state directory (the term translations a
    /// run learned from the records; see `translate` in the settings).
    #[must_use]
    pub fn reading_state_in(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.state_dir = Some(dir.into());
        self
    }

    /// Values that must never be written to weir's own files (the configuration's secrets).
    #[must_use]
    pub fn redacting(mut self, secrets: Vec<String>) -> Self {
        self.redact = secrets;
        self
    }

    /// The pipeline's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The collection (alias) searches use.
    pub fn collection(&self) -> &str {
        &self.collection
    }

    /// The embedder.
    pub fn embedder(&self) -> &Arc<dyn Embedder> {
        &self.embedder
    }

    /// The pipeline's settings.
    pub fn settings(&self) -> &PipelineSettings {
        &self.settings
    }

    /// The lexical (BM25) encoder of the pipeline's hybrid collection and queries.
    pub fn lexical(&self) -> &Arc<LexicalEncoder> {
        &self.lexical
    }

    /// The sink instance (for searches).
    pub fn sink(&mut self) -> &mut SinkInstance {
        &mut self.sink
    }

    /// The deterministic point id of `key`.
    pub fn point_id(&self, key: &str) -> String {
        point_id(&self.namespace, &self.stream, key)
    }
}

fn point_namespace(name: &str) -> uuid::Uuid {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, format!("weir:pipeline:{name}").as_bytes())
}

/// The point id of `key` in `stream`: the same in every run, so a redone write overwrites.
pub(crate) fn point_id(namespace: &uuid::Uuid, stream: &str, key: &str) -> String {
    let mut name = Vec::with_capacity(stream.len() + key.len() + 1);
    name.extend_from_slice(stream.as_bytes());
    name.push(0);
    name.extend_from_slice(key.as_bytes());
    uuid::Uuid::new_v5(namespace, &name).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn point_ids_are_deterministic_and_separate_pipelines_and_streams() {
        let a = point_namespace("products");
        assert_eq!(point_id(&a, "products", "1"), point_id(&point_namespace("products"), "products", "1"));
        assert_ne!(point_id(&a, "products", "1"), point_id(&a, "products", "2"));
        assert_ne!(point_id(&a, "products", "1"), point_id(&point_namespace("other"), "products", "1"));
        // No ambiguity between (stream, key) splits.
        assert_ne!(point_id(&a, "ab", "c"), point_id(&a, "a", "bc"));
        assert!(uuid::Uuid::parse_str(&point_id(&a, "s", "k")).is_ok());
    }
}
