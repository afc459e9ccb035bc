//! `weir run`, `status`, `search` and `config check` driven as a user would, against a BlueJet
//! simulator and qdrant-local that live in the test process, and a crash test that kills
//! `weir run` with SIGKILL at random instants and checks every resumed run ends exact.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use bluejet_sim::{BlueJetSim, ChangeRequest, MalformedKind, RunningBlueJetSim};
use qdrant_local::QdrantLocal;
use serde_json::{Value, json};

const PRODUCTS: u32 = 217;
const TOKEN_HASH: &str = "hash-4b1d-secret-7c2e";

struct Env {
    sim: RunningBlueJetSim,
    store: QdrantLocal,
    dir: tempfile::TempDir,
}

async fn env(sim: bluejet_sim::BlueJetSimBuilder) -> Env {
    let sim = sim.credentials("token-id-1", TOKEN_HASH).start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = QdrantLocal::start(dir.path().join("store"), qdrant_local::LOOPBACK).await.unwrap();
    Env { sim, store, dir }
}

impl Env {
    /// Writes a configuration for collection `collection` with state in `state`.
    fn config(&self, name: &str, collection: &str, extra: &str) -> PathBuf {
        let source = weir_harness::plugin("bluejet-source");
        let sink = weir_harness::plugin("qdrant-sink");
        let text = format!(
            r#"
[sync]
state_dir = "{name}-state"
mode = "full"

[embedding]
provider = "hash"
dimensions = 32

[sources.bluejet]
plugin = "{source}"
config = {{ base_url = "{sim}" }}
secrets = {{ token_id = "${{TEST_TOKEN_ID}}", token_hash = "${{TEST_TOKEN_HASH}}" }}

[sinks.qdrant]
plugin = "{sink}"
config = {{ url = "{store}" }}

[pipelines.products]
source = "bluejet"
stream = "products"
sink = "qdrant"
collection = "{collection}"
text = "{{name}} · {{category}} · {{brand}} · {{description}}"
batch_size = 200
{extra}
"#,
            source = source.display(),
            sink = sink.display(),
            sim = self.sim.url(),
            store = self.store.rest_url(),
        );
        let path = self.dir.path().join(format!("{name}.toml"));
        std::fs::write(&path, text).unwrap();
        path
    }

    fn weir(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_weir"));
        c.env("TEST_TOKEN_ID", "token-id-1").env("TEST_TOKEN_HASH", TOKEN_HASH).env("WEIR_LOG", "warn");
        c.env_remove("WEIR_CONFIG");
        c
    }

    async fn output(&self, args: &[&str]) -> Output {
        let mut c = self.weir();
        c.args(args);
        tokio::task::spawn_blocking(move || c.output().unwrap()).await.unwrap()
    }

    /// `_key` → payload of every point, and the number of points.
    async fn points(&self, collection: &str) -> (BTreeMap<String, Value>, usize) {
        let client = reqwest::Client::new();
        let (mut out, mut total, mut offset) = (BTreeMap::new(), 0, Value::Null);
        loop {
            let body = json!({ "limit": 5000, "with_payload": true, "offset": offset });
            let url = format!("{}/collections/{collection}/points/scroll", self.store.rest_url());
            let r: Value = client.post(url).json(&body).send().await.unwrap().json().await.unwrap();
            for p in r["result"]["points"].as_array().unwrap_or_else(|| panic!("{r}")) {
                total += 1;
                out.insert(p["payload"]["_key"].as_str().unwrap().to_owned(), p["payload"].clone());
            }
            offset = r["result"]["next_page_offset"].clone();
            if offset.is_null() {
                return (out, total);
            }
        }
    }

    async fn assert_exact(&self, collection: &str, context: &str) {
        let (points, total) = self.points(collection).await;
        let keys = self.sim.keys(PRODUCTS);
        assert_eq!(total, points.len(), "{context}: a key is stored twice");
        assert_eq!(points.len(), keys.len(), "{context}: sink and source differ in size");
        for key in &keys {
            let p = points.get(key).unwrap_or_else(|| panic!("{context}: {key} missing"));
            let r = self.sim.record(PRODUCTS, key).unwrap();
            assert_eq!(p.get("name"), r.get("name"), "{context}: name of {key}");
            assert_eq!(p.get("price"), r.get("price"), "{context}: price of {key}");
        }
    }
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn reports(o: &Output) -> Vec<Value> {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(o)))
}

