//! REST behaviour of qdrant-local; every request and answer is checked against Qdrant's OpenAPI.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Api, COLORS, cosine, ids, point, vector};
use qdrant_local::{LOOPBACK, QdrantLocal};
use serde_json::{Value, json};

const DIM: usize = 16;

async fn server() -> (tempfile::TempDir, QdrantLocal, Api) {
    let dir = tempfile::tempdir().unwrap();
    let s = QdrantLocal::start(dir.path(), LOOPBACK).await.unwrap();
    let api = Api::new(&s);
    (dir, s, api)
}

async fn filled(api: &Api, name: &str, n: u64) {
    api.create(name, DIM, "Cosine").await;
    let points: Vec<Value> = (0..n).map(|i| point(i, DIM)).collect();
    for chunk in points.chunks(500) {
        api.upsert(name, chunk.to_vec()).await;
    }
}

#[tokio::test]
async fn health_endpoints() {
    let (_d, s, api) = server().await;
    let root = api.call("GET", "/", "/", None).await;
    assert_eq!(root.0, 200);
    assert!(root.1["version"].is_string() && root.1["title"].is_string());
    for p in ["/healthz", "/livez", "/readyz"] {
        let (st, body) = api.call("GET", p, p, None).await;
        assert_eq!(st, 200);
        assert!(body.as_str().unwrap().contains("passed") || p == "/readyz");
    }
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn collection_lifecycle() {
    let (_d, s, api) = server().await;
    let t = "/collections/{collection_name}";
    api.create("docs", DIM, "Dot").await;

    let (st, body) =
        api.call("PUT", t, "/collections/docs", Some(json!({ "vectors": { "size": DIM, "distance": "Dot" } }))).await;
    assert_eq!(st, 409, "{body}");

    let ex = api.ok("GET", "/collections/{collection_name}/exists", "/collections/docs/exists", None).await;
    assert_eq!(ex, json!({ "exists": true }));

    let info = api.ok("GET", t, "/collections/docs", None).await;
    assert_eq!(info["config"]["params"]["vectors"]["size"], DIM);
    assert_eq!(info["config"]["params"]["vectors"]["distance"], "Dot");
    assert_eq!(info["points_count"], 0);

    let list = api.ok("GET", "/collections", "/collections", None).await;
    assert_eq!(list, json!({ "collections": [{ "name": "docs" }] }));

    assert_eq!(api.ok("DELETE", t, "/collections/docs", None).await, json!(true));
    let ex = api.ok("GET", "/collections/{collection_name}/exists", "/collections/docs/exists", None).await;
    assert_eq!(ex, json!({ "exists": false }));
    let (st, body) = api.call("GET", t, "/collections/docs", None).await;
    assert_eq!(st, 404);
    assert!(body["status"]["error"].as_str().unwrap().contains("docs"));
    assert_eq!(api.ok("DELETE", t, "/collections/docs", None).await, json!(false));

    // Bad requests.
    let (st, _) = api
        .call("PUT", t, "/collections/bad", Some(json!({ "vectors": { "size": 4, "distance": "Cosine" }, "x": 1 })))
        .await;
    assert_eq!(st, 200, "unknown top-level fields are ignored like Qdrant does");
    let (st, _) = api
        .call("PUT", t, "/collections/named", Some(json!({ "vectors": { "a": { "size": 4, "distance": "Cosine" } } })))
        .await;
    assert_eq!(st, 200, "named vectors");
    let info = api.ok("GET", t, "/collections/named", None).await;
    assert_eq!(info["config"]["params"]["vectors"]["a"]["size"], 4);
    assert!(info["config"]["params"].get("sparse_vectors").is_none(), "{info}");
    let (st, body) = api
        .call(
            "PUT",
            t,
            "/collections/mixed",
            Some(json!({ "vectors": { "a": { "size": 4, "distance": "Cosine" }, "": { "size": 4, "distance": "Dot" } } })),
        )
        .await;
    assert_eq!(st, 400, "the unnamed vector and named ones do not mix: {body}");
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn upsert_get_count_and_wrong_dimension() {
    let (_d, s, api) = server().await;
    filled(&api, "c", 2000).await;
    assert_eq!(api.count("c", None).await, 2000);

    // UUID ids and the batch form.
    let uuid = "550e8400-e29b-41d4-a716-446655440000";
    let r = api
        .ok(
            "PUT",
            "/collections/{collection_name}/points",
            "/collections/c/points?wait=true",
            Some(json!({ "batch": { "ids": [uuid, 5000], "vectors": [vector(1, DIM), vector(2, DIM)],
                                     "payloads": [{ "color": "violet" }, null] } })),
        )
        .await;
    assert_eq!(r["status"], "completed");
    assert_eq!(api.count("c", None).await, 2002);

    let got = api
        .ok(
            "POST",
            "/collections/{collection_name}/points",
            "/collections/c/points",
            Some(json!({ "ids": [7, uuid, 999_999], "with_vector": true })),
        )
        .await;
    let got = got.as_array().unwrap();
    assert_eq!(got.len(), 2, "missing ids are skipped");
    assert_eq!(got[0]["id"], 7);
    assert_eq!(got[0]["payload"]["color"], COLORS[3]);
    assert_eq!(got[1]["id"], uuid);
    assert_eq!(got[1]["payload"]["color"], "violet");
    assert_eq!(got[0]["vector"].as_array().unwrap().len(), DIM);

    let one = api.ok("GET", "/collections/{collection_name}/points/{id}", "/collections/c/points/8", None).await;
    assert_eq!(one["payload"]["n"], 8);
    let (st, _) =
        api.call("GET", "/collections/{collection_name}/points/{id}", "/collections/c/points/424242", None).await;
    assert_eq!(st, 404);

    // Wrong dimension: refused, nothing written.
    let (st, body) = api
        .call(
            "PUT",
            "/collections/{collection_name}/points",
            "/collections/c/points?wait=true",
            Some(json!({ "points": [{ "id": 1, "vector": [1.0, 2.0, 3.0] }] })),
        )
        .await;
    assert_eq!(st, 400);
    assert!(body["status"]["error"].as_str().unwrap().contains("dimension"), "{body}");
    let (st, _) = api
        .call(
            "POST",
            "/collections/{collection_name}/points/query",
            "/collections/c/points/query",
            Some(json!({ "query": [1.0, 2.0], "limit": 3 })),
        )
        .await;
    assert_eq!(st, 400);
    // Non-object payload.
    let (st, _) = api
        .call(
            "PUT",
            "/collections/{collection_name}/points",
            "/collections/c/points",
            Some(json!({ "points": [{ "id": 1, "vector": vector(1, DIM), "payload": null }] })),
        )
        .await;
    assert_eq!(st, 200, "a null payload is an empty one");
    let resp = reqwest::Client::new()
        .put(format!("{}/collections/c/points", api.base))
        .header("content-type", "application/json")
        .body(r#"{"points":[{"id":2,"vector":[0.0],"payload":[1,2]}]}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    // Missing collection.
    let (st, _) = api
        .call("POST", "/collections/{collection_name}/points/count", "/collections/nope/points/count", Some(json!({})))
        .await;
    assert_eq!(st, 404);
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn set_and_overwrite_payload() {
    let (_d, s, api) = server().await;
    filled(&api, "c", 100).await;
    let t = "/collections/{collection_name}/points/payload";
    api.ok(
        "POST",
        t,
        "/collections/c/points/payload?wait=true",
        Some(json!({ "payload": { "extra": 1, "color": "black" }, "points": [1, 2] })),
    )
    .await;
    let got = api
        .ok("POST", "/collections/{collection_name}/points", "/collections/c/points", Some(json!({ "ids": [1] })))
        .await;
    assert_eq!(got[0]["payload"]["extra"], 1);
    assert_eq!(got[0]["payload"]["color"], "black");
    assert_eq!(got[0]["payload"]["n"], 1, "set-payload merges");

    // By filter.
    api.ok("POST", t, "/collections/c/points/payload", Some(json!({ "payload": { "flag": "x" }, "filter": { "must": [{ "key": "color", "match": { "value": "red" } }] } })))
        .await;
    assert_eq!(api.count("c", Some(json!({ "must": [{ "key": "flag", "match": { "value": "x" } }] }))).await, 25);

    api.ok("PUT", t, "/collections/c/points/payload", Some(json!({ "payload": { "only": true }, "points": [2] })))
        .await;
    let got = api
        .ok("POST", "/collections/{collection_name}/points", "/collections/c/points", Some(json!({ "ids": [2] })))
        .await;
    assert_eq!(got[0]["payload"], json!({ "only": true }), "overwrite replaces");

    api.ok(
        "POST",
        "/collections/{collection_name}/points/payload/delete",
        "/collections/c/points/payload/delete",
        Some(json!({ "keys": ["extra"], "points": [1] })),
    )
    .await;
    let got = api
        .ok("POST", "/collections/{collection_name}/points", "/collections/c/points", Some(json!({ "ids": [1] })))
        .await;
    assert!(got[0]["payload"].get("extra").is_none());
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn delete_by_ids_and_filter() {
    let (_d, s, api) = server().await;
    filled(&api, "c", 1000).await;
    let t = "/collections/{collection_name}/points/delete";
    api.ok("POST", t, "/collections/c/points/delete?wait=true", Some(json!({ "points": [0, 1, 2, 3] }))).await;
    assert_eq!(api.count("c", None).await, 996);
    api.ok(
        "POST",
        t,
        "/collections/c/points/delete",
        Some(json!({ "filter": { "must": [{ "key": "color", "match": { "value": "red" } }] } })),
    )
    .await;
    // 250 red (i % 4 == 0), of which id 0 already gone.
    assert_eq!(api.count("c", None).await, 996 - 249);
    assert_eq!(api.count("c", Some(json!({ "must": [{ "key": "color", "match": { "value": "red" } }] }))).await, 0);
    let (st, _) =
        api.call("POST", t, "/collections/c/points/delete", Some(json!({ "points": [1], "filter": {} }))).await;
    assert_eq!(st, 400);
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn scroll_pages_with_offset() {
    let (_d, s, api) = server().await;
    filled(&api, "c", 1234).await;
    let t = "/collections/{collection_name}/points/scroll";
    let mut seen = Vec::new();
    let mut offset = Value::Null;
    loop {
        let mut body = json!({ "limit": 100, "with_payload": false });
        if !offset.is_null() {
            body["offset"] = offset.clone();
        }
        let page = api.ok("POST", t, "/collections/c/points/scroll", Some(body)).await;
        let pts = page["points"].as_array().unwrap();
        assert!(pts.len() <= 100);
        assert!(pts.iter().all(|p| p["payload"].is_null()));
        seen.extend(ids(pts));
        offset = page["next_page_offset"].clone();
        if offset.is_null() {
            break;
        }
        assert_eq!(offset.as_u64().unwrap(), seen.last().unwrap() + 1);
    }
    assert_eq!(seen, (0..1234).collect::<Vec<_>>());

    // With a filter and payloads.
    let page = api
        .ok("POST", t, "/collections/c/points/scroll", Some(json!({ "limit": 5, "offset": 10, "filter": { "must": [{ "key": "color", "match": { "value": "blue" } }] } })))
        .await;
    assert_eq!(ids(page["points"].as_array().unwrap()), vec![10, 14, 18, 22, 26]);
    assert_eq!(page["points"][0]["payload"]["color"], "blue");
    assert_eq!(page["next_page_offset"], 30);
    s.shutdown().await.unwrap();
}

/// Which ids a filter should keep.
type Keep = Box<dyn Fn(u64) -> bool>;

/// Exact top-k by cosine over the points satisfying `keep`.
fn expected(n: u64, q: &[f32], k: usize, keep: impl Fn(u64) -> bool) -> Vec<u64> {
    let mut all: Vec<(f32, u64)> = (0..n).filter(|&i| keep(i)).map(|i| (cosine(q, &vector(i, DIM)), i)).collect();
    all.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    all.into_iter().take(k).map(|(_, i)| i).collect()
}

#[tokio::test]
async fn query_and_search_with_filters() {
    let (_d, s, api) = server().await;
    let n = 3000;
    filled(&api, "c", n).await;
    api.ok(
        "PUT",
        "/collections/{collection_name}/index",
        "/collections/c/index?wait=true",
        Some(json!({ "field_name": "color", "field_schema": "keyword" })),
    )
    .await;
    api.ok(
        "PUT",
        "/collections/{collection_name}/index",
        "/collections/c/index",
        Some(json!({ "field_name": "n", "field_schema": "integer" })),
    )
    .await;
    let info = api.ok("GET", "/collections/{collection_name}", "/collections/c", None).await;
    assert_eq!(info["payload_schema"]["color"]["data_type"], "keyword");

    let q = vector(987_654, DIM);
    let cases: Vec<(Value, Keep)> = vec![
        (Value::Null, Box::new(|_| true)),
        (json!({ "must": [{ "key": "color", "match": { "value": "green" } }] }), Box::new(|i| i % 4 == 1)),
        (
            json!({ "must": [{ "key": "color", "match": { "any": ["red", "blue"] } }] }),
            Box::new(|i| i.is_multiple_of(4) || i % 4 == 2),
        ),
        (
            json!({ "must": [{ "key": "color", "match": { "except": ["red", "blue"] } }] }),
            Box::new(|i| i % 4 == 1 || i % 4 == 3),
        ),
        (
            json!({ "must": [{ "key": "n", "range": { "gte": 100, "lt": 200 } }] }),
            Box::new(|i| (100..200).contains(&i)),
        ),
        (
            json!({ "must": [{ "key": "n", "range": { "gt": 2900 } }], "must_not": [{ "key": "color", "match": { "value": "red" } }] }),
            Box::new(|i| i > 2900 && i % 4 != 0),
        ),
        (
            json!({ "should": [{ "key": "n", "range": { "lte": 10 } }, { "has_id": [2999, 1500] }] }),
            Box::new(|i| i <= 10 || i == 2999 || i == 1500),
        ),
        (
            json!({ "must": [{ "is_empty": { "key": "opt" } }, { "key": "tags", "match": { "value": "t1" } }] }),
            Box::new(|i| i % 2 == 1 && i % 3 == 1),
        ),
    ];
    for (filter, keep) in cases {
        let want = expected(n, &q, 10, keep);
        let mut body = json!({ "query": q, "limit": 10, "with_payload": true });
        if !filter.is_null() {
            body["filter"] = filter.clone();
        }
        let got = api.query("c", body.clone()).await;
        assert_eq!(ids(&got), want, "query with filter {filter}");
        assert!(got.iter().all(|p| p["payload"]["color"].is_string()));
        let scores: Vec<f64> = got.iter().map(|p| p["score"].as_f64().unwrap()).collect();
        assert!(scores.windows(2).all(|w| w[0] >= w[1]), "sorted by score");

        // The same through /points/search and the `nearest` form.
        let mut sbody = json!({ "vector": q, "limit": 10 });
        if !filter.is_null() {
            sbody["filter"] = filter.clone();
        }
        // Deprecated, and absent from the 1.19 spec, but still served.
        let (st, got) = api.call_raw("POST", "/collections/c/points/search", sbody).await;
        assert_eq!(st, 200, "{got}");
        assert_eq!(ids(got["result"].as_array().unwrap()), want, "search with filter {filter}");
        body["query"] = json!({ "nearest": q });
        assert_eq!(ids(&api.query("c", body).await), want);
    }
    // The nearest neighbour of a stored vector is itself, with cosine 1.
    let got = api.query("c", json!({ "query": vector(42, DIM), "limit": 1 })).await;
    assert_eq!(got[0]["id"], 42);
    assert!((got[0]["score"].as_f64().unwrap() - 1.0).abs() < 1e-4);
    // No query: points by id.
    assert_eq!(ids(&api.query("c", json!({ "limit": 3 })).await), vec![0, 1, 2]);
    // A malformed filter is a 400.
    let (st, _) =
        reqwest_status(&api, "/collections/c/points/query", r#"{"query":[0.1],"filter":{"must":[{"nokey":1}]}}"#).await;
    assert_eq!(st, 400);
    s.shutdown().await.unwrap();
}

async fn reqwest_status(api: &Api, path: &str, body: &'static str) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .post(format!("{}{path}", api.base))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let st = resp.status().as_u16();
    (st, serde_json::from_str(&resp.text().await.unwrap()).unwrap())
}

/// Inputs of the fuzz target `qdrant_request` (`fuzz/regressions/qdrant_request/`: a route byte,
/// a query-string byte, then the body) for `POST …/points/query`. The engine answers the first
/// `limit + offset` points, summed unchecked, and leaves cutting off the offset to its caller:
/// a huge offset or limit was a 500 (an overflow panic in debug builds, a wrong page in release),
/// and every `offset` returned the first points instead of skipping them.
#[tokio::test]
async fn fuzz_regression_query_offset_is_skipped_and_never_overflows() {
    let (_d, s, api) = server().await;
    api.create("f", 4, "Cosine").await;
    api.upsert("f", (0..10).map(|i| point(i, 4)).collect()).await;
    let path = "/collections/f/points/query";

    let found = include_bytes!("../../../fuzz/regressions/qdrant_request/query-offset-overflow");
    let (st, body) = reqwest_status(&api, path, std::str::from_utf8(&found[2..]).unwrap()).await;
    assert_eq!(st, 200, "{body}");
    assert_eq!(body["result"]["points"], json!([]), "an offset past every point: an empty page");

    let found = include_bytes!("../../../fuzz/regressions/qdrant_request/query-limit-overflow");
    let (st, body) = reqwest_status(&api, path, std::str::from_utf8(&found[2..]).unwrap()).await;
    assert_eq!(st, 200, "{body}");
    assert_eq!(ids(body["result"]["points"].as_array().unwrap()), (1..10).collect::<Vec<_>>());

    // A page is the points after the offset, in both orders and on both endpoints.
    assert_eq!(ids(&api.query("f", json!({ "limit": 3, "offset": 4 })).await), vec![4, 5, 6]);
    let q = vector(7, 4);
    let all = ids(&api.query("f", json!({ "query": q, "limit": 10 })).await);
    let page = ids(&api.query("f", json!({ "query": q, "limit": 3, "offset": 2 })).await);
    assert_eq!(page, all[2..5]);
    let (st, got) =
        api.call_raw("POST", "/collections/f/points/search", json!({ "vector": q, "limit": 3, "offset": 2 })).await;
    assert_eq!(st, 200, "{got}");
    assert_eq!(ids(got["result"].as_array().unwrap()), all[2..5]);
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn alias_switch_is_atomic() {
    let (_d, s, api) = server().await;
    api.create("v1", DIM, "Cosine").await;
    api.create("v2", DIM, "Cosine").await;
    api.upsert("v1", vec![json!({ "id": 1, "vector": vector(1, DIM), "payload": { "v": 1 } })]).await;
    api.upsert("v2", vec![json!({ "id": 1, "vector": vector(1, DIM), "payload": { "v": 2 } })]).await;
    let t = "/collections/aliases";
    api.ok(
        "POST",
        t,
        t,
        Some(json!({ "actions": [{ "create_alias": { "collection_name": "v1", "alias_name": "live" } }] })),
    )
    .await;
    let aliases = api.ok("GET", "/aliases", "/aliases", None).await;
    assert_eq!(aliases, json!({ "aliases": [{ "alias_name": "live", "collection_name": "v1" }] }));

    // Readers hammer the alias while it is switched: every answer is v1 or v2, never an error.
    let base = api.base.clone();
    let reader = tokio::spawn(async move {
        let http = reqwest::Client::new();
        let mut seen = Vec::new();
        for _ in 0..300 {
            let r = http
                .post(format!("{base}/collections/live/points"))
                .header("content-type", "application/json")
                .body(r#"{"ids":[1]}"#)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 200);
            let v: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
            seen.push(v["result"][0]["payload"]["v"].as_u64().unwrap());
        }
        seen
    });
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    api.ok(
        "POST",
        t,
        t,
        Some(json!({ "actions": [
            { "delete_alias": { "alias_name": "live" } },
            { "create_alias": { "collection_name": "v2", "alias_name": "live" } }
        ] })),
    )
    .await;
    let seen = reader.await.unwrap();
    assert!(seen.iter().all(|v| *v == 1 || *v == 2));
    let got = api
        .ok("POST", "/collections/{collection_name}/points", "/collections/live/points", Some(json!({ "ids": [1] })))
        .await;
    assert_eq!(got[0]["payload"]["v"], 2);

    // A failing action list changes nothing.
    let (st, _) = api
        .call(
            "POST",
            t,
            t,
            Some(json!({ "actions": [
            { "delete_alias": { "alias_name": "live" } },
            { "create_alias": { "collection_name": "missing", "alias_name": "live" } }
        ] })),
        )
        .await;
    assert_eq!(st, 404);
    let got = api
        .ok("POST", "/collections/{collection_name}/points", "/collections/live/points", Some(json!({ "ids": [1] })))
        .await;
    assert_eq!(got[0]["payload"]["v"], 2);

    // Rename.
    api.ok(
        "POST",
        t,
        t,
        Some(json!({ "actions": [{ "rename_alias": { "old_alias_name": "live", "new_alias_name": "prod" } }] })),
    )
    .await;
    let (st, _) = api
        .call("POST", "/collections/{collection_name}/points/count", "/collections/live/points/count", Some(json!({})))
        .await;
    assert_eq!(st, 404);
    assert_eq!(api.count("prod", None).await, 1);
    let of_v2 = api.ok("GET", "/collections/{collection_name}/aliases", "/collections/v2/aliases", None).await;
    assert_eq!(of_v2, json!({ "aliases": [{ "alias_name": "prod", "collection_name": "v2" }] }));

    // Deleting a collection drops its aliases.
    api.ok("DELETE", "/collections/{collection_name}", "/collections/v2", None).await;
    assert_eq!(api.ok("GET", "/aliases", "/aliases", None).await, json!({ "aliases": [] }));
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn restart_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let q = vector(31337, DIM);
    let before = {
        let s = QdrantLocal::start(dir.path(), LOOPBACK).await.unwrap();
        let api = Api::new(&s);
        filled(&api, "c", 1500).await;
        api.ok(
            "PUT",
            "/collections/{collection_name}/index",
            "/collections/c/index",
            Some(json!({ "field_name": "color", "field_schema": "keyword" })),
        )
        .await;
        api.ok(
            "POST",
            "/collections/aliases",
            "/collections/aliases",
            Some(json!({ "actions": [{ "create_alias": { "collection_name": "c", "alias_name": "a" } }] })),
        )
        .await;
        api.ok(
            "POST",
            "/collections/{collection_name}/points/delete",
            "/collections/c/points/delete",
            Some(json!({ "points": [5, 6] })),
        )
        .await;
        api.ok(
            "POST",
            "/collections/{collection_name}/points/payload",
            "/collections/c/points/payload",
            Some(json!({ "payload": { "late": true }, "points": [7] })),
        )
        .await;
        let got = api.query("c", json!({ "query": q, "limit": 10, "filter": { "must": [{ "key": "color", "match": { "value": "blue" } }] } })).await;
        s.shutdown().await.unwrap();
        ids(&got)
    };
    let s = QdrantLocal::start(dir.path(), LOOPBACK).await.unwrap();
    let api = Api::new(&s);
    assert_eq!(api.count("a", None).await, 1498);
    let info = api.ok("GET", "/collections/{collection_name}", "/collections/c", None).await;
    assert_eq!(info["payload_schema"]["color"]["data_type"], "keyword");
    let got = api.query("a", json!({ "query": q, "limit": 10, "filter": { "must": [{ "key": "color", "match": { "value": "blue" } }] } })).await;
    assert_eq!(ids(&got), before);
    let p7 = api.ok("GET", "/collections/{collection_name}/points/{id}", "/collections/c/points/7", None).await;
    assert_eq!(p7["payload"]["late"], true);
    // And it still takes writes.
    api.upsert("c", vec![point(5, DIM)]).await;
    assert_eq!(api.count("c", None).await, 1499);
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn batch_updates_apply_in_order_and_answer_per_operation() {
    let (_d, s, api) = server().await;
    filled(&api, "b", 10).await;
    let t = "/collections/{collection_name}/points/batch";
    let body = json!({ "operations": [
        { "upsert": { "points": [point(100, DIM), point(101, DIM)] } },
        { "overwrite_payload": { "payload": { "price": 12.5, "name": "Hrnec" }, "points": [1, 2] } },
        { "set_payload": { "payload": { "stock": 3 }, "points": [2] } },
        { "delete": { "points": [3] } },
        { "delete_payload": { "keys": ["stock"], "points": [2] } },
    ]});
    let res = api.ok("POST", t, "/collections/b/points/batch?wait=true", Some(body)).await;
    let res = res.as_array().unwrap();
    assert_eq!(res.len(), 5);
    assert!(res.iter().all(|r| r["status"] == "completed"));
    assert_eq!(api.count("b", None).await, 11);
    let got = api
        .ok(
            "POST",
            "/collections/{collection_name}/points",
            "/collections/b/points",
            Some(json!({ "ids": [1, 2], "with_payload": true })),
        )
        .await;
    for p in got.as_array().unwrap() {
        // Overwritten: only the new payload, and the stock set then removed again.
        assert_eq!(p["payload"], json!({ "price": 12.5, "name": "Hrnec" }), "{p}");
    }
    // An unsupported operation is refused with a reason; nothing after it is applied.
    let bad = json!({ "operations": [ { "delete": { "points": [4] } }, { "update_vectors": { "points": [] } } ] });
    let (st, body) = api.call_raw("POST", "/collections/b/points/batch", bad).await;
    assert_eq!(st, 400, "{body}");
    assert!(body.to_string().contains("update_vectors"), "{body}");
    assert_eq!(api.count("b", None).await, 11, "a refused batch applied part of itself");
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn vectors_on_disk_by_default_or_in_memory_when_asked_answer_alike_and_keep_their_setting() {
    let dir = tempfile::tempdir().unwrap();
    let n = 2000;
    let q = vector(4242, DIM);
    let filter = json!({ "must": [{ "key": "color", "match": { "value": "red" } }] });
    let want = expected(n, &q, 10, |i| COLORS[(i % COLORS.len() as u64) as usize] == "red");
    let on_disk = |info: &Value| info["config"]["params"]["vectors"]["on_disk"].clone();
    {
        let s = QdrantLocal::start(dir.path(), LOOPBACK).await.unwrap();
        let api = Api::new(&s);
        filled(&api, "disk", n).await;
        api.ok(
            "PUT",
            "/collections/{collection_name}",
            "/collections/ram",
            Some(json!({ "vectors": { "size": DIM, "distance": "Cosine", "on_disk": false } })),
        )
        .await;
        let points: Vec<Value> = (0..n).map(|i| point(i, DIM)).collect();
        for chunk in points.chunks(500) {
            api.upsert("ram", chunk.to_vec()).await;
        }
        // Qdrant's `memory` overrides the deprecated `on_disk`; `pinned` is refused for vectors.
        let (status, body) = api
            .call(
                "PUT",
                "/collections/{collection_name}",
                "/collections/pinned",
                Some(json!({ "vectors": { "size": DIM, "distance": "Cosine", "memory": "pinned" } })),
            )
            .await;
        assert_eq!(status, 400, "{body}");
        api.ok(
            "PUT",
            "/collections/{collection_name}",
            "/collections/cached",
            Some(json!({ "vectors": { "size": DIM, "distance": "Cosine", "on_disk": true, "memory": "cached" } })),
        )
        .await;
        let info = api.ok("GET", "/collections/{collection_name}", "/collections/cached", None).await;
        assert_eq!(info["config"]["params"]["vectors"]["memory"], "cached");
        assert_eq!(on_disk(&info), json!(false));
        for (name, setting) in [("disk", true), ("ram", false)] {
            let info = api.ok("GET", "/collections/{collection_name}", &format!("/collections/{name}"), None).await;
            assert_eq!(on_disk(&info), json!(setting), "{name}");
            assert_eq!(info["config"]["params"]["vectors"]["memory"], if setting { "cold" } else { "cached" });
            let got = api.query(name, json!({ "query": q, "limit": 10, "filter": filter })).await;
            assert_eq!(ids(&got), want, "{name}");
        }
        s.shutdown().await.unwrap();
    }
    let s = QdrantLocal::start(dir.path(), LOOPBACK).await.unwrap();
    let api = Api::new(&s);
    for (name, setting) in [("disk", true), ("ram", false)] {
        let info = api.ok("GET", "/collections/{collection_name}", &format!("/collections/{name}"), None).await;
        assert_eq!(on_disk(&info), json!(setting), "{name} after a restart");
        assert_eq!(api.count(name, None).await, n);
        let got = api.query(name, json!({ "query": q, "limit": 10, "filter": filter })).await;
        assert_eq!(ids(&got), want, "{name} after a restart");
    }
    s.shutdown().await.unwrap();
}
