//! The physical collection a sync writes. Collections are versioned (`products_v1`,
//! `products_v2`…) behind the alias that searches use; a rebuild fills the next version.

use weir_core::{CollectionSpec, Distance as SinkDistance};
use weir_embed::{Distance, ModelId};
use weir_runtime::SinkInstance;

use crate::error::Result;
use crate::pipeline::Pipeline;
use crate::settings::PipelineSettings;
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
/// the alias at it (noted in `meta`, which the caller stores).
pub(super) async fn prepare(
    pipeline: &mut Pipeline,
    meta: &mut PipelineMeta,
    physical: &str,
    model: &ModelId,
) -> Result<()> {
    prepare_collection(&mut pipeline.sink, &pipeline.settings, physical, model).await?;
    if meta.physical.is_none() {
        pipeline.sink.switch_alias(&pipeline.collection, physical).await?;
        meta.physical = Some(physical.to_owned());
        meta.collection = Some(pipeline.collection.clone());
        meta.version = meta.version.max(1);
    }
    Ok(())
}

/// Makes sure the physical collection exists with the model's shape.
async fn prepare_collection(
    sink: &mut SinkInstance,
    settings: &PipelineSettings,
    physical: &str,
    model: &ModelId,
) -> Result<()> {
    let spec = CollectionSpec {
        name: physical.to_owned(),
        dimension: model.dimension,
        distance: sink_distance(model.distance),
        model: model.key(),
        lexical: None,
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
