//! Qdrant's REST API (the subset listed in the crate docs), answered in Qdrant's envelope.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use qdrant_edge::{Filter, PayloadFieldSchema, PointId, Record, ScoredPoint, WithPayloadInterface, WithVector};
use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::error::{ApiError, ApiErrorKind};
use crate::ops::{self, NewPoint, Query, Selector};
use crate::store::{AliasAction, CollectionMeta, Distance, Store};

/// Qdrant API version whose REST and gRPC shapes this server follows.
pub const API_VERSION: &str = "1.19.0";
/// `title` of `GET /`.
pub const TITLE: &str = "qdrant-local - vector search engine";

/// Largest request body accepted (Qdrant's default `max_request_size_mb`).
const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

type AppState = Arc<Store>;

/// The REST router over a store.
pub(crate) fn router(store: Arc<Store>, api_key: Option<String>) -> Router {
    let api_key: Option<Arc<str>> = api_key.map(Into::into);
    Router::new()
        .route("/", get(root))
        .route("/healthz", get(|| health("healthz check passed")))
        .route("/livez", get(|| health("livez check passed")))
        .route("/readyz", get(|| health("all shards are ready")))
        .route("/collections", get(list_collections))
        .route("/aliases", get(list_aliases))
        .route("/collections/aliases", post(change_aliases))
        .route("/collections/{name}", get(get_collection).put(create_collection).delete(delete_collection))
        .route("/collections/{name}/exists", get(collection_exists))
        .route("/collections/{name}/aliases", get(collection_aliases))
        .route("/collections/{name}/index", put(create_index))
        .route("/collections/{name}/index/{field}", axum::routing::delete(delete_index))
        .route("/collections/{name}/points", put(upsert).post(get_points))
        .route("/collections/{name}/points/{id}", get(get_point))
        .route("/collections/{name}/points/payload", post(set_payload).put(overwrite_payload))
        .route("/collections/{name}/points/payload/delete", post(delete_payload))
        .route("/collections/{name}/points/payload/clear", post(clear_payload))
        .route("/collections/{name}/points/delete", post(delete_points))
        .route("/collections/{name}/points/batch", post(batch_update))
        .route("/collections/{name}/points/scroll", post(scroll))
        .route("/collections/{name}/points/count", post(count))
        .route("/collections/{name}/points/search", post(search))
        .route("/collections/{name}/points/search/batch", post(search_batch))
        .route("/collections/{name}/points/query", post(query))
        .route("/collections/{name}/points/query/batch", post(query_batch))
        .fallback(not_found)
        .layer(axum::middleware::from_fn(move |req, next| authorize(api_key.clone(), req, next)))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(store)
}

// ---------------------------------------------------------------- envelope and errors

/// Qdrant's API-key check: the key in `api-key` or as a bearer token; health checks are open.
async fn authorize(key: Option<Arc<str>>, req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let Some(key) = key else { return next.run(req).await };
    if matches!(req.uri().path(), "/healthz" | "/livez" | "/readyz") {
        return next.run(req).await;
    }
    let headers = req.headers();
    let given = headers.get("api-key").and_then(|v| v.to_str().ok()).or_else(|| {
        headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "))
    });
    if given.is_some_and(|g| constant_time_eq(g.as_bytes(), key.as_bytes())) {
        return next.run(req).await;
    }
    let message = if given.is_some() {
        "Invalid API key or JWT"
    } else {
        "Must provide an API key or an Authorization bearer token"
    };
    let body = json!({ "status": { "error": message }, "time": 0.0 });
    (StatusCode::UNAUTHORIZED, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

/// Compares without an early exit, so the time taken does not tell how much of a key matched.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn elapsed(start: Instant) -> f64 {
    start.elapsed().as_secs_f64()
}

fn status_of(kind: ApiErrorKind) -> StatusCode {
    match kind {
        ApiErrorKind::BadRequest => StatusCode::BAD_REQUEST,
        ApiErrorKind::NotFound => StatusCode::NOT_FOUND,
        ApiErrorKind::Conflict => StatusCode::CONFLICT,
        ApiErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn error_response(start: Instant, e: &ApiError) -> Response {
    let body = json!({ "status": { "error": e.message }, "time": elapsed(start) });
    (status_of(e.kind), axum::Json(body)).into_response()
}

/// Wraps a result in `{"result":…,"status":"ok","time":…}` or Qdrant's error shape.
fn reply<T: Serialize>(start: Instant, res: Result<T, ApiError>) -> Response {
    match res {
        Ok(result) => {
            let body = json!({ "result": result, "status": "ok", "time": elapsed(start) });
            (StatusCode::OK, axum::Json(body)).into_response()
        }
        Err(e) => error_response(start, &e),
    }
}

async fn not_found() -> Response {
    error_response(Instant::now(), &ApiError::not_found("no such endpoint"))
}

/// Parses a JSON body; an empty body reads as `{}`.
fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) { b"{}" } else { body };
    serde_json::from_slice(body).map_err(|e| ApiError::bad_request(format!("Format error in JSON body: {e}")))
}

/// Runs blocking engine work off the async threads.
async fn blocking<T, F>(f: F) -> Result<T, ApiError>
where
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(f).await.map_err(|e| ApiError::internal(format!("worker failed: {e}")))?
}

