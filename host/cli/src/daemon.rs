//! `weir daemon`: runs pipelines on their cron schedules and serves `/healthz`, `/readyz`,
//! `/metrics` (Prometheus text format), a status page (`/`) and a search page (`/search`).
//!
//! Pipelines that fall due together run at once, up to `sync.parallel_pipelines` (as `weir
//! run` runs them): they share the plugin runtime, so each source's limit of requests in
//! flight, and the embedder, so its limits; each keeps its own checkpoint and run report. A
//! pipeline never overlaps with itself (its run holds it until it ends) nor with a `weir run`
//! (the daemon holds the state directory's lock); a schedule that comes while its pipeline
//! still runs waits for that run to end. A failed run is retried with exponential backoff (1
//! minute doubling to 30) until it succeeds or its next scheduled time comes. SIGTERM or
//! Ctrl-C stops the scheduler and every run under way (their writes under way finish and
//! commit, the batches not yet written are dropped for the next run) and exits with 0 within
//! seconds; a second signal exits at once.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Local};
use tracing::{info, warn};
use weir_core::Fusion;
use weir_engine::{
    Match, Mode, Pipeline, RunOptions, RunReport, RunStatus, SearchMode, Searcher, StateDir, StopSignal,
};

use crate::run_cmd::{ConfigArgs, EXIT_OK};
use crate::schedule::Schedule;

/// First retry delay after a failed run.
const RETRY_FIRST: Duration = Duration::from_secs(60);
/// Longest retry delay.
const RETRY_MAX: Duration = Duration::from_secs(30 * 60);
/// Longest sleep of the scheduler: how soon it notices a stop.
const TICK: Duration = Duration::from_millis(500);

#[derive(Debug, clap::Args)]
pub(crate) struct DaemonArgs {
    #[command(flatten)]
    config: ConfigArgs,
    /// Address of the HTTP endpoints (port 0: any free port, printed at start).
    #[arg(long, default_value = "127.0.0.1:9477")]
    listen: SocketAddr,
    /// Run every scheduled pipeline once right away, then follow the schedules.
    #[arg(long)]
    run_now: bool,
}

struct Job {
    schedules: Vec<(Schedule, Mode)>,
    next: Option<(DateTime<Local>, Mode)>,
    failures: u32,
}

