//! The reliability suite: what happens when things go wrong, driven through the `weir` command as
//! an operator runs it, against real servers (the BlueJet and OpenAI simulators, qdrant-local).
//!
//! - crash torture: `kill -9` of `weir run` at random instants of full, incremental and
//!   reconcile runs, with the store outside and inside the weir process;
//! - faults during runs: 5xx, connection resets, 429 bursts with `Retry-After`, token expiry,
//!   the vector store stopped and restarted, the embedding provider down;
//! - bad input: every malformed-row class the simulator produces, malformed configurations,
//!   malformed and hostile plugins;
//! - secrets: every output searched for the configured tokens and keys.
//!
//! This file is the CI-sized suite (part of `cargo xtask test`). `cargo xtask reliability` runs
//! it with `WEIR_RELIABILITY=long`: more kills, larger catalogues, longer outages.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use bluejet_sim::{BlueJetSim, ChangeRequest, FaultSpec, MalformedKind, Trigger};
use common::*;
use qdrant_local::QdrantLocal;
use serde_json::{Value, json};
use weir_harness::store::assert_payload_matches;

/// `WEIR_RELIABILITY=long`: the long suite.
fn long() -> bool {
    std::env::var("WEIR_RELIABILITY").is_ok_and(|v| v == "long")
}

fn scale(ci: usize, long_run: usize) -> usize {
    if long() { long_run } else { ci }
}

// ------------------------------------------------------------------------------ crash torture

/// The crash tortures read in partitions, whatever the default: bluejet-source splits full
/// reads into key ranges and incremental ones into cursor ranges, each with its checkpoint.
const PARTITIONED: &str = "read_concurrency = 4";

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// An initial full sync into a fresh collection.
    Initial,
    /// A full sync after records were modified, inserted and deleted.
    Full,
    /// An incremental sync after records were modified and inserted.
    Incremental,
    /// A reconcile after records were deleted.
    Reconcile,
}

impl Kind {
    fn mode(self) -> &'static str {
        match self {
            Kind::Initial | Kind::Full => "full",
            Kind::Incremental => "incremental",
            Kind::Reconcile => "reconcile",
        }
    }
}

/// `kill -9` of `weir run` at random instants of every kind of run; after each, a resumed run
/// ends with the sink equal to the source (same keys, each once, every payload field equal, no
/// stale point), and an interrupted initial sync re-embeds at most the batches that were in
/// flight when it died.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_torture_kill_dash_nine_across_full_incremental_and_reconcile_runs() {
    let e = env(BlueJetSim::builder().products(6_000)).await;
    let mut t = Torture::new("crash torture", scale(16, 48), 3);
    let store = e.store.rest_url();

    // How long each kind of run takes uninterrupted (start-up included), on the shared base
    // collection; kills are drawn within that span.
    let base = e.config("base", "base", PARTITIONED);
    let mut span = BTreeMap::new();
    span.insert("initial", timed_run(&e, Kind::Initial.mode(), &base).await.0);
    e.assert_exact("base", "uninterrupted initial sync").await;
    let change = |kind: Kind| match kind {
        Kind::Initial => None,
        Kind::Full => Some(ChangeRequest::new(PRODUCTS).modify_share(0.05).price_only_share(0.5).insert(40).delete(25)),
        Kind::Incremental => Some(ChangeRequest::new(PRODUCTS).modify_share(0.05).price_only_share(0.5).insert(40)),
        Kind::Reconcile => Some(ChangeRequest::new(PRODUCTS).delete(25)),
    };
    for kind in [Kind::Full, Kind::Incremental, Kind::Reconcile] {
        e.sim.change(&change(kind).unwrap()).unwrap();
        span.insert(kind.mode(), timed_run(&e, kind.mode(), &base).await.0);
        e.assert_exact("base", &format!("uninterrupted {kind:?}")).await;
    }
    eprintln!("uninterrupted spans: {span:?}");

    // The engine keeps at most `max(embed_concurrency, write_concurrency)` batches written
    // ahead of the commit, plus the one being committed (the defaults; batches of 200 records,
    // as configured by this test).
    let defaults = weir_engine::PipelineSettings::new("");
    let embedding = defaults.embed_concurrency_for(&weir_embed::HashEmbedder::new(32));
    let in_flight_records = (embedding.max(defaults.write_concurrency) as u64 + 1) * 200;
    let kinds = [Kind::Initial, Kind::Full, Kind::Incremental, Kind::Reconcile];
    let mut resumed = 0;
    while let Some(attempt) = t.next_attempt() {
        let kind = kinds[attempt % kinds.len()];
        let (cfg, collection) = if kind == Kind::Initial {
            let name = format!("k{attempt}");
            (e.config(&name, &name, PARTITIONED), name)
        } else {
            e.sim.change(&change(kind).unwrap()).unwrap();
            (base.clone(), "base".to_owned())
        };
        let limit = span[if kind == Kind::Initial { "initial" } else { kind.mode() }];
        let context = t.kill_run(&e, kind, kind.mode(), &cfg, limit).await;
        // What the killed run left in the store before anything resumes.
        let physical = format!("{collection}_v1");
        let left = weir_harness::store::count(&store, &physical).await;

        let r = resume_run(&e, kind.mode(), &cfg, &context).await;
        if r["resumed"] == json!(true) {
            resumed += 1;
        }
        e.assert_exact(&collection, &context).await;
        if kind == Kind::Initial {
            // Points already stored but embedded again: they were written, not yet committed.
            let total = e.sim.keys(PRODUCTS).len() as u64;
            let embedded = r["counts"]["embedded"].as_u64().unwrap();
            let redone = (left + embedded).saturating_sub(total);
            assert!(redone <= in_flight_records, "{context}: {redone} records embedded twice");
            delete_collection(&e, &physical).await;
        }
    }
    eprintln!("{}; {resumed} resumed a checkpoint", t.summary());
    assert!(t.per_kind.len() == kinds.len(), "every kind of run was killed at least once: {:?}", t.per_kind);
    assert!(resumed >= t.kills / 5, "too few kills left a checkpoint to resume ({resumed} of {})", t.kills);
    for f in ["base-state/sync_metrics.json", "base-state/weir.log"] {
        if let Ok(s) = std::fs::read_to_string(e.dir.path().join(f)) {
            assert!(!s.contains(TOKEN_HASH), "{f} holds a secret");
        }
    }
}