/// `wait` query parameter: updates always finish before the answer; it only picks the status.
fn wait_param(q: Option<&str>) -> Result<bool, ApiError> {
    for pair in q.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if k == "wait" {
            return match v {
                "true" | "" => Ok(true),
                "false" => Ok(false),
                other => {
                    Err(ApiError::bad_request(format!("Query deserialize error: invalid value `{other}` for `wait`")))
                }
            };
        }
    }
    Ok(false)
}

fn update_result(op: u64, wait: bool) -> Value {
    json!({ "operation_id": op, "status": if wait { "completed" } else { "acknowledged" } })
}

// ---------------------------------------------------------------- JSON shapes

/// A dense vector given either as a list or as `{"": [...]}` (the unnamed vector by name).
#[derive(Debug)]
struct DenseInput(Vec<f32>);

impl<'de> Deserialize<'de> for DenseInput {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = DenseInput;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of numbers (this server supports one unnamed dense vector)")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<DenseInput, A::Error> {
                let mut v = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(x) = seq.next_element::<f32>()? {
                    v.push(x);
                }
                Ok(DenseInput(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<DenseInput, A::Error> {
                let mut out = None;
                while let Some(k) = map.next_key::<String>()? {
                    if !k.is_empty() {
                        return Err(de::Error::custom(format!("Not existing vector name error: {k}")));
                    }
                    out = Some(map.next_value::<DenseInput>()?);
                }
                out.ok_or_else(|| de::Error::custom("empty vector map"))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize)]
struct PointIn {
    id: PointId,
    vector: DenseInput,
    #[serde(default)]
    payload: Option<Map<String, Value>>,
}

#[derive(Deserialize)]
struct BatchIn {
    ids: Vec<PointId>,
    vectors: Vec<DenseInput>,
    #[serde(default)]
    payloads: Option<Vec<Option<Map<String, Value>>>>,
}

#[derive(Deserialize)]
struct UpsertIn {
    #[serde(default)]
    points: Option<Vec<PointIn>>,
    #[serde(default)]
    batch: Option<BatchIn>,
}

fn default_true() -> WithPayloadInterface {
    WithPayloadInterface::Bool(true)
}

fn no_vector() -> WithVector {
    WithVector::Bool(false)
}

#[derive(Deserialize)]
struct GetPointsIn {
    ids: Vec<PointId>,
    #[serde(default = "default_true")]
    with_payload: WithPayloadInterface,
    #[serde(default = "no_vector", alias = "with_vectors")]
    with_vector: WithVector,
}

#[derive(Deserialize)]
struct SelectorIn {
    #[serde(default)]
    points: Option<Vec<PointId>>,
    #[serde(default)]
    filter: Option<Filter>,
}

impl SelectorIn {
    fn into_selector(self) -> Result<Selector, ApiError> {
        match (self.points, self.filter) {
            (Some(ids), None) => Ok(Selector::Ids(ids)),
            (None, Some(f)) => Ok(Selector::Filter(f)),
            (Some(_), Some(_)) => Err(ApiError::bad_request("either `points` or `filter` is required, not both")),
            (None, None) => Err(ApiError::bad_request("either `points` or `filter` is required")),
        }
    }
}

#[derive(Deserialize)]
struct SetPayloadIn {
    payload: Map<String, Value>,
    #[serde(default)]
    points: Option<Vec<PointId>>,
    #[serde(default)]
    filter: Option<Filter>,
    #[serde(default)]
    key: Option<String>,
}

#[derive(Deserialize)]
struct DeletePayloadIn {
    keys: Vec<String>,
    #[serde(default)]
    points: Option<Vec<PointId>>,
    #[serde(default)]
    filter: Option<Filter>,
}

fn default_scroll_limit() -> usize {
    10
}

#[derive(Deserialize)]
struct ScrollIn {
    #[serde(default)]
    filter: Option<Filter>,
    #[serde(default = "default_scroll_limit")]
    limit: usize,
    #[serde(default)]
    offset: Option<PointId>,
    #[serde(default = "default_true")]
    with_payload: WithPayloadInterface,
    #[serde(default = "no_vector", alias = "with_vectors")]
    with_vector: WithVector,
    #[serde(default)]
    order_by: Option<Value>,
}

#[derive(Deserialize)]
struct CountIn {
    #[serde(default)]
    filter: Option<Filter>,
}

fn no_payload() -> WithPayloadInterface {
    WithPayloadInterface::Bool(false)
}

#[derive(Deserialize)]
struct SearchIn {
    vector: SearchVector,
    #[serde(default)]
    filter: Option<Filter>,
    limit: usize,
    #[serde(default)]
    offset: Option<usize>,
    #[serde(default = "no_payload")]
    with_payload: WithPayloadInterface,
    #[serde(default = "no_vector", alias = "with_vectors")]
    with_vector: WithVector,
    #[serde(default)]
    score_threshold: Option<f32>,
}

/// `vector` of a search: a list, or `{"name": "", "vector": [...]}`.
#[derive(Deserialize)]
#[serde(untagged)]
enum SearchVector {
    Plain(Vec<f32>),
    Named { name: String, vector: Vec<f32> },
}

impl SearchVector {
    fn into_dense(self) -> Result<Vec<f32>, ApiError> {
        match self {
            Self::Plain(v) => Ok(v),
            Self::Named { name, vector } if name.is_empty() => Ok(vector),
            Self::Named { name, .. } => Err(ApiError::bad_request(format!("Not existing vector name error: {name}"))),
        }
    }
}

fn default_query_limit() -> usize {
    10
}

#[derive(Deserialize)]
struct QueryIn {
    #[serde(default)]
    query: Option<Value>,
    #[serde(default)]
    prefetch: Option<Value>,
    #[serde(default)]
    using: Option<String>,
    #[serde(default)]
    filter: Option<Filter>,
    #[serde(default = "default_query_limit")]
    limit: usize,
    #[serde(default)]
    offset: Option<usize>,
    #[serde(default = "no_payload")]
    with_payload: WithPayloadInterface,
    #[serde(default = "no_vector", alias = "with_vectors")]
    with_vector: WithVector,
    #[serde(default)]
    score_threshold: Option<f32>,
}

impl QueryIn {
    fn into_query(self) -> Result<Query, ApiError> {
        if self.prefetch.as_ref().is_some_and(|p| !p.is_null()) {
            return Err(ApiError::bad_request("`prefetch` is not supported by qdrant-local"));
        }
        if let Some(using) = self.using.as_deref()
            && !using.is_empty()
        {
            return Err(ApiError::bad_request(format!("Not existing vector name error: {using}")));
        }
        let vector = match self.query {
            None | Some(Value::Null) => None,
            Some(Value::Object(mut o)) if o.len() == 1 && o.contains_key("nearest") => {
                Some(dense_from_value(o.remove("nearest").unwrap_or(Value::Null))?)
            }
            Some(v @ Value::Array(_)) => Some(dense_from_value(v)?),
            Some(_) => {
                return Err(ApiError::bad_request(
                    "qdrant-local supports `query` as a dense vector or `{\"nearest\": vector}` only",
                ));
            }
        };
        Ok(Query {
            vector,
            filter: self.filter,
            limit: self.limit,
            offset: self.offset.unwrap_or(0),
            score_threshold: self.score_threshold,
            with_payload: self.with_payload,
            with_vector: self.with_vector,
        })
    }
}

fn dense_from_value(v: Value) -> Result<Vec<f32>, ApiError> {
    serde_json::from_value::<Vec<f32>>(v)
        .map_err(|e| ApiError::bad_request(format!("qdrant-local supports dense vector queries only: {e}")))
}

#[derive(Deserialize)]
struct VectorParamsIn {
    size: usize,
    distance: Distance,
    #[serde(default)]
    on_disk: Option<bool>,
    #[serde(default)]
    memory: Option<String>,
}

#[derive(Deserialize)]
struct CreateCollectionIn {
    vectors: Option<Value>,
}

#[derive(Deserialize)]
struct CreateIndexIn {
    field_name: String,
    #[serde(default)]
    field_schema: Option<PayloadFieldSchema>,
}

#[derive(Deserialize)]
struct NamesIn {
    collection_name: String,
    alias_name: String,
}

#[derive(Deserialize)]
struct AliasNameIn {
    alias_name: String,
}

#[derive(Deserialize)]
struct RenameIn {
    old_alias_name: String,
    new_alias_name: String,
}

#[derive(Deserialize)]
enum AliasActionIn {
    #[serde(rename = "create_alias")]
    Create(NamesIn),
    #[serde(rename = "delete_alias")]
    Delete(AliasNameIn),
    #[serde(rename = "rename_alias")]
    Rename(RenameIn),
}

#[derive(Deserialize)]
struct ChangeAliasesIn {
    actions: Vec<AliasActionIn>,
}

// ---------------------------------------------------------------- output shapes

fn vector_json(v: Option<&qdrant_edge::VectorStructInternal>) -> Value {
    match v.and_then(ops::dense_of) {
        Some(d) => json!(d),
        None => Value::Null,
    }
}

fn payload_json(p: Option<qdrant_edge::Payload>) -> Value {
    p.map_or(Value::Null, |p| Value::Object(p.0))
}

/// A record as Qdrant prints it.
pub(crate) fn record_json(r: Record) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), json!(r.id));
    o.insert("payload".into(), payload_json(r.payload));
    o.insert("vector".into(), vector_json(r.vector.as_ref()));
    Value::Object(o)
}

