//! OpenAI-compatible `/v1/embeddings` provider (OpenAI, Azure-style gateways, vLLM, Ollama,
//! TEI, LiteLLM...).
//!
//! Request and response types and the endpoint configuration (base URL, auth and
//! organisation headers, query) come from `async-openai`. The HTTP call itself is made here
//! with the same `reqwest` client: async-openai's client folds every failure into an
//! `OpenAIError::ApiError` that has neither the HTTP status nor the response headers, so it
//! cannot tell a 401 from a 400, cannot honour `Retry-After`, and its built-in backoff retries
//! blindly and invisibly. Owning the call gives exact statuses, `Retry-After`, shared
//! adaptive rate limiting and retry counters.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_openai::config::{Config, OpenAIConfig};
use async_openai::types::embeddings::{
    CreateEmbeddingRequest, CreateEmbeddingResponse, EmbeddingInput, EncodingFormat,
};
use futures::{StreamExt, TryStreamExt};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use tracing::{debug, warn};

use crate::embedder::{EmbedFuture, Embedder, normalize};
use crate::limiter::TokenBucket;
use crate::stats::Counters;
use crate::{EmbedStats, Error, ModelId, Provider, Purpose, Result};

/// OpenAI's own base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";
/// Most inputs OpenAI accepts in one request.
pub const MAX_BATCH_INPUTS: usize = 2048;
/// Most tokens OpenAI accepts in one request (all inputs together).
pub const DEFAULT_MAX_BATCH_TOKENS: u64 = 300_000;
/// Most tokens one input may have (text-embedding-3-*).
pub const DEFAULT_MAX_INPUT_TOKENS: u64 = 8_191;
/// Bytes per token assumed by [`estimate_tokens`]: English runs at ~4 bytes a token and
/// Czech with diacritics at ~2.5-3, so 3 over-counts a little for most text and keeps a
/// request under the server's limit.
pub const BYTES_PER_TOKEN: u64 = 3;

/// The API key, kept out of `Debug`, `Display` and logs.
#[derive(Clone, Default)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a secret value.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

/// Settings of an [`OpenAiEmbedder`].
#[derive(Debug, Clone)]
pub struct OpenAiConfig {
    /// Base URL up to and including `/v1`.
    pub base_url: String,
    /// Model name sent in each request.
    pub model: String,
    /// Vector length expected back.
    pub dimension: u32,
    /// Send `dimensions` (text-embedding-3-* can shorten vectors; most other servers refuse
    /// the field).
    pub send_dimensions: bool,
    /// Secret API key; `None` for servers without auth.
    pub api_key: Option<ApiKey>,
    /// Prefix for queries (e.g. `query: ` for e5 served over HTTP).
    pub query_prefix: String,
    /// Prefix for passages.
    pub passage_prefix: String,
    /// Most inputs per request (at most 2,048).
    pub max_batch_inputs: usize,
    /// Token budget per request (estimated, see [`estimate_tokens`]).
    pub max_batch_tokens: u64,
    /// Token limit of one input; longer inputs are cut (see [`OpenAiEmbedder`]).
    pub max_input_tokens: u64,
    /// Request budget per minute.
    pub requests_per_minute: u64,
    /// Token budget per minute (estimated tokens).
    pub tokens_per_minute: u64,
    /// Requests in flight at once.
    pub max_concurrency: usize,
    /// Retries of 5xx answers and network failures.
    pub max_retries: u32,
    /// Retries of 429 answers (they are normal under load, so more are allowed).
    pub max_rate_limit_retries: u32,
    /// First backoff; doubles per retry.
    pub initial_backoff: Duration,
    /// Backoff cap (also caps a server's `Retry-After`).
    pub max_backoff: Duration,
    /// Timeout of one HTTP request.
    pub request_timeout: Duration,
    /// Price in US dollars per million tokens, for the cost estimate.
    pub usd_per_million_tokens: f64,
}

