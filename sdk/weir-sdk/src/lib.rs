//! weir-sdk: write weir connectors (sources, validators, sinks) as WebAssembly components.
//!
//! A plugin crate depends on `weir-sdk` only, implements one of [`Source`], [`Validator`] or
//! [`Sink`], and calls the matching export macro once. The macro reads the crate's
//! `plugin.toml`, refuses a manifest that does not fit at compile time, binds the plugin's WIT
//! world and embeds the manifest into the `.wasm` file, where the host reads it.
//!
//! ```ignore
//! use weir_sdk::{Page, Record, Result, Scope, Source, StreamInfo};
//!
//! #[derive(serde::Deserialize)]
//! #[serde(deny_unknown_fields)]
//! struct Config { base_url: String }
//!
//! struct Shop { config: Config }
//!
//! impl Source for Shop {
//!     type Config = Config;
//!     fn configure(config: Config) -> Result<Self> { Ok(Shop { config }) }
//!     fn streams(&self) -> Result<Vec<StreamInfo>> { Ok(vec![StreamInfo::new("products", "id")]) }
//!     fn read(&mut self, _stream: &str, _scope: Scope, _state: Option<String>, _max: u32) -> Result<Page> {
//!         let body: serde_json::Value = weir_sdk::http::Request::get(&self.config.base_url).send()?.json()?;
//!         Ok(Page::last(vec![Record::from_fields("1", &body)?], "end"))
//!     }
//! }
//!
//! weir_sdk::export_source!(Shop);
//! ```
//!
//! Build with `cargo build --release --target wasm32-wasip2`. Native builds (`cargo test`)
//! compile the same code without the WebAssembly glue, so pure logic is unit-tested as usual;
//! there the host imports are stand-ins: no secrets, no HTTP, logs go to stderr.
//!
//! Besides the traits: [`http`] and [`log`] reach the host, and [`date::Instant`] reads the ISO
//! and Czech dates business systems write into the RFC 3339 instants the host compares.

pub mod date;
mod error;
mod host;
pub mod http;
pub mod log;
mod plugin;
mod types;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

use serde::{Deserialize, de::DeserializeOwned};

pub use error::{Error, Result};
pub use host::{now_ms, secret};
pub use plugin::{Sink, Source, Validator};
pub use types::{
    CollectionInfo, CollectionSpec, Distance, Fusion, IndexKind, Json, KeyPage, Page, Partition, PayloadIndex,
    PayloadUpdate, Point, Query, Record, Scope, ScoredPoint, SparseVector, SplitScope, StreamInfo, Verdict, Violation,
};

/// JSON helpers: `serde_json`, re-exported.
pub use serde_json as json;

/// Exports a [`Source`] implementation as the plugin's `weir:plugin/source` world. Call it once,
/// at the crate root, with the type: `weir_sdk::export_source!(MySource);`. The crate's
/// `plugin.toml` must say `kind = "source"` and `wit = "0.2.0"`.
pub use weir_sdk_macros::export_source;

/// Exports a [`Validator`] implementation as the plugin's `weir:plugin/validator` world. The
/// crate's `plugin.toml` must say `kind = "validator"`.
pub use weir_sdk_macros::export_validator;

/// Exports a [`Sink`] implementation as the plugin's `weir:plugin/sink` world. The crate's
/// `plugin.toml` must say `kind = "sink"`.
pub use weir_sdk_macros::export_sink;

/// The WIT contract version this SDK builds plugins against (`weir:plugin@0.2.0`). Plugins built
/// with it run on every weir that hosts this version; the host still runs plugins
/// built against older versions.
pub const WIT_VERSION: &str = "0.2.0";

/// Parses a plugin configuration from JSON text, as the SDK does before `configure`. Any
/// mismatch is [`Error::Config`], naming the unknown or missing key when serde can. An empty
/// text is an empty object.
pub fn parse_config<C: DeserializeOwned>(json: &str) -> Result<C> {
    let json = if json.trim().is_empty() { "{}" } else { json };
    serde_json::from_str(json).map_err(|e| Error::config(format_args!("invalid configuration: {e}")))
}

/// A configuration for plugins that take none: it accepts `{}` and refuses any key.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoConfig {}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Config {
        records: u64,
        #[serde(default)]
        size: usize,
    }

    #[test]
    fn config_errors_are_config_errors_that_name_the_key() {
        let err = parse_config::<Config>(r#"{"records": 3, "sise": 10}"#).unwrap_err();
        assert!(
            matches!(&err, Error::Config(m) if m.contains("unknown field `sise`") && m.contains("`size`")),
            "{err}"
        );
        let err = parse_config::<Config>(r#"{"size": 10}"#).unwrap_err();
        assert!(matches!(&err, Error::Config(m) if m.contains("missing field `records`")), "{err}");
        let err = parse_config::<Config>(r#"{"records": "many"}"#).unwrap_err();
        assert!(matches!(&err, Error::Config(m) if m.contains("invalid type")), "{err}");
        assert_eq!(parse_config::<Config>(r#"{"records": 3}"#).unwrap().records, 3);
        assert_eq!(parse_config::<NoConfig>("  ").unwrap(), NoConfig {});
        assert!(parse_config::<NoConfig>(r#"{"x": 1}"#).is_err());
    }

    #[test]
    fn native_host_stand_ins_are_harmless() {
        assert_eq!(secret("api_key"), None);
        assert!(now_ms() > 1_600_000_000_000);
        log::info!("logging natively works: {}", 1);
    }
}
