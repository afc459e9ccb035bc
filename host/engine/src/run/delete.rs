//! Deleting the points whose keys the source no longer has (the end of a full run, and a
//! reconcile run), behind the mass-delete guard: a share of the ledger over
//! `max_delete_share` is refused unless forced, since a source that suddenly returns nothing
//! looks the same as one whose records were all deleted.

use std::sync::Arc;

use tracing::info;

use super::options::RunOptions;
use crate::error::{Error, Result};
use crate::pipeline::Pipeline;
use crate::report::RunReport;
use crate::state::{PipelineMeta, StateDir};

/// Deletes the points of `stale` keys from `physical` and their rows from `ledger`, a batch
/// at a time, each batch committed after the sink deleted it (a dry run only counts them).
#[allow(clippy::too_many_arguments)]
pub(super) async fn delete_stale(
    state: &Arc<StateDir>,
    pipeline: &mut Pipeline,
    opts: &RunOptions,
    meta: &mut PipelineMeta,
    physical: &str,
    ledger: &str,
    stale: Vec<String>,
    report: &mut RunReport,
) -> Result<()> {
    if stale.is_empty() {
        return Ok(());
    }
    let total = state.ledger_len(ledger)?;
    let share = stale.len() as f64 / total.max(1) as f64;
    if share > pipeline.settings.max_delete_share && !opts.force {
        return Err(Error::MassDelete {
            pipeline: pipeline.name.clone(),
            would_delete: stale.len() as u64,
            total,
            share: share * 100.0,
            limit: pipeline.settings.max_delete_share * 100.0,
        });
    }
    if opts.dry_run {
        report.counts.deleted = stale.len() as u64;
        return Ok(());
    }
    for chunk in stale.chunks(pipeline.settings.batch_size as usize) {
        let ids: Vec<String> = chunk.iter().map(|k| pipeline.point_id(k)).collect();
        pipeline.sink.delete(physical, &ids).await?;
        state.commit(ledger, &[], chunk, meta)?;
        report.counts.deleted += chunk.len() as u64;
    }
    info!(pipeline = %pipeline.name, deleted = stale.len(), "deleted points whose keys the source no longer has");
    Ok(())
}