/// A configuration of the splitting echo-source fixture: `records` records `item-N` (cursor
/// `N` seconds after a fixed start), read in up to four partitions, state in `<name>-state`.
fn echo_config(e: &Env, name: &str, collection: &str, records: u64) -> std::path::PathBuf {
    let text = format!(
        r#"
[sync]
state_dir = "{name}-state"
mode = "full"

{HASH_EMBEDDING}

[sources.echo]
plugin = "{source}"
config = {{ records = {records}, size = 300, cursor_start = 1780000000 }}

[sinks.qdrant]
plugin = "{sink}"
config = {{ url = "{url}" }}

[pipelines.items]
source = "echo"
stream = "items"
sink = "qdrant"
collection = "{collection}"
text = "{{name}} · {{text}}"
batch_size = 100
read_concurrency = 4
# An incremental run reads back this far (the records' cursors are seconds apart), so that
# it lasts long enough to be killed.
overlap_seconds = 20000
"#,
        source = weir_harness::fixture("echo-source").display(),
        sink = weir_harness::plugin("qdrant-sink").display(),
        url = e.store.rest_url(),
    );
    e.write(&format!("{name}.toml"), &text)
}

/// The store holds exactly records `0..records` of the echo-source fixture: each key once,
/// with its own number and name.
async fn assert_echo_exact(e: &Env, collection: &str, records: u64, context: &str) {
    let (points, total) = e.points(collection).await;
    assert_eq!(total, points.len(), "{context}: a key is stored twice");
    assert_eq!(points.len() as u64, records, "{context}: the store and the source differ in size");
    for n in 0..records {
        let p = points.get(&format!("item-{n}")).unwrap_or_else(|| panic!("{context}: item-{n} is missing"));
        assert_eq!((&p["n"], &p["name"]), (&json!(n), &json!(format!("Položka č. {n}"))), "{context}: item-{n}");
    }
}

/// `kill -9` of `weir run` at random instants of partitioned runs (a source that splits its
/// stream, four partitions read at once): initial and full syncs, incremental syncs and
/// reconciles. After each kill the checkpoint, if one was left, holds the run's partitions,
/// and the resumed run ends with the sink equal to the source.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_torture_of_partitioned_runs() {
    let e = env(BlueJetSim::builder().products(10)).await;
    let mut t = Torture::new("partitioned crash torture", scale(8, 32), 4);
    const INITIAL: u64 = 8_000;
    let mut records = INITIAL;
    // Records appear for full and incremental runs and vanish for reconciles.
    let mut change = |kind: Kind| {
        records = if kind == Kind::Reconcile { records - 60 } else { records + 40 };
        records
    };
    // How long each kind of run takes uninterrupted (start-up included); kills are drawn
    // within that span.
    let mut span = BTreeMap::new();
    for kind in [Kind::Initial, Kind::Full, Kind::Incremental, Kind::Reconcile] {
        let n = if kind == Kind::Initial { INITIAL } else { change(kind) };
        let cfg = echo_config(&e, "echo", "echo", n);
        let (took, o) = timed_run(&e, kind.mode(), &cfg).await;
        span.insert(format!("{kind:?}"), took);
        assert_echo_exact(&e, "echo", n, &format!("uninterrupted partitioned {kind:?}")).await;
        if kind == Kind::Initial {
            assert_eq!(reports(&o)[0]["batches"], json!(80), "4 partitions of 2,000 records in pages of 100");
        }
    }
    eprintln!("uninterrupted spans: {span:?}");

    let kinds = [Kind::Initial, Kind::Full, Kind::Incremental, Kind::Reconcile];
    let mut partitioned = 0;
    while let Some(attempt) = t.next_attempt() {
        let kind = kinds[attempt % kinds.len()];
        let (cfg, collection, name, expected) = match kind {
            Kind::Initial => {
                let name = format!("p{attempt}");
                (echo_config(&e, &name, &name, INITIAL), name.clone(), name, INITIAL)
            }
            _ => {
                let n = change(kind);
                (echo_config(&e, "echo", "echo", n), "echo".to_owned(), "echo".to_owned(), n)
            }
        };
        let context = t.kill_run(&e, kind, kind.mode(), &cfg, span[&format!("{kind:?}")]).await;
        {
            let state = weir_engine::StateDir::open(e.dir.path().join(format!("{name}-state"))).unwrap();
            if let Some(checkpoint) = state.meta("items").unwrap().checkpoint {
                let parts = checkpoint.partitions();
                assert_eq!(parts.len(), 4, "{context}: {parts:?}");
                partitioned += 1;
            }
        }
        resume_run(&e, kind.mode(), &cfg, &context).await;
        assert_echo_exact(&e, &collection, expected, &context).await;
        if kind == Kind::Initial {
            delete_collection(&e, &format!("{collection}_v1")).await;
        }
    }
    eprintln!("{}; {partitioned} left a partitioned checkpoint", t.summary());
    assert!(partitioned >= t.kills / 5, "too few kills left a checkpoint to resume ({partitioned} of {})", t.kills);
}

