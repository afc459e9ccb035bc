//! A rebuild fills the next version of the collection, its ledger rows staged apart under
//! their own name, and when the whole stream is in, switches the alias to the new version,
//! adopts the staged ledger and drops the old collection. Until then searches see the old
//! version.

use tracing::warn;

use crate::error::Result;
use crate::pipeline::Pipeline;
use crate::state::{Checkpoint, PipelineMeta, StateDir};

/// The ledger a rebuild of `pipeline` fills until it completes.
pub(super) fn staged_ledger(pipeline: &str) -> String {
    format!("{pipeline}#rebuild")
}

/// Completes a rebuild whose run (`checkpoint`) wrote the whole stream into `physical`:
/// points the alias at it, adopts its ledger, drops the old collection.
pub(super) async fn complete(
    state: &StateDir,
    pipeline: &mut Pipeline,
    meta: &mut PipelineMeta,
    checkpoint: &Checkpoint,
    physical: &str,
) -> Result<()> {
    let name = pipeline.name.clone();
    let model = pipeline.embedder.model().clone();
    let old = meta.physical.clone();
    let lexical = pipeline.sink.describe(physical).await?.lexical.then(|| pipeline.lexical.id().key());
    pipeline.sink.switch_alias(&pipeline.collection, physical).await?;
    meta.lexical = lexical;
    meta.physical = Some(physical.to_owned());
    meta.model = Some(model.clone());
    meta.version += 1;
    meta.generation = checkpoint.generation;
    meta.checkpoint = None;
    meta.watermark = checkpoint.max_cursor.clone();
    state.replace_ledger(&name, &staged_ledger(&name), meta)?;
    if let Some(old) = old.filter(|o| *o != physical)
        && let Err(e) = pipeline.sink.drop_collection(&old).await
    {
        warn!(pipeline = %name, collection = %old, error = %e, "the old collection could not be dropped; drop it by hand");
    }
    warn!(pipeline = %name, "rebuild complete: `{}` now serves {physical} with {}", pipeline.collection, model.key());
    Ok(())
}
