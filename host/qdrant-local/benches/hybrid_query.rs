//! Hybrid query latency of qdrant-local over REST: a collection of a named 384-dimensional dense
//! vector and a named sparse vector with the IDF modifier (~20 nonzeros a point, terms drawn
//! with a skew so that some are common and most are rare, like words), queried with one dense
//! and one sparse prefetch fused by RRF, as weir's hybrid search does.
//!
//! `cargo bench -p qdrant-local --bench hybrid_query` (env: `BENCH_POINTS`, default 109253;
//! `BENCH_QUERIES`, default 200; `BENCH_PREFETCH`, each prefetch's limit, default 50;
//! `BENCH_MEMORY`, where the dense vectors live, `cold` (the default) or `cached`;
//! `BENCH_SEAL_POINTS`, the points after which the appendable segment is sealed, default the
//! server's; `BENCH_QUANTIZATION`, `default` (the server's default for a new collection: scalar
//! int8) or `none` (`quantization_config: null`, every dense search an exact scan);
//! `BENCH_OVERSAMPLING`, if set, the `oversampling` the default queries ask for). Prints a
//! Markdown table. Query timings include the client's work.
//!
//! The same dense and hybrid queries also run with `params: {"exact": true}` (a scan of the
//! original vectors, no quantization), timed too; recall@10 is the share of the exact answer's
//! top 10 that the default answer's top 10 holds, over all queries.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use qdrant_local::{LOOPBACK, Options, QdrantLocal};
use serde_json::{Value, json};

const DIM: usize = 384;
const VOCABULARY: u64 = 30_000;
const TERMS_PER_POINT: usize = 20;
const BATCH: u64 = 500;
const CATEGORIES: u64 = 20;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn dense(seed: u64) -> Vec<f32> {
    let mut r = Rng::new(seed);
    (0..DIM).map(|_| ((r.next() % 20_000) as f32 / 10_000.0) - 1.0).collect()
}

/// `n` distinct term ids, skewed towards small ids (common terms), with BM25-like weights.
fn sparse(seed: u64, n: usize) -> Value {
    let mut r = Rng::new(seed ^ 0x5eed);
    let mut indices: Vec<u32> = Vec::with_capacity(n);
    while indices.len() < n {
        let t = (VOCABULARY as f64 * r.unit().powi(3)) as u32;
        if !indices.contains(&t) {
            indices.push(t);
        }
    }
    let values: Vec<f32> = indices.iter().map(|_| 1.0 + (r.next() % 100) as f32 / 100.0).collect();
    json!({ "indices": indices, "values": values })
}

fn point(i: u64) -> Value {
    json!({
        "id": i,
        "vector": { "dense": dense(i), "bm25": sparse(i, TERMS_PER_POINT) },
        "payload": { "category": format!("cat-{}", i % CATEGORIES), "code": format!("KON-{i:06}") }
    })
}

