//! The traits a plugin implements, one per plugin kind. Export the implementation with
//! [`export_source!`](crate::export_source), [`export_validator!`](crate::export_validator) or
//! [`export_sink!`](crate::export_sink).

use serde::de::DeserializeOwned;

use crate::error::{Error, Result};
use crate::types::{
    CollectionInfo, CollectionSpec, KeyPage, Page, Partition, PayloadUpdate, Point, Query, Record, Scope, ScoredPoint,
    SplitScope, StreamInfo, Verdict,
};

/// A source reads records of one or more streams, in pages, resumable from an opaque state.
///
/// The host creates one instance per plugin instance with [`Source::configure`] and calls the
/// other methods on it, one at a time.
pub trait Source: Sized + 'static {
    /// The plugin's configuration. The SDK parses it strictly from the JSON the host passes;
    /// use `#[serde(deny_unknown_fields)]` so that a misspelt key is a configuration error.
    type Config: DeserializeOwned;

    /// Builds the source from its configuration. Do cheap checks here; the first network call
    /// belongs in [`Source::streams`] or [`Source::read`].
    fn configure(config: Self::Config) -> Result<Self>;

    /// The streams this source offers.
    fn streams(&self) -> Result<Vec<StreamInfo>>;

    /// Splits `stream` into at most `max` partitions that together cover `scope` exactly once
    /// (every record in one partition, none in two), which the host reads concurrently, each
    /// from its own [`Partition::state`]. Each partition's states must keep its bounds, so that
    /// [`Source::read`] (or [`Source::list_keys`] for [`SplitScope::Keys`]) never leaves it.
    ///
    /// The default answers [`Partition::whole`]: the stream read as one, from `None`. Split
    /// when the remote side can serve disjoint ranges (key or cursor ranges) independently.
    fn partitions(&mut self, stream: &str, scope: SplitScope, max: u32) -> Result<Vec<Partition>> {
        let _ = (stream, scope, max);
        Ok(vec![Partition::whole()])
    }

    /// Reads up to `max` records of `stream`. `state` is `None` at the start of an
    /// unpartitioned read, a partition's state at the start of a partition, and the previous
    /// page's state after.
    fn read(&mut self, stream: &str, scope: Scope, state: Option<String>, max: u32) -> Result<Page>;

    /// Lists the keys of every record in the stream (or partition), for deletion
    /// reconciliation.
    fn list_keys(&mut self, stream: &str, state: Option<String>, max: u32) -> Result<KeyPage> {
        let _ = (stream, state, max);
        Err(Error::permanent("this source does not support listing keys"))
    }

    /// The number of records in the stream, when the source can tell cheaply.
    fn count(&mut self, stream: &str) -> Result<Option<u64>> {
        let _ = stream;
        Ok(None)
    }
}

/// A validator checks batches of records against rules of its own.
pub trait Validator: Sized + 'static {
    /// The plugin's configuration, parsed strictly (see [`Source::Config`]).
    type Config: DeserializeOwned;

    fn configure(config: Self::Config) -> Result<Self>;

    /// Returns one verdict per record, in the order of `records`.
    fn validate(&mut self, stream: &str, records: &[Record]) -> Result<Vec<Verdict>>;
}

/// A sink stores vectors with their payloads and answers similarity queries.
///
/// A sink stores dense vectors only unless it sets [`Sink::LEXICAL`]; the SDK then refuses
/// hybrid collections and sparse vectors for it with a config error, so nothing is dropped.
pub trait Sink: Sized + 'static {
    /// The plugin's configuration, parsed strictly (see [`Source::Config`]).
    type Config: DeserializeOwned;

    /// Whether the sink stores sparse (lexical) vectors: hybrid collections
    /// ([`CollectionSpec::lexical`]), [`Point::sparse`], and sparse or hybrid [`Query`]s.
    const LEXICAL: bool = false;

    fn configure(config: Self::Config) -> Result<Self>;

    /// Describes a collection (or alias) without changing it.
    fn describe(&mut self, collection: &str) -> Result<CollectionInfo>;

    /// Creates the collection if missing; fails with [`Error::Config`] if it exists with another
    /// dimension, distance or lexical setting. Idempotent.
    fn prepare(&mut self, spec: CollectionSpec) -> Result<CollectionInfo>;

    /// Writes points; returns once they are durable. Writing the same points twice is harmless.
    fn upsert(&mut self, collection: &str, points: Vec<Point>) -> Result<()>;

    /// Replaces the payload of existing points without touching their vectors.
    fn set_payload(&mut self, collection: &str, updates: Vec<PayloadUpdate>) -> Result<()>;

    fn delete(&mut self, collection: &str, ids: Vec<String>) -> Result<()>;

    /// The exact number of points.
    fn count(&mut self, collection: &str) -> Result<u64>;

    /// The `k` nearest points to a dense vector, optionally filtered by a JSON object of
    /// `field: value` pairs. [`Sink::search`] calls it for dense-only queries.
    fn query(
        &mut self,
        collection: &str,
        vector: Vec<f32>,
        k: u32,
        filter: Option<String>,
    ) -> Result<Vec<ScoredPoint>> {
        let _ = (collection, vector, k, filter);
        Err(Error::permanent("this sink does not support queries"))
    }

    /// Answers any query: dense, sparse, both fused ([`Query::fusion`]), or filter only.
    ///
    /// The default passes dense-only queries to [`Sink::query`] and refuses the others with a
    /// config error; a sink that sets [`Sink::LEXICAL`] or answers filter-only queries
    /// implements this instead.
    fn search(&mut self, collection: &str, query: Query) -> Result<Vec<ScoredPoint>> {
        match query.vector {
            Some(vector) if query.sparse.is_none() => self.query(collection, vector, query.k, query.filter),
            Some(_) => Err(Error::config("this sink answers dense queries only, not hybrid ones")),
            None if query.sparse.is_some() => {
                Err(Error::config("this sink answers dense queries only, not sparse ones"))
            }
            None => Err(Error::config("this sink does not answer filter-only queries")),
        }
    }

    /// Points `alias` at `collection` atomically (creating or moving it).
    fn switch_alias(&mut self, alias: &str, collection: &str) -> Result<()> {
        let _ = (alias, collection);
        Err(Error::permanent("this sink does not support aliases"))
    }

    /// Deletes a collection; deleting a missing one is not an error.
    fn drop_collection(&mut self, collection: &str) -> Result<()>;
}
