//! Stages 3 and 4, embedding and writing: each processed batch gets a task that embeds its
//! texts, then writes its points to the sink. Up to `max(embed_concurrency,
//! write_concurrency)` batches are in flight, at most `embed_concurrency` of them being
//! embedded (an API's rate limits are met by that setting, or unset by what the embedder
//! says it can have under way, not by the sink's) and each written
//! on one of `write_concurrency` sink instances; results come back in batch order, for the
//! commit stage to commit in that order, each only after its write was acked.
//!
//! A stop drops every batch not yet being written: one waiting for an embedding slot, and one
//! being embedded (the embedding call is abandoned: an HTTP request is cancelled, the local
//! model runs no further inference call for it). A batch being written finishes its write.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use futures::{Stream, StreamExt};
use tokio::sync::mpsc;
use tokio::task::JoinError;
use weir_core::{PayloadUpdate, Point, SparseVector};
use weir_embed::{Embedder, EmbeddingCache, LexicalEncoder, Purpose, estimate_tokens};
use weir_runtime::SinkInstance;

use super::batch::Batch;
use super::options::{StopSignal, stopped};
use crate::error::{Error, Result};
use crate::pipeline::{Pipeline, point_id};

/// Where a batch is written.
struct WriteTarget {
    collection: String,
    namespace: uuid::Uuid,
    stream: String,
}

/// Starts embedding and writing the batches of `batch_rx` into the physical collection
/// `physical` (a dry run writes nothing and only estimates what embedding would cost). Forks
/// the sink's writer instances first, so an unreachable sink fails here. A batch dropped by
/// `stop` comes back as `None`.
pub(super) async fn start(
    pipeline: &Pipeline,
    physical: &str,
    cache: &EmbeddingCache,
    dry_run: bool,
    batch_rx: mpsc::Receiver<Result<Batch>>,
    stop: StopSignal,
) -> Result<impl Stream<Item = std::result::Result<Result<Option<Batch>>, JoinError>> + Unpin + use<>> {
    let embedder = pipeline.embedder.clone();
    let encoder = pipeline.lexical.clone();
    let probe_cache = cache.clone();
    let embed_concurrency = pipeline.settings.embed_concurrency_for(pipeline.embedder.as_ref());
    let embedding = Arc::new(tokio::sync::Semaphore::new(embed_concurrency));
    let mut writers = Vec::new();
    if !dry_run {
        for _ in 0..pipeline.settings.write_concurrency {
            writers.push(Arc::new(tokio::sync::Mutex::new(pipeline.sink.fork().await?)));
        }
    }
    let target = Arc::new(WriteTarget {
        collection: physical.to_owned(),
        namespace: pipeline.namespace,
        stream: pipeline.stream.clone(),
    });
    Ok(tokio_stream_from(batch_rx)
        .enumerate()
        .map(move |(seq, batch)| {
            let embedder = embedder.clone();
            let encoder = encoder.clone();
            let cache = probe_cache.clone();
            let writer = (!writers.is_empty()).then(|| writers[seq % writers.len()].clone());
            let target = target.clone();
            let embedding = embedding.clone();
            let stop = stop.clone();
            tokio::spawn(async move {
                let embedded = async {
                    let permit = embedding
                        .acquire_owned()
                        .await
                        .map_err(|_| Error::Internal("the embedding limiter was closed".into()))?;
                    if stop.load(Ordering::Relaxed) {
                        return Ok(None);
                    }
                    let batch = embed_batch(batch?, embedder, encoder, cache, dry_run).await?;
                    drop(permit);
                    Ok::<Option<Batch>, Error>(Some(batch))
                };
                // Dropping `embedded` on a stop abandons the embedding call under way.
                let embedded = tokio::select! {
                    biased;
                    embedded = embedded => embedded?,
                    () = stopped(&stop) => None,
                };
                let Some(mut batch) = embedded else { return Ok(None) };
                if let Some(writer) = writer {
                    let t = Instant::now();
                    let mut sink = writer.lock().await;
                    write_batch(&mut sink, &target.collection, &target.namespace, &target.stream, &mut batch).await?;
                    batch.write_time = t.elapsed();
                }
                Ok::<Option<Batch>, Error>(Some(batch))
            })
        })
        .buffered(embed_concurrency.max(pipeline.settings.write_concurrency)))
}

fn tokio_stream_from<T: Send + 'static>(mut rx: mpsc::Receiver<T>) -> impl futures::Stream<Item = T> {
    futures::stream::poll_fn(move |cx| rx.poll_recv(cx))
}

