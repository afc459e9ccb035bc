use std::time::Duration;

use weir_core::{PluginError, PluginKind};

/// Why a plugin could not be loaded or prepared. Nothing ran yet.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    #[error("cannot read plugin file {path}: {error}")]
    Read { path: String, error: std::io::Error },
    #[error("{path} is not a WebAssembly component: {reason}")]
    NotAComponent { path: String, reason: String },
    #[error("{path} carries no weir manifest (custom section `weir-manifest`); build it with weir-sdk's export macro")]
    NoManifest { path: String },
    #[error("{path}: {reason}")]
    BadManifest { path: String, reason: String },
    #[error(
        "plugin `{plugin}` was built against WIT weir:plugin@{found}, but this weir hosts {supported}; rebuild the plugin with a weir-sdk for one of those"
    )]
    IncompatibleWit { plugin: String, found: String, supported: String },
    #[error("plugin `{plugin}` says it is a {declared} plugin but exports {exported}")]
    KindMismatch { plugin: String, declared: PluginKind, exported: String },
    #[error("plugin `{plugin}` is a {actual} plugin, not a {wanted} plugin")]
    WrongKind { plugin: String, actual: PluginKind, wanted: PluginKind },
    #[error("plugin `{plugin}` asks for more than the configuration grants: {what}")]
    Ungranted { plugin: String, what: String },
    #[error("plugin `{plugin}` failed to compile: {reason}")]
    Compile { plugin: String, reason: String },
    #[error("plugin `{plugin}` imports something weir does not provide: {reason}")]
    Link { plugin: String, reason: String },
}

/// Why a call into a plugin failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The plugin returned a typed error.
    #[error("plugin `{plugin}` {call}: {error}")]
    Plugin { plugin: String, call: &'static str, error: PluginError },
    /// The call ran past its deadline and was stopped.
    #[error("plugin `{plugin}` {call}: timed out after {} ms", after.as_millis())]
    Timeout { plugin: String, call: &'static str, after: Duration },
    /// The plugin tried to use more memory than it may.
    #[error("plugin `{plugin}` {call}: memory limit of {limit_mb} MiB reached{detail}")]
    MemoryLimit { plugin: String, call: &'static str, limit_mb: u32, detail: String },
    /// The plugin trapped: a panic, an abort, a stack overflow or another fault.
    #[error("plugin `{plugin}` {call}: crashed: {reason}")]
    Trap { plugin: String, call: &'static str, reason: String },
    /// The plugin sent something the contract does not allow.
    #[error("plugin `{plugin}` {call}: broke the contract: {reason}")]
    Contract { plugin: String, call: &'static str, reason: String },
    /// The host itself failed (rare: a bug or resource exhaustion).
    #[error("host failure running plugin `{plugin}`: {reason}")]
    Host { plugin: String, reason: String },
}

impl Error {
    /// The typed plugin error, when the plugin raised one.
    pub fn plugin_error(&self) -> Option<&PluginError> {
        match self {
            Self::Plugin { error, .. } => Some(error),
            _ => None,
        }
    }

    /// Whether repeating the call later may help.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Plugin { error, .. } => error.is_retryable(),
            Self::Timeout { .. } => true,
            _ => false,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
