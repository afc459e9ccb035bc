//! Local ONNX models run by ONNX Runtime (loaded dynamically), with the tokenizer loaded once.
//!
//! Nothing is downloaded at run time: `cargo xtask setup` places the runtime library
//! and the converted models in the model directory (see [`ModelPaths`]) and records their
//! sha256 in `manifest.json`.
//!
//! Each call tokenises its texts once, sorts them by token count and cuts inference calls by a
//! budget of padded tokens ([`batching`]); the vectors come back in the caller's order.

mod baseline;
mod batching;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError};

use fastembed::InitOptionsUserDefined;
use ort::environment::Environment;
use ort::session::Session;
use ort::session::builder::{GraphOptimizationLevel, PrepackedWeights, SessionBuilder};
use ort::value::Tensor;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokenizers::{AddedToken, Encoding, PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};
use tracing::info;

#[doc(hidden)]
pub use self::baseline::{ModelAlone, Prepared};
use self::batching::{Batching, plan};
use crate::embedder::{EmbedFuture, Embedder, normalize};
use crate::stats::Counters;
use crate::{EmbedStats, Error, ModelId, Provider, Purpose, Result};

/// File name of the ONNX Runtime library setup installs (`<model dir>/onnxruntime/`).
pub const ORT_LIB_NAME: &str = "libonnxruntime.so.1.24.4";
/// Environment variable naming the model directory.
pub const MODEL_DIR_ENV: &str = "WEIR_MODEL_DIR";
/// Environment variable naming the ONNX Runtime library file.
pub const ORT_DYLIB_ENV: &str = "ORT_DYLIB_PATH";
/// Environment variable overriding the batching and thread settings of every local embedder
/// of the process, for measurements: `legacy` (16 texts per call in the given order, one
/// session of 2 threads: weir before length-sorted batching) or a list such as
/// `sessions=2,threads=1,tokens=400,texts=64,sort=on` (any subset).
pub const BATCHING_ENV: &str = "WEIR_LOCAL_BATCHING";
/// Texts per inference call at most; the token budget ([`DEFAULT_BATCH_TOKENS`]) usually
/// cuts a call first.
pub const DEFAULT_BATCH_SIZE: usize = 64;
/// Padded tokens (longest text × texts) per inference call at most, over texts sorted by
/// token count. Smaller calls ran faster on 2 cores, down to the smallest budget tried (the
/// model alone on 500 product texts, 2 sessions of 1 thread: 78.7 texts per CPU second at 400,
/// 67.3 at 800, 60.9 at 1,600, 57.7 at 2,400; docs/BENCHMARKS.md): a product text is ~77
/// tokens, so a call holds ~5 of them and its activations stay in the CPU's caches.
pub const DEFAULT_BATCH_TOKENS: usize = 400;
/// Intra-op threads per session: one, with [`DEFAULT_SESSIONS`] sessions side by side, kept
/// both cores as busy as one session of two threads and wasted less waiting for each other.
pub const DEFAULT_THREADS: usize = 1;
/// Sessions running inference calls concurrently (they share their prepacked weights).
pub const DEFAULT_SESSIONS: usize = 2;
/// Token limit of both models; longer inputs are cut at the tokenizer.
pub const MAX_TOKENS: usize = 512;

const MODEL_FILES: [&str; 5] =
    ["model.onnx", "tokenizer.json", "config.json", "special_tokens_map.json", "tokenizer_config.json"];

/// The local models weir ships setup for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LocalModel {
    /// multilingual-e5-small (Czech + English, 384 dimensions, `query: `/`passage: `).
    MultilingualE5Small,
    /// all-MiniLM-L6-v2 (English only, 384 dimensions): fast tests.
    AllMiniLmL6V2,
}

