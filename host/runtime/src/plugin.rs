use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use wasmtime::component::Component;
use weir_core::{Manifest, PluginKind, SUPPORTED_WIT_VERSIONS};

use crate::bindings::{SinkPre, SourcePre, ValidatorPre, Version};
use crate::error::{LoadError, Result};
use crate::grants::Grants;
use crate::inspect::PluginInfo;
use crate::instance::{SinkInstance, SourceInstance, ValidatorInstance};
use crate::runtime::Runtime;
use crate::state::{NetPolicy, PluginStats};

/// A loaded, compiled, pre-instantiated plugin. Cloning is cheap; instances are made from it.
#[derive(Clone)]
pub struct Plugin {
    pub(crate) inner: Arc<PluginInner>,
}

pub(crate) struct PluginInner {
    pub(crate) runtime: Runtime,
    pub(crate) info: PluginInfo,
    /// The WIT version the plugin speaks, which picks the bindings of every call.
    pub(crate) version: Version,
    pub(crate) pre: Pre,
    pub(crate) stats: Arc<PluginStats>,
}

pub(crate) enum Pre {
    Source(SourcePre),
    Validator(ValidatorPre),
    Sink(SinkPre),
}

impl std::fmt::Debug for Plugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plugin")
            .field("name", &self.manifest().name)
            .field("version", &self.manifest().version.to_string())
            .field("kind", &self.manifest().kind)
            .field("sha256", &self.sha256())
            .finish()
    }
}

/// Everything an instance needs that does not change between its calls.
pub(crate) struct Sandbox {
    pub(crate) net: Arc<NetPolicy>,
    pub(crate) secrets: Arc<BTreeMap<String, String>>,
    pub(crate) memory_mb: u32,
    pub(crate) call_timeout: Duration,
    /// `(guest name, host directory)`, mounted read-only at `/<name>`.
    pub(crate) dirs: Arc<Vec<(String, std::path::PathBuf)>>,
}

impl Plugin {
    /// Checks what can be checked before compiling: WIT version and kind.
    pub(crate) fn check(info: &PluginInfo) -> Result<(), LoadError> {
        let manifest = &info.manifest;
        let plugin = manifest.name.clone();
        let supported = || SUPPORTED_WIT_VERSIONS.iter().map(|v| format!("@{v}")).collect::<Vec<_>>().join(", ");
        let Some(exported) = &info.exported_wit else {
            return Err(LoadError::KindMismatch {
                plugin,
                declared: manifest.kind,
                exported: format!("no weir interface (exports: {})", info.exports.join(", ")),
            });
        };
        if !SUPPORTED_WIT_VERSIONS.contains(&exported.as_str()) {
            return Err(LoadError::IncompatibleWit { plugin, found: exported.clone(), supported: supported() });
        }
        if manifest.wit.to_string() != *exported {
            return Err(LoadError::BadManifest {
                path: plugin,
                reason: format!("the manifest says WIT {} but the plugin exports WIT {exported}", manifest.wit),
            });
        }
        if info.exported_kind != Some(manifest.kind) {
            return Err(LoadError::KindMismatch { plugin, declared: manifest.kind, exported: info.exports.join(", ") });
        }
        Ok(())
    }

    pub(crate) fn new(runtime: Runtime, info: PluginInfo, component: Component) -> Result<Self, LoadError> {
        let plugin = info.manifest.name.clone();
        let link = |e: wasmtime::Error| LoadError::Link { plugin: plugin.clone(), reason: format!("{e:#}") };
        let pre = runtime.inner.linker.instantiate_pre(&component).map_err(link)?;
        // `check` refused every version this build does not host.
        let exported = info.exported_wit.as_deref().unwrap_or_default();
        let version = Version::parse(exported).ok_or_else(|| LoadError::IncompatibleWit {
            plugin: plugin.clone(),
            found: exported.to_owned(),
            supported: SUPPORTED_WIT_VERSIONS.join(", "),
        })?;
        let pre = match info.manifest.kind {
            PluginKind::Source => Pre::Source(SourcePre::new(version, pre).map_err(link)?),
            PluginKind::Validator => Pre::Validator(ValidatorPre::new(version, pre).map_err(link)?),
            PluginKind::Sink => Pre::Sink(SinkPre::new(version, pre).map_err(link)?),
        };
        Ok(Self { inner: Arc::new(PluginInner { runtime, info, version, pre, stats: Arc::default() }) })
    }

    pub fn manifest(&self) -> &Manifest {
        &self.inner.info.manifest
    }

