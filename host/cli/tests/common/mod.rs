//! What the CLI tests share: a BlueJet simulator and a qdrant-local in the test process, a
//! configuration writer, the `weir` command, and read-back of what a sync left in the store.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use bluejet_sim::RunningBlueJetSim;
use qdrant_local::QdrantLocal;
use serde_json::{Value, json};

pub const PRODUCTS: u32 = 217;
pub const TOKEN_ID: &str = "token-id-1";
pub const TOKEN_HASH: &str = "hash-4b1d-secret-7c2e";

pub struct Env {
    pub sim: RunningBlueJetSim,
    pub store: QdrantLocal,
    pub dir: tempfile::TempDir,
}

pub async fn env(sim: bluejet_sim::BlueJetSimBuilder) -> Env {
    let sim = sim.credentials(TOKEN_ID, TOKEN_HASH).start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = QdrantLocal::start(dir.path().join("store"), qdrant_local::LOOPBACK).await.unwrap();
    Env { sim, store, dir }
}

/// The `[embedding]` table the tests use unless they say otherwise: fast and deterministic.
pub const HASH_EMBEDDING: &str = "[embedding]\nprovider = \"hash\"\ndimensions = 32\n";

impl Env {
    /// Writes a configuration for collection `collection` with state in `<name>-state`.
    pub fn config(&self, name: &str, collection: &str, extra: &str) -> PathBuf {
        let sink = format!("config = {{ url = \"{}\" }}", self.store.rest_url());
        self.config_with(name, collection, HASH_EMBEDDING, &sink, extra)
    }

    /// A configuration with its own `[embedding]` table and sink settings (the lines after
    /// `plugin = …` in `[sinks.qdrant]`).
    pub fn config_with(&self, name: &str, collection: &str, embedding: &str, sink: &str, extra: &str) -> PathBuf {
        let source = weir_harness::plugin("bluejet-source");
        let sink_plugin = weir_harness::plugin("qdrant-sink");
        let text = format!(
            r#"
[sync]
state_dir = "{name}-state"
mode = "full"

{embedding}

[sources.bluejet]
plugin = "{source}"
config = {{ base_url = "{sim}" }}
secrets = {{ token_id = "${{TEST_TOKEN_ID}}", token_hash = "${{TEST_TOKEN_HASH}}" }}

[sinks.qdrant]
plugin = "{sink_plugin}"
{sink}

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
            sink_plugin = sink_plugin.display(),
            sim = self.sim.url(),
        );
        self.write(&format!("{name}.toml"), &text)
    }

    pub fn write(&self, file: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(file);
        std::fs::write(&path, text).unwrap();
        path
    }

    pub fn weir(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_weir"));
        c.current_dir(self.dir.path());
        c.env("TEST_TOKEN_ID", TOKEN_ID).env("TEST_TOKEN_HASH", TOKEN_HASH).env("WEIR_LOG", "warn");
        c.env_remove("WEIR_CONFIG");
        c
    }

    pub async fn output(&self, args: &[&str]) -> Output {
        let mut c = self.weir();
        c.args(args);
        tokio::task::spawn_blocking(move || c.output().unwrap()).await.unwrap()
    }

    pub async fn points(&self, collection: &str) -> (BTreeMap<String, Value>, usize) {
        points_at(&self.store.rest_url(), collection, None).await
    }

    pub async fn assert_exact(&self, collection: &str, context: &str) {
        assert_exact_at(&self.sim, &self.store.rest_url(), None, collection, context).await;
    }
}

/// `_key` → payload of every point, and the number of points (a key stored twice counts twice).
pub async fn points_at(url: &str, collection: &str, api_key: Option<&str>) -> (BTreeMap<String, Value>, usize) {
    let client = reqwest::Client::new();
    let (mut out, mut total, mut offset) = (BTreeMap::new(), 0, Value::Null);
    loop {
        let body = json!({ "limit": 5000, "with_payload": true, "offset": offset });
        let mut req = client.post(format!("{url}/collections/{collection}/points/scroll")).json(&body);
        if let Some(k) = api_key {
            req = req.header("api-key", k);
        }
        let r: Value = req.send().await.unwrap().json().await.unwrap();
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

/// The exact number of points in `collection`, 0 when it does not exist.
pub async fn count_at(url: &str, collection: &str) -> u64 {
    let r = reqwest::Client::new()
        .post(format!("{url}/collections/{collection}/points/count"))
        .json(&json!({ "exact": true }))
        .send()
        .await
        .unwrap();
    if r.status() == 404 {
        return 0;
    }
    let v: Value = r.json().await.unwrap();
    v["result"]["count"].as_u64().unwrap_or_else(|| panic!("{v}"))
}

/// The sink holds exactly the source's products: same keys, each once, and every payload
/// equal to the record the source serves (every field, with its JSON type).
pub async fn assert_exact_at(
    sim: &RunningBlueJetSim,
    url: &str,
    api_key: Option<&str>,
    collection: &str,
    context: &str,
) {
    let (points, total) = points_at(url, collection, api_key).await;
    let keys = sim.keys(PRODUCTS);
    assert_eq!(total, points.len(), "{context}: a key is stored twice");
    assert_eq!(points.len(), keys.len(), "{context}: sink and source differ in size");
    for key in &keys {
        let p = points.get(key).unwrap_or_else(|| panic!("{context}: {key} missing"));
        let r = sim.record(PRODUCTS, key).unwrap();
        assert_payload_matches(p, &r, &format!("{context}: {key}"));
    }
}

/// Every field of the source record is in the payload with the same value.
pub fn assert_payload_matches(payload: &Value, record: &serde_json::Map<String, Value>, context: &str) {
    for (field, value) in record {
        assert_eq!(payload.get(field), Some(value), "{context}: field `{field}`");
    }
}

pub fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

pub fn reports(o: &Output) -> Vec<Value> {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(o)))
}

/// A small deterministic generator (xorshift), seeded from the clock and printed by its users.
pub struct Rng(pub u64);
impl Rng {
    pub fn from_clock() -> Self {
        Self(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Every file under `dir`, read as bytes (binary stores included).
pub fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                out.push((path, bytes));
            }
        }
    }
    out
}

pub fn contains_bytes(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}
