//! Qdrant's REST API (the subset listed in the crate docs), answered in Qdrant's envelope.

use std::collections::{BTreeMap, HashMap};
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
use crate::ops::{self, NewPoint, PointVectors, PrefetchQuery, Query, QueryKind, Selector, VectorIn, VectorsOut};
use crate::store::{AliasAction, CollectionMeta, DenseParams, Distance, SparseParams, Store};

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
    serde_json::from_slice(body).map_err(ApiError::format)
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

/// One vector of a point: a dense list or a sparse `{"indices": [...], "values": [...]}`.
#[derive(Debug)]
struct VectorValue(VectorIn);

/// Reads a list of numbers without building an intermediate `Value` (upserts are the bulk of
/// the traffic).
fn dense_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<Vec<f32>, A::Error> {
    let mut v = Vec::with_capacity(seq.size_hint().unwrap_or(0));
    while let Some(x) = seq.next_element::<f32>()? {
        v.push(x);
    }
    Ok(v)
}

impl<'de> Deserialize<'de> for VectorValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = VectorValue;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a dense vector (a list of numbers) or a sparse vector ({\"indices\", \"values\"})")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<VectorValue, A::Error> {
                dense_seq(seq).map(|v| VectorValue(VectorIn::Dense(v)))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<VectorValue, A::Error> {
                let (mut indices, mut values) = (None, None);
                while let Some(k) = map.next_key::<String>()? {
                    match k.as_str() {
                        "indices" => indices = Some(map.next_value::<Vec<u32>>()?),
                        "values" => values = Some(map.next_value::<Vec<f32>>()?),
                        other => {
                            return Err(de::Error::custom(format!(
                                "unknown field `{other}` of a sparse vector (qdrant-local does no inference: \
                                 send vectors, not documents or images)"
                            )));
                        }
                    }
                }
                let indices = indices.ok_or_else(|| de::Error::missing_field("indices"))?;
                let values = values.ok_or_else(|| de::Error::missing_field("values"))?;
                Ok(VectorValue(VectorIn::Sparse { indices, values }))
            }
        }
        d.deserialize_any(V)
    }
}

/// The `vector` of a point: a list (the unnamed dense vector) or an object of named vectors.
#[derive(Debug)]
struct VectorStructIn(PointVectors);

impl<'de> Deserialize<'de> for VectorStructIn {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = VectorStructIn;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of numbers or an object of named vectors")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<VectorStructIn, A::Error> {
                dense_seq(seq).map(|v| VectorStructIn(PointVectors::Single(v)))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<VectorStructIn, A::Error> {
                let mut named = Vec::with_capacity(map.size_hint().unwrap_or(2));
                while let Some(k) = map.next_key::<String>()? {
                    let v = map.next_value::<VectorValue>()?;
                    named.push((k, v.0));
                }
                Ok(VectorStructIn(PointVectors::Named(named)))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize)]
struct PointIn {
    id: PointId,
    vector: VectorStructIn,
    #[serde(default)]
    payload: Option<Map<String, Value>>,
}

#[derive(Deserialize)]
struct BatchIn {
    ids: Vec<PointId>,
    vectors: BatchVectorsIn,
    #[serde(default)]
    payloads: Option<Vec<Option<Map<String, Value>>>>,
}

/// `vectors` of the batch shape: a list of vectors (the unnamed one), or for each vector name
/// a list of vectors.
#[derive(Deserialize)]
#[serde(untagged)]
enum BatchVectorsIn {
    Single(Vec<Vec<f32>>),
    Named(HashMap<String, Vec<VectorValue>>),
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
    #[serde(default)]
    params: Option<SearchParamsIn>,
}

/// `params` of a search, a query or a prefetch (Qdrant's `SearchParams`). `hnsw_ef` and `acorn`
/// tune a search of an HNSW graph, which qdrant-local does not build: accepted, and change
/// nothing.
#[derive(Deserialize)]
struct SearchParamsIn {
    #[serde(default)]
    hnsw_ef: Option<usize>,
    #[serde(default)]
    exact: bool,
    #[serde(default)]
    quantization: Option<QuantizationSearchParamsIn>,
    #[serde(default)]
    indexed_only: bool,
    #[serde(default)]
    #[allow(dead_code)]
    acorn: Option<Value>,
    #[serde(default)]
    idf: Option<Value>,
}