    pub fn info(&self) -> &PluginInfo {
        &self.inner.info
    }

    /// The sha256 of the plugin file, hex.
    pub fn sha256(&self) -> &str {
        &self.inner.info.sha256
    }

    pub fn name(&self) -> &str {
        &self.inner.info.manifest.name
    }

    /// The WIT contract version the plugin speaks, e.g. `0.2.0`.
    pub fn wit_version(&self) -> &'static str {
        self.inner.version.as_str()
    }

    /// What the plugin did through the host so far, over all its instances.
    pub fn stats(&self) -> &PluginStats {
        &self.inner.stats
    }

    /// Checks the grants against the manifest and works out the instance's limits.
    pub(crate) fn sandbox(&self, grants: &Grants) -> Result<Sandbox, LoadError> {
        let manifest = self.manifest();
        let mut missing = Vec::new();
        for name in &manifest.permissions.secrets {
            if !grants.secrets.contains_key(name) {
                missing.push(format!("secret `{name}`"));
            }
        }
        let mut dirs = Vec::new();
        for name in &manifest.permissions.dirs {
            match grants.dirs.get(name) {
                None => missing.push(format!("directory `{name}`")),
                Some(path) if !path.is_dir() => {
                    missing.push(format!("directory `{name}` ({} is not a directory)", path.display()))
                }
                Some(path) => dirs.push((name.clone(), path.clone())),
            }
        }
        let host_max = self.inner.runtime.inner.config.max_memory_mb;
        let cap = grants.memory_mb.map_or(host_max, |g| g.min(host_max));
        if manifest.limits.memory_mb > cap {
            missing.push(format!("{} MiB of memory (at most {cap} MiB is granted)", manifest.limits.memory_mb));
        }
        if !missing.is_empty() {
            return Err(LoadError::Ungranted { plugin: manifest.name.clone(), what: missing.join(", ") });
        }
        // Only secrets the manifest names are ever visible to the plugin.
        let secrets = grants
            .secrets
            .iter()
            .filter(|(k, _)| {
                manifest.permissions.secrets.contains(k) || manifest.permissions.optional_secrets.contains(k)
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let manifest_timeout = Duration::from_millis(manifest.limits.call_timeout_ms);
        Ok(Sandbox {
            net: Arc::new(NetPolicy {
                requested: manifest.permissions.hosts.clone(),
                granted: grants.hosts.clone(),
                max_response_bytes: manifest.limits.max_response_bytes,
                requests: None,
            }),
            secrets: Arc::new(secrets),
            memory_mb: manifest.limits.memory_mb,
            call_timeout: grants.call_timeout.map_or(manifest_timeout, |g| g.min(manifest_timeout)),
            dirs: Arc::new(dirs),
        })
    }

    fn expect_kind(&self, wanted: PluginKind) -> Result<(), LoadError> {
        let actual = self.manifest().kind;
        if actual != wanted {
            return Err(LoadError::WrongKind { plugin: self.name().to_owned(), actual, wanted });
        }
        Ok(())
    }

    /// Makes a source instance and configures it with `config` (JSON object text).
    pub async fn source(&self, grants: &Grants, config: &str) -> Result<SourceInstance> {
        self.expect_kind(PluginKind::Source)?;
        let mut sandbox = self.sandbox(grants)?;
        // Instances of one source share its limit; forks of this instance share its sandbox.
        let max = grants.max_requests_in_flight.unwrap_or(crate::DEFAULT_MAX_REQUESTS_IN_FLIGHT);
        let requests = self.inner.runtime.request_limit(format!("{}\0{config}", self.sha256()), max);
        sandbox.net = Arc::new(NetPolicy {
            requested: sandbox.net.requested.clone(),
            granted: sandbox.net.granted.clone(),
            max_response_bytes: sandbox.net.max_response_bytes,
            requests: Some(requests),
        });
        SourceInstance::start(self.clone(), sandbox, config.to_owned()).await
    }

    /// Makes a validator instance and configures it with `config` (JSON object text).
    pub async fn validator(&self, grants: &Grants, config: &str) -> Result<ValidatorInstance> {
        self.expect_kind(PluginKind::Validator)?;
        ValidatorInstance::start(self.clone(), self.sandbox(grants)?, config.to_owned()).await
    }

    /// Makes a sink instance and configures it with `config` (JSON object text).
    pub async fn sink(&self, grants: &Grants, config: &str) -> Result<SinkInstance> {
        self.expect_kind(PluginKind::Sink)?;
        SinkInstance::start(self.clone(), self.sandbox(grants)?, config.to_owned()).await
    }
}
