//! The Qdrant sink plugin inside the host against qdrant-local. Every request goes through a
//! small recording proxy, so the tests also check what the sink sends: each body validates
//! against Qdrant's own OpenAPI description, and no write happens where none may.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};

use axum::body::{Body, to_bytes};
use axum::extract::State;
use axum::http::{Request, Response, StatusCode};
use qdrant_local::QdrantLocal;
use qdrant_local::openapi::{QDRANT_OPENAPI_PATH, Validator};
use serde_json::{Value, json};
use weir_core::{
    CollectionSpec, Distance, Fusion, HostRule, IndexKind, PayloadIndex, PayloadUpdate, PluginError, Point, Query,
    SparseVector,
};
use weir_runtime::{Grants, Runtime, RuntimeConfig, SinkInstance};

const DIM: u32 = 8;
const API_KEY: &str = "test-key-3f9a";

/// One request as the sink sent it.
#[derive(Debug, Clone)]
struct Recorded {
    method: String,
    path: String,
    query: String,
    api_key: Option<String>,
    body: Vec<u8>,
}

#[derive(Clone)]
struct Proxy {
    upstream: Arc<Mutex<String>>,
    log: Arc<Mutex<Vec<Recorded>>>,
    client: reqwest::Client,
}

async fn forward(State(p): State<Proxy>, req: Request<Body>) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let body = to_bytes(body, 256 * 1024 * 1024).await.unwrap().to_vec();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().unwrap_or_default().to_owned();
    let api_key = parts.headers.get("api-key").map(|v| v.to_str().unwrap().to_owned());
    p.log.lock().unwrap().push(Recorded {
        method: parts.method.to_string(),
        path: path.clone(),
        query: query.clone(),
        api_key,
        body: body.clone(),
    });
    let upstream = p.upstream.lock().unwrap().clone();
    let url = if query.is_empty() { format!("{upstream}{path}") } else { format!("{upstream}{path}?{query}") };
    let method = reqwest::Method::from_bytes(parts.method.as_str().as_bytes()).unwrap();
    let mut out = p.client.request(method, url).body(body);
    if let Some(ct) = parts.headers.get("content-type") {
        out = out.header("content-type", ct.to_str().unwrap());
    }
    let answer = match out.send().await {
        Ok(a) => a,
        Err(e) => return Response::builder().status(StatusCode::BAD_GATEWAY).body(Body::from(e.to_string())).unwrap(),
    };
    let status = answer.status().as_u16();
    let ct = answer.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned());
    let bytes = answer.bytes().await.unwrap();
    let mut response = Response::builder().status(status);
    if let Some(ct) = ct {
        response = response.header("content-type", ct);
    }
    response.body(Body::from(bytes)).unwrap()
}

/// A running qdrant-local behind a recording proxy, and a host with the sink loaded.
struct Bed {
    dir: tempfile::TempDir,
    _cache: tempfile::TempDir,
    server: Option<QdrantLocal>,
    proxy: Proxy,
    port: u16,
    rt: Runtime,
}

impl Bed {
    async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let server = QdrantLocal::start(dir.path(), qdrant_local::LOOPBACK).await.unwrap();
        let proxy = Proxy {
            upstream: Arc::new(Mutex::new(server.rest_url())),
            log: Arc::default(),
            client: reqwest::Client::builder().build().unwrap(),
        };
        let app = axum::Router::new().fallback(forward).with_state(proxy.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let cache = tempfile::tempdir().unwrap();
        let rt = Runtime::new(RuntimeConfig { cache_dir: Some(cache.path().to_owned()), ..RuntimeConfig::default() })
            .unwrap();
        Self { dir, _cache: cache, server: Some(server), proxy, port, rt }
    }

    async fn sink_with(&self, config: Value) -> SinkInstance {
        let plugin = self.rt.load(weir_harness::plugin("qdrant-sink")).await.unwrap();
        assert_eq!(plugin.manifest().name, "qdrant-sink");
        let grants = Grants::none()
            .host(format!("http://127.0.0.1:{}", self.port).parse::<HostRule>().unwrap())
            .secret("api_key", API_KEY);
        plugin.sink(&grants, &config.to_string()).await.unwrap()
    }

