//! Generated bindings, one module per released WIT version, and the enums that dispatch each
//! call to the version a plugin speaks. Nothing outside this module sees generated types: each
//! version module converts to and from `weir_core` domain types.

use wasmtime::Store;
use wasmtime::component::InstancePre;
use weir_core as core;

use crate::state::HostState;

/// The host imports, implemented once: each version's generated `Host` trait gets the same
/// body, delegating to the version-free code in `crate::http` and `HostState`. Expanded inside
/// a version module, where `wit_types` and `wit_host` name that version's bindings.
macro_rules! shared_host_imports {
    () => {
        impl wit_types::Host for HostState {}

        impl wit_host::Host for HostState {
            async fn log(&mut self, level: wit_host::Level, message: String) -> wasmtime::Result<()> {
                crate::http::log(self, level.into(), &message);
                Ok(())
            }

            async fn http(
                &mut self,
                request: wit_host::HttpRequest,
            ) -> wasmtime::Result<Result<wit_host::HttpResponse, wit_host::HttpError>> {
                let request = crate::http::Request {
                    method: request.method.into(),
                    url: request.url,
                    headers: request.headers,
                    body: request.body,
                    idempotent: request.idempotent,
                    timeout: request.timeout_ms.map(|ms| std::time::Duration::from_millis(u64::from(ms))),
                };
                Ok(crate::http::send(self, request)
                    .await
                    .map(|r| wit_host::HttpResponse { status: r.status, headers: r.headers, body: r.body })
                    .map_err(Into::into))
            }

            async fn now_ms(&mut self) -> wasmtime::Result<u64> {
                let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
                Ok(u64::try_from(now.as_millis()).unwrap_or(u64::MAX))
            }

            async fn secret(&mut self, name: String) -> wasmtime::Result<Option<String>> {
                Ok(self.secrets.get(&name).cloned())
            }
        }
    };
}

