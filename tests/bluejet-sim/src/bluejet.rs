//! The BlueJet REST API simulator: builder, running handle, HTTP handlers, admin endpoints.

use std::collections::{BTreeMap, HashMap};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::{Deserialize, Serialize};

use crate::data::{ChangeRequest, ChangeResult, MalformedRow, MalformedSpec, Query as DataQuery, Sizes, Store};
use crate::faults::{FaultSpec, FaultState, Verdict};
use crate::rng::Rng;
use crate::server::{self, ConnKill};
use crate::stats::{LogEntry, Recorder, Stats};
use crate::time::DateFormat;
use crate::{Error, Result};

/// Default credentials the simulator accepts.
pub const DEFAULT_TOKEN_ID: &str = "sim-token-id";
/// Default credentials the simulator accepts.
pub const DEFAULT_TOKEN_HASH: &str = "sim-token-hash";
/// Default token lifetime: 24 hours, as documented.
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);
/// Documented maximum page size.
pub const DEFAULT_MAX_LIMIT: usize = 200;
/// Page size when `limit` is not given.
pub const DEFAULT_LIMIT: usize = 100;
/// Default seed.
pub const DEFAULT_SEED: u64 = 42;
/// The message BlueJet answers wrong credentials with.
pub const WRONG_CREDENTIALS: &str = "Špatné přihlašovací údaje.";
/// Request log entries kept.
pub const DEFAULT_LOG_CAPACITY: usize = 100_000;

/// Apply a change after every `every_requests` successful data requests: changes *during* a
/// sync's read.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeSchedule {
    pub every_requests: u64,
    pub change: ChangeRequest,
}

/// Everything the simulator can be configured with.
#[derive(Debug, Clone)]
pub struct BlueJetConfig {
    pub seed: u64,
    pub sizes: Sizes,
    pub token_id: String,
    pub token_hash: String,
    pub token_lifetime: Duration,
    pub max_limit: usize,
    pub default_limit: usize,
    /// Answer 400 to `limit` over the maximum instead of serving the maximum.
    pub reject_over_limit: bool,
    /// Evidences on which `fields` answers 400.
    pub fields_rejected: Vec<u32>,
    pub date_format: DateFormat,
    /// `recordsCount` is the page size instead of the matching total.
    pub records_count_is_page: bool,
    /// HTTP status of the wrong-credentials answer (the body says `succeeded: false`).
    pub bad_credentials_status: u16,
    pub malformed: Vec<MalformedSpec>,
    pub faults: FaultSpec,
    pub schedule: Option<ChangeSchedule>,
    pub addr: SocketAddr,
    pub log_capacity: usize,
}

impl Default for BlueJetConfig {
    fn default() -> Self {
        Self {
            seed: DEFAULT_SEED,
            sizes: Sizes::LIVE,
            token_id: DEFAULT_TOKEN_ID.into(),
            token_hash: DEFAULT_TOKEN_HASH.into(),
            token_lifetime: DEFAULT_TOKEN_LIFETIME,
            max_limit: DEFAULT_MAX_LIMIT,
            default_limit: DEFAULT_LIMIT,
            reject_over_limit: false,
            fields_rejected: vec![crate::data::OFFERS],
            date_format: DateFormat::Iso,
            records_count_is_page: false,
            bad_credentials_status: 200,
            malformed: Vec::new(),
            faults: FaultSpec::default(),
            schedule: None,
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            log_capacity: DEFAULT_LOG_CAPACITY,
        }
    }
}

/// Entry point: `BlueJetSim::builder().products(2000).seed(7).start().await?`.
#[derive(Debug)]
pub struct BlueJetSim;

impl BlueJetSim {
    /// A builder with live sizes and defaults.
    pub fn builder() -> BlueJetSimBuilder {
        BlueJetSimBuilder::default()
    }
}

/// Configures and starts a simulator.
#[derive(Debug, Clone, Default)]
pub struct BlueJetSimBuilder {
    config: BlueJetConfig,
}

