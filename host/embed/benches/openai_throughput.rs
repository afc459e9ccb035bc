//! OpenAI-compatible throughput: `OpenAiEmbedder` against `openai-sim` answering every request
//! after 300 ms, with a requests- and tokens-per-minute budget, for a catalogue of product
//! texts. Prints texts/s, requests, tokens and the time the budget alone would allow.
//!
//! `cargo bench -p weir-embed --bench openai_throughput [-- TEXTS CONCURRENCY TPM]`, or with the
//! test profile: `cargo build --workspace --benches` then run
//! `target/debug/deps/openai_throughput-*`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use bluejet_sim::{FaultSpec, OpenAiSim};
use weir_embed::{ApiKey, Embedder, OpenAiConfig, OpenAiEmbedder, Purpose};

const MODEL: &str = "text-embedding-3-small";
const LATENCY_MS: u64 = 300;
/// Requests per minute of a modest OpenAI tier.
const RPM: u64 = 3_000;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1).filter_map(|a| a.parse::<usize>().ok());
    let n = args.next().unwrap_or(20_000);
    let concurrency = args.next().unwrap_or(4);
    let tpm = args.next().unwrap_or(1_000_000) as u64;
    let sim = OpenAiSim::builder().start().await.unwrap();
    sim.set_faults(FaultSpec { latency_ms: LATENCY_MS, ..FaultSpec::default() });
    let mut cfg = OpenAiConfig::new(MODEL, 1536);
    cfg.base_url = format!("{}/v1", sim.url().trim_end_matches('/'));
    cfg.api_key = Some(ApiKey::new(sim.api_key()));
    cfg.requests_per_minute = RPM;
    cfg.tokens_per_minute = tpm;
    cfg.max_concurrency = concurrency;
    cfg.usd_per_million_tokens = 0.02;
    let embedder = OpenAiEmbedder::new(cfg).unwrap();
    let texts: Vec<String> = (0..n)
        .map(|i| {
            format!(
                "Nerezový hrnec {} l Paderno · Varné nádobí / Hrnce · stainless steel stock pot, induction base, item {i}",
                10 + i % 90
            )
        })
        .collect();
    let started = Instant::now();
    // The engine hands the embedder batches of 256 records, up to `embed_concurrency` at once;
    // the provider merges nothing across calls, so call it the same way.
    let mut tasks = Vec::new();
    let embedder = std::sync::Arc::new(embedder);
    for chunk in texts.chunks(256) {
        let e = embedder.clone();
        let chunk = chunk.to_vec();
        tasks.push(tokio::spawn(async move { e.embed(&chunk, Purpose::Passage).await.unwrap().len() }));
    }
    let mut got = 0;
    for t in tasks {
        got += t.await.unwrap();
    }
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(got, n);
    let stats = sim.stats();
    let s = embedder.stats();
    // Sequential requests would take requests × latency; `concurrency` of them at once divide it.
    let latency_floor = Duration::from_millis(LATENCY_MS * stats.requests / concurrency as u64);
    println!(
        "{n} texts in {secs:.1} s = {:.0} texts/s; {} requests ({} × 429), {} tokens (${:.4}); \
         concurrency {concurrency}, {LATENCY_MS} ms per request, budgets {RPM} RPM / {tpm} TPM \
         (latency alone: {:.1} s)",
        n as f64 / secs,
        stats.requests,
        stats.http429,
        stats.tokens,
        s.cost_usd,
        latency_floor.as_secs_f64()
    );
}
