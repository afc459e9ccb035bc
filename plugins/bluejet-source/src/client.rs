//! Talking to BlueJet: authentication, one data call, and the mapping of its failures to typed
//! errors. Retries of 429 and 5xx are the host's; this client re-authenticates once on a 401.

use std::collections::BTreeSet;

use weir_sdk::http::{Request, Response};
use weir_sdk::{Error, Result};

use crate::config::DateFormat;
use crate::mapping::{AuthResponse, DataResponse, Mapped, map_row};

/// The longest piece of a BlueJet error body quoted in an error.
const MAX_QUOTED: usize = 300;
/// The delay asked for when a 429 carries no `Retry-After`.
const DEFAULT_RETRY_AFTER_MS: u64 = 1_000;

pub struct Client {
    base: String,
    token: Option<String>,
    /// Evidences that answered 400 to a column list; they are asked for all columns.
    no_fields: BTreeSet<u32>,
    /// Data calls made, for logs.
    pub calls: u64,
}

/// One `GET /api/v1/data`.
#[derive(Debug, Clone)]
pub struct Query {
    pub evidence: u32,
    pub offset: u32,
    pub limit: u32,
    pub condition: Option<String>,
    pub sort: Option<String>,
    pub fields: Option<String>,
}

pub struct DataPage {
    /// The answer's body: its rows are read from it with [`DataPage::rows`].
    body: Vec<u8>,
    evidence: u32,
    /// `X-Total-Count`: the rows matching the condition.
    pub total: Option<u64>,
}

impl DataPage {
    /// The page's rows, their values borrowed from the body.
    pub fn rows(&self) -> Result<DataResponse<'_>> {
        serde_json::from_slice(&self.body).map_err(|e| self.invalid(e))
    }

    /// Its rows as records; how many rows it had.
    pub fn map(
        &self,
        key: &str,
        cursor: &str,
        format: DateFormat,
        keep: Option<&[String]>,
    ) -> Result<(usize, Vec<Mapped>)> {
        let rows = self.rows()?.rows;
        let returned = rows.len();
        let mapped = rows
            .into_iter()
            .map(|row| map_row(row, key, cursor, format, keep))
            .collect::<std::result::Result<Vec<_>, String>>()
            .map_err(|e| self.invalid(e))?;
        Ok((returned, mapped))
    }

    fn invalid(&self, why: impl std::fmt::Display) -> Error {
        Error::invalid_data(format_args!(
            "evidence {}: BlueJet's answer is not the expected JSON: {why}",
            self.evidence
        ))
    }
}

impl Client {
    pub fn new(base: &str) -> Self {
        Self { base: base.to_owned(), token: None, no_fields: BTreeSet::new(), calls: 0 }
    }

    fn authenticate(&mut self) -> Result<String> {
        let id = weir_sdk::secret("token_id").ok_or_else(|| Error::config("the secret `token_id` is not granted"))?;
        let hash =
            weir_sdk::secret("token_hash").ok_or_else(|| Error::config("the secret `token_hash` is not granted"))?;
        let response = Request::post(format!("{}/api/v1/users/authenticate", self.base))
            .json(&serde_json::json!({ "tokenID": id, "tokenHash": hash }))?
            // Authenticating twice is harmless, so the host may retry it.
            .idempotent(true)
            .send()?;
        // BlueJet's refusal is `succeeded: false`, whatever the HTTP status.
        if let Ok(auth) = response.json::<AuthResponse>() {
            if auth.succeeded && !auth.token.is_empty() {
                weir_sdk::log::debug!("authenticated to {}", self.base);
                return Ok(auth.token);
            }
            if !auth.succeeded && (response.is_success() || matches!(response.status, 400 | 401 | 403)) {
                let message = if auth.message.is_empty() { "credentials refused".to_owned() } else { auth.message };
                return Err(Error::auth(format_args!("BlueJet refused the credentials: {message}")));
            }
        }
        Err(status_error(&response, "authenticate"))
    }

    /// One data call; re-authenticates once on a 401 and repeats it.
    pub fn data(&mut self, query: &Query) -> Result<DataPage> {
        let mut reauthenticated = false;
        loop {
            let token = match &self.token {
                Some(t) => t.clone(),
                None => {
                    let t = self.authenticate()?;
                    self.token = Some(t.clone());
                    t
                }
            };
            let use_fields = query.fields.is_some() && !self.no_fields.contains(&query.evidence);
            let response = self.send(query, &token, use_fields)?;
            match response.status {
                401 if !reauthenticated => {
                    weir_sdk::log::info!("BlueJet token expired; authenticating again");
                    self.token = None;
                    reauthenticated = true;
                }
                401 => return Err(Error::auth("BlueJet refused a fresh token (401)")),
                400 if use_fields => {
                    // Some evidences refuse a column list (seen on 293): ask for all columns.
                    weir_sdk::log::info!("evidence {} refuses a column list; reading all columns", query.evidence);
                    self.no_fields.insert(query.evidence);
                }
                s if (200..300).contains(&s) => {
                    let total = response.header("x-total-count").and_then(|v| v.trim().parse().ok());
                    return Ok(DataPage { body: response.body, evidence: query.evidence, total });
                }
                _ => return Err(status_error(&response, &format!("read evidence {}", query.evidence))),
            }
        }
    }

    fn send(&mut self, query: &Query, token: &str, use_fields: bool) -> Result<Response> {
        let mut params: Vec<(&str, String)> = vec![
            ("no", query.evidence.to_string()),
            ("offset", query.offset.to_string()),
            ("limit", query.limit.to_string()),
        ];
        if let Some(condition) = &query.condition {
            params.push(("condition", condition.clone()));
        }
        if let Some(sort) = &query.sort {
            params.push(("sort", sort.clone()));
        }
        if use_fields && let Some(fields) = &query.fields {
            params.push(("fields", fields.clone()));
        }
        self.calls += 1;
        Ok(Request::get(format!("{}/api/v1/data", self.base)).query(&params).header("X-Token", token).send()?)
    }
}

/// A failed answer as a typed error: 429 rate-limited, 5xx transient, other 4xx permanent.
fn status_error(response: &Response, what: &str) -> Error {
    let body = response.text().unwrap_or_default();
    let mut quoted: String = body.chars().take(MAX_QUOTED).collect();
    if quoted.len() < body.len() {
        quoted.push('…');
    }
    let status = response.status;
    match status {
        429 => {
            let retry_after_ms = response
                .header("retry-after")
                .and_then(|v| v.trim().parse::<f64>().ok())
                .filter(|s| s.is_finite() && *s >= 0.0)
                .map_or(DEFAULT_RETRY_AFTER_MS, |s| (s * 1000.0) as u64);
            Error::rate_limited(retry_after_ms, format_args!("BlueJet {what}: too many requests"))
        }
        500..=599 => Error::transient(format_args!("BlueJet {what}: HTTP {status}: {quoted}")),
        401 | 403 => Error::auth(format_args!("BlueJet {what}: HTTP {status}: {quoted}")),
        404 => Error::config(format_args!("BlueJet {what}: HTTP 404 (is base_url right?): {quoted}")),
        _ => Error::permanent(format_args!("BlueJet {what}: HTTP {status}: {quoted}")),
    }
}
