//! `weir run`, `weir status`, `weir search` and `weir config check`.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use anyhow::Context;
use serde_json::{Value, json};
use weir_engine::{Mode, Progress, RunOptions, RunReport, RunStatus, StopSignal};

use crate::Reported;
use crate::app::App;
use crate::config;

/// Exit code: everything synced.
pub(crate) const EXIT_OK: u8 = 0;
/// Exit code: a run failed.
pub(crate) const EXIT_FAILED: u8 = 1;
/// Exit code: bad command line or configuration.
pub(crate) const EXIT_CONFIG: u8 = 2;
/// Exit code: every valid record synced, some records were invalid.
pub(crate) const EXIT_PARTIAL: u8 = 3;
/// Exit code: another run holds the state directory.
pub(crate) const EXIT_LOCKED: u8 = 75;
/// Exit code: stopped by Ctrl-C or SIGTERM (what was committed stays; the next run resumes).
/// 128 + SIGINT, as a shell reports a command killed by Ctrl-C.
pub(crate) const EXIT_INTERRUPTED: u8 = 130;

/// Options every config-reading command shares.
#[derive(Debug, clap::Args)]
pub(crate) struct ConfigArgs {
    /// The configuration file.
    #[arg(short, long, env = "WEIR_CONFIG", default_value = "weir.toml")]
    config: PathBuf,
    /// Override a configuration key, e.g. `--set sync.mode=full` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub(crate) struct RunArgs {
    #[command(flatten)]
    config: ConfigArgs,
    /// Run only this pipeline (repeatable; default: all, in name order).
    #[arg(short, long)]
    pipeline: Vec<String>,
    /// full, incremental, reconcile or rebuild (default: `sync.mode`).
    #[arg(short, long)]
    mode: Option<Mode>,
    /// Report what would change and what it would cost; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Delete past the mass-delete guard.
    #[arg(long)]
    force: bool,
    /// Print the run reports as JSON on stdout.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
pub(crate) struct StatusArgs {
    #[command(flatten)]
    config: ConfigArgs,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// Also count what the sinks and sources hold (starts plugins; slower).
    #[arg(long)]
    live: bool,
}

#[derive(Debug, clap::Args)]
pub(crate) struct SearchArgs {
    #[command(flatten)]
    config: ConfigArgs,
    /// What to look for, in any language the model knows.
    query: String,
    /// The pipeline whose collection to search (default: the only one, or the first).
    #[arg(short, long)]
    pipeline: Option<String>,
    /// Results.
    #[arg(short, default_value_t = 10)]
    k: u32,
    /// Payload filter `field=value` (repeatable; all must match; the fields need indexes).
    #[arg(long, value_name = "FIELD=VALUE")]
    filter: Vec<String>,
    /// hybrid: meaning and words fused (default); dense: meaning only; sparse: words only.
    /// A query equal to a product code or EAN (`identifiers`) returns that record first.
    #[arg(long, value_enum, default_value_t = SearchModeArg::Hybrid)]
    mode: SearchModeArg,
    /// How a hybrid search merges its two rankings: rrf (reciprocal rank) or dbsf (scores
    /// normalised per ranking, then summed).
    #[arg(long, value_enum, default_value_t = FusionArg::Rrf)]
    fusion: FusionArg,
    /// Print JSON (with each result's payload).
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum SearchModeArg {
    Hybrid,
    Dense,
    Sparse,
}

impl From<SearchModeArg> for weir_engine::SearchMode {
    fn from(m: SearchModeArg) -> Self {
        match m {
            SearchModeArg::Hybrid => weir_engine::SearchMode::Hybrid,
            SearchModeArg::Dense => weir_engine::SearchMode::Dense,
            SearchModeArg::Sparse => weir_engine::SearchMode::Sparse,
        }
    }
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum FusionArg {
    Rrf,
    Dbsf,
}

impl From<FusionArg> for weir_core::Fusion {
    fn from(f: FusionArg) -> Self {
        match f {
            FusionArg::Rrf => weir_core::Fusion::Rrf,
            FusionArg::Dbsf => weir_core::Fusion::Dbsf,
        }
    }
}

#[derive(Debug, clap::Subcommand)]
pub(crate) enum ConfigCommand {
    /// Check the configuration, the plugins it names and their grants.
    Check(ConfigArgs),
    /// Print the JSON Schema of weir.toml (also in config/weir.schema.json), for editors and
    /// for checking generated configurations.
    Schema,
}

impl ConfigArgs {
    /// The preamble of every command that works on a configuration: loads it with the `--set`
    /// overrides, then opens (and locks) its state directory. A failure is reported here, on
    /// stderr, and comes back as [`Reported`] with the exit code: 2 for a configuration error,
    /// 75 when another run holds the state directory, 1 for anything else.
    pub(crate) async fn open(&self) -> anyhow::Result<App> {
        let loaded = config::load(&self.config, &self.set).map_err(|e| {
            eprintln!("error: {e}");
            Reported(ExitCode::from(EXIT_CONFIG))
        })?;
        let app = App::open(loaded).await.map_err(|e| {
            eprintln!("error: {e:#}");
            let locked =
                e.downcast_ref::<weir_engine::Error>().is_some_and(|e| matches!(e, weir_engine::Error::Locked { .. }));
            Reported(ExitCode::from(if locked { EXIT_LOCKED } else { EXIT_FAILED }))
        })?;
        Ok(app)
    }
}

/// `weir run`.
pub(crate) async fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let mut app = args.config.open().await?;
    let mode = args.mode.unwrap_or(app.loaded.config.sync.mode);
    let names = if args.pipeline.is_empty() { app.pipeline_names() } else { args.pipeline.clone() };
    let stop: StopSignal = StopSignal::default();
    spawn_signal_handler(stop.clone());
    let tty = std::io::stderr().is_terminal() && !args.json;
    let mut reports: Vec<RunReport> = Vec::new();
    let mut failed = false;
    // Every pipeline is assembled first, in order; then up to `sync.parallel_pipelines` run at
    // once. They share the runtime (so each source's limit of requests in flight) and the
    // embedder (so its limits), and each keeps its own checkpoint, report and progress.
    let mut ready = Vec::new();
    for name in &names {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        match app.pipeline(name).await {
            Ok(p) => ready.push((name.clone(), p)),
            Err(e) => {
                eprintln!("error: pipeline `{name}`: {e:#}");
                failed = true;
            }
        }
    }
    let parallel = app.loaded.config.sync.parallel_pipelines.clamp(1, ready.len().max(1));
    let board = (tty && parallel > 1).then(|| Arc::new(Board::default()));
    let slots = Arc::new(tokio::sync::Semaphore::new(parallel));
    // A run's future holds its pipeline's plugin instances, which stay on one thread: the runs
    // share this one (their stages run on the runtime's threads).
    let local = tokio::task::LocalSet::new();
    let mut runs = tokio::task::JoinSet::new();
    for (index, (name, mut pipeline)) in ready.into_iter().enumerate() {
        let opts = RunOptions {
            mode,
            dry_run: args.dry_run,
            force: args.force,
            stop: stop.clone(),
            progress: Some(match &board {
                Some(board) => board.printer(name.clone()),
                None => progress_printer(name.clone(), tty),
            }),
        };
        let (state, slots, stop, dry_run) = (app.state.clone(), slots.clone(), stop.clone(), args.dry_run);
        runs.spawn_local_on(
            async move {
                let _slot = slots.acquire_owned().await;
                if stop.load(Ordering::Relaxed) {
                    return (index, name, None);
                }
                eprintln!("{name}: {mode}{} run", if dry_run { " dry" } else { "" });
                tracing::info!(pipeline = %name, %mode, dry_run, "run starts");
                let result = weir_engine::run(&state, &mut pipeline, &opts).await;
                match &result {
                    Ok(r) => tracing::info!(
                        pipeline = %name,
                        run = r.run_id,
                        status = ?r.status,
                        fetched = r.counts.fetched,
                        new = r.counts.new,
                        reembedded = r.counts.reembedded,
                        payload_only = r.counts.payload_only,
                        deleted = r.counts.deleted,
                        invalid = r.counts.invalid,
                        seconds = r.duration_s,
                        "run done"
                    ),
                    Err(e) => tracing::error!(pipeline = %name, error = %e, "run failed"),
                }
                (index, name, Some(result))
            },
            &local,
        );
    }
    let mut done = Vec::new();
    while let Some(joined) = local.run_until(runs.join_next()).await {
        match joined {
            Ok((index, name, Some(result))) => {
                if tty {
                    eprintln!();
                }
                match &result {
                    Ok(report) => stopped_line(report),
                    Err(e) => eprintln!("error: {name}: {e}"),
                }
                done.push((index, name, result));
            }
            Ok((_, _, None)) => {}
            Err(e) => {
                eprintln!("error: a pipeline's run ended abnormally: {e}");
                failed = true;
            }
        }
    }
    // Reports in the configuration's order, whichever finished first.
    done.sort_by_key(|(index, ..)| *index);
    for (_, name, result) in done {
        match result {
            Ok(report) => reports.push(report),
            Err(_) => {
                failed = true;
                if let Ok(mut last) = app.state.runs(Some(&name), 1)
                    && let Some(r) = last.pop()
                    && r.status == RunStatus::Failed
                {
                    reports.push(r);
                }
            }
        }
    }
    app.shutdown().await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
    } else {
        print_summary(&reports);
    }
    let partial = reports.iter().any(|r| r.status == RunStatus::Partial);
    let interrupted = stop.load(Ordering::Relaxed) || reports.iter().any(|r| r.status == RunStatus::Interrupted);
    Ok(ExitCode::from(if failed || reports.iter().any(|r| r.status == RunStatus::Failed) {
        EXIT_FAILED
    } else if interrupted {
        EXIT_INTERRUPTED
    } else if partial {
        EXIT_PARTIAL
    } else {
        EXIT_OK
    }))
}

/// Sets `stop` on the first Ctrl-C or SIGTERM: the run drops the batches not yet written and
/// ends within seconds. The second one exits at once; nothing is lost, since every commit is
/// one transaction and the sink's writes are overwrites the next run repeats.
pub(crate) fn spawn_signal_handler(stop: StopSignal) {
    tokio::spawn(async move {
        if two_signals(&stop).await.is_ok() {
            eprintln!("aborted; the next run resumes from the last commit");
            std::process::exit(i32::from(EXIT_INTERRUPTED));
        }
    });
}

/// Waits for two signals and sets `stop` at the first. The streams are made once, so a
/// second signal right after the first is not missed.
#[cfg(unix)]
async fn two_signals(stop: &StopSignal) -> std::io::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    tokio::select! {
        _ = interrupt.recv() => {}
        _ = terminate.recv() => {}
    }
    stopping(stop);
    tokio::select! {
        _ = interrupt.recv() => {}
        _ = terminate.recv() => {}
    }
    Ok(())
}

