//! Arbitrary requests to qdrant-local's REST router, in-process: whatever the body, an answer
//! comes back without a panic and never as a 5xx; an error (4xx) is in Qdrant's error envelope
//! (`{"status":{"error":…},"time":…}`) and a success in its result envelope.
//!
//! The router serves one storage directory per process, holding the collection `fixture` (a few
//! points with keyword, integer, float, list, text, nested, date and geo payload, and two payload
//! indexes) and its alias `fixture_alias`, so that filters and queries reach the engine. After a
//! request that may change them, they are put back: every input starts from the same state.
//!
//! Input: the first byte picks the route (`'A'` is the first of `ROUTES`, modulo their number),
//! the second the query string (`'0'` is the first of `QUERIES`), the rest is the body. On the
//! routes with a `{}` in their path the body, percent-encoded, is that path segment instead.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};
use tower::ServiceExt as _;

/// What a route may change, and so what is put back after it.
#[derive(Clone, Copy)]
enum Changes {
    Nothing,
    Points,
    Indexes,
    Aliases,
    Scratch,
}

struct Route {
    method: Method,
    path: &'static str,
    changes: Changes,
}

const fn route(method: Method, path: &'static str, changes: Changes) -> Route {
    Route { method, path, changes }
}

/// Every route of the router (some on a missing collection or through the alias, too).
const ROUTES: &[Route] = &[
    route(Method::GET, "/", Changes::Nothing),
    route(Method::GET, "/collections", Changes::Nothing),
    route(Method::GET, "/aliases", Changes::Nothing),
    route(Method::POST, "/collections/aliases", Changes::Aliases),
    route(Method::GET, "/collections/fixture", Changes::Nothing),
    route(Method::PUT, "/collections/scratch", Changes::Scratch),
    route(Method::PUT, "/collections/fixture", Changes::Nothing),
    route(Method::DELETE, "/collections/missing", Changes::Nothing),
    route(Method::GET, "/collections/fixture/exists", Changes::Nothing),
    route(Method::GET, "/collections/fixture/aliases", Changes::Nothing),
    route(Method::PUT, "/collections/fixture/index", Changes::Indexes),
    route(Method::DELETE, "/collections/fixture/index/{}", Changes::Indexes),
    route(Method::PUT, "/collections/fixture/points", Changes::Points),
    route(Method::POST, "/collections/fixture/points", Changes::Nothing),
    route(Method::GET, "/collections/fixture/points/{}", Changes::Nothing),
    route(Method::POST, "/collections/fixture/points/payload", Changes::Points),
    route(Method::PUT, "/collections/fixture/points/payload", Changes::Points),
    route(Method::POST, "/collections/fixture/points/payload/delete", Changes::Points),
    route(Method::POST, "/collections/fixture/points/payload/clear", Changes::Points),
    route(Method::POST, "/collections/fixture/points/delete", Changes::Points),
    route(Method::POST, "/collections/fixture/points/batch", Changes::Points),
    route(Method::POST, "/collections/fixture/points/scroll", Changes::Nothing),
    route(Method::POST, "/collections/fixture/points/count", Changes::Nothing),
    route(Method::POST, "/collections/fixture/points/search", Changes::Nothing),
    route(Method::POST, "/collections/fixture/points/search/batch", Changes::Nothing),
    route(Method::POST, "/collections/fixture/points/query", Changes::Nothing),
    route(Method::POST, "/collections/fixture/points/query/batch", Changes::Nothing),
    route(Method::POST, "/collections/fixture_alias/points/query", Changes::Nothing),
    route(Method::POST, "/collections/missing/points/scroll", Changes::Nothing),
];

/// Query strings; only updates read one (`wait`).
const QUERIES: &[&str] = &["", "?wait=true", "?wait=false", "?wait", "?wait=1", "?timeout=5&wait=true&wait=x"];

const DIM: usize = 4;
/// Payload fields with an index, and their schema.
const INDEXES: &[(&str, &str)] = &[("color", "keyword"), ("n", "integer")];

