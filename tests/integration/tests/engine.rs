//! The sync engine end to end: bluejet-sim → bluejet-source (WASM) → engine (hash embedder)
//! → qdrant-sink (WASM) → qdrant-local. What the store holds is read back over qdrant-local's
//! REST API, independently of the sink plugin, and compared with the simulator's own data.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bluejet_sim::{BlueJetSim, ChangeRequest, MalformedKind, RunningBlueJetSim};
use qdrant_local::QdrantLocal;
use serde_json::{Value, json};
use weir_core::HostRule;
use weir_embed::{Embedder, HashEmbedder};
use weir_engine::{Mode, Pipeline, PipelineSettings, RunOptions, RunReport, RunStatus, StateDir};
use weir_harness::store;
use weir_runtime::{Grants, Runtime, RuntimeConfig};

const PRODUCTS: u32 = 217;
const TEXT: &str = "{name} · {category} · {brand} · {description}";

struct World {
    sim: RunningBlueJetSim,
    store: QdrantLocal,
    runtime: Runtime,
    _dirs: Vec<tempfile::TempDir>,
    state_dir: std::path::PathBuf,
}

async fn world(sim: bluejet_sim::BlueJetSimBuilder) -> World {
    let sim = sim.start().await.unwrap();
    let store_dir = tempfile::tempdir().unwrap();
    let store = QdrantLocal::start(store_dir.path(), qdrant_local::LOOPBACK).await.unwrap();
    let state = tempfile::tempdir().unwrap();
    World {
        sim,
        store,
        runtime: Runtime::new(RuntimeConfig::default()).unwrap(),
        state_dir: state.path().to_path_buf(),
        _dirs: vec![store_dir, state],
    }
}

impl World {
    async fn pipeline(&self, embedder: Arc<dyn Embedder>, settings: PipelineSettings) -> Pipeline {
        let source = self.runtime.load(weir_harness::plugin("bluejet-source")).await.unwrap();
        let sink = self.runtime.load(weir_harness::plugin("qdrant-sink")).await.unwrap();
        let (id, hash) = self.sim.credentials();
        let g = Grants::none()
            .host(format!("http://{}", self.sim.addr()).parse::<HostRule>().unwrap())
            .secret("token_id", id)
            .secret("token_hash", hash);
        let source = source.source(&g, &json!({ "base_url": self.sim.url() }).to_string()).await.unwrap();
        let url = self.store.rest_url();
        let g = Grants::none().host(url.parse::<HostRule>().unwrap());
        let sink = sink.sink(&g, &json!({ "url": url }).to_string()).await.unwrap();
        Pipeline::new("products", "products", source, vec![], sink, "products", embedder, settings).unwrap()
    }

    /// Every point of `collection` (alias or name): `_key` → payload, and the number of points.
    async fn points(&self, collection: &str) -> (BTreeMap<String, Value>, usize) {
        store::points(&self.store.rest_url(), collection, None).await
    }

    /// Asserts the store holds exactly the simulator's products: every key once, every field
    /// of each with the simulator's current value.
    async fn assert_exact(&self) {
        let products = self.sim.keys(PRODUCTS).into_iter().map(|k| (k.clone(), self.sim.record(PRODUCTS, &k).unwrap()));
        store::assert_exact(&self.points("products").await, &products.collect(), "products");
    }
}

fn settings() -> PipelineSettings {
    let mut s = PipelineSettings::new(TEXT);
    s.batch_size = 200;
    s
}

fn hash() -> Arc<dyn Embedder> {
    Arc::new(HashEmbedder::new(64))
}

