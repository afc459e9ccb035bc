//! One run of one pipeline: read → validate → detect changes → embed → write → commit.
//!
//! The stages overlap through bounded queues: a reader task per partition of the stream (up
//! to `read_concurrency`, each on its own source instance) pages through the source, a
//! processing task validates, renders and compares with the ledger, embedding runs for up to
//! `embed_concurrency` batches at once, and this task writes each batch to the sink and
//! commits it, strictly in batch order. A commit is one transaction holding the ledger rows
//! of the batch and the source state of its partition after it, made only after the sink
//! acknowledged the batch and every batch read before it; so a crash at any instant loses
//! nothing and redoes at most the batches in flight, whose deterministic point ids make the
//! redo an overwrite.
//!
//! This file starts and ends a run (mode, resume, report, history); the modes and stages live
//! in the files below, in the order a record passes them:
//!
//! - `sync`: a run that reads records (full, incremental, rebuild), from its checkpoint to
//!   its end; `collection`: the physical collection it writes;
//! - `read` → `process` → `embed_write` → `commit`: the stages, `batch` what flows between
//!   them;
//! - `delete`, `rebuild`: how a finished full run and a finished rebuild settle;
//! - `reconcile`: the mode that lists keys only; `count_check`: the counts compared after a
//!   run;
//! - `cursor`, `busy`, `usage`, `options`: cursors and watermarks, stage busy times, the
//!   counters a run reads before and after, what the caller passes.

mod batch;
mod busy;
mod collection;
mod commit;
mod count_check;
mod cursor;
mod delete;
mod embed_write;
mod options;
mod process;
mod read;
mod rebuild;
mod reconcile;
mod sync;
mod usage;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use tracing::{info, warn};
use weir_embed::{EmbeddingCache, ensure_compatible, ensure_lexical_compatible};

pub use self::options::{Progress, ProgressFn, RunOptions, StopSignal};
use self::usage::Usage;
use crate::error::{Error, Result};
use crate::mode::Mode;
use crate::pipeline::Pipeline;
use crate::report::{Counts, EmbedCounts, RunReport, RunStatus, StageTimes};
use crate::settings::InvalidPolicy;
use crate::state::{Checkpoint, PipelineMeta, StateDir};

/// Refuses to write lexical vectors of another space into a hybrid collection: a changed
/// tokeniser or BM25 setting would leave old and new points with terms that do not match.
fn ensure_same_lexical(meta: &PipelineMeta, pipeline: &Pipeline) -> Result<()> {
    let Some(recorded) = &meta.lexical else { return Ok(()) };
    let encoder = pipeline.lexical.id();
    let recorded_id = recorded.parse::<weir_embed::LexicalId>().ok();
    if recorded_id.as_ref().is_some_and(|r| ensure_lexical_compatible(Some(r), encoder).is_ok()) {
        return Ok(());
    }
    Err(Error::Config {
        pipeline: pipeline.name.clone(),
        message: format!(
            "the collection's lexical vectors were made by {recorded} but the pipeline's lexical settings make {encoder}; \
             nothing was written. Run `weir run --mode rebuild` to rebuild the collection with the new settings \
             (searches keep the old one until it is done), or restore the old `lexical` settings"
        ),
    })
}

