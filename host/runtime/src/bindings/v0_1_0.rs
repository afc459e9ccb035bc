//! Bindings of `wit/v0.1.0` (package `weir:plugin@0.1.0`) and their conversions.

use wasmtime::component::Linker;
use weir_core as core;

use crate::state::HostState;

mod source_world {
    wasmtime::component::bindgen!({
        path: "../../wit/v0.1.0",
        world: "source-plugin",
        imports: { default: async | trappable },
        exports: { default: async },
    });
}

mod validator_world {
    wasmtime::component::bindgen!({
        path: "../../wit/v0.1.0",
        world: "validator-plugin",
        imports: { default: async | trappable },
        exports: { default: async },
        with: {
            "weir:plugin/types": super::source_world::weir::plugin::types,
            "weir:plugin/host": super::source_world::weir::plugin::host,
        },
    });
}

mod sink_world {
    wasmtime::component::bindgen!({
        path: "../../wit/v0.1.0",
        world: "sink-plugin",
        imports: { default: async | trappable },
        exports: { default: async },
        with: {
            "weir:plugin/types": super::source_world::weir::plugin::types,
            "weir:plugin/host": super::source_world::weir::plugin::host,
        },
    });
}

pub(crate) use sink_world::exports::weir::plugin::sink as wit_sink;
pub(crate) use sink_world::{SinkPlugin, SinkPluginPre};
pub(crate) use source_world::exports::weir::plugin::source as wit_source;
pub(crate) use source_world::weir::plugin::host as wit_host;
pub(crate) use source_world::weir::plugin::types as wit_types;
pub(crate) use source_world::{SourcePlugin, SourcePluginPre};
pub(crate) use validator_world::exports::weir::plugin::validator as wit_validator;
pub(crate) use validator_world::{ValidatorPlugin, ValidatorPluginPre};

/// The WIT version these bindings speak.
pub(crate) const VERSION: &str = "0.1.0";

/// Adds weir's host imports (shared by all three worlds) to the linker.
pub(crate) fn add_host_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    wit_types::add_to_linker::<HostState, wasmtime::component::HasSelf<HostState>>(linker, |s| s)?;
    wit_host::add_to_linker::<HostState, wasmtime::component::HasSelf<HostState>>(linker, |s| s)?;
    Ok(())
}

shared_host_imports!();
shared_conversions!();

/// 0.1.0 has no lexical setting: the caller refuses a hybrid spec before converting.
impl From<&core::CollectionSpec> for wit_sink::CollectionSpec {
    fn from(s: &core::CollectionSpec) -> Self {
        Self {
            name: s.name.clone(),
            dimension: s.dimension,
            distance: s.distance.into(),
            model: s.model.clone(),
            payload_indexes: s
                .payload_indexes
                .iter()
                .map(|i| wit_sink::PayloadIndex { field: i.field.clone(), kind: i.kind.into() })
                .collect(),
        }
    }
}

impl From<wit_sink::CollectionInfo> for core::CollectionInfo {
    fn from(i: wit_sink::CollectionInfo) -> Self {
        Self {
            exists: i.exists,
            dimension: i.dimension,
            distance: i.distance.map(Into::into),
            lexical: false,
            points: i.points,
        }
    }
}

/// 0.1.0 has no sparse vectors: the caller refuses a point that carries one before converting.
impl From<&core::Point> for wit_sink::Point {
    fn from(p: &core::Point) -> Self {
        Self { id: p.id.clone(), vector: p.vector.clone(), payload: p.payload.clone() }
    }
}
