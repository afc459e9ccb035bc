//! One run of one pipeline: read → validate → detect changes → embed → write → commit.
//!
//! The stages overlap through bounded queues: a reader task pages through the source, a
//! processing task validates, renders and compares with the ledger, embedding runs for up to
//! `embed_concurrency` batches at once, and this task writes each batch to the sink and
//! commits it, strictly in batch order. A commit is one transaction holding the ledger rows
//! of the batch and the source state after it, made only after the sink acknowledged the
//! batch; so a crash at any instant loses nothing and redoes at most the batches in flight,
//! whose deterministic point ids make the redo an overwrite.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;
use tracing::{info, warn};
use weir_core::{CollectionSpec, Distance as SinkDistance, PayloadUpdate, Point, Record, Scope};
use weir_embed::{Distance, Embedder, EmbeddingCache, ModelId, Purpose, ensure_compatible, estimate_tokens};
use weir_runtime::{SinkInstance, SourceInstance, ValidatorInstance};

use crate::error::{Error, Result};
use crate::invalid::InvalidLog;
use crate::report::{CountCheck, Counts, EmbedCounts, PluginCalls, RunReport, RunStatus, StageTimes};
use crate::settings::{InvalidPolicy, PipelineSettings};
use crate::state::{Checkpoint, LedgerRow, PipelineMeta, StateDir};
use crate::template::Template;
use crate::validate::CompiledRules;

/// What a run does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Read everything; write what changed; delete what the source no longer has.
    Full,
    /// Read what changed since the watermark (minus the overlap).
    Incremental,
    /// List keys only and delete points whose keys vanished. No embedding.
    Reconcile,
    /// Embed everything into a new collection, then switch the alias to it.
    Rebuild,
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Mode::Full => "full",
            Mode::Incremental => "incremental",
            Mode::Reconcile => "reconcile",
            Mode::Rebuild => "rebuild",
        })
    }
}

impl std::str::FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "full" => Ok(Mode::Full),
            "incremental" => Ok(Mode::Incremental),
            "reconcile" => Ok(Mode::Reconcile),
            "rebuild" => Ok(Mode::Rebuild),
            _ => Err(format!("`{s}` is not a mode (full, incremental, reconcile, rebuild)")),
        }
    }
}

/// Set it to stop a run after the batches in flight (Ctrl-C, SIGTERM).
pub type StopSignal = Arc<AtomicBool>;

/// Progress of a running pipeline, reported after every commit.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    /// Records fetched so far.
    pub fetched: u64,
    /// Records the source said it has at the start (when it can count).
    pub total: Option<u64>,
    /// Records by outcome so far.
    pub counts: Counts,
    /// Cache hits and misses so far.
    pub cache_hits: u64,
    /// Cache misses so far.
    pub cache_misses: u64,
}

/// Called after every committed batch.
pub type ProgressFn = Arc<dyn Fn(&Progress) + Send + Sync>;

/// How to run.
#[derive(Clone)]
pub struct RunOptions {
    /// The mode.
    pub mode: Mode,
    /// Report what would happen; write nothing.
    pub dry_run: bool,
    /// Delete past the mass-delete guard.
    pub force: bool,
    /// Stops the run cleanly when set.
    pub stop: StopSignal,
    /// Progress callback.
    pub progress: Option<ProgressFn>,
}

impl std::fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunOptions").field("mode", &self.mode).field("dry_run", &self.dry_run).finish_non_exhaustive()
    }
}

impl RunOptions {
    /// A plain run in `mode`.
    pub fn new(mode: Mode) -> Self {
        Self { mode, dry_run: false, force: false, stop: StopSignal::default(), progress: None }
    }
}

/// One pipeline: a source stream, validators, a sink collection, an embedder and settings.
pub struct Pipeline {
    name: String,
    stream: String,
    collection: String,
    source: Option<SourceInstance>,
    validators: Vec<ValidatorInstance>,
    sink: SinkInstance,
    embedder: Arc<dyn Embedder>,
    settings: PipelineSettings,
    template: Template,
    rules: CompiledRules,
    namespace: uuid::Uuid,
    redact: Vec<String>,
}

impl std::fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pipeline").field("name", &self.name).field("stream", &self.stream).finish_non_exhaustive()
    }
}

impl Pipeline {
    /// Assembles a pipeline; checks the settings.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        name: impl Into<String>,
        stream: impl Into<String>,
        source: SourceInstance,
        validators: Vec<ValidatorInstance>,
        sink: SinkInstance,
        collection: impl Into<String>,
        embedder: Arc<dyn Embedder>,
        settings: PipelineSettings,
    ) -> Result<Self> {
        let name = name.into();
        let config = |message: String| Error::Config { pipeline: name.clone(), message };
        if name.is_empty() || name.contains('/') || name.contains('#') {
            return Err(config("a pipeline name must be non-empty and contain no `/` or `#`".into()));
        }
        let template = settings.check().map_err(config)?;
        let rules = settings.validation.compile().map_err(config)?;
        let namespace = point_namespace(settings.namespace.as_deref().unwrap_or(&name));
        Ok(Self {
            stream: stream.into(),
            collection: collection.into(),
            source: Some(source),
            validators,
            sink,
            embedder,
            settings,
            template,
            rules,
            namespace,
            name,
            redact: Vec::new(),
        })
    }

    /// Values that must never be written to weir's own files (the configuration's secrets).
    #[must_use]
    pub fn redacting(mut self, secrets: Vec<String>) -> Self {
        self.redact = secrets;
        self
    }

    /// The pipeline's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The collection (alias) searches use.
    pub fn collection(&self) -> &str {
        &self.collection
    }

    /// The embedder.
    pub fn embedder(&self) -> &Arc<dyn Embedder> {
        &self.embedder
    }

    /// The sink instance (for searches).
    pub fn sink(&mut self) -> &mut SinkInstance {
        &mut self.sink
    }

    /// The deterministic point id of `key`.
    pub fn point_id(&self, key: &str) -> String {
        point_id(&self.namespace, &self.stream, key)
    }
}

