//! The physical collection a sync writes. Collections are versioned (`products_v1`,
//! `products_v2`…) behind the alias that searches use; a rebuild fills the next version.

use tracing::{info, warn};
use weir_core::{CollectionSpec, Distance as SinkDistance};
use weir_embed::{Distance, ModelId};
use weir_runtime::SinkInstance;

use crate::error::Result;
use crate::pipeline::Pipeline;
use crate::settings::{PipelineSettings, SearchKind};
use crate::state::{Checkpoint, PipelineMeta};

/// Version `version` of `collection`.
pub(super) fn versioned(collection: &str, version: u32) -> String {
    format!("{collection}_v{version}")
}

/// The physical collection a run writes: a rebuild's target, else the one the alias points
/// at, else the first version.
pub(super) fn physical(checkpoint: &Checkpoint, meta: &PipelineMeta, collection: &str) -> String {
    match (&checkpoint.target, &meta.physical) {
        (Some(t), _) => t.clone(),
        (None, Some(p)) => p.clone(),
        (None, None) => versioned(collection, meta.version.max(1)),
    }
}

/// Makes sure `physical` exists with the model's shape, and on the pipeline's first run points
/// the alias at it (noted in `meta`, which the caller stores). Returns whether the collection
/// is hybrid: its points get lexical vectors.
pub(super) async fn prepare(
    pipeline: &mut Pipeline,
    meta: &mut PipelineMeta,
    physical: &str,
    model: &ModelId,
) -> Result<bool> {
    let lexical = lexical_for(pipeline, physical).await?;
    prepare_collection(&mut pipeline.sink, &pipeline.settings, physical, model, lexical.clone()).await?;
    if meta.physical.is_none() {
        pipeline.sink.switch_alias(&pipeline.collection, physical).await?;
        meta.physical = Some(physical.to_owned());
        meta.collection = Some(pipeline.collection.clone());
        meta.version = meta.version.max(1);
        meta.lexical = lexical.clone();
    }
    if lexical.is_none() && pipeline.settings.search == SearchKind::Hybrid && meta.physical.as_deref() == Some(physical)
    {
        warn!(
            pipeline = %pipeline.name,
            collection = %physical,
            "the collection has no lexical vectors (made before hybrid search): it is synced and searched dense-only; \
             `weir run --mode rebuild` upgrades it to hybrid search"
        );
    }
    Ok(lexical.is_some())
}

/// The lexical model `physical` holds (or gets): an existing collection keeps its shape,
/// hybrid or not (never a mix of points with and without lexical vectors); a new one is
/// hybrid when the settings ask for it and the sink can hold lexical vectors.
async fn lexical_for(pipeline: &mut Pipeline, physical: &str) -> Result<Option<String>> {
    let key = pipeline.lexical.id().key();
    if pipeline.sink.plugin().wit_version() == "0.1.0" {
        if pipeline.settings.search == SearchKind::Hybrid {
            info!(
                pipeline = %pipeline.name,
                sink = %pipeline.sink.plugin().name(),
                "the sink speaks weir:plugin@0.1.0, which has no lexical vectors: the collection is dense-only"
            );
        }
        return Ok(None);
    }
    let info = pipeline.sink.describe(physical).await?;
    let hybrid = if info.exists { info.lexical } else { pipeline.settings.search == SearchKind::Hybrid };
    Ok(hybrid.then_some(key))
}

/// Makes sure the physical collection exists with the model's shape.
async fn prepare_collection(
    sink: &mut SinkInstance,
    settings: &PipelineSettings,
    physical: &str,
    model: &ModelId,
    lexical: Option<String>,
) -> Result<()> {
    let spec = CollectionSpec {
        name: physical.to_owned(),
        dimension: model.dimension,
        distance: sink_distance(model.distance),
        model: model.key(),
        lexical,
        payload_indexes: settings.payload_indexes(),
    };
    sink.prepare(&spec).await?;
    Ok(())
}

fn sink_distance(d: Distance) -> SinkDistance {
    match d {
        Distance::Cosine => SinkDistance::Cosine,
        Distance::Dot => SinkDistance::Dot,
        Distance::Euclid => SinkDistance::Euclid,
    }
}
