//! The `weir` command. It alone chooses the log format and the exit codes.

mod app;
mod bundled;
mod config;
mod conformance;
mod daemon;
mod demo;
mod plugin_cmd;
mod run_cmd;
mod schedule;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc rather than the system allocator: a sync allocates and frees many short-lived
/// buffers (pages, records, request bodies) across threads, where glibc's malloc spent about a
/// tenth of the CPU of a hash-embedder full sync (see `docs/BENCHMARKS.md`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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

/// A failure the command already reported on stderr: `main` exits with its code and prints
/// nothing more.
#[derive(Debug)]
pub(crate) struct Reported(pub ExitCode);

impl std::fmt::Display for Reported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the error was reported above")
    }
}

impl std::error::Error for Reported {}

/// The log file of the state directory in use, once a command opened one.
static LOG_FILE: std::sync::OnceLock<std::sync::Mutex<std::fs::File>> = std::sync::OnceLock::new();

/// Appends this process's log (info and above, no colours) to `path` from now on.
pub(crate) fn log_to(path: &std::path::Path) -> std::io::Result<()> {
    let file = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    let _ = LOG_FILE.set(std::sync::Mutex::new(file));
    Ok(())
}

/// Writes to the log file when there is one, else nowhere.
struct LogFile;

impl std::io::Write for LogFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match LOG_FILE.get() {
            Some(f) => f.lock().map_or(Ok(buf.len()), |mut f| f.write(buf)),
            None => Ok(buf.len()),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match LOG_FILE.get() {
            Some(f) => f.lock().map_or(Ok(()), |mut f| f.flush()),
            None => Ok(()),
        }
    }
}

/// Logs to stderr (filter `WEIR_LOG`, default warnings) and, once a state directory is open,
/// to its `weir.log` (info and above).
fn init_logging() {
    use tracing_subscriber::Layer;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let stderr_filter =
        tracing_subscriber::EnvFilter::try_from_env("WEIR_LOG").unwrap_or_else(|_| "warn,qdrant_edge=error".into());
    let stderr = tracing_subscriber::fmt::layer().with_writer(std::io::stderr).with_filter(stderr_filter);
    let file = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_writer(|| LogFile)
        .with_filter(tracing_subscriber::EnvFilter::new("info,qdrant_edge=error,hyper=warn,reqwest=warn"));
    let _ = tracing_subscriber::registry().with(stderr).with(file).try_init();
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
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
        Err(error) => match error.downcast_ref::<Reported>() {
            Some(Reported(code)) => *code,
            None => {
                eprintln!("error: {error:#}");
                ExitCode::from(EXIT_FAILURE)
            }
        },
    }
}

#[allow(dead_code)]
fn usage_error(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(EXIT_USAGE)
}
