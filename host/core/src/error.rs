use std::time::Duration;

/// A typed error raised by a plugin. The variant, never the text, tells the host whether and
/// when to retry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PluginError {
    #[error("configuration error: {0}")]
    Config(String),
    #[error("authentication failed: {0}")]
    Auth(String),
    #[error("rate limited, retry after {} ms: {message}", retry_after.as_millis())]
    RateLimited { retry_after: Duration, message: String },
    #[error("transient failure: {0}")]
    Transient(String),
    #[error("permanent failure: {0}")]
    Permanent(String),
    #[error("invalid data: {0}")]
    InvalidData(String),
}

impl PluginError {
    /// Whether the same call may succeed if repeated later.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::RateLimited { .. } | Self::Transient(_))
    }

    /// The delay the plugin asked for before a retry, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after, .. } => Some(*retry_after),
            _ => None,
        }
    }

    /// A short name of the variant, for metrics and logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Config(_) => "config",
            Self::Auth(_) => "auth",
            Self::RateLimited { .. } => "rate-limited",
            Self::Transient(_) => "transient",
            Self::Permanent(_) => "permanent",
            Self::InvalidData(_) => "invalid-data",
        }
    }
}
