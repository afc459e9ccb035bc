//! `bluejet-sim`: serves a simulated BlueJet REST API on loopback. Prints its URL as the first
//! line on stdout, then serves until interrupted.

use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use anyhow::{Context as _, bail};
use bluejet_sim::cli::FaultArgs;
use bluejet_sim::{BlueJetSim, ChangeRequest, ChangeSchedule, DateFormat, MalformedKind, MalformedSpec, Sizes};
use clap::{Parser, ValueEnum};

#[derive(Debug, Clone, Copy, ValueEnum)]
enum DateArg {
    /// 2026-01-08T10:30:00
    Iso,
    /// 8.1.2026 10:30
    Czech,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum RecordsCountArg {
    /// recordsCount is the number of matching records
    Total,
    /// recordsCount is the number of rows in the page
    Page,
}

/// Simulated BlueJet CRM/ERP REST API (auth, /api/v1/data, admin endpoints under /admin).
#[derive(Debug, Parser)]
#[command(name = "bluejet-sim", version)]
struct Cli {
    /// Address to listen on (loopback by default).
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port to listen on (0: a free port; the URL printed first says which).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Seed of the generated data (same seed and sizes, same records).
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Use small sizes (2,000 products, 300 contacts, 200 companies, 400 offers, 300 invoices,
    /// 250 orders)
    /// instead of the live ones; the per-evidence flags still override.
    #[arg(long)]
    small: bool,
    /// Products (evidence 217) [default: 109253].
    #[arg(long)]
    products: Option<usize>,
    /// Contacts (evidence 222) [default: 4751].
    #[arg(long)]
    contacts: Option<usize>,
    /// Companies (evidence 225) [default: 3770].
    #[arg(long)]
    companies: Option<usize>,
    /// Issued offers (evidence 293) [default: 11481].
    #[arg(long)]
    offers: Option<usize>,
    /// Issued invoices (evidence 323) [default: 9111].
    #[arg(long)]
    invoices: Option<usize>,
    /// Issued orders (evidence 356) [default: 7500].
    #[arg(long)]
    orders: Option<usize>,
    /// tokenID accepted by /api/v1/users/authenticate.
    #[arg(long, default_value = bluejet_sim::bluejet::DEFAULT_TOKEN_ID)]
    token_id: String,
    /// tokenHash accepted by /api/v1/users/authenticate.
    #[arg(long, default_value = bluejet_sim::bluejet::DEFAULT_TOKEN_HASH)]
    token_hash: String,
    /// Token lifetime in seconds (then 401).
    #[arg(long, default_value_t = 86_400.0)]
    token_lifetime_secs: f64,
    /// Maximum page size.
    #[arg(long, default_value_t = 200)]
    max_limit: usize,
    /// Answer 400 to a limit over the maximum (default: serve the maximum).
    #[arg(long)]
    reject_over_limit: bool,
    /// Evidences on which the `fields` parameter answers 400 (comma-separated; empty for none).
    #[arg(long, value_delimiter = ',', default_value = "293")]
    fields_rejected: Vec<String>,
    /// Date format of modifiedon/createdon and other date columns.
    #[arg(long, value_enum, default_value = "iso")]
    date_format: DateArg,
    /// What recordsCount in the body means.
    #[arg(long, value_enum, default_value = "total")]
    records_count: RecordsCountArg,
    /// HTTP status of the wrong-credentials answer (its body says succeeded=false).
    #[arg(long, default_value_t = 200)]
    bad_credentials_status: u16,
    /// Malformed rows: KIND=COUNT[@EVIDENCE] (evidence 217 by default), repeatable. Kinds:
    /// missing-key, null-key, duplicate-key, wrong-type, empty-text, overlong-text,
    /// control-chars, invalid-date, non-guid-key, or `all` for each kind.
    #[arg(long, value_name = "KIND=COUNT[@NO]")]
    malformed: Vec<String>,
    #[command(flatten)]
    faults: FaultArgs,
    /// Fail every data request at or past this offset (hard failure).
    #[arg(long)]
    fail_from_offset: Option<usize>,
    /// Status of the offset failure.
    #[arg(long, default_value_t = 500)]
    fail_status: u16,
    /// Only fail this evidence from the offset on.
    #[arg(long)]
    fail_no: Option<u32>,
    /// Tokens expire at every multiple of this many seconds since start.
    #[arg(long)]
    expire_tokens_every_secs: Option<u64>,
    /// Evidence the startup change and the change schedule apply to.
    #[arg(long, default_value_t = 217)]
    change_no: u32,
    /// At startup, modify this many records (modifiedon advances).
    #[arg(long)]
    modify: Option<usize>,
    /// At startup, modify this share (0..1) of the records.
    #[arg(long)]
    modify_share: Option<f64>,
    /// Share of modifications that only change price/stock (or status/phone); the rest change
    /// name or description.
    #[arg(long, default_value_t = 0.5)]
    price_only_share: f64,
    /// At startup, insert this many records.
    #[arg(long)]
    insert: Option<usize>,
    /// At startup, delete this many records.
    #[arg(long)]
    delete: Option<usize>,
    /// At startup, delete this share (0..1) of the records.
    #[arg(long)]
    delete_share: Option<f64>,
    /// During reads: after every K successful data requests apply a change (the
    /// --every-* flags) to --change-no.
    #[arg(long, value_name = "K")]
    change_every: Option<u64>,
    /// Records modified by each scheduled change.
    #[arg(long, default_value_t = 0)]
    every_modify: usize,
    /// Records inserted by each scheduled change.
    #[arg(long, default_value_t = 0)]
    every_insert: usize,
    /// Records deleted by each scheduled change.
    #[arg(long, default_value_t = 0)]
    every_delete: usize,
    /// Request log entries kept in memory.
    #[arg(long, default_value_t = 100_000)]
    log_capacity: usize,
    /// Print N generated records of --sample-no as JSON lines and exit.
    #[arg(long, value_name = "N")]
    sample: Option<usize>,
    /// Evidence --sample prints.
    #[arg(long, default_value_t = 217)]
    sample_no: u32,
    /// Print the relevance benchmark's queries, judged over the generated products, as JSON
    /// lines (`{"id","kind","text","judgments":{productid: grade}}`) and exit.
    #[arg(long)]
    judgments: bool,
}

fn parse_malformed(s: &str) -> anyhow::Result<Vec<MalformedSpec>> {
    let (spec, no) = match s.split_once('@') {
        Some((a, b)) => (a, b.trim().parse::<u32>().context("evidence after @")?),
        None => (s, bluejet_sim::PRODUCTS),
    };
    let (kind, count) = spec.split_once('=').context("expected KIND=COUNT")?;
    let count: usize = count.trim().parse().context("count")?;
    if kind.trim() == "all" {
        return Ok(MalformedKind::ALL.iter().map(|&kind| MalformedSpec { no, kind, count }).collect());
    }
    let Some(kind) = MalformedKind::parse(kind) else { bail!("unknown malformed kind '{kind}'") };
    Ok(vec![MalformedSpec { no, kind, count }])
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()))
        .init();
    let cli = Cli::parse();
    let base = if cli.small { Sizes::SMALL } else { Sizes::LIVE };
    let sizes = Sizes {
        products: cli.products.unwrap_or(base.products),
        contacts: cli.contacts.unwrap_or(base.contacts),
        companies: cli.companies.unwrap_or(base.companies),
        offers: cli.offers.unwrap_or(base.offers),
        invoices: cli.invoices.unwrap_or(base.invoices),
        orders: cli.orders.unwrap_or(base.orders),
    };
    let fields_rejected = cli
        .fields_rejected
        .iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim().parse::<u32>().with_context(|| format!("--fields-rejected: '{s}'")))
        .collect::<anyhow::Result<Vec<u32>>>()?;
    let mut faults = FaultArgs::with_offset(cli.faults.spec(), cli.fail_from_offset, cli.fail_status, cli.fail_no);
    faults.expire_tokens_every_secs = cli.expire_tokens_every_secs;
    let mut builder = BlueJetSim::builder()
        .seed(cli.seed)
        .sizes(sizes)
        .credentials(cli.token_id.clone(), cli.token_hash.clone())
        .token_lifetime(Duration::from_secs_f64(cli.token_lifetime_secs.max(0.0)))
        .max_limit(cli.max_limit)
        .reject_over_limit(cli.reject_over_limit)
        .fields_rejected(&fields_rejected)
        .date_format(match cli.date_format {
            DateArg::Iso => DateFormat::Iso,
            DateArg::Czech => DateFormat::Czech,
        })
        .records_count_is_page(matches!(cli.records_count, RecordsCountArg::Page))
        .bad_credentials_status(cli.bad_credentials_status)
        .faults(faults)
        .log_capacity(cli.log_capacity)
        .bind(SocketAddr::new(cli.host, cli.port));
    for m in &cli.malformed {
        for spec in parse_malformed(m).with_context(|| format!("--malformed {m}"))? {
            builder = builder.malformed(spec.no, spec.kind, spec.count);
        }
    }
    if let Some(k) = cli.change_every {
        let change = ChangeRequest {
            modify: Some(cli.every_modify),
            insert: Some(cli.every_insert),
            delete: Some(cli.every_delete),
            price_only_share: Some(cli.price_only_share),
            ..ChangeRequest::new(cli.change_no)
        };
        builder = builder.change_schedule(ChangeSchedule { every_requests: k, change });
    }
    if cli.judgments {
        let store = builder.generate()?;
        let mut out = std::io::stdout().lock();
        for q in bluejet_sim::relevance::judge(&store.products()) {
            writeln!(out, "{}", serde_json::to_string(&q)?)?;
        }
        return Ok(());
    }
    if let Some(n) = cli.sample {
        let store = builder.generate()?;
        let e = store.evidence(cli.sample_no).context("unknown evidence")?;
        let mut out = std::io::stdout().lock();
        for pos in 0..n.min(e.len()) {
            if let Some(rec) = e.record_json(pos, store.date_format) {
                writeln!(out, "{}", serde_json::Value::Object(rec))?;
            }
        }
        return Ok(());
    }
    let sim = builder.start().await?;
    let startup = ChangeRequest {
        modify: cli.modify,
        modify_share: cli.modify_share,
        insert: cli.insert,
        delete: cli.delete,
        delete_share: cli.delete_share,
        price_only_share: Some(cli.price_only_share),
        ..ChangeRequest::new(cli.change_no)
    };
    if startup.modify.is_some()
        || startup.modify_share.is_some()
        || startup.insert.is_some()
        || startup.delete.is_some()
        || startup.delete_share.is_some()
    {
        let r = sim.change(&startup)?;
        tracing::info!(
            modified = r.modified.len(),
            inserted = r.inserted.len(),
            deleted = r.deleted.len(),
            "startup change applied"
        );
    }
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", sim.url())?;
        out.flush()?;
    }
    tokio::signal::ctrl_c().await?;
    sim.shutdown().await;
    Ok(())
}
