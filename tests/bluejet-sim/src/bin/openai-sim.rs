//! `openai-sim`: serves an OpenAI-compatible embeddings API on loopback. Prints its URL as the
//! first line on stdout, then serves until interrupted.

use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};

use anyhow::Context as _;
use bluejet_sim::OpenAiSim;
use bluejet_sim::cli::FaultArgs;
use clap::Parser;

/// Simulated OpenAI embeddings API (POST /v1/embeddings, GET /v1/models, admin under /admin).
#[derive(Debug, Parser)]
#[command(name = "openai-sim", version)]
struct Cli {
    /// Address to listen on (loopback by default).
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port to listen on (0: a free port; the URL printed first says which).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Accepted API key (Authorization: Bearer KEY), repeatable [default: sk-sim-key].
    #[arg(long)]
    api_key: Vec<String>,
    /// Accept any non-empty API key.
    #[arg(long)]
    allow_any_key: bool,
    /// Extra model NAME=DIMS (accepts `dimensions`), repeatable. Built in:
    /// text-embedding-3-small (1536), text-embedding-3-large (3072), text-embedding-ada-002 (1536).
    #[arg(long, value_name = "NAME=DIMS")]
    model: Vec<String>,
    /// Requests per minute before 429 (0: unlimited).
    #[arg(long, default_value_t = 0)]
    rpm: u64,
    /// Tokens per minute before 429 (0: unlimited).
    #[arg(long, default_value_t = 0)]
    tpm: u64,
    /// Seed of rate-based fault decisions.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    #[command(flatten)]
    faults: FaultArgs,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()))
        .init();
    let cli = Cli::parse();
    let mut builder = OpenAiSim::builder()
        .allow_any_key(cli.allow_any_key)
        .rpm(cli.rpm)
        .tpm(cli.tpm)
        .seed(cli.seed)
        .faults(cli.faults.spec())
        .bind(SocketAddr::new(cli.host, cli.port));
    if let Some(first) = cli.api_key.first() {
        builder = builder.api_key(first.clone());
        let mut cfg = builder.clone();
        for k in cli.api_key.iter().skip(1) {
            cfg = cfg.extra_api_key(k.clone());
        }
        builder = cfg;
    }
    for m in &cli.model {
        let (name, dims) = m.split_once('=').context("--model expects NAME=DIMS")?;
        builder = builder.model(name.trim(), dims.trim().parse().context("--model DIMS")?);
    }
    let sim = builder.start().await?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", sim.url())?;
        out.flush()?;
    }
    tokio::signal::ctrl_c().await?;
    sim.shutdown().await;
    Ok(())
}
