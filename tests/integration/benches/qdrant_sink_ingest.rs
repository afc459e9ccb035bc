//! Ingest benchmark: the Qdrant sink inside the host writes a BlueJet-sized catalogue
//! (109,253 points, 384 dimensions, ~1 KB payload each) into qdrant-local, in calls of 1,000
//! points as the engine sends them, from `BENCH_SINKS` sink instances at once (default 4: the
//! engine's default write pool).
//!
//! `cargo bench -p weir-integration-tests --bench qdrant_sink_ingest [-- POINTS]`; knobs:
//! `BENCH_SINKS` (4), `BENCH_DURABLE` (1: every write on disk before its answer),
//! `BENCH_REQUEST_POINTS` (the sink's default: 256 points per request). The numbers
//! belong in `docs/BENCHMARKS.md`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use serde_json::json;
use weir_core::{CollectionSpec, Distance, HostRule, IndexKind, PayloadIndex, Point};
use weir_runtime::{Grants, Runtime, RuntimeConfig};

const POINTS: u32 = 109_253;
const DIM: usize = 384;
const BATCH: u32 = 1_000;

fn knob(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn vector(n: u32) -> Vec<f32> {
    (0..DIM).map(|i| ((n as f32 + 1.0) * (i as f32 + 1.0) * 0.37).sin()).collect()
}

/// About 1 KB of JSON, shaped like a product's payload.
fn payload(n: u32) -> String {
    let description = "Profesionální nerezový hrnec s víkem pro gastro provoz, vhodný pro indukci, \
                       plyn i elektrické sporáky; silné sendvičové dno rozvádí teplo rovnoměrně. "
        .repeat(5);
    json!({
        "code": format!("P{n:06}"),
        "name": format!("Výrobek {n}"),
        "category": format!("c{}", n % 50),
        "brand": "Gastro Plus",
        "price": f64::from(n % 1000) + 0.5,
        "vat": 21,
        "stock": n % 37,
        "active": !n.is_multiple_of(11),
        "ean": format!("859{n:010}"),
        "description": description,
    })
    .to_string()
}

#[tokio::main]
async fn main() {
    let total: u32 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(POINTS);
    let sinks = knob("BENCH_SINKS", 4).max(1);
    let durable = knob("BENCH_DURABLE", 1) != 0;
    let dir = tempfile::tempdir().unwrap();
    let mut opts = qdrant_local::Options::new(dir.path(), qdrant_local::LOOPBACK);
    opts.durable = durable;
    let server = qdrant_local::QdrantLocal::start_with(opts).await.unwrap();
    let cache = tempfile::tempdir().unwrap();
    let rt =
        Runtime::new(RuntimeConfig { cache_dir: Some(cache.path().to_owned()), ..RuntimeConfig::default() }).unwrap();
    let plugin = rt.load(weir_harness::plugin("qdrant-sink")).await.unwrap();
    let grants = Grants::none().host(server.rest_url().parse::<HostRule>().unwrap());
    let mut config = json!({ "url": server.rest_url() });
    if let Some(points) = std::env::var("BENCH_REQUEST_POINTS").ok().and_then(|v| v.parse::<u64>().ok()) {
        config["max_points_per_request"] = json!(points);
        config["max_request_bytes"] = json!(points * 8 * 1024);
    }
    let config = config.to_string();
    let spec = CollectionSpec {
        name: "bench".to_owned(),
        dimension: DIM as u32,
        distance: Distance::Cosine,
        model: "bench".to_owned(),
        lexical: None,
        payload_indexes: vec![PayloadIndex { field: "category".to_owned(), kind: IndexKind::Keyword }],
    };
    let mut first = plugin.sink(&grants, &config).await.unwrap();
    first.prepare(&spec).await.unwrap();

    // The engine hands the sink finished points; building them is not the sink's time.
    let batches: Vec<Vec<Point>> = (0..total)
        .step_by(BATCH as usize)
        .map(|start| {
            (start..(start + BATCH).min(total))
                .map(|n| Point {
                    id: format!("{n:08x}-0000-5000-8000-{:012x}", u64::from(n) * 7919),
                    vector: vector(n),
                    sparse: None,
                    payload: payload(n),
                })
                .collect()
        })
        .collect();
    let bytes: usize = batches.iter().flatten().map(|p| p.payload.len()).sum();
    let batches = Arc::new(batches);
    let next = Arc::new(AtomicUsize::new(0));

    let started = Instant::now();
    let mut writers = Vec::new();
    for _ in 0..sinks {
        let mut sink = plugin.sink(&grants, &config).await.unwrap();
        let (batches, next) = (batches.clone(), next.clone());
        writers.push(tokio::spawn(async move {
            while let Some(batch) = batches.get(next.fetch_add(1, Ordering::Relaxed)) {
                sink.upsert("bench", batch).await.unwrap();
            }
        }));
    }
    for w in writers {
        w.await.unwrap();
    }
    let upsert = started.elapsed();
    assert_eq!(first.count("bench").await.unwrap(), u64::from(total));
    let started = Instant::now();
    for n in 0..100u32 {
        first.query("bench", &vector(n), 10, Some(r#"{"category": "c7"}"#)).await.unwrap();
    }
    let query = started.elapsed();
    println!(
        "qdrant-sink ×{sinks} → qdrant-local (durable {durable}): {total} points × {DIM} dims, payload {:.0} B avg, \
         in {:.1} s ({:.0} points/s); 100 filtered top-10 queries in {:.0} ms",
        bytes as f64 / f64::from(total),
        upsert.as_secs_f64(),
        f64::from(total) / upsert.as_secs_f64(),
        query.as_secs_f64() * 1000.0
    );
    server.shutdown().await.unwrap();
    let shard = dir.path().join("collections/bench/shard");
    for entry in std::fs::read_dir(&shard).unwrap() {
        let path = entry.unwrap().path();
        println!("  on disk: {:>5.0} MiB  {}", dir_size(&path) as f64 / 1_048_576.0, path.display());
    }
}

fn dir_size(path: &std::path::Path) -> u64 {
    match std::fs::read_dir(path) {
        Ok(entries) => entries.map(|e| dir_size(&e.unwrap().path())).sum(),
        Err(_) => std::fs::metadata(path).map(|m| m.len()).unwrap_or(0),
    }
}
