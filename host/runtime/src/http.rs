//! The host's `log` and `http` imports: the only way out of the sandbox.
//!
//! A request goes out only when its URL matches a rule the manifest asks for *and* a rule the
//! configuration grants (fail-closed: no grant, no network). The URL is checked in the canonical
//! form `parse_target` gives it and sent in that same form, never as the plugin wrote it, so the
//! server routes exactly the path that was checked. URLs with user information, encoded slashes
//! and other paths a server could read differently are refused, redirects are never followed,
//! hop-by-hop and `Host` headers cannot be set by the plugin, bodies are capped, and idempotent
//! requests are retried uniformly on 429, 5xx and resets, honouring `Retry-After`, within the
//! call's deadline. A source's requests take slots of its shared [`crate::RequestLimit`], and
//! a 429 or a `Retry-After` pauses every instance of the source.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use futures::StreamExt;
use weir_core::parse_target;

use crate::state::{HostState, PluginStats};

/// Attempts of one idempotent request, the first included.
const MAX_ATTEMPTS: u32 = 5;
/// The first backoff delay; it doubles per attempt.
const BACKOFF_BASE: Duration = Duration::from_millis(200);
/// The longest the host waits between two attempts, whatever `Retry-After` says.
const MAX_RETRY_DELAY: Duration = Duration::from_secs(30);
/// A request's timeout when neither the plugin nor the call deadline says otherwise.
const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// The longest log line kept from a plugin.
const MAX_LOG_LINE: usize = 4096;
/// Headers a plugin may not set: the host owns framing and the target host.
const FORBIDDEN_HEADERS: &[&str] =
    &["host", "content-length", "transfer-encoding", "connection", "upgrade", "te", "trailer", "proxy-authorization"];

pub(crate) struct Request {
    pub(crate) method: reqwest::Method,
    pub(crate) url: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Option<Vec<u8>>,
    pub(crate) idempotent: Option<bool>,
    pub(crate) timeout: Option<Duration>,
}

pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

#[derive(Debug)]
pub(crate) enum HttpError {
    Denied(String),
    Invalid(String),
    Timeout(String),
    TooLarge(u64),
    Connect(String),
}

pub(crate) fn log(state: &HostState, level: tracing::Level, message: &str) {
    let mut message = state.redact(message);
    if message.len() > MAX_LOG_LINE {
        let mut cut = MAX_LOG_LINE;
        while !message.is_char_boundary(cut) {
            cut -= 1;
        }
        message.truncate(cut);
        message.push('…');
    }
    let plugin = &*state.plugin;
    match level {
        tracing::Level::ERROR => tracing::error!(plugin, "{message}"),
        tracing::Level::WARN => tracing::warn!(plugin, "{message}"),
        tracing::Level::INFO => tracing::info!(plugin, "{message}"),
        tracing::Level::DEBUG => tracing::debug!(plugin, "{message}"),
        _ => tracing::trace!(plugin, "{message}"),
    }
}

/// The URL without its query, so that logs and errors never carry query parameters.
fn shown(url: &url::Url) -> String {
    format!(
        "{}://{}{}",
        url.scheme(),
        url.host_str().unwrap_or_default(),
        url.port().map(|p| format!(":{p}")).unwrap_or_default()
    ) + url.path()
}

pub(crate) async fn send(state: &mut HostState, request: Request) -> Result<Response, HttpError> {
    let started = Instant::now();
    let result = send_checked(state, request).await;
    state.stats.http_nanos.fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
    result
}