async fn send(http: &reqwest::Client, method: reqwest::Method, url: String, body: &Value) -> Value {
    let r = http
        .request(method, url)
        .header("content-type", "application/json")
        .body(serde_json::to_vec(body).unwrap())
        .send()
        .await
        .unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    assert!(status.is_success(), "{status}: {text}");
    serde_json::from_str(&text).unwrap()
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// Each query's latency (sorted) and the ids it answered (in query order).
async fn latencies(http: &reqwest::Client, url: &str, bodies: Vec<Value>) -> (Vec<Duration>, Vec<Vec<u64>>) {
    let mut out = Vec::with_capacity(bodies.len());
    let mut ids = Vec::with_capacity(bodies.len());
    for body in bodies {
        let t = Instant::now();
        let r = send(http, reqwest::Method::POST, url.to_owned(), &body).await;
        out.push(t.elapsed());
        let points = r["result"]["points"].as_array().unwrap();
        assert!(!points.is_empty(), "{r}");
        ids.push(points.iter().map(|p| p["id"].as_u64().unwrap()).collect());
    }
    out.sort();
    (out, ids)
}

/// Recall@10 of `got` against `exact` (the share of exact top-10 ids found), and how many
/// queries answered the same ids in the same order.
fn recall(got: &[Vec<u64>], exact: &[Vec<u64>]) -> (f64, usize) {
    let mut found = 0;
    let mut total = 0;
    let mut same = 0;
    for (g, e) in got.iter().zip(exact) {
        let top: Vec<u64> = e.iter().take(10).copied().collect();
        total += top.len();
        found += top.iter().filter(|id| g.iter().take(10).any(|x| x == *id)).count();
        same += usize::from(g.iter().take(10).eq(top.iter()));
    }
    (found as f64 / total.max(1) as f64, same)
}

/// `body` with `params` set on it and on each of its prefetches.
fn with_params(mut body: Value, params: &Value) -> Value {
    if let Some(list) = body["prefetch"].as_array_mut() {
        for p in list {
            p["params"] = params.clone();
        }
    } else {
        body["params"] = params.clone();
    }
    body
}

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        // `cargo test --benches` asks harness-less benches to list themselves.
        return;
    }
    let n = env("BENCH_POINTS", 109_253) as u64;
    let queries = env("BENCH_QUERIES", 200) as u64;
    let prefetch = env("BENCH_PREFETCH", 50);
    let memory = std::env::var("BENCH_MEMORY").unwrap_or_else(|_| "cold".to_owned());
    let quantization = std::env::var("BENCH_QUANTIZATION").unwrap_or_else(|_| "default".to_owned());

    let dir = tempfile::tempdir().unwrap();
    let mut opts = Options::new(dir.path(), LOOPBACK);
    opts.seal_points = env("BENCH_SEAL_POINTS", opts.seal_points);
    let seal_points = opts.seal_points;
    let server = QdrantLocal::start_with(opts).await.unwrap();
    let base = server.rest_url();
    let http = reqwest::Client::new();
    let mut create = json!({ "vectors": { "dense": { "size": DIM, "distance": "Cosine", "memory": memory } },
                             "sparse_vectors": { "bm25": { "modifier": "idf" } } });
    match quantization.as_str() {
        "default" => {}
        "none" => create["quantization_config"] = Value::Null,
        other => panic!("BENCH_QUANTIZATION: `{other}`, expected `default` or `none`"),
    }
    send(&http, reqwest::Method::PUT, format!("{base}/collections/bench"), &create).await;
    let started = Instant::now();
    for s in (0..n).step_by(BATCH as usize) {
        let points: Vec<Value> = (s..(s + BATCH).min(n)).map(point).collect();
        send(&http, reqwest::Method::PUT, format!("{base}/collections/bench/points"), &json!({ "points": points }))
            .await;
    }
    let ingest = started.elapsed();
    let info = send(&http, reqwest::Method::GET, format!("{base}/collections/bench"), &Value::Null).await;
    let segments = info["result"]["segments_count"].clone();
    let quantized = info["result"]["config"]["quantization_config"].to_string();

    let url = format!("{base}/collections/bench/points/query");
    let q = |k: u64| (dense(1_000_000 + k), sparse(2_000_000 + k, 3 + (k % 4) as usize));
    let hybrid: Vec<Value> = (0..queries)
        .map(|k| {
            let (d, s) = q(k);
            json!({
                "prefetch": [{ "query": d, "using": "dense", "limit": prefetch },
                             { "query": s, "using": "bm25", "limit": prefetch }],
                "query": { "fusion": "rrf" }, "limit": 10, "with_payload": true
            })
        })
        .collect();
    let dense_only: Vec<Value> =
        (0..queries).map(|k| json!({ "query": q(k).0, "using": "dense", "limit": 10, "with_payload": true })).collect();
    let sparse_only: Vec<Value> =
        (0..queries).map(|k| json!({ "query": q(k).1, "using": "bm25", "limit": 10, "with_payload": true })).collect();
    let exact = json!({ "exact": true });
    let (hybrid, dense_only) = match std::env::var("BENCH_OVERSAMPLING").ok().and_then(|v| v.parse::<f64>().ok()) {
        Some(o) => {
            let p = json!({ "quantization": { "oversampling": o } });
            (
                hybrid.into_iter().map(|b| with_params(b, &p)).collect::<Vec<_>>(),
                dense_only.into_iter().map(|b| with_params(b, &p)).collect::<Vec<_>>(),
            )
        }
        None => (hybrid, dense_only),
    };
    let hybrid_exact: Vec<Value> = hybrid.iter().map(|b| with_params(b.clone(), &exact)).collect();
    let dense_exact: Vec<Value> = dense_only.iter().map(|b| with_params(b.clone(), &exact)).collect();
    // One pass to warm the page cache and the engine, not timed.
    latencies(&http, &url, hybrid.iter().take(20).cloned().collect()).await;
    latencies(&http, &url, dense_exact.iter().take(20).cloned().collect()).await;
    let (hybrid, hybrid_ids) = latencies(&http, &url, hybrid).await;
    let (dense_only, dense_ids) = latencies(&http, &url, dense_only).await;
    let (sparse_only, _) = latencies(&http, &url, sparse_only).await;
    let (dense_exact, dense_exact_ids) = latencies(&http, &url, dense_exact).await;
    let (hybrid_exact, hybrid_exact_ids) = latencies(&http, &url, hybrid_exact).await;
    server.shutdown().await.unwrap();

    println!("| measurement | value |");
    println!("|---|---|");
    println!(
        "| points | {n} ({DIM}-dim dense ({memory}) + sparse IDF, {TERMS_PER_POINT} terms of {VOCABULARY}; ingest {:.1} s, {:.0} points/s; sealed every {seal_points} points, {segments} segments; quantization {quantized}) |",
        ingest.as_secs_f64(),
        n as f64 / ingest.as_secs_f64()
    );
    for (what, l) in [
        (format!("hybrid RRF (2 prefetches of {prefetch}), top 10"), &hybrid),
        ("dense only, top 10".to_owned(), &dense_only),
        ("sparse only, top 10".to_owned(), &sparse_only),
        ("dense only, `exact: true`".to_owned(), &dense_exact),
        ("hybrid RRF, prefetches `exact: true`".to_owned(), &hybrid_exact),
    ] {
        println!(
            "| {what} | p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms ({} queries) |",
            pct(l, 0.5),
            pct(l, 0.95),
            pct(l, 1.0),
            l.len()
        );
    }
    for (what, got, exact) in
        [("dense only", &dense_ids, &dense_exact_ids), ("hybrid RRF", &hybrid_ids, &hybrid_exact_ids)]
    {
        let (r, same) = recall(got, exact);
        println!(
            "| {what}: recall@10 against `exact: true` | {r:.4} ({same} of {} queries the same top 10 in the same order) |",
            got.len()
        );
    }
}
