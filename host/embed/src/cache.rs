//! The persistent embedding cache, in the engine's redb database.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use redb::{Database, ReadableDatabase, ReadableTableMetadata, TableDefinition, TableError};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::embedder::{EmbedFuture, Embedder};
use crate::{EmbedStats, Error, ModelId, Purpose, Result};

/// Name of the cache's table in the shared database.
pub const CACHE_TABLE: &str = "embed_cache";

/// Key: model key bytes, a zero byte, sha256 of the exact text sent. Value: the vector as
/// little-endian f32s.
const TABLE: TableDefinition<&[u8], &[u8]> = TableDefinition::new(CACHE_TABLE);

/// Size and effectiveness of the cache.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct CacheStats {
    /// Vectors stored.
    pub entries: u64,
    /// Bytes of keys and values stored.
    pub bytes: u64,
    /// Lookups answered from the cache since this handle was made.
    pub hits: u64,
    /// Lookups that had to go to the provider.
    pub misses: u64,
}

impl CacheStats {
    /// Hits over all lookups (0 when nothing was looked up).
    pub fn hit_rate(&self) -> f64 {
        let total = self.hits + self.misses;
        if total == 0 { 0.0 } else { self.hits as f64 / total as f64 }
    }
}

/// Vectors keyed by (model key, sha256 of the exact text sent, prefix included), in the
/// table `embed_cache` of a redb database the caller owns (the engine shares one file with
/// its ledger). Reads and writes of a batch are one transaction each. The methods block
/// (a write commits durably); call them from blocking context.
#[derive(Debug, Clone)]
pub struct EmbeddingCache {
    db: Arc<Database>,
    hits: Arc<AtomicU64>,
    misses: Arc<AtomicU64>,
}

impl EmbeddingCache {
    /// A cache over `db`; the table is created on first write.
    pub fn new(db: Arc<Database>) -> Self {
        Self { db, hits: Arc::default(), misses: Arc::default() }
    }

    /// The cache key of `sent` (the exact text given to the model) under `model`.
    pub fn key(model: &ModelId, sent: &str) -> Vec<u8> {
        let model_key = model.key();
        let mut key = Vec::with_capacity(model_key.len() + 33);
        key.extend_from_slice(model_key.as_bytes());
        key.push(0);
        key.extend_from_slice(&Sha256::digest(sent.as_bytes()));
        key
    }

    /// Looks up the vectors of `sent` texts; `None` where absent (or of the wrong length).
    pub fn get_many(&self, model: &ModelId, sent: &[&str]) -> Result<Vec<Option<Vec<f32>>>> {
        let txn = self.db.begin_read()?;
        let table = match txn.open_table(TABLE) {
            Ok(t) => t,
            Err(TableError::TableDoesNotExist(_)) => {
                self.misses.fetch_add(sent.len() as u64, Ordering::Relaxed);
                return Ok(vec![None; sent.len()]);
            }
            Err(e) => return Err(e.into()),
        };
        let want = model.dimension as usize * 4;
        let mut out = Vec::with_capacity(sent.len());
        for text in sent {
            let hit = table
                .get(Self::key(model, text).as_slice())?
                .map(|g| g.value().to_vec())
                .filter(|b| b.len() == want)
                .map(|b| b.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect::<Vec<f32>>());
            let counter = if hit.is_some() { &self.hits } else { &self.misses };
            counter.fetch_add(1, Ordering::Relaxed);
            out.push(hit);
        }
        Ok(out)
    }

    /// Stores vectors of `sent` texts in one durable transaction.
    pub fn put_many(&self, model: &ModelId, items: &[(&str, &[f32])]) -> Result<()> {
        let txn = self.db.begin_write()?;
        {
            let mut table = txn.open_table(TABLE)?;
            let mut buf = Vec::new();
            for (text, vector) in items {
                if vector.len() != model.dimension as usize {
                    return Err(Error::Protocol(format!(
                        "refusing to cache a {}-dimensional vector for {model}",
                        vector.len()
                    )));
                }
                buf.clear();
                buf.extend(vector.iter().flat_map(|x| x.to_le_bytes()));
                table.insert(Self::key(model, text).as_slice(), buf.as_slice())?;
            }
        }
        txn.commit()?;
        Ok(())
    }

    /// Hits and misses since this handle was made: two counters, no database read. A run asks
    /// for them around every batch; [`Self::stats`] walks the whole table for its byte count,
    /// which at 84,000 cached vectors took half of a full sync's CPU (`docs/BENCHMARKS.md`).
    pub fn lookups(&self) -> (u64, u64) {
        (self.hits.load(Ordering::Relaxed), self.misses.load(Ordering::Relaxed))
    }