impl LocalModel {
    /// The model's name in its [`ModelId`] and its directory name.
    pub fn name(self) -> &'static str {
        match self {
            LocalModel::MultilingualE5Small => "multilingual-e5-small",
            LocalModel::AllMiniLmL6V2 => "all-MiniLM-L6-v2",
        }
    }

    /// The identity of this model's vectors.
    pub fn model_id(self) -> ModelId {
        let id = ModelId::new(Provider::Local, self.name(), 384);
        match self {
            LocalModel::MultilingualE5Small => id.with_prefixes("query: ", "passage: "),
            LocalModel::AllMiniLmL6V2 => id,
        }
    }

    /// The `--model` value of the setup script that installs this model.
    pub fn setup_flag(self) -> &'static str {
        match self {
            LocalModel::MultilingualE5Small => "e5",
            LocalModel::AllMiniLmL6V2 => "minilm",
        }
    }
}

/// Where the model files and the ONNX Runtime library are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelPaths {
    /// The model directory (holds `manifest.json`).
    pub root: PathBuf,
    /// The ONNX Runtime shared library.
    pub ort_dylib: PathBuf,
}

impl ModelPaths {
    /// The same rules as the setup script: `$WEIR_MODEL_DIR`, else
    /// `$XDG_CACHE_HOME/weir/models`, else `~/.cache/weir/models`; the library is
    /// `$ORT_DYLIB_PATH` if set, else `<root>/onnxruntime/libonnxruntime.so.1.24.4`.
    pub fn discover() -> Self {
        let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
        let root = env(MODEL_DIR_ENV)
            .or_else(|| env("XDG_CACHE_HOME").map(|p| p.join("weir").join("models")))
            .or_else(|| env("HOME").map(|p| p.join(".cache").join("weir").join("models")))
            .unwrap_or_else(|| PathBuf::from(".weir-models"));
        let mut paths = Self::at(root);
        if let Some(lib) = env(ORT_DYLIB_ENV) {
            paths.ort_dylib = lib;
        }
        paths
    }

    /// Paths under `root`, ignoring the environment.
    pub fn at(root: impl Into<PathBuf>) -> Self {
        let root = root.into();
        let ort_dylib = root.join("onnxruntime").join(ORT_LIB_NAME);
        Self { root, ort_dylib }
    }

    /// The directory of `model`.
    pub fn model_dir(&self, model: LocalModel) -> PathBuf {
        self.root.join(model.name())
    }

    /// Whether the runtime and every file of `model` are present (no checksums).
    pub fn is_installed(&self, model: LocalModel) -> bool {
        self.ort_dylib.is_file() && MODEL_FILES.iter().all(|f| self.model_dir(model).join(f).is_file())
    }

    fn missing(&self, model: LocalModel, message: String) -> Error {
        Error::ModelFiles { model: model.name().to_owned(), dir: self.model_dir(model), message }
    }

    /// Checks that every file of `model` exists and, with `checksums`, matches the sha256
    /// recorded in `manifest.json`.
    pub fn verify(&self, model: LocalModel, checksums: bool) -> Result<()> {
        let dir = self.model_dir(model);
        let absent: Vec<&str> = MODEL_FILES.iter().copied().filter(|f| !dir.join(f).is_file()).collect();
        if !absent.is_empty() {
            return Err(self.missing(model, format!("missing {}", absent.join(", "))));
        }
        if !checksums {
            return Ok(());
        }
        let manifest_path = self.root.join("manifest.json");
        let manifest: Manifest = std::fs::read(&manifest_path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or_else(|| self.missing(model, "manifest.json is missing or unreadable".into()))?;
        for f in MODEL_FILES {
            let rel = format!("{}/{f}", model.name());
            let want = manifest
                .files
                .get(&rel)
                .ok_or_else(|| self.missing(model, format!("{rel} is not in manifest.json")))?;
            let got = sha256_file(&dir.join(f))?;
            if &got != want {
                return Err(self.missing(model, format!("{f} does not match manifest.json (corrupt or replaced)")));
            }
        }
        Ok(())
    }
}

#[derive(serde::Deserialize)]
struct Manifest {
    files: HashMap<String, String>,
}

fn sha256_file(path: &Path) -> Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher)?;
    Ok(hex::encode(hasher.finalize()))
}

