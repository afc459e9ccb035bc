//! Sealing: a collection whose appendable segment was sealed into immutable segments, several
//! times, answers every kind of query exactly as the same collection in one segment does
//! (dense, sparse with IDF, both fused, with and without a filter, counts), before and after
//! a restart; and a process killed while it seals loses nothing and opens cleanly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{Api, COLORS, Process, vector};
use qdrant_local::{LOOPBACK, Options, QdrantLocal};
use serde_json::{Value, json};

const DIM: usize = 8;
/// Terms of the sparse vectors; term `t` is held by about one point in `t + 1`, so that their
/// document frequencies (and IDF weights) spread.
const TERMS: u64 = 40;
/// Sealed after this many points.
const SEAL: usize = 150;

async fn server(dir: &Path, seal_points: usize) -> (QdrantLocal, Api) {
    let mut opts = Options::new(dir, LOOPBACK);
    opts.seal_points = seal_points;
    let s = QdrantLocal::start_with(opts).await.unwrap();
    let api = Api::new(&s);
    (s, api)
}

/// Point `i`'s sparse vector: weights differ from point to point, so no two points tie.
fn sparse(i: u64, version: u64) -> Value {
    let (mut indices, mut values) = (Vec::new(), Vec::new());
    for t in 0..TERMS {
        if (i * 7 + version * 13 + t * 31).is_multiple_of(t + 1) {
            indices.push(t);
            values.push(1.0 + ((i * 37 + t * 11 + version) % 1000) as f32 / 997.0);
        }
    }
    json!({ "indices": indices, "values": values })
}

fn point(i: u64, version: u64) -> Value {
    json!({
        "id": i,
        "vector": { "dense": vector(i * 1000 + version, DIM), "bm25": sparse(i, version) },
        "payload": { "color": COLORS[(i % 4) as usize], "n": i, "version": version }
    })
}

async fn create(api: &Api) {
    let body = json!({
        "vectors": { "dense": { "size": DIM, "distance": "Cosine" } },
        "sparse_vectors": { "bm25": { "modifier": "idf" } }
    });
    let r = api.ok("PUT", "/collections/{collection_name}", "/collections/c", Some(body)).await;
    assert_eq!(r, json!(true));
}

async fn segments(api: &Api) -> u64 {
    api.ok("GET", "/collections/{collection_name}", "/collections/c", None).await["segments_count"].as_u64().unwrap()
}

/// Waits until the collection has at least `n` segments (sealing runs in the background).
async fn wait_for_segments(api: &Api, n: u64) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let now = segments(api).await;
        if now >= n {
            return;
        }
        assert!(Instant::now() < deadline, "still {now} segments, expected {n}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The queries compared: `(what, body)`.
fn queries() -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for k in 0..4u64 {
        let dense = vector(900_000 + k, DIM);
        let sparse = json!({ "indices": [k, 3 + k, 9 + 2 * k, 30 + k], "values": [1.0, 0.7, 0.4, 0.9] });
        let red = json!({ "must": [{ "key": "color", "match": { "value": "red" } }] });
        out.push((format!("dense {k}"), json!({ "query": dense, "using": "dense", "limit": 25 })));
        out.push((
            format!("dense, filtered {k}"),
            json!({ "query": dense, "using": "dense", "limit": 25, "filter": red }),
        ));
        out.push((format!("sparse idf {k}"), json!({ "query": sparse, "using": "bm25", "limit": 25 })));
        out.push((
            format!("sparse idf, filtered {k}"),
            json!({ "query": sparse, "using": "bm25", "limit": 25, "filter": red }),
        ));
        for fusion in ["rrf", "dbsf"] {
            out.push((
                format!("{fusion} {k}"),
                json!({
                    "prefetch": [{ "query": dense, "using": "dense", "limit": 40 },
                                 { "query": sparse, "using": "bm25", "limit": 40 }],
                    "query": { "fusion": fusion }, "limit": 20, "with_payload": true
                }),
            ));
        }
    }
    out
}

/// `(id, score)` of every hit, and the payload's version where it was asked for.
fn hits(points: &[Value]) -> Vec<(u64, f64, Value)> {
    points
        .iter()
        .map(|p| (p["id"].as_u64().unwrap(), p["score"].as_f64().unwrap(), p["payload"]["version"].clone()))
        .collect()
}

