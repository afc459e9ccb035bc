//! Ingest benchmark: the Qdrant sink inside the host writes a BlueJet-sized catalogue
//! (109,253 points, 384 dimensions) into qdrant-local, in batches as the engine sends them.
//!
//! `cargo bench -p weir-integration-tests --bench qdrant_sink_ingest [-- POINTS]`; the numbers
//! belong in `docs/BENCHMARKS.md`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Instant;

use serde_json::json;
use weir_core::{CollectionSpec, Distance, HostRule, IndexKind, PayloadIndex, Point};
use weir_runtime::{Grants, Runtime, RuntimeConfig};

const POINTS: u32 = 109_253;
const DIM: usize = 384;
const BATCH: u32 = 1_000;

#[tokio::main]
async fn main() {
    let total: u32 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(POINTS);
    let dir = tempfile::tempdir().unwrap();
    let server = qdrant_local::QdrantLocal::start(dir.path(), qdrant_local::LOOPBACK).await.unwrap();
    let cache = tempfile::tempdir().unwrap();
    let rt =
        Runtime::new(RuntimeConfig { cache_dir: Some(cache.path().to_owned()), ..RuntimeConfig::default() }).unwrap();
    let plugin = rt.load(weir_harness::plugin("qdrant-sink")).await.unwrap();
    let grants = Grants::none().host(server.rest_url().parse::<HostRule>().unwrap());
    let mut sink = plugin.sink(&grants, &json!({ "url": server.rest_url() }).to_string()).await.unwrap();
    let spec = CollectionSpec {
        name: "bench".to_owned(),
        dimension: DIM as u32,
        distance: Distance::Cosine,
        model: "bench".to_owned(),
        payload_indexes: vec![PayloadIndex { field: "category".to_owned(), kind: IndexKind::Keyword }],
    };
    sink.prepare(&spec).await.unwrap();

    let started = Instant::now();
    let mut sent = 0;
    while sent < total {
        let end = (sent + BATCH).min(total);
        let batch: Vec<Point> = (sent..end)
            .map(|n| Point {
                id: format!("{n:08x}-0000-5000-8000-{:012x}", u64::from(n) * 7919),
                vector: (0..DIM).map(|i| ((n as f32 + 1.0) * (i as f32 + 1.0) * 0.37).sin()).collect(),
                payload:
                    json!({ "name": format!("Výrobek {n}"), "category": format!("c{}", n % 50), "price": n % 1000 })
                        .to_string(),
            })
            .collect();
        sink.upsert("bench", &batch).await.unwrap();
        sent = end;
    }
    let upsert = started.elapsed();
    assert_eq!(sink.count("bench").await.unwrap(), u64::from(total));
    let started = Instant::now();
    for n in 0..100u32 {
        let vector: Vec<f32> = (0..DIM).map(|i| ((n as f32 + 1.0) * (i as f32 + 1.0) * 0.37).sin()).collect();
        sink.query("bench", &vector, 10, Some(r#"{"category": "c7"}"#)).await.unwrap();
    }
    let query = started.elapsed();
    println!(
        "qdrant-sink → qdrant-local: {total} points × {DIM} dims in {:.1} s ({:.0} points/s); \
         100 filtered top-10 queries in {:.0} ms",
        upsert.as_secs_f64(),
        f64::from(total) / upsert.as_secs_f64(),
        query.as_secs_f64() * 1000.0
    );
    server.shutdown().await.unwrap();
}
