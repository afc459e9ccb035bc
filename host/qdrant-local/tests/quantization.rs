//! Quantized dense search: a new collection's sealed segments keep int8 copies of their dense
//! vectors, which a search scans, then rescores its candidates with the original vectors. Its
//! answers are checked against a brute-force cosine ranking computed here (never copied from
//! an answer): the same top 10, with the exact scores; and a search that skips the rescoring
//! shows that the quantized copies are there. Every request and answer is checked against
//! Qdrant's OpenAPI description, except the malformed requests sent to be refused.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{Api, COLORS, cosine, ids, validator, vector};
use qdrant_local::{LOOPBACK, Options, QdrantLocal};
use serde_json::{Value, json};

const DIM: usize = 48;
const N: u64 = 1_500;
/// Sealed after this many points: the collection ends in several sealed segments.
const SEAL: usize = 300;
const QUERIES: u64 = 20;
const COLLECTION_PATH: &str = "/collections/{collection_name}";

async fn server(dir: &Path) -> (QdrantLocal, Api) {
    let mut opts = Options::new(dir, LOOPBACK);
    opts.seal_points = SEAL;
    let s = QdrantLocal::start_with(opts).await.unwrap();
    let api = Api::new(&s);
    (s, api)
}

fn point(i: u64) -> Value {
    json!({ "id": i, "vector": { "dense": vector(i, DIM) }, "payload": { "color": COLORS[(i % 4) as usize] } })
}

