//! The plugin's configuration: where BlueJet is, how big a page is, and which evidences to read.

use std::collections::BTreeMap;

use serde::Deserialize;
use weir_sdk::{Error, Result};

/// BlueJet documents at most 200 rows per call.
pub const DEFAULT_PAGE_SIZE: u32 = 200;
/// The default last-modified column.
pub const DEFAULT_CURSOR: &str = "modifiedon";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The tenant's base URL, e.g. `https://acme.bluejet.cz`.
    pub base_url: String,
    /// Rows per BlueJet call (1–1000; BlueJet documents 200 as its maximum).
    #[serde(default = "default_page_size")]
    pub page_size: u32,
    /// Streams to add or override, by name. The six built-in streams are always there.
    #[serde(default)]
    pub streams: BTreeMap<String, StreamConfig>,
    /// The fewest rows worth a partition of their own (default: two pages). Splitting costs a
    /// call per boundary before any row is read, so a small read stays whole.
    #[serde(default)]
    pub partition_min_rows: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreamConfig {
    /// The evidence (object type) number, e.g. 217 for products.
    pub evidence: u32,
    /// The key column (a GUID).
    pub key: String,
    /// The last-modified column; `""` for a stream that can only be read in full.
    #[serde(default = "default_cursor")]
    pub cursor: String,
    /// How the cursor column's values are written.
    #[serde(default)]
    pub date_format: DateFormat,
    /// Columns to ask for; all when absent. Some evidences answer 400 to a column list, in
    /// which case the plugin asks for all columns and keeps these.
    #[serde(default)]
    pub fields: Option<Vec<String>>,
}

/// How BlueJet writes dates in a column.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DateFormat {
    /// ISO 8601 or the Czech `d.m.yyyy H:mm[:ss]`, whichever each value is.
    #[default]
    Auto,
    Iso,
    Czech,
}

fn default_page_size() -> u32 {
    DEFAULT_PAGE_SIZE
}

fn default_cursor() -> String {
    DEFAULT_CURSOR.to_owned()
}

/// The evidences every BlueJet has, with their key columns.
pub const BUILT_IN: &[(&str, u32, &str)] = &[
    ("products", 217, "productid"),
    ("contacts", 222, "contactid"),
    ("companies", 225, "firmaid"),
    ("offers", 293, "nabidkaid"),
    ("invoices", 323, "fakturaid"),
    ("orders", 356, "objednavkaid"),
];

impl Config {
    /// Checks the configuration and returns every stream, built-in ones first overridden by
    /// configured ones.
    pub fn streams(&self) -> Result<BTreeMap<String, StreamConfig>> {
        let base = self.base_url.trim_end_matches('/');
        if !(base.starts_with("https://") || base.starts_with("http://")) || base.len() < 10 {
            return Err(Error::config(format_args!("base_url `{}` must be an http(s) URL", self.base_url)));
        }
        if base.contains('@') || base.contains('?') || base.contains('#') {
            return Err(Error::config("base_url must not carry user information, a query or a fragment"));
        }
        if self.page_size == 0 || self.page_size > 1000 {
            return Err(Error::config(format_args!("page_size {} must be between 1 and 1000", self.page_size)));
        }
        if self.partition_min_rows == Some(0) {
            return Err(Error::config("partition_min_rows must be at least 1"));
        }
        let mut streams: BTreeMap<String, StreamConfig> = BUILT_IN
            .iter()
            .map(|(name, evidence, key)| {
                let stream = StreamConfig {
                    evidence: *evidence,
                    key: (*key).to_owned(),
                    cursor: default_cursor(),
                    date_format: DateFormat::Auto,
                    fields: None,
                };
                ((*name).to_owned(), stream)
            })
            .collect();
        for (name, stream) in &self.streams {
            if name.is_empty() || stream.key.is_empty() || !is_column(&stream.key) {
                return Err(Error::config(format_args!("stream `{name}`: key `{}` is not a column name", stream.key)));
            }
            if !stream.cursor.is_empty() && !is_column(&stream.cursor) {
                return Err(Error::config(format_args!(
                    "stream `{name}`: cursor `{}` is not a column name",
                    stream.cursor
                )));
            }
            if let Some(fields) = &stream.fields
                && let Some(bad) = fields.iter().find(|f| !is_column(f))
            {
                return Err(Error::config(format_args!("stream `{name}`: field `{bad}` is not a column name")));
            }
            streams.insert(name.clone(), stream.clone());
        }
        Ok(streams)
    }