#[cfg(not(unix))]
async fn two_signals(stop: &StopSignal) -> std::io::Result<()> {
    tokio::signal::ctrl_c().await?;
    stopping(stop);
    tokio::signal::ctrl_c().await
}

fn stopping(stop: &StopSignal) {
    eprintln!(
        "\nstopping: dropping the batches not yet written, finishing the writes under way (interrupt again to abort)"
    );
    stop.store(true, Ordering::Relaxed);
}

/// What a stopped run committed and dropped, on stderr.
pub(crate) fn stopped_line(report: &RunReport) {
    if report.status == RunStatus::Interrupted {
        eprintln!(
            "{}: stopped: {} batches committed, {} dropped; the next run resumes from the checkpoint",
            report.pipeline, report.batches, report.dropped_batches
        );
    }
}

pub(crate) fn progress_printer(name: String, tty: bool) -> weir_engine::ProgressFn {
    let started = Instant::now();
    let last_line = std::sync::Mutex::new(Instant::now());
    Arc::new(move |p: &Progress| {
        let secs = started.elapsed().as_secs_f64().max(1e-3);
        let rate = p.fetched as f64 / secs;
        let lookups = p.cache_hits + p.cache_misses;
        let hit = if lookups == 0 { 0.0 } else { p.cache_hits as f64 * 100.0 / lookups as f64 };
        let eta = match p.total {
            Some(t) if rate > 0.0 && t > p.fetched => format!(", ETA {:.0}s", (t - p.fetched) as f64 / rate),
            _ => String::new(),
        };
        let of = p.total.map(|t| format!(" / {t}")).unwrap_or_default();
        let line = format!(
            "{name}: {}{of} records, {rate:.0}/s{eta}, {} embedded, {} payload-only, cache hits {hit:.0}%",
            p.fetched, p.counts.embedded, p.counts.payload_only
        );
        if tty {
            eprint!("\r{line}   ");
            let _ = std::io::stderr().flush();
        } else if let Ok(mut last) = last_line.lock()
            && last.elapsed().as_secs() >= 5
        {
            *last = Instant::now();
            eprintln!("{line}");
        }
    })
}