/// Loads ONNX Runtime from `paths.ort_dylib` once per process and returns its environment.
///
/// A missing, foreign or too old library is an [`Error::Runtime`] naming the fix, never a
/// panic. The first successful library wins for the life of the process.
pub fn onnx_environment(paths: &ModelPaths) -> Result<Environment> {
    static ENV: OnceLock<Mutex<Option<Environment>>> = OnceLock::new();
    let runtime = |message: String| Error::Runtime { path: paths.ort_dylib.clone(), message };
    if !paths.ort_dylib.is_file() {
        return Err(runtime("the library file does not exist".into()));
    }
    let slot = ENV.get_or_init(|| Mutex::new(None));
    let mut guard = slot.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(env) = guard.as_ref() {
        return Ok(env.clone());
    }
    // Relative paths would make ort resolve against the executable's folder; be explicit.
    let lib = std::path::absolute(&paths.ort_dylib)?;
    let env = ort::init_from(&lib)
        .map_err(|e| runtime(e.to_string()))?
        .with_name("weir")
        .build()
        .map_err(|e| runtime(e.to_string()))?;
    info!(library = %lib.display(), "ONNX Runtime loaded");
    *guard = Some(env.clone());
    Ok(env)
}

/// Settings of a [`LocalEmbedder`].
#[derive(Debug, Clone)]
pub struct LocalConfig {
    /// Which model.
    pub model: LocalModel,
    /// Where its files are.
    pub paths: ModelPaths,
    /// Intra-op threads per session.
    pub threads: usize,
    /// Sessions (each a copy of the model, ~100 MiB for e5) running inference calls at once.
    pub sessions: usize,
    /// Texts per inference call at most.
    pub batch_size: usize,
    /// Padded tokens per inference call at most; 0: calls of `batch_size` texts.
    pub max_batch_tokens: usize,
    /// Sort each call's texts by token count before cutting them into inference calls.
    pub sort_by_length: bool,
    /// Check the files' sha256 against `manifest.json` when loading (~0.3 s).
    pub verify_checksums: bool,
}

impl LocalConfig {
    /// Defaults for `model` with [`ModelPaths::discover`].
    pub fn new(model: LocalModel) -> Self {
        Self {
            model,
            paths: ModelPaths::discover(),
            threads: DEFAULT_THREADS,
            sessions: DEFAULT_SESSIONS,
            batch_size: DEFAULT_BATCH_SIZE,
            max_batch_tokens: DEFAULT_BATCH_TOKENS,
            sort_by_length: true,
            verify_checksums: true,
        }
    }

    /// Applies a [`BATCHING_ENV`] value: `legacy` or `key=value` pairs separated by commas.
    pub fn apply_batching(&mut self, spec: &str) -> Result<()> {
        let bad = |what: &str| {
            Error::Config(format!(
                "{BATCHING_ENV}: {what} (e.g. `legacy` or `sessions=2,threads=1,tokens=400,texts=64,sort=on`)"
            ))
        };
        if spec.trim() == "legacy" {
            (self.sessions, self.threads, self.batch_size, self.max_batch_tokens, self.sort_by_length) =
                (1, 2, 16, 0, false);
            return Ok(());
        }
        for pair in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').ok_or_else(|| bad(&format!("`{pair}` is not key=value")))?;
            let number = || value.trim().parse::<usize>().map_err(|_| bad(&format!("`{value}` is not a number")));
            match key.trim() {
                "sessions" => self.sessions = number()?,
                "threads" => self.threads = number()?,
                "texts" => self.batch_size = number()?,
                "tokens" => self.max_batch_tokens = number()?,
                "sort" => {
                    self.sort_by_length = match value.trim() {
                        "on" | "1" | "true" => true,
                        "off" | "0" | "false" => false,
                        other => return Err(bad(&format!("sort is on or off, not `{other}`"))),
                    }
                }
                other => return Err(bad(&format!("unknown key `{other}`"))),
            }
        }
        Ok(())
    }

    fn batching(&self) -> Batching {
        Batching { max_tokens: self.max_batch_tokens, max_texts: self.batch_size, sort: self.sort_by_length }
    }
}

