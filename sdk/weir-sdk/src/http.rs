//! HTTP through the host, the only network path of a plugin.
//!
//! The host checks every URL against the manifest's allow-list and the user's grants, caps
//! response sizes, times out, and retries 429, 5xx and resets of idempotent requests before it
//! answers.
//!
//! ```no_run
//! use weir_sdk::http::Request;
//! # fn f() -> weir_sdk::Result<()> {
//! let response = Request::get("https://api.example.com/v1/items")
//!     .query(&[("no", "217"), ("q", "kůň")])
//!     .header("accept", "application/json")
//!     .send()?
//!     .error_for_status()?;
//! let items: serde_json::Value = response.json()?;
//! # Ok(()) }
//! ```

use serde::{Serialize, de::DeserializeOwned};

use crate::error::Error;

/// How long to wait after a 429 that names no `Retry-After`.
const DEFAULT_RETRY_AFTER_MS: u64 = 1_000;

/// An HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Head,
    Post,
    Put,
    Patch,
    Delete,
}

/// Why the host gave no HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HttpError {
    /// The URL is outside what the manifest asks for and the configuration grants.
    #[error("request denied: {0}")]
    Denied(String),
    /// The request is malformed (bad URL, forbidden header).
    #[error("invalid request: {0}")]
    Invalid(String),
    /// No answer within the timeout.
    #[error("request timed out: {0}")]
    Timeout(String),
    /// The answer's body is larger than the plugin's cap, in bytes.
    #[error("response body larger than the cap of {0} bytes")]
    TooLarge(u64),
    /// Connecting or reading failed (refused, reset, DNS).
    #[error("connection failed: {0}")]
    Connect(String),
}

impl From<HttpError> for Error {
    fn from(e: HttpError) -> Self {
        match e {
            HttpError::Denied(_) | HttpError::Invalid(_) => Error::config(e),
            HttpError::Timeout(_) | HttpError::Connect(_) => Error::transient(e),
            HttpError::TooLarge(_) => Error::permanent(e),
        }
    }
}

/// An HTTP request, built step by step and sent with [`Request::send`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    method: Method,
    url: String,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
    idempotent: Option<bool>,
    timeout_ms: Option<u32>,
}

impl Request {
    pub fn new(method: Method, url: impl Into<String>) -> Self {
        Self { method, url: url.into(), headers: Vec::new(), body: None, idempotent: None, timeout_ms: None }
    }
    pub fn get(url: impl Into<String>) -> Self {
        Self::new(Method::Get, url)
    }
    pub fn head(url: impl Into<String>) -> Self {
        Self::new(Method::Head, url)
    }
    pub fn post(url: impl Into<String>) -> Self {
        Self::new(Method::Post, url)
    }
    pub fn put(url: impl Into<String>) -> Self {
        Self::new(Method::Put, url)
    }
    pub fn patch(url: impl Into<String>) -> Self {
        Self::new(Method::Patch, url)
    }
    pub fn delete(url: impl Into<String>) -> Self {
        Self::new(Method::Delete, url)
    }

    /// Adds a header. The host refuses `Host` and `Authorization` set by a plugin.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Appends percent-encoded query parameters to the URL (before any `#fragment`).
    pub fn query<K: AsRef<str>, V: AsRef<str>>(mut self, pairs: &[(K, V)]) -> Self {
        if pairs.is_empty() {
            return self;
        }
        let (base, fragment) = match self.url.find('#') {
            Some(i) => (&self.url[..i], &self.url[i..]),
            None => (self.url.as_str(), ""),
        };
        let mut url = String::with_capacity(self.url.len() + 16 * pairs.len());
        url.push_str(base);
        let mut sep =
            if base.contains('?') { if base.ends_with('?') || base.ends_with('&') { "" } else { "&" } } else { "?" };
        for (k, v) in pairs {
            url.push_str(sep);
            url.push_str(&percent_encode(k.as_ref()));
            url.push('=');
            url.push_str(&percent_encode(v.as_ref()));
            sep = "&";
        }
        url.push_str(fragment);
        self.url = url;
        self
    }

