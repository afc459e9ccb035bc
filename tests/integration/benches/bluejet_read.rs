//! Read benchmark: the BlueJet source inside the host reads all 109,253 products from the
//! simulator (latency off), page by page as the engine does, keys and fields crossing the WASM
//! boundary. Three full reads, each timed; prints rows/s and BlueJet calls.
//!
//! `cargo bench -p weir-integration-tests --bench bluejet_read [-- ROWS PAGE]`, or, with the
//! test profile: `cargo build --workspace --benches` then run `target/debug/deps/bluejet_read-*`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Instant;

use serde_json::json;
use weir_core::{HostRule, Scope};
use weir_runtime::{Grants, Runtime, RuntimeConfig};

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1).filter_map(|a| a.parse::<u32>().ok());
    let rows = args.next().unwrap_or(109_253) as usize;
    let page = args.next().unwrap_or(200);
    let sim = bluejet_sim::BlueJetSim::builder().products(rows).max_limit(1000).start().await.unwrap();
    let cache = tempfile::tempdir().unwrap();
    let rt =
        Runtime::new(RuntimeConfig { cache_dir: Some(cache.path().to_owned()), ..RuntimeConfig::default() }).unwrap();
    let plugin = rt.load(weir_harness::plugin("bluejet-source")).await.unwrap();
    let (id, hash) = sim.credentials();
    let grants = Grants::none()
        .host(format!("http://{}", sim.addr()).parse::<HostRule>().unwrap())
        .secret("token_id", id)
        .secret("token_hash", hash);
    let config = json!({ "base_url": sim.url(), "page_size": page }).to_string();
    let mut source = plugin.source(&grants, &config).await.unwrap();
    let mut rates = Vec::new();
    for round in 1..=3 {
        sim.reset_stats();
        let started = Instant::now();
        let (mut state, mut n, mut bytes) = (None::<String>, 0usize, 0usize);
        loop {
            let p = source.read("products", &Scope::Full, state.as_deref(), page).await.unwrap();
            n += p.records.len();
            bytes += p.records.iter().map(|r| r.fields.len()).sum::<usize>();
            state = Some(p.state);
            if p.done {
                break;
            }
        }
        let secs = started.elapsed().as_secs_f64();
        assert_eq!(n, rows);
        let rate = n as f64 / secs;
        rates.push(rate);
        println!(
            "round {round}: {n} rows in {secs:.2} s = {rate:.0} rows/s ({:.1} MB of fields), {} BlueJet calls",
            bytes as f64 / 1e6,
            sim.stats().requests
        );
    }
    rates.sort_by(f64::total_cmp);
    println!("median {:.0} rows/s (page {page})", rates[1]);
}
