//! Hybrid search over REST: named dense and sparse vectors, IDF, the Query API's prefetches and
//! fusions. Every expected ranking is computed here by brute force from the definitions
//! (cosine; the IDF-weighted dot product; Reciprocal Rank Fusion and Distribution-Based Score
//! Fusion as Qdrant defines them), never copied from an answer. Every request and answer is
//! checked against Qdrant's OpenAPI description.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, HashMap};

use common::{Api, COLORS, cosine, ids, validator, vector};
use qdrant_local::{LOOPBACK, QdrantLocal};
use serde_json::{Value, json};

const DIM: usize = 4;
const N: u64 = 30;
/// A term every point but three holds; `RARE` only point 17 holds.
const COMMON: u32 = 99;
const RARE: u32 = 50;
const QUERY_PATH: &str = "/collections/{collection_name}/points/query";

async fn server() -> (tempfile::TempDir, QdrantLocal, Api) {
    let dir = tempfile::tempdir().unwrap();
    let s = QdrantLocal::start(dir.path(), LOOPBACK).await.unwrap();
    let api = Api::new(&s);
    (dir, s, api)
}

/// The sparse vector of point `i`, as term -> weight. Weights differ from point to point so
/// that no two points tie on a sparse score (ties would make prefetch cut-offs arbitrary).
fn terms(i: u64) -> BTreeMap<u32, f32> {
    let mut t = BTreeMap::new();
    let w = |base: f32| base + i as f32 * 0.01;
    t.insert((i % 7) as u32, w(1.0));
    t.insert(10 + (i % 3) as u32, w(0.5));
    t.insert(20 + (i / 10) as u32, w(0.25));
    if !matches!(i, 3 | 11 | 25) {
        t.insert(COMMON, if i == 4 { 5.0 } else { w(1.0) });
    }
    if i == 17 {
        t.insert(RARE, 1.0);
    }
    t
}

/// `{"indices", "values"}`, indices in descending order (the server must sort them).
fn sparse_json(t: &BTreeMap<u32, f32>) -> Value {
    let (indices, values): (Vec<u32>, Vec<f32>) = t.iter().rev().map(|(k, v)| (*k, *v)).unzip();
    json!({ "indices": indices, "values": values })
}

fn payload(i: u64) -> Value {
    json!({ "color": COLORS[(i % 4) as usize], "n": i, "code": format!("KON-{i:05}") })
}

async fn hybrid_collection(api: &Api, name: &str) {
    let body = json!({
        "vectors": { "dense": { "size": DIM, "distance": "Cosine" } },
        "sparse_vectors": { "bm25": { "modifier": "idf" }, "plain": {} }
    });
    let r = api.ok("PUT", "/collections/{collection_name}", &format!("/collections/{name}"), Some(body)).await;
    assert_eq!(r, json!(true));
    let points: Vec<Value> = (0..N)
        .map(|i| {
            let sparse = sparse_json(&terms(i));
            json!({ "id": i, "payload": payload(i),
                    "vector": { "dense": vector(i, DIM), "bm25": sparse, "plain": sparse } })
        })
        .collect();
    api.upsert(name, points).await;
}

/// A filter's meaning, for the brute force.
type Keep = fn(u64) -> bool;

fn all(_: u64) -> bool {
    true
}

/// Sorts by score (best first), ties by id, and keeps `limit`.
fn top(mut scored: Vec<(u64, f64)>, limit: usize) -> Vec<(u64, f64)> {
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    scored.truncate(limit);
    scored
}

fn dense_rank(q: &[f32], keep: Keep, limit: usize) -> Vec<(u64, f64)> {
    top((0..N).filter(|&i| keep(i)).map(|i| (i, f64::from(cosine(q, &vector(i, DIM))))).collect(), limit)
}

/// Inverse document frequency as Qdrant's `idf` modifier defines it (BM25's, kept positive):
/// `ln((n - df + 0.5) / (df + 0.5) + 1)` over the `n` points holding the sparse vector.
fn idf(term: u32) -> f64 {
    let n = N as f64;
    let df = (0..N).filter(|&i| terms(i).contains_key(&term)).count() as f64;
    ((n - df + 0.5) / (df + 0.5) + 1.0).ln()
}

/// Sparse scores: the dot product, each query weight times the term's IDF when `with_idf`;
/// points sharing no term with the query are not found at all.
fn sparse_rank(q: &BTreeMap<u32, f32>, with_idf: bool, keep: Keep, limit: usize) -> Vec<(u64, f64)> {
    let scored = (0..N)
        .filter(|&i| keep(i))
        .filter_map(|i| {
            let t = terms(i);
            let shared: Vec<_> = q.iter().filter_map(|(k, qv)| t.get(k).map(|dv| (*k, *qv, *dv))).collect();
            if shared.is_empty() {
                return None;
            }
            let s = shared
                .into_iter()
                .map(|(k, qv, dv)| f64::from(qv) * f64::from(dv) * if with_idf { idf(k) } else { 1.0 })
                .sum();
            Some((i, s))
        })
        .collect();
    top(scored, limit)
}

