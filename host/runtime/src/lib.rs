//! weir's plugin runtime: one wasmtime engine for every plugin, the versioned WIT bindings, and
//! the sandbox a plugin runs in.
//!
//! A plugin is a WebAssembly component with its manifest embedded (see
//! [`weir_core::MANIFEST_SECTION`]). [`Runtime::load`] reads and checks it, compiles it once (or
//! takes the compiled code from the on-disk cache) and pre-instantiates it. Each
//! [`SourceInstance`], [`ValidatorInstance`] or [`SinkInstance`] is a cheap, independent instance
//! with its own memory cap, per-call deadline and network grants; a trap, timeout or limit hit
//! fails that call with an [`Error`] naming the plugin and the reason, and the next call runs on a
//! fresh instance.
//!
//! This crate knows no pipelines: it runs calls and reports what happened.

mod bindings;
mod cache;
mod error;
mod grants;
mod http;
mod inspect;
mod instance;
mod limit;
mod plugin;
mod runtime;
mod state;

pub use error::{Error, LoadError, Result};
pub use grants::Grants;
pub use inspect::{PluginInfo, inspect_bytes};
pub use instance::{SinkInstance, SourceInstance, ValidatorInstance};
pub use limit::{DEFAULT_MAX_REQUESTS_IN_FLIGHT, RequestLimit};
pub use plugin::Plugin;
pub use runtime::{Runtime, RuntimeConfig};
pub use state::PluginStats;