fn scored_json(p: ScoredPoint) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), json!(p.id));
    o.insert("version".into(), json!(p.version));
    o.insert("score".into(), json!(p.score));
    o.insert("payload".into(), payload_json(p.payload));
    o.insert("vector".into(), vector_json(p.vector.as_ref()));
    Value::Object(o)
}

/// `CollectionInfo` of a collection.
fn collection_info(c: &crate::store::Collection) -> Result<Value, ApiError> {
    let info = c.shard()?.info();
    let points = c.count_all().map_err(ApiError::from_engine)?;
    let mut payload_schema: HashMap<String, Value> = HashMap::new();
    for (k, v) in info.payload_schema {
        let v = serde_json::to_value(v).map_err(ApiError::internal)?;
        payload_schema.insert(k.to_string(), v);
    }
    Ok(json!({
        "status": "green",
        "optimizer_status": "ok",
        "indexed_vectors_count": info.indexed_vectors_count,
        "points_count": points,
        "segments_count": info.segments_count,
        "config": {
            "params": {
                "vectors": {
                    "size": c.meta.size, "distance": c.meta.distance,
                    "on_disk": c.meta.on_disk, "memory": c.meta.memory()
                },
                "shard_number": 1,
                "replication_factor": 1,
                "write_consistency_factor": 1,
                "on_disk_payload": true
            },
            "hnsw_config": {
                "m": 16, "ef_construct": 100, "full_scan_threshold": 10000,
                "max_indexing_threads": 0, "on_disk": false
            },
            "optimizer_config": {
                "deleted_threshold": 0.2, "vacuum_min_vector_number": 1000,
                "default_segment_number": 0, "max_segment_size": null,
                "memmap_threshold": null, "indexing_threshold": 20000,
                "flush_interval_sec": 5, "max_optimization_threads": null
            },
            "wal_config": { "wal_capacity_mb": 32, "wal_segments_ahead": 0 },
            "quantization_config": null
        },
        "payload_schema": payload_schema
    }))
}

