//! The reconcile mode: lists the source's keys only (no records, no embedding) and deletes the
//! points whose keys vanished, a cheap way to catch deletions between full runs. The source
//! may split the listing into partitions, listed at once on an instance each; a reconcile
//! keeps no checkpoint (it writes nothing until every key is listed), so a stopped or killed
//! one starts over.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use tracing::info;
use weir_core::SplitScope;
use weir_runtime::SourceInstance;

use super::count_check::count_check;
use super::delete::delete_stale;
use super::options::{RunOptions, StopSignal};
use crate::error::{Error, Result};
use crate::pipeline::Pipeline;
use crate::report::RunReport;
use crate::state::{PipelineMeta, StateDir};

pub(super) async fn reconcile(
    state: &Arc<StateDir>,
    pipeline: &mut Pipeline,
    opts: &RunOptions,
    meta: &mut PipelineMeta,
    report: &mut RunReport,
) -> Result<()> {
    let Some(physical) = meta.physical.clone() else {
        info!(pipeline = %pipeline.name, "nothing synced yet: nothing to reconcile");
        return Ok(());
    };
    let name = pipeline.name.clone();
    let t = Instant::now();
    let partitions = super::sync::split(pipeline, SplitScope::Keys, &opts.stop).await?;
    let source = pipeline.source.as_ref().ok_or_else(|| Error::Internal("the source is in use".into()))?;
    // Each partition is listed on its own instance, the first on the pipeline's own.
    let mut instances = Vec::with_capacity(partitions.len());
    for _ in 1..partitions.len() {
        instances.push(source.fork().await?);
    }
    let own = pipeline.source.take().ok_or_else(|| Error::Internal("the source is in use".into()))?;
    instances.insert(0, own);
    let max = pipeline.settings.batch_size.max(1000);
    // A failed listing ends the others: the run fails without deleting anything.
    let failed_one = StopSignal::default();
    let listings: Vec<_> = partitions
        .into_iter()
        .zip(instances)
        .map(|(partition, mut source)| {
            let stream = pipeline.stream.clone();
            let stop = opts.stop.clone();
            let failed_one = failed_one.clone();
            tokio::spawn(async move {
                let listed = list(&mut source, &stream, partition.state, max, &[&stop, &failed_one]).await;
                if listed.is_err() {
                    failed_one.store(true, Ordering::Relaxed);
                }
                (source, listed)
            })
        })
        .collect();
    let mut listed: HashSet<String> = HashSet::new();
    let mut failed = None;
    for listing in futures::future::join_all(listings).await {
        let (source, keys) = listing.map_err(|e| Error::Internal(format!("a key listing task failed: {e}")))?;
        pipeline.source.get_or_insert(source);
        match keys {
            Ok(keys) => {
                report.counts.listed += keys.len() as u64;
                listed.extend(keys);
            }
            Err(e) => failed = failed.or(Some(e)),
        }
    }
    if let Some(e) = failed {
        return Err(e);
    }
    if opts.stop.load(Ordering::Relaxed) {
        return Ok(());
    }
    report.stages.read_ms = t.elapsed().as_secs_f64() * 1e3;
    let stale = state.ledger_keys_where(&name, |k, _| !listed.contains(k))?;
    delete_stale(state, pipeline, opts, meta, &physical, &name, stale, report).await?;
    if !opts.dry_run {
        report.count_check = Some(count_check(state, pipeline, &name, &physical, report).await);
    }
    Ok(())
}

/// The keys of one partition, listed from its state; none more once one of `stops` is set
/// (the run was stopped, another listing failed).
async fn list(
    source: &mut SourceInstance,
    stream: &str,
    mut cursor: Option<String>,
    max: u32,
    stops: &[&StopSignal],
) -> Result<Vec<String>> {
    let mut keys = Vec::new();
    while !stops.iter().any(|s| s.load(Ordering::Relaxed)) {
        let page = source.list_keys(stream, cursor.as_deref(), max).await?;
        keys.extend(page.keys);
        if page.done {
            break;
        }
        cursor = Some(page.state);
    }
    Ok(keys)
}