    /// Sets a raw body.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// Sets `value` as a JSON body, with `content-type: application/json` unless a content type
    /// is already set.
    pub fn json<T: Serialize + ?Sized>(mut self, value: &T) -> Result<Self, HttpError> {
        let body = serde_json::to_vec(value).map_err(|e| HttpError::Invalid(format!("JSON body: {e}")))?;
        if !self.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("content-type")) {
            self.headers.push(("content-type".to_owned(), "application/json".to_owned()));
        }
        self.body = Some(body);
        Ok(self)
    }

    /// Whether the host may repeat the request on 429, 5xx and resets. By default GET, HEAD,
    /// PUT and DELETE are idempotent and POST and PATCH are not.
    pub fn idempotent(mut self, idempotent: bool) -> Self {
        self.idempotent = Some(idempotent);
        self
    }

    /// A timeout for this request, capped by the host's own.
    pub fn timeout_ms(mut self, timeout_ms: u32) -> Self {
        self.timeout_ms = Some(timeout_ms);
        self
    }

    pub fn method(&self) -> Method {
        self.method
    }

    /// The URL with its query parameters.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// Sends the request through the host. Outside a plugin (native unit tests) there is no
    /// host and every request fails with [`HttpError::Connect`].
    pub fn send(self) -> Result<Response, HttpError> {
        send(self)
    }
}

#[cfg(target_arch = "wasm32")]
fn send(request: Request) -> Result<Response, HttpError> {
    use crate::__private::bindings::weir::plugin::host;

    let method = match request.method {
        Method::Get => host::Method::Get,
        Method::Head => host::Method::Head,
        Method::Post => host::Method::Post,
        Method::Put => host::Method::Put,
        Method::Patch => host::Method::Patch,
        Method::Delete => host::Method::Delete,
    };
    let wire = host::HttpRequest {
        method,
        url: request.url,
        headers: request.headers,
        body: request.body,
        idempotent: request.idempotent,
        timeout_ms: request.timeout_ms,
    };
    match crate::host::http(&wire) {
        Ok(r) => Ok(Response { status: r.status, headers: r.headers, body: r.body }),
        Err(host::HttpError::Denied(m)) => Err(HttpError::Denied(m)),
        Err(host::HttpError::Invalid(m)) => Err(HttpError::Invalid(m)),
        Err(host::HttpError::Timeout(m)) => Err(HttpError::Timeout(m)),
        Err(host::HttpError::TooLarge(n)) => Err(HttpError::TooLarge(n)),
        Err(host::HttpError::Connect(m)) => Err(HttpError::Connect(m)),
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn send(request: Request) -> Result<Response, HttpError> {
    Err(HttpError::Connect(format!("no weir host outside a plugin: cannot reach {}", request.url)))
}

/// An HTTP answer. The host has already retried what was worth retrying.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// The first value of the header `name`, matched case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body parsed as JSON; a body that does not fit `T` is [`Error::InvalidData`].
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        Ok(serde_json::from_slice(&self.body)?)
    }

    /// The body as UTF-8 text; other bytes are [`Error::InvalidData`].
    pub fn text(&self) -> Result<String, Error> {
        String::from_utf8(self.body.clone()).map_err(|e| Error::invalid_data(format!("response body: {e}")))
    }

    /// The response itself when its status is 2xx, otherwise the typed error its status means:
    /// 401 and 403 are [`Error::Auth`], 429 is [`Error::RateLimited`] (honouring `Retry-After`
    /// in seconds), 408 and 5xx are [`Error::Transient`], other statuses [`Error::Permanent`].
    pub fn error_for_status(self) -> Result<Self, Error> {
        if self.is_success() {
            return Ok(self);
        }
        let snippet: String = String::from_utf8_lossy(&self.body).chars().take(200).collect();
        let message = format!("HTTP {}: {snippet}", self.status);
        Err(match self.status {
            401 | 403 => Error::auth(message),
            429 => {
                let retry_after_ms = self
                    .header("retry-after")
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map_or(DEFAULT_RETRY_AFTER_MS, |s| s.saturating_mul(1_000));
                Error::rate_limited(retry_after_ms, message)
            }
            408 | 500..=599 => Error::transient(message),
            _ => Error::permanent(message),
        })
    }
}