/// The progress of pipelines that run at once, on one terminal line: each pipeline's latest
/// progress side by side, so that none overwrites another's.
#[derive(Default)]
struct Board {
    lines: std::sync::Mutex<std::collections::BTreeMap<String, String>>,
}

impl Board {
    /// The progress callback of pipeline `name`.
    fn printer(self: &Arc<Self>, name: String) -> weir_engine::ProgressFn {
        let board = self.clone();
        let started = Instant::now();
        Arc::new(move |p: &Progress| {
            let rate = p.fetched as f64 / started.elapsed().as_secs_f64().max(1e-3);
            let of = p.total.map(|t| format!("/{t}")).unwrap_or_default();
            let mine = format!("{name} {}{of} {rate:.0}/s", p.fetched);
            if let Ok(mut lines) = board.lines.lock() {
                lines.insert(name.clone(), mine);
                let line = lines.values().cloned().collect::<Vec<_>>().join(" | ");
                eprint!("\r{line}   ");
                let _ = std::io::stderr().flush();
            }
        })
    }
}

fn print_summary(reports: &[RunReport]) {
    if reports.is_empty() {
        return;
    }
    println!(
        "{:<16} {:<12} {:<11} {:>8} {:>7} {:>8} {:>8} {:>9} {:>7} {:>7} {:>8} {:>9}",
        "PIPELINE",
        "MODE",
        "STATUS",
        "FETCHED",
        "NEW",
        "CHANGED",
        "PAYLOAD",
        "UNCHANGED",
        "DELETED",
        "INVALID",
        "TIME",
        "REC/S"
    );
    for r in reports {
        let mode = if r.dry_run { format!("{} (dry)", r.mode) } else { r.mode.to_string() };
        println!(
            "{:<16} {:<12} {:<11} {:>8} {:>7} {:>8} {:>8} {:>9} {:>7} {:>7} {:>7.1}s {:>9.0}",
            r.pipeline,
            mode,
            format!("{:?}", r.status).to_lowercase(),
            r.counts.fetched.max(r.counts.listed),
            r.counts.new,
            r.counts.reembedded,
            r.counts.payload_only,
            r.counts.unchanged,
            r.counts.deleted,
            r.counts.invalid,
            r.duration_s,
            r.records_per_s
        );
    }
    for r in reports {
        if r.dry_run && r.estimated_tokens > 0 {
            println!(
                "{}: would send ~{} tokens to {} (~${:.4})",
                r.pipeline, r.estimated_tokens, r.embedding.model, r.estimated_cost_usd
            );
        }
        if let Some(m) = r.count_check.as_ref().and_then(|c| c.mismatch.as_ref()) {
            println!("{}: count check: {m}", r.pipeline);
        }
        if let Some(e) = &r.error {
            println!("{}: {e}", r.pipeline);
        }
    }
}

