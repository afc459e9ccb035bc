//! Operations shared by the REST and gRPC front ends: requests in engine terms, checked against
//! the collection, and run on the engine.

use qdrant_edge::external::ordered_float::OrderedFloat;
use qdrant_edge::{
    CountRequest, CreateIndex, FieldIndexOperations, Filter, JsonPath, NamedQuery, Payload, PayloadFieldSchema,
    PayloadOps, PointId, PointInsertOperations, PointOperations, PointStructPersisted, QueryEnum, QueryRequest, Record,
    ScoredPoint, ScoringQuery, ScrollRequest, SetPayloadOp, UpdateOperation, VectorInternal, VectorStructInternal,
    WithPayloadInterface, WithVector,
};
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::store::{Collection, VECTOR_NAME};

/// A point to upsert, already parsed.
#[derive(Debug, Clone)]
pub(crate) struct NewPoint {
    pub id: PointId,
    pub vector: Vec<f32>,
    pub payload: Map<String, Value>,
}

/// Which points an operation applies to.
#[derive(Debug, Clone)]
pub(crate) enum Selector {
    Ids(Vec<PointId>),
    Filter(Filter),
}

fn check_dim(c: &Collection, got: usize) -> Result<(), ApiError> {
    if got != c.meta.size {
        return Err(ApiError::bad_request(format!("Vector dimension error: expected dim: {}, got {got}", c.meta.size)));
    }
    Ok(())
}

/// Upserts points; every vector is checked before anything is written.
pub(crate) fn upsert(c: &Collection, points: Vec<NewPoint>) -> Result<u64, ApiError> {
    c.update(upsert_op(c, points)?)
}

/// The engine operation of an upsert (vectors checked).
pub(crate) fn upsert_op(c: &Collection, points: Vec<NewPoint>) -> Result<UpdateOperation, ApiError> {
    for p in &points {
        check_dim(c, p.vector.len())?;
    }
    let persisted: Vec<PointStructPersisted> = points
        .into_iter()
        .map(|p| PointStructPersisted {
            id: p.id,
            vector: VectorStructInternal::Single(p.vector).into(),
            payload: Some(Payload(p.payload)),
        })
        .collect();
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

/// A nearest-neighbour or plain (id-ordered) query.
#[derive(Debug, Clone)]
pub(crate) struct Query {
    pub vector: Option<Vec<f32>>,
    pub filter: Option<Filter>,
    pub limit: usize,
    pub offset: usize,
    pub score_threshold: Option<f32>,
    pub with_payload: WithPayloadInterface,
    pub with_vector: WithVector,
}

/// Runs a query. Exact (brute-force) unless the collection was optimised: see the crate docs.
pub(crate) fn query(c: &Collection, q: Query) -> Result<Vec<ScoredPoint>, ApiError> {
    if let Some(v) = &q.vector {
        check_dim(c, v.len())?;
    }
    // The engine answers the first `limit + offset` points and leaves cutting off the `offset`
    // to its caller (Qdrant's collection layer); its sum is unchecked, and overflows for a huge
    // limit or offset (a panic with overflow checks, a wrong page without). No collection holds
    // `usize::MAX` points, so capping the limit there changes no answer.
    let limit = q.limit.min(usize::MAX - q.offset);
    if limit == 0 {
        return Ok(Vec::new());
    }
    let query = q.vector.map(|v| {
        ScoringQuery::Vector(QueryEnum::Nearest(NamedQuery {
            query: VectorInternal::Dense(v),
            using: Some(VECTOR_NAME.to_owned()),
        }))
    });
    let mut points = c
        .shard()?
        .query(QueryRequest {
            prefetches: Vec::new(),
            query,
            filter: q.filter,
            score_threshold: q.score_threshold.map(OrderedFloat),
            limit,
            offset: q.offset,
            params: None,
            with_vector: q.with_vector,
            with_payload: q.with_payload,
        })
        .map_err(ApiError::from_engine)?;
    points.drain(..q.offset.min(points.len()));
    Ok(points)
}

/// The dense vector of a point as stored, whatever shape the engine hands back.
pub(crate) fn dense_of(v: &VectorStructInternal) -> Option<&[f32]> {
    match v {
        VectorStructInternal::Single(d) => Some(d.as_slice()),
        VectorStructInternal::Named(m) => match m.get(VECTOR_NAME) {
            Some(VectorInternal::Dense(d)) => Some(d.as_slice()),
            _ => None,
        },
        VectorStructInternal::MultiDense(_) => None,
    }
}
