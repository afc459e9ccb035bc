//! `weir plugin …`: look into plugin files.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use weir_runtime::inspect_bytes;

use crate::bundled::{self, Origin};

/// The plugin templates of `sdk/template/`, compiled in: `(kind, relative path, text)`.
const TEMPLATES: &[(&str, &str, &str)] = &[
    ("source", ".gitignore", include_str!("../../../sdk/template/source/.gitignore")),
    ("source", "Cargo.toml.tmpl", include_str!("../../../sdk/template/source/Cargo.toml.tmpl")),
    ("source", "README.md.tmpl", include_str!("../../../sdk/template/source/README.md.tmpl")),
    ("source", "plugin.toml.tmpl", include_str!("../../../sdk/template/source/plugin.toml.tmpl")),
    ("source", "src/client.rs.tmpl", include_str!("../../../sdk/template/source/src/client.rs.tmpl")),
    ("source", "src/config.rs.tmpl", include_str!("../../../sdk/template/source/src/config.rs.tmpl")),
    ("source", "src/cursor.rs.tmpl", include_str!("../../../sdk/template/source/src/cursor.rs.tmpl")),
    ("source", "src/lib.rs.tmpl", include_str!("../../../sdk/template/source/src/lib.rs.tmpl")),
    ("source", "src/mapping.rs.tmpl", include_str!("../../../sdk/template/source/src/mapping.rs.tmpl")),
    ("validator", ".gitignore", include_str!("../../../sdk/template/validator/.gitignore")),
    ("validator", "Cargo.toml.tmpl", include_str!("../../../sdk/template/validator/Cargo.toml.tmpl")),
    ("validator", "README.md.tmpl", include_str!("../../../sdk/template/validator/README.md.tmpl")),
    ("validator", "plugin.toml.tmpl", include_str!("../../../sdk/template/validator/plugin.toml.tmpl")),
    ("validator", "src/lib.rs.tmpl", include_str!("../../../sdk/template/validator/src/lib.rs.tmpl")),
    ("sink", ".gitignore", include_str!("../../../sdk/template/sink/.gitignore")),
    ("sink", "Cargo.toml.tmpl", include_str!("../../../sdk/template/sink/Cargo.toml.tmpl")),
    ("sink", "README.md.tmpl", include_str!("../../../sdk/template/sink/README.md.tmpl")),
    ("sink", "plugin.toml.tmpl", include_str!("../../../sdk/template/sink/plugin.toml.tmpl")),
    ("sink", "src/body.rs.tmpl", include_str!("../../../sdk/template/sink/src/body.rs.tmpl")),
    ("sink", "src/lib.rs.tmpl", include_str!("../../../sdk/template/sink/src/lib.rs.tmpl")),
];