/// `params.quantization` (Qdrant's `QuantizationSearchParams`).
#[derive(Deserialize)]
struct QuantizationSearchParamsIn {
    #[serde(default)]
    ignore: bool,
    #[serde(default)]
    rescore: Option<bool>,
    #[serde(default)]
    oversampling: Option<f64>,
}

/// `params` in engine terms, checked (`at` names it in errors).
fn search_params(at: &str, p: Option<SearchParamsIn>) -> Result<Option<qdrant_edge::SearchParams>, ApiError> {
    let Some(p) = p else { return Ok(None) };
    if p.idf.as_ref().is_some_and(|i| !i.is_null() && i != "global") {
        return Err(ApiError::bad_request(format!(
            "{at}.idf: only collection-wide IDF (`\"global\"`) is supported by qdrant-local"
        )));
    }
    let params = qdrant_edge::SearchParams {
        hnsw_ef: p.hnsw_ef,
        exact: p.exact,
        quantization: p.quantization.map(|q| qdrant_edge::QuantizationSearchParams {
            ignore: q.ignore,
            rescore: q.rescore,
            oversampling: q.oversampling,
        }),
        indexed_only: p.indexed_only,
        acorn: None,
    };
    ops::check_search_params(at, &params)?;
    Ok(Some(params))
}

/// `vector` of a search: a list, or `{"name": …, "vector": …}` with a dense or sparse vector.
#[derive(Deserialize)]
#[serde(untagged)]
enum SearchVector {
    Plain(Vec<f32>),
    Named { name: String, vector: VectorValue },
}

impl SearchVector {
    fn into_query(self) -> Query {
        match self {
            Self::Plain(v) => Query::nearest(VectorIn::Dense(v), None),
            Self::Named { name, vector } => Query::nearest(vector.0, Some(name)),
        }
    }
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
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default)]
    offset: Option<usize>,
    #[serde(default)]
    with_payload: Option<WithPayloadInterface>,
    #[serde(default, alias = "with_vectors")]
    with_vector: Option<WithVector>,
    #[serde(default)]
    score_threshold: Option<f32>,
    #[serde(default)]
    params: Option<SearchParamsIn>,
    #[serde(default)]
    lookup_from: Option<Value>,
}

/// One entry of `prefetch`.
#[derive(Deserialize)]
struct PrefetchIn {
    #[serde(default)]
    prefetch: Option<Value>,
    #[serde(default)]
    query: Option<Value>,
    #[serde(default)]
    using: Option<String>,
    #[serde(default)]
    filter: Option<Filter>,
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default)]
    score_threshold: Option<f32>,
    #[serde(default)]
    params: Option<SearchParamsIn>,
    #[serde(default)]
    lookup_from: Option<Value>,
}

fn no_lookup(lookup_from: Option<&Value>) -> Result<(), ApiError> {
    if lookup_from.is_some_and(|l| !l.is_null()) {
        return Err(ApiError::bad_request("`lookup_from` is not supported by qdrant-local"));
    }
    Ok(())
}

/// `prefetch`: one object, a list of them, or null; each may nest its own.
fn prefetches(v: Option<Value>) -> Result<Vec<PrefetchQuery>, ApiError> {
    let list = match v {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(list)) => list,
        Some(one) => vec![one],
    };
    list.into_iter()
        .map(|p| {
            let p: PrefetchIn = serde_json::from_value(p).map_err(|e| ApiError::format(format!("prefetch: {e}")))?;
            no_lookup(p.lookup_from.as_ref())?;
            Ok(PrefetchQuery {
                prefetch: prefetches(p.prefetch)?,
                query: query_kind(p.query)?,
                using: p.using,
                filter: p.filter,
                limit: p.limit,
                score_threshold: p.score_threshold,
                params: search_params("prefetch.params", p.params)?,
            })
        })
        .collect()
}

