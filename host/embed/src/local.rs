//! Local ONNX models through fastembed, with ONNX Runtime loaded dynamically.
//!
//! Nothing is downloaded at run time: `cargo xtask setup-models` places the runtime library
//! and the converted models in the model directory (see [`ModelPaths`]) and records their
//! sha256 in `manifest.json`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use fastembed::{InitOptionsUserDefined, Pooling, TextEmbedding, TokenizerFiles, UserDefinedEmbeddingModel};
use ort::environment::Environment;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokenizers::{AddedToken, PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};
use tracing::info;

use crate::embedder::{EmbedFuture, Embedder, normalize};
use crate::stats::Counters;
use crate::{EmbedStats, Error, ModelId, Provider, Purpose, Result};

/// File name of the ONNX Runtime library setup installs (`<model dir>/onnxruntime/`).
pub const ORT_LIB_NAME: &str = "libonnxruntime.so.1.24.4";
/// Environment variable naming the model directory.
pub const MODEL_DIR_ENV: &str = "WEIR_MODEL_DIR";
/// Environment variable naming the ONNX Runtime library file.
pub const ORT_DYLIB_ENV: &str = "ORT_DYLIB_PATH";
/// Texts per inference batch. A batch is padded to its longest text, so smaller batches waste
/// less work on padding and hold smaller buffers: a 300-product local sync took 35.4 and 42.8 s
/// at 16 against 48.7–53.7 s at 32, and peaked at 971–1,025 MiB against 1,091–1,198 MiB
/// (docs/BENCHMARKS.md); 256 only grows memory.
pub const DEFAULT_BATCH_SIZE: usize = 16;
/// Intra-op threads per session.
pub const DEFAULT_THREADS: usize = 2;
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
    /// Intra-op threads.
    pub threads: usize,
    /// Texts per inference batch.
    pub batch_size: usize,
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
            batch_size: DEFAULT_BATCH_SIZE,
            verify_checksums: true,
        }
    }
}

/// A local ONNX model (multilingual-e5-small or all-MiniLM-L6-v2) run by fastembed with
/// mean pooling; unit vectors; the e5 prefixes are applied here.
///
/// [`LocalEmbedder::new`] checks the files and the runtime; the model itself loads with the
/// first batch (or [`LocalEmbedder::load`]), so a run with nothing to embed never holds it
/// (e5: ~2 s and ~600 MiB). Inference runs on the blocking thread pool, one batch at a time
/// per embedder (the session is not re-entrant); intra-op spinning is off so a shared 2-core
/// machine is not burned by idle threads. Texts over 512 tokens are cut at the tokenizer.
pub struct LocalEmbedder {
    model: ModelId,
    batch_size: usize,
    session: Arc<Mutex<Option<TextEmbedding>>>,
    loader: Arc<Loader>,
    counters: Arc<Counters>,
}

impl std::fmt::Debug for LocalEmbedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalEmbedder")
            .field("model", &self.model.key())
            .field("batch_size", &self.batch_size)
            .finish_non_exhaustive()
    }
}

impl LocalEmbedder {
    /// Checks the files (and their checksums when configured) and loads ONNX Runtime. Blocking.
    pub fn new(cfg: LocalConfig) -> Result<Self> {
        if cfg.threads == 0 || cfg.batch_size == 0 {
            return Err(Error::Config("local: `threads` and `batch_size` must be positive".into()));
        }
        cfg.paths.verify(cfg.model, cfg.verify_checksums)?;
        let env = onnx_environment(&cfg.paths)?;
        Ok(Self {
            model: cfg.model.model_id(),
            batch_size: cfg.batch_size,
            session: Arc::new(Mutex::new(None)),
            loader: Arc::new(Loader { cfg, env }),
            counters: Arc::new(Counters::default()),
        })
    }

    /// Loads the model now rather than with the first batch (~2 s for e5). Blocking.
    pub fn load(&self) -> Result<()> {
        let mut session = self.session.lock().unwrap_or_else(PoisonError::into_inner);
        if session.is_none() {
            *session = Some(self.loader.load()?);
        }
        Ok(())
    }