/// A local ONNX model (multilingual-e5-small or all-MiniLM-L6-v2) with mean pooling; unit
/// vectors; the e5 prefixes are applied here.
///
/// [`LocalEmbedder::new`] checks the files and the runtime; the model itself loads with the
/// first batch (or [`LocalEmbedder::load`]), so a run with nothing to embed never holds it
/// (e5: ~2 s and ~600 MiB). A call's texts are tokenised once, sorted by token count and cut
/// into inference calls of at most `max_batch_tokens` padded tokens, which run on up to
/// `sessions` sessions at once (a second session loads only when a call has work for it);
/// the vectors come back in the caller's order. Inference runs on blocking threads; intra-op
/// spinning is off so a shared 2-core machine is not burned by idle threads. Texts over 512
/// tokens are cut at the tokenizer.
pub struct LocalEmbedder {
    model: ModelId,
    pool: Arc<Pool>,
    counters: Arc<Counters>,
}

impl std::fmt::Debug for LocalEmbedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalEmbedder")
            .field("model", &self.model.key())
            .field("batching", &self.pool.batching)
            .field("sessions", &self.pool.cfg.sessions)
            .field("threads", &self.pool.cfg.threads)
            .finish_non_exhaustive()
    }
}

impl LocalEmbedder {
    /// Checks the settings, the files (and their checksums when configured) and loads ONNX
    /// Runtime. [`BATCHING_ENV`], when set, overrides the batching and thread settings.
    /// Blocking.
    pub fn new(mut cfg: LocalConfig) -> Result<Self> {
        if let Some(spec) = std::env::var_os(BATCHING_ENV).filter(|v| !v.is_empty()) {
            cfg.apply_batching(&spec.to_string_lossy())?;
        }
        if cfg.threads == 0 || cfg.batch_size == 0 || cfg.sessions == 0 {
            return Err(Error::Config("local: `threads`, `sessions` and `batch_size` must be positive".into()));
        }
        cfg.paths.verify(cfg.model, cfg.verify_checksums)?;
        let env = onnx_environment(&cfg.paths)?;
        Ok(Self {
            model: cfg.model.model_id(),
            pool: Arc::new(Pool {
                batching: cfg.batching(),
                cfg,
                env,
                prepacked: PrepackedWeights::new(),
                tokenizer: Mutex::new(None),
                idle: Mutex::new(Idle { sessions: Vec::new(), created: 0 }),
                freed: Condvar::new(),
            }),
            counters: Arc::new(Counters::default()),
        })
    }

    /// Loads the model (one session) and the tokenizer now rather than with the first batch
    /// (~2 s for e5). Blocking.
    pub fn load(&self) -> Result<()> {
        self.pool.vocabulary().map(drop)
    }

    async fn embed_blocking(&self, texts: &[String], purpose: Purpose) -> Result<Vec<Vec<f32>>> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let sent: Vec<String> = texts.iter().map(|t| self.model.text_for(purpose, t).into_owned()).collect();
        let pool = Arc::clone(&self.pool);
        let counters = Arc::clone(&self.counters);
        let dimension = self.model.dimension as usize;
        // Dropping this future (a stopped run) cannot stop the blocking thread, but it tells
        // it to run no further inference call: the thread ends after the calls under way.
        let abandoned = AbandonOnDrop(Arc::new(AtomicBool::new(false)));
        let flag = Arc::clone(&abandoned.0);
        tokio::task::spawn_blocking(move || pool.embed(&sent, dimension, &counters, &flag))
            .await
            .map_err(|e| Error::Inference(format!("inference task failed: {e}")))?
    }
}

/// Sets its flag when dropped: the future waiting for an embedding was abandoned.
struct AbandonOnDrop(Arc<AtomicBool>);

impl Drop for AbandonOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Caps glibc's malloc at two arenas and hands blocks of 16 MiB or more straight back to the
/// system when freed, for the rest of the process. ONNX Runtime allocates its inference
/// buffers with the C allocator, from whichever thread runs the call; by default every such
/// thread gets an arena of its own, each keeping its freed peak. Measured on a 2,000-product
/// local sync with 16-text calls in catalogue order: 1,057-1,078 MiB peak by default, 908-978
/// MiB with two arenas, 718 MiB with a 1 MiB threshold as well (`docs/BENCHMARKS.md`). Calls
/// cut at [`DEFAULT_BATCH_TOKENS`] need buffers of a few MiB, which a 1 MiB threshold mapped
/// and unmapped on every call: ~10 % more CPU per text than 16 MiB (the model alone on 2 cores,
/// 2 sessions: 62-65 against 66-68 texts per CPU second).
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            // SAFETY: mallopt only changes a limit that glibc reads under its own lock.
            #[allow(unsafe_code)]
            let set = unsafe { libc::mallopt(libc::M_ARENA_MAX, 2) & libc::mallopt(libc::M_MMAP_THRESHOLD, 16 << 20) };
            if set != 1 {
                tracing::debug!("could not limit malloc arenas");
            }
        });
    }
}

