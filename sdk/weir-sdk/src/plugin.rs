//! The traits a plugin implements, one per plugin kind. Export the implementation with
//! [`export_source!`](crate::export_source), [`export_validator!`](crate::export_validator) or
//! [`export_sink!`](crate::export_sink).

use serde::de::DeserializeOwned;

use crate::error::{Error, Result};
use crate::types::{
    CollectionInfo, CollectionSpec, KeyPage, Page, PayloadUpdate, Point, Record, Scope, ScoredPoint, StreamInfo,
    Verdict,
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

    /// Reads up to `max` records of `stream`. `state` is `None` at the start and the previous
    /// page's state after.
    fn read(&mut self, stream: &str, scope: Scope, state: Option<String>, max: u32) -> Result<Page>;

    /// Lists the keys of every record in the stream, for deletion reconciliation.
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
pub trait Sink: Sized + 'static {
    /// The plugin's configuration, parsed strictly (see [`Source::Config`]).
    type Config: DeserializeOwned;

    fn configure(config: Self::Config) -> Result<Self>;

    /// Describes a collection (or alias) without changing it.
    fn describe(&mut self, collection: &str) -> Result<CollectionInfo>;

    /// Creates the collection if missing; fails with [`Error::Config`] if it exists with another
    /// dimension or distance. Idempotent.
    fn prepare(&mut self, spec: CollectionSpec) -> Result<CollectionInfo>;

    /// Writes points; returns once they are durable. Writing the same points twice is harmless.
    fn upsert(&mut self, collection: &str, points: Vec<Point>) -> Result<()>;

    /// Replaces the payload of existing points without touching their vectors.
    fn set_payload(&mut self, collection: &str, updates: Vec<PayloadUpdate>) -> Result<()>;

    fn delete(&mut self, collection: &str, ids: Vec<String>) -> Result<()>;

    /// The exact number of points.
    fn count(&mut self, collection: &str) -> Result<u64>;

    /// The `k` nearest points, optionally filtered by a JSON object of `field: value` pairs.
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

    /// Points `alias` at `collection` atomically (creating or moving it).
    fn switch_alias(&mut self, alias: &str, collection: &str) -> Result<()> {
        let _ = (alias, collection);
        Err(Error::permanent("this sink does not support aliases"))
    }

    /// Deletes a collection; deleting a missing one is not an error.
    fn drop_collection(&mut self, collection: &str) -> Result<()>;
}