/// Percent-encodes `s` for a URL query component: everything but RFC 3986 unreserved
/// characters (`A-Z a-z 0-9 - . _ ~`) becomes `%XX` of its UTF-8 bytes.
pub fn percent_encode(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn query_parameters_are_percent_encoded_and_appended_before_the_fragment() {
        let r = Request::get("http://127.0.0.1:8080/api").query(&[("no", "217"), ("q", "kůň & vůz=1/2")]);
        assert_eq!(r.url(), "http://127.0.0.1:8080/api?no=217&q=k%C5%AF%C5%88%20%26%20v%C5%AFz%3D1%2F2");
        let r = Request::get("http://h/a?x=1#top").query(&[("y", "a+b")]);
        assert_eq!(r.url(), "http://h/a?x=1&y=a%2Bb#top");
        let r = Request::get("http://h/a?").query(&[("y", "~ok-._")]).query::<&str, &str>(&[]);
        assert_eq!(r.url(), "http://h/a?y=~ok-._");
    }

    #[test]
    fn json_bodies_set_the_content_type_once() {
        let r = Request::post("http://h/").header("Content-Type", "application/vnd+json").json(&[1, 2]).unwrap();
        assert_eq!(r.headers().len(), 1);
        let r = Request::post("http://h/").json(&serde_json::json!({"a": 1})).unwrap().idempotent(true);
        assert_eq!(r.headers(), &[("content-type".to_owned(), "application/json".to_owned())]);
        assert_eq!(r.body.as_deref(), Some(&br#"{"a":1}"#[..]));
        assert_eq!(r.idempotent, Some(true));
    }

    #[test]
    fn http_errors_map_to_the_retry_semantics_of_plugin_errors() {
        assert!(matches!(Error::from(HttpError::Denied("x".into())), Error::Config(_)));
        assert!(matches!(Error::from(HttpError::Invalid("x".into())), Error::Config(_)));
        assert!(matches!(Error::from(HttpError::Timeout("x".into())), Error::Transient(_)));
        assert!(matches!(Error::from(HttpError::Connect("x".into())), Error::Transient(_)));
        assert!(matches!(Error::from(HttpError::TooLarge(10)), Error::Permanent(m) if m.contains("10 bytes")));
    }

    #[test]
    fn statuses_map_to_typed_errors() {
        let response = |status, headers: Vec<(String, String)>| Response { status, headers, body: b"nope".to_vec() };
        assert!(response(200, vec![]).error_for_status().is_ok());
        assert!(matches!(response(401, vec![]).error_for_status(), Err(Error::Auth(_))));
        let limited = response(429, vec![("Retry-After".into(), "3".into())]).error_for_status();
        assert!(matches!(limited, Err(Error::RateLimited { retry_after_ms: 3000, .. })));
        let limited = response(429, vec![]).error_for_status();
        assert!(matches!(limited, Err(Error::RateLimited { retry_after_ms: DEFAULT_RETRY_AFTER_MS, .. })));
        assert!(matches!(response(503, vec![]).error_for_status(), Err(Error::Transient(_))));
        assert!(matches!(response(404, vec![]).error_for_status(), Err(Error::Permanent(m)) if m.contains("404")));
    }

    #[test]
    fn response_helpers_read_headers_json_and_text() {
        let r = Response { status: 200, headers: vec![("X-Total".into(), "5".into())], body: br#"{"n":5}"#.to_vec() };
        assert_eq!(r.header("x-total"), Some("5"));
        assert_eq!(r.json::<serde_json::Value>().unwrap()["n"], 5);
        assert!(matches!(r.json::<Vec<u8>>(), Err(Error::InvalidData(_))));
        assert_eq!(r.text().unwrap(), r#"{"n":5}"#);
        let bad = Response { status: 200, headers: vec![], body: vec![0xff] };
        assert!(matches!(bad.text(), Err(Error::InvalidData(_))));
    }

    #[test]
    fn native_builds_have_no_host() {
        assert!(matches!(Request::get("http://h/").send(), Err(HttpError::Connect(_))));
    }
}
