//! The bundled BlueJet source's partitions, run in the host against bluejet-sim: key ranges for
//! full reads and key listings, cursor ranges for incremental reads, each read from its own
//! state; together they hold every record once, also when BlueJet changes between the plan and
//! the read and while it is read.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use bluejet_sim::{BlueJetSim, ChangeRequest, ChangeSchedule, FaultSpec, RunningBlueJetSim, Trigger};
use common::sim;
use weir_core::{Partition, Record, Scope, SplitScope};
use weir_runtime::SourceInstance;

const PRODUCTS: u32 = 217;
const ORDERS: u32 = 356;
const PAGE: u32 = 50;

/// The source with pages of 50 rows, splitting reads of at least `min_rows` rows a partition.
async fn source(sim: &RunningBlueJetSim, min_rows: u32) -> SourceInstance {
    let config = serde_json::json!({ "page_size": PAGE, "partition_min_rows": min_rows });
    common::source(sim, None, config).await.unwrap()
}

/// Reads every partition to its end, a page of each in turn (as concurrent readers would
/// interleave), and returns the records each partition gave.
async fn read_partitions(
    src: &mut SourceInstance,
    stream: &str,
    scope: &Scope,
    parts: &[Partition],
) -> Vec<Vec<Record>> {
    let mut states: Vec<Option<String>> = parts.iter().map(|p| p.state.clone()).collect();
    let mut done = vec![false; parts.len()];
    let mut out = vec![Vec::new(); parts.len()];
    let mut pages = 0;
    while done.iter().any(|d| !d) {
        for i in 0..parts.len() {
            if done[i] {
                continue;
            }
            let page = src.read(stream, scope, states[i].as_deref(), PAGE).await.unwrap();
            assert!(page.records.len() <= PAGE as usize);
            out[i].extend(page.records);
            states[i] = Some(page.state);
            done[i] = page.done;
            pages += 1;
            assert!(pages < 10_000, "the partitions never end");
        }
    }
    out
}

/// Lists the keys of every partition to its end.
async fn list_partitions(src: &mut SourceInstance, stream: &str, parts: &[Partition]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for p in parts {
        let mut keys = Vec::new();
        let mut state = p.state.clone();
        loop {
            let page = src.list_keys(stream, state.as_deref(), PAGE).await.unwrap();
            keys.extend(page.keys);
            state = Some(page.state);
            if page.done {
                break;
            }
        }
        out.push(keys);
    }
    out
}

/// Every key once: the union of the partitions is `expected`, no key in two.
fn assert_each_once<'a>(keys: impl IntoIterator<Item = &'a String>, expected: &BTreeSet<String>, what: &str) {
    let mut seen = BTreeSet::new();
    for k in keys {
        assert!(seen.insert(k.clone()), "{what}: key {k} read twice");
    }
    let missing: Vec<&String> = expected.difference(&seen).take(5).collect();
    let extra: Vec<&String> = seen.difference(expected).take(5).collect();
    assert!(missing.is_empty() && extra.is_empty(), "{what}: missing {missing:?}, not expected {extra:?}");
}

fn keys_of(parts: &[Vec<Record>]) -> Vec<String> {
    parts.iter().flatten().map(|r| r.key.clone()).collect()
}

