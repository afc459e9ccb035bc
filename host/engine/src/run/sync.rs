//! A run that reads records: full, incremental or rebuild. It starts (or resumes) its
//! checkpoint and makes the collection ready, runs the stages (read → process → embed and
//! write → commit), and once the whole stream is read settles the run: the watermark, the
//! stale keys of a full run, the switch of a rebuild, the count check.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::mpsc;
use tracing::{info, warn};
use weir_core::{Scope, SplitScope};
use weir_embed::EmbeddingCache;

use super::busy::{Busy, ms};
use super::commit::Commit;
use super::count_check::count_check;
use super::cursor::{minus_overlap, newer};
use super::delete::delete_stale;
use super::options::{RunOptions, StopSignal};
use super::process::Processor;
use super::read::Reader;
use super::{collection, embed_write, rebuild};
use crate::error::{Error, Result};
use crate::mode::Mode;
use crate::pipeline::Pipeline;
use crate::report::{RunReport, StageTimes};
use crate::state::{Checkpoint, PartitionState, PipelineMeta, StateDir};

/// Runs a full, incremental or rebuild run from `resume` (or from a new checkpoint of
/// `run_id`) to its end, or until it is stopped or fails.
#[allow(clippy::too_many_arguments)]
pub(super) async fn sync(
    state: &Arc<StateDir>,
    pipeline: &mut Pipeline,
    opts: &RunOptions,
    meta: &mut PipelineMeta,
    resume: Option<Checkpoint>,
    run_id: u64,
    mode: Mode,
    cache: &EmbeddingCache,
    report: &mut RunReport,
) -> Result<()> {
    let name = pipeline.name.clone();
    // Where the rows of this run go: a rebuild stages its ledger apart until it completes.
    let ledger_name = if mode == Mode::Rebuild { rebuild::staged_ledger(&name) } else { name.clone() };

    let (mut checkpoint, scope) = open_checkpoint(pipeline, opts, meta, resume, run_id, mode).await?;
    let physical = collection::physical(&checkpoint, meta, &pipeline.collection);
    // A dry run writes nothing: whether the collection is hybrid only changes what it hashes.
    let mut hybrid = meta.physical.is_none() || meta.lexical.is_some();
    if !opts.dry_run {
        let model = pipeline.embedder.model().clone();
        hybrid = collection::prepare(pipeline, meta, &physical, &model).await?;
        if mode != Mode::Rebuild {
            meta.model = Some(model);
        }
        meta.checkpoint = Some(checkpoint.clone());
        state.put_meta(&name, meta)?;
    }

    // One source instance per partition still to read: the pipeline's own, and forks of it.
    let partitions = checkpoint.partitions();
    let open: Vec<usize> = (0..partitions.len()).filter(|&i| !partitions[i].done).collect();
    let mut sources = Vec::with_capacity(open.len());
    if let Some(source) = &pipeline.source {
        for _ in 1..open.len() {
            sources.push(source.fork().await?);
        }
    }
    let mut source = pipeline.source.take().ok_or_else(|| Error::Internal("the source is in use".into()))?;
    let total = if mode == Mode::Incremental { None } else { source.count(&pipeline.stream).await.ok().flatten() };
    if open.len() > 1 {
        info!(pipeline = %name, partitions = partitions.len(), reading = open.len(), "reading partitions in parallel");
    }

    // The stages, joined by bounded queues; the commits run on this task.
    let busy = Arc::new(Busy::default());
    let pages = Arc::new(AtomicU64::new(0));
    let (page_tx, page_rx) = mpsc::channel(pipeline.settings.queue);
    let (batch_tx, batch_rx) = mpsc::channel(pipeline.settings.queue);
    // The pipeline's own instance reads the first open partition and is handed back when the
    // run ends; with none left to read (every partition was committed before a kill), it
    // waits here.
    let mut instances = vec![source];
    instances.append(&mut sources);
    let idle = if open.is_empty() { instances.pop() } else { None };
    let readers: Vec<_> = open
        .iter()
        .zip(instances)
        .map(|(&index, instance)| {
            Reader {
                source: instance,
                stream: pipeline.stream.clone(),
                scope: scope.clone(),
                partition: index,
                cursor: partitions[index].state.clone(),
                max: pipeline.settings.batch_size,
                stop: opts.stop.clone(),
                busy: busy.clone(),
                pages: pages.clone(),
            }
            .spawn(page_tx.clone())
        })
        .collect();
    drop(page_tx);
    let processor =
        Processor::new(pipeline, state, ledger_name.clone(), &checkpoint, opts.dry_run, hybrid, busy.clone());
    let validators = std::mem::take(&mut pipeline.validators);
    let processor = processor.spawn(validators, page_rx, batch_tx, opts.stop.clone());
    let mut embedded =
        embed_write::start(pipeline, &physical, cache, opts.dry_run, batch_rx, opts.stop.clone()).await?;
    let mut commit = Commit::new(state, &ledger_name, opts, cache, total);
    let outcome = commit.in_order(&mut embedded, meta, &mut checkpoint, report).await;

    drop(embedded);
    // The first reader holds the pipeline's own instance; the forks are dropped.
    let mut own = idle;
    for reader in readers {
        let instance = reader.await.map_err(|e| Error::Internal(format!("a reader task failed: {e}")))?;
        own.get_or_insert(instance);
    }
    pipeline.source = own;
    let (validators, seen_keys) =
        processor.await.map_err(|e| Error::Internal(format!("the processing task failed: {e}")))?;
    pipeline.validators = validators;
    report.stages = StageTimes {
        read_ms: ms(busy.read.load(Ordering::Relaxed)),
        process_ms: ms(busy.process.load(Ordering::Relaxed)),
        embed_ms: ms(commit.embed_ns),
        write_ms: ms(commit.write_ns),
        commit_ms: ms(commit.commit_ns),
    };
    outcome?;
    if opts.stop.load(Ordering::Relaxed) {
        // Every page read became one batch; those not committed were dropped.
        report.dropped_batches = pages.load(Ordering::Relaxed).saturating_sub(report.batches);
        info!(
            pipeline = %name,
            committed = report.batches,
            dropped = report.dropped_batches,
            "stopped on request; the next run resumes from the checkpoint"
        );
        return Ok(());
    }
    finish(state, pipeline, opts, meta, &checkpoint, &physical, seen_keys, report).await
}

