//! Instances of plugins: one store each, calls with deadlines, and a fresh instance after any
//! failure that may have left the old one in a bad state.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use wasmtime::{Store, Trap, UpdateDeadline};
use weir_core::{
    CollectionInfo, CollectionSpec, KeyPage, Page, Partition, PayloadUpdate, PluginError, Point, Query, Record, Scope,
    ScoredPoint, SplitScope, StreamInfo, Verdict,
};

use crate::bindings::{self, Outcome, Version};
use crate::error::{Error, LoadError, Result};
use crate::plugin::{Plugin, Pre, Sandbox};
use crate::state::{HostState, redact};

/// Extra time past a call's deadline before the host abandons a call stuck in a host import.
const ABANDON_GRACE: Duration = Duration::from_millis(500);

/// A live instance: its store and its bindings.
struct Slot<B> {
    store: Store<HostState>,
    bindings: B,
}

/// What instances of all kinds share: the plugin, the sandbox, the configuration, and the slot.
struct Core<B> {
    plugin: Plugin,
    sandbox: Sandbox,
    config: String,
    slot: Option<Slot<B>>,
}

type CallResult<T> = std::result::Result<Outcome<T>, tokio::time::error::Elapsed>;

impl<B> Core<B> {
    fn new_store(&self) -> Store<HostState> {
        let inner = &self.plugin.inner;
        let state = HostState::new(
            Arc::from(self.plugin.name()),
            self.sandbox.memory_mb as usize * 1024 * 1024,
            self.sandbox.net.clone(),
            inner.runtime.inner.http.clone(),
            self.sandbox.secrets.clone(),
            inner.stats.clone(),
            &self.sandbox.dirs,
        );
        let mut store = Store::new(&inner.runtime.inner.engine, state);
        store.limiter(|s| &mut s.memory);
        // Checked on every epoch tick: past the deadline the guest traps, before it the guest
        // yields so that other tasks on the thread keep running.
        store.epoch_deadline_callback(|ctx| {
            Ok(match ctx.data().deadline {
                Some(deadline) if Instant::now() >= deadline => UpdateDeadline::Interrupt,
                _ => UpdateDeadline::Yield(1),
            })
        });
        store.set_epoch_deadline(1);
        store
    }

    /// Turns the outcome of one call into a result, retiring the instance after a trap or timeout.
    fn finish<T>(&mut self, call: &'static str, started: Instant, result: CallResult<T>) -> Result<T> {
        let stats = &self.plugin.inner.stats;
        stats.calls.fetch_add(1, Ordering::Relaxed);
        stats.busy_nanos.fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
        let plugin = self.plugin.name().to_owned();
        match result {
            Ok(Ok(Ok(value))) => {
                if let Some(slot) = &mut self.slot {
                    slot.store.data_mut().deadline = None;
                }
                Ok(value)
            }
            Ok(Ok(Err(error))) => {
                if let Some(slot) = &mut self.slot {
                    slot.store.data_mut().deadline = None;
                }
                let error = redact_error(&self.sandbox, error);
                Err(Error::Plugin { plugin, call, error })
            }
            Err(_elapsed) => {
                self.slot = None;
                stats.timeouts.fetch_add(1, Ordering::Relaxed);
                Err(Error::Timeout { plugin, call, after: self.sandbox.call_timeout })
            }
            Ok(Err(trap)) => {
                let slot = self.slot.take();
                let (memory_hit, stderr) = match &slot {
                    Some(s) => (s.store.data().memory.hit, s.store.data().stderr.take_text()),
                    None => (false, String::new()),
                };
                let stderr = redact(&self.sandbox.secrets, &stderr);
                let last_line = last_words(&stderr);
                match trap.downcast_ref::<Trap>() {
                    Some(Trap::Interrupt) => {
                        stats.timeouts.fetch_add(1, Ordering::Relaxed);
                        return Err(Error::Timeout { plugin, call, after: self.sandbox.call_timeout });
                    }
                    _ if memory_hit => {
                        stats.traps.fetch_add(1, Ordering::Relaxed);
                        let detail = if last_line.is_empty() { String::new() } else { format!(" ({last_line})") };
                        return Err(Error::MemoryLimit { plugin, call, limit_mb: self.sandbox.memory_mb, detail });
                    }
                    _ => {}
                }
                stats.traps.fetch_add(1, Ordering::Relaxed);
                let reason = match trap.downcast_ref::<Trap>() {
                    Some(Trap::StackOverflow) => "stack overflow (unbounded recursion?)".to_owned(),
                    // Rust guests keep their stack in linear memory; running off its start is
                    // the usual cause of this trap.
                    Some(Trap::MemoryOutOfBounds) if last_line.is_empty() => {
                        "out of bounds memory access (most likely a stack overflow from deep recursion)".to_owned()
                    }
                    Some(t) if !last_line.is_empty() => format!("{last_line} ({t})"),
                    Some(t) => t.to_string(),
                    None if !last_line.is_empty() => format!("{last_line} ({trap})"),
                    None => redact(&self.sandbox.secrets, &format!("{trap:#}")),
                };
                Err(Error::Trap { plugin, call, reason })
            }
        }
    }
}