/// Creates collection `name` (with `extra` fields in the request) and fills it [`SEAL`] points
/// at a time, waiting after each for the seal (which runs in the background), so that all but
/// the last batch end in sealed segments of their own.
async fn filled(api: &Api, name: &str, extra: Value) {
    let mut body = json!({ "vectors": { "dense": { "size": DIM, "distance": "Cosine" } } });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    assert_eq!(api.ok("PUT", COLLECTION_PATH, &format!("/collections/{name}"), Some(body)).await, json!(true));
    let batches = N / SEAL as u64;
    for b in 0..batches {
        api.upsert(name, (b * SEAL as u64..(b + 1) * SEAL as u64).map(point).collect()).await;
        if b + 1 == batches {
            break;
        }
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let info = api.ok("GET", COLLECTION_PATH, &format!("/collections/{name}"), None).await;
            if info["segments_count"].as_u64().unwrap() >= b + 2 {
                break;
            }
            assert!(Instant::now() < deadline, "not sealed: {info}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// Every point's id and exact cosine similarity to `q` among those `keep` lets through, best
/// first.
fn exact(q: &[f32], keep: fn(u64) -> bool) -> Vec<(u64, f32)> {
    let mut all: Vec<(u64, f32)> = (0..N).filter(|i| keep(*i)).map(|i| (i, cosine(q, &vector(i, DIM)))).collect();
    all.sort_by(|a, b| b.1.total_cmp(&a.1));
    all
}

fn red(i: u64) -> bool {
    i.is_multiple_of(4)
}

fn query_vector(k: u64) -> Vec<f32> {
    vector(7_000_000 + k, DIM)
}

/// The exact score of each answered point against `q` (not its rank), and the largest
/// difference from the score answered.
fn score_error(points: &[Value], q: &[f32]) -> f32 {
    points
        .iter()
        .map(|p| {
            let i = p["id"].as_u64().unwrap();
            (p["score"].as_f64().unwrap() as f32 - cosine(q, &vector(i, DIM))).abs()
        })
        .fold(0.0, f32::max)
}

#[tokio::test]
async fn a_new_collection_quantizes_its_sealed_segments_and_ranks_as_the_exact_scan() {
    let dir = tempfile::tempdir().unwrap();
    let (s, api) = server(dir.path()).await;
    filled(&api, "q", json!({})).await;
    let info = api.ok("GET", COLLECTION_PATH, "/collections/q", None).await;
    assert_eq!(info["config"]["quantization_config"]["scalar"]["type"], "int8", "{info}");
    assert_eq!(info["config"]["quantization_config"]["scalar"]["quantile"], json!(0.99), "{info}");
    assert_eq!(info["config"]["hnsw_config"]["m"], 0, "no graph: {info}");

    let (mut found, mut total, mut unrescored_error) = (0, 0, 0.0f32);
    for k in 0..QUERIES {
        let q = query_vector(k);
        for (filter, keep) in [
            (Value::Null, (|_| true) as fn(u64) -> bool),
            (json!({ "must": [{ "key": "color", "match": { "value": "red" } }] }), red),
        ] {
            let want: Vec<u64> = exact(&q, keep).iter().take(10).map(|(i, _)| *i).collect();
            let body = |params: Value| json!({ "query": q, "using": "dense", "limit": 10, "filter": filter, "params": params });
            // The default: quantized candidates, rescored.
            let got = api.query("q", body(Value::Null)).await;
            assert_eq!(got.len(), 10);
            found += ids(&got).iter().filter(|i| want.contains(i)).count();
            total += want.len();
            assert!(score_error(&got, &q) < 1e-4, "scores are the exact cosine similarities: {got:?}");
            // Exact: the original vectors only, the brute-force ranking itself.
            let got = api.query("q", body(json!({ "exact": true }))).await;
            assert_eq!(ids(&got), want, "query {k}, filter {filter}");
            // No rescoring: the quantized scores themselves.
            let got = api.query("q", body(json!({ "quantization": { "rescore": false } }))).await;
            unrescored_error = unrescored_error.max(score_error(&got, &q));
        }
    }
    let recall = found as f64 / total as f64;
    assert!(recall >= 0.99, "recall@10 {recall} ({found} of {total})");
    assert!(unrescored_error > 1e-5, "no quantized scores: the sealed segments have no quantized vectors");

    // A fusion of a quantized dense prefetch and an exact one of the same vector ranks alike.
    let q = query_vector(99);
    let fused = |params: Value| {
        json!({ "prefetch": [{ "query": q, "using": "dense", "limit": 30, "params": params }],
                "query": { "fusion": "rrf" }, "limit": 10 })
    };
    let fast = api.query("q", fused(Value::Null)).await;
    let slow = api.query("q", fused(json!({ "exact": true }))).await;
    assert_eq!(ids(&fast), ids(&slow));

    // After a restart: the same setting, the same answers.
    s.shutdown().await.unwrap();
    let (s, api) = server(dir.path()).await;
    let again = api.ok("GET", COLLECTION_PATH, "/collections/q", None).await;
    assert_eq!(again["config"]["quantization_config"], info["config"]["quantization_config"]);
    assert_eq!(ids(&api.query("q", fused(Value::Null)).await), ids(&fast));
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn quantization_can_be_set_or_turned_off_and_bad_settings_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (s, api) = server(dir.path()).await;

    // `null`: no quantized vectors, so even a search that asks not to rescore is exact.
    filled(&api, "plain", json!({ "quantization_config": null })).await;
    let info = api.ok("GET", COLLECTION_PATH, "/collections/plain", None).await;
    assert!(info["config"]["quantization_config"].is_null(), "{info}");
    let q = query_vector(1);
    let got = api
        .query(
            "plain",
            json!({ "query": q, "using": "dense", "limit": 10, "params": { "quantization": { "rescore": false } } }),
        )
        .await;
    assert!(score_error(&got, &q) < 1e-5, "{got:?}");
    let want: Vec<u64> = exact(&q, |_| true).iter().take(10).map(|(i, _)| *i).collect();
    assert_eq!(ids(&got), want);

    // Scalar, as asked.
    let body = json!({ "vectors": { "size": 4, "distance": "Dot" },
                       "quantization_config": { "scalar": { "type": "int8", "quantile": 0.95, "memory": "cached" } } });
    assert_eq!(api.ok("PUT", COLLECTION_PATH, "/collections/scalar", Some(body)).await, json!(true));
    let info = api.ok("GET", COLLECTION_PATH, "/collections/scalar", None).await;
    assert_eq!(
        info["config"]["quantization_config"],
        json!({ "scalar": { "type": "int8", "quantile": 0.95, "always_ram": true } })
    );

    // Refused, each with a clear 400, and nothing created.
    let refused = [
        (json!({ "product": { "compression": "x16" } }), "`product` quantization is not supported"),
        (json!({ "binary": {} }), "`binary` quantization is not supported"),
        (json!({ "scalar": { "type": "int4" } }), "expected `int8`"),
        (json!({ "scalar": { "type": "int8", "quantile": 0.3 } }), "must be from 0.5 to 1"),
        (json!({ "scalar": { "type": "int8", "memory": "warm" } }), "unknown variant `warm`"),
        (json!("int8"), "quantization_config: expected"),
    ];
    for (config, why) in refused {
        let body = json!({ "vectors": { "size": 4, "distance": "Dot" }, "quantization_config": config });
        let (st, got) = api.call_raw("PUT", "/collections/bad", body).await;
        assert_eq!(st, 400, "{config}: {got}");
        assert!(got["status"]["error"].as_str().unwrap().contains(why), "{config}: {got}");
        validator().validate_response("PUT", COLLECTION_PATH, st, &got).unwrap();
    }
    let (_, exists) = api.call("GET", "/collections/{collection_name}/exists", "/collections/bad/exists", None).await;
    assert_eq!(exists["result"]["exists"], false);

    // Bad search params.
    for (params, why) in [
        (json!({ "quantization": { "oversampling": 0.5 } }), "oversampling: value 0.5 invalid"),
        (json!({ "hnsw_ef": 0 }), "hnsw_ef: value 0 invalid"),
        (json!({ "idf": { "corpus": {} } }), "only collection-wide IDF"),
    ] {
        let body = json!({ "query": q, "using": "dense", "params": params });
        let (st, got) = api.call_raw("POST", "/collections/plain/points/query", body).await;
        assert_eq!(st, 400, "{params}: {got}");
        assert!(got["status"]["error"].as_str().unwrap().contains(why), "{params}: {got}");
    }
    s.shutdown().await.unwrap();
}