/// The sessions and the tokenizer of one embedder, each loaded when first needed.
struct Pool {
    cfg: LocalConfig,
    batching: Batching,
    env: Environment,
    /// Weights in the layout the kernels compute with, shared by the sessions rather than
    /// repacked by each.
    prepacked: PrepackedWeights,
    tokenizer: Mutex<Option<Arc<Vocabulary>>>,
    idle: Mutex<Idle>,
    freed: Condvar,
}

/// The model's tokenizer without padding (each call pads its own texts) and its pad token.
struct Vocabulary {
    tokenizer: Tokenizer,
    pad_id: u32,
}

/// Sessions not running a call, and how many exist.
struct Idle {
    sessions: Vec<Model>,
    created: usize,
}

/// One ONNX Runtime session of the model.
struct Model {
    session: Session,
    token_types: bool,
    output: String,
}

/// A session taken from the pool; it goes back when dropped, whatever happened.
struct Lease<'p> {
    pool: &'p Pool,
    model: Option<Model>,
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        if let Some(model) = self.model.take() {
            lock(&self.pool.idle).sessions.push(model);
            self.pool.freed.notify_one();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Pool {
    fn failed(&self, e: &dyn std::fmt::Display) -> Error {
        let cfg = &self.cfg;
        cfg.paths.missing(
            cfg.model,
            format!("the files do not load ({e}); rerun setup with `--model {}`", cfg.model.setup_flag()),
        )
    }

    /// The tokenizer, loaded after the first session: e5's (250,002 pieces) holds ~280 MiB, and
    /// by then the session has freed the model file's bytes, so the two never meet in memory.
    fn vocabulary(&self) -> Result<Arc<Vocabulary>> {
        let mut slot = lock(&self.tokenizer);
        if let Some(vocabulary) = slot.as_ref() {
            return Ok(Arc::clone(vocabulary));
        }
        drop(self.lease()?);
        let dir = self.cfg.paths.model_dir(self.cfg.model);
        let mut tokenizer = load_tokenizer(&dir, MAX_TOKENS).map_err(|e| self.failed(&e))?;
        let pad_id = tokenizer.get_padding().map_or(0, |p| p.pad_id);
        tokenizer.with_padding(None);
        let vocabulary = Arc::new(Vocabulary { tokenizer, pad_id });
        *slot = Some(Arc::clone(&vocabulary));
        Ok(vocabulary)
    }

    /// An idle session, a new one while fewer than `sessions` exist, else the next one freed.
    fn lease(&self) -> Result<Lease<'_>> {
        let mut idle = lock(&self.idle);
        loop {
            if let Some(model) = idle.sessions.pop() {
                return Ok(Lease { pool: self, model: Some(model) });
            }
            if idle.created < self.cfg.sessions {
                idle.created += 1;
                drop(idle);
                return match self.load_session() {
                    Ok(model) => Ok(Lease { pool: self, model: Some(model) }),
                    Err(e) => {
                        lock(&self.idle).created -= 1;
                        self.freed.notify_one();
                        Err(e)
                    }
                };
            }
            idle = self.freed.wait(idle).unwrap_or_else(PoisonError::into_inner);
        }
    }

    fn load_session(&self) -> Result<Model> {
        let cfg = &self.cfg;
        limit_malloc_arenas();
        let file = cfg.paths.model_dir(cfg.model).join("model.onnx");
        let session = session_builder(&self.env, cfg.threads)
            .and_then(|b| b.with_prepacked_weights(&self.prepacked).map_err(|e| e.to_string()))
            .and_then(|mut b| b.commit_from_file(&file).map_err(|e| e.to_string()))
            .map_err(|e| self.failed(&e))?;
        let token_types = session.inputs().iter().any(|i| i.name() == "token_type_ids");
        let names: Vec<&str> = session.outputs().iter().map(|o| o.name()).collect();
        // fastembed's precedence: the only output, else the token states, else a pooled one
        let output = ["last_hidden_state", "sentence_embedding"]
            .into_iter()
            .find(|n| names.contains(n))
            .or_else(|| names.first().copied())
            .ok_or_else(|| self.failed(&"the model has no output"))?
            .to_owned();
        info!(model = cfg.model.name(), threads = cfg.threads, "local embedding session loaded");
        Ok(Model { session, token_types, output })
    }

    /// Tokenises `sent` once, plans the inference calls and runs them on up to `sessions`
    /// threads, each call on whichever session is free; unit vectors in `sent`'s order. Once
    /// `abandoned` is set no further call starts and the texts are not embedded.
    fn embed(
        &self,
        sent: &[String],
        dimension: usize,
        counters: &Counters,
        abandoned: &AtomicBool,
    ) -> Result<Vec<Vec<f32>>> {
        let vocabulary = self.vocabulary()?;
        let encodings = sent
            .iter()
            .map(|t| vocabulary.tokenizer.encode(t.as_str(), true))
            .collect::<std::result::Result<Vec<Encoding>, _>>()
            .map_err(|e| Error::Inference(format!("tokenizer: {e}")))?;
        let lengths: Vec<usize> = encodings.iter().map(Encoding::len).collect();
        let calls = plan(&lengths, self.batching);

        let next = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        let work = || -> Result<Vec<(usize, Vec<Vec<f32>>)>> {
            let mut done = Vec::new();
            while !stop.load(Ordering::Relaxed) && !abandoned.load(Ordering::Relaxed) {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(call) = calls.get(i) else { break };
                let outcome = self.lease().and_then(|mut lease| match lease.model.as_mut() {
                    Some(model) => model.infer(&encodings, call, vocabulary.pad_id, dimension),
                    None => Err(Error::Inference("no session".into())),
                });
                match outcome {
                    Ok(vectors) => done.push((i, vectors)),
                    Err(e) => {
                        stop.store(true, Ordering::Relaxed);
                        return Err(e);
                    }
                }
            }
            Ok(done)
        };
        let workers = self.cfg.sessions.min(calls.len());
        let outcomes = if workers <= 1 {
            vec![work()]
        } else {
            std::thread::scope(|scope| {
                let helpers: Vec<_> = (1..workers).map(|_| scope.spawn(work)).collect();
                let mut outcomes = vec![work()];
                for helper in helpers {
                    outcomes.push(
                        helper.join().unwrap_or_else(|_| Err(Error::Inference("an inference thread panicked".into()))),
                    );
                }
                outcomes
            })
        };

        if abandoned.load(Ordering::Relaxed) {
            return Err(Error::Inference("abandoned by its caller".into()));
        }
        let mut vectors: Vec<Vec<f32>> = vec![Vec::new(); sent.len()];
        for outcome in outcomes {
            for (i, call_vectors) in outcome? {
                for (&text, v) in calls[i].iter().zip(call_vectors) {
                    vectors[text] = v;
                }
            }
        }
        Counters::add(&counters.requests, calls.len() as u64);
        Counters::add(&counters.inputs, sent.len() as u64);
        Counters::add(&counters.tokens, lengths.iter().sum::<usize>() as u64);
        let truncated = encodings.iter().filter(|e| !e.get_overflowing().is_empty()).count();
        Counters::add(&counters.truncated_inputs, truncated as u64);
        Ok(vectors)
    }
}

