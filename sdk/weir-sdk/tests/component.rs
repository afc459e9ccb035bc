//! Builds the SDK-based fixture plugins for wasm32-wasip2 and checks what the host relies on:
//! the export macro's manifest section survives into the component (inside its core module)
//! exactly once, and the component exports the plugin's weir interface by its versioned name.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

use wasmparser::{Parser, Payload};

/// (crate, the interface its component must export)
const FIXTURES: &[(&str, &str)] = &[
    ("echo-source", "weir:plugin/source@0.1.0"),
    ("echo-validator", "weir:plugin/validator@0.1.0"),
    ("memory-sink", "weir:plugin/sink@0.1.0"),
];

/// Builds the fixtures and returns each crate's `.wasm` path, as cargo reports it.
fn build() -> Vec<(String, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(&root)
        .args(["build", "--release", "--target", "wasm32-wasip2", "--message-format=json-render-diagnostics"])
        .args(["--manifest-path", "tests/fixtures/Cargo.toml"]);
    for (name, _) in FIXTURES {
        cmd.args(["-p", name]);
    }
    let output = cmd.output().expect("run cargo");
    assert!(output.status.success(), "fixture build failed:\n{}", String::from_utf8_lossy(&output.stderr));
    let mut found = Vec::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else { continue };
        if msg["reason"] != "compiler-artifact" {
            continue;
        }
        let name = msg["target"]["name"].as_str().unwrap_or_default().replace('_', "-");
        for file in msg["filenames"].as_array().into_iter().flatten() {
            if let Some(file) = file.as_str().filter(|f| f.ends_with(".wasm")) {
                found.push((name.clone(), PathBuf::from(file)));
            }
        }
    }
    found
}

struct Shape {
    manifests: Vec<Vec<u8>>,
    manifest_depth: Vec<usize>,
    exports: Vec<String>,
}

fn shape(bytes: &[u8]) -> Shape {
    let mut shape = Shape { manifests: Vec::new(), manifest_depth: Vec::new(), exports: Vec::new() };
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.unwrap() {
            Payload::Version { .. } => depth += 1,
            Payload::End(_) => depth -= 1,
            Payload::CustomSection(s) if s.name() == "weir-manifest" => {
                shape.manifests.push(s.data().to_vec());
                shape.manifest_depth.push(depth);
            }
            Payload::ComponentExportSection(reader) if depth == 1 => {
                for export in reader {
                    shape.exports.push(export.unwrap().name.name.to_owned());
                }
            }
            _ => {}
        }
    }
    shape
}

#[test]
fn components_carry_their_manifest_once_and_export_their_versioned_interface() {
    let built = build();
    for (name, interface) in FIXTURES {
        let (_, path) = built.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no wasm for {name}"));
        let bytes = std::fs::read(path).unwrap();
        let shape = shape(&bytes);
        let manifest = std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures").join(name).join("plugin.toml"),
        )
        .unwrap();
        assert_eq!(shape.manifests, vec![manifest], "{name}: the manifest section must appear once, byte for byte");
        assert!(shape.manifest_depth[0] >= 2, "{name}: expected the section inside the component's core module");
        assert!(shape.exports.iter().any(|e| e == interface), "{name} exports {:?}", shape.exports);
    }
}
