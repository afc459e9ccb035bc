//! An OpenAI-compatible embeddings simulator: `POST /v1/embeddings`, `GET /v1/models`, the
//! real request limits and error bodies, 401, rate limiting by requests and tokens per minute,
//! injected faults and counters.
//!
//! Vectors are deterministic and keep some meaning: each word (lower-cased, Czech diacritics
//! folded) and each of its character trigrams is hashed to a few signed positions of the
//! vector, the contributions are summed and the result is L2-normalised. Texts that share
//! words (or word stems) land close; unrelated texts are nearly orthogonal. The model name
//! salts the hash, so two models never produce the same vectors.
//!
//! Token counts are an approximation, stable across versions: every run of letters and digits
//! costs `ceil(chars / 4)` tokens (at least 1) plus one token per two non-ASCII letters in it,
//! and every other non-space character costs one token. English prose comes out near the
//! ~4 characters per token of OpenAI's tokenizers.

use std::collections::{BTreeMap, VecDeque};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::{Deserialize, Serialize};

use crate::faults::{FaultSpec, FaultState, Verdict};
use crate::rng::fnv1a;
use crate::server::{self, ConnKill};

/// At most this many inputs per request.
pub const MAX_INPUTS: usize = 2048;
/// At most this many tokens per input.
pub const MAX_TOKENS_PER_INPUT: usize = 8192;
/// At most this many tokens per request.
pub const MAX_TOKENS_PER_REQUEST: usize = 300_000;
/// The API key accepted by default.
pub const DEFAULT_API_KEY: &str = "sk-sim-key";
/// Signed positions each feature writes into.
const POSITIONS_PER_FEATURE: u64 = 8;

/// An embedding model the simulator serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Model {
    pub id: String,
    pub dims: usize,
    /// Whether the `dimensions` parameter is accepted.
    pub shortenable: bool,
}

/// Everything the simulator can be configured with.
#[derive(Debug, Clone)]
pub struct OpenAiConfig {
    pub api_keys: Vec<String>,
    /// Accept any non-empty bearer key.
    pub allow_any_key: bool,
    pub models: Vec<Model>,
    /// Requests per minute (0: unlimited).
    pub rpm: u64,
    /// Tokens per minute (0: unlimited).
    pub tpm: u64,
    pub max_inputs: usize,
    pub max_tokens_per_input: usize,
    pub max_tokens_per_request: usize,
    pub faults: FaultSpec,
    pub seed: u64,
    pub addr: SocketAddr,
}

impl Default for OpenAiConfig {
    fn default() -> Self {
        Self {
            api_keys: vec![DEFAULT_API_KEY.into()],
            allow_any_key: false,
            models: vec![
                Model { id: "text-embedding-3-small".into(), dims: 1536, shortenable: true },
                Model { id: "text-embedding-3-large".into(), dims: 3072, shortenable: true },
                Model { id: "text-embedding-ada-002".into(), dims: 1536, shortenable: false },
            ],
            rpm: 0,
            tpm: 0,
            max_inputs: MAX_INPUTS,
            max_tokens_per_input: MAX_TOKENS_PER_INPUT,
            max_tokens_per_request: MAX_TOKENS_PER_REQUEST,
            faults: FaultSpec::default(),
            seed: 42,
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        }
    }
}

/// Counters since start or the last reset.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenAiStats {
    /// `POST /v1/embeddings` requests, whatever their outcome.
    pub requests: u64,
    /// Requests answered 200.
    pub succeeded: u64,
    /// Inputs embedded (in 200 answers).
    pub inputs: u64,
    /// Tokens embedded (in 200 answers).
    pub tokens: u64,
    /// 429 answers (rate limits and injected).
    pub http429: u64,
    /// 5xx answers (injected).
    pub http5xx: u64,
    /// 400/404 answers.
    pub bad_requests: u64,
    /// 401 answers.
    pub unauthorized: u64,
    /// Connections reset (injected).
    pub resets: u64,
    /// Requests delayed by injected latency.
    pub delayed: u64,
    /// `GET /v1/models` requests.
    pub model_lists: u64,
    /// Inputs embedded per model.
    pub inputs_by_model: BTreeMap<String, u64>,
}

