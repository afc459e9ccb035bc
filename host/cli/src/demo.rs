//! `weir demo`: the whole path on one machine with nothing to install. A BlueJet simulator,
//! the embedded Qdrant-compatible store and the local multilingual model; the bundled BlueJet
//! source and Qdrant sink plugins run sandboxed in the host.
//!
//! This is a compact, in-order version of a sync (read → render → embed → upsert, then an
//! incremental pass that re-embeds only changed texts); the engine with checkpoints, a ledger
//! and overlapping stages replaces it.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, bail};
use bluejet_sim::{BlueJetSim, ChangeRequest};
use weir_core::{CollectionSpec, Distance, HostRule, PayloadUpdate, Point, Record, Scope};
use weir_embed::{Embedder, LocalConfig, LocalEmbedder, LocalModel, Purpose};
use weir_runtime::{Grants, Runtime, RuntimeConfig, SinkInstance, SourceInstance};

const COLLECTION: &str = "products";
const STREAM: &str = "products";
const PAGE: u32 = 200;
const EMBED_BATCH: usize = 64;
/// The fields whose text is embedded, in order.
const TEXT_FIELDS: &[&str] = &["name", "category", "brand", "material", "description"];
const QUERIES: &[&str] =
    &["chicken breast", "nerezový hrnec 20 l", "konvektomat", "kuřecí prsa", "dishwasher detergent"];
const EVIDENCE_PRODUCTS: u32 = 217;

#[derive(Debug, clap::Args)]
pub(crate) struct DemoArgs {
    /// Products in the simulated catalogue.
    #[arg(long, default_value_t = 109_253)]
    products: usize,
    /// A 5,000-product catalogue, for a quick look.
    #[arg(long, conflicts_with = "products")]
    small: bool,
    /// Where the bundled plugins are (default: `plugins/` beside the build directory of `weir`).
    #[arg(long, env = "WEIR_PLUGIN_DIR")]
    plugins: Option<PathBuf>,
    /// Results per query.
    #[arg(short, long, default_value_t = 5)]
    k: u32,
}

pub(crate) fn plugin_dir(explicit: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    if let Some(dir) = explicit {
        return Ok(dir);
    }
    let exe = std::env::current_exe().context("cannot find the weir executable")?;
    // target/<profile>/weir → target/plugins
    let dir = exe.parent().and_then(|p| p.parent()).map(|t| t.join("plugins"));
    dir.filter(|d| d.is_dir())
        .context("no plugin directory found; build the plugins with `cargo xtask build-plugins` or pass --plugins")
}

fn render(fields: &serde_json::Value) -> String {
    TEXT_FIELDS
        .iter()
        .filter_map(|f| fields.get(*f).and_then(|v| v.as_str()).map(str::trim).filter(|s| !s.is_empty()))
        .collect::<Vec<_>>()
        .join(" · ")
}

fn point_id(key: &str) -> String {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, format!("weir-demo/{STREAM}/{key}").as_bytes()).to_string()
}

struct Sync<'a> {
    source: &'a mut SourceInstance,
    sink: &'a mut SinkInstance,
    embedder: &'a LocalEmbedder,
    /// key → embedded text, to tell text changes from payload-only changes.
    texts: HashMap<String, String>,
}

#[derive(Default)]
struct Counts {
    read: usize,
    embedded: usize,
    payload_only: usize,
    unchanged: usize,
    skipped: usize,
}

impl Sync<'_> {
    async fn run(&mut self, scope: Scope, total: Option<u64>) -> anyhow::Result<(Counts, Option<String>)> {
        let started = Instant::now();
        let mut counts = Counts::default();
        let mut state: Option<String> = None;
        let mut watermark: Option<String> = None;
        let mut pending: Vec<(Record, String, serde_json::Value)> = Vec::new();
        loop {
            let page = self.source.read(STREAM, &scope, state.as_deref(), PAGE).await?;
            for record in page.records {
                counts.read += 1;
                if let Some(c) = &record.cursor
                    && watermark.as_ref().is_none_or(|w| c > w)
                {
                    watermark = Some(c.clone());
                }
                let fields: serde_json::Value = serde_json::from_str(&record.fields)?;
                let text = render(&fields);
                if record.key.is_empty() || text.is_empty() {
                    counts.skipped += 1;
                    continue;
                }
                match self.texts.get(&record.key) {
                    Some(old) if *old == text => {
                        // Payload-only change (price, stock): no embedding.
                        let update = PayloadUpdate { id: point_id(&record.key), payload: record.fields.clone() };
                        self.sink.set_payload(COLLECTION, &[update]).await?;
                        counts.payload_only += 1;
                    }
                    _ => pending.push((record, text, fields)),
                }
            }
            if pending.len() >= EMBED_BATCH || (page.done && !pending.is_empty()) {
                counts.embedded += self.flush(&mut pending).await?;
            }
            state = Some(page.state);
            let rate = counts.read as f64 / started.elapsed().as_secs_f64().max(0.001);
            match total {
                Some(t) => eprint!("\r  {:>7} / {t} records, {rate:.0}/s   ", counts.read),
                None => eprint!("\r  {:>7} records, {rate:.0}/s   ", counts.read),
            }
            if page.done {
                break;
            }
        }
        eprintln!();
        counts.unchanged = counts.read - counts.embedded - counts.payload_only - counts.skipped;
        Ok((counts, watermark))
    }

    async fn flush(&mut self, pending: &mut Vec<(Record, String, serde_json::Value)>) -> anyhow::Result<usize> {
        let texts: Vec<String> = pending.iter().map(|(_, t, _)| t.clone()).collect();
        let vectors = self.embedder.embed(&texts, Purpose::Passage).await?;
        let points: Vec<Point> = pending
            .iter()
            .zip(vectors)
            .map(|((record, _, _), vector)| Point { id: point_id(&record.key), vector, payload: record.fields.clone() })
            .collect();
        self.sink.upsert(COLLECTION, &points).await?;
        for (record, text, _) in pending.drain(..) {
            self.texts.insert(record.key, text);
        }
        Ok(points.len())
    }
}

