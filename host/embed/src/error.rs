//! The crate's one error type.

use std::path::PathBuf;
use std::time::Duration;

/// Everything that can go wrong while embedding, caching or checking model identity.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration is invalid (caught before any IO).
    #[error("embedding configuration: {0}")]
    Config(String),
    /// The endpoint rejected the credentials (HTTP 401/403). Never retried.
    #[error("the embeddings endpoint {endpoint} rejected the API key (HTTP {status}): check the configured secret")]
    Auth {
        /// Base URL of the endpoint (no credentials).
        endpoint: String,
        /// HTTP status.
        status: u16,
    },
    /// The account has no quota left (HTTP 429 `insufficient_quota`). Never retried.
    #[error("the embeddings endpoint {endpoint} reports the quota is exhausted: {message}")]
    Quota {
        /// Base URL of the endpoint.
        endpoint: String,
        /// The server's message.
        message: String,
    },
    /// Still rate limited after every allowed retry.
    #[error("the embeddings endpoint {endpoint} kept rate limiting after {attempts} attempts")]
    RateLimited {
        /// Base URL of the endpoint.
        endpoint: String,
        /// Attempts made.
        attempts: u32,
        /// The last `Retry-After` the server sent.
        retry_after: Option<Duration>,
    },
    /// A server error or network failure that persisted after every retry.
    #[error("the embeddings endpoint {endpoint} failed after {attempts} attempts: {message}")]
    Unavailable {
        /// Base URL of the endpoint.
        endpoint: String,
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        message: String,
    },
    /// The endpoint refused the request itself (4xx other than 401/403/429). Never retried.
    #[error("the embeddings endpoint {endpoint} refused the request (HTTP {status}): {message}")]
    Rejected {
        /// Base URL of the endpoint.
        endpoint: String,
        /// HTTP status.
        status: u16,
        /// The server's message.
        message: String,
    },
    /// The provider answered with something that is not what was asked for.
    #[error("the embedding provider answered unexpectedly: {0}")]
    Protocol(String),
    /// The ONNX Runtime library is missing or unusable.
    #[error(
        "ONNX Runtime could not be loaded from {}: {message}; run `cargo xtask setup` (or point ORT_DYLIB_PATH at libonnxruntime 1.24 or newer)",
        path.display()
    )]
    Runtime {
        /// The library path that was tried.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// Model files are missing or do not match the manifest.
    #[error(
        "local model {model} is not usable in {}: {message}; run `cargo xtask setup` (or set WEIR_MODEL_DIR)",
        dir.display()
    )]
    ModelFiles {
        /// Model name.
        model: String,
        /// The directory that was searched.
        dir: PathBuf,
        /// What is missing or wrong.
        message: String,
    },
    /// The local model failed while running.
    #[error("local inference failed: {0}")]
    Inference(String),
    /// A collection's recorded model differs from the embedder's.
    #[error("{0}")]
    IncompatibleModel(String),
    /// The embedding cache's store failed.
    #[error("embedding cache: {0}")]
    Store(#[from] redb::Error),
    /// File or OS error.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Result with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Whether another attempt later (or at another endpoint) may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, Error::RateLimited { .. } | Error::Unavailable { .. } | Error::Inference(_))
    }
}

macro_rules! store_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Error {
            fn from(e: $t) -> Self {
                Error::Store(e.into())
            }
        }
    )*};
}
store_from!(redb::DatabaseError, redb::TransactionError, redb::TableError, redb::StorageError, redb::CommitError);