impl BlueJetSimBuilder {
    /// From a full configuration.
    pub fn from_config(config: BlueJetConfig) -> Self {
        Self { config }
    }
    pub fn seed(mut self, seed: u64) -> Self {
        self.config.seed = seed;
        self
    }
    /// All sizes at once (`Sizes::SMALL` for quick tests).
    pub fn sizes(mut self, sizes: Sizes) -> Self {
        self.config.sizes = sizes;
        self
    }
    pub fn products(mut self, n: usize) -> Self {
        self.config.sizes.products = n;
        self
    }
    pub fn contacts(mut self, n: usize) -> Self {
        self.config.sizes.contacts = n;
        self
    }
    pub fn companies(mut self, n: usize) -> Self {
        self.config.sizes.companies = n;
        self
    }
    pub fn offers(mut self, n: usize) -> Self {
        self.config.sizes.offers = n;
        self
    }
    pub fn invoices(mut self, n: usize) -> Self {
        self.config.sizes.invoices = n;
        self
    }
    pub fn orders(mut self, n: usize) -> Self {
        self.config.sizes.orders = n;
        self
    }
    pub fn credentials(mut self, token_id: impl Into<String>, token_hash: impl Into<String>) -> Self {
        self.config.token_id = token_id.into();
        self.config.token_hash = token_hash.into();
        self
    }
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.config.token_lifetime = lifetime;
        self
    }
    pub fn max_limit(mut self, n: usize) -> Self {
        self.config.max_limit = n;
        self
    }
    pub fn reject_over_limit(mut self, reject: bool) -> Self {
        self.config.reject_over_limit = reject;
        self
    }
    pub fn fields_rejected(mut self, evidences: &[u32]) -> Self {
        self.config.fields_rejected = evidences.to_vec();
        self
    }
    pub fn date_format(mut self, fmt: DateFormat) -> Self {
        self.config.date_format = fmt;
        self
    }
    pub fn records_count_is_page(mut self, yes: bool) -> Self {
        self.config.records_count_is_page = yes;
        self
    }
    pub fn bad_credentials_status(mut self, status: u16) -> Self {
        self.config.bad_credentials_status = status;
        self
    }
    /// Makes `count` records of evidence `no` malformed in the way `kind` says.
    pub fn malformed(mut self, no: u32, kind: crate::data::MalformedKind, count: usize) -> Self {
        self.config.malformed.push(MalformedSpec { no, kind, count });
        self
    }
    pub fn faults(mut self, faults: FaultSpec) -> Self {
        self.config.faults = faults;
        self
    }
    pub fn change_schedule(mut self, schedule: ChangeSchedule) -> Self {
        self.config.schedule = Some(schedule);
        self
    }
    /// Where to listen (default 127.0.0.1:0, a free port).
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.config.addr = addr;
        self
    }
    pub fn log_capacity(mut self, n: usize) -> Self {
        self.config.log_capacity = n;
        self
    }
    /// The configuration so far.
    pub fn config(&self) -> &BlueJetConfig {
        &self.config
    }

    /// Generates the data (no server): for benches and inspection.
    pub fn generate(&self) -> Result<Store> {
        let mut store = Store::generate(crate::data::GenOptions {
            seed: self.config.seed,
            sizes: self.config.sizes,
            date_format: self.config.date_format,
        });
        for spec in &self.config.malformed {
            store.inject_malformed(*spec)?;
        }
        Ok(store)
    }

    /// Generates the data and starts serving.
    pub async fn start(self) -> Result<RunningBlueJetSim> {
        let store = self.generate()?;
        let cfg = self.config;
        let shared = Arc::new(Shared {
            store: RwLock::new(store),
            tokens: Mutex::new(Tokens { issued: HashMap::new(), rng: Rng::derive(cfg.seed, "tokens") }),
            faults: Mutex::new(FaultState::new(cfg.faults.clone(), cfg.seed)),
            rec: Mutex::new(Recorder::new(cfg.log_capacity)),
            schedule: Mutex::new((cfg.schedule.clone(), 0)),
            started: Instant::now(),
            cfg,
        });
        let server = server::serve(shared.cfg.addr, router(shared.clone())).await?;
        Ok(RunningBlueJetSim { shared, server })
    }
}

