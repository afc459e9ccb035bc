//! Embedding for weir: turn rendered record texts into vectors, remember them, and make sure
//! a collection only ever holds vectors of one model.
//!
//! - [`Embedder`]: the provider abstraction. [`OpenAiEmbedder`] talks to any
//!   OpenAI-compatible `/v1/embeddings` endpoint (batching, token budgets, rate limits,
//!   retries, usage and cost); [`LocalEmbedder`] runs multilingual-e5-small (Czech + English)
//!   or all-MiniLM-L6-v2 through ONNX Runtime, fully offline; [`HashEmbedder`] is a
//!   deterministic, non-semantic stand-in for tests and emergencies.
//! - [`ModelId`]: what produced a vector (`local:multilingual-e5-small@384`), with the
//!   query/passage prefix rules.
//! - [`EmbeddingCache`] / [`CachedEmbedder`]: a persistent cache in the engine's redb
//!   database, keyed by (model key, sha256 of the exact text sent).
//! - [`ensure_compatible`] / [`FallbackChain`]: integrity guards.
//! - [`LexicalEncoder`]: BM25 sparse vectors for hybrid search (Czech and English tokens),
//!   with its own identity, [`LexicalId`], and guard, [`ensure_lexical_compatible`].
//!
//! Local model files come from `cargo xtask setup` (see [`ModelPaths`]).

mod cache;
mod embedder;
mod error;
mod hash;
mod integrity;
mod lexical;
mod limiter;
mod local;
mod model;
mod openai;
mod stats;

pub use cache::{CACHE_TABLE, CacheStats, CachedEmbedder, EmbeddingCache};
pub use embedder::{DEFAULT_BATCHES_IN_FLIGHT, EmbedFuture, Embedder, normalize};
pub use error::{Error, Result};
pub use hash::{HASH_MODEL_NAME, HashEmbedder};
pub use integrity::{FallbackChain, ensure_compatible};
pub use lexical::{
    DEFAULT_AVG_DOC_LEN, DEFAULT_B, DEFAULT_K1, LEXICAL_MODEL_NAME, Language, LexicalConfig, LexicalEncoder, LexicalId,
    MAX_TOKEN_BYTES, SparseVector, TOKENIZER_VERSION, ensure_lexical_compatible, fold, token_id,
};
pub use limiter::TokenBucket;
pub use local::{
    BATCHING_ENV, DEFAULT_BATCH_SIZE, DEFAULT_BATCH_TOKENS, DEFAULT_SESSIONS, DEFAULT_THREADS, LocalConfig,
    LocalEmbedder, LocalModel, MODEL_DIR_ENV, ModelAlone, ModelPaths, ORT_DYLIB_ENV, ORT_LIB_NAME, Prepared,
    load_tokenizer, onnx_environment, session_builder, session_options,
};
pub use model::{Distance, ModelId, Provider, Purpose};
pub use openai::{
    ApiKey, BYTES_PER_TOKEN, DEFAULT_BASE_URL, DEFAULT_MAX_BATCH_TOKENS, DEFAULT_MAX_INPUT_TOKENS, MAX_BATCH_INPUTS,
    OpenAiConfig, OpenAiEmbedder, estimate_tokens,
};
pub use stats::EmbedStats;
