//! Guards that keep one collection to one model.

use std::sync::Arc;

use tracing::warn;

use crate::embedder::{EmbedFuture, Embedder};
use crate::{EmbedStats, Error, ModelId, Purpose, Result};

/// Refuses to let `embedder` write into a collection whose vectors were made by `recorded`
/// unless both are the same model (name, dimension, distance, semanticness). `None` means
/// the collection is new. Call it before any write.
pub fn ensure_compatible(recorded: Option<&ModelId>, embedder: &ModelId) -> Result<()> {
    let Some(recorded) = recorded else {
        return Ok(());
    };
    if recorded.same_model(embedder) {
        return Ok(());
    }
    let why = if recorded.dimension != embedder.dimension {
        format!("its vectors have {} dimensions, the embedder's have {}", recorded.dimension, embedder.dimension)
    } else if recorded.semantic != embedder.semantic {
        if embedder.semantic {
            "it holds non-semantic hash vectors".to_owned()
        } else {
            "the hash embedder is not semantic and must not mix with a real model".to_owned()
        }
    } else if recorded.name != embedder.name {
        "vectors of different models are not comparable even at the same dimension".to_owned()
    } else {
        format!("it is searched by {:?} distance, the embedder is meant for {:?}", recorded.distance, embedder.distance)
    };
    Err(Error::IncompatibleModel(format!(
        "the collection was built with {recorded} but the embedder is {embedder}: {why}. \
         Nothing was written. Configure {recorded} again, or switch models with a rebuild \
         into a new collection"
    )))
}

/// A primary embedder and fallbacks that produce the *same* model (name and dimension,
/// e.g. the same model at another endpoint), tried in order when one fails.
pub struct FallbackChain {
    members: Vec<Arc<dyn Embedder>>,
}

impl std::fmt::Debug for FallbackChain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys: Vec<String> = self.members.iter().map(|m| m.model().key()).collect();
        f.debug_struct("FallbackChain").field("members", &keys).finish()
    }
}

impl FallbackChain {
    /// A chain of one.
    pub fn new(primary: Arc<dyn Embedder>) -> Self {
        Self { members: vec![primary] }
    }

    /// Adds a fallback; refused unless it produces the same model as the primary.
    pub fn with_fallback(mut self, fallback: Arc<dyn Embedder>) -> Result<Self> {
        let primary = self.members[0].model();
        if !primary.same_model(fallback.model()) {
            return Err(Error::Config(format!(
                "fallback {} does not produce the primary's model {}; a fallback must be the \
                 same model (name and dimension) at another endpoint",
                fallback.model(),
                primary
            )));
        }
        self.members.push(fallback);
        Ok(self)
    }

    async fn embed_chain(&self, texts: &[String], purpose: Purpose) -> Result<Vec<Vec<f32>>> {
        let mut last = None;
        for (i, member) in self.members.iter().enumerate() {
            match member.embed(texts, purpose).await {
                Ok(v) => return Ok(v),
                Err(e) => {
                    if i + 1 < self.members.len() {
                        warn!(model = %member.model(), error = %e, "embedder failed, trying the fallback");
                    }
                    last = Some(e);
                }
            }
        }
        Err(last.unwrap_or_else(|| Error::Config("empty fallback chain".into())))
    }
}

impl Embedder for FallbackChain {
    fn model(&self) -> &ModelId {
        self.members[0].model()
    }

    fn embed<'a>(&'a self, texts: &'a [String], purpose: Purpose) -> EmbedFuture<'a> {
        Box::pin(self.embed_chain(texts, purpose))
    }

    /// The counters of all members added up.
    fn stats(&self) -> EmbedStats {
        self.members.iter().map(|m| m.stats()).fold(EmbedStats::default(), |a, b| EmbedStats {
            requests: a.requests + b.requests,
            inputs: a.inputs + b.inputs,
            tokens: a.tokens + b.tokens,
            estimated_tokens: a.estimated_tokens + b.estimated_tokens,
            retries: a.retries + b.retries,
            rate_limited: a.rate_limited + b.rate_limited,
            server_errors: a.server_errors + b.server_errors,
            truncated_inputs: a.truncated_inputs + b.truncated_inputs,
            cost_usd: a.cost_usd + b.cost_usd,
        })
    }

    /// The primary's: a fallback only takes the calls the primary failed.
    fn batches_in_flight(&self) -> usize {
        self.members[0].batches_in_flight()
    }
}