/// What a crashed guest last said on stderr: a panic's location and message, without the
/// standard library's hints.
fn last_words(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with("note:")).collect();
    match lines.iter().rposition(|l| l.contains("panicked at")) {
        Some(i) => lines[i..].iter().take(3).copied().collect::<Vec<_>>().join(" "),
        None => lines.last().copied().unwrap_or_default().to_owned(),
    }
}

fn redact_error(sandbox: &Sandbox, error: PluginError) -> PluginError {
    let r = |m: String| redact(&sandbox.secrets, &m);
    match error {
        PluginError::Config(m) => PluginError::Config(r(m)),
        PluginError::Auth(m) => PluginError::Auth(r(m)),
        PluginError::RateLimited { retry_after, message } => {
            PluginError::RateLimited { retry_after, message: r(message) }
        }
        PluginError::Transient(m) => PluginError::Transient(r(m)),
        PluginError::Permanent(m) => PluginError::Permanent(r(m)),
        PluginError::InvalidData(m) => PluginError::InvalidData(r(m)),
        other => other,
    }
}

/// Runs one call on the instance, creating (and configuring) a fresh instance first if needed.
macro_rules! call {
    ($self:ident, $name:literal, |$store:ident, $b:ident| $body:expr) => {{
        $self.ensure().await?;
        let started = Instant::now();
        let timeout = $self.core.sandbox.call_timeout;
        let result = match $self.core.slot.as_mut() {
            Some(slot) => {
                slot.store.data_mut().deadline = Some(started + timeout);
                let $store = &mut slot.store;
                let $b = &slot.bindings;
                tokio::time::timeout(timeout + ABANDON_GRACE, $body).await
            }
            None => {
                return Err(Error::Host { plugin: $self.core.plugin.name().to_owned(), reason: "no instance".into() });
            }
        };
        $self.core.finish($name, started, result)
    }};
}

/// Creates the instance if there is none, and configures it.
macro_rules! ensure_impl {
    ($ty:ident, $variant:ident) => {
        async fn ensure(&mut self) -> Result<()> {
            if self.core.slot.is_some() {
                return Ok(());
            }
            let Pre::$variant(pre) = &self.core.plugin.inner.pre else {
                return Err(Error::Host {
                    plugin: self.core.plugin.name().to_owned(),
                    reason: "wrong plugin kind".into(),
                });
            };
            let mut store = self.core.new_store();
            let started = Instant::now();
            store.data_mut().deadline = Some(started + self.core.sandbox.call_timeout);
            let instantiated =
                tokio::time::timeout(self.core.sandbox.call_timeout + ABANDON_GRACE, pre.instantiate(&mut store)).await;
            let bindings = match instantiated {
                Ok(Ok(bindings)) => bindings,
                Ok(Err(e)) => {
                    let plugin = self.core.plugin.name().to_owned();
                    return Err(Error::Trap { plugin, call: "instantiate", reason: format!("{e:#}") });
                }
                Err(_) => {
                    let plugin = self.core.plugin.name().to_owned();
                    return Err(Error::Timeout { plugin, call: "instantiate", after: self.core.sandbox.call_timeout });
                }
            };
            self.core.slot = Some(Slot { store, bindings });
            let config = self.core.config.clone();
            let result = match self.core.slot.as_mut() {
                Some(slot) => {
                    let timeout = self.core.sandbox.call_timeout;
                    tokio::time::timeout(timeout + ABANDON_GRACE, slot.bindings.configure(&mut slot.store, &config))
                        .await
                }
                None => unreachable_slot(),
            };
            let configured = self.core.finish("configure", started, result);
            if configured.is_err() {
                self.core.slot = None;
            }
            configured
        }

        /// The plugin this instance runs.
        pub fn plugin(&self) -> &Plugin {
            &self.core.plugin
        }

        /// Makes a new, independent instance of the same plugin with the same configuration.
        pub async fn fork(&self) -> Result<$ty> {
            let sandbox = Sandbox {
                net: self.core.sandbox.net.clone(),
                secrets: self.core.sandbox.secrets.clone(),
                memory_mb: self.core.sandbox.memory_mb,
                call_timeout: self.core.sandbox.call_timeout,
                dirs: self.core.sandbox.dirs.clone(),
            };
            $ty::start(self.core.plugin.clone(), sandbox, self.core.config.clone()).await
        }

        pub(crate) async fn start(plugin: Plugin, sandbox: Sandbox, config: String) -> Result<Self> {
            let mut this = Self { core: Core { plugin, sandbox, config, slot: None } };
            this.ensure().await?;
            Ok(this)
        }
    };
}

