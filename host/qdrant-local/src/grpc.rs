//! Qdrant's gRPC API (collections, points and health services), on the server types generated
//! into the official `qdrant-client` crate. Requests become the same operations as REST
//! (`crate::ops`); filters and payloads go through Qdrant's JSON shapes so the engine's own
//! filter parser does the work.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Instant;

use qdrant_client::qdrant as pb;
use qdrant_client::qdrant::collections_server::{Collections, CollectionsServer};
use qdrant_client::qdrant::points_server::{Points, PointsServer};
use qdrant_client::qdrant::qdrant_server::{Qdrant, QdrantServer};
use qdrant_edge::{PointId, WithPayloadInterface, WithVector};
use serde_json::{Map, Value, json};
use tokio::sync::watch;
use tonic::{Request, Response, Status};

use crate::error::{ApiError, ApiErrorKind};
use crate::ops::{self, NewPoint, PointVectors, PrefetchQuery, Query, QueryKind, Selector, VectorIn, VectorsOut};
use crate::rest::{API_VERSION, TITLE};
use crate::store::{AliasAction, Collection, CollectionMeta, DenseParams, Distance, SparseParams, Store};

/// Largest gRPC message accepted (Qdrant's default is 64 MiB for batches).
const MAX_MESSAGE_BYTES: usize = 64 * 1024 * 1024;

type R<T> = Result<Response<T>, Status>;

fn status(e: ApiError) -> Status {
    match e.kind {
        ApiErrorKind::BadRequest => Status::invalid_argument(e.message),
        ApiErrorKind::NotFound => Status::not_found(e.message),
        ApiErrorKind::Conflict => Status::already_exists(e.message),
        ApiErrorKind::Internal => Status::internal(e.message),
    }
}

fn bad(msg: impl std::fmt::Display) -> Status {
    status(ApiError::bad_request(msg))
}

fn unsupported(what: &str) -> Status {
    Status::unimplemented(format!("{what} is not supported by qdrant-local"))
}

/// Serves the three services until `stop` turns true.
pub(crate) async fn serve(
    listener: tokio::net::TcpListener,
    store: Arc<Store>,
    api_key: Option<String>,
    mut stop: watch::Receiver<bool>,
) {
    let svc = Svc { store };
    let key: Option<Arc<str>> = api_key.map(Into::into);
    let check = move |req: Request<()>| -> Result<Request<()>, Status> {
        let Some(key) = &key else { return Ok(req) };
        let given = req.metadata().get("api-key").and_then(|v| v.to_str().ok());
        match given {
            Some(g) if crate::rest::constant_time_eq(g.as_bytes(), key.as_bytes()) => Ok(req),
            Some(_) => Err(Status::unauthenticated("Invalid API key or JWT")),
            None => Err(Status::unauthenticated("Must provide an API key or an Authorization bearer token")),
        }
    };
    let res = tonic::transport::Server::builder()
        .add_service(tonic::service::interceptor::InterceptedService::new(
            CollectionsServer::new(svc.clone())
                .max_decoding_message_size(MAX_MESSAGE_BYTES)
                .max_encoding_message_size(MAX_MESSAGE_BYTES),
            check.clone(),
        ))
        .add_service(tonic::service::interceptor::InterceptedService::new(
            PointsServer::new(svc.clone())
                .max_decoding_message_size(MAX_MESSAGE_BYTES)
                .max_encoding_message_size(MAX_MESSAGE_BYTES),
            check,
        ))
        .add_service(QdrantServer::new(svc))
        .serve_with_incoming_shutdown(tonic::transport::server::TcpIncoming::from(listener), async move {
            let _ = stop.wait_for(|s| *s).await;
        })
        .await;
    if let Err(e) = res {
        tracing::error!(error = %e, "gRPC server failed");
    }
}

#[derive(Clone)]
struct Svc {
    store: Arc<Store>,
}

async fn blocking<T, F>(f: F) -> Result<T, Status>
where
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(f).await.map_err(|e| Status::internal(format!("worker failed: {e}")))?.map_err(status)
}

impl Svc {
    fn resolve(&self, name: &str) -> Result<Arc<Collection>, Status> {
        self.store.resolve(name).map_err(status)
    }
}

// ---------------------------------------------------------------- conversions

fn point_id(id: Option<pb::PointId>) -> Result<PointId, Status> {
    use pb::point_id::PointIdOptions;
    match id.and_then(|p| p.point_id_options) {
        Some(PointIdOptions::Num(n)) => Ok(PointId::NumId(n)),
        Some(PointIdOptions::Uuid(s)) => {
            s.parse::<uuid::Uuid>().map(PointId::Uuid).map_err(|e| bad(format!("Unable to parse UUID: {s}: {e}")))
        }
        None => Err(bad("point id is missing")),
    }
}

fn point_ids(ids: Vec<pb::PointId>) -> Result<Vec<PointId>, Status> {
    ids.into_iter().map(|p| point_id(Some(p))).collect()
}

fn point_id_out(id: PointId) -> pb::PointId {
    use pb::point_id::PointIdOptions;
    pb::PointId {
        point_id_options: Some(match id {
            PointId::NumId(n) => PointIdOptions::Num(n),
            PointId::Uuid(u) => PointIdOptions::Uuid(u.to_string()),
        }),
    }
}

fn value_to_json(v: pb::Value) -> Value {
    use pb::value::Kind;
    match v.kind {
        None | Some(Kind::NullValue(_)) => Value::Null,
        Some(Kind::DoubleValue(d)) => json!(d),
        Some(Kind::IntegerValue(i)) => json!(i),
        Some(Kind::StringValue(s)) => Value::String(s),
        Some(Kind::BoolValue(b)) => Value::Bool(b),
        Some(Kind::StructValue(s)) => Value::Object(map_to_json(s.fields)),
        Some(Kind::ListValue(l)) => Value::Array(l.values.into_iter().map(value_to_json).collect()),
    }
}

fn map_to_json(m: HashMap<String, pb::Value>) -> Map<String, Value> {
    m.into_iter().map(|(k, v)| (k, value_to_json(v))).collect()
}