/// The default setup keeps the store inside the weir process: a `kill -9` takes both down.
/// Every acknowledged write must still be there after the restart. (With `durable = false`
/// this test fails: the store loses the writes of its last second.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_torture_with_the_embedded_store() {
    let kills_wanted = scale(6, 16);
    let e = env(BlueJetSim::builder().products(4_000)).await;
    let mut rng = Rng::from_clock();
    let seed = rng.0;
    eprintln!("embedded crash test seed {seed}");
    let sink = "embedded = true";
    let embedded = |name: &str| e.config_with(name, "products", HASH_EMBEDDING, sink, PARTITIONED);
    // One uninterrupted initial sync for the timing.
    let warm = embedded("warm");
    let t = Instant::now();
    let o = e.output(&["run", "--json", "--config", warm.to_str().unwrap()]).await;
    assert!(o.status.success(), "{}", text(&o));
    let span = t.elapsed();

    let (mut kills, mut attempts) = (0, 0);
    while kills < kills_wanted {
        attempts += 1;
        assert!(attempts <= kills_wanted * 3, "only {kills} of {attempts} kills hit a running sync");
        let name = format!("e{attempts}");
        let cfg = embedded(&name);
        let mut child = e.weir();
        child.args(["run", "--config", cfg.to_str().unwrap()]).stdout(Stdio::null()).stderr(Stdio::null());
        let mut child = child.spawn().unwrap();
        let delay = Duration::from_millis(rng.below(span.as_millis() as u64));
        tokio::time::sleep(delay).await;
        if child.try_wait().unwrap().is_none() {
            kills += 1;
        }
        child.kill().unwrap();
        child.wait().unwrap();
        let o = e.output(&["run", "--json", "--config", cfg.to_str().unwrap()]).await;
        assert!(o.status.success(), "after a kill at {delay:?}: {}", text(&o));
        let r = &reports(&o)[0];
        assert_eq!(r["count_check"]["mismatch"], Value::Null, "after a kill at {delay:?} (seed {seed}): {r}");
        // Read the store back independently: open its directory in a server of our own.
        let dir = e.dir.path().join(format!("{name}-state")).join("qdrant").join("qdrant");
        let store = QdrantLocal::start(&dir, qdrant_local::LOOPBACK).await.unwrap();
        assert_exact_at(&e.sim, &store.rest_url(), None, "products", &format!("kill at {delay:?} (seed {seed})")).await;
        store.shutdown().await.unwrap();
    }
}

// ------------------------------------------------------------------------------ faults