    async fn sink(&self) -> SinkInstance {
        self.sink_with(json!({ "url": format!("http://127.0.0.1:{}", self.port) })).await
    }

    /// Stops qdrant-local (flushing everything) and starts it again on the same directory.
    async fn restart(&mut self) {
        self.server.take().unwrap().shutdown().await.unwrap();
        let server = QdrantLocal::start(self.dir.path(), qdrant_local::LOOPBACK).await.unwrap();
        *self.proxy.upstream.lock().unwrap() = server.rest_url();
        self.server = Some(server);
    }

    fn recorded(&self) -> Vec<Recorded> {
        self.proxy.log.lock().unwrap().clone()
    }

    fn mark(&self) -> usize {
        self.proxy.log.lock().unwrap().len()
    }
}

fn spec(name: &str, dimension: u32, distance: Distance) -> CollectionSpec {
    CollectionSpec {
        name: name.to_owned(),
        dimension,
        distance,
        model: "test-model".to_owned(),
        lexical: None,
        payload_indexes: vec![
            PayloadIndex { field: "category".to_owned(), kind: IndexKind::Keyword },
            PayloadIndex { field: "stock".to_owned(), kind: IndexKind::Integer },
            PayloadIndex { field: "active".to_owned(), kind: IndexKind::Boolean },
        ],
    }
}

/// A deterministic UUID-shaped id per number, as the host's UUIDv5 ids look.
fn id(n: u32) -> String {
    format!("{n:08x}-0000-5000-8000-{:012x}", u64::from(n) * 7919)
}

/// A unit vector per number, different enough that the nearest point to `vector(n)` is `n`.
fn vector(n: u32) -> Vec<f32> {
    let v: Vec<f32> = (0..DIM).map(|i| ((n as f32 + 1.0) * (i as f32 + 1.0) * 0.37).sin()).collect();
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.into_iter().map(|x| x / norm).collect()
}

fn points(range: std::ops::Range<u32>) -> Vec<Point> {
    range
        .map(|n| {
            let category = ["boty", "kola", "stany"][(n % 3) as usize];
            Point {
                id: id(n),
                vector: vector(n),
                sparse: None,
                payload: json!({
                    "name": format!("Výrobek č. {n}"),
                    "category": category,
                    "stock": n % 10,
                    "active": n % 2 == 0,
                })
                .to_string(),
            }
        })
        .collect()
}

fn plugin_error(e: weir_runtime::Error) -> PluginError {
    e.plugin_error().cloned().unwrap_or_else(|| panic!("not a plugin error: {e}"))
}

/// Is this request a write to a collection (anything but reads and lookups)?
fn is_write(r: &Recorded) -> bool {
    let read = r.method == "GET"
        || r.path.ends_with("/points/count")
        || r.path.ends_with("/points/query")
        || r.path.ends_with("/points/scroll");
    !read
}

