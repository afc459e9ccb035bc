//! Plain Rust types that cross the plugin boundary, owned by the SDK so that plugin code never
//! names generated bindings.

use serde::{Serialize, de::DeserializeOwned};

use crate::error::{Error, Result};

/// JSON text. Where a record's fields travel, it is always a JSON object.
pub type Json = String;

/// One record read from a source: its key, its fields as a JSON object, and its cursor
/// (last-modified) value normalised to RFC 3339, when the stream has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub key: String,
    pub fields: Json,
    pub cursor: Option<String>,
}

impl Record {
    /// A record from fields that are already JSON object text.
    pub fn new(key: impl Into<String>, fields: impl Into<Json>) -> Self {
        Self { key: key.into(), fields: fields.into(), cursor: None }
    }

    /// A record whose fields are `fields` serialised; it must serialise to a JSON object.
    pub fn from_fields<T: Serialize + ?Sized>(key: impl Into<String>, fields: &T) -> Result<Self> {
        let value = serde_json::to_value(fields)?;
        if !value.is_object() {
            return Err(Error::invalid_data("record fields must be a JSON object"));
        }
        Ok(Self::new(key, value.to_string()))
    }

    /// Sets the cursor value (RFC 3339).
    pub fn with_cursor(mut self, cursor: impl Into<String>) -> Self {
        self.cursor = Some(cursor.into());
        self
    }

    /// The fields parsed as `T`.
    pub fn fields_as<T: DeserializeOwned>(&self) -> Result<T> {
        Ok(serde_json::from_str(&self.fields)?)
    }
}

/// A stream a source offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamInfo {
    pub name: String,
    /// The field holding each record's unique key.
    pub key_field: String,
    /// The field holding the last-modified time, when the stream can be read incrementally.
    pub cursor_field: Option<String>,
}

impl StreamInfo {
    /// A stream without a cursor: it can only be read in full.
    pub fn new(name: impl Into<String>, key_field: impl Into<String>) -> Self {
        Self { name: name.into(), key_field: key_field.into(), cursor_field: None }
    }

    /// Names the cursor field, which makes incremental reads possible.
    pub fn with_cursor_field(mut self, field: impl Into<String>) -> Self {
        self.cursor_field = Some(field.into());
        self
    }
}

/// Which records a read covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every record of the stream.
    Full,
    /// Records whose cursor is at or after this RFC 3339 instant.
    Since(String),
}

/// One page of records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub records: Vec<Record>,
    /// Where the next call goes on. The host stores it only after the page's records are
    /// durably written, so it must never point past a record not in `records`.
    pub state: String,
    /// Whether the stream has no more records.
    pub done: bool,
}

impl Page {
    /// A page after which more records follow.
    pub fn more(records: Vec<Record>, state: impl Into<String>) -> Self {
        Self { records, state: state.into(), done: false }
    }

    /// The last page of the stream.
    pub fn last(records: Vec<Record>, state: impl Into<String>) -> Self {
        Self { records, state: state.into(), done: true }
    }
}

/// One page of keys, for deletion reconciliation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPage {
    pub keys: Vec<String>,
    pub state: String,
    pub done: bool,
}

/// One broken rule of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub rule: String,
    pub field: Option<String>,
    pub message: String,
}

impl Violation {
    /// A violation of `rule` by the record as a whole.
    pub fn new(rule: impl Into<String>, message: impl Into<String>) -> Self {
        Self { rule: rule.into(), field: None, message: message.into() }
    }

    /// Names the field at fault.
    pub fn on_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
}

/// The violations of one record; empty when it is valid.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verdict {
    pub violations: Vec<Violation>,
}

impl Verdict {
    /// The verdict of a valid record.
    pub fn valid() -> Self {
        Self::default()
    }

    /// The verdict of a record that breaks the given rules.
    pub fn invalid(violations: Vec<Violation>) -> Self {
        Self { violations }
    }

    pub fn is_valid(&self) -> bool {
        self.violations.is_empty()
    }
}

/// How a collection measures the distance between vectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Distance {
    Cosine,
    Dot,
    Euclid,
    Manhattan,
}

/// The kind of a payload index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IndexKind {
    Keyword,
    Integer,
    Float,
    Boolean,
    Text,
    Datetime,
    Uuid,
}

/// A payload field to index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayloadIndex {
    pub field: String,
    pub kind: IndexKind,
}

/// What a collection must look like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionSpec {
    pub name: String,
    pub dimension: u32,
    pub distance: Distance,
    /// The embedding model whose vectors the collection holds.
    pub model: String,
    pub payload_indexes: Vec<PayloadIndex>,
}

/// What a collection (or alias) looks like now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionInfo {
    pub exists: bool,
    pub dimension: Option<u32>,
    pub distance: Option<Distance>,
    pub points: u64,
}

impl CollectionInfo {
    /// The description of a collection that does not exist.
    pub fn missing() -> Self {
        Self { exists: false, dimension: None, distance: None, points: 0 }
    }
}

/// A vector with its payload.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// A UUID, chosen by the host, deterministic per record.
    pub id: String,
    pub vector: Vec<f32>,
    pub payload: Json,
}

/// A new payload for an existing point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayloadUpdate {
    pub id: String,
    pub payload: Json,
}

/// A query hit.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredPoint {
    pub id: String,
    pub score: f32,
    pub payload: Json,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn record_fields_must_be_an_object() {
        let r = Record::from_fields("k1", &serde_json::json!({"name": "Žluťoučký kůň"})).unwrap();
        assert_eq!(r.fields_as::<serde_json::Value>().unwrap()["name"], "Žluťoučký kůň");
        assert!(matches!(Record::from_fields("k1", &[1, 2]), Err(Error::InvalidData(_))));
    }
}
