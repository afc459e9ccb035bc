//! `weir run`, `status`, `search`, `config check` and `daemon` driven as a user would, against a
//! BlueJet simulator and qdrant-local that live in the test process. (The crash tests are in
//! `reliability.rs`.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bluejet_sim::{BlueJetSim, MalformedKind};
use common::{PRODUCTS, TOKEN_HASH, daemon_address, env, reports, text};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_status_search_and_exit_codes() {
    let e = env(BlueJetSim::builder().products(1_200).malformed(PRODUCTS, MalformedKind::EmptyText, 2)).await;
    let cfg =
        e.config("cli", "catalogue", "validation = { required = [\"name\"] }\nindexes = { category = \"keyword\" }");
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
    assert_eq!(String::from_utf8_lossy(&o.stderr).matches("error: ").count(), 1, "reported once: {}", text(&o));
    drop(held);

    // Configuration errors: exit 2, file, line and key named.
    let bad = e.dir.path().join("bad.toml");
    std::fs::write(&bad, "[embedding]\nprovider = \"hash\"\n\n[pipelines.p]\nsource = \"x\"\nstream = \"s\"\nsink = \"y\"\ntext = \"{name}\"\nbatch_sise = 5\n").unwrap();
    let o = e.output(&["run", "--config", bad.to_str().unwrap()]).await;
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let msg = text(&o);
    assert!(
        msg.contains("bad.toml") && msg.contains("line 9, key `pipelines.p.batch_sise`") && msg.contains("batch_sise"),
        "{msg}"
    );
    std::fs::write(&bad, "[embedding]\nprovider = \"hash\"\n").unwrap();
    let o = e.output(&["config", "check", "--config", c]).await;
    assert!(o.status.success(), "{}", text(&o));
    let o = e.output(&["run", "--config", c, "--set", "pipelines.products.batch_size=0"]).await;
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("batch_size"), "{}", text(&o));
    let missing = e.dir.path().join("nope.toml");
    let o = e.output(&["status", "--config", missing.to_str().unwrap()]).await;
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&o.stderr).matches("error: ").count(), 1, "reported once: {}", text(&o));
    assert!(!Path::new(&missing).exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daemon_runs_on_schedule_serves_metrics_status_and_search_and_stops_on_sigterm() {
    let e = env(BlueJetSim::builder().products(800)).await;
    let cfg = e.config("daemon", "daemon", "schedule = \"0 3 * * *\"");
    let mut child = e.weir();
    child
        .args(["daemon", "--run-now", "--listen", "127.0.0.1:0", "--config", cfg.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = child.spawn().unwrap();
    let base = daemon_address(&mut child);
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
    // Each retrieval mode and fusion from the page, the form keeping what was chosen. The hits
    // are compared with `weir search` once the daemon has stopped (it holds the state directory).
    let choices = [("dense", "rrf"), ("sparse", "rrf"), ("hybrid", "rrf"), ("hybrid", "dbsf")];
    let mut pages = Vec::new();
    for (mode, fusion) in choices {
        let q = [("q", name.as_str()), ("k", "4"), ("mode", mode), ("fusion", fusion)];
        let res = client.get(format!("{base}/search")).query(&q).send().await.unwrap();
        assert_eq!(res.status(), 200, "{mode}");
        let html = res.text().await.unwrap();
        assert_eq!(html.matches("class=\"hit\"").count(), 4, "{mode}: {html}");
        assert!(html.contains(&format!("<option selected>{mode}</option>")), "{mode}: {html}");
        assert!(html.contains(&format!("<option selected>{fusion}</option>")), "{fusion}: {html}");
        pages.push(hit_rows(&html));
    }
    let res = client.get(format!("{base}/search")).query(&[("q", "hrnec"), ("mode", "psychic")]).send().await.unwrap();
    assert_eq!(res.status(), 400, "an unknown mode is the user's mistake");

    // The status page in a real browser: headless Chromium renders it, with the last run.
    match chromium() {
        Some(browser) => {
            let dom = dump_dom(&browser, &format!("{base}/"), e.dir.path());
            assert!(dom.contains("id=\"products\"") && dom.contains("class=\"success\""), "{dom}");
            assert!(dom.contains("800"), "the last run's counts are not on the page: {dom}");
            let form = dom.find("<form").map(|i| &dom[i..]).unwrap_or_else(|| panic!("no search box: {dom}"));
            assert!(form.contains("name=\"q\""), "{form}");
            let url = reqwest::Url::parse_with_params(&format!("{base}/search"), &[("q", name.as_str()), ("k", "3")]);
            let dom = dump_dom(&browser, url.unwrap().as_str(), e.dir.path());
            assert_eq!(dom.matches("class=\"hit\"").count(), 3, "{dom}");
        }
        None if std::env::var_os("WEIR_REQUIRE_BROWSER").is_some() => {
            panic!("WEIR_REQUIRE_BROWSER is set but no Chromium was found")
        }
        None => eprintln!("SKIPPED the browser check: no Chromium (`cargo xtask test` installs it)"),
    }

    // SIGTERM: a clean stop.
    stop_on_sigterm(&mut child).await;

    // The page searched in the mode and with the fusion chosen: its hits are those `weir search`
    // finds with the same choice, and the choices find different hits (scores included), so
    // that a page searching otherwise is caught.
    let c = cfg.to_str().unwrap();
    let mut expected: Vec<Vec<Vec<String>>> = Vec::new();
    for ((mode, fusion), page) in choices.iter().zip(&pages) {
        let o =
            e.output(&["search", "--json", "-k", "4", "--mode", mode, "--fusion", fusion, "--config", c, &name]).await;
        assert!(o.status.success(), "{}", text(&o));
        let hits: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
        let rows: Vec<Vec<String>> = hits.iter().map(expected_row).collect();
        assert_eq!(page, &rows, "{mode} {fusion}: the page's hits differ from `weir search`");
        assert!(!expected.contains(&rows), "{mode} {fusion} finds what another choice found: {rows:?}");
        expected.push(rows);
    }
}

/// The cells of each hit row of a search page, unescaped: the score, then the shown fields.
fn hit_rows(html: &str) -> Vec<Vec<String>> {
    html.split("<tr class=\"hit\">")
        .skip(1)
        .map(|row| {
            let row = &row[..row.find("</tr>").unwrap_or_else(|| panic!("an unclosed row: {row}"))];
            row.split("<td>")
                .skip(1)
                .map(|cell| {
                    let cell = cell.strip_suffix("</td>").unwrap_or_else(|| panic!("an unclosed cell: {cell}"));
                    cell.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&")
                })
                .collect()
        })
        .collect()
}

/// The row the search page shows for a hit of `weir search --json`: its score to three
/// decimals (` =` for an identifier match), then every field the page shows, empty if absent.
fn expected_row(hit: &Value) -> Vec<String> {
    let score = hit["score"].as_f64().unwrap() as f32;
    let how = if hit["match"] == json!("identifier") { " =" } else { "" };
    let mut row = vec![format!("{score:.3}{how}")];
    for field in weir_engine::DEFAULT_DISPLAY {
        row.push(match &hit["payload"][*field] {
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        });
    }
    row
}

/// Chromium: `WEIR_CHROMIUM`, else `chromium` or `chromium-browser` on the PATH.
fn chromium() -> Option<std::path::PathBuf> {
    if let Some(p) = std::env::var_os("WEIR_CHROMIUM") {
        return Some(p.into());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).flat_map(|d| [d.join("chromium"), d.join("chromium-browser")]).find(|p| p.is_file())
}

/// The DOM of `url` after Chromium loaded and rendered it.
fn dump_dom(browser: &Path, url: &str, scratch: &Path) -> String {
    let profile = tempfile::tempdir_in(scratch).unwrap();
    let o = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=3000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(["--dump-dom", url])
        .output()
        .unwrap();
    assert!(o.status.success(), "chromium failed: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Help for every command and subcommand, the version, and usage errors (exit 2), as a user
/// meets them.
#[test]
fn every_command_has_help_and_usage_errors_exit_2() {
    let weir = |args: &[&str]| Command::new(env!("CARGO_BIN_EXE_weir")).args(args).output().unwrap();
    let top = weir(&["--help"]);
    assert!(top.status.success());
    let help = String::from_utf8_lossy(&top.stdout).to_string();
    let commands: &[&[&str]] = &[
        &["run"],
        &["status"],
        &["search"],
        &["daemon"],
        &["demo"],
        &["config", "check"],
        &["config", "schema"],
        &["plugin", "list"],
        &["plugin", "inspect"],
        &["plugin", "new"],
        &["plugin", "test"],
    ];
    for cmd in commands {
        assert!(help.contains(cmd[0]), "`weir --help` does not list {}: {help}", cmd[0]);
        let mut args = cmd.to_vec();
        args.push("--help");
        let o = weir(&args);
        let out = String::from_utf8_lossy(&o.stdout).to_string();
        assert!(o.status.success(), "{args:?}: {}", text(&o));
        assert!(out.contains("Usage: weir") && out.lines().count() > 3, "{args:?}: {out}");
    }
    let run = String::from_utf8_lossy(&weir(&["run", "--help"]).stdout).to_string();
    for flag in ["--pipeline", "--mode", "--dry-run", "--json", "--config", "--set"] {
        assert!(run.contains(flag), "`weir run --help` lacks {flag}: {run}");
    }
    let v = weir(&["--version"]);
    assert!(v.status.success() && String::from_utf8_lossy(&v.stdout).starts_with("weir "), "{}", text(&v));
    for bad in [&["frobnicate"][..], &["run", "--mode", "sometimes"], &["search"], &["run", "--no-such-flag"]] {
        let o = weir(bad);
        assert_eq!(o.status.code(), Some(2), "{bad:?}: {}", text(&o));
        assert!(String::from_utf8_lossy(&o.stderr).contains("error"), "{bad:?}: {}", text(&o));
    }
}

/// `weir run` runs its pipelines at once (`sync.parallel_pipelines`): both end exact, each
/// with its own report, in the configuration's order; the one source they read keeps to its
/// `max_requests_in_flight` across both (the simulator counts the requests it holds at once).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pipelines_run_at_once_and_share_their_source_limit() {
    let e = env(BlueJetSim::builder().products(2_000)).await;
    e.sim.set_faults(bluejet_sim::FaultSpec { latency_ms: 20, ..bluejet_sim::FaultSpec::default() });
    let cfg = e.config("par", "first", "read_concurrency = 4");
    let second = "\n[pipelines.second]\nsource = \"bluejet\"\nstream = \"products\"\nsink = \"qdrant\"\n\
                  collection = \"second\"\ntext = \"{name}\"\nbatch_size = 100\nread_concurrency = 4\n";
    let text_of = std::fs::read_to_string(&cfg).unwrap() + second;
    std::fs::write(&cfg, text_of).unwrap();
    let c = cfg.to_str().unwrap();
    let set = ["--set", "sync.parallel_pipelines=2", "--set", "sources.bluejet.max_requests_in_flight=3"];
    let o = e.output(&[&["run", "--json", "--config", c][..], &set[..]].concat()).await;
    assert!(o.status.success(), "{}", text(&o));
    let r = reports(&o);
    let names: Vec<&str> = r.iter().map(|r| r["pipeline"].as_str().unwrap()).collect();
    assert_eq!(names, ["products", "second"]);
    assert_ne!(r[0]["run_id"], r[1]["run_id"], "runs started together have their own ids");
    for r in &r {
        assert_eq!(r["status"], "success", "{r}");
        assert_eq!(r["counts"]["fetched"], 2_000, "{r}");
    }
    e.assert_exact("first", "the first of two pipelines run at once").await;
    e.assert_exact("second", "the second of two pipelines run at once").await;
    // Both started before either ended.
    let log = std::fs::read_to_string(e.dir.path().join("par-state/weir.log")).unwrap();
    let starts: Vec<usize> = log.match_indices("run starts").map(|(i, _)| i).collect();
    let first_done = log.find("run done").unwrap();
    assert!(starts.len() == 2 && starts[1] < first_done, "{log}");
    let max = e.sim.stats().max_in_flight;
    assert!((1..=3).contains(&max), "{max} requests were in flight at once");
}

/// `weir daemon` runs pipelines whose schedules coincide at once (`sync.parallel_pipelines`),
/// as `weir run` does: both end exact, each with its own run report, the two runs overlapping;
/// the one source they read keeps to its `max_requests_in_flight` across both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daemon_runs_pipelines_due_together_at_once_sharing_their_source_limit() {
    let e = env(BlueJetSim::builder().products(2_400)).await;
    // Every request waits 300 ms at the server, so each run of 12 pages read one at a time
    // lasts several seconds on any machine.
    e.sim.set_faults(bluejet_sim::FaultSpec { latency_ms: 300, ..bluejet_sim::FaultSpec::default() });
    let cfg = e.config("dpar", "first", "read_concurrency = 1\nschedule = \"0 3 * * *\"");
    let second = "\n[pipelines.second]\nsource = \"bluejet\"\nstream = \"products\"\nsink = \"qdrant\"\n\
                  collection = \"second\"\ntext = \"{name}\"\nbatch_size = 200\nread_concurrency = 1\n\
                  schedule = \"0 3 * * *\"\n";
    std::fs::write(&cfg, std::fs::read_to_string(&cfg).unwrap() + second).unwrap();
    let c = cfg.to_str().unwrap();
    let set = ["--set", "sync.parallel_pipelines=2", "--set", "sources.bluejet.max_requests_in_flight=1"];
    let mut child = e.weir();
    child
        .args(["daemon", "--run-now", "--listen", "127.0.0.1:0", "--config", c])
        .args(set)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = child.spawn().unwrap();
    let base = daemon_address(&mut child);
    let started = Instant::now();
    loop {
        let metrics = reqwest::get(format!("{base}/metrics")).await.unwrap().text().await.unwrap();
        let done = |p: &str| metrics.contains(&format!("weir_runs_total{{pipeline=\"{p}\",status=\"success\"}} 1"));
        if done("products") && done("second") {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(300), "the runs did not both end:\n{metrics}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    stop_on_sigterm(&mut child).await;

    e.assert_exact("first", "the first of two pipelines the daemon ran at once").await;
    e.assert_exact("second", "the second of two pipelines the daemon ran at once").await;
    // Both runs started before either ended.
    let log = std::fs::read_to_string(e.dir.path().join("dpar-state/weir.log")).unwrap();
    let starts: Vec<usize> = log.match_indices("scheduled run starts").map(|(i, _)| i).collect();
    let first_done = log.find("scheduled run done").unwrap();
    assert!(starts.len() == 2 && starts[1] < first_done, "{log}");
    // Each has its own report, and their spans overlap. Starts are recorded to the second, so
    // two runs one after the other could seem to overlap by up to a second: more is asked.
    let o = e.output(&["status", "--json", "--config", c]).await;
    assert!(o.status.success(), "{}", text(&o));
    let s: Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut spans = Vec::new();
    for p in s["pipelines"].as_array().unwrap() {
        let runs = p["last_runs"].as_array().unwrap();
        assert_eq!(runs.len(), 1, "{p}");
        let r = &runs[0];
        assert_eq!((r["status"].as_str(), r["fetched"].as_u64()), (Some("success"), Some(2_400)), "{p}");
        let start = chrono::DateTime::parse_from_rfc3339(r["started"].as_str().unwrap()).unwrap();
        let start = start.timestamp_millis() as f64 / 1e3;
        spans.push((r["run"].as_u64().unwrap(), start, start + r["duration_s"].as_f64().unwrap()));
    }
    let [(run_a, start_a, end_a), (run_b, start_b, end_b)] = spans[..] else { panic!("{s}") };
    assert_ne!(run_a, run_b, "runs started together have their own ids");
    let overlap = end_a.min(end_b) - start_a.max(start_b);
    assert!(overlap > 1.0, "the runs did not overlap: {spans:?}");
    let max = e.sim.stats().max_in_flight;
    assert_eq!(max, 1, "{max} requests were in flight at once, 1 allowed for the source");
}

/// Sends the daemon SIGTERM and waits (a minute at most) for it to exit cleanly.
async fn stop_on_sigterm(child: &mut std::process::Child) {
    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let t = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(t.elapsed() < Duration::from_secs(60), "the daemon did not stop on SIGTERM");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status.success(), "{status:?}");
}