/// Reciprocal Rank Fusion as Qdrant defines it: each list adds `1 / (k + position)`, the
/// position counted from 0.
fn rrf(lists: &[Vec<(u64, f64)>], k: f64) -> Vec<(u64, f64)> {
    weighted_rrf(lists, k, &vec![1.0; lists.len()])
}

/// Weighted RRF as Qdrant defines it: a list of weight `w` adds `1 / (rank / w + k - 1)`, the
/// rank counted from 1 (so weight 1 is plain RRF).
fn weighted_rrf(lists: &[Vec<(u64, f64)>], k: f64, weights: &[f64]) -> Vec<(u64, f64)> {
    let mut sum: HashMap<u64, f64> = HashMap::new();
    for (list, w) in lists.iter().zip(weights) {
        for (pos, (id, _)) in list.iter().enumerate() {
            *sum.entry(*id).or_default() += 1.0 / ((pos + 1) as f64 / w + k - 1.0);
        }
    }
    top(sum.into_iter().collect(), usize::MAX)
}

/// Distribution-Based Score Fusion: each list's scores mapped linearly so that mean - 3σ is 0
/// and mean + 3σ is 1 (σ the sample standard deviation; a single point scores 0.5), summed.
fn dbsf(lists: &[Vec<(u64, f64)>]) -> Vec<(u64, f64)> {
    let mut sum: HashMap<u64, f64> = HashMap::new();
    for list in lists {
        let n = list.len() as f64;
        let mean = list.iter().map(|p| p.1).sum::<f64>() / n;
        let var = list.iter().map(|p| (p.1 - mean).powi(2)).sum::<f64>() / (n - 1.0);
        let (lo, hi) = (mean - 3.0 * var.sqrt(), mean + 3.0 * var.sqrt());
        for (id, s) in list {
            let norm = if list.len() == 1 { 0.5 } else { (s - lo) / (hi - lo) };
            *sum.entry(*id).or_default() += norm;
        }
    }
    top(sum.into_iter().collect(), usize::MAX)
}

/// The answer equals the expected ranking: the same scores in the same order, and each point
/// with its own expected score (so points tied on a score may come in either order).
fn assert_ranking(got: &[Value], want: &[(u64, f64)], all_scores: &[(u64, f64)], what: &str) {
    let got_pairs: Vec<(u64, f64)> =
        got.iter().map(|p| (p["id"].as_u64().unwrap(), p["score"].as_f64().unwrap())).collect();
    assert_eq!(got.len(), want.len(), "{what}: got {got_pairs:?}, want {want:?}");
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-4 * a.abs().max(b.abs()).max(1.0);
    for (i, ((id, score), (_, want_score))) in got_pairs.iter().zip(want).enumerate() {
        assert!(
            close(*score, *want_score),
            "{what}: position {i} scored {score}, want {want_score}: {got_pairs:?} vs {want:?}"
        );
        let own = all_scores.iter().find(|p| p.0 == *id).map(|p| p.1);
        assert!(own.is_some_and(|o| close(o, *score)), "{what}: point {id} scored {score}, want {own:?}");
    }
}

fn dense_query() -> Vec<f32> {
    vector(424_242, DIM)
}

fn sparse_query() -> BTreeMap<u32, f32> {
    BTreeMap::from([(COMMON, 1.0), (RARE, 1.0), (2, 0.7), (11, 0.3)])
}