/// Server errors (a burst, then 5 %), connection resets, 429 bursts with `Retry-After` and
/// tokens expiring every two seconds, all during the runs: full and incremental syncs end exact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn source_faults_during_runs_end_exact() {
    let products = scale(5_000, 30_000);
    let e = env(BlueJetSim::builder().products(products)).await;
    let cfg = e.config("faults", "faults", "");
    let c = cfg.to_str().unwrap();
    let faults = FaultSpec {
        latency_ms: 2,
        // A burst of each at the start, then at random.
        server_error: Some(Trigger { status: 503, next: 2, rate: 0.05, ..Trigger::default() }),
        reset: Some(Trigger { next: 1, rate: 0.03, ..Trigger::default() }),
        rate_limit: Some(Trigger { status: 429, next: 3, rate: 0.03, retry_after_secs: 1 }),
        expire_tokens_every_secs: Some(2),
        ..FaultSpec::default()
    };
    e.sim.set_faults(faults);

    let o = e.output(&["run", "--json", "--config", c]).await;
    assert!(o.status.success(), "{}", text(&o));
    e.assert_exact("faults", "full sync under faults").await;
    let r = &reports(&o)[0];
    let retries: u64 = r["plugins"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(name, _)| name.contains("bluejet"))
        .map(|(_, p)| p["http_retries"].as_u64().unwrap())
        .sum();
    assert!(retries > 0, "no retry counted: {}", r["plugins"]);

    for round in 0..scale(1, 4) {
        e.sim.change(&ChangeRequest::new(PRODUCTS).modify_share(0.01).price_only_share(0.5).insert(20)).unwrap();
        let o = e.output(&["run", "--json", "--mode", "incremental", "--config", c]).await;
        assert!(o.status.success(), "{}", text(&o));
        e.assert_exact("faults", &format!("incremental sync {round} under faults")).await;
    }
    let f = e.sim.stats().faults;
    eprintln!("faults served: {f:?}");
    assert!(f.resets > 0 && f.http429 > 0 && f.http5xx.values().sum::<u64>() > 0, "{f:?}");
    assert!(e.sim.stats().unauthorized > 0, "no token expired during the runs");
}

/// The vector store goes away in the middle of a full sync and comes back on the same address:
/// the run either rides it out or stops with a clear error, and the next run ends exact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_stopped_and_restarted_mid_run() {
    let outage = Duration::from_secs(scale(3, 20) as u64);
    let e = env(BlueJetSim::builder().products(8_000)).await;
    let dir = e.dir.path().join("outside-store");
    let store = QdrantLocal::start(&dir, qdrant_local::LOOPBACK).await.unwrap();
    let addr = store.rest_addr();
    let url = store.rest_url();
    let sink = format!("config = {{ url = \"{url}\" }}");
    let cfg = e.config_with("outage", "outage", HASH_EMBEDDING, &sink, "");
    let c = cfg.to_str().unwrap();

    // Calibrate: how long an uninterrupted sync takes, into another collection.
    let warm = e.config_with("warm", "warm", HASH_EMBEDDING, &sink, "");
    let t = Instant::now();
    let o = e.output(&["run", "--config", warm.to_str().unwrap()]).await;
    assert!(o.status.success(), "{}", text(&o));
    let span = t.elapsed();

    let mut child = e.weir();
    child.args(["run", "--json", "--config", c]).stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = child.spawn().unwrap();
    tokio::time::sleep(span / 3).await;
    store.shutdown().await.unwrap();
    tokio::time::sleep(outage).await;
    let store = QdrantLocal::start(&dir, addr).await.unwrap();
    let first = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap()).await.unwrap();
    assert_no_panic(&first, "the run during the outage");
    match first.status.code() {
        Some(0) => eprintln!("the run rode out a {outage:?} outage"),
        Some(1) => {
            let msg = text(&first);
            assert!(msg.contains("error"), "{msg}");
            eprintln!("the run stopped: {}", msg.lines().find(|l| l.contains("error")).unwrap_or_default());
        }
        other => panic!("unexpected exit {other:?}: {}", text(&first)),
    }
    let o = e.output(&["run", "--json", "--config", c]).await;
    assert!(o.status.success(), "{}", text(&o));
    assert_exact_at(&e.sim, &store.rest_url(), None, "outage", "after the store came back").await;
    store.shutdown().await.unwrap();
}

/// The embedding provider answers nothing but 503 for a while in the middle of a sync: the run
/// rides it out with retries or stops with a clear error, and the next run ends exact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_embedding_provider_down_for_a_while() {
    let outage = Duration::from_secs(scale(4, 60) as u64);
    let e = env(BlueJetSim::builder().products(3_000)).await;
    let openai = bluejet_sim::OpenAiSim::builder().api_key("sk-weir-test-9d1c").start().await.unwrap();
    let embedding = format!(
        "[embedding]\nprovider = \"openai\"\nmodel = \"text-embedding-3-small\"\ndimensions = 64\n\
         base_url = \"{}/v1\"\napi_key = \"${{TEST_OPENAI_KEY}}\"\nmax_concurrency = 4\n",
        openai.url()
    );
    let sink = format!("config = {{ url = \"{}\" }}", e.store.rest_url());
    let cfg = e.config_with("provider", "provider", &embedding, &sink, "");
    let c = cfg.to_str().unwrap();

    let mut child = e.weir();
    child.env("TEST_OPENAI_KEY", "sk-weir-test-9d1c");
    child.args(["run", "--json", "--config", c]).stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = child.spawn().unwrap();
    // Down once the first embeddings went through.
    let t = Instant::now();
    while openai.stats().succeeded == 0 {
        assert!(t.elapsed() < Duration::from_secs(60), "no embedding request reached the provider");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    openai.set_faults(FaultSpec {
        server_error: Some(Trigger { status: 503, rate: 1.0, ..Trigger::default() }),
        ..FaultSpec::default()
    });
    tokio::time::sleep(outage).await;
    openai.set_faults(FaultSpec::default());
    let first = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap()).await.unwrap();
    assert_no_panic(&first, "the run during the outage");
    assert!(matches!(first.status.code(), Some(0 | 1)), "{}", text(&first));
    let outcome = if first.status.success() { "rode it out".to_owned() } else { text(&first) };
    eprintln!(
        "the run during a {outage:?} provider outage: {}",
        outcome.lines().find(|l| l.contains("error")).unwrap_or(&outcome)
    );
    assert!(openai.stats().http5xx > 0, "the outage was not seen");
    assert!(!text(&first).contains("sk-weir-test-9d1c"), "the API key reached the output");

    let mut again = e.weir();
    again.env("TEST_OPENAI_KEY", "sk-weir-test-9d1c").args(["run", "--json", "--config", c]);
    let o = tokio::task::spawn_blocking(move || again.output().unwrap()).await.unwrap();
    assert!(o.status.success(), "{}", text(&o));
    e.assert_exact("provider", "after the provider came back").await;
    openai.shutdown().await;
}