async fn send_checked(state: &mut HostState, request: Request) -> Result<Response, HttpError> {
    let url = parse_target(&request.url).map_err(|e| HttpError::Invalid(state.redact(&e.to_string())))?;
    let net = state.net.clone();
    let requested = net.requested.iter().any(|r| r.matches(&url));
    let granted = net.granted.iter().any(|r| r.matches(&url));
    if !(requested && granted) {
        state.stats.http_denied.fetch_add(1, Ordering::Relaxed);
        let why = if !requested {
            "the plugin's manifest does not ask for it"
        } else {
            "the configuration does not grant it"
        };
        tracing::warn!(plugin = &*state.plugin, url = %shown(&url), why, "plugin request denied");
        return Err(HttpError::Denied(format!("{} is not allowed: {why}", shown(&url))));
    }
    for (name, _) in &request.headers {
        if FORBIDDEN_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
            return Err(HttpError::Invalid(format!("header `{name}` is set by the host, not by plugins")));
        }
    }
    let idempotent = request.idempotent.unwrap_or(matches!(
        request.method,
        reqwest::Method::GET | reqwest::Method::HEAD | reqwest::Method::PUT | reqwest::Method::DELETE
    ));
    let attempts = if idempotent { MAX_ATTEMPTS } else { 1 };

    let mut attempt = 0;
    loop {
        attempt += 1;
        let timeout = request_timeout(state.deadline, request.timeout);
        if timeout.is_zero() {
            return Err(HttpError::Timeout(format!("{}: the call's deadline has passed", shown(&url))));
        }
        // A slot of the source's shared limit, held until the answer is read; the wait for it
        // (and for a pause a server asked for) counts against the call's deadline.
        let slot = match &net.requests {
            Some(limit) => match limit.acquire(state.deadline).await {
                Some(slot) => Some(slot),
                None => {
                    return Err(HttpError::Timeout(format!(
                        "{}: the source's {} requests in flight, or a pause its server asked for, outlast the call's deadline",
                        shown(&url),
                        limit.max()
                    )));
                }
            },
            None => None,
        };
        let timeout = request_timeout(state.deadline, request.timeout);
        // The canonical URL that was matched, not `request.url`.
        let mut builder = state.http.request(request.method.clone(), url.clone()).timeout(timeout);
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        if let Some(body) = &request.body {
            builder = builder.body(body.clone());
        }
        state.stats.http_requests.fetch_add(1, Ordering::Relaxed);
        let outcome = match builder.send().await {
            Ok(response) => read_response(net.max_response_bytes, &state.stats, response).await,
            Err(e) if e.is_timeout() => {
                Err(HttpError::Timeout(format!("{}: no answer within {} ms", shown(&url), timeout.as_millis())))
            }
            Err(e) if e.is_builder() => Err(HttpError::Invalid(state.redact(&e.without_url().to_string()))),
            Err(e) => Err(HttpError::Connect(format!("{}: {}", shown(&url), describe(&e)))),
        };
        drop(slot);
        let retry_after = match &outcome {
            Ok(r) if r.status == 429 || matches!(r.status, 500 | 502 | 503 | 504) => Some(retry_after(r)),
            Err(HttpError::Connect(_)) | Err(HttpError::Timeout(_)) => Some(None),
            _ => None,
        };
        let Some(hint) = retry_after else { return outcome };
        // The server's word holds for every instance of the source, not only this one: a 429,
        // or any answer that says when to come back, pauses them all.
        if let Some(limit) = &net.requests {
            let status = outcome.as_ref().map(|r| r.status).unwrap_or(0);
            match hint {
                Some(delay) => limit.pause(delay.min(MAX_RETRY_DELAY)),
                None if status == 429 => limit.pause(backoff(attempt)),
                None => {}
            }
        }
        if attempt >= attempts {
            return outcome;
        }
        let delay = hint.unwrap_or_else(|| backoff(attempt)).min(MAX_RETRY_DELAY);
        if state.deadline.is_some_and(|d| Instant::now() + delay >= d) {
            return outcome;
        }
        state.stats.http_retries.fetch_add(1, Ordering::Relaxed);
        let status = outcome.as_ref().map(|r| r.status).unwrap_or(0);
        tracing::debug!(plugin = &*state.plugin, url = %shown(&url), status, attempt, delay_ms = delay.as_millis() as u64, "retrying plugin request");
        tokio::time::sleep(delay).await;
    }
}

fn request_timeout(deadline: Option<Instant>, asked: Option<Duration>) -> Duration {
    let mut timeout = asked.unwrap_or(DEFAULT_REQUEST_TIMEOUT);
    if let Some(deadline) = deadline {
        timeout = timeout.min(deadline.saturating_duration_since(Instant::now()));
    }
    timeout
}

