//! Bench binary: generation time of the live product set, server time per 200-row page, and
//! pages per second over loopback with latency off. Numbers go to docs/BENCHMARKS.md.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use bluejet_sim::data::Query;
use bluejet_sim::{BlueJetSim, DateFormat, Sizes};

/// A bench case: label, condition, sort column and direction.
type Case<'a> = (&'a str, Option<&'a str>, Option<(usize, bool)>);

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    // 1. generation of the live data set
    let mut gen_times = Vec::new();
    let mut store = None;
    for _ in 0..3 {
        let t0 = Instant::now();
        let s = BlueJetSim::builder().sizes(Sizes::LIVE).generate().unwrap();
        gen_times.push(t0.elapsed());
        store = Some(s);
    }
    let store = store.unwrap();
    let t0 = Instant::now();
    let products_only = BlueJetSim::builder().sizes(Sizes { products: 109_253, ..Sizes::EMPTY }).generate().unwrap();
    let products_time = t0.elapsed();
    drop(products_only);
    println!("generate live data set (all 5 evidences, 138,366 records): median {:?} of 3", median(gen_times));
    println!("generate 109,253 products only: {products_time:?}");

    // 2. server time per 200-row page (query + JSON body), in process
    let e = store.evidence(217).unwrap();
    let cases: Vec<Case> = vec![
        ("key order, offset paging", None, None),
        (
            "keyset on modifiedon (index range)",
            Some("modifiedon|>=|2025-06-01T00:00:00"),
            Some((e.column("modifiedon").unwrap(), false)),
        ),
        (
            "keyset on productid (index range)",
            Some("productid|>|00000000-0000-0000-0000-800000000000"),
            Some((0, false)),
        ),
        ("scan: name contains (full scan + count)", Some("name|contains|hrnec"), None),
    ];
    for (label, cond, sort) in cases {
        let condition = cond.map(|c| e.parse_condition(c).unwrap());
        let mut times = Vec::new();
        let mut bytes = 0;
        for i in 0..200 {
            let q = Query { condition: condition.clone(), sort, offset: (i * 997) % 5_000, limit: 200, fields: None };
            let t0 = Instant::now();
            let (total, page) = e.run(&q, DateFormat::Iso);
            let mut body = Vec::new();
            e.write_page(&mut body, &page, q.offset, None, total, DateFormat::Iso);
            times.push(t0.elapsed());
            bytes = body.len();
        }
        println!(
            "page of 200 rows, {label}: median {:?}, p99 {:?}, body {} KiB",
            median(times.clone()),
            {
                times.sort();
                times[times.len() * 99 / 100]
            },
            bytes / 1024
        );
    }

    // 3. pages per second over loopback
    let sim = BlueJetSim::builder().sizes(Sizes::LIVE).start().await.unwrap();
    let c = reqwest::Client::new();
    let (id, hash) = sim.credentials();
    let auth: serde_json::Value = c
        .post(format!("{}/api/v1/users/authenticate", sim.url()))
        .json(&serde_json::json!({"tokenID": id, "tokenHash": hash}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = auth["token"].as_str().unwrap().to_string();
    for concurrency in [1usize, 4] {
        let n_per = 1_000 / concurrency;
        let t0 = Instant::now();
        let mut tasks = Vec::new();
        for w in 0..concurrency {
            let c = c.clone();
            let url = sim.url();
            let token = token.clone();
            tasks.push(tokio::spawn(async move {
                for i in 0..n_per {
                    let off = ((w * n_per + i) * 200) % 109_000;
                    let r = c
                        .get(format!("{url}/api/v1/data?no=217&offset={off}&limit=200"))
                        .header("X-Token", &token)
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(r.status(), 200);
                    let _ = r.bytes().await.unwrap();
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let el = t0.elapsed();
        println!(
            "loopback, {concurrency} client(s), {} pages of 200 products: {:.0} pages/s ({:.0} rows/s)",
            n_per * concurrency,
            (n_per * concurrency) as f64 / el.as_secs_f64(),
            (n_per * concurrency * 200) as f64 / el.as_secs_f64()
        );
    }
    let durs: Vec<u64> = sim.log().iter().map(|e| e.duration_us).collect();
    let mut d = durs.clone();
    d.sort_unstable();
    println!(
        "server-side handler time per page (from the request log): median {} µs, p99 {} µs",
        d[d.len() / 2],
        d[d.len() * 99 / 100]
    );
}
