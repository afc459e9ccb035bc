//! The plugin's configuration: the granted directory and, per stream, which file to read and
//! how. Everything is checked here, before any file is opened.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use serde::Deserialize;
use weir_sdk::{Error, Result};

/// Where the host mounts the granted directory inside the plugin (read-only).
pub const DEFAULT_DIR: &str = "/exports";
/// The default CSV delimiter.
pub const DEFAULT_DELIMITER: u8 = b',';

/// What the user writes under `config` in `weir.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The directory the exports are in, as the plugin sees it.
    #[serde(default = "default_dir")]
    pub dir: String,
    /// The streams, by name: one export file each.
    pub streams: BTreeMap<String, StreamConfig>,
}

fn default_dir() -> String {
    DEFAULT_DIR.to_owned()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreamConfig {
    /// The file, relative to `dir`.
    pub file: String,
    /// `csv` or `jsonl`; by default from the file's extension.
    #[serde(default)]
    pub format: Option<Format>,
    /// The column holding each row's unique key.
    pub key: String,
    /// The last-modified column, when the stream can be read incrementally.
    #[serde(default)]
    pub cursor: Option<String>,
    /// The CSV delimiter, one character (`;` for most Czech exports); `,` by default.
    #[serde(default)]
    pub delimiter: Option<String>,
    /// Column types; CSV cells are strings otherwise.
    #[serde(default)]
    pub types: BTreeMap<String, CellType>,
    /// Only `utf-8` is read (a byte order mark is skipped).
    #[serde(default)]
    pub encoding: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    Jsonl,
}

/// What a column's values become in a record's fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CellType {
    /// The text as it is.
    String,
    /// A decimal number; `12,50`, `1 234,50` and `12.50` are all read.
    Number,
    /// A whole number.
    Integer,
    /// `true`/`false`, `1`/`0`, `ano`/`ne`, `yes`/`no`.
    Boolean,
    /// A date and time, normalised to RFC 3339.
    Datetime,
}

impl CellType {
    pub fn name(self) -> &'static str {
        match self {
            Self::String => "a string",
            Self::Number => "a number",
            Self::Integer => "an integer",
            Self::Boolean => "a boolean",
            Self::Datetime => "a date",
        }
    }
}

/// A stream's configuration, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stream {
    pub name: String,
    /// The file as configured, for messages.
    pub file: String,
    pub path: PathBuf,
    pub format: Format,
    pub delimiter: u8,
    pub key: String,
    pub cursor: Option<String>,
    pub types: BTreeMap<String, CellType>,
}

impl Config {
    /// Checks the configuration and returns its streams by name.
    pub fn streams(&self) -> Result<BTreeMap<String, Stream>> {
        if !self.dir.starts_with('/') {
            return Err(Error::config(format_args!(
                "dir `{}` must be an absolute path inside the plugin, such as {DEFAULT_DIR}",
                self.dir
            )));
        }
        if self.streams.is_empty() {
            return Err(Error::config("streams: name at least one export file"));
        }
        self.streams.iter().map(|(name, s)| Ok((name.clone(), s.check(name, Path::new(&self.dir))?))).collect()
    }
}