struct Tokens {
    issued: HashMap<String, Instant>,
    rng: Rng,
}

struct Shared {
    cfg: BlueJetConfig,
    store: RwLock<Store>,
    tokens: Mutex<Tokens>,
    faults: Mutex<FaultState>,
    rec: Mutex<Recorder>,
    /// The schedule and the count of successful data requests it counts.
    schedule: Mutex<(Option<ChangeSchedule>, u64)>,
    started: Instant,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Shared {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, Store> {
        self.store.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Store> {
        self.store.write().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn change(&self, req: &ChangeRequest) -> Result<ChangeResult> {
        let result = self.write().change(req)?;
        let mut rec = lock(&self.rec);
        rec.stats.changes_applied += 1;
        rec.stats.records_modified += result.modified.len() as u64;
        rec.stats.records_inserted += result.inserted.len() as u64;
        rec.stats.records_deleted += result.deleted.len() as u64;
        Ok(result)
    }

    fn invalidate_tokens(&self) -> usize {
        let n = {
            let mut t = lock(&self.tokens);
            let n = t.issued.len();
            t.issued.clear();
            n
        };
        lock(&self.rec).stats.faults.token_invalidations += 1;
        n
    }

    /// Checks a token; `Err(true)` when it was rejected by an expiry boundary.
    fn check_token(&self, token: Option<&str>) -> std::result::Result<(), bool> {
        let Some(token) = token else { return Err(false) };
        let every = lock(&self.faults).spec.expire_tokens_every_secs;
        let mut t = lock(&self.tokens);
        let Some(&issued) = t.issued.get(token) else { return Err(false) };
        let now = Instant::now();
        if now.duration_since(issued) >= self.cfg.token_lifetime {
            t.issued.remove(token);
            return Err(true);
        }
        if let Some(p) = every.filter(|p| *p > 0) {
            let period = |i: Instant| i.duration_since(self.started).as_secs() / p;
            if period(now) != period(issued) {
                t.issued.remove(token);
                drop(t);
                lock(&self.rec).stats.faults.token_invalidations += 1;
                return Err(true);
            }
        }
        Ok(())
    }

    fn log(&self, entry: LogEntry) {
        lock(&self.rec).push(entry);
    }

    /// Counts an API request in flight until the guard drops (answered, or the connection
    /// dropped with the handler).
    fn in_flight(self: &Arc<Self>) -> InFlight {
        lock(&self.rec).enter();
        InFlight(self.clone())
    }
}

/// An API request being answered; see [`Shared::in_flight`].
struct InFlight(Arc<Shared>);

impl Drop for InFlight {
    fn drop(&mut self) {
        lock(&self.0.rec).leave();
    }
}

/// A running simulator. Dropping it stops the server.
pub struct RunningBlueJetSim {
    shared: Arc<Shared>,
    server: server::Running,
}

impl std::fmt::Debug for RunningBlueJetSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningBlueJetSim").field("addr", &self.server.addr).finish()
    }
}

impl RunningBlueJetSim {
    /// The base URL, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> String {
        format!("http://{}", self.server.addr)
    }
    pub fn addr(&self) -> SocketAddr {
        self.server.addr
    }
    /// `(tokenID, tokenHash)` the simulator accepts.
    pub fn credentials(&self) -> (String, String) {
        (self.shared.cfg.token_id.clone(), self.shared.cfg.token_hash.clone())
    }
    pub fn config(&self) -> &BlueJetConfig {
        &self.shared.cfg
    }
    /// Modifies, inserts, deletes; returns the affected keys.
    pub fn change(&self, req: &ChangeRequest) -> Result<ChangeResult> {
        self.shared.change(req)
    }
    /// Every change applied so far (admin and scheduled).
    pub fn changes(&self) -> Vec<ChangeResult> {
        self.shared.read().history.clone()
    }
    /// Replaces the faults in force.
    pub fn set_faults(&self, spec: FaultSpec) {
        lock(&self.shared.faults).spec = spec;
    }
    /// The faults in force (with `next` counters as counted down).
    pub fn faults(&self) -> FaultSpec {
        lock(&self.shared.faults).spec.clone()
    }
    pub fn clear_faults(&self) {
        self.set_faults(FaultSpec::default());
    }
    /// Invalidates every issued token now; returns how many there were.
    pub fn invalidate_tokens(&self) -> usize {
        self.shared.invalidate_tokens()
    }
    /// Sets or clears the change schedule (its request counter restarts).
    pub fn set_change_schedule(&self, schedule: Option<ChangeSchedule>) {
        *lock(&self.shared.schedule) = (schedule, 0);
    }
    pub fn inject_malformed(&self, spec: MalformedSpec) -> Result<Vec<MalformedRow>> {
        self.shared.write().inject_malformed(spec)
    }
    /// Every record served malformed.
    pub fn malformed(&self) -> Vec<MalformedRow> {
        self.shared.read().malformed.clone()
    }
    pub fn stats(&self) -> Stats {
        lock(&self.shared.rec).stats.clone()
    }
    /// The request log (oldest first, bounded).
    pub fn log(&self) -> Vec<LogEntry> {
        lock(&self.shared.rec).log.iter().cloned().collect()
    }
    /// API requests being answered right now (the most ever seen is
    /// [`Stats::max_in_flight`]).
    pub fn in_flight(&self) -> u64 {
        lock(&self.shared.rec).in_flight
    }
    /// Clears counters and log.
    pub fn reset_stats(&self) {
        lock(&self.shared.rec).reset();
    }
    /// Record count of an evidence.
    pub fn count(&self, no: u32) -> Option<usize> {
        self.shared.read().evidence(no).map(|e| e.len())
    }
    /// All keys of an evidence in SQL Server order.
    pub fn keys(&self, no: u32) -> Vec<String> {
        self.shared.read().evidence(no).map(|e| e.keys()).unwrap_or_default()
    }
    /// A record's stored values by key.
    pub fn record(&self, no: u32, key: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
        let store = self.shared.read();
        let e = store.evidence(no)?;
        e.record_json(e.position(key)?, store.date_format)
    }
    /// Every product with its type, in key order (see [`Store::products`]); relevance
    /// judgments are evaluated over these.
    pub fn products(&self) -> Vec<crate::data::ProductInfo> {
        self.shared.read().products()
    }
    /// The simulated clock (the `modifiedon` the last change wrote).
    pub fn now(&self) -> String {
        self.shared.read().now()
    }
    /// Stops the server and waits for it.
    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/api/v1/users/authenticate", post(authenticate))
        .route("/api/v1/data", get(data))
        .route("/api/v1/Data", get(data))
        .route("/admin/stats", get(admin_stats))
        .route("/admin/log", get(admin_log))
        .route("/admin/reset-stats", post(admin_reset))
        .route("/admin/change", post(admin_change))
        .route("/admin/changes", get(admin_changes))
        .route("/admin/faults", get(admin_faults_get).post(admin_faults_set))
        .route("/admin/invalidate-tokens", post(admin_invalidate))
        .route("/admin/schedule", get(admin_schedule_get).post(admin_schedule_set))
        .route("/admin/malformed", get(admin_malformed_get).post(admin_malformed_set))
        .route("/admin/info", get(admin_info))
        .route("/admin/keys", get(admin_keys))
        .fallback(not_found)
        .with_state(shared)
}

