//! weir's Qdrant sink: writes points to Qdrant (a node, a cluster, or qdrant-local) over its
//! REST API, through the host's `http` import.
//!
//! - `prepare` creates a missing collection with the spec's vector size and distance and never
//!   writes into one that holds other vectors: a different size, distance or layout is a config
//!   error naming both. Payload indexes missing from the collection are created (idempotent).
//! - Hybrid collections (a spec with `lexical`) hold a named dense vector `dense` and a sparse
//!   vector `bm25` that Qdrant weighs by IDF over the collection (`modifier: idf`); dense-only
//!   ones hold one unnamed vector, as before. Searches are dense, sparse, both fused by RRF or
//!   DBSF through the Query API's `prefetch`, or a scroll of the points matching a filter.
//! - Writes carry `?wait=true`, so an acknowledged batch has been applied. Every batch is split
//!   by `max_points_per_request` and by `max_request_bytes`.
//! - Payload updates replace a point's whole payload (`overwrite_payload`); points sharing a new
//!   payload share one operation, and all of a call's operations travel in one batch update
//!   request per split. Servers without the batch endpoint get one `PUT …/points/payload` each.
//! - Names may be aliases: Qdrant resolves them in every endpoint this sink uses.
//!
//! The API key, when the configuration grants the secret `api_key`, is sent as the `api-key`
//! header and appears in no log line and no error.

mod client;
mod config;
mod mapping;

use std::collections::HashMap;

use serde_json::json;
use weir_sdk::http::Request;
use weir_sdk::{CollectionInfo, CollectionSpec, Error, PayloadUpdate, Point, Query, Result, ScoredPoint, Sink, log};

use crate::client::{Client, Repeat};
use crate::config::Config;
use crate::mapping::{Described, Item, Search};

/// What this instance knows of a collection's vectors, to refuse a wrong vector before
/// anything is sent.
#[derive(Debug, Clone, Copy)]
struct Shape {
    dimension: Option<u32>,
    lexical: bool,
}

pub struct Qdrant {
    config: Config,
    client: Client,
    /// Vector shapes of collections seen in this instance.
    shapes: HashMap<String, Shape>,
    /// Whether the server offers `POST …/points/batch`; unknown until first tried.
    batch_updates: Option<bool>,
}

impl Qdrant {
    /// Describes `name` (a collection or an alias), `None` when neither exists.
    fn lookup(&mut self, name: &str) -> Result<Option<Described>> {
        let what = format!("describe `{name}`");
        let found = match self.client.get(self.client.collection_url(name, ""), &what)? {
            Some(result) => Some(mapping::describe(&result)?),
            // Qdrant resolves aliases in `GET /collections/{name}`; a server that does not
            // still lists them.
            None => match self.alias_target(name)? {
                Some(target) => match self.client.get(self.client.collection_url(&target, ""), &what)? {
                    Some(result) => Some(mapping::describe(&result)?),
                    None => None,
                },
                None => None,
            },
        };
        if let Some(d) = &found {
            self.shapes.insert(name.to_owned(), Shape { dimension: d.dimension, lexical: d.lexical() });
        }
        Ok(found)
    }

    /// The collection the alias `name` points to.
    fn alias_target(&self, name: &str) -> Result<Option<String>> {
        let all = self.client.get(self.client.url("/aliases"), "list aliases")?.unwrap_or_default();
        Ok(mapping::aliases(&all).into_iter().find(|(alias, _)| alias == name).map(|(_, c)| c))
    }

    fn info(d: &Described) -> CollectionInfo {
        CollectionInfo {
            exists: true,
            dimension: d.dimension,
            distance: d.distance,
            lexical: d.lexical(),
            points: d.points,
        }
    }

    /// The vector shape of `collection`, asked of Qdrant once per instance.
    fn shape(&mut self, collection: &str) -> Result<Shape> {
        if let Some(s) = self.shapes.get(collection) {
            return Ok(*s);
        }
        match self.lookup(collection)? {
            Some(d) => Ok(Shape { dimension: d.dimension, lexical: d.lexical() }),
            None => Err(Error::config(format_args!("collection `{collection}` does not exist; prepare it first"))),
        }
    }

