//! Operations shared by the REST and gRPC front ends: requests in engine terms, checked against
//! the collection, and run on the engine.

use qdrant_edge::external::ordered_float::OrderedFloat;
use std::collections::HashMap;

use qdrant_edge::{
    CountRequest, CreateIndex, FieldIndexOperations, Filter, Fusion, JsonPath, NamedQuery, Payload, PayloadFieldSchema,
    PayloadOps, PointId, PointInsertOperations, PointOperations, PointStructPersisted, Prefetch,
    QuantizationSearchParams, QueryEnum, QueryRequest, Record, ScoredPoint, ScoringQuery, ScrollRequest, SearchParams,
    SetPayloadOp, SparseVector, UpdateOperation, VectorInternal, VectorPersisted, VectorStructInternal,
    VectorStructPersisted, WithPayloadInterface, WithVector,
};
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::store::{Collection, CollectionMeta, Distance, VECTOR_NAME};

/// Qdrant's default `k` of Reciprocal Rank Fusion (`{"fusion": "rrf"}`).
pub(crate) const DEFAULT_RRF_K: usize = 2;
/// Qdrant's default `limit` of a query and of a prefetch.
pub(crate) const DEFAULT_LIMIT: usize = 10;

/// One vector as a client sent it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum VectorIn {
    Dense(Vec<f32>),
    Sparse { indices: Vec<u32>, values: Vec<f32> },
}

/// The vectors of a point as a client sent them: the unnamed dense vector, or named vectors.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum PointVectors {
    Single(Vec<f32>),
    Named(Vec<(String, VectorIn)>),
}

/// A point to upsert, already parsed.
#[derive(Debug, Clone)]
pub(crate) struct NewPoint {
    pub id: PointId,
    pub vector: PointVectors,
    pub payload: Map<String, Value>,
}

/// Checks a sparse vector (`at` names it in the error) and returns it sorted by index, as the
/// engine scores it. Qdrant's rules: as many values as indices, no index twice; and, as JSON
/// cannot carry them but a float overflow can, no infinite value.
pub(crate) fn sparse_vector(at: &str, indices: Vec<u32>, values: Vec<f32>) -> Result<SparseVector, ApiError> {
    if indices.len() != values.len() {
        return Err(ApiError::validation(format!(
            "{at}.values: must be the same length as indices ({} values, {} indices)",
            values.len(),
            indices.len()
        )));
    }
    if let Some(v) = values.iter().find(|v| !v.is_finite()) {
        return Err(ApiError::validation(format!("{at}.values: {v} is not a finite number")));
    }
    let mut v = SparseVector { indices, values };
    v.sort_by_indices();
    if let Some(w) = v.indices.windows(2).find(|w| w[0] == w[1]) {
        return Err(ApiError::validation(format!("{at}.indices: must be unique (index {} repeats)", w[0])));
    }
    Ok(v)
}

/// What kind of vector `name` is in the collection: its dense dimension, or `None` for sparse.
fn vector_kind(meta: &CollectionMeta, name: &str) -> Result<Option<usize>, ApiError> {
    if let Some(d) = meta.dense.get(name) {
        return Ok(Some(d.size));
    }
    if meta.sparse.contains_key(name) {
        return Ok(None);
    }
    Err(ApiError::no_vector(name))
}

fn check_dense_dim(expected: usize, got: usize) -> Result<(), ApiError> {
    if got != expected {
        return Err(ApiError::bad_request(format!("Vector dimension error: expected dim: {expected}, got {got}")));
    }
    Ok(())
}

/// One named vector of a point, checked against the collection, in engine terms.
fn vector_persisted(meta: &CollectionMeta, name: &str, v: VectorIn) -> Result<VectorPersisted, ApiError> {
    match (vector_kind(meta, name)?, v) {
        (Some(dim), VectorIn::Dense(d)) => {
            check_dense_dim(dim, d.len())?;
            Ok(VectorPersisted::Dense(d))
        }
        (None, VectorIn::Sparse { indices, values }) => {
            Ok(VectorPersisted::Sparse(sparse_vector(&format!("vector.{name}"), indices, values)?))
        }
        (Some(_), VectorIn::Sparse { .. }) => Err(ApiError::bad_request(format!(
            "vector `{name}` is dense: give it as a list of numbers, not as {{\"indices\", \"values\"}}"
        ))),
        (None, VectorIn::Dense(_)) => Err(ApiError::bad_request(format!(
            "vector `{name}` is sparse: give it as {{\"indices\": [...], \"values\": [...]}}"
        ))),
    }
}