fn plain(status: StatusCode, msg: impl Into<String>) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], msg.into()).into_response()
}

fn admin_err(e: Error) -> Response {
    (StatusCode::BAD_REQUEST, Json(serde_json::json!({ "error": e.to_string() }))).into_response()
}

async fn not_found(State(s): State<Arc<Shared>>, uri: Uri) -> Response {
    let t0 = Instant::now();
    lock(&s.rec).stats.requests += 1;
    s.log(entry(&s, "GET", &uri, BTreeMap::new(), Some(404), 0, None, t0));
    plain(StatusCode::NOT_FOUND, "Not Found")
}

#[allow(clippy::too_many_arguments)]
fn entry(
    s: &Shared,
    method: &str,
    uri: &Uri,
    query: BTreeMap<String, String>,
    status: Option<u16>,
    rows: usize,
    fault: Option<String>,
    t0: Instant,
) -> LogEntry {
    LogEntry {
        seq: 0,
        at_ms: s.started.elapsed().as_millis() as u64,
        method: method.into(),
        path: uri.path().into(),
        query,
        status,
        rows,
        fault,
        duration_us: t0.elapsed().as_micros() as u64,
    }
}

async fn apply_latency(s: &Shared) -> bool {
    let delay = lock(&s.faults).latency();
    if let Some(d) = delay {
        lock(&s.rec).stats.faults.latency += 1;
        tokio::time::sleep(d).await;
        true
    } else {
        false
    }
}

