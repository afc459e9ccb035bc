//! Ctrl-C and SIGTERM take effect within seconds, whatever the embedder is doing: `weir run`
//! and `weir daemon` are signalled in the middle of a sync against an embedding provider that
//! takes 300 ms per request (and against the local model, where it is installed); each must
//! exit soon after the signal, having committed only what was written, so that the next run
//! resumes from an exact checkpoint and ends with the store equal to the source. A second
//! signal exits at once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::BufRead;
use std::process::{Child, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use bluejet_sim::{BlueJetSim, FaultSpec, OpenAiSim, RunningOpenAiSim};
use common::{Env, env, reports, text};
use serde_json::Value;

const OPENAI_KEY: &str = "sk-weir-stop-5e2a";
/// The interrupted exit code of README's table.
const EXIT_INTERRUPTED: i32 = 130;
/// What the tests allow from signal to exit; the target is 5 s, the margin is for a loaded
/// machine. The measured times are printed.
const STOP_WITHIN: Duration = Duration::from_secs(8);

/// 6,000 products in batches of 20 at 300 ms per request and two requests at once: ~45 s of
/// embedding, so the signal lands in the middle.
async fn slow_provider() -> (Env, RunningOpenAiSim) {
    let e = env(BlueJetSim::builder().products(6_000)).await;
    let openai = OpenAiSim::builder()
        .api_key(OPENAI_KEY)
        .faults(FaultSpec { latency_ms: 300, ..FaultSpec::default() })
        .start()
        .await
        .unwrap();
    (e, openai)
}

fn openai_config(e: &Env, openai: &RunningOpenAiSim, name: &str, extra: &str) -> String {
    let embedding = format!(
        "[embedding]\nprovider = \"openai\"\nmodel = \"text-embedding-3-small\"\ndimensions = 64\n\
         base_url = \"{}/v1\"\napi_key = \"${{TEST_OPENAI_KEY}}\"\n",
        openai.url()
    );
    let sink = format!("config = {{ url = \"{}\" }}", e.store.rest_url());
    let extra = format!("batch_size = 20\n{extra}");
    // `batch_size` is set once: the common table's line is replaced.
    let path = e.config_with(name, name, &embedding, &sink, "");
    let toml = std::fs::read_to_string(&path).unwrap().replace("batch_size = 200\n", &extra);
    std::fs::write(&path, toml).unwrap();
    path.to_str().unwrap().to_owned()
}

/// `weir ARGS` with its stderr read line by line on a thread.
fn spawn(e: &Env, args: &[&str]) -> (Child, Receiver<String>) {
    let mut c = e.weir();
    c.env("TEST_OPENAI_KEY", OPENAI_KEY).args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    (child, rx)
}

fn signal(child: &Child, sig: libc::c_int) {
    // SAFETY: kill(2) on the id of a child this test spawned and has not reaped.
    #[allow(unsafe_code)]
    let rc = unsafe { libc::kill(child.id() as libc::pid_t, sig) };
    assert_eq!(rc, 0, "kill failed");
}

/// Waits for `child` to exit, at most `limit`; its status and how long it took.
async fn exit_within(child: &mut Child, limit: Duration, what: &str) -> (ExitStatus, Duration) {
    let t = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return (status, t.elapsed());
        }
        if t.elapsed() > limit {
            let _ = child.kill();
            panic!("{what}: still running {:?} after the signal", t.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Waits until stderr shows a line containing `needle`; the lines seen so far are kept.
fn wait_line(rx: &Receiver<String>, seen: &mut Vec<String>, needle: &str, limit: Duration) {
    let t = Instant::now();
    while t.elapsed() < limit {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(50)) {
            let hit = line.contains(needle);
            seen.push(line);
            if hit {
                return;
            }
        }
    }
    panic!("no `{needle}` on stderr within {limit:?}:\n{}", seen.join("\n"));
}

/// Waits until the provider answered `n` requests: the run is embedding.
async fn embedding_started(openai: &RunningOpenAiSim, n: u64) {
    let t = Instant::now();
    while openai.stats().succeeded < n {
        assert!(t.elapsed() < Duration::from_secs(120), "no embedding request reached the provider");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// After an interrupted run: the next run resumes from the checkpoint and ends exact.
async fn resume_is_exact(e: &Env, openai: &RunningOpenAiSim, cfg: &str, collection: &str, context: &str) {
    // Fast now: only the interrupted run needed a slow provider.
    openai.set_faults(FaultSpec::default());
    let o = e.output_with_key(&["run", "--json", "--config", cfg]).await;
    assert!(o.status.success(), "{context}: the resumed run failed: {}", text(&o));
    let r = &reports(&o)[0];
    assert_eq!(r["status"], "success", "{context}: {r}");
    assert_eq!(r["resumed"], true, "{context}: the next run did not resume the checkpoint: {r}");
    assert_eq!(r["count_check"]["mismatch"], Value::Null, "{context}: {r}");
    e.assert_exact(collection, context).await;
}

impl Env {
    async fn output_with_key(&self, args: &[&str]) -> std::process::Output {
        let mut c = self.weir();
        c.env("TEST_OPENAI_KEY", OPENAI_KEY).args(args);
        tokio::task::spawn_blocking(move || c.output().unwrap()).await.unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_stops_a_run_against_a_slow_provider_within_seconds_and_the_next_run_resumes_exact() {
    let (e, openai) = slow_provider().await;
    let cfg = openai_config(&e, &openai, "sigint", "");
    let (mut child, rx) = spawn(&e, &["run", "--json", "--config", &cfg]);
    embedding_started(&openai, 1).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let before = openai.stats().requests;
    signal(&child, libc::SIGINT);
    let (status, took) = exit_within(&mut child, Duration::from_secs(60), "weir run after SIGINT").await;
    let after = openai.stats().requests;
    eprintln!("weir run: SIGINT to exit {took:?}; {} embedding requests after the signal", after - before);
    let mut stdout = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut stdout).unwrap();
    let stderr: Vec<String> = rx.try_iter().collect();
    let stderr = stderr.join("\n");
    assert_eq!(status.code(), Some(EXIT_INTERRUPTED), "{stderr}");
    assert!(took < STOP_WITHIN, "weir run took {took:?} to stop after SIGINT:\n{stderr}");
    // Two requests run at once: besides those under way, at most one may have started as the
    // signal was sent. The queued batches were dropped, not embedded.
    assert!(after - before <= 4, "{} embedding requests after the signal", after - before);
    let report: Vec<Value> = serde_json::from_str(&stdout).unwrap_or_else(|err| panic!("{err}: {stdout}\n{stderr}"));
    let r = &report[0];
    assert_eq!(r["status"], "interrupted", "{r}");
    let (committed, dropped) = (r["batches"].as_u64().unwrap(), r["dropped_batches"].as_u64().unwrap());
    assert!(committed > 0 && r["counts"]["fetched"].as_u64().unwrap() < 6_000, "{r}");
    let line = format!("products: stopped: {committed} batches committed, {dropped} dropped; the next run resumes");
    assert!(stderr.contains(&line), "no `{line}` in:\n{stderr}");
    // The sink holds at least every committed record (a dropped batch may have been written
    // in part: the next run overwrites it).
    let (points, _) = e.points("sigint").await;
    assert!(points.len() as u64 >= r["counts"]["upserted"].as_u64().unwrap(), "{} points for {r}", points.len());

    resume_is_exact(&e, &openai, &cfg, "sigint", "after SIGINT").await;
    openai.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_ctrl_c_exits_at_once_and_the_next_run_resumes_exact() {
    let (e, openai) = slow_provider().await;
    let cfg = openai_config(&e, &openai, "twice", "");
    let (mut child, rx) = spawn(&e, &["run", "--json", "--config", &cfg]);
    embedding_started(&openai, 1).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut seen = Vec::new();
    signal(&child, libc::SIGINT);
    wait_line(&rx, &mut seen, "stopping:", Duration::from_secs(5));
    signal(&child, libc::SIGINT);
    let (status, took) = exit_within(&mut child, Duration::from_secs(30), "weir run after a second SIGINT").await;
    eprintln!("weir run: second SIGINT to exit {took:?}");
    seen.extend(rx.try_iter());
    let stderr = seen.join("\n");
    assert_eq!(status.code(), Some(EXIT_INTERRUPTED), "{stderr}");
    assert!(took < Duration::from_secs(2), "a second SIGINT took {took:?} to exit:\n{stderr}");
    assert!(stderr.contains("aborted"), "{stderr}");

    resume_is_exact(&e, &openai, &cfg, "twice", "after a second SIGINT").await;
    openai.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_the_daemon_and_its_running_sync_within_seconds() {
    let (e, openai) = slow_provider().await;
    let cfg = openai_config(&e, &openai, "daemon", "schedule = \"0 3 * * *\"\n");
    let (mut child, rx) = spawn(&e, &["daemon", "--run-now", "--listen", "127.0.0.1:0", "--config", &cfg]);
    embedding_started(&openai, 1).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let before = openai.stats().requests;
    signal(&child, libc::SIGTERM);
    let (status, took) = exit_within(&mut child, Duration::from_secs(60), "weir daemon after SIGTERM").await;
    let after = openai.stats().requests;
    eprintln!("weir daemon: SIGTERM to exit {took:?}; {} embedding requests after the signal", after - before);
    let stderr: Vec<String> = rx.try_iter().collect();
    let stderr = stderr.join("\n");
    assert!(status.success(), "the daemon's stop on SIGTERM is a clean exit: {status:?}\n{stderr}");
    assert!(took < STOP_WITHIN, "weir daemon took {took:?} to stop after SIGTERM:\n{stderr}");
    assert!(after - before <= 4, "{} embedding requests after the signal", after - before);
    let (points, _) = e.points("daemon").await;
    assert!(points.len() < 6_000, "the daemon's run was not interrupted: {} points", points.len());

    resume_is_exact(&e, &openai, &cfg, "daemon", "after the daemon's SIGTERM").await;
    openai.shutdown().await;
}

/// The local model runs its inference on blocking threads, which no dropped future stops: the
/// embedder must run no further inference call once its caller gave up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_stops_a_run_embedding_with_the_local_model_within_seconds() {
    let paths = weir_embed::ModelPaths::discover();
    let model = weir_embed::LocalModel::MultilingualE5Small;
    if !paths.is_installed(model) {
        eprintln!(
            "\n!!! SKIPPED: local model {} not found under {} — run `cargo xtask setup` !!!\n",
            model.name(),
            paths.root.display()
        );
        return;
    }
    let e = env(BlueJetSim::builder().products(1_500)).await;
    let sink = format!("config = {{ url = \"{}\" }}", e.store.rest_url());
    let path = e.config_with("local", "local", "[embedding]\nprovider = \"local\"\n", &sink, "");
    let toml = std::fs::read_to_string(&path).unwrap().replace("batch_size = 200\n", "batch_size = 100\n");
    std::fs::write(&path, toml).unwrap();
    let cfg = path.to_str().unwrap().to_owned();

    let (mut child, rx) = spawn(&e, &["run", "--json", "--config", &cfg]);
    // The model loads, then the first batches are written; the signal comes as the next ones
    // are being embedded.
    let t = Instant::now();
    let collection = format!("{}/collections/local", e.store.rest_url());
    loop {
        let info: Value = match reqwest::get(&collection).await {
            Ok(r) if r.status().is_success() => r.json().await.unwrap(),
            _ => Value::Null,
        };
        if info["result"]["points_count"].as_u64().unwrap_or(0) > 0 {
            break;
        }
        assert!(t.elapsed() < Duration::from_secs(180), "nothing was written with the local model");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    signal(&child, libc::SIGINT);
    let (status, took) = exit_within(&mut child, Duration::from_secs(120), "weir run (local) after SIGINT").await;
    eprintln!("weir run with the local model: SIGINT to exit {took:?}");
    let stderr: Vec<String> = rx.try_iter().collect();
    let stderr = stderr.join("\n");
    assert_eq!(status.code(), Some(EXIT_INTERRUPTED), "{stderr}");
    assert!(took < STOP_WITHIN, "weir run (local) took {took:?} to stop after SIGINT:\n{stderr}");
    assert!(stderr.contains("stopped:"), "{stderr}");

    let o = e.output(&["run", "--json", "--config", &cfg]).await;
    assert!(o.status.success(), "the resumed run failed: {}", text(&o));
    let r = &reports(&o)[0];
    assert_eq!(r["resumed"], true, "{r}");
    assert_eq!(r["count_check"]["mismatch"], Value::Null, "{r}");
    e.assert_exact("local", "after SIGINT with the local model").await;
}
