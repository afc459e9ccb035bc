//! The plugin's configuration: where Qdrant is, how collections are created on a cluster, and
//! how large one request may grow.
//!
//! ```json
//! { "url": "http://127.0.0.1:6333", "max_points_per_request": 256 }
//! ```
//!
//! The API key is not part of the configuration: it is the granted secret `api_key`.

use serde::Deserialize;
use weir_sdk::{Distance, Error, Result};

/// Points (or ids, or payload updates) in one request.
pub const DEFAULT_MAX_POINTS_PER_REQUEST: usize = 256;
/// Bytes of one request body. Qdrant advises keeping requests at a few MB (its own cap is
/// 32 MiB by default), so a batch is split well below that.
pub const DEFAULT_MAX_REQUEST_BYTES: usize = 4 * 1024 * 1024;
/// The largest `max_points_per_request` accepted.
pub const MAX_POINTS_PER_REQUEST_LIMIT: usize = 10_000;
/// The smallest `max_request_bytes` accepted: one 1,536-dimensional point with its payload
/// must fit.
pub const MIN_REQUEST_BYTES: usize = 64 * 1024;
/// The largest `max_request_bytes` accepted: Qdrant's default `max_request_size_mb`.
pub const MAX_REQUEST_BYTES_LIMIT: usize = 32 * 1024 * 1024;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Qdrant's REST base URL, e.g. `http://127.0.0.1:6333` or `https://xyz.cloud.qdrant.io:6333`.
    pub url: String,
    /// The distance of new collections when the host's collection spec names none. (Contract
    /// 0.1.0 always names one; this is the fallback for hosts that leave it out.)
    #[serde(default = "default_distance", with = "distance_name")]
    pub distance: Distance,
    /// Shards of a new collection (clusters only; Qdrant's default when absent).
    #[serde(default)]
    pub shard_number: Option<u32>,
    /// Replicas of each shard of a new collection (clusters only).
    #[serde(default)]
    pub replication_factor: Option<u32>,
    /// Replicas that must apply a write before Qdrant acknowledges it (clusters only).
    #[serde(default)]
    pub write_consistency_factor: Option<u32>,
    /// The most points, payload updates or ids sent in one request.
    #[serde(default = "default_max_points_per_request")]
    pub max_points_per_request: usize,
    /// The most bytes of one request body; batches are split by both limits.
    #[serde(default = "default_max_request_bytes")]
    pub max_request_bytes: usize,
    /// Where a new collection keeps its vectors, as Qdrant's `memory` names it: `cold` (in
    /// memory-mapped files, read as needed) or `cached` (loaded into memory when the collection
    /// opens; faster full scans). Absent: the server's default (Qdrant: `cached`; weir's
    /// embedded store: `cold`). Needs Qdrant 1.19 or later.
    #[serde(default)]
    pub vectors_memory: Option<String>,
    /// Whether writes wait until Qdrant has applied them (`?wait=true`), so that an
    /// acknowledged batch is durable. Turning this off trades that guarantee for speed.
    #[serde(default = "default_wait")]
    pub wait: bool,
}

fn default_distance() -> Distance {
    Distance::Cosine
}
fn default_max_points_per_request() -> usize {
    DEFAULT_MAX_POINTS_PER_REQUEST
}
fn default_max_request_bytes() -> usize {
    DEFAULT_MAX_REQUEST_BYTES
}
fn default_wait() -> bool {
    true
}

/// `distance` is written in lower case in weir's configuration: `cosine`, `dot`, `euclid`,
/// `manhattan`.
mod distance_name {
    use serde::{Deserialize, Deserializer, de::Error as _};
    use weir_sdk::Distance;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Distance, D::Error> {
        let name = String::deserialize(d)?;
        match name.to_ascii_lowercase().as_str() {
            "cosine" => Ok(Distance::Cosine),
            "dot" => Ok(Distance::Dot),
            "euclid" | "euclidean" => Ok(Distance::Euclid),
            "manhattan" => Ok(Distance::Manhattan),
            _ => Err(D::Error::custom(format_args!(
                "unknown distance `{name}`, expected one of `cosine`, `dot`, `euclid`, `manhattan`"
            ))),
        }
    }
}