#[tokio::test]
async fn a_hybrid_collection_is_created_described_and_filled() {
    let (_d, s, api) = server().await;
    hybrid_collection(&api, "h").await;
    let info = api.ok("GET", "/collections/{collection_name}", "/collections/h", None).await;
    let params = &info["config"]["params"];
    assert_eq!(params["vectors"]["dense"]["size"], DIM);
    assert_eq!(params["vectors"]["dense"]["distance"], "Cosine");
    assert_eq!(params["sparse_vectors"], json!({ "bm25": { "modifier": "idf" }, "plain": {} }));
    assert_eq!(info["points_count"], N);

    // Retrieve: named vectors in Qdrant's shapes, sparse ones sorted by index, dense ones as
    // stored for cosine (normalised).
    let got = api
        .ok(
            "POST",
            "/collections/{collection_name}/points",
            "/collections/h/points",
            Some(json!({ "ids": [17], "with_vector": true, "with_payload": true })),
        )
        .await;
    let v = &got[0]["vector"];
    let t = terms(17);
    assert_eq!(v["bm25"]["indices"], json!(t.keys().collect::<Vec<_>>()));
    assert_eq!(v["bm25"]["values"], json!(t.values().collect::<Vec<_>>()));
    assert_eq!(v["plain"], v["bm25"]);
    let stored: Vec<f32> = serde_json::from_value(v["dense"].clone()).unwrap();
    assert!((cosine(&stored, &vector(17, DIM)) - 1.0).abs() < 1e-5);
    assert_eq!(got[0]["payload"]["code"], "KON-00017");

    // Only the vectors asked for, by name; scroll alike.
    let got = api
        .ok(
            "POST",
            "/collections/{collection_name}/points",
            "/collections/h/points",
            Some(json!({ "ids": [3], "with_vector": ["plain"] })),
        )
        .await;
    let keys: Vec<&String> = got[0]["vector"].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["plain"]);
    let page = api
        .ok(
            "POST",
            "/collections/{collection_name}/points/scroll",
            "/collections/h/points/scroll",
            Some(json!({ "limit": 3, "offset": 5, "with_vector": ["dense"], "with_payload": false })),
        )
        .await;
    assert_eq!(ids(page["points"].as_array().unwrap()), vec![5, 6, 7]);
    assert!(page["points"].as_array().unwrap().iter().all(|p| p["vector"]["dense"].as_array().unwrap().len() == DIM));

    // The batch shape with named vectors; set_payload and delete as for any collection.
    let batch = json!({ "batch": { "ids": [100, 101],
        "vectors": { "dense": [vector(100, DIM), vector(101, DIM)],
                     "bm25": [{ "indices": [1], "values": [1.0] }, { "indices": [], "values": [] }] },
        "payloads": [{ "color": "violet" }, null] } });
    api.ok("PUT", "/collections/{collection_name}/points", "/collections/h/points?wait=true", Some(batch)).await;
    api.ok(
        "POST",
        "/collections/{collection_name}/points/payload",
        "/collections/h/points/payload?wait=true",
        Some(json!({ "payload": { "late": true }, "points": [101] })),
    )
    .await;
    let got = api
        .ok(
            "POST",
            "/collections/{collection_name}/points",
            "/collections/h/points",
            Some(json!({ "ids": [100, 101], "with_vector": true })),
        )
        .await;
    assert_eq!(got[0]["payload"]["color"], "violet");
    assert_eq!(got[1]["payload"]["late"], true);
    assert_eq!(got[0]["vector"]["bm25"], json!({ "indices": [1], "values": [1.0] }));
    assert!(got[1]["vector"].get("plain").is_none(), "a vector never given is absent: {}", got[1]);
    api.ok(
        "POST",
        "/collections/{collection_name}/points/delete",
        "/collections/h/points/delete?wait=true",
        Some(json!({ "points": [100, 101] })),
    )
    .await;
    assert_eq!(api.count("h", None).await, N);

    // A collection of one unnamed vector plus a sparse one, as Qdrant allows.
    api.ok(
        "PUT",
        "/collections/{collection_name}",
        "/collections/mixed",
        Some(json!({ "vectors": { "size": DIM, "distance": "Cosine" }, "sparse_vectors": { "s": {} } })),
    )
    .await;
    api.upsert(
        "mixed",
        vec![json!({ "id": 1, "vector": { "": vector(1, DIM), "s": { "indices": [4], "values": [2.0] } } })],
    )
    .await;
    api.upsert("mixed", vec![json!({ "id": 2, "vector": vector(2, DIM) })]).await;
    let got = api.query("mixed", json!({ "query": { "indices": [4], "values": [1.0] }, "using": "s" })).await;
    assert_eq!(ids(&got), vec![1]);
    assert_eq!(got[0]["score"], 2.0);
    let got = api.query("mixed", json!({ "query": vector(2, DIM), "limit": 1, "with_vector": true })).await;
    assert_eq!(ids(&got), vec![2]);
    assert!(got[0]["vector"].is_array(), "the unnamed vector alone prints as a list: {}", got[0]);
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn dense_and_sparse_queries_rank_as_brute_force_and_idf_lifts_rare_terms() {
    let (_d, s, api) = server().await;
    hybrid_collection(&api, "h").await;
    let q = dense_query();
    let want = dense_rank(&q, all, 7);
    for body in [
        json!({ "query": q, "using": "dense", "limit": 7 }),
        json!({ "query": { "nearest": q }, "using": "dense", "limit": 7 }),
    ] {
        assert_ranking(&api.query("h", body).await, &want, &dense_rank(&q, all, 100), "dense");
    }

    // The rare term outranks a common one held five times: only with IDF.
    let sq = BTreeMap::from([(COMMON, 1.0), (RARE, 1.0)]);
    let with_idf = api.query("h", json!({ "query": sparse_json(&sq), "using": "bm25", "limit": 5 })).await;
    assert_eq!(with_idf[0]["id"], 17, "the only point with the rare term comes first: {with_idf:?}");
    assert_ranking(&with_idf, &sparse_rank(&sq, true, all, 5), &sparse_rank(&sq, true, all, 100), "sparse idf");
    let plain = api.query("h", json!({ "query": sparse_json(&sq), "using": "plain", "limit": 5 })).await;
    assert_eq!(plain[0]["id"], 4, "without IDF the point holding the common term five times wins: {plain:?}");
    assert_ranking(&plain, &sparse_rank(&sq, false, all, 5), &sparse_rank(&sq, false, all, 100), "sparse plain");

    // A wider sparse query, filtered, through `nearest`.
    let sq = sparse_query();
    let keep: Keep = |i| i % 4 == 1;
    let filter = json!({ "must": [{ "key": "color", "match": { "value": "green" } }] });
    let got = api
        .query(
            "h",
            json!({ "query": { "nearest": sparse_json(&sq) }, "using": "bm25", "limit": 4, "filter": filter, "with_payload": true }),
        )
        .await;
    assert_ranking(&got, &sparse_rank(&sq, true, keep, 4), &sparse_rank(&sq, true, keep, 100), "sparse filtered");
    assert!(got.iter().all(|p| p["payload"]["color"] == "green"));
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn fusion_of_prefetches_ranks_as_rrf_and_dbsf_define() {
    let (_d, s, api) = server().await;
    hybrid_collection(&api, "h").await;
    let (q, sq) = (dense_query(), sparse_query());
    let prefetch = |limit: usize, filter: Option<Value>| {
        let mut d = json!({ "query": q, "using": "dense", "limit": limit });
        let mut sp = json!({ "query": sparse_json(&sq), "using": "bm25", "limit": limit });
        if let Some(f) = filter {
            d["filter"] = f.clone();
            sp["filter"] = f;
        }
        json!([d, sp])
    };
    let lists = |limit, keep: Keep| vec![dense_rank(&q, keep, limit), sparse_rank(&sq, true, keep, limit)];

    // RRF with Qdrant's default k (2), with a k of its own, and weighted.
    let fused = rrf(&lists(10, all), 2.0);
    let got = api.query("h", json!({ "prefetch": prefetch(10, None), "query": { "fusion": "rrf" }, "limit": 5 })).await;
    assert_ranking(&got, &fused[..5], &fused, "rrf");
    let fused60 = rrf(&lists(10, all), 60.0);
    let got =
        api.query("h", json!({ "prefetch": prefetch(10, None), "query": { "rrf": { "k": 60 } }, "limit": 5 })).await;
    assert_ranking(&got, &fused60[..5], &fused60, "rrf k=60");
    let got = api
        .query("h", json!({ "prefetch": prefetch(10, None), "query": { "rrf": { "k": 5, "weights": [3.0, 0.5] } }, "limit": 4 }))
        .await;
    let weighted = weighted_rrf(&lists(10, all), 5.0, &[3.0, 0.5]);
    assert_ranking(&got, &weighted[..4], &weighted, "weighted rrf");

    // DBSF.
    let fused = dbsf(&lists(10, all));
    let got =
        api.query("h", json!({ "prefetch": prefetch(10, None), "query": { "fusion": "dbsf" }, "limit": 6 })).await;
    assert_ranking(&got, &fused[..6], &fused, "dbsf");

    // A filter on the query reaches every prefetch; offset pages through the fused ranking.
    let keep: Keep = |i| i % 2 == 0;
    let filter = json!({ "must": [{ "key": "color", "match": { "any": ["red", "blue"] } }] });
    let fused = rrf(&lists(10, keep), 2.0);
    let page = |offset: usize| {
        json!({ "prefetch": prefetch(10, None), "query": { "fusion": "rrf" }, "filter": filter,
                "limit": 3, "offset": offset, "with_payload": ["color"] })
    };
    let first = api.query("h", page(0)).await;
    assert_ranking(&first, &fused[..3], &fused, "rrf filtered");
    let second = api.query("h", page(3)).await;
    assert_ranking(&second, &fused[3..6], &fused, "rrf filtered, second page");
    assert!(first.iter().chain(&second).all(|p| ["red", "blue"].contains(&p["payload"]["color"].as_str().unwrap())));
    // The same filter on the prefetches instead.
    let got = api
        .query("h", json!({ "prefetch": prefetch(10, Some(filter.clone())), "query": { "fusion": "rrf" }, "limit": 3 }))
        .await;
    assert_ranking(&got, &fused[..3], &fused, "rrf, filter in prefetches");
    // score_threshold cuts the fused ranking.
    let cut = fused[2].1 - 1e-6;
    let got = api
        .query(
            "h",
            json!({ "prefetch": prefetch(10, Some(filter)), "query": { "fusion": "rrf" }, "score_threshold": cut }),
        )
        .await;
    assert_eq!(got.len(), 3, "{got:?}");

    // One prefetch as an object (not a list), nested: the sparse top 10 re-ranked by cosine.
    let candidates: Vec<u64> = sparse_rank(&sq, true, all, 10).into_iter().map(|p| p.0).collect();
    let rescored = top(candidates.iter().map(|&i| (i, f64::from(cosine(&q, &vector(i, DIM))))).collect(), usize::MAX);
    let body = json!({
        "prefetch": { "prefetch": [{ "query": sparse_json(&sq), "using": "bm25", "limit": 10 }],
                      "query": { "fusion": "rrf" }, "limit": 10 },
        "query": q, "using": "dense", "limit": 4, "with_vector": ["bm25"]
    });
    let got = api.query("h", body).await;
    assert_ranking(&got, &rescored[..4], &rescored, "dense over nested sparse prefetch");
    assert!(got.iter().all(|p| p["vector"]["bm25"]["indices"].is_array()));
    s.shutdown().await.unwrap();
}

/// Sends `body` to the query endpoint; expects a 400 in Qdrant's error shape; returns its text.
async fn refused(api: &Api, collection: &str, body: Value) -> String {
    let (st, got) = api.call("POST", QUERY_PATH, &format!("/collections/{collection}/points/query"), Some(body)).await;
    assert_eq!(st, 400, "{got}");
    got["status"]["error"].as_str().unwrap().to_owned()
}

/// Sends a raw body (not necessarily JSON, not checked against the spec) and checks the answer is
/// a 4xx in Qdrant's error shape, valid per the spec.
async fn raw(api: &Api, method: &str, template: &str, path: &str, body: String) -> (u16, String) {
    let resp = reqwest::Client::new()
        .request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), format!("{}{path}", api.base))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let st = resp.status().as_u16();
    let json: Value = serde_json::from_str(&resp.text().await.unwrap()).unwrap();
    validator().validate_response(method, template, st, &json).unwrap();
    (st, json["status"]["error"].as_str().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn bad_hybrid_input_is_a_clear_400_and_changes_nothing() {
    let (_d, s, api) = server().await;
    hybrid_collection(&api, "h").await;
    let api = &api;
    let q = dense_query();

    // Unknown vector names, in a query, a prefetch and an upsert.
    let e = refused(api, "h", json!({ "query": q, "using": "nope" })).await;
    assert!(e.contains("Not existing vector name error: nope"), "{e}");
    let e = refused(api, "h", json!({ "query": q })).await;
    assert!(e.contains("Not existing vector name error"), "no unnamed vector here: {e}");
    let e = refused(
        api,
        "h",
        json!({ "prefetch": [{ "query": q, "using": "dense" }, { "query": q, "using": "sparse" }], "query": { "fusion": "rrf" } }),
    )
    .await;
    assert!(e.contains("sparse"), "{e}");
    let upsert = |p: Value| async move {
        api.call(
            "PUT",
            "/collections/{collection_name}/points",
            "/collections/h/points?wait=true",
            Some(json!({ "points": [p] })),
        )
        .await
    };
    let (st, e) = upsert(json!({ "id": 500, "vector": { "dense": q, "nope": [1.0] } })).await;
    assert_eq!(st, 400, "{e}");
    assert!(e.to_string().contains("Not existing vector name error: nope"), "{e}");

    // Sparse vectors that break the rules.
    for (sparse, why) in [
        (json!({ "indices": [1, 2, 3], "values": [1.0, 2.0] }), "same length"),
        (json!({ "indices": [4, 4], "values": [1.0, 2.0] }), "unique"),
        (json!({ "indices": [4], "values": [1e39] }), "finite"),
    ] {
        let (st, e) = upsert(json!({ "id": 500, "vector": { "dense": q, "bm25": sparse } })).await;
        assert_eq!(st, 400, "{e}");
        assert!(e["status"]["error"].as_str().unwrap().contains(why), "{e}");
        let e = refused(api, "h", json!({ "query": sparse, "using": "bm25" })).await;
        assert!(e.contains(why), "{e}");
    }
    // Kinds mixed up, and dimensions.
    let (st, e) = upsert(json!({ "id": 500, "vector": { "bm25": q } })).await;
    assert_eq!(st, 400, "{e}");
    let (st, e) = upsert(json!({ "id": 500, "vector": { "dense": { "indices": [1], "values": [1.0] } } })).await;
    assert_eq!(st, 400, "{e}");
    let (st, e) = upsert(json!({ "id": 500, "vector": { "dense": [1.0, 2.0] } })).await;
    assert_eq!(st, 400, "{e}");
    assert!(e.to_string().contains("Vector dimension error: expected dim: 4, got 2"), "{e}");
    let (st, e) = upsert(json!({ "id": 500, "vector": q })).await;
    assert_eq!(st, 400, "a plain list for a collection of named vectors: {e}");
    let e = refused(api, "h", json!({ "query": q, "using": "bm25" })).await;
    assert!(e.contains("sparse"), "{e}");
    let e = refused(api, "h", json!({ "query": { "indices": [1], "values": [1.0] }, "using": "dense" })).await;
    assert!(e.contains("dense"), "{e}");
    let e = refused(api, "h", json!({ "query": [1.0, 2.0], "using": "dense" })).await;
    assert!(e.contains("dimension"), "{e}");
    assert_eq!(api.count("h", None).await, N, "a refused upsert wrote nothing");

    // Fusion without anything to fuse, an empty prefetch list, a prefetch with nothing to
    // combine its own prefetches, weights that do not match.
    for body in [
        json!({ "query": { "fusion": "rrf" } }),
        json!({ "prefetch": [], "query": { "fusion": "dbsf" } }),
        json!({ "prefetch": { "prefetch": [{ "query": q, "using": "dense" }] }, "query": { "fusion": "rrf" } }),
        json!({ "prefetch": [{ "query": q, "using": "dense" }], "query": { "rrf": { "weights": [1.0, 2.0] } } }),
    ] {
        let e = refused(api, "h", body.clone()).await;
        assert!(e.contains("prefetch") || e.contains("weights"), "{body}: {e}");
    }
    // Queries qdrant-local does not do are named in the refusal.
    let e = refused(api, "h", json!({ "query": { "recommend": { "positive": [1] } }, "using": "dense" })).await;
    assert!(e.contains("recommend"), "{e}");
    let e = refused(api, "h", json!({ "query": 17, "using": "dense" })).await;
    assert!(e.contains("point id"), "{e}");

    // 10,000 characters of garbage, as a body and as a query string or vector name.
    let garbage: String = (0..10_000).map(|i| char::from(b"{[\"x:,]} \\7"[i % 10])).collect();
    let (st, e) = raw(api, "POST", QUERY_PATH, "/collections/h/points/query", garbage).await;
    assert_eq!(st, 400);
    assert!(e.starts_with("Format error in JSON body"), "{e}");
    let long = "kuřecí prsa ".repeat(834);
    let e = refused(api, "h", json!({ "query": long, "using": "dense" })).await;
    assert!(e.contains("point id"), "{e}");
    let e = refused(api, "h", json!({ "query": q, "using": long })).await;
    assert!(e.contains("Not existing vector name error"), "{}", &e[..80]);
    let (st, e) =
        raw(api, "PUT", "/collections/{collection_name}/points", "/collections/h/points", "x".repeat(10_000)).await;
    assert_eq!(st, 400);
    assert!(e.starts_with("Format error in JSON body"), "{e}");

    // A filter on a field without a payload index: filtered as asked, as Qdrant does without
    // strict mode.
    let filter = json!({ "must": [{ "key": "code", "match": { "value": "KON-00017" } }] });
    let got = api
        .query(
            "h",
            json!({ "prefetch": [{ "query": q, "using": "dense", "limit": 30 }, { "query": sparse_json(&sparse_query()), "using": "bm25", "limit": 30 }],
                    "query": { "fusion": "rrf" }, "filter": filter }),
        )
        .await;
    assert_eq!(ids(&got), vec![17]);
    // A limit of zero is refused before it reaches the engine, as Qdrant's validation does; a
    // huge prefetch limit is just a large one.
    let (st, _) = raw(api, "POST", QUERY_PATH, "/collections/h/points/query", r#"{"limit":0}"#.to_owned()).await;
    assert_eq!(st, 400);
    let got = api
        .query(
            "h",
            json!({ "prefetch": [{ "query": q, "using": "dense", "limit": u64::MAX }], "query": { "fusion": "dbsf" }, "limit": 2, "offset": 28 }),
        )
        .await;
    assert_eq!(got.len(), 2);

    // Creating collections the way Qdrant refuses.
    let create = |name: &'static str, body: Value| async move {
        api.call("PUT", "/collections/{collection_name}", &format!("/collections/{name}"), Some(body)).await
    };
    let (st, e) = raw(
        api,
        "PUT",
        "/collections/{collection_name}",
        "/collections/c1",
        json!({ "vectors": { "d": { "size": 0, "distance": "Cosine" } } }).to_string(),
    )
    .await;
    assert_eq!(st, 400, "{e}");
    assert!(e.contains("vectors.d.size"), "{e}");
    for (name, body, why) in [
        (
            "c2",
            json!({ "vectors": { "x": { "size": 4, "distance": "Cosine" } }, "sparse_vectors": { "x": {} } }),
            "both",
        ),
        ("c3", json!({ "sparse_vectors": { "s": { "modifier": "bm42" } } }), "Format error"),
        (
            "c4",
            json!({ "vectors": { "d": { "size": 4, "distance": "Cosine" } }, "sparse_vectors": [] }),
            "Format error",
        ),
    ] {
        // Some of these break the spec itself, so they go out unchecked.
        let path = format!("/collections/{name}");
        let (st, e) = raw(api, "PUT", "/collections/{collection_name}", &path, body.to_string()).await;
        assert_eq!(st, 400, "{name}: {e}");
        assert!(e.contains(why), "{name}: {e}");
    }
    let (st, e) = raw(api, "PUT", "/collections/{collection_name}", "/collections/c5", "{}".to_owned()).await;
    assert_eq!(st, 400, "{e}");
    // Sparse only is a collection.
    let (st, e) = create("sparse_only", json!({ "sparse_vectors": { "s": { "modifier": "idf" } } })).await;
    assert_eq!(st, 200, "{e}");
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_hybrid_collection_answers_alike_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let body = json!({
        "prefetch": [{ "query": dense_query(), "using": "dense", "limit": 10 },
                     { "query": sparse_json(&sparse_query()), "using": "bm25", "limit": 10 }],
        "query": { "fusion": "rrf" }, "limit": 5
    });
    let before = {
        let s = QdrantLocal::start(dir.path(), LOOPBACK).await.unwrap();
        let api = Api::new(&s);
        hybrid_collection(&api, "h").await;
        let got = api.query("h", body.clone()).await;
        s.shutdown().await.unwrap();
        got
    };
    let s = QdrantLocal::start(dir.path(), LOOPBACK).await.unwrap();
    let api = Api::new(&s);
    let after = api.query("h", body).await;
    let fused = rrf(&[dense_rank(&dense_query(), all, 10), sparse_rank(&sparse_query(), true, all, 10)], 2.0);
    assert_ranking(&before, &fused[..5], &fused, "before a restart");
    assert_ranking(&after, &fused[..5], &fused, "after a restart");
    let info = api.ok("GET", "/collections/{collection_name}", "/collections/h", None).await;
    assert_eq!(info["config"]["params"]["sparse_vectors"]["bm25"]["modifier"], "idf");
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn root_and_health_answer_as_qdrant() {
    let (_d, s, api) = server().await;
    let (st, root) = api.call("GET", "/", "/", None).await;
    assert_eq!(st, 200);
    assert!(root["title"].as_str().unwrap().ends_with("vector search engine"), "{root}");
    assert_eq!(root["version"], qdrant_local::API_VERSION);
    assert!(root.as_object().unwrap().contains_key("commit"), "{root}");
    for (path, text) in
        [("/healthz", "healthz check passed"), ("/livez", "livez check passed"), ("/readyz", "all shards are ready")]
    {
        let (st, body) = api.call("GET", path, path, None).await;
        assert_eq!((st, body.as_str().unwrap()), (200, text));
    }
    s.shutdown().await.unwrap();
}

/// Qdrant's official Python client runs a hybrid query, over REST and over gRPC; its answers
/// must equal the brute-force fusion. Skipped (loudly) only where there is no Python or no pip;
/// the client is installed with pip when missing.
#[tokio::test]
async fn the_official_python_client_runs_a_hybrid_query() {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let has = |args: &[&str]| {
        std::process::Command::new(&python).args(args).output().map(|o| o.status.success()).unwrap_or(false)
    };
    if !has(&["-c", "import qdrant_client"]) {
        if !has(&["-m", "pip", "--version"]) {
            eprintln!(
                "\n\n*** SKIPPED: `{python}` with pip is not available, so Qdrant's official Python client \
                 cannot drive qdrant-local in this test. Install Python 3 with pip to run it. ***\n"
            );
            return;
        }
        let out = std::process::Command::new(&python)
            .args(["-m", "pip", "install", "--quiet", "qdrant-client"])
            .output()
            .unwrap();
        assert!(out.status.success(), "pip install qdrant-client failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let (dir, s, api) = server().await;
    hybrid_collection(&api, "h").await;
    let script = dir.path().join("hybrid.py");
    std::fs::write(&script, PYTHON_SCRIPT).unwrap();
    let (q, sq) = (dense_query(), sparse_query());
    let args = json!({
        "rest": s.rest_url(), "grpc_port": s.grpc_addr().unwrap().port(), "dense": q,
        "indices": sq.keys().collect::<Vec<_>>(), "values": sq.values().collect::<Vec<_>>()
    });
    let python2 = python.clone();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(python2).arg(script).arg(args.to_string()).output().unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "python failed: {stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let got: Value = serde_json::from_str(stdout.trim().lines().last().unwrap()).unwrap();
    let fused = rrf(&[dense_rank(&q, all, 10), sparse_rank(&sq, true, all, 10)], 2.0);
    for transport in ["rest", "grpc"] {
        let points = got[transport]["points"].as_array().unwrap();
        assert_ranking(points, &fused[..5], &fused, &format!("python over {transport}"));
        assert!(points.iter().all(|p| p["payload"]["code"].is_string()), "{points:?}");
        let v = &got[transport]["retrieved"];
        assert_eq!(v["bm25"]["indices"], json!(terms(17).keys().collect::<Vec<_>>()), "{transport}: {v}");
        assert_eq!(v["dense"].as_array().unwrap().len(), DIM);
    }
    assert_eq!(got["created"]["sparse"], json!({ "bm25": "idf" }));
    s.shutdown().await.unwrap();
}

/// Creates a second hybrid collection through the client, then queries the test's collection
/// with one dense and one sparse prefetch fused by RRF; prints one JSON line.
const PYTHON_SCRIPT: &str = r#"
import json, sys
from qdrant_client import QdrantClient, models

args = json.loads(sys.argv[1])
out = {}
rest = QdrantClient(url=args["rest"], prefer_grpc=False)
grpc = QdrantClient(url=args["rest"], grpc_port=args["grpc_port"], prefer_grpc=True)

rest.create_collection(
    "made_by_python",
    vectors_config={"dense": models.VectorParams(size=4, distance=models.Distance.COSINE)},
    sparse_vectors_config={"bm25": models.SparseVectorParams(modifier=models.Modifier.IDF)},
)
info = grpc.get_collection("made_by_python")
out["created"] = {"sparse": {k: str(v.modifier.value if hasattr(v.modifier, "value") else v.modifier).lower()
                             for k, v in info.config.params.sparse_vectors.items()}}
rest.upsert("made_by_python", [models.PointStruct(id=1, vector={
    "dense": [0.1, 0.2, 0.3, 0.4], "bm25": models.SparseVector(indices=[3, 1], values=[1.0, 2.0])})])

sparse = models.SparseVector(indices=args["indices"], values=args["values"])
for name, client in [("rest", rest), ("grpc", grpc)]:
    res = client.query_points(
        "h",
        prefetch=[
            models.Prefetch(query=args["dense"], using="dense", limit=10),
            models.Prefetch(query=sparse, using="bm25", limit=10),
        ],
        query=models.FusionQuery(fusion=models.Fusion.RRF),
        limit=5,
        with_payload=True,
    )
    got = client.retrieve("h", ids=[17], with_vectors=True)[0].vector
    out[name] = {
        "points": [{"id": p.id, "score": p.score, "payload": p.payload} for p in res.points],
        "retrieved": {"dense": got["dense"], "bm25": {"indices": got["bm25"].indices, "values": got["bm25"].values}},
    }
print(json.dumps(out))
"#;

#[tokio::test]
async fn tied_points_come_in_id_order_whatever_order_they_were_written_in() {
    let (_d, s, api) = server().await;
    // The same twelve points in two collections, written in opposite orders (as concurrent
    // writers leave them): points 0-5 and 6-11 are two groups with the same vectors.
    let point = |i: u64| {
        let (dense, weight) = if i < 6 { (vec![1.0, 0.0, 0.0, 0.0], 2.0) } else { (vec![0.0, 1.0, 0.0, 0.0], 1.0) };
        json!({ "id": i, "vector": { "dense": dense, "plain": { "indices": [7], "values": [weight] } } })
    };
    for (name, order) in [("up", (0..12).collect::<Vec<u64>>()), ("down", (0..12).rev().collect())] {
        let body = json!({
            "vectors": { "dense": { "size": DIM, "distance": "Cosine" } },
            "sparse_vectors": { "plain": {} }
        });
        api.ok("PUT", "/collections/{collection_name}", &format!("/collections/{name}"), Some(body)).await;
        for i in order {
            api.upsert(name, vec![point(i)]).await;
        }
    }
    let sparse = json!({ "query": { "indices": [7], "values": [1.0] }, "using": "plain", "limit": 8 });
    let dense = json!({ "query": [1.0, 0.0, 0.0, 0.0], "using": "dense", "limit": 3 });
    let page = json!({ "query": [1.0, 0.0, 0.0, 0.0], "using": "dense", "limit": 3, "offset": 3 });
    // Fused, the prefetches' ties are ranked by id too, so the fused scores are the same.
    let fused = |fusion: &str| {
        json!({ "prefetch": [
                    { "query": [1.0, 0.0, 0.0, 0.0], "using": "dense", "limit": 4 },
                    { "query": { "indices": [7], "values": [1.0] }, "using": "plain", "limit": 4 } ],
                "query": { "fusion": fusion }, "limit": 5 })
    };
    let mut answers = Vec::new();
    for name in ["up", "down"] {
        // Each tie in id order, the cut at the limit included: the best group, then the next.
        assert_eq!(ids(&api.query(name, sparse.clone()).await), [0, 1, 2, 3, 4, 5, 6, 7], "{name}");
        assert_eq!(ids(&api.query(name, dense.clone()).await), [0, 1, 2], "{name}");
        assert_eq!(ids(&api.query(name, page.clone()).await), [3, 4, 5], "{name}");
        let rrf = api.query(name, fused("rrf")).await;
        assert_eq!(ids(&rrf), [0, 1, 2, 3], "{name}: {rrf:?}");
        let scores: Vec<f64> = rrf.iter().map(|p| p["score"].as_f64().unwrap()).collect();
        // Both prefetches rank 0, 1, 2, 3: 2 / (k + position) with Qdrant's k of 2.
        for (pos, s) in scores.iter().enumerate() {
            assert!((s - 2.0 / (2.0 + pos as f64)).abs() < 1e-6, "{name}: {scores:?}");
        }
        answers.push((ids(&rrf), ids(&api.query(name, fused("dbsf")).await)));
        // Fused here, each point still answers its version and, asked for, its vectors.
        let mut asked = fused("rrf");
        asked["with_vector"] = json!(["dense"]);
        let dense_all = json!({ "query": [1.0, 0.0, 0.0, 0.0], "using": "dense", "limit": 4 });
        let own = api.query(name, dense_all).await;
        for (p, o) in api.query(name, asked).await.iter().zip(&own) {
            assert_eq!((&p["id"], &p["version"]), (&o["id"], &o["version"]), "{name}");
            assert_eq!(p["vector"]["dense"], json!([1.0, 0.0, 0.0, 0.0]), "{name}: {p}");
        }
    }
    assert_eq!(answers[0], answers[1]);
    s.shutdown().await.unwrap();
}