#[tokio::test]
async fn points_are_created_updated_queried_and_deleted() {
    let bed = Bed::start().await;
    let mut sink = bed.sink().await;

    assert!(!sink.describe("items").await.unwrap().exists);
    let info = sink.prepare(&spec("items", DIM, Distance::Cosine)).await.unwrap();
    assert!(info.exists);
    assert_eq!((info.dimension, info.distance, info.points), (Some(DIM), Some(Distance::Cosine), 0));
    // Idempotent: a second prepare creates nothing and re-creates no index.
    let before = bed.mark();
    sink.prepare(&spec("items", DIM, Distance::Cosine)).await.unwrap();
    assert!(
        bed.recorded()[before..].iter().all(|r| !is_write(r)),
        "a second prepare wrote: {:?}",
        &bed.recorded()[before..]
    );

    // 3,000 points: split into requests of at most 256 points each.
    let before = bed.mark();
    sink.upsert("items", &points(0..3000)).await.unwrap();
    let upserts: Vec<Recorded> = bed.recorded()[before..].iter().filter(|r| r.method == "PUT").cloned().collect();
    assert_eq!(upserts.len(), 12, "3000 points in requests of at most 256");
    for r in &upserts {
        assert_eq!(r.query, "wait=true");
        let body: Value = serde_json::from_slice(&r.body).unwrap();
        assert!(body["points"].as_array().unwrap().len() <= 256);
    }
    assert_eq!(sink.count("items").await.unwrap(), 3000);
    // Writing the same points again is harmless.
    sink.upsert("items", &points(0..10)).await.unwrap();
    assert_eq!(sink.count("items").await.unwrap(), 3000);

    // The nearest point to a stored vector is that point, with its payload.
    let hits = sink.query("items", &vector(42), 3, None).await.unwrap();
    assert_eq!(hits.len(), 3);
    assert_eq!(hits[0].id, id(42));
    assert!(hits[0].score > 0.999, "{}", hits[0].score);
    let payload: Value = serde_json::from_str(&hits[0].payload).unwrap();
    assert_eq!(payload["name"], "Výrobek č. 42");

    // Payload-only updates replace the whole payload and leave the vector alone.
    let updates: Vec<PayloadUpdate> = (0..600)
        .map(|n| PayloadUpdate {
            id: id(n),
            payload: json!({ "category": "výprodej", "stock": n % 4, "active": true }).to_string(),
        })
        .collect();
    let before = bed.mark();
    sink.set_payload("items", &updates).await.unwrap();
    assert!(
        bed.recorded()[before..].iter().all(|r| !String::from_utf8_lossy(&r.body).contains("\"vector\"")),
        "a payload update sent a vector"
    );
    let hits = sink.query("items", &vector(5), 1, None).await.unwrap();
    assert_eq!(hits[0].id, id(5));
    let payload: Value = serde_json::from_str(&hits[0].payload).unwrap();
    assert_eq!(payload, json!({ "category": "výprodej", "stock": 1, "active": true }), "the old `name` is gone");

    // A filter is an AND of equality matches on strings, integers and booleans.
    let filter = json!({ "category": "výprodej", "stock": 2 }).to_string();
    let hits = sink.query("items", &vector(1), 1000, Some(&filter)).await.unwrap();
    assert_eq!(hits.len(), 150, "600 on sale, a quarter of them with stock 2");
    for h in &hits {
        let p: Value = serde_json::from_str(&h.payload).unwrap();
        assert_eq!((p["category"].as_str(), p["stock"].as_i64()), (Some("výprodej"), Some(2)));
    }
    let filter = json!({ "category": "kola", "active": false }).to_string();
    let hits = sink.query("items", &vector(1), 5000, Some(&filter)).await.unwrap();
    let expected = (600..3000).filter(|n| n % 3 == 1 && n % 2 == 1).count();
    assert_eq!(hits.len(), expected);

    // Deletes by id, in several requests.
    let ids: Vec<String> = (0..1000).map(id).collect();
    sink.delete("items", &ids).await.unwrap();
    assert_eq!(sink.count("items").await.unwrap(), 2000);
    let hits = sink.query("items", &vector(42), 1, None).await.unwrap();
    assert_ne!(hits[0].id, id(42));
    assert_eq!(sink.describe("items").await.unwrap().points, 2000);

    // Every request carried the granted key.
    assert!(bed.recorded().iter().all(|r| r.api_key.as_deref() == Some(API_KEY)));

    sink.drop_collection("items").await.unwrap();
    sink.drop_collection("items").await.unwrap();
    assert!(!sink.describe("items").await.unwrap().exists);
}

#[tokio::test]
async fn requests_split_by_bytes_as_well_as_by_count() {
    let bed = Bed::start().await;
    let url = format!("http://127.0.0.1:{}", bed.port);
    let mut sink =
        bed.sink_with(json!({ "url": url, "max_request_bytes": 65536, "max_points_per_request": 1000 })).await;
    sink.prepare(&spec("big", DIM, Distance::Dot)).await.unwrap();
    let fat: Vec<Point> = (0..400)
        .map(|n| Point {
            id: id(n),
            vector: vector(n),
            sparse: None,
            payload: json!({ "text": "x".repeat(1000) }).to_string(),
        })
        .collect();
    let before = bed.mark();
    sink.upsert("big", &fat).await.unwrap();
    let puts: Vec<Recorded> = bed.recorded()[before..].iter().filter(|r| r.method == "PUT").cloned().collect();
    assert!(puts.len() >= 7, "400 KB of points in requests of at most 64 KiB: {}", puts.len());
    assert!(puts.iter().all(|r| r.body.len() <= 65536));
    assert_eq!(sink.count("big").await.unwrap(), 400);
}