/// The points of `fixture`: integer ids and one UUID.
fn fixture_points() -> Value {
    let colors = ["red", "green", "blue", "yellow"];
    let points: Vec<Value> = (0..8u64)
        .map(|i| {
            let id = if i == 7 { json!("5c56c793-69f3-4fbf-87e6-c4bf54c28c26") } else { json!(i + 1) };
            let f = i as f32;
            let mut payload = json!({
                "color": colors[(i % 4) as usize],
                "n": i,
                "price": f * 1.5 - 2.0,
                "tags": [format!("t{}", i % 3), "all"],
                "doc": format!("document number {i}"),
                "nested": { "a": { "b": i % 2 }, "list": [{ "k": i }, { "k": i + 1 }] },
                "when": format!("2026-01-0{}T10:00:00Z", i + 1),
                "loc": { "lon": 14.4 + f / 10.0, "lat": 50.0 + f / 10.0 },
            });
            if i % 2 == 0 {
                payload["opt"] = json!(true);
            }
            if i == 3 {
                payload["empty"] = json!([]);
                payload["null"] = Value::Null;
            }
            json!({ "id": id, "vector": [f + 1.0, 1.0 - f / 8.0, f.sin(), 0.5], "payload": payload })
        })
        .collect();
    json!({ "points": points })
}

fn fixture_ids() -> Value {
    let ids: Vec<Value> =
        fixture_points()["points"].as_array().into_iter().flatten().map(|p| p["id"].clone()).collect();
    Value::Array(ids)
}

struct Server {
    runtime: tokio::runtime::Runtime,
    router: Router,
}

/// One directory per process, under the system's temporary directory; those of processes that
/// are gone are removed first.
fn storage_dir() -> PathBuf {
    let tmp = std::env::temp_dir();
    let prefix = "weir-fuzz-qdrant-request-";
    if std::path::Path::new("/proc/self").exists()
        && let Ok(entries) = std::fs::read_dir(&tmp)
    {
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(pid) = name.to_str().and_then(|n| n.strip_prefix(prefix)) else { continue };
            if !std::path::Path::new("/proc").join(pid).exists() {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
    let dir = tmp.join(format!("{prefix}{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let router = qdrant_local::fuzzing::router(&storage_dir()).expect("storage opens");
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        let server = Server { runtime, router };
        server.runtime.block_on(async {
            let create = json!({ "vectors": { "size": DIM, "distance": "Cosine" } });
            ok(&server.router, Method::PUT, "/collections/fixture", create).await;
            reset(&server.router, Changes::Indexes).await;
            reset(&server.router, Changes::Points).await;
            reset(&server.router, Changes::Aliases).await;
        });
        server
    })
}

/// Sends one request; returns the status, whether the answer is JSON, and its body.
async fn send(router: &Router, method: Method, uri: &str, body: Vec<u8>) -> (StatusCode, bool, Vec<u8>) {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .expect("a valid request");
    let resp = router.clone().oneshot(req).await.unwrap_or_else(|e| match e {});
    let status = resp.status();
    let json =
        resp.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("json"));
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX).await.expect("the body reads");
    (status, json, bytes.to_vec())
}

/// A request of the fixture's own upkeep, which must succeed; returns `result`.
async fn ok(router: &Router, method: Method, uri: &str, body: Value) -> Value {
    let (status, _, bytes) = send(router, method.clone(), uri, body.to_string().into_bytes()).await;
    let text = String::from_utf8_lossy(&bytes);
    assert_eq!(status, StatusCode::OK, "fixture upkeep {method} {uri} {body}: {text}");
    let mut reply: Value = serde_json::from_slice(&bytes).expect("JSON");
    reply["result"].take()
}