    /// Sends `items` in as many requests as the limits need, each `prefix` + items + `suffix`.
    fn send_split(&self, url: &str, items: &[Item], wrap: (&str, &str), what: &str) -> Result<()> {
        let overhead = wrap.0.len() + wrap.1.len();
        let runs = mapping::split(items, self.config.max_points_per_request, self.config.max_request_bytes, overhead);
        for run in runs {
            let body = mapping::join(wrap.0, &items[run], wrap.1);
            if body.len() > self.config.max_request_bytes {
                log::warn!("{what}: one element alone takes {} bytes, over max_request_bytes", body.len());
            }
            self.client.call(Request::post(url), body, Repeat::Safe, what)?;
        }
        Ok(())
    }

    fn create_collection(&self, spec: &CollectionSpec) -> Result<()> {
        let mut dense = json!({ "size": spec.dimension, "distance": mapping::distance_name(spec.distance) });
        if let Some(memory) = &self.config.vectors_memory {
            dense["memory"] = json!(memory);
        }
        let mut body = match &spec.lexical {
            Some(_) => json!({
                "vectors": { mapping::DENSE_VECTOR: dense },
                "sparse_vectors": { mapping::SPARSE_VECTOR: { "modifier": "idf" } },
            }),
            None => json!({ "vectors": dense }),
        };
        for (key, value) in [
            ("shard_number", self.config.shard_number),
            ("replication_factor", self.config.replication_factor),
            ("write_consistency_factor", self.config.write_consistency_factor),
        ] {
            if let Some(v) = value {
                body[key] = json!(v);
            }
        }
        let url = self.client.collection_url(&spec.name, "");
        let what = format!("create collection `{}`", spec.name);
        self.client.call(Request::put(url), body.to_string(), Repeat::Once, &what)?;
        log::info!(
            "created collection `{}`: {} dimensions, {} distance, model {}{}",
            spec.name,
            spec.dimension,
            mapping::distance_name(spec.distance),
            spec.model,
            spec.lexical.as_deref().map(|l| format!(", lexical {l}")).unwrap_or_default()
        );
        Ok(())
    }

    fn overwrite_payloads(&mut self, collection: &str, items: Vec<Item>) -> Result<()> {
        let what = format!("update payloads in `{collection}`");
        if self.batch_updates != Some(false) {
            let ops = mapping::overwrite_operations(items.clone());
            let url = self.client.write_url(collection, "/points/batch");
            let overhead = mapping::BATCH.0.len() + mapping::BATCH.1.len();
            let runs =
                mapping::split(&ops, self.config.max_points_per_request, self.config.max_request_bytes, overhead);
            for run in runs {
                let body = mapping::join(mapping::BATCH.0, &ops[run], mapping::BATCH.1);
                let response = self.client.call_raw(Request::post(&url), body, Repeat::Safe)?;
                // A route the server does not know answers 404 without Qdrant's error body
                // (or 405); a missing collection answers 404 with one.
                let unsupported = response.status == 405
                    || (response.status == 404 && mapping::error_message(&response.body).is_none());
                if unsupported && self.batch_updates.is_none() {
                    log::info!("the server has no batch update endpoint; updating payloads one payload at a time");
                    self.batch_updates = Some(false);
                    break;
                }
                client::result(response, &what)?;
                self.batch_updates = Some(true);
            }
            if self.batch_updates == Some(true) {
                return Ok(());
            }
        }
        let url = self.client.write_url(collection, "/points/payload");
        for item in items {
            self.client.call(Request::put(&url), item.json, Repeat::Safe, &what)?;
        }
        Ok(())
    }
}

impl Sink for Qdrant {
    type Config = Config;
    const LEXICAL: bool = true;

    fn configure(config: Config) -> Result<Self> {
        let base = config.validate()?;
        let api_key = weir_sdk::secret("api_key").filter(|k| !k.is_empty());
        let client = Client::new(base, api_key, config.wait);
        Ok(Self { config, client, shapes: HashMap::new(), batch_updates: None })
    }