/// The vectors of a point, checked against the collection, in engine terms.
fn point_vectors(meta: &CollectionMeta, v: PointVectors) -> Result<VectorStructPersisted, ApiError> {
    match v {
        PointVectors::Single(d) => {
            let Some(unnamed) = meta.unnamed() else {
                // What Qdrant answers when a collection of named vectors gets a plain list.
                return Err(ApiError::no_vector(VECTOR_NAME));
            };
            check_dense_dim(unnamed.size, d.len())?;
            if meta.sparse.is_empty() {
                Ok(VectorStructPersisted::Single(d))
            } else {
                Ok(VectorStructPersisted::Named(HashMap::from([(VECTOR_NAME.to_owned(), VectorPersisted::Dense(d))])))
            }
        }
        PointVectors::Named(named) => {
            let mut out = HashMap::with_capacity(named.len());
            for (name, v) in named {
                let v = vector_persisted(meta, &name, v)?;
                out.insert(name, v);
            }
            Ok(VectorStructPersisted::Named(out))
        }
    }
}

/// Which points an operation applies to.
#[derive(Debug, Clone)]
pub(crate) enum Selector {
    Ids(Vec<PointId>),
    Filter(Filter),
}

/// Upserts points; every vector is checked before anything is written.
pub(crate) fn upsert(c: &Collection, points: Vec<NewPoint>) -> Result<u64, ApiError> {
    c.update(upsert_op(c, points)?)
}