/// Puts back what a route may have changed.
async fn reset(router: &Router, changes: Changes) {
    match changes {
        Changes::Nothing => {}
        Changes::Points => {
            ok(router, Method::PUT, "/collections/fixture/points?wait=true", fixture_points()).await;
            let others = json!({ "filter": { "must_not": [{ "has_id": fixture_ids() }] } });
            ok(router, Method::POST, "/collections/fixture/points/delete?wait=true", others).await;
        }
        Changes::Indexes => {
            let info = ok(router, Method::GET, "/collections/fixture", Value::Null).await;
            let schema = info["payload_schema"].as_object().cloned().unwrap_or_default();
            for (field, kind) in &schema {
                let wanted = INDEXES.iter().any(|(f, k)| f == field && kind["data_type"] == *k);
                if !wanted {
                    let uri = format!("/collections/fixture/index/{}?wait=true", encode(field.as_bytes()));
                    ok(router, Method::DELETE, &uri, Value::Null).await;
                }
            }
            for (field, kind) in INDEXES {
                if schema.get(*field).is_none_or(|s| s["data_type"] != *kind) {
                    let body = json!({ "field_name": field, "field_schema": kind });
                    ok(router, Method::PUT, "/collections/fixture/index?wait=true", body).await;
                }
            }
        }
        Changes::Aliases => {
            let list = ok(router, Method::GET, "/aliases", Value::Null).await;
            let mut actions: Vec<Value> = list["aliases"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|a| json!({ "delete_alias": { "alias_name": a["alias_name"] } }))
                .collect();
            actions.push(json!({ "create_alias": { "collection_name": "fixture", "alias_name": "fixture_alias" } }));
            ok(router, Method::POST, "/collections/aliases", json!({ "actions": actions })).await;
        }
        Changes::Scratch => {
            // Deleting a collection deletes its aliases; creating one changes no other state.
            ok(router, Method::DELETE, "/collections/scratch", Value::Null).await;
            Box::pin(reset(router, Changes::Aliases)).await;
        }
    }
}

/// How many points a page of a scroll, query or search holds.
fn page_len(path: &str, result: &Value) -> Option<usize> {
    let points = if path.ends_with("/scroll") || path.ends_with("/query") {
        &result["points"]
    } else if path.ends_with("/search") {
        result
    } else {
        return None;
    };
    points.as_array().map(Vec::len)
}

/// Percent-encodes a path segment (as text: a path is UTF-8).
fn encode(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let [r, q, body @ ..] = data else { return };
    let route = &ROUTES[usize::from(r.wrapping_sub(b'A')) % ROUTES.len()];
    let query = QUERIES[usize::from(q.wrapping_sub(b'0')) % QUERIES.len()];
    let (path, body) = match route.path.split_once("{}") {
        Some((before, after)) => (format!("{before}{}{after}", encode(body)), Vec::new()),
        None => (route.path.to_owned(), body.to_vec()),
    };
    let uri = format!("{path}{query}");
    let server = server();
    let (status, json, answer) =
        server.runtime.block_on(send(&server.router, route.method.clone(), &uri, body.clone()));
    let shown = || {
        format!(
            "{} {uri} {:?} -> {status} {}",
            route.method,
            String::from_utf8_lossy(&body),
            String::from_utf8_lossy(&answer)
        )
    };
    assert!(!status.is_server_error(), "a server error: {}", shown());
    // axum's own 405 (a path of another method, e.g. `GET …/points/scroll`) has an empty body.
    if status != StatusCode::METHOD_NOT_ALLOWED && route.path != "/" {
        assert!(json, "not JSON: {}", shown());
        let reply: Value = serde_json::from_slice(&answer).unwrap_or_else(|e| panic!("{e}: {}", shown()));
        assert!(reply["time"].is_number(), "no time: {}", shown());
        if status.is_success() {
            assert_eq!(reply["status"], "ok", "{}", shown());
            assert!(reply.get("result").is_some(), "no result: {}", shown());
            if let Some(page) = page_len(route.path, &reply["result"]) {
                let asked: Value = serde_json::from_slice(&body).unwrap_or_default();
                let limit = asked["limit"].as_u64().unwrap_or(10);
                assert!(page as u64 <= limit, "{page} points for a limit of {limit}: {}", shown());
            }
        } else {
            assert!(status.is_client_error(), "{}", shown());
            assert!(reply["status"]["error"].is_string(), "not Qdrant's error envelope: {}", shown());
        }
    }
    server.runtime.block_on(reset(&server.router, route.changes));
});
