//! `weir plugin test` (the conformance kit) and `weir plugin new`, driven as a plugin author
//! would.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::{Command, Output};

use serde_json::Value;
use weir_harness::{fixture, plugin};

fn weir(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_weir")).env("WEIR_LOG", "error").args(args).output().expect("run weir")
}

fn checks(o: &Output) -> Vec<(String, String)> {
    let v: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
    });
    v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_str().unwrap().to_owned(), c["outcome"].as_str().unwrap().to_owned()))
        .collect()
}

fn outcome<'a>(checks: &'a [(String, String)], id: &str) -> &'a str {
    checks.iter().find(|(i, _)| i == id).map(|(_, o)| o.as_str()).unwrap_or_else(|| panic!("no check {id}: {checks:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bundled_plugins_pass_the_conformance_kit() {
    let sim = bluejet_sim::BlueJetSim::builder().products(150).start().await.unwrap();
    let (id, hash) = sim.credentials();
    let (url, allow) = (serde_json::json!({ "base_url": sim.url() }).to_string(), format!("http://{}", sim.addr()));
    let (id, hash) = (format!("token_id={id}"), format!("token_hash={hash}"));
    let source = plugin("bluejet-source").to_string_lossy().into_owned();
    let all: Vec<String> = [
        "plugin", "test", "--json", &source, "--config", &url, "--allow", &allow, "--secret", &id, "--secret", &hash,
        "--stream", "products",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let o =
        tokio::task::spawn_blocking(move || weir(&all.iter().map(String::as_str).collect::<Vec<_>>())).await.unwrap();
    let c = checks(&o);
    assert!(o.status.success(), "{c:?}");
    assert!(c.iter().all(|(_, out)| out == "pass"), "{c:?}");
    for id in [
        "read-resumes-from-any-state",
        "list-keys-matches-read",
        "since-returns-only-newer",
        "config-errors-are-config",
    ] {
        assert_eq!(outcome(&c, id), "pass");
    }

    let dir = tempfile::tempdir().unwrap();
    let store = qdrant_local::QdrantLocal::start(dir.path(), qdrant_local::LOOPBACK).await.unwrap();
    let config = serde_json::json!({ "url": store.rest_url() }).to_string();
    let allow = store.rest_url();
    let sink = plugin("qdrant-sink");
    let o = tokio::task::spawn_blocking(move || {
        weir(&["plugin", "test", "--json", sink.to_str().unwrap(), "--config", &config, "--allow", &allow])
    })
    .await
    .unwrap();
    let c = checks(&o);
    assert!(o.status.success(), "{c:?}");
    assert_eq!(outcome(&c, "upsert-is-idempotent"), "pass");
    assert_eq!(outcome(&c, "prepare-refuses-other-dimension"), "pass");

    let validator = plugin("rules-validator");
    let o = weir(&[
        "plugin",
        "test",
        "--json",
        validator.to_str().unwrap(),
        "--config",
        r#"{"rules":[{"kind":"range","field":"price","min":0}]}"#,
    ]);
    assert!(o.status.success(), "{:?}", checks(&o));
}

#[test]
fn a_plugin_that_breaks_a_must_fails_the_kit() {
    // greedy-source asks for more than any configuration here grants.
    let o = weir(&["plugin", "test", "--json", fixture("greedy-source").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(outcome(&checks(&o), "configure"), "fail");
    // The kit reads a fixture source the way it reads any: paging and resuming pass.
    let o = weir(&[
        "plugin",
        "test",
        "--json",
        fixture("echo-source").to_str().unwrap(),
        "--config",
        r#"{"records": 30, "cursor_start": 1700000000}"#,
    ]);
    let c = checks(&o);
    assert_eq!(outcome(&c, "read-each-key-once"), "pass");
    assert_eq!(outcome(&c, "read-resumes-from-any-state"), "pass");
    // echo-source splits into offset ranges; together they hold the stream once.
    assert_eq!(outcome(&c, "partitions-cover-the-stream-once"), "pass");
    // A source built against WIT 0.1.0 and never rebuilt passes the kit unchanged.
    let o = weir(&[
        "plugin",
        "test",
        "--json",
        fixture("v0-1-echo-source").to_str().unwrap(),
        "--config",
        r#"{"records": 30}"#,
    ]);
    assert!(o.status.success(), "{:?}", checks(&o));
    assert_eq!(outcome(&checks(&o), "partitions-cover-the-stream-once"), "pass");
}

#[test]
fn plugin_new_renders_a_complete_crate_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    for kind in ["source", "validator", "sink"] {
        let dest = dir.path().join(kind);
        let name = format!("shop-{kind}");
        let o = weir(&["plugin", "new", "--kind", kind, &name, "--dir", dest.to_str().unwrap()]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let cargo = std::fs::read_to_string(dest.join("Cargo.toml")).unwrap();
        assert!(cargo.contains(&format!("name = \"{name}\"")), "{cargo}");
        let manifest = std::fs::read_to_string(dest.join("plugin.toml")).unwrap();
        assert!(manifest.contains(&format!("kind = \"{kind}\"")), "{manifest}");
        for entry in walk(&dest) {
            let text = std::fs::read_to_string(&entry).unwrap();
            assert!(!text.contains("{{"), "{} keeps a placeholder", entry.display());
            assert!(!entry.to_string_lossy().ends_with(".tmpl"));
        }
        let again = weir(&["plugin", "new", "--kind", kind, &name, "--dir", dest.to_str().unwrap()]);
        assert!(!again.status.success());
        assert!(String::from_utf8_lossy(&again.stderr).contains("not empty"));
    }
    let bad = weir(&["plugin", "new", "Shop_Source", "--dir", dir.path().join("x").to_str().unwrap()]);
    assert!(!bad.status.success());
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() { out.extend(walk(&p)) } else { out.push(p) }
    }
    out
}

/// The example third-party source: made with `weir plugin new`, reads an export directory it is
/// granted read-only, passes the conformance kit, and syncs through `weir run`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_csv_source_example_passes_the_kit_and_syncs() {
    let examples = weir_harness::root().join("plugins/csv-source/examples");
    let config = std::fs::read_to_string(examples.join("config.json")).unwrap();
    let csv = plugin("csv-source");
    let dir = format!("exports={}", examples.display());
    let o = weir(&["plugin", "test", "--json", csv.to_str().unwrap(), "--config", &config, "--dir", &dir]);
    let c = checks(&o);
    assert!(o.status.success(), "{c:?}");
    assert_eq!(outcome(&c, "read-resumes-from-any-state"), "pass");
    assert_eq!(outcome(&c, "since-returns-only-newer"), "pass");
    // Without the directory grant it does not start at all.
    let o = weir(&["plugin", "test", "--json", csv.to_str().unwrap(), "--config", &config]);
    assert_eq!(outcome(&checks(&o), "configure"), "fail");

    let work = tempfile::tempdir().unwrap();
    let store = qdrant_local::QdrantLocal::start(work.path().join("store"), qdrant_local::LOOPBACK).await.unwrap();
    let cfg = work.path().join("weir.toml");
    let streams: Value = serde_json::from_str(&config).unwrap();
    let products = serde_json::to_string(&streams["streams"]["products"]).unwrap();
    let products: toml::Value = serde_json::from_str(&products).unwrap();
    std::fs::write(
        &cfg,
        format!(
            r#"
[sync]
state_dir = "state"
mode = "full"
[embedding]
provider = "hash"
[sources.erp]
plugin = "{csv}"
dirs = {{ exports = "{examples}" }}
config = {{ streams = {{ products = {products} }} }}
[sinks.qdrant]
plugin = "{sink}"
config = {{ url = "{url}" }}
[pipelines.products]
source = "erp"
stream = "products"
sink = "qdrant"
text = "{{name}} · {{category}} · {{brand}} · {{description}}"
validation = {{ required = ["name"], types = {{ price = "number" }} }}
"#,
            csv = csv.display(),
            examples = examples.display(),
            sink = plugin("qdrant-sink").display(),
            url = store.rest_url(),
        ),
    )
    .unwrap();
    let cfg_s = cfg.to_string_lossy().into_owned();
    let o = tokio::task::spawn_blocking(move || weir(&["run", "--json", "--config", &cfg_s])).await.unwrap();
    let reports: Vec<Value> =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)));
    let r = &reports[0];
    assert!(r["counts"]["fetched"].as_u64().unwrap() >= 20, "{r}");
    assert_eq!(r["counts"]["valid"], r["counts"]["upserted"], "{r}");
    assert_eq!(r["count_check"]["mismatch"], Value::Null, "{r}");
}
