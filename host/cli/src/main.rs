//! The `weir` command. It alone chooses the log format and the exit codes.

mod app;
mod config;
mod conformance;
mod daemon;
mod demo;
mod plugin_cmd;
mod run_cmd;
mod schedule;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit code of a command that failed.
const EXIT_FAILURE: u8 = 1;
/// Exit code of a command line or configuration error.
const EXIT_USAGE: u8 = 2;

#[derive(Debug, Parser)]
#[command(name = "weir", version, about = "Keeps a vector database in step with business systems.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run pipelines once: full, incremental, reconcile or rebuild, optionally dry.
    Run(run_cmd::RunArgs),
    /// Show each pipeline's state: last runs, watermark, points, model, lag.
    Status(run_cmd::StatusArgs),
    /// Run pipelines on their schedules; serve /healthz, /readyz, /metrics and a status page.
    Daemon(daemon::DaemonArgs),
    /// Search a pipeline's collection by meaning.
    Search(run_cmd::SearchArgs),
    /// Check configuration files.
    #[command(subcommand)]
    Config(run_cmd::ConfigCommand),
    /// Inspect and manage plugins.
    #[command(subcommand)]
    Plugin(plugin_cmd::PluginCommand),
    /// Sync a simulated 109,253-product BlueJet catalogue into the embedded store with the
    /// local multilingual model, change 1% and sync again, then search in Czech and English.
    Demo(demo::DemoArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("WEIR_LOG").unwrap_or_else(|_| "warn,qdrant_edge=error".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Run(args) => run_cmd::run(args).await,
            Command::Status(args) => run_cmd::status(args).await,
            Command::Search(args) => run_cmd::search(args).await,
            Command::Daemon(args) => daemon::run(args).await,
            Command::Config(cmd) => run_cmd::config_cmd(cmd).await,
            Command::Plugin(cmd) => plugin_cmd::run(cmd).await,
            Command::Demo(args) => demo::run(args).await,
        }
    });
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

#[allow(dead_code)]
fn usage_error(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(EXIT_USAGE)
}
