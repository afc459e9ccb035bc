//! Bindings of `wit/v0.1.0` (package `weir:plugin@0.1.0`) and their conversions.

use std::time::Duration;

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
            timeout: request.timeout_ms.map(|ms| Duration::from_millis(u64::from(ms))),
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
            E::RateLimited(r) => {
                Self::RateLimited { retry_after: Duration::from_millis(r.retry_after_ms), message: r.message }
            }
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
        Self { exists: i.exists, dimension: i.dimension, distance: i.distance.map(Into::into), points: i.points }
    }
}

impl From<&core::Point> for wit_sink::Point {
    fn from(p: &core::Point) -> Self {
        Self { id: p.id.clone(), vector: p.vector.clone(), payload: p.payload.clone() }
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
