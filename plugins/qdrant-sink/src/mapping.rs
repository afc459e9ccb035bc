//! Pure translation between weir's sink types and Qdrant's REST bodies: request bodies built
//! and split by count and size, answers parsed. No IO here, so all of it is unit-tested natively.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use serde_json::{Value, json};
use weir_sdk::{Distance, Error, Fusion, IndexKind, PayloadUpdate, Point, Query, Result, ScoredPoint, SparseVector};

/// The name of the dense vector in a hybrid collection.
pub const DENSE_VECTOR: &str = "dense";
/// The name of the sparse (lexical) vector in a hybrid collection.
pub const SPARSE_VECTOR: &str = "bm25";
/// How many candidates each search of a fused query contributes, per point asked for: fusion
/// can only rank what the searches found, and a point ranked low by one search may still win.
pub const PREFETCH_PER_HIT: u32 = 4;
/// The fewest candidates each search of a fused query contributes.
pub const MIN_PREFETCH: u32 = 40;

/// Qdrant's name of a distance.
pub fn distance_name(distance: Distance) -> &'static str {
    match distance {
        Distance::Cosine => "Cosine",
        Distance::Dot => "Dot",
        Distance::Euclid => "Euclid",
        Distance::Manhattan => "Manhattan",
    }
}

fn parse_distance(name: &str) -> Option<Distance> {
    match name {
        "Cosine" => Some(Distance::Cosine),
        "Dot" => Some(Distance::Dot),
        "Euclid" => Some(Distance::Euclid),
        "Manhattan" => Some(Distance::Manhattan),
        _ => None,
    }
}

/// Qdrant's `PayloadSchemaType` of an index kind.
pub fn index_schema(kind: IndexKind) -> &'static str {
    match kind {
        IndexKind::Keyword => "keyword",
        IndexKind::Integer => "integer",
        IndexKind::Float => "float",
        IndexKind::Boolean => "bool",
        IndexKind::Text => "text",
        IndexKind::Datetime => "datetime",
        IndexKind::Uuid => "uuid",
    }
}

/// A point id as Qdrant takes it: an unsigned integer when the text is one, otherwise the text
/// (weir's ids are UUIDs, which Qdrant takes as strings).
pub fn point_id(id: &str) -> Value {
    match id.parse::<u64>() {
        Ok(n) if !id.starts_with('+') && (id == "0" || !id.starts_with('0')) => Value::from(n),
        _ => Value::String(id.to_owned()),
    }
}

fn id_text(id: &Value) -> Option<String> {
    match id {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) if n.is_u64() => Some(n.to_string()),
        _ => None,
    }
}

/// A payload from the host: it must be a JSON object (or empty, meaning `{}`).
fn payload_object(id: &str, text: &str) -> Result<Value> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Value::Object(serde_json::Map::new()));
    }
    match serde_json::from_str::<Value>(text) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err(not_an_object(id)),
        Err(e) => Err(not_json(id, e)),
    }
}

fn not_json(id: &str, e: serde_json::Error) -> Error {
    Error::permanent(format_args!("point `{id}`: the payload is not JSON: {e}"))
}

fn not_an_object(id: &str) -> Error {
    Error::permanent(format_args!("point `{id}`: the payload must be a JSON object"))
}

/// The same check without building the object: the payload's own text, trimmed, to be
/// written into a request as it is (`{}` when empty).
fn payload_text<'a>(id: &str, text: &'a str) -> Result<&'a str> {
    let text = text.trim();
    if text.is_empty() {
        return Ok("{}");
    }
    if let Err(e) = serde_json::from_str::<Checked>(text) {
        return Err(not_json(id, e));
    }
    if !text.starts_with('{') {
        return Err(not_an_object(id));
    }
    Ok(text)
}

/// Any JSON value, checked as strictly as parsing it into a `Value` would (numbers in range,
/// no lone surrogates) but without building anything.
struct Checked;

impl<'de> serde::Deserialize<'de> for Checked {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(CheckedVisitor)
    }
}

struct CheckedVisitor;

impl<'de> serde::de::Visitor<'de> for CheckedVisitor {
    type Value = Checked;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> std::result::Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_i64<E>(self, _: i64) -> std::result::Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_u64<E>(self, _: u64) -> std::result::Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_f64<E>(self, _: f64) -> std::result::Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_str<E>(self, _: &str) -> std::result::Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_unit<E>(self) -> std::result::Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Checked, A::Error> {
        while seq.next_element::<Checked>()?.is_some() {}
        Ok(Checked)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> std::result::Result<Checked, A::Error> {
        while map.next_entry::<Checked, Checked>()?.is_some() {}
        Ok(Checked)
    }
}

/// One serialised element of a request's list, with how many points it counts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub json: String,
    pub points: usize,
}

/// Writes a vector's numbers in their shortest exact form, refusing NaN and infinities.
fn push_floats(json: &mut String, floats: &mut ryu::Buffer, id: &str, values: &[f32]) -> Result<()> {
    for (i, x) in values.iter().enumerate() {
        if !x.is_finite() {
            return Err(Error::permanent(format_args!("point `{id}`: the vector holds {x}")));
        }
        if i > 0 {
            json.push(',');
        }
        json.push_str(floats.format_finite(*x));
    }
    Ok(())
}

