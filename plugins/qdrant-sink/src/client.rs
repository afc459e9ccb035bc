//! Talking to Qdrant's REST API through the host, and mapping its failures to typed errors.
//! Retries of 429, 5xx and resets are the host's; what reaches this client is final.

use serde_json::Value;
use weir_sdk::http::{Request, Response, percent_encode};
use weir_sdk::{Error, Result};

use crate::mapping::error_message;

/// The longest piece of an answer quoted in an error.
const MAX_QUOTED: usize = 300;
/// The delay asked for when a 429 carries no usable `Retry-After`.
const DEFAULT_RETRY_AFTER_MS: u64 = 1_000;

pub struct Client {
    base: String,
    /// Sent as `api-key`; never logged, never quoted.
    api_key: Option<String>,
    wait: bool,
}

/// How a request may be repeated by the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    /// Sending it twice has the effect of sending it once (every write of this sink: ids are
    /// chosen by the host, payloads are replaced whole).
    Safe,
    /// Sending it twice may fail the second time (alias changes, collection creation).
    Once,
}

impl Client {
    pub fn new(base: String, api_key: Option<String>, wait: bool) -> Self {
        Self { base, api_key, wait }
    }

    /// `{base}/collections/{name}{tail}`, the name percent-encoded as one path segment.
    pub fn collection_url(&self, name: &str, tail: &str) -> String {
        format!("{}/collections/{}{tail}", self.base, percent_encode(name))
    }