#[tokio::test]
async fn a_dimension_or_distance_mismatch_is_refused_before_any_write() {
    let bed = Bed::start().await;
    let mut sink = bed.sink().await;
    sink.prepare(&spec("items", DIM, Distance::Cosine)).await.unwrap();
    sink.upsert("items", &points(0..10)).await.unwrap();

    let before = bed.mark();
    let err = plugin_error(sink.prepare(&spec("items", 16, Distance::Cosine)).await.unwrap_err());
    match &err {
        PluginError::Config(m) => {
            assert!(m.contains("8-dimensional") && m.contains("16-dimensional"), "{m}");
        }
        other => panic!("expected a config error, got {other:?}"),
    }
    let err = plugin_error(sink.prepare(&spec("items", DIM, Distance::Euclid)).await.unwrap_err());
    assert!(matches!(&err, PluginError::Config(m) if m.contains("Cosine") && m.contains("Euclid")), "{err:?}");
    // A vector of the wrong size is refused by the sink itself.
    let mut wrong = points(100..101);
    wrong[0].vector = vec![0.5; 16];
    let err = plugin_error(sink.upsert("items", &wrong).await.unwrap_err());
    assert!(matches!(&err, PluginError::Config(m) if m.contains("16-dimensional")), "{err:?}");
    let err = plugin_error(sink.query("items", &[0.5; 3], 5, None).await.unwrap_err());
    assert!(matches!(err, PluginError::Config(_)), "{err:?}");

    let writes: Vec<Recorded> = bed.recorded()[before..].iter().filter(|r| is_write(r)).cloned().collect();
    assert!(writes.is_empty(), "wrote after a mismatch: {writes:?}");
    assert_eq!(sink.count("items").await.unwrap(), 10);
    let info = sink.describe("items").await.unwrap();
    assert_eq!((info.dimension, info.distance), (Some(DIM), Some(Distance::Cosine)));

    // A second instance, which never saw the collection, refuses the same way.
    let mut fresh = bed.sink().await;
    let err = plugin_error(fresh.prepare(&spec("items", 16, Distance::Cosine)).await.unwrap_err());
    assert!(matches!(err, PluginError::Config(_)));
}

#[tokio::test]
async fn vectors_memory_chooses_where_a_new_collection_keeps_its_vectors() {
    let bed = Bed::start().await;
    let url = format!("http://127.0.0.1:{}", bed.port);
    let mut cached = bed.sink_with(json!({ "url": url, "vectors_memory": "cached" })).await;
    cached.prepare(&spec("loaded", DIM, Distance::Cosine)).await.unwrap();
    let mut default = bed.sink().await;
    default.prepare(&spec("mapped", DIM, Distance::Cosine)).await.unwrap();
    let upstream = bed.server.as_ref().unwrap().rest_url();
    for (name, memory) in [("loaded", "cached"), ("mapped", "cold")] {
        let body = reqwest::get(format!("{upstream}/collections/{name}")).await.unwrap().bytes().await.unwrap();
        let info: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(info["result"]["config"]["params"]["vectors"]["memory"], memory, "{name}: {info}");
    }
    cached.upsert("loaded", &points(0..50)).await.unwrap();
    default.upsert("mapped", &points(0..50)).await.unwrap();
    let a = cached.query("loaded", &vector(7), 5, None).await.unwrap();
    let b = default.query("mapped", &vector(7), 5, None).await.unwrap();
    assert_eq!(a.iter().map(|h| &h.id).collect::<Vec<_>>(), b.iter().map(|h| &h.id).collect::<Vec<_>>());
    assert_eq!(a[0].id, id(7));
}