/// `weir status`.
pub(crate) async fn status(args: StatusArgs) -> anyhow::Result<ExitCode> {
    let mut app = args.config.open().await?;
    let cache = weir_embed::EmbeddingCache::new(app.state.db()).stats().ok();
    let invalid_lines =
        std::fs::read_to_string(app.state.path(weir_engine::INVALID_FILE)).map(|s| s.lines().count()).unwrap_or(0);
    let mut out = Vec::new();
    for name in app.pipeline_names() {
        let meta = app.state.meta(&name)?;
        let runs = app.state.runs(Some(&name), 5)?;
        let ledger = app.state.ledger_len(&name)?;
        let lag_s = meta.last_success_ms.map(|t| (chrono::Utc::now().timestamp_millis() - t) as f64 / 1e3);
        let mut live = json!(null);
        if args.live {
            match app.pipeline(&name).await {
                Ok(mut p) => {
                    let sink = match meta.physical.as_deref() {
                        Some(c) => p.sink().count(c).await.ok(),
                        None => None,
                    };
                    live = json!({ "sink_points": sink });
                }
                Err(e) => live = json!({ "error": format!("{e:#}") }),
            }
        }
        out.push(json!({
            "pipeline": name,
            "collection": meta.collection,
            "physical_collection": meta.physical,
            "model": meta.model.as_ref().map(|m| m.key()),
            "watermark": meta.watermark,
            "synced_points": ledger,
            "interrupted_run": meta.checkpoint.as_ref().map(|c| json!({
                "run": c.run_id,
                "mode": c.mode,
                "batches": c.batches,
                "records": c.records,
                "partitions": c.partitions().len(),
                "partitions_done": c.partitions().iter().filter(|p| p.done).count(),
            })),
            "lag_seconds": lag_s,
            "last_runs": runs.iter().map(|r| json!({
                "run": r.run_id, "mode": r.mode, "status": r.status, "dry_run": r.dry_run, "started": r.started,
                "duration_s": r.duration_s, "fetched": r.counts.fetched, "new": r.counts.new,
                "reembedded": r.counts.reembedded, "payload_only": r.counts.payload_only,
                "deleted": r.counts.deleted, "invalid": r.counts.invalid, "error": r.error,
                "count_check": r.count_check,
            })).collect::<Vec<_>>(),
            "live": live,
        }));
    }
    let doc = json!({
        "state_dir": app.state.dir(),
        "cache": cache.map(|c| json!({"entries": c.entries, "bytes": c.bytes})),
        "invalid_records": invalid_lines,
        "pipelines": out,
    });
    app.shutdown().await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(ExitCode::from(EXIT_OK));
    }
    if let Some(c) = doc.get("cache").filter(|c| !c.is_null()) {
        println!("embedding cache: {} vectors, {:.1} MB", c["entries"], c["bytes"].as_f64().unwrap_or(0.0) / 1e6);
    }
    println!("invalid records logged: {invalid_lines}");
    for p in doc["pipelines"].as_array().into_iter().flatten() {
        println!("\n{}", p["pipeline"].as_str().unwrap_or("?"));
        println!("  collection   {} ({})", show(&p["collection"]), show(&p["physical_collection"]));
        println!("  model        {}", show(&p["model"]));
        println!("  points       {}", p["synced_points"]);
        if !p["live"].is_null() {
            println!("  live         {}", p["live"]);
        }
        println!("  watermark    {}", show(&p["watermark"]));
        if let Some(lag) = p["lag_seconds"].as_f64() {
            println!("  last success {:.0} s ago", lag);
        }
        if !p["interrupted_run"].is_null() {
            println!("  interrupted  {} (the next run resumes it)", p["interrupted_run"]);
        }
        for r in p["last_runs"].as_array().into_iter().flatten() {
            println!(
                "  run {:>4}  {:<11} {:<11} {:>7.1}s  fetched {} new {} changed {} payload {} deleted {} invalid {}{}",
                r["run"],
                show(&r["mode"]),
                show(&r["status"]),
                r["duration_s"].as_f64().unwrap_or(0.0),
                r["fetched"],
                r["new"],
                r["reembedded"],
                r["payload_only"],
                r["deleted"],
                r["invalid"],
                r["error"].as_str().map(|e| format!("  error: {e}")).unwrap_or_default()
            );
        }
    }
    Ok(ExitCode::from(EXIT_OK))
}