// ---------------------------------------------------------------- handlers

async fn root() -> Response {
    axum::Json(json!({ "title": TITLE, "version": API_VERSION })).into_response()
}

async fn health(text: &'static str) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response()
}

async fn list_collections(State(s): State<AppState>) -> Response {
    let t = Instant::now();
    let names: Vec<Value> = s.names().into_iter().map(|n| json!({ "name": n })).collect();
    reply(t, Ok(json!({ "collections": names })))
}

fn aliases_json(pairs: Vec<(String, String)>) -> Value {
    let list: Vec<Value> = pairs.into_iter().map(|(a, c)| json!({ "alias_name": a, "collection_name": c })).collect();
    json!({ "aliases": list })
}

async fn list_aliases(State(s): State<AppState>) -> Response {
    let t = Instant::now();
    reply(t, Ok(aliases_json(s.aliases(None))))
}

async fn collection_aliases(State(s): State<AppState>, Path(name): Path<String>) -> Response {
    let t = Instant::now();
    let res = if s.exists(&name) {
        Ok(aliases_json(s.aliases(Some(&name))))
    } else {
        Err(ApiError::collection_not_found(&name))
    };
    reply(t, res)
}

async fn change_aliases(State(s): State<AppState>, body: Bytes) -> Response {
    let t = Instant::now();
    let res = async {
        let req: ChangeAliasesIn = parse(&body)?;
        let actions: Vec<AliasAction> = req
            .actions
            .into_iter()
            .map(|a| match a {
                AliasActionIn::Create(n) => AliasAction::Create { collection: n.collection_name, alias: n.alias_name },
                AliasActionIn::Delete(n) => AliasAction::Delete { alias: n.alias_name },
                AliasActionIn::Rename(r) => AliasAction::Rename { old: r.old_alias_name, new: r.new_alias_name },
            })
            .collect();
        blocking(move || s.change_aliases(&actions)).await?;
        Ok(true)
    }
    .await;
    reply(t, res)
}