impl Model {
    /// One inference call over the texts `call` of `encodings`, padded to the longest; mean
    /// pooling over each text's own tokens; unit vectors in `call`'s order.
    fn infer(
        &mut self,
        encodings: &[Encoding],
        call: &[usize],
        pad_id: u32,
        dimension: usize,
    ) -> Result<Vec<Vec<f32>>> {
        let failed = |e: &dyn std::fmt::Display| Error::Inference(e.to_string());
        let rows = call.len();
        let len = call.iter().map(|&i| encodings[i].len()).max().unwrap_or(0).max(1);
        let mut ids = vec![i64::from(pad_id); rows * len];
        let mut mask = vec![0i64; rows * len];
        let mut types = vec![0i64; if self.token_types { rows * len } else { 0 }];
        for (row, &i) in call.iter().enumerate() {
            let e = &encodings[i];
            let at = row * len;
            for (t, &id) in e.get_ids().iter().enumerate() {
                ids[at + t] = i64::from(id);
            }
            for (t, &m) in e.get_attention_mask().iter().enumerate() {
                mask[at + t] = i64::from(m);
            }
            if self.token_types {
                for (t, &ty) in e.get_type_ids().iter().enumerate() {
                    types[at + t] = i64::from(ty);
                }
            }
        }
        let shape = [rows, len];
        let mut inputs = ort::inputs![
            "input_ids" => Tensor::from_array((shape, ids)).map_err(|e| failed(&e))?,
            "attention_mask" => Tensor::from_array((shape, mask)).map_err(|e| failed(&e))?,
        ];
        if self.token_types {
            inputs.push(("token_type_ids".into(), Tensor::from_array((shape, types)).map_err(|e| failed(&e))?.into()));
        }
        let outputs = self.session.run(inputs).map_err(|e| failed(&e))?;
        let output = outputs.get(&self.output).ok_or_else(|| failed(&format!("no output `{}`", self.output)))?;
        let (out_shape, data) = output.try_extract_tensor::<f32>().map_err(|e| failed(&e))?;
        let dims: Vec<usize> = out_shape.iter().map(|&d| usize::try_from(d).unwrap_or(0)).collect();
        let hidden = dims.last().copied().unwrap_or(0);
        if hidden != dimension {
            return Err(failed(&format!("model returned {hidden} dimensions, expected {dimension}")));
        }
        let mut vectors = Vec::with_capacity(rows);
        match dims[..] {
            // token states: the mean over each text's own tokens (padding is masked out)
            [r, l, _] if r == rows && l == len => {
                for (row, &i) in call.iter().enumerate() {
                    let mut v = vec![0f32; hidden];
                    let mut count = 0u32;
                    for (t, &m) in encodings[i].get_attention_mask().iter().enumerate() {
                        if m == 1 {
                            count += 1;
                            let state = &data[(row * len + t) * hidden..][..hidden];
                            v.iter_mut().zip(state).for_each(|(a, x)| *a += x);
                        }
                    }
                    let count = count.max(1) as f32;
                    v.iter_mut().for_each(|a| *a /= count);
                    normalize(&mut v);
                    vectors.push(v);
                }
            }
            // already pooled
            [r, _] if r == rows => {
                for row in data.chunks_exact(hidden) {
                    let mut v = row.to_vec();
                    normalize(&mut v);
                    vectors.push(v);
                }
            }
            _ => return Err(failed(&format!("unexpected output shape {dims:?} for {rows} × {len} tokens"))),
        }
        Ok(vectors)
    }
}