// ------------------------------------------------------------------------------ bad input

/// Every malformed-row class the simulator produces, in one catalogue: each bad row is logged
/// in `invalid_records.jsonl` with the rule it broke (or, where the value is legal, synced as
/// served), every other row lands exactly, and the run is a partial success (exit 3).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_malformed_row_class_is_reported_and_the_valid_rows_land() {
    // Every kind the simulator has: a new one must be handled here too.
    let kinds = MalformedKind::ALL;
    let mut sim = BlueJetSim::builder().products(2_000);
    for kind in kinds {
        sim = sim.malformed(PRODUCTS, kind, 2);
    }
    let e = env(sim).await;
    let rules = r#"validation = { required = ["name"], types = { price = "number", name = "string" }, key_pattern = "^[0-9A-Fa-f-]{36}$", max_text_chars = 20000 }"#;
    let cfg = e.config("malformed", "malformed", rules);
    let o = e.output(&["run", "--json", "--config", cfg.to_str().unwrap()]).await;
    assert_no_panic(&o, "malformed rows");
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));

    let log = std::fs::read_to_string(e.dir.path().join("malformed-state/invalid_records.jsonl")).unwrap();
    let invalid: Vec<Value> = log.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    for entry in &invalid {
        for field in ["time", "pipeline", "stream", "rule", "message"] {
            assert!(entry.get(field).is_some(), "{field} missing in {entry}");
        }
    }
    let (points, total) = e.points("malformed").await;
    assert_eq!(total, points.len(), "a key is stored twice");
    let bad = e.sim.malformed();
    // Malformed rows, and the keys a duplicate row repeats (which of the two rows is stored
    // depends on the read order; the other is reported).
    let bad_keys: BTreeSet<&str> = bad
        .iter()
        .flat_map(|m| {
            [Some(m.key.as_str()), (m.kind == MalformedKind::DuplicateKey).then(|| m.served.as_str()).flatten()]
        })
        .flatten()
        .collect();
    let mut outcome: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for m in &bad {
        // A row served without its key is known by its other columns (its product code).
        let code = e.sim.record(PRODUCTS, &m.key).unwrap()["code"].clone();
        let logged = invalid.iter().find(|i| {
            i["key"] == json!(m.key)
                || i["record"]["code"] == code
                // One of the two rows that share a key is reported; the other is stored.
                || (m.kind == MalformedKind::DuplicateKey && i["key"] == m.served && i["rule"] == "duplicate-key")
        });
        let what = match (logged, points.get(&m.key)) {
            (Some(i), _) => format!("invalid:{}", i["rule"].as_str().unwrap_or("?")),
            (None, Some(_)) => "synced".to_owned(),
            (None, None) => panic!("{:?} row {} is neither synced nor reported: {log}", m.kind, m.key),
        };
        outcome.entry(format!("{:?}", m.kind)).or_default().push(what);
    }
    eprintln!("malformed outcomes: {outcome:?}");
    // The classes that break a rule are reported, never stored as if valid.
    for kind in ["MissingKey", "NullKey", "WrongType", "EmptyText", "OverlongText", "NonGuidKey"] {
        let got = &outcome[kind];
        assert!(got.iter().all(|o| o.starts_with("invalid:")), "{kind}: {got:?}");
    }
    // Legal values, however odd, are stored as served: text with control characters, and a
    // date that is not one (kept raw; the record carries no cursor, so nothing is skipped).
    for m in bad.iter().filter(|m| matches!(m.kind, MalformedKind::ControlChars | MalformedKind::InvalidDate)) {
        let p = points.get(&m.key).unwrap_or_else(|| panic!("{:?} row {} not stored", m.kind, m.key));
        assert_eq!(p[&m.column], m.served, "{:?} row {}", m.kind, m.key);
    }
    // A duplicated key is reported once; the record that owns the key is stored.
    assert!(outcome["DuplicateKey"].iter().any(|o| o.starts_with("invalid:")), "{outcome:?}");
    // Every row that was not malformed landed, exactly as served.
    for key in e.sim.keys(PRODUCTS) {
        if bad_keys.contains(key.as_str()) {
            continue;
        }
        let p = points.get(&key).unwrap_or_else(|| panic!("valid row {key} missing"));
        assert_payload_matches(p, &e.sim.record(PRODUCTS, &key).unwrap(), &key);
    }
    let r = &reports(&o)[0];
    assert_eq!(r["counts"]["invalid"].as_u64().unwrap(), invalid.len() as u64, "{r}");
}