fn point_namespace(name: &str) -> uuid::Uuid {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, format!("weir:pipeline:{name}").as_bytes())
}

fn point_id(namespace: &uuid::Uuid, stream: &str, key: &str) -> String {
    let mut name = Vec::with_capacity(stream.len() + key.len() + 1);
    name.extend_from_slice(stream.as_bytes());
    name.push(0);
    name.extend_from_slice(key.as_bytes());
    uuid::Uuid::new_v5(namespace, &name).to_string()
}

fn hash16(bytes: &[u8]) -> [u8; 16] {
    let digest = Sha256::digest(bytes);
    let mut out = [0u8; 16];
    out.copy_from_slice(&digest[..16]);
    out
}

fn sink_distance(d: Distance) -> SinkDistance {
    match d {
        Distance::Cosine => SinkDistance::Cosine,
        Distance::Dot => SinkDistance::Dot,
        Distance::Euclid => SinkDistance::Euclid,
    }
}

/// The payload field that carries the record's key.
pub const KEY_FIELD: &str = "_key";

/// A record ready to write.
struct Item {
    key: String,
    text: String,
    payload: String,
    row: LedgerRow,
}

/// One source page after processing.
struct Batch {
    state: String,
    max_cursor: Option<String>,
    fetched: u64,
    invalid: u64,
    new: u64,
    reembedded: u64,
    embed: Vec<Item>,
    vectors: Vec<Vec<f32>>,
    payload_only: Vec<Item>,
    /// Ledger rows rewritten without a sink write (unchanged records seen by a full run).
    touch: Vec<(String, LedgerRow)>,
    unchanged: u64,
    estimated_tokens: u64,
    embed_time: Duration,
    write_time: Duration,
}

/// Where a batch is written.
struct WriteTarget {
    collection: String,
    namespace: uuid::Uuid,
    stream: String,
}

#[derive(Default)]
struct Busy {
    read: AtomicU64,
    process: AtomicU64,
}

fn add(counter: &AtomicU64, since: Instant) {
    counter.fetch_add(since.elapsed().as_nanos() as u64, Ordering::Relaxed);
}

fn ms(nanos: u64) -> f64 {
    nanos as f64 / 1e6
}

/// Subtracts `overlap` from an RFC 3339 watermark (kept as is when it does not parse).
fn minus_overlap(watermark: &str, overlap: Duration) -> String {
    match chrono::DateTime::parse_from_rfc3339(watermark) {
        Ok(t) => {
            let back = (t - chrono::Duration::from_std(overlap).unwrap_or_default()).with_timezone(&chrono::Utc);
            back.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
        }
        Err(_) => watermark.to_owned(),
    }
}

fn newer(a: Option<String>, b: Option<&String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if later(b, &a) { b.clone() } else { a }),
        (a, b) => a.or_else(|| b.cloned()),
    }
}

