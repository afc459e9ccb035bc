//! `weir plugin …`: look into plugin files.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use weir_runtime::inspect_bytes;

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
    /// List the plugins of a directory (default: the bundled plugins).
    List {
        /// The directory (default: `sync.plugin_dir` of nothing, i.e. the bundled plugins).
        #[arg(long, env = "WEIR_PLUGIN_DIR")]
        dir: Option<PathBuf>,
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
        /// The plugin's `.wasm` file.
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
        PluginCommand::List { dir, json } => list(dir, json).await,
    }
}

async fn inspect(file: PathBuf, json: bool) -> anyhow::Result<ExitCode> {
    let shown = file.display().to_string();
    let bytes = tokio::fs::read(&file).await.with_context(|| format!("cannot read {shown}"))?;
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

async fn list(dir: Option<PathBuf>, json: bool) -> anyhow::Result<ExitCode> {
    let dir = crate::demo::plugin_dir(dir)?;
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "wasm"))
        .collect();
    entries.sort();
    let mut rows = Vec::new();
    for path in entries {
        let shown = path.display().to_string();
        let row = match tokio::fs::read(&path)
            .await
            .map_err(anyhow::Error::from)
            .and_then(|b| Ok(inspect_bytes(&shown, &b)?))
        {
            Ok(info) => serde_json::json!({
                "file": shown,
                "name": info.manifest.name,
                "version": info.manifest.version.to_string(),
                "kind": info.manifest.kind,
                "wit": info.manifest.wit.to_string(),
                "description": info.manifest.description,
            }),
            Err(e) => serde_json::json!({ "file": shown, "error": format!("{e:#}") }),
        };
        rows.push(row);
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        println!("{:<20} {:<9} {:<10} {:<7} DESCRIPTION", "NAME", "VERSION", "KIND", "WIT");
        for r in &rows {
            match r.get("error") {
                Some(e) => println!("{:<48} {}", r["file"].as_str().unwrap_or("?"), e.as_str().unwrap_or("")),
                None => println!(
                    "{:<20} {:<9} {:<10} {:<7} {}",
                    r["name"].as_str().unwrap_or(""),
                    r["version"].as_str().unwrap_or(""),
                    r["kind"].as_str().unwrap_or(""),
                    r["wit"].as_str().unwrap_or(""),
                    r["description"].as_str().unwrap_or("")
                ),
            }
        }
        println!("\n{} plugins in {}", rows.len(), dir.display());
    }
    Ok(ExitCode::SUCCESS)
}
