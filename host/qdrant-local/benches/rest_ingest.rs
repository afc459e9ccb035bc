//! Ingest and query benchmark of qdrant-local over REST, in-process, like the weir sink uses it.
//!
//! `cargo bench -p qdrant-local --bench rest_ingest` (env: `BENCH_POINTS`, default 109253;
//! `BENCH_BATCH`, default 500; `BENCH_CLIENTS`, concurrent uploaders, default 2;
//! `BENCH_QUERIES`, default 200). Prints a Markdown table for `docs/BENCHMARKS.md`.
//! Upsert bodies are serialised before timing; query timings include the client's work.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use qdrant_local::{LOOPBACK, QdrantLocal};
use serde_json::{Value, json};

const DIM: usize = 384;
const CATEGORIES: u64 = 20;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn vector(seed: u64) -> Vec<f32> {
    let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407) | 1;
    (0..DIM)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            ((x % 20_000) as f32 / 10_000.0) - 1.0
        })
        .collect()
}

/// A point with a ~1 KB payload.
fn point(i: u64) -> Value {
    let text: String = format!("record {i} ").chars().cycle().take(900).collect();
    json!({
        "id": i,
        "vector": vector(i),
        "payload": {
            "category": format!("cat-{}", i % CATEGORIES),
            "tenant": format!("tenant-{}", i % 7),
            "updated_at": 1_700_000_000u64 + i,
            "title": format!("Title of record {i}"),
            "body": text,
        }
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

async fn latencies(http: &reqwest::Client, url: &str, n: usize, filtered: bool) -> Vec<Duration> {
    let mut out = Vec::with_capacity(n);
    for k in 0..n as u64 {
        let mut body = json!({ "query": vector(1_000_000 + k), "limit": 10, "with_payload": true });
        if filtered {
            body["filter"] =
                json!({ "must": [{ "key": "category", "match": { "value": format!("cat-{}", k % CATEGORIES) } }] });
        }
        let t = Instant::now();
        let r = send(http, reqwest::Method::POST, url.to_owned(), &body).await;
        out.push(t.elapsed());
        assert_eq!(r["result"]["points"].as_array().unwrap().len(), 10);
    }
    out.sort();
    out
}

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        // `cargo test --benches` asks harness-less benches to list themselves.
        return;
    }
    let n = env("BENCH_POINTS", 109_253) as u64;
    let batch = env("BENCH_BATCH", 500) as u64;
    let clients = env("BENCH_CLIENTS", 2) as u64;
    let queries = env("BENCH_QUERIES", 200);

    let dir = tempfile::tempdir().unwrap();
    let server = QdrantLocal::start(dir.path(), LOOPBACK).await.unwrap();
    let base = server.rest_url();
    let http = reqwest::Client::new();
    send(
        &http,
        reqwest::Method::PUT,
        format!("{base}/collections/bench"),
        &json!({ "vectors": { "size": DIM, "distance": "Cosine" } }),
    )
    .await;
    send(
        &http,
        reqwest::Method::PUT,
        format!("{base}/collections/bench/index?wait=true"),
        &json!({ "field_name": "category", "field_schema": "keyword" }),
    )
    .await;

    // Request bodies are serialised before the clock starts: the server's work is measured,
    // not the JSON encoding of a client sharing the same cores.
    let bodies: Vec<Vec<u8>> = (0..n)
        .step_by(batch as usize)
        .map(|s| {
            let points: Vec<Value> = (s..(s + batch).min(n)).map(point).collect();
            serde_json::to_vec(&json!({ "points": points })).unwrap()
        })
        .collect();
    let bytes: usize = bodies.iter().map(Vec::len).sum();
    let bodies = Arc::new(bodies);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let bodies = bodies.clone();
        let http = http.clone();
        let url = format!("{base}/collections/bench/points?wait=true");
        tasks.push(tokio::spawn(async move {
            for (k, body) in bodies.iter().enumerate() {
                if k as u64 % clients != c {
                    continue;
                }
                let r = http
                    .put(url.clone())
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await
                    .unwrap();
                assert!(r.status().is_success(), "{}", r.text().await.unwrap());
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let ingest = started.elapsed();
    let count =
        send(&http, reqwest::Method::POST, format!("{base}/collections/bench/points/count"), &json!({ "exact": true }))
            .await;
    assert_eq!(count["result"]["count"].as_u64().unwrap(), n);

    let qurl = format!("{base}/collections/bench/points/query");
    let filtered = latencies(&http, &qurl, queries, true).await;
    let unfiltered = latencies(&http, &qurl, queries.min(50), false).await;
    server.shutdown().await.unwrap();

    let rate = n as f64 / ingest.as_secs_f64();
    println!("| measurement | value |");
    println!("|---|---|");
    println!("| points | {n} ({DIM} dims, ~1 KB payload, batches of {batch}, {clients} concurrent clients) |");
    println!("| upsert total | {:.1} s ({:.0} MB of JSON) |", ingest.as_secs_f64(), bytes as f64 / 1e6);
    println!("| upsert rate | {rate:.0} points/s |");
    println!(
        "| filtered top-10 query (keyword index, 1/{CATEGORIES} of points match) | p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms ({} queries) |",
        pct(&filtered, 0.5),
        pct(&filtered, 0.95),
        pct(&filtered, 1.0),
        filtered.len()
    );
    println!(
        "| unfiltered top-10 query (exact scan of all points) | p50 {:.2} ms, p95 {:.2} ms ({} queries) |",
        pct(&unfiltered, 0.5),
        pct(&unfiltered, 0.95),
        unfiltered.len()
    );
}
