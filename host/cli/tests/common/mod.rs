//! What the CLI tests share: a BlueJet simulator and a qdrant-local in the test process, a
//! configuration writer, the `weir` command, and what a sync left in the store compared with the
//! simulator's products (read back with `weir_harness::store`).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

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

/// No output of the host may show a Rust panic: every failure is a clear error.
/// (A plugin's own panic is reported inside an error line, as a crash of that plugin.)
pub fn assert_no_panic(o: &Output, context: &str) {
    let t = text(o);
    let host_panic = t.lines().any(|l| l.starts_with("thread '") && l.contains("panicked at"));
    assert!(!host_panic && !t.contains("RUST_BACKTRACE"), "{context}: the host panicked:\n{t}");
}

/// A crash torture's draws and counts: `kill -9` of `weir run` at random instants, until
/// `kills_wanted` kills hit a run still going. The seed is printed, to replay a failure.
pub struct Torture {
    pub rng: Rng,
    pub seed: u64,
    kills_wanted: usize,
    /// Attempts allowed per kill wanted: an attempt whose run had already ended is no kill.
    attempts_per_kill: usize,
    pub kills: usize,
    pub attempts: usize,
    /// Kills of a running sync, per kind of run.
    pub per_kind: BTreeMap<String, usize>,
}

impl Torture {
    pub fn new(what: &str, kills_wanted: usize, attempts_per_kill: usize) -> Self {
        let rng = Rng::from_clock();
        let seed = rng.0;
        eprintln!("{what} seed {seed}, {kills_wanted} kills");
        Self { rng, seed, kills_wanted, attempts_per_kill, kills: 0, attempts: 0, per_kind: BTreeMap::new() }
    }

    /// The next attempt's number, until enough kills hit a running sync. Fails when too many
    /// attempts found the run already done (the draws would not test anything).
    pub fn next_attempt(&mut self) -> Option<usize> {
        if self.kills >= self.kills_wanted {
            return None;
        }
        self.attempts += 1;
        assert!(
            self.attempts <= self.kills_wanted * self.attempts_per_kill,
            "only {} of {} kills hit a running sync",
            self.kills,
            self.attempts
        );
        Some(self.attempts)
    }

    /// Starts `weir run --force --mode <mode> --config <cfg>`, waits a random instant below
    /// `span` and kills it with SIGKILL; a run still going then counts as a kill of `kind`.
    /// The context for what the test checks next: the kind, the instant and the seed.
    pub async fn kill_run(
        &mut self,
        e: &Env,
        kind: impl std::fmt::Debug,
        mode: &str,
        cfg: &Path,
        span: Duration,
    ) -> String {
        let mut child = e.weir();
        child.args(["run", "--force", "--mode", mode, "--config"]).arg(cfg).stdout(Stdio::null()).stderr(Stdio::null());
        let mut child = child.spawn().unwrap();
        let delay = Duration::from_millis(self.rng.below(span.as_millis() as u64));
        tokio::time::sleep(delay).await;
        let running = child.try_wait().unwrap().is_none();
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        if running {
            self.kills += 1;
            *self.per_kind.entry(format!("{kind:?}")).or_default() += 1;
        }
        format!("{kind:?} killed after {delay:?} (seed {})", self.seed)
    }

    /// `N kills in M attempts ({kind: kills})`.
    pub fn summary(&self) -> String {
        format!("{} kills in {} attempts ({:?})", self.kills, self.attempts, self.per_kind)
    }
}

/// An uninterrupted `weir run --json --force --mode <mode>`, which must succeed: how long it
/// took (start-up included; a torture draws its kills within that span), and its output.
pub async fn timed_run(e: &Env, mode: &str, cfg: &Path) -> (Duration, Output) {
    let t = Instant::now();
    let o = e.output(&["run", "--json", "--force", "--mode", mode, "--config", cfg.to_str().unwrap()]).await;
    assert!(o.status.success(), "{mode}: {}", text(&o));
    (t.elapsed(), o)
}

/// The run after a kill, started again as an operator would: it succeeds without a panic or a
/// secret in its output, and the sink's count check finds no mismatch. Its report.
pub async fn resume_run(e: &Env, mode: &str, cfg: &Path, context: &str) -> Value {
    let o = e.output(&["run", "--json", "--force", "--mode", mode, "--config", cfg.to_str().unwrap()]).await;
    assert!(o.status.success(), "{context}: the resumed run failed: {}", text(&o));
    assert_no_panic(&o, context);
    assert!(!text(&o).contains(TOKEN_HASH), "{context}: a secret reached the output");
    let r = reports(&o).swap_remove(0);
    assert_eq!(r["count_check"]["mismatch"], Value::Null, "{context}: {r}");
    r
}

/// Drops a physical collection of the test's store (a torture's next initial sync starts
/// from nothing).
pub async fn delete_collection(e: &Env, physical: &str) {
    let url = format!("{}/collections/{physical}", e.store.rest_url());
    let _ = reqwest::Client::new().delete(url).send().await;
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
