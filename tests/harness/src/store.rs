//! What a sync left in a store, read back over its REST API (qdrant-local's, which is Qdrant's)
//! independently of the sink plugin, so that tests compare it with the source's own data.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

/// The payload field that holds a point's source key.
const KEY_FIELD: &str = "_key";
/// Points per scroll request.
const SCROLL_PAGE: u32 = 5_000;

/// Every point of `collection` (a name or an alias) at `url`: `_key` → payload, and the number
/// of points, so that a key stored twice shows as a total larger than the map.
pub async fn points(url: &str, collection: &str, api_key: Option<&str>) -> (BTreeMap<String, Value>, usize) {
    let client = reqwest::Client::new();
    let (mut out, mut total, mut offset) = (BTreeMap::new(), 0, Value::Null);
    loop {
        let body = json!({ "limit": SCROLL_PAGE, "with_payload": true, "with_vector": false, "offset": offset });
        let mut req = client.post(format!("{url}/collections/{collection}/points/scroll")).json(&body);
        if let Some(k) = api_key {
            req = req.header("api-key", k);
        }
        let r: Value = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("scrolling {collection} at {url}: {e}"))
            .json()
            .await
            .unwrap_or_else(|e| panic!("scrolling {collection} at {url}: {e}"));
        for p in r["result"]["points"].as_array().unwrap_or_else(|| panic!("not a page of points: {r}")) {
            total += 1;
            let key = p["payload"][KEY_FIELD].as_str().unwrap_or_else(|| panic!("a point without `{KEY_FIELD}`: {p}"));
            out.insert(key.to_owned(), p["payload"].clone());
        }
        offset = r["result"]["next_page_offset"].clone();
        if offset.is_null() {
            return (out, total);
        }
    }
}

/// The exact number of points in `collection` at `url`, 0 when it does not exist.
pub async fn count(url: &str, collection: &str) -> u64 {
    let r = reqwest::Client::new()
        .post(format!("{url}/collections/{collection}/points/count"))
        .json(&json!({ "exact": true }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("counting {collection} at {url}: {e}"));
    if r.status() == 404 {
        return 0;
    }
    let v: Value = r.json().await.unwrap_or_else(|e| panic!("counting {collection} at {url}: {e}"));
    v["result"]["count"].as_u64().unwrap_or_else(|| panic!("not a count: {v}"))
}

/// Asserts that `points` (as [`points`] read them) are exactly the source's `records`, given
/// as key → record: the same keys, each stored once, and every payload equal to its record in
/// every field the record has, JSON type included.
pub fn assert_exact(
    (points, total): &(BTreeMap<String, Value>, usize),
    records: &BTreeMap<String, Map<String, Value>>,
    context: &str,
) {
    assert_eq!(*total, points.len(), "{context}: a key is stored twice");
    assert_eq!(points.len(), records.len(), "{context}: the store and the source differ in size");
    for (key, record) in records {
        let payload = points.get(key).unwrap_or_else(|| panic!("{context}: {key} is missing from the store"));
        assert_payload_matches(payload, record, &format!("{context}: {key}"));
    }
}

/// Asserts that every field of the source record is in the payload with the same value.
pub fn assert_payload_matches(payload: &Value, record: &Map<String, Value>, context: &str) {
    for (field, value) in record {
        assert_eq!(payload.get(field), Some(value), "{context}: field `{field}`");
    }
}