/// Whether cursor `a` is later than `b` (as instants when both parse, else as text).
fn later(a: &str, b: &str) -> bool {
    match (chrono::DateTime::parse_from_rfc3339(a), chrono::DateTime::parse_from_rfc3339(b)) {
        (Ok(x), Ok(y)) => x > y,
        _ => a > b,
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Runs `pipeline` once. Errors before anything was written (configuration, model mismatch,
/// an unreachable sink) and errors during the run are both returned; a run that started is
/// also recorded in the history with its counts, and the next run resumes from its last
/// commit.
pub async fn run(state: &Arc<StateDir>, pipeline: &mut Pipeline, opts: &RunOptions) -> Result<RunReport> {
    let started = Instant::now();
    let started_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut meta = state.meta(&pipeline.name)?;
    let mut mode = opts.mode;
    if mode == Mode::Incremental && meta.watermark.is_none() && meta.checkpoint.is_none() {
        info!(pipeline = %pipeline.name, "no watermark yet: the first incremental run reads everything (full)");
        mode = Mode::Full;
    }
    let model = pipeline.embedder.model().clone();
    if mode != Mode::Rebuild && mode != Mode::Reconcile {
        ensure_compatible(meta.model.as_ref(), &model)?;
    }
    if !model.semantic {
        warn!(
            pipeline = %pipeline.name,
            "THE HASH EMBEDDER IS NOT SEMANTIC: its vectors carry no meaning; use it for tests and emergencies only"
        );
    }

    // Resume an interrupted run of the same mode; forget one of another mode (its committed
    // batches are in the ledger and the new run reconciles them).
    let resume = match meta.checkpoint.take() {
        Some(c) if c.mode == mode && !opts.dry_run => Some(c),
        Some(c) if opts.dry_run => {
            meta.checkpoint = Some(c);
            None
        }
        Some(c) => {
            warn!(pipeline = %pipeline.name, "an interrupted {} run is superseded by this {mode} run", c.mode);
            None
        }
        None => None,
    };
    let resumed = resume.is_some();
    let run_id = match &resume {
        Some(c) => c.run_id,
        None => state.next_run_id()?,
    };

    let mut report = RunReport {
        run_id,
        pipeline: pipeline.name.clone(),
        mode,
        dry_run: opts.dry_run,
        resumed,
        status: RunStatus::Success,
        error: None,
        started: started_at,
        duration_s: 0.0,
        records_per_s: 0.0,
        counts: Counts::default(),
        estimated_tokens: 0,
        estimated_cost_usd: 0.0,
        batches: 0,
        stages: StageTimes::default(),
        plugins: BTreeMap::new(),
        embedding: EmbedCounts { model: model.key(), ..EmbedCounts::default() },
        watermark: meta.watermark.clone(),
        count_check: None,
    };
    let plugin_before = plugin_counters(pipeline);
    let embed_before = pipeline.embedder.stats();
    let cache = EmbeddingCache::new(state.db());
    let cache_before = cache.stats().map_err(Error::Embed)?;

    let result = match mode {
        Mode::Reconcile => reconcile(state, pipeline, opts, &mut meta, &mut report).await,
        _ => sync(state, pipeline, opts, &mut meta, resume, run_id, mode, &cache, &mut report).await,
    };

    // Counters, whatever happened.
    let plugin_after = plugin_counters(pipeline);
    for (name, after) in plugin_after {
        let before = plugin_before.get(&name).cloned().unwrap_or_default();
        report.plugins.insert(
            name,
            PluginCalls {
                calls: after.calls - before.calls,
                http_requests: after.http_requests - before.http_requests,
                http_retries: after.http_retries - before.http_retries,
                busy_us: after.busy_us - before.busy_us,
                http_us: after.http_us - before.http_us,
            },
        );
    }
    let embed_after = pipeline.embedder.stats();
    report.embedding.requests = embed_after.requests - embed_before.requests;
    report.embedding.tokens = embed_after.tokens - embed_before.tokens;
    report.embedding.cost_usd = embed_after.cost_usd - embed_before.cost_usd;
    if let Ok(c) = cache.stats() {
        report.embedding.cache_hits = c.hits - cache_before.hits;
        report.embedding.cache_misses = c.misses - cache_before.misses;
    }
    report.duration_s = started.elapsed().as_secs_f64();
    let seen = report.counts.fetched.max(report.counts.listed);
    report.records_per_s = seen as f64 / report.duration_s.max(1e-9);
    report.estimated_cost_usd = report.estimated_tokens as f64 * pipeline.settings.usd_per_million_tokens / 1e6;

    // A run over the invalid-records limit fails, though everything valid was synced.
    let mut result = result;
    if result.is_ok()
        && let InvalidPolicy::FailAbovePercent(limit) = pipeline.settings.on_invalid
        && report.counts.fetched > 0
        && report.counts.invalid as f64 * 100.0 / report.counts.fetched as f64 > limit
    {
        result = Err(Error::TooManyInvalid {
            pipeline: pipeline.name.clone(),
            invalid: report.counts.invalid,
            seen: report.counts.fetched,
            policy: pipeline.settings.on_invalid.to_string(),
            file: state.path(crate::state::INVALID_FILE),
        });
    }
    match &result {
        Ok(()) if opts.stop.load(Ordering::Relaxed) && meta.checkpoint.is_some() => {
            report.status = RunStatus::Interrupted;
        }
        Ok(()) => {
            if report.counts.invalid > 0 {
                report.status = RunStatus::Partial;
            }
        }
        Err(e) => {
            report.status = RunStatus::Failed;
            report.error = Some(e.to_string());
        }
    }
    report.watermark = meta.watermark.clone();

    if !opts.dry_run {
        meta.last_run = Some(run_id);
        if matches!(report.status, RunStatus::Success | RunStatus::Partial) {
            meta.last_success_ms = Some(now_ms());
        }
        // Only the bookkeeping fields; the checkpoint and ledger were committed as we went.
        let mut stored = state.meta(&pipeline.name)?;
        stored.last_run = meta.last_run;
        stored.last_success_ms = meta.last_success_ms;
        state.put_meta(&pipeline.name, &stored)?;
    }
    state.record_run(&report)?;
    state.write_metrics(&report)?;
    result.map(|()| report)
}

fn plugin_counters(p: &Pipeline) -> BTreeMap<String, PluginCalls> {
    let mut out = BTreeMap::new();
    let mut put = |plugin: &weir_runtime::Plugin| {
        let s = plugin.stats();
        let entry: &mut PluginCalls = out.entry(plugin.name().to_owned()).or_default();
        entry.calls = weir_runtime::PluginStats::get(&s.calls);
        entry.http_requests = weir_runtime::PluginStats::get(&s.http_requests);
        entry.http_retries = weir_runtime::PluginStats::get(&s.http_retries);
        entry.busy_us = weir_runtime::PluginStats::get(&s.busy_nanos) / 1_000;
        entry.http_us = weir_runtime::PluginStats::get(&s.http_nanos) / 1_000;
    };
    if let Some(s) = &p.source {
        put(s.plugin());
    }
    for v in &p.validators {
        put(v.plugin());
    }
    put(p.sink.plugin());
    out
}

/// Makes sure the physical collection exists with the model's shape and the alias points at
/// it.
async fn prepare_collection(
    sink: &mut SinkInstance,
    settings: &PipelineSettings,
    physical: &str,
    model: &ModelId,
) -> Result<()> {
    let spec = CollectionSpec {
        name: physical.to_owned(),
        dimension: model.dimension,
        distance: sink_distance(model.distance),
        model: model.key(),
        lexical: None,
        payload_indexes: settings.payload_indexes(),
    };
    sink.prepare(&spec).await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn sync(
    state: &Arc<StateDir>,
    pipeline: &mut Pipeline,
    opts: &RunOptions,
    meta: &mut PipelineMeta,
    resume: Option<Checkpoint>,
    run_id: u64,
    mode: Mode,
    cache: &EmbeddingCache,
    report: &mut RunReport,
) -> Result<()> {
    let model = pipeline.embedder.model().clone();
    let name = pipeline.name.clone();
    let rebuild = mode == Mode::Rebuild;
    // Where the rows of this run go: a rebuild stages its ledger apart until it completes.
    let ledger_name = if rebuild { format!("{name}#rebuild") } else { name.clone() };

    let mut checkpoint = match resume {
        Some(c) => {
            info!(pipeline = %name, run = run_id, batches = c.batches, records = c.records, "resuming an interrupted {mode} run");
            c
        }
        None => {
            let since = match mode {
                Mode::Incremental => meta
                    .watermark
                    .as_deref()
                    .map(|w| minus_overlap(w, Duration::from_secs(pipeline.settings.overlap_seconds))),
                _ => None,
            };
            let target = rebuild.then(|| format!("{}_v{}", pipeline.collection, meta.version + 1));
            Checkpoint {
                run_id,
                mode,
                since,
                state: None,
                generation: if mode == Mode::Full { meta.generation + 1 } else { meta.generation },
                max_cursor: None,
                batches: 0,
                records: 0,
                target,
            }
        }
    };
    let physical = match (&checkpoint.target, &meta.physical) {
        (Some(t), _) => t.clone(),
        (None, Some(p)) => p.clone(),
        (None, None) => format!("{}_v{}", pipeline.collection, meta.version.max(1)),
    };

    if !opts.dry_run {
        prepare_collection(&mut pipeline.sink, &pipeline.settings, &physical, &model).await?;
        if meta.physical.is_none() {
            pipeline.sink.switch_alias(&pipeline.collection, &physical).await?;
            meta.physical = Some(physical.clone());
            meta.collection = Some(pipeline.collection.clone());
            meta.version = meta.version.max(1);
        }
        if !rebuild {
            meta.model = Some(model.clone());
        }
        meta.checkpoint = Some(checkpoint.clone());
        state.put_meta(&name, meta)?;
    }

    let generation = checkpoint.generation;
    let scope = match &checkpoint.since {
        Some(since) => Scope::Since(since.clone()),
        None => Scope::Full,
    };
    let mut source = pipeline.source.take().ok_or_else(|| Error::Internal("the source is in use".into()))?;
    let total = if mode == Mode::Incremental { None } else { source.count(&pipeline.stream).await.ok().flatten() };

    let busy = Arc::new(Busy::default());
    let queue = pipeline.settings.queue;
    let (page_tx, mut page_rx) = mpsc::channel::<Result<weir_core::Page>>(queue);
    let (batch_tx, batch_rx) = mpsc::channel::<Result<Batch>>(queue);

    // Stage 1: the reader.
    let reader = {
        let stream = pipeline.stream.clone();
        let stop = opts.stop.clone();
        let busy = busy.clone();
        let max = pipeline.settings.batch_size;
        let mut cursor = checkpoint.state.clone();
        tokio::spawn(async move {
            loop {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let t = Instant::now();
                let page = source.read(&stream, &scope, cursor.as_deref(), max).await;
                add(&busy.read, t);
                match page {
                    Ok(page) => {
                        let done = page.done;
                        cursor = Some(page.state.clone());
                        if page_tx.send(Ok(page)).await.is_err() || done {
                            break;
                        }
                    }
                    Err(e) => {
                        let _ = page_tx.send(Err(e.into())).await;
                        break;
                    }
                }
            }
            source
        })
    };

    // Stage 2: validation, rendering, change detection.
    let processor = {
        let ctx = Processor {
            pipeline: name.clone(),
            ledger: ledger_name.clone(),
            stream: pipeline.stream.clone(),
            template: pipeline.template.clone(),
            rules: pipeline.rules.clone(),
            settings: pipeline.settings.clone(),
            state: state.clone(),
            generation,
            full: matches!(mode, Mode::Full | Mode::Rebuild),
            dry_run: opts.dry_run,
            invalid: InvalidLog::new(state.path(crate::state::INVALID_FILE), !opts.dry_run)
                .redacting(pipeline.redact.clone()),
            seen_hashes: HashSet::new(),
            seen_keys: opts.dry_run.then(HashSet::new),
            busy: busy.clone(),
            run_id,
        };
        let mut validators = std::mem::take(&mut pipeline.validators);
        tokio::spawn(async move {
            let mut ctx = ctx;
            while let Some(page) = page_rx.recv().await {
                let batch = match page {
                    Ok(page) => ctx.process(page, &mut validators).await,
                    Err(e) => Err(e),
                };
                let failed = batch.is_err();
                if batch_tx.send(batch).await.is_err() || failed {
                    break;
                }
            }
            (validators, ctx.seen_keys)
        })
    };

    // Stages 3 and 4: embedding, then the sink write. Up to `max(embed_concurrency,
    // write_concurrency)` batches are in flight, at most `embed_concurrency` of them being
    // embedded (an API's rate limits are met by that setting, not by the sink's) and each
    // written on one of `write_concurrency` sink instances; results come back in batch order
    // and are committed in that order below, each only after its write was acked.
    let embedder = pipeline.embedder.clone();
    let dry_run = opts.dry_run;
    let probe_cache = cache.clone();
    let embedding = Arc::new(tokio::sync::Semaphore::new(pipeline.settings.embed_concurrency.max(1)));
    let mut writers = Vec::new();
    if !dry_run {
        for _ in 0..pipeline.settings.write_concurrency {
            writers.push(Arc::new(tokio::sync::Mutex::new(pipeline.sink.fork().await?)));
        }
    }
    let target = Arc::new(WriteTarget {
        collection: physical.clone(),
        namespace: pipeline.namespace,
        stream: pipeline.stream.clone(),
    });
    let mut embedded = tokio_stream_from(batch_rx)
        .enumerate()
        .map(move |(seq, batch)| {
            let embedder = embedder.clone();
            let cache = probe_cache.clone();
            let writer = (!writers.is_empty()).then(|| writers[seq % writers.len()].clone());
            let target = target.clone();
            let embedding = embedding.clone();
            tokio::spawn(async move {
                let permit = embedding
                    .acquire_owned()
                    .await
                    .map_err(|_| Error::Internal("the embedding limiter was closed".into()))?;
                let mut batch = embed_batch(batch?, embedder, cache, dry_run).await?;
                drop(permit);
                if let Some(writer) = writer {
                    let t = Instant::now();
                    let mut sink = writer.lock().await;
                    write_batch(&mut sink, &target.collection, &target.namespace, &target.stream, &mut batch).await?;
                    batch.write_time = t.elapsed();
                }
                Ok::<Batch, Error>(batch)
            })
        })
        .buffered(pipeline.settings.embed_concurrency.max(pipeline.settings.write_concurrency));

    // Stage 4: write and commit, in order.
    let mut outcome: Result<()> = Ok(());
    let mut write_ns = 0u64;
    let mut commit_ns = 0u64;
    let mut embed_ns = 0u64;
    while let Some(joined) = embedded.next().await {
        let batch = match joined {
            Ok(Ok(b)) => b,
            Ok(Err(e)) => {
                outcome = Err(e);
                break;
            }
            Err(e) => {
                outcome = Err(Error::Internal(format!("the embedding task failed: {e}")));
                break;
            }
        };
        embed_ns += batch.embed_time.as_nanos() as u64;
        let c = &mut report.counts;
        c.fetched += batch.fetched;
        c.invalid += batch.invalid;
        c.valid += batch.fetched - batch.invalid;
        c.unchanged += batch.unchanged;
        c.payload_only += batch.payload_only.len() as u64;
        c.new += batch.new;
        c.reembedded += batch.reembedded;
        c.embedded += batch.embed.len() as u64;
        report.estimated_tokens += batch.estimated_tokens;
        checkpoint.max_cursor = newer(checkpoint.max_cursor.take(), batch.max_cursor.as_ref());
        checkpoint.state = Some(batch.state.clone());
        checkpoint.batches += 1;
        checkpoint.records += batch.fetched;
        if dry_run {
            // What the real run would upsert.
            report.counts.upserted += batch.embed.len() as u64;
            report.batches += 1;
            continue;
        }
        write_ns += batch.write_time.as_nanos() as u64;
        report.counts.upserted += batch.embed.len() as u64;
        let t = Instant::now();
        let rows: Vec<(String, LedgerRow)> = batch
            .embed
            .iter()
            .chain(&batch.payload_only)
            .map(|i| (i.key.clone(), i.row))
            .chain(batch.touch.iter().cloned())
            .collect();
        meta.checkpoint = Some(checkpoint.clone());
        if let Err(e) = state.commit(&ledger_name, &rows, &[], meta) {
            outcome = Err(e);
            break;
        }
        commit_ns += t.elapsed().as_nanos() as u64;
        report.batches += 1;
        if let Some(progress) = &opts.progress {
            let stats = cache.stats().unwrap_or_default();
            progress(&Progress {
                fetched: report.counts.fetched,
                total,
                counts: report.counts.clone(),
                cache_hits: stats.hits,
                cache_misses: stats.misses,
            });
        }
    }
    drop(embedded);
    let source = reader.await.map_err(|e| Error::Internal(format!("the reader task failed: {e}")))?;
    pipeline.source = Some(source);
    let (validators, seen_keys) =
        processor.await.map_err(|e| Error::Internal(format!("the processing task failed: {e}")))?;
    pipeline.validators = validators;
    report.stages = StageTimes {
        read_ms: ms(busy.read.load(Ordering::Relaxed)),
        process_ms: ms(busy.process.load(Ordering::Relaxed)),
        embed_ms: ms(embed_ns),
        write_ms: ms(write_ns),
        commit_ms: ms(commit_ns),
    };
    outcome?;
    if opts.stop.load(Ordering::Relaxed) {
        info!(pipeline = %name, batches = checkpoint.batches, "stopped on request; the next run resumes here");
        return Ok(());
    }

    // The whole stream was read.
    // A full read saw every record: its newest cursor is the watermark. An incremental read
    // only moves it forward.
    let new_watermark = match mode {
        Mode::Full => checkpoint.max_cursor.clone().or_else(|| meta.watermark.clone()),
        _ => newer(meta.watermark.clone(), checkpoint.max_cursor.as_ref()),
    };
    match mode {
        Mode::Full => {
            let stale: Vec<String> = match &seen_keys {
                Some(seen) => state.ledger_keys_where(&name, |k, _| !seen.contains(k))?,
                None => state.ledger_keys_where(&name, |_, row| row.generation != generation)?,
            };
            delete_stale(state, pipeline, opts, meta, &physical, &name, stale, report).await?;
        }
        Mode::Rebuild if !dry_run => {
            // The new collection is complete: point the alias at it, adopt its ledger, drop
            // the old one.
            let old = meta.physical.clone();
            pipeline.sink.switch_alias(&pipeline.collection, &physical).await?;
            meta.physical = Some(physical.clone());
            meta.model = Some(model.clone());
            meta.version += 1;
            meta.generation = generation;
            meta.checkpoint = None;
            meta.watermark = checkpoint.max_cursor.clone();
            state.replace_ledger(&name, &ledger_name, meta)?;
            if let Some(old) = old.filter(|o| *o != physical)
                && let Err(e) = pipeline.sink.drop_collection(&old).await
            {
                warn!(pipeline = %name, collection = %old, error = %e, "the old collection could not be dropped; drop it by hand");
            }
            warn!(pipeline = %name, "rebuild complete: `{}` now serves {physical} with {}", pipeline.collection, model.key());
        }
        _ => {}
    }
    if !dry_run {
        meta.watermark = if rebuild { meta.watermark.clone() } else { new_watermark };
        if mode == Mode::Full {
            meta.generation = generation;
        }
        meta.checkpoint = None;
        state.put_meta(&name, meta)?;
        report.count_check = Some(count_check(state, pipeline, &name, &physical, report).await);
    }
    Ok(())
}

fn tokio_stream_from<T: Send + 'static>(mut rx: mpsc::Receiver<T>) -> impl futures::Stream<Item = T> {
    futures::stream::poll_fn(move |cx| rx.poll_recv(cx))
}

async fn embed_batch(
    mut batch: Batch,
    embedder: Arc<dyn Embedder>,
    cache: EmbeddingCache,
    dry_run: bool,
) -> Result<Batch> {
    if batch.embed.is_empty() {
        return Ok(batch);
    }
    let t = Instant::now();
    let texts: Vec<String> = batch.embed.iter().map(|i| i.text.clone()).collect();
    let model = embedder.model().clone();
    let expected_dimension = model.dimension as usize;
    if dry_run {
        // Which texts the provider would be asked for: the cache misses.
        let sent: Vec<String> = texts.iter().map(|t| model.text_for(Purpose::Passage, t).into_owned()).collect();
        let found = tokio::task::spawn_blocking(move || {
            let refs: Vec<&str> = sent.iter().map(String::as_str).collect();
            cache.get_many(&model, &refs)
        })
        .await
        .map_err(|e| Error::Internal(format!("cache lookup failed: {e}")))??;
        batch.estimated_tokens =
            texts.iter().zip(found).filter(|(_, hit)| hit.is_none()).map(|(t, _)| estimate_tokens(t)).sum();
    } else if !model.semantic {
        // The hash embedder is cheaper to run than to look up: no cache.
        batch.vectors = embedder.embed(&texts, Purpose::Passage).await?;
    } else {
        let cached = weir_embed::CachedEmbedder::new(embedder, cache);
        let misses_before = cached.cache().stats().map(|s| s.misses).unwrap_or(0);
        batch.vectors = cached.embed(&texts, Purpose::Passage).await?;
        let misses = cached.cache().stats().map(|s| s.misses).unwrap_or(0) - misses_before;
        // Estimated from the share of misses (the exact split is the cache's business).
        let per = texts.iter().map(|t| estimate_tokens(t)).sum::<u64>() / texts.len().max(1) as u64;
        batch.estimated_tokens = per * misses;
    }
    if !dry_run {
        if batch.vectors.len() != texts.len() {
            return Err(Error::Internal(format!("asked for {} vectors, got {}", texts.len(), batch.vectors.len())));
        }
        if let Some(d) = batch.vectors.iter().map(Vec::len).find(|d| *d != expected_dimension) {
            return Err(Error::Embed(weir_embed::Error::Protocol(format!(
                "the embedder returned a {d}-dimensional vector for a {}-dimensional model",
                expected_dimension
            ))));
        }
    }
    batch.embed_time = t.elapsed();
    Ok(batch)
}

async fn write_batch(
    sink: &mut SinkInstance,
    collection: &str,
    namespace: &uuid::Uuid,
    stream: &str,
    batch: &mut Batch,
) -> Result<()> {
    if !batch.embed.is_empty() {
        // The vectors are not needed after the write: moved, not copied.
        let vectors = std::mem::take(&mut batch.vectors);
        let points: Vec<Point> = batch
            .embed
            .iter()
            .zip(vectors)
            .map(|(item, vector)| Point {
                id: point_id(namespace, stream, &item.key),
                vector,
                sparse: None,
                payload: item.payload.clone(),
            })
            .collect();
        sink.upsert(collection, &points).await?;
    }
    if !batch.payload_only.is_empty() {
        let updates: Vec<PayloadUpdate> = batch
            .payload_only
            .iter()
            .map(|item| PayloadUpdate { id: point_id(namespace, stream, &item.key), payload: item.payload.clone() })
            .collect();
        sink.set_payload(collection, &updates).await?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn delete_stale(
    state: &Arc<StateDir>,
    pipeline: &mut Pipeline,
    opts: &RunOptions,
    meta: &mut PipelineMeta,
    physical: &str,
    ledger: &str,
    stale: Vec<String>,
    report: &mut RunReport,
) -> Result<()> {
    if stale.is_empty() {
        return Ok(());
    }
    let total = state.ledger_len(ledger)?;
    let share = stale.len() as f64 / total.max(1) as f64;
    if share > pipeline.settings.max_delete_share && !opts.force {
        return Err(Error::MassDelete {
            pipeline: pipeline.name.clone(),
            would_delete: stale.len() as u64,
            total,
            share: share * 100.0,
            limit: pipeline.settings.max_delete_share * 100.0,
        });
    }
    if opts.dry_run {
        report.counts.deleted = stale.len() as u64;
        return Ok(());
    }
    for chunk in stale.chunks(pipeline.settings.batch_size as usize) {
        let ids: Vec<String> = chunk.iter().map(|k| pipeline.point_id(k)).collect();
        pipeline.sink.delete(physical, &ids).await?;
        state.commit(ledger, &[], chunk, meta)?;
        report.counts.deleted += chunk.len() as u64;
    }
    info!(pipeline = %pipeline.name, deleted = stale.len(), "deleted points whose keys the source no longer has");
    Ok(())
}

async fn reconcile(
    state: &Arc<StateDir>,
    pipeline: &mut Pipeline,
    opts: &RunOptions,
    meta: &mut PipelineMeta,
    report: &mut RunReport,
) -> Result<()> {
    let Some(physical) = meta.physical.clone() else {
        info!(pipeline = %pipeline.name, "nothing synced yet: nothing to reconcile");
        return Ok(());
    };
    let name = pipeline.name.clone();
    let mut listed: HashSet<String> = HashSet::new();
    let mut cursor: Option<String> = None;
    let source = pipeline.source.as_mut().ok_or_else(|| Error::Internal("the source is in use".into()))?;
    let t = Instant::now();
    loop {
        if opts.stop.load(Ordering::Relaxed) {
            return Ok(());
        }
        let page =
            source.list_keys(&pipeline.stream, cursor.as_deref(), pipeline.settings.batch_size.max(1000)).await?;
        report.counts.listed += page.keys.len() as u64;
        listed.extend(page.keys);
        if page.done {
            break;
        }
        cursor = Some(page.state);
    }
    report.stages.read_ms = t.elapsed().as_secs_f64() * 1e3;
    let stale = state.ledger_keys_where(&name, |k, _| !listed.contains(k))?;
    delete_stale(state, pipeline, opts, meta, &physical, &name, stale, report).await?;
    if !opts.dry_run {
        report.count_check = Some(count_check(state, pipeline, &name, &physical, report).await);
    }
    Ok(())
}

async fn count_check(
    state: &StateDir,
    pipeline: &mut Pipeline,
    ledger: &str,
    physical: &str,
    report: &RunReport,
) -> CountCheck {
    let source = match pipeline.source.as_mut() {
        Some(s) => s.count(&pipeline.stream).await.ok().flatten(),
        None => None,
    };
    let sink = pipeline.sink.count(physical).await.ok();
    let ledger = state.ledger_len(ledger).unwrap_or(0);
    let mut why = Vec::new();
    if let Some(sink) = sink
        && sink != ledger
    {
        why.push(format!(
            "the sink holds {sink} points but weir wrote {ledger}: points were written or deleted outside weir, \
             or the sink lost acknowledged writes; a rebuild restores it"
        ));
    }
    if let Some(source) = source
        && source != ledger
    {
        let invalid = report.counts.invalid;
        let cause = if source > ledger && invalid > 0 && report.mode != Mode::Incremental {
            format!("{invalid} invalid records were skipped (see {})", crate::state::INVALID_FILE)
        } else if report.mode == Mode::Incremental {
            "records added or deleted since the last full or reconcile run (run one to settle)".into()
        } else {
            "the source changed while it was read (the next run settles it)".into()
        };
        why.push(format!("the source has {source} records and {ledger} are synced: {cause}"));
    }
    CountCheck { source, ledger, sink, mismatch: (!why.is_empty()).then(|| why.join("; ")) }
}

/// The processing stage's context.
struct Processor {
    pipeline: String,
    ledger: String,
    stream: String,
    template: Template,
    rules: CompiledRules,
    settings: PipelineSettings,
    state: Arc<StateDir>,
    generation: u64,
    full: bool,
    dry_run: bool,
    invalid: InvalidLog,
    /// Hashes of the keys seen by this process in a full run (duplicate detection).
    seen_hashes: HashSet<u64>,
    /// Keys seen by a dry full run (what a real run would not delete).
    seen_keys: Option<HashSet<String>>,
    busy: Arc<Busy>,
    run_id: u64,
}

fn key_hash(key: &str) -> u64 {
    let d = Sha256::digest(key.as_bytes());
    let mut b = [0u8; 8];
    b.copy_from_slice(&d[..8]);
    u64::from_le_bytes(b)
}

impl Processor {
    async fn process(&mut self, page: weir_core::Page, validators: &mut [ValidatorInstance]) -> Result<Batch> {
        // Validator plugins see the whole page at once.
        let mut plugin_verdicts = Vec::with_capacity(validators.len());
        for v in validators.iter_mut() {
            let verdicts = v.validate(&self.stream, &page.records).await?;
            if verdicts.len() != page.records.len() {
                return Err(Error::Internal(format!(
                    "validator `{}` returned {} verdicts for {} records",
                    v.plugin().name(),
                    verdicts.len(),
                    page.records.len()
                )));
            }
            plugin_verdicts.push((v.plugin().name().to_owned(), verdicts));
        }
        let t = Instant::now();
        let mut batch = Batch {
            state: page.state,
            max_cursor: None,
            fetched: page.records.len() as u64,
            invalid: 0,
            new: 0,
            reembedded: 0,
            embed: Vec::new(),
            vectors: Vec::new(),
            payload_only: Vec::new(),
            touch: Vec::new(),
            unchanged: 0,
            estimated_tokens: 0,
            embed_time: Duration::ZERO,
            write_time: Duration::ZERO,
        };
        // Within one page the last version of a key wins.
        let mut last_of: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for (i, r) in page.records.iter().enumerate() {
            last_of.insert(r.key.as_str(), i);
        }
        let mut candidates: Vec<(usize, String, String)> = Vec::new();
        let mut invalid_keys: Vec<String> = Vec::new();
        for (i, record) in page.records.iter().enumerate() {
            batch.max_cursor = newer(batch.max_cursor.take(), record.cursor.as_ref());
            if !self.full && last_of.get(record.key.as_str()) != Some(&i) {
                // An incremental page may carry two versions of a key; the later one wins.
                batch.fetched -= 1;
                continue;
            }
            let fields: Value = match serde_json::from_str(&record.fields) {
                Ok(v) => v,
                Err(e) => {
                    self.reject(record, &[("json", format!("the fields are not JSON: {e}"))])?;
                    batch.invalid += 1;
                    continue;
                }
            };
            let text = self.template.render(&fields);
            let mut violations: Vec<(String, String)> =
                self.rules.check(&record.key, &fields, &text).into_iter().map(|v| (v.rule, v.message)).collect();
            for (plugin, verdicts) in &plugin_verdicts {
                for v in &verdicts[i].violations {
                    violations.push((format!("{plugin}/{}", v.rule), v.message.clone()));
                }
            }
            if self.full && !record.key.is_empty() && !self.seen_hashes.insert(key_hash(&record.key)) {
                violations.push(("duplicate-key".into(), format!("key `{}` was already read in this run", record.key)));
            }
            if !violations.is_empty() {
                let v: Vec<(&str, String)> = violations.iter().map(|(r, m)| (r.as_str(), m.clone())).collect();
                self.reject(record, &v)?;
                batch.invalid += 1;
                if !record.key.is_empty() {
                    invalid_keys.push(record.key.clone());
                }
                continue;
            }
            let payload = self.payload(&record.key, fields);
            candidates.push((i, text, payload));
        }
        // Compare with the ledger.
        let mut keys: Vec<&str> = candidates.iter().map(|(i, ..)| page.records[*i].key.as_str()).collect();
        keys.extend(invalid_keys.iter().map(String::as_str));
        let rows = self.state.ledger_get(&self.ledger, &keys)?;
        let (rows, invalid_rows) = rows.split_at(candidates.len());
        for ((i, text, payload), old) in candidates.into_iter().zip(rows) {
            let key = page.records[i].key.clone();
            if let Some(seen) = &mut self.seen_keys {
                seen.insert(key.clone());
            }
            let generation = match old {
                Some(o) if !self.full => o.generation,
                _ => self.generation,
            };
            let row =
                LedgerRow { text_hash: hash16(text.as_bytes()), payload_hash: hash16(payload.as_bytes()), generation };
            let item = Item { key, text, payload, row };
            match old {
                None => {
                    batch.new += 1;
                    batch.embed.push(item);
                }
                Some(o) if o.text_hash != row.text_hash => {
                    batch.reembedded += 1;
                    batch.embed.push(item);
                }
                Some(o) if o.payload_hash != row.payload_hash => batch.payload_only.push(item),
                Some(o) => {
                    batch.unchanged += 1;
                    if o.generation != row.generation {
                        batch.touch.push((item.key, row));
                    }
                }
            }
        }
        // Invalid records whose earlier version is in the sink keep it (and are not deleted
        // as vanished at the end of a full run).
        for (key, old) in invalid_keys.into_iter().zip(invalid_rows) {
            if let Some(seen) = &mut self.seen_keys {
                seen.insert(key.clone());
            }
            if let Some(o) = old
                && self.full
                && o.generation != self.generation
            {
                batch.touch.push((key, LedgerRow { generation: self.generation, ..*o }));
            }
        }
        self.invalid.flush()?;
        add(&self.busy.process, t);
        Ok(batch)
    }

    fn payload(&self, key: &str, fields: Value) -> String {
        let mut map = match fields {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        let p = &self.settings.payload;
        if let Some(only) = &p.fields {
            map.retain(|k, _| only.iter().any(|f| f == k));
        }
        for f in &p.exclude {
            map.remove(f);
        }
        map.insert(KEY_FIELD.to_owned(), Value::String(key.to_owned()));
        Value::Object(map).to_string()
    }

    fn reject(&mut self, record: &Record, violations: &[(&str, String)]) -> Result<()> {
        if self.settings.on_invalid == InvalidPolicy::Fail {
            let (rule, message) = violations.first().map(|(r, m)| (*r, m.as_str())).unwrap_or(("?", ""));
            return Err(Error::TooManyInvalid {
                pipeline: self.pipeline.clone(),
                invalid: 1,
                seen: 1,
                policy: format!("fail on the first; record `{}` broke `{rule}`: {message}", record.key),
                file: self.invalid.path().to_path_buf(),
            });
        }
        if !self.dry_run {
            self.invalid.write(self.run_id, &self.pipeline, &self.stream, record, violations)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn point_ids_are_deterministic_and_separate_pipelines_and_streams() {
        let a = point_namespace("products");
        assert_eq!(point_id(&a, "products", "1"), point_id(&point_namespace("products"), "products", "1"));
        assert_ne!(point_id(&a, "products", "1"), point_id(&a, "products", "2"));
        assert_ne!(point_id(&a, "products", "1"), point_id(&point_namespace("other"), "products", "1"));
        // No ambiguity between (stream, key) splits.
        assert_ne!(point_id(&a, "ab", "c"), point_id(&a, "a", "bc"));
        assert!(uuid::Uuid::parse_str(&point_id(&a, "s", "k")).is_ok());
    }

    #[test]
    fn overlap_moves_the_watermark_back() {
        assert_eq!(minus_overlap("2026-03-01T10:05:00Z", Duration::from_secs(300)), "2026-03-01T10:00:00Z");
        assert_eq!(minus_overlap("2026-03-01T10:05:00+01:00", Duration::from_secs(60)), "2026-03-01T09:04:00Z");
        assert_eq!(minus_overlap("not a date", Duration::from_secs(60)), "not a date");
    }

    #[test]
    fn newest_cursor_wins_by_instant() {
        let a = Some("2026-03-01T10:00:00+01:00".to_owned());
        let b = "2026-03-01T09:30:00Z".to_owned();
        assert_eq!(newer(a.clone(), Some(&b)), Some(b.clone()));
        assert_eq!(newer(None, Some(&b)), Some(b));
        assert_eq!(newer(a.clone(), None), a);
    }

    #[test]
    fn modes_parse() {
        assert_eq!("full".parse::<Mode>().unwrap(), Mode::Full);
        assert!("fast".parse::<Mode>().unwrap_err().contains("reconcile"));
    }
}