/// The model's tokenizer from its directory, set up as fastembed sets up its own: padding to
/// the longest text of a batch with the model's pad token, truncation at `max_length` (or the
/// model's own limit, if lower), and the special tokens of `special_tokens_map.json`.
#[doc(hidden)]
pub fn load_tokenizer(dir: &Path, max_length: usize) -> std::result::Result<Tokenizer, String> {
    let json = |f: &str| -> std::result::Result<Value, String> {
        let bytes = std::fs::read(dir.join(f)).map_err(|e| format!("{f}: {e}"))?;
        serde_json::from_slice(&bytes).map_err(|e| format!("{f}: {e}"))
    };
    let config = json("config.json")?;
    let special_tokens = json("special_tokens_map.json")?;
    let tokenizer_config = json("tokenizer_config.json")?;
    let mut tokenizer = Tokenizer::from_file(dir.join("tokenizer.json")).map_err(|e| format!("tokenizer.json: {e}"))?;

    let model_max = tokenizer_config["model_max_length"]
        .as_f64()
        .ok_or("tokenizer_config.json has no numeric `model_max_length`")?;
    // Some models say 1e30 here: `as` saturates.
    let max_length = max_length.min(model_max as usize);
    let pad = &tokenizer_config["pad_token"];
    let pad_token =
        pad.as_str().or_else(|| pad["content"].as_str()).ok_or("tokenizer_config.json has no `pad_token`")?.to_owned();
    let pad_id = config["pad_token_id"]
        .as_u64()
        .and_then(|id| u32::try_from(id).ok())
        .or_else(|| tokenizer.token_to_id(&pad_token))
        .unwrap_or(0);
    tokenizer.with_padding(Some(PaddingParams {
        strategy: PaddingStrategy::BatchLongest,
        pad_token,
        pad_id,
        ..Default::default()
    }));
    tokenizer
        .with_truncation(Some(TruncationParams { max_length, ..Default::default() }))
        .map_err(|e| format!("tokenizer truncation: {e}"))?;
    if let Value::Object(tokens) = special_tokens {
        for value in tokens.values() {
            let token = match value {
                Value::String(content) => AddedToken { content: content.clone(), special: true, ..Default::default() },
                Value::Object(_) => {
                    let (Some(content), Some(single_word), Some(lstrip), Some(rstrip), Some(normalized)) = (
                        value["content"].as_str(),
                        value["single_word"].as_bool(),
                        value["lstrip"].as_bool(),
                        value["rstrip"].as_bool(),
                        value["normalized"].as_bool(),
                    ) else {
                        continue;
                    };
                    AddedToken { content: content.to_owned(), special: true, single_word, lstrip, rstrip, normalized }
                }
                _ => continue,
            };
            tokenizer.add_special_tokens([token]).map_err(|e| format!("special tokens: {e}"))?;
        }
    }
    Ok(tokenizer)
}

