use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine};

use crate::bindings;
use crate::cache::CompileCache;
use crate::error::{LoadError, Result};
use crate::inspect::inspect_bytes;
use crate::limit::RequestLimit;
use crate::plugin::Plugin;
use crate::state::HostState;

/// How often the epoch ticks; a runaway call is stopped within about this much of its deadline.
pub(crate) const EPOCH_TICK: Duration = Duration::from_millis(10);
/// The most memory any plugin instance may have, whatever its manifest asks.
pub const DEFAULT_MAX_MEMORY_MB: u32 = 1024;
/// The deepest the WebAssembly stack of a call may grow.
const MAX_WASM_STACK: usize = 1024 * 1024;

/// Host-wide settings of the plugin runtime.
#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    /// Where compiled plugins are cached; `None` disables the cache.
    pub cache_dir: Option<PathBuf>,
    /// The most memory any plugin instance may use, in MiB.
    pub max_memory_mb: u32,
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        let cache_dir = directories::ProjectDirs::from("", "", "weir").map(|d| d.cache_dir().join("wasm"));
        Self { cache_dir, max_memory_mb: DEFAULT_MAX_MEMORY_MB }
    }
}

/// One wasmtime engine with the component model, shared by every plugin of the process.
///
/// Cloning is cheap. The epoch ticker that enforces call deadlines runs while any clone lives.
#[derive(Clone)]
pub struct Runtime {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) engine: Engine,
    pub(crate) linker: Linker<HostState>,
    pub(crate) http: reqwest::Client,
    pub(crate) config: RuntimeConfig,
    cache: Option<CompileCache>,
    /// The request limits of the sources made so far, by plugin, configuration and limit: every
    /// instance of one source (a run's partitions, the pipelines that read it) shares one.
    limits: std::sync::Mutex<std::collections::HashMap<String, RequestLimit>>,
    ticker: std::thread::JoinHandle<()>,
    stop: Arc<std::sync::atomic::AtomicBool>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.ticker.thread().unpark();
    }
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime").field("config", &self.inner.config).finish_non_exhaustive()
    }
}

impl Runtime {
    /// Builds the engine and the linker with weir's host imports and a locked-down WASI.
    pub fn new(config: RuntimeConfig) -> anyhow::Result<Self> {
        let mut wasm = Config::new();
        wasm.wasm_component_model(true)
            .epoch_interruption(true)
            .max_wasm_stack(MAX_WASM_STACK)
            .cranelift_opt_level(wasmtime::OptLevel::Speed);
        // `WEIR_PERFMAP=1` names plugin functions for `perf` (a /tmp/perf-PID.map file).
        if std::env::var_os("WEIR_PERFMAP").is_some_and(|v| v == "1") {
            wasm.profiler(wasmtime::ProfilingStrategy::PerfMap);
        }
        let engine = Engine::new(&wasm)?;

        let mut linker: Linker<HostState> = Linker::new(&engine);
        // Rust's std links WASI interfaces even when a plugin never uses them; they are served
        // from a context with no files, no environment, no sockets and no inherited stdio.
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        bindings::add_host_to_linker(&mut linker)?;

        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("weir/", env!("CARGO_PKG_VERSION")))
            .build()?;

        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let ticker = {
            let engine = engine.clone();
            let stop = stop.clone();
            std::thread::Builder::new().name("weir-epoch".into()).spawn(move || {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    std::thread::park_timeout(EPOCH_TICK);
                    engine.increment_epoch();
                }
            })?
        };
        let cache = config.cache_dir.clone().map(|dir| CompileCache::new(dir, &engine));
        let limits = std::sync::Mutex::default();
        Ok(Self { inner: Arc::new(Inner { engine, linker, http, config, cache, limits, ticker, stop }) })
    }

    /// The shared request limit of the source that `key` names (its plugin and configuration),
    /// made with `max` slots on first use.
    pub(crate) fn request_limit(&self, key: String, max: usize) -> RequestLimit {
        let mut limits = self.inner.limits.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        limits.entry(format!("{key}\0{max}")).or_insert_with(|| RequestLimit::new(max)).clone()
    }

    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// Loads a plugin file: reads and checks its manifest and WIT version, then compiles it (or
    /// loads it from the compile cache) and pre-instantiates it.
    pub async fn load(&self, path: impl AsRef<Path>) -> Result<Plugin> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let bytes = tokio::fs::read(path).await.map_err(|error| LoadError::Read { path: shown.clone(), error })?;
        self.load_bytes(&shown, bytes).await
    }

    /// Like [`Runtime::load`] from bytes in memory; `name` only names them in errors.
    pub async fn load_bytes(&self, name: &str, bytes: Vec<u8>) -> Result<Plugin> {
        let info = inspect_bytes(name, &bytes)?;
        Plugin::check(&info)?;
        let this = self.clone();
        let sha = info.sha256.clone();
        let plugin_name = info.manifest.name.clone();
        let component = tokio::task::spawn_blocking(move || this.compile(&sha, &bytes))
            .await
            .map_err(|e| LoadError::Compile { plugin: plugin_name.clone(), reason: e.to_string() })?
            .map_err(|e| LoadError::Compile { plugin: plugin_name.clone(), reason: format!("{e:#}") })?;
        Ok(Plugin::new(self.clone(), info, component)?)
    }

    fn compile(&self, sha256: &str, bytes: &[u8]) -> anyhow::Result<Component> {
        let engine = &self.inner.engine;
        let Some(cache) = &self.inner.cache else {
            return Ok(Component::new(engine, bytes)?);
        };
        if let Some(component) = cache.load(engine, sha256) {
            return Ok(component);
        }
        let compiled = engine.precompile_component(bytes)?;
        cache.store(sha256, &compiled);
        // SAFETY: `compiled` was produced by this very engine just above.
        #[allow(unsafe_code)]
        let component = unsafe { Component::deserialize(engine, &compiled)? };
        Ok(component)
    }
}