/// A small deterministic generator (xorshift), seeded from the clock and printed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_dash_nine_at_random_points_then_resume_ends_exact() {
    let e = env(BlueJetSim::builder().products(6_000)).await;
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1;
    eprintln!("crash test seed {seed}");
    let mut rng = Rng(seed);

    // An uninterrupted initial sync, then another into a fresh collection with the plugins'
    // compile cache warm: how long an initial sync takes, start-up included.
    let cfg = e.config("base", "base", "");
    let o = e.output(&["run", "--json", "--config", cfg.to_str().unwrap()]).await;
    assert!(o.status.success(), "{}", text(&o));
    e.assert_exact("base", "uninterrupted").await;
    let warm = e.config("warm", "warm", "");
    let t = Instant::now();
    let o = e.output(&["run", "--json", "--config", warm.to_str().unwrap()]).await;
    assert!(o.status.success(), "{}", text(&o));
    let span = t.elapsed();

    let (mut kills, mut resumed, mut attempts) = (0, 0, 0);
    while kills < 20 {
        attempts += 1;
        assert!(attempts <= 60, "only {kills} of {attempts} kills hit a running sync");
        // Every fourth kill hits a run with real changes and deletions on an existing
        // collection; the others hit an initial sync.
        let i = attempts;
        let name = format!("k{i}");
        let changing = i % 4 == 3;
        let cfg = if changing { e.config("base", "base", "") } else { e.config(&name, &name, "") };
        let collection = if changing { "base".to_owned() } else { name.clone() };
        if changing {
            e.sim
                .change(&ChangeRequest::new(PRODUCTS).modify_share(0.05).price_only_share(0.5).insert(40).delete(25))
                .unwrap();
        }
        let mut child = e.weir();
        child.args(["run", "--force", "--config", cfg.to_str().unwrap()]).stdout(Stdio::null()).stderr(Stdio::null());
        let mut child = child.spawn().unwrap();
        let delay = Duration::from_millis(rng.below(span.as_millis() as u64));
        tokio::time::sleep(delay).await;
        let running = child.try_wait().unwrap().is_none();
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        if running {
            kills += 1;
        }

        let o = e.output(&["run", "--json", "--force", "--config", cfg.to_str().unwrap()]).await;
        assert!(o.status.success(), "kill {i} after {delay:?}: the resumed run failed: {}", text(&o));
        let r = &reports(&o)[0];
        if r["resumed"] == json!(true) {
            resumed += 1;
        }
        assert!(!text(&o).contains(TOKEN_HASH), "a secret reached the output");
        e.assert_exact(&collection, &format!("kill {i} after {delay:?} (seed {seed})")).await;
        if !changing {
            let _ = reqwest::Client::new().delete(format!("{}/collections/{name}_v1", e.store.rest_url())).send().await;
        }
    }
    eprintln!("{kills} kills of a running sync in {attempts} attempts; {resumed} resumed a checkpoint");
    assert!(resumed >= 5, "too few kills left a checkpoint to resume ({resumed})");
    for f in ["base-state/sync_metrics.json", "base-state/weir.log"] {
        if let Ok(s) = std::fs::read_to_string(e.dir.path().join(f)) {
            assert!(!s.contains(TOKEN_HASH), "{f} holds a secret");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_status_search_and_exit_codes() {
    let e = env(BlueJetSim::builder().products(1_200).malformed(PRODUCTS, MalformedKind::EmptyText, 2)).await;
    let cfg = e.config("cli", "catalogue", "validation = { required = [\"name\"] }");
    let c = cfg.to_str().unwrap();

    // Invalid rows make a partial success: exit 3, valid rows synced.
    let o = e.output(&["run", "--config", c]).await;
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    let table = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(table.contains("PIPELINE") && table.contains("partial"), "{table}");
    assert_eq!(e.points("catalogue").await.0.len(), 1_198);

    // Nothing changed: a second run embeds nothing.
    let o = e.output(&["run", "--json", "--set", "sync.mode=incremental", "--config", c]).await;
    let r = &reports(&o)[0];
    assert_eq!(r["mode"], "incremental");
    assert_eq!(r["counts"]["embedded"], 0);

    // Status, as text and JSON.
    let o = e.output(&["status", "--json", "--config", c]).await;
    assert!(o.status.success(), "{}", text(&o));
    let s: Value = serde_json::from_slice(&o.stdout).unwrap();
    let p = &s["pipelines"][0];
    assert_eq!(p["synced_points"], 1_198);
    assert_eq!(p["model"], "hash:hash-trigram-v1@32");
    assert_eq!(p["last_runs"].as_array().unwrap().len(), 2);
    assert_eq!(s["invalid_records"], 2);
    let o = e.output(&["status", "--config", c]).await;
    assert!(text(&o).contains("catalogue_v1"), "{}", text(&o));
    // The state directory keeps a log of the runs, without secrets.
    let log = std::fs::read_to_string(e.dir.path().join("cli-state/weir.log")).unwrap();
    assert_eq!(log.matches("run done").count(), 2, "{log}");
    assert!(!log.contains(TOKEN_HASH) && !log.contains('\u{1b}'), "{log}");

    // Search returns payloads with keys, filtered when asked.
    let name = e.sim.record(PRODUCTS, &e.sim.keys(PRODUCTS)[7]).unwrap()["name"].as_str().unwrap().to_owned();
    let o = e.output(&["search", "--json", "-k", "3", "--config", c, &name]).await;
    assert!(o.status.success(), "{}", text(&o));
    let hits: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(hits.len(), 3);
    // The hash embedder is lexical, not semantic: the exact name is among the closest.
    let top = hits.iter().find(|h| h["payload"]["name"] == json!(name));
    let top = top.unwrap_or_else(|| panic!("{name} not in {hits:?}"));
    assert_eq!(top["key"], top["payload"]["_key"]);
    let category = top["payload"]["category"].as_str().unwrap().to_owned();
    let filter = format!("category={category}");
    let o = e.output(&["search", "--json", "--filter", &filter, "--config", c, "hrnec"]).await;
    let hits: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert!(!hits.is_empty() && hits.iter().all(|h| h["payload"]["category"] == json!(category)));

    // A second run while one holds the state directory: exit 75, clear message.
    let held = weir_engine::StateDir::open(e.dir.path().join("cli-state")).unwrap();
    let o = e.output(&["run", "--config", c]).await;
    assert_eq!(o.status.code(), Some(75), "{}", text(&o));
    assert!(text(&o).contains("another weir run"), "{}", text(&o));
    drop(held);

    // Configuration errors: exit 2, file, line and key named.
    let bad = e.dir.path().join("bad.toml");
    std::fs::write(&bad, "[embedding]\nprovider = \"hash\"\n\n[pipelines.p]\nsource = \"x\"\nstream = \"s\"\nsink = \"y\"\ntext = \"{name}\"\nbatch_sise = 5\n").unwrap();
    let o = e.output(&["run", "--config", bad.to_str().unwrap()]).await;
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let msg = text(&o);
    assert!(msg.contains("bad.toml") && msg.contains("line 4") && msg.contains("batch_sise"), "{msg}");
    std::fs::write(&bad, "[embedding]\nprovider = \"hash\"\n").unwrap();
    let o = e.output(&["config", "check", "--config", c]).await;
    assert!(o.status.success(), "{}", text(&o));
    let o = e.output(&["run", "--config", c, "--set", "pipelines.products.batch_size=0"]).await;
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("batch_size"), "{}", text(&o));
    let missing = e.dir.path().join("nope.toml");
    let o = e.output(&["status", "--config", missing.to_str().unwrap()]).await;
    assert_eq!(o.status.code(), Some(2));
    assert!(!Path::new(&missing).exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daemon_runs_on_schedule_serves_metrics_status_and_search_and_stops_on_sigterm() {
    use std::io::BufRead;
    let e = env(BlueJetSim::builder().products(800)).await;
    let cfg = e.config("daemon", "daemon", "schedule = \"0 3 * * *\"");
    let mut child = e.weir();
    child
        .args(["daemon", "--run-now", "--listen", "127.0.0.1:0", "--config", cfg.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = child.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let base = loop {
        let line = rx.recv_timeout(Duration::from_secs(60)).expect("the daemon printed no address");
        if let Some(addr) = line.strip_prefix("weir daemon: listening on ") {
            break addr.to_owned();
        }
    };
    let client = reqwest::Client::new();
    let get = |path: &str| {
        let url = format!("{base}{path}");
        let client = client.clone();
        async move { client.get(url).send().await.unwrap() }
    };
    assert_eq!(get("/healthz").await.text().await.unwrap(), "ok\n");
    // The --run-now run lands in /metrics.
    let started = Instant::now();
    let metrics = loop {
        let text = get("/metrics").await.text().await.unwrap();
        if text.contains("weir_runs_total{pipeline=\"products\",status=\"success\"} 1") {
            break text;
        }
        assert!(started.elapsed() < Duration::from_secs(120), "no run showed up in /metrics:\n{text}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    assert_eq!(get("/readyz").await.status(), 200);
    // Prometheus text format: every sample line is `name{labels} number`, every family typed.
    for line in metrics.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("bad line {line}"));
        assert!(value.parse::<f64>().is_ok(), "bad value in {line}");
        let name = series.split('{').next().unwrap();
        assert!(name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'), "bad name in {line}");
        assert!(metrics.contains(&format!("# TYPE {name} ")), "{name} has no TYPE");
    }
    assert!(metrics.contains("weir_last_run_records{pipeline=\"products\",outcome=\"new\"} 800"), "{metrics}");
    assert!(metrics.contains("weir_synced_points{pipeline=\"products\"} 800"), "{metrics}");
    assert!(metrics.contains("weir_lag_seconds{pipeline=\"products\"}"), "{metrics}");

    let page = get("/").await.text().await.unwrap();
    assert!(page.contains("<h2 id=\"products\">") && page.contains("class=\"success\""), "{page}");
    assert!(page.contains("next: incremental at") || page.contains("next: full at"), "{page}");
    let name = e.sim.record(PRODUCTS, &e.sim.keys(PRODUCTS)[3]).unwrap()["name"].as_str().unwrap().to_owned();
    let res = client.get(format!("{base}/search")).query(&[("q", name.as_str()), ("k", "5")]).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert_eq!(html.matches("class=\"hit\"").count(), 5, "{html}");

    // SIGTERM: a clean stop.
    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let t = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(t.elapsed() < Duration::from_secs(30), "the daemon did not stop on SIGTERM");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status.success(), "{status:?}");
}

/// The default setup keeps the store inside the weir process: a `kill -9` takes both down.
/// Every acknowledged write must still be there after the restart. (With `durable = false`
/// this test fails: the store loses the writes of its last second.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_dash_nine_with_the_embedded_store_resumes_exact() {
    let e = env(BlueJetSim::builder().products(4_000)).await;
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1;
    eprintln!("embedded crash test seed {seed}");
    let mut rng = Rng(seed);
    let embedded = |name: &str| {
        let cfg = e.config(name, "products", "");
        let text = std::fs::read_to_string(&cfg).unwrap();
        let start = text.find("[sinks.qdrant]").unwrap();
        let end = text.find("[pipelines.products]").unwrap();
        let sink = weir_harness::plugin("qdrant-sink");
        let text = format!(
            "{}[sinks.qdrant]\nplugin = \"{}\"\nembedded = true\n\n{}",
            &text[..start],
            sink.display(),
            &text[end..]
        );
        std::fs::write(&cfg, text).unwrap();
        cfg
    };
    // One uninterrupted initial sync for the timing.
    let warm = embedded("warm");
    let t = Instant::now();
    let o = e.output(&["run", "--json", "--config", warm.to_str().unwrap()]).await;
    assert!(o.status.success(), "{}", text(&o));
    let span = t.elapsed();

    let (mut kills, mut attempts) = (0, 0);
    while kills < 6 {
        attempts += 1;
        assert!(attempts <= 20, "only {kills} of {attempts} kills hit a running sync");
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
        let url = format!("{}/collections/products/points/count", store.rest_url());
        let count: Value = reqwest::Client::new()
            .post(url)
            .json(&json!({ "exact": true }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(count["result"]["count"], json!(e.sim.keys(PRODUCTS).len()), "kill at {delay:?} (seed {seed})");
        store.shutdown().await.unwrap();
    }
}