/// Broken configurations: each is refused with exit 2 and a message that names the file, the
/// line and the key; nothing runs and nothing is written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_configurations_are_refused_with_file_line_and_key() {
    let e = env(BlueJetSim::builder().products(10)).await;
    let good = std::fs::read_to_string(e.config("good", "good", "")).unwrap();
    let with = |from: &str, to: &str| {
        assert!(good.contains(from), "{from}");
        good.replacen(from, to, 1)
    };
    let cases: Vec<(&str, String, Vec<&str>)> = vec![
        ("syntax", with("[sync]", "[sync"), vec!["line"]),
        ("unknown key", with("batch_size = 200", "batch_sise = 200"), vec!["batch_sise", "line"]),
        ("wrong type", with("batch_size = 200", "batch_size = \"many\""), vec!["batch_size", "line"]),
        ("zero batch", with("batch_size = 200", "batch_size = 0"), vec!["batch_size"]),
        ("unknown source", with("source = \"bluejet\"", "source = \"bluejay\""), vec!["bluejay"]),
        ("unknown sink", with("sink = \"qdrant\"", "sink = \"qdrand\""), vec!["qdrand"]),
        ("unset variable", with("${TEST_TOKEN_HASH}", "${WEIR_TEST_UNSET_VARIABLE}"), vec!["WEIR_TEST_UNSET_VARIABLE"]),
        ("bad mode", with("mode = \"full\"", "mode = \"sometimes\""), vec!["mode", "sometimes"]),
        ("bad provider", with("provider = \"hash\"", "provider = \"magic\""), vec!["provider", "magic"]),
        ("bad schedule", with("batch_size = 200", "batch_size = 200\nschedule = \"61 * * * *\""), vec!["schedule"]),
        ("bad template", with("text = \"{name}", "text = \"{name"), vec!["text"]),
        ("bad policy", with("batch_size = 200", "batch_size = 200\non_invalid = \"explode\""), vec!["on_invalid"]),
        ("bad share", with("batch_size = 200", "batch_size = 200\nmax_delete_share = 7"), vec!["max_delete_share"]),
        (
            "bad regex",
            with("batch_size = 200", "batch_size = 200\nvalidation = { key_pattern = \"([\" }"),
            vec!["key_pattern"],
        ),
        ("no pipelines", good[..good.find("[pipelines.products]").unwrap()].to_owned(), vec!["pipeline"]),
        ("not toml", "\u{0}\u{1}binary".to_owned(), vec!["line"]),
    ];
    for (what, body, wanted) in cases {
        let path = e.write(&format!("bad-{}.toml", what.replace(' ', "-")), &body);
        for cmd in [&["config", "check"][..], &["run"][..]] {
            let mut args = cmd.to_vec();
            args.extend(["--config", path.to_str().unwrap()]);
            let o = e.output(&args).await;
            assert_no_panic(&o, what);
            let msg = text(&o);
            assert_eq!(o.status.code(), Some(2), "{what} ({cmd:?}): {msg}");
            let file = path.file_name().unwrap().to_str().unwrap();
            assert!(msg.contains(file), "{what}: the file is not named: {msg}");
            for w in &wanted {
                assert!(msg.contains(w), "{what}: `{w}` not in: {msg}");
            }
        }
        assert!(!e.dir.path().join("good-state").exists(), "{what}: a refused configuration wrote state");
    }
    assert_eq!(e.sim.stats().data_calls, 0, "a refused configuration reached the source");
}

