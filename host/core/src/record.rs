use serde::{Deserialize, Serialize};

/// One record of a source stream. `fields` is the text of a JSON object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub key: String,
    pub fields: String,
    /// The last-modified value, normalised to RFC 3339.
    pub cursor: Option<String>,
}

/// A stream a source offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamInfo {
    pub name: String,
    pub key_field: String,
    pub cursor_field: Option<String>,
}

/// Which records a read covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scope {
    Full,
    /// Records whose cursor is at or after this RFC 3339 instant.
    Since(String),
}

/// A page of records and the state to go on from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub records: Vec<Record>,
    pub state: String,
    pub done: bool,
}

/// A page of keys, for deletion reconciliation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPage {
    pub keys: Vec<String>,
    pub state: String,
    pub done: bool,
}

/// One broken rule of one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    pub rule: String,
    pub field: Option<String>,
    pub message: String,
}

/// The violations of one record; empty when it is valid.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verdict {
    pub violations: Vec<Violation>,
}

impl Verdict {
    pub fn is_valid(&self) -> bool {
        self.violations.is_empty()
    }
}

/// Vector similarity measure of a collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Distance {
    Cosine,
    Dot,
    Euclid,
    Manhattan,
}

/// The type of a payload index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IndexKind {
    Keyword,
    Integer,
    Float,
    Boolean,
    Text,
    Datetime,
    Uuid,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayloadIndex {
    pub field: String,
    pub kind: IndexKind,
}

/// What a sink must create before points are written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionSpec {
    pub name: String,
    pub dimension: u32,
    pub distance: Distance,
    pub model: String,
    pub payload_indexes: Vec<PayloadIndex>,
}

/// What a sink knows of a collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionInfo {
    pub exists: bool,
    pub dimension: Option<u32>,
    pub distance: Option<Distance>,
    pub points: u64,
}

/// A vector with its payload (JSON object text) under a host-chosen UUID.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub id: String,
    pub vector: Vec<f32>,
    pub payload: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayloadUpdate {
    pub id: String,
    pub payload: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScoredPoint {
    pub id: String,
    pub score: f32,
    pub payload: String,
}
