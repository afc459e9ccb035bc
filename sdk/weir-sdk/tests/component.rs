//! Builds the SDK-based fixture plugins for wasm32-wasip2 and checks what the host relies on:
//! the export macro's manifest section survives into the component (inside its core module)
//! exactly once, and the component exports the plugin's weir interface by its versioned name.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use wasmparser::{Parser, Payload};

/// (crate, the interface its component must export)
const FIXTURES: &[(&str, &str)] = &[
    ("echo-source", "weir:plugin/source@0.2.0"),
    ("echo-validator", "weir:plugin/validator@0.2.0"),
    ("memory-sink", "weir:plugin/sink@0.2.0"),
];

/// The fixtures' `.wasm` paths, built by the shared test harness.
fn build() -> Vec<(String, PathBuf)> {
    FIXTURES.iter().map(|(name, _)| ((*name).to_owned(), weir_harness::fixture(name))).collect()
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