fn backoff(attempt: u32) -> Duration {
    let base = BACKOFF_BASE * 2u32.saturating_pow(attempt.saturating_sub(1));
    // Up to 25% jitter so that parallel instances do not retry in lockstep.
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().subsec_nanos();
    base + base.mul_f64(f64::from(nanos % 1000) / 4000.0)
}

/// `Retry-After` as seconds or an HTTP date.
fn retry_after(response: &Response) -> Option<Duration> {
    let value = response.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("retry-after"))?.1.trim().to_owned();
    if let Ok(seconds) = value.parse::<f64>() {
        return (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds));
    }
    let at = httpdate_parse(&value)?;
    Some(at.duration_since(std::time::SystemTime::now()).unwrap_or_default())
}

fn httpdate_parse(value: &str) -> Option<std::time::SystemTime> {
    // "Sun, 06 Nov 1994 08:49:37 GMT"
    let parts: Vec<&str> = value.split_whitespace().collect();
    if parts.len() != 6 || parts[5] != "GMT" {
        return None;
    }
    let day: u64 = parts[1].parse().ok()?;
    let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        .iter()
        .position(|m| *m == parts[2])? as u64
        + 1;
    let year: i64 = parts[3].parse().ok()?;
    let hms: Vec<u64> = parts[4].split(':').filter_map(|x| x.parse().ok()).collect();
    if hms.len() != 3 {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let (y, m) = if month <= 2 { (year - 1, month + 9) } else { (year, month - 3) };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m as i64 + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = u64::try_from(era * 146_097 + doe - 719_468).ok()?;
    let secs = days * 86_400 + hms[0] * 3600 + hms[1] * 60 + hms[2];
    Some(std::time::UNIX_EPOCH + Duration::from_secs(secs))
}

async fn read_response(cap: u64, stats: &PluginStats, response: reqwest::Response) -> Result<Response, HttpError> {
    if let Some(length) = response.content_length()
        && length > cap
    {
        return Err(HttpError::TooLarge(length));
    }
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    let mut body = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            if e.is_timeout() {
                HttpError::Timeout("reading the answer timed out".to_owned())
            } else {
                HttpError::Connect(describe(&e))
            }
        })?;
        if (body.len() + chunk.len()) as u64 > cap {
            return Err(HttpError::TooLarge((body.len() + chunk.len()) as u64));
        }
        body.extend_from_slice(&chunk);
    }
    stats.http_bytes_in.fetch_add(body.len() as u64, Ordering::Relaxed);
    Ok(Response { status, headers, body })
}

/// The innermost cause of a client error, without the URL (which may carry query secrets).
/// A connection failure is only its cause: the plugin's error already says "connection failed".
fn describe(error: &reqwest::Error) -> String {
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(error);
    let mut innermost = None;
    while let Some(cause) = source {
        innermost = Some(cause.to_string());
        source = cause.source();
    }
    match (error.is_connect(), innermost) {
        (true, Some(cause)) => cause,
        (true, None) => "no connection".to_owned(),
        (false, Some(cause)) => format!("request failed: {cause}"),
        (false, None) => "request failed".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn parses_retry_after_seconds_and_dates() {
        let r = |v: &str| Response { status: 429, headers: vec![("Retry-After".into(), v.into())], body: vec![] };
        assert_eq!(retry_after(&r("2")), Some(Duration::from_secs(2)));
        assert_eq!(retry_after(&r("0.5")), Some(Duration::from_millis(500)));
        assert_eq!(retry_after(&r("Sun, 06 Nov 1994 08:49:37 GMT")), Some(Duration::ZERO));
        assert_eq!(
            httpdate_parse("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(std::time::UNIX_EPOCH + Duration::from_secs(784_111_777))
        );
        assert_eq!(retry_after(&r("soon")), None);
    }

    #[test]
    fn backoff_grows_and_stays_bounded() {
        assert!(backoff(1) >= BACKOFF_BASE && backoff(1) < BACKOFF_BASE * 2);
        assert!(backoff(3) >= BACKOFF_BASE * 4);
        assert!(request_timeout(Some(Instant::now()), None) <= Duration::from_millis(1));
    }
}
