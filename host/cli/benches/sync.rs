//! End-to-end sync benchmark: the `weir` binary against the BlueJet simulator, the embedded
//! store and each embedder, in the scenarios of `docs/BENCHMARKS.md`.
//!
//! ```text
//! cargo xtask bench-sync                              # every scenario
//! cargo xtask bench-sync hash scaling                 # some of them
//! cargo xtask bench-sync local --local-products 3000  # sizes: --products, --local-products,
//!                                                     # --openai-products, --scaling 10000,50000
//! ```
//!
//! Scenarios: `hash` (latency off), `openai` (BlueJet pages 150 ± 50 ms, embedding requests
//! 300 ms, against the simulators), `local` (the bundled model, and the same texts embedded by
//! the model alone), `scaling` (initial full syncs of growing catalogues; `scaling-external`
//! the same with the store outside the weir process). Every run is a child
//! process, so wall time, peak RSS (its `VmHWM`) and CPU time (`wait4`) are its own. Figures go to stdout as
//! Markdown and to `target/bench/sync.json`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// `wait4` (the only way to get a reaped child's own CPU time) is a libc call.
#![allow(unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bluejet_sim::{BlueJetSim, ChangeRequest, FaultSpec, OpenAiSim, PRODUCTS, RunningBlueJetSim};
use serde_json::{Value, json};

const TEXT: &str = "{name} · {category} · {brand} · {description}";

struct Args {
    scenarios: Vec<String>,
    products: usize,
    openai_products: usize,
    local_products: usize,
    scaling: Vec<usize>,
}

fn args() -> Args {
    let mut a = Args {
        scenarios: Vec::new(),
        products: 109_253,
        openai_products: 109_253,
        local_products: 2_000,
        scaling: vec![10_000, 50_000, 109_253, 500_000],
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut num = || it.next().and_then(|v| v.replace('_', "").parse::<usize>().ok()).expect("a number");
        match arg.as_str() {
            "--products" => a.products = num(),
            "--openai-products" => a.openai_products = num(),
            "--local-products" => a.local_products = num(),
            "--scaling" => {
                let list = it.next().expect("a list");
                a.scaling = list.split(',').map(|n| n.replace('_', "").parse().expect("a number")).collect();
            }
            "--bench" => {}
            s if s.starts_with("--") => panic!("unknown option {s}"),
            s => a.scenarios.push(s.to_owned()),
        }
    }
    if a.scenarios.is_empty() {
        a.scenarios = ["hash", "openai", "local", "scaling", "scaling-external"].map(String::from).to_vec();
    }
    a
}

/// One `weir run` as a child process.
#[derive(Debug, Clone)]
struct Measured {
    label: String,
    wall_s: f64,
    report: Value,
    peak_rss_mb: f64,
    cpu_s: f64,
    bluejet_calls: u64,
}

// The child is reaped by `wait4` (for its resource usage), not by `Child::wait`.
#[allow(clippy::zombie_processes)]
fn weir_run(cfg: &Path, mode: &str) -> (f64, Value, f64, f64) {
    let t = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_weir"))
        .args(["run", "--json", "--force", "--mode", mode, "--config"])
        .arg(cfg)
        .env("WEIR_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).unwrap();
        s
    });
    // Peak RSS from the child's own `VmHWM`, sampled until it exits: `ru_maxrss` of a spawned
    // child also counts the parent's memory at spawn time (this process holds the simulator).
    let pid = child.id();
    let sampler = std::thread::spawn(move || {
        let mut peak_kib = 0u64;
        while let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
            if status.lines().any(|l| l.starts_with("State:") && l.contains("zombie")) {
                break;
            }
            let hwm = status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok());
            peak_kib = peak_kib.max(hwm.unwrap_or(0));
            std::thread::sleep(Duration::from_millis(20));
        }
        peak_kib
    });
    let (status, usage) = wait4(pid as i32);
    let wall = t.elapsed().as_secs_f64();
    let out = reader.join().unwrap();
    let peak_kib = sampler.join().unwrap();
    assert!(status == 0, "weir run --mode {mode} exited with {status}: {out}");
    let reports: Vec<Value> = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let report = reports.into_iter().next().unwrap();
    let cpu = tv(usage.ru_utime) + tv(usage.ru_stime);
    (wall, report, peak_kib as f64 / 1024.0, cpu)
}

