//! Partitioned reads end to end: echo-source (WASM, which splits its stream into equal offset
//! ranges) → engine (hash embedder) → qdrant-sink (WASM) → qdrant-local. Full, incremental,
//! reconcile and rebuild runs read several partitions at once; a stopped run resumes every
//! partition from its own last commit; a source that cannot split reads as one. What the store
//! holds is read back over qdrant-local's REST API and compared with the records the fixture
//! makes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use qdrant_local::QdrantLocal;
use serde_json::{Value, json};
use weir_core::HostRule;
use weir_embed::{Embedder, HashEmbedder};
use weir_engine::{Mode, Pipeline, PipelineSettings, RunOptions, RunReport, RunStatus, StateDir};
use weir_harness::store;
use weir_runtime::{Grants, Runtime, RuntimeConfig};

/// The first record's cursor (Unix seconds); record `n` has `CURSOR_START + n`.
const CURSOR_START: u64 = 1_780_000_000;

struct World {
    store: QdrantLocal,
    runtime: Runtime,
    _dirs: Vec<tempfile::TempDir>,
    state: Arc<StateDir>,
}

async fn world() -> World {
    let store_dir = tempfile::tempdir().unwrap();
    let store = QdrantLocal::start(store_dir.path(), qdrant_local::LOOPBACK).await.unwrap();
    let state_dir = tempfile::tempdir().unwrap();
    let state = Arc::new(StateDir::open(state_dir.path()).unwrap());
    World { store, runtime: Runtime::new(RuntimeConfig::default()).unwrap(), _dirs: vec![store_dir, state_dir], state }
}

fn settings(read_concurrency: u32) -> PipelineSettings {
    let mut s = PipelineSettings::new("{name} · {text}");
    s.batch_size = 50;
    s.read_concurrency = read_concurrency;
    s
}

impl World {
    /// The pipeline `items` over `fixture` holding `records` records.
    async fn pipeline(&self, fixture: &str, records: u64, settings: PipelineSettings) -> Pipeline {
        let source = self.runtime.load(weir_harness::fixture(fixture)).await.unwrap();
        let config = match fixture {
            "echo-source" => json!({ "records": records, "size": 200, "cursor_start": CURSOR_START }),
            _ => json!({ "records": records }),
        };
        let source = source.source(&Grants::none(), &config.to_string()).await.unwrap();
        let sink = self.runtime.load(weir_harness::plugin("qdrant-sink")).await.unwrap();
        let url = self.store.rest_url();
        let g = Grants::none().host(url.parse::<HostRule>().unwrap());
        let sink = sink.sink(&g, &json!({ "url": url }).to_string()).await.unwrap();
        let embedder: Arc<dyn Embedder> = Arc::new(HashEmbedder::new(32));
        Pipeline::new("items", "items", source, vec![], sink, "items", embedder, settings).unwrap()
    }

    async fn points(&self) -> (BTreeMap<String, Value>, usize) {
        store::points(&self.store.rest_url(), "items", None).await
    }

    /// Asserts the store holds exactly records `0..records` of the fixture: every key once,
    /// each with its own number, name and cursor.
    async fn assert_exact(&self, records: u64, context: &str) {
        let expected = (0..records)
            .map(|n| {
                let mut fields = serde_json::Map::new();
                fields.insert("id".into(), format!("item-{n}").into());
                fields.insert("n".into(), n.into());
                fields.insert("name".into(), format!("Položka č. {n}").into());
                (format!("item-{n}"), fields)
            })
            .collect();
        let points = self.points().await;
        store::assert_exact(&points, &expected, context);
        // The cursors grow with `n`: each point carries one, all of them different.
        let cursors: std::collections::BTreeSet<&str> =
            points.0.values().map(|p| p["updated"].as_str().unwrap_or_else(|| panic!("{context}: {p}"))).collect();
        assert_eq!(cursors.len() as u64, records, "{context}");
    }