/// Entry point: `OpenAiSim::builder().rpm(60).start().await?`.
#[derive(Debug)]
pub struct OpenAiSim;

impl OpenAiSim {
    pub fn builder() -> OpenAiSimBuilder {
        OpenAiSimBuilder::default()
    }
}

/// Configures and starts an embeddings simulator.
#[derive(Debug, Clone, Default)]
pub struct OpenAiSimBuilder {
    config: OpenAiConfig,
}

impl OpenAiSimBuilder {
    pub fn from_config(config: OpenAiConfig) -> Self {
        Self { config }
    }
    /// Replaces the accepted keys with this one.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.config.api_keys = vec![key.into()];
        self
    }
    /// Accepts one more key.
    pub fn extra_api_key(mut self, key: impl Into<String>) -> Self {
        self.config.api_keys.push(key.into());
        self
    }
    pub fn allow_any_key(mut self, yes: bool) -> Self {
        self.config.allow_any_key = yes;
        self
    }
    /// Adds (or replaces) a model.
    pub fn model(mut self, id: impl Into<String>, dims: usize) -> Self {
        let id = id.into();
        self.config.models.retain(|m| m.id != id);
        self.config.models.push(Model { id, dims, shortenable: true });
        self
    }
    pub fn rpm(mut self, rpm: u64) -> Self {
        self.config.rpm = rpm;
        self
    }
    pub fn tpm(mut self, tpm: u64) -> Self {
        self.config.tpm = tpm;
        self
    }
    pub fn faults(mut self, faults: FaultSpec) -> Self {
        self.config.faults = faults;
        self
    }
    pub fn seed(mut self, seed: u64) -> Self {
        self.config.seed = seed;
        self
    }
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.config.addr = addr;
        self
    }
    pub async fn start(self) -> crate::Result<RunningOpenAiSim> {
        let cfg = self.config;
        let shared = Arc::new(Shared {
            faults: Mutex::new(FaultState::new(cfg.faults.clone(), cfg.seed)),
            limits: Mutex::new((cfg.rpm, cfg.tpm)),
            window: Mutex::new(VecDeque::new()),
            stats: Mutex::new(OpenAiStats::default()),
            cfg,
        });
        let app = Router::new()
            .route("/v1/embeddings", post(embeddings))
            .route("/v1/models", get(models))
            .route("/admin/stats", get(admin_stats))
            .route("/admin/reset-stats", post(admin_reset))
            .route("/admin/faults", get(admin_faults_get).post(admin_faults_set))
            .route("/admin/limits", get(admin_limits_get).post(admin_limits_set))
            .with_state(shared.clone());
        let server = server::serve(shared.cfg.addr, app).await?;
        Ok(RunningOpenAiSim { shared, server })
    }
}

struct Shared {
    cfg: OpenAiConfig,
    faults: Mutex<FaultState>,
    /// (rpm, tpm), changeable at run time.
    limits: Mutex<(u64, u64)>,
    /// Admitted requests of the last minute: (when, tokens).
    window: Mutex<VecDeque<(Instant, u64)>>,
    stats: Mutex<OpenAiStats>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Rate limits, as set at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    pub rpm: u64,
    pub tpm: u64,
}

/// A running embeddings simulator. Dropping it stops the server.
pub struct RunningOpenAiSim {
    shared: Arc<Shared>,
    server: server::Running,
}

impl std::fmt::Debug for RunningOpenAiSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningOpenAiSim").field("addr", &self.server.addr).finish()
    }
}