fn tv(t: libc::timeval) -> f64 {
    t.tv_sec as f64 + t.tv_usec as f64 / 1e6
}

/// Waits for the child and returns its exit status and its own resource usage.
fn wait4(pid: i32) -> (i32, libc::rusage) {
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own child, not yet reaped; both pointers are to live locals.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4 failed");
    let code = if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { -1 };
    (code, usage)
}

fn write_config(dir: &Path, sim: &RunningBlueJetSim, embedding: &str) -> PathBuf {
    write_config_to(dir, sim, embedding, None, "products")
}

/// With `store`, the sink writes to that Qdrant URL instead of an embedded store.
fn write_config_to(
    dir: &Path,
    sim: &RunningBlueJetSim,
    embedding: &str,
    store: Option<&str>,
    collection: &str,
) -> PathBuf {
    let sink = match store {
        Some(url) => format!("config = {{ url = \"{url}\" }}"),
        None => "embedded = true".to_owned(),
    };
    let (id, hash) = sim.credentials();
    let text = format!(
        r#"[sync]
state_dir = "state"
mode = "full"

{embedding}

[sources.bluejet]
plugin = "{source}"
config = {{ base_url = "{url}" }}
secrets = {{ token_id = "{id}", token_hash = "{hash}" }}

[sinks.store]
plugin = "{sink}"
{sink_settings}

[pipelines.products]
source = "bluejet"
stream = "products"
sink = "store"
collection = "{collection}"
text = "{TEXT}"
"#,
        source = weir_harness::plugin("bluejet-source").display(),
        sink = weir_harness::plugin("qdrant-sink").display(),
        url = sim.url(),
        sink_settings = sink,
    );
    let path = dir.join("weir.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn measured(label: &str, sim: &RunningBlueJetSim, cfg: &Path, mode: &str) -> Measured {
    let before = sim.stats();
    let (wall_s, report, peak_rss_mb, cpu_s) = weir_run(cfg, mode);
    let after = sim.stats();
    let bluejet_calls = (after.data_calls + after.auth_calls) - (before.data_calls + before.auth_calls);
    let m = Measured { label: label.to_owned(), wall_s, report, peak_rss_mb, cpu_s, bluejet_calls };
    eprintln!("  {label}: {:.2} s", m.wall_s);
    m
}

/// The five runs of one scenario on one catalogue.
fn series(sim: &RunningBlueJetSim, cfg: &Path) -> Vec<Measured> {
    let mut out = vec![
        measured("full, initial", sim, cfg, "full"),
        measured("full, nothing changed", sim, cfg, "full"),
        measured("incremental, nothing changed", sim, cfg, "incremental"),
    ];
    sim.change(&ChangeRequest::new(PRODUCTS).modify_share(0.01).price_only_share(0.5)).unwrap();
    out.push(measured("incremental, 1 % changed (half price-only)", sim, cfg, "incremental"));
    sim.change(&ChangeRequest::new(PRODUCTS).delete_share(0.005)).unwrap();
    out.push(measured("reconcile, 0.5 % deleted", sim, cfg, "reconcile"));
    out
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or(0.0)
}

fn u(v: &Value) -> u64 {
    v.as_u64().unwrap_or(0)
}

/// Time inside plugin code and boundary crossings (calls minus their HTTP waits), seconds.
fn wasm_s(r: &Value) -> f64 {
    r["plugins"]
        .as_object()
        .map(|p| p.values().map(|c| (u(&c["busy_us"]).saturating_sub(u(&c["http_us"]))) as f64 / 1e6).sum())
        .unwrap_or(0.0)
}

fn table(title: &str, rows: &[Measured]) {
    println!("\n### {title}\n");
    println!(
        "| run | wall s | records/s | busy s: read / process / embed / write / commit | BlueJet calls | embed requests | tokens | cache hits | peak RSS MiB | CPU s | plugin code s |"
    );
    println!("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|");
    for m in rows {
        let r = &m.report;
        let s = &r["stages"];
        let e = &r["embedding"];
        let (hits, misses) = (u(&e["cache_hits"]), u(&e["cache_misses"]));
        let hit_rate = if hits + misses == 0 {
            "–".to_owned()
        } else {
            format!("{:.0} %", 100.0 * hits as f64 / (hits + misses) as f64)
        };
        println!(
            "| {} | {:.2} | {:.0} | {:.1} / {:.1} / {:.1} / {:.1} / {:.1} | {} | {} | {} | {} | {:.0} | {:.1} | {:.2} |",
            m.label,
            m.wall_s,
            u(&r["counts"]["fetched"]).max(u(&r["counts"]["listed"])) as f64 / m.wall_s,
            f(&s["read_ms"]) / 1e3,
            f(&s["process_ms"]) / 1e3,
            f(&s["embed_ms"]) / 1e3,
            f(&s["write_ms"]) / 1e3,
            f(&s["commit_ms"]) / 1e3,
            m.bluejet_calls,
            u(&e["requests"]),
            u(&e["tokens"]),
            hit_rate,
            m.peak_rss_mb,
            m.cpu_s,
            wasm_s(r),
        );
    }
}

fn to_json(m: &Measured) -> Value {
    json!({ "label": m.label, "wall_s": m.wall_s, "peak_rss_mib": m.peak_rss_mb, "cpu_s": m.cpu_s,
            "bluejet_calls": m.bluejet_calls, "report": m.report })
}

async fn sim(products: usize) -> RunningBlueJetSim {
    BlueJetSim::builder().products(products).credentials("bench-id", "bench-hash").start().await.unwrap()
}

async fn hash(a: &Args, out: &mut Vec<Value>) {
    let sim = sim(a.products).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), &sim, "[embedding]\nprovider = \"hash\"\n");
    eprintln!("hash embedder, {} products, latency off", a.products);
    let rows = tokio::task::block_in_place(|| series(&sim, &cfg));
    table(&format!("Hash embedder, {} products, latency off", a.products), &rows);
    let full = &rows[0];
    let incr = &rows[3];
    let wasm = wasm_s(&full.report);
    println!();
    println!("- incremental 1 % / full initial wall: **{:.2} %** (target < 3 %)", 100.0 * incr.wall_s / full.wall_s);
    println!(
        "- plugin code and boundary crossings / total CPU of the initial full sync: **{:.2} %** ({wasm:.2} s of {:.1} s; target < 2 %)",
        100.0 * wasm / full.cpu_s,
        full.cpu_s
    );
    println!("- no-change incremental: **{:.2} s** (target < 2 s)", rows[2].wall_s);
    out.push(
        json!({ "scenario": "hash", "products": a.products, "runs": rows.iter().map(to_json).collect::<Vec<_>>() }),
    );
    sim.shutdown().await;
}

