//! `weir demo`: weir's main job on one machine with nothing to install. A BlueJet simulator,
//! the embedded Qdrant-compatible store and the local multilingual model; the bundled BlueJet
//! source and Qdrant sink plugins run sandboxed in the host, driven by the sync engine exactly
//! as `weir run` drives them.
//!
//! The demo keeps its state (ledger, embedding cache, store) in the user's cache directory,
//! one directory per catalogue size: interrupt it and run it again and it resumes; run it
//! again after it finished and the full sync finds nothing to embed.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use bluejet_sim::{BlueJetSim, ChangeRequest};
use weir_engine::{Mode, RunOptions, RunReport, StopSignal};

use crate::app::App;

/// What staff type: English for a product named in Czech, Czech without diacritics, a type
/// with its size, words that neighbour other products; then a bare EAN of the catalogue.
const QUERIES: &[&str] =
    &["chicken breast", "kureci prsa", "GN 1/1 65 mm", "nerezový hrnec 20 l", "konvektomat", "dishwasher detergent"];
const EVIDENCE_PRODUCTS: u32 = 217;
const PIPELINE: &str = "products";
/// The default catalogue: the demo (full sync, change, incremental sync, searches) should end
/// within five minutes of the build on a 2-core machine. The local model embeds 67–71 products
/// a second there (docs/BENCHMARKS.md, `cargo xtask bench local`), so 10,000 products take about
/// two and a half minutes, leaving room for a slower or busier machine.
const DEFAULT_PRODUCTS: usize = 10_000;
/// The customer's catalogue, for the estimate the demo prints.
const CUSTOMER_PRODUCTS: u64 = 109_253;