    pub fn base(&self) -> &str {
        self.base_url.trim_end_matches('/')
    }

    /// The fewest rows a partition is made for.
    pub fn min_partition_rows(&self) -> u64 {
        self.partition_min_rows.map_or(2 * u64::from(self.page_size), u64::from)
    }
}

/// Column names are database identifiers; anything else could smuggle operators into a query.
fn is_column(name: &str) -> bool {
    !name.is_empty() && name.len() <= 128 && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn parse(json: &str) -> Result<Config> {
        weir_sdk::parse_config(json)
    }

    #[test]
    fn defaults_give_the_six_built_in_streams() {
        let config = parse(r#"{"base_url": "https://acme.bluejet.cz/"}"#).unwrap();
        assert_eq!(config.page_size, 200);
        assert_eq!(config.base(), "https://acme.bluejet.cz");
        assert_eq!(config.min_partition_rows(), 400);
        let streams = config.streams().unwrap();
        assert_eq!(streams.len(), 6);
        assert_eq!((streams["orders"].evidence, streams["orders"].key.as_str()), (356, "objednavkaid"));
        assert_eq!(streams["products"].evidence, 217);
        assert_eq!(streams["invoices"].key, "fakturaid");
        assert_eq!(streams["offers"].cursor, "modifiedon");
    }

    #[test]
    fn streams_can_be_overridden_and_added() {
        let config = parse(
            r#"{"base_url": "https://acme.bluejet.cz", "page_size": 100,
                "streams": {"products": {"evidence": 217, "key": "productid", "cursor": "zmeneno", "date_format": "czech"},
                            "received": {"evidence": 300, "key": "objednavkaid", "cursor": ""}},
                "partition_min_rows": 50}"#,
        )
        .unwrap();
        assert_eq!(config.min_partition_rows(), 50);
        let streams = config.streams().unwrap();
        assert_eq!(streams.len(), 7);
        assert_eq!(streams["products"].cursor, "zmeneno");
        assert_eq!(streams["products"].date_format, DateFormat::Czech);
        assert_eq!(streams["received"].cursor, "");
    }

    #[test]
    fn mistakes_are_config_errors_that_name_the_key() {
        let err = parse(r#"{"base_url": "https://a.bluejet.cz", "pagesize": 5}"#).err().unwrap();
        assert!(matches!(&err, Error::Config(m) if m.contains("pagesize")), "{err}");
        let err = parse(r#"{"base_url": "ftp://a.bluejet.cz"}"#).unwrap().streams().err().unwrap();
        assert!(matches!(&err, Error::Config(m) if m.contains("base_url")), "{err}");
        let err = parse(r#"{"base_url": "https://a.bluejet.cz", "page_size": 0}"#).unwrap().streams().err().unwrap();
        assert!(matches!(&err, Error::Config(m) if m.contains("page_size")), "{err}");
        let err =
            parse(r#"{"base_url": "https://a.bluejet.cz", "partition_min_rows": 0}"#).unwrap().streams().err().unwrap();
        assert!(matches!(&err, Error::Config(m) if m.contains("partition_min_rows")), "{err}");
        let err = parse(r#"{"base_url": "https://a.bluejet.cz", "streams": {"x": {"evidence": 1, "key": "id|=|1"}}}"#)
            .unwrap()
            .streams()
            .err()
            .unwrap();
        assert!(matches!(&err, Error::Config(m) if m.contains("not a column")), "{err}");
    }
}