    fn describe(&mut self, collection: &str) -> Result<CollectionInfo> {
        Ok(self.lookup(collection)?.map_or_else(CollectionInfo::missing, |d| Self::info(&d)))
    }

    fn prepare(&mut self, spec: CollectionSpec) -> Result<CollectionInfo> {
        if spec.name.is_empty() {
            return Err(Error::config("the collection name is empty"));
        }
        if spec.dimension == 0 {
            return Err(Error::config(format_args!("collection `{}`: the vector dimension is 0", spec.name)));
        }
        let wanted = (spec.dimension, mapping::distance_name(spec.distance));
        let mut existing = self.lookup(&spec.name)?;
        if existing.is_none() {
            if let Err(e) = self.create_collection(&spec) {
                // Another writer may have created it meanwhile; then compare with that one.
                existing = self.lookup(&spec.name)?;
                if existing.is_none() {
                    return Err(e);
                }
            } else {
                let (named_vectors, sparse_vectors) = match spec.lexical {
                    Some(_) => {
                        (vec![mapping::DENSE_VECTOR.to_owned()], vec![(mapping::SPARSE_VECTOR.to_owned(), true)])
                    }
                    None => (Vec::new(), Vec::new()),
                };
                existing = Some(Described {
                    dimension: Some(spec.dimension),
                    distance: Some(spec.distance),
                    named_vectors,
                    sparse_vectors,
                    points: 0,
                    indexes: Default::default(),
                });
            }
        }
        let Some(mut found) = existing else {
            return Err(Error::transient(format_args!("collection `{}` vanished while being prepared", spec.name)));
        };
        match &spec.lexical {
            None if !found.dense_only() => {
                return Err(Error::config(format_args!(
                    "collection `{}` holds {}; weir writes one unnamed {}-dimensional {} vector per point into a \
                     dense-only collection: use another collection or rebuild",
                    spec.name,
                    found.layout(),
                    wanted.0,
                    wanted.1
                )));
            }
            Some(lexical) if !found.lexical() => {
                return Err(Error::config(format_args!(
                    "collection `{}` holds {}; a hybrid pipeline (lexical {lexical}) writes a named dense vector \
                     `{}` and an IDF-weighted sparse vector `{}`: nothing was written: rebuild it into a new collection",
                    spec.name,
                    found.layout(),
                    mapping::DENSE_VECTOR,
                    mapping::SPARSE_VECTOR
                )));
            }
            _ => {}
        }
        let have = (found.dimension.unwrap_or(0), found.distance.map_or("unknown", mapping::distance_name));
        if have != wanted {
            return Err(Error::config(format_args!(
                "collection `{}` holds {}-dimensional {} vectors, but model `{}` writes {}-dimensional {} vectors; \
                 nothing was written: use another collection or rebuild",
                spec.name, have.0, have.1, spec.model, wanted.0, wanted.1
            )));
        }
        for index in &spec.payload_indexes {
            let schema = mapping::index_schema(index.kind);
            if found.indexes.get(&index.field).map(String::as_str) == Some(schema) {
                continue;
            }
            let body = json!({ "field_name": index.field, "field_schema": schema }).to_string();
            let url = self.client.write_url(&spec.name, "/index");
            let what = format!("index `{}` of `{}`", index.field, spec.name);
            self.client.call(Request::put(url), body, Repeat::Safe, &what)?;
            log::info!("indexed payload field `{}` of `{}` as {schema}", index.field, spec.name);
            found.indexes.insert(index.field.clone(), schema.to_owned());
        }
        self.shapes
            .insert(spec.name.clone(), Shape { dimension: Some(spec.dimension), lexical: spec.lexical.is_some() });
        Ok(Self::info(&found))
    }

