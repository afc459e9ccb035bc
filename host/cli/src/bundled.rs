//! The bundled plugins, compiled into `weir` (see `build.rs`), and how a plugin name in the
//! configuration resolves: a `.wasm` file of that name in `sync.plugin_dir` when there is one
//! (an operator's override or addition), else the embedded copy. A value with a `/` or ending
//! in `.wasm` is a path to a file and nothing else.

use std::path::{Path, PathBuf};

use anyhow::bail;

mod table {
    include!(concat!(env!("OUT_DIR"), "/embedded_plugins.rs"));
}

/// Names of the bundled plugins, in order.
pub(crate) fn names() -> impl Iterator<Item = &'static str> {
    table::EMBEDDED.iter().map(|(name, _)| *name)
}

/// Whether `name` is a bundled plugin (embedded or not).
pub(crate) fn is_bundled(name: &str) -> bool {
    names().any(|n| n == name)
}

/// The embedded component of bundled plugin `name`: `None` when no plugin of that name is
/// bundled, an error naming the command to run when this `weir` was built before the plugins.
pub(crate) fn embedded(name: &str) -> Option<anyhow::Result<&'static [u8]>> {
    let (_, bytes) = table::EMBEDDED.iter().find(|(n, _)| *n == name)?;
    Some(match bytes {
        Some(b) => Ok(*b),
        None => Err(anyhow::anyhow!(
            "the bundled plugin `{name}` is not in this weir: it was built before the plugins \
             (no {}/{name}.wasm at build time); run `cargo xtask build-plugins`, then build weir again, \
             or put {name}.wasm in sync.plugin_dir",
            if table::BUILT_FROM.is_empty() { "<target>/plugins" } else { table::BUILT_FROM }
        )),
    })
}

/// Where a plugin comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A `.wasm` file: a path in the configuration or a file in the plugin directory.
    File(PathBuf),
    /// The copy compiled into `weir`.
    Embedded,
}

impl Origin {
    /// `embedded` or the file's path, for listings.
    pub(crate) fn shown(&self) -> String {
        match self {
            Self::File(p) => p.display().to_string(),
            Self::Embedded => "embedded".to_owned(),
        }
    }
}

/// Whether `name` is a path to a plugin file rather than a plugin's name.
pub(crate) fn is_path(name: &str) -> bool {
    name.ends_with(".wasm") || name.contains('/') || name.contains(std::path::MAIN_SEPARATOR)
}

/// Checks that the plugin directory can be listed: a missing or unreadable `sync.plugin_dir`
/// is a mistake to report, not a reason to fall back silently to the embedded copies.
pub(crate) fn check_dir(dir: &Path) -> anyhow::Result<()> {
    match std::fs::read_dir(dir) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
            "plugin directory {} does not exist; create it, or remove sync.plugin_dir to use the plugins bundled in weir",
            dir.display()
        ),
        Err(e) => bail!(
            "cannot read the plugin directory {}: {e}; let the user that runs weir read it, or remove sync.plugin_dir \
             to use the plugins bundled in weir",
            dir.display()
        ),
    }
}

/// Resolves plugin `name` (a name, not a path) against the plugin directory `dir`, then the
/// embedded plugins.
pub(crate) fn resolve(name: &str, dir: Option<&Path>) -> anyhow::Result<Origin> {
    if let Some(dir) = dir {
        check_dir(dir)?;
        let file = dir.join(format!("{name}.wasm"));
        match std::fs::metadata(&file) {
            Ok(_) => return Ok(Origin::File(file)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => bail!(
                "cannot read {}: {e}; let the user that runs weir read it, or remove it to use the bundled plugin",
                file.display()
            ),
        }
    }
    match embedded(name) {
        Some(Ok(_)) => Ok(Origin::Embedded),
        Some(Err(e)) => Err(e),
        None => {
            let bundled = names().collect::<Vec<_>>().join(", ");
            match dir {
                Some(dir) => bail!(
                    "no plugin `{name}`: no {name}.wasm in the plugin directory {} and no bundled plugin of that name \
                     (bundled: {bundled}); put {name}.wasm there or give the path to its .wasm file",
                    dir.display()
                ),
                None => bail!(
                    "no plugin `{name}`: no bundled plugin of that name (bundled: {bundled}) and no sync.plugin_dir; \
                     set sync.plugin_dir to the directory holding {name}.wasm or give the path to its .wasm file"
                ),
            }
        }
    }
}

/// The `.wasm` files of `dir`, sorted.
pub(crate) fn files_in(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    check_dir(dir)?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| anyhow::anyhow!("cannot read the plugin directory {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "wasm"))
        .collect();
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn a_file_in_the_plugin_directory_overrides_the_bundled_copy() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("qdrant-sink.wasm"), b"not wasm").unwrap();
        assert_eq!(
            resolve("qdrant-sink", Some(dir.path())).unwrap(),
            Origin::File(dir.path().join("qdrant-sink.wasm"))
        );
        std::fs::write(dir.path().join("extra-source.wasm"), b"").unwrap();
        assert_eq!(
            resolve("extra-source", Some(dir.path())).unwrap(),
            Origin::File(dir.path().join("extra-source.wasm"))
        );
    }

    #[test]
    fn unknown_names_and_missing_directories_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let e = format!("{:#}", resolve("no-such-source", Some(dir.path())).unwrap_err());
        assert!(e.contains("no-such-source.wasm") && e.contains("bluejet-source"), "{e}");
        let e = format!("{:#}", resolve("no-such-source", None).unwrap_err());
        assert!(e.contains("sync.plugin_dir"), "{e}");
        let gone = dir.path().join("gone");
        let e = format!("{:#}", resolve("bluejet-source", Some(&gone)).unwrap_err());
        assert!(e.contains(&gone.display().to_string()) && e.contains("does not exist"), "{e}");
    }

    #[test]
    fn paths_are_not_names() {
        assert!(is_path("plugins/x.wasm") && is_path("x.wasm"));
        assert!(!is_path("bluejet-source"));
    }
}