async fn authenticate(State(s): State<Arc<Shared>>, uri: Uri, body: Bytes) -> Response {
    let t0 = Instant::now();
    let _in_flight = s.in_flight();
    {
        let mut rec = lock(&s.rec);
        rec.stats.requests += 1;
        rec.stats.auth_calls += 1;
    }
    let fault = apply_latency(&s).await.then(|| "latency".to_string());
    let parsed: Option<serde_json::Map<String, serde_json::Value>> = serde_json::from_slice(&body).ok();
    let Some(obj) = parsed else {
        s.log(entry(&s, "POST", &uri, BTreeMap::new(), Some(400), 0, fault, t0));
        return plain(StatusCode::BAD_REQUEST, "Neplatný požadavek: očekáváno JSON {\"tokenID\", \"tokenHash\"}.");
    };
    let field = |name: &str| {
        obj.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).and_then(|(_, v)| v.as_str()).map(str::to_string)
    };
    let ok = field("tokenid").as_deref() == Some(s.cfg.token_id.as_str())
        && field("tokenhash").as_deref() == Some(s.cfg.token_hash.as_str());
    let (status, body) = if ok {
        let token = {
            let mut t = lock(&s.tokens);
            let token = format!("{:016x}{:016x}", t.rng.next_u64(), t.rng.next_u64());
            t.issued.insert(token.clone(), Instant::now());
            token
        };
        lock(&s.rec).stats.auth_succeeded += 1;
        (StatusCode::OK, serde_json::json!({ "succeeded": true, "token": token, "message": "" }))
    } else {
        lock(&s.rec).stats.auth_failed += 1;
        let status = StatusCode::from_u16(s.cfg.bad_credentials_status).unwrap_or(StatusCode::OK);
        (status, serde_json::json!({ "succeeded": false, "token": "", "message": WRONG_CREDENTIALS }))
    };
    s.log(entry(&s, "POST", &uri, BTreeMap::new(), Some(status.as_u16()), 0, fault, t0));
    (status, Json(body)).into_response()
}

/// Decodes `application/x-www-form-urlencoded` query text: `+` is a space, `%XX` a byte.
pub fn decode_component(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

fn parse_pairs(q: &str) -> Option<Vec<(String, String)>> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            Some((decode_component(k)?.to_ascii_lowercase(), decode_component(v)?))
        })
        .collect()
}

enum Outcome {
    Ok { body: Vec<u8>, total: usize, rows: usize, no: u32 },
    Fail(Box<Response>, Option<String>),
}