async fn run(state: &Arc<StateDir>, p: &mut Pipeline, mode: Mode, dry_run: bool) -> RunReport {
    let mut opts = RunOptions::new(mode);
    opts.dry_run = dry_run;
    weir_engine::run(state, p, &opts).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_sync_is_exact_and_a_second_one_writes_nothing() {
    let w = world(BlueJetSim::builder().products(3_000)).await;
    let state = Arc::new(StateDir::open(&w.state_dir).unwrap());
    let mut p = w.pipeline(hash(), settings()).await;

    let first = run(&state, &mut p, Mode::Full, false).await;
    assert_eq!(first.status, RunStatus::Success);
    assert_eq!((first.counts.fetched, first.counts.new, first.counts.upserted), (3_000, 3_000, 3_000));
    let check = first.count_check.clone().unwrap();
    assert_eq!((check.source, check.sink, check.ledger), (Some(3_000), Some(3_000), 3_000));
    assert!(check.mismatch.is_none());
    w.assert_exact().await;

    let second = run(&state, &mut p, Mode::Full, false).await;
    let c = &second.counts;
    assert_eq!((c.fetched, c.unchanged), (3_000, 3_000));
    assert_eq!((c.new, c.reembedded, c.payload_only, c.embedded, c.upserted, c.deleted), (0, 0, 0, 0, 0, 0));
    assert_eq!(second.embedding.cache_hits + second.embedding.cache_misses, 0, "nothing was even looked up");
    // sync_metrics.json holds the report of this run.
    let metrics: RunReport =
        serde_json::from_slice(&std::fs::read(w.state_dir.join(weir_engine::METRICS_FILE)).unwrap()).unwrap();
    assert_eq!(metrics.run_id, second.run_id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_are_predicted_by_a_dry_run_and_applied_exactly() {
    let w = world(BlueJetSim::builder().products(4_000)).await;
    let state = Arc::new(StateDir::open(&w.state_dir).unwrap());
    let mut p = w.pipeline(hash(), settings()).await;
    run(&state, &mut p, Mode::Full, false).await;

    let change = w
        .sim
        .change(&ChangeRequest::new(PRODUCTS).modify_share(0.01).price_only_share(0.5).insert(15).delete(12))
        .unwrap();
    assert_eq!(change.modified.len(), 40);

    let (before, _) = w.points("products").await;
    let dry = run(&state, &mut p, Mode::Incremental, true).await;
    assert_eq!(w.points("products").await.0, before, "a dry run wrote to the store");
    let real = run(&state, &mut p, Mode::Incremental, false).await;
    assert_eq!(dry.counts, real.counts, "the dry run predicted something else");
    let c = &real.counts;
    assert_eq!(c.reembedded, change.text_changed.len() as u64, "re-embedded = text changes");
    assert_eq!(c.payload_only, change.price_only.len() as u64, "payload-only = price changes");
    assert_eq!(c.new, change.inserted.len() as u64);
    assert_eq!(c.embedded, (change.text_changed.len() + change.inserted.len()) as u64);
    // Incremental runs see changes, not deletions: the deleted products are still there.
    let (points, _) = w.points("products").await;
    assert_eq!(points.len(), 4_000 + 15);
    for key in change.modified.iter().chain(&change.inserted) {
        let record = w.sim.record(PRODUCTS, key).unwrap();
        assert_eq!(points[key].get("price"), record.get("price"), "price of {key}");
        assert_eq!(points[key].get("name"), record.get("name"), "name of {key}");
    }

    // A full run (dry, then real) removes what the source deleted.
    let dry = run(&state, &mut p, Mode::Full, true).await;
    assert_eq!(dry.counts.deleted, change.deleted.len() as u64);
    let full = run(&state, &mut p, Mode::Full, false).await;
    assert_eq!(dry.counts, full.counts);
    assert_eq!(full.counts.deleted, 12);
    assert_eq!((full.counts.new, full.counts.embedded, full.counts.payload_only), (0, 0, 0));
    w.assert_exact().await;
    assert!(full.count_check.unwrap().mismatch.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconcile_deletes_vanished_keys_behind_the_mass_delete_guard() {
    let w = world(BlueJetSim::builder().products(2_000)).await;
    let state = Arc::new(StateDir::open(&w.state_dir).unwrap());
    let mut p = w.pipeline(hash(), settings()).await;
    run(&state, &mut p, Mode::Full, false).await;

    w.sim.change(&ChangeRequest::new(PRODUCTS).delete(10)).unwrap();
    let r = run(&state, &mut p, Mode::Reconcile, false).await;
    assert_eq!((r.counts.listed, r.counts.deleted, r.counts.embedded), (1_990, 10, 0));
    w.assert_exact().await;

    // 15% vanishing looks like a broken source: refused unless forced, nothing deleted.
    w.sim.change(&ChangeRequest::new(PRODUCTS).delete(300)).unwrap();
    let err = weir_engine::run(&state, &mut p, &RunOptions::new(Mode::Reconcile)).await.unwrap_err();
    assert!(matches!(err, weir_engine::Error::MassDelete { would_delete: 300, .. }), "{err}");
    assert!(err.to_string().contains("--force"), "{err}");
    assert_eq!(w.points("products").await.1, 1_990);
    let mut forced = RunOptions::new(Mode::Reconcile);
    forced.force = true;
    let r = weir_engine::run(&state, &mut p, &forced).await.unwrap();
    assert_eq!(r.counts.deleted, 300);
    w.assert_exact().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_rows_are_logged_and_skipped_while_valid_rows_land() {
    let sim = BlueJetSim::builder()
        .products(1_500)
        .malformed(PRODUCTS, MalformedKind::EmptyText, 3)
        .malformed(PRODUCTS, MalformedKind::WrongType, 4)
        .malformed(PRODUCTS, MalformedKind::NonGuidKey, 2);
    let w = world(sim).await;
    let state = Arc::new(StateDir::open(&w.state_dir).unwrap());
    let mut s = settings();
    s.text = "{name}".into();
    s.validation = serde_json::from_value(json!({
        "required": ["name"],
        "types": { "price": "number" },
        "key_pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
    }))
    .unwrap();
    let mut p = w.pipeline(hash(), s).await;
    let r = run(&state, &mut p, Mode::Full, false).await;
    let bad: Vec<String> = w.sim.malformed().iter().map(|m| m.key.clone()).collect();
    assert_eq!(r.status, RunStatus::Partial);
    assert!(r.counts.invalid >= 5, "{:?}", r.counts);
    let log = std::fs::read_to_string(w.state_dir.join(weir_engine::INVALID_FILE)).unwrap();
    let lines: Vec<Value> = log.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len() as u64, r.counts.invalid);
    let rules: Vec<&str> = lines.iter().map(|l| l["rule"].as_str().unwrap()).collect();
    assert!(rules.contains(&"key-pattern"), "{rules:?}");
    for l in &lines {
        assert_eq!(l["pipeline"], "products");
        assert!(l["record"].is_object() && l["message"].is_string());
    }
    // Every valid row landed; invalid ones did not.
    let logged: Vec<String> = lines.iter().map(|l| l["key"].as_str().unwrap().to_owned()).collect();
    let (points, _) = w.points("products").await;
    assert_eq!(points.len() as u64, 1_500 - r.counts.invalid);
    for k in &logged {
        assert!(!points.contains_key(k), "invalid {k} was written");
    }
    assert!(bad.iter().any(|k| logged.contains(k)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_run_resumes_exactly_and_a_wrong_model_is_refused() {
    let w = world(BlueJetSim::builder().products(3_000)).await;
    let state = Arc::new(StateDir::open(&w.state_dir).unwrap());
    // Short queues, so that few batches are in flight when the stop comes.
    let mut s = settings();
    s.queue = 1;
    s.embed_concurrency = Some(1);
    let mut p = w.pipeline(hash(), s).await;

    // Stop after the third committed batch.
    let mut opts = RunOptions::new(Mode::Full);
    let stop = opts.stop.clone();
    let batches = Arc::new(AtomicU64::new(0));
    let seen = batches.clone();
    opts.progress = Some(Arc::new(move |_| {
        if seen.fetch_add(1, Ordering::SeqCst) + 1 == 3 {
            stop.store(true, Ordering::SeqCst);
        }
    }));
    let first = weir_engine::run(&state, &mut p, &opts).await.unwrap();
    assert_eq!(first.status, RunStatus::Interrupted);
    assert!(first.counts.fetched < 3_000 && first.counts.fetched >= 600, "{:?}", first.counts);
    let meta = state.meta("products").unwrap();
    assert!(meta.checkpoint.is_some());

    let second = run(&state, &mut p, Mode::Full, false).await;
    assert!(second.resumed);
    assert_eq!(second.run_id, first.run_id);
    // Only what was not committed is written again.
    assert_eq!(first.counts.upserted + second.counts.new, 3_000);
    assert_eq!(second.counts.deleted, 0);
    w.assert_exact().await;

    // Vectors of another model never go into this collection.
    let mut other = w.pipeline(Arc::new(HashEmbedder::new(32)), settings()).await;
    let err = weir_engine::run(&state, &mut other, &RunOptions::new(Mode::Full)).await.unwrap_err();
    assert!(err.to_string().contains("hash-trigram-v1@64"), "{err}");
    assert_eq!(w.points("products").await.1, 3_000);

    // A rebuild moves the collection to the new model behind the alias, completely.
    let r = run(&state, &mut other, Mode::Rebuild, false).await;
    assert_eq!(r.counts.new, 3_000);
    let meta = state.meta("products").unwrap();
    assert_eq!(meta.physical.as_deref(), Some("products_v2"));
    assert_eq!(meta.model.unwrap().dimension, 32);
    w.assert_exact().await;
    let again = run(&state, &mut other, Mode::Full, false).await;
    assert_eq!((again.counts.unchanged, again.counts.embedded), (3_000, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_validator_plugin_rejects_what_its_rules_say_and_nothing_else() {
    let w = world(BlueJetSim::builder().products(1_000)).await;
    let state = Arc::new(StateDir::open(&w.state_dir).unwrap());
    let mut p = w.pipeline(hash(), settings()).await;
    // Swap in a pipeline with the bundled rules-validator: only `ks` units are allowed.
    let plugin = w.runtime.load(weir_harness::plugin("rules-validator")).await.unwrap();
    let rules = json!({ "rules": [{ "kind": "one_of", "field": "unit", "values": ["ks"] }] }).to_string();
    let validator = plugin.validator(&Grants::none(), &rules).await.unwrap();
    let source = w.runtime.load(weir_harness::plugin("bluejet-source")).await.unwrap();
    let (id, secret) = w.sim.credentials();
    let g = Grants::none()
        .host(format!("http://{}", w.sim.addr()).parse::<HostRule>().unwrap())
        .secret("token_id", id)
        .secret("token_hash", secret.clone());
    let source = source.source(&g, &json!({ "base_url": w.sim.url() }).to_string()).await.unwrap();
    let sink = p.sink().fork().await.unwrap();
    let mut p = Pipeline::new("products", "products", source, vec![validator], sink, "products", hash(), settings())
        .unwrap()
        .redacting(vec![secret.clone()]);

    let r = run(&state, &mut p, Mode::Full, false).await;
    let keys = w.sim.keys(PRODUCTS);
    let not_ks: Vec<&String> =
        keys.iter().filter(|k| w.sim.record(PRODUCTS, k).unwrap().get("unit") != Some(&json!("ks"))).collect();
    assert!(!not_ks.is_empty() && not_ks.len() < keys.len(), "the data set needs both kinds");
    assert_eq!(r.counts.invalid, not_ks.len() as u64);
    assert_eq!(r.status, RunStatus::Partial);
    let log = std::fs::read_to_string(w.state_dir.join(weir_engine::INVALID_FILE)).unwrap();
    assert!(!log.contains(&secret), "a secret reached invalid_records.jsonl");
    for line in log.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        assert!(v["rule"].as_str().unwrap().starts_with("rules-validator/"), "{v}");
    }
    let (points, _) = w.points("products").await;
    assert_eq!(points.len(), keys.len() - not_ks.len());
    assert!(points.values().all(|p| p["unit"] == json!("ks")));
}

/// The hash embedder, slowed down, counting how many batches it embeds at once, and saying
/// it can usefully have `says` under way.
struct Counting {
    inner: HashEmbedder,
    now: AtomicU64,
    most: AtomicU64,
    says: usize,
}

impl Embedder for Counting {
    fn model(&self) -> &weir_embed::ModelId {
        self.inner.model()
    }
    fn embed<'a>(&'a self, texts: &'a [String], purpose: weir_embed::Purpose) -> weir_embed::EmbedFuture<'a> {
        Box::pin(async move {
            let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
            self.most.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            let out = self.inner.embed(texts, purpose).await;
            self.now.fetch_sub(1, Ordering::SeqCst);
            out
        })
    }
    fn batches_in_flight(&self) -> usize {
        self.says
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_writers_than_embedders_never_embed_more_batches_at_once_than_allowed() {
    let w = world(BlueJetSim::builder().products(3_000)).await;
    // A pipeline's `embed_concurrency` wins over what the embedder says; unset, the
    // embedder's answer is the limit.
    for (i, (set, says)) in [(Some(1), 3), (Some(3), 2), (None, 3)].into_iter().enumerate() {
        let allowed = set.unwrap_or(says) as u64;
        let state = Arc::new(StateDir::open(w.state_dir.join(format!("s{i}"))).unwrap());
        let embedder =
            Arc::new(Counting { inner: HashEmbedder::new(64), now: AtomicU64::new(0), most: AtomicU64::new(0), says });
        let mut s = settings();
        s.embed_concurrency = set;
        s.write_concurrency = 4;
        let mut p = w.pipeline(embedder.clone(), s).await;
        let report = run(&state, &mut p, Mode::Full, false).await;
        assert_eq!(report.status, RunStatus::Success);
        assert_eq!(report.counts.embedded, 3_000);
        let most = embedder.most.load(Ordering::SeqCst);
        assert!(most <= allowed, "{most} batches were embedded at once, {allowed} allowed");
        // With four writers the limit is what holds it back, not the pipeline's depth.
        assert_eq!(most, allowed, "the run never embedded {allowed} batches at once");
    }
}
