//! Embeds the bundled plugins (`<target>/plugins/<name>.wasm`, where `cargo xtask
//! build-plugins` puts them) into `weir`, so that the binary alone runs a sync.
//!
//! A plugin file that is missing at build time (the plugins were not built yet, or a build with
//! `WEIR_SKIP_WASM_BUILD` before any plugin build) is embedded as absent: `weir` still builds and
//! names the command to run when that plugin is asked for.
//!
//! The script watches the plugin directory only (never an environment variable), so a plain
//! `cargo build` after `cargo xtask test` sees the same inputs and compiles nothing. It creates
//! the directory when missing: cargo reruns a build script whose watched path does not exist on
//! every build, and that would rebuild `weir` each time.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The plugins of `plugins/` that ship inside `weir`.
const BUNDLED: &[&str] = &["bluejet-source", "csv-source", "qdrant-sink", "rules-validator"];

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let Some(out_dir) = std::env::var_os("OUT_DIR").map(PathBuf::from) else {
        println!("cargo:warning=OUT_DIR is not set; no plugin is embedded");
        return;
    };
    let dir = plugin_dir(&out_dir);
    let mut code = String::from("/// The bundled plugins: name and, when it was built, the component.\n");
    code.push_str("pub(crate) const EMBEDDED: &[(&str, Option<&[u8]>)] = &[\n");
    if let Some(dir) = &dir {
        if let Err(e) = std::fs::create_dir_all(dir) {
            println!("cargo:warning=cannot create {}: {e}", dir.display());
        }
        println!("cargo:rerun-if-changed={}", dir.display());
    }
    for name in BUNDLED {
        let file = dir.as_ref().map(|d| d.join(format!("{name}.wasm"))).filter(|f| f.is_file());
        match file {
            Some(f) => {
                let _ = writeln!(code, "    ({name:?}, Some(include_bytes!({:?}))),", f.display().to_string());
            }
            None => {
                let _ = writeln!(code, "    ({name:?}, None),");
            }
        }
    }
    code.push_str("];\n");
    let _ = writeln!(
        code,
        "/// Where the plugins were taken from at build time.\npub(crate) const BUILT_FROM: &str = {:?};",
        dir.as_ref().map(|d| d.display().to_string()).unwrap_or_default()
    );
    if let Err(e) = std::fs::write(out_dir.join("embedded_plugins.rs"), code) {
        println!("cargo:warning=cannot write the embedded plugin table: {e}");
    }
}

/// `<target>/plugins` from `OUT_DIR` = `<target>[/<triple>]/<profile>/build/weir-cli-<hash>/out`.
/// Derived from the build's own layout rather than from `CARGO_TARGET_DIR`, which `cargo xtask`
/// sets and a plain `cargo build` may not.
fn plugin_dir(out_dir: &Path) -> Option<PathBuf> {
    let mut target = out_dir.ancestors().nth(4)?;
    let triple = std::env::var("TARGET").unwrap_or_default();
    if !triple.is_empty() && target.file_name().is_some_and(|n| n == triple.as_str()) {
        target = target.parent()?;
    }
    Some(target.join("plugins"))
}