async fn data(
    State(s): State<Arc<Shared>>,
    Extension(kill): Extension<ConnKill>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let t0 = Instant::now();
    let _in_flight = s.in_flight();
    let pairs = parse_pairs(uri.query().unwrap_or(""));
    let qmap: BTreeMap<String, String> = pairs.clone().unwrap_or_default().into_iter().collect();
    let no_parsed = qmap.get("no").and_then(|v| v.trim().parse::<u32>().ok());
    {
        let mut rec = lock(&s.rec);
        rec.stats.requests += 1;
        rec.stats.data_calls += 1;
        if let Some(no) = no_parsed {
            *rec.stats.data_calls_by_no.entry(no).or_default() += 1;
        }
    }
    let mut fault = apply_latency(&s).await.then(|| "latency".to_string());
    let verdict = lock(&s.faults).decide();
    match verdict {
        Verdict::Pass => {}
        Verdict::Reset => {
            lock(&s.rec).stats.faults.resets += 1;
            s.log(entry(&s, "GET", &uri, qmap, None, 0, Some("reset".into()), t0));
            kill.kill();
            // the connection task drops this future with the socket
            std::future::pending::<()>().await;
            return plain(StatusCode::INTERNAL_SERVER_ERROR, "");
        }
        Verdict::RateLimited { retry_after_secs } => {
            lock(&s.rec).stats.faults.http429 += 1;
            s.log(entry(&s, "GET", &uri, qmap, Some(429), 0, Some("429".into()), t0));
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, retry_after_secs.to_string())],
                "Too Many Requests",
            )
                .into_response();
        }
        Verdict::Status(code) => {
            *lock(&s.rec).stats.faults.http5xx.entry(code).or_default() += 1;
            s.log(entry(&s, "GET", &uri, qmap, Some(code), 0, Some(code.to_string()), t0));
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            return plain(status, "Služba je dočasně nedostupná.");
        }
    }
    let token = headers.get("x-token").and_then(|v| v.to_str().ok());
    if let Err(expired) = s.check_token(token) {
        if expired {
            fault = Some("token-expired".into());
        }
        s.log(entry(&s, "GET", &uri, qmap, Some(401), 0, fault, t0));
        return plain(StatusCode::UNAUTHORIZED, "Neplatný nebo expirovaný token.");
    }
    let outcome = match pairs {
        None => Outcome::Fail(Box::new(plain(StatusCode::BAD_REQUEST, "Neplatně zakódované parametry.")), None),
        Some(pairs) => run_query(&s, &pairs),
    };
    match outcome {
        Outcome::Fail(resp, f) => {
            let status = resp.status().as_u16();
            if f.is_some() {
                lock(&s.rec).stats.faults.offset_failures += 1;
            }
            s.log(entry(&s, "GET", &uri, qmap, Some(status), 0, f.or(fault), t0));
            *resp
        }
        Outcome::Ok { body, total, rows, no } => {
            {
                let mut rec = lock(&s.rec);
                rec.stats.rows_served += rows as u64;
                *rec.stats.rows_served_by_no.entry(no).or_default() += rows as u64;
            }
            s.log(entry(&s, "GET", &uri, qmap, Some(200), rows, fault, t0));
            let due = {
                let mut sch = lock(&s.schedule);
                sch.1 += 1;
                let count = sch.1;
                sch.0
                    .as_ref()
                    .filter(|c| c.every_requests > 0 && count % c.every_requests == 0)
                    .map(|c| c.change.clone())
            };
            if let Some(change) = due
                && let Err(e) = s.change(&change)
            {
                tracing::warn!(error = %e, "scheduled change failed");
            }
            (
                StatusCode::OK,
                [
                    (header::CONTENT_TYPE, "application/json; charset=utf-8".to_string()),
                    (header::HeaderName::from_static("x-total-count"), total.to_string()),
                ],
                body,
            )
                .into_response()
        }
    }
}

