//! The cost of crossing the plugin boundary and of starting plugins.
//!
//! `cargo xtask bench -p weir-runtime --bench boundary` (figures in docs/BENCHMARKS.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use weir_core::{Record, Scope};
use weir_harness::fixture;
use weir_runtime::{Grants, Runtime, RuntimeConfig};

fn records(n: usize) -> Vec<Record> {
    (0..n)
        .map(|i| Record {
            key: format!("item-{i:08}"),
            fields: serde_json::json!({
                "name": format!("Nerezový hrnec {i} l s poklicí"),
                "description": "Profesionální nerezový hrnec pro gastro provozy, vhodný pro indukci. ".repeat(6),
                "price": 1290.5,
                "bad": false,
            })
            .to_string(),
            cursor: Some("2026-01-08T10:30:00Z".into()),
        })
        .collect()
}

fn boundary(c: &mut Criterion) {
    let tokio = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let rt = Runtime::new(RuntimeConfig { cache_dir: Some(cache.path().to_owned()), ..Default::default() }).unwrap();
    let source_plugin = tokio.block_on(rt.load(fixture("echo-source"))).unwrap();
    let validator_plugin = tokio.block_on(rt.load(fixture("echo-validator"))).unwrap();

    let mut group = c.benchmark_group("source-read");
    for n in [1u32, 100, 1000] {
        let mut source =
            tokio.block_on(source_plugin.source(&Grants::none(), r#"{"records": 100000000, "size": 500}"#)).unwrap();
        group.throughput(Throughput::Elements(u64::from(n)));
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, &n| {
            b.iter(|| tokio.block_on(source.read("items", &Scope::Full, Some("0"), n)).unwrap())
        });
    }
    group.finish();

    let mut group = c.benchmark_group("validator-validate");
    for n in [1usize, 100, 1000] {
        let batch = records(n);
        let mut validator = tokio.block_on(validator_plugin.validator(&Grants::none(), "{}")).unwrap();
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &batch, |b, batch| {
            b.iter(|| tokio.block_on(validator.validate("items", batch)).unwrap())
        });
    }
    group.finish();

    let bytes = std::fs::read(fixture("echo-source")).unwrap();
    let mut group = c.benchmark_group("start");
    group.sample_size(10);
    group.bench_function("cold-compile", |b| {
        let rt = Runtime::new(RuntimeConfig { cache_dir: None, ..Default::default() }).unwrap();
        b.iter(|| tokio.block_on(rt.load_bytes("echo", bytes.clone())).unwrap())
    });
    group.bench_function("from-compile-cache", |b| {
        b.iter(|| tokio.block_on(rt.load_bytes("echo", bytes.clone())).unwrap())
    });
    group.bench_function("new-instance", |b| {
        b.iter(|| tokio.block_on(source_plugin.source(&Grants::none(), r#"{"records": 1}"#)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, boundary);
criterion_main!(benches);
