//! The provider abstraction.

use std::future::Future;
use std::pin::Pin;

use crate::{EmbedStats, ModelId, Purpose, Result};

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
}

/// Scales `v` to unit length in place (a zero vector stays zero).
pub fn normalize(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > f32::EPSILON {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}
