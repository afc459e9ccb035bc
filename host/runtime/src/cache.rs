//! The on-disk cache of compiled plugins, so that a second start does not recompile.
//!
//! Compiled artifacts are native code: they are loaded with wasmtime's `unsafe` deserialisation,
//! so only files this host wrote itself, under a name keyed by the plugin's sha256, the wasmtime
//! version and the engine's compatibility hash, are ever loaded.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

use wasmtime::Engine;
use wasmtime::component::Component;

#[derive(Debug, Clone)]
pub(crate) struct CompileCache {
    dir: PathBuf,
    engine_key: String,
}

impl CompileCache {
    pub(crate) fn new(dir: PathBuf, engine: &Engine) -> Self {
        let mut hasher = DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        let engine_key = format!("wasmtime{}-{:016x}", wasmtime_version(), hasher.finish());
        Self { dir, engine_key }
    }

    fn path_for(&self, sha256: &str) -> PathBuf {
        self.dir.join(format!("{}-{}.cwasm", &sha256[..sha256.len().min(32)], self.engine_key))
    }

    /// Loads the compiled component, if this host compiled it before.
    pub(crate) fn load(&self, engine: &Engine, sha256: &str) -> Option<Component> {
        let path = self.path_for(sha256);
        if !path.is_file() {
            return None;
        }
        // SAFETY: the file is in the host's own cache directory under a name that binds it to
        // this exact plugin (sha256), wasmtime version and engine configuration; it was written
        // by `store` below from `Engine::precompile_component`.
        #[allow(unsafe_code)]
        let loaded = unsafe { Component::deserialize_file(engine, &path) };
        match loaded {
            Ok(component) => Some(component),
            Err(error) => {
                tracing::warn!(path = %path.display(), %error, "discarding unusable compiled plugin");
                let _ = std::fs::remove_file(&path);
                None
            }
        }
    }

    /// Stores compiled bytes atomically (write to a temporary file, then rename).
    pub(crate) fn store(&self, sha256: &str, compiled: &[u8]) {
        if let Err(error) = write_atomically(&self.dir, &self.path_for(sha256), compiled) {
            tracing::warn!(dir = %self.dir.display(), %error, "cannot cache compiled plugin");
        }
    }
}

fn write_atomically(dir: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

fn wasmtime_version() -> &'static str {
    // Bumped with the dependency; a mismatch only costs a recompile.
    "48.0.8"
}