    async fn run(&self, p: &mut Pipeline, mode: Mode) -> RunReport {
        let mut opts = RunOptions::new(mode);
        opts.force = true;
        let r = weir_engine::run(&self.state, p, &opts).await.unwrap();
        assert_eq!(r.status, RunStatus::Success, "{r:?}");
        assert!(r.count_check.as_ref().is_some_and(|c| c.mismatch.is_none()), "{:?}", r.count_check);
        r
    }

    /// The cursor of record `n` as the store holds it.
    async fn cursor_of(&self, n: u64) -> String {
        self.points().await.0[&format!("item-{n}")]["updated"].as_str().unwrap().to_owned()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partitioned_full_incremental_reconcile_and_rebuild_runs_are_exact() {
    let w = world().await;
    let mut p = w.pipeline("echo-source", 1_000, settings(4)).await;
    let first = w.run(&mut p, Mode::Full).await;
    assert_eq!((first.counts.fetched, first.counts.new, first.counts.upserted), (1_000, 1_000, 1_000));
    // 4 partitions of 250 records in pages of 50.
    assert_eq!(first.batches, 20);
    w.assert_exact(1_000, "partitioned full run").await;
    let meta = w.state.meta("items").unwrap();
    assert!(meta.checkpoint.is_none());
    // The watermark is the newest cursor of all partitions, not of the one that ended last.
    assert_eq!(meta.watermark, Some(w.cursor_of(999).await));

    let again = w.run(&mut p, Mode::Full).await;
    assert_eq!((again.counts.fetched, again.counts.unchanged, again.counts.upserted), (1_000, 1_000, 0));
    assert_eq!(again.counts.deleted, 0, "every partition was read: nothing looks vanished");

    // 200 records more: an incremental run splits what lies after the watermark (less the
    // overlap of 300 s, i.e. 300 records) and reads only that.
    let mut p = w.pipeline("echo-source", 1_200, settings(3)).await;
    let inc = w.run(&mut p, Mode::Incremental).await;
    assert_eq!((inc.counts.fetched, inc.counts.new, inc.counts.unchanged), (501, 200, 301));
    w.assert_exact(1_200, "partitioned incremental run").await;
    assert_eq!(w.state.meta("items").unwrap().watermark, Some(w.cursor_of(1_199).await));

    // 300 records vanish: a partitioned key listing finds every remaining key.
    let mut p = w.pipeline("echo-source", 900, settings(5)).await;
    let rec = w.run(&mut p, Mode::Reconcile).await;
    assert_eq!((rec.counts.listed, rec.counts.deleted), (900, 300));
    w.assert_exact(900, "partitioned reconcile").await;

    let rebuilt = w.run(&mut p, Mode::Rebuild).await;
    assert_eq!((rebuilt.counts.fetched, rebuilt.counts.new), (900, 900));
    assert_eq!(w.state.meta("items").unwrap().physical.as_deref(), Some("items_v2"));
    w.assert_exact(900, "partitioned rebuild").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_partitioned_run_resumes_every_partition_from_its_own_commit() {
    let w = world().await;
    let total = 2_000;
    // Short queues, so that few batches are in flight when the stop comes.
    let mut s = settings(4);
    s.queue = 1;
    s.embed_concurrency = Some(1);
    s.write_concurrency = 1;
    let mut p = w.pipeline("echo-source", total, s.clone()).await;

    let mut opts = RunOptions::new(Mode::Full);
    let stop = opts.stop.clone();
    let commits = Arc::new(AtomicU64::new(0));
    let seen = commits.clone();
    opts.progress = Some(Arc::new(move |_| {
        if seen.fetch_add(1, Ordering::SeqCst) + 1 == 9 {
            stop.store(true, Ordering::SeqCst);
        }
    }));
    let first = weir_engine::run(&w.state, &mut p, &opts).await.unwrap();
    assert_eq!(first.status, RunStatus::Interrupted);
    assert!(first.counts.fetched >= 450 && first.counts.fetched < total, "{:?}", first.counts);

    let checkpoint = w.state.meta("items").unwrap().checkpoint.unwrap();
    let parts = checkpoint.partitions();
    let labels: Vec<&str> = parts.iter().map(|p| p.label.as_str()).collect();
    assert_eq!(labels, ["items 0..500", "items 500..1000", "items 1000..1500", "items 1500..2000"]);
    // Each partition's state is where its committed records end; together they are what was
    // committed, and more than one partition had committed batches.
    let mut committed = 0;
    let mut moved = 0;
    for (i, part) in parts.iter().enumerate() {
        let state = part.state.as_deref().unwrap();
        let (next, end) = state.split_once("..").unwrap();
        let (next, end): (u64, u64) = (next.parse().unwrap(), end.parse().unwrap());
        let start = i as u64 * 500;
        assert_eq!(end, start + 500, "{state}");
        assert_eq!(part.done, next == end, "{part:?}");
        committed += next - start;
        moved += u64::from(next > start);
    }
    assert_eq!(committed, first.counts.fetched, "{parts:?}");
    assert!(moved > 1, "the partitions were read at once: {parts:?}");

    // The resumed run keeps the run's four partitions though the pipeline now asks for two,
    // and reads each from its commit: nothing committed is read again.
    s.read_concurrency = 2;
    let mut p = w.pipeline("echo-source", total, s).await;
    let second = w.run(&mut p, Mode::Full).await;
    assert!(second.resumed);
    assert_eq!(second.run_id, first.run_id);
    assert_eq!(first.counts.fetched + second.counts.fetched, total);
    assert_eq!(first.counts.upserted + second.counts.new, total);
    assert_eq!(second.counts.deleted, 0);
    w.assert_exact(total, "resumed partitioned run").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_that_cannot_split_reads_as_one_partition() {
    let w = world().await;
    let mut p = w.pipeline("v0-1-echo-source", 300, settings(8)).await;
    let r = w.run(&mut p, Mode::Full).await;
    assert_eq!((r.counts.fetched, r.counts.new, r.batches), (300, 300, 6));
    let (points, n) = w.points().await;
    assert_eq!((points.len(), n), (300, 300));
    assert!((0..300).all(|i| points.contains_key(&format!("item-{i}"))));
    let r = w.run(&mut p, Mode::Reconcile).await;
    assert_eq!((r.counts.listed, r.counts.deleted), (300, 0));
}

/// A checkpoint written before partitioned reads (one source state, no partitions) resumes
/// as one partition from that state: nothing committed is read again, nothing is lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_checkpoint_from_before_partitions_resumes_from_its_state() {
    let w = world().await;
    let total = 1_000;
    let mut s = settings(4);
    s.queue = 1;
    s.embed_concurrency = Some(1);
    s.write_concurrency = 1;
    let mut p = w.pipeline("v0-1-echo-source", total, s).await;
    let mut opts = RunOptions::new(Mode::Full);
    let stop = opts.stop.clone();
    let commits = Arc::new(AtomicU64::new(0));
    let seen = commits.clone();
    opts.progress = Some(Arc::new(move |_| {
        if seen.fetch_add(1, Ordering::SeqCst) + 1 == 4 {
            stop.store(true, Ordering::SeqCst);
        }
    }));
    let first = weir_engine::run(&w.state, &mut p, &opts).await.unwrap();
    assert_eq!(first.status, RunStatus::Interrupted);

    // What an older weir left: the same checkpoint without its partitions.
    let mut meta = w.state.meta("items").unwrap();
    let checkpoint = meta.checkpoint.as_mut().unwrap();
    let committed = checkpoint.state.clone().unwrap();
    assert_eq!(committed, first.counts.fetched.to_string(), "a 0.1.0 source's state is the next offset");
    checkpoint.parts.clear();
    let stored = serde_json::to_value(&meta).unwrap();
    let keys: Vec<&str> = stored["checkpoint"].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["run_id", "mode", "since", "state", "generation", "max_cursor", "batches", "records", "target"]);
    w.state.put_meta("items", &meta).unwrap();

    let second = w.run(&mut p, Mode::Full).await;
    assert!(second.resumed);
    assert_eq!(first.counts.fetched + second.counts.fetched, total);
    assert_eq!(second.counts.deleted, 0);
    let (points, n) = w.points().await;
    assert_eq!((points.len() as u64, n as u64), (total, total));
    assert!((0..total).all(|i| points.contains_key(&format!("item-{i}"))));
}