async fn get_collection(State(s): State<AppState>, Path(name): Path<String>) -> Response {
    let t = Instant::now();
    let res = async {
        let c = s.resolve(&name)?;
        blocking(move || collection_info(&c)).await
    }
    .await;
    reply(t, res)
}

async fn collection_exists(State(s): State<AppState>, Path(name): Path<String>) -> Response {
    let t = Instant::now();
    reply(t, Ok(json!({ "exists": s.exists(&name) })))
}

/// Reads `vectors` of a create request: one unnamed dense vector.
pub(crate) fn parse_vectors(vectors: Option<Value>) -> Result<CollectionMeta, ApiError> {
    let Some(v) = vectors else {
        return Err(ApiError::bad_request(
            "`vectors` is required: qdrant-local stores one unnamed dense vector per point",
        ));
    };
    let single = match v {
        Value::Object(ref o) if o.contains_key("size") => v,
        Value::Object(mut o) if o.len() == 1 && o.contains_key("") => o.remove("").unwrap_or(Value::Null),
        _ => {
            return Err(ApiError::bad_request(
                "named vectors are not supported by qdrant-local: give `vectors` as {\"size\": N, \"distance\": \"Cosine\"}",
            ));
        }
    };
    let p: VectorParamsIn =
        serde_json::from_value(single).map_err(|e| ApiError::bad_request(format!("Format error in JSON body: {e}")))?;
    let on_disk = CollectionMeta::vectors_on_disk(p.on_disk, p.memory.as_deref()).map_err(ApiError::bad_request)?;
    Ok(CollectionMeta { size: p.size, distance: p.distance, on_disk })
}

async fn create_collection(State(s): State<AppState>, Path(name): Path<String>, body: Bytes) -> Response {
    let t = Instant::now();
    let res = async {
        let req: CreateCollectionIn = parse(&body)?;
        let meta = parse_vectors(req.vectors)?;
        blocking(move || s.create(&name, meta)).await?;
        Ok(true)
    }
    .await;
    reply(t, res)
}