/// Conversions of the types every version has in the same shape.
macro_rules! shared_conversions {
    () => {
        impl From<wit_host::Level> for tracing::Level {
            fn from(level: wit_host::Level) -> Self {
                match level {
                    wit_host::Level::Trace => Self::TRACE,
                    wit_host::Level::Debug => Self::DEBUG,
                    wit_host::Level::Info => Self::INFO,
                    wit_host::Level::Warn => Self::WARN,
                    wit_host::Level::Error => Self::ERROR,
                }
            }
        }

        impl From<wit_host::Method> for reqwest::Method {
            fn from(method: wit_host::Method) -> Self {
                match method {
                    wit_host::Method::Get => Self::GET,
                    wit_host::Method::Head => Self::HEAD,
                    wit_host::Method::Post => Self::POST,
                    wit_host::Method::Put => Self::PUT,
                    wit_host::Method::Patch => Self::PATCH,
                    wit_host::Method::Delete => Self::DELETE,
                }
            }
        }

        impl From<crate::http::HttpError> for wit_host::HttpError {
            fn from(error: crate::http::HttpError) -> Self {
                use crate::http::HttpError as E;
                match error {
                    E::Denied(m) => Self::Denied(m),
                    E::Invalid(m) => Self::Invalid(m),
                    E::Timeout(m) => Self::Timeout(m),
                    E::TooLarge(n) => Self::TooLarge(n),
                    E::Connect(m) => Self::Connect(m),
                }
            }
        }

        impl From<wit_types::PluginError> for core::PluginError {
            fn from(error: wit_types::PluginError) -> Self {
                use wit_types::PluginError as E;
                match error {
                    E::Config(m) => Self::Config(m),
                    E::Auth(m) => Self::Auth(m),
                    E::RateLimited(r) => Self::RateLimited {
                        retry_after: std::time::Duration::from_millis(r.retry_after_ms),
                        message: r.message,
                    },
                    E::Transient(m) => Self::Transient(m),
                    E::Permanent(m) => Self::Permanent(m),
                    E::InvalidData(m) => Self::InvalidData(m),
                }
            }
        }

        impl From<wit_types::Record> for core::Record {
            fn from(r: wit_types::Record) -> Self {
                Self { key: r.key, fields: r.fields, cursor: r.cursor }
            }
        }

        impl From<&core::Record> for wit_types::Record {
            fn from(r: &core::Record) -> Self {
                Self { key: r.key.clone(), fields: r.fields.clone(), cursor: r.cursor.clone() }
            }
        }

        impl From<wit_source::StreamInfo> for core::StreamInfo {
            fn from(s: wit_source::StreamInfo) -> Self {
                Self { name: s.name, key_field: s.key_field, cursor_field: s.cursor_field }
            }
        }

        impl From<&core::Scope> for wit_source::Scope {
            fn from(scope: &core::Scope) -> Self {
                match scope {
                    core::Scope::Full => Self::Full,
                    core::Scope::Since(at) => Self::Since(at.clone()),
                }
            }
        }

        impl From<wit_source::Page> for core::Page {
            fn from(p: wit_source::Page) -> Self {
                Self { records: p.records.into_iter().map(Into::into).collect(), state: p.state, done: p.done }
            }
        }

        impl From<wit_source::KeyPage> for core::KeyPage {
            fn from(p: wit_source::KeyPage) -> Self {
                Self { keys: p.keys, state: p.state, done: p.done }
            }
        }

        impl From<wit_validator::Verdict> for core::Verdict {
            fn from(v: wit_validator::Verdict) -> Self {
                Self {
                    violations: v
                        .violations
                        .into_iter()
                        .map(|x| core::Violation { rule: x.rule, field: x.field, message: x.message })
                        .collect(),
                }
            }
        }

        impl From<core::Distance> for wit_sink::Distance {
            fn from(d: core::Distance) -> Self {
                match d {
                    core::Distance::Cosine => Self::Cosine,
                    core::Distance::Dot => Self::Dot,
                    core::Distance::Euclid => Self::Euclid,
                    core::Distance::Manhattan => Self::Manhattan,
                }
            }
        }

        impl From<wit_sink::Distance> for core::Distance {
            fn from(d: wit_sink::Distance) -> Self {
                match d {
                    wit_sink::Distance::Cosine => Self::Cosine,
                    wit_sink::Distance::Dot => Self::Dot,
                    wit_sink::Distance::Euclid => Self::Euclid,
                    wit_sink::Distance::Manhattan => Self::Manhattan,
                }
            }
        }

        impl From<core::IndexKind> for wit_sink::IndexKind {
            fn from(k: core::IndexKind) -> Self {
                match k {
                    core::IndexKind::Keyword => Self::Keyword,
                    core::IndexKind::Integer => Self::Integer,
                    core::IndexKind::Float => Self::Float,
                    core::IndexKind::Boolean => Self::Boolean,
                    core::IndexKind::Text => Self::Text,
                    core::IndexKind::Datetime => Self::Datetime,
                    core::IndexKind::Uuid => Self::Uuid,
                }
            }
        }

        impl From<&core::PayloadUpdate> for wit_sink::PayloadUpdate {
            fn from(p: &core::PayloadUpdate) -> Self {
                Self { id: p.id.clone(), payload: p.payload.clone() }
            }
        }

        impl From<wit_sink::ScoredPoint> for core::ScoredPoint {
            fn from(p: wit_sink::ScoredPoint) -> Self {
                Self { id: p.id, score: p.score, payload: p.payload }
            }
        }
    };
}

pub(crate) mod v0_1_0;
pub(crate) mod v0_2_0;

/// A WIT contract version this build hosts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Version {
    V0_1_0,
    V0_2_0,
}

impl Version {
    /// The version a plugin exports, e.g. `0.2.0`; none for one this build does not host.
    pub(crate) fn parse(version: &str) -> Option<Self> {
        match version {
            v0_1_0::VERSION => Some(Self::V0_1_0),
            v0_2_0::VERSION => Some(Self::V0_2_0),
            _ => None,
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::V0_1_0 => v0_1_0::VERSION,
            Self::V0_2_0 => v0_2_0::VERSION,
        }
    }
}

/// What a call into a plugin gives: a trap (outer) or the plugin's own answer.
pub(crate) type Outcome<T> = wasmtime::Result<Result<T, core::PluginError>>;

fn outcome<T, W, E: Into<core::PluginError>>(
    result: wasmtime::Result<Result<W, E>>,
    convert: impl FnOnce(W) -> T,
) -> Outcome<T> {
    result.map(|r| r.map(convert).map_err(Into::into))
}

/// Runs the same body against whichever version's bindings `$self` holds; the body's `.into()`
/// conversions resolve to that version's types.
macro_rules! dispatch {
    ($self:ident, |$b:ident| $body:expr) => {
        match $self {
            Self::V0_1_0($b) => $body,
            Self::V0_2_0($b) => $body,
        }
    };
}

/// Adds the host imports of every hosted version to the linker.
pub(crate) fn add_host_to_linker(linker: &mut wasmtime::component::Linker<HostState>) -> wasmtime::Result<()> {
    v0_1_0::add_host_to_linker(linker)?;
    v0_2_0::add_host_to_linker(linker)
}