fn show(v: &Value) -> String {
    match v {
        Value::Null => "-".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `weir search`.
pub(crate) async fn search(args: SearchArgs) -> anyhow::Result<ExitCode> {
    if args.query.trim().is_empty() {
        eprintln!("error: the search query is empty; type what you are looking for");
        return Ok(ExitCode::from(EXIT_CONFIG));
    }
    let mut app = args.config.open().await?;
    let name = match &args.pipeline {
        Some(p) => p.clone(),
        None => app.pipeline_names().into_iter().next().context("the configuration has no pipelines")?,
    };
    let meta = app.state.meta(&name)?;
    let recorded = meta
        .model
        .clone()
        .with_context(|| format!("pipeline `{name}` has not synced anything yet; run `weir run` first"))?;
    let mut pipeline = app.pipeline(&name).await?;
    // Queries are embedded with the collection's own model.
    weir_embed::ensure_compatible(Some(&recorded), pipeline.embedder().model()).with_context(|| {
        format!("the configured embedder cannot search `{name}`; configure {recorded} to search it")
    })?;
    let filter = filter_json(&args.filter)?;
    let display = pipeline.settings().display.clone();
    let found =
        pipeline.search_detailed(&args.query, args.mode.into(), args.fusion.into(), args.k, filter.as_deref()).await;
    drop(pipeline);
    app.shutdown().await?;
    let found = match found {
        Ok(f) => f,
        Err(weir_engine::Error::Usage(message)) => {
            eprintln!("error: {message}");
            return Ok(ExitCode::from(EXIT_CONFIG));
        }
        Err(e) => return Err(e.into()),
    };
    for note in &found.notes {
        eprintln!("note: {note}");
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&found.hits)?);
        return Ok(ExitCode::from(EXIT_OK));
    }
    if found.hits.is_empty() {
        println!("no results");
        return Ok(ExitCode::from(EXIT_OK));
    }
    for (rank, hit) in found.hits.iter().enumerate() {
        let fields = hit.display(&display);
        let line: Vec<String> = fields
            .iter()
            .map(|(field, value)| match *field {
                "name" | "title" | "nazev" => clip(value, 60),
                _ => format!("{field}={}", clip(value, 40)),
            })
            .collect();
        let how = match hit.matched {
            weir_engine::Match::Identifier => "  (exact identifier)",
            weir_engine::Match::Ranked => "",
        };
        println!("{:>3}. {:>6.3}  {}{how}", rank + 1, hit.score, line.join("  "));
    }
    Ok(ExitCode::from(EXIT_OK))
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n { s.to_owned() } else { format!("{}…", s.chars().take(n - 1).collect::<String>()) }
}

