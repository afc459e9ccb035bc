//! End-to-end sync benchmark: the `weir` binary against the BlueJet simulator, the embedded
//! store and each embedder, in the scenarios of `docs/BENCHMARKS.md`.
//!
//! ```text
//! cargo xtask bench                              # every scenario
//! cargo xtask bench hash scaling                 # some of them
//! cargo xtask bench local --local-products 3000  # sizes: --products, --local-products,
//!                                                # --openai-products, --scaling 10000,50000;
//!                                                # --local-rounds N
//! ```
//!
//! Scenarios: `hash` (latency off), `openai` (BlueJet pages 150 ± 50 ms, embedding requests
//! 300 ms, against the simulators), `local` (the bundled model; then weir's initial full sync
//! against the model alone at its best batching on the same texts and against weir's batching
//! before length sorting, `--local-rounds N` alternating), `scaling` (initial full syncs of growing catalogues; `scaling-external`
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
/// Texts of the local scenario's sweep of the model alone's settings.
const SWEEP_TEXTS: usize = 500;

struct Args {
    scenarios: Vec<String>,
    products: usize,
    openai_products: usize,
    local_products: usize,
    local_rounds: usize,
    scaling: Vec<usize>,
}

fn args() -> Args {
    let mut a = Args {
        scenarios: Vec::new(),
        products: 109_253,
        openai_products: 109_253,
        local_products: 2_000,
        local_rounds: 1,
        scaling: vec![10_000, 50_000, 109_253, 500_000],
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut num = || it.next().and_then(|v| v.replace('_', "").parse::<usize>().ok()).expect("a number");
        match arg.as_str() {
            "--products" => a.products = num(),
            "--openai-products" => a.openai_products = num(),
            "--local-products" => a.local_products = num(),
            "--local-rounds" => a.local_rounds = num().max(1),
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
fn weir_run(cfg: &Path, mode: &str, envs: &[(&str, &str)]) -> (f64, Value, f64, f64) {
    let t = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_weir"))
        .args(["run", "--json", "--force", "--mode", mode, "--config"])
        .arg(cfg)
        .env("WEIR_LOG", "warn")
        .envs(envs.iter().copied())
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

/// CPU seconds this process has used so far, all threads (user and system).
fn own_cpu_s() -> f64 {
    // SAFETY: an all-zero rusage is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: the pointer is to a live local.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    tv(usage.ru_utime) + tv(usage.ru_stime)
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
    measured_with(label, sim, cfg, mode, &[])
}

/// [`measured`] with extra environment variables for the child.
fn measured_with(label: &str, sim: &RunningBlueJetSim, cfg: &Path, mode: &str, envs: &[(&str, &str)]) -> Measured {
    let before = sim.stats();
    let (wall_s, report, peak_rss_mb, cpu_s) = weir_run(cfg, mode, envs);
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

/// Local model: the usual series, then weir's initial full sync against the model alone at
/// its best batching on the same texts (bare ONNX Runtime sessions, all texts tokenised
/// beforehand and sorted by length together), and against weir with the batching it had
/// before length sorting (`WEIR_LOCAL_BATCHING=legacy`: 16 texts per call in catalogue order).
/// The model alone's best sessions × threads and token budget come from a sweep on the first
/// [`SWEEP_TEXTS`] texts; with `--local-rounds N` the three runs repeat N times, alternating
/// their order. Texts per CPU second are reported beside texts per second: on a machine with
/// other work they show the overhead when the wall times cannot.
async fn local(a: &Args, out: &mut Vec<Value>) {
    use weir_embed::{DEFAULT_BATCH_SIZE, LocalModel, ModelAlone, ModelPaths, Purpose};
    let model = LocalModel::MultilingualE5Small;
    let paths = ModelPaths::discover();
    assert!(paths.is_installed(model), "the local model is not installed: run `cargo xtask setup`");
    let sim = sim(a.local_products).await;
    let keep = tempfile::tempdir().unwrap();
    let embedding = "[embedding]\nprovider = \"local\"\nmodel = \"multilingual-e5-small\"\n";
    let cfg = write_config(keep.path(), &sim, embedding);
    eprintln!("local model, {} products", a.local_products);
    let rows = tokio::task::block_in_place(|| series(&sim, &cfg));
    table(&format!("Local model (multilingual-e5-small, int8), {} products, latency off", a.local_products), &rows);
    sim.shutdown().await;

    // The texts weir sends for the catalogue as a fresh simulator serves it.
    let fresh = self::sim(a.local_products).await;
    let template = weir_engine::Template::parse(TEXT).unwrap();
    let id = model.model_id();
    let texts: Vec<String> = fresh
        .keys(PRODUCTS)
        .iter()
        .map(|k| template.render(&Value::Object(fresh.record(PRODUCTS, k).unwrap())))
        .filter(|t| !t.is_empty())
        .map(|t| id.text_for(Purpose::Passage, &t).into_owned())
        .collect();
    fresh.shutdown().await;

    // The model alone: which sessions × threads and token budget do best.
    let sample = &texts[..texts.len().min(SWEEP_TEXTS)];
    println!("\n### The model alone (bare ONNX Runtime, texts tokenised beforehand), first {} texts\n", sample.len());
    println!("| sessions × threads | batching | texts/s | texts per CPU s | padding efficiency |");
    println!("|---|---|---:|---:|---:|");
    let mut layouts: Vec<((usize, usize), ModelAlone)> =
        [(1, 2), (2, 1)].into_iter().map(|(s, t)| ((s, t), ModelAlone::new(&paths, model, s, t).unwrap())).collect();
    let mut sweep = Vec::new();
    let mut best: Option<((usize, usize), usize, f64)> = None;
    for (layout, alone) in &mut layouts {
        let warm = alone.prepare(&sample[..32.min(sample.len())], 0, 16, false).unwrap();
        alone.run(&warm).unwrap();
        let mut grid: Vec<(usize, usize, bool)> = vec![(0, 16, false), (0, 16, true)];
        grid.extend([400, 600, 800, 1200, 1600, 2400].map(|b| (b, DEFAULT_BATCH_SIZE, true)));
        for (budget, max_texts, sort) in grid {
            let prepared = alone.prepare(sample, budget, max_texts, sort).unwrap();
            let cpu = own_cpu_s();
            let rate = prepared.texts as f64 / alone.run(&prepared).unwrap().as_secs_f64();
            let per_cpu = prepared.texts as f64 / (own_cpu_s() - cpu);
            let efficiency = prepared.tokens as f64 / prepared.padded_tokens as f64;
            let batching = match (budget, sort) {
                (0, false) => "16 texts, catalogue order".to_owned(),
                (0, true) => "16 texts, sorted".to_owned(),
                (b, _) => format!("sorted, ≤ {b} padded tokens"),
            };
            println!("| {} × {} | {batching} | {rate:.1} | {per_cpu:.1} | {efficiency:.2} |", layout.0, layout.1);
            sweep.push(
                json!({ "sessions": layout.0, "threads": layout.1, "max_tokens": budget, "max_texts": max_texts,
                               "sorted": sort, "texts_per_s": rate, "texts_per_cpu_s": per_cpu,
                               "padding_efficiency": efficiency }),
            );
            if budget > 0 && best.is_none_or(|(_, _, r)| rate > r) {
                best = Some((*layout, budget, rate));
            }
        }
    }
    let ((sessions, threads), budget, _) = best.unwrap();
    let alone_index = layouts.iter().position(|(l, _)| *l == (sessions, threads)).unwrap();
    let all = layouts[alone_index].1.prepare(&texts, budget, DEFAULT_BATCH_SIZE, true).unwrap();

    // weir against the model alone and against weir's batching before, alternating.
    struct Run {
        what: &'static str,
        round: usize,
        per_s: f64,
        per_cpu_s: f64,
        weir: Option<Measured>,
    }
    let mut runs: Vec<Run> = Vec::new();
    for round in 0..a.local_rounds {
        let mut order = ["weir", "legacy", "alone"];
        if round % 2 == 1 {
            order.reverse();
        }
        for what in order {
            if what == "alone" {
                let cpu = own_cpu_s();
                let secs = layouts[alone_index].1.run(&all).unwrap().as_secs_f64();
                let cpu = own_cpu_s() - cpu;
                eprintln!("  model alone: {secs:.2} s");
                let (per_s, per_cpu_s) = (texts.len() as f64 / secs, texts.len() as f64 / cpu);
                runs.push(Run { what, round, per_s, per_cpu_s, weir: None });
                continue;
            }
            let sim = self::sim(a.local_products).await;
            let dir = tempfile::tempdir().unwrap();
            let cfg = write_config(dir.path(), &sim, embedding);
            let envs: &[(&str, &str)] = if what == "legacy" { &[("WEIR_LOCAL_BATCHING", "legacy")] } else { &[] };
            let m = tokio::task::block_in_place(|| measured_with(what, &sim, &cfg, "full", envs));
            let (per_s, per_cpu_s) = (texts.len() as f64 / m.wall_s, texts.len() as f64 / m.cpu_s);
            runs.push(Run { what, round, per_s, per_cpu_s, weir: Some(m) });
            sim.shutdown().await;
        }
    }

    println!(
        "\n### Local full sync against the model alone, {} products ({} texts), {} round(s) alternating\n",
        a.local_products,
        texts.len(),
        a.local_rounds
    );
    println!("| round | run | texts/s | texts per CPU s | wall s | texts embedded | inference calls | peak RSS MiB |");
    println!("|---:|---|---:|---:|---:|---:|---:|---:|");
    let efficiency = all.tokens as f64 / all.padded_tokens as f64;
    for r in &runs {
        let label = match r.what {
            "weir" => "weir full sync (length-sorted batching, defaults)".to_owned(),
            "legacy" => "weir full sync, batching before (16 texts in catalogue order)".to_owned(),
            _ => format!(
                "model alone: {sessions} × {threads} threads, all texts sorted, ≤ {budget} padded tokens (padding efficiency {efficiency:.2})"
            ),
        };
        let (wall, embedded, calls, peak) = match &r.weir {
            Some(m) => (
                m.wall_s,
                u(&m.report["embedding"]["cache_misses"]),
                u(&m.report["embedding"]["requests"]),
                format!("{:.0}", m.peak_rss_mb),
            ),
            None => (texts.len() as f64 / r.per_s, all.texts as u64, all.calls() as u64, "–".to_owned()),
        };
        println!(
            "| {} | {label} | {:.1} | {:.1} | {wall:.1} | {embedded} | {calls} | {peak} |",
            r.round + 1,
            r.per_s,
            r.per_cpu_s
        );
    }
    let median = |what: &str, cpu: bool| {
        let mut v: Vec<f64> =
            runs.iter().filter(|r| r.what == what).map(|r| if cpu { r.per_cpu_s } else { r.per_s }).collect();
        v.sort_by(f64::total_cmp);
        (v[(v.len() - 1) / 2] + v[v.len() / 2]) / 2.0
    };
    let (weir, legacy, alone) = (median("weir", false), median("legacy", false), median("alone", false));
    let (weir_cpu, legacy_cpu, alone_cpu) = (median("weir", true), median("legacy", true), median("alone", true));
    println!();
    println!(
        "- weir / the model alone at its best batching: {weir:.1} / {alone:.1} texts/s = **{:.2}** (target ≥ 0.85)",
        weir / alone
    );
    println!(
        "- weir / weir's batching before: {weir:.1} / {legacy:.1} texts/s = **{:.2}×** (target ≥ 2×)",
        weir / legacy
    );
    println!(
        "- per CPU second: weir / the model alone {weir_cpu:.1} / {alone_cpu:.1} = {:.2}; weir / before {weir_cpu:.1} / {legacy_cpu:.1} = {:.2}×",
        weir_cpu / alone_cpu,
        weir_cpu / legacy_cpu
    );
    let comparison: Vec<Value> = runs
        .iter()
        .map(|r| {
            json!({ "run": r.what, "round": r.round, "texts_per_s": r.per_s, "texts_per_cpu_s": r.per_cpu_s,
                    "weir": r.weir.as_ref().map(to_json) })
        })
        .collect();
    out.push(json!({ "scenario": "local", "products": a.local_products, "texts": texts.len(),
                     "runs": rows.iter().map(to_json).collect::<Vec<_>>(), "model_alone_sweep": sweep,
                     "best": { "sessions": sessions, "threads": threads, "max_tokens": budget },
                     "comparison": comparison, "weir_over_alone": weir / alone, "weir_over_legacy": weir / legacy,
                     "weir_over_alone_per_cpu": weir_cpu / alone_cpu, "weir_over_legacy_per_cpu": weir_cpu / legacy_cpu }));
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

/// Initial full syncs with a dense and a lexical vector per point (the default) against dense
/// only, alternating on one simulator (at least 3 rounds, more with `--local-rounds`; each a fresh state and
/// collection), hash embedder, latency off: what the lexical side costs a sync.
async fn hybrid(a: &Args, out: &mut Vec<Value>) {
    let sim = sim(a.products).await;
    eprintln!("hybrid against dense-only, {} products, {} rounds", a.products, a.local_rounds.max(3));
    let mut rows = Vec::new();
    let mut rates: std::collections::BTreeMap<&str, Vec<f64>> = Default::default();
    for round in 0..a.local_rounds.max(3) {
        let mut order = [("hybrid", ""), ("dense", "search = \"dense\"\n")];
        if round % 2 == 1 {
            order.reverse();
        }
        for (kind, extra) in order {
            let dir = tempfile::tempdir().unwrap();
            let cfg = write_config_to(
                dir.path(),
                &sim,
                "[embedding]\nprovider = \"hash\"\n",
                None,
                &format!("{kind}{round}"),
            );
            let mut text = std::fs::read_to_string(&cfg).unwrap();
            text.push_str(extra);
            std::fs::write(&cfg, text).unwrap();
            let m =
                tokio::task::block_in_place(|| measured(&format!("{kind}, round {}", round + 1), &sim, &cfg, "full"));
            rates.entry(kind).or_default().push(u(&m.report["counts"]["fetched"]) as f64 / m.wall_s);
            rows.push(m);
        }
    }
    table(&format!("Hybrid against dense-only, hash embedder, {} products, latency off", a.products), &rows);
    let median = |v: &[f64]| {
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (h, d) = (median(&rates["hybrid"]), median(&rates["dense"]));
    println!("\n- hybrid / dense-only records/s (medians): **{:.2}** ({h:.0} / {d:.0}; target ≥ 0.8)", h / d);
    out.push(
        json!({ "scenario": "hybrid", "products": a.products, "runs": rows.iter().map(to_json).collect::<Vec<_>>() }),
    );
    sim.shutdown().await;
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
            "hybrid" => hybrid(&a, &mut out).await,
            other => panic!("unknown scenario `{other}` (hash, openai, local, scaling, scaling-external, hybrid)"),
        }
    }
    let dir = weir_harness::target_dir().join("bench");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("sync.json"), serde_json::to_string_pretty(&out).unwrap()).unwrap();
}

fn cores() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}
