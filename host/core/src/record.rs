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

/// What a partition plan is for: a read of a scope, or a key listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SplitScope {
    Read(Scope),
    Keys,
}

/// One part of a stream that can be read independently of the others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partition {
    /// A short name for logs and progress (e.g. `keys 4000…7fff`).
    pub label: String,
    /// The state the partition's first `read` (or `list_keys`) starts from; `None` starts it as
    /// an unpartitioned read does (a source that cannot split answers one such partition).
    pub state: Option<String>,
}

impl Partition {
    /// The one partition of a source that cannot split: the whole stream, from the start.
    pub fn whole() -> Self {
        Self { label: "all".to_owned(), state: None }
    }
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
    /// The lexical model whose sparse vectors the collection holds beside the dense ones, when
    /// it is hybrid. The sink computes inverse document frequency over the collection itself.
    pub lexical: Option<String>,
    pub payload_indexes: Vec<PayloadIndex>,
}

/// What a sink knows of a collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionInfo {
    pub exists: bool,
    pub dimension: Option<u32>,
    pub distance: Option<Distance>,
    /// Whether the collection holds sparse (lexical) vectors.
    pub lexical: bool,
    pub points: u64,
}

/// A sparse vector: the non-zero dimensions, sorted by index, without duplicates.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparseVector {
    pub indices: Vec<u32>,
    pub values: Vec<f32>,
}

impl SparseVector {
    /// Why the vector breaks the contract (lengths differ, indices unsorted or repeated), if it
    /// does. Sinks are promised sorted, unique indices.
    pub fn defect(&self) -> Option<String> {
        if self.indices.len() != self.values.len() {
            return Some(format!("{} indices but {} values", self.indices.len(), self.values.len()));
        }
        let w = self.indices.windows(2).find(|w| w[0] >= w[1])?;
        Some(format!("indices not strictly increasing ({} then {})", w[0], w[1]))
    }
}

/// A vector with its payload (JSON object text) under a host-chosen UUID.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub id: String,
    pub vector: Vec<f32>,
    /// The lexical vector, for a hybrid collection.
    pub sparse: Option<SparseVector>,
    pub payload: String,
}

/// How the results of a dense and a sparse search are merged into one ranking.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Fusion {
    /// Reciprocal rank fusion.
    #[default]
    Rrf,
    /// Distribution-based score fusion (scores normalised per search, then summed).
    Dbsf,
}

/// A search of a collection: dense, sparse, both fused, or neither (filter only).
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
    pub filter: Option<String>,
}

impl Query {
    /// A dense-only query, as every sink version answers.
    pub fn dense(vector: Vec<f32>, k: u32) -> Self {
        Self { vector: Some(vector), sparse: None, fusion: Fusion::default(), k, filter: None }
    }

    /// A sparse-only (lexical) query.
    pub fn sparse(sparse: SparseVector, k: u32) -> Self {
        Self { vector: None, sparse: Some(sparse), fusion: Fusion::default(), k, filter: None }
    }

    /// A dense and a sparse search fused with `fusion`.
    pub fn hybrid(vector: Vec<f32>, sparse: SparseVector, fusion: Fusion, k: u32) -> Self {
        Self { vector: Some(vector), sparse: Some(sparse), fusion, k, filter: None }
    }

    /// Up to `k` points matching `filter`, with neither vector.
    pub fn filter_only(filter: impl Into<String>, k: u32) -> Self {
        Self { vector: None, sparse: None, fusion: Fusion::default(), k, filter: Some(filter.into()) }
    }

    /// Adds a filter (a JSON object of `field: value` pairs).
    pub fn with_filter(mut self, filter: Option<String>) -> Self {
        self.filter = filter;
        self
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_vectors_must_have_sorted_unique_indices_and_matching_values() {
        assert_eq!(SparseVector { indices: vec![1, 5, 9], values: vec![0.5, 1.0, 2.0] }.defect(), None);
        assert_eq!(SparseVector::default().defect(), None);
        let unsorted = SparseVector { indices: vec![5, 1], values: vec![1.0, 1.0] }.defect();
        assert!(unsorted.is_some_and(|d| d.contains("5 then 1")));
        let repeated = SparseVector { indices: vec![3, 3], values: vec![1.0, 1.0] }.defect();
        assert!(repeated.is_some_and(|d| d.contains("3 then 3")));
        let short = SparseVector { indices: vec![1, 2], values: vec![1.0] }.defect();
        assert!(short.is_some_and(|d| d.contains("2 indices but 1 values")));
    }

    #[test]
    fn query_constructors_say_what_they_search() {
        let q = Query::dense(vec![1.0], 3).with_filter(Some(r#"{"a": 1}"#.into()));
        assert_eq!((q.vector.is_some(), q.sparse.is_some(), q.k, q.filter.is_some()), (true, false, 3, true));
        let q = Query::hybrid(vec![1.0], SparseVector::default(), Fusion::Dbsf, 5);
        assert_eq!((q.vector.is_some(), q.sparse.is_some(), q.fusion), (true, true, Fusion::Dbsf));
        assert_eq!(Query::filter_only("{}", 2).vector, None);
        assert_eq!(Partition::whole(), Partition { label: "all".into(), state: None });
    }
}