/// Every query answers the same on both: the same scores in the same order (to float
/// rounding), each point with the same score and payload on both, and the same points above
/// the last score (points tied on the last score may be cut off differently; fusion by rank
/// ties often). And the same counts.
async fn assert_same(one: &Api, sealed: &Api, when: &str) {
    for (what, body) in queries() {
        let a = hits(&one.query("c", body.clone()).await);
        let b = hits(&sealed.query("c", body).await);
        assert!(!a.is_empty() || what.contains("filtered"), "{when}, {what}: no hits");
        assert_eq!(a.len(), b.len(), "{when}, {what}: {a:?}\n{b:?}");
        let close = |x: f64, y: f64| (x - y).abs() <= 1e-5 * x.abs().max(1.0);
        for ((_, x, _), (_, y, _)) in a.iter().zip(&b) {
            assert!(close(*x, *y), "{when}, {what}: another ranking once sealed:\n{a:?}\n{b:?}");
        }
        for (id, x, version) in &a {
            if let Some((_, y, other)) = b.iter().find(|h| h.0 == *id) {
                assert!(close(*x, *y), "{when}, {what}: point {id} scores {x} and {y}");
                assert_eq!(version, other, "{when}, {what}: point {id}");
            }
        }
        let last = a.last().map_or(0.0, |h| h.1);
        let above = |h: &[(u64, f64, Value)]| {
            h.iter().filter(|x| !close(x.1, last)).map(|x| x.0).collect::<std::collections::BTreeSet<_>>()
        };
        assert_eq!(above(&a), above(&b), "{when}, {what}: other points once sealed");
    }
    for filter in [None, Some(json!({ "must": [{ "key": "color", "match": { "value": "blue" } }] }))] {
        assert_eq!(one.count("c", filter.clone()).await, sealed.count("c", filter).await, "{when}: count");
    }
}

