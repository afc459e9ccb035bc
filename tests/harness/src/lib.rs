//! Test harness for weir: builds the WebAssembly plugins (`plugins/`) and the test fixtures
//! (`tests/fixtures/`, including deliberately misbehaving ones) and hands tests their paths.
//!
//! The first call in a test process runs `cargo build --release --target wasm32-wasip2` for the
//! workspace in question (a no-op when nothing changed); `cargo xtask test` builds them before
//! the test run and sets `WEIR_SKIP_WASM_BUILD=1`.
//!
//! [`store`] reads back what a sync left in a store, for tests to compare with the source.
#![allow(clippy::panic, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

pub mod store;

/// The WebAssembly target plugins are built for.
pub const WASM_TARGET: &str = "wasm32-wasip2";

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repository root")
}

/// The shared target directory.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"))
}

fn wasm_dir() -> PathBuf {
    target_dir().join(WASM_TARGET).join("release")
}

fn build(manifest: &str) {
    if std::env::var_os("WEIR_SKIP_WASM_BUILD").is_some() {
        return;
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .current_dir(root())
        .args(["build", "--release", "--target", WASM_TARGET, "--manifest-path", manifest])
        .env("CARGO_TARGET_DIR", target_dir())
        .status()
        .expect("run cargo to build WebAssembly plugins");
    assert!(
        status.success(),
        "building {manifest} for {WASM_TARGET} failed (is the target installed? `rustup target add {WASM_TARGET}`)"
    );
}

fn wasm(name: &str, built: &OnceLock<()>, manifest: &str) -> PathBuf {
    built.get_or_init(|| build(manifest));
    let path = wasm_dir().join(format!("{}.wasm", name.replace('-', "_")));
    assert!(path.is_file(), "{} is missing; run `cargo xtask build-plugins`", path.display());
    path
}

/// The path of a fixture plugin from `tests/fixtures/`, e.g. `fixture("misbehave-source")`.
pub fn fixture(name: &str) -> PathBuf {
    static BUILT: OnceLock<()> = OnceLock::new();
    wasm(name, &BUILT, "tests/fixtures/Cargo.toml")
}

/// The path of a bundled plugin from `plugins/`, e.g. `plugin("bluejet-source")`.
pub fn plugin(name: &str) -> PathBuf {
    static BUILT: OnceLock<()> = OnceLock::new();
    wasm(name, &BUILT, "plugins/Cargo.toml")
}
