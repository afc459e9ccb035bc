//! What the CLI tests share: a BlueJet simulator and a qdrant-local in the test process, a
//! configuration writer, the `weir` command, and what a sync left in the store compared with the
//! simulator's products (read back with `weir_harness::store`).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::time::Duration;

use bluejet_sim::RunningBlueJetSim;
use qdrant_local::QdrantLocal;
use serde_json::Value;
use weir_harness::store;

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
        store::points(&self.store.rest_url(), collection, None).await
    }

    pub async fn assert_exact(&self, collection: &str, context: &str) {
        assert_exact_at(&self.sim, &self.store.rest_url(), None, collection, context).await;
    }
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
    store::assert_exact(&store::points(url, collection, api_key).await, &products(sim), context);
}

/// Every product the simulator serves: key → record.
pub fn products(sim: &RunningBlueJetSim) -> BTreeMap<String, serde_json::Map<String, Value>> {
    sim.keys(PRODUCTS).into_iter().map(|key| (key.clone(), sim.record(PRODUCTS, &key).unwrap())).collect()
}

pub fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

pub fn reports(o: &Output) -> Vec<Value> {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(o)))
}

/// The line `weir daemon` logs on stderr once it listens, before the address.
const LISTENING: &str = "weir daemon: listening on ";

/// The address a `weir daemon` started with `--listen 127.0.0.1:0` listens on (`http://…`),
/// read from its stderr, which must be piped. The rest of its stderr is drained on a thread so
/// that the daemon never blocks on a full pipe. A daemon that exits or says nothing of an
/// address within a minute is killed and the test fails.
pub fn daemon_address(child: &mut Child) -> String {
    daemon_address_and_stderr(child).0
}

/// [`daemon_address`], with the daemon's stderr kept for the test to read once the daemon has
/// stopped (to search it for secrets, say).
pub fn daemon_address_and_stderr(child: &mut Child) -> (String, DaemonStderr) {
    use std::io::BufRead;
    let stderr = child.stderr.take().expect("the daemon's stderr is piped");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        // Sends fail once the receiver is gone; reading goes on so that the pipe never fills.
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut seen = Vec::new();
    loop {
        let Ok(line) = rx.recv_timeout(Duration::from_secs(60)) else {
            let _ = child.kill();
            panic!("the daemon printed no address: {seen:?}");
        };
        if let Some(addr) = line.strip_prefix(LISTENING) {
            let addr = addr.to_owned();
            seen.push(line);
            return (addr, DaemonStderr { seen, rx });
        }
        seen.push(line);
    }
}

/// A daemon's stderr: what it said up to its address, and the rest as it comes.
pub struct DaemonStderr {
    seen: Vec<String>,
    rx: std::sync::mpsc::Receiver<String>,
}

impl DaemonStderr {
    /// Every line the daemon wrote on stderr, the address line included; call it once the
    /// daemon has exited (it waits for the pipe to close, a minute at most).
    pub fn lines(self) -> Vec<String> {
        let mut lines = self.seen;
        loop {
            match self.rx.recv_timeout(Duration::from_secs(60)) {
                Ok(line) => lines.push(line),
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return lines,
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    panic!("the daemon's stderr is still open a minute on: {lines:?}")
                }
            }
        }
    }
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