/// The engine operation of an upsert (vectors checked).
pub(crate) fn upsert_op(c: &Collection, points: Vec<NewPoint>) -> Result<UpdateOperation, ApiError> {
    let persisted: Vec<PointStructPersisted> = points
        .into_iter()
        .map(|p| {
            Ok(PointStructPersisted {
                id: p.id,
                vector: point_vectors(&c.meta, p.vector)?,
                payload: Some(Payload(p.payload)),
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(UpdateOperation::PointOperation(PointOperations::UpsertPoints(PointInsertOperations::PointsList(persisted))))
}

/// Deletes points by ids or by filter.
pub(crate) fn delete(c: &Collection, sel: Selector) -> Result<u64, ApiError> {
    c.update(delete_op(sel))
}

/// The engine operation of a delete.
pub(crate) fn delete_op(sel: Selector) -> UpdateOperation {
    UpdateOperation::PointOperation(match sel {
        Selector::Ids(ids) => PointOperations::DeletePoints { ids },
        Selector::Filter(f) => PointOperations::DeletePointsByFilter(f),
    })
}

/// Parses a payload key path (`a.b[0].c`).
pub(crate) fn json_path(key: &str) -> Result<JsonPath, ApiError> {
    key.parse().map_err(|()| ApiError::bad_request(format!("invalid payload key `{key}`")))
}

/// Sets (merges) or overwrites payload.
pub(crate) fn set_payload(
    c: &Collection,
    payload: Map<String, Value>,
    sel: Selector,
    key: Option<String>,
    overwrite: bool,
) -> Result<u64, ApiError> {
    c.update(set_payload_op(payload, sel, key, overwrite)?)
}

/// The engine operation of a payload set (merge) or overwrite.
pub(crate) fn set_payload_op(
    payload: Map<String, Value>,
    sel: Selector,
    key: Option<String>,
    overwrite: bool,
) -> Result<UpdateOperation, ApiError> {
    let key = key.as_deref().map(json_path).transpose()?;
    let (points, filter) = match sel {
        Selector::Ids(ids) => (Some(ids), None),
        Selector::Filter(f) => (None, Some(f)),
    };
    let op = SetPayloadOp { payload: Payload(payload), points, filter, key };
    Ok(UpdateOperation::PayloadOperation(if overwrite {
        PayloadOps::OverwritePayload(op)
    } else {
        PayloadOps::SetPayload(op)
    }))
}

/// Removes payload keys.
pub(crate) fn delete_payload(c: &Collection, keys: &[String], sel: Selector) -> Result<u64, ApiError> {
    c.update(delete_payload_op(keys, sel)?)
}

/// The engine operation of a payload key removal.
pub(crate) fn delete_payload_op(keys: &[String], sel: Selector) -> Result<UpdateOperation, ApiError> {
    let keys = keys.iter().map(|k| json_path(k)).collect::<Result<_, _>>()?;
    let (points, filter) = match sel {
        Selector::Ids(ids) => (Some(ids), None),
        Selector::Filter(f) => (None, Some(f)),
    };
    Ok(UpdateOperation::PayloadOperation(PayloadOps::DeletePayload(qdrant_edge::DeletePayloadOp {
        keys,
        points,
        filter,
    })))
}

/// Clears the whole payload of points.
pub(crate) fn clear_payload(c: &Collection, sel: Selector) -> Result<u64, ApiError> {
    c.update(clear_payload_op(sel))
}

/// The engine operation of a payload clear.
pub(crate) fn clear_payload_op(sel: Selector) -> UpdateOperation {
    UpdateOperation::PayloadOperation(match sel {
        Selector::Ids(points) => PayloadOps::ClearPayload { points },
        Selector::Filter(f) => PayloadOps::ClearPayloadByFilter(f),
    })
}

/// Creates a payload index.
pub(crate) fn create_index(c: &Collection, field: &str, schema: Option<PayloadFieldSchema>) -> Result<u64, ApiError> {
    c.update(UpdateOperation::FieldIndexOperation(FieldIndexOperations::CreateIndex(CreateIndex {
        field_name: json_path(field)?,
        field_schema: schema,
    })))
}

/// Drops a payload index.
pub(crate) fn delete_index(c: &Collection, field: &str) -> Result<u64, ApiError> {
    c.update(UpdateOperation::FieldIndexOperation(FieldIndexOperations::DeleteIndex(json_path(field)?)))
}

/// Retrieves points by id, in the order asked, skipping missing ones.
pub(crate) fn retrieve(
    c: &Collection,
    ids: &[PointId],
    with_payload: WithPayloadInterface,
    with_vector: WithVector,
) -> Result<Vec<Record>, ApiError> {
    c.shard()?.retrieve(ids, Some(with_payload), Some(with_vector)).map_err(ApiError::from_engine)
}

/// A page of points in id order, and the id where the next page starts.
pub(crate) fn scroll(
    c: &Collection,
    filter: Option<Filter>,
    limit: usize,
    offset: Option<PointId>,
    with_payload: WithPayloadInterface,
    with_vector: WithVector,
) -> Result<(Vec<Record>, Option<PointId>), ApiError> {
    if limit == 0 {
        return Err(ApiError::bad_request("limit: value 0 invalid, must be 1 or larger"));
    }
    c.shard()?
        .scroll(ScrollRequest {
            offset,
            limit: Some(limit),
            filter,
            with_payload: Some(with_payload),
            with_vector,
            order_by: None,
        })
        .map_err(ApiError::from_engine)
}

/// Exact count of points matching `filter`.
pub(crate) fn count(c: &Collection, filter: Option<Filter>) -> Result<usize, ApiError> {
    c.shard()?.count(CountRequest { filter, exact: true }).map_err(ApiError::from_engine)
}

/// What a query or a prefetch scores points by.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum QueryKind {
    /// Nearest to a dense or sparse vector (of the vector named by `using`).
    Nearest(VectorIn),
    /// Reciprocal Rank Fusion of the prefetches' rankings.
    Rrf { k: Option<usize>, weights: Option<Vec<f32>> },
    /// Distribution-Based Score Fusion of the prefetches' scores.
    Dbsf,
}

/// How many candidates per segment a dense search over quantized vectors picks, as a multiple
/// of the points it returns, before it rescores them with the original vectors (Qdrant's
/// `oversampling`): the default where a request does not set it. 3 and 4 gave no reliably
/// better rankings at 109,253 points (`docs/BENCHMARKS.md`, "quantized dense search on
/// qdrant-local").
pub(crate) const OVERSAMPLING: f64 = 2.0;

/// The search params a dense search runs with: the request's, and where it leaves them out,
/// qdrant-local's defaults for quantized vectors, which differ from Qdrant's: the candidates are
/// always rescored with the original vectors ([`OVERSAMPLING`] times as many as returned),
/// so a quantized search answers the exact scores, and its ranking misses a true neighbour
/// only when quantization pushed it out of the candidates. Collections without quantized
/// vectors (and sparse vectors) ignore them.
pub(crate) fn search_params(asked: Option<SearchParams>) -> SearchParams {
    let mut params = asked.unwrap_or_default();
    let q = params.quantization.get_or_insert_with(QuantizationSearchParams::default);
    q.rescore.get_or_insert(true);
    q.oversampling.get_or_insert(OVERSAMPLING);
    params
}

/// Checks search params as Qdrant validates them.
pub(crate) fn check_search_params(at: &str, p: &SearchParams) -> Result<(), ApiError> {
    if p.hnsw_ef == Some(0) {
        return Err(ApiError::validation(format!("{at}.hnsw_ef: value 0 invalid, must be 1 or larger")));
    }
    if let Some(o) = p.quantization.and_then(|q| q.oversampling)
        && !(o >= 1.0 && o.is_finite())
    {
        return Err(ApiError::validation(format!(
            "{at}.quantization.oversampling: value {o} invalid, must be 1.0 or larger"
        )));
    }
    Ok(())
}

/// A sub-query whose results the query above it rescores or fuses.
#[derive(Debug, Clone)]
pub(crate) struct PrefetchQuery {
    pub prefetch: Vec<PrefetchQuery>,
    pub query: Option<QueryKind>,
    pub using: Option<String>,
    pub filter: Option<Filter>,
    pub limit: Option<usize>,
    pub score_threshold: Option<f32>,
    pub params: Option<SearchParams>,
}

/// A query of Qdrant's Query API: nearest neighbours (dense or sparse), a fusion of prefetches,
/// or points by id when there is no `query`.
#[derive(Debug, Clone)]
pub(crate) struct Query {
    pub prefetch: Vec<PrefetchQuery>,
    pub query: Option<QueryKind>,
    pub using: Option<String>,
    pub filter: Option<Filter>,
    pub limit: usize,
    pub offset: usize,
    pub score_threshold: Option<f32>,
    /// Search params of a nearest-neighbour `query` (not of its prefetches).
    pub params: Option<SearchParams>,
    pub with_payload: WithPayloadInterface,
    pub with_vector: WithVector,
}

impl Query {
    /// Nearest neighbours of `vector` (the older search endpoints).
    pub fn nearest(vector: VectorIn, using: Option<String>) -> Self {
        Self {
            prefetch: Vec::new(),
            query: Some(QueryKind::Nearest(vector)),
            using,
            filter: None,
            limit: DEFAULT_LIMIT,
            offset: 0,
            score_threshold: None,
            params: None,
            with_payload: WithPayloadInterface::Bool(false),
            with_vector: WithVector::Bool(false),
        }
    }
}

/// A query in engine terms, checked against the collection: every vector name exists and
/// has the kind and dimension given (the engine answers an unknown name with an internal
/// error, and a fusion without sources with an empty result).
fn scoring(meta: &CollectionMeta, q: QueryKind, using: Option<&str>, sources: usize) -> Result<ScoringQuery, ApiError> {
    let name = using.unwrap_or(VECTOR_NAME);
    match q {
        QueryKind::Nearest(v) => {
            let query = match (vector_kind(meta, name)?, v) {
                (Some(dim), VectorIn::Dense(d)) => {
                    check_dense_dim(dim, d.len())?;
                    VectorInternal::Dense(d)
                }
                (None, VectorIn::Sparse { indices, values }) => {
                    VectorInternal::Sparse(sparse_vector("query", indices, values)?)
                }
                (Some(_), VectorIn::Sparse { .. }) => {
                    let shown = if name.is_empty() { "the unnamed vector".to_owned() } else { format!("`{name}`") };
                    return Err(ApiError::bad_request(format!(
                        "a sparse query needs a sparse vector in `using`, and {shown} is dense"
                    )));
                }
                (None, VectorIn::Dense(_)) => {
                    return Err(ApiError::bad_request(format!(
                        "vector `{name}` is sparse: query it with {{\"indices\": [...], \"values\": [...]}}"
                    )));
                }
            };
            Ok(ScoringQuery::Vector(QueryEnum::Nearest(NamedQuery { query, using: Some(name.to_owned()) })))
        }
        QueryKind::Rrf { .. } | QueryKind::Dbsf if sources == 0 => {
            Err(ApiError::bad_request("a fusion query needs at least one prefetch to fuse"))
        }
        QueryKind::Rrf { k, weights } => {
            let k = k.unwrap_or(DEFAULT_RRF_K);
            if k == 0 {
                return Err(ApiError::validation("query.rrf.k: value 0 invalid, must be 1 or larger"));
            }
            if let Some(w) = &weights {
                if w.len() != sources {
                    return Err(ApiError::bad_request(format!(
                        "{} RRF weights for {sources} prefetches: give one weight per prefetch",
                        w.len()
                    )));
                }
                if w.iter().any(|w| !w.is_finite() || *w < 0.0) {
                    return Err(ApiError::validation("query.rrf.weights: must be finite and not negative"));
                }
            }
            let weights = weights.map(|w| w.into_iter().map(OrderedFloat).collect());
            Ok(ScoringQuery::Fusion(Fusion::Rrf { k, weights }))
        }
        QueryKind::Dbsf => Ok(ScoringQuery::Fusion(Fusion::Dbsf)),
    }
}

/// A prefetch in engine terms (checked, recursively).
fn prefetch(meta: &CollectionMeta, p: PrefetchQuery) -> Result<Prefetch, ApiError> {
    let sources = p.prefetch.len();
    let prefetches = p.prefetch.into_iter().map(|p| prefetch(meta, p)).collect::<Result<Vec<_>, _>>()?;
    let query = p.query.map(|q| scoring(meta, q, p.using.as_deref(), sources)).transpose()?;
    if query.is_none() && !prefetches.is_empty() {
        return Err(ApiError::bad_request("a prefetch with prefetches of its own needs a `query` to combine them"));
    }
    let limit = p.limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 {
        return Err(ApiError::validation("prefetch.limit: value 0 invalid, must be 1 or larger"));
    }
    Ok(Prefetch {
        prefetches,
        query,
        limit,
        params: Some(search_params(p.params)),
        filter: p.filter,
        score_threshold: p.score_threshold.map(OrderedFloat),
    })
}

/// Runs a query. Exact (brute-force) unless the collection was optimised: see the crate docs.
pub(crate) fn query(c: &Collection, q: Query) -> Result<Vec<ScoredPoint>, ApiError> {
    let sources = q.prefetch.len();
    let prefetches = q.prefetch.into_iter().map(|p| prefetch(&c.meta, p)).collect::<Result<Vec<_>, _>>()?;
    let query = q.query.map(|k| scoring(&c.meta, k, q.using.as_deref(), sources)).transpose()?;
    let fused = matches!(query, Some(ScoringQuery::Fusion(_)));
    if query.is_none() && !prefetches.is_empty() {
        return Err(ApiError::bad_request("a query with prefetches needs a `query` to combine them"));
    }
    // The engine answers the first `limit + offset` points and leaves cutting off the `offset`
    // to its caller (Qdrant's collection layer); its sum is unchecked, and overflows for a huge
    // limit or offset (a panic with overflow checks, a wrong page without). No collection holds
    // `usize::MAX` points, so capping the limit there changes no answer.
    let limit = q.limit.min(usize::MAX - q.offset);
    if limit == 0 {
        return Ok(Vec::new());
    }
    // Points of equal score come in the engine's order of insertion, which differs between two
    // collections filled with the same points by concurrent writers: a few more are asked for,
    // so that the points tied at the last place asked for are ordered by id too (ties longer
    // than that are cut where the engine cuts them).
    let asked = limit;
    let limit = limit.saturating_add(TIE_MARGIN).min(usize::MAX - q.offset);
    if let Some(ScoringQuery::Fusion(fusion)) = &query
        && fusable_here(&c.meta, &prefetches, fusion)
    {
        // The fused ranking is whole (ties by id): no margin needed.
        let page = Page { filter: q.filter, score_threshold: q.score_threshold, limit: asked, offset: q.offset };
        let mut points = fused_here(c, prefetches, fusion, page)?;
        points.drain(..q.offset.min(points.len()));
        return with_records(c, points, q.with_payload, q.with_vector);
    }
    let mut points = c
        .shard()?
        .query(QueryRequest {
            prefetches,
            query,
            filter: q.filter,
            score_threshold: q.score_threshold.map(OrderedFloat),
            limit,
            offset: q.offset,
            params: Some(search_params(q.params)),
            with_vector: q.with_vector,
            with_payload: q.with_payload,
        })
        .map_err(ApiError::from_engine)?;
    // Sorted by id among equals: fusion ties often (RRF gives the same score to ranks 1 and 3
    // as to 3 and 1), near-duplicate records tie on every score, and the engine leaves tied
    // points in hash or insertion order. So the same query over the same points answers the
    // same order, and a page and the next one, asked separately, neither repeat nor skip a
    // point. Only runs of equal scores are reordered: the engine's order between different
    // scores (best first, whichever way the distance counts) stays. (A fusion that reaches the
    // engine, of nested prefetches or DBSF over a distance, has its prefetches' ties ranked
    // there, as the engine leaves them.)
    if fused {
        points.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
    } else {
        ties_by_id(&mut points);
    }
    points.truncate(q.offset.saturating_add(asked));
    points.drain(..q.offset.min(points.len()));
    Ok(points)
}

/// What a fusion run here answers from: the query's filter (propagated into every prefetch, as
/// the engine does), threshold and page.
struct Page {
    filter: Option<Filter>,
    score_threshold: Option<f32>,
    limit: usize,
    offset: usize,
}

/// Whether a fusion is run here rather than in the engine ([`fused_here`]): when every prefetch
/// is a leaf (a nearest-neighbour search of its own) and, for DBSF (which reads scores, larger
/// better), every one searches a sparse vector or a dense one whose similarity grows with
/// likeness (cosine, dot product).
fn fusable_here(meta: &CollectionMeta, prefetches: &[Prefetch], fusion: &Fusion) -> bool {
    prefetches.iter().all(|p| {
        let Some(ScoringQuery::Vector(QueryEnum::Nearest(NamedQuery { using, .. }))) = &p.query else { return false };
        if !p.prefetches.is_empty() {
            return false;
        }
        let name = using.as_deref().unwrap_or(VECTOR_NAME);
        match fusion {
            Fusion::Rrf { .. } => true,
            Fusion::Dbsf => {
                meta.sparse.contains_key(name)
                    || meta.dense.get(name).is_some_and(|d| matches!(d.distance, Distance::Cosine | Distance::Dot))
            }
        }
    })
}

/// A fusion of leaf prefetches run here: each prefetch asked of the engine on its own, its
/// points of equal score ordered by id ([`ties_by_id`]) before its ranks are read, then fused as
/// the engine fuses (RRF: a point at position `p`, from 0, of a prefetch of weight `w` adds
/// `1 / ((p + 1) / w + k - 1)`; DBSF: each prefetch's scores mapped so that mean − 3σ is 0 and
/// mean + 3σ is 1, σ the sample deviation, a lone point 0.5, summed). In the engine a
/// prefetch's ties keep the order the points were written in, so the same points fused gave
/// different scores in two collections written by concurrent writers. The answer: the first
/// `offset + limit` points, best first, ties by id, those under the threshold left out; no
/// payload or vectors yet ([`with_records`]).
fn fused_here(
    c: &Collection,
    prefetches: Vec<Prefetch>,
    fusion: &Fusion,
    page: Page,
) -> Result<Vec<ScoredPoint>, ApiError> {
    let shard = c.shard()?;
    // Each point's fused score, and its version as the engine answered it.
    let mut fused: HashMap<PointId, (f32, u64)> = HashMap::new();
    let weights = match fusion {
        Fusion::Rrf { weights: Some(w), .. } => w.iter().map(|w| w.into_inner()).collect(),
        _ => Vec::new(),
    };
    for (i, p) in prefetches.into_iter().enumerate() {
        let mut ranked = shard
            .query(QueryRequest {
                prefetches: Vec::new(),
                query: p.query,
                filter: Filter::merge_opts(page.filter.clone(), p.filter),
                score_threshold: p.score_threshold,
                limit: p.limit.saturating_add(TIE_MARGIN),
                offset: 0,
                params: p.params,
                with_vector: WithVector::Bool(false),
                with_payload: WithPayloadInterface::Bool(false),
            })
            .map_err(ApiError::from_engine)?;
        ties_by_id(&mut ranked);
        ranked.truncate(p.limit);
        let scores: Vec<f32> = match fusion {
            Fusion::Rrf { k, .. } => {
                let w = weights.get(i).copied().unwrap_or(1.0);
                (0..ranked.len())
                    .map(|pos| if w <= 0.0 { 0.0 } else { 1.0 / ((pos + 1) as f32 / w + *k as f32 - 1.0) })
                    .collect()
            }
            Fusion::Dbsf => distribution_scores(&ranked),
        };
        for (point, score) in ranked.iter().zip(scores) {
            fused.entry(point.id).or_insert((0.0, point.version)).0 += score;
        }
    }
    let mut points: Vec<ScoredPoint> = fused
        .into_iter()
        .filter(|(_, (score, _))| page.score_threshold.is_none_or(|t| *score >= t))
        .map(|(id, (score, version))| ScoredPoint {
            id,
            version,
            score,
            payload: None,
            vector: None,
            shard_key: None,
            order_value: None,
        })
        .collect();
    points.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
    points.truncate(page.offset.saturating_add(page.limit));
    Ok(points)
}

/// DBSF's normalised scores of one ranking (see [`fused_here`]).
fn distribution_scores(ranked: &[ScoredPoint]) -> Vec<f32> {
    if ranked.len() < 2 {
        return vec![0.5; ranked.len()];
    }
    let n = ranked.len() as f32;
    let mean = ranked.iter().map(|p| p.score).sum::<f32>() / n;
    let variance = ranked.iter().map(|p| (p.score - mean).powi(2)).sum::<f32>() / (n - 1.0);
    let (lo, hi) = (mean - 3.0 * variance.sqrt(), mean + 3.0 * variance.sqrt());
    ranked.iter().map(|p| if hi == lo { 0.5 } else { (p.score - lo) / (hi - lo) }).collect()
}

/// `points` with the payload and vectors asked for, read from the engine.
fn with_records(
    c: &Collection,
    mut points: Vec<ScoredPoint>,
    with_payload: WithPayloadInterface,
    with_vector: WithVector,
) -> Result<Vec<ScoredPoint>, ApiError> {
    let wants_payload = !matches!(with_payload, WithPayloadInterface::Bool(false));
    let wants_vector = !matches!(with_vector, WithVector::Bool(false));
    if points.is_empty() || (!wants_payload && !wants_vector) {
        return Ok(points);
    }
    let ids: Vec<PointId> = points.iter().map(|p| p.id).collect();
    let mut records: HashMap<PointId, Record> =
        retrieve(c, &ids, with_payload, with_vector)?.into_iter().map(|r| (r.id, r)).collect();
    for p in &mut points {
        if let Some(r) = records.remove(&p.id) {
            p.payload = r.payload;
            p.vector = r.vector;
        }
    }
    Ok(points)
}

/// Points asked for beyond a query's limit so that those tied at its last place are ordered by
/// id ([`query`]).
const TIE_MARGIN: usize = 16;

/// Each run of consecutive points of equal score ordered by id; the runs stay where they are.
fn ties_by_id(points: &mut [ScoredPoint]) {
    for run in points.chunk_by_mut(|a, b| a.score == b.score) {
        run.sort_by_key(|p| p.id);
    }
}

/// A point's vectors as Qdrant prints them.
pub(crate) enum VectorsOut<'a> {
    /// A point with only the unnamed dense vector: a plain list.
    Single(&'a [f32]),
    /// Otherwise each vector by name (sorted), dense or sparse.
    Named(Vec<(&'a str, &'a VectorInternal)>),
}

/// The vectors of a point as stored, in the shape Qdrant prints them, whatever shape the engine
/// hands back.
pub(crate) fn vectors_out(v: &VectorStructInternal) -> VectorsOut<'_> {
    match v {
        VectorStructInternal::Single(d) => VectorsOut::Single(d.as_slice()),
        VectorStructInternal::Named(m) => {
            if m.len() == 1
                && let Some(VectorInternal::Dense(d)) = m.get(VECTOR_NAME)
            {
                return VectorsOut::Single(d.as_slice());
            }
            let mut named: Vec<(&str, &VectorInternal)> = m.iter().map(|(k, v)| (k.as_str(), v)).collect();
            named.sort_by(|a, b| a.0.cmp(b.0));
            VectorsOut::Named(named)
        }
        VectorStructInternal::MultiDense(_) => VectorsOut::Named(Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn search_params_rescore_by_default_and_keep_what_was_asked() {
        let default = search_params(None);
        let q = default.quantization.unwrap_or_default();
        assert_eq!((q.ignore, q.rescore, q.oversampling), (false, Some(true), Some(OVERSAMPLING)));
        assert!(!default.exact);

        let asked = SearchParams {
            exact: true,
            quantization: Some(QuantizationSearchParams { ignore: false, rescore: Some(false), oversampling: None }),
            ..SearchParams::default()
        };
        let got = search_params(Some(asked));
        assert!(got.exact);
        let q = got.quantization.unwrap_or_default();
        assert_eq!((q.rescore, q.oversampling), (Some(false), Some(OVERSAMPLING)));
    }

    #[test]
    fn ties_are_ordered_by_id_and_nothing_else_moves() {
        let p = |id: u64, score: f32| ScoredPoint {
            id: PointId::NumId(id),
            version: 0,
            score,
            payload: None,
            vector: None,
            shard_key: None,
            order_value: None,
        };
        // Ascending scores (a distance) stay ascending; each tie is put in id order.
        let mut points = vec![p(9, 0.1), p(4, 0.5), p(2, 0.5), p(7, 0.5), p(1, 0.9), p(3, 1.2), p(0, 1.2)];
        ties_by_id(&mut points);
        let ids: Vec<String> = points.iter().map(|x| x.id.to_string()).collect();
        assert_eq!(ids, ["9", "2", "4", "7", "1", "0", "3"]);
    }

    #[test]
    fn search_params_are_checked_as_qdrant_checks_them() {
        let with = |oversampling| SearchParams {
            quantization: Some(QuantizationSearchParams { ignore: false, rescore: None, oversampling }),
            ..SearchParams::default()
        };
        assert!(check_search_params("params", &with(Some(1.0))).is_ok());
        assert!(check_search_params("params", &with(None)).is_ok());
        for bad in [0.99, f64::NAN, f64::INFINITY, -1.0] {
            let e = check_search_params("params", &with(Some(bad))).unwrap_err();
            assert!(e.message.contains("params.quantization.oversampling"), "{}", e.message);
        }
        let e = check_search_params("prefetch.params", &SearchParams { hnsw_ef: Some(0), ..SearchParams::default() })
            .unwrap_err();
        assert!(e.message.contains("prefetch.params.hnsw_ef"), "{}", e.message);
    }
}
