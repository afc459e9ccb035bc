//! The plugins bundled in `weir`: named in a configuration they run from the copy compiled into
//! the binary, a file of the same name in `sync.plugin_dir` overrides it, and every way of
//! getting that wrong is named with its fix.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;

use common::{TOKEN_HASH, TOKEN_ID, daemon_address, text};
use serde_json::Value;

const BUNDLED: [&str; 4] = ["bluejet-source", "csv-source", "qdrant-sink", "rules-validator"];

/// Where `cargo xtask build-plugins` put the plugins this `weir` embedded.
fn built(name: &str) -> PathBuf {
    let path = weir_harness::target_dir().join("plugins").join(format!("{name}.wasm"));
    assert!(path.is_file(), "{} is missing; run `cargo xtask build-plugins`", path.display());
    path
}

/// A configuration that names its plugins (no paths): a BlueJet source, the embedded store and
/// the hash embedder; `sync` holds extra lines of `[sync]`.
fn config(dir: &Path, sim: &str, sync: &str) -> PathBuf {
    let text = format!(
        r#"
[sync]
state_dir = "state"
{sync}

[embedding]
provider = "hash"
dimensions = 32

[sources.bluejet]
plugin = "bluejet-source"
config = {{ base_url = "{sim}" }}
secrets = {{ token_id = "${{TEST_TOKEN_ID}}", token_hash = "${{TEST_TOKEN_HASH}}" }}

[sinks.store]
plugin = "qdrant-sink"
embedded = true

[pipelines.products]
source = "bluejet"
stream = "products"
sink = "store"
text = "{{name}} · {{category}} · {{brand}}"
"#
    );
    let path = dir.join("weir.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// `weir` in `dir` with its own HOME (so its compile cache is `<dir>/home/.cache/weir/wasm`).
fn weir(dir: &Path, args: &[&str]) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_weir"));
    c.current_dir(dir).args(args);
    c.env("HOME", dir.join("home")).env_remove("XDG_CACHE_HOME").env_remove("WEIR_PLUGIN_DIR");
    c.env_remove("WEIR_CONFIG").env("WEIR_LOG", "warn");
    c.env("TEST_TOKEN_ID", TOKEN_ID).env("TEST_TOKEN_HASH", TOKEN_HASH);
    c
}

async fn output(mut c: std::process::Command) -> std::process::Output {
    tokio::task::spawn_blocking(move || c.output().unwrap()).await.unwrap()
}

#[test]
fn list_and_inspect_show_the_embedded_plugins() {
    let dir = tempfile::tempdir().unwrap();
    let o = weir(dir.path(), &["plugin", "list", "--json"]).output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let rows: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    let names: Vec<&str> = rows.iter().filter_map(|r| r["name"].as_str()).collect();
    assert_eq!(names, BUNDLED);
    for (name, row) in BUNDLED.iter().zip(&rows) {
        assert_eq!(row["from"], "embedded", "{row}");
        let file = weir(dir.path(), &["plugin", "inspect", "--json", built(name).to_str().unwrap()]).output().unwrap();
        let file: Value = serde_json::from_slice(&file.stdout).unwrap();
        assert_eq!(row["sha256"], file["sha256"], "{name}: the embedded copy is not the built plugin");
        assert_eq!(row["version"], file["version"]);
    }

    // `inspect` by name reads the embedded copy: everything as from the file but where it came from.
    let o = weir(dir.path(), &["plugin", "inspect", "--json", "bluejet-source"]).output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let mut by_name: Value = serde_json::from_slice(&o.stdout).unwrap();
    let path = built("bluejet-source");
    let o = weir(dir.path(), &["plugin", "inspect", "--json", path.to_str().unwrap()]).output().unwrap();
    let mut by_file: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(by_name["from"], "embedded");
    assert_eq!(by_file["from"], path.display().to_string());
    by_name["from"] = Value::Null;
    by_file["from"] = Value::Null;
    assert_eq!(by_name, by_file);
    let o = weir(dir.path(), &["plugin", "inspect", "bluejet-source"]).output().unwrap();
    let shown = String::from_utf8_lossy(&o.stdout);
    for line in ["name         bluejet-source", "wit          weir:plugin@", "from         embedded"] {
        assert!(shown.contains(line), "missing {line:?} in\n{shown}");
    }

    // A name that is neither a file nor bundled.
    let o = weir(dir.path(), &["plugin", "inspect", "shop-source"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("shop-source") && text(&o).contains("bluejet-source"), "{}", text(&o));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sync_runs_on_the_embedded_plugins_and_caches_their_compilation() {
    let sim = bluejet_sim::BlueJetSim::builder().products(300).credentials(TOKEN_ID, TOKEN_HASH).start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let c = config(dir.path(), &sim.url(), "");
    let c = c.to_str().unwrap();
    let o = output(weir(dir.path(), &["run", "--mode", "full", "--json", "--config", c])).await;
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let reports: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(reports[0]["counts"]["new"], 300, "{}", text(&o));

    // Compiled once, keyed by the sha256 of the embedded bytes, under the user's cache directory.
    let cache = dir.path().join("home/.cache/weir/wasm");
    let cached: Vec<String> = std::fs::read_dir(&cache)
        .unwrap_or_else(|e| panic!("no compile cache in {}: {e}", cache.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    for name in ["bluejet-source", "qdrant-sink"] {
        let o = weir(dir.path(), &["plugin", "inspect", "--json", name]).output().unwrap();
        let sha = serde_json::from_slice::<Value>(&o.stdout).unwrap()["sha256"].as_str().unwrap().to_owned();
        assert!(cached.iter().any(|f| f.starts_with(&sha[..32]) && f.ends_with(".cwasm")), "{name}: {cached:?}");
    }
    let before: Vec<_> =
        std::fs::read_dir(&cache).unwrap().map(|e| e.unwrap().metadata().unwrap().modified().unwrap()).collect();

    // A second run compiles nothing: the cached files stay as they were, and it finds no change.
    let o = output(weir(dir.path(), &["run", "--mode", "full", "--json", "--config", c])).await;
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let reports: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(reports[0]["counts"]["unchanged"], 300, "{}", text(&o));
    let after: Vec<_> =
        std::fs::read_dir(&cache).unwrap().map(|e| e.unwrap().metadata().unwrap().modified().unwrap()).collect();
    assert_eq!(before, after);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_plugin_settings_are_named_with_their_fix() {
    let sim = bluejet_sim::BlueJetSim::builder().products(50).credentials(TOKEN_ID, TOKEN_HASH).start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let plugins = dir.path().join("plugins");
    std::fs::create_dir(&plugins).unwrap();
    let override_file = plugins.join("qdrant-sink.wasm");
    std::fs::write(&override_file, b"\0asm truncated").unwrap();
    let c = config(dir.path(), &sim.url(), "plugin_dir = \"plugins\"");
    let c = c.to_str().unwrap();

    // A corrupted override: the file and both ways out are named, by `config check` and `run`.
    let o = output(weir(dir.path(), &["config", "check", "--config", c])).await;
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let shown = override_file.display().to_string();
    for o in [&o, &output(weir(dir.path(), &["run", "--config", c])).await] {
        let t = text(o);
        assert!(t.contains(&shown) && t.contains("overrides the bundled plugin") && t.contains("remove it"), "{t}");
    }
    let o = weir(dir.path(), &["plugin", "list", "--json", "--config", c]).output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let rows: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    let sink = rows.iter().find(|r| r["name"] == "qdrant-sink").unwrap();
    assert!(sink["error"].as_str().unwrap().contains(&shown) && sink["overrides_bundled"] == true, "{sink}");
    assert_eq!(rows.iter().find(|r| r["name"] == "bluejet-source").unwrap()["from"], "embedded");

    // The daemon does not start on it, and says why.
    let o = output(weir(dir.path(), &["daemon", "--listen", "127.0.0.1:0", "--config", c])).await;
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains(&shown), "{}", text(&o));

    // A daemon that started on a good override keeps serving when the file goes bad later: it
    // runs the plugin it loaded.
    std::fs::copy(built("qdrant-sink"), &override_file).unwrap();
    let mut child = weir(dir.path(), &["daemon", "--listen", "127.0.0.1:0", "--config", c])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let base = daemon_address(&mut child);
    std::fs::write(&override_file, b"\0asm truncated").unwrap();
    let health = reqwest::get(format!("{base}/healthz")).await.unwrap();
    let served = health.status().is_success();
    let _ = child.kill();
    let _ = child.wait();
    assert!(served);

    // A name that is neither in the plugin directory nor bundled.
    let unknown = std::fs::read_to_string(c).unwrap().replace("\"bluejet-source\"", "\"shop-source\"");
    std::fs::write(c, unknown).unwrap();
    std::fs::remove_file(&override_file).unwrap();
    let o = output(weir(dir.path(), &["config", "check", "--config", c])).await;
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let t = text(&o);
    assert!(
        t.contains("shop-source.wasm") && t.contains(&plugins.display().to_string()) && t.contains("bluejet-source"),
        "{t}"
    );

    // A plugin directory that is missing, or that cannot be read.
    let text_of = |dir_line: &str| {
        let cfg = config(dir.path(), &sim.url(), dir_line);
        weir(dir.path(), &["config", "check", "--config", cfg.to_str().unwrap()]).output().unwrap()
    };
    let o = text_of("plugin_dir = \"gone\"");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let gone = dir.path().join("gone").display().to_string();
    assert!(text(&o).contains(&gone) && text(&o).contains("does not exist"), "{}", text(&o));
    std::fs::write(dir.path().join("not-a-dir"), b"").unwrap();
    let o = text_of("plugin_dir = \"not-a-dir\"");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let file = dir.path().join("not-a-dir").display().to_string();
    assert!(text(&o).contains(&format!("cannot read the plugin directory {file}")), "{}", text(&o));
    sim.shutdown().await;
}
