//! The operator's path: the release archive, packed from this build's binaries by the same code
//! as `cargo xtask dist`, unpacked into an empty directory and run there with a clean HOME and no
//! environment but its own: checksums, `weir config check`, a full sync of the configuration
//! template from a BlueJet simulator into the embedded store, `weir search`, `weir status`,
//! `weir daemon` answering `/healthz`, and the local model's absence named with its fix.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
#[allow(dead_code)]
#[path = "../../../xtask/src/dist.rs"]
mod dist;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const TOKEN_ID: &str = "operator-token";
const TOKEN_HASH: &str = "operator-hash-5e1f";
const PRODUCTS: usize = 400;
/// BlueJet's evidence number of products.
const PRODUCTS_EVIDENCE: u32 = 217;

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// This build's `weir` and `qdrant-local` (built by the same `cargo test`, or built here).
fn bin_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_BIN_EXE_weir")).parent().unwrap().to_path_buf();
    if !dir.join("qdrant-local").is_file() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let status = Command::new(cargo)
            .current_dir(weir_harness::root())
            .args(["build", "--package", "qdrant-local", "--bin", "qdrant-local"])
            .status()
            .unwrap();
        assert!(status.success(), "cannot build qdrant-local");
    }
    dir
}

/// A command of the unpacked archive, run in `work` with nothing of the developer's
/// environment: an empty HOME, a plain PATH, the BlueJet credentials.
fn command(server: &Path, work: &Path, program: &str) -> Command {
    let mut c = Command::new(server.join(program));
    c.current_dir(work).env_clear();
    c.env("PATH", "/usr/local/bin:/usr/bin:/bin").env("HOME", work.join("home")).env("WEIR_LOG", "warn");
    c.env("BLUEJET_TOKEN_ID", TOKEN_ID).env("BLUEJET_TOKEN_HASH", TOKEN_HASH);
    c
}