/// The run's checkpoint and the scope it reads: the interrupted run's checkpoint, or a new
/// one; either way with its partitions fixed before anything is read.
async fn open_checkpoint(
    pipeline: &mut Pipeline,
    opts: &RunOptions,
    meta: &PipelineMeta,
    resume: Option<Checkpoint>,
    run_id: u64,
    mode: Mode,
) -> Result<(Checkpoint, Scope)> {
    let mut checkpoint = match resume {
        Some(c) => {
            info!(pipeline = %pipeline.name, run = run_id, batches = c.batches, records = c.records, "resuming an interrupted {mode} run");
            c
        }
        None => new_checkpoint(pipeline, meta, run_id, mode),
    };
    let scope = match &checkpoint.since {
        Some(since) => Scope::Since(since.clone()),
        None => Scope::Full,
    };
    if checkpoint.parts.is_empty() {
        // A new run asks the source how to split its scope; a resumed one keeps its
        // partitions (a checkpoint from before partitioned reads is one, from its state).
        let plan = match checkpoint.batches {
            0 if checkpoint.state.is_none() => split(pipeline, SplitScope::Read(scope.clone()), &opts.stop).await?,
            _ => checkpoint.partitions(),
        };
        checkpoint.set_partitions(plan);
    }
    Ok((checkpoint, scope))
}

/// Tries of the source's `partitions` call. It is the run's first call to the source and
/// nothing is read before it, so a failure that may pass (a burst of server errors longer
/// than the host's own retries, a rate limit) is waited out rather than failing the run.
const SPLIT_TRIES: u32 = 4;