impl OpenAiConfig {
    /// Defaults for `model` at `dimension` against OpenAI (Tier 1 limits: 3,000 requests
    /// and 1,000,000 tokens a minute).
    pub fn new(model: impl Into<String>, dimension: u32) -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.to_owned(),
            model: model.into(),
            dimension,
            send_dimensions: false,
            api_key: None,
            query_prefix: String::new(),
            passage_prefix: String::new(),
            max_batch_inputs: MAX_BATCH_INPUTS,
            max_batch_tokens: DEFAULT_MAX_BATCH_TOKENS,
            max_input_tokens: DEFAULT_MAX_INPUT_TOKENS,
            requests_per_minute: 3_000,
            tokens_per_minute: 1_000_000,
            max_concurrency: 4,
            max_retries: 5,
            max_rate_limit_retries: 20,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(60),
            request_timeout: Duration::from_secs(60),
            usd_per_million_tokens: 0.0,
        }
    }

    fn validate(&self) -> Result<()> {
        let bad = |m: &str| Err(Error::Config(m.to_owned()));
        if self.model.is_empty() {
            return bad("openai: `model` is empty");
        }
        if self.dimension == 0 {
            return bad("openai: `dimension` must be positive");
        }
        if !(1..=MAX_BATCH_INPUTS).contains(&self.max_batch_inputs) {
            return bad("openai: `max_batch_inputs` must be 1..=2048");
        }
        if self.max_input_tokens == 0 || self.max_batch_tokens < self.max_input_tokens {
            return bad("openai: `max_batch_tokens` must be at least `max_input_tokens` (> 0)");
        }
        if self.requests_per_minute == 0 || self.tokens_per_minute == 0 {
            return bad("openai: per-minute budgets must be positive");
        }
        // async-openai builds the Authorization header with a panicking parse.
        if let Some(key) = &self.api_key
            && !key.0.bytes().all(|b| (0x20..0x7f).contains(&b))
        {
            return bad("openai: the API key holds characters not allowed in an HTTP header");
        }
        if self.max_concurrency == 0 {
            return bad("openai: `max_concurrency` must be positive");
        }
        match url::Url::parse(&self.base_url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.password().is_none() => Ok(()),
            _ => bad("openai: `base_url` must be an http(s) URL without credentials"),
        }
    }
}

/// Conservative token estimate: UTF-8 bytes / [`BYTES_PER_TOKEN`], rounded up, plus one.
pub fn estimate_tokens(text: &str) -> u64 {
    (text.len() as u64).div_ceil(BYTES_PER_TOKEN) + 1
}

/// Embeddings over an OpenAI-compatible HTTP endpoint.
///
/// - Inputs are grouped into requests of at most `max_batch_inputs` texts and
///   `max_batch_tokens` estimated tokens, sent up to `max_concurrency` at a time and charged
///   against the requests- and tokens-per-minute buckets before sending.
/// - An input over `max_input_tokens` is cut to its head (at a word boundary when one is
///   near) — the start of a product or document text carries most of its meaning — and
///   counted in [`EmbedStats::truncated_inputs`]. Averaging chunk embeddings would cost more
///   requests and blur the vector.
/// - 429: waits the server's `Retry-After` (`retry-after-ms` too) or the backoff, pauses all
///   requests and halves the rate, regaining it gradually. 5xx and network failures: capped
///   exponential backoff with jitter. 401/403: [`Error::Auth`] at once.
/// - Usage from the responses and a cost estimate are in [`Embedder::stats`].
pub struct OpenAiEmbedder {
    inner: Arc<Inner>,
}

struct Inner {
    cfg: OpenAiConfig,
    client_cfg: OpenAIConfig,
    http: reqwest::Client,
    model: ModelId,
    requests: TokenBucket,
    tokens: TokenBucket,
    counters: Counters,
    /// Requests in flight across every concurrent `embed` call of this embedder.
    in_flight: tokio::sync::Semaphore,
}

impl fmt::Debug for OpenAiEmbedder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenAiEmbedder")
            .field("model", &self.inner.model.key())
            .field("base_url", &self.inner.cfg.base_url)
            .finish_non_exhaustive()
    }
}

