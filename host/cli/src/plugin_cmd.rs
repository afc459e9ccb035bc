//! `weir plugin …`: look into plugin files.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use weir_runtime::inspect_bytes;

#[derive(Debug, Subcommand)]
pub(crate) enum PluginCommand {
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
    }
}

async fn inspect(file: PathBuf, json: bool) -> anyhow::Result<ExitCode> {
    let shown = file.display().to_string();
    let bytes = tokio::fs::read(&file).await.with_context(|| format!("cannot read {shown}"))?;
    let info = inspect_bytes(&shown, &bytes)?;
    let m = &info.manifest;
    if json {
        let value = serde_json::json!({
            "name": m.name,
            "version": m.version.to_string(),
            "kind": m.kind,
            "wit": m.wit.to_string(),
            "exported_wit": info.exported_wit,
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
    println!("wit          weir:plugin@{}", m.wit);
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
