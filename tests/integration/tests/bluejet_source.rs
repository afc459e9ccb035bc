//! The bundled BlueJet source, built as WebAssembly and run in the host, against bluejet-sim.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use bluejet_sim::{BlueJetSim, ChangeRequest, ChangeSchedule, FaultSpec, RunningBlueJetSim, Trigger};
use weir_core::{PluginError, Record, Scope};
use weir_runtime::{Error, SourceInstance};

const PRODUCTS: u32 = 217;
const PAGE: u32 = 200;

/// A simulator with `products` products and 30 of every other evidence.
async fn sim(products: usize) -> RunningBlueJetSim {
    common::sim(products, 30).await
}

async fn source(sim: &RunningBlueJetSim, token_hash: Option<&str>) -> Result<SourceInstance, Error> {
    common::source(sim, token_hash, serde_json::json!({ "page_size": PAGE })).await
}

/// Reads a stream to its end from `state`, returning the records and the last state, or the
/// records read before an error, the state to resume from, and the error.
async fn read_all(
    src: &mut SourceInstance,
    stream: &str,
    scope: &Scope,
    mut state: Option<String>,
) -> (Vec<Record>, Option<String>, Option<Error>) {
    let mut records = Vec::new();
    loop {
        match src.read(stream, scope, state.as_deref(), PAGE).await {
            Ok(page) => {
                records.extend(page.records);
                state = Some(page.state);
                if page.done {
                    return (records, state, None);
                }
            }
            Err(e) => return (records, state, Some(e)),
        }
    }
}

fn assert_exactly_once(records: &[Record], expected: &BTreeSet<String>) {
    let mut seen = BTreeSet::new();
    for r in records {
        assert!(seen.insert(r.key.clone()), "key {} returned twice", r.key);
    }
    assert_eq!(seen.len(), expected.len(), "read {} keys, expected {}", seen.len(), expected.len());
    assert!(seen == *expected, "the keys read differ from the simulator's");
}

#[tokio::test]
async fn a_full_read_of_every_product_returns_each_key_once_in_about_one_call_per_page() {
    let sim = BlueJetSim::builder().start().await.unwrap();
    let total = sim.count(PRODUCTS).unwrap();
    assert_eq!(total, 109_253);
    let mut src = source(&sim, None).await.unwrap();
    sim.reset_stats();
    let (records, _, error) = read_all(&mut src, "products", &Scope::Full, None).await;
    assert!(error.is_none(), "{error:?}");
    assert_exactly_once(&records, &sim.keys(PRODUCTS).into_iter().collect());
    let stats = sim.stats();
    let ideal = total.div_ceil(PAGE as usize) as f64 + 1.0;
    let calls = (stats.data_calls + stats.auth_calls) as f64;
    assert!(calls <= ideal * 1.01, "{calls} calls for {total} rows; ideal {ideal}");
    assert_eq!(stats.auth_calls, 1, "one authentication per run");
    // Every record carries its fields as a JSON object and an RFC 3339 cursor.
    let sample: serde_json::Value = serde_json::from_str(&records[0].fields).unwrap();
    assert!(sample.get("name").is_some() && sample.get("productid").is_some(), "{sample}");
    assert!(records.iter().all(|r| r.cursor.as_deref().is_some_and(|c| c.ends_with('Z'))));
    assert_eq!(src.count("products").await.unwrap(), Some(total as u64));
}

#[tokio::test]
async fn an_incremental_read_returns_exactly_what_changed_and_costs_little_when_nothing_did() {
    let sim = sim(5_000).await;
    let mut src = source(&sim, None).await.unwrap();
    let (full, _, error) = read_all(&mut src, "products", &Scope::Full, None).await;
    assert!(error.is_none(), "{error:?}");
    let watermark = full.iter().filter_map(|r| r.cursor.clone()).max().unwrap();
    let at_watermark: BTreeSet<String> =
        full.iter().filter(|r| r.cursor.as_deref() == Some(watermark.as_str())).map(|r| r.key.clone()).collect();

    let change = sim.change(&ChangeRequest::new(PRODUCTS).modify_share(0.01).price_only_share(0.5).insert(25)).unwrap();
    assert_eq!(change.modified.len(), 50);
    let mut expected: BTreeSet<String> = change.modified.iter().chain(&change.inserted).cloned().collect();
    expected.extend(at_watermark);

    let (changed, _, error) = read_all(&mut src, "products", &Scope::Since(watermark), None).await;
    assert!(error.is_none(), "{error:?}");
    assert_exactly_once(&changed, &expected);

    // Nothing changed since the new watermark: at most two data calls.
    let watermark = changed.iter().filter_map(|r| r.cursor.clone()).max().unwrap();
    sim.reset_stats();
    let (again, _, error) = read_all(&mut src, "products", &Scope::Since(watermark.clone()), None).await;
    assert!(error.is_none(), "{error:?}");
    assert!(again.iter().all(|r| r.cursor.as_deref() == Some(watermark.as_str())));
    assert!(sim.stats().data_calls <= 2, "{} data calls", sim.stats().data_calls);
}