async fn openai(a: &Args, out: &mut Vec<Value>) {
    let sim = sim(a.openai_products).await;
    sim.set_faults(FaultSpec { latency_ms: 150, jitter_ms: 50, ..FaultSpec::default() });
    let provider = OpenAiSim::builder()
        .rpm(10_000)
        .tpm(10_000_000)
        .faults(FaultSpec { latency_ms: 300, ..FaultSpec::default() })
        .start()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let embedding = format!(
        "[embedding]\nprovider = \"openai\"\nmodel = \"text-embedding-3-small\"\ndimensions = 256\n\
         base_url = \"{}/v1\"\napi_key = \"{}\"\nrequests_per_minute = 10000\ntokens_per_minute = 10000000\nmax_concurrency = 8\n",
        provider.url(),
        provider.api_key()
    );
    let cfg = write_config(dir.path(), &sim, &embedding);
    eprintln!("OpenAI-compatible simulator, {} products, realistic latency", a.openai_products);
    let rows = tokio::task::block_in_place(|| series(&sim, &cfg));
    table(
        &format!(
            "OpenAI-compatible simulator (300 ms per request, 10k RPM / 10M TPM), BlueJet pages 150 ± 50 ms, {} products",
            a.openai_products
        ),
        &rows,
    );
    out.push(json!({ "scenario": "openai", "products": a.openai_products, "runs": rows.iter().map(to_json).collect::<Vec<_>>() }));
    provider.shutdown().await;
    sim.shutdown().await;
}