/// Plugin files that are not what they claim: truncated, empty, not WebAssembly, a core module
/// instead of a component, built for a future WIT version, or a sink named as a source. Each
/// is refused before anything runs, with the file and the reason; the host never crashes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_plugin_files_are_refused_with_the_reason() {
    let e = env(BlueJetSim::builder().products(10)).await;
    let real = std::fs::read(weir_harness::plugin("bluejet-source")).unwrap();
    let dir = e.dir.path().join("plugins");
    std::fs::create_dir_all(&dir).unwrap();
    let put = |name: &str, bytes: &[u8]| {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    let cases = vec![
        ("missing", dir.join("no-such-source.wasm")),
        ("truncated", put("truncated.wasm", &real[..real.len() / 2])),
        ("empty", put("empty.wasm", b"")),
        ("not wasm", put("text.wasm", b"#!/bin/sh\necho hello\n")),
        ("core module", put("core.wasm", b"\0asm\x01\0\0\0")),
        ("future WIT", weir_harness::fixture("future-wit-source")),
        ("lying kind", weir_harness::fixture("wrong-kind")),
        ("wrong kind", weir_harness::plugin("qdrant-sink")),
    ];
    let good = std::fs::read_to_string(e.config("good", "good", "")).unwrap();
    let source = weir_harness::plugin("bluejet-source").display().to_string();
    for (what, file) in cases {
        let body = good.replacen(&source, &file.display().to_string(), 1);
        let path = e.write("plugin.toml", &body);
        for cmd in [&["config", "check"][..], &["run"][..]] {
            let mut args = cmd.to_vec();
            args.extend(["--config", path.to_str().unwrap()]);
            let o = e.output(&args).await;
            assert_no_panic(&o, what);
            let msg = text(&o);
            assert!(matches!(o.status.code(), Some(1 | 2)), "{what} ({cmd:?}): {msg}");
            let name = file.file_name().unwrap().to_str().unwrap();
            let stem = file.file_stem().unwrap().to_str().unwrap().replace('_', "-");
            assert!(msg.contains(name) || msg.contains(&stem), "{what}: the plugin is not named: {msg}");
            assert!(msg.contains("sources.bluejet"), "{what}: the configuration key is not named: {msg}");
        }
    }
    assert_eq!(e.sim.stats().data_calls, 0);
}

/// Hostile source plugins next to a good pipeline: an endless loop, a memory bomb, deep
/// recursion, a panic, and attempts to reach files, environment, sockets and an ungranted
/// host. Each hostile pipeline fails with a clear error, the good one syncs exactly, and the
/// host stays up to the end of the run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_plugins_fail_alone_and_the_good_pipeline_still_syncs() {
    let e = env(BlueJetSim::builder().products(1_000)).await;
    let misbehave = weir_harness::fixture("misbehave-source");
    let behaviours = ["loop", "memory-bomb", "recursion", "panic", "escape", "http"];
    let mut extra = String::new();
    for b in behaviours {
        // `http` calls a host it was never granted (the simulator's admin API on another path
        // is granted only through `hosts`; here the grant names another port).
        extra.push_str(&format!(
            r#"
[sources.{b}]
plugin = "{plugin}"
config = {{ behave = "{b}", url = "{url}/admin/stats" }}
allow = ["http://127.0.0.1:1"]
secrets = {{ api_key = "hostile-plugin-key" }}

[pipelines.{b}]
source = "{b}"
stream = "items"
sink = "qdrant"
collection = "hostile_{b}"
text = "{text}"
"#,
            plugin = misbehave.display(),
            url = e.sim.url(),
            text =
                if b == "escape" { "{read_file} · {read_dir} · {env_vars} · {env_home} · {tcp}" } else { "{name}" },
        ));
    }
    let cfg = e.config("hostile", "good", "");
    let body = std::fs::read_to_string(&cfg).unwrap() + &extra;
    let cfg = e.write("hostile.toml", &body);
    let t = Instant::now();
    let o = e.output(&["run", "--json", "--config", cfg.to_str().unwrap()]).await;
    assert_no_panic(&o, "hostile plugins");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    eprintln!("hostile run took {:?}", t.elapsed());
    let msg = text(&o);
    let runs = reports(&o);
    let good = runs.iter().find(|r| r["pipeline"] == "products").unwrap_or_else(|| panic!("{msg}"));
    assert_eq!(good["status"], "success", "{good}");
    e.assert_exact("good", "the good pipeline next to hostile ones").await;
    // The escape attempts ran and every one of them was refused.
    let (escape, _) = e.points("hostile_escape").await;
    let attempts = escape.get("escape").unwrap_or_else(|| panic!("no escape report: {msg}"));
    for field in ["read_file", "read_dir", "env_vars", "env_home", "tcp"] {
        let outcome = attempts[field].as_str().unwrap_or_default();
        assert!(outcome.starts_with("denied"), "escape `{field}`: {outcome}");
    }
    for b in behaviours.into_iter().filter(|b| *b != "escape") {
        let r = runs.iter().find(|r| r["pipeline"] == b);
        let error = r
            .and_then(|r| r["error"].as_str())
            .map(str::to_owned)
            .unwrap_or_else(|| msg.lines().find(|l| l.contains(&format!("`{b}`"))).unwrap_or_default().to_owned());
        assert!(!error.is_empty(), "{b}: no error reported: {msg}");
        eprintln!("{b}: {error}");
        assert_eq!(
            weir_harness::store::count(&e.store.rest_url(), &format!("hostile_{b}_v1")).await,
            0,
            "{b} wrote points"
        );
    }
}

// ------------------------------------------------------------------------------ secrets

