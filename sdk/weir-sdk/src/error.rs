//! The typed error every plugin call returns. The variant tells the host whether to retry.

use std::fmt;

/// A plugin error. The host decides retries from the variant, never from the text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration is wrong; retrying cannot help.
    #[error("configuration error: {0}")]
    Config(String),
    /// Credentials were refused; retrying cannot help until they change.
    #[error("authentication failed: {0}")]
    Auth(String),
    /// The remote side asked to slow down; retry after `retry_after_ms`.
    #[error("rate limited (retry after {retry_after_ms} ms): {message}")]
    RateLimited { retry_after_ms: u64, message: String },
    /// A passing failure (timeout, 5xx, reset); the same call may succeed later.
    #[error("transient failure: {0}")]
    Transient(String),
    /// The request can never succeed as sent.
    #[error("permanent failure: {0}")]
    Permanent(String),
    /// The remote side sent data the plugin cannot turn into records.
    #[error("invalid data: {0}")]
    InvalidData(String),
}

/// The result of a plugin call.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A configuration error.
    pub fn config(message: impl fmt::Display) -> Self {
        Self::Config(message.to_string())
    }
    /// Credentials were refused.
    pub fn auth(message: impl fmt::Display) -> Self {
        Self::Auth(message.to_string())
    }
    /// The remote side asked to wait `retry_after_ms` before the next try.
    pub fn rate_limited(retry_after_ms: u64, message: impl fmt::Display) -> Self {
        Self::RateLimited { retry_after_ms, message: message.to_string() }
    }
    /// A failure that may pass: the host may retry the call.
    pub fn transient(message: impl fmt::Display) -> Self {
        Self::Transient(message.to_string())
    }
    /// A failure that will not pass by retrying.
    pub fn permanent(message: impl fmt::Display) -> Self {
        Self::Permanent(message.to_string())
    }
    /// Data from the remote side that cannot become records.
    pub fn invalid_data(message: impl fmt::Display) -> Self {
        Self::InvalidData(message.to_string())
    }

    /// Whether the host may retry the call that failed with this error.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::RateLimited { .. } | Self::Transient(_))
    }
}

/// JSON that does not fit what the plugin expects came from the remote side. Configuration is
/// parsed by the SDK itself, which reports [`Error::Config`] instead.
impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Self::InvalidData(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn json_errors_are_invalid_data_and_only_transient_kinds_retry() {
        let err: Error = serde_json::from_str::<u32>("\"x\"").map_err(Error::from).unwrap_err();
        assert!(matches!(err, Error::InvalidData(ref m) if m.contains("invalid type")), "{err}");
        assert!(!err.is_retryable());
        assert!(Error::transient("reset").is_retryable());
        assert!(Error::rate_limited(500, "slow down").is_retryable());
        assert!(!Error::config("bad").is_retryable());
        assert_eq!(Error::rate_limited(500, "slow").to_string(), "rate limited (retry after 500 ms): slow");
    }
}