impl Config {
    /// Checks the configuration purely and returns the base URL without a trailing slash.
    pub fn validate(&self) -> Result<String> {
        let base = self.url.trim().trim_end_matches('/');
        let rest = base.strip_prefix("https://").or_else(|| base.strip_prefix("http://"));
        match rest {
            Some(host) if !host.is_empty() => {}
            _ => return Err(Error::config(format_args!("url `{}` must be an http(s) URL of Qdrant", self.url))),
        }
        if base.contains(['@', '?', '#']) {
            return Err(Error::config(
                "url must not carry user information, a query or a fragment; grant the API key as the secret `api_key`",
            ));
        }
        if self.max_points_per_request == 0 || self.max_points_per_request > MAX_POINTS_PER_REQUEST_LIMIT {
            return Err(Error::config(format_args!(
                "max_points_per_request {} must be between 1 and {MAX_POINTS_PER_REQUEST_LIMIT}",
                self.max_points_per_request
            )));
        }
        if !(MIN_REQUEST_BYTES..=MAX_REQUEST_BYTES_LIMIT).contains(&self.max_request_bytes) {
            return Err(Error::config(format_args!(
                "max_request_bytes {} must be between {MIN_REQUEST_BYTES} and {MAX_REQUEST_BYTES_LIMIT}",
                self.max_request_bytes
            )));
        }
        for (key, value) in [
            ("shard_number", self.shard_number),
            ("replication_factor", self.replication_factor),
            ("write_consistency_factor", self.write_consistency_factor),
        ] {
            if value == Some(0) {
                return Err(Error::config(format_args!("{key} must be at least 1")));
            }
        }
        match self.vectors_memory.as_deref() {
            None | Some("cold" | "cached") => {}
            Some("pinned") => {
                return Err(Error::config("vectors_memory `pinned` is not supported by Qdrant for dense vectors"));
            }
            Some(other) => {
                return Err(Error::config(format_args!(
                    "unknown vectors_memory `{other}`, expected `cold` or `cached`"
                )));
            }
        }
        Ok(base.to_owned())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn parse(json: &str) -> Result<Config> {
        weir_sdk::parse_config(json)
    }

    #[test]
    fn defaults_apply_and_the_url_loses_its_trailing_slash() {
        let c = parse(r#"{"url": "http://127.0.0.1:6333/"}"#).unwrap();
        assert_eq!(c.validate().unwrap(), "http://127.0.0.1:6333");
        assert_eq!(c.distance, Distance::Cosine);
        assert_eq!(c.max_points_per_request, DEFAULT_MAX_POINTS_PER_REQUEST);
        assert_eq!(c.max_request_bytes, DEFAULT_MAX_REQUEST_BYTES);
        assert!(c.wait);
        assert_eq!((c.shard_number, c.replication_factor, c.write_consistency_factor), (None, None, None));
    }

    #[test]
    fn every_key_parses() {
        let c = parse(
            r#"{"url": "https://q.example.com:6333", "distance": "Dot", "shard_number": 3,
                "replication_factor": 2, "write_consistency_factor": 2, "max_points_per_request": 64,
                "max_request_bytes": 1048576, "wait": false, "vectors_memory": "cached"}"#,
        )
        .unwrap();
        assert_eq!(c.validate().unwrap(), "https://q.example.com:6333");
        assert_eq!(c.distance, Distance::Dot);
        assert_eq!((c.shard_number, c.replication_factor, c.write_consistency_factor), (Some(3), Some(2), Some(2)));
        assert_eq!((c.max_points_per_request, c.max_request_bytes, c.wait), (64, 1_048_576, false));
        assert_eq!(c.vectors_memory.as_deref(), Some("cached"));
    }

    #[test]
    fn mistakes_are_config_errors_naming_the_key() {
        let err = parse(r#"{"url": "http://h:6333", "api_key": "s3cret"}"#).unwrap_err();
        assert!(matches!(&err, Error::Config(m) if m.contains("unknown field `api_key`")), "{err}");
        let err = parse(r#"{"url": "http://h:6333", "distance": "hamming"}"#).unwrap_err();
        assert!(matches!(&err, Error::Config(m) if m.contains("unknown distance `hamming`")), "{err}");
        assert!(matches!(parse("{}"), Err(Error::Config(m)) if m.contains("missing field `url`")));

        let bad = |json: &str, needle: &str| {
            let err = parse(json).unwrap().validate().unwrap_err();
            assert!(matches!(&err, Error::Config(m) if m.contains(needle)), "{json}: {err}");
        };
        bad(r#"{"url": "127.0.0.1:6333"}"#, "http(s) URL");
        bad(r#"{"url": "http://"}"#, "http(s) URL");
        bad(r#"{"url": "http://user:pw@h:6333"}"#, "user information");
        bad(r#"{"url": "http://h:6333?api-key=x"}"#, "user information");
        bad(r#"{"url": "http://h", "max_points_per_request": 0}"#, "max_points_per_request 0");
        bad(r#"{"url": "http://h", "max_request_bytes": 1000}"#, "max_request_bytes 1000");
        bad(r#"{"url": "http://h", "shard_number": 0}"#, "shard_number");
        bad(r#"{"url": "http://h", "vectors_memory": "pinned"}"#, "vectors_memory `pinned`");
        bad(r#"{"url": "http://h", "vectors_memory": "warm"}"#, "unknown vectors_memory `warm`");
    }
}
