//! A source's limit of requests in flight, against a real loopback server: it holds across
//! every instance of the source (forks for partitions, a second pipeline's instance), and a
//! `429` with `Retry-After` answered to one instance holds back the requests of all of them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use weir_core::{HostRule, Scope};
use weir_harness::fixture;
use weir_runtime::{Grants, Runtime, RuntimeConfig, SourceInstance};

#[derive(Default)]
struct Seen {
    in_flight: AtomicUsize,
    peak: AtomicUsize,
    /// When each request arrived, and whether it was answered 429.
    arrivals: Mutex<Vec<(Instant, bool)>>,
}

/// A loopback server: `/slow` answers after 100 ms, counting the requests it holds at once;
/// `/limited` answers the first request 429 with `Retry-After: 1`, the others at once.
async fn server() -> (u16, Arc<Seen>) {
    use axum::Router;
    use axum::routing::get;
    let seen = Arc::new(Seen::default());
    let (slow, limited) = (seen.clone(), seen.clone());
    let app = Router::new()
        .route(
            "/slow",
            get(move || {
                let seen = slow.clone();
                async move {
                    let now = seen.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                    seen.peak.fetch_max(now, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    seen.in_flight.fetch_sub(1, Ordering::SeqCst);
                    (axum::http::StatusCode::OK, "ok")
                }
            }),
        )
        .route(
            "/limited",
            get(move || {
                let seen = limited.clone();
                async move {
                    let mut arrivals = seen.arrivals.lock().unwrap();
                    let first = arrivals.is_empty();
                    arrivals.push((Instant::now(), first));
                    if first {
                        (axum::http::StatusCode::TOO_MANY_REQUESTS, [("retry-after", "1")], "slow down")
                    } else {
                        (axum::http::StatusCode::OK, [("x-answer", "ok")], "ok")
                    }
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (port, seen)
}

/// `count` instances of a source that GETs `path` on every read: one made from the plugin,
/// the others forks of it.
async fn instances(rt: &Runtime, port: u16, path: &str, max: usize, count: usize) -> Vec<SourceInstance> {
    let plugin = rt.load(fixture("misbehave-source")).await.unwrap();
    let grants = Grants::none()
        .host(format!("http://127.0.0.1:{port}").parse::<HostRule>().unwrap())
        .secret("api_key", "unused")
        .max_requests_in_flight(max);
    let config = serde_json::json!({ "behave": "http", "url": format!("http://127.0.0.1:{port}{path}") }).to_string();
    let first = plugin.source(&grants, &config).await.unwrap();
    let mut all = Vec::new();
    for _ in 1..count {
        all.push(first.fork().await.unwrap());
    }
    all.push(first);
    all
}

/// Reads `times` pages on each instance at once; every read must succeed with a 200.
async fn read_all(instances: Vec<SourceInstance>, times: usize) {
    let tasks: Vec<_> = instances
        .into_iter()
        .map(|mut s| {
            tokio::spawn(async move {
                for _ in 0..times {
                    let page = s.read("items", &Scope::Full, None, 10).await.unwrap();
                    assert!(page.records[0].fields.contains(r#""status":200"#), "{:?}", page.records[0]);
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
}

fn runtime() -> (Runtime, tempfile::TempDir) {
    let cache = tempfile::tempdir().unwrap();
    let rt =
        Runtime::new(RuntimeConfig { cache_dir: Some(cache.path().to_owned()), ..RuntimeConfig::default() }).unwrap();
    (rt, cache)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_limit_holds_across_forks_and_every_instance_of_the_source() {
    let (rt, _cache) = runtime();
    let (port, seen) = server().await;
    // Three instances (a run's partitions) and three more made apart from them with the same
    // plugin and configuration (another pipeline reading the same source).
    let mut all = instances(&rt, port, "/slow", 2, 3).await;
    all.extend(instances(&rt, port, "/slow", 2, 3).await);
    read_all(all, 3).await;
    assert_eq!(seen.peak.load(Ordering::SeqCst), 2, "six instances, a limit of two");

    // A source with a larger limit gets its own slots.
    seen.peak.store(0, Ordering::SeqCst);
    read_all(instances(&rt, port, "/slow", 6, 6).await, 2).await;
    assert!(seen.peak.load(Ordering::SeqCst) > 2, "{}", seen.peak.load(Ordering::SeqCst));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_answered_to_one_instance_holds_back_all_of_them() {
    let (rt, _cache) = runtime();
    let (port, seen) = server().await;
    let mut all = instances(&rt, port, "/limited", 4, 4).await;
    let mut first = all.pop().unwrap();
    let first = tokio::spawn(async move { first.read("items", &Scope::Full, None, 10).await.unwrap() });
    // Once the first instance heard 429, the others start reading.
    let limit = all[0].request_limit().unwrap().clone();
    assert_eq!(limit.max(), 4);
    let deadline = Instant::now() + Duration::from_secs(30);
    while limit.paused_until().is_none() {
        assert!(Instant::now() < deadline, "the 429 never paused the source");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    read_all(all, 1).await;
    assert!(first.await.unwrap().records[0].fields.contains(r#""status":200"#));
    let arrivals = seen.arrivals.lock().unwrap().clone();
    assert_eq!(arrivals.len(), 5, "one 429, its retry and three more requests");
    let limited = arrivals[0].0;
    for (at, _) in &arrivals[1..] {
        // `Retry-After: 1`, less a little for the clock's resolution.
        assert!(at.duration_since(limited) >= Duration::from_millis(950), "{:?}", at.duration_since(limited));
    }
}
