//! The engine's error type.

use std::path::PathBuf;

/// Why a run could not start or did not finish. Whatever was committed before the error
/// stays committed; the next run resumes from there.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Another process holds the state directory.
    #[error(
        "another weir run is using the state directory {dir}{holder}; wait for it to finish (or stop it) and try again"
    )]
    Locked {
        /// The state directory.
        dir: PathBuf,
        /// ` (pid N)` when the holder wrote its pid.
        holder: String,
    },
    /// The pipeline's settings are invalid.
    #[error("pipeline `{pipeline}`: {message}")]
    Config {
        /// Pipeline name.
        pipeline: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A plugin call failed (the runtime's error names plugin, call and reason).
    #[error(transparent)]
    Plugin(#[from] Box<weir_runtime::Error>),
    /// Embedding failed, or the model does not match the collection.
    #[error(transparent)]
    Embed(#[from] weir_embed::Error),
    /// A full or reconcile run would delete more than the allowed share.
    #[error(
        "pipeline `{pipeline}`: refusing to delete {would_delete} of {total} points ({share:.1}%, the limit is {limit:.1}%); \
         the source may be returning an incomplete list. Check it, then run again with --force to delete them"
    )]
    MassDelete {
        /// Pipeline name.
        pipeline: String,
        /// Points that would be deleted.
        would_delete: u64,
        /// Points the ledger holds.
        total: u64,
        /// `would_delete / total` in percent.
        share: f64,
        /// The configured limit in percent.
        limit: f64,
    },
    /// Too many invalid records for the pipeline's policy.
    #[error(
        "pipeline `{pipeline}`: {invalid} of {seen} records were invalid, more than the policy allows ({policy}); see {file}"
    )]
    TooManyInvalid {
        /// Pipeline name.
        pipeline: String,
        /// Invalid records.
        invalid: u64,
        /// Records seen.
        seen: u64,
        /// The policy, in words.
        policy: String,
        /// The invalid-records file.
        file: PathBuf,
    },
    /// The embedded state store failed.
    #[error("state store: {0}")]
    State(String),
    /// File IO on the state directory failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A request that cannot be answered as asked (an empty search query, a filter on an
    /// unindexed field): the caller's input, not the system, is at fault.
    #[error("{0}")]
    Usage(String),
    /// A pipeline stage stopped unexpectedly.
    #[error("internal: {0}")]
    Internal(String),
}

impl From<weir_runtime::Error> for Error {
    fn from(e: weir_runtime::Error) -> Self {
        Error::Plugin(Box::new(e))
    }
}

macro_rules! state_error {
    ($($t:ty),*) => {$(
        impl From<$t> for Error {
            fn from(e: $t) -> Self {
                Error::State(e.to_string())
            }
        }
    )*};
}
state_error!(
    redb::Error,
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError,
    serde_json::Error
);

/// The engine's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
