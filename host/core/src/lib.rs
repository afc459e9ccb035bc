//! weir's domain types, shared by the host crates and the SDK's compile-time checks.
//!
//! This crate knows no WebAssembly and does no IO: records and pages as the engine sees them,
//! the typed [`PluginError`] that crosses the plugin boundary, plugin manifests
//! (`plugin.toml`), and the network allow-list rules that the sandbox enforces.

mod error;
pub mod manifest;
pub mod net;
mod record;

pub use error::PluginError;
pub use manifest::{Limits, Manifest, ManifestError, Permissions, PluginKind};
pub use net::{HostRule, HostRuleError, parse_target};
pub use record::{
    CollectionInfo, CollectionSpec, Distance, Fusion, IndexKind, KeyPage, Page, Partition, PayloadIndex, PayloadUpdate,
    Point, Query, Record, Scope, ScoredPoint, SparseVector, SplitScope, StreamInfo, Verdict, Violation,
};

/// The WIT contract versions this build of weir can host, newest first.
pub const SUPPORTED_WIT_VERSIONS: &[&str] = &["0.2.0", "0.1.0"];

/// The name of the custom section that carries a plugin's manifest inside its `.wasm` file.
pub const MANIFEST_SECTION: &str = "weir-manifest";
