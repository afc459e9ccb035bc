//! The reconcile mode: lists the source's keys only (no records, no embedding) and deletes the
//! points whose keys vanished, a cheap way to catch deletions between full runs.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use tracing::info;

use super::count_check::count_check;
use super::delete::delete_stale;
use super::options::RunOptions;
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
    let mut listed: HashSet<String> = HashSet::new();
    let mut cursor: Option<String> = None;
    let source = pipeline.source.as_mut().ok_or_else(|| Error::Internal("the source is in use".into()))?;
    let t = Instant::now();
    loop {
        if opts.stop.load(Ordering::Relaxed) {
            return Ok(());
        }
        let page =
            source.list_keys(&pipeline.stream, cursor.as_deref(), pipeline.settings.batch_size.max(1000)).await?;
        report.counts.listed += page.keys.len() as u64;
        listed.extend(page.keys);
        if page.done {
            break;
        }
        cursor = Some(page.state);
    }
    report.stages.read_ms = t.elapsed().as_secs_f64() * 1e3;
    let stale = state.ledger_keys_where(&name, |k, _| !listed.contains(k))?;
    delete_stale(state, pipeline, opts, meta, &physical, &name, stale, report).await?;
    if !opts.dry_run {
        report.count_check = Some(count_check(state, pipeline, &name, &physical, report).await);
    }
    Ok(())
}