async fn local(a: &Args, out: &mut Vec<Value>) {
    use weir_embed::{Embedder, LocalConfig, LocalEmbedder, LocalModel, Purpose};
    let sim = sim(a.local_products).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), &sim, "[embedding]\nprovider = \"local\"\nmodel = \"multilingual-e5-small\"\n");
    eprintln!("local model, {} products", a.local_products);
    let rows = tokio::task::block_in_place(|| series(&sim, &cfg));
    table(&format!("Local model (multilingual-e5-small, int8), {} products, latency off", a.local_products), &rows);

    // The model alone on the same texts, in this process, after the sync (same machine state).
    let template = weir_engine::Template::parse(TEXT).unwrap();
    let keys = sim.keys(PRODUCTS);
    let texts: Vec<String> = rows[0].report["counts"]["fetched"]
        .as_u64()
        .map(|_| keys.iter().map(|k| template.render(&Value::Object(sim.record(PRODUCTS, k).unwrap()))).collect())
        .unwrap_or_default();
    let embedder = LocalEmbedder::new(LocalConfig::new(LocalModel::MultilingualE5Small)).unwrap();
    embedder.embed(&texts[..8.min(texts.len())], Purpose::Passage).await.unwrap();
    let t = Instant::now();
    embedder.embed(&texts, Purpose::Passage).await.unwrap();
    let alone = t.elapsed().as_secs_f64();
    let full = &rows[0];
    println!();
    println!(
        "- full sync wall / the model alone on the same {} texts: {:.1} s / {:.1} s = **{:.2}×** (target ≤ 1.15×)",
        texts.len(),
        full.wall_s,
        alone,
        full.wall_s / alone
    );
    out.push(json!({ "scenario": "local", "products": a.local_products, "model_alone_s": alone,
                     "runs": rows.iter().map(to_json).collect::<Vec<_>>() }));
    sim.shutdown().await;
}

async fn scaling(a: &Args, out: &mut Vec<Value>, external: bool) {
    // External: qdrant-local runs in this benchmark process, so the measured weir process
    // holds only the engine, the plugins and the embedder, not the collection.
    let store_dir = tempfile::tempdir().unwrap();
    let store = if external {
        Some(qdrant_local::QdrantLocal::start(store_dir.path(), qdrant_local::LOOPBACK).await.unwrap())
    } else {
        None
    };
    let url = store.as_ref().map(|s| s.rest_url());
    let where_ = if external { "store outside the weir process" } else { "embedded store" };
    println!("\n### Scaling: initial full sync, hash embedder, latency off, {where_}\n");
    println!("| products | wall s | records/s | peak RSS MiB | CPU s |");
    println!("|---:|---:|---:|---:|---:|");
    let mut runs = Vec::new();
    for &n in &a.scaling {
        let sim = sim(n).await;
        let dir = tempfile::tempdir().unwrap();
        let collection = format!("products_{n}");
        let cfg = write_config_to(dir.path(), &sim, "[embedding]\nprovider = \"hash\"\n", url.as_deref(), &collection);
        eprintln!("scaling: {n} products ({where_})");
        let m = tokio::task::block_in_place(|| measured(&format!("{n}"), &sim, &cfg, "full"));
        println!("| {n} | {:.2} | {:.0} | {:.0} | {:.1} |", m.wall_s, n as f64 / m.wall_s, m.peak_rss_mb, m.cpu_s);
        runs.push(to_json(&m));
        if let Some(u) = &url {
            let _ = reqwest::Client::new().delete(format!("{u}/collections/{collection}_v1")).send().await;
        }
        sim.shutdown().await;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    if let Some(store) = store {
        store.shutdown().await.unwrap();
    }
    out.push(json!({ "scenario": if external { "scaling-external" } else { "scaling" }, "runs": runs }));
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let a = args();
    println!("## Sync benchmark, {}", chrono::Utc::now().format("%Y-%m-%d"));
    println!("\nMachine: {} cores; `weir` built in the test profile (dependencies at opt-level 2).", cores());
    let mut out = Vec::new();
    for s in a.scenarios.clone() {
        match s.as_str() {
            "hash" => hash(&a, &mut out).await,
            "openai" => openai(&a, &mut out).await,
            "local" => local(&a, &mut out).await,
            "scaling" => scaling(&a, &mut out, false).await,
            "scaling-external" => scaling(&a, &mut out, true).await,
            other => panic!("unknown scenario `{other}` (hash, openai, local, scaling, scaling-external)"),
        }
    }
    let dir = weir_harness::target_dir().join("bench");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("sync.json"), serde_json::to_string_pretty(&out).unwrap()).unwrap();
}

fn cores() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}
