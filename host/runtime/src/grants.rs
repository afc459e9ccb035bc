use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use weir_core::HostRule;

/// What the user's configuration grants one plugin. The manifest asks; this grants; a plugin
/// gets the intersection and nothing else.
#[derive(Clone, Default)]
pub struct Grants {
    /// Network rules. A URL must match one of these *and* one of the manifest's rules.
    pub hosts: Vec<HostRule>,
    /// Secret values by name. Only names the manifest lists are ever handed to the plugin.
    pub secrets: BTreeMap<String, String>,
    /// A cap on memory below the host's own, in MiB.
    pub memory_mb: Option<u32>,
    /// A cap on one call's duration below the manifest's.
    pub call_timeout: Option<Duration>,
    /// Host directories by the name the manifest asks for; mounted read-only at `/<name>`.
    pub dirs: BTreeMap<String, PathBuf>,
    /// A source's requests in flight at once, across every instance made with the same plugin
    /// and configuration (default [`crate::DEFAULT_MAX_REQUESTS_IN_FLIGHT`]).
    pub max_requests_in_flight: Option<usize>,
}

impl Grants {
    /// No network, no secrets, default limits.
    pub fn none() -> Self {
        Self::default()
    }

    pub fn host(mut self, rule: HostRule) -> Self {
        self.hosts.push(rule);
        self
    }

    /// Grants the directory the manifest calls `name`: `path`, read-only.
    pub fn dir(mut self, name: impl Into<String>, path: impl Into<PathBuf>) -> Self {
        self.dirs.insert(name.into(), path.into());
        self
    }

    /// Limits the source's requests in flight (see [`Grants::max_requests_in_flight`]).
    pub fn max_requests_in_flight(mut self, max: usize) -> Self {
        self.max_requests_in_flight = Some(max);
        self
    }

    pub fn secret(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.secrets.insert(name.into(), value.into());
        self
    }
}

// Secrets never reach a log through Debug.
impl fmt::Debug for Grants {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Grants")
            .field("hosts", &self.hosts.iter().map(ToString::to_string).collect::<Vec<_>>())
            .field("secrets", &self.secrets.keys().collect::<Vec<_>>())
            .field("memory_mb", &self.memory_mb)
            .field("call_timeout", &self.call_timeout)
            .field("dirs", &self.dirs)
            .field("max_requests_in_flight", &self.max_requests_in_flight)
            .finish()
    }
}