/// A pre-instantiated source, per version.
pub(crate) enum SourcePre {
    V0_1_0(v0_1_0::SourcePluginPre<HostState>),
    V0_2_0(v0_2_0::SourcePluginPre<HostState>),
}

/// A pre-instantiated validator, per version.
pub(crate) enum ValidatorPre {
    V0_1_0(v0_1_0::ValidatorPluginPre<HostState>),
    V0_2_0(v0_2_0::ValidatorPluginPre<HostState>),
}

/// A pre-instantiated sink, per version.
pub(crate) enum SinkPre {
    V0_1_0(v0_1_0::SinkPluginPre<HostState>),
    V0_2_0(v0_2_0::SinkPluginPre<HostState>),
}

/// The bindings of a live source instance.
pub(crate) enum Source {
    V0_1_0(v0_1_0::SourcePlugin),
    V0_2_0(v0_2_0::SourcePlugin),
}

/// The bindings of a live validator instance.
pub(crate) enum Validator {
    V0_1_0(v0_1_0::ValidatorPlugin),
    V0_2_0(v0_2_0::ValidatorPlugin),
}

/// The bindings of a live sink instance.
pub(crate) enum Sink {
    V0_1_0(v0_1_0::SinkPlugin),
    V0_2_0(v0_2_0::SinkPlugin),
}

macro_rules! pre_impl {
    ($pre:ident, $generated:ident, $live:ident) => {
        impl $pre {
            /// Checks that the component exports the world of `version` and prepares it.
            pub(crate) fn new(version: Version, pre: InstancePre<HostState>) -> wasmtime::Result<Self> {
                Ok(match version {
                    Version::V0_1_0 => Self::V0_1_0(v0_1_0::$generated::new(pre)?),
                    Version::V0_2_0 => Self::V0_2_0(v0_2_0::$generated::new(pre)?),
                })
            }

            pub(crate) async fn instantiate(&self, store: &mut Store<HostState>) -> wasmtime::Result<$live> {
                Ok(match self {
                    Self::V0_1_0(pre) => $live::V0_1_0(pre.instantiate_async(store).await?),
                    Self::V0_2_0(pre) => $live::V0_2_0(pre.instantiate_async(store).await?),
                })
            }
        }
    };
}

pre_impl!(SourcePre, SourcePluginPre, Source);
pre_impl!(ValidatorPre, ValidatorPluginPre, Validator);
pre_impl!(SinkPre, SinkPluginPre, Sink);

impl Source {
    pub(crate) async fn configure(&self, store: &mut Store<HostState>, config: &str) -> Outcome<()> {
        dispatch!(self, |b| outcome(b.weir_plugin_source().call_configure(store, &config.to_owned()).await, |()| ()))
    }

    pub(crate) async fn streams(&self, store: &mut Store<HostState>) -> Outcome<Vec<core::StreamInfo>> {
        dispatch!(self, |b| outcome(b.weir_plugin_source().call_streams(store).await, |s| s
            .into_iter()
            .map(Into::into)
            .collect()))
    }

    /// 0.1.0 has no partitions: its sources read a stream as one, from no state.
    pub(crate) async fn partitions(
        &self,
        store: &mut Store<HostState>,
        stream: &str,
        scope: &core::SplitScope,
        max: u32,
    ) -> Outcome<Vec<core::Partition>> {
        match self {
            Self::V0_1_0(_) => Ok(Ok(vec![core::Partition::whole()])),
            Self::V0_2_0(b) => {
                outcome(b.weir_plugin_source().call_partitions(store, stream, &scope.into(), max).await, |parts| {
                    parts.into_iter().map(Into::into).collect()
                })
            }
        }
    }

    pub(crate) async fn read(
        &self,
        store: &mut Store<HostState>,
        stream: &str,
        scope: &core::Scope,
        state: Option<&str>,
        max: u32,
    ) -> Outcome<core::Page> {
        dispatch!(self, |b| outcome(
            b.weir_plugin_source().call_read(store, stream, &scope.into(), state, max).await,
            Into::into
        ))
    }

    pub(crate) async fn list_keys(
        &self,
        store: &mut Store<HostState>,
        stream: &str,
        state: Option<&str>,
        max: u32,
    ) -> Outcome<core::KeyPage> {
        dispatch!(self, |b| outcome(b.weir_plugin_source().call_list_keys(store, stream, state, max).await, Into::into))
    }

    pub(crate) async fn count(&self, store: &mut Store<HostState>, stream: &str) -> Outcome<Option<u64>> {
        dispatch!(self, |b| outcome(b.weir_plugin_source().call_count(store, stream).await, |n| n))
    }
}

