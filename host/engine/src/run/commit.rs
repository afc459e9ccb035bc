//! Stage 5, committing: the run's own task takes the written batches in batch order and
//! commits each in one transaction (its ledger rows and the checkpoint after it, where its
//! partition's source state moves past it), then reports progress. A batch is committed only
//! after the sink acknowledged it, and in order, so the checkpoint never claims a batch that is
//! not in the sink, in any partition.

use std::time::Instant;

use futures::{Stream, StreamExt};
use tokio::task::JoinError;
use weir_embed::EmbeddingCache;

use super::batch::Batch;
use super::cursor::newer;
use super::options::{Progress, RunOptions};
use crate::error::{Error, Result};
use crate::report::RunReport;
use crate::state::{Checkpoint, LedgerRow, PipelineMeta, StateDir};

/// The commit stage of one run, with the busy time of the stages it sees finish.
pub(super) struct Commit<'a> {
    state: &'a StateDir,
    /// The ledger the rows go to.
    ledger: &'a str,
    opts: &'a RunOptions,
    cache: &'a EmbeddingCache,
    /// The records the source counted at the start, for progress.
    total: Option<u64>,
    pub(super) embed_ns: u64,
    pub(super) write_ns: u64,
    pub(super) commit_ns: u64,
}

impl<'a> Commit<'a> {
    pub(super) fn new(
        state: &'a StateDir,
        ledger: &'a str,
        opts: &'a RunOptions,
        cache: &'a EmbeddingCache,
        total: Option<u64>,
    ) -> Self {
        Self { state, ledger, opts, cache, total, embed_ns: 0, write_ns: 0, commit_ns: 0 }
    }

    /// Commits the batches of `embedded` as they come (in batch order) until it ends, a batch
    /// failed (its error, or the commit's, is returned) or a batch was dropped by a stop.
    pub(super) async fn in_order(
        &mut self,
        embedded: &mut (impl Stream<Item = std::result::Result<Result<Option<Batch>>, JoinError>> + Unpin),
        meta: &mut PipelineMeta,
        checkpoint: &mut Checkpoint,
        report: &mut RunReport,
    ) -> Result<()> {
        while let Some(joined) = embedded.next().await {
            let batch = match joined {
                Ok(Ok(Some(b))) => b,
                Ok(Ok(None)) => {
                    // Stopped, and this batch dropped: no later batch may be committed, or the
                    // checkpoint would claim this one. The writes under way end before the
                    // sink is closed; the stopped reader and processor end the stream.
                    while embedded.next().await.is_some() {}
                    return Ok(());
                }
                Ok(Err(e)) => return Err(e),
                Err(e) => return Err(Error::Internal(format!("the embedding task failed: {e}"))),
            };
            self.commit(batch, meta, checkpoint, report)?;
        }
        Ok(())
    }

    /// Counts one batch and commits it (a dry run only counts).
    fn commit(
        &mut self,
        batch: Batch,
        meta: &mut PipelineMeta,
        checkpoint: &mut Checkpoint,
        report: &mut RunReport,
    ) -> Result<()> {
        self.embed_ns += batch.embed_time.as_nanos() as u64;
        let c = &mut report.counts;
        c.fetched += batch.fetched;
        c.invalid += batch.invalid;
        c.valid += batch.fetched - batch.invalid;
        c.unchanged += batch.unchanged;
        c.payload_only += batch.payload_only.len() as u64;
        c.new += batch.new;
        c.reembedded += batch.reembedded;
        c.embedded += batch.embed.len() as u64;
        report.estimated_tokens += batch.estimated_tokens;
        checkpoint.max_cursor = newer(checkpoint.max_cursor.take(), batch.max_cursor.as_ref());
        // Batches come in the order they were read, so this partition's earlier batches are
        // all committed: its state may move past them.
        checkpoint.advance(batch.partition, batch.state.clone(), batch.done)?;
        checkpoint.batches += 1;
        checkpoint.records += batch.fetched;
        if self.opts.dry_run {
            // What the real run would upsert.
            report.counts.upserted += batch.embed.len() as u64;
            report.batches += 1;
            return Ok(());
        }
        self.write_ns += batch.write_time.as_nanos() as u64;
        report.counts.upserted += batch.embed.len() as u64;
        let t = Instant::now();
        let rows: Vec<(String, LedgerRow)> = batch
            .embed
            .iter()
            .chain(&batch.payload_only)
            .map(|i| (i.key.clone(), i.row))
            .chain(batch.touch.iter().cloned())
            .collect();
        meta.checkpoint = Some(checkpoint.clone());
        self.state.commit(self.ledger, &rows, &[], meta)?;
        self.commit_ns += t.elapsed().as_nanos() as u64;
        report.batches += 1;
        if let Some(progress) = &self.opts.progress {
            let (cache_hits, cache_misses) = self.cache.lookups();
            progress(&Progress {
                fetched: report.counts.fetched,
                total: self.total,
                counts: report.counts.clone(),
                cache_hits,
                cache_misses,
            });
        }
        Ok(())
    }
}