impl StreamConfig {
    fn check(&self, name: &str, dir: &Path) -> Result<Stream> {
        let fail = |key: &str, message: String| Error::config(format_args!("streams.{name}.{key}: {message}"));
        if name.trim().is_empty() {
            return Err(Error::config("streams: a stream name must not be empty"));
        }
        let relative = Path::new(&self.file);
        if self.file.is_empty() || !relative.components().all(|c| matches!(c, Component::Normal(_))) {
            return Err(fail("file", format!("`{}` must be a file name inside dir, without `..`", self.file)));
        }
        let format = match self.format {
            Some(f) => f,
            None => match relative.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
                Some("csv") => Format::Csv,
                Some("jsonl" | "ndjson") => Format::Jsonl,
                _ => {
                    return Err(fail(
                        "format",
                        format!(
                            "cannot tell the format of `{}` from its extension; set \"csv\" or \"jsonl\"",
                            self.file
                        ),
                    ));
                }
            },
        };
        let delimiter = match (&self.delimiter, format) {
            (None, _) => DEFAULT_DELIMITER,
            (Some(_), Format::Jsonl) => return Err(fail("delimiter", "applies to csv files only".into())),
            (Some(d), Format::Csv) => match d.as_bytes() {
                [b] if b.is_ascii() && !matches!(b, b'"' | b'\n' | b'\r') => *b,
                _ => return Err(fail("delimiter", format!("`{d}` must be one character other than a quote"))),
            },
        };
        if let Some(encoding) = &self.encoding
            && !matches!(encoding.to_ascii_lowercase().as_str(), "utf-8" | "utf8")
        {
            return Err(fail("encoding", format!("only utf-8 is read, not `{encoding}`; export the file as UTF-8")));
        }
        if self.key.trim().is_empty() {
            return Err(fail("key", "name the column that holds each row's unique key".into()));
        }
        if self.cursor.as_deref().is_some_and(|c| c.trim().is_empty()) {
            return Err(fail("cursor", "must name a column; leave it out for a stream read in full".into()));
        }
        Ok(Stream {
            name: name.to_owned(),
            file: self.file.clone(),
            path: dir.join(relative),
            format,
            delimiter,
            key: self.key.clone(),
            cursor: self.cursor.clone(),
            types: self.types.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn streams(json: &str) -> Result<BTreeMap<String, Stream>> {
        weir_sdk::parse_config::<Config>(json)?.streams()
    }

    #[test]
    fn a_full_configuration_is_checked_into_streams() {
        let s = streams(
            r#"{"dir": "/exports", "streams": {
                "products": {"file": "products.csv", "key": "code", "cursor": "modifiedon", "delimiter": ";",
                             "types": {"price": "number", "stock": "integer", "active": "boolean"}, "encoding": "UTF-8"},
                "contacts": {"file": "crm/contacts.jsonl", "key": "id"},
                "prices": {"file": "prices.txt", "format": "csv", "key": "code", "delimiter": "\t"}}}"#,
        )
        .unwrap();
        let p = &s["products"];
        assert_eq!((p.format, p.delimiter, p.cursor.as_deref()), (Format::Csv, b';', Some("modifiedon")));
        assert_eq!(p.path, Path::new("/exports/products.csv"));
        assert_eq!(p.types["price"], CellType::Number);
        assert_eq!(s["contacts"].format, Format::Jsonl);
        assert_eq!(s["contacts"].path, Path::new("/exports/crm/contacts.jsonl"));
        assert_eq!(s["prices"].delimiter, b'\t');
    }

    #[test]
    fn the_directory_defaults_to_the_mount_point_and_the_delimiter_to_a_comma() {
        let s = streams(r#"{"streams": {"p": {"file": "p.CSV", "key": "id"}}}"#).unwrap();
        assert_eq!(s["p"].path, Path::new("/exports/p.CSV"));
        assert_eq!(s["p"].delimiter, b',');
    }

    #[test]
    fn mistakes_are_config_errors_that_name_the_key() {
        for (json, needle) in [
            (r#"{"streams": {"p": {"file": "p.csv", "key": "id", "typo": 1}}}"#, "typo"),
            (r#"{"streams": {"p": {"file": "../etc/p.csv", "key": "id"}}}"#, "streams.p.file"),
            (r#"{"streams": {"p": {"file": "/etc/p.csv", "key": "id"}}}"#, "streams.p.file"),
            (r#"{"streams": {"p": {"file": "p.xlsx", "key": "id"}}}"#, "streams.p.format"),
            (r#"{"streams": {"p": {"file": "p.csv", "key": "id", "format": "xml"}}}"#, "xml"),
            (r#"{"streams": {"p": {"file": "p.csv", "key": "id", "delimiter": ";;"}}}"#, "streams.p.delimiter"),
            (r#"{"streams": {"p": {"file": "p.csv", "key": "id", "delimiter": "\""}}}"#, "streams.p.delimiter"),
            (r#"{"streams": {"p": {"file": "p.jsonl", "key": "id", "delimiter": ";"}}}"#, "streams.p.delimiter"),
            (r#"{"streams": {"p": {"file": "p.csv", "key": "id", "encoding": "windows-1250"}}}"#, "windows-1250"),
            (r#"{"streams": {"p": {"file": "p.csv", "key": " "}}}"#, "streams.p.key"),
            (r#"{"streams": {"p": {"file": "p.csv", "key": "id", "cursor": ""}}}"#, "streams.p.cursor"),
            (r#"{"streams": {"p": {"file": "p.csv", "key": "id", "types": {"x": "money"}}}}"#, "money"),
            (r#"{"dir": "exports", "streams": {"p": {"file": "p.csv", "key": "id"}}}"#, "dir"),
            (r#"{"streams": {}}"#, "streams"),
        ] {
            let err = streams(json).unwrap_err();
            assert!(matches!(&err, Error::Config(m) if m.contains(needle)), "{json}: {err}");
        }
    }
}