impl Validator {
    pub(crate) async fn configure(&self, store: &mut Store<HostState>, config: &str) -> Outcome<()> {
        dispatch!(self, |b| outcome(b.weir_plugin_validator().call_configure(store, &config.to_owned()).await, |()| ()))
    }

    pub(crate) async fn validate(
        &self,
        store: &mut Store<HostState>,
        stream: &str,
        records: &[core::Record],
    ) -> Outcome<Vec<core::Verdict>> {
        dispatch!(self, |b| {
            let records: Vec<_> = records.iter().map(Into::into).collect();
            outcome(b.weir_plugin_validator().call_validate(store, stream, &records).await, |v| {
                v.into_iter().map(Into::into).collect()
            })
        })
    }
}

impl Sink {
    pub(crate) async fn configure(&self, store: &mut Store<HostState>, config: &str) -> Outcome<()> {
        dispatch!(self, |b| outcome(b.weir_plugin_sink().call_configure(store, &config.to_owned()).await, |()| ()))
    }

    pub(crate) async fn describe(
        &self,
        store: &mut Store<HostState>,
        collection: &str,
    ) -> Outcome<core::CollectionInfo> {
        dispatch!(self, |b| outcome(b.weir_plugin_sink().call_describe(store, collection).await, Into::into))
    }

    /// The caller refuses a lexical spec for 0.1.0 first; 0.1.0 would drop the setting.
    pub(crate) async fn prepare(
        &self,
        store: &mut Store<HostState>,
        spec: &core::CollectionSpec,
    ) -> Outcome<core::CollectionInfo> {
        dispatch!(self, |b| outcome(b.weir_plugin_sink().call_prepare(store, &spec.into()).await, Into::into))
    }

    /// The caller refuses sparse vectors for 0.1.0 first; 0.1.0 would drop them.
    pub(crate) async fn upsert(
        &self,
        store: &mut Store<HostState>,
        collection: &str,
        points: &[core::Point],
    ) -> Outcome<()> {
        dispatch!(self, |b| {
            let points: Vec<_> = points.iter().map(Into::into).collect();
            outcome(b.weir_plugin_sink().call_upsert(store, collection, &points).await, |()| ())
        })
    }

    pub(crate) async fn set_payload(
        &self,
        store: &mut Store<HostState>,
        collection: &str,
        updates: &[core::PayloadUpdate],
    ) -> Outcome<()> {
        dispatch!(self, |b| {
            let updates: Vec<_> = updates.iter().map(Into::into).collect();
            outcome(b.weir_plugin_sink().call_set_payload(store, collection, &updates).await, |()| ())
        })
    }

    pub(crate) async fn delete(&self, store: &mut Store<HostState>, collection: &str, ids: &[String]) -> Outcome<()> {
        dispatch!(self, |b| outcome(b.weir_plugin_sink().call_delete(store, collection, ids).await, |()| ()))
    }

    pub(crate) async fn count(&self, store: &mut Store<HostState>, collection: &str) -> Outcome<u64> {
        dispatch!(self, |b| outcome(b.weir_plugin_sink().call_count(store, collection).await, |n| n))
    }

    /// A 0.1.0 sink answers dense queries only; the caller refuses the others first, and a
    /// query without a dense vector reaching it here is answered with a config error.
    pub(crate) async fn query(
        &self,
        store: &mut Store<HostState>,
        collection: &str,
        query: &core::Query,
    ) -> Outcome<Vec<core::ScoredPoint>> {
        match self {
            Self::V0_1_0(b) => match (&query.vector, &query.sparse) {
                (Some(vector), None) => outcome(
                    b.weir_plugin_sink().call_query(store, collection, vector, query.k, query.filter.as_ref()).await,
                    |hits| hits.into_iter().map(Into::into).collect(),
                ),
                _ => Ok(Err(core::PluginError::Config("weir:plugin@0.1.0 sinks answer dense queries only".to_owned()))),
            },
            Self::V0_2_0(b) => {
                outcome(b.weir_plugin_sink().call_query(store, collection, &query.into()).await, |hits| {
                    hits.into_iter().map(Into::into).collect()
                })
            }
        }
    }

    pub(crate) async fn switch_alias(
        &self,
        store: &mut Store<HostState>,
        alias: &str,
        collection: &str,
    ) -> Outcome<()> {
        dispatch!(self, |b| outcome(b.weir_plugin_sink().call_switch_alias(store, alias, collection).await, |()| ()))
    }

    pub(crate) async fn drop_collection(&self, store: &mut Store<HostState>, collection: &str) -> Outcome<()> {
        dispatch!(self, |b| outcome(b.weir_plugin_sink().call_drop_collection(store, collection).await, |()| ()))
    }
}