#[tokio::test]
async fn rows_modified_while_an_incremental_read_runs_are_read_again_not_lost() {
    let sim = sim(3_000).await;
    let mut src = source(&sim, None).await.unwrap();
    let start = sim.now();
    let first = sim.change(&ChangeRequest::new(PRODUCTS).modify(1_000)).unwrap();
    // Five more rows change after every second data request, while the read goes on.
    sim.set_change_schedule(Some(ChangeSchedule { every_requests: 2, change: ChangeRequest::new(PRODUCTS).modify(5) }));
    let since = weir_rfc3339(&start);
    let (records, _, error) = read_all(&mut src, "products", &Scope::Since(since), None).await;
    sim.set_change_schedule(None);
    assert!(error.is_none(), "{error:?}");

    let mut latest: BTreeMap<String, String> = BTreeMap::new();
    for r in &records {
        latest.insert(r.key.clone(), r.cursor.clone().unwrap_or_default());
    }
    let mut changed: BTreeSet<String> = first.modified.iter().cloned().collect();
    for c in sim.changes() {
        changed.extend(c.modified);
    }
    // A change made after the read's last page is for the next read; every change up to the
    // newest cursor the read returned must be there in its latest version.
    let read_until = records.iter().filter_map(|r| r.cursor.clone()).max().unwrap();
    let mut checked = 0;
    for key in &changed {
        let now = sim.record(PRODUCTS, key).unwrap();
        let now = weir_rfc3339(now["modifiedon"].as_str().unwrap());
        if now > read_until {
            continue;
        }
        checked += 1;
        assert_eq!(latest.get(key), Some(&now), "{key}: the read missed its latest version");
    }
    assert!(checked > 1_000, "only {checked} changed rows checked");
}

/// The simulator's ISO text without zone, as the plugin normalises it.
fn weir_rfc3339(iso: &str) -> String {
    if iso.ends_with('Z') { iso.to_owned() } else { format!("{iso}Z") }
}

#[tokio::test]
async fn token_expiry_rate_limits_server_errors_and_resets_are_survived_exactly() {
    let sim = sim(4_000).await;
    let mut src = source(&sim, None).await.unwrap();
    sim.set_faults(FaultSpec {
        rate_limit: Some(Trigger { next: 2, retry_after_secs: 1, ..Trigger::default() }),
        server_error: Some(Trigger { next: 1, rate: 0.05, status: 503, ..Trigger::default() }),
        reset: Some(Trigger { rate: 0.03, ..Trigger::default() }),
        ..FaultSpec::default()
    });
    let mut records = Vec::new();
    let mut state: Option<String> = None;
    for page_no in 0.. {
        if page_no % 5 == 4 {
            sim.invalidate_tokens();
        }
        let page = src.read("products", &Scope::Full, state.as_deref(), PAGE).await.unwrap();
        records.extend(page.records);
        state = Some(page.state);
        if page.done {
            break;
        }
    }
    sim.clear_faults();
    assert_exactly_once(&records, &sim.keys(PRODUCTS).into_iter().collect());
    let stats = sim.stats();
    assert!(stats.unauthorized >= 3, "tokens expired {} times", stats.unauthorized);
    assert!(stats.faults.http429 >= 2 && !stats.faults.http5xx.is_empty() && stats.faults.resets > 0, "{stats:?}");
}

#[tokio::test]
async fn a_hard_failure_stops_with_a_state_from_which_the_read_finishes_without_gap_or_duplicate() {
    let sim = sim(3_000).await;
    let mut src = source(&sim, None).await.unwrap();
    let mut records = Vec::new();
    let mut state: Option<String> = None;
    for _ in 0..4 {
        let page = src.read("products", &Scope::Full, state.as_deref(), PAGE).await.unwrap();
        records.extend(page.records);
        state = Some(page.state);
    }
    // BlueJet fails hard: every call answers 500 until it is fixed.
    sim.set_faults(FaultSpec {
        server_error: Some(Trigger { next: 10_000, status: 500, ..Trigger::default() }),
        ..FaultSpec::default()
    });
    let err = src.read("products", &Scope::Full, state.as_deref(), PAGE).await.unwrap_err();
    assert!(matches!(err.plugin_error(), Some(PluginError::Transient(_))), "{err}");
    sim.clear_faults();
    let (rest, _, error) = read_all(&mut src, "products", &Scope::Full, state).await;
    assert!(error.is_none(), "{error:?}");
    records.extend(rest);
    assert_exactly_once(&records, &sim.keys(PRODUCTS).into_iter().collect());
}

#[tokio::test]
async fn wrong_credentials_are_an_auth_error_with_the_servers_message() {
    let sim = sim(100).await;
    let mut src = source(&sim, Some("wrong-hash")).await.unwrap();
    let err = src.read("products", &Scope::Full, None, PAGE).await.unwrap_err();
    match err.plugin_error() {
        Some(PluginError::Auth(message)) => assert!(message.contains("Špatné přihlašovací údaje"), "{message}"),
        other => panic!("expected an auth error, got {other:?} ({err})"),
    }
    assert!(!err.to_string().contains("wrong-hash"), "the secret leaked: {err}");
}

#[tokio::test]
async fn keys_are_listed_cheaply_for_every_evidence() {
    let sim = sim(1_234).await;
    let mut src = source(&sim, None).await.unwrap();
    let evidences =
        [("products", 217), ("contacts", 222), ("companies", 225), ("offers", 293), ("invoices", 323), ("orders", 356)];
    for (stream, no) in evidences {
        let mut all = Vec::new();
        let mut state: Option<String> = None;
        loop {
            let page = src.list_keys(stream, state.as_deref(), PAGE).await.unwrap();
            all.extend(page.keys);
            state = Some(page.state);
            if page.done {
                break;
            }
        }
        let expected: BTreeSet<String> = sim.keys(no).into_iter().collect();
        let got: BTreeSet<String> = all.iter().cloned().collect();
        assert_eq!(got.len(), all.len(), "{stream}: duplicate keys listed");
        assert!(got == expected, "{stream}: listed keys differ");
        assert_eq!(src.count(stream).await.unwrap(), Some(expected.len() as u64));
    }
    let streams = src.streams().await.unwrap();
    assert_eq!(streams.len(), evidences.len());
}
