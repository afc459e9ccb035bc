//! Instances of plugins: one store each, calls with deadlines, and a fresh instance after any
//! failure that may have left the old one in a bad state.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use wasmtime::{Store, Trap, UpdateDeadline};
use weir_core::{
    CollectionInfo, CollectionSpec, KeyPage, Page, PayloadUpdate, PluginError, Point, Record, Scope, ScoredPoint,
    StreamInfo, Verdict,
};

use crate::bindings::v0_1_0::{SinkPlugin, SourcePlugin, ValidatorPlugin, wit_types};
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

type CallResult<T> =
    std::result::Result<wasmtime::Result<std::result::Result<T, wit_types::PluginError>>, tokio::time::error::Elapsed>;

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
                let error = redact_error(&self.sandbox, error.into());
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
    ($ty:ident, $variant:ident, $iface:ident) => {
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
                tokio::time::timeout(self.core.sandbox.call_timeout + ABANDON_GRACE, pre.instantiate_async(&mut store))
                    .await;
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
                    tokio::time::timeout(
                        timeout + ABANDON_GRACE,
                        slot.bindings.$iface().call_configure(&mut slot.store, &config),
                    )
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
    core: Core<SourcePlugin>,
}

impl SourceInstance {
    ensure_impl!(SourceInstance, Source, weir_plugin_source);

    pub async fn streams(&mut self) -> Result<Vec<StreamInfo>> {
        let streams = call!(self, "streams", |store, b| b.weir_plugin_source().call_streams(store))?;
        Ok(streams.into_iter().map(Into::into).collect())
    }

    /// Reads up to `max` records of `stream` from `state` (none at the start).
    pub async fn read(&mut self, stream: &str, scope: &Scope, state: Option<&str>, max: u32) -> Result<Page> {
        let scope = scope.into();
        let page: Page =
            call!(self, "read", |store, b| b.weir_plugin_source().call_read(store, stream, &scope, state, max))?.into();
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
        Ok(call!(self, "list-keys", |store, b| b.weir_plugin_source().call_list_keys(store, stream, state, max))?
            .into())
    }

    pub async fn count(&mut self, stream: &str) -> Result<Option<u64>> {
        call!(self, "count", |store, b| b.weir_plugin_source().call_count(store, stream))
    }
}

/// An instance of a validator plugin.
pub struct ValidatorInstance {
    core: Core<ValidatorPlugin>,
}

impl ValidatorInstance {
    ensure_impl!(ValidatorInstance, Validator, weir_plugin_validator);

    /// Returns one verdict per record, in order.
    pub async fn validate(&mut self, stream: &str, records: &[Record]) -> Result<Vec<Verdict>> {
        let wit: Vec<wit_types::Record> = records.iter().map(Into::into).collect();
        let verdicts =
            call!(self, "validate", |store, b| b.weir_plugin_validator().call_validate(store, stream, &wit))?;
        if verdicts.len() != records.len() {
            return Err(Error::Contract {
                plugin: self.core.plugin.name().to_owned(),
                call: "validate",
                reason: format!("returned {} verdicts for {} records", verdicts.len(), records.len()),
            });
        }
        Ok(verdicts.into_iter().map(Into::into).collect())
    }
}

/// An instance of a sink plugin.
pub struct SinkInstance {
    core: Core<SinkPlugin>,
}

impl SinkInstance {
    ensure_impl!(SinkInstance, Sink, weir_plugin_sink);

    pub async fn describe(&mut self, collection: &str) -> Result<CollectionInfo> {
        Ok(call!(self, "describe", |store, b| b.weir_plugin_sink().call_describe(store, collection))?.into())
    }

    pub async fn prepare(&mut self, spec: &CollectionSpec) -> Result<CollectionInfo> {
        let spec = spec.into();
        Ok(call!(self, "prepare", |store, b| b.weir_plugin_sink().call_prepare(store, &spec))?.into())
    }

    pub async fn upsert(&mut self, collection: &str, points: &[Point]) -> Result<()> {
        let points: Vec<_> = points.iter().map(Into::into).collect();
        call!(self, "upsert", |store, b| b.weir_plugin_sink().call_upsert(store, collection, &points))
    }

    pub async fn set_payload(&mut self, collection: &str, updates: &[PayloadUpdate]) -> Result<()> {
        let updates: Vec<_> = updates.iter().map(Into::into).collect();
        call!(self, "set-payload", |store, b| b.weir_plugin_sink().call_set_payload(store, collection, &updates))
    }

    pub async fn delete(&mut self, collection: &str, ids: &[String]) -> Result<()> {
        call!(self, "delete", |store, b| b.weir_plugin_sink().call_delete(store, collection, ids))
    }

    pub async fn count(&mut self, collection: &str) -> Result<u64> {
        call!(self, "count", |store, b| b.weir_plugin_sink().call_count(store, collection))
    }

    pub async fn query(
        &mut self,
        collection: &str,
        vector: &[f32],
        k: u32,
        filter: Option<&str>,
    ) -> Result<Vec<ScoredPoint>> {
        let filter = filter.map(str::to_owned);
        let points = call!(self, "query", |store, b| b.weir_plugin_sink().call_query(
            store,
            collection,
            vector,
            k,
            filter.as_ref()
        ))?;
        Ok(points.into_iter().map(Into::into).collect())
    }

    pub async fn switch_alias(&mut self, alias: &str, collection: &str) -> Result<()> {
        call!(self, "switch-alias", |store, b| b.weir_plugin_sink().call_switch_alias(store, alias, collection))
    }

    pub async fn drop_collection(&mut self, collection: &str) -> Result<()> {
        call!(self, "drop-collection", |store, b| b.weir_plugin_sink().call_drop_collection(store, collection))
    }
}

impl From<LoadError> for Box<Error> {
    fn from(e: LoadError) -> Self {
        Box::new(Error::Load(e))
    }
}