impl OpenAiEmbedder {
    /// Validates `cfg` and builds the client (no network IO).
    pub fn new(cfg: OpenAiConfig) -> Result<Self> {
        cfg.validate()?;
        let mut client_cfg = OpenAIConfig::new()
            .with_api_base(cfg.base_url.trim_end_matches('/'))
            .with_api_key(cfg.api_key.as_ref().map(ApiKey::expose).unwrap_or_default());
        // `OpenAIConfig::new` reads OPENAI_ORG_ID/OPENAI_PROJECT_ID from the environment;
        // weir's configuration is explicit, so clear them.
        client_cfg = client_cfg.with_org_id("").with_project_id("");
        let http = reqwest::Client::builder()
            .timeout(cfg.request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::Config(format!("openai: HTTP client: {e}")))?;
        let model = ModelId::new(Provider::OpenAi, cfg.model.clone(), cfg.dimension)
            .with_prefixes(cfg.query_prefix.clone(), cfg.passage_prefix.clone());
        // Bursts of one second's budget: a full minute's burst would break the budget the
        // moment it is configured tight.
        let requests = TokenBucket::new(cfg.requests_per_minute, cfg.requests_per_minute.div_ceil(60));
        let tokens = TokenBucket::new(
            cfg.tokens_per_minute,
            cfg.tokens_per_minute.div_ceil(60).max(cfg.max_batch_tokens.min(cfg.tokens_per_minute)),
        );
        Ok(Self {
            inner: Arc::new(Inner {
                in_flight: tokio::sync::Semaphore::new(cfg.max_concurrency),
                cfg,
                client_cfg,
                http,
                model,
                requests,
                tokens,
                counters: Counters::default(),
            }),
        })
    }

    async fn embed_all(&self, texts: &[String], purpose: Purpose) -> Result<Vec<Vec<f32>>> {
        let inner = &self.inner;
        let max_bytes = (inner.cfg.max_input_tokens - 1) * BYTES_PER_TOKEN;
        let mut prepared = Vec::with_capacity(texts.len());
        for text in texts {
            let sent = inner.model.text_for(purpose, text);
            let cut = truncate_head(&sent, max_bytes as usize);
            if cut.len() < sent.len() {
                Counters::add(&inner.counters.truncated_inputs, 1);
                warn!(
                    model = %inner.model,
                    bytes = sent.len(),
                    kept = cut.len(),
                    "input over the model's token limit, embedding its head"
                );
            }
            prepared.push(cut.to_owned());
        }
        let batches = plan_batches(&prepared, inner.cfg.max_batch_inputs, inner.cfg.max_batch_tokens);
        let results: Vec<Vec<Vec<f32>>> = futures::stream::iter(batches)
            .map(|range| {
                let inner = Arc::clone(inner);
                let batch = prepared[range].to_vec();
                async move {
                    // `max_concurrency` holds for the embedder as a whole, however many
                    // pipelines or batches call it at once.
                    let gate = Arc::clone(&inner);
                    let _permit = gate
                        .in_flight
                        .acquire()
                        .await
                        .map_err(|_| Error::Config("the embedder was shut down".into()))?;
                    inner.send_with_retries(batch).await
                }
            })
            .buffered(inner.cfg.max_concurrency)
            .try_collect()
            .await?;
        Ok(results.into_iter().flatten().collect())
    }
}

impl Embedder for OpenAiEmbedder {
    fn model(&self) -> &ModelId {
        &self.inner.model
    }

    fn embed<'a>(&'a self, texts: &'a [String], purpose: Purpose) -> EmbedFuture<'a> {
        Box::pin(self.embed_all(texts, purpose))
    }

    fn stats(&self) -> EmbedStats {
        self.inner.counters.snapshot(self.inner.cfg.usd_per_million_tokens)
    }

    /// `max_concurrency`: each call is at least one request, so fewer calls under way would
    /// leave requests the provider allows unsent while each waits out its round trip (two
    /// calls at 300 ms a request made a full sync of 109,253 products take 135 s against 73 s
    /// with eight, `docs/BENCHMARKS.md`).
    fn batches_in_flight(&self) -> usize {
        self.inner.cfg.max_concurrency
    }
}

/// Groups consecutive inputs so that each group respects both limits.
fn plan_batches(texts: &[String], max_inputs: usize, max_tokens: u64) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut tokens = 0u64;
    for (i, text) in texts.iter().enumerate() {
        let t = estimate_tokens(text);
        if i > start && (i - start >= max_inputs || tokens + t > max_tokens) {
            out.push(start..i);
            start = i;
            tokens = 0;
        }
        tokens += t;
    }
    if start < texts.len() {
        out.push(start..texts.len());
    }
    out
}

/// The longest head of `text` within `max_bytes`, ending at a char boundary and, when one
/// is in the last eighth, at whitespace.
fn truncate_head(text: &str, max_bytes: usize) -> &str {
    if text.len() <= max_bytes {
        return text;
    }
    let mut end = max_bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let head = &text[..end];
    match head.rfind(char::is_whitespace) {
        Some(ws) if ws >= end - end / 8 => head[..ws].trim_end(),
        _ => head,
    }
}