/// The lexical vectors of the items' lexical texts (a hybrid collection's), made on a
/// blocking thread while the dense vectors are embedded: tens of thousands of texts a second,
/// but not work for the async executor.
fn encode_lexical(
    batch: &Batch,
    encoder: Arc<LexicalEncoder>,
    dry_run: bool,
) -> Option<tokio::task::JoinHandle<Vec<SparseVector>>> {
    let texts: Vec<(String, Vec<(u32, f32)>)> =
        batch.embed.iter().map(|i| Some((i.lexical.clone()?, i.expansion.clone()))).collect::<Option<_>>()?;
    if dry_run {
        return None;
    }
    Some(tokio::task::spawn_blocking(move || {
        texts
            .iter()
            .map(|(t, extra)| {
                let v = encoder.document_expanded(t, extra);
                SparseVector { indices: v.indices, values: v.values }
            })
            .collect()
    }))
}

async fn embed_batch(
    mut batch: Batch,
    embedder: Arc<dyn Embedder>,
    encoder: Arc<LexicalEncoder>,
    cache: EmbeddingCache,
    dry_run: bool,
) -> Result<Batch> {
    if batch.embed.is_empty() {
        return Ok(batch);
    }
    let t = Instant::now();
    let lexical = encode_lexical(&batch, encoder, dry_run);
    let texts: Vec<String> = batch.embed.iter().map(|i| i.text.clone()).collect();
    let model = embedder.model().clone();
    let expected_dimension = model.dimension as usize;
    if dry_run {
        // Which texts the provider would be asked for: the cache misses.
        let sent: Vec<String> = texts.iter().map(|t| model.text_for(Purpose::Passage, t).into_owned()).collect();
        let found = tokio::task::spawn_blocking(move || {
            let refs: Vec<&str> = sent.iter().map(String::as_str).collect();
            cache.get_many(&model, &refs)
        })
        .await
        .map_err(|e| Error::Internal(format!("cache lookup failed: {e}")))??;
        batch.estimated_tokens =
            texts.iter().zip(found).filter(|(_, hit)| hit.is_none()).map(|(t, _)| estimate_tokens(t)).sum();
    } else if !model.semantic {
        // The hash embedder is cheaper to run than to look up: no cache.
        batch.vectors = embedder.embed(&texts, Purpose::Passage).await?;
    } else {
        let cached = weir_embed::CachedEmbedder::new(embedder, cache);
        // The texts this batch sent, not the cache's misses meanwhile: those count every
        // batch embedded at once (with eight, a full sync's estimate came out 5.5 times the
        // tokens the provider counted).
        let (vectors, sent) = cached.embed_sending(&texts, Purpose::Passage).await?;
        batch.vectors = vectors;
        batch.estimated_tokens = sent.iter().filter_map(|&i| texts.get(i)).map(|t| estimate_tokens(t)).sum();
    }
    if !dry_run {
        if batch.vectors.len() != texts.len() {
            return Err(Error::Internal(format!("asked for {} vectors, got {}", texts.len(), batch.vectors.len())));
        }
        if let Some(d) = batch.vectors.iter().map(Vec::len).find(|d| *d != expected_dimension) {
            return Err(Error::Embed(weir_embed::Error::Protocol(format!(
                "the embedder returned a {d}-dimensional vector for a {}-dimensional model",
                expected_dimension
            ))));
        }
    }
    if let Some(lexical) = lexical {
        batch.sparse = lexical.await.map_err(|e| Error::Internal(format!("the lexical encoder failed: {e}")))?;
    }
    batch.embed_time = t.elapsed();
    Ok(batch)
}

async fn write_batch(
    sink: &mut SinkInstance,
    collection: &str,
    namespace: &uuid::Uuid,
    stream: &str,
    batch: &mut Batch,
) -> Result<()> {
    if !batch.embed.is_empty() {
        // The vectors are not needed after the write: moved, not copied.
        let vectors = std::mem::take(&mut batch.vectors);
        let mut sparse = std::mem::take(&mut batch.sparse).into_iter();
        let points: Vec<Point> = batch
            .embed
            .iter()
            .zip(vectors)
            .map(|(item, vector)| Point {
                id: point_id(namespace, stream, &item.key),
                vector,
                sparse: sparse.next(),
                payload: item.payload.clone(),
            })
            .collect();
        sink.upsert(collection, &points).await?;
    }
    if !batch.payload_only.is_empty() {
        let updates: Vec<PayloadUpdate> = batch
            .payload_only
            .iter()
            .map(|item| PayloadUpdate { id: point_id(namespace, stream, &item.key), payload: item.payload.clone() })
            .collect();
        sink.set_payload(collection, &updates).await?;
    }
    Ok(())
}