/// `{"indices":[…],"values":[…]}`, Qdrant's `SparseVector`.
fn push_sparse(json: &mut String, floats: &mut ryu::Buffer, id: &str, v: &SparseVector) -> Result<()> {
    if v.indices.len() != v.values.len() {
        return Err(Error::permanent(format_args!(
            "point `{id}`: the sparse vector has {} indices but {} values",
            v.indices.len(),
            v.values.len()
        )));
    }
    json.push_str(r#"{"indices":["#);
    for (i, index) in v.indices.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        json.push_str(&index.to_string());
    }
    json.push_str(r#"],"values":["#);
    push_floats(json, floats, id, &v.values)?;
    json.push_str("]}");
    Ok(())
}

/// `{"id":…,"vector":[…],"payload":{…}}` per point, checking each vector's dimension. In a
/// hybrid (`lexical`) collection the vector is named: `{"dense":[…],"bm25":{…}}`; a point
/// with a sparse vector is refused for a dense-only collection, never written without it.
pub fn point_items(points: &[Point], dimension: Option<u32>, lexical: bool) -> Result<Vec<Item>> {
    let mut floats = ryu::Buffer::new();
    points
        .iter()
        .map(|p| {
            if let Some(d) = dimension
                && p.vector.len() != d as usize
            {
                return Err(Error::config(format_args!(
                    "point `{}` has a {}-dimensional vector; the collection holds {d}-dimensional vectors",
                    p.id,
                    p.vector.len()
                )));
            }
            if p.sparse.is_some() && !lexical {
                return Err(Error::config(format_args!(
                    "point `{}` has a sparse (lexical) vector, but the collection holds dense vectors only; \
                     nothing was written: a hybrid pipeline needs a hybrid collection (rebuild)",
                    p.id
                )));
            }
            let payload = payload_text(&p.id, &p.payload)?;
            // Written by hand into one buffer: this is the sink's hot loop (a 384-dim point is
            // ~4 KB of text). Each f32 is written in its shortest exact form ("0.1", not
            // "0.10000000149011612": a third of the bytes of a request that went through f64).
            let mut json = String::with_capacity(p.id.len() + p.vector.len() * 12 + payload.len() + 40);
            json.push_str(r#"{"id":"#);
            json.push_str(&point_id(&p.id).to_string());
            if lexical {
                json.push_str(r#","vector":{""#);
                json.push_str(DENSE_VECTOR);
                json.push_str(r#"":["#);
                push_floats(&mut json, &mut floats, &p.id, &p.vector)?;
                json.push(']');
                if let Some(sparse) = &p.sparse {
                    json.push_str(r#",""#);
                    json.push_str(SPARSE_VECTOR);
                    json.push_str(r#"":"#);
                    push_sparse(&mut json, &mut floats, &p.id, sparse)?;
                }
                json.push_str(r#"},"payload":"#);
            } else {
                json.push_str(r#","vector":["#);
                push_floats(&mut json, &mut floats, &p.id, &p.vector)?;
                json.push_str(r#"],"payload":"#);
            }
            json.push_str(payload);
            json.push('}');
            Ok(Item { json, points: 1 })
        })
        .collect()
}

/// A JSON id per element, for deletes.
pub fn id_items(ids: &[String]) -> Vec<Item> {
    ids.iter().map(|id| Item { json: point_id(id).to_string(), points: 1 }).collect()
}

/// Payload replacements as Qdrant `SetPayload` bodies (`{"payload":…,"points":[…]}`): the last
/// update of each id wins, points with the same new payload share one body, and no body names
/// more than `max_points` points.
pub fn payload_items(updates: &[PayloadUpdate], max_points: usize) -> Result<Vec<Item>> {
    let max_points = max_points.max(1);
    let mut last: HashMap<&str, usize> = HashMap::with_capacity(updates.len());
    for (i, u) in updates.iter().enumerate() {
        last.insert(u.id.as_str(), i);
    }
    // Payload text (normalised) -> ids, in the order the payloads first appear.
    let mut groups: Vec<(String, Vec<Value>)> = Vec::new();
    let mut group_of: HashMap<String, usize> = HashMap::new();
    for (i, u) in updates.iter().enumerate() {
        if last.get(u.id.as_str()) != Some(&i) {
            continue;
        }
        let payload = payload_object(&u.id, &u.payload)?.to_string();
        let g = *group_of.entry(payload.clone()).or_insert_with(|| {
            groups.push((payload, Vec::new()));
            groups.len() - 1
        });
        groups[g].1.push(point_id(&u.id));
    }
    let mut items = Vec::new();
    for (payload, ids) in groups {
        for chunk in ids.chunks(max_points) {
            let points = Value::Array(chunk.to_vec()).to_string();
            items.push(Item { json: format!(r#"{{"payload":{payload},"points":{points}}}"#), points: chunk.len() });
        }
    }
    Ok(items)
}

/// Splits `items` into consecutive runs whose points add up to at most `max_points` and whose
/// request (`overhead` bytes of wrapping plus the items and their commas) stays within
/// `max_bytes`. An item too large on its own travels alone.
pub fn split(items: &[Item], max_points: usize, max_bytes: usize, overhead: usize) -> Vec<Range<usize>> {
    let mut runs = Vec::new();
    let mut start = 0;
    let (mut points, mut bytes) = (0usize, overhead);
    for (i, item) in items.iter().enumerate() {
        let comma = usize::from(i > start);
        let fits = points + item.points <= max_points && bytes + comma + item.json.len() <= max_bytes;
        if i > start && !fits {
            runs.push(start..i);
            start = i;
            (points, bytes) = (0, overhead);
        }
        points += item.points;
        bytes += usize::from(i > start) + item.json.len();
    }
    if start < items.len() {
        runs.push(start..items.len());
    }
    runs
}

/// `prefix` + the items joined by commas + `suffix`.
pub fn join(prefix: &str, items: &[Item], suffix: &str) -> String {
    let len = prefix.len() + suffix.len() + items.iter().map(|i| i.json.len() + 1).sum::<usize>();
    let mut body = String::with_capacity(len);
    body.push_str(prefix);
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&item.json);
    }
    body.push_str(suffix);
    body
}

/// Wrapping of an upsert body: `{"points":[` … `]}`.
pub const UPSERT: (&str, &str) = (r#"{"points":["#, "]}");
/// Wrapping of a delete body.
pub const DELETE: (&str, &str) = (r#"{"points":["#, "]}");
/// Wrapping of a batch update body; each element is wrapped again by [`OVERWRITE`].
pub const BATCH: (&str, &str) = (r#"{"operations":["#, "]}");
/// Wrapping of one `SetPayload` body inside a batch update: a full replacement of the payload.
pub const OVERWRITE: (&str, &str) = (r#"{"overwrite_payload":"#, "}");

/// Payload items as batch operations (`{"overwrite_payload":{…}}`).
pub fn overwrite_operations(items: Vec<Item>) -> Vec<Item> {
    items
        .into_iter()
        .map(|i| Item { json: format!("{}{}{}", OVERWRITE.0, i.json, OVERWRITE.1), points: i.points })
        .collect()
}

/// Translates weir's query filter, a JSON object of `field: value` pairs meaning "every field
/// equals its value", into a Qdrant filter: strings, integers and booleans become `match`
/// conditions, other numbers a closed `range` on the value, `null` an `is_null` condition.
/// An empty object is no filter.
pub fn filter(text: &str) -> Result<Option<Value>> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let bad = |why: String| Error::permanent(format_args!("query filter: {why}"));
    let Value::Object(fields) = serde_json::from_str::<Value>(text).map_err(|e| bad(e.to_string()))? else {
        return Err(bad("expected a JSON object of `field: value` pairs".to_owned()));
    };
    if fields.is_empty() {
        return Ok(None);
    }
    let mut must = Vec::with_capacity(fields.len());
    for (key, value) in fields {
        let condition = match &value {
            Value::String(_) | Value::Bool(_) => json!({ "key": key, "match": { "value": value } }),
            Value::Number(n) if n.is_i64() => json!({ "key": key, "match": { "value": value } }),
            Value::Number(n) => match n.as_f64() {
                Some(x) => json!({ "key": key, "range": { "gte": x, "lte": x } }),
                None => return Err(bad(format!("field `{key}`: {n} is not a number Qdrant can compare"))),
            },
            Value::Null => json!({ "is_null": { "key": key } }),
            Value::Array(_) | Value::Object(_) => {
                return Err(bad(format!("field `{key}`: only strings, numbers, booleans and null can be matched")));
            }
        };
        must.push(condition);
    }
    Ok(Some(json!({ "must": must })))
}

/// What `GET /collections/{name}` says about a collection.
#[derive(Debug, Clone, PartialEq)]
pub struct Described {
    /// The size of its one unnamed vector, or of its named vector `dense`; `None` when it has
    /// other named vectors.
    pub dimension: Option<u32>,
    pub distance: Option<Distance>,
    /// Names of its named vectors, when it has them instead of one unnamed vector.
    pub named_vectors: Vec<String>,
    /// Names of its sparse vectors, each with whether Qdrant weighs it by IDF.
    pub sparse_vectors: Vec<(String, bool)>,
    /// Qdrant's (approximate) point count.
    pub points: u64,
    /// Payload indexes: field -> Qdrant's schema type.
    pub indexes: BTreeMap<String, String>,
}

/// Reads the `result` of `GET /collections/{name}`.
pub fn describe(result: &Value) -> Result<Described> {
    let vectors = result
        .pointer("/config/params/vectors")
        .ok_or_else(|| Error::invalid_data("collection info without `config.params.vectors`"))?;
    let params = |v: &Value| {
        let size = v.get("size").and_then(Value::as_u64).and_then(|s| u32::try_from(s).ok());
        let distance = v.get("distance").and_then(Value::as_str).and_then(parse_distance);
        match (size, distance) {
            (Some(_), Some(_)) => Ok((size, distance)),
            _ => Err(Error::invalid_data(format_args!("collection info with unreadable vector params: {v}"))),
        }
    };
    let (dimension, distance, named_vectors) = match vectors.get("size") {
        Some(_) => {
            let (size, distance) = params(vectors)?;
            (size, distance, Vec::new())
        }
        None => {
            let named: Vec<String> = vectors.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
            match vectors.get(DENSE_VECTOR) {
                Some(dense) => {
                    let (size, distance) = params(dense)?;
                    (size, distance, named)
                }
                None => (None, None, named),
            }
        }
    };
    let sparse_vectors = result
        .pointer("/config/params/sparse_vectors")
        .and_then(Value::as_object)
        .map(|all| {
            all.iter()
                .map(|(name, p)| (name.clone(), p.get("modifier").and_then(Value::as_str) == Some("idf")))
                .collect()
        })
        .unwrap_or_default();
    let points = result.get("points_count").and_then(Value::as_u64).unwrap_or(0);
    let indexes = result
        .get("payload_schema")
        .and_then(Value::as_object)
        .map(|schema| {
            schema
                .iter()
                .filter_map(|(field, info)| Some((field.clone(), info.get("data_type")?.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default();
    Ok(Described { dimension, distance, named_vectors, sparse_vectors, points, indexes })
}

impl Described {
    /// Whether this is a hybrid collection as weir makes them: one named dense vector and one
    /// IDF-weighted sparse vector, by weir's names.
    pub fn lexical(&self) -> bool {
        self.named_vectors == [DENSE_VECTOR] && self.sparse_vectors == [(SPARSE_VECTOR.to_owned(), true)]
    }

    /// Whether this is a dense-only collection as weir makes them: one unnamed vector.
    pub fn dense_only(&self) -> bool {
        self.named_vectors.is_empty() && self.sparse_vectors.is_empty()
    }

    /// The vector layout in words, for errors.
    pub fn layout(&self) -> String {
        let mut parts = Vec::new();
        if self.named_vectors.is_empty() {
            parts.push("one unnamed dense vector".to_owned());
        } else {
            parts.push(format!("named dense vectors ({})", self.named_vectors.join(", ")));
        }
        for (name, idf) in &self.sparse_vectors {
            parts.push(format!("sparse vector `{name}`{}", if *idf { " (IDF)" } else { " (no IDF)" }));
        }
        parts.join(" and ")
    }
}

/// Where a search goes and what it sends.
#[derive(Debug, Clone, PartialEq)]
pub enum Search {
    /// `POST …/points/query`: an answer of scored points.
    Query(Value),
    /// `POST …/points/scroll`: points matching a filter, without scores.
    Scroll(Value),
}

/// Qdrant's `SparseVector` as a JSON value, checked.
fn sparse_value(v: &SparseVector) -> Result<Value> {
    let bad = |why: String| Error::permanent(format_args!("the sparse query vector {why}"));
    if v.indices.len() != v.values.len() {
        return Err(bad(format!("has {} indices but {} values", v.indices.len(), v.values.len())));
    }
    if let Some(x) = v.values.iter().find(|x| !x.is_finite()) {
        return Err(bad(format!("holds {x}")));
    }
    Ok(json!({ "indices": v.indices, "values": v.values }))
}

/// The request of a search of a collection (`lexical`: hybrid, as [`Described::lexical`]):
/// dense only → a nearest-neighbour query (`using: dense` in a hybrid collection); sparse only
/// → a query of the sparse vector; both → a `prefetch` of each, fused by RRF or DBSF; neither
/// → a scroll of the points matching the filter.
pub fn search(query: &Query, lexical: bool, dimension: Option<u32>, collection: &str) -> Result<Search> {
    if let (Some(v), Some(d)) = (&query.vector, dimension)
        && v.len() != d as usize
    {
        return Err(Error::config(format_args!(
            "the query vector has {} dimensions; collection `{collection}` holds {d}-dimensional vectors",
            v.len()
        )));
    }
    if let Some(x) = query.vector.iter().flatten().find(|x| !x.is_finite()) {
        return Err(Error::permanent(format_args!("the query vector holds {x}")));
    }
    if query.sparse.is_some() && !lexical {
        return Err(Error::config(format_args!(
            "collection `{collection}` holds dense vectors only; a sparse or hybrid query needs a hybrid \
             collection (rebuild it)"
        )));
    }
    let filter = query.filter.as_deref().map(filter).transpose()?.flatten();
    let mut body = match (&query.vector, &query.sparse) {
        (Some(vector), None) if lexical => json!({ "query": vector, "using": DENSE_VECTOR }),
        (Some(vector), None) => json!({ "query": vector }),
        (None, Some(sparse)) => json!({ "query": sparse_value(sparse)?, "using": SPARSE_VECTOR }),
        (Some(vector), Some(sparse)) => {
            let candidates = query.k.saturating_mul(PREFETCH_PER_HIT).max(MIN_PREFETCH);
            let mut dense = json!({ "query": vector, "using": DENSE_VECTOR, "limit": candidates });
            let mut terms = json!({ "query": sparse_value(sparse)?, "using": SPARSE_VECTOR, "limit": candidates });
            // The filter restricts each search, so that fusion ranks only matching candidates.
            if let Some(f) = &filter {
                dense["filter"] = f.clone();
                terms["filter"] = f.clone();
            }
            let fusion = match query.fusion {
                Fusion::Rrf => "rrf",
                Fusion::Dbsf => "dbsf",
            };
            json!({ "prefetch": [dense, terms], "query": { "fusion": fusion } })
        }
        (None, None) => {
            let mut body = json!({ "limit": query.k, "with_payload": true, "with_vector": false });
            if let Some(f) = filter {
                body["filter"] = f;
            }
            return Ok(Search::Scroll(body));
        }
    };
    body["limit"] = json!(query.k);
    body["with_payload"] = json!(true);
    if let Some(f) = filter {
        body["filter"] = f;
    }
    Ok(Search::Query(body))
}

/// Reads the `result` of `POST /collections/{name}/points/scroll`: the points, score 0.
pub fn scrolled_points(result: &Value) -> Result<Vec<ScoredPoint>> {
    let points = result
        .get("points")
        .and_then(Value::as_array)
        .ok_or_else(|| Error::invalid_data("scroll answer without `points`"))?;
    points
        .iter()
        .map(|p| {
            let id =
                p.get("id").and_then(id_text).ok_or_else(|| Error::invalid_data("scrolled point without an id"))?;
            let payload = match p.get("payload") {
                Some(v @ Value::Object(_)) => v.to_string(),
                _ => "{}".to_owned(),
            };
            Ok(ScoredPoint { id, score: 0.0, payload })
        })
        .collect()
}

/// Reads the `result` of `POST /collections/{name}/points/query`.
pub fn scored_points(result: &Value) -> Result<Vec<ScoredPoint>> {
    let points = result
        .get("points")
        .and_then(Value::as_array)
        .ok_or_else(|| Error::invalid_data("query answer without `points`"))?;
    points
        .iter()
        .map(|p| {
            let id = p.get("id").and_then(id_text).ok_or_else(|| Error::invalid_data("query hit without an id"))?;
            let score = p
                .get("score")
                .and_then(Value::as_f64)
                .ok_or_else(|| Error::invalid_data("query hit without a score"))?;
            let payload = match p.get("payload") {
                Some(v @ Value::Object(_)) => v.to_string(),
                _ => "{}".to_owned(),
            };
            #[allow(clippy::cast_possible_truncation)]
            Ok(ScoredPoint { id, score: score as f32, payload })
        })
        .collect()
}

/// The aliases of `GET /aliases` as (alias, collection) pairs.
pub fn aliases(result: &Value) -> Vec<(String, String)> {
    result
        .get("aliases")
        .and_then(Value::as_array)
        .map(|all| {
            all.iter()
                .filter_map(|a| {
                    Some((a.get("alias_name")?.as_str()?.to_owned(), a.get("collection_name")?.as_str()?.to_owned()))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Qdrant's own error message (`status.error`) from an error answer, if it has one.
pub fn error_message(body: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(body).ok()?;
    v.pointer("/status/error").and_then(Value::as_str).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn point(id: &str, vector: Vec<f32>, payload: &str) -> Point {
        Point { id: id.to_owned(), vector, sparse: None, payload: payload.to_owned() }
    }

    fn sparse(indices: &[u32], values: &[f32]) -> SparseVector {
        SparseVector { indices: indices.to_vec(), values: values.to_vec() }
    }

    fn query(vector: Option<Vec<f32>>, sparse: Option<SparseVector>, k: u32, filter: Option<&str>) -> Query {
        Query { vector, sparse, fusion: Fusion::Rrf, k, filter: filter.map(str::to_owned) }
    }

    #[test]
    fn hybrid_points_carry_named_dense_and_sparse_vectors() {
        let mut p = point(U1, vec![0.5, -1.0], r#"{"n":1}"#);
        p.sparse = Some(sparse(&[3, 17], &[0.5, 1.25]));
        let items = point_items(&[p.clone(), point(U2, vec![1.0, 0.0], "{}")], Some(2), true).unwrap();
        let v: Value = serde_json::from_str(&items[0].json).unwrap();
        assert_eq!(
            v,
            json!({"id": U1, "vector": {"dense": [0.5, -1.0], "bm25": {"indices": [3, 17], "values": [0.5, 1.25]}},
                   "payload": {"n": 1}})
        );
        let v: Value = serde_json::from_str(&items[1].json).unwrap();
        assert_eq!(v["vector"], json!({"dense": [1.0, 0.0]}), "a point without terms has the dense vector only");
        let err = point_items(std::slice::from_ref(&p), Some(2), false).unwrap_err();
        assert!(matches!(&err, Error::Config(m) if m.contains("dense vectors only")), "{err}");
        p.sparse = Some(sparse(&[1, 2], &[1.0]));
        assert!(matches!(point_items(&[p.clone()], Some(2), true), Err(Error::Permanent(_))));
        p.sparse = Some(sparse(&[1], &[f32::NAN]));
        assert!(matches!(point_items(&[p], Some(2), true), Err(Error::Permanent(_))));
    }

    /// The body of a search that must be a query.
    fn queried(search: Result<Search>) -> Value {
        match search.unwrap() {
            Search::Query(body) => body,
            Search::Scroll(body) => Value::String(format!("a scroll, not a query: {body}")),
        }
    }

    #[test]
    fn searches_are_dense_sparse_fused_or_filter_only() {
        let dense = search(&query(Some(vec![1.0, 0.0]), None, 5, None), false, Some(2), "c").unwrap();
        assert_eq!(dense, Search::Query(json!({"query": [1.0, 0.0], "limit": 5, "with_payload": true})));
        let named = queried(search(&query(Some(vec![1.0, 0.0]), None, 5, None), true, Some(2), "c"));
        assert_eq!(named["using"], "dense");
        let s = sparse(&[4, 9], &[1.0, 0.5]);
        let lexical = queried(search(&query(None, Some(s.clone()), 3, None), true, Some(2), "c"));
        assert_eq!(lexical["query"], json!({"indices": [4, 9], "values": [1.0, 0.5]}));
        assert_eq!(lexical["using"], "bm25");
        let mut both = query(Some(vec![0.0, 1.0]), Some(s.clone()), 10, Some(r#"{"shop": "x"}"#));
        both.fusion = Fusion::Dbsf;
        let fused = queried(search(&both, true, Some(2), "c"));
        assert_eq!(fused["query"], json!({"fusion": "dbsf"}));
        assert_eq!(fused["limit"], 10);
        let prefetch = fused["prefetch"].as_array().unwrap();
        assert_eq!((prefetch[0]["using"].as_str(), prefetch[1]["using"].as_str()), (Some("dense"), Some("bm25")));
        assert!(prefetch.iter().all(|p| p["limit"] == 40 && p["filter"] == fused["filter"]));
        assert_eq!(fused["filter"], json!({"must": [{"key": "shop", "match": {"value": "x"}}]}));
        let big = query(Some(vec![0.0, 1.0]), Some(s.clone()), 50, None);
        let big = queried(search(&big, true, Some(2), "c"));
        assert_eq!(big["prefetch"][0]["limit"], 200);
        let only = search(&query(None, None, 7, Some(r#"{"shop": "x"}"#)), false, Some(2), "c").unwrap();
        assert_eq!(
            only,
            Search::Scroll(json!({"limit": 7, "with_payload": true, "with_vector": false,
                                  "filter": {"must": [{"key": "shop", "match": {"value": "x"}}]}}))
        );

        let err = search(&query(None, Some(s), 3, None), false, Some(2), "c").unwrap_err();
        assert!(matches!(&err, Error::Config(m) if m.contains("dense vectors only")), "{err}");
        let err = search(&query(Some(vec![1.0]), None, 3, None), true, Some(2), "c").unwrap_err();
        assert!(matches!(&err, Error::Config(m) if m.contains("1 dimensions")), "{err}");
        let bad = query(None, Some(sparse(&[1], &[f32::INFINITY])), 3, None);
        assert!(matches!(search(&bad, true, Some(2), "c"), Err(Error::Permanent(_))));
    }

    #[test]
    fn scrolled_points_score_zero() {
        let result = json!({"points": [{"id": U1, "payload": {"a": 1}}, {"id": 5}], "next_page_offset": null});
        let hits = scrolled_points(&result).unwrap();
        assert_eq!(hits[0], ScoredPoint { id: U1.to_owned(), score: 0.0, payload: r#"{"a":1}"#.to_owned() });
        assert_eq!(hits[1].payload, "{}");
        assert!(scrolled_points(&json!({})).is_err());
    }

    fn update(id: &str, payload: &str) -> PayloadUpdate {
        PayloadUpdate { id: id.to_owned(), payload: payload.to_owned() }
    }

    const U1: &str = "6f1c2a4e-9d0b-5c3e-8a7f-0b1d2c3e4f50";
    const U2: &str = "0a1b2c3d-4e5f-5061-8273-8495a6b7c8d9";

    #[test]
    fn ids_pass_through_and_integers_stay_integers() {
        assert_eq!(point_id(U1), json!(U1));
        assert_eq!(point_id("42"), json!(42));
        assert_eq!(point_id("0"), json!(0));
        assert_eq!(point_id("007"), json!("007"));
        assert_eq!(point_id("+7"), json!("+7"));
        assert_eq!(id_text(&json!(42)), Some("42".to_owned()));
        assert_eq!(id_text(&json!(U1)), Some(U1.to_owned()));
    }

    #[test]
    fn points_serialise_with_their_payload_and_a_checked_dimension() {
        let items = point_items(&[point(U1, vec![0.5, -1.0], r#"{"name":"kůň","n":2}"#)], Some(2), false).unwrap();
        let v: Value = serde_json::from_str(&items[0].json).unwrap();
        assert_eq!(v, json!({"id": U1, "vector": [0.5, -1.0], "payload": {"name": "kůň", "n": 2}}));
        let short = point_items(&[point("1", vec![0.1], "{}")], None, false).unwrap();
        assert_eq!(short[0].json, r#"{"id":1,"vector":[0.1],"payload":{}}"#);
        // Every f32 comes back exactly, tiny, huge and subnormal ones included.
        let odd = vec![0.1, -1e-7, 3.402_823_5e38, f32::MIN_POSITIVE, 1e-45, 123_456.79, 0.0];
        let item = &point_items(&[point("2", odd.clone(), "{}")], None, false).unwrap()[0];
        let back: Vec<f32> =
            serde_json::from_value(serde_json::from_str::<Value>(&item.json).unwrap()["vector"].clone()).unwrap();
        assert_eq!(back, odd);
        let empty = point_items(&[point(U1, vec![1.0], "")], None, false).unwrap();
        assert!(empty[0].json.contains(r#""payload":{}"#));

        let err = point_items(&[point(U1, vec![1.0, 2.0, 3.0], "{}")], Some(2), false).unwrap_err();
        assert!(
            matches!(&err, Error::Config(m) if m.contains("3-dimensional") && m.contains("2-dimensional")),
            "{err}"
        );
        assert!(matches!(point_items(&[point(U1, vec![f32::NAN], "{}")], None, false), Err(Error::Permanent(_))));
        assert!(
            matches!(point_items(&[point(U1, vec![1.0], "[1]")], None, false), Err(Error::Permanent(m)) if m.contains("object"))
        );
        assert!(matches!(point_items(&[point(U1, vec![1.0], "{")], None, false), Err(Error::Permanent(_))));
        // What Qdrant would refuse is refused here, before anything of the batch is sent.
        for bad in [r#"{"n": 1e400}"#, r#"{"s": "\ud800"}"#, r#"{"a": [1, {"b": -1e999}]}"#] {
            assert!(
                matches!(point_items(&[point(U1, vec![1.0], bad)], None, false), Err(Error::Permanent(_))),
                "{bad}"
            );
        }
        let fine =
            point_items(&[point(U1, vec![1.0], r#" {"a": [1, {"b": "\u017e"}], "c": null} "#)], None, false).unwrap();
        assert!(fine[0].json.ends_with(r#""payload":{"a": [1, {"b": "\u017e"}], "c": null}}"#), "{}", fine[0].json);
    }

    #[test]
    fn payload_updates_group_by_payload_and_the_last_update_of_an_id_wins() {
        let updates =
            [update(U1, r#"{"a":1}"#), update(U2, r#"{"a": 1}"#), update("3", r#"{"a":2}"#), update(U1, r#"{"a":2}"#)];
        let items = payload_items(&updates, 256).unwrap();
        let bodies: Vec<Value> = items.iter().map(|i| serde_json::from_str(&i.json).unwrap()).collect();
        assert_eq!(
            bodies,
            vec![json!({"payload": {"a": 1}, "points": [U2]}), json!({"payload": {"a": 2}, "points": [3, U1]})]
        );
        assert_eq!(items.iter().map(|i| i.points).collect::<Vec<_>>(), vec![1, 2]);

        // A shared payload over more points than a request may name is split.
        let many: Vec<PayloadUpdate> = (0..5).map(|i| update(&i.to_string(), r#"{"x":true}"#)).collect();
        let items = payload_items(&many, 2).unwrap();
        assert_eq!(items.iter().map(|i| i.points).collect::<Vec<_>>(), vec![2, 2, 1]);

        let ops = overwrite_operations(items);
        let op: Value = serde_json::from_str(&ops[2].json).unwrap();
        assert_eq!(op, json!({"overwrite_payload": {"payload": {"x": true}, "points": [4]}}));
    }

    fn items(sizes: &[(usize, usize)]) -> Vec<Item> {
        sizes.iter().map(|&(len, points)| Item { json: "x".repeat(len), points }).collect()
    }

    #[test]
    fn batches_split_by_count_and_by_bytes() {
        // By count: 5 single points, at most 2 per request.
        assert_eq!(split(&items(&[(10, 1); 5]), 2, 1_000, 2), vec![0..2, 2..4, 4..5]);
        // By bytes: overhead 10 + 40 + 1 + 40 = 91 fits in 100; a third item does not.
        assert_eq!(split(&items(&[(40, 1); 3]), 100, 91, 10), vec![0..2, 2..3]);
        assert_eq!(split(&items(&[(40, 1); 3]), 100, 90, 10), vec![0..1, 1..2, 2..3]);
        // Weighted items (payload groups) count their points; an oversized item goes alone.
        assert_eq!(split(&items(&[(5, 3), (5, 2), (500, 1), (5, 1)]), 4, 100, 0), vec![0..1, 1..2, 2..3, 3..4]);
        assert_eq!(split(&items(&[(5, 2), (5, 2), (5, 1)]), 4, 100, 0), vec![0..2, 2..3]);
        assert!(split(&[], 4, 100, 0).is_empty());

        // The joined body has exactly the size the split accounted for.
        let its = items(&[(40, 1); 2]);
        assert_eq!(join("{\"points\":[", &its, "]}").len(), UPSERT.0.len() + UPSERT.1.len() + 81);
    }

    #[test]
    fn every_split_body_respects_both_limits() {
        let pts: Vec<Point> = (0..1000)
            .map(|i| point(&i.to_string(), vec![0.25; 384], &format!(r#"{{"title":"{}"}}"#, "t".repeat(i % 300))))
            .collect();
        let its = point_items(&pts, Some(384), false).unwrap();
        let overhead = UPSERT.0.len() + UPSERT.1.len();
        let runs = split(&its, 256, 200_000, overhead);
        assert!(runs.len() > 4, "{runs:?}");
        assert_eq!(runs.iter().map(|r| r.len()).sum::<usize>(), 1000);
        for r in runs {
            let body = join(UPSERT.0, &its[r.clone()], UPSERT.1);
            assert!(body.len() <= 200_000 && r.len() <= 256);
            let v: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(v["points"].as_array().unwrap().len(), r.len());
        }
    }

    #[test]
    fn filters_become_must_conditions() {
        let f = filter(r#"{"category":"boty","stock":3,"active":true,"price":9.5,"gone":null}"#).unwrap().unwrap();
        let must = f["must"].as_array().unwrap();
        assert!(must.contains(&json!({"key": "category", "match": {"value": "boty"}})));
        assert!(must.contains(&json!({"key": "stock", "match": {"value": 3}})));
        assert!(must.contains(&json!({"key": "active", "match": {"value": true}})));
        assert!(must.contains(&json!({"key": "price", "range": {"gte": 9.5, "lte": 9.5}})));
        assert!(must.contains(&json!({"is_null": {"key": "gone"}})));
        assert_eq!(must.len(), 5);
        assert_eq!(filter("{}").unwrap(), None);
        assert_eq!(filter(" ").unwrap(), None);
        assert!(matches!(filter(r#"{"tags":["a"]}"#), Err(Error::Permanent(m)) if m.contains("`tags`")));
        assert!(matches!(filter("[1]"), Err(Error::Permanent(_))));
        assert!(matches!(filter("{"), Err(Error::Permanent(_))));
    }

    #[test]
    fn collection_info_is_read_from_qdrant_answers() {
        let info = json!({
            "status": "green", "points_count": 1234,
            "config": {"params": {"vectors": {"size": 384, "distance": "Cosine"}, "shard_number": 1}},
            "payload_schema": {"category": {"data_type": "keyword", "points": 1200}}
        });
        let d = describe(&info).unwrap();
        assert_eq!((d.dimension, d.distance, d.points), (Some(384), Some(Distance::Cosine), 1234));
        assert_eq!(d.indexes.get("category").map(String::as_str), Some("keyword"));
        assert!(d.named_vectors.is_empty());

        let named = json!({"config": {"params": {"vectors": {"text": {"size": 8, "distance": "Dot"}}}}});
        let d = describe(&named).unwrap();
        assert!(!d.lexical() && !d.dense_only());
        assert_eq!((d.dimension, d.distance, d.named_vectors), (None, None, vec!["text".to_owned()]));
        let hybrid = json!({"config": {"params": {
            "vectors": {"dense": {"size": 8, "distance": "Dot"}},
            "sparse_vectors": {"bm25": {"modifier": "idf"}}
        }}});
        let d = describe(&hybrid).unwrap();
        assert!(d.lexical());
        assert_eq!((d.dimension, d.distance), (Some(8), Some(Distance::Dot)));
        assert!(d.layout().contains("sparse vector `bm25` (IDF)"), "{}", d.layout());
        let no_idf = json!({"config": {"params": {
            "vectors": {"dense": {"size": 8, "distance": "Dot"}}, "sparse_vectors": {"bm25": {}}
        }}});
        assert!(!describe(&no_idf).unwrap().lexical());
        assert!(matches!(describe(&json!({"config": {}})), Err(Error::InvalidData(_))));
        let odd = json!({"config": {"params": {"vectors": {"size": 8, "distance": "Hamming"}}}});
        assert!(matches!(describe(&odd), Err(Error::InvalidData(_))));
    }

    #[test]
    fn query_hits_aliases_and_errors_are_read() {
        let result = json!({"points": [
            {"id": U1, "version": 3, "score": 0.875, "payload": {"name": "a"}},
            {"id": 7, "version": 1, "score": 0.5}
        ]});
        let hits = scored_points(&result).unwrap();
        assert_eq!(hits[0], ScoredPoint { id: U1.to_owned(), score: 0.875, payload: r#"{"name":"a"}"#.to_owned() });
        assert_eq!(hits[1], ScoredPoint { id: "7".to_owned(), score: 0.5, payload: "{}".to_owned() });
        assert!(matches!(scored_points(&json!({})), Err(Error::InvalidData(_))));

        let all = json!({"aliases": [{"alias_name": "live", "collection_name": "items_v2"}]});
        assert_eq!(aliases(&all), vec![("live".to_owned(), "items_v2".to_owned())]);

        let body = br#"{"status":{"error":"Wrong input: Vector dimension error"},"time":0.1}"#;
        assert_eq!(error_message(body).as_deref(), Some("Wrong input: Vector dimension error"));
        assert_eq!(error_message(b"<html>"), None);
    }

    #[test]
    fn names_match_qdrant() {
        assert_eq!(distance_name(Distance::Euclid), "Euclid");
        assert_eq!(index_schema(IndexKind::Boolean), "bool");
        for d in [Distance::Cosine, Distance::Dot, Distance::Euclid, Distance::Manhattan] {
            assert_eq!(parse_distance(distance_name(d)), Some(d));
        }
    }
}
