//! What the export macros expand to needs: the bindings of the host imports, conversions
//! between generated and SDK types, and the per-instance plugin slot. Not part of the API.

use std::cell::RefCell;
use std::thread::LocalKey;

use serde::de::DeserializeOwned;

pub use wit_bindgen;

use crate::error::{Error, Result};
use crate::plugin::Validator;
use crate::types::{Record, Verdict};

/// Bindings of the `imports` world (the shared types and the host interface), generated once
/// here; each plugin's own world reuses them through `with`.
#[allow(unsafe_code, dead_code, missing_docs, clippy::all, clippy::pedantic)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../../wit/v0.2.0",
        world: "weir:plugin/imports",
        generate_unused_types: true,
    });
}

use bindings::weir::plugin::types as wit;

pub type WitError = wit::PluginError;
pub type WitRecord = wit::Record;

/// Where the macro-generated glue keeps the plugin instance: a thread-local slot filled by
/// `configure`.
pub type Slot<T> = LocalKey<RefCell<Option<T>>>;

/// Parses the configuration and builds the plugin into `slot`, replacing any earlier one.
pub fn configure<T, C: DeserializeOwned>(
    slot: &'static Slot<T>,
    config: &str,
    build: impl FnOnce(C) -> Result<T>,
) -> Result<(), WitError> {
    let plugin = crate::parse_config::<C>(config).and_then(build)?;
    slot.with(|s| *s.borrow_mut() = Some(plugin));
    Ok(())
}

/// Runs `f` on the configured plugin; before `configure` the call fails with a config error.
pub fn call<T, R>(slot: &'static Slot<T>, f: impl FnOnce(&mut T) -> Result<R>) -> Result<R, WitError> {
    slot.with(|s| match s.borrow_mut().as_mut() {
        Some(plugin) => f(plugin),
        None => Err(Error::config("not configured: the host must call configure first")),
    })
    .map_err(WitError::from)
}

/// Validates a batch and checks that the plugin kept the one-verdict-per-record promise.
pub fn validate<T: Validator>(
    slot: &'static Slot<T>,
    stream: &str,
    records: Vec<WitRecord>,
) -> Result<Vec<Verdict>, WitError> {
    let records: Vec<Record> = records.into_iter().map(Record::from).collect();
    call(slot, |plugin| {
        let verdicts = plugin.validate(stream, &records)?;
        if verdicts.len() != records.len() {
            return Err(Error::permanent(format!(
                "validator returned {} verdicts for {} records",
                verdicts.len(),
                records.len()
            )));
        }
        Ok(verdicts)
    })
}

/// The error a sink without [`Sink::LEXICAL`](crate::Sink::LEXICAL) answers for what it cannot
/// store, instead of dropping it.
pub fn dense_only(what: &str) -> WitError {
    WitError::Config(format!("this sink stores dense vectors only and cannot take {what}"))
}

impl From<Error> for WitError {
    fn from(e: Error) -> Self {
        match e {
            Error::Config(m) => Self::Config(m),
            Error::Auth(m) => Self::Auth(m),
            Error::RateLimited { retry_after_ms, message } => {
                Self::RateLimited(wit::RateLimit { retry_after_ms, message })
            }
            Error::Transient(m) => Self::Transient(m),
            Error::Permanent(m) => Self::Permanent(m),
            Error::InvalidData(m) => Self::InvalidData(m),
        }
    }
}

impl From<Record> for WitRecord {
    fn from(r: Record) -> Self {
        Self { key: r.key, fields: r.fields, cursor: r.cursor }
    }
}

impl From<WitRecord> for Record {
    fn from(r: WitRecord) -> Self {
        Self { key: r.key, fields: r.fields, cursor: r.cursor }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;
    use crate::plugin::Validator;

    struct Strict;
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct StrictConfig {
        limit: u32,
    }
    impl Validator for Strict {
        type Config = StrictConfig;
        fn configure(_: StrictConfig) -> Result<Self> {
            Ok(Strict)
        }
        fn validate(&mut self, _: &str, records: &[Record]) -> Result<Vec<Verdict>> {
            Ok(records.iter().skip(1).map(|_| Verdict::valid()).collect())
        }
    }

    std::thread_local! {
        static SLOT: RefCell<Option<Strict>> = const { RefCell::new(None) };
    }

    #[test]
    fn calls_before_configure_fail_with_a_config_error_and_bad_config_names_the_key() {
        let err = validate(&SLOT, "s", vec![]).err().unwrap();
        assert!(matches!(err, WitError::Config(ref m) if m.contains("not configured")), "{err:?}");
        let err = configure(&SLOT, r#"{"limit": 1, "limt": 2}"#, Strict::configure).err().unwrap();
        assert!(matches!(err, WitError::Config(ref m) if m.contains("unknown field `limt`")), "{err:?}");
        configure(&SLOT, r#"{"limit": 1}"#, Strict::configure).unwrap();
        let records = vec![WitRecord { key: "a".into(), fields: "{}".into(), cursor: None }];
        let err = validate(&SLOT, "s", records).err().unwrap();
        assert!(matches!(err, WitError::Permanent(ref m) if m.contains("0 verdicts for 1 records")), "{err:?}");
    }

    #[test]
    fn errors_keep_their_variant_across_the_boundary() {
        match WitError::from(Error::rate_limited(250, "slow")) {
            WitError::RateLimited(r) => assert_eq!((r.retry_after_ms, r.message.as_str()), (250, "slow")),
            other => panic!("{other:?}"),
        }
        assert!(matches!(WitError::from(Error::invalid_data("x")), WitError::InvalidData(_)));
    }
}