/// The partitions of `scope` the source proposes, at most `read_concurrency` of them.
pub(super) async fn split(
    pipeline: &mut Pipeline,
    scope: SplitScope,
    stop: &StopSignal,
) -> Result<Vec<PartitionState>> {
    let source = pipeline.source.as_mut().ok_or_else(|| Error::Internal("the source is in use".into()))?;
    let mut tries = 0;
    loop {
        tries += 1;
        match source.partitions(&pipeline.stream, &scope, pipeline.settings.read_concurrency).await {
            Ok(parts) => return Ok(parts.into_iter().map(PartitionState::new).collect()),
            Err(e) if e.is_retryable() && tries < SPLIT_TRIES && !stop.load(Ordering::Relaxed) => {
                let wait = e.plugin_error().and_then(|p| p.retry_after()).unwrap_or(Duration::from_secs(1 << tries));
                let wait = wait.min(Duration::from_secs(30));
                warn!(pipeline = %pipeline.name, error = %e, wait_ms = wait.as_millis() as u64, "splitting the stream failed; trying again");
                tokio::time::sleep(wait).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// The checkpoint a new run starts from: an incremental run reads from the watermark minus
/// the overlap, a full run sees the next generation, a rebuild fills the next version of the
/// collection.
fn new_checkpoint(pipeline: &Pipeline, meta: &PipelineMeta, run_id: u64, mode: Mode) -> Checkpoint {
    let since = match mode {
        Mode::Incremental => {
            meta.watermark.as_deref().map(|w| minus_overlap(w, Duration::from_secs(pipeline.settings.overlap_seconds)))
        }
        _ => None,
    };
    let target = (mode == Mode::Rebuild).then(|| collection::versioned(&pipeline.collection, meta.version + 1));
    Checkpoint {
        run_id,
        mode,
        since,
        state: None,
        parts: Vec::new(),
        generation: if mode == Mode::Full { meta.generation + 1 } else { meta.generation },
        max_cursor: None,
        batches: 0,
        records: 0,
        target,
    }
}

/// Settles a run that read the whole stream: moves the watermark, deletes what a full run
/// did not see, completes a rebuild, clears the checkpoint and checks the counts. `seen_keys`
/// are the keys a dry full run saw (a real one marks them in the ledger).
#[allow(clippy::too_many_arguments)]
async fn finish(
    state: &Arc<StateDir>,
    pipeline: &mut Pipeline,
    opts: &RunOptions,
    meta: &mut PipelineMeta,
    checkpoint: &Checkpoint,
    physical: &str,
    seen_keys: Option<HashSet<String>>,
    report: &mut RunReport,
) -> Result<()> {
    let name = pipeline.name.clone();
    let mode = checkpoint.mode;
    let generation = checkpoint.generation;
    // A full read saw every record: its newest cursor is the watermark. An incremental read
    // only moves it forward.
    let new_watermark = match mode {
        Mode::Full => checkpoint.max_cursor.clone().or_else(|| meta.watermark.clone()),
        _ => newer(meta.watermark.clone(), checkpoint.max_cursor.as_ref()),
    };
    match mode {
        Mode::Full => {
            let stale: Vec<String> = match &seen_keys {
                Some(seen) => state.ledger_keys_where(&name, |k, _| !seen.contains(k))?,
                None => state.ledger_keys_where(&name, |_, row| row.generation != generation)?,
            };
            delete_stale(state, pipeline, opts, meta, physical, &name, stale, report).await?;
        }
        Mode::Rebuild if !opts.dry_run => rebuild::complete(state, pipeline, meta, checkpoint, physical).await?,
        _ => {}
    }
    if !opts.dry_run {
        // A rebuild set its watermark as it completed.
        if mode != Mode::Rebuild {
            meta.watermark = new_watermark;
        }
        if mode == Mode::Full {
            meta.generation = generation;
        }
        meta.checkpoint = None;
        state.put_meta(&name, meta)?;
        report.count_check = Some(count_check(state, pipeline, &name, physical, report).await);
    }
    Ok(())
}
