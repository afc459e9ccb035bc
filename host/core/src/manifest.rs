//! `plugin.toml`: what a plugin is and what it asks for. The SDK embeds it into the plugin's
//! `.wasm` file as the custom section [`crate::MANIFEST_SECTION`]; the host reads it from there.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::net::HostRule;

/// Memory a plugin instance may use when its manifest does not say.
pub const DEFAULT_MEMORY_MB: u32 = 256;
/// How long one call into a plugin may run when its manifest does not say.
pub const DEFAULT_CALL_TIMEOUT_MS: u64 = 60_000;
/// The largest HTTP response body a plugin may receive when its manifest does not say.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 32 * 1024 * 1024;

/// The kind of a plugin, which decides the WIT world it must export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PluginKind {
    Source,
    Validator,
    Sink,
}

impl PluginKind {
    /// The WIT interface the kind exports, without package or version.
    pub fn interface(self) -> &'static str {
        match self {
            Self::Source => "source",
            Self::Validator => "validator",
            Self::Sink => "sink",
        }
    }
}

impl fmt::Display for PluginKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.interface())
    }
}

/// A parsed, validated plugin manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Lowercase letters, digits and dashes.
    pub name: String,
    pub version: semver::Version,
    pub kind: PluginKind,
    /// The WIT contract version the plugin was built against.
    pub wit: semver::Version,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub permissions: Permissions,
    #[serde(default)]
    pub limits: Limits,
}

/// What a plugin asks to reach. The user's configuration narrows it further.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Permissions {
    /// Allow-list rules such as `https://*.bluejet.cz` or `http://127.0.0.1:*`.
    #[serde(default)]
    pub hosts: Vec<HostRule>,
    /// Names of the secrets the plugin needs; a configuration that does not grant each of them
    /// is refused before the plugin runs.
    #[serde(default)]
    pub secrets: Vec<String>,
    /// Names of secrets the plugin uses when granted (an API key some servers do not ask for).
    #[serde(default)]
    pub optional_secrets: Vec<String>,
    /// Names of directories the plugin reads (an export folder). The configuration grants each
    /// a host directory, mounted read-only at `/<name>` inside the plugin; a plugin is refused
    /// before it runs when one is not granted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dirs: Vec<String>,
}

/// Resource limits a plugin asks for. The host caps them with its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    #[serde(default = "default_memory_mb")]
    pub memory_mb: u32,
    #[serde(default = "default_call_timeout_ms")]
    pub call_timeout_ms: u64,
    #[serde(default = "default_max_response_bytes")]
    pub max_response_bytes: u64,
}

fn default_memory_mb() -> u32 {
    DEFAULT_MEMORY_MB
}
fn default_call_timeout_ms() -> u64 {
    DEFAULT_CALL_TIMEOUT_MS
}
fn default_max_response_bytes() -> u64 {
    DEFAULT_MAX_RESPONSE_BYTES
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            memory_mb: DEFAULT_MEMORY_MB,
            call_timeout_ms: DEFAULT_CALL_TIMEOUT_MS,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }
}

/// Why a manifest was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ManifestError {
    #[error("plugin.toml is not valid: {0}")]
    Syntax(String),
    #[error("plugin name `{0}` must be 1-64 lowercase letters, digits or dashes")]
    Name(String),
    #[error("secret name `{0}` must be 1-64 letters, digits or underscores")]
    Secret(String),
    #[error("limit `{0}` must be greater than zero")]
    Limit(&'static str),
    #[error("directory name `{0}` must be 1-64 lowercase letters, digits, dashes or underscores")]
    Dir(String),
}

impl Manifest {
    /// Parses and validates the text of a `plugin.toml`.
    pub fn parse(text: &str) -> Result<Self, ManifestError> {
        let manifest: Manifest = toml::from_str(text).map_err(|e| ManifestError::Syntax(e.to_string()))?;
        manifest.validate()?;
        Ok(manifest)
    }