/// The configured BlueJet token, the OpenAI key and the Qdrant API key appear in no output:
/// command output (runs, a failing run, status, search, dry run, config check), the log file,
/// metrics, invalid records, every file of the state directory, and the daemon's pages.
// Four workers: the test blocks on `weir` commands while the simulators answer them.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_secret_reaches_any_output() {
    const OPENAI_KEY: &str = "sk-weir-secret-51f0";
    const QDRANT_KEY: &str = "qk-weir-secret-a7e3";
    let e = env(BlueJetSim::builder().products(600).malformed(PRODUCTS, MalformedKind::WrongType, 3)).await;
    let openai = bluejet_sim::OpenAiSim::builder().api_key(OPENAI_KEY).start().await.unwrap();
    let dir = e.dir.path().join("guarded-store");
    let mut opts = qdrant_local::Options::new(&dir, qdrant_local::LOOPBACK);
    opts.api_key = Some(QDRANT_KEY.into());
    let store = QdrantLocal::start_with(opts).await.unwrap();
    let embedding = format!(
        "[embedding]\nprovider = \"openai\"\nmodel = \"text-embedding-3-small\"\ndimensions = 64\n\
         base_url = \"{}/v1\"\napi_key = \"${{TEST_OPENAI_KEY}}\"\n",
        openai.url()
    );
    let sink =
        format!("config = {{ url = \"{}\" }}\nsecrets = {{ api_key = \"${{TEST_QDRANT_KEY}}\" }}", store.rest_url());
    let cfg = e.config_with(
        "secret",
        "secret",
        &embedding,
        &sink,
        "validation = { types = { price = \"number\" } }\nschedule = \"0 3 * * *\"",
    );
    let c = cfg.to_str().unwrap();
    let secrets = [TOKEN_ID, TOKEN_HASH, OPENAI_KEY, QDRANT_KEY];
    let weir = |args: &[&str], hash: &str| {
        let mut cmd = e.weir();
        cmd.env("TEST_OPENAI_KEY", OPENAI_KEY).env("TEST_QDRANT_KEY", QDRANT_KEY).env("TEST_TOKEN_HASH", hash);
        cmd.env("WEIR_LOG", "debug").args(args);
        cmd
    };
    let mut outputs: Vec<(String, Vec<u8>)> = Vec::new();
    let mut record = |what: &str, o: Output| {
        outputs.push((format!("{what} stdout"), o.stdout.clone()));
        outputs.push((format!("{what} stderr"), o.stderr.clone()));
        o
    };

    let o = record("run", weir(&["run", "--config", c], TOKEN_HASH).output().unwrap());
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert_exact_count(&store, QDRANT_KEY, "secret", 597).await;
    record("dry run", weir(&["run", "--dry-run", "--json", "--config", c], TOKEN_HASH).output().unwrap());
    record("status", weir(&["status", "--config", c], TOKEN_HASH).output().unwrap());
    record("status json", weir(&["status", "--json", "--config", c], TOKEN_HASH).output().unwrap());
    let o = record("search", weir(&["search", "--json", "--config", c, "hrnec"], TOKEN_HASH).output().unwrap());
    assert!(o.status.success(), "{}", text(&o));
    record("config check", weir(&["config", "check", "--config", c], TOKEN_HASH).output().unwrap());
    // Wrong credentials: the server's message, never the credentials.
    let o = record("wrong credentials", weir(&["run", "--config", c], "hash-wrong-0000").output().unwrap());
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("auth"), "{}", text(&o));

    // The daemon's pages.
    let mut child = weir(&["daemon", "--listen", "127.0.0.1:0", "--config", c], TOKEN_HASH);
    let mut child = child.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let (base, stderr) = daemon_address_and_stderr(&mut child);
    for path in ["/", "/metrics", "/healthz", "/readyz", "/search?q=hrnec&k=5"] {
        let body = reqwest::get(format!("{base}{path}")).await.unwrap().bytes().await.unwrap();
        outputs.push((format!("daemon {path}"), body.to_vec()));
    }
    let _ = child.kill();
    let _ = child.wait();
    outputs.push(("daemon stderr".into(), stderr.lines().join("\n").into_bytes()));

    for (path, bytes) in files_under(&e.dir.path().join("secret-state")) {
        outputs.push((path.display().to_string(), bytes));
    }
    assert!(outputs.iter().any(|(w, _)| w.ends_with("invalid_records.jsonl")));
    assert!(outputs.iter().any(|(w, _)| w.ends_with("weir.log")));
    assert!(outputs.iter().any(|(w, _)| w.ends_with("sync_metrics.json")));
    for (what, bytes) in &outputs {
        for s in secrets {
            assert!(!contains_bytes(bytes, s.as_bytes()), "`{s}` found in {what}");
        }
    }
    store.shutdown().await.unwrap();
    openai.shutdown().await;
}

async fn assert_exact_count(store: &QdrantLocal, key: &str, collection: &str, n: usize) {
    let (points, total) = weir_harness::store::points(&store.rest_url(), collection, Some(key)).await;
    assert_eq!((points.len(), total), (n, n));
}
