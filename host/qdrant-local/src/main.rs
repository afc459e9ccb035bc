//! `qdrant-local --dir D [--port P] [--grpc-port G]`: serves a Qdrant-compatible API on loopback.
//! The first line on stdout is the REST URL, so scripts can start it on port 0 and read it.

use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use anyhow::Context as _;
use clap::Parser;
use qdrant_local::{Options, QdrantLocal};

/// A small Qdrant-compatible server (REST + gRPC) backed by the embedded Qdrant engine.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Storage directory (created if missing).
    #[arg(long, env = "QDRANT_LOCAL_DIR")]
    dir: PathBuf,
    /// REST port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 6333, env = "QDRANT_LOCAL_PORT")]
    port: u16,
    /// gRPC port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 6334, env = "QDRANT_LOCAL_GRPC_PORT")]
    grpc_port: u16,
    /// Serve REST only.
    #[arg(long)]
    no_grpc: bool,
    /// Answer writes without syncing their journal record to disk: they survive a crash of
    /// the process but not of the machine; a little faster.
    #[arg(long)]
    no_durable: bool,
    /// Require this key on every request (`api-key` header or `Authorization: Bearer`), as
    /// Qdrant's `service.api_key`.
    #[arg(long, env = "QDRANT__SERVICE__API_KEY", hide_env_values = true)]
    api_key: Option<String>,
    /// Seal a collection's appendable segment into an immutable one once this many points were
    /// written into it.
    #[arg(long, default_value_t = 10_000)]
    seal_points: usize,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // The engine warns on every segment it opens that two process-wide settings of a Qdrant
    // server's start-up were not made (it then uses their defaults, as intended here): noise
    // in an operator's log, so those two of its modules log errors only unless `RUST_LOG` says
    // otherwise.
    let default = "info,qdrant_edge::common::flags=error,qdrant_edge::common::mmap=error";
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| default.into()))
        .init();
    let args = Args::parse();
    let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let opts = Options {
        dir: args.dir.clone(),
        rest_addr: SocketAddr::new(ip, args.port),
        grpc_addr: (!args.no_grpc).then_some(SocketAddr::new(ip, args.grpc_port)),
        durable: !args.no_durable,
        api_key: args.api_key.clone().filter(|k| !k.is_empty()),
        seal_points: args.seal_points,
        seal_promptly: true,
    };
    let server = QdrantLocal::start_with(opts).await.with_context(|| format!("starting on {}", args.dir.display()))?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", server.rest_url())?;
        if server.grpc_addr().is_some() {
            writeln!(out, "grpc {}", server.grpc_url())?;
        }
        out.flush()?;
    }
    shutdown_signal().await;
    server.shutdown().await.context("shutting down")?;
    Ok(())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