impl RunningOpenAiSim {
    /// The base URL without `/v1`, e.g. `http://127.0.0.1:41235`.
    pub fn url(&self) -> String {
        format!("http://{}", self.server.addr)
    }
    pub fn addr(&self) -> SocketAddr {
        self.server.addr
    }
    /// The first accepted API key.
    pub fn api_key(&self) -> String {
        self.shared.cfg.api_keys.first().cloned().unwrap_or_default()
    }
    pub fn stats(&self) -> OpenAiStats {
        lock(&self.shared.stats).clone()
    }
    pub fn reset_stats(&self) {
        *lock(&self.shared.stats) = OpenAiStats::default();
        lock(&self.shared.window).clear();
    }
    pub fn set_faults(&self, spec: FaultSpec) {
        lock(&self.shared.faults).spec = spec;
    }
    pub fn faults(&self) -> FaultSpec {
        lock(&self.shared.faults).spec.clone()
    }
    pub fn set_limits(&self, limits: Limits) {
        *lock(&self.shared.limits) = (limits.rpm, limits.tpm);
    }
    /// The vector this simulator returns for `text` (for assertions without HTTP).
    pub fn embed(&self, model: &str, text: &str, dims: Option<usize>) -> Option<Vec<f32>> {
        let m = self.shared.cfg.models.iter().find(|m| m.id == model)?;
        Some(embed(model, text, dims.unwrap_or(m.dims)))
    }
    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }
}

/// The simulator's token count for a text (see the module docs).
pub fn count_tokens(text: &str) -> usize {
    let mut tokens = 0usize;
    let mut run = 0usize;
    let mut non_ascii = 0usize;
    let mut flush = |run: &mut usize, non_ascii: &mut usize| {
        if *run > 0 {
            tokens += run.div_ceil(4) + *non_ascii / 2;
        }
        *run = 0;
        *non_ascii = 0;
    };
    let mut punct = 0usize;
    for c in text.chars() {
        if c.is_alphanumeric() {
            run += 1;
            if !c.is_ascii() {
                non_ascii += 1;
            }
        } else {
            flush(&mut run, &mut non_ascii);
            if !c.is_whitespace() {
                punct += 1;
            }
        }
    }
    flush(&mut run, &mut non_ascii);
    tokens + punct
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The deterministic embedding of `text` for `model` at `dims` dimensions.
pub fn embed(model: &str, text: &str, dims: usize) -> Vec<f32> {
    let dims = dims.max(1);
    let salt = fnv1a(model.as_bytes());
    let mut v = vec![0f32; dims];
    let mut add = |feature: &[u8], weight: f32| {
        let h = fnv1a(feature) ^ salt;
        for j in 0..POSITIONS_PER_FEATURE {
            let r = splitmix(h.wrapping_add(j));
            let idx = (r % dims as u64) as usize;
            let sign = if r >> 63 == 1 { -1.0 } else { 1.0 };
            if let Some(x) = v.get_mut(idx) {
                *x += sign * weight;
            }
        }
    };
    let mut any = false;
    for word in text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        let folded = crate::generate::ascii_fold(word);
        let w = if folded.is_empty() { word.to_lowercase() } else { folded };
        any = true;
        add(format!("w:{w}").as_bytes(), 1.0);
        let padded: Vec<char> = format!("^{w}$").chars().collect();
        let n = padded.len().saturating_sub(2);
        if n > 0 {
            let weight = 0.8 / (n as f32).sqrt();
            for t in padded.windows(3) {
                let tri: String = t.iter().collect();
                add(format!("t:{tri}").as_bytes(), weight);
            }
        }
    }
    if !any {
        add(text.as_bytes(), 1.0);
    }
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
    v
}