    /// The URL of a write: `?wait=true` unless the configuration turned it off.
    pub fn write_url(&self, name: &str, tail: &str) -> String {
        format!("{}?wait={}", self.collection_url(name, tail), self.wait)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn send(&self, request: Request, repeat: Repeat) -> Result<Response> {
        let request = request.header("accept", "application/json").idempotent(repeat == Repeat::Safe);
        let request = match &self.api_key {
            Some(key) => request.header("api-key", key.as_str()),
            None => request,
        };
        Ok(request.send()?)
    }

    /// A `GET` whose `result` is returned; `None` on 404.
    pub fn get(&self, url: String, what: &str) -> Result<Option<Value>> {
        let response = self.send(Request::get(url), Repeat::Safe)?;
        if response.status == 404 {
            return Ok(None);
        }
        result(response, what).map(Some)
    }

    /// A request with a JSON body whose `result` is returned.
    pub fn call(&self, request: Request, body: String, repeat: Repeat, what: &str) -> Result<Value> {
        let request = request.header("content-type", "application/json").body(body);
        result(self.send(request, repeat)?, what)
    }

    /// Like [`Client::call`], but hands back the answer whatever its status.
    pub fn call_raw(&self, request: Request, body: String, repeat: Repeat) -> Result<Response> {
        let request = request.header("content-type", "application/json").body(body);
        self.send(request, repeat)
    }

    /// A `DELETE` without a body; `false` when there was nothing to delete (404).
    pub fn delete(&self, url: String, what: &str) -> Result<bool> {
        let response = self.send(Request::delete(url), Repeat::Safe)?;
        if response.status == 404 {
            return Ok(false);
        }
        result(response, what).map(|r| r.as_bool().unwrap_or(true))
    }
}

/// The `result` of a successful answer, or the typed error of a failed one.
pub fn result(response: Response, what: &str) -> Result<Value> {
    if !response.is_success() {
        return Err(status_error(&response, what));
    }
    let mut body: Value = response
        .json()
        .map_err(|e| Error::invalid_data(format_args!("Qdrant {what}: the answer is not the expected JSON: {e}")))?;
    Ok(body.get_mut("result").map(Value::take).unwrap_or(Value::Null))
}

/// A failed answer as a typed error: 429 rate-limited (after `Retry-After`), 408 and 5xx
/// transient, 401/403 auth, other statuses permanent with Qdrant's own message.
pub fn status_error(response: &Response, what: &str) -> Error {
    let status = response.status;
    let message = error_message(&response.body).unwrap_or_else(|| {
        let body = String::from_utf8_lossy(&response.body);
        let mut quoted: String = body.chars().take(MAX_QUOTED).collect();
        if quoted.len() < body.len() {
            quoted.push('…');
        }
        quoted
    });
    let message = format!("Qdrant {what}: HTTP {status}: {message}");
    match status {
        429 => Error::rate_limited(retry_after_ms(response.header("retry-after")), message),
        408 | 500..=599 => Error::transient(message),
        401 | 403 => Error::auth(message),
        _ => Error::permanent(message),
    }
}

/// `Retry-After` in (possibly fractional) seconds; an absent or unreadable one (including the
/// HTTP-date form) waits [`DEFAULT_RETRY_AFTER_MS`].
fn retry_after_ms(value: Option<&str>) -> u64 {
    value.and_then(|v| v.trim().parse::<f64>().ok()).filter(|s| s.is_finite() && *s >= 0.0).map_or(
        DEFAULT_RETRY_AFTER_MS,
        |s| {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let ms = (s * 1000.0).ceil().min(u64::MAX as f64) as u64;
            ms
        },
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn response(status: u16, headers: &[(&str, &str)], body: &str) -> Response {
        Response {
            status,
            headers: headers.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn statuses_become_typed_errors_with_qdrants_message() {
        let qdrant = r#"{"status":{"error":"Wrong input: Vector dimension error: expected dim: 4, got 3"},"time":0.0}"#;
        let err = status_error(&response(400, &[], qdrant), "upsert into `items`");
        assert!(
            matches!(&err, Error::Permanent(m) if m == "Qdrant upsert into `items`: HTTP 400: Wrong input: Vector dimension error: expected dim: 4, got 3"),
            "{err}"
        );
        let err = status_error(&response(429, &[("Retry-After", "2")], ""), "count");
        assert!(matches!(err, Error::RateLimited { retry_after_ms: 2000, .. }), "{err}");
        let err = status_error(&response(429, &[("retry-after", "0.25")], ""), "count");
        assert!(matches!(err, Error::RateLimited { retry_after_ms: 250, .. }), "{err}");
        let err = status_error(&response(429, &[("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")], ""), "count");
        assert!(matches!(err, Error::RateLimited { retry_after_ms: DEFAULT_RETRY_AFTER_MS, .. }), "{err}");
        for status in [500, 502, 503, 504, 408] {
            assert!(matches!(status_error(&response(status, &[], "busy"), "x"), Error::Transient(_)), "{status}");
        }
        assert!(matches!(status_error(&response(401, &[], "Invalid api-key"), "x"), Error::Auth(_)));
        assert!(matches!(status_error(&response(403, &[], ""), "x"), Error::Auth(_)));
        let long = "x".repeat(1000);
        let err = status_error(&response(422, &[], &long), "x");
        assert!(matches!(&err, Error::Permanent(m) if m.ends_with('…') && m.len() < 400), "{err}");
    }

    #[test]
    fn results_are_unwrapped_and_odd_answers_are_invalid_data() {
        let ok = response(200, &[], r#"{"result":{"count":3},"status":"ok","time":0.1}"#);
        assert_eq!(result(ok, "count").unwrap()["count"], 3);
        let html = response(200, &[], "<html>");
        assert!(matches!(result(html, "count"), Err(Error::InvalidData(_))));
        assert!(matches!(result(response(503, &[], ""), "count"), Err(Error::Transient(_))));
    }

    #[test]
    fn urls_encode_the_collection_and_carry_wait() {
        let c = Client::new("http://127.0.0.1:6333".to_owned(), None, true);
        assert_eq!(
            c.write_url("items v2/x", "/points"),
            "http://127.0.0.1:6333/collections/items%20v2%2Fx/points?wait=true"
        );
        let c = Client::new("http://h".to_owned(), Some("k".to_owned()), false);
        assert_eq!(c.write_url("a", "/points/delete"), "http://h/collections/a/points/delete?wait=false");
        assert_eq!(c.url("/aliases"), "http://h/aliases");
    }

    #[test]
    fn the_api_key_never_shows_in_debug_output_of_errors() {
        // Errors are built from the answer only; the client holds the key but never formats it.
        let c = Client::new("http://h".to_owned(), Some("s3cret-key".to_owned()), true);
        let err = c.get(c.collection_url("a", ""), "describe `a`").unwrap_err();
        assert!(!format!("{err:?}").contains("s3cret-key"));
    }
}