/// `field=value` pairs as the sink contract's filter: a JSON object of `field: value`, all of
/// which must match (numbers and booleans typed, everything else a string).
fn filter_json(pairs: &[String]) -> anyhow::Result<Option<String>> {
    if pairs.is_empty() {
        return Ok(None);
    }
    let mut all = serde_json::Map::new();
    for p in pairs {
        let (k, v) = p.split_once('=').with_context(|| format!("--filter `{p}`: write field=value"))?;
        let value: Value = match serde_json::from_str::<Value>(v) {
            Ok(x @ (Value::Number(_) | Value::Bool(_))) => x,
            _ => Value::String(v.to_owned()),
        };
        all.insert(k.trim().to_owned(), value);
    }
    Ok(Some(Value::Object(all).to_string()))
}

/// `weir config check`.
pub(crate) async fn config_cmd(cmd: ConfigCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ConfigCommand::Check(args) => {
            let mut app = args.open().await?;
            let mut ok = true;
            for name in &app.pipeline_names() {
                match app.pipeline(name).await {
                    Ok(_) => println!("pipeline `{name}`: ok"),
                    Err(e) => {
                        println!("pipeline `{name}`: {e:#}");
                        ok = false;
                    }
                }
            }
            app.shutdown().await?;
            Ok(ExitCode::from(if ok { EXIT_OK } else { EXIT_CONFIG }))
        }
        ConfigCommand::Schema => {
            println!("{}", serde_json::to_string_pretty(&config::schema())?);
            Ok(ExitCode::from(EXIT_OK))
        }
    }
}