/// fastembed's settings equal to [`session_builder`]'s, for comparisons with fastembed's own
/// pipeline (tests and benchmarks).
#[doc(hidden)]
pub fn session_options(env: Environment, threads: usize) -> InitOptionsUserDefined {
    InitOptionsUserDefined::new()
        .with_environment(env)
        .with_execution_providers(vec![ort::ep::CPU::default().with_arena_allocator(false).build()])
        .with_intra_threads(threads)
        .with_max_length(MAX_TOKENS)
        .with_session_config("session.intra_op.allow_spinning", "0")
        .with_session_config("session.inter_op.allow_spinning", "0")
}

/// Session settings shared by the embedder and the benchmark's model-alone baseline. ONNX
/// Runtime's CPU arena is off: it keeps the largest batch's buffers for the session's lifetime
/// (a 300-product local sync peaked at 1,114 MiB without it, 1,198 MiB with it;
/// docs/BENCHMARKS.md).
#[doc(hidden)]
pub fn session_builder(env: &Environment, threads: usize) -> std::result::Result<SessionBuilder, String> {
    let err = |e: ort::Error<SessionBuilder>| e.to_string();
    Session::builder(env)
        .map_err(|e| e.to_string())?
        .with_execution_providers([ort::ep::CPU::default().with_arena_allocator(false).build()])
        .map_err(err)?
        .with_optimization_level(GraphOptimizationLevel::Level3)
        .map_err(err)?
        .with_intra_threads(threads)
        .map_err(err)?
        .with_config_entry("session.intra_op.allow_spinning", "0")
        .map_err(err)?
        .with_config_entry("session.inter_op.allow_spinning", "0")
        .map_err(err)
}

impl Embedder for LocalEmbedder {
    fn model(&self) -> &ModelId {
        &self.model
    }

    fn embed<'a>(&'a self, texts: &'a [String], purpose: Purpose) -> EmbedFuture<'a> {
        Box::pin(self.embed_blocking(texts, purpose))
    }

    fn stats(&self) -> EmbedStats {
        self.counters.snapshot(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_runtime_is_an_error_naming_the_fix() {
        let dir = std::env::temp_dir().join("weir-embed-no-models");
        let paths = ModelPaths::at(&dir);
        let err = paths.verify(LocalModel::MultilingualE5Small, true);
        let Err(e) = err else { unreachable!("an empty directory cannot verify") };
        assert!(e.to_string().contains("`cargo xtask setup`"), "{e}");
        assert!(!paths.is_installed(LocalModel::AllMiniLmL6V2));
    }
}
