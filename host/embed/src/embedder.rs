//! The provider abstraction.

use std::future::Future;
use std::pin::Pin;

use crate::{EmbedStats, ModelId, Purpose, Result};

/// How many batches the engine embeds at once when a pipeline does not say
/// (`embed_concurrency`) and the embedder has no better answer: the hash embedder and the
/// local model compute on this machine's cores, where a third batch only queues (with four
/// writers a hash full sync took 7.29 s with two and 7.20 s with four, `docs/BENCHMARKS.md`).
pub const DEFAULT_BATCHES_IN_FLIGHT: usize = 2;

/// The future returned by [`Embedder::embed`].
pub type EmbedFuture<'a> = Pin<Box<dyn Future<Output = Result<Vec<Vec<f32>>>> + Send + 'a>>;

/// Something that turns texts into unit vectors of one [`ModelId`].
///
/// Object safe, so pipelines hold `Arc<dyn Embedder>` and wrappers ([`crate::CachedEmbedder`],
/// [`crate::FallbackChain`]) compose.
pub trait Embedder: Send + Sync {
    /// The identity of the vectors this embedder produces.
    fn model(&self) -> &ModelId;

    /// Embeds `texts` in order. The provider applies the model's prefix for `purpose`
    /// itself; callers pass the bare text. Every returned vector has
    /// `model().dimension` components and unit length.
    fn embed<'a>(&'a self, texts: &'a [String], purpose: Purpose) -> EmbedFuture<'a>;

    /// Counters since construction.
    fn stats(&self) -> EmbedStats {
        EmbedStats::default()
    }

    /// How many `embed` calls this embedder can usefully have under way at once: what the
    /// engine's `embed_concurrency` follows when a pipeline does not set it. A remote
    /// provider answers the requests it lets in flight (more calls would only wait for its
    /// limiter, fewer would leave its allowance idle while each request waits out the
    /// network); an embedder computing on this machine answers
    /// [`DEFAULT_BATCHES_IN_FLIGHT`].
    fn batches_in_flight(&self) -> usize {
        DEFAULT_BATCHES_IN_FLIGHT
    }
}

impl<E: Embedder + ?Sized> Embedder for std::sync::Arc<E> {
    fn model(&self) -> &ModelId {
        (**self).model()
    }
    fn embed<'a>(&'a self, texts: &'a [String], purpose: Purpose) -> EmbedFuture<'a> {
        (**self).embed(texts, purpose)
    }
    fn stats(&self) -> EmbedStats {
        (**self).stats()
    }
    fn batches_in_flight(&self) -> usize {
        (**self).batches_in_flight()
    }
}

/// Scales `v` to unit length in place (a zero vector stays zero).
pub fn normalize(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > f32::EPSILON {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}