enum Failure {
    Fatal(Error),
    RateLimited(Option<Duration>),
    Transient(String),
}

impl Inner {
    fn endpoint(&self) -> String {
        self.cfg.base_url.clone()
    }

    async fn send_with_retries(self: Arc<Self>, batch: Vec<String>) -> Result<Vec<Vec<f32>>> {
        let estimated: u64 = batch.iter().map(|t| estimate_tokens(t)).sum();
        let n = batch.len();
        let body = CreateEmbeddingRequest {
            model: self.cfg.model.clone(),
            input: EmbeddingInput::StringArray(batch),
            encoding_format: Some(EncodingFormat::Float),
            user: None,
            dimensions: self.cfg.send_dimensions.then_some(self.cfg.dimension),
        };
        let body = serde_json::to_vec(&body).map_err(|e| Error::Protocol(format!("cannot encode the request: {e}")))?;
        let (mut transient_tries, mut limited_tries) = (0u32, 0u32);
        loop {
            self.requests.acquire(1).await;
            self.tokens.acquire(estimated).await;
            Counters::add(&self.counters.estimated_tokens, estimated);
            match self.send_once(&body, n).await {
                Ok((vectors, prompt_tokens)) => {
                    Counters::add(&self.counters.requests, 1);
                    Counters::add(&self.counters.inputs, n as u64);
                    Counters::add(&self.counters.tokens, prompt_tokens);
                    self.requests.reward().await;
                    return Ok(vectors);
                }
                Err(Failure::Fatal(e)) => return Err(e),
                Err(Failure::RateLimited(retry_after)) => {
                    Counters::add(&self.counters.rate_limited, 1);
                    limited_tries += 1;
                    if limited_tries > self.cfg.max_rate_limit_retries {
                        return Err(Error::RateLimited {
                            endpoint: self.endpoint(),
                            attempts: limited_tries,
                            retry_after,
                        });
                    }
                    let wait = retry_after.unwrap_or_else(|| self.backoff(limited_tries)).min(self.cfg.max_backoff);
                    warn!(
                        model = %self.model,
                        retry_after_ms = wait.as_millis() as u64,
                        "embeddings endpoint rate limited, slowing down"
                    );
                    Counters::add(&self.counters.retries, 1);
                    self.requests.penalize(wait).await;
                }
                Err(Failure::Transient(message)) => {
                    Counters::add(&self.counters.server_errors, 1);
                    transient_tries += 1;
                    if transient_tries > self.cfg.max_retries {
                        return Err(Error::Unavailable {
                            endpoint: self.endpoint(),
                            attempts: transient_tries,
                            message,
                        });
                    }
                    let wait = self.backoff(transient_tries);
                    warn!(
                        model = %self.model,
                        attempt = transient_tries,
                        backoff_ms = wait.as_millis() as u64,
                        error = %message,
                        "embeddings request failed, retrying"
                    );
                    Counters::add(&self.counters.retries, 1);
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    /// `initial * 2^(attempt-1)`, capped, with up to 25% jitter so concurrent retries spread.
    fn backoff(&self, attempt: u32) -> Duration {
        let base = self
            .cfg
            .initial_backoff
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
            .min(self.cfg.max_backoff);
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
        let jitter = base.mul_f64(f64::from(nanos % 1000) / 4000.0);
        (base + jitter).min(self.cfg.max_backoff)
    }

    async fn send_once(&self, body: &[u8], n: usize) -> Result<(Vec<Vec<f32>>, u64), Failure> {
        let url = self.client_cfg.url("/embeddings");
        let mut headers: HeaderMap = self.client_cfg.headers();
        if self.cfg.api_key.is_none() {
            headers.remove(reqwest::header::AUTHORIZATION);
        }
        headers.insert(reqwest::header::CONTENT_TYPE, reqwest::header::HeaderValue::from_static("application/json"));
        let response = self
            .http
            .post(&url)
            .query(&self.client_cfg.query())
            .headers(headers)
            .body(body.to_vec())
            .send()
            .await
            .map_err(|e| Failure::Transient(format!("request failed: {e}")))?;
        let status = response.status();
        let retry_after = parse_retry_after(response.headers());
        let bytes =
            response.bytes().await.map_err(|e| Failure::Transient(format!("reading the answer failed: {e}")))?;
        debug!(status = status.as_u16(), inputs = n, "embeddings answer");
        if status.is_success() {
            return self.parse_success(&bytes, n).map_err(Failure::Fatal);
        }
        let message = error_message(&bytes);
        match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                Err(Failure::Fatal(Error::Auth { endpoint: self.endpoint(), status: status.as_u16() }))
            }
            StatusCode::TOO_MANY_REQUESTS => {
                if message.contains("insufficient_quota") {
                    Err(Failure::Fatal(Error::Quota { endpoint: self.endpoint(), message }))
                } else {
                    Err(Failure::RateLimited(retry_after))
                }
            }
            s if s.is_server_error() || s == StatusCode::REQUEST_TIMEOUT => {
                Err(Failure::Transient(format!("HTTP {}: {message}", s.as_u16())))
            }
            s => Err(Failure::Fatal(Error::Rejected { endpoint: self.endpoint(), status: s.as_u16(), message })),
        }
    }

    fn parse_success(&self, bytes: &[u8], n: usize) -> Result<(Vec<Vec<f32>>, u64)> {
        let response: CreateEmbeddingResponse =
            serde_json::from_slice(bytes).map_err(|e| Error::Protocol(format!("not an embeddings response: {e}")))?;
        if response.data.len() != n {
            return Err(Error::Protocol(format!("asked for {n} embeddings, got {}", response.data.len())));
        }
        let mut out: Vec<Option<Vec<f32>>> = vec![None; n];
        for item in response.data {
            let slot = out
                .get_mut(item.index as usize)
                .ok_or_else(|| Error::Protocol(format!("embedding index {} out of range", item.index)))?;
            if item.embedding.len() != self.cfg.dimension as usize {
                return Err(Error::Protocol(format!(
                    "model {} returned {} dimensions, configured {}",
                    self.cfg.model,
                    item.embedding.len(),
                    self.cfg.dimension
                )));
            }
            let mut v = item.embedding;
            normalize(&mut v);
            *slot = Some(v);
        }
        let vectors = out
            .into_iter()
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| Error::Protocol("duplicate embedding indexes".to_owned()))?;
        Ok((vectors, u64::from(response.usage.prompt_tokens)))
    }
}

fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(ms) = get("retry-after-ms").and_then(|v| v.trim().parse::<f64>().ok()) {
        return Some(Duration::from_secs_f64(ms.max(0.0) / 1000.0));
    }
    get("retry-after").and_then(|v| v.trim().parse::<f64>().ok()).map(|s| Duration::from_secs_f64(s.max(0.0)))
}