fn unreachable_slot<T>() -> CallResult<T> {
    Ok(Err(wasmtime::Error::msg("instance vanished during configure")))
}

/// An instance of a source plugin.
pub struct SourceInstance {
    core: Core<bindings::Source>,
}

impl SourceInstance {
    ensure_impl!(SourceInstance, Source);

    /// The limit of requests in flight this instance shares with every instance of its source.
    pub fn request_limit(&self) -> Option<&crate::RequestLimit> {
        self.core.sandbox.net.requests.as_ref()
    }

    pub async fn streams(&mut self) -> Result<Vec<StreamInfo>> {
        call!(self, "streams", |store, b| b.streams(store))
    }

    /// Splits `stream` into at most `max` partitions that together cover `scope` once, to be
    /// read independently, each from its own state. A source that cannot split (every
    /// weir:plugin@0.1.0 source among them) answers one partition, `state: None`.
    pub async fn partitions(&mut self, stream: &str, scope: &SplitScope, max: u32) -> Result<Vec<Partition>> {
        let max = max.max(1);
        let parts = call!(self, "partitions", |store, b| b.partitions(store, stream, scope, max))?;
        if parts.is_empty() || parts.len() > max as usize {
            return Err(Error::Contract {
                plugin: self.core.plugin.name().to_owned(),
                call: "partitions",
                reason: format!("returned {} partitions; between 1 and {max} were asked for", parts.len()),
            });
        }
        Ok(parts)
    }

    /// Reads up to `max` records of `stream` from `state` (none at the start).
    pub async fn read(&mut self, stream: &str, scope: &Scope, state: Option<&str>, max: u32) -> Result<Page> {
        let page = call!(self, "read", |store, b| b.read(store, stream, scope, state, max))?;
        if page.records.len() > max as usize {
            return Err(Error::Contract {
                plugin: self.core.plugin.name().to_owned(),
                call: "read",
                reason: format!("returned {} records, more than the {max} asked for", page.records.len()),
            });
        }
        Ok(page)
    }

    pub async fn list_keys(&mut self, stream: &str, state: Option<&str>, max: u32) -> Result<KeyPage> {
        call!(self, "list-keys", |store, b| b.list_keys(store, stream, state, max))
    }

    pub async fn count(&mut self, stream: &str) -> Result<Option<u64>> {
        call!(self, "count", |store, b| b.count(store, stream))
    }
}

/// An instance of a validator plugin.
pub struct ValidatorInstance {
    core: Core<bindings::Validator>,
}

impl ValidatorInstance {
    ensure_impl!(ValidatorInstance, Validator);

    /// Returns one verdict per record, in order.
    pub async fn validate(&mut self, stream: &str, records: &[Record]) -> Result<Vec<Verdict>> {
        let verdicts = call!(self, "validate", |store, b| b.validate(store, stream, records))?;
        if verdicts.len() != records.len() {
            return Err(Error::Contract {
                plugin: self.core.plugin.name().to_owned(),
                call: "validate",
                reason: format!("returned {} verdicts for {} records", verdicts.len(), records.len()),
            });
        }
        Ok(verdicts)
    }
}

/// An instance of a sink plugin.
pub struct SinkInstance {
    core: Core<bindings::Sink>,
}

impl SinkInstance {
    ensure_impl!(SinkInstance, Sink);

    pub async fn describe(&mut self, collection: &str) -> Result<CollectionInfo> {
        call!(self, "describe", |store, b| b.describe(store, collection))
    }

