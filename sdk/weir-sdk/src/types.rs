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

/// What a partition plan is for: a read of a scope, or a key listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SplitScope {
    /// Partitions for [`Source::read`](crate::Source::read) with this scope.
    Read(Scope),
    /// Partitions for [`Source::list_keys`](crate::Source::list_keys).
    Keys,
}

/// One part of a stream that the host reads independently of the others, concurrently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partition {
    /// A short name for logs and progress (e.g. `keys 4000…7fff`).
    pub label: String,
    /// The state the partition's first `read` (or `list_keys`) call gets. Keep the partition's
    /// bounds inside it, and inside every later state of the partition, so that a resumed read
    /// stays within them. `None` starts the read as an unpartitioned one.
    pub state: Option<String>,
}

impl Partition {
    /// A partition starting from `state`.
    pub fn new(label: impl Into<String>, state: impl Into<String>) -> Self {
        Self { label: label.into(), state: Some(state.into()) }
    }

    /// The whole stream as one partition, read from the start: what a source that cannot
    /// split answers.
    pub fn whole() -> Self {
        Self { label: "all".to_owned(), state: None }
    }
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
    /// The lexical model whose sparse vectors the collection holds beside the dense ones, when
    /// it is hybrid. The sink computes inverse document frequency over the collection itself
    /// (the host sends term weights only).
    pub lexical: Option<String>,
    pub payload_indexes: Vec<PayloadIndex>,
}

/// What a collection (or alias) looks like now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionInfo {
    pub exists: bool,
    pub dimension: Option<u32>,
    pub distance: Option<Distance>,
    /// Whether the collection holds sparse (lexical) vectors.
    pub lexical: bool,
    pub points: u64,
}

impl CollectionInfo {
    /// The description of a collection that does not exist.
    pub fn missing() -> Self {
        Self { exists: false, dimension: None, distance: None, lexical: false, points: 0 }
    }

    /// The description of an existing dense-only collection.
    pub fn dense(dimension: u32, distance: Distance, points: u64) -> Self {
        Self { exists: true, dimension: Some(dimension), distance: Some(distance), lexical: false, points }
    }
}

/// A sparse vector: the non-zero dimensions, sorted by index, without duplicates (the host
/// keeps that promise).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparseVector {
    pub indices: Vec<u32>,
    pub values: Vec<f32>,
}

impl SparseVector {
    /// The dot product with another sparse vector (both sorted by index).
    pub fn dot(&self, other: &SparseVector) -> f32 {
        let (mut i, mut j, mut sum) = (0, 0, 0.0);
        while i < self.indices.len() && j < other.indices.len() {
            match self.indices[i].cmp(&other.indices[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    sum += self.values.get(i).copied().unwrap_or(0.0) * other.values.get(j).copied().unwrap_or(0.0);
                    i += 1;
                    j += 1;
                }
            }
        }
        sum
    }
}

/// A vector with its payload.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// A UUID, chosen by the host, deterministic per record.
    pub id: String,
    pub vector: Vec<f32>,
    /// The lexical vector, for a hybrid collection.
    pub sparse: Option<SparseVector>,
    pub payload: Json,
}

/// How the results of a dense and a sparse search are merged into one ranking.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Fusion {
    /// Reciprocal rank fusion: each point scores the sum of `1 / (k + rank)` over the searches.
    #[default]
    Rrf,
    /// Distribution-based score fusion: scores normalised per search, then summed.
    Dbsf,
}

/// A search of a collection: a dense vector, a sparse vector, both (fused), or neither (the
/// points matching the filter).
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub vector: Option<Vec<f32>>,
    /// Only for a collection that holds sparse vectors.
    pub sparse: Option<SparseVector>,
    /// How the two searches are merged when both vectors are given.
    pub fusion: Fusion,
    /// How many points to return.
    pub k: u32,
    /// A JSON object of `field: value` pairs every returned point must match.
    pub filter: Option<Json>,
}

impl Query {
    /// The dense vector, when this is a dense-only query (the one kind every sink answers).
    pub fn dense_only(&self) -> Option<&[f32]> {
        match (&self.vector, &self.sparse) {
            (Some(vector), None) => Some(vector),
            _ => None,
        }
    }
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
    fn sparse_dot_products_meet_on_shared_indices_only() {
        let a = SparseVector { indices: vec![1, 4, 9], values: vec![1.0, 2.0, 3.0] };
        let b = SparseVector { indices: vec![0, 4, 9, 12], values: vec![5.0, 0.5, 2.0, 7.0] };
        assert_eq!(a.dot(&b), 2.0 * 0.5 + 3.0 * 2.0);
        assert_eq!(a.dot(&SparseVector::default()), 0.0);
    }

    #[test]
    fn record_fields_must_be_an_object() {
        let r = Record::from_fields("k1", &serde_json::json!({"name": "Žluťoučký kůň"})).unwrap();
        assert_eq!(r.fields_as::<serde_json::Value>().unwrap()["name"], "Žluťoučký kůň");
        assert!(matches!(Record::from_fields("k1", &[1, 2]), Err(Error::InvalidData(_))));
    }
}