#[derive(Debug, clap::Args)]
pub(crate) struct DemoArgs {
    /// Products in the simulated catalogue (the customer's catalogue has 109,253).
    #[arg(long, default_value_t = DEFAULT_PRODUCTS)]
    products: usize,
    /// A 5,000-product catalogue, for a quicker look.
    #[arg(long, conflicts_with = "products")]
    small: bool,
    /// A directory of plugin files that override the bundled ones (default: none, the plugins
    /// compiled into `weir`).
    #[arg(long, env = "WEIR_PLUGIN_DIR")]
    plugins: Option<PathBuf>,
    /// The demo's state directory (default: the user's cache directory, `weir/demo-<products>`).
    #[arg(long, env = "WEIR_DEMO_DIR")]
    state_dir: Option<PathBuf>,
    /// `local` (the multilingual model) or `hash` (fast, not semantic; for smoke tests).
    #[arg(long, default_value = "local")]
    embedder: String,
    /// Results per query.
    #[arg(short, long, default_value_t = 5)]
    k: u32,
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

pub(crate) async fn run(args: DemoArgs) -> anyhow::Result<ExitCode> {
    let products = if args.small { 5_000 } else { args.products };
    let state_dir = match args.state_dir {
        Some(d) => d,
        None => directories::BaseDirs::new()
            .map(|b| b.cache_dir().join("weir"))
            .unwrap_or_else(|| std::env::temp_dir().join("weir"))
            .join(format!("demo-{products}-{}", args.embedder)),
    };
    std::fs::create_dir_all(&state_dir).with_context(|| format!("cannot create {}", state_dir.display()))?;

    eprintln!("weir demo: {products} products; state in {}", state_dir.display());
    let sim = BlueJetSim::builder().products(products).start().await.context("cannot start the BlueJet simulator")?;
    let (token_id, token_hash) = sim.credentials();
    let embedding = match args.embedder.as_str() {
        "local" => "provider = \"local\"\nmodel = \"multilingual-e5-small\"".to_owned(),
        "hash" => "provider = \"hash\"".to_owned(),
        other => anyhow::bail!("--embedder `{other}`: use local or hash"),
    };
    let config = format!(
        r#"
[sync]
state_dir = {state}
{plugins}
[embedding]
{embedding}

[sources.bluejet]
plugin = "bluejet-source"
config = {{ base_url = {url} }}
secrets = {{ token_id = "${{DEMO_TOKEN_ID}}", token_hash = "${{DEMO_TOKEN_HASH}}" }}

[sinks.store]
plugin = "qdrant-sink"
embedded = true

[pipelines.{PIPELINE}]
source = "bluejet"
stream = "products"
sink = "store"
text = "{{name}} · {{category}} · {{brand}} · {{material}} · {{description}}"
lexical_text = "{{name}} · {{nazev}} · {{category}} · {{brand}} · {{material}} · {{description}} · {{code}} · {{ean}}"
identifiers = ["code", "ean"]
translate = ["name", "nazev"]
indexes = {{ category = "keyword", brand = "keyword" }}
validation = {{ required = ["name"], types = {{ price = "number" }} }}
"#,
        state = toml_string(&state_dir.to_string_lossy()),
        plugins =
            args.plugins.map(|p| format!("plugin_dir = {}\n", toml_string(&p.to_string_lossy()))).unwrap_or_default(),
        url = toml_string(&sim.url()),
    );
    let path = state_dir.join("demo.toml");
    let env = move |k: &str| match k {
        "DEMO_TOKEN_ID" => Some(token_id.clone()),
        "DEMO_TOKEN_HASH" => Some(token_hash.clone()),
        _ => None,
    };
    let loaded = crate::config::load_str(&path, &config, &[], env, Vec::new()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut app = App::open(loaded).await?;
    let mut pipeline = app.pipeline(PIPELINE).await?;
    eprintln!("  BlueJet simulator at {}, model {}", sim.url(), pipeline.embedder().model());

    let stop = StopSignal::default();
    crate::run_cmd::spawn_signal_handler(stop.clone());
    let tty = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let run = |mode: Mode| {
        let mut o = RunOptions::new(mode);
        o.stop = stop.clone();
        o.progress = Some(crate::run_cmd::progress_printer(PIPELINE.to_owned(), tty));
        o
    };

    eprintln!("\n1. full sync: BlueJet → bluejet-source → validation → embedding → qdrant-sink");
    let expanded = weir_engine::expands_records(&app.state, &pipeline);
    let mut full = weir_engine::run(&app.state, &mut pipeline, &run(Mode::Full)).await?;
    finish_line(tty);
    describe(&full);
    estimate(&full, products as u64);
    if matches!(full.status, weir_engine::RunStatus::Success | weir_engine::RunStatus::Partial)
        && !expanded
        && weir_engine::expands_records(&app.state, &pipeline)
    {
        // The run learned the name/nazev translations after writing the records; a second
        // full sync gives the Czech-named products their English words (the daemon's next
        // full run would). Unchanged texts come from the embedding cache.
        eprintln!("\n1b. full sync again: the translations learned from the name pairs reach the records");
        full = weir_engine::run(&app.state, &mut pipeline, &run(Mode::Full)).await?;
        finish_line(tty);
        describe(&full);
    }
    if full.status == weir_engine::RunStatus::Interrupted {
        crate::run_cmd::stopped_line(&full);
        eprintln!("  interrupted; run the demo again to resume where it stopped");
        drop(pipeline);
        app.shutdown().await?;
        return Ok(ExitCode::from(crate::run_cmd::EXIT_INTERRUPTED));
    }

    let change = sim.change(&ChangeRequest::new(EVIDENCE_PRODUCTS).modify_share(0.01).price_only_share(0.5))?;
    eprintln!(
        "\n2. BlueJet changes {} products ({} only their price); incremental sync",
        change.modified.len(),
        change.price_only.len()
    );
    let inc = weir_engine::run(&app.state, &mut pipeline, &run(Mode::Incremental)).await?;
    finish_line(tty);
    describe(&inc);
    if stop.load(std::sync::atomic::Ordering::Relaxed) {
        crate::run_cmd::stopped_line(&inc);
        drop(pipeline);
        app.shutdown().await?;
        return Ok(ExitCode::from(crate::run_cmd::EXIT_INTERRUPTED));
    }

    println!("\n3. search: Czech and English, without diacritics, sizes and an EAN");
    let display = pipeline.settings().display.clone();
    let catalogue = sim.products();
    let ean = catalogue.get(catalogue.len() / 3).map(|p| (p.ean.clone(), p.name.clone()));
    let queries = QUERIES.iter().map(|q| ((*q).to_owned(), None)).chain(ean.map(|(e, name)| (e, Some(name))));
    for (query, of) in queries {
        let hits =
            pipeline.search(&query, weir_engine::SearchMode::Hybrid, weir_core::Fusion::Rrf, args.k, None).await?;
        match of {
            Some(name) => println!("\n  \"{query}\" (the EAN of {name})"),
            None => println!("\n  \"{query}\""),
        }
        for hit in hits {
            let shown: Vec<String> = hit.display(&display).into_iter().map(|(_, v)| v).collect();
            println!("    {:.3}  {}", hit.score, shown.join("  "));
        }
    }
    println!(
        "\nThe same pipeline against your BlueJet: fill in config/weir.toml, then `weir run --mode full`, \
         `weir run` and `weir search \"kuřecí prsa\"`."
    );
    drop(pipeline);
    app.shutdown().await?;
    sim.shutdown().await;
    Ok(ExitCode::SUCCESS)
}

fn finish_line(tty: bool) {
    if tty {
        eprintln!();
    }
}

fn describe(r: &RunReport) {
    let c = &r.counts;
    eprintln!(
        "  {} records in {:.1}s ({:.0}/s): {} new, {} re-embedded, {} payload-only, {} unchanged, {} invalid; \
         cache hits {}, misses {}{}",
        c.fetched,
        r.duration_s,
        r.records_per_s,
        c.new,
        c.reembedded,
        c.payload_only,
        c.unchanged,
        c.invalid,
        r.embedding.cache_hits,
        r.embedding.cache_misses,
        if r.resumed { "; resumed an interrupted run" } else { "" }
    );
    if let Some(m) = r.count_check.as_ref().and_then(|c| c.mismatch.as_ref()) {
        eprintln!("  count check: {m}");
    }
}

/// After a full sync that embedded most of its records, what the customer's catalogue would
/// take at the rate just measured (embedding dominates; reads and writes scale the same way).
fn estimate(full: &RunReport, products: u64) {
    let embedded = full.counts.new + full.counts.reembedded;
    if products >= CUSTOMER_PRODUCTS || embedded * 2 < products || full.records_per_s <= 0.0 {
        return;
    }
    eprintln!(
        "  at this rate, `weir demo --products {CUSTOMER_PRODUCTS}` would take {}",
        minutes(CUSTOMER_PRODUCTS as f64 / full.records_per_s)
    );
}

fn minutes(seconds: f64) -> String {
    if seconds < 90.0 { format!("about {seconds:.0} s") } else { format!("about {:.0} min", seconds / 60.0) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_read_in_seconds_or_minutes() {
        assert_eq!(minutes(45.4), "about 45 s");
        assert_eq!(minutes(1_560.0), "about 26 min");
    }
}