pub(crate) async fn run(args: DemoArgs) -> anyhow::Result<()> {
    let products = if args.small { 5_000 } else { args.products };
    let plugins = plugin_dir(args.plugins)?;

    eprintln!("weir demo: {products} products, bundled plugins from {}", plugins.display());
    let embedder = LocalEmbedder::new(LocalConfig::new(LocalModel::MultilingualE5Small))
        .context("the local model is not set up; run `cargo xtask setup`")?;
    let model = embedder.model().clone();

    let started = Instant::now();
    let sim = BlueJetSim::builder().products(products).start().await.context("cannot start the BlueJet simulator")?;
    let store_dir = tempfile::tempdir()?;
    let store = qdrant_local::QdrantLocal::start(store_dir.path(), qdrant_local::LOOPBACK)
        .await
        .context("cannot start the embedded vector store")?;
    eprintln!(
        "  BlueJet simulator at {}, embedded store at {} ({:.1}s)",
        sim.url(),
        store.rest_url(),
        started.elapsed().as_secs_f64()
    );

    let runtime = Runtime::new(RuntimeConfig::default())?;
    let source_plugin = runtime.load(plugins.join("bluejet-source.wasm")).await?;
    let sink_plugin = runtime.load(plugins.join("qdrant-sink.wasm")).await?;
    let (token_id, token_hash) = sim.credentials();
    let source_grants = Grants::none()
        .host(format!("http://{}", sim.addr()).parse::<HostRule>()?)
        .secret("token_id", token_id)
        .secret("token_hash", token_hash);
    let source_config = serde_json::json!({ "base_url": sim.url(), "page_size": PAGE }).to_string();
    let mut source = source_plugin.source(&source_grants, &source_config).await?;
    let store_url = store.rest_url();
    let sink_grants = Grants::none().host(store_url.trim_end_matches('/').parse::<HostRule>()?);
    let mut sink = sink_plugin.sink(&sink_grants, &serde_json::json!({ "url": store_url }).to_string()).await?;
    sink.prepare(&CollectionSpec {
        name: COLLECTION.into(),
        dimension: model.dimension,
        distance: Distance::Cosine,
        model: model.key(),
        payload_indexes: vec![],
    })
    .await?;

    let total = source.count(STREAM).await?;
    let mut sync = Sync { source: &mut source, sink: &mut sink, embedder: &embedder, texts: HashMap::new() };

    eprintln!("\n1. full sync (model {})", model.key());
    let t = Instant::now();
    let (full, watermark) = sync.run(Scope::Full, total).await?;
    let secs = t.elapsed().as_secs_f64();
    eprintln!(
        "  {} records read, {} embedded and written in {secs:.1}s ({:.0} records/s)",
        full.read,
        full.embedded,
        full.read as f64 / secs
    );

    let Some(watermark) = watermark else { bail!("the source returned no cursor values") };
    let change = sim.change(&ChangeRequest::new(EVIDENCE_PRODUCTS).modify_share(0.01).price_only_share(0.5))?;
    eprintln!(
        "\n2. BlueJet changes {} products ({} price only); incremental sync",
        change.modified.len(),
        change.price_only.len()
    );
    let t = Instant::now();
    let (inc, _) = sync.run(Scope::Since(watermark), None).await?;
    eprintln!(
        "  {} read, {} re-embedded, {} payload-only, {} unchanged in {:.1}s",
        inc.read,
        inc.embedded,
        inc.payload_only,
        inc.unchanged,
        t.elapsed().as_secs_f64()
    );
    drop(sync);
    let points = sink.count(COLLECTION).await?;
    eprintln!("  the store holds {points} points");

    println!("\n3. search (Czech and English queries, one multilingual model)");
    for query in QUERIES {
        let vector = embedder.embed(&[(*query).to_owned()], Purpose::Query).await?.remove(0);
        let hits = sink.query(COLLECTION, &vector, args.k, None).await?;
        println!("\n  \"{query}\"");
        for hit in hits {
            let payload: serde_json::Value = serde_json::from_str(&hit.payload).unwrap_or_default();
            let name = payload.get("name").and_then(|v| v.as_str()).unwrap_or("?");
            let category = payload.get("category").and_then(|v| v.as_str()).unwrap_or("");
            println!("    {:.3}  {name}  [{category}]", hit.score);
        }
    }
    store.shutdown().await?;
    Ok(())
}