    fn validate(&self) -> Result<(), ManifestError> {
        let name_ok = !self.name.is_empty()
            && self.name.len() <= 64
            && self.name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !name_ok {
            return Err(ManifestError::Name(self.name.clone()));
        }
        for secret in self.permissions.secrets.iter().chain(&self.permissions.optional_secrets) {
            if !is_secret_name(secret) {
                return Err(ManifestError::Secret(secret.clone()));
            }
        }
        for dir in &self.permissions.dirs {
            let ok = !dir.is_empty()
                && dir.len() <= 64
                && dir.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
            if !ok {
                return Err(ManifestError::Dir(dir.clone()));
            }
        }
        if self.limits.memory_mb == 0 {
            return Err(ManifestError::Limit("memory_mb"));
        }
        if self.limits.call_timeout_ms == 0 {
            return Err(ManifestError::Limit("call_timeout_ms"));
        }
        if self.limits.max_response_bytes == 0 {
            return Err(ManifestError::Limit("max_response_bytes"));
        }
        Ok(())
    }

    /// Serialises the manifest back to TOML.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }
}

/// Whether `name` is a valid secret name: 1-64 ASCII letters, digits or underscores.
pub fn is_secret_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= 64 && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    const FULL: &str = r#"
name = "bluejet-source"
version = "0.1.0"
kind = "source"
wit = "0.1.0"
description = "Reads BlueJet evidences"
[permissions]
hosts = ["https://*.bluejet.cz", "http://127.0.0.1:*"]
secrets = ["token_id", "token_hash"]
[limits]
memory_mb = 128
"#;

    #[test]
    fn parses_a_full_manifest_with_defaults_for_missing_limits() {
        let m = Manifest::parse(FULL).unwrap();
        assert_eq!(m.name, "bluejet-source");
        assert_eq!(m.kind, PluginKind::Source);
        assert_eq!(m.permissions.hosts.len(), 2);
        assert_eq!(m.limits.memory_mb, 128);
        assert_eq!(m.limits.call_timeout_ms, DEFAULT_CALL_TIMEOUT_MS);
        let again = Manifest::parse(&m.to_toml()).unwrap();
        assert_eq!(again, m);
    }

    #[test]
    fn refuses_unknown_keys_bad_names_and_zero_limits() {
        let unknown = FULL.replace("description", "descripton");
        assert!(matches!(Manifest::parse(&unknown), Err(ManifestError::Syntax(m)) if m.contains("descripton")));
        let bad_name = FULL.replace("bluejet-source", "BlueJet Source");
        assert!(matches!(Manifest::parse(&bad_name), Err(ManifestError::Name(_))));
        let bad_secret = FULL.replace("token_hash", "token-hash");
        assert!(matches!(Manifest::parse(&bad_secret), Err(ManifestError::Secret(_))));
        let zero = FULL.replace("memory_mb = 128", "memory_mb = 0");
        assert_eq!(Manifest::parse(&zero), Err(ManifestError::Limit("memory_mb")));
        let bad_kind = FULL.replace("kind = \"source\"", "kind = \"transformer\"");
        assert!(Manifest::parse(&bad_kind).is_err());
        let bad_host = FULL.replace("http://127.0.0.1:*", "ftp://127.0.0.1");
        assert!(Manifest::parse(&bad_host).is_err());
    }

    /// A directory's name becomes its mount point, `/<name>`: one that could climb, nest or
    /// name an absolute path is refused before any grant is looked at.
    #[test]
    fn directory_names_are_single_plain_segments() {
        let with = |dir: &str| FULL.replace("[limits]", &format!("dirs = [{dir:?}]\n[limits]"));
        let m = Manifest::parse(&with("erp_export-2")).unwrap();
        assert_eq!(m.permissions.dirs, ["erp_export-2"]);
        for dir in ["", "..", ".", "../etc", "a/b", "/etc", "C:\\", "a\\b", "Exports", "a b", "x".repeat(65).as_str()] {
            assert_eq!(Manifest::parse(&with(dir)), Err(ManifestError::Dir(dir.to_owned())), "{dir:?}");
        }
    }
}