/// Standard base64 (with padding).
pub fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(A[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn api_error(
    status: StatusCode,
    message: impl Into<String>,
    kind: &str,
    param: Option<&str>,
    code: Option<&str>,
) -> Response {
    let body = serde_json::json!({
        "error": { "message": message.into(), "type": kind, "param": param, "code": code }
    });
    (status, Json(body)).into_response()
}

fn invalid(message: impl Into<String>, param: Option<&str>, code: Option<&str>) -> Response {
    api_error(StatusCode::BAD_REQUEST, message, "invalid_request_error", param, code)
}

fn check_key(s: &Shared, headers: &HeaderMap) -> Result<(), Box<Response>> {
    let auth = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("");
    let key = auth.strip_prefix("Bearer ").map(str::trim).unwrap_or("");
    if key.is_empty() {
        return Err(Box::new(api_error(
            StatusCode::UNAUTHORIZED,
            "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.",
            "invalid_request_error",
            None,
            None,
        )));
    }
    if s.cfg.allow_any_key || s.cfg.api_keys.iter().any(|k| k == key) {
        return Ok(());
    }
    let shown: String =
        if key.len() > 8 { format!("{}***{}", &key[..3.min(key.len())], &key[key.len() - 4..]) } else { "***".into() };
    Err(Box::new(api_error(
        StatusCode::UNAUTHORIZED,
        format!(
            "Incorrect API key provided: {shown}. You can find your API key at https://platform.openai.com/account/api-keys."
        ),
        "invalid_request_error",
        None,
        Some("invalid_api_key"),
    )))
}

async fn models(State(s): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    lock(&s.stats).model_lists += 1;
    if let Err(r) = check_key(&s, &headers) {
        lock(&s.stats).unauthorized += 1;
        return *r;
    }
    let data: Vec<serde_json::Value> = s
        .cfg
        .models
        .iter()
        .map(|m| serde_json::json!({ "id": m.id, "object": "model", "created": 1_705_948_997, "owned_by": "system" }))
        .collect();
    Json(serde_json::json!({ "object": "list", "data": data })).into_response()
}

enum Input {
    Texts(Vec<String>),
    Tokens,
    Invalid,
}

fn parse_input(v: &serde_json::Value) -> Input {
    match v {
        serde_json::Value::String(s) => Input::Texts(vec![s.clone()]),
        serde_json::Value::Array(items) => {
            if items.iter().all(serde_json::Value::is_string) {
                Input::Texts(items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect())
            } else if items.iter().all(|i| i.is_number() || i.is_array()) {
                Input::Tokens
            } else {
                Input::Invalid
            }
        }
        _ => Input::Invalid,
    }
}

/// Checks the minute window; on a limit, the 429 to send.
fn admit(s: &Shared, model: &str, tokens: u64) -> Result<(), Box<Response>> {
    let (rpm, tpm) = *lock(&s.limits);
    let now = Instant::now();
    let minute = Duration::from_secs(60);
    let mut w = lock(&s.window);
    while w.front().is_some_and(|(t, _)| now.duration_since(*t) >= minute) {
        w.pop_front();
    }
    let used_requests = w.len() as u64;
    let used_tokens: u64 = w.iter().map(|(_, t)| t).sum();
    let expiry = |i: usize| w.get(i).map_or(minute, |(at, _)| (*at + minute).saturating_duration_since(now));
    let limited = if rpm > 0 && used_requests + 1 > rpm {
        // the entry whose expiry makes room for one more request
        let wait = expiry((used_requests + 1 - rpm) as usize - 1);
        Some((
            wait,
            "requests",
            format!("requests per min (RPM): Limit {rpm}, Used {used_requests}, Requested 1"),
            rpm,
            rpm.saturating_sub(used_requests),
        ))
    } else if tpm > 0 && used_tokens + tokens > tpm {
        let mut freed = 0u64;
        let mut wait = minute;
        for (i, (_, t)) in w.iter().enumerate() {
            freed += t;
            if used_tokens - freed + tokens <= tpm {
                wait = expiry(i);
                break;
            }
        }
        Some((
            wait,
            "tokens",
            format!("tokens per min (TPM): Limit {tpm}, Used {used_tokens}, Requested {tokens}"),
            tpm,
            tpm.saturating_sub(used_tokens),
        ))
    } else {
        None
    };
    if let Some((wait, kind, detail, limit, remaining)) = limited {
        let secs = wait.as_secs_f64();
        let retry = (secs.ceil() as u64).max(1);
        let body = serde_json::json!({ "error": {
            "message": format!("Rate limit reached for {model} in organization org-sim on {detail}. Please try again in {secs:.3}s. Visit https://platform.openai.com/account/rate-limits to learn more."),
            "type": kind, "param": null, "code": "rate_limit_exceeded" } });
        let (lname, rname) = if kind == "requests" {
            ("x-ratelimit-limit-requests", "x-ratelimit-remaining-requests")
        } else {
            ("x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens")
        };
        return Err(Box::new(
            (
                StatusCode::TOO_MANY_REQUESTS,
                [
                    (header::RETRY_AFTER, retry.to_string()),
                    (header::HeaderName::from_static(lname), limit.to_string()),
                    (header::HeaderName::from_static(rname), remaining.to_string()),
                ],
                Json(body),
            )
                .into_response(),
        ));
    }
    w.push_back((now, tokens));
    Ok(())
}

fn server_error(code: u16) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let message = match code {
        503 => "The engine is currently overloaded, please try again later.",
        _ => "The server had an error while processing your request. Sorry about that!",
    };
    api_error(status, message, "server_error", None, None)
}

async fn embeddings(
    State(s): State<Arc<Shared>>,
    Extension(kill): Extension<ConnKill>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    lock(&s.stats).requests += 1;
    let resp = embeddings_inner(&s, &kill, &headers, &body).await;
    let status = resp.status();
    let mut st = lock(&s.stats);
    match status.as_u16() {
        200 => st.succeeded += 1,
        401 => st.unauthorized += 1,
        429 => st.http429 += 1,
        400 | 404 => st.bad_requests += 1,
        c if c >= 500 => st.http5xx += 1,
        _ => {}
    }
    resp
}

async fn embeddings_inner(s: &Shared, kill: &ConnKill, headers: &HeaderMap, body: &[u8]) -> Response {
    let delay = lock(&s.faults).latency();
    if let Some(d) = delay {
        lock(&s.stats).delayed += 1;
        tokio::time::sleep(d).await;
    }
    if let Err(r) = check_key(s, headers) {
        return *r;
    }
    let verdict = lock(&s.faults).decide();
    match verdict {
        Verdict::Pass => {}
        Verdict::Reset => {
            lock(&s.stats).resets += 1;
            kill.kill();
            std::future::pending::<()>().await;
            return server_error(500);
        }
        Verdict::RateLimited { retry_after_secs } => {
            let body = serde_json::json!({ "error": {
                "message": "Rate limit reached for requests. Please try again later.",
                "type": "requests", "param": null, "code": "rate_limit_exceeded" } });
            return (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, retry_after_secs.to_string())], Json(body))
                .into_response();
        }
        Verdict::Status(code) => return server_error(code),
    }
    let Ok(req) = serde_json::from_slice::<serde_json::Value>(body) else {
        return invalid(
            "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)",
            None,
            None,
        );
    };
    let Some(model_id) = req.get("model").and_then(|m| m.as_str()) else {
        return invalid("you must provide a model parameter", None, None);
    };
    let Some(model) = s.cfg.models.iter().find(|m| m.id == model_id) else {
        return api_error(
            StatusCode::NOT_FOUND,
            format!("The model `{model_id}` does not exist or you do not have access to it."),
            "invalid_request_error",
            None,
            Some("model_not_found"),
        );
    };
    let Some(input) = req.get("input") else {
        return invalid("'input' is a required property", None, None);
    };
    let texts = match parse_input(input) {
        Input::Texts(t) => t,
        Input::Tokens => {
            return invalid(
                "This simulator does not accept token arrays as input; send strings (or a list of strings).",
                Some("input"),
                Some("unsupported_input"),
            );
        }
        Input::Invalid => {
            return invalid(
                "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.",
                None,
                None,
            );
        }
    };
    if texts.is_empty() || texts.iter().any(String::is_empty) {
        return invalid(
            "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.",
            None,
            None,
        );
    }
    if texts.len() > s.cfg.max_inputs {
        return invalid(
            format!(
                "Invalid 'input': array too long. Expected an array with maximum length {}, but got an array with length {} instead.",
                s.cfg.max_inputs,
                texts.len()
            ),
            Some("input"),
            Some("array_above_max_length"),
        );
    }
    let dims = match req.get("dimensions") {
        None | Some(serde_json::Value::Null) => model.dims,
        Some(d) => {
            if !model.shortenable {
                return invalid("This model does not support specifying dimensions.", None, None);
            }
            match d.as_u64() {
                Some(n) if n >= 1 && n as usize <= model.dims => n as usize,
                _ => {
                    return invalid(
                        format!("Invalid value for 'dimensions' = {d}. Must be between 1 and {}.", model.dims),
                        Some("dimensions"),
                        Some("invalid_value"),
                    );
                }
            }
        }
    };
    let base64_out = match req.get("encoding_format").and_then(|v| v.as_str()) {
        None | Some("float") => false,
        Some("base64") => true,
        Some(other) => {
            return invalid(
                format!("Invalid value: '{other}'. Supported values are: 'float' and 'base64'."),
                Some("encoding_format"),
                Some("invalid_value"),
            );
        }
    };
    let counts: Vec<usize> = texts.iter().map(|t| count_tokens(t)).collect();
    if let Some(&n) = counts.iter().find(|&&n| n > s.cfg.max_tokens_per_input) {
        return invalid(
            format!(
                "This model's maximum context length is {} tokens, however you requested {n} tokens ({n} in your prompt; 0 for the completion). Please reduce your prompt; or completion length.",
                s.cfg.max_tokens_per_input
            ),
            None,
            None,
        );
    }
    let total: usize = counts.iter().sum();
    if total > s.cfg.max_tokens_per_request {
        return api_error(
            StatusCode::BAD_REQUEST,
            format!("Requested {total} tokens, max {} tokens per request", s.cfg.max_tokens_per_request),
            "max_tokens_per_request",
            None,
            Some("max_tokens_per_request"),
        );
    }
    if let Err(r) = admit(s, &model.id, total as u64) {
        return *r;
    }
    let data: Vec<serde_json::Value> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let v = embed(&model.id, t, dims);
            let embedding = if base64_out {
                let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
                serde_json::Value::from(base64(&bytes))
            } else {
                serde_json::Value::from(v)
            };
            serde_json::json!({ "object": "embedding", "index": i, "embedding": embedding })
        })
        .collect();
    {
        let mut st = lock(&s.stats);
        st.inputs += texts.len() as u64;
        st.tokens += total as u64;
        *st.inputs_by_model.entry(model.id.clone()).or_default() += texts.len() as u64;
    }
    Json(serde_json::json!({
        "object": "list",
        "data": data,
        "model": model.id,
        "usage": { "prompt_tokens": total, "total_tokens": total },
    }))
    .into_response()
}