    /// Entries, bytes, hits and misses. Reads every page of the table: for reports, not for
    /// every batch.
    pub fn stats(&self) -> Result<CacheStats> {
        let txn = self.db.begin_read()?;
        let (entries, bytes) = match txn.open_table(TABLE) {
            Ok(t) => (t.len()?, t.stats()?.stored_bytes()),
            Err(TableError::TableDoesNotExist(_)) => (0, 0),
            Err(e) => return Err(e.into()),
        };
        Ok(CacheStats {
            entries,
            bytes,
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
        })
    }
}

/// Looks every text up in an [`EmbeddingCache`] first and sends only the misses (each
/// distinct text once) to the inner embedder, then stores what came back.
pub struct CachedEmbedder<E> {
    inner: E,
    cache: EmbeddingCache,
}

impl<E: Embedder> std::fmt::Debug for CachedEmbedder<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachedEmbedder").field("model", &self.inner.model().key()).finish_non_exhaustive()
    }
}

impl<E: Embedder> CachedEmbedder<E> {
    /// Wraps `inner`.
    pub fn new(inner: E, cache: EmbeddingCache) -> Self {
        Self { inner, cache }
    }

    /// The cache.
    pub fn cache(&self) -> &EmbeddingCache {
        &self.cache
    }

    /// The wrapped embedder.
    pub fn inner(&self) -> &E {
        &self.inner
    }

    /// Embeds `texts` as [`Embedder::embed`] does, and says which of them went to the inner
    /// embedder: the index of each distinct text the cache lacked (its first occurrence). What
    /// a call sent is its own, however many calls share the cache at once; the cache's
    /// counters are not.
    pub async fn embed_sending(&self, texts: &[String], purpose: Purpose) -> Result<(Vec<Vec<f32>>, Vec<usize>)> {
        let model = self.inner.model().clone();
        let sent: Vec<String> = texts.iter().map(|t| model.text_for(purpose, t).into_owned()).collect();
        let cache = self.cache.clone();
        let (found, sent, model) = blocking(move || {
            let refs: Vec<&str> = sent.iter().map(String::as_str).collect();
            let found = cache.get_many(&model, &refs)?;
            Ok((found, sent, model))
        })
        .await?;

        // Distinct missing texts, in first-seen order.
        let mut first_of: HashMap<&str, usize> = HashMap::new();
        let mut to_embed: Vec<String> = Vec::new();
        let mut to_embed_sent: Vec<String> = Vec::new();
        let mut sent_at: Vec<usize> = Vec::new();
        for (i, hit) in found.iter().enumerate() {
            if hit.is_none() && !first_of.contains_key(sent[i].as_str()) {
                first_of.insert(sent[i].as_str(), to_embed.len());
                to_embed.push(texts[i].clone());
                to_embed_sent.push(sent[i].clone());
                sent_at.push(i);
            }
        }
        let fresh = if to_embed.is_empty() { Vec::new() } else { self.inner.embed(&to_embed, purpose).await? };
        if fresh.len() != to_embed.len() {
            return Err(Error::Protocol(format!("asked for {} embeddings, got {}", to_embed.len(), fresh.len())));
        }
        let out = found
            .into_iter()
            .enumerate()
            .map(|(i, hit)| match hit {
                Some(v) => v,
                None => fresh[first_of[sent[i].as_str()]].clone(),
            })
            .collect();
        if !fresh.is_empty() {
            let cache = self.cache.clone();
            blocking(move || {
                let items: Vec<(&str, &[f32])> =
                    to_embed_sent.iter().map(String::as_str).zip(fresh.iter().map(Vec::as_slice)).collect();
                cache.put_many(&model, &items)
            })
            .await?;
        }
        Ok((out, sent_at))
    }

    async fn embed_cached(&self, texts: &[String], purpose: Purpose) -> Result<Vec<Vec<f32>>> {
        Ok(self.embed_sending(texts, purpose).await?.0)
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Io(std::io::Error::other(format!("cache task failed: {e}"))))?
}

impl<E: Embedder> Embedder for CachedEmbedder<E> {
    fn model(&self) -> &ModelId {
        self.inner.model()
    }

    fn embed<'a>(&'a self, texts: &'a [String], purpose: Purpose) -> EmbedFuture<'a> {
        Box::pin(self.embed_cached(texts, purpose))
    }

    /// The inner embedder's counters (provider calls only; cache numbers are in
    /// [`EmbeddingCache::stats`]).
    fn stats(&self) -> EmbedStats {
        self.inner.stats()
    }

    /// The inner embedder's: hits cost no request, so the provider's limit is what counts.
    fn batches_in_flight(&self) -> usize {
        self.inner.batches_in_flight()
    }
}