/// The upper bound a partition's state carries, if any.
fn until(p: &Partition) -> Option<String> {
    let state: serde_json::Value = serde_json::from_str(p.state.as_deref()?).unwrap();
    state["until"].as_str().map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_ranges_hold_every_key_once_at_every_partition_count() {
    let sim = sim(3_000, 0).await;
    let mut src = source(&sim, 100).await;
    let expected: BTreeSet<String> = sim.keys(PRODUCTS).into_iter().collect();
    for max in [1, 2, 3, 7, 16] {
        let parts = src.partitions("products", &SplitScope::Read(Scope::Full), max).await.unwrap();
        if max == 1 {
            assert_eq!(parts.len(), 1);
            assert_eq!(parts[0].state, None, "one partition is the unpartitioned read");
        } else {
            assert_eq!(parts.len(), max as usize, "3,000 rows make {max} partitions of at least 100");
            assert!(parts[..parts.len() - 1].iter().all(|p| until(p).is_some()));
            assert_eq!(until(&parts[parts.len() - 1]), None, "the last partition is open-ended");
        }
        let read = read_partitions(&mut src, "products", &Scope::Full, &parts).await;
        assert_each_once(&keys_of(&read), &expected, &format!("full read in {max}"));
        // The ranges are about even: boundaries are sampled at evenly spaced offsets.
        let sizes: Vec<usize> = read.iter().map(Vec::len).collect();
        let even = 3_000 / parts.len();
        assert!(sizes.iter().all(|s| s.abs_diff(even) <= 1), "{max}: partition sizes {sizes:?}");

        let parts = src.partitions("products", &SplitScope::Keys, max).await.unwrap();
        let listed = list_partitions(&mut src, "products", &parts).await;
        assert_each_once(listed.iter().flatten(), &expected, &format!("key listing in {max}"));
    }
    // Too few rows to be worth splitting, or a stream asked for one partition: one.
    let small = source(&sim, 5_000).await.partitions("products", &SplitScope::Read(Scope::Full), 8).await.unwrap();
    assert_eq!((small.len(), small[0].state.as_deref()), (1, None));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inserts_and_deletes_after_the_plan_and_during_the_read_lose_nothing() {
    let sim = sim(3_000, 0).await;
    let mut src = source(&sim, 100).await;
    let parts = src.partitions("products", &SplitScope::Read(Scope::Full), 6).await.unwrap();
    assert_eq!(parts.len(), 6);
    let bounds: BTreeSet<String> = parts.iter().filter_map(until).collect();

    // Between the plan and the read: half the rows go (boundary keys among them), 300 come.
    let change = sim.change(&ChangeRequest::new(PRODUCTS).delete_share(0.5).insert(300)).unwrap();
    let gone_bounds = bounds.iter().filter(|b| change.deleted.contains(b)).count();
    assert!(gone_bounds >= 1, "no boundary key was deleted; the test would not test that");
    let expected: BTreeSet<String> = sim.keys(PRODUCTS).into_iter().collect();
    let read = read_partitions(&mut src, "products", &Scope::Full, &parts).await;
    assert_each_once(&keys_of(&read), &expected, "after deletes and inserts");
    let inserted: BTreeSet<&String> = change.inserted.iter().collect();
    let last = read.last().unwrap();
    assert!(last.iter().any(|r| inserted.contains(&r.key)), "no insert fell past the last boundary");

    // While the read goes on: five rows inserted and five deleted after every third call.
    let before: BTreeSet<String> = sim.keys(PRODUCTS).into_iter().collect();
    let parts = src.partitions("products", &SplitScope::Read(Scope::Full), 6).await.unwrap();
    sim.set_change_schedule(Some(ChangeSchedule {
        every_requests: 3,
        change: ChangeRequest::new(PRODUCTS).insert(5).delete(5),
    }));
    let read = read_partitions(&mut src, "products", &Scope::Full, &parts).await;
    sim.set_change_schedule(None);
    let after: BTreeSet<String> = sim.keys(PRODUCTS).into_iter().collect();
    let keys = keys_of(&read);
    let got: BTreeSet<String> = keys.iter().cloned().collect();
    assert_eq!(got.len(), keys.len(), "a key was read twice");
    // Rows there from start to end were read; nothing read that never existed.
    let stayed: BTreeSet<String> = before.intersection(&after).cloned().collect();
    let missed: Vec<&String> = stayed.difference(&got).take(5).collect();
    assert!(missed.is_empty(), "rows present throughout were not read: {missed:?}");
    let mut ever = before.clone();
    for c in sim.changes() {
        ever.extend(c.inserted);
    }
    assert!(got.is_subset(&ever));
    assert!(sim.changes().len() > 5, "too few changes during the read");
}

/// The simulator's ISO text without zone, as the plugin normalises it.
fn rfc3339(iso: &str) -> String {
    if iso.ends_with('Z') { iso.to_owned() } else { format!("{iso}Z") }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cursor_ranges_hold_every_change_once_and_rows_modified_meanwhile_are_not_lost() {
    let sim = sim(3_000, 0).await;
    let mut src = source(&sim, 100).await;
    let since = Scope::Since(rfc3339(&sim.now()));
    // Ten changes, each with its own modification time, and inserts.
    let mut changed = BTreeSet::new();
    for _ in 0..10 {
        let c = sim.change(&ChangeRequest::new(PRODUCTS).modify(120).insert(10)).unwrap();
        changed.extend(c.modified.into_iter().chain(c.inserted));
    }
    let split = SplitScope::Read(since.clone());
    let one = src.partitions("products", &split, 1).await.unwrap();
    assert_eq!((one.len(), one[0].state.as_deref()), (1, None));
    for max in [2, 4, 8] {
        let parts = src.partitions("products", &split, max).await.unwrap();
        assert!(parts.len() > 1 && parts.len() <= max as usize, "{max}: {} partitions", parts.len());
        assert_eq!(until(parts.last().unwrap()), None);
        let read = read_partitions(&mut src, "products", &since, &parts).await;
        assert_each_once(&keys_of(&read), &changed, &format!("changes in {max}"));
    }

    // Rows modified while the partitions are read leave their range for the newest one.
    let parts = src.partitions("products", &split, 4).await.unwrap();
    sim.set_change_schedule(Some(ChangeSchedule { every_requests: 2, change: ChangeRequest::new(PRODUCTS).modify(5) }));
    let read = read_partitions(&mut src, "products", &since, &parts).await;
    sim.set_change_schedule(None);
    let mut latest: BTreeMap<String, String> = BTreeMap::new();
    for r in read.iter().flatten() {
        latest.insert(r.key.clone(), r.cursor.clone().unwrap_or_default());
    }
    let read_until = latest.values().max().unwrap().clone();
    let mut all_changed = changed.clone();
    for c in sim.changes() {
        all_changed.extend(c.modified);
    }
    let mut checked = 0;
    for key in &all_changed {
        let now = rfc3339(sim.record(PRODUCTS, key).unwrap()["modifiedon"].as_str().unwrap());
        if now > read_until {
            continue; // changed after the read ended: the next run's
        }
        checked += 1;
        assert_eq!(latest.get(key), Some(&now), "{key}: the latest version was not read");
    }
    assert!(checked > 1_000, "only {checked} rows checked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partition_resumes_from_any_of_its_states_and_rate_limits_are_waited_out() {
    let sim = sim(1_000, 0).await;
    let mut src = source(&sim, 100).await;
    let parts = src.partitions("products", &SplitScope::Read(Scope::Full), 4).await.unwrap();
    let part = &parts[1];
    let mut states = vec![part.state.clone()];
    let mut records = Vec::new();
    loop {
        let page = src.read("products", &Scope::Full, states.last().unwrap().as_deref(), 30).await.unwrap();
        records.push(page.records.iter().map(|r| r.key.clone()).collect::<Vec<_>>());
        states.push(Some(page.state));
        if page.done {
            break;
        }
    }
    assert!(records.len() > 3, "{} pages", records.len());
    for (i, state) in states.iter().enumerate().take(records.len()) {
        let mut rest = Vec::new();
        let mut state = state.clone();
        loop {
            let page = src.read("products", &Scope::Full, state.as_deref(), 30).await.unwrap();
            rest.extend(page.records.into_iter().map(|r| r.key));
            state = Some(page.state);
            if page.done {
                break;
            }
        }
        assert_eq!(rest, records[i..].concat(), "resumed from page {i}");
    }

    // BlueJet asks to slow down: the host waits as Retry-After says and the read is exact.
    sim.set_faults(FaultSpec {
        rate_limit: Some(Trigger { next: 3, retry_after_secs: 1, ..Trigger::default() }),
        ..FaultSpec::default()
    });
    let started = std::time::Instant::now();
    let parts = src.partitions("products", &SplitScope::Read(Scope::Full), 4).await.unwrap();
    let read = read_partitions(&mut src, "products", &Scope::Full, &parts).await;
    assert!(started.elapsed() >= std::time::Duration::from_secs(1), "Retry-After was not waited for");
    sim.clear_faults();
    assert_each_once(&keys_of(&read), &sim.keys(PRODUCTS).into_iter().collect(), "with 429s");
    assert_eq!(sim.stats().faults.http429, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issued_orders_are_a_built_in_stream() {
    let sim = sim(10, 900).await;
    let mut src = source(&sim, 100).await;
    let streams = src.streams().await.unwrap();
    let orders = streams.iter().find(|s| s.name == "orders").expect("an orders stream");
    assert_eq!(orders.key_field, "objednavkaid");
    assert_eq!(orders.cursor_field.as_deref(), Some("modifiedon"));
    assert_eq!(src.count("orders").await.unwrap(), Some(900));
    let parts = src.partitions("orders", &SplitScope::Read(Scope::Full), 4).await.unwrap();
    assert_eq!(parts.len(), 4);
    let read = read_partitions(&mut src, "orders", &Scope::Full, &parts).await;
    assert_each_once(&keys_of(&read), &sim.keys(ORDERS).into_iter().collect(), "orders");
    let companies: BTreeSet<String> = sim.keys(225).into_iter().collect();
    for r in read.iter().flatten() {
        let f: serde_json::Value = serde_json::from_str(&r.fields).unwrap();
        for field in ["kodobjednavky", "nazev", "statuscode", "customerid", "firmaid", "datumpotvrzeni"] {
            assert!(f.get(field).is_some(), "{field} missing in {f}");
        }
        assert!(companies.contains(f["firmaid"].as_str().unwrap()), "{f}");
        assert!(r.cursor.is_some());
    }
}

/// How long a full read of the live product count takes at BlueJet-like latency (150 ± 50 ms
/// a call), read whole by one instance and in partitions by one instance each, concurrently.
/// Prints the figures; run with `--ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement of about two minutes"]
async fn measure_partitioned_full_read_at_bluejet_latency() {
    let sim = BlueJetSim::builder().start().await.unwrap();
    sim.set_faults(FaultSpec { latency_ms: 100, jitter_ms: 100, ..FaultSpec::default() });
    let expected: BTreeSet<String> = sim.keys(PRODUCTS).into_iter().collect();
    let page = 200;
    let open = || async { common::source(&sim, None, serde_json::json!({ "page_size": page })).await.unwrap() };
    let read = |mut src: SourceInstance, state: Option<String>| async move {
        let mut keys = Vec::new();
        let mut state = state;
        loop {
            let p = src.read("products", &Scope::Full, state.as_deref(), page).await.unwrap();
            keys.extend(p.records.into_iter().map(|r| r.key));
            state = Some(p.state);
            if p.done {
                return keys;
            }
        }
    };
    for n in [1u32, 4, 8, 16] {
        let started = std::time::Instant::now();
        let mut planner = open().await;
        let parts = planner.partitions("products", &SplitScope::Read(Scope::Full), n).await.unwrap();
        let planned = started.elapsed();
        let mut tasks = tokio::task::JoinSet::new();
        for p in parts.iter().cloned() {
            let src = open().await;
            tasks.spawn(read(src, p.state));
        }
        let mut keys = Vec::new();
        while let Some(k) = tasks.join_next().await {
            keys.extend(k.unwrap());
        }
        assert_each_once(&keys, &expected, &format!("{n} partitions"));
        println!(
            "{n:>2} partitions asked, {} made: plan {:.2} s, full read of {} products {:.1} s, most in flight {}",
            parts.len(),
            planned.as_secs_f64(),
            keys.len(),
            started.elapsed().as_secs_f64(),
            sim.stats().max_in_flight
        );
        sim.reset_stats();
    }
}