/// A `VectorInput`: a dense list or a sparse object. Point ids, documents, images and
/// multi-vectors are refused by name.
fn vector_input(v: Value) -> Result<VectorIn, ApiError> {
    match v {
        Value::Array(ref items) if items.first().is_some_and(Value::is_array) => {
            Err(ApiError::bad_request("multi-vector queries are not supported by qdrant-local"))
        }
        Value::Number(_) | Value::String(_) => Err(ApiError::bad_request(
            "querying by a point id is not supported by qdrant-local: send the vector itself",
        )),
        Value::Object(ref o) if !o.contains_key("indices") && !o.contains_key("values") => {
            Err(ApiError::bad_request("qdrant-local does no inference: send a vector, not a document or an image"))
        }
        other => serde_json::from_value::<VectorValue>(other)
            .map(|v| v.0)
            .map_err(|e| ApiError::format(format!("query: {e}"))),
    }
}

/// `query` of a query or a prefetch (`QueryInterface`): a vector, `{"nearest": vector}`,
/// `{"fusion": "rrf" | "dbsf"}` or `{"rrf": {"k", "weights"}}`.
fn query_kind(v: Option<Value>) -> Result<Option<QueryKind>, ApiError> {
    let o = match v {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(o)) if !o.contains_key("indices") && !o.contains_key("values") => o,
        Some(other) => return vector_input(other).map(|v| Some(QueryKind::Nearest(v))),
    };
    if let Some(nearest) = o.get("nearest") {
        if o.get("mmr").is_some_and(|m| !m.is_null()) {
            return Err(ApiError::bad_request("`mmr` is not supported by qdrant-local"));
        }
        return vector_input(nearest.clone()).map(|v| Some(QueryKind::Nearest(v)));
    }
    if let Some(fusion) = o.get("fusion") {
        return match fusion.as_str() {
            Some("rrf") => Ok(Some(QueryKind::Rrf { k: None, weights: None })),
            Some("dbsf") => Ok(Some(QueryKind::Dbsf)),
            _ => Err(ApiError::format(format!("query.fusion: unknown variant {fusion}, expected `rrf` or `dbsf`"))),
        };
    }
    if let Some(rrf) = o.get("rrf") {
        #[derive(Deserialize)]
        struct RrfIn {
            #[serde(default)]
            k: Option<usize>,
            #[serde(default)]
            weights: Option<Vec<f32>>,
        }
        let r: RrfIn = serde_json::from_value(rrf.clone()).map_err(|e| ApiError::format(format!("query.rrf: {e}")))?;
        return Ok(Some(QueryKind::Rrf { k: r.k, weights: r.weights }));
    }
    let kind = o.keys().next().map_or("an empty", String::as_str);
    Err(ApiError::bad_request(format!(
        "`{kind}` queries are not supported by qdrant-local (a vector, `nearest`, `fusion` and `rrf` are)"
    )))
}

impl QueryIn {
    fn into_query(self) -> Result<Query, ApiError> {
        no_lookup(self.lookup_from.as_ref())?;
        if self.limit == Some(0) {
            return Err(ApiError::validation("limit: value 0 invalid, must be 1 or larger"));
        }
        Ok(Query {
            prefetch: prefetches(self.prefetch)?,
            query: query_kind(self.query)?,
            using: self.using,
            filter: self.filter,
            limit: self.limit.unwrap_or(ops::DEFAULT_LIMIT),
            offset: self.offset.unwrap_or(0),
            score_threshold: self.score_threshold,
            params: search_params("params", self.params)?,
            with_payload: self.with_payload.unwrap_or_else(no_payload),
            with_vector: self.with_vector.unwrap_or_else(no_vector),
        })
    }
}

#[derive(Deserialize)]
struct VectorParamsIn {
    size: usize,
    distance: Distance,
    #[serde(default)]
    on_disk: Option<bool>,
    #[serde(default)]
    memory: Option<String>,
    #[serde(default)]
    multivector_config: Option<Value>,
}