fn bad(msg: impl Into<String>) -> Outcome {
    Outcome::Fail(Box::new(plain(StatusCode::BAD_REQUEST, msg)), None)
}

fn run_query(s: &Shared, pairs: &[(String, String)]) -> Outcome {
    let get = |k: &str| pairs.iter().rev().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let Some(no_text) = get("no") else {
        return bad("Chybí povinný parametr 'no' (číslo evidence).");
    };
    let Ok(no) = no_text.trim().parse::<u32>() else {
        return bad(format!("Neplatné číslo evidence '{no_text}'."));
    };
    let num = |k: &str, default: usize| -> std::result::Result<usize, Outcome> {
        match get(k) {
            None => Ok(default),
            Some(v) => v.trim().parse::<usize>().map_err(|_| bad(format!("Neplatná hodnota parametru '{k}': '{v}'."))),
        }
    };
    let offset = match num("offset", 0) {
        Ok(v) => v,
        Err(o) => return o,
    };
    let mut limit = match num("limit", s.cfg.default_limit.min(s.cfg.max_limit)) {
        Ok(v) => v,
        Err(o) => return o,
    };
    if limit > s.cfg.max_limit {
        if s.cfg.reject_over_limit {
            return bad(format!("Parametr 'limit' může být nejvýše {}.", s.cfg.max_limit));
        }
        limit = s.cfg.max_limit;
    }
    let store = s.read();
    let Some(e) = store.evidence(no) else {
        return bad(format!("Neznámá evidence {no}."));
    };
    let conditions: Vec<&str> = pairs.iter().filter(|(k, _)| k == "condition").map(|(_, v)| v.as_str()).collect();
    if conditions.len() > 1 {
        return bad("Je podporována jen jedna podmínka (parametr 'condition').");
    }
    let condition = match conditions.first() {
        None => None,
        Some(c) => match e.parse_condition(c) {
            Ok(c) => Some(c),
            Err(err) => return bad(err.to_string()),
        },
    };
    let sort = match get("sort").map(str::trim_end) {
        None | Some("") => None,
        Some(v) => {
            // `+` arrives as a space when the client did not encode it
            let (desc, field) = match v.as_bytes().first() {
                Some(b'-') => (true, &v[1..]),
                Some(b'+' | b' ') => (false, &v[1..]),
                _ => (false, v),
            };
            match e.column(field) {
                Some(col) => Some((col, desc)),
                None => return bad(format!("Neznámý sloupec '{}' v parametru 'sort'.", field.trim())),
            }
        }
    };
    let fields = match get("fields") {
        None => None,
        Some(_) if s.cfg.fields_rejected.contains(&no) => {
            return bad("Parametr 'fields' není pro tuto evidenci podporován.");
        }
        Some(list) => {
            let mut cols = Vec::new();
            for f in list.split(',').map(str::trim).filter(|f| !f.is_empty()) {
                match e.column(f) {
                    Some(c) => cols.push(c),
                    None => return bad(format!("Neznámý sloupec '{f}' v parametru 'fields'.")),
                }
            }
            Some(cols)
        }
    };
    if let Some(f) = lock(&s.faults).spec.fail_from_offset.as_ref()
        && offset >= f.offset
        && f.no.is_none_or(|n| n == no)
    {
        let status = StatusCode::from_u16(f.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return Outcome::Fail(Box::new(plain(status, "Interní chyba serveru.")), Some("offset".into()));
    }
    let q = DataQuery { condition, sort, offset, limit, fields };
    let (total, page) = e.run(&q, store.date_format);
    let mut body = Vec::with_capacity(page.len() * 900 + 64);
    let records_count = if s.cfg.records_count_is_page { page.len() } else { total };
    e.write_page(&mut body, &page, offset, q.fields.as_deref(), records_count, store.date_format);
    Outcome::Ok { body, total, rows: page.len(), no }
}

async fn admin_stats(State(s): State<Arc<Shared>>) -> Json<Stats> {
    Json(lock(&s.rec).stats.clone())
}

/// `GET /admin/log?since=<seq>&limit=<n>`.
#[derive(Debug, Deserialize)]
struct LogQuery {
    since: Option<u64>,
    limit: Option<usize>,
}

async fn admin_log(State(s): State<Arc<Shared>>, Query(q): Query<LogQuery>) -> Json<Vec<LogEntry>> {
    let rec = lock(&s.rec);
    let since = q.since.unwrap_or(0);
    Json(rec.log.iter().filter(|e| e.seq > since).take(q.limit.unwrap_or(usize::MAX)).cloned().collect())
}

async fn admin_reset(State(s): State<Arc<Shared>>) -> Json<serde_json::Value> {
    lock(&s.rec).reset();
    Json(serde_json::json!({ "ok": true }))
}

async fn admin_change(State(s): State<Arc<Shared>>, Json(req): Json<ChangeRequest>) -> Response {
    match s.change(&req) {
        Ok(r) => Json(r).into_response(),
        Err(e) => admin_err(e),
    }
}

async fn admin_changes(State(s): State<Arc<Shared>>) -> Json<Vec<ChangeResult>> {
    Json(s.read().history.clone())
}

async fn admin_faults_get(State(s): State<Arc<Shared>>) -> Json<FaultSpec> {
    Json(lock(&s.faults).spec.clone())
}

async fn admin_faults_set(State(s): State<Arc<Shared>>, Json(spec): Json<FaultSpec>) -> Json<FaultSpec> {
    lock(&s.faults).spec = spec.clone();
    Json(spec)
}

async fn admin_invalidate(State(s): State<Arc<Shared>>) -> Json<serde_json::Value> {
    let n = s.invalidate_tokens();
    Json(serde_json::json!({ "invalidated": n }))
}

async fn admin_schedule_get(State(s): State<Arc<Shared>>) -> Json<Option<ChangeSchedule>> {
    Json(lock(&s.schedule).0.clone())
}

async fn admin_schedule_set(
    State(s): State<Arc<Shared>>,
    Json(schedule): Json<Option<ChangeSchedule>>,
) -> Json<Option<ChangeSchedule>> {
    *lock(&s.schedule) = (schedule.clone(), 0);
    Json(schedule)
}

async fn admin_malformed_get(State(s): State<Arc<Shared>>) -> Json<Vec<MalformedRow>> {
    Json(s.read().malformed.clone())
}

async fn admin_malformed_set(State(s): State<Arc<Shared>>, Json(spec): Json<MalformedSpec>) -> Response {
    match s.write().inject_malformed(spec) {
        Ok(rows) => Json(rows).into_response(),
        Err(e) => admin_err(e),
    }
}

async fn admin_info(State(s): State<Arc<Shared>>) -> Json<serde_json::Value> {
    let store = s.read();
    let evidences: Vec<serde_json::Value> = store
        .evidences()
        .iter()
        .map(|e| {
            serde_json::json!({
                "no": e.no, "name": e.label, "count": e.len(),
                "key": e.key_column(), "columns": e.column_names(),
            })
        })
        .collect();
    Json(serde_json::json!({
        "seed": s.cfg.seed,
        "now": store.now(),
        "date_format": store.date_format,
        "max_limit": s.cfg.max_limit,
        "fields_rejected": s.cfg.fields_rejected,
        "token_lifetime_secs": s.cfg.token_lifetime.as_secs_f64(),
        "evidences": evidences,
    }))
}

#[derive(Debug, Deserialize)]
struct KeysQuery {
    no: u32,
}

async fn admin_keys(State(s): State<Arc<Shared>>, Query(q): Query<KeysQuery>) -> Response {
    match s.read().evidence(q.no) {
        Some(e) => Json(e.keys()).into_response(),
        None => admin_err(Error::UnknownEvidence(q.no)),
    }
}
