//! Generates the live-size data set and checks the counts an API client sees.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use bluejet_sim::{BlueJetSim, Sizes};
use reqwest::Client;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_sizes_by_default() {
    let sim = BlueJetSim::builder().start().await.unwrap();
    let c = Client::new();
    let t = common::token(&c, &sim).await;
    for (no, n) in [(217, 109_253), (222, 4_751), (225, 3_770), (293, 11_481), (323, 9_111), (356, 7_500)] {
        let p = common::get(&c, &sim, &t, &[("no", &no.to_string()), ("limit", "1")]).await;
        assert_eq!(p.total, Some(n), "evidence {no}");
        assert_eq!(p.body["recordsCount"], n);
    }
    assert_eq!(Sizes::default(), Sizes::LIVE);
    // the last page and a keyset step through the index
    let p = common::get(&c, &sim, &t, &[("no", "217"), ("offset", "109200"), ("limit", "200")]).await;
    assert_eq!(p.rows().len(), 53);
    let keys = sim.keys(217);
    assert_eq!(keys.len(), 109_253);
    let pivot = &keys[100_000];
    let p = common::get(
        &c,
        &sim,
        &t,
        &[("no", "217"), ("condition", &format!("productid|>=|{pivot}")), ("sort", "+productid"), ("limit", "200")],
    )
    .await;
    assert_eq!(p.total, Some(9_253));
    assert_eq!(p.keys("productid")[..], keys[100_000..100_200]);
}