fn json_to_value(v: Value) -> pb::Value {
    use pb::value::Kind;
    let kind = match v {
        Value::Null => Kind::NullValue(0),
        Value::Bool(b) => Kind::BoolValue(b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Kind::IntegerValue(i),
            None => Kind::DoubleValue(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => Kind::StringValue(s),
        Value::Array(a) => Kind::ListValue(pb::ListValue { values: a.into_iter().map(json_to_value).collect() }),
        Value::Object(o) => Kind::StructValue(pb::Struct { fields: json_to_map(o) }),
    };
    pb::Value { kind: Some(kind) }
}

fn json_to_map(m: Map<String, Value>) -> HashMap<String, pb::Value> {
    m.into_iter().map(|(k, v)| (k, json_to_value(v))).collect()
}

fn ids_json(ids: Vec<pb::PointId>) -> Result<Value, Status> {
    Ok(Value::Array(point_ids(ids)?.into_iter().map(|p| json!(p)).collect()))
}

fn match_json(m: pb::Match) -> Result<Value, Status> {
    use pb::r#match::MatchValue as M;
    Ok(match m.match_value {
        Some(M::Keyword(s)) => json!({ "value": s }),
        Some(M::Integer(i)) => json!({ "value": i }),
        Some(M::Boolean(b)) => json!({ "value": b }),
        Some(M::Text(s)) => json!({ "text": s }),
        Some(M::Phrase(s)) => json!({ "phrase": s }),
        Some(M::TextAny(s)) => json!({ "text_any": s }),
        Some(M::Keywords(k)) => json!({ "any": k.strings }),
        Some(M::Integers(i)) => json!({ "any": i.integers }),
        Some(M::ExceptKeywords(k)) => json!({ "except": k.strings }),
        Some(M::ExceptIntegers(i)) => json!({ "except": i.integers }),
        Some(_) => return Err(unsupported("this match kind")),
        None => return Err(bad("match without a value")),
    })
}

fn condition_json(c: pb::Condition) -> Result<Value, Status> {
    use pb::condition::ConditionOneOf as C;
    Ok(match c.condition_one_of {
        Some(C::Field(f)) => {
            let mut o = Map::new();
            o.insert("key".into(), Value::String(f.key.clone()));
            if let Some(m) = f.r#match {
                o.insert("match".into(), match_json(m)?);
            }
            if let Some(r) = f.range {
                o.insert("range".into(), json!({ "lt": r.lt, "gt": r.gt, "gte": r.gte, "lte": r.lte }));
            }
            if f.is_empty == Some(true) {
                return Ok(json!({ "is_empty": { "key": f.key } }));
            }
            if f.is_null == Some(true) {
                return Ok(json!({ "is_null": { "key": f.key } }));
            }
            if f.geo_bounding_box.is_some()
                || f.geo_radius.is_some()
                || f.geo_polygon.is_some()
                || f.values_count.is_some()
                || f.datetime_range.is_some()
            {
                return Err(unsupported("geo, values_count and datetime conditions"));
            }
            Value::Object(o)
        }
        Some(C::IsEmpty(e)) => json!({ "is_empty": { "key": e.key } }),
        Some(C::IsNull(e)) => json!({ "is_null": { "key": e.key } }),
        Some(C::HasId(h)) => json!({ "has_id": ids_json(h.has_id)? }),
        Some(C::Filter(f)) => filter_json(f)?,
        Some(C::Nested(n)) => {
            let filter = n.filter.map(filter_json).transpose()?.unwrap_or(json!({}));
            json!({ "nested": { "key": n.key, "filter": filter } })
        }
        Some(_) => return Err(unsupported("this condition kind")),
        None => return Err(bad("empty condition")),
    })
}

fn conditions_json(cs: Vec<pb::Condition>) -> Result<Value, Status> {
    Ok(Value::Array(cs.into_iter().map(condition_json).collect::<Result<_, _>>()?))
}

fn filter_json(f: pb::Filter) -> Result<Value, Status> {
    let mut o = Map::new();
    if !f.must.is_empty() {
        o.insert("must".into(), conditions_json(f.must)?);
    }
    if !f.should.is_empty() {
        o.insert("should".into(), conditions_json(f.should)?);
    }
    if !f.must_not.is_empty() {
        o.insert("must_not".into(), conditions_json(f.must_not)?);
    }
    if let Some(ms) = f.min_should {
        o.insert(
            "min_should".into(),
            json!({ "conditions": conditions_json(ms.conditions)?, "min_count": ms.min_count }),
        );
    }
    Ok(Value::Object(o))
}

fn filter(f: Option<pb::Filter>) -> Result<Option<qdrant_edge::Filter>, Status> {
    f.map(|f| serde_json::from_value(filter_json(f)?).map_err(|e| bad(format!("filter: {e}")))).transpose()
}

fn with_payload(w: Option<pb::WithPayloadSelector>, default: bool) -> Result<WithPayloadInterface, Status> {
    use pb::with_payload_selector::SelectorOptions as S;
    let v = match w.and_then(|w| w.selector_options) {
        None => json!(default),
        Some(S::Enable(b)) => json!(b),
        Some(S::Include(i)) => json!({ "include": i.fields }),
        Some(S::Exclude(e)) => json!({ "exclude": e.fields }),
    };
    serde_json::from_value(v).map_err(|e| bad(format!("with_payload: {e}")))
}

fn with_vectors(w: Option<pb::WithVectorsSelector>) -> WithVector {
    use pb::with_vectors_selector::SelectorOptions as S;
    match w.and_then(|w| w.selector_options) {
        None => WithVector::Bool(false),
        Some(S::Enable(b)) => WithVector::Bool(b),
        Some(S::Include(i)) => WithVector::Selector(i.names),
    }
}

/// One vector of a point or a query. Older clients send a dense vector as `data`, a sparse one
/// as `data` plus `indices`.
#[allow(deprecated)]
fn vector_in(v: pb::Vector) -> Result<VectorIn, Status> {
    use pb::vector::Vector as V;
    match v.vector {
        Some(V::Dense(d)) => Ok(VectorIn::Dense(d.data)),
        Some(V::Sparse(sp)) => Ok(VectorIn::Sparse { indices: sp.indices, values: sp.values }),
        Some(V::MultiDense(_)) => Err(unsupported("multi-dense vectors")),
        Some(_) => Err(unsupported("inference (documents, images, objects)")),
        None if v.vectors_count.is_some() => Err(unsupported("multi-dense vectors")),
        None => match v.indices {
            Some(indices) => Ok(VectorIn::Sparse { indices: indices.data, values: v.data }),
            None => Ok(VectorIn::Dense(v.data)),
        },
    }
}

fn vectors_in(v: Option<pb::Vectors>) -> Result<PointVectors, Status> {
    use pb::vectors::VectorsOptions as V;
    match v.and_then(|v| v.vectors_options) {
        Some(V::Vector(v)) => match vector_in(v)? {
            VectorIn::Dense(d) => Ok(PointVectors::Single(d)),
            VectorIn::Sparse { .. } => Err(bad("a sparse vector needs a name: send it in named vectors")),
        },
        Some(V::Vectors(named)) => {
            let named =
                named.vectors.into_iter().map(|(k, v)| Ok((k, vector_in(v)?))).collect::<Result<_, Status>>()?;
            Ok(PointVectors::Named(named))
        }
        None => Err(bad("point without a vector")),
    }
}

fn vector_out(v: &qdrant_edge::VectorInternal) -> pb::VectorOutput {
    use pb::vector_output::Vector as V;
    let vector = match v {
        qdrant_edge::VectorInternal::Dense(d) => V::Dense(pb::DenseVector { data: d.clone() }),
        qdrant_edge::VectorInternal::Sparse(sp) => {
            V::Sparse(pb::SparseVector { values: sp.values.clone(), indices: sp.indices.clone() })
        }
        qdrant_edge::VectorInternal::MultiDense(m) => V::MultiDense(pb::MultiDenseVector {
            vectors: m.multi_vectors().map(|d| pb::DenseVector { data: d.to_vec() }).collect(),
        }),
    };
    pb::VectorOutput { vector: Some(vector), ..Default::default() }
}

fn vectors_out(v: Option<&qdrant_edge::VectorStructInternal>) -> Option<pb::VectorsOutput> {
    use pb::vectors_output::VectorsOptions as O;
    let options = match ops::vectors_out(v?) {
        VectorsOut::Single(d) => O::Vector(pb::VectorOutput {
            vector: Some(pb::vector_output::Vector::Dense(pb::DenseVector { data: d.to_vec() })),
            ..Default::default()
        }),
        VectorsOut::Named(named) => O::Vectors(pb::NamedVectorsOutput {
            vectors: named.into_iter().map(|(k, v)| (k.to_owned(), vector_out(v))).collect(),
        }),
    };
    Some(pb::VectorsOutput { vectors_options: Some(options) })
}

fn payload_out(p: Option<qdrant_edge::Payload>) -> HashMap<String, pb::Value> {
    p.map(|p| json_to_map(p.0)).unwrap_or_default()
}

fn retrieved(r: qdrant_edge::Record) -> pb::RetrievedPoint {
    pb::RetrievedPoint {
        id: Some(point_id_out(r.id)),
        vectors: vectors_out(r.vector.as_ref()),
        payload: payload_out(r.payload),
        shard_key: None,
        order_value: None,
    }
}

fn scored(p: qdrant_edge::ScoredPoint) -> pb::ScoredPoint {
    pb::ScoredPoint {
        id: Some(point_id_out(p.id)),
        vectors: vectors_out(p.vector.as_ref()),
        payload: payload_out(p.payload),
        score: p.score,
        version: p.version,
        shard_key: None,
        order_value: None,
    }
}

fn selector(s: Option<pb::PointsSelector>) -> Result<Selector, Status> {
    use pb::points_selector::PointsSelectorOneOf as S;
    match s.and_then(|s| s.points_selector_one_of) {
        Some(S::Points(ids)) => Ok(Selector::Ids(point_ids(ids.ids)?)),
        Some(S::Filter(f)) => Ok(Selector::Filter(filter(Some(f))?.ok_or_else(|| bad("empty filter"))?)),
        None => Err(bad("points selector is required")),
    }
}

fn update_result(op: u64, wait: Option<bool>) -> pb::UpdateResult {
    let status = if wait.unwrap_or(false) { pb::UpdateStatus::Completed } else { pb::UpdateStatus::Acknowledged };
    pb::UpdateResult { operation_id: Some(op), status: status as i32 }
}

fn points_op(t: Instant, op: u64, wait: Option<bool>) -> R<pb::PointsOperationResponse> {
    Ok(Response::new(pb::PointsOperationResponse {
        result: Some(update_result(op, wait)),
        time: t.elapsed().as_secs_f64(),
        usage: None,
    }))
}

fn distance_in(d: i32) -> Result<Distance, Status> {
    match pb::Distance::try_from(d) {
        Ok(pb::Distance::Cosine) => Ok(Distance::Cosine),
        Ok(pb::Distance::Euclid) => Ok(Distance::Euclid),
        Ok(pb::Distance::Dot) => Ok(Distance::Dot),
        Ok(pb::Distance::Manhattan) => Ok(Distance::Manhattan),
        _ => Err(bad(format!("unknown distance {d}"))),
    }
}

fn distance_out(d: Distance) -> pb::Distance {
    match d {
        Distance::Cosine => pb::Distance::Cosine,
        Distance::Euclid => pb::Distance::Euclid,
        Distance::Dot => pb::Distance::Dot,
        Distance::Manhattan => pb::Distance::Manhattan,
    }
}

fn schema_type_out(v: &qdrant_edge::PayloadIndexInfo) -> pb::PayloadSchemaType {
    let name = serde_json::to_value(v.data_type).unwrap_or(Value::Null);
    match name.as_str().unwrap_or("") {
        "keyword" => pb::PayloadSchemaType::Keyword,
        "integer" => pb::PayloadSchemaType::Integer,
        "float" => pb::PayloadSchemaType::Float,
        "geo" => pb::PayloadSchemaType::Geo,
        "text" => pb::PayloadSchemaType::Text,
        "bool" => pb::PayloadSchemaType::Bool,
        "datetime" => pb::PayloadSchemaType::Datetime,
        "uuid" => pb::PayloadSchemaType::Uuid,
        _ => pb::PayloadSchemaType::UnknownType,
    }
}

/// `on_disk` of gRPC's `VectorParams` is deprecated in favour of `memory`, which overrides it;
/// both are read and written, for clients of either age.
#[allow(deprecated)]
fn vectors_on_disk(params: &pb::VectorParams) -> Result<bool, Status> {
    let memory = match params.memory.map(pb::Memory::try_from) {
        None | Some(Ok(pb::Memory::Unknown)) => None,
        Some(Ok(pb::Memory::Cold)) => Some("cold"),
        Some(Ok(pb::Memory::Cached)) => Some("cached"),
        Some(Ok(pb::Memory::Pinned)) => Some("pinned"),
        Some(Err(_)) => return Err(bad("unknown `memory` placement")),
    };
    CollectionMeta::vectors_on_disk(params.on_disk, memory).map_err(bad)
}

#[allow(deprecated)]
fn vector_params_on_disk(on_disk: bool) -> pb::VectorParams {
    pb::VectorParams { on_disk: Some(on_disk), ..Default::default() }
}

/// `on_disk_payload` is deprecated in gRPC, and still read by clients.
#[allow(deprecated)]
fn params_on_disk_payload() -> pb::CollectionParams {
    pb::CollectionParams { on_disk_payload: true, ..Default::default() }
}

/// `on_disk` of the HNSW config is deprecated in gRPC, and still read by clients.
#[allow(deprecated)]
fn hnsw_in_memory() -> pb::HnswConfigDiff {
    pb::HnswConfigDiff { on_disk: Some(false), ..Default::default() }
}

fn vector_params_out(d: &DenseParams) -> pb::VectorParams {
    pb::VectorParams {
        size: d.size as u64,
        distance: distance_out(d.distance) as i32,
        memory: Some(if d.on_disk { pb::Memory::Cold } else { pb::Memory::Cached } as i32),
        ..vector_params_on_disk(d.on_disk)
    }
}

fn vectors_config_out(meta: &CollectionMeta) -> pb::vectors_config::Config {
    use pb::vectors_config::Config;
    match meta.unnamed() {
        Some(d) => Config::Params(vector_params_out(d)),
        None => Config::ParamsMap(pb::VectorParamsMap {
            map: meta.dense.iter().map(|(n, d)| (n.clone(), vector_params_out(d))).collect(),
        }),
    }
}

fn sparse_config_out(meta: &CollectionMeta) -> Option<pb::SparseVectorConfig> {
    if meta.sparse.is_empty() {
        return None;
    }
    let map = meta
        .sparse
        .iter()
        .map(|(n, sp)| {
            let modifier = sp.modifier.map(|m| match m {
                qdrant_edge::Modifier::Idf => pb::Modifier::Idf as i32,
                qdrant_edge::Modifier::None => pb::Modifier::None as i32,
            });
            (n.clone(), pb::SparseVectorParams { index: None, modifier })
        })
        .collect();
    Some(pb::SparseVectorConfig { map })
}

fn dense_params_in(p: &pb::VectorParams) -> Result<DenseParams, Status> {
    if p.multivector_config.is_some() {
        return Err(unsupported("multi-vectors"));
    }
    Ok(DenseParams {
        size: usize::try_from(p.size).map_err(bad)?,
        distance: distance_in(p.distance)?,
        on_disk: vectors_on_disk(p)?,
    })
}

fn collection_meta_in(
    vectors: Option<pb::VectorsConfig>,
    sparse: Option<pb::SparseVectorConfig>,
) -> Result<CollectionMeta, Status> {
    let mut meta = CollectionMeta { dense: BTreeMap::new(), sparse: BTreeMap::new() };
    match vectors.and_then(|v| v.config) {
        Some(pb::vectors_config::Config::Params(p)) => {
            meta.dense.insert(String::new(), dense_params_in(&p)?);
        }
        Some(pb::vectors_config::Config::ParamsMap(m)) => {
            for (name, p) in m.map {
                let d = dense_params_in(&p)?;
                meta.dense.insert(name, d);
            }
        }
        None => {}
    }
    for (name, p) in sparse.map(|s| s.map).unwrap_or_default() {
        let modifier = match p.modifier.map(pb::Modifier::try_from) {
            None | Some(Ok(pb::Modifier::None)) => None,
            Some(Ok(pb::Modifier::Idf)) => Some(qdrant_edge::Modifier::Idf),
            Some(Err(_)) => return Err(bad("unknown sparse vector `modifier`")),
        };
        meta.sparse.insert(name, SparseParams { modifier });
    }
    if meta.dense.is_empty() && meta.sparse.is_empty() {
        return Err(bad("`vectors_config` or `sparse_vectors_config` is required"));
    }
    Ok(meta)
}

/// `quantization_config` of a create request: left out, qdrant-local's default (scalar int8);
/// scalar as asked; others refused, as over REST ([`crate::rest::quantization_in`], which this
/// hands Qdrant's REST shape of it). gRPC cannot ask for none at creation.
#[allow(deprecated)] // `always_ram`, which older clients still send.
fn quantization_in(q: Option<pb::QuantizationConfig>) -> Result<Option<qdrant_edge::QuantizationConfig>, Status> {
    use pb::quantization_config::Quantization as Q;
    let rest = match q.and_then(|q| q.quantization) {
        None => None,
        Some(Q::Scalar(sq)) => {
            if pb::QuantizationType::try_from(sq.r#type) != Ok(pb::QuantizationType::Int8) {
                return Err(bad(format!("quantization_config.scalar.type: unknown type {}, expected Int8", sq.r#type)));
            }
            let memory = match sq.memory.map(pb::Memory::try_from) {
                None => None,
                Some(Ok(pb::Memory::Cold)) => Some("cold"),
                Some(Ok(pb::Memory::Cached)) => Some("cached"),
                Some(Ok(pb::Memory::Pinned)) => Some("pinned"),
                Some(_) => return Err(bad("quantization_config.scalar.memory: unknown placement")),
            };
            Some(
                json!({ "scalar": { "type": "int8", "quantile": sq.quantile, "always_ram": sq.always_ram, "memory": memory } }),
            )
        }
        Some(Q::Product(_)) => Some(json!({ "product": {} })),
        Some(Q::Binary(_)) => Some(json!({ "binary": {} })),
        Some(Q::Turboquant(_)) => Some(json!({ "turbo": {} })),
    };
    crate::rest::quantization_in(rest).map_err(status)
}

/// A collection's quantization as gRPC describes it.
#[allow(deprecated)]
fn quantization_out(q: Option<&qdrant_edge::QuantizationConfig>) -> Option<pb::QuantizationConfig> {
    let scalar = serde_json::to_value(q?).ok()?.get("scalar")?.clone();
    Some(pb::QuantizationConfig {
        quantization: Some(pb::quantization_config::Quantization::Scalar(pb::ScalarQuantization {
            r#type: pb::QuantizationType::Int8 as i32,
            quantile: scalar.get("quantile").and_then(Value::as_f64).map(|q| q as f32),
            always_ram: scalar.get("always_ram").and_then(Value::as_bool),
            memory: None,
        })),
    })
}

/// `params` of a search, a query or a prefetch in engine terms, checked.
fn search_params_in(at: &str, p: Option<pb::SearchParams>) -> Result<Option<qdrant_edge::SearchParams>, Status> {
    let Some(p) = p else { return Ok(None) };
    if p.idf.is_some() {
        return Err(unsupported("`idf` search params"));
    }
    let params = qdrant_edge::SearchParams {
        hnsw_ef: p.hnsw_ef.map(|e| usize::try_from(e).unwrap_or(usize::MAX)),
        exact: p.exact.unwrap_or(false),
        quantization: p.quantization.map(|q| qdrant_edge::QuantizationSearchParams {
            ignore: q.ignore.unwrap_or(false),
            rescore: q.rescore,
            oversampling: q.oversampling,
        }),
        indexed_only: p.indexed_only.unwrap_or(false),
        acorn: None,
    };
    ops::check_search_params(at, &params).map_err(status)?;
    Ok(Some(params))
}

fn collection_info(c: &Collection) -> Result<pb::CollectionInfo, ApiError> {
    let info = c.shard()?.info();
    let points = c.count_all().map_err(ApiError::from_engine)?;
    let payload_schema = info
        .payload_schema
        .iter()
        .map(|(k, v)| {
            (
                k.to_string(),
                pb::PayloadSchemaInfo {
                    data_type: schema_type_out(v) as i32,
                    params: None,
                    points: Some(v.points as u64),
                },
            )
        })
        .collect();
    Ok(pb::CollectionInfo {
        status: pb::CollectionStatus::Green as i32,
        optimizer_status: Some(pb::OptimizerStatus { ok: true, error: String::new() }),
        segments_count: info.segments_count as u64,
        points_count: Some(points as u64),
        indexed_vectors_count: Some(info.indexed_vectors_count as u64),
        payload_schema,
        config: Some(pb::CollectionConfig {
            params: Some(pb::CollectionParams {
                shard_number: 1,
                vectors_config: Some(pb::VectorsConfig { config: Some(vectors_config_out(&c.meta)) }),
                sparse_vectors_config: sparse_config_out(&c.meta),
                replication_factor: Some(1),
                write_consistency_factor: Some(1),
                ..params_on_disk_payload()
            }),
            // Every field REST reports too: clients (Python's) turn these into the REST
            // models, where they are required.
            // `m` 0: no graph (see the crate docs); the rest are Qdrant's defaults, unused.
            hnsw_config: Some(pb::HnswConfigDiff {
                m: Some(0),
                ef_construct: Some(100),
                full_scan_threshold: Some(10_000),
                max_indexing_threads: Some(0),
                ..hnsw_in_memory()
            }),
            optimizer_config: Some(pb::OptimizersConfigDiff {
                deleted_threshold: Some(0.2),
                vacuum_min_vector_number: Some(1000),
                default_segment_number: Some(0),
                indexing_threshold: Some(20_000),
                flush_interval_sec: Some(5),
                ..Default::default()
            }),
            wal_config: Some(pb::WalConfigDiff {
                wal_capacity_mb: Some(32),
                wal_segments_ahead: Some(0),
                ..Default::default()
            }),
            quantization_config: quantization_out(c.quantization()?.as_ref()),
            ..Default::default()
        }),
        ..Default::default()
    })
}

// ---------------------------------------------------------------- services

#[tonic::async_trait]
impl Qdrant for Svc {
    async fn health_check(&self, _: Request<pb::HealthCheckRequest>) -> R<pb::HealthCheckReply> {
        Ok(Response::new(pb::HealthCheckReply {
            title: TITLE.to_owned(),
            version: API_VERSION.to_owned(),
            commit: None,
        }))
    }
}

#[tonic::async_trait]
impl Collections for Svc {
    async fn get(&self, req: Request<pb::GetCollectionInfoRequest>) -> R<pb::GetCollectionInfoResponse> {
        let t = Instant::now();
        let c = self.resolve(&req.into_inner().collection_name)?;
        let info = blocking(move || collection_info(&c)).await?;
        Ok(Response::new(pb::GetCollectionInfoResponse { result: Some(info), time: t.elapsed().as_secs_f64() }))
    }

    async fn list(&self, _: Request<pb::ListCollectionsRequest>) -> R<pb::ListCollectionsResponse> {
        let t = Instant::now();
        Ok(Response::new(pb::ListCollectionsResponse {
            collections: self.store.names().into_iter().map(|name| pb::CollectionDescription { name }).collect(),
            time: t.elapsed().as_secs_f64(),
        }))
    }

    async fn create(&self, req: Request<pb::CreateCollection>) -> R<pb::CollectionOperationResponse> {
        let t = Instant::now();
        let req = req.into_inner();
        let meta = collection_meta_in(req.vectors_config, req.sparse_vectors_config)?;
        let quantization = quantization_in(req.quantization_config)?;
        let store = self.store.clone();
        let name = req.collection_name;
        blocking(move || store.create(&name, meta, quantization)).await?;
        Ok(Response::new(pb::CollectionOperationResponse { result: true, time: t.elapsed().as_secs_f64() }))
    }

    async fn update(&self, _: Request<pb::UpdateCollection>) -> R<pb::CollectionOperationResponse> {
        Err(unsupported("updating a collection"))
    }

    async fn delete(&self, req: Request<pb::DeleteCollection>) -> R<pb::CollectionOperationResponse> {
        let t = Instant::now();
        let store = self.store.clone();
        let name = req.into_inner().collection_name;
        let deleted = blocking(move || store.delete(&name)).await?;
        Ok(Response::new(pb::CollectionOperationResponse { result: deleted, time: t.elapsed().as_secs_f64() }))
    }

    async fn update_aliases(&self, req: Request<pb::ChangeAliases>) -> R<pb::CollectionOperationResponse> {
        use pb::alias_operations::Action;
        let t = Instant::now();
        let actions = req
            .into_inner()
            .actions
            .into_iter()
            .map(|a| match a.action {
                Some(Action::CreateAlias(c)) => {
                    Ok(AliasAction::Create { collection: c.collection_name, alias: c.alias_name })
                }
                Some(Action::DeleteAlias(d)) => Ok(AliasAction::Delete { alias: d.alias_name }),
                Some(Action::RenameAlias(r)) => {
                    Ok(AliasAction::Rename { old: r.old_alias_name, new: r.new_alias_name })
                }
                None => Err(bad("empty alias action")),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let store = self.store.clone();
        blocking(move || store.change_aliases(&actions)).await?;
        Ok(Response::new(pb::CollectionOperationResponse { result: true, time: t.elapsed().as_secs_f64() }))
    }

    async fn list_collection_aliases(
        &self,
        req: Request<pb::ListCollectionAliasesRequest>,
    ) -> R<pb::ListAliasesResponse> {
        let t = Instant::now();
        let name = req.into_inner().collection_name;
        if !self.store.exists(&name) {
            return Err(status(ApiError::collection_not_found(&name)));
        }
        Ok(Response::new(aliases_out(self.store.aliases(Some(&name)), t)))
    }

    async fn list_aliases(&self, _: Request<pb::ListAliasesRequest>) -> R<pb::ListAliasesResponse> {
        let t = Instant::now();
        Ok(Response::new(aliases_out(self.store.aliases(None), t)))
    }

    async fn collection_cluster_info(
        &self,
        _: Request<pb::CollectionClusterInfoRequest>,
    ) -> R<pb::CollectionClusterInfoResponse> {
        Err(unsupported("cluster info"))
    }

    async fn collection_exists(&self, req: Request<pb::CollectionExistsRequest>) -> R<pb::CollectionExistsResponse> {
        let t = Instant::now();
        let exists = self.store.exists(&req.into_inner().collection_name);
        Ok(Response::new(pb::CollectionExistsResponse {
            result: Some(pb::CollectionExists { exists }),
            time: t.elapsed().as_secs_f64(),
        }))
    }

    async fn update_collection_cluster_setup(
        &self,
        _: Request<pb::UpdateCollectionClusterSetupRequest>,
    ) -> R<pb::UpdateCollectionClusterSetupResponse> {
        Err(unsupported("cluster setup"))
    }

    async fn create_shard_key(&self, _: Request<pb::CreateShardKeyRequest>) -> R<pb::CreateShardKeyResponse> {
        Err(unsupported("shard keys"))
    }

    async fn delete_shard_key(&self, _: Request<pb::DeleteShardKeyRequest>) -> R<pb::DeleteShardKeyResponse> {
        Err(unsupported("shard keys"))
    }

    async fn list_shard_keys(&self, _: Request<pb::ListShardKeysRequest>) -> R<pb::ListShardKeysResponse> {
        Err(unsupported("shard keys"))
    }
}

fn aliases_out(pairs: Vec<(String, String)>, t: Instant) -> pb::ListAliasesResponse {
    pb::ListAliasesResponse {
        aliases: pairs
            .into_iter()
            .map(|(alias_name, collection_name)| pb::AliasDescription { alias_name, collection_name })
            .collect(),
        time: t.elapsed().as_secs_f64(),
    }
}

fn field_schema(t: Option<i32>) -> Result<Option<qdrant_edge::PayloadFieldSchema>, Status> {
    let Some(t) = t else { return Ok(None) };
    let name = match pb::FieldType::try_from(t) {
        Ok(pb::FieldType::Keyword) => "keyword",
        Ok(pb::FieldType::Integer) => "integer",
        Ok(pb::FieldType::Float) => "float",
        Ok(pb::FieldType::Geo) => "geo",
        Ok(pb::FieldType::Text) => "text",
        Ok(pb::FieldType::Bool) => "bool",
        Ok(pb::FieldType::Datetime) => "datetime",
        Ok(pb::FieldType::Uuid) => "uuid",
        Err(_) => return Err(bad(format!("unknown field type {t}"))),
    };
    serde_json::from_value(json!(name)).map(Some).map_err(|e| bad(format!("field type: {e}")))
}

#[tonic::async_trait]
impl Points for Svc {
    async fn upsert(&self, req: Request<pb::UpsertPoints>) -> R<pb::PointsOperationResponse> {
        let t = Instant::now();
        let req = req.into_inner();
        if req.update_filter.is_some() {
            return Err(unsupported("conditional upsert"));
        }
        let c = self.resolve(&req.collection_name)?;
        let points = req
            .points
            .into_iter()
            .map(|p| {
                Ok(NewPoint { id: point_id(p.id)?, vector: vectors_in(p.vectors)?, payload: map_to_json(p.payload) })
            })
            .collect::<Result<Vec<_>, Status>>()?;
        let op = blocking(move || ops::upsert(&c, points)).await?;
        points_op(t, op, req.wait)
    }

    async fn delete(&self, req: Request<pb::DeletePoints>) -> R<pb::PointsOperationResponse> {
        let t = Instant::now();
        let req = req.into_inner();
        let c = self.resolve(&req.collection_name)?;
        let sel = selector(req.points)?;
        let op = blocking(move || ops::delete(&c, sel)).await?;
        points_op(t, op, req.wait)
    }

    async fn get(&self, req: Request<pb::GetPoints>) -> R<pb::GetResponse> {
        let t = Instant::now();
        let req = req.into_inner();
        let c = self.resolve(&req.collection_name)?;
        let ids = point_ids(req.ids)?;
        let wp = with_payload(req.with_payload, false)?;
        let wv = with_vectors(req.with_vectors);
        let recs = blocking(move || ops::retrieve(&c, &ids, wp, wv)).await?;
        Ok(Response::new(pb::GetResponse {
            result: recs.into_iter().map(retrieved).collect(),
            time: t.elapsed().as_secs_f64(),
            usage: None,
        }))
    }

    async fn update_vectors(&self, _: Request<pb::UpdatePointVectors>) -> R<pb::PointsOperationResponse> {
        Err(unsupported("updating vectors alone (upsert the point)"))
    }

    async fn delete_vectors(&self, _: Request<pb::DeletePointVectors>) -> R<pb::PointsOperationResponse> {
        Err(unsupported("deleting vectors"))
    }

    async fn set_payload(&self, req: Request<pb::SetPayloadPoints>) -> R<pb::PointsOperationResponse> {
        self.payload(req.into_inner(), false).await
    }

    async fn overwrite_payload(&self, req: Request<pb::SetPayloadPoints>) -> R<pb::PointsOperationResponse> {
        self.payload(req.into_inner(), true).await
    }

    async fn delete_payload(&self, req: Request<pb::DeletePayloadPoints>) -> R<pb::PointsOperationResponse> {
        let t = Instant::now();
        let req = req.into_inner();
        let c = self.resolve(&req.collection_name)?;
        let sel = selector(req.points_selector)?;
        let keys = req.keys;
        let op = blocking(move || ops::delete_payload(&c, &keys, sel)).await?;
        points_op(t, op, req.wait)
    }

    async fn clear_payload(&self, req: Request<pb::ClearPayloadPoints>) -> R<pb::PointsOperationResponse> {
        let t = Instant::now();
        let req = req.into_inner();
        let c = self.resolve(&req.collection_name)?;
        let sel = selector(req.points)?;
        let op = blocking(move || ops::clear_payload(&c, sel)).await?;
        points_op(t, op, req.wait)
    }

    async fn create_field_index(&self, req: Request<pb::CreateFieldIndexCollection>) -> R<pb::PointsOperationResponse> {
        let t = Instant::now();
        let req = req.into_inner();
        let c = self.resolve(&req.collection_name)?;
        let schema = field_schema(req.field_type)?;
        let field = req.field_name;
        let op = blocking(move || ops::create_index(&c, &field, schema)).await?;
        points_op(t, op, req.wait)
    }

    async fn delete_field_index(&self, req: Request<pb::DeleteFieldIndexCollection>) -> R<pb::PointsOperationResponse> {
        let t = Instant::now();
        let req = req.into_inner();
        let c = self.resolve(&req.collection_name)?;
        let field = req.field_name;
        let op = blocking(move || ops::delete_index(&c, &field)).await?;
        points_op(t, op, req.wait)
    }

    async fn create_vector_name(&self, _: Request<pb::CreateVectorNameRequest>) -> R<pb::PointsOperationResponse> {
        Err(unsupported("changing the vector names of an existing collection"))
    }

    async fn delete_vector_name(&self, _: Request<pb::DeleteVectorNameRequest>) -> R<pb::PointsOperationResponse> {
        Err(unsupported("changing the vector names of an existing collection"))
    }

    async fn search(&self, req: Request<pb::SearchPoints>) -> R<pb::SearchResponse> {
        let t = Instant::now();
        let req = req.into_inner();
        let result = self.run_search(req).await?;
        Ok(Response::new(pb::SearchResponse { result, time: t.elapsed().as_secs_f64(), usage: None }))
    }

    async fn search_batch(&self, req: Request<pb::SearchBatchPoints>) -> R<pb::SearchBatchResponse> {
        let t = Instant::now();
        let req = req.into_inner();
        let mut result = Vec::new();
        for mut s in req.search_points {
            s.collection_name.clone_from(&req.collection_name);
            result.push(pb::BatchResult { result: self.run_search(s).await? });
        }
        Ok(Response::new(pb::SearchBatchResponse { result, time: t.elapsed().as_secs_f64(), usage: None }))
    }

    async fn search_groups(&self, _: Request<pb::SearchPointGroups>) -> R<pb::SearchGroupsResponse> {
        Err(unsupported("grouped search"))
    }

    async fn scroll(&self, req: Request<pb::ScrollPoints>) -> R<pb::ScrollResponse> {
        let t = Instant::now();
        let req = req.into_inner();
        if req.order_by.is_some() {
            return Err(unsupported("order_by"));
        }
        let c = self.resolve(&req.collection_name)?;
        let f = filter(req.filter)?;
        let offset = req.offset.map(|o| point_id(Some(o))).transpose()?;
        let limit = req.limit.unwrap_or(10) as usize;
        let wp = with_payload(req.with_payload, true)?;
        let wv = with_vectors(req.with_vectors);
        let (recs, next) = blocking(move || ops::scroll(&c, f, limit, offset, wp, wv)).await?;
        Ok(Response::new(pb::ScrollResponse {
            next_page_offset: next.map(point_id_out),
            result: recs.into_iter().map(retrieved).collect(),
            time: t.elapsed().as_secs_f64(),
            usage: None,
        }))
    }

    async fn recommend(&self, _: Request<pb::RecommendPoints>) -> R<pb::RecommendResponse> {
        Err(unsupported("recommend"))
    }

    async fn recommend_batch(&self, _: Request<pb::RecommendBatchPoints>) -> R<pb::RecommendBatchResponse> {
        Err(unsupported("recommend"))
    }

    async fn recommend_groups(&self, _: Request<pb::RecommendPointGroups>) -> R<pb::RecommendGroupsResponse> {
        Err(unsupported("recommend"))
    }

    async fn discover(&self, _: Request<pb::DiscoverPoints>) -> R<pb::DiscoverResponse> {
        Err(unsupported("discover"))
    }

    async fn discover_batch(&self, _: Request<pb::DiscoverBatchPoints>) -> R<pb::DiscoverBatchResponse> {
        Err(unsupported("discover"))
    }

    async fn count(&self, req: Request<pb::CountPoints>) -> R<pb::CountResponse> {
        let t = Instant::now();
        let req = req.into_inner();
        let c = self.resolve(&req.collection_name)?;
        let f = filter(req.filter)?;
        let n = blocking(move || ops::count(&c, f)).await?;
        Ok(Response::new(pb::CountResponse {
            result: Some(pb::CountResult { count: n as u64 }),
            time: t.elapsed().as_secs_f64(),
            usage: None,
        }))
    }

    async fn update_batch(&self, _: Request<pb::UpdateBatchPoints>) -> R<pb::UpdateBatchResponse> {
        Err(unsupported("update_batch"))
    }

    async fn query(&self, req: Request<pb::QueryPoints>) -> R<pb::QueryResponse> {
        let t = Instant::now();
        let result = self.run_query(req.into_inner()).await?;
        Ok(Response::new(pb::QueryResponse { result, time: t.elapsed().as_secs_f64(), usage: None }))
    }

    async fn query_batch(&self, req: Request<pb::QueryBatchPoints>) -> R<pb::QueryBatchResponse> {
        let t = Instant::now();
        let req = req.into_inner();
        let mut result = Vec::new();
        for mut q in req.query_points {
            q.collection_name.clone_from(&req.collection_name);
            result.push(pb::BatchResult { result: self.run_query(q).await? });
        }
        Ok(Response::new(pb::QueryBatchResponse { result, time: t.elapsed().as_secs_f64(), usage: None }))
    }

    async fn query_groups(&self, _: Request<pb::QueryPointGroups>) -> R<pb::QueryGroupsResponse> {
        Err(unsupported("grouped query"))
    }

    async fn facet(&self, _: Request<pb::FacetCounts>) -> R<pb::FacetResponse> {
        Err(unsupported("facets"))
    }

    async fn search_matrix_pairs(&self, _: Request<pb::SearchMatrixPoints>) -> R<pb::SearchMatrixPairsResponse> {
        Err(unsupported("search matrix"))
    }

    async fn search_matrix_offsets(&self, _: Request<pb::SearchMatrixPoints>) -> R<pb::SearchMatrixOffsetsResponse> {
        Err(unsupported("search matrix"))
    }
}

impl Svc {
    async fn payload(&self, req: pb::SetPayloadPoints, overwrite: bool) -> R<pb::PointsOperationResponse> {
        let t = Instant::now();
        let c = self.resolve(&req.collection_name)?;
        let sel = selector(req.points_selector)?;
        let payload = map_to_json(req.payload);
        let key = req.key;
        let op = blocking(move || ops::set_payload(&c, payload, sel, key, overwrite)).await?;
        points_op(t, op, req.wait)
    }

    #[allow(deprecated)] // Sparse searches name their indices in the deprecated field.
    async fn run_search(&self, req: pb::SearchPoints) -> Result<Vec<pb::ScoredPoint>, Status> {
        let vector = match req.sparse_indices {
            Some(indices) => VectorIn::Sparse { indices: indices.data, values: req.vector },
            None => VectorIn::Dense(req.vector),
        };
        let c = self.resolve(&req.collection_name)?;
        let q = Query {
            filter: filter(req.filter)?,
            limit: req.limit as usize,
            offset: req.offset.unwrap_or(0) as usize,
            score_threshold: req.score_threshold,
            params: search_params_in("params", req.params)?,
            with_payload: with_payload(req.with_payload, false)?,
            with_vector: with_vectors(req.with_vectors),
            ..Query::nearest(vector, req.vector_name)
        };
        let pts = blocking(move || ops::query(&c, q)).await?;
        Ok(pts.into_iter().map(scored).collect())
    }

    async fn run_query(&self, req: pb::QueryPoints) -> Result<Vec<pb::ScoredPoint>, Status> {
        if req.lookup_from.is_some() {
            return Err(unsupported("lookup_from"));
        }
        let c = self.resolve(&req.collection_name)?;
        let q = Query {
            prefetch: req.prefetch.into_iter().map(prefetch_in).collect::<Result<_, _>>()?,
            query: query_in(req.query)?,
            using: req.using,
            filter: filter(req.filter)?,
            limit: req.limit.map_or(ops::DEFAULT_LIMIT, |l| l as usize),
            offset: req.offset.unwrap_or(0) as usize,
            score_threshold: req.score_threshold,
            params: search_params_in("params", req.params)?,
            with_payload: with_payload(req.with_payload, false)?,
            with_vector: with_vectors(req.with_vectors),
        };
        if q.limit == 0 {
            return Err(bad("limit: value 0 invalid, must be 1 or larger"));
        }
        let pts = blocking(move || ops::query(&c, q)).await?;
        Ok(pts.into_iter().map(scored).collect())
    }
}

/// A `VectorInput` of a query: dense or sparse; ids, documents and multi-vectors are refused.
fn vector_input_in(v: pb::VectorInput) -> Result<VectorIn, Status> {
    use pb::vector_input::Variant as V;
    match v.variant {
        Some(V::Dense(d)) => Ok(VectorIn::Dense(d.data)),
        Some(V::Sparse(sp)) => Ok(VectorIn::Sparse { indices: sp.indices, values: sp.values }),
        Some(V::Id(_)) => Err(unsupported("querying by a point id")),
        Some(V::MultiDense(_)) => Err(unsupported("multi-vector queries")),
        Some(_) => Err(unsupported("inference (documents, images, objects)")),
        None => Err(bad("a query vector is empty")),
    }
}

fn query_in(q: Option<pb::Query>) -> Result<Option<QueryKind>, Status> {
    use pb::query::Variant as V;
    Ok(match q.and_then(|q| q.variant) {
        None => None,
        Some(V::Nearest(v)) => Some(QueryKind::Nearest(vector_input_in(v)?)),
        Some(V::Fusion(f)) => match pb::Fusion::try_from(f) {
            Ok(pb::Fusion::Rrf) => Some(QueryKind::Rrf { k: None, weights: None }),
            Ok(pb::Fusion::Dbsf) => Some(QueryKind::Dbsf),
            Err(_) => return Err(bad(format!("unknown fusion {f}"))),
        },
        Some(V::Rrf(r)) => Some(QueryKind::Rrf {
            k: r.k.map(|k| k as usize),
            weights: if r.weights.is_empty() { None } else { Some(r.weights) },
        }),
        Some(_) => return Err(unsupported("queries other than nearest, fusion and rrf")),
    })
}

fn prefetch_in(p: pb::PrefetchQuery) -> Result<PrefetchQuery, Status> {
    if p.lookup_from.is_some() {
        return Err(unsupported("lookup_from"));
    }
    Ok(PrefetchQuery {
        prefetch: p.prefetch.into_iter().map(prefetch_in).collect::<Result<_, _>>()?,
        query: query_in(p.query)?,
        using: p.using,
        filter: filter(p.filter)?,
        limit: p.limit.map(|l| usize::try_from(l).unwrap_or(usize::MAX)),
        score_threshold: p.score_threshold,
        params: search_params_in("prefetch.params", p.params)?,
    })
}
