//! The sandbox against real misbehaving plugins (built from `tests/fixtures/`): each failure is
//! reported with the right error, and the host, and the next call, keep working.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use weir_core::{HostRule, PluginError, Scope};
use weir_harness::fixture;
use weir_runtime::{Error, Grants, LoadError, Runtime, RuntimeConfig};

fn runtime() -> (Runtime, tempfile::TempDir) {
    let cache = tempfile::tempdir().unwrap();
    let rt =
        Runtime::new(RuntimeConfig { cache_dir: Some(cache.path().to_owned()), ..RuntimeConfig::default() }).unwrap();
    (rt, cache)
}

/// A loopback server with a small and a huge answer and a redirect.
async fn server() -> u16 {
    use axum::Router;
    use axum::routing::get;
    let app = Router::new()
        .route("/small", get(|| async { "hello" }))
        .route("/huge", get(|| async { vec![b'x'; 40 * 1024 * 1024] }))
        .route(
            "/redirect",
            get(|| async { (axum::http::StatusCode::FOUND, [("location", "http://127.0.0.2:9/elsewhere")], "") }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    port
}

fn grants(port: u16) -> Grants {
    Grants::none()
        .host(format!("http://127.0.0.1:{port}").parse::<HostRule>().unwrap())
        .secret("api_key", "s3cr3t-value-123")
}

async fn misbehave(rt: &Runtime, grants: &Grants, behave: &str, url: Option<String>) -> weir_runtime::SourceInstance {
    let plugin = rt.load(fixture("misbehave-source")).await.unwrap();
    let config = serde_json::json!({ "behave": behave, "url": url }).to_string();
    plugin.source(grants, &config).await.unwrap()
}

async fn read_one(instance: &mut weir_runtime::SourceInstance) -> Result<weir_core::Page, Error> {
    instance.read("items", &Scope::Full, None, 10).await
}

#[tokio::test]
async fn a_well_behaved_source_round_trips_every_record_once() {
    let (rt, _cache) = runtime();
    let plugin = rt.load(fixture("echo-source")).await.unwrap();
    assert_eq!(plugin.manifest().name, "echo-source");
    let mut source = plugin.source(&Grants::none(), r#"{"records": 250, "size": 200}"#).await.unwrap();
    let streams = source.streams().await.unwrap();
    assert_eq!(streams[0].name, "items");
    assert_eq!(source.count("items").await.unwrap(), Some(250));
    let mut keys = std::collections::BTreeSet::new();
    let mut state: Option<String> = None;
    loop {
        let page = source.read("items", &Scope::Full, state.as_deref(), 64).await.unwrap();
        assert!(page.records.len() <= 64);
        for r in &page.records {
            assert!(keys.insert(r.key.clone()), "duplicate key {}", r.key);
            let fields: serde_json::Value = serde_json::from_str(&r.fields).unwrap();
            assert!(fields.is_object());
        }
        state = Some(page.state);
        if page.done {
            break;
        }
    }
    assert_eq!(keys.len(), 250);
}

#[tokio::test]
async fn a_bad_configuration_is_a_config_error_naming_the_field() {
    let (rt, _cache) = runtime();
    let plugin = rt.load(fixture("echo-source")).await.unwrap();
    let err = plugin.source(&Grants::none(), r#"{"records": 5, "recrods": 6}"#).await.err().unwrap();
    match err {
        Error::Plugin { call: "configure", error: PluginError::Config(message), .. } => {
            assert!(message.contains("recrods"), "{message}")
        }
        other => panic!("expected a config error, got {other}"),
    }
}

#[tokio::test]
async fn an_infinite_loop_times_out_and_the_next_call_runs_on_a_fresh_instance() {
    let (rt, _cache) = runtime();
    let mut source = misbehave(&rt, &grants(1), "loop", None).await;
    let started = Instant::now();
    let err = read_one(&mut source).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
    assert!(err.to_string().contains("misbehave-source"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(10), "took {:?}", started.elapsed());
    // The poisoned instance was dropped; a new one is made and configured transparently.
    assert_eq!(source.streams().await.unwrap()[0].name, "items");
}

#[tokio::test]
async fn a_memory_bomb_hits_the_cap_without_hurting_the_host() {
    let (rt, _cache) = runtime();
    let mut source = misbehave(&rt, &grants(1), "memory-bomb", None).await;
    let err = read_one(&mut source).await.unwrap_err();
    assert!(matches!(err, Error::MemoryLimit { limit_mb: 64, .. }), "{err}");
    assert!(source.streams().await.is_ok());
}

#[tokio::test]
async fn deep_recursion_is_a_stack_overflow_trap() {
    let (rt, _cache) = runtime();
    let mut source = misbehave(&rt, &grants(1), "recursion", None).await;
    let err = read_one(&mut source).await.unwrap_err();
    assert!(matches!(&err, Error::Trap { reason, .. } if reason.contains("stack overflow")), "{err}");
    assert!(source.streams().await.is_ok());
}

#[tokio::test]
async fn a_panic_is_a_trap_carrying_the_panic_message() {
    let (rt, _cache) = runtime();
    let mut source = misbehave(&rt, &grants(1), "panic", None).await;
    let err = read_one(&mut source).await.unwrap_err();
    assert!(matches!(&err, Error::Trap { reason, .. } if reason.contains("fixture panic: boom")), "{err}");
    assert!(source.streams().await.is_ok());
}

#[tokio::test]
async fn only_granted_hosts_are_reachable() {
    let (rt, _cache) = runtime();
    let port = server().await;
    let grants = grants(port);

    let mut ok = misbehave(&rt, &grants, "http", Some(format!("http://127.0.0.1:{port}/small"))).await;
    let page = read_one(&mut ok).await.unwrap();
    let fields: serde_json::Value = serde_json::from_str(&page.records[0].fields).unwrap();
    assert_eq!(fields["status"], 200);
    assert_eq!(fields["len"], 5);

    // Requested by the manifest (any loopback port) but not granted by the configuration.
    let other_port = if port == 65535 { port - 1 } else { port + 1 };
    for url in [
        format!("http://127.0.0.1:{other_port}/small"),
        format!("http://localhost:{port}/small"),
        "http://example.invalid/".to_owned(),
        format!("https://127.0.0.1:{port}/small"),
    ] {
        let mut denied = misbehave(&rt, &grants, "http", Some(url.clone())).await;
        let err = read_one(&mut denied).await.unwrap_err();
        assert!(
            matches!(&err, Error::Plugin { error: PluginError::Config(m), .. } if m.contains("not allowed")),
            "{url}: {err}"
        );
    }
    // User information in the URL is the classic bypass of a prefix check.
    let mut sneaky = misbehave(&rt, &grants, "http", Some(format!("http://127.0.0.1:{port}@example.invalid/"))).await;
    let err = read_one(&mut sneaky).await.unwrap_err();
    assert!(matches!(&err, Error::Plugin { error: PluginError::Config(_), .. }), "{err}");
}

/// A loopback server that answers everything and records the path and query of each request
/// as it arrived.
async fn recording_server() -> (u16, Arc<Mutex<Vec<String>>>) {
    use axum::Router;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let app = Router::new().fallback(move |uri: axum::http::Uri| {
        let record = record.clone();
        async move {
            record.lock().unwrap().push(uri.to_string());
            "ok"
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (port, seen)
}

/// The manifest asks for any loopback port; the configuration grants one port's `/api/` only.
/// A front server that decodes `%2F` before resolving dot segments would route
/// `/api/..%2fadmin/faults` to `/admin/faults`: every such trick is refused before a request
/// leaves, and what is allowed reaches the server in the canonical form that was checked.
#[tokio::test]
async fn a_path_grant_holds_against_every_encoding_trick() {
    let (rt, _cache) = runtime();
    let (port, seen) = recording_server().await;
    let grants = Grants::none()
        .host(format!("http://127.0.0.1:{port}/api/").parse::<HostRule>().unwrap())
        .secret("api_key", "s3cr3t-value-123");
    let origin = format!("http://127.0.0.1:{port}");

    let allowed = [
        ("/api/v1/data?no=217&condition=productid%7C%3E%7Cabc", "/api/v1/data?no=217&condition=productid%7C%3E%7Cabc"),
        ("/api/v1/data?path=/../admin/faults", "/api/v1/data?path=/../admin/faults"),
        ("/api/%76%31/%7e%2Dx", "/api/v1/~-x"),
        ("/api/v1/x/../caf%c3%a9", "/api/v1/caf%C3%A9"),
        ("/api/v1#/../../admin/faults", "/api/v1"),
    ];
    for (asked, sent) in allowed {
        let mut source = misbehave(&rt, &grants, "http", Some(format!("{origin}{asked}"))).await;
        let page = read_one(&mut source).await.unwrap_or_else(|e| panic!("{asked}: {e}"));
        let fields: serde_json::Value = serde_json::from_str(&page.records[0].fields).unwrap();
        assert_eq!(fields["status"], 200, "{asked}");
        assert_eq!(seen.lock().unwrap().last().map(String::as_str), Some(sent), "{asked} is sent canonical");
    }

    let refused = [
        (format!("{origin}/api/..%2fadmin/faults"), "encoded slash"),
        (format!("{origin}/api/..%2Fadmin/faults"), "encoded slash"),
        (format!("{origin}/api/..%5cadmin/faults"), "encoded slash or backslash"),
        (format!("{origin}/api/%2e%2e%2fadmin/faults"), "encoded slash"),
        (format!("{origin}/api/%2e%2e/admin/faults"), "not allowed"),
        (format!("{origin}/api/../admin/faults"), "not allowed"),
        (format!("{origin}/api/..%252fadmin/faults"), "encoded `%`"),
        (format!("{origin}/api/%25%32%66../admin/faults"), "encoded `%`"),
        (format!("{origin}/api/..;/admin/faults"), "`.` or `..`"),
        (format!("{origin}/api/..%3B/admin/faults"), "`.` or `..`"),
        (format!("{origin}/api/..%20/admin/faults"), "`.` or `..`"),
        (format!("{origin}/api\\..\\admin/faults"), "backslash"),
        (format!("{origin}/api/..%00/admin/faults"), "control character"),
        (format!("{origin}/api/\t../admin/faults"), "control character"),
        (format!("{origin}/api/..%c0%afadmin/faults"), "UTF-8"),
        (format!("{origin}/api/%u002e%u002e/admin/faults"), "two hex digits"),
        (format!("{origin}/api/..%ef%bc%8fadmin/faults"), "U+FF0F"),
        (format!("{origin}/admin/faults?/api/"), "not allowed"),
        (format!("http://localhost.:{port}/api/v1"), "trailing dot"),
        (format!("http://[::ffff:127.0.0.1]:{port}/api/v1"), "not allowed"),
        (format!("HTTP://127.0.0.1:{port}@127.0.0.1:{port}/api/v1"), "user information"),
    ];
    for (url, rule) in &refused {
        let mut source = misbehave(&rt, &grants, "http", Some(url.clone())).await;
        let err = read_one(&mut source).await.unwrap_err();
        assert!(
            matches!(&err, Error::Plugin { error: PluginError::Config(m), .. } if m.contains(rule)),
            "{url}: expected a refusal naming `{rule}`, got {err}"
        );
    }
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), allowed.len(), "only the allowed requests left the host: {seen:?}");
    assert!(seen.iter().all(|uri| uri.starts_with("/api/")), "{seen:?}");
}

#[tokio::test]
async fn redirects_are_not_followed_and_huge_answers_are_cut() {
    let (rt, _cache) = runtime();
    let port = server().await;
    let grants = grants(port);
    let mut redirect = misbehave(&rt, &grants, "http", Some(format!("http://127.0.0.1:{port}/redirect"))).await;
    let page = read_one(&mut redirect).await.unwrap();
    let fields: serde_json::Value = serde_json::from_str(&page.records[0].fields).unwrap();
    assert_eq!(fields["status"], 302, "the plugin sees the redirect itself; the host does not follow it");

    let mut huge = misbehave(&rt, &grants, "http", Some(format!("http://127.0.0.1:{port}/huge"))).await;
    let err = read_one(&mut huge).await.unwrap_err();
    assert!(matches!(&err, Error::Plugin { error: PluginError::Permanent(_), .. }), "{err}");
}

#[tokio::test]
async fn files_environment_and_sockets_are_out_of_reach() {
    let (rt, _cache) = runtime();
    let port = server().await;
    let mut escape = misbehave(&rt, &grants(port), "escape", Some(format!("http://127.0.0.1:{port}/"))).await;
    let page = read_one(&mut escape).await.unwrap();
    let fields: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&page.records[0].fields).unwrap();
    assert!(fields.len() >= 4, "{fields:?}");
    for (attempt, outcome) in &fields {
        let outcome = outcome.as_str().unwrap_or_default();
        assert!(!outcome.starts_with("ALLOWED"), "{attempt} escaped the sandbox: {outcome}");
    }
}

#[tokio::test]
async fn secrets_are_limited_to_what_is_granted_and_asked_for_and_never_leak_in_errors() {
    let (rt, _cache) = runtime();
    let grants = grants(1).secret("not_granted", "other-secret-value");
    let mut source = misbehave(&rt, &grants, "secret", None).await;
    let page = read_one(&mut source).await.unwrap();
    let fields: serde_json::Value = serde_json::from_str(&page.records[0].fields).unwrap();
    assert_eq!(fields["api_key"], "s3cr3t-value-123");
    // Granted by the configuration but not asked for in the manifest: invisible.
    assert!(fields["other"].is_null());
}

#[tokio::test]
async fn a_plugin_for_a_future_wit_version_is_refused_with_a_clear_message() {
    let (rt, _cache) = runtime();
    let err = rt.load(fixture("future-wit-source")).await.unwrap_err();
    match &err {
        Error::Load(LoadError::IncompatibleWit { found, .. }) => assert_eq!(found, "0.3.0"),
        other => panic!("expected IncompatibleWit, got {other}"),
    }
    let message = err.to_string();
    assert!(message.contains("0.3.0") && message.contains("0.2.0") && message.contains("0.1.0"), "{message}");
}

#[tokio::test]
async fn a_manifest_asking_for_more_than_granted_is_refused_before_running() {
    let (rt, _cache) = runtime();
    let plugin = rt.load(fixture("greedy-source")).await.unwrap();
    let err = plugin.source(&Grants::none(), "{}").await.err().unwrap();
    let text = err.to_string();
    assert!(matches!(err, Error::Load(LoadError::Ungranted { .. })), "{text}");
    assert!(text.contains("root_password") && text.contains("4096"), "{text}");
}

#[tokio::test]
async fn a_manifest_that_lies_about_its_kind_is_refused() {
    let (rt, _cache) = runtime();
    let err = rt.load(fixture("wrong-kind")).await.unwrap_err();
    assert!(matches!(err, Error::Load(LoadError::KindMismatch { .. })), "{err}");
    let echo = rt.load(fixture("echo-source")).await.unwrap();
    let err = echo.sink(&Grants::none(), "{}").await.err().unwrap();
    assert!(matches!(err, Error::Load(LoadError::WrongKind { .. })), "{err}");
}

#[tokio::test]
async fn broken_files_are_refused_with_a_reason() {
    let (rt, _cache) = runtime();
    let bytes = std::fs::read(fixture("echo-source")).unwrap();
    let truncated = bytes[..bytes.len() / 2].to_vec();
    let err = rt.load_bytes("truncated.wasm", truncated).await.unwrap_err();
    assert!(matches!(err, Error::Load(LoadError::NotAComponent { .. })), "{err}");
    let err = rt.load_bytes("text.wasm", b"plain text".to_vec()).await.unwrap_err();
    assert!(matches!(err, Error::Load(LoadError::NotAComponent { .. })), "{err}");
    let err = rt.load("/nonexistent/plugin.wasm").await.unwrap_err();
    assert!(matches!(err, Error::Load(LoadError::Read { .. })), "{err}");
}

#[tokio::test]
async fn instances_of_one_plugin_run_at_once_and_compiled_code_is_cached() {
    let (rt, cache) = runtime();
    let plugin = rt.load(fixture("echo-source")).await.unwrap();
    let cached: Vec<_> = std::fs::read_dir(cache.path()).unwrap().collect();
    assert_eq!(cached.len(), 1, "one compiled artifact in the cache");

    let mut a = plugin.source(&Grants::none(), r#"{"records": 100}"#).await.unwrap();
    let mut b = a.fork().await.unwrap();
    let (ra, rb) = tokio::join!(a.read("items", &Scope::Full, None, 100), b.read("items", &Scope::Full, None, 100));
    assert_eq!(ra.unwrap().records.len(), 100);
    assert_eq!(rb.unwrap().records.len(), 100);

    // A second runtime over the same cache loads without compiling (same artifact, same result).
    let rt2 =
        Runtime::new(RuntimeConfig { cache_dir: Some(cache.path().to_owned()), ..RuntimeConfig::default() }).unwrap();
    let again = rt2.load(fixture("echo-source")).await.unwrap();
    assert_eq!(again.sha256(), plugin.sha256());
    assert_eq!(std::fs::read_dir(cache.path()).unwrap().count(), 1);
    let mut c = again.source(&Grants::none(), r#"{"records": 3}"#).await.unwrap();
    assert_eq!(c.count("items").await.unwrap(), Some(3));
}

#[tokio::test]
async fn validators_and_sinks_cross_the_boundary_in_batches() {
    let (rt, _cache) = runtime();
    let validator = rt.load(fixture("echo-validator")).await.unwrap();
    let mut v = validator.validator(&Grants::none(), "{}").await.unwrap();
    let records: Vec<_> = (0..10)
        .map(|i| weir_core::Record {
            key: format!("k{i}"),
            fields: serde_json::json!({ "bad": i % 3 == 0 }).to_string(),
            cursor: None,
        })
        .collect();
    let verdicts = v.validate("items", &records).await.unwrap();
    assert_eq!(verdicts.len(), 10);
    let invalid: Vec<_> = verdicts.iter().enumerate().filter(|(_, v)| !v.is_valid()).map(|(i, _)| i).collect();
    assert_eq!(invalid, vec![0, 3, 6, 9]);

    let sink = rt.load(fixture("memory-sink")).await.unwrap();
    let mut s = sink.sink(&Grants::none(), "{}").await.unwrap();
    let spec = weir_core::CollectionSpec {
        name: "c".into(),
        dimension: 3,
        distance: weir_core::Distance::Cosine,
        model: "hash@3".into(),
        lexical: None,
        payload_indexes: vec![],
    };
    s.prepare(&spec).await.unwrap();
    let points: Vec<_> = (0..5)
        .map(|i| weir_core::Point {
            id: format!("00000000-0000-0000-0000-00000000000{i}"),
            vector: vec![1.0, i as f32, 0.5],
            sparse: None,
            payload: serde_json::json!({ "n": i }).to_string(),
        })
        .collect();
    s.upsert("c", &points).await.unwrap();
    s.upsert("c", &points).await.unwrap();
    assert_eq!(s.count("c").await.unwrap(), 5, "writing the same points twice is harmless");
    let hits = s.query("c", &[1.0, 4.0, 0.5], 1, None).await.unwrap();
    assert_eq!(hits[0].id, points[4].id);
}

#[tokio::test]
async fn a_granted_directory_is_readable_read_only_and_nothing_else_is() {
    let (rt, _cache) = runtime();
    let plugin = rt.load(fixture("dir-source")).await.unwrap();

    // Asked for and not granted: refused before anything runs.
    let err = plugin.source(&Grants::none(), "{}").await.err().expect("refused");
    assert!(err.to_string().contains("directory `data`"), "{err}");

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("products.csv"), "code;name\n1;Hrnec\n").unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "top secret").unwrap();
    let grants = Grants::none().dir("data", dir.path()).dir("other", outside.path());
    let mut source = plugin.source(&grants, "{}").await.unwrap();

    let page = source.read("files", &Scope::Full, None, 10).await.unwrap();
    assert_eq!(page.records.len(), 1);
    assert_eq!(page.records[0].key, "products.csv");
    assert!(page.records[0].fields.contains("Hrnec"), "{}", page.records[0].fields);

    let probe = |path: &str| format!("probe:{path}");
    for path in [
        "/data/../etc/passwd".to_owned(),
        "/etc/passwd".to_owned(),
        format!("{}/secret.txt", outside.path().display()),
        "/other/secret.txt".to_owned(), // granted by the config, not asked for by the manifest
    ] {
        let page = source.read(&probe(&path), &Scope::Full, None, 1).await.unwrap();
        assert!(page.records[0].fields.contains("\"ok\":false"), "{path}: {}", page.records[0].fields);
    }
    let page = source.read("write:/data/new.txt", &Scope::Full, None, 1).await.unwrap();
    assert!(page.records[0].fields.contains("\"ok\":false"), "{}", page.records[0].fields);
    assert!(!dir.path().join("new.txt").exists(), "a read-only grant was written to");
}

/// A symbolic link inside a granted directory is followed only while it stays inside: one that
/// points out of it, absolute or relative, to a file or to a directory, is refused by the WASI
/// file system, and so is a path that climbs out through one.
#[cfg(unix)]
#[tokio::test]
async fn symbolic_links_out_of_a_granted_directory_are_refused() {
    use std::os::unix::fs::symlink;
    let (rt, _cache) = runtime();
    let plugin = rt.load(fixture("dir-source")).await.unwrap();
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("export");
    let outside = parent.path().join("private");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(dir.join("products.csv"), "code;name\n1;Hrnec\n").unwrap();
    std::fs::write(outside.join("secret.txt"), "top secret").unwrap();
    symlink(outside.join("secret.txt"), dir.join("absolute")).unwrap();
    symlink("../private/secret.txt", dir.join("relative")).unwrap();
    symlink("../../private", dir.join("sub/up")).unwrap();
    symlink(&outside, dir.join("folder")).unwrap();
    symlink("/", dir.join("root")).unwrap();
    symlink("products.csv", dir.join("inside")).unwrap();
    symlink("../products.csv", dir.join("sub/back")).unwrap();

    let mut source = plugin.source(&Grants::none().dir("data", &dir), "{}").await.unwrap();
    let probe = |path: &str| format!("probe:{path}");
    for path in [
        "/data/absolute",
        "/data/relative",
        "/data/sub/up/secret.txt",
        "/data/folder/secret.txt",
        "/data/root/etc/passwd",
        "/data/sub/../../private/secret.txt",
    ] {
        let page = source.read(&probe(path), &Scope::Full, None, 1).await.unwrap();
        let fields = &page.records[0].fields;
        assert!(fields.contains("\"ok\":false") && !fields.contains("top secret"), "{path}: {fields}");
    }
    // Links that stay inside work, so the refusals above are about leaving, not about links.
    for path in ["/data/inside", "/data/sub/back", "/data/sub/../inside"] {
        let page = source.read(&probe(path), &Scope::Full, None, 1).await.unwrap();
        assert!(page.records[0].fields.contains("Hrnec"), "{path}: {}", page.records[0].fields);
    }
    let page = source.read("write:/data/folder/new.txt", &Scope::Full, None, 1).await.unwrap();
    assert!(page.records[0].fields.contains("\"ok\":false"), "{}", page.records[0].fields);
    assert!(!outside.join("new.txt").exists());
}