#[derive(Deserialize)]
struct CreateCollectionIn {
    #[serde(default)]
    vectors: Option<Value>,
    #[serde(default)]
    sparse_vectors: Option<Value>,
    /// `None` when left out, `Some(Value::Null)` when null.
    #[serde(default, deserialize_with = "present")]
    quantization_config: Option<Value>,
}

/// A field that may be null, told apart from one left out (`#[serde(default)]` gives `None`).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// `quantization_config` of a create request: left out, qdrant-local's default (scalar int8,
/// see [`crate::store::default_quantization`]); null, none (every dense search an exact scan);
/// or Qdrant's `{"scalar": {"type": "int8", "quantile", "always_ram", "memory"}}`. Product,
/// binary and turbo quantization are refused: they need more candidates rescored to rank as
/// well, which qdrant-local does not tune for.
pub(crate) fn quantization_in(v: Option<Value>) -> Result<Option<qdrant_edge::QuantizationConfig>, ApiError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct ScalarIn {
        r#type: String,
        #[serde(default)]
        quantile: Option<f32>,
        #[serde(default)]
        always_ram: Option<bool>,
        #[serde(default)]
        memory: Option<String>,
    }
    let o = match v {
        None => return crate::store::default_quantization().map(Some),
        Some(Value::Null) => return Ok(None),
        Some(Value::Object(o)) if o.len() == 1 => o,
        Some(other) => {
            return Err(ApiError::format(format!(
                "quantization_config: expected {{\"scalar\": {{\"type\": \"int8\", ...}}}} or null, got {other}"
            )));
        }
    };
    let Some(scalar) = o.get("scalar") else {
        let kind = o.keys().next().map_or("", String::as_str);
        return Err(ApiError::bad_request(format!(
            "`{kind}` quantization is not supported by qdrant-local (`scalar` is, or null for none)"
        )));
    };
    let p: ScalarIn = serde_json::from_value(scalar.clone())
        .map_err(|e| ApiError::format(format!("quantization_config.scalar: {e}")))?;
    if p.r#type != "int8" {
        return Err(ApiError::format(format!(
            "quantization_config.scalar.type: unknown variant `{}`, expected `int8`",
            p.r#type
        )));
    }
    // `memory` (newer) overrides `always_ram`: cached or pinned hold the quantized vectors in
    // memory, cold leaves them where the original vectors are.
    let always_ram = match p.memory.as_deref() {
        None => p.always_ram,
        Some("cached" | "pinned") => Some(true),
        Some("cold") => Some(false),
        Some(other) => {
            return Err(ApiError::format(format!(
                "quantization_config.scalar.memory: unknown variant `{other}`, expected `cold`, `cached` or `pinned`"
            )));
        }
    };
    crate::store::scalar_quantization(p.quantile, always_ram).map(Some)
}

