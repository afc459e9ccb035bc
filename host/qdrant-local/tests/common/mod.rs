//! Shared test helpers: a server on a temporary directory and a REST client that checks every
//! request and response against Qdrant's OpenAPI description.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use std::io::{BufRead as _, BufReader, Read as _};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

use qdrant_local::QdrantLocal;
use qdrant_local::openapi::{QDRANT_OPENAPI_PATH, Validator};
use serde_json::{Value, json};

pub fn validator() -> &'static Validator {
    static V: OnceLock<Validator> = OnceLock::new();
    V.get_or_init(|| Validator::load(QDRANT_OPENAPI_PATH).expect("OpenAPI spec loads"))
}

pub struct Api {
    pub base: String,
    http: reqwest::Client,
}

impl Api {
    pub fn new(server: &QdrantLocal) -> Self {
        Self::at(server.rest_url())
    }

    /// A client of the server at `base` (another process).
    pub fn at(base: String) -> Self {
        Self { base, http: reqwest::Client::new() }
    }

    /// Sends `method` to `path` (real path) documented as `template`; validates the request
    /// body and the response against the spec; returns status and JSON body.
    pub async fn call(&self, method: &str, template: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let v = validator();
        if let Some(b) = &body {
            v.validate_request(method, template, b).unwrap_or_else(|e| panic!("request not valid per spec: {e}\n{b}"));
        }
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.http.request(m, format!("{}{path}", self.base));
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(serde_json::to_vec(&b).unwrap());
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let is_json =
            resp.headers().get("content-type").and_then(|h| h.to_str().ok()).is_some_and(|h| h.contains("json"));
        let text = resp.text().await.unwrap();
        let json: Value = if is_json { serde_json::from_str(&text).unwrap() } else { Value::String(text) };
        v.validate_response(method, template, status, &json)
            .unwrap_or_else(|e| panic!("response not valid per spec: {e}\n{json}"));
        if status >= 400 {
            assert!(json["status"]["error"].is_string(), "error without Qdrant's error shape: {json}");
        } else if json.get("status").is_some() {
            assert_eq!(json["status"], "ok", "{json}");
            assert!(json["time"].is_number(), "{json}");
        }
        (status, json)
    }

    /// Sends without checking against the spec (for endpoints the spec no longer lists, like
    /// the deprecated `/points/search`); still checks Qdrant's envelope.
    pub async fn call_raw(&self, method: &str, path: &str, body: Value) -> (u16, Value) {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let resp = self
            .http
            .request(m, format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(serde_json::to_vec(&body).unwrap())
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let json: Value = serde_json::from_str(&resp.text().await.unwrap()).unwrap();
        if status == 200 {
            assert_eq!(json["status"], "ok", "{json}");
        }
        (status, json)
    }

    /// Like `call`, but expects 200 and returns `result`.
    pub async fn ok(&self, method: &str, template: &str, path: &str, body: Option<Value>) -> Value {
        let (status, json) = self.call(method, template, path, body).await;
        assert_eq!(status, 200, "{method} {path}: {json}");
        json["result"].clone()
    }

    pub async fn create(&self, name: &str, size: usize, distance: &str) {
        let r = self
            .ok(
                "PUT",
                "/collections/{collection_name}",
                &format!("/collections/{name}"),
                Some(json!({ "vectors": { "size": size, "distance": distance } })),
            )
            .await;
        assert_eq!(r, json!(true));
    }

    pub async fn upsert(&self, name: &str, points: Vec<Value>) {
        let r = self
            .ok(
                "PUT",
                "/collections/{collection_name}/points",
                &format!("/collections/{name}/points?wait=true"),
                Some(json!({ "points": points })),
            )
            .await;
        assert_eq!(r["status"], "completed");
    }

    pub async fn count(&self, name: &str, filter: Option<Value>) -> u64 {
        let mut body = json!({ "exact": true });
        if let Some(f) = filter {
            body["filter"] = f;
        }
        self.ok(
            "POST",
            "/collections/{collection_name}/points/count",
            &format!("/collections/{name}/points/count"),
            Some(body),
        )
        .await["count"]
            .as_u64()
            .unwrap()
    }

    pub async fn query(&self, name: &str, body: Value) -> Vec<Value> {
        self.ok(
            "POST",
            "/collections/{collection_name}/points/query",
            &format!("/collections/{name}/points/query"),
            Some(body),
        )
        .await["points"]
            .as_array()
            .unwrap()
            .clone()
    }
}

/// Deterministic pseudo-random vector.
pub fn vector(seed: u64, dim: usize) -> Vec<f32> {
    let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    (0..dim)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            ((x % 2000) as f32 / 1000.0) - 1.0
        })
        .collect()
}

pub const COLORS: [&str; 4] = ["red", "green", "blue", "yellow"];

/// Point `i`: integer id, `color` cycling, `n` = i, `tags` list, `opt` only on even ids.
pub fn point(i: u64, dim: usize) -> Value {
    let mut payload = json!({
        "color": COLORS[(i % 4) as usize],
        "n": i,
        "tags": [format!("t{}", i % 3), "all"],
        "doc": format!("document {i}"),
    });
    if i.is_multiple_of(2) {
        payload["opt"] = json!(true);
    }
    json!({ "id": i, "vector": vector(i, dim), "payload": payload })
}

pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
    let nb: f32 = b.iter().map(|x| x * x).sum::<f32>().sqrt();
    dot / (na * nb)
}

pub fn ids(points: &[Value]) -> Vec<u64> {
    points.iter().map(|p| p["id"].as_u64().unwrap()).collect()
}

/// The `qdrant-local` binary on `dir` (REST on a free port, no gRPC, logging at info), with
/// `args` added; it prints its URL first.
pub struct Process {
    pub child: Child,
    pub api: Api,
}

impl Process {
    pub fn start(dir: &Path, args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_qdrant-local"))
            .args(["--dir", dir.to_str().unwrap(), "--port", "0", "--no-grpc"])
            .args(args)
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert!(line.starts_with("http://"), "no URL from qdrant-local: {line:?}");
        Self { child, api: Api::at(line.trim().to_owned()) }
    }

    /// SIGKILL, and what it wrote to stderr.
    pub fn kill(mut self) -> String {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        let mut log = String::new();
        self.child.stderr.take().unwrap().read_to_string(&mut log).unwrap();
        log
    }
}