async fn admin_stats(State(s): State<Arc<Shared>>) -> Json<OpenAiStats> {
    Json(lock(&s.stats).clone())
}

async fn admin_reset(State(s): State<Arc<Shared>>) -> Json<serde_json::Value> {
    *lock(&s.stats) = OpenAiStats::default();
    lock(&s.window).clear();
    Json(serde_json::json!({ "ok": true }))
}

async fn admin_faults_get(State(s): State<Arc<Shared>>) -> Json<FaultSpec> {
    Json(lock(&s.faults).spec.clone())
}

async fn admin_faults_set(State(s): State<Arc<Shared>>, Json(spec): Json<FaultSpec>) -> Json<FaultSpec> {
    lock(&s.faults).spec = spec.clone();
    Json(spec)
}

async fn admin_limits_get(State(s): State<Arc<Shared>>) -> Json<Limits> {
    let (rpm, tpm) = *lock(&s.limits);
    Json(Limits { rpm, tpm })
}

async fn admin_limits_set(State(s): State<Arc<Shared>>, Json(l): Json<Limits>) -> Json<Limits> {
    *lock(&s.limits) = (l.rpm, l.tpm);
    Json(l)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cos(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    #[test]
    fn base64_matches_known_values() {
        assert_eq!(base64(b"Man"), "TWFu");
        assert_eq!(base64(b"Ma"), "TWE=");
        assert_eq!(base64(b"M"), "TQ==");
    }

    #[test]
    fn shared_words_are_close() {
        let m = "text-embedding-3-small";
        let a = embed(m, "Nerezový hrnec 20 l", 256);
        let b = embed(m, "nerezovy hrnec 50 l", 256);
        let c = embed(m, "Kuřecí prsní řízky", 256);
        assert!(cos(&a, &b) > 0.5, "{}", cos(&a, &b));
        assert!(cos(&a, &c) < 0.3, "{}", cos(&a, &c));
    }

    #[test]
    fn token_count_approximation() {
        assert_eq!(count_tokens("hello world"), 4);
        assert_eq!(count_tokens("a, b."), 4);
        assert!(count_tokens("Kuřecí prsa") >= 3);
    }
}