#[tokio::test]
async fn errors_are_typed() {
    let bed = Bed::start().await;
    let mut sink = bed.sink().await;
    // Writing into a collection that does not exist: the host must prepare it first.
    let err = plugin_error(sink.upsert("nowhere", &points(0..1)).await.unwrap_err());
    assert!(matches!(err, PluginError::Config(_)), "{err:?}");
    // Qdrant's own refusal is permanent and quotes Qdrant's message.
    let err = plugin_error(sink.count("nowhere").await.unwrap_err());
    assert!(matches!(&err, PluginError::Permanent(m) if m.contains("404") && m.contains("nowhere")), "{err:?}");
    // A filter the sink cannot express.
    sink.prepare(&spec("items", DIM, Distance::Cosine)).await.unwrap();
    let err = plugin_error(sink.query("items", &vector(1), 3, Some(r#"{"tags": ["a"]}"#)).await.unwrap_err());
    assert!(matches!(err, PluginError::Permanent(_)), "{err:?}");
    // Nothing listens: transient.
    let dead = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = dead.local_addr().unwrap().port();
    drop(dead);
    let plugin = bed.rt.load(weir_harness::plugin("qdrant-sink")).await.unwrap();
    let grants = Grants::none().host(format!("http://127.0.0.1:{port}").parse::<HostRule>().unwrap());
    let config = json!({ "url": format!("http://127.0.0.1:{port}") }).to_string();
    let mut gone = plugin.sink(&grants, &config).await.unwrap();
    let err = gone.count("items").await.unwrap_err();
    assert!(err.is_retryable(), "{err}");
    // A misspelt configuration key is a config error.
    let err =
        plugin.sink(&grants, &json!({ "url": "http://127.0.0.1:1", "wiat": true }).to_string()).await.err().unwrap();
    assert!(err.to_string().contains("wiat"), "{err}");
}

#[tokio::test]
async fn an_alias_switch_is_atomic_and_names_resolve_through_it() {
    let bed = Bed::start().await;
    let mut sink = bed.sink().await;
    sink.prepare(&spec("items_v1", DIM, Distance::Cosine)).await.unwrap();
    sink.upsert("items_v1", &points(0..100)).await.unwrap();
    sink.prepare(&spec("items_v2", DIM, Distance::Cosine)).await.unwrap();
    sink.upsert("items_v2", &points(0..250)).await.unwrap();

    sink.switch_alias("items", "items_v1").await.unwrap();
    assert_eq!(sink.count("items").await.unwrap(), 100);
    let info = sink.describe("items").await.unwrap();
    assert_eq!((info.exists, info.dimension), (true, Some(DIM)));
    // prepare accepts the alias and finds the collection behind it.
    sink.prepare(&spec("items", DIM, Distance::Cosine)).await.unwrap();
    assert!(matches!(
        plugin_error(sink.prepare(&spec("items", 4, Distance::Cosine)).await.unwrap_err()),
        PluginError::Config(_)
    ));

    // Readers counting through the alias while it moves back and forth never miss it.
    let mut reader = bed.sink().await;
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop2 = stop.clone();
    let readers = tokio::spawn(async move {
        let mut seen = Vec::new();
        while !stop2.load(std::sync::atomic::Ordering::Relaxed) {
            seen.push(reader.count("items").await.unwrap());
        }
        seen
    });
    let before = bed.mark();
    for i in 0..20 {
        sink.switch_alias("items", if i % 2 == 0 { "items_v2" } else { "items_v1" }).await.unwrap();
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let seen = readers.await.unwrap();
    assert!(!seen.is_empty());
    assert!(seen.iter().all(|c| *c == 100 || *c == 250), "{seen:?}");

    // Each move is one request that deletes and creates together.
    let moves: Vec<Value> = bed.recorded()[before..]
        .iter()
        .filter(|r| r.path == "/collections/aliases")
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    assert_eq!(moves.len(), 20);
    for m in &moves {
        let actions = m["actions"].as_array().unwrap();
        assert_eq!(actions.len(), 2, "{m}");
        assert!(actions[0].get("delete_alias").is_some() && actions[1].get("create_alias").is_some(), "{m}");
    }
    sink.switch_alias("items", "items_v2").await.unwrap();
    assert_eq!(sink.count("items").await.unwrap(), 250);
    assert_eq!(sink.describe("items").await.unwrap().points, 250);
    // Writes through the alias land in the collection behind it.
    sink.upsert("items", &points(1000..1010)).await.unwrap();
    assert_eq!(sink.count("items_v2").await.unwrap(), 260);
}

#[tokio::test]
async fn everything_survives_a_restart_of_qdrant_local() {
    let mut bed = Bed::start().await;
    let mut sink = bed.sink().await;
    sink.prepare(&spec("items_v1", DIM, Distance::Cosine)).await.unwrap();
    sink.upsert("items_v1", &points(0..2000)).await.unwrap();
    let updates = vec![PayloadUpdate { id: id(7), payload: json!({ "category": "nové" }).to_string() }];
    sink.set_payload("items_v1", &updates).await.unwrap();
    sink.delete("items_v1", &[id(8)]).await.unwrap();
    sink.switch_alias("items", "items_v1").await.unwrap();

    bed.restart().await;

    let mut sink = bed.sink().await;
    assert_eq!(sink.count("items").await.unwrap(), 1999);
    let info = sink.prepare(&spec("items", DIM, Distance::Cosine)).await.unwrap();
    assert_eq!((info.dimension, info.distance), (Some(DIM), Some(Distance::Cosine)));
    let hits = sink.query("items", &vector(7), 1, Some(r#"{"category": "nové"}"#)).await.unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].id, id(7));
    let hits = sink.query("items", &vector(8), 1, None).await.unwrap();
    assert_ne!(hits[0].id, id(8));
    // The payload indexes survived too: prepare had nothing to create.
    let before = bed.mark();
    sink.prepare(&spec("items_v1", DIM, Distance::Cosine)).await.unwrap();
    assert!(bed.recorded()[before..].iter().all(|r| !is_write(r)));
}

/// The OpenAPI path template of a request, e.g. `/collections/{collection_name}/points`.
fn template<'a>(spec: &'a Value, method: &str, path: &str) -> Option<&'a str> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    spec["paths"]
        .as_object()?
        .iter()
        .filter(|(_, ops)| ops.get(method.to_ascii_lowercase()).is_some())
        .filter_map(|(t, _)| {
            let ts: Vec<&str> = t.trim_start_matches('/').split('/').collect();
            let fits = ts.len() == segments.len()
                && ts.iter().zip(&segments).all(|(t, s)| (t.starts_with('{') && t.ends_with('}')) || t == s);
            fits.then(|| (ts.iter().filter(|t| !t.starts_with('{')).count(), t.as_str()))
        })
        .max_by_key(|(literal, _)| *literal)
        .map(|(_, t)| t)
}

#[tokio::test]
async fn every_request_body_validates_against_qdrants_openapi() {
    let bed = Bed::start().await;
    let url = format!("http://127.0.0.1:{}", bed.port);
    let mut sink = bed
        .sink_with(json!({
            "url": url, "shard_number": 1, "replication_factor": 1, "write_consistency_factor": 1,
            "vectors_memory": "cold"
        }))
        .await;
    sink.prepare(&spec("a", DIM, Distance::Manhattan)).await.unwrap();
    sink.prepare(&spec("b", DIM, Distance::Manhattan)).await.unwrap();
    sink.upsert("a", &points(0..300)).await.unwrap();
    let updates: Vec<PayloadUpdate> = (0..300)
        .map(|n| PayloadUpdate { id: id(n), payload: json!({ "stock": n % 3, "price": 9.5 }).to_string() })
        .collect();
    sink.set_payload("a", &updates).await.unwrap();
    sink.query(
        "a",
        &vector(1),
        10,
        Some(r#"{"stock": 1, "price": 9.5, "category": "x", "active": true, "gone": null}"#),
    )
    .await
    .unwrap();
    sink.query("a", &vector(1), 10, None).await.unwrap();
    sink.count("a").await.unwrap();
    sink.delete("a", &[id(1), id(2)]).await.unwrap();
    sink.switch_alias("live", "a").await.unwrap();
    sink.switch_alias("live", "b").await.unwrap();
    sink.describe("live").await.unwrap();
    sink.drop_collection("a").await.unwrap();

    let covered = validate_recorded(&bed);
    for expected in [
        "GET /collections/{collection_name}",
        "PUT /collections/{collection_name}",
        "PUT /collections/{collection_name}/index",
        "PUT /collections/{collection_name}/points",
        "POST /collections/{collection_name}/points/batch",
        "POST /collections/{collection_name}/points/query",
        "POST /collections/{collection_name}/points/count",
        "POST /collections/{collection_name}/points/delete",
        "POST /collections/aliases",
        "GET /aliases",
        "DELETE /collections/{collection_name}",
    ] {
        assert!(covered.contains(expected), "{expected} was never sent; sent: {covered:?}");
    }
}

/// Validates every recorded request body against Qdrant's OpenAPI description (and that every
/// request is an endpoint of it) and returns the endpoints sent.
fn validate_recorded(bed: &Bed) -> std::collections::BTreeSet<String> {
    let spec_json: Value = serde_json::from_slice(&std::fs::read(QDRANT_OPENAPI_PATH).unwrap()).unwrap();
    let validator = Validator::load(QDRANT_OPENAPI_PATH).unwrap();
    let mut covered = std::collections::BTreeSet::new();
    for r in bed.recorded() {
        let t = template(&spec_json, &r.method, &r.path)
            .unwrap_or_else(|| panic!("{} {} is not an endpoint of Qdrant's API", r.method, r.path));
        covered.insert(format!("{} {t}", r.method));
        if r.body.is_empty() {
            assert!(matches!(r.method.as_str(), "GET" | "DELETE"), "{} {} without a body", r.method, r.path);
            continue;
        }
        let body: Value = serde_json::from_slice(&r.body).unwrap();
        validator
            .validate_request(&r.method, t, &body)
            .unwrap_or_else(|e| panic!("{} {}: {e}\nbody: {body}", r.method, r.path));
        for param in r.query.split('&').filter(|p| !p.is_empty()) {
            assert_eq!(param, "wait=true", "{} {}", r.method, r.path);
        }
    }
    covered
}

fn hybrid_spec(name: &str) -> CollectionSpec {
    CollectionSpec { lexical: Some("bm25:test@1".to_owned()), ..spec(name, DIM, Distance::Cosine) }
}

/// Point `n` has its own term `n` and its category's term `1000 + n % 3`.
fn terms(n: u32) -> SparseVector {
    SparseVector { indices: vec![n, 1000 + n % 3], values: vec![1.0, 0.5] }
}

fn hybrid_points(range: std::ops::Range<u32>) -> Vec<Point> {
    let start = range.start;
    let mut all = points(range);
    for (i, p) in all.iter_mut().enumerate() {
        p.sparse = Some(terms(start + i as u32));
    }
    all
}

fn term(n: u32) -> SparseVector {
    SparseVector { indices: vec![n], values: vec![1.0] }
}

fn ids(hits: &[weir_core::ScoredPoint]) -> Vec<&str> {
    hits.iter().map(|h| h.id.as_str()).collect()
}

#[tokio::test]
async fn hybrid_collections_hold_dense_and_sparse_vectors_and_answer_fused_queries() {
    let bed = Bed::start().await;
    let mut sink = bed.sink().await;
    let info = sink.prepare(&hybrid_spec("h")).await.unwrap();
    assert_eq!((info.exists, info.dimension, info.lexical), (true, Some(DIM), true));
    let before = bed.mark();
    sink.prepare(&hybrid_spec("h")).await.unwrap();
    assert!(bed.recorded()[before..].iter().all(|r| !is_write(r)), "a second prepare wrote");
    // As Qdrant describes it: a named dense vector and an IDF-weighted sparse one.
    let created = bed.recorded().into_iter().find(|r| r.method == "PUT" && r.path == "/collections/h").unwrap();
    let created: Value = serde_json::from_slice(&created.body).unwrap();
    assert_eq!(created["vectors"]["dense"]["size"], DIM);
    assert_eq!(created["sparse_vectors"]["bm25"]["modifier"], "idf");

    sink.upsert("h", &hybrid_points(0..300)).await.unwrap();
    assert_eq!(sink.count("h").await.unwrap(), 300);
    assert!(sink.describe("h").await.unwrap().lexical);

    // Dense only, sparse only, and both fused: each finds what it should.
    let hits = sink.query("h", &vector(42), 3, None).await.unwrap();
    assert_eq!(hits[0].id, id(42));
    let hits = sink.search("h", &Query::sparse(term(77), 5)).await.unwrap();
    assert_eq!(ids(&hits), [id(77).as_str()], "only point 77 has term 77");
    let hits = sink.search("h", &Query::hybrid(vector(10), term(200), Fusion::Rrf, 2)).await.unwrap();
    let mut top = ids(&hits);
    top.sort_unstable();
    let mut want = [id(10), id(200)];
    want.sort_unstable();
    assert_eq!(top, want, "each search's best point leads the fused ranking");
    let hits = sink.search("h", &Query::hybrid(vector(10), terms(200), Fusion::Dbsf, 5)).await.unwrap();
    assert_eq!(hits.len(), 5);

    // A filter restricts every search; without vectors it lists the matching points.
    let stany = json!({ "category": "stany" }).to_string();
    let query = Query::hybrid(vector(10), term(200), Fusion::Rrf, 5).with_filter(Some(stany.clone()));
    let hits = sink.search("h", &query).await.unwrap();
    // The best tent by each search leads (the two tie under RRF); point 10 is no tent.
    assert!(ids(&hits)[..2].contains(&id(200).as_str()), "{:?}", ids(&hits));
    for h in &hits {
        assert_eq!(serde_json::from_str::<Value>(&h.payload).unwrap()["category"], "stany");
    }
    let kola = json!({ "category": "kola" }).to_string();
    let hits = sink.search("h", &Query::filter_only(kola, 1000)).await.unwrap();
    assert_eq!(hits.len(), 100);
    assert!(hits.iter().all(|h| h.score == 0.0));

    // Nothing is written where the layout does not fit, and the error says why.
    sink.prepare(&spec("d", DIM, Distance::Cosine)).await.unwrap();
    let err = plugin_error(sink.upsert("d", &hybrid_points(0..5)).await.unwrap_err());
    assert!(matches!(&err, PluginError::Config(m) if m.contains("dense vectors only")), "{err}");
    assert_eq!(sink.count("d").await.unwrap(), 0);
    let err = plugin_error(sink.prepare(&hybrid_spec("d")).await.unwrap_err());
    assert!(matches!(&err, PluginError::Config(m) if m.contains("rebuild")), "{err}");
    let err = plugin_error(sink.prepare(&spec("h", DIM, Distance::Cosine)).await.unwrap_err());
    assert!(matches!(&err, PluginError::Config(m) if m.contains("dense-only")), "{err}");
    let err = plugin_error(sink.search("d", &Query::sparse(term(1), 3)).await.unwrap_err());
    assert!(matches!(&err, PluginError::Config(m) if m.contains("hybrid collection")), "{err}");
}

#[tokio::test]
async fn hybrid_request_bodies_validate_against_qdrants_openapi() {
    let bed = Bed::start().await;
    let url = format!("http://127.0.0.1:{}", bed.port);
    let mut sink = bed.sink_with(json!({ "url": url, "vectors_memory": "cold" })).await;
    sink.prepare(&hybrid_spec("h")).await.unwrap();
    sink.upsert("h", &hybrid_points(0..50)).await.unwrap();
    let filter = Some(json!({ "category": "kola", "stock": 1 }).to_string());
    sink.search("h", &Query::dense(vector(1), 5).with_filter(filter.clone())).await.unwrap();
    sink.search("h", &Query::sparse(terms(3), 5).with_filter(filter.clone())).await.unwrap();
    for fusion in [Fusion::Rrf, Fusion::Dbsf] {
        let query = Query::hybrid(vector(1), terms(3), fusion, 5).with_filter(filter.clone());
        sink.search("h", &query).await.unwrap();
    }
    sink.search("h", &Query::filter_only(filter.clone().unwrap(), 5)).await.unwrap();
    let sent: Vec<Value> = bed
        .recorded()
        .iter()
        .filter(|r| r.path.ends_with("/points/query"))
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    assert_eq!(sent.iter().filter(|b| b["query"]["fusion"] == "dbsf").count(), 1);
    let covered = validate_recorded(&bed);
    for expected in [
        "PUT /collections/{collection_name}",
        "PUT /collections/{collection_name}/points",
        "POST /collections/{collection_name}/points/query",
        "POST /collections/{collection_name}/points/scroll",
    ] {
        assert!(covered.contains(expected), "{expected} was never sent; sent: {covered:?}");
    }
}