async fn output(mut c: Command) -> Output {
    tokio::task::spawn_blocking(move || c.output().unwrap()).await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_release_archive_runs_a_sync_with_nothing_from_the_source_tree() {
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().join("dist");
    let cargo = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    let root = weir_harness::root();
    let package = dist::Package {
        root: &root,
        bin_dir: &bin_dir(),
        version: env!("CARGO_PKG_VERSION"),
        target: &dist::host_target().unwrap(),
        out_dir: &out_dir,
        build_info: vec!["profile dev".to_owned()],
        third_party: dist::third_party(cargo, &root).unwrap(),
    };
    let archive = package.build().unwrap();
    assert_eq!(archive.file_name().unwrap().to_string_lossy(), format!("{}.tar.gz", package.name()));

    // Downloaded: the archive's checksum; unpacked into an empty directory: every file's.
    let sums = Command::new("sha256sum").current_dir(&out_dir).args(["-c", "SHA256SUMS"]).output().unwrap();
    assert!(sums.status.success(), "{}", text(&sums));
    let unpacked = tmp.path().join("opt");
    std::fs::create_dir(&unpacked).unwrap();
    let tar = Command::new("tar").arg("xzf").arg(&archive).arg("-C").arg(&unpacked).output().unwrap();
    assert!(tar.status.success(), "{}", text(&tar));
    std::fs::remove_dir_all(out_dir.join(package.name())).unwrap();
    let server = unpacked.join(package.name());
    let sums = Command::new("sha256sum").current_dir(&server).args(["-c", "--strict", "SHA256SUMS"]).output().unwrap();
    assert!(sums.status.success(), "{}", text(&sums));
    for file in [
        "weir",
        "qdrant-local",
        "config/weir.toml",
        "config/weir.service",
        "config/weir.cron",
        "config/examples/demo.toml",
        "tools/setup-models.py",
        "README.md",
        "LICENSE",
    ] {
        assert!(server.join(file).is_file(), "{file} is not in the archive");
    }
    let third_party = std::fs::read_to_string(server.join("THIRD-PARTY.md")).unwrap();
    assert!(third_party.contains("| wasmtime v") && third_party.contains("Apache-2.0"), "{third_party}");
    assert!(!third_party.contains("weir-cli"), "weir's own crates are not third-party");

    // The operator's configuration: the archive's template with the simulator's URL.
    let sim =
        bluejet_sim::BlueJetSim::builder().products(PRODUCTS).credentials(TOKEN_ID, TOKEN_HASH).start().await.unwrap();
    let work = tmp.path().join("var");
    std::fs::create_dir_all(work.join("home")).unwrap();
    let template = std::fs::read_to_string(server.join("config/weir.toml")).unwrap();
    assert!(template.contains("https://YOUR-TENANT.bluejet.cz") && template.contains("provider = \"local\""));
    let local = template.replace("https://YOUR-TENANT.bluejet.cz", &sim.url());
    let hash = local.replace("provider = \"local\"\nmodel = \"multilingual-e5-small\"", "provider = \"hash\"");
    assert_ne!(local, hash, "the template's [embedding] changed; update this test");
    std::fs::write(work.join("weir.toml"), &hash).unwrap();
    std::fs::write(work.join("local.toml"), &local).unwrap();
    let weir = |args: &[&str]| {
        let mut c = command(&server, &work, "weir");
        c.args(args);
        c
    };

    // Every plugin is the copy inside the binary.
    let o = output(weir(&["plugin", "list", "--json", "--config", "weir.toml"])).await;
    assert!(o.status.success(), "{}", text(&o));
    let rows: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert!(rows.iter().all(|r| r["from"] == "embedded"), "{rows:?}");

    let o = output(weir(&["config", "check"])).await;
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("pipeline `products`: ok"), "{}", text(&o));

    // A full sync of every pipeline of the template into the embedded store.
    let o = output(weir(&["run", "--mode", "full", "--json"])).await;
    assert!(matches!(o.status.code(), Some(0 | 3)), "{}", text(&o));
    let reports: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&o)));
    let products = reports.iter().find(|r| r["pipeline"] == "products").unwrap_or_else(|| panic!("{reports:?}"));
    assert_eq!(products["counts"]["fetched"], PRODUCTS as u64, "{products}");
    let valid = PRODUCTS as u64 - products["counts"]["invalid"].as_u64().unwrap();
    assert_eq!(products["counts"]["new"], valid, "{products}");

    let o = output(weir(&["status", "--json"])).await;
    assert!(o.status.success(), "{}", text(&o));
    let status: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&o)));
    assert!(status.to_string().contains("products"), "{status}");

    let key = sim.keys(PRODUCTS_EVIDENCE).into_iter().next().unwrap();
    let record = sim.record(PRODUCTS_EVIDENCE, &key).unwrap();
    let code = record["code"].as_str().unwrap().to_owned();
    let o = output(weir(&["search", "--json", "--pipeline", "products", &code])).await;
    assert!(o.status.success(), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains(&key), "`{code}` did not find product {key}: {}", text(&o));

    // The daemon answers /healthz.
    let mut child =
        weir(&["daemon", "--listen", "127.0.0.1:0"]).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let base = common::daemon_address(&mut child);
    let health = reqwest::get(format!("{base}/healthz")).await.unwrap();
    let ok = (health.status().as_u16(), health.text().await.unwrap());
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(ok, (200, "ok\n".to_owned()));

    let mut qdrant = command(&server, &work, "qdrant-local");
    qdrant.arg("--version");
    let o = output(qdrant).await;
    assert!(o.status.success(), "{}", text(&o));

    // The template's local model, not set up in this HOME: the error names what to run.
    let o = output(weir(&["config", "check", "--config", "local.toml"])).await;
    assert_ne!(o.status.code(), Some(0), "{}", text(&o));
    let t = text(&o);
    assert!(t.contains("tools/setup-models.py") && t.contains("WEIR_MODEL_DIR"), "{t}");
    sim.shutdown().await;
}