/// The `error.message` (and type/code) of an OpenAI-style error body, else its first bytes.
fn error_message(bytes: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    struct Wrapped {
        error: async_openai::error::ApiError,
    }
    match serde_json::from_slice::<Wrapped>(bytes) {
        Ok(w) => w.error.to_string(),
        Err(_) => String::from_utf8_lossy(&bytes[..bytes.len().min(300)]).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_respect_both_limits() {
        let texts: Vec<String> = (0..10).map(|i| "x".repeat(30 * (i % 3 + 1))).collect();
        for range in plan_batches(&texts, 4, 50) {
            assert!(range.len() <= 4);
            let tokens: u64 = texts[range.clone()].iter().map(|t| estimate_tokens(t)).sum();
            assert!(tokens <= 50 || range.len() == 1);
        }
        let all: usize = plan_batches(&texts, 4, 50).iter().map(|r| r.len()).sum();
        assert_eq!(all, 10);
    }

    #[test]
    fn truncation_keeps_char_boundaries() {
        let text = "kuřecí prsa ".repeat(100);
        let cut = truncate_head(&text, 101);
        assert!(cut.len() <= 101);
        assert!(text.starts_with(cut));
        assert!(!cut.ends_with(' '));
        assert_eq!(truncate_head("short", 100), "short");
    }

    #[test]
    fn api_key_is_never_printed() {
        let mut cfg = OpenAiConfig::new("m", 8);
        cfg.api_key = Some(ApiKey::new("sk-secret"));
        assert!(!format!("{cfg:?}").contains("sk-secret"));
        cfg.api_key = Some(ApiKey::new("sk-secret\n"));
        let Err(e) = OpenAiEmbedder::new(cfg) else { unreachable!("a newline in a key must be refused") };
        assert!(!e.to_string().contains("sk-secret"));
    }
}