/// After rewrites: dense queries and counts answer exactly the same; sparse and fused ones
/// find only current points (none deleted, each in its newest version).
async fn assert_current(one: &Api, sealed: &Api) {
    let mut sparse_hits = 0;
    for (what, mut body) in queries() {
        if what.starts_with("dense") {
            let a = hits(&one.query("c", body.clone()).await);
            let b = hits(&sealed.query("c", body).await);
            assert_eq!(a.iter().map(|h| h.0).collect::<Vec<_>>(), b.iter().map(|h| h.0).collect::<Vec<_>>(), "{what}");
            continue;
        }
        body["with_payload"] = json!(true);
        for h in hits(&sealed.query("c", body).await) {
            sparse_hits += 1;
            assert!(h.0 % 11 != 5, "{what}: deleted point {} found", h.0);
            let newest = u64::from(h.0.is_multiple_of(9));
            assert_eq!(h.2, json!(newest), "{what}: point {} in an old version", h.0);
        }
    }
    assert!(sparse_hits > 0);
    for filter in [None, Some(json!({ "must": [{ "key": "version", "match": { "value": 1 } }] }))] {
        assert_eq!(one.count("c", filter.clone()).await, sealed.count("c", filter).await, "rewritten: count");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_collection_sealed_into_several_segments_answers_as_one_segment_does() {
    let (dir_one, dir_sealed) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (one_server, one) = server(dir_one.path(), usize::MAX).await;
    let (sealed_server, sealed) = server(dir_sealed.path(), SEAL).await;
    create(&one).await;
    create(&sealed).await;

    // Four batches, each past the limit: a seal after each, then some points left unsealed.
    for batch in 0..4u64 {
        let points: Vec<Value> = (batch * 200..(batch + 1) * 200).map(|i| point(i, 0)).collect();
        one.upsert("c", points.clone()).await;
        sealed.upsert("c", points).await;
        wait_for_segments(&sealed, batch + 2).await;
    }
    let tail: Vec<Value> = (800..870).map(|i| point(i, 0)).collect();
    one.upsert("c", tail.clone()).await;
    sealed.upsert("c", tail).await;
    assert_eq!(segments(&one).await, 1, "never sealed");
    assert!(segments(&sealed).await >= 5, "sealed four times");
    assert_same(&one, &sealed, "sealed").await;

    // Sealed segments load again as they were.
    sealed_server.shutdown().await.unwrap();
    let (sealed_server, sealed) = server(dir_sealed.path(), SEAL).await;
    assert!(segments(&sealed).await >= 5);
    assert_same(&one, &sealed, "reopened").await;

    // Points of sealed segments rewritten or deleted: the newest version is found, and the
    // deleted are gone, in every kind of query. The old copies stay in their sealed segments,
    // marked deleted, and still count in the IDF statistics (as in Qdrant until a vacuum), so
    // sparse scores move a little: those are compared without their scores.
    let rewritten: Vec<Value> = (0..870).step_by(9).map(|i| point(i, 1)).collect();
    let deleted = json!({ "points": (5..870).step_by(11).collect::<Vec<u64>>() });
    for api in [&one, &sealed] {
        api.upsert("c", rewritten.clone()).await;
        api.ok(
            "POST",
            "/collections/{collection_name}/points/delete",
            "/collections/c/points/delete?wait=true",
            Some(deleted.clone()),
        )
        .await;
    }
    assert_current(&one, &sealed).await;

    sealed_server.shutdown().await.unwrap();
    one_server.shutdown().await.unwrap();
}

/// The `qdrant-local` binary on `dir`, sealing every `seal_points`.
fn start(dir: &Path, seal_points: usize) -> Process {
    Process::start(dir, &["--seal-points", &seal_points.to_string()])
}

/// Wide vectors make a seal take long enough for a kill to land in it.
const WIDE: usize = 1024;

fn wide_point(i: u64, round: u64) -> Value {
    json!({
        "id": i,
        "vector": { "dense": vector(i * 100 + round, WIDE), "bm25": sparse(i, round) },
        "payload": { "round": round }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_during_a_seal_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("collections/c/sealing.json");
    let p = start(dir.path(), 1_000);
    let body = json!({
        "vectors": { "dense": { "size": WIDE, "distance": "Dot" } },
        "sparse_vectors": { "bm25": { "modifier": "idf" } }
    });
    p.api.ok("PUT", "/collections/{collection_name}", "/collections/c", Some(body)).await;
    p.kill();

    let mut landed = 0;
    let mut total = 0u64;
    for round in 0..12u64 {
        let p = start(dir.path(), 1_000);
        assert_eq!(p.api.count("c", None).await, total, "round {round}: after the restart");
        // Past the limit: the next flush tick (within a second) starts a seal.
        for chunk in (total..total + 1_200).collect::<Vec<_>>().chunks(300) {
            p.api.upsert("c", chunk.iter().map(|&i| wide_point(i, round)).collect()).await;
        }
        total += 1_200;
        // Points written earlier, rewritten while the seal may run: their newest version must
        // survive.
        p.api.upsert("c", (0..20).map(|i| wide_point(i, round)).collect()).await;
        // Wait for the seal to start, then kill at a moment that moves from round to round.
        let deadline = Instant::now() + Duration::from_secs(10);
        while !marker.exists() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        tokio::time::sleep(Duration::from_millis(round * 15)).await;
        let log = p.kill();
        assert!(!log.contains("panicked"), "{log}");
        landed += usize::from(marker.exists());

        let p = start(dir.path(), 1_000);
        assert_eq!(p.api.count("c", None).await, total, "round {round}: points lost or doubled");
        let got = p
            .api
            .ok(
                "POST",
                "/collections/{collection_name}/points",
                "/collections/c/points",
                Some(json!({ "ids": [0, 19, total - 1], "with_payload": true, "with_vector": true })),
            )
            .await;
        let got = got.as_array().unwrap();
        assert_eq!(got.len(), 3, "{got:?}");
        for g in got {
            assert_eq!(g["payload"]["round"], round, "{g}");
        }
        let stored: Vec<f32> = serde_json::from_value(got[0]["vector"]["dense"].clone()).unwrap();
        assert!(stored == vector(round, WIDE), "point 0 has another vector after the restart");
        // Every id once: a scroll over all of them finds each exactly once.
        let mut seen = std::collections::BTreeSet::new();
        let mut offset = Value::Null;
        loop {
            let page = p
                .api
                .ok(
                    "POST",
                    "/collections/{collection_name}/points/scroll",
                    "/collections/c/points/scroll",
                    Some(json!({ "limit": 1000, "offset": offset, "with_payload": false })),
                )
                .await;
            for pt in page["points"].as_array().unwrap() {
                assert!(seen.insert(pt["id"].as_u64().unwrap()), "point {} twice", pt["id"]);
            }
            offset = page["next_page_offset"].clone();
            if offset.is_null() {
                break;
            }
        }
        assert_eq!(seen.len() as u64, total);
        let log = p.kill();
        assert!(!log.contains("panicked"), "{log}");
        if landed >= 2 {
            break;
        }
    }
    assert!(landed >= 2, "only {landed} kills landed during a seal in twelve tries");
}