    async fn embed_blocking(&self, texts: &[String], purpose: Purpose) -> Result<Vec<Vec<f32>>> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let sent: Vec<String> = texts.iter().map(|t| self.model.text_for(purpose, t).into_owned()).collect();
        let session = Arc::clone(&self.session);
        let loader = Arc::clone(&self.loader);
        let counters = Arc::clone(&self.counters);
        let batch_size = self.batch_size;
        let dimension = self.model.dimension as usize;
        tokio::task::spawn_blocking(move || {
            let mut session = session.lock().unwrap_or_else(PoisonError::into_inner);
            let session = match &mut *session {
                Some(loaded) => loaded,
                empty => empty.insert(loader.load()?),
            };
            let mut vectors = session.embed(&sent, Some(batch_size)).map_err(|e| Error::Inference(e.to_string()))?;
            for v in &mut vectors {
                if v.len() != dimension {
                    return Err(Error::Inference(format!(
                        "model returned {} dimensions, expected {dimension}",
                        v.len()
                    )));
                }
                normalize(v);
            }
            Counters::add(&counters.requests, sent.len().div_ceil(batch_size) as u64);
            Counters::add(&counters.inputs, sent.len() as u64);
            Ok(vectors)
        })
        .await
        .map_err(|e| Error::Inference(format!("inference task failed: {e}")))?
    }
}

/// Caps glibc's malloc at two arenas and hands blocks of 1 MiB or more straight back to the
/// system when freed, for the rest of the process. ONNX Runtime allocates its inference
/// buffers (hundreds of MiB for a padded batch of long texts) with the C allocator, from
/// whichever blocking thread runs the batch; by default every such thread gets an arena of its
/// own, each keeping its freed peak. Measured on a 2,000-product local sync: 1,057-1,078 MiB
/// peak by default, 908-978 MiB with two arenas, 718 MiB with both settings, for inference
/// about 5 % slower (the page faults of fresh mappings; `docs/BENCHMARKS.md`).
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            // SAFETY: mallopt only changes a limit that glibc reads under its own lock.
            #[allow(unsafe_code)]
            let set = unsafe { libc::mallopt(libc::M_ARENA_MAX, 2) & libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20) };
            if set != 1 {
                tracing::debug!("could not limit malloc arenas");
            }
        });
    }
}

/// What loading the model takes: its files and the runtime already checked by `new`.
struct Loader {
    cfg: LocalConfig,
    env: Environment,
}

/// A one-word tokenizer for fastembed to load in place of the model's own, which is loaded
/// once by [`load_tokenizer`] and put in its place.
const STAND_IN_TOKENIZER: &str = r#"{"version":"1.0","truncation":null,"padding":null,"added_tokens":[],"normalizer":null,"pre_tokenizer":null,"post_processor":null,"decoder":null,"model":{"type":"WordLevel","vocab":{"<unk>":0},"unk_token":"<unk>"}}"#;

impl Loader {
    /// The session and the model's tokenizer. fastembed builds its tokenizer and then copies
    /// it, and e5's (250,002 pieces) holds ~280 MiB: it gets a stand-in, and the real one is
    /// loaded once, after the model's bytes are freed, so the two never meet in memory.
    fn load(&self) -> Result<TextEmbedding> {
        let cfg = &self.cfg;
        let dir = cfg.paths.model_dir(cfg.model);
        let failed = |e: &dyn std::fmt::Display| {
            cfg.paths.missing(
                cfg.model,
                format!("the files do not load ({e}); rerun setup with `--model {}`", cfg.model.setup_flag()),
            )
        };
        let read = |f: &str| std::fs::read(dir.join(f));
        let stand_in = TokenizerFiles {
            tokenizer_file: STAND_IN_TOKENIZER.as_bytes().to_vec(),
            config_file: read("config.json")?,
            special_tokens_map_file: b"{}".to_vec(),
            tokenizer_config_file: read("tokenizer_config.json")?,
        };
        limit_malloc_arenas();
        let user_model = UserDefinedEmbeddingModel::new(read("model.onnx")?, stand_in).with_pooling(Pooling::Mean);
        let options = session_options(self.env.clone(), cfg.threads);
        let mut embedding = TextEmbedding::try_new_from_user_defined(user_model, options).map_err(|e| failed(&e))?;
        embedding.tokenizer = load_tokenizer(&dir, MAX_TOKENS).map_err(|e| failed(&e))?;
        info!(model = cfg.model.name(), threads = cfg.threads, "local embedding model loaded");
        Ok(embedding)
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

/// Session settings shared by the embedder and the benchmark's raw baseline. ONNX Runtime's
/// CPU arena is off: it keeps the largest batch's buffers for the session's lifetime (a
/// 300-product local sync peaked at 1,114 MiB without it, 1,198 MiB with it; docs/BENCHMARKS.md).
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
        assert!(e.to_string().contains("cargo xtask setup-models"), "{e}");
        assert!(!paths.is_installed(LocalModel::AllMiniLmL6V2));
    }
}
