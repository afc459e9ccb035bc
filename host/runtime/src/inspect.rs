//! Reading what a plugin file is without running it: its manifest and the WIT it exports.

use sha2::{Digest, Sha256};
use wasmparser::{Encoding, Parser, Payload};
use weir_core::{MANIFEST_SECTION, Manifest, PluginKind};

use crate::error::LoadError;

/// What a plugin file says about itself.
#[derive(Debug, Clone)]
pub struct PluginInfo {
    pub manifest: Manifest,
    /// The kind its exports show, when they name a weir interface.
    pub exported_kind: Option<PluginKind>,
    /// The weir WIT version its exports name, e.g. `0.1.0`.
    pub exported_wit: Option<String>,
    /// Every export name of the component.
    pub exports: Vec<String>,
    /// Every import name of the component.
    pub imports: Vec<String>,
    /// The sha256 of the file, hex.
    pub sha256: String,
    pub size: usize,
}

/// Reads a plugin's manifest and exports from its bytes. `path` only names it in errors.
pub fn inspect_bytes(path: &str, bytes: &[u8]) -> Result<PluginInfo, LoadError> {
    let not_component = |reason: String| LoadError::NotAComponent { path: path.to_owned(), reason };
    let mut manifest_text: Option<Vec<u8>> = None;
    let mut exports = Vec::new();
    let mut imports = Vec::new();
    let mut depth = 0usize;
    let mut saw_component = false;
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload.map_err(|e| not_component(e.to_string()))?;
        match payload {
            Payload::Version { encoding, .. } => {
                if depth == 0 && encoding != Encoding::Component {
                    return Err(not_component("it is a core module; build it for wasm32-wasip2".to_owned()));
                }
                saw_component = true;
                depth += 1;
            }
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::CustomSection(section) if section.name() == MANIFEST_SECTION => {
                if manifest_text.is_some() {
                    return Err(LoadError::BadManifest {
                        path: path.to_owned(),
                        reason: "more than one weir manifest section".to_owned(),
                    });
                }
                manifest_text = Some(section.data().to_vec());
            }
            // Only the outermost component's imports and exports describe the plugin.
            Payload::ComponentExportSection(reader) if depth == 1 => {
                for export in reader {
                    let export = export.map_err(|e| not_component(e.to_string()))?;
                    exports.push(export.name.name.to_owned());
                }
            }
            Payload::ComponentImportSection(reader) if depth == 1 => {
                for import in reader {
                    let import = import.map_err(|e| not_component(e.to_string()))?;
                    imports.push(import.name.name.to_owned());
                }
            }
            _ => {}
        }
    }
    if !saw_component {
        return Err(not_component("empty file".to_owned()));
    }
    let text = manifest_text.ok_or_else(|| LoadError::NoManifest { path: path.to_owned() })?;
    let text = String::from_utf8(text)
        .map_err(|_| LoadError::BadManifest { path: path.to_owned(), reason: "manifest is not UTF-8".to_owned() })?;
    let manifest =
        Manifest::parse(&text).map_err(|e| LoadError::BadManifest { path: path.to_owned(), reason: e.to_string() })?;

    let mut exported_kind = None;
    let mut exported_wit = None;
    for name in &exports {
        if let Some((kind, version)) = weir_export(name) {
            exported_kind = Some(kind);
            exported_wit = Some(version.to_owned());
        }
    }
    Ok(PluginInfo {
        manifest,
        exported_kind,
        exported_wit,
        exports,
        imports,
        sha256: hex::encode(Sha256::digest(bytes)),
        size: bytes.len(),
    })
}

/// `weir:plugin/source@0.1.0` → (Source, "0.1.0").
fn weir_export(name: &str) -> Option<(PluginKind, &str)> {
    let rest = name.strip_prefix("weir:plugin/")?;
    let (interface, version) = rest.split_once('@')?;
    let kind = match interface {
        "source" => PluginKind::Source,
        "validator" => PluginKind::Validator,
        "sink" => PluginKind::Sink,
        _ => return None,
    };
    Some((kind, version))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn refuses_garbage_and_core_modules_with_a_reason() {
        let err = inspect_bytes("x.wasm", b"not wasm at all").unwrap_err();
        assert!(matches!(err, LoadError::NotAComponent { .. }), "{err}");
        // The smallest valid core module: magic + version 1.
        let err = inspect_bytes("m.wasm", b"\0asm\x01\0\0\0").unwrap_err();
        assert!(err.to_string().contains("core module"), "{err}");
    }

    #[test]
    fn reads_kind_and_version_from_export_names() {
        assert_eq!(weir_export("weir:plugin/source@0.1.0"), Some((PluginKind::Source, "0.1.0")));
        assert_eq!(weir_export("weir:plugin/sink@0.2.0"), Some((PluginKind::Sink, "0.2.0")));
        assert_eq!(weir_export("weir:plugin/types@0.1.0"), None);
        assert_eq!(weir_export("wasi:cli/run@0.2.0"), None);
    }
}
