//! What the tests of the bundled BlueJet source share: a simulator that serves every evidence,
//! and the source built as WebAssembly, loaded in the host and granted the simulator.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bluejet_sim::{BlueJetSim, RunningBlueJetSim};
use weir_core::HostRule;
use weir_harness::plugin;
use weir_runtime::{Error, Grants, Runtime, RuntimeConfig, SourceInstance};

/// A simulator with `products` products, `orders` issued orders and a few dozen records of
/// each other evidence.
pub async fn sim(products: usize, orders: usize) -> RunningBlueJetSim {
    BlueJetSim::builder()
        .products(products)
        .contacts(40)
        .companies(30)
        .offers(30)
        .invoices(30)
        .orders(orders)
        .start()
        .await
        .unwrap()
}

/// The bundled bluejet-source on a runtime of its own, allowed to reach `sim` and given its
/// credentials (`token_hash` in place of the right hash, to be refused), configured with
/// `config` and the simulator's URL.
pub async fn source(
    sim: &RunningBlueJetSim,
    token_hash: Option<&str>,
    mut config: serde_json::Value,
) -> Result<SourceInstance, Error> {
    let rt = Runtime::new(RuntimeConfig { cache_dir: None, ..RuntimeConfig::default() }).unwrap();
    let plugin = rt.load(plugin("bluejet-source")).await.unwrap();
    let (id, hash) = sim.credentials();
    let grants = Grants::none()
        .host(format!("http://{}", sim.addr()).parse::<HostRule>().unwrap())
        .secret("token_id", id)
        .secret("token_hash", token_hash.unwrap_or(&hash));
    config["base_url"] = sim.url().into();
    plugin.source(&grants, &config.to_string()).await
}