/// A sparse vector's params; `index` (where its index lives, its full-scan threshold) is
/// accepted and left to the engine's defaults: every search here is exact.
#[derive(Deserialize)]
struct SparseParamsIn {
    #[serde(default)]
    modifier: Option<qdrant_edge::Modifier>,
    #[serde(default)]
    #[allow(dead_code)]
    index: Option<Value>,
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

/// A point's vectors as Qdrant prints them (`VectorStructOutput`): a list for the unnamed
/// vector alone, else an object of named vectors, sparse ones as `{"indices", "values"}`.
fn vector_json(v: Option<&qdrant_edge::VectorStructInternal>) -> Value {
    let Some(v) = v else { return Value::Null };
    match ops::vectors_out(v) {
        VectorsOut::Single(d) => json!(d),
        VectorsOut::Named(named) => Value::Object(
            named
                .into_iter()
                .map(|(name, v)| {
                    let v = match v {
                        qdrant_edge::VectorInternal::Dense(d) => json!(d),
                        qdrant_edge::VectorInternal::Sparse(sp) => {
                            json!({ "indices": sp.indices, "values": sp.values })
                        }
                        qdrant_edge::VectorInternal::MultiDense(m) => {
                            json!(m.multi_vectors().map(<[f32]>::to_vec).collect::<Vec<_>>())
                        }
                    };
                    (name.to_owned(), v)
                })
                .collect(),
        ),
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

fn dense_params_json(d: &DenseParams) -> Value {
    json!({ "size": d.size, "distance": d.distance, "on_disk": d.on_disk, "memory": d.memory() })
}

/// `vectors` of a collection's params: the unnamed vector's params, or params by name.
fn vectors_config_json(meta: &CollectionMeta) -> Value {
    match meta.unnamed() {
        Some(d) => dense_params_json(d),
        None => Value::Object(meta.dense.iter().map(|(n, d)| (n.clone(), dense_params_json(d))).collect()),
    }
}

/// `sparse_vectors` of a collection's params (absent without sparse vectors, as in Qdrant).
fn sparse_config_json(meta: &CollectionMeta) -> Value {
    if meta.sparse.is_empty() {
        return Value::Null;
    }
    let params = meta.sparse.iter().map(|(n, sp)| {
        let mut o = Map::new();
        if let Some(m) = sp.modifier {
            o.insert("modifier".into(), json!(m));
        }
        (n.clone(), Value::Object(o))
    });
    Value::Object(params.collect())
}

/// A collection's `quantization_config` as Qdrant prints it. Through JSON text: its `f32`
/// quantile turned into a JSON value directly would print 0.99 as 0.9900000095367432.
fn quantization_json(q: Option<&qdrant_edge::QuantizationConfig>) -> Result<Value, ApiError> {
    let text = serde_json::to_string(&q).map_err(ApiError::internal)?;
    serde_json::from_str(&text).map_err(ApiError::internal)
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
    let mut info = json!({
        "status": "green",
        "optimizer_status": "ok",
        "indexed_vectors_count": info.indexed_vectors_count,
        "points_count": points,
        "segments_count": info.segments_count,
        "config": {
            "params": {
                "vectors": vectors_config_json(&c.meta),
                "sparse_vectors": sparse_config_json(&c.meta),
                "shard_number": 1,
                "replication_factor": 1,
                "write_consistency_factor": 1,
                "on_disk_payload": true
            },
            // `m` 0: no graph (see the crate docs); the rest are Qdrant's defaults, unused.
            "hnsw_config": {
                "m": 0, "ef_construct": 100, "full_scan_threshold": 10000,
                "max_indexing_threads": 0, "on_disk": false
            },
            "optimizer_config": {
                "deleted_threshold": 0.2, "vacuum_min_vector_number": 1000,
                "default_segment_number": 0, "max_segment_size": null,
                "memmap_threshold": null, "indexing_threshold": 20000,
                "flush_interval_sec": 5, "max_optimization_threads": null
            },
            "wal_config": { "wal_capacity_mb": 32, "wal_segments_ahead": 0 },
            "quantization_config": quantization_json(c.quantization()?.as_ref())?
        },
        "payload_schema": payload_schema
    });
    if c.meta.sparse.is_empty()
        && let Some(params) = info.pointer_mut("/config/params").and_then(Value::as_object_mut)
    {
        params.remove("sparse_vectors");
    }
    Ok(info)
}

// ---------------------------------------------------------------- handlers

/// `GET /`: Qdrant's `VersionInfo`. `commit` is Qdrant's build commit; qdrant-local has none
/// of Qdrant's, so it answers null, as the schema allows.
async fn root() -> Response {
    axum::Json(json!({ "title": TITLE, "version": API_VERSION, "commit": Value::Null })).into_response()
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

fn dense_params(at: &str, v: Value) -> Result<DenseParams, ApiError> {
    let p: VectorParamsIn = serde_json::from_value(v).map_err(|e| ApiError::format(format!("{at}: {e}")))?;
    if p.multivector_config.as_ref().is_some_and(|m| !m.is_null()) {
        return Err(ApiError::bad_request("multi-vectors (`multivector_config`) are not supported by qdrant-local"));
    }
    let on_disk = CollectionMeta::vectors_on_disk(p.on_disk, p.memory.as_deref()).map_err(ApiError::bad_request)?;
    Ok(DenseParams { size: p.size, distance: p.distance, on_disk })
}

/// Reads `vectors` and `sparse_vectors` of a create request: one unnamed dense vector
/// (`{"size", "distance"}`) or dense vectors by name, and sparse vectors by name.
pub(crate) fn parse_vectors(vectors: Option<Value>, sparse: Option<Value>) -> Result<CollectionMeta, ApiError> {
    let mut meta = CollectionMeta { dense: BTreeMap::new(), sparse: BTreeMap::new() };
    match vectors {
        None | Some(Value::Null) => {}
        Some(v @ Value::Object(_)) if v.get("size").is_some_and(|s| !s.is_object()) => {
            meta.dense.insert(String::new(), dense_params("vectors", v)?);
        }
        Some(Value::Object(named)) => {
            for (name, v) in named {
                let p = dense_params(&format!("vectors.{name}"), v)?;
                meta.dense.insert(name, p);
            }
        }
        Some(other) => {
            return Err(ApiError::format(format!(
                "vectors: expected {{\"size\", \"distance\"}} or an object of named vector params, got {other}"
            )));
        }
    }
    match sparse {
        None | Some(Value::Null) => {}
        Some(Value::Object(named)) => {
            for (name, v) in named {
                let p: SparseParamsIn =
                    serde_json::from_value(v).map_err(|e| ApiError::format(format!("sparse_vectors.{name}: {e}")))?;
                let modifier = p.modifier.filter(|m| *m != qdrant_edge::Modifier::None);
                meta.sparse.insert(name, SparseParams { modifier });
            }
        }
        Some(other) => {
            return Err(ApiError::format(format!(
                "sparse_vectors: expected an object of named sparse vector params, got {other}"
            )));
        }
    }
    if meta.dense.is_empty() && meta.sparse.is_empty() {
        return Err(ApiError::bad_request(
            "`vectors` or `sparse_vectors` is required: qdrant-local needs at least one vector per collection",
        ));
    }
    meta.validate()?;
    Ok(meta)
}

async fn create_collection(State(s): State<AppState>, Path(name): Path<String>, body: Bytes) -> Response {
    let t = Instant::now();
    let res = async {
        let req: CreateCollectionIn = parse(&body)?;
        let meta = parse_vectors(req.vectors, req.sparse_vectors)?;
        let quantization = quantization_in(req.quantization_config)?;
        blocking(move || s.create(&name, meta, quantization)).await?;
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
            let same = |len: usize| len == n;
            let vectors: Vec<PointVectors> = match b.vectors {
                BatchVectorsIn::Single(v) if same(v.len()) => v.into_iter().map(PointVectors::Single).collect(),
                BatchVectorsIn::Named(m) if m.values().all(|v| same(v.len())) => {
                    let mut per_point: Vec<Vec<(String, VectorIn)>> = (0..n).map(|_| Vec::new()).collect();
                    for (name, list) in m {
                        for (point, v) in per_point.iter_mut().zip(list) {
                            point.push((name.clone(), v.0));
                        }
                    }
                    per_point.into_iter().map(PointVectors::Named).collect()
                }
                _ => Vec::new(),
            };
            if vectors.len() != n || b.payloads.as_ref().is_some_and(|p| p.len() != n) {
                return Err(ApiError::bad_request("batch: `ids`, `vectors` and `payloads` must have the same length"));
            }
            let mut payloads = b.payloads.unwrap_or_default().into_iter();
            b.ids
                .into_iter()
                .zip(vectors)
                .map(|(id, vector)| NewPoint { id, vector, payload: payloads.next().flatten().unwrap_or_default() })
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
        filter: req.filter,
        limit: req.limit,
        offset: req.offset.unwrap_or(0),
        score_threshold: req.score_threshold,
        params: search_params("params", req.params)?,
        with_payload: req.with_payload,
        with_vector: req.with_vector,
        ..req.vector.into_query()
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