#[derive(Debug, Subcommand)]
pub(crate) enum PluginCommand {
    /// List the plugins weir can run: the bundled ones (embedded in weir, or overridden by a file
    /// in the plugin directory) and the other `.wasm` files of the plugin directory.
    List {
        /// The plugin directory (default: `sync.plugin_dir` of `--config`, else none).
        #[arg(long, env = "WEIR_PLUGIN_DIR")]
        dir: Option<PathBuf>,
        /// Take the plugin directory from this configuration's `sync.plugin_dir`.
        #[arg(short, long)]
        config: Option<PathBuf>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Run the conformance kit (tests/conformance/SPEC.md) against a plugin.
    Test(crate::conformance::TestArgs),
    /// Create a ready plugin crate from a template: `weir plugin new --kind source shop-source`.
    New {
        /// source, validator or sink.
        #[arg(long, default_value = "source")]
        kind: String,
        /// The plugin's name: lowercase letters, digits and dashes (`shop-source`).
        name: String,
        /// Where to create it (default: ./NAME).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Path to `sdk/weir-sdk` (default: the one this weir was built from).
        #[arg(long)]
        sdk: Option<PathBuf>,
    },
    /// Print a plugin's name, version, kind, WIT version, requested hosts, secrets and limits,
    /// and its sha256.
    Inspect {
        /// The plugin's `.wasm` file, or the name of a bundled plugin (`bluejet-source`).
        file: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

pub(crate) async fn run(command: PluginCommand) -> anyhow::Result<ExitCode> {
    match command {
        PluginCommand::Inspect { file, json } => inspect(file, json).await,
        PluginCommand::New { kind, name, dir, sdk } => new_plugin(&kind, &name, dir, sdk),
        PluginCommand::Test(args) => crate::conformance::run(args).await,
        PluginCommand::List { dir, config, json } => list(dir, config, json).await,
    }
}

async fn inspect(file: PathBuf, json: bool) -> anyhow::Result<ExitCode> {
    let shown = file.display().to_string();
    let (from, bytes) = match tokio::fs::read(&file).await {
        Ok(bytes) => (shown.clone(), bytes),
        Err(e) => match bundled::embedded(&shown).filter(|_| !bundled::is_path(&shown)) {
            Some(bytes) => ("embedded".to_owned(), bytes?.to_vec()),
            None => {
                let bundled = bundled::names().collect::<Vec<_>>().join(", ");
                anyhow::bail!("cannot read {shown}: {e} (nor is it a bundled plugin: {bundled})")
            }
        },
    };
    let info = inspect_bytes(&shown, &bytes)?;
    let m = &info.manifest;
    // What the plugin exports decides which bindings run it; the manifest must agree.
    let hosted = info.exported_wit.as_deref().is_some_and(|v| weir_core::SUPPORTED_WIT_VERSIONS.contains(&v));
    if json {
        let value = serde_json::json!({
            "name": m.name,
            "version": m.version.to_string(),
            "kind": m.kind,
            "wit": m.wit.to_string(),
            "exported_wit": info.exported_wit,
            "wit_hosted": hosted,
            "description": m.description,
            "hosts": m.permissions.hosts.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "secrets": m.permissions.secrets,
            "optional_secrets": m.permissions.optional_secrets,
            "dirs": m.permissions.dirs,
            "limits": m.limits,
            "exports": info.exports,
            "imports": info.imports,
            "sha256": info.sha256,
            "size": info.size,
            "from": from,
        });
        println!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(ExitCode::SUCCESS);
    }
    let list = |items: Vec<String>| if items.is_empty() { "(none)".to_owned() } else { items.join(", ") };
    println!("name         {}", m.name);
    println!("version      {}", m.version);
    println!("kind         {}", m.kind);
    if hosted {
        println!("wit          weir:plugin@{}", m.wit);
    } else {
        let hosts = weir_core::SUPPORTED_WIT_VERSIONS.join(", ");
        println!("wit          weir:plugin@{} (not hosted by this weir, which hosts {hosts})", m.wit);
    }
    if !m.description.is_empty() {
        println!("description  {}", m.description);
    }
    println!("hosts        {}", list(m.permissions.hosts.iter().map(ToString::to_string).collect()));
    println!("secrets      {}", list(m.permissions.secrets.clone()));
    if !m.permissions.dirs.is_empty() {
        println!("directories  {} (read-only, mounted at /<name>)", m.permissions.dirs.join(", "));
    }
    if !m.permissions.optional_secrets.is_empty() {
        println!("optional     {}", m.permissions.optional_secrets.join(", "));
    }
    println!(
        "limits       memory {} MiB, call timeout {} ms, response body {} bytes",
        m.limits.memory_mb, m.limits.call_timeout_ms, m.limits.max_response_bytes
    );
    println!("size         {} bytes", info.size);
    println!("sha256       {}", info.sha256);
    println!("from         {from}");
    Ok(ExitCode::SUCCESS)
}

fn new_plugin(kind: &str, name: &str, dir: Option<PathBuf>, sdk: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    if !["source", "validator", "sink"].contains(&kind) {
        anyhow::bail!("--kind `{kind}`: use source, validator or sink");
    }
    let name_ok = !name.is_empty()
        && name.len() <= 64
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if !name_ok {
        anyhow::bail!("plugin name `{name}`: use lowercase letters, digits and dashes, starting with a letter");
    }
    let dest = dir.unwrap_or_else(|| PathBuf::from(name));
    if dest.exists() && std::fs::read_dir(&dest).map(|mut d| d.next().is_some()).unwrap_or(true) {
        anyhow::bail!("{} exists and is not empty; nothing was written", dest.display());
    }
    let sdk = match sdk {
        Some(p) => p,
        None => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../sdk/weir-sdk")),
    };
    let sdk = std::fs::canonicalize(&sdk)
        .with_context(|| format!("weir-sdk not found at {}; pass --sdk PATH/TO/sdk/weir-sdk", sdk.display()))?;
    let crate_name = name.replace('-', "_");
    let type_name: String = name
        .split('-')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect();
    let wit = weir_core::SUPPORTED_WIT_VERSIONS.first().copied().unwrap_or("0.1.0");
    let mut written = Vec::new();
    for (k, rel, text) in TEMPLATES.iter().filter(|(k, ..)| *k == kind) {
        let _ = k;
        let (rel, text) = match rel.strip_suffix(".tmpl") {
            Some(r) => (
                r.to_owned(),
                text.replace("{{name}}", name)
                    .replace("{{crate_name}}", &crate_name)
                    .replace("{{type_name}}", &type_name)
                    .replace("{{sdk_path}}", &sdk.to_string_lossy())
                    .replace("{{wit}}", wit),
            ),
            None => ((*rel).to_owned(), (*text).to_owned()),
        };
        let path = dest.join(&rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        written.push(rel);
    }
    println!("created {kind} plugin `{name}` in {} ({} files)", dest.display(), written.len());
    println!("  cd {}", dest.display());
    println!("  cargo test                                        # its unit tests, natively");
    println!("  cargo build --release --target wasm32-wasip2      # target/wasm32-wasip2/release/{crate_name}.wasm");
    println!("  weir plugin test target/wasm32-wasip2/release/{crate_name}.wasm");
    Ok(ExitCode::SUCCESS)
}

/// One row of `weir plugin list`: plugin `name` (a bundled one) or a file of the plugin
/// directory, read and inspected; a row with `error` when it cannot be used.
async fn list_row(name: Option<&str>, origin: anyhow::Result<Origin>) -> serde_json::Value {
    let origin = match origin {
        Ok(o) => o,
        Err(e) => return serde_json::json!({ "name": name, "error": one_line(&e) }),
    };
    let overrides = matches!(origin, Origin::File(_)) && name.is_some_and(bundled::is_bundled);
    let file = match &origin {
        Origin::File(p) => Some(p.display().to_string()),
        Origin::Embedded => None,
    };
    let read = async {
        let (shown, bytes) = match &origin {
            Origin::File(path) => {
                let bytes = tokio::fs::read(path).await.with_context(|| format!("cannot read {}", path.display()))?;
                (path.display().to_string(), bytes)
            }
            Origin::Embedded => {
                let name = name.unwrap_or_default();
                let bytes = bundled::embedded(name).with_context(|| format!("no bundled plugin `{name}`"))??;
                (format!("bundled {name}"), bytes.to_vec())
            }
        };
        anyhow::Ok(inspect_bytes(&shown, &bytes)?)
    };
    match read.await {
        Ok(info) => serde_json::json!({
            "name": info.manifest.name,
            "version": info.manifest.version.to_string(),
            "kind": info.manifest.kind,
            "wit": info.manifest.wit.to_string(),
            "description": info.manifest.description,
            "sha256": info.sha256,
            "from": origin.shown(),
            "file": file,
            "overrides_bundled": overrides,
        }),
        Err(e) => {
            let fix = if overrides {
                "; it overrides the bundled plugin: replace it with a working build or remove it to use the bundled one"
            } else {
                ""
            };
            serde_json::json!({
                "name": name,
                "from": origin.shown(),
                "file": file,
                "overrides_bundled": overrides,
                "error": format!("{}{fix}", one_line(&e)),
            })
        }
    }
}

/// An error on one line (the WebAssembly parser's messages span several).
fn one_line(e: &anyhow::Error) -> String {
    format!("{e:#}").split_whitespace().collect::<Vec<_>>().join(" ")
}

async fn list(dir: Option<PathBuf>, config: Option<PathBuf>, json: bool) -> anyhow::Result<ExitCode> {
    let dir = match (dir, config) {
        (Some(d), _) => Some(d),
        (None, Some(c)) => {
            let loaded = crate::config::load(&c, &[]).map_err(|e| anyhow::anyhow!("{e}"))?;
            loaded.config.sync.plugin_dir.as_ref().map(|d| loaded.resolve(d))
        }
        (None, None) => None,
    };
    let files = match &dir {
        Some(d) => bundled::files_in(d)?,
        None => Vec::new(),
    };
    let mut rows = Vec::new();
    for name in bundled::names() {
        rows.push(list_row(Some(name), bundled::resolve(name, dir.as_deref())).await);
    }
    for path in files {
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        if bundled::is_bundled(stem) {
            continue;
        }
        rows.push(list_row(None, Ok(Origin::File(path.clone()))).await);
    }
    let text = |r: &serde_json::Value, k: &str| r[k].as_str().unwrap_or("").to_owned();
    if json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        println!("{:<20} {:<9} {:<10} {:<7} FROM", "NAME", "VERSION", "KIND", "WIT");
        for r in &rows {
            match r.get("error") {
                Some(e) => {
                    let what = if r["name"].is_string() { text(r, "name") } else { text(r, "from") };
                    println!("{what:<20} error: {}", e.as_str().unwrap_or(""));
                }
                None => println!(
                    "{:<20} {:<9} {:<10} {:<7} {}{}",
                    text(r, "name"),
                    text(r, "version"),
                    text(r, "kind"),
                    text(r, "wit"),
                    text(r, "from"),
                    if r["overrides_bundled"].as_bool() == Some(true) { " (overrides the bundled copy)" } else { "" }
                ),
            }
        }
        match &dir {
            Some(d) => println!("\n{} plugins: bundled in weir, and files in {}", rows.len(), d.display()),
            None => println!("\n{} plugins bundled in weir (no plugin directory)", rows.len()),
        }
    }
    Ok(ExitCode::SUCCESS)
}