    fn upsert(&mut self, collection: &str, points: Vec<Point>) -> Result<()> {
        if points.is_empty() {
            return Ok(());
        }
        let shape = self.shape(collection)?;
        let items = mapping::point_items(&points, shape.dimension, shape.lexical)?;
        let url = self.client.write_url(collection, "/points");
        let what = format!("upsert into `{collection}`");
        let overhead = mapping::UPSERT.0.len() + mapping::UPSERT.1.len();
        let runs = mapping::split(&items, self.config.max_points_per_request, self.config.max_request_bytes, overhead);
        for run in runs {
            let body = mapping::join(mapping::UPSERT.0, &items[run], mapping::UPSERT.1);
            self.client.call(Request::put(&url), body, Repeat::Safe, &what)?;
        }
        Ok(())
    }

    fn set_payload(&mut self, collection: &str, updates: Vec<PayloadUpdate>) -> Result<()> {
        if updates.is_empty() {
            return Ok(());
        }
        let items = mapping::payload_items(&updates, self.config.max_points_per_request)?;
        self.overwrite_payloads(collection, items)
    }

    fn delete(&mut self, collection: &str, ids: Vec<String>) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let url = self.client.write_url(collection, "/points/delete");
        self.send_split(&url, &mapping::id_items(&ids), mapping::DELETE, &format!("delete from `{collection}`"))
    }

    fn count(&mut self, collection: &str) -> Result<u64> {
        let url = self.client.collection_url(collection, "/points/count");
        let what = format!("count `{collection}`");
        let result = self.client.call(Request::post(url), r#"{"exact":true}"#.to_owned(), Repeat::Safe, &what)?;
        result
            .get("count")
            .and_then(serde_json::Value::as_u64)
            .ok_or_else(|| Error::invalid_data(format_args!("Qdrant {what}: the answer has no count")))
    }

    fn search(&mut self, collection: &str, query: Query) -> Result<Vec<ScoredPoint>> {
        if query.k == 0 {
            return Ok(Vec::new());
        }
        let shape = self.shape(collection)?;
        let what = format!("query `{collection}`");
        match mapping::search(&query, shape.lexical, shape.dimension, collection)? {
            Search::Query(body) => {
                let url = self.client.collection_url(collection, "/points/query");
                let result = self.client.call(Request::post(url), body.to_string(), Repeat::Safe, &what)?;
                mapping::scored_points(&result)
            }
            Search::Scroll(body) => {
                let url = self.client.collection_url(collection, "/points/scroll");
                let result = self.client.call(Request::post(url), body.to_string(), Repeat::Safe, &what)?;
                mapping::scrolled_points(&result)
            }
        }
    }

    fn switch_alias(&mut self, alias: &str, collection: &str) -> Result<()> {
        if alias.is_empty() || alias == collection {
            return Err(Error::config(format_args!("cannot point alias `{alias}` at `{collection}`")));
        }
        // Qdrant refuses to delete an alias that does not exist, so the delete is sent only
        // when it does; both actions are applied as one.
        let current = self.alias_target(alias)?;
        if current.as_deref() == Some(collection) {
            return Ok(());
        }
        let mut actions = Vec::with_capacity(2);
        if current.is_some() {
            actions.push(json!({ "delete_alias": { "alias_name": alias } }));
        }
        actions.push(json!({ "create_alias": { "collection_name": collection, "alias_name": alias } }));
        let body = json!({ "actions": actions }).to_string();
        let what = format!("point alias `{alias}` at `{collection}`");
        self.client.call(Request::post(self.client.url("/collections/aliases")), body, Repeat::Once, &what)?;
        log::info!("alias `{alias}` now points at `{collection}` (was {})", current.as_deref().unwrap_or("unset"));
        self.shapes.clear();
        Ok(())
    }

    fn drop_collection(&mut self, collection: &str) -> Result<()> {
        let what = format!("drop collection `{collection}`");
        if self.client.delete(self.client.collection_url(collection, ""), &what)? {
            log::info!("dropped collection `{collection}`");
        }
        // Aliases of the dropped collection went with it.
        self.shapes.clear();
        Ok(())
    }
}

weir_sdk::export_sink!(Qdrant);