async fn delete_collection(State(s): State<AppState>, Path(name): Path<String>) -> Response {
    let t = Instant::now();
    let res = blocking(move || s.delete(&name)).await;
    reply(t, res)
}

async fn create_index(
    State(s): State<AppState>,
    Path(name): Path<String>,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    let t = Instant::now();
    let res = async {
        let wait = wait_param(q.as_deref())?;
        let req: CreateIndexIn = parse(&body)?;
        let c = s.resolve(&name)?;
        let op = blocking(move || ops::create_index(&c, &req.field_name, req.field_schema)).await?;
        Ok(update_result(op, wait))
    }
    .await;
    reply(t, res)
}

async fn delete_index(
    State(s): State<AppState>,
    Path((name, field)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> Response {
    let t = Instant::now();
    let res = async {
        let wait = wait_param(q.as_deref())?;
        let c = s.resolve(&name)?;
        let op = blocking(move || ops::delete_index(&c, &field)).await?;
        Ok(update_result(op, wait))
    }
    .await;
    reply(t, res)
}

/// The points of an upsert body, in either of Qdrant's shapes (a list or a batch).
fn new_points(req: UpsertIn) -> Result<Vec<NewPoint>, ApiError> {
    let points: Vec<NewPoint> = match (req.points, req.batch) {
        (Some(points), None) => points
            .into_iter()
            .map(|p| NewPoint { id: p.id, vector: p.vector.0, payload: p.payload.unwrap_or_default() })
            .collect(),
        (None, Some(b)) => {
            let n = b.ids.len();
            if b.vectors.len() != n || b.payloads.as_ref().is_some_and(|p| p.len() != n) {
                return Err(ApiError::bad_request("batch: `ids`, `vectors` and `payloads` must have the same length"));
            }
            let mut payloads = b.payloads.unwrap_or_default().into_iter();
            b.ids
                .into_iter()
                .zip(b.vectors)
                .map(|(id, v)| NewPoint { id, vector: v.0, payload: payloads.next().flatten().unwrap_or_default() })
                .collect()
        }
        _ => {
            return Err(ApiError::bad_request("exactly one of `points` or `batch` is required"));
        }
    };
    Ok(points)
}

async fn upsert(State(s): State<AppState>, Path(name): Path<String>, RawQuery(q): RawQuery, body: Bytes) -> Response {
    let t = Instant::now();
    let res = async {
        let wait = wait_param(q.as_deref())?;
        let c = s.resolve(&name)?;
        let op = blocking(move || {
            let req: UpsertIn = parse(&body)?;
            let points = new_points(req)?;
            ops::upsert(&c, points)
        })
        .await?;
        Ok(update_result(op, wait))
    }
    .await;
    reply(t, res)
}

#[derive(Debug, Deserialize)]
struct BatchUpdateIn {
    operations: Vec<Map<String, Value>>,
}

/// `POST /collections/{name}/points/batch`: the operations in order, one flush for all.
async fn batch_update(
    State(s): State<AppState>,
    Path(name): Path<String>,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    let t = Instant::now();
    let res = async {
        let wait = wait_param(q.as_deref())?;
        let c = s.resolve(&name)?;
        let seq = blocking(move || {
            let req: BatchUpdateIn = parse(&body)?;
            let mut updates = Vec::with_capacity(req.operations.len());
            for (i, op) in req.operations.into_iter().enumerate() {
                let (kind, args) = match op.into_iter().next() {
                    Some(one) => one,
                    None => return Err(ApiError::bad_request(format!("operations[{i}]: an empty operation"))),
                };
                let args = args.to_string();
                let args = args.as_bytes();
                let update = match kind.as_str() {
                    "upsert" => ops::upsert_op(&c, new_points(parse(args)?)?)?,
                    "delete" => ops::delete_op(parse::<SelectorIn>(args)?.into_selector()?),
                    "set_payload" | "overwrite_payload" => {
                        let req: SetPayloadIn = parse(args)?;
                        let sel = SelectorIn { points: req.points, filter: req.filter }.into_selector()?;
                        ops::set_payload_op(req.payload, sel, req.key, kind == "overwrite_payload")?
                    }
                    "delete_payload" => {
                        let req: DeletePayloadIn = parse(args)?;
                        let sel = SelectorIn { points: req.points, filter: req.filter }.into_selector()?;
                        ops::delete_payload_op(&req.keys, sel)?
                    }
                    "clear_payload" => ops::clear_payload_op(parse::<SelectorIn>(args)?.into_selector()?),
                    other => {
                        return Err(ApiError::bad_request(format!(
                            "operations[{i}]: `{other}` is not supported by qdrant-local (upsert, delete, set_payload, \
                             overwrite_payload, delete_payload, clear_payload are)"
                        )));
                    }
                };
                updates.push(update);
            }
            c.update_many(updates)
        })
        .await?;
        Ok(seq.into_iter().map(|op| update_result(op, wait)).collect::<Vec<_>>())
    }
    .await;
    reply(t, res)
}

async fn get_points(State(s): State<AppState>, Path(name): Path<String>, body: Bytes) -> Response {
    let t = Instant::now();
    let res = async {
        let req: GetPointsIn = parse(&body)?;
        let c = s.resolve(&name)?;
        let recs = blocking(move || ops::retrieve(&c, &req.ids, req.with_payload, req.with_vector)).await?;
        Ok(recs.into_iter().map(record_json).collect::<Vec<_>>())
    }
    .await;
    reply(t, res)
}

async fn get_point(State(s): State<AppState>, Path((name, id)): Path<(String, String)>) -> Response {
    let t = Instant::now();
    let res = async {
        let pid: PointId = id.parse().map_err(|()| ApiError::bad_request(format!("Unable to parse UUID: {id}")))?;
        let c = s.resolve(&name)?;
        let recs =
            blocking(move || ops::retrieve(&c, &[pid], WithPayloadInterface::Bool(true), WithVector::Bool(true)))
                .await?;
        recs.into_iter()
            .next()
            .map(record_json)
            .ok_or_else(|| ApiError::not_found(format!("Point with id {id} does not exists!")))
    }
    .await;
    reply(t, res)
}

async fn payload_op(s: AppState, name: String, q: Option<String>, body: Bytes, overwrite: bool) -> Response {
    let t = Instant::now();
    let res = async {
        let wait = wait_param(q.as_deref())?;
        let req: SetPayloadIn = parse(&body)?;
        let sel = SelectorIn { points: req.points, filter: req.filter }.into_selector()?;
        let c = s.resolve(&name)?;
        let op = blocking(move || ops::set_payload(&c, req.payload, sel, req.key, overwrite)).await?;
        Ok(update_result(op, wait))
    }
    .await;
    reply(t, res)
}

async fn set_payload(
    State(s): State<AppState>,
    Path(name): Path<String>,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    payload_op(s, name, q, body, false).await
}

async fn overwrite_payload(
    State(s): State<AppState>,
    Path(name): Path<String>,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    payload_op(s, name, q, body, true).await
}

async fn delete_payload(
    State(s): State<AppState>,
    Path(name): Path<String>,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    let t = Instant::now();
    let res = async {
        let wait = wait_param(q.as_deref())?;
        let req: DeletePayloadIn = parse(&body)?;
        let sel = SelectorIn { points: req.points, filter: req.filter }.into_selector()?;
        let c = s.resolve(&name)?;
        let op = blocking(move || ops::delete_payload(&c, &req.keys, sel)).await?;
        Ok(update_result(op, wait))
    }
    .await;
    reply(t, res)
}

async fn clear_payload(
    State(s): State<AppState>,
    Path(name): Path<String>,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    let t = Instant::now();
    let res = async {
        let wait = wait_param(q.as_deref())?;
        let sel = parse::<SelectorIn>(&body)?.into_selector()?;
        let c = s.resolve(&name)?;
        let op = blocking(move || ops::clear_payload(&c, sel)).await?;
        Ok(update_result(op, wait))
    }
    .await;
    reply(t, res)
}

async fn delete_points(
    State(s): State<AppState>,
    Path(name): Path<String>,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    let t = Instant::now();
    let res = async {
        let wait = wait_param(q.as_deref())?;
        let sel = parse::<SelectorIn>(&body)?.into_selector()?;
        let c = s.resolve(&name)?;
        let op = blocking(move || ops::delete(&c, sel)).await?;
        Ok(update_result(op, wait))
    }
    .await;
    reply(t, res)
}

async fn scroll(State(s): State<AppState>, Path(name): Path<String>, body: Bytes) -> Response {
    let t = Instant::now();
    let res = async {
        let req: ScrollIn = parse(&body)?;
        if req.order_by.as_ref().is_some_and(|o| !o.is_null()) {
            return Err(ApiError::bad_request("`order_by` is not supported by qdrant-local"));
        }
        let c = s.resolve(&name)?;
        let (recs, next) =
            blocking(move || ops::scroll(&c, req.filter, req.limit, req.offset, req.with_payload, req.with_vector))
                .await?;
        let points: Vec<Value> = recs.into_iter().map(record_json).collect();
        Ok(json!({ "points": points, "next_page_offset": next }))
    }
    .await;
    reply(t, res)
}

async fn count(State(s): State<AppState>, Path(name): Path<String>, body: Bytes) -> Response {
    let t = Instant::now();
    let res = async {
        let req: CountIn = parse(&body)?;
        let c = s.resolve(&name)?;
        let n = blocking(move || ops::count(&c, req.filter)).await?;
        Ok(json!({ "count": n }))
    }
    .await;
    reply(t, res)
}

fn search_query(req: SearchIn) -> Result<Query, ApiError> {
    Ok(Query {
        vector: Some(req.vector.into_dense()?),
        filter: req.filter,
        limit: req.limit,
        offset: req.offset.unwrap_or(0),
        score_threshold: req.score_threshold,
        with_payload: req.with_payload,
        with_vector: req.with_vector,
    })
}

async fn run_queries(s: &AppState, name: &str, qs: Vec<Query>) -> Result<Vec<Vec<Value>>, ApiError> {
    let c = s.resolve(name)?;
    blocking(move || {
        qs.into_iter()
            .map(|q| -> Result<Vec<Value>, ApiError> { Ok(ops::query(&c, q)?.into_iter().map(scored_json).collect()) })
            .collect()
    })
    .await
}

async fn search(State(s): State<AppState>, Path(name): Path<String>, body: Bytes) -> Response {
    let t = Instant::now();
    let res = async {
        let q = search_query(parse(&body)?)?;
        let mut out = run_queries(&s, &name, vec![q]).await?;
        Ok(out.pop().unwrap_or_default())
    }
    .await;
    reply(t, res)
}

#[derive(Deserialize)]
struct SearchBatchIn {
    searches: Vec<SearchIn>,
}

async fn search_batch(State(s): State<AppState>, Path(name): Path<String>, body: Bytes) -> Response {
    let t = Instant::now();
    let res = async {
        let req: SearchBatchIn = parse(&body)?;
        let qs = req.searches.into_iter().map(search_query).collect::<Result<_, _>>()?;
        run_queries(&s, &name, qs).await
    }
    .await;
    reply(t, res)
}

async fn query(State(s): State<AppState>, Path(name): Path<String>, body: Bytes) -> Response {
    let t = Instant::now();
    let res = async {
        let q = parse::<QueryIn>(&body)?.into_query()?;
        let mut out = run_queries(&s, &name, vec![q]).await?;
        Ok(json!({ "points": out.pop().unwrap_or_default() }))
    }
    .await;
    reply(t, res)
}

#[derive(Deserialize)]
struct QueryBatchIn {
    searches: Vec<QueryIn>,
}

async fn query_batch(State(s): State<AppState>, Path(name): Path<String>, body: Bytes) -> Response {
    let t = Instant::now();
    let res = async {
        let req: QueryBatchIn = parse(&body)?;
        let qs = req.searches.into_iter().map(QueryIn::into_query).collect::<Result<_, _>>()?;
        let out = run_queries(&s, &name, qs).await?;
        Ok(out.into_iter().map(|points| json!({ "points": points })).collect::<Vec<_>>())
    }
    .await;
    reply(t, res)
}
