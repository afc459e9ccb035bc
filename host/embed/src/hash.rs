//! The deterministic hash embedder: for tests and emergencies, never for search quality.

use tracing::warn;

use crate::embedder::{EmbedFuture, Embedder, normalize};
use crate::stats::Counters;
use crate::{EmbedStats, ModelId, Provider, Purpose, Result};

/// Model name of the hash embedder's [`ModelId`].
pub const HASH_MODEL_NAME: &str = "hash-trigram-v1";

/// Feature hashing of lower-cased words and their character trigrams (with word-boundary
/// markers) into `dimension` signed buckets, L2-normalised. Identical texts give identical
/// vectors on every machine and run; texts sharing words or word pieces land closer.
///
/// Its [`ModelId`] is marked non-semantic, so [`crate::ensure_compatible`] keeps it away
/// from collections of a real model.
#[derive(Debug)]
pub struct HashEmbedder {
    model: ModelId,
    counters: Counters,
}

impl HashEmbedder {
    /// A hash embedder of `dimension` components. Logs a loud warning.
    pub fn new(dimension: u32) -> Self {
        warn!(
            dimension,
            "HASH EMBEDDER IN USE: vectors carry no meaning; search results will be poor. \
             Use it only for tests or as an emergency stand-in for a collection marked non-semantic"
        );
        let mut model = ModelId::new(Provider::Hash, HASH_MODEL_NAME, dimension.max(1));
        model.semantic = false;
        Self { model, counters: Counters::default() }
    }

    /// The vector of one text (prefix rules do not apply: the hash model has none).
    pub fn vector(&self, text: &str) -> Vec<f32> {
        let dim = self.model.dimension as usize;
        let mut v = vec![0f32; dim];
        let lower = text.to_lowercase();
        for word in lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
            add(&mut v, word.as_bytes(), 2.0);
            let chars: Vec<char> = format!("<{word}>").chars().collect();
            for tri in chars.windows(3) {
                let s: String = tri.iter().collect();
                add(&mut v, s.as_bytes(), 1.0);
            }
        }
        if v.iter().all(|x| *x == 0.0) {
            v[0] = 1.0;
        }
        normalize(&mut v);
        v
    }
}

fn add(v: &mut [f32], feature: &[u8], weight: f32) {
    let h = fnv1a(feature);
    let bucket = (h % v.len() as u64) as usize;
    let sign = if (h >> 63) == 0 { 1.0 } else { -1.0 };
    v[bucket] += sign * weight;
}

/// FNV-1a, 64 bit: fixed across platforms and releases (unlike std's hasher).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3))
}

impl Embedder for HashEmbedder {
    fn model(&self) -> &ModelId {
        &self.model
    }

    fn embed<'a>(&'a self, texts: &'a [String], _purpose: Purpose) -> EmbedFuture<'a> {
        Box::pin(async move {
            Counters::add(&self.counters.requests, 1);
            Counters::add(&self.counters.inputs, texts.len() as u64);
            Result::Ok(texts.iter().map(|t| self.vector(t)).collect())
        })
    }

    fn stats(&self) -> EmbedStats {
        self.counters.snapshot(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cos(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    #[test]
    fn deterministic_normalised_and_not_semantic() {
        let h = HashEmbedder::new(256);
        assert!(!h.model().semantic);
        assert_eq!(h.model().key(), "hash:hash-trigram-v1@256");
        let a = h.vector("Nerezový hrnec 20 l");
        assert_eq!(a, h.vector("Nerezový hrnec 20 l"));
        assert!((cos(&a, &a) - 1.0).abs() < 1e-5);
        let near = h.vector("nerezový hrnec 30 l");
        let far = h.vector("kuřecí prsa");
        assert!(cos(&a, &near) > cos(&a, &far));
        assert!((cos(&h.vector(""), &h.vector("")) - 1.0).abs() < 1e-5);
    }
}