struct Shared {
    state: Arc<StateDir>,
    names: Vec<String>,
    searchers: BTreeMap<String, tokio::sync::Mutex<Searcher>>,
    ready: AtomicBool,
    runs_total: Mutex<BTreeMap<(String, &'static str), u64>>,
    next_runs: Mutex<BTreeMap<String, String>>,
    running: Mutex<BTreeSet<String>>,
    started: Instant,
}

fn status_name(s: RunStatus) -> &'static str {
    match s {
        RunStatus::Success => "success",
        RunStatus::Partial => "partial",
        RunStatus::Interrupted => "interrupted",
        RunStatus::Failed => "failed",
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

pub(crate) async fn run(args: DaemonArgs) -> anyhow::Result<ExitCode> {
    let mut app = args.config.open().await?;
    let default_mode = app.loaded.config.sync.mode;
    let plan: BTreeMap<String, Vec<(Schedule, Mode)>> = app
        .loaded
        .config
        .pipelines
        .iter()
        .map(|(name, p)| {
            let s = p
                .schedules
                .iter()
                .filter_map(|s| Schedule::parse(&s.cron).ok().map(|c| (c, s.mode.unwrap_or(default_mode))))
                .collect();
            (name.clone(), s)
        })
        .collect();

    let mut pipelines: BTreeMap<String, Pipeline> = BTreeMap::new();
    let mut searchers = BTreeMap::new();
    for name in app.pipeline_names() {
        let p = app.pipeline(&name).await?;
        let searcher = p.searcher().await?;
        searchers.insert(name.clone(), tokio::sync::Mutex::new(searcher));
        pipelines.insert(name, p);
    }
    let shared = Arc::new(Shared {
        state: app.state.clone(),
        names: app.pipeline_names(),
        searchers,
        ready: AtomicBool::new(false),
        runs_total: Mutex::new(BTreeMap::new()),
        next_runs: Mutex::new(BTreeMap::new()),
        running: Mutex::new(BTreeSet::new()),
        started: Instant::now(),
    });

    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    let addr = listener.local_addr()?;
    eprintln!("weir daemon: listening on http://{addr}");
    let router = axum::Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/", get(status_page))
        .route("/search", get(search_page))
        .with_state(shared.clone());
    let stop: StopSignal = StopSignal::default();
    crate::run_cmd::spawn_signal_handler(stop.clone());
    let server_stop = stop.clone();
    let server = tokio::spawn(async move {
        let shutdown = async move {
            while !server_stop.load(Ordering::Relaxed) {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        };
        axum::serve(listener, router).with_graceful_shutdown(shutdown).await
    });

    let now = Local::now();
    let mut jobs: BTreeMap<String, Job> = plan
        .into_iter()
        .map(|(name, schedules)| {
            let next = if args.run_now && !schedules.is_empty() {
                schedules.first().map(|(_, m)| (now, *m))
            } else {
                next_scheduled(&schedules, now)
            };
            (name, Job { schedules, next, failures: 0 })
        })
        .collect();
    if jobs.values().all(|j| j.schedules.is_empty()) {
        warn!("no pipeline has a schedule; the daemon only serves its endpoints");
    }
    shared.ready.store(true, Ordering::Relaxed);

    let parallel = app.loaded.config.sync.parallel_pipelines.max(1);
    // A run's future holds its pipeline's plugin instances, which stay on one thread: the runs
    // share this one (their stages run on the runtime's threads), as in `weir run`.
    let local = tokio::task::LocalSet::new();
    local.run_until(schedule(&shared, &mut jobs, pipelines, parallel, &stop)).await;
    eprintln!("weir daemon: stopping");
    shared.ready.store(false, Ordering::Relaxed);
    let _ = server.await;
    drop(shared);
    app.shutdown().await?;
    Ok(ExitCode::from(EXIT_OK))
}

/// What a finished run hands back: its pipeline, the mode it ran and its outcome.
type Finished = (String, Mode, Pipeline, weir_engine::Result<RunReport>);

/// Starts the pipelines that are due, up to `parallel` at once, and books each run's outcome
/// as it ends, until `stop`; then waits for the runs under way (they stop within seconds).
/// A pipeline is in `idle` only while no run holds it, so it never runs twice at once.
async fn schedule(
    shared: &Arc<Shared>,
    jobs: &mut BTreeMap<String, Job>,
    mut idle: BTreeMap<String, Pipeline>,
    parallel: usize,
    stop: &StopSignal,
) {
    let mut runs: tokio::task::JoinSet<Finished> = tokio::task::JoinSet::new();
    // Which pipeline each run is, should one end without handing its pipeline back.
    let mut run_names: BTreeMap<tokio::task::Id, String> = BTreeMap::new();
    while !stop.load(Ordering::Relaxed) {
        publish_next(shared, jobs);
        let running = lock(&shared.running).clone();
        for (name, mode) in to_start(jobs, &running, parallel, Local::now()) {
            let Some(mut pipeline) = idle.remove(&name) else {
                // Only a pipeline whose run ended abnormally is missing; it is not scheduled.
                if let Some(job) = jobs.get_mut(&name) {
                    job.next = None;
                }
                continue;
            };
            lock(&shared.running).insert(name.clone());
            info!(pipeline = %name, %mode, "scheduled run starts");
            let mut opts = RunOptions::new(mode);
            opts.stop = stop.clone();
            let state = shared.state.clone();
            let task_name = name.clone();
            let handle = runs.spawn_local(async move {
                let result = weir_engine::run(&state, &mut pipeline, &opts).await;
                (task_name, mode, pipeline, result)
            });
            run_names.insert(handle.id(), name);
        }
        let wait = until_next(jobs, &lock(&shared.running), parallel, Local::now());
        tokio::select! {
            Some(joined) = runs.join_next_with_id() => {
                booked(shared, jobs, &mut idle, &mut run_names, joined);
            }
            () = tokio::time::sleep(wait) => {}
        }
    }
    while let Some(joined) = runs.join_next_with_id().await {
        booked(shared, jobs, &mut idle, &mut run_names, joined);
    }
}

/// The due pipelines to start at `now`: not running, earliest due first (then by name), as
/// many as `parallel` leaves room for beside those `running`.
fn to_start(
    jobs: &BTreeMap<String, Job>,
    running: &BTreeSet<String>,
    parallel: usize,
    now: DateTime<Local>,
) -> Vec<(String, Mode)> {
    let mut due: Vec<(DateTime<Local>, &String, Mode)> = jobs
        .iter()
        .filter(|(name, _)| !running.contains(*name))
        .filter_map(|(name, j)| j.next.filter(|(t, _)| *t <= now).map(|(t, m)| (t, name, m)))
        .collect();
    due.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    due.into_iter().take(parallel.saturating_sub(running.len())).map(|(_, n, m)| (n.clone(), m)).collect()
}

/// How long the scheduler may sleep: until the next pipeline it could start falls due, at
/// most [`TICK`]; a run that ends wakes it sooner.
fn until_next(
    jobs: &BTreeMap<String, Job>,
    running: &BTreeSet<String>,
    parallel: usize,
    now: DateTime<Local>,
) -> Duration {
    if running.len() >= parallel {
        return TICK;
    }
    jobs.iter()
        .filter(|(name, _)| !running.contains(*name))
        .filter_map(|(_, j)| j.next.map(|(t, _)| (t - now).to_std().unwrap_or_default()))
        .min()
        .unwrap_or(TICK)
        .min(TICK)
}

/// Books a run that ended: counts its outcome, gives its pipeline back to `idle` and plans
/// the pipeline's next run (the next schedule, or a retry after a failure).
fn booked(
    shared: &Shared,
    jobs: &mut BTreeMap<String, Job>,
    idle: &mut BTreeMap<String, Pipeline>,
    run_names: &mut BTreeMap<tokio::task::Id, String>,
    joined: Result<(tokio::task::Id, Finished), tokio::task::JoinError>,
) {
    let (name, mode, result) = match joined {
        Ok((id, (name, mode, pipeline, result))) => {
            run_names.remove(&id);
            idle.insert(name.clone(), pipeline);
            (name, mode, result)
        }
        Err(e) => {
            // The run's task ended without handing its pipeline back: it cannot run again.
            let name = run_names.remove(&e.id()).unwrap_or_default();
            lock(&shared.running).remove(&name);
            *lock(&shared.runs_total).entry((name.clone(), "failed")).or_insert(0) += 1;
            tracing::error!(pipeline = %name, error = %e, "a scheduled run ended abnormally; the pipeline runs again when the daemon restarts");
            if let Some(job) = jobs.get_mut(&name) {
                job.next = None;
            }
            return;
        }
    };
    lock(&shared.running).remove(&name);
    let status = match &result {
        Ok(r) => status_name(r.status),
        Err(_) => "failed",
    };
    *lock(&shared.runs_total).entry((name.clone(), status)).or_insert(0) += 1;
    let Some(job) = jobs.get_mut(&name) else { return };
    let now = Local::now();
    match result {
        Ok(r) => {
            info!(pipeline = %name, status, fetched = r.counts.fetched, "scheduled run done");
            job.failures = 0;
            job.next = next_scheduled(&job.schedules, now);
        }
        Err(e) => {
            let delay = RETRY_FIRST.saturating_mul(1 << job.failures.min(5)).min(RETRY_MAX);
            job.failures += 1;
            warn!(pipeline = %name, error = %e, retry_in_s = delay.as_secs(), "scheduled run failed");
            let retry = now + chrono::Duration::from_std(delay).unwrap_or_default();
            let scheduled = next_scheduled(&job.schedules, now);
            job.next = match scheduled {
                Some((t, m)) if t <= retry => Some((t, m)),
                _ => Some((retry, mode)),
            };
        }
    }
}

fn next_scheduled(schedules: &[(Schedule, Mode)], after: DateTime<Local>) -> Option<(DateTime<Local>, Mode)> {
    schedules.iter().filter_map(|(s, m)| s.next_after(after).map(|t| (t, *m))).min_by_key(|(t, _)| *t)
}

fn publish_next(shared: &Shared, jobs: &BTreeMap<String, Job>) {
    let mut next = lock(&shared.next_runs);
    for (name, job) in jobs {
        let text = match job.next {
            Some((t, m)) => format!("{m} at {}", t.format("%Y-%m-%d %H:%M")),
            None => "not scheduled".into(),
        };
        next.insert(name.clone(), text);
    }
}

async fn readyz(State(s): State<Arc<Shared>>) -> Response {
    if s.ready.load(Ordering::Relaxed) {
        (StatusCode::OK, "ready\n").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not ready\n").into_response()
    }
}

fn label(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

async fn metrics(State(s): State<Arc<Shared>>) -> Response {
    let mut out = String::new();
    let now_ms = chrono::Utc::now().timestamp_millis();
    let gauge = |out: &mut String, name: &str, help: &str, kind: &str| {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
    };
    gauge(&mut out, "weir_up", "1 while the daemon runs.", "gauge");
    let _ = writeln!(out, "weir_up 1");
    gauge(&mut out, "weir_uptime_seconds", "Seconds since the daemon started.", "gauge");
    let _ = writeln!(out, "weir_uptime_seconds {:.0}", s.started.elapsed().as_secs_f64());
    let mut last = Vec::new();
    for name in &s.names {
        let meta = s.state.meta(name).unwrap_or_default();
        let run = s.state.runs(Some(name), 20).ok().and_then(|r| r.into_iter().find(|r| !r.dry_run));
        let points = s.state.ledger_len(name).unwrap_or(0);
        last.push((name.clone(), meta, run, points));
    }
    gauge(&mut out, "weir_last_run_success", "1 when the pipeline's last run succeeded (fully or partially).", "gauge");
    for (n, _, run, _) in &last {
        if let Some(r) = run {
            let ok = matches!(r.status, RunStatus::Success | RunStatus::Partial);
            let _ = writeln!(out, "weir_last_run_success{{pipeline=\"{}\"}} {}", label(n), u8::from(ok));
        }
    }
    gauge(&mut out, "weir_last_run_duration_seconds", "Wall time of the last run.", "gauge");
    for (n, _, run, _) in &last {
        if let Some(r) = run {
            let _ = writeln!(out, "weir_last_run_duration_seconds{{pipeline=\"{}\"}} {:.3}", label(n), r.duration_s);
        }
    }
    gauge(&mut out, "weir_last_run_records", "Records of the last run by outcome.", "gauge");
    for (n, _, run, _) in &last {
        if let Some(r) = run {
            let c = &r.counts;
            for (outcome, v) in [
                ("fetched", c.fetched),
                ("valid", c.valid),
                ("invalid", c.invalid),
                ("unchanged", c.unchanged),
                ("payload_only", c.payload_only),
                ("new", c.new),
                ("reembedded", c.reembedded),
                ("upserted", c.upserted),
                ("deleted", c.deleted),
            ] {
                let _ = writeln!(out, "weir_last_run_records{{pipeline=\"{}\",outcome=\"{outcome}\"}} {v}", label(n));
            }
        }
    }
    gauge(&mut out, "weir_last_run_cache_lookups", "Embedding cache lookups of the last run.", "gauge");
    for (n, _, run, _) in &last {
        if let Some(r) = run {
            let _ = writeln!(
                out,
                "weir_last_run_cache_lookups{{pipeline=\"{}\",result=\"hit\"}} {}",
                label(n),
                r.embedding.cache_hits
            );
            let _ = writeln!(
                out,
                "weir_last_run_cache_lookups{{pipeline=\"{}\",result=\"miss\"}} {}",
                label(n),
                r.embedding.cache_misses
            );
        }
    }
    gauge(&mut out, "weir_last_run_tokens", "Embedding tokens of the last run.", "gauge");
    for (n, _, run, _) in &last {
        if let Some(r) = run {
            let _ = writeln!(
                out,
                "weir_last_run_tokens{{pipeline=\"{}\"}} {}",
                label(n),
                r.embedding.tokens.max(r.estimated_tokens)
            );
        }
    }
    gauge(
        &mut out,
        "weir_last_run_api_calls",
        "Calls into each plugin during the last run, and its HTTP requests.",
        "gauge",
    );
    for (n, _, run, _) in &last {
        if let Some(r) = run {
            for (plugin, calls) in &r.plugins {
                let (n, p) = (label(n), label(plugin));
                let _ = writeln!(
                    out,
                    "weir_last_run_api_calls{{pipeline=\"{n}\",plugin=\"{p}\",kind=\"call\"}} {}",
                    calls.calls
                );
                let _ = writeln!(
                    out,
                    "weir_last_run_api_calls{{pipeline=\"{n}\",plugin=\"{p}\",kind=\"http\"}} {}",
                    calls.http_requests
                );
            }
        }
    }
    gauge(&mut out, "weir_lag_seconds", "Seconds since the pipeline's last successful run.", "gauge");
    for (n, meta, _, _) in &last {
        if let Some(t) = meta.last_success_ms {
            let _ = writeln!(out, "weir_lag_seconds{{pipeline=\"{}\"}} {:.0}", label(n), (now_ms - t) as f64 / 1e3);
        }
    }
    gauge(&mut out, "weir_synced_points", "Points weir has written and not deleted, per pipeline.", "gauge");
    for (n, _, _, points) in &last {
        let _ = writeln!(out, "weir_synced_points{{pipeline=\"{}\"}} {points}", label(n));
    }
    gauge(&mut out, "weir_runs_total", "Runs started by this daemon, by outcome.", "counter");
    for ((n, status), v) in lock(&s.runs_total).iter() {
        let _ = writeln!(out, "weir_runs_total{{pipeline=\"{}\",status=\"{status}\"}} {v}", label(n));
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], out).into_response()
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}\
td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}th{background:#f4f4f4}.failed{color:#b00}.partial{color:#a60}\
.success{color:#070}input{font-size:1em;padding:.3em}";

/// The search form; `mode` and `fusion` keep what the last search used.
fn search_form(s: &Shared, q: &str, pipeline: &str, mode: SearchMode, fusion: Fusion) -> String {
    let select = |name: &str, values: &mut dyn Iterator<Item = (String, bool)>| -> String {
        let options: String = values
            .map(|(v, on)| format!("<option{}>{}</option>", if on { " selected" } else { "" }, esc(&v)))
            .collect();
        format!("<select name=\"{name}\">{options}</select>")
    };
    let pipelines = select("pipeline", &mut s.names.iter().map(|n| (n.clone(), n == pipeline)));
    let modes = select(
        "mode",
        &mut [SearchMode::Hybrid, SearchMode::Dense, SearchMode::Sparse]
            .into_iter()
            .map(|m| (m.to_string(), m == mode)),
    );
    let fusions = select(
        "fusion",
        &mut [("rrf", Fusion::Rrf), ("dbsf", Fusion::Dbsf)].into_iter().map(|(n, f)| (n.to_owned(), f == fusion)),
    );
    format!(
        "<form action=\"/search\" method=\"get\"><input name=\"q\" size=\"40\" placeholder=\"kuřecí prsa\" value=\"{}\"> \
         {pipelines} {modes} {fusions} <button>Search</button></form>",
        esc(q)
    )
}

async fn status_page(State(s): State<Arc<Shared>>) -> Html<String> {
    let mut h =
        format!("<!doctype html><meta charset=\"utf-8\"><title>weir</title><style>{STYLE}</style><h1>weir</h1>");
    let running = lock(&s.running).clone();
    let next = lock(&s.next_runs).clone();
    h += &search_form(&s, "", s.names.first().map(String::as_str).unwrap_or(""), SearchMode::Hybrid, Fusion::Rrf);
    for name in &s.names {
        let meta = s.state.meta(name).unwrap_or_default();
        let points = s.state.ledger_len(name).unwrap_or(0);
        let _ = write!(
            h,
            "<h2 id=\"{0}\">{0}</h2><p>collection <b>{1}</b> · model <b>{2}</b> · {points} points · watermark {3} · next: {4}{5}</p>",
            esc(name),
            esc(meta.collection.as_deref().unwrap_or("-")),
            esc(&meta.model.as_ref().map(|m| m.key()).unwrap_or_else(|| "-".into())),
            esc(meta.watermark.as_deref().unwrap_or("-")),
            esc(next.get(name).map(String::as_str).unwrap_or("not scheduled")),
            if running.contains(name) { " · <b>running now</b>" } else { "" },
        );
        h += "<table><tr><th>run</th><th>mode</th><th>status</th><th>started</th><th>duration</th><th>fetched</th>\
              <th>new</th><th>changed</th><th>payload</th><th>unchanged</th><th>deleted</th><th>invalid</th><th>error</th></tr>";
        for r in s.state.runs(Some(name), 10).unwrap_or_default() {
            let st = status_name(r.status);
            let c = &r.counts;
            let _ = write!(
                h,
                "<tr class=\"run\"><td>{}</td><td>{}{}</td><td class=\"{st}\">{st}</td><td>{}</td><td>{:.1} s</td><td>{}</td><td>{}</td>\
                 <td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                r.run_id,
                r.mode,
                if r.dry_run { " (dry)" } else { "" },
                esc(&r.started),
                r.duration_s,
                c.fetched.max(c.listed),
                c.new,
                c.reembedded,
                c.payload_only,
                c.unchanged,
                c.deleted,
                c.invalid,
                esc(r.error.as_deref().unwrap_or("")),
            );
        }
        h += "</table>";
    }
    Html(h)
}

#[derive(Debug, serde::Deserialize)]
struct SearchQuery {
    q: String,
    pipeline: Option<String>,
    k: Option<u32>,
    /// `hybrid` (default), `dense` or `sparse`.
    #[serde(default)]
    mode: SearchMode,
    /// `rrf` (default) or `dbsf`: how a hybrid search merges its two rankings.
    #[serde(default)]
    fusion: Fusion,
}

async fn search_page(State(s): State<Arc<Shared>>, Query(q): Query<SearchQuery>) -> Response {
    let name = q.pipeline.clone().or_else(|| s.names.first().cloned()).unwrap_or_default();
    let Some(searcher) = s.searchers.get(&name) else {
        return (StatusCode::NOT_FOUND, format!("no pipeline `{name}`\n")).into_response();
    };
    let mut h =
        format!("<!doctype html><meta charset=\"utf-8\"><title>weir: {}</title><style>{STYLE}</style>", esc(&q.q));
    h += "<p><a href=\"/\">← status</a></p>";
    h += &search_form(&s, &q.q, &name, q.mode, q.fusion);
    let mut searcher = searcher.lock().await;
    let searcher = &mut *searcher;
    let k = q.k.unwrap_or(10).clamp(1, 100);
    let result = searcher.search_detailed(&q.q, q.mode, q.fusion, k, None).await;
    match result {
        Ok(found) => {
            for note in &found.notes {
                let _ = write!(h, "<p class=\"note\">{}</p>", esc(note));
            }
            let display = searcher.display().to_vec();
            h += "<table><tr><th>score</th>";
            for f in &display {
                let _ = write!(h, "<th>{}</th>", esc(f));
            }
            h += "</tr>";
            for hit in found.hits {
                let shown = hit.display(&display);
                let _ = write!(
                    h,
                    "<tr class=\"hit\"><td>{:.3}{}</td>",
                    hit.score,
                    match hit.matched {
                        Match::Identifier => " =",
                        Match::Ranked => "",
                    }
                );
                for f in &display {
                    let v = shown.iter().find(|(n, _)| n == f).map(|(_, v)| v.as_str()).unwrap_or("");
                    let _ = write!(h, "<td>{}</td>", esc(v));
                }
                h += "</tr>";
            }
            h += "</table>";
            Html(h).into_response()
        }
        // An empty query or another user mistake: said on the page, not a server error.
        Err(weir_engine::Error::Usage(message)) => {
            (StatusCode::BAD_REQUEST, Html(format!("{h}<p class=\"failed\">{}</p>", esc(&message)))).into_response()
        }
        Err(e) => (StatusCode::BAD_GATEWAY, Html(format!("{h}<p class=\"failed\">{}</p>", esc(&format!("{e:#}")))))
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(next: Option<DateTime<Local>>) -> Job {
        Job { schedules: Vec::new(), next: next.map(|t| (t, Mode::Incremental)), failures: 0 }
    }

    fn names(started: &[(String, Mode)]) -> Vec<&str> {
        started.iter().map(|(n, _)| n.as_str()).collect()
    }

    #[test]
    fn due_pipelines_start_together_up_to_the_bound_earliest_first_never_one_already_running() {
        let now = Local::now();
        let minute = chrono::Duration::minutes(1);
        let jobs: BTreeMap<String, Job> = [
            ("a", job(Some(now))),
            ("b", job(Some(now - minute))),
            ("c", job(Some(now))),
            ("later", job(Some(now + minute))),
            ("unscheduled", job(None)),
        ]
        .into_iter()
        .map(|(n, j)| (n.to_owned(), j))
        .collect();
        let none = BTreeSet::new();
        assert_eq!(names(&to_start(&jobs, &none, 4, now)), ["b", "a", "c"]);
        assert_eq!(names(&to_start(&jobs, &none, 2, now)), ["b", "a"], "the longest due first");
        assert_eq!(names(&to_start(&jobs, &none, 1, now)), ["b"]);
        // A pipeline still running is not started again, however overdue; the others take
        // the slots left beside it.
        let b_runs: BTreeSet<String> = ["b".to_owned()].into();
        assert_eq!(names(&to_start(&jobs, &b_runs, 4, now)), ["a", "c"]);
        assert_eq!(names(&to_start(&jobs, &b_runs, 2, now)), ["a"]);
        assert!(to_start(&jobs, &b_runs, 1, now).is_empty(), "every slot is taken");
        // Nothing due: nothing starts, and the scheduler sleeps until the next is due.
        let quiet: BTreeMap<String, Job> =
            [("later".to_owned(), job(Some(now + chrono::Duration::milliseconds(200))))].into();
        assert!(to_start(&quiet, &none, 4, now).is_empty());
        assert_eq!(until_next(&quiet, &none, 4, now), Duration::from_millis(200));
        // Overdue but every slot taken: it wakes on a tick (or a run's end), not at once.
        assert_eq!(until_next(&jobs, &b_runs, 1, now), TICK);
        assert_eq!(until_next(&jobs, &none, 4, now), Duration::ZERO);
    }
}