    /// Creates the collection if missing. A hybrid spec (`lexical: Some`) needs a sink of
    /// weir:plugin@0.2.0 or later; an older one is refused with a config error before the call.
    pub async fn prepare(&mut self, spec: &CollectionSpec) -> Result<CollectionInfo> {
        if spec.lexical.is_some() {
            self.needs(Version::V0_2_0, "prepare", "lexical vectors (hybrid collections)")?;
        }
        call!(self, "prepare", |store, b| b.prepare(store, spec))
    }

    /// Writes points. A sparse vector is never dropped: a sink older than weir:plugin@0.2.0 is
    /// refused, and a sparse vector whose indices are unsorted, repeated or unmatched by values
    /// is a host error, caught before the sink sees it.
    pub async fn upsert(&mut self, collection: &str, points: &[Point]) -> Result<()> {
        if points.iter().any(|p| p.sparse.is_some()) {
            self.needs(Version::V0_2_0, "upsert", "sparse vectors")?;
            if let Some((id, defect)) =
                points.iter().find_map(|p| p.sparse.as_ref().and_then(|s| s.defect()).map(|d| (&p.id, d)))
            {
                return Err(Error::Host {
                    plugin: self.core.plugin.name().to_owned(),
                    reason: format!("the sparse vector of point {id} breaks the contract: {defect}"),
                });
            }
        }
        call!(self, "upsert", |store, b| b.upsert(store, collection, points))
    }

    pub async fn set_payload(&mut self, collection: &str, updates: &[PayloadUpdate]) -> Result<()> {
        call!(self, "set-payload", |store, b| b.set_payload(store, collection, updates))
    }

    pub async fn delete(&mut self, collection: &str, ids: &[String]) -> Result<()> {
        call!(self, "delete", |store, b| b.delete(store, collection, ids))
    }

    pub async fn count(&mut self, collection: &str) -> Result<u64> {
        call!(self, "count", |store, b| b.count(store, collection))
    }

    /// The `k` nearest points to a dense vector, optionally filtered by a JSON object of
    /// `field: value` pairs. Every sink version answers it.
    pub async fn query(
        &mut self,
        collection: &str,
        vector: &[f32],
        k: u32,
        filter: Option<&str>,
    ) -> Result<Vec<ScoredPoint>> {
        let query = Query::dense(vector.to_vec(), k).with_filter(filter.map(str::to_owned));
        self.search(collection, &query).await
    }

    /// Searches a collection: dense, sparse, both fused, or filter only. A weir:plugin@0.1.0
    /// sink answers dense queries only; the others are refused with a config error naming the
    /// plugin and its version, before any call.
    pub async fn search(&mut self, collection: &str, query: &Query) -> Result<Vec<ScoredPoint>> {
        match (&query.vector, &query.sparse) {
            (Some(_), None) => {}
            (_, Some(_)) => self.needs(Version::V0_2_0, "query", "sparse or hybrid queries")?,
            (None, None) => self.needs(Version::V0_2_0, "query", "filter-only queries")?,
        }
        if let Some(defect) = query.sparse.as_ref().and_then(|s| s.defect()) {
            return Err(Error::Host {
                plugin: self.core.plugin.name().to_owned(),
                reason: format!("the sparse query vector breaks the contract: {defect}"),
            });
        }
        call!(self, "query", |store, b| b.query(store, collection, query))
    }

    pub async fn switch_alias(&mut self, alias: &str, collection: &str) -> Result<()> {
        call!(self, "switch-alias", |store, b| b.switch_alias(store, alias, collection))
    }

    pub async fn drop_collection(&mut self, collection: &str) -> Result<()> {
        call!(self, "drop-collection", |store, b| b.drop_collection(store, collection))
    }

    /// Refuses what the plugin's WIT version cannot carry, so that nothing is silently dropped.
    fn needs(&self, version: Version, call: &'static str, what: &str) -> Result<()> {
        let plugin = &self.core.plugin;
        if plugin.inner.version >= version {
            return Ok(());
        }
        let name = plugin.name();
        let has = plugin.wit_version();
        Err(Error::Plugin {
            plugin: name.to_owned(),
            call,
            error: PluginError::Config(format!(
                "{name} speaks weir:plugin@{has}, which has no {what}; rebuild it against {}",
                version.as_str()
            )),
        })
    }
}

impl From<LoadError> for Box<Error> {
    fn from(e: LoadError) -> Self {
        Box::new(Error::Load(e))
    }
}