/// Runs `pipeline` once. Errors before anything was written (configuration, model mismatch,
/// an unreachable sink) and errors during the run are both returned; a run that started is
/// also recorded in the history with its counts, and the next run resumes from its last
/// commit.
pub async fn run(state: &Arc<StateDir>, pipeline: &mut Pipeline, opts: &RunOptions) -> Result<RunReport> {
    let started = Instant::now();
    let started_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut meta = state.meta(&pipeline.name)?;
    let mut mode = opts.mode;
    if mode == Mode::Incremental && meta.watermark.is_none() && meta.checkpoint.is_none() {
        info!(pipeline = %pipeline.name, "no watermark yet: the first incremental run reads everything (full)");
        mode = Mode::Full;
    }
    let model = pipeline.embedder.model().clone();
    if mode != Mode::Rebuild && mode != Mode::Reconcile {
        ensure_compatible(meta.model.as_ref(), &model)?;
        ensure_same_lexical(&meta, pipeline)?;
    }
    if !model.semantic {
        warn!(
            pipeline = %pipeline.name,
            "THE HASH EMBEDDER IS NOT SEMANTIC: its vectors carry no meaning; use it for tests and emergencies only"
        );
    }

    let resume = take_resume(&mut meta, mode, opts.dry_run, &pipeline.name);
    let resumed = resume.is_some();
    let run_id = match &resume {
        Some(c) => c.run_id,
        None => state.next_run_id()?,
    };

    let mut report = RunReport {
        run_id,
        pipeline: pipeline.name.clone(),
        mode,
        dry_run: opts.dry_run,
        resumed,
        status: RunStatus::Success,
        error: None,
        started: started_at,
        duration_s: 0.0,
        records_per_s: 0.0,
        counts: Counts::default(),
        estimated_tokens: 0,
        estimated_cost_usd: 0.0,
        batches: 0,
        dropped_batches: 0,
        stages: StageTimes::default(),
        plugins: BTreeMap::new(),
        embedding: EmbedCounts { model: model.key(), ..EmbedCounts::default() },
        watermark: meta.watermark.clone(),
        count_check: None,
    };
    let cache = EmbeddingCache::new(state.db());
    let usage = Usage::before(pipeline, &cache)?;

    let result = match mode {
        Mode::Reconcile => reconcile::reconcile(state, pipeline, opts, &mut meta, &mut report).await,
        _ => sync::sync(state, pipeline, opts, &mut meta, resume, run_id, mode, &cache, &mut report).await,
    };

    usage.since(pipeline, &cache, &mut report);
    report.duration_s = started.elapsed().as_secs_f64();
    let seen = report.counts.fetched.max(report.counts.listed);
    report.records_per_s = seen as f64 / report.duration_s.max(1e-9);
    report.estimated_cost_usd = report.estimated_tokens as f64 * pipeline.settings.usd_per_million_tokens / 1e6;

    let result = result.and_then(|()| invalid_limit(state, pipeline, &report));
    match &result {
        Ok(()) if opts.stop.load(Ordering::Relaxed) && meta.checkpoint.is_some() => {
            report.status = RunStatus::Interrupted;
        }
        Ok(()) => {
            if report.counts.invalid > 0 {
                report.status = RunStatus::Partial;
            }
        }
        Err(e) => {
            report.status = RunStatus::Failed;
            report.error = Some(e.to_string());
        }
    }
    report.watermark = meta.watermark.clone();
    record(state, pipeline, opts, &mut meta, &report)?;
    result.map(|()| report)
}

/// The checkpoint this run resumes: an interrupted run of the same mode is resumed; one of
/// another mode is forgotten (its committed batches are in the ledger and the new run
/// reconciles them). A dry run resumes nothing and leaves the checkpoint as it is.
fn take_resume(meta: &mut PipelineMeta, mode: Mode, dry_run: bool, pipeline: &str) -> Option<Checkpoint> {
    match meta.checkpoint.take() {
        Some(c) if c.mode == mode && !dry_run => Some(c),
        Some(c) if dry_run => {
            meta.checkpoint = Some(c);
            None
        }
        Some(c) => {
            warn!(pipeline = %pipeline, "an interrupted {} run is superseded by this {mode} run", c.mode);
            None
        }
        None => None,
    }
}

/// A run over the invalid-records limit fails, though everything valid was synced.
fn invalid_limit(state: &StateDir, pipeline: &Pipeline, report: &RunReport) -> Result<()> {
    if let InvalidPolicy::FailAbovePercent(limit) = pipeline.settings.on_invalid
        && report.counts.fetched > 0
        && report.counts.invalid as f64 * 100.0 / report.counts.fetched as f64 > limit
    {
        return Err(Error::TooManyInvalid {
            pipeline: pipeline.name.clone(),
            invalid: report.counts.invalid,
            seen: report.counts.fetched,
            policy: pipeline.settings.on_invalid.to_string(),
            file: state.path(crate::state::INVALID_FILE),
        });
    }
    Ok(())
}

/// Records the run: its bookkeeping in the pipeline's state (not for a dry run), the history
/// and the metrics file.
fn record(
    state: &StateDir,
    pipeline: &Pipeline,
    opts: &RunOptions,
    meta: &mut PipelineMeta,
    report: &RunReport,
) -> Result<()> {
    if !opts.dry_run {
        meta.last_run = Some(report.run_id);
        if matches!(report.status, RunStatus::Success | RunStatus::Partial) {
            meta.last_success_ms = Some(chrono::Utc::now().timestamp_millis());
        }
        // Only the bookkeeping fields; the checkpoint and ledger were committed as we went.
        let mut stored = state.meta(&pipeline.name)?;
        stored.last_run = meta.last_run;
        stored.last_success_ms = meta.last_success_ms;
        state.put_meta(&pipeline.name, &stored)?;
    }
    state.record_run(report)?;
    state.write_metrics(report)
}
